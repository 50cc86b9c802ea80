package report

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/vanthuso/vanthu/edoc"
)

// DoneFunc says when an incoming entry's handling was finished (status
// 06, hoàn thành); the zero time when it is not. The caller knows it
// from the document's statuses; a nil DoneFunc means nothing is done.
type DoneFunc func(edoc.RegisterEntry) time.Time

// Stats are one month's figures of an agency's document office.
type Stats struct {
	Year  int
	Month time.Month
	// Received counts the incoming entries registered in the month,
	// Issued the outgoing ones.
	Received, Issued int
	// Overdue counts the incoming entries registered before the month's
	// end whose DueDate is the month's last day or earlier and that were
	// not done by the month's end: those overdue when the month closes,
	// whatever month they arrived in.
	Overdue int
	// ByUnit counts per handling unit (RegisterEntry.Handler: the unit
	// receiving an incoming document, the unit keeping an outgoing one),
	// ByType per document type (TypeName); each sorted by name, with
	// NoUnit and NoType for an empty name. Only names with a figure other
	// than 0 are listed.
	ByUnit, ByType []Count
}

// Count is the figures of one unit or document type.
type Count struct {
	Name                      string
	Received, Issued, Overdue int
}

// Names of the empty unit and type in Stats.
const (
	NoUnit = "(Chưa giao đơn vị)"
	NoType = "(Không rõ loại văn bản)"
)

// Monthly computes the figures of the month (year, month) in Vietnam
// time over entries of any register; entries of the copies register are
// not counted. done says when an incoming entry was done.
func Monthly(entries []edoc.RegisterEntry, done DoneFunc, year int, month time.Month) Stats {
	start := time.Date(year, month, 1, 0, 0, 0, 0, edoc.Vietnam)
	end := start.AddDate(0, 1, 0)
	last := edoc.DateOf(end.Add(-time.Nanosecond))
	s := Stats{Year: start.Year(), Month: start.Month()}
	units, types := map[string]*Count{}, map[string]*Count{}
	count := func(m map[string]*Count, name, none string) *Count {
		if name = strings.TrimSpace(name); name == "" {
			name = none
		}
		c, ok := m[name]
		if !ok {
			c = &Count{Name: name}
			m[name] = c
		}
		return c
	}
	for _, e := range entries {
		in := !e.Registered.Before(start) && e.Registered.Before(end)
		switch {
		case e.Kind == edoc.RegisterIncoming:
			overdue := e.DueDate != nil && !e.DueDate.IsZero() && !after(*e.DueDate, last) &&
				e.Registered.Before(end) && !doneBy(done, e, end)
			if !in && !overdue {
				continue
			}
			u, t := count(units, e.Handler, NoUnit), count(types, e.TypeName, NoType)
			if in {
				s.Received++
				u.Received++
				t.Received++
			}
			if overdue {
				s.Overdue++
				u.Overdue++
				t.Overdue++
			}
		case e.Kind == edoc.RegisterOutgoing && in:
			s.Issued++
			count(units, e.Handler, NoUnit).Issued++
			count(types, e.TypeName, NoType).Issued++
		}
	}
	s.ByUnit, s.ByType = sorted(units), sorted(types)
	return s
}

// after reports whether a is a later day than b.
func after(a, b edoc.Date) bool { return a.Time().After(b.Time()) }

func doneBy(done DoneFunc, e edoc.RegisterEntry, end time.Time) bool {
	if done == nil {
		return false
	}
	at := done(e)
	return !at.IsZero() && at.Before(end)
}

func sorted(m map[string]*Count) []Count {
	out := make([]Count, 0, len(m))
	for _, c := range m {
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b Count) int {
		return cmp.Or(strings.Compare(edoc.Fold(a.Name), edoc.Fold(b.Name)), strings.Compare(a.Name, b.Name))
	})
	return out
}

// statsColumns are the columns of the per-unit and per-type tables.
func statsColumns(first string) []column {
	return []column{
		{header: first, width: 300, chars: 40},
		{header: "Văn bản đến", width: 110, chars: 14, center: true},
		{header: "Văn bản đi", width: 110, chars: 14, center: true},
		{header: "Quá hạn giải quyết", width: 110, chars: 18, center: true},
	}
}

func statsRows(counts []Count) [][]cell {
	rows := make([][]cell, 0, len(counts)+1)
	var total Count
	for _, c := range counts {
		rows = append(rows, []cell{textCell(c.Name), intCell(c.Received), intCell(c.Issued), intCell(c.Overdue)})
		total.Received += c.Received
		total.Issued += c.Issued
		total.Overdue += c.Overdue
	}
	return append(rows, []cell{textCell("Tổng cộng"), intCell(total.Received), intCell(total.Issued), intCell(total.Overdue)})
}

// intCell is a number cell that shows 0.
func intCell(n int) cell { return cell{kind: cellNumber, text: fmt.Sprint(n), n: float64(n)} }

// title is the statistics' title line.
func (s Stats) title() string {
	return fmt.Sprintf("THỐNG KÊ VĂN BẢN THÁNG %02d/%d", int(s.Month), s.Year)
}

// summary is the three totals, one a line.
func (s Stats) summary() []string {
	return []string{
		fmt.Sprintf("Văn bản đến đã đăng ký: %d", s.Received),
		fmt.Sprintf("Văn bản đi đã phát hành: %d", s.Issued),
		fmt.Sprintf("Văn bản đến quá hạn giải quyết (cuối tháng): %d", s.Overdue),
	}
}

// WriteStatsPDF prints the statistics on A4 landscape pages: the agency,
// the title ("THỐNG KÊ VĂN BẢN THÁNG 03/2026"), the totals, then the
// tables per unit and per document type, each ending with "Tổng cộng";
// page numbers and printedAt at the foot.
func WriteStatsPDF(w io.Writer, s Stats, agency string, printedAt time.Time) error {
	d, err := newDocument()
	if err != nil {
		return fmt.Errorf("print statistics: %w", err)
	}
	d.titleBlock("", agency, s.title(), s.summary()...)
	for _, part := range []struct {
		head   string
		counts []Count
	}{{"Đơn vị xử lý", s.ByUnit}, {"Loại văn bản", s.ByType}} {
		if d.y-marginBottom < 120 {
			d.newPage()
		}
		d.y -= 6
		d.text(bold, 12, "Theo "+strings.ToLower(part.head), (pageW-630)/2, d.y-12)
		d.y -= 20
		d.table(table{cols: statsColumns(part.head), rows: statsRows(part.counts)})
		d.y -= 12
	}
	d.footer(printedAt)
	if err := d.finish(w, s.title()+" – "+agency, printedAt); err != nil {
		return fmt.Errorf("print statistics: %w", err)
	}
	return nil
}

// WriteStatsXLSX exports the statistics as a workbook of two sheets,
// "Theo đơn vị" and "Theo loại văn bản": row 1 the title and agency, rows
// 2–4 the totals, row 5 the bold headers, then one row a unit or type and
// "Tổng cộng" last; figures are numbers.
func WriteStatsXLSX(w io.Writer, s Stats, agency string, printedAt time.Time) error {
	var sheets []sheet
	for _, part := range []struct {
		name, head string
		counts     []Count
	}{{"Theo đơn vị", "Đơn vị xử lý", s.ByUnit}, {"Theo loại văn bản", "Loại văn bản", s.ByType}} {
		cols := statsColumns(part.head)
		sh := sheet{name: part.name, frozen: 5}
		sh.rows = append(sh.rows, []xcell{{cell: textCell(s.title() + " – " + agency), style: styleBold}})
		for _, l := range s.summary() {
			sh.rows = append(sh.rows, []xcell{{cell: textCell(l), style: styleItalic}})
		}
		sh.rows = append(sh.rows, headerRow(cols))
		for _, c := range cols {
			sh.widths = append(sh.widths, c.chars)
		}
		for _, row := range statsRows(part.counts) {
			sh.rows = append(sh.rows, dataRow(row))
		}
		sheets = append(sheets, sh)
	}
	if err := writeWorkbook(w, sheets, printedAt); err != nil {
		return fmt.Errorf("export statistics: %w", err)
	}
	return nil
}
