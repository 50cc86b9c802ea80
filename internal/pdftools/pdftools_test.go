package pdftools

import (
	"path/filepath"
	"testing"
)

// The parsers read what the tools really print, on corpus files whose
// verdicts the corpus manifest records.
func TestParsersOnCorpus(t *testing.T) {
	dir, err := CorpusDir()
	if err != nil {
		t.Fatal(err)
	}
	valid := filepath.Join(dir, "dss", "pades-bes.pdf")
	sigs, text, err := Pdfsig(valid, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(sigs) != 1 || !sigs[0].Valid() || !sigs[0].TotalDocument || sigs[0].Field != "Signature1" || sigs[0].Type != "ETSI.CAdES.detached" {
		t.Errorf("pdfsig parsed %+v from:\n%s", sigs, text)
	}
	empty := filepath.Join(dir, "dss", "dss-2554", "fieldmdp-exclude.pdf")
	sigs, text, err = Pdfsig(empty, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sigs {
		if !s.Unsigned {
			t.Errorf("an empty field was not recognised as unsigned: %+v\n%s", s, text)
		}
	}
	ms, mtext, err := MutoolVerify(valid)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 1 || ms[0].Digest != "" || !ms[0].Unchanged {
		t.Errorf("mutool parsed %+v from:\n%s", ms, mtext)
	}
	ps, err := PdfcpuValidate(valid)
	if err != nil || len(ps) != 1 || !ps[0].IntegrityOK() {
		t.Errorf("pdfcpu: %+v %v", ps, err)
	}
	if err := QpdfCheck(valid); err != nil {
		t.Error(err)
	}
	pdfs, err := CorpusPDFs("vn")
	if err != nil || len(pdfs) != 2 {
		t.Errorf("CorpusPDFs(vn) = %v, %v", pdfs, err)
	}
}
