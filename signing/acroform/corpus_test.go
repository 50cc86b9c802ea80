package acroform

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vanthuso/vanthu/internal/pdftools"
	"github.com/vanthuso/vanthu/signing/pdf"
)

// openPDF opens path with signing/pdf; the caller closes the file.
func openPDF(t *testing.T, path string) (*pdf.Reader, *os.File, error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		t.Fatal(err)
	}
	r, err := pdf.Open(f, fi.Size())
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return r, f, nil
}

// qpdfWidget is one row of `qpdf --json --json-key=acroform`: a widget
// annotation and the terminal field it belongs to.
type qpdfWidget struct {
	Object     string `json:"object"`
	FullName   string `json:"fullname"`
	FieldType  string `json:"fieldtype"`
	Page       int    `json:"pageposfrom1"`
	Annotation struct {
		Object string `json:"object"`
	} `json:"annotation"`
}

// qpdfForm runs qpdf, an independent reader, on path.
func qpdfForm(t *testing.T, path string) []qpdfWidget {
	t.Helper()
	out, err := exec.Command("qpdf", "--json", "--json-key=acroform", path).Output()
	var ee *exec.ExitError
	if err != nil && !(errors.As(err, &ee) && ee.ExitCode() == 3) {
		t.Logf("qpdf --json %s: %v", path, err)
		return nil
	}
	var doc struct {
		AcroForm struct {
			Fields []qpdfWidget `json:"fields"`
		} `json:"acroform"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatalf("qpdf --json %s: %v", path, err)
	}
	return doc.AcroForm.Fields
}

// orphanWidgets are corpus files where qpdf lists a widget that /Fields
// does not reach (qpdf adds page annotations of subtype Widget to its
// form view; a form is what /Fields holds): checked by hand with
// qpdf --show-object.
var orphanWidgets = map[string]string{
	"variant-1_replace-via-overlay/3_original-document-shadowed-signed.pdf":             "6 0 R: a /Tx widget in page 1's /Annots; /Fields is [9 0 R]",
	"variant-1_replace-via-overlay/4_original-document-shadowed-signed-manipulated.pdf": "6 0 R: the same widget, one revision later",
}

// pageAnnots returns the annotations every page lists, by reference.
func pageAnnots(t *testing.T, r *pdf.Reader) map[pdf.Ref]bool {
	out := map[pdf.Ref]bool{}
	n, err := r.NumPages()
	if err != nil {
		return out
	}
	for i := 1; i <= n; i++ {
		_, page, _, err := r.Page(i)
		if err != nil {
			break
		}
		annots, _ := resolve(r, page["Annots"]).(pdf.Array)
		for _, a := range annots {
			if ref, ok := a.(pdf.Ref); ok {
				out[ref] = true
			}
		}
	}
	return out
}

// Every corpus file's form as Read sees it, against qpdf (an independent
// reader) and against both walkers this package replaced: the same
// widgets, fully qualified names, types and pages, the same signed
// fields. A widget only one side lists is explained: qpdf leaves out
// widgets no page lists (it builds its view from pages) and lists page
// widgets /Fields does not reach (orphanWidgets). In encrypted files
// the names are encrypted strings, which signing/pdf does not decrypt:
// there types and pages are compared.
func TestCorpusAgainstQpdfAndLegacy(t *testing.T) {
	files, err := pdftools.CorpusPDFs("dss", "rub", "vn")
	if err != nil {
		t.Fatal(err)
	}
	compared, widgets := 0, 0
	for _, path := range files {
		name := strings.TrimPrefix(path, filepath.Dir(filepath.Dir(path))+"/")
		r, f, err := openPDF(t, path)
		if err != nil {
			continue // files signing/pdf refuses are the verifier's corpus tests' business
		}
		form, err := Read(r)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			f.Close()
			continue
		}
		annots := pageAnnots(t, r)
		ours := map[string]string{}
		for _, fl := range form.Fields {
			if !fl.Terminal() {
				continue
			}
			for _, w := range fl.Widgets {
				ours[w.Ref.String()] = fmt.Sprintf("%s /%s p%d", fl.Name, fl.Type, w.Page)
			}
		}
		qw := qpdfForm(t, path)
		if qw != nil {
			compared++
		}
		theirs := map[string]bool{}
		for _, q := range qw {
			key := q.Annotation.Object
			theirs[key] = true
			want := fmt.Sprintf("%s %s p%d", q.FullName, q.FieldType, q.Page)
			got, ok := ours[key]
			switch {
			case !ok && orphanWidgets[name] != "" && strings.HasPrefix(orphanWidgets[name], key+":"):
			case !ok:
				t.Errorf("%s: qpdf lists widget %s (%s), Read does not", name, key, want)
			case r.Encrypted():
				if g, w := got[strings.Index(got, " /"):], want[strings.Index(want, " /"):]; g != w {
					t.Errorf("%s: widget %s: Read %q, qpdf %q", name, key, got, want)
				}
			case got != want:
				t.Errorf("%s: widget %s: Read %q, qpdf %q", name, key, got, want)
			}
			widgets++
		}
		if qw != nil {
			for key, got := range ours {
				ref := parseRef(key)
				if !theirs[key] && annots[ref] {
					t.Errorf("%s: Read lists widget %s (%s) on a page's /Annots, qpdf does not", name, key, got)
				}
			}
		}

		lp, ok := legacyWalk(r, false)
		if !ok {
			t.Errorf("%s: the old pades walker failed", name)
		}
		lpm := map[string]string{}
		for _, l := range lp {
			lpm[l.ref.String()+" "+l.name] = fmt.Sprintf("%s w%v p%d s%v", l.typ, l.widget, l.page, l.signed)
		}
		om := map[string]string{}
		for _, fl := range form.Fields {
			if !fl.Terminal() && len(fl.Widgets) == 0 {
				continue
			}
			var w Widget
			if len(fl.Widgets) > 0 {
				w = fl.Widgets[0]
			}
			om[fl.Ref.String()+" "+fl.Name] = fmt.Sprintf("%s w%v p%d s%v", fl.Type, w.Ref, w.Page, fl.Signed)
		}
		for k, v := range om {
			if lpm[k] != v {
				t.Errorf("%s: field %s: Read %q, old pades walker %q", name, k, v, lpm[k])
			}
		}
		for k, v := range lpm {
			if _, ok := om[k]; !ok {
				t.Errorf("%s: field %s: Read none, old pades walker %q", name, k, v)
			}
		}
		lv, _ := legacyWalk(r, true)
		lvm := map[string]bool{}
		for _, l := range lv {
			lvm[l.ref.String()+" "+l.name] = true
		}
		osig := map[string]bool{}
		for _, fl := range form.Signatures() {
			osig[fl.Ref.String()+" "+fl.Name] = true
		}
		for k := range osig {
			if !lvm[k] {
				t.Errorf("%s: %s: Read signed, the old verify walker not", name, k)
			}
		}
		for k := range lvm {
			if !osig[k] {
				t.Errorf("%s: %s: the old verify walker signed, Read not", name, k)
			}
		}
		f.Close()
	}
	if compared < 50 || widgets < 1000 {
		t.Errorf("only %d files with widgets and %d widgets compared with qpdf", compared, widgets)
	}
	t.Logf("%d files, %d widgets compared with qpdf", compared, widgets)
}

func parseRef(s string) pdf.Ref {
	var num, gen int
	fmt.Sscanf(s, "%d %d R", &num, &gen)
	return pdf.Ref{Num: uint32(num), Gen: uint16(gen)}
}
