package signui

import (
	"image"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Box identifiers on the page preview.
const (
	boxSignature = "signature" // the signature's appearance (the seal for issue)
	boxNumber    = "number"    // issue: the number mark
	boxDate      = "date"      // issue: the date mark
	boxExtra     = "extra"     // other marks stamp laid out (not movable)
)

// placedBox is a rectangle drawn over the page preview, in displayed
// page points.
type placedBox struct {
	id      string
	label   string
	r       dispRect
	movable bool
}

// minBoxPt is the smallest box a drag draws; a shorter drag is a click.
const minBoxPt = 12

// pagePlacer shows one page with the signature's boxes over it. A click
// puts the signature box there, a drag from outside the boxes draws it,
// a drag from inside a movable box moves that box. It reports every
// finished change through onPlaced, in displayed page points.
type pagePlacer struct {
	widget.BaseWidget

	maxW, maxH float32 // the size the page is fitted into
	pw, ph     float64 // displayed page size in points; 0 before a page is set
	page       image.Image
	ink        image.Image // the rendered appearances, transparent elsewhere
	boxes      []placedBox
	onTapped   func(x, y float64)
	onPlaced   func(b placedBox)

	dragging bool
	dragBox  int // index in boxes; -1 for a box being drawn
	dragFrom fyne.Position
	dragOrig dispRect
	drawn    dispRect
}

func newPagePlacer(maxW, maxH float32) *pagePlacer {
	p := &pagePlacer{maxW: maxW, maxH: maxH}
	p.ExtendBaseWidget(p)
	return p
}

// setPage shows a page of the given displayed size; img may be nil (a
// blank page of that size).
func (p *pagePlacer) setPage(w, h float64, img image.Image) {
	p.pw, p.ph, p.page, p.ink = w, h, img, nil
	p.Refresh()
}

// setInk lays the rendered appearances over the page (nil: none).
func (p *pagePlacer) setInk(img image.Image) {
	p.ink = img
	p.Refresh()
}

// setBoxes replaces the boxes drawn over the page.
func (p *pagePlacer) setBoxes(boxes []placedBox) {
	if p.dragging {
		return // the user's drag wins; the caller hears about it at its end
	}
	p.boxes = boxes
	p.Refresh()
}

// scale returns points-to-pixels and the page's offset in the widget.
func (p *pagePlacer) scale() (s float32, off fyne.Position) {
	if p.pw <= 0 || p.ph <= 0 {
		return 1, fyne.Position{}
	}
	size := p.Size()
	s = min(size.Width/float32(p.pw), size.Height/float32(p.ph))
	off = fyne.NewPos((size.Width-s*float32(p.pw))/2, (size.Height-s*float32(p.ph))/2)
	return s, off
}

// toPoints maps a position in the widget to displayed page points.
func (p *pagePlacer) toPoints(pos fyne.Position) (x, y float64) {
	s, off := p.scale()
	return float64((pos.X - off.X) / s), float64((pos.Y - off.Y) / s)
}

// Tapped implements fyne.Tappable: the signature box goes there.
func (p *pagePlacer) Tapped(ev *fyne.PointEvent) {
	if p.pw <= 0 || p.onTapped == nil {
		return
	}
	x, y := p.toPoints(ev.Position)
	if x < 0 || y < 0 || x > p.pw || y > p.ph {
		return
	}
	p.onTapped(x, y)
}

// Dragged implements fyne.Draggable.
func (p *pagePlacer) Dragged(ev *fyne.DragEvent) {
	if p.pw <= 0 {
		return
	}
	if !p.dragging {
		p.dragging = true
		p.dragFrom = ev.Position.Subtract(ev.Dragged)
		fx, fy := p.toPoints(p.dragFrom)
		p.dragBox = -1
		for i := len(p.boxes) - 1; i >= 0; i-- {
			b := p.boxes[i]
			if b.movable && fx >= b.r.x && fx <= b.r.x+b.r.w && fy >= b.r.y && fy <= b.r.y+b.r.h {
				p.dragBox, p.dragOrig = i, b.r
				break
			}
		}
	}
	fx, fy := p.toPoints(p.dragFrom)
	x, y := p.toPoints(ev.Position)
	if p.dragBox >= 0 {
		r := p.dragOrig
		r.x += x - fx
		r.y += y - fy
		p.boxes[p.dragBox].r = clampTo(r, p.pw, p.ph)
		p.ink = nil // the rendered marks no longer stand where the box is
	} else {
		p.drawn = clampTo(dispRect{x: min(fx, x), y: min(fy, y), w: abs(x - fx), h: abs(y - fy)}, p.pw, p.ph)
	}
	p.Refresh()
}

// DragEnd implements fyne.Draggable.
func (p *pagePlacer) DragEnd() {
	if !p.dragging {
		return
	}
	p.dragging = false
	i := p.dragBox
	switch {
	case i >= 0:
		if p.onPlaced != nil {
			p.onPlaced(p.boxes[i])
		}
	case p.drawn.w < minBoxPt || p.drawn.h < minBoxPt:
		if p.onTapped != nil {
			p.onTapped(p.drawn.x+p.drawn.w/2, p.drawn.y+p.drawn.h/2)
		}
	default:
		if p.onPlaced != nil {
			p.onPlaced(placedBox{id: boxSignature, r: p.drawn, movable: true})
		}
	}
	p.drawn = dispRect{}
	p.Refresh()
}

func clampTo(d dispRect, w, h float64) dispRect {
	d.w, d.h = min(d.w, w), min(d.h, h)
	d.x = max(0, min(d.x, w-d.w))
	d.y = max(0, min(d.y, h-d.h))
	return d
}

// MinSize fits the page into maxW×maxH, keeping its proportions.
func (p *pagePlacer) MinSize() fyne.Size {
	if p.pw <= 0 || p.ph <= 0 {
		return fyne.NewSize(p.maxW, p.maxH)
	}
	s := min(p.maxW/float32(p.pw), p.maxH/float32(p.ph))
	return fyne.NewSize(s*float32(p.pw), s*float32(p.ph))
}

// CreateRenderer implements fyne.Widget.
func (p *pagePlacer) CreateRenderer() fyne.WidgetRenderer {
	r := &placerRenderer{p: p,
		paper: canvas.NewRectangle(color.White),
		page:  &canvas.Image{FillMode: canvas.ImageFillStretch, ScaleMode: canvas.ImageScaleSmooth},
		ink:   &canvas.Image{FillMode: canvas.ImageFillStretch, ScaleMode: canvas.ImageScaleSmooth},
		drawn: canvas.NewRectangle(color.Transparent),
	}
	r.paper.StrokeColor = color.Gray{Y: 0x99}
	r.paper.StrokeWidth = 1
	r.drawn.StrokeWidth = 2
	r.Refresh()
	return r
}

type placerRenderer struct {
	p      *pagePlacer
	paper  *canvas.Rectangle
	page   *canvas.Image
	ink    *canvas.Image
	drawn  *canvas.Rectangle
	rects  []*canvas.Rectangle
	labels []*canvas.Text
}

func (r *placerRenderer) Destroy() {}

func (r *placerRenderer) MinSize() fyne.Size { return r.p.MinSize() }

func (r *placerRenderer) Objects() []fyne.CanvasObject {
	objs := []fyne.CanvasObject{r.paper, r.page, r.ink}
	for i := range r.rects {
		objs = append(objs, r.rects[i], r.labels[i])
	}
	return append(objs, r.drawn)
}

func (r *placerRenderer) Layout(size fyne.Size) {
	p := r.p
	s, off := p.scale()
	pageSize := fyne.NewSize(s*float32(p.pw), s*float32(p.ph))
	for _, o := range []fyne.CanvasObject{r.paper, r.page, r.ink} {
		o.Move(off)
		o.Resize(pageSize)
	}
	place := func(o *canvas.Rectangle, d dispRect) {
		o.Move(off.Add(fyne.NewPos(s*float32(d.x), s*float32(d.y))))
		o.Resize(fyne.NewSize(s*float32(d.w), s*float32(d.h)))
		if s*float32(d.w) < 2 || s*float32(d.h) < 2 {
			o.Hide() // nothing to show, and painters dislike empty strokes
		}
	}
	for i, b := range p.boxes {
		if i >= len(r.rects) {
			break
		}
		place(r.rects[i], b.r)
		r.labels[i].Move(off.Add(fyne.NewPos(s*float32(b.r.x), s*float32(b.r.y)-r.labels[i].MinSize().Height)))
		r.labels[i].Resize(r.labels[i].MinSize())
	}
	r.drawn.Hidden = !p.dragging || p.dragBox >= 0
	place(r.drawn, p.drawn)
}

func (r *placerRenderer) Refresh() {
	p := r.p
	r.page.Image = p.page
	r.page.Hidden = p.page == nil
	r.ink.Image = p.ink
	r.ink.Hidden = p.ink == nil
	r.paper.Hidden = p.pw <= 0
	for len(r.rects) < len(p.boxes) {
		rect := canvas.NewRectangle(color.Transparent)
		rect.StrokeWidth = 2
		text := canvas.NewText("", theme.Color(theme.ColorNamePrimary))
		text.TextSize = theme.CaptionTextSize()
		r.rects = append(r.rects, rect)
		r.labels = append(r.labels, text)
	}
	r.rects, r.labels = r.rects[:len(p.boxes)], r.labels[:len(p.boxes)]
	for i, b := range p.boxes {
		r.rects[i].Show()
		c := theme.Color(theme.ColorNamePrimary)
		if !b.movable {
			c = theme.Color(theme.ColorNameDisabled)
		}
		r.rects[i].StrokeColor = c
		r.rects[i].FillColor = translucent(c)
		if p.ink != nil {
			r.rects[i].FillColor = color.Transparent
		}
		r.labels[i].Text = b.label
		r.labels[i].Color = c
		r.rects[i].Refresh()
		r.labels[i].Refresh()
	}
	r.drawn.StrokeColor = theme.Color(theme.ColorNamePrimary)
	r.Layout(p.Size())
	r.paper.Refresh()
	r.page.Refresh()
	r.ink.Refresh()
	r.drawn.Refresh()
}

func translucent(c color.Color) color.Color {
	r, g, b, _ := c.RGBA()
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: 0x30}
}
