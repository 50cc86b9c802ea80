package verify

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/internal/fuzzguard"
	"github.com/vanthuso/vanthu/internal/pdftools"
	"github.com/vanthuso/vanthu/internal/samplepdf"
	"github.com/vanthuso/vanthu/signing/pdf"
)

// FuzzVerify feeds arbitrary bytes to VerifyFile, with the test PKI's root
// as trust anchor so that "valid" can happen: it must neither panic nor
// hang, and a valid signature must be intact, cover a whole revision, be
// unmodified and chain to the anchor. Seeds are the small signed corpus
// files (shadow attacks included) and two documents signed by our writer,
// whose mutations the fuzzer explores.
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
	fx := newSignerFixture(f, false)
	for _, so := range []samplepdf.Options{{Pages: 1}, {Pages: 2, Fields: true, XRefStream: true}} {
		b, err := os.ReadFile(signSample(f, fx.leaderOptions(), so))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("%PDF-1.7\n"))
	opts := fx.trust()
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 1<<20 {
			return
		}
		defer fuzzguard.Watch(t, fuzzguard.Limit, b)()
		path := filepath.Join(dir, "in.pdf")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		rep, err := VerifyFile(ctx, path, opts)
		if err != nil {
			if ctx.Err() != nil {
				t.Fatalf("verification did not finish in time: %v", err)
			}
			t.Fatal(err)
		}
		checkInvariants(t, rep)
	})
}

// checkInvariants are what every report must satisfy, whatever the input.
func checkInvariants(t *testing.T, rep *Report) {
	t.Helper()
	switch rep.Verdict {
	case Valid, Invalid, Indeterminate:
	default:
		t.Fatalf("verdict %q", rep.Verdict)
	}
	for _, s := range rep.Signatures {
		if s.Verdict == Valid && (s.Integrity != IntegrityOK || s.ModifiedAfterSigning || s.Coverage != CoverageWholeRevision || s.Trust != TrustTrusted) {
			t.Fatalf("valid signature with integrity %s, coverage %s, modified %v, trust %s", s.Integrity, s.Coverage, s.ModifiedAfterSigning, s.Trust)
		}
		if s.Verdict == Valid && rep.Verdict != Valid && rep.Verdict != Invalid && rep.Verdict != Indeterminate {
			t.Fatalf("document verdict %q", rep.Verdict)
		}
		if s.Verdict != Valid && len(s.Reasons) == 0 {
			t.Fatalf("%s signature without a reason", s.Verdict)
		}
	}
}

// FuzzForgery drives the attacker's generator of forgery_test.go: the
// fuzzer picks an honest file, what to change on page 1, where to hide it
// and which object; every forgery must be caught, every honest update must
// be accepted.
func FuzzForgery(f *testing.F) {
	fx := newSignerFixture(f, true)
	k := newForgeKit(f, fx)
	var bases []honestBase
	for _, hb := range honestCorpus(f) {
		if len(hb.data) < 300<<10 {
			bases = append(bases, hb)
		}
	}
	if len(bases) == 0 {
		f.Fatal("no small honest corpus file")
	}
	for i := range bases {
		for ch := changeNone; ch < numChanges; ch++ {
			f.Add(uint8(i), uint8(ch), uint8((i+int(ch))%int(numHides)), uint16(i))
		}
	}
	f.Fuzz(func(t *testing.T, file, change, hide uint8, pick uint16) {
		defer fuzzguard.Watch(t, fuzzguard.Limit, file, change, hide, pick)()
		hb := bases[int(file)%len(bases)]
		ch := forgeChange(int(change) % int(numChanges))
		h := forgeHide(int(hide) % int(numHides))
		fg, ok := forge(t, k, hb, ch, h, int(pick))
		if !ok {
			return
		}
		checkForgery(t, hb, fg)
		rep, err := verifyReader(context.Background(), bytes.NewReader(fg.data), int64(len(fg.data)), fx.trust())
		if err != nil {
			t.Fatal(err)
		}
		checkInvariants(t, rep)
		if fg.target != (pdf.Ref{}) && rep.Verdict == Valid {
			t.Fatalf("%s: a forgery verifies as valid", fg.name)
		}
	})
}
