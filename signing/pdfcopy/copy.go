package pdfcopy

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/vanthuso/vanthu/signing/pades"
	"github.com/vanthuso/vanthu/signing/stamp"
)

// Form is the kind of an electronic copy (Nghị định 30/2020, Điều 25):
// its value is the text the copy signature shows.
type Form string

// The three forms.
const (
	SaoY     Form = "SAO Y"     // a full copy from the original
	SaoLuc   Form = "SAO LỤC"   // a full copy from a sao y
	TrichSao Form = "TRÍCH SAO" // a copy of chosen pages
)

// ErrBadForm: ParseForm does not know the form.
var ErrBadForm = errors.New("unknown copy form (want sao-y, sao-luc or trich-sao)")

// ParseForm accepts the command-line names sao-y, sao-luc, trich-sao, and
// the forms as written, with or without diacritics, in any case: "SAO Y",
// "sao lục", "Trích sao".
func ParseForm(s string) (Form, error) {
	k := strings.ToLower(norm.NFC.String(strings.TrimSpace(s)))
	k = strings.NewReplacer("-", " ", "_", " ", "ụ", "u", "í", "i").Replace(k)
	switch strings.Join(strings.Fields(k), " ") {
	case "sao y":
		return SaoY, nil
	case "sao luc":
		return SaoLuc, nil
	case "trich sao":
		return TrichSao, nil
	}
	return "", fmt.Errorf("%w: %q", ErrBadForm, s)
}

// Request is one copy to make. Form, Source, Output, Signer and
// Certificate are required; Pages is for TrichSao only (and required
// there).
type Request struct {
	Form   Form
	Source string // the registered document
	Output string // where the signed copy goes; never Source
	Pages  []int  // TrichSao: the pages, 1-based, in the copy's order

	// Agency is the copying agency's name shown in the copy signature;
	// "" = the certificate's organisation (stamp.Organization).
	Agency string

	Signer      crypto.Signer       // the agency's token key; asked to sign once
	Certificate *x509.Certificate   // the agency's certificate
	Chain       []*x509.Certificate // intermediates to embed

	Time       time.Time // signing time; zero = now
	TimeLayout string    // stamp's time layout; "" = stamp.DefaultTimeLayout

	// Level is the PAdES level (default B-B); B-T needs TSA.
	Level pades.Level
	TSA   pades.Timestamper
}

// Result describes the copy Make wrote.
type Result struct {
	Form Form
	// Incremental: the copy is the source's bytes unchanged plus one
	// signed update (sao y, sao lục), so the source's signatures still
	// verify in it. False for a trích sao, a new document.
	Incremental bool
	Pages       int    // the copy's page count
	Field       string // the copy signature's field
	Size        int64  // the copy's size in bytes
}

// Errors of Make's request (Message has them in Vietnamese).
var (
	// ErrPagesNotAllowed: Pages given for a sao y or sao lục, which copy
	// the whole document.
	ErrPagesNotAllowed = errors.New("pages are chosen only for a trích sao; sao y and sao lục copy the whole document")
	// ErrOutputIsSource: Output names the source itself.
	ErrOutputIsSource = errors.New("the copy would overwrite the original")
	// ErrNoAgency: neither Agency nor the certificate names the copying
	// agency.
	ErrNoAgency = errors.New("the copying agency's name is missing")
)

// Make makes the copy req asks for and writes it to req.Output: for sao
// y and sao lục the source with the copy signature appended, for trích
// sao a new document of the chosen pages (ExtractPages) with the copy
// signature; the signature has the stamp.Copy appearance in the
// top-right corner of page 1 and /Reason the form.
//
// The output appears atomically: on any error no file is at req.Output
// (an existing one is untouched) and no temporary file stays. Errors:
// the request's (ErrBadForm, ErrPagesNotAllowed, ErrOutputIsSource,
// ErrNoAgency, ExtractPages' page errors), the source's (ErrEncrypted,
// ErrMalformed, ErrTooLarge, pades.ErrEncrypted, pades.ErrMalformed,
// pades.ErrCertifiedNoChanges), the token's, or ctx's.
func Make(ctx context.Context, req Request) (Result, error) {
	if err := req.check(); err != nil {
		return Result{}, err
	}
	if req.Time.IsZero() {
		req.Time = time.Now()
	}
	res := Result{Form: req.Form, Incremental: req.Form != TrichSao}
	in := req.Source
	if req.Form == TrichSao {
		tmp, err := tempPath(req.Output)
		if err != nil {
			return Result{}, err
		}
		defer os.Remove(tmp)
		if err := ExtractPagesFile(ctx, req.Source, req.Pages, tmp); err != nil {
			return Result{}, fmt.Errorf("trích sao: %w", err)
		}
		in = tmp
	}
	opts, pages, err := req.signOptions(in)
	if err != nil {
		return Result{}, err
	}
	pr, err := pades.SignFile(ctx, in, req.Output, opts)
	if err != nil {
		return Result{}, fmt.Errorf("sign the copy: %w", err)
	}
	res.Pages, res.Field, res.Size = pages, pr.Field, pr.Size
	return res, nil
}

// check refuses a request that cannot be made, before anything is read.
func (req *Request) check() error {
	switch req.Form {
	case SaoY, SaoLuc:
		if len(req.Pages) > 0 {
			return ErrPagesNotAllowed
		}
	case TrichSao:
		if err := checkPages(req.Pages, 0); err != nil {
			return fmt.Errorf("trích sao: %w", err)
		}
	default:
		return fmt.Errorf("%w: %q", ErrBadForm, string(req.Form))
	}
	switch {
	case req.Source == "" || req.Output == "":
		return errors.New("copy: source and output paths are required")
	case req.Signer == nil || req.Certificate == nil:
		return errors.New("copy: the signer and its certificate are required")
	}
	if samePath(req.Source, req.Output) {
		return ErrOutputIsSource
	}
	if strings.TrimSpace(req.Agency) == "" {
		req.Agency = stamp.Organization(req.Certificate)
	}
	if strings.TrimSpace(req.Agency) == "" {
		return ErrNoAgency
	}
	return nil
}

// signOptions lays out the copy signature on in's first page.
func (req *Request) signOptions(in string) (pades.Options, int, error) {
	doc, err := pades.Inspect(in)
	if err != nil {
		return pades.Options{}, 0, fmt.Errorf("read %s: %w", filepath.Base(req.Source), err)
	}
	defer doc.Close()
	switch {
	case doc.Encrypted:
		return pades.Options{}, 0, pades.ErrEncrypted
	case doc.DocMDP == 1:
		return pades.Options{}, 0, pades.ErrCertifiedNoChanges
	}
	info := stamp.InfoFromCertificate(req.Certificate, req.Time)
	info.CopyForm, info.CopyAgency = string(req.Form), strings.TrimSpace(req.Agency)
	apps, err := stamp.Build(stamp.Options{Profile: stamp.Copy, Info: info, TimeLayout: req.TimeLayout, Page: 1}, doc.PageGeometry)
	if err != nil {
		return pades.Options{}, 0, fmt.Errorf("copy signature appearance: %w", err)
	}
	return pades.Options{
		Signer:      req.Signer,
		Certificate: req.Certificate,
		Chain:       req.Chain,
		Level:       req.Level,
		TSA:         req.TSA,
		Reason:      stamp.Reason(stamp.Copy, "", string(req.Form)),
		Time:        req.Time,
		Appearances: apps,
	}, doc.Pages, nil
}

// tempPath reserves a temporary file name next to out.
func tempPath(out string) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(out), ".pdfcopy-pages-*.pdf")
	if err != nil {
		return "", fmt.Errorf("trích sao: %w", err)
	}
	name := f.Name()
	f.Close()
	return name, nil
}

// samePath reports whether a and b name the same file.
func samePath(a, b string) bool {
	aa, err1 := filepath.Abs(a)
	bb, err2 := filepath.Abs(b)
	if err1 == nil && err2 == nil && aa == bb {
		return true
	}
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}
