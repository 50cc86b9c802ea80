package signui

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/app/i18n"
	"github.com/vanthuso/vanthu/internal/samplepdf"
	"github.com/vanthuso/vanthu/internal/testpki"
	"github.com/vanthuso/vanthu/signing/cms"
	"github.com/vanthuso/vanthu/signing/pades"
	"github.com/vanthuso/vanthu/signing/pdf"
	"github.com/vanthuso/vanthu/signing/stamp"
	"github.com/vanthuso/vanthu/signing/token"
)

// The test driver drives the dialog as a user would: ShowSignDialog,
// SignDialogOf, then the driver.
func TestSignDriver(t *testing.T) {
	setupUI(t)
	m := newFakeModule(t)
	useFakeModule(t, m)
	dir := t.TempDir()
	in := samplePDF(t, dir, "cong-van.pdf", samplepdf.Options{Pages: 2})
	w := newTestWindow(t)
	var done []string
	ShowSignDialog(w, nil, in, 1, Config{}, func(s string) { done = append(done, s) })
	drv := SignDialogOf(w)
	if drv == nil {
		t.Fatal("SignDialogOf found no dialog")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := drv.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	fps := drv.Certificates()
	if len(fps) != 1 || fps[0] != token.Fingerprint(m.creds[0].Certificate) {
		t.Fatalf("certificates %q", fps)
	}
	if err := drv.SelectCertificate(fps[0]); err != nil {
		t.Fatal(err)
	}
	if err := drv.SelectProfile("attachment"); err != nil {
		t.Fatal(err)
	}
	if err := drv.SetLevel("B-T"); err == nil {
		t.Error("B-T chosen without a TSA")
	}
	// Missing number: the dialog says so, the token is not asked.
	drv.EnterPIN(testpki.UserPIN)
	if _, err := drv.Sign(ctx); err == nil || !strings.Contains(err.Error(), "số và ký hiệu") {
		t.Errorf("sign without a number: %v", err)
	}
	drv.SetNumber("12/UBND-VP")
	if err := drv.Place(2, pdf.Rect{LLX: 380, LLY: 760, URX: 560, URY: 800}); err != nil {
		t.Fatal(err)
	}
	signed, err := drv.Sign(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if signed != filepath.Join(dir, "cong-van (đã ký).pdf") || len(done) != 1 || done[0] != signed {
		t.Errorf("signed %q, done %q", signed, done)
	}
	if err := drv.WaitClosed(ctx); err != nil {
		t.Fatal(err)
	}
	if SignDialogOf(w) != nil {
		t.Error("the closed dialog is still registered")
	}
	doc, err := pades.Inspect(signed)
	if err != nil {
		t.Fatal(err)
	}
	defer doc.Close()
	f, ok := doc.LastVisibleSignature()
	if !ok || f.Page != 2 || !nearRect(f.Rect, pdf.Rect{LLX: 380, LLY: 760, URX: 560, URY: 800}) {
		t.Errorf("signature on page %d at %v", f.Page, f.Rect)
	}
}

// Replacing the original happens only when the user ticks the box.
func TestSignOverwrite(t *testing.T) {
	q := setupUI(t)
	useFakeModule(t, newFakeModule(t))
	dir := t.TempDir()
	in := samplePDF(t, dir, "vb.pdf", samplepdf.Options{})
	before, _ := os.ReadFile(in)
	d, _, _ := openFixedDialog(t, q, nil, in, Config{})
	d.overwrite.SetChecked(true)
	if !strings.Contains(d.outLabel.Text, "sẽ bị thay") {
		t.Errorf("output label %q", d.outLabel.Text)
	}
	d.key.pin.SetText(testpki.UserPIN)
	out := press(t, q, d)
	after, _ := os.ReadFile(in)
	if out.signed != in || len(after) <= len(before) || string(after[:len(before)]) != string(before) {
		t.Errorf("overwrite: signed %q, %d → %d bytes", out.signed, len(before), len(after))
	}
	if names := listDir(t, dir); len(names) != 1 {
		t.Errorf("files %q", names)
	}
}

// Every sentence the package uses exists in both languages with the same
// formatting verbs.
func TestMessages(t *testing.T) {
	src, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	key := regexp.MustCompile(`"(signui\.[a-z0-9.\-]+[a-z0-9])"`)
	for _, f := range src {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range key.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = true
		}
	}
	for _, p := range profiles {
		used["signui.profile."+string(p)] = true
		used["signui.box."+string(p)] = true
		used["signui.batch.place."+string(p)] = true
	}
	for _, m := range []stamp.Mode{stamp.ImageAndText, stamp.ImageOnly, stamp.TextOnly} {
		used["signui.mode."+m.String()] = true
	}
	for _, c := range []string{token.ProblemCA, token.ProblemNotLoggedIn, token.ProblemNoPrivateKey, token.ProblemKeyMismatch,
		token.ProblemUnsupportedKey, token.ProblemPINPerSignature, token.ProblemExpired, token.ProblemNotYetValid, token.ProblemNoSigningKeyUsage} {
		used["signui.problem."+c] = true
	}
	registered := map[string]bool{}
	for _, k := range i18n.Keys() {
		if strings.HasPrefix(k, "signui.") {
			registered[k] = true
		}
	}
	for k := range used {
		if !registered[k] {
			t.Errorf("key %s is used but not registered", k)
		}
	}
	for k := range registered {
		if !used[k] {
			t.Errorf("key %s is registered but never used", k)
		}
	}
	for _, k := range i18n.Check() {
		if strings.HasPrefix(k, "signui.") {
			t.Errorf("key %s: the two languages disagree on formatting verbs", k)
		}
	}
}

// Errors become sentences that say what to do next, in both languages.
func TestExplain(t *testing.T) {
	cases := []struct {
		err  error
		want string
	}{
		{&token.PINError{Err: token.ErrPINIncorrect, Remaining: 2}, "Mã PIN không đúng. Còn 2 lần thử."},
		{&token.PINError{Err: token.ErrPINIncorrect, State: token.PINState{FinalTry: true}, Remaining: 1}, "Chỉ còn 1 lần thử"},
		{&token.PINError{Err: token.ErrPINIncorrect, State: token.PINState{Locked: true}}, "đã bị khóa"},
		{&token.PINError{Err: token.ErrPINIncorrect, Remaining: -1}, "đừng thử đoán"},
		{fmt.Errorf("login: %w", token.ErrPINPad), "trên bàn phím của thiết bị"},
		{fmt.Errorf("sign: %w", token.ErrTokenRemoved), "Cắm lại thiết bị rồi bấm Ký"},
		{fmt.Errorf("discover: %w", token.ErrNoModule), "driver PKCS#11"},
		{fmt.Errorf("x: %w", pades.ErrEncrypted), "đặt mật khẩu"},
		{fmt.Errorf("x: %w", pades.ErrCertifiedNoChanges), "không cho phép thay đổi"},
		{fmt.Errorf("x: %w", pades.ErrMalformed), "không phải PDF hợp lệ"},
		{&cms.TSAError{URL: "http://tsa.ca.gov.vn"}, "http://tsa.ca.gov.vn"},
		{context.Canceled, "không được ghi ra"},
		{&fs.PathError{Op: "open", Path: "/x/y.pdf", Err: fs.ErrPermission}, "Không có quyền ghi vào /x/y.pdf"},
		{errors.New("something odd"), "Không ký được: something odd."},
	}
	for _, c := range cases {
		if got := explain(c.err); !strings.Contains(got, c.want) {
			t.Errorf("explain(%v) = %q, want %q in it", c.err, got, c.want)
		}
	}
	i18n.SetLang(i18n.English)
	defer i18n.SetLang(i18n.Vietnamese)
	if got := explain(fmt.Errorf("sign: %w", token.ErrTokenRemoved)); !strings.Contains(got, "Plug it in again") {
		t.Errorf("English: %q", got)
	}
}
