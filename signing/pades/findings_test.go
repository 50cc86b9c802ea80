package pades

// Regression tests for each defect measured on github.com/digitorus/pdfsign
// (shared/docs/PDFSIGN-FINDINGS.md). Defect 4 (memory and time) is
// measured by `make bench`; TestSignMemoryDoesNotGrowWithFileSize below
// keeps the allocation bound. Defect 8 concerns a verifier, not a writer:
// signing/verify carries its tests.

import (
	"bytes"
	"context"
	"crypto"
	"encoding/hex"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/vanthuso/vanthu/internal/pdftools"
	"github.com/vanthuso/vanthu/internal/samplepdf"
	"github.com/vanthuso/vanthu/signing/cms"
	"github.com/vanthuso/vanthu/signing/pdf"
	"github.com/vanthuso/vanthu/signing/stamp"
)

func corpusFile(t *testing.T, rel string) string {
	t.Helper()
	dir, err := pdftools.CorpusDir()
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, rel)
	if !fileExists(p) {
		t.Fatalf("corpus file %s is missing", p)
	}
	return p
}

// Finding 1: earlier signatures from other producers must survive, on the
// files where pdfsign destroyed them, and over several rounds.
func TestFinding1EarlierSignaturesSurvive(t *testing.T) {
	f := newFixture(t, false)
	for _, rel := range []string{"dss/pdf-signed-original.pdf", "dss/pades-bes.pdf", "dss/doc-firmado.pdf", "dss/Signature-P-HU_MIC-1.pdf", "vn/vpcp_222-ttg.signed.pdf", "vn/vpcp_08-1.signed.pdf"} {
		t.Run(rel, func(t *testing.T) {
			f.t = t
			in := corpusFile(t, rel)
			before, _, err := pdftools.Pdfsig(in, "")
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			cur := in
			// Leader, clerk, leader again: three rounds on top of the original.
			for i, o := range []Options{f.leaderOptions(), f.agencyOptions(), f.leaderOptions()} {
				out := filepath.Join(dir, "round"+string(rune('1'+i))+".pdf")
				sign(t, cur, out, o)
				cur = out
			}
			after, text, err := pdftools.Pdfsig(cur, "")
			if err != nil {
				t.Fatal(err)
			}
			if len(after) != len(before)+3 {
				t.Fatalf("pdfsig sees %d signatures, want %d\n%s", len(after), len(before)+3, text)
			}
			for i, s := range after {
				if i < len(before) && before[i].Valid() != s.Valid() {
					t.Errorf("earlier signature %d changed from %q to %q", i+1, before[i].Validation, s.Validation)
				}
				if i >= len(before) && !s.Valid() {
					t.Errorf("our signature %d: %q", i+1, s.Validation)
				}
			}
		})
	}
}

// sigDict reads back the signature dictionary of field name in path.
func sigDict(t *testing.T, path, name string) pdf.Dict {
	t.Helper()
	d, err := Inspect(path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	fl, ok := d.Field(name)
	if !ok {
		t.Fatalf("field %q not found", name)
	}
	fd, err := d.Reader.ResolveDict(fl.Ref)
	if err != nil {
		t.Fatal(err)
	}
	v, err := d.Reader.ResolveDict(fd["V"])
	if err != nil || v == nil {
		t.Fatalf("field %q has no signature: %v", name, err)
	}
	return v
}

// Finding 2: Vietnamese text in /Name, /Reason, /Location is encoded as
// UTF-16BE, the file stays well-formed and the text reads back exactly.
func TestFinding2VietnameseText(t *testing.T) {
	f := newFixture(t, false)
	in := sample(t, "in.pdf", samplepdf.Options{})
	out := filepath.Join(t.TempDir(), "out.pdf")
	o := f.leaderOptions()
	o.Name = "Nguyễn Thị Hĩnh"
	o.Reason = "Phê duyệt (ký số) \\ trích yếu"
	o.Location = "Hà Nội"
	o.ContactInfo = "vanthu@nghean.gov.vn"
	res := sign(t, in, out, o)
	f.checkAllVerifiers(out, 1, true)
	v := sigDict(t, out, res.Field)
	for key, want := range map[pdf.Name]string{"Name": o.Name, "Reason": o.Reason, "Location": o.Location, "ContactInfo": o.ContactInfo} {
		s, _ := v[key].(pdf.String)
		if got := pdf.DecodeTextString(s); got != want {
			t.Errorf("/%s = %q, want %q", key, got, want)
		}
	}
}

// Finding 3: every form field survives, /DA and /DR stay, and an existing
// empty signature field is filled instead of adding another.
func TestFinding3FormFieldsKept(t *testing.T) {
	f := newFixture(t, false)
	in := sample(t, "form.pdf", samplepdf.Options{Fields: true})

	t.Run("new field", func(t *testing.T) {
		f.t = t
		out := filepath.Join(t.TempDir(), "out.pdf")
		res := sign(t, in, out, f.leaderOptions())
		d, err := Inspect(out)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		for _, name := range []string{"HoTen", "ChuKyLanhDao", res.Field} {
			if _, ok := d.Field(name); !ok {
				t.Errorf("field %q missing after signing", name)
			}
		}
		if d.acroForm["DA"] == nil || d.acroForm["DR"] == nil {
			t.Errorf("AcroForm lost /DA or /DR: %v", d.acroForm)
		}
		if fl, _ := d.Field("ChuKyLanhDao"); fl.Signed {
			t.Error("the empty signature field got signed though a new field was asked for")
		}
		f.checkAllVerifiers(out, 1, true)
	})

	t.Run("fill empty field", func(t *testing.T) {
		f.t = t
		out := filepath.Join(t.TempDir(), "out.pdf")
		o := f.leaderOptions()
		o.Field = "ChuKyLanhDao"
		res := sign(t, in, out, o)
		if res.Field != "ChuKyLanhDao" {
			t.Errorf("signed field %q", res.Field)
		}
		d, err := Inspect(out)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		if len(d.Fields) != 2 {
			t.Errorf("%d fields after filling, want 2 (HoTen, ChuKyLanhDao)", len(d.Fields))
		}
		if fl, _ := d.Field("ChuKyLanhDao"); !fl.Signed {
			t.Error("ChuKyLanhDao not signed")
		}
		sigs, text, err := pdftools.Pdfsig(out, f.nss)
		if err != nil {
			t.Fatal(err)
		}
		if len(sigs) != 1 || sigs[0].Field != "ChuKyLanhDao" || !sigs[0].Valid() || !sigs[0].Trusted() {
			t.Errorf("pdfsig:\n%s", text)
		}
		// Filling it again is refused.
		_, err = SignFile(context.Background(), out, filepath.Join(t.TempDir(), "again.pdf"), o)
		if err == nil || !strings.Contains(err.Error(), "already signed") {
			t.Errorf("re-filling a signed field: %v", err)
		}
	})
}

// Finding 5: PAdES by default: ETSI.CAdES.detached, no CMS signingTime,
// signing-certificate-v2, and an approval signature (no DocMDP) so that
// later signatures are fine.
func TestFinding5PAdESByDefault(t *testing.T) {
	f := newFixture(t, false)
	in := sample(t, "in.pdf", samplepdf.Options{})
	out := filepath.Join(t.TempDir(), "out.pdf")
	res := sign(t, in, out, f.leaderOptions())
	v := sigDict(t, out, res.Field)
	if v["SubFilter"] != pdf.Name("ETSI.CAdES.detached") {
		t.Errorf("/SubFilter %v", v["SubFilter"])
	}
	if _, ok := v["M"].(pdf.String); !ok {
		t.Error("no /M in the signature dictionary")
	}
	if _, ok := v["Reference"]; ok {
		t.Error("a certification (/Reference) was written for an approval signature")
	}
	contents, _ := v["Contents"].(pdf.String)
	sd, err := cms.Parse(trimDER(contents))
	if err != nil {
		t.Fatal(err)
	}
	si := sd.Signers[0]
	if si.SigningTime != nil {
		t.Error("PAdES CMS carries signingTime")
	}
	if len(si.SigningCertificateV2) == 0 {
		t.Error("PAdES CMS lacks signing-certificate-v2")
	}
	d, _ := Inspect(out)
	if d.DocMDP != 0 {
		t.Errorf("output is certified (DocMDP %d)", d.DocMDP)
	}
	d.Close()
	// A second signature on top stays valid, and so does the first.
	out2 := filepath.Join(t.TempDir(), "out2.pdf")
	sign(t, out, out2, f.agencyOptions())
	f.checkAllVerifiers(out2, 2, true)
}

// trimDER drops the zero padding after the DER structure.
func trimDER(b []byte) []byte {
	if len(b) < 4 || b[0] != 0x30 {
		return b
	}
	n := int(b[1])
	hdr := 2
	if n&0x80 != 0 {
		k := n & 0x7f
		n = 0
		for i := 0; i < k && 2+i < len(b); i++ {
			n = n<<8 | int(b[2+i])
		}
		hdr = 2 + k
	}
	if hdr+n <= len(b) {
		return b[:hdr+n]
	}
	return b
}

// countingSigner counts calls to the token.
type countingSigner struct {
	crypto.Signer
	calls atomic.Int32
}

func (c *countingSigner) Sign(r io.Reader, digest []byte, o crypto.SignerOpts) ([]byte, error) {
	c.calls.Add(1)
	return c.Signer.Sign(r, digest, o)
}

// Finding 6: a timestamp token larger than any fixed guess never makes the
// token sign twice: room is reserved from a measured token.
func TestFinding6TimestampSignsOnce(t *testing.T) {
	f := newFixture(t, true)
	f.tsa.SetExtraPadding(20000) // tokens of ~26 KB, far above pdfsign's 9000-byte guess
	in := sample(t, "in.pdf", samplepdf.Options{})
	out := filepath.Join(t.TempDir(), "out.pdf")
	o := f.leaderOptions()
	cs := &countingSigner{Signer: o.Signer}
	o.Signer = cs
	o.Level = LevelT
	o.TSA = f.tsaClient()
	res := sign(t, in, out, o)
	if n := cs.calls.Load(); n != 1 {
		t.Errorf("token signed %d times, want exactly 1", n)
	}
	if res.Used < 20000 {
		t.Errorf("CMS of %d bytes: the padded timestamp is missing", res.Used)
	}
	f.checkAllVerifiers(out, 1, true)
}

// Finding 7: the visible appearance shows Vietnamese text, embedded, and
// text extraction gives it back.
func TestFinding7VietnameseAppearance(t *testing.T) {
	f := newFixture(t, false)
	in := sample(t, "in.pdf", samplepdf.Options{})
	out := filepath.Join(t.TempDir(), "out.pdf")
	d, err := Inspect(in)
	if err != nil {
		t.Fatal(err)
	}
	rect := pdf.Rect{LLX: 320, LLY: 120, URX: 540, URY: 220}
	apps, err := stamp.Build(stamp.Options{
		Profile: stamp.Approval,
		Mode:    stamp.TextOnly,
		Page:    1,
		Rect:    &rect,
		Info: stamp.Info{
			Signer:       f.pki.Leader.Cert.Subject.CommonName,
			Organization: f.pki.Leader.Cert.Subject.Organization[0],
			Time:         f.pki.Leader.Cert.NotBefore,
		},
	}, d.PageGeometry)
	d.Close()
	if err != nil {
		t.Fatal(err)
	}
	o := f.leaderOptions()
	o.Appearances = apps
	sign(t, in, out, o)
	f.checkAllVerifiers(out, 1, true)
	txt, err := exec.Command("pdftotext", "-layout", out, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	for _, want := range []string{"Người ký: Nguyễn Văn An", "Cơ quan: UBND tỉnh Nghệ An (thử nghiệm)", "+07:00"} {
		if !bytes.Contains(txt, []byte(want)) {
			t.Errorf("stamp text %q not extracted; got:\n%s", want, txt)
		}
	}
	fonts, _ := exec.Command("pdffonts", out).Output()
	if !bytes.Contains(fonts, []byte("LiberationSerif")) || bytes.Contains(fonts, []byte(" no  ")) && !bytes.Contains(fonts, []byte("yes yes")) {
		t.Errorf("stamp font not embedded as a subset:\n%s", fonts)
	}
}

// Finding 4, memory: signing streams. Heap allocations while signing a
// 64 MB file stay far below the file size.
func TestSignMemoryDoesNotGrowWithFileSize(t *testing.T) {
	f := newFixture(t, false)
	in := sample(t, "big.pdf", samplepdf.Options{Pages: 4, Size: 64 << 20})
	out := filepath.Join(t.TempDir(), "out.pdf")
	o := f.leaderOptions()
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	sign(t, in, out, o)
	runtime.ReadMemStats(&after)
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("signing a 64 MB file allocated %d KiB in total", alloc>>10)
	if alloc > 16<<20 {
		t.Errorf("signing a 64 MB file allocated %d MiB: the writer is not streaming", alloc>>20)
	}
	sigs, text, err := pdftools.Pdfsig(out, "")
	if err != nil || len(sigs) != 1 || !sigs[0].Valid() {
		t.Errorf("pdfsig: %v\n%s", err, text)
	}
}

// A failure while signing leaves no output file and keeps an existing one.
func TestNoOutputOnFailure(t *testing.T) {
	f := newFixture(t, false)
	in := sample(t, "in.pdf", samplepdf.Options{})
	dir := t.TempDir()

	t.Run("signer fails", func(t *testing.T) {
		out := filepath.Join(dir, "new.pdf")
		o := f.leaderOptions()
		o.Signer = failingSigner{o.Signer}
		if _, err := SignFile(context.Background(), in, out, o); err == nil {
			t.Fatal("signing with a failing token succeeded")
		}
		if fileExists(out) {
			t.Error("an output file was left behind")
		}
		assertNoTemp(t, dir)
	})
	t.Run("existing output kept", func(t *testing.T) {
		out := filepath.Join(dir, "existing.pdf")
		os.WriteFile(out, []byte("keep me"), 0o644)
		o := f.leaderOptions()
		o.Signer = failingSigner{o.Signer}
		if _, err := SignFile(context.Background(), in, out, o); err == nil {
			t.Fatal("signing with a failing token succeeded")
		}
		if b, _ := os.ReadFile(out); string(b) != "keep me" {
			t.Error("the existing output was changed")
		}
		assertNoTemp(t, dir)
	})
	t.Run("cancelled", func(t *testing.T) {
		out := filepath.Join(dir, "cancelled.pdf")
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := SignFile(ctx, in, out, f.leaderOptions()); err == nil {
			t.Fatal("a cancelled signing succeeded")
		}
		if fileExists(out) {
			t.Error("an output file was left behind")
		}
		assertNoTemp(t, dir)
	})
}

type failingSigner struct{ crypto.Signer }

func (failingSigner) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	return nil, io.ErrUnexpectedEOF
}

func assertNoTemp(t *testing.T, dir string) {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".vanthu-sign-") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

// Documents we must refuse, with a reason and no output.
func TestRefusals(t *testing.T) {
	f := newFixture(t, false)
	cases := []struct {
		rel  string
		want error
	}{
		{"dss/encrypted.pdf", ErrEncrypted},
		{"dss/dss-2554/certified-no-change-permitted.pdf", ErrCertifiedNoChanges},
	}
	for _, c := range cases {
		t.Run(c.rel, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out.pdf")
			_, err := SignFile(context.Background(), corpusFile(t, c.rel), out, f.leaderOptions())
			if !errorsIs(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
			if fileExists(out) {
				t.Error("output written for a refused document")
			}
		})
	}
	t.Run("not a pdf", func(t *testing.T) {
		in := filepath.Join(t.TempDir(), "junk.pdf")
		os.WriteFile(in, bytes.Repeat([]byte("không phải PDF "), 100), 0o644)
		out := filepath.Join(t.TempDir(), "out.pdf")
		if _, err := SignFile(context.Background(), in, out, f.leaderOptions()); !errorsIs(err, ErrMalformed) {
			t.Fatalf("got %v, want ErrMalformed", err)
		}
		if fileExists(out) {
			t.Error("output written for junk input")
		}
	})
	t.Run("sha1", func(t *testing.T) {
		o := f.leaderOptions()
		o.Hash = crypto.SHA1
		in := sample(t, "in.pdf", samplepdf.Options{})
		if _, err := SignFile(context.Background(), in, filepath.Join(t.TempDir(), "o.pdf"), o); err == nil {
			t.Fatal("SHA-1 signature accepted")
		}
	})
	t.Run("field missing", func(t *testing.T) {
		o := f.leaderOptions()
		o.Field = "KhongCo"
		in := sample(t, "in.pdf", samplepdf.Options{})
		if _, err := SignFile(context.Background(), in, filepath.Join(t.TempDir(), "o.pdf"), o); !errorsIs(err, ErrFieldNotFound) {
			t.Fatalf("got %v", err)
		}
	})
}

func TestByteRangeCoversWholeFile(t *testing.T) {
	f := newFixture(t, false)
	in := sample(t, "in.pdf", samplepdf.Options{})
	out := filepath.Join(t.TempDir(), "out.pdf")
	res := sign(t, in, out, f.leaderOptions())
	b, _ := os.ReadFile(out)
	br := res.ByteRange
	if br[0] != 0 || br[2]+br[3] != int64(len(b)) || b[br[1]] != '<' || b[br[2]-1] != '>' {
		t.Fatalf("byte range %v does not frame /Contents in a %d-byte file", br, len(b))
	}
	if _, err := hex.DecodeString(string(b[br[1]+1 : br[2]-1])); err != nil {
		t.Errorf("/Contents is not hex: %v", err)
	}
	if !bytes.HasPrefix(b, mustRead(t, in)) {
		t.Error("the original bytes were changed")
	}
}

func mustRead(t *testing.T, p string) []byte {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
