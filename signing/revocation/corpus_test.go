package revocation_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	xocsp "golang.org/x/crypto/ocsp"

	"github.com/vanthuso/vanthu/internal/pdftools"
	"github.com/vanthuso/vanthu/signing/cms"
	"github.com/vanthuso/vanthu/signing/pdf"
	"github.com/vanthuso/vanthu/signing/revocation"
)

// dssCorpus is the dss/ part of the shared corpus.
func dssCorpus(t *testing.T) string {
	t.Helper()
	dir, err := pdftools.CorpusDir()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "dss")
}

func corpusFile(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dssCorpus(t), name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// signatureContents finds the hex /Contents strings that hold CMS.
func signatureContents(doc []byte) [][]byte {
	var out [][]byte
	key := []byte("/Contents")
	for i := 0; ; {
		j := bytes.Index(doc[i:], key)
		if j < 0 {
			return out
		}
		p := i + j + len(key)
		i = p
		for p < len(doc) && strings.IndexByte(" \t\r\n\f", doc[p]) >= 0 {
			p++
		}
		if p+1 >= len(doc) || doc[p] != '<' || doc[p+1] == '<' {
			continue
		}
		end := bytes.IndexByte(doc[p:], '>')
		if end < 0 {
			return out
		}
		hx := strings.Map(func(r rune) rune {
			if strings.ContainsRune(" \t\r\n\f", r) {
				return -1
			}
			return r
		}, string(doc[p+1:p+end]))
		if len(hx)%2 == 1 {
			hx += "0"
		}
		if b, err := hex.DecodeString(hx); err == nil && len(b) > 0 && b[0] == 0x30 {
			out = append(out, b)
		}
		i = p + end
	}
}

// parsesAsOCSP checks der is an OCSPResponse with at least one single
// response.
func parsesAsOCSP(t *testing.T, der []byte) {
	t.Helper()
	var outer struct {
		Status asn1.Enumerated
		Bytes  struct {
			Type     asn1.ObjectIdentifier
			Response []byte
		} `asn1:"explicit,tag:0,optional"`
	}
	if rest, err := asn1.Unmarshal(der, &outer); err != nil || len(rest) > 0 {
		t.Errorf("OCSP response: %v (%d trailing bytes)", err, len(rest))
		return
	}
	if outer.Status != 0 {
		t.Errorf("OCSP response status %d", outer.Status)
	}
	// Structure only: real documents carry responses x/crypto refuses to
	// verify (several single responses, or a broken embedded certificate).
	if _, err := xocsp.ParseResponse(der, nil); err != nil && !strings.Contains(err.Error(), "bad number of responses") && !strings.Contains(err.Error(), "bad signature on embedded certificate") {
		t.Errorf("OCSP response: %v", err)
	}
}

// unreadable lists the corpus files qpdf or poppler can read and we are
// expected not to, each with the reason. TestCorpusDSS fails for a file
// listed here that opens, so the list cannot go stale.
var unreadable = map[string]string{}

// TestCorpusDSS opens every PDF of the corpus that qpdf can read (qpdf
// --check exits 0 or 3, not 2) and reads its document security store: a
// file qpdf reads and we cannot is a failure, unless it is listed in
// unreadable. Every DSS found must hold parsable OCSP responses and CRLs.
func TestCorpusDSS(t *testing.T) {
	names, err := pdftools.CorpusPDFs("dss", "rub", "vn")
	if err != nil {
		t.Fatal(err)
	}
	root, err := pdftools.CorpusDir()
	if err != nil {
		t.Fatal(err)
	}
	if len(names) < 50 {
		t.Fatalf("only %d corpus PDFs under %s", len(names), root)
	}
	total, withDSS := 0, 0
	for _, path := range names {
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		t.Run(rel, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			reason, listed := unreadable[rel]
			if code, out := pdftools.QpdfCheckCode(path); code != 0 && code != 3 {
				if listed {
					t.Errorf("listed as unreadable by us (%s) but qpdf cannot read it either (exit %d): remove it from the list", reason, code)
				}
				t.Logf("qpdf cannot read it (exit %d): %s", code, firstLine(out))
				return
			}
			r, err := pdf.Open(bytes.NewReader(data), int64(len(data)))
			if err == nil {
				_, _, err = r.Catalog()
			}
			switch {
			case err != nil && !listed:
				t.Fatalf("qpdf reads this file and signing/pdf does not: %v", err)
			case err != nil:
				t.Logf("expected: %s: %v", reason, err)
				return
			case listed:
				t.Fatalf("listed as unreadable (%s) but signing/pdf reads it: remove it from the list", reason)
			}
			ev, err := revocation.ReadDSS(r)
			if err != nil {
				t.Fatal(err)
			}
			for _, der := range ev.OCSP {
				parsesAsOCSP(t, der)
			}
			for _, der := range ev.CRLs {
				parsesAsCRL(t, der)
			}
			if n := len(ev.OCSP) + len(ev.CRLs) + len(ev.Certs); n > 0 {
				withDSS++
				total += len(ev.OCSP) + len(ev.CRLs)
				t.Logf("%d OCSP, %d CRLs, %d certificates", len(ev.OCSP), len(ev.CRLs), len(ev.Certs))
			}
		})
	}
	for rel := range unreadable {
		if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(rel))); err != nil {
			t.Errorf("unreadable lists %s, which is not in the corpus: %v", rel, err)
		}
	}
	t.Logf("%d files, %d with a DSS, %d OCSP responses and CRLs", len(names), withDSS, total)
	if total == 0 {
		t.Error("no revocation data found in any DSS")
	}
}

// parsesAsCRL checks der is a CRL. crypto/x509 reads only v2 CRLs; a v1
// CRL (RFC 5280 section 5.1.2.1: no version field, no extensions), which
// real DSSs carry for old root CAs, must at least have the v1 structure:
// signing/revocation cannot use it (x509.ParseRevocationList refuses it).
func parsesAsCRL(t *testing.T, der []byte) {
	t.Helper()
	_, err := x509.ParseRevocationList(der)
	if err == nil {
		return
	}
	var crl struct {
		TBS struct {
			Signature  asn1.RawValue
			Issuer     asn1.RawValue
			ThisUpdate time.Time
			Rest       []asn1.RawValue `asn1:"optional"`
		}
		Algorithm asn1.RawValue
		Value     asn1.BitString
	}
	if err.Error() == "x509: unsupported crl version" {
		if rest, err2 := asn1.Unmarshal(der, &crl); err2 == nil && len(rest) == 0 && crl.TBS.Signature.Tag == asn1.TagSequence {
			t.Logf("v1 CRL (this update %s): crypto/x509 cannot read it, so signing/revocation cannot use it", crl.TBS.ThisUpdate.Format(time.DateOnly))
			return
		}
	}
	t.Errorf("CRL: %v", err)
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// TestCorpusLTExtendedDSS checks a real B-LT file: the DSS decides the
// signer's status offline.
func TestCorpusLTExtendedDSS(t *testing.T) {
	data := corpusFile(t, "pades-lt-extended-dss.pdf")
	r, err := pdf.Open(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	ev, err := revocation.ReadDSS(r)
	if err != nil {
		t.Fatal(err)
	}
	if len(ev.OCSP) == 0 {
		t.Fatal("no OCSP response in the DSS")
	}
	checkSigners(t, data, true, ev)
}

// checkSigners runs Check offline for every signer of the document whose
// issuer is known, with the given evidence and what the CMS carries.
// want requires a decided status for at least one.
func checkSigners(t *testing.T, doc []byte, want bool, ev ...revocation.Evidence) {
	t.Helper()
	decided := 0
	for _, blob := range signatureContents(doc) {
		sd, err := cms.Parse(blob)
		if err != nil || len(sd.Signers) == 0 {
			continue
		}
		si := &sd.Signers[0]
		certs := append([]*x509.Certificate(nil), sd.Certificates...)
		all := append([]revocation.Evidence(nil), ev...)
		for _, e := range ev {
			certs = append(certs, e.Certs...)
		}
		all = append(all, revocation.ParseCMSRevocationInfo(sd.RevocationInfo))
		for _, a := range si.SignedAttrs {
			if a.Type.Equal(revocation.OIDAdobeRevocation) && len(a.Values) > 0 {
				adbe, err := revocation.ParseAdobeRevocation(a.Values[0])
				if err != nil {
					t.Errorf("adbe attribute: %v", err)
				}
				all = append(all, adbe)
			}
		}
		signer := si.FindCertificate(certs)
		if signer == nil {
			continue
		}
		var issuer *x509.Certificate
		for _, c := range certs {
			if bytes.Equal(c.RawSubject, signer.RawIssuer) && signer.CheckSignatureFrom(c) == nil {
				issuer = c
			}
		}
		if issuer == nil {
			t.Logf("%s: issuer not in the document", signer.Subject.CommonName)
			continue
		}
		at := signer.NotBefore.Add(time.Hour)
		if si.SigningTime != nil {
			at = *si.SigningTime
		}
		c := &revocation.Checker{Offline: true, Now: func() time.Time { return at }}
		res := c.Check(context.Background(), signer, issuer, at, all...)
		t.Logf("%s at %s: %v from %s/%s by %q; %s", signer.Subject.CommonName, at.Format(time.RFC3339), res.Status, res.Source, res.Method, res.Responder, res.Problem)
		if res.Status != revocation.Unknown {
			decided++
		}
	}
	if want && decided == 0 {
		t.Error("no signer's status decided from the document's revocation data")
	}
}

func TestCorpusAdobeAttribute(t *testing.T) {
	data := corpusFile(t, "adbe_crl_signed.pdf")
	found := 0
	for _, blob := range signatureContents(data) {
		sd, err := cms.Parse(blob)
		if err != nil {
			continue
		}
		for _, si := range sd.Signers {
			for _, a := range si.SignedAttrs {
				if !a.Type.Equal(revocation.OIDAdobeRevocation) {
					continue
				}
				ev, err := revocation.ParseAdobeRevocation(a.Values[0])
				if err != nil {
					t.Fatal(err)
				}
				if ev.Source != revocation.SourceAdobe || len(ev.CRLs) == 0 {
					t.Errorf("adbe evidence: source %q, %d CRLs, %d OCSP", ev.Source, len(ev.CRLs), len(ev.OCSP))
				}
				for _, der := range ev.CRLs {
					if _, err := x509.ParseRevocationList(der); err != nil {
						t.Errorf("CRL: %v", err)
					}
				}
				for _, der := range ev.OCSP {
					parsesAsOCSP(t, der)
				}
				found++
			}
		}
	}
	if found == 0 {
		t.Fatal("no Adobe revocation attribute found")
	}
	checkSigners(t, data, false)
}

func TestCorpusAdobeOCSP(t *testing.T) {
	data := corpusFile(t, "pades-lt-extended-abde.pdf")
	checkSigners(t, data, false)
}
