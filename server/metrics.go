package server

import (
	"context"
	"crypto/subtle"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Operations: GET /healthz and GET /metrics, answered before the
// protocol's version check and without a session.
//
// /healthz reads the store (one agency, two seconds at most): 200
// {"status":"ok"} when it answers, else 503 with the reason kept in the
// log only.
//
// /metrics is the Prometheus text format (0.0.4), written here: requests
// by route pattern, method and status class, their latency, the store's
// latency per operation, the feed's lag (commit to the answer that
// carries a change), long polls waiting, requests in flight. Labels are
// route patterns ("/v1/messages/{id}"), never paths, users, agencies or
// documents. Without Config.MetricsToken only loopback clients may read
// it; with one, a request needs "Authorization: Bearer <token>".

// latencyBuckets are the upper bounds (seconds) of the histograms.
var latencyBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600}

// histogram counts observations per bucket.
type histogram struct {
	counts []uint64 // len(latencyBuckets)+1, the last +Inf
	sum    float64
	n      uint64
}

func (h *histogram) observe(v float64) {
	if h.counts == nil {
		h.counts = make([]uint64, len(latencyBuckets)+1)
	}
	i, _ := slices.BinarySearch(latencyBuckets, v)
	h.counts[i]++
	h.sum += v
	h.n++
}

// metrics is the server's registry.
type metrics struct {
	mu       sync.Mutex
	requests map[[3]string]uint64  // route, method, status class
	latency  map[string]*histogram // by route
	storeOps map[string]*histogram // by store operation
	feedLag  histogram             // seconds from commit to delivery
	started  time.Time
	waiting  atomic.Int64 // long polls waiting
	inFlight atomic.Int64
}

func newMetrics(now time.Time) *metrics {
	return &metrics{requests: map[[3]string]uint64{}, latency: map[string]*histogram{}, storeOps: map[string]*histogram{}, started: now}
}

// route is r's pattern as the mux matched it, cut to its path ("GET
// /x" → "/x"); "other" when none matched.
func route(r *http.Request) string {
	p := r.Pattern
	if i := strings.IndexByte(p, ' '); i >= 0 {
		p = p[i+1:]
	}
	if p == "" || p == "/" {
		return "other"
	}
	return p
}

func statusClass(code int) string {
	if code == 0 {
		code = 200
	}
	return strconv.Itoa(code/100) + "xx"
}

// request records one answered request.
func (m *metrics) request(r *http.Request, code int, d time.Duration) {
	rt := route(r)
	method := r.Method
	switch method {
	case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE":
	default:
		method = "other" // no label from a client's fancy
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[[3]string{rt, method, statusClass(code)}]++
	h := m.latency[rt]
	if h == nil {
		h = &histogram{}
		m.latency[rt] = h
	}
	h.observe(d.Seconds())
}

// storeOp records one store call.
func (m *metrics) storeOp(op string, d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	h := m.storeOps[op]
	if h == nil {
		h = &histogram{}
		m.storeOps[op] = h
	}
	h.observe(d.Seconds())
}

func (m *metrics) lag(d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.feedLag.observe(max(d.Seconds(), 0))
}

// write writes the exposition.
func (m *metrics) write(w io.Writer, now time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	fmt.Fprintln(w, "# HELP vanthu_http_requests_total HTTP requests answered, by route pattern, method and status class.")
	fmt.Fprintln(w, "# TYPE vanthu_http_requests_total counter")
	keys := make([][3]string, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b [3]string) int { return strings.Compare(a[0]+a[1]+a[2], b[0]+b[1]+b[2]) })
	for _, k := range keys {
		fmt.Fprintf(w, "vanthu_http_requests_total{route=%q,method=%q,code=%q} %d\n", k[0], k[1], k[2], m.requests[k])
	}
	writeHistograms(w, "vanthu_http_request_duration_seconds", "Time to answer a request (long polls included), by route pattern.", "route", m.latency)
	writeHistograms(w, "vanthu_store_op_duration_seconds", "Time of the store's operations, by operation.", "op", m.storeOps)
	writeHistograms(w, "vanthu_feed_lag_seconds", "Time from a change's commit to the answer that delivers it.", "", map[string]*histogram{"": &m.feedLag})
	fmt.Fprintln(w, "# HELP vanthu_long_polls_waiting Long polls of the change feed waiting for a change.")
	fmt.Fprintln(w, "# TYPE vanthu_long_polls_waiting gauge")
	fmt.Fprintf(w, "vanthu_long_polls_waiting %d\n", m.waiting.Load())
	fmt.Fprintln(w, "# HELP vanthu_http_requests_in_flight Requests being answered.")
	fmt.Fprintln(w, "# TYPE vanthu_http_requests_in_flight gauge")
	fmt.Fprintf(w, "vanthu_http_requests_in_flight %d\n", m.inFlight.Load())
	fmt.Fprintln(w, "# HELP vanthu_uptime_seconds Seconds since the server started.")
	fmt.Fprintln(w, "# TYPE vanthu_uptime_seconds gauge")
	fmt.Fprintf(w, "vanthu_uptime_seconds %.0f\n", now.Sub(m.started).Seconds())
}

func writeHistograms(w io.Writer, name, help, label string, hs map[string]*histogram) {
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name)
	names := make([]string, 0, len(hs))
	for k := range hs {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		h := hs[k]
		lbl := ""
		if label != "" {
			lbl = fmt.Sprintf("%s=%q,", label, k)
		}
		var cum uint64
		for i, le := range latencyBuckets {
			if h.counts != nil {
				cum += h.counts[i]
			}
			fmt.Fprintf(w, "%s_bucket{%sle=%q} %d\n", name, lbl, strconv.FormatFloat(le, 'g', -1, 64), cum)
		}
		fmt.Fprintf(w, "%s_bucket{%sle=\"+Inf\"} %d\n", name, lbl, h.n)
		tail := ""
		if label != "" {
			tail = "{" + strings.TrimSuffix(lbl, ",") + "}"
		}
		sum := h.sum
		if math.IsInf(sum, 0) || math.IsNaN(sum) {
			sum = 0
		}
		fmt.Fprintf(w, "%s_sum%s %g\n%s_count%s %d\n", name, tail, sum, name, tail, h.n)
	}
}

// opsPath reports whether serveOps answers p.
func opsPath(p string) bool { return p == "/healthz" || p == "/metrics" || p == "/backup" }

// serveOps answers /healthz and /metrics.
func (s *Server) serveOps(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	switch r.URL.Path {
	case "/healthz":
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "application/json")
		if _, err := s.st.Agencies(ctx, "", 1); err != nil { // a read of the database itself
			s.log.Error("health check: the store does not answer", "err", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, `{"status":"unavailable"}`+"\n")
			return
		}
		io.WriteString(w, `{"status":"ok"}`+"\n")
	case "/backup":
		s.serveBackup(w, r)
	case "/metrics":
		if !s.mayReadMetrics(r) {
			s.log.Warn("metrics refused", "reason", "not loopback and no valid token")
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		s.metrics.write(w, s.c.Now())
	}
}

// mayReadMetrics: the bearer token when one is configured, else a
// loopback client.
func (s *Server) mayReadMetrics(r *http.Request) bool {
	if t := s.c.MetricsToken; t != "" {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		return ok && subtle.ConstantTimeCompare([]byte(got), []byte(t)) == 1
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
