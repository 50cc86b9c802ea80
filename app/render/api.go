// Package render turns PDF pages into images for the desktop client, with
// PDFium compiled to WebAssembly (github.com/klippa-app/go-pdfium,
// webassembly mode: pure Go, no cgo, the same on Windows and Linux).
//
// It does not import Fyne: app/ shows what it renders.
//
//	eng, err := render.NewEngine(ctx, render.Config{}) // once, at program start
//	defer eng.Close()
//	doc, err := eng.Open(path)                         // when the user picks a file
//	defer doc.Close()
//	img, err := doc.Render(ctx, 0, 1000)               // page 1, 1000 px wide
//
// # Engine
//
// NewEngine compiles the PDFium module (about 5.7 MB of WebAssembly) with
// wazero and starts Config.Workers PDFium instances, each with its own
// linear memory. Compiling takes seconds, so the machine code is kept in
// a compilation cache in Config.CacheDir (by default
// os.UserCacheDir()/vanthu/pdfium; wazero writes its entries under a
// subdirectory named after its version, atomically): every later start
// loads it instead (Stats.WarmCache). A cache entry wazero cannot read
// back is deleted and the module compiled again; a cache directory that
// cannot be created means compiling in memory (Stats.CacheError). Start
// the engine early, in the background: the UI can already show the file
// chooser. (A binary without module information, such as a test binary,
// cannot tell wazero its version: wazero then files its entries under
// "dev" and would take an entry written by another wazero version for
// its own. Such binaries should use a CacheDir of their own per wazero
// version.)
//
// PDFium sees no file system: nothing is mounted into the instances, and
// documents are read through callbacks. Fonts a document does not embed
// are replaced by PDFium's built-in ones.
//
// # Rendering
//
// Render draws one page on opaque white at the requested width in pixels
// (the height follows the page's aspect), as displayed: /Rotate applied,
// clipped to the crop box. Annotations with appearance streams are drawn
// (FPDF_ANNOT) and so are form fields and signature widgets: each
// instance keeps a form fill environment per document
// (FPDFDOC_InitFormFillEnvironment) and calls FPDF_FFLDraw after the page,
// so signature stamps show exactly as a PDF reader shows them. The result
// is an *image.RGBA with every alpha 255. One render is limited to
// 16384 pixels wide and 64 megapixels.
//
// Thumbnail is the same in draft quality: images are scaled without
// smoothing. Scanned documents (a 1-bit CCITT image per page, what
// government offices send) spend most of their time smoothing that image,
// so a draft is several times faster at thumbnail sizes and about 40%
// faster at full width; a viewer can show a draft first and the render
// when it arrives.
//
// # Cache
//
// Rendered images are kept in a least-recently-used cache bounded by the
// bytes of their pixels (Config.CacheBytes, 256 MiB by default; about 45
// A4 pages at 1000 px), keyed by document, page, width and quality
// (Render or Thumbnail). An image larger than the whole budget is
// returned but not kept. Render returns the cached image itself: callers
// must not modify it. Closing a document drops its images.
//
// # Text
//
// Document.Text reads one page's text through PDFium's text API
// (FPDFText_LoadPage, FPDFText_GetText), in NFC, at most MaxPageText
// characters; ExtractText reads the pages in order within TextLimits (by
// default the first 200 pages and 64 KiB), for the search index. Text
// jobs wait behind every open, render and prefetch, so extracting in the
// background never delays a page the user looks at.
//
// # Concurrency
//
// Engine and Document are safe for concurrent use. Each instance belongs
// to one worker goroutine; work reaches the workers through three queues
// taken in order: opening documents, renders, prefetches. Concurrent
// Render (or Thumbnail) calls for the same page and width share one
// render. A caller whose context ends stops waiting at once with
// ctx.Err(): a render it alone asked for is dropped from the queue if no
// worker has started it; one already inside PDFium finishes (and goes
// into the cache) while the caller has moved on. Prefetch queues a
// render at the lowest priority and returns at once; it is dropped when
// its queue is full.
//
// Each instance opens a document the first time it works on it, so with
// two workers a document is parsed twice; its handles stay open until
// Document.Close, which waits for the workers to finish their current
// job.
//
// # Errors
//
// Opening a file that is not a PDF, is truncated beyond repair or yields
// no pages returns an error wrapping ErrInvalid; an encrypted document
// that needs a password wraps ErrEncrypted. Nothing the file contains can
// panic the caller or hang it: PDFium runs inside WebAssembly, where a
// crash is an error returned by wazero (the instance is then replaced),
// and a watchdog closes an instance that works on one job longer than
// Config.RenderTimeout (ErrTimeout; the instance is replaced too).
// Calls on a closed engine or document return ErrClosed. Errors are
// lower-case and wrapped ("open scan.pdf: the file is not a readable PDF
// (pdfium: 3: incorrect format)"); the UI translates the sentinels.
//
// # Memory
//
// Documents are never loaded into memory: every instance reads the file
// through FPDF_LoadCustomDocument with an io.SectionReader over one shared
// *os.File, so PDFium fetches only the cross-reference data and the
// objects of the pages it draws (Document.BytesRead counts them: opening
// a 300-page 50 MB file reads under 200 KB). An instance's memory is
// PDFium's heap (parsed objects, fonts, the decoded images of the page
// being drawn, the bitmap), about 18 MiB at start and a few tens of MiB
// after drawing pages 1000 px wide, whatever the file size; it does not
// shrink while the instance lives (Stats.InstanceMemory). Rendered images
// live in Go memory, bounded by CacheBytes; with Go's default GOGC the
// heap may grow to about twice what is live, so the image cache budget
// is what decides the process's footprint: choose it for the screen
// (a 1000 px A4 page is 5.6 MiB) rather than leave the 256 MiB default.
package render

import (
	"context"
	"fmt"
	"image"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/klippa-app/go-pdfium"
	"github.com/tetratelabs/wazero"
)

// Config configures an Engine.
type Config struct {
	// CacheDir holds the WebAssembly compilation cache, so that later
	// starts skip compiling PDFium; "" means os.UserCacheDir()/vanthu/pdfium.
	CacheDir string
	// Workers is how many PDFium instances render in parallel; 0 means
	// min(2, GOMAXPROCS).
	Workers int
	// CacheBytes bounds the rendered images kept in memory per engine;
	// 0 means 256 MiB.
	CacheBytes int64
	// RenderTimeout bounds how long PDFium may work on opening one
	// document or rendering one page before the watchdog stops the
	// instance (ErrTimeout); 0 means 30 s, a negative value no limit.
	RenderTimeout time.Duration
}

// Engine owns the PDFium instances. It is safe for concurrent use; Close
// it when the program ends.
type Engine struct {
	cfg       Config
	ctx       context.Context // parent of every instance; cancelled by Close
	cancel    context.CancelFunc
	compCache wazero.CompilationCache
	pool      pdfium.Pool
	images    *imageCache
	queues    [numPriorities]chan *job
	workers   []*worker
	wg        sync.WaitGroup
	stats     Stats         // the start-up part, written before workers start
	dead      chan struct{} // closed by Close or when no instance is left

	mu       sync.Mutex
	closed   bool
	deadErr  error
	nextDoc  uint64
	docs     map[*Document]struct{}
	inflight map[cacheKey]*job
	alive    int
}

// NewEngine starts PDFium. The first start on a machine compiles the
// WebAssembly module (seconds); later starts load it from Config.CacheDir.
// When ctx ends first, NewEngine returns ctx.Err() at once and the
// half-started engine is closed in the background.
func NewEngine(ctx context.Context, cfg Config) (*Engine, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	type result struct {
		e   *Engine
		err error
	}
	ch := make(chan result, 1)
	go func() {
		e, err := start(cfg)
		ch <- result{e, err}
	}()
	select {
	case r := <-ch:
		return r.e, r.err
	case <-ctx.Done():
		go func() {
			if r := <-ch; r.e != nil {
				r.e.Close()
			}
		}()
		return nil, ctx.Err()
	}
}

// Open opens the PDF at path. The file is read on demand, not loaded; it
// stays open until Document.Close (on Windows, close the document before
// replacing the file). Errors wrap ErrInvalid or ErrEncrypted when PDFium
// refuses the document.
func (e *Engine) Open(path string) (*Document, error) {
	return e.open(context.Background(), path)
}

// OpenContext is Open with a context: when ctx ends before a worker has
// opened the document, it returns ctx.Err() at once.
func (e *Engine) OpenContext(ctx context.Context, path string) (*Document, error) {
	return e.open(ctx, path)
}

// Close stops PDFium; documents still open become unusable. A render in
// progress is interrupted. Close waits for the workers to stop and is
// safe to call more than once.
func (e *Engine) Close() error { return e.close() }

// Stats returns the engine's start-up figures and current memory use.
func (e *Engine) Stats() Stats { return e.statsSnapshot() }

// Document is an open PDF. Its methods are safe for concurrent use.
type Document struct {
	e     *Engine
	id    uint64
	name  string // base name, for errors
	file  *os.File
	size  int64
	pages []pageSize // set by Open, then read-only
	read  atomic.Int64

	closed atomic.Bool
}

// NumPages returns the number of pages.
func (d *Document) NumPages() int { return len(d.pages) }

// PageSize returns the size of page i (0-based) in PDF points as it is
// displayed: after /Rotate, from the crop box. A page number out of range
// gives 0, 0. A page whose size PDFium cannot read reports A4 portrait.
func (d *Document) PageSize(i int) (widthPt, heightPt float64) {
	if i < 0 || i >= len(d.pages) {
		return 0, 0
	}
	return d.pages[i].w, d.pages[i].h
}

// Render draws page i (0-based) widthPx pixels wide (height in
// proportion), with annotations and form fields drawn (signature stamps
// show). Results are cached; a cancelled ctx returns ctx.Err() promptly.
// The image is an opaque *image.RGBA shared with the cache: do not
// modify it.
func (d *Document) Render(ctx context.Context, i int, widthPx int) (image.Image, error) {
	img, err := d.render(ctx, i, widthPx, false)
	if err != nil {
		return nil, err
	}
	return img, nil
}

// Thumbnail is Render in draft quality, for page previews and a first
// picture while the full render is on its way: images in the page are
// scaled without smoothing (FPDF_RENDER_NO_SMOOTHIMAGE), which makes a
// scanned page several times faster to draw at thumbnail sizes; text and
// vector graphics are unchanged. Thumbnails are cached apart from
// renders, under the same budget.
func (d *Document) Thumbnail(ctx context.Context, i int, widthPx int) (image.Image, error) {
	img, err := d.render(ctx, i, widthPx, true)
	if err != nil {
		return nil, err
	}
	return img, nil
}

// Prefetch asks for page i at widthPx to be rendered into the cache in
// the background, after every waiting Render, so that a later Render
// finds it. It never blocks; invalid arguments and a full queue are
// ignored.
func (d *Document) Prefetch(i int, widthPx int) {
	if d.check(i, widthPx) != nil {
		return
	}
	e := d.e
	key := cacheKey{doc: d.id, page: i, width: widthPx}
	if _, ok := e.images.get(key); ok {
		return
	}
	img, j, enqueue, err := e.join(d, key, prioPrefetch)
	if err != nil || img != nil || !enqueue {
		return
	}
	if e.enqueue(context.Background(), j, prioPrefetch) != nil {
		e.dropPrefetch(j)
	}
}

// BytesRead returns how many bytes PDFium has read from the file so far,
// over all instances.
func (d *Document) BytesRead() int64 { return d.read.Load() }

// Close releases the document in every instance and closes the file. It
// waits for workers busy with another job to finish it, and is safe to
// call more than once.
func (d *Document) Close() error {
	if !d.markClosed() {
		return nil
	}
	e := d.e
	e.images.dropDoc(d.id)
	e.mu.Lock()
	_, registered := e.docs[d]
	delete(e.docs, d)
	e.mu.Unlock()
	if !registered {
		return nil // Engine.Close has closed the file
	}
	e.broadcast(func(w *worker) { w.closeDoc(d) })
	return d.file.Close()
}

func (d *Document) markClosed() bool { return d.closed.CompareAndSwap(false, true) }

func (d *Document) isClosed() bool { return d.closed.Load() }

// discard forgets a document that no instance has open.
func (d *Document) discard() {
	d.markClosed()
	d.e.mu.Lock()
	delete(d.e.docs, d)
	d.e.mu.Unlock()
	d.file.Close()
}

// check validates a page index and width.
func (d *Document) check(i, widthPx int) error {
	if i < 0 || i >= len(d.pages) {
		return fmt.Errorf("render page index %d: out of range (%d pages)", i, len(d.pages))
	}
	if widthPx < 1 || widthPx > maxWidth {
		return fmt.Errorf("render page index %d: width %d px out of range (1 to %d)", i, widthPx, maxWidth)
	}
	return nil
}

// render implements Render and Thumbnail.
func (d *Document) render(ctx context.Context, i, widthPx int, draft bool) (*image.RGBA, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := d.check(i, widthPx); err != nil {
		return nil, err
	}
	e := d.e
	key := cacheKey{doc: d.id, page: i, width: widthPx, draft: draft}
	if img, ok := e.images.get(key); ok {
		return img, nil
	}
	img, j, enqueue, err := e.join(d, key, prioRender)
	if err != nil {
		return nil, fmt.Errorf("render page index %d: %w", i, err)
	}
	if img != nil {
		return img, nil
	}
	if enqueue {
		if err := e.enqueue(ctx, j, prioRender); err != nil {
			e.release(j)
			return nil, err
		}
	}
	if err := e.wait(ctx, j); err != nil {
		return nil, err
	}
	if j.err != nil {
		return nil, fmt.Errorf("render page index %d of %s: %w", i, d.name, j.err)
	}
	return j.img, nil
}
