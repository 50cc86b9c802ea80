package work

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/vanthuso/vanthu/app/exchange"
	"github.com/vanthuso/vanthu/app/i18n"
	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/signing/verify"
	"github.com/vanthuso/vanthu/sync/protocol"
	"github.com/vanthuso/vanthu/sync/store"
)

// InboxScan is how many of the newest inbox documents the clerk's list
// reads to find the arrived ones the server has no case for yet (such a
// document gets its case with the first sync after it arrived).
const InboxScan = 1000

// Options configure the "Việc của tôi" screen.
type Options struct {
	// Store is the signed-in user's client cache.
	Store *store.Store
	// User is the signed-in user (protocol.Session.User).
	User protocol.User
	// Staff lists the agency's users (whom to present to or assign);
	// it may answer from memory when offline. Nil: nobody to pick.
	Staff func(ctx context.Context) ([]protocol.User, error)
	// SyncNow asks the engine to push what was queued; may be nil.
	SyncNow func()
	// Window shows the dialogs and errors.
	Window fyne.Window
	// Do runs widget changes on the UI goroutine; nil is fyne.Do.
	Do exchange.Do
	// Now is the clock deadlines are judged by; nil is time.Now.
	Now func() time.Time
	// OnReminders is called (UI goroutine) with the list after each
	// reading, for Reminders.Check; may be nil.
	OnReminders func([]Item)
	// OpenBook opens the Sổ văn bản tab; nil shows no button for it.
	OpenBook func()
	// Sign opens the signing dialog (app/signui) on the PDF at path and
	// calls done with the signed copy's path (never on cancel): Ký
	// duyệt. Nil shows no Ký duyệt button.
	Sign func(path string, done func(signed string))
}

// ReminderEvery is how often the app reads the list again for the
// deadlines that passed with no sync event.
const ReminderEvery = 10 * time.Minute

// ReminderText is a reminder's notification: its title and body.
func ReminderText(r Reminder) (title, body string) {
	title = i18n.T("work.remind.soon")
	if r.State == DueOverdue {
		title = i18n.T("work.remind.overdue")
	}
	return title, i18n.T("work.remind.body", r.Subject, formatDate(r.Due))
}

// Screen is the "Việc của tôi" tab. Build it once; use it on the UI
// goroutine.
type Screen struct {
	o     Options
	do    exchange.Do
	items []Item
	cases []protocol.Case

	list    *widget.List
	detail  *fyne.Container
	empty   *widget.Label
	root    fyne.CanvasObject
	current string // the key of the item shown
	// buttons are the action buttons of the item shown, by action (tests).
	buttons map[string]*widget.Button
	// form is the action dialog opened last (tests fill and submit it).
	form *form
}

// New returns the screen; Build makes its widgets.
func New(o Options) *Screen {
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Screen{o: o, do: exchange.OrDo(o.Do), buttons: map[string]*widget.Button{}}
}

// Build returns the widget tree (once) and reads the cache.
func (s *Screen) Build() fyne.CanvasObject {
	if s.root != nil {
		return s.root
	}
	s.list = widget.NewList(func() int { return len(s.items) }, newItemRow, func(i widget.ListItemID, o fyne.CanvasObject) {
		if i < len(s.items) {
			s.fillRow(s.items[i], o.(*itemRow))
		}
	})
	s.list.OnSelected = func(i widget.ListItemID) {
		if i < len(s.items) {
			s.show(s.items[i].Key)
		}
	}
	s.empty = widget.NewLabel(i18n.T("work.empty"))
	s.detail = container.NewStack(widget.NewLabel(i18n.T("work.pick")))
	left := fyne.CanvasObject(container.NewStack(s.list, container.NewCenter(s.empty)))
	if s.o.OpenBook != nil {
		book := widget.NewButtonWithIcon(i18n.T("work.book.tab"), theme.DocumentIcon(), s.o.OpenBook)
		left = container.NewBorder(container.NewHBox(book), nil, nil, nil, left)
	}
	split := container.NewHSplit(left, container.NewVScroll(s.detail))
	split.Offset = 0.45
	s.root = split
	s.Reload()
	return s.root
}

// Items is the list shown, in order.
func (s *Screen) Items() []Item { return s.items }

// Select shows the item with key (a reminder clicked, a test), false
// when it is not in the list.
func (s *Screen) Select(key string) bool {
	for i, it := range s.items {
		if it.Key == key {
			s.list.Select(i)
			return true
		}
	}
	return false
}

// Reload reads the cache again (a case changed, an action was queued,
// committed or refused) and shows the list and the current item anew.
// It reads the cache on the calling goroutine: the cache answers from
// memory-mapped pages in well under a frame for an agency's cases.
func (s *Screen) Reload() {
	items, cases, err := s.read()
	if err != nil {
		s.showError(err)
		return
	}
	s.items, s.cases = items, cases
	s.empty.Hidden = len(items) > 0
	s.list.Refresh()
	if s.current != "" {
		s.show(s.current)
	}
	if s.o.OnReminders != nil {
		s.o.OnReminders(items)
	}
}

func (s *Screen) read() ([]Item, []protocol.Case, error) {
	st := s.o.Store
	cases, err := st.Cases(nil)
	if err != nil {
		return nil, nil, fmt.Errorf("việc của tôi: %w", err)
	}
	actions, err := st.Actions()
	if err != nil {
		return nil, nil, fmt.Errorf("việc của tôi: %w", err)
	}
	in := Input{Cases: cases, Actions: actions}
	if HasRole(s.o.User, protocol.RoleClerk) {
		in.Inbox, _, err = st.List(store.ListQuery{Box: store.BoxInbox, Limit: InboxScan})
		if err == nil {
			in.Revokes, _, err = st.Find(store.Query{Box: store.BoxInbox, Status: edoc.StatusRevokeRequest, Limit: InboxScan})
		}
		if err == nil {
			in.Statuses, err = st.PendingStatuses()
		}
		if err != nil {
			return nil, nil, fmt.Errorf("việc của tôi: %w", err)
		}
	}
	return MyWork(s.o.User, in, s.o.Now()), cases, nil
}

func (s *Screen) find(key string) (Item, bool) {
	for _, it := range s.items {
		if it.Key == key {
			return it, true
		}
	}
	return Item{}, false
}

func (s *Screen) showError(err error) {
	if s.o.Window != nil {
		showError(err, s.o.Window)
	}
}

// itemRow is one line of the list.
type itemRow struct {
	widget.BaseWidget
	priority *exchange.Badge
	subject  *widget.Label
	stage    *widget.Label
	due      *widget.Label
	pending  *exchange.Badge
	box      fyne.CanvasObject
}

func newItemRow() fyne.CanvasObject {
	r := &itemRow{priority: exchange.NewBadge(), subject: widget.NewLabel(""), stage: widget.NewLabel(""),
		due: widget.NewLabel(""), pending: exchange.NewBadge()}
	r.subject.Truncation = fyne.TextTruncateEllipsis
	r.subject.TextStyle.Bold = true
	r.box = container.NewVBox(
		container.NewBorder(nil, nil, r.priority, nil, r.subject),
		container.NewHBox(r.stage, r.pending, r.due))
	r.ExtendBaseWidget(r)
	return r
}

func (r *itemRow) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(r.box) }

func (s *Screen) fillRow(it Item, r *itemRow) {
	d := it.Document()
	subject := d.Subject
	if subject == "" {
		subject = i18n.T("work.no-subject")
	}
	r.subject.SetText(subject)
	if p := exchange.PriorityText(d.Priority); p != "" {
		r.priority.Set(p, exchange.PriorityColor(d.Priority))
		r.priority.Show()
	} else {
		r.priority.Hide()
	}
	r.stage.SetText(exchange.Label(it.Stage.Label()) + " · " + i18n.T("work.why."+string(it.Why)))
	if it.PendingNumber {
		r.pending.Set(i18n.T("work.pending-number"), theme.ColorNameWarning)
		r.pending.Show()
	} else {
		r.pending.Hide()
	}
	r.due.Importance = widget.MediumImportance
	if it.DueState != DueNone {
		r.due.Importance = widget.DangerImportance
	}
	r.due.SetText(dueText(it))
}

// dueText is "Hạn dd/mm/yyyy", with (sắp đến hạn) or (quá hạn).
func dueText(it Item) string {
	if it.Due == nil || it.Due.IsZero() {
		return ""
	}
	d := formatDate(*it.Due)
	switch it.DueState {
	case DueSoon:
		return i18n.T("work.due.soon", d)
	case DueOverdue:
		return i18n.T("work.due.overdue", d)
	}
	return i18n.T("work.due", d)
}

func formatDate(d edoc.Date) string { return fmt.Sprintf("%02d/%02d/%04d", d.Day, d.Month, d.Year) }

func formatTime(t time.Time) string { return t.In(edoc.Vietnam).Format("02/01/2006 15:04") }

// show puts the item's detail on the right.
func (s *Screen) show(key string) {
	s.current = key
	it, ok := s.find(key)
	if !ok {
		s.buttons = map[string]*widget.Button{}
		s.detail.Objects = []fyne.CanvasObject{widget.NewLabel(i18n.T("work.gone"))}
		s.detail.Refresh()
		return
	}
	d := it.Document()
	title := exchange.Heading(d.Subject)
	f := exchange.NewFields()
	if code := d.Code.String(); code != "" {
		f.Add(i18n.T("work.f.code"), code)
	}
	f.Add(i18n.T("work.f.from"), d.From.OrganName)
	f.Add(i18n.T("work.f.stage"), exchange.Label(it.Stage.Label()))
	if p := exchange.PriorityText(d.Priority); p != "" {
		f.Add(i18n.T("work.f.priority"), p)
	}
	if t := dueText(it); t != "" {
		f.Add(i18n.T("work.f.due"), t)
	}
	if r := it.Revoke; r != nil {
		f.Add(i18n.T("work.f.revoke"), i18n.T("work.revoke", formatTime(r.At), r.Description))
	}
	objs := []fyne.CanvasObject{title, f.Container}
	if c := it.Case; c != nil {
		if c.Entry != nil {
			f.Add(i18n.T("work.f.entry"), i18n.T("work.entry", exchange.Label(c.Entry.Kind.Label()), c.Entry.Number))
		}
		if c.PresentedToName != "" {
			f.Add(i18n.T("work.f.presented"), c.PresentedToName)
		}
		if c.Instruction != "" {
			f.Add(i18n.T("work.f.instruction"), c.Instruction)
		}
		if c.Lead != nil {
			f.Add(i18n.T("work.f.lead"), assigneeText(*c.Lead))
		}
		if len(c.Cooperating) > 0 {
			var names []string
			for _, a := range c.Cooperating {
				names = append(names, assigneeText(a))
			}
			f.Add(i18n.T("work.f.cooperating"), strings.Join(names, "; "))
		}
	}
	s.buttons = map[string]*widget.Button{}
	objs = append(objs, s.pendingView(it)...)
	var bar []fyne.CanvasObject
	for _, a := range Allowed(s.o.User, it) {
		open := func() { s.openAction(a, it) }
		switch {
		case a == protocol.ActionApprove && s.o.Sign != nil:
			open = func() { s.approve(it) }
		case a == protocol.ActionIssue && s.o.Sign != nil:
			open = func() { s.issue(it) }
		case !handled[a]:
			continue
		}
		b := widget.NewButton(i18n.T("work.action."+a), open)
		if a == protocol.ActionRegister || a == protocol.ActionAssign || a == protocol.ActionApprove || a == protocol.ActionWithdraw || a == protocol.ActionIssue {
			b.Importance = widget.HighImportance
		}
		s.buttons[a] = b
		bar = append(bar, b)
	}
	if len(bar) > 0 {
		objs = append(objs, container.NewGridWrap(fyne.NewSize(150, 36), bar...))
	}
	if c := it.Case; c != nil {
		if len(c.Notes) > 0 {
			objs = append(objs, exchange.Heading(i18n.T("work.notes")))
			for _, n := range c.Notes {
				objs = append(objs, exchange.Wrapped(fmt.Sprintf("%s — %s: %s", formatTime(n.At), n.ByName, n.Text), 520))
			}
		}
		if len(c.History) > 0 {
			objs = append(objs, exchange.Heading(i18n.T("work.history")))
			for _, h := range c.History {
				line := fmt.Sprintf("%s — %s: %s", formatTime(h.At), h.ByName, i18n.T("work.step."+h.Action))
				if h.Detail != "" {
					line += " (" + h.Detail + ")"
				}
				objs = append(objs, exchange.Wrapped(line, 520))
			}
		}
	}
	s.detail.Objects = []fyne.CanvasObject{container.NewPadded(container.NewVBox(objs...))}
	s.detail.Refresh()
}

func assigneeText(a protocol.Assignee) string {
	switch {
	case a.Name != "" && a.Unit != "":
		return a.Name + " (" + a.Unit + ")"
	case a.Name != "":
		return a.Name
	case a.Unit != "":
		return a.Unit
	}
	return a.UserID
}

// pendingView shows the item's queued actions: waiting to be sent (chờ
// cấp số for a number) or refused by the server with its reason and Bỏ.
func (s *Screen) pendingView(it Item) []fyne.CanvasObject {
	var out []fyne.CanvasObject
	for _, a := range it.Pending {
		name := i18n.T("work.step." + a.Request.Action)
		if !a.Failed {
			text := i18n.T("work.pending", name)
			if a.PendingNumber() {
				text = i18n.T("work.pending.number", name)
			}
			out = append(out, container.NewHBox(widget.NewIcon(theme.HistoryIcon()), widget.NewLabel(text)))
			continue
		}
		id := a.ClientActionID
		drop := widget.NewButton(i18n.T("work.drop"), func() {
			if err := s.o.Store.DropAction(id); err != nil {
				s.showError(err)
				return
			}
			s.Reload()
		})
		s.buttons["drop:"+id] = drop
		msg := widget.NewLabel(i18n.T("work.failed", name, a.LastError))
		msg.Wrapping = fyne.TextWrapWord
		msg.Importance = widget.DangerImportance
		out = append(out, container.NewBorder(nil, nil, widget.NewIcon(theme.ErrorIcon()), drop, msg))
	}
	return out
}

// queue queues req as a new action, asks for a sync and shows it
// pending.
func (s *Screen) queue(req protocol.ActionRequest) error {
	return s.queueEntry(store.ActionEntry{ClientActionID: protocol.NewClientID(), Request: req, User: s.o.User.ID})
}

// queueEntry queues e, asks for a sync and shows it pending.
func (s *Screen) queueEntry(e store.ActionEntry) error {
	if err := s.o.Store.QueueAction(e); err != nil {
		return err
	}
	s.queued()
	return nil
}

// queued asks the engine to push what was queued and reads the list
// again.
func (s *Screen) queued() {
	if s.o.SyncNow != nil {
		s.o.SyncNow()
	}
	s.Reload()
}

// queueStatus queues a status of the message for its sender (16: the
// revocation refused) and asks the engine to send it.
func (s *Screen) queueStatus(msgID string, st edoc.Status, text string) error {
	e := store.StatusEntry{ClientStatusID: protocol.NewClientID(), MessageID: msgID,
		Request: protocol.StatusRequest{Status: st, Description: text}}
	if err := s.o.Store.QueueStatus(e); err != nil {
		return err
	}
	s.queued()
	return nil
}

// OnActed is called (UI goroutine) when the engine reports the server
// committed an action (engine.Acted) or refused one (engine.Failed): the
// cache holds the answer or the refusal, read again.
func (s *Screen) OnActed() { s.Reload() }

// Verdicts are the signatures of a document's main PDF as the
// verification the cache holds tells them: one line per signature.
func Verdicts(d store.Document) []string {
	var main string
	for _, a := range d.Doc.Attachments {
		if a.Role == edoc.RoleMain {
			main = a.SHA256
			break
		}
	}
	v, ok := d.Verification[main]
	if !ok {
		return []string{i18n.T("work.verify.none")}
	}
	var r verify.Report
	if err := json.Unmarshal(v.Report, &r); err != nil || len(r.Signatures) == 0 {
		return []string{exchange.VerdictText(v.Verdict)}
	}
	var out []string
	for _, sig := range r.Signatures {
		name := sig.Signer.Name
		if name == "" {
			name = sig.Signer.Subject
		}
		out = append(out, fmt.Sprintf("%s — %s", exchange.VerdictText(sig.Verdict), name))
	}
	return out
}
