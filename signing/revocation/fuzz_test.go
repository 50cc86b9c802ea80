package revocation_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	xocsp "golang.org/x/crypto/ocsp"

	"github.com/vanthuso/vanthu/internal/fuzzguard"
	"github.com/vanthuso/vanthu/signing/revocation"
)

// softPKI is an in-memory CA and leaf for fuzzing (no SoftHSM2: fast).
type softPKI struct {
	ca, leaf *x509.Certificate
	caKey    *ecdsa.PrivateKey
	now      time.Time
}

var (
	softOnce sync.Once
	soft     softPKI
)

func getSoftPKI(t testing.TB) *softPKI {
	softOnce.Do(func() {
		now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		leafKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		caT := &x509.Certificate{
			SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Fuzz CA"},
			NotBefore: now.AddDate(-1, 0, 0), NotAfter: now.AddDate(5, 0, 0),
			IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		}
		der, _ := x509.CreateCertificate(rand.Reader, caT, caT, caKey.Public(), caKey)
		ca, _ := x509.ParseCertificate(der)
		leafT := &x509.Certificate{
			SerialNumber: big.NewInt(4242), Subject: pkix.Name{CommonName: "Fuzz leaf"},
			NotBefore: now.AddDate(-1, 0, 0), NotAfter: now.AddDate(1, 0, 0), KeyUsage: x509.KeyUsageDigitalSignature,
		}
		der, _ = x509.CreateCertificate(rand.Reader, leafT, ca, leafKey.Public(), caKey)
		leaf, _ := x509.ParseCertificate(der)
		soft = softPKI{ca: ca, leaf: leaf, caKey: caKey, now: now}
	})
	if soft.leaf == nil {
		t.Fatal("soft PKI")
	}
	return &soft
}

func (s *softPKI) ocsp(t testing.TB, status int) []byte {
	der, err := xocsp.CreateResponse(s.ca, s.ca, xocsp.Response{
		Status: status, SerialNumber: s.leaf.SerialNumber, ThisUpdate: s.now, NextUpdate: s.now.Add(time.Hour),
		RevokedAt: s.now.Add(-time.Hour), RevocationReason: 1,
	}, s.caKey)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func (s *softPKI) crl(t testing.TB, revoked bool) []byte {
	list := &x509.RevocationList{Number: big.NewInt(1), ThisUpdate: s.now, NextUpdate: s.now.Add(time.Hour)}
	if revoked {
		list.RevokedCertificateEntries = []x509.RevocationListEntry{{SerialNumber: s.leaf.SerialNumber, RevocationTime: s.now.Add(-time.Hour), ReasonCode: 1}}
	}
	der, err := x509.CreateRevocationList(rand.Reader, list, s.ca, s.caKey)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func adobeAttr(t testing.TB, crls, ocsps [][]byte) []byte {
	var v struct {
		CRL  []asn1.RawValue `asn1:"explicit,tag:0,optional"`
		OCSP []asn1.RawValue `asn1:"explicit,tag:1,optional"`
	}
	for _, c := range crls {
		v.CRL = append(v.CRL, asn1.RawValue{FullBytes: c})
	}
	for _, o := range ocsps {
		v.OCSP = append(v.OCSP, asn1.RawValue{FullBytes: o})
	}
	der, err := asn1.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

const maxFuzzInput = 64 << 10

// checkEvidence runs Check offline and enforces the invariant: a decided
// status needs evidence the CA really signed.
func checkEvidence(t *testing.T, s *softPKI, ev revocation.Evidence) {
	c := &revocation.Checker{Offline: true, Now: func() time.Time { return s.now }}
	r := c.Check(context.Background(), s.leaf, s.ca, s.now, ev)
	if r.Status == revocation.Unknown {
		if r.Problem == "" {
			t.Fatal("Unknown without a Problem")
		}
		return
	}
	switch r.Method {
	case revocation.MethodOCSP:
		resp, err := xocsp.ParseResponseForCert(r.Raw, s.leaf, nil)
		if err != nil || resp.CheckSignatureFrom(s.ca) != nil {
			t.Fatalf("%v from an OCSP response the CA did not sign (%v)", r.Status, err)
		}
	case revocation.MethodCRL:
		crl, err := x509.ParseRevocationList(r.Raw)
		if err != nil || crl.CheckSignatureFrom(s.ca) != nil {
			t.Fatalf("%v from a CRL the CA did not sign (%v)", r.Status, err)
		}
	default:
		t.Fatalf("decided without a method: %+v", r)
	}
}

func FuzzCheckOCSP(f *testing.F) {
	s := getSoftPKI(f)
	f.Add(s.ocsp(f, xocsp.Good))
	f.Add(s.ocsp(f, xocsp.Revoked))
	f.Add(s.ocsp(f, xocsp.Unknown))
	f.Add(xocsp.TryLaterErrorResponse)
	f.Fuzz(func(t *testing.T, data []byte) {
		defer fuzzguard.Watch(t, fuzzguard.Limit, data)()
		if len(data) > maxFuzzInput {
			return
		}
		checkEvidence(t, s, revocation.Evidence{OCSP: [][]byte{data}})
	})
}

func FuzzCheckCRL(f *testing.F) {
	s := getSoftPKI(f)
	f.Add(s.crl(f, false))
	f.Add(s.crl(f, true))
	f.Fuzz(func(t *testing.T, data []byte) {
		defer fuzzguard.Watch(t, fuzzguard.Limit, data)()
		if len(data) > maxFuzzInput {
			return
		}
		checkEvidence(t, s, revocation.Evidence{CRLs: [][]byte{data}})
	})
}

func FuzzParseAdobeRevocation(f *testing.F) {
	s := getSoftPKI(f)
	f.Add(adobeAttr(f, [][]byte{s.crl(f, true)}, nil))
	f.Add(adobeAttr(f, nil, [][]byte{s.ocsp(f, xocsp.Good)}))
	f.Add(adobeAttr(f, [][]byte{s.crl(f, false)}, [][]byte{s.ocsp(f, xocsp.Revoked)}))
	f.Add([]byte{0x30, 0x00})
	f.Fuzz(func(t *testing.T, data []byte) {
		defer fuzzguard.Watch(t, fuzzguard.Limit, data)()
		if len(data) > maxFuzzInput {
			return
		}
		ev, err := revocation.ParseAdobeRevocation(data)
		if err != nil {
			return
		}
		if ev.Source != revocation.SourceAdobe {
			t.Fatalf("source %q", ev.Source)
		}
		checkEvidence(t, s, ev)
		revocation.ParseCMSRevocationInfo(append(ev.CRLs, ev.OCSP...))
	})
}

// TestSoftResponders checks who may sign an OCSP response.
func TestSoftResponders(t *testing.T) {
	s := getSoftPKI(t)
	c := &revocation.Checker{Offline: true, Now: func() time.Time { return s.now }}
	issue := func(parent *x509.Certificate, parentKey *ecdsa.PrivateKey, eku []x509.ExtKeyUsage, isCA bool) (*x509.Certificate, *ecdsa.PrivateKey) {
		k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "Responder"},
			NotBefore: s.now.AddDate(-1, 0, 0), NotAfter: s.now.AddDate(1, 0, 0),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: eku,
		}
		if isCA {
			tmpl.Subject = s.ca.Subject // same name as the real CA, other key
			tmpl.IsCA, tmpl.BasicConstraintsValid, tmpl.KeyUsage = true, true, x509.KeyUsageCertSign
			parent, parentKey = tmpl, k
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, k.Public(), parentKey)
		if err != nil {
			t.Fatal(err)
		}
		cert, _ := x509.ParseCertificate(der)
		return cert, k
	}
	respond := func(issuer, responder *x509.Certificate, key *ecdsa.PrivateKey) []byte {
		der, err := xocsp.CreateResponse(issuer, responder, xocsp.Response{
			Status: xocsp.Good, SerialNumber: s.leaf.SerialNumber, ThisUpdate: s.now, NextUpdate: s.now.Add(time.Hour), Certificate: responder,
		}, key)
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	ocspEKU := []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}

	good, goodKey := issue(s.ca, s.caKey, ocspEKU, false)
	noEKU, noEKUKey := issue(s.ca, s.caKey, nil, false)
	otherCA, otherKey := issue(nil, nil, nil, true)
	stranger, strangerKey := issue(otherCA, otherKey, ocspEKU, false)
	for _, tc := range []struct {
		name string
		der  []byte
		want revocation.Status
		why  string
	}{
		{"delegated", respond(s.ca, good, goodKey), revocation.Good, ""},
		{"no OCSPSigning", respond(s.ca, noEKU, noEKUKey), revocation.Unknown, "lacks the OCSPSigning"},
		{"responder of another CA", respond(s.ca, stranger, strangerKey), revocation.Unknown, "not certified by the issuer"},
		// Same issuer name, other key: the CertID's key hash differs.
		{"look-alike CA", respond(otherCA, otherCA, otherKey), revocation.Unknown, "no revocation data for this certificate"},
	} {
		r := c.Check(context.Background(), s.leaf, s.ca, s.now, revocation.Evidence{OCSP: [][]byte{tc.der}})
		if r.Status != tc.want || !strings.Contains(r.Problem, tc.why) {
			t.Errorf("%s: %v, %q", tc.name, r.Status, r.Problem)
		}
	}
}

// TestSoftEvidence checks the fuzz seeds decide as expected.
func TestSoftEvidence(t *testing.T) {
	s := getSoftPKI(t)
	c := &revocation.Checker{Offline: true, Now: func() time.Time { return s.now }}
	for _, tc := range []struct {
		name string
		ev   revocation.Evidence
		want revocation.Status
	}{
		{"ocsp good", revocation.Evidence{OCSP: [][]byte{s.ocsp(t, xocsp.Good)}}, revocation.Good},
		{"ocsp revoked", revocation.Evidence{OCSP: [][]byte{s.ocsp(t, xocsp.Revoked)}}, revocation.Revoked},
		{"ocsp unknown", revocation.Evidence{OCSP: [][]byte{s.ocsp(t, xocsp.Unknown)}}, revocation.Unknown},
		{"crl good", revocation.Evidence{CRLs: [][]byte{s.crl(t, false)}}, revocation.Good},
		{"crl revoked", revocation.Evidence{CRLs: [][]byte{s.crl(t, true)}}, revocation.Revoked},
	} {
		r := c.Check(context.Background(), s.leaf, s.ca, s.now, tc.ev)
		if r.Status != tc.want {
			t.Errorf("%s: %v (%s), want %v", tc.name, r.Status, r.Problem, tc.want)
		}
	}
	ev, err := revocation.ParseAdobeRevocation(adobeAttr(t, [][]byte{s.crl(t, true)}, [][]byte{s.ocsp(t, xocsp.Good)}))
	if err != nil || len(ev.CRLs) != 1 || len(ev.OCSP) != 1 {
		t.Fatalf("adobe: %v", err)
	}
	// OCSP first within one Evidence.
	if r := c.Check(context.Background(), s.leaf, s.ca, s.now, ev); r.Status != revocation.Good || r.Source != revocation.SourceAdobe {
		t.Errorf("adobe: %v from %s", r.Status, r.Source)
	}
	// CMS RevocationInfoChoices: a CRL as is, an OCSP response as [1] other.
	other, _ := asn1.Marshal(struct {
		Format asn1.ObjectIdentifier
		Info   asn1.RawValue
	}{asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 16, 2}, asn1.RawValue{FullBytes: s.ocsp(t, xocsp.Revoked)}})
	other[0] = 0xa1
	cev := revocation.ParseCMSRevocationInfo([][]byte{s.crl(t, false), other})
	if len(cev.CRLs) != 1 || len(cev.OCSP) != 1 || cev.Source != revocation.SourceCMS {
		t.Fatalf("cms: %d CRLs, %d OCSP", len(cev.CRLs), len(cev.OCSP))
	}
	if r := c.Check(context.Background(), s.leaf, s.ca, s.now, cev); r.Status != revocation.Revoked || r.Method != revocation.MethodOCSP {
		t.Errorf("cms: %v by %s", r.Status, r.Method)
	}
}
