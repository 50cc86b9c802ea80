package verify

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/internal/samplepdf"
	"github.com/vanthuso/vanthu/internal/testpki"
	"github.com/vanthuso/vanthu/internal/testpki/ocsp"
	"github.com/vanthuso/vanthu/internal/testpki/tsa"
	"github.com/vanthuso/vanthu/signing/cms"
	"github.com/vanthuso/vanthu/signing/pades"
	"github.com/vanthuso/vanthu/signing/pdf"
	"github.com/vanthuso/vanthu/signing/revocation"
)

// signer is the test PKI with the leader's and the agency's keys logged in
// and, when asked, a TSA on loopback.
type signerFixture struct {
	pki            *testpki.PKI
	leader, agency crypto.Signer
	tsaURL         string
	srv            *ocsp.Servers // OCSP responder and CRL server of the test PKI
}

func newSignerFixture(t testing.TB, withTSA bool) *signerFixture {
	t.Helper()
	p := testpki.New(t)
	f := &signerFixture{pki: p}
	var err error
	var c1, c2 interface{ Close() error }
	if f.leader, c1, err = p.Signer(p.Leader, testpki.UserPIN); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c1.Close() })
	if f.agency, c2, err = p.Signer(p.Agency, testpki.UserPIN); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c2.Close() })
	srv, err := ocsp.Start(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	f.srv = srv
	if withTSA {
		ts, c3, err := p.Signer(p.TSA, testpki.UserPIN)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c3.Close() })
		url, stop, err := tsa.Start(tsa.New(ts, p.TSA.Cert, p.TSA.Chain))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(stop)
		f.tsaURL = url
	}
	return f
}

func (f *signerFixture) leaderOptions() pades.Options {
	return pades.Options{Signer: f.leader, Certificate: f.pki.Leader.Cert, Chain: f.pki.Leader.Embedded()}
}

func (f *signerFixture) agencyOptions() pades.Options {
	return pades.Options{Signer: f.agency, Certificate: f.pki.Agency.Cert, Chain: f.pki.Agency.Embedded()}
}

// trust trusts the test PKI's root and checks revocation online against
// its loopback servers.
func (f *signerFixture) trust() Options {
	return Options{Anchors: []*x509.Certificate{f.pki.Root.Cert}, Intermediates: []*x509.Certificate{f.pki.Sub.Cert},
		Revocation: f.checker(false)}
}

// checker asks the loopback servers, or nothing when offline.
func (f *signerFixture) checker(offline bool) *revocation.Checker {
	c := &revocation.Checker{OCSPURL: f.srv.OCSPURLFor, CRLURL: f.srv.CRLURLFor, Timeout: 5 * time.Second, Offline: offline}
	if offline {
		c.OCSPURL, c.CRLURL = nil, nil
	}
	return c
}

func signSample(t testing.TB, o pades.Options, so samplepdf.Options) string {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, "in.pdf")
	if err := samplepdf.WriteFile(in, so); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "signed.pdf")
	if _, err := pades.SignFile(context.Background(), in, out, o); err != nil {
		t.Fatal(err)
	}
	return out
}

func mustVerify(t *testing.T, path string, o Options) *Report {
	t.Helper()
	rep, err := VerifyFile(context.Background(), path, o)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestOwnSignatures(t *testing.T) {
	f := newSignerFixture(t, true)
	t.Run("B-B", func(t *testing.T) {
		path := signSample(t, f.leaderOptions(), samplepdf.Options{Pages: 2, Fields: true})
		rep := mustVerify(t, path, f.trust())
		if rep.Verdict != Valid || len(rep.Signatures) != 1 {
			t.Fatalf("want one valid signature, got %s", summary(rep))
		}
		s := rep.Signatures[0]
		if s.Trust != TrustTrusted || s.Level != LevelBB || s.Integrity != IntegrityOK || s.Coverage != CoverageWholeRevision || s.ProvenByTimestamp {
			t.Errorf("unexpected %+v", s)
		}
		if s.Revocation.Status != "good" || s.Revocation.Source != string(revocation.SourceOnlineOCSP) {
			t.Errorf("revocation %+v", s.Revocation)
		}
		if s.Anchor == nil || s.Anchor.Name != f.pki.Root.Cert.Subject.CommonName || len(s.Chain) != 3 || s.Anchor.SHA256 != s.Chain[2].SHA256 {
			t.Errorf("anchor %+v, chain %+v", s.Anchor, s.Chain)
		}
		wantSubject := "E=" + testpki.LeaderEmail + ",UID=CCCD:040080000123,T=Chủ tịch,CN=Nguyễn Văn An,OU=Văn phòng,O=UBND tỉnh Nghệ An (thử nghiệm),L=Nghệ An,C=VN"
		if s.Signer.Subject != wantSubject || s.Signer.Name != "Nguyễn Văn An" || s.Signer.Organization != "UBND tỉnh Nghệ An (thử nghiệm)" ||
			s.Signer.Unit != "Văn phòng" || s.Signer.IssuerName != f.pki.Sub.Cert.Subject.CommonName {
			t.Errorf("signer %+v", s.Signer)
		}
		if s.SigningTime.IsZero() {
			t.Error("no signing time")
		}
	})
	t.Run("B-T", func(t *testing.T) {
		o := f.leaderOptions()
		o.Level, o.TSA = pades.LevelT, &cms.TSAClient{URL: f.tsaURL}
		path := signSample(t, o, samplepdf.Options{XRefStream: true})
		rep := mustVerify(t, path, f.trust())
		if rep.Verdict != Valid {
			t.Fatalf("got %s", summary(rep))
		}
		if s := rep.Signatures[0]; s.Level != LevelBT || !s.ProvenByTimestamp {
			t.Errorf("level %s proven %v", s.Level, s.ProvenByTimestamp)
		}
	})
	t.Run("legacy", func(t *testing.T) {
		o := f.leaderOptions()
		o.SubFilter = pades.PKCS7
		rep := mustVerify(t, signSample(t, o, samplepdf.Options{}), f.trust())
		if rep.Verdict != Valid || rep.Signatures[0].Level != LevelLegacy {
			t.Fatalf("got %s level %s", summary(rep), rep.Signatures[0].Level)
		}
	})
	t.Run("second signature", func(t *testing.T) {
		first := signSample(t, f.leaderOptions(), samplepdf.Options{Fields: true})
		second := filepath.Join(t.TempDir(), "two.pdf")
		if _, err := pades.SignFile(context.Background(), first, second, f.agencyOptions()); err != nil {
			t.Fatal(err)
		}
		rep := mustVerify(t, second, f.trust())
		if rep.Verdict != Valid || len(rep.Signatures) != 2 {
			t.Fatalf("got %s", summary(rep))
		}
		for _, s := range rep.Signatures {
			if s.ModifiedAfterSigning || s.Verdict != Valid {
				t.Errorf("%s: %+v", s.Field, s)
			}
		}
		if len(rep.Signatures[0].Changes) == 0 {
			t.Error("the first signature should list the allowed changes of the second")
		}
		// View the signed version of the first signature.
		rev := filepath.Join(t.TempDir(), "rev.pdf")
		if err := ExtractSignedRevision(second, 0, rev); err != nil {
			t.Fatal(err)
		}
		a, _ := os.ReadFile(first)
		b, _ := os.ReadFile(rev)
		if !bytes.Equal(a, b) {
			t.Error("extracted revision differs from the file the leader signed")
		}
		if err := ExtractSignedRevision(second, 2, rev); err == nil {
			t.Error("signature 2 does not exist")
		}
	})
	t.Run("untrusted root", func(t *testing.T) {
		path := signSample(t, f.leaderOptions(), samplepdf.Options{})
		other := newOtherCA(t, "Một tổ chức chứng thực khác (thử nghiệm)")
		rep := mustVerify(t, path, Options{Anchors: []*x509.Certificate{other.cert}, Revocation: f.checker(false)})
		if rep.Verdict != Indeterminate || rep.Signatures[0].Trust != TrustUntrusted {
			t.Fatalf("got %s trust %s", summary(rep), rep.Signatures[0].Trust)
		}
		// The chain ends at a root the list does not hold: named, with its
		// fingerprint, for IT staff.
		rep = mustVerify(t, path, Options{Anchors: []*x509.Certificate{other.cert}, Known: []*x509.Certificate{f.pki.Root.Cert}, Revocation: f.checker(false)})
		s := rep.Signatures[0]
		if s.UnknownRoot == nil || s.UnknownRoot.SHA256 != fingerprint(f.pki.Root.Cert) || findReason(s.Reasons, "unknown-root") == nil {
			t.Fatalf("unknown root %+v, reasons %+v", s.UnknownRoot, s.Reasons)
		}
		rep = mustVerify(t, path, Options{})
		if rep.Verdict != Indeterminate || rep.Signatures[0].Trust != TrustUnknown {
			t.Fatalf("no anchors: got %s", summary(rep))
		}
	})
	t.Run("page content changed after signing", func(t *testing.T) {
		path := signSample(t, f.leaderOptions(), samplepdf.Options{Pages: 2})
		appendContentUpdate(t, path, 2)
		rep := mustVerify(t, path, f.trust())
		if rep.Verdict != Invalid {
			t.Fatalf("got %s", summary(rep))
		}
		s := rep.Signatures[0]
		if !s.ModifiedAfterSigning || s.Integrity != IntegrityOK {
			t.Fatalf("got %+v", s)
		}
		found := false
		for _, c := range s.Changes {
			if c.Kind == "page-content" && c.Page == 2 && c.Object > 0 && !c.Allowed {
				found = true
			}
		}
		if !found {
			t.Errorf("no page-content change on page 2: %+v", s.Changes)
		}
	})
	t.Run("revocation checker", func(t *testing.T) {
		path := signSample(t, f.leaderOptions(), samplepdf.Options{})
		o := f.trust()
		o.Revocation = fixedRevocation{revocation.Result{Status: revocation.Revoked, Source: "test", RevokedAt: f.pki.Leader.Cert.NotBefore}}
		rep := mustVerify(t, path, o)
		if rep.Verdict != Invalid || rep.Signatures[0].Revocation.Status != "revoked" {
			t.Fatalf("got %s", summary(rep))
		}
		o.Revocation = fixedRevocation{revocation.Result{Status: revocation.Good, Source: "test"}}
		if rep := mustVerify(t, path, o); rep.Verdict != Valid || rep.Signatures[0].Revocation.Source != "test" {
			t.Fatalf("got %s", summary(rep))
		}
	})
}

// fixedRevocation answers every question the same way, for tests of the
// verdict logic (the real checker is exercised in ltv_test.go).
type fixedRevocation struct{ r revocation.Result }

func (f fixedRevocation) Check(context.Context, *x509.Certificate, *x509.Certificate, time.Time, ...revocation.Evidence) revocation.Result {
	return f.r
}

// appendContentUpdate appends an incremental update that gives page n a new
// content stream, as an attacker would after the signature.
func appendContentUpdate(t *testing.T, path string, n int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r, err := pdf.Open(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	pageRef, _, _, err := r.Page(n)
	if err != nil {
		t.Fatal(err)
	}
	page, err := r.Get(pageRef)
	if err != nil {
		t.Fatal(err)
	}
	_, root, _ := r.Catalog()
	content := []byte("BT /F1 24 Tf 72 400 Td (PAID IN FULL) Tj ET")
	num := r.Size()
	pd := page.(pdf.Dict)
	pd["Contents"] = pdf.Ref{Num: num}
	var u bytes.Buffer
	u.WriteString("\n")
	off1 := len(b) + u.Len()
	fmt.Fprintf(&u, "%d 0 obj\n<< /Length %d >>\nstream\n%s\nendstream\nendobj\n", num, len(content), content)
	off2 := len(b) + u.Len()
	fmt.Fprintf(&u, "%d %d obj\n%s\nendobj\n", pageRef.Num, pageRef.Gen, pdf.AppendObject(nil, pd))
	xref := len(b) + u.Len()
	fmt.Fprintf(&u, "xref\n0 1\n0000000000 65535 f \n%d 1\n%010d %05d n \n%d 1\n%010d 00000 n \n", pageRef.Num, off2, pageRef.Gen, num, off1)
	fmt.Fprintf(&u, "trailer\n<< /Size %d /Root %d %d R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n", num+1, root.Num, root.Gen, r.StartXRef(), xref)
	if err := os.WriteFile(path, append(b, u.Bytes()...), 0o644); err != nil {
		t.Fatal(err)
	}
}
