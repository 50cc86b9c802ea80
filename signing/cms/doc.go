// Package cms builds and parses CMS SignedData (RFC 5652) as PDF signatures
// carry it in /Contents, and RFC 3161 timestamp tokens.
//
// It is written on encoding/asn1 and crypto/x509 alone; no CMS library.
//
// # Signing
//
// SignDetached makes the SignedData for a PDF signature from the digest of
// the document's byte ranges:
//
//	der, err := cms.SignDetached(ctx, digest, cms.SignOptions{
//		Signer:      tokenKey, // crypto.Signer, called exactly once
//		Certificate: cert,
//		Chain:       intermediates,
//		Profile:     cms.PAdES, // or cms.PKCS7 for adbe.pkcs7.detached
//		Timestamper: &cms.TSAClient{URL: tsaURL}, // optional: PAdES B-T
//	})
//
// The PAdES profile (ETSI.CAdES.detached) signs contentType, messageDigest
// and signing-certificate-v2 (ESSCertIDv2: SHA-256 of the certificate and
// its issuer and serial); no signingTime, the PDF's /M holds the claimed
// time. The PKCS7 profile (adbe.pkcs7.detached) adds signingTime. The
// signature algorithm is rsaEncryption (PKCS#1 v1.5, what every reader
// accepts), RSASSA-PSS with SignOptions.PSS, or ecdsa-with-SHA*.
//
// The signer is called once. Its signature is checked against the
// certificate before anything else happens, so a token that signs with
// another key, or returns a malformed ECDSA value, is caught here. If a
// timestamp is wanted and the authority fails, SignDetached returns the
// error; it never signs again: the caller decides (with PIN-pad tokens a
// second signature is a second PIN prompt).
//
// # Reserving room
//
// A PDF signature's /Contents is reserved before the document is hashed.
// EstimateSize gives an upper bound of SignDetached's output from the
// options alone (the signature size from the public key), given the size
// of the timestamp token; TSAClient.ProbeSize measures that size by asking
// the authority once over a random digest. The bound is tight (0 to 6
// bytes over); tokens of one authority vary by a few bytes, so add a
// margin to the probed size.
//
// # Parsing and verifying
//
// Parse accepts what other producers write: BER indefinite lengths and
// segmented octet strings are normalised to DER, copying every subtree that
// is already definite byte for byte, so signed attributes and certificates
// keep the encoding their signatures cover. Bytes after the ContentInfo are
// ignored (zero padding) and counted (anything else) in
// SignedData.ExtraBytes. Certificates that crypto/x509 cannot parse
// (brainpool curves, negative serial numbers) are reported in
// SignedData.CertificateErrors instead of failing the whole signature.
// Unknown digest algorithms are kept in SignerInfo.DigestAlgorithmErr.
// Parse never panics and bounds nesting.
//
// For each SignerInfo, FindCertificate locates the signer's certificate,
// CheckDigest compares messageDigest with the content digest and
// VerifySignature checks the signature over the signed attributes (RSA
// PKCS#1 v1.5 under rsaEncryption or a hash-specific OID, RSASSA-PSS,
// ECDSA in DER or plain r||s, Ed25519). VerifyContentDigest does both, and
// also handles signers without signed attributes. Certificate validity,
// chains, revocation and the PDF byte ranges are the verifier's business.
//
// RSA signatures are checked by signing/internal/pubkey, which accepts any
// odd public exponent of at least 3: EU qualified certificates use
// 4294967311, which crypto/rsa refuses ("public exponent too large").
//
// # Signed attributes are verified over DER
//
// RFC 5652 section 5.4 computes the signature over the DER encoding of the
// signed attributes. Parse re-encodes them to DER (SET OF elements sorted by
// their encodings, minimal definite lengths, primitive strings, BOOLEAN
// true as 0xFF), keeps the result in SignerInfo.SignedAttrsDER and reports
// stored bytes that differ in SignerInfo.SignedAttrsNotDER. EU DSS does the
// same through BouncyCastle: a signer that signed the DER form but stored
// BER passes, a signer that signed its non-DER bytes fails (DSS reports
// HASH_FAILURE / SIG_CRYPTO_FAILURE for the ETSI plugtest files built that
// way). OpenSSL differs for two of the forms: it keeps the stored SET order
// and BOOLEAN octet and verifies over them.
//
// # Errors
//
// Callers branch on two sentinels. ErrSignatureInvalid: the signature
// genuinely does not verify (wrong value, message digest not the content's,
// a signature algorithm naming another hash than the digest algorithm, a
// certificate key of another type than the algorithm's). ErrUnsupported:
// it cannot be checked (unknown signature or digest algorithm, RSASSA-PSS
// parameters not understood, an unsupported curve or key type, key
// parameters out of range such as an RSA modulus under 1024 bits); such a
// signature is neither valid nor shown to be broken. Other errors (no
// certificate, no signed attributes) are the caller's to avoid.
//
// # Timestamps
//
// ParseTimestampToken parses an RFC 3161 TimeStampToken; Timestamp.Verify
// checks its signature, that the signer certificate has the timeStamping
// extended key usage and matches the ESS signing-certificate attribute. It
// does not compare the message imprint: the caller knows what it covers
// (the signature value for a signature timestamp, the byte ranges for a
// document timestamp).
//
// TSAClient implements Timestamper over HTTP: a nonce, certReq, and a
// response checked in full (status, nonce, imprint, policy, signature,
// EKU). Its errors are *TSAError with the server's address and what went
// wrong, in English; the UI words them for people.
//
// TimestampRequest, TimestampResponse, Timestamp.MarshalTSTInfo and
// SignEncapsulated are the pieces a time-stamp authority needs; the test
// TSA in internal/testpki/tsa is built from them.
package cms
