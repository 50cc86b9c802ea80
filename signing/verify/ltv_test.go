package verify

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/internal/pdftools"
	"github.com/vanthuso/vanthu/internal/samplepdf"
	"github.com/vanthuso/vanthu/internal/testpki"
	"github.com/vanthuso/vanthu/internal/testpki/ocsp"
	"github.com/vanthuso/vanthu/signing/cms"
	"github.com/vanthuso/vanthu/signing/pades"
	"github.com/vanthuso/vanthu/signing/revocation"
)

// ltvFixture adds an NSS database trusting the test root (for pdfsig) to a
// signerFixture with a TSA.
type ltvFixture struct {
	*signerFixture
	nss string
}

func newLTVFixture(t *testing.T) *ltvFixture {
	t.Helper()
	f := &ltvFixture{signerFixture: newSignerFixture(t, true)}
	nss, err := f.pki.NSSDB(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	f.nss = strings.TrimPrefix(nss, "sql:")
	return f
}

func (f *ltvFixture) options(offline bool) Options {
	o := f.trust()
	o.Revocation = f.checker(offline)
	return o
}

// agree checks that pdfsig (trusting the test root) and pdfcpu find every
// signature of path intact.
func (f *ltvFixture) agree(t *testing.T, path string) {
	t.Helper()
	sigs, text, err := pdftools.Pdfsig(path, f.nss)
	if err != nil {
		t.Fatalf("pdfsig: %v\n%s", err, text)
	}
	for _, s := range sigs {
		if s.Unsigned {
			continue
		}
		// pdfsig 22.12 cannot check ETSI.RFC3161 document timestamps
		// (it reports their type as unknown and "Unable to validate this
		// type of signature"); VerifyFile checks ours.
		if s.Type == "ETSI.RFC3161" || s.Type == "unknown" && strings.HasPrefix(s.Field, "DocumentTimestamp") {
			continue
		}
		if !s.Valid() || !s.Trusted() {
			t.Errorf("pdfsig on %s: %+v\n%s", s.Field, s, text)
		}
	}
	ps, err := pdftools.PdfcpuValidate(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range ps {
		if !s.IntegrityOK() {
			t.Errorf("pdfcpu on %s: %+v", s.Field, s)
		}
	}
}

func TestLongTermLevels(t *testing.T) {
	f := newLTVFixture(t)
	// B-B and B-T: valid against the test root, and the other verifiers
	// agree (TestOwnSignatures checks the report in detail).
	for _, level := range []pades.Level{pades.LevelB, pades.LevelT} {
		t.Run(string(level), func(t *testing.T) {
			o := f.leaderOptions()
			if level == pades.LevelT {
				o.Level, o.TSA = level, &cms.TSAClient{URL: f.tsaURL}
			}
			// No empty signature field: pdfcpu 0.15 refuses documents with
			// one ("missing signature dict reference").
			path := signSample(t, o, samplepdf.Options{Pages: 2, XRefStream: level == pades.LevelT})
			f.agree(t, path)
			rep := mustVerify(t, path, f.trust())
			if rep.Verdict != Valid || rep.Signatures[0].Level != string(level) {
				t.Fatalf("got %s level %s", summary(rep), rep.Signatures[0].Level)
			}
		})
	}
	for _, level := range []pades.Level{pades.LevelLT, pades.LevelLTA} {
		t.Run(string(level), func(t *testing.T) {
			o := f.leaderOptions()
			o.Level, o.TSA = level, &cms.TSAClient{URL: f.tsaURL}
			o.Validation = pades.OnlineValidation{Checker: f.checker(false)}
			path := signSample(t, o, samplepdf.Options{Pages: 2})
			f.agree(t, path)

			before := f.srv.OCSPRequests() + f.srv.CRLRequests()
			rep := mustVerify(t, path, f.options(true))
			if got := f.srv.OCSPRequests() + f.srv.CRLRequests(); got != before {
				t.Errorf("offline verification made %d requests", got-before)
			}
			if rep.Verdict != Valid {
				t.Fatalf("offline: %s", summary(rep))
			}
			s := rep.Signatures[0]
			if s.Level != string(level) || !s.ProvenByTimestamp || s.Trust != TrustTrusted {
				t.Errorf("level %s (want %s), proven %v, trust %s", s.Level, level, s.ProvenByTimestamp, s.Trust)
			}
			if s.Revocation.Status != "good" || s.Revocation.Source != string(revocation.SourceDSS) {
				t.Errorf("revocation %+v, want good from the DSS", s.Revocation)
			}
			wantSigs := 1
			if level == pades.LevelLTA {
				wantSigs = 2
				ts := rep.Signatures[1]
				if !ts.IsDocumentTimestamp || ts.Verdict != Valid || ts.ModifiedAfterSigning {
					t.Errorf("document timestamp: %+v", ts)
				}
			}
			if len(rep.Signatures) != wantSigs {
				t.Errorf("%d signatures, want %d", len(rep.Signatures), wantSigs)
			}
			if len(s.Changes) == 0 || s.ModifiedAfterSigning {
				t.Errorf("the DSS should be listed as an allowed change: %+v", s.Changes)
			}
		})
	}
	t.Run("B-B offline without evidence", func(t *testing.T) {
		path := signSample(t, f.leaderOptions(), samplepdf.Options{})
		rep := mustVerify(t, path, f.options(true))
		s := rep.Signatures[0]
		if s.Revocation.Status != "unknown" || s.Revocation.Problem == "" {
			t.Errorf("revocation %+v, want unknown with the reason", s.Revocation)
		}
		if rep.Verdict == Invalid {
			t.Errorf("unknown revocation is not invalid: %s", summary(rep))
		}
	})
	t.Run("B-B online", func(t *testing.T) {
		path := signSample(t, f.leaderOptions(), samplepdf.Options{})
		rep := mustVerify(t, path, f.options(false))
		if s := rep.Signatures[0]; rep.Verdict != Valid || s.Revocation.Status != "good" || s.Revocation.Source != string(revocation.SourceOnlineOCSP) {
			t.Errorf("got %s, revocation %+v", summary(rep), s.Revocation)
		}
	})
}

func TestRevokedSigner(t *testing.T) {
	f := newLTVFixture(t)
	signer, closer, err := f.pki.Signer(f.pki.Revoked, testpki.UserPIN)
	if err != nil {
		t.Fatal(err)
	}
	defer closer.Close()
	opts := func(level pades.Level) pades.Options {
		o := pades.Options{Signer: signer, Certificate: f.pki.Revoked.Cert, Chain: f.pki.Revoked.Embedded(), Level: level}
		if level != pades.LevelB {
			o.TSA = &cms.TSAClient{URL: f.tsaURL}
		}
		return o
	}
	// Signed (with a proven time) before the revocation.
	early := signSample(t, opts(pades.LevelT), samplepdf.Options{})

	// Signing times have a one-second resolution: keep a second between
	// each step.
	time.Sleep(1500 * time.Millisecond)
	revokedAt := time.Now().Truncate(time.Second)
	if err := f.pki.Revoke(f.pki.Revoked.Cert, revokedAt, testpki.ReasonKeyCompromise); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond)
	late := signSample(t, opts(pades.LevelB), samplepdf.Options{})
	lateT := signSample(t, opts(pades.LevelT), samplepdf.Options{})

	for _, tc := range []struct {
		name   string
		fail   bool // OCSP down: the CRL decides
		source revocation.Source
	}{
		{"OCSP", false, revocation.SourceOnlineOCSP},
		{"CRL", true, revocation.SourceOnlineCRL},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.fail {
				f.srv.SetOCSPFail(ocsp.FailHTTP500)
				defer f.srv.SetOCSPFail(ocsp.FailNone)
			}
			for _, path := range []string{late, lateT} {
				rep := mustVerify(t, path, f.options(false))
				s := rep.Signatures[0]
				if rep.Verdict != Invalid || s.Revocation.Status != "revoked" || s.Revocation.Source != string(tc.source) {
					t.Fatalf("%s: got %s, revocation %+v", filepath.Base(path), summary(rep), s.Revocation)
				}
				if !s.Revocation.RevokedAt.Equal(revokedAt) || s.Revocation.Reason == "" {
					t.Errorf("revocation %+v, want time %v and a reason", s.Revocation, revokedAt)
				}
				r := findReason(s.Reasons, "revoked")
				if r == nil || !strings.Contains(r.EN, string(tc.source)) || r.VI == "" {
					t.Errorf("reasons %+v, want 'revoked' naming %s", s.Reasons, tc.source)
				}
			}
			// A timestamp proves the signature came before the revocation.
			rep := mustVerify(t, early, f.options(false))
			if s := rep.Signatures[0]; rep.Verdict != Valid || s.Revocation.RevokedAt.IsZero() {
				t.Errorf("signed before the revocation: %s, revocation %+v", summary(rep), s.Revocation)
			}
		})
	}
}

func findReason(rs []Reason, code string) *Reason {
	for i := range rs {
		if rs[i].Code == code {
			return &rs[i]
		}
	}
	return nil
}
