package edoc

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/vanthuso/vanthu/internal/fuzzguard"
	"github.com/vanthuso/vanthu/internal/pdftools"
)

func TestDocumentID(t *testing.T) {
	id := DocumentIDFor("000.00.00.G22", Date{2015, 9, 30}, Code{"7816", "VPCP-TTĐT"})
	if id != "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT" {
		t.Fatalf("DocumentIDFor = %q", id)
	}
	for in, want := range map[string]DocumentIDParts{
		id: {"000.00.00.G22", Date{2015, 9, 30}, Code{"7816", "VPCP-TTĐT"}},
		" 000.00.00.h41 , 2020/1/5 , 05/QĐ-UBND ": {"000.00.00.H41", Date{2020, 1, 5}, Code{"05", "QĐ-UBND"}},
		"000.00.00.G22,2020/02/29,12/2020/NĐ-CP":  {"000.00.00.G22", Date{2020, 2, 29}, Code{"12", "2020/NĐ-CP"}},
		"000.00.00.G22,2020/02/29,12":             {"000.00.00.G22", Date{2020, 2, 29}, Code{"12", ""}},
	} {
		got, ok := ParseDocumentID(in)
		if !ok || got != want {
			t.Errorf("ParseDocumentID(%q) = %+v %v, want %+v", in, got, ok, want)
		}
	}
	for _, in := range []string{
		"dc0bdef0-c7a3-4aaf-b717-777303442973", "", ",,", "000.00.00.G22,2014/02/30,7806/VPCP-TTĐT",
		"000.00.00.G22,2015/09/30,", "000.00.00.G22,2015/09/30, / ", "000.00.00.G22,2015/09/30,/QĐ-UBND", "28.22.H17,2015/09/30,1/A",
		"000.00.00.G22,15/09/30,1/A", "000.00.00.G22,2015-09-30,1/A", "000.00.00.G22,2015/009/30,1/A",
		"000.00.00.G22,2015/09/30,1/A,B", "000.00.00.G22,2015/09/30,1/A\x00", "000.00.00.G22,+015/09/30,1/A",
		"000.00.00.G22,2015/09/30," + strings.Repeat("9", 300),
	} {
		if p, ok := ParseDocumentID(in); ok {
			t.Errorf("ParseDocumentID(%.40q) = %+v, want ok false", in, p)
		}
	}
}

// TestDocumentIDCorpus reads every DocumentId of the edXML samples: each
// is a UUID, a key of the usual form, or one whose date does not exist
// (the samples carry 2014/02/30); none is misread.
func TestDocumentIDCorpus(t *testing.T) {
	dir, err := pdftools.CorpusDir()
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "edxml", "*.edxml"))
	if len(files) == 0 {
		t.Fatal("no edXML samples in the corpus")
	}
	re := regexp.MustCompile(`<(?:edXML:)?DocumentId>([^<]*)<`)
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllSubmatch(b, -1) {
			s := string(m[1])
			n++
			p, ok := ParseDocumentID(s)
			switch {
			case strings.Contains(s, "/02/30"):
				if ok {
					t.Errorf("%s: %q read with an impossible date", filepath.Base(f), s)
				}
			case !ok:
				t.Errorf("%s: %q not read", filepath.Base(f), s)
			case p.String() != s:
				t.Errorf("%s: %q reads as %q", filepath.Base(f), s, p)
			}
		}
	}
	if n < 10 {
		t.Fatalf("only %d DocumentIds in the corpus", n)
	}
}

// FuzzParseDocumentID: what it reads writes back to a key it reads the
// same, with a canonical organ id and a date that exists.
func FuzzParseDocumentID(f *testing.F) {
	for _, s := range []string{"000.00.00.G22,2015/09/30,7816/VPCP-TTĐT", " 000.00.00.h41 , 2020/1/5 , 05/QĐ-UBND ", "dc0bdef0-c7a3-4aaf-b717-777303442973", "a,b,c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		defer fuzzguard.Watch(t, fuzzguard.Limit, s)()
		p, ok := ParseDocumentID(s)
		if !ok {
			if p != (DocumentIDParts{}) {
				t.Fatalf("not ok but parts %+v", p)
			}
			return
		}
		if !p.OrganID.valid() || !p.Date.Valid() || p.Code.CodeNumber == "" {
			t.Fatalf("ParseDocumentID(%q) = %+v", s, p)
		}
		again, ok := ParseDocumentID(p.String())
		if !ok || again != p {
			t.Fatalf("%q → %+v → %q → %+v %v", s, p, p.String(), again, ok)
		}
	})
}
