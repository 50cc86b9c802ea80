// Package tsa is an RFC 3161 time-stamp authority for tests: an
// http.Handler answering application/timestamp-query POSTs with tokens
// signed by any crypto.Signer, served on loopback only.
//
// # Use
//
//	s := tsa.New(key, tsaCert, []*x509.Certificate{intermediate})
//	url, stop, err := tsa.Start(s)
//	defer stop()
//	client := &cms.TSAClient{URL: url}
//
// The certificate should carry the timeStamping extended key usage, marked
// critical and alone, as RFC 3161 section 2.3 asks: OpenSSL's
// `ts -verify` insists on it, cms.TSAClient only on the usage itself.
//
// # Tokens
//
// A token is a CMS SignedData (built with cms.SignEncapsulated) whose
// content is a DER TSTInfo (id-ct-TSTInfo): version 1, the server's
// Policy, the request's message imprint, a serial number that counts up
// from a random 64-bit start, genTime from Now in UTC with millisecond
// precision, Accuracy, and the request's nonce. The signed attributes are
// contentType, messageDigest and signing-certificate-v2; the certificate
// and chain are included when the request sets certReq.
//
// The signer is called once per token and never concurrently: requests are
// served one at a time, so a PKCS#11 token key can sign directly.
//
// # Failure modes
//
// Tests of clients set Fail (before Start, or with SetFail while serving)
// to get an HTTP 500, a rejection (status 2, systemFailure), a token with
// the wrong nonce or a token over another digest. ExtraPadding makes tokens
// bigger by about that many bytes (a non-critical TSTInfo extension), for
// tests of the room reserved for a timestamp.
//
// Requests that are malformed, use an unsupported hash, ask for another
// policy or carry extensions get the RFC 3161 rejection with the matching
// failInfo (badDataFormat, badAlg, unacceptedPolicy, unacceptedExtension).
package tsa
