package app

import (
	"net/url"
	"os"
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

	"github.com/vanthuso/vanthu/app/i18n"
	"github.com/vanthuso/vanthu/signing/stamp"
	"github.com/vanthuso/vanthu/signing/token"
)

// discoverModules lists the PKCS#11 modules candidates; tests replace it.
var discoverModules = token.DiscoverAll

// exampleSigningTime shows what each stamp time pattern looks like.
var exampleSigningTime = time.Date(2025, 6, 26, 15, 19, 1, 0, stamp.Vietnam)

// settingsScreen edits the preferences. Nothing changes until Save.
type settingsScreen struct {
	win     fyne.Window
	s       settings
	onSaved func(settings)
	// demo: changes last until the program ends (the demo's settings
	// are not the user's).
	demo bool

	module     *widget.SelectEntry
	moduleNote *widget.Label
	tsa        *widget.Entry
	location   *widget.Entry
	sigImage   *widget.Entry
	sealImage  *widget.Entry
	timeLayout *widget.Select
	trustFiles []string
	trustBox   *fyne.Container
	trustDir   *widget.Entry
	offline    *widget.Check
	acceptRev  *widget.Check
	trust      *trustSection
	lang       *widget.RadioGroup
	themeSel   *widget.Select
	serverAddr *widget.Entry
	serverCA   *widget.Entry
	problem    *widget.Label
	form       *widget.Form
}

func newSettingsScreen(win fyne.Window, s settings, onSaved func(settings)) *settingsScreen {
	return &settingsScreen{win: win, s: s, onSaved: onSaved, trustFiles: slices.Clone(s.TrustFiles)}
}

// build returns the screen and starts looking for PKCS#11 modules.
func (sc *settingsScreen) build() fyne.CanvasObject {
	s := sc.s
	sc.module = widget.NewSelectEntry(nil)
	sc.module.SetText(s.Module)
	sc.module.SetPlaceHolder(i18n.T("app.set.module.auto"))
	sc.moduleNote = wrapLabel(i18n.T("app.set.module.searching"))
	sc.moduleNote.Importance = widget.LowImportance
	sc.tsa = widget.NewEntry()
	sc.tsa.SetText(s.TSAURL)
	sc.tsa.SetPlaceHolder("http://tsa.ca.gov.vn")
	sc.location = widget.NewEntry()
	sc.location.SetText(s.Location)
	sc.location.SetPlaceHolder(i18n.T("app.set.location.hint"))
	sc.sigImage = widget.NewEntry()
	sc.sigImage.SetText(s.SignatureImage)
	sc.sealImage = widget.NewEntry()
	sc.sealImage.SetText(s.SealImage)
	sc.sigImage.SetPlaceHolder(i18n.T("app.set.image.hint"))
	sc.sealImage.SetPlaceHolder(i18n.T("app.set.image.hint"))
	var layouts []string
	for _, l := range stampTimeLayouts {
		layouts = append(layouts, exampleSigningTime.Format(l))
	}
	sc.timeLayout = widget.NewSelect(layouts, nil)
	sc.timeLayout.SetSelectedIndex(max(0, slices.Index(stampTimeLayouts, s.StampTimeLayout)))

	sc.trustBox = container.NewVBox()
	sc.fillTrustFiles()
	sc.trustDir = widget.NewEntry()
	sc.trustDir.SetText(s.TrustDir)
	sc.trustDir.SetPlaceHolder(i18n.T("app.set.trust-dir.hint"))
	sc.offline = widget.NewCheck(i18n.T("app.set.offline"), nil)
	sc.offline.SetChecked(s.OfflineRevocation)
	sc.acceptRev = widget.NewCheck("", nil)
	sc.acceptRev.SetChecked(s.AcceptUnknownRevocation)
	acceptText := newCheckLabel(i18n.T("app.set.accept-unknown-rev"), sc.acceptRev)
	acceptNote := wrapLabel(i18n.T("app.set.accept-unknown-rev.note"))
	acceptNote.Importance = widget.WarningImportance
	sc.trust = newTrustSection(sc)

	var langs []string
	for _, l := range i18n.Langs {
		langs = append(langs, l.Name())
	}
	sc.lang = widget.NewRadioGroup(langs, nil)
	sc.lang.Horizontal = true
	sc.lang.Required = true
	sc.lang.SetSelected(s.Lang.Name())
	sc.themeSel = widget.NewSelect(themeChoices(), nil)
	sc.themeSel.SetSelectedIndex(themeIndex(s.Theme))
	sc.serverAddr = widget.NewEntry()
	sc.serverAddr.SetText(s.ServerAddress)
	sc.serverAddr.SetPlaceHolder(i18n.T("app.set.server.hint"))
	sc.serverCA = widget.NewEntry()
	sc.serverCA.SetText(s.ServerCA)
	sc.serverCA.SetPlaceHolder(i18n.T("app.set.server-ca.hint"))
	serverNote := wrapLabel(i18n.T("app.set.server.note"))
	serverNote.Importance = widget.LowImportance
	sc.problem = wrapLabel("")
	sc.problem.Importance = widget.DangerImportance
	sc.problem.Hide()

	browse := func(e *widget.Entry, exts []string) fyne.CanvasObject {
		b := widget.NewButtonWithIcon(i18n.T("app.set.browse"), theme.FolderOpenIcon(), func() { sc.onBrowseFile(e, exts) })
		return container.NewBorder(nil, nil, nil, b, e)
	}
	moduleBrowse := widget.NewButtonWithIcon(i18n.T("app.set.browse"), theme.FolderOpenIcon(), func() { sc.onBrowseFile(&sc.module.Entry, []string{".dll", ".so", ".dylib"}) })
	dirBrowse := widget.NewButtonWithIcon(i18n.T("app.set.browse"), theme.FolderOpenIcon(), sc.onBrowseTrustDir)
	addTrust := widget.NewButtonWithIcon(i18n.T("app.set.trust.add"), theme.ContentAddIcon(), sc.onBrowseTrustFile)

	section := func(key string) *widget.FormItem {
		return widget.NewFormItem(i18n.T(key), container.NewVBox(layout.NewSpacer(), widget.NewSeparator(), layout.NewSpacer()))
	}
	sc.form = widget.NewForm(
		section("app.set.section.signing"),
		widget.NewFormItem(i18n.T("app.set.module"), container.NewVBox(container.NewBorder(nil, nil, nil, moduleBrowse, sc.module), sc.moduleNote)),
		widget.NewFormItem(i18n.T("app.set.tsa"), sc.tsa),
		widget.NewFormItem(i18n.T("app.set.location"), sc.location),
		widget.NewFormItem(i18n.T("app.set.signature-image"), browse(sc.sigImage, []string{".png"})),
		widget.NewFormItem(i18n.T("app.set.seal-image"), browse(sc.sealImage, []string{".png"})),
		widget.NewFormItem(i18n.T("app.set.stamp-time"), sc.timeLayout),
		section("app.set.section.checking"),
		widget.NewFormItem(i18n.T("app.set.tl"), sc.trust.build()),
		widget.NewFormItem(i18n.T("app.set.trust-files"), container.NewVBox(sc.trustBox, container.NewHBox(addTrust))),
		widget.NewFormItem(i18n.T("app.set.trust-dir"), container.NewBorder(nil, nil, nil, dirBrowse, sc.trustDir)),
		widget.NewFormItem("", sc.offline),
		widget.NewFormItem("", container.NewVBox(container.NewBorder(nil, nil, container.NewVBox(sc.acceptRev), nil, acceptText), acceptNote)),
		section("app.set.section.server"),
		widget.NewFormItem(i18n.T("app.set.server"), container.NewVBox(sc.serverAddr, serverNote)),
		widget.NewFormItem(i18n.T("app.set.server-ca"), browse(sc.serverCA, []string{".pem", ".crt", ".cer"})),
		section("app.set.section.look"),
		widget.NewFormItem(i18n.T("app.set.lang"), sc.lang),
		widget.NewFormItem(i18n.T("app.set.theme"), sc.themeSel),
	)
	body := container.NewVBox(sc.form)
	if sc.demo {
		note := wrapLabel(i18n.T("app.set.demo-note"))
		note.Importance = widget.WarningImportance
		body.Objects = append([]fyne.CanvasObject{note}, body.Objects...)
	}
	save := widget.NewButtonWithIcon(i18n.T("app.set.save"), theme.DocumentSaveIcon(), sc.onSave)
	save.Importance = widget.HighImportance
	cancel := widget.NewButton(i18n.T("app.set.cancel"), sc.onCancel)
	buttons := container.NewHBox(layout.NewSpacer(), cancel, save)
	sc.discover()
	return container.NewBorder(nil, container.NewVBox(widget.NewSeparator(), sc.problem, buttons), nil, nil, container.NewVScroll(container.NewPadded(body)))
}

// checkLabel is the sentence of a check box, wrapped (a widget.Check's
// text does not wrap, and the IT-policy sentence is wider than the
// screen); tapping it ticks the box, as tapping a check box's text does.
type checkLabel struct {
	widget.Label
	check *widget.Check
}

func newCheckLabel(text string, check *widget.Check) *checkLabel {
	l := &checkLabel{check: check}
	l.Text = text
	l.Wrapping = fyne.TextWrapWord
	l.ExtendBaseWidget(l)
	return l
}

// Tapped toggles the check box.
func (l *checkLabel) Tapped(*fyne.PointEvent) {
	if !l.check.Disabled() {
		l.check.SetChecked(!l.check.Checked)
	}
}

// discover lists the PKCS#11 modules present, in a goroutine.
func (sc *settingsScreen) discover() {
	configured := sc.s.Module
	go func() {
		sc.showModules(discoverModules(configured))
	}()
}

// showModules hands the discovery result to the UI goroutine.
func (sc *settingsScreen) showModules(probes []token.Probe) {
	runOnUI(func() { sc.onModulesFound(probes) })
}

func (sc *settingsScreen) onModulesFound(probes []token.Probe) {
	var found []string
	var first token.Probe
	for _, p := range probes {
		if p.Found {
			if len(found) == 0 {
				first = p
			}
			found = append(found, p.Path)
		}
	}
	sc.module.SetOptions(found)
	defer sc.relayout()
	switch {
	case len(found) == 0:
		sc.moduleNote.SetText(i18n.T("app.set.module.none"))
	case first.Vendor != "":
		sc.moduleNote.SetText(i18n.T("app.set.module.found-vendor", len(found), first.Path, first.Vendor))
	default:
		sc.moduleNote.SetText(i18n.T("app.set.module.found", len(found), first.Path))
	}
}

// relayout lays the form out again after a text that wraps changed
// (twice: wrapped text learns its height from its width).
func (sc *settingsScreen) relayout() {
	if sc.form != nil {
		sc.form.Refresh()
		sc.form.Refresh()
	}
}

func (sc *settingsScreen) fillTrustFiles() {
	var rows []fyne.CanvasObject
	if len(sc.trustFiles) == 0 {
		l := widget.NewLabel(i18n.T("app.set.trust.none"))
		l.Importance = widget.LowImportance
		rows = append(rows, l)
	}
	for i, f := range sc.trustFiles {
		idx := i
		rm := widget.NewButtonWithIcon("", theme.DeleteIcon(), func() { sc.onRemoveTrustFile(idx) })
		rm.Importance = widget.LowImportance
		l := widget.NewLabel(f)
		l.Truncation = fyne.TextTruncateEllipsis
		rows = append(rows, container.NewBorder(nil, nil, nil, rm, l))
	}
	sc.trustBox.Objects = rows
	sc.trustBox.Refresh()
	sc.relayout()
}

func (sc *settingsScreen) addTrustFile(path string) {
	if path == "" || slices.Contains(sc.trustFiles, path) {
		return
	}
	sc.trustFiles = append(sc.trustFiles, path)
	sc.fillTrustFiles()
}

func (sc *settingsScreen) onRemoveTrustFile(i int) {
	if i >= 0 && i < len(sc.trustFiles) {
		sc.trustFiles = slices.Delete(sc.trustFiles, i, i+1)
		sc.fillTrustFiles()
	}
}

func (sc *settingsScreen) onBrowseFile(e *widget.Entry, exts []string) {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		e.SetText(r.URI().Path())
		r.Close()
	}, sc.win)
	d.SetFilter(storage.NewExtensionFileFilter(exts))
	d.Resize(fyne.NewSize(700, 500))
	d.Show()
}

func (sc *settingsScreen) onBrowseTrustFile() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		sc.addTrustFile(r.URI().Path())
		r.Close()
	}, sc.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".pem", ".crt", ".cer", ".der"}))
	d.Resize(fyne.NewSize(700, 500))
	d.Show()
}

func (sc *settingsScreen) onBrowseTrustDir() {
	d := dialog.NewFolderOpen(func(u fyne.ListableURI, err error) {
		if err != nil || u == nil {
			return
		}
		sc.trustDir.SetText(u.Path())
	}, sc.win)
	d.Resize(fyne.NewSize(700, 500))
	d.Show()
}

// collect reads the form into settings, or says what is wrong.
func (sc *settingsScreen) collect() (settings, string) {
	s := sc.s
	s.Module = strings.TrimSpace(sc.module.Text)
	s.TSAURL = strings.TrimSpace(sc.tsa.Text)
	s.Location = strings.TrimSpace(sc.location.Text)
	s.SignatureImage = strings.TrimSpace(sc.sigImage.Text)
	s.SealImage = strings.TrimSpace(sc.sealImage.Text)
	s.StampTimeLayout = stampTimeLayouts[max(0, sc.timeLayout.SelectedIndex())]
	s.TrustFiles = slices.Clone(sc.trustFiles)
	s.TrustDir = strings.TrimSpace(sc.trustDir.Text)
	s.OfflineRevocation = sc.offline.Checked
	s.AcceptUnknownRevocation = sc.acceptRev.Checked
	s.Lang = i18n.Vietnamese
	for _, l := range i18n.Langs {
		if l.Name() == sc.lang.Selected {
			s.Lang = l
		}
	}
	s.Theme = []string{themeSystem, themeLight, themeDark}[max(0, sc.themeSel.SelectedIndex())]

	s.ServerAddress, s.ServerCA = strings.TrimSpace(sc.serverAddr.Text), strings.TrimSpace(sc.serverCA.Text)
	if problem := checkServerSettings(&s); problem != "" {
		return s, problem
	}
	if s.TSAURL != "" {
		if u, err := url.Parse(s.TSAURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return s, i18n.T("app.set.err.tsa", s.TSAURL)
		}
	}
	if s.Module != "" && !isFile(s.Module) {
		return s, i18n.T("app.set.err.module", s.Module)
	}
	for _, f := range []string{s.SignatureImage, s.SealImage} {
		if f != "" && !isFile(f) {
			return s, i18n.T("app.set.err.image", f)
		}
	}
	for _, f := range s.TrustFiles {
		if !isFile(f) {
			return s, i18n.T("app.set.err.trust-file", f)
		}
	}
	if s.TrustDir != "" {
		if st, err := os.Stat(s.TrustDir); err != nil || !st.IsDir() {
			return s, i18n.T("app.set.err.trust-dir", s.TrustDir)
		}
	}
	return s, ""
}

// onSave checks the form, closes the screen and applies the settings.
func (sc *settingsScreen) onSave() {
	s, problem := sc.collect()
	if problem != "" {
		sc.problem.SetText(problem)
		sc.problem.Show()
		return
	}
	// The trust list is written (atomically) only when everything else
	// is valid, so that a refused form changes nothing.
	s.trustListSaved = sc.trust.dirty
	if problem := sc.trust.save(); problem != "" {
		sc.problem.SetText(problem)
		sc.problem.Show()
		return
	}
	sc.problem.Hide()
	if sc.win != nil {
		sc.win.Close()
	}
	sc.onSaved(s)
}

func (sc *settingsScreen) onCancel() {
	if sc.win != nil {
		sc.win.Close()
	}
}

func themeChoices() []string {
	return []string{i18n.T("app.set.theme.system"), i18n.T("app.set.theme.light"), i18n.T("app.set.theme.dark")}
}

func themeIndex(t string) int {
	switch t {
	case themeLight:
		return 1
	case themeDark:
		return 2
	}
	return 0
}

func isFile(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}
