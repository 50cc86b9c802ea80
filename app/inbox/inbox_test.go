package inbox

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/vanthuso/vanthu/app/exchange"
	"github.com/vanthuso/vanthu/app/exchange/exchangetest"
	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/internal/samplepdf"
	"github.com/vanthuso/vanthu/sync/protocol"
	"github.com/vanthuso/vanthu/sync/store"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// now is the tests' clock: 10 March 2026, 09:00 in Vietnam.
var now = time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC)

var (
	ubnd  = edoc.Organ{OrganID: "000.00.00.H41", OrganName: "UBND tỉnh Nghệ An"}
	sotc  = edoc.Organ{OrganID: "000.00.01.H41", OrganName: "Sở Tài chính tỉnh Nghệ An"}
	sonv  = edoc.Organ{OrganID: "000.00.02.H41", OrganName: "Sở Nội vụ tỉnh Nghệ An"}
	dueAt = edoc.Date{Year: 2026, Month: 3, Day: 5} // past at now
	later = edoc.Date{Year: 2026, Month: 4, Day: 30}
)

// pdfBlob stores a real PDF as a blob.
func pdfBlob(t *testing.T, st *store.Store, title string) (string, int64) {
	t.Helper()
	var b bytes.Buffer
	if err := samplepdf.Write(&b, samplepdf.Options{Title: title}); err != nil {
		t.Fatal(err)
	}
	return exchangetest.PutBlob(t, st, b.Bytes())
}

// fixture is a real client cache that received three documents, newest
// first: an urgent unread decision past its deadline whose signatures
// are valid, a read letter with an invalid signature, an unread report
// not checked.
func fixture(t *testing.T) *store.Store {
	t.Helper()
	st := exchangetest.OpenStore(t)
	sha3, size3 := pdfBlob(t, st, "Bao cao")
	sha2, size2 := pdfBlob(t, st, "Cong van")
	sha1, size1 := pdfBlob(t, st, "Quyet dinh")
	exchangetest.Receive(t, st, protocol.Message{
		ID: "m3", From: sonv, AcceptedAt: time.Date(2026, 3, 1, 3, 15, 0, 0, time.UTC),
		Document: edoc.Document{
			From: sonv, Code: edoc.Code{CodeNumber: "12", CodeNotation: "BC-SNV"}, To: []edoc.Organ{ubnd},
			Type: edoc.DocumentType{TypeName: "Báo cáo"}, Subject: "Báo cáo tình hình tổ chức bộ máy quý I năm 2026",
			PromulgationDate: edoc.Date{Year: 2026, Month: 2, Day: 28},
			Signer:           edoc.Signer{Competence: "KT. GIÁM ĐỐC", Position: "PHÓ GIÁM ĐỐC", FullName: "Lê Thị Hoa"},
			Attachments:      []edoc.Attachment{{Role: edoc.RoleMain, Name: "12-BC-SNV.pdf", ContentType: "application/pdf", SHA256: sha3, Size: size3}},
		},
	}, protocol.Message{
		ID: "m2", From: sotc, AcceptedAt: time.Date(2026, 3, 5, 8, 0, 0, 0, time.UTC),
		Document: edoc.Document{
			From: sotc, Code: edoc.Code{CodeNumber: "245", CodeNotation: "STC-NS"}, To: []edoc.Organ{ubnd},
			Type: edoc.DocumentType{TypeName: "Công văn"}, Subject: "V/v hướng dẫn lập dự toán ngân sách năm 2027",
			Signer:      edoc.Signer{Position: "GIÁM ĐỐC", FullName: "Trần Quốc Bảo"},
			DueDate:     &later,
			Attachments: []edoc.Attachment{{Role: edoc.RoleMain, Name: "245-STC.pdf", ContentType: "application/pdf", SHA256: sha2, Size: size2}},
		},
		Verification: map[string]protocol.Verification{sha2: {Verdict: "invalid"}},
	}, protocol.Message{
		ID: "m1", From: ubnd, SentBy: "Phạm Văn Thư", AcceptedAt: time.Date(2026, 3, 9, 1, 30, 0, 0, time.UTC),
		Document: edoc.Document{
			From: ubnd, To: []edoc.Organ{sotc, sonv}, ToPlaces: []string{"Lưu: VT, TH."},
			Code:  edoc.Code{CodeNumber: "05", CodeNotation: "QĐ-UBND"},
			Place: "Nghệ An", PromulgationDate: edoc.Date{Year: 2026, Month: 3, Day: 2},
			Type:     edoc.DocumentType{TypeName: "Quyết định"},
			Subject:  "Quyết định về việc giao chỉ tiêu kế hoạch đầu tư công năm 2026",
			Signer:   edoc.Signer{Competence: "TM. ỦY BAN NHÂN DÂN", Position: "CHỦ TỊCH", FullName: "Nguyễn Văn An"},
			Priority: edoc.PriorityFlash, DueDate: &dueAt,
			Attachments: []edoc.Attachment{
				{Role: edoc.RoleMain, Name: "05-QD-UBND.pdf", ContentType: "application/pdf", SHA256: sha1, Size: size1},
				{Role: edoc.RoleAttachment, Name: "Phu luc chi tieu.xlsx", ContentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", SHA256: strings.Repeat("ab", 32), Size: 48213},
			},
		},
		Verification: map[string]protocol.Verification{sha1: {Verdict: "valid"}},
		Statuses: []protocol.StatusEvent{
			{MessageID: "m1", OrganID: sotc.OrganID, Status: edoc.StatusAccepted, At: time.Date(2026, 3, 9, 2, 0, 0, 0, time.UTC), Staff: &edoc.StaffInfo{Staff: "Hoàng Thị Mai"}},
			{MessageID: "m1", OrganID: sotc.OrganID, Status: edoc.StatusArrived, At: time.Date(2026, 3, 9, 1, 30, 5, 0, time.UTC), Automatic: true},
		},
	})
	if err := st.MarkRead("m2"); err != nil {
		t.Fatal(err)
	}
	return st
}

// counting counts the pages and searches a screen reads.
type counting struct {
	Source
	mu    sync.Mutex
	reads int
}

func (c *counting) List(unreadOnly bool, after string, limit int) ([]store.Document, string, error) {
	c.mu.Lock()
	c.reads++
	c.mu.Unlock()
	return c.Source.List(unreadOnly, after, limit)
}

func (c *counting) n() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.reads
}

type harness struct {
	scr    *Screen
	q      *exchangetest.Queue
	win    fyne.Window
	opened []string
	reads  []string
}

func newHarness(t *testing.T, src Source, pageSize int) *harness {
	t.Helper()
	test.NewTempApp(t)
	h := &harness{q: exchangetest.NewQueue()}
	h.scr = New(Options{Source: src, Do: h.q.Do, Now: func() time.Time { return now }, PageSize: pageSize,
		Open:   func(path, title string) { h.opened = append(h.opened, path+"|"+title) },
		OnRead: func(key string) { h.reads = append(h.reads, key) },
	})
	h.win = test.NewTempWindow(t, h.scr.Build())
	h.scr.o.Window = h.win
	h.win.Resize(fyne.NewSize(1366, 768))
	h.q.Until(t, "first page", func() bool { return !h.scr.rows.Loading() })
	h.q.Settle()
	return h
}

// rowAt renders row i as the list would.
func (h *harness) rowAt(i int) *exchange.Row {
	r := exchange.NewRow()
	h.scr.view.UpdateRow(i, r)
	return r
}

func TestInboxRows(t *testing.T) {
	h := newHarness(t, FromStore(fixture(t)), 0)
	if n := h.scr.view.Length(); n != 3 {
		t.Fatalf("%d rows, want 3", n)
	}
	r := h.rowAt(0)
	if !r.Title.TextStyle.Bold || r.Title.Text != "Quyết định về việc giao chỉ tiêu kế hoạch đầu tư công năm 2026" {
		t.Errorf("row 0 subject %q bold %v: want the unread decision in bold", r.Title.Text, r.Title.TextStyle.Bold)
	}
	if r.Badge.Text() != "Hỏa tốc" || !r.Badge.Visible() {
		t.Errorf("row 0 badge %q visible %v", r.Badge.Text(), r.Badge.Visible())
	}
	if r.Corner.Text != "09/03/2026 08:30" { // 01:30 UTC is 08:30 in Vietnam
		t.Errorf("row 0 received %q", r.Corner.Text)
	}
	if r.Info.Text != "Số 05/QĐ-UBND · UBND tỉnh Nghệ An" {
		t.Errorf("row 0 info %q", r.Info.Text)
	}
	if r.Note.Text != "Hạn 05/03/2026 (quá hạn)" || r.Note.Importance != widget.DangerImportance {
		t.Errorf("row 0 deadline %q importance %v: want it red and marked overdue", r.Note.Text, r.Note.Importance)
	}
	if r.State.Text != "Chữ ký hợp lệ" {
		t.Errorf("row 0 verdict %q", r.State.Text)
	}

	r1 := h.rowAt(1)
	if r1.Title.TextStyle.Bold {
		t.Error("row 1 is read but bold")
	}
	if r1.Badge.Visible() {
		t.Errorf("row 1 is not urgent but shows %q", r1.Badge.Text())
	}
	if r1.Note.Text != "Hạn 30/04/2026" || r1.Note.Importance == widget.DangerImportance {
		t.Errorf("row 1 deadline %q importance %v", r1.Note.Text, r1.Note.Importance)
	}
	if r1.State.Text != "Chữ ký không hợp lệ" {
		t.Errorf("row 1 verdict %q", r1.State.Text)
	}
	r2 := h.rowAt(2)
	if r2.State.Text != "Chưa kiểm tra chữ ký" || !r2.Title.TextStyle.Bold {
		t.Errorf("row 2 verdict %q bold %v", r2.State.Text, r2.Title.TextStyle.Bold)
	}
	// The verdicts differ by icon, not only by colour.
	icons := map[string]bool{}
	for _, rr := range []*exchange.Row{r, r1, r2} {
		icons[rr.Icon.Resource.Name()] = true
	}
	if len(icons) != 3 {
		t.Errorf("verdict icons %v: want three different ones", icons)
	}
	assertMarkup(t, "inbox.xml", h.win.Canvas())
}

func TestInboxSearch(t *testing.T) {
	h := newHarness(t, FromStore(fixture(t)), 0)
	search := func(text string) []string {
		t.Helper()
		test.Type(h.scr.search, text)
		h.q.Until(t, "search "+text, func() bool { return !h.scr.rows.Loading() })
		var got []string
		for i := 0; i < h.scr.rows.Len(); i++ {
			d, _ := h.scr.rows.At(i)
			got = append(got, d.Key)
		}
		return got
	}
	// Without diacritics, by words' beginnings.
	if got := search("quyet dinh giao"); fmt.Sprint(got) != "[m1]" {
		t.Errorf("search 'quyet dinh giao': %v", got)
	}
	h.scr.search.SetText("")
	if got := search("so tai"); fmt.Sprint(got) != "[m1 m2]" { // m1 goes to it, m2 comes from it
		t.Errorf("search 'so tai': %v", got)
	}
	h.scr.search.SetText("")
	if got := search("khong co van ban nay"); len(got) != 0 || !h.scr.view.Empty.Visible() ||
		h.scr.view.Empty.Text != "Không tìm thấy văn bản nào khớp “khong co van ban nay”." {
		t.Errorf("search with no match: %v, empty label %q visible %v", got, h.scr.view.Empty.Text, h.scr.view.Empty.Visible())
	}
	h.scr.search.SetText("")
	h.q.Until(t, "listing back", func() bool { return !h.scr.rows.Loading() && h.scr.rows.Len() == 3 })
	if h.scr.view.Empty.Visible() {
		t.Error("the empty label stays over the listing")
	}
}

func TestInboxUnreadOnly(t *testing.T) {
	h := newHarness(t, FromStore(fixture(t)), 0)
	test.Tap(h.scr.unread)
	h.q.Until(t, "filter", func() bool { return !h.scr.rows.Loading() && h.scr.rows.Len() == 2 })
	for i := 0; i < 2; i++ {
		if d, _ := h.scr.rows.At(i); d.Read {
			t.Errorf("row %d (%s) is read", i, d.Key)
		}
	}
	// Filter and search together.
	test.Type(h.scr.search, "huong dan du toan")
	h.q.Until(t, "search", func() bool { return !h.scr.rows.Loading() })
	if h.scr.rows.Len() != 0 || h.scr.view.Empty.Text != "Không tìm thấy văn bản nào khớp “huong dan du toan”." {
		t.Errorf("unread search for the read letter: %d rows, %q", h.scr.rows.Len(), h.scr.view.Empty.Text)
	}
}

func TestInboxOpenMarksRead(t *testing.T) {
	c := fixture(t)
	h := newHarness(t, FromStore(c), 0)
	h.scr.view.List.Select(0)
	h.q.Until(t, "marked read", func() bool { return len(h.reads) == 1 })
	h.q.Settle()
	if d, _ := c.Get("m1"); !d.Read {
		t.Error("the cache does not say m1 was read")
	}
	if r := h.rowAt(0); r.Title.TextStyle.Bold {
		t.Error("the row stays bold after opening")
	}
	text := exchangetest.Labels(h.scr.view.Detail)
	for _, want := range []string{
		"Số, ký hiệu", "05/QĐ-UBND", "Nghệ An, 02/03/2026", "Quyết định",
		"Nguyễn Văn An, CHỦ TỊCH (TM. ỦY BAN NHÂN DÂN)", "UBND tỉnh Nghệ An", "Phạm Văn Thư",
		"Sở Tài chính tỉnh Nghệ An; Sở Nội vụ tỉnh Nghệ An; Lưu: VT, TH.", "Hỏa tốc",
		"Hạn 05/03/2026 (quá hạn)", "09/03/2026 08:30",
		"Văn bản chính: 05-QD-UBND.pdf", "Kèm theo: Phu luc chi tieu.xlsx (47 KB) — đang tải về",
		// Oldest first, in Vietnamese.
		"09/03/2026 08:30 — Đã đến — Sở Tài chính tỉnh Nghệ An (tự động)\n09/03/2026 09:00 — Đã tiếp nhận — Hoàng Thị Mai, Sở Tài chính tỉnh Nghệ An",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("detail lacks %q:\n%s", want, text)
		}
	}
	// The attachment still downloading cannot be saved yet.
	if b := exchangetest.FindButton(h.scr.view.Detail, "Lưu thành…"); b == nil || !b.Disabled() {
		t.Error("the missing attachment's button is not disabled")
	}
	test.Tap(exchangetest.FindButton(h.scr.view.Detail, "Mở văn bản"))
	d, _ := c.Get("m1")
	want := c.BlobPath(d.Doc.Attachments[0].SHA256) + "|05/QĐ-UBND"
	if len(h.opened) != 1 || h.opened[0] != want {
		t.Fatalf("opened %v, want %s", h.opened, want)
	}
	if _, err := os.Stat(strings.Split(h.opened[0], "|")[0]); err != nil {
		t.Errorf("the opened path is not a file: %v", err)
	}
	// A read document is not marked again.
	h.scr.view.List.Select(1)
	h.q.Settle()
	if len(h.reads) != 1 {
		t.Errorf("marked read again: %v", h.reads)
	}
}

// pagesDocs is how many documents TestInboxPages puts in a real cache:
// enough for 60 pages of 50.
const pagesDocs = 3000

// TestInboxPages shows on a real cache that the list reads one page to
// show the first rows, the next when the user scrolls near the end,
// never the whole box. TestInboxPagesLarge does it with 100 000.
func TestInboxPages(t *testing.T) {
	st := exchangetest.OpenStore(t)
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var batch []protocol.Message
	for i := range pagesDocs {
		batch = append(batch, protocol.Message{ID: fmt.Sprintf("k%06d", i), From: sotc, AcceptedAt: base.Add(time.Duration(i) * time.Minute),
			Document: edoc.Document{From: sotc, To: []edoc.Organ{ubnd}, Subject: fmt.Sprintf("Công văn số %d", i), Code: edoc.Code{CodeNumber: fmt.Sprint(i), CodeNotation: "STC"}}})
		if len(batch) == 1000 {
			exchangetest.Receive(t, st, batch...)
			batch = nil
		}
	}
	src := &counting{Source: FromStore(st)}
	h := newHarness(t, src, 50)
	if src.n() != 1 || h.scr.rows.Len() != 50 {
		t.Fatalf("after opening: %d reads, %d rows; want 1 read of 50", src.n(), h.scr.rows.Len())
	}
	if h.scr.view.Length() != 51 {
		t.Errorf("list length %d, want 50 rows and the loading row", h.scr.view.Length())
	}
	if r := h.rowAt(50); r.Title.Text != "Đang tải…" {
		t.Errorf("last row %q", r.Title.Text)
	}
	h.q.Until(t, "second page", func() bool { return h.scr.rows.Len() == 100 })
	h.scr.view.List.ScrollToBottom()
	h.q.Until(t, "third page", func() bool { return h.scr.rows.Len() == 150 })
	h.q.Settle()
	if src.n() > 4 {
		t.Errorf("%d reads for 150 rows", src.n())
	}
	if d, _ := h.scr.rows.At(0); d.Key != fmt.Sprintf("k%06d", pagesDocs-1) {
		t.Errorf("first row %s, want the newest", d.Key)
	}
	seen := map[string]bool{}
	for i := range h.scr.rows.Len() {
		d, _ := h.scr.rows.At(i)
		if seen[d.Key] {
			t.Fatalf("%s twice in the rows", d.Key)
		}
		seen[d.Key] = true
	}
}

// TestInboxPagesLarge: a box of 100 000 documents (in memory, the
// cache's paging rules) opens with one page read and grows a page at a
// time.
func TestInboxPagesLarge(t *testing.T) {
	c := exchangetest.NewCache(t)
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 100_000 {
		c.Add(store.Document{Key: fmt.Sprintf("k%06d", i), Box: store.BoxInbox, From: sotc, ReceivedAt: base.Add(time.Duration(i) * time.Minute),
			Doc: edoc.Document{Subject: fmt.Sprintf("Công văn số %d", i)}})
	}
	h := newHarness(t, c.Inbox(), 50)
	if c.Reads != 1 || h.scr.rows.Len() != 50 {
		t.Fatalf("after opening: %d reads, %d rows", c.Reads, h.scr.rows.Len())
	}
	h.q.Settle()
	if c.Reads != 1 {
		t.Errorf("%d reads without scrolling", c.Reads) // only the rows on screen are asked for
	}
	for want := 100; want <= 150; want += 50 {
		h.scr.view.List.ScrollToBottom()
		h.q.Until(t, "next page", func() bool { return h.scr.rows.Len() == want })
	}
	h.q.Settle()
	if c.Reads > 4 || h.scr.rows.Len() > 200 {
		t.Errorf("%d reads, %d rows after scrolling to the end twice", c.Reads, h.scr.rows.Len())
	}
}

func TestInboxReadError(t *testing.T) {
	c := exchangetest.NewCache(t)
	c.Add(store.Document{Key: "m1", Box: store.BoxInbox, Doc: edoc.Document{Subject: "Quyết định"}})
	c.Fail = fmt.Errorf("cache closed")
	h := newHarness(t, c.Inbox(), 0)
	if !h.scr.view.Empty.Visible() || !strings.Contains(h.scr.view.Empty.Text, "Không đọc được danh sách: cache closed") {
		t.Errorf("error %q visible %v", h.scr.view.Empty.Text, h.scr.view.Empty.Visible())
	}
	c.Fail = nil
	h.scr.Reload()
	h.q.Until(t, "reload", func() bool { return !h.scr.rows.Loading() })
	if h.scr.rows.Len() != 1 || h.scr.view.Empty.Visible() {
		t.Errorf("after the cache came back: %d rows, empty label visible %v", h.scr.rows.Len(), h.scr.view.Empty.Visible())
	}
}

func TestInboxFits(t *testing.T) {
	h := newHarness(t, FromStore(fixture(t)), 0)
	h.scr.view.List.Select(0)
	h.q.Settle()
	if m := h.scr.root.MinSize(); m.Width > 1366 || m.Height > 768 {
		t.Errorf("min size %v does not fit 1366×768", m)
	}
}

func assertMarkup(t *testing.T, name string, c fyne.Canvas) {
	t.Helper()
	exchangetest.AssertMarkup(t, name, c, *update)
}
