package pades

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/vanthuso/vanthu/internal/golden"
)

// TestGoldenRefusesWrongRenders shows that matchGolden, the rule of
// assertRender, tells every golden of TestWorkflow from the renders a
// broken stamp gives: a blank page, the page without its stamp (the
// unsigned PDF rendered by pdftoppm as assertRender renders), the stamp
// moved by 1 or 2 pixels (0.5 or 1 mm at 50 dpi) and half of the stamp.
// The golden itself passes, and so does the golden with its colours off
// by a few levels, as another antialiasing would draw it. TestWorkflow
// shows that the real signed render passes.
func TestGoldenRefusesWrongRenders(t *testing.T) {
	t.Parallel()
	names := make([]string, 0, len(workflowPages))
	for name := range workflowPages {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			want := readGolden(t, name)
			unsigned := decodeRGBA(t, renderPage1(t, sample(t, "unsigned.pdf", workflowPages[name])))
			if unsigned.Bounds() != want.Bounds() {
				t.Fatalf("unsigned page renders %v, golden %v", unsigned.Bounds(), want.Bounds())
			}
			// The stamp: where the golden differs from the unsigned page,
			// away from the page's own ink (its title, which the system's
			// Helvetica draws and so may differ a little from the golden's).
			stamp := awayFrom(differing(want, unsigned), unsigned, 2)
			if len(stamp) < 100 {
				t.Fatalf("the golden differs from the unsigned page in %d pixels only: it shows no stamp", len(stamp))
			}
			erased := golden.Clone(want) // the golden without its stamp
			for _, p := range stamp {
				erased.SetRGBA(p.X, p.Y, unsigned.RGBAAt(p.X, p.Y))
			}
			moved := func(d image.Point) *image.RGBA {
				m := golden.Clone(erased)
				for _, p := range stamp {
					if q := p.Add(d); q.In(m.Bounds()) {
						m.SetRGBA(q.X, q.Y, want.RGBAAt(p.X, p.Y))
					}
				}
				return m
			}
			bounds := stampBounds(stamp)
			half := golden.Clone(erased)
			for _, p := range stamp {
				if p.X < (bounds.Min.X+bounds.Max.X)/2 {
					half.SetRGBA(p.X, p.Y, want.RGBAAt(p.X, p.Y))
				}
			}
			blank := image.NewRGBA(want.Bounds())
			draw.Draw(blank, blank.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)

			for _, c := range []struct {
				what string
				got  *image.RGBA
				ok   bool
			}{
				{"the golden", golden.Clone(want), true},
				{"the golden 4 levels lighter", golden.Lighten(want, 4), true},
				{"a blank page", blank, false},
				{"the unsigned page", unsigned, false},
				{"the golden without its stamp", erased, false},
				{"the stamp 1 px right", moved(image.Pt(1, 0)), false},
				{"the stamp 2 px down", moved(image.Pt(0, 2)), false},
				{"the stamp 2 px up and left", moved(image.Pt(-2, -2)), false},
				{"the left half of the stamp", half, false},
			} {
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

func readGolden(t *testing.T, name string) *image.RGBA {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "golden", name+".png"))
	if err != nil {
		t.Fatal(err)
	}
	return decodeRGBA(t, data)
}

func decodeRGBA(t *testing.T, data []byte) *image.RGBA {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	rgba := image.NewRGBA(img.Bounds())
	draw.Draw(rgba, rgba.Bounds(), img, img.Bounds().Min, draw.Src)
	return rgba
}

// differing lists the pixels where a and b differ: the stamp, when a is
// the signed render and b the unsigned one.
func differing(a, b *image.RGBA) []image.Point {
	var ps []image.Point
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if a.RGBAAt(x, y) != b.RGBAAt(x, y) {
				ps = append(ps, image.Pt(x, y))
			}
		}
	}
	return ps
}

func stampBounds(ps []image.Point) image.Rectangle {
	r := image.Rectangle{Min: ps[0], Max: ps[0].Add(image.Pt(1, 1))}
	for _, p := range ps {
		r = r.Union(image.Rectangle{Min: p, Max: p.Add(image.Pt(1, 1))})
	}
	return r
}

// awayFrom keeps the points of ps farther than r pixels (in x and in y)
// from every pixel of page that is not white.
func awayFrom(ps []image.Point, page *image.RGBA, r int) []image.Point {
	var kept []image.Point
next:
	for _, p := range ps {
		for y := p.Y - r; y <= p.Y+r; y++ {
			for x := p.X - r; x <= p.X+r; x++ {
				if image.Pt(x, y).In(page.Bounds()) && page.RGBAAt(x, y) != (color.RGBA{255, 255, 255, 255}) {
					continue next
				}
			}
		}
		kept = append(kept, p)
	}
	return kept
}
