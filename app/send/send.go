package send

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/vanthuso/vanthu/app/exchange"
	"github.com/vanthuso/vanthu/app/i18n"
	"github.com/vanthuso/vanthu/app/signui"
	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/signing/verify"
	"github.com/vanthuso/vanthu/sync/protocol"
	"github.com/vanthuso/vanthu/sync/store"
)

// Store is where the dialog puts what it sends: the client cache
// (*store.Store satisfies it).
type Store interface {
	PutBlob(r io.Reader) (sha string, size int64, err error)
	Queue(doc edoc.Document, clientMsgID string) error
}

// Options configure the dialog.
type Options struct {
	Store Store
	// From is this agency, as the server knows the signed-in user's.
	From edoc.Organ
	// Directory is where recipients are chosen from.
	Directory *edoc.Directory
	// Verify checks the main PDF's signatures as the reader does; nil
	// finds no signature (so sending always asks for confirmation).
	Verify func(ctx context.Context, path string) (*verify.Report, error)
	// SyncNow wakes the sync engine once the document is queued; may be
	// nil.
	SyncNow func()
	// OnQueued is called on the UI goroutine with the outbox key of the
	// document queued; may be nil.
	OnQueued func(key string)
	// Prefill fills the metadata and the recipients (Sửa và gửi lại);
	// files are chosen again. May be nil.
	Prefill *edoc.Document
	// Do runs widget changes on the UI goroutine; nil is fyne.Do.
	Do exchange.Do
	// NewID makes the client message id; nil is protocol.NewClientID.
	NewID func() string
	// Now is the clock the date field starts at; nil is time.Now.
	Now func() time.Time
}

// Size is the dialog's size: it fits a 1366×768 screen.
var Size = fyne.NewSize(1100, 700)

// Dialog is the "Gửi văn bản" dialog.
type Dialog struct {
	o   Options
	do  exchange.Do
	win fyne.Window
	dlg *dialog.CustomDialog
	id  string // the client message id, made when the dialog opened

	mainPath    string
	attachments []string
	recipients  []edoc.Organ
	results     []edoc.DirectoryEntry

	mainLabel  *widget.Label
	attachBox  *fyne.Container
	docType    *widget.Select
	number     *widget.Entry
	notation   *widget.Entry
	place      *widget.Entry
	date       *widget.Entry
	subject    *widget.Entry
	competence *widget.Select
	body       *widget.Entry
	position   *widget.Entry
	fullName   *widget.Entry
	priority   *widget.Select
	due        *widget.Entry
	search     *widget.Entry
	found      *widget.List
	noMatch    *widget.Label
	chosenBox  *fyne.Container
	errs       map[string]*widget.Label // field → its error line
	status     *widget.Label
	progress   *widget.ProgressBarInfinite
	sendBtn    *widget.Button
	cancelBtn  *widget.Button

	busy    bool
	closed  bool
	confirm dialog.Dialog // the missing-signatures question, while shown
}

// priorities in the order the select lists them.
var priorities = []edoc.Priority{edoc.PriorityNormal, edoc.PriorityUrgent, edoc.PriorityVeryUrgent, edoc.PriorityFlash, edoc.PriorityFlashScheduled}

// Show opens the dialog over win.
func Show(win fyne.Window, o Options) *Dialog {
	d := New(win, o)
	d.dlg.Show()
	return d
}

// New builds the dialog without showing it.
func New(win fyne.Window, o Options) *Dialog {
	if o.NewID == nil {
		o.NewID = protocol.NewClientID
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	d := &Dialog{o: o, do: exchange.OrDo(o.Do), win: win, id: o.NewID(), errs: map[string]*widget.Label{}}
	content := d.build()
	d.dlg = dialog.NewCustomWithoutButtons(i18n.T("send.title"), content, win)
	d.dlg.SetButtons([]fyne.CanvasObject{d.cancelBtn, d.sendBtn})
	d.dlg.Resize(Size)
	d.dlg.SetOnClosed(func() { d.closed = true })
	if o.Prefill != nil {
		d.fill(*o.Prefill)
	}
	return d
}

// errorLine is the red line under a field; key names the field as
// edoc's FieldError does.
func (d *Dialog) errorLine(key string) *widget.Label {
	l := widget.NewLabel("")
	l.Importance = widget.DangerImportance
	l.Wrapping = fyne.TextWrapWord
	l.Hide()
	d.errs[key] = l
	return l
}

func (d *Dialog) build() fyne.CanvasObject {
	d.mainLabel = widget.NewLabel(i18n.T("send.main.none"))
	d.mainLabel.Truncation = fyne.TextTruncateEllipsis
	chooseMain := widget.NewButtonWithIcon(i18n.T("send.choose"), theme.FolderOpenIcon(), d.onChooseMain)
	d.attachBox = container.NewVBox()
	attach := widget.NewButtonWithIcon(i18n.T("send.attach"), theme.ContentAddIcon(), d.onAddAttachment)
	d.showAttachments()

	var types []string
	for _, t := range edoc.DocTypes {
		types = append(types, t.Name)
	}
	d.docType = widget.NewSelect(types, func(string) {})
	d.docType.SetSelected("Công văn")
	d.number = entry("send.number.hint")
	d.notation = entry("send.notation.hint")
	d.place = entry("")
	d.date = entry("send.date.hint")
	d.date.SetText(d.o.Now().In(edoc.Vietnam).Format("02/01/2006"))
	d.subject = widget.NewMultiLineEntry()
	d.subject.Wrapping = fyne.TextWrapWord
	d.subject.SetMinRowsVisible(3)
	comps := []string{i18n.T("send.competence.none")}
	for _, a := range edoc.Authorities {
		comps = append(comps, string(a)+" — "+exchange.Label(a.Label()))
	}
	d.competence = widget.NewSelect(comps, func(string) {})
	d.competence.SetSelectedIndex(0)
	d.body = entry("send.competence.body")
	d.position = entry("")
	d.fullName = entry("")
	var prios []string
	for _, p := range priorities {
		if p == edoc.PriorityNormal {
			prios = append(prios, i18n.T("send.priority.normal"))
		} else {
			prios = append(prios, exchange.PriorityText(p))
		}
	}
	d.priority = widget.NewSelect(prios, func(string) {})
	d.priority.SetSelectedIndex(0)
	d.due = entry("send.due.hint")

	field := func(key string, obj fyne.CanvasObject, errKey string) []fyne.CanvasObject {
		return []fyne.CanvasObject{widget.NewLabel(i18n.T(key)), container.NewVBox(obj, d.errorLine(errKey))}
	}
	grid := func(rows ...[]fyne.CanvasObject) *fyne.Container {
		c := container.New(layout.NewFormLayout())
		for _, r := range rows {
			c.Add(r[0])
			c.Add(r[1])
		}
		return c
	}
	files := container.NewVBox(
		exchange.Heading(i18n.T("send.section.files")),
		grid(field("send.main", container.NewBorder(nil, nil, nil, chooseMain, d.mainLabel), "main"),
			field("send.attachments", container.NewVBox(d.attachBox, container.NewHBox(attach)), "attachments")),
	)
	meta := container.NewVBox(
		exchange.Heading(i18n.T("send.section.meta")),
		grid(field("send.type", d.docType, "type"),
			field("send.number", d.number, "code.code_number"),
			field("send.notation", d.notation, "code.code_notation"),
			field("send.place", d.place, "place"),
			field("send.date", d.date, "promulgation_date"),
			field("send.subject", d.subject, "subject"),
			field("send.priority", d.priority, "priority"),
			field("send.due", d.due, "due_date")),
		exchange.Heading(i18n.T("send.section.signer")),
		grid(field("send.competence", container.NewGridWithColumns(2, d.competence, d.body), "signer.competence"),
			field("send.position", d.position, "signer.position"),
			field("send.full-name", d.fullName, "signer.full_name")),
	)
	left := container.NewVScroll(container.NewVBox(files, meta))

	d.search = widget.NewEntry()
	d.search.SetPlaceHolder(i18n.T("send.to.search"))
	d.search.ActionItem = widget.NewIcon(theme.SearchIcon())
	d.search.OnChanged = d.onSearchChanged
	d.found = widget.NewList(func() int { return len(d.results) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			e := d.results[i]
			o.(*widget.Label).SetText(i18n.T("send.to.line", e.Name, e.Code))
		})
	d.found.OnSelected = d.onRecipientPicked
	d.noMatch = widget.NewLabel(i18n.T("send.to.no-match"))
	d.noMatch.Importance = widget.LowImportance
	d.noMatch.Hide()
	d.chosenBox = container.NewVBox()
	d.showRecipients()
	d.onSearchChanged("")
	chosen := container.NewVScroll(d.chosenBox)
	chosen.SetMinSize(fyne.NewSize(0, 180))
	right := container.NewBorder(
		container.NewVBox(exchange.Heading(i18n.T("send.section.to")), d.search),
		container.NewVBox(widget.NewSeparator(), chosen, d.errorLine("to")),
		nil, nil,
		container.NewStack(d.found, container.NewPadded(d.noMatch)))

	d.status = widget.NewLabel("")
	d.status.Wrapping = fyne.TextWrapWord
	d.status.Hide()
	d.progress = widget.NewProgressBarInfinite()
	d.progress.Stop()
	d.progress.Hide()
	d.sendBtn = widget.NewButtonWithIcon(i18n.T("send.send"), theme.MailSendIcon(), d.onSend)
	d.sendBtn.Importance = widget.HighImportance
	d.cancelBtn = widget.NewButton(i18n.T("send.cancel"), d.onCancel)
	d.errorLine("general")

	split := container.NewHSplit(left, right)
	split.Offset = 0.58
	return container.NewBorder(nil, container.NewVBox(d.progress, d.status, d.errs["general"]), nil, nil, split)
}

func entry(hint string) *widget.Entry {
	e := widget.NewEntry()
	if hint != "" {
		e.SetPlaceHolder(i18n.T(hint))
	}
	return e
}

// fill puts a document's metadata and recipients into the form.
func (d *Dialog) fill(doc edoc.Document) {
	if doc.Type.TypeName != "" {
		d.docType.SetSelected(doc.Type.TypeName)
	}
	d.number.SetText(doc.Code.CodeNumber)
	d.notation.SetText(doc.Code.CodeNotation)
	d.place.SetText(doc.Place)
	if !doc.PromulgationDate.IsZero() {
		d.date.SetText(exchange.FormatDate(doc.PromulgationDate))
	}
	d.subject.SetText(doc.Subject)
	if a, body, ok := strings.Cut(doc.Signer.Competence, " "); ok && slices.Contains(edoc.Authorities, edoc.Authority(a)) {
		d.competence.SetSelectedIndex(slices.Index(edoc.Authorities, edoc.Authority(a)) + 1)
		d.body.SetText(body)
	}
	d.position.SetText(doc.Signer.Position)
	d.fullName.SetText(doc.Signer.FullName)
	if i := slices.Index(priorities, doc.Priority); i >= 0 {
		d.priority.SetSelectedIndex(i)
	}
	if doc.DueDate != nil {
		d.due.SetText(exchange.FormatDate(*doc.DueDate))
	}
	d.recipients = slices.Clone(doc.To)
	d.showRecipients()
}

// SetMain and AddAttachment choose files as the file dialog does.
func (d *Dialog) SetMain(path string) {
	d.mainPath = path
	d.mainLabel.SetText(filepath.Base(path))
	d.clearError("main")
}

// AddAttachment: see SetMain.
func (d *Dialog) AddAttachment(path string) {
	if slices.Contains(d.attachments, path) || path == d.mainPath {
		return
	}
	d.attachments = append(d.attachments, path)
	d.showAttachments()
}

func (d *Dialog) onChooseMain() {
	fd := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		r.Close()
		d.SetMain(r.URI().Path())
	}, d.win)
	fd.SetFilter(storage.NewExtensionFileFilter([]string{".pdf", ".PDF"}))
	fd.Resize(fyne.NewSize(900, 600))
	fd.Show()
}

func (d *Dialog) onAddAttachment() {
	fd := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		r.Close()
		d.AddAttachment(r.URI().Path())
	}, d.win)
	fd.Resize(fyne.NewSize(900, 600))
	fd.Show()
}

func (d *Dialog) showAttachments() {
	d.attachBox.Objects = nil
	if len(d.attachments) == 0 {
		l := widget.NewLabel(i18n.T("send.attachments.none"))
		l.Importance = widget.LowImportance
		d.attachBox.Add(l)
	}
	for _, p := range d.attachments {
		path := p
		name := widget.NewLabel(filepath.Base(path))
		name.Truncation = fyne.TextTruncateEllipsis
		rm := widget.NewButtonWithIcon(i18n.T("send.remove"), theme.DeleteIcon(), func() {
			d.attachments = slices.DeleteFunc(d.attachments, func(x string) bool { return x == path })
			d.showAttachments()
		})
		rm.Importance = widget.LowImportance
		d.attachBox.Add(container.NewBorder(nil, nil, nil, rm, name))
	}
	d.attachBox.Refresh()
}

// onSearchChanged lists the directory's agencies matching text.
func (d *Dialog) onSearchChanged(text string) {
	d.results = nil
	if dir := d.o.Directory; dir != nil {
		if strings.TrimSpace(text) == "" {
			d.results = dir.After("", 100)
		} else {
			d.results = dir.Search(text, 100)
		}
	}
	if len(d.results) == 0 && strings.TrimSpace(text) != "" {
		d.noMatch.Show()
	} else {
		d.noMatch.Hide()
	}
	d.found.UnselectAll()
	d.found.Refresh()
}

func (d *Dialog) onRecipientPicked(i widget.ListItemID) {
	d.found.Unselect(i)
	if i < 0 || i >= len(d.results) {
		return
	}
	e := d.results[i]
	if slices.ContainsFunc(d.recipients, func(o edoc.Organ) bool { return o.OrganID == e.Code }) {
		return
	}
	d.recipients = append(d.recipients, edoc.Organ{OrganID: e.Code, OrganName: e.Name, Email: e.Email, Telephone: e.Phone, OrganAdd: e.Address})
	d.showRecipients()
	d.clearError("to")
}

func (d *Dialog) showRecipients() {
	d.chosenBox.Objects = nil
	if len(d.recipients) == 0 {
		l := widget.NewLabel(i18n.T("send.to.none"))
		l.Wrapping = fyne.TextWrapWord
		l.Importance = widget.LowImportance
		d.chosenBox.Add(l)
	} else {
		d.chosenBox.Add(widget.NewLabel(i18n.T("send.to.chosen", len(d.recipients))))
	}
	for _, o := range d.recipients {
		id := o.OrganID
		name := widget.NewLabel(i18n.T("send.to.line", exchange.OrganName(o), o.OrganID))
		name.Truncation = fyne.TextTruncateEllipsis
		rm := widget.NewButtonWithIcon("", theme.DeleteIcon(), func() {
			d.recipients = slices.DeleteFunc(d.recipients, func(x edoc.Organ) bool { return x.OrganID == id })
			d.showRecipients()
		})
		rm.Importance = widget.LowImportance
		d.chosenBox.Add(container.NewBorder(nil, nil, nil, rm, name))
	}
	d.chosenBox.Refresh()
}

// document is what the form says, and the problems of what it cannot say
// (a missing main file, an unreadable date), by field.
func (d *Dialog) document() (edoc.Document, map[string]string) {
	probs := map[string]string{}
	doc := edoc.Document{
		From:     d.o.From,
		To:       slices.Clone(d.recipients),
		Code:     edoc.Code{CodeNumber: strings.TrimSpace(d.number.Text), CodeNotation: strings.TrimSpace(d.notation.Text)},
		Place:    strings.TrimSpace(d.place.Text),
		Subject:  strings.TrimSpace(d.subject.Text),
		Signer:   edoc.Signer{Position: strings.TrimSpace(d.position.Text), FullName: strings.TrimSpace(d.fullName.Text)},
		Priority: priorities[max(d.priority.SelectedIndex(), 0)],
	}
	doc.Type.TypeName = d.docType.Selected
	for i, t := range edoc.DocTypes {
		if t.Name == d.docType.Selected {
			doc.Type.Type = i + 1
		}
	}
	if i := d.competence.SelectedIndex(); i > 0 {
		doc.Signer.Competence = strings.TrimSpace(string(edoc.Authorities[i-1]) + " " + strings.TrimSpace(d.body.Text))
	}
	if date, ok := exchange.ParseDate(d.date.Text); ok {
		doc.PromulgationDate = date
	} else {
		probs["promulgation_date"] = i18n.T("send.err.date")
	}
	if s := strings.TrimSpace(d.due.Text); s != "" {
		if due, ok := exchange.ParseDate(s); ok {
			doc.DueDate = &due
		} else {
			probs["due_date"] = i18n.T("send.err.date")
		}
	}
	switch {
	case d.mainPath == "":
		probs["main"] = i18n.T("send.err.main")
	case !strings.EqualFold(filepath.Ext(d.mainPath), ".pdf"):
		probs["main"] = i18n.T("send.err.main-pdf")
	}
	return doc, probs
}

// check shows every problem of the form under its field; ok when none.
func (d *Dialog) check(doc edoc.Document, probs map[string]string) bool {
	var ve *edoc.ValidationError
	if err := doc.Validate(); errors.As(err, &ve) {
		for _, p := range ve.Problems {
			key := fieldKey(p.Field)
			if _, dup := probs[key]; dup {
				continue
			}
			text := p.VI
			if i18n.Current() == i18n.English {
				text = p.EN
			}
			if key == "from" {
				text = i18n.T("send.err.from", text)
				key = "general"
			}
			probs[key] = text
		}
	}
	for key, l := range d.errs {
		if text, ok := probs[key]; ok {
			l.SetText(text)
			l.Show()
		} else {
			l.Hide()
		}
	}
	// A problem of a field the form does not show goes to the bottom.
	var rest []string
	for key, text := range probs {
		if _, shown := d.errs[key]; !shown {
			rest = append(rest, text)
		}
	}
	if len(rest) > 0 {
		slices.Sort(rest)
		g := d.errs["general"]
		g.SetText(strings.TrimSpace(g.Text + "\n" + strings.Join(rest, "\n")))
		g.Show()
	}
	return len(probs) == 0
}

// fieldKey maps a FieldError's field to the form's error line.
func fieldKey(f string) string {
	switch {
	case f == "to" || strings.HasPrefix(f, "to["):
		return "to"
	case strings.HasPrefix(f, "attachments"):
		return "attachments"
	case strings.HasPrefix(f, "type"):
		return "type"
	case strings.HasPrefix(f, "signer.") && f != "signer.full_name" && f != "signer.position":
		return "signer.competence"
	case strings.HasPrefix(f, "from"):
		return "from"
	}
	return f
}

func (d *Dialog) clearError(key string) {
	if l := d.errs[key]; l != nil {
		l.Hide()
	}
}

// onSend checks the form, then the main PDF's signatures.
func (d *Dialog) onSend() {
	if d.busy {
		return
	}
	doc, probs := d.document()
	// The attachments are filled when the files are stored; validate
	// with placeholders so that their names are checked now.
	for _, p := range append([]string{d.mainPath}, d.attachments...) {
		if p != "" {
			doc.Attachments = append(doc.Attachments, edoc.Attachment{Role: edoc.RoleAttachment, Name: filepath.Base(p), SHA256: strings.Repeat("0", 64), ContentType: contentType(p)})
		}
	}
	if d.mainPath != "" {
		doc.Attachments[0].Role = edoc.RoleMain
	}
	if !d.check(doc, probs) {
		d.showStatus(i18n.T("send.fix"), widget.DangerImportance)
		return
	}
	d.setBusy(true, i18n.T("send.checking"))
	main, verifyFile := d.mainPath, d.o.Verify
	go func() {
		var rep *verify.Report
		var err error
		if verifyFile != nil {
			rep, err = verifyFile(context.Background(), main)
		}
		d.do(func() { d.onVerified(doc, rep, err) })
	}()
}

// onVerified sends a document signed by both, or asks first.
func (d *Dialog) onVerified(doc edoc.Document, rep *verify.Report, err error) {
	if d.closed {
		return
	}
	person, agency := signui.ValidSignatures(rep)
	if err == nil && person && agency {
		d.store(doc)
		return
	}
	lines := []string{i18n.T("send.confirm.head", filepath.Base(d.mainPath))}
	if !person {
		lines = append(lines, i18n.T("send.confirm.person"))
	}
	if !agency {
		lines = append(lines, i18n.T("send.confirm.agency"))
	}
	if err != nil {
		lines = append(lines, i18n.T("send.confirm.unchecked", err.Error()))
	}
	lines = append(lines, "", i18n.T("send.confirm.why"))
	c := dialog.NewCustomConfirm(i18n.T("send.confirm.title"), i18n.T("send.confirm.yes"), i18n.T("send.confirm.no"),
		exchange.Wrapped(strings.Join(lines, "\n"), 480), func(yes bool) {
			d.confirm = nil
			if yes {
				d.store(doc)
				return
			}
			d.setBusy(false, "")
			d.showStatus(i18n.T("send.not-sent"), widget.WarningImportance)
		}, d.win)
	d.confirm = c
	c.Show()
}

// store puts the files and the document into the cache on a goroutine.
func (d *Dialog) store(doc edoc.Document) {
	d.setBusy(true, i18n.T("send.storing"))
	files := append([]string{d.mainPath}, d.attachments...)
	st, id := d.o.Store, d.id
	go func() {
		err := queue(st, doc, files, id)
		d.do(func() { d.onStored(err) })
	}()
}

// queue stores files as blobs, then queues doc with them under id. A
// document already queued under id (Gửi pressed again after an error
// reading the answer) is not an error.
func queue(st Store, doc edoc.Document, files []string, id string) error {
	doc.Attachments = nil
	for i, p := range files {
		a, err := putFile(st, p)
		if err != nil {
			return err
		}
		a.Role = edoc.RoleAttachment
		if i == 0 {
			a.Role = edoc.RoleMain
		}
		doc.Attachments = append(doc.Attachments, a)
	}
	err := st.Queue(doc, id)
	if errors.Is(err, store.ErrExists) {
		return nil
	}
	return err
}

func putFile(st Store, path string) (edoc.Attachment, error) {
	f, err := os.Open(path)
	if err != nil {
		return edoc.Attachment{}, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	defer f.Close()
	sha, size, err := st.PutBlob(f)
	if err != nil {
		return edoc.Attachment{}, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	return edoc.Attachment{Name: filepath.Base(path), ContentType: contentType(path), SHA256: sha, Size: size}, nil
}

func contentType(path string) string {
	if strings.EqualFold(filepath.Ext(path), ".pdf") {
		return "application/pdf"
	}
	if t := mime.TypeByExtension(strings.ToLower(filepath.Ext(path))); t != "" {
		t, _, _ = strings.Cut(t, ";")
		return t
	}
	return "application/octet-stream"
}

func (d *Dialog) onStored(err error) {
	if err != nil {
		d.setBusy(false, "")
		d.showStatus(i18n.T("send.err.store", err.Error()), widget.DangerImportance)
		return
	}
	if d.o.SyncNow != nil {
		d.o.SyncNow()
	}
	d.busy = false
	d.dlg.Hide()
	if d.o.OnQueued != nil {
		d.o.OnQueued(d.id)
	}
}

func (d *Dialog) onCancel() {
	if d.confirm != nil {
		d.confirm.Hide()
	}
	d.dlg.Hide()
}

func (d *Dialog) setBusy(busy bool, text string) {
	d.busy = busy
	for _, w := range []fyne.Disableable{d.sendBtn, d.docType, d.number, d.notation, d.place, d.date, d.subject,
		d.competence, d.body, d.position, d.fullName, d.priority, d.due, d.search} {
		if busy {
			w.Disable()
		} else {
			w.Enable()
		}
	}
	if busy {
		d.progress.Show()
		d.progress.Start()
		d.showStatus(text, widget.MediumImportance)
	} else {
		d.progress.Stop()
		d.progress.Hide()
		d.showStatus(text, widget.MediumImportance)
	}
}

func (d *Dialog) showStatus(text string, imp widget.Importance) {
	d.status.SetText(text)
	d.status.Importance = imp
	if text == "" {
		d.status.Hide()
	} else {
		d.status.Show()
	}
	d.status.Refresh()
}
