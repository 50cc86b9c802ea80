package work

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/vanthuso/vanthu/app/exchange"
	"github.com/vanthuso/vanthu/app/i18n"
	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/sync/protocol"
)

// handled are the actions this screen has a dialog for; approve (ký
// duyệt on the token) opens Options.Sign instead (approve.go).
var handled = map[string]bool{
	protocol.ActionRegister: true, protocol.ActionReturn: true, protocol.ActionPresent: true,
	protocol.ActionAssign: true, protocol.ActionProgress: true, protocol.ActionDone: true,
	protocol.ActionNote: true, protocol.ActionReject: true, protocol.ActionNumber: true,
	protocol.ActionWithdraw: true, ActionRefuseRevoke: true,
}

// ReturnReasons are the reasons a clerk returns an arrived document for
// (Nghị định 30/2020: misaddressed, invalid or missing signature), by
// i18n key; "other" needs a text.
var ReturnReasons = []string{"misaddressed", "invalid-signature", "no-signature", "other"}

// form is the action dialog open now: its fields by name and what
// pressing its confirm button does.
type form struct {
	action string
	fields map[string]fyne.CanvasObject
	// info holds read-only lines shown (verdicts, the duplicate warning).
	info   []string
	submit func() error
	d      dialog.Dialog
}

func showError(err error, w fyne.Window) { dialog.ShowError(err, w) }

// relayout sizes the dialog to its content again (the staff arrived).
func (f *form) relayout() {
	if f.d != nil {
		f.d.Resize(fyne.NewSize(640, 0))
	}
}

// parseDate reads dd/mm/yyyy ("" is no date).
func parseDate(s string) (*edoc.Date, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	t, err := time.Parse("2/1/2006", s)
	if err != nil {
		return nil, errors.New(i18n.T("work.err.date", s))
	}
	d := edoc.DateOf(time.Date(t.Year(), t.Month(), t.Day(), 12, 0, 0, 0, edoc.Vietnam))
	return &d, nil
}

func (s *Screen) openAction(action string, it Item) {
	f := &form{action: action, fields: map[string]fyne.CanvasObject{}}
	var items []*widget.FormItem
	addField := func(name string, o fyne.CanvasObject) {
		f.fields[name] = o
		items = append(items, widget.NewFormItem(i18n.T("work.field."+name), o))
	}
	base := protocol.ActionRequest{Action: action, CaseID: it.Key}
	text := func(name string) string {
		switch w := f.fields[name].(type) {
		case *widget.Entry:
			return strings.TrimSpace(w.Text)
		case *widget.Select:
			return w.Selected
		}
		return ""
	}
	switch action {
	case protocol.ActionRegister:
		if it.Doc != nil || it.Case != nil {
			for _, line := range s.verdictsOf(it) {
				f.info = append(f.info, line)
			}
		}
		for _, e := range Duplicates(it.Document(), it.Key, s.cases) {
			f.info = append(f.info, i18n.T("work.duplicate", e.Number, formatTime(e.Registered)))
		}
		addField("handler", widget.NewEntry())
		due := widget.NewEntry()
		due.SetPlaceHolder("dd/mm/yyyy")
		if d := it.Document().DueDate; d != nil {
			due.SetText(formatDate(*d))
		}
		addField("due", due)
		f.submit = func() error {
			d, err := parseDate(text("due"))
			if err != nil {
				return err
			}
			base.Handler, base.Due = text("handler"), d
			return s.queue(base)
		}
	case protocol.ActionReturn:
		labels := make([]string, len(ReturnReasons))
		for i, r := range ReturnReasons {
			labels[i] = i18n.T("work.reason." + r)
		}
		reason := widget.NewSelect(labels, nil)
		addField("reason", reason)
		addField("text", widget.NewMultiLineEntry())
		f.submit = func() error {
			i := reason.SelectedIndex()
			if i < 0 {
				return errors.New(i18n.T("work.err.reason"))
			}
			// The sender reads the reason: in Vietnamese, as the law's
			// wording, whatever the user's language.
			r := i18n.In(i18n.Vietnamese, "work.reason."+ReturnReasons[i])
			if t := text("text"); t != "" {
				r += ": " + t
			} else if ReturnReasons[i] == "other" {
				return errors.New(i18n.T("work.err.reason-text"))
			}
			base.Reason = r
			return s.queue(base)
		}
	case protocol.ActionPresent:
		leaders := widget.NewSelect(nil, nil)
		leaders.PlaceHolder = i18n.T("work.choose")
		addField("leader", leaders)
		var staff []protocol.User
		s.loadStaff(func(users []protocol.User) {
			staff = nil
			var names []string
			for _, u := range users {
				if HasRole(u, protocol.RoleLeader) {
					staff = append(staff, u)
					names = append(names, u.Name)
				}
			}
			leaders.SetOptions(names)
			f.relayout()
		})
		f.submit = func() error {
			i := leaders.SelectedIndex()
			if i < 0 || i >= len(staff) {
				return errors.New(i18n.T("work.err.leader"))
			}
			base.To = staff[i].ID
			return s.queue(base)
		}
	case protocol.ActionAssign:
		addField("instruction", widget.NewMultiLineEntry())
		lead := widget.NewSelect(nil, nil)
		lead.PlaceHolder = i18n.T("work.choose")
		addField("lead", lead)
		addField("lead-unit", widget.NewEntry())
		coop := widget.NewCheckGroup(nil, nil)
		addField("cooperating", coop)
		addField("cooperating-units", widget.NewEntry())
		due := widget.NewEntry()
		due.SetPlaceHolder("dd/mm/yyyy")
		addField("due", due)
		var staff []protocol.User
		s.loadStaff(func(users []protocol.User) {
			staff = users
			var names []string
			for _, u := range users {
				names = append(names, u.Name)
			}
			lead.SetOptions(names)
			coop.Options = names
			coop.Refresh()
			f.relayout()
		})
		f.submit = func() error {
			d, err := parseDate(text("due"))
			if err != nil {
				return err
			}
			base.Instruction, base.Due = text("instruction"), d
			if i := lead.SelectedIndex(); i >= 0 && i < len(staff) {
				base.Lead = &protocol.Assignee{UserID: staff[i].ID}
			} else if u := text("lead-unit"); u != "" {
				base.Lead = &protocol.Assignee{Unit: u}
			} else {
				return errors.New(i18n.T("work.err.lead"))
			}
			for _, name := range coop.Selected {
				for _, u := range staff {
					if u.Name == name && u.ID != base.Lead.UserID {
						base.Cooperating = append(base.Cooperating, protocol.Assignee{UserID: u.ID})
						break
					}
				}
			}
			for _, unit := range strings.Split(text("cooperating-units"), ";") {
				if unit = strings.TrimSpace(unit); unit != "" {
					base.Cooperating = append(base.Cooperating, protocol.Assignee{Unit: unit})
				}
			}
			return s.queue(base)
		}
	case protocol.ActionProgress, protocol.ActionDone, protocol.ActionNote, protocol.ActionReject:
		addField("text", widget.NewMultiLineEntry())
		withFile := action == protocol.ActionDone || action == protocol.ActionNote
		var file *widget.Entry
		if withFile {
			file = widget.NewEntry()
			file.SetPlaceHolder(i18n.T("work.field.file-hint"))
			pick := widget.NewButton(i18n.T("work.pick-file"), func() {
				dialog.ShowFileOpen(func(rc fyne.URIReadCloser, err error) {
					if err == nil && rc != nil {
						file.SetText(rc.URI().Path())
						rc.Close()
					}
				}, s.o.Window)
			})
			f.fields["file"] = file
			items = append(items, widget.NewFormItem(i18n.T("work.field.file"), container.NewBorder(nil, nil, nil, pick, file)))
		}
		f.submit = func() error {
			base.Text = text("text")
			if withFile && strings.TrimSpace(file.Text) != "" {
				sha, err := s.putFile(strings.TrimSpace(file.Text))
				if err != nil {
					return err
				}
				base.Files = []string{sha}
			}
			if base.Text == "" && len(base.Files) == 0 && action != protocol.ActionProgress {
				return errors.New(i18n.T("work.err.text"))
			}
			return s.queue(base)
		}
	case protocol.ActionNumber:
		f.submit = func() error { return s.queue(base) }
	case protocol.ActionWithdraw:
		// 15 to the sender: the copy leaves the active lists, stays in
		// the audit trail.
		f.info = append(f.info, i18n.T("work.withdraw.info"))
		addField("text", widget.NewMultiLineEntry())
		f.submit = func() error {
			base.Text = text("text")
			if base.Text == "" {
				base.Text = i18n.In(i18n.Vietnamese, "work.withdraw.default")
			}
			return s.queue(base)
		}
	case ActionRefuseRevoke:
		addField("reason", widget.NewMultiLineEntry())
		f.submit = func() error {
			r := text("reason")
			if r == "" {
				return errors.New(i18n.T("work.err.refuse-reason"))
			}
			return s.queueStatus(it.Key, edoc.StatusChangeRefused, r)
		}
	default:
		return
	}
	s.form = f
	title := i18n.T("work.action." + action)
	var content []fyne.CanvasObject
	for _, line := range f.info {
		content = append(content, exchange.Wrapped(line, 560))
	}
	content = append(content, widget.NewForm(items...))
	if s.o.Window == nil {
		return
	}
	f.d = dialog.NewCustomConfirm(title, i18n.T("work.ok"), i18n.T("work.cancel"), container.NewVBox(content...), func(ok bool) {
		if !ok {
			return
		}
		if err := f.submit(); err != nil {
			showError(err, s.o.Window)
		}
	}, s.o.Window)
	f.d.Resize(fyne.NewSize(640, 0))
	f.d.Show()
}

// putFile copies a result file into the cache (store.PutBlob) and
// returns its SHA-256; the engine uploads it before the action.
func (s *Screen) putFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("%s: %w", i18n.T("work.err.file"), err)
	}
	defer f.Close()
	sha, _, err := s.o.Store.PutBlob(f)
	if err != nil {
		return "", fmt.Errorf("%s: %w", i18n.T("work.err.file"), err)
	}
	return sha, nil
}

// verdictsOf is the verdict lines of the item's document, from the
// cached inbox document with its key.
func (s *Screen) verdictsOf(it Item) []string {
	if it.Doc != nil {
		return Verdicts(*it.Doc)
	}
	d, err := s.o.Store.Get(it.Key)
	if err != nil {
		return []string{i18n.T("work.verify.none")}
	}
	return Verdicts(d)
}

// loadStaff calls fill on the UI goroutine with the agency's users.
func (s *Screen) loadStaff(fill func([]protocol.User)) {
	if s.o.Staff == nil {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		users, err := s.o.Staff(ctx)
		s.do(func() {
			if err != nil && len(users) == 0 {
				s.showError(fmt.Errorf("%s: %w", i18n.T("work.err.staff"), err))
				return
			}
			fill(users)
		})
	}()
}

// StaffCache remembers the last answer of a staff listing, so that the
// dialogs still offer the agency's users offline. Safe for concurrent
// use.
type StaffCache struct {
	// Fetch asks the server (sync/client's Client.Staff).
	Fetch func(ctx context.Context) ([]protocol.User, error)

	mu   sync.Mutex
	last []protocol.User
}

// Staff answers Fetch's users, keeping them; when Fetch fails it
// answers the last users it kept with the error (nil users if none).
func (c *StaffCache) Staff(ctx context.Context) ([]protocol.User, error) {
	users, err := c.Fetch(ctx)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		return append([]protocol.User(nil), c.last...), err
	}
	c.last = append([]protocol.User(nil), users...)
	return users, nil
}
