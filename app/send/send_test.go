package send

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/vanthuso/vanthu/app/exchange/exchangetest"
	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/internal/samplepdf"
	"github.com/vanthuso/vanthu/internal/testpki"
	"github.com/vanthuso/vanthu/signing/pades"
	"github.com/vanthuso/vanthu/signing/verify"
	"github.com/vanthuso/vanthu/sync/store"
)

var (
	ubnd = edoc.Organ{OrganID: "000.00.00.H41", OrganName: "UBND tỉnh Nghệ An"}
	now  = time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC)
)

func directory(t *testing.T) *edoc.Directory {
	t.Helper()
	dir, err := edoc.NewDirectory([]edoc.DirectoryEntry{
		{Code: "000.00.00.H41", Name: "UBND tỉnh Nghệ An"},
		{Code: "000.00.01.H41", Name: "Sở Tài chính tỉnh Nghệ An", Parent: "000.00.00.H41"},
		{Code: "000.00.02.H41", Name: "Sở Nội vụ tỉnh Nghệ An", Parent: "000.00.00.H41"},
		{Code: "000.00.00.G22", Name: "Văn phòng Chính phủ"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

type harness struct {
	d      *Dialog
	q      *exchangetest.Queue
	win    fyne.Window
	st     *store.Store
	synced int
	queued []string
}

// open shows the dialog over a real cache; verify checks with the test
// PKI when p is given, else finds nothing signed.
func open(t *testing.T, p *testpki.PKI, st Store) *harness {
	t.Helper()
	test.NewTempApp(t)
	h := &harness{q: exchangetest.NewQueue(), st: exchangetest.OpenStore(t)}
	if st == nil {
		st = h.st
	}
	h.win = test.NewTempWindow(t, widget.NewLabel(""))
	h.win.Resize(fyne.NewSize(1366, 768))
	var check func(ctx context.Context, path string) (*verify.Report, error)
	if p != nil {
		check = func(ctx context.Context, path string) (*verify.Report, error) {
			return verify.VerifyFile(ctx, path, verify.Options{Anchors: p.Anchors(), Intermediates: p.CACerts(), AcceptUnknownRevocation: true})
		}
	} else {
		check = func(ctx context.Context, path string) (*verify.Report, error) {
			return verify.VerifyFile(ctx, path, verify.Options{})
		}
	}
	h.d = Show(h.win, Options{Store: st, From: ubnd, Directory: directory(t), Verify: check, Do: h.q.Do,
		Now:      func() time.Time { return now },
		SyncNow:  func() { h.synced++ },
		OnQueued: func(key string) { h.queued = append(h.queued, key) }})
	return h
}

// fillIn fills a valid form: the main PDF at main, one attachment, two
// recipients picked from the directory search.
func (h *harness) fillIn(t *testing.T, main string) {
	t.Helper()
	d := h.d
	d.SetMain(main)
	att := filepath.Join(t.TempDir(), "Phụ lục chỉ tiêu.xlsx")
	if err := os.WriteFile(att, []byte("PK\x03\x04 bảng chỉ tiêu"), 0o600); err != nil {
		t.Fatal(err)
	}
	d.AddAttachment(att)
	d.docType.SetSelected("Quyết định")
	test.Type(d.number, "05")
	test.Type(d.notation, "QĐ-UBND")
	test.Type(d.subject, "Về việc giao chỉ tiêu kế hoạch đầu tư công năm 2026")
	d.competence.SetSelectedIndex(1) // TM.
	test.Type(d.body, "ỦY BAN NHÂN DÂN")
	test.Type(d.position, "CHỦ TỊCH")
	test.Type(d.fullName, "Nguyễn Văn An")
	d.priority.SetSelectedIndex(3) // Hỏa tốc
	test.Type(d.due, "31/03/2026")
	h.pick(t, "so tai chinh", "000.00.01.H41")
	h.pick(t, "000.00.02", "000.00.02.H41")
}

// pick searches the directory and taps the agency with code.
func (h *harness) pick(t *testing.T, query, code string) {
	t.Helper()
	h.d.search.SetText(query)
	for i, e := range h.d.results {
		if e.Code == code {
			h.d.found.Select(i)
			return
		}
	}
	t.Fatalf("search %q: %v lacks %s", query, h.d.results, code)
}

// signedPDF writes a sample decision signed by the given identities in
// turn.
func signedPDF(t *testing.T, p *testpki.PKI, ids ...testpki.Identity) string {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "05-QD-UBND.pdf")
	if err := samplepdf.WriteFile(path, samplepdf.Options{Title: "Quyet dinh 05/QD-UBND"}); err != nil {
		t.Fatal(err)
	}
	for i, id := range ids {
		s, closer, err := p.Signer(id, testpki.UserPIN)
		if err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, "signed"+string(rune('a'+i))+".pdf")
		_, err = pades.SignFile(context.Background(), path, out, pades.Options{Signer: s, Certificate: id.Cert, Chain: id.Chain})
		closer.Close()
		if err != nil {
			t.Fatal(err)
		}
		path = out
	}
	final := filepath.Join(dir, "Quyết định 05.pdf")
	if err := os.Rename(path, final); err != nil {
		t.Fatal(err)
	}
	return final
}

// press presses Gửi and runs the dialog's work until it waits for the
// user or is done.
func (h *harness) press(t *testing.T) {
	t.Helper()
	test.Tap(h.d.sendBtn)
	h.q.Until(t, "send settles", func() bool {
		return !h.d.busy || h.d.confirm != nil
	})
	h.q.Settle()
}

func (h *harness) outbox(t *testing.T) []store.OutboxEntry {
	t.Helper()
	all, err := h.st.OutboxAll()
	if err != nil {
		t.Fatal(err)
	}
	return all
}

func TestSendValidation(t *testing.T) {
	h := open(t, nil, nil)
	h.d.date.SetText("31/02/2026")
	h.press(t)
	for key, want := range map[string]string{
		"main":              "Hãy chọn văn bản chính (tệp PDF đã ký).",
		"promulgation_date": "Ngày không đúng; nhập ngày/tháng/năm, ví dụ 05/01/2026.",
		"to":                "Chưa chọn nơi nhận",
	} {
		l := h.d.errs[key]
		if !l.Visible() || l.Text != want {
			t.Errorf("%s: %q (visible %v), want %q", key, l.Text, l.Visible(), want)
		}
	}
	for _, key := range []string{"subject", "signer.full_name"} {
		if l := h.d.errs[key]; !l.Visible() || l.Text == "" {
			t.Errorf("%s: no error shown for an empty field", key)
		}
	}
	if h.d.status.Text != "Hãy sửa các chỗ ghi màu đỏ rồi bấm Gửi." {
		t.Errorf("status %q", h.d.status.Text)
	}
	if len(h.outbox(t)) != 0 || h.synced != 0 {
		t.Error("an invalid form queued something")
	}
	// A text file is no main document.
	txt := filepath.Join(t.TempDir(), "a.txt")
	os.WriteFile(txt, []byte("x"), 0o600)
	h.d.SetMain(txt)
	h.press(t)
	if l := h.d.errs["main"]; l.Text != "Văn bản chính phải là tệp PDF." {
		t.Errorf("main: %q", l.Text)
	}
	// Fixed fields lose their error.
	h.pick(t, "van phong chinh phu", "000.00.00.G22")
	if h.d.errs["to"].Visible() {
		t.Error("the recipients' error stays after one was picked")
	}
	if m := h.d.dlg.MinSize(); m.Width > 1366 || m.Height > 768 || Size.Width > 1366 || Size.Height > 768 {
		t.Errorf("the dialog needs %v (shown at %v): more than 1366×768", m, Size)
	}
}

func TestSendSignedByBoth(t *testing.T) {
	p := testpki.New(t)
	main := signedPDF(t, p, p.Leader, p.Agency)
	h := open(t, p, nil)
	h.fillIn(t, main)
	h.press(t)
	if h.d.confirm != nil {
		t.Fatalf("asked to confirm a document signed by both:\n%s", exchangetest.OverlayText(h.win.Canvas()))
	}
	all := h.outbox(t)
	if len(all) != 1 || len(h.queued) != 1 || h.queued[0] != all[0].ClientMsgID || h.synced != 1 {
		t.Fatalf("outbox %d entries, queued %v, synced %d", len(all), h.queued, h.synced)
	}
	doc := all[0].Request.Document
	if doc.Code.String() != "05/QĐ-UBND" || doc.Signer.Competence != "TM. ỦY BAN NHÂN DÂN" || doc.Priority != edoc.PriorityFlash ||
		doc.DueDate == nil || doc.DueDate.String() != "2026-03-31" || doc.PromulgationDate.String() != "2026-03-10" ||
		doc.Type.TypeName != "Quyết định" || doc.From != ubnd || len(doc.To) != 2 || doc.To[0].OrganID != "000.00.01.H41" {
		t.Errorf("queued document: %+v", doc)
	}
	if len(doc.Attachments) != 2 || doc.Attachments[0].Role != edoc.RoleMain || doc.Attachments[0].Name != "Quyết định 05.pdf" ||
		doc.Attachments[0].ContentType != "application/pdf" || doc.Attachments[1].Role != edoc.RoleAttachment {
		t.Fatalf("attachments: %+v", doc.Attachments)
	}
	// The blob is the signed file, byte for byte.
	want, _ := os.ReadFile(main)
	got, err := os.ReadFile(h.st.BlobPath(doc.Attachments[0].SHA256))
	if err != nil || string(got) != string(want) {
		t.Errorf("the main blob differs from the signed file (%v)", err)
	}
}

func TestSendMissingAgencyConfirmed(t *testing.T) {
	p := testpki.New(t)
	main := signedPDF(t, p, p.Leader) // approved, not issued
	h := open(t, p, nil)
	h.fillIn(t, main)
	h.press(t)
	if h.d.confirm == nil {
		t.Fatal("sent a document without the agency's signature without asking")
	}
	text := exchangetest.OverlayText(h.win.Canvas())
	if !strings.Contains(text, "Văn bản chính “Quyết định 05.pdf” chưa có:\n• chữ ký số hợp lệ của cơ quan (ký phát hành, con dấu);") ||
		strings.Contains(text, "người có thẩm quyền (ký duyệt)") {
		t.Errorf("the question does not say exactly what is missing:\n%s", text)
	}
	if len(h.outbox(t)) != 0 {
		t.Fatal("queued before the user answered")
	}
	test.Tap(exchangetest.OverlayButton(h.win.Canvas(), "Vẫn gửi"))
	h.q.Until(t, "queued", func() bool { return len(h.queued) == 1 })
	if n := len(h.outbox(t)); n != 1 || h.synced != 1 {
		t.Errorf("after confirming: %d entries, synced %d", n, h.synced)
	}
}

func TestSendUnsignedCancelled(t *testing.T) {
	main := filepath.Join(t.TempDir(), "du-thao.pdf")
	if err := samplepdf.WriteFile(main, samplepdf.Options{}); err != nil {
		t.Fatal(err)
	}
	h := open(t, nil, nil)
	h.fillIn(t, main)
	h.press(t)
	text := exchangetest.OverlayText(h.win.Canvas())
	for _, want := range []string{"người có thẩm quyền (ký duyệt)", "của cơ quan (ký phát hành, con dấu)", "Vẫn gửi văn bản này?"} {
		if !strings.Contains(text, want) {
			t.Errorf("the question lacks %q:\n%s", want, text)
		}
	}
	test.Tap(exchangetest.OverlayButton(h.win.Canvas(), "Không gửi"))
	h.q.Settle()
	if n := len(h.outbox(t)); n != 0 || len(h.queued) != 0 || h.synced != 0 {
		t.Errorf("cancelled, yet %d entries, queued %v, synced %d", n, h.queued, h.synced)
	}
	if h.d.busy || h.d.sendBtn.Disabled() || h.d.status.Text != "Chưa gửi. Sửa văn bản rồi bấm Gửi khi đã sẵn sàng." {
		t.Errorf("after cancelling: busy %v, button disabled %v, status %q", h.d.busy, h.d.sendBtn.Disabled(), h.d.status.Text)
	}
	if blobs, _ := os.ReadDir(filepath.Dir(h.st.BlobPath(strings.Repeat("0", 64)))); len(blobs) != 0 {
		t.Errorf("cancelled, yet %d files stored", len(blobs))
	}
}

// failingStore fails PutBlob like a full disk until healed.
type failingStore struct {
	*store.Store
	fail bool
}

func (f *failingStore) PutBlob(r io.Reader) (string, int64, error) {
	if f.fail {
		return "", 0, errors.New("write blob: no space left on device")
	}
	return f.Store.PutBlob(r)
}

// TestSendDiskFull: a failing write says so and queues nothing; pressing
// Gửi again after the disk has room queues the document once, under the
// dialog's one id.
func TestSendDiskFull(t *testing.T) {
	p := testpki.New(t)
	main := signedPDF(t, p, p.Leader, p.Agency)
	h := open(t, p, nil)
	fs := &failingStore{Store: h.st, fail: true}
	h.d.o.Store = fs
	h.fillIn(t, main)
	h.press(t)
	if !strings.Contains(h.d.status.Text, "Không lưu được văn bản vào hộp thư đi") || !strings.Contains(h.d.status.Text, "no space left on device") {
		t.Errorf("status %q", h.d.status.Text)
	}
	if len(h.outbox(t)) != 0 || len(h.queued) != 0 {
		t.Fatal("a failed write queued something")
	}
	fs.fail = false
	h.press(t)
	h.q.Until(t, "queued", func() bool { return len(h.queued) == 1 })
	// The same id again (a second press that raced the first) is no
	// second document.
	if err := queue(h.st, h.d.document0(t), []string{main}, h.d.id); err != nil {
		t.Errorf("queueing the same id again: %v", err)
	}
	if n := len(h.outbox(t)); n != 1 {
		t.Errorf("%d entries, want 1", n)
	}
}

// document0 is the form's document, for calling queue directly.
func (d *Dialog) document0(t *testing.T) edoc.Document {
	doc, probs := d.document()
	if len(probs) > 0 {
		t.Fatalf("form problems: %v", probs)
	}
	return doc
}

func TestSendDirectory(t *testing.T) {
	h := open(t, nil, nil)
	h.d.search.SetText("noi vu")
	if len(h.d.results) != 1 || h.d.results[0].Code != "000.00.02.H41" {
		t.Errorf("search 'noi vu': %v", h.d.results)
	}
	h.d.search.SetText("khong co co quan nay")
	if len(h.d.results) != 0 || !h.d.noMatch.Visible() {
		t.Errorf("no match: %v, label visible %v", h.d.results, h.d.noMatch.Visible())
	}
	h.pick(t, "so tai chinh", "000.00.01.H41")
	h.pick(t, "so tai chinh", "000.00.01.H41") // twice is once
	if len(h.d.recipients) != 1 {
		t.Errorf("recipients %v", h.d.recipients)
	}
	if got := exchangetest.Labels(h.d.chosenBox); !strings.Contains(got, "Đã chọn 1 nơi nhận:\nSở Tài chính tỉnh Nghệ An (000.00.01.H41)") {
		t.Errorf("chosen list:\n%s", got)
	}
}
