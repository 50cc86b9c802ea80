package main

import (
	"context"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/vanthuso/vanthu/assets"
	"github.com/vanthuso/vanthu/internal/pdftools"
	"github.com/vanthuso/vanthu/internal/samplepdf"
	"github.com/vanthuso/vanthu/internal/testpki"
	"github.com/vanthuso/vanthu/internal/testpki/ocsp"
	"github.com/vanthuso/vanthu/internal/testpki/tsa"
	"github.com/vanthuso/vanthu/signing/cms"
	"github.com/vanthuso/vanthu/signing/pades"
	"github.com/vanthuso/vanthu/signing/pdf"
	"github.com/vanthuso/vanthu/signing/revocation"
	"github.com/vanthuso/vanthu/signing/token"
)

// TestMain makes the test binary double as vanthuctl: testscript puts a
// copy named vanthuctl on the scripts' PATH, and running it runs run().
func TestMain(m *testing.M) {
	testscript.Main(afterTests{m}, map[string]func(){
		"vanthuctl": func() {
			os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv))
		},
	})
}

// afterTests releases the per-process PKI once every test has run.
type afterTests struct{ m *testing.M }

func (a afterTests) Run() int {
	code := a.m.Run()
	shared.close()
	return code
}

// TestScripts runs the transcripts in testdata/script. Each script gets
// its own copy of a test PKI on SoftHSM2 (see setupScript), a timestamp
// authority on loopback and sample documents.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		Setup:               setupScript,
		RequireExplicitExec: true,
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exits":        cmdExits,
			"pdfsig-valid": cmdPdfsigValid,
			"sig-cms":      cmdSigCMS,
			"samplepdf":    cmdSamplePDF,
			"files":        cmdFiles,
			"pinstate":     cmdPINState,
			"tsa-issued":   cmdTSAIssued,
			"sign-lt":      cmdSignLT,
			// sync_server.txtar: server_script_test.go
			"vanthu-server": cmdVanthuServer,
			"certpem":       cmdCertPEM,
			"capture":       cmdCapture,
		},
	})
}

// sharedPKI is provisioned once per test process: a template PKI whose
// files every script copies (milliseconds instead of seconds of key
// generation), the TSA key (on the template's CA token, whose keys every
// copy shares), and an NSS database trusting the test root for pdfsig.

type sharedPKI struct {
	once      sync.Once
	err       error
	dir       string
	files     map[string][]byte // relative to the PKI directory
	pki       *testpki.PKI
	tsaSigner crypto.Signer
	tsaCloser io.Closer
	nssDir    string
}

var shared sharedPKI

func (s *sharedPKI) get() (*sharedPKI, error) {
	s.once.Do(func() { s.err = s.build() })
	return s, s.err
}

func (s *sharedPKI) build() error {
	dir, err := os.MkdirTemp("", "vanthuctl-test-")
	if err != nil {
		return err
	}
	s.dir = dir
	p, err := testpki.Provision(filepath.Join(dir, "pki"))
	if err != nil {
		return err
	}
	s.pki = p
	// SoftHSM2 reads its configuration when initialised, once per process:
	// this test process uses the template's tokens; vanthuctl subprocesses
	// get their script's copy through the environment.
	os.Setenv(testpki.EnvConfig, p.ConfigPath)
	if s.files, err = snapshot(p.Dir); err != nil {
		return err
	}
	if s.tsaSigner, s.tsaCloser, err = p.Signer(p.TSA, testpki.UserPIN); err != nil {
		return err
	}
	db, err := p.NSSDB(filepath.Join(dir, "nss"))
	if err != nil {
		return err
	}
	s.nssDir = strings.TrimPrefix(db, "sql:")
	return nil
}

func (s *sharedPKI) close() {
	if s.tsaCloser != nil {
		s.tsaCloser.Close()
	}
	if s.dir != "" {
		os.RemoveAll(s.dir)
	}
}

// snapshot reads every file of a PKI directory but its configuration,
// which names the directory and is written again for each copy.
func snapshot(dir string) (map[string][]byte, error) {
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil || rel == "softhsm2.conf" {
			return err
		}
		files[rel], err = os.ReadFile(path)
		return err
	})
	return files, err
}

// Keys of values a script's commands find with ts.Value.
type (
	pkiKey struct{}
	tsaKey struct{}
)

// setupScript gives a script its PKI copy in $WORK/pki and these
// variables:
//
//	SOFTHSM2_CONF  the copy's SoftHSM2 configuration
//	MODULE         the SoftHSM2 PKCS#11 module
//	DOC, FORM      sample PDFs: two pages; one page with the empty
//	               signature field "ChuKyLanhDao" (and a text field)
//	SIG_PNG, SEAL_PNG  the demo signature and seal images
//	ENCRYPTED      an encrypted PDF from the shared corpus
//	ROOT_PEM       the test root certificate (PEM), a trust anchor
//	CA_BUNDLE      the test root and the subordinate CA (PEM)
//	CORPUS         the shared corpus of PDFs made by other tools
//	TSA            URL of this script's timestamp authority
//	FP_LEADER, FP_AGENCY, FP_ECDSA, FP_EXPIRED, FP_SUB
//	               SHA-256 fingerprints of those certificates
//	FP_LEADER_COLONS  FP_LEADER in upper case with colons
func setupScript(env *testscript.Env) error {
	s, err := shared.get()
	if err != nil {
		return fmt.Errorf("test PKI: %w", err)
	}
	pkiDir := filepath.Join(env.WorkDir, "pki")
	for rel, data := range s.files {
		path := filepath.Join(pkiDir, rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return err
		}
		if err := os.WriteFile(path, data, 0o600); err != nil {
			return err
		}
	}
	p, err := testpki.Provision(pkiDir) // loads the copy, writes its configuration
	if err != nil {
		return err
	}
	env.Values[pkiKey{}] = p
	if err := writeSamples(env.WorkDir); err != nil {
		return err
	}
	srv := tsa.New(s.tsaSigner, p.TSA.Cert, p.TSA.Embedded())
	url, stop, err := tsa.Start(srv)
	if err != nil {
		return err
	}
	env.Defer(stop)
	env.Values[tsaKey{}] = srv
	encrypted, err := filepath.Abs(filepath.Join("testdata", "encrypted.pdf"))
	if err != nil {
		return err
	}
	rootPEM := filepath.Join(env.WorkDir, "root.pem")
	if err := p.WriteRootPEM(rootPEM); err != nil {
		return err
	}
	bundle := filepath.Join(env.WorkDir, "ca-bundle.pem")
	var pemData []byte
	for _, c := range []*x509.Certificate{p.Root.Cert, p.Sub.Cert} {
		pemData = append(pemData, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	if err := os.WriteFile(bundle, pemData, 0o644); err != nil {
		return err
	}
	corpus, err := pdftools.CorpusDir()
	if err != nil {
		return err
	}
	leaderFP := token.Fingerprint(p.Leader.Cert)
	for k, v := range map[string]string{
		testpki.EnvConfig:  p.ConfigPath,
		"MODULE":           p.Module,
		"DOC":              filepath.Join(env.WorkDir, "doc.pdf"),
		"FORM":             filepath.Join(env.WorkDir, "form.pdf"),
		"SIG_PNG":          filepath.Join(env.WorkDir, "chu-ky.png"),
		"SEAL_PNG":         filepath.Join(env.WorkDir, "con-dau.png"),
		"ENCRYPTED":        encrypted,
		"ROOT_PEM":         rootPEM,
		"CA_BUNDLE":        bundle,
		"CORPUS":           corpus,
		"TSA":              url,
		"FP_LEADER":        leaderFP,
		"FP_LEADER_COLONS": colonHex(leaderFP),
		"FP_AGENCY":        token.Fingerprint(p.Agency.Cert),
		"FP_ECDSA":         token.Fingerprint(p.ECDSA.Cert),
		"FP_EXPIRED":       token.Fingerprint(p.Expired.Cert),
		"FP_SUB":           token.Fingerprint(p.Sub.Cert),
		"GORACE":           goraceNoExitSleep(),
	} {
		env.Setenv(k, v)
	}
	return nil
}

// goraceNoExitSleep keeps the race detector's options but drops its one
// second sleep at exit, which every vanthuctl run would pay under -race.
func goraceNoExitSleep() string {
	g := os.Getenv("GORACE")
	if strings.Contains(g, "atexit_sleep_ms") {
		return g
	}
	return strings.TrimSpace(g + " atexit_sleep_ms=0")
}

func colonHex(h string) string {
	var parts []string
	for i := 0; i+2 <= len(h); i += 2 {
		parts = append(parts, strings.ToUpper(h[i:i+2]))
	}
	return strings.Join(parts, ":")
}

func writeSamples(dir string) error {
	if err := samplepdf.WriteFile(filepath.Join(dir, "doc.pdf"), samplepdf.Options{Pages: 2, Title: "Quyet dinh thu nghiem"}); err != nil {
		return err
	}
	if err := samplepdf.WriteFile(filepath.Join(dir, "form.pdf"), samplepdf.Options{Title: "To trinh", Fields: true}); err != nil {
		return err
	}
	for name, data := range map[string][]byte{"chu-ky.png": assets.DemoSignature, "con-dau.png": assets.DemoSeal} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// cmdExits runs a program and checks its exit code:
//
//	exits CODE PROGRAM [ARGS...]
//
// Its standard output and error are kept for stdout and stderr.
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits CODE PROGRAM [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		got = ee.ExitCode()
	case err != nil:
		ts.Fatalf("run %s: %v", args[1], err)
	}
	if got != want {
		ts.Fatalf("%s exited with %d, want %d", args[1], got, want)
	}
}

// globs expands shell patterns relative to the script's directory; a
// pattern that matches nothing is an error.
func globs(ts *testscript.TestScript, patterns []string) []string {
	var out []string
	for _, p := range patterns {
		m, err := filepath.Glob(ts.MkAbs(p))
		ts.Check(err)
		if len(m) == 0 {
			ts.Fatalf("no file matches %s", p)
		}
		out = append(out, m...)
	}
	return out
}

// cmdPdfsigValid checks every signature with poppler's pdfsig against an
// NSS database that trusts the test root:
//
//	pdfsig-valid [-type SUBFILTER] [-field NAME] [-pki DIR] N FILE...
//
// Each file must hold N signatures, each valid and its certificate
// trusted; -type and -field check the newest signature; -pki trusts the
// root of the test PKI in DIR instead (one vanthuctl demo made).
func cmdPdfsigValid(ts *testscript.TestScript, neg bool, args []string) {
	fset := flag.NewFlagSet("pdfsig-valid", flag.ContinueOnError)
	typ := fset.String("type", "", "")
	field := fset.String("field", "", "")
	pkiDir := fset.String("pki", "", "")
	ts.Check(fset.Parse(args))
	if neg || fset.NArg() < 2 {
		ts.Fatalf("usage: pdfsig-valid [-type T] [-field NAME] [-pki DIR] N FILE...")
	}
	nssDir := shared.nssDir
	if *pkiDir != "" {
		nssDir = nssTrusting(ts, *pkiDir)
	}
	want, err := strconv.Atoi(fset.Arg(0))
	ts.Check(err)
	for _, path := range globs(ts, fset.Args()[1:]) {
		sigs, text, err := pdftools.Pdfsig(path, nssDir)
		ts.Check(err)
		if unknownIssue(sigs) {
			// Seen once on a loaded machine, for a signature pdfsig found
			// valid and trusted a moment later (the same file and
			// database): NSS's certificate check, not the file. Once more,
			// after a pause; a real fault stays.
			ts.Logf("pdfsig: \"Unknown issue with Certificate\" for %s; checking again", path)
			time.Sleep(2 * time.Second)
			sigs, text, err = pdftools.Pdfsig(path, nssDir)
			ts.Check(err)
		}
		if len(sigs) != want {
			ts.Fatalf("%s: pdfsig found %d signatures, want %d:\n%s", path, len(sigs), want, text)
		}
		for i, s := range sigs {
			if !s.Valid() || !s.Trusted() {
				ts.Fatalf("%s: signature %d: %q, %q:\n%s", path, i+1, s.Validation, s.Certificate, text)
			}
		}
		last := sigs[len(sigs)-1]
		if *typ != "" && last.Type != *typ {
			ts.Fatalf("%s: newest signature is %s, want %s", path, last.Type, *typ)
		}
		if *field != "" && last.Field != *field {
			ts.Fatalf("%s: newest signature is in field %q, want %q", path, last.Field, *field)
		}
	}
}

// unknownIssue reports whether a signature pdfsig found valid has its
// certificate reported as "Unknown issue".
func unknownIssue(sigs []pdftools.PdfsigSignature) bool {
	for _, s := range sigs {
		if s.Valid() && strings.Contains(s.Certificate, "Unknown issue") {
			return true
		}
	}
	return false
}

// cmdSigCMS reads the CMS of a signature field and checks it:
//
//	sig-cms [-timestamp] [-certs N] FILE FIELD
//
// -timestamp: it carries a signature timestamp that verifies; -certs: it
// embeds N certificates (the signer's and its chain).
func cmdSigCMS(ts *testscript.TestScript, neg bool, args []string) {
	fset := flag.NewFlagSet("sig-cms", flag.ContinueOnError)
	wantTS := fset.Bool("timestamp", false, "")
	certs := fset.Int("certs", -1, "")
	ts.Check(fset.Parse(args))
	if neg || fset.NArg() != 2 {
		ts.Fatalf("usage: sig-cms [-timestamp] [-certs N] FILE FIELD")
	}
	der, err := signatureContents(ts.MkAbs(fset.Arg(0)), fset.Arg(1))
	ts.Check(err)
	sd, err := cms.Parse(der)
	ts.Check(err)
	if *certs >= 0 && len(sd.Certificates) != *certs {
		var names []string
		for _, c := range sd.Certificates {
			names = append(names, c.Subject.CommonName)
		}
		ts.Fatalf("signature embeds %d certificates %q, want %d", len(sd.Certificates), names, *certs)
	}
	if len(sd.Signers) != 1 {
		ts.Fatalf("signature has %d signers", len(sd.Signers))
	}
	tok := sd.Signers[0].TimestampToken
	switch {
	case *wantTS && tok == nil:
		ts.Fatalf("signature has no timestamp")
	case !*wantTS && tok != nil:
		ts.Fatalf("signature has a timestamp")
	case tok != nil:
		t, err := cms.ParseTimestampToken(tok)
		ts.Check(err)
		_, err = t.Verify()
		ts.Check(err)
	}
}

// signatureContents returns the /Contents of the signature in field.
func signatureContents(path, field string) ([]byte, error) {
	doc, err := pades.Inspect(path)
	if err != nil {
		return nil, err
	}
	defer doc.Close()
	f, ok := doc.Field(field)
	if !ok || !f.Signed {
		return nil, fmt.Errorf("no signed field %q", field)
	}
	fd, err := doc.Reader.ResolveDict(f.Ref)
	if err != nil {
		return nil, err
	}
	sig, err := doc.Reader.ResolveDict(fd["V"])
	if err != nil {
		return nil, err
	}
	contents, ok := sig["Contents"].(pdf.String)
	if !ok {
		return nil, fmt.Errorf("field %q: no /Contents string", field)
	}
	return []byte(contents), nil
}

// cmdSamplePDF writes sample PDFs:
//
//	samplepdf [-fields] [-pages N] FILE...
func cmdSamplePDF(ts *testscript.TestScript, neg bool, args []string) {
	fset := flag.NewFlagSet("samplepdf", flag.ContinueOnError)
	fields := fset.Bool("fields", false, "")
	pages := fset.Int("pages", 1, "")
	ts.Check(fset.Parse(args))
	if neg || fset.NArg() == 0 {
		ts.Fatalf("usage: samplepdf [-fields] [-pages N] FILE...")
	}
	for _, name := range fset.Args() {
		path := ts.MkAbs(name)
		ts.Check(os.MkdirAll(filepath.Dir(path), 0o755))
		ts.Check(samplepdf.WriteFile(path, samplepdf.Options{Pages: *pages, Fields: *fields, Title: filepath.Base(name)}))
	}
}

// cmdFiles counts the files matching a pattern:
//
//	files N PATTERN
func cmdFiles(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: files N PATTERN")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	m, err := filepath.Glob(ts.MkAbs(args[1]))
	ts.Check(err)
	if len(m) != want {
		ts.Fatalf("%d files match %s, want %d: %q", len(m), args[1], want, m)
	}
}

// cmdPINState sets the PIN flags a token of the script's PKI reports:
//
//	pinstate LABEL locked|final-try|count-low|ok
func cmdPINState(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: pinstate LABEL locked|final-try|count-low|ok")
	}
	var st token.PINState
	switch args[1] {
	case "locked":
		st.Locked = true
	case "final-try":
		st.FinalTry, st.CountLow = true, true
	case "count-low":
		st.CountLow = true
	case "ok":
	default:
		ts.Fatalf("unknown PIN state %q", args[1])
	}
	p := ts.Value(pkiKey{}).(*testpki.PKI)
	ts.Check(p.SetPINState(args[0], st))
}

// cmdTSAIssued checks how many tokens the script's timestamp authority
// signed:
//
//	tsa-issued N
func cmdTSAIssued(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: tsa-issued N")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	if got := ts.Value(tsaKey{}).(*tsa.Server).Issued(); got != want {
		ts.Fatalf("the TSA issued %d tokens, want %d", got, want)
	}
}

// cmdSignLT signs a PDF as the leader at B-LT or B-LTA in the test process
// (vanthuctl sign makes B-B and B-T), with the script's TSA and the
// revocation data of the test PKI's OCSP responder, so that scripts can
// verify long-term signatures offline:
//
//	sign-lt B-LT|B-LTA IN OUT
func cmdSignLT(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: sign-lt B-LT|B-LTA IN OUT")
	}
	s, err := shared.get()
	ts.Check(err)
	p := s.pki
	srv, err := ocsp.Start(p)
	ts.Check(err)
	defer srv.Stop()
	signer, closer, err := p.Signer(p.Leader, testpki.UserPIN)
	ts.Check(err)
	defer closer.Close()
	checker := &revocation.Checker{OCSPURL: srv.OCSPURLFor, CRLURL: srv.CRLURLFor}
	_, err = pades.SignFile(context.Background(), ts.MkAbs(args[1]), ts.MkAbs(args[2]), pades.Options{
		Signer:      signer,
		Certificate: p.Leader.Cert,
		Chain:       p.Leader.Embedded(),
		Level:       pades.Level(args[0]),
		TSA:         &cms.TSAClient{URL: ts.Getenv("TSA")},
		Validation:  pades.OnlineValidation{Checker: checker, Issuers: p.Anchors()},
	})
	ts.Check(err)
}
