package outbox

import (
	"flag"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/vanthuso/vanthu/app/exchange"
	"github.com/vanthuso/vanthu/app/exchange/exchangetest"
	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/sync/protocol"
	"github.com/vanthuso/vanthu/sync/store"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

var (
	sotc = edoc.Organ{OrganID: "000.00.01.H41", OrganName: "Sở Tài chính tỉnh Nghệ An"}
	sonv = edoc.Organ{OrganID: "000.00.02.H41", OrganName: "Sở Nội vụ tỉnh Nghệ An"}
	bad  = edoc.Organ{OrganID: "000.00.99.H41", OrganName: "Sở Không Có"}
	t0   = time.Date(2026, 3, 9, 1, 0, 0, 0, time.UTC)
)

func doc(subject, number string, to ...edoc.Organ) edoc.Document {
	return edoc.Document{Subject: subject, Code: edoc.Code{CodeNumber: number, CodeNotation: "UBND-TH"},
		Type: edoc.DocumentType{TypeName: "Công văn"}, To: to,
		Attachments: []edoc.Attachment{{Role: edoc.RoleMain, Name: number + "-UBND-TH.pdf", SHA256: strings.Repeat("a", 64), Size: 200_000}}}
}

// queued adds a document this client queued, with its entry.
func queued(c *exchangetest.Cache, key string, d edoc.Document, e store.OutboxEntry) {
	e.ClientMsgID = key
	e.Request = protocol.SendRequest{Document: d}
	e.QueuedAt = t0
	c.SetEntry(e)
	c.Add(store.Document{Key: key, ClientMsgID: key, Box: store.BoxOutbox, Doc: d, QueuedAt: t0})
}

// fixture holds, oldest first: a document sent by another client with a
// refusal, one sent here and arrived at one of two, one failed for good,
// one uploading, one waiting again after an error, one queued.
func fixture(t *testing.T) *exchangetest.Cache {
	c := exchangetest.NewCache(t)
	c.Add(store.Document{Key: "srv5", MessageID: "srv5", Box: store.BoxOutbox, Doc: doc("Về việc báo cáo tiến độ", "41", sotc),
		AcceptedAt: t0.Add(-48 * time.Hour), SentBy: "Phạm Văn Thư",
		Deliveries: []protocol.Delivery{{OrganID: sotc.OrganID, Status: edoc.StatusRefused, UpdatedAt: t0.Add(-47 * time.Hour)}}})
	d3 := doc("Về việc tổ chức hội nghị tổng kết", "42", sotc, sonv)
	queued(c, "cid3", d3, store.OutboxEntry{State: store.OutboxSent, Answer: &protocol.SendAnswer{MessageID: "srv3"}})
	c.Add(store.Document{Key: "cid3", ClientMsgID: "cid3", MessageID: "srv3", Box: store.BoxOutbox, Doc: d3, QueuedAt: t0,
		AcceptedAt: t0.Add(time.Minute),
		Deliveries: []protocol.Delivery{
			{OrganID: sotc.OrganID, Status: edoc.StatusArrived, UpdatedAt: t0.Add(2 * time.Minute)},
			{OrganID: sonv.OrganID},
		}})
	queued(c, "cid4", doc("Về việc mời họp", "43", bad), store.OutboxEntry{State: store.OutboxFailed,
		ErrorCode: protocol.CodeUnknownRecipient, LastError: "unknown recipient 000.00.99.H41", Attempts: 1})
	queued(c, "cid2", doc("Về việc lấy ý kiến dự thảo", "44", sotc), store.OutboxEntry{State: store.OutboxUploading,
		Files: []store.OutboxFile{{SHA256: "f1", Size: 100, Done: true}, {SHA256: "f2", Size: 300, Offset: 100}}})
	queued(c, "cid6", doc("Về việc cử cán bộ", "45", sonv), store.OutboxEntry{State: store.OutboxQueued,
		Attempts: 2, LastError: "không kết nối được máy chủ"})
	queued(c, "cid1", doc("Về việc triển khai văn bản điện tử", "46", sotc, sonv), store.OutboxEntry{State: store.OutboxQueued,
		Files: []store.OutboxFile{{SHA256: "f3", Size: 400}}})
	return c
}

type harness struct {
	scr     *Screen
	q       *exchangetest.Queue
	win     fyne.Window
	resends []string
}

func newHarness(t *testing.T, src Source) *harness {
	t.Helper()
	test.NewTempApp(t)
	h := &harness{q: exchangetest.NewQueue()}
	h.scr = New(Options{Source: src, Do: h.q.Do, Resend: func(d store.Document) { h.resends = append(h.resends, d.Key) }})
	h.win = test.NewTempWindow(t, h.scr.Build())
	h.scr.o.Window = h.win
	h.win.Resize(fyne.NewSize(1366, 768))
	h.q.Until(t, "first page", func() bool { return !h.scr.rows.Loading() })
	h.q.Settle()
	return h
}

// states is the state each row shows, by key.
func (h *harness) states() map[string]*exchange.Row {
	out := map[string]*exchange.Row{}
	for i := 0; i < h.scr.rows.Len(); i++ {
		r := exchange.NewRow()
		h.scr.view.UpdateRow(i, r)
		d, _ := h.scr.rows.At(i)
		out[d.Key] = r
	}
	return out
}

func TestOutboxStates(t *testing.T) {
	h := newHarness(t, fixture(t).Outbox())
	rows := h.states()
	for key, want := range map[string]string{
		"cid1": "Đang chờ gửi",
		"cid6": "Đang chờ gửi lại (lần trước: không kết nối được máy chủ)",
		"cid2": "Đang tải lên 50%", // 100 done + 100 of 300: from the entry, no event yet
		"cid4": "Gửi thất bại",
		"cid3": "Đã gửi · đã đến 1/2 nơi",
		"srv5": "Đã gửi · đã đến 1/1 nơi · 1 nơi từ chối tiếp nhận",
	} {
		r := rows[key]
		if r == nil {
			t.Errorf("%s: no row", key)
			continue
		}
		if r.State.Text != want {
			t.Errorf("%s: state %q, want %q", key, r.State.Text, want)
		}
	}
	if rows["cid4"].State.Importance != widget.DangerImportance || rows["srv5"].State.Importance != widget.DangerImportance {
		t.Error("the failure and the refusal are not marked as dangers")
	}
	if got := rows["cid1"].Info.Text; got != "Số 46/UBND-TH · Gửi: Sở Tài chính tỉnh Nghệ An; Sở Nội vụ tỉnh Nghệ An" {
		t.Errorf("info %q", got)
	}
	if got := rows["cid1"].Corner.Text; got != "Chờ từ 09/03/2026 08:00" {
		t.Errorf("queued corner %q", got)
	}
	if got := rows["cid3"].Corner.Text; got != "09/03/2026 08:01" {
		t.Errorf("accepted corner %q", got)
	}
	// Queued ones first, in the order they were queued, newest first.
	var keys []string
	for i := 0; i < h.scr.rows.Len(); i++ {
		d, _ := h.scr.rows.At(i)
		keys = append(keys, d.Key)
	}
	if strings.Join(keys, " ") != "cid1 cid6 cid2 cid4 cid3 srv5" {
		t.Errorf("order %v", keys)
	}
	exchangetest.AssertMarkup(t, "outbox.xml", h.win.Canvas(), *update)
}

func TestOutboxProgressEvents(t *testing.T) {
	c := fixture(t)
	h := newHarness(t, c.Outbox())
	h.scr.ShowProgress("cid2", "f2", 68) // 100 + 68 of 400
	if got := h.states()["cid2"].State.Text; got != "Đang tải lên 42%" {
		t.Errorf("after a progress event: %q", got)
	}
	// A queued document whose upload starts reads "uploading" at once.
	h.scr.ShowProgress("cid1", "f3", 100)
	if got := h.states()["cid1"].State.Text; got != "Đang tải lên 25%" {
		t.Errorf("first progress of a queued one: %q", got)
	}
	// Sent: the entry and the document say so; the screen reads them again.
	d, _ := c.Get("cid2")
	d.MessageID, d.AcceptedAt = "srv2", t0.Add(time.Hour)
	d.Deliveries = []protocol.Delivery{{OrganID: sotc.OrganID}}
	c.Add(d)
	e, _ := c.OutboxEntry("cid2")
	e.State = store.OutboxSent
	c.SetEntry(e)
	h.scr.ShowSent("cid2")
	h.q.Until(t, "reload", func() bool { return !h.scr.rows.Loading() })
	if got := h.states()["cid2"].State.Text; got != "Đã gửi" {
		t.Errorf("after sent: %q", got)
	}
	// Failed for good.
	e, _ = c.OutboxEntry("cid1")
	e.State, e.ErrorCode, e.LastError = store.OutboxFailed, protocol.CodeTooLarge, "file too large"
	c.SetEntry(e)
	h.scr.ShowFailed("cid1")
	h.q.Until(t, "reload", func() bool { return !h.scr.rows.Loading() })
	if got := h.states()["cid1"].State.Text; got != "Gửi thất bại" {
		t.Errorf("after failed: %q", got)
	}
}

func TestOutboxDetail(t *testing.T) {
	h := newHarness(t, fixture(t).Outbox())
	sel := func(key string) string {
		t.Helper()
		h.scr.view.List.Select(h.scr.rows.Index(key))
		h.q.Settle()
		return exchangetest.Labels(h.scr.view.Detail)
	}
	text := sel("cid3")
	for _, want := range []string{
		"Sở Tài chính tỉnh Nghệ An — Đã đến (09/03/2026 08:02)",
		"Sở Nội vụ tỉnh Nghệ An — Đã gửi",
		"42-UBND-TH.pdf (195 KB)",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("sent document lacks %q:\n%s", want, text)
		}
	}
	text = sel("cid1")
	if !strings.Contains(text, "Sở Tài chính tỉnh Nghệ An — Đang chờ gửi\nSở Nội vụ tỉnh Nghệ An — Đang chờ gửi") {
		t.Errorf("queued document's recipients:\n%s", text)
	}
	if exchangetest.FindButton(h.scr.view.Detail, "Sửa và gửi lại…") != nil {
		t.Error("a queued document offers to be sent again")
	}
	text = sel("cid4")
	for _, want := range []string{
		"Gửi thất bại", "Lý do: unknown recipient 000.00.99.H41",
		"Máy chủ không biết nơi nhận Sở Không Có (000.00.99.H41). Kiểm tra mã định danh trong danh bạ, sửa nơi nhận rồi gửi lại.",
		"Văn bản này sẽ không được tự động gửi lại.",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("failed document lacks %q:\n%s", want, text)
		}
	}
	b := exchangetest.FindButton(h.scr.view.Detail, "Sửa và gửi lại…")
	if b == nil {
		t.Fatal("no way to send the failed document again")
	}
	test.Tap(b)
	if len(h.resends) != 1 || h.resends[0] != "cid4" {
		t.Errorf("resend got %v", h.resends)
	}
	if m := h.scr.root.MinSize(); m.Width > 1366 || m.Height > 768 {
		t.Errorf("min size %v does not fit 1366×768", m)
	}
}

func TestOutboxEmpty(t *testing.T) {
	h := newHarness(t, exchangetest.NewCache(t).Outbox())
	if !h.scr.view.Empty.Visible() || h.scr.view.Empty.Text != "Chưa gửi văn bản nào. Bấm “Gửi văn bản” để gửi." {
		t.Errorf("empty outbox says %q (visible %v)", h.scr.view.Empty.Text, h.scr.view.Empty.Visible())
	}
}

// TestOutboxRealStore drives the states through a real client cache:
// queued, uploading, sent and arrived at one recipient (a status from the
// feed), failed for good.
func TestOutboxRealStore(t *testing.T) {
	st := exchangetest.OpenStore(t)
	sha, size := exchangetest.PutBlob(t, st, []byte("%PDF-1.7 công văn\n%%EOF\n"))
	queue := func(number string, to ...edoc.Organ) string {
		t.Helper()
		d := doc("Công văn số "+number, number, to...)
		d.From = edoc.Organ{OrganID: "000.00.00.H41", OrganName: "UBND tỉnh Nghệ An"}
		d.Attachments[0].SHA256, d.Attachments[0].Size = sha, size
		id := protocol.NewClientID()
		if err := st.Queue(d, id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	waiting, uploading, sent, failed := queue("1", sotc), queue("2", sotc), queue("3", sotc, sonv), queue("4", bad)
	if err := st.UpdateOutbox(uploading, func(e *store.OutboxEntry) error {
		e.State = store.OutboxUploading
		e.Files[0].Offset = size / 2
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	answer := protocol.SendAnswer{MessageID: "srv3", ClientMsgID: sent, AcceptedAt: t0,
		Deliveries: []protocol.Delivery{{OrganID: sotc.OrganID, UpdatedAt: t0}, {OrganID: sonv.OrganID, UpdatedAt: t0}}}
	if err := st.MarkSent(sent, answer); err != nil {
		t.Fatal(err)
	}
	if err := st.MarkFailed(failed, protocol.CodeUnknownRecipient, "unknown recipient 000.00.99.H41"); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, FromStore(st))
	rows := h.states()
	for key, want := range map[string]string{
		waiting: "Đang chờ gửi", uploading: "Đang tải lên 50%", sent: "Đã gửi", failed: "Gửi thất bại",
	} {
		if r := rows[key]; r == nil || r.State.Text != want {
			t.Errorf("%s: %v, want %q", key, r, want)
		}
	}
	// The recipient's 01 comes through the feed.
	ev := protocol.StatusEvent{MessageID: "srv3", OrganID: sotc.OrganID, Status: edoc.StatusArrived, At: t0.Add(time.Minute), Automatic: true}
	if _, err := st.Apply([]protocol.Change{{Kind: protocol.ChangeStatus, MessageID: "srv3", At: ev.At, Status: &ev}}, "c1"); err != nil {
		t.Fatal(err)
	}
	h.scr.Reload()
	h.q.Until(t, "reload", func() bool { return !h.scr.rows.Loading() })
	if got := h.states()[sent].State.Text; got != "Đã gửi · đã đến 1/2 nơi" {
		t.Errorf("after the recipient's 01: %q", got)
	}
	h.scr.view.List.Select(h.scr.rows.Index(sent))
	h.q.Settle()
	text := exchangetest.Labels(h.scr.view.Detail)
	if !strings.Contains(text, "Sở Tài chính tỉnh Nghệ An — Đã đến (09/03/2026 08:01)") || !strings.Contains(text, "Sở Nội vụ tỉnh Nghệ An — Đã gửi") {
		t.Errorf("recipients of the sent document:\n%s", text)
	}
}

// TestOutboxRevoke: Thu hồi… is offered on accepted documents only, needs
// a reason, and calls Options.Revoke with the document; once a 13 is in
// the history it is not offered again.
func TestOutboxRevoke(t *testing.T) {
	c := fixture(t)
	d := doc("Về việc điều chỉnh dự toán", "47", sotc)
	c.Add(store.Document{Key: "srv7", MessageID: "srv7", Box: store.BoxOutbox, Doc: d, AcceptedAt: t0.Add(time.Hour),
		Statuses: []protocol.StatusEvent{{MessageID: "srv7", OrganID: "000.00.00.H41", Status: edoc.StatusRevokeRequest, At: t0.Add(2 * time.Hour)}}})
	test.NewTempApp(t)
	q := exchangetest.NewQueue()
	type call struct{ key, reason string }
	var calls []call
	scr := New(Options{Source: c.Outbox(), Do: q.Do, Revoke: func(d store.Document, reason string) error {
		calls = append(calls, call{d.MessageID, reason})
		return nil
	}})
	win := test.NewTempWindow(t, scr.Build())
	scr.o.Window = win
	q.Until(t, "first page", func() bool { return !scr.rows.Loading() })
	q.Settle()
	button := func(key string) *widget.Button {
		scr.view.List.Select(scr.rows.Index(key))
		q.Settle()
		return exchangetest.FindButton(scr.view.Detail, "Thu hồi…")
	}
	for _, key := range []string{"cid1", "cid4", "srv7"} { // queued, failed, already asked
		if button(key) != nil {
			t.Errorf("%s offers Thu hồi", key)
		}
	}
	b := button("cid3")
	if b == nil {
		t.Fatal("a sent document offers no Thu hồi")
	}
	test.Tap(b)
	if scr.revokeSubmit == nil {
		t.Fatal("no dialog")
	}
	if err := scr.revokeSubmit(); err == nil || len(calls) != 0 {
		t.Errorf("no reason: %v, %v", err, calls)
	}
	scr.revokeReason.SetText("  Sai sót số liệu, sẽ ban hành văn bản thay thế ")
	if err := scr.revokeSubmit(); err != nil {
		t.Fatal(err)
	}
	if len(calls) != 1 || calls[0] != (call{"srv3", "Sai sót số liệu, sẽ ban hành văn bản thay thế"}) {
		t.Errorf("revoke got %+v", calls)
	}
}
