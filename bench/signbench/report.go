package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
)

// Goals from the issue; printed next to the results, never asserted.
const (
	goalLargeRatio  = 1.5  // 200 MB: ours' wall time at most this many times the floor's
	goalLargeRSSMiB = 64   // 200 MB: ours' peak RSS
	goalSmallMs     = 20.0 // 1 MB: ours' signing time, plus one token operation
	smallLabel      = "1MB"
	largeLabel      = "200MB"
)

// record is one line of the raw file bench.sh writes: key=value pairs.
type record map[string]string

func (r record) num(k string) (float64, bool) {
	v, ok := r[k]
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(v, 64)
	return f, err == nil
}

func parseRecords(rd io.Reader) ([]record, error) {
	var recs []record
	sc := bufio.NewScanner(rd)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		r := record{}
		for _, f := range strings.Fields(line) {
			k, v, ok := strings.Cut(f, "=")
			if !ok {
				return nil, fmt.Errorf("line %d: %q is not key=value", n, f)
			}
			r[k] = v
		}
		if r["kind"] == "" {
			return nil, fmt.Errorf("line %d: no kind", n)
		}
		recs = append(recs, r)
	}
	return recs, sc.Err()
}

// stats summarises repeated measurements of one quantity.
type stats struct {
	n                 int
	median, min, max float64
}

func summarize(xs []float64) stats {
	if len(xs) == 0 {
		return stats{}
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return stats{n: len(s), median: m, min: s[0], max: s[len(s)-1]}
}

// collect gathers field k of the records matching kind and the filters.
func collect(recs []record, k string, match func(record) bool) []float64 {
	var xs []float64
	for _, r := range recs {
		if !match(r) {
			continue
		}
		if v, ok := r.num(k); ok {
			xs = append(xs, v)
		}
	}
	return xs
}

// dur formats milliseconds: milliseconds below a second, seconds above.
func dur(msec float64) string {
	if msec >= 1000 {
		return fmt.Sprintf("%.2f s", msec/1000)
	}
	if msec >= 100 {
		return fmt.Sprintf("%.0f ms", msec)
	}
	return fmt.Sprintf("%.1f ms", msec)
}

func mib(kib float64) string { return fmt.Sprintf("%.1f MiB", kib/1024) }

func met(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}

// signCell is what the tables need about one engine at one size.
type signCell struct {
	wall, sign, setup stats // milliseconds
	rss                stats // KiB
	bytes              float64
	allocMiB           stats
}

func signCells(recs []record) (sizes []string, engines []string, cells map[[2]string]*signCell) {
	cells = map[[2]string]*signCell{}
	for _, r := range recs {
		if r["kind"] != "sign" {
			continue
		}
		if !slices.Contains(sizes, r["size"]) {
			sizes = append(sizes, r["size"])
		}
		if !slices.Contains(engines, r["engine"]) {
			engines = append(engines, r["engine"])
		}
	}
	for _, size := range sizes {
		for _, eng := range engines {
			match := func(r record) bool { return r["kind"] == "sign" && r["size"] == size && r["engine"] == eng }
			wall := collect(recs, "wall_us", match)
			if len(wall) == 0 {
				continue
			}
			for i := range wall {
				wall[i] /= 1000
			}
			var setup []float64
			for _, r := range recs {
				if match(r) {
					l, ok1 := r.num("load_ms")
					g, ok2 := r.num("login_ms")
					if ok1 && ok2 {
						setup = append(setup, l+g)
					}
				}
			}
			c := &signCell{
				wall:     summarize(wall),
				sign:     summarize(collect(recs, "sign_ms", match)),
				setup:    summarize(setup),
				rss:      summarize(collect(recs, "rss_kib", match)),
				allocMiB: summarize(collect(recs, "go_alloc_mib", match)),
			}
			if b := collect(recs, "bytes", match); len(b) > 0 {
				c.bytes = b[0]
			}
			cells[[2]string{size, eng}] = c
		}
	}
	return sizes, engines, cells
}

func sizeName(label string) string {
	if strings.HasSuffix(label, "MB") {
		return strings.TrimSuffix(label, "MB") + " MB"
	}
	return label
}

func orDash(s stats, f func(float64) string, v float64) string {
	if s.n == 0 {
		return "-"
	}
	return f(v)
}

func printReport(w io.Writer, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	recs, err := parseRecords(f)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	writeReport(w, recs)
	return nil
}

func writeReport(w io.Writer, recs []record) {
	var tokenOp stats
	var tokenOps float64
	for _, r := range recs {
		if r["kind"] == "tokenop" {
			m, _ := r.num("median_ms")
			mn, _ := r.num("min_ms")
			mx, _ := r.num("max_ms")
			tokenOps, _ = r.num("ops")
			tokenOp = stats{n: 1, median: m, min: mn, max: mx}
		}
	}

	sizes, engines, cells := signCells(recs)
	if len(cells) > 0 {
		fmt.Fprintln(w, "Signing one PDF: one process per run; wall and peak RSS measured around the process;")
		fmt.Fprintln(w, "SignFile = in-process time of the signing call; setup = load PKI + C_Initialize + login + find key.")
		fmt.Fprintf(w, "%-7s %-8s %4s  %11s %10s  %15s %12s  %12s  %12s  %12s\n",
			"size", "engine", "runs", "wall median", "wall min", "SignFile median", "SignFile min", "setup median", "peak RSS max", "Go alloc")
		for _, size := range sizes {
			for _, eng := range engines {
				c := cells[[2]string{size, eng}]
				if c == nil {
					continue
				}
				fmt.Fprintf(w, "%-7s %-8s %4d  %11s %10s  %15s %12s  %12s  %12s  %12s\n",
					sizeName(size), eng, c.wall.n, dur(c.wall.median), dur(c.wall.min),
					orDash(c.sign, dur, c.sign.median), orDash(c.sign, dur, c.sign.min),
					orDash(c.setup, dur, c.setup.median), mib(c.rss.max),
					orDash(c.allocMiB, func(v float64) string { return fmt.Sprintf("%.1f MiB", v) }, c.allocMiB.max))
			}
		}
		fmt.Fprintln(w)
	}

	var batches []record
	for _, r := range recs {
		if r["kind"] == "batch" {
			batches = append(batches, r)
		}
	}
	if len(batches) > 0 {
		fmt.Fprintln(w, "Batch: every document signed in one process with one login (docs/s over the signing loop).")
		fmt.Fprintf(w, "%-8s %5s  %10s  %8s  %14s %12s %12s  %10s  %12s\n",
			"engine", "docs", "wall", "docs/s", "per doc median", "per doc p95", "per doc max", "login", "peak RSS")
		for _, r := range batches {
			wall, _ := r.num("wall_us")
			rss, _ := r.num("rss_kib")
			dps, _ := r.num("docs_per_s")
			med, _ := r.num("doc_median_ms")
			p95, _ := r.num("doc_p95_ms")
			mx, _ := r.num("doc_max_ms")
			login, _ := r.num("login_ms")
			fmt.Fprintf(w, "%-8s %5s  %10s  %8.0f  %14s %12s %12s  %10s  %12s\n",
				r["engine"], r["docs"], dur(wall/1000), dps, dur(med), dur(p95), dur(mx), dur(login), mib(rss))
		}
		fmt.Fprintln(w)
	}

	// The summary.
	fmt.Fprintln(w, "Summary (medians; peak RSS is the maximum over runs; goals are printed, not asserted)")
	if tokenOp.n > 0 {
		fmt.Fprintf(w, "token op      one RSA-2048 signature on SoftHSM2: %s median, %s min (%.0f signatures)\n",
			dur(tokenOp.median), dur(tokenOp.min), tokenOps)
	}
	for _, size := range sizes {
		floor := cells[[2]string{size, "floor"}]
		var parts []string
		for _, eng := range engines {
			c := cells[[2]string{size, eng}]
			if c == nil {
				continue
			}
			s := fmt.Sprintf("%s %s", eng, dur(c.wall.median))
			if eng != "floor" && floor != nil && floor.wall.median > 0 {
				ratio := c.wall.median / floor.wall.median
				s += fmt.Sprintf(" (%.1f× floor", ratio)
				if eng == "ours" && size == largeLabel {
					s += fmt.Sprintf("; goal ≤ %.1f×: %s", goalLargeRatio, met(ratio <= goalLargeRatio))
				}
				s += ")"
			}
			if eng != "floor" && c.sign.n > 0 {
				s += fmt.Sprintf(", SignFile %s", dur(c.sign.median))
				if eng == "ours" && size == smallLabel && tokenOp.n > 0 {
					limit := goalSmallMs + tokenOp.median
					s += fmt.Sprintf(" (goal ≤ %.0f ms + token op %s = %s: %s)", goalSmallMs, dur(tokenOp.median), dur(limit), met(c.sign.median <= limit))
				}
			}
			s += ", " + mib(c.rss.max)
			if eng == "ours" && size == largeLabel {
				s += fmt.Sprintf(" (goal ≤ %d MiB: %s)", goalLargeRSSMiB, met(c.rss.max/1024 <= goalLargeRSSMiB))
			}
			parts = append(parts, s)
		}
		fmt.Fprintf(w, "sign %-8s %s\n", sizeName(size), strings.Join(parts, " | "))
	}
	if len(batches) > 0 {
		var parts []string
		docs := ""
		for _, r := range batches {
			dps, _ := r.num("docs_per_s")
			med, _ := r.num("doc_median_ms")
			parts = append(parts, fmt.Sprintf("%s %.0f docs/s (%s per doc median)", r["engine"], dps, dur(med)))
			docs = r["docs"]
		}
		fmt.Fprintf(w, "batch         %s one-page PDFs, one login: %s\n", docs, strings.Join(parts, " | "))
	}
}
