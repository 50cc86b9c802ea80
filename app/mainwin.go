package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/vanthuso/vanthu/app/i18n"
	"github.com/vanthuso/vanthu/app/render"
	"github.com/vanthuso/vanthu/app/signui"
	"github.com/vanthuso/vanthu/internal/demo"
	"github.com/vanthuso/vanthu/signing/verify"
)

// ID is the application ID; preferences are stored under it.
const ID = "vn.vanthuso.vanthu"

// Options configure the main window; cmd/vanthu fills them from its
// command line.
type Options struct {
	// Files are opened at start, one tab each.
	Files []string
	// Demo prepares the demo environment (internal/demo) in DemoDir (""
	// means the user data folder + "vanthu-demo") and opens its documents.
	Demo    bool
	DemoDir string
	// Screenshot, when set, is a PNG file: once the window shows its
	// documents (first page drawn, signatures checked) the window content
	// is written there and the application quits. Only builds with the
	// tag "screenshots" have the hook: without it NewMainWindow says so
	// on standard error and ignores the field (ReadEnv refuses
	// VANTHU_SCREENSHOT).
	Screenshot string
	// Size is the initial window size; zero means 1280×800.
	Size fyne.Size
	// Exchange, when set, adds Văn bản đến, Văn bản đi, Gửi văn bản,
	// the server sign-in and the sync state to the window.
	Exchange *Exchange
	// Connect, when set and Exchange is nil, has the window make its
	// exchange itself: the cache of the user signed in at the server of
	// the settings (in demo mode the demo's local server), its sync
	// engine running until the window closes (exchangewire.go).
	Connect *ConnectOptions
}

// tokenStatusWidth is the width of the token status in the status bar.
const tokenStatusWidth = 560

// tokenWidget is the token status shown in the status bar.
type tokenWidget interface {
	fyne.CanvasObject
	Stop()
}

// signingUI is the part of app/signui the main window uses; tests give
// fakes.
type signingUI struct {
	newTokenStatus func(cfg func() signui.Config) tokenWidget
	showSign       func(win fyne.Window, eng *render.Engine, path string, page int, cfg signui.Config, done func(signed string))
	showBatch      func(win fyne.Window, cfg signui.Config)
}

var realSigningUI = signingUI{
	newTokenStatus: func(cfg func() signui.Config) tokenWidget { return signui.NewTokenStatus(cfg) },
	showSign:       signui.ShowSignDialog,
	showBatch:      signui.ShowBatchDialog,
}

// mainWindow is the main screen.
type mainWindow struct {
	app  fyne.App
	win  fyne.Window
	opts Options

	prefs    fyne.Preferences
	current  atomic.Pointer[settings]
	persist  bool // false in demo mode: settings stay in memory
	base     fyne.Theme
	render   *renderService
	svc      *readerServices
	signing  signingUI
	cacheDir string

	docs  []*docView
	tabs  *container.DocTabs
	items map[*docView]*container.TabItem

	center     *fyne.Container
	pageEntry  *widget.Entry
	pageTotal  *widget.Label
	zoomSelect *widget.Select
	syncing    bool
	status     *widget.Label
	statusBar  *fyne.Container
	token      tokenWidget
	banner     *fyne.Container

	demoPreparing bool
	demoStep      demo.Step
	demoErr       error
	demoEnv       *demo.Env

	settingsWin fyne.Window
	started     time.Time
	closed      bool

	x    *exchangeUI   // nil without Options.Exchange or Options.Connect
	link *exchangeLink // nil without Options.Connect
}

// NewMainWindow builds the main window on a, opens o.Files and starts what
// runs in the background (the page renderer, the demo, the exchange).
// Show it and run the app; closing it releases everything, and Release
// does after the app stopped another way (Quit, a signal).
func NewMainWindow(a fyne.App, o Options) fyne.Window {
	mw := newMainWindow(a, o, nil, realSigningUI)
	mainWindows.Store(mw.win, mw)
	return mw.win
}

// newMainWindow builds the window; svc nil means the real services.
func newMainWindow(a fyne.App, o Options, svc *readerServices, sui signingUI) *mainWindow {
	mw := &mainWindow{
		app: a, opts: o, prefs: a.Preferences(), persist: !o.Demo, signing: sui,
		items: map[*docView]*container.TabItem{}, started: time.Now(),
		cacheDir: userCacheDir(),
	}
	s := loadSettings(mw.prefs)
	mw.current.Store(&s)
	i18n.SetLang(s.Lang)
	mw.base = baseTheme(a.Settings().Theme())
	mw.applyTheme()
	if svc == nil {
		// The reader keeps its own page and thumbnail caches: the engine's
		// cache only has to serve the sign dialog's previews.
		mw.render = startRenderService(render.Config{CacheDir: filepath.Join(mw.cacheDir, "pdfium"), Workers: renderWorkers(), CacheBytes: 32 << 20})
		revDir := filepath.Join(mw.cacheDir, "revisions")
		if mw.cacheDir == "" {
			revDir = filepath.Join(os.TempDir(), "vanthu-revisions")
		}
		svc = &readerServices{
			open: mw.render.open,
			verify: func(ctx context.Context, path string) (*verify.Report, error) {
				return mw.settings().verifyDocument(ctx, path, mw.cacheDir)
			},
			extract:      verify.ExtractSignedRevision,
			revisionsDir: revDir,
		}
	}
	mw.svc = svc
	mw.win = a.NewWindow(i18n.T("app.title"))
	mw.win.SetIcon(appIcon())
	size := o.Size
	if size.Width <= 0 || size.Height <= 0 {
		size = fyne.NewSize(1280, 800)
	}
	mw.win.Resize(size)
	mw.win.SetMaster()
	mw.win.SetOnDropped(mw.onDropped)
	mw.win.SetOnClosed(mw.onClosed)
	mw.token = mw.signing.newTokenStatus(mw.signConfig)
	if o.Exchange != nil {
		mw.x = newExchangeUI(mw, o.Exchange)
	} else if o.Connect != nil {
		mw.newLink(*o.Connect)
	}
	mw.build()
	if mw.x != nil {
		mw.x.start()
	}
	if mw.link != nil {
		mw.link.start()
	}
	for _, f := range o.Files {
		mw.openFile(f)
	}
	if o.Demo {
		mw.startDemo()
	}
	if o.Screenshot != "" {
		if screenshotHook == nil {
			fmt.Fprintln(os.Stderr, "vanthu:", i18n.T("app.err.no-screenshot-hook", EnvScreenshot))
		} else {
			screenshotHook(mw, o.Screenshot)
		}
	}
	return mw
}

// settings returns the current settings snapshot; safe from any goroutine.
func (mw *mainWindow) settings() settings { return *mw.current.Load() }

// signConfig is what signui asks for; safe from any goroutine. The sign
// dialog checks documents as the reader does, to propose ký phát hành.
func (mw *mainWindow) signConfig() signui.Config {
	c := mw.settings().signConfig()
	c.Verify = mw.svc.verify
	return c
}

// build (re)creates the window content, keeping the open documents.
func (mw *mainWindow) build() {
	mw.win.SetTitle(i18n.T("app.title"))
	mw.win.SetMainMenu(mw.buildMenu())
	mw.addShortcuts()
	mw.win.Canvas().SetOnTypedKey(mw.onTypedKey)

	var inboxOpen, outboxOpen bool
	if mw.x != nil {
		inboxOpen, outboxOpen = mw.x.tabsOpen()
	}
	mw.tabs = container.NewDocTabs()
	mw.tabs.OnSelected = func(*container.TabItem) { mw.onTabChanged() }
	mw.tabs.CloseIntercept = mw.onTabCloseRequested
	mw.items = map[*docView]*container.TabItem{}
	var items []*container.TabItem
	for _, v := range mw.docs {
		it := container.NewTabItem(v.title, v.build())
		mw.items[v] = it
		items = append(items, it)
	}
	mw.tabs.SetItems(items)

	mw.center = container.NewStack()
	mw.status = widget.NewLabel("")
	mw.status.Truncation = fyne.TextTruncateEllipsis
	var syncState fyne.CanvasObject
	if mw.x != nil {
		syncState = mw.x.statusBar()
	}
	statusBar := container.NewBorder(widget.NewSeparator(), nil, syncState, container.New(&fixedWidthLayout{width: tokenStatusWidth}, mw.token), mw.status)
	mw.statusBar = statusBar
	mw.banner = container.NewStack()
	mw.fillBanner()
	top := container.NewVBox(mw.banner, mw.buildToolbar(), widget.NewSeparator())
	mw.win.SetContent(container.NewBorder(top, statusBar, nil, nil, mw.center))
	if mw.x != nil {
		mw.x.rebuilt(inboxOpen, outboxOpen)
	}
	mw.fillCenter()
	mw.syncToolbar()
}

// rebuild redraws everything in the current language.
func (mw *mainWindow) rebuild() {
	sel := mw.currentDoc()
	mw.token.Stop()
	mw.token = mw.signing.newTokenStatus(mw.signConfig)
	mw.build()
	if sel != nil {
		mw.tabs.Select(mw.items[sel])
	}
}

func (mw *mainWindow) buildMenu() *fyne.MainMenu {
	ctrl := fyne.KeyModifierShortcutDefault
	item := func(key string, action func(), sc fyne.Shortcut) *fyne.MenuItem {
		it := fyne.NewMenuItem(i18n.T(key), action)
		it.Shortcut = sc
		return it
	}
	recent := fyne.NewMenuItem(i18n.T("app.menu.recent"), nil)
	for _, f := range recentFiles(mw.prefs) {
		path := f
		recent.ChildMenu = appendMenu(recent.ChildMenu, fyne.NewMenuItem(path, func() { mw.openFile(path) }))
	}
	if recent.ChildMenu == nil {
		none := fyne.NewMenuItem(i18n.T("app.menu.recent.none"), nil)
		none.Disabled = true
		recent.ChildMenu = fyne.NewMenu("", none)
	}
	quit := fyne.NewMenuItem(i18n.T("app.menu.quit"), nil)
	quit.IsQuit = true
	file := fyne.NewMenu(i18n.T("app.menu.file"),
		item("app.menu.open", mw.onOpen, &desktop.CustomShortcut{KeyName: fyne.KeyO, Modifier: ctrl}),
		recent,
		fyne.NewMenuItemSeparator(),
		item("app.menu.sign", mw.onSign, &desktop.CustomShortcut{KeyName: fyne.KeyS, Modifier: ctrl | fyne.KeyModifierShift}),
		item("app.menu.batch", mw.onBatchSign, nil),
		fyne.NewMenuItemSeparator(),
		item("app.menu.close", mw.onCloseDoc, &desktop.CustomShortcut{KeyName: fyne.KeyW, Modifier: ctrl}),
		item("app.menu.settings", mw.showSettings, &desktop.CustomShortcut{KeyName: fyne.KeyComma, Modifier: ctrl}),
		fyne.NewMenuItemSeparator(),
		quit,
	)
	menus := []*fyne.Menu{file}
	if mw.x != nil {
		menus = append(menus, fyne.NewMenu(i18n.T("app.menu.exchange"),
			item("app.x.inbox", mw.x.onInbox, nil),
			item("app.x.outbox", mw.x.onOutbox, nil),
			item("app.menu.send", mw.x.onSend, nil),
			fyne.NewMenuItemSeparator(),
			item("app.menu.login", func() { mw.x.showLogin("") }, nil),
			item("app.x.sync-now", mw.x.onSyncNow, nil),
		))
	}
	view := fyne.NewMenu(i18n.T("app.menu.view"),
		item("app.menu.prev", mw.onPrevPage, nil),
		item("app.menu.next", mw.onNextPage, nil),
		item("app.menu.first", mw.onFirstPage, nil),
		item("app.menu.last", mw.onLastPage, nil),
		item("app.menu.goto", mw.onGoToPage, &desktop.CustomShortcut{KeyName: fyne.KeyG, Modifier: ctrl}),
		fyne.NewMenuItemSeparator(),
		item("app.menu.zoom-in", mw.onZoomIn, &desktop.CustomShortcut{KeyName: fyne.KeyPlus, Modifier: ctrl}),
		item("app.menu.zoom-out", mw.onZoomOut, &desktop.CustomShortcut{KeyName: fyne.KeyMinus, Modifier: ctrl}),
		item("app.menu.fit-page", mw.onFitPage, &desktop.CustomShortcut{KeyName: fyne.Key0, Modifier: ctrl}),
		item("app.menu.actual-size", mw.onActualSize, &desktop.CustomShortcut{KeyName: fyne.Key1, Modifier: ctrl}),
		item("app.menu.fit-width", mw.onFitWidth, &desktop.CustomShortcut{KeyName: fyne.Key2, Modifier: ctrl}),
	)
	help := fyne.NewMenu(i18n.T("app.menu.help"),
		item("app.menu.shortcuts", mw.onShowShortcuts, nil),
		item("app.menu.about", mw.onAbout, nil),
	)
	return fyne.NewMainMenu(append(menus, view, help)...)
}

func appendMenu(m *fyne.Menu, it *fyne.MenuItem) *fyne.Menu {
	if m == nil {
		return fyne.NewMenu("", it)
	}
	m.Items = append(m.Items, it)
	return m
}

// shortcuts binds the keyboard shortcuts to the canvas too (the menu
// triggers them on desktop; extra keys such as Ctrl+= for zoom in live
// only here).
func (mw *mainWindow) shortcuts() map[fyne.Shortcut]func() {
	ctrl := fyne.KeyModifierShortcutDefault
	cs := func(k fyne.KeyName, m fyne.KeyModifier) fyne.Shortcut {
		return &desktop.CustomShortcut{KeyName: k, Modifier: m}
	}
	return map[fyne.Shortcut]func(){
		cs(fyne.KeyO, ctrl):                           mw.onOpen,
		cs(fyne.KeyW, ctrl):                           mw.onCloseDoc,
		cs(fyne.KeyS, ctrl|fyne.KeyModifierShift):     mw.onSign,
		cs(fyne.KeyComma, ctrl):                       mw.showSettings,
		cs(fyne.KeyG, ctrl):                           mw.onGoToPage,
		cs(fyne.KeyPlus, ctrl):                        mw.onZoomIn,
		cs(fyne.KeyEqual, ctrl):                       mw.onZoomIn,
		cs(fyne.KeyEqual, ctrl|fyne.KeyModifierShift): mw.onZoomIn,
		cs(fyne.KeyMinus, ctrl):                       mw.onZoomOut,
		cs(fyne.Key0, ctrl):                           mw.onFitPage,
		cs(fyne.Key1, ctrl):                           mw.onActualSize,
		cs(fyne.Key2, ctrl):                           mw.onFitWidth,
	}
}

func (mw *mainWindow) addShortcuts() {
	for sc, fn := range mw.shortcuts() {
		f := fn
		mw.win.Canvas().AddShortcut(sc, func(fyne.Shortcut) { f() })
	}
}

// onTypedKey handles keys that reach the window (no field focused).
func (mw *mainWindow) onTypedKey(ev *fyne.KeyEvent) {
	v := mw.currentDoc()
	if v == nil || !v.ready() {
		return
	}
	switch ev.Name {
	case fyne.KeyPageDown:
		v.goTo(v.currentPage() + 1)
	case fyne.KeyPageUp:
		v.goTo(v.currentPage() - 1)
	case fyne.KeyHome:
		v.goTo(0)
	case fyne.KeyEnd:
		v.goTo(v.numPages() - 1)
	case fyne.KeyDown:
		v.scrollBy(48)
	case fyne.KeyUp:
		v.scrollBy(-48)
	case fyne.KeySpace:
		v.scrollBy(v.pages.scroll.Size().Height * 0.9)
	}
}

func (mw *mainWindow) buildToolbar() fyne.CanvasObject {
	btn := func(key string, icon fyne.Resource, tap func()) *widget.Button {
		b := widget.NewButtonWithIcon(i18n.T(key), icon, tap)
		b.Importance = widget.LowImportance
		return b
	}
	iconBtn := func(icon fyne.Resource, tap func()) *widget.Button {
		b := widget.NewButtonWithIcon("", icon, tap)
		b.Importance = widget.LowImportance
		return b
	}
	open := btn("app.tb.open", theme.FolderOpenIcon(), mw.onOpen)
	sign := widget.NewButtonWithIcon(i18n.T("app.tb.sign"), theme.DocumentCreateIcon(), mw.onSign)
	sign.Importance = widget.HighImportance
	batch := btn("app.tb.batch", theme.ContentCopyIcon(), mw.onBatchSign)

	mw.pageEntry = widget.NewEntry()
	mw.pageEntry.OnSubmitted = mw.onPageEntered
	mw.pageTotal = widget.NewLabel("")
	mw.zoomSelect = widget.NewSelect(zoomChoices(), mw.onZoomChosen)
	mw.zoomSelect.PlaceHolder = i18n.T("app.tb.zoom")
	settingsBtn := btn("app.tb.settings", theme.SettingsIcon(), mw.showSettings)

	var exchangeTools []fyne.CanvasObject
	if mw.x != nil {
		exchangeTools = mw.x.toolbar()
	}
	return container.NewHBox(append(append([]fyne.CanvasObject{open, sign, batch, widget.NewSeparator()}, exchangeTools...),
		iconBtn(theme.NavigateBackIcon(), mw.onPrevPage),
		container.New(&fixedWidthLayout{width: 64}, mw.pageEntry),
		container.New(&fixedWidthLayout{width: 64}, mw.pageTotal),
		iconBtn(theme.NavigateNextIcon(), mw.onNextPage),
		widget.NewSeparator(),
		iconBtn(theme.ZoomOutIcon(), mw.onZoomOut),
		container.New(&fixedWidthLayout{width: 170}, mw.zoomSelect),
		iconBtn(theme.ZoomInIcon(), mw.onZoomIn),
		layout.NewSpacer(),
		settingsBtn,
	)...)
}

// zoomChoices are the zoom select's options: the fit modes, then percents.
func zoomChoices() []string {
	out := []string{i18n.T("app.zoom.fit-width"), i18n.T("app.zoom.fit-page")}
	for _, p := range []int{50, 75, 100, 125, 150, 200, 300, 400} {
		out = append(out, strconv.Itoa(p)+"%")
	}
	return out
}

// parseZoom maps a zoom select option to a zoom.
func parseZoom(s string) (zoom, bool) {
	switch s {
	case i18n.T("app.zoom.fit-width"):
		return zoom{mode: zoomFitWidth}, true
	case i18n.T("app.zoom.fit-page"):
		return zoom{mode: zoomFitPage}, true
	}
	p, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(s, "%")), 32)
	if err != nil || p <= 0 {
		return zoom{}, false
	}
	return zoom{mode: zoomPercent, percent: float32(p)}, true
}

// zoomLabel is how the zoom select shows z.
func zoomLabel(z zoom, percent float32) string {
	switch z.mode {
	case zoomFitWidth:
		return i18n.T("app.zoom.fit-width")
	case zoomFitPage:
		return i18n.T("app.zoom.fit-page")
	}
	return strconv.Itoa(int(percent+0.5)) + "%"
}

// syncToolbar shows the current document's page and zoom.
func (mw *mainWindow) syncToolbar() {
	if mw.pageEntry == nil {
		return
	}
	mw.syncing = true
	defer func() { mw.syncing = false }()
	v := mw.currentDoc()
	if v == nil || !v.ready() {
		mw.pageEntry.SetText("")
		mw.pageEntry.Disable()
		mw.pageTotal.SetText("")
		mw.zoomSelect.Disable()
		if v == nil {
			mw.zoomSelect.ClearSelected()
		}
		return
	}
	mw.pageEntry.Enable()
	mw.zoomSelect.Enable()
	if mw.win.Canvas().Focused() != mw.pageEntry {
		mw.pageEntry.SetText(strconv.Itoa(v.currentPage() + 1))
	}
	mw.pageTotal.SetText(i18n.T("app.tb.of-pages", v.numPages()))
	mw.zoomSelect.SetSelected(zoomLabel(v.zoom, v.zoomPercent()))
}

// fillCenter shows the tabs, or the welcome screen when nothing is open.
func (mw *mainWindow) fillCenter() {
	if len(mw.docs) > 0 || (mw.x != nil && mw.x.open()) {
		mw.center.Objects = []fyne.CanvasObject{mw.tabs}
	} else {
		mw.center.Objects = []fyne.CanvasObject{mw.buildWelcome()}
	}
	mw.center.Refresh()
}

func (mw *mainWindow) buildWelcome() fyne.CanvasObject {
	title := widget.NewRichText(&widget.TextSegment{Text: i18n.T("app.title"), Style: widget.RichTextStyle{SizeName: theme.SizeNameHeadingText, TextStyle: fyne.TextStyle{Bold: true}, Alignment: fyne.TextAlignCenter}})
	sub := widget.NewLabelWithStyle(i18n.T("app.welcome.subtitle"), fyne.TextAlignCenter, fyne.TextStyle{})
	open := widget.NewButtonWithIcon(i18n.T("app.welcome.open"), theme.FolderOpenIcon(), mw.onOpen)
	open.Importance = widget.HighImportance
	hint := widget.NewLabelWithStyle(i18n.T("app.welcome.drop"), fyne.TextAlignCenter, fyne.TextStyle{Italic: true})
	logo := canvas.NewImageFromResource(appIcon())
	logo.FillMode = canvas.ImageFillContain
	logo.SetMinSize(fyne.NewSize(96, 96))
	objs := []fyne.CanvasObject{container.NewCenter(logo), title, sub, container.NewCenter(open), hint}
	if rec := recentFiles(mw.prefs); len(rec) > 0 {
		objs = append(objs, widget.NewSeparator(), widget.NewLabelWithStyle(i18n.T("app.welcome.recent"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
		for _, f := range rec {
			path := f
			b := widget.NewButtonWithIcon(filepath.Base(path), theme.FileIcon(), func() { mw.openFile(path) })
			b.Alignment = widget.ButtonAlignLeading
			b.Importance = widget.LowImportance
			objs = append(objs, b)
		}
	}
	box := container.NewVBox(objs...)
	return container.NewCenter(container.New(&fixedWidthLayout{width: 440}, box))
}

// fillBanner shows the demo banner in demo mode.
func (mw *mainWindow) fillBanner() {
	if mw.banner == nil {
		return
	}
	if !mw.opts.Demo {
		mw.banner.Objects = nil
		mw.banner.Refresh()
		return
	}
	text := i18n.T("app.demo.banner")
	switch {
	case mw.demoPreparing:
		text += " " + demoStepText(mw.demoStep)
	case mw.demoErr != nil:
		text += " " + i18n.T("app.demo.failed", mw.demoErr.Error())
	case mw.demoEnv != nil:
		text += " " + i18n.T("app.demo.pin", mw.demoEnv.PIN)
		if mw.link != nil && mw.link.problem != "" {
			text += " " + mw.link.problem
		}
	}
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameWarning))
	label := widget.NewRichText(&widget.TextSegment{Text: text, Style: widget.RichTextStyle{TextStyle: fyne.TextStyle{Bold: true}, ColorName: theme.ColorNameForegroundOnWarning}})
	label.Wrapping = fyne.TextWrapWord
	mw.banner.Objects = []fyne.CanvasObject{bg, container.NewBorder(nil, nil, widget.NewIcon(theme.WarningIcon()), nil, label)}
	mw.banner.Refresh()
}

// setStatus shows a message in the status bar.
func (mw *mainWindow) setStatus(msg string) {
	if mw.status != nil {
		mw.status.SetText(msg)
	}
}

// showError tells the user what went wrong and what to do.
func (mw *mainWindow) showError(msg string) {
	mw.setStatus(msg)
	d := dialog.NewCustom(i18n.T("app.err.title"), i18n.T("app.ok"), container.New(&fixedWidthLayout{width: 420}, wrapLabel(msg)), mw.win)
	d.Show()
}

// Documents.

// currentDoc returns the document of the selected tab, or nil.
func (mw *mainWindow) currentDoc() *docView {
	if mw.tabs == nil {
		return nil
	}
	sel := mw.tabs.Selected()
	for v, it := range mw.items {
		if it == sel {
			return v
		}
	}
	return nil
}

// openFile opens path in a new tab, or selects its tab when open.
func (mw *mainWindow) openFile(path string) {
	mw.openDocument(path, "")
}

func (mw *mainWindow) openDocument(path, title string) *docView {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	for _, v := range mw.docs {
		if v.path == path {
			mw.tabs.Select(mw.items[v])
			return v
		}
	}
	if st, err := os.Stat(path); err != nil || st.IsDir() {
		if errors.Is(err, fs.ErrNotExist) {
			mw.showError(i18n.T("app.err.not-found", path))
		} else {
			mw.showError(i18n.T("app.err.cannot-open", path))
		}
		return nil
	}
	s := mw.settings()
	v := newDocView(mw.svc, path, title, loadZoom(mw.prefs), s.StampTimeLayout)
	v.onStateChanged = func() { mw.onDocChanged(v) }
	v.onOpenRevision = func(p, t string) { mw.openDocument(p, t) }
	v.onError = mw.showError
	it := container.NewTabItem(v.title, v.build())
	mw.docs = append(mw.docs, v)
	mw.items[v] = it
	mw.tabs.Append(it)
	mw.tabs.Select(it)
	mw.fillCenter()
	v.load()
	if mw.persist && title == "" {
		addRecent(mw.prefs, path)
		mw.win.SetMainMenu(mw.buildMenu())
	}
	mw.setStatus(i18n.T("app.status.opened", filepath.Base(path)))
	mw.syncToolbar()
	return v
}

func (mw *mainWindow) onDocChanged(v *docView) {
	if v == mw.currentDoc() {
		mw.syncToolbar()
	}
}

func (mw *mainWindow) onTabChanged() {
	mw.syncToolbar()
}

func (mw *mainWindow) onTabCloseRequested(it *container.TabItem) {
	if mw.x != nil && mw.x.closeTab(it) {
		return
	}
	for v, x := range mw.items {
		if x == it {
			mw.closeDoc(v)
			return
		}
	}
}

func (mw *mainWindow) closeDoc(v *docView) {
	v.close()
	it := mw.items[v]
	delete(mw.items, v)
	for i, d := range mw.docs {
		if d == v {
			mw.docs = append(mw.docs[:i], mw.docs[i+1:]...)
			break
		}
	}
	mw.tabs.Remove(it)
	mw.fillCenter()
	mw.syncToolbar()
}

func (mw *mainWindow) onCloseDoc() {
	if v := mw.currentDoc(); v != nil {
		mw.closeDoc(v)
	}
}

// onOpen shows the file chooser.
func (mw *mainWindow) onOpen() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			mw.showError(i18n.T("app.err.cannot-open", err.Error()))
			return
		}
		if r == nil {
			return
		}
		path := r.URI().Path()
		r.Close()
		mw.openFile(path)
	}, mw.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".pdf", ".PDF"}))
	if rec := recentFiles(mw.prefs); len(rec) > 0 {
		if l, err := storage.ListerForURI(storage.NewFileURI(filepath.Dir(rec[0]))); err == nil {
			d.SetLocation(l)
		}
	}
	d.Resize(fyne.NewSize(900, 600))
	d.Show()
}

// onDropped opens the PDFs dropped on the window.
func (mw *mainWindow) onDropped(_ fyne.Position, uris []fyne.URI) {
	var skipped []string
	for _, u := range uris {
		if u.Scheme() != "file" || !strings.EqualFold(filepath.Ext(u.Path()), ".pdf") {
			skipped = append(skipped, u.Name())
			continue
		}
		mw.openFile(u.Path())
	}
	if len(skipped) > 0 {
		mw.showError(i18n.T("app.err.not-pdf", strings.Join(skipped, ", ")))
	}
}

// Navigation and zoom.

func (mw *mainWindow) withDoc(f func(v *docView)) {
	if v := mw.currentDoc(); v != nil && v.ready() {
		f(v)
	}
}

func (mw *mainWindow) onPrevPage()  { mw.withDoc(func(v *docView) { v.goTo(v.currentPage() - 1) }) }
func (mw *mainWindow) onNextPage()  { mw.withDoc(func(v *docView) { v.goTo(v.currentPage() + 1) }) }
func (mw *mainWindow) onFirstPage() { mw.withDoc(func(v *docView) { v.goTo(0) }) }
func (mw *mainWindow) onLastPage()  { mw.withDoc(func(v *docView) { v.goTo(v.numPages() - 1) }) }
func (mw *mainWindow) onZoomIn()    { mw.withDoc(func(v *docView) { v.zoomStep(1); mw.saveZoom(v.zoom) }) }
func (mw *mainWindow) onZoomOut() {
	mw.withDoc(func(v *docView) { v.zoomStep(-1); mw.saveZoom(v.zoom) })
}
func (mw *mainWindow) onFitPage()  { mw.setZoom(zoom{mode: zoomFitPage}) }
func (mw *mainWindow) onFitWidth() { mw.setZoom(zoom{mode: zoomFitWidth}) }
func (mw *mainWindow) onActualSize() {
	mw.setZoom(zoom{mode: zoomPercent, percent: 100})
}

func (mw *mainWindow) setZoom(z zoom) {
	mw.withDoc(func(v *docView) { v.setZoom(z) })
	mw.saveZoom(z)
}

func (mw *mainWindow) onGoToPage() {
	if mw.pageEntry != nil && !mw.pageEntry.Disabled() {
		mw.win.Canvas().Focus(mw.pageEntry)
	}
}

func (mw *mainWindow) onPageEntered(s string) {
	mw.withDoc(func(v *docView) {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 || n > v.numPages() {
			mw.setStatus(i18n.T("app.err.page", v.numPages()))
			mw.pageEntry.SetText(strconv.Itoa(v.currentPage() + 1))
			return
		}
		v.goTo(n - 1)
	})
	mw.win.Canvas().Unfocus()
	mw.syncToolbar()
}

func (mw *mainWindow) onZoomChosen(s string) {
	if mw.syncing {
		return
	}
	if z, ok := parseZoom(s); ok {
		mw.setZoom(z)
	}
}

// saveZoom remembers the zoom for the next documents.
func (mw *mainWindow) saveZoom(z zoom) {
	switch z.mode {
	case zoomFitWidth:
		mw.prefs.SetString(prefZoom, "fit-width")
	case zoomFitPage:
		mw.prefs.SetString(prefZoom, "fit-page")
	default:
		mw.prefs.SetString(prefZoom, strconv.Itoa(int(z.percent+0.5)))
	}
}

// loadZoom is the zoom new documents open with.
func loadZoom(p fyne.Preferences) zoom {
	switch s := p.StringWithFallback(prefZoom, "fit-width"); s {
	case "fit-width":
		return zoom{mode: zoomFitWidth}
	case "fit-page":
		return zoom{mode: zoomFitPage}
	default:
		n, err := strconv.Atoi(s)
		if err != nil || n < minZoomPercent || n > maxZoomPercent {
			return zoom{mode: zoomFitWidth}
		}
		return zoom{mode: zoomPercent, percent: float32(n)}
	}
}

// Signing.

func (mw *mainWindow) onSign() {
	v := mw.currentDoc()
	if v == nil {
		mw.showError(i18n.T("app.err.sign-nothing"))
		return
	}
	mw.signing.showSign(mw.win, mw.engine(), v.path, v.currentPage(), mw.signConfig(), mw.onSigned)
}

// signFile opens the signing dialog on the file at path (not a tab of
// the reader): Ký duyệt of a draft from the work screen.
func (mw *mainWindow) signFile(path string, done func(signed string)) {
	mw.signing.showSign(mw.win, mw.engine(), path, 0, mw.signConfig(), done)
}

// engine is the PDF engine, nil while none runs.
func (mw *mainWindow) engine() *render.Engine {
	if mw.render == nil {
		return nil
	}
	return mw.render.engine()
}

// onSigned opens the signed file; if it replaced an open one, that tab is
// reloaded so its signatures panel is fresh.
func (mw *mainWindow) onSigned(signed string) {
	if abs, err := filepath.Abs(signed); err == nil {
		signed = abs
	}
	for _, v := range mw.docs {
		if v.path == signed {
			mw.closeDoc(v)
			break
		}
	}
	mw.openFile(signed)
	mw.setStatus(i18n.T("app.status.signed", filepath.Base(signed)))
}

func (mw *mainWindow) onBatchSign() {
	mw.signing.showBatch(mw.win, mw.signConfig())
}

// Settings.

func (mw *mainWindow) showSettings() {
	if mw.settingsWin != nil {
		mw.settingsWin.RequestFocus()
		return
	}
	w := mw.app.NewWindow(i18n.T("app.settings.title"))
	scr := newSettingsScreen(w, mw.settings(), mw.onSettingsSaved)
	scr.demo = !mw.persist
	w.SetContent(scr.build())
	w.Resize(fyne.NewSize(720, 640))
	w.SetOnClosed(func() {
		if mw.settingsWin == w {
			mw.settingsWin = nil
		}
	})
	mw.settingsWin = w
	w.Show()
}

// onSettingsSaved applies new settings: language and theme at once,
// verification settings by checking the open documents again.
func (mw *mainWindow) onSettingsSaved(s settings) {
	old := mw.settings()
	trustSaved := s.trustListSaved
	s.trustListSaved = false
	mw.current.Store(&s)
	if mw.persist {
		s.save(mw.prefs)
	}
	if s.Theme != old.Theme {
		mw.applyTheme()
	}
	if s.StampTimeLayout != old.StampTimeLayout {
		for _, v := range mw.docs {
			v.sigs.timeLayout = s.StampTimeLayout
			v.sigs.fill()
		}
	}
	if s.Lang != old.Lang || s.Theme != old.Theme {
		// Rebuilt for the new language, and so that colours taken from
		// the theme when a screen is built follow the new one.
		i18n.SetLang(s.Lang)
		mw.rebuild()
	}
	if mw.link != nil && !mw.opts.Demo && (s.ServerAddress != old.ServerAddress || s.ServerCA != old.ServerCA) {
		mw.link.reconfigure()
	}
	if trustSaved || !equalStrings(s.trustPaths(), old.trustPaths()) || s.OfflineRevocation != old.OfflineRevocation || s.AcceptUnknownRevocation != old.AcceptUnknownRevocation {
		for _, v := range mw.docs {
			v.verify()
		}
	}
	mw.setStatus(i18n.T("app.status.settings-saved"))
}

func (mw *mainWindow) applyTheme() {
	mw.app.Settings().SetTheme(newAppTheme(mw.base, mw.settings().Theme))
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Help.

func (mw *mainWindow) onShowShortcuts() {
	grid := container.NewGridWithColumns(2)
	for _, line := range strings.Split(i18n.T("app.help.shortcuts"), "\n") {
		keys, what, _ := strings.Cut(line, "\t")
		grid.Add(widget.NewLabelWithStyle(keys, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
		grid.Add(widget.NewLabel(what))
	}
	d := dialog.NewCustom(i18n.T("app.menu.shortcuts"), i18n.T("app.ok"), grid, mw.win)
	d.Show()
}

func (mw *mainWindow) onAbout() {
	d := dialog.NewCustom(i18n.T("app.menu.about"), i18n.T("app.ok"), container.New(&fixedWidthLayout{width: 420}, wrapLabel(i18n.T("app.help.about"))), mw.win)
	d.Show()
}

// onClosed releases everything when the window closes.
func (mw *mainWindow) onClosed() {
	if mw.closed {
		return
	}
	mw.closed = true
	if mw.x != nil {
		mw.x.stop()
	}
	if mw.link != nil {
		mw.link.close()
	}
	mw.token.Stop()
	for _, v := range mw.docs {
		v.close()
	}
	if mw.render != nil {
		mw.render.close()
	}
	if mw.demoEnv != nil {
		mw.demoEnv.Close()
	}
	if mw.settingsWin != nil {
		mw.settingsWin.Close()
	}
}

// Environment variables read by ReadEnv.
const (
	// EnvScreenshot names a PNG file: the window is captured into it once
	// its documents are shown, and the program quits (Options.Screenshot;
	// builds with the tag "screenshots" only).
	EnvScreenshot = "VANTHU_SCREENSHOT"
	// EnvWindowSize is the initial window size, e.g. "1366x768".
	EnvWindowSize = "VANTHU_WINDOW_SIZE"
)

// ReadEnv fills the screenshot hook and the window size from the
// environment (EnvScreenshot, EnvWindowSize). EnvScreenshot is an error in
// a build without the hook (build tag "screenshots").
func (o *Options) ReadEnv() error {
	if p := strings.TrimSpace(os.Getenv(EnvScreenshot)); p != "" {
		if screenshotHook == nil {
			return errors.New(i18n.T("app.err.no-screenshot-hook", EnvScreenshot))
		}
		o.Screenshot = p
	}
	if s := strings.TrimSpace(os.Getenv(EnvWindowSize)); s != "" {
		w, h, ok := strings.Cut(strings.ToLower(s), "x")
		wi, err1 := strconv.Atoi(w)
		hi, err2 := strconv.Atoi(h)
		if !ok || err1 != nil || err2 != nil || wi <= 0 || hi <= 0 {
			return fmt.Errorf("%s=%q: want WIDTHxHEIGHT, e.g. 1366x768", EnvWindowSize, s)
		}
		o.Size = fyne.NewSize(float32(wi), float32(hi))
	}
	return nil
}
