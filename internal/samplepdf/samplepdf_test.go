package samplepdf

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/vanthuso/vanthu/internal/pdftools"
)

// Every variant is a clean PDF for qpdf and renders in MuPDF.
func TestVariantsAreValid(t *testing.T) {
	for i, o := range []Options{
		{},
		{Pages: 3, Fields: true},
		{Pages: 2, XRefStream: true},
		{Rotate: 90, Landscape: true},
		{Pages: 2, Size: 1 << 20},
	} {
		t.Run(fmt.Sprintf("%d", i), func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "s.pdf")
			if err := WriteFile(p, o); err != nil {
				t.Fatal(err)
			}
			if err := pdftools.QpdfCheck(p); err != nil {
				t.Error(err)
			}
			if err := pdftools.MutoolDraw(p); err != nil {
				t.Error(err)
			}
			if o.Size > 0 {
				fi, _ := os.Stat(p)
				if d := fi.Size() - o.Size; d < -o.Size/20 || d > o.Size/20 {
					t.Errorf("size %d, asked for about %d", fi.Size(), o.Size)
				}
			}
		})
	}
}
