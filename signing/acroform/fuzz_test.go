package acroform

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/vanthuso/vanthu/internal/fuzzguard"
	"github.com/vanthuso/vanthu/signing/pdf"
)

// FuzzRead reads the form of generated documents whose objects the fuzzer
// writes (so that it mutates trees, not cross-reference tables): Read
// ends within the watchdog, never panics, reads each object once, keeps
// its limits, and what it reports is consistent: a kid's name extends its
// parent's, a signed field has a signature dictionary, locks are read for
// every signature.
func FuzzRead(f *testing.F) {
	f.Add("<< /T (a) /FT /Tx /Kids [5 0 R] >>\n<< /T (b) /Kids [6 0 R] >>\n<< /Subtype /Widget /P 3 0 R /Rect [0 0 1 1] >>")
	f.Add("<< /T (ky) /FT /Sig /V 5 0 R /Lock << /Action /Exclude /Fields [(x)] /P 1 >> >>\n<< /Type /Sig /Reference [<< /TransformMethod /FieldMDP /TransformParams << /Action /Include /Fields [(ky)] >> >>] >>")
	f.Add("<< /T (a) /Kids [4 0 R 5 0 R] >>\n<< /Kids [4 0 R] /Parent 4 0 R >>")
	f.Add("<< /T <FEFF00E2> /FT /Sig /V << /Type /Sig >> /Kids [5 0 R 5 0 R] >>\n<< /Subtype /Widget >>")
	f.Fuzz(func(t *testing.T, bodies string) {
		defer fuzzguard.Watch(t, fuzzguard.Limit, []byte(bodies))()
		objs := append([]string{"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R 5 0 R] >> /Perms << /DocMDP 5 0 R >> >>"}, page("4 0 R 5 0 R 6 0 R")...)
		for i, b := range strings.Split(bodies, "\n") {
			if i == 8 {
				break
			}
			objs = append(objs, b)
		}
		data := buildPDF(objs...)
		r, err := pdf.Open(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		form, err := Read(r)
		if err != nil && !errors.Is(err, ErrLimit) {
			return
		}
		if form == nil {
			t.Fatalf("Read returned no form with %v", err)
		}
		if len(form.Fields) > MaxFields {
			t.Fatalf("%d fields", len(form.Fields))
		}
		seen := map[pdf.Ref]bool{}
		for _, fl := range form.Fields {
			if fl.Ref != (pdf.Ref{}) {
				if seen[fl.Ref] {
					t.Fatalf("field %v read twice", fl.Ref)
				}
				seen[fl.Ref] = true
			}
			if p := fl.Parent; p != nil && !strings.HasPrefix(fl.Name, p.Name) {
				t.Fatalf("kid %q of %q", fl.Name, p.Name)
			}
			if fl.Signed && (fl.Sig == nil || fl.Type != "Sig") {
				t.Fatalf("signed field %q without a signature dictionary", fl.Name)
			}
			depth := 0
			for p := fl.Parent; p != nil; p = p.Parent {
				depth++
			}
			if depth > MaxDepth {
				t.Fatalf("field at depth %d", depth)
			}
		}
		for _, s := range form.Signatures() {
			l := Locks(r, s.Sig, s.Lock)
			if l.P < 0 || l.P > 3 {
				t.Fatalf("lock P %d", l.P)
			}
			l.Locks(s.Name)
		}
		if p, _, ok := DocMDP(r); ok && (p < 1 || p > 3) {
			t.Fatalf("DocMDP %d", p)
		}
	})
}
