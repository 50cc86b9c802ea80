package main

import (
	"context"
	"crypto/x509"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"

	"github.com/vanthuso/vanthu/assets"
	"github.com/vanthuso/vanthu/internal/pdftools"
	"github.com/vanthuso/vanthu/internal/samplepdf"
	"github.com/vanthuso/vanthu/internal/testpki"
	"github.com/vanthuso/vanthu/internal/testpki/tsa"
	"github.com/vanthuso/vanthu/signing/pades"
	"github.com/vanthuso/vanthu/signing/pdf"
	"github.com/vanthuso/vanthu/signing/stamp"
)

// The demo's main document number, and where the leader signs on page 1
// of an A4 page: bottom right, where the signature block of a Vietnamese
// official document sits.
const demoNumber = "05/QĐ-UBND"

var demoLeaderRect = pdf.Rect{LLX: 330, LLY: 70, URX: 530, URY: 230}

// demo is one run of `vanthuctl demo`: a test PKI on SoftHSM2 tokens, a
// local timestamp authority, sample documents signed the way a leader and
// a clerk sign them, checked by pdfsig.
type demo struct {
	c      *cli
	dir    string
	pki    *testpki.PKI
	tsaURL string
	nssDir string
	signed []demoOutput
}

type demoOutput struct {
	path string
	sigs int
}

// cmdDemo is `vanthuctl demo`.
func (c *cli) cmdDemo(ctx context.Context, args []string) error {
	fs := c.flagSet("demo", "usage.demo")
	dir := fs.String("dir", "", c.t("flag.demo-dir"))
	if err := c.parse(fs, args); err != nil {
		return err
	}
	if *dir == "" {
		d, err := defaultDemoDir()
		if err != nil {
			return c.inputErr(err, "err.demo-dir", err.Error())
		}
		*dir = d
	}
	abs, err := filepath.Abs(*dir)
	if err != nil {
		return c.inputErr(err, "err.demo-dir", err.Error())
	}
	d := &demo{c: c, dir: abs}
	return d.run(ctx)
}

// defaultDemoDir is the user data folder + "vanthu-demo": on Linux
// $XDG_DATA_HOME or ~/.local/share, on Windows %LOCALAPPDATA%, on macOS
// ~/Library/Application Support.
func defaultDemoDir() (string, error) {
	var base string
	switch runtime.GOOS {
	case "windows":
		base = os.Getenv("LOCALAPPDATA")
	case "darwin":
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		base = filepath.Join(home, "Library", "Application Support")
	default:
		base = os.Getenv("XDG_DATA_HOME")
		if base == "" {
			home, err := os.UserHomeDir()
			if err != nil {
				return "", err
			}
			base = filepath.Join(home, ".local", "share")
		}
	}
	if base == "" {
		return "", fmt.Errorf("no user data folder")
	}
	return filepath.Join(base, "vanthu-demo"), nil
}

func (d *demo) path(parts ...string) string {
	return filepath.Join(append([]string{d.dir}, parts...)...)
}

func (d *demo) say(key string, args ...any) { fmt.Fprintln(d.c.stdout, d.c.t(key, args...)) }

func (d *demo) run(ctx context.Context) error {
	for _, sub := range []string{"tai-lieu", "anh", "da-ky", "thu"} {
		if err := os.MkdirAll(d.path(sub), 0o755); err != nil {
			return d.c.inputErr(err, "err.demo-dir", err.Error())
		}
	}
	if err := d.provision(); err != nil {
		return err
	}
	stop, err := d.startTSA()
	if err != nil {
		return err
	}
	defer stop()
	if err := d.writeSamples(); err != nil {
		return err
	}
	if err := d.signAll(ctx); err != nil {
		return err
	}
	verifyErr := d.verify()
	d.instructions()
	return verifyErr
}

func (d *demo) provision() error {
	d.say("demo.step.pki", d.path("pki"))
	p, err := testpki.Provision(d.path("pki"), testpki.SetEnv())
	if err != nil {
		return d.c.inputErr(err, "err.demo-pki", err.Error())
	}
	d.pki = p
	d.say("demo.pki", p.Module, testpki.LeaderToken, testpki.AgencyToken, testpki.CAToken, testpki.ExtraToken, testpki.UserPIN)
	return nil
}

// startTSA serves the test timestamp authority on loopback, its key on the
// CA token. The returned function stops it and closes the token.
func (d *demo) startTSA() (func(), error) {
	p := d.pki
	signer, closer, err := p.Signer(p.TSA, testpki.UserPIN)
	if err != nil {
		return nil, d.c.inputErr(err, "err.demo-tsa", err.Error())
	}
	url, stop, err := tsa.Start(tsa.New(signer, p.TSA.Cert, withoutRoot(p.TSA.Chain)))
	if err != nil {
		closer.Close()
		return nil, d.c.inputErr(err, "err.demo-tsa", err.Error())
	}
	d.tsaURL = url
	d.say("demo.step.tsa", url)
	return func() { stop(); closer.Close() }, nil
}

// withoutRoot drops self-signed certificates from a chain.
func withoutRoot(chain []*x509.Certificate) []*x509.Certificate {
	var out []*x509.Certificate
	for _, c := range chain {
		if !selfSigned(c) {
			out = append(out, c)
		}
	}
	return out
}

func (d *demo) writeSamples() error {
	d.say("demo.step.samples", d.path("tai-lieu"))
	docs := []struct {
		name string
		o    samplepdf.Options
	}{
		{"van-ban.pdf", samplepdf.Options{Pages: 2, Title: "Quyet dinh so 05/QD-UBND (van ban mau)"}},
		{"phu-luc.pdf", samplepdf.Options{Pages: 1, Title: "Phu luc kem theo Quyet dinh 05/QD-UBND"}},
		{"ban-chup.pdf", samplepdf.Options{Pages: 1, Title: "Ban chup van ban can sao y"}},
		{"bieu-mau.pdf", samplepdf.Options{Pages: 1, Title: "To trinh (bieu mau co o chu ky)", Fields: true}},
	}
	for _, doc := range docs {
		if err := samplepdf.WriteFile(d.path("tai-lieu", doc.name), doc.o); err != nil {
			return d.c.inputErr(err, "err.demo-samples", err.Error())
		}
	}
	for name, data := range map[string][]byte{"chu-ky.png": assets.DemoSignature, "con-dau.png": assets.DemoSeal} {
		if err := os.WriteFile(d.path("anh", name), data, 0o644); err != nil {
			return d.c.inputErr(err, "err.demo-samples", err.Error())
		}
	}
	return nil
}

// demoStep is one signature of the demo.
type demoStep struct {
	say     string
	token   string
	in, out string
	req     signRequest
	sigs    int // signatures in the output
}

func (d *demo) signAll(ctx context.Context) error {
	leaderRect := demoLeaderRect
	base := signRequest{subFilter: pades.PAdES, level: pades.LevelB}
	bt := base
	bt.level, bt.tsaURL = pades.LevelT, d.tsaURL

	approval := base
	approval.profile, approval.rect, approval.page = stamp.Approval, &leaderRect, 1
	approval.signatureImage = assets.DemoSignature
	issue := bt
	issue.profile, issue.sealImage, issue.number = stamp.Issue, assets.DemoSeal, demoNumber
	attachment := bt
	attachment.profile, attachment.number = stamp.Attachment, demoNumber
	cp := bt
	cp.profile, cp.copyForm = stamp.Copy, "SAO Y"

	steps := []demoStep{
		{"demo.step.leader", testpki.LeaderToken, d.path("tai-lieu", "van-ban.pdf"), d.path("da-ky", "van-ban.da-duyet.pdf"), approval, 1},
		{"demo.step.issue", testpki.AgencyToken, d.path("da-ky", "van-ban.da-duyet.pdf"), d.path("da-ky", "van-ban.phat-hanh.pdf"), issue, 2},
		{"demo.step.attachment", testpki.AgencyToken, d.path("tai-lieu", "phu-luc.pdf"), d.path("da-ky", "phu-luc.da-ky.pdf"), attachment, 1},
		{"demo.step.copy", testpki.AgencyToken, d.path("tai-lieu", "ban-chup.pdf"), d.path("da-ky", "ban-sao-y.pdf"), cp, 1},
	}
	for _, s := range steps {
		if err := d.sign(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

// sign runs one step through the same code as `vanthuctl sign`.
func (d *demo) sign(ctx context.Context, s demoStep) error {
	d.say(s.say, filepath.Base(s.out))
	key, err := d.c.openSigningKey(tokenFlags{module: d.pki.Module, label: s.token},
		pinSource{value: testpki.UserPIN, ok: true})
	if err != nil {
		return err
	}
	defer key.Close()
	res, err := d.c.signDocument(ctx, key, s.req, s.req.timestamper(), s.in, s.out)
	if err != nil {
		return fileError(err, s.in)
	}
	where := d.c.t("demo.invisible")
	if res.Visible {
		where = d.c.t("demo.where", res.Page, rectString(res.Rect))
	}
	d.say("demo.signed", res.Signer, res.Level, where)
	d.signed = append(d.signed, demoOutput{s.out, s.sigs})
	return nil
}

// verify runs pdfsig with an NSS database that trusts the test root on
// every output and prints its verdicts.
func (d *demo) verify() error {
	db, err := d.pki.NSSDB(d.path("nssdb"))
	if err != nil {
		d.say("demo.no-nss", err.Error())
		return nil
	}
	d.nssDir = strings.TrimPrefix(db, "sql:")
	d.say("demo.step.pdfsig", db)
	bad := 0
	for _, o := range d.signed {
		sigs, _, err := pdftools.Pdfsig(o.path, d.nssDir)
		if err != nil {
			d.say("demo.no-pdfsig", err.Error())
			return nil
		}
		d.say("demo.pdfsig.file", filepath.Base(o.path), len(sigs))
		for i, s := range sigs {
			d.say("demo.pdfsig.sig", i+1, s.Signer, s.Type, d.c.sigVerdict(s), d.c.certVerdict(s), d.c.coverage(s))
			if !s.Valid() || !s.Trusted() {
				bad++
			}
		}
		if len(sigs) != o.sigs {
			bad++
		}
	}
	if bad > 0 {
		return d.c.inputErr(nil, "err.demo-verify", bad)
	}
	d.say("demo.all-valid")
	return nil
}

func (c *cli) sigVerdict(s pdftools.PdfsigSignature) string {
	if s.Valid() {
		return c.t("demo.sig-valid")
	}
	return s.Validation
}

func (c *cli) certVerdict(s pdftools.PdfsigSignature) string {
	if s.Trusted() {
		return c.t("demo.cert-trusted")
	}
	return s.Certificate
}

func (c *cli) coverage(s pdftools.PdfsigSignature) string {
	if s.TotalDocument {
		return c.t("demo.total")
	}
	return c.t("demo.partial")
}

// instructions prints where everything is and command lines to sign by
// hand with the same tokens.
func (d *demo) instructions() {
	p := d.pki
	prog := programName()
	env := "SOFTHSM2_CONF=" + shellQuote(p.ConfigPath)
	pinEnv := env + " VANTHU_PIN=" + testpki.UserPIN
	mod := "--module " + shellQuote(p.Module)
	approved := d.path("thu", "bieu-mau.da-duyet.pdf")
	issued := d.path("thu", "bieu-mau.phat-hanh.pdf")
	d.say("demo.files", d.path("tai-lieu"), d.path("da-ky"), d.path("anh"), d.path("pki"), testpki.UserPIN)
	d.say("demo.try")
	cmds := []struct{ key, line string }{
		{"demo.try.list", fmt.Sprintf("%s %s token list %s", env, prog, mod)},
		{"demo.try.leader", fmt.Sprintf("%s %s sign %s --token %s --in %s --out %s --field ChuKyLanhDao --signature-image %s",
			pinEnv, prog, mod, shellQuote(testpki.LeaderToken), shellQuote(d.path("tai-lieu", "bieu-mau.pdf")),
			shellQuote(approved), shellQuote(d.path("anh", "chu-ky.png")))},
		{"demo.try.issue", fmt.Sprintf("%s %s sign %s --token %s --profile issue --seal-image %s --number %s --in %s --out %s",
			pinEnv, prog, mod, shellQuote(testpki.AgencyToken), shellQuote(d.path("anh", "con-dau.png")),
			shellQuote("06/QĐ-UBND"), shellQuote(approved), shellQuote(issued))},
		{"demo.try.batch", fmt.Sprintf("%s %s sign %s --token %s --profile attachment --number %s --batch %s --out-dir %s",
			pinEnv, prog, mod, shellQuote(testpki.AgencyToken), shellQuote(demoNumber),
			shellQuote(d.path("tai-lieu")), shellQuote(d.path("thu", "lo")))},
	}
	if d.nssDir != "" {
		cmds = append(cmds, struct{ key, line string }{"demo.try.pdfsig",
			fmt.Sprintf("pdfsig -nssdir %s %s", shellQuote("sql:"+d.nssDir), shellQuote(issued))})
	}
	for _, cmd := range cmds {
		fmt.Fprintf(d.c.stdout, "\n  # %s\n  %s\n", d.c.t(cmd.key), cmd.line)
	}
	d.say("demo.try.note")
}

// programName is how the user ran this program, for command lines to
// copy.
func programName() string {
	if len(os.Args) > 0 && strings.ContainsRune(os.Args[0], filepath.Separator) {
		return shellQuote(os.Args[0])
	}
	return "vanthuctl"
}

var shellSafe = regexp.MustCompile(`^[A-Za-z0-9_./:=,+@%-]+$`)

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if shellSafe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
