// Package acroform reads a PDF's interactive form the one way both the
// signer (signing/pades) and the verifier (signing/verify) need it: the
// field tree from the AcroForm's /Fields with fully qualified names and
// inherited entries (/FT, /Ff, /V, /DA, a signature field's /Lock), each
// field's widget annotations with their page and rectangle, the signed
// signature fields, and what signatures permit after them: the
// certification's DocMDP level (DocMDP) and the fields a signature locks
// (Locks: FieldMDP transforms and the signed field's /Lock dictionary,
// ISO 32000-1 12.7.4.5, 12.8.2.2, 12.8.2.4).
//
// Hostile files are expected: a reference met a second time (a cycle, a
// field listed twice) is read once, entries that are not dictionaries are
// skipped, and the tree is bounded (MaxDepth, MaxFields, MaxWidgets; beyond
// them Read returns what it read with an error wrapping ErrLimit). A
// field's own /Parent entry is never followed: the tree is what /Fields and
// /Kids say. Read never panics and never writes.
//
// The corpus test compares Read with qpdf's form view on every file of
// ../shared/corpus (dss, rub, vn) and with the two walkers this package
// replaced.
package acroform
