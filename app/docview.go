package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/vanthuso/vanthu/app/i18n"
	"github.com/vanthuso/vanthu/app/render"
	"github.com/vanthuso/vanthu/signing/verify"
)

// readerServices are what a document view drives; the main window gives
// the real ones, tests give fakes. Every function is called off the UI
// goroutine.
type readerServices struct {
	open openFunc
	// verify verifies the document at path with the current settings.
	verify func(ctx context.Context, path string) (*verify.Report, error)
	// extract writes the revision signature i signed to out.
	extract func(path string, i int, out string) error
	// revisionsDir holds extracted signed revisions.
	revisionsDir string
}

// docView is one open document: thumbnails, pages, signatures panel.
type docView struct {
	svc   *readerServices
	path  string
	title string

	src     docSource
	openErr error
	opening bool
	pages   *pageStrip
	thumbs  *pageStrip
	sigs    *signaturesPanel
	zoom    zoom

	ctx    context.Context
	cancel context.CancelFunc
	closed bool

	center  *fyne.Container
	left    *fyne.Container
	content fyne.CanvasObject

	// firstImage is set once a page image is on screen.
	firstImage bool

	// onStateChanged is called when the current page, the page count or
	// the zoom changes (the toolbar follows).
	onStateChanged func()
	// onOpenRevision opens an extracted signed revision in a new tab.
	onOpenRevision func(path, title string)
	// onError reports an error to the user.
	onError func(msg string)
	// onLoaded is called when the document has been opened (or failed)
	// and when its verification finished.
	onLoaded func()
}

// newDocView makes the view of path; call build, then load.
func newDocView(svc *readerServices, path, title string, z zoom, timeLayout string) *docView {
	if title == "" {
		title = filepath.Base(path)
	}
	v := &docView{svc: svc, path: path, title: title, zoom: z, opening: true, sigs: newSignaturesPanel(timeLayout)}
	v.ctx, v.cancel = context.WithCancel(context.Background())
	v.sigs.onViewRevision = v.onViewRevision
	v.sigs.onRecheck = v.verify
	return v
}

// build returns the view's widget tree; it may be called again after a
// language change and keeps the place in the document.
func (v *docView) build() fyne.CanvasObject {
	v.center = container.NewStack()
	v.left = container.NewStack()
	v.fillPages()
	v.content = container.NewBorder(nil, nil, v.left, v.sigs.build(), v.center)
	return v.content
}

// fillPages shows the pages, or the opening or error state.
func (v *docView) fillPages() {
	if v.center == nil {
		return
	}
	switch {
	case v.opening:
		msg := wrapLabel(i18n.T("app.doc.opening", v.title))
		msg.Alignment = fyne.TextAlignCenter
		v.center.Objects = []fyne.CanvasObject{container.NewCenter(container.NewVBox(msg, widget.NewProgressBarInfinite()))}
		v.left.Objects = nil
	case v.openErr != nil:
		msg := wrapLabel(openErrorText(v.title, v.openErr))
		v.center.Objects = []fyne.CanvasObject{container.NewPadded(container.NewVBox(
			container.NewBorder(nil, nil, widget.NewIcon(theme.NewErrorThemedResource(theme.ErrorIcon())), nil, msg)))}
		v.left.Objects = nil
	default:
		v.center.Objects = []fyne.CanvasObject{v.pages.build()}
		v.left.Objects = []fyne.CanvasObject{v.thumbs.build()}
		v.pages.relabel()
		v.thumbs.relabel()
	}
	v.center.Refresh()
	v.left.Refresh()
	if v.content != nil {
		v.content.Refresh() // the thumbnails column changed width
	}
}

// openErrorText says why a document did not open and what to do.
func openErrorText(title string, err error) string {
	switch {
	case errors.Is(err, render.ErrEncrypted):
		return i18n.T("app.doc.err.encrypted", title)
	case errors.Is(err, render.ErrInvalid):
		return i18n.T("app.doc.err.invalid", title)
	case errors.Is(err, render.ErrTimeout):
		return i18n.T("app.doc.err.timeout", title)
	}
	return i18n.T("app.doc.open-failed", title, err.Error())
}

// load opens the document and verifies its signatures, in goroutines.
func (v *docView) load() {
	go func() {
		src, err := v.svc.open(v.ctx, v.path)
		v.showSource(src, err)
	}()
	v.verify()
}

// showSource hands the opened document to the UI goroutine.
func (v *docView) showSource(src docSource, err error) {
	runOnUI(func() { v.onSourceOpened(src, err) })
}

func (v *docView) onSourceOpened(src docSource, err error) {
	if v.closed {
		if src != nil {
			go src.Close()
		}
		return
	}
	v.opening = false
	if err != nil {
		v.openErr = err
	} else {
		v.src = src
		v.pages = newPageStrip(stripPages, src, v.zoom)
		v.thumbs = newPageStrip(stripThumbs, src, zoom{})
		v.thumbs.selected = 0
		v.pages.onCurrentChanged = v.onCurrentPageChanged
		v.pages.onImageShown = v.onImageShown
		v.thumbs.onTapped = v.onThumbnailTapped
	}
	v.fillPages()
	v.changed()
	if v.onLoaded != nil {
		v.onLoaded()
	}
}

func (v *docView) onCurrentPageChanged(p int) {
	v.thumbs.setSelected(p)
	v.changed()
}

func (v *docView) onThumbnailTapped(p int) {
	v.pages.goTo(p)
}

func (v *docView) onImageShown(int) {
	if !v.firstImage {
		v.firstImage = true
		if v.onLoaded != nil {
			v.onLoaded()
		}
	}
}

func (v *docView) changed() {
	if v.onStateChanged != nil {
		v.onStateChanged()
	}
}

// verify runs the verifier in a goroutine.
func (v *docView) verify() {
	v.sigs.showChecking()
	go func() {
		rep, err := v.svc.verify(v.ctx, v.path)
		v.showReport(rep, err)
	}()
}

// showReport hands a verification result to the UI goroutine.
func (v *docView) showReport(rep *verify.Report, err error) {
	runOnUI(func() {
		if v.closed {
			return
		}
		v.sigs.showReport(rep, err)
		if v.onLoaded != nil {
			v.onLoaded()
		}
	})
}

// onViewRevision extracts the revision signature i signed and opens it.
func (v *docView) onViewRevision(i int) {
	out := revisionPath(v.svc.revisionsDir, v.path, i)
	title := i18n.T("app.doc.revision-title", strings.TrimSuffix(filepath.Base(v.path), filepath.Ext(v.path)), i+1)
	go func() {
		err := os.MkdirAll(filepath.Dir(out), 0o700)
		if err == nil {
			err = v.svc.extract(v.path, i, out)
		}
		v.showExtracted(out, title, err)
	}()
}

// showExtracted opens an extracted revision, or says why there is none.
func (v *docView) showExtracted(out, title string, err error) {
	runOnUI(func() {
		if err != nil {
			if v.onError != nil {
				v.onError(i18n.T("app.err.extract", err.Error()))
			}
			return
		}
		if v.onOpenRevision != nil {
			v.onOpenRevision(out, title)
		}
	})
}

// revisionPath names the file a signed revision is extracted to: unique
// per document path and signature, so reopening reuses it.
func revisionPath(dir, path string, i int) string {
	if dir == "" {
		dir = os.TempDir()
	}
	abs, _ := filepath.Abs(path)
	h := sha256.Sum256([]byte(abs))
	base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	return filepath.Join(dir, fmt.Sprintf("%s-%s-sig%d.pdf", base, hex.EncodeToString(h[:4]), i+1))
}

// close stops the view's work and releases the document.
func (v *docView) close() {
	v.closed = true
	v.cancel()
	if v.pages != nil {
		v.pages.close()
		v.thumbs.close()
	}
	if v.src != nil {
		src := v.src
		go src.Close()
	}
}

// Reader state and actions for the toolbar and keyboard.

func (v *docView) ready() bool { return v.pages != nil }

func (v *docView) numPages() int {
	if !v.ready() {
		return 0
	}
	return v.pages.n
}

func (v *docView) currentPage() int {
	if !v.ready() {
		return 0
	}
	return v.pages.current
}

func (v *docView) goTo(p int) {
	if v.ready() {
		v.pages.goTo(p)
	}
}

func (v *docView) setZoom(z zoom) {
	v.zoom = z
	if v.ready() {
		v.pages.setZoom(z)
		v.changed()
	}
}

func (v *docView) zoomStep(dir int) {
	if v.ready() {
		v.pages.zoomStep(dir)
		v.zoom = v.pages.zoom
		v.changed()
	}
}

func (v *docView) scrollBy(dy float32) {
	if v.ready() {
		v.pages.scrollBy(dy)
	}
}

// zoomPercent is the effective zoom in percent.
func (v *docView) zoomPercent() float32 {
	if !v.ready() {
		return 100
	}
	return v.pages.percent()
}
