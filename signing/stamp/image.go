package stamp

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"

	"github.com/vanthuso/vanthu/signing/pdf"
)

// MaxImagePixels is the largest image, in pixels, a stamp accepts. A
// scanned seal at 600 dpi is about 1 megapixel; 40 megapixels keeps a
// mistaken photo or a decompression bomb from exhausting memory.
const MaxImagePixels = 40_000_000

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// ErrNotPNG is returned (wrapped) when an image is not a PNG file.
var ErrNotPNG = errors.New("not a PNG image")

// raster is a decoded PNG ready to become a PDF image XObject.
type raster struct {
	w, h  int
	rgb   []byte // 3 bytes per pixel
	alpha []byte // 1 byte per pixel; nil when every pixel is opaque
	dpi   float64
}

// decodePNG checks and decodes a PNG image. Colour is reduced to 8 bits per
// component; transparency (alpha channel or tRNS, palette included) becomes
// a separate alpha plane.
func decodePNG(data []byte) (*raster, error) {
	if !bytes.HasPrefix(data, pngSignature) {
		return nil, ErrNotPNG
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("bad PNG: %w", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, errors.New("bad PNG: empty image")
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxImagePixels {
		return nil, fmt.Errorf("PNG is %d×%d pixels, more than the %d megapixels a stamp image may have",
			cfg.Width, cfg.Height, MaxImagePixels/1_000_000)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("bad PNG: %w", err)
	}
	b := img.Bounds()
	r := &raster{w: b.Dx(), h: b.Dy(), dpi: pngDPI(data)}
	n := r.w * r.h
	r.rgb = make([]byte, 3*n)
	alpha := make([]byte, n)
	opaque := true
	// Sum of the colours of visible pixels, weighted by alpha.
	var sr, sg, sb, sa uint64
	set := func(i int, c color.NRGBA) {
		r.rgb[3*i], r.rgb[3*i+1], r.rgb[3*i+2] = c.R, c.G, c.B
		alpha[i] = c.A
		if c.A != 0xff {
			opaque = false
		}
		a := uint64(c.A)
		sr, sg, sb, sa = sr+a*uint64(c.R), sg+a*uint64(c.G), sb+a*uint64(c.B), sa+a
	}
	i := 0
	switch m := img.(type) {
	case *image.NRGBA:
		for y := b.Min.Y; y < b.Max.Y; y++ {
			row := m.Pix[m.PixOffset(b.Min.X, y):]
			for x := 0; x < r.w; x++ {
				set(i, color.NRGBA{row[4*x], row[4*x+1], row[4*x+2], row[4*x+3]})
				i++
			}
		}
	case *image.Paletted:
		pal := make([]color.NRGBA, len(m.Palette))
		for k, c := range m.Palette {
			pal[k] = color.NRGBAModel.Convert(c).(color.NRGBA)
		}
		for y := b.Min.Y; y < b.Max.Y; y++ {
			row := m.Pix[m.PixOffset(b.Min.X, y):]
			for x := 0; x < r.w; x++ {
				var c color.NRGBA // an index beyond the palette is transparent black
				if int(row[x]) < len(pal) {
					c = pal[row[x]]
				}
				set(i, c)
				i++
			}
		}
	default:
		// RGBA (premultiplied), 16-bit, gray and gray+alpha: convert through
		// NRGBA64 so that un-premultiplying keeps 16-bit precision.
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				c := color.NRGBA64Model.Convert(img.At(x, y)).(color.NRGBA64)
				set(i, color.NRGBA{uint8(c.R >> 8), uint8(c.G >> 8), uint8(c.B >> 8), uint8(c.A >> 8)})
				i++
			}
		}
	}
	if opaque {
		return r, nil
	}
	r.alpha = alpha
	// Give fully transparent pixels the average ink colour: viewers that
	// interpolate colour and mask separately then draw no dark fringe
	// around the strokes, and the plane compresses better.
	if sa > 0 {
		fill := [3]byte{byte(sr / sa), byte(sg / sa), byte(sb / sa)}
		for i, a := range alpha {
			if a == 0 {
				copy(r.rgb[3*i:], fill[:])
			}
		}
	}
	return r, nil
}

// pngDPI returns the resolution from the pHYs chunk, 0 when there is none
// or its unit is unknown. Both axes are assumed equal; the x axis counts.
func pngDPI(data []byte) float64 {
	p := len(pngSignature)
	for p+12 <= len(data) {
		l := int(binary.BigEndian.Uint32(data[p:]))
		typ := string(data[p+4 : p+8])
		if l < 0 || p+12+l > len(data) {
			return 0
		}
		switch typ {
		case "pHYs":
			if l < 9 || data[p+16] != 1 {
				return 0
			}
			return float64(binary.BigEndian.Uint32(data[p+8:])) * 0.0254
		case "IDAT", "IEND":
			return 0 // pHYs must precede IDAT
		}
		p += 12 + l
	}
	return 0
}

// write writes the image XObject, and its soft mask first when the image
// has transparency, and returns the image's reference.
func (r *raster) write(w pdf.ObjectWriter) (pdf.Ref, error) {
	smask := ""
	if r.alpha != nil {
		ref, err := writeFlate(w, fmt.Sprintf("/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8", r.w, r.h), r.alpha)
		if err != nil {
			return pdf.Ref{}, fmt.Errorf("write image mask: %w", err)
		}
		smask = " /SMask " + ref.String()
	}
	ref, err := writeFlate(w, fmt.Sprintf("/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB /BitsPerComponent 8%s", r.w, r.h, smask), r.rgb)
	if err != nil {
		return pdf.Ref{}, fmt.Errorf("write image: %w", err)
	}
	return ref, nil
}
