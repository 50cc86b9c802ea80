package render

import (
	"bytes"
	"context"
	"crypto/x509"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/assets"
	"github.com/vanthuso/vanthu/internal/samplepdf"
	"github.com/vanthuso/vanthu/internal/testpki"
	"github.com/vanthuso/vanthu/signing/pades"
	"github.com/vanthuso/vanthu/signing/pdf"
	"github.com/vanthuso/vanthu/signing/stamp"
)

// signTime fixes the time shown in the stamps.
var signTime = time.Date(2026, 1, 5, 8, 30, 15, 0, time.UTC)

// leaderBox is where the leader's handwritten signature goes (page 1,
// unrotated user space); the agency's red seal then covers its left
// third, as Nghị định 30 wants.
var leaderBox = pdf.Rect{LLX: 330, LLY: 300, URX: 530, URY: 400}

// signedSamples signs one sample per /Rotate value twice with the test
// PKI on SoftHSM2: the leader's approval (blue signature image in
// leaderBox) and the agency's issue (red seal next to it). It returns the
// signed files by rotation.
func signedSamples(t *testing.T, rotations ...int) map[int]string {
	t.Helper()
	p := testpki.New(t)
	leader, c1, err := p.Signer(p.Leader, testpki.UserPIN)
	if err != nil {
		t.Fatalf("leader token: %v", err)
	}
	defer c1.Close()
	agency, c2, err := p.Signer(p.Agency, testpki.UserPIN)
	if err != nil {
		t.Fatalf("agency token: %v", err)
	}
	defer c2.Close()
	chain := func(c []*x509.Certificate) []*x509.Certificate {
		var out []*x509.Certificate
		for _, x := range c {
			if !bytes.Equal(x.RawIssuer, x.RawSubject) {
				out = append(out, x)
			}
		}
		return out
	}
	leaderOpts := pades.Options{Signer: leader, Certificate: p.Leader.Cert, Chain: chain(p.Leader.Chain)}
	agencyOpts := pades.Options{Signer: agency, Certificate: p.Agency.Cert, Chain: chain(p.Agency.Chain)}

	out := map[int]string{}
	dir := t.TempDir()
	for _, rot := range rotations {
		in := sample(t, fmt.Sprintf("in-%d.pdf", rot), samplepdf.Options{Title: "Quyet dinh so 05/QD-UBND", Rotate: rot})
		approved := filepath.Join(dir, fmt.Sprintf("approved-%d.pdf", rot))
		box := leaderBox
		signWithStamp(t, in, approved, leaderOpts, stamp.Options{
			Profile: stamp.Approval, Mode: stamp.ImageOnly, Page: 1, Rect: &box, SignatureImage: assets.DemoSignature,
		})
		issued := filepath.Join(dir, fmt.Sprintf("issued-%d.pdf", rot))
		signWithStamp(t, approved, issued, agencyOpts, stamp.Options{Profile: stamp.Issue, SealImage: assets.DemoSeal})
		out[rot] = issued
	}
	return out
}

// signWithStamp builds the appearance for so the way the signing dialog
// does (page geometry from pades.Inspect) and signs in into out.
func signWithStamp(t *testing.T, in, out string, o pades.Options, so stamp.Options) {
	t.Helper()
	d, err := pades.Inspect(in)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if so.Profile == stamp.Issue {
		f, ok := d.LastVisibleSignature()
		if !ok {
			t.Fatal("no visible leader signature for the seal")
		}
		r := f.Rect
		so.LeaderRect, so.LeaderPage = &r, f.Page
	}
	so.Info.Signer = o.Certificate.Subject.CommonName
	so.Info.Time = signTime
	apps, err := stamp.Build(so, d.PageGeometry)
	if err != nil {
		t.Fatal(err)
	}
	o.Appearances, o.Time = apps, signTime
	if _, err := pades.SignFile(context.Background(), in, out, o); err != nil {
		t.Fatalf("sign %s: %v", filepath.Base(in), err)
	}
}

// displayed maps a rectangle in unrotated user space of an A4 portrait
// page to pixels of the page as displayed with /Rotate rot, scale pixels
// per point.
func displayed(r pdf.Rect, rot int, scale float64) image.Rectangle {
	const w, h = 595.28, 841.89
	var x0, y0, x1, y1 float64 // displayed points, origin top left
	switch rot {
	case 0:
		x0, y0, x1, y1 = r.LLX, h-r.URY, r.URX, h-r.LLY
	case 90:
		x0, y0, x1, y1 = r.LLY, r.LLX, r.URY, r.URX
	case 180:
		x0, y0, x1, y1 = w-r.URX, r.LLY, w-r.LLX, r.URY
	case 270:
		x0, y0, x1, y1 = h-r.URY, w-r.URX, h-r.LLY, w-r.LLX
	}
	return image.Rect(int(x0*scale), int(y0*scale), int(x1*scale+0.999), int(y1*scale+0.999))
}

// colored counts the pixels in r that are clearly blue, and clearly red.
func colored(img *image.RGBA, r image.Rectangle) (blue, red int) {
	r = r.Intersect(img.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			c := img.RGBAAt(x, y)
			R, G, B := int(c.R), int(c.G), int(c.B)
			switch {
			case B > 100 && B > R+50 && B > G+30:
				blue++
			case R > 120 && R > B+60 && R > G+60:
				red++
			}
		}
	}
	return blue, red
}

// TestSignatureStampsDrawn signs samples with the real signing code (two
// visible signatures: the leader's blue handwritten signature, the
// agency's red seal over its left third) and checks that the rendered
// page shows both where the widgets are, on an upright page and on one
// turned by /Rotate 90, and nothing colored elsewhere.
func TestSignatureStampsDrawn(t *testing.T) {
	files := signedSamples(t, 0, 90)
	e := shared(t)
	for _, rot := range []int{0, 90} {
		t.Run(fmt.Sprintf("rotate%d", rot), func(t *testing.T) {
			d := open(t, e, files[rot])
			w, _ := d.PageSize(0)
			const width = 1000
			scale := width / w
			img := render(t, d, 0, width)
			// The stamps are laid out upright as the page is displayed:
			// the signature image fills the right of the leader's box,
			// the seal (36 mm) is centred on the box's left edge.
			box := displayed(leaderBox, rot, scale)
			px := func(pt float64) int { return int(pt * scale) }
			cy := (box.Min.Y + box.Max.Y) / 2
			sig := image.Rect(box.Min.X+box.Dx()/3, box.Min.Y, box.Max.X, box.Max.Y)
			if blue, _ := colored(img, sig); blue < 150 {
				t.Errorf("leader's signature %v: %d blue pixels, want the blue signature drawn", sig, blue)
			}
			seal := image.Rect(box.Min.X-px(40), cy-px(40), box.Min.X+px(20), cy+px(40))
			if _, red := colored(img, seal); red < 1000 {
				t.Errorf("seal %v: %d red pixels, want the red seal drawn", seal, red)
			}
			// Nothing colored outside the two stamps.
			around := image.Rect(box.Min.X-px(120), box.Min.Y-px(10), box.Max.X+px(10), box.Max.Y+px(10))
			b, r := colored(img, img.Bounds())
			bIn, rIn := colored(img, around)
			if b != bIn || r != rIn {
				t.Errorf("%d blue and %d red pixels outside %v", b-bIn, r-rIn, around)
			}
			if t.Failed() {
				savePNG(t, img, fmt.Sprintf("stamp-rotate%d.png", rot))
			}
		})
	}
	// The same page through poppler: an independent renderer agrees.
	t.Run("pdftoppm", func(t *testing.T) {
		compareWithPdftoppm(t, e, files[0], 0, 800, 2.0)
	})
}

// savePNG keeps a render for inspection when a test fails.
func savePNG(t *testing.T, img image.Image, name string) {
	t.Helper()
	dir := os.Getenv("VANTHU_RENDER_OUT")
	if dir == "" {
		dir = t.TempDir()
	}
	p := filepath.Join(dir, name)
	f, err := os.Create(p)
	if err != nil {
		t.Log(err)
		return
	}
	defer f.Close()
	if err := png.Encode(f, img); err == nil {
		t.Logf("render saved at %s (set VANTHU_RENDER_OUT to keep it)", p)
	}
}

// pdftoppm renders page (0-based) of path with poppler at the
// resolution that makes it widthPt points widthPx pixels wide.
func pdftoppm(t *testing.T, path string, page int, widthPt float64, widthPx int) *image.RGBA {
	t.Helper()
	prefix := filepath.Join(t.TempDir(), "ppm")
	n := fmt.Sprint(page + 1)
	dpi := fmt.Sprintf("%.6f", float64(widthPx)*72/widthPt)
	cmd := exec.Command("pdftoppm", "-f", n, "-l", n, "-png", "-singlefile", "-r", dpi, path, prefix)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm (poppler-utils): %v\n%s", err, out)
	}
	f, err := os.Open(prefix + ".png")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	src, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	img := image.NewRGBA(src.Bounds())
	for y := src.Bounds().Min.Y; y < src.Bounds().Max.Y; y++ {
		for x := src.Bounds().Min.X; x < src.Bounds().Max.X; x++ {
			img.Set(x, y, src.At(x, y))
		}
	}
	return img
}

// meanDiff compares two renders of a page after a 4×4 box filter, so
// that the libraries' different anti-aliasing and image resampling
// filters do not count but anything misplaced, missing or differently
// colored does: it returns the mean absolute difference per channel
// (0..255) over the area both images cover (poppler may round the size
// differently by a pixel), and the share of blocks whose channels differ
// by more than 64 on average.
func meanDiff(a, b *image.RGBA) (mean, far float64) {
	const k = 4
	r := a.Bounds().Intersect(b.Bounds())
	var sum, farN, n int
	for y := r.Min.Y; y+k <= r.Max.Y; y += k {
		for x := r.Min.X; x+k <= r.Max.X; x += k {
			var ca, cb [3]int
			for yy := y; yy < y+k; yy++ {
				for xx := x; xx < x+k; xx++ {
					pa, pb := a.RGBAAt(xx, yy), b.RGBAAt(xx, yy)
					ca[0], ca[1], ca[2] = ca[0]+int(pa.R), ca[1]+int(pa.G), ca[2]+int(pa.B)
					cb[0], cb[1], cb[2] = cb[0]+int(pb.R), cb[1]+int(pb.G), cb[2]+int(pb.B)
				}
			}
			d := 0
			for c := range ca {
				d += abs(ca[c]-cb[c]) / (k * k)
			}
			sum += d
			if d > 3*64 {
				farN++
			}
			n++
		}
	}
	return float64(sum) / float64(3*n), float64(farN) / float64(n)
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// compareWithPdftoppm renders page of path with the engine and with
// poppler at the same width and fails when they differ by more than tol
// on average (per channel, out of 255) or in more than 1% of 4×4 blocks.
func compareWithPdftoppm(t *testing.T, e *Engine, path string, page, width int, tol float64) {
	t.Helper()
	d := open(t, e, path)
	ours := render(t, d, page, width)
	wPt, _ := d.PageSize(page)
	theirs := pdftoppm(t, path, page, wPt, width)
	if dx, dy := ours.Bounds().Dx()-theirs.Bounds().Dx(), ours.Bounds().Dy()-theirs.Bounds().Dy(); dx < -1 || dx > 1 || dy < -1 || dy > 1 {
		t.Fatalf("size %v, pdftoppm %v", ours.Bounds(), theirs.Bounds())
	}
	mean, far := meanDiff(ours, theirs)
	t.Logf("%s page %d at %d px: mean difference from pdftoppm %.2f/255, %.3f%% blocks far off", filepath.Base(path), page, width, mean, far*100)
	if mean > tol || far > 0.01 {
		savePNG(t, ours, "ours.png")
		savePNG(t, theirs, "pdftoppm.png")
		t.Errorf("render differs from pdftoppm: mean %.2f/255 (max %.2f), %.2f%% blocks far off (max 1%%)", mean, tol, far*100)
	}
}

// TestMatchesPdftoppm cross-checks plain pages (text, an image, a filled
// form field, a rotated page) and a real document from the corpus against
// poppler.
func TestMatchesPdftoppm(t *testing.T) {
	e := shared(t)
	cases := []struct {
		name string
		o    samplepdf.Options
	}{
		{"text-image", samplepdf.Options{Pages: 2, Size: 400 << 10}},
		{"fields", samplepdf.Options{Fields: true}},
		{"rotate270", samplepdf.Options{Rotate: 270, Size: 200 << 10}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			compareWithPdftoppm(t, e, sample(t, c.name+".pdf", c.o), 0, 800, 2.0)
		})
	}
}
