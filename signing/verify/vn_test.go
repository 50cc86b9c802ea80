package verify

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vanthuso/vanthu/internal/pdftools"
	"github.com/vanthuso/vanthu/signing/revocation"
	"github.com/vanthuso/vanthu/signing/trustlist"
)

// TestVietnameseDocumentsOutOfTheBox verifies the real Government Office
// documents of ../shared/corpus/vn with nothing but the shipped trust list
// (an empty workstation store) and no network: each signature chains to
// the VGCA root of its generation (G1, all SHA-1, for the 2018 decision;
// G2 for the 2025 one), its VGCA timestamp proves the signing time, and
// the verdict is indeterminate for one reason only, the revocation
// evidence that neither the file nor an offline machine has, saying what
// to do. An online check would ask VGCA's responders, which this machine
// cannot reach.
func TestVietnameseDocumentsOutOfTheBox(t *testing.T) {
	l, err := trustlist.Load(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	o := Options{
		Anchors: l.Anchors(), Intermediates: l.Intermediates(), Known: l.Known(),
		Revocation: &revocation.Checker{Offline: true},
	}
	corpus, err := pdftools.CorpusDir()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		file, root, year string
	}{
		{"vpcp_08-1.signed.pdf", "Co quan chung thuc so chuyen dung Chinh phu (RootCA)", "2018"},
		{"vpcp_222-ttg.signed.pdf", "RootCA chuyên dùng Chính phủ G2", "2025"},
	} {
		t.Run(c.file, func(t *testing.T) {
			rep, err := VerifyFile(context.Background(), filepath.Join(corpus, "vn", c.file), o)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Verdict != Indeterminate || len(rep.Signatures) != 1 {
				t.Fatalf("%s", summary(rep))
			}
			s := rep.Signatures[0]
			if s.Integrity != IntegrityOK || s.ModifiedAfterSigning || s.Trust != TrustTrusted {
				t.Errorf("integrity %s, modified %v, trust %s", s.Integrity, s.ModifiedAfterSigning, s.Trust)
			}
			if s.Anchor == nil || s.Anchor.Name != c.root || len(s.Chain) != 3 {
				t.Errorf("anchor %+v, chain %+v; want %q at the end of three", s.Anchor, s.Chain, c.root)
			}
			if !s.ProvenByTimestamp || s.SigningTime.Format("2006") != c.year {
				t.Errorf("time %v, proven %v", s.SigningTime, s.ProvenByTimestamp)
			}
			if s.SubIndication != SubTryLater || len(s.Reasons) == 0 {
				t.Errorf("sub-indication %q, reasons %+v", s.SubIndication, s.Reasons)
			}
			for _, r := range s.Reasons {
				if r.Code != "revocation-unknown" || !strings.Contains(r.AdviceVI, "kết nối mạng") {
					t.Errorf("reason %+v: only missing revocation, with what to do, is expected", r)
				}
			}
			// Accepting unchecked revocation, as an IT policy may: valid,
			// and the report says what was accepted.
			po := o
			po.AcceptUnknownRevocation = true
			rep, err = VerifyFile(context.Background(), filepath.Join(corpus, "vn", c.file), po)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Verdict != Valid || !hasCode(rep.Signatures[0].Notes, "revocation-not-checked-accepted") {
				t.Errorf("under the policy: %s, notes %+v", summary(rep), rep.Signatures[0].Notes)
			}
		})
	}
}

func hasCode(rs []Reason, code string) bool {
	for _, r := range rs {
		if r.Code == code {
			return true
		}
	}
	return false
}
