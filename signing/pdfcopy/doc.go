// Package pdfcopy makes the electronic copies of Nghị định 30/2020: sao y
// and sao lục of a whole document, trích sao of chosen pages, each signed
// by the copying agency with the copy appearance (stamp.Copy: top-right of
// page 1, no image, the form, the agency's name and the signing time,
// 10 pt, black).
//
// # The two kinds of copy
//
// Make writes a sao y or a sao lục as an incremental update of the
// signed original: the copy is the original's bytes, unchanged, followed
// by one update holding the copy signature (pades.SignFile). The copy
// signature certifies "this copy matches the original", and with this
// design anyone can check that claim rather than take it on trust: the
// leader's and the issuing agency's signatures still verify in the copy
// (each covering its revision, not the whole file), and the copy
// signature covers all of it. A rewritten document would drop the only
// evidence of where the content came from. A document certified "no
// changes allowed" (DocMDP P=1) cannot take another signature without
// breaking its certification: Make refuses it with
// pades.ErrCertifiedNoChanges, and a trích sao of all its pages is the
// way to copy it.
//
// A trích sao cannot keep the original's signatures (they cover pages
// the copy does not hold), so it is a new document: ExtractPages builds
// it with pdfcpu, then the copy signature is the only one in it.
//
// # What a trích sao keeps
//
// The chosen pages, in the order given, with their content streams,
// resources (fonts, images), page boxes and rotation, and their
// annotations. The original's signature fields and values do not come
// along: signature fields leave the AcroForm (the AcroForm goes when
// nothing else is left, /SigFlags always), and their widgets become
// plain stamp annotations with the same appearance, so the page looks as
// it did but no viewer shows a signature the signer never made on this
// document. The catalog's /Perms (DocMDP, UR3), /DSS and /Legal go too.
// pdfcpu writes only objects the new document references, so the
// original's signature dictionaries and their certificates are not in
// the file at all (TestTrichSao looks for the leader's certificate).
//
// # Hostile input
//
// ExtractPages refuses before reading a page list that is empty, longer
// than MaxPages, holds a page below 1 or a page twice, and a source
// larger than MaxInputSize; after reading, a page beyond the last. An
// encrypted source is refused even when its user password is empty (the
// protection is not ours to remove), a source pdfcpu cannot read or
// validate (relaxed mode) is ErrMalformed, and pdfcpu's panics become
// ErrMalformed too. pdfcpu reads under the caller's context, bounded by
// DefaultTimeout; its validation, copy and write take no context, so they
// run on their own goroutine and ExtractPages returns as soon as the
// context ends, leaving that goroutine to finish alone and dropping its
// result. The output is built in memory and written only when complete;
// ExtractPagesFile and Make write through a synced temporary file renamed
// into place, so a failure leaves no file, partial or empty.
//
// # Errors for people
//
// Message turns this package's errors (and pades' refusals of a source)
// into a Vietnamese sentence that says what to do next, with its English
// version.
//
// pdfcpu would read and write a configuration directory in the user's
// profile on first use; the package turns that off (model.ConfigPath) at
// init, process-wide.
package pdfcopy
