package stamp

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/vanthuso/vanthu/signing/pdf"
)

// testWriter is a pdf.ObjectWriter that keeps objects in memory and lets
// the test PDF builder reserve object numbers for parents written later.
type testWriter struct {
	objs map[uint32][]byte
	next uint32
}

func newTestWriter() *testWriter { return &testWriter{objs: map[uint32][]byte{}, next: 1} }

func (w *testWriter) alloc() uint32 {
	n := w.next
	w.next++
	return n
}

func (w *testWriter) put(n uint32, body []byte) { w.objs[n] = body }

func (w *testWriter) WriteObject(body []byte) (pdf.Ref, error) {
	n := w.alloc()
	w.put(n, bytes.Clone(body))
	return pdf.Ref{Num: n}, nil
}

func (w *testWriter) WriteStream(dict, data []byte) (pdf.Ref, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "<< %s /Length %d >>\nstream\n", dict, len(data))
	b.Write(data)
	b.WriteString("\nendstream")
	return w.WriteObject(b.Bytes())
}

// bytes serialises the objects as a PDF file with catalog root.
func (w *testWriter) bytes(root uint32) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, w.next)
	for n := uint32(1); n < w.next; n++ {
		offsets[n] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n", n)
		b.Write(w.objs[n])
		b.WriteString("\nendobj\n")
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", w.next)
	for n := uint32(1); n < w.next; n++ {
		fmt.Fprintf(&b, "%010d 00000 n \n", offsets[n])
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n", w.next, root, xref)
	return b.Bytes()
}

// testPage is one page of a generated test document.
type testPage struct {
	MediaBox pdf.Rect
	CropBox  *pdf.Rect
	Rotate   int
	Content  string // page content drawn under the appearances
}

func (p testPage) geometry(n int) pdf.PageGeometry {
	g := pdf.PageGeometry{Number: n, MediaBox: p.MediaBox, CropBox: p.MediaBox, Rotate: p.Rotate}
	if p.CropBox != nil {
		g.CropBox = *p.CropBox
	}
	return g
}

// testDoc is a blank document; geom is what Build is given.
type testDoc []testPage

func (d testDoc) geom(n int) (pdf.PageGeometry, error) {
	if n < 1 || n > len(d) {
		return pdf.PageGeometry{}, fmt.Errorf("page %d does not exist (the document has %d)", n, len(d))
	}
	return d[n-1].geometry(n), nil
}

// build writes the document with apps placed as the signature writer
// places them: element 0 as a signature widget, the others as locked
// stamp annotations. With onPage, the appearances are instead painted into
// the page content with the transformation of the PDF appearance
// algorithm (12.5.5), so the placement maths is checked independently of
// the viewers' annotation code.
func (d testDoc) build(t testing.TB, apps []pdf.Appearance, onPage bool) []byte {
	t.Helper()
	w := newTestWriter()
	catalog, pages, acro := w.alloc(), w.alloc(), w.alloc()
	pageRefs := make([]uint32, len(d))
	for i := range d {
		pageRefs[i] = w.alloc()
	}
	annots := make([][]uint32, len(d))
	content := make([]bytes.Buffer, len(d))
	xobjs := make([]string, len(d))
	var fields []uint32
	for i, a := range apps {
		g, err := d.geom(a.Page)
		if err != nil {
			t.Fatal(err)
		}
		xo, err := a.Write(w, g)
		if err != nil {
			t.Fatalf("appearance %d: %v", i, err)
		}
		p := a.Page - 1
		if onPage {
			m := appearanceMatrix(t, w.objs[xo.Num], a.Rect)
			fmt.Fprintf(&content[p], "q %s %s %s %s %s %s cm /X%d Do Q\n",
				num(m[0]), num(m[1]), num(m[2]), num(m[3]), num(m[4]), num(m[5]), i)
			xobjs[p] += fmt.Sprintf(" /X%d %s", i, xo)
			continue
		}
		ann := w.alloc()
		if i == 0 {
			w.put(ann, fmt.Appendf(nil, "<< /Type /Annot /Subtype /Widget /FT /Sig /T (Signature1) /F 132 /Rect %s /P %d 0 R /AP << /N %s >> >>", a.Rect, pageRefs[p], xo))
			fields = append(fields, ann)
		} else {
			w.put(ann, fmt.Appendf(nil, "<< /Type /Annot /Subtype /Stamp /F 708 /Rect %s /P %d 0 R /AP << /N %s >> >>", a.Rect, pageRefs[p], xo))
		}
		annots[p] = append(annots[p], ann)
	}
	for i, pg := range d {
		g := pg.geometry(i + 1)
		cs, err := w.WriteStream(nil, append([]byte(pg.Content+"\n"), content[i].Bytes()...))
		if err != nil {
			t.Fatal(err)
		}
		var extra bytes.Buffer
		if pg.CropBox != nil {
			fmt.Fprintf(&extra, " /CropBox %s", g.CropBox)
		}
		if pg.Rotate != 0 {
			fmt.Fprintf(&extra, " /Rotate %d", pg.Rotate)
		}
		if len(annots[i]) > 0 {
			extra.WriteString(" /Annots [")
			for _, a := range annots[i] {
				fmt.Fprintf(&extra, " %d 0 R", a)
			}
			extra.WriteString(" ]")
		}
		w.put(pageRefs[i], fmt.Appendf(nil, "<< /Type /Page /Parent %d 0 R /MediaBox %s%s /Contents %s /Resources << /XObject <<%s >> >> >>",
			pages, g.MediaBox, extra.Bytes(), cs, xobjs[i]))
	}
	var kids, fieldList bytes.Buffer
	for _, p := range pageRefs {
		fmt.Fprintf(&kids, " %d 0 R", p)
	}
	for _, f := range fields {
		fmt.Fprintf(&fieldList, " %d 0 R", f)
	}
	w.put(pages, fmt.Appendf(nil, "<< /Type /Pages /Kids [%s ] /Count %d >>", kids.Bytes(), len(d)))
	w.put(acro, fmt.Appendf(nil, "<< /Fields [%s ] >>", fieldList.Bytes()))
	w.put(catalog, fmt.Appendf(nil, "<< /Type /Catalog /Pages %d 0 R /AcroForm %d 0 R >>", pages, acro))
	return w.bytes(catalog)
}

// appearanceMatrix computes, for a form XObject written by the package,
// the matrix A of PDF 32000-1 12.5.5 that maps the BBox transformed by
// /Matrix onto rect.
func appearanceMatrix(t testing.TB, obj []byte, rect pdf.Rect) [6]float64 {
	t.Helper()
	var bx0, by0, bx1, by1 float64
	var m [6]float64
	i := bytes.Index(obj, []byte("/BBox ["))
	j := bytes.Index(obj, []byte("/Matrix ["))
	if i < 0 || j < 0 {
		t.Fatalf("form XObject without /BBox or /Matrix: %.200s", obj)
	}
	if _, err := fmt.Sscan(string(obj[i+7:]), &bx0, &by0, &bx1, &by1); err != nil {
		t.Fatalf("BBox: %v", err)
	}
	if _, err := fmt.Sscan(string(obj[j+9:]), &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]); err != nil {
		t.Fatalf("Matrix: %v", err)
	}
	tx := func(x, y float64) (float64, float64) { return m[0]*x + m[2]*y + m[4], m[1]*x + m[3]*y + m[5] }
	minX, minY, maxX, maxY := 1e9, 1e9, -1e9, -1e9
	for _, p := range [][2]float64{{bx0, by0}, {bx1, by0}, {bx0, by1}, {bx1, by1}} {
		x, y := tx(p[0], p[1])
		minX, minY, maxX, maxY = min(minX, x), min(minY, y), max(maxX, x), max(maxY, y)
	}
	sx, sy := rect.Width()/(maxX-minX), rect.Height()/(maxY-minY)
	// A scales and translates; Do applies /Matrix itself, so the page
	// content's cm is A alone.
	return [6]float64{sx, 0, 0, sy, rect.LLX - minX*sx, rect.LLY - minY*sy}
}

// writeTemp writes data to name in a test's temporary directory.
func writeTemp(t testing.TB, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
