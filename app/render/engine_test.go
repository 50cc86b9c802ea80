package render

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/internal/samplepdf"
)

// TestCompilationCache: an empty cache directory means compiling PDFium
// (cold start); the next engine loads the compiled module (warm start),
// which is much faster. A cache entry wazero cannot read back (here: a
// checksum mismatch) is thrown away and the module compiled again, and
// the start after that is warm again.
func TestCompilationCache(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cache")
	start := func() Stats {
		t.Helper()
		e := newEngine(t, Config{CacheDir: dir, Workers: 1})
		defer e.Close()
		d := open(t, e, sample(t, "w.pdf", samplepdf.Options{}))
		if img := render(t, d, 0, 300); dark(img, img.Bounds()) == 0 {
			t.Error("blank render")
		}
		d.Close()
		return e.Stats()
	}
	cold := start()
	if cold.WarmCache || cold.CacheError != nil || cold.CacheDir != dir {
		t.Fatalf("first start: warm %v, cache error %v, dir %q", cold.WarmCache, cold.CacheError, cold.CacheDir)
	}
	entries, _ := filepath.Glob(filepath.Join(dir, "wazero-*", "*"))
	if len(entries) != 1 {
		t.Fatalf("compilation cache holds %v, want one module", entries)
	}
	warm := start()
	t.Logf("cold start %v, warm start %v", cold.StartTime, warm.StartTime)
	if !warm.WarmCache || warm.CacheError != nil {
		t.Fatalf("second start: warm %v, cache error %v", warm.WarmCache, warm.CacheError)
	}
	if warm.StartTime >= cold.StartTime {
		t.Errorf("warm start %v not faster than cold start %v", warm.StartTime, cold.StartTime)
	}

	data, err := os.ReadFile(entries[0])
	if err != nil {
		t.Fatal(err)
	}
	for i := len(data) / 3; i < len(data)/3+64; i++ {
		data[i] ^= 0xff
	}
	if err := os.WriteFile(entries[0], data, 0o600); err != nil {
		t.Fatal(err)
	}
	repaired := start()
	t.Logf("damaged cache: start %v, %v", repaired.StartTime, repaired.CacheError)
	if repaired.CacheError == nil {
		t.Error("damaged cache entry not reported")
	}
	if again := start(); !again.WarmCache || again.CacheError != nil {
		t.Errorf("after repair: warm %v, cache error %v", again.WarmCache, again.CacheError)
	}
}

// TestUnusableCacheDir: a cache directory that cannot be created means
// compiling in memory, reported in Stats, not a failure.
func TestUnusableCacheDir(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	e := newEngine(t, Config{CacheDir: filepath.Join(file, "sub"), Workers: 1})
	s := e.Stats()
	t.Logf("start %v, %v", s.StartTime, s.CacheError)
	if s.CacheError == nil {
		t.Error("unusable cache directory not reported")
	}
	d := open(t, e, sample(t, "u.pdf", samplepdf.Options{}))
	render(t, d, 0, 200)
}

func TestNewEngineContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := NewEngine(ctx, Config{CacheDir: testCacheDir()}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
	ctx, cancel = context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	t0 := time.Now()
	e, err := NewEngine(ctx, Config{CacheDir: testCacheDir()}) // a warm start takes 100+ ms
	if err == nil {
		e.Close()
		t.Fatal("start within 1 ms")
	}
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(t0) > 100*time.Millisecond {
		t.Errorf("NewEngine returned %v after %v, want DeadlineExceeded at once", err, time.Since(t0))
	}
}

// slowPage writes a page that keeps PDFium busy for a long time: tens of
// thousands of small anti-aliased curves.
func slowPage(t testing.TB, n int) string {
	t.Helper()
	var b strings.Builder
	rng := rand.New(rand.NewPCG(3, 4))
	b.WriteString("0.2 g 0.5 w\n")
	for i := 0; i < n; i++ {
		x, y := rng.Float64()*580, rng.Float64()*830
		fmt.Fprintf(&b, "%.1f %.1f m %.1f %.1f %.1f %.1f %.1f %.1f c %.1f %.1f l h B\n",
			x, y, x+30, y+40, x-20, y+60, x+10, y+5, x+3, y-7)
	}
	return writeRawPDF(t, "slow.pdf", "/MediaBox [0 0 595 842]", b.String())
}

// TestWatchdog: a render that takes longer than RenderTimeout fails with
// ErrTimeout, and the worker carries on with a fresh instance.
func TestWatchdog(t *testing.T) {
	slow := slowPage(t, 60000)
	e := newEngine(t, Config{Workers: 1, RenderTimeout: 100 * time.Millisecond})
	d := open(t, e, slow)
	t0 := time.Now()
	_, err := d.Render(context.Background(), 0, 2000)
	t.Logf("slow render: %v after %v", err, time.Since(t0))
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("slow render: %v, want ErrTimeout", err)
	}
	if dt := time.Since(t0); dt > 5*time.Second {
		t.Errorf("watchdog took %v", dt)
	}
	// Same engine, same document: other pages of other documents work.
	ok := open(t, e, sample(t, "ok.pdf", samplepdf.Options{}))
	if img := render(t, ok, 0, 400); dark(img, img.Bounds()) == 0 {
		t.Error("render after the watchdog fired is blank")
	}
	if _, err := d.Render(context.Background(), 0, 100); err != nil && !errors.Is(err, ErrTimeout) {
		t.Errorf("small render of the slow page: %v", err)
	}
}

// TestCloseInterrupts: Engine.Close stops a render in progress instead of
// waiting for it, and everything afterwards returns ErrClosed.
func TestCloseInterrupts(t *testing.T) {
	slow := slowPage(t, 60000)
	e := newEngine(t, Config{Workers: 1, RenderTimeout: -1})
	d := open(t, e, slow)
	other := open(t, e, sample(t, "o.pdf", samplepdf.Options{Pages: 3}))
	errc := make(chan error, 2)
	go func() {
		_, err := d.Render(context.Background(), 0, 3000)
		errc <- err
	}()
	go func() {
		time.Sleep(20 * time.Millisecond) // queued behind the slow one
		_, err := other.Render(context.Background(), 1, 300)
		errc <- err
	}()
	time.Sleep(200 * time.Millisecond)
	t0 := time.Now()
	e.Close()
	if dt := time.Since(t0); dt > 2*time.Second {
		t.Errorf("Close took %v with a render in progress", dt)
	}
	for i := 0; i < 2; i++ {
		select {
		case err := <-errc:
			if !errors.Is(err, ErrClosed) {
				t.Errorf("render during Close: %v, want ErrClosed", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("render still waiting after Close")
		}
	}
	if _, err := other.Render(context.Background(), 0, 300); !errors.Is(err, ErrClosed) {
		t.Errorf("render after Close: %v", err)
	}
	if _, err := e.Open(slow); !errors.Is(err, ErrClosed) {
		t.Errorf("open after Close: %v", err)
	}
	if err := d.Close(); err != nil {
		t.Errorf("document Close after engine Close: %v", err)
	}
	e.Close()
}

func TestPrefetch(t *testing.T) {
	e := newEngine(t, Config{Workers: 1})
	d := open(t, e, sample(t, "p.pdf", samplepdf.Options{Pages: 5}))
	d.Prefetch(3, 500)
	d.Prefetch(3, 500) // once is enough
	d.Prefetch(9, 500) // ignored
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, ok := e.images.get(cacheKey{doc: d.id, page: 3, width: 500}); ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("prefetched page never reached the cache")
		}
		time.Sleep(5 * time.Millisecond)
	}
	t0 := time.Now()
	render(t, d, 3, 500)
	if dt := time.Since(t0); dt > 5*time.Millisecond {
		t.Errorf("render of a prefetched page took %v", dt)
	}
}

// TestConcurrentUse hammers the engine from many goroutines with
// overlapping pages, cancellations and a document closed midway; run
// with -race.
func TestConcurrentUse(t *testing.T) {
	e := newEngine(t, Config{Workers: 2, CacheBytes: 8 << 20})
	docs := []*Document{
		open(t, e, sample(t, "a.pdf", samplepdf.Options{Pages: 8})),
		open(t, e, sample(t, "b.pdf", samplepdf.Options{Pages: 5, Rotate: 90, Fields: true})),
		open(t, e, sample(t, "c.pdf", samplepdf.Options{Pages: 6, Size: 300 << 10})),
	}
	var wg sync.WaitGroup
	for g := 0; g < 12; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(g), 9))
			for k := 0; k < 25; k++ {
				d := docs[rng.IntN(len(docs))]
				page, width := rng.IntN(d.NumPages()), 100+100*rng.IntN(4)
				ctx, cancel := context.WithCancel(context.Background())
				if rng.IntN(4) == 0 {
					delay := time.Duration(rng.IntN(3)) * time.Millisecond
					go func() {
						time.Sleep(delay)
						cancel()
					}()
				}
				if rng.IntN(5) == 0 {
					d.Prefetch(page, width+50)
				}
				img, err := d.Render(ctx, page, width)
				cancel()
				switch {
				case err == nil:
					if img.Bounds().Dx() != width {
						t.Errorf("width %d, want %d", img.Bounds().Dx(), width)
					}
				case errors.Is(err, context.Canceled), errors.Is(err, ErrClosed):
				default:
					t.Errorf("render: %v", err)
				}
			}
		}()
	}
	time.Sleep(30 * time.Millisecond)
	docs[2].Close()
	wg.Wait()
	if _, bytes := e.images.usage(); bytes > 8<<20 {
		t.Errorf("cache holds %d bytes, over its budget", bytes)
	}
	e.mu.Lock()
	left := len(e.inflight)
	e.mu.Unlock()
	if left != 0 {
		// Prefetches may still be running; give them a moment.
		time.Sleep(500 * time.Millisecond)
		e.mu.Lock()
		left = len(e.inflight)
		e.mu.Unlock()
		if left != 0 {
			t.Errorf("%d jobs still registered after every caller returned", left)
		}
	}
	t.Log(e.Stats().describe())
}

// TestLargeFileNotLoaded: a 50 MB document is read on demand. Opening it
// and drawing its first page reads a small part of the file, and the
// instances' memory stays far below the file size.
func TestLargeFileNotLoaded(t *testing.T) {
	path := sample(t, "large.pdf", samplepdf.Options{Pages: 300, Size: 50 << 20})
	st, _ := os.Stat(path)
	e := newEngine(t, Config{Workers: 2})
	d := open(t, e, path)
	afterOpen := d.BytesRead()
	img := render(t, d, 0, 1000)
	afterFirst := d.BytesRead()
	render(t, d, 150, 1000)
	s := e.Stats()
	t.Logf("%.1f MB file, %d pages: read %d KB to open, %d KB more for page 1; %s",
		float64(st.Size())/1e6, d.NumPages(), afterOpen>>10, (afterFirst-afterOpen)>>10, s.describe())
	if dark(img, img.Bounds()) == 0 {
		t.Error("first page blank")
	}
	if afterOpen > 1<<20 {
		t.Errorf("opening read %d bytes of a %d byte file", afterOpen, st.Size())
	}
	if afterFirst-afterOpen > 2<<20 {
		t.Errorf("drawing page 1 read %d bytes (its image is ~170 KB)", afterFirst-afterOpen)
	}
	for i, m := range s.InstanceMemory {
		if m > 40<<20 {
			t.Errorf("instance %d uses %d MiB for a %d MiB file", i, m>>20, st.Size()>>20)
		}
	}
}
