package app

import (
	"context"
	"errors"
	"image"
	"image/color"
	"math"
	"runtime"
	"sort"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/vanthuso/vanthu/app/i18n"
)

// stripKind says whether a pageStrip shows the pages or the thumbnails.
type stripKind int

const (
	stripPages stripKind = iota
	stripThumbs
)

// zoomMode is how the page scale is chosen.
type zoomMode int

const (
	zoomFitWidth zoomMode = iota
	zoomFitPage
	zoomPercent
)

// zoom is the reader's zoom: a fit mode, or a percentage of the real size.
type zoom struct {
	mode    zoomMode
	percent float32 // for zoomPercent
}

// Geometry of the strips, in Fyne units.
const (
	pageGap         = 12
	thumbWidth      = 112
	thumbCaption    = 22
	pointsToUnits   = 96.0 / 72.0 // 100% shows a page at its printed size
	minZoomPercent  = 10
	maxZoomPercent  = 800
	maxRenderWidth  = 3000 // device pixels; wider pages are stretched
	pagesCacheBytes = 96 << 20
	thumbCacheBytes = 16 << 20
	// Pages kept bound to a widget beyond the visible ones, and pages
	// whose rendering survives scrolling away.
	bindMargin = 1
	keepMargin = 3
)

// renderWorkers bounds the renders one strip runs at once: one CPU is
// left to the UI goroutine, so that input never waits behind rendering.
func renderWorkers() int {
	return max(1, runtime.GOMAXPROCS(0)-1)
}

// zoomSteps are the percentages Ctrl+plus and Ctrl+minus step through.
var zoomSteps = []float32{10, 25, 33, 50, 67, 75, 100, 125, 150, 200, 300, 400, 600, 800}

// pageStrip is a virtual vertical list of a document's pages. Only the
// pages near the viewport have a widget; only they are rendered, in
// goroutines, at the width they are shown; renders of pages scrolled far
// away are cancelled. Everything but the render goroutines runs on the UI
// goroutine, so per scroll step the UI does a binary search and moves a
// handful of widgets.
type pageStrip struct {
	kind stripKind
	src  pageSource
	n    int

	sizes      []fyne.Size // in points
	maxW, maxH float32     // in points

	zoom        zoom
	scale       float32   // units per point
	tops        []float32 // tops[i] is page i's top edge; tops[n] the content height
	viewport    fyne.Size
	canvasScale float32 // device pixels per unit

	scroll  *container.Scroll
	content *fyne.Container
	root    *fyne.Container

	slots   map[int]*pageSlot // bound page -> widget
	free    []*pageSlot
	cache   *imageCache
	jobs    map[int]*renderJob
	failed  map[int]error
	sem     chan struct{}
	ctx     context.Context
	cancel  context.CancelFunc
	closed  bool
	current int
	// selected is the highlighted thumbnail (thumbnails only).
	selected    int
	pendingPage int     // page to show once the strip has a size; -1 none
	pendingFrac float32 // and how far into it
	first, last int     // visible pages; last < first when none

	// onCurrentChanged is called when the page at the reading line changes.
	onCurrentChanged func(page int)
	// onTapped is called when a page is tapped (thumbnails).
	onTapped func(page int)
	// onImageShown is called after a rendered image is put on screen.
	onImageShown func(page int)
}

// renderJob is one render in flight.
type renderJob struct {
	width  int
	cancel context.CancelFunc
}

// newPageStrip makes the strip for src; call build for its widget.
func newPageStrip(kind stripKind, src pageSource, z zoom) *pageStrip {
	s := &pageStrip{
		kind: kind, src: src, n: src.NumPages(), zoom: z,
		canvasScale: 1, slots: map[int]*pageSlot{}, jobs: map[int]*renderJob{},
		failed: map[int]error{}, sem: make(chan struct{}, renderWorkers()),
		current: 0, selected: -1, pendingPage: -1, first: 0, last: -1,
	}
	budget := int64(pagesCacheBytes)
	if kind == stripThumbs {
		budget = thumbCacheBytes
	}
	s.cache = newImageCache(budget)
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.sizes = make([]fyne.Size, s.n)
	for i := range s.sizes {
		w, h := src.PageSize(i)
		if w <= 0 || h <= 0 {
			w, h = 595, 842
		}
		s.sizes[i] = fyne.NewSize(float32(w), float32(h))
		s.maxW = max(s.maxW, float32(w))
		s.maxH = max(s.maxH, float32(h))
	}
	if s.n == 0 {
		s.maxW, s.maxH = 595, 842
	}
	s.computeGeometry()
	return s
}

// build returns the strip's widget tree.
func (s *pageStrip) build() fyne.CanvasObject {
	if s.scroll != nil && s.pendingPage < 0 {
		// Rebuilt (language change): keep the place.
		s.pendingAnchor(s.anchor())
		s.viewport = fyne.Size{}
	}
	s.content = container.New(&stripLayout{s})
	s.scroll = container.NewScroll(s.content)
	if s.kind == stripThumbs {
		s.scroll.Direction = container.ScrollVerticalOnly
	}
	s.scroll.OnScrolled = s.onScrolled
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))
	s.root = container.New(&viewportLayout{s}, bg, s.scroll)
	// Widgets from an earlier build belong to the old tree.
	s.slots, s.free = map[int]*pageSlot{}, nil
	return s.root
}

// close cancels every render; the strip shows nothing new afterwards.
func (s *pageStrip) close() {
	s.closed = true
	s.cancel()
}

// computeGeometry derives the scale and the page positions from the zoom
// and the viewport.
func (s *pageStrip) computeGeometry() {
	s.scale = s.scaleFor(s.zoom)
	s.tops = make([]float32, s.n+1)
	y := float32(pageGap)
	for i, sz := range s.sizes {
		s.tops[i] = y
		y += sz.Height*s.scale + s.captionHeight() + pageGap
	}
	s.tops[s.n] = y
}

func (s *pageStrip) captionHeight() float32 {
	if s.kind == stripThumbs {
		return thumbCaption
	}
	return 0
}

// scaleFor returns the units per point of z in the current viewport.
func (s *pageStrip) scaleFor(z zoom) float32 {
	if s.kind == stripThumbs {
		return thumbWidth / s.maxW
	}
	var sc float32
	switch z.mode {
	case zoomPercent:
		sc = z.percent / 100 * pointsToUnits
	case zoomFitWidth, zoomFitPage:
		if s.viewport.Width <= 0 {
			sc = pointsToUnits
			break
		}
		sc = (s.viewport.Width - 2*pageGap - theme.ScrollBarSize()) / s.maxW
		if z.mode == zoomFitPage && s.viewport.Height > 0 {
			sc = min(sc, (s.viewport.Height-2*pageGap)/s.maxH)
		}
	}
	return clamp(sc, minZoomPercent/100*pointsToUnits, maxZoomPercent/100*pointsToUnits)
}

// percent returns the zoom as shown to the user.
func (s *pageStrip) percent() float32 {
	return s.scale / pointsToUnits * 100
}

// pageRect returns where page i is drawn in content coordinates (the
// caption of a thumbnail excluded).
func (s *pageStrip) pageRect(i int, contentW float32) (fyne.Position, fyne.Size) {
	sz := fyne.NewSize(float32(math.Round(float64(s.sizes[i].Width*s.scale))), float32(math.Round(float64(s.sizes[i].Height*s.scale))))
	x := float32(math.Round(float64((contentW - sz.Width) / 2)))
	return fyne.NewPos(max(x, pageGap), s.tops[i]), sz
}

// contentMinSize is the size of all pages laid out.
func (s *pageStrip) contentMinSize() fyne.Size {
	return fyne.NewSize(s.maxW*s.scale+2*pageGap, s.tops[s.n])
}

// renderWidth is the width in device pixels page i is rendered at.
func (s *pageStrip) renderWidth(i int) int {
	w := int(math.Ceil(float64(s.sizes[i].Width * s.scale * s.canvasScale)))
	w = (w + 7) &^ 7 // fewer distinct widths, more cache hits
	return max(8, min(w, maxRenderWidth))
}

// onViewportResized is called (from layout) when the strip's area changes.
func (s *pageStrip) onViewportResized(size fyne.Size) {
	if size == s.viewport {
		return
	}
	anchor, frac := s.anchor()
	s.viewport = size
	if c := fyne.CurrentApp().Driver().CanvasForObject(s.root); c != nil && c.Scale() > 0 {
		s.canvasScale = c.Scale()
	}
	if s.kind == stripPages && s.zoom.mode != zoomPercent {
		s.computeGeometry()
		if s.pendingPage < 0 {
			s.pendingAnchor(anchor, frac)
		}
	}
}

// afterViewportLayout runs once the scroll has its new size.
func (s *pageStrip) afterViewportLayout() {
	if s.pendingPage >= 0 && s.viewport.Height > 0 {
		p := s.pendingPage
		s.pendingPage = -1
		s.scrollToY(s.itemTop(p) + s.pendingFrac*s.itemHeight(p))
		s.pendingFrac = 0
		return
	}
	s.updateVisible()
}

// anchor returns the page at the reading line and how far into it the
// viewport's top is, to keep the place across zoom changes.
func (s *pageStrip) anchor() (int, float32) {
	if s.scroll == nil || s.n == 0 {
		return 0, 0
	}
	y := s.scroll.Offset.Y
	i := s.pageAt(y)
	h := s.itemHeight(i)
	if h <= 0 {
		return i, 0
	}
	return i, clamp((y-s.itemTop(i))/h, 0, 1)
}

// itemTop is where page i's item starts: the gap above the page.
func (s *pageStrip) itemTop(i int) float32 {
	return s.tops[i] - pageGap
}

func (s *pageStrip) pendingAnchor(page int, frac float32) {
	s.pendingPage, s.pendingFrac = page, frac
}

func (s *pageStrip) itemHeight(i int) float32 {
	if i < 0 || i >= s.n {
		return 0
	}
	return s.tops[i+1] - s.tops[i]
}

// pageAt returns the page whose slot (gap below included) holds y.
func (s *pageStrip) pageAt(y float32) int {
	if s.n == 0 {
		return 0
	}
	i := sort.Search(s.n, func(i int) bool { return s.tops[i+1] > y })
	return min(i, s.n-1)
}

// onScrolled is the scroll container's callback.
func (s *pageStrip) onScrolled(fyne.Position) {
	s.updateVisible()
}

// updateVisible binds widgets to the pages near the viewport, asks for
// their images and cancels renders of pages that left.
func (s *pageStrip) updateVisible() {
	if s.scroll == nil || s.closed || s.n == 0 || s.viewport.Height <= 0 {
		return
	}
	y0 := s.scroll.Offset.Y
	y1 := y0 + s.scroll.Size().Height
	first := min(s.n-1, sort.Search(s.n, func(i int) bool { return s.tops[i+1]-pageGap > y0 }))
	last := max(first, sort.Search(s.n, func(i int) bool { return s.tops[i] >= y1 })-1)
	s.first, s.last = first, last
	lo, hi := max(0, first-bindMargin), min(s.n-1, last+bindMargin)
	var gone []int
	for p := range s.slots {
		if p < lo || p > hi {
			gone = append(gone, p)
		}
	}
	sort.Ints(gone) // the same widgets for the same scrolling, every time
	for _, p := range gone {
		s.unbind(p, s.slots[p])
	}
	for p, j := range s.jobs {
		if p < first-keepMargin || p > last+keepMargin {
			j.cancel()
			delete(s.jobs, p)
		}
	}
	// Visible pages first, then the margins.
	for p := first; p <= last; p++ {
		s.bind(p)
	}
	for p := lo; p < first; p++ {
		s.bind(p)
	}
	for p := last + 1; p <= hi; p++ {
		s.bind(p)
	}
	if s.kind == stripPages {
		cur := s.pageAt(y0 + s.scroll.Size().Height*0.3)
		if maxY := s.tops[s.n] - s.scroll.Size().Height; y0 >= maxY-1 && maxY > 0 {
			cur = last
		}
		if cur != s.current {
			s.current = cur
			if s.onCurrentChanged != nil {
				s.onCurrentChanged(cur)
			}
		}
	}
}

// bind shows page p in a widget, with the best image at hand, and asks for
// the right one.
func (s *pageStrip) bind(p int) {
	sl, ok := s.slots[p]
	if !ok {
		sl = s.takeSlot()
		s.slots[p] = sl
		sl.setPage(p)
	}
	pos, size := s.pageRect(p, s.content.Size().Width)
	sl.Move(pos)
	sl.Resize(fyne.NewSize(size.Width, size.Height+s.captionHeight()))
	sl.setSelected(p == s.selected)
	if err, bad := s.failed[p]; bad {
		sl.showError(err)
		return
	}
	w := s.renderWidth(p)
	if img, ok := s.cache.get(p, w); ok {
		sl.setImage(img, w)
		return
	}
	if sl.shownWidth != w {
		if img, cw, ok := s.cache.closest(p, w); ok && cw != sl.shownWidth {
			sl.setImage(img, cw)
		}
	}
	s.request(p, w)
}

func (s *pageStrip) unbind(p int, sl *pageSlot) {
	delete(s.slots, p)
	sl.Hide()
	sl.setPage(-1)
	s.free = append(s.free, sl)
}

func (s *pageStrip) takeSlot() *pageSlot {
	if n := len(s.free); n > 0 {
		sl := s.free[n-1]
		s.free = s.free[:n-1]
		sl.Show()
		return sl
	}
	sl := newPageSlot(s)
	s.content.Add(sl)
	return sl
}

// request starts rendering page p at width w unless it is under way.
func (s *pageStrip) request(p, w int) {
	if j, ok := s.jobs[p]; ok {
		if j.width == w {
			return
		}
		j.cancel()
	}
	ctx, cancel := context.WithCancel(s.ctx)
	j := &renderJob{width: w, cancel: cancel}
	s.jobs[p] = j
	go s.render(ctx, j, p, w)
}

// render runs in a goroutine.
func (s *pageStrip) render(ctx context.Context, j *renderJob, p, w int) {
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		s.showRendered(j, p, w, nil, ctx.Err())
		return
	}
	img, err := s.src.Render(ctx, p, w)
	<-s.sem
	if err == nil && img == nil {
		err = errNoRenderer
	}
	s.showRendered(j, p, w, img, err)
}

// showRendered hands a render's result to the UI goroutine.
func (s *pageStrip) showRendered(j *renderJob, p, w int, img image.Image, err error) {
	runOnUI(func() { s.onRendered(j, p, w, img, err) })
}

// onRendered puts a rendered image in the cache and on screen.
func (s *pageStrip) onRendered(j *renderJob, p, w int, img image.Image, err error) {
	j.cancel()
	if s.jobs[p] == j {
		delete(s.jobs, p)
	}
	if s.closed {
		return
	}
	if err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return
		}
		s.failed[p] = err
		if sl, ok := s.slots[p]; ok {
			sl.showError(err)
		}
		return
	}
	s.cache.put(p, w, img)
	sl, ok := s.slots[p]
	if !ok {
		return
	}
	want := s.renderWidth(p)
	if w == want || absInt(w-want) < absInt(sl.shownWidth-want) {
		sl.setImage(img, w)
		if s.onImageShown != nil {
			s.onImageShown(p)
		}
	}
}

// setZoom changes the zoom and keeps the page at the top of the viewport.
func (s *pageStrip) setZoom(z zoom) {
	if z.mode == zoomPercent {
		z.percent = clamp(z.percent, minZoomPercent, maxZoomPercent)
	}
	anchor, frac := s.anchor()
	oldScale := s.scale
	s.zoom = z
	s.computeGeometry()
	if s.scroll == nil || s.scale == oldScale {
		return
	}
	x := s.scroll.Offset.X
	if vw := s.scroll.Size().Width; vw > 0 {
		x = max(0, (x+vw/2)*s.scale/oldScale-vw/2)
	}
	s.scroll.Refresh()
	s.scroll.ScrollToOffset(fyne.NewPos(x, s.scroll.Offset.Y))
	s.scrollToY(s.itemTop(anchor) + frac*s.itemHeight(anchor))
}

// zoomStep zooms in (dir > 0) or out to the next step.
func (s *pageStrip) zoomStep(dir int) {
	cur := s.percent()
	next := cur
	if dir > 0 {
		next = maxZoomPercent
		for _, p := range zoomSteps {
			if p > cur+0.5 {
				next = p
				break
			}
		}
	} else {
		next = minZoomPercent
		for i := len(zoomSteps) - 1; i >= 0; i-- {
			if zoomSteps[i] < cur-0.5 {
				next = zoomSteps[i]
				break
			}
		}
	}
	s.setZoom(zoom{mode: zoomPercent, percent: next})
}

// goTo scrolls so that page p is at the top.
func (s *pageStrip) goTo(p int) {
	if s.n == 0 {
		return
	}
	p = max(0, min(p, s.n-1))
	if s.scroll == nil || s.viewport.Height <= 0 || s.scroll.Size().Height <= 0 {
		s.pendingAnchor(p, 0)
		return
	}
	s.scrollToY(s.itemTop(p))
}

// ensureVisible scrolls as little as needed to show page p entirely.
func (s *pageStrip) ensureVisible(p int) {
	if s.scroll == nil || p < 0 || p >= s.n {
		return
	}
	y := s.scroll.Offset.Y
	vh := s.scroll.Size().Height
	top, bottom := s.tops[p]-pageGap/2, s.tops[p+1]-pageGap/2
	switch {
	case top < y:
		s.scrollToY(top)
	case bottom > y+vh:
		s.scrollToY(bottom - vh)
	}
}

func (s *pageStrip) scrollToY(y float32) {
	maxY := max(0, s.tops[s.n]-s.scroll.Size().Height)
	s.scroll.ScrollToOffset(fyne.NewPos(s.scroll.Offset.X, clamp(y, 0, maxY)))
	s.updateVisible()
}

// scrollBy scrolls by dy units (positive goes down the document).
func (s *pageStrip) scrollBy(dy float32) {
	if s.scroll == nil {
		return
	}
	s.scrollToY(s.scroll.Offset.Y + dy)
}

// setSelected highlights the thumbnail of page p.
func (s *pageStrip) setSelected(p int) {
	if s.selected == p {
		return
	}
	if sl, ok := s.slots[s.selected]; ok {
		sl.setSelected(false)
	}
	s.selected = p
	if sl, ok := s.slots[p]; ok {
		sl.setSelected(true)
	}
	s.ensureVisible(p)
}

// relabel refreshes the texts after a language change.
func (s *pageStrip) relabel() {
	for p, sl := range s.slots {
		sl.setPage(p)
	}
}

// stripLayout places the bound page widgets in the scrolled content.
type stripLayout struct{ s *pageStrip }

func (l *stripLayout) Layout(_ []fyne.CanvasObject, size fyne.Size) {
	s := l.s
	for p, sl := range s.slots {
		pos, sz := s.pageRect(p, size.Width)
		sl.Move(pos)
		sl.Resize(fyne.NewSize(sz.Width, sz.Height+s.captionHeight()))
	}
}

func (l *stripLayout) MinSize([]fyne.CanvasObject) fyne.Size {
	return l.s.contentMinSize()
}

// viewportLayout fills the strip's area and tells the strip its size.
type viewportLayout struct{ s *pageStrip }

func (l *viewportLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	l.s.onViewportResized(size)
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
	l.s.afterViewportLayout()
}

func (l *viewportLayout) MinSize([]fyne.CanvasObject) fyne.Size {
	if l.s.kind == stripThumbs {
		return fyne.NewSize(thumbWidth+2*pageGap+theme.ScrollBarSize(), 100)
	}
	return fyne.NewSize(200, 200)
}

// paperColor is the colour of a page before it is drawn, whatever the theme.
var paperColor = color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff}

// pageSlot shows one page (or thumbnail): its paper, its image once
// rendered, a placeholder or error text, and for thumbnails the page
// number and the highlight of the current page.
type pageSlot struct {
	widget.BaseWidget
	strip      *pageStrip
	page       int
	shownImage image.Image
	shownWidth int
	message    string // placeholder or error
	failed     bool
	selected   bool

	paper     *canvas.Rectangle
	img       *canvas.Image
	text      *canvas.Text
	caption   *canvas.Text
	highlight *canvas.Rectangle
}

func newPageSlot(s *pageStrip) *pageSlot {
	sl := &pageSlot{strip: s, page: -1}
	sl.paper = canvas.NewRectangle(paperColor)
	sl.paper.StrokeWidth = 1
	sl.img = canvas.NewImageFromImage(nil)
	sl.img.FillMode = canvas.ImageFillStretch
	sl.img.ScaleMode = canvas.ImageScaleSmooth
	sl.text = canvas.NewText("", color.NRGBA{R: 0x70, G: 0x70, B: 0x70, A: 0xff})
	sl.text.Alignment = fyne.TextAlignCenter
	sl.caption = canvas.NewText("", theme.Color(theme.ColorNameForeground))
	sl.caption.Alignment = fyne.TextAlignCenter
	sl.caption.TextSize = theme.CaptionTextSize()
	sl.highlight = canvas.NewRectangle(color.Transparent)
	sl.highlight.StrokeWidth = 3
	sl.ExtendBaseWidget(sl)
	return sl
}

// setPage shows the placeholder of page p (or nothing for -1).
func (sl *pageSlot) setPage(p int) {
	sl.page = p
	sl.shownImage, sl.shownWidth, sl.failed = nil, 0, false
	sl.img.Image = nil
	sl.message = ""
	if p >= 0 {
		sl.message = i18n.T("app.page.loading", p+1)
	}
	sl.Refresh()
}

// setImage shows img, rendered w pixels wide.
func (sl *pageSlot) setImage(img image.Image, w int) {
	if sl.shownImage == img {
		return
	}
	sl.shownImage, sl.shownWidth, sl.failed = img, w, false
	sl.img.Image = img
	sl.message = ""
	sl.Refresh()
}

// showError says why the page cannot be shown.
func (sl *pageSlot) showError(err error) {
	if sl.failed {
		return
	}
	sl.failed = true
	sl.shownImage, sl.img.Image = nil, nil
	if errors.Is(err, errNoRenderer) {
		sl.message = i18n.T("app.page.no-renderer", sl.page+1)
	} else {
		sl.message = i18n.T("app.page.error", sl.page+1)
	}
	sl.Refresh()
}

func (sl *pageSlot) setSelected(b bool) {
	if sl.selected == b {
		return
	}
	sl.selected = b
	sl.Refresh()
}

// Tapped implements fyne.Tappable: thumbnails navigate.
func (sl *pageSlot) Tapped(*fyne.PointEvent) {
	if sl.page >= 0 && sl.strip.onTapped != nil {
		sl.strip.onTapped(sl.page)
	}
}

// CreateRenderer implements fyne.Widget.
func (sl *pageSlot) CreateRenderer() fyne.WidgetRenderer {
	objs := []fyne.CanvasObject{sl.paper, sl.img, sl.text}
	if sl.strip.kind == stripThumbs {
		objs = append(objs, sl.caption, sl.highlight)
	}
	return &pageSlotRenderer{sl: sl, objs: objs}
}

type pageSlotRenderer struct {
	sl   *pageSlot
	objs []fyne.CanvasObject
}

func (r *pageSlotRenderer) Layout(size fyne.Size) {
	sl := r.sl
	pageSize := fyne.NewSize(size.Width, size.Height-sl.strip.captionHeight())
	sl.paper.Resize(pageSize)
	sl.img.Resize(pageSize)
	ts := sl.text.MinSize()
	sl.text.Move(fyne.NewPos(0, (pageSize.Height-ts.Height)/2))
	sl.text.Resize(fyne.NewSize(pageSize.Width, ts.Height))
	if sl.strip.kind == stripThumbs {
		sl.caption.Move(fyne.NewPos(0, pageSize.Height+2))
		sl.caption.Resize(fyne.NewSize(pageSize.Width, thumbCaption-2))
		sl.highlight.Move(fyne.NewPos(-3, -3))
		sl.highlight.Resize(pageSize.AddWidthHeight(6, 6))
	}
}

func (r *pageSlotRenderer) MinSize() fyne.Size { return fyne.NewSize(8, 8) }

func (r *pageSlotRenderer) Refresh() {
	sl := r.sl
	sl.paper.StrokeColor = theme.Color(theme.ColorNameShadow)
	sl.text.Text = sl.message
	if sl.strip.kind == stripPages {
		sl.text.TextSize = theme.TextSize()
	} else {
		sl.text.TextSize = theme.CaptionTextSize()
		if sl.message != "" && !sl.failed {
			sl.text.Text = "" // a thumbnail's number is its caption
		}
	}
	if sl.page >= 0 {
		sl.caption.Text = i18n.T("app.thumb.caption", sl.page+1)
	}
	sl.caption.Color = theme.Color(theme.ColorNameForeground)
	if sl.selected {
		sl.highlight.StrokeColor = theme.Color(theme.ColorNamePrimary)
	} else {
		sl.highlight.StrokeColor = color.Transparent
	}
	r.Layout(sl.Size())
	for _, o := range r.objs {
		o.Refresh()
	}
}

func (r *pageSlotRenderer) Objects() []fyne.CanvasObject { return r.objs }

func (r *pageSlotRenderer) Destroy() {}

func clamp(v, lo, hi float32) float32 {
	return max(lo, min(v, hi))
}
