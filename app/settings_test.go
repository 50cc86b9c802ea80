package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/vanthuso/vanthu/app/i18n"
	"github.com/vanthuso/vanthu/signing/stamp"
	"github.com/vanthuso/vanthu/signing/token"
	"github.com/vanthuso/vanthu/signing/trustlist"
)

// fakeDiscovery makes module discovery report probes.
func fakeDiscovery(t *testing.T, probes []token.Probe) {
	old := discoverModules
	discoverModules = func(string) []token.Probe { return probes }
	t.Cleanup(func() { discoverModules = old })
}

func newTestSettings(t *testing.T, s settings) (*settingsScreen, fyne.Window, *[]settings, *uiQueue) {
	t.Helper()
	test.NewTempApp(t)
	q := useUIQueue(t)
	var saved []settings
	w := test.NewWindow(nil) // Save closes it
	sc := newSettingsScreen(w, s, func(s settings) { saved = append(saved, s) })
	w.SetContent(sc.build())
	w.Resize(fyne.NewSize(720, 900))
	q.until(t, "modules listed", func() bool { return sc.moduleNote.Text != i18n.T("app.set.module.searching") })
	return sc, w, &saved, q
}

func TestSettingsScreen(t *testing.T) {
	fakeDiscovery(t, []token.Probe{
		{Path: `C:\Windows\System32\eTPKCS11.dll`, Source: token.SourceKnown, Err: "not found", Vendor: "SafeNet (VGCA)"},
		{Path: "/usr/lib/softhsm/libsofthsm2.so", Source: token.SourceKnown, Found: true, Vendor: "SoftHSM2 (thử nghiệm)"},
	})
	s := loadSettings(test.NewTempApp(t).Preferences())
	sc, w, saved, _ := newTestSettings(t, s)
	assertMarkup(t, "settings.xml", w.Canvas())
	assertImage(t, "settings.png", w.Canvas())
	if !strings.Contains(sc.moduleNote.Text, "libsofthsm2.so") {
		t.Errorf("module note %q", sc.moduleNote.Text)
	}

	dir := t.TempDir()
	png := filepath.Join(dir, "chu-ky.png")
	pem := filepath.Join(dir, "goc.pem")
	for _, f := range []string{png, pem} {
		if err := os.WriteFile(f, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	sc.tsa.SetText("tsa.ca.gov.vn")
	sc.onSave()
	if len(*saved) != 0 || !sc.problem.Visible() || !strings.Contains(sc.problem.Text, "http://") {
		t.Fatalf("bad TSA URL accepted (problem %q)", sc.problem.Text)
	}
	sc.tsa.SetText("http://tsa.ca.gov.vn")
	sc.sigImage.SetText(filepath.Join(dir, "missing.png"))
	sc.onSave()
	if len(*saved) != 0 || !strings.Contains(sc.problem.Text, "missing.png") {
		t.Fatalf("missing image accepted (problem %q)", sc.problem.Text)
	}
	sc.sigImage.SetText(png)
	sc.addTrustFile(pem)
	sc.addTrustFile(filepath.Join(dir, "khac.pem"))
	sc.onRemoveTrustFile(1)
	sc.trustDir.SetText(dir)
	sc.offline.SetChecked(true)
	sc.location.SetText("Nghệ An")
	sc.timeLayout.SetSelectedIndex(1)
	sc.lang.SetSelected(i18n.English.Name())
	sc.themeSel.SetSelectedIndex(2)
	sc.module.SetText("/usr/lib/softhsm/libsofthsm2.so")
	sc.onSave()
	if len(*saved) != 1 {
		t.Fatalf("not saved (problem %q)", sc.problem.Text)
	}
	got := (*saved)[0]
	if got.TSAURL != "http://tsa.ca.gov.vn" || got.SignatureImage != png || len(got.TrustFiles) != 1 || got.TrustFiles[0] != pem ||
		got.TrustDir != dir || !got.OfflineRevocation || got.Location != "Nghệ An" || got.StampTimeLayout != stampTimeLayouts[1] ||
		got.Lang != i18n.English || got.Theme != themeDark || got.Module != "/usr/lib/softhsm/libsofthsm2.so" {
		t.Errorf("saved %+v", got)
	}
	cfg := got.signConfig()
	if cfg.Level != "B-T" || cfg.TSAURL != "http://tsa.ca.gov.vn" || cfg.Location != "Nghệ An" || cfg.SignatureImage != png {
		t.Errorf("sign config %+v", cfg)
	}
	_ = w
}

func TestSettingsNoModule(t *testing.T) {
	fakeDiscovery(t, []token.Probe{{Path: "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so", Source: token.SourceKnown, Err: "not found"}})
	sc, _, _, _ := newTestSettings(t, settings{Lang: i18n.Vietnamese, Theme: themeSystem, StampTimeLayout: stamp.DefaultTimeLayout})
	if !strings.Contains(sc.moduleNote.Text, "Chọn…") {
		t.Errorf("no-module note does not say what to do: %q", sc.moduleNote.Text)
	}
}

func TestSettingsPreferences(t *testing.T) {
	a := test.NewTempApp(t)
	p := a.Preferences()
	s := loadSettings(p)
	if s.Lang != i18n.Vietnamese || s.Theme != themeSystem || s.StampTimeLayout != stamp.DefaultTimeLayout || s.OfflineRevocation {
		t.Errorf("defaults %+v", s)
	}
	if cfg := s.signConfig(); cfg.Level != "B-B" || cfg.ModulePath != "" {
		t.Errorf("default sign config %+v", cfg)
	}
	s.Module, s.TSAURL, s.TrustFiles, s.Lang, s.Theme, s.OfflineRevocation = "/m.so", "http://t", []string{"/a.pem"}, i18n.English, themeLight, true
	s.save(p)
	if got := loadSettings(p); got.Module != "/m.so" || got.TSAURL != "http://t" || len(got.TrustFiles) != 1 || got.Lang != i18n.English || got.Theme != themeLight || !got.OfflineRevocation {
		t.Errorf("reloaded %+v", got)
	}
	p.SetString(prefTheme, "purple")
	if got := loadSettings(p); got.Theme != themeSystem {
		t.Errorf("unknown theme gave %q", got.Theme)
	}

	// Verification options: the shipped trust list (an empty store), a
	// revocation checker and an issuer fetcher; a missing anchor file is a
	// trust error the panel explains; so is a damaged trust store.
	o, err := settings{trustStoreDir: t.TempDir()}.verifyOptions(t.TempDir())
	if err != nil || len(o.Anchors) == 0 || len(o.Intermediates) == 0 || o.Revocation == nil || o.Fetcher == nil || o.AcceptUnknownRevocation {
		t.Errorf("shipped list: %+v %v", o, err)
	}
	damaged := t.TempDir()
	if err := os.WriteFile(filepath.Join(damaged, trustlist.StoreFile), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := (settings{trustStoreDir: damaged}).verifyOptions(""); err == nil {
		t.Error("a damaged trust store was ignored")
	}
	_, err = settings{TrustFiles: []string{filepath.Join(t.TempDir(), "none.pem")}}.verifyDocument(t.Context(), "x.pdf", "")
	if !strings.Contains(verifyErrorText(err), "Cài đặt") {
		t.Errorf("trust error text %q", verifyErrorText(err))
	}

	// Recent files: most recent first, no duplicates, bounded.
	for i := 0; i < 15; i++ {
		addRecent(p, filepath.Join("/d", string(rune('a'+i))+".pdf"))
	}
	addRecent(p, "/d/c.pdf")
	r := recentFiles(p)
	if len(r) != maxRecent || r[0] != "/d/c.pdf" || r[1] != "/d/o.pdf" {
		t.Errorf("recent %v", r)
	}
}

func TestThemeChoice(t *testing.T) {
	test.NewTempApp(t)
	base := theme.DefaultTheme()
	dark := newAppTheme(base, themeDark)
	light := newAppTheme(base, themeLight)
	if dark.Color("background", 0) == light.Color("background", 0) {
		t.Error("dark and light themes have the same background")
	}
	if baseTheme(dark) != base {
		t.Error("themes stack")
	}
}
