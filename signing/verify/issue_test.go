package verify

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/assets"
	"github.com/vanthuso/vanthu/internal/samplepdf"
	"github.com/vanthuso/vanthu/signing/pades"
	"github.com/vanthuso/vanthu/signing/pdf"
	"github.com/vanthuso/vanthu/signing/stamp"
)

// withAppearances builds the stamp of so on in and returns o with it.
func withAppearances(t *testing.T, in string, o pades.Options, so stamp.Options) pades.Options {
	t.Helper()
	d, err := pades.Inspect(in)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if so.Profile == stamp.Issue {
		leader, ok := d.LastVisibleSignature()
		if !ok {
			t.Fatal("no leader signature")
		}
		r := leader.Rect
		so.LeaderRect, so.LeaderPage = &r, leader.Page
	}
	so.Info = stamp.InfoFromCertificate(o.Certificate, time.Now())
	so.Info.Number = "05/QĐ-UBND"
	apps, err := stamp.Build(so, d.PageGeometry)
	if err != nil {
		t.Fatal(err)
	}
	o.Appearances = apps
	return o
}

// TestIssueMarks: the clerk's issue signature writes the number and date
// as locked /Stamp annotations in its own update (Nghị định 30); the
// leader's approval before it stays valid, the marks listed as allowed
// changes. The same annotation added in an update no signature covers is
// a change after signing: invalid.
func TestIssueMarks(t *testing.T) {
	f := newSignerFixture(t, false)
	dir := t.TempDir()
	in := filepath.Join(dir, "in.pdf")
	if err := samplepdf.WriteFile(in, samplepdf.Options{Pages: 1}); err != nil {
		t.Fatal(err)
	}
	approved := filepath.Join(dir, "approved.pdf")
	box := pdf.Rect{LLX: 330, LLY: 100, URX: 530, URY: 200}
	o := withAppearances(t, in, f.leaderOptions(), stamp.Options{Profile: stamp.Approval, Page: 1, Rect: &box, SignatureImage: assets.DemoSignature})
	if _, err := pades.SignFile(context.Background(), in, approved, o); err != nil {
		t.Fatal(err)
	}
	issued := filepath.Join(dir, "issued.pdf")
	num := pdf.Rect{LLX: 72, LLY: 700, URX: 250, URY: 720}
	date := pdf.Rect{LLX: 300, LLY: 700, URX: 540, URY: 720}
	o = withAppearances(t, approved, f.agencyOptions(), stamp.Options{
		Profile: stamp.Issue, SealImage: assets.DemoSeal, NumberRect: &num, DateRect: &date,
		DateText: stamp.FormatVietnameseDate("Nghệ An", time.Now()),
	})
	if len(o.Appearances) < 3 {
		t.Fatalf("issue stamp has %d appearances, want the seal and two marks", len(o.Appearances))
	}
	if _, err := pades.SignFile(context.Background(), approved, issued, o); err != nil {
		t.Fatal(err)
	}
	rep := mustVerify(t, issued, f.trust())
	if rep.Verdict != Valid || len(rep.Signatures) != 2 {
		t.Fatalf("issued: %s", summary(rep))
	}
	marks := 0
	for _, c := range rep.Signatures[0].Changes {
		if c.Kind == "signature-mark" && c.Allowed {
			marks++
		}
	}
	if marks != 2 {
		t.Errorf("the leader's signature lists %d allowed marks, want 2: %+v", marks, rep.Signatures[0].Changes)
	}

	// The same kind of annotation, appended without a signature.
	forged := filepath.Join(dir, "forged.pdf")
	appendStampAnnot(t, approved, forged)
	rep = mustVerify(t, forged, f.trust())
	if rep.Verdict != Invalid || !rep.Signatures[0].ModifiedAfterSigning {
		t.Fatalf("stamp added without a signature: %s", summary(rep))
	}
}

// appendStampAnnot copies in to out with an incremental update adding a
// locked /Stamp annotation to page 1, as pades does, but unsigned.
func appendStampAnnot(t *testing.T, in, out string) {
	t.Helper()
	b, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	r, err := pdf.Open(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	pageRef, _, _, err := r.Page(1)
	if err != nil {
		t.Fatal(err)
	}
	page, err := r.ResolveDict(pageRef)
	if err != nil {
		t.Fatal(err)
	}
	annots, _ := r.Resolve(page["Annots"])
	arr, _ := annots.(pdf.Array)
	num := r.Size()
	arr = append(append(pdf.Array{}, arr...), pdf.Ref{Num: num})
	page["Annots"] = arr
	_, root, _ := r.Catalog()
	var u bytes.Buffer
	u.WriteString("\n")
	off1 := len(b) + u.Len()
	fmt.Fprintf(&u, "%d 0 obj\n<< /Type /Annot /Subtype /Stamp /Rect [72 400 500 500] /F 196 /P %d %d R >>\nendobj\n", num, pageRef.Num, pageRef.Gen)
	off2 := len(b) + u.Len()
	fmt.Fprintf(&u, "%d %d obj\n%s\nendobj\n", pageRef.Num, pageRef.Gen, pdf.AppendObject(nil, page))
	xref := len(b) + u.Len()
	fmt.Fprintf(&u, "xref\n0 1\n0000000000 65535 f \n%d 1\n%010d %05d n \n%d 1\n%010d 00000 n \n", pageRef.Num, off2, pageRef.Gen, num, off1)
	fmt.Fprintf(&u, "trailer\n<< /Size %d /Root %d %d R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n", num+1, root.Num, root.Gen, r.StartXRef(), xref)
	if err := os.WriteFile(out, append(b, u.Bytes()...), 0o644); err != nil {
		t.Fatal(err)
	}
	if strings.Count(string(append(b, u.Bytes()...)), "%%EOF") < 2 {
		t.Fatal("no update appended")
	}
}
