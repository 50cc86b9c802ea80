package engine

import (
	gosync "sync"
	"time"

	"github.com/vanthuso/vanthu/sync/protocol"
)

// Event is what the engine tells the UI: State, Progress, Sent, Failed,
// Received or NeedLogin. Events are published after the cache committed
// what they report.
type Event interface{ event() }

// State is where the engine stands. It is published whenever a field
// changes and is also what Engine.State returns.
type State struct {
	// Online: the last request reached the server.
	Online bool
	// Syncing: a round is running (pushing, downloading or catching up
	// with the feed); false while the engine only waits in the long poll
	// or for its next try.
	Syncing bool
	// LastSync is the server's time of the last round that ended well
	// (zero before the first).
	LastSync time.Time
	// LastError is the last round's failure (nil after a round that
	// ended well); its Reason in Vietnamese and English.
	LastError *Reason
	// NextTry is when the engine tries again after a failure (zero when
	// it is not waiting for a retry).
	NextTry time.Time
	// Pending counts outbox entries and statuses still to go; Failed the
	// outbox entries that failed for good.
	Pending, Failed int
	// ClockSkew is how far the server's clock is ahead of this
	// computer's.
	ClockSkew time.Duration
	// NeedLogin: the session expired or is missing; the engine waits for
	// SetSession.
	NeedLogin bool
}

// Direction of a transfer.
type Direction string

const (
	Up   Direction = "up"   // an attachment being uploaded
	Down Direction = "down" // a blob being downloaded
)

// Progress is a transfer's progress. Key is the outbox entry for an
// upload, "" for a download (a blob may belong to several documents).
type Progress struct {
	Key       string
	SHA256    string
	Done      int64
	Total     int64 // -1 when unknown
	Direction Direction
}

// Sent: the server accepted the outbox entry Key as MessageID; the cache
// recorded it.
type Sent struct {
	Key       string
	MessageID string
}

// Failed: an outbox entry (or a queued status, Key its client status id)
// could not go. Permanent failures are recorded in the cache and never
// retried; others are retried with backoff.
type Failed struct {
	Key       string
	Code      string // protocol.Error.Code, or a code of this package (CodeMissingFile)
	Reason    Reason
	Permanent bool
}

// Acted: the server committed the queued action Key; Case is the case
// as it stands now (its register entry holds the số the server gave).
type Acted struct {
	Key    string
	Action string
	Case   protocol.Case
}

// CasesChanged: the feed brought these cases of the agency (another
// user acted: a case presented or assigned to this one, a number given).
type CasesChanged struct {
	IDs []string
}

// StatusesChanged: the feed brought statuses of these messages (a
// recipient registered, assigned, finished a document this agency sent,
// or an issuer asked to revoke one it received).
type StatusesChanged struct {
	MessageIDs []string
}

// Received: documents newly in the cache, to announce.
type Received struct {
	Keys []string
}

// NeedLogin: the session expired or was refused; the app asks for the
// token's PIN and calls SetSession.
type NeedLogin struct{}

func (State) event()           {}
func (Progress) event()        {}
func (Sent) event()            {}
func (Failed) event()          {}
func (Received) event()        {}
func (Acted) event()           {}
func (CasesChanged) event()    {}
func (StatusesChanged) event() {}
func (NeedLogin) event()       {}

// hub fans events out to subscribers without ever blocking the
// publisher: each subscriber has its own queue, drained by its own
// goroutine into its channel. In a queue a newer State replaces the
// queued one and a newer Progress of the same transfer replaces the
// queued one (coalescing); every other event is kept.
type hub struct {
	mu   gosync.Mutex
	subs map[*subscriber]struct{}
}

type subscriber struct {
	out  chan Event
	mu   gosync.Mutex
	q    []Event
	wake chan struct{}
	stop chan struct{}
	once gosync.Once
}

func (h *hub) subscribe() (<-chan Event, func()) {
	s := &subscriber{out: make(chan Event), wake: make(chan struct{}, 1), stop: make(chan struct{})}
	h.mu.Lock()
	if h.subs == nil {
		h.subs = map[*subscriber]struct{}{}
	}
	h.subs[s] = struct{}{}
	h.mu.Unlock()
	go s.pump()
	cancel := func() {
		h.mu.Lock()
		delete(h.subs, s)
		h.mu.Unlock()
		s.once.Do(func() { close(s.stop) })
	}
	return s.out, cancel
}

func (h *hub) publish(e Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		s.push(e)
	}
}

func (s *subscriber) push(e Event) {
	s.mu.Lock()
	switch e := e.(type) {
	case State:
		for i, old := range s.q {
			if _, ok := old.(State); ok {
				s.q = append(s.q[:i], s.q[i+1:]...)
				break
			}
		}
	case Progress:
		for i, old := range s.q {
			if p, ok := old.(Progress); ok && p.SHA256 == e.SHA256 && p.Direction == e.Direction && p.Key == e.Key {
				s.q[i] = e
				s.mu.Unlock()
				return
			}
		}
	}
	s.q = append(s.q, e)
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// pump delivers the queue in order; once cancelled it delivers what is
// still queued and closes out.
func (s *subscriber) pump() {
	defer close(s.out)
	for {
		s.mu.Lock()
		if len(s.q) == 0 {
			s.mu.Unlock()
			select {
			case <-s.wake:
				continue
			case <-s.stop:
				return
			}
		}
		e := s.q[0]
		s.q = s.q[1:]
		s.mu.Unlock()
		s.out <- e
	}
}
