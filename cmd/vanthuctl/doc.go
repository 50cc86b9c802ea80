// Command vanthuctl is the headless tool of Văn Thư Số for IT staff and
// scripts: it lists signing tokens, signs PDF documents with them (one at
// a time or a whole folder) and verifies every signature of a document,
// without the desktop client.
//
// # Commands
//
//	vanthuctl token list [--module PATH] [--token LABEL] [--json]
//	vanthuctl sign --in IN.pdf --out OUT.pdf [options]
//	vanthuctl sign --batch DIR --out-dir DIR [options]
//	vanthuctl verify [--trust FILE|DIR]... [--offline] [--json] FILE.pdf
//	vanthuctl verify --extract-signed-revision N --out OUT.pdf FILE.pdf
//	vanthuctl trust list [--json] [--all]
//	vanthuctl trust add FILE (--sha256 FP... | --yes) | add --sha256 FP
//	vanthuctl trust remove FP | reset
//	vanthuctl sync login --server URL [--ca FILE] [--cache DIR]
//	vanthuctl sync send --to CODE[,CODE] --subject … FILE.pdf [ATTACHMENT…]
//	vanthuctl sync run [--once] [--json] | status [--json] | list --box inbox|outbox | get KEY --out DIR
//	vanthuctl demo [--dir DIR]
//	vanthuctl version
//
// Every command takes --lang vi|en (default vi, or $VANTHU_LANG): messages
// are Vietnamese first, English on request. `vanthuctl sign --help` lists
// the signing options.
//
// # PIN
//
// The PIN comes from $VANTHU_PIN or, with --pin-stdin, from the first line
// of standard input; never from the command line, where other users and the
// shell history would see it (a --pin flag is refused). A wrong PIN is never
// retried: tokens lock after a few wrong tries. On a token with a PIN pad
// the user types the PIN on the device.
//
// # Exit codes
//
//	0  done
//	1  input or signing error: a bad, encrypted or certified PDF, a bad
//	   image, a timestamp authority failure; in a batch, any file failed
//	   (an output that already exists counts as a failed file there)
//	2  usage: unknown or conflicting flags, a PIN on the command line, no
//	   PIN given, several tokens or certificates to choose from, an output
//	   file that exists without --force, --out equal to --in
//	3  token or PIN problem: no PKCS#11 module, no token, the named token or
//	   certificate is not there or cannot sign, wrong or locked PIN, token
//	   removed while signing
//
// verify has its own: 0 valid, 1 invalid (or unreadable), 4 indeterminate
// (intact but not tied to a trusted signer at a proven time, or revocation
// undecided), 2 usage. Trust comes from the workstation's list
// (signing/trustlist: the shipped Vietnamese roots and what `vanthuctl
// trust` changed) plus --trust, PEM, DER or PKCS#7 files or folders:
// self-issued certificates are anchors, the others CA certificates for
// building chains. A damaged list file stops verify (exit 1) rather than
// fall back to the shipped list, which could trust a removed root again.
//
// trust: 0 done, 1 a file or the list cannot be read or written, a
// fingerprint matches nothing, a certificate is not a CA's; 2 usage, and
// `trust add FILE` without --sha256 or --yes (it prints the file's
// certificates and their fingerprints to compare first). Revocation data comes from the document, then (unless
// --offline) online OCSP/CRL, cached in the user cache folder. --json
// prints signing/verify's Report with the file name.
//
// An output that already exists is a usage error (2), not an input error:
// nothing was read or signed, the command line has to change (another
// --out, or --force to replace the file on purpose).
//
// # Source
//
// main wires; each subcommand lives in its own file (tokenlist.go,
// sign.go, batch.go, verify.go, trust.go, sync.go, demo.go, version.go); every user-facing sentence, in
// Vietnamese and English, is in the catalogue in messages.go. The
// transcripts in testdata/script drive the built command end to end
// against SoftHSM2 tokens, a local timestamp authority and pdfsig.
package main
