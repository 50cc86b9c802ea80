package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/internal/failpoint"
	"github.com/vanthuso/vanthu/sync/protocol"
)

// pending reports whether an entry still has to go.
func pending(st OutboxState) bool {
	return st == OutboxQueued || st == OutboxUploading || st == OutboxSending
}

// Queue writes the outbox Document (Box outbox, Key = clientMsgID,
// QueuedAt now), its OutboxEntry (State queued, Files from
// doc.Attachments) and an audit line in one transaction. Every attachment
// must already be a stored blob of its Size (ErrMissingBlob); the same id
// twice is ErrExists; clientMsgID must be protocol.ValidClientID.
func (s *Store) Queue(doc edoc.Document, clientMsgID string) error {
	if !protocol.ValidClientID(clientMsgID) {
		return fmt.Errorf("queue: client message id %q is not valid", clientMsgID)
	}
	files := make([]OutboxFile, 0, len(doc.Attachments))
	for _, a := range doc.Attachments {
		p := s.BlobPath(a.SHA256)
		if p == "" {
			return fmt.Errorf("queue %s: attachment %q: %q is not a sha-256: %w", clientMsgID, a.Name, a.SHA256, ErrMissingBlob)
		}
		if !s.HasBlob(a.SHA256) {
			return fmt.Errorf("queue %s: attachment %q (%s): %w", clientMsgID, a.Name, a.SHA256, ErrMissingBlob)
		}
		if size, err := blobSize(p); err != nil || size != a.Size {
			return fmt.Errorf("queue %s: attachment %q: size %d, the stored file has %d bytes", clientMsgID, a.Name, a.Size, size)
		}
		files = append(files, OutboxFile{SHA256: a.SHA256, Size: a.Size})
	}
	now := time.Now().UTC()
	d := Document{Key: clientMsgID, ClientMsgID: clientMsgID, Box: BoxOutbox, Doc: doc, From: doc.From,
		QueuedAt: now, Read: true}
	e := OutboxEntry{ClientMsgID: clientMsgID, Request: protocol.SendRequest{Document: doc}, Files: files,
		State: OutboxQueued, QueuedAt: now}
	err := s.update(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketDocs).Get([]byte(clientMsgID)) != nil || outboxQueue.has(tx, clientMsgID) {
			return ErrExists
		}
		if err := s.putDoc(tx, &d); err != nil {
			return err
		}
		if err := outboxQueue.put(tx, clientMsgID, e); err != nil {
			return err
		}
		if err := s.audit(tx, "queued", clientMsgID, doc.Code.String()+" "+doc.Subject); err != nil {
			return err
		}
		failpoint.Hit(failpoint.ClientBeforeOutboxCommit)
		return nil
	})
	if err != nil {
		return fmt.Errorf("queue %s: %w", clientMsgID, err)
	}
	return nil
}

func blobSize(p string) (int64, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return -1, err
	}
	return fi.Size(), nil
}

// outboxEntries reads the outbox, keeping the entries keep accepts.
func (s *Store) outboxEntries(newestFirst bool, keep func(*OutboxEntry) bool) ([]OutboxEntry, error) {
	var out []OutboxEntry
	err := s.db.View(func(tx *bolt.Tx) error {
		return outboxQueue.each(tx, newestFirst, func(data []byte) error {
			var e OutboxEntry
			if err := json.Unmarshal(data, &e); err != nil {
				return err
			}
			if keep(&e) {
				out = append(out, e)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	return out, nil
}

// Outbox lists the pending entries (queued, uploading, sending) in queue
// order.
func (s *Store) Outbox() ([]OutboxEntry, error) {
	return s.outboxEntries(false, func(e *OutboxEntry) bool { return pending(e.State) })
}

// OutboxAll lists every entry, sent and failed ones included, newest
// first.
func (s *Store) OutboxAll() ([]OutboxEntry, error) {
	return s.outboxEntries(true, func(*OutboxEntry) bool { return true })
}

// OutboxEntry reads one entry; ErrNotFound.
func (s *Store) OutboxEntry(id string) (OutboxEntry, error) {
	var e OutboxEntry
	err := s.db.View(func(tx *bolt.Tx) error {
		_, err := outboxQueue.get(tx, id, &e)
		return err
	})
	if err != nil {
		return OutboxEntry{}, fmt.Errorf("outbox entry: %w", err)
	}
	return e, nil
}

// UpdateOutbox calls f with the entry and writes what f left, in one
// transaction; an error of f writes nothing and is returned. f must not
// change ClientMsgID. ErrNotFound.
func (s *Store) UpdateOutbox(id string, f func(*OutboxEntry) error) error {
	err := s.update(func(tx *bolt.Tx) error {
		var e OutboxEntry
		pos, err := outboxQueue.get(tx, id, &e)
		if err != nil {
			return err
		}
		if err := f(&e); err != nil {
			return err
		}
		if e.ClientMsgID != id {
			return errors.New("the client message id cannot change")
		}
		return outboxQueue.replace(tx, pos, e)
	})
	if err != nil {
		return fmt.Errorf("update outbox %s: %w", id, err)
	}
	return nil
}

// MarkSent records the server's answer: the entry becomes sent and its
// Document gets MessageID, AcceptedAt and Deliveries, in one transaction.
// Marking an entry sent again with the same answer's MessageID does
// nothing; another MessageID is an error. ErrNotFound.
func (s *Store) MarkSent(id string, a protocol.SendAnswer) error {
	err := s.update(func(tx *bolt.Tx) error {
		return s.markSent(tx, id, a)
	})
	if err != nil {
		return fmt.Errorf("mark sent %s: %w", id, err)
	}
	return nil
}

func (s *Store) markSent(tx *bolt.Tx, id string, a protocol.SendAnswer) error {
	if !validKey(a.MessageID) || (a.ClientMsgID != "" && a.ClientMsgID != id) {
		return fmt.Errorf("answer names message %q for %q", a.MessageID, a.ClientMsgID)
	}
	var e OutboxEntry
	pos, err := outboxQueue.get(tx, id, &e)
	if err != nil {
		return err
	}
	if e.State == OutboxSent && e.Answer != nil {
		if e.Answer.MessageID == a.MessageID {
			return nil
		}
		return fmt.Errorf("already sent as message %q", e.Answer.MessageID)
	}
	d, err := getDoc(tx, []byte(id))
	if errors.Is(err, ErrNotFound) {
		d = Document{Key: id, ClientMsgID: id, Box: BoxOutbox, Doc: e.Request.Document, From: e.Request.Document.From,
			QueuedAt: e.QueuedAt, Read: true}
	} else if err != nil {
		return err
	}
	// The feed may have brought this message first as another document
	// (its content did not match what was queued): the server says it is
	// this one, so it joins it.
	if other := keyByMessageID(tx, a.MessageID); other != nil && string(other) != id {
		o, err := getDoc(tx, other)
		if err != nil {
			return err
		}
		if o.Box != BoxOutbox || o.ClientMsgID != id {
			return fmt.Errorf("message %q is another document (%s)", a.MessageID, o.Key)
		}
		mergeServerState(&d, &o)
		if err := deleteDoc(tx, &o); err != nil {
			return err
		}
	}
	d.MessageID = a.MessageID
	d.AcceptedAt = a.AcceptedAt.UTC()
	d.Deliveries = mergeDeliveries(d.Deliveries, a.Deliveries)
	if err := s.putDoc(tx, &d); err != nil {
		return err
	}
	e.State = OutboxSent
	e.Answer = &a
	e.LastError, e.ErrorCode = "", ""
	if err := outboxQueue.replace(tx, pos, e); err != nil {
		return err
	}
	return s.audit(tx, "sent", id, "message "+a.MessageID)
}

// MarkFailed records a permanent failure: the entry is never retried.
// An entry already sent cannot fail. ErrNotFound.
func (s *Store) MarkFailed(id, code, reason string) error {
	err := s.update(func(tx *bolt.Tx) error {
		var e OutboxEntry
		pos, err := outboxQueue.get(tx, id, &e)
		if err != nil {
			return err
		}
		if e.State == OutboxSent {
			return errors.New("already sent")
		}
		e.State, e.ErrorCode, e.LastError = OutboxFailed, code, reason
		if err := outboxQueue.replace(tx, pos, e); err != nil {
			return err
		}
		return s.audit(tx, "send-failed", id, code+": "+reason)
	})
	if err != nil {
		return fmt.Errorf("mark failed %s: %w", id, err)
	}
	return nil
}

// QueueStatus queues a status for the server. A ClientStatusID already
// queued is left as it is (idempotent). QueuedAt is set to now when zero.
func (s *Store) QueueStatus(e StatusEntry) error {
	if !protocol.ValidClientID(e.ClientStatusID) {
		return fmt.Errorf("queue status: client status id %q is not valid", e.ClientStatusID)
	}
	if !validKey(e.MessageID) {
		return fmt.Errorf("queue status %s: message id %q is not valid", e.ClientStatusID, e.MessageID)
	}
	if e.QueuedAt.IsZero() {
		e.QueuedAt = time.Now().UTC()
	}
	err := s.update(func(tx *bolt.Tx) error {
		if statusQueue.has(tx, e.ClientStatusID) {
			return nil
		}
		if err := statusQueue.put(tx, e.ClientStatusID, e); err != nil {
			return err
		}
		return s.audit(tx, "status-queued", string(keyByMessageID(tx, e.MessageID)), "status "+string(e.Request.Status)+" for "+e.MessageID)
	})
	if err != nil {
		return fmt.Errorf("queue status %s: %w", e.ClientStatusID, err)
	}
	return nil
}

// PendingStatuses lists the statuses still to send (not failed), in
// queue order.
func (s *Store) PendingStatuses() ([]StatusEntry, error) {
	var out []StatusEntry
	err := s.db.View(func(tx *bolt.Tx) error {
		return statusQueue.each(tx, false, func(data []byte) error {
			var e StatusEntry
			if err := json.Unmarshal(data, &e); err != nil {
				return err
			}
			if !e.Failed {
				out = append(out, e)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("pending statuses: %w", err)
	}
	return out, nil
}

// StatusSent records the server's event: the entry is gone and the event
// joins its document's Statuses (once), in one transaction. ErrNotFound
// when the entry is not queued (sent already).
func (s *Store) StatusSent(clientStatusID string, ev protocol.StatusEvent) error {
	err := s.update(func(tx *bolt.Tx) error {
		var e StatusEntry
		if _, err := statusQueue.get(tx, clientStatusID, &e); err != nil {
			return err
		}
		if err := statusQueue.remove(tx, clientStatusID); err != nil {
			return err
		}
		if ev.MessageID == "" {
			ev.MessageID = e.MessageID
		}
		key := keyByMessageID(tx, e.MessageID)
		if key != nil {
			d, err := getDoc(tx, key)
			if err != nil {
				return err
			}
			d.Statuses = mergeStatuses(d.Statuses, []protocol.StatusEvent{ev})
			if err := s.putDoc(tx, &d); err != nil {
				return err
			}
		}
		return s.audit(tx, "status-sent", string(key), "status "+string(ev.Status)+" for "+e.MessageID)
	})
	if err != nil {
		return fmt.Errorf("status sent %s: %w", clientStatusID, err)
	}
	return nil
}

// StatusFailed records a permanent failure of a status: it is never
// retried. ErrNotFound.
func (s *Store) StatusFailed(clientStatusID, reason string) error {
	err := s.update(func(tx *bolt.Tx) error {
		var e StatusEntry
		pos, err := statusQueue.get(tx, clientStatusID, &e)
		if err != nil {
			return err
		}
		e.Failed, e.LastError = true, reason
		if err := statusQueue.replace(tx, pos, e); err != nil {
			return err
		}
		return s.audit(tx, "status-failed", string(keyByMessageID(tx, e.MessageID)), reason)
	})
	if err != nil {
		return fmt.Errorf("status failed %s: %w", clientStatusID, err)
	}
	return nil
}
