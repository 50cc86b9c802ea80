package pdfcopy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/validate"
)

// Limits on what ExtractPages takes. They bound memory and time on
// hostile input; real documents stay far below them.
const (
	// MaxInputSize is the largest source PDF, in bytes.
	MaxInputSize = 256 << 20
	// MaxPages is the longest page list.
	MaxPages = 2000
	// DefaultTimeout bounds one extraction when the caller's context has
	// no earlier deadline.
	DefaultTimeout = 2 * time.Minute
)

// Errors callers branch on (Message turns them into sentences).
var (
	// ErrNoPages: the page list is empty.
	ErrNoPages = errors.New("no page selected")
	// ErrTooManyPages: the page list is longer than MaxPages.
	ErrTooManyPages = fmt.Errorf("more than %d pages selected", MaxPages)
	// ErrPageRange: a page number is below 1 or beyond the last page
	// (in a *PageError).
	ErrPageRange = errors.New("page out of range")
	// ErrDuplicatePage: a page is selected twice (in a *PageError).
	ErrDuplicatePage = errors.New("page selected twice")
	// ErrBadPageList: a page list in text ("1,3-4") does not parse.
	ErrBadPageList = errors.New("bad page list")
	// ErrEncrypted: the source is encrypted or password-protected.
	ErrEncrypted = errors.New("the document is encrypted")
	// ErrMalformed: the source is not a PDF we can read safely.
	ErrMalformed = errors.New("malformed PDF")
	// ErrTooLarge: the source is larger than MaxInputSize.
	ErrTooLarge = fmt.Errorf("the document is larger than %d MiB", MaxInputSize>>20)
)

// PageError is a bad page in a page list: Err is ErrPageRange or
// ErrDuplicatePage. Count is the document's page count (0 when the list
// was refused before the document was read).
type PageError struct {
	Page  int
	Count int
	Err   error
}

func (e *PageError) Error() string {
	if e.Count > 0 {
		return fmt.Sprintf("page %d (the document has %d): %v", e.Page, e.Count, e.Err)
	}
	return fmt.Sprintf("page %d: %v", e.Page, e.Err)
}

// Unwrap returns ErrPageRange or ErrDuplicatePage.
func (e *PageError) Unwrap() error { return e.Err }

// ParsePages parses a page list as people write it: "2", "1,3-4",
// "5-7, 9". Ranges go upwards; the result keeps the order written. It
// checks the syntax and the limits that need no document (ErrNoPages,
// ErrTooManyPages, a page below 1, a duplicate); ExtractPages checks the
// rest.
func ParsePages(s string) ([]int, error) {
	var pages []int
	if strings.TrimSpace(s) == "" {
		return nil, ErrNoPages
	}
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(strings.TrimSpace(lo))
		if err != nil {
			return nil, fmt.Errorf("%w: %q", ErrBadPageList, part)
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(strings.TrimSpace(hi)); err != nil || b < a {
				return nil, fmt.Errorf("%w: %q", ErrBadPageList, part)
			}
		}
		if b-a >= MaxPages || len(pages)+b-a+1 > MaxPages {
			return nil, ErrTooManyPages
		}
		for p := a; p <= b; p++ {
			pages = append(pages, p)
		}
	}
	return pages, checkPages(pages, 0)
}

// checkPages refuses an empty or too long list, duplicates, and pages
// outside 1..count (count 0: only below 1).
func checkPages(pages []int, count int) error {
	switch {
	case len(pages) == 0:
		return ErrNoPages
	case len(pages) > MaxPages:
		return ErrTooManyPages
	}
	seen := make(map[int]bool, len(pages))
	for _, p := range pages {
		if p < 1 || (count > 0 && p > count) {
			return &PageError{Page: p, Count: count, Err: ErrPageRange}
		}
		if seen[p] {
			return &PageError{Page: p, Count: count, Err: ErrDuplicatePage}
		}
		seen[p] = true
	}
	return nil
}

// ExtractPages writes to w a new PDF holding only the given pages of the
// size-byte PDF in r: 1-based, in the order given, each once and in
// range. The pages keep their content, resources (fonts, images) and
// annotations; what makes a signed document signed does not come along
// (see the package doc, "What a trích sao keeps").
//
// Errors: ErrNoPages, ErrTooManyPages, *PageError (ErrPageRange,
// ErrDuplicatePage), ErrTooLarge, ErrEncrypted, ErrMalformed, or the
// context's error when ctx ends or DefaultTimeout passes first. Nothing is
// written to w unless the whole result was made.
func ExtractPages(ctx context.Context, r io.ReaderAt, size int64, pages []int, w io.Writer) error {
	out, err := extract(ctx, r, size, pages)
	if err != nil {
		return err
	}
	if _, err := w.Write(out); err != nil {
		return fmt.Errorf("extract pages: write: %w", err)
	}
	return nil
}

// ExtractPagesFile is ExtractPages from the file inPath to the file
// outPath, written through a synced temporary file next to it and renamed
// into place: on any error no file appears at outPath (an existing one
// is left untouched).
func ExtractPagesFile(ctx context.Context, inPath string, pages []int, outPath string) error {
	f, err := os.Open(inPath)
	if err != nil {
		return fmt.Errorf("extract pages: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("extract pages: %w", err)
	}
	out, err := extract(ctx, f, st.Size(), pages)
	if err != nil {
		return err
	}
	return writeAtomic(outPath, out)
}

// writeAtomic writes data to path through a synced temporary file in the
// same directory, renamed over path.
func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".pdfcopy-*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	done = true
	syncDir(filepath.Dir(path))
	return nil
}

// syncDir makes a rename durable where the system allows it.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

func init() {
	// pdfcpu would otherwise create and read a configuration directory
	// (os.UserConfigDir()/pdfcpu) on first use: a library writing into
	// the user's profile, and a configuration the user could change under
	// us. Set once, before any goroutine of ours uses pdfcpu.
	model.ConfigPath = "disable"
}

// extract does ExtractPages' work into memory. pdfcpu runs on its own
// goroutine: it reads with ctx (pdfcpu.ReadWithContext stops when ctx
// ends) but validates, copies and writes without one, so extract returns
// the context's error as soon as ctx ends and leaves that goroutine to
// finish on its own; its result is dropped. Its panics on hostile input
// become ErrMalformed.
func extract(ctx context.Context, r io.ReaderAt, size int64, pages []int) ([]byte, error) {
	if err := checkPages(pages, 0); err != nil {
		return nil, err
	}
	if size > MaxInputSize {
		return nil, ErrTooLarge
	}
	ctx, cancel := context.WithTimeout(ctx, DefaultTimeout)
	defer cancel()
	type result struct {
		out []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		var res result
		defer func() {
			if p := recover(); p != nil {
				res = result{err: fmt.Errorf("%w: pdfcpu: %v", ErrMalformed, p)}
			}
			done <- res
		}()
		res.out, res.err = extractPDF(ctx, io.NewSectionReader(r, 0, size), pages)
	}()
	select {
	case res := <-done:
		if res.err != nil {
			return nil, res.err
		}
		return res.out, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("extract pages: %w", context.Cause(ctx))
	}
}

// extractPDF reads, validates, copies the pages, cleans and writes.
func extractPDF(ctx context.Context, rs io.ReadSeeker, pages []int) ([]byte, error) {
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationRelaxed
	conf.Cmd = model.COLLECT
	src, err := pdfcpu.ReadWithContext(ctx, rs, conf)
	switch {
	case err != nil && ctx.Err() != nil:
		return nil, fmt.Errorf("extract pages: %w", context.Cause(ctx))
	case errors.Is(err, pdfcpu.ErrWrongPassword):
		return nil, ErrEncrypted
	case err != nil:
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	case src.Encrypt != nil || src.E != nil:
		return nil, ErrEncrypted
	}
	if err := validate.XRefTable(src); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if err := checkPages(pages, src.PageCount); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("extract pages: %w", context.Cause(ctx))
	}
	dst, err := pdfcpu.ExtractPages(src, pages, false)
	if err != nil {
		return nil, fmt.Errorf("%w: extract pages: %v", ErrMalformed, err)
	}
	// pdfcpu counts the pages in the destination's page tree, not in
	// PageCount, which clean's page walk needs.
	n, err := pageTreeCount(dst)
	if err != nil || n != len(pages) {
		return nil, fmt.Errorf("%w: %d pages extracted, %d asked (%v)", ErrMalformed, n, len(pages), err)
	}
	dst.PageCount = n
	if err := clean(dst); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	var buf bytes.Buffer
	if err := api.WriteContext(dst, &buf); err != nil {
		return nil, fmt.Errorf("%w: write: %v", ErrMalformed, err)
	}
	return buf.Bytes(), nil
}

// pageTreeCount is the /Count of ctx's page tree root.
func pageTreeCount(ctx *model.Context) (int, error) {
	ref, err := ctx.Pages()
	if err != nil || ref == nil {
		return 0, fmt.Errorf("page tree: %v", err)
	}
	d, err := ctx.DereferenceDict(*ref)
	if err != nil || d == nil {
		return 0, fmt.Errorf("page tree: %v", err)
	}
	c := d.IntEntry("Count")
	if c == nil {
		return 0, errors.New("page tree: no /Count")
	}
	return *c, nil
}

// Catalog entries a copy never carries: the original's permissions
// (/Perms: DocMDP, UR3), its validation material, its legal attestation.
var droppedCatalogKeys = []string{"Perms", "DSS", "Legal"}

// clean removes from the extracted document what made the original
// signed: signature fields leave the AcroForm (which goes when nothing is
// left in it), their widgets become plain stamp annotations with the same
// appearance (the page looks as it did; no viewer sees a signature), and
// the catalog loses /Perms, /DSS and /Legal.
func clean(ctx *model.Context) error {
	for _, k := range droppedCatalogKeys {
		delete(ctx.RootDict, k)
	}
	// The form first: unsign below removes the /FT that tells a
	// signature field.
	cleanForm(ctx)
	for n := 1; n <= ctx.PageCount; n++ {
		page, _, _, err := ctx.PageDict(n, false)
		if err != nil {
			return fmt.Errorf("page %d: %w", n, err)
		}
		if page == nil {
			return fmt.Errorf("page %d: missing", n)
		}
		annots, err := ctx.DereferenceArray(page["Annots"])
		if err != nil {
			return fmt.Errorf("page %d annotations: %w", n, err)
		}
		for _, a := range annots {
			d, err := ctx.DereferenceDict(a)
			if err != nil || d == nil {
				continue
			}
			if isSignatureWidget(ctx, d) {
				unsign(d)
			}
		}
	}
	return nil
}

// fieldType is the /FT of a field or widget, inherited from its parents
// (ISO 32000-1 12.7.3.1); the walk stops after a bounded number of
// parents, so a cycle cannot hold it.
func fieldType(ctx *model.Context, d types.Dict) string {
	for range 32 {
		if d == nil {
			return ""
		}
		if ft, ok := d["FT"].(types.Name); ok {
			return string(ft)
		}
		p, err := ctx.DereferenceDict(d["Parent"])
		if err != nil {
			return ""
		}
		d = p
	}
	return ""
}

func isSignatureWidget(ctx *model.Context, d types.Dict) bool {
	st, _ := d["Subtype"].(types.Name)
	return st == "Widget" && fieldType(ctx, d) == "Sig"
}

// unsign turns a signature widget into a stamp annotation with the same
// rectangle and appearance, printed, read-only and locked, belonging to
// no field.
func unsign(d types.Dict) {
	for _, k := range []string{"FT", "V", "T", "TU", "TM", "Parent", "Kids", "Lock", "SV", "Ff", "DV", "AA", "A", "DA", "MK"} {
		delete(d, k)
	}
	d["Subtype"] = types.Name("Stamp")
	d["F"] = types.Integer(4 | 64 | 128) // Print, ReadOnly, Locked
}

// cleanForm drops the signature fields from the AcroForm, and the
// AcroForm when no field is left; /SigFlags goes in any case.
func cleanForm(ctx *model.Context) {
	form, err := ctx.DereferenceDict(ctx.RootDict["AcroForm"])
	if err != nil || form == nil {
		delete(ctx.RootDict, "AcroForm")
		return
	}
	delete(form, "SigFlags")
	fields, err := ctx.DereferenceArray(form["Fields"])
	if err != nil {
		delete(ctx.RootDict, "AcroForm")
		return
	}
	kept := keepFields(ctx, fields, 0)
	if len(kept) == 0 {
		delete(ctx.RootDict, "AcroForm")
		return
	}
	form["Fields"] = kept
}

// keepFields is fields without the signature fields, with the kids of
// the fields kept cleaned the same way (depth-bounded against cycles).
func keepFields(ctx *model.Context, fields types.Array, depth int) types.Array {
	var kept types.Array
	for _, f := range fields {
		d, err := ctx.DereferenceDict(f)
		if err != nil || d == nil || depth > 32 || fieldType(ctx, d) == "Sig" {
			continue
		}
		if kids, err := ctx.DereferenceArray(d["Kids"]); err == nil && len(kids) > 0 {
			d["Kids"] = slices.Clip(keepFields(ctx, kids, depth+1))
		}
		kept = append(kept, f)
	}
	return kept
}
