package certpath

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"math/big"
	"sync/atomic"
	"testing"
	"time"
)

// A generator of certificates with in-memory keys, for what the test PKI
// on SoftHSM2 does not have.

var serialCounter atomic.Int64

// testNow is the reference time of generated certificates.
var testNow = time.Now().UTC().Truncate(time.Second)

type genCA struct {
	cert *x509.Certificate
	key  crypto.Signer
}

func p256(t testing.TB) crypto.Signer {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func skid(pub crypto.PublicKey) []byte {
	der, _ := x509.MarshalPKIXPublicKey(pub)
	s := sha256.Sum256(der)
	return s[:20]
}

// template returns a certificate template named cn, valid from an hour ago
// for a day; ca makes it a CA (key usage keyCertSign).
func template(cn string, ca bool) *x509.Certificate {
	t := &x509.Certificate{
		SerialNumber: big.NewInt(serialCounter.Add(1)),
		Subject:      pkix.Name{CommonName: cn, Organization: []string{"Kiểm thử đường dẫn"}, Country: []string{"VN"}},
		NotBefore:    testNow.Add(-time.Hour),
		NotAfter:     testNow.Add(24 * time.Hour),
	}
	if ca {
		t.IsCA, t.BasicConstraintsValid = true, true
		t.MaxPathLen = -1
		t.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	} else {
		t.BasicConstraintsValid = true
		t.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment
	}
	return t
}

// create signs tmpl for key with the issuer's key (self-signed when issuer
// is nil).
func create(t testing.TB, tmpl *x509.Certificate, key crypto.Signer, issuer *genCA) *x509.Certificate {
	t.Helper()
	if tmpl.SubjectKeyId == nil {
		tmpl.SubjectKeyId = skid(key.Public())
	}
	parent, parentKey := tmpl, key
	if issuer != nil {
		parent, parentKey = issuer.cert, issuer.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), parentKey)
	return parsed(t, der, err)
}

// parsed parses the DER a generator made (err is the generator's).
func parsed(t testing.TB, der []byte, err error) *x509.Certificate {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// assemble encodes a Certificate from its parts.
func assemble(t testing.TB, tbs, algID, sig []byte) *x509.Certificate {
	t.Helper()
	der, err := asn1.Marshal(struct {
		TBS asn1.RawValue
		Alg asn1.RawValue
		Sig asn1.BitString
	}{asn1.RawValue{FullBytes: tbs}, asn1.RawValue{FullBytes: algID}, asn1.BitString{Bytes: sig, BitLength: 8 * len(sig)}})
	return parsed(t, der, err)
}

func newRoot(t testing.TB, cn string, mod func(*x509.Certificate)) *genCA {
	t.Helper()
	tmpl := template(cn, true)
	if mod != nil {
		mod(tmpl)
	}
	k := p256(t)
	return &genCA{create(t, tmpl, k, nil), k}
}

// issue makes a certificate named cn under ca, a CA itself when isCA.
func (ca *genCA) issue(t testing.TB, cn string, isCA bool, mod func(*x509.Certificate)) *genCA {
	t.Helper()
	tmpl := template(cn, isCA)
	if mod != nil {
		mod(tmpl)
	}
	k := p256(t)
	return &genCA{create(t, tmpl, k, ca), k}
}

// issueWithKey is issue for a given key.
func (ca *genCA) issueWithKey(t testing.TB, tmpl *x509.Certificate, key crypto.Signer) *genCA {
	t.Helper()
	return &genCA{create(t, tmpl, key, ca), key}
}

// certsOf lists the certificates of cas.
func certsOf(cas ...*genCA) []*x509.Certificate {
	out := make([]*x509.Certificate, len(cas))
	for i, c := range cas {
		out[i] = c.cert
	}
	return out
}

// wantCode runs Build and checks that it fails with code, about cert when
// cert is not nil.
func wantCode(t *testing.T, leaf *x509.Certificate, o Options, code Code, cert *x509.Certificate) *Error {
	t.Helper()
	p, err := Build(context.Background(), leaf, o)
	if err == nil {
		t.Fatalf("built a path of %d certificates, want %s", len(p.Certs), code)
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %T %v is not *Error", err, err)
	}
	if e.Code != code {
		t.Fatalf("code %s, want %s: %v", e.Code, code, err)
	}
	if cert != nil && (e.Cert == nil || !e.Cert.Equal(cert)) {
		name := "nil"
		if e.Cert != nil {
			name = e.Cert.Subject.CommonName
		}
		t.Errorf("error about %s, want %s: %v", name, cert.Subject.CommonName, err)
	}
	return e
}

// wantPath runs Build and checks that the path is want (leaf first).
func wantPath(t *testing.T, leaf *x509.Certificate, o Options, want ...*x509.Certificate) *Path {
	t.Helper()
	p, err := Build(context.Background(), leaf, o)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	if len(p.Certs) != len(want) {
		t.Fatalf("path of %d certificates %v, want %d", len(p.Certs), names(p.Certs), len(want))
	}
	for i := range want {
		if !p.Certs[i].Equal(want[i]) {
			t.Fatalf("path %v, want %v", names(p.Certs), names(want))
		}
	}
	if !p.Anchor.Equal(want[len(want)-1]) {
		t.Errorf("anchor %s", p.Anchor.Subject.CommonName)
	}
	return p
}

func names(cs []*x509.Certificate) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Subject.CommonName)
	}
	return out
}

// resign rewrites cert's signature algorithm (inner and outer) to alg and
// signs the new TBSCertificate with key and hash h, as a legacy CA would
// (Go refuses to make MD5 signatures).
func resign(t testing.TB, cert *x509.Certificate, alg asn1.ObjectIdentifier, h crypto.Hash, key *rsa.PrivateKey) *x509.Certificate {
	t.Helper()
	var fields []asn1.RawValue
	rest := cert.RawTBSCertificate
	var tbs asn1.RawValue
	if _, err := asn1.Unmarshal(rest, &tbs); err != nil {
		t.Fatal(err)
	}
	for body := tbs.Bytes; len(body) > 0; {
		var f asn1.RawValue
		var err error
		if body, err = asn1.Unmarshal(body, &f); err != nil {
			t.Fatal(err)
		}
		fields = append(fields, f)
	}
	algID, _ := asn1.Marshal(pkix.AlgorithmIdentifier{Algorithm: alg, Parameters: asn1.NullRawValue})
	fields[2] = asn1.RawValue{FullBytes: algID} // [0] version, serial, signature
	var body []byte
	for _, f := range fields {
		body = append(body, f.FullBytes...)
	}
	newTBS, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: body})
	d := h.New()
	d.Write(newTBS)
	sig, err := rsa.SignPKCS1v15(nil, key, h, d.Sum(nil))
	if err != nil {
		t.Fatal(err)
	}
	return assemble(t, newTBS, algID, sig)
}

// v1Cert makes a version 1 certificate (no extensions) for key, signed by
// signer (ECDSA-SHA256); self-signed when issuer is nil.
func v1Cert(t testing.TB, cn string, key crypto.Signer, issuer *genCA) *x509.Certificate {
	t.Helper()
	subject, _ := asn1.Marshal(pkix.Name{CommonName: cn, Country: []string{"VN"}}.ToRDNSequence())
	issuerName, signer := subject, key
	if issuer != nil {
		issuerName, signer = issuer.cert.RawSubject, issuer.key
	}
	spki, _ := x509.MarshalPKIXPublicKey(key.Public())
	algID, _ := asn1.Marshal(pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}})
	validity, _ := asn1.Marshal(struct{ From, To time.Time }{testNow.Add(-time.Hour), testNow.Add(24 * time.Hour)})
	serial, _ := asn1.Marshal(big.NewInt(serialCounter.Add(1)))
	var body []byte
	for _, f := range [][]byte{serial, algID, issuerName, validity, subject, spki} {
		body = append(body, f...)
	}
	tbs, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: body})
	d := sha256.Sum256(tbs)
	sig, err := signer.Sign(rand.Reader, d[:], crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	c := assemble(t, tbs, algID, sig)
	if c.Version != 1 {
		t.Fatalf("version %d", c.Version)
	}
	return c
}
