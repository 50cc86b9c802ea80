package server

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vanthuso/vanthu/server/store"
	"github.com/vanthuso/vanthu/signing/verify"
	"github.com/vanthuso/vanthu/sync/protocol"
)

// Config configures New. Store and Name are required; zero values of the
// rest take the defaults their comments give.
type Config struct {
	// Store keeps everything; the caller closes it after the server is
	// done.
	Store store.Store
	// Name is the server's name as clients know it (the host name of
	// its URL): challenges carry it and clients refuse to sign a
	// challenge naming another server. Never taken from a request.
	Name string

	// Anchors, Intermediates, Revocation and AcceptUnknownRevocation
	// configure signing/verify for incoming PDFs (verify.Options).
	Anchors                 []*x509.Certificate
	Intermediates           []*x509.Certificate
	Revocation              verify.RevocationChecker
	AcceptUnknownRevocation bool

	// SessionTTL is how long a session lasts (8 hours); ChallengeTTL how
	// long a challenge may be answered (2 minutes).
	SessionTTL   time.Duration
	ChallengeTTL time.Duration
	// Now is the clock (time.Now).
	Now func() time.Time
	// Logger receives request failures, panics and security events
	// (slog.Default()).
	Logger *slog.Logger

	// MaxBody bounds JSON request bodies (1 MiB); MaxChunk an upload
	// chunk (8 MiB); MaxBlob a file (1 GiB).
	MaxBody  int64
	MaxChunk int64
	MaxBlob  int64
	// FeedLimit is the most changes one answer of GET /v1/changes
	// carries (200); MaxWait the longest long poll (protocol.MaxWait
	// seconds).
	FeedLimit int
	MaxWait   time.Duration
	// KeyWait is how long a request waits for another request with the
	// same client id to finish before answering CodeInFlight (30 s).
	KeyWait time.Duration
	// MetricsToken, when set, is the bearer token GET /metrics needs;
	// without one only loopback clients may read it (metrics.go).
	MetricsToken string
	// BackupToken is the bearer token GET /backup needs; empty: no
	// online backup (backup.go).
	BackupToken string
}

// Server is the HTTP API. It is an http.Handler; see the package doc for
// the endpoints.
type Server struct {
	c    Config
	st   store.Store
	log  *slog.Logger
	meta store.Meta
	mux  *http.ServeMux
	keys keyLocks

	metrics *metrics

	pruneMu   sync.Mutex
	lastPrune time.Time
}

// New checks c and returns a Server.
func New(c Config) (*Server, error) {
	if c.Store == nil {
		return nil, errors.New("server: no store")
	}
	if c.Name == "" {
		return nil, errors.New("server: no name")
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.SessionTTL, 8*time.Hour)
	def(&c.ChallengeTTL, 2*time.Minute)
	def(&c.MaxWait, protocol.MaxWait*time.Second)
	def(&c.KeyWait, 30*time.Second)
	for _, d := range []struct {
		p *int64
		v int64
	}{{&c.MaxBody, 1 << 20}, {&c.MaxChunk, 8 << 20}, {&c.MaxBlob, 1 << 30}} {
		if *d.p <= 0 {
			*d.p = d.v
		}
	}
	if c.FeedLimit <= 0 {
		c.FeedLimit = 200
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	meta, err := c.Store.Meta(context.Background())
	if err != nil {
		return nil, fmt.Errorf("server: read store meta: %w", err)
	}
	m := newMetrics(c.Now())
	s := &Server{c: c, st: withTiming(c.Store, m), log: c.Logger, meta: meta, mux: http.NewServeMux(), metrics: m}
	s.routes()
	return s, nil
}

// methods dispatches one path by method; others answer 405.
type methods map[string]func(http.ResponseWriter, *http.Request) error

func (s *Server) routes() {
	handle := func(path string, m methods) {
		s.mux.Handle(path, s.dispatch(m))
	}
	handle("/v1/auth/challenge", methods{"POST": s.postChallenge})
	handle("/v1/auth/session", methods{"POST": s.postSession, "DELETE": s.authed(s.deleteSession)})
	handle("/v1/me", methods{"GET": s.authed(s.getMe)})
	handle("/v1/directory", methods{"GET": s.authed(s.getDirectory)})
	handle("/v1/blobs/{sha}", methods{"GET": s.authed(s.getBlob), "HEAD": s.authed(s.getBlob)})
	handle("/v1/uploads", methods{"POST": s.authed(s.postUpload)})
	handle("/v1/uploads/{id}", methods{"HEAD": s.authed(s.headUpload), "PATCH": s.authed(s.patchUpload)})
	handle("/v1/messages", methods{"GET": s.authed(s.listMessages)})
	handle("/v1/messages/{id}", methods{"GET": s.authed(s.getMessage), "PUT": s.authed(s.putMessage)})
	handle("/v1/messages/{id}/statuses/{sid}", methods{"PUT": s.authed(s.putStatus)})
	handle("/v1/changes", methods{"GET": s.authed(s.getChanges)})
	handle("/v1/work/{aid}", methods{"PUT": s.authed(s.putWork)})
	handle("/v1/cases", methods{"GET": s.authed(s.getCases)})
	handle("/v1/cases/{id}", methods{"GET": s.authed(s.getCase)})
	handle("/v1/registers/{kind}", methods{"GET": s.authed(s.getRegister)})
	handle("/v1/audit", methods{"GET": s.authed(s.getAudit)})
	handle("/v1/staff", methods{"GET": s.authed(s.getStaff)})
	handle("/v1/admin/users", methods{"GET": s.authed(s.adminUsers)})
	handle("/v1/admin/users/{id}/disable", methods{"POST": s.authed(s.adminDisable)})
	s.mux.Handle("/", s.dispatch(nil))
}

// ServeHTTP implements http.Handler: the version header both ways, the
// error model for every failure, panics answered as CodeInternal.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if opsPath(r.URL.Path) {
		s.serveOps(w, r)
		return
	}
	if strings.HasPrefix(r.URL.Path, AxisPrefix) {
		s.serveAxis(w, r) // the SDK's own protocol: no Vanthu-Protocol header
		return
	}
	w.Header().Set(protocol.HeaderVersion, strconv.Itoa(protocol.Version))
	rw := &recorder{ResponseWriter: w}
	start := time.Now()
	s.metrics.inFlight.Add(1)
	defer func() {
		d := time.Since(start)
		s.metrics.inFlight.Add(-1)
		s.metrics.request(r, rw.code, d)
		// The route pattern, never the path: no ids of documents,
		// users or agencies in the log.
		s.log.Info("request", "method", r.Method, "route", route(r), "status", max(rw.code, 200), "ms", d.Milliseconds())
	}()
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.Error("panic", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			if !rw.wrote {
				s.writeError(rw, r, &apiError{status: 500, e: protocol.Error{Code: protocol.CodeInternal, Message: "internal error", Retryable: true}})
			}
		}
	}()
	if v := r.Header.Get(protocol.HeaderVersion); v != strconv.Itoa(protocol.Version) {
		s.writeError(rw, r, fail(400, protocol.CodeUnsupportedVersion, "this server speaks protocol %d, not %q", protocol.Version, v))
		return
	}
	s.mux.ServeHTTP(rw, r)
}

func (s *Server) dispatch(m methods) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if m == nil {
			s.writeError(w, r, fail(404, protocol.CodeNotFound, "no such endpoint"))
			return
		}
		h, ok := m[r.Method]
		if !ok {
			var allow []string
			for k := range m {
				allow = append(allow, k)
			}
			w.Header()["Allow"] = allow
			s.writeError(w, r, fail(405, protocol.CodeBadRequest, "method %s not allowed here", r.Method))
			return
		}
		if err := h(w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}

// recorder notes whether the answer has started.
type recorder struct {
	http.ResponseWriter
	wrote bool
	code  int // the status sent, 0 before
}

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.code = code
	}
	r.wrote = true
	r.ResponseWriter.WriteHeader(code)
}
func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// apiError is an answer of the error model.
type apiError struct {
	status int
	e      protocol.Error
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.status, e.e.Code, e.e.Message) }

func fail(status int, code, format string, args ...any) *apiError {
	return &apiError{status: status, e: protocol.Error{Code: code, Message: fmt.Sprintf(format, args...),
		Retryable: status >= 500 || code == protocol.CodeInFlight}}
}

func notFound(what string) *apiError { return fail(404, protocol.CodeNotFound, "%s not found", what) }

// writeError answers err in the error model; an error that is not an
// *apiError is logged and answered as CodeInternal without its text.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var ae *apiError
	if !errors.As(err, &ae) {
		if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
			return // the client went away
		}
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		ae = fail(500, protocol.CodeInternal, "internal error")
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set(protocol.HeaderErrorCode, ae.e.Code)
	if ae.e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(ae.e.RetryAfter))
	}
	w.WriteHeader(ae.status)
	if r.Method != http.MethodHead {
		json.NewEncoder(w).Encode(protocol.ErrorBody{Error: ae.e})
	}
}

// writeJSON answers v with status.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode answer: %w", err)
	}
	writeRaw(w, status, data)
	return nil
}

func writeRaw(w http.ResponseWriter, status int, data []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(data)
}

// decodeJSON reads a JSON body of at most the configured size into v.
func (s *Server) decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	rc := http.NewResponseController(w)
	rc.SetReadDeadline(time.Now().Add(time.Minute))
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.c.MaxBody))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return fail(413, protocol.CodeTooLarge, "request body over %d bytes", s.c.MaxBody)
	}
	if err != nil {
		return fail(400, protocol.CodeBadRequest, "read body: %v", err)
	}
	return decodeBody(data, v)
}

// decodeBody decodes one JSON value, nothing after it.
func decodeBody(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(v); err != nil {
		return fail(400, protocol.CodeBadRequest, "body: %v", err)
	}
	if dec.More() {
		return fail(400, protocol.CodeBadRequest, "body: data after the JSON value")
	}
	if _, err := dec.Token(); err != io.EOF {
		return fail(400, protocol.CodeBadRequest, "body: data after the JSON value")
	}
	return nil
}

// jitter returns d shortened by up to a fifth, at random.
func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return d - time.Duration(rand.Int64N(int64(d)/5+1))
}

// keyLocks serialises requests per idempotency key within this process
// (the store's transactional check covers other processes).
type keyLocks struct {
	mu    sync.Mutex
	locks map[string]*keyLock
}

type keyLock struct {
	ch   chan struct{}
	refs int
}

// lock waits for key up to wait; ok false when it did not get it.
func (k *keyLocks) lock(ctx context.Context, key string, wait time.Duration) (unlock func(), ok bool) {
	k.mu.Lock()
	if k.locks == nil {
		k.locks = map[string]*keyLock{}
	}
	l := k.locks[key]
	if l == nil {
		l = &keyLock{ch: make(chan struct{}, 1)}
		k.locks[key] = l
	}
	l.refs++
	k.mu.Unlock()
	release := func() {
		k.mu.Lock()
		if l.refs--; l.refs == 0 {
			delete(k.locks, key)
		}
		k.mu.Unlock()
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case l.ch <- struct{}{}:
		return func() { <-l.ch; release() }, true
	case <-ctx.Done():
	case <-t.C:
	}
	release()
	return nil, false
}
