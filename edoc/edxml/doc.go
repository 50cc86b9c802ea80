// Package edxml reads and writes edXML messages (QCVN 102:2016, the
// format agencies exchange documents and statuses in on the national
// axis) and makes and checks their XML signatures.
//
// # Reading and writing
//
// Read is lenient: it takes every form the SDK's and other producers'
// messages come in (DOMAIN.md, "edXML") and maps a document message onto
// an edoc.Document, a status message onto a Status; what it does not
// know is kept in Message.Extras. Write is strict: one form (the edXML:
// prefix, the SDK's element order, attachments as base64 of a ZIP
// holding the file), so that a message read and written again reads as
// the same Message, and its attachments' files are byte for byte the
// same.
//
// Attachments never sit in memory: Read streams each payload to a
// temporary file while it copies the rest of the message (bounded by
// Options.MaxHeader) for the XML parser; Write encodes each file into a
// temporary file before writing. A 200 MB message is read and written in
// a few MiB of heap (TestLargeMessageMemory).
//
// # Hostile input
//
// A DOCTYPE is refused (so no entity is declared, expanded or fetched:
// no billion laughs, no external entities); depth, element count,
// header size, attachment count and sizes are bounded (Options);
// attachment text that is not base64, broken ZIPs, truncated input are
// errors. Every error is an *Error with a Vietnamese and an English
// sentence (Explain) and one of the sentinels.
//
// # Signatures
//
// Write with WriteOptions.Signer (a crypto.Signer: the agency's PKCS#11
// token through signing/token) signs the message: enveloped XMLDSig in
// edXMLHeader, Reference URI="" (the whole message, attachments
// included), C14N 1.0, RSA-SHA256. Message.Verify checks a signature
// and returns the signer's certificate; xmlsec1 verifies what we sign
// (TestSignXmlsec1).
package edxml
