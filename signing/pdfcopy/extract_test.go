package pdfcopy

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"

	"github.com/vanthuso/vanthu/internal/samplepdf"
)

func sampleBytes(t testing.TB, o samplepdf.Options) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := samplepdf.Write(&b, o); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Hostile or broken sources: each a clear error, no output file, no
// temporary file left.
func TestExtractPagesFileRefuses(t *testing.T) {
	dir := t.TempDir()
	good := sampleBytes(t, samplepdf.Options{Pages: 3, Title: "Mau"})
	enc := filepath.Join(dir, "enc.pdf")
	plain := filepath.Join(dir, "plain.pdf")
	if err := os.WriteFile(plain, good, 0o644); err != nil {
		t.Fatal(err)
	}
	// Encrypted with an empty user password: readable by anyone, still
	// refused (a copy of a protected document is not ours to unprotect).
	if out, err := exec.Command("qpdf", "--encrypt", "", "owner", "256", "--", plain, enc).CombinedOutput(); err != nil {
		t.Fatalf("qpdf --encrypt: %v\n%s", err, out)
	}
	encUser := filepath.Join(dir, "encuser.pdf")
	if out, err := exec.Command("qpdf", "--encrypt", "user", "owner", "256", "--", plain, encUser).CombinedOutput(); err != nil {
		t.Fatalf("qpdf --encrypt: %v\n%s", err, out)
	}
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	truncated := write("truncated.pdf", good[:len(good)/2])
	garbage := write("garbage.pdf", bytes.Repeat([]byte("%PDF-1.7 not really\n"), 50))
	empty := write("empty.pdf", nil)
	keep := []string{"plain.pdf", "enc.pdf", "encuser.pdf", "truncated.pdf", "garbage.pdf", "empty.pdf"}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name string
		ctx  context.Context
		in   string
		want error
	}{
		{"encrypted, empty user password", context.Background(), enc, ErrEncrypted},
		{"encrypted with a password", context.Background(), encUser, ErrEncrypted},
		{"truncated", context.Background(), truncated, ErrMalformed},
		{"garbage", context.Background(), garbage, ErrMalformed},
		{"empty", context.Background(), empty, ErrMalformed},
		{"cancelled", cancelled, plain, context.Canceled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(dir, "out.pdf")
			err := ExtractPagesFile(tc.ctx, tc.in, []int{1}, out)
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			if vi, en := Message(err); strings.HasPrefix(vi, "Không tạo được") || en == "" {
				t.Errorf("no sentence for %v: %q", err, vi)
			}
			noStrayFiles(t, dir, keep...)
		})
	}
	// A truncated file whose cross-reference table pdfcpu rebuilds is
	// fine as long as it says so; but an existing output is never
	// damaged by a failed extraction.
	out := write("existing.pdf", []byte("keep me"))
	if err := ExtractPagesFile(context.Background(), garbage, []int{1}, out); err == nil {
		t.Fatal("garbage extracted")
	}
	if b, _ := os.ReadFile(out); string(b) != "keep me" {
		t.Errorf("the existing output changed: %q", b)
	}
	if err := ExtractPagesFile(context.Background(), plain, []int{1}, out); err != nil {
		t.Fatal(err)
	}
	noStrayFiles(t, dir, append(keep, "existing.pdf")...)
}

// ExtractPages keeps the order given and nothing else.
func TestExtractPagesOrder(t *testing.T) {
	src := sampleBytes(t, samplepdf.Options{Pages: 5, Title: "Thu tu"})
	var out bytes.Buffer
	if err := ExtractPages(context.Background(), bytes.NewReader(src), int64(len(src)), []int{5, 1, 3}, &out); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "out.pdf")
	if err := os.WriteFile(p, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"trang 5/5", "trang 1/5", "trang 3/5"} {
		if got := pageText(t, p, i+1); !strings.Contains(got, want) {
			t.Errorf("page %d: %q, want %q", i+1, got, want)
		}
	}
	if n := pageCount(t, p); n != 3 {
		t.Errorf("%d pages", n)
	}
	// Nothing is written when the list is refused.
	var none bytes.Buffer
	if err := ExtractPages(context.Background(), bytes.NewReader(src), int64(len(src)), []int{6}, &none); !errors.Is(err, ErrPageRange) || none.Len() > 0 {
		t.Errorf("page 6 of 5: %v, %d bytes written", err, none.Len())
	}
	if err := ExtractPages(context.Background(), bytes.NewReader(src), MaxInputSize+1, []int{1}, &none); !errors.Is(err, ErrTooLarge) {
		t.Errorf("too large: %v", err)
	}
}

func TestParsePages(t *testing.T) {
	for in, want := range map[string][]int{
		"2":         {2},
		"1,3-4":     {1, 3, 4},
		" 5-7, 9 ":  {5, 6, 7, 9},
		"4,2":       {4, 2},
		"10-10":     {10},
		"3 - 4 , 1": {3, 4, 1},
	} {
		got, err := ParsePages(in)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("ParsePages(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for in, want := range map[string]error{
		"":                     ErrNoPages,
		"  ":                   ErrNoPages,
		"0":                    ErrPageRange,
		"-1":                   ErrBadPageList,
		"2,x":                  ErrBadPageList,
		"4-2":                  ErrBadPageList,
		"1,,2":                 ErrBadPageList,
		"1-3,2":                ErrDuplicatePage,
		"1-2001":               ErrTooManyPages,
		"1-1000000000000":      ErrTooManyPages,
		"1-2000,3000":          ErrTooManyPages,
		"99999999999999999999": ErrBadPageList,
	} {
		if _, err := ParsePages(in); !errors.Is(err, want) {
			t.Errorf("ParsePages(%q): %v, want %v", in, err, want)
		}
	}
}

func TestParseForm(t *testing.T) {
	for in, want := range map[string]Form{
		"sao-y": SaoY, "SAO Y": SaoY, "sao y": SaoY,
		"sao-luc": SaoLuc, "SAO LỤC": SaoLuc, "Sao lục": SaoLuc, "sao_luc": SaoLuc,
		"trich-sao": TrichSao, "TRÍCH SAO": TrichSao, "Trích sao": TrichSao,
		"Tri\u0301ch sao": TrichSao, // decomposed
	} {
		if got, err := ParseForm(in); err != nil || got != want {
			t.Errorf("ParseForm(%q) = %q, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "sao", "bản sao", "sao-y-luc", "photocopy"} {
		if _, err := ParseForm(in); !errors.Is(err, ErrBadForm) {
			t.Errorf("ParseForm(%q): %v", in, err)
		}
	}
}

// outputPages is pdfcpu's page count of an extraction's output, read
// back as an independent check (nil error only for a readable PDF).
func outputPages(data []byte) (int, error) {
	conf := model.NewDefaultConfiguration()
	ctx, err := pdfcpu.Read(bytes.NewReader(data), conf)
	if err != nil {
		return 0, err
	}
	return pageTreeCount(ctx)
}
