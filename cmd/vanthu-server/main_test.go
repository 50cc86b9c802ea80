package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/internal/pdftools"
	"github.com/vanthuso/vanthu/internal/pgtest"
	"github.com/vanthuso/vanthu/internal/samplepdf"
	"github.com/vanthuso/vanthu/internal/testpki"
	"github.com/vanthuso/vanthu/server/servertest"
	"github.com/vanthuso/vanthu/signing/pades"
	"github.com/vanthuso/vanthu/signing/trustlist"
	"github.com/vanthuso/vanthu/signing/verify"
	"github.com/vanthuso/vanthu/sync/protocol"
)

// serverBin is vanthu-server built for the tests.
var serverBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "vanthu-server-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	serverBin = filepath.Join(dir, "vanthu-server")
	if out, err := exec.Command("go", "build", "-o", serverBin, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build vanthu-server: %v\n%s", err, out)
		os.Exit(1)
	}
	code := pgtest.Main(m) // m.Run, then the shared PostgreSQL stopped
	os.RemoveAll(dir)
	os.Exit(code)
}

const (
	agencyA = "000.00.00.H41" // UBND tỉnh Nghệ An, the test PKI's agency
	agencyB = "000.00.00.G22"
	agencyC = "000.00.00.H42"
)

// command runs vanthu-server with args and returns its output; it fails
// the test unless the exit code is want.
func command(t *testing.T, want int, args ...string) (stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(serverBin, args...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if code != want {
		t.Fatalf("vanthu-server %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, want, o.String(), e.String())
	}
	return o.String(), e.String()
}

// site is a data directory with agencies A, B and C.
type site struct {
	t    *testing.T
	dir  string
	sha  string // the TLS certificate's SHA-256, as init printed it
	proc *exec.Cmd
	addr string
	done chan error
	log  *syncBuffer
}

func newSite(t *testing.T) *site {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	out, _ := command(t, 0, "init", "--data", dir, "--host", "127.0.0.1")
	m := regexp.MustCompile(`certificate sha256: ([0-9a-f]{64})`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("init printed no certificate sha256:\n%s", out)
	}
	key, err := os.Stat(filepath.Join(dir, "tls", "key.pem"))
	if err != nil || key.Mode().Perm() != 0o600 {
		t.Fatalf("tls key: %v, mode %v; want 0600", err, key.Mode())
	}
	s := &site{t: t, dir: dir, sha: m[1]}
	for _, a := range []string{agencyA, agencyB, agencyC} {
		command(t, 0, "admin", "agency", "add", "--data", dir, "--code", a, "--name", "Cơ quan "+a, "--email", "vanthu@"+a)
	}
	return s
}

// addUser binds cert to a new user and returns its id.
func (s *site) addUser(agency string, cert *x509.Certificate, roles string) string {
	s.t.Helper()
	path := filepath.Join(s.t.TempDir(), "user.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}), 0o600); err != nil {
		s.t.Fatal(err)
	}
	out, _ := command(s.t, 0, "admin", "user", "add", "--data", s.dir, "--agency", agency, "--name", "Nguyễn Văn An", "--cert", path, "--roles", roles)
	m := regexp.MustCompile(`added user ([0-9a-f]+)`).FindStringSubmatch(out)
	if m == nil {
		s.t.Fatalf("admin user add printed %q", out)
	}
	return m[1]
}

// syncBuffer collects a process's log.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// serve starts the server on a port the kernel picks and waits for the
// address it prints; the test's end stops it with SIGTERM and checks it
// exited cleanly.
func (s *site) serve(extra ...string) {
	s.t.Helper()
	args := append([]string{"serve", "--data", s.dir, "--listen", "127.0.0.1:0"}, extra...)
	cmd := exec.Command(serverBin, args...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		s.t.Fatal(err)
	}
	s.log = &syncBuffer{}
	cmd.Stderr = s.log
	if err := cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	s.proc, s.done = cmd, make(chan error, 1)
	lines := bufio.NewScanner(out)
	if !lines.Scan() {
		cmd.Process.Kill()
		s.t.Fatalf("serve printed nothing; log:\n%s", s.log)
	}
	addr, ok := strings.CutPrefix(lines.Text(), "listening on ")
	if !ok {
		cmd.Process.Kill()
		s.t.Fatalf("serve printed %q", lines.Text())
	}
	s.addr = addr
	go func() {
		for lines.Scan() {
		}
		s.done <- cmd.Wait()
	}()
	s.t.Cleanup(func() { s.stop() })
}

// stop sends SIGTERM and waits; a server that does not stop within a
// minute is killed and the test fails.
func (s *site) stop() {
	if s.proc == nil {
		return
	}
	s.proc.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.done:
		if err != nil {
			s.t.Errorf("serve ended with %v; log:\n%s", err, s.log)
		}
	case <-time.After(time.Minute):
		s.proc.Process.Kill()
		s.t.Errorf("serve did not stop on SIGTERM; log:\n%s", s.log)
	}
	s.proc = nil
}

// client trusts the certificate init made (and checks it is the one
// whose fingerprint init printed).
func (s *site) client() *servertest.Client {
	s.t.Helper()
	data, err := os.ReadFile(filepath.Join(s.dir, "tls", "cert.pem"))
	if err != nil {
		s.t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		s.t.Fatal(err)
	}
	if servertest.CertSHA(cert) != s.sha {
		s.t.Fatal("the TLS certificate is not the one init printed")
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return servertest.NewClient(s.t, "https://"+s.addr, pool)
}

// identity binds a fresh in-memory identity to a new user (while the
// server is stopped: admin commands refuse otherwise).
func (s *site) identity(agency, roles string) servertest.Identity {
	s.t.Helper()
	id := servertest.NewIdentity(s.t, "user of "+agency, false, time.Time{}, time.Time{})
	s.addUser(agency, id.Cert, roles)
	return id
}

// login signs id in to the running server.
func (s *site) login(id servertest.Identity) *servertest.Client {
	s.t.Helper()
	c := s.client()
	c.SignIn(id.Key, id.Cert)
	return c
}

func send(t *testing.T, c *servertest.Client, from string, data []byte, to ...string) protocol.SendAnswer {
	t.Helper()
	c.Upload(data, 1<<20)
	var ans protocol.SendAnswer
	c.Send(protocol.NewClientID(), servertest.Document(from, to, servertest.Attachment(data, "van-ban.pdf", "application/pdf"))).Want(t, 201).Decode(t, &ans)
	return ans
}

// TestTwoAgencies: the leader of UBND tỉnh Nghệ An signs in with the
// SoftHSM2 token, uploads a PDF signed on that token and sends it; the
// other agency receives it through its change feed, downloads the file,
// reads the server's verification (valid: the test root is trusted) and
// answers 03, which reaches the sender's feed.
func TestTwoAgencies(t *testing.T) {
	p := testpki.New(t)
	signer, closer, err := p.Signer(p.Leader, testpki.UserPIN)
	if err != nil {
		t.Fatal(err)
	}
	defer closer.Close()
	dir := t.TempDir()
	in, signed := filepath.Join(dir, "in.pdf"), filepath.Join(dir, "signed.pdf")
	if err := samplepdf.WriteFile(in, samplepdf.Options{Pages: 2, Title: "Quyet dinh 05/QD-UBND"}); err != nil {
		t.Fatal(err)
	}
	if _, err := pades.SignFile(context.Background(), in, signed, pades.Options{Signer: signer, Certificate: p.Leader.Cert, Chain: p.Leader.Embedded()}); err != nil {
		t.Fatal(err)
	}
	pdf, err := os.ReadFile(signed)
	if err != nil {
		t.Fatal(err)
	}
	trust := filepath.Join(dir, "ca.pem")
	var pemData []byte
	for _, c := range []*x509.Certificate{p.Root.Cert} {
		pemData = append(pemData, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	if err := os.WriteFile(trust, pemData, 0o600); err != nil {
		t.Fatal(err)
	}
	inter := filepath.Join(dir, "sub.pem")
	if err := os.WriteFile(inter, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.Sub.Cert.Raw}), 0o600); err != nil {
		t.Fatal(err)
	}

	s := newSite(t)
	s.addUser(agencyA, p.Leader.Cert, "van_thu,lanh_dao")
	bID := s.identity(agencyB, "van_thu")
	s.serve("--trust", trust, "--intermediate", inter, "--offline-revocation", "--accept-unknown-revocation")
	a := s.client()
	sess := a.SignIn(signer, p.Leader.Cert) // the token signs the challenge
	if sess.User.Agency.OrganID != agencyA {
		t.Fatalf("session %+v", sess.User)
	}
	b := s.login(bID)
	start := b.Changes("", 0)

	ans := send(t, a, agencyA, pdf, agencyB)
	got := b.Changes(start.Cursor, 25)
	if len(got.Changes) != 1 || got.Changes[0].Kind != protocol.ChangeReceived || got.Changes[0].Message == nil {
		t.Fatalf("B's feed: %+v", got)
	}
	m := got.Changes[0].Message
	if m.ID != ans.MessageID || m.From.OrganID != agencyA || m.Document.Subject == "" {
		t.Fatalf("received %+v", m)
	}
	v, ok := m.Verification[servertest.SHA256(pdf)]
	if !ok || v.Verdict != verify.Valid {
		t.Fatalf("verification %+v: want valid", v)
	}
	var rep verify.Report
	if err := json.Unmarshal(v.Report, &rep); err != nil || rep.Verdict != verify.Valid || len(rep.Signatures) != 1 {
		t.Fatalf("report %s: %v", v.Report, err)
	}
	if body := b.Do("GET", "/v1/blobs/"+servertest.SHA256(pdf), nil, nil).Want(t, 200).Body; !bytes.Equal(body, pdf) {
		t.Fatal("the downloaded file differs")
	}
	b.Work(protocol.NewClientID(), protocol.ActionRequest{Action: protocol.ActionRegister, CaseID: m.ID}).Want(t, 201)
	var kinds []string
	for _, ch := range a.Changes("", 0).Changes {
		k := ch.Kind
		if ch.Status != nil {
			k += "/" + string(ch.Status.Status)
		}
		kinds = append(kinds, k)
	}
	if strings.Join(kinds, " ") != "sent status/01 status/03" {
		t.Fatalf("the sender's feed: %v", kinds)
	}
}

// TestAuthorization: an unknown certificate, a replayed challenge
// signature, a third agency looking at a message, a file and a feed that
// are not its own, the directory's private data.
func TestAuthorization(t *testing.T) {
	s := newSite(t)
	aID, bID, cID := s.identity(agencyA, "van_thu"), s.identity(agencyB, "van_thu"), s.identity(agencyC, "van_thu,quan_tri")
	s.serve()
	anon := s.client()

	stranger := servertest.NewIdentity(t, "Kẻ lạ", true, time.Time{}, time.Time{})
	_, ans := anon.Challenge(stranger.Cert)
	ans.WantError(t, 403, protocol.CodeUnknownCertificate)

	ch, _ := anon.Challenge(aID.Cert)
	req := protocol.SessionRequest{ChallengeID: ch.ID, Certificate: aID.Cert.Raw, Signature: servertest.SignChallenge(t, aID.Key, aID.Cert, ch)}
	anon.Do("POST", "/v1/auth/session", req, nil).Want(t, 200)
	anon.Do("POST", "/v1/auth/session", req, nil).WantError(t, 401, protocol.CodeChallengeUsed)

	a, b, c := s.login(aID), s.login(bID), s.login(cID)
	data := []byte("%PDF-1.7 công văn của A gửi B " + protocol.NewClientID())
	sent := send(t, a, agencyA, data, agencyB)
	sha := servertest.SHA256(data)
	c.Do("GET", "/v1/messages/"+sent.MessageID, nil, nil).WantError(t, 404, protocol.CodeNotFound)
	if h := c.Do("HEAD", "/v1/blobs/"+sha, nil, nil); h.Status != 404 {
		t.Fatalf("C's HEAD of A's file: %d", h.Status)
	}
	c.Do("GET", "/v1/blobs/"+sha, nil, nil).WantError(t, 404, protocol.CodeNotFound)
	if got := c.Changes("", 0); len(got.Changes) != 0 {
		t.Fatalf("C's feed: %+v", got.Changes)
	}
	var page protocol.MessagePage
	c.Do("GET", "/v1/messages?box=inbox", nil, nil).Want(t, 200).Decode(t, &page)
	if len(page.Messages) != 0 {
		t.Fatalf("C's inbox: %d messages", len(page.Messages))
	}
	b.Do("GET", "/v1/messages/"+sent.MessageID, nil, nil).Want(t, 200)
	b.Do("HEAD", "/v1/blobs/"+sha, nil, nil).Want(t, 200)

	dir := string(c.Do("GET", "/v1/directory", nil, nil).Want(t, 200).Body)
	for _, id := range []servertest.Identity{aID, bID} {
		if strings.Contains(dir, servertest.CertSHA(id.Cert)) || strings.Contains(dir, "Nguyễn") {
			t.Fatalf("the directory shows users: %s", dir)
		}
	}
	// C's quản trị sees its own users only.
	users := string(c.Do("GET", "/v1/admin/users", nil, nil).Want(t, 200).Body)
	if strings.Contains(users, servertest.CertSHA(aID.Cert)) || !strings.Contains(users, servertest.CertSHA(cID.Cert)) {
		t.Fatalf("C's admin list: %s", users)
	}
}

// TestSessionExpires: with --session-ttl 2s a session stops working once
// the server's clock passes its expiry: CodeSessionExpired.
func TestSessionExpires(t *testing.T) {
	s := newSite(t)
	id := s.identity(agencyA, "van_thu")
	s.serve("--session-ttl", "2s")
	c := s.client()
	sess := c.SignIn(id.Key, id.Cert)
	if d := time.Until(sess.ExpiresAt); d > 3*time.Second {
		t.Fatalf("session lasts %v, want about 2s", d)
	}
	time.Sleep(time.Until(sess.ExpiresAt))
	for { // the server's clock decides; poll until it says so
		a := c.Do("GET", "/v1/me", nil, nil)
		if a.Status == 200 {
			time.Sleep(50 * time.Millisecond)
			continue
		}
		a.WantError(t, 401, protocol.CodeSessionExpired)
		return
	}
}

// TestIdempotency: a replay answers byte for byte what the first send
// answered; another body under the id is refused; concurrent sends of
// one id make one message; statuses likewise.
func TestIdempotency(t *testing.T) {
	s := newSite(t)
	aID, bID := s.identity(agencyA, "van_thu"), s.identity(agencyB, "van_thu")
	s.serve()
	a, b := s.login(aID), s.login(bID)
	data := []byte("%PDF-1.7 thông báo " + protocol.NewClientID())
	a.Upload(data, 1<<20)
	doc := servertest.Document(agencyA, []string{agencyB}, servertest.Attachment(data, "tb.pdf", "application/pdf"))
	id := protocol.NewClientID()
	first := a.Send(id, doc).Want(t, 201)
	again := a.Send(id, doc).Want(t, 201)
	if !bytes.Equal(first.Body, again.Body) {
		t.Fatalf("replay answered\n%s\nfirst\n%s", again.Body, first.Body)
	}
	other := doc
	other.Subject = "Về việc khác"
	a.Send(id, other).WantError(t, 409, protocol.CodeIdempotencyConflict)
	// Another agency's user using the same id makes its own message.
	bdoc := servertest.Document(agencyB, []string{agencyA}, servertest.Attachment(data, "tb.pdf", "application/pdf"))
	var bAns protocol.SendAnswer
	b.Send(id, bdoc).Want(t, 201).Decode(t, &bAns) // B received the file, so it may send it on
	if bytes.Contains(first.Body, []byte(bAns.MessageID)) {
		t.Fatal("B's send under A's client id replayed A's answer")
	}

	id2 := protocol.NewClientID()
	var wg sync.WaitGroup
	answers := make([]*servertest.Answer, 8)
	for i := range answers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := s.login(aID)
			ans, err := c.TryDo("PUT", "/v1/messages/"+id2, protocol.SendRequest{Document: doc}, nil)
			if err != nil {
				t.Error(err)
				return
			}
			answers[i] = ans
		}()
	}
	wg.Wait()
	for _, ans := range answers {
		if ans == nil || ans.Status != 201 || !bytes.Equal(ans.Body, answers[0].Body) {
			t.Fatalf("concurrent sends answered differently: %+v vs %+v", ans, answers[0])
		}
	}
	var page protocol.MessagePage
	b.Do("GET", "/v1/messages?box=inbox", nil, nil).Want(t, 200).Decode(t, &page)
	if len(page.Messages) != 2 {
		t.Fatalf("B's inbox holds %d messages, want 2 (one per client id)", len(page.Messages))
	}

	var sent protocol.SendAnswer
	first.Decode(t, &sent)
	sid := protocol.NewClientID()
	reg := protocol.ActionRequest{Action: protocol.ActionRegister, CaseID: sent.MessageID}
	st1 := b.Work(sid, reg).Want(t, 201)
	st2 := b.Work(sid, reg).Want(t, 201)
	if !bytes.Equal(st1.Body, st2.Body) {
		t.Fatal("a replayed registration answered differently")
	}
	b.Work(sid, protocol.ActionRequest{Action: protocol.ActionReturn, CaseID: sent.MessageID, Reason: "x"}).WantError(t, 409, protocol.CodeIdempotencyConflict)
	var m protocol.Message
	a.Do("GET", "/v1/messages/"+sent.MessageID, nil, nil).Want(t, 200).Decode(t, &m)
	if len(m.Statuses) != 2 { // the automatic 01 and one 03
		t.Fatalf("statuses %+v", m.Statuses)
	}
}

// TestUploads: a chunk at the wrong offset is told the right one; a
// chunk that does not match its checksum and a file that does not match
// its hash are refused (the latter starts over); an upload resumes after
// a connection dropped mid-chunk and after the server was killed.
func TestUploads(t *testing.T) {
	s := newSite(t)
	id := s.identity(agencyA, "van_thu")
	s.serve()
	c := s.login(id)
	data := bytes.Repeat([]byte("0123456789abcdef"), 40_000) // 640 000 bytes
	u, a := c.StartUpload(data)
	a.Want(t, 201)
	if u.MaxChunk <= 0 || u.Offset != 0 {
		t.Fatalf("upload %+v", u)
	}
	c.Patch(u.ID, 0, data[:100_000]).Want(t, 200)
	e := c.Patch(u.ID, 50_000, data[50_000:150_000]).WantError(t, 409, protocol.CodeWrongOffset)
	if e.Offset == nil || *e.Offset != 100_000 {
		t.Fatalf("wrong offset answer %+v, want offset 100000", e)
	}
	h := map[string][]string{protocol.HeaderUploadOffset: {"100000"}, protocol.HeaderChunkSHA256: {servertest.SHA256([]byte("other"))}}
	c.Do("PATCH", "/v1/uploads/"+u.ID, data[100_000:200_000], h).WantError(t, 400, protocol.CodeChunkChecksum)
	if off := c.Do("HEAD", "/v1/uploads/"+u.ID, nil, nil).Want(t, 200).Header.Get(protocol.HeaderUploadOffset); off != "100000" {
		t.Fatalf("offset after refused chunks %s", off)
	}

	// A connection dropped in the middle of a chunk keeps nothing of it.
	dropMidChunk(t, s, c.Token, u.ID, 100_000, data[100_000:300_000])
	if off := c.Do("HEAD", "/v1/uploads/"+u.ID, nil, nil).Want(t, 200).Header.Get(protocol.HeaderUploadOffset); off != "100000" {
		t.Fatalf("offset after a dropped chunk %s, want 100000", off)
	}
	c.Patch(u.ID, 100_000, data[100_000:300_000]).Want(t, 200)

	// The server killed: the acknowledged offset survives.
	s.proc.Process.Kill()
	<-s.done
	s.proc = nil
	s.serve()
	c = s.login(id)
	again, _ := c.StartUpload(data)
	if again.ID != u.ID || again.Offset != 300_000 {
		t.Fatalf("after a kill: %+v, want %s at 300000", again, u.ID)
	}
	c.Patch(u.ID, 300_000, data[300_000:]).Want(t, 200)
	c.Do("HEAD", "/v1/blobs/"+servertest.SHA256(data), nil, nil).Want(t, 200)
	if got := c.Do("GET", "/v1/blobs/"+servertest.SHA256(data), nil, nil).Want(t, 200).Body; !bytes.Equal(got, data) {
		t.Fatal("the blob differs from the upload")
	}

	// Wrong bytes under a hash: refused at the end, started over.
	other := bytes.Repeat([]byte("x"), 1000)
	claimed := append([]byte(nil), other...)
	claimed[999] = 'y'
	cu, _ := c.StartUpload(claimed)
	c.Patch(cu.ID, 0, other).WantError(t, 422, protocol.CodeHashMismatch)
	if off := c.Do("HEAD", "/v1/uploads/"+cu.ID, nil, nil).Want(t, 200).Header.Get(protocol.HeaderUploadOffset); off != "0" {
		t.Fatalf("offset after a hash mismatch %s, want 0", off)
	}
	c.Do("HEAD", "/v1/blobs/"+servertest.SHA256(claimed), nil, nil).Want(t, 404)
}

// dropMidChunk starts a PATCH of chunk at off, sends half of it and
// closes the connection.
func dropMidChunk(t *testing.T, s *site, token, id string, off int64, chunk []byte) {
	t.Helper()
	cl := s.client()
	tr := cl.HTTP.Transport.(*http.Transport)
	conn, err := tls.Dial("tcp", s.addr, tr.TLSClientConfig)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "PATCH /v1/uploads/%s HTTP/1.1\r\nHost: %s\r\nVanthu-Protocol: 1\r\nAuthorization: Bearer %s\r\n"+
		"%s: %d\r\n%s: %s\r\nContent-Length: %d\r\n\r\n",
		id, s.addr, token, protocol.HeaderUploadOffset, off, protocol.HeaderChunkSHA256, servertest.SHA256(chunk), len(chunk))
	if _, err := conn.Write(chunk[:len(chunk)/2]); err != nil {
		t.Fatal(err)
	}
	conn.Close()
}

// TestFeedConcurrentSenders: five clients of two agencies send at once
// while the receiver long-polls: it sees every message exactly once, in
// the order of its inbox (commit order), never an earlier change again;
// a garbage cursor answers Reset.
func TestFeedConcurrentSenders(t *testing.T) {
	s := newSite(t)
	var senders []servertest.Identity
	for i := 0; i < 5; i++ {
		agency := agencyA
		if i%2 == 1 {
			agency = agencyC
		}
		senders = append(senders, s.identity(agency, "van_thu"))
	}
	bID := s.identity(agencyB, "van_thu")
	s.serve()
	b := s.login(bID)
	const each = 8
	total := len(senders) * each

	var seen []string
	polled := make(chan error, 1)
	go func() {
		cursor := ""
		ids := map[string]bool{}
		deadline := time.Now().Add(3 * time.Minute)
		for len(seen) < total {
			if time.Now().After(deadline) {
				polled <- fmt.Errorf("saw %d of %d messages", len(seen), total)
				return
			}
			a, err := b.TryDo("GET", "/v1/changes?wait=25&cursor="+cursor, nil, nil)
			if err != nil || a.Status != 200 {
				polled <- fmt.Errorf("poll: %v %v", err, a)
				return
			}
			var ch protocol.Changes
			if err := json.Unmarshal(a.Body, &ch); err != nil || ch.Reset {
				polled <- fmt.Errorf("poll answer %s: %v", a.Body, err)
				return
			}
			for _, c := range ch.Changes {
				if c.Kind != protocol.ChangeReceived {
					continue
				}
				if ids[c.MessageID] {
					polled <- fmt.Errorf("message %s delivered twice", c.MessageID)
					return
				}
				ids[c.MessageID] = true
				seen = append(seen, c.MessageID)
			}
			cursor = ch.Cursor
		}
		polled <- nil
	}()
	var wg sync.WaitGroup
	for i, id := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := s.login(id)
			from := agencyA
			if i%2 == 1 {
				from = agencyC
			}
			for j := 0; j < each; j++ {
				data := []byte(fmt.Sprintf("%%PDF-1.7 văn bản %d/%d %s", i, j, protocol.NewClientID()))
				c.Upload(data, 1<<20)
				a, err := c.TryDo("PUT", "/v1/messages/"+protocol.NewClientID(),
					protocol.SendRequest{Document: servertest.Document(from, []string{agencyB}, servertest.Attachment(data, "vb.pdf", "application/pdf"))}, nil)
				if err != nil || a.Status != 201 {
					t.Errorf("send: %v %v", err, a)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := <-polled; err != nil {
		t.Fatal(err)
	}
	var inbox []string
	after := ""
	for {
		var page protocol.MessagePage
		b.Do("GET", "/v1/messages?box=inbox&limit=7&after="+after, nil, nil).Want(t, 200).Decode(t, &page)
		for _, m := range page.Messages {
			inbox = append(inbox, m.ID)
		}
		if page.Next == "" {
			break
		}
		after = page.Next
	}
	if strings.Join(inbox, ",") != strings.Join(seen, ",") {
		t.Fatalf("feed order differs from commit order:\nfeed  %v\ninbox %v", seen, inbox)
	}
	reset := b.Changes("garbage-cursor", 0)
	if !reset.Reset || len(reset.Changes) != 0 {
		t.Fatalf("garbage cursor: %+v", reset)
	}
	if after := b.Changes(reset.Cursor, 0); len(after.Changes) != 0 || after.Reset {
		t.Fatalf("the reset cursor is not at the head: %+v", after)
	}
}

// TestAdminWhileServing: admin commands refuse while the server holds the
// store, saying to stop it first, and work once it stopped.
func TestAdminWhileServing(t *testing.T) {
	s := newSite(t)
	s.serve()
	_, stderr := command(t, 1, "admin", "agency", "list", "--data", s.dir)
	if !strings.Contains(stderr, "dừng máy chủ trước") {
		t.Fatalf("admin on a running server said %q", stderr)
	}
	s.stop()
	out, _ := command(t, 0, "admin", "agency", "list", "--data", s.dir)
	if !strings.Contains(out, agencyB) {
		t.Fatalf("agency list: %s", out)
	}
	command(t, 1, "admin", "agency", "add", "--data", s.dir, "--code", agencyB, "--name", "again")
	command(t, 1, "admin", "agency", "add", "--data", s.dir, "--code", "không-phải-mã", "--name", "x")
	command(t, 2, "admin", "user", "add", "--data", s.dir, "--agency", agencyA, "--name", "x", "--cert", "nope.pem", "--roles", "vua")
	out, _ = command(t, 0, "version")
	if !strings.HasPrefix(out, "vanthu-server ") {
		t.Fatalf("version: %q", out)
	}
	command(t, 2, "serve")
	command(t, 1, "serve", "--data", filepath.Join(t.TempDir(), "never-initialised"))
}

// TestShutdown: SIGTERM ends a long poll in progress with an answer and
// the server exits 0.
func TestShutdown(t *testing.T) {
	s := newSite(t)
	id := s.identity(agencyB, "van_thu")
	s.serve()
	b := s.login(id)
	head := b.Changes("", 0)
	// The poll on a connection of its own, handshake done and request
	// written before the signal.
	conn, err := tls.Dial("tcp", s.addr, b.HTTP.Transport.(*http.Transport).TLSClientConfig)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET /v1/changes?wait=25&cursor=%s HTTP/1.1\r\nHost: %s\r\nVanthu-Protocol: 1\r\nAuthorization: Bearer %s\r\n\r\n", head.Cursor, s.addr, b.Token)
	b.Do("GET", "/v1/me", nil, nil).Want(t, 200)
	s.stop()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("long poll during shutdown: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("long poll during shutdown: %d", resp.StatusCode)
	}
}

// TestShippedRootsVerify: a server given no --trust verifies a real
// Vietnamese document (shared/corpus vn/vpcp_222-ttg, signed under VGCA's
// G2 root) against the trust list that ships with the program, and with
// the test root alone (--trust, and the shipped list removed) it does not.
func TestShippedRootsVerify(t *testing.T) {
	dir, err := pdftools.CorpusDir()
	if err != nil {
		t.Fatal(err)
	}
	pdf, err := os.ReadFile(filepath.Join(dir, "vn", "vpcp_222-ttg.signed.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	s := newSite(t)
	aID, bID := s.identity(agencyA, "van_thu"), s.identity(agencyB, "van_thu")
	s.serve("--offline-revocation", "--accept-unknown-revocation")
	a, b := s.login(aID), s.login(bID)
	start := b.Changes("", 0)
	send(t, a, agencyA, pdf, agencyB)
	got := b.Changes(start.Cursor, 25)
	if len(got.Changes) != 1 || got.Changes[0].Message == nil {
		t.Fatalf("B's feed: %+v", got)
	}
	v := got.Changes[0].Message.Verification[servertest.SHA256(pdf)]
	var rep verify.Report
	if err := json.Unmarshal(v.Report, &rep); err != nil || len(rep.Signatures) == 0 {
		t.Fatalf("report %s: %v", v.Report, err)
	}
	if v.Verdict != verify.Valid {
		t.Fatalf("verdict %s with the shipped roots, want valid: %s", v.Verdict, v.Report)
	}
	s.stop()

	// The administrator removes every shipped entry from the server's
	// trust list (DIR/trust): the same document no longer verifies.
	l, err := trustlist.Load(filepath.Join(s.dir, "trust"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range l.Entries() {
		if err := l.Remove(e.SHA256); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Save(); err != nil {
		t.Fatal(err)
	}
	s.serve("--offline-revocation", "--accept-unknown-revocation")
	a, b = s.login(aID), s.login(bID)
	start = b.Changes("", 0)
	send(t, a, agencyA, pdf, agencyB)
	got = b.Changes(start.Cursor, 25)
	if len(got.Changes) != 1 || got.Changes[0].Message == nil {
		t.Fatalf("B's feed: %+v", got)
	}
	if v := got.Changes[0].Message.Verification[servertest.SHA256(pdf)]; v.Verdict == verify.Valid {
		t.Fatalf("valid with every shipped root removed: %s", v.Report)
	}
}
