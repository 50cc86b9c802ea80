package app

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"sync"

	"fyne.io/fyne/v2"
)

// iconSize is the side of the application icon in pixels.
const iconSize = 256

var (
	iconOnce sync.Once
	iconRes  fyne.Resource
)

// appIcon is the application icon: a page with text lines on a blue
// tile, sealed with a red stamp bearing a check mark. assets/icon.png (for
// FyneApp.toml and packaging) is this image; TestIconFile keeps them equal.
func appIcon() fyne.Resource {
	iconOnce.Do(func() {
		var buf bytes.Buffer
		if err := png.Encode(&buf, drawIcon(iconSize)); err != nil {
			panic(err) // encoding an in-memory RGBA image cannot fail
		}
		iconRes = fyne.NewStaticResource("vanthu.png", buf.Bytes())
	})
	return iconRes
}

// drawIcon draws the icon n pixels square, 4×4 supersampled.
func drawIcon(n int) *image.NRGBA {
	const ss = 4
	img := image.NewNRGBA(image.Rect(0, 0, n, n))
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			var r, g, b, a float64
			for sy := 0; sy < ss; sy++ {
				for sx := 0; sx < ss; sx++ {
					u := (float64(x) + (float64(sx)+0.5)/ss) / float64(n)
					v := (float64(y) + (float64(sy)+0.5)/ss) / float64(n)
					c := iconColor(u, v)
					af := float64(c.A) / 255
					r += float64(c.R) * af
					g += float64(c.G) * af
					b += float64(c.B) * af
					a += af
				}
			}
			if a == 0 {
				continue
			}
			img.SetNRGBA(x, y, color.NRGBA{R: uint8(r / a), G: uint8(g / a), B: uint8(b / a), A: uint8(a / (ss * ss) * 255)})
		}
	}
	return img
}

// iconColor is the colour at (u, v) in [0,1]².
func iconColor(u, v float64) color.NRGBA {
	var (
		clear = color.NRGBA{}
		tile  = color.NRGBA{R: 0x15, G: 0x65, B: 0xc0, A: 0xff}
		paper = color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff}
		fold  = color.NRGBA{R: 0xc5, G: 0xd3, B: 0xe8, A: 0xff}
		line  = color.NRGBA{R: 0x90, G: 0xa4, B: 0xae, A: 0xff}
		seal  = color.NRGBA{R: 0xd3, G: 0x2f, B: 0x2f, A: 0xff}
		white = color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff}
	)
	// Seal: a red disc with a white ring and a check mark.
	sx, sy, sr := 0.70, 0.70, 0.22
	if d := math.Hypot(u-sx, v-sy); d <= sr {
		if d > sr*0.78 && d < sr*0.86 {
			return white
		}
		if onSegment(u, v, sx-0.10, sy, sx-0.03, sy+0.07, 0.03) || onSegment(u, v, sx-0.03, sy+0.07, sx+0.11, sy-0.08, 0.03) {
			return white
		}
		return seal
	}
	// Page with a folded corner.
	const pl, pt, pr, pb, f = 0.24, 0.14, 0.72, 0.86, 0.12
	if u >= pl && u <= pr && v >= pt && v <= pb {
		if u > pr-f && v < pt+f {
			if (pr-u)+(v-pt) < f {
				return roundedTile(u, v, tile, clear)
			}
			if u-(pr-f) < (v - pt) {
				return paper
			}
			return fold
		}
		for i := 0; i < 6; i++ {
			ly := 0.32 + float64(i)*0.075
			right := pr - 0.06
			if i == 0 {
				right = pr - 0.16
			}
			if v > ly-0.012 && v < ly+0.012 && u > pl+0.06 && u < right {
				return line
			}
		}
		return paper
	}
	return roundedTile(u, v, tile, clear)
}

// roundedTile is the blue rounded square behind the page.
func roundedTile(u, v float64, tile, clear color.NRGBA) color.NRGBA {
	const m, r = 0.04, 0.16
	cx := math.Max(m+r-u, math.Max(0, u-(1-m-r)))
	cy := math.Max(m+r-v, math.Max(0, v-(1-m-r)))
	if u < m || u > 1-m || v < m || v > 1-m || math.Hypot(math.Max(cx, 0), math.Max(cy, 0)) > r {
		return clear
	}
	return tile
}

// onSegment says whether (u, v) is within w/2 of the segment (x0,y0)-(x1,y1).
func onSegment(u, v, x0, y0, x1, y1, w float64) bool {
	dx, dy := x1-x0, y1-y0
	t := ((u-x0)*dx + (v-y0)*dy) / (dx*dx + dy*dy)
	t = math.Max(0, math.Min(1, t))
	return math.Hypot(u-(x0+t*dx), v-(y0+t*dy)) <= w/2
}
