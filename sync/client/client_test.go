package client

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/sync/protocol"
)

// The tests of this file run the client against small handlers written
// here (unit tests of the client's side of each exchange); sync/engine's
// integration tests run it against the real server.

// newTestClient serves h over TLS on loopback and returns a client of it
// with a session.
func newTestClient(t *testing.T, h http.Handler) (*Client, *httptest.Server) {
	t.Helper()
	srv := httptest.NewTLSServer(h)
	t.Cleanup(srv.Close)
	c, err := New(Config{BaseURL: srv.URL, RootCAs: rootsOf(srv), HTTPTimeout: 5 * time.Second,
		Proxy: func(*http.Request) (*url.URL, error) { return nil, nil }})
	if err != nil {
		t.Fatal(err)
	}
	c.SetSession(protocol.Session{Token: "tok-1"})
	return c, srv
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeErr(w http.ResponseWriter, status int, e protocol.Error) {
	writeJSON(w, status, protocol.ErrorBody{Error: e})
}

func shaHex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func TestNewRefusesPlainHTTPOffLoopback(t *testing.T) {
	for _, u := range []string{"http://vanthu.example.gov.vn", "ftp://x", "vanthu.example.gov.vn", "https://"} {
		if _, err := New(Config{BaseURL: u}); err == nil {
			t.Errorf("New(%q) accepted it", u)
		}
	}
	for _, u := range []string{"https://vanthu.example.gov.vn/", "http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:2"} {
		if _, err := New(Config{BaseURL: u}); err != nil {
			t.Errorf("New(%q): %v", u, err)
		}
	}
}

// Every request carries the protocol version, the user agent and the
// session; the server's Date header gives the clock skew.
func TestHeadersAndClockSkew(t *testing.T) {
	var got http.Header
	ahead := time.Now().Add(time.Hour).UTC()
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		w.Header().Set("Date", ahead.Format(http.TimeFormat))
		writeJSON(w, 200, protocol.Me{User: protocol.User{Name: "Nguyễn Văn An"}, ServerTime: ahead})
	}))
	if _, ok := c.ClockSkew(); ok {
		t.Fatal("a skew before any answer")
	}
	me, err := c.Me(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if me.User.Name != "Nguyễn Văn An" {
		t.Errorf("me = %+v", me)
	}
	if got.Get(protocol.HeaderVersion) != "1" || got.Get("Authorization") != "Bearer tok-1" || got.Get("User-Agent") != "vanthu-sync/1" {
		t.Errorf("headers = %v", got)
	}
	skew, ok := c.ClockSkew()
	if !ok || skew < 59*time.Minute || skew > 61*time.Minute {
		t.Errorf("skew = %v, %v; want about an hour", skew, ok)
	}
}

// Without a session nothing is sent and the error says to sign in.
func TestNoSessionNoRequest(t *testing.T) {
	hits := 0
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits++ }))
	c.SetSession(protocol.Session{})
	_, err := c.Changes(context.Background(), "", 0)
	if !errors.Is(err, ErrNotSignedIn) || !NeedLogin(err) || Permanent(err) {
		t.Fatalf("err = %v", err)
	}
	if hits != 0 {
		t.Errorf("%d requests without a session", hits)
	}
}

func TestErrorAnswers(t *testing.T) {
	cases := []struct {
		name      string
		status    int
		body      string
		header    map[string]string
		code      string
		permanent bool
		login     bool
		after     time.Duration
		offline   bool
	}{
		{name: "conflict", status: 409, body: `{"error":{"code":"idempotency_conflict","message":"other body"}}`, code: protocol.CodeIdempotencyConflict, permanent: true},
		{name: "recipient", status: 422, body: `{"error":{"code":"unknown_recipient","missing":["000.00.00.Z99"]}}`, code: protocol.CodeUnknownRecipient, permanent: true},
		{name: "forbidden", status: 403, body: `{"error":{"code":"forbidden"}}`, code: protocol.CodeForbidden, permanent: true},
		{name: "in flight", status: 409, body: `{"error":{"code":"in_flight","retryable":true}}`, code: protocol.CodeInFlight},
		{name: "in flight without the flag", status: 409, body: `{"error":{"code":"in_flight"}}`, code: protocol.CodeInFlight},
		{name: "expired", status: 401, body: `{"error":{"code":"session_expired"}}`, code: protocol.CodeSessionExpired, login: true},
		{name: "unauthenticated", status: 401, body: `{"error":{"code":"unauthenticated"}}`, code: protocol.CodeUnauthenticated, login: true},
		{name: "rate limited", status: 429, body: `{"error":{"code":"rate_limited","retry_after":7}}`, code: protocol.CodeRateLimited, after: 7 * time.Second},
		{name: "retry-after header", status: 503, body: `busy`, header: map[string]string{"Retry-After": "3"}, code: protocol.CodeUnavailable, after: 3 * time.Second, offline: true},
		{name: "proxy page", status: 502, body: `<html>Bad Gateway</html>`, code: protocol.CodeUnavailable, offline: true},
		{name: "internal", status: 500, body: ``, code: protocol.CodeInternal},
		{name: "plain 404", status: 404, body: `not here`, code: protocol.CodeNotFound, permanent: true},
		{name: "plain 400", status: 400, body: `{"error":{}}`, code: protocol.CodeBadRequest, permanent: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tc.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tc.status)
				io.WriteString(w, tc.body)
			}))
			_, err := c.Send(context.Background(), protocol.NewClientID(), []byte(`{}`))
			var pe *protocol.Error
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v (%T), want *protocol.Error", err, err)
			}
			if pe.Status != tc.status || pe.Code != tc.code {
				t.Errorf("status %d code %q, want %d %q", pe.Status, pe.Code, tc.status, tc.code)
			}
			if Permanent(err) != tc.permanent || NeedLogin(err) != tc.login || RetryAfter(err) != tc.after || Offline(err) != tc.offline {
				t.Errorf("permanent %v login %v after %v offline %v", Permanent(err), NeedLogin(err), RetryAfter(err), Offline(err))
			}
		})
	}
}

func TestNetworkErrorsAreTransient(t *testing.T) {
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens there now
	c, err := New(Config{BaseURL: url, HTTPTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	c.SetSession(protocol.Session{Token: "t"})
	_, err = c.Send(context.Background(), protocol.NewClientID(), []byte(`{}`))
	if err == nil || Permanent(err) || NeedLogin(err) || !Offline(err) {
		t.Fatalf("err = %v: permanent %v, offline %v", err, Permanent(err), Offline(err))
	}
	if !strings.Contains(err.Error(), "PUT /v1/messages/") {
		t.Errorf("err = %v, want the request named", err)
	}
}

// A server that accepts the request and then says nothing is cut off by
// the client's own limit, and the error says so.
func TestStalledAnswerTimesOut(t *testing.T) {
	release := make(chan struct{})
	c, srv := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer close(release)
	c2, err := New(Config{BaseURL: srv.URL, RootCAs: rootsOf(srv), HTTPTimeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	c2.SetSession(c.Session())
	_, err = c2.Me(context.Background())
	if !errors.Is(err, ErrTimeout) || !Offline(err) || Permanent(err) {
		t.Fatalf("err = %v", err)
	}
}

// A long poll may take its whole wait without being cut by HTTPTimeout.
func TestLongPollOutlastsTheIdleLimit(t *testing.T) {
	var gotWait string
	c, srv := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotWait = r.URL.Query().Get("wait")
		time.Sleep(600 * time.Millisecond) // longer than HTTPTimeout below, shorter than the wait
		writeJSON(w, 200, protocol.Changes{Cursor: "c2"})
	}))
	c2, err := New(Config{BaseURL: srv.URL, RootCAs: rootsOf(srv), HTTPTimeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	c2.SetSession(c.Session())
	ch, err := c2.Changes(context.Background(), "c1", 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if ch.Cursor != "c2" || gotWait != "2" {
		t.Errorf("changes %+v, wait=%q", ch, gotWait)
	}
}

// Answers that break the API's promises are refused, not believed.
func TestHostileAnswers(t *testing.T) {
	cases := map[string]struct {
		path string
		body string
		call func(*Client) error
	}{
		"changes without a cursor": {"/v1/changes", `{"changes":[]}`, func(c *Client) error { _, err := c.Changes(context.Background(), "x", 0); return err }},
		"reset with changes":       {"/v1/changes", `{"cursor":"c","reset":true,"changes":[{"kind":"deleted","message_id":"m"}]}`, func(c *Client) error { _, err := c.Changes(context.Background(), "x", 0); return err }},
		"send for another id": {"/v1/messages/", `{"message_id":"m1","client_msg_id":"someone-elses-id"}`, func(c *Client) error {
			_, err := c.Send(context.Background(), "my-own-id-123", []byte(`{}`))
			return err
		}},
		"send without message id": {"/v1/messages/", `{}`, func(c *Client) error {
			_, err := c.Send(context.Background(), "my-own-id-123", []byte(`{}`))
			return err
		}},
		"page mark stuck": {"/v1/messages", `{"messages":[],"next":"p1"}`, func(c *Client) error { _, err := c.Messages(context.Background(), "inbox", "p1"); return err }},
		"not JSON":        {"/v1/me", `<html>login portal</html>`, func(c *Client) error { _, err := c.Me(context.Background()); return err }},
		"two values":      {"/v1/me", `{} {}`, func(c *Client) error { _, err := c.Me(context.Background()); return err }},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if !strings.HasPrefix(r.URL.Path, tc.path) {
					http.NotFound(w, r)
					return
				}
				io.WriteString(w, tc.body)
			}))
			err := tc.call(c)
			if !errors.Is(err, ErrBadAnswer) || Permanent(err) {
				t.Fatalf("err = %v, want ErrBadAnswer, not permanent", err)
			}
		})
	}
}

// A redirect is not followed: it would carry the session elsewhere.
func TestRedirectNotFollowed(t *testing.T) {
	var elsewhere gosync.Mutex
	hit := false
	other := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Lock()
		hit = true
		elsewhere.Unlock()
	}))
	defer other.Close()
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/steal", http.StatusTemporaryRedirect)
	}))
	if _, err := c.Me(context.Background()); err == nil {
		t.Fatal("a redirect was taken for an answer")
	}
	elsewhere.Lock()
	defer elsewhere.Unlock()
	if hit {
		t.Fatal("the redirect was followed")
	}
}

func TestSendIsByteIdentical(t *testing.T) {
	var bodies [][]byte
	var paths []string
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		bodies = append(bodies, b)
		paths = append(paths, r.Method+" "+r.URL.Path)
		if len(bodies) == 1 {
			writeErr(w, 503, protocol.Error{Code: protocol.CodeUnavailable, Retryable: true})
			return
		}
		writeJSON(w, 201, protocol.SendAnswer{MessageID: "m-1", ClientMsgID: strings.TrimPrefix(r.URL.Path, "/v1/messages/")})
	}))
	body, err := MarshalSend(protocol.SendRequest{})
	if err != nil {
		t.Fatal(err)
	}
	id := protocol.NewClientID()
	if _, err := c.Send(context.Background(), id, body); Permanent(err) || err == nil {
		t.Fatalf("first: %v", err)
	}
	a, err := c.Send(context.Background(), id, body)
	if err != nil {
		t.Fatal(err)
	}
	if a.MessageID != "m-1" || a.ClientMsgID != id {
		t.Errorf("answer %+v", a)
	}
	if len(bodies) != 2 || !bytes.Equal(bodies[0], bodies[1]) || !bytes.Equal(bodies[0], body) || paths[0] != "PUT /v1/messages/"+id {
		t.Errorf("bodies %q, paths %q", bodies, paths)
	}
	if _, err := c.Send(context.Background(), "../../v1/auth", body); err == nil {
		t.Error("a client id that is a path was sent")
	}
}

func TestDirectoryAndMessagesQuery(t *testing.T) {
	var q []string
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q = append(q, r.URL.Path+"?"+r.URL.RawQuery)
		switch r.URL.Path {
		case "/v1/directory":
			writeJSON(w, 200, protocol.DirectoryPage{Agencies: []protocol.Agency{{Code: "000.00.00.H41", Name: "UBND tỉnh Nghệ An"}}})
		default:
			writeJSON(w, 200, protocol.MessagePage{})
		}
	}))
	p, err := c.Directory(context.Background(), "nghệ an", "000.00.00.G22", 20)
	if err != nil || len(p.Agencies) != 1 {
		t.Fatalf("%+v %v", p, err)
	}
	if _, err := c.Messages(context.Background(), "outbox", "p2"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Messages(context.Background(), "trash", ""); err == nil {
		t.Error("an unknown box was listed")
	}
	want := []string{"/v1/directory?after=000.00.00.G22&limit=20&q=ngh%E1%BB%87+an", "/v1/messages?after=p2&box=outbox"}
	if strings.Join(q, "\n") != strings.Join(want, "\n") {
		t.Errorf("queries\n%s\nwant\n%s", strings.Join(q, "\n"), strings.Join(want, "\n"))
	}
}

func TestSendStatus(t *testing.T) {
	var path string
	var req protocol.StatusRequest
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path = r.URL.EscapedPath()
		json.NewDecoder(r.Body).Decode(&req)
		writeJSON(w, 201, protocol.StatusAnswer{Event: protocol.StatusEvent{MessageID: "m/1", Status: req.Status}})
	}))
	a, err := c.SendStatus(context.Background(), "m/1", "status-id-1", protocol.StatusRequest{Status: "03"})
	if err != nil {
		t.Fatal(err)
	}
	if path != "/v1/messages/m%2F1/statuses/status-id-1" || a.Event.Status != "03" || req.Status != "03" {
		t.Errorf("path %q, answer %+v", path, a)
	}
}
