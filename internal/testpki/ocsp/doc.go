// Package ocsp serves revocation status for the test PKI of
// internal/testpki: an RFC 6960 OCSP responder and an RFC 5280 CRL
// distribution point for the Sub CA, on 127.0.0.1 only.
//
// # Use
//
//	p := testpki.New(t)
//	srv, err := ocsp.Start(p)
//	defer srv.Stop()
//	p.Revoke(p.Revoked.Cert, time.Now().Add(-time.Hour), testpki.ReasonKeyCompromise)
//	checker := &revocation.Checker{OCSPURL: srv.OCSPURLFor, CRLURL: srv.CRLURLFor}
//
// The test certificates carry no AIA or CRL distribution point extension
// (their ports are not known when they are issued), so clients are given
// the URLs: OCSPURLFor and CRLURLFor map a certificate issued by Sub to
// the servers' URLs.
//
// # Responses
//
// OCSP (POST application/ocsp-request, or GET OCSPURL/base64) answers good
// for every certificate Sub issued in the PKI, revoked (with time and
// reason) for those in p.Revocations, unknown for other serials of Sub and
// unauthorized for other issuers. Responses are signed by the delegated
// responder p.OCSP (EKU OCSPSigning, id-pkix-ocsp-nocheck, certificate
// embedded), or by Sub itself after SetDelegated(false). thisUpdate is now,
// nextUpdate an hour later (SetValidity). No nonce is echoed.
//
// The CRL (GET CRLURL, DER) is signed by Sub on every request, with a
// CRL number counting up from 1. RootCRLURL serves Root's CRL the same
// way, so a whole chain (Leader, Sub, Root) can be checked or fetched:
// CRLURLFor gives it for certificates Root issued. There is no OCSP for
// Root's certificates (OCSPURLFor gives none; the responder answers
// unauthorized).
//
// The revocation database is p's revocations.json, read on every request:
// p.Revoke takes effect at once.
//
// # Failures and counters
//
// SetOCSPFail and SetCRLFail select HTTP 500, a dropped connection, OCSP
// tryLater / unauthorized (HTTP 503 / 403 for the CRL), or a forged answer
// signed by a key the CA never certified. SetDelay delays every answer, for
// timeout tests. OCSPRequests and CRLRequests count requests, for tests of
// caching and offline mode.
//
// Signing is serialised: one token session holds the Sub and responder
// keys. Stop before the test ends, as it closes that session.
package ocsp
