package client

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	gosync "sync"
	"time"

	"github.com/vanthuso/vanthu/sync/protocol"
)

// DefaultHTTPTimeout is Config.HTTPTimeout when it is zero.
const DefaultHTTPTimeout = 30 * time.Second

// maxAnswer bounds a JSON answer read into memory (a page of messages
// with their verification reports included); maxErrorBody an error
// answer.
const (
	maxAnswer    = 64 << 20
	maxErrorBody = 64 << 10
)

// Config configures a Client.
type Config struct {
	// BaseURL is the server, e.g. "https://vanthu.example.gov.vn" (a path
	// prefix is kept). It must be https, except on a loopback address
	// (tests, a server on the same machine).
	BaseURL string
	// RootCAs verifies the server's TLS certificate; nil uses the
	// system's roots.
	RootCAs *x509.CertPool
	// Proxy picks the proxy of each request; nil is SystemProxy().
	Proxy func(*http.Request) (*url.URL, error)
	// UserAgent is sent on every request; "" is "vanthu-sync/1".
	UserAgent string
	// HTTPTimeout is how long a request may go without a byte moving
	// either way (sending the body, waiting for the answer, reading it):
	// a slow transfer goes on, a stalled one is cut with ErrTimeout. A
	// long poll waits its wait on top for the first byte of the answer.
	// Zero is DefaultHTTPTimeout.
	HTTPTimeout time.Duration
	// Now is the local clock, to measure clock skew; nil is time.Now.
	Now func() time.Time
}

// Client talks to one server. Make it with New; it is safe for
// concurrent use.
type Client struct {
	base    *url.URL
	hc      *http.Client
	ua      string
	timeout time.Duration
	now     func() time.Time

	mu       gosync.Mutex
	session  protocol.Session
	skew     time.Duration
	skewSeen bool
}

// New checks cfg and returns a Client. It makes no request.
func New(cfg Config) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(cfg.BaseURL, "/"))
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("server address %q: want https://host[:port]", cfg.BaseURL)
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return nil, fmt.Errorf("server address %q: plain http is only allowed on loopback; use https", cfg.BaseURL)
	}
	u.RawQuery, u.Fragment = "", ""
	proxy := cfg.Proxy
	if proxy == nil {
		proxy = SystemProxy()
	}
	timeout := cfg.HTTPTimeout
	if timeout <= 0 {
		timeout = DefaultHTTPTimeout
	}
	tr := &http.Transport{
		Proxy:                 proxy,
		DialContext:           (&net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:       &tls.Config{RootCAs: cfg.RootCAs, MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:   timeout,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          4,
		IdleConnTimeout:       90 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	ua := cfg.UserAgent
	if ua == "" {
		ua = "vanthu-sync/1"
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &Client{
		base: u,
		// Redirects are not followed: an API answer never redirects, and
		// following one would carry the session to another address.
		hc: &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}},
		ua: ua, timeout: timeout, now: now,
	}, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// BaseURL is the server's address as configured, without a trailing
// slash.
func (c *Client) BaseURL() string { return c.base.String() }

// SetSession makes s the session of the following requests (one saved
// from an earlier run, or a fresh one). The zero Session signs out
// locally.
func (c *Client) SetSession(s protocol.Session) {
	c.mu.Lock()
	c.session = s
	c.mu.Unlock()
}

// Session is the current session; its Token is "" when not signed in.
func (c *Client) Session() protocol.Session {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.session
}

// ClockSkew is how far the server's clock (its Date header) is ahead of
// the local one, as seen on the last answer; ok is false before any
// answer carried a date. The Date header has a resolution of one second.
func (c *Client) ClockSkew() (skew time.Duration, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.skew, c.skewSeen
}

// ServerNow is the local clock corrected by the last clock skew: the
// server's time as best known.
func (c *Client) ServerNow() time.Time {
	skew, _ := c.ClockSkew()
	return c.now().Add(skew)
}

// request describes one API call.
type request struct {
	method string
	path   string // under the base URL, starting with /v1/
	query  url.Values
	header http.Header
	body   []byte
	// timeout bounds the wait for the first byte of the answer; 0 is
	// the client's HTTPTimeout. Every byte sent or received restarts
	// the client's HTTPTimeout: a transfer may take long, not stall.
	timeout time.Duration
	// anonymous: the call needs no session (sign-in).
	anonymous bool
}

func (r request) name() string { return r.method + " " + r.path }

// do sends r. For an answer with status < 400 it returns the response
// (the caller closes its body) and a function to call when done with it;
// an error answer is read and returned as *protocol.Error.
func (c *Client) do(ctx context.Context, r request) (*http.Response, func(), error) {
	tok := c.Session().Token
	if tok == "" && !r.anonymous {
		return nil, nil, fmt.Errorf("%s: %w", r.name(), ErrNotSignedIn)
	}
	ctx, cancel := context.WithCancelCause(ctx)
	idle := &idleTimer{d: c.timeout}
	idle.t = time.AfterFunc(c.timeout, func() { cancel(ErrTimeout) })
	done := func() {
		idle.stop()
		cancel(context.Canceled)
	}
	target := c.base.String() + r.path // r.path is escaped already
	if q := r.query.Encode(); q != "" {
		target += "?" + q
	}
	req, err := http.NewRequestWithContext(ctx, r.method, target, nil)
	if err != nil {
		done()
		return nil, nil, fmt.Errorf("%s: %w", r.name(), err)
	}
	if r.body != nil {
		req.ContentLength = int64(len(r.body))
		req.GetBody = func() (io.ReadCloser, error) {
			return io.NopCloser(&touchReader{r: bytes.NewReader(r.body), idle: idle}), nil
		}
		req.Body, _ = req.GetBody()
	}
	for k, v := range r.header {
		req.Header[k] = v
	}
	req.Header.Set(protocol.HeaderVersion, strconv.Itoa(protocol.Version))
	req.Header.Set("User-Agent", c.ua)
	if r.body != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "application/json")
	}
	if tok != "" && !r.anonymous {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if r.timeout > 0 {
		// A long poll: the first wait is longer than the idle limit.
		idle.reset(r.timeout)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		done()
		if context.Cause(ctx) == ErrTimeout {
			return nil, nil, fmt.Errorf("%s: %w", r.name(), ErrTimeout)
		}
		return nil, nil, fmt.Errorf("%s: %w", r.name(), err)
	}
	idle.reset(c.timeout)
	resp.Body = &touchReader{r: resp.Body, c: resp.Body, idle: idle, ctx: ctx}
	c.noteDate(resp.Header.Get("Date"))
	if resp.StatusCode >= 400 {
		defer done()
		defer resp.Body.Close()
		data, rerr := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		if rerr != nil && len(data) == 0 {
			return nil, nil, fmt.Errorf("%s: read error answer %d: %w", r.name(), resp.StatusCode, rerr)
		}
		return nil, nil, decodeError(resp.StatusCode, resp.Header, data)
	}
	return resp, done, nil
}

// idleTimer cancels a request when nothing moved for d.
type idleTimer struct {
	mu gosync.Mutex
	t  *time.Timer
	d  time.Duration
}

func (it *idleTimer) touch() { it.reset(0) }

// reset restarts the timer for d (0: the timer's own duration).
func (it *idleTimer) reset(d time.Duration) {
	it.mu.Lock()
	defer it.mu.Unlock()
	if d <= 0 {
		d = it.d
	}
	it.t.Reset(d)
}

func (it *idleTimer) stop() {
	it.mu.Lock()
	it.t.Stop()
	it.mu.Unlock()
}

// touchReader restarts the idle timer on every byte it passes and
// reports a read the timer stopped as ErrTimeout.
type touchReader struct {
	r    io.Reader
	c    io.Closer // nil for a request body
	idle *idleTimer
	ctx  context.Context
}

func (t *touchReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if n > 0 {
		t.idle.touch()
	}
	if err != nil && err != io.EOF && t.ctx != nil && context.Cause(t.ctx) == ErrTimeout {
		err = fmt.Errorf("%w: %v", ErrTimeout, err)
	}
	return n, err
}

func (t *touchReader) Close() error {
	if t.c == nil {
		return nil
	}
	return t.c.Close()
}

// ErrTimeout is the cause of a request that the client's own time limit
// (Config.HTTPTimeout, plus the wait of a long poll) stopped, or of a
// transfer that stalled that long. It is transient.
var ErrTimeout = errors.New("no answer within the time limit")

// call sends r and decodes a JSON answer into out (when out is not nil).
func (c *Client) call(ctx context.Context, r request, out any) (*http.Response, error) {
	resp, done, err := c.do(ctx, r)
	if err != nil {
		return nil, err
	}
	defer done()
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if tr, ok := resp.Body.(*touchReader); ok && context.Cause(tr.ctx) == ErrTimeout {
		// The time limit struck while the answer came: whatever was read
		// may be cut.
		return nil, fmt.Errorf("%s: %w", r.name(), ErrTimeout)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: read answer: %w", r.name(), err)
	}
	if len(data) > maxAnswer {
		return nil, fmt.Errorf("%s: %w: larger than %d bytes", r.name(), ErrBadAnswer, maxAnswer)
	}
	if out != nil {
		if err := decodeAnswer(data, out); err != nil {
			return nil, fmt.Errorf("%s: %w", r.name(), err)
		}
	}
	return resp, nil
}

// decodeAnswer reads a JSON answer. Unknown fields are allowed (a newer
// server adds some); anything that is not one JSON value is an error.
func decodeAnswer(data []byte, out any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(out); err != nil {
		return fmt.Errorf("%w: %v", ErrBadAnswer, err)
	}
	if dec.More() {
		return fmt.Errorf("%w: data after the value", ErrBadAnswer)
	}
	return nil
}

// ErrBadAnswer is returned when a success answer is not what the API
// says (not its JSON, an offset outside the file, a blob whose bytes do
// not hash to its name): a server or proxy fault, transient.
var ErrBadAnswer = errors.New("answer is not the API's")

// decodeError turns an error answer into a *protocol.Error with Status
// set. An answer that is not the API's error body (a proxy's page, an
// empty body) gets a code from the status.
func decodeError(status int, h http.Header, body []byte) *protocol.Error {
	var eb protocol.ErrorBody
	if err := json.Unmarshal(body, &eb); err != nil || eb.Error.Code == "" {
		code := codeForStatus(status)
		if c := h.Get(protocol.HeaderErrorCode); len(body) == 0 && errorCodeShape(c) {
			code = c // a HEAD answer: no body, the code in a header
		}
		e := &protocol.Error{Code: code, Message: fmt.Sprintf("http %d: %s", status, snippet(body))}
		e.Retryable = status >= 500 || status == http.StatusTooManyRequests || status == http.StatusRequestTimeout
		eb.Error = *e
	}
	e := eb.Error
	e.Status = status
	if e.RetryAfter <= 0 {
		if s, err := strconv.Atoi(strings.TrimSpace(h.Get("Retry-After"))); err == nil && s > 0 {
			e.RetryAfter = s
		}
	}
	if e.RetryAfter < 0 {
		e.RetryAfter = 0
	}
	return &e
}

// errorCodeShape reports whether c looks like an error code: 1 to 32
// characters of [a-z_].
func errorCodeShape(c string) bool {
	if c == "" || len(c) > 32 {
		return false
	}
	for _, r := range c {
		if (r < 'a' || r > 'z') && r != '_' {
			return false
		}
	}
	return true
}

func codeForStatus(status int) string {
	switch {
	case status == http.StatusTooManyRequests:
		return protocol.CodeRateLimited
	case status == http.StatusUnauthorized:
		return protocol.CodeUnauthenticated
	case status == http.StatusForbidden:
		return protocol.CodeForbidden
	case status == http.StatusNotFound:
		return protocol.CodeNotFound
	case status == http.StatusRequestEntityTooLarge:
		return protocol.CodeTooLarge
	case status == http.StatusBadGateway, status == http.StatusServiceUnavailable, status == http.StatusGatewayTimeout:
		return protocol.CodeUnavailable
	case status >= 500:
		return protocol.CodeInternal
	}
	return protocol.CodeBadRequest
}

// snippet is the start of body as one line of text, for error messages.
func snippet(body []byte) string {
	s := strings.ToValidUTF8(string(body), "?")
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200]) + "…"
	}
	return s
}

// noteDate records the clock skew from an answer's Date header.
func (c *Client) noteDate(date string) {
	if date == "" {
		return
	}
	t, err := http.ParseTime(date)
	if err != nil {
		return
	}
	skew := t.Sub(c.now()).Truncate(time.Second)
	c.mu.Lock()
	c.skew, c.skewSeen = skew, true
	c.mu.Unlock()
}
