package edoc

import (
	"cmp"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
)

func codes(es []DirectoryEntry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Code
	}
	return out
}

func TestDemoDirectory(t *testing.T) {
	d := DemoDirectory()
	if d.Len() < 25 || d.Len() > 40 {
		t.Errorf("%d demo agencies", d.Len())
	}
	for code, name := range map[string]string{
		DemoProvince: "UBND tỉnh Nghệ An", DemoFinance: "Sở Tài chính tỉnh Nghệ An", DemoHome: "Sở Nội vụ tỉnh Nghệ An",
		"000.00.00.G22": "Văn phòng Chính phủ",
	} {
		if e, ok := d.Lookup(code); !ok || e.Name != name {
			t.Errorf("Lookup(%s) = %+v %v", code, e, ok)
		}
	}
	kids := codes(d.Children(DemoProvince))
	if !slices.Contains(kids, DemoFinance) || !slices.Contains(kids, DemoHome) || slices.Contains(kids, "000.01.01.H41") {
		t.Errorf("children of H41: %v", kids)
	}
	// The demo's parents are those the code rule gives: the demo codes
	// really are children of their agencies.
	for _, e := range d.Entries() {
		p, ok := OrganID(e.Code).Parent()
		if e.Parent != "" && string(p) != e.Parent || e.Parent == "" && ok && OrganID(e.Code).Letter() == 'H' {
			t.Errorf("%s %q: parent %q, the code says %q", e.Code, e.Name, e.Parent, p)
		}
	}
}

func TestDirectoryLookup(t *testing.T) {
	d := DemoDirectory()
	for _, in := range []string{" 000.00.01.h41 ", "000.00.01.H41"} {
		if e, ok := d.Lookup(in); !ok || e.Code != DemoFinance {
			t.Errorf("Lookup(%q) = %+v", in, e)
		}
	}
	for _, in := range []string{"", "000.00.99.H41", "Sở Tài chính", "000.00.01.H41\x00"} {
		if e, ok := d.Lookup(in); ok {
			t.Errorf("Lookup(%q) = %+v", in, e)
		}
	}
	if got := d.Children("000.00.99.H41"); len(got) != 0 {
		t.Errorf("children of nothing: %v", got)
	}
	// Entries and results are copies: changing them changes nothing.
	es := d.Entries()
	es[0].Name = "x"
	d.Search("nghe an", 5)[0].Name = "y"
	if e, _ := d.Lookup(es[0].Code); e.Name == "x" || d.Search("nghe an", 1)[0].Name == "y" {
		t.Error("the directory shares its entries")
	}
	var zero Directory
	if zero.Len() != 0 || zero.Search("a", 5) != nil || len(zero.After("", 5)) != 0 || len(zero.Children("x")) != 0 {
		t.Error("zero directory not empty")
	}
	if _, ok := zero.Lookup(DemoFinance); ok {
		t.Error("zero directory finds")
	}
}

func TestDirectorySearch(t *testing.T) {
	d := DemoDirectory()
	for _, tc := range []struct {
		q     string
		first []string // the first results, in order
		none  bool
	}{
		{q: "nghệ an", first: []string{DemoProvince}},
		{q: "NGHE AN", first: []string{DemoProvince}},
		{q: "so tai chinh", first: []string{DemoFinance, "000.00.01.H14"}},
		{q: "Sở Tài", first: []string{DemoFinance, "000.00.01.H14"}},
		{q: "tài sở", first: []string{DemoFinance}}, // words in any order
		{q: "000.00.01.h41", first: []string{DemoFinance}},
		{q: " 000.00.02.H41 ", first: []string{DemoHome}},
		{q: "000.01.0", first: []string{"000.01.00.G09", "000.01.02.H41", "000.01.01.H41"}}, // shorter names first
		{q: "h14", first: []string{"000.00.00.H14", "000.00.01.H14"}},
		{q: "van phong chinh phu", first: []string{"000.00.00.G22"}},
		{q: "Đàn", first: []string{"000.00.33.H41"}},
		{q: "dan", first: []string{"000.00.33.H41"}},
		{q: "noi vu", first: []string{"000.00.00.G12", DemoHome}},
		{q: "sở nội vụ nghệ an", first: []string{DemoHome}},
		{q: "ubnd phuong", first: []string{"000.00.32.H41", "000.00.31.H41", "000.00.30.H41"}},
		{q: "nội vụ bộ", first: []string{"000.00.00.G12"}},
		{q: "an nghe", first: []string{DemoProvince}}, // not a phrase, still found
		{q: "nghe ann", none: true},
		{q: "vpcp", none: true},
		{q: "", none: true},
		{q: " -- ", none: true},
		{q: "\xff\xfe", none: true},
		{q: "sở\x00tài", first: []string{DemoFinance}},
	} {
		got := codes(d.Search(tc.q, 0))
		if tc.none {
			if len(got) != 0 {
				t.Errorf("Search(%q) = %v, want nothing", tc.q, got)
			}
			continue
		}
		if len(got) < len(tc.first) || !slices.Equal(got[:len(tc.first)], tc.first) {
			t.Errorf("Search(%q) = %v, want first %v", tc.q, got, tc.first)
		}
		if len(slices.Compact(slices.Sorted(slices.Values(got)))) != len(got) {
			t.Errorf("Search(%q) = %v repeats an agency", tc.q, got)
		}
	}
}

// TestDirectorySearchLimits: limits hold whatever the query; hostile
// queries end and return at most the limit.
func TestDirectorySearchLimits(t *testing.T) {
	d, err := nationalDirectory()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(d.Search("u", 0)); n != DefaultSearchLimit {
		t.Errorf("default limit: %d", n)
	}
	if n := len(d.Search("u", 1e9)); n != MaxSearchLimit {
		t.Errorf("max limit: %d", n)
	}
	if n := len(d.Search("u", 3)); n != 3 {
		t.Errorf("limit 3: %d", n)
	}
	for _, q := range []string{
		strings.Repeat("ubnd ", 1<<16), strings.Repeat("a", 1<<20), strings.Repeat("ệ", MaxQuery), strings.Repeat("\xff", 1000),
		strings.Repeat("u b n d x a ", 50), strings.Repeat("0", 5000), "000.00.00." + strings.Repeat("H", 1000),
	} {
		if n := len(d.Search(q, 50)); n > 50 {
			t.Errorf("Search(%.20q…): %d results", q, n)
		}
	}
}

// bruteSearch is Search's definition applied to every entry: the
// reference the index and its early stop are checked against.
func bruteSearch(d *Directory, query string, limit int) []string {
	if len(query) > MaxQuery {
		cut := MaxQuery
		for cut > 0 && query[cut]&0xC0 == 0x80 {
			cut--
		}
		query = query[:cut]
	}
	words := strings.Fields(Fold(query))
	if len(words) > maxQueryWords {
		words = words[:maxQueryWords]
	}
	q := strings.Join(words, " ")
	code := strings.ToUpper(strings.TrimSpace(query))
	codeLike := len(code) >= 3 && strings.Trim(code, "0123456789.ABCDEFGHIJKLMNOPQRSTUVWXYZ") == "" && code[0] >= '0' && code[0] <= '9'
	type scored struct {
		id          int
		tier, exact int
	}
	var all []scored
	prefixed := 0
	for id, e := range d.entries {
		key := d.keys[id]
		name := key[:d.nameLen[id]]
		switch {
		case e.Code == code:
			all = append(all, scored{id, 0, 0})
			continue
		case codeLike && strings.HasPrefix(e.Code, code) && prefixed < MaxSearchLimit:
			prefixed++
			all = append(all, scored{id, 1, 0})
			continue
		case len(words) == 0 || !MatchWordPrefixes(key, q):
			continue
		}
		s := scored{id: id, tier: 4}
		for _, w := range words {
			if hasWord(key, w) && slices.Contains(d.words, w) {
				s.exact++
			}
		}
		if strings.HasPrefix(name, q) {
			s.tier = 2
		} else if len(words) > 1 && hasWordPrefix(name, q) {
			s.tier = 3
		}
		all = append(all, s)
	}
	slices.SortFunc(all, func(a, b scored) int {
		return cmp.Or(cmp.Compare(a.tier, b.tier), cmp.Compare(b.exact, a.exact), cmp.Compare(d.rank[a.id], d.rank[b.id]))
	})
	var out []string
	for i := 0; i < len(all) && i < limit; i++ {
		out = append(out, d.entries[all[i].id].Code)
	}
	return out
}

// TestDirectorySearchReference compares Search on the generated national
// directory with bruteSearch, for the benchmark's queries and random ones
// made of word beginnings of random agencies.
func TestDirectorySearchReference(t *testing.T) {
	d, err := nationalDirectory()
	if err != nil {
		t.Fatal(err)
	}
	queries := slices.Clone(benchQueries)
	rng := rand.New(rand.NewPCG(1, 2))
	for range 80 {
		words := strings.Fields(d.entries[rng.IntN(d.Len())].Name)
		var q []string
		for range 1 + rng.IntN(3) {
			w := []rune(words[rng.IntN(len(words))])
			q = append(q, string(w[:1+rng.IntN(len(w))]))
		}
		queries = append(queries, strings.Join(q, " "))
	}
	for _, q := range queries {
		all := bruteSearch(d, q, MaxSearchLimit)
		for _, limit := range []int{1, 20, MaxSearchLimit} {
			got, want := codes(d.Search(q, limit)), all[:min(limit, len(all))]
			if len(got) == 0 && len(want) == 0 {
				continue
			}
			if !slices.Equal(got, want) {
				t.Errorf("Search(%q, %d):\n got %v\nwant %v", q, limit, got, want)
			}
		}
	}
}

// TestDirectoryConcurrent searches from many goroutines at once (run
// with -race): results are those of a lone search.
func TestDirectoryConcurrent(t *testing.T) {
	d, err := nationalDirectory()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{}
	for _, q := range benchQueries {
		want[q] = codes(d.Search(q, 20))
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8*len(benchQueries))
	for g := range 8 {
		wg.Go(func() {
			for i := range benchQueries {
				q := benchQueries[(i+g)%len(benchQueries)]
				if got := codes(d.Search(q, 20)); !slices.Equal(got, want[q]) {
					errs <- fmt.Sprintf("%q: %v, alone %v", q, got, want[q])
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestDirectoryAfter(t *testing.T) {
	d := DemoDirectory()
	var all []DirectoryEntry
	for after := ""; ; {
		page := d.After(after, 7)
		if len(page) == 0 {
			break
		}
		if len(page) > 7 {
			t.Fatalf("page of %d", len(page))
		}
		all = append(all, page...)
		after = page[len(page)-1].Code
	}
	if !slices.Equal(codes(all), codes(d.Entries())) || !slices.IsSorted(codes(all)) {
		t.Errorf("pages %v", codes(all))
	}
	if n := len(d.After("", 0)); n != d.Len() {
		t.Errorf("After with limit 0: %d", n)
	}
	if n := len(d.After("\xff", 5)); n != 0 {
		t.Errorf("After the end: %d", n)
	}
}

// TestNewDirectoryRefuses: a bad entry or a code given twice (in any
// spelling) refuses the whole directory, naming the entry.
func TestNewDirectoryRefuses(t *testing.T) {
	good := []DirectoryEntry{{Code: DemoProvince, Name: "UBND tỉnh Nghệ An"}, {Code: DemoFinance, Name: "Sở Tài chính tỉnh Nghệ An", Parent: DemoProvince}}
	for _, tc := range []struct {
		bad   DirectoryEntry
		field string
	}{
		{DirectoryEntry{Code: "28.22.H17", Name: "x"}, "code"},
		{DirectoryEntry{Code: "000.00.05.H41", Name: " "}, "name"},
		{DirectoryEntry{Code: "000.00.05.H41", Name: "a\x00b"}, "name"},
		{DirectoryEntry{Code: "000.00.05.H41", Name: strings.Repeat("ệ", MaxDirectoryName+1)}, "name"},
		{DirectoryEntry{Code: "000.00.05.H41", Name: "x", Parent: "nope"}, "parent"},
		{DirectoryEntry{Code: "000.00.05.H41", Name: "x", Parent: "000.00.05.h41"}, "parent"},
		{DirectoryEntry{Code: "000.00.05.H41", Name: "x", Email: "a\nb"}, "email"},
		{DirectoryEntry{Code: " 000.00.01.h41", Name: "again"}, "code"},
	} {
		_, err := NewDirectory(append(slices.Clone(good), tc.bad))
		var de *DirectoryError
		var fe *FieldError
		if !errors.As(err, &de) || de.Record != 2 || !errors.As(err, &fe) || fe.Field != tc.field || fe.VI == "" {
			t.Errorf("%+v: %v", tc.bad, err)
		}
	}
	d, err := NewDirectory([]DirectoryEntry{{Code: " 000.00.01.h41 ", Name: "  Sở  ", Parent: "000.00.00.h41"}})
	if err != nil {
		t.Fatal(err)
	}
	if e := d.Entries()[0]; e != (DirectoryEntry{Code: DemoFinance, Name: "Sở", Parent: DemoProvince}) {
		t.Errorf("not normalised: %+v", e)
	}
}

func TestMatchWordPrefixes(t *testing.T) {
	for _, tc := range []struct {
		text, q string
		want    bool
	}{
		{"so tai chinh tinh nghe an", "tai so", true}, {"so tai chinh", "ai", false}, {"so tai chinh", "", true},
		{"so tai chinh", "chinh chinh", true}, {"so tai chinh", "chinhx", false}, {"a", "a b", false},
	} {
		if got := MatchWordPrefixes(tc.text, tc.q); got != tc.want {
			t.Errorf("MatchWordPrefixes(%q, %q) = %v", tc.text, tc.q, got)
		}
	}
}

// TestGeneratedDirectory: the benchmark's directory is the national
// size, every code distinct and valid, names with real diacritics.
func TestGeneratedDirectory(t *testing.T) {
	d, err := nationalDirectory()
	if err != nil {
		t.Fatal(err)
	}
	if d.Len() != nationalSize {
		t.Fatalf("%d agencies", d.Len())
	}
	if e, ok := d.Lookup(DemoProvince); !ok || e.Name != "UBND tỉnh Nghệ An" {
		t.Errorf("H41 is %+v", e)
	}
	if e, _ := d.Lookup("000.00.00.H14"); e.Name != "UBND tỉnh Cao Bằng" {
		t.Errorf("H14 is %+v", e)
	}
}
