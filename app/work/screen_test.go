package work

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/vanthuso/vanthu/app/exchange"
	"github.com/vanthuso/vanthu/app/exchange/exchangetest"
	"github.com/vanthuso/vanthu/app/i18n"
	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/signing/verify"
	"github.com/vanthuso/vanthu/sync/protocol"
	"github.com/vanthuso/vanthu/sync/store"
)

var (
	ubnd  = edoc.Organ{OrganID: "000.00.00.H41", OrganName: "UBND tỉnh Nghệ An"}
	staff = []protocol.User{
		{ID: "leader", Name: "Nguyễn Văn Lãnh", Roles: []protocol.Role{protocol.RoleLeader}},
		{ID: "officer", Name: "Trần Thị Chuyên", Roles: []protocol.Role{protocol.RoleOfficer}},
		{ID: "officer2", Name: "Lê Văn Phối", Roles: []protocol.Role{protocol.RoleOfficer}},
		{ID: "clerk", Name: "Phạm Thị Thư", Roles: []protocol.Role{protocol.RoleClerk}},
	}
	decision = edoc.Document{From: ubnd, Code: edoc.Code{CodeNumber: "05", CodeNotation: "QĐ-UBND"},
		Subject: "Quyết định giao chỉ tiêu kế hoạch năm 2026", Priority: edoc.PriorityFlash, DueDate: date(2026, 3, 11),
		Attachments: []edoc.Attachment{{Role: edoc.RoleMain, Name: "05.pdf", SHA256: strings.Repeat("ab", 32)}}}
)

// workStore is a real cache holding: an arrived hỏa tốc decision (no
// case yet) whose two signatures were checked, an earlier registration
// of the same decision (the duplicate), a registered letter, one
// presented to the leader and one assigned to the officer.
func workStore(t *testing.T) *store.Store {
	t.Helper()
	st := exchangetest.OpenStore(t)
	report, _ := json.Marshal(verify.Report{Verdict: "valid", Signatures: []verify.Signature{
		{Verdict: "valid", Signer: verify.Signer{Name: "Lê Văn A"}},
		{Verdict: "valid", Signer: verify.Signer{Name: "UBND tỉnh Nghệ An"}},
	}})
	exchangetest.Receive(t, st, protocol.Message{ID: "m-new", From: ubnd, AcceptedAt: now.Add(-time.Hour), Document: decision,
		Verification: map[string]protocol.Verification{decision.Attachments[0].SHA256: {Verdict: "valid", Report: report}}})
	old := incoming("c-old", protocol.StageDone, 0, now.Add(-48*time.Hour))
	old.Document = decision
	old.Entry = &edoc.RegisterEntry{Kind: edoc.RegisterIncoming, Number: "07", Code: decision.Code, Organ: ubnd,
		Registered: time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC), Subject: decision.Subject}
	reg := incoming("c-registered", protocol.StageRegistered, edoc.PriorityUrgent, now.Add(-2*time.Hour))
	reg.Entry = &edoc.RegisterEntry{Kind: edoc.RegisterIncoming, Number: "08", Registered: now.Add(-2 * time.Hour), Subject: "Công văn 12"}
	reg.Version, reg.Document.Subject = 2, "Công văn V/v hướng dẫn lập dự toán ngân sách năm 2027"
	reg.Document.From = edoc.Organ{OrganName: "Sở Tài chính tỉnh Nghệ An"}
	pres := incoming("c-presented", protocol.StagePresented, 0, now.Add(-3*time.Hour))
	pres.PresentedTo, pres.PresentedToName, pres.Version = "leader", "Nguyễn Văn Lãnh", 3
	pres.Document.Subject = "Kế hoạch triển khai chuyển đổi số năm 2026 của tỉnh"
	pres.Document.From, pres.Document.Code = ubnd, edoc.Code{CodeNumber: "112", CodeNotation: "KH-UBND"}
	pres.History = []protocol.CaseStep{{At: now.Add(-4 * time.Hour), ByName: "Phạm Thị Thư", Action: protocol.ActionRegister, Detail: "số 09"},
		{At: now.Add(-3 * time.Hour), ByName: "Phạm Thị Thư", Action: protocol.ActionPresent}}
	asg := incoming("c-assigned", protocol.StageAssigned, 0, now.Add(-5*time.Hour))
	asg.Lead, asg.Instruction, asg.Due, asg.Version = &protocol.Assignee{UserID: "officer", Name: "Trần Thị Chuyên"}, "Tham mưu trả lời trước ngày 09/3", date(2026, 3, 9), 4
	asg.Document.Subject, asg.Document.Priority = "Báo cáo kết quả thực hiện cải cách hành chính quý I", edoc.PriorityUrgent
	asg.Document.From = edoc.Organ{OrganName: "Sở Nội vụ tỉnh Nghệ An"}
	asg.Notes = []protocol.CaseNote{{At: now.Add(-5 * time.Hour), ByName: "Nguyễn Văn Lãnh", Text: "Phòng Tổng hợp phối hợp cung cấp số liệu."}}
	if err := st.PutCases([]protocol.Case{old, reg, pres, asg}); err != nil {
		t.Fatal(err)
	}
	return st
}

type harness struct {
	t     *testing.T
	st    *store.Store
	scr   *Screen
	win   fyne.Window
	syncs int
	q     *exchangetest.Queue
}

func newHarness(t *testing.T, st *store.Store, user protocol.User) *harness {
	t.Helper()
	test.NewTempApp(t)
	h := &harness{t: t, st: st, q: exchangetest.NewQueue()}
	h.scr = New(Options{Store: st, User: user, Now: func() time.Time { return now }, Do: h.q.Do,
		Staff:   func(context.Context) ([]protocol.User, error) { return staff, nil },
		SyncNow: func() { h.syncs++ }})
	h.win = test.NewTempWindow(t, h.scr.Build())
	h.scr.o.Window = h.win
	h.win.Resize(fyne.NewSize(1366, 768))
	return h
}

// texts collects every text a user can read under o.
func texts(o fyne.CanvasObject) []string {
	var out []string
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		switch w := o.(type) {
		case *fyne.Container:
			for _, c := range w.Objects {
				walk(c)
			}
			return
		case *widget.Label:
			out = append(out, w.Text)
			return
		case *widget.Button:
			out = append(out, w.Text)
			return
		case *exchange.Badge:
			out = append(out, w.Text())
			return
		case *itemRow:
			walk(w.box)
			return
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(w).Objects() {
				walk(c)
			}
		}
	}
	walk(o)
	return out
}

func (h *harness) keys() []string { return keys(h.scr.Items()) }

func (h *harness) row(key string) []string {
	for _, it := range h.scr.Items() {
		if it.Key == key {
			r := newItemRow().(*itemRow)
			h.scr.fillRow(it, r)
			return texts(r)
		}
	}
	h.t.Fatalf("no item %s in %v", key, h.keys())
	return nil
}

func (h *harness) selectItem(key string) {
	h.t.Helper()
	i := slices.Index(h.keys(), key)
	if i < 0 {
		h.t.Fatalf("no item %s in %v", key, h.keys())
	}
	h.scr.list.Select(i)
}

func (h *harness) buttons() []string {
	var out []string
	for a := range h.scr.buttons {
		if !strings.HasPrefix(a, "drop:") {
			out = append(out, a)
		}
	}
	slices.Sort(out)
	return out
}

func (h *harness) detail() string { return strings.Join(texts(h.scr.detail), "\n") }

// press opens the action's dialog from its button.
func (h *harness) press(action string) *form {
	h.t.Helper()
	b := h.scr.buttons[action]
	if b == nil {
		h.t.Fatalf("no %s button (have %v)", action, h.buttons())
	}
	test.Tap(b)
	if h.scr.form == nil || h.scr.form.action != action {
		h.t.Fatalf("no %s dialog", action)
	}
	return h.scr.form
}

func (h *harness) actions() []store.ActionEntry {
	h.t.Helper()
	a, err := h.st.Actions()
	if err != nil {
		h.t.Fatal(err)
	}
	return a
}

func contains(list []string, s string) bool {
	return slices.ContainsFunc(list, func(x string) bool { return strings.Contains(x, s) })
}

func TestScreenPerRole(t *testing.T) {
	st := workStore(t)
	for _, tc := range []struct {
		user    protocol.User
		keys    []string
		first   string
		buttons []string
	}{
		{clerk, []string{"m-new", "c-registered"}, "m-new", []string{protocol.ActionRegister, protocol.ActionReturn}},
		{leader, []string{"c-presented"}, "c-presented", []string{protocol.ActionAssign, protocol.ActionNote}},
		{officer, []string{"c-assigned"}, "c-assigned", []string{protocol.ActionNote, protocol.ActionProgress}},
	} {
		h := newHarness(t, st, tc.user)
		if got := h.keys(); !slices.Equal(got, tc.keys) {
			t.Errorf("%s: list %v, want %v", tc.user.ID, got, tc.keys)
		}
		h.selectItem(tc.first)
		if got := h.buttons(); !slices.Equal(got, tc.buttons) {
			t.Errorf("%s on %s: buttons %v, want %v", tc.user.ID, tc.first, got, tc.buttons)
		}
	}
}

func TestScreenRows(t *testing.T) {
	h := newHarness(t, workStore(t), clerk)
	r := h.row("m-new")
	for _, want := range []string{"Hỏa tốc", "Quyết định giao chỉ tiêu kế hoạch năm 2026", "Chờ tiếp nhận · chờ vào sổ", "Hạn 11/03/2026 (sắp đến hạn)"} {
		if !contains(r, want) {
			t.Errorf("row m-new %q lacks %q", r, want)
		}
	}
	if contains(r, "Chờ cấp số") {
		t.Errorf("row m-new shows chờ cấp số before any action: %q", r)
	}
	o := newHarness(t, h.st, officer)
	if r := o.row("c-assigned"); !contains(r, "Hạn 09/03/2026 (quá hạn)") {
		t.Errorf("officer's row %q: want it overdue", r)
	}
	// Red: the due label of an overdue item.
	row := newItemRow().(*itemRow)
	o.scr.fillRow(o.scr.Items()[0], row)
	if row.due.Importance != widget.DangerImportance {
		t.Errorf("overdue due label importance %v", row.due.Importance)
	}
}

func TestClerkRegisters(t *testing.T) {
	h := newHarness(t, workStore(t), clerk)
	h.selectItem("m-new")
	f := h.press(protocol.ActionRegister)
	for _, want := range []string{"Chữ ký hợp lệ — Lê Văn A", "Chữ ký hợp lệ — UBND tỉnh Nghệ An", "Cảnh báo trùng", "số 07"} {
		if !contains(f.info, want) {
			t.Errorf("register dialog %q lacks %q", f.info, want)
		}
	}
	if got := f.fields["due"].(*widget.Entry).Text; got != "11/03/2026" {
		t.Errorf("due prefilled %q", got)
	}
	f.fields["handler"].(*widget.Entry).SetText("Phòng Tổng hợp")
	f.fields["due"].(*widget.Entry).SetText("15/3/2026")
	if err := f.submit(); err != nil {
		t.Fatal(err)
	}
	a := h.actions()
	want := protocol.ActionRequest{Action: protocol.ActionRegister, CaseID: "m-new", Handler: "Phòng Tổng hợp", Due: date(2026, 3, 15)}
	if len(a) != 1 || !protocol.ValidClientID(a[0].ClientActionID) || a[0].User != "clerk" || !sameRequest(a[0].Request, want) {
		t.Fatalf("queued %+v, want %+v", a, want)
	}
	if h.syncs != 1 {
		t.Errorf("SyncNow called %d times", h.syncs)
	}
	if r := h.row("m-new"); !contains(r, "Chờ cấp số") {
		t.Errorf("row after register %q: want Chờ cấp số", r)
	}
	if d := h.detail(); !strings.Contains(d, "chờ cấp số từ máy chủ") {
		t.Errorf("detail after register:\n%s", d)
	}
	// The server committed it (engine.Acted): the case is registered
	// with its số, the action gone.
	c := incoming("m-new", protocol.StageRegistered, edoc.PriorityFlash, now)
	c.Document, c.Version = decision, 1
	c.Entry = &edoc.RegisterEntry{Kind: edoc.RegisterIncoming, Number: "10", Registered: now}
	if err := h.st.ActionDone(a[0].ClientActionID, protocol.ActionAnswer{Case: c}); err != nil {
		t.Fatal(err)
	}
	h.scr.OnActed()
	if r := h.row("m-new"); contains(r, "Chờ cấp số") || !contains(r, "Đã vào sổ · chờ trình lãnh đạo") {
		t.Errorf("row after Acted %q", r)
	}
	if d := h.detail(); !strings.Contains(d, "Sổ đăng ký văn bản đến, số 10") || strings.Contains(d, "chờ cấp số") {
		t.Errorf("detail after Acted:\n%s", d)
	}
	if got := h.buttons(); !slices.Equal(got, []string{protocol.ActionNote, protocol.ActionPresent}) {
		t.Errorf("buttons after registration %v", got)
	}
}

func sameRequest(a, b protocol.ActionRequest) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

func TestClerkReturns(t *testing.T) {
	h := newHarness(t, workStore(t), clerk)
	h.selectItem("m-new")
	f := h.press(protocol.ActionReturn)
	if err := f.submit(); err == nil {
		t.Error("returned without a reason")
	}
	sel := f.fields["reason"].(*widget.Select)
	if got := sel.Options; !slices.Equal(got, []string{"Gửi nhầm nơi nhận", "Chữ ký số không hợp lệ", "Thiếu chữ ký số", "Khác"}) {
		t.Errorf("reasons %q", got)
	}
	sel.SetSelectedIndex(3)
	if err := f.submit(); err == nil {
		t.Error("returned for Khác without a text")
	}
	if len(h.actions()) != 0 {
		t.Fatal("a refused form queued an action")
	}
	f.fields["text"].(*widget.Entry).SetText("Văn bản không thuộc thẩm quyền")
	if err := f.submit(); err != nil {
		t.Fatal(err)
	}
	want := protocol.ActionRequest{Action: protocol.ActionReturn, CaseID: "m-new", Reason: "Khác: Văn bản không thuộc thẩm quyền"}
	if a := h.actions(); len(a) != 1 || !sameRequest(a[0].Request, want) {
		t.Fatalf("queued %+v", a)
	}
	if r := h.row("m-new"); contains(r, "Chờ cấp số") {
		t.Errorf("a return waits for no number: %q", r)
	}
}

func TestClerkPresents(t *testing.T) {
	h := newHarness(t, workStore(t), clerk)
	h.selectItem("c-registered")
	f := h.press(protocol.ActionPresent)
	sel := f.fields["leader"].(*widget.Select)
	h.q.Until(t, "the staff", func() bool { return len(sel.Options) > 0 })
	if !slices.Equal(sel.Options, []string{"Nguyễn Văn Lãnh"}) {
		t.Fatalf("leaders %q: only the agency's leaders", sel.Options)
	}
	sel.SetSelectedIndex(0)
	if err := f.submit(); err != nil {
		t.Fatal(err)
	}
	want := protocol.ActionRequest{Action: protocol.ActionPresent, CaseID: "c-registered", To: "leader"}
	if a := h.actions(); len(a) != 1 || !sameRequest(a[0].Request, want) {
		t.Fatalf("queued %+v", a)
	}
}

func TestLeaderAssigns(t *testing.T) {
	h := newHarness(t, workStore(t), leader)
	h.selectItem("c-presented")
	if d := h.detail(); !strings.Contains(d, "Phạm Thị Thư: vào sổ (số 09)") || !strings.Contains(d, "Phạm Thị Thư: trình lãnh đạo") {
		t.Errorf("history missing:\n%s", d)
	}
	f := h.press(protocol.ActionAssign)
	h.q.Until(t, "the staff", func() bool { return len(f.fields["lead"].(*widget.Select).Options) > 0 })
	if err := f.submit(); err == nil {
		t.Error("assigned with no lead")
	}
	f.fields["instruction"].(*widget.Entry).SetText("Giao Phòng Kế hoạch chủ trì, báo cáo trước 20/3")
	f.fields["lead"].(*widget.Select).SetSelected("Trần Thị Chuyên")
	cg := f.fields["cooperating"].(*widget.CheckGroup)
	cg.SetSelected([]string{"Lê Văn Phối", "Trần Thị Chuyên"}) // the lead is not also cooperating
	f.fields["cooperating-units"].(*widget.Entry).SetText("Phòng Tài chính; Văn phòng ")
	f.fields["due"].(*widget.Entry).SetText("20/03/2026")
	if err := f.submit(); err != nil {
		t.Fatal(err)
	}
	want := protocol.ActionRequest{Action: protocol.ActionAssign, CaseID: "c-presented",
		Instruction: "Giao Phòng Kế hoạch chủ trì, báo cáo trước 20/3", Lead: &protocol.Assignee{UserID: "officer"},
		Cooperating: []protocol.Assignee{{UserID: "officer2"}, {Unit: "Phòng Tài chính"}, {Unit: "Văn phòng"}}, Due: date(2026, 3, 20)}
	if a := h.actions(); len(a) != 1 || !sameRequest(a[0].Request, want) {
		t.Fatalf("queued %+v\nwant %+v", a, want)
	}
	if d := h.detail(); !strings.Contains(d, "Đã ghi “phân công”, chờ gửi lên máy chủ.") {
		t.Errorf("pending not shown:\n%s", d)
	}
	// A unit typed instead of a person.
	h2 := newHarness(t, workStore(t), leader)
	h2.selectItem("c-presented")
	f = h2.press(protocol.ActionAssign)
	h2.q.Settle()
	f.fields["lead-unit"].(*widget.Entry).SetText("Phòng Kế hoạch")
	f.fields["due"].(*widget.Entry).SetText("31/02/2026")
	if err := f.submit(); err == nil {
		t.Error("31/02 accepted as a date")
	}
	f.fields["due"].(*widget.Entry).SetText("")
	if err := f.submit(); err != nil {
		t.Fatal(err)
	}
	if a := h2.actions(); len(a) != 1 || a[0].Request.Lead == nil || a[0].Request.Lead.Unit != "Phòng Kế hoạch" || a[0].Request.Due != nil {
		t.Fatalf("queued %+v", a)
	}
}

func TestOfficerProgressAndRefusal(t *testing.T) {
	h := newHarness(t, workStore(t), officer)
	h.selectItem("c-assigned")
	if d := h.detail(); !strings.Contains(d, "Tham mưu trả lời trước ngày 09/3") || !strings.Contains(d, "Trần Thị Chuyên") {
		t.Errorf("assignment not shown:\n%s", d)
	}
	f := h.press(protocol.ActionProgress)
	f.fields["text"].(*widget.Entry).SetText("Đang tổng hợp số liệu")
	if err := f.submit(); err != nil {
		t.Fatal(err)
	}
	a := h.actions()
	want := protocol.ActionRequest{Action: protocol.ActionProgress, CaseID: "c-assigned", Text: "Đang tổng hợp số liệu"}
	if len(a) != 1 || !sameRequest(a[0].Request, want) {
		t.Fatalf("queued %+v", a)
	}
	// The server refused it for good (engine.Failed, Permanent): the
	// reason shows with Bỏ, which drops the action.
	if err := h.st.ActionFailed(a[0].ClientActionID, "forbidden", "progress: only the leader or the case's assignees"); err != nil {
		t.Fatal(err)
	}
	h.scr.OnActed()
	if d := h.detail(); !strings.Contains(d, "Máy chủ không nhận “đang xử lý”: progress: only the leader or the case's assignees") {
		t.Errorf("refusal not shown:\n%s", d)
	}
	drop := h.scr.buttons["drop:"+a[0].ClientActionID]
	if drop == nil {
		t.Fatal("no Bỏ button")
	}
	test.Tap(drop)
	if n := len(h.actions()); n != 0 {
		t.Errorf("%d actions after Bỏ", n)
	}
	if d := h.detail(); strings.Contains(d, "Máy chủ không nhận") {
		t.Errorf("refusal still shown after Bỏ:\n%s", d)
	}
}

// Hoàn thành by the lead: an empty one is refused; the result file goes
// into the cache and is named in Files.
func TestOfficerDoneWithResult(t *testing.T) {
	st := workStore(t)
	c, err := st.Case("c-assigned")
	if err != nil {
		t.Fatal(err)
	}
	c.Stage, c.Version = protocol.StageProcessing, c.Version+1
	if err := st.PutCases([]protocol.Case{c}); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, st, officer)
	h.selectItem("c-assigned")
	f := h.press(protocol.ActionDone)
	if err := f.submit(); err == nil {
		t.Error("done with no note and no file")
	}
	f.fields["file"].(*widget.Entry).SetText(filepath.Join(t.TempDir(), "missing.pdf"))
	if err := f.submit(); err == nil {
		t.Error("done with a file that does not exist")
	}
	path := filepath.Join(t.TempDir(), "ket-qua.pdf")
	if err := os.WriteFile(path, []byte("%PDF-1.7 kết quả"), 0o644); err != nil {
		t.Fatal(err)
	}
	f.fields["file"].(*widget.Entry).SetText(path)
	if err := f.submit(); err != nil {
		t.Fatal(err)
	}
	a := h.actions()
	if len(a) != 1 || a[0].Request.Action != protocol.ActionDone || len(a[0].Request.Files) != 1 || !st.HasBlob(a[0].Request.Files[0]) {
		t.Fatalf("queued %+v", a)
	}
}

// The staff shown offline is the last the server gave.
func TestStaffCacheOffline(t *testing.T) {
	var fail bool
	c := &StaffCache{Fetch: func(context.Context) ([]protocol.User, error) {
		if fail {
			return nil, errors.New("network down")
		}
		return staff, nil
	}}
	if _, err := c.Staff(context.Background()); err != nil {
		t.Fatal(err)
	}
	fail = true
	users, err := c.Staff(context.Background())
	if err == nil || len(users) != len(staff) || users[0].ID != "leader" {
		t.Fatalf("offline: %v %v", users, err)
	}
	empty := &StaffCache{Fetch: c.Fetch}
	if users, err := empty.Staff(context.Background()); err == nil || users != nil {
		t.Fatalf("never answered: %v %v", users, err)
	}
}

// English is available: the same row in English.
func TestScreenEnglish(t *testing.T) {
	i18n.SetLang(i18n.English)
	t.Cleanup(func() { i18n.SetLang(i18n.Vietnamese) })
	h := newHarness(t, workStore(t), clerk)
	r := h.row("m-new")
	for _, want := range []string{"Flash", "Awaiting registration · to register", "Due 11/03/2026 (due soon)"} {
		if !contains(r, want) {
			t.Errorf("English row %q lacks %q", r, want)
		}
	}
	h.selectItem("m-new")
	if b := h.scr.buttons[protocol.ActionRegister]; b == nil || b.Text != "Register" {
		t.Errorf("English register button %v", b)
	}
}
