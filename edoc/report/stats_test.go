package report

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/edoc"
)

// statsEntries are 600 entries of both registers (and some of the copies
// register) over 2026, with due dates and done instants around the
// months' ends, and the done function.
func statsEntries(seed uint64) ([]edoc.RegisterEntry, DoneFunc) {
	rng := rand.New(rand.NewPCG(seed, 2))
	var entries []edoc.RegisterEntry
	doneAt := map[string]time.Time{}
	start := time.Date(2025, 12, 20, 0, 0, 0, 0, time.UTC)
	for i := range 600 {
		kind := []edoc.RegisterKind{edoc.RegisterIncoming, edoc.RegisterIncoming, edoc.RegisterOutgoing, edoc.RegisterCopy}[rng.IntN(4)]
		// Instants every few hours, UTC: some fall on another day (and
		// month) in Vietnam time.
		at := start.Add(time.Duration(rng.IntN(390*24)) * time.Hour)
		e := edoc.RegisterEntry{Kind: kind, Number: fmt.Sprint(i), Registered: at, TypeName: types[rng.IntN(len(types))], Handler: units[rng.IntN(len(units))]}
		if kind == edoc.RegisterIncoming && rng.IntN(4) > 0 {
			d := edoc.DateOf(at.AddDate(0, 0, rng.IntN(45)))
			e.DueDate = &d
			switch rng.IntN(3) {
			case 0: // done some hours after it arrived
				doneAt[e.Number] = at.Add(time.Duration(rng.IntN(60*24)) * time.Hour)
			case 1: // done right at a month's end (Vietnam time), or just before
				end := time.Date(at.In(edoc.Vietnam).Year(), at.In(edoc.Vietnam).Month()+1, 1, 0, 0, 0, 0, edoc.Vietnam)
				doneAt[e.Number] = end.Add(-time.Duration(rng.IntN(2)) * time.Nanosecond)
			}
		}
		entries = append(entries, e)
	}
	return entries, func(e edoc.RegisterEntry) time.Time { return doneAt[e.Number] }
}

// bruteMonthly counts the month by the rules written out, one entry at
// a time, with the calendar compared as numbers.
func bruteMonthly(entries []edoc.RegisterEntry, done DoneFunc, year int, month time.Month) Stats {
	s := Stats{Year: year, Month: month}
	ym := year*12 + int(month)
	units, types := map[string]*Count{}, map[string]*Count{}
	get := func(m map[string]*Count, name, none string) *Count {
		if name == "" {
			name = none
		}
		if m[name] == nil {
			m[name] = &Count{Name: name}
		}
		return m[name]
	}
	monthOf := func(t time.Time) int {
		v := t.In(edoc.Vietnam)
		return v.Year()*12 + int(v.Month())
	}
	for _, e := range entries {
		in := monthOf(e.Registered) == ym
		if e.Kind == edoc.RegisterOutgoing && in {
			s.Issued++
			get(units, e.Handler, NoUnit).Issued++
			get(types, e.TypeName, NoType).Issued++
		}
		if e.Kind != edoc.RegisterIncoming {
			continue
		}
		overdue := false
		if e.DueDate != nil && e.DueDate.Year*12+int(e.DueDate.Month) <= ym && monthOf(e.Registered) <= ym {
			d := done(e)
			overdue = d.IsZero() || monthOf(d) > ym
		}
		if in {
			s.Received++
			get(units, e.Handler, NoUnit).Received++
			get(types, e.TypeName, NoType).Received++
		}
		if overdue {
			s.Overdue++
			get(units, e.Handler, NoUnit).Overdue++
			get(types, e.TypeName, NoType).Overdue++
		}
	}
	s.ByUnit, s.ByType = sorted(units), sorted(types)
	return s
}

// TestMonthlyBruteForce: every month of 2026 and December 2025 over
// generated entries, per unit and per type, as the brute-force count
// gives them; and the counts add up to the totals.
func TestMonthlyBruteForce(t *testing.T) {
	t.Parallel()
	for seed := range uint64(5) {
		entries, done := statsEntries(seed)
		months := []struct {
			y int
			m time.Month
		}{{2025, time.December}}
		for m := time.January; m <= time.December; m++ {
			months = append(months, struct {
				y int
				m time.Month
			}{2026, m})
		}
		nonzero := 0
		for _, ym := range months {
			got, want := Monthly(entries, done, ym.y, ym.m), bruteMonthly(entries, done, ym.y, ym.m)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("seed %d, %d-%02d:\n got %+v\nwant %+v", seed, ym.y, ym.m, got, want)
			}
			for _, counts := range [][]Count{got.ByUnit, got.ByType} {
				var sum Count
				for _, c := range counts {
					sum.Received += c.Received
					sum.Issued += c.Issued
					sum.Overdue += c.Overdue
				}
				if sum.Received != got.Received || sum.Issued != got.Issued || sum.Overdue != got.Overdue {
					t.Errorf("seed %d, %d-%02d: the parts add up to %+v, totals %+v", seed, ym.y, ym.m, sum, got)
				}
			}
			if got.Overdue > 0 && got.Received > 0 && got.Issued > 0 {
				nonzero++
			}
		}
		if nonzero < 10 {
			t.Errorf("seed %d: only %d months with every figure above 0: the generator tests little", seed, nonzero)
		}
	}
}

// TestMonthlyEdges: the month is Vietnam's (23:30 UTC on 31 January is
// February); due on the month's last day and done exactly at its end is
// overdue, done a nanosecond before is not; done before the due date
// but after the month's end counts as overdue at that month's end; an
// entry arrived after the month is not overdue in it; the copies
// register and a hostile kind are not counted.
func TestMonthlyEdges(t *testing.T) {
	t.Parallel()
	feb := time.Date(2026, 2, 1, 0, 0, 0, 0, edoc.Vietnam)
	lastJan := edoc.Date{Year: 2026, Month: 1, Day: 31}
	entries := []edoc.RegisterEntry{
		{Kind: edoc.RegisterIncoming, Number: "late-utc", Registered: time.Date(2026, 1, 31, 23, 30, 0, 0, time.UTC)},
		{Kind: edoc.RegisterIncoming, Number: "done-at-end", Registered: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC), DueDate: &lastJan},
		{Kind: edoc.RegisterIncoming, Number: "done-before", Registered: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC), DueDate: &lastJan},
		{Kind: edoc.RegisterIncoming, Number: "open", Registered: time.Date(2025, 11, 5, 0, 0, 0, 0, time.UTC), DueDate: &edoc.Date{Year: 2025, Month: 12, Day: 1}},
		{Kind: edoc.RegisterIncoming, Number: "arrives-later", Registered: feb.Add(time.Hour), DueDate: &edoc.Date{Year: 2026, Month: 1, Day: 1}},
		{Kind: edoc.RegisterCopy, Number: "copy", Registered: feb.Add(-time.Hour)},
		{Kind: "incoming ", Number: "spoofed", Registered: feb.Add(-time.Hour)},
		{Kind: edoc.RegisterOutgoing, Number: "issued", Registered: feb.Add(-time.Nanosecond), TypeName: "Quyết định"},
	}
	done := func(e edoc.RegisterEntry) time.Time {
		return map[string]time.Time{"done-at-end": feb, "done-before": feb.Add(-time.Nanosecond)}[e.Number]
	}
	jan := Monthly(entries, done, 2026, time.January)
	if jan.Received != 2 || jan.Issued != 1 || jan.Overdue != 2 {
		t.Errorf("January: %+v, want 2 received, 1 issued, 2 overdue (done-at-end, open)", jan)
	}
	if want := []Count{{Name: NoType, Received: 2, Overdue: 2}, {Name: "Quyết định", Issued: 1}}; !reflect.DeepEqual(jan.ByType, want) {
		t.Errorf("January per type: %+v, want %+v", jan.ByType, want)
	}
	febStats := Monthly(entries, done, 2026, time.February)
	if febStats.Received != 2 || febStats.Overdue != 2 || febStats.Issued != 0 {
		t.Errorf("February: %+v, want 2 received (late-utc, arrives-later), 2 overdue (open, arrives-later)", febStats)
	}
	if s := Monthly(entries, nil, 2026, time.January); s.Overdue != 3 {
		t.Errorf("nothing done: %d overdue in January, want 3", s.Overdue)
	}
	if s := Monthly(entries, done, 2026, 13); s.Year != 2027 || s.Month != time.January {
		t.Errorf("month 13 of 2026 is %d-%02d", s.Year, s.Month)
	}
}

// TestWriteStats prints and exports a month: pdftotext finds the title,
// the totals and every unit's row with its figures; openpyxl reads both
// sheets with the figures as numbers and the total last.
func TestWriteStats(t *testing.T) {
	t.Parallel()
	entries, done := statsEntries(3)
	s := Monthly(entries, done, 2026, time.March)
	at := time.Date(2026, 4, 1, 2, 0, 0, 0, time.UTC)
	var p bytes.Buffer
	if err := WriteStatsPDF(&p, s, "Sở Tài chính tỉnh Nghệ An", at); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "stats.pdf")
	if err := os.WriteFile(path, p.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	text := flat(run(t, "pdftotext", "-layout", path, "-"))
	for _, w := range []string{"THỐNG KÊ VĂN BẢN THÁNG 03/2026", "Sở Tài chính tỉnh Nghệ An", fmt.Sprintf("Văn bản đến đã đăng ký: %d", s.Received),
		fmt.Sprintf("Văn bản đi đã phát hành: %d", s.Issued), fmt.Sprintf("quá hạn giải quyết (cuối tháng): %d", s.Overdue), "Quá hạn giải quyết", "In lúc 09:00 ngày 01/04/2026"} {
		if !strings.Contains(text, w) {
			t.Errorf("the statistics' text lacks %q", w)
		}
	}
	for _, c := range append(append([]Count(nil), s.ByUnit...), s.ByType...) {
		if row := fmt.Sprintf("%s %d %d %d", c.Name, c.Received, c.Issued, c.Overdue); !strings.Contains(text, row) {
			t.Errorf("the statistics' text lacks the row %q", row)
		}
	}

	var x bytes.Buffer
	if err := WriteStatsXLSX(&x, s, "Sở Tài chính tỉnh Nghệ An", at); err != nil {
		t.Fatal(err)
	}
	sheets := openpyxlRead(t, x.Bytes(), 5)
	if len(sheets) != 2 || sheets[0].Name != "Theo đơn vị" || sheets[1].Name != "Theo loại văn bản" {
		t.Fatalf("sheets %+v", sheets)
	}
	for i, counts := range [][]Count{s.ByUnit, s.ByType} {
		rows := sheets[i].Rows
		if len(rows) != 5+len(counts)+1 {
			t.Fatalf("sheet %d: %d rows", i+1, len(rows))
		}
		for k, c := range append(counts, Count{Name: "Tổng cộng", Received: s.Received, Issued: s.Issued, Overdue: s.Overdue}) {
			want := fmt.Sprint([]any{c.Name, float64(c.Received), float64(c.Issued), float64(c.Overdue)})
			if got := fmt.Sprint(rows[5+k]); got != want {
				t.Errorf("sheet %d row %d: %s, want %s", i+1, 6+k, got, want)
			}
		}
		if !sheets[i].Bold[0] {
			t.Errorf("sheet %d: the header is not bold", i+1)
		}
	}
}
