package server

import (
	"context"
	"time"

	"github.com/vanthuso/vanthu/server/store"
	"github.com/vanthuso/vanthu/sync/protocol"
)

// timedStore times the store operations requests wait on most (the
// commits, the feed, messages, sessions, uploads) for /metrics; the rest
// pass through untimed.
type timedStore struct {
	store.Store
	m *metrics
}

// timedFiler is a timedStore over a store that keeps blobs as files.
type timedFiler struct {
	timedStore
	store.BlobFiler
}

// withTiming wraps st, keeping its BlobFiler when it has one.
func withTiming(st store.Store, m *metrics) store.Store {
	t := timedStore{Store: st, m: m}
	if bf, ok := st.(store.BlobFiler); ok {
		return timedFiler{timedStore: t, BlobFiler: bf}
	}
	return t
}

func timed[T any](m *metrics, op string, f func() (T, error)) (T, error) {
	start := time.Now()
	v, err := f()
	m.storeOp(op, time.Since(start))
	return v, err
}

type commitAnswer struct {
	prior store.Idempotency
	ok    bool
}

func timedCommit(m *metrics, op string, f func() (store.Idempotency, bool, error)) (store.Idempotency, bool, error) {
	a, err := timed(m, op, func() (commitAnswer, error) {
		p, ok, err := f()
		return commitAnswer{p, ok}, err
	})
	return a.prior, a.ok, err
}

func (t timedStore) CommitSend(ctx context.Context, c store.SendCommit) (store.Idempotency, bool, error) {
	return timedCommit(t.m, "commit_send", func() (store.Idempotency, bool, error) { return t.Store.CommitSend(ctx, c) })
}

func (t timedStore) CommitStatus(ctx context.Context, c store.StatusCommit) (store.Idempotency, bool, error) {
	return timedCommit(t.m, "commit_status", func() (store.Idempotency, bool, error) { return t.Store.CommitStatus(ctx, c) })
}

func (t timedStore) CommitWork(ctx context.Context, c store.WorkCommit) (store.Idempotency, bool, error) {
	return timedCommit(t.m, "commit_work", func() (store.Idempotency, bool, error) { return t.Store.CommitWork(ctx, c) })
}

func (t timedStore) Changes(ctx context.Context, feed string, after uint64, limit int) ([]store.Event, error) {
	return timed(t.m, "changes", func() ([]store.Event, error) { return t.Store.Changes(ctx, feed, after, limit) })
}

func (t timedStore) Message(ctx context.Context, id string) (store.Message, error) {
	return timed(t.m, "message", func() (store.Message, error) { return t.Store.Message(ctx, id) })
}

func (t timedStore) Session(ctx context.Context, tokenHash string) (store.Session, error) {
	return timed(t.m, "session", func() (store.Session, error) { return t.Store.Session(ctx, tokenHash) })
}

func (t timedStore) AppendUpload(ctx context.Context, id string, offset int64, data []byte) (store.Upload, error) {
	return timed(t.m, "append_upload", func() (store.Upload, error) { return t.Store.AppendUpload(ctx, id, offset, data) })
}

func (t timedStore) Case(ctx context.Context, agency, id string) (protocol.Case, error) {
	return timed(t.m, "case", func() (protocol.Case, error) { return t.Store.Case(ctx, agency, id) })
}
