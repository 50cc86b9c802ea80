package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"

	"github.com/vanthuso/vanthu/edoc"
)

// Limits on what the cache stores, against a hostile or buggy server.
const (
	// MaxDocumentBytes is the largest Document (as JSON) the cache keeps.
	MaxDocumentBytes = 4 << 20
	maxKeyBytes      = 256
	maxDocIDBytes    = 1024
	maxWordBytes     = 64
	maxDocWords      = 256
	sortPrefix       = 13 // class byte, u64 seconds, u32 nanoseconds
)

// validKey reports whether k can be a document key or a message id:
// 1 to 256 bytes of UTF-8 without control characters.
func validKey(k string) bool {
	if k == "" || len(k) > maxKeyBytes || !utf8.ValidString(k) {
		return false
	}
	for _, r := range k {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

// putTime writes t into b[:12], ordered as time.
func putTime(b []byte, t time.Time) {
	binary.BigEndian.PutUint64(b, uint64(t.Unix())^1<<63)
	binary.BigEndian.PutUint32(b[8:], uint32(t.Nanosecond()))
}

// sortKey is d's key in time/<box> and unread/<box>: sk | key.
func sortKey(d *Document) []byte {
	k := make([]byte, sortPrefix+len(d.Key))
	t := d.ReceivedAt
	if d.Box == BoxOutbox {
		t = d.AcceptedAt
		if t.IsZero() {
			k[0] = 1
			t = d.QueuedAt
		}
	} else if t.IsZero() {
		t = d.AcceptedAt
	}
	putTime(k[1:], t)
	copy(k[sortPrefix:], d.Key)
	return k
}

// boxByte is the box as stored in words.
func boxByte(b Box) byte {
	if b == BoxOutbox {
		return 'o'
	}
	return 'i'
}

// lenPrefixed is u16 len | s | key, or nil for an s too long to index.
func lenPrefixed(s, key string) []byte {
	if s == "" || len(s) > maxDocIDBytes {
		return nil
	}
	b := make([]byte, 2, 2+len(s)+len(key))
	binary.BigEndian.PutUint16(b, uint16(len(s)))
	return append(append(b, s...), key...)
}

// cutWord cuts a folded word to maxWordBytes at a rune boundary.
func cutWord(w string) string {
	if len(w) <= maxWordBytes {
		return w
	}
	n := maxWordBytes
	for n > 0 && !utf8.RuneStart(w[n]) {
		n--
	}
	return w[:n]
}

// docWords are the folded words Search finds d by.
func docWords(d *Document) []string {
	parts := []string{d.Doc.Subject, d.Doc.Code.String(), d.Doc.Type.TypeName, d.Doc.Signer.FullName,
		d.From.OrganName, d.From.OrganID, d.Doc.From.OrganName, d.Doc.From.OrganID}
	for _, o := range d.Doc.To {
		parts = append(parts, o.OrganName, o.OrganID)
	}
	seen := map[string]bool{}
	var words []string
	for _, p := range parts {
		for _, w := range strings.Fields(edoc.Fold(p)) {
			w = cutWord(w)
			if w == "" || seen[w] {
				continue
			}
			if len(words) == maxDocWords {
				return words
			}
			seen[w] = true
			words = append(words, w)
		}
	}
	return words
}

// earlierIDs are the DocumentIDs d updates or replaces.
func earlierIDs(d *Document) []string {
	b := d.Doc.Business
	if b.DocType != edoc.BusinessUpdate && b.DocType != edoc.BusinessReplace {
		return nil
	}
	var ids []string
	if b.DocumentID != "" {
		ids = append(ids, b.DocumentID)
	}
	for _, r := range b.Replacements {
		if r.DocumentID != "" && len(ids) < 64 {
			ids = append(ids, r.DocumentID)
		}
	}
	return ids
}

// getDoc reads the document under key.
func getDoc(tx *bolt.Tx, key []byte) (Document, error) {
	v := tx.Bucket(bucketDocs).Get(key)
	if v == nil {
		return Document{}, fmt.Errorf("document %q: %w", key, ErrNotFound)
	}
	var d Document
	if err := json.Unmarshal(v, &d); err != nil {
		return Document{}, fmt.Errorf("document %q: %w", key, err)
	}
	return d, nil
}

// keyByMessageID is the key of the document with that MessageID, or nil.
func keyByMessageID(tx *bolt.Tx, id string) []byte {
	if id == "" {
		return nil
	}
	return tx.Bucket(bucketMsgID).Get([]byte(id))
}

// errTooLarge: a document over MaxDocumentBytes.
type errTooLarge struct{ n int }

func (e errTooLarge) Error() string {
	return fmt.Sprintf("document of %d bytes, more than %d", e.n, MaxDocumentBytes)
}

// putDoc writes d, replacing the document under its key and its index
// entries.
func (s *Store) putDoc(tx *bolt.Tx, d *Document) error {
	data, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("document %q: %w", d.Key, err)
	}
	if len(data) > MaxDocumentBytes {
		return errTooLarge{len(data)}
	}
	if old, err := getDoc(tx, []byte(d.Key)); err == nil {
		if err := unindexDoc(tx, &old); err != nil {
			return err
		}
	}
	if err := tx.Bucket(bucketDocs).Put([]byte(d.Key), data); err != nil {
		return err
	}
	return s.indexDoc(tx, d)
}

// deleteDoc removes d and its index entries.
func deleteDoc(tx *bolt.Tx, d *Document) error {
	if err := unindexDoc(tx, d); err != nil {
		return err
	}
	if b := tx.Bucket(bucketText); b != nil {
		if err := b.Delete([]byte(d.Key)); err != nil {
			return err
		}
	}
	return tx.Bucket(bucketDocs).Delete([]byte(d.Key))
}

// indexDoc writes d's index entries.
func (s *Store) indexDoc(tx *bolt.Tx, d *Document) error {
	key := []byte(d.Key)
	sk := sortKey(d)
	if err := tx.Bucket(bucketTime).Bucket([]byte(d.Box)).Put(sk, nil); err != nil {
		return err
	}
	if !d.Read {
		if err := tx.Bucket(bucketUnread).Bucket([]byte(d.Box)).Put(sk, nil); err != nil {
			return err
		}
	}
	if d.MessageID != "" {
		if err := tx.Bucket(bucketMsgID).Put([]byte(d.MessageID), key); err != nil {
			return err
		}
	}
	if d.Box == BoxOutbox && d.ClientMsgID == d.Key {
		if err := tx.Bucket(bucketClientID).Put(key, key); err != nil {
			return err
		}
	}
	if err := putWords(tx, key, wordsValue(tx, d, sk, docWords(d))); err != nil {
		return err
	}
	if err := putNeedText(tx, d, sk); err != nil {
		return err
	}
	if k := lenPrefixed(d.Doc.DocumentID, d.Key); k != nil {
		if err := tx.Bucket(bucketDocID).Put(k, nil); err != nil {
			return err
		}
	}
	for _, id := range earlierIDs(d) {
		if k := lenPrefixed(id, d.Key); k != nil {
			if err := tx.Bucket(bucketVersions).Put(k, nil); err != nil {
				return err
			}
		}
	}
	for _, a := range d.Doc.Attachments {
		if !ValidSHA256(a.SHA256) {
			continue
		}
		if err := tx.Bucket(bucketRefs).Put(append([]byte(a.SHA256), key...), nil); err != nil {
			return err
		}
		if !s.HasBlob(a.SHA256) {
			if err := tx.Bucket(bucketMissing).Put([]byte(a.SHA256), nil); err != nil {
				return err
			}
		}
	}
	return nil
}

// unindexDoc removes d's index entries.
func unindexDoc(tx *bolt.Tx, d *Document) error {
	key := []byte(d.Key)
	sk := sortKey(d)
	del := func(bucket *bolt.Bucket, k []byte) error {
		if k == nil {
			return nil
		}
		return bucket.Delete(k)
	}
	if err := del(tx.Bucket(bucketTime).Bucket([]byte(d.Box)), sk); err != nil {
		return err
	}
	if err := del(tx.Bucket(bucketUnread).Bucket([]byte(d.Box)), sk); err != nil {
		return err
	}
	if d.MessageID != "" && bytes.Equal(tx.Bucket(bucketMsgID).Get([]byte(d.MessageID)), key) {
		if err := tx.Bucket(bucketMsgID).Delete([]byte(d.MessageID)); err != nil {
			return err
		}
	}
	if err := del(tx.Bucket(bucketClientID), key); err != nil {
		return err
	}
	if err := deleteWords(tx, key); err != nil {
		return err
	}
	if err := deleteNeedText(tx, sk); err != nil {
		return err
	}
	if err := del(tx.Bucket(bucketDocID), lenPrefixed(d.Doc.DocumentID, d.Key)); err != nil {
		return err
	}
	for _, id := range earlierIDs(d) {
		if err := del(tx.Bucket(bucketVersions), lenPrefixed(id, d.Key)); err != nil {
			return err
		}
	}
	refs := tx.Bucket(bucketRefs)
	for _, a := range d.Doc.Attachments {
		if !ValidSHA256(a.SHA256) {
			continue
		}
		if err := refs.Delete(append([]byte(a.SHA256), key...)); err != nil {
			return err
		}
		if k, _ := refs.Cursor().Seek([]byte(a.SHA256)); !bytes.HasPrefix(k, []byte(a.SHA256)) {
			if err := tx.Bucket(bucketMissing).Delete([]byte(a.SHA256)); err != nil {
				return err
			}
		}
	}
	return nil
}

// queue is an ordered queue of JSON records with an id index: items
// holds u64 position → JSON, ids holds id → position.
type queue struct{ items, ids []byte }

var (
	outboxQueue = queue{bucketOutbox, bucketOutboxID}
	statusQueue = queue{bucketStatus, bucketStatusID}
)

// has reports whether id is queued.
func (q queue) has(tx *bolt.Tx, id string) bool {
	return tx.Bucket(q.ids).Get([]byte(id)) != nil
}

// put appends v under id.
func (q queue) put(tx *bolt.Tx, id string, v any) error {
	items := tx.Bucket(q.items)
	seq, err := items.NextSequence()
	if err != nil {
		return err
	}
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	pos := u64(seq)
	if err := items.Put(pos, data); err != nil {
		return err
	}
	return tx.Bucket(q.ids).Put([]byte(id), pos)
}

// get reads id into v and returns its position; ErrNotFound.
func (q queue) get(tx *bolt.Tx, id string, v any) ([]byte, error) {
	pos := tx.Bucket(q.ids).Get([]byte(id))
	if pos == nil {
		return nil, fmt.Errorf("%s %q: %w", q.items, id, ErrNotFound)
	}
	data := tx.Bucket(q.items).Get(pos)
	if data == nil {
		return nil, fmt.Errorf("%s %q: %w", q.items, id, ErrNotFound)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return nil, fmt.Errorf("%s %q: %w", q.items, id, err)
	}
	return bytes.Clone(pos), nil
}

// replace writes v at pos.
func (q queue) replace(tx *bolt.Tx, pos []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return tx.Bucket(q.items).Put(pos, data)
}

// remove drops id.
func (q queue) remove(tx *bolt.Tx, id string) error {
	pos := tx.Bucket(q.ids).Get([]byte(id))
	if pos == nil {
		return nil
	}
	if err := tx.Bucket(q.items).Delete(pos); err != nil {
		return err
	}
	return tx.Bucket(q.ids).Delete([]byte(id))
}

// each calls fn with every record, in queue order or newest first.
func (q queue) each(tx *bolt.Tx, newestFirst bool, fn func(data []byte) error) error {
	c := tx.Bucket(q.items).Cursor()
	first, next := c.First, c.Next
	if newestFirst {
		first, next = c.Last, c.Prev
	}
	for k, v := first(); k != nil; k, v = next() {
		if err := fn(v); err != nil {
			return err
		}
	}
	return nil
}

// audit appends one line to the audit log.
func (s *Store) audit(tx *bolt.Tx, action, key, detail string) error {
	b := tx.Bucket(bucketAudit)
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	if len(detail) > 500 {
		detail = strings.ToValidUTF8(detail[:500], "") + "…"
	}
	if len(key) > maxKeyBytes {
		key = strings.ToValidUTF8(key[:maxKeyBytes], "")
	}
	data, err := json.Marshal(AuditEntry{Seq: seq, At: time.Now().UTC(), User: s.user, Action: action, Key: key, Detail: detail})
	if err != nil {
		return err
	}
	return b.Put(u64(seq), data)
}
