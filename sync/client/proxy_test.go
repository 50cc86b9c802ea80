package client

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	gosync "sync"
	"testing"

	"github.com/vanthuso/vanthu/sync/protocol"
)

// connectProxy is an HTTP CONNECT proxy on loopback that sends every
// tunnel to target, whatever host was asked, and records the hosts.
type connectProxy struct {
	ln     net.Listener
	target string
	mu     gosync.Mutex
	hosts  []string
}

func startConnectProxy(t *testing.T, target string) *connectProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &connectProxy{ln: ln, target: target}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go p.serve(conn)
		}
	}()
	return p
}

func (p *connectProxy) serve(conn net.Conn) {
	defer conn.Close()
	br := bufio.NewReader(conn)
	req, err := http.ReadRequest(br)
	if err != nil || req.Method != http.MethodConnect {
		io.WriteString(conn, "HTTP/1.1 405 Method Not Allowed\r\n\r\n")
		return
	}
	p.mu.Lock()
	p.hosts = append(p.hosts, req.Host)
	p.mu.Unlock()
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		io.WriteString(conn, "HTTP/1.1 502 Bad Gateway\r\n\r\n")
		return
	}
	defer up.Close()
	io.WriteString(conn, "HTTP/1.1 200 Connection established\r\n\r\n")
	go io.Copy(up, br)
	io.Copy(conn, up)
}

func (p *connectProxy) seen() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.hosts...)
}

// HTTPS_PROXY from the environment carries the traffic. The server is
// addressed as example.com (a name its test certificate holds): only the
// proxy knows it is on loopback, so nothing reaches the server but
// through the proxy.
func TestProxyFromTheEnvironment(t *testing.T) {
	_, srv := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, protocol.Me{User: protocol.User{Name: "qua proxy"}})
	}))
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	proxy := startConnectProxy(t, srv.Listener.Addr().String())
	t.Setenv("HTTPS_PROXY", "http://"+proxy.ln.Addr().String())
	t.Setenv("NO_PROXY", "")
	c, err := New(Config{BaseURL: "https://example.com:" + port, RootCAs: rootsOf(srv)})
	if err != nil {
		t.Fatal(err)
	}
	c.SetSession(protocol.Session{Token: "t"})
	me, err := c.Me(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if me.User.Name != "qua proxy" {
		t.Errorf("me = %+v", me)
	}
	if got := proxy.seen(); len(got) != 1 || got[0] != "example.com:"+port {
		t.Errorf("the proxy saw %q", got)
	}
}

func TestSystemProxyNoProxy(t *testing.T) {
	t.Setenv("HTTPS_PROXY", "http://proxy.so-noi-vu.gov.vn:3128")
	t.Setenv("NO_PROXY", "noibo.gov.vn")
	f := SystemProxy()
	for target, want := range map[string]string{
		"https://vanthu.example.gov.vn/v1/me": "http://proxy.so-noi-vu.gov.vn:3128",
		"https://vanthu.noibo.gov.vn/v1/me":   "",
		"https://127.0.0.1:8443/v1/me":        "",
	} {
		req, _ := http.NewRequest("GET", target, nil)
		u, err := f(req)
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		if u != nil {
			got = u.String()
		}
		if got != want {
			t.Errorf("%s: proxy %q, want %q", target, got, want)
		}
	}
}

func TestWinINetProxy(t *testing.T) {
	type probe struct{ url, want string }
	cases := []struct {
		name             string
		enabled          bool
		server, override string
		probes           []probe
	}{
		{"disabled", false, "proxy:8080", "", nil},
		{"one for all", true, "proxy.tinh.gov.vn:8080", "", []probe{
			{"https://vanthu.gov.vn/", "http://proxy.tinh.gov.vn:8080"},
			{"http://vanthu.gov.vn/", "http://proxy.tinh.gov.vn:8080"},
			{"https://127.0.0.1:9/", ""},
			{"https://localhost/", ""},
		}},
		{"per scheme", true, "http=web:80;https=secure:443;socks=sock:1080", "", []probe{
			{"https://vanthu.gov.vn/", "http://secure:443"},
			{"http://vanthu.gov.vn/", "http://web:80"},
		}},
		{"http only", true, "http=web:80", "", []probe{
			{"https://vanthu.gov.vn/", ""},
		}},
		{"overrides", true, "proxy:3128", "<local>;*.noibo.gov.vn;10.*;Vanthu.Tinh.Gov.Vn", []probe{
			{"https://intranet/", ""},
			{"https://a.noibo.gov.vn/", ""},
			{"https://10.1.2.3:8443/", ""},
			{"https://vanthu.tinh.gov.vn/", ""},
			{"https://vanthu.gov.vn/", "http://proxy:3128"},
			{"https://noibo.gov.vn.evil.vn/", "http://proxy:3128"},
		}},
		{"scheme in the address", true, "https=http://p.gov.vn:81", "", []probe{
			{"https://x.gov.vn/", "http://p.gov.vn:81"},
		}},
	}
	for _, tc := range cases {
		f := winINetProxy(tc.enabled, tc.server, tc.override)
		if len(tc.probes) == 0 {
			if f != nil {
				t.Errorf("%s: a proxy function for no proxy", tc.name)
			}
			continue
		}
		if f == nil {
			t.Fatalf("%s: no proxy function", tc.name)
		}
		for _, p := range tc.probes {
			u, _ := url.Parse(p.url)
			got, err := f(u)
			if err != nil {
				t.Fatal(err)
			}
			s := ""
			if got != nil {
				s = got.String()
			}
			if s != p.want {
				t.Errorf("%s: %s → %q, want %q", tc.name, p.url, s, p.want)
			}
		}
	}
}
