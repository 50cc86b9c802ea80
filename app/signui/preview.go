package signui

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"

	"github.com/vanthuso/vanthu/signing/pdf"
)

// The live preview of a signature is honest: the appearances stamp.Build
// returns, the very ones SignFile will write, are written as annotations
// on an otherwise blank page of the same geometry (a one-page PDF in
// memory), rendered like the document page, and laid over it with white
// turned transparent (ink on paper: what is drawn darkens the page).
// Rendering needs a PDF engine; without one the preview shows the
// appearance rectangles only.

// previewPDF returns a one-page PDF with page g's boxes and rotation whose
// only marks are the appearances of apps that lie on page g.Number.
func previewPDF(g pdf.PageGeometry, apps []pdf.Appearance) ([]byte, error) {
	w := &memWriter{}
	var annots []pdf.Ref
	for _, a := range apps {
		if a.Page != g.Number || a.Write == nil {
			continue
		}
		ap, err := a.Write(w, g)
		if err != nil {
			return nil, fmt.Errorf("write appearance: %w", err)
		}
		r := a.Rect.Normalize()
		ref, _ := w.WriteObject(fmt.Appendf(nil, "<< /Type /Annot /Subtype /Stamp /F 4 /Rect %s /AP << /N %s >> >>", rectArray(r), ap))
		annots = append(annots, ref)
	}
	contents, _ := w.WriteStream(nil, nil)
	pagesNum := w.reserve()
	var ab bytes.Buffer
	for _, a := range annots {
		fmt.Fprintf(&ab, " %s", a)
	}
	page, _ := w.WriteObject(fmt.Appendf(nil, "<< /Type /Page /Parent %d 0 R /MediaBox %s /CropBox %s /Rotate %d /Resources << >> /Contents %s /Annots [%s ] >>",
		pagesNum, rectArray(g.MediaBox), rectArray(g.CropBox), g.Rotate, contents, ab.Bytes()))
	w.put(pagesNum, fmt.Appendf(nil, "<< /Type /Pages /Kids [%s] /Count 1 >>", page))
	root, _ := w.WriteObject(fmt.Appendf(nil, "<< /Type /Catalog /Pages %d 0 R >>", pagesNum))
	return w.bytes(root), nil
}

func rectArray(r pdf.Rect) string {
	return "[" + pdf.FormatReal(r.LLX) + " " + pdf.FormatReal(r.LLY) + " " + pdf.FormatReal(r.URX) + " " + pdf.FormatReal(r.URY) + "]"
}

// memWriter is a pdf.ObjectWriter that keeps the objects of a small PDF
// in memory.
type memWriter struct {
	objs [][]byte // object n at index n-1
}

func (w *memWriter) reserve() uint32 {
	w.objs = append(w.objs, nil)
	return uint32(len(w.objs))
}

func (w *memWriter) put(n uint32, body []byte) { w.objs[n-1] = body }

func (w *memWriter) WriteObject(body []byte) (pdf.Ref, error) {
	n := w.reserve()
	w.put(n, bytes.Clone(body))
	return pdf.Ref{Num: n}, nil
}

func (w *memWriter) WriteStream(dict, data []byte) (pdf.Ref, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "<< %s /Length %d >>\nstream\n", dict, len(data))
	b.Write(data)
	b.WriteString("\nendstream")
	return w.WriteObject(b.Bytes())
}

// bytes serialises the objects as a PDF file with the catalog root.
func (w *memWriter) bytes(root pdf.Ref) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(w.objs))
	for i, body := range w.objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n", i+1)
		b.Write(body)
		b.WriteString("\nendobj\n")
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(w.objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root %s >>\nstartxref\n%d\n%%%%EOF\n", len(w.objs)+1, root, xref)
	return b.Bytes()
}

// inkOnly turns a rendering of marks on white paper into the marks alone
// over transparency ("colour to alpha" against white): each pixel gets the
// least opacity that, composited over white, gives back its colour. Laid
// over a page, the result darkens it as the printed marks would.
func inkOnly(src image.Image) *image.NRGBA {
	b := src.Bounds()
	rgba, ok := src.(*image.RGBA)
	if !ok {
		rgba = image.NewRGBA(b)
		draw.Draw(rgba, b, src, b.Min, draw.Src)
	}
	out := image.NewNRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			c := rgba.RGBAAt(b.Min.X+x, b.Min.Y+y)
			out.SetNRGBA(x, y, unwhite(c))
		}
	}
	return out
}

// unwhite is the colour-to-alpha of one opaque pixel against white.
func unwhite(c color.RGBA) color.NRGBA {
	lo := min(c.R, c.G, c.B)
	a := 255 - int(lo)
	if a == 0 {
		return color.NRGBA{}
	}
	// c = a*s + (255-a)*255/255, so s = (c - (255-a)) * 255 / a.
	ch := func(v uint8) uint8 {
		s := (int(v) - (255 - a)) * 255 / a
		return uint8(max(0, min(255, s)))
	}
	return color.NRGBA{R: ch(c.R), G: ch(c.G), B: ch(c.B), A: uint8(a)}
}
