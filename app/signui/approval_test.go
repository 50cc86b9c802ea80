package signui

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/vanthuso/vanthu/internal/samplepdf"
	"github.com/vanthuso/vanthu/internal/testpki"
	"github.com/vanthuso/vanthu/signing/pades"
	"github.com/vanthuso/vanthu/signing/stamp"
	"github.com/vanthuso/vanthu/signing/token"
	"github.com/vanthuso/vanthu/signing/verify"
)

// signAs signs in with id's token key (invisible, B-B) into out.
func signAs(t *testing.T, p *testpki.PKI, id testpki.Identity, in, out string) {
	t.Helper()
	s, closer, err := p.Signer(id, testpki.UserPIN)
	if err != nil {
		t.Fatal(err)
	}
	defer closer.Close()
	if _, err := pades.SignFile(context.Background(), in, out, pades.Options{Signer: s, Certificate: id.Cert, Chain: id.Chain}); err != nil {
		t.Fatalf("sign %s as %s: %v", in, id.Cert.Subject.CommonName, err)
	}
}

// verifier checks documents against the test PKI.
func verifier(p *testpki.PKI) func(ctx context.Context, path string) (*verify.Report, error) {
	return func(ctx context.Context, path string) (*verify.Report, error) {
		return verify.VerifyFile(ctx, path, verify.Options{Anchors: p.Anchors(), Intermediates: p.CACerts(), AcceptUnknownRevocation: true})
	}
}

func TestValidSignatures(t *testing.T) {
	p := testpki.New(t)
	dir := t.TempDir()
	in := samplePDF(t, dir, "a.pdf", samplepdf.Options{})
	approved, issued := filepath.Join(dir, "b.pdf"), filepath.Join(dir, "c.pdf")
	signAs(t, p, p.Leader, in, approved)
	signAs(t, p, p.Agency, approved, issued)
	check := verifier(p)
	for _, c := range []struct {
		path           string
		person, agency bool
	}{{in, false, false}, {approved, true, false}, {issued, true, true}} {
		rep, err := check(context.Background(), c.path)
		if err != nil {
			t.Fatal(err)
		}
		if person, agency := ValidSignatures(rep); person != c.person || agency != c.agency {
			t.Errorf("%s: person %v agency %v, want %v %v", filepath.Base(c.path), person, agency, c.person, c.agency)
		}
	}
	// Without trust anchors nothing is valid: an unproven signature is
	// no approval.
	rep, err := verify.VerifyFile(context.Background(), issued, verify.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if person, agency := ValidSignatures(rep); person || agency {
		t.Errorf("untrusted signatures count: person %v agency %v", person, agency)
	}
	if !IsAgencyCertificate(p.Agency.Cert) || IsAgencyCertificate(p.Leader.Cert) || IsAgencyCertificate(nil) {
		t.Error("IsAgencyCertificate: agency and leader told apart wrongly")
	}
}

// TestSignDialogProposesIssue: on a document its leader approved, the
// agency's certificate proposes ký phát hành; the leader's still proposes
// ký duyệt (a further approval); an unapproved document proposes ký
// duyệt whatever the certificate; a profile the user chose stays.
func TestSignDialogProposesIssue(t *testing.T) {
	q := setupUI(t)
	p := testpki.New(t)
	dir := t.TempDir()
	in := samplePDF(t, dir, "quyet-dinh.pdf", samplepdf.Options{Pages: 1})
	approved := filepath.Join(dir, "quyet-dinh (đã duyệt).pdf")
	signAs(t, p, p.Leader, in, approved)
	_, seal := demoImages(t, t.TempDir())
	cfg := Config{ModulePath: p.Module, SealImage: seal, Verify: verifier(p)}

	d, _, _ := openDialog(t, q, nil, approved, cfg)
	waitFor(t, q, "verification", func() bool { return d.report != nil })
	chooseToken(t, q, d.key, testpki.AgencyToken)
	selectCert(t, d.key, token.Fingerprint(p.Agency.Cert))
	settle(q)
	if got := d.chosenProfile(); got != stamp.Issue {
		t.Errorf("approved document, agency certificate: proposed %s, want issue", got)
	}
	if !d.issueBox.Visible() || d.approvalBox.Visible() {
		t.Error("the issue profile is chosen but its fields are not shown")
	}
	chooseToken(t, q, d.key, testpki.LeaderToken)
	selectCert(t, d.key, token.Fingerprint(p.Leader.Cert))
	settle(q)
	if got := d.chosenProfile(); got != stamp.Approval {
		t.Errorf("approved document, leader certificate: proposed %s, want approval", got)
	}
	// The user's choice stays when the certificate changes.
	d.profile.SetSelected(i18nProfile(stamp.Copy))
	chooseToken(t, q, d.key, testpki.AgencyToken)
	selectCert(t, d.key, token.Fingerprint(p.Agency.Cert))
	settle(q)
	if got := d.chosenProfile(); got != stamp.Copy {
		t.Errorf("the user chose copy; now %s", got)
	}

	d2, _, _ := openDialog(t, q, nil, in, cfg)
	waitFor(t, q, "verification", func() bool { return d2.report != nil })
	chooseToken(t, q, d2.key, testpki.AgencyToken)
	selectCert(t, d2.key, token.Fingerprint(p.Agency.Cert))
	settle(q)
	if got := d2.chosenProfile(); got != stamp.Approval {
		t.Errorf("unsigned document, agency certificate: proposed %s, want approval", got)
	}
}
