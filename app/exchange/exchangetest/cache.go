package exchangetest

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/sync/store"
)

// ErrNotFound is what Cache answers for a key it does not hold.
var ErrNotFound = errors.New("not found")

// Cache is an in-memory stand-in for the client cache's reading side,
// for unit tests of the screens' logic: documents kept newest first as
// added (the last added first), blobs as files in a temporary folder. Safe for concurrent use.
// Reads counts the List and Search calls, so a test can see that a
// screen read pages, not everything.
type Cache struct {
	mu      sync.Mutex
	docs    []store.Document // oldest first
	index   map[string]int   // key → position in docs
	dir     string
	blobs   map[string]bool
	entries map[string]store.OutboxEntry
	Reads   int
	Fail    error // when set, List and Search fail with it
}

// NewCache returns an empty cache whose blobs live under t.TempDir().
func NewCache(t testing.TB) *Cache {
	return &Cache{dir: t.TempDir(), index: map[string]int{}, blobs: map[string]bool{}, entries: map[string]store.OutboxEntry{}}
}

// Add puts d in front (newest); a document with the same key is replaced
// in place.
func (c *Cache) Add(d store.Document) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if i, ok := c.index[d.Key]; ok {
		c.docs[i] = d
		return
	}
	c.index[d.Key] = len(c.docs)
	c.docs = append(c.docs, d)
}

// newest returns the i-th document counting from the newest.
func (c *Cache) newest(i int) *store.Document { return &c.docs[len(c.docs)-1-i] }

// SetEntry records the outbox entry of a queued document.
func (c *Cache) SetEntry(e store.OutboxEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries[e.ClientMsgID] = e
}

// AddBlob stores b as a blob and returns its SHA-256 and size.
func (c *Cache) AddBlob(t testing.TB, b []byte) (string, int64) {
	sum := sha256.Sum256(b)
	sha := hex.EncodeToString(sum[:])
	if err := os.WriteFile(filepath.Join(c.dir, sha), b, 0o600); err != nil {
		t.Fatal(err)
	}
	c.mu.Lock()
	c.blobs[sha] = true
	c.mu.Unlock()
	return sha, int64(len(b))
}

// BlobPath is where the blob sha is (or would be).
func (c *Cache) BlobPath(sha string) string { return filepath.Join(c.dir, sha) }

// HasBlob reports whether the blob sha was added.
func (c *Cache) HasBlob(sha string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.blobs[sha]
}

// Page is one page of box after the cursor after (a row number).
func (c *Cache) Page(box store.Box, unreadOnly bool, after string, limit int) ([]store.Document, string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.Reads++
	if c.Fail != nil {
		return nil, "", c.Fail
	}
	start := 0
	if after != "" {
		n, err := strconv.Atoi(after)
		if err != nil {
			return nil, "", errors.New("bad cursor")
		}
		start = n
	}
	if limit <= 0 {
		limit = 50
	}
	var out []store.Document
	i := start
	for ; i < len(c.docs) && len(out) < limit; i++ {
		d := c.newest(i)
		if d.Box != box || unreadOnly && d.Read {
			continue
		}
		out = append(out, *d)
	}
	next := ""
	for j := i; j < len(c.docs); j++ {
		if d := c.newest(j); d.Box == box && (!unreadOnly || !d.Read) {
			next = strconv.Itoa(i)
			break
		}
	}
	return out, next, nil
}

// Find searches box as store.Search does: every word of text must be a
// prefix of a word of the subject, số/ký hiệu, agencies or signer,
// diacritic- and case-insensitive.
func (c *Cache) Find(text string, box store.Box, limit int) ([]store.Document, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.Reads++
	if c.Fail != nil {
		return nil, c.Fail
	}
	want := strings.Fields(edoc.Fold(text))
	var out []store.Document
	for i := range c.docs {
		d := *c.newest(i)
		if d.Box != box || len(out) >= limit {
			continue
		}
		words := strings.Fields(edoc.Fold(strings.Join([]string{d.Doc.Subject, d.Doc.Code.String(),
			d.From.OrganName, d.From.OrganID, d.Doc.From.OrganName, d.Doc.From.OrganID,
			d.Doc.Signer.FullName, organs(d.Doc.To)}, " ")))
		if slices.IndexFunc(want, func(w string) bool {
			return !slices.ContainsFunc(words, func(x string) bool { return strings.HasPrefix(x, w) })
		}) < 0 {
			out = append(out, d)
		}
	}
	return out, nil
}

func organs(os []edoc.Organ) string {
	var b strings.Builder
	for _, o := range os {
		b.WriteString(o.OrganName + " " + o.OrganID + " ")
	}
	return b.String()
}

// Get returns the document with key.
func (c *Cache) Get(key string) (store.Document, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if i, ok := c.index[key]; ok {
		return c.docs[i], nil
	}
	return store.Document{}, ErrNotFound
}

// MarkRead marks the document read.
func (c *Cache) MarkRead(key string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if i, ok := c.index[key]; ok {
		c.docs[i].Read = true
		return nil
	}
	return ErrNotFound
}

// OutboxEntry returns the outbox entry of a queued document.
func (c *Cache) OutboxEntry(id string) (store.OutboxEntry, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[id]
	if !ok {
		return store.OutboxEntry{}, ErrNotFound
	}
	return e, nil
}

// Inbox is the cache as app/inbox reads it.
func (c *Cache) Inbox() *InboxView { return &InboxView{c} }

// InboxView adapts Cache to inbox.Source.
type InboxView struct{ *Cache }

// List is one page of the inbox.
func (v *InboxView) List(unreadOnly bool, after string, limit int) ([]store.Document, string, error) {
	return v.Page(store.BoxInbox, unreadOnly, after, limit)
}

// Search searches the inbox.
func (v *InboxView) Search(text string, limit int) ([]store.Document, error) {
	return v.Find(text, store.BoxInbox, limit)
}

// Outbox is the cache as app/outbox reads it.
func (c *Cache) Outbox() *OutboxView { return &OutboxView{c} }

// OutboxView adapts Cache to outbox.Source.
type OutboxView struct{ *Cache }

// List is one page of the outbox.
func (v *OutboxView) List(after string, limit int) ([]store.Document, string, error) {
	return v.Page(store.BoxOutbox, false, after, limit)
}
