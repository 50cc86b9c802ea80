package engine

import (
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/internal/faultproxy"
	"github.com/vanthuso/vanthu/sync/client"
	"github.com/vanthuso/vanthu/sync/protocol"
	"github.com/vanthuso/vanthu/sync/store"
)

// The tests of this file run the engine with the real client over TLS on
// loopback, through internal/faultproxy, against apiStandIn: a small
// handler that keeps uploads and sends the way the API describes. They
// show the engine's side of interrupted transfers and of a server that
// comes up late. The same scenarios against the reference server (server/)
// are in integration_test.go, and between processes in
// internal/faultcampaign.

// apiStandIn keeps uploads (server-side offsets, chunk checksums) and
// sends (idempotent by client id), and counts the upload bytes it read.
type apiStandIn struct {
	mu       gosync.Mutex
	blobs    map[string][]byte
	uploads  map[string]*standInUpload
	sends    map[string][]byte // client id → body
	received int64
	// onChunk, when set, is called with the offset of each chunk before
	// it is read; it may cut the connection.
	onChunk func(off int64, r *http.Request) bool
}

type standInUpload struct {
	sha  string
	size int64
	data []byte
}

func newAPIStandIn() *apiStandIn {
	return &apiStandIn{blobs: map[string][]byte{}, uploads: map[string]*standInUpload{}, sends: map[string][]byte{}}
}

func answer(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (a *apiStandIn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	switch {
	case r.Method == http.MethodHead && strings.HasPrefix(path, "/v1/blobs/"):
		a.mu.Lock()
		b, ok := a.blobs[strings.TrimPrefix(path, "/v1/blobs/")]
		a.mu.Unlock()
		if !ok {
			w.WriteHeader(404)
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	case r.Method == http.MethodPost && path == "/v1/uploads":
		var req protocol.UploadRequest
		json.NewDecoder(r.Body).Decode(&req)
		a.mu.Lock()
		defer a.mu.Unlock()
		if _, ok := a.blobs[req.SHA256]; ok {
			answer(w, 200, protocol.Upload{SHA256: req.SHA256, Size: req.Size, Offset: req.Size, Complete: true})
			return
		}
		u, ok := a.uploads[req.SHA256]
		if !ok {
			u = &standInUpload{sha: req.SHA256, size: req.Size}
			a.uploads[req.SHA256] = u
		}
		answer(w, 201, protocol.Upload{ID: "u-" + req.SHA256[:12], SHA256: u.sha, Size: u.size, Offset: int64(len(u.data)), MaxChunk: 4 << 20})
	case r.Method == http.MethodPatch && strings.HasPrefix(path, "/v1/uploads/u-"):
		a.patch(w, r, strings.TrimPrefix(path, "/v1/uploads/u-"))
	case r.Method == http.MethodPut && strings.HasPrefix(path, "/v1/messages/"):
		id := strings.TrimPrefix(path, "/v1/messages/")
		body, _ := io.ReadAll(r.Body)
		a.mu.Lock()
		defer a.mu.Unlock()
		if old, ok := a.sends[id]; ok && !bytes.Equal(old, body) {
			answer(w, 409, protocol.ErrorBody{Error: protocol.Error{Code: protocol.CodeIdempotencyConflict}})
			return
		}
		var req protocol.SendRequest
		json.Unmarshal(body, &req)
		for _, at := range req.Document.Attachments {
			if _, ok := a.blobs[at.SHA256]; !ok {
				answer(w, 422, protocol.ErrorBody{Error: protocol.Error{Code: protocol.CodeMissingBlobs, Missing: []string{at.SHA256}}})
				return
			}
		}
		a.sends[id] = body
		answer(w, 201, protocol.SendAnswer{MessageID: "m-" + id, ClientMsgID: id, AcceptedAt: time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)})
	case r.Method == http.MethodGet && path == "/v1/changes":
		wait, _ := strconv.Atoi(r.URL.Query().Get("wait"))
		select {
		case <-r.Context().Done():
			return
		case <-time.After(time.Duration(wait) * time.Second):
		}
		answer(w, 200, protocol.Changes{Cursor: "c1"})
	default:
		http.NotFound(w, r)
	}
}

func (a *apiStandIn) patch(w http.ResponseWriter, r *http.Request, prefix string) {
	off, _ := strconv.ParseInt(r.Header.Get(protocol.HeaderUploadOffset), 10, 64)
	a.mu.Lock()
	var u *standInUpload
	for sha, up := range a.uploads {
		if strings.HasPrefix(sha, prefix) {
			u = up
		}
	}
	hook := a.onChunk
	a.mu.Unlock()
	if u == nil {
		w.WriteHeader(404)
		return
	}
	if hook != nil && hook(off, r) {
		return
	}
	chunk, _ := io.ReadAll(r.Body)
	a.mu.Lock()
	defer a.mu.Unlock()
	a.received += int64(len(chunk))
	if off != int64(len(u.data)) {
		have := int64(len(u.data))
		answer(w, 409, protocol.ErrorBody{Error: protocol.Error{Code: protocol.CodeWrongOffset, Offset: &have}})
		return
	}
	if shaHex(chunk) != r.Header.Get(protocol.HeaderChunkSHA256) {
		answer(w, 400, protocol.ErrorBody{Error: protocol.Error{Code: protocol.CodeChunkChecksum}})
		return
	}
	u.data = append(u.data, chunk...)
	done := int64(len(u.data)) == u.size
	if done {
		if shaHex(u.data) != u.sha {
			u.data = nil
			answer(w, 422, protocol.ErrorBody{Error: protocol.Error{Code: protocol.CodeHashMismatch}})
			return
		}
		a.blobs[u.sha] = u.data
		delete(a.uploads, u.sha)
	}
	answer(w, 200, protocol.Upload{ID: "u-" + prefix, SHA256: u.sha, Size: u.size, Offset: int64(len(u.data)), Complete: done})
}

// wire starts h over TLS, a fault proxy in front of it, and a client of
// the proxy with a session.
func wire(t *testing.T, h http.Handler) (*client.Client, *faultproxy.Proxy) {
	t.Helper()
	srv := httptest.NewTLSServer(h)
	t.Cleanup(srv.Close)
	p, err := faultproxy.Start("127.0.0.1:0", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	cl, err := client.New(client.Config{BaseURL: "https://" + p.Addr(), RootCAs: roots, HTTPTimeout: 10 * time.Second,
		Proxy: func(*http.Request) (*url.URL, error) { return nil, nil }})
	if err != nil {
		t.Fatal(err)
	}
	cl.SetSession(protocol.Session{Token: "t"})
	return cl, p
}

// An upload cut in the middle (the connection reset by the proxy while
// the server reads a chunk) resumes on the engine's next round from the
// server's offset: the server reads the file's bytes plus at most the
// chunk that was cut.
func TestWireInterruptedUploadResumes(t *testing.T) {
	const chunk = 256 << 10
	data := make([]byte, 3<<20+777)
	rand.Read(data)
	s := openStore(t)
	id := queueDoc(t, s, data)
	api := newAPIStandIn()
	cl, proxy := wire(t, api)
	cuts := 0
	api.onChunk = func(off int64, r *http.Request) bool {
		if off < 1<<20 || cuts > 0 {
			return false
		}
		cuts++
		half := make([]byte, chunk/2)
		n, _ := io.ReadFull(r.Body, half)
		api.mu.Lock()
		api.received += int64(n)
		api.mu.Unlock()
		proxy.ResetAll()
		return true
	}
	e := New(Config{Store: s, Client: cl, ChunkSize: chunk, WatchInterfaces: -1})
	events, stop := e.Subscribe()
	defer stop()
	runEngine(t, e)
	sent := waitFor(t, events, func(ev Event) bool { _, ok := ev.(Sent); return ok }).(Sent)
	if sent.Key != id || sent.MessageID != "m-"+id {
		t.Fatalf("sent %+v", sent)
	}
	api.mu.Lock()
	received, blob := api.received, api.blobs[shaHex(data)]
	api.mu.Unlock()
	if cuts != 1 {
		t.Fatalf("%d cuts", cuts)
	}
	if !bytes.Equal(blob, data) {
		t.Fatal("the server's blob differs from the file")
	}
	if extra := received - int64(len(data)); extra < 0 || extra > chunk {
		t.Errorf("the server read %d bytes for a %d-byte file: %d again, want at most one chunk (%d)", received, len(data), extra, chunk)
	}
	ent, err := s.OutboxEntry(id)
	if err != nil || ent.State != store.OutboxSent || !ent.Files[0].Done {
		t.Errorf("entry %+v %v", ent, err)
	}
}

// A document queued while the server cannot be reached is delivered once
// it can, when the app says the network is back, without waiting out the
// backoff.
func TestWireQueuedOfflineDeliveredWhenUp(t *testing.T) {
	s := openStore(t)
	id := queueDoc(t, s, []byte("%PDF-1.7 gửi khi có mạng"))
	api := newAPIStandIn()
	cl, proxy := wire(t, api)
	proxy.Set(faultproxy.Faults{Refuse: true})
	online := make(chan bool, 1)
	e := New(Config{Store: s, Client: cl, Connectivity: online, WatchInterfaces: -1})
	events, stop := e.Subscribe()
	defer stop()
	runEngine(t, e)
	st := waitFor(t, events, func(ev Event) bool { st, ok := ev.(State); return ok && st.LastError != nil }).(State)
	if st.Online || st.LastError.Code != CodeOffline || st.Pending != 1 {
		t.Fatalf("state while the server is away: %+v %+v", st, *st.LastError)
	}
	proxy.Set(faultproxy.Faults{})
	online <- true
	sent := waitFor(t, events, func(ev Event) bool { _, ok := ev.(Sent); return ok }).(Sent)
	if sent.Key != id {
		t.Fatalf("sent %+v", sent)
	}
	waitFor(t, events, func(ev Event) bool {
		st, ok := ev.(State)
		return ok && st.Online && st.Pending == 0 && st.LastError == nil
	})
	api.mu.Lock()
	defer api.mu.Unlock()
	if len(api.sends) != 1 {
		t.Errorf("%d messages on the server", len(api.sends))
	}
}
