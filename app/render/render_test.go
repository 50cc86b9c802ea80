package render

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/internal/pdftools"
	"github.com/vanthuso/vanthu/internal/samplepdf"
)

// testCacheDir is the compilation cache every test engine shares, so that
// only the first engine on a machine compiles PDFium: $VANTHU_RENDER_CACHE,
// else os.UserCacheDir()/vanthu/pdfium-test/<wazero and go-pdfium
// versions>. Test binaries carry no module versions, so wazero cannot
// tell a cache written by another wazero version from its own; the
// directory name does it for the tests.
func testCacheDir() string {
	testCacheOnce.Do(func() {
		if d := os.Getenv("VANTHU_RENDER_CACHE"); d != "" {
			testCache = d
			return
		}
		base, err := os.UserCacheDir()
		if err != nil {
			base = os.TempDir()
		}
		versions := "unknown"
		out, err := exec.Command("go", "list", "-m", "-f", "{{.Version}}", "github.com/tetratelabs/wazero", "github.com/klippa-app/go-pdfium").Output()
		if err == nil {
			versions = strings.Join(strings.Fields(string(out)), "-")
		}
		testCache = filepath.Join(base, "vanthu", "pdfium-test", versions)
	})
	return testCache
}

var (
	testCacheOnce sync.Once
	testCache     string
)

var (
	sharedOnce sync.Once
	sharedEng  *Engine
	sharedErr  error
)

// shared returns the engine most tests use (2 workers), started once.
func shared(t testing.TB) *Engine {
	t.Helper()
	sharedOnce.Do(func() {
		sharedEng, sharedErr = NewEngine(context.Background(), Config{CacheDir: testCacheDir(), Workers: 2})
	})
	if sharedErr != nil {
		t.Fatalf("start engine: %v", sharedErr)
	}
	return sharedEng
}

func TestMain(m *testing.M) {
	code := m.Run()
	if sharedEng != nil {
		sharedEng.Close()
	}
	os.Exit(code)
}

// newEngine starts an engine of its own for t, closed at the end.
func newEngine(t testing.TB, cfg Config) *Engine {
	t.Helper()
	if cfg.CacheDir == "" {
		cfg.CacheDir = testCacheDir()
	}
	e, err := NewEngine(context.Background(), cfg)
	if err != nil {
		t.Fatalf("start engine: %v", err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// sample writes a samplepdf document into t's temp dir.
func sample(t testing.TB, name string, o samplepdf.Options) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := samplepdf.WriteFile(p, o); err != nil {
		t.Fatal(err)
	}
	return p
}

func open(t testing.TB, e *Engine, path string) *Document {
	t.Helper()
	d, err := e.Open(path)
	if err != nil {
		t.Fatalf("open %s: %v", filepath.Base(path), err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func render(t testing.TB, d *Document, page, width int) *image.RGBA {
	t.Helper()
	img, err := d.Render(context.Background(), page, width)
	if err != nil {
		t.Fatalf("render page %d: %v", page, err)
	}
	rgba, ok := img.(*image.RGBA)
	if !ok {
		t.Fatalf("render returned %T, want *image.RGBA", img)
	}
	return rgba
}

// dark counts the pixels in r whose darkest channel is below 128.
func dark(img *image.RGBA, r image.Rectangle) int {
	n := 0
	r = r.Intersect(img.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			c := img.RGBAAt(x, y)
			if min(c.R, c.G, c.B) < 128 {
				n++
			}
		}
	}
	return n
}

// ptRect converts a rectangle in PDF points (origin bottom left, page
// height hPt, unrotated page) to pixels of an image scale px per point.
func ptRect(llx, lly, urx, ury, hPt, scale float64) image.Rectangle {
	return image.Rect(int(llx*scale), int((hPt-ury)*scale), int(urx*scale+0.999), int((hPt-lly)*scale+0.999))
}

// TestRenderPortrait renders a plain page and checks size, opacity, white
// background and the line of text where samplepdf puts it (72 pt from
// the left, baseline 770 pt from the bottom, 14 pt Helvetica).
func TestRenderPortrait(t *testing.T) {
	e := shared(t)
	d := open(t, e, sample(t, "p.pdf", samplepdf.Options{Pages: 3, Title: "Cong van so 12"}))
	if d.NumPages() != 3 {
		t.Fatalf("NumPages = %d, want 3", d.NumPages())
	}
	w, h := d.PageSize(0)
	if !near(w, 595.28, 0.01) || !near(h, 841.89, 0.01) {
		t.Fatalf("PageSize(0) = %v×%v, want A4 portrait", w, h)
	}
	if w, h := d.PageSize(3); w != 0 || h != 0 {
		t.Errorf("PageSize(3) = %v×%v, want 0×0 out of range", w, h)
	}
	img := render(t, d, 1, 1000)
	wantH := int(1000*h/w + 0.5)
	if b := img.Bounds(); b.Dx() != 1000 || b.Dy() != wantH {
		t.Fatalf("bounds %v, want 1000×%d", b, wantH)
	}
	for i := 3; i < len(img.Pix); i += 4 {
		if img.Pix[i] != 255 {
			t.Fatalf("pixel %d has alpha %d, want opaque", i/4, img.Pix[i])
		}
	}
	scale := 1000 / w
	text := ptRect(72, 765, 400, 785, h, scale)
	if n := dark(img, text); n < 200 {
		t.Errorf("text line %v: %d dark pixels, want text", text, n)
	}
	// Everything but the text line is white.
	below := image.Rect(0, text.Max.Y+10, img.Bounds().Dx(), img.Bounds().Dy())
	if n := dark(img, below); n != 0 {
		t.Errorf("%d dark pixels below the text, want a blank page", n)
	}
	if c := img.RGBAAt(900, 1300); c != (color.RGBA{255, 255, 255, 255}) {
		t.Errorf("background %v, want white", c)
	}
}

func near(a, b, tol float64) bool { return a-b <= tol && b-a <= tol }

// TestRotatedAndLandscape: /Rotate 90 swaps the displayed size, and the
// text runs top to bottom near the right edge; landscape pages are wide.
func TestRotatedAndLandscape(t *testing.T) {
	e := shared(t)
	cases := []struct {
		name string
		o    samplepdf.Options
		w, h float64
	}{
		{"rotate90", samplepdf.Options{Rotate: 90}, 841.89, 595.28},
		{"rotate180", samplepdf.Options{Rotate: 180}, 595.28, 841.89},
		{"rotate270", samplepdf.Options{Rotate: 270}, 841.89, 595.28},
		{"landscape", samplepdf.Options{Landscape: true}, 841.89, 595.28},
		{"landscape-rotate90", samplepdf.Options{Landscape: true, Rotate: 90}, 595.28, 841.89},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := open(t, e, sample(t, c.name+".pdf", c.o))
			w, h := d.PageSize(0)
			if !near(w, c.w, 0.01) || !near(h, c.h, 0.01) {
				t.Fatalf("PageSize = %v×%v, want %v×%v", w, h, c.w, c.h)
			}
			img := render(t, d, 0, 800)
			wantH := int(800*c.h/c.w + 0.5)
			if b := img.Bounds(); b.Dx() != 800 || b.Dy() != wantH {
				t.Fatalf("bounds %v, want 800×%d", b, wantH)
			}
			if dark(img, img.Bounds()) < 200 {
				t.Fatal("no text drawn")
			}
			// The title's line sits 72 pt from the top of the unrotated
			// page (portrait) or 72 pt from the top (landscape); after
			// /Rotate it is near the edge the rotation turns that side to.
			s := 800 / c.w
			bw, bh := img.Bounds().Dx(), img.Bounds().Dy()
			var edge image.Rectangle
			switch c.o.Rotate {
			case 0:
				edge = image.Rect(0, 0, bw, int(100*s))
			case 90:
				edge = image.Rect(bw-int(100*s), 0, bw, bh)
			case 180:
				edge = image.Rect(0, bh-int(100*s), bw, bh)
			case 270:
				edge = image.Rect(0, 0, int(100*s), bh)
			}
			all := dark(img, img.Bounds())
			if n := dark(img, edge); n < all*9/10 {
				t.Errorf("only %d of %d dark pixels near the expected edge %v", n, all, edge)
			}
		})
	}
}

// TestCropBox: the displayed size comes from the crop box, and only its
// content is drawn.
func TestCropBox(t *testing.T) {
	e := shared(t)
	// A 600×800 page whose crop box keeps the 300×200 lower-left
	// quarter... with a black square inside the box and another outside.
	content := "0 g 50 50 100 100 re f 400 600 100 100 re f"
	p := writeRawPDF(t, "crop.pdf", "/MediaBox [0 0 600 800] /CropBox [0 0 300 200]", content)
	d := open(t, e, p)
	w, h := d.PageSize(0)
	if !near(w, 300, 0.01) || !near(h, 200, 0.01) {
		t.Fatalf("PageSize = %v×%v, want 300×200 (crop box)", w, h)
	}
	img := render(t, d, 0, 300)
	if b := img.Bounds(); b.Dx() != 300 || b.Dy() != 200 {
		t.Fatalf("bounds %v, want 300×200", b)
	}
	// The square at (50,50)-(150,150) in points is at x 50..150, y
	// 50..150 from the top of the 200 pt high box.
	if n := dark(img, image.Rect(55, 55, 145, 145)); n != 90*90 {
		t.Errorf("inner square: %d dark pixels, want %d", n, 90*90)
	}
	if n := dark(img, image.Rect(160, 0, 300, 200)); n != 0 {
		t.Errorf("%d dark pixels right of the square, want none", n)
	}
}

// writeRawPDF writes a one-page PDF with the given page box entries and
// content stream, with a correct cross-reference table.
func writeRawPDF(t testing.TB, name, boxes, content string) string {
	t.Helper()
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Count 1 /Kids [3 0 R] >>",
		fmt.Sprintf("<< /Type /Page /Parent 2 0 R %s /Contents 4 0 R /Resources << >> >>", boxes),
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content)+1, content),
	}
	var b []byte
	b = append(b, "%PDF-1.7\n"...)
	offs := make([]int, len(objs))
	for i, o := range objs {
		offs[i] = len(b)
		b = append(b, fmt.Sprintf("%d 0 obj\n%s\nendobj\n", i+1, o)...)
	}
	xref := len(b)
	b = append(b, fmt.Sprintf("xref\n0 %d\n0000000000 65535 f\r\n", len(objs)+1)...)
	for _, o := range offs {
		b = append(b, fmt.Sprintf("%010d 00000 n\r\n", o)...)
	}
	b = append(b, fmt.Sprintf("trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)...)
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestFormFieldsDrawn: samplepdf's filled text field "HoTen" (no
// appearance stream, value "Nguyen Van An" at [72 700 300 720]) is drawn
// by the form fill environment.
func TestFormFieldsDrawn(t *testing.T) {
	e := shared(t)
	d := open(t, e, sample(t, "f.pdf", samplepdf.Options{Fields: true}))
	w, h := d.PageSize(0)
	img := render(t, d, 0, 1000)
	field := ptRect(72, 700, 300, 720, h, 1000/w)
	if n := dark(img, field); n < 100 {
		t.Errorf("text field %v: %d dark pixels, want its value drawn", field, n)
	}
}

func TestCacheAndSharing(t *testing.T) {
	e := newEngine(t, Config{Workers: 2, CacheBytes: 3 * 600 * 849 * 4})
	d := open(t, e, sample(t, "c.pdf", samplepdf.Options{Pages: 6}))
	a := render(t, d, 0, 600)
	b := render(t, d, 0, 600)
	if a != b {
		t.Error("second render of the same page and width did not come from the cache")
	}
	if c := render(t, d, 0, 601); c == a {
		t.Error("another width returned the cached image")
	}
	// Budget: three 600 px pages. Rendering pages 1..4 evicts page 0.
	for i := 1; i <= 4; i++ {
		render(t, d, i, 600)
	}
	n, bytes := e.images.usage()
	if bytes > e.cfg.CacheBytes || n != 3 {
		t.Errorf("cache holds %d images, %d bytes; want 3 within %d", n, bytes, e.cfg.CacheBytes)
	}
	if _, ok := e.images.get(cacheKey{doc: d.id, page: 0, width: 600}); ok {
		t.Error("least recently used page still cached")
	}
	// Concurrent renders of one page share one job and one image.
	var wg sync.WaitGroup
	imgs := make([]image.Image, 8)
	for k := range imgs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			img, err := d.Render(context.Background(), 5, 500)
			if err != nil {
				t.Error(err)
			}
			imgs[k] = img
		}()
	}
	wg.Wait()
	for k := range imgs {
		if imgs[k] != imgs[0] {
			t.Fatal("concurrent renders of the same page produced separate images")
		}
	}
	// Closing drops the document's images; calls after Close fail.
	d.Close()
	if n, _ := e.images.usage(); n != 0 {
		t.Errorf("%d images left after Close", n)
	}
	if _, err := d.Render(context.Background(), 0, 600); !errors.Is(err, ErrClosed) {
		t.Errorf("Render after Close: %v, want ErrClosed", err)
	}
}

func TestBadArguments(t *testing.T) {
	e := shared(t)
	d := open(t, e, sample(t, "a.pdf", samplepdf.Options{Pages: 2}))
	for _, c := range []struct{ page, width int }{{-1, 100}, {2, 100}, {0, 0}, {0, -5}, {0, maxWidth + 1}} {
		if _, err := d.Render(context.Background(), c.page, c.width); err == nil {
			t.Errorf("Render(%d, %d): no error", c.page, c.width)
		}
	}
	if _, err := e.Open(filepath.Join(t.TempDir(), "missing.pdf")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v, want os.ErrNotExist", err)
	}
}

// TestCancel: a caller whose context is cancelled returns at once even
// when its render waits behind others, and cancelled work is dropped.
func TestCancel(t *testing.T) {
	e := newEngine(t, Config{Workers: 1})
	d := open(t, e, sample(t, "big.pdf", samplepdf.Options{Pages: 40, Size: 20 << 20}))
	// Fill the single worker's queue with large renders.
	bg, stop := context.WithCancel(context.Background())
	defer stop()
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d.Render(bg, i, 2500)
		}()
	}
	time.Sleep(50 * time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := d.Render(ctx, 39, 2500)
		errc <- err
	}()
	time.Sleep(20 * time.Millisecond)
	t0 := time.Now()
	cancel()
	select {
	case err := <-errc:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled Render: %v, want context.Canceled", err)
		}
		if dt := time.Since(t0); dt > 50*time.Millisecond {
			t.Errorf("cancelled Render returned after %v", dt)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("cancelled Render did not return")
	}
	// An already cancelled context never queues anything.
	if _, err := d.Render(ctx, 38, 100); !errors.Is(err, context.Canceled) {
		t.Errorf("Render with a cancelled context: %v", err)
	}
	// Opening waits behind nothing but other opens; a cancelled one
	// returns at once and leaves no document behind.
	if _, err := e.OpenContext(ctx, sample(t, "x.pdf", samplepdf.Options{})); !errors.Is(err, context.Canceled) {
		t.Errorf("OpenContext with a cancelled context: %v", err)
	}
	stop()
	wg.Wait()
	// The queued renders were dropped, not run: far fewer than 20 images.
	if n, _ := e.images.usage(); n > 5 {
		t.Errorf("%d images rendered after cancelling, want the queued ones dropped", n)
	}
}

// TestThumbnail: drafts of a scanned government page (CCITT images) have
// the right size, are cached apart from full renders, and look like them
// (scaled without smoothing, the same after a 4×4 box filter).
func TestThumbnail(t *testing.T) {
	files, err := pdftools.CorpusPDFs("vn")
	if err != nil || len(files) == 0 {
		t.Fatalf("corpus: %v", err)
	}
	e := shared(t)
	d := open(t, e, files[len(files)-1])
	t0 := time.Now()
	th, err := d.Thumbnail(context.Background(), 1, 300)
	if err != nil {
		t.Fatal(err)
	}
	tThumb := time.Since(t0)
	t0 = time.Now()
	full := render(t, d, 1, 300)
	tFull := time.Since(t0)
	t.Logf("scanned page at 300 px: thumbnail %v, render %v", tThumb, tFull)
	thumb := th.(*image.RGBA)
	if thumb == full || thumb.Bounds() != full.Bounds() {
		t.Fatalf("thumbnail %v shares or differs from render %v", thumb.Bounds(), full.Bounds())
	}
	if dark(thumb, thumb.Bounds()) == 0 {
		t.Fatal("blank thumbnail")
	}
	again, _ := d.Thumbnail(context.Background(), 1, 300)
	if again != th {
		t.Error("thumbnail not cached")
	}
	if mean, far := meanDiff(thumb, full); mean > 12 || far > 0.05 {
		t.Errorf("thumbnail differs from render: mean %.1f/255, %.1f%% blocks far off", mean, far*100)
	} else {
		t.Logf("thumbnail vs render: mean %.1f/255, %.2f%% blocks far off", mean, far*100)
	}
}

// describe is a one-line summary used in test logs.
func (s Stats) describe() string {
	var b strings.Builder
	fmt.Fprintf(&b, "start %v (warm cache %v), %d workers, memory", s.StartTime.Round(time.Millisecond), s.WarmCache, s.Workers)
	for _, m := range s.InstanceMemory {
		fmt.Fprintf(&b, " %.1f MiB", float64(m)/(1<<20))
	}
	fmt.Fprintf(&b, ", %d images %.1f MiB", s.Images, float64(s.ImageBytes)/(1<<20))
	return b.String()
}
