package tsa

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/signing/cms"
)

type testCA struct {
	root    *x509.Certificate
	rootKey crypto.Signer
}

var (
	rsaOnce sync.Once
	rsaKey  *rsa.PrivateKey
)

func rsa2048(t testing.TB) *rsa.PrivateKey {
	rsaOnce.Do(func() {
		var err error
		if rsaKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
	})
	return rsaKey
}

func p256(t testing.TB) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func newCA(t testing.TB) *testCA {
	key := p256(t)
	ca := &testCA{rootKey: key}
	ca.root = ca.issue(t, &x509.Certificate{
		Subject:               pkix.Name{CommonName: "Test Root for TSA"},
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}, key)
	return ca
}

var serial atomic.Int64

func (ca *testCA) issue(t testing.TB, tmpl *x509.Certificate, key crypto.Signer) *x509.Certificate {
	t.Helper()
	tmpl.SerialNumber = big.NewInt(serial.Add(1) + 1000)
	tmpl.NotBefore = time.Now().Add(-time.Hour)
	tmpl.NotAfter = time.Now().Add(time.Hour)
	parent := ca.root
	if parent == nil {
		parent = tmpl
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), ca.rootKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// tsaCert: timeStamping only, critical, as RFC 3161 and OpenSSL want.
func (ca *testCA) tsaCert(t testing.TB, key crypto.Signer) *x509.Certificate {
	eku, _ := asn1.Marshal([]asn1.ObjectIdentifier{cms.OIDExtKeyUsageTimeStamping})
	return ca.issue(t, &x509.Certificate{
		Subject:         pkix.Name{CommonName: "Máy chủ dấu thời gian thử nghiệm", Country: []string{"VN"}},
		KeyUsage:        x509.KeyUsageDigitalSignature,
		ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 37}, Critical: true, Value: eku}},
	}, key)
}

// exclusiveSigner fails if called concurrently and counts calls.
type exclusiveSigner struct {
	crypto.Signer
	inFlight, calls atomic.Int32
}

func (s *exclusiveSigner) Sign(r io.Reader, d []byte, o crypto.SignerOpts) ([]byte, error) {
	s.calls.Add(1)
	if s.inFlight.Add(1) != 1 {
		s.inFlight.Add(-1)
		return nil, errors.New("signer called concurrently")
	}
	defer s.inFlight.Add(-1)
	time.Sleep(time.Millisecond)
	return s.Signer.Sign(r, d, o)
}

type fixture struct {
	ca     *testCA
	cert   *x509.Certificate
	signer *exclusiveSigner
	srv    *Server
	url    string
}

func start(t testing.TB, key crypto.Signer, configure ...func(*Server)) *fixture {
	t.Helper()
	f := &fixture{ca: newCA(t), signer: &exclusiveSigner{Signer: key}}
	f.cert = f.ca.tsaCert(t, key)
	f.srv = New(f.signer, f.cert, nil)
	for _, c := range configure {
		c(f.srv)
	}
	url, stop, err := Start(f.srv)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	if !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("url %s is not loopback", url)
	}
	f.url = url
	return f
}

func TestClientAgainstServer(t *testing.T) {
	for _, kind := range []string{"rsa", "ecdsa"} {
		t.Run(kind, func(t *testing.T) {
			var key crypto.Signer = p256(t)
			if kind == "rsa" {
				key = rsa2048(t)
			}
			now := time.Date(2025, 9, 2, 8, 30, 15, 123456789, time.UTC)
			f := start(t, key, func(s *Server) { s.Now = func() time.Time { return now } })
			c := &cms.TSAClient{URL: f.url}
			var serials []*big.Int
			for i := range 3 {
				d := sha256.Sum256([]byte{byte(i)})
				tok, err := c.Timestamp(context.Background(), d[:], crypto.SHA256)
				if err != nil {
					t.Fatal(err)
				}
				ts, err := cms.ParseTimestampToken(tok)
				if err != nil {
					t.Fatal(err)
				}
				got, err := ts.Verify()
				if err != nil {
					t.Fatal(err)
				}
				if !got.Equal(f.cert) {
					t.Error("token signed by another certificate")
				}
				if !ts.Time.Equal(now.Truncate(time.Millisecond)) || !ts.Policy.Equal(DefaultPolicy) || ts.Accuracy != time.Second {
					t.Errorf("time %v policy %v accuracy %v", ts.Time, ts.Policy, ts.Accuracy)
				}
				if ts.Hash != crypto.SHA256 || !bytes.Equal(ts.HashedMessage, d[:]) || ts.Nonce == nil {
					t.Error("imprint or nonce wrong")
				}
				si := ts.SignedData.Signers[0]
				if len(si.SigningCertificateV2) != 1 || !si.SigningCertificateV2[0].Matches(f.cert) || si.SigningTime != nil {
					t.Error("signed attributes wrong")
				}
				serials = append(serials, ts.SerialNumber)
			}
			for i := 1; i < len(serials); i++ {
				if serials[i].Cmp(serials[i-1]) <= 0 {
					t.Errorf("serials not increasing: %v", serials)
				}
			}
			n, err := c.ProbeSize(context.Background())
			if err != nil || n < 500 {
				t.Errorf("ProbeSize = %d, %v", n, err)
			}
			if f.srv.Requests() != 4 || f.srv.Issued() != 4 || f.signer.calls.Load() != 4 {
				t.Errorf("requests %d issued %d signer calls %d", f.srv.Requests(), f.srv.Issued(), f.signer.calls.Load())
			}
			// SHA-384 and SHA-512 imprints too.
			for _, h := range []crypto.Hash{crypto.SHA384, crypto.SHA512} {
				d := make([]byte, h.Size())
				if _, err := c.Timestamp(context.Background(), d, h); err != nil {
					t.Errorf("%v: %v", h, err)
				}
			}
		})
	}
}

func TestFailureModes(t *testing.T) {
	f := start(t, p256(t))
	c := &cms.TSAClient{URL: f.url}
	d := sha256.Sum256([]byte("x"))
	tests := []struct {
		mode FailMode
		want string
		http int
		rej  bool
	}{
		{FailHTTP500, "answered HTTP 500", 500, false},
		{FailRejection, "refused the request (status 2, systemFailure", 0, true},
		{FailWrongNonce, "wrong nonce", 0, false},
		{FailWrongImprint, "another message imprint", 0, false},
	}
	for _, tt := range tests {
		f.srv.SetFail(tt.mode)
		_, err := c.Timestamp(context.Background(), d[:], crypto.SHA256)
		var te *cms.TSAError
		if !errors.As(err, &te) {
			t.Fatalf("mode %d: err = %v, want *cms.TSAError", tt.mode, err)
		}
		if !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "timestamp: server "+f.url) {
			t.Errorf("mode %d: %q, want %q", tt.mode, err, tt.want)
		}
		if te.HTTPStatus != tt.http || te.Rejected != tt.rej {
			t.Errorf("mode %d: %+v", tt.mode, te)
		}
	}
	f.srv.SetFail(FailNone)
	if _, err := c.Timestamp(context.Background(), d[:], crypto.SHA256); err != nil {
		t.Errorf("after failures: %v", err)
	}

	// A timestamp failure inside SignDetached: one signature, an error.
	leafKey := p256(t)
	leaf := f.ca.issue(t, &x509.Certificate{Subject: pkix.Name{CommonName: "Người ký"}, KeyUsage: x509.KeyUsageDigitalSignature}, leafKey)
	s := &exclusiveSigner{Signer: leafKey}
	f.srv.SetFail(FailHTTP500)
	_, err := cms.SignDetached(context.Background(), d[:], cms.SignOptions{Signer: s, Certificate: leaf, Timestamper: c})
	if err == nil || !strings.Contains(err.Error(), "answered HTTP 500") || s.calls.Load() != 1 {
		t.Errorf("SignDetached: %v, signer calls %d", err, s.calls.Load())
	}
	f.srv.SetFail(FailNone)
}

func TestRequestValidation(t *testing.T) {
	f := start(t, p256(t))
	post := func(ct string, body []byte) (*http.Response, *cms.TimestampResponse) {
		t.Helper()
		resp, err := http.Post(f.url, ct, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			return resp, nil
		}
		tr, err := cms.ParseTimestampResponse(b)
		if err != nil {
			t.Fatal(err)
		}
		return resp, tr
	}
	if resp, _ := post("text/plain", nil); resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("wrong content type: HTTP %d", resp.StatusCode)
	}
	if resp, err := http.Get(f.url); err != nil || resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: %v %v", resp.StatusCode, err)
	}
	if resp, _ := post("application/timestamp-query", make([]byte, maxRequest+1)); resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("large request: HTTP %d", resp.StatusCode)
	}
	q := func(q cms.TimestampRequest) []byte {
		b, err := q.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	digest := make([]byte, 32)
	tests := []struct {
		name string
		body []byte
		fail int
	}{
		{"garbage", []byte("hello"), cms.FailBadDataFormat},
		{"policy", q(cms.TimestampRequest{Hash: crypto.SHA256, HashedMessage: digest, Policy: asn1.ObjectIdentifier{1, 2, 3}}), cms.FailUnacceptedPolicy},
		{"sha224", q(cms.TimestampRequest{Hash: crypto.SHA224, HashedMessage: make([]byte, 28)}), cms.FailBadAlg},
	}
	for _, tt := range tests {
		_, tr := post("application/timestamp-query", tt.body)
		if tr == nil || tr.Status != cms.StatusRejection || tr.FailInfo != 1<<uint(tt.fail) || tr.Token != nil {
			t.Errorf("%s: %+v", tt.name, tr)
		}
	}

	// certReq false: no certificates; VerifyWith finds the signer.
	_, tr := post("application/timestamp-query", q(cms.TimestampRequest{Hash: crypto.SHA256, HashedMessage: digest, Policy: DefaultPolicy}))
	if tr == nil || tr.Status != cms.StatusGranted {
		t.Fatalf("%+v", tr)
	}
	ts, err := cms.ParseTimestampToken(tr.Token)
	if err != nil {
		t.Fatal(err)
	}
	if len(ts.SignedData.Certificates) != 0 || ts.Nonce != nil {
		t.Error("certificates or nonce present")
	}
	if _, err := ts.VerifyWith([]*x509.Certificate{f.cert}); err != nil {
		t.Error(err)
	}
}

func TestConcurrentRequestsAreSerialised(t *testing.T) {
	f := start(t, p256(t))
	c := &cms.TSAClient{URL: f.url}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	serials := make(chan string, 16)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := sha256.Sum256([]byte{byte(i)})
			tok, err := c.Timestamp(context.Background(), d[:], crypto.SHA256)
			if err != nil {
				errs <- err
				return
			}
			ts, _ := cms.ParseTimestampToken(tok)
			serials <- ts.SerialNumber.String()
		}()
	}
	wg.Wait()
	close(errs)
	close(serials)
	for err := range errs {
		t.Error(err)
	}
	seen := map[string]bool{}
	for s := range serials {
		if seen[s] {
			t.Errorf("serial %s issued twice", s)
		}
		seen[s] = true
	}
}

func TestPaddingAndSizeReservation(t *testing.T) {
	f := start(t, rsa2048(t))
	c := &cms.TSAClient{URL: f.url}
	base, err := c.ProbeSize(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	f.srv.SetExtraPadding(5000)
	padded, err := c.ProbeSize(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if padded < base+5000 || padded > base+5100 {
		t.Errorf("probe %d without padding, %d with 5000", base, padded)
	}

	// Sign with a timestamp, reserving from the probe: the estimate holds.
	for _, kind := range []string{"rsa", "ecdsa"} {
		var key crypto.Signer = p256(t)
		if kind == "rsa" {
			key = rsa2048(t)
		}
		leaf := f.ca.issue(t, &x509.Certificate{Subject: pkix.Name{CommonName: "Người ký " + kind}, KeyUsage: x509.KeyUsageDigitalSignature}, key)
		o := cms.SignOptions{Signer: key, Certificate: leaf, Timestamper: c, Profile: cms.PKCS7}
		probe, err := c.ProbeSize(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		minTS, maxTS := 1<<30, 0
		for i := range 10 {
			d := sha256.Sum256([]byte{byte(i)})
			der, err := cms.SignDetached(context.Background(), d[:], o)
			if err != nil {
				t.Fatal(err)
			}
			sd, err := cms.Parse(der)
			if err != nil {
				t.Fatal(err)
			}
			n := len(sd.Signers[0].TimestampToken)
			minTS, maxTS = min(minTS, n), max(maxTS, n)
			if est := cms.EstimateSize(o, probe+16); est < len(der) {
				t.Errorf("EstimateSize(probe %d + 16) = %d < %d", probe, est, len(der))
			}
			if est := cms.EstimateSize(o, n); est < len(der) {
				t.Errorf("EstimateSize(exact token %d) = %d < %d", n, est, len(der))
			}
		}
		t.Logf("%s signer: probe %d, tokens %d..%d bytes", kind, probe, minTS, maxTS)
	}
}

func TestClientTimeoutAndErrors(t *testing.T) {
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer slow.Close()
	defer close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	d := make([]byte, 32)
	_, err := (&cms.TSAClient{URL: slow.URL}).Timestamp(ctx, d, crypto.SHA256)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "unreachable") {
		t.Errorf("slow server: %v", err)
	}

	junk := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "clerk" || p != "mật khẩu" {
			http.Error(w, "auth", http.StatusUnauthorized)
			return
		}
		w.Write([]byte("<html>not a TSA</html>"))
	}))
	defer junk.Close()
	_, err = (&cms.TSAClient{URL: junk.URL}).Timestamp(context.Background(), d, crypto.SHA256)
	if err == nil || !strings.Contains(err.Error(), "answered HTTP 401") {
		t.Errorf("no auth: %v", err)
	}
	_, err = (&cms.TSAClient{URL: junk.URL, Username: "clerk", Password: "mật khẩu"}).Timestamp(context.Background(), d, crypto.SHA256)
	if err == nil || !strings.Contains(err.Error(), "not a timestamp response") {
		t.Errorf("junk: %v", err)
	}
	_, err = (&cms.TSAClient{URL: "http://user:secret@127.0.0.1:1/"}).Timestamp(context.Background(), d, crypto.SHA256)
	if err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("password leaked or no error: %v", err)
	}
	if _, err := (&cms.TSAClient{URL: slow.URL}).Timestamp(context.Background(), d[:20], crypto.SHA256); err == nil {
		t.Error("short digest accepted")
	}
}

// TestOpenSSLAcceptsResponses: OpenSSL reads our responses and verifies
// the tokens, for queries it made itself.
func TestOpenSSLAcceptsResponses(t *testing.T) {
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Fatalf("openssl is needed for this cross-check: run scripts/deps.sh (or apt-get install openssl): %v", err)
	}
	for _, kind := range []string{"rsa", "ecdsa"} {
		t.Run(kind, func(t *testing.T) {
			var key crypto.Signer = p256(t)
			if kind == "rsa" {
				key = rsa2048(t)
			}
			f := start(t, key, func(s *Server) { s.ExtraPadding = 100 })
			dir := t.TempDir()
			pemFile := func(name string, c *x509.Certificate) string {
				p := filepath.Join(dir, name)
				os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}), 0o644)
				return p
			}
			root, tsaPEM := pemFile("root.pem", f.ca.root), pemFile("tsa.pem", f.cert)
			data := filepath.Join(dir, "data.bin")
			os.WriteFile(data, []byte("Quyết định số 42/QĐ-UBND"), 0o644)
			run := func(args ...string) string {
				t.Helper()
				out, err := exec.Command(openssl, args...).CombinedOutput()
				if err != nil {
					t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
				}
				return string(out)
			}
			for _, certReq := range []bool{true, false} {
				query := filepath.Join(dir, "req.tsq")
				args := []string{"ts", "-query", "-data", data, "-sha256", "-out", query}
				if certReq {
					args = append(args, "-cert")
				}
				run(args...)
				body, _ := os.ReadFile(query)
				resp, err := http.Post(f.url, "application/timestamp-query", bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				reply, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				tsr := filepath.Join(dir, "resp.tsr")
				os.WriteFile(tsr, reply, 0o644)
				text := run("ts", "-reply", "-in", tsr, "-text")
				for _, want := range []string{"Status: Granted.", "Policy OID: 1.3.6.1.4.1.32473.2.1", "Hash Algorithm: sha256", "Accuracy: 0x01 seconds"} {
					if !strings.Contains(text, want) {
						t.Errorf("openssl ts -reply -text lacks %q:\n%s", want, text)
					}
				}
				out := run("ts", "-verify", "-data", data, "-in", tsr, "-CAfile", root, "-untrusted", tsaPEM)
				if !strings.Contains(out, "Verification: OK") {
					t.Errorf("openssl ts -verify: %s", out)
				}
				// The query's nonce is checked too when verifying against it.
				out = run("ts", "-verify", "-queryfile", query, "-in", tsr, "-CAfile", root, "-untrusted", tsaPEM)
				if !strings.Contains(out, "Verification: OK") {
					t.Errorf("openssl ts -verify -queryfile: %s", out)
				}
			}
		})
	}
}
