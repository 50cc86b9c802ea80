package app

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/vanthuso/vanthu/app/render"
	"github.com/vanthuso/vanthu/internal/samplepdf"
)

// BenchmarkScroll measures the work the UI goroutine does per scroll step
// (one mouse-wheel step of 120 units) through a 300-page document shown
// at fit width in a 1366×768-like window: the scroll container moving,
// the strip binding page widgets, starting and cancelling renders, and
// putting the images that arrived meanwhile on screen. Rendering itself
// runs in goroutines and is not counted, except as it competes for the
// CPU. It reports the mean (ns/op) and the worst step (max-ms), which the
// first release bounds at 50 ms ("scrolling never blocks input for more
// than 50 ms"):
//
//	go test ./app/ -run '^$' -bench BenchmarkScroll -benchtime 2000x
//
// "fake" draws simple pictures; "pdfium" renders a 300-page PDF with
// app/render.
func BenchmarkScroll(b *testing.B) {
	b.Run("fake", func(b *testing.B) {
		benchmarkScroll(b, newFakeSource(300))
	})
	b.Run("pdfium", func(b *testing.B) {
		dir := b.TempDir()
		path := filepath.Join(dir, "300.pdf")
		if err := samplepdf.WriteFile(path, samplepdf.Options{Pages: 300}); err != nil {
			b.Fatal(err)
		}
		eng, err := render.NewEngine(context.Background(), render.Config{CacheDir: filepath.Join(userCacheDir(), "pdfium"), Workers: renderWorkers()})
		if err != nil {
			b.Fatalf("render engine: %v", err)
		}
		defer eng.Close()
		doc, err := eng.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		defer doc.Close()
		benchmarkScroll(b, doc)
	})
}

func benchmarkScroll(b *testing.B, src pageSource) {
	test.NewTempApp(b)
	q := useUIQueue(b)
	s := newPageStrip(stripPages, src, zoom{mode: zoomFitWidth})
	w := test.NewTempWindow(b, s.build())
	w.SetPadded(false)
	w.Resize(fyne.NewSize(880, 680)) // the pages' area of a 1366×768 window
	q.settle()
	defer s.close()

	steps := make([]time.Duration, 0, b.N)
	dy := float32(-120)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if y := s.scroll.Offset.Y; (dy < 0 && y >= s.tops[s.n]-s.scroll.Size().Height-1) || (dy > 0 && y <= 0) {
			dy = -dy
		}
		t0 := time.Now()
		s.scroll.Scrolled(&fyne.ScrollEvent{Scrolled: fyne.NewDelta(0, dy)})
		q.drain()
		steps = append(steps, time.Since(t0))
	}
	b.StopTimer()
	slices.Sort(steps)
	b.ReportMetric(float64(steps[len(steps)-1].Microseconds())/1000, "max-ms")
	b.ReportMetric(float64(steps[len(steps)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(s.last-s.first+1), "visible-pages")
}
