package app

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/vanthuso/vanthu/app/exchange/exchangetest"
	"github.com/vanthuso/vanthu/app/work"
	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/sync/engine"
	"github.com/vanthuso/vanthu/sync/protocol"
	"github.com/vanthuso/vanthu/sync/store"
)

// fakeEngine stands in for the sync engine: the test sends its events.
type fakeEngine struct {
	mu       sync.Mutex
	ch       chan engine.Event
	syncs    int
	sessions []protocol.Session
}

func newFakeEngine() *fakeEngine { return &fakeEngine{ch: make(chan engine.Event, 16)} }

func (f *fakeEngine) Subscribe() (<-chan engine.Event, func()) {
	var once sync.Once
	return f.ch, func() { once.Do(func() { close(f.ch) }) }
}
func (f *fakeEngine) SyncNow() { f.mu.Lock(); f.syncs++; f.mu.Unlock() }
func (f *fakeEngine) SetSession(s protocol.Session) {
	f.mu.Lock()
	f.sessions = append(f.sessions, s)
	f.mu.Unlock()
}
func (f *fakeEngine) State() engine.State { return engine.State{} }

func (f *fakeEngine) count() (syncs, sessions int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.syncs, len(f.sessions)
}

// TestMainWindowExchange: the sync state is always in the status bar,
// new documents are announced and counted on the inbox button, the inbox
// opens as a tab and its document in the reader, NeedLogin asks for a
// sign-in, "Đồng bộ ngay" wakes the engine; the window fits 1366×768.
func TestMainWindowExchange(t *testing.T) {
	st := exchangetest.OpenStore(t)
	fe := newFakeEngine()
	session := protocol.Session{Token: "t", ExpiresAt: time.Now().Add(time.Hour),
		User: protocol.User{Name: "Phạm Văn Thư", Agency: edoc.Organ{OrganID: "000.00.01.H41", OrganName: "Sở Tài chính tỉnh Nghệ An"}}}
	mw, q, _ := newTestMainWindow(t, Options{Size: fyne.NewSize(1366, 768), Exchange: &Exchange{Store: st, Engine: fe, Session: &session}}, 3)
	var notes []*fyne.Notification
	var logins []string
	mw.x.notify = func(n *fyne.Notification) { notes = append(notes, n) }
	mw.x.showLogin = func(reason string) { logins = append(logins, reason) }
	q.settle()
	if _, n := fe.count(); n != 1 {
		t.Errorf("the saved session was given to the engine %d times", n)
	}
	if got := mw.x.syncText.Text; got != "Ngoại tuyến" {
		t.Errorf("status before any sync: %q", got)
	}

	fe.ch <- engine.State{Online: true, LastSync: time.Date(2026, 3, 9, 1, 30, 0, 0, time.UTC), Pending: 2, Failed: 1}
	q.until(t, "state shown", func() bool { return strings.HasPrefix(mw.x.syncText.Text, "Trực tuyến") })
	if got := mw.x.syncText.Text; got != "Trực tuyến · đồng bộ lúc 09/03/2026 08:30 · chờ gửi 2 · 1 gửi thất bại" {
		t.Errorf("status %q", got)
	}
	long := &engine.Reason{Vi: strings.Repeat("Không kết nối được máy chủ. ", 20)}
	fe.ch <- engine.State{LastError: long}
	q.until(t, "offline", func() bool { return strings.HasPrefix(mw.x.syncText.Text, "Ngoại tuyến · Không kết nối") })
	if n := len([]rune(mw.x.syncText.Text)); n > maxStateRunes {
		t.Errorf("a long reason makes the status %d characters long", n)
	}
	fe.ch <- engine.State{Online: true, Syncing: true}
	q.until(t, "syncing", func() bool { return strings.Contains(mw.x.syncText.Text, "Đang đồng bộ…") })

	// A document arrives.
	sha, size := exchangetest.PutBlob(t, st, []byte("%PDF-1.7\n%%EOF\n"))
	exchangetest.Receive(t, st, protocol.Message{ID: "m1", From: edoc.Organ{OrganID: "000.00.00.H41", OrganName: "UBND tỉnh Nghệ An"},
		AcceptedAt: time.Date(2026, 3, 9, 2, 0, 0, 0, time.UTC),
		Document: edoc.Document{Code: edoc.Code{CodeNumber: "05", CodeNotation: "QĐ-UBND"}, Subject: "Về việc giao chỉ tiêu",
			Attachments: []edoc.Attachment{{Role: edoc.RoleMain, Name: "05.pdf", ContentType: "application/pdf", SHA256: sha, Size: size}}}})
	fe.ch <- engine.Received{Keys: []string{"m1"}}
	q.until(t, "announced", func() bool { return len(notes) == 1 && mw.x.inboxBtn.Text == "Văn bản đến (1)" })
	if notes[0].Title != "Văn bản đến mới" || notes[0].Content != "UBND tỉnh Nghệ An: 05/QĐ-UBND Về việc giao chỉ tiêu" {
		t.Errorf("notification %q: %q", notes[0].Title, notes[0].Content)
	}

	// The inbox tab, then the document in the reader.
	test.Tap(mw.x.inboxBtn)
	q.until(t, "inbox rows", func() bool { return mw.x.inbox != nil && mw.currentDoc() == nil && len(mw.tabs.Items) == 1 })
	q.settle()
	mw.x.inbox.Reload()
	q.settle()
	test.Tap(mw.x.sendBtn) // the send dialog opens over the window
	q.settle()
	if mw.win.Canvas().Overlays().Top() == nil {
		t.Error("Gửi văn bản shows no dialog")
	} else {
		mw.win.Canvas().Overlays().Top().Hide()
	}
	mw.openDocument(st.BlobPath(sha), "05/QĐ-UBND")
	if v := mw.currentDoc(); v == nil || v.title != "05/QĐ-UBND" {
		t.Errorf("the document did not open in the reader")
	}

	// The session expired.
	fe.ch <- engine.State{NeedLogin: true}
	q.until(t, "sign-in asked", func() bool { return len(logins) == 1 })
	if !strings.Contains(logins[0], "Phiên làm việc với máy chủ đã hết hạn") || mw.x.syncText.Text != "Chưa đăng nhập máy chủ" {
		t.Errorf("reason %q, status %q", logins[0], mw.x.syncText.Text)
	}
	test.Tap(mw.x.syncBtn) // signed out: asks for the sign-in again
	if len(logins) != 2 {
		t.Errorf("sync now while signed out: %d sign-in requests", len(logins))
	}
	mw.x.onSignedIn("http://127.0.0.1:1", session)
	test.Tap(mw.x.syncBtn)
	if syncs, sessions := fe.count(); syncs != 1 || sessions != 2 {
		t.Errorf("after signing in: %d syncs, %d sessions", syncs, sessions)
	}
	if m := mw.win.Content().MinSize(); m.Width > 1366 || m.Height > 768 {
		t.Errorf("the window needs %v: more than 1366×768", m)
	}
}

// The Việc của tôi tab of a clerk: the arrived document is there with
// Vào sổ; registering it queues the action in the cache and asks for a
// sync; engine.Acted (the server gave số 01) shows the case registered.
func TestMainWindowWorkTab(t *testing.T) {
	st := exchangetest.OpenStore(t)
	fe := newFakeEngine()
	clerk := protocol.User{ID: "u-clerk", Name: "Phạm Văn Thư", Roles: []protocol.Role{protocol.RoleClerk},
		Agency: edoc.Organ{OrganID: "000.00.01.H41", OrganName: "Sở Tài chính tỉnh Nghệ An"}}
	session := protocol.Session{Token: "t", ExpiresAt: time.Now().Add(time.Hour), User: clerk}
	x := &Exchange{Store: st, Engine: fe, Session: &session, Staff: func(context.Context) ([]protocol.User, error) {
		return []protocol.User{{ID: "u-leader", Name: "Nguyễn Văn Lãnh", Roles: []protocol.Role{protocol.RoleLeader}}}, nil
	}}
	mw, q, _ := newTestMainWindow(t, Options{Size: fyne.NewSize(1366, 768), Exchange: x}, 3)
	mw.x.notify = func(*fyne.Notification) {}
	q.settle()
	exchangetest.Receive(t, st, protocol.Message{ID: "m1", From: edoc.Organ{OrganID: "000.00.00.H41", OrganName: "UBND tỉnh Nghệ An"},
		AcceptedAt: time.Date(2026, 3, 9, 2, 0, 0, 0, time.UTC),
		Document:   edoc.Document{Code: edoc.Code{CodeNumber: "05", CodeNotation: "QĐ-UBND"}, Subject: "Về việc giao chỉ tiêu"}})
	mw.x.onWork()
	q.settle()
	scr := mw.x.work
	if scr == nil || mw.tabs.Selected() != mw.x.workTab || mw.x.workTab.Text != "Việc của tôi" {
		t.Fatal("Việc của tôi did not open")
	}
	items := scr.Items()
	if len(items) != 1 || items[0].Key != "m1" || items[0].Why != work.WhyToRegister {
		t.Fatalf("clerk's work %+v", items)
	}
	if err := st.QueueAction(store.ActionEntry{ClientActionID: protocol.NewClientID(),
		Request: protocol.ActionRequest{Action: protocol.ActionRegister, CaseID: "m1"}}); err != nil {
		t.Fatal(err)
	}
	fe.ch <- engine.Failed{Key: "x"} // any action event reads the cache again
	q.until(t, "chờ cấp số", func() bool { return len(scr.Items()) == 1 && scr.Items()[0].PendingNumber })
	acts, _ := st.Actions()
	c := protocol.Case{ID: "m1", Kind: protocol.CaseIncoming, Stage: protocol.StageRegistered, Version: 1, Updated: time.Now(),
		Entry: &edoc.RegisterEntry{Kind: edoc.RegisterIncoming, Number: "01", Registered: time.Now()}}
	if err := st.ActionDone(acts[0].ClientActionID, protocol.ActionAnswer{Case: c}); err != nil {
		t.Fatal(err)
	}
	fe.ch <- engine.Acted{Key: acts[0].ClientActionID, Action: protocol.ActionRegister, Case: c}
	q.until(t, "registered", func() bool {
		it := scr.Items()
		return len(it) == 1 && it[0].Stage == protocol.StageRegistered && !it[0].PendingNumber
	})
	if m := mw.win.Content().MinSize(); m.Width > 1366 || m.Height > 768 {
		t.Errorf("the window needs %v: more than 1366×768", m)
	}
	// The tab closes like the others.
	if !mw.x.closeTab(mw.x.workTab) || mw.x.work != nil {
		t.Error("the work tab did not close")
	}
}

// TestOutboxFollowsStatuses: statuses the feed brings for a sent
// document (engine.StatusesChanged) show in an open Văn bản đi at once.
func TestOutboxFollowsStatuses(t *testing.T) {
	st := exchangetest.OpenStore(t)
	fe := newFakeEngine()
	session := protocol.Session{Token: "t", ExpiresAt: time.Now().Add(time.Hour),
		User: protocol.User{Name: "Phạm Văn Thư", Agency: edoc.Organ{OrganID: "000.00.00.H41", OrganName: "UBND tỉnh Nghệ An"}}}
	mw, q, _ := newTestMainWindow(t, Options{Size: fyne.NewSize(1366, 768), Exchange: &Exchange{Store: st, Engine: fe, Session: &session}}, 3)
	sha, size := exchangetest.PutBlob(t, st, []byte("%PDF-1.7 công văn\n%%EOF\n"))
	d := edoc.Document{From: session.User.Agency, To: []edoc.Organ{{OrganID: "000.00.01.H41", OrganName: "Sở Tài chính tỉnh Nghệ An"}},
		Code: edoc.Code{CodeNumber: "05", CodeNotation: "QĐ-UBND"}, Subject: "Về việc giao chỉ tiêu",
		Attachments: []edoc.Attachment{{Role: edoc.RoleMain, Name: "05.pdf", ContentType: "application/pdf", SHA256: sha, Size: size}}}
	id := protocol.NewClientID()
	if err := st.Queue(d, id); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 9, 1, 0, 0, 0, time.UTC)
	if err := st.MarkSent(id, protocol.SendAnswer{MessageID: "srv1", ClientMsgID: id, AcceptedAt: at,
		Deliveries: []protocol.Delivery{{OrganID: "000.00.01.H41", UpdatedAt: at}}}); err != nil {
		t.Fatal(err)
	}
	mw.x.onOutbox()
	q.until(t, "the outbox lists the document", func() bool { return strings.Contains(drawnLabels(mw.x.outTab.Content), "Đã gửi") })
	if strings.Contains(drawnLabels(mw.x.outTab.Content), "đã đến 1/1 nơi") {
		t.Fatal("arrived before any status")
	}
	ev := protocol.StatusEvent{MessageID: "srv1", OrganID: "000.00.01.H41", Status: edoc.StatusArrived, At: at.Add(time.Minute), Automatic: true}
	if _, err := st.Apply([]protocol.Change{{Kind: protocol.ChangeStatus, MessageID: "srv1", At: ev.At, Status: &ev}}, "c1"); err != nil {
		t.Fatal(err)
	}
	fe.ch <- engine.StatusesChanged{MessageIDs: []string{"srv1"}}
	q.until(t, "the recipient's 01 shown", func() bool {
		return strings.Contains(drawnLabels(mw.x.outTab.Content), "Đã gửi · đã đến 1/1 nơi")
	})
}

// drawnLabels is the text of every label drawn under o, into widgets
// (a list's rows) through their renderers.
func drawnLabels(o fyne.CanvasObject) string {
	var b strings.Builder
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *widget.Label:
			b.WriteString(x.Text + "\n")
		case *fyne.Container:
			for _, c := range x.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(x).Objects() {
				walk(c)
			}
		}
	}
	walk(o)
	return b.String()
}

// TestWorkTabApproveSigns: the leader's Ký duyệt in Việc của tôi opens
// the main window's signing dialog on a copy of the draft, and the
// signed copy it gives back is queued as the approval's file.
func TestWorkTabApproveSigns(t *testing.T) {
	st := exchangetest.OpenStore(t)
	leader := protocol.User{ID: "u-leader", Name: "Nguyễn Văn Lãnh", Roles: []protocol.Role{protocol.RoleLeader},
		Agency: edoc.Organ{OrganID: "000.00.01.H41", OrganName: "Sở Tài chính tỉnh Nghệ An"}}
	session := protocol.Session{Token: "t", ExpiresAt: time.Now().Add(time.Hour), User: leader}
	mw, q, sui := newTestMainWindow(t, Options{Size: fyne.NewSize(1366, 768), Exchange: &Exchange{Store: st, Engine: newFakeEngine(), Session: &session}}, 3)
	mw.x.notify = func(*fyne.Notification) {}
	draft := []byte("%PDF-1.7 dự thảo\n%%EOF\n")
	sha, size := exchangetest.PutBlob(t, st, draft)
	c := protocol.Case{ID: "d-1", Kind: protocol.CaseOutgoing, Stage: protocol.StagePresented, PresentedTo: "u-leader", Version: 1, Updated: time.Now(),
		Document: edoc.Document{Subject: "Dự thảo công văn", Attachments: []edoc.Attachment{{Role: edoc.RoleMain, Name: "du-thao.pdf", SHA256: sha, Size: size}}}}
	if err := st.PutCases([]protocol.Case{c}); err != nil {
		t.Fatal(err)
	}
	q.settle()
	mw.x.onWork()
	q.settle()
	if !mw.x.work.Select("d-1") {
		t.Fatalf("no draft in %+v", mw.x.work.Items())
	}
	q.settle()
	var b *widget.Button
	exchangetest.WalkRendered(mw.x.workTab.Content, func(o fyne.CanvasObject) {
		if x, ok := o.(*widget.Button); ok && x.Text == "Ký duyệt" && b == nil {
			b = x
		}
	})
	if b == nil {
		t.Fatal("no Ký duyệt button")
	}
	test.Tap(b)
	if len(sui.signed) != 1 || sui.done == nil {
		t.Fatalf("signing dialog opened on %v", sui.signed)
	}
	if got, _ := os.ReadFile(sui.signed[0]); string(got) != string(draft) {
		t.Fatalf("the dialog got %q", got)
	}
	out := filepath.Join(t.TempDir(), "du-thao (đã ký).pdf")
	if err := os.WriteFile(out, append(draft, "% chữ ký\n"...), 0o600); err != nil {
		t.Fatal(err)
	}
	sui.done(out)
	acts, _ := st.Actions()
	if len(acts) != 1 || acts[0].Request.Action != protocol.ActionApprove || len(acts[0].Request.Files) != 1 || acts[0].Request.Files[0] == sha {
		t.Fatalf("queued %+v", acts)
	}
}

// TestOutboxRevokeQueues13: a clerk's Thu hồi queues status 13 for the
// sent message; an officer (whom the server refuses) is not offered it.
func TestOutboxRevokeQueues13(t *testing.T) {
	for _, role := range []protocol.Role{protocol.RoleClerk, protocol.RoleOfficer} {
		st := exchangetest.OpenStore(t)
		session := protocol.Session{Token: "t", ExpiresAt: time.Now().Add(time.Hour),
			User: protocol.User{ID: "u", Name: "Phạm Văn Thư", Roles: []protocol.Role{role}, Agency: edoc.Organ{OrganID: "000.00.00.H41"}}}
		fe := newFakeEngine()
		mw, q, _ := newTestMainWindow(t, Options{Size: fyne.NewSize(1366, 768), Exchange: &Exchange{Store: st, Engine: fe, Session: &session}}, 3)
		q.settle()
		mw.x.onOutbox()
		q.settle()
		if got := mw.x.outbox != nil && mw.x.outbox.CanRevoke(); got != (role == protocol.RoleClerk) {
			t.Errorf("%s: Thu hồi offered %v", role, got)
		}
		if role != protocol.RoleClerk {
			continue
		}
		if err := mw.x.onRevoke(store.Document{MessageID: "srv-1"}, "Sai sót số liệu"); err != nil {
			t.Fatal(err)
		}
		p, err := st.PendingStatuses()
		if err != nil || len(p) != 1 || p[0].MessageID != "srv-1" || p[0].Request.Status != edoc.StatusRevokeRequest || p[0].Request.Description != "Sai sót số liệu" {
			t.Errorf("queued %+v, %v", p, err)
		}
	}
}
