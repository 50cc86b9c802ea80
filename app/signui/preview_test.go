package signui

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/app/render"
	"github.com/vanthuso/vanthu/internal/samplepdf"
	"github.com/vanthuso/vanthu/signing/pdf"
	"github.com/vanthuso/vanthu/signing/stamp"
)

func TestPageViewRoundTrip(t *testing.T) {
	media := pdf.Rect{LLX: 0, LLY: 0, URX: 595, URY: 842}
	crop := pdf.Rect{LLX: 10, LLY: 20, URX: 585, URY: 822}
	for _, rot := range []int{0, 90, 180, 270} {
		v := newPageView(pdf.PageGeometry{Number: 1, MediaBox: media, CropBox: crop, Rotate: rot})
		w, h := v.size()
		if rot%180 == 0 && (w != 575 || h != 802) || rot%180 == 90 && (w != 802 || h != 575) {
			t.Errorf("rotate %d: size %vx%v", rot, w, h)
		}
		d := dispRect{x: 30, y: 40, w: 120, h: 60}
		back := v.rectToDisplay(v.rectToUser(d))
		if abs(back.x-d.x) > 1e-9 || abs(back.y-d.y) > 1e-9 || abs(back.w-d.w) > 1e-9 || abs(back.h-d.h) > 1e-9 {
			t.Errorf("rotate %d: %+v → %+v", rot, d, back)
		}
		// The displayed top-left corner is where the viewer turns it.
		ux, uy := v.toUser(0, 0)
		want := map[int][2]float64{0: {10, 822}, 90: {10, 20}, 180: {585, 20}, 270: {585, 822}}[rot]
		if ux != want[0] || uy != want[1] {
			t.Errorf("rotate %d: top-left is user (%v,%v), want %v", rot, ux, uy, want)
		}
	}
}

func TestSignedName(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "Quyết định 05.pdf")
	touch := func(p string) {
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	touch(in)
	first := signedName(in, "đã ký")
	if first != filepath.Join(dir, "Quyết định 05 (đã ký).pdf") {
		t.Fatalf("first: %q", first)
	}
	touch(first)
	second := signedName(in, "đã ký")
	if second != filepath.Join(dir, "Quyết định 05 (đã ký 2).pdf") {
		t.Errorf("second: %q", second)
	}
	// Signing the signed copy again numbers it rather than doubling the
	// suffix.
	if again := signedName(first, "đã ký"); again != second {
		t.Errorf("signed copy signed again: %q, want %q", again, second)
	}
	if other := signedName(filepath.Join(dir, "Báo cáo (bản cuối).PDF"), "đã ký"); other != filepath.Join(dir, "Báo cáo (bản cuối) (đã ký).PDF") {
		t.Errorf("a name with brackets: %q", other)
	}
}

func TestInkOnly(t *testing.T) {
	src := image.NewRGBA(image.Rect(0, 0, 3, 1))
	src.Set(0, 0, color.RGBA{255, 255, 255, 255}) // paper
	src.Set(1, 0, color.RGBA{0, 0, 0, 255})       // black ink
	src.Set(2, 0, color.RGBA{128, 128, 255, 255}) // light blue: half-covering blue
	out := inkOnly(src)
	if c := out.NRGBAAt(0, 0); c.A != 0 {
		t.Errorf("white stays: %v", c)
	}
	if c := out.NRGBAAt(1, 0); c != (color.NRGBA{0, 0, 0, 255}) {
		t.Errorf("black: %v", c)
	}
	if c := out.NRGBAAt(2, 0); c.A != 127 || c.B != 255 || c.R > 2 {
		t.Errorf("light blue: %v", c)
	}
}

// The preview of a signature is the appearance stamp lays out, rendered:
// its ink falls inside the signature's box and nowhere else.
func TestPreviewInkInBox(t *testing.T) {
	for _, rot := range []int{0, 90, 270} {
		t.Run(fmt.Sprint(rot), func(t *testing.T) {
			q := setupUI(t)
			useFakeModule(t, newFakeModule(t))
			dir := t.TempDir()
			in := samplePDF(t, dir, "vb.pdf", samplepdf.Options{Rotate: rot})
			d, _, _ := openFixedDialog(t, q, popplerRenderer{}, in, Config{})
			waitInk(t, q, d)
			checkInk(t, d)
		})
	}
}

// checkInk checks that the rendered preview has ink inside the
// signature box and none outside.
func checkInk(t *testing.T, d *signDialog) {
	t.Helper()
	ink := d.placer.ink
	var box dispRect
	for _, b := range d.placer.boxes {
		if b.id == boxSignature {
			box = b.r
		}
	}
	if box.w == 0 {
		t.Fatal("no signature box")
	}
	v := newPageView(d.doc.geoms[d.shown])
	pw, _ := v.size()
	s := float64(ink.Bounds().Dx()) / pw
	inside, outside := 0, 0
	b := ink.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if _, _, _, a := ink.At(x, y).RGBA(); a < 0x4000 {
				continue
			}
			px, py := float64(x)/s, float64(y)/s
			if px >= box.x-2 && px <= box.x+box.w+2 && py >= box.y-2 && py <= box.y+box.h+2 {
				inside++
			} else {
				outside++
			}
		}
	}
	if inside < 100 || outside > 0 {
		t.Errorf("rotate %d: ink pixels inside the box %d, outside %d", d.doc.geoms[d.shown].Rotate, inside, outside)
	}
}

// testRenderCache is where the PDFium compilation cache of the render
// engine is kept between test runs (as app/render's tests do).
func testRenderCache() string {
	if d := os.Getenv("VANTHU_RENDER_CACHE"); d != "" {
		return d
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "vanthu", "pdfium")
	}
	return filepath.Join(os.TempDir(), "vanthu-pdfium-cache")
}

// The sign dialog with the real render engine (app/render): the page and
// the signature preview render, and the ink lands in the box.
func TestSignDialogRenderEngine(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	eng, err := render.NewEngine(ctx, render.Config{CacheDir: testRenderCache(), Workers: 1})
	if err != nil {
		t.Fatalf("render engine: %v", err)
	}
	defer eng.Close()
	q := setupUI(t)
	useFakeModule(t, newFakeModule(t))
	dir := t.TempDir()
	sig, _ := demoImages(t, dir)
	in := samplePDF(t, dir, "vb.pdf", samplepdf.Options{Pages: 2, Fields: true})
	d, _, _ := openFixedDialog(t, q, rendererFor(eng), in, Config{SignatureImage: sig})
	waitFor(t, q, "page image", func() bool { return d.pageImg != nil })
	waitInk(t, q, d)
	if d.cur.kind != placeField {
		t.Fatalf("placement %+v", d.cur)
	}
	checkInk(t, d)
	// The issue profile's seal preview, elsewhere on the page.
	d.profile.SetSelected(i18nProfile(stamp.Attachment))
	d.attachNumber.SetText("05/QĐ-UBND")
	waitInk(t, q, d)
	checkInk(t, d)
}
