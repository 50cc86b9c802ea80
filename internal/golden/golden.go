// Package golden compares a render with its golden image so that a blank
// or empty render cannot pass: besides the mean difference over the whole
// picture (which a mostly white page keeps small whatever is drawn on it),
// the ink, the pixels that differ from the golden's background, must be
// about as much as the golden's and must lie where the golden's does.
// Tests only; release binaries do not link it (internal/release).
package golden

import (
	"fmt"
	"image"
)

// Limits of Compare.
const (
	// MaxMean is the mean absolute difference per channel, of 255.
	MaxMean = 1.5
	// InkLevel is how far (of 255, in any channel) a pixel must be from
	// the background to be ink.
	InkLevel = 48
	// FarLevel is the difference (of 255, in any channel) that makes a
	// pixel "far off".
	FarLevel = 64
	// MaxInkChange is the relative change of the amount of ink allowed.
	MaxInkChange = 0.10
	// MaxFarInk is the fraction of the ink (of either image) that may be
	// far off.
	MaxFarInk = 0.05
)

// Result is what Compare measured.
type Result struct {
	Mean             float64 // mean absolute difference per channel, of 255
	InkGot, InkWant  int     // ink pixels of the render and of the golden
	FarInk, InkUnion int     // far-off pixels among the ink of either, and that ink
}

// Err says why the render does not match the golden; nil when it does.
func (r Result) Err() error {
	switch {
	case r.InkWant == 0:
		return fmt.Errorf("the golden image has no ink: it cannot tell a render from a blank one")
	case r.Mean > MaxMean:
		return fmt.Errorf("mean difference %.2f/255 (at most %.1f)", r.Mean, MaxMean)
	case abs(r.InkGot-r.InkWant) > int(MaxInkChange*float64(r.InkWant))+1:
		return fmt.Errorf("ink %d pixels, golden %d (at most %.0f%% apart)", r.InkGot, r.InkWant, MaxInkChange*100)
	case float64(r.FarInk) > MaxFarInk*float64(r.InkUnion):
		return fmt.Errorf("%d of %d ink pixels far off (at most %.0f%%)", r.FarInk, r.InkUnion, MaxFarInk*100)
	}
	return nil
}

func (r Result) String() string {
	return fmt.Sprintf("mean %.3f/255, ink %d vs golden %d, %d of %d ink pixels far off", r.Mean, r.InkGot, r.InkWant, r.FarInk, r.InkUnion)
}

// Compare measures got against want, which must have the same bounds.
// The background is the golden's most common colour.
func Compare(got, want image.Image) (Result, error) {
	if got.Bounds() != want.Bounds() {
		return Result{}, fmt.Errorf("size %v, golden %v", got.Bounds(), want.Bounds())
	}
	bg := background(want)
	var res Result
	var sum float64
	b := want.Bounds()
	n := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			g, w := rgb(got.At(x, y)), rgb(want.At(x, y))
			d := w.dist(g)
			sum += w.mean(g)
			n++
			inkG, inkW := bg.dist(g) > InkLevel, bg.dist(w) > InkLevel
			if inkG {
				res.InkGot++
			}
			if inkW {
				res.InkWant++
			}
			if inkG || inkW {
				res.InkUnion++
				if d > FarLevel {
					res.FarInk++
				}
			}
		}
	}
	if n > 0 {
		res.Mean = sum / float64(n)
	}
	return res, nil
}

type px [3]int

func rgb(c interface{ RGBA() (r, g, b, a uint32) }) px {
	r, g, b, _ := c.RGBA()
	return px{int(r >> 8), int(g >> 8), int(b >> 8)}
}

// dist is the largest channel difference.
func (p px) dist(q px) int {
	m := 0
	for i := range p {
		m = max(m, abs(p[i]-q[i]))
	}
	return m
}

// mean is the mean channel difference.
func (p px) mean(q px) float64 {
	return float64(abs(p[0]-q[0])+abs(p[1]-q[1])+abs(p[2]-q[2])) / 3
}

func background(img image.Image) px {
	counts := map[px]int{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			counts[rgb(img.At(x, y))]++
		}
	}
	var best px
	bestN := -1
	for p, c := range counts {
		if c > bestN || (c == bestN && p.less(best)) {
			best, bestN = p, c
		}
	}
	return best
}

func (p px) less(q px) bool {
	for i := range p {
		if p[i] != q[i] {
			return p[i] < q[i]
		}
	}
	return false
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
