package app

import (
	"context"
	"errors"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"sync"

	"fyne.io/fyne/v2"

	"github.com/vanthuso/vanthu/app/render"
	"github.com/vanthuso/vanthu/signing/pdf"
)

// runOnUI runs fn on the UI goroutine. Every widget change made on behalf
// of a goroutine goes through it (through the screens' named helpers).
// Tests replace it with a queue that the test goroutine drains, so the
// race detector sees widgets touched by one goroutine only.
var runOnUI = fyne.Do

// runOnUIAndWait is runOnUI that returns once fn has run.
var runOnUIAndWait = fyne.DoAndWait

// pageSource is what the reader needs from an open PDF. Page numbers are
// 0-based; sizes are in PDF points as displayed. Implementations are safe
// for concurrent use; *render.Document is the real one.
type pageSource interface {
	NumPages() int
	PageSize(i int) (widthPt, heightPt float64)
	Render(ctx context.Context, i, widthPx int) (image.Image, error)
}

// docSource is a pageSource the reader closes when its tab closes.
type docSource interface {
	pageSource
	Close() error
}

var _ docSource = (*render.Document)(nil)

// openFunc opens the PDF at path for reading; it is called off the UI
// goroutine and may block (the render engine may still be starting).
type openFunc func(ctx context.Context, path string) (docSource, error)

// errNoRenderer is what pages show when the render engine could not start.
var errNoRenderer = errors.New("page renderer unavailable")

// renderService starts the PDFium engine in the background (the first
// start compiles it, which takes seconds) and opens documents once it is
// ready. If the engine cannot start, documents open without pictures: the
// page count and sizes come from signing/pdf and every page says why it is
// blank.
type renderService struct {
	ready chan struct{}
	eng   *render.Engine
	err   error

	closeOnce sync.Once
}

// startRenderService starts the engine in a goroutine.
func startRenderService(cfg render.Config) *renderService {
	s := &renderService{ready: make(chan struct{})}
	go func() {
		defer close(s.ready)
		eng, err := render.NewEngine(context.Background(), cfg)
		if err == nil && eng == nil {
			err = errNoRenderer
		}
		s.eng, s.err = eng, err
	}()
	return s
}

// open waits for the engine and opens path.
func (s *renderService) open(ctx context.Context, path string) (docSource, error) {
	select {
	case <-s.ready:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if s.err != nil {
		return openOutline(path, fmt.Errorf("%w: %v", errNoRenderer, s.err))
	}
	d, err := s.eng.Open(path)
	if err != nil {
		return nil, err
	}
	if d == nil {
		return nil, errNoRenderer
	}
	return d, nil
}

// engine returns the started engine, or nil while it starts or when it
// failed. It never blocks.
func (s *renderService) engine() *render.Engine {
	select {
	case <-s.ready:
		return s.eng
	default:
		return nil
	}
}

// close stops the engine once it has started.
func (s *renderService) close() {
	s.closeOnce.Do(func() {
		go func() {
			<-s.ready
			if s.eng != nil {
				s.eng.Close()
			}
		}()
	})
}

// outlineSource knows a document's pages but cannot draw them.
type outlineSource struct {
	sizes [][2]float64
	err   error
}

// openOutline reads the page count and the displayed page sizes of path.
func openOutline(path string, renderErr error) (docSource, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	r, err := pdf.Open(f, st.Size())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	n, err := r.NumPages()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	o := &outlineSource{err: renderErr}
	for i := 1; i <= n; i++ {
		w, h := 595.0, 842.0 // A4 when a page cannot be read
		if _, _, g, err := r.Page(i); err == nil {
			v := g.Visible()
			w, h = v.Width(), v.Height()
			if g.Rotate == 90 || g.Rotate == 270 {
				w, h = h, w
			}
		}
		o.sizes = append(o.sizes, [2]float64{w, h})
	}
	return o, nil
}

func (o *outlineSource) NumPages() int { return len(o.sizes) }

func (o *outlineSource) PageSize(i int) (float64, float64) {
	if i < 0 || i >= len(o.sizes) {
		return 0, 0
	}
	return o.sizes[i][0], o.sizes[i][1]
}

func (o *outlineSource) Render(ctx context.Context, i, widthPx int) (image.Image, error) {
	return nil, o.err
}

func (o *outlineSource) Close() error { return nil }
