package revocation

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Status is a revocation status. The zero value is Unknown.
type Status int

const (
	Unknown Status = iota // no trustworthy answer: the verifier cannot call the signature valid
	Good                  // not revoked at the time asked about
	Revoked               // revoked at or before the time asked about
)

func (s Status) String() string {
	switch s {
	case Good:
		return "good"
	case Revoked:
		return "revoked"
	}
	return "unknown"
}

// Source says where the deciding OCSP response or CRL came from.
type Source string

const (
	SourceDSS        Source = "dss"         // the PDF's DSS dictionary
	SourceAdobe      Source = "adbe"        // Adobe revocation attribute in the signed attributes
	SourceCMS        Source = "cms"         // CMS RevocationInfoChoices of the signature
	SourceOnlineOCSP Source = "online-ocsp" // fetched now from an OCSP responder
	SourceOnlineCRL  Source = "online-crl"  // fetched now from a CRL distribution point
	SourceCache      Source = "cache"       // fetched earlier, from Checker.CacheDir
)

// Methods in Result.Method.
const (
	MethodOCSP = "ocsp"
	MethodCRL  = "crl"
)

// Result is the answer of Check.
type Result struct {
	Status Status
	Source Source // "" when Status is Unknown and nothing was usable
	Method string // MethodOCSP or MethodCRL; "" when nothing was usable
	// RevokedAt and Reason (RFC 5280 CRLReason) are set whenever the
	// evidence says the certificate is revoked, also when it was revoked
	// after the time asked about (Status Good, with a Problem note).
	RevokedAt time.Time
	Reason    int
	// ProducedAt is the OCSP response's producedAt (zero for CRLs);
	// ThisUpdate and NextUpdate those of the response or CRL.
	ProducedAt, ThisUpdate, NextUpdate time.Time
	// Responder names who signed the evidence: the OCSP responder's or
	// the CRL issuer's subject common name (or full subject).
	Responder string
	// Problem explains an Unknown status, or notes something about a
	// decided one (revoked after signing, evidence skipped…); "" if none.
	Problem string
	// Raw is the DER of the deciding OCSP response or CRL, for embedding.
	Raw []byte
	// Retry is set on an Unknown status that asking again may decide: an
	// online source failed for a passing reason (network error, timeout,
	// HTTP 5xx, OCSP tryLater or internalError) or Offline kept Check from
	// asking. False when nothing could be asked or what answered failed
	// verification.
	Retry bool
}

// Evidence is revocation data a document carries, or that Fetch got.
type Evidence struct {
	OCSP [][]byte // DER OCSPResponse (full, with responseStatus)
	CRLs [][]byte // DER CertificateList
	// Certs may hold OCSP responder certificates not embedded in the
	// responses.
	Certs  []*x509.Certificate
	Source Source
}

// Empty reports whether e carries no OCSP response and no CRL.
func (e Evidence) Empty() bool { return len(e.OCSP) == 0 && len(e.CRLs) == 0 }

// Defaults of Checker.
const (
	DefaultTimeout   = 10 * time.Second
	DefaultTolerance = 5 * time.Minute
	// DefaultMaxAge is how old an online OCSP response without
	// nextUpdate may be.
	DefaultMaxAge = 24 * time.Hour
)

// maxResponse bounds an OCSP response; maxCRL a CRL.
const (
	maxResponse = 1 << 20
	maxCRL      = 32 << 20
)

// Checker decides revocation status from embedded evidence and online
// sources. The zero value works (online, no disk cache). Its fields must
// not change while it is in use; it is safe for concurrent use.
type Checker struct {
	// HTTPClient makes online requests; nil means a client of its own.
	HTTPClient *http.Client
	// Timeout bounds each online request; 0 means DefaultTimeout.
	Timeout time.Duration
	// Tolerance allows for clocks that disagree; 0 means
	// DefaultTolerance.
	Tolerance time.Duration
	// CacheDir holds fetched OCSP responses and CRLs while they are
	// fresh; "" means no disk cache. Created (0700) when missing.
	CacheDir string
	// Offline forbids network access: only evidence and the cache.
	Offline bool
	// OCSPURL and CRLURL give the URLs to try for a certificate; nil
	// means the certificate's own AIA OCSP URLs and CRL distribution
	// points (http and https only).
	OCSPURL func(cert *x509.Certificate) []string
	CRLURL  func(cert *x509.Certificate) []string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

func (c *Checker) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Checker) timeout() time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	return DefaultTimeout
}

func (c *Checker) tolerance() time.Duration {
	if c.Tolerance > 0 {
		return c.Tolerance
	}
	return DefaultTolerance
}

func (c *Checker) ocspURLs(cert *x509.Certificate) []string {
	if c.OCSPURL != nil {
		return c.OCSPURL(cert)
	}
	return httpOnly(cert.OCSPServer)
}

func (c *Checker) crlURLs(cert *x509.Certificate) []string {
	if c.CRLURL != nil {
		return c.CRLURL(cert)
	}
	return httpOnly(cert.CRLDistributionPoints)
}

func httpOnly(urls []string) []string {
	var out []string
	for _, u := range urls {
		l := strings.ToLower(u)
		if strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://") {
			out = append(out, u)
		}
	}
	return out
}

// Check decides the revocation status of cert, issued by issuer, at time
// at (the signing time, proven or claimed). It tries the evidence in
// order, each Evidence's OCSP responses before its CRLs, then, unless
// Offline, the cache and online sources: every OCSP URL, then every CRL
// URL. The first valid answer that decides wins.
//
// Evidence counts when its signature and issuer check out and it speaks
// for at: an OCSP response or CRL whose thisUpdate is at or after at
// (less Tolerance) or whose [thisUpdate, nextUpdate] covers at. Online
// answers must be fresh now. A "good" issued after the certificate
// expired is refused (CAs may drop expired certificates).
//
// Revoked at or before at gives Revoked. Revoked after at gives Good for
// at, with RevokedAt, Reason and the Problem "revoked after signing".
// Anything else gives Unknown with a Problem saying what was tried.
// Check never returns Good from a response it could not verify, and
// returns within about Timeout per URL tried. A zero or future at means
// now.
func (c *Checker) Check(ctx context.Context, cert, issuer *x509.Certificate, at time.Time, evidence ...Evidence) Result {
	if cert == nil || issuer == nil {
		return Result{Problem: "no certificate or no issuer to check"}
	}
	if !bytes.Equal(cert.RawIssuer, issuer.RawSubject) {
		return Result{Problem: "the issuer given is not the certificate's issuer"}
	}
	var problems []string
	now := c.now()
	if at.IsZero() || at.After(now) {
		at = now // no time, or a future one, proves nothing earlier than now
	}
	for _, ev := range evidence {
		src := ev.Source
		if src == "" {
			src = SourceDSS
		}
		for i, der := range ev.OCSP {
			r, err := c.verifyOCSP(der, cert, issuer, ev.Certs)
			if errors.Is(err, errNotForCert) {
				continue
			}
			if err == nil {
				err = c.coversAt(r, cert, at)
			}
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s OCSP response %d: %v", src, i+1, err))
				continue
			}
			return finish(r, src, at, problems)
		}
		for i, der := range ev.CRLs {
			r, err := c.verifyCRL(der, cert, issuer)
			if errors.Is(err, errNotForCert) {
				continue
			}
			if err == nil {
				err = c.coversAt(r, cert, at)
			}
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s CRL %d: %v", src, i+1, err))
				continue
			}
			return finish(r, src, at, problems)
		}
	}
	if len(evidence) > 0 && len(problems) == 0 {
		problems = append(problems, "the document carries no revocation data for this certificate")
	}

	r, online, retry := c.online(ctx, cert, issuer, now)
	problems = append(problems, online...)
	if r != nil {
		return finish(*r, r.Source, at, problems)
	}
	return Result{Problem: strings.Join(problems, "; "), Retry: retry}
}

// online tries the cache and the network; when nothing decided it
// returns nil, the problems met and whether any was transient.
func (c *Checker) online(ctx context.Context, cert, issuer *x509.Certificate, now time.Time) (*Result, []string, bool) {
	var problems []string
	ocspURLs, crlURLs := c.ocspURLs(cert), c.crlURLs(cert)
	if len(ocspURLs) == 0 && len(crlURLs) == 0 {
		return nil, []string{"the certificate names no OCSP responder and no CRL distribution point"}, false
	}
	retry := false
	for _, u := range ocspURLs {
		r, err := c.onlineOCSP(ctx, u, cert, issuer, now)
		if err == nil {
			return r, problems, false
		}
		retry = retry || isTransient(err)
		problems = append(problems, fmt.Sprintf("OCSP %s: %v", u, err))
	}
	for _, u := range crlURLs {
		r, err := c.onlineCRL(ctx, u, cert, issuer, now)
		if err == nil {
			return r, problems, false
		}
		retry = retry || isTransient(err)
		problems = append(problems, fmt.Sprintf("CRL %s: %v", u, err))
	}
	return nil, problems, retry
}

// coversAt checks that embedded evidence speaks for time at.
func (c *Checker) coversAt(r Result, cert *x509.Certificate, at time.Time) error {
	if r.Status == Revoked {
		return nil // a revocation is final: it speaks for any later time
	}
	if err := afterExpiry(r, cert); err != nil {
		return err
	}
	tol := c.tolerance()
	if !r.ThisUpdate.Before(at.Add(-tol)) {
		return nil
	}
	if !r.NextUpdate.IsZero() && !at.After(r.NextUpdate.Add(tol)) {
		return nil
	}
	return fmt.Errorf("stale: thisUpdate %s, nextUpdate %s, before the signing time %s",
		fmtTime(r.ThisUpdate), fmtTime(r.NextUpdate), fmtTime(at))
}

// afterExpiry refuses a "good" issued after cert expired: CAs may drop
// expired certificates from CRLs (RFC 5280 section 3.3) and responders
// may forget them, so such an answer proves nothing.
func afterExpiry(r Result, cert *x509.Certificate) error {
	if r.Status == Good && r.ThisUpdate.After(cert.NotAfter) {
		return fmt.Errorf("says good, but was issued (%s) after the certificate expired (%s): CAs may drop expired certificates",
			fmtTime(r.ThisUpdate), fmtTime(cert.NotAfter))
	}
	return nil
}

// fresh checks that an online answer about cert is current at now.
func (c *Checker) fresh(r Result, cert *x509.Certificate, now time.Time) error {
	if err := afterExpiry(r, cert); err != nil {
		return err
	}
	tol := c.tolerance()
	if r.ThisUpdate.After(now.Add(tol)) {
		return fmt.Errorf("thisUpdate %s is in the future", fmtTime(r.ThisUpdate))
	}
	if r.NextUpdate.IsZero() {
		if now.Sub(r.ThisUpdate) > DefaultMaxAge {
			return fmt.Errorf("thisUpdate %s is too old and there is no nextUpdate", fmtTime(r.ThisUpdate))
		}
		return nil
	}
	if now.After(r.NextUpdate.Add(tol)) {
		return fmt.Errorf("expired: nextUpdate %s", fmtTime(r.NextUpdate))
	}
	return nil
}

// finish turns a verified answer about cert into the Result for time at.
func finish(r Result, src Source, at time.Time, problems []string) Result {
	r.Source = src
	if r.Status == Revoked && r.RevokedAt.After(at) {
		r.Status = Good
		problems = append(problems, fmt.Sprintf("revoked after signing (at %s, reason %s)", fmtTime(r.RevokedAt), ReasonText(r.Reason)))
	}
	r.Problem = strings.Join(problems, "; ")
	return r
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "none"
	}
	return t.UTC().Format(time.RFC3339)
}

// ReasonText names an RFC 5280 CRLReason code.
func ReasonText(reason int) string {
	names := []string{"unspecified", "keyCompromise", "cACompromise", "affiliationChanged", "superseded",
		"cessationOfOperation", "certificateHold", "7", "removeFromCRL", "privilegeWithdrawn", "aACompromise"}
	if reason >= 0 && reason < len(names) {
		return names[reason]
	}
	return fmt.Sprint(reason)
}

func responderName(cert *x509.Certificate) string {
	if cert.Subject.CommonName != "" {
		return cert.Subject.CommonName
	}
	return cert.Subject.String()
}
