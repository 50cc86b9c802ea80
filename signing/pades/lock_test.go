package pades

import (
	"bytes"
	"context"
	"crypto"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/vanthuso/vanthu/internal/samplepdf"
	"github.com/vanthuso/vanthu/signing/pdf"
)

// appendUpdate appends a hand-made incremental update (a classic
// cross-reference table) that defines objs, as another producer would.
func appendUpdate(t *testing.T, path string, objs map[pdf.Ref]pdf.Object) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r, err := pdf.Open(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	_, root, err := r.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`startxref\s+(\d+)\s+%%EOF\s*$`).FindSubmatch(data)
	if m == nil {
		t.Fatal("no startxref at the end")
	}
	prev, _ := strconv.Atoi(string(m[1]))
	size := r.Size()
	var refs []pdf.Ref
	for ref := range objs {
		refs = append(refs, ref)
		size = max(size, ref.Num+1)
	}
	sort.Slice(refs, func(i, j int) bool { return refs[i].Num < refs[j].Num })
	buf := bytes.NewBuffer(data)
	buf.WriteString("\n")
	offsets := map[pdf.Ref]int{}
	for _, ref := range refs {
		offsets[ref] = buf.Len()
		fmt.Fprintf(buf, "%d %d obj\n%s\nendobj\n", ref.Num, ref.Gen, pdf.AppendObject(nil, objs[ref]))
	}
	xref := buf.Len()
	buf.WriteString("xref\n")
	for _, ref := range refs {
		fmt.Fprintf(buf, "%d 1\n%010d %05d n \n", ref.Num, offsets[ref], ref.Gen)
	}
	trailer := pdf.Dict{"Size": int64(size), "Root": root, "Prev": int64(prev)}
	fmt.Fprintf(buf, "trailer\n%s\nstartxref\n%d\n%%%%EOF\n", pdf.AppendObject(nil, trailer), xref)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// lockedSample writes a document whose signature field ChuKyLanhDao has
// the /Lock dictionary lock and which has a second empty signature field
// ChuKyVanThu, then signs ChuKyLanhDao as the leader: the lock is in force.
// With lock nil, the leader's field carries no lock and lockOther is set
// on ChuKyVanThu instead (nil: none).
func lockedSample(t *testing.T, f *fixture, lock, lockOther pdf.Dict) string {
	t.Helper()
	in := sample(t, "form.pdf", samplepdf.Options{Fields: true})
	doc, err := Inspect(in)
	if err != nil {
		t.Fatal(err)
	}
	leader, ok := doc.Field("ChuKyLanhDao")
	if !ok {
		t.Fatal("the sample has no ChuKyLanhDao field")
	}
	_, page, _, err := doc.Reader.Page(1)
	if err != nil {
		t.Fatal(err)
	}
	pageRef, _, _, _ := doc.Reader.Page(1)
	form := doc.form
	objs := map[pdf.Ref]pdf.Object{}
	other := pdf.Ref{Num: doc.Reader.Size()}
	od := pdf.Dict{"Type": pdf.Name("Annot"), "Subtype": pdf.Name("Widget"), "FT": pdf.Name("Sig"),
		"T": pdf.TextString("ChuKyVanThu"), "Rect": pdf.Array{int64(300), int64(100), int64(500), int64(160)},
		"F": int64(4), "P": pageRef}
	if lockOther != nil {
		od["Lock"] = lockOther
	}
	objs[other] = od
	ld := pdf.Dict{}
	for k, v := range leader.dict(t, doc) {
		ld[k] = v
	}
	if lock != nil {
		ld["Lock"] = lock
	}
	objs[leader.Ref] = ld
	af := pdf.Dict{}
	for k, v := range form.Dict {
		af[k] = v
	}
	fields, _ := mustResolve(doc.Reader, af["Fields"]).(pdf.Array)
	af["Fields"] = append(append(pdf.Array{}, fields...), other)
	if form.Ref != (pdf.Ref{}) {
		objs[form.Ref] = af
	} else {
		cat, root, err := doc.Reader.Catalog()
		if err != nil {
			t.Fatal(err)
		}
		cd := pdf.Dict{}
		for k, v := range cat {
			cd[k] = v
		}
		cd["AcroForm"] = af
		objs[root] = cd
	}
	pd := pdf.Dict{}
	for k, v := range page {
		pd[k] = v
	}
	annots, _ := mustResolve(doc.Reader, pd["Annots"]).(pdf.Array)
	pd["Annots"] = append(append(pdf.Array{}, annots...), other)
	objs[pageRef] = pd
	doc.Close()
	appendUpdate(t, in, objs)

	out := filepath.Join(t.TempDir(), "signed.pdf")
	o := f.leaderOptions()
	o.Field = "ChuKyLanhDao"
	sign(t, in, out, o)
	return out
}

func (fl Field) dict(t *testing.T, d *Document) pdf.Dict {
	t.Helper()
	dd, err := d.Reader.ResolveDict(fl.Ref)
	if err != nil || dd == nil {
		t.Fatalf("field %s: %v", fl.Name, err)
	}
	return dd
}

// An earlier signature's lock (ISO 32000-1 12.7.4.5; FieldMDP 12.8.2.4)
// is obeyed: a field it locks is not signed, a new field is not added
// where All or Exclude forbid it, /P 1 forbids any signature; nothing is
// written then. What the lock allows is signed, and stays valid.
func TestFieldLocks(t *testing.T) {
	f := newFixture(t, false)
	names := func(ns ...string) pdf.Array {
		var a pdf.Array
		for _, n := range ns {
			a = append(a, pdf.TextString(n))
		}
		return a
	}
	include := pdf.Dict{"Type": pdf.Name("SigFieldLock"), "Action": pdf.Name("Include"), "Fields": names("ChuKyVanThu")}
	exclude := pdf.Dict{"Type": pdf.Name("SigFieldLock"), "Action": pdf.Name("Exclude"), "Fields": names("ChuKyVanThu")}
	all := pdf.Dict{"Type": pdf.Name("SigFieldLock"), "Action": pdf.Name("All")}
	noChanges := pdf.Dict{"Type": pdf.Name("SigFieldLock"), "Action": pdf.Name("Include"), "Fields": names("Khac"), "P": int64(1)}
	garbage := pdf.Dict{"Type": pdf.Name("SigFieldLock"), "Action": pdf.Name("Everything?")}
	cases := []struct {
		name            string
		lock, lockOther pdf.Dict
		other, newField bool // may ChuKyVanThu, a new field be signed
	}{
		{"include", include, nil, false, true},
		{"exclude", exclude, nil, true, false},
		{"all", all, nil, false, false},
		{"p1", noChanges, nil, false, false},
		// An unknown action reads as All, the strictest.
		{"unknown-action", garbage, nil, false, false},
		// A lock binds once its field is signed: the empty field's own
		// lock does not stop signing it or adding another.
		{"unsigned-lock", nil, all, true, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := lockedSample(t, f, c.lock, c.lockOther)
			try := func(label string, o Options, allowed bool) {
				out := filepath.Join(t.TempDir(), label+".pdf")
				_, err := SignFile(context.Background(), in, out, o)
				switch {
				case allowed && err != nil:
					t.Errorf("%s: %v", label, err)
				case allowed:
					f.checkAllVerifiers(out, 2, true)
				case !errors.Is(err, ErrFieldLocked):
					t.Errorf("%s: err %v, want ErrFieldLocked", label, err)
				case fileExists(out):
					t.Errorf("%s: refused but %s was written", label, out)
				}
			}
			o := f.agencyOptions()
			o.Field = "ChuKyVanThu"
			try("other", o, c.other)
			try("new", f.agencyOptions(), c.newField)
			o = f.agencyOptions()
			o.NewFieldName = "ChuKyThem"
			try("named", o, c.newField)

			doc, err := Inspect(in)
			if err != nil {
				t.Fatal(err)
			}
			defer doc.Close()
			if err := doc.CheckFieldLock("ChuKyVanThu"); (err == nil) != c.other {
				t.Errorf("CheckFieldLock(ChuKyVanThu) = %v", err)
			}
			if err := doc.CheckFieldLock(""); (err == nil) != c.newField {
				t.Errorf("CheckFieldLock(new) = %v", err)
			} else if err != nil && !strings.Contains(err.Error(), "ChuKyLanhDao") {
				t.Errorf("the error does not name the locking signature: %v", err)
			}
		})
	}
}

// AD-RB.pdf (EU DSS corpus): its second signature locks all fields with
// /P 1 (FieldMDP and /Lock). Signing it again, a document timestamp
// included, is refused before anything is written.
func TestCorpusFieldMDPRefused(t *testing.T) {
	in := corpusFile(t, "dss/AD-RB.pdf")
	f := newFixture(t, true)
	out := filepath.Join(t.TempDir(), "out.pdf")
	_, err := SignFile(context.Background(), in, out, f.leaderOptions())
	if !errors.Is(err, ErrFieldLocked) {
		t.Fatalf("sign AD-RB.pdf: %v, want ErrFieldLocked", err)
	}
	if !strings.Contains(err.Error(), "ENVELOPEID_04E32142CACE4C9DAB875C0FC264F2CF") {
		t.Errorf("the error does not name the locking signature: %v", err)
	}
	if _, err := AddDocumentTimestamp(context.Background(), in, out, f.tsaClient(), crypto.SHA256); !errors.Is(err, ErrFieldLocked) {
		t.Errorf("timestamp AD-RB.pdf: %v, want ErrFieldLocked", err)
	}
	if fileExists(out) {
		t.Errorf("refused but %s was written", out)
	}
}
