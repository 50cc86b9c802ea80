package signui

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/vanthuso/vanthu/internal/pdftools"
	"github.com/vanthuso/vanthu/internal/samplepdf"
	"github.com/vanthuso/vanthu/internal/testpki"
	"github.com/vanthuso/vanthu/internal/testpki/tsa"
	"github.com/vanthuso/vanthu/signing/pades"
	"github.com/vanthuso/vanthu/signing/pdf"
	"github.com/vanthuso/vanthu/signing/stamp"
	"github.com/vanthuso/vanthu/signing/token"
	"github.com/vanthuso/vanthu/signing/verify"
)

// chooseToken picks the token labelled label in the dialog's chooser and
// waits until its certificates are listed.
func chooseToken(t *testing.T, q *UIQueue, k *keyPanel, label string) {
	t.Helper()
	if k.snap.state != stateReady || k.snap.current.Label != label {
		for o, key := range k.tokenKeys {
			for _, tk := range k.snap.tokens {
				if tk.Label == label && tokenKey(tk) == key {
					k.tokenChoice.SetSelected(o)
				}
			}
		}
	}
	waitFor(t, q, "token "+label, func() bool {
		return k.snap.state == stateReady && k.snap.current.Label == label && len(k.snap.creds) > 0
	})
	settle(q)
}

// selectCert chooses the certificate cert in the dialog.
func selectCert(t *testing.T, k *keyPanel, fp string) {
	t.Helper()
	for o, f := range k.certFPs {
		if f == fp {
			k.certs.SetSelected(o)
			return
		}
	}
	t.Fatalf("certificate %s not offered; offered: %q; unusable: %q", fp, k.certs.Options, k.unusable.Text)
}

// checkSigned verifies out with signing/verify and poppler's pdfsig and
// returns the verify report.
func checkSigned(t *testing.T, p *testpki.PKI, out string, signatures int) *verify.Report {
	t.Helper()
	rep, err := verify.VerifyFile(context.Background(), out, verify.Options{Anchors: p.Anchors(), Intermediates: p.CACerts(), AcceptUnknownRevocation: true})
	if err != nil {
		t.Fatalf("verify %s: %v", out, err)
	}
	if rep.Verdict != verify.Valid || len(rep.Signatures) != signatures {
		t.Fatalf("verify %s: verdict %s, %d signatures (want %d): %+v", out, rep.Verdict, len(rep.Signatures), signatures, rep)
	}
	nss, err := p.NSSDB(t.TempDir())
	if err != nil {
		t.Fatalf("nss: %v", err)
	}
	sigs, raw, err := pdftools.Pdfsig(out, strings.TrimPrefix(nss, "sql:"))
	if err != nil {
		t.Fatalf("pdfsig: %v\n%s", err, raw)
	}
	if len(sigs) != signatures {
		t.Fatalf("pdfsig sees %d signatures, want %d:\n%s", len(sigs), signatures, raw)
	}
	for i, s := range sigs {
		if !s.Valid() || !s.Trusted() {
			t.Errorf("pdfsig signature %d: %+v\n%s", i+1, s, raw)
		}
	}
	if !sigs[len(sigs)-1].TotalDocument {
		t.Errorf("pdfsig: the last signature does not cover the whole document\n%s", raw)
	}
	return rep
}

// TestSignEndToEnd is the clerk's day in the dialog against SoftHSM2
// tokens: the leader approves (placed with a click on the preview), then
// the clerk issues the approved copy with the seal over the leader's
// signature and a B-T timestamp. Both outputs verify with signing/verify
// and pdfsig. (Number and date marks: TestIssueMarks.)
func TestSignEndToEnd(t *testing.T) {
	q := setupUI(t)
	p := testpki.New(t)
	ts, closer, err := p.Signer(p.TSA, testpki.UserPIN)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closer.Close() })
	url, stop, err := tsa.Start(tsa.New(ts, p.TSA.Cert, p.TSA.Chain))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	dir := t.TempDir()
	sig, seal := demoImages(t, t.TempDir())
	in := samplePDF(t, dir, "quyet-dinh.pdf", samplepdf.Options{Pages: 2, Title: "Quyet dinh so 05/QD-UBND"})
	cfg := Config{ModulePath: p.Module, TSAURL: url, Level: "B-B", SignatureImage: sig, SealImage: seal, Location: "Nghệ An"}

	// 1. The leader approves: token, certificate, a click on page 2, PIN.
	d, _, signed := openDialog(t, q, popplerRenderer{}, in, cfg)
	if d.key.cert() == nil { // four tokens, the CA's among them
		t.Errorf("the token chosen first, %q, has no certificate to sign with", d.key.snap.current.Label)
	}
	chooseToken(t, q, d.key, testpki.LeaderToken)
	selectCert(t, d.key, token.Fingerprint(p.Leader.Cert))
	if d.chosenProfile() != stamp.Approval {
		t.Fatalf("default profile %s", d.chosenProfile())
	}
	test.Tap(d.nextBtn)
	settle(q)
	s, off := d.placer.scale()
	test.TapAt(d.placer, off.Add(fyne.NewPos(s*400, s*600))) // displayed points (400, 600) on page 2
	waitInk(t, q, d)
	want := d.cur
	if want.kind != placeRect || want.page != 2 {
		t.Fatalf("placement after the click: %+v", want)
	}
	test.Type(d.key.pin, testpki.UserPIN)
	out := press(t, q, d)
	approved := filepath.Join(dir, "quyet-dinh (đã ký).pdf")
	if out.signed != approved || len(*signed) != 1 || (*signed)[0] != approved {
		t.Fatalf("approval: outcome %+v, done %q", out, *signed)
	}
	rep := checkSigned(t, p, approved, 1)
	if rep.Signatures[0].Signer.Name != p.Leader.Cert.Subject.CommonName {
		t.Errorf("signer %+v", rep.Signatures[0].Signer)
	}
	doc, err := pades.Inspect(approved)
	if err != nil {
		t.Fatal(err)
	}
	leader, ok := doc.LastVisibleSignature()
	doc.Close()
	if !ok || leader.Page != 2 || !nearRect(leader.Rect, want.rect) {
		t.Errorf("signature widget on page %d at %v, want page 2 at %v", leader.Page, leader.Rect, want.rect)
	}

	// 2. The clerk issues it: agency token, seal over the leader's
	// signature, number and date, B-T.
	d2, _, signed2 := openDialog(t, q, popplerRenderer{}, approved, cfg)
	chooseToken(t, q, d2.key, testpki.AgencyToken)
	selectCert(t, d2.key, token.Fingerprint(p.Agency.Cert))
	d2.profile.SetSelected(i18nProfile(stamp.Issue))
	settle(q)
	if d2.cur.kind != placeLeader {
		t.Fatalf("issue placement %+v, want over the leader's signature", d2.cur)
	}
	test.Type(d2.number, "05/QĐ-UBND")
	d2.level.SetSelected(i18nLevel("B-T"))
	test.Type(d2.key.pin, testpki.UserPIN)
	out = press(t, q, d2)
	issued := filepath.Join(dir, "quyet-dinh (đã ký 2).pdf")
	if out.signed != issued || len(*signed2) != 1 {
		t.Fatalf("issue: outcome %+v, done %q", out, *signed2)
	}
	rep = checkSigned(t, p, issued, 2)
	last := rep.Signatures[1]
	if last.Signer.Name != p.Agency.Cert.Subject.CommonName || !last.ProvenByTimestamp || last.Level != verify.LevelBT {
		t.Errorf("issue signature: signer %q, timestamp %v, level %q", last.Signer.Name, last.ProvenByTimestamp, last.Level)
	}
	if _, err := os.Stat(in); err != nil {
		t.Errorf("the original is gone: %v", err)
	}
}

func nearRect(a, b pdf.Rect) bool {
	a, b = a.Normalize(), b.Normalize()
	return abs(a.LLX-b.LLX) < 1 && abs(a.LLY-b.LLY) < 1 && abs(a.URX-b.URX) < 1 && abs(a.URY-b.URY) < 1
}

func i18nLevel(l string) string {
	if l == "B-T" {
		return "B-T — có dấu thời gian"
	}
	return "B-B — không có dấu thời gian"
}

// The PIN against a real token: a wrong PIN is shown and never retried,
// the right one then signs; a token on its final try warns before
// anything is typed; a locked token cannot be used.
func TestSignPINSoftHSM(t *testing.T) {
	t.Run("wrong-then-right", func(t *testing.T) {
		q := setupUI(t)
		p := testpki.New(t)
		onlyTokens(t, testpki.LeaderToken)
		dir := t.TempDir()
		in := samplePDF(t, dir, "vb.pdf", samplepdf.Options{})
		d, _, _ := openDialog(t, q, nil, in, Config{ModulePath: p.Module})
		test.Type(d.key.pin, "654321")
		out := press(t, q, d)
		if out.signed != "" || !strings.Contains(d.key.pinNote.Text, "Mã PIN không đúng") {
			t.Fatalf("wrong PIN: outcome %+v, note %q", out, d.key.pinNote.Text)
		}
		if names := listDir(t, dir); len(names) != 1 {
			t.Errorf("files after a wrong PIN: %q", names)
		}
		test.Type(d.key.pin, testpki.UserPIN)
		if out = press(t, q, d); out.signed == "" {
			t.Fatalf("right PIN after a wrong one: %s", out.msg)
		}
		checkSigned(t, p, out.signed, 1)
	})
	t.Run("final-try", func(t *testing.T) {
		q := setupUI(t)
		p := testpki.New(t)
		onlyTokens(t, testpki.LeaderToken)
		if err := p.SetPINState(testpki.LeaderToken, token.PINState{CountLow: true, FinalTry: true}); err != nil {
			t.Fatal(err)
		}
		in := samplePDF(t, t.TempDir(), "vb.pdf", samplepdf.Options{})
		d, _, _ := openDialog(t, q, nil, in, Config{ModulePath: p.Module})
		if !strings.Contains(d.key.pinNote.Text, "Chỉ còn 1 lần thử") {
			t.Errorf("final try before typing: note %q", d.key.pinNote.Text)
		}
		test.Type(d.key.pin, "654321")
		press(t, q, d)
		if !strings.Contains(d.key.pinNote.Text, "Mã PIN không đúng. Chỉ còn 1 lần thử") {
			t.Errorf("final try after a wrong PIN: note %q", d.key.pinNote.Text)
		}
	})
	t.Run("locked", func(t *testing.T) {
		q := setupUI(t)
		p := testpki.New(t)
		onlyTokens(t, testpki.LeaderToken)
		if err := p.SetPINState(testpki.LeaderToken, token.PINState{Locked: true}); err != nil {
			t.Fatal(err)
		}
		in := samplePDF(t, t.TempDir(), "vb.pdf", samplepdf.Options{})
		d, _, _ := openDialog(t, q, nil, in, Config{ModulePath: p.Module})
		if !d.signBtn.Disabled() || !d.key.pin.Disabled() || !strings.Contains(d.key.pinNote.Text, "đã bị khóa") {
			t.Errorf("locked token: sign disabled %v, PIN disabled %v, note %q", d.signBtn.Disabled(), d.key.pin.Disabled(), d.key.pinNote.Text)
		}
	})
}

// The token pulled out while the dialog is open: the dialog says so and
// writes nothing, whether it notices the removal itself or only when the
// user presses "Ký".
func TestSignTokenRemoved(t *testing.T) {
	t.Run("noticed", func(t *testing.T) {
		q := setupUI(t)
		p := testpki.New(t)
		onlyTokens(t, testpki.LeaderToken)
		dir := t.TempDir()
		in := samplePDF(t, dir, "vb.pdf", samplepdf.Options{})
		d, _, signed := openDialog(t, q, nil, in, Config{ModulePath: p.Module})
		test.Type(d.key.pin, testpki.UserPIN)
		deleteToken(t, testpki.LeaderToken)
		waitFor(t, q, "removal noticed", func() bool { return strings.Contains(d.key.tokenNote.Text, "đã bị rút ra") })
		settle(q)
		if !d.signBtn.Disabled() {
			t.Error("the sign button stays enabled without a token")
		}
		if names := listDir(t, dir); len(names) != 1 || len(*signed) != 0 {
			t.Errorf("files %q, done %q", names, *signed)
		}
	})
	t.Run("on-sign", func(t *testing.T) {
		q := setupUI(t)
		watchEvery = time.Hour // the dialog does not notice by itself
		p := testpki.New(t)
		onlyTokens(t, testpki.LeaderToken)
		dir := t.TempDir()
		in := samplePDF(t, dir, "vb.pdf", samplepdf.Options{})
		d, _, signed := openDialog(t, q, nil, in, Config{ModulePath: p.Module})
		test.Type(d.key.pin, testpki.UserPIN)
		deleteToken(t, testpki.LeaderToken)
		out := press(t, q, d)
		if out.signed != "" || !strings.Contains(out.msg, "rút ra") {
			t.Errorf("signing with the token gone: %+v", out)
		}
		if names := listDir(t, dir); len(names) != 1 || len(*signed) != 0 {
			t.Errorf("files %q, done %q", names, *signed)
		}
	})
}

// A TSA that does not answer: a sentence that says so and what to do,
// and no output.
func TestSignTSAUnreachable(t *testing.T) {
	q := setupUI(t)
	useFakeModule(t, newFakeModule(t))
	dir := t.TempDir()
	in := samplePDF(t, dir, "vb.pdf", samplepdf.Options{})
	d, _, _ := openFixedDialog(t, q, nil, in, Config{TSAURL: "http://127.0.0.1:1/tsa", Level: "B-T"})
	test.Type(d.key.pin, testpki.UserPIN)
	out := press(t, q, d)
	if out.signed != "" || !strings.Contains(out.msg, "Không lấy được dấu thời gian từ máy chủ http://127.0.0.1:1/tsa") ||
		!strings.Contains(out.msg, "B-B") {
		t.Errorf("unreachable TSA: %+v", out)
	}
	if names := listDir(t, dir); len(names) != 1 {
		t.Errorf("files %q", names)
	}
	// B-B still works.
	d.level.SetSelected(i18nLevel("B-B"))
	if d.key.pin.Text != testpki.UserPIN {
		t.Errorf("the accepted PIN was cleared after a TSA failure: %q", d.key.pin.Text)
	}
	if out = press(t, q, d); out.signed == "" {
		t.Errorf("B-B after the TSA failed: %s", out.msg)
	}
}

// TestIssueMarks: the clerk's number and date marks, stamped into the
// body of an approved document with the issuing signature, keep both
// signatures valid.
func TestIssueMarks(t *testing.T) {
	q := setupUI(t)
	p := testpki.New(t)
	dir := t.TempDir()
	_, seal := demoImages(t, t.TempDir())
	in := samplePDF(t, dir, "qd.pdf", samplepdf.Options{})
	cfg := Config{ModulePath: p.Module, SealImage: seal}

	d, _, _ := openDialog(t, q, nil, in, cfg)
	chooseToken(t, q, d.key, testpki.LeaderToken)
	test.Type(d.key.pin, testpki.UserPIN)
	out := press(t, q, d)
	if out.signed == "" {
		t.Fatalf("approval: %s", out.msg)
	}
	d2, _, _ := openDialog(t, q, nil, out.signed, cfg)
	chooseToken(t, q, d2.key, testpki.AgencyToken)
	d2.profile.SetSelected(i18nProfile(stamp.Issue))
	test.Type(d2.number, "05/QĐ-UBND")
	d2.numberMark.SetChecked(true)
	d2.dateMark.SetChecked(true)
	test.Type(d2.key.pin, testpki.UserPIN)
	date := d2.date.Text // "ngày 23 tháng 11 năm 2026"
	out = press(t, q, d2)
	if out.signed == "" {
		t.Fatalf("issue with marks: %s", out.msg)
	}
	txt, err := exec.Command("pdftotext", out.signed, "-").Output()
	text := strings.Join(strings.Fields(string(txt)), " ")
	if err != nil || !strings.Contains(text, "05/QĐ-UBND") || !strings.HasPrefix(date, "ngày ") || !strings.Contains(text, date) {
		t.Errorf("marks %q and %q not in the text (%v): %s", "05/QĐ-UBND", date, err, text)
	}
	rep, err := verify.VerifyFile(context.Background(), out.signed, verify.Options{Anchors: p.Anchors(), Intermediates: p.CACerts(), AcceptUnknownRevocation: true})
	if err != nil {
		t.Fatal(err)
	}
	// The marks are locked /Stamp annotations in the issuing signature's
	// update: the leader's approval stays valid.
	if rep.Verdict != verify.Valid {
		t.Fatalf("verify: %s: %+v", rep.Verdict, rep)
	}
	nss, err := p.NSSDB(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	sigs, raw, err := pdftools.Pdfsig(out.signed, strings.TrimPrefix(nss, "sql:"))
	if err != nil || len(sigs) != 2 || !sigs[0].Valid() || !sigs[1].Valid() {
		t.Errorf("pdfsig (%v):\n%s", err, raw)
	}
}
