// Package verify checks every signature of a PDF honestly and says why.
//
// # What it checks
//
// VerifyFile finds every signature field with signing/acroform, the form
// reader the signer shares (a signature dictionary that several fields
// share is reported once), and every document timestamp (SubFilter
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
//     document and every object a later revision adds or redefines is judged
//     by the role it has in the signed revision's object graph (page tree,
//     content, resources, annotations, fields, widgets and appearances,
//     outlines, names, metadata, catalog entries), never by what the later
//     revision makes point at it: an object reachable from a page is a page
//     change. Allowed: new signatures, their widgets and appearances, DSS
//     entries that are new streams parsing as what they claim, VRI keys that
//     match a signature, document timestamps, and form filling or
//     annotations where DocMDP and the field locks (acroform.Locks) permit.
//     Values are compared, not spellings (612 and 612.0, a dictionary
//     rewritten as an equal new object);
//   - trust (signing/certpath): the signer's chain, built from the CMS
//     certificates, the DSS, Options.Intermediates and, online, the issuers
//     its AIA names (Options.Fetcher), to Options.Anchors; chain, validity
//     and revocation (intermediates too) are evaluated at a proven time (a
//     timestamp whose TSA chains to an anchor, or a later document
//     timestamp), else now; an untrusted TSA proves nothing; algorithms
//     follow a dated policy (SHA-1 accepted for what was provably, or by
//     claim and said so, made before 2021);
//   - timestamps: the signature timestamp (imprint over the signature value)
//     and document timestamps (imprint over the byte ranges), their TSA
//     signature, timeStamping usage and chain;
//   - revocation, through the checker the caller configures: unknown is
//     indeterminate (TRY_LATER) with what to do, unless the IT policy
//     Options.AcceptUnknownRevocation accepts it, which the report says;
//     B-LT and B-LTA files are decided offline from their own evidence.
//
// # Verdicts
//
// A signature is invalid when its bytes, coverage, or the changes after it
// prove something wrong; indeterminate when it is intact but cannot be tied to
// a trusted signer at a proven time (no anchors, untrusted chain, broken
// signature timestamp, revocation unknown, an algorithm or key we cannot
// check: never "broken" for what we do not support), with an ETSI EN
// 319 102-1 sub-indication; valid otherwise. The document is invalid if
// any signature is, else indeterminate if any is, else valid. Every verdict
// other than valid carries reasons: one plain Vietnamese sentence (English
// too), the technical detail apart, and what to do.
//
// # Memory
//
// The file is never loaded: objects are read on demand by signing/pdf and the
// signed bytes are hashed through a 1 MiB buffer.
package verify
