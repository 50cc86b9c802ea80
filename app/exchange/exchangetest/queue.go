// Package exchangetest helps the tests of the exchange screens (app/inbox,
// app/outbox, app/send, app/login and app): a queue that stands in for the
// UI goroutine. Only tests import it; the application carries none of it.
//
// Under Fyne's test driver fyne.Do runs its function at once on the
// calling goroutine, so a screen's background goroutine would change
// widgets while the test reads them. Give the screen Queue.Do instead:
// changes wait in the queue until the test goroutine runs them (Drain,
// Until), so widgets are only ever touched by one goroutine.
package exchangetest

import (
	"sync"
	"testing"
	"time"
)

// Queue collects functions for the test goroutine to run.
type Queue struct {
	mu   sync.Mutex
	fs   []func()
	wake chan struct{}
}

// NewQueue returns an empty queue.
func NewQueue() *Queue { return &Queue{wake: make(chan struct{}, 1)} }

// Do queues f; safe from any goroutine.
func (q *Queue) Do(f func()) {
	q.mu.Lock()
	q.fs = append(q.fs, f)
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// Drain runs what is queued (and what that queues) and returns how many
// functions ran.
func (q *Queue) Drain() int {
	n := 0
	for {
		q.mu.Lock()
		fs := q.fs
		q.fs = nil
		q.mu.Unlock()
		if len(fs) == 0 {
			return n
		}
		for _, f := range fs {
			f()
			n++
		}
	}
}

// Until drains until cond holds, failing the test after 30 s.
func (q *Queue) Until(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		q.Drain()
		if cond() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		select {
		case <-q.wake:
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// Settle drains until nothing has come for 50 ms: background work that
// was started has reported.
func (q *Queue) Settle() {
	quiet := time.Now()
	for time.Since(quiet) < 50*time.Millisecond {
		if q.Drain() > 0 {
			quiet = time.Now()
		}
		select {
		case <-q.wake:
		case <-time.After(5 * time.Millisecond):
		}
	}
}
