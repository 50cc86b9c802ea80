package report

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/signing/pdf"
	"github.com/vanthuso/vanthu/signing/stamp"
)

// A4 landscape, in points, and the margins.
const (
	pageW, pageH = 841.89, 595.28
	marginTop    = 36.0
	marginBottom = 42.0
)

// pdfWriter writes numbered objects in order, then the cross-reference
// table. Objects 1 (catalog) and 2 (page tree) are reserved and placed
// last.
type pdfWriter struct {
	w       *bufio.Writer
	n       int64
	offsets []int64 // by object number; 0 for the reserved ones not yet placed
	err     error
}

func newPDFWriter(w io.Writer) *pdfWriter {
	pw := &pdfWriter{w: bufio.NewWriterSize(w, 64<<10), offsets: []int64{0, 0, 0}}
	pw.write([]byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"))
	return pw
}

func (pw *pdfWriter) write(b []byte) {
	if pw.err != nil {
		return
	}
	k, err := pw.w.Write(b)
	pw.n += int64(k)
	pw.err = err
}

func (pw *pdfWriter) place(num int, body []byte) {
	pw.offsets[num] = pw.n
	pw.write(fmt.Appendf(nil, "%d 0 obj\n", num))
	pw.write(body)
	pw.write([]byte("\nendobj\n"))
}

// WriteObject writes an indirect object (pdf.ObjectWriter).
func (pw *pdfWriter) WriteObject(body []byte) (pdf.Ref, error) {
	num := len(pw.offsets)
	pw.offsets = append(pw.offsets, 0)
	pw.place(num, body)
	return pdf.Ref{Num: uint32(num)}, pw.err
}

// WriteStream writes a stream object (pdf.ObjectWriter).
func (pw *pdfWriter) WriteStream(dict, data []byte) (pdf.Ref, error) {
	body := fmt.Appendf(nil, "<< %s /Length %d >>\nstream\n", dict, len(data))
	body = append(body, data...)
	body = append(body, "\nendstream"...)
	return pw.WriteObject(body)
}

// finish writes the cross-reference table and the trailer, and flushes.
func (pw *pdfWriter) finish(info pdf.Ref) error {
	xref := pw.n
	var b bytes.Buffer
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f\r\n", len(pw.offsets))
	for _, off := range pw.offsets[1:] {
		fmt.Fprintf(&b, "%010d 00000 n\r\n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R /Info %s >>\nstartxref\n%d\n%%%%EOF\n", len(pw.offsets), info, xref)
	pw.write(b.Bytes())
	if pw.err != nil {
		return pw.err
	}
	return pw.w.Flush()
}

// style is a face of the embedded serif family, by its resource name.
type style int

const (
	regular style = iota
	bold
	italic
)

// document is pages of content laid out top to bottom.
type document struct {
	fonts [3]*stamp.Font
	pages []*bytes.Buffer
	cur   int     // the page written to
	y     float64 // the top of what comes next
	buf   []byte  // scratch for the content operators
	// widths are words' advances at 1 pt (wordWidth).
	widths map[wordKey]float64
}

func newDocument() (*document, error) {
	d := &document{}
	for i, s := range []stamp.FontStyle{stamp.Regular, stamp.Bold, stamp.Italic} {
		f, err := stamp.NewFont(s, fmt.Sprintf("F%d", i+1))
		if err != nil {
			return nil, fmt.Errorf("pdf: %w", err)
		}
		d.fonts[i] = f
	}
	d.newPage()
	return d, nil
}

func (d *document) page() *bytes.Buffer { return d.pages[d.cur] }

func (d *document) newPage() {
	d.pages = append(d.pages, &bytes.Buffer{})
	d.cur = len(d.pages) - 1
	d.page().WriteString("0.5 w\n")
	d.y = pageH - marginTop
}

// width is the advance of s at size.
func (d *document) width(st style, size float64, s string) float64 {
	return d.fonts[st].Width(s, size)
}

// text shows s with its left end at x on baseline y.
func (d *document) text(st style, size float64, s string, x, y float64) {
	if s == "" {
		return
	}
	b := append(d.buf[:0], "BT /F"...)
	b = strconv.AppendInt(b, int64(st)+1, 10)
	b = append(b, ' ')
	b = strconv.AppendFloat(b, size, 'f', -1, 64)
	b = append(b, " Tf "...)
	b = appendNum(b, x)
	b = appendNum(b, y)
	b = append(b, "Td "...)
	b = append(b, d.fonts[st].Encode(s)...)
	b = append(b, " Tj ET\n"...)
	d.page().Write(b)
	d.buf = b
}

// centered shows s centred between x0 and x1 on baseline y.
func (d *document) centered(st style, size float64, s string, x0, x1, y float64) {
	d.text(st, size, s, x0+(x1-x0-d.width(st, size, s))/2, y)
}

// line strokes a line from (x0, y0) to (x1, y1).
func (d *document) line(x0, y0, x1, y1 float64) {
	b := appendNum(d.buf[:0], x0)
	b = appendNum(b, y0)
	b = append(b, "m "...)
	b = appendNum(b, x1)
	b = appendNum(b, y1)
	b = append(b, "l S\n"...)
	d.page().Write(b)
	d.buf = b
}

func appendNum(b []byte, v float64) []byte {
	b = strconv.AppendFloat(b, v, 'f', 2, 64)
	return append(b, ' ')
}

// wrap breaks s into lines no wider than w at size: at line feeds, then
// between words, and inside a word longer than a line.
func (d *document) wrap(st style, size float64, s string, w float64) []string {
	var lines []string
	space := d.wordWidth(st, " ") * size
	for para := range strings.SplitSeq(strings.ReplaceAll(s, "\r", ""), "\n") {
		var line []string
		lineW := 0.0
		flush := func() {
			lines = append(lines, strings.Join(line, " "))
			line, lineW = line[:0], 0
		}
		for _, word := range strings.Fields(para) {
			ww := d.wordWidth(st, word) * size
			if len(line) > 0 && lineW+space+ww <= w {
				line, lineW = append(line, word), lineW+space+ww
				continue
			}
			if len(line) > 0 {
				flush()
			}
			for ww > w {
				cut := d.fit(st, size, word, w)
				lines = append(lines, word[:cut])
				word = word[cut:]
				ww = d.wordWidth(st, word) * size
			}
			line, lineW = append(line, word), ww
		}
		if len(line) > 0 || len(lines) == 0 || para == "" {
			flush()
		}
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// wordWidth is the advance of word at 1 pt, remembered: the words of a
// register repeat (names, units, types).
func (d *document) wordWidth(st style, word string) float64 {
	k := wordKey{st, word}
	if v, ok := d.widths[k]; ok {
		return v
	}
	v := d.width(st, 1, word)
	if len(d.widths) < 1<<16 { // bounded: hostile text cannot grow it forever
		if d.widths == nil {
			d.widths = map[wordKey]float64{}
		}
		d.widths[k] = v
	}
	return v
}

type wordKey struct {
	st   style
	word string
}

// fit is the length of the longest prefix of word (at least one
// character) no wider than w.
func (d *document) fit(st style, size float64, word string, w float64) int {
	cut := 0
	for i := range word {
		if i > 0 && d.width(st, size, word[:i]) > w {
			break
		}
		cut = i
	}
	if cut == 0 {
		_, n := firstRune(word)
		return n
	}
	return cut
}

func firstRune(s string) (rune, int) {
	for i, r := range s {
		if i > 0 {
			return r, i
		}
	}
	return 0, len(s)
}

// footer writes on every page the page number ("Trang 2/5") and the
// instant printed.
func (d *document) footer(printedAt time.Time) {
	at := ""
	if !printedAt.IsZero() {
		t := printedAt.In(edoc.Vietnam)
		at = fmt.Sprintf("In lúc %s ngày %s", t.Format("15:04"), t.Format("02/01/2006"))
	}
	n := len(d.pages)
	for i := range d.pages {
		d.cur = i
		d.centered(regular, 9, fmt.Sprintf("Trang %d/%d", i+1, n), 0, pageW, 22)
		if at != "" {
			d.text(italic, 9, at, pageW-36-d.width(italic, 9, at), 22)
		}
	}
	d.cur = n - 1
}

// finish writes the document: fonts, pages, catalog.
func (d *document) finish(w io.Writer, title string, created time.Time) error {
	pw := newPDFWriter(w)
	var refs [3]pdf.Ref
	for i, f := range d.fonts {
		ref, err := f.Write(pw)
		if err != nil {
			return fmt.Errorf("pdf: font: %w", err)
		}
		refs[i] = ref
	}
	resources := fmt.Sprintf("<< /Font << /F1 %s /F2 %s /F3 %s >> >>", refs[0], refs[1], refs[2])
	var kids []string
	var z bytes.Buffer
	zw := zlib.NewWriter(&z) // one compressor for every page: each takes 1 MB
	for _, content := range d.pages {
		z.Reset()
		zw.Reset(&z)
		zw.Write(content.Bytes())
		if err := zw.Close(); err != nil {
			return fmt.Errorf("pdf: compress page: %w", err)
		}
		c, err := pw.WriteStream([]byte("/Filter /FlateDecode"), z.Bytes())
		if err != nil {
			return fmt.Errorf("pdf: write page: %w", err)
		}
		p, err := pw.WriteObject(fmt.Appendf(nil, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Resources %s /Contents %s >>", pageW, pageH, resources, c))
		if err != nil {
			return fmt.Errorf("pdf: write page: %w", err)
		}
		kids = append(kids, p.String())
	}
	infoBody := fmt.Sprintf("<< /Title %s /Producer (Van Thu So)", pdfText(title))
	if !created.IsZero() {
		infoBody += " /CreationDate " + pdfText(created.In(edoc.Vietnam).Format("D:20060102150405+07'00'"))
	}
	info, err := pw.WriteObject([]byte(infoBody + " >>"))
	if err != nil {
		return fmt.Errorf("pdf: write info: %w", err)
	}
	pw.place(1, []byte("<< /Type /Catalog /Pages 2 0 R /Lang (vi-VN) >>"))
	pw.place(2, fmt.Appendf(nil, "<< /Type /Pages /Count %d /Kids [%s] >>", len(kids), strings.Join(kids, " ")))
	if err := pw.finish(info); err != nil {
		return fmt.Errorf("pdf: %w", err)
	}
	return nil
}

// pdfText is s as a PDF text string: UTF-16BE with a byte order mark,
// in hex.
func pdfText(s string) string {
	return fmt.Sprintf("<FEFF%X>", utf16BE(utf16.Encode([]rune(CleanText(s)))))
}

func utf16BE(units []uint16) []byte {
	b := make([]byte, 0, 2*len(units))
	for _, u := range units {
		b = binary.BigEndian.AppendUint16(b, u)
	}
	return b
}
