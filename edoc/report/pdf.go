package report

import (
	"fmt"
	"io"
	"math"
)

// The table's text: size, line spacing, padding inside a cell, and how
// far a line's baseline sits under its top.
const (
	cellSize    = 9.0
	cellLeading = 11.0
	cellPad     = 3.0
	cellAscent  = 7.6
	numberRowH  = 12.0
)

// WritePDF prints the register to w as the form of Nghị định 30/2020 Phụ
// lục IV: A4 landscape; on the first page the agency, the title ("SỔ
// ĐĂNG KÝ VĂN BẢN ĐẾN" or "… ĐI"), the year and "Từ số … đến số …"; then
// the table of the register's columns with their Vietnamese headers and
// numbers ((1), (2), …) at the top of every page; "Trang i/n" and the
// instant printed at the foot of every page. Long cells wrap; a row
// that does not fit under the header of a fresh page goes on over the
// next. Text is cleaned (CleanText) and embedded with Liberation Serif.
// The output depends on r alone. It refuses a register of another kind
// than incoming or outgoing; nothing is written then.
func WritePDF(w io.Writer, r Register) error {
	t, err := tableOf(r)
	if err != nil {
		return fmt.Errorf("print register: %w", err)
	}
	d, err := newDocument()
	if err != nil {
		return fmt.Errorf("print register: %w", err)
	}
	d.titleBlock(r.Superior, r.Agency, r.Title(), fmt.Sprintf("Năm %d", r.Year), r.Span())
	d.table(t)
	d.footer(r.PrintedAt)
	if err := d.finish(w, fmt.Sprintf("%s %d – %s", r.Kind.Label().VI, r.Year, r.Agency), r.PrintedAt); err != nil {
		return fmt.Errorf("print register: %w", err)
	}
	return nil
}

// titleBlock writes the centred lines above the table: the superior
// agency, the agency (bold), the title (large, bold), then the lines
// under it.
func (d *document) titleBlock(superior, agency, title string, under ...string) {
	line := func(st style, size float64, s string) {
		for _, l := range d.wrap(st, size, CleanText(s), pageW-120) {
			d.centered(st, size, l, 0, pageW, d.y-size)
			d.y -= size * 1.3
		}
	}
	if superior != "" {
		line(regular, 12, superior)
	}
	if agency != "" {
		line(bold, 12, agency)
	}
	d.y -= 8
	line(bold, 16, title)
	for _, u := range under {
		line(italic, 12, u)
	}
	d.y -= 8
}

// table writes t from d.y down, on as many pages as it takes.
func (d *document) table(t table) {
	var total float64
	for _, c := range t.cols {
		total += c.width
	}
	x0 := (pageW - total) / 2
	xs := make([]float64, len(t.cols)+1)
	xs[0] = x0
	for i, c := range t.cols {
		xs[i+1] = xs[i] + c.width
	}
	heads := make([][]string, len(t.cols))
	headLines := 1
	for i, c := range t.cols {
		heads[i] = d.wrap(bold, cellSize, c.header, c.width-2*cellPad)
		headLines = max(headLines, len(heads[i]))
	}
	headH := float64(headLines)*cellLeading + 2*cellPad
	header := func() {
		top := d.y
		d.line(xs[0], top, xs[len(xs)-1], top)
		for i := range t.cols {
			// Centre the header's lines vertically.
			off := float64(headLines-len(heads[i])) * cellLeading / 2
			for k, l := range heads[i] {
				d.centered(bold, cellSize, l, xs[i], xs[i+1], top-cellPad-cellAscent-off-float64(k)*cellLeading)
			}
			d.centered(italic, 8, fmt.Sprintf("(%d)", i+1), xs[i], xs[i+1], top-headH-9)
		}
		d.line(xs[0], top-headH, xs[len(xs)-1], top-headH)
		d.y = top - headH - numberRowH
		d.line(xs[0], d.y, xs[len(xs)-1], d.y)
		for _, x := range xs {
			d.line(x, top, x, d.y)
		}
	}
	// Lines a fresh page holds under the header.
	fresh := int(math.Floor((pageH - marginTop - headH - numberRowH - marginBottom - 2*cellPad) / cellLeading))
	header()
	lines := make([][]string, len(t.cols))
	for _, row := range t.rows {
		n := 1
		for i, c := range row {
			lines[i] = d.wrap(regular, cellSize, c.text, t.cols[i].width-2*cellPad)
			n = max(n, len(lines[i]))
		}
		for k := 0; k < n; {
			room := int(math.Floor((d.y - marginBottom - 2*cellPad) / cellLeading))
			if k == 0 && n > room && n <= fresh {
				room = 0 // the row fits on the next page: keep it whole
			}
			if room < 1 {
				d.newPage()
				header()
				continue
			}
			m := min(room, n-k)
			d.rowPart(t.cols, xs, lines, k, k+m)
			k += m
		}
	}
}

// rowPart writes lines [from, to) of a row's cells at d.y and moves d.y
// under them.
func (d *document) rowPart(cols []column, xs []float64, lines [][]string, from, to int) {
	top := d.y
	for i, cellLines := range lines {
		for k := from; k < to && k < len(cellLines); k++ {
			y := top - cellPad - cellAscent - float64(k-from)*cellLeading
			if cols[i].center {
				d.centered(regular, cellSize, cellLines[k], xs[i], xs[i+1], y)
			} else {
				d.text(regular, cellSize, cellLines[k], xs[i]+cellPad, y)
			}
		}
	}
	d.y = top - float64(to-from)*cellLeading - 2*cellPad
	d.line(xs[0], d.y, xs[len(xs)-1], d.y)
	for _, x := range xs {
		d.line(x, top, x, d.y)
	}
}
