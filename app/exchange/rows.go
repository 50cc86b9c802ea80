package exchange

import (
	"github.com/vanthuso/vanthu/sync/store"
)

// PageFunc reads one page of a listing: up to limit documents after the
// cursor after ("" is the first page), and the cursor of the next page
// ("" at the end). It is called on a goroutine of its own.
type PageFunc func(after string, limit int) (docs []store.Document, next string, err error)

// DefaultPageSize is how many documents Rows reads at a time.
const DefaultPageSize = 100

// Rows is the part of a listing read so far, for a widget.List: it reads
// the next page when a row near the end is shown. Use it on the UI
// goroutine only; OnChanged is called there after rows came or went.
type Rows struct {
	read  PageFunc
	do    Do
	limit int

	docs    []store.Document
	next    string
	end     bool // the last page is read
	loading bool
	gen     int // bumped by Reset and SetSource; older pages are dropped
	err     error

	// OnChanged is called on the UI goroutine when a page was read (or
	// failed): refresh the list.
	OnChanged func()
}

// NewRows returns rows over read, reading pageSize documents at a time
// (DefaultPageSize when ≤ 0), reporting through do (nil: fyne.Do). Call
// Reset to read the first page.
func NewRows(read PageFunc, do Do, pageSize int) *Rows {
	if pageSize <= 0 {
		pageSize = DefaultPageSize
	}
	return &Rows{read: read, do: OrDo(do), limit: pageSize}
}

// SetSource changes the listing (a search, a filter) and reads its first
// page; the rows shown stay until it comes.
func (r *Rows) SetSource(read PageFunc) {
	r.read = read
	r.Reset()
}

// Reset reads the first page again; the rows shown stay until it comes,
// then replace what was read.
func (r *Rows) Reset() {
	r.gen++
	r.loading = false
	r.fetch("", true)
}

// Len is the number of rows read.
func (r *Rows) Len() int { return len(r.docs) }

// More reports whether pages remain to be read (a "loading" row can be
// shown after the last).
func (r *Rows) More() bool { return !r.end && r.err == nil }

// Loading reports whether a page is being read.
func (r *Rows) Loading() bool { return r.loading }

// Err is why the last page could not be read; nil when it was.
func (r *Rows) Err() error { return r.err }

// At returns row i, and asks for the next page when i is within half a
// page of the end.
func (r *Rows) At(i int) (store.Document, bool) {
	if i >= len(r.docs)-r.limit/2 {
		r.fetchNext()
	}
	if i < 0 || i >= len(r.docs) {
		return store.Document{}, false
	}
	return r.docs[i], true
}

// Index is the row of the document with key, -1 when it was not read.
func (r *Rows) Index(key string) int {
	for i := range r.docs {
		if r.docs[i].Key == key {
			return i
		}
	}
	return -1
}

// Update changes the row of the document with key in place (it was
// marked read, its state changed), and reports whether it was there.
func (r *Rows) Update(key string, f func(*store.Document)) bool {
	i := r.Index(key)
	if i < 0 {
		return false
	}
	f(&r.docs[i])
	return true
}

func (r *Rows) fetchNext() {
	if r.loading || r.end || r.err != nil || len(r.docs) == 0 {
		return
	}
	r.fetch(r.next, false)
}

// fetch reads the page after cursor on a goroutine; first replaces the
// rows with it.
func (r *Rows) fetch(after string, first bool) {
	r.loading = true
	gen, read, limit := r.gen, r.read, r.limit
	go func() {
		docs, next, err := read(after, limit)
		r.do(func() { r.showPage(gen, first, docs, next, err) })
	}()
}

// showPage takes a page read (UI goroutine).
func (r *Rows) showPage(gen int, first bool, docs []store.Document, next string, err error) {
	if gen != r.gen {
		return // a Reset came after it was asked for
	}
	r.loading = false
	r.err = err
	if err == nil {
		if first {
			r.docs = nil
		}
		r.docs = append(r.docs, docs...)
		r.next = next
		r.end = next == ""
	}
	if r.OnChanged != nil {
		r.OnChanged()
	}
}
