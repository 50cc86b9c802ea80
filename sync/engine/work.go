package engine

import (
	"context"
	"errors"

	"github.com/vanthuso/vanthu/sync/client"
	"github.com/vanthuso/vanthu/sync/store"
)

// pushActions sends the queued actions on the agency's cases in queue
// order, each after the files it names are on the server. A permanent
// refusal is recorded and told (Failed, Permanent) and the next action
// goes; a failure the same request may overcome later stops the push
// when the others would fail the same way.
func (e *Engine) pushActions(ctx context.Context, res *roundResult) error {
	acts, err := e.cfg.Store.PendingActions()
	if err != nil {
		return local(err)
	}
	var first error
	for _, a := range acts {
		if a.AfterSend != "" {
			ready, err := e.afterSend(&a)
			if err != nil {
				return err
			}
			if !ready {
				continue // its send goes first (this round or a later one)
			}
		}
		err := e.pushAction(ctx, a, res)
		if err == nil {
			continue
		}
		var mf *missingFileError
		if client.Permanent(err) || errors.As(err, &mf) {
			res.reached = res.reached || client.Code(err) != ""
			code := client.Code(err)
			if mf != nil {
				code = CodeMissingFile
			}
			if err := e.cfg.Store.ActionFailed(a.ClientActionID, code, err.Error()); err != nil {
				return local(err)
			}
			e.hub.publish(Failed{Key: a.ClientActionID, Code: code, Reason: explainErr(err), Permanent: true})
			continue
		}
		e.hub.publish(Failed{Key: a.ClientActionID, Code: codeOf(err), Reason: explainErr(err)})
		if first == nil {
			first = err
		}
		if stopsPush(err) {
			return err
		}
	}
	return first
}

// afterSend resolves an action's AfterSend: ready with the send's
// message id once the server accepted it; not ready while it is still
// to go; failed for good when the send failed for good or is not queued.
func (e *Engine) afterSend(a *store.ActionEntry) (bool, error) {
	ent, err := e.cfg.Store.OutboxEntry(a.AfterSend)
	var why string
	switch {
	case errors.Is(err, store.ErrNotFound):
		why = "the send it follows is not queued (" + a.AfterSend + ")"
	case err != nil:
		return false, local(err)
	case ent.State == store.OutboxFailed:
		why = "the send it follows failed: " + ent.LastError
	case ent.State != store.OutboxSent || ent.Answer == nil:
		return false, nil
	default:
		a.Request.MessageID = ent.Answer.MessageID
		return true, nil
	}
	if err := e.cfg.Store.ActionFailed(a.ClientActionID, CodeSendFailed, why); err != nil {
		return false, local(err)
	}
	e.hub.publish(Failed{Key: a.ClientActionID, Code: CodeSendFailed, Reason: Reason{Code: CodeSendFailed,
		Vi: "Không thực hiện được thao tác: văn bản nó chờ gửi đi không gửi được; hãy gửi lại văn bản rồi làm lại thao tác",
		En: "The action cannot be done: the send it waits for failed; send the document again, then repeat the action", Detail: why}, Permanent: true})
	return false, nil
}

func (e *Engine) pushAction(ctx context.Context, a store.ActionEntry, res *roundResult) error {
	for _, sha := range a.Files {
		if err := e.uploadActionFile(ctx, a.ClientActionID, sha, res); err != nil {
			return err
		}
	}
	ans, err := e.cfg.Client.Work(ctx, a.ClientActionID, a.Request)
	if err != nil {
		return err
	}
	res.reached = true
	if err := e.cfg.Store.ActionDone(a.ClientActionID, ans); err != nil && !errors.Is(err, store.ErrNotFound) {
		return local(err)
	}
	e.hub.publish(Acted{Key: a.ClientActionID, Action: a.Request.Action, Case: ans.Case})
	return nil
}

// uploadActionFile makes sure the server has a file an action names. An
// interrupted upload resumes where the server says it stands (it keeps
// one upload per agency and file).
func (e *Engine) uploadActionFile(ctx context.Context, key, sha string, res *roundResult) error {
	has, _, err := e.cfg.Client.HasBlob(ctx, sha)
	if err != nil {
		return err
	}
	res.reached = true
	if has {
		return nil
	}
	f, err := e.cfg.Store.OpenBlob(sha)
	if errors.Is(err, store.ErrNotFound) {
		return &missingFileError{sha}
	}
	if err != nil {
		return local(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return local(err)
	}
	size := fi.Size()
	return e.cfg.Client.Upload(ctx, f, sha, size, client.UploadOptions{
		ChunkSize: e.cfg.ChunkSize,
		Progress: func(done, total int64) {
			e.hub.publish(Progress{Key: key, SHA256: sha, Done: done, Total: total, Direction: Up})
		},
	})
}
