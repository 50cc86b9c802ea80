package edoc

import (
	"errors"
	"strings"
	"testing"

	"github.com/vanthuso/vanthu/internal/fuzzguard"
)

func TestParseOrganID(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		level    int
		parent   string
		letter   byte
	}{
		{"000.00.00.G22", "000.00.00.G22", 1, "", 'G'},
		{"000.00.00.H41", "000.00.00.H41", 1, "", 'H'},
		{" 000.00.00.h41\t", "000.00.00.H41", 1, "", 'H'},
		{"000.00.01.H41", "000.00.01.H41", 2, "000.00.00.H41", 'H'},
		{"000.00.10.H47", "000.00.10.H47", 2, "000.00.00.H47", 'H'},
		{"000.05.10.H47", "000.05.10.H47", 3, "000.00.10.H47", 'H'},
		{"001.00.10.H47", "001.00.10.H47", 4, "000.00.10.H47", 'H'},
		{"001.05.10.H47", "001.05.10.H47", 4, "000.05.10.H47", 'H'},
		{"001.05.00.A80", "001.05.00.A80", 4, "000.05.00.A80", 'A'},
		{"000.05.00.Z99", "000.05.00.Z99", 3, "000.00.00.Z99", 'Z'},
	} {
		id, err := ParseOrganID(tc.in)
		if err != nil {
			t.Errorf("ParseOrganID(%q): %v", tc.in, err)
			continue
		}
		if string(id) != tc.want || id.Level() != tc.level || id.Letter() != tc.letter {
			t.Errorf("ParseOrganID(%q) = %q level %d letter %c, want %q %d %c", tc.in, id, id.Level(), id.Letter(), tc.want, tc.level, tc.letter)
		}
		p, ok := id.Parent()
		if string(p) != tc.parent || ok != (tc.parent != "") {
			t.Errorf("%s.Parent() = %q %v, want %q", id, p, ok, tc.parent)
		}
		if !id.Root().Contains(id) || !id.Contains(id) || id.Root() != OrganID("000.00.00."+tc.want[10:]) {
			t.Errorf("%s: Root %s does not contain it", id, id.Root())
		}
	}
}

// TestOrganIDRefused: every shape that is not DDD.DD.DD.Lnn, including
// look-alikes an attacker or a careless producer writes, is refused with
// a message in both languages.
func TestOrganIDRefused(t *testing.T) {
	for _, in := range []string{
		"", "   ", "28.22.H17", "000.00.00.H4", "000.00.00.H411", "000.00.00.441", "000.00.00.ĐA1",
		"000-00-00-H41", "000.00.00H.41", "H41.00.00.000", "000.00.00. 41", "000.00.0a.H41",
		"０００.00.00.H41", // full-width digits
		"000.00.00.Н41", // Cyrillic Н
		"000.00.00.H41\x00", "000.00.00.H41\n000.00.00.G22", "000.00.00.H4\u0301",
		"000.00.00.H41,", strings.Repeat("0", 1<<20), "\xff\xfe.00.00.H41",
	} {
		_, err := ParseOrganID(in)
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != "organ_id" || fe.VI == "" || fe.EN == "" {
			t.Errorf("ParseOrganID(%.30q) = %v, want a *FieldError", in, err)
			continue
		}
		if len(fe.VI) > 300 || len(fe.EN) > 300 {
			t.Errorf("ParseOrganID(%.30q): message of %d bytes quotes too much", in, len(fe.VI))
		}
	}
}

// TestOrganIDMethodsOnUnparsed: a string converted to OrganID without
// ParseOrganID answers nothing rather than a wrong level or parent.
func TestOrganIDMethodsOnUnparsed(t *testing.T) {
	for _, id := range []OrganID{"", "000.00.00.h41", "28.22.H17", "aaa.bb.cc.Hxx", "000.00.00.H41 "} {
		if id.Level() != 0 || id.Letter() != 0 || id.Root() != "" {
			t.Errorf("%q: level %d letter %q root %q", id, id.Level(), id.Letter(), id.Root())
		}
		if p, ok := id.Parent(); ok || p != "" {
			t.Errorf("%q: parent %q", id, p)
		}
		if id.Contains("000.00.01.H41") || OrganID("000.00.00.H41").Contains(id) {
			t.Errorf("%q: contains or is contained", id)
		}
	}
}

// TestOrganIDContains: a province contains its units, never another
// province's (the letter and number both count), nor a sibling.
func TestOrganIDContains(t *testing.T) {
	h41, unit := OrganID("000.00.00.H41"), OrganID("001.00.10.H41")
	for _, tc := range []struct {
		a, b OrganID
		want bool
	}{
		{h41, unit, true}, {"000.00.10.H41", unit, true}, {unit, h41, false},
		{"000.00.00.H14", unit, false}, {"000.00.00.G41", unit, false},
		{"000.00.01.H41", "000.00.02.H41", false}, {"000.00.11.H41", unit, false},
	} {
		if got := tc.a.Contains(tc.b); got != tc.want {
			t.Errorf("%s.Contains(%s) = %v", tc.a, tc.b, got)
		}
	}
	if l, ok := LetterLabel('H'); !ok || l.VI == "" || l.EN == "" {
		t.Error("no label for H")
	}
	if _, ok := LetterLabel('Q'); ok {
		t.Error("a label for Q")
	}
}

// FuzzParseOrganID: whatever it reads is canonical, 13 bytes, parses to
// itself, and its chain of parents ends at its root within four steps.
func FuzzParseOrganID(f *testing.F) {
	for _, s := range []string{"000.00.00.H41", " 001.00.10.h47 ", "28.22.H17", "000.00.00.Н41", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		defer fuzzguard.Watch(t, fuzzguard.Limit, s)()
		id, err := ParseOrganID(s)
		if err != nil {
			var fe *FieldError
			if !errors.As(err, &fe) || fe.VI == "" || fe.EN == "" {
				t.Fatalf("error %v is not a *FieldError with messages", err)
			}
			return
		}
		if len(id) != OrganIDLen || !id.valid() {
			t.Fatalf("ParseOrganID(%q) = %q, not canonical", s, id)
		}
		if again, err := ParseOrganID(string(id)); err != nil || again != id {
			t.Fatalf("%q re-parses to %q, %v", id, again, err)
		}
		if !strings.EqualFold(strings.TrimSpace(s), string(id)) {
			t.Fatalf("ParseOrganID(%q) = %q changed more than the case", s, id)
		}
		steps := 0
		for p, ok := id.Parent(); ok; p, ok = p.Parent() {
			if steps++; steps > 3 || p.Level() >= id.Level() || !p.Contains(id) {
				t.Fatalf("%s: parent chain broken at %s", id, p)
			}
		}
		if id.Level() < 1 || id.Level() > 4 {
			t.Fatalf("%s: level %d", id, id.Level())
		}
	})
}
