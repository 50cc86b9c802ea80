package bolt

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sync"

	bbolt "go.etcd.io/bbolt"

	"github.com/vanthuso/vanthu/server/store"
)

// Idempotency implements store.Store.
func (s *Store) Idempotency(ctx context.Context, agency, k string) (store.Idempotency, error) {
	var r store.Idempotency
	err := s.view(ctx, func(tx *bbolt.Tx) error { return get(tx.Bucket(bucketIdem), key(agency, k), &r) })
	return r, err
}

// priorIdem reads the record of c's key in tx; found reports whether
// there is one.
func priorIdem(tx *bbolt.Tx, r store.Idempotency) (store.Idempotency, bool, error) {
	var prior store.Idempotency
	err := get(tx.Bucket(bucketIdem), key(r.Agency, r.Key), &prior)
	if err == store.ErrNotFound {
		return prior, false, nil
	}
	return prior, err == nil, err
}

// appendEvents gives each event its feed's next sequence and writes it.
func appendEvents(tx *bbolt.Tx, events []store.Event) error {
	feeds := tx.Bucket(bucketFeeds)
	for _, e := range events {
		b, err := feeds.CreateBucketIfNotExists([]byte(e.Feed))
		if err != nil {
			return err
		}
		if e.Seq, err = b.NextSequence(); err != nil {
			return err
		}
		if err := put(b, u64(e.Seq), e); err != nil {
			return err
		}
	}
	return nil
}

func feedNames(events []store.Event) []string {
	out := make([]string, 0, len(events))
	for _, e := range events {
		out = append(out, e.Feed)
	}
	return out
}

// CommitSend implements store.Store.
func (s *Store) CommitSend(ctx context.Context, c store.SendCommit) (store.Idempotency, bool, error) {
	m := c.Message
	if m.ID == "" || m.From == "" || c.Idem.Key == "" || c.Idem.Agency == "" {
		return store.Idempotency{}, false, fmt.Errorf("commit send: empty message id, sender or idempotency key")
	}
	return s.commitOnce(ctx, c.Idem, c.Events, func(tx *bbolt.Tx) error {
		msgs := tx.Bucket(bucketMessages)
		if msgs.Get([]byte(m.ID)) != nil {
			return fmt.Errorf("commit send: message %s: %w", m.ID, store.ErrConflict)
		}
		if err := put(msgs, []byte(m.ID), m); err != nil {
			return err
		}
		boxes := tx.Bucket(bucketBoxes)
		addToBox := func(agency string, box store.Box) error {
			b, err := boxes.CreateBucketIfNotExists(key(agency, string(box)))
			if err != nil {
				return err
			}
			pos, err := b.NextSequence()
			if err != nil {
				return err
			}
			return b.Put(u64(pos), []byte(m.ID))
		}
		if err := addToBox(m.From, store.Outbox); err != nil {
			return err
		}
		for _, r := range m.Recipients {
			if err := addToBox(r, store.Inbox); err != nil {
				return err
			}
		}
		seen := tx.Bucket(bucketBlobSeen)
		for _, a := range m.Document.Attachments {
			for _, agency := range append([]string{m.From}, m.Recipients...) {
				if err := seen.Put(key(a.SHA256, agency), nil); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// CommitStatus implements store.Store.
func (s *Store) CommitStatus(ctx context.Context, c store.StatusCommit) (store.Idempotency, bool, error) {
	if c.Idem.Key == "" || c.Idem.Agency == "" {
		return store.Idempotency{}, false, fmt.Errorf("commit status: empty idempotency key")
	}
	return s.commitOnce(ctx, c.Idem, c.Events, func(tx *bbolt.Tx) error {
		msgs := tx.Bucket(bucketMessages)
		var m store.Message
		if err := get(msgs, []byte(c.MessageID), &m); err != nil {
			return err
		}
		if c.Check != nil {
			if err := c.Check(m); err != nil {
				return err
			}
		}
		m.Statuses = append(m.Statuses, c.Event)
		for i := range m.Deliveries {
			if m.Deliveries[i].OrganID == c.Event.OrganID {
				m.Deliveries[i].Status, m.Deliveries[i].UpdatedAt = c.Event.Status, c.Event.At
			}
		}
		return put(msgs, []byte(m.ID), m)
	})
}

// commitOnce runs write in one transaction with the feed events and the
// idempotency record idem, unless idem's key is recorded already: then it
// writes nothing and returns the earlier record with false. Long polls
// of the events' feeds wake after the commit.
func (s *Store) commitOnce(ctx context.Context, idem store.Idempotency, events []store.Event, write func(*bbolt.Tx) error) (store.Idempotency, bool, error) {
	var prior store.Idempotency
	var found bool
	err := s.update(ctx, func(tx *bbolt.Tx) error {
		var err error
		if prior, found, err = priorIdem(tx, idem); err != nil || found {
			return err
		}
		if err := write(tx); err != nil {
			return err
		}
		if err := appendEvents(tx, events); err != nil {
			return err
		}
		return put(tx.Bucket(bucketIdem), key(idem.Agency, idem.Key), idem)
	})
	if err != nil {
		return store.Idempotency{}, false, err
	}
	if found {
		return prior, false, nil
	}
	s.waits.wake(feedNames(events))
	return store.Idempotency{}, true, nil
}

// Message implements store.Store.
func (s *Store) Message(ctx context.Context, id string) (store.Message, error) {
	var m store.Message
	err := s.view(ctx, func(tx *bbolt.Tx) error { return get(tx.Bucket(bucketMessages), []byte(id), &m) })
	return m, err
}

// Messages implements store.Store.
func (s *Store) Messages(ctx context.Context, agency string, box store.Box, after uint64, limit int) ([]store.Message, uint64, error) {
	var out []store.Message
	last := after
	err := s.view(ctx, func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketBoxes).Bucket(key(agency, string(box)))
		if b == nil {
			return nil
		}
		msgs := tx.Bucket(bucketMessages)
		c := b.Cursor()
		for k, v := c.Seek(u64(after + 1)); k != nil && len(out) < limit; k, v = c.Next() {
			var m store.Message
			if err := get(msgs, v, &m); err != nil {
				return err
			}
			out = append(out, m)
			last = binary.BigEndian.Uint64(k)
		}
		return nil
	})
	return out, last, err
}

// ---- feeds ----

// Changes implements store.Store.
func (s *Store) Changes(ctx context.Context, feed string, after uint64, limit int) ([]store.Event, error) {
	var out []store.Event
	err := s.view(ctx, func(tx *bbolt.Tx) error {
		var err error
		out, err = afterSeq[store.Event](tx.Bucket(bucketFeeds).Bucket([]byte(feed)), after, limit, "event "+feed)
		return err
	})
	return out, err
}

// afterSeq decodes up to limit records of a bucket keyed by u64
// sequence, those after after, in order; a nil bucket holds none.
func afterSeq[T any](b *bbolt.Bucket, after uint64, limit int, what string) ([]T, error) {
	if b == nil {
		return nil, nil
	}
	var out []T
	c := b.Cursor()
	for k, v := c.Seek(u64(after + 1)); k != nil && len(out) < limit; k, v = c.Next() {
		var r T
		if err := json.Unmarshal(v, &r); err != nil {
			return nil, fmt.Errorf("damaged %s/%x: %w", what, k, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// FeedHead implements store.Store.
func (s *Store) FeedHead(ctx context.Context, feed string) (uint64, error) {
	var head uint64
	err := s.view(ctx, func(tx *bbolt.Tx) error {
		head = heads(tx, []string{feed})[0]
		return nil
	})
	return head, err
}

func heads(tx *bbolt.Tx, feeds []string) []uint64 {
	out := make([]uint64, len(feeds))
	fb := tx.Bucket(bucketFeeds)
	for i, f := range feeds {
		if b := fb.Bucket([]byte(f)); b != nil {
			out[i] = b.Sequence()
		}
	}
	return out
}

// WaitChange implements store.Store.
func (s *Store) WaitChange(ctx context.Context, feeds []string, after []uint64) error {
	if len(feeds) != len(after) {
		return fmt.Errorf("wait change: %d feeds, %d positions", len(feeds), len(after))
	}
	w := s.waits.add(feeds)
	defer s.waits.remove(w, feeds)
	for {
		// Registered before reading: a commit after the read wakes w.
		var ahead bool
		if err := s.view(ctx, func(tx *bbolt.Tx) error {
			for i, h := range heads(tx, feeds) {
				ahead = ahead || h > after[i]
			}
			return nil
		}); err != nil {
			return err
		}
		if ahead {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-w:
		}
	}
}

// waiters wakes WaitChange calls after commits, per feed.
type waiters struct {
	mu     sync.Mutex
	byFeed map[string]map[chan struct{}]struct{}
}

func (ws *waiters) add(feeds []string) chan struct{} {
	w := make(chan struct{}, 1)
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if ws.byFeed == nil {
		ws.byFeed = map[string]map[chan struct{}]struct{}{}
	}
	for _, f := range feeds {
		if ws.byFeed[f] == nil {
			ws.byFeed[f] = map[chan struct{}]struct{}{}
		}
		ws.byFeed[f][w] = struct{}{}
	}
	return w
}

func (ws *waiters) remove(w chan struct{}, feeds []string) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	for _, f := range feeds {
		delete(ws.byFeed[f], w)
		if len(ws.byFeed[f]) == 0 {
			delete(ws.byFeed, f)
		}
	}
}

func (ws *waiters) wake(feeds []string) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	for _, f := range feeds {
		for w := range ws.byFeed[f] {
			select {
			case w <- struct{}{}:
			default:
			}
		}
	}
}
