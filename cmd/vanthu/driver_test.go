package main

// The end-to-end test's driver: compiled into the test binary only, it
// runs inside the real client (the test binary re-executed as the app,
// envRunApp) and works the window as a user would, through its widgets:
// it taps the buttons a user taps and types into the fields a user
// types into, then writes what it saw to a file for the test.

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/vanthuso/vanthu/app/exchange"
	"github.com/vanthuso/vanthu/app/i18n"
	"github.com/vanthuso/vanthu/sync/protocol"
)

// Environment of the driver.
const (
	envDriver  = "VANTHU_E2E_DRIVER"  // "send" or "receive"
	envResult  = "VANTHU_E2E_RESULT"  // the JSON file the driver writes (driverResult)
	envSubject = "VANTHU_E2E_SUBJECT" // trích yếu of the document sent and looked for
	envSendTo  = "VANTHU_E2E_TO"      // what the sender types in the recipient search
	envSendDoc = "VANTHU_E2E_DOC"     // the tab (file name) of the document to send

	// The work roles (work_e2e_test.go).
	envCode        = "VANTHU_E2E_CODE"        // số, ký hiệu of the document worked on
	envLeader      = "VANTHU_E2E_LEADER"      // the leader's name the clerk presents to
	envLeadUnit    = "VANTHU_E2E_UNIT"        // the unit the leader types as chủ trì
	envInstruction = "VANTHU_E2E_INSTRUCTION" // the leader's ý kiến chỉ đạo
)

// driverResult is what the driver reports.
type driverResult struct {
	Step  string   `json:"step"`            // the last step done
	Error string   `json:"error,omitempty"` // why it stopped
	Texts []string `json:"texts,omitempty"` // the inbox screen's texts, for the receiver
}

// startDriver installs the driver named by envDriver, if any.
func startDriver() {
	role := os.Getenv(envDriver)
	if role == "" {
		return
	}
	windowHook = func(a fyne.App, w fyne.Window) {
		d := &driver{a: a, w: w, out: os.Getenv(envResult)}
		go d.run(role)
	}
}

type driver struct {
	a   fyne.App
	w   fyne.Window
	out string
}

// step limits.
const (
	driverWait = 2 * time.Minute
	driverPoll = 300 * time.Millisecond
)

func (d *driver) run(role string) {
	defer func() {
		if r := recover(); r != nil {
			d.report(driverResult{Step: "panic", Error: fmt.Sprint(r)})
		}
	}()
	var err error
	switch role {
	case "send":
		err = d.send()
	case "receive":
		err = d.receive()
	case "register":
		err = d.registerAndPresent()
	case "assign":
		err = d.assign()
	case "online":
		err = d.waitOnline()
		if err == nil {
			d.report(driverResult{Step: "online"})
		}
	default:
		err = fmt.Errorf("unknown driver %q", role)
	}
	if err != nil {
		d.report(driverResult{Step: "failed", Error: err.Error()})
	}
}

// report writes r to the result file atomically.
func (d *driver) report(r driverResult) {
	data, _ := json.Marshal(r)
	tmp := d.out + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err == nil {
		os.Rename(tmp, d.out)
	}
}

// ui runs f on the UI goroutine and waits.
func ui(f func()) { fyne.DoAndWait(f) }

// waitUI polls cond on the UI goroutine until it holds.
func waitUI(what string, cond func() bool) error {
	deadline := time.Now().Add(driverWait)
	for {
		ok := false
		ui(func() { ok = cond() })
		if ok {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("timed out waiting for %s", what)
		}
		time.Sleep(driverPoll)
	}
}

// walk visits o and what it is made of (containers' objects, widgets'
// renderers), visible parts only, until visit returns true.
func walk(o fyne.CanvasObject, visit func(fyne.CanvasObject) bool) bool {
	if o == nil || !o.Visible() {
		return false
	}
	if visit(o) {
		return true
	}
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			if walk(c, visit) {
				return true
			}
		}
	case fyne.Widget:
		if r := test.WidgetRenderer(x); r != nil {
			for _, c := range r.Objects() {
				if walk(c, visit) {
					return true
				}
			}
		}
	}
	return false
}

// roots are the window's content and its overlays (dialogs), topmost
// last.
func (d *driver) roots() []fyne.CanvasObject {
	c := d.w.Canvas()
	return append([]fyne.CanvasObject{c.Content()}, c.Overlays().List()...)
}

// find returns the first object of the roots for which match holds.
func find[T fyne.CanvasObject](roots []fyne.CanvasObject, match func(T) bool) (T, bool) {
	var found T
	ok := false
	for _, r := range roots {
		if walk(r, func(o fyne.CanvasObject) bool {
			if t, is := o.(T); is && match(t) {
				found, ok = t, true
				return true
			}
			return false
		}) {
			break
		}
	}
	return found, ok
}

// texts are the texts shown under o.
func texts(o fyne.CanvasObject) []string {
	var out []string
	walk(o, func(o fyne.CanvasObject) bool {
		switch x := o.(type) {
		case *canvas.Text:
			if s := strings.TrimSpace(x.Text); s != "" {
				out = append(out, s)
			}
		}
		return false
	})
	return out
}

func (d *driver) button(text string, prefix bool) (*widget.Button, bool) {
	return find(d.roots(), func(b *widget.Button) bool {
		return b.Text == text || (prefix && strings.HasPrefix(b.Text, text))
	})
}

// tap taps the button with the text (or the prefix).
func (d *driver) tap(text string, prefix bool) error {
	err := waitUI("the button “"+text+"”", func() bool {
		b, ok := d.button(text, prefix)
		if !ok || b.Disabled() {
			return false
		}
		b.Tapped(&fyne.PointEvent{}) // may disable it: the work is started
		return true
	})
	if err != nil {
		var shown []string
		ui(func() {
			find(d.roots(), func(b *widget.Button) bool {
				shown = append(shown, fmt.Sprintf("%q disabled=%v", b.Text, b.Disabled()))
				return false
			})
		})
		var tree []string
		ui(func() {
			for _, o := range d.w.Canvas().Overlays().List() {
				walk(o, func(o fyne.CanvasObject) bool {
					tree = append(tree, fmt.Sprintf("%T", o))
					return false
				})
			}
		})
		return fmt.Errorf("%w; buttons shown: %s; overlays: %s", err, strings.Join(shown, ", "), strings.Join(tree, " "))
	}
	return nil
}

// waitOnline waits for the status bar to say the client is online (the
// demo user signed in, the first sync done).
func (d *driver) waitOnline() error {
	online := i18n.T("app.x.online")
	return waitUI("the client online", func() bool {
		_, ok := find(d.roots(), func(l *widget.Label) bool { return strings.HasPrefix(l.Text, online) })
		return ok
	})
}

// formCell is the field of the row of a form whose label is label (the
// send dialog lays its fields out with layout.NewFormLayout, as
// widget.Form does).
func formCell(roots []fyne.CanvasObject, label string) (fyne.CanvasObject, bool) {
	var found fyne.CanvasObject
	formType := fmt.Sprintf("%T", layout.NewFormLayout())
	for _, r := range roots {
		if walk(r, func(o fyne.CanvasObject) bool {
			c, ok := o.(*fyne.Container)
			if !ok || fmt.Sprintf("%T", c.Layout) != formType {
				return false
			}
			for i := 0; i+1 < len(c.Objects); i += 2 {
				if formLabel(c.Objects[i]) == label {
					found = c.Objects[i+1]
					return true
				}
			}
			return false
		}) {
			return found, true
		}
	}
	return nil, false
}

// formField is the entry of the row labelled label.
func formField(roots []fyne.CanvasObject, label string) (*widget.Entry, bool) {
	cell, ok := formCell(roots, label)
	if !ok {
		return nil, false
	}
	return find([]fyne.CanvasObject{cell}, func(*widget.Entry) bool { return true })
}

// send selects the document's tab, opens Gửi văn bản, fills it in and
// presses Gửi.
func (d *driver) send() error {
	if err := d.waitOnline(); err != nil {
		return err
	}
	d.report(driverResult{Step: "online"})
	doc := os.Getenv(envSendDoc)
	if err := waitUI("the tab of "+doc, func() bool {
		tabs, ok := find(d.roots(), func(*container.DocTabs) bool { return true })
		if !ok {
			return false
		}
		for _, it := range tabs.Items {
			if it.Text == doc {
				tabs.Select(it)
				return true
			}
		}
		return false
	}); err != nil {
		return err
	}
	if err := d.tap(i18n.T("app.x.send"), false); err != nil {
		return err
	}
	// The dialog has the document in front of the user as its main PDF.
	if err := waitUI("the send dialog with "+doc, func() bool {
		_, ok := find(d.w.Canvas().Overlays().List(), func(l *widget.Label) bool { return l.Text == doc })
		return ok
	}); err != nil {
		return err
	}
	fields := map[string]string{
		"send.number":    "05",
		"send.notation":  "QĐ-UBND",
		"send.subject":   os.Getenv(envSubject),
		"send.position":  "Chủ tịch",
		"send.full-name": "Nguyễn Văn An",
	}
	var missing []string
	ui(func() {
		overlays := d.w.Canvas().Overlays().List()
		for key, value := range fields {
			e, ok := formField(overlays, i18n.T(key))
			if !ok {
				missing = append(missing, key)
				continue
			}
			e.SetText(value)
		}
		if cell, ok := formCell(overlays, i18n.T("send.type")); ok {
			if sel, ok := find([]fyne.CanvasObject{cell}, func(*widget.Select) bool { return true }); ok {
				sel.SetSelected("Quyết định")
			}
		}
		search, ok := find(overlays, func(e *widget.Entry) bool { return e.PlaceHolder == i18n.T("send.to.search") })
		if !ok {
			missing = append(missing, "send.to.search")
			return
		}
		search.SetText(os.Getenv(envSendTo))
	})
	if len(missing) > 0 {
		return fmt.Errorf("the send dialog has no field %v", missing)
	}
	if err := waitUI("a recipient found", func() bool {
		l, ok := find(d.w.Canvas().Overlays().List(), func(*widget.List) bool { return true })
		if ok && l.Length != nil && l.Length() > 0 {
			l.Select(0)
			return true
		}
		return false
	}); err != nil {
		return err
	}
	if err := d.tap(i18n.T("send.send"), false); err != nil {
		return err
	}
	// Verified on a goroutine, queued, the dialog closed: the outbox
	// shows the document.
	if err := waitUI("the document queued", func() bool {
		_, open := find(d.w.Canvas().Overlays().List(), func(b *widget.Button) bool { return b.Text == i18n.T("send.send") })
		return !open
	}); err != nil {
		return err
	}
	d.report(driverResult{Step: "queued"})
	return nil
}

// receive opens Văn bản đến and waits for a row with the subject and
// the verdict "hợp lệ".
func (d *driver) receive() error {
	if err := d.waitOnline(); err != nil {
		return err
	}
	d.report(driverResult{Step: "online"})
	if err := d.tap(i18n.T("app.x.inbox"), true); err != nil {
		return err
	}
	subject, valid := os.Getenv(envSubject), i18n.T("exchange.verdict.valid")
	var seen []string
	err := waitUI("the document in Văn bản đến", func() bool {
		seen = texts(d.w.Canvas().Content())
		hasSubject, hasValid := false, false
		for _, s := range seen {
			// The row may shorten a long subject ("…").
			shown := strings.TrimSuffix(s, "…")
			hasSubject = hasSubject || (len([]rune(shown)) >= 20 && strings.HasPrefix(subject, shown))
			hasValid = hasValid || s == valid
		}
		return hasSubject && hasValid
	})
	if err != nil {
		d.report(driverResult{Step: "failed", Error: err.Error(), Texts: seen})
		return nil
	}
	d.report(driverResult{Step: "found", Texts: seen})
	return nil
}

// readResult reads a driver's result file; ok is false while there is
// none.
func readResult(path string) (driverResult, bool) {
	var r driverResult
	data, err := os.ReadFile(filepath.Clean(path))
	if err != nil || json.Unmarshal(data, &r) != nil {
		return r, false
	}
	return r, true
}

// ---- the work roles (TestEndToEndWorkInDemo) ----

// formLabel is the text of a form row's label: a widget.Label, or
// widget.Form's text in a container of its own.
func formLabel(o fyne.CanvasObject) string {
	if c, ok := o.(*fyne.Container); ok && len(c.Objects) == 1 {
		o = c.Objects[0]
	}
	switch l := o.(type) {
	case *widget.Label:
		return l.Text
	case *canvas.Text:
		return l.Text
	}
	return ""
}

// shown is the window's texts joined by spaces (a wrapped line breaks
// at a space).
func (d *driver) shown() string { return strings.Join(texts(d.w.Canvas().Content()), " ") }

// refused is the server's refusal of a queued action shown on the
// screen, if any.
func refused(shown string) error {
	prefix, _, _ := strings.Cut(i18n.T("work.failed", "\x00", "\x00"), "\x00")
	if i := strings.Index(shown, prefix); i >= 0 {
		return fmt.Errorf("the server refused the action: %s", shown[i:])
	}
	return nil
}

// waitShown waits until the window shows what cond looks for; a refusal
// shown meanwhile stops it.
func (d *driver) waitShown(what string, cond func(shown string) bool) (string, error) {
	var s string
	var bad error
	err := waitUI(what, func() bool {
		s = d.shown()
		if bad = refused(s); bad != nil {
			return true
		}
		return cond(s)
	})
	if bad != nil {
		return s, bad
	}
	if err != nil {
		return s, fmt.Errorf("%w (shown: %q)", err, s)
	}
	return s, nil
}

// selectWork opens Việc của tôi and selects the item of the document
// numbered code (envCode), the one whose detail offers the action.
func (d *driver) selectWork(action string) error {
	if err := d.waitOnline(); err != nil {
		return err
	}
	d.report(driverResult{Step: "online"})
	if err := d.tap(i18n.T("work.tab"), false); err != nil {
		return err
	}
	code, button := os.Getenv(envCode), i18n.T("work.action."+action)
	_, err := d.waitShown("the document "+code+" in Việc của tôi with “"+button+"”", func(string) bool {
		content := []fyne.CanvasObject{d.w.Canvas().Content()}
		var lists []*widget.List
		find(content, func(l *widget.List) bool {
			if l.Length != nil && l.Length() > 0 {
				lists = append(lists, l)
			}
			return false
		})
		for _, l := range lists {
			for i := 0; i < l.Length(); i++ {
				l.Unselect(i)
				l.Select(i) // shows the item's detail at once
				if _, ok := d.button(button, false); ok && strings.Contains(d.shown(), code) {
					return true
				}
			}
		}
		return false
	})
	return err
}

// confirm presses the open dialog's Đồng ý and waits for it to close.
func (d *driver) confirm() error {
	ok := i18n.T("work.ok")
	if err := d.tap(ok, false); err != nil {
		return err
	}
	return waitUI("the dialog closed", func() bool {
		_, open := find(d.w.Canvas().Overlays().List(), func(b *widget.Button) bool { return b.Text == ok })
		return !open
	})
}

// registerAndPresent is the clerk's part: Vào sổ on the arrived
// document, the số from the server awaited, then Trình lãnh đạo to the
// leader named envLeader, awaited until the item leaves the clerk's
// list (the server committed it).
func (d *driver) registerAndPresent() error {
	if err := d.selectWork(protocol.ActionRegister); err != nil {
		return err
	}
	if err := d.tap(i18n.T("work.action.register"), false); err != nil {
		return err
	}
	if err := waitUI("the Vào sổ dialog", func() bool {
		_, ok := formCell(d.w.Canvas().Overlays().List(), i18n.T("work.field.handler"))
		return ok
	}); err != nil {
		return err
	}
	if err := d.confirm(); err != nil {
		return err
	}
	number := i18n.T("work.entry", "", "01") // ", số 01"
	seen, err := d.waitShown("the số 01 from the server", func(s string) bool { return strings.Contains(s, number) })
	if err != nil {
		return err
	}
	d.report(driverResult{Step: "registered", Texts: []string{seen}})

	if err := d.tap(i18n.T("work.action.present"), false); err != nil {
		return err
	}
	leader := os.Getenv(envLeader)
	if err := waitUI("the leader "+leader+" offered", func() bool {
		cell, ok := formCell(d.w.Canvas().Overlays().List(), i18n.T("work.field.leader"))
		if !ok {
			return false
		}
		sel, ok := find([]fyne.CanvasObject{cell}, func(*widget.Select) bool { return true })
		if !ok {
			return false
		}
		for _, o := range sel.Options {
			if o == leader {
				sel.SetSelected(o)
				return true
			}
		}
		return false
	}); err != nil {
		return err
	}
	if err := d.confirm(); err != nil {
		return err
	}
	seen, err = d.waitShown("the document presented (gone from the clerk's list)", func(s string) bool {
		return strings.Contains(s, i18n.T("work.gone"))
	})
	if err != nil {
		return err
	}
	d.report(driverResult{Step: "presented", Texts: []string{seen}})
	return nil
}

// assign is the leader's part: Phân công with the instruction and the
// unit typed as chủ trì, awaited until the server's answer shows
// (stage Đã phân công, or the item gone from the leader's list).
func (d *driver) assign() error {
	if err := d.selectWork(protocol.ActionAssign); err != nil {
		return err
	}
	if err := d.tap(i18n.T("work.action.assign"), false); err != nil {
		return err
	}
	fields := map[string]string{"work.field.instruction": os.Getenv(envInstruction), "work.field.lead-unit": os.Getenv(envLeadUnit)}
	if err := waitUI("the Phân công dialog", func() bool {
		overlays := d.w.Canvas().Overlays().List()
		entries := map[string]*widget.Entry{}
		for key := range fields {
			cell, ok := formCell(overlays, i18n.T(key))
			if !ok {
				return false
			}
			e, ok := find([]fyne.CanvasObject{cell}, func(*widget.Entry) bool { return true })
			if !ok {
				return false
			}
			entries[key] = e
		}
		for key, e := range entries {
			e.SetText(fields[key])
		}
		return true
	}); err != nil {
		return err
	}
	if err := d.confirm(); err != nil {
		return err
	}
	assigned := exchange.Label(protocol.StageAssigned.Label())
	pending, _, _ := strings.Cut(i18n.T("work.pending", "\x00"), "\x00")
	seen, err := d.waitShown("the assignment committed", func(s string) bool {
		return strings.Contains(s, i18n.T("work.gone")) || strings.Contains(s, assigned) && !strings.Contains(s, pending)
	})
	if err != nil {
		return err
	}
	d.report(driverResult{Step: "assigned", Texts: []string{seen}})
	return nil
}
