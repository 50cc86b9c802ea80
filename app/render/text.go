package render

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/klippa-app/go-pdfium/requests"
	"golang.org/x/text/unicode/norm"
)

// Text limits.
const (
	// MaxPageText is the most characters Text reads from one page.
	MaxPageText = 1 << 16
	// DefaultTextPages and DefaultTextBytes are ExtractText's limits
	// when TextLimits leaves them 0: the first 200 pages, the first
	// 64 KiB of text (an official document's first pages say what it is
	// about; a 1000-page annex must not make the search index huge).
	DefaultTextPages = 200
	DefaultTextBytes = 64 << 10
)

// Text returns the text of page i (0-based) as PDFium reads it
// (FPDFText_GetText: in reading order, lines ending in "\r\n"), in NFC,
// at most MaxPageText characters. A page without text (a scan) gives "".
// It runs after every waiting render, open and prefetch (the lowest
// priority), waits for room in its queue while ctx lives and returns
// ctx.Err() at once when ctx ends. Errors wrap ErrInvalid for a page
// PDFium cannot load, ErrTimeout and ErrClosed as Render's.
func (d *Document) Text(ctx context.Context, i int) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if i < 0 || i >= len(d.pages) {
		return "", fmt.Errorf("text of page index %d: out of range (%d pages)", i, len(d.pages))
	}
	e := d.e
	if err := e.deadError(); err != nil {
		return "", err
	}
	if d.isClosed() {
		return "", ErrClosed
	}
	j := &job{kind: jobText, doc: d, key: cacheKey{doc: d.id, page: i}, refs: 1, prio: prioPrefetch, done: make(chan struct{})}
	select {
	case e.queues[prioPrefetch] <- j:
	case <-ctx.Done():
		return "", ctx.Err()
	case <-e.dead:
		return "", e.deadError()
	}
	if err := e.wait(ctx, j); err != nil {
		return "", err
	}
	if j.err != nil {
		return "", fmt.Errorf("text of page index %d of %s: %w", i, d.name, j.err)
	}
	return j.text, nil
}

// TextLimits bound ExtractText; 0 means the default.
type TextLimits struct {
	Pages int // the first pages read (DefaultTextPages)
	Bytes int // the text kept, in bytes of UTF-8 (DefaultTextBytes)
}

// ExtractText returns the text of the document's pages in order, a form
// feed ("\f") between pages, within lim: it stops after lim.Pages pages
// or once lim.Bytes bytes are taken (cut at a character boundary), and
// reports truncated when it stopped before the end. A page whose text
// PDFium cannot read is skipped, unless every page fails (the error of
// the first is returned). ctx ends it between and during pages.
func (d *Document) ExtractText(ctx context.Context, lim TextLimits) (text string, truncated bool, err error) {
	if lim.Pages <= 0 {
		lim.Pages = DefaultTextPages
	}
	if lim.Bytes <= 0 {
		lim.Bytes = DefaultTextBytes
	}
	var b strings.Builder
	var firstErr error
	read := 0
	for i := range d.NumPages() {
		if i == lim.Pages || b.Len() >= lim.Bytes {
			return b.String(), true, nil
		}
		t, err := d.Text(ctx, i)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, ErrClosed) {
				return "", false, err
			}
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		read++
		if i > 0 {
			b.WriteByte('\f')
		}
		if room := lim.Bytes - b.Len(); len(t) > room {
			for room > 0 && !utf8.RuneStart(t[room]) {
				room--
			}
			b.WriteString(t[:room])
			return b.String(), true, nil
		}
		b.WriteString(t)
	}
	if read == 0 && firstErr != nil {
		return "", false, firstErr
	}
	return b.String(), false, nil
}

// ExtractText opens the PDF at path, extracts its text within lim
// (Document.ExtractText) and closes it.
func (e *Engine) ExtractText(ctx context.Context, path string, lim TextLimits) (text string, truncated bool, err error) {
	d, err := e.OpenContext(ctx, path)
	if err != nil {
		return "", false, err
	}
	defer d.Close()
	return d.ExtractText(ctx, lim)
}

// text reads the text of page i of d in the worker's instance.
func (w *worker) text(d *Document, i int) (string, error) {
	od, err := w.openDoc(d)
	if err != nil {
		return "", err
	}
	inst := w.inst
	pg, err := inst.FPDF_LoadPage(&requests.FPDF_LoadPage{Document: od.doc, Index: i})
	if err != nil {
		if isTrap(err) {
			return "", err
		}
		return "", fmt.Errorf("load page: %w", ErrInvalid)
	}
	defer inst.FPDF_ClosePage(&requests.FPDF_ClosePage{Page: pg.Page})
	tp, err := inst.FPDFText_LoadPage(&requests.FPDFText_LoadPage{Page: requests.Page{ByReference: &pg.Page}})
	if err != nil {
		if isTrap(err) {
			return "", err
		}
		return "", fmt.Errorf("load the page's text: %w", ErrInvalid)
	}
	defer inst.FPDFText_ClosePage(&requests.FPDFText_ClosePage{TextPage: tp.TextPage})
	n, err := inst.FPDFText_CountChars(&requests.FPDFText_CountChars{TextPage: tp.TextPage})
	if err != nil {
		return "", fmt.Errorf("count the page's characters: %w", err)
	}
	if n.Count <= 0 {
		return "", nil
	}
	t, err := inst.FPDFText_GetText(&requests.FPDFText_GetText{TextPage: tp.TextPage, StartIndex: 0, Count: min(n.Count, MaxPageText)})
	if err != nil {
		return "", fmt.Errorf("read the page's text: %w", err)
	}
	s := strings.ToValidUTF8(strings.TrimRight(t.Text, "\x00"), "\uFFFD")
	return norm.NFC.String(s), nil
}
