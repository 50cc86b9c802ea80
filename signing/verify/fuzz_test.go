package verify

import (
	"context"
	"os"
	"path/filepath"
	"runtime/pprof"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/internal/pdftools"
)

// FuzzVerify feeds arbitrary bytes to VerifyFile: it must neither panic nor
// hang. Seeds are the small signed corpus files (shadow attacks included).
func FuzzVerify(f *testing.F) {
	files, err := pdftools.CorpusPDFs("rub", "dss")
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range files {
		if st, err := os.Stat(p); err == nil && st.Size() < 100<<10 {
			b, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Add([]byte("%PDF-1.7\n"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 1<<20 {
			return
		}
		path := filepath.Join(dir, "in.pdf")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		// Go's fuzzer has no per-input timeout: a hang would only end the
		// run with "context deadline exceeded" and no input. Keep the input
		// and the goroutines' stacks, then stop.
		tm := time.AfterFunc(8*time.Second, func() {
			keep := filepath.Join(os.TempDir(), "vanthu-verify-hang.pdf")
			os.WriteFile(keep, b, 0o600)
			os.Stderr.WriteString("FuzzVerify: VerifyFile hangs on the input kept in " + keep + "\n")
			pprof.Lookup("goroutine").WriteTo(os.Stderr, 2)
			os.Exit(3)
		})
		defer tm.Stop()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		rep, err := VerifyFile(ctx, path, Options{})
		if err != nil {
			if ctx.Err() != nil {
				t.Fatalf("verification did not finish in time: %v", err)
			}
			t.Fatal(err)
		}
		switch rep.Verdict {
		case Valid, Invalid, Indeterminate:
		default:
			t.Fatalf("verdict %q", rep.Verdict)
		}
		for _, s := range rep.Signatures {
			if s.Verdict == Valid && (s.Integrity != IntegrityOK || s.ModifiedAfterSigning) {
				t.Fatalf("valid signature with integrity %s modified %v", s.Integrity, s.ModifiedAfterSigning)
			}
		}
	})
}
