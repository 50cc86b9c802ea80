package work

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/vanthuso/vanthu/app/exchange/exchangetest"
	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/sync/protocol"
	"github.com/vanthuso/vanthu/sync/store"
)

var bookSubjects = map[string]string{
	"i1": "Quyết định giao dự toán ngân sách nhà nước năm 2026", "i2": "Công văn V/v tổng hợp nhu cầu kinh phí sửa chữa trụ sở",
	"i10": "Kế hoạch kiểm tra công tác văn thư, lưu trữ năm 2026", "i-2025": "Báo cáo tổng kết năm 2025",
	"o1": "Tờ trình đề nghị bổ sung kinh phí", "c1": "Bản sao y Quyết định giao dự toán",
}

func bookStore(t *testing.T) *store.Store {
	t.Helper()
	st := exchangetest.OpenStore(t)
	line := func(id string, kind edoc.RegisterKind, number string, at time.Time) protocol.Case {
		return protocol.Case{ID: id, Kind: protocol.CaseIncoming, Stage: protocol.StageRegistered, Version: 1,
			Entry: &edoc.RegisterEntry{Kind: kind, Number: number, Registered: at, Organ: ubnd,
				Code: edoc.Code{CodeNumber: number, CodeNotation: "QĐ-UBND"}, Subject: bookSubjects[id], Date: edoc.Date{Year: 2026, Month: 3, Day: 1}}}
	}
	d := func(m time.Month, day int) time.Time { return time.Date(2026, m, day, 2, 0, 0, 0, time.UTC) }
	if err := st.PutCases([]protocol.Case{
		line("i10", edoc.RegisterIncoming, "10", d(3, 9)),
		line("i2", edoc.RegisterIncoming, "02", d(1, 5)),
		line("i1", edoc.RegisterIncoming, "01", d(1, 2)),
		line("i-2025", edoc.RegisterIncoming, "99", time.Date(2025, 12, 30, 2, 0, 0, 0, time.UTC)),
		line("o1", edoc.RegisterOutgoing, "01", d(2, 1)),
		line("c1", edoc.RegisterCopy, "01", d(2, 2)),
		{ID: "none", Kind: protocol.CaseIncoming, Stage: protocol.StageArrived, Version: 1},
	}); err != nil {
		t.Fatal(err)
	}
	return st
}

func numbers(b *Book) []string {
	var out []string
	for _, e := range b.Lines() {
		out = append(out, e.Number)
	}
	return out
}

func TestBook(t *testing.T) {
	test.NewTempApp(t)
	b := NewBook(BookOptions{Options: Options{Store: bookStore(t), Now: func() time.Time { return now }}, Agency: "Sở Tài chính tỉnh Nghệ An"})
	w := test.NewTempWindow(t, b.Build())
	b.o.Window = w
	w.Resize(fyne.NewSize(1366, 768))
	if got := numbers(b); !slices.Equal(got, []string{"01", "02", "10"}) {
		t.Errorf("incoming 2026: %v", got)
	}
	if !slices.Equal(b.year.Options, []string{"2026", "2025"}) {
		t.Errorf("years %v", b.year.Options)
	}
	if b.pdf.Disabled() || b.xlsx.Disabled() {
		t.Error("print buttons disabled on a register with lines")
	}
	var pdf, xlsx bytes.Buffer
	if err := b.Write(&pdf, "pdf"); err != nil || !bytes.HasPrefix(pdf.Bytes(), []byte("%PDF-")) {
		t.Errorf("pdf: %v %q", err, pdf.Bytes()[:min(8, pdf.Len())])
	}
	if err := b.Write(&xlsx, "xlsx"); err != nil || !bytes.HasPrefix(xlsx.Bytes(), []byte("PK")) {
		t.Errorf("xlsx: %v", err)
	}
	b.year.SetSelected("2025")
	if got := numbers(b); !slices.Equal(got, []string{"99"}) {
		t.Errorf("incoming 2025: %v", got)
	}
	b.year.SetSelected("2026")
	b.kind.SetSelectedIndex(1)
	if got := numbers(b); !slices.Equal(got, []string{"01"}) || b.Kind() != edoc.RegisterOutgoing {
		t.Errorf("outgoing: %v", got)
	}
	b.kind.SetSelectedIndex(2)
	if got := numbers(b); !slices.Equal(got, []string{"01"}) || !b.pdf.Disabled() || !b.xlsx.Disabled() {
		t.Errorf("copies: %v, pdf disabled %v: the writers print incoming and outgoing only", got, b.pdf.Disabled())
	}
	if got := LineText(b.Lines()[0]); got != "01 · 02/02/2026 09:00 · 01/QĐ-UBND · UBND tỉnh Nghệ An · Bản sao y Quyết định giao dự toán" {
		t.Errorf("line %q", got)
	}
}

func TestSaveFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "so.pdf")
	if err := SaveFile(path, []byte("one")); err != nil {
		t.Fatal(err)
	}
	if err := SaveFile(path, []byte("two")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "two" {
		t.Errorf("content %q", b)
	}
	if err := SaveFile(filepath.Join(dir, "missing", "so.pdf"), []byte("x")); err == nil {
		t.Error("saved into a missing folder")
	}
	// Saving over a folder fails and leaves no temporary file behind.
	if err := os.Mkdir(filepath.Join(dir, "d"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "d", "f"), nil, 0o644)
	if err := SaveFile(filepath.Join(dir, "d"), []byte("x")); err == nil {
		t.Error("saved over a non-empty folder")
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 2 {
		t.Errorf("left %d entries: %v", len(ents), ents)
	}
}
