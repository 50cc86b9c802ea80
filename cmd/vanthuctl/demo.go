package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/vanthuso/vanthu/assets"
	"github.com/vanthuso/vanthu/internal/demo"
	"github.com/vanthuso/vanthu/internal/testpki"
	"github.com/vanthuso/vanthu/signing/pades"
	"github.com/vanthuso/vanthu/signing/stamp"
	"github.com/vanthuso/vanthu/signing/trustlist"
	"github.com/vanthuso/vanthu/signing/verify"
)

// demoRun is one run of `vanthuctl demo`: internal/demo's test PKI on
// SoftHSM2 tokens, local timestamp authority and sample documents (the
// decision signed by the leader), then the clerk's signatures made through
// the same code as `vanthuctl sign`, all checked by the same code as
// `vanthuctl verify`.
type demoRun struct {
	c      *cli
	dir    string
	env    *demo.Env
	pki    *testpki.PKI
	tsaURL string
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
		d, err := demo.DefaultDir()
		if err != nil {
			return c.inputErr(err, "err.demo-dir", err.Error())
		}
		*dir = d
	}
	abs, err := filepath.Abs(*dir)
	if err != nil {
		return c.inputErr(err, "err.demo-dir", err.Error())
	}
	d := &demoRun{c: c, dir: abs}
	return d.run(ctx)
}

func (d *demoRun) path(parts ...string) string {
	return filepath.Join(append([]string{d.dir}, parts...)...)
}

func (d *demoRun) say(key string, args ...any) { fmt.Fprintln(d.c.stdout, d.c.t(key, args...)) }

func (d *demoRun) run(ctx context.Context) error {
	progress := func(s demo.Step) {
		switch s {
		case demo.StepPKI:
			d.say("demo.step.pki", d.path("pki"))
		case demo.StepDocuments:
			d.say("demo.step.samples", d.path("tai-lieu"))
		case demo.StepLeader:
			d.say("demo.step.leader", "van-ban.da-duyet.pdf")
		}
	}
	env, err := demo.Prepare(ctx, d.dir, demo.WithProgress(progress))
	if err != nil {
		return d.prepareErr(err)
	}
	defer env.Close()
	d.env, d.pki, d.tsaURL = env, env.PKI, env.TSAURL
	p := d.pki
	d.say("demo.pki", p.Module, testpki.LeaderToken, testpki.AgencyToken, testpki.CAToken, testpki.ExtraToken, testpki.UserPIN)
	d.say("demo.step.tsa", d.tsaURL)
	d.signed = append(d.signed, demoOutput{env.Documents[demo.DocDecisionSigned], 1})
	if err := d.signAll(ctx); err != nil {
		return err
	}
	verifyErr := d.verify(ctx)
	d.instructions()
	return verifyErr
}

// prepareErr words an error of demo.Prepare.
func (d *demoRun) prepareErr(err error) error {
	var se *demo.StepError
	if errors.As(err, &se) {
		switch se.Step {
		case demo.StepPKI:
			return d.c.inputErr(err, "err.demo-pki", se.Err.Error())
		case demo.StepTSA:
			return d.c.inputErr(err, "err.demo-tsa", se.Err.Error())
		case demo.StepLeader:
			return fileError(se.Err, filepath.Join(d.dir, "tai-lieu", "van-ban.pdf"))
		}
	}
	return d.c.inputErr(err, "err.demo-samples", err.Error())
}

// demoStep is one signature of the demo.
type demoStep struct {
	say     string
	token   string
	in, out string
	req     signRequest
	sigs    int // signatures in the output
}

func (d *demoRun) signAll(ctx context.Context) error {
	base := signRequest{subFilter: pades.PAdES, level: pades.LevelB}
	bt := base
	bt.level, bt.tsaURL = pades.LevelT, d.tsaURL

	issue := bt
	issue.profile, issue.sealImage, issue.number = stamp.Issue, assets.DemoSeal, demo.Number
	attachment := bt
	attachment.profile, attachment.number = stamp.Attachment, demo.Number
	cp := bt
	cp.profile, cp.copyForm = stamp.Copy, "SAO Y"

	docs := d.env.Documents
	steps := []demoStep{
		{"demo.step.issue", testpki.AgencyToken, docs[demo.DocDecisionSigned], d.path("da-ky", "van-ban.phat-hanh.pdf"), issue, 2},
		{"demo.step.attachment", testpki.AgencyToken, docs[demo.DocAttachment], d.path("da-ky", "phu-luc.da-ky.pdf"), attachment, 1},
		{"demo.step.copy", testpki.AgencyToken, docs[demo.DocScan], d.path("da-ky", "ban-sao-y.pdf"), cp, 1},
	}
	for _, s := range steps {
		if err := d.sign(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

// sign runs one step through the same code as `vanthuctl sign`.
func (d *demoRun) sign(ctx context.Context, s demoStep) error {
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

// verify checks every output with our verifier (signing/verify, as
// `vanthuctl verify --trust` does) against the demo's trust anchors and
// prints its verdicts. The demo's test cross-checks the same files with
// poppler's pdfsig.
func (d *demoRun) verify(ctx context.Context) error {
	certs, err := trustlist.ReadCertificates(d.env.TrustRoot)
	if err != nil {
		return d.c.inputErr(err, "err.trust", err.Error())
	}
	// The demo PKI has no OCSP responder or CRL: its revocation cannot be
	// checked, which the demo accepts as an IT policy may (each report
	// notes it).
	opts := verify.Options{AcceptUnknownRevocation: true}
	for _, cert := range certs {
		if role, err := trustlist.Classify(cert); err == nil && role == trustlist.Root {
			opts.Anchors = append(opts.Anchors, cert)
		} else {
			opts.Intermediates = append(opts.Intermediates, cert)
		}
	}
	d.say("demo.step.verify", d.env.TrustRoot)
	bad := 0
	for _, o := range d.signed {
		rep, err := verify.VerifyFile(ctx, o.path, opts)
		if err != nil {
			return d.c.inputErr(err, "err.verify-read", o.path, err.Error())
		}
		st, err := os.Stat(o.path)
		if err != nil {
			return d.c.inputErr(err, "err.verify-read", o.path, err.Error())
		}
		d.say("demo.verify.file", filepath.Base(o.path), len(rep.Signatures), d.c.t("verdict."+rep.Verdict))
		for i, s := range rep.Signatures {
			d.say("demo.verify.sig", i+1, s.Signer.Name, s.Level, d.c.demoVerdict(s), d.c.demoTrust(s), d.c.demoCoverage(s, st.Size()))
			for _, r := range s.Reasons {
				fmt.Fprintln(d.c.stdout, "       - "+d.c.reasonText(r))
			}
			if s.Verdict != verify.Valid || s.Trust != verify.TrustTrusted {
				bad++
			}
		}
		if rep.Verdict != verify.Valid || len(rep.Signatures) != o.sigs {
			bad++
		}
	}
	if bad > 0 {
		return d.c.inputErr(nil, "err.demo-verify", bad)
	}
	d.say("demo.all-valid")
	return nil
}

func (c *cli) demoVerdict(s verify.Signature) string {
	if s.Verdict == verify.Valid {
		return c.t("demo.sig-valid")
	}
	return c.t("verdict." + s.Verdict)
}

func (c *cli) demoTrust(s verify.Signature) string {
	if s.Trust == verify.TrustTrusted {
		return c.t("demo.cert-trusted")
	}
	return c.t("trust." + s.Trust)
}

// demoCoverage says what the signature covers in a file of size bytes:
// the whole file, or the revision signed with later updates after it.
func (c *cli) demoCoverage(s verify.Signature, size int64) string {
	switch {
	case s.Coverage != verify.CoverageWholeRevision || len(s.ByteRange) != 4:
		return c.t("coverage." + s.Coverage)
	case s.ByteRange[2]+s.ByteRange[3] == size:
		return c.t("demo.total")
	}
	return c.t("demo.partial")
}

// instructions prints where everything is and command lines to sign by
// hand with the same tokens.
func (d *demoRun) instructions() {
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
			pinEnv, prog, mod, shellQuote(testpki.AgencyToken), shellQuote(demo.Number),
			shellQuote(d.path("tai-lieu")), shellQuote(d.path("thu", "lo")))},
		{"demo.try.verify", fmt.Sprintf("%s verify --trust %s %s", prog, shellQuote(d.env.TrustRoot), shellQuote(issued))},
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
