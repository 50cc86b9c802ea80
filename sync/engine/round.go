package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/vanthuso/vanthu/internal/failpoint"
	"github.com/vanthuso/vanthu/sync/client"
	"github.com/vanthuso/vanthu/sync/protocol"
	"github.com/vanthuso/vanthu/sync/store"
)

// roundResult is what a round tells the loop.
type roundResult struct {
	err           error // the first failure that stopped or spoiled the round
	needLogin     bool
	retryAfter    time.Duration // the server asked to wait (429, 503)
	serverBackoff time.Duration // Changes.Backoff, or a pause after a poll that did not wait
	reached       bool          // some answer came from the server
	offline       bool          // the server could not be reached
	counted       bool          // pending and failed are known
	pending       int
	failed        int
	settled       bool // nothing pending, nothing missing, feed caught up
}

// pollPhase tells the loop that the round waits in the long poll, with
// the counts as they stand then.
type pollPhase struct {
	pending, failed int
	counted         bool
	reached         bool
}

// round is one pass: statuses and outbox up, missing blobs down, the feed
// caught up, then (Run, nothing pending, nothing failed) a long poll that
// wake ends early. It runs on its own goroutine; the loop waits for it.
func (e *Engine) round(ctx context.Context, wake <-chan struct{}, phase chan<- pollPhase, once bool) (res roundResult) {
	defer func() {
		e.count(&res)
		if res.err != nil {
			res.needLogin = client.NeedLogin(res.err)
			res.retryAfter = client.RetryAfter(res.err)
			var le *localError
			res.offline = !errors.As(res.err, &le) && client.Offline(res.err)
			if client.Code(res.err) != "" {
				res.reached = true
			}
		}
	}()
	if e.cfg.Client.Session().Token == "" {
		res.err = client.ErrNotSignedIn
		return res
	}
	// fatal: the round cannot go on (no network, no session, cancelled,
	// the server asked to wait).
	fatal := func(err error) bool {
		var le *localError
		return ctx.Err() != nil || client.NeedLogin(err) || client.RetryAfter(err) > 0 ||
			(!errors.As(err, &le) && client.Offline(err))
	}
	note := func(err error) bool {
		if err == nil {
			return false
		}
		if res.err == nil {
			res.err = err
		}
		return fatal(err)
	}
	if note(e.pushStatuses(ctx, &res)) || note(e.pushActions(ctx, &res)) || note(e.pushOutbox(ctx, &res)) || note(e.downloadMissing(ctx, &res)) {
		return res
	}
	applied, err := e.catchUp(ctx, &res)
	if note(err) {
		return res
	}
	if applied && note(e.downloadMissing(ctx, &res)) {
		return res
	}
	if res.err != nil || res.serverBackoff > 0 {
		return res
	}
	if once {
		e.count(&res)
		missing, err := e.cfg.Store.MissingBlobs()
		if note(local(err)) {
			return res
		}
		left := 0
		for _, sha := range missing {
			if !e.skipDownload[sha] {
				left++
			}
		}
		res.settled = res.counted && res.pending == 0 && left == 0
		return res
	}
	if pending, err := e.anythingPending(); note(err) || pending {
		return res
	}
	e.count(&res)
	phase <- pollPhase{pending: res.pending, failed: res.failed, counted: res.counted, reached: res.reached}
	note(e.longPoll(ctx, wake, &res))
	return res
}

// count fills the pending and failed counts.
func (e *Engine) count(res *roundResult) {
	c, err1 := e.cfg.Store.Counts()
	st, err2 := e.cfg.Store.PendingStatuses()
	if err1 != nil || err2 != nil {
		return
	}
	acts, err3 := e.cfg.Store.Actions()
	if err3 != nil {
		return
	}
	res.pending, res.failed = c.OutboxPending, c.OutboxFailed
	for _, s := range st {
		if !s.Failed {
			res.pending++
		}
	}
	for _, a := range acts {
		if a.Failed {
			res.failed++
		} else {
			res.pending++
		}
	}
	res.counted = true
}

func (e *Engine) anythingPending() (bool, error) {
	pend, err := e.cfg.Store.Outbox()
	if err != nil {
		return false, local(err)
	}
	st, err := e.cfg.Store.PendingStatuses()
	if err != nil {
		return false, local(err)
	}
	for _, s := range st {
		if !s.Failed {
			return true, nil
		}
	}
	acts, err := e.cfg.Store.PendingActions()
	if err != nil {
		return false, local(err)
	}
	return len(pend) > 0 || len(acts) > 0, nil
}

// ---- up ----

// pushStatuses sends the queued statuses.
func (e *Engine) pushStatuses(ctx context.Context, res *roundResult) error {
	sts, err := e.cfg.Store.PendingStatuses()
	if err != nil {
		return local(err)
	}
	var first error
	for _, st := range sts {
		if st.Failed {
			continue
		}
		ans, err := e.cfg.Client.SendStatus(ctx, st.MessageID, st.ClientStatusID, st.Request)
		if err == nil {
			res.reached = true
			if err := e.cfg.Store.StatusSent(st.ClientStatusID, ans.Event); err != nil {
				return local(err)
			}
			continue
		}
		if client.Permanent(err) {
			res.reached = true
			if err := e.cfg.Store.StatusFailed(st.ClientStatusID, err.Error()); err != nil {
				return local(err)
			}
			e.hub.publish(Failed{Key: st.ClientStatusID, Code: client.Code(err), Reason: explainErr(err), Permanent: true})
			continue
		}
		e.hub.publish(Failed{Key: st.ClientStatusID, Code: codeOf(err), Reason: explainErr(err)})
		if first == nil {
			first = err
		}
		if stopsPush(err) {
			return err
		}
	}
	return first
}

// stopsPush reports whether err ends the push of the remaining entries
// (they would fail the same way).
func stopsPush(err error) bool {
	var le *localError
	return errors.As(err, &le) || client.NeedLogin(err) || client.RetryAfter(err) > 0 ||
		client.Offline(err) || errors.Is(err, context.Canceled)
}

// codeOf is the failure code of err for events.
func codeOf(err error) string { return explainErr(err).Code }

// pushOutbox sends the pending outbox entries in queue order.
func (e *Engine) pushOutbox(ctx context.Context, res *roundResult) error {
	entries, err := e.cfg.Store.Outbox()
	if err != nil {
		return local(err)
	}
	var first error
	for _, ent := range entries {
		err := e.pushEntry(ctx, ent, res)
		if err == nil {
			continue
		}
		var le *localError
		if !errors.As(err, &le) {
			// Attempts and the last error are kept for the status
			// screens; a failure to record them is not the send's.
			msg, code := err.Error(), client.Code(err)
			_ = e.cfg.Store.UpdateOutbox(ent.ClientMsgID, func(o *store.OutboxEntry) error {
				o.Attempts++
				o.LastError, o.ErrorCode = msg, code
				return nil
			})
			e.hub.publish(Failed{Key: ent.ClientMsgID, Code: codeOf(err), Reason: explainErr(err)})
		}
		if first == nil {
			first = err
		}
		if stopsPush(err) {
			return err
		}
	}
	return first
}

// fail records a permanent failure of an outbox entry and tells the UI.
func (e *Engine) fail(key, code string, reason Reason) error {
	if err := e.cfg.Store.MarkFailed(key, code, reason.Detail); err != nil {
		return local(err)
	}
	e.hub.publish(Failed{Key: key, Code: code, Reason: reason, Permanent: true})
	return nil
}

// pushEntry uploads what the entry's files lack and sends it.
func (e *Engine) pushEntry(ctx context.Context, ent store.OutboxEntry, res *roundResult) error {
	key := ent.ClientMsgID
	for _, f := range ent.Files {
		if f.Done {
			continue
		}
		if err := e.uploadFile(ctx, key, f, res); err != nil {
			if client.Permanent(err) {
				return e.fail(key, client.Code(err), explainErr(err))
			}
			var mf *missingFileError
			if errors.As(err, &mf) {
				return e.fail(key, CodeMissingFile, Explain(CodeMissingFile, err.Error()))
			}
			return err
		}
	}
	body := ent.Body
	if body == nil {
		b, err := client.MarshalSend(ent.Request)
		if err != nil {
			return e.fail(key, CodeOther, Explain(CodeOther, err.Error()))
		}
		err = e.cfg.Store.UpdateOutbox(key, func(o *store.OutboxEntry) error {
			if o.Body == nil {
				o.Body = b
			}
			b = o.Body
			o.State = store.OutboxSending
			return nil
		})
		if err != nil {
			return local(err)
		}
		body = b
	}
	ans, err := e.cfg.Client.Send(ctx, key, body)
	if err == nil {
		res.reached = true
	}
	failpoint.Hit(failpoint.ClientAfterAnswer)
	switch {
	case err == nil:
	case client.Code(err) == protocol.CodeMissingBlobs:
		// The server lost (or never kept) files: upload them again next
		// round.
		var pe *protocol.Error
		errors.As(err, &pe)
		missing := map[string]bool{}
		for _, m := range pe.Missing {
			missing[m] = true
		}
		if uerr := e.cfg.Store.UpdateOutbox(key, func(o *store.OutboxEntry) error {
			for i := range o.Files {
				if missing[o.Files[i].SHA256] || len(missing) == 0 {
					o.Files[i].Done, o.Files[i].UploadID, o.Files[i].Offset = false, "", 0
				}
			}
			o.State = store.OutboxUploading
			return nil
		}); uerr != nil {
			return local(uerr)
		}
		return err
	case client.Permanent(err):
		return e.fail(key, client.Code(err), explainErr(err))
	default:
		return err
	}
	if err := e.cfg.Store.MarkSent(key, ans); err != nil {
		return local(err)
	}
	e.hub.publish(Sent{Key: key, MessageID: ans.MessageID})
	return nil
}

// missingFileError: a file of an outbox entry is not in the cache.
type missingFileError struct{ sha string }

func (e *missingFileError) Error() string { return "file " + e.sha + " is not in the cache" }

// uploadFile makes sure the server has one file of the entry key,
// recording the upload's id and offset after each chunk.
func (e *Engine) uploadFile(ctx context.Context, key string, f store.OutboxFile, res *roundResult) error {
	has, _, err := e.cfg.Client.HasBlob(ctx, f.SHA256)
	if err != nil {
		return err
	}
	res.reached = true
	if !has {
		file, err := e.cfg.Store.OpenBlob(f.SHA256)
		if errors.Is(err, store.ErrNotFound) {
			return &missingFileError{f.SHA256}
		}
		if err != nil {
			return local(err)
		}
		defer file.Close()
		size := f.Size
		if fi, err := file.Stat(); err == nil {
			size = fi.Size()
		}
		err = e.setFile(key, f.SHA256, func(o *store.OutboxEntry, of *store.OutboxFile) {
			o.State = store.OutboxUploading
		})
		if err != nil {
			return err
		}
		err = e.cfg.Client.Upload(ctx, file, f.SHA256, size, client.UploadOptions{
			ChunkSize: e.cfg.ChunkSize,
			Persist: func(id string, off int64) error {
				if err := e.setFile(key, f.SHA256, func(_ *store.OutboxEntry, of *store.OutboxFile) {
					of.UploadID, of.Offset = id, off
				}); err != nil {
					return err
				}
				e.hub.publish(Progress{Key: key, SHA256: f.SHA256, Done: off, Total: size, Direction: Up})
				return nil
			},
		})
		if err != nil {
			return err
		}
	}
	err = e.setFile(key, f.SHA256, func(_ *store.OutboxEntry, of *store.OutboxFile) {
		of.Done, of.Offset = true, of.Size
	})
	if err != nil {
		return err
	}
	e.hub.publish(Progress{Key: key, SHA256: f.SHA256, Done: f.Size, Total: f.Size, Direction: Up})
	return nil
}

// setFile changes the outbox file sha of entry key in one transaction.
func (e *Engine) setFile(key, sha string, f func(*store.OutboxEntry, *store.OutboxFile)) error {
	return local(e.cfg.Store.UpdateOutbox(key, func(o *store.OutboxEntry) error {
		for i := range o.Files {
			if o.Files[i].SHA256 == sha {
				f(o, &o.Files[i])
				return nil
			}
		}
		return fmt.Errorf("outbox %s has no file %s", key, sha)
	}))
}

// ---- down ----

// downloadMissing fetches the blobs cached documents name and the cache
// lacks. A blob the server refuses for good is skipped until the next
// Run.
func (e *Engine) downloadMissing(ctx context.Context, res *roundResult) error {
	missing, err := e.cfg.Store.MissingBlobs()
	if err != nil {
		return local(err)
	}
	var first error
	for _, sha := range missing {
		if e.skipDownload[sha] {
			continue
		}
		err := e.download(ctx, sha)
		switch {
		case err == nil:
			res.reached = true
		case client.Permanent(err):
			res.reached = true
			e.skipDownload[sha] = true
			e.log.Warn("blob refused by the server", "sha256", sha, "err", err)
		default:
			if first == nil {
				first = err
			}
			if stopsPush(err) {
				return err
			}
		}
	}
	return first
}

// download streams one blob from the server into the cache; the cache
// keeps it only if it hashes to sha.
func (e *Engine) download(ctx context.Context, sha string) error {
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		_, err := e.cfg.Client.Download(ctx, sha, pw, client.DownloadOptions{Progress: func(n, total int64) {
			e.hub.publish(Progress{SHA256: sha, Done: n, Total: total, Direction: Down})
		}})
		pw.CloseWithError(err)
		done <- err
	}()
	_, perr := e.cfg.Store.PutBlobExpect(pr, sha)
	pr.CloseWithError(errors.New("cache stopped reading"))
	derr := <-done
	if derr != nil {
		return derr
	}
	return local(perr)
}

// catchUp reads the feed without waiting until it has nothing more,
// resyncing after a reset. applied says whether anything was applied.
func (e *Engine) catchUp(ctx context.Context, res *roundResult) (applied bool, err error) {
	for range 10000 {
		cursor, err := e.cfg.Store.Cursor()
		if err != nil {
			return applied, local(err)
		}
		ch, err := e.cfg.Client.Changes(ctx, cursor, 0)
		if err != nil {
			return applied, err
		}
		res.reached = true
		more, err := e.apply(ctx, cursor, ch)
		if err != nil {
			return applied, err
		}
		applied = applied || len(ch.Changes) > 0 || ch.Reset
		if ch.Backoff > 0 {
			res.serverBackoff = time.Duration(ch.Backoff) * time.Second
			return applied, nil
		}
		if !more {
			return applied, nil
		}
	}
	return applied, errors.New("feed: the server keeps saying there is more")
}

// apply stores one answer of the feed. more: ask again at once.
func (e *Engine) apply(ctx context.Context, cursor string, ch protocol.Changes) (more bool, err error) {
	if ch.Reset {
		e.log.Info("feed reset: listing both boxes", "cursor", cursor)
		return true, e.resync(ctx, cursor, ch.Cursor)
	}
	if len(ch.Changes) == 0 && ch.Cursor == cursor {
		return ch.More, nil
	}
	r, err := e.cfg.Store.Apply(ch.Changes, ch.Cursor)
	if err != nil {
		return false, local(err)
	}
	if len(r.Received) > 0 {
		e.hub.publish(Received{Keys: r.Received})
	}
	if len(r.Cases) > 0 {
		e.hub.publish(CasesChanged{IDs: r.Cases})
	}
	if len(r.Statuses) > 0 {
		e.hub.publish(StatusesChanged{MessageIDs: r.Statuses})
	}
	return ch.More, nil
}

// resync lists both boxes into the cache after a reset. Pages before the
// last keep the old cursor, so that a crash in between lists again; the
// last one sets the new cursor.
func (e *Engine) resync(ctx context.Context, old, cursor string) error {
	// The agency's cases first: the last page of messages moves the
	// cursor on, and nothing read before it may be missed.
	for after := ""; ; {
		page, err := e.cfg.Client.Cases(ctx, after)
		if err != nil {
			return err
		}
		if err := e.cfg.Store.PutCases(page.Cases); err != nil {
			return local(err)
		}
		if page.Next == "" {
			break
		}
		after = page.Next
	}
	boxes := []store.Box{store.BoxInbox, store.BoxOutbox}
	for i, box := range boxes {
		after := ""
		for {
			page, err := e.cfg.Client.Messages(ctx, string(box), after)
			if err != nil {
				return err
			}
			cur := old
			if page.Next == "" && i == len(boxes)-1 {
				cur = cursor
			}
			if err := e.cfg.Store.Resync(page.Messages, box, cur); err != nil {
				return local(err)
			}
			if page.Next == "" {
				break
			}
			after = page.Next
		}
	}
	return nil
}

// longPoll waits in the feed until something happens or wake is closed,
// and applies what came.
func (e *Engine) longPoll(ctx context.Context, wake <-chan struct{}, res *roundResult) error {
	cursor, err := e.cfg.Store.Cursor()
	if err != nil {
		return local(err)
	}
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-wake:
			cancel()
		case <-pctx.Done():
		}
	}()
	began := e.clock.Now()
	ch, err := e.cfg.Client.Changes(pctx, cursor, e.cfg.PollWait)
	if err != nil {
		if pctx.Err() != nil && ctx.Err() == nil {
			return nil // woken: the loop starts another round
		}
		return err
	}
	res.reached = true
	if _, err := e.apply(ctx, cursor, ch); err != nil {
		return err
	}
	if ch.Backoff > 0 {
		res.serverBackoff = time.Duration(ch.Backoff) * time.Second
	} else if len(ch.Changes) == 0 && !ch.Reset && !ch.More && e.clock.Now().Sub(began) < e.cfg.PollWait/2 {
		// An empty answer long before the wait: the server (or a proxy)
		// does not hold polls; do not spin.
		res.serverBackoff = MinBackoff
	}
	return nil
}
