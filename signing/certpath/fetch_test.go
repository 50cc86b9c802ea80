package certpath

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/internal/testpki"
	"github.com/vanthuso/vanthu/internal/testpki/loopback"
)

// issuerServer serves the test PKI's intermediate over loopback HTTP in
// every form, and hostile answers; it counts requests per path.
type issuerServer struct {
	base   string
	stop   func()
	mu     sync.Mutex
	hits   map[string]int
	bodies map[string][]byte
}

// serve adds a body at path.
func (s *issuerServer) serve(path string, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bodies[path] = body
}

func (s *issuerServer) count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

func startIssuerServer(t *testing.T, sub *x509.Certificate) *issuerServer {
	t.Helper()
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Fatalf("openssl not found (scripts/deps.sh installs it): %v", err)
	}
	dir := t.TempDir()
	pemSub := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: sub.Raw})
	subPath := filepath.Join(dir, "sub.pem")
	if err := os.WriteFile(subPath, pemSub, 0o600); err != nil {
		t.Fatal(err)
	}
	// A certs-only PKCS#7 made by OpenSSL, as CAs publish .p7c files.
	p7c, err := exec.Command(openssl, "crl2pkcs7", "-nocrl", "-certfile", subPath, "-outform", "DER").Output()
	if err != nil {
		t.Fatalf("openssl crl2pkcs7: %v", err)
	}
	p7cPEM, err := exec.Command(openssl, "crl2pkcs7", "-nocrl", "-certfile", subPath).Output()
	if err != nil {
		t.Fatalf("openssl crl2pkcs7: %v", err)
	}
	garbage := make([]byte, 3000)
	rand.Read(garbage)
	bodies := map[string][]byte{
		"/sub.crt": sub.Raw, "/sub.pem": pemSub, "/sub.p7c": p7c, "/sub-p7c.pem": p7cPEM,
		"/garbage": garbage, "/huge": bytes.Repeat([]byte{0x30}, MaxIssuerSize+10),
	}
	s := &issuerServer{hits: map[string]int{}, bodies: bodies}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[r.URL.Path]++
		b, ok := s.bodies[r.URL.Path]
		s.mu.Unlock()
		switch r.URL.Path {
		case "/slow":
			w.Write(sub.Raw[:10])
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
			return
		case "/huge-streamed": // no Content-Length
			w.Header().Set("Transfer-Encoding", "chunked")
			for i := 0; i < 20 && r.Context().Err() == nil; i++ {
				w.Write(bytes.Repeat([]byte{0x30}, 128<<10))
			}
			return
		case "/to-https":
			http.Redirect(w, r, "https://127.0.0.1:1/sub.crt", http.StatusFound)
			return
		case "/to-sub":
			http.Redirect(w, r, "/sub.crt", http.StatusFound)
			return
		}
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		w.Write(b)
	})
	base, stop, err := loopback.Serve(h)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	s.base, s.stop = base, stop
	return s
}

// TestHTTPFetcher fetches the intermediate in each form, then from the
// cache, and refuses hostile answers.
func TestHTTPFetcher(t *testing.T) {
	p := testpki.New(t)
	srv := startIssuerServer(t, p.Sub.Cert)
	ctx := context.Background()
	for _, path := range []string{"/sub.crt", "/sub.pem", "/sub.p7c", "/sub-p7c.pem", "/to-sub"} {
		certs, err := (&HTTPFetcher{}).FetchIssuer(ctx, srv.base+path)
		if err != nil || len(certs) != 1 || !certs[0].Equal(p.Sub.Cert) {
			t.Errorf("%s: %d certificates, %v", path, len(certs), err)
		}
	}

	cache := t.TempDir()
	f := &HTTPFetcher{CacheDir: cache}
	u := srv.base + "/sub.crt"
	before := srv.count("/sub.crt")
	if _, err := f.FetchIssuer(ctx, u); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(u))
	entry := filepath.Join(cache, hex.EncodeToString(sum[:])+".crt")
	st, err := os.Stat(entry)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("cache entry mode %v", st.Mode().Perm())
	}
	if _, err := f.FetchIssuer(ctx, u); err != nil {
		t.Fatal(err)
	}
	if n := srv.count("/sub.crt") - before; n != 1 {
		t.Errorf("%d requests for two fetches with a cache", n)
	}
	// A corrupted entry is ignored and fetched again.
	if err := os.WriteFile(entry, []byte("hỏng"), 0o600); err != nil {
		t.Fatal(err)
	}
	if certs, err := f.FetchIssuer(ctx, u); err != nil || !certs[0].Equal(p.Sub.Cert) {
		t.Fatalf("after corruption: %v", err)
	}
	if n := srv.count("/sub.crt") - before; n != 2 {
		t.Errorf("corrupted entry not refetched: %d requests", n)
	}
	if b, _ := os.ReadFile(entry); !bytes.Equal(b, p.Sub.Cert.Raw) {
		t.Error("cache entry not rewritten")
	}
	if leftovers, _ := filepath.Glob(filepath.Join(cache, ".issuer-*")); len(leftovers) != 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
	// Offline: the cache only.
	off := &HTTPFetcher{CacheDir: cache, Offline: true}
	if _, err := off.FetchIssuer(ctx, u); err != nil {
		t.Errorf("offline from the cache: %v", err)
	}
	if _, err := off.FetchIssuer(ctx, srv.base+"/sub.pem"); !errors.Is(err, ErrNotCached) {
		t.Errorf("offline, not cached: %v", err)
	}
	os.WriteFile(entry, []byte("hỏng"), 0o600)
	if _, err := off.FetchIssuer(ctx, u); !errors.Is(err, ErrNotCached) {
		t.Errorf("offline, corrupted entry: %v", err)
	}

	hostile := &HTTPFetcher{Timeout: 500 * time.Millisecond, CacheDir: t.TempDir()}
	for path, want := range map[string]string{
		"/huge":          "more than",
		"/huge-streamed": "larger than",
		"/slow":          "deadline",
		"/garbage":       "not a certificate",
		"/missing":       "404",
		"/to-https":      "only http",
	} {
		certs, err := hostile.FetchIssuer(ctx, srv.base+path)
		if err == nil || !strings.Contains(err.Error(), want) || certs != nil {
			t.Errorf("%s: %d certificates, error %v (want %q)", path, len(certs), err, want)
		}
	}
	if entries, _ := os.ReadDir(hostile.CacheDir); len(entries) != 0 {
		t.Errorf("hostile answers cached: %v", entries)
	}
	for _, bad := range []string{"https://127.0.0.1/sub.crt", "ldap://ca.gov.vn/cn=x", "http:///x", "::"} {
		if _, err := hostile.FetchIssuer(ctx, bad); err == nil {
			t.Errorf("%q fetched", bad)
		}
	}
}

// TestBuildFetchesIssuer: a leaf whose intermediate is not given is
// completed from its AIA URL on a loopback server, then from the cache
// with the server down; fetched certificates confer no trust.
func TestBuildFetchesIssuer(t *testing.T) {
	p := testpki.New(t)
	sub := tokenCA(t, p, p.Sub)
	srv := startIssuerServer(t, p.Sub.Cert)
	// A certificate with Sub's name and key identifier, another key.
	lookTmpl := template("", true)
	lookTmpl.Subject, lookTmpl.SubjectKeyId = p.Sub.Cert.Subject, p.Sub.Cert.SubjectKeyId
	srv.serve("/lookalike.crt", create(t, lookTmpl, p256(t), nil).Raw)
	// A CA whose AIA leads to a root that is not an anchor.
	otherRoot := newRoot(t, "Gốc lạ qua AIA", nil)
	srv.serve("/other-root.crt", otherRoot.cert.Raw)
	viaAIA := otherRoot.issue(t, "CA dưới gốc lạ", true, func(c *x509.Certificate) {
		c.IssuingCertificateURL = []string{srv.base + "/other-root.crt"}
	})

	leafFor := func(urls ...string) *x509.Certificate {
		return sub.issue(t, "Người ký có AIA", false, func(c *x509.Certificate) { c.IssuingCertificateURL = urls }).cert
	}
	cache := t.TempDir()
	anchors := []*x509.Certificate{p.Root.Cert}
	leaf := leafFor(srv.base + "/sub.crt")

	// No fetcher: the URL is named.
	e := wantCode(t, leaf, Options{Anchors: anchors}, NoIssuer, leaf)
	if !strings.Contains(e.Detail, srv.base+"/sub.crt") {
		t.Errorf("detail %q", e.Detail)
	}
	path := wantPath(t, leaf, Options{Anchors: anchors, Fetcher: &HTTPFetcher{CacheDir: cache}}, leaf, p.Sub.Cert, p.Root.Cert)
	if len(path.Fetched) != 1 || !path.Fetched[0].Equal(p.Sub.Cert) {
		t.Errorf("fetched %v", names(path.Fetched))
	}
	found := false
	for _, n := range path.Notes {
		found = found || n.Code == NoteFetchedIssuer && n.Cert.Equal(p.Sub.Cert)
	}
	if !found {
		t.Errorf("notes %+v", path.Notes)
	}
	// Given, it is not fetched.
	before := srv.count("/sub.crt")
	given := wantPath(t, leaf, Options{Anchors: anchors, Intermediates: p.Leader.Embedded(), Fetcher: &HTTPFetcher{}}, leaf, p.Sub.Cert, p.Root.Cert)
	if srv.count("/sub.crt") != before || len(given.Fetched) != 0 {
		t.Error("fetched although given")
	}

	// A fetched look-alike or an untrusted root gives no trust.
	fake := leafFor(srv.base + "/lookalike.crt")
	wantCode(t, fake, Options{Anchors: anchors, Fetcher: &HTTPFetcher{}}, BadSignature, fake)
	// A fetched root is not an anchor: the path ends at an unknown root.
	l := viaAIA.issue(t, "Người ký dưới CA lạ", false, nil)
	e = wantCode(t, l.cert, Options{Anchors: anchors, Intermediates: []*x509.Certificate{viaAIA.cert}, Fetcher: &HTTPFetcher{}}, UnknownRoot, otherRoot.cert)
	if !e.Root.Equal(otherRoot.cert) {
		t.Errorf("root %v", e.Root)
	}

	// Hostile answers: no issuer, with the reason.
	for _, hp := range []string{"/garbage", "/huge", "/slow", "/missing"} {
		l := leafFor(srv.base + hp)
		e := wantCode(t, l, Options{Anchors: anchors, Fetcher: &HTTPFetcher{Timeout: 300 * time.Millisecond}}, NoIssuer, l)
		if e.Err == nil || !strings.Contains(e.Err.Error(), srv.base+hp) {
			t.Errorf("%s: reason %v", hp, e.Err)
		}
	}

	// Server down: from the cache (offline or not), else no issuer with
	// the reason.
	srv.stop()
	wantPath(t, leaf, Options{Anchors: anchors, Fetcher: &HTTPFetcher{CacheDir: cache, Offline: true}}, leaf, p.Sub.Cert, p.Root.Cert)
	wantPath(t, leaf, Options{Anchors: anchors, Fetcher: &HTTPFetcher{CacheDir: cache}}, leaf, p.Sub.Cert, p.Root.Cert)
	e = wantCode(t, leaf, Options{Anchors: anchors, Fetcher: &HTTPFetcher{CacheDir: t.TempDir(), Timeout: time.Second}}, NoIssuer, leaf)
	if e.Err == nil || !strings.Contains(e.Err.Error(), "refused") {
		t.Errorf("reason %v", e.Err)
	}
	e = wantCode(t, leaf, Options{Anchors: anchors, Fetcher: &HTTPFetcher{CacheDir: t.TempDir(), Offline: true}}, NoIssuer, leaf)
	if !errors.Is(e, ErrNotCached) {
		t.Errorf("offline reason %v", e.Err)
	}
}
