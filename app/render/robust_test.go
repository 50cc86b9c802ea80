package render

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/internal/fuzzguard"
	"github.com/vanthuso/vanthu/internal/pdftools"
	"github.com/vanthuso/vanthu/internal/samplepdf"
)

// hangLimit is how long one open or render of a hostile file may take in
// these tests before it counts as a hang (the engine's own watchdog is
// at 30 s; this is far above what any of these files needs).
const hangLimit = 60 * time.Second

// exercise opens path and renders up to maxPages pages at a small width.
// It returns the open error (nil when the document opened); render errors
// are returned too, hangs fail the test.
func exercise(t *testing.T, e *Engine, path string, maxPages int) (openErr error, renderErrs []error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), hangLimit)
	defer cancel()
	d, err := e.OpenContext(ctx, path)
	if errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("%s: open hangs", filepath.Base(path))
	}
	if err != nil {
		return err, nil
	}
	defer d.Close()
	if d.NumPages() < 1 {
		t.Errorf("%s: opened with %d pages", filepath.Base(path), d.NumPages())
	}
	for i := 0; i < min(d.NumPages(), maxPages); i++ {
		w, h := d.PageSize(i)
		if !(w >= 1 && h >= 1) {
			t.Errorf("%s page %d: size %v×%v", filepath.Base(path), i, w, h)
		}
		img, err := d.Render(ctx, i, 300)
		if errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("%s page %d: render hangs", filepath.Base(path), i)
		}
		if err != nil {
			renderErrs = append(renderErrs, err)
			continue
		}
		if img.Bounds().Dx() != 300 {
			t.Errorf("%s page %d: width %d", filepath.Base(path), i, img.Bounds().Dx())
		}
	}
	return nil, renderErrs
}

// TestCorpus opens every PDF of the shared corpus (signed files from DSS,
// the shadow-attack demonstrations, Vietnamese government documents) and
// renders its first pages: each opens or returns an error, none panics
// or hangs. Nearly all of them are valid PDFs, so most must open.
func TestCorpus(t *testing.T) {
	files, err := pdftools.CorpusPDFs("dss", "rub", "vn")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 50 {
		t.Fatalf("only %d corpus files", len(files))
	}
	e := shared(t)
	opened := 0
	for _, f := range files {
		openErr, renderErrs := exercise(t, e, f, 3)
		name, _ := filepath.Rel(filepath.Dir(filepath.Dir(f)), f)
		switch {
		case openErr != nil:
			t.Logf("%s: %v", name, openErr)
			if !errors.Is(openErr, ErrInvalid) && !errors.Is(openErr, ErrEncrypted) {
				t.Errorf("%s: open error %v wraps no sentinel", name, openErr)
			}
		default:
			opened++
			for _, err := range renderErrs {
				t.Logf("%s: %v", name, err)
			}
		}
	}
	t.Logf("%d of %d corpus files opened", opened, len(files))
	if opened < len(files)*9/10 {
		t.Errorf("only %d of %d corpus files opened", opened, len(files))
	}
}

// TestDamagedFiles: truncated, garbage and mutated files open (PDFium
// repairs what it can) or fail with ErrInvalid; none panics or hangs.
func TestDamagedFiles(t *testing.T) {
	e := shared(t)
	dir := t.TempDir()
	good := sample(t, "good.pdf", samplepdf.Options{Pages: 4, Fields: true, Size: 200 << 10})
	goodXS := sample(t, "goodxs.pdf", samplepdf.Options{Pages: 3, XRefStream: true})
	vn, _ := pdftools.CorpusPDFs("vn")
	sources := []string{good, goodXS}
	if len(vn) > 0 {
		sources = append(sources, vn[0])
	}
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	rng := rand.New(rand.NewPCG(1, 2))
	random := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return b
	}
	var cases []string
	for si, src := range sources {
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		for _, frac := range []float64{0.01, 0.1, 0.5, 0.9, 0.999} {
			cases = append(cases, write(fmt.Sprintf("trunc%d-%g.pdf", si, frac), data[:int(float64(len(data))*frac)]))
		}
		cases = append(cases, write(fmt.Sprintf("trunc%d-eof.pdf", si), data[:len(data)-8]))
		// Random byte flips and overwritten runs.
		for k := 0; k < 12; k++ {
			m := append([]byte(nil), data...)
			for n := 0; n < 1+k*3; n++ {
				at := rng.IntN(len(m))
				run := min(1+rng.IntN(64), len(m)-at)
				copy(m[at:at+run], random(run))
			}
			cases = append(cases, write(fmt.Sprintf("mut%d-%d.pdf", si, k), m))
		}
	}
	garbage := map[string][]byte{
		"random.pdf":        random(64 << 10),
		"zeros.pdf":         make([]byte, 100<<10),
		"header-only.pdf":   []byte("%PDF-1.7\n"),
		"header-random.pdf": append([]byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"), random(32<<10)...),
		"text.pdf":          []byte(strings.Repeat("this is not a pdf\n", 1000)),
		"xref-loop.pdf":     []byte("%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 1 0 R >>\nendobj\nxref\n0 2\n0000000000 65535 f\r\n0000000009 00000 n\r\ntrailer\n<< /Size 2 /Root 1 0 R /Prev 50 >>\nstartxref\n50\n%%EOF\n"),
	}
	notPDF := map[string]bool{"random.pdf": true, "zeros.pdf": true, "header-only.pdf": true, "text.pdf": true}
	for name, b := range garbage {
		p := write(name, b)
		if !notPDF[name] {
			cases = append(cases, p)
			continue
		}
		openErr, _ := exercise(t, e, p, 2)
		if !errors.Is(openErr, ErrInvalid) {
			t.Errorf("%s: open error %v, want ErrInvalid", name, openErr)
		}
	}
	opened := 0
	for _, p := range cases {
		t0 := time.Now()
		openErr, _ := exercise(t, e, p, 4)
		if dt := time.Since(t0); dt > 100*time.Millisecond {
			t.Logf("%s: %v", filepath.Base(p), dt)
		}
		if openErr == nil {
			opened++
		} else if !errors.Is(openErr, ErrInvalid) {
			t.Errorf("%s: open error %v, want ErrInvalid", filepath.Base(p), openErr)
		}
	}
	t.Logf("%d of %d damaged files opened (PDFium repairs), the rest failed with ErrInvalid", opened, len(cases))
	// The engine is still healthy.
	d := open(t, e, good)
	if dark(render(t, d, 0, 600), render(t, d, 0, 600).Bounds()) == 0 {
		t.Error("healthy document renders blank after the damaged ones")
	}
}

// TestEncrypted: a document with a user password fails with ErrEncrypted;
// one encrypted with an empty user password (DSS's encrypted.pdf) opens
// and renders like any other.
func TestEncrypted(t *testing.T) {
	e := shared(t)
	plain := sample(t, "plain.pdf", samplepdf.Options{Pages: 2})
	for _, bits := range []string{"128", "256"} {
		locked := filepath.Join(t.TempDir(), "locked"+bits+".pdf")
		aes := []string{"--use-aes=y"}
		if bits == "256" {
			aes = nil // always AES
		}
		args := append(append([]string{"--encrypt", "user-pw", "owner-pw", bits}, aes...), "--", plain, locked)
		out, err := exec.Command("qpdf", args...).CombinedOutput()
		if err != nil {
			t.Fatalf("qpdf --encrypt: %v\n%s", err, out)
		}
		if _, err := e.Open(locked); !errors.Is(err, ErrEncrypted) {
			t.Errorf("AES-%s with a user password: %v, want ErrEncrypted", bits, err)
		} else {
			t.Logf("AES-%s: %v", bits, err)
		}
		// Only an owner password (empty user password): opens.
		ownerOnly := filepath.Join(t.TempDir(), "owner"+bits+".pdf")
		args = append(append([]string{"--encrypt", "", "owner-pw", bits}, aes...), "--", plain, ownerOnly)
		if out, err := exec.Command("qpdf", args...).CombinedOutput(); err != nil {
			t.Fatalf("qpdf --encrypt: %v\n%s", err, out)
		}
		d := open(t, e, ownerOnly)
		if img := render(t, d, 1, 400); dark(img, img.Bounds()) == 0 {
			t.Errorf("AES-%s owner-password-only document renders blank", bits)
		}
	}
	dss, err := pdftools.CorpusPDFs("dss")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range dss {
		if filepath.Base(f) == "encrypted.pdf" {
			d := open(t, e, f)
			if img := render(t, d, 0, 400); dark(img, img.Bounds()) == 0 {
				t.Error("dss/encrypted.pdf renders blank")
			}
		}
	}
}

// FuzzOpen opens arbitrary bytes as a PDF and renders the first page (make
// fuzz runs it): any error is fine as long as opening fails with one of
// the package's sentinels; panics and hangs are not.
func FuzzOpen(f *testing.F) {
	for _, o := range []samplepdf.Options{{}, {Fields: true, Pages: 2}, {XRefStream: true, Rotate: 90}, {Size: 20 << 10}} {
		var b bytes.Buffer
		if err := samplepdf.Write(&b, o); err != nil {
			f.Fatal(err)
		}
		f.Add(b.Bytes())
	}
	f.Add([]byte("%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"))
	e := newEngine(f, Config{Workers: 1, RenderTimeout: 5 * time.Second})
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		// Open and Render each stop PDFium after RenderTimeout (5 s) and
		// restart it: Limit allows for both and the restart.
		defer fuzzguard.Watch(t, fuzzguard.Limit, data)()
		tmp, err := os.CreateTemp(dir, "in-*.pdf")
		if err != nil {
			t.Fatal(err)
		}
		defer os.Remove(tmp.Name())
		if _, err := tmp.Write(data); err != nil {
			t.Fatal(err)
		}
		tmp.Close()
		d, err := e.Open(tmp.Name())
		if err != nil {
			if !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrEncrypted) && !errors.Is(err, ErrTimeout) {
				t.Fatalf("open error without a sentinel: %v", err)
			}
			return
		}
		defer d.Close()
		if d.NumPages() < 1 {
			t.Fatalf("opened with %d pages", d.NumPages())
		}
		if img, err := d.Render(context.Background(), 0, 200); err == nil && img.Bounds().Dx() != 200 {
			t.Fatalf("width %d", img.Bounds().Dx())
		}
	})
}
