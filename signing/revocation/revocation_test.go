package revocation_test

import (
	"context"
	"crypto/x509"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/internal/testpki"
	"github.com/vanthuso/vanthu/internal/testpki/ocsp"
	"github.com/vanthuso/vanthu/signing/revocation"
)

// setup gives a fresh PKI, its revocation servers and a checker pointed
// at them, caching in a temporary directory.
func setup(t *testing.T) (*testpki.PKI, *ocsp.Servers, *revocation.Checker) {
	t.Helper()
	p := testpki.New(t)
	srv, err := ocsp.Start(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	c := &revocation.Checker{
		CacheDir: filepath.Join(t.TempDir(), "cache"),
		OCSPURL:  srv.OCSPURLFor,
		CRLURL:   srv.CRLURLFor,
		Timeout:  5 * time.Second,
	}
	return p, srv, c
}

// show prints a result without its DER.
func show(r revocation.Result) string {
	r.Raw = nil
	return fmt.Sprintf("%+v", r)
}

func issuerOf(id testpki.Identity) *x509.Certificate { return id.Chain[0] }

func check(t *testing.T, c *revocation.Checker, id testpki.Identity, at time.Time, ev ...revocation.Evidence) revocation.Result {
	t.Helper()
	r := c.Check(context.Background(), id.Cert, issuerOf(id), at, ev...)
	t.Logf("%s: status=%v source=%s method=%s responder=%q problem=%q", id.Cert.Subject.CommonName, r.Status, r.Source, r.Method, r.Responder, r.Problem)
	return r
}

func TestGoodOnlineThenCache(t *testing.T) {
	p, srv, c := setup(t)
	now := time.Now()
	r := check(t, c, p.Leader, now)
	if r.Status != revocation.Good || r.Source != revocation.SourceOnlineOCSP || r.Method != revocation.MethodOCSP {
		t.Fatalf("first check: %s", show(r))
	}
	if r.Responder != p.OCSP.Cert.Subject.CommonName {
		t.Errorf("responder %q, want the delegated responder", r.Responder)
	}
	if r.Problem != "" || r.ThisUpdate.IsZero() || r.NextUpdate.IsZero() || len(r.Raw) == 0 {
		t.Errorf("result: %s", show(r))
	}
	n := srv.OCSPRequests()
	if n != 1 {
		t.Errorf("OCSP requests %d, want 1", n)
	}
	r = check(t, c, p.Leader, now)
	if r.Status != revocation.Good || r.Source != revocation.SourceCache {
		t.Fatalf("second check: %s", show(r))
	}
	if srv.OCSPRequests() != n {
		t.Errorf("cached check reached the server")
	}
	entries, err := os.ReadDir(c.CacheDir)
	if err != nil || len(entries) != 1 {
		t.Fatalf("cache dir: %v %v", entries, err)
	}
	info, _ := entries[0].Info()
	if info.Mode().Perm() != 0o600 {
		t.Errorf("cache file mode %v, want 0600", info.Mode().Perm())
	}

	// Offline with the cache still serves it; without it, nothing.
	off := *c
	off.Offline = true
	if r := check(t, &off, p.Leader, now); r.Source != revocation.SourceCache {
		t.Errorf("offline with cache: %s", show(r))
	}
	off.CacheDir = ""
	r = check(t, &off, p.Leader, now)
	if r.Status != revocation.Unknown || !strings.Contains(r.Problem, "offline") || !r.Retry {
		t.Errorf("offline, no cache, no evidence: %s", show(r))
	}
	if srv.OCSPRequests() != n || srv.CRLRequests() != 0 {
		t.Errorf("offline checks reached the servers")
	}
}

func TestSignedBySubDirectly(t *testing.T) {
	p, srv, c := setup(t)
	srv.SetDelegated(false)
	r := check(t, c, p.Agency, time.Now())
	if r.Status != revocation.Good || r.Responder != p.Sub.Cert.Subject.CommonName {
		t.Fatalf("%s", show(r))
	}
}

func TestFetchThenOffline(t *testing.T) {
	p, srv, c := setup(t)
	c.CacheDir = ""
	ev, err := c.Fetch(context.Background(), []*x509.Certificate{p.Leader.Cert, p.Sub.Cert})
	if err != nil {
		t.Fatal(err)
	}
	if len(ev.OCSP) != 1 || len(ev.CRLs) != 0 || ev.Source != revocation.SourceDSS {
		t.Fatalf("evidence: %d OCSP, %d CRLs, source %q", len(ev.OCSP), len(ev.CRLs), ev.Source)
	}
	if len(ev.Certs) != 1 || !ev.Certs[0].Equal(p.OCSP.Cert) {
		t.Errorf("evidence certs: want the delegated responder")
	}
	n := srv.OCSPRequests()
	off := &revocation.Checker{Offline: true, OCSPURL: srv.OCSPURLFor, CRLURL: srv.CRLURLFor}
	at := time.Now().Add(-time.Minute)
	r := check(t, off, p.Leader, at, ev)
	if r.Status != revocation.Good || r.Source != revocation.SourceDSS || r.Method != revocation.MethodOCSP {
		t.Fatalf("offline with evidence: %s", show(r))
	}
	// Evidence about Leader says nothing about Agency.
	if r := check(t, off, p.Agency, at, ev); r.Status != revocation.Unknown {
		t.Errorf("evidence for another certificate: %s", show(r))
	}
	// Years later the evidence still speaks for the signing time…
	later := *off
	later.Now = func() time.Time { return time.Now().AddDate(3, 0, 0) }
	if r := check(t, &later, p.Leader, at, ev); r.Status != revocation.Good {
		t.Errorf("validation years later: %s", show(r))
	}
	// …but not for a signing time after its nextUpdate.
	r = check(t, &later, p.Leader, time.Now().Add(48*time.Hour), ev)
	if r.Status != revocation.Unknown || !strings.Contains(r.Problem, "stale") {
		t.Errorf("stale evidence: %s", show(r))
	}
	if srv.OCSPRequests() != n {
		t.Errorf("offline checks reached the server")
	}

	// The whole chain: Sub's status comes from Root's CRL.
	full, err := c.Fetch(context.Background(), append([]*x509.Certificate{p.Leader.Cert}, p.Leader.Chain...))
	if err != nil || len(full.OCSP) != 1 || len(full.CRLs) != 1 {
		t.Fatalf("fetch of the whole chain: %d OCSP, %d CRLs, %v", len(full.OCSP), len(full.CRLs), err)
	}
	if r := off.Check(context.Background(), p.Sub.Cert, p.Root.Cert, at, full); r.Status != revocation.Good || r.Method != revocation.MethodCRL {
		t.Errorf("sub from the fetched root CRL: %s", show(r))
	}

	// With the OCSP responder down, Fetch falls back to the CRL.
	srv.SetOCSPFail(ocsp.FailHTTP500)
	ev, err = c.Fetch(context.Background(), []*x509.Certificate{p.Leader.Cert, p.Sub.Cert})
	if err != nil || len(ev.CRLs) != 1 || len(ev.OCSP) != 0 {
		t.Fatalf("fetch with OCSP down: %d OCSP, %d CRLs, %v", len(ev.OCSP), len(ev.CRLs), err)
	}
	if r := check(t, off, p.Leader, at, ev); r.Status != revocation.Good || r.Method != revocation.MethodCRL {
		t.Errorf("offline with CRL evidence: %s", show(r))
	}
	// Nothing at all: an error naming the certificate, empty evidence.
	srv.SetCRLFail(ocsp.FailHTTP500)
	ev, err = c.Fetch(context.Background(), []*x509.Certificate{p.Leader.Cert, p.Sub.Cert})
	if err == nil || !ev.Empty() || !strings.Contains(err.Error(), "Nguyễn Văn An") {
		t.Errorf("fetch with both down: %v, %d OCSP %d CRLs", err, len(ev.OCSP), len(ev.CRLs))
	}
}

func TestRevoked(t *testing.T) {
	p, srv, c := setup(t)
	revokedAt := time.Now().Add(-time.Hour).Truncate(time.Second)
	if err := p.Revoke(p.Revoked.Cert, revokedAt, testpki.ReasonKeyCompromise); err != nil {
		t.Fatal(err)
	}
	c.CacheDir = ""
	for _, method := range []string{revocation.MethodOCSP, revocation.MethodCRL} {
		if method == revocation.MethodCRL {
			srv.SetOCSPFail(ocsp.FailHTTP500)
		}
		// Signed after the revocation.
		r := check(t, c, p.Revoked, time.Now())
		if r.Status != revocation.Revoked || r.Method != method || !r.RevokedAt.Equal(revokedAt) || r.Reason != testpki.ReasonKeyCompromise {
			t.Errorf("%s, signed after revocation: %s", method, show(r))
		}
		// Signed before it.
		r = check(t, c, p.Revoked, revokedAt.Add(-30*time.Minute))
		if r.Status != revocation.Good || !r.RevokedAt.Equal(revokedAt) || !strings.Contains(r.Problem, "revoked after signing") {
			t.Errorf("%s, signed before revocation: %s", method, show(r))
		}
		// No signing time: now, so revoked.
		if r := check(t, c, p.Revoked, time.Time{}); r.Status != revocation.Revoked {
			t.Errorf("%s, no signing time: %s", method, show(r))
		}
		// Exactly at the revocation time: revoked.
		if r := check(t, c, p.Revoked, revokedAt); r.Status != revocation.Revoked {
			t.Errorf("%s, signed at the revocation time: %s", method, show(r))
		}
		// Other certificates stay good.
		if r := check(t, c, p.Leader, time.Now()); r.Status != revocation.Good || r.Method != method {
			t.Errorf("%s, leader: %s", method, show(r))
		}
	}
}

func TestFailures(t *testing.T) {
	p, srv, c := setup(t)
	c.CacheDir = ""
	now := time.Now()

	srv.SetOCSPFail(ocsp.FailHTTP500)
	r := check(t, c, p.Leader, now)
	if r.Status != revocation.Good || r.Source != revocation.SourceOnlineCRL || !strings.Contains(r.Problem, "HTTP 500") {
		t.Errorf("OCSP 500, CRL fallback: %s", show(r))
	}
	srv.SetCRLFail(ocsp.FailHTTP500)
	r = check(t, c, p.Leader, now)
	if r.Status != revocation.Unknown || !strings.Contains(r.Problem, "OCSP") || !strings.Contains(r.Problem, "CRL") || !r.Retry {
		t.Errorf("both 500: %s", show(r))
	}

	for _, tc := range []struct {
		mode  ocsp.FailMode
		want  string
		retry bool
	}{
		{ocsp.FailTryLater, "try later", true},
		{ocsp.FailUnauthorized, "unauthorized", false},
		{ocsp.FailUnreachable, "unreachable", true},
		{ocsp.FailForged, "not certified by the issuer", false},
	} {
		srv.SetOCSPFail(tc.mode)
		srv.SetCRLFail(tc.mode)
		r := check(t, c, p.Leader, now)
		if r.Status != revocation.Unknown || !strings.Contains(r.Problem, tc.want) || r.Retry != tc.retry {
			t.Errorf("fail mode %d: %s, want Unknown mentioning %q", tc.mode, show(r), tc.want)
		}
	}

	// A forged OCSP answer is not trusted, the genuine CRL is.
	srv.SetOCSPFail(ocsp.FailForged)
	srv.SetCRLFail(ocsp.FailNone)
	r = check(t, c, p.Leader, now)
	if r.Status != revocation.Good || r.Source != revocation.SourceOnlineCRL || !strings.Contains(r.Problem, "not certified") {
		t.Errorf("forged OCSP, genuine CRL: %s", show(r))
	}
	// A forged "revoked" must not count either.
	if err := p.Revoke(p.Leader.Cert, now.Add(-time.Hour), testpki.ReasonKeyCompromise); err != nil {
		t.Fatal(err)
	}
	srv.SetCRLFail(ocsp.FailForged)
	if r := check(t, c, p.Leader, now); r.Status != revocation.Unknown {
		t.Errorf("forged revocations: %s", show(r))
	}
}

func TestTimeout(t *testing.T) {
	p, srv, c := setup(t)
	c.CacheDir = ""
	c.Timeout = 200 * time.Millisecond
	srv.SetDelay(time.Minute)
	r := check(t, c, p.Leader, time.Now())
	if r.Status != revocation.Unknown || !strings.Contains(r.Problem, "timeout") || !r.Retry {
		t.Errorf("slow servers: %s", show(r))
	}
	if srv.OCSPRequests() != 1 || srv.CRLRequests() != 1 {
		t.Errorf("requests: %d OCSP, %d CRL", srv.OCSPRequests(), srv.CRLRequests())
	}
	// The caller's context bounds the whole check too.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c.Timeout = time.Minute
	if r := c.Check(ctx, p.Leader.Cert, p.Sub.Cert, time.Now()); r.Status != revocation.Unknown {
		t.Errorf("cancelled context: %s", show(r))
	}
}

func TestCorruptedCache(t *testing.T) {
	p, srv, c := setup(t)
	if r := check(t, c, p.Leader, time.Now()); r.Source != revocation.SourceOnlineOCSP {
		t.Fatalf("%s", show(r))
	}
	entries, _ := os.ReadDir(c.CacheDir)
	for _, e := range entries {
		if err := os.WriteFile(filepath.Join(c.CacheDir, e.Name()), []byte("garbage"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if r := check(t, c, p.Leader, time.Now()); r.Status != revocation.Good || r.Source != revocation.SourceOnlineOCSP {
		t.Errorf("corrupted entry: %s", show(r))
	}
	if r := check(t, c, p.Leader, time.Now()); r.Source != revocation.SourceCache {
		t.Errorf("entry not replaced: %s", show(r))
	}
	if srv.OCSPRequests() != 2 {
		t.Errorf("OCSP requests %d, want 2", srv.OCSPRequests())
	}
	// An expired cache entry is not used.
	later := *c
	later.Now = func() time.Time { return time.Now().Add(2 * time.Hour) }
	srv.SetNow(later.Now)
	if r := check(t, &later, p.Leader, time.Now()); r.Source != revocation.SourceOnlineOCSP {
		t.Errorf("stale cache entry used: %s", show(r))
	}
}

func TestExpiredCertificate(t *testing.T) {
	p, _, c := setup(t)
	// Signed while valid, checked now: the responder's "good" comes after
	// expiry and proves nothing.
	at := p.Expired.Cert.NotAfter.Add(-24 * time.Hour)
	r := check(t, c, p.Expired, at)
	if r.Status != revocation.Unknown || !strings.Contains(r.Problem, "after the certificate expired") {
		t.Errorf("%s", show(r))
	}
}

func TestNoURLs(t *testing.T) {
	p := testpki.New(t)
	c := &revocation.Checker{}
	r := c.Check(context.Background(), p.Leader.Cert, p.Sub.Cert, time.Now())
	if r.Status != revocation.Unknown || !strings.Contains(r.Problem, "no OCSP responder") || r.Retry {
		t.Errorf("%s", show(r))
	}
	if r := c.Check(context.Background(), p.Leader.Cert, p.Root.Cert, time.Now()); r.Status != revocation.Unknown || !strings.Contains(r.Problem, "issuer") {
		t.Errorf("wrong issuer: %s", show(r))
	}
}
