// Package demo prepares the demo environment of Văn Thư Số for a newcomer
// without a token: a test PKI on SoftHSM2 tokens in the user's data
// directory, a local timestamp authority and sample documents, one of them
// already signed by a leader so that the clerk's step can be tried.
// `vanthuctl demo` and `vanthu --demo` use it.
//
// # Folder
//
//	DIR/pki/        the SoftHSM2 tokens and the test PKI (internal/testpki)
//	DIR/tai-lieu/   unsigned sample documents
//	DIR/da-ky/      signed documents (van-ban.da-duyet.pdf: signed by the leader)
//	DIR/anh/        the leader's signature image and the agency's seal
//	DIR/tin-cay/    ca.pem: the test root and its subordinate CA, the trust anchors
//
// Prepare is idempotent: the PKI is reused while its certificates are
// valid (testpki.Provision), documents are written again. The tokens are
// software tokens with a published PIN: nothing signed with them is worth
// anything outside the demo.
package demo

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/vanthuso/vanthu/assets"
	"github.com/vanthuso/vanthu/internal/samplepdf"
	"github.com/vanthuso/vanthu/internal/testpki"
	"github.com/vanthuso/vanthu/internal/testpki/tsa"
	"github.com/vanthuso/vanthu/signing/pades"
	"github.com/vanthuso/vanthu/signing/stamp"
)

// Number is the number (số và ký hiệu) of the demo's main document.
const Number = "05/QĐ-UBND"

// LeaderRect is where the leader signs page 1 of the demo's A4 decision:
// bottom right, where the signature block of a Vietnamese document sits.
var LeaderRect = samplepdf.SignatureRect

// LeaderPage is the page of the decision the leader signs: its last, where
// the signer's block is.
const LeaderPage = 2

// Env is a prepared demo.
type Env struct {
	Dir        string // the demo's folder
	ModulePath string // the SoftHSM2 PKCS#11 module; SOFTHSM2_CONF is set for this process
	TSAURL     string // the local timestamp authority, running until Close
	TrustRoot  string // PEM file of the test root and its subordinate CA: the trust anchors
	PIN        string // the user PIN of the demo tokens
	// Documents are sample PDFs: the unsigned decision, the same decision
	// already signed by the leader (the clerk's step can be tried on it),
	// an attachment, a scan to copy and a form with an empty signature
	// field.
	Documents []string
	// SignatureImage and SealImage are the demo leader's signature and
	// agency seal (PNG files in Dir).
	SignatureImage, SealImage string
	// PKI is the test PKI (tokens LeaderToken, AgencyToken, …).
	PKI *testpki.PKI

	stop func()
}

// Paths of the documents in Env.Documents, in that order.
const (
	DocDecision = iota
	DocDecisionSigned
	DocAttachment
	DocScan
	DocForm
)

// DefaultDir is the user data folder + "vanthu-demo": on Linux
// $XDG_DATA_HOME or ~/.local/share, on Windows %LOCALAPPDATA%, on macOS
// ~/Library/Application Support.
func DefaultDir() (string, error) {
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
		return "", errors.New("no user data folder")
	}
	return filepath.Join(base, "vanthu-demo"), nil
}

// Step names a part of Prepare, for progress and errors.
type Step string

// Steps of Prepare, in order.
const (
	StepPKI       Step = "pki"       // provisioning the tokens (seconds the first time)
	StepTSA       Step = "tsa"       // starting the timestamp authority
	StepDocuments Step = "documents" // writing the sample documents and images
	StepLeader    Step = "leader"    // the leader signing the decision
)

// StepError is an error of one step of Prepare.
type StepError struct {
	Step Step
	Err  error
}

func (e *StepError) Error() string { return fmt.Sprintf("demo: %s: %v", e.Step, e.Err) }
func (e *StepError) Unwrap() error { return e.Err }

// Option configures Prepare.
type Option func(*options)

type options struct{ progress func(Step) }

// WithProgress has Prepare call f as each step starts (the first
// provisioning takes seconds: say so).
func WithProgress(f func(Step)) Option { return func(o *options) { o.progress = f } }

// Prepare provisions (or reuses) the demo in dir, starts its timestamp
// authority and writes the sample documents. Close the Env to stop the
// authority. Errors are *StepError.
func Prepare(ctx context.Context, dir string, opts ...Option) (*Env, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	say := func(s Step) {
		if o.progress != nil {
			o.progress(s)
		}
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, &StepError{StepDocuments, err}
	}
	e := &Env{Dir: abs, PIN: testpki.UserPIN}
	for _, sub := range []string{"tai-lieu", "da-ky", "anh", "tin-cay"} {
		if err := os.MkdirAll(e.path(sub), 0o755); err != nil {
			return nil, &StepError{StepDocuments, err}
		}
	}
	say(StepPKI)
	p, err := testpki.Provision(e.path("pki"), testpki.SetEnv())
	if err != nil {
		return nil, &StepError{StepPKI, err}
	}
	e.PKI, e.ModulePath = p, p.Module

	say(StepTSA)
	if err := e.startTSA(); err != nil {
		return nil, &StepError{StepTSA, err}
	}
	ok := false
	defer func() {
		if !ok {
			e.Close()
		}
	}()

	say(StepDocuments)
	if err := e.writeFiles(); err != nil {
		return nil, &StepError{StepDocuments, err}
	}
	say(StepLeader)
	if err := e.signAsLeader(ctx); err != nil {
		return nil, &StepError{StepLeader, err}
	}
	ok = true
	return e, nil
}

// Close stops the timestamp authority and closes its token session.
func (e *Env) Close() error {
	if e.stop != nil {
		e.stop()
		e.stop = nil
	}
	return nil
}

func (e *Env) path(parts ...string) string {
	return filepath.Join(append([]string{e.Dir}, parts...)...)
}

// startTSA serves the test timestamp authority on loopback, its key on the
// CA token.
func (e *Env) startTSA() error {
	p := e.PKI
	signer, closer, err := p.Signer(p.TSA, testpki.UserPIN)
	if err != nil {
		return err
	}
	url, stop, err := tsa.Start(tsa.New(signer, p.TSA.Cert, p.TSA.Embedded()))
	if err != nil {
		closer.Close()
		return err
	}
	e.TSAURL = url
	e.stop = func() { stop(); closer.Close() }
	return nil
}

// writeFiles writes the sample documents, the images and the trust
// anchors.
func (e *Env) writeFiles() error {
	now := time.Now()
	for name, o := range map[string]samplepdf.Official{
		"van-ban.pdf":  Decision(now),
		"phu-luc.pdf":  attachment(now),
		"ban-chup.pdf": letter(now),
	} {
		if err := samplepdf.WriteOfficialFile(e.path("tai-lieu", name), o); err != nil {
			return err
		}
	}
	// The form keeps samplepdf's plain layout: its point is the empty
	// signature field.
	if err := samplepdf.WriteFile(e.path("tai-lieu", "bieu-mau.pdf"), samplepdf.Options{Pages: 1, Title: "To trinh (bieu mau co o chu ky)", Fields: true}); err != nil {
		return err
	}
	e.SignatureImage, e.SealImage = e.path("anh", "chu-ky.png"), e.path("anh", "con-dau.png")
	for path, data := range map[string][]byte{e.SignatureImage: assets.DemoSignature, e.SealImage: assets.DemoSeal} {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return err
		}
	}
	var bundle []byte
	for _, c := range []*x509.Certificate{e.PKI.Root.Cert, e.PKI.Sub.Cert} {
		bundle = append(bundle, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	e.TrustRoot = e.path("tin-cay", "ca.pem")
	if err := os.WriteFile(e.TrustRoot, bundle, 0o644); err != nil {
		return err
	}
	e.Documents = []string{
		DocDecision:       e.path("tai-lieu", "van-ban.pdf"),
		DocDecisionSigned: e.path("da-ky", "van-ban.da-duyet.pdf"),
		DocAttachment:     e.path("tai-lieu", "phu-luc.pdf"),
		DocScan:           e.path("tai-lieu", "ban-chup.pdf"),
		DocForm:           e.path("tai-lieu", "bieu-mau.pdf"),
	}
	return nil
}

// signAsLeader signs the decision with the leader's approval stamp (the
// signature image in LeaderRect on page 1), B-B, as the leader would on
// their PC.
func (e *Env) signAsLeader(ctx context.Context) error {
	p := e.PKI
	signer, closer, err := p.Signer(p.Leader, testpki.UserPIN)
	if err != nil {
		return err
	}
	defer closer.Close()
	in, out := e.Documents[DocDecision], e.Documents[DocDecisionSigned]
	doc, err := pades.Inspect(in)
	if err != nil {
		return err
	}
	defer doc.Close()
	now := time.Now()
	rect := LeaderRect
	apps, err := stamp.Build(stamp.Options{
		Profile:        stamp.Approval,
		Info:           stamp.InfoFromCertificate(p.Leader.Cert, now),
		SignatureImage: assets.DemoSignature,
		Page:           LeaderPage,
		Rect:           &rect,
	}, doc.PageGeometry)
	if err != nil {
		return err
	}
	os.Remove(out) // written again on every start: the signing time is today's
	_, err = pades.SignFile(ctx, in, out, pades.Options{
		Signer:      signer,
		Certificate: p.Leader.Cert,
		Chain:       p.Leader.Embedded(),
		Reason:      "Ký duyệt",
		Time:        now,
		Appearances: apps,
	})
	return err
}
