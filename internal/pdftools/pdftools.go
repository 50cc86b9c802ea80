// Package pdftools runs the independent PDF tools our tests cross-check
// against — poppler's pdfsig, qpdf, MuPDF's mutool and pdfcpu — and parses
// what they say. It is for tests and benchmarks; nothing in the product
// depends on these tools.
//
// # Tools
//
// The tools come from Debian's poppler-utils, qpdf and mupdf-tools, which
// scripts/deps.sh installs. A missing tool is an error, never a skip.
package pdftools

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
)

// PdfsigSignature is what pdfsig reports for one signature.
type PdfsigSignature struct {
	Field         string // "Signature Field Name"
	Signer        string // "Signer Certificate Common Name"
	Type          string // "Signature Type", e.g. ETSI.CAdES.detached
	Validation    string // "Signature Validation", e.g. "Signature is Valid."
	Certificate   string // "Certificate Validation", e.g. "Certificate is Trusted."
	TotalDocument bool   // "Total document signed"
	Ranges        string
	Unsigned      bool // the field has no signature ("unsigned signature field")
}

// Valid reports "Signature is Valid.".
func (s PdfsigSignature) Valid() bool { return s.Validation == "Signature is Valid." }

// Trusted reports "Certificate is Trusted.".
func (s PdfsigSignature) Trusted() bool { return s.Certificate == "Certificate is Trusted." }

var sigHeader = regexp.MustCompile(`^Signature #(\d+):`)

// Pdfsig runs `pdfsig` on path. nssdir, when non-empty, is an NSS database
// directory holding the trust anchors (certificate validation is then
// done); otherwise -nocert skips certificate validation. A document
// without signatures gives an empty list and no error.
func Pdfsig(path, nssdir string) ([]PdfsigSignature, string, error) {
	args := []string{}
	if nssdir != "" {
		args = append(args, "-nssdir", "sql:"+nssdir)
	} else {
		args = append(args, "-nocert")
	}
	args = append(args, path)
	out, err := exec.Command("pdfsig", args...).CombinedOutput()
	text := string(out)
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && strings.Contains(text, "does not contain any signatures") {
			return nil, text, nil
		}
		if !errors.As(err, &ee) {
			return nil, text, fmt.Errorf("pdfsig: %w (install poppler-utils)", err)
		}
		// pdfsig exits non-zero for some invalid signatures; the text still says why.
	}
	var sigs []PdfsigSignature
	var cur *PdfsigSignature
	for _, line := range strings.Split(text, "\n") {
		if sigHeader.MatchString(line) {
			sigs = append(sigs, PdfsigSignature{})
			cur = &sigs[len(sigs)-1]
			continue
		}
		if cur == nil {
			continue
		}
		l := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "- "))
		key, val, _ := strings.Cut(l, ": ")
		switch {
		case key == "Signature Field Name":
			cur.Field = val
		case key == "Signer Certificate Common Name":
			cur.Signer = val
		case key == "Signature Type":
			cur.Type = val
		case key == "Signature Validation":
			cur.Validation = val
		case key == "Certificate Validation":
			cur.Certificate = val
		case key == "Signed Ranges":
			cur.Ranges = val
		case l == "Total document signed":
			cur.TotalDocument = true
		case strings.Contains(l, "unsigned signature field"), strings.Contains(l, "form field is not signed"):
			cur.Unsigned = true
		}
	}
	return sigs, text, nil
}

// QpdfCheck runs `qpdf --check` and returns nil when qpdf finds no error
// (exit 0). Warnings (exit 3) are returned as an error too: our files must
// be clean.
func QpdfCheck(path string) error {
	out, err := exec.Command("qpdf", "--check", path).CombinedOutput()
	if err != nil {
		return fmt.Errorf("qpdf --check: %w\n%s", err, out)
	}
	return nil
}

// QpdfCheckCode runs `qpdf --check` and returns its exit code (0 clean, 2
// errors, 3 warnings) for comparisons with what an input had before.
func QpdfCheckCode(path string) (int, string) {
	out, err := exec.Command("qpdf", "--check", path).CombinedOutput()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), string(out)
	}
	if err != nil {
		return -1, err.Error()
	}
	return 0, string(out)
}

// MutoolSignature is what `mutool sign -v` says about one signature.
type MutoolSignature struct {
	Object    string
	Digest    string // "" when the digest is fine, else the digest error
	Unchanged bool   // "The document is unchanged since signing."
	Unsigned  bool   // "Signature is not signed." (an empty field)
	Text      string
}

// MutoolVerify runs `mutool sign -v` and parses its per-signature blocks.
func MutoolVerify(path string) ([]MutoolSignature, string, error) {
	out, err := exec.Command("mutool", "sign", "-v", path).CombinedOutput()
	text := string(out)
	if err != nil {
		return nil, text, fmt.Errorf("mutool sign -v: %w\n%s", err, text)
	}
	var sigs []MutoolSignature
	var cur *MutoolSignature
	for _, line := range strings.Split(text, "\n") {
		l := strings.TrimSpace(line)
		if strings.HasPrefix(l, "Verifying signature ") {
			sigs = append(sigs, MutoolSignature{Object: strings.TrimSuffix(strings.TrimPrefix(l, "Verifying signature "), ":")})
			cur = &sigs[len(sigs)-1]
			continue
		}
		if cur == nil {
			continue
		}
		cur.Text += l + "\n"
		switch {
		case strings.HasPrefix(l, "Digest error:"):
			cur.Digest = strings.TrimSpace(strings.TrimPrefix(l, "Digest error:"))
		case strings.Contains(l, "unchanged since signing"):
			cur.Unchanged = true
		case strings.Contains(l, "is not signed"):
			cur.Unsigned = true
		}
	}
	return sigs, text, nil
}

// MutoolDraw renders every page to nowhere: it fails when MuPDF cannot
// interpret the document.
func MutoolDraw(path string) error {
	out, err := exec.Command("mutool", "draw", "-q", "-o", os.DevNull, "-F", "png", "-r", "10", path).CombinedOutput()
	if err != nil || bytes.Contains(out, []byte("error")) {
		return fmt.Errorf("mutool draw: %v\n%s", err, out)
	}
	return nil
}

// PdfcpuSignature is pdfcpu's verdict on one signature.
type PdfcpuSignature struct {
	Field    string
	Status   string // "signature is valid", "validity of the signature is unknown", "signature is invalid"
	Reason   string
	Problems []string
}

// IntegrityOK reports whether pdfcpu found the signature cryptographically
// intact: not invalid, not forged, and the document not modified. An
// "unknown" status from an untrusted test root is fine.
func (s PdfcpuSignature) IntegrityOK() bool {
	return s.Status != model.SignatureStatusInvalid.String()
}

// PdfcpuValidate runs pdfcpu's signature validation over every signature.
func PdfcpuValidate(path string) ([]PdfcpuSignature, error) {
	conf := model.NewDefaultConfiguration()
	res, err := api.ValidateSignatures(path, true, conf)
	if err != nil {
		return nil, fmt.Errorf("pdfcpu: %w", err)
	}
	var out []PdfcpuSignature
	for _, r := range res {
		out = append(out, PdfcpuSignature{
			Field:    r.Details.FieldName,
			Status:   r.Status.String(),
			Reason:   r.Reason.String(),
			Problems: r.Problems,
		})
	}
	return out, nil
}

// PdfcpuValidateFile runs pdfcpu's structural validation (relaxed mode).
func PdfcpuValidateFile(path string) error {
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationRelaxed
	return api.ValidateFile(path, conf)
}

// EnvCorpus names the variable that points at the shared test corpus
// when it is not beside the repository.
const EnvCorpus = "VANTHU_CORPUS"

// CorpusDir returns the shared test corpus: $VANTHU_CORPUS, else
// shared/corpus beside the repository (the layout of the development
// machines), else /work/shared/corpus (where CI finds it when it clones
// the repository elsewhere). Tests fail, never skip, when it is missing.
func CorpusDir() (string, error) {
	var tried []string
	try := func(c string) bool {
		tried = append(tried, c)
		fi, err := os.Stat(c)
		return err == nil && fi.IsDir()
	}
	if c := os.Getenv(EnvCorpus); c != "" {
		if try(c) {
			return filepath.Abs(c)
		}
		return "", fmt.Errorf("test corpus not found: $%s is %s", EnvCorpus, c)
	}
	if dir, err := os.Getwd(); err == nil {
		for {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				if c := filepath.Join(filepath.Dir(dir), "shared", "corpus"); try(c) {
					return c, nil
				}
				break
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	if c := "/work/shared/corpus"; try(c) {
		return c, nil
	}
	return "", fmt.Errorf("test corpus not found (tried %s): set $%s or clone the repository next to shared/", strings.Join(tried, ", "), EnvCorpus)
}

// CorpusPDFs lists the PDFs under the given corpus subdirectories, sorted.
func CorpusPDFs(subdirs ...string) ([]string, error) {
	root, err := CorpusDir()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, sd := range subdirs {
		err := filepath.WalkDir(filepath.Join(root, sd), func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.EqualFold(filepath.Ext(p), ".pdf") {
				out = append(out, p)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Strings(out)
	return out, nil
}
