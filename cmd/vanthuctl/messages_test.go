package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/vanthuso/vanthu/signing/cms"
	"github.com/vanthuso/vanthu/signing/pades"
	"github.com/vanthuso/vanthu/signing/revocation"
	"github.com/vanthuso/vanthu/signing/token"
	"github.com/vanthuso/vanthu/signing/verify"
)

var (
	keyLiteral = regexp.MustCompile(`"((?:prefix|usage|flag|err|note|cert|probe|token|result|batch|list|pin|demo|verify)\.[a-z0-9.-]+)"`)
	verb       = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z]`)
)

// computedPrefixes are keys built at run time from codes of the library
// packages: "problem."+code, "source."+Probe.Source, "profile."+profile.
// The verify report's codes are too: "verdict."+Verdict, "integrity.",
// "coverage.", "trust.", "revocation."+Status (checked in
// TestVerifyCodesHaveText).
var computedPrefixes = []string{"problem.", "source.", "profile.", "verdict.", "integrity.", "coverage.", "trust.", "revocation."}

// TestCatalogueComplete checks that every key the code names is in the
// catalogue with both languages, that both texts take the same
// arguments, and that no entry is left unused.
func TestCatalogueComplete(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || f == "messages.go" {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range keyLiteral.FindAllSubmatch(src, -1) {
			used[string(m[1])] = true
		}
	}
	for k := range used {
		if _, ok := catalogue[k]; !ok {
			t.Errorf("key %q is used but not in the catalogue", k)
		}
	}
	for k, p := range catalogue {
		if p.vi == "" || p.en == "" {
			t.Errorf("%s: a language is missing", k)
		}
		if !used[k] && !slices.ContainsFunc(computedPrefixes, func(pre string) bool { return strings.HasPrefix(k, pre) }) {
			t.Errorf("%s is in the catalogue but never used", k)
		}
		v, e := verbs(p.vi), verbs(p.en)
		if !slices.Equal(v, e) {
			t.Errorf("%s: Vietnamese takes %q, English %q", k, v, e)
		}
		if !norm.NFC.IsNormalString(p.vi) {
			t.Errorf("%s: Vietnamese text is not NFC", k)
		}
	}
	for _, code := range []string{token.ProblemCA, token.ProblemNotLoggedIn, token.ProblemNoPrivateKey, token.ProblemKeyMismatch,
		token.ProblemUnsupportedKey, token.ProblemPINPerSignature, token.ProblemExpired, token.ProblemNotYetValid,
		token.ProblemNoSigningKeyUsage, "other"} {
		if _, ok := catalogue["problem."+code]; !ok {
			t.Errorf("problem code %q has no text", code)
		}
	}
	for _, src := range []string{token.SourceConfig, token.SourceEnv, token.SourceKnown} {
		if _, ok := catalogue["source."+src]; !ok {
			t.Errorf("probe source %q has no text", src)
		}
	}
	for _, p := range []string{"approval", "issue", "attachment", "copy"} {
		if _, ok := catalogue["profile."+p]; !ok {
			t.Errorf("profile %q has no text", p)
		}
	}
}

// verbs lists a format string's verbs, sorted (explicit indexes make the
// order of the sentence free).
func verbs(s string) []string {
	s = strings.ReplaceAll(s, "%%", "")
	v := verb.FindAllString(s, -1)
	for i := range v {
		v[i] = regexp.MustCompile(`^%(\[\d+\])?`).ReplaceAllString(v[i], "")
	}
	slices.Sort(v)
	return v
}

func TestPickLang(t *testing.T) {
	tests := []struct {
		args    []string
		env     string
		want    lang
		wantErr bool
	}{
		{nil, "", vi, false},
		{[]string{"sign", "--in", "x"}, "en", en, false},
		{[]string{"--lang", "en", "sign"}, "", en, false},
		{[]string{"sign", "--lang=en"}, "", en, false},
		{[]string{"sign", "-lang", "vi"}, "en", vi, false},
		{[]string{"sign", "--lang", "EN"}, "vi", en, false},
		{[]string{"--lang", "fr"}, "", vi, true},
		{[]string{"--lang"}, "", vi, true},
		{nil, "fr", vi, false},
		{[]string{"sign", "--", "--lang", "en"}, "", vi, false},
	}
	for _, tt := range tests {
		got, err := pickLang(tt.args, tt.env)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("pickLang(%q, %q) = %v, %v; want %v, error %v", tt.args, tt.env, got, err, tt.want, tt.wantErr)
		}
	}
	if got := stripLang([]string{"--lang", "en", "sign", "--lang=vi", "--in", "a", "--", "--lang"}); !slices.Equal(got, []string{"sign", "--in", "a", "--", "--lang"}) {
		t.Errorf("stripLang: %q", got)
	}
}

func TestRejectsPINFlag(t *testing.T) {
	for _, args := range [][]string{{"--pin", "1"}, {"-pin=1"}, {"--in", "a", "--PIN=1"}, {"---pin"}} {
		if !rejectsPINFlag(args) {
			t.Errorf("%q not refused", args)
		}
	}
	for _, args := range [][]string{{"--pin-stdin"}, {"--in", "pin"}, {"--", "--pin"}, {"--reason", "pin"}} {
		if rejectsPINFlag(args) {
			t.Errorf("%q refused", args)
		}
	}
}

func TestNormalizeFingerprint(t *testing.T) {
	want := strings.Repeat("ab", 32)
	for _, in := range []string{want, strings.ToUpper(want), colonHex(want), " " + strings.ToUpper(colonHex(want)) + " "} {
		if got, ok := normalizeFingerprint(in); !ok || got != want {
			t.Errorf("normalizeFingerprint(%q) = %q, %v", in, got, ok)
		}
	}
	for _, in := range []string{"", "abc", strings.Repeat("zz", 32), want + "00"} {
		if _, ok := normalizeFingerprint(in); ok {
			t.Errorf("normalizeFingerprint(%q) accepted", in)
		}
	}
}

func TestParseRect(t *testing.T) {
	if r, ok := parseRect("530, 230,330,70"); !ok || r.LLX != 330 || r.LLY != 70 || r.URX != 530 || r.URY != 230 {
		t.Errorf("parseRect: %v %v", r, ok)
	}
	for _, s := range []string{"", "1,2,3", "1,2,3,x", "1,1,1,5", "1,2,3,4,5"} {
		if _, ok := parseRect(s); ok {
			t.Errorf("parseRect(%q) accepted", s)
		}
	}
}

// TestExplain checks how errors of the library packages become exit
// codes and sentences, in both languages.
func TestExplain(t *testing.T) {
	wrapped := func(e error) error { return fmt.Errorf("login to token %q: %w", "X", e) }
	tests := []struct {
		err  error
		code int
		vi   string // exact message, or a prefix ending in "…"
		en   string
	}{
		{wrapped(&token.PINError{Err: token.ErrPINIncorrect, Remaining: 2}), 3,
			"Mã PIN không đúng. Còn 2 lần thử. Kiểm tra lại mã PIN rồi chạy lại lệnh; không thử đoán: thiết bị sẽ bị khóa.",
			"Wrong PIN. Tries left: 2. Check the PIN and run the command again; do not guess: the token will lock."},
		{wrapped(&token.PINError{Err: token.ErrPINIncorrect, Remaining: -1, State: token.PINState{CountLow: true}}), 3,
			"Mã PIN không đúng. Kiểm tra lại mã PIN rồi chạy lại lệnh; không thử đoán: thiết bị sẽ bị khóa.",
			"Wrong PIN. Check the PIN and run the command again; do not guess: the token will lock."},
		{wrapped(&token.PINError{Err: token.ErrPINIncorrect, Remaining: 0, State: token.PINState{Locked: true}}), 3,
			"Thiết bị ký số đã bị khóa do nhập sai PIN quá số lần cho phép. Liên hệ đơn vị cấp chứng thư số để mở khóa.",
			"The token is locked after too many wrong PINs. Contact the certificate authority that issued it to unlock it."},
		{wrapped(&token.PINError{Err: token.ErrPINLocked}), 3,
			"Thiết bị ký số đã bị khóa do nhập sai PIN quá số lần cho phép. Liên hệ đơn vị cấp chứng thư số để mở khóa.",
			"The token is locked…"},
		{fmt.Errorf("sign: %w", token.ErrTokenRemoved), 3, "Thiết bị ký số đã bị rút ra…", "The token was removed…"},
		{fmt.Errorf("sign: %w", token.ErrNotLoggedIn), 3, "Thiết bị ký số đã tự đăng xuất…", "The token logged out…"},
		{wrapped(token.ErrPINPad), 3, "Việc nhập mã PIN trên thiết bị đã bị hủy…", "PIN entry on the device was cancelled…"},
		{fmt.Errorf("read a.pdf: %w", pades.ErrEncrypted), 1, "Tài liệu được đặt mật khẩu…", "The document is password-protected…"},
		{fmt.Errorf("%w: no xref", pades.ErrMalformed), 1, "Tệp không phải PDF hợp lệ…", "The file is not a valid PDF…"},
		{pades.ErrCertifiedNoChanges, 1, "Tài liệu đã được chứng thực…", "The document is certified…"},
		{fmt.Errorf("sign: %w", &cms.TSAError{URL: "http://tsa", Err: errors.New("refused")}), 1,
			"Không lấy được dấu thời gian…", "Cannot get a timestamp…"},
		{&fileErr{path: "a.pdf", err: pades.ErrEncrypted}, 1, "a.pdf: Tài liệu được đặt mật khẩu…", "a.pdf: The document is…"},
		{&exitError{code: exitUsage, msg: "x"}, 2, "x", "x"},
		{errors.New("boom"), 1, "Không ký được: boom", "Signing failed: boom"},
	}
	for _, tt := range tests {
		for _, l := range []lang{vi, en} {
			c := &cli{lang: l}
			code, msg := c.explain(tt.err)
			want := tt.vi
			if l == en {
				want = tt.en
			}
			ok := msg == want
			if p, cut := strings.CutSuffix(want, "…"); cut {
				ok = strings.HasPrefix(msg, p)
			}
			if code != tt.code || !ok {
				t.Errorf("%s: explain(%v) = %d, %q; want %d, %q", l, tt.err, code, msg, tt.code, want)
			}
		}
	}
}

func TestChooseToken(t *testing.T) {
	c := &cli{lang: vi}
	toks := []token.TokenInfo{
		{SlotID: 1, Label: "", Initialized: false},
		{SlotID: 2, Label: "Nguyen Van An", Serial: "a", Initialized: true},
		{SlotID: 3, Label: "Kiểm thử", Serial: "b", Initialized: true},
	}
	if got, err := c.chooseToken(toks, norm.NFD.String("kiỂm THử ")); err != nil || got.SlotID != 3 {
		t.Errorf("by label (NFD, case): %v, %v", got, err)
	}
	_, err := c.chooseToken(toks, "")
	if code, msg := c.explain(err); code != exitUsage || !strings.Contains(msg, `--token "Nguyen Van An"`) || !strings.Contains(msg, `--token "Kiểm thử"`) {
		t.Errorf("several tokens: %d %q", code, msg)
	}
	if got, err := c.chooseToken(toks[:2], ""); err != nil || got.SlotID != 2 {
		t.Errorf("the only initialised token: %v, %v", got, err)
	}
	if _, err := c.chooseToken(toks[:1], ""); !errors.Is(err, token.ErrNoToken) {
		t.Errorf("blank token only: %v", err)
	}
	_, err = c.chooseToken(toks, "CA")
	if code, msg := c.explain(err); code != exitToken || !strings.Contains(msg, `"CA"`) || !strings.Contains(msg, `--token "Kiểm thử"`) {
		t.Errorf("unknown label: %d %q", code, msg)
	}
}

func TestChooseCredential(t *testing.T) {
	c := &cli{lang: vi}
	now := time.Now()
	root := issue(t, "Root", nil, true)
	a := issue(t, "A", root, false).cert
	b := issue(t, "B", root, false).cert
	creds := []token.Credential{
		{Certificate: a, Usable: true},
		{Certificate: b, Usable: true},
		{Certificate: root.cert, Problem: token.ProblemNoPrivateKey},
	}
	_, err := c.chooseCredential(creds, "", "T", now)
	code, msg := c.explain(err)
	if code != exitUsage || !strings.Contains(msg, token.Fingerprint(a)) || !strings.Contains(msg, token.Fingerprint(b)) ||
		!strings.Contains(msg, "chứng thư của CA") {
		t.Errorf("several usable: %d %q", code, msg)
	}
	got, err := c.chooseCredential(creds, strings.ToUpper(colonHex(token.Fingerprint(b))), "T", now)
	if err != nil || got.Certificate != b {
		t.Errorf("by fingerprint: %v", err)
	}
	if got, err := c.chooseCredential(creds[1:], "", "T", now); err != nil || got.Certificate != b {
		t.Errorf("the only usable: %v", err)
	}
	_, err = c.chooseCredential(creds[2:], "", "T", now)
	if code, _ := c.explain(err); code != exitToken || !errors.Is(err, token.ErrNoCredential) {
		t.Errorf("none usable: %d %v", code, err)
	}
	_, err = c.chooseCredential(creds, token.Fingerprint(root.cert), "T", now)
	if code, msg := c.explain(err); code != exitToken || !strings.Contains(msg, "không dùng để ký được") {
		t.Errorf("unusable by fingerprint: %d %q", code, msg)
	}
}

// TestRunUsage drives run in-process for what needs no token.
func TestRunUsage(t *testing.T) {
	var out, errOut bytes.Buffer
	env := func(string) string { return "" }
	if code := run(t.Context(), []string{"version"}, nil, &out, &errOut, env); code != 0 || !strings.HasPrefix(out.String(), "vanthuctl ") {
		t.Errorf("version: %d %q %q", code, out.String(), errOut.String())
	}
	out.Reset()
	errOut.Reset()
	if code := run(t.Context(), []string{"sign", "--pin", "1234"}, nil, &out, &errOut, env); code != exitUsage || !strings.Contains(errOut.String(), "VANTHU_PIN") {
		t.Errorf("--pin: %d %q", code, errOut.String())
	}
}

// TestVerifyCodesHaveText checks that every code of the verify report has
// a text.
func TestVerifyCodesHaveText(t *testing.T) {
	for _, k := range []string{
		"verdict." + verify.Valid, "verdict." + verify.Invalid, "verdict." + verify.Indeterminate,
		"integrity." + verify.IntegrityOK, "integrity." + verify.IntegrityBroken, "integrity." + verify.IntegrityUnverified,
		"coverage." + verify.CoverageWholeRevision, "coverage." + verify.CoveragePartial, "coverage." + verify.CoverageBroken,
		"trust." + verify.TrustTrusted, "trust." + verify.TrustUntrusted, "trust." + verify.TrustUnknown,
		"revocation." + revocation.Good.String(), "revocation." + revocation.Revoked.String(), "revocation." + revocation.Unknown.String(),
	} {
		if _, ok := catalogue[k]; !ok {
			t.Errorf("%s has no text", k)
		}
	}
}
