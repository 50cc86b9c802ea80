package engine_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/x509"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/internal/demo"
	"github.com/vanthuso/vanthu/internal/samplepdf"
	"github.com/vanthuso/vanthu/internal/testpki"
	"github.com/vanthuso/vanthu/server"
	"github.com/vanthuso/vanthu/server/servertest"
	"github.com/vanthuso/vanthu/server/store/bolt"
	"github.com/vanthuso/vanthu/sync/client"
	"github.com/vanthuso/vanthu/sync/engine"
	"github.com/vanthuso/vanthu/sync/protocol"
	"github.com/vanthuso/vanthu/sync/store"
)

// The helpers of integration_test.go: the reference server in process
// (server.New over a bolt store in t.TempDir, the demo agencies and their
// users seeded by internal/demo) on a loopback TLS listener, and agencies
// that sign in with their SoftHSM2 token through sync/client and sync
// with a real cache.

// site is the reference server on a loopback TLS listener.
type site struct {
	t     *testing.T
	pki   *testpki.PKI
	name  string // the server's name, the host of its URL
	dir   string // the store's directory
	clock *offsetClock
	ttl   time.Duration
	hits  *hitCounter

	mu   gosync.Mutex
	st   *bolt.Store
	hs   *httptest.Server
	addr string // host:port of the listener, kept when it is closed
}

// siteOptions tune startSite.
type siteOptions struct {
	name       string        // "" is 127.0.0.1
	sessionTTL time.Duration // 0 is the server's default
}

// startSite starts the server; the test's end stops it.
func startSite(t *testing.T, o siteOptions) *site {
	t.Helper()
	if o.name == "" {
		o.name = "127.0.0.1"
	}
	s := &site{t: t, pki: testpki.New(t), name: o.name, dir: t.TempDir(), clock: &offsetClock{}, ttl: o.sessionTTL, hits: newHitCounter()}
	t.Cleanup(s.stop)
	s.open(s.dir)
	if err := demo.SeedServer(context.Background(), s.st, s.pki); err != nil {
		t.Fatal(err)
	}
	s.listen("127.0.0.1:0")
	return s
}

// open opens the store in dir and puts a server over it behind the
// counter.
func (s *site) open(dir string) {
	s.t.Helper()
	st, err := bolt.Open(dir, bolt.Options{})
	if err != nil {
		s.t.Fatalf("open the server's store: %v", err)
	}
	srv, err := server.New(server.Config{Store: st, Name: s.name, SessionTTL: s.ttl, Now: s.clock.Now,
		Anchors: s.pki.Anchors(), Intermediates: s.pki.CACerts(), MaxWait: 5 * time.Second,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		st.Close()
		s.t.Fatal(err)
	}
	s.mu.Lock()
	s.st = st
	s.mu.Unlock()
	s.hits.setNext(srv)
}

// listen serves on addr over TLS (httptest's certificate, the same for
// every listener, for 127.0.0.1 and example.com).
func (s *site) listen(addr string) {
	s.t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		s.t.Fatalf("listen on %s again: %v", addr, err)
	}
	hs := httptest.NewUnstartedServer(s.hits)
	hs.Listener.Close()
	hs.Listener = ln
	hs.StartTLS()
	s.mu.Lock()
	s.hs, s.addr = hs, ln.Addr().String()
	s.mu.Unlock()
}

// down closes the listener: connections are refused until up.
func (s *site) down() {
	s.mu.Lock()
	hs := s.hs
	s.hs = nil
	s.mu.Unlock()
	if hs != nil {
		hs.Close()
	}
}

// up listens again on the address down closed.
func (s *site) up() { s.listen(s.addr) }

// stop closes the listener and the store.
func (s *site) stop() {
	s.down()
	s.mu.Lock()
	st := s.st
	s.st = nil
	s.mu.Unlock()
	if st != nil {
		if err := st.Close(); err != nil {
			s.t.Errorf("close the server's store: %v", err)
		}
	}
}

// backup stops the server, copies its store's directory and starts it
// again; it returns the copy.
func (s *site) backup() string {
	s.t.Helper()
	s.stop()
	dst := s.t.TempDir()
	copyDir(s.t, s.dir, dst)
	s.open(s.dir)
	s.up()
	return dst
}

// restore stops the server and starts it over dir, on the same address.
func (s *site) restore(dir string) {
	s.t.Helper()
	s.stop()
	s.dir = dir
	s.open(dir)
	s.up()
}

func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o700)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o600)
	})
	if err != nil {
		t.Fatalf("copy the server's store: %v", err)
	}
}

// url is the server's base URL under its name.
func (s *site) url() string {
	_, port, _ := net.SplitHostPort(s.addr)
	return "https://" + net.JoinHostPort(s.name, port)
}

// roots trusts the listener's certificate.
func (s *site) roots() *x509.CertPool {
	s.mu.Lock()
	defer s.mu.Unlock()
	roots := x509.NewCertPool()
	roots.AddCert(s.hs.Certificate())
	return roots
}

// direct is a proxy choice that never uses one, so that the
// environment's proxy settings do not touch the tests that are not about
// proxies.
func direct(*http.Request) (*url.URL, error) { return nil, nil }

// newClient is a client of the server; proxy nil is the system's choice.
func (s *site) newClient(t *testing.T, proxy func(*http.Request) (*url.URL, error)) *client.Client {
	t.Helper()
	cl, err := client.New(client.Config{BaseURL: s.url(), RootCAs: s.roots(), HTTPTimeout: 30 * time.Second, Proxy: proxy})
	if err != nil {
		t.Fatal(err)
	}
	return cl
}

// login signs cl in with id's token (logged in with the user PIN for the
// sign-in only) and returns the session.
func (s *site) login(t *testing.T, cl *client.Client, id testpki.Identity) protocol.Session {
	t.Helper()
	signer, closer, err := s.pki.Signer(id, testpki.UserPIN)
	if err != nil {
		t.Fatal(err)
	}
	defer closer.Close()
	sess, err := cl.Login(context.Background(), signer, id.Cert)
	if err != nil {
		t.Fatalf("sign in as %s: %v", id.Cert.Subject.CommonName, err)
	}
	return sess
}

// offsetClock is the server's clock: the real time moved by an offset
// the test advances.
type offsetClock struct{ offset atomic.Int64 }

func (c *offsetClock) Now() time.Time          { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *offsetClock) advance(d time.Duration) { c.offset.Add(int64(d)) }

// hitCounter counts the requests the server is asked, by method and path.
type hitCounter struct {
	mu   gosync.Mutex
	next http.Handler
	hits map[string]int
}

func newHitCounter() *hitCounter { return &hitCounter{hits: map[string]int{}} }

func (h *hitCounter) setNext(next http.Handler) {
	h.mu.Lock()
	h.next = next
	h.mu.Unlock()
}

func (h *hitCounter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	h.hits[r.Method+" "+r.URL.Path]++
	next := h.next
	h.mu.Unlock()
	next.ServeHTTP(w, r)
}

// count is how many requests METHOD PATH the server was asked.
func (h *hitCounter) count(method, path string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.hits[method+" "+path]
}

// agency is one agency's workstation: its user signed in, its cache and
// its engine.
type agency struct {
	code   string
	id     testpki.Identity
	cl     *client.Client
	cache  *store.Store
	e      *engine.Engine
	online chan bool // the app's word on the network (Config.Connectivity)
}

// newAgency signs in as id, the token of a demo user of agency code, and
// makes a cache and an engine.
func (s *site) newAgency(t *testing.T, code string, id testpki.Identity, proxy func(*http.Request) (*url.URL, error)) *agency {
	t.Helper()
	a := &agency{code: code, id: id, cl: s.newClient(t, proxy), online: make(chan bool, 1)}
	s.login(t, a.cl, id)
	cache, err := store.Open(filepath.Join(t.TempDir(), "cache.db"), store.Options{User: code})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := cache.Close(); err != nil {
			t.Errorf("close the cache of %s: %v", code, err)
		}
	})
	a.cache = cache
	a.e = engine.New(engine.Config{Store: cache, Client: a.cl, ChunkSize: 64 << 10, WatchInterfaces: -1,
		Connectivity: a.online, PollWait: 5 * time.Second})
	return a
}

// the three demo agencies, each with its clerk.
func (s *site) province(t *testing.T, proxy func(*http.Request) (*url.URL, error)) *agency {
	return s.newAgency(t, edoc.DemoProvince, s.pki.Agency, proxy)
}

func (s *site) finance(t *testing.T, proxy func(*http.Request) (*url.URL, error)) *agency {
	return s.newAgency(t, edoc.DemoFinance, s.pki.Agency2, proxy)
}

func (s *site) home(t *testing.T, proxy func(*http.Request) (*url.URL, error)) *agency {
	return s.newAgency(t, edoc.DemoHome, s.pki.Agency3, proxy)
}

var pdfSerial atomic.Int64

// samplePDF is a PDF of its own (the title numbers it), so that each
// document has a file no other has.
func samplePDF(t *testing.T, size int64) []byte {
	t.Helper()
	var b bytes.Buffer
	n := pdfSerial.Add(1)
	if err := samplepdf.Write(&b, samplepdf.Options{Title: fmt.Sprintf("Van ban so %d", n), Size: size}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// queue stores file in a's cache and queues doc with it as the main
// file; it returns the client id.
func (a *agency) queue(t *testing.T, doc edoc.Document, file []byte) string {
	t.Helper()
	sha, size, err := a.cache.PutBlob(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	doc.Attachments = []edoc.Attachment{{Role: edoc.RoleMain, Name: "van-ban.pdf", ContentType: "application/pdf", SHA256: sha, Size: size}}
	id := protocol.NewClientID()
	if err := a.cache.Queue(doc, id); err != nil {
		t.Fatal(err)
	}
	return id
}

// send queues a valid document from a to the recipients with a fresh
// PDF; it returns the client id and the file.
func (a *agency) send(t *testing.T, to ...string) (string, []byte) {
	t.Helper()
	file := samplePDF(t, 0)
	return a.queue(t, servertest.Document(a.code, to), file), file
}

// runOnce runs the engine until everything went and came (RunOnce) and
// returns the events it published.
func (a *agency) runOnce(t *testing.T) []engine.Event {
	t.Helper()
	events, stop := a.e.Subscribe()
	var got []engine.Event
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range events {
			got = append(got, ev)
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	err := a.e.RunOnce(ctx)
	stop()
	<-done
	if err != nil {
		t.Fatalf("%s: RunOnce: %v; events %+v", a.code, err, got)
	}
	return got
}

// run starts the engine's service loop until the test ends.
func (a *agency) run(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.e.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != context.Canceled {
			t.Errorf("%s: Run ended with %v", a.code, err)
		}
	})
}

// await reads events until one satisfies ok, for at most a minute.
func await(t *testing.T, events <-chan engine.Event, what string, ok func(engine.Event) bool) engine.Event {
	t.Helper()
	deadline := time.After(time.Minute)
	var seen []engine.Event
	for {
		select {
		case ev, open := <-events:
			if !open {
				t.Fatalf("events ended before %s; seen %+v", what, seen)
			}
			if ok(ev) {
				return ev
			}
			seen = append(seen, ev)
		case <-deadline:
			t.Fatalf("no %s within a minute; seen %+v", what, seen)
		}
	}
}

// box lists a whole box of a's cache.
func (a *agency) box(t *testing.T, box store.Box) []store.Document {
	t.Helper()
	var all []store.Document
	for after := ""; ; {
		page, next, err := a.cache.List(store.ListQuery{Box: box, After: after, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page...)
		if next == "" {
			return all
		}
		after = next
	}
}

// blob reads a file of a's cache.
func (a *agency) blob(t *testing.T, sha string) []byte {
	t.Helper()
	f, err := a.cache.OpenBlob(sha)
	if err != nil {
		t.Fatalf("%s: blob %s: %v", a.code, sha, err)
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// connectProxy is an HTTP CONNECT proxy on loopback that tunnels every
// request to target, whatever host it names, and records the hosts asked
// and the bytes it carried from clients to the server.
type connectProxy struct {
	ln     net.Listener
	target string
	up     atomic.Int64
	wg     gosync.WaitGroup
	mu     gosync.Mutex
	asked  []string
	conns  map[net.Conn]bool
}

func startConnectProxy(t *testing.T, target string) *connectProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &connectProxy{ln: ln, target: target, conns: map[net.Conn]bool{}}
	t.Cleanup(p.close)
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			p.mu.Lock()
			p.conns[conn] = true
			p.mu.Unlock()
			p.wg.Add(1)
			go func() {
				defer p.wg.Done()
				p.tunnel(conn)
			}()
		}
	}()
	return p
}

// close stops accepting, cuts the tunnels (clients keep idle ones open)
// and waits for their goroutines.
func (p *connectProxy) close() {
	p.ln.Close()
	p.mu.Lock()
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *connectProxy) tunnel(conn net.Conn) {
	defer conn.Close()
	br := bufio.NewReader(conn)
	req, err := http.ReadRequest(br)
	if err != nil {
		return
	}
	if req.Method != http.MethodConnect {
		io.WriteString(conn, "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
		return
	}
	p.mu.Lock()
	p.asked = append(p.asked, req.Host)
	p.mu.Unlock()
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		io.WriteString(conn, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
		return
	}
	defer server.Close()
	if _, err := io.WriteString(conn, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
		return
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		io.Copy(countingWriter{server, &p.up}, br)
		server.Close()
	}()
	io.Copy(conn, server)
}

// countingWriter adds what it writes to n.
type countingWriter struct {
	w io.Writer
	n *atomic.Int64
}

func (c countingWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n.Add(int64(n))
	return n, err
}

// hosts are the hosts clients asked tunnels to.
func (p *connectProxy) hosts() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.asked...)
}

// only reports whether every element of list is want (and there is one).
func only(list []string, want string) bool {
	if len(list) == 0 {
		return false
	}
	for _, s := range list {
		if !strings.EqualFold(s, want) {
			return false
		}
	}
	return true
}
