package store

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/vanthuso/vanthu/edoc"
)

const (
	defaultLimit = 50
	maxLimit     = 1000
	// Search limits: a longer query is refused, not cut (every word must
	// match).
	maxQueryBytes = 16 << 10
	maxQueryWords = 64
	// driverCap: a count of documents past which a word is common (the
	// tests' figure; Find reads the newest scanBudget documents first).
	driverCap = 2000
)

func clampLimit(n int) int {
	switch {
	case n <= 0:
		return defaultLimit
	case n > maxLimit:
		return maxLimit
	}
	return n
}

// Get reads the document under key; ErrNotFound.
func (s *Store) Get(key string) (Document, error) {
	var d Document
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		d, err = getDoc(tx, []byte(key))
		return err
	})
	if err != nil {
		return Document{}, fmt.Errorf("get: %w", err)
	}
	return d, nil
}

// GetByMessageID reads the document of a server message id; ErrNotFound.
func (s *Store) GetByMessageID(id string) (Document, error) {
	var d Document
	err := s.db.View(func(tx *bolt.Tx) error {
		key := keyByMessageID(tx, id)
		if key == nil {
			return fmt.Errorf("message %q: %w", id, ErrNotFound)
		}
		var err error
		d, err = getDoc(tx, key)
		return err
	})
	if err != nil {
		return Document{}, fmt.Errorf("get: %w", err)
	}
	return d, nil
}

// ListQuery selects a page of List.
type ListQuery struct {
	Box        Box
	UnreadOnly bool
	Limit      int    // default 50, at most 1000
	After      string // from a previous page's next
}

// List returns a page of a box, newest first by server time (ReceivedAt
// in the inbox, AcceptedAt in the outbox, where the documents the server
// has not accepted yet come first, by QueuedAt), and the After of the
// next page ("" at the end). An After that List did not make is an
// error.
func (s *Store) List(q ListQuery) ([]Document, string, error) {
	if q.Box != BoxInbox && q.Box != BoxOutbox {
		return nil, "", fmt.Errorf("list: unknown box %q", q.Box)
	}
	var after []byte
	if q.After != "" {
		var err error
		after, err = hex.DecodeString(q.After)
		if err != nil || len(after) <= sortPrefix {
			return nil, "", fmt.Errorf("list: after %q was not made by List", q.After)
		}
	}
	limit := clampLimit(q.Limit)
	parent := bucketTime
	if q.UnreadOnly {
		parent = bucketUnread
	}
	var docs []Document
	var next string
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(parent).Bucket([]byte(q.Box)).Cursor()
		var k []byte
		if after == nil {
			k, _ = c.Last()
		} else if k, _ = c.Seek(after); k == nil {
			k, _ = c.Last()
		} else {
			k, _ = c.Prev()
		}
		for ; k != nil; k, _ = c.Prev() {
			if len(docs) == limit {
				next = hex.EncodeToString(docs[len(docs)-1].sortKey())
				break
			}
			d, err := getDoc(tx, k[sortPrefix:])
			if err != nil {
				return err
			}
			docs = append(docs, d)
		}
		return nil
	})
	if err != nil {
		return nil, "", fmt.Errorf("list: %w", err)
	}
	return docs, next, nil
}

func (d *Document) sortKey() []byte { return sortKey(d) }

// queryWords folds text into the words a search must match: distinct,
// longest first, without a word that is a prefix of another (implied).
func queryWords(text string) ([]string, error) {
	if len(text) > maxQueryBytes {
		return nil, fmt.Errorf("search: query of %d bytes, at most %d", len(text), maxQueryBytes)
	}
	var words []string
	for _, w := range strings.Fields(edoc.Fold(text)) {
		words = append(words, cutWord(w))
	}
	sort.Slice(words, func(i, j int) bool {
		if len(words[i]) != len(words[j]) {
			return len(words[i]) > len(words[j])
		}
		return words[i] < words[j]
	})
	var out []string
next:
	for _, w := range words {
		for _, o := range out {
			if strings.HasPrefix(o, w) {
				continue next
			}
		}
		out = append(out, w)
	}
	if len(out) > maxQueryWords {
		return nil, fmt.Errorf("search: %d different words, at most %d", len(out), maxQueryWords)
	}
	return out, nil
}

// hit is a document a search found: its sort key and key.
type hit struct {
	sk  []byte
	key []byte
}

// Search finds documents of box ("" for both) by subject, số/ký hiệu,
// type, agency (names and mã định danh of the sender, the issuer and the
// recipients), signer and the text of their PDF (SetText): every word of
// text must match the start of a word of the document, diacritic-
// insensitive (đ → d) and case-insensitive. Newest first as in List, at
// most limit (default 50). A text without letters or digits finds
// nothing; a text of more than 16 KiB or 64 different words is an error.
// Find does the same with filters and pages.
func (s *Store) Search(text string, box Box, limit int) ([]Document, error) {
	if box != "" && box != BoxInbox && box != BoxOutbox {
		return nil, fmt.Errorf("search: unknown box %q", box)
	}
	words, err := queryWords(text)
	if err != nil || len(words) == 0 {
		return nil, err
	}
	docs, _, err := s.Find(Query{Text: text, Box: box, Limit: limit})
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	return docs, nil
}

// Counts are the numbers a box's tab shows.
type Counts struct {
	InboxTotal, InboxUnread   int
	OutboxTotal, OutboxUnread int
	OutboxPending             int // outbox entries still to send
	OutboxFailed              int // outbox entries that failed for good
}

// Counts counts the documents per box, the unread ones, and the pending
// and failed outbox entries.
func (s *Store) Counts() (Counts, error) {
	var c Counts
	err := s.db.View(func(tx *bolt.Tx) error {
		n := func(parent []byte, box Box) int { return tx.Bucket(parent).Bucket([]byte(box)).Stats().KeyN }
		c.InboxTotal, c.InboxUnread = n(bucketTime, BoxInbox), n(bucketUnread, BoxInbox)
		c.OutboxTotal, c.OutboxUnread = n(bucketTime, BoxOutbox), n(bucketUnread, BoxOutbox)
		return outboxQueue.each(tx, false, func(data []byte) error {
			var e struct {
				State OutboxState `json:"state"`
			}
			if err := json.Unmarshal(data, &e); err != nil {
				return err
			}
			switch {
			case pending(e.State):
				c.OutboxPending++
			case e.State == OutboxFailed:
				c.OutboxFailed++
			}
			return nil
		})
	})
	if err != nil {
		return Counts{}, fmt.Errorf("counts: %w", err)
	}
	return c, nil
}

// MarkRead marks the document read (audited once); ErrNotFound.
func (s *Store) MarkRead(key string) error {
	err := s.update(func(tx *bolt.Tx) error {
		d, err := getDoc(tx, []byte(key))
		if err != nil || d.Read {
			return err
		}
		d.Read = true
		if err := s.putDoc(tx, &d); err != nil {
			return err
		}
		return s.audit(tx, "read", key, "")
	})
	if err != nil {
		return fmt.Errorf("mark read: %w", err)
	}
	return nil
}

// SetWorkflow sets entries of the document's local workflow state
// (Document.Workflow): an empty value removes its name. Audited;
// ErrNotFound.
func (s *Store) SetWorkflow(key string, values map[string]string) error {
	err := s.update(func(tx *bolt.Tx) error {
		d, err := getDoc(tx, []byte(key))
		if err != nil {
			return err
		}
		if d.Workflow == nil {
			d.Workflow = map[string]string{}
		}
		names := make([]string, 0, len(values))
		for k, v := range values {
			if v == "" {
				delete(d.Workflow, k)
			} else {
				d.Workflow[k] = v
			}
			names = append(names, k)
		}
		if len(d.Workflow) == 0 {
			d.Workflow = nil
		}
		if err := s.putDoc(tx, &d); err != nil {
			return err
		}
		sort.Strings(names)
		return s.audit(tx, "workflow", key, strings.Join(names, ", "))
	})
	if err != nil {
		return fmt.Errorf("set workflow: %w", err)
	}
	return nil
}

// Audit returns the latest audit lines, newest first (limit: default 50,
// at most 1000).
func (s *Store) Audit(limit int) ([]AuditEntry, error) {
	limit = clampLimit(limit)
	var out []AuditEntry
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketAudit).Cursor()
		for k, v := c.Last(); k != nil && len(out) < limit; k, v = c.Prev() {
			var e AuditEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return err
			}
			out = append(out, e)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	return out, nil
}

// maxVersions bounds a version chain.
const maxVersions = 64

// Versions lists the versions of the document under key, oldest first,
// itself included: the documents it updates or replaces
// (Business.DocType update or replace naming their DocumentID) and those
// that update or replace it, transitively, as far as they are cached and
// come from the same sending agency (From.OrganID), at most 64.
// ErrNotFound.
func (s *Store) Versions(key string) ([]Document, error) {
	var out []Document
	err := s.db.View(func(tx *bolt.Tx) error {
		first, err := getDoc(tx, []byte(key))
		if err != nil {
			return err
		}
		seen := map[string]bool{first.Key: true}
		out = append(out, first)
		visit := func(k []byte) error {
			if seen[string(k)] || len(out) == maxVersions {
				return nil
			}
			d, err := getDoc(tx, k)
			if err != nil {
				return err
			}
			if d.From.OrganID != first.From.OrganID {
				return nil
			}
			seen[d.Key] = true
			out = append(out, d)
			return nil
		}
		for i := 0; i < len(out); i++ {
			d := out[i]
			for _, id := range earlierIDs(&d) {
				if err := eachWithPrefix(tx.Bucket(bucketDocID), lenPrefixed(id, ""), visit); err != nil {
					return err
				}
			}
			if err := eachWithPrefix(tx.Bucket(bucketVersions), lenPrefixed(d.Doc.DocumentID, ""), visit); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("versions: %w", err)
	}
	sort.SliceStable(out, func(i, j int) bool { return versionTime(&out[i]).Before(versionTime(&out[j])) })
	return out, nil
}

// versionTime orders versions: server time, else the local queue time.
func versionTime(d *Document) time.Time {
	for _, t := range []time.Time{d.AcceptedAt, d.ReceivedAt, d.QueuedAt} {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}

// eachWithPrefix calls fn with the rest (the key) of every entry of a
// u16-length-prefixed index starting with p; nothing for a nil p.
func eachWithPrefix(b *bolt.Bucket, p []byte, fn func(key []byte) error) error {
	if p == nil {
		return nil
	}
	c := b.Cursor()
	for k, _ := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, _ = c.Next() {
		if err := fn(bytes.Clone(k[len(p):])); err != nil {
			return err
		}
	}
	return nil
}
