package app

import (
	"crypto/x509"
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/vanthuso/vanthu/app/i18n"
	"github.com/vanthuso/vanthu/signing/stamp"
	"github.com/vanthuso/vanthu/signing/trustlist"
)

// trustSection is the settings screen's view of the workstation's trust
// list (the one vanthuctl trust edits). Changes stay in memory until the
// screen's Save writes them (trustlist.List.Save, atomic); Cancel or
// closing the window drops them.
type trustSection struct {
	sc *settingsScreen
	// list is nil when the store's folder is unknown or the shipped list
	// is defective (loadErr says why).
	list    *trustlist.List
	loadErr error
	// damaged: the store file could not be read; the list holds the
	// shipped entries only and cannot be saved until reset.
	damaged bool
	dirty   bool
	// readOnly: the demo, whose settings are not the user's, does not
	// change the workstation's list.
	readOnly bool

	rows    *fyne.Container
	status  *widget.Label
	note    *widget.Label
	add     *widget.Button
	reset   *widget.Button
	entries []trustlist.Entry // as shown, one per row
}

func newTrustSection(sc *settingsScreen) *trustSection {
	ts := &trustSection{sc: sc, readOnly: sc.demo}
	dir := sc.s.trustStoreDir
	if dir == "" {
		d, err := trustlist.DefaultDir()
		if err != nil {
			ts.loadErr = err
			return ts
		}
		dir = d
	}
	l, err := trustlist.Load(dir)
	var se *trustlist.StoreError
	switch {
	case errors.As(err, &se):
		ts.list, ts.loadErr, ts.damaged = l, err, true
	case err != nil:
		ts.loadErr = err
	default:
		ts.list = l
	}
	return ts
}

// build returns the section's content.
func (ts *trustSection) build() fyne.CanvasObject {
	ts.rows = container.NewVBox()
	ts.status = wrapLabel("")
	ts.note = wrapLabel("")
	ts.note.Importance = widget.SuccessImportance
	ts.note.Hide()
	ts.add = widget.NewButtonWithIcon(i18n.T("app.set.tl.add"), theme.ContentAddIcon(), ts.onBrowseAdd)
	ts.reset = widget.NewButtonWithIcon(i18n.T("app.set.tl.reset"), theme.HistoryIcon(), ts.onReset)
	ts.fill()
	// The list scrolls in a box of its own: with the twenty-odd shipped
	// entries inline, the settings below it would be screens away.
	list := container.NewVScroll(ts.rows)
	list.SetMinSize(fyne.NewSize(0, trustListHeight))
	return container.NewVBox(ts.status, list, container.NewHBox(ts.add, ts.reset), ts.note)
}

// trustListHeight is the height of the trust list's box: about five
// entries.
const trustListHeight = 420

// fill shows the list's current state.
func (ts *trustSection) fill() {
	defer ts.sc.relayout()
	ts.rows.Objects = nil
	ts.entries = nil
	switch {
	case ts.list == nil:
		ts.status.SetText(i18n.T("app.set.tl.err.load", errText(ts.loadErr)))
		ts.status.Importance = widget.DangerImportance
		ts.add.Disable()
		ts.reset.Disable()
		ts.rows.Refresh()
		return
	case ts.damaged:
		ts.status.SetText(i18n.T("app.set.tl.err.damaged", ts.list.Path(), errText(errors.Unwrap(ts.loadErr))))
		ts.status.Importance = widget.DangerImportance
	case ts.readOnly:
		ts.status.SetText(i18n.T("app.set.tl.demo"))
		ts.status.Importance = widget.WarningImportance
	default:
		n := 0
		for _, e := range ts.list.Entries() {
			if e.Trusted {
				n++
			}
		}
		ts.status.SetText(i18n.T("app.set.tl.head", len(ts.list.Entries()), n))
		ts.status.Importance = widget.MediumImportance
	}
	ts.status.Refresh()
	editable := !ts.readOnly && !ts.damaged
	for _, e := range ts.list.Entries() {
		ts.entries = append(ts.entries, e)
		ts.rows.Objects = append(ts.rows.Objects, ts.row(e, editable))
	}
	ts.rows.Refresh()
	if editable {
		ts.add.Enable()
	} else {
		ts.add.Disable()
	}
	if ts.readOnly {
		ts.reset.Disable()
	} else {
		ts.reset.Enable()
	}
}

// row shows one entry: its name; its state, role, origin and
// organisation; its validity and shortened fingerprint. One button shows
// the details, one takes the entry out of effect or puts it back.
func (ts *trustSection) row(e trustlist.Entry, editable bool) fyne.CanvasObject {
	icon := widget.NewIcon(theme.ConfirmIcon())
	if !e.Trusted {
		icon.SetResource(theme.CancelIcon())
	}
	name := widget.NewLabelWithStyle(e.Name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	name.Truncation = fyne.TextTruncateEllipsis
	parts := []string{trustStateText(e), roleText(e.Role), originText(e.Origin)}
	if e.Organization != "" && e.Organization != e.Name {
		parts = append(parts, e.Organization)
	}
	info := widget.NewLabel(strings.Join(parts, " · "))
	info.Truncation = fyne.TextTruncateEllipsis
	info.Importance = widget.LowImportance
	dates := widget.NewLabel(i18n.T("app.set.tl.valid", e.Cert.NotBefore.In(stamp.Vietnam).Format("02/01/2006"), e.Cert.NotAfter.In(stamp.Vietnam).Format("02/01/2006")) +
		" · SHA-256 " + shortFingerprint(e.SHA256))
	dates.Truncation = fyne.TextTruncateEllipsis
	dates.Importance = widget.LowImportance
	if !e.Trusted {
		name.Importance = widget.LowImportance
	}
	fp := e.SHA256
	detail := widget.NewButtonWithIcon("", theme.InfoIcon(), func() { ts.showDetail(fp) })
	detail.Importance = widget.LowImportance
	var act *widget.Button
	if e.Trusted {
		act = widget.NewButtonWithIcon(i18n.T("app.set.tl.remove"), theme.DeleteIcon(), func() { ts.onRemove(fp) })
	} else {
		act = widget.NewButtonWithIcon(i18n.T("app.set.tl.trust"), theme.ConfirmIcon(), func() { ts.onTrust(fp) })
	}
	if !editable {
		act.Disable()
	}
	// The buttons sit on the name's line, so that the lines below have
	// the whole width (the validity and fingerprint are not cut).
	top := container.NewBorder(nil, nil, nil, container.NewHBox(detail, act), name)
	return container.NewBorder(nil, nil, icon, nil, container.NewVBox(top, info, dates))
}

func roleText(r trustlist.Role) string {
	switch r {
	case trustlist.Root:
		return i18n.T("app.set.tl.role.root")
	case trustlist.Intermediate:
		return i18n.T("app.set.tl.role.intermediate")
	case trustlist.TSA:
		return i18n.T("app.set.tl.role.tsa")
	case trustlist.Candidate:
		return i18n.T("app.set.tl.role.candidate")
	}
	return r.String()
}

func originText(o trustlist.Origin) string {
	if o == trustlist.User {
		return i18n.T("app.set.tl.origin.user")
	}
	return i18n.T("app.set.tl.origin.default")
}

func trustStateText(e trustlist.Entry) string {
	switch {
	case e.Removed:
		return i18n.T("app.set.tl.state.removed")
	case e.Trusted:
		return i18n.T("app.set.tl.state.trusted")
	}
	return i18n.T("app.set.tl.state.untrusted")
}

// shortFingerprint is the first and last four bytes of a fingerprint.
func shortFingerprint(fp string) string {
	if len(fp) < 24 {
		return fp
	}
	return fp[:11] + "…" + fp[len(fp)-11:]
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func (ts *trustSection) lookup(fp string) (trustlist.Entry, bool) {
	for _, e := range ts.list.Entries() {
		if e.SHA256 == fp {
			return e, true
		}
	}
	return trustlist.Entry{}, false
}

// showDetail shows everything about an entry, the full fingerprint
// selectable.
func (ts *trustSection) showDetail(fp string) {
	e, ok := ts.lookup(fp)
	if !ok {
		return
	}
	fpEntry := widget.NewEntry()
	fpEntry.SetText(e.SHA256)
	lines := []string{
		i18n.T("app.set.tl.d.subject", e.Cert.Subject.String()),
		i18n.T("app.set.tl.d.issuer", e.Cert.Issuer.String()),
		i18n.T("app.set.tl.d.role", roleText(e.Role), originText(e.Origin), trustStateText(e)),
		i18n.T("app.set.tl.valid", e.Cert.NotBefore.In(stamp.Vietnam).Format("02/01/2006 15:04"), e.Cert.NotAfter.In(stamp.Vietnam).Format("02/01/2006 15:04")),
	}
	if e.File != "" {
		lines = append(lines, i18n.T("app.set.tl.d.file", e.File))
	}
	if e.Note != "" {
		lines = append(lines, e.Note)
	}
	body := container.NewVBox(wrapLabel(strings.Join(lines, "\n")), widget.NewLabel(i18n.T("app.set.tl.d.fp")), fpEntry)
	d := dialog.NewCustom(e.Name, i18n.T("app.set.tl.close"), body, ts.sc.win)
	d.Resize(fyne.NewSize(640, 360))
	d.Show()
}

// confirm asks before a change; ok runs on Yes.
func (ts *trustSection) confirm(title, msg, yes string, ok func()) {
	d := dialog.NewCustomConfirm(title, yes, i18n.T("app.set.cancel"), wrapLabel(msg), func(b bool) {
		if b {
			ok()
		}
	}, ts.sc.win)
	d.Resize(fyne.NewSize(560, 240))
	d.Show()
}

// changed notes a change made in memory.
func (ts *trustSection) changed(msg string) {
	ts.dirty = true
	ts.note.SetText(msg + " " + i18n.T("app.set.tl.unsaved"))
	ts.note.Importance = widget.SuccessImportance
	ts.note.Show()
	ts.fill()
}

func (ts *trustSection) failed(msg string) {
	ts.note.SetText(msg)
	ts.note.Importance = widget.DangerImportance
	ts.note.Show()
	ts.sc.relayout()
}

// onRemove asks, then takes the entry out of effect.
func (ts *trustSection) onRemove(fp string) {
	e, ok := ts.lookup(fp)
	if !ok || !e.Trusted {
		return
	}
	key := "app.set.tl.confirm-remove"
	if e.Origin == trustlist.User {
		key = "app.set.tl.confirm-remove-user"
	}
	ts.confirm(i18n.T("app.set.tl.remove-title"), i18n.T(key, e.Name, roleText(e.Role), e.SHA256), i18n.T("app.set.tl.remove"), func() {
		if err := ts.list.Remove(fp); err != nil {
			ts.failed(i18n.T("app.set.tl.err.other", err.Error()))
			return
		}
		ts.changed(i18n.T("app.set.tl.removed", e.Name))
	})
}

// onTrust asks, then puts a removed shipped entry back or trusts a
// candidate.
func (ts *trustSection) onTrust(fp string) {
	e, ok := ts.lookup(fp)
	if !ok || e.Trusted {
		return
	}
	key := "app.set.tl.confirm-retrust"
	if e.Role == trustlist.Candidate {
		key = "app.set.tl.confirm-candidate"
	}
	ts.confirm(i18n.T("app.set.tl.trust-title"), i18n.T(key, e.Name, e.SHA256), i18n.T("app.set.tl.trust"), func() {
		e, err := ts.list.Trust(fp)
		if err != nil && !errors.Is(err, trustlist.ErrAlreadyPresent) {
			ts.failed(i18n.T("app.set.tl.err.other", err.Error()))
			return
		}
		ts.changed(i18n.T("app.set.tl.trusted", e.Name, roleText(e.Role)))
	})
}

// onReset asks, then goes back to the shipped list (also from a damaged
// store).
func (ts *trustSection) onReset() {
	ts.confirm(i18n.T("app.set.tl.reset-title"), i18n.T("app.set.tl.confirm-reset"), i18n.T("app.set.tl.reset"), func() {
		ts.list.Reset()
		ts.damaged, ts.loadErr = false, nil
		ts.changed(i18n.T("app.set.tl.was-reset"))
	})
}

func (ts *trustSection) onBrowseAdd() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		path := r.URI().Path()
		r.Close()
		ts.addFile(path)
	}, ts.sc.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".pem", ".crt", ".cer", ".der", ".p7b", ".p7c"}))
	d.Resize(fyne.NewSize(700, 500))
	d.Show()
}

// addFile reads the certificates of path and, once the user confirms
// them, adds them all (a file that cannot be read, holds none, or holds
// a certificate that is not a CA changes nothing).
func (ts *trustSection) addFile(path string) {
	certs, err := trustlist.ReadCertificates(path)
	if err != nil {
		ts.failed(i18n.T("app.set.tl.err.read", path, err.Error()))
		return
	}
	if len(certs) == 0 {
		ts.failed(i18n.T("app.set.tl.err.empty", path))
		return
	}
	var lines []string
	for _, c := range certs {
		role, err := trustlist.Classify(c)
		if err != nil {
			ts.failed(i18n.T("app.set.tl.err.end-entity", c.Subject.String(), path))
			return
		}
		lines = append(lines, i18n.T("app.set.tl.file-cert", c.Subject.String(), roleText(role), trustlist.Fingerprint(c)))
	}
	msg := i18n.T("app.set.tl.confirm-add", len(certs), path) + "\n\n" + strings.Join(lines, "\n\n")
	ts.confirm(i18n.T("app.set.tl.add-title"), msg, i18n.T("app.set.tl.add-yes"), func() { ts.addCerts(certs) })
}

// addCerts adds certs to the list in memory.
func (ts *trustSection) addCerts(certs []*x509.Certificate) {
	var msgs []string
	for _, c := range certs {
		e, err := ts.list.Add(c)
		switch {
		case errors.Is(err, trustlist.ErrAlreadyPresent):
			msgs = append(msgs, i18n.T("app.set.tl.already", e.Name, roleText(e.Role)))
		case errors.Is(err, trustlist.ErrEndEntity):
			ts.failed(i18n.T("app.set.tl.err.end-entity", c.Subject.String(), ""))
			return
		case err != nil:
			ts.failed(i18n.T("app.set.tl.err.other", err.Error()))
			return
		case e.Origin == trustlist.Default:
			msgs = append(msgs, i18n.T("app.set.tl.trusted", e.Name, roleText(e.Role)))
		default:
			msgs = append(msgs, i18n.T("app.set.tl.added", e.Name, roleText(e.Role)))
		}
	}
	ts.changed(strings.Join(msgs, " "))
}

// save writes the list if it changed; the error is a sentence for the
// screen.
func (ts *trustSection) save() string {
	if !ts.dirty || ts.list == nil || ts.readOnly {
		return ""
	}
	if err := ts.list.Save(); err != nil {
		return i18n.T("app.set.tl.err.save", err.Error())
	}
	ts.dirty = false
	return ""
}
