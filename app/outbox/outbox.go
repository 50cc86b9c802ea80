package outbox

import (
	"errors"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/vanthuso/vanthu/app/exchange"
	"github.com/vanthuso/vanthu/app/i18n"
	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/sync/protocol"
	"github.com/vanthuso/vanthu/sync/store"
)

// Source is what the outbox reads from the client cache; the application
// adapts *store.Store to it. Every method may block on the disk: the
// screen calls them on goroutines.
type Source interface {
	// List is one page of the outbox (store.List over store.BoxOutbox):
	// queued documents not yet accepted first, then newest by server
	// time; and the cursor of the next page ("" at the end).
	List(after string, limit int) ([]store.Document, string, error)
	// OutboxEntry is the entry of a document this client queued, by its
	// client message id; an error (store.ErrNotFound) for one another
	// client of the agency sent.
	OutboxEntry(id string) (store.OutboxEntry, error)
}

// Options configure the screen.
type Options struct {
	Source Source
	// Window shows dialogs.
	Window fyne.Window
	// Resend, when set, is offered on a permanently failed document
	// ("Sửa và gửi lại"): it opens the send dialog filled with it.
	// Called on the UI goroutine.
	Resend func(d store.Document)
	// Revoke, when set, is offered on a document the server accepted
	// and no revocation was asked for yet ("Thu hồi…"): it asks every
	// recipient to give it back (status 13) for the reason the user
	// writes. Called on the UI goroutine; its error is shown.
	Revoke func(d store.Document, reason string) error
	// Do runs widget changes on the UI goroutine; nil is fyne.Do.
	Do exchange.Do
	// PageSize is how many documents are read at a time
	// (exchange.DefaultPageSize when 0).
	PageSize int
}

// Screen is the Văn bản đi screen. Build it once; use it on the UI
// goroutine.
type Screen struct {
	o    Options
	do   exchange.Do
	rows *exchange.Rows

	mu      sync.Mutex                   // guards entries: pages fill it on their goroutine
	entries map[string]store.OutboxEntry // by document key
	// progress is the engine's last upload progress per document key:
	// bytes the server has, per file SHA-256.
	progress map[string]progress

	view *exchange.ListView
	root fyne.CanvasObject

	// revokeReason and revokeSubmit are the open Thu hồi dialog's (tests).
	revokeReason *widget.Entry
	revokeSubmit func() error
}

type progress map[string]int64

// New returns the screen; Build makes its widgets and reads the first
// page.
func New(o Options) *Screen {
	s := &Screen{o: o, do: exchange.OrDo(o.Do), entries: map[string]store.OutboxEntry{}, progress: map[string]progress{}}
	s.rows = exchange.NewRows(s.page, s.do, o.PageSize)
	s.rows.OnChanged = s.onRowsChanged
	return s
}

// page reads a page of documents and the entries of those this client
// queued (on the Rows goroutine).
func (s *Screen) page(after string, limit int) ([]store.Document, string, error) {
	docs, next, err := s.o.Source.List(after, limit)
	if err != nil {
		return nil, "", err
	}
	found := map[string]store.OutboxEntry{}
	for _, d := range docs {
		if d.ClientMsgID == "" {
			continue
		}
		e, err := s.o.Source.OutboxEntry(d.ClientMsgID)
		if err == nil {
			found[d.Key] = e
		}
	}
	s.mu.Lock()
	for k, e := range found {
		s.entries[k] = e
	}
	s.mu.Unlock()
	return docs, next, nil
}

func (s *Screen) entry(key string) (store.OutboxEntry, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.entries[key]
	return e, ok
}

// Build returns the screen's widget tree (once) and starts reading.
func (s *Screen) Build() fyne.CanvasObject {
	if s.root != nil {
		return s.root
	}
	s.view = exchange.NewListView(s.rows, s.fillRow, s.showDetail)
	s.view.ShowHint(i18n.T("outbox.pick"))
	s.root = s.view.Split(nil)
	s.rows.Reset()
	return s.root
}

// Reload reads the documents and their entries again: one was queued,
// sent, failed, or a status came.
func (s *Screen) Reload() { s.rows.Reset() }

// ShowProgress shows an upload's progress: done bytes of the file sha of
// the document with key are on the server (engine Progress events,
// outgoing).
func (s *Screen) ShowProgress(key, sha string, done int64) {
	if s.progress[key] == nil {
		s.progress[key] = progress{}
	}
	s.progress[key][sha] = done
	if e, ok := s.entry(key); ok && e.State == store.OutboxQueued {
		e.State = store.OutboxUploading // the entry is read again on the next page
		s.mu.Lock()
		s.entries[key] = e
		s.mu.Unlock()
	}
	if i := s.rows.Index(key); i >= 0 {
		s.view.List.RefreshItem(i)
	}
	if c := s.view.Current; c != nil && c.Key == key {
		s.showDetail(*c)
	}
}

// ShowSent and ShowFailed take the engine's events about the document
// with key: its entry changed; the rows are read again.
func (s *Screen) ShowSent(key string) {
	delete(s.progress, key)
	s.Reload()
}

// ShowFailed: see ShowSent.
func (s *Screen) ShowFailed(key string) {
	delete(s.progress, key)
	s.Reload()
}

func (s *Screen) onRowsChanged() { s.view.Changed(i18n.T("outbox.empty"), s.showDetail) }

// state is where a document stands, as a row or a recipient shows it.
type state struct {
	Text       string
	Importance widget.Importance
	Icon       fyne.Resource
	// Failed: permanent failure; Reason and Advice say why and what to do.
	Failed         bool
	Reason, Advice string
}

// pendingState is where a document stands before the server accepted it, from
// its entry e and the last upload progress p (nil when none); ok is false
// when the entry is sent (or there is none): its deliveries tell.
func pendingState(e *store.OutboxEntry, p progress) (st state, ok bool) {
	if e == nil {
		return state{}, false
	}
	switch e.State {
	case store.OutboxQueued:
		st = state{Text: i18n.T("outbox.state.queued"), Icon: theme.HistoryIcon(), Importance: widget.MediumImportance}
		if e.LastError != "" {
			st.Text = i18n.T("outbox.state.retrying", e.LastError)
			st.Importance = widget.WarningImportance
		}
	case store.OutboxUploading:
		st = state{Text: i18n.T("outbox.state.uploading", percent(e, p)), Icon: theme.UploadIcon(), Importance: widget.HighImportance}
	case store.OutboxSending:
		st = state{Text: i18n.T("outbox.state.sending"), Icon: theme.MailSendIcon(), Importance: widget.HighImportance}
	case store.OutboxFailed:
		st = state{Text: i18n.T("outbox.state.failed"), Icon: theme.NewErrorThemedResource(theme.ErrorIcon()),
			Importance: widget.DangerImportance, Failed: true, Reason: e.LastError, Advice: advice(e)}
	default:
		return state{}, false
	}
	return st, true
}

// percent is how far the upload of all the entry's files is: each file's
// last progress event when there is one, else what the entry recorded.
func percent(e *store.OutboxEntry, p progress) int {
	var done, total int64
	for _, f := range e.Files {
		total += f.Size
		switch n, ok := p[f.SHA256]; {
		case f.Done:
			done += f.Size
		case ok:
			done += min(max(n, 0), f.Size)
		default:
			done += min(f.Offset, f.Size)
		}
	}
	if total == 0 {
		return 0
	}
	return int(done * 100 / total)
}

// advice says what to do after a permanent failure.
func advice(e *store.OutboxEntry) string {
	switch e.ErrorCode {
	case protocol.CodeUnknownRecipient:
		return i18n.T("outbox.advice.unknown_recipient", unknownRecipients(e))
	case protocol.CodeForbidden:
		return i18n.T("outbox.advice.forbidden")
	case protocol.CodeTooLarge:
		return i18n.T("outbox.advice.too_large")
	case protocol.CodeIdempotencyConflict:
		return i18n.T("outbox.advice.idempotency_conflict")
	case protocol.CodeHashMismatch, protocol.CodeMissingBlobs:
		return i18n.T("outbox.advice.file")
	}
	code := e.ErrorCode
	if code == "" {
		code = "-"
	}
	return i18n.T("outbox.advice.other", code)
}

// unknownRecipients names the recipients the reason mentions, else all.
func unknownRecipients(e *store.OutboxEntry) string {
	var names []string
	for _, o := range e.Request.Document.To {
		if strings.Contains(e.LastError, o.OrganID) {
			names = append(names, exchange.OrganName(o)+" ("+o.OrganID+")")
		}
	}
	if len(names) == 0 {
		for _, o := range e.Request.Document.To {
			names = append(names, exchange.OrganName(o)+" ("+o.OrganID+")")
		}
	}
	return strings.Join(names, ", ")
}

// deliveryText is where the document stands at one recipient once the
// server accepted it.
func deliveryText(dl protocol.Delivery) string {
	if dl.Status == "" {
		return i18n.T("outbox.state.sent")
	}
	return exchange.StatusText(dl.Status)
}

// summary is a row's state once the server accepted the document.
func summary(d store.Document) state {
	arrived, refused := 0, 0
	for _, dl := range d.Deliveries {
		if dl.Status != "" {
			arrived++
		}
		if dl.Status == edoc.StatusRefused {
			refused++
		}
	}
	n := max(len(d.Deliveries), len(d.Doc.To))
	st := state{Text: i18n.T("outbox.state.sent"), Icon: theme.NewSuccessThemedResource(theme.MailSendIcon()), Importance: widget.MediumImportance}
	if arrived > 0 {
		st.Text = i18n.T("outbox.state.arrived", arrived, n)
		st.Icon = theme.NewSuccessThemedResource(theme.ConfirmIcon())
	}
	if refused > 0 {
		st.Text += " · " + i18n.T("outbox.state.refused", refused)
		st.Importance = widget.DangerImportance
		st.Icon = theme.NewWarningThemedResource(theme.WarningIcon())
	}
	return st
}

// stateOf is where d stands now.
func (s *Screen) stateOf(d store.Document) state {
	var ep *store.OutboxEntry
	if e, ok := s.entry(d.Key); ok {
		ep = &e
	}
	if st, ok := pendingState(ep, s.progress[d.Key]); ok {
		return st
	}
	return summary(d)
}

// fillRow writes d into its list row.
func (s *Screen) fillRow(d store.Document, r *exchange.Row) {
	st := s.stateOf(d)
	r.Icon.SetResource(st.Icon)
	r.Badge.Set(exchange.PriorityText(d.Doc.Priority), exchange.PriorityColor(d.Doc.Priority))
	r.Title.TextStyle = fyne.TextStyle{}
	r.Title.Text = subject(d.Doc)
	if d.AcceptedAt.IsZero() {
		r.Corner.Text = i18n.T("outbox.row.queued-at", exchange.FormatTime(d.QueuedAt))
	} else {
		r.Corner.Text = exchange.FormatTime(d.AcceptedAt)
	}
	var info []string
	if c := d.Doc.Code.String(); c != "" {
		info = append(info, i18n.T("outbox.row.code", c))
	}
	info = append(info, i18n.T("outbox.row.to", exchange.OrganNames(d.Doc.To)))
	r.Info.Text = strings.Join(info, " · ")
	r.Note.Text = ""
	r.State.Text = st.Text
	r.State.Importance = st.Importance
}

func subject(d edoc.Document) string {
	if s := strings.TrimSpace(d.Subject); s != "" {
		return s
	}
	return i18n.T("outbox.no-subject")
}

// showDetail shows d: its metadata, its state, each recipient's.
func (s *Screen) showDetail(d store.Document) {
	doc := d.Doc
	st := s.stateOf(d)
	state := widget.NewLabel(st.Text)
	state.Importance = st.Importance
	state.Wrapping = fyne.TextWrapWord
	objs := []fyne.CanvasObject{exchange.Heading(subject(doc)),
		container.NewBorder(nil, nil, widget.NewIcon(st.Icon), nil, state)}
	if st.Failed {
		for _, text := range []string{i18n.T("outbox.failed.reason", st.Reason), st.Advice, i18n.T("outbox.failed.not-retried")} {
			l := widget.NewLabel(text)
			l.Wrapping = fyne.TextWrapWord
			objs = append(objs, l)
		}
		if s.o.Resend != nil {
			b := widget.NewButtonWithIcon(i18n.T("outbox.resend"), theme.DocumentCreateIcon(), func() { s.o.Resend(d) })
			b.Importance = widget.HighImportance
			objs = append(objs, container.NewHBox(b))
		}
	}
	if s.o.Revoke != nil && d.MessageID != "" && !d.AcceptedAt.IsZero() && !revokeAsked(d) {
		b := widget.NewButtonWithIcon(i18n.T("outbox.revoke"), theme.ContentUndoIcon(), func() { s.askRevoke(d) })
		objs = append(objs, container.NewHBox(b))
	}
	f := exchange.NewFields()
	f.Add(i18n.T("outbox.f.code"), doc.Code.String())
	f.Add(i18n.T("outbox.f.type"), doc.Type.TypeName)
	f.Add(i18n.T("outbox.f.subject"), doc.Subject)
	f.Add(i18n.T("outbox.f.queued"), exchange.FormatTime(d.QueuedAt))
	f.Add(i18n.T("outbox.f.accepted"), exchange.FormatTime(d.AcceptedAt))
	f.Add(i18n.T("outbox.f.sent-by"), d.SentBy)
	var files []string
	for _, a := range doc.Attachments {
		files = append(files, a.Name+" ("+exchange.FormatSize(a.Size)+")")
	}
	f.Add(i18n.T("outbox.f.files"), strings.Join(files, "\n"))
	objs = append(objs, f.Container, widget.NewSeparator(), exchange.Heading(i18n.T("outbox.recipients")))
	for _, line := range s.recipientLines(d, st) {
		l := widget.NewLabel(line)
		l.Wrapping = fyne.TextWrapWord
		objs = append(objs, l)
	}
	s.view.ShowDetail(d, objs...)
}

// recipientLines is one line per recipient: the document's state until
// the server accepted it, then the recipient's delivery.
func (s *Screen) recipientLines(d store.Document, st state) []string {
	e, queued := s.entry(d.Key)
	pending := queued && e.State != store.OutboxSent && d.AcceptedAt.IsZero()
	var out []string
	seen := map[string]bool{}
	for _, dl := range d.Deliveries {
		if pending {
			break
		}
		seen[dl.OrganID] = true
		name := dl.OrganID
		for _, o := range d.Doc.To {
			if o.OrganID == dl.OrganID {
				name = exchange.OrganName(o)
			}
		}
		if dl.UpdatedAt.IsZero() {
			out = append(out, i18n.T("outbox.recipient.line", name, deliveryText(dl)))
		} else {
			out = append(out, i18n.T("outbox.recipient.at", name, deliveryText(dl), exchange.FormatTime(dl.UpdatedAt)))
		}
	}
	for _, o := range d.Doc.To {
		if seen[o.OrganID] {
			continue
		}
		text := st.Text
		if !pending && !st.Failed {
			text = i18n.T("outbox.state.sent")
		}
		out = append(out, i18n.T("outbox.recipient.line", exchange.OrganName(o), text))
	}
	return out
}

// FromStore is the outbox of the client cache st.
func FromStore(st *store.Store) Source { return storeSource{st} }

type storeSource struct{ *store.Store }

func (s storeSource) List(after string, limit int) ([]store.Document, string, error) {
	return s.Store.List(store.ListQuery{Box: store.BoxOutbox, After: after, Limit: limit})
}

// CanRevoke reports whether the screen offers Thu hồi at all.
func (s *Screen) CanRevoke() bool { return s.o.Revoke != nil }

// revokeAsked reports whether d's history holds a revocation request.
func revokeAsked(d store.Document) bool {
	for _, e := range d.Statuses {
		if e.Status == edoc.StatusRevokeRequest {
			return true
		}
	}
	return false
}

// askRevoke asks for the reason and calls Options.Revoke.
func (s *Screen) askRevoke(d store.Document) {
	reason := widget.NewMultiLineEntry()
	reason.SetPlaceHolder(i18n.T("outbox.revoke.hint"))
	s.revokeSubmit = func() error {
		r := strings.TrimSpace(reason.Text)
		if r == "" {
			return errors.New(i18n.T("outbox.revoke.no-reason"))
		}
		return s.o.Revoke(d, r)
	}
	s.revokeReason = reason
	if s.o.Window == nil {
		return
	}
	content := container.NewVBox(exchange.Wrapped(i18n.T("outbox.revoke.info", subject(d.Doc)), 560),
		widget.NewForm(widget.NewFormItem(i18n.T("outbox.revoke.reason"), reason)))
	dlg := dialog.NewCustomConfirm(i18n.T("outbox.revoke.title"), i18n.T("outbox.revoke.ok"), i18n.T("outbox.revoke.cancel"), content, func(ok bool) {
		if !ok {
			return
		}
		if err := s.revokeSubmit(); err != nil {
			dialog.ShowError(err, s.o.Window)
		}
	}, s.o.Window)
	dlg.Resize(fyne.NewSize(600, 0))
	dlg.Show()
}
