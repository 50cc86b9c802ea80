package report

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vanthuso/vanthu/edoc"
)

// Register is one register to print or export.
type Register struct {
	// Kind is edoc.RegisterIncoming or edoc.RegisterOutgoing; the
	// writers refuse other kinds.
	Kind edoc.RegisterKind
	// Superior is the cơ quan chủ quản ("" for none), Agency the agency
	// keeping the register, as they are written on the form.
	Superior, Agency string
	// Year is the register's year (Năm).
	Year int
	// Entries are the lines in the order printed: the register's order.
	// "Từ số … đến số …" names the first and the last one's Number.
	Entries []edoc.RegisterEntry
	// PrintedAt is the instant printed on the pages ("In lúc …").
	PrintedAt time.Time
}

// Title is the register's title on the form, in upper case: "SỔ ĐĂNG KÝ
// VĂN BẢN ĐẾN" or "SỔ ĐĂNG KÝ VĂN BẢN ĐI"; "" for another kind.
func (r Register) Title() string {
	switch r.Kind {
	case edoc.RegisterIncoming:
		return "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN"
	case edoc.RegisterOutgoing:
		return "SỔ ĐĂNG KÝ VĂN BẢN ĐI"
	}
	return ""
}

// Span is the "Từ số … đến số …" line: the first and the last entry's
// number, dots for an empty register.
func (r Register) Span() string {
	if len(r.Entries) == 0 {
		return "Từ số ........ đến số ........"
	}
	return fmt.Sprintf("Từ số %s đến số %s", CleanText(r.Entries[0].Number), CleanText(r.Entries[len(r.Entries)-1].Number))
}

// cellKind is how a cell is written in a workbook.
type cellKind int

const (
	cellText cellKind = iota
	cellDate
	cellDateTime
	cellNumber
)

// cell is one value of a table: its text (what the PDF shows) and, for a
// workbook, its kind and value.
type cell struct {
	kind cellKind
	text string
	t    time.Time // cellDate, cellDateTime: the instant in Vietnam time
	n    float64   // cellNumber
}

func textCell(s string) cell { return cell{text: CleanText(s)} }

func dateCell(d edoc.Date) cell {
	if d.IsZero() {
		return cell{}
	}
	return cell{kind: cellDate, text: FormatDate(d), t: d.Time()}
}

func dateTimeCell(t time.Time) cell {
	if t.IsZero() {
		return cell{}
	}
	return cell{kind: cellDateTime, text: FormatDateTime(t), t: t.In(edoc.Vietnam)}
}

func numberCell(n int) cell {
	if n == 0 {
		return cell{}
	}
	return cell{kind: cellNumber, text: fmt.Sprint(n), n: float64(n)}
}

// column is one column of a table: its header, its widths in the PDF
// (points) and in a workbook (characters), and its cells.
type column struct {
	header string
	width  float64
	chars  float64
	center bool
	cellOf func(edoc.RegisterEntry) cell
}

// Columns of Nghị định 30/2020 Phụ lục IV.
var (
	incomingColumns = []column{
		{header: "Ngày đến", width: 58, chars: 17, center: true, cellOf: func(e edoc.RegisterEntry) cell { return dateTimeCell(e.Registered) }},
		{header: "Số đến", width: 38, chars: 8, center: true, cellOf: func(e edoc.RegisterEntry) cell { return textCell(e.Number) }},
		{header: "Tác giả", width: 100, chars: 28, cellOf: func(e edoc.RegisterEntry) cell { return textCell(e.Organ.OrganName) }},
		{header: "Số, ký hiệu", width: 74, chars: 18, center: true, cellOf: func(e edoc.RegisterEntry) cell { return textCell(e.Code.String()) }},
		{header: "Ngày tháng", width: 52, chars: 12, center: true, cellOf: func(e edoc.RegisterEntry) cell { return dateCell(e.Date) }},
		{header: "Tên loại và trích yếu nội dung", width: 200, chars: 60, cellOf: typeAndSubject},
		{header: "Đơn vị hoặc người nhận", width: 90, chars: 24, cellOf: func(e edoc.RegisterEntry) cell { return textCell(e.Handler) }},
		{header: "Ngày chuyển", width: 52, chars: 12, center: true, cellOf: func(e edoc.RegisterEntry) cell { return dateCell(e.HandedOver) }},
		{header: "Ký nhận", width: 50, chars: 14, cellOf: func(e edoc.RegisterEntry) cell { return textCell(e.ReceivedBy) }},
		{header: "Ghi chú", width: 58, chars: 20, cellOf: func(e edoc.RegisterEntry) cell { return textCell(e.Notes) }},
	}
	outgoingColumns = []column{
		{header: "Số, ký hiệu văn bản", width: 78, chars: 18, center: true, cellOf: func(e edoc.RegisterEntry) cell { return textCell(e.Code.String()) }},
		{header: "Ngày tháng văn bản", width: 52, chars: 12, center: true, cellOf: func(e edoc.RegisterEntry) cell { return dateCell(e.Date) }},
		{header: "Tên loại và trích yếu nội dung", width: 200, chars: 60, cellOf: typeAndSubject},
		{header: "Người ký", width: 80, chars: 22, cellOf: func(e edoc.RegisterEntry) cell { return textCell(e.Signer) }},
		{header: "Nơi nhận văn bản", width: 100, chars: 28, cellOf: func(e edoc.RegisterEntry) cell { return textCell(strings.Join(e.Recipients, "\n")) }},
		{header: "Đơn vị, người nhận bản lưu", width: 80, chars: 22, cellOf: func(e edoc.RegisterEntry) cell { return textCell(e.Handler) }},
		{header: "Số lượng bản", width: 38, chars: 8, center: true, cellOf: func(e edoc.RegisterEntry) cell { return numberCell(e.Copies) }},
		{header: "Ngày chuyển", width: 52, chars: 12, center: true, cellOf: func(e edoc.RegisterEntry) cell { return dateCell(e.HandedOver) }},
		{header: "Ký nhận", width: 40, chars: 14, cellOf: func(e edoc.RegisterEntry) cell { return textCell(e.ReceivedBy) }},
		{header: "Ghi chú", width: 52, chars: 20, cellOf: func(e edoc.RegisterEntry) cell { return textCell(e.Notes) }},
	}
)

// typeAndSubject is the "Tên loại và trích yếu nội dung" cell: the type
// on its own line, then the subject.
func typeAndSubject(e edoc.RegisterEntry) cell {
	if strings.TrimSpace(e.TypeName) == "" {
		return textCell(e.Subject)
	}
	return textCell(e.TypeName + "\n" + e.Subject)
}

// columnsOf is the columns of the register's kind.
func columnsOf(r Register) ([]column, error) {
	switch r.Kind {
	case edoc.RegisterIncoming:
		return incomingColumns, nil
	case edoc.RegisterOutgoing:
		return outgoingColumns, nil
	}
	return nil, fmt.Errorf("register kind %q: only the incoming and outgoing registers are printed", r.Kind)
}

// FormatDate writes d as dd/mm/yyyy, "" for the zero Date.
func FormatDate(d edoc.Date) string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%02d/%02d/%04d", d.Day, int(d.Month), d.Year)
}

// FormatDateTime writes t in Vietnam time as "dd/mm/yyyy hh:mm", "" for
// the zero time.
func FormatDateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(edoc.Vietnam).Format("02/01/2006 15:04")
}

// CleanText is s as the reports write it: invalid UTF-8 and the
// characters XML 1.0 forbids become U+FFFD, control characters other than
// tab, line feed and carriage return become spaces.
func CleanText(s string) string {
	clean := true
	for i, r := range s {
		if bad(r) || (r == utf8.RuneError && !validAt(s, i)) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !validAt(s, i), r == 0xFFFE, r == 0xFFFF:
			b.WriteRune(utf8.RuneError)
		case bad(r):
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// bad reports whether r is a control character other than tab, line
// feed and carriage return, or a non-character XML forbids.
func bad(r rune) bool {
	return (r < ' ' && r != '\t' && r != '\n' && r != '\r') || (r >= 0x7f && r <= 0x9f) || r == 0xFFFE || r == 0xFFFF
}

// validAt reports whether the U+FFFD at s[i] is written in s, not an
// invalid byte.
func validAt(s string, i int) bool { return strings.HasPrefix(s[i:], "\uFFFD") }

// table is what both writers lay out: headers, widths and rows of cells.
type table struct {
	cols []column
	rows [][]cell
}

// tableOf is the register's table.
func tableOf(r Register) (table, error) {
	cols, err := columnsOf(r)
	if err != nil {
		return table{}, err
	}
	t := table{cols: cols, rows: make([][]cell, len(r.Entries))}
	for i, e := range r.Entries {
		row := make([]cell, len(cols))
		for j, c := range cols {
			row[j] = c.cellOf(e)
		}
		t.rows[i] = row
	}
	return t, nil
}
