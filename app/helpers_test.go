package app

import (
	"bytes"
	"context"
	"flag"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/signing/trustlist"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/vanthuso/vanthu/app/i18n"
	"github.com/vanthuso/vanthu/app/render"
	"github.com/vanthuso/vanthu/app/signui"
	"github.com/vanthuso/vanthu/signing/verify"
)

// update rewrites the golden files in testdata/ from what the tests see:
//
//	go test ./app/ -run TestName -update
var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// uiQueue stands in for the UI goroutine: runOnUI queues functions and
// the test goroutine runs them in drain, so widgets are only ever touched
// by the test goroutine (as by the UI goroutine in the real app).
type uiQueue struct {
	mu sync.Mutex
	fn []func()
	ch chan struct{}
}

// testQueue is the UI goroutine of the whole test binary, installed by
// TestMain before any goroutine starts and never removed: a goroutine a
// test left behind posts here, and its work runs on a test goroutine
// later, never concurrently with widgets in use.
var testQueue = &uiQueue{ch: make(chan struct{}, 1)}

func TestMain(m *testing.M) {
	runOnUI = testQueue.post
	runOnUIAndWait = func(f func()) {
		done := make(chan struct{})
		testQueue.post(func() { f(); close(done) })
		<-done
	}
	// The workstation's trust store is not the tests' business: an empty
	// one, the shipped list alone.
	dir, err := os.MkdirTemp("", "vanthu-trust-")
	if err != nil {
		panic(err)
	}
	os.Setenv(trustlist.EnvDir, dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// useUIQueue returns the queue, with what earlier tests left run first.
func useUIQueue(t testing.TB) *uiQueue {
	testQueue.drain()
	return testQueue
}

func (q *uiQueue) post(f func()) {
	q.mu.Lock()
	q.fn = append(q.fn, f)
	q.mu.Unlock()
	select {
	case q.ch <- struct{}{}:
	default:
	}
}

// drain runs what is queued now and returns how many functions ran.
func (q *uiQueue) drain() int {
	n := 0
	for {
		q.mu.Lock()
		fns := q.fn
		q.fn = nil
		q.mu.Unlock()
		if len(fns) == 0 {
			return n
		}
		for _, f := range fns {
			f()
			n++
		}
	}
}

// until drains until cond holds, failing the test after a while.
func (q *uiQueue) until(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		q.drain()
		if cond() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		select {
		case <-q.ch:
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// settle drains until nothing has arrived for a short while.
func (q *uiQueue) settle() {
	quiet := 0
	for quiet < 5 {
		if q.drain() == 0 {
			quiet++
		} else {
			quiet = 0
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// fakeSource is a document of n pages drawn as simple pictures: a
// coloured band whose hue depends on the page, grey text lines, a frame.
type fakeSource struct {
	sizes   [][2]float64
	renders atomic.Int64
	cancels atomic.Int64
	// block makes Render wait until its context ends (to test
	// cancellation) when set.
	block bool
	// rendered records which pages were asked for.
	mu       sync.Mutex
	rendered map[int]int
	closed   atomic.Bool
}

func newFakeSource(n int) *fakeSource {
	f := &fakeSource{rendered: map[int]int{}}
	for i := 0; i < n; i++ {
		f.sizes = append(f.sizes, [2]float64{595, 842})
	}
	return f
}

func (f *fakeSource) NumPages() int { return len(f.sizes) }

func (f *fakeSource) PageSize(i int) (float64, float64) {
	if i < 0 || i >= len(f.sizes) {
		return 0, 0
	}
	return f.sizes[i][0], f.sizes[i][1]
}

func (f *fakeSource) Render(ctx context.Context, i, widthPx int) (image.Image, error) {
	f.mu.Lock()
	f.rendered[i]++
	f.mu.Unlock()
	if f.block {
		<-ctx.Done()
		f.cancels.Add(1)
		return nil, ctx.Err()
	}
	if err := ctx.Err(); err != nil {
		f.cancels.Add(1)
		return nil, err
	}
	f.renders.Add(1)
	return drawFakePage(i, widthPx, f.sizes[i]), nil
}

func (f *fakeSource) Close() error {
	f.closed.Store(true)
	return nil
}

func (f *fakeSource) pagesRendered() map[int]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[int]int{}
	for k, v := range f.rendered {
		out[k] = v
	}
	return out
}

// drawFakePage draws page i widthPx wide.
func drawFakePage(i, widthPx int, size [2]float64) image.Image {
	h := int(float64(widthPx) * size[1] / size[0])
	img := image.NewRGBA(image.Rect(0, 0, widthPx, h))
	band := color.RGBA{R: uint8(40 + 37*i%200), G: uint8(90 + 53*i%150), B: uint8(160 + 29*i%90), A: 255}
	grey := color.RGBA{R: 0xb0, G: 0xb0, B: 0xb0, A: 255}
	for y := 0; y < h; y++ {
		row := img.Pix[y*img.Stride : y*img.Stride+widthPx*4]
		for x := 0; x < widthPx; x++ {
			c := color.RGBA{R: 255, G: 255, B: 255, A: 255}
			switch {
			case x < 2 || y < 2 || x >= widthPx-2 || y >= h-2:
				c = grey
			case y > h/12 && y < h/6 && x > widthPx/10 && x < widthPx*9/10:
				c = band
			case y > h/5 && (y/(h/40+1))%2 == 0 && y%(h/40+1) < max(1, h/200) && x > widthPx/10 && x < widthPx*8/10:
				c = grey
			}
			row[x*4], row[x*4+1], row[x*4+2], row[x*4+3] = c.R, c.G, c.B, c.A
		}
	}
	return img
}

// fakeOpen opens every path as a fake document of n pages.
func fakeOpen(n int) (openFunc, func() []*fakeSource) {
	var mu sync.Mutex
	var opened []*fakeSource
	return func(ctx context.Context, path string) (docSource, error) {
			f := newFakeSource(n)
			mu.Lock()
			opened = append(opened, f)
			mu.Unlock()
			return f, nil
		}, func() []*fakeSource {
			mu.Lock()
			defer mu.Unlock()
			return append([]*fakeSource(nil), opened...)
		}
}

// fakeServices are reader services with fake documents and a fixed
// verification report.
func fakeServices(t testing.TB, pages int, rep *verify.Report) *readerServices {
	open, _ := fakeOpen(pages)
	return &readerServices{
		open: open,
		verify: func(ctx context.Context, path string) (*verify.Report, error) {
			return rep, nil
		},
		extract: func(path string, i int, out string) error {
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			return os.WriteFile(out, b, 0o600)
		},
		revisionsDir: t.TempDir(),
	}
}

// fakeSigning records the signui calls.
type fakeSigning struct {
	signed  []string
	batches int
	done    func(string)
}

// fakeToken stands in for signui.TokenStatus.
type fakeToken struct {
	widget.BaseWidget
	stopped bool
}

func newFakeToken() *fakeToken {
	f := &fakeToken{}
	f.ExtendBaseWidget(f)
	return f
}

func (f *fakeToken) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(widget.NewLabel("Khóa ký số: (giả lập)"))
}

func (f *fakeSigning) ui() signingUI {
	return signingUI{
		newTokenStatus: func(cfg func() signui.Config) tokenWidget {
			return newFakeToken()
		},
		showSign: func(win fyne.Window, eng *render.Engine, path string, page int, cfg signui.Config, done func(string)) {
			f.signed = append(f.signed, path)
			f.done = done
		},
		showBatch: func(win fyne.Window, cfg signui.Config) { f.batches++ },
	}
}

func (f *fakeToken) Stop() { f.stopped = true }

// writeFile writes a small file (a stand-in PDF for the fake opener).
func writeFile(t testing.TB, dir, name string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte("%PDF-1.7\n%%EOF\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// assertMarkup compares the canvas with testdata/name, or rewrites it
// with -update; it also fails on a missing sentence ("⟦key⟧").
func assertMarkup(t *testing.T, name string, c fyne.Canvas) {
	t.Helper()
	got := test.RenderToMarkup(c)
	if strings.Contains(got, "⟦") {
		i := strings.Index(got, "⟦")
		t.Errorf("%s: a sentence is missing from the catalogue: %s", name, got[i:min(len(got), i+60)])
	}
	if *update {
		writeGolden(t, name, []byte(got))
		return
	}
	test.AssertRendersToMarkup(t, name, c)
}

// assertImage compares the canvas picture with testdata/name, or
// rewrites it with -update.
func assertImage(t *testing.T, name string, c fyne.Canvas) {
	t.Helper()
	img := c.Capture()
	if *update {
		var b bytes.Buffer
		if err := png.Encode(&b, img); err != nil {
			t.Fatal(err)
		}
		writeGolden(t, name, b.Bytes())
		return
	}
	test.AssertImageMatches(t, name, img)
}

func writeGolden(t *testing.T, name string, b []byte) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s", p)
}

// inLang runs the test in language l and restores Vietnamese.
func inLang(t testing.TB, l i18n.Lang) {
	i18n.SetLang(l)
	t.Cleanup(func() { i18n.SetLang(i18n.Vietnamese) })
}

// waitDrawn waits until every page widget of s shows its page at the
// width it wants.
func waitDrawn(t testing.TB, q *uiQueue, s *pageStrip) {
	t.Helper()
	q.until(t, "pages drawn", func() bool {
		if len(s.slots) == 0 {
			return false
		}
		for p, sl := range s.slots {
			if sl.shownImage == nil || sl.shownWidth != s.renderWidth(p) {
				return false
			}
		}
		return true
	})
}

// waitDoc waits until v is open, checked and its visible pages and
// thumbnails drawn.
func waitDoc(t testing.TB, q *uiQueue, v *docView) {
	t.Helper()
	q.until(t, "document shown", func() bool { return v.settled() })
	waitDrawn(t, q, v.pages)
	waitDrawn(t, q, v.thumbs)
}
