// Package verify checks every signature of a PDF honestly and says why.
//
// # What it checks
//
// VerifyFile finds every signature field by walking the AcroForm /Fields tree
// (kids included; a signature dictionary referenced from several fields is
// reported once per field) and every document timestamp (SubFilter
// ETSI.RFC3161), and for each one:
//
//   - integrity: the CMS parses (a failure is a verdict, never a skip), the
//     message digest matches the bytes named by /ByteRange, streamed through
//     the hash with a 1 MiB buffer, and the signature value verifies with the
//     signer certificate the SignerInfo names (issuer and serial or subject key
//     identifier, never "the first certificate");
//   - coverage: /ByteRange is [0 a b c], the gap [a,b) is exactly the /Contents
//     hex string of this signature dictionary, parsed again from its file
//     offset, and the signed part ends at the end of a revision;
//   - changes after signing: the signed revision is opened as its own
//     document and compared object by object with the final one; each change
//     is classified as allowed (new signatures, their widgets and appearances,
//     DSS, document timestamps, and form filling or annotations where DocMDP
//     permits) or not (page content, resources, pages, annotations painting
//     over the page, redefined objects, locked fields);
//   - trust: the signer's own chain, built from the CMS certificates, the DSS
//     and Options.Intermediates, to Options.Roots, valid at the signing time,
//     with a signing key usage;
//   - timestamps: the signature timestamp (imprint over the signature value)
//     and document timestamps (imprint over the byte ranges), their TSA
//     signature, timeStamping usage and chain;
//   - revocation, through the RevocationChecker the caller configures.
//
// # Verdicts
//
// A signature is invalid when its bytes, coverage, or the changes after it
// prove something wrong; indeterminate when it is intact but cannot be tied to
// a trusted signer at a proven time (no anchors, untrusted chain, broken
// signature timestamp); valid otherwise. The document is invalid if any
// signature is, else indeterminate if any is, else valid. Every verdict other
// than valid carries reasons in Vietnamese and English.
//
// # Memory
//
// The file is never loaded: objects are read on demand by signing/pdf and the
// signed bytes are hashed through a 1 MiB buffer.
package verify
