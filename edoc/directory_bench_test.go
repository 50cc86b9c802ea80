package edoc

import (
	"slices"
	"testing"
	"time"
)

// benchQueries are what users type: names with and without diacritics,
// prefixes while typing, codes, and broad one-letter queries.
var benchQueries = []string{
	"Sở Tài chính Nghệ An", "so tai chinh nghe an", "ubnd xa", "UBND tỉnh", "nghệ an", "sở nội vụ", "000.00.01.H41",
	"h41", "truong tieu hoc", "tram y te phuong", "phòng tư pháp huyện", "s", "u", "th", "ha noi", "đà nẵng",
	"van phong ubnd tinh cao bang", "000.00", "Trường Mầm non xã Hòa", "quỳnh lưu", "hoa tien", "xyz",
}

// BenchmarkDirectorySearch searches the generated national directory
// (111,000 agencies) with benchQueries in turn and reports the latency
// percentiles of one search.
func BenchmarkDirectorySearch(b *testing.B) {
	d, err := nationalDirectory()
	if err != nil {
		b.Fatal(err)
	}
	var lat []time.Duration
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		t0 := time.Now()
		d.Search(benchQueries[i%len(benchQueries)], DefaultSearchLimit)
		lat = append(lat, time.Since(t0))
		i++
	}
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) }
	b.ReportMetric(pct(0.50), "p50-µs")
	b.ReportMetric(pct(0.95), "p95-µs")
	b.ReportMetric(pct(0.99), "p99-µs")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds()), "max-µs")
}

// BenchmarkDirectoryBuild builds the index of the generated national
// directory.
func BenchmarkDirectoryBuild(b *testing.B) {
	entries := generatedDirectory(nationalSize)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NewDirectory(entries); err != nil {
			b.Fatal(err)
		}
	}
}
