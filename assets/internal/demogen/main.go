// Command demogen draws the synthetic demo images of package assets: a blue
// handwritten-looking signature and a red round seal of a fictitious agency
// marked "MẪU" (specimen). The output is deterministic.
//
//	go run ./internal/demogen -out demo -font fonts/LiberationSerif-Bold.ttf
package main

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"log"
	"math"
	"os"
	"path/filepath"

	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

func main() {
	out := flag.String("out", "demo", "output directory")
	fontFile := flag.String("font", "fonts/LiberationSerif-Bold.ttf", "TrueType font for the seal's lettering")
	flag.Parse()
	if err := run(*out, *fontFile); err != nil {
		log.Fatal(err)
	}
}

func run(out, fontFile string) error {
	sig, err := encode(tint(signature(), color.NRGBA{R: 22, G: 48, B: 168, A: 255}), 0)
	if err != nil {
		return err
	}
	fontData, err := os.ReadFile(fontFile)
	if err != nil {
		return err
	}
	s, err := seal(fontData)
	if err != nil {
		return err
	}
	// 36 mm at 300 dpi is 425 pixels.
	sl, err := encode(tint(s, color.NRGBA{R: 206, G: 22, B: 32, A: 255}), 300)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "signature.png"), sig, 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, "seal.png"), sl, 0o644)
}

// tint turns a coverage mask into ink of colour c on a transparent background.
func tint(mask *image.Alpha, c color.NRGBA) *image.NRGBA {
	img := image.NewNRGBA(mask.Bounds())
	for i, a := range mask.Pix {
		if a == 0 {
			continue
		}
		img.Pix[4*i+0] = c.R
		img.Pix[4*i+1] = c.G
		img.Pix[4*i+2] = c.B
		img.Pix[4*i+3] = uint8(uint16(a) * uint16(c.A) / 255)
	}
	return img
}

// encode writes img as PNG, with a pHYs chunk when dpi > 0.
func encode(img image.Image, dpi float64) ([]byte, error) {
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, err
	}
	b := buf.Bytes()
	if dpi <= 0 {
		return b, nil
	}
	// The signature (8 bytes) and IHDR (25 bytes) come first.
	ppm := uint32(math.Round(dpi / 0.0254))
	var chunk [21]byte
	binary.BigEndian.PutUint32(chunk[0:], 9)
	copy(chunk[4:], "pHYs")
	binary.BigEndian.PutUint32(chunk[8:], ppm)
	binary.BigEndian.PutUint32(chunk[12:], ppm)
	chunk[16] = 1 // unit: metre
	binary.BigEndian.PutUint32(chunk[17:], crc32.ChecksumIEEE(chunk[4:17]))
	out := append([]byte{}, b[:33]...)
	out = append(out, chunk[:]...)
	return append(out, b[33:]...), nil
}

type point struct{ x, y float64 }

// signature draws pen strokes through Catmull-Rom splines, with a pen width
// that swells and thins along the stroke.
func signature() *image.Alpha {
	m := image.NewAlpha(image.Rect(0, 0, 600, 240))
	strokes := [][]point{
		// A large looped initial, then a run of cursive waves.
		{{48, 182}, {70, 120}, {96, 58}, {124, 34}, {140, 62}, {122, 128}, {100, 184}, {118, 150},
			{150, 104}, {178, 86}, {192, 124}, {204, 142}, {222, 100}, {244, 86}, {254, 128},
			{266, 146}, {286, 104}, {306, 88}, {314, 132}, {332, 148}, {352, 96}, {372, 64},
			{386, 100}, {396, 146}, {420, 120}, {446, 92}, {470, 112}, {486, 126}, {514, 100}, {548, 82}},
		// The flourish underneath.
		{{92, 206}, {170, 192}, {268, 184}, {372, 178}, {468, 166}, {540, 148}, {574, 132}},
		// A short tick above the last word.
		{{424, 54}, {440, 44}, {458, 36}},
	}
	for i, s := range strokes {
		pts := spline(s)
		length := 0.0
		for j := 1; j < len(pts); j++ {
			length += math.Hypot(pts[j].x-pts[j-1].x, pts[j].y-pts[j-1].y)
		}
		at := 0.0
		for j, p := range pts {
			if j > 0 {
				at += math.Hypot(p.x-pts[j-1].x, p.y-pts[j-1].y)
			}
			w := 2.4 + 1.0*math.Sin(at/38+float64(i))
			// Taper both ends as a pen does when it lands and lifts.
			w *= math.Min(1, 0.4+math.Min(at, length-at)/30)
			disc(m, p, w)
		}
	}
	return m
}

// spline samples a Catmull-Rom spline through pts densely enough that
// consecutive samples are less than half a pixel apart.
func spline(pts []point) []point {
	var out []point
	for i := 0; i+1 < len(pts); i++ {
		p0, p1, p2, p3 := pts[max(i-1, 0)], pts[i], pts[i+1], pts[min(i+2, len(pts)-1)]
		steps := int(math.Hypot(p2.x-p1.x, p2.y-p1.y)*3) + 1
		for k := 0; k < steps; k++ {
			t := float64(k) / float64(steps)
			t2, t3 := t*t, t*t*t
			f := func(a, b, c, d float64) float64 {
				return 0.5 * (2*b + (-a+c)*t + (2*a-5*b+4*c-d)*t2 + (-a+3*b-3*c+d)*t3)
			}
			out = append(out, point{f(p0.x, p1.x, p2.x, p3.x), f(p0.y, p1.y, p2.y, p3.y)})
		}
	}
	return append(out, pts[len(pts)-1])
}

// disc paints an anti-aliased disc of radius r, keeping the larger coverage.
func disc(m *image.Alpha, c point, r float64) {
	for y := int(c.y - r - 1); y <= int(c.y+r+1); y++ {
		for x := int(c.x - r - 1); x <= int(c.x+r+1); x++ {
			if !(image.Point{x, y}.In(m.Rect)) {
				continue
			}
			d := math.Hypot(float64(x)+0.5-c.x, float64(y)+0.5-c.y)
			cov := math.Max(0, math.Min(1, r+0.5-d))
			if a := uint8(cov * 255); a > m.AlphaAt(x, y).A {
				m.SetAlpha(x, y, color.Alpha{A: a})
			}
		}
	}
}

const sealSize = 425

// seal draws a round seal: an outer ring, an inner ring, the agency's name
// around the band between them, and "MẪU" with a star in the middle.
func seal(fontData []byte) (*image.Alpha, error) {
	font, err := sfnt.Parse(fontData)
	if err != nil {
		return nil, err
	}
	m := image.NewAlpha(image.Rect(0, 0, sealSize, sealSize))
	c := point{sealSize / 2.0, sealSize / 2.0}
	ring(m, c, 199, 210)
	ring(m, c, 146, 151)

	z := vector.NewRasterizer(sealSize, sealSize)
	const size = 38.0
	text := []rune("CƠ QUAN THỬ NGHIỆM ✶ VĂN THƯ SỐ ✶ ")
	var buf sfnt.Buffer
	adv := make([]float64, len(text))
	total := 0.0
	for i, r := range text {
		if r == '✶' {
			adv[i] = size * 0.8
		} else {
			a, err := advance(font, &buf, r, size)
			if err != nil {
				return nil, err
			}
			adv[i] = a
		}
		total += adv[i]
	}
	const baseline = 158.0
	// Spread the letters evenly over the whole circle, the agency's name
	// centred on top.
	scale := 2 * math.Pi * baseline / total
	name := 0.0
	for i, r := range text {
		if r == '✶' {
			break
		}
		name += adv[i]
	}
	pos := -name * scale / 2
	for i, r := range text {
		theta := (pos + adv[i]*scale/2) / baseline
		pos += adv[i] * scale
		p := point{c.x + baseline*math.Sin(theta), c.y - baseline*math.Cos(theta)}
		tx, ty := math.Cos(theta), math.Sin(theta)  // tangent, clockwise
		nx, ny := math.Sin(theta), -math.Cos(theta) // outward normal
		place := func(gx, gy float64) (float32, float32) {
			// gx along the baseline from the glyph's centre, gy downwards.
			return float32(p.x + gx*tx - gy*nx), float32(p.y + gx*ty - gy*ny)
		}
		switch r {
		case ' ':
		case '✶':
			star(z, func(x, y float64) (float32, float32) { return place(x, y-size*0.33) }, size*0.36)
		default:
			if err := glyph(z, font, &buf, r, size, -adv[i]/2, 0, place); err != nil {
				return nil, err
			}
		}
	}
	// Centre: a star above "MẪU".
	star(z, func(x, y float64) (float32, float32) { return float32(c.x + x), float32(c.y - 62 + y) }, 30)
	word := []rune("MẪU")
	const wsize = 84.0
	w := 0.0
	for _, r := range word {
		a, err := advance(font, &buf, r, wsize)
		if err != nil {
			return nil, err
		}
		w += a
	}
	x := c.x - w/2
	for _, r := range word {
		if err := glyph(z, font, &buf, r, wsize, 0, 0, func(gx, gy float64) (float32, float32) {
			return float32(x + gx), float32(c.y + 58 + gy)
		}); err != nil {
			return nil, err
		}
		a, _ := advance(font, &buf, r, wsize)
		x += a
	}
	z.Draw(m, m.Bounds(), image.Opaque, image.Point{})
	return m, nil
}

func advance(f *sfnt.Font, buf *sfnt.Buffer, r rune, size float64) (float64, error) {
	gi, err := f.GlyphIndex(buf, r)
	if err != nil || gi == 0 {
		return 0, fmt.Errorf("no glyph for %q", r)
	}
	a, err := f.GlyphAdvance(buf, gi, fixed.Int26_6(size*64), 0)
	return float64(a) / 64, err
}

// glyph adds the outline of r at size pixels to z; place maps glyph
// coordinates (x right from the origin shifted by dx, y down from the
// baseline) to the image.
func glyph(z *vector.Rasterizer, f *sfnt.Font, buf *sfnt.Buffer, r rune, size, dx, dy float64, place func(x, y float64) (float32, float32)) error {
	gi, err := f.GlyphIndex(buf, r)
	if err != nil || gi == 0 {
		return fmt.Errorf("no glyph for %q", r)
	}
	segs, err := f.LoadGlyph(buf, gi, fixed.Int26_6(size*64), nil)
	if err != nil {
		return err
	}
	pt := func(p fixed.Point26_6) (float32, float32) {
		return place(float64(p.X)/64+dx, float64(p.Y)/64+dy)
	}
	for _, s := range segs {
		switch s.Op {
		case sfnt.SegmentOpMoveTo:
			z.MoveTo(pt(s.Args[0]))
		case sfnt.SegmentOpLineTo:
			z.LineTo(pt(s.Args[0]))
		case sfnt.SegmentOpQuadTo:
			ax, ay := pt(s.Args[0])
			bx, by := pt(s.Args[1])
			z.QuadTo(ax, ay, bx, by)
		case sfnt.SegmentOpCubeTo:
			ax, ay := pt(s.Args[0])
			bx, by := pt(s.Args[1])
			cx, cy := pt(s.Args[2])
			z.CubeTo(ax, ay, bx, by, cx, cy)
		}
	}
	z.ClosePath()
	return nil
}

// star adds a five-pointed star of outer radius r centred on place(0, 0).
func star(z *vector.Rasterizer, place func(x, y float64) (float32, float32), r float64) {
	for i := 0; i < 10; i++ {
		rr := r
		if i%2 == 1 {
			rr = r * 0.4
		}
		a := float64(i) * math.Pi / 5
		x, y := place(rr*math.Sin(a), -rr*math.Cos(a))
		if i == 0 {
			z.MoveTo(x, y)
		} else {
			z.LineTo(x, y)
		}
	}
	z.ClosePath()
}

// ring paints an anti-aliased annulus between radii r0 and r1.
func ring(m *image.Alpha, c point, r0, r1 float64) {
	b := m.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			d := math.Hypot(float64(x)+0.5-c.x, float64(y)+0.5-c.y)
			cov := math.Max(0, math.Min(1, r1+0.5-d)) * math.Max(0, math.Min(1, d-r0+0.5))
			if a := uint8(cov * 255); a > m.AlphaAt(x, y).A {
				m.SetAlpha(x, y, color.Alpha{A: a})
			}
		}
	}
}
