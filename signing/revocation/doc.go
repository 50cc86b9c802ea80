// Package revocation decides whether a certificate was revoked when a
// signature was made, from the revocation data a document carries (PDF
// DSS, Adobe's revocation attribute, CMS RevocationInfoChoices) and from
// OCSP responders and CRL distribution points online, with a disk cache.
//
// # Checking
//
//	c := &revocation.Checker{CacheDir: dir}
//	dss, _ := revocation.ReadDSS(reader)
//	adbe, _ := revocation.ParseAdobeRevocation(attrValue)
//	r := c.Check(ctx, signerCert, issuerCert, signingTime, dss, adbe)
//	switch r.Status { case revocation.Good: …; case revocation.Revoked: …; default: … r.Problem }
//
// Check tries each Evidence in the order given (OCSP before CRL within
// each), then, unless Offline, the cache and the network: every OCSP URL,
// then every CRL URL as fallback. The first verified answer about the
// certificate decides; Result.Source and Result.Method say which.
//
// # Status and time
//
// Status is Unknown (the zero value), Good or Revoked. A revocation at or
// before the time asked about (the signing time: proven by a timestamp, or
// claimed) gives Revoked. A revocation after it gives Good, with RevokedAt,
// Reason and the Problem note "revoked after signing": the verifier decides
// whether the time is trustworthy enough to rely on that. No answer, or
// only answers that fail verification, gives Unknown with a Problem listing
// what was tried and why it failed (timeout, HTTP status, bad signature,
// stale data…). Check never turns a response it could not verify into
// Good. Result.Retry marks an Unknown that asking again may decide
// (network failure, timeout, HTTP 5xx, OCSP tryLater, Offline): the UI can
// say "connect and try again" rather than "invalid". Check does not retry
// by itself; a caller that wants retries wraps it.
//
// # What is verified
//
// OCSP (RFC 6960): the response parses and is successful; a SingleResponse
// whose CertID names the certificate (serial, and issuer name and key
// hashes with SHA-1, SHA-256, SHA-384 or SHA-512); the signature is the
// issuer's, or a delegated responder's: a certificate signed by the
// issuer, with EKU OCSPSigning, valid at producedAt (embedded in the
// response or given in Evidence.Certs). Status unknown is not an answer.
// Nonces are not used (most responders, VGCA's included, serve cached
// responses).
//
// CRL (RFC 5280): x509.ParseRevocationList, the issuer name matches and
// the issuer's signature verifies; delta CRLs are refused; entries with
// reason removeFromCRL are ignored.
//
// Freshness: embedded evidence must speak for the signing time: a
// revocation, or thisUpdate at or after it (less Tolerance), or a
// [thisUpdate, nextUpdate] window that covers it. Online answers must be
// current: thisUpdate not in the future, now before nextUpdate (both with
// Tolerance), or without nextUpdate at most DefaultMaxAge old. A "good"
// answer issued after the certificate expired is refused either way: CAs
// may drop expired certificates from CRLs and OCSP (no archiveCutoff
// support yet).
//
// # Online, cache and offline
//
// URLs come from OCSPURL and CRLURL when set (tests point them at
// internal/testpki/ocsp servers), else from the certificate's AIA and CRL
// distribution points (VGCA: http://ocsp.ca.gov.vn). OCSP requests are
// POSTed with a SHA-1 CertID; each request is bounded by Timeout
// (DefaultTimeout, 10 s) and the caller's context. Failures become
// Problems, never hangs or panics.
//
// With CacheDir set, verified answers with a nextUpdate still to come are
// stored as DER files named after a SHA-256 of the URL (and OCSP request),
// mode 0600, written to a temporary file and renamed. A cached answer is
// used while fresh (Source "cache"); an unreadable, corrupted or stale
// entry is ignored and replaced by the next fetch. Offline allows the
// cache but never the network.
//
// # Embedding (B-LT)
//
// Fetch gets, for each certificate of a chain but the root, a verified
// OCSP response (or else the CRL), plus delegated responder certificates,
// as Evidence to write into the DSS. The same Evidence passed to Check
// later, offline, decides as the online answer did.
//
// # Parsing what documents carry
//
// ReadDSS reads a PDF's /DSS (OCSPs, CRLs, Certs streams).
// ParseAdobeRevocation parses the value of the signed attribute
// OIDAdobeRevocation (1.2.840.113583.1.1.8, RevocationInfoArchival).
// ParseCMSRevocationInfo sorts cms.SignedData.RevocationInfo into CRLs and
// id-ri-ocsp-response OCSP responses. None of them verifies anything:
// Check does.
package revocation
