package app

import (
	"context"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/vanthuso/vanthu/app/exchange"
	"github.com/vanthuso/vanthu/app/i18n"
	"github.com/vanthuso/vanthu/app/inbox"
	"github.com/vanthuso/vanthu/app/login"
	"github.com/vanthuso/vanthu/app/outbox"
	"github.com/vanthuso/vanthu/app/send"
	"github.com/vanthuso/vanthu/app/work"
	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/sync/engine"
	"github.com/vanthuso/vanthu/sync/protocol"
	"github.com/vanthuso/vanthu/sync/store"
)

// Exchange connects the main window to the exchange between agencies:
// the client cache, the sync engine, the agency directory and the
// server's sign-in. cmd/vanthu makes them (and runs the engine); the
// window reads and drives them. nil Options.Exchange: the window is the
// reader alone.
type Exchange struct {
	Store  *store.Store
	Engine SyncEngine
	// Directory is where the send dialog's recipients come from; nil
	// offers none.
	Directory *edoc.Directory
	// Address is the server's address (the last one signed in to).
	Address string
	// Login signs in to the server at an address (a sync/client for it,
	// then Client.Login).
	Login login.LoginFunc
	// Session is a session still valid from an earlier sign-in, if any.
	Session *protocol.Session
	// OnSignedIn is called on the UI goroutine after a sign-in (to save
	// the address); may be nil.
	OnSignedIn func(address string, s protocol.Session)
	// Staff lists the signed-in user's agency's enabled users (GET
	// /v1/staff: whom to present to or assign); nil offers none. The
	// Việc của tôi screen keeps its last answer for offline use.
	Staff func(ctx context.Context) ([]protocol.User, error)
}

// SyncEngine is the part of *engine.Engine the window uses.
type SyncEngine interface {
	Subscribe() (<-chan engine.Event, func())
	SyncNow()
	SetSession(protocol.Session)
	State() engine.State
}

var _ SyncEngine = (*engine.Engine)(nil)

// exchangeUI is the main window's part of the exchange: the Văn bản đến
// and Văn bản đi tabs, the send dialog, the sign-in, the sync state in
// the status bar, and the announcement of new documents.
type exchangeUI struct {
	mw *mainWindow
	x  *Exchange

	inbox    *inbox.Screen
	outbox   *outbox.Screen
	inboxTab *container.TabItem
	outTab   *container.TabItem
	// work is the Việc của tôi screen and workTab its tab (nil until
	// opened; closed on a change of user or language).
	work      *work.Screen
	workTab   *container.TabItem
	book      *work.Book
	bookTab   *container.TabItem
	reminders work.Reminders

	inboxBtn *widget.Button
	sendBtn  *widget.Button
	syncIcon *widget.Icon
	syncText *widget.Label
	syncBtn  *widget.Button
	state    engine.State
	unread   int
	session  *protocol.Session
	loginDlg *login.Dialog
	cancel   func() // ends the subscription
	gen      int    // counts subscriptions: a replaced one's late events are dropped

	// notReady, when set, is the content of the tabs without a cache
	// (exchangeLink: how to configure the server or sign in).
	notReady func() fyne.CanvasObject

	// showLogin opens the sign-in dialog; tests replace it.
	showLogin func(reason string)
	// notify shows a system notification; tests replace it.
	notify func(n *fyne.Notification)
}

func newExchangeUI(mw *mainWindow, x *Exchange) *exchangeUI {
	e := &exchangeUI{mw: mw, x: x, session: x.Session}
	e.showLogin = e.openLogin
	e.notify = mw.app.SendNotification
	return e
}

// start subscribes to the engine's events (once).
func (e *exchangeUI) start() {
	if e.x.Engine == nil || e.cancel != nil {
		return
	}
	ch, cancel := e.x.Engine.Subscribe()
	e.cancel = cancel
	gen := e.gen
	go func() {
		for ev := range ch {
			runOnUI(func() {
				if e.gen == gen {
					e.onSyncEvent(ev)
				}
			})
		}
	}()
	if e.session != nil {
		e.x.Engine.SetSession(*e.session)
	}
	e.refreshCounts()
}

// stop ends the subscription.
func (e *exchangeUI) stop() {
	if e.cancel != nil {
		e.cancel()
	}
	if e.loginDlg != nil {
		d := e.loginDlg
		e.loginDlg = nil
		go d.Close()
	}
}

// toolbar is the exchange's part of the toolbar.
func (e *exchangeUI) toolbar() []fyne.CanvasObject {
	e.inboxBtn = widget.NewButtonWithIcon(e.inboxLabel(), theme.MailComposeIcon(), e.onInbox)
	e.inboxBtn.Importance = widget.LowImportance
	out := widget.NewButtonWithIcon(i18n.T("app.x.outbox"), theme.MailSendIcon(), e.onOutbox)
	out.Importance = widget.LowImportance
	e.sendBtn = widget.NewButtonWithIcon(i18n.T("app.x.send"), theme.MailForwardIcon(), e.onSend)
	e.sendBtn.Importance = widget.LowImportance
	// Text alone: the toolbar must fit 1366 px; Sổ văn bản opens from
	// the Việc của tôi tab.
	mine := widget.NewButton(i18n.T("work.tab"), e.onWork)
	mine.Importance = widget.LowImportance
	return []fyne.CanvasObject{mine, e.inboxBtn, out, e.sendBtn, widget.NewSeparator()}
}

func (e *exchangeUI) inboxLabel() string {
	if e.unread > 0 {
		return i18n.T("app.x.inbox-unread", e.unread)
	}
	return i18n.T("app.x.inbox")
}

// statusBar is the always-visible sync state with "Đồng bộ ngay".
func (e *exchangeUI) statusBar() fyne.CanvasObject {
	e.syncIcon = widget.NewIcon(nil)
	e.syncText = widget.NewLabel("")
	e.syncBtn = widget.NewButtonWithIcon(i18n.T("app.x.sync-now"), theme.ViewRefreshIcon(), e.onSyncNow)
	e.syncBtn.Importance = widget.LowImportance
	if e.x.Engine != nil {
		e.state = e.x.Engine.State()
	}
	e.showState()
	// At the top of the status bar, however tall the token status makes
	// it (several tokens plugged in).
	return container.NewVBox(container.NewHBox(e.syncIcon, e.syncText, e.syncBtn))
}

// stateText is how the sync state reads in the status bar.
func stateText(s engine.State, signedIn bool) (string, fyne.Resource) {
	var parts []string
	var icon fyne.Resource = theme.NewSuccessThemedResource(theme.ConfirmIcon())
	switch {
	case s.NeedLogin || !signedIn:
		parts = append(parts, i18n.T("app.x.signed-out"))
		icon = theme.NewWarningThemedResource(theme.AccountIcon())
	case s.Online:
		parts = append(parts, i18n.T("app.x.online"))
	default:
		parts = append(parts, i18n.T("app.x.offline"))
		icon = theme.NewErrorThemedResource(theme.WarningIcon())
	}
	if s.Syncing {
		parts = append(parts, i18n.T("app.x.syncing"))
	} else if !s.LastSync.IsZero() {
		parts = append(parts, i18n.T("app.x.last-sync", exchange.FormatTime(s.LastSync)))
	}
	if s.Pending > 0 {
		parts = append(parts, i18n.T("app.x.pending", s.Pending))
	}
	if s.Failed > 0 {
		parts = append(parts, i18n.T("app.x.failed", s.Failed))
	}
	if s.LastError != nil && !s.Online {
		r := s.LastError.Vi
		if i18n.Current() == i18n.English {
			r = s.LastError.En
		}
		parts = append(parts, r)
	}
	if s.ClockSkew > 5*time.Minute || s.ClockSkew < -5*time.Minute {
		parts = append(parts, i18n.T("app.x.skew", int(s.ClockSkew.Round(time.Minute).Minutes())))
	}
	text := strings.Join(parts, " · ")
	if r := []rune(text); len(r) > maxStateRunes {
		text = string(r[:maxStateRunes-1]) + "…" // the status bar must not outgrow the window
	}
	return text, icon
}

// maxStateRunes bounds the sync state's text in the status bar.
const maxStateRunes = 90

func (e *exchangeUI) showState() {
	if e.syncText == nil {
		return
	}
	text, icon := stateText(e.state, e.session != nil)
	e.syncText.SetText(text)
	e.syncIcon.SetResource(icon)
	if e.mw.statusBar != nil {
		e.mw.statusBar.Refresh() // the status bar lays out the new text's width
	}
}

// onSyncEvent takes one engine event on the UI goroutine.
func (e *exchangeUI) onSyncEvent(ev engine.Event) {
	switch ev.(type) {
	case engine.Acted, engine.Failed, engine.CasesChanged, engine.Received:
		if e.work != nil {
			e.work.Reload()
		}
		if e.book != nil {
			e.book.Reload()
		}
	}
	switch ev := ev.(type) {
	case engine.State:
		needed := ev.NeedLogin && !e.state.NeedLogin
		e.state = ev
		e.showState()
		if needed {
			e.onNeedLogin()
		}
	case engine.Progress:
		if ev.Direction == engine.Up && e.outbox != nil {
			e.outbox.ShowProgress(ev.Key, ev.SHA256, ev.Done)
		}
	case engine.Sent:
		if e.outbox != nil {
			e.outbox.ShowSent(ev.Key)
		}
		e.refreshCounts()
	case engine.Failed:
		if ev.Permanent {
			if e.outbox != nil {
				e.outbox.ShowFailed(ev.Key)
			}
			e.mw.setStatus(i18n.T("app.x.send-failed", syncReasonText(ev.Reason)))
		}
		e.refreshCounts()
	case engine.Received:
		if e.inbox != nil {
			e.inbox.Reload()
		}
		e.announce(ev.Keys)
		e.refreshCounts()
	case engine.StatusesChanged:
		if e.outbox != nil {
			e.outbox.Reload() // each recipient's latest status
		}
		if e.inbox != nil {
			e.inbox.Reload()
		}
	case engine.NeedLogin:
		e.onNeedLogin()
	}
}

func syncReasonText(r engine.Reason) string {
	if i18n.Current() == i18n.English {
		return r.En
	}
	return r.Vi
}

// announce tells the user documents arrived: a notification, the status
// line, the count on the inbox button.
func (e *exchangeUI) announce(keys []string) {
	if len(keys) == 0 {
		return
	}
	body := i18n.T("app.x.new-many", len(keys))
	if len(keys) == 1 && e.x.Store != nil {
		if d, err := e.x.Store.Get(keys[0]); err == nil {
			body = i18n.T("app.x.new-one", exchange.OrganName(d.From), strings.TrimSpace(d.Doc.Code.String()+" "+d.Doc.Subject))
		}
	}
	e.notify(fyne.NewNotification(i18n.T("app.x.new-title"), body))
	e.mw.setStatus(body)
}

// refreshCounts reads the unread count for the inbox button.
func (e *exchangeUI) refreshCounts() {
	st := e.x.Store
	if st == nil {
		return
	}
	go func() {
		c, err := st.Counts()
		if err != nil {
			return
		}
		runOnUI(func() { e.showCounts(c) })
	}()
}

func (e *exchangeUI) showCounts(c store.Counts) {
	e.unread = c.InboxUnread
	if e.inboxBtn != nil {
		e.inboxBtn.SetText(e.inboxLabel())
	}
	if e.inboxTab != nil {
		e.inboxTab.Text = e.inboxLabel()
		e.mw.tabs.Refresh()
	}
}

func (e *exchangeUI) onNeedLogin() {
	e.session = nil
	e.showState()
	e.showLogin(i18n.T("app.x.session-expired"))
}

// openLogin shows the sign-in dialog, unless it is shown.
func (e *exchangeUI) openLogin(reason string) {
	if e.loginDlg != nil || e.x.Login == nil {
		return
	}
	e.loginDlg = login.Show(e.mw.win, login.Options{Address: e.x.Address, Reason: reason, Sign: e.mw.signConfig(),
		Login: e.x.Login, Do: runOnUI, OnSignedIn: e.onSignedIn})
	d := e.loginDlg
	go func() {
		<-d.Done() // closed by the user or a sign-in, the token released
		runOnUI(func() {
			if e.loginDlg == d {
				e.loginDlg = nil
			}
		})
	}()
}

func (e *exchangeUI) onSignedIn(addr string, s protocol.Session) {
	e.session = &s
	e.x.Address = addr
	if e.x.Engine != nil {
		e.x.Engine.SetSession(s)
	}
	if e.x.OnSignedIn != nil {
		e.x.OnSignedIn(addr, s)
	}
	e.showState()
	e.mw.setStatus(i18n.T("app.x.signed-in", s.User.Name, s.User.Agency.OrganName))
}

func (e *exchangeUI) onSyncNow() {
	if e.session == nil {
		e.showLogin("")
		return
	}
	if e.x.Engine != nil {
		e.x.Engine.SyncNow()
	}
}

// openTab shows it, adding it to the tabs when it is not there.
func (e *exchangeUI) openTab(it *container.TabItem) {
	for _, x := range e.mw.tabs.Items {
		if x == it {
			e.mw.tabs.Select(it)
			return
		}
	}
	e.mw.tabs.Append(it)
	e.mw.tabs.Select(it)
	e.mw.fillCenter()
}

func (e *exchangeUI) onInbox() {
	if e.x.Store == nil {
		if e.inboxTab == nil {
			e.inboxTab = e.placeholderTab(e.inboxLabel(), theme.MailComposeIcon())
		}
		e.openTab(e.inboxTab)
		return
	}
	if e.inbox == nil {
		e.inbox = inbox.New(inbox.Options{Source: inbox.FromStore(e.x.Store), Window: e.mw.win, Do: runOnUI,
			Open:   func(path, title string) { e.mw.openDocument(path, title) },
			OnRead: func(string) { e.refreshCounts() }})
		e.inboxTab = container.NewTabItemWithIcon(e.inboxLabel(), theme.MailComposeIcon(), e.inbox.Build())
	}
	e.openTab(e.inboxTab)
}

// onWork opens the Việc của tôi tab of the signed-in user.
func (e *exchangeUI) onWork() {
	if e.x.Store == nil || e.session == nil {
		if e.workTab == nil {
			e.workTab = e.placeholderTab(i18n.T("work.tab"), theme.ListIcon())
		}
		e.openTab(e.workTab)
		if e.x.Store != nil {
			e.showLogin("")
		}
		return
	}
	if e.work == nil {
		o := work.Options{Store: e.x.Store, User: e.session.User, Window: e.mw.win, Do: runOnUI,
			OnReminders: e.remind, OpenBook: e.onBook, Sign: e.mw.signFile}
		if e.x.Staff != nil {
			o.Staff = (&work.StaffCache{Fetch: e.x.Staff}).Staff
		}
		if e.x.Engine != nil {
			o.SyncNow = e.x.Engine.SyncNow
		}
		scr := work.New(o)
		e.work = scr
		e.workTab = container.NewTabItemWithIcon(i18n.T("work.tab"), theme.ListIcon(), scr.Build())
		// Deadlines pass with no event: read again on a timer while
		// this screen is the one shown.
		go func() {
			tick := time.NewTicker(work.ReminderEvery)
			defer tick.Stop()
			for range tick.C {
				gone := false
				runOnUI(func() {
					if gone = e.work != scr; !gone {
						scr.Reload()
					}
				})
				if gone {
					return
				}
			}
		}()
	}
	e.openTab(e.workTab)
}

// onBook opens the Sổ văn bản tab.
func (e *exchangeUI) onBook() {
	if e.x.Store == nil {
		e.explainNotReady()
		return
	}
	if e.book == nil {
		e.book = work.NewBook(work.BookOptions{Options: work.Options{Store: e.x.Store, Window: e.mw.win},
			Agency: e.agency().OrganName})
		e.bookTab = container.NewTabItemWithIcon(i18n.T("work.book.tab"), theme.DocumentIcon(), e.book.Build())
	}
	e.openTab(e.bookTab)
}

// remind notifies what became due soon or overdue (work.Reminders gives
// each once per state).
func (e *exchangeUI) remind(items []work.Item) {
	for _, r := range e.reminders.Check(items, time.Now()) {
		title, body := work.ReminderText(r)
		e.notify(fyne.NewNotification(title, body))
	}
}

func (e *exchangeUI) onOutbox() {
	if e.x.Store == nil {
		if e.outTab == nil {
			e.outTab = e.placeholderTab(i18n.T("app.x.outbox"), theme.MailSendIcon())
		}
		e.openTab(e.outTab)
		return
	}
	if e.outbox == nil {
		o := outbox.Options{Source: outbox.FromStore(e.x.Store), Window: e.mw.win, Do: runOnUI, Resend: e.onResend}
		if e.session != nil && work.HasRole(e.session.User, protocol.RoleClerk, protocol.RoleLeader) {
			o.Revoke = e.onRevoke // the server lets only them ask (13)
		}
		e.outbox = outbox.New(o)
		e.outTab = container.NewTabItemWithIcon(i18n.T("app.x.outbox"), theme.MailSendIcon(), e.outbox.Build())
	}
	e.openTab(e.outTab)
}

func (e *exchangeUI) onSend() { e.showSend(nil) }

func (e *exchangeUI) onResend(d store.Document) {
	doc := d.Doc
	e.showSend(&doc)
}

// onRevoke queues the revocation request (13) of a sent document and
// asks the engine to send it now.
func (e *exchangeUI) onRevoke(d store.Document, reason string) error {
	err := e.x.Store.QueueStatus(store.StatusEntry{ClientStatusID: protocol.NewClientID(), MessageID: d.MessageID,
		Request: protocol.StatusRequest{Status: edoc.StatusRevokeRequest, Description: reason}})
	if err != nil {
		return err
	}
	if e.x.Engine != nil {
		e.x.Engine.SyncNow()
	}
	return nil
}

// agency is the signed-in user's agency, the sender of what is sent.
func (e *exchangeUI) agency() edoc.Organ {
	if e.session != nil {
		return e.session.User.Agency
	}
	return edoc.Organ{}
}

// showSend opens the send dialog, filled with prefill when given.
func (e *exchangeUI) showSend(prefill *edoc.Document) {
	if e.x.Store == nil {
		e.explainNotReady()
		return
	}
	var syncNow func()
	if e.x.Engine != nil {
		syncNow = e.x.Engine.SyncNow
	}
	d := send.Show(e.mw.win, send.Options{Store: e.x.Store, From: e.agency(), Directory: e.x.Directory,
		Verify: e.mw.svc.verify, SyncNow: syncNow, Do: runOnUI, Prefill: prefill,
		OnQueued: func(key string) {
			e.onOutbox()
			e.outbox.Reload()
			e.mw.setStatus(i18n.T("app.x.queued"))
		}})
	// The document in front of the user is the one to send (not a
	// signed revision the reader extracted).
	if v := e.mw.currentDoc(); v != nil && prefill == nil && filepath.Dir(v.path) != filepath.Clean(e.mw.svc.revisionsDir) {
		d.SetMain(v.path)
	}
}

// closeTab removes an exchange tab; false when it is none of them.
func (e *exchangeUI) closeTab(it *container.TabItem) bool {
	if it == nil || (it != e.inboxTab && it != e.outTab && it != e.workTab && it != e.bookTab) {
		return false
	}
	switch it {
	case e.workTab:
		e.work, e.workTab = nil, nil
	case e.bookTab:
		e.book, e.bookTab = nil, nil
	}
	e.mw.tabs.Remove(it)
	e.mw.fillCenter()
	return true
}

// open reports whether an exchange tab is shown.
func (e *exchangeUI) open() bool {
	in, out := e.tabsOpen()
	return in || out
}

// rebuilt makes the screens again after the window was rebuilt (a new
// language): the tabs that were open are opened again.
func (e *exchangeUI) rebuilt(inboxOpen, outboxOpen bool) {
	e.inbox, e.outbox, e.inboxTab, e.outTab = nil, nil, nil, nil
	e.work, e.workTab, e.book, e.bookTab = nil, nil, nil, nil
	if inboxOpen {
		e.onInbox()
	}
	if outboxOpen {
		e.onOutbox()
	}
}

// tabsOpen reports which exchange tabs are shown.
func (e *exchangeUI) tabsOpen() (inboxOpen, outboxOpen bool) {
	if e.mw.tabs == nil {
		return false, false
	}
	for _, it := range e.mw.tabs.Items {
		inboxOpen = inboxOpen || it == e.inboxTab
		outboxOpen = outboxOpen || it == e.outTab
	}
	return inboxOpen, outboxOpen
}
