package pades

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/assets"
	"github.com/vanthuso/vanthu/internal/golden"
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

// workflowPages are the unsigned pages of TestWorkflow, by the golden of
// their signed render (golden_test.go renders them without a stamp).
var workflowPages = map[string]samplepdf.Options{
	"workflow-issued":        {Title: "Quyet dinh so 05/QD-UBND"},
	"workflow-attachment":    {Title: "Phu luc kem theo"},
	"workflow-copy-rotate90": {Title: "Ban sao", Rotate: 90},
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
	main := sample(t, "main.pdf", workflowPages["workflow-issued"])
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
	att := sample(t, "att.pdf", workflowPages["workflow-attachment"])
	attOut := filepath.Join(dir, "att.signed.pdf")
	sign(t, att, attOut, withStamp(t, att, f.agencyOptions(), stamp.Options{
		Profile: stamp.Attachment, Info: stamp.Info{Number: "05/QĐ-UBND"},
	}))
	f.checkAllVerifiers(attOut, 1, true)
	assertText(t, attOut, "05/QĐ-UBND", "05/01/2026 15:30:15 +07:00")
	assertRender(t, attOut, "workflow-attachment")

	// 4. Copy, on a page displayed in landscape through /Rotate 90: the
	// stamp must still sit at the top right as the reader sees it.
	cp := sample(t, "copy.pdf", workflowPages["workflow-copy-rotate90"])
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

// assertRender renders page 1 as renderPage1 does and compares it with
// the golden PNG by matchGolden; -update rewrites the golden instead.
func assertRender(t *testing.T, path, name string) {
	t.Helper()
	got := renderPage1(t, path)
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
	res, err := matchGolden(gi, wi)
	if err != nil {
		bad := filepath.Join(os.TempDir(), name+".got.png")
		os.WriteFile(bad, got, 0o644)
		t.Errorf("%s: render differs from golden: %v (%v; got saved at %s)", name, err, res, bad)
		return
	}
	t.Logf("%s: render matches golden: %v", name, res)
}

// renderPage1 renders page 1 of path at 50 dpi with pdftoppm and returns
// the PNG.
func renderPage1(t *testing.T, path string) []byte {
	t.Helper()
	prefix := filepath.Join(t.TempDir(), "page")
	if out, err := exec.Command("pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", "-singlefile", path, prefix).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	got, err := os.ReadFile(prefix + ".png")
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// matchGolden is the golden rule of this package: internal/golden's
// comparison, which looks at the ink (the pixels off the golden's
// background) besides the mean difference over the page. A mean alone
// lets a blank page pass for a mostly white page with a little text and a
// stamp; the ink rules do not: the render must have about as much ink as
// the golden (10%) and at most 5% of the ink of either may be far off.
// A nil error means got passes for want.
func matchGolden(got, want image.Image) (golden.Result, error) {
	res, err := golden.Compare(got, want)
	if err != nil {
		return res, err
	}
	return res, res.Err()
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
