// Package pades writes PDF signatures: PAdES baseline B-B and B-T
// (ETSI.CAdES.detached) and the adbe.pkcs7.detached compatibility profile.
//
// # What it writes
//
// SignFile appends exactly one incremental update to the original file:
// the signature dictionary, a signature field with its widget (or the
// existing empty field it fills), the appearance streams of the visible
// marks, the rewritten page /Annots, the AcroForm with every existing
// field and entry kept (SigFlags 3), and a cross-reference section of the
// same kind as the file's newest one (table or stream). The original bytes
// are never rewritten, so every earlier signature, from any producer,
// keeps verifying.
//
// # Offsets, not searches
//
// The writer serialises the signature dictionary itself, with fixed-width
// placeholders for /ByteRange and /Contents, and records their offsets as it
// writes them. Nothing is located by searching the output (the defect that
// makes other writers overwrite earlier signatures).
//
// # Streaming and atomic output
//
// The original is hashed while it is copied to a temporary file next to the
// output, then the update is hashed and the token signs once; memory does
// not grow with the file size. The temporary file is synced and renamed
// over the output only when everything succeeded: on any error no output
// file appears.
//
// # Timestamps
//
// For B-T the timestamp authority is asked first for a token over random
// data to measure its size; room for the CMS is reserved from that
// measurement and the key size (cms.EstimateSize), so the token is asked
// to sign exactly once.
//
// # Long-term validation
//
// B-LT appends, after the B-T signature, an update that adds a document
// security store (/DSS: certificates, OCSP responses, CRLs and a VRI entry
// for the signature) with material from a ValidationFetcher; B-LTA then
// appends a document timestamp (ETSI.RFC3161) over everything. AddDSS and
// AddDocumentTimestamp do each step alone, to extend signatures later.
// Every step goes through a temporary file; the output appears at the end.
//
// # What it refuses
//
// Encrypted documents (ErrEncrypted), documents certified with "no changes
// allowed" (ErrCertifiedNoChanges), damaged cross-reference tables
// (ErrMalformed), SHA-1 for new signatures, a field that is already signed
// (ErrFieldSigned) or does not exist (ErrFieldNotFound).
package pades
