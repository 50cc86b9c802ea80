package login

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/vanthuso/vanthu/app/exchange/exchangetest"
	"github.com/vanthuso/vanthu/app/signui"
	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/internal/testpki"
	"github.com/vanthuso/vanthu/sync/client"
	"github.com/vanthuso/vanthu/sync/protocol"
)

// authServer is the sign-in part of the server protocol on a loopback
// listener: it knows the users bound to certificates, hands out one-time
// challenges and checks their signatures with the certificate's key.
type authServer struct {
	url   string
	mu    sync.Mutex
	users map[string]protocol.User // by certificate SHA-256
	open  map[string]protocol.Challenge
	calls int
	// replay makes the server answer every session request as a used
	// challenge (a replayed signature).
	replay bool
}

func startAuthServer(t *testing.T, users map[*x509.Certificate]protocol.User) *authServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &authServer{url: "http://" + ln.Addr().String(), users: map[string]protocol.User{}, open: map[string]protocol.Challenge{}}
	for c, u := range users {
		sum := sha256.Sum256(c.Raw)
		s.users[hex.EncodeToString(sum[:])] = u
	}
	srv := &http.Server{Handler: http.HandlerFunc(s.serve)}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return s
}

func (s *authServer) fail(w http.ResponseWriter, status int, code string) {
	w.Header().Set(protocol.HeaderVersion, "1")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(protocol.ErrorBody{Error: protocol.Error{Code: code, Message: code}})
}

func (s *authServer) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	host := strings.TrimPrefix(s.url, "http://")
	switch r.URL.Path {
	case "/v1/auth/challenge":
		var req protocol.ChallengeRequest
		json.NewDecoder(r.Body).Decode(&req)
		sum := sha256.Sum256(req.Certificate)
		if _, ok := s.users[hex.EncodeToString(sum[:])]; !ok {
			s.fail(w, http.StatusForbidden, protocol.CodeUnknownCertificate)
			return
		}
		ch := protocol.Challenge{ID: protocol.NewClientID(), Nonce: make([]byte, 32), Server: host, ExpiresAt: time.Now().Add(time.Minute).UTC().Truncate(time.Second)}
		rand.Read(ch.Nonce)
		s.open[ch.ID] = ch
		w.Header().Set(protocol.HeaderVersion, "1")
		json.NewEncoder(w).Encode(ch)
	case "/v1/auth/session":
		var req protocol.SessionRequest
		json.NewDecoder(r.Body).Decode(&req)
		ch, ok := s.open[req.ChallengeID]
		delete(s.open, req.ChallengeID) // one use
		if !ok || s.replay {
			s.fail(w, http.StatusUnauthorized, protocol.CodeChallengeUsed)
			return
		}
		cert, err := x509.ParseCertificate(req.Certificate)
		sum := sha256.Sum256(req.Certificate)
		user, known := s.users[hex.EncodeToString(sum[:])]
		if err != nil || !known {
			s.fail(w, http.StatusForbidden, protocol.CodeUnknownCertificate)
			return
		}
		digest := sha256.Sum256(ch.SignedBytes(hex.EncodeToString(sum[:])))
		pub, _ := cert.PublicKey.(*rsa.PublicKey)
		if pub == nil || rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], req.Signature) != nil {
			s.fail(w, http.StatusUnauthorized, protocol.CodeBadSignature)
			return
		}
		w.Header().Set(protocol.HeaderVersion, "1")
		json.NewEncoder(w).Encode(protocol.Session{Token: "tok-" + ch.ID, ExpiresAt: time.Now().Add(time.Hour), User: user})
	default:
		s.fail(w, http.StatusNotFound, protocol.CodeNotFound)
	}
}

func (s *authServer) requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// realLogin is what the application does: a client for the address,
// then the token's sign-in.
func realLogin(ctx context.Context, addr string, signer crypto.Signer, cert *x509.Certificate) (protocol.Session, error) {
	c, err := client.New(client.Config{BaseURL: addr})
	if err != nil {
		return protocol.Session{}, err
	}
	return c.Login(ctx, signer, cert)
}

// onlyToken deletes every token of the test PKI but keep.
func onlyToken(t *testing.T, keep string) {
	t.Helper()
	for _, l := range testpki.TokenLabels() {
		if l == keep {
			continue
		}
		if b, err := exec.Command("softhsm2-util", "--delete-token", "--token", l).CombinedOutput(); err != nil {
			t.Fatalf("delete token %q: %v\n%s", l, err, b)
		}
	}
}

type harness struct {
	d      *Dialog
	q      *exchangetest.Queue
	signed []protocol.Session
}

// open shows the dialog for addr with only the token keep plugged in and
// waits until its certificate is listed.
func open(t *testing.T, p *testpki.PKI, keep, addr string) *harness {
	t.Helper()
	onlyToken(t, keep)
	test.NewTempApp(t)
	h := &harness{q: exchangetest.NewQueue()}
	win := test.NewTempWindow(t, widget.NewLabel(""))
	win.Resize(fyne.NewSize(1366, 768))
	h.d = Show(win, Options{Address: addr, Sign: signui.Config{ModulePath: p.Module}, Login: realLogin, Do: h.q.Do,
		OnSignedIn: func(_ string, s protocol.Session) { h.signed = append(h.signed, s) }})
	t.Cleanup(func() {
		h.d.dlg.Hide()
		h.q.Until(t, "token released", func() bool {
			select {
			case <-h.d.done:
				return true
			default:
				return false
			}
		})
	})
	h.q.Until(t, "token read", func() bool { return h.d.keys.Loaded() && h.d.keys.Ready() })
	return h
}

// submit types pin, presses Đăng nhập and waits for the outcome.
func (h *harness) submit(t *testing.T, pin string) error {
	t.Helper()
	if pin != "" {
		test.Type(h.d.keys.PINEntry().(*widget.Entry), pin)
	}
	test.Tap(h.d.submitBtn)
	var err error
	got := false
	h.q.Until(t, "sign-in outcome", func() bool {
		select {
		case err = <-h.d.attempt:
			got = true
		default:
		}
		return got
	})
	h.q.Settle()
	return err
}

var leaderUser = protocol.User{ID: "u1", Name: "Nguyễn Văn An", Roles: []protocol.Role{protocol.RoleLeader},
	Agency: edoc.Organ{OrganID: testpki.AgencyCode, OrganName: "UBND tỉnh Nghệ An (thử nghiệm)"}}

func TestLoginSignsIn(t *testing.T) {
	p := testpki.New(t)
	srv := startAuthServer(t, map[*x509.Certificate]protocol.User{p.Leader.Cert: leaderUser})
	h := open(t, p, testpki.LeaderToken, srv.url)
	if err := h.submit(t, testpki.UserPIN); err != nil {
		t.Fatalf("sign-in failed: %v; dialog says %q", err, h.d.status.Text)
	}
	if len(h.signed) != 1 || h.signed[0].User.Name != "Nguyễn Văn An" || !strings.HasPrefix(h.signed[0].Token, "tok-") {
		t.Errorf("sessions handed over: %+v", h.signed)
	}
	if h.d.status.Text != "Đã đăng nhập: Nguyễn Văn An — UBND tỉnh Nghệ An (thử nghiệm)." {
		t.Errorf("status %q", h.d.status.Text)
	}
}

func TestLoginUnknownCertificate(t *testing.T) {
	p := testpki.New(t)
	srv := startAuthServer(t, map[*x509.Certificate]protocol.User{p.Leader.Cert: leaderUser})
	h := open(t, p, testpki.AgencyToken, srv.url) // the agency's certificate is not registered
	err := h.submit(t, testpki.UserPIN)
	want := "Chứng thư số này chưa được đăng ký trên máy chủ — đề nghị quản trị viên thêm người dùng (gửi kèm tên trên chứng thư: " + p.Agency.Cert.Subject.CommonName + ")."
	if err == nil || h.d.status.Text != want {
		t.Errorf("err %v, status %q", err, h.d.status.Text)
	}
	if len(h.signed) != 0 {
		t.Error("an unknown certificate got a session")
	}
}

// A wrong PIN is never retried and never reaches the server; the tries
// left are shown.
func TestLoginWrongPIN(t *testing.T) {
	p := testpki.New(t)
	srv := startAuthServer(t, map[*x509.Certificate]protocol.User{p.Leader.Cert: leaderUser})
	h := open(t, p, testpki.LeaderToken, srv.url)
	err := h.submit(t, "000000")
	if err == nil || !strings.Contains(h.d.status.Text, "Mã PIN không đúng") {
		t.Errorf("err %v, status %q", err, h.d.status.Text)
	}
	if n := srv.requests(); n != 0 {
		t.Errorf("the server got %d requests after a wrong PIN", n)
	}
	if h.d.keys.PINEntry().(*widget.Entry).Text != "" {
		t.Error("the wrong PIN stays in the entry")
	}
	// The right one then signs in.
	if err := h.submit(t, testpki.UserPIN); err != nil {
		t.Errorf("right PIN after a wrong one: %v (%q)", err, h.d.status.Text)
	}
}

// A replayed or expired challenge is refused by the server and the user
// told to try again; nothing is signed in.
func TestLoginChallengeUsed(t *testing.T) {
	p := testpki.New(t)
	srv := startAuthServer(t, map[*x509.Certificate]protocol.User{p.Leader.Cert: leaderUser})
	srv.replay = true
	h := open(t, p, testpki.LeaderToken, srv.url)
	if err := h.submit(t, testpki.UserPIN); err == nil || h.d.status.Text != "Yêu cầu đăng nhập đã hết hạn hoặc đã được dùng. Bấm Đăng nhập lại." {
		t.Errorf("err %v, status %q", err, h.d.status.Text)
	}
	if len(h.signed) != 0 {
		t.Error("signed in on a used challenge")
	}
}

func TestLoginOffline(t *testing.T) {
	p := testpki.New(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := "http://" + ln.Addr().String()
	ln.Close() // nobody listens there now
	h := open(t, p, testpki.LeaderToken, addr)
	if err := h.submit(t, testpki.UserPIN); err == nil || !strings.HasPrefix(h.d.status.Text, "Không kết nối được máy chủ "+addr+". Kiểm tra địa chỉ máy chủ, kết nối mạng và proxy") {
		t.Errorf("err %v, status %q", err, h.d.status.Text)
	}
}

func TestLoginAddress(t *testing.T) {
	for in, want := range map[string]string{
		"vanthu.nghean.gov.vn":   "https://vanthu.nghean.gov.vn",
		"https://a.gov.vn/":      "https://a.gov.vn",
		"http://127.0.0.1:8443":  "http://127.0.0.1:8443",
		"http://localhost:8080":  "http://localhost:8080",
		"http://vanthu.gov.vn":   "", // plain http off this computer
		"ftp://vanthu.gov.vn":    "",
		"":                       "",
		"https://":               "",
		"https://a b.gov.vn/x y": "",
	} {
		got, bad := checkAddress(in)
		if got != want || (want == "") != (bad != "") {
			t.Errorf("checkAddress(%q) = %q, %q; want %q", in, got, bad, want)
		}
	}
	if m := Size; m.Width > 1366 || m.Height > 768 {
		t.Errorf("size %v", m)
	}
}
