// Package certpath builds and validates certification paths for the
// verifier, with its own implementation of an RFC 5280 subset instead of
// crypto/x509's Verify.
//
// Go's Verify cannot serve Vietnamese documents: it refuses SHA-1-signed
// certificates, and most Vietnamese chains before about 2021 are SHA-1
// (the VGCA G1 root and its sub-CA "Co quan chung thuc so Chinh phu", the
// legacy "MIC National Root CA" and the CAs under it); and crypto/rsa
// refuses RSA public exponents above 2³¹-1, seen in EU qualified
// certificates. Signatures here are checked by signing/internal/pubkey and
// judged by a dated algorithm Policy.
//
//	p, err := certpath.Build(ctx, leaf, certpath.Options{
//		Anchors:       roots,           // trusted
//		Intermediates: pool,            // CMS, DSS and shipped certificates
//		Known:         candidates,      // known roots, not trusted
//		At:            signingTime,     // validity of every certificate
//		AlgorithmTime: signingTime,     // when the policy judges SHA-1
//		AlgorithmTimeProven: timestamped,
//		Usage:         certpath.UsageSigning,
//		Fetcher:       &certpath.HTTPFetcher{CacheDir: dir},
//	})
//	var e *certpath.Error
//	if errors.As(err, &e) && e.Code == certpath.UnknownRoot {
//		show(certpath.Fingerprint(e.Root))
//	}
//
// # Building
//
// Issuer candidates are found by name: the issuer's RawIssuer equal to a
// candidate's RawSubject, or equal under RFC 5280 section 7.1 (attribute
// values of the directory string types compared after NFKC, case folding
// and whitespace normalisation, whatever their string type: PrintableString
// and UTF8String of the same text match). A candidate whose subject key
// identifier differs from the child's authority key identifier is not
// tried. Candidates go anchors first, then those valid at At, then those
// whose key identifier matches; each must verify the child's signature.
// The search is depth first, with loop detection by subject and key (so
// cross-certified CAs do not cycle), and bounded: at most MaxPathCerts
// certificates in a path, 32 candidates per certificate, 256 signature
// verifications (each pair of certificate and key is verified once), 2048
// partial paths and 4 AIA fetches per Build. Thousands of look-alike
// certificates or a cross-certified mesh end the search with Unsupported,
// never a hang.
//
// An anchor matches a path member with identical bytes, or with the same
// subject and public key (a re-issued root): the anchor then ends the
// path. Its self-signature is not checked. The leaf matches an anchor by
// identical bytes only: a twin with the same key would stand in for it
// with other contents. A path that reaches a
// self-signed certificate that is not an anchor (a Known root, a root
// embedded in the CMS, a self-signed leaf) fails with UnknownRoot and
// Error.Root set, so that the user can be shown its SHA-256 Fingerprint.
//
// When a certificate has no issuer among the candidates (or none whose key
// verifies its signature) and Options.Fetcher is set, its AIA caIssuers
// URLs are fetched and the certificates found there tried. Fetched
// certificates confer no trust; the path records them in Path.Fetched and
// a NoteFetchedIssuer note.
//
// When several candidate paths fail, Build returns the most informative
// failure: one of a path that reached an anchor (expired, algorithm
// rejected, not a CA, ...) before UnknownRoot, before a bad signature or
// an unsupported algorithm on a link, before NoIssuer (whose Detail names
// the missing issuer and its AIA URL, and whose Err holds the fetch
// errors).
//
// # Validation
//
// A path that reached an anchor is checked, leaf to anchor:
//
//   - no critical extension other than key usage, basic constraints,
//     subject alternative name, extended key usage, name constraints,
//     certificate policies (no particular policy is required, so they do
//     not change validity; policy constraints, mappings and
//     inhibitAnyPolicy are not processed and refuse), key identifiers, CRL
//     distribution points, AIA and id-pkix-ocsp-nocheck (CriticalExtension);
//   - every certificate, leaf and anchor included, valid at At (Expired,
//     NotYetValid);
//   - each link's signature hash acceptable under the Policy at
//     AlgorithmTime, and every key (AlgorithmRejected; MD2 and MD5
//     signatures are refused as such);
//   - every issuer a CA: basicConstraints cA, or a v1 certificate as the
//     anchor only (NotCA); keyCertSign when key usage is present
//     (KeyUsage); path length constraints, self-issued intermediates not
//     counted (PathLength);
//   - name constraints of DNS names, e-mail addresses (the subject's
//     emailAddress when there is no subject alternative name), URI hosts
//     and IP addresses, permitted and excluded (NameConstraints); other
//     name forms, or a minimum or maximum, cannot be evaluated
//     (Unsupported);
//   - UsageTimestamping needs the timeStamping extended key usage on the
//     leaf, UsageOCSPSigning OCSPSigning (ExtKeyUsage); UsageSigning
//     accepts any (the key usage of a document signer is the verifier's
//     to check). Extended key usages of intermediates are not nested.
//
// Revocation is not checked here (signing/revocation).
//
// # Policy
//
// Policy dates its algorithms the way EU DSS's validation policy does
// (AcceptableDigestAlgo with AlgoExpirationDate). DefaultPolicy: MD2 and
// MD5 never; SHA-1 for times before DefaultSHA1Sunset, 2021-01-01, a
// product decision: practical SHA-1 chosen-prefix collisions were
// published in January 2020 ("SHA-1 is a Shambles", Leurent and Peyrin),
// and Vietnamese CAs signed with SHA-1 until about 2020. The date is the
// field Policy.SHA1Sunset, for an IT policy to change. The SHA-2 and SHA-3
// families are accepted; RSA keys under 1024 bits never (MinRSABits may
// raise that, RSA2048Sunset date 1024-bit keys); ECDSA on P-256, P-384 and
// P-521; Ed25519. CheckHash and CheckKey are also for the verifier's CMS
// digest and signature algorithms.
//
// AlgorithmTime is when the policy judges: the signature time, which is
// proven by a timestamp or only claimed (AlgorithmTimeProven). Whenever a
// hash with a sunset (SHA-1) is accepted, Path.Notes says for which
// certificate, with the sunset and whether the time was proven or claimed:
// a claimed time is the signer's word.
//
// # Fetching issuers
//
// HTTPFetcher implements IssuerFetcher: http:// only, at most MaxIssuerSize
// (1 MiB), a timeout for the whole fetch, DER, PEM or certs-only PKCS#7
// (.p7c) bodies (ParseIssuers), an optional disk cache (a file per URL,
// named by its SHA-256, mode 0600, written atomically; a corrupted entry is
// ignored and fetched again) and an Offline mode that answers from the
// cache only.
//
// # Speed
//
// BenchmarkBuild measures a three-certificate path and one behind
// hundreds of look-alike intermediates (go test -bench Build).
//
// # Errors
//
// Build's error is an *Error: a Code for the verifier to branch on and word
// for people, the certificate concerned, Root for UnknownRoot, a Detail in
// English and the cause in Err (an *AlgorithmError, a signature error of
// signing/internal/pubkey, fetch errors, the context's error).
package certpath
