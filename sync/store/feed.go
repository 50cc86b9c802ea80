package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/internal/failpoint"
	"github.com/vanthuso/vanthu/sync/protocol"
)

// maxCursorBytes bounds the cursor a server may make the client store.
const maxCursorBytes = 4096

// ApplyResult says what Apply did.
type ApplyResult struct {
	// Received are the keys of documents newly received (announce them
	// after Apply returned).
	Received []string
	// Cases are the ids of the agency's cases the changes brought (the
	// UI refreshes its work lists).
	Cases []string
	// Statuses are the message ids whose statuses the changes brought
	// (the sender's Văn bản đi shows each recipient's latest).
	Statuses []string
}

// Cursor is the stored feed cursor, "" at first.
func (s *Store) Cursor() (string, error) {
	var c string
	err := s.db.View(func(tx *bolt.Tx) error {
		c = string(tx.Bucket(bucketMeta).Get(keyCursor))
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("cursor: %w", err)
	}
	return c, nil
}

// Apply applies feed changes and sets the cursor, in one transaction: it
// upserts the messages of ChangeReceived (inbox) and ChangeSent (outbox;
// a message this client queued joins its outbox Document by ClientMsgID,
// never a duplicate), appends statuses without duplicates, updates
// deliveries, and deletes on ChangeDeleted only. Re-applying the same
// changes leaves the same state.
//
// What the server cannot make it do: overwrite a document under another
// message id or a document this client queued with other content, delete
// a document whose outbox entry is not sent yet, keep a document over
// MaxDocumentBytes, or name a blob path. Such a change is skipped and
// audited ("refused"); the others apply. An error (storage) applies
// nothing.
func (s *Store) Apply(changes []protocol.Change, cursor string) (ApplyResult, error) {
	if len(cursor) > maxCursorBytes {
		return ApplyResult{}, fmt.Errorf("apply feed: cursor of %d bytes", len(cursor))
	}
	var res ApplyResult
	err := s.update(func(tx *bolt.Tx) error {
		res = ApplyResult{}
		for i := range changes {
			if err := s.applyChange(tx, &changes[i], &res); err != nil {
				return err
			}
		}
		if err := tx.Bucket(bucketMeta).Put(keyCursor, []byte(cursor)); err != nil {
			return err
		}
		failpoint.Hit(failpoint.ClientApplyingFeed)
		return nil
	})
	if err != nil {
		return ApplyResult{}, fmt.Errorf("apply feed: %w", err)
	}
	return res, nil
}

// Resync, after a reset, upserts what a listing of box holds (as Apply
// does), never deletes what it lacks, and sets the cursor, in one
// transaction.
func (s *Store) Resync(msgs []protocol.Message, box Box, cursor string) error {
	if box != BoxInbox && box != BoxOutbox {
		return fmt.Errorf("resync: unknown box %q", box)
	}
	if len(cursor) > maxCursorBytes {
		return fmt.Errorf("resync: cursor of %d bytes", len(cursor))
	}
	err := s.update(func(tx *bolt.Tx) error {
		for i := range msgs {
			if _, err := s.upsert(tx, &msgs[i], box, msgs[i].AcceptedAt); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketMeta).Put(keyCursor, []byte(cursor))
	})
	if err != nil {
		return fmt.Errorf("resync: %w", err)
	}
	return nil
}

// refusal is a change the store does not apply (audited, not an error).
type refusal string

func (r refusal) Error() string { return string(r) }

func (s *Store) applyChange(tx *bolt.Tx, c *protocol.Change, res *ApplyResult) error {
	var err error
	key := c.MessageID
	switch c.Kind {
	case protocol.ChangeReceived, protocol.ChangeSent:
		if c.Message == nil {
			err = refusal("no message")
			break
		}
		box := BoxInbox
		if c.Kind == protocol.ChangeSent {
			box = BoxOutbox
		}
		var isNew bool
		isNew, err = s.upsert(tx, c.Message, box, c.At)
		if err == nil && isNew && box == BoxInbox {
			res.Received = append(res.Received, c.Message.ID)
		}
	case protocol.ChangeStatus:
		if err = s.applyStatus(tx, c); err == nil {
			res.Statuses = append(res.Statuses, c.MessageID)
		}
	case protocol.ChangeDeleted:
		err = s.applyDeleted(tx, c.MessageID)
	case protocol.ChangeCase:
		if c.Case == nil {
			err = refusal("no case")
			break
		}
		key = c.Case.ID
		if err = s.putCase(tx, c.Case); err == nil {
			res.Cases = append(res.Cases, c.Case.ID)
		}
	default:
		err = refusal("unknown kind " + c.Kind)
	}
	var r refusal
	var big errTooLarge
	switch {
	case errors.As(err, &r):
		return s.audit(tx, "refused", key, c.Kind+": "+r.Error())
	case errors.As(err, &big):
		return s.audit(tx, "refused", key, c.Kind+": "+big.Error())
	}
	return err
}

// upsert writes the message m into box; isNew when no document held it.
func (s *Store) upsert(tx *bolt.Tx, m *protocol.Message, box Box, at time.Time) (isNew bool, err error) {
	if !validKey(m.ID) {
		return false, refusal(fmt.Sprintf("message id %q is not valid", m.ID))
	}
	if key := keyByMessageID(tx, m.ID); key != nil {
		d, err := getDoc(tx, key)
		if err != nil {
			return false, err
		}
		if err := s.merge(tx, &d, m); err != nil {
			return false, err
		}
		return false, s.putDoc(tx, &d)
	}
	if box == BoxOutbox && m.ClientMsgID != "" {
		if key := tx.Bucket(bucketClientID).Get([]byte(m.ClientMsgID)); key != nil {
			return false, s.join(tx, key, m)
		}
	}
	return true, s.insert(tx, m, box, at)
}

// insert writes m as a new document of box under its MessageID.
func (s *Store) insert(tx *bolt.Tx, m *protocol.Message, box Box, at time.Time) error {
	if tx.Bucket(bucketDocs).Get([]byte(m.ID)) != nil {
		return refusal("message id " + m.ID + " is the key of a document this client queued")
	}
	if at.IsZero() {
		at = m.AcceptedAt
	}
	d := Document{Key: m.ID, MessageID: m.ID, ClientMsgID: m.ClientMsgID, Box: box, Doc: m.Document,
		From: m.From, SentBy: m.SentBy, AcceptedAt: m.AcceptedAt.UTC(), Read: box == BoxOutbox,
		Verification: m.Verification, Deliveries: mergeDeliveries(nil, m.Deliveries), Statuses: mergeStatuses(nil, m.Statuses)}
	if box == BoxInbox {
		d.ReceivedAt = at.UTC()
	}
	return s.putDoc(tx, &d)
}

// join makes the document this client queued under key the message m of
// the feed (the answer to its send was lost), when m carries the document
// that was queued; otherwise m becomes a document of its own and the
// refusal to join is audited.
func (s *Store) join(tx *bolt.Tx, key []byte, m *protocol.Message) error {
	d, err := getDoc(tx, key)
	if err != nil {
		return err
	}
	var e OutboxEntry
	pos, err := outboxQueue.get(tx, string(key), &e)
	hasEntry := err == nil
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	if !hasEntry {
		e.Request.Document = d.Doc
	}
	if d.MessageID != "" || !sameContent(&e.Request.Document, &m.Document) {
		if err := s.audit(tx, "refused", string(key), "sent message "+m.ID+" names this client message id with another document"); err != nil {
			return err
		}
		// Kept apart under its MessageID (MarkSent joins it if the
		// server's answer names it).
		return s.insert(tx, m, BoxOutbox, m.AcceptedAt)
	}
	d.MessageID = m.ID
	d.AcceptedAt = m.AcceptedAt.UTC()
	if err := s.merge(tx, &d, m); err != nil {
		return err
	}
	if err := s.putDoc(tx, &d); err != nil {
		return err
	}
	if hasEntry && e.State != OutboxSent {
		e.State = OutboxSent
		e.Answer = &protocol.SendAnswer{MessageID: m.ID, ClientMsgID: string(key), AcceptedAt: m.AcceptedAt, Deliveries: m.Deliveries}
		e.LastError, e.ErrorCode = "", ""
		if err := outboxQueue.replace(tx, pos, e); err != nil {
			return err
		}
	}
	return s.audit(tx, "sent", string(key), "message "+m.ID+" (from the feed)")
}

// sameContent reports whether two documents are the same for what a
// server may not change: số/ký hiệu, date, subject, recipients, files.
func sameContent(a, b *edoc.Document) bool {
	type content struct {
		Code    edoc.Code
		Date    edoc.Date
		Subject string
		To      []string
		Files   []string
	}
	of := func(d *edoc.Document) []byte {
		c := content{Code: d.Code, Date: d.PromulgationDate, Subject: d.Subject}
		for _, o := range d.To {
			c.To = append(c.To, o.OrganID)
		}
		for _, a := range d.Attachments {
			c.Files = append(c.Files, a.SHA256)
		}
		b, _ := json.Marshal(c)
		return b
	}
	return bytes.Equal(of(a), of(b))
}

// merge brings what the server says of m into d. A signed document does
// not change: d keeps its Doc (a different one is audited).
func (s *Store) merge(tx *bolt.Tx, d *Document, m *protocol.Message) error {
	if !sameContent(&d.Doc, &m.Document) {
		if err := s.audit(tx, "refused", d.Key, "message "+m.ID+" came again with another document; the first is kept"); err != nil {
			return err
		}
	}
	if d.From.OrganID == "" {
		d.From = m.From
	}
	if d.SentBy == "" {
		d.SentBy = m.SentBy
	}
	if d.AcceptedAt.IsZero() {
		d.AcceptedAt = m.AcceptedAt.UTC()
	}
	if m.Verification != nil {
		d.Verification = m.Verification
	}
	d.Deliveries = mergeDeliveries(d.Deliveries, m.Deliveries)
	d.Statuses = mergeStatuses(d.Statuses, m.Statuses)
	return nil
}

// mergeServerState brings o's server state (deliveries, statuses,
// verification) into d.
func mergeServerState(d, o *Document) {
	d.Deliveries = mergeDeliveries(d.Deliveries, o.Deliveries)
	d.Statuses = mergeStatuses(d.Statuses, o.Statuses)
	if d.Verification == nil {
		d.Verification = o.Verification
	}
}

// mergeDeliveries keeps one delivery per recipient, the latest.
func mergeDeliveries(have, more []protocol.Delivery) []protocol.Delivery {
	out := append([]protocol.Delivery(nil), have...)
	for _, n := range more {
		found := false
		for i := range out {
			if out[i].OrganID == n.OrganID {
				found = true
				if !n.UpdatedAt.Before(out[i].UpdatedAt) {
					out[i] = n
				}
			}
		}
		if !found {
			out = append(out, n)
		}
	}
	return out
}

// mergeStatuses adds the events not there yet, in time order.
func mergeStatuses(have, more []protocol.StatusEvent) []protocol.StatusEvent {
	out := append([]protocol.StatusEvent(nil), have...)
	for _, n := range more {
		dup := false
		for _, h := range out {
			if h.OrganID == n.OrganID && h.Status == n.Status && h.At.Equal(n.At) && h.Description == n.Description {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, n)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out
}

func (s *Store) applyStatus(tx *bolt.Tx, c *protocol.Change) error {
	ev := c.Status
	if ev == nil {
		return refusal("no status")
	}
	if ev.MessageID == "" {
		ev.MessageID = c.MessageID
	}
	if c.MessageID != "" && ev.MessageID != c.MessageID {
		return refusal("status names message " + ev.MessageID)
	}
	key := keyByMessageID(tx, ev.MessageID)
	if key == nil {
		return nil // a message not cached: its listing carries its statuses
	}
	d, err := getDoc(tx, key)
	if err != nil {
		return err
	}
	d.Statuses = mergeStatuses(d.Statuses, []protocol.StatusEvent{*ev})
	if d.Box == BoxOutbox && ev.OrganID != "" {
		d.Deliveries = mergeDeliveries(d.Deliveries, []protocol.Delivery{{OrganID: ev.OrganID, Status: ev.Status, UpdatedAt: ev.At}})
	}
	return s.putDoc(tx, &d)
}

func (s *Store) applyDeleted(tx *bolt.Tx, messageID string) error {
	key := keyByMessageID(tx, messageID)
	if key == nil {
		return nil
	}
	d, err := getDoc(tx, key)
	if err != nil {
		return err
	}
	var e OutboxEntry
	_, err = outboxQueue.get(tx, d.Key, &e)
	hasEntry := err == nil
	if hasEntry && pending(e.State) {
		return refusal("deleting " + d.Key + ": its outbox entry is not sent yet (" + string(e.State) + "); kept")
	}
	if err := deleteDoc(tx, &d); err != nil {
		return err
	}
	if hasEntry {
		if err := outboxQueue.remove(tx, d.Key); err != nil {
			return err
		}
	}
	return s.audit(tx, "deleted", d.Key, "message "+messageID)
}

// MissingBlobs lists the files cached documents name that the blob
// directory lacks (valid SHA-256 names only), sorted.
func (s *Store) MissingBlobs() ([]string, error) {
	var out []string
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMissing).ForEach(func(k, _ []byte) error {
			if sha := string(k); ValidSHA256(sha) && !s.HasBlob(sha) {
				out = append(out, sha)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("missing blobs: %w", err)
	}
	return out, nil
}
