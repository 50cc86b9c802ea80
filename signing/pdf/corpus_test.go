package pdf

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/vanthuso/vanthu/internal/pdftools"
)

func corpusFiles(t testing.TB) []string {
	t.Helper()
	corpusDir := corpusRoot(t)
	var files []string
	for _, sub := range []string{"dss", "vn", "rub"} {
		err := filepath.WalkDir(filepath.Join(corpusDir, sub), func(path string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.EqualFold(filepath.Ext(path), ".pdf") {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("walk corpus: %v", err)
		}
	}
	if len(files) == 0 {
		t.Fatalf("no PDFs in %s", corpusDir)
	}
	return files
}

func openFile(t testing.TB, path string) *Reader {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	r, err := Open(f, st.Size())
	if err != nil {
		t.Fatalf("Open %s: %v", path, err)
	}
	return r
}

// qpdfPages returns qpdf's page count, or -1 when qpdf is missing or fails.
func qpdfPages(path string) int {
	out, err := exec.Command("/usr/bin/qpdf", "--show-npages", path).Output()
	if err != nil {
		// Exit status 3 means warnings; the count is still printed.
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 3 {
			return -1
		}
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil {
		return -1
	}
	return n
}

func saneGeometry(t *testing.T, g PageGeometry, n int) {
	t.Helper()
	if g.Number != n {
		t.Errorf("page %d: Number = %d", n, g.Number)
	}
	for _, b := range []Rect{g.MediaBox, g.CropBox} {
		if b.Width() <= 0 || b.Height() <= 0 || b.Width() > 14400*100 || b.Height() > 14400*100 {
			t.Errorf("page %d: implausible box %v", n, b)
		}
	}
	switch g.Rotate {
	case 0, 90, 180, 270:
	default:
		t.Errorf("page %d: Rotate = %d", n, g.Rotate)
	}
	if v := g.Visible(); v.Width() <= 0 || v.Height() <= 0 {
		t.Errorf("page %d: empty visible area %v", n, v)
	}
}

func TestCorpus(t *testing.T) {
	_, haveQPDF := exec.LookPath("/usr/bin/qpdf")
	for _, path := range corpusFiles(t) {
		name, _ := filepath.Rel(corpusRoot(t), path)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := openFile(t, path)
			if r.Size() == 0 {
				t.Error("Size() = 0")
			}
			eofs := r.EOFOffsets()
			if len(eofs) == 0 {
				t.Error("no end-of-file marker found")
			}
			if len(r.XRefOffsets()) == 0 && !r.Repaired() {
				t.Error("no xref sections and not repaired")
			}
			if strings.Contains(name, "encrypted") && !r.Encrypted() {
				t.Error("Encrypted() = false")
			}
			// Every object reads; every stream decodes unless its filter is an
			// image codec or the file is encrypted.
			streams, undecodable := 0, 0
			for _, ref := range r.Refs() {
				o, err := r.Get(ref)
				if err != nil {
					t.Errorf("Get(%v): %v", ref, err)
					continue
				}
				s, ok := o.(*Stream)
				if !ok {
					continue
				}
				streams++
				if _, err := r.StreamData(s); err != nil {
					undecodable++
					if !r.Encrypted() && !strings.Contains(err.Error(), "unsupported filter") {
						t.Errorf("StreamData(%v): %v", ref, err)
					}
				}
			}
			cat, ref, err := r.Catalog()
			if err != nil {
				if r.Encrypted() {
					t.Logf("encrypted; catalog: %v", err)
					return
				}
				t.Fatalf("Catalog: %v", err)
			}
			if cat["Type"] != Name("Catalog") {
				t.Logf("catalog %v has /Type %v", ref, cat["Type"])
			}
			n, err := r.NumPages()
			if err != nil || n <= 0 {
				t.Fatalf("NumPages = %d, %v", n, err)
			}
			if haveQPDF == nil {
				if q := qpdfPages(path); q >= 0 && q != n {
					t.Errorf("NumPages = %d, qpdf says %d", n, q)
				}
			}
			for _, p := range []int{1, n} {
				pref, pd, g, err := r.Page(p)
				if err != nil {
					t.Fatalf("Page(%d): %v", p, err)
				}
				if pd == nil || pd["Type"] != Name("Page") {
					t.Errorf("Page(%d) %v: dictionary %v", p, pref, pd["Type"])
				}
				saneGeometry(t, g, p)
			}
			if _, _, _, err := r.Page(n + 1); err == nil {
				t.Errorf("Page(%d) beyond the end succeeded", n+1)
			}
			t.Logf("pages=%d size=%d xref=%v stream=%v repaired=%v encrypted=%v eofs=%d streams=%d undecodable=%d",
				n, r.Size(), r.XRefOffsets(), r.XRefIsStream(), r.Repaired(), r.Encrypted(), len(eofs), streams, undecodable)
		})
	}
}

// corpusRoot holds real PDFs from other producers (see its README.md).
func corpusRoot(t testing.TB) string {
	t.Helper()
	dir, err := pdftools.CorpusDir()
	if err != nil {
		t.Fatal(err)
	}
	return dir
}
