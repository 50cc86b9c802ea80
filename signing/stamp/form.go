package stamp

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"strings"

	"github.com/vanthuso/vanthu/signing/pdf"
)

// writeFlate compresses data with FlateDecode and writes it as a stream
// whose dictionary holds dict (entries without brackets) and /Filter.
func writeFlate(w pdf.ObjectWriter, dict string, data []byte) (pdf.Ref, error) {
	var b bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&b, zlib.DefaultCompression)
	zw.Write(data)
	zw.Close()
	if dict != "" {
		dict += " "
	}
	return w.WriteStream([]byte(dict+"/Filter /FlateDecode"), b.Bytes())
}

// canvas collects the drawing of one appearance in view orientation: a
// w×h box with its origin at the bottom-left corner as the reader sees it.
type canvas struct {
	w, h   float64
	ops    bytes.Buffer
	fonts  []*fontUse
	images []*raster
}

func newCanvas(w, h float64) *canvas { return &canvas{w: w, h: h} }

// font returns the canvas's use of f, adding it to the resources.
func (c *canvas) font(f *trueType) *fontUse {
	for _, u := range c.fonts {
		if u.font == f {
			return u
		}
	}
	u := newFontUse(f, fmt.Sprintf("F%d", len(c.fonts)+1))
	c.fonts = append(c.fonts, u)
	return u
}

// image draws r into the rectangle (x, y, w, h).
func (c *canvas) image(r *raster, x, y, w, h float64) {
	c.images = append(c.images, r)
	fmt.Fprintf(&c.ops, "q %s 0 0 %s %s %s cm /Im%d Do Q\n", num(w), num(h), num(x), num(y), len(c.images))
}

// text draws the block with its lines' left ends at x and the block's top
// (the highest point any of its glyphs reaches) at top.
func (c *canvas) text(b textBlock, x, top float64) {
	u := c.font(b.font)
	fmt.Fprintf(&c.ops, "BT 0 g /%s %s Tf\n", u.name, num(b.size))
	y := top - b.firstAscent()
	for _, line := range b.lines {
		fmt.Fprintf(&c.ops, "1 0 0 1 %s %s Tm %s Tj\n", num(x), num(y), u.encode(line.text))
		y -= b.leading()
	}
	c.ops.WriteString("ET\n")
}

// write writes the canvas as a form XObject turned for a page rotated by
// rot degrees, clipped to its box, with everything it references.
func (c *canvas) write(w pdf.ObjectWriter, rot int) (pdf.Ref, error) {
	var res strings.Builder
	if len(c.fonts) > 0 {
		res.WriteString(" /Font <<")
		for _, u := range c.fonts {
			ref, err := u.write(w)
			if err != nil {
				return pdf.Ref{}, err
			}
			fmt.Fprintf(&res, " /%s %s", u.name, ref)
		}
		res.WriteString(" >>")
	}
	procSet := "/PDF"
	if len(c.fonts) > 0 {
		procSet += " /Text"
	}
	if len(c.images) > 0 {
		procSet += " /ImageC"
		res.WriteString(" /XObject <<")
		for i, r := range c.images {
			ref, err := r.write(w)
			if err != nil {
				return pdf.Ref{}, err
			}
			fmt.Fprintf(&res, " /Im%d %s", i+1, ref)
		}
		res.WriteString(" >>")
	}
	m := formMatrix(rot, c.w, c.h)
	dict := fmt.Sprintf("/Type /XObject /Subtype /Form /FormType 1 /BBox [0 0 %s %s] /Matrix [%s %s %s %s %s %s] /Resources << /ProcSet [%s]%s >>",
		num(c.w), num(c.h), num(m[0]), num(m[1]), num(m[2]), num(m[3]), num(m[4]), num(m[5]), procSet, res.String())
	ref, err := writeFlate(w, dict, c.ops.Bytes())
	if err != nil {
		return pdf.Ref{}, fmt.Errorf("write appearance: %w", err)
	}
	return ref, nil
}
