package work

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"github.com/vanthuso/vanthu/app/exchange"
	"github.com/vanthuso/vanthu/app/i18n"
	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/edoc/report"
)

// Kinds are the registers the Sổ văn bản tab shows, in its order.
var Kinds = []edoc.RegisterKind{edoc.RegisterIncoming, edoc.RegisterOutgoing, edoc.RegisterCopy}

// BookOptions configure the Sổ văn bản tab.
type BookOptions struct {
	// Options give the cache (Store), the Window and the clock (Now,
	// whose year is shown first); the rest is not used.
	Options
	// Agency is the agency's name as printed on the register.
	Agency string
}

// Book is the Sổ văn bản tab: the register lines the cached cases hold
// (their Entry), of one register and year, in number order; the
// incoming and outgoing registers print to PDF and export to XLSX
// (edoc/report). Lines the server has not sent to this cache yet are
// not shown: the server's register (GET /v1/registers) is the record.
type Book struct {
	o       BookOptions
	kind    *widget.Select
	year    *widget.Select
	list    *widget.List
	lines   []edoc.RegisterEntry
	pdf     *widget.Button
	xlsx    *widget.Button
	root    fyne.CanvasObject
	current int // the year shown
}

// NewBook returns the tab; Build makes its widgets.
func NewBook(o BookOptions) *Book {
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Book{o: o}
}

// Build returns the widget tree (once) and reads the cache.
func (b *Book) Build() fyne.CanvasObject {
	if b.root != nil {
		return b.root
	}
	var kinds []string
	for _, k := range Kinds {
		kinds = append(kinds, exchange.Label(k.Label()))
	}
	b.kind = widget.NewSelect(kinds, func(string) { b.Reload() })
	b.year = widget.NewSelect(nil, func(y string) {
		if n, err := strconv.Atoi(y); err == nil && n != b.current {
			b.current = n
			b.Reload()
		}
	})
	b.current = edoc.DateOf(b.o.Now()).Year
	b.list = widget.NewList(func() int { return len(b.lines) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i < len(b.lines) {
				o.(*widget.Label).SetText(LineText(b.lines[i]))
			}
		})
	b.pdf = widget.NewButton(i18n.T("work.book.pdf"), func() { b.export("pdf") })
	b.xlsx = widget.NewButton(i18n.T("work.book.xlsx"), func() { b.export("xlsx") })
	top := container.NewHBox(widget.NewLabel(i18n.T("work.book.kind")), container.New(exchange.FixedWidth(280), b.kind),
		widget.NewLabel(i18n.T("work.book.year")), container.New(exchange.FixedWidth(110), b.year), b.pdf, b.xlsx)
	b.root = container.NewBorder(top, nil, nil, nil, b.list)
	b.kind.SetSelectedIndex(0) // reads
	return b.root
}

// Kind is the register shown.
func (b *Book) Kind() edoc.RegisterKind {
	if i := b.kind.SelectedIndex(); i >= 0 {
		return Kinds[i]
	}
	return edoc.RegisterIncoming
}

// Lines are the lines shown, in number order.
func (b *Book) Lines() []edoc.RegisterEntry { return b.lines }

// Reload reads the cases again.
func (b *Book) Reload() {
	cases, err := b.o.Store.Cases(nil)
	if err != nil {
		if b.o.Window != nil {
			showError(fmt.Errorf("sổ văn bản: %w", err), b.o.Window)
		}
		return
	}
	kind := b.Kind()
	years := Years(cases, kind)
	var opts []string
	found := false
	for _, y := range years {
		opts = append(opts, strconv.Itoa(y))
		found = found || y == b.current
	}
	if !found {
		opts = append([]string{strconv.Itoa(b.current)}, opts...)
	}
	b.year.Options = opts
	b.year.Selected = strconv.Itoa(b.current)
	b.year.Refresh()
	b.lines = Register(cases, kind, b.current)
	// The writers print the incoming and outgoing registers only.
	if kind == edoc.RegisterCopy || len(b.lines) == 0 {
		b.pdf.Disable()
		b.xlsx.Disable()
	} else {
		b.pdf.Enable()
		b.xlsx.Enable()
	}
	b.list.Refresh()
}

// LineText is one register line as the list shows it: số, ngày, số/ký
// hiệu, cơ quan, trích yếu.
func LineText(e edoc.RegisterEntry) string {
	return fmt.Sprintf("%s · %s · %s · %s · %s", e.Number, formatTime(e.Registered), e.Code.String(), e.Organ.OrganName, e.Subject)
}

// Write writes the register shown as format ("pdf" or "xlsx") to w.
func (b *Book) Write(w io.Writer, format string) error {
	r := report.Register{Kind: b.Kind(), Agency: b.o.Agency, Year: b.current, Entries: b.lines, PrintedAt: b.o.Now()}
	if format == "pdf" {
		return report.WritePDF(w, r)
	}
	return report.WriteXLSX(w, r)
}

// export asks where to save and writes the file there.
func (b *Book) export(format string) {
	var buf bytes.Buffer
	if err := b.Write(&buf, format); err != nil {
		showError(fmt.Errorf("%s: %w", i18n.T("work.book.err"), err), b.o.Window)
		return
	}
	d := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
		if err != nil || wc == nil {
			return
		}
		path := wc.URI().Path()
		wc.Close()
		if err := SaveFile(path, buf.Bytes()); err != nil {
			showError(err, b.o.Window)
		}
	}, b.o.Window)
	d.SetFileName(fmt.Sprintf("so-%s-%d.%s", b.Kind(), b.current, format))
	d.SetFilter(storage.NewExtensionFileFilter([]string{"." + format}))
	d.Show()
}

// SaveFile writes data to path through a synced temporary file in the
// same folder renamed into place: a failure leaves no partial file.
func SaveFile(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".vanthu-*")
	if err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("save %s: %w", path, err)
	}
	return nil
}
