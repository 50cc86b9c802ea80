package render

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"math"
	"sync/atomic"
	"time"

	"github.com/klippa-app/go-pdfium"
	"github.com/klippa-app/go-pdfium/enums"
	"github.com/klippa-app/go-pdfium/references"
	"github.com/klippa-app/go-pdfium/requests"
	"github.com/klippa-app/go-pdfium/structs"
	"github.com/tetratelabs/wazero/api"
)

// exitWatchdog is the exit code the watchdog closes a module with.
const exitWatchdog = 124

// worker owns one PDFium instance and runs jobs on it, one at a time, in
// its own goroutine. Everything but memory and fired is touched only by
// that goroutine.
type worker struct {
	e      *Engine
	inst   pdfium.Pdfium
	mod    api.Module
	ctrl   chan func(*worker) // unbuffered: a send returns once the worker took it
	exited chan struct{}
	fired  chan struct{} // the watchdog closed the module
	docs   map[*Document]*openDoc
	memory atomic.Int64 // WebAssembly memory after the last job
}

// openDoc is a document as one instance has it open.
type openDoc struct {
	doc  references.FPDF_DOCUMENT
	form references.FPDF_FORMHANDLE // "" when the form environment failed
}

// docInfo is what opening a document finds out.
type docInfo struct {
	pages []pageSize
}

type pageSize struct{ w, h float64 }

// loop runs jobs until the engine stops. inst is the instance to start
// with, nil to get one from the pool.
func (w *worker) loop(inst pdfium.Pdfium) {
	defer w.e.wg.Done()
	defer close(w.exited)
	defer w.shutdown()
	if inst != nil {
		w.adopt(inst)
	}
	for {
		if w.inst == nil {
			if err := w.acquire(); err != nil {
				if w.e.deadError() == nil {
					w.e.workerLost(err)
				}
				return
			}
		}
		j, f := w.next()
		switch {
		case f != nil:
			f(w)
		case j != nil:
			w.run(j)
		default:
			return
		}
	}
}

func (w *worker) adopt(inst pdfium.Pdfium) {
	w.inst = inst
	w.mod = moduleOf(inst)
	w.docs = map[*Document]*openDoc{}
	w.recordMemory()
}

// acquire gets a fresh instance from the pool, trying a few times, and
// keeps serving control requests meanwhile.
func (w *worker) acquire() error {
	var err error
	for attempt := 0; attempt < acquireAttempts; attempt++ {
		if attempt > 0 {
			t := time.NewTimer(time.Duration(attempt) * 500 * time.Millisecond)
		wait:
			for {
				select {
				case f := <-w.ctrl:
					f(w)
				case <-w.e.dead:
					t.Stop()
					return ErrClosed
				case <-t.C:
					break wait
				}
			}
		}
		var inst pdfium.Pdfium
		inst, err = w.e.pool.GetInstanceWithContext(w.e.ctx)
		if err == nil {
			w.adopt(inst)
			return nil
		}
		if w.e.deadError() != nil {
			return ErrClosed
		}
	}
	return fmt.Errorf("start pdfium instance: %w", err)
}

// next returns the next control function or job, the most urgent first;
// neither when the engine stops.
func (w *worker) next() (*job, func(*worker)) {
	e := w.e
	select {
	case f := <-w.ctrl:
		return nil, f
	default:
	}
	for p := numPriorities - 1; p >= 0; p-- {
		select {
		case j := <-e.queues[p]:
			return j, nil
		default:
		}
	}
	select {
	case f := <-w.ctrl:
		return nil, f
	case j := <-e.queues[prioOpen]:
		return j, nil
	case j := <-e.queues[prioRender]:
		return j, nil
	case j := <-e.queues[prioPrefetch]:
		return j, nil
	case <-e.dead:
		return nil, nil
	}
}

// run does one job under the watchdog: when PDFium works longer than
// RenderTimeout, the module is closed (which stops it mid-call), the job
// fails with ErrTimeout and the worker starts a new instance. A trap or a
// panic replaces the instance the same way.
func (w *worker) run(j *job) {
	e := w.e
	if !e.claim(j) {
		return
	}
	var timer *time.Timer
	if e.cfg.RenderTimeout > 0 && w.mod != nil {
		mod := w.mod
		timer = time.AfterFunc(e.cfg.RenderTimeout, func() {
			mod.CloseWithExitCode(context.Background(), exitWatchdog)
			w.fired <- struct{}{}
		})
	}
	var (
		img  *image.RGBA
		info *docInfo
		err  error
	)
	func() {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("pdfium panic occurred: %v", r)
			}
		}()
		switch j.kind {
		case jobOpen:
			info, err = w.open(j.doc)
		case jobRender:
			img, err = w.render(j.doc, j.key.page, j.key.width, j.key.draft)
		case jobText:
			j.text, err = w.text(j.doc, j.key.page)
		}
	}()
	timedOut := timer != nil && !timer.Stop()
	if timedOut {
		<-w.fired
		if err != nil { // else the job finished just in time: keep it
			err = fmt.Errorf("%w (more than %v)", ErrTimeout, e.cfg.RenderTimeout)
		}
	}
	if timedOut || isTrap(err) {
		if isTrap(err) && e.deadError() == nil {
			err = fmt.Errorf("%w (pdfium failed: %v)", ErrInvalid, err)
		}
		w.reset()
	} else {
		w.recordMemory()
	}
	if e.deadError() != nil && err != nil {
		err = ErrClosed
	}
	e.finish(j, img, info, err)
}

// reset throws the instance away with every document it had open; the
// next job gets a new one.
func (w *worker) reset() {
	if w.inst == nil {
		return
	}
	w.inst.Kill() // cancels the instance's context and closes its module
	w.inst, w.mod = nil, nil
	w.docs = map[*Document]*openDoc{}
}

// shutdown releases the instance when the worker stops.
func (w *worker) shutdown() {
	if w.inst == nil {
		return
	}
	if w.e.deadError() == nil {
		for d := range w.docs {
			w.closeDoc(d)
		}
	}
	w.inst.Close()
	w.inst, w.mod = nil, nil
}

func (w *worker) recordMemory() {
	if w.mod != nil {
		if mem := w.mod.Memory(); mem != nil {
			w.memory.Store(int64(mem.Size()))
		}
	}
}

// openDoc returns d as this instance has it open, opening it through a
// reader over the shared file (PDFium reads what it needs, when it needs
// it: the file is not loaded).
func (w *worker) openDoc(d *Document) (*openDoc, error) {
	if od := w.docs[d]; od != nil {
		return od, nil
	}
	if d.isClosed() {
		return nil, ErrClosed
	}
	r := &countingReader{r: io.NewSectionReader(d.file, 0, d.size), n: &d.read}
	res, err := w.inst.OpenDocument(&requests.OpenDocument{FileReader: r, FileReaderSize: d.size})
	if err != nil {
		return nil, openError(err)
	}
	od := &openDoc{doc: res.Document}
	// The form fill environment makes FPDF_FFLDraw draw widget
	// annotations (form fields, signature appearances). Without it the
	// page still renders, only without those.
	if form, err := w.inst.FPDFDOC_InitFormFillEnvironment(&requests.FPDFDOC_InitFormFillEnvironment{
		Document:     res.Document,
		FormFillInfo: formFillInfo(),
	}); err == nil {
		od.form = form.FormHandle
	}
	w.docs[d] = od
	return od, nil
}

// closeDoc closes d in this instance, if it is open there.
func (w *worker) closeDoc(d *Document) {
	od := w.docs[d]
	if od == nil {
		return
	}
	delete(w.docs, d)
	if w.inst == nil {
		return
	}
	if od.form != "" {
		w.inst.FPDFDOC_ExitFormFillEnvironment(&requests.FPDFDOC_ExitFormFillEnvironment{FormHandle: od.form})
	}
	w.inst.FPDF_CloseDocument(&requests.FPDF_CloseDocument{Document: od.doc})
}

// defaultPage is the size assumed for a page whose size PDFium cannot
// read (A4 portrait); the page itself will then fail to render.
var defaultPage = pageSize{595.28, 841.89}

// open opens d and reads its page count and page sizes.
func (w *worker) open(d *Document) (*docInfo, error) {
	od, err := w.openDoc(d)
	if err != nil {
		return nil, err
	}
	n, err := w.inst.FPDF_GetPageCount(&requests.FPDF_GetPageCount{Document: od.doc})
	if err != nil {
		if isTrap(err) {
			return nil, err
		}
		w.closeDoc(d)
		return nil, fmt.Errorf("count pages: %v: %w", err, ErrInvalid)
	}
	if n.PageCount <= 0 {
		w.closeDoc(d)
		return nil, fmt.Errorf("no pages: %w", ErrInvalid)
	}
	info := &docInfo{pages: make([]pageSize, n.PageCount)}
	for i := range info.pages {
		s, err := w.inst.FPDF_GetPageSizeByIndex(&requests.FPDF_GetPageSizeByIndex{Document: od.doc, Index: i})
		if err != nil {
			if isTrap(err) {
				return nil, err
			}
			info.pages[i] = defaultPage
			continue
		}
		info.pages[i] = sanePageSize(s.Width, s.Height)
	}
	return info, nil
}

// sanePageSize replaces a size that is not a positive number by A4.
func sanePageSize(w, h float64) pageSize {
	if !(w > 0 && h > 0) || math.IsInf(w, 0) || math.IsInf(h, 0) {
		return defaultPage
	}
	return pageSize{w, h}
}

// heightFor is the pixel height of a page widthPx pixels wide.
func heightFor(p pageSize, widthPx int) int {
	return max(1, int(math.Round(float64(widthPx)*p.h/p.w)))
}

// renderFlags draw annotations (FPDF_ANNOT) in RGBA byte order; the form
// fields come from FPDF_FFLDraw with the same flags. Drafts scale images
// without smoothing, which is what makes scanned pages slow.
const (
	renderFlags = enums.FPDF_RENDER_FLAG_ANNOT | enums.FPDF_RENDER_FLAG_REVERSE_BYTE_ORDER
	draftFlags  = renderFlags | enums.FPDF_RENDER_FLAG_RENDER_NO_SMOOTHIMAGE
)

// render draws page i of d widthPx wide on opaque white and copies the
// pixels out of the instance.
func (w *worker) render(d *Document, i, widthPx int, draft bool) (*image.RGBA, error) {
	od, err := w.openDoc(d)
	if err != nil {
		return nil, err
	}
	width, height := widthPx, heightFor(d.pages[i], widthPx)
	if int64(width)*int64(height) > maxPixels {
		return nil, fmt.Errorf("%d×%d pixels is more than the %d megapixels one render may have", width, height, maxPixels>>20)
	}
	inst := w.inst
	pg, err := inst.FPDF_LoadPage(&requests.FPDF_LoadPage{Document: od.doc, Index: i})
	if err != nil {
		if isTrap(err) {
			return nil, err
		}
		return nil, fmt.Errorf("load page: %w", ErrInvalid)
	}
	defer inst.FPDF_ClosePage(&requests.FPDF_ClosePage{Page: pg.Page})
	page := requests.Page{ByReference: &pg.Page}
	form := od.form
	if form != "" {
		if _, err := inst.FORM_OnAfterLoadPage(&requests.FORM_OnAfterLoadPage{Page: page, FormHandle: form}); err != nil {
			if isTrap(err) {
				return nil, err
			}
			form = ""
		} else {
			defer inst.FORM_OnBeforeClosePage(&requests.FORM_OnBeforeClosePage{Page: page, FormHandle: form})
		}
	}
	bm, err := inst.FPDFBitmap_Create(&requests.FPDFBitmap_Create{Width: width, Height: height, Alpha: 1})
	if err != nil {
		return nil, fmt.Errorf("create bitmap: %w", err)
	}
	defer inst.FPDFBitmap_Destroy(&requests.FPDFBitmap_Destroy{Bitmap: bm.Bitmap})
	stride, err := inst.FPDFBitmap_GetStride(&requests.FPDFBitmap_GetStride{Bitmap: bm.Bitmap})
	if err != nil {
		return nil, fmt.Errorf("bitmap stride: %w", err)
	}
	if stride.Stride < 4*width {
		// FPDFBitmap_Create returned NULL: out of WebAssembly memory.
		return nil, fmt.Errorf("could not allocate a %d×%d bitmap", width, height)
	}
	if _, err := inst.FPDFBitmap_FillRect(&requests.FPDFBitmap_FillRect{Bitmap: bm.Bitmap, Width: width, Height: height, Color: 0xFFFFFFFF}); err != nil {
		return nil, fmt.Errorf("fill bitmap: %w", err)
	}
	flags := renderFlags
	if draft {
		flags = draftFlags
	}
	if _, err := inst.FPDF_RenderPageBitmap(&requests.FPDF_RenderPageBitmap{
		Bitmap: bm.Bitmap, Page: page, SizeX: width, SizeY: height, Flags: flags,
	}); err != nil {
		return nil, fmt.Errorf("draw page: %w", err)
	}
	if form != "" {
		if _, err := inst.FPDF_FFLDraw(&requests.FPDF_FFLDraw{
			FormHandle: form, Bitmap: bm.Bitmap, Page: page, SizeX: width, SizeY: height, Flags: flags,
		}); err != nil {
			return nil, fmt.Errorf("draw form fields: %w", err)
		}
	}
	buf, err := inst.FPDFBitmap_GetBuffer(&requests.FPDFBitmap_GetBuffer{Bitmap: bm.Bitmap})
	if err != nil {
		return nil, fmt.Errorf("read bitmap: %w", err)
	}
	if len(buf.Buffer) < stride.Stride*(height-1)+4*width {
		return nil, errors.New("bitmap buffer shorter than the bitmap")
	}
	// The buffer is a view of the instance's memory: copy it out before
	// the bitmap is destroyed. The bitmap is RGBA (reverse byte order)
	// and opaque (white fill).
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	if stride.Stride == img.Stride {
		copy(img.Pix, buf.Buffer[:len(img.Pix)])
	} else {
		for y := 0; y < height; y++ {
			copy(img.Pix[y*img.Stride:(y+1)*img.Stride], buf.Buffer[y*stride.Stride:])
		}
	}
	return img, nil
}

// formFillInfo is the FPDF_FORMFILLINFO a viewer that only draws needs:
// every callback go-pdfium may call is present and does nothing (no
// timers, no navigation, no JavaScript).
func formFillInfo() structs.FPDF_FORMFILLINFO {
	return structs.FPDF_FORMFILLINFO{
		Release:                func() {},
		FFI_Invalidate:         func(references.FPDF_PAGE, float64, float64, float64, float64) {},
		FFI_OutputSelectedRect: func(references.FPDF_PAGE, float64, float64, float64, float64) {},
		FFI_SetCursor:          func(enums.FXCT) {},
		FFI_SetTimer:           func(int, func(int)) int { return 0 },
		FFI_KillTimer:          func(int) {},
		FFI_GetLocalTime:       func() structs.FPDF_SYSTEMTIME { return structs.FPDF_SYSTEMTIME{} }, // unused without JavaScript
		FFI_OnChange:           func() {},
		FFI_GetPage:            func(references.FPDF_DOCUMENT, int) *references.FPDF_PAGE { return nil },
		FFI_GetCurrentPage:     func(references.FPDF_DOCUMENT) *references.FPDF_PAGE { return nil },
		FFI_GetRotation:        func(references.FPDF_PAGE) enums.FPDF_PAGE_ROTATION { return enums.FPDF_PAGE_ROTATION_NONE },
		FFI_ExecuteNamedAction: func(string) {},
		FFI_SetTextFieldFocus:  func(string, bool) {},
		FFI_DoURIAction:        func(string) {},
		FFI_DoGoToAction:       func(int, enums.FPDF_ZOOM_MODE, []float32) {},
	}
}

// countingReader counts the bytes PDFium reads from a document, to show
// that opening a large file does not read it all.
type countingReader struct {
	r *io.SectionReader
	n *atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func (c *countingReader) Seek(off int64, whence int) (int64, error) { return c.r.Seek(off, whence) }
