package signui

import (
	"github.com/vanthuso/vanthu/signing/pdf"
)

// pageView maps between a page's default user space (PDF points,
// unrotated, origin bottom-left: where annotation rectangles live) and the
// page as displayed (points, after /Rotate, from the crop box, origin
// top-left, y down: how the preview shows it).
type pageView struct {
	g pdf.PageGeometry
	v pdf.Rect // visible area in user space
}

func newPageView(g pdf.PageGeometry) pageView {
	return pageView{g: g, v: g.Visible().Normalize()}
}

// size is the displayed page size in points.
func (p pageView) size() (w, h float64) {
	if p.g.Rotate == 90 || p.g.Rotate == 270 {
		return p.v.Height(), p.v.Width()
	}
	return p.v.Width(), p.v.Height()
}

// toDisplay maps a user-space point to display coordinates.
func (p pageView) toDisplay(ux, uy float64) (dx, dy float64) {
	v := p.v
	switch p.g.Rotate {
	case 90:
		return uy - v.LLY, ux - v.LLX
	case 180:
		return v.URX - ux, uy - v.LLY
	case 270:
		return v.URY - uy, v.URX - ux
	}
	return ux - v.LLX, v.URY - uy
}

// toUser maps display coordinates to a user-space point.
func (p pageView) toUser(dx, dy float64) (ux, uy float64) {
	v := p.v
	switch p.g.Rotate {
	case 90:
		return v.LLX + dy, v.LLY + dx
	case 180:
		return v.URX - dx, v.LLY + dy
	case 270:
		return v.URX - dy, v.URY - dx
	}
	return v.LLX + dx, v.URY - dy
}

// dispRect is a rectangle on the displayed page: top-left corner and
// size, in points.
type dispRect struct{ x, y, w, h float64 }

// rectToDisplay maps a user-space rectangle to the displayed page.
func (p pageView) rectToDisplay(r pdf.Rect) dispRect {
	r = r.Normalize()
	x1, y1 := p.toDisplay(r.LLX, r.LLY)
	x2, y2 := p.toDisplay(r.URX, r.URY)
	return dispRect{x: min(x1, x2), y: min(y1, y2), w: abs(x2 - x1), h: abs(y2 - y1)}
}

// rectToUser maps a displayed rectangle to user space.
func (p pageView) rectToUser(d dispRect) pdf.Rect {
	x1, y1 := p.toUser(d.x, d.y)
	x2, y2 := p.toUser(d.x+d.w, d.y+d.h)
	return pdf.Rect{LLX: x1, LLY: y1, URX: x2, URY: y2}.Normalize()
}

// clamp moves d inside the displayed page, shrinking it if it is larger.
func (p pageView) clamp(d dispRect) dispRect {
	w, h := p.size()
	d.w, d.h = min(d.w, w), min(d.h, h)
	d.x = max(0, min(d.x, w-d.w))
	d.y = max(0, min(d.y, h-d.h))
	return d
}

// fraction returns the displayed rectangle given in fractions of the
// displayed page's width and height.
func (p pageView) fraction(x, y, w, h float64) dispRect {
	pw, ph := p.size()
	return dispRect{x: x * pw, y: y * ph, w: w * pw, h: h * ph}
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}
