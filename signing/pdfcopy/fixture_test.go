package pdfcopy

import (
	"context"
	"crypto"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/assets"
	"github.com/vanthuso/vanthu/internal/pdftools"
	"github.com/vanthuso/vanthu/internal/samplepdf"
	"github.com/vanthuso/vanthu/internal/testpki"
	"github.com/vanthuso/vanthu/internal/testpki/ocsp"
	"github.com/vanthuso/vanthu/signing/pades"
	"github.com/vanthuso/vanthu/signing/pdf"
	"github.com/vanthuso/vanthu/signing/revocation"
	"github.com/vanthuso/vanthu/signing/stamp"
	"github.com/vanthuso/vanthu/signing/verify"
)

// copyTime is the copies' signing time, the originals are signed ten
// minutes before: within the test certificates' validity, which starts an
// hour before the test.
var copyTime = time.Now().Truncate(time.Second)

// fixture is a test PKI with the leader's and the agency's tokens open
// and an NSS database trusting its root, for pdfsig.
type fixture struct {
	t              *testing.T
	pki            *testpki.PKI
	leader, agency crypto.Signer
	nss            string
	dir            string
	revocation     *revocation.Checker // the PKI's own OCSP and CRL servers on loopback
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	p := testpki.New(t)
	f := &fixture{t: t, pki: p, dir: t.TempDir()}
	var err error
	var closer interface{ Close() error }
	if f.leader, closer, err = p.Signer(p.Leader, testpki.UserPIN); err != nil {
		t.Fatalf("leader token: %v", err)
	}
	t.Cleanup(func() { closer.Close() })
	agency, agencyCloser, err := p.Signer(p.Agency, testpki.UserPIN)
	if err != nil {
		t.Fatalf("agency token: %v", err)
	}
	t.Cleanup(func() { agencyCloser.Close() })
	f.agency = agency
	nss, err := p.NSSDB(t.TempDir())
	if err != nil {
		t.Fatalf("nss database: %v", err)
	}
	f.nss = strings.TrimPrefix(nss, "sql:")
	srv, err := ocsp.Start(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	f.revocation = &revocation.Checker{OCSPURL: srv.OCSPURLFor, CRLURL: srv.CRLURLFor, Timeout: 5 * time.Second}
	return f
}

// request is a copy request signed with the agency's token.
func (f *fixture) request(form Form, src string, pages ...int) Request {
	return Request{
		Form: form, Source: src, Pages: pages,
		Output:      filepath.Join(f.dir, strings.ReplaceAll(string(form), " ", "_")+".pdf"),
		Agency:      "Văn phòng UBND tỉnh Nghệ An",
		Signer:      f.agency,
		Certificate: f.pki.Agency.Cert,
		Chain:       f.pki.Agency.Embedded(),
		Time:        copyTime,
	}
}

// signedOriginal is a registered five-page document (samplepdf, distinct
// text and an image on each page, a text field and an empty signature
// field on page 1) approved by the leader with a visible signature on
// page 2 and issued by the agency with its seal over it: the document a
// clerk copies.
func (f *fixture) signedOriginal() string {
	t := f.t
	t.Helper()
	plain := filepath.Join(f.dir, "original.pdf")
	if err := samplepdf.WriteFile(plain, samplepdf.Options{Pages: 5, Title: "Quyet dinh 05/QD-UBND", Fields: true}); err != nil {
		t.Fatal(err)
	}
	signed := copyTime.Add(-10 * time.Minute)
	box := pdf.Rect{LLX: 330, LLY: 300, URX: 530, URY: 400}
	approved := filepath.Join(f.dir, "original.approved.pdf")
	f.sign(plain, approved, pades.Options{Signer: f.leader, Certificate: f.pki.Leader.Cert, Chain: f.pki.Leader.Embedded(), Reason: "Ký duyệt", Time: signed},
		stamp.Options{Profile: stamp.Approval, Mode: stamp.ImageOnly, Page: 2, Rect: &box, SignatureImage: assets.DemoSignature,
			Info: stamp.InfoFromCertificate(f.pki.Leader.Cert, signed)})
	issued := filepath.Join(f.dir, "original.issued.pdf")
	f.sign(approved, issued, pades.Options{Signer: f.agency, Certificate: f.pki.Agency.Cert, Chain: f.pki.Agency.Embedded(), Reason: "Ký phát hành", Time: signed},
		stamp.Options{Profile: stamp.Issue, SealImage: assets.DemoSeal, Page: 2, LeaderPage: 2, LeaderRect: &box,
			Info: stamp.InfoFromCertificate(f.pki.Agency.Cert, signed)})
	sigs := f.pdfsig(issued)
	if len(sigs) != 3 || !sigs[1].Valid() || !sigs[2].Valid() {
		t.Fatalf("the original: pdfsig %+v", sigs)
	}
	return issued
}

func (f *fixture) sign(in, out string, o pades.Options, so stamp.Options) {
	f.t.Helper()
	d, err := pades.Inspect(in)
	if err != nil {
		f.t.Fatal(err)
	}
	defer d.Close()
	if o.Appearances, err = stamp.Build(so, d.PageGeometry); err != nil {
		f.t.Fatal(err)
	}
	if _, err := pades.SignFile(context.Background(), in, out, o); err != nil {
		f.t.Fatalf("sign %s: %v", filepath.Base(in), err)
	}
}

// pdfsig is poppler's verdict, with certificates checked against the
// test PKI's root.
func (f *fixture) pdfsig(path string) []pdftools.PdfsigSignature {
	f.t.Helper()
	sigs, text, err := pdftools.Pdfsig(path, f.nss)
	if err != nil {
		f.t.Fatalf("pdfsig: %v\n%s", err, text)
	}
	return sigs
}

// verifyOurs is signing/verify's report with the test PKI trusted.
func (f *fixture) verifyOurs(path string) *verify.Report {
	f.t.Helper()
	rep, err := verify.VerifyFile(context.Background(), path, verify.Options{Anchors: f.pki.Anchors(), Intermediates: f.pki.CACerts(), Revocation: f.revocation})
	if err != nil {
		f.t.Fatalf("verify %s: %v", filepath.Base(path), err)
	}
	return rep
}

// pageText is pdftotext's text of one page.
func pageText(t *testing.T, path string, page int) string {
	t.Helper()
	n := strconv.Itoa(page)
	out, err := exec.Command("pdftotext", "-layout", "-f", n, "-l", n, path, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext -f %d %s: %v\n%s", page, filepath.Base(path), err, out)
	}
	return string(out)
}

// pageCount is pdfinfo's page count.
func pageCount(t *testing.T, path string) int {
	t.Helper()
	out, err := exec.Command("pdfinfo", path).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo %s: %v\n%s", filepath.Base(path), err, out)
	}
	for l := range strings.SplitSeq(string(out), "\n") {
		if v, ok := strings.CutPrefix(l, "Pages:"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				t.Fatalf("pdfinfo %s: %q", filepath.Base(path), l)
			}
			return n
		}
	}
	t.Fatalf("pdfinfo %s: no page count\n%s", filepath.Base(path), out)
	return 0
}

// noStrayFiles fails when dir holds anything but want (temporary files
// left behind, a partial output).
func noStrayFiles(t *testing.T, dir string, want ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	ok := map[string]bool{}
	for _, w := range want {
		ok[w] = true
	}
	for _, e := range ents {
		if !ok[e.Name()] {
			t.Errorf("%s holds %s", dir, e.Name())
		}
	}
}

// uncompressed is the file rewritten by qpdf with every stream and
// object stream expanded, so that a search of its bytes sees every
// object and every string.
func uncompressed(t *testing.T, path string) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), "qdf.pdf")
	if b, err := exec.Command("qpdf", "--qdf", "--object-streams=disable", "--decode-level=all", path, out).CombinedOutput(); err != nil {
		t.Fatalf("qpdf --qdf %s: %v\n%s", filepath.Base(path), err, b)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// render is the page drawn by pdftoppm, grey, at 40 dpi, as PGM bytes.
func render(t *testing.T, path string, page int) []byte {
	t.Helper()
	n := strconv.Itoa(page)
	out, err := exec.Command("pdftoppm", "-gray", "-r", "40", "-f", n, "-l", n, path).Output()
	if err != nil || len(out) < 1000 {
		t.Fatalf("pdftoppm -f %d %s: %v (%d bytes)", page, filepath.Base(path), err, len(out))
	}
	return out
}
