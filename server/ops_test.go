package server

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/vanthuso/vanthu/sync/protocol"
)

// syncBuffer is a log sink the server's goroutines write to.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func getOps(t *testing.T, url string, header http.Header) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestHealthz(t *testing.T) {
	e := newEnv(t, nil)
	// No protocol header, no session: a load balancer's probe.
	if code, body := getOps(t, e.hs.URL+"/healthz", nil); code != 200 || strings.TrimSpace(body) != `{"status":"ok"}` {
		t.Fatalf("healthz: %d %q", code, body)
	}
	e.st.Close() // the store is gone
	if code, body := getOps(t, e.hs.URL+"/healthz", nil); code != 503 || strings.Contains(body, "bolt") {
		t.Fatalf("healthz of a closed store: %d %q", code, body)
	}
}

var sampleLine = regexp.MustCompile(`^([a-z_]+)(\{(?:[^"}]|"[^"]*")*\})? ([0-9.e+-]+)$`)

// scrape reads the exposition: value by "name{labels}".
func scrape(t *testing.T, body string) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "# ") {
			continue
		}
		m := sampleLine.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("not an exposition line: %q", line)
		}
		v, err := strconv.ParseFloat(m[3], 64)
		if err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		out[m[1]+m[2]] = v
	}
	return out
}

// TestMetricsAndLogs: after a send, a delivery through the feed and a
// refused request, /metrics counts them by route pattern, times the
// store and the feed lag; the JSON log lines carry no personal data or
// secret (names, e-mail addresses, tokens, document content; opaque ids
// and public agency codes are what operators trace by), the metrics not
// even ids.
func TestMetricsAndLogs(t *testing.T) {
	logs := &syncBuffer{}
	e := newEnv(t, func(c *Config) { c.Logger = slog.New(slog.NewJSONHandler(logs, nil)) })
	a, b := e.user(agencyA, protocol.RoleClerk), e.user(agencyB, protocol.RoleClerk)
	ans := e.sent(a, agencyA, []byte("%PDF-1.7 công văn mật số 42"), agencyB)
	ch := b.Changes("", 0)
	if len(ch.Changes) == 0 {
		t.Fatal("no change delivered")
	}
	b.Do("GET", "/v1/messages/khong-co", nil, nil).Want(t, 404)
	e.anonymous().Do("GET", "/v1/me", nil, nil).Want(t, 401)

	code, body := getOps(t, e.hs.URL+"/metrics", nil)
	if code != 200 {
		t.Fatalf("metrics: %d %s", code, body)
	}
	m := scrape(t, body)
	for key, atLeast := range map[string]float64{
		`vanthu_http_requests_total{route="/v1/messages/{id}",method="PUT",code="2xx"}`: 1,
		`vanthu_http_requests_total{route="/v1/messages/{id}",method="GET",code="4xx"}`: 1,
		`vanthu_http_requests_total{route="/v1/me",method="GET",code="4xx"}`:            1,
		`vanthu_http_requests_total{route="/v1/changes",method="GET",code="2xx"}`:       1,
		`vanthu_store_op_duration_seconds_count{op="commit_send"}`:                      1,
		`vanthu_store_op_duration_seconds_count{op="changes"}`:                          1,
		`vanthu_feed_lag_seconds_count`:                                                 1,
		`vanthu_http_request_duration_seconds_count{route="/v1/changes"}`:               1,
	} {
		if m[key] < atLeast {
			t.Errorf("%s = %v, want ≥ %v", key, m[key], atLeast)
		}
	}
	// Histograms are cumulative and end at their count.
	if inf, n := m[`vanthu_feed_lag_seconds_bucket{le="+Inf"}`], m[`vanthu_feed_lag_seconds_count`]; inf != n {
		t.Errorf("feed lag: +Inf %v, count %v", inf, n)
	}
	if m[`vanthu_feed_lag_seconds_bucket{le="0.001"}`] > m[`vanthu_feed_lag_seconds_bucket{le="1"}`] {
		t.Error("feed lag buckets are not cumulative")
	}
	// Personal data and secrets: names (the user's, the certificate's),
	// session tokens, the document's content and subject. The metrics
	// carry no ids at all (agencies, messages, paths): labels stay few.
	secrets := []string{a.Token, b.Token, "Nguyễn Văn An", "user of", "công văn mật", "quy chế tiếp nhận", "@"}
	for _, s := range append([]string{agencyA, agencyB, ans.MessageID, "khong-co"}, secrets...) {
		if strings.Contains(body, s) {
			t.Errorf("the metrics carry %q", s)
		}
	}
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	requests := 0
	for _, l := range lines {
		var rec map[string]any
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("log line is not JSON: %q", l)
		}
		if rec["msg"] == "request" {
			requests++
		}
		for _, s := range secrets {
			if strings.Contains(l, s) {
				t.Errorf("log line carries %q: %s", s, l)
			}
		}
	}
	if requests < 5 {
		t.Errorf("%d request lines logged:\n%s", requests, logs.String())
	}
}

// TestMetricsAccess: without a token only loopback reads /metrics; with
// one, only its bearer, wherever from.
func TestMetricsAccess(t *testing.T) {
	e := newEnv(t, nil)
	get := func(srv *Server, remote, auth string) int {
		r := httptest.NewRequest("GET", "/metrics", nil)
		r.RemoteAddr = remote
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, r)
		return w.Code
	}
	for remote, want := range map[string]int{"127.0.0.1:5000": 200, "[::1]:5000": 200, "203.0.113.7:5000": 403, "10.0.0.2:1": 403, "garbage": 403} {
		if got := get(e.srv, remote, ""); got != want {
			t.Errorf("from %s: %d, want %d", remote, got, want)
		}
	}
	e2 := newEnv(t, func(c *Config) { c.MetricsToken = "bi-mat-giam-sat" })
	for auth, want := range map[string]int{"": 403, "Bearer sai": 403, "bi-mat-giam-sat": 403, "Bearer bi-mat-giam-sat": 200} {
		if got := get(e2.srv, "203.0.113.7:5000", auth); got != want {
			t.Errorf("token %q: %d, want %d", auth, got, want)
		}
	}
	if got := get(e2.srv, "127.0.0.1:1", ""); got != 403 {
		t.Errorf("with a token, loopback without it: %d", got)
	}
}
