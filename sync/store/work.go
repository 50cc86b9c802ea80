package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/vanthuso/vanthu/sync/protocol"
)

// The agency's work on documents, as this client keeps it (schema v4):
//
//	cases     case id → protocol.Case: the highest Version seen, from the
//	          feed (ChangeCase), a resync or an action's answer
//	actions   u64 position → ActionEntry: actions the user took, in the
//	          order taken, until the server answered them
//	actionid  client action id → position
//
// An action is queued offline like a send: the server gives what only it
// may give (the số of a register) when it commits the action, and until
// then the case shows the action pending (PendingAction: "chờ cấp số").

// ActionEntry is an action this client queued for the server,
// idempotent by ClientActionID.
type ActionEntry struct {
	ClientActionID string                 `json:"client_action_id"`
	Request        protocol.ActionRequest `json:"request"`
	// Files are the cached blobs the action names (Request.Files and a
	// draft's attachments), uploaded before the action is sent.
	Files     []string  `json:"files,omitempty"`
	Attempts  int       `json:"attempts"`
	LastError string    `json:"last_error,omitempty"`
	Code      string    `json:"code,omitempty"`   // the server's error code of a permanent failure
	Failed    bool      `json:"failed,omitempty"` // permanent: never retried
	QueuedAt  time.Time `json:"queued_at"`
	User      string    `json:"user,omitempty"`
	// AfterSend names a queued send (its ClientMsgID) the action waits
	// for: the engine pushes it once the server accepted that send, with
	// Request.MessageID its message (phát hành: the issue action names
	// the message that carries the issued document).
	AfterSend string `json:"after_send,omitempty"`
}

// PendingNumber reports whether the action waits for a number the
// server gives (register, number, copy): the UI shows "chờ cấp số".
func (e ActionEntry) PendingNumber() bool {
	switch e.Request.Action {
	case protocol.ActionRegister, protocol.ActionNumber, protocol.ActionCopy:
		return !e.Failed
	}
	return false
}

var actionQueue = queue{bucketActions, bucketActionID}

// maxCaseBytes bounds one case record (a hostile or broken server must
// not fill the cache with one).
const maxCaseBytes = 4 << 20

// QueueAction queues an action for the server. A ClientActionID already
// queued is left as it is (idempotent). Every file it names must be in
// the cache (PutBlob first). QueuedAt is set to now when zero.
func (s *Store) QueueAction(e ActionEntry) error {
	if !protocol.ValidClientID(e.ClientActionID) {
		return fmt.Errorf("queue action: client action id %q is not valid", e.ClientActionID)
	}
	if e.Request.Action == "" {
		return fmt.Errorf("queue action %s: no action", e.ClientActionID)
	}
	if e.Request.CaseID != "" && !validKey(e.Request.CaseID) {
		return fmt.Errorf("queue action %s: case id %q is not valid", e.ClientActionID, e.Request.CaseID)
	}
	files := append([]string(nil), e.Request.Files...)
	if d := e.Request.Document; d != nil {
		for _, a := range d.Attachments {
			files = append(files, a.SHA256)
		}
	}
	e.Files = nil
	for _, f := range files {
		if !ValidSHA256(f) {
			return fmt.Errorf("queue action %s: file %q is not a SHA-256", e.ClientActionID, f)
		}
		if !s.HasBlob(f) {
			return fmt.Errorf("queue action %s: file %s: %w", e.ClientActionID, f, ErrNotFound)
		}
		if !containsString(e.Files, f) {
			e.Files = append(e.Files, f)
		}
	}
	if e.QueuedAt.IsZero() {
		e.QueuedAt = time.Now().UTC()
	}
	err := s.update(func(tx *bolt.Tx) error {
		if actionQueue.has(tx, e.ClientActionID) {
			return nil
		}
		if err := actionQueue.put(tx, e.ClientActionID, e); err != nil {
			return err
		}
		return s.audit(tx, "action-queued", e.Request.CaseID, e.Request.Action)
	})
	if err != nil {
		return fmt.Errorf("queue action %s: %w", e.ClientActionID, err)
	}
	return nil
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Actions lists the queued actions in queue order, failed ones too.
func (s *Store) Actions() ([]ActionEntry, error) {
	var out []ActionEntry
	err := s.db.View(func(tx *bolt.Tx) error {
		return actionQueue.each(tx, false, func(data []byte) error {
			var e ActionEntry
			if err := json.Unmarshal(data, &e); err != nil {
				return err
			}
			out = append(out, e)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("actions: %w", err)
	}
	return out, nil
}

// PendingActions lists the actions still to send (not failed), in queue
// order.
func (s *Store) PendingActions() ([]ActionEntry, error) {
	all, err := s.Actions()
	var out []ActionEntry
	for _, e := range all {
		if !e.Failed {
			out = append(out, e)
		}
	}
	return out, err
}

// PendingFor lists the queued actions on a case, in queue order.
func (s *Store) PendingFor(caseID string) ([]ActionEntry, error) {
	all, err := s.Actions()
	var out []ActionEntry
	for _, e := range all {
		if e.Request.CaseID == caseID {
			out = append(out, e)
		}
	}
	return out, err
}

// ActionDone records the server's answer: the entry is gone and the
// answered case is kept (if newer), in one transaction. ErrNotFound
// when the entry is not queued (answered already).
func (s *Store) ActionDone(clientActionID string, a protocol.ActionAnswer) error {
	err := s.update(func(tx *bolt.Tx) error {
		var e ActionEntry
		if _, err := actionQueue.get(tx, clientActionID, &e); err != nil {
			return err
		}
		if err := actionQueue.remove(tx, clientActionID); err != nil {
			return err
		}
		if a.Case.ID != "" {
			if err := s.putCase(tx, &a.Case); err != nil {
				return err
			}
		}
		detail := e.Request.Action
		if a.Case.Entry != nil {
			detail += " số " + a.Case.Entry.Number
		}
		return s.audit(tx, "action-done", a.Case.ID, detail)
	})
	if err != nil {
		return fmt.Errorf("action done %s: %w", clientActionID, err)
	}
	return nil
}

// ActionFailed records a permanent failure: the action is never sent
// again; the user sees code and reason. ErrNotFound.
func (s *Store) ActionFailed(clientActionID, code, reason string) error {
	err := s.update(func(tx *bolt.Tx) error {
		var e ActionEntry
		pos, err := actionQueue.get(tx, clientActionID, &e)
		if err != nil {
			return err
		}
		e.Failed, e.Code, e.LastError = true, code, reason
		e.Attempts++
		if err := actionQueue.replace(tx, pos, e); err != nil {
			return err
		}
		return s.audit(tx, "action-failed", e.Request.CaseID, e.Request.Action+": "+reason)
	})
	if err != nil {
		return fmt.Errorf("action failed %s: %w", clientActionID, err)
	}
	return nil
}

// DropAction removes a failed action the user dismissed; a pending one
// is not dropped (it may be committed on the server already).
func (s *Store) DropAction(clientActionID string) error {
	err := s.update(func(tx *bolt.Tx) error {
		var e ActionEntry
		if _, err := actionQueue.get(tx, clientActionID, &e); err != nil {
			return err
		}
		if !e.Failed {
			return errors.New("the action is still to be sent")
		}
		if err := actionQueue.remove(tx, clientActionID); err != nil {
			return err
		}
		return s.audit(tx, "action-dropped", e.Request.CaseID, e.Request.Action)
	})
	if err != nil {
		return fmt.Errorf("drop action %s: %w", clientActionID, err)
	}
	return nil
}

// putCase keeps c unless the cache holds the same or a newer version.
func (s *Store) putCase(tx *bolt.Tx, c *protocol.Case) error {
	if !validKey(c.ID) {
		return refusal(fmt.Sprintf("case id %q is not valid", c.ID))
	}
	b := tx.Bucket(bucketCases)
	if old := b.Get([]byte(c.ID)); old != nil {
		var have struct {
			Version uint64 `json:"version"`
		}
		if json.Unmarshal(old, &have) == nil && have.Version >= c.Version {
			return nil
		}
	}
	data, err := json.Marshal(c)
	if err != nil {
		return err
	}
	if len(data) > maxCaseBytes {
		return refusal(fmt.Sprintf("case %s: %d bytes", c.ID, len(data)))
	}
	// The case's files (a draft, the approved and issued PDFs, results)
	// are fetched like a document's: MissingBlobs lists them.
	var files []string
	for _, a := range c.Document.Attachments {
		files = append(files, a.SHA256)
	}
	for _, n := range c.Notes {
		files = append(files, n.Files...)
	}
	for _, sha := range files {
		if ValidSHA256(sha) && !s.HasBlob(sha) {
			if err := tx.Bucket(bucketMissing).Put([]byte(sha), nil); err != nil {
				return err
			}
		}
	}
	return b.Put([]byte(c.ID), data)
}

// PutCases keeps cases (from a resync: GET /v1/cases), each unless the
// cache holds the same or a newer version. A case the cache refuses (a
// bad id, too large) is skipped and audited.
func (s *Store) PutCases(cases []protocol.Case) error {
	err := s.update(func(tx *bolt.Tx) error {
		for i := range cases {
			err := s.putCase(tx, &cases[i])
			var r refusal
			if errors.As(err, &r) {
				if err := s.audit(tx, "refused", cases[i].ID, "case: "+r.Error()); err != nil {
					return err
				}
				continue
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("put cases: %w", err)
	}
	return nil
}

// Case returns one case; ErrNotFound.
func (s *Store) Case(id string) (protocol.Case, error) {
	var c protocol.Case
	err := s.db.View(func(tx *bolt.Tx) error {
		data := tx.Bucket(bucketCases).Get([]byte(id))
		if data == nil {
			return ErrNotFound
		}
		return json.Unmarshal(data, &c)
	})
	if err != nil {
		return c, fmt.Errorf("case %q: %w", id, err)
	}
	return c, nil
}

// Cases returns the cases keep accepts (nil: all), ordered by last
// change, newest first.
func (s *Store) Cases(keep func(*protocol.Case) bool) ([]protocol.Case, error) {
	var out []protocol.Case
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketCases).ForEach(func(k, v []byte) error {
			var c protocol.Case
			if err := json.Unmarshal(v, &c); err != nil {
				return fmt.Errorf("case %q: %w", k, err)
			}
			if keep == nil || keep(&c) {
				out = append(out, c)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("cases: %w", err)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Updated.Equal(out[j].Updated) {
			return out[i].Updated.After(out[j].Updated)
		}
		return strings.Compare(out[i].ID, out[j].ID) < 0
	})
	return out, nil
}
