package stamp

import (
	"fmt"

	"github.com/vanthuso/vanthu/signing/pdf"
)

// view maps between a page's default user space and the page as a reader
// sees it: the visible area (crop box clipped to the media box) turned
// clockwise by /Rotate. View coordinates (u, v) start at the displayed
// bottom-left corner, u to the right and v upwards, in points.
type view struct {
	vis pdf.Rect
	rot int // 0, 90, 180 or 270
}

func newView(g pdf.PageGeometry) view {
	return view{vis: g.Visible().Normalize(), rot: normRotate(g.Rotate)}
}

func normRotate(r int) int {
	r %= 360
	if r < 0 {
		r += 360
	}
	return r / 90 * 90
}

// size returns the displayed width and height of the visible area.
func (v view) size() (w, h float64) {
	if v.rot == 90 || v.rot == 270 {
		return v.vis.Height(), v.vis.Width()
	}
	return v.vis.Width(), v.vis.Height()
}

// toUser maps a view point to default user space.
func (v view) toUser(u, w float64) (x, y float64) {
	r := v.vis
	switch v.rot {
	case 90:
		return r.URX - w, r.LLY + u
	case 180:
		return r.URX - u, r.URY - w
	case 270:
		return r.LLX + w, r.URY - u
	}
	return r.LLX + u, r.LLY + w
}

// toView maps a default user space point to view coordinates.
func (v view) toView(x, y float64) (u, w float64) {
	r := v.vis
	switch v.rot {
	case 90:
		return y - r.LLY, r.URX - x
	case 180:
		return r.URX - x, r.URY - y
	case 270:
		return r.URY - y, x - r.LLX
	}
	return x - r.LLX, y - r.LLY
}

func (v view) rectToUser(r pdf.Rect) pdf.Rect {
	x0, y0 := v.toUser(r.LLX, r.LLY)
	x1, y1 := v.toUser(r.URX, r.URY)
	return pdf.Rect{LLX: x0, LLY: y0, URX: x1, URY: y1}.Normalize()
}

func (v view) rectToView(r pdf.Rect) pdf.Rect {
	u0, w0 := v.toView(r.LLX, r.LLY)
	u1, w1 := v.toView(r.URX, r.URY)
	return pdf.Rect{LLX: u0, LLY: w0, URX: u1, URY: w1}.Normalize()
}

// formMatrix returns the /Matrix of a form XObject whose content is drawn
// upright in a w×h box of view orientation (BBox [0 0 w h]). The matrix
// turns the box counter-clockwise by the page rotation, so that the viewer's
// clockwise turn brings it back upright, and moves it back to the origin;
// the transformed box is then exactly the annotation rectangle's size.
func formMatrix(rot int, w, h float64) [6]float64 {
	switch rot {
	case 90:
		return [6]float64{0, 1, -1, 0, h, 0}
	case 180:
		return [6]float64{-1, 0, 0, -1, w, h}
	case 270:
		return [6]float64{0, -1, 1, 0, 0, w}
	}
	return [6]float64{1, 0, 0, 1, 0, 0}
}

// intersect returns the intersection of a and b; ok is false when it is empty.
func intersect(a, b pdf.Rect) (r pdf.Rect, ok bool) {
	r = pdf.Rect{LLX: max(a.LLX, b.LLX), LLY: max(a.LLY, b.LLY), URX: min(a.URX, b.URX), URY: min(a.URY, b.URY)}
	return r, r.Width() > 0 && r.Height() > 0
}

// rectTolerance is how far, in points, a caller's rectangle may stick out
// of the visible page area (rounding in the caller's coordinates).
const rectTolerance = 1.0

// checkInside reports an error unless r lies within the visible area of g.
func checkInside(what string, r pdf.Rect, g pdf.PageGeometry) error {
	if r.Width() <= 0 || r.Height() <= 0 {
		return fmt.Errorf("%s %v is empty", what, r)
	}
	vis := g.Visible().Normalize()
	if r.LLX < vis.LLX-rectTolerance || r.LLY < vis.LLY-rectTolerance ||
		r.URX > vis.URX+rectTolerance || r.URY > vis.URY+rectTolerance {
		return fmt.Errorf("%s %v is outside the visible area %v of page %d", what, r, vis, g.Number)
	}
	return nil
}

func num(f float64) string { return pdf.FormatReal(f) }
