package acroform

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/vanthuso/vanthu/signing/pdf"
)

// buildPDF writes a PDF whose objects 1… are bodies (object 1 the
// catalog), with a classic cross-reference table.
func buildPDF(bodies ...string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n")
	offs := make([]int, len(bodies))
	for i, body := range bodies {
		offs[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, body)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(bodies)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(bodies)+1, xref)
	return b.Bytes()
}

// page is the page tree of the test documents: object 2 the /Pages,
// object 3 its one page with the annotations annots.
func page(annots string) []string {
	return []string{
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Annots [" + annots + "] >>",
	}
}

func readForm(t *testing.T, data []byte) (*Form, *pdf.Reader, error) {
	t.Helper()
	r, err := pdf.Open(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	f, err := Read(r)
	return f, r, err
}

func names(f *Form) []string {
	var out []string
	for _, fl := range f.Fields {
		out = append(out, fl.Name)
	}
	return out
}

// The tree: names joined from the root, entries inherited, a field merged
// with its widget, widget kids, pages from /P and from /Annots, the
// AcroForm's /DA as the last fallback, signatures and their locks.
func TestReadTree(t *testing.T) {
	objs := append([]string{
		"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R 7 0 R] /DA (/Helv 0 Tf 0 g) >> >>"},
		page("6 0 R 8 0 R 9 0 R")...)
	objs = append(objs,
		"<< /T (a) /FT /Tx /Ff 2 /Kids [5 0 R] >>",                                               // 4
		"<< /T (b) /Kids [6 0 R] /V (x) >>",                                                      // 5
		"<< /Subtype /Widget /Rect [10 20 5 2] /P 3 0 R >>",                                      // 6: widget of a.b
		"<< /T (ky) /FT /Sig /V 10 0 R /Lock 11 0 R /Kids [8 0 R 9 0 R] >>",                      // 7
		"<< /Type /Annot /Subtype /Widget /Rect [0 0 100 50] >>",                                 // 8: page from /Annots
		"<< /Type /Annot /Subtype /Widget /Rect [0 0 0 0] >>",                                    // 9
		"<< /Type /Sig /Reference [<< /TransformMethod /FieldMDP /TransformParams 12 0 R >>] >>", // 10
		"<< /Type /SigFieldLock /Action /Include /Fields [(a)] >>",                               // 11
		"<< /Action /Exclude /Fields [(ky)] /P 2 >>",                                             // 12
	)
	f, r, err := readForm(t, buildPDF(objs...))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := names(f), []string{"a", "a.b", "ky"}; !slices.Equal(got, want) {
		t.Fatalf("fields %q, want %q", got, want)
	}
	ab := f.Fields[1]
	if ab.Parent != f.Fields[0] || ab.Type != "Tx" || ab.Flags != 2 || ab.DA != "/Helv 0 Tf 0 g" || fmt.Sprint(ab.Value) != fmt.Sprint(pdf.String("x")) {
		t.Errorf("a.b inherited %+v", ab)
	}
	if len(ab.Widgets) != 1 || ab.Widgets[0].Ref.Num != 6 || ab.Widgets[0].Page != 1 || ab.Widgets[0].Rect != (pdf.Rect{LLX: 5, LLY: 2, URX: 10, URY: 20}) {
		t.Errorf("a.b widgets %+v", ab.Widgets)
	}
	ky := f.Fields[2]
	if !ky.Signed || ky.SigRef.Num != 10 || ky.Lock == nil || len(ky.Widgets) != 2 || ky.Widgets[0].Page != 1 {
		t.Errorf("ky %+v", ky)
	}
	if sigs := f.Signatures(); len(sigs) != 1 || sigs[0] != ky {
		t.Errorf("signatures %v", sigs)
	}
	l := Locks(r, ky.Sig, ky.Lock)
	if l.P != 2 || len(l.Rules) != 2 || l.Rules[0].From != "FieldMDP" || l.Rules[1].From != "Lock" {
		t.Errorf("locks %+v", l)
	}
	for name, locked := range map[string]bool{"a": true, "a.b": true, "ab": true, "ky": false, "new": true} {
		// "ab" and "new": not a and not below it, so Include passes
		// them, but Exclude [(ky)] locks every name besides ky.
		if l.Locks(name) != locked {
			t.Errorf("Locks(%q) = %v", name, !locked)
		}
	}
	if rule, ok := l.Rule("a.b"); !ok || rule.From != "FieldMDP" {
		t.Errorf("Rule(a.b) = %+v, %v: the first rule that locks it is the FieldMDP one", rule, ok)
	}
}

// Include locks a listed name and what is below it, not a name that only
// starts the same way.
func TestRuleNames(t *testing.T) {
	inc := Rule{Action: Include, Fields: []string{"a.b"}}
	for name, want := range map[string]bool{"a.b": true, "a.b.c": true, "a.bc": false, "a": false, "": false} {
		if inc.Locks(name) != want {
			t.Errorf("Include [a.b] locks %q: %v", name, !want)
		}
	}
	exc := Rule{Action: Exclude, Fields: []string{"a"}}
	if exc.Locks("a.x") || !exc.Locks("b") {
		t.Error("Exclude [a]")
	}
	if (Rule{}).Locks("a") || !(Rule{Action: All}).Locks("a") {
		t.Error("the zero rule locks nothing, All everything")
	}
}

// DocMDP: the strictest transform counts; absent or bad /P is 2.
func TestDocMDP(t *testing.T) {
	for _, c := range []struct {
		refs string
		want int
	}{
		{"[<< /TransformMethod /DocMDP /TransformParams << /P 1 >> >>]", 1},
		{"[<< /TransformMethod /DocMDP /TransformParams << /P 3 >> >> << /TransformMethod /DocMDP /TransformParams << /P 2 >> >>]", 2},
		{"[<< /TransformMethod /DocMDP /TransformParams << /P 9 >> >>]", 2},
		{"[<< /TransformMethod /DocMDP >>]", 2},
		{"[<< /TransformMethod /FieldMDP /TransformParams << /P 1 >> >>]", 2},
		{"[]", 2},
	} {
		objs := append([]string{"<< /Type /Catalog /Pages 2 0 R /Perms << /DocMDP 4 0 R >> >>"}, page("")...)
		objs = append(objs, "<< /Type /Sig /Reference "+c.refs+" >>")
		_, r, err := readForm(t, buildPDF(objs...))
		if err != nil {
			t.Fatal(err)
		}
		p, sig, ok := DocMDP(r)
		if !ok || p != c.want || sig.Num != 4 {
			t.Errorf("%s: DocMDP %d %v %v, want %d", c.refs, p, sig, ok, c.want)
		}
	}
	_, r, _ := readForm(t, buildPDF(append([]string{"<< /Type /Catalog /Pages 2 0 R >>"}, page("")...)...))
	if _, _, ok := DocMDP(r); ok {
		t.Error("an uncertified document is certified")
	}
}

// Hostile trees end, each object read once, within the limits.
func TestReadHostile(t *testing.T) {
	t.Run("cycle", func(t *testing.T) {
		objs := append([]string{"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R 4 0 R] >> >>"}, page("")...)
		objs = append(objs, "<< /T (a) /Kids [5 0 R] >>", "<< /T (b) /Kids [4 0 R 5 0 R] /Parent 5 0 R >>")
		f, _, err := readForm(t, buildPDF(objs...))
		if err != nil || !slices.Equal(names(f), []string{"a", "a.b"}) {
			t.Errorf("fields %q, %v", names(f), err)
		}
	})
	t.Run("deep", func(t *testing.T) {
		objs := append([]string{"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] >> >>"}, page("")...)
		for i := 0; i < MaxDepth+5; i++ {
			objs = append(objs, fmt.Sprintf("<< /T (f%d) /Kids [%d 0 R] >>", i, len(objs)+2))
		}
		objs = append(objs, "<< /T (leaf) >>")
		f, _, err := readForm(t, buildPDF(objs...))
		if !errors.Is(err, ErrLimit) || len(f.Fields) != MaxDepth+1 {
			t.Errorf("err %v, %d fields", err, len(f.Fields))
		}
	})
	t.Run("repeated", func(t *testing.T) {
		kids := strings.Repeat("5 0 R ", 500_000)
		objs := append([]string{"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] >> >>"}, page("")...)
		objs = append(objs, "<< /T (a) /Kids ["+kids+"] >>", "<< /Subtype /Widget /Rect [0 0 1 1] >>")
		f, _, err := readForm(t, buildPDF(objs...))
		if err != nil || len(f.Fields) != 1 || len(f.Fields[0].Widgets) != 1 {
			t.Fatalf("err %v, fields %d", err, len(f.Fields))
		}
		// Past maxEntries the read ends, with what it read.
		objs[3] = "<< /T (a) /Kids [" + strings.Repeat("5 0 R ", maxEntries) + "] >>"
		f, _, err = readForm(t, buildPDF(objs...))
		if !errors.Is(err, ErrLimit) || len(f.Fields) != 1 {
			t.Errorf("err %v, fields %d", err, len(f.Fields))
		}
	})
	t.Run("not-dictionaries", func(t *testing.T) {
		objs := append([]string{"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R 99 0 R (x) 5 0 R] >> >>"}, page("")...)
		objs = append(objs, "[1 2 3]", "<< /T (ok) /FT /Sig /V 4 0 R >>")
		f, _, err := readForm(t, buildPDF(objs...))
		if err != nil || !slices.Equal(names(f), []string{"ok"}) || f.Fields[0].Signed {
			t.Errorf("fields %q, %v (a /V that is no dictionary is no signature)", names(f), err)
		}
	})
	t.Run("acroform-not-dict", func(t *testing.T) {
		objs := append([]string{"<< /Type /Catalog /Pages 2 0 R /AcroForm 4 0 R >>"}, page("")...)
		objs = append(objs, "42")
		if _, _, err := readForm(t, buildPDF(objs...)); err == nil {
			t.Error("an AcroForm that is a number read as a form")
		}
	})
}
