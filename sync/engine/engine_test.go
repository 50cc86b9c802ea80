package engine

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	gosync "sync"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/sync/client"
	"github.com/vanthuso/vanthu/sync/protocol"
	"github.com/vanthuso/vanthu/sync/store"
)

// The tests of this file drive the loop's logic with the real cache
// (bbolt in t.TempDir) and a scripted Remote; integration_test.go runs
// the engine against the real server.

var (
	_ Local  = (*store.Store)(nil)
	_ Remote = (*client.Client)(nil)
)

func openStore(t *testing.T) *store.Store {
	t.Helper()
	s, err := store.Open(filepath.Join(t.TempDir(), "cache.db"), store.Options{User: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func shaHex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// queueDoc stores files as blobs and queues a document with them.
func queueDoc(t *testing.T, s *store.Store, files ...[]byte) string {
	t.Helper()
	doc := sampleDoc()
	for i, f := range files {
		sha, size, err := s.PutBlob(bytes.NewReader(f))
		if err != nil {
			t.Fatal(err)
		}
		role := edoc.RoleAttachment
		if i == 0 {
			role = edoc.RoleMain
		}
		doc.Attachments = append(doc.Attachments, edoc.Attachment{Role: role, Name: fmt.Sprintf("tep-%d.pdf", i), ContentType: "application/pdf", SHA256: sha, Size: size})
	}
	id := protocol.NewClientID()
	if err := s.Queue(doc, id); err != nil {
		t.Fatal(err)
	}
	return id
}

func sampleDoc() edoc.Document {
	return edoc.Document{
		From:             edoc.Organ{OrganID: "000.00.00.H41", OrganName: "UBND tỉnh Nghệ An"},
		To:               []edoc.Organ{{OrganID: "000.00.00.G22", OrganName: "Văn phòng Chính phủ"}},
		Code:             edoc.Code{CodeNumber: "05", CodeNotation: "QĐ-UBND"},
		PromulgationDate: edoc.Date{Year: 2026, Month: 3, Day: 2},
		Type:             edoc.DocumentType{TypeName: "Quyết định"},
		Subject:          "Về việc ban hành quy chế văn thư điện tử",
		Signer:           edoc.Signer{Position: "Chủ tịch", FullName: "Nguyễn Văn An"},
	}
}

// fakeClock fires every timer at once and records the delays asked.
type fakeClock struct {
	mu    gosync.Mutex
	now   time.Time
	waits []time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(time.Minute) // a poll always seems to have waited
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	c.waits = append(c.waits, d)
	c.mu.Unlock()
	ch := make(chan time.Time, 1)
	ch <- time.Time{}
	return ch
}

func (c *fakeClock) delays() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.waits...)
}

// fakeRemote is a scripted server. Unset hooks answer as an empty,
// healthy server would.
type fakeRemote struct {
	mu      gosync.Mutex
	session protocol.Session
	blobs   map[string][]byte

	changes  func(n int, cursor string, wait time.Duration) (protocol.Changes, error)
	send     func(n int, id string, body []byte) (protocol.SendAnswer, error)
	messages func(box, after string) (protocol.MessagePage, error)

	nChanges, nSend int
	bodies          [][]byte
	uploads         []string
}

func newFakeRemote() *fakeRemote {
	return &fakeRemote{session: protocol.Session{Token: "t"}, blobs: map[string][]byte{}}
}

func (f *fakeRemote) Session() protocol.Session {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.session
}

func (f *fakeRemote) SetSession(s protocol.Session) {
	f.mu.Lock()
	f.session = s
	f.mu.Unlock()
}
func (f *fakeRemote) ClockSkew() (time.Duration, bool) { return 2 * time.Second, true }
func (f *fakeRemote) ServerNow() time.Time             { return time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC) }

func (f *fakeRemote) HasBlob(ctx context.Context, sha string) (bool, int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, ok := f.blobs[sha]
	return ok, int64(len(b)), nil
}

func (f *fakeRemote) Upload(ctx context.Context, r io.ReaderAt, sha string, size int64, o client.UploadOptions) error {
	b := make([]byte, size)
	if _, err := r.ReadAt(b, 0); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	if o.Persist != nil {
		if err := o.Persist("up-"+sha[:8], size); err != nil {
			return err
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.blobs[sha] = b
	f.uploads = append(f.uploads, sha)
	return nil
}

func (f *fakeRemote) Download(ctx context.Context, sha string, w io.Writer, o client.DownloadOptions) (int64, error) {
	f.mu.Lock()
	b, ok := f.blobs[sha]
	f.mu.Unlock()
	if !ok {
		return 0, &protocol.Error{Status: 404, Code: protocol.CodeNotFound}
	}
	n, err := w.Write(b)
	if err == nil && shaHex(b) != sha {
		err = client.ErrBadAnswer
	}
	return int64(n), err
}

func (f *fakeRemote) Send(ctx context.Context, id string, body []byte) (protocol.SendAnswer, error) {
	f.mu.Lock()
	f.nSend++
	n := f.nSend
	f.bodies = append(f.bodies, append([]byte(nil), body...))
	hook := f.send
	f.mu.Unlock()
	if hook != nil {
		return hook(n, id, body)
	}
	return protocol.SendAnswer{MessageID: "m-" + id, ClientMsgID: id, AcceptedAt: time.Now().UTC()}, nil
}

func (f *fakeRemote) SendStatus(ctx context.Context, messageID, id string, req protocol.StatusRequest) (protocol.StatusAnswer, error) {
	return protocol.StatusAnswer{Event: protocol.StatusEvent{MessageID: messageID, Status: req.Status}}, nil
}

func (f *fakeRemote) Changes(ctx context.Context, cursor string, wait time.Duration) (protocol.Changes, error) {
	f.mu.Lock()
	f.nChanges++
	n := f.nChanges
	hook := f.changes
	f.mu.Unlock()
	if hook != nil {
		return hook(n, cursor, wait)
	}
	if wait > 0 {
		<-ctx.Done()
		return protocol.Changes{}, ctx.Err()
	}
	return protocol.Changes{Cursor: "c0"}, nil
}

func (f *fakeRemote) Work(ctx context.Context, id string, req protocol.ActionRequest) (protocol.ActionAnswer, error) {
	return protocol.ActionAnswer{}, &protocol.Error{Status: 404, Code: protocol.CodeNotFound, Message: "no work on the fake"}
}

func (f *fakeRemote) Cases(ctx context.Context, after string) (protocol.CasePage, error) {
	return protocol.CasePage{}, nil
}

func (f *fakeRemote) Messages(ctx context.Context, box, after string) (protocol.MessagePage, error) {
	if f.messages != nil {
		return f.messages(box, after)
	}
	return protocol.MessagePage{}, nil
}

func (f *fakeRemote) counts() (changes, sends int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.nChanges, f.nSend
}

var errRefused = &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}

// runEngine runs e until the test ends; it returns a channel of Run's
// result.
func runEngine(t *testing.T, e *Engine) (context.CancelFunc, <-chan error) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return cancel, done
}

// waitFor reads events until one satisfies ok.
func waitFor(t *testing.T, events <-chan Event, ok func(Event) bool) Event {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case ev, open := <-events:
			if !open {
				t.Fatal("events closed")
			}
			if ok(ev) {
				return ev
			}
		case <-timeout:
			t.Fatal("the awaited event never came")
		}
	}
}

// Failures back off 1 s, 2 s, 4 s … with jitter (here the middle of the
// upper half), capped at 5 min, reset by a round that ends well.
func TestBackoffDoublesCapsAndResets(t *testing.T) {
	s := openStore(t)
	r := newFakeRemote()
	clock := &fakeClock{}
	ctx, cancel := context.WithCancel(context.Background())
	const fails = 12
	r.changes = func(n int, cursor string, wait time.Duration) (protocol.Changes, error) {
		switch {
		case n <= fails:
			return protocol.Changes{}, errRefused
		case n == fails+1:
			return protocol.Changes{Cursor: "c1"}, nil // caught up
		case n == fails+2:
			return protocol.Changes{Cursor: "c1"}, nil // the long poll answers: the round ends well
		case n <= fails+4:
			return protocol.Changes{}, errRefused
		}
		cancel()
		return protocol.Changes{}, ctx.Err()
	}
	e := New(Config{Store: s, Client: r, Clock: clock, WatchInterfaces: -1, Jitter: func() float64 { return 0.5 }})
	if err := e.Run(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v", err)
	}
	var want []time.Duration
	for d := MinBackoff; len(want) < fails; d = min(2*d, MaxBackoff) {
		want = append(want, d*3/4)
	}
	want = append(want, 750*time.Millisecond, 1500*time.Millisecond)
	got := clock.delays()
	if len(got) < len(want) {
		t.Fatalf("delays %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("delays %v\nwant   %v", got[:len(want)], want)
		}
	}
}

// The server's Retry-After is honoured over a shorter backoff.
func TestRetryAfterHonoured(t *testing.T) {
	s := openStore(t)
	r := newFakeRemote()
	clock := &fakeClock{}
	ctx, cancel := context.WithCancel(context.Background())
	r.changes = func(n int, cursor string, wait time.Duration) (protocol.Changes, error) {
		if n == 1 {
			return protocol.Changes{}, &protocol.Error{Status: 429, Code: protocol.CodeRateLimited, RetryAfter: 120}
		}
		if n == 2 {
			return protocol.Changes{Cursor: "c", Backoff: 30}, nil
		}
		cancel()
		return protocol.Changes{}, ctx.Err()
	}
	e := New(Config{Store: s, Client: r, Clock: clock, WatchInterfaces: -1})
	e.Run(ctx)
	got := clock.delays()
	if len(got) < 2 || got[0] != 120*time.Second || got[1] != 30*time.Second {
		t.Fatalf("delays %v, want 2m0s then the feed's 30s", got)
	}
}

// A permanent refusal marks the entry failed with its reason, is told
// once as a permanent Failed event, and is never sent again.
func TestPermanentFailureNotRetried(t *testing.T) {
	s := openStore(t)
	id := queueDoc(t, s, []byte("%PDF-1.7 quyết định"))
	r := newFakeRemote()
	r.send = func(n int, _ string, _ []byte) (protocol.SendAnswer, error) {
		return protocol.SendAnswer{}, &protocol.Error{Status: 409, Code: protocol.CodeIdempotencyConflict, Message: "another body under this id"}
	}
	e := New(Config{Store: s, Client: r, WatchInterfaces: -1})
	events, stop := e.Subscribe()
	defer stop()
	runEngine(t, e)
	ev := waitFor(t, events, func(ev Event) bool { _, ok := ev.(Failed); return ok }).(Failed)
	if ev.Key != id || !ev.Permanent || ev.Code != protocol.CodeIdempotencyConflict || ev.Reason.Vi == "" || ev.Reason.En == "" {
		t.Fatalf("failed event %+v", ev)
	}
	waitFor(t, events, func(ev Event) bool { st, ok := ev.(State); return ok && st.Failed == 1 && st.Pending == 0 })
	for range 3 {
		e.SyncNow()
		waitFor(t, events, func(ev Event) bool { st, ok := ev.(State); return ok && !st.Syncing })
	}
	if _, sends := r.counts(); sends != 1 {
		t.Errorf("%d sends, want 1", sends)
	}
	ent, err := s.OutboxEntry(id)
	if err != nil {
		t.Fatal(err)
	}
	if ent.State != store.OutboxFailed || ent.ErrorCode != protocol.CodeIdempotencyConflict || ent.LastError == "" {
		t.Errorf("entry %+v", ent)
	}
	if Explain(ent.ErrorCode, ent.LastError).Vi != ev.Reason.Vi {
		t.Error("the recorded code does not explain the same way")
	}
}

// A transient failure is retried with the very bytes of the first try;
// the answer is recorded and told.
func TestRetrySendsTheSameBytes(t *testing.T) {
	s := openStore(t)
	id := queueDoc(t, s, []byte("%PDF-1.7 main"), []byte("%PDF-1.7 phụ lục"))
	r := newFakeRemote()
	r.send = func(n int, id string, _ []byte) (protocol.SendAnswer, error) {
		if n == 1 {
			return protocol.SendAnswer{}, &protocol.Error{Status: 503, Code: protocol.CodeUnavailable, Retryable: true}
		}
		return protocol.SendAnswer{MessageID: "m-1", ClientMsgID: id, AcceptedAt: time.Now().UTC()}, nil
	}
	e := New(Config{Store: s, Client: r, WatchInterfaces: -1, Clock: &fakeClock{}})
	events, stop := e.Subscribe()
	defer stop()
	runEngine(t, e)
	sent := waitFor(t, events, func(ev Event) bool { _, ok := ev.(Sent); return ok }).(Sent)
	if sent.Key != id || sent.MessageID != "m-1" {
		t.Fatalf("sent %+v", sent)
	}
	r.mu.Lock()
	bodies, uploads := r.bodies, len(r.uploads)
	r.mu.Unlock()
	if len(bodies) != 2 || !bytes.Equal(bodies[0], bodies[1]) {
		t.Fatalf("bodies %q", bodies)
	}
	if uploads != 2 {
		t.Errorf("%d uploads, want the two files once each", uploads)
	}
	ent, err := s.OutboxEntry(id)
	if err != nil {
		t.Fatal(err)
	}
	if ent.State != store.OutboxSent || !bytes.Equal(ent.Body, bodies[0]) || ent.Attempts != 1 {
		t.Errorf("entry state %s attempts %d body %q", ent.State, ent.Attempts, ent.Body)
	}
	doc, err := s.Get(id)
	if err != nil || doc.MessageID != "m-1" {
		t.Errorf("document %+v %v", doc, err)
	}
}

// An expired session stops the loop with NeedLogin until SetSession; no
// timer keeps retrying meanwhile.
func TestNeedLoginWaitsForSetSession(t *testing.T) {
	s := openStore(t)
	r := newFakeRemote()
	clock := &fakeClock{}
	r.changes = func(n int, cursor string, wait time.Duration) (protocol.Changes, error) {
		if r.Session().Token == "old" {
			return protocol.Changes{}, &protocol.Error{Status: 401, Code: protocol.CodeSessionExpired}
		}
		return protocol.Changes{Cursor: "c5"}, nil
	}
	r.SetSession(protocol.Session{Token: "old"})
	e := New(Config{Store: s, Client: r, WatchInterfaces: -1, Clock: clock})
	events, stop := e.Subscribe()
	defer stop()
	runEngine(t, e)
	waitFor(t, events, func(ev Event) bool { _, ok := ev.(NeedLogin); return ok })
	if st := e.State(); !st.NeedLogin || st.LastError == nil || st.LastError.Code != protocol.CodeSessionExpired {
		t.Fatalf("state %+v", st)
	}
	if d := clock.delays(); len(d) != 0 {
		t.Fatalf("timers %v while waiting for sign-in", d)
	}
	calls, _ := r.counts()
	e.SetSession(protocol.Session{Token: "new"})
	waitFor(t, events, func(ev Event) bool {
		st, ok := ev.(State)
		return ok && !st.NeedLogin && st.LastError == nil && !st.LastSync.IsZero()
	})
	if after, _ := r.counts(); after <= calls {
		t.Errorf("no feed request after SetSession")
	}
	if c, _ := s.Cursor(); c != "c5" {
		t.Errorf("cursor %q", c)
	}
}

// RunOnce ends when everything went and the feed is caught up, and says
// when it needs a sign-in.
func TestRunOnce(t *testing.T) {
	s := openStore(t)
	queueDoc(t, s, []byte("%PDF-1.7 x"))
	r := newFakeRemote()
	e := New(Config{Store: s, Client: r, Clock: &fakeClock{}})
	if err := e.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if c, _ := s.Counts(); c.OutboxPending != 0 {
		t.Errorf("pending %d after RunOnce", c.OutboxPending)
	}
	r.SetSession(protocol.Session{})
	if err := e.RunOnce(context.Background()); !errors.Is(err, ErrNeedLogin) {
		t.Errorf("RunOnce without a session = %v", err)
	}
}

// A file missing from the cache fails the entry for good, with a reason.
func TestMissingLocalFileFails(t *testing.T) {
	s := openStore(t)
	data := []byte("%PDF-1.7 deleted behind our back")
	id := queueDoc(t, s, data)
	if err := removeBlob(s, shaHex(data)); err != nil {
		t.Fatal(err)
	}
	r := newFakeRemote()
	e := New(Config{Store: s, Client: r, Clock: &fakeClock{}})
	events, stop := e.Subscribe()
	defer stop()
	if err := e.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	ev := waitFor(t, events, func(ev Event) bool { _, ok := ev.(Failed); return ok }).(Failed)
	if ev.Key != id || ev.Code != CodeMissingFile || !ev.Permanent {
		t.Errorf("failed %+v", ev)
	}
	if _, sends := r.counts(); sends != 0 {
		t.Errorf("%d sends of a document without its file", sends)
	}
}

// A reset lists both boxes; doing it twice duplicates nothing.
func TestResetResyncsWithoutDuplicates(t *testing.T) {
	s := openStore(t)
	r := newFakeRemote()
	pdf := []byte("%PDF-1.7 văn bản đến")
	r.blobs[shaHex(pdf)] = pdf
	doc := sampleDoc()
	doc.Attachments = []edoc.Attachment{{Role: edoc.RoleMain, Name: "qd.pdf", ContentType: "application/pdf", SHA256: shaHex(pdf), Size: int64(len(pdf))}}
	in := protocol.Message{ID: "msg-in-1", From: doc.From, Document: doc, AcceptedAt: time.Now().UTC()}
	resets := 0
	r.changes = func(n int, cursor string, wait time.Duration) (protocol.Changes, error) {
		if cursor != "after-reset" || n == 3 {
			resets++
			return protocol.Changes{Reset: true, Cursor: "after-reset"}, nil
		}
		return protocol.Changes{Cursor: "after-reset"}, nil
	}
	var listed []string
	r.messages = func(box, after string) (protocol.MessagePage, error) {
		listed = append(listed, box+"/"+after)
		if box == "inbox" && after == "" {
			return protocol.MessagePage{Messages: []protocol.Message{in}, Next: "p2"}, nil
		}
		return protocol.MessagePage{}, nil
	}
	e := New(Config{Store: s, Client: r, Clock: &fakeClock{}})
	for range 2 {
		if err := e.RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	docs, _, err := s.List(store.ListQuery{Box: store.BoxInbox})
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 1 || docs[0].MessageID != "msg-in-1" {
		t.Fatalf("inbox %+v", docs)
	}
	if !s.HasBlob(shaHex(pdf)) {
		t.Error("the document's file was not downloaded")
	}
	if resets != 2 || len(listed) != 6 {
		t.Errorf("resets %d, listings %q", resets, listed)
	}
	if c, _ := s.Cursor(); c != "after-reset" {
		t.Errorf("cursor %q", c)
	}
}

// A server that sends other bytes than the name says leaves nothing in
// the cache, and the round fails (to retry), it does not skip the file.
func TestDownloadOfWrongBytesKeepsNothing(t *testing.T) {
	s := openStore(t)
	r := newFakeRemote()
	want := []byte("%PDF-1.7 the real one")
	r.blobs[shaHex(want)] = []byte("%PDF-1.7 a forgery")
	doc := sampleDoc()
	doc.Attachments = []edoc.Attachment{{Role: edoc.RoleMain, Name: "a.pdf", SHA256: shaHex(want), Size: int64(len(want))}}
	if _, err := s.Apply([]protocol.Change{{Kind: protocol.ChangeReceived, MessageID: "m9", Message: &protocol.Message{ID: "m9", From: doc.From, Document: doc}}}, "c1"); err != nil {
		t.Fatal(err)
	}
	e := New(Config{Store: s, Client: r, Clock: &fakeClock{}})
	var res roundResult
	err := e.downloadMissing(context.Background(), &res)
	if err == nil || client.Permanent(err) {
		t.Fatalf("err = %v", err)
	}
	if s.HasBlob(shaHex(want)) || e.skipDownload[shaHex(want)] {
		t.Error("a forged file was kept, or the file given up")
	}
}

// A subscriber that never reads does not block the engine; when it reads
// at last, every Sent is there in order and the Progress flood is
// coalesced.
func TestSlowSubscriber(t *testing.T) {
	var h hub
	events, stop := h.subscribe()
	defer stop()
	for i := range 100 {
		for j := range 100 {
			h.publish(Progress{Key: "k", SHA256: "s", Done: int64(i*100 + j), Total: 10000, Direction: Up})
		}
		h.publish(Sent{Key: fmt.Sprint(i)})
		h.publish(State{Pending: 100 - i})
	}
	sent, progress, states := 0, 0, 0
	for sent < 100 {
		switch ev := (<-events).(type) {
		case Sent:
			if ev.Key != fmt.Sprint(sent) {
				t.Fatalf("Sent %s after %d", ev.Key, sent)
			}
			sent++
		case Progress:
			progress++
		case State:
			states++
		}
	}
	if progress > 101 {
		t.Errorf("%d progress events for 100 bursts: not coalesced", progress)
	}
	stop()
	for range events {
	}
}

func TestJitterBounds(t *testing.T) {
	for _, j := range []float64{0, 0.999, -1, 7} {
		d := jittered(8*time.Second, j)
		if d < 4*time.Second || d >= 8*time.Second {
			t.Errorf("jittered(8s, %v) = %v", j, d)
		}
	}
	if nextBackoff(0) != MinBackoff || nextBackoff(4*time.Minute) != MaxBackoff {
		t.Error("backoff bounds")
	}
}

// removeBlob deletes a blob file behind the cache's back (a user or a
// disk tool did).
func removeBlob(s *store.Store, sha string) error { return os.Remove(s.BlobPath(sha)) }
