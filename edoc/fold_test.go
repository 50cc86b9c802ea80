package edoc

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/vanthuso/vanthu/internal/fuzzguard"
)

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"Quyết định số 05/QĐ-UBND":      "quyet dinh so 05 qd ubnd",
		"  Sở Tài chính  tỉnh Nghệ An ": "so tai chinh tinh nghe an",
		"ĐẶNG Đức Đạt":                  "dang duc dat",
		"Ðặng (eth, not Đ)":             "dang eth not d",
		"Hỏa tốc":                       "hoa toc",
		"Hoả tốc":                       "hoa toc",
		"Nghe\u0302\u0323 An":           "nghe an", // combining accents (decomposed input)
		"UBND\u00a0xã\tHòa\nTiến":       "ubnd xa hoa tien",
		"a\xffb":                        "a b",
		"a\x00b":                        "a b",
		"\xe1\x80":                      "", // truncated UTF-8
		"":                              "",
		"---":                           "",
		"already folded":                "already folded",
		"İSTANBUL":                      "istanbul",
		"한국":                            "\u1112\u1161\u11ab\u1100\u116e\u11a8",
		"x²":                            "x",
		"٣٤":                            "٣٤", // digits of other scripts stay digits
		"\u202eevil\u202c":              "evil",
	} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
		if got := string(AppendFold(nil, in)); got != want {
			t.Errorf("AppendFold(nil, %q) = %q, want %q", in, got, want)
		}
	}
}

func TestAppendFoldSeparates(t *testing.T) {
	b := AppendFold(nil, "Sở Tài chính")
	b = AppendFold(b, "--Nghệ An--")
	b = AppendFold(b, "")
	if got := string(b); got != "so tai chinh nghe an" {
		t.Errorf("got %q", got)
	}
	b = AppendFold(b, "H41")
	b = AppendFold(b, "-")
	if got := string(b); got != "so tai chinh nghe an h41" {
		t.Errorf("got %q", got)
	}
	if got := string(AppendFold([]byte("x "), "")); got != "x " {
		t.Errorf("AppendFold changed what it was given: %q", got)
	}
}

// TestFoldLong covers the chunking of Fold: words and separators that
// straddle its pieces, and long inputs, give what the reference gives.
func TestFoldLong(t *testing.T) {
	for _, s := range []string{
		strings.Repeat("Nghệ An ", 1000),
		strings.Repeat("a", 31) + "ệ" + strings.Repeat(" ", 40) + "Đ",
		strings.Repeat("한", 100),
		strings.Repeat("-", 31) + "Ế" + strings.Repeat("-", 33),
		strings.Repeat("\xff", 1<<16),
	} {
		if got, want := Fold(s), foldReference(s); got != want {
			t.Errorf("Fold(%.40q…) = %.40q…, want %.40q…", s, got, want)
		}
	}
}

// TestFoldAllocations: a folded ASCII string comes back as is; anything
// else costs the one allocation of the result.
func TestFoldAllocations(t *testing.T) {
	for s, want := range map[string]float64{
		"so tai chinh tinh nghe an":            0,
		"Sở Tài chính tỉnh Nghệ An":            1,
		strings.Repeat("Ủy ban nhân dân ", 20): 1,
	} {
		if got := testing.AllocsPerRun(100, func() { Fold(s) }); got > want {
			t.Errorf("Fold(%.30q): %v allocations, want ≤ %v", s, got, want)
		}
	}
	buf := make([]byte, 0, 256)
	if got := testing.AllocsPerRun(100, func() { AppendFold(buf[:0], "Sở Tài chính tỉnh Nghệ An") }); got != 0 {
		t.Errorf("AppendFold into a large enough buffer: %v allocations", got)
	}
}

// foldReference is Fold's definition written plainly: the whole string
// through norm.NFD, then one rune at a time.
func foldReference(s string) string {
	var b strings.Builder
	space := true
	for _, r := range norm.NFD.String(strings.ToValidUTF8(s, "\uFFFD")) {
		switch {
		case unicode.In(r, unicode.M):
			continue
		case r == 'đ' || r == 'Đ' || r == 'ð' || r == 'Ð':
			r = 'd'
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			r = unicode.ToLower(r)
		default:
			if !space {
				b.WriteByte(' ')
				space = true
			}
			continue
		}
		b.WriteRune(r)
		space = false
	}
	return strings.TrimRight(b.String(), " ")
}

// FuzzFold: Fold agrees with its plain definition, is idempotent, and
// writes only lower-case letters, digits and single inner spaces.
func FuzzFold(f *testing.F) {
	for _, s := range []string{"Quyết định số 05/QĐ-UBND", "a\xffb", "한국어", "İı", "ǅ", "\u0345", "Å"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		defer fuzzguard.Watch(t, fuzzguard.Limit, s)()
		got := Fold(s)
		// ToValidUTF8 turns a run of bad bytes into one separator, as Fold does.
		if want := foldReference(s); got != want {
			t.Fatalf("Fold(%q) = %q, reference %q", s, got, want)
		}
		if again := Fold(got); again != got {
			t.Fatalf("Fold not idempotent on %q: %q then %q", s, got, again)
		}
		if strings.HasPrefix(got, " ") || strings.HasSuffix(got, " ") || strings.Contains(got, "  ") || !utf8.ValidString(got) {
			t.Fatalf("Fold(%q) = %q: bad spacing or UTF-8", s, got)
		}
		for _, r := range got {
			if r != ' ' && !unicode.IsLetter(r) && !unicode.IsDigit(r) || unicode.ToLower(r) != r {
				t.Fatalf("Fold(%q) = %q holds %q", s, got, r)
			}
		}
	})
}

func BenchmarkFold(b *testing.B) {
	for _, bc := range []struct{ name, s string }{
		{"vietnamese", "Ủy ban nhân dân xã Hòa Tiến, huyện Hòa Vang, thành phố Đà Nẵng"},
		{"ascii", "UBND xa Hoa Tien, huyen Hoa Vang, TP Da Nang"},
		{"folded", "ubnd xa hoa tien huyen hoa vang tp da nang"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.s)))
			for b.Loop() {
				Fold(bc.s)
			}
		})
	}
}
