package report

import (
	"archive/zip"
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vanthuso/vanthu/edoc"
)

// maxCellChars is the most characters a spreadsheet cell holds (Excel's
// limit; longer text makes Excel refuse the workbook).
const maxCellChars = 32767

// WriteXLSX exports the register to w as an Office Open XML workbook
// (.xlsx) of one sheet: row 1 the title, agency and year, row 2 "Từ số …
// đến số …", row 3 the columns' Vietnamese headers in bold (rows 1–3
// stay in view when scrolling), then one row an entry in the register's
// order. Dates are date cells shown dd/mm/yyyy (the arrival instant dd/mm/yyyy
// hh:mm, in Vietnam time), the number of copies a number, everything
// else text (inline strings, cleaned by CleanText, cut at 32 767
// characters). The output depends on r alone. It refuses a register of
// another kind than incoming or outgoing; nothing is written then.
func WriteXLSX(w io.Writer, r Register) error {
	t, err := tableOf(r)
	if err != nil {
		return fmt.Errorf("export register: %w", err)
	}
	var title []string
	for _, s := range []string{r.Title(), r.Superior, r.Agency, fmt.Sprintf("Năm %d", r.Year)} {
		if strings.TrimSpace(s) != "" {
			title = append(title, s)
		}
	}
	s := sheet{name: fmt.Sprintf("%s %d", r.Kind.Label().VI, r.Year), frozen: 3}
	s.rows = append(s.rows, []xcell{{cell: textCell(strings.Join(title, " – ")), style: styleBold}}, []xcell{{cell: textCell(r.Span()), style: styleItalic}})
	s.rows = append(s.rows, headerRow(t.cols))
	for _, c := range t.cols {
		s.widths = append(s.widths, c.chars)
	}
	for _, row := range t.rows {
		s.rows = append(s.rows, dataRow(row))
	}
	if err := writeWorkbook(w, []sheet{s}, r.PrintedAt); err != nil {
		return fmt.Errorf("export register: %w", err)
	}
	return nil
}

func headerRow(cols []column) []xcell {
	row := make([]xcell, len(cols))
	for i, c := range cols {
		row[i] = xcell{cell: textCell(c.header), style: styleHeader}
	}
	return row
}

func dataRow(cells []cell) []xcell {
	row := make([]xcell, len(cells))
	for i, c := range cells {
		row[i] = xcell{cell: c, style: styleText}
		switch c.kind {
		case cellDate:
			row[i].style = styleDate
		case cellDateTime:
			row[i].style = styleDateTime
		case cellNumber:
			row[i].style = styleNumber
		}
	}
	return row
}

// Cell styles: indices into styles.xml's cellXfs.
const (
	styleDefault = iota
	styleBold
	styleItalic
	styleHeader
	styleText
	styleDate
	styleDateTime
	styleNumber
)

// sheet is one worksheet: its name, column widths in characters, rows,
// and how many top rows stay in view.
type sheet struct {
	name   string
	widths []float64
	rows   [][]xcell
	frozen int
}

type xcell struct {
	cell
	style int
}

// writeWorkbook writes the sheets as an .xlsx archive whose entries are
// dated at (for the same bytes from the same input).
func writeWorkbook(w io.Writer, sheets []sheet, at time.Time) error {
	if at.IsZero() || at.Year() < 1980 {
		at = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	at = at.In(time.UTC)
	z := zip.NewWriter(w)
	part := func(name string, write func(*bufio.Writer)) error {
		f, err := z.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: at})
		if err != nil {
			return fmt.Errorf("xlsx %s: %w", name, err)
		}
		b := bufio.NewWriterSize(f, 32<<10)
		b.WriteString(xml.Header)
		write(b)
		if err := b.Flush(); err != nil {
			return fmt.Errorf("xlsx %s: %w", name, err)
		}
		return nil
	}
	static := func(s string) func(*bufio.Writer) { return func(b *bufio.Writer) { b.WriteString(s) } }

	var overrides, sheetList, rels strings.Builder
	for i, s := range sheets {
		fmt.Fprintf(&overrides, `<Override PartName="/xl/worksheets/sheet%d.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`, i+1)
		fmt.Fprintf(&sheetList, `<sheet name="%s" sheetId="%d" r:id="rId%d"/>`, attr(sheetName(s.name, i)), i+1, i+1)
		fmt.Fprintf(&rels, `<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet%d.xml"/>`, i+1, i+1)
	}
	fmt.Fprintf(&rels, `<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>`, len(sheets)+1)
	parts := []struct {
		name  string
		write func(*bufio.Writer)
	}{
		{"[Content_Types].xml", static(`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
			`<Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
			`<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>` +
			overrides.String() + `</Types>`)},
		{"_rels/.rels", static(`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`)},
		{"xl/workbook.xml", static(`<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
			`<sheets>` + sheetList.String() + `</sheets></workbook>`)},
		{"xl/_rels/workbook.xml.rels", static(`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` + rels.String() + `</Relationships>`)},
		{"xl/styles.xml", static(stylesXML)},
	}
	for i, s := range sheets {
		parts = append(parts, struct {
			name  string
			write func(*bufio.Writer)
		}{fmt.Sprintf("xl/worksheets/sheet%d.xml", i+1), func(b *bufio.Writer) { writeSheet(b, s) }})
	}
	for _, p := range parts {
		if err := part(p.name, p.write); err != nil {
			return err
		}
	}
	if err := z.Close(); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	return nil
}

// stylesXML: fonts 0 regular, 1 bold, 2 italic (Times New Roman, the
// font of the paper registers); number formats 164 dd/mm/yyyy and 165
// dd/mm/yyyy hh:mm; cellXfs in the order of the style constants.
const stylesXML = `<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` +
	`<numFmts count="2"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/><numFmt numFmtId="165" formatCode="dd/mm/yyyy hh:mm"/></numFmts>` +
	`<fonts count="3"><font><sz val="12"/><name val="Times New Roman"/></font><font><b/><sz val="12"/><name val="Times New Roman"/></font><font><i/><sz val="12"/><name val="Times New Roman"/></font></fonts>` +
	`<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>` +
	`<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>` +
	`<border><left style="thin"/><right style="thin"/><top style="thin"/><bottom style="thin"/><diagonal/></border></borders>` +
	`<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>` +
	`<cellXfs count="8">` +
	`<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>` +
	`<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>` +
	`<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/>` +
	`<xf numFmtId="0" fontId="1" fillId="0" borderId="1" xfId="0" applyFont="1" applyBorder="1" applyAlignment="1"><alignment horizontal="center" vertical="center" wrapText="1"/></xf>` +
	`<xf numFmtId="0" fontId="0" fillId="0" borderId="1" xfId="0" applyBorder="1" applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>` +
	`<xf numFmtId="164" fontId="0" fillId="0" borderId="1" xfId="0" applyNumberFormat="1" applyBorder="1" applyAlignment="1"><alignment horizontal="center" vertical="top"/></xf>` +
	`<xf numFmtId="165" fontId="0" fillId="0" borderId="1" xfId="0" applyNumberFormat="1" applyBorder="1" applyAlignment="1"><alignment horizontal="center" vertical="top" wrapText="1"/></xf>` +
	`<xf numFmtId="1" fontId="0" fillId="0" borderId="1" xfId="0" applyNumberFormat="1" applyBorder="1" applyAlignment="1"><alignment horizontal="center" vertical="top"/></xf>` +
	`</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>`

// writeSheet writes one worksheet's XML.
func writeSheet(b *bufio.Writer, s sheet) {
	b.WriteString(`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
	if s.frozen > 0 {
		fmt.Fprintf(b, `<sheetViews><sheetView workbookViewId="0"><pane ySplit="%d" topLeftCell="A%d" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>`, s.frozen, s.frozen+1)
	}
	if len(s.widths) > 0 {
		b.WriteString("<cols>")
		for i, w := range s.widths {
			fmt.Fprintf(b, `<col min="%d" max="%d" width="%g" customWidth="1"/>`, i+1, i+1, w)
		}
		b.WriteString("</cols>")
	}
	b.WriteString("<sheetData>")
	var num []byte
	for i, row := range s.rows {
		fmt.Fprintf(b, `<row r="%d">`, i+1)
		for j, c := range row {
			ref := columnName(j) + strconv.Itoa(i+1)
			switch c.kind {
			case cellDate, cellDateTime, cellNumber:
				v := c.n
				if c.kind != cellNumber {
					v = serial(c.t)
				}
				num = strconv.AppendFloat(num[:0], v, 'f', -1, 64)
				fmt.Fprintf(b, `<c r="%s" s="%d"><v>%s</v></c>`, ref, c.style, num)
			default:
				if c.text == "" {
					fmt.Fprintf(b, `<c r="%s" s="%d"/>`, ref, c.style)
					continue
				}
				fmt.Fprintf(b, `<c r="%s" s="%d" t="inlineStr"><is><t xml:space="preserve">`, ref, c.style)
				xml.EscapeText(b, []byte(cut(c.text, maxCellChars)))
				b.WriteString("</t></is></c>")
			}
		}
		b.WriteString("</row>")
	}
	b.WriteString("</sheetData></worksheet>")
}

// serial is t's wall clock in Vietnam time as a spreadsheet date: days
// since 30 December 1899, the fraction the time of day.
func serial(t time.Time) float64 {
	y, m, d := t.In(edoc.Vietnam).Date()
	h, mi, s := t.In(edoc.Vietnam).Clock()
	wall := time.Date(y, m, d, h, mi, s, 0, time.UTC)
	return wall.Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)).Seconds() / 86400
}

// columnName is A, B, …, Z, AA, … for 0, 1, ….
func columnName(i int) string {
	name := ""
	for i++; i > 0; i = (i - 1) / 26 {
		name = string(rune('A'+(i-1)%26)) + name
	}
	return name
}

// cut keeps the first n characters of s.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// sheetName is a valid sheet name: at most 31 characters, none of
// []:*?/\, not empty.
func sheetName(s string, i int) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\'`, r) {
			return ' '
		}
		return r
	}, CleanText(s))
	s = strings.TrimSpace(cut(s, 31))
	if s == "" {
		s = fmt.Sprintf("Sheet%d", i+1)
	}
	return s
}

// attr is s escaped for an XML attribute value.
func attr(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}
