package signui

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/vanthuso/vanthu/assets"
	"github.com/vanthuso/vanthu/internal/samplepdf"
	"github.com/vanthuso/vanthu/internal/testpki"
	"github.com/vanthuso/vanthu/signing/token"
)

// fixedNow is the clock of tests with golden files.
var fixedNow = time.Date(2026, 1, 5, 8, 30, 15, 0, time.UTC)

// setupUI makes a test app and routes the package's widget changes
// through a queue the test runs, with fast token polling.
func setupUI(t *testing.T) *UIQueue {
	t.Helper()
	test.NewTempApp(t)
	q, restore := UseUIQueue()
	t.Cleanup(restore)
	oldWatch, oldDelay, oldRetry := watchEvery, previewDelay, retryEvery
	watchEvery, previewDelay, retryEvery = 100*time.Millisecond, 10*time.Millisecond, 200*time.Millisecond
	t.Cleanup(func() { watchEvery, previewDelay, retryEvery = oldWatch, oldDelay, oldRetry })
	return q
}

// waitFor runs UI changes until cond holds, failing the test after 30 s.
func waitFor(t *testing.T, q *UIQueue, what string, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := q.RunUntil(ctx, cond); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// settle runs UI changes until none come for a little while.
func settle(q *UIQueue) {
	quiet := 0
	for quiet < 5 {
		if q.Run() == 0 {
			quiet++
		} else {
			quiet = 0
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// newTestWindow is a window big enough for the dialogs.
func newTestWindow(t *testing.T) fyne.Window {
	w := test.NewTempWindow(t, widget.NewLabel(""))
	w.Resize(fyne.NewSize(1100, 800))
	return w
}

// samplePDF writes a plain document into dir.
func samplePDF(t *testing.T, dir, name string, o samplepdf.Options) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := samplepdf.WriteFile(p, o); err != nil {
		t.Fatal(err)
	}
	return p
}

// demoImages writes the demo signature and seal PNGs into dir.
func demoImages(t *testing.T, dir string) (sig, seal string) {
	t.Helper()
	sig, seal = filepath.Join(dir, "chuky.png"), filepath.Join(dir, "condau.png")
	if err := os.WriteFile(sig, assets.DemoSignature, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(seal, assets.DemoSeal, 0o644); err != nil {
		t.Fatal(err)
	}
	return sig, seal
}

// deleteToken pulls a SoftHSM2 token out (the test PKI's SOFTHSM2_CONF).
func deleteToken(t *testing.T, label string) {
	t.Helper()
	if b, err := exec.Command("softhsm2-util", "--delete-token", "--token", label).CombinedOutput(); err != nil {
		t.Fatalf("delete token %q: %v\n%s", label, err, b)
	}
}

// onlyTokens deletes every test PKI token but keep.
func onlyTokens(t *testing.T, keep ...string) {
	t.Helper()
	for _, l := range testpki.TokenLabels() {
		found := false
		for _, k := range keep {
			found = found || k == l
		}
		if !found {
			deleteToken(t, l)
		}
	}
}

// encryptedPDF writes a password-protected document into dir (qpdf).
func encryptedPDF(t *testing.T, dir string) string {
	t.Helper()
	plain := samplePDF(t, t.TempDir(), "plain.pdf", samplepdf.Options{})
	out := filepath.Join(dir, "mat-khau.pdf")
	if b, err := exec.Command("qpdf", "--encrypt", "user", "owner", "256", "--", plain, out).CombinedOutput(); err != nil {
		t.Fatalf("qpdf: %v\n%s", err, b)
	}
	return out
}

// popplerRenderer renders pages with poppler's pdftoppm: a real renderer
// for tests, independent of app/render.
type popplerRenderer struct{}

func (popplerRenderer) open(path string) (pageImages, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, err
	}
	return popplerDoc{path: path}, nil
}

type popplerDoc struct{ path string }

func (d popplerDoc) Render(ctx context.Context, i, widthPx int) (image.Image, error) {
	n := strconv.Itoa(i + 1)
	cmd := exec.CommandContext(ctx, "pdftoppm", "-f", n, "-l", n, "-png", "-singlefile",
		"-scale-to-x", strconv.Itoa(widthPx), "-scale-to-y", "-1", d.path)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("pdftoppm: %v: %s", err, stderr.String())
	}
	return png.Decode(&out)
}

func (popplerDoc) Close() error { return nil }

// whiteRenderer renders every page as a white A4 image, for tests that
// need no real page (and golden files that must not depend on poppler).
type whiteRenderer struct{}

func (whiteRenderer) open(string) (pageImages, error) { return whiteDoc{}, nil }

type whiteDoc struct{}

func (whiteDoc) Render(_ context.Context, _, widthPx int) (image.Image, error) {
	img := image.NewRGBA(image.Rect(0, 0, widthPx, widthPx*842/595))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	return img, nil
}

func (whiteDoc) Close() error { return nil }

// fakeModule is a token module in memory: one token, fixed certificates,
// a software key, a PIN whose refusals the test scripts.
type fakeModule struct {
	mu      sync.Mutex
	info    token.TokenInfo
	creds   []token.Credential
	key     crypto.Signer
	present bool
	// refusals are returned by the next Logins, in order, before the
	// right PIN is accepted.
	refusals []error
	logins   []string
	opened   int
	// watch, when set, replaces Watch.
	watch func(ctx context.Context) <-chan token.Event
}

func (m *fakeModule) Path() string { return "/usr/lib/fake-pkcs11.so" }
func (m *fakeModule) Close() error { return nil }

func (m *fakeModule) Tokens() ([]token.TokenInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.present {
		return nil, nil
	}
	return []token.TokenInfo{m.info}, nil
}

func (m *fakeModule) OpenSession(slot uint) (tokenSession, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.present || slot != m.info.SlotID {
		return nil, token.ErrNoToken
	}
	m.opened++
	return &fakeSession{m: m}, nil
}

func (m *fakeModule) Watch(ctx context.Context, every time.Duration) <-chan token.Event {
	m.mu.Lock()
	watch := m.watch
	m.mu.Unlock()
	if watch != nil {
		return watch(ctx)
	}
	ch := make(chan token.Event)
	go func() {
		defer close(ch)
		<-ctx.Done()
	}()
	return ch
}

type fakeSession struct {
	m        *fakeModule
	loggedIn bool
}

func (s *fakeSession) Token() (token.TokenInfo, error) {
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	return s.m.info, nil
}

func (s *fakeSession) Credentials() ([]token.Credential, error) {
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	var out []token.Credential
	for _, c := range s.m.creds {
		if !s.loggedIn && c.Usable {
			c.Usable, c.Problem = false, token.ProblemNotLoggedIn
		}
		out = append(out, c)
	}
	return out, nil
}

func (s *fakeSession) Login(pin string) error {
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	s.m.logins = append(s.m.logins, pin)
	if s.m.info.PIN.Locked {
		return &token.PINError{Err: token.ErrPINLocked, State: s.m.info.PIN}
	}
	if len(s.m.refusals) > 0 {
		err := s.m.refusals[0]
		s.m.refusals = s.m.refusals[1:]
		var pe *token.PINError
		if errors.As(err, &pe) {
			s.m.info.PIN = pe.State
		}
		s.loggedIn = err == nil
		return err
	}
	if pin != testpki.UserPIN {
		return &token.PINError{Err: token.ErrPINIncorrect, State: s.m.info.PIN, Remaining: -1}
	}
	s.loggedIn = true
	return nil
}

func (s *fakeSession) Signer(c token.Credential) (crypto.Signer, error) { return s.m.key, nil }
func (s *fakeSession) Close() error                                     { return nil }

// newFakeModule makes a token "Nguyen Van An" with a usable certificate
// of Nguyễn Văn An (2025–2045), an expired one and a CA certificate, all
// with fixed dates and names so golden files do not change.
func newFakeModule(t *testing.T) *fakeModule {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "CA thử nghiệm", Organization: []string{"Ban Cơ yếu Chính phủ"}},
		NotBefore: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2034, 1, 1, 0, 0, 0, 0, time.UTC),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	leaf := func(serial int64, from, to time.Time) *x509.Certificate {
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial),
			Subject:      pkix.Name{CommonName: "Nguyễn Văn An", Organization: []string{"UBND tỉnh Nghệ An (thử nghiệm)"}},
			NotBefore:    from, NotAfter: to,
			KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		c, _ := x509.ParseCertificate(der)
		return c
	}
	good := leaf(2, time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2045, 3, 1, 0, 0, 0, 0, time.UTC))
	old := leaf(3, time.Date(2022, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC))
	return &fakeModule{
		info: token.TokenInfo{SlotID: 1, Label: "Nguyen Van An", Serial: "0001", Manufacturer: "Fake", Model: "T1",
			Initialized: true, LoginRequired: true},
		creds: []token.Credential{
			{Certificate: good, Usable: true},
			{Certificate: old, Usable: false, Problem: token.ProblemExpired},
			{Certificate: ca, Problem: token.ProblemNoPrivateKey},
		},
		key:     key,
		present: true,
	}
}

// errWrongPIN is the token's answer to a wrong PIN with n tries left.
func errWrongPIN(n int) error {
	return &token.PINError{Err: token.ErrPINIncorrect, State: token.PINState{CountLow: true}, Remaining: n}
}

// useFakeModule makes the package open m instead of a PKCS#11 module.
func useFakeModule(t *testing.T, m *fakeModule) {
	old := openModule
	openModule = func(Config) (tokenModule, error) { return m, nil }
	t.Cleanup(func() { openModule = old })
}
