package app

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"

	"github.com/vanthuso/vanthu/app/i18n"
	"github.com/vanthuso/vanthu/internal/demo"
	"github.com/vanthuso/vanthu/signing/verify"
)

// newTestMainWindow builds the main window over fake services.
func newTestMainWindow(t *testing.T, o Options, pages int) (*mainWindow, *uiQueue, *fakeSigning) {
	t.Helper()
	a := test.NewTempApp(t)
	q := useUIQueue(t)
	sui := &fakeSigning{}
	if o.Size.Width == 0 {
		o.Size = fyne.NewSize(1280, 800)
	}
	mw := newMainWindow(a, o, fakeServices(t, pages, &verify.Report{Verdict: verify.Indeterminate, Signatures: []verify.Signature{}, Reasons: []verify.Reason{{Code: "no-signatures", VI: "Tài liệu không có chữ ký số", EN: "the document has no signature"}}}), sui.ui())
	t.Cleanup(func() { mw.win.Close() })
	mw.win.Resize(o.Size)
	return mw, q, sui
}

func TestMainWindowEmpty(t *testing.T) {
	mw, q, _ := newTestMainWindow(t, Options{}, 3)
	q.settle()
	if mw.currentDoc() != nil {
		t.Fatal("a document is open")
	}
	if !mw.pageEntry.Disabled() {
		t.Error("the page field is enabled with no document")
	}
	assertMarkup(t, "main_empty.xml", mw.win.Canvas())
	assertImage(t, "main_empty.png", mw.win.Canvas())
}

func TestMainWindowWithDocument(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "quyet-dinh.pdf")
	mw, q, _ := newTestMainWindow(t, Options{Files: []string{path}}, 12)
	v := mw.currentDoc()
	if v == nil {
		t.Fatal("no document tab")
	}
	waitDoc(t, q, v)
	if got := mw.pageEntry.Text; got != "1" {
		t.Errorf("page field %q, want 1", got)
	}
	if got := mw.pageTotal.Text; got != "/ 12" {
		t.Errorf("page total %q", got)
	}
	if got := recentFiles(mw.prefs); len(got) != 1 || got[0] != path {
		t.Errorf("recent files %v", got)
	}
	assertMarkup(t, "main_document.xml", mw.win.Canvas())
	assertImage(t, "main_document.png", mw.win.Canvas())
}

func TestMainWindowKeyboard(t *testing.T) {
	path := writeFile(t, t.TempDir(), "a.pdf")
	mw, q, _ := newTestMainWindow(t, Options{Files: []string{path}}, 30)
	v := mw.currentDoc()
	q.until(t, "document shown", func() bool { return v.settled() })
	c := mw.win.Canvas()
	key := func(k fyne.KeyName) {
		c.OnTypedKey()(&fyne.KeyEvent{Name: k})
		q.drain()
	}
	key(fyne.KeyPageDown)
	key(fyne.KeyPageDown)
	if v.currentPage() != 2 || mw.pageEntry.Text != "3" {
		t.Errorf("after PageDown twice: page %d, field %q", v.currentPage(), mw.pageEntry.Text)
	}
	key(fyne.KeyEnd)
	if v.currentPage() != 29 {
		t.Errorf("End: page %d", v.currentPage())
	}
	key(fyne.KeyPageUp)
	if v.currentPage() != 28 {
		t.Errorf("PageUp from the end: page %d", v.currentPage())
	}
	key(fyne.KeyHome)
	if v.currentPage() != 0 {
		t.Errorf("Home: page %d", v.currentPage())
	}

	shortcut := func(k fyne.KeyName, m fyne.KeyModifier) {
		c.(fyne.Shortcutable).TypedShortcut(&desktop.CustomShortcut{KeyName: k, Modifier: m})
		q.drain()
	}
	ctrl := fyne.KeyModifierShortcutDefault
	shortcut(fyne.Key1, ctrl)
	if p := v.zoomPercent(); p < 99.9 || p > 100.1 || mw.zoomSelect.Selected != "100%" {
		t.Errorf("Ctrl+1: zoom %v, select %q", p, mw.zoomSelect.Selected)
	}
	shortcut(fyne.KeyEqual, ctrl)
	if mw.zoomSelect.Selected != "125%" {
		t.Errorf("Ctrl+=: select %q", mw.zoomSelect.Selected)
	}
	shortcut(fyne.KeyMinus, ctrl)
	shortcut(fyne.KeyMinus, ctrl)
	if mw.zoomSelect.Selected != "75%" {
		t.Errorf("Ctrl+minus twice: select %q", mw.zoomSelect.Selected)
	}
	shortcut(fyne.Key0, ctrl)
	if v.zoom.mode != zoomFitPage || mw.zoomSelect.Selected != i18n.T("app.zoom.fit-page") {
		t.Errorf("Ctrl+0: zoom %+v select %q", v.zoom, mw.zoomSelect.Selected)
	}
	shortcut(fyne.Key2, ctrl)
	if v.zoom.mode != zoomFitWidth {
		t.Errorf("Ctrl+2: zoom %+v", v.zoom)
	}
	if got := mw.prefs.String(prefZoom); got != "fit-width" {
		t.Errorf("zoom preference %q", got)
	}

	// The page field.
	shortcut(fyne.KeyG, ctrl)
	if c.Focused() != mw.pageEntry {
		t.Fatal("Ctrl+G did not focus the page field")
	}
	mw.pageEntry.SetText("17")
	mw.pageEntry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	q.drain()
	if v.currentPage() != 16 {
		t.Errorf("typed 17: page %d", v.currentPage())
	}
	mw.onPageEntered("99")
	if v.currentPage() != 16 || !strings.Contains(mw.status.Text, "30") {
		t.Errorf("typed 99: page %d, status %q", v.currentPage(), mw.status.Text)
	}

	// Zoom through the select.
	mw.zoomSelect.SetSelected("50%")
	if p := v.zoomPercent(); p < 49.9 || p > 50.1 {
		t.Errorf("select 50%%: zoom %v", p)
	}

	shortcut(fyne.KeyW, ctrl)
	if mw.currentDoc() != nil {
		t.Error("Ctrl+W did not close the document")
	}
}

func TestMainWindowTabsAndDrop(t *testing.T) {
	dir := t.TempDir()
	a, b := writeFile(t, dir, "a.pdf"), writeFile(t, dir, "b.PDF")
	txt := writeFile(t, dir, "notes.txt")
	mw, q, _ := newTestMainWindow(t, Options{}, 4)
	mw.onDropped(fyne.NewPos(10, 10), []fyne.URI{storage.NewFileURI(a), storage.NewFileURI(txt), storage.NewFileURI(b)})
	q.settle()
	if len(mw.docs) != 2 {
		t.Fatalf("%d documents open after dropping two PDFs and a text file", len(mw.docs))
	}
	if !strings.Contains(mw.status.Text, "notes.txt") {
		t.Errorf("status %q does not name the skipped file", mw.status.Text)
	}
	// Opening an open file selects its tab.
	mw.openFile(a)
	if len(mw.docs) != 2 || mw.currentDoc().path != a {
		t.Errorf("reopening a.pdf: %d tabs, current %s", len(mw.docs), mw.currentDoc().path)
	}
	// A missing file says what to do.
	mw.openFile(filepath.Join(dir, "gone.pdf"))
	if !strings.Contains(mw.status.Text, "gone.pdf") || !strings.Contains(mw.status.Text, "Tệp → Mở") {
		t.Errorf("status %q", mw.status.Text)
	}
	// Recent files, most recent first.
	if got := recentFiles(mw.prefs); len(got) != 2 || got[0] != b || got[1] != a {
		t.Errorf("recent %v", got)
	}
	mw.onTabCloseRequested(mw.items[mw.docs[0]])
	mw.onTabCloseRequested(mw.items[mw.docs[0]])
	q.settle()
	if len(mw.docs) != 0 {
		t.Fatal("tabs left open")
	}
	for _, f := range []string{a, b} {
		if !strings.Contains(visibleText(mw.center), filepath.Base(f)) {
			t.Errorf("the welcome screen does not list %s", f)
		}
	}
}

func TestMainWindowRecent(t *testing.T) {
	mw, q, _ := newTestMainWindow(t, Options{}, 2)
	mw.prefs.SetStringList(prefRecent, []string{"/srv/van-ban/quyet-dinh-05.pdf", "/srv/van-ban/cong-van-112.pdf"})
	mw.rebuild()
	q.settle()
	assertMarkup(t, "main_recent.xml", mw.win.Canvas())
	recent := mw.win.MainMenu().Items[0].Items[1]
	if recent.ChildMenu == nil || len(recent.ChildMenu.Items) != 2 {
		t.Errorf("File menu has no recent files")
	}
}

func TestMainWindowSign(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "a.pdf")
	mw, q, sui := newTestMainWindow(t, Options{}, 2)
	mw.onSign()
	if len(sui.signed) != 0 || !strings.Contains(mw.status.Text, "Ký hàng loạt") {
		t.Errorf("sign with no document: calls %v, status %q", sui.signed, mw.status.Text)
	}
	mw.openFile(path)
	q.settle()
	mw.onSign()
	if len(sui.signed) != 1 || sui.signed[0] != path {
		t.Fatalf("sign dialog calls %v", sui.signed)
	}
	signed := writeFile(t, dir, "a-signed.pdf")
	sui.done(signed)
	q.settle()
	if v := mw.currentDoc(); v == nil || v.path != signed {
		t.Errorf("the signed file is not shown")
	}
	mw.onBatchSign()
	if sui.batches != 1 {
		t.Error("batch dialog not shown")
	}
	// Signing the same file in place reloads its tab.
	mw.onSign()
	sui.done(signed)
	q.settle()
	if len(mw.docs) != 2 {
		t.Errorf("%d tabs after re-signing in place, want 2", len(mw.docs))
	}
}

func TestMainWindowDemo(t *testing.T) {
	dir := t.TempDir()
	docs := []string{writeFile(t, dir, "quyet-dinh.pdf"), writeFile(t, dir, "quyet-dinh-da-ky.pdf"), writeFile(t, dir, "phu-luc.pdf")}
	release := make(chan struct{})
	old := prepareDemo
	prepareDemo = func(ctx context.Context, d string, _ ...demo.Option) (*demo.Env, error) {
		<-release
		return &demo.Env{Dir: d, ModulePath: "/usr/lib/softhsm/libsofthsm2.so", TSAURL: "http://127.0.0.1:1/tsa", TrustRoot: filepath.Join(d, "root.pem"),
			PIN: "123456", Documents: docs, SignatureImage: filepath.Join(d, "signature.png"), SealImage: filepath.Join(d, "seal.png")}, nil
	}
	t.Cleanup(func() { prepareDemo = old })
	mw, q, _ := newTestMainWindow(t, Options{Demo: true, DemoDir: dir}, 2)
	if !mw.demoPreparing || mw.screenshotReady() {
		t.Error("not waiting for the demo")
	}
	close(release)
	q.until(t, "demo documents open", func() bool { return len(mw.docs) == 3 })
	waitDoc(t, q, mw.currentDoc())
	if mw.currentDoc().path != docs[demo.DocDecisionSigned] {
		t.Errorf("selected %s, want the decision the leader signed", mw.currentDoc().path)
	}
	cfg := mw.signConfig()
	if cfg.ModulePath != "/usr/lib/softhsm/libsofthsm2.so" || cfg.Level != "B-T" || cfg.SealImage == "" {
		t.Errorf("sign config %+v", cfg)
	}
	if s := mw.settings(); len(s.TrustFiles) != 1 || s.TrustFiles[0] != filepath.Join(dir, "root.pem") {
		t.Errorf("trust files %v", s.TrustFiles)
	}
	if mw.prefs.String(prefModule) != "" || len(recentFiles(mw.prefs)) != 0 {
		t.Error("the demo changed the user's preferences")
	}
	assertMarkup(t, "main_demo.xml", mw.win.Canvas())
	assertImage(t, "main_demo.png", mw.win.Canvas())
}

func TestMainWindowEnglish(t *testing.T) {
	path := writeFile(t, t.TempDir(), "decision.pdf")
	mw, q, _ := newTestMainWindow(t, Options{Files: []string{path}}, 10)
	v := mw.currentDoc()
	q.until(t, "document shown", func() bool { return v.settled() })
	v.goTo(4)
	s := mw.settings()
	s.Lang = i18n.English
	t.Cleanup(func() { i18n.SetLang(i18n.Vietnamese) })
	mw.onSettingsSaved(s)
	waitDoc(t, q, v)
	if v.currentPage() != 4 || mw.pageEntry.Text != "5" {
		t.Errorf("after switching language: page %d, field %q; want the fifth page still", v.currentPage(), mw.pageEntry.Text)
	}
	if mw.prefs.String(prefLang) != "en" {
		t.Errorf("language preference %q", mw.prefs.String(prefLang))
	}
	assertMarkup(t, "main_english.xml", mw.win.Canvas())
	assertImage(t, "main_english.png", mw.win.Canvas())
	// Every menu item exists in English too.
	for _, m := range mw.win.MainMenu().Items {
		for _, it := range m.Items {
			if strings.Contains(it.Label, "⟦") {
				t.Errorf("menu item %q", it.Label)
			}
		}
	}
}

func TestMainWindowHelp(t *testing.T) {
	mw, q, _ := newTestMainWindow(t, Options{}, 1)
	mw.onShowShortcuts()
	q.settle()
	text := visibleText(mw.win.Canvas().Overlays().Top())
	for _, want := range []string{"Ctrl+O", "Mở văn bản", "PageDown / PageUp", "Ctrl+2", "Vừa chiều rộng"} {
		if !strings.Contains(text, want) {
			t.Errorf("shortcuts dialog lacks %q", want)
		}
	}
	mw.win.Canvas().Overlays().Remove(mw.win.Canvas().Overlays().Top())
	mw.onAbout()
	if !strings.Contains(visibleText(mw.win.Canvas().Overlays().Top()), "Nghị định 30/2020") {
		t.Error("about dialog")
	}
}
