package inbox

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/vanthuso/vanthu/app/exchange"
	"github.com/vanthuso/vanthu/app/i18n"
	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/sync/protocol"
	"github.com/vanthuso/vanthu/sync/store"
)

// Source is what the inbox reads from the client cache and changes in
// it; the application adapts *store.Store to it. Every method may block
// on the disk: the screen calls them on goroutines.
type Source interface {
	// List is one page of the inbox, newest first by server time
	// (store.List over store.BoxInbox), and the cursor of the next page
	// ("" at the end).
	List(unreadOnly bool, after string, limit int) ([]store.Document, string, error)
	// Search is store.Search over the inbox.
	Search(text string, limit int) ([]store.Document, error)
	// Get is the cached document with this key (store.ErrNotFound).
	Get(key string) (store.Document, error)
	// MarkRead records that the user opened the document.
	MarkRead(key string) error
	// BlobPath is the file holding the blob with this SHA-256; HasBlob
	// whether it has been downloaded.
	BlobPath(sha string) string
	HasBlob(sha string) bool
}

// SearchLimit is how many documents a search shows.
const SearchLimit = 500

// Options configure the screen.
type Options struct {
	Source Source
	// Window shows error dialogs and the "save as" chooser.
	Window fyne.Window
	// Open opens a PDF in the reader, in a tab titled title; called on
	// the UI goroutine.
	Open func(path, title string)
	// OnRead is called on the UI goroutine after a document was marked
	// read (the unread count changed); may be nil.
	OnRead func(key string)
	// Do runs widget changes on the UI goroutine; nil is fyne.Do.
	Do exchange.Do
	// Now is the clock deadlines are judged by; nil is time.Now.
	Now func() time.Time
	// PageSize is how many documents are read at a time
	// (exchange.DefaultPageSize when 0).
	PageSize int
}

// Screen is the Văn bản đến screen. Build it once; use it on the UI
// goroutine.
type Screen struct {
	o    Options
	do   exchange.Do
	rows *exchange.Rows

	search *widget.Entry
	unread *widget.Check
	view   *exchange.ListView
	root   fyne.CanvasObject
	query  string // the search shown
}

// New returns the screen; Build makes its widgets and reads the first
// page.
func New(o Options) *Screen {
	if o.Now == nil {
		o.Now = time.Now
	}
	s := &Screen{o: o, do: exchange.OrDo(o.Do)}
	s.rows = exchange.NewRows(s.listing(), s.do, o.PageSize)
	s.rows.OnChanged = s.onRowsChanged
	return s
}

// Build returns the screen's widget tree (once) and starts reading.
func (s *Screen) Build() fyne.CanvasObject {
	if s.root != nil {
		return s.root
	}
	s.search = widget.NewEntry()
	s.search.SetPlaceHolder(i18n.T("inbox.search"))
	s.search.ActionItem = widget.NewIcon(theme.SearchIcon())
	s.search.OnChanged = s.onSearchChanged
	s.unread = widget.NewCheck(i18n.T("inbox.unread-only"), func(bool) { s.onFilterChanged() })
	s.view = exchange.NewListView(s.rows, s.fillRow, s.onSelected)
	s.view.ShowHint(i18n.T("inbox.pick"))
	s.root = s.view.Split(container.NewBorder(nil, nil, nil, s.unread, s.search))
	s.rows.Reset()
	return s.root
}

// Reload reads the first page again: documents arrived or changed.
func (s *Screen) Reload() {
	s.rows.Reset()
	if s.view.Current != nil {
		s.refreshCurrent(s.view.Current.Key)
	}
}

// listing is the PageFunc of the search and filter shown.
func (s *Screen) listing() exchange.PageFunc {
	src, query := s.o.Source, strings.TrimSpace(s.query)
	unreadOnly := s.unread != nil && s.unread.Checked
	if query == "" {
		return func(after string, limit int) ([]store.Document, string, error) {
			return src.List(unreadOnly, after, limit)
		}
	}
	return func(after string, limit int) ([]store.Document, string, error) {
		if after != "" {
			return nil, "", nil
		}
		docs, err := src.Search(query, SearchLimit)
		if unreadOnly {
			docs = slices.DeleteFunc(docs, func(d store.Document) bool { return d.Read })
		}
		return docs, "", err
	}
}

func (s *Screen) onSearchChanged(text string) {
	if strings.TrimSpace(text) == strings.TrimSpace(s.query) {
		return
	}
	s.query = text
	s.rows.SetSource(s.listing())
}

func (s *Screen) onFilterChanged() { s.rows.SetSource(s.listing()) }

func (s *Screen) onRowsChanged() {
	empty := i18n.T("inbox.empty")
	switch {
	case strings.TrimSpace(s.query) != "":
		empty = i18n.T("inbox.empty.search", strings.TrimSpace(s.query))
	case s.unread.Checked:
		empty = i18n.T("inbox.empty.unread")
	}
	s.view.Changed(empty, nil)
}

// fillRow writes d into its list row.
func (s *Screen) fillRow(d store.Document, r *exchange.Row) {
	v := exchange.MainVerdict(d)
	r.Icon.SetResource(exchange.VerdictIcon(v))
	r.Badge.Set(exchange.PriorityText(d.Doc.Priority), exchange.PriorityColor(d.Doc.Priority))
	r.Title.TextStyle = fyne.TextStyle{Bold: !d.Read}
	r.Title.Text = subject(d.Doc)
	r.Corner.Text = exchange.FormatTime(d.ReceivedAt)
	var info []string
	if c := d.Doc.Code.String(); c != "" {
		info = append(info, i18n.T("inbox.row.code", c))
	}
	info = append(info, exchange.OrganName(sender(d)))
	r.Info.Text = strings.Join(info, " · ")
	r.Note.Importance = widget.MediumImportance
	switch {
	case d.Doc.DueDate == nil || d.Doc.DueDate.IsZero():
		r.Note.Text = ""
	case exchange.Overdue(d.Doc.DueDate, s.o.Now()):
		r.Note.Importance = widget.DangerImportance
		r.Note.Text = i18n.T("inbox.row.overdue", exchange.FormatDate(*d.Doc.DueDate))
	default:
		r.Note.Text = i18n.T("inbox.row.due", exchange.FormatDate(*d.Doc.DueDate))
	}
	r.State.Text = exchange.VerdictText(v)
}

func subject(d edoc.Document) string {
	if s := strings.TrimSpace(d.Subject); s != "" {
		return s
	}
	return i18n.T("inbox.no-subject")
}

// sender is the agency that sent d: the message's From, else the
// document's issuing agency.
func sender(d store.Document) edoc.Organ {
	if d.From.OrganID != "" || d.From.OrganName != "" {
		return d.From
	}
	return d.Doc.From
}

func (s *Screen) onSelected(d store.Document) {
	if s.view.Current != nil && s.view.Current.Key == d.Key {
		return
	}
	s.showDetail(d)
	s.refreshCurrent(d.Key)
	if !d.Read {
		src, key := s.o.Source, d.Key
		go func() {
			err := src.MarkRead(key)
			s.do(func() { s.showMarkedRead(key, err) })
		}()
	}
}

// refreshCurrent reads the document again (statuses may have come).
func (s *Screen) refreshCurrent(key string) {
	src := s.o.Source
	go func() {
		d, err := src.Get(key)
		s.do(func() { s.showFresh(key, d, err) })
	}()
}

func (s *Screen) showFresh(key string, d store.Document, err error) {
	if s.view.Current == nil || s.view.Current.Key != key || err != nil {
		return // another one is shown; or it went (revoked): the list tells
	}
	read := s.view.Current.Read
	d.Read = d.Read || read
	s.showDetail(d)
}

func (s *Screen) showMarkedRead(key string, err error) {
	if err != nil {
		s.showError(i18n.T("inbox.err.mark-read", err.Error()))
		return
	}
	s.rows.Update(key, func(d *store.Document) { d.Read = true })
	if s.view.Current != nil && s.view.Current.Key == key {
		s.view.Current.Read = true
	}
	s.view.List.Refresh()
	if s.o.OnRead != nil {
		s.o.OnRead(key)
	}
}

// showDetail fills the detail panel with d.
func (s *Screen) showDetail(d store.Document) {
	doc := d.Doc
	title := exchange.Heading(subject(doc))
	title.Wrapping = fyne.TextWrapWord
	v := exchange.MainVerdict(d)
	verdict := container.NewBorder(nil, nil, widget.NewIcon(exchange.VerdictIcon(v)), nil, widget.NewLabel(exchange.VerdictText(v)))
	open := widget.NewButtonWithIcon(i18n.T("inbox.open"), theme.DocumentIcon(), s.onOpenMain)
	open.Importance = widget.HighImportance
	if _, ok := exchange.MainFile(doc); !ok {
		open.Disable()
	}

	form := exchange.NewFields()
	field := func(key, value string) { form.Add(i18n.T(key), value) }
	field("inbox.f.code", doc.Code.String())
	field("inbox.f.date", issued(doc))
	field("inbox.f.type", doc.Type.TypeName)
	field("inbox.f.subject", doc.Subject)
	field("inbox.f.signer", signer(doc.Signer))
	field("inbox.f.from", exchange.OrganName(sender(d)))
	field("inbox.f.sent-by", d.SentBy)
	field("inbox.f.to", recipients(doc))
	pr := exchange.PriorityText(doc.Priority)
	if pr == "" {
		pr = i18n.T("inbox.priority.normal")
	}
	field("inbox.f.priority", pr)
	if doc.DueDate != nil && !doc.DueDate.IsZero() {
		due := i18n.T("inbox.row.due", exchange.FormatDate(*doc.DueDate))
		if exchange.Overdue(doc.DueDate, s.o.Now()) {
			due = i18n.T("inbox.row.overdue", exchange.FormatDate(*doc.DueDate))
		}
		field("inbox.f.due", due)
	}
	field("inbox.f.received", exchange.FormatTime(d.ReceivedAt))

	objs := []fyne.CanvasObject{title, verdict, container.NewHBox(open), form.Container,
		widget.NewSeparator(), exchange.Heading(i18n.T("inbox.files"))}
	for _, f := range doc.Attachments {
		objs = append(objs, s.fileRow(f))
	}
	objs = append(objs, widget.NewSeparator(), exchange.Heading(i18n.T("inbox.history")))
	objs = append(objs, history(d.Statuses, doc.To)...)
	s.view.ShowDetail(d, objs...)
}

// issued is "Hà Nội, 05/01/2026", or the date alone.
func issued(d edoc.Document) string {
	date := exchange.FormatDate(d.PromulgationDate)
	if d.Place != "" && date != "" {
		return d.Place + ", " + date
	}
	return d.Place + date
}

// signer reads "Nguyễn Văn An, Chủ tịch (TM. ỦY BAN NHÂN DÂN)".
func signer(s edoc.Signer) string {
	var parts []string
	for _, p := range []string{s.FullName, s.Position} {
		if strings.TrimSpace(p) != "" {
			parts = append(parts, strings.TrimSpace(p))
		}
	}
	out := strings.Join(parts, ", ")
	if c := strings.TrimSpace(s.Competence); c != "" {
		out = i18n.T("inbox.signer.competence", out, c)
	}
	return out
}

// recipients lists the agencies reached electronically, then the other
// nơi nhận as printed.
func recipients(d edoc.Document) string {
	var out []string
	if n := exchange.OrganNames(d.To); n != "" {
		out = append(out, n)
	}
	for _, p := range d.ToPlaces {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, "; ")
}

// fileRow is one file with what can be done with it.
func (s *Screen) fileRow(f edoc.Attachment) fyne.CanvasObject {
	key := "inbox.file.attachment"
	if f.Role == edoc.RoleMain {
		key = "inbox.file.main"
	}
	label := widget.NewLabel(i18n.T(key, f.Name, exchange.FormatSize(f.Size)))
	label.Wrapping = fyne.TextWrapWord
	var action *widget.Button
	file := f
	if isPDF(f) {
		action = widget.NewButtonWithIcon(i18n.T("inbox.file.open"), theme.DocumentIcon(), func() { s.openFile(file) })
	} else {
		action = widget.NewButtonWithIcon(i18n.T("inbox.file.save"), theme.DocumentSaveIcon(), func() { s.saveFile(file) })
	}
	if !s.o.Source.HasBlob(f.SHA256) {
		action.Disable()
		label.SetText(label.Text + " — " + i18n.T("inbox.file.missing"))
	}
	return container.NewBorder(nil, nil, nil, action, label)
}

func isPDF(f edoc.Attachment) bool {
	return strings.EqualFold(f.ContentType, "application/pdf") || strings.HasSuffix(strings.ToLower(f.Name), ".pdf")
}

// history lists the statuses oldest first, each agency by its name
// when it is one of the recipients.
func history(evs []protocol.StatusEvent, to []edoc.Organ) []fyne.CanvasObject {
	if len(evs) == 0 {
		l := widget.NewLabel(i18n.T("inbox.history.none"))
		l.Importance = widget.LowImportance
		return []fyne.CanvasObject{l}
	}
	evs = slices.Clone(evs)
	slices.SortStableFunc(evs, func(a, b protocol.StatusEvent) int { return a.At.Compare(b.At) })
	var out []fyne.CanvasObject
	for _, e := range evs {
		who := e.OrganID
		if i := slices.IndexFunc(to, func(o edoc.Organ) bool { return o.OrganID == e.OrganID }); i >= 0 {
			who = exchange.OrganName(to[i])
		}
		if e.Staff != nil && e.Staff.Staff != "" {
			who = e.Staff.Staff + ", " + who
		}
		line := i18n.T("inbox.history.line", exchange.FormatTime(e.At), exchange.StatusText(e.Status), who)
		if e.Automatic {
			line += " " + i18n.T("inbox.history.auto")
		}
		if e.Description != "" {
			line += "\n" + e.Description
		}
		l := widget.NewLabel(line)
		l.Wrapping = fyne.TextWrapWord
		out = append(out, l)
	}
	return out
}

func (s *Screen) onOpenMain() {
	if s.view.Current == nil {
		return
	}
	f, ok := exchange.MainFile(s.view.Current.Doc)
	if !ok {
		s.showError(i18n.T("inbox.err.no-file"))
		return
	}
	s.openFile(f)
}

// openFile opens a PDF of the document shown in the reader.
func (s *Screen) openFile(f edoc.Attachment) {
	if !s.o.Source.HasBlob(f.SHA256) {
		s.showError(i18n.T("inbox.err.missing", f.Name))
		return
	}
	if s.o.Open != nil {
		title := f.Name
		if c := s.view.Current; c != nil && c.Doc.Code.String() != "" && f.Role == edoc.RoleMain {
			title = c.Doc.Code.String()
		}
		s.o.Open(s.o.Source.BlobPath(f.SHA256), title)
	}
}

// saveFile copies a file of the document to where the user chooses.
func (s *Screen) saveFile(f edoc.Attachment) {
	src := s.o.Source.BlobPath(f.SHA256)
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			if err != nil {
				s.showError(i18n.T("inbox.err.save", err.Error()))
			}
			return
		}
		go func() {
			err := copyTo(w, src)
			if err != nil {
				s.do(func() { s.showError(i18n.T("inbox.err.save", err.Error())) })
			}
		}()
	}, s.o.Window)
	d.SetFileName(f.Name)
	d.Show()
}

// copyTo writes the file at path to w. A local destination is written
// through a temporary file in its folder, fsynced and renamed over it, so
// that a failure (disk full, the cache's file gone) leaves no partial
// copy, only no copy; any other destination is streamed and deleted on a
// failure.
func copyTo(w fyne.URIWriteCloser, path string) error {
	if w.URI().Scheme() == "file" {
		dst := w.URI().Path()
		w.Close() // the dialog created it empty; it is replaced below
		if err := writeAtomic(dst, path); err != nil {
			os.Remove(dst)
			return err
		}
		return nil
	}
	in, err := os.Open(path)
	if err != nil {
		w.Close()
		storage.Delete(w.URI())
		return err
	}
	defer in.Close()
	if _, err := io.Copy(w, in); err != nil {
		w.Close()
		storage.Delete(w.URI())
		return fmt.Errorf("copy %s: %w", path, err)
	}
	return w.Close()
}

// writeAtomic copies src to dst through a synced temporary file renamed
// over dst.
func writeAtomic(dst, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, in); err != nil {
		tmp.Close()
		return fmt.Errorf("copy %s: %w", src, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), dst)
}

// showError tells the user what went wrong and what to do.
func (s *Screen) showError(msg string) {
	if s.o.Window == nil {
		return
	}
	d := dialog.NewCustom(i18n.T("inbox.err.title"), i18n.T("inbox.ok"), exchange.Wrapped(msg, 420), s.o.Window)
	d.Show()
}

// FromStore is the inbox of the client cache st.
func FromStore(st *store.Store) Source { return storeSource{st} }

type storeSource struct{ *store.Store }

func (s storeSource) List(unreadOnly bool, after string, limit int) ([]store.Document, string, error) {
	return s.Store.List(store.ListQuery{Box: store.BoxInbox, UnreadOnly: unreadOnly, After: after, Limit: limit})
}

func (s storeSource) Search(text string, limit int) ([]store.Document, error) {
	return s.Store.Search(text, store.BoxInbox, limit)
}
