// Command renderbench measures page rendering (app/render: PDFium in
// WebAssembly) the way the desktop client uses it, on a generated
// 300-page, ~50 MB PDF:
//
//   - engine start, cold (empty compilation cache: wazero compiles PDFium)
//     and warm (the compiled module is loaded from the cache);
//   - "file chosen" to first page: Open plus Render of page 1 at a typical
//     width (1000 px), on an engine already started with a warm cache;
//   - per-page render time while scrolling through every page in order;
//   - peak RSS of a process that starts warm, opens the file and scrolls
//     through it, with the default image cache and with 64 MiB, and the
//     memory of each PDFium instance;
//   - the same for the first 20 pages of a real scanned document (by
//     default one of the test corpus: a CCITT image per page), with the
//     time of a draft (Thumbnail) of each page next to its render.
//
// Every measurement runs in a child process of its own (renderbench
// re-executes itself), so that start-up is really cold or warm and the
// peak RSS belongs to one viewer. The generated file is kept in -dir and
// reused by later runs; the compilation cache is a fresh directory under
// -dir, removed at the end (the user's own cache is not touched).
//
//	go run ./bench/renderbench                    # the defaults below
//	go run ./bench/renderbench -runs 10 -width 1400 -scan some-scan.pdf
//
// It prints a short table to stdout. Goals (printed, not asserted): first
// page within 300 ms of the file being chosen, warm cache.
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vanthuso/vanthu/app/render"
	"github.com/vanthuso/vanthu/internal/pdftools"
	"github.com/vanthuso/vanthu/internal/samplepdf"
)

// goalFirstPage is the product goal for "file chosen" to first page.
const goalFirstPage = 300 * time.Millisecond

type options struct {
	dir      string
	pages    int
	size     int64
	width    int
	workers  int
	runs     int
	scan     string
	child    string
	file     string
	cacheDir string
	maxPages int
	cacheMiB int64
	draft    bool
}

func main() {
	var o options
	flag.StringVar(&o.dir, "dir", filepath.Join(os.TempDir(), "vanthu-renderbench"), "work directory: the generated PDF (kept and reused) and a temporary compilation cache")
	flag.IntVar(&o.pages, "pages", 300, "pages of the generated document")
	flag.Int64Var(&o.size, "size", 50_000_000, "approximate size of the generated document in bytes")
	flag.IntVar(&o.width, "width", 1000, "render width in pixels")
	flag.IntVar(&o.workers, "workers", 2, "PDFium instances (render.Config.Workers)")
	flag.IntVar(&o.runs, "runs", 5, "warm starts and open-to-first-page measurements, each in its own process")
	flag.StringVar(&o.scan, "scan", "auto", `an extra real document to measure too ("auto": a scanned government PDF from the test corpus when found, "" none)`)
	flag.StringVar(&o.child, "child", "", "internal: run one measurement (cold, first, scroll) and print key=value")
	flag.StringVar(&o.file, "file", "", "internal: the document of a child")
	flag.StringVar(&o.cacheDir, "cache-dir", "", "internal: the compilation cache of a child")
	flag.IntVar(&o.maxPages, "max-pages", 0, "internal: pages a scroll child renders (0 = all)")
	flag.BoolVar(&o.draft, "draft", false, "internal: a scroll child also times a draft (Thumbnail) of each page, before its render")
	flag.Int64Var(&o.cacheMiB, "cache-mib", 0, "render.Config.CacheBytes in MiB (0 = the engine's default, 256 MiB); the scroll is also measured with 64 MiB")
	flag.Parse()
	if flag.NArg() > 0 {
		fail(fmt.Errorf("unexpected arguments %q", flag.Args()))
	}
	var err error
	if o.child != "" {
		err = runChild(o)
	} else {
		err = runParent(o)
	}
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "renderbench:", err)
	os.Exit(1)
}

// runChild does one measurement in this process and prints one line of
// key=value pairs (durations in milliseconds).
func runChild(o options) error {
	ctx := context.Background()
	cfg := render.Config{CacheDir: o.cacheDir, Workers: o.workers, CacheBytes: o.cacheMiB << 20}
	t0 := time.Now()
	eng, err := render.NewEngine(ctx, cfg)
	if err != nil {
		return err
	}
	defer eng.Close()
	start := time.Since(t0)
	st := eng.Stats()
	out := []string{kv("start_ms", ms(start)), kv("warm", strconv.FormatBool(st.WarmCache))}
	if st.CacheError != nil {
		return fmt.Errorf("compilation cache: %w", st.CacheError)
	}
	if o.child == "cold" {
		fmt.Println(strings.Join(out, " "))
		return nil
	}

	// "File chosen": open and draw the first page.
	t1 := time.Now()
	doc, err := eng.Open(o.file)
	if err != nil {
		return err
	}
	opened := time.Since(t1)
	readOpen := doc.BytesRead()
	img, err := doc.Render(ctx, 0, o.width)
	if err != nil {
		return err
	}
	first := time.Since(t1)
	out = append(out, kv("open_ms", ms(opened)), kv("first_ms", ms(first)),
		kv("pages", doc.NumPages()), kv("height", img.Bounds().Dy()),
		kv("read_open", readOpen), kv("read_first", doc.BytesRead()-readOpen))

	if o.child == "scroll" {
		n := doc.NumPages()
		if o.maxPages > 0 {
			n = min(n, o.maxPages)
		}
		var times, drafts []string
		var total time.Duration
		for i := 1; i < n; i++ {
			if o.draft {
				t := time.Now()
				if _, err := doc.Thumbnail(ctx, i, o.width); err != nil {
					return err
				}
				drafts = append(drafts, ms(time.Since(t)))
			}
			t := time.Now()
			if _, err := doc.Render(ctx, i, o.width); err != nil {
				return err
			}
			total += time.Since(t)
			times = append(times, ms(time.Since(t)))
		}
		st = eng.Stats()
		var mem []string
		for _, m := range st.InstanceMemory {
			mem = append(mem, strconv.FormatInt(m, 10))
		}
		var mst runtime.MemStats
		runtime.ReadMemStats(&mst)
		out = append(out, kv("scroll_ms", ms(total)), kv("read_total", doc.BytesRead()),
			kv("instance_mem", strings.Join(mem, ",")), kv("image_bytes", st.ImageBytes),
			kv("go_heap_sys", mst.HeapSys), kv("page_ms", strings.Join(times, ",")))
		if o.draft {
			out = append(out, kv("draft_ms", strings.Join(drafts, ",")))
		}
	}
	doc.Close()
	fmt.Println(strings.Join(out, " "))
	return nil
}

func kv(k string, v any) string { return fmt.Sprintf("%s=%v", k, v) }

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 3, 64)
}

// result is one child's output and its peak RSS.
type result struct {
	kv     map[string]string
	rssKiB int64
}

func (r result) dur(k string) time.Duration {
	f, _ := strconv.ParseFloat(r.kv[k], 64)
	return time.Duration(f * float64(time.Millisecond))
}

func (r result) int(k string) int64 {
	n, _ := strconv.ParseInt(r.kv[k], 10, 64)
	return n
}

// child runs this program with -child mode and returns what it printed.
func child(o options, mode, file string, extra ...string) (result, error) {
	exe, err := os.Executable()
	if err != nil {
		return result{}, err
	}
	args := append([]string{"-child", mode, "-file", file, "-cache-dir", o.cacheDir,
		"-workers", strconv.Itoa(o.workers), "-width", strconv.Itoa(o.width),
		"-cache-mib", strconv.FormatInt(o.cacheMiB, 10)}, extra...)
	cmd := exec.Command(exe, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return result{}, fmt.Errorf("%s: %w\n%s", mode, err, stderr.String())
	}
	r := result{kv: map[string]string{}, rssKiB: peakRSSKiB(cmd.ProcessState)}
	sc := bufio.NewScanner(&stdout)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	var last string
	for sc.Scan() {
		last = sc.Text()
	}
	for _, f := range strings.Fields(last) {
		k, v, _ := strings.Cut(f, "=")
		r.kv[k] = v
	}
	if len(r.kv) == 0 {
		return result{}, fmt.Errorf("%s printed nothing", mode)
	}
	return r, nil
}

// ensureDocument writes the sample document unless a file of about the
// right size from an earlier run is there.
func ensureDocument(o options) (string, bool, error) {
	path := filepath.Join(o.dir, fmt.Sprintf("sample-%dp-%dMB.pdf", o.pages, o.size/1_000_000))
	if st, err := os.Stat(path); err == nil && st.Size() > o.size*9/10 && st.Size() < o.size*11/10 {
		return path, true, nil
	}
	err := samplepdf.WriteFile(path, samplepdf.Options{Pages: o.pages, Size: o.size, Title: "Van ban thu nghiem hien thi"})
	return path, false, err
}

func runParent(o options) error {
	if o.runs < 1 || o.pages < 1 || o.width < 1 {
		return errors.New("-runs, -pages and -width must be positive")
	}
	if err := os.MkdirAll(o.dir, 0o755); err != nil {
		return err
	}
	doc, reused, err := ensureDocument(o)
	if err != nil {
		return fmt.Errorf("generate document: %w", err)
	}
	st, err := os.Stat(doc)
	if err != nil {
		return err
	}
	cache, err := os.MkdirTemp(o.dir, "cache-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(cache)
	o.cacheDir = cache

	how := "generated"
	if reused {
		how = "reused"
	}
	fmt.Printf("renderbench: app/render (go-pdfium WebAssembly, wazero), %d workers, %d px wide, %d cores, %s\n",
		o.workers, o.width, runtime.NumCPU(), runtime.Version())
	fmt.Printf("document: %s (%s), %d pages, %.1f MB, in the page cache\n", doc, how, o.pages, float64(st.Size())/1e6)
	fmt.Printf("load average at start: %s\n", loadAvg())

	cold, err := child(o, "cold", doc)
	if err != nil {
		return err
	}
	if cold.kv["warm"] != "false" {
		return errors.New("cold start found a compiled module in a fresh cache")
	}
	var warm, firsts, opens []time.Duration
	for i := 0; i < o.runs; i++ {
		r, err := child(o, "first", doc)
		if err != nil {
			return err
		}
		if r.kv["warm"] != "true" {
			return errors.New("warm start found no compiled module")
		}
		warm = append(warm, r.dur("start_ms"))
		firsts = append(firsts, r.dur("first_ms"))
		opens = append(opens, r.dur("open_ms"))
	}
	scroll, err := child(o, "scroll", doc)
	if err != nil {
		return err
	}
	firsts = append(firsts, scroll.dur("first_ms"))
	warm = append(warm, scroll.dur("start_ms"))
	opens = append(opens, scroll.dur("open_ms"))
	pages := parseDurations(scroll.kv["page_ms"])
	small := o
	small.cacheMiB = 64
	scrollSmall, err := child(small, "scroll", doc)
	if err != nil {
		return err
	}

	var scan *result
	var scanPages []time.Duration
	scanFile := o.scan
	if scanFile == "auto" {
		scanFile = ""
		if files, err := pdftools.CorpusPDFs("vn"); err == nil && len(files) > 0 {
			scanFile = files[len(files)-1]
		}
	}
	if scanFile != "" {
		r, err := child(o, "scroll", scanFile, "-max-pages", "20", "-draft")
		if err != nil {
			return err
		}
		scan, scanPages = &r, parseDurations(r.kv["page_ms"])
	}

	fmt.Println()
	fmt.Printf("%-46s %5s %9s %9s %9s %9s\n", "", "n", "median", "p95", "min", "max")
	row := func(name string, d []time.Duration) {
		s := summarize(d)
		fmt.Printf("%-46s %5d %9s %9s %9s %9s\n", name, len(d), fmtDur(s.median), fmtDur(s.p95), fmtDur(s.min), fmtDur(s.max))
	}
	row("engine start, cold (compile PDFium)", []time.Duration{cold.dur("start_ms")})
	row("engine start, warm (compilation cache)", warm)
	row("open (page count and sizes)", opens)
	row("file chosen -> first page (Open+Render)", firsts)
	row(fmt.Sprintf("render per page, scrolling pages 2-%d", o.pages), pages)
	if scan != nil {
		row("scan: file chosen -> first page", []time.Duration{scan.dur("first_ms")})
		row(fmt.Sprintf("scan: render per page, pages 2-%d", len(scanPages)+1), scanPages)
		row(fmt.Sprintf("scan: draft (Thumbnail) per page, pages 2-%d", len(scanPages)+1), parseDurations(scan.kv["draft_ms"]))
	}
	fmt.Println()
	fs := summarize(firsts)
	verdict := "met"
	if fs.median > goalFirstPage {
		verdict = "NOT met"
	}
	fmt.Printf("goal: first page within %v of the file being chosen (warm cache): %s (median %s, max %s)\n",
		goalFirstPage, verdict, fmtDur(fs.median), fmtDur(fs.max))
	fmt.Printf("scroll: %d pages in %s (%.0f pages/s, one at a time)\n", len(pages)+1, fmtDur(scroll.dur("scroll_ms")),
		float64(len(pages))/scroll.dur("scroll_ms").Seconds())
	cacheName := "default 256 MiB"
	if o.cacheMiB > 0 {
		cacheName = fmt.Sprintf("%d MiB", o.cacheMiB)
	}
	fmt.Printf("memory: peak RSS %s (warm start, open, first page, scroll through all %d pages; CacheBytes %s); cold start process %s\n",
		mib(scroll.rssKiB<<10), o.pages, cacheName, mib(cold.rssKiB<<10))
	fmt.Printf("        PDFium instances %s; rendered images in the cache %s; Go heap %s\n",
		mibList(scroll.kv["instance_mem"]), mib(scroll.int("image_bytes")), mib(scroll.int("go_heap_sys")))
	fmt.Printf("        the same scroll with CacheBytes 64 MiB: peak RSS %s, images %s, Go heap %s, per page median %s\n",
		mib(scrollSmall.rssKiB<<10), mib(scrollSmall.int("image_bytes")), mib(scrollSmall.int("go_heap_sys")),
		fmtDur(summarize(parseDurations(scrollSmall.kv["page_ms"])).median))
	fmt.Printf("file read: %s to open, %s more for page 1, %s for the whole scroll (each instance reads what it draws) of %s\n",
		kb(scroll.int("read_open")), kb(scroll.int("read_first")), mb(scroll.int("read_total")), mb(st.Size()))
	if scan != nil {
		fmt.Printf("scan: %s, %s pages (%s), peak RSS %s, instances %s\n", filepath.Base(scanFile), scan.kv["pages"],
			"CCITT G4 images at 200 dpi", mib(scan.rssKiB<<10), mibList(scan.kv["instance_mem"]))
	}
	fmt.Printf("load average at end: %s\n", loadAvg())
	return nil
}

type summary struct{ median, p95, min, max time.Duration }

func summarize(d []time.Duration) summary {
	if len(d) == 0 {
		return summary{}
	}
	s := slices.Clone(d)
	slices.Sort(s)
	pick := func(q float64) time.Duration { return s[min(len(s)-1, int(q*float64(len(s))))] }
	return summary{median: pick(0.5), p95: pick(0.95), min: s[0], max: s[len(s)-1]}
}

func parseDurations(s string) []time.Duration {
	var out []time.Duration
	for _, f := range strings.Split(s, ",") {
		if v, err := strconv.ParseFloat(f, 64); err == nil {
			out = append(out, time.Duration(v*float64(time.Millisecond)))
		}
	}
	return out
}

func fmtDur(d time.Duration) string {
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	case d >= 10*time.Millisecond:
		return fmt.Sprintf("%.0f ms", float64(d)/1e6)
	default:
		return fmt.Sprintf("%.1f ms", float64(d)/1e6)
	}
}

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

func kb(b int64) string { return fmt.Sprintf("%.0f KB", float64(b)/1e3) }

func mb(b int64) string { return fmt.Sprintf("%.1f MB", float64(b)/1e6) }

func mibList(s string) string {
	var parts []string
	for _, f := range strings.Split(s, ",") {
		if n, err := strconv.ParseInt(f, 10, 64); err == nil {
			parts = append(parts, mib(n))
		}
	}
	return strings.Join(parts, " + ")
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
