package engine

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	gosync "sync"
	"time"

	"github.com/vanthuso/vanthu/sync/client"
	"github.com/vanthuso/vanthu/sync/protocol"
	"github.com/vanthuso/vanthu/sync/store"
)

// Local is the part of the client cache the engine uses; *store.Store
// satisfies it. It has no method that deletes a document: only the feed's
// explicit ChangeDeleted, applied by Apply, removes local data.
type Local interface {
	Outbox() ([]store.OutboxEntry, error)
	OutboxEntry(id string) (store.OutboxEntry, error)
	Counts() (store.Counts, error)
	UpdateOutbox(id string, f func(*store.OutboxEntry) error) error
	MarkSent(id string, a protocol.SendAnswer) error
	MarkFailed(id, code, reason string) error

	PendingStatuses() ([]store.StatusEntry, error)
	StatusSent(clientStatusID string, ev protocol.StatusEvent) error
	StatusFailed(clientStatusID, reason string) error

	Actions() ([]store.ActionEntry, error)
	PendingActions() ([]store.ActionEntry, error)
	ActionDone(clientActionID string, a protocol.ActionAnswer) error
	ActionFailed(clientActionID, code, reason string) error
	PutCases(cases []protocol.Case) error

	Cursor() (string, error)
	Apply(changes []protocol.Change, cursor string) (store.ApplyResult, error)
	Resync(msgs []protocol.Message, box store.Box, cursor string) error

	MissingBlobs() ([]string, error)
	PutBlobExpect(r io.Reader, sha string) (int64, error)
	OpenBlob(sha string) (*os.File, error)
}

// Remote is the part of the server API the engine uses; *client.Client
// satisfies it.
type Remote interface {
	Session() protocol.Session
	SetSession(protocol.Session)
	ClockSkew() (time.Duration, bool)
	ServerNow() time.Time
	HasBlob(ctx context.Context, sha string) (bool, int64, error)
	Upload(ctx context.Context, r io.ReaderAt, sha string, size int64, o client.UploadOptions) error
	Download(ctx context.Context, sha string, w io.Writer, o client.DownloadOptions) (int64, error)
	Send(ctx context.Context, clientMsgID string, body []byte) (protocol.SendAnswer, error)
	SendStatus(ctx context.Context, messageID, clientStatusID string, req protocol.StatusRequest) (protocol.StatusAnswer, error)
	Changes(ctx context.Context, cursor string, wait time.Duration) (protocol.Changes, error)
	Messages(ctx context.Context, box, after string) (protocol.MessagePage, error)
	Work(ctx context.Context, clientActionID string, req protocol.ActionRequest) (protocol.ActionAnswer, error)
	Cases(ctx context.Context, after string) (protocol.CasePage, error)
}

// Clock is the engine's time source; the zero Config uses the real one.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Backoff bounds: the first retry waits about MinBackoff, each failure
// doubles it, up to MaxBackoff; a success resets it.
const (
	MinBackoff = time.Second
	MaxBackoff = 5 * time.Minute
)

// Config configures an Engine. Store and Client are required.
type Config struct {
	Store  Local
	Client Remote
	// ChunkSize of uploads; 0 is 1 MiB.
	ChunkSize int64
	// Clock; nil is the real clock.
	Clock Clock
	// Logger; nil discards.
	Logger *slog.Logger
	// Connectivity, when set, is the app's word on the network: true
	// when it comes up (the engine tries at once, backoff reset), false
	// when it goes down (shown as offline).
	Connectivity <-chan bool
	// WatchInterfaces is how often the engine looks for a change of the
	// network interfaces and their addresses, which counts as the network
	// coming up; 0 is every 5 s, < 0 never.
	WatchInterfaces time.Duration
	// PollWait is the long poll's wait; 0 is protocol.MaxWait seconds.
	PollWait time.Duration
	// Jitter returns a number in [0, 1) for the backoff's jitter; nil is
	// math/rand/v2.
	Jitter func() float64
}

// Engine is the sync service loop of one cache and one server. Make it
// with New, start it with Run (once).
type Engine struct {
	cfg     Config
	clock   Clock
	log     *slog.Logger
	hub     hub
	syncNow chan struct{}
	running gosync.Mutex // held by Run

	mu    gosync.Mutex
	state State

	// skipDownload holds blobs the server refused for good in this run
	// (not found, forbidden): they are not asked again until the next
	// Run. Only the round in progress touches it.
	skipDownload map[string]bool
}

// ErrRunning: Run was called while another Run of the same engine runs.
var ErrRunning = errors.New("sync engine already running")

// ErrNeedLogin: RunOnce stopped because the session expired or is
// missing.
var ErrNeedLogin = errors.New("sign-in needed")

// New returns an engine for cfg; nothing runs until Run.
func New(cfg Config) *Engine {
	if cfg.ChunkSize <= 0 {
		cfg.ChunkSize = client.DefaultChunkSize
	}
	if cfg.PollWait <= 0 {
		cfg.PollWait = protocol.MaxWait * time.Second
	}
	if cfg.WatchInterfaces == 0 {
		cfg.WatchInterfaces = 5 * time.Second
	}
	if cfg.Jitter == nil {
		cfg.Jitter = rand.Float64
	}
	e := &Engine{cfg: cfg, clock: cfg.Clock, log: cfg.Logger, syncNow: make(chan struct{}, 1), skipDownload: map[string]bool{}}
	if e.clock == nil {
		e.clock = realClock{}
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	return e
}

// Subscribe returns a channel of events and a function that ends the
// subscription: no event published after it is queued, the events queued
// before it are still delivered, then the channel is closed; the
// subscriber reads until then. A subscriber that does not keep up never
// slows the engine: its queued State and Progress events are coalesced
// (the newest replaces the queued one), every other event is kept in
// order.
func (e *Engine) Subscribe() (<-chan Event, func()) { return e.hub.subscribe() }

// State is the engine's current state.
func (e *Engine) State() State {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.state
}

// SyncNow asks for a round at once: push the outbox, download, read the
// feed. It never blocks; requests made while one is pending count once.
// It also ends a wait for sign-in (after SetSession).
func (e *Engine) SyncNow() {
	select {
	case e.syncNow <- struct{}{}:
	default:
	}
}

// SetSession gives the client a new session (after the user signed in
// again) and asks for a round.
func (e *Engine) SetSession(s protocol.Session) {
	e.cfg.Client.SetSession(s)
	e.SyncNow()
}

// setState changes the state under the lock and publishes it when it
// changed.
func (e *Engine) setState(f func(*State)) {
	e.mu.Lock()
	old := e.state
	f(&e.state)
	now := e.state
	e.mu.Unlock()
	if !sameState(old, now) {
		e.hub.publish(now)
	}
}

func sameState(a, b State) bool {
	if (a.LastError == nil) != (b.LastError == nil) || (a.LastError != nil && *a.LastError != *b.LastError) {
		return false
	}
	a.LastError, b.LastError = nil, nil
	return a == b
}

// Run is the service loop. It returns when ctx is done, with ctx's error
// (after the round in progress stopped), or ErrRunning at once when the
// engine runs already.
func (e *Engine) Run(ctx context.Context) error { return e.serve(ctx, false) }

// RunOnce runs rounds, without long polls, until the outbox and the
// status queue are empty (sent or failed for good), the missing blobs
// downloaded and the feed caught up; then it returns nil. Transient
// failures are retried with backoff until ctx is done; a missing or
// expired session returns ErrNeedLogin.
func (e *Engine) RunOnce(ctx context.Context) error { return e.serve(ctx, true) }

// loop is the state Run's goroutine owns.
type loop struct {
	working bool
	wake    chan struct{} // closed to end the round's long poll early
	woken   bool
	again   bool          // a request came during the round: another at once
	backoff time.Duration // the last failure's delay, 0 after a success
	timer   <-chan time.Time
	login   bool // waiting for SetSession
}

func (e *Engine) serve(ctx context.Context, once bool) error {
	if !e.running.TryLock() {
		return ErrRunning
	}
	defer e.running.Unlock()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	netChanged := make(chan struct{}, 1)
	if e.cfg.WatchInterfaces > 0 && !once {
		go watchInterfaces(ctx, e.cfg.WatchInterfaces, e.clock, netChanged)
	}
	phase := make(chan pollPhase, 1)  // the round waits in the long poll
	results := make(chan roundResult) // the round's end
	var l loop
	var first roundResult
	e.count(&first)
	if first.counted {
		e.setState(func(s *State) { s.Pending, s.Failed = first.pending, first.failed })
	}
	start := func() {
		l.working, l.timer, l.woken, l.again = true, nil, false, false
		l.wake = make(chan struct{})
		wake := l.wake
		e.setState(func(s *State) { s.Syncing, s.NextTry = true, time.Time{} })
		go func() { results <- e.round(ctx, wake, phase, once) }()
	}
	interrupt := func() {
		if l.working {
			l.again = true
			if !l.woken {
				close(l.wake)
				l.woken = true
			}
		} else {
			start()
		}
	}
	start()
	for {
		select {
		case <-ctx.Done():
			if l.working {
				<-results
			}
			e.setState(func(s *State) { s.Syncing = false })
			return ctx.Err()
		case <-e.syncNow:
			l.login = false
			interrupt()
		case up, ok := <-e.cfg.Connectivity:
			if !ok {
				e.cfg.Connectivity = nil
				continue
			}
			if !up {
				e.setState(func(s *State) { s.Online = false })
				continue
			}
			l.backoff = 0
			if !l.login {
				interrupt()
			}
		case <-netChanged:
			l.backoff = 0
			if !l.login {
				interrupt()
			}
		case p := <-phase:
			e.setState(func(s *State) {
				s.Syncing = false
				if p.counted {
					s.Pending, s.Failed = p.pending, p.failed
				}
				if p.reached {
					s.Online, s.LastError = true, nil
					s.LastSync = e.cfg.Client.ServerNow()
				}
			})
		case <-l.timer:
			if !l.working && !l.login {
				start()
			}
		case res := <-results:
			l.working = false
			if done, err := e.roundEnded(&l, res, once); done {
				return err
			}
			if l.again && !l.login {
				start()
			}
		}
	}
}

// roundEnded records a round's result in the state and decides the next
// one. done tells serve to return err (RunOnce only).
func (e *Engine) roundEnded(l *loop, res roundResult, once bool) (done bool, err error) {
	now := e.clock.Now()
	skew, _ := e.cfg.Client.ClockSkew()
	var next time.Duration
	switch {
	case res.needLogin:
		l.login = true
		l.again = false
	case res.err == nil:
		l.backoff = 0
		next = res.serverBackoff
	default:
		l.backoff = nextBackoff(l.backoff)
		next = max(jittered(l.backoff, e.cfg.Jitter()), res.retryAfter, res.serverBackoff)
		l.again = false
		e.log.Warn("sync round failed", "err", res.err, "retry_in", next)
	}
	e.setState(func(s *State) {
		s.Syncing = false
		s.ClockSkew = skew
		s.NeedLogin = res.needLogin
		if res.counted {
			s.Pending, s.Failed = res.pending, res.failed
		}
		if res.reached {
			s.Online = true
		} else if res.offline {
			s.Online = false
		}
		s.NextTry = time.Time{}
		switch {
		case res.needLogin:
			r := explainErr(res.err)
			s.LastError = &r
		case res.err == nil:
			s.LastError = nil
			s.LastSync = e.cfg.Client.ServerNow()
		default:
			r := explainErr(res.err)
			s.LastError = &r
			s.NextTry = now.Add(next)
		}
	})
	if res.needLogin {
		e.hub.publish(NeedLogin{})
		if once {
			return true, ErrNeedLogin
		}
		return false, nil
	}
	if once && res.err == nil && res.settled {
		return true, nil
	}
	if next > 0 {
		l.timer = e.clock.After(next)
	} else {
		l.again = true
	}
	return false, nil
}

// nextBackoff doubles d, from MinBackoff up to MaxBackoff.
func nextBackoff(d time.Duration) time.Duration {
	if d < MinBackoff {
		return MinBackoff
	}
	return min(2*d, MaxBackoff)
}

// jittered is d spread over [d/2, d) by j in [0, 1).
func jittered(d time.Duration, j float64) time.Duration {
	if j < 0 || j >= 1 {
		j = 0
	}
	return d/2 + time.Duration(float64(d/2)*j)
}
