package app

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/vanthuso/vanthu/app/i18n"
	"github.com/vanthuso/vanthu/internal/testpki/ocsp"
	"github.com/vanthuso/vanthu/signing/revocation"
	"github.com/vanthuso/vanthu/signing/stamp"
	"github.com/vanthuso/vanthu/signing/token"
	"github.com/vanthuso/vanthu/signing/trustlist"
	"github.com/vanthuso/vanthu/signing/verify"
)

// trustSettings opens the settings screen over a trust store of its own.
func trustSettings(t *testing.T) (*settingsScreen, fyne.Window, *[]settings, string) {
	t.Helper()
	fakeDiscovery(t, nil)
	dir := t.TempDir()
	sc, w, saved, _ := newTestSettings(t, settings{Lang: i18n.Vietnamese, Theme: themeSystem, StampTimeLayout: stamp.DefaultTimeLayout, trustStoreDir: dir})
	return sc, w, saved, dir
}

// tapDialogButton presses the button labelled text in the dialog on top
// of w.
func tapDialogButton(t *testing.T, w fyne.Window, text string) {
	t.Helper()
	top := w.Canvas().Overlays().Top()
	if top == nil {
		t.Fatalf("no dialog open to press %q", text)
	}
	for _, o := range test.LaidOutObjects(top) {
		if b, ok := o.(*widget.Button); ok && b.Text == text {
			test.Tap(b)
			return
		}
	}
	t.Fatalf("the dialog has no button %q: %s", text, visibleText(top))
}

// dialogText is the text of the dialog on top of w ("" for none).
func dialogText(w fyne.Window) string {
	if top := w.Canvas().Overlays().Top(); top != nil {
		return visibleText(top)
	}
	return ""
}

func loadList(t *testing.T, dir string) *trustlist.List {
	t.Helper()
	l, err := trustlist.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func entryOf(t *testing.T, l *trustlist.List, fp string) trustlist.Entry {
	t.Helper()
	for _, e := range l.Entries() {
		if e.SHA256 == fp {
			return e
		}
	}
	t.Fatalf("no entry %s", fp)
	return trustlist.Entry{}
}

// vgcaRoot is a shipped VGCA root in effect.
func vgcaRoot(t *testing.T, l *trustlist.List) trustlist.Entry {
	t.Helper()
	for _, e := range l.Entries() {
		if e.Role == trustlist.Root && e.Trusted && strings.Contains(e.File, "vgca-rootca-g2") {
			return e
		}
	}
	t.Fatal("the shipped list has no VGCA root G2")
	return trustlist.Entry{}
}

func TestSettingsTrustList(t *testing.T) {
	sc, w, saved, dir := trustSettings(t)
	shipped := loadList(t, dir)

	// Listing: every entry, the shipped VGCA anchors among them, with
	// role, origin, validity and shortened fingerprint.
	text := visibleText(sc.trust.rows)
	if len(sc.trust.entries) != len(shipped.Entries()) {
		t.Fatalf("%d rows for %d entries", len(sc.trust.entries), len(shipped.Entries()))
	}
	vgca := 0
	for _, a := range shipped.Anchors() {
		e, _ := shipped.Lookup(a)
		if !strings.Contains(e.File, "vgca") {
			continue
		}
		vgca++
		if !strings.Contains(text, e.Name) || !strings.Contains(text, shortFingerprint(e.SHA256)) {
			t.Errorf("VGCA anchor %q (%s) not listed", e.Name, shortFingerprint(e.SHA256))
		}
	}
	if vgca < 2 {
		t.Errorf("%d VGCA anchors shipped", vgca)
	}
	for _, want := range []string{"gốc", "trung gian", "TSA", "đi kèm chương trình", "đang tin cậy", "hiệu lực ", "Gỡ", "Tin cậy"} {
		if !strings.Contains(text, want) {
			t.Errorf("the list does not show %q", want)
		}
	}
	root := vgcaRoot(t, shipped)
	sc.trust.showDetail(root.SHA256)
	if d := dialogText(w); !strings.Contains(d, "Chủ thể: ") || !strings.Contains(d, "Dấu vân tay SHA-256") {
		t.Errorf("detail dialog %q", d)
	}
	found := false
	for _, o := range test.LaidOutObjects(w.Canvas().Overlays().Top()) {
		if e, ok := o.(*widget.Entry); ok && e.Text == root.SHA256 {
			found = true
		}
	}
	if !found {
		t.Error("the detail dialog does not show the full fingerprint")
	}
	tapDialogButton(t, w, "Đóng")

	// A garbage file: a clear error, nothing changes.
	garbage := filepath.Join(t.TempDir(), "goc.pem")
	if err := os.WriteFile(garbage, []byte("đây không phải chứng thư"), 0o600); err != nil {
		t.Fatal(err)
	}
	sc.trust.addFile(garbage)
	if w.Canvas().Overlays().Top() != nil || sc.trust.dirty || !sc.trust.note.Visible() ||
		!strings.Contains(sc.trust.note.Text, "Không đọc được chứng thư") || !strings.Contains(sc.trust.note.Text, ".pem") {
		t.Errorf("garbage file: note %q, dirty %v", sc.trust.note.Text, sc.trust.dirty)
	}
	sc.onSave()
	if len(*saved) != 1 {
		t.Fatalf("not saved: %q", sc.problem.Text)
	}
	if _, err := os.Stat(filepath.Join(dir, trustlist.StoreFile)); !os.IsNotExist(err) {
		t.Errorf("a garbage file wrote the store: %v", err)
	}

	// Remove a shipped anchor (confirmed), save: the store says untrusted.
	sc, w, _, _ = reopen(t, dir)
	sc.trust.onRemove(root.SHA256)
	if d := dialogText(w); !strings.Contains(d, root.SHA256) {
		t.Errorf("confirmation %q does not name the fingerprint", d)
	}
	tapDialogButton(t, w, "Gỡ")
	if e := entryOf(t, sc.trust.list, root.SHA256); e.Trusted || !e.Removed {
		t.Errorf("not removed in the screen: %+v", e)
	}
	if !strings.Contains(visibleText(sc.trust.rows), "đã gỡ") {
		t.Error("the row does not say removed")
	}
	sc.onSave()
	if e := entryOf(t, loadList(t, dir), root.SHA256); e.Trusted || !e.Removed {
		t.Fatalf("saved list: %+v", e)
	}

	// Re-trust it.
	sc, w, _, _ = reopen(t, dir)
	sc.trust.onTrust(root.SHA256)
	tapDialogButton(t, w, "Tin cậy")
	sc.onSave()
	if e := entryOf(t, loadList(t, dir), root.SHA256); !e.Trusted {
		t.Fatalf("not trusted again: %+v", e)
	}

	// Remove it and reset: the shipped list is back.
	sc, w, _, _ = reopen(t, dir)
	sc.trust.onRemove(root.SHA256)
	tapDialogButton(t, w, "Gỡ")
	sc.onSave()
	sc, w, _, _ = reopen(t, dir)
	sc.trust.onReset()
	tapDialogButton(t, w, "Khôi phục danh sách gốc")
	sc.onSave()
	if e := entryOf(t, loadList(t, dir), root.SHA256); !e.Trusted || e.Removed {
		t.Fatalf("reset did not restore: %+v", e)
	}
}

// reopen opens the settings screen again over the store dir.
func reopen(t *testing.T, dir string) (*settingsScreen, fyne.Window, *[]settings, *uiQueue) {
	t.Helper()
	return newTestSettings(t, settings{Lang: i18n.Vietnamese, Theme: themeSystem, StampTimeLayout: stamp.DefaultTimeLayout, trustStoreDir: dir})
}

// An attacker (or a slip) removes an anchor in the screen; Cancel keeps
// the list as it was, on disk and for the verifier.
func TestSettingsTrustCancel(t *testing.T) {
	sc, w, saved, dir := trustSettings(t)
	root := vgcaRoot(t, sc.trust.list)
	sc.trust.onRemove(root.SHA256)
	tapDialogButton(t, w, "Gỡ")
	sc.trust.onReset()
	tapDialogButton(t, w, "Khôi phục danh sách gốc")
	sc.trust.onRemove(root.SHA256)
	tapDialogButton(t, w, "Gỡ")
	sc.onCancel()
	if len(*saved) != 0 {
		t.Fatal("Cancel saved the settings")
	}
	if _, err := os.Stat(filepath.Join(dir, trustlist.StoreFile)); !os.IsNotExist(err) {
		t.Errorf("Cancel wrote the store: %v", err)
	}
	if e := entryOf(t, loadList(t, dir), root.SHA256); !e.Trusted {
		t.Errorf("Cancel removed the anchor: %+v", e)
	}
	o, err := settings{trustStoreDir: dir}.verifyOptions("")
	if err != nil {
		t.Fatal(err)
	}
	if !containsCert(o.Anchors, root.SHA256) {
		t.Error("the verifier lost the anchor after Cancel")
	}

	// Declining the confirmation changes nothing either.
	sc, w, _, _ = reopen(t, dir)
	sc.trust.onRemove(root.SHA256)
	tapDialogButton(t, w, "Hủy")
	if sc.trust.dirty || !entryOf(t, sc.trust.list, root.SHA256).Trusted {
		t.Error("a declined removal removed the anchor")
	}
}

func pemOf(c *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}

func containsCert(certs []*x509.Certificate, fp string) bool {
	for _, c := range certs {
		if trustlist.Fingerprint(c) == fp {
			return true
		}
	}
	return false
}

// A certificate file added in the screen and saved is in the store, and
// a document signed under that root verifies with it as the anchor.
func TestSettingsTrustAdd(t *testing.T) {
	signed, pki := signedSample(t)
	srv, err := ocsp.Start(pki)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	sc, w, saved, dir := trustSettings(t)

	// A file with the root and its subordinate adds both.
	bundle := filepath.Join(t.TempDir(), "ca-thu-nghiem.pem")
	if err := os.WriteFile(bundle, append(pemOf(pki.Root.Cert), pemOf(pki.Sub.Cert)...), 0o600); err != nil {
		t.Fatal(err)
	}
	sc.trust.addFile(bundle)
	d := dialogText(w)
	rootFP, subFP := trustlist.Fingerprint(pki.Root.Cert), trustlist.Fingerprint(pki.Sub.Cert)
	if !strings.Contains(d, rootFP) || !strings.Contains(d, subFP) || !strings.Contains(d, "2 chứng thư") {
		t.Errorf("add confirmation %q", d)
	}
	tapDialogButton(t, w, "Thêm tất cả")
	if !strings.Contains(sc.trust.note.Text, "Đã thêm") || !strings.Contains(sc.trust.note.Text, "Bấm Lưu") {
		t.Errorf("note %q", sc.trust.note.Text)
	}
	text := visibleText(sc.trust.rows)
	if !strings.Contains(text, pki.Root.Cert.Subject.CommonName) || !strings.Contains(text, "do quản trị thêm") {
		t.Errorf("added root not listed")
	}
	sc.onSave()
	if len(*saved) != 1 {
		t.Fatalf("not saved: %q", sc.problem.Text)
	}
	l := loadList(t, dir)
	if e := entryOf(t, l, rootFP); !e.Trusted || e.Role != trustlist.Root || e.Origin != trustlist.User {
		t.Errorf("root in the store: %+v", e)
	}
	if e := entryOf(t, l, subFP); !e.Trusted || e.Role != trustlist.Intermediate {
		t.Errorf("sub CA in the store: %+v", e)
	}

	s := (*saved)[0]
	s.OfflineRevocation = true // no AIA fetching; revocation from the test responder below
	o, err := s.verifyOptions("")
	if err != nil {
		t.Fatal(err)
	}
	o.Revocation = &revocation.Checker{OCSPURL: srv.OCSPURLFor, CRLURL: srv.CRLURLFor, Timeout: 5 * time.Second}
	rep := mustVerify(t, signed, o)
	if rep.Verdict != verify.Valid || len(rep.Signatures) != 1 || rep.Signatures[0].Anchor == nil || rep.Signatures[0].Anchor.SHA256 != rootFP {
		t.Fatalf("verdict %s, anchor %+v", rep.Verdict, rep.Signatures[0].Anchor)
	}

	// A signer's certificate (not a CA) is refused; nothing changes.
	sc, _, _, _ = reopen(t, dir)
	leaf := filepath.Join(t.TempDir(), "nguoi-ky.pem")
	if err := os.WriteFile(leaf, pemOf(pki.Leader.Cert), 0o600); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(filepath.Join(dir, trustlist.StoreFile))
	sc.trust.addFile(leaf)
	if !strings.Contains(sc.trust.note.Text, "không phải chứng thư của tổ chức chứng thực") || sc.trust.dirty {
		t.Errorf("end-entity note %q", sc.trust.note.Text)
	}
	sc.onSave()
	if after, _ := os.ReadFile(filepath.Join(dir, trustlist.StoreFile)); string(after) != string(before) {
		t.Error("a refused file changed the store")
	}
}

// A damaged store: the screen says what to do; reset and save repair it.
func TestSettingsTrustDamaged(t *testing.T) {
	fakeDiscovery(t, []token.Probe{})
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, trustlist.StoreFile), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	sc, w, _, _ := reopen(t, dir)
	if !strings.Contains(sc.trust.status.Text, "bị hỏng") || !strings.Contains(sc.trust.status.Text, "Khôi phục danh sách gốc") || !sc.trust.add.Disabled() {
		t.Errorf("damaged store: %q", sc.trust.status.Text)
	}
	sc.onSave() // nothing changed: the damaged file stays for the administrator
	if b, _ := os.ReadFile(filepath.Join(dir, trustlist.StoreFile)); string(b) != "{" {
		t.Error("saving other settings replaced the damaged store")
	}
	sc, w, _, _ = reopen(t, dir)
	sc.trust.onReset()
	tapDialogButton(t, w, "Khôi phục danh sách gốc")
	sc.onSave()
	if _, err := trustlist.Load(dir); err != nil {
		t.Errorf("not repaired: %v", err)
	}
}

// The IT-policy checkbox round-trips through the preferences and reaches
// the verifier.
func TestSettingsAcceptUnknownRevocation(t *testing.T) {
	fakeDiscovery(t, nil)
	a := test.NewTempApp(t)
	p := a.Preferences()
	s := loadSettings(p)
	s.trustStoreDir = t.TempDir()
	sc, _, saved, _ := newTestSettings(t, s)
	if sc.acceptRev.Checked {
		t.Fatal("checked by default")
	}
	if !strings.Contains(visibleText(sc.form), "báo cáo kiểm tra sẽ ghi rõ là chưa kiểm tra được tình trạng thu hồi") {
		t.Error("no warning under the checkbox")
	}
	// The sentence is the box's label: tapping it ticks the box.
	var label *checkLabel
	for _, o := range test.LaidOutObjects(sc.form) {
		if l, ok := o.(*checkLabel); ok && l.check == sc.acceptRev {
			label = l
		}
	}
	if label == nil || !strings.Contains(label.Text, "Chấp nhận chữ ký khi chưa kiểm tra được tình trạng thu hồi (chính sách CNTT)") {
		t.Fatal("the checkbox has no sentence")
	}
	test.Tap(label)
	if !sc.acceptRev.Checked {
		t.Fatal("tapping the sentence did not tick the box")
	}
	sc.onSave()
	if len(*saved) != 1 {
		t.Fatalf("not saved: %q", sc.problem.Text)
	}
	(*saved)[0].save(p)
	if !p.Bool(prefAcceptUnknownRev) {
		t.Error("pref not set")
	}
	got := loadSettings(p)
	got.trustStoreDir = s.trustStoreDir
	if o, err := got.verifyOptions(""); err != nil || !o.AcceptUnknownRevocation {
		t.Errorf("verifyOptions: %v %v", o.AcceptUnknownRevocation, err)
	}
	sc, _, saved, _ = newTestSettings(t, got)
	if !sc.acceptRev.Checked {
		t.Error("the saved pref is not shown")
	}
	sc.acceptRev.SetChecked(false)
	sc.onSave()
	(*saved)[0].save(p)
	again := loadSettings(p)
	again.trustStoreDir = s.trustStoreDir
	if o, err := again.verifyOptions(""); err != nil || o.AcceptUnknownRevocation || p.Bool(prefAcceptUnknownRev) {
		t.Errorf("unchecked: %v %v", o.AcceptUnknownRevocation, err)
	}
}

// The screen as a picture, tall enough to show the trust list.
func TestSettingsTrustScreenshot(t *testing.T) {
	sc, w, _, _ := trustSettings(t)
	_ = sc
	w.Resize(fyne.NewSize(900, 1500))
	assertImage(t, "settings_trust.png", w.Canvas())
}

// Saving the trust list checks the open documents again: a root added in
// the settings screen makes the document already open show it as anchor
// (before, only a change of the extra trust files did).
func TestTrustListSavedReverifies(t *testing.T) {
	signed, pki := signedSample(t)
	mw, q, _ := newTestMainWindow(t, Options{}, 1)
	// The real verifier under the window's settings (the test window's
	// services answer a fixed report), set before a document is open: a
	// check runs in a goroutine of its own.
	mw.svc.verify = func(ctx context.Context, path string) (*verify.Report, error) {
		return mw.settings().verifyDocument(ctx, path, mw.cacheDir)
	}
	dir := t.TempDir()
	s := mw.settings()
	s.trustStoreDir, s.OfflineRevocation, s.AcceptUnknownRevocation = dir, true, true
	mw.onSettingsSaved(s)
	v := mw.openDocument(signed, "")
	anchored := func() bool {
		r := v.sigs.report
		return !v.sigs.checking && r != nil && len(r.Signatures) == 1 && r.Signatures[0].Anchor != nil
	}
	q.until(t, "checked without the test root", func() bool {
		return !v.sigs.checking && v.sigs.report != nil && len(v.sigs.report.Signatures) == 1
	})
	if anchored() {
		t.Fatal("the test root is trusted before it was added")
	}

	sc, w, saved, _ := newTestSettings(t, mw.settings())
	bundle := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(bundle, append(pemOf(pki.Root.Cert), pemOf(pki.Sub.Cert)...), 0o600); err != nil {
		t.Fatal(err)
	}
	sc.trust.addFile(bundle)
	tapDialogButton(t, w, "Thêm tất cả")
	sc.onSave()
	if len(*saved) != 1 || !(*saved)[0].trustListSaved {
		t.Fatalf("saved %+v (%q)", *saved, sc.problem.Text)
	}
	mw.onSettingsSaved((*saved)[0])
	q.until(t, "checked again with the test root as anchor", anchored)
	if mw.settings().trustListSaved {
		t.Error("the one-time flag was kept in the settings")
	}
}

// Saving a changed trust list checks the open documents again, with the
// new list: an anchor removed in the screen is gone for the next check.
func TestSettingsTrustReverifies(t *testing.T) {
	fakeDiscovery(t, nil)
	dir := t.TempDir()
	root := vgcaRoot(t, loadList(t, dir))
	a := test.NewTempApp(t)
	q := useUIQueue(t)
	var mu sync.Mutex
	var checks []bool // per check: was the root an anchor
	svc := fakeServices(t, 2, &verify.Report{Verdict: verify.Indeterminate, Signatures: []verify.Signature{}})
	var mw *mainWindow
	svc.verify = func(ctx context.Context, path string) (*verify.Report, error) {
		o, err := mw.settings().verifyOptions("")
		if err != nil {
			return nil, err
		}
		mu.Lock()
		checks = append(checks, containsCert(o.Anchors, root.SHA256))
		mu.Unlock()
		return &verify.Report{Verdict: verify.Indeterminate, Signatures: []verify.Signature{}}, nil
	}
	nChecks := func() int { mu.Lock(); defer mu.Unlock(); return len(checks) }
	mw = newMainWindow(a, Options{}, svc, (&fakeSigning{}).ui())
	t.Cleanup(func() { mw.win.Close() })
	s := mw.settings()
	s.trustStoreDir = dir
	mw.current.Store(&s)
	mw.openFile(writeFile(t, t.TempDir(), "cong-van.pdf"))
	q.until(t, "first check", func() bool { return nChecks() == 1 && mw.currentDoc() != nil && mw.currentDoc().settled() })

	// Cancel: no new check.
	w := test.NewWindow(nil)
	sc := newSettingsScreen(w, mw.settings(), mw.onSettingsSaved)
	w.SetContent(sc.build())
	sc.trust.onRemove(root.SHA256)
	tapDialogButton(t, w, "Gỡ")
	sc.onCancel()
	q.settle()
	if nChecks() != 1 {
		t.Fatalf("%d checks after Cancel", nChecks())
	}

	w = test.NewWindow(nil)
	sc = newSettingsScreen(w, mw.settings(), mw.onSettingsSaved)
	w.SetContent(sc.build())
	sc.trust.onRemove(root.SHA256)
	tapDialogButton(t, w, "Gỡ")
	sc.onSave()
	q.until(t, "second check", func() bool { return nChecks() == 2 && mw.currentDoc().settled() })
	mu.Lock()
	got := slices.Clone(checks)
	mu.Unlock()
	if !got[0] || got[1] {
		t.Errorf("root an anchor in checks: %v; want [true false]", got)
	}
	if mw.settings().trustListSaved {
		t.Error("the published settings still say the trust list was just saved")
	}
}
