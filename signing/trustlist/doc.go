// Package trustlist is the list of certificates a workstation trusts for
// signatures: the Vietnamese roots the application ships, pinned, and what
// the workstation's administrators add or remove, stored in one directory
// that the desktop client and vanthuctl share.
//
// # Roles
//
// Every entry has a Role:
//
//   - Root: a trust anchor. A chain that ends here is trusted.
//   - Intermediate: a CA certificate offered to chain building only; it
//     never makes anything trusted by itself. Vietnamese signatures usually
//     embed only the signer's certificate, so the verifier needs VGCA's and
//     the public CAs' subordinates from here.
//   - TSA: a timestamping authority's certificate, offered to chain building
//     like an intermediate (timestamp tokens do not always carry it).
//   - Candidate: a root known from real documents but not trusted by
//     default (see assets/trust/SOURCES.md). Until an administrator trusts
//     it, a chain ending there is untrusted, and the verifier can name the
//     root it ended at.
//
// A certificate is a root when it is self-issued (its subject and issuer
// are the same bytes) and not marked as an end entity. Whether its
// self-signature verifies does not matter: an anchor is trusted because it
// was configured, not because it signed itself, and crypto/x509 refuses
// SHA-1 self-signatures, which VGCA's G1 root and NEAC's legacy root use.
// Classify states the rule.
//
// # The shipped list
//
// Defaults reads the certificates package assets embeds (assets.Trust).
// Each file is pinned in this package by name, role and SHA-256; a file
// that is missing, altered, swapped for another, not pinned, or whose
// certificate does not fit its role is a build defect: Load returns it as
// an error and Defaults panics, and the package's tests catch it first.
//
// # The store
//
// DefaultDir is $VANTHU_TRUST_DIR when set, else os.UserConfigDir()/vanthu/trust.
// Load reads the store file there (StoreFile, JSON, mode 0600 in a 0700
// directory):
//
//	{"version": 1,
//	 "removed": ["F7:BC:…"],     shipped entries the administrator removed
//	 "trusted": ["11:D3:…"],     shipped candidates the administrator trusts
//	 "certificates": ["-----BEGIN CERTIFICATE-----…"]}   added certificates
//
// A missing store is an empty one: the shipped list alone. A store that
// cannot be read or parsed is never ignored: Load returns a *StoreError
// naming the file, together with a List that holds the shipped list only,
// which Save refuses to write until Reset is called (so a damaged file is
// not silently replaced). Callers that verify must not go on with that
// list as if nothing happened: a shipped root the administrator removed
// would be trusted again.
//
// Add, Trust, Remove and Reset change the list in memory; Save writes it
// atomically (a temporary file in the same directory, fsync, rename, fsync
// of the directory). Two processes saving at once never leave a torn file;
// the last one to rename wins. A List is not safe for concurrent use.
//
// # Reading certificate files
//
// ReadCertificates reads PEM bundles, DER certificates, and PKCS#7
// certs-only files (.p7b/.p7c, DER or PEM), as the CAs publish them, and
// directories of those (not recursive). It is the one reader for --trust
// options and for administrators' files.
//
// # Fingerprints
//
// Fingerprints are SHA-256 of the certificate's DER, written in upper-case
// hex with colons ("F7:BC:89:…"), the form CA publications and
// SOURCES.md use. Every function that takes one accepts any case, with or
// without colons, spaces or dashes (ParseFingerprint).
package trustlist
