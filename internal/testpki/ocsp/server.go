package ocsp

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	xocsp "golang.org/x/crypto/ocsp"

	"github.com/vanthuso/vanthu/internal/testpki"
	"github.com/vanthuso/vanthu/internal/testpki/loopback"
	"github.com/vanthuso/vanthu/signing/revocation"
)

// FailMode makes a server misbehave, for tests of clients.
type FailMode int

const (
	FailNone         FailMode = iota
	FailHTTP500               // answer HTTP 500
	FailUnreachable           // close the connection without an answer
	FailTryLater              // OCSP responseStatus tryLater (3); CRL: HTTP 503
	FailUnauthorized          // OCSP responseStatus unauthorized (6); CRL: HTTP 403
	FailForged                // sign with a key that is not the CA's (and a look-alike certificate)
)

// maxRequest bounds an OCSP request.
const maxRequest = 16 << 10

// Servers are an OCSP responder and a CRL distribution point for the Sub
// CA of a test PKI, on 127.0.0.1. Create them with Start.
type Servers struct {
	// OCSPURL takes POSTs (application/ocsp-request) and GETs of
	// OCSPURL + base64(request) (RFC 6960 appendix A.1).
	OCSPURL string
	// CRLURL serves Sub's CRL, DER, freshly signed on every request;
	// RootCRLURL Root's (which covers Sub).
	CRLURL     string
	RootCRLURL string

	p         *testpki.PKI
	stop      func()
	closer    io.Closer
	validity  time.Duration
	delegated bool

	mu        sync.Mutex // serialises signing (one token session) and guards below
	sub, resp crypto.Signer
	root      crypto.Signer
	forgedKey crypto.Signer
	forged    *x509.Certificate
	crlNumber map[string]int64 // by issuer name
	ocspFail  FailMode
	crlFail   FailMode
	delay     time.Duration
	ocspReqs  int
	crlReqs   int
	now       func() time.Time
}

// Start serves OCSP and CRL for p's Sub CA on a fresh port of 127.0.0.1.
// OCSP responses are signed by the delegated responder p.OCSP (its
// certificate embedded), CRLs by Sub; both keys stay on the CA token, opened
// once through p.Signers (SOFTHSM2_CONF must point at p.ConfigPath, as
// testpki.New arranges). Statuses come from p.Revocations, read on every
// request, so p.Revoke takes effect at once. Stop the servers before the
// test ends: Stop closes the token session.
func Start(p *testpki.PKI) (*Servers, error) {
	signers, closer, err := p.Signers(testpki.UserPIN, p.Sub, p.OCSP, p.Root)
	if err != nil {
		return nil, fmt.Errorf("revocation servers: %w", err)
	}
	s := &Servers{p: p, closer: closer, sub: signers[0], resp: signers[1], root: signers[2],
		validity: time.Hour, delegated: true, now: time.Now, crlNumber: map[string]int64{}}
	if err := s.makeForger(); err != nil {
		closer.Close()
		return nil, fmt.Errorf("revocation servers: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/ocsp", s.serveOCSP)
	mux.HandleFunc("/ocsp/", s.serveOCSP)
	mux.HandleFunc("/crl/sub.crl", s.serveCRL)
	mux.HandleFunc("/crl/root.crl", s.serveCRL)
	base, stop, err := loopback.Serve(mux)
	if err != nil {
		closer.Close()
		return nil, fmt.Errorf("revocation servers: %w", err)
	}
	s.stop = stop
	s.OCSPURL = base + "/ocsp"
	s.CRLURL = base + "/crl/sub.crl"
	s.RootCRLURL = base + "/crl/root.crl"
	return s, nil
}

// makeForger makes the key and certificate of FailForged: a responder
// certificate with the real responder's subject and Sub's name as issuer,
// self-signed by a key the CA never saw.
func (s *Servers) makeForger() error {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(666),
		Subject:      s.p.OCSP.Cert.Subject,
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning},
	}
	parent := &x509.Certificate{Subject: s.p.Sub.Cert.Subject, PublicKey: k.Public()}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, k.Public(), k)
	if err != nil {
		return err
	}
	s.forged, err = x509.ParseCertificate(der)
	s.forgedKey = k
	return err
}

// Stop shuts the servers down (waiting up to 5 s for requests in flight)
// and closes the token session. Safe to call twice.
func (s *Servers) Stop() {
	if s.stop != nil {
		s.stop()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closer != nil {
		s.closer.Close()
		s.closer = nil
	}
}

// SetOCSPFail and SetCRLFail select a failure mode of each server.
func (s *Servers) SetOCSPFail(m FailMode) { s.mu.Lock(); s.ocspFail = m; s.mu.Unlock() }

// SetCRLFail selects a failure mode of the CRL server.
func (s *Servers) SetCRLFail(m FailMode) { s.mu.Lock(); s.crlFail = m; s.mu.Unlock() }

// SetDelay makes both servers wait d before answering (the wait ends early
// when the client goes away).
func (s *Servers) SetDelay(d time.Duration) { s.mu.Lock(); s.delay = d; s.mu.Unlock() }

// SetValidity sets the nextUpdate distance of OCSP responses and CRLs
// (default one hour; zero or negative leaves nextUpdate out of OCSP
// responses and makes CRLs valid for one second).
func (s *Servers) SetValidity(d time.Duration) { s.mu.Lock(); s.validity = d; s.mu.Unlock() }

// SetDelegated chooses who signs OCSP responses: the delegated responder
// p.OCSP (true, the default) or Sub itself.
func (s *Servers) SetDelegated(on bool) { s.mu.Lock(); s.delegated = on; s.mu.Unlock() }

// SetNow replaces the clock giving thisUpdate (nil: time.Now).
func (s *Servers) SetNow(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if now == nil {
		now = time.Now
	}
	s.now = now
}

// OCSPRequests returns how many requests reached the OCSP server.
func (s *Servers) OCSPRequests() int { s.mu.Lock(); defer s.mu.Unlock(); return s.ocspReqs }

// CRLRequests returns how many requests reached the CRL server.
func (s *Servers) CRLRequests() int { s.mu.Lock(); defer s.mu.Unlock(); return s.crlReqs }

// OCSPURLFor and CRLURLFor suit revocation.Checker's OCSPURL and CRLURL:
// the servers' URLs for certificates issued by Sub, none otherwise.
func (s *Servers) OCSPURLFor(cert *x509.Certificate) []string {
	if bytes.Equal(cert.RawIssuer, s.p.Sub.Cert.RawSubject) {
		return []string{s.OCSPURL}
	}
	return nil
}

// CRLURLFor gives CRLURL for certificates issued by Sub, RootCRLURL for
// those issued by Root (Sub, and Root itself), none otherwise.
func (s *Servers) CRLURLFor(cert *x509.Certificate) []string {
	switch {
	case bytes.Equal(cert.RawIssuer, s.p.Sub.Cert.RawSubject):
		return []string{s.CRLURL}
	case bytes.Equal(cert.RawIssuer, s.p.Root.Cert.RawSubject):
		return []string{s.RootCRLURL}
	}
	return nil
}

// begin counts a request and applies the delay; it returns the failure
// mode, and false when the client went away while waiting.
func (s *Servers) begin(r *http.Request, ocsp bool) (FailMode, bool) {
	s.mu.Lock()
	var fail FailMode
	if ocsp {
		s.ocspReqs++
		fail = s.ocspFail
	} else {
		s.crlReqs++
		fail = s.crlFail
	}
	delay := s.delay
	s.mu.Unlock()
	if delay > 0 {
		t := time.NewTimer(delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return fail, false
		}
	}
	return fail, true
}

func hangUp(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if c, _, err := hj.Hijack(); err == nil {
			c.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

func (s *Servers) serveOCSP(w http.ResponseWriter, r *http.Request) {
	var body []byte
	switch r.Method {
	case http.MethodPost:
		if ct := r.Header.Get("Content-Type"); ct != "application/ocsp-request" {
			http.Error(w, "content type must be application/ocsp-request", http.StatusUnsupportedMediaType)
			return
		}
		b, err := io.ReadAll(io.LimitReader(r.Body, maxRequest+1))
		if err != nil || len(b) > maxRequest {
			http.Error(w, "bad request body", http.StatusBadRequest)
			return
		}
		body = b
	case http.MethodGet:
		enc := strings.TrimPrefix(r.URL.EscapedPath(), "/ocsp/")
		if un, err := url.PathUnescape(enc); err == nil {
			enc = un
		}
		b, err := base64.StdEncoding.DecodeString(enc)
		if err != nil {
			http.Error(w, "GET path is not base64", http.StatusBadRequest)
			return
		}
		body = b
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "GET or POST an OCSP request", http.StatusMethodNotAllowed)
		return
	}
	fail, ok := s.begin(r, true)
	if !ok {
		return
	}
	switch fail {
	case FailHTTP500:
		http.Error(w, "test OCSP: failure requested", http.StatusInternalServerError)
		return
	case FailUnreachable:
		hangUp(w)
		return
	}
	der := s.ocspResponse(body, fail)
	w.Header().Set("Content-Type", "application/ocsp-response")
	w.Write(der)
}

// ocspResponse answers one request body.
func (s *Servers) ocspResponse(body []byte, fail FailMode) []byte {
	switch fail {
	case FailTryLater:
		return xocsp.TryLaterErrorResponse
	case FailUnauthorized:
		return xocsp.UnauthorizedErrorResponse
	}
	req, err := xocsp.ParseRequest(body)
	if err != nil {
		return xocsp.MalformedRequestErrorResponse
	}
	sub := s.p.Sub.Cert
	if !req.HashAlgorithm.Available() {
		return xocsp.MalformedRequestErrorResponse
	}
	h := req.HashAlgorithm.New()
	h.Write(sub.RawSubject)
	nameHash := h.Sum(nil)
	keyHash, err := revocation.KeyHash(sub, req.HashAlgorithm)
	if err != nil || !bytes.Equal(nameHash, req.IssuerNameHash) || !bytes.Equal(keyHash, req.IssuerKeyHash) {
		// RFC 6960 section 2.3: not a CA this responder serves.
		return xocsp.UnauthorizedErrorResponse
	}
	revs, err := s.p.Revocations()
	if err != nil {
		return xocsp.InternalErrorErrorResponse
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now().UTC().Truncate(time.Second)
	tmpl := xocsp.Response{
		Status:       xocsp.Unknown,
		SerialNumber: req.SerialNumber,
		ThisUpdate:   now,
		IssuerHash:   req.HashAlgorithm,
	}
	if s.validity > 0 {
		tmpl.NextUpdate = now.Add(s.validity)
	}
	if s.issued(req.SerialNumber) {
		tmpl.Status = xocsp.Good
	}
	for _, r := range revs {
		if r.Serial.Cmp(req.SerialNumber) == 0 && bytes.Equal(r.Issuer, sub.RawSubject) {
			tmpl.Status = xocsp.Revoked
			tmpl.RevokedAt = r.RevokedAt
			tmpl.RevocationReason = r.Reason
		}
	}
	responder, key := s.p.OCSP.Cert, s.resp
	switch {
	case fail == FailForged:
		responder, key = s.forged, s.forgedKey
	case !s.delegated:
		responder, key = sub, s.sub
	}
	tmpl.Certificate = responder
	if responder == sub {
		tmpl.Certificate = nil // signed by the issuer itself: nothing to embed
	}
	der, err := xocsp.CreateResponse(sub, responder, tmpl, key)
	if err != nil {
		return xocsp.InternalErrorErrorResponse
	}
	return der
}

// issued reports whether Sub issued a certificate of the PKI with serial.
func (s *Servers) issued(serial *big.Int) bool {
	p := s.p
	for _, id := range []testpki.Identity{p.TSA, p.OCSP, p.Leader, p.Agency, p.ECDSA, p.Expired, p.CertSignOnly, p.Revoked} {
		if id.Cert != nil && id.Cert.SerialNumber.Cmp(serial) == 0 && bytes.Equal(id.Cert.RawIssuer, p.Sub.Cert.RawSubject) {
			return true
		}
	}
	return false
}

func (s *Servers) serveCRL(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET")
		http.Error(w, "GET the CRL", http.StatusMethodNotAllowed)
		return
	}
	fail, ok := s.begin(r, false)
	if !ok {
		return
	}
	switch fail {
	case FailHTTP500:
		http.Error(w, "test CRL: failure requested", http.StatusInternalServerError)
		return
	case FailUnreachable:
		hangUp(w)
		return
	case FailTryLater:
		http.Error(w, "test CRL: try later", http.StatusServiceUnavailable)
		return
	case FailUnauthorized:
		http.Error(w, "test CRL: forbidden", http.StatusForbidden)
		return
	}
	ca, key := s.p.Sub.Cert, s.sub
	if r.URL.Path == "/crl/root.crl" {
		ca, key = s.p.Root.Cert, s.root
	}
	der, err := s.crl(ca, key, fail == FailForged)
	if err != nil {
		http.Error(w, "test CRL: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/pkix-crl")
	w.Write(der)
}

// crl signs a fresh CRL of ca (Sub or Root) with key.
func (s *Servers) crl(sub *x509.Certificate, key crypto.Signer, forged bool) ([]byte, error) {
	revs, err := s.p.Revocations()
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now().UTC().Truncate(time.Second)
	s.crlNumber[string(sub.RawSubject)]++
	list := &x509.RevocationList{
		Number:     big.NewInt(s.crlNumber[string(sub.RawSubject)]),
		ThisUpdate: now,
		NextUpdate: now.Add(max(s.validity, time.Second)),
	}
	for _, r := range revs {
		if bytes.Equal(r.Issuer, sub.RawSubject) {
			list.RevokedCertificateEntries = append(list.RevokedCertificateEntries, x509.RevocationListEntry{
				SerialNumber: r.Serial, RevocationTime: r.RevokedAt, ReasonCode: r.Reason,
			})
		}
	}
	issuer := sub
	if forged {
		fake := *s.forged
		fake.RawSubject = sub.RawSubject
		fake.Subject = sub.Subject
		fake.KeyUsage = x509.KeyUsageCRLSign
		fake.SubjectKeyId = sub.SubjectKeyId
		issuer, key = &fake, s.forgedKey
	}
	return x509.CreateRevocationList(rand.Reader, list, issuer, key)
}
