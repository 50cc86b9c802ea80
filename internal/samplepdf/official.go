package samplepdf

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/vanthuso/vanthu/signing/pdf"
	"github.com/vanthuso/vanthu/signing/stamp"
)

// Official describes a Vietnamese administrative document laid out as
// Nghị định 30/2020 Phụ lục I draws it, in Vietnamese with an embedded
// serif font (Liberation Serif, metric-compatible with Times New Roman):
// the issuing agency and the number at the top left, the national motto
// and the place and date at the top right, the type and the subject
// (trích yếu) centred, the body, then the recipients (nơi nhận) at the
// bottom left and the signer's block at the bottom right, with room for
// the leader's signature in SignatureRect.
type Official struct {
	Superior string // cơ quan chủ quản, upper case ("" for none)
	Agency   string // cơ quan ban hành, upper case: "ỦY BAN NHÂN DÂN TỈNH NGHỆ AN"
	Number   string // "05/QĐ-UBND"
	Place    string // "Nghệ An"
	Date     time.Time
	// TypeName is the type in upper case ("QUYẾT ĐỊNH"); empty for a công
	// văn, whose Subject then sits under the number ("V/v …").
	TypeName string
	Subject  string
	// Body is the text, one paragraph a string; it wraps and flows onto
	// the next pages.
	Body []string
	// Recipients are the lines under "Nơi nhận:".
	Recipients []string
	// Authority is the signer's authority and position lines, upper
	// case: {"TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"}.
	Authority []string
	Signer    string // full name
}

// SignatureRect is where, on the last page, the signer's signature goes
// (between the position and the name): bottom right, as
// internal/demo's LeaderRect.
var SignatureRect = pdf.Rect{LLX: 330, LLY: 70, URX: 530, URY: 230}

// A4 in points, and the margins of Phụ lục I (top 20 mm, bottom 20 mm,
// left 30 mm, right 15 mm).
const (
	pageW, pageH = 595.28, 841.89
	marginL      = 85.0
	marginR      = 42.5
	marginTop    = 57.0
	bodySize     = 13.0
	bodyLeading  = 18.0
)

// WriteOfficialFile writes the document to path atomically.
func WriteOfficialFile(path string, o Official) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".samplepdf-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := WriteOfficial(tmp, o); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// WriteOfficial writes the document to w.
func WriteOfficial(w io.Writer, o Official) error {
	fonts := map[stamp.FontStyle]*stamp.Font{}
	for style, name := range map[stamp.FontStyle]string{stamp.Regular: "F1", stamp.Bold: "F2", stamp.Italic: "F3"} {
		f, err := stamp.NewFont(style, name)
		if err != nil {
			return err
		}
		fonts[style] = f
	}
	l := &layout{fonts: fonts}
	l.newPage()
	l.header(o)
	l.body(o.Body)
	l.closing(o)

	ow := &objectWriter{w: bufio.NewWriterSize(w, 64<<10)}
	ow.printf("%%PDF-1.7\n%%\xe2\xe3\xcf\xd3\n")
	// Objects 1 and 2 are the catalog and the page tree, written first
	// with the numbers of what follows known in advance: fonts, then per
	// page its content and the page.
	const catalog, pages = 1, 2
	ow.next = 3
	fontRefs := map[stamp.FontStyle]pdf.Ref{}
	for _, style := range []stamp.FontStyle{stamp.Regular, stamp.Bold, stamp.Italic} {
		ref, err := fonts[style].Write(ow)
		if err != nil {
			return err
		}
		fontRefs[style] = ref
	}
	resources := fmt.Sprintf("<< /Font << /F1 %s /F2 %s /F3 %s >> >>", fontRefs[stamp.Regular], fontRefs[stamp.Bold], fontRefs[stamp.Italic])
	var kids []string
	for _, content := range l.pages {
		c, err := ow.WriteStream(nil, content.Bytes())
		if err != nil {
			return err
		}
		p, err := ow.WriteObject(fmt.Appendf(nil, "<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %.2f %.2f] /Resources %s /Contents %s >>",
			pages, pageW, pageH, resources, c))
		if err != nil {
			return err
		}
		kids = append(kids, p.String())
	}
	info, err := ow.WriteObject(fmt.Appendf(nil, "<< /Title %s /Producer (Van Thu So samplepdf) >>", utf16Text(strings.TrimSpace(o.TypeName+" "+o.Number))))
	if err != nil {
		return err
	}
	ow.place(catalog, fmt.Appendf(nil, "<< /Type /Catalog /Pages %d 0 R /Lang (vi-VN) >>", pages))
	ow.place(pages, fmt.Appendf(nil, "<< /Type /Pages /Count %d /Kids [%s] >>", len(kids), strings.Join(kids, " ")))
	return ow.finish(catalog, info)
}

// layout places text on pages, top to bottom.
type layout struct {
	fonts map[stamp.FontStyle]*stamp.Font
	pages []*bytes.Buffer
	y     float64 // baseline of the next line
}

func (l *layout) page() *bytes.Buffer { return l.pages[len(l.pages)-1] }

func (l *layout) newPage() {
	l.pages = append(l.pages, &bytes.Buffer{})
	l.y = pageH - marginTop
	if n := len(l.pages); n > 1 {
		// Page numbers from page 2, centred in the top margin.
		l.centered(stamp.Regular, 13, fmt.Sprint(n), 0, pageW, pageH-35)
	}
}

// text writes s with its left end at x on baseline y.
func (l *layout) text(style stamp.FontStyle, size float64, s string, x, y float64) {
	f := l.fonts[style]
	fmt.Fprintf(l.page(), "BT /%s %.1f Tf %.2f %.2f Td %s Tj ET\n", f.Name(), size, x, y, f.Encode(s))
}

// centered writes s centred between x0 and x1 and returns its width.
func (l *layout) centered(style stamp.FontStyle, size float64, s string, x0, x1, y float64) float64 {
	w := l.fonts[style].Width(s, size)
	l.text(style, size, s, x0+(x1-x0-w)/2, y)
	return w
}

// rule draws a horizontal line of width w centred between x0 and x1,
// a little under baseline y.
func (l *layout) rule(x0, x1, y, w float64) {
	x := x0 + (x1-x0-w)/2
	fmt.Fprintf(l.page(), "0.6 w %.2f %.2f m %.2f %.2f l S\n", x, y-4, x+w, y-4)
}

// wrap breaks s into lines no wider than width.
func (l *layout) wrap(style stamp.FontStyle, size float64, s string, width, firstIndent float64) []string {
	var lines []string
	line := ""
	limit := width - firstIndent
	for _, word := range strings.Fields(s) {
		try := word
		if line != "" {
			try = line + " " + word
		}
		if line != "" && l.fonts[style].Width(try, size) > limit {
			lines = append(lines, line)
			line, limit = word, width
			continue
		}
		line = try
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}

func (l *layout) header(o Official) {
	// Left column: agency and number; right column: motto and date.
	leftX0, leftX1 := marginL-30, marginL+200
	rightX0, rightX1 := 290.0, pageW-marginR+10
	y := l.y
	if o.Superior != "" {
		l.centered(stamp.Regular, 12.5, o.Superior, leftX0, leftX1, y)
		y -= 16
	}
	w := l.centered(stamp.Bold, 12.5, o.Agency, leftX0, leftX1, y)
	l.rule(leftX0, leftX1, y, w/3)
	l.centered(stamp.Bold, 12.5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", rightX0, rightX1, l.y)
	motto := "Độc lập - Tự do - Hạnh phúc"
	mw := l.centered(stamp.Bold, 13.5, motto, rightX0, rightX1, l.y-17)
	l.rule(rightX0, rightX1, l.y-17, mw)
	y -= 26
	l.centered(stamp.Regular, 13, "Số: "+o.Number, leftX0, leftX1, y)
	l.centered(stamp.Italic, 13.5, stamp.FormatVietnameseDate(o.Place, o.Date), rightX0, rightX1, l.y-45)
	l.y = y - 40
	if o.TypeName == "" { // công văn: "V/v …" under the number
		for _, line := range l.wrap(stamp.Regular, 12, o.Subject, leftX1-leftX0, 0) {
			l.centered(stamp.Regular, 12, line, leftX0, leftX1, l.y)
			l.y -= 15
		}
		l.y -= 18
		return
	}
	l.y -= 18
	l.centered(stamp.Bold, 14, o.TypeName, marginL, pageW-marginR, l.y)
	l.y -= 19
	var last float64
	for _, line := range l.wrap(stamp.Bold, 14, o.Subject, pageW-marginL-marginR-60, 0) {
		last = l.centered(stamp.Bold, 14, line, marginL, pageW-marginR, l.y)
		l.y -= 19
	}
	l.rule(marginL, pageW-marginR, l.y+19, min(last, 120))
	l.y -= 14
}

func (l *layout) body(paras []string) {
	width := pageW - marginL - marginR
	for _, p := range paras {
		lines := l.wrap(stamp.Regular, bodySize, p, width, 28)
		for i, line := range lines {
			if l.y < 80 {
				l.newPage()
			}
			x := marginL
			if i == 0 {
				x += 28
			}
			l.text(stamp.Regular, bodySize, line, x, l.y)
			l.y -= bodyLeading
		}
		l.y -= 4
	}
}

// closing writes the recipients and the signer's block; a new page when
// the signature rectangle would overlap the body.
func (l *layout) closing(o Official) {
	top := SignatureRect.URY + 20 + 18*float64(len(o.Authority))
	if l.y-10 < top {
		l.newPage()
	}
	// Move the block up to the body's end if there is room: the
	// signature rectangle stays where signing puts it.
	y := top
	x0, x1 := SignatureRect.LLX-20, SignatureRect.URX+20
	for _, a := range o.Authority {
		l.centered(stamp.Bold, 13.5, a, x0, x1, y)
		y -= 18
	}
	l.centered(stamp.Bold, 13.5, o.Signer, x0, x1, SignatureRect.LLY-16)
	ry := top
	l.text(stamp.Bold, 12, "Nơi nhận:", marginL-30, ry)
	for _, r := range o.Recipients {
		ry -= 14
		l.text(stamp.Regular, 11, "- "+r, marginL-30, ry)
	}
}

// utf16Text is s as a PDF text string: UTF-16BE with a byte order mark,
// in hex.
func utf16Text(s string) string {
	var b strings.Builder
	b.WriteString("<FEFF")
	for _, r := range s {
		if r >= 0x10000 {
			r -= 0x10000
			fmt.Fprintf(&b, "%04X%04X", 0xD800+(r>>10), 0xDC00+(r&0x3FF))
			continue
		}
		fmt.Fprintf(&b, "%04X", r)
	}
	b.WriteString(">")
	return b.String()
}

// objectWriter writes numbered objects in order and the cross-reference
// table; place writes an object whose number was reserved earlier.
type objectWriter struct {
	w       *bufio.Writer
	n       int64
	next    int
	offsets map[int]int64
	err     error
}

func (ow *objectWriter) printf(format string, args ...any) {
	if ow.err != nil {
		return
	}
	k, err := fmt.Fprintf(ow.w, format, args...)
	ow.n += int64(k)
	ow.err = err
}

func (ow *objectWriter) place(num int, body []byte) {
	if ow.offsets == nil {
		ow.offsets = map[int]int64{}
	}
	ow.offsets[num] = ow.n
	ow.printf("%d 0 obj\n%s\nendobj\n", num, body)
}

func (ow *objectWriter) reserve() int {
	n := ow.next
	ow.next++
	return n
}

func (ow *objectWriter) WriteObject(body []byte) (pdf.Ref, error) {
	num := ow.reserve()
	ow.place(num, body)
	return pdf.Ref{Num: uint32(num)}, ow.err
}

func (ow *objectWriter) WriteStream(dict, data []byte) (pdf.Ref, error) {
	num := ow.reserve()
	if ow.offsets == nil {
		ow.offsets = map[int]int64{}
	}
	ow.offsets[num] = ow.n
	ow.printf("%d 0 obj\n<< %s /Length %d >>\nstream\n", num, dict, len(data))
	if ow.err == nil {
		k, err := ow.w.Write(data)
		ow.n += int64(k)
		ow.err = err
	}
	ow.printf("\nendstream\nendobj\n")
	return pdf.Ref{Num: uint32(num)}, ow.err
}

func (ow *objectWriter) finish(root int, info pdf.Ref) error {
	size := ow.next
	xref := ow.n
	ow.printf("xref\n0 %d\n0000000000 65535 f\r\n", size)
	for i := 1; i < size; i++ {
		ow.printf("%010d 00000 n\r\n", ow.offsets[i])
	}
	ow.printf("trailer\n<< /Size %d /Root %d 0 R /Info %s /ID [<%s> <%s>] >>\nstartxref\n%d\n%%%%EOF\n",
		size, root, info, idHex, idHex, xref)
	if ow.err != nil {
		return ow.err
	}
	return ow.w.Flush()
}
