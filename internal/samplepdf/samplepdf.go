// Package samplepdf writes plain, valid PDF documents of a chosen page
// count and size, for tests, benchmarks and the demo. The output is
// streamed: a 200 MB document is written with a few kilobytes of memory.
//
// # What it makes
//
// Each page carries a line of text (standard Helvetica, ASCII) and, when a
// target size asks for it, the pages share the padding: one uncompressed
// grey image per page filled with deterministic bytes, so the file reaches
// the size without being compressible to nothing by tools that rewrite it.
// Fields optionally adds an AcroForm with a text field and an empty
// signature field, to test that signing keeps form fields.
package samplepdf

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Options describe the document.
type Options struct {
	Pages int   // default 1
	Size  int64 // approximate total size in bytes; 0 = as small as it comes
	Title string
	// Fields adds an AcroForm with a filled text field "HoTen" and an empty
	// signature field "ChuKyLanhDao" on page 1.
	Fields bool
	// XRefStream writes a cross-reference stream instead of a table.
	XRefStream bool
	// Rotate sets every page's /Rotate (0, 90, 180, 270).
	Rotate int
	// Landscape uses A4 landscape pages instead of A4 portrait.
	Landscape bool
}

// Write writes the document to w.
func Write(w io.Writer, o Options) error {
	if o.Pages < 1 {
		o.Pages = 1
	}
	if o.Title == "" {
		o.Title = "Van ban mau"
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	cw := &countWriter{w: bw}
	var offsets []int64 // index: object number - 1
	obj := func(body string) int {
		offsets = append(offsets, cw.n)
		n := len(offsets)
		fmt.Fprintf(cw, "%d 0 obj\n%s\nendobj\n", n, body)
		return n
	}
	fmt.Fprintf(cw, "%%PDF-1.7\n%%\xe2\xe3\xcf\xd3\n")

	// Fixed object numbers: 1 catalog, 2 pages, 3 font, 4 info, then per page
	// page, content, image; then form objects.
	const catalog, pagesObj, font, info = 1, 2, 3, 4
	perPage := 3
	first := 5
	formBase := first + perPage*o.Pages
	pageNum := func(i int) int { return first + perPage*i }

	// Padding per page, from the target size.
	var imgBytes int64
	if o.Size > 0 {
		overhead := int64(2000 + 600*o.Pages)
		if o.Size > overhead {
			imgBytes = (o.Size - overhead) / int64(o.Pages)
		}
	}
	side := int64(0)
	if imgBytes > 0 {
		for side*side < imgBytes {
			side++
		}
		side--
		if side < 1 {
			side = 1
		}
	}

	acro := ""
	if o.Fields {
		acro = fmt.Sprintf(" /AcroForm << /Fields [%d 0 R %d 0 R] /DA (/Helv 0 Tf 0 g) /DR << /Font << /Helv %d 0 R >> >> >>", formBase, formBase+1, font)
	}
	obj(fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R%s >>", pagesObj, acro))
	kids := ""
	for i := 0; i < o.Pages; i++ {
		kids += fmt.Sprintf("%d 0 R ", pageNum(i))
	}
	obj(fmt.Sprintf("<< /Type /Pages /Count %d /Kids [%s] >>", o.Pages, kids))
	obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	obj(fmt.Sprintf("<< /Title (%s) /Producer (Van Thu So samplepdf) >>", escape(o.Title)))

	for i := 0; i < o.Pages; i++ {
		annots := ""
		if o.Fields && i == 0 {
			annots = fmt.Sprintf(" /Annots [%d 0 R %d 0 R]", formBase, formBase+1)
		}
		xobj := ""
		if side > 0 {
			xobj = fmt.Sprintf(" /XObject << /Im0 %d 0 R >>", pageNum(i)+2)
		}
		box := "[0 0 595.28 841.89]"
		if o.Landscape {
			box = "[0 0 841.89 595.28]"
		}
		rotate := ""
		if o.Rotate != 0 {
			rotate = fmt.Sprintf(" /Rotate %d", o.Rotate)
		}
		obj(fmt.Sprintf("<< /Type /Page /Parent %d 0 R /MediaBox %s%s /Resources << /Font << /F1 %d 0 R >>%s >> /Contents %d 0 R%s >>",
			pagesObj, box, rotate, font, xobj, pageNum(i)+1, annots))
		top := 770
		if o.Landscape {
			top = 523
		}
		content := fmt.Sprintf("BT /F1 14 Tf 72 %d Td (%s - trang %d/%d) Tj ET\n", top, escape(o.Title), i+1, o.Pages)
		if side > 0 {
			content += "q 200 0 0 200 72 400 cm /Im0 Do Q\n"
		}
		obj(fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", len(content), content))
		if side > 0 {
			offsets = append(offsets, cw.n)
			fmt.Fprintf(cw, "%d 0 obj\n<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 /Length %d >>\nstream\n",
				len(offsets), side, side, side*side)
			if err := writeFiller(cw, side*side, uint32(i)); err != nil {
				return err
			}
			fmt.Fprintf(cw, "\nendstream\nendobj\n")
		} else {
			offsets = append(offsets, cw.n)
			fmt.Fprintf(cw, "%d 0 obj\nnull\nendobj\n", len(offsets))
		}
	}
	if o.Fields {
		obj(fmt.Sprintf("<< /Type /Annot /Subtype /Widget /FT /Tx /T (HoTen) /V (Nguyen Van An) /DA (/Helv 12 Tf 0 g) /F 4 /Rect [72 700 300 720] /P %d 0 R >>", pageNum(0)))
		obj(fmt.Sprintf("<< /Type /Annot /Subtype /Widget /FT /Sig /T (ChuKyLanhDao) /F 4 /Rect [330 100 530 200] /P %d 0 R >>", pageNum(0)))
	}

	size := len(offsets) + 1
	if o.XRefStream {
		n := size
		offsets = append(offsets, cw.n)
		var data []byte
		data = append(data, 0, 0, 0, 0, 0, 0xff, 0xff)
		for _, off := range offsets {
			data = append(data, 1, byte(off>>32), byte(off>>24), byte(off>>16), byte(off>>8), byte(off), 0)
		}
		fmt.Fprintf(cw, "%d 0 obj\n<< /Type /XRef /Size %d /W [1 5 1] /Root %d 0 R /Info %d 0 R /ID [<%s> <%s>] /Length %d >>\nstream\n",
			n, n+1, catalog, info, idHex, idHex, len(data))
		cw.Write(data)
		fmt.Fprintf(cw, "\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n", offsets[n-1])
		return bw.Flush()
	}
	xref := cw.n
	fmt.Fprintf(cw, "xref\n0 %d\n0000000000 65535 f\r\n", size)
	for _, off := range offsets {
		fmt.Fprintf(cw, "%010d 00000 n\r\n", off)
	}
	fmt.Fprintf(cw, "trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R /ID [<%s> <%s>] >>\nstartxref\n%d\n%%%%EOF\n",
		size, catalog, info, idHex, idHex, xref)
	if cw.err != nil {
		return cw.err
	}
	return bw.Flush()
}

const idHex = "5641e4e054485520534f2053414d504c"

// WriteFile writes the document to path atomically.
func WriteFile(path string, o Options) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".samplepdf-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := Write(tmp, o); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// writeFiller writes n deterministic pseudo-random bytes (xorshift).
func writeFiller(w io.Writer, n int64, seed uint32) error {
	var buf [32 << 10]byte
	x := seed*2654435761 + 1
	for n > 0 {
		k := int64(len(buf))
		if n < k {
			k = n
		}
		for i := int64(0); i < k; i++ {
			x ^= x << 13
			x ^= x >> 17
			x ^= x << 5
			buf[i] = byte(x)
		}
		if _, err := w.Write(buf[:k]); err != nil {
			return err
		}
		n -= k
	}
	return nil
}

func escape(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '(' || c == ')' || c == '\\':
			out = append(out, '\\', c)
		case c < 0x20 || c >= 0x7f:
			out = append(out, '?')
		default:
			out = append(out, c)
		}
	}
	return string(out)
}

type countWriter struct {
	w   io.Writer
	n   int64
	err error
}

func (c *countWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	c.err = err
	return n, err
}
