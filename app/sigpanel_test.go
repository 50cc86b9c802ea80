package app

import (
	"bytes"
	"context"
	"crypto/x509"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/vanthuso/vanthu/app/i18n"
	"github.com/vanthuso/vanthu/internal/pdftools"
	"github.com/vanthuso/vanthu/internal/samplepdf"
	"github.com/vanthuso/vanthu/internal/testpki"
	"github.com/vanthuso/vanthu/internal/testpki/ocsp"
	"github.com/vanthuso/vanthu/signing/pades"
	"github.com/vanthuso/vanthu/signing/revocation"
	"github.com/vanthuso/vanthu/signing/verify"
)

// signedSample signs a two-page sample PDF with the test leader's token
// and returns its path and the PKI.
func signedSample(t *testing.T) (string, *testpki.PKI) {
	t.Helper()
	p := testpki.New(t)
	signer, closer, err := p.Signer(p.Leader, testpki.UserPIN)
	if err != nil {
		t.Fatal(err)
	}
	defer closer.Close()
	dir := t.TempDir()
	in := filepath.Join(dir, "quyet-dinh.pdf")
	if err := samplepdf.WriteFile(in, samplepdf.Options{Pages: 2, Fields: true, Title: "Quyet dinh"}); err != nil {
		t.Fatal(err)
	}
	var chain []*x509.Certificate
	for _, c := range p.Leader.Chain {
		if !bytes.Equal(c.RawIssuer, c.RawSubject) {
			chain = append(chain, c)
		}
	}
	out := filepath.Join(dir, "quyet-dinh-da-ky.pdf")
	if _, err := pades.SignFile(context.Background(), in, out, pades.Options{Signer: signer, Certificate: p.Leader.Cert, Chain: chain}); err != nil {
		t.Fatal(err)
	}
	return out, p
}

// shadowAttack is a corpus file manipulated after signing (RUB shadow
// attack, replace via overlay).
func shadowAttack(t *testing.T) string {
	t.Helper()
	files, err := pdftools.CorpusPDFs("rub")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.Contains(f, "replace-via-overlay") && strings.Contains(filepath.Base(f), "4_") {
			return f
		}
	}
	t.Fatal("no replace-via-overlay attack file in the corpus")
	return ""
}

func mustVerify(t *testing.T, path string, o verify.Options) *verify.Report {
	t.Helper()
	rep, err := verify.VerifyFile(context.Background(), path, o)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// fixedTimes makes a report's times constant for golden files.
func fixedTimes(rep *verify.Report) *verify.Report {
	for i := range rep.Signatures {
		rep.Signatures[i].SigningTime = time.Date(2025, 6, 26, 8, 19, 1, 0, time.UTC)
	}
	return rep
}

// panelWindow shows a signatures panel with rep.
func panelWindow(t *testing.T, rep *verify.Report, err error) (*signaturesPanel, fyne.Window) {
	t.Helper()
	p := newSignaturesPanel("")
	w := test.NewTempWindow(t, p.build())
	w.SetPadded(false)
	w.Resize(fyne.NewSize(sigPanelWidth, 900))
	p.showReport(rep, err)
	return p, w
}

func TestSignaturesPanel(t *testing.T) {
	test.NewTempApp(t)
	signed, pki := signedSample(t)
	srv, err := ocsp.Start(pki)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	online := &revocation.Checker{OCSPURL: srv.OCSPURLFor, CRLURL: srv.CRLURLFor, Timeout: 5 * time.Second}
	trusted := verify.Options{Anchors: pki.Anchors(), Intermediates: pki.CACerts(), Revocation: online}

	t.Run("valid", func(t *testing.T) {
		rep := mustVerify(t, signed, trusted)
		if rep.Verdict != verify.Valid {
			t.Fatalf("verdict %s: %+v", rep.Verdict, rep)
		}
		_, w := panelWindow(t, fixedTimes(rep), nil)
		assertMarkup(t, "sigpanel_valid.xml", w.Canvas())
		assertImage(t, "sigpanel_valid.png", w.Canvas())
		text := visibleText(w.Canvas().Content())
		for _, want := range []string{"Hợp lệ", "Người ký: Nguyễn Văn An", "Cơ quan: UBND tỉnh Nghệ An (thử nghiệm)", "26/06/2025 15:19:01 +07:00", "không có dấu thời gian", "Không có thay đổi nào sau khi ký", "chuỗi chứng thư đến gốc", "chưa bị thu hồi"} {
			if !strings.Contains(text, want) {
				t.Errorf("panel does not show %q", want)
			}
		}
	})
	t.Run("indeterminate", func(t *testing.T) {
		rep := mustVerify(t, signed, verify.Options{})
		if rep.Verdict != verify.Indeterminate {
			t.Fatalf("verdict %s", rep.Verdict)
		}
		_, w := panelWindow(t, fixedTimes(rep), nil)
		assertMarkup(t, "sigpanel_indeterminate.xml", w.Canvas())
		text := visibleText(w.Canvas().Content())
		for _, want := range []string{"Chưa khẳng định được", "Chưa cấu hình chứng thư gốc tin cậy"} {
			if !strings.Contains(text, want) {
				t.Errorf("panel does not show %q", want)
			}
		}
	})
	// Revocation that cannot be checked (offline, nothing in the file):
	// never green, the reason and what to do shown; under a policy that
	// accepts it, green with a note that says so.
	t.Run("revocation unknown", func(t *testing.T) {
		o := trusted
		o.Revocation = &revocation.Checker{Offline: true}
		rep := mustVerify(t, signed, o)
		if rep.Verdict != verify.Indeterminate {
			t.Fatalf("verdict %s", rep.Verdict)
		}
		_, w := panelWindow(t, fixedTimes(rep), nil)
		text := visibleText(w.Canvas().Content())
		for _, want := range []string{"Chưa khẳng định được", "Thu hồi: chưa kiểm tra được", "kiểm tra dài hạn (B-LT)"} {
			if !strings.Contains(text, want) {
				t.Errorf("panel does not show %q:\n%s", want, text)
			}
		}
		if strings.Contains(text, "Chữ ký hợp lệ") {
			t.Errorf("panel shows valid for an unchecked revocation:\n%s", text)
		}
		o.AcceptUnknownRevocation = true
		rep = mustVerify(t, signed, o)
		if rep.Verdict != verify.Valid {
			t.Fatalf("accepted by policy: verdict %s", rep.Verdict)
		}
		_, w = panelWindow(t, fixedTimes(rep), nil)
		text = visibleText(w.Canvas().Content())
		for _, want := range []string{"Chữ ký hợp lệ", "Thu hồi: chưa kiểm tra được", "chính sách của cơ quan cho phép chấp nhận"} {
			if !strings.Contains(text, want) {
				t.Errorf("policy-accepted panel does not show %q:\n%s", want, text)
			}
		}
	})
	t.Run("invalid", func(t *testing.T) {
		rep := mustVerify(t, shadowAttack(t), verify.Options{})
		if rep.Verdict != verify.Invalid {
			t.Fatalf("verdict %s", rep.Verdict)
		}
		_, w := panelWindow(t, fixedTimes(rep), nil)
		assertMarkup(t, "sigpanel_invalid.xml", w.Canvas())
		assertImage(t, "sigpanel_invalid.png", w.Canvas())
		text := visibleText(w.Canvas().Content())
		for _, want := range []string{"Không hợp lệ", "Thay đổi KHÔNG được phép sau khi ký"} {
			if !strings.Contains(text, want) {
				t.Errorf("panel does not show %q", want)
			}
		}
	})
	t.Run("english", func(t *testing.T) {
		inLang(t, i18n.English)
		rep := mustVerify(t, shadowAttack(t), verify.Options{})
		_, w := panelWindow(t, fixedTimes(rep), nil)
		assertMarkup(t, "sigpanel_invalid_en.xml", w.Canvas())
		text := visibleText(w.Canvas().Content())
		if !strings.Contains(text, "Invalid") || !strings.Contains(text, "not allowed after signing") {
			t.Error("English panel lacks the verdict or the reason")
		}
	})
	t.Run("unsigned", func(t *testing.T) {
		dir := t.TempDir()
		in := filepath.Join(dir, "plain.pdf")
		if err := samplepdf.WriteFile(in, samplepdf.Options{}); err != nil {
			t.Fatal(err)
		}
		_, w := panelWindow(t, mustVerify(t, in, verify.Options{}), nil)
		assertMarkup(t, "sigpanel_unsigned.xml", w.Canvas())
	})
	t.Run("checking and errors", func(t *testing.T) {
		p, w := panelWindow(t, nil, &trustError{err: os.ErrNotExist})
		if text := visibleText(w.Canvas().Content()); !strings.Contains(text, "trong Cài đặt") {
			t.Errorf("trust error does not say where to fix it:\n%s", text)
		}
		p.showChecking()
		assertMarkup(t, "sigpanel_checking.xml", w.Canvas())
	})
	t.Run("view signed revision", func(t *testing.T) {
		q := useUIQueue(t)
		a := test.NewTempApp(t)
		// A second signature after the first, so the first signed revision
		// differs from the file.
		twice := filepath.Join(t.TempDir(), "hai-chu-ky.pdf")
		agency, closer, err := pki.Signer(pki.Agency, testpki.UserPIN)
		if err != nil {
			t.Fatal(err)
		}
		defer closer.Close()
		if _, err := pades.SignFile(context.Background(), signed, twice, pades.Options{Signer: agency, Certificate: pki.Agency.Cert}); err != nil {
			t.Fatal(err)
		}
		open, _ := fakeOpen(2)
		svc := &readerServices{
			open: open,
			verify: func(ctx context.Context, path string) (*verify.Report, error) {
				return verify.VerifyFile(ctx, path, trusted)
			},
			extract:      verify.ExtractSignedRevision,
			revisionsDir: t.TempDir(),
		}
		sui := &fakeSigning{}
		mw := newMainWindow(a, Options{Files: []string{twice}, Size: fyne.NewSize(1280, 800)}, svc, sui.ui())
		defer mw.win.Close()
		v := mw.currentDoc()
		q.until(t, "signatures checked", func() bool { return v.settled() })
		if n := len(v.sigs.report.Signatures); n != 2 {
			t.Fatalf("%d signatures, want 2", n)
		}
		var buttons []*widget.Button
		for _, o := range test.LaidOutObjects(v.sigs.box) {
			if b, ok := o.(*widget.Button); ok && b.Text == i18n.T("app.sig.view-revision") {
				buttons = append(buttons, b)
			}
		}
		if len(buttons) != 2 {
			t.Fatalf("%d view buttons, want 2", len(buttons))
		}
		test.Tap(buttons[0])
		q.until(t, "signed revision opened", func() bool { return len(mw.docs) == 2 && mw.currentDoc() != v && mw.currentDoc().settled() })
		rv := mw.currentDoc()
		if !strings.Contains(rv.title, "bản ký 1") {
			t.Errorf("revision tab title %q", rv.title)
		}
		b, err := os.ReadFile(rv.path)
		if err != nil || !bytes.HasPrefix(b, []byte("%PDF")) {
			t.Fatalf("extracted revision: %v", err)
		}
		if rep := rv.sigs.report; rep == nil || len(rep.Signatures) != 1 || rep.Verdict != verify.Valid {
			t.Errorf("the signed revision's report: %+v", rep)
		}
	})
}

func TestDNField(t *testing.T) {
	dn := `CN=Nguyễn Văn An,OU=Văn phòng,O=UBND tỉnh Nghệ An\, (thử nghiệm),C=VN+2.5.4.97=#0c0d`
	if got := dnField(dn, "CN"); got != "Nguyễn Văn An" {
		t.Errorf("CN %q", got)
	}
	if got := dnField(dn, "O"); got != "UBND tỉnh Nghệ An, (thử nghiệm)" {
		t.Errorf("O %q", got)
	}
	if got := dnField(dn, "C"); got != "VN" {
		t.Errorf("C %q", got)
	}
	if got := dnField("", "CN"); got != "" {
		t.Errorf("empty %q", got)
	}
	if got := dnField(`CN=A\2cB`, "CN"); got != "A,B" {
		t.Errorf("hex escape %q", got)
	}
}

// visibleText joins the texts of the labels and rich texts under o.
func visibleText(o fyne.CanvasObject) string {
	var b strings.Builder
	for _, x := range test.LaidOutObjects(o) {
		switch w := x.(type) {
		case *widget.Label:
			b.WriteString(w.Text + "\n")
		case *widget.RichText:
			b.WriteString(w.String() + "\n")
		case *widget.Button:
			b.WriteString(w.Text + "\n")
		}
	}
	return b.String()
}
