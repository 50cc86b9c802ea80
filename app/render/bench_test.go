package render

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/vanthuso/vanthu/internal/pdftools"
	"github.com/vanthuso/vanthu/internal/samplepdf"
)

// The benchmarks use the document bench/renderbench measures: 300 pages,
// about 50 MB (a text line and a 170 KB image per page), rendered 1000 px
// wide, with a warm compilation cache.

var (
	largeOnce sync.Once
	largePath string
	largeErr  error
)

// largeDoc writes the 300-page document once per test binary.
func largeDoc(b *testing.B) string {
	b.Helper()
	largeOnce.Do(func() {
		dir, err := os.MkdirTemp("", "vanthu-render-bench-")
		if err != nil {
			largeErr = err
			return
		}
		largePath = filepath.Join(dir, "large.pdf")
		largeErr = samplepdf.WriteFile(largePath, samplepdf.Options{Pages: 300, Size: 50_000_000})
	})
	if largeErr != nil {
		b.Fatal(largeErr)
	}
	return largePath
}

// BenchmarkEngineStartWarm: NewEngine with the compiled module in the
// cache, one instance, then Close.
func BenchmarkEngineStartWarm(b *testing.B) {
	shared(b) // the cache holds the module
	for b.Loop() {
		e, err := NewEngine(context.Background(), Config{CacheDir: testCacheDir(), Workers: 1})
		if err != nil {
			b.Fatal(err)
		}
		e.Close()
	}
}

// BenchmarkOpenFirstPage: the file is chosen: Open the 50 MB document and
// render its first page at 1000 px (the engine already runs).
func BenchmarkOpenFirstPage(b *testing.B) {
	path := largeDoc(b)
	e := newEngine(b, Config{Workers: 2})
	for b.Loop() {
		d, err := e.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := d.Render(context.Background(), 0, 1000); err != nil {
			b.Fatal(err)
		}
		d.Close()
	}
}

// BenchmarkRenderPage: one page at 1000 px, cycling through all 300
// pages, nothing cached (scrolling through the document).
func BenchmarkRenderPage(b *testing.B) {
	e := newEngine(b, Config{Workers: 1, CacheBytes: 1})
	d := open(b, e, largeDoc(b))
	i := 0
	for b.Loop() {
		if _, err := d.Render(context.Background(), i%d.NumPages(), 1000); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkRenderPageParallel: as BenchmarkRenderPage with two workers
// and as many callers as GOMAXPROCS (thumbnails, prefetching).
func BenchmarkRenderPageParallel(b *testing.B) {
	e := newEngine(b, Config{Workers: 2, CacheBytes: 1})
	d := open(b, e, largeDoc(b))
	var mu sync.Mutex
	next := 0
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			mu.Lock()
			i := next % d.NumPages()
			next++
			mu.Unlock()
			if _, err := d.Render(context.Background(), i, 1000); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkRenderCached: a page already in the image cache.
func BenchmarkRenderCached(b *testing.B) {
	e := shared(b)
	d := open(b, e, largeDoc(b))
	render(b, d, 7, 1000)
	for b.Loop() {
		if _, err := d.Render(context.Background(), 7, 1000); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRenderScan: a page of a real scanned government document
// (CCITT G4 at 200 dpi, from the test corpus) at 1000 px, uncached.
func BenchmarkRenderScan(b *testing.B) {
	files, err := pdftools.CorpusPDFs("vn")
	if err != nil || len(files) == 0 {
		b.Fatalf("corpus: %v", err)
	}
	e := newEngine(b, Config{Workers: 1, CacheBytes: 1})
	d := open(b, e, files[len(files)-1])
	i := 0
	for b.Loop() {
		if _, err := d.Render(context.Background(), i%d.NumPages(), 1000); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkThumbnailScan: draft thumbnails (200 px) of the scanned
// document, uncached, as a page sidebar draws them.
func BenchmarkThumbnailScan(b *testing.B) {
	files, err := pdftools.CorpusPDFs("vn")
	if err != nil || len(files) == 0 {
		b.Fatalf("corpus: %v", err)
	}
	e := newEngine(b, Config{Workers: 1, CacheBytes: 1})
	d := open(b, e, files[len(files)-1])
	i := 0
	for b.Loop() {
		if _, err := d.Thumbnail(context.Background(), i%d.NumPages(), 200); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkRenderScanSmall: the same pages at 200 px with full quality,
// to compare with BenchmarkThumbnailScan.
func BenchmarkRenderScanSmall(b *testing.B) {
	files, err := pdftools.CorpusPDFs("vn")
	if err != nil || len(files) == 0 {
		b.Fatalf("corpus: %v", err)
	}
	e := newEngine(b, Config{Workers: 1, CacheBytes: 1})
	d := open(b, e, files[len(files)-1])
	i := 0
	for b.Loop() {
		if _, err := d.Render(context.Background(), i%d.NumPages(), 200); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
