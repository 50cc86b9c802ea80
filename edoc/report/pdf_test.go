package report

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/internal/golden"
	"github.com/vanthuso/vanthu/internal/pdftools"
)

var update = flag.Bool("update", false, "rewrite the golden images in testdata/golden")

// hostile is a subject a hostile sender may write: XML's special
// characters, a CDATA end, control characters, invalid UTF-8, a
// non-character, a line feed and a tab, and 500 characters in all.
var hostile = func() string {
	s := "Về việc <script>&amp; ]]> \x00\x01\x1b\x7f \xff \uFFFF tab\tline\nend " + longText(500)
	return string([]rune(s)[:500])
}()

// testRegister is a register of n generated entries whose fifth has the
// hostile subject (if n ≥ 5).
func testRegister(kind edoc.RegisterKind, n int) Register {
	r := Register{
		Kind: kind, Superior: "ỦY BAN NHÂN DÂN TỈNH NGHỆ AN", Agency: "SỞ TÀI CHÍNH", Year: 2026,
		Entries:   genEntries(kind, 2026, n, 7),
		PrintedAt: time.Date(2026, 12, 3, 1, 30, 0, 0, time.UTC),
	}
	if n >= 5 {
		r.Entries[4].Subject = hostile
	}
	return r
}

func writePDFFile(t *testing.T, r Register) string {
	t.Helper()
	var b bytes.Buffer
	if err := WritePDF(&b, r); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "register.pdf")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("%s %v: %v\n%s", name, args, err, ee.Stderr)
		}
		t.Fatalf("%s %v: %v", name, args, err)
	}
	return string(out)
}

// flat is s NFC-normalised with its white space runs made one space.
func flat(s string) string { return strings.Join(strings.Fields(norm.NFC.String(s)), " ") }

// TestWritePDFText reads a register of 120 entries back with poppler's
// pdftotext, one column at a time (the page cropped to the column): each
// column holds its Vietnamese header on every page and every row's cell,
// in the register's order, with its diacritics: so every row's số and
// subject are there, the hostile subject cleaned. qpdf and mutool accept
// the file; its pages are A4 landscape.
func TestWritePDFText(t *testing.T) {
	t.Parallel()
	for _, kind := range []edoc.RegisterKind{edoc.RegisterIncoming, edoc.RegisterOutgoing} {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			r := testRegister(kind, 120)
			path := writePDFFile(t, r)
			if err := pdftools.QpdfCheck(path); err != nil {
				t.Error(err)
			}
			if err := pdftools.MutoolDraw(path); err != nil {
				t.Error(err)
			}
			if out, err := exec.Command("mutool", "clean", path, filepath.Join(t.TempDir(), "clean.pdf")).CombinedOutput(); err != nil || len(out) > 0 {
				t.Errorf("mutool clean: %v\n%s", err, out)
			}
			info := run(t, "pdfinfo", path)
			if !strings.Contains(info, "Page size:       841.89 x 595.28 pts (A4)") {
				t.Errorf("pdfinfo: not A4 landscape:\n%s", info)
			}
			pages := strings.Count(run(t, "pdftotext", "-layout", path, "-"), "\f")
			if pages < 4 {
				t.Fatalf("%d pages for 120 entries", pages)
			}
			whole := flat(run(t, "pdftotext", "-layout", path, "-"))
			for _, want := range []string{r.Title(), "Năm 2026", "Từ số 01 đến số 120", "ỦY BAN NHÂN DÂN TỈNH NGHỆ AN", "SỞ TÀI CHÍNH", fmt.Sprintf("Trang %d/%d", pages, pages), "In lúc 08:30 ngày 03/12/2026"} {
				if !strings.Contains(whole, want) {
					t.Errorf("the text lacks %q", want)
				}
			}

			tab, err := tableOf(r)
			if err != nil {
				t.Fatal(err)
			}
			var total float64
			for _, c := range tab.cols {
				total += c.width
			}
			x := (pageW - total) / 2
			for i, c := range tab.cols {
				text := flat(run(t, "pdftotext", "-layout", "-r", "72", "-x", fmt.Sprint(int(x+1)), "-y", "0", "-W", fmt.Sprint(int(c.width-2)), "-H", "560", path, "-"))
				x += c.width
				if n := strings.Count(text, flat(c.header)+" ("+fmt.Sprint(i+1)+")"); n != pages {
					t.Errorf("column %d: header %q on %d pages of %d", i+1, c.header, n, pages)
				}
				at := 0
				for k, e := range r.Entries {
					// The font has no U+FFFD: the PDF shows '?'.
					want := flat(strings.ReplaceAll(c.cellOf(e).text, "\uFFFD", "?"))
					if want == "" {
						continue
					}
					j := strings.Index(text[at:], want)
					if j < 0 {
						t.Errorf("column %d (%s), entry %d: %q missing or out of order", i+1, c.header, k+1, want)
						break
					}
					at += j + len(want)
				}
			}
		})
	}
}

// TestWritePDFGolden compares page 1 of the incoming register, rendered
// by pdftoppm at 50 dpi, with testdata/golden/incoming-page1.png (go test
// -update rewrites it), and shows that the comparison refuses a blank
// page, the page with the subject or the author column left empty and the
// outgoing register's page. internal/golden's rule looks at the whole
// page, where a narrow column is a few percent of the ink: matchColumns
// applies it to each column's strip too.
func TestWritePDFGolden(t *testing.T) {
	t.Parallel()
	render := func(r Register) *image.RGBA {
		path := writePDFFile(t, r)
		prefix := filepath.Join(t.TempDir(), "page")
		run(t, "pdftoppm", "-r", "50", "-f", "1", "-l", "1", "-singlefile", "-png", path, prefix)
		return readPNG(t, prefix+".png")
	}
	got := render(testRegister(edoc.RegisterIncoming, 30))
	path := filepath.Join("testdata", "golden", "incoming-page1.png")
	if *update {
		var b bytes.Buffer
		if err := png.Encode(&b, got); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want := readPNG(t, path)
	if err := matchColumns(got, want); err != nil {
		t.Errorf("page 1 differs from %s: %v", path, err)
	}

	blank := image.NewRGBA(want.Bounds())
	draw.Draw(blank, blank.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	noSubject := testRegister(edoc.RegisterIncoming, 30)
	for i := range noSubject.Entries {
		noSubject.Entries[i].Subject, noSubject.Entries[i].TypeName = "", ""
	}
	noAuthor := testRegister(edoc.RegisterIncoming, 30)
	for i := range noAuthor.Entries {
		noAuthor.Entries[i].Organ.OrganName = ""
	}
	outgoing := testRegister(edoc.RegisterOutgoing, 30)
	for _, c := range []struct {
		what string
		img  *image.RGBA
	}{{"a blank page", blank}, {"the subjects left out", render(noSubject)}, {"the author column left empty", render(noAuthor)}, {"the outgoing register", render(outgoing)}} {
		err := matchColumns(c.img, want)
		if err == nil {
			t.Errorf("%s passes for the golden", c.what)
		}
		t.Logf("%s: %v", c.what, err)
	}
}

// matchColumns compares got with want by internal/golden's rule over the
// whole page and over the strip of each column of the incoming register
// (the page rendered at 50 dpi).
func matchColumns(got, want *image.RGBA) error {
	res, err := golden.Compare(got, want)
	if err == nil {
		err = res.Err()
	}
	if err != nil {
		return fmt.Errorf("page: %w (%v)", err, res)
	}
	const scale = 50.0 / 72
	x := (pageW - 770) / 2
	for i, c := range incomingColumns {
		r := image.Rect(int(x*scale)+1, 0, int((x+c.width)*scale)-1, want.Bounds().Dy())
		x += c.width
		res, err := golden.Compare(got.SubImage(r), want.SubImage(r))
		if err == nil {
			err = res.Err()
		}
		if err != nil {
			return fmt.Errorf("column %d (%s): %w (%v)", i+1, c.header, err, res)
		}
	}
	return nil
}

func readPNG(t *testing.T, path string) *image.RGBA {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -update writes the golden)", err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	out := image.NewRGBA(img.Bounds())
	draw.Draw(out, out.Bounds(), img, img.Bounds().Min, draw.Src)
	return out
}

// TestWritePDFLongRow: a cell longer than a page (a note of 6 000
// characters, one word of 300 letters among them) goes on over the next
// pages under the header, with none of its text lost.
func TestWritePDFLongRow(t *testing.T) {
	t.Parallel()
	r := testRegister(edoc.RegisterIncoming, 3)
	long := longText(6000) + " " + strings.Repeat("ư", 300)
	r.Entries[1].Subject = long
	path := writePDFFile(t, r)
	if err := pdftools.QpdfCheck(path); err != nil {
		t.Error(err)
	}
	text := run(t, "pdftotext", "-layout", path, "-")
	if pages := strings.Count(text, "\f"); pages < 3 {
		t.Errorf("%d pages: the long row did not go on", pages)
	}
	// The subject column, its lines joined without spaces (the long word
	// is cut inside), holds the whole text.
	var total float64
	for _, c := range incomingColumns[:5] {
		total += c.width
	}
	x := (pageW-770)/2 + total
	col := run(t, "pdftotext", "-layout", "-x", fmt.Sprint(int(x+1)), "-y", "0", "-W", "198", "-H", "560", path, "-")
	squash := func(s string) string { return strings.Join(strings.Fields(norm.NFC.String(s)), "") }
	// The header repeated on the pages the row goes on over is not
	// part of it.
	got := strings.ReplaceAll(squash(col), squash(incomingColumns[5].header+" (6)"), "")
	if !strings.Contains(got, squash(long)) {
		t.Errorf("the long subject is not whole in the subject column")
	}
}

// TestWriteRefusesOtherKinds: the copies register and an unknown kind
// are refused, and nothing is written.
func TestWriteRefusesOtherKinds(t *testing.T) {
	t.Parallel()
	for _, kind := range []edoc.RegisterKind{edoc.RegisterCopy, "", "bogus"} {
		r := testRegister(edoc.RegisterIncoming, 2)
		r.Kind = kind
		var b bytes.Buffer
		if err := WritePDF(&b, r); err == nil || b.Len() > 0 {
			t.Errorf("WritePDF of kind %q: %v, %d bytes", kind, err, b.Len())
		}
		if err := WriteXLSX(&b, r); err == nil || b.Len() > 0 {
			t.Errorf("WriteXLSX of kind %q: %v, %d bytes", kind, err, b.Len())
		}
	}
}

// failWriter fails after n bytes, as a full disk does.
type failWriter struct{ n int }

var errDiskFull = errors.New("disk full")

func (w *failWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		k := w.n
		w.n = 0
		return k, errDiskFull
	}
	w.n -= len(p)
	return len(p), nil
}

// TestWriteFailingWriter: a writer that fails (disk full) at any point
// gives its error back, wrapped, from every writer.
func TestWriteFailingWriter(t *testing.T) {
	t.Parallel()
	r := testRegister(edoc.RegisterOutgoing, 40)
	s := Monthly(r.Entries, nil, 2026, time.March)
	writers := map[string]func(w *failWriter) error{
		"WritePDF":       func(w *failWriter) error { return WritePDF(w, r) },
		"WriteXLSX":      func(w *failWriter) error { return WriteXLSX(w, r) },
		"WriteStatsPDF":  func(w *failWriter) error { return WriteStatsPDF(w, s, "Sở Tài chính", r.PrintedAt) },
		"WriteStatsXLSX": func(w *failWriter) error { return WriteStatsXLSX(w, s, "Sở Tài chính", r.PrintedAt) },
	}
	for name, write := range writers {
		all := &failWriter{n: 1 << 30}
		if err := write(all); err != nil {
			t.Fatal(err)
		}
		size := 1<<30 - all.n
		for _, n := range []int{0, 100, size / 2, size - 1} {
			if err := write(&failWriter{n: n}); !errors.Is(err, errDiskFull) {
				t.Errorf("%s failing after %d bytes: %v", name, n, err)
			}
		}
	}
}

// TestDeterministic: the same register gives the same bytes, printed or
// exported.
func TestDeterministic(t *testing.T) {
	t.Parallel()
	for name, write := range map[string]func(io.Writer, Register) error{"WritePDF": WritePDF, "WriteXLSX": WriteXLSX} {
		var a, b bytes.Buffer
		if err := write(&a, testRegister(edoc.RegisterIncoming, 20)); err != nil {
			t.Fatal(err)
		}
		if err := write(&b, testRegister(edoc.RegisterIncoming, 20)); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Errorf("%s: two writes of one register differ", name)
		}
	}
}

// BenchmarkWritePDF prints a register of 10 000 entries.
func BenchmarkWritePDF(b *testing.B) {
	r := testRegister(edoc.RegisterIncoming, 10000)
	var out bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		out.Reset()
		if err := WritePDF(&out, r); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(out.Len()), "bytes/pdf")
}
