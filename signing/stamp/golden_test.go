package stamp

import (
	"image"
	"image/color"
	"image/draw"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vanthuso/vanthu/internal/golden"
)

// TestGoldenRefusesWrongRenders shows that matchGolden, the rule of
// compareGolden, tells every golden of this package from the renders a
// broken stamp gives: an empty page, the stamp moved by 1 or 2 pixels
// (0.5 or 1 mm at 50 dpi), the left half of the ink, and the seal (red),
// the signature (blue) or the text (dark) left out. The golden itself
// passes, and so does the golden with its colours off by a few levels, as
// another antialiasing would draw it. The render tests (TestRenderApproval,
// TestRenderIssue, TestRenderCorner, TestRenderRotation) show that the
// real renders pass.
func TestGoldenRefusesWrongRenders(t *testing.T) {
	t.Parallel()
	paths, err := filepath.Glob(filepath.Join("testdata", "golden", "*.png"))
	if err != nil || len(paths) < 5 {
		t.Fatalf("goldens: %v (%v)", paths, err)
	}
	for _, p := range paths {
		name := strings.TrimSuffix(filepath.Base(p), ".png")
		t.Run(name, func(t *testing.T) {
			want := readGolden(t, name)
			ink, n := inkBounds(want, want.Bounds(), isInk)
			if n < 100 {
				t.Fatalf("the golden has %d pixels of ink: it shows no stamp", n)
			}

			blank := image.NewRGBA(want.Bounds())
			draw.Draw(blank, blank.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
			half := golden.Clone(want)
			draw.Draw(half, image.Rect(ink.Min.X, ink.Min.Y, (ink.Min.X+ink.Max.X)/2, ink.Max.Y), image.NewUniform(color.White), image.Point{}, draw.Src)

			cases := []struct {
				what string
				got  *image.RGBA
				ok   bool
			}{
				{"the golden", golden.Clone(want), true},
				{"the golden 4 levels lighter", golden.Lighten(want, 4), true},
				{"an empty page", blank, false},
				{"the stamp 1 px right", shift(want, image.Pt(1, 0)), false},
				{"the stamp 2 px down", shift(want, image.Pt(0, 2)), false},
				{"the stamp 2 px up and left", shift(want, image.Pt(-2, -2)), false},
				{"the left half of the ink", half, false},
			}
			for _, part := range []struct {
				what string
				is   func(color.RGBA) bool
			}{{"seal", isRed}, {"signature", isBlue}, {"text", isDark}} {
				// Only the parts the golden holds: leaving out what is
				// not there changes nothing.
				if _, n := inkBounds(want, want.Bounds(), part.is); n >= 50 {
					cases = append(cases, struct {
						what string
						got  *image.RGBA
						ok   bool
					}{"the " + part.what + " left out", without(want, part.is), false})
				}
			}
			if len(cases) < 8 {
				t.Fatalf("the golden has no seal, signature or text of 50 pixels")
			}
			for _, c := range cases {
				res, err := matchGolden(c.got, want)
				if (err == nil) != c.ok {
					t.Errorf("%s: passes %v (%v; %v), want %v", c.what, err == nil, res, err, c.ok)
					continue
				}
				t.Logf("%s: %v (%v)", c.what, res, err)
			}
		})
	}
}

// shift moves the picture by d on a white page.
func shift(img *image.RGBA, d image.Point) *image.RGBA {
	s := image.NewRGBA(img.Bounds())
	draw.Draw(s, s.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.Draw(s, img.Bounds().Add(d), img, img.Bounds().Min, draw.Src)
	return s
}

// without paints the pixels that match white.
func without(img *image.RGBA, match func(color.RGBA) bool) *image.RGBA {
	w := golden.Clone(img)
	r := w.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if match(w.RGBAAt(x, y)) {
				w.SetRGBA(x, y, color.RGBA{255, 255, 255, 255})
			}
		}
	}
	return w
}
