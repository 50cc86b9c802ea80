package pades

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/internal/golden"

	"github.com/vanthuso/vanthu/assets"
	"github.com/vanthuso/vanthu/internal/samplepdf"
	"github.com/vanthuso/vanthu/internal/testpki"
	"github.com/vanthuso/vanthu/signing/pdf"
	"github.com/vanthuso/vanthu/signing/stamp"
	"github.com/vanthuso/vanthu/signing/token"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden renders in testdata/golden")

// A fixed signing time keeps the rendered stamps identical between runs.
var workflowTime = time.Date(2026, 1, 5, 8, 30, 15, 0, time.UTC)

// withStamp builds the appearances for o and returns signing options for
// them.
func withStamp(t *testing.T, in string, base Options, so stamp.Options) Options {
	t.Helper()
	d, err := Inspect(in)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if so.Profile == stamp.Issue && so.LeaderRect == nil {
		leader, ok := d.LastVisibleSignature()
		if !ok {
			t.Fatal("no visible leader signature to put the seal on")
		}
		r := leader.Rect
		so.LeaderRect, so.LeaderPage = &r, leader.Page
	}
	cert := base.Certificate
	so.Info.Signer = cert.Subject.CommonName
	if len(cert.Subject.Organization) > 0 {
		so.Info.Organization = cert.Subject.Organization[0]
	}
	so.Info.Time = workflowTime
	apps, err := stamp.Build(so, d.PageGeometry)
	if err != nil {
		t.Fatal(err)
	}
	base.Appearances = apps
	base.Time = workflowTime
	return base
}

// TestWorkflow is the clerk's day: the leader approves (blue signature),
// the clerk issues (red seal over a third of it, number and date), then an
// attachment and a copy get their agency signatures. Every output is valid
// and trusted in pdfsig, the stamps render where Nghị định 30 puts them
// (compared with golden renders), and the Vietnamese text reads back.
func TestWorkflow(t *testing.T) {
	f := newFixture(t, true)
	dir := t.TempDir()

	// 1. Leader: approval, visible, in the signature block at the bottom right.
	main := sample(t, "main.pdf", samplepdf.Options{Title: "Quyet dinh so 05/QD-UBND"})
	approved := filepath.Join(dir, "main.approved.pdf")
	box := pdf.Rect{LLX: 330, LLY: 300, URX: 530, URY: 400}
	sign(t, main, approved, withStamp(t, main, f.leaderOptions(), stamp.Options{
		Profile: stamp.Approval, Mode: stamp.ImageOnly, Page: 1, Rect: &box, SignatureImage: assets.DemoSignature,
	}))
	f.checkAllVerifiers(approved, 1, true)

	// 2. Clerk: issue with the agency token, B-T, seal over the leader's signature.
	issued := filepath.Join(dir, "main.issued.pdf")
	num := pdf.Rect{LLX: 72, LLY: 700, URX: 250, URY: 720}
	date := pdf.Rect{LLX: 300, LLY: 700, URX: 540, URY: 720}
	o := withStamp(t, approved, f.agencyOptions(), stamp.Options{
		Profile: stamp.Issue, SealImage: assets.DemoSeal,
		Info:       stamp.Info{Number: "05/QĐ-UBND"},
		NumberRect: &num, DateRect: &date,
		DateText: stamp.FormatVietnameseDate("Nghệ An", workflowTime),
	})
	o.Level, o.TSA = LevelT, f.tsaClient()
	sign(t, approved, issued, o)
	f.checkAllVerifiers(issued, 2, true)
	assertText(t, issued, "05/QĐ-UBND", "Nghệ An, ngày 05 tháng 01 năm 2026")
	assertRender(t, issued, "workflow-issued")

	// 3. Attachment: top right of page 1, number and time, no image.
	att := sample(t, "att.pdf", samplepdf.Options{Title: "Phu luc kem theo"})
	attOut := filepath.Join(dir, "att.signed.pdf")
	sign(t, att, attOut, withStamp(t, att, f.agencyOptions(), stamp.Options{
		Profile: stamp.Attachment, Info: stamp.Info{Number: "05/QĐ-UBND"},
	}))
	f.checkAllVerifiers(attOut, 1, true)
	assertText(t, attOut, "05/QĐ-UBND", "05/01/2026 15:30:15 +07:00")
	assertRender(t, attOut, "workflow-attachment")

	// 4. Copy, on a page displayed in landscape through /Rotate 90: the
	// stamp must still sit at the top right as the reader sees it.
	cp := sample(t, "copy.pdf", samplepdf.Options{Title: "Ban sao", Rotate: 90})
	cpOut := filepath.Join(dir, "copy.signed.pdf")
	sign(t, cp, cpOut, withStamp(t, cp, f.agencyOptions(), stamp.Options{
		Profile: stamp.Copy, Info: stamp.Info{CopyForm: "SAO Y", CopyAgency: "Văn phòng UBND tỉnh Nghệ An"},
	}))
	f.checkAllVerifiers(cpOut, 1, true)
	assertText(t, cpOut, "SAO Y", "Văn phòng UBND tỉnh Nghệ An", "+07:00")
	assertRender(t, cpOut, "workflow-copy-rotate90")
}

func assertText(t *testing.T, path string, want ...string) {
	t.Helper()
	txt, err := exec.Command("pdftotext", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	norm := bytes.Join(bytes.Fields(txt), []byte(" "))
	for _, w := range want {
		if !bytes.Contains(norm, []byte(w)) {
			t.Errorf("%s: text %q not found in:\n%s", filepath.Base(path), w, txt)
		}
	}
}

// assertRender renders page 1 at 50 dpi and compares it with the golden
// PNG by internal/golden's rules: the mean difference, and the ink (so
// that a blank page or a missing stamp does not pass).
func assertRender(t *testing.T, path, name string) {
	t.Helper()
	prefix := filepath.Join(t.TempDir(), name)
	if out, err := exec.Command("pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", "-singlefile", path, prefix).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	got, err := os.ReadFile(prefix + ".png")
	if err != nil {
		t.Fatal(err)
	}
	goldenPath := filepath.Join("testdata", "golden", name+".png")
	if *updateGolden {
		os.MkdirAll(filepath.Dir(goldenPath), 0o755)
		if err := os.WriteFile(goldenPath, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(goldenPath)
	if err != nil {
		t.Fatalf("golden render missing (run go test -run TestWorkflow -update): %v", err)
	}
	gi, err := png.Decode(bytes.NewReader(got))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	wi, err := png.Decode(bytes.NewReader(want))
	if err != nil {
		t.Fatalf("%s: golden: %v", name, err)
	}
	res, err := golden.Compare(gi, wi)
	if err == nil {
		err = res.Err()
	}
	if err != nil {
		bad := filepath.Join(os.TempDir(), name+".got.png")
		os.WriteFile(bad, got, 0o644)
		t.Errorf("%s: render differs from golden: %v (%v; got saved at %s)", name, err, res, bad)
	}
}

func imageDiff(a, b []byte) (mean, farFrac float64, err error) {
	ia, err := png.Decode(bytes.NewReader(a))
	if err != nil {
		return 0, 0, err
	}
	ib, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		return 0, 0, err
	}
	if ia.Bounds() != ib.Bounds() {
		return 0, 0, fmt.Errorf("size %v, golden %v", ia.Bounds(), ib.Bounds())
	}
	var sum float64
	var far, n int
	r := ia.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			d := pixelDiff(ia, ib, x, y)
			sum += d
			if d > 64 {
				far++
			}
			n++
		}
	}
	return sum / float64(n), float64(far) / float64(n), nil
}

func pixelDiff(a, b image.Image, x, y int) float64 {
	r1, g1, b1, _ := a.At(x, y).RGBA()
	r2, g2, b2, _ := b.At(x, y).RGBA()
	d := func(p, q uint32) float64 {
		if p > q {
			return float64(p-q) / 257
		}
		return float64(q-p) / 257
	}
	return (d(r1, r2) + d(g1, g2) + d(b1, b2)) / 3
}

// A token pulled out between login and signing: an error that says so,
// and no output file.
func TestTokenRemovedMidSigning(t *testing.T) {
	f := newFixture(t, false)
	in := sample(t, "in.pdf", samplepdf.Options{})
	out := filepath.Join(t.TempDir(), "out.pdf")
	if b, err := exec.Command("softhsm2-util", "--delete-token", "--token", testpki.AgencyToken).CombinedOutput(); err != nil {
		t.Fatalf("delete token: %v\n%s", err, b)
	}
	_, err := SignFile(context.Background(), in, out, f.agencyOptions())
	if err == nil {
		t.Fatal("signing with a removed token succeeded")
	}
	if !errors.Is(err, token.ErrTokenRemoved) {
		t.Errorf("error does not say the token is gone: %v", err)
	}
	if fileExists(out) {
		t.Error("an output file was left behind")
	}
	assertNoTemp(t, filepath.Dir(out))
}

// Every golden of this package tells a blank page from a render.
func TestGoldensRefuseBlank(t *testing.T) {
	n, err := golden.CheckRefusesBlank(filepath.Join("testdata", "golden"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d goldens refuse a blank page", n)
}
