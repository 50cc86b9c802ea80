package cms

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Test PKI: an in-memory root → intermediate → leaf chain.

var (
	keyMu    sync.Mutex
	keyCache = map[string]crypto.Signer{}
	serial   atomic.Int64
)

// testKey returns a key of the given kind ("rsa2048", "rsa4096", "p256",
// "p384", "p521"), generated once per test binary.
func testKey(t testing.TB, kind string) crypto.Signer {
	t.Helper()
	keyMu.Lock()
	defer keyMu.Unlock()
	if k, ok := keyCache[kind]; ok {
		return k
	}
	var k crypto.Signer
	var err error
	switch kind {
	case "rsa2048":
		k, err = rsa.GenerateKey(rand.Reader, 2048)
	case "rsa3072":
		k, err = rsa.GenerateKey(rand.Reader, 3072)
	case "rsa4096":
		k, err = rsa.GenerateKey(rand.Reader, 4096)
	case "p256":
		k, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "p384":
		k, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case "p521":
		k, err = ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	default:
		t.Fatalf("unknown key kind %q", kind)
	}
	if err != nil {
		t.Fatal(err)
	}
	keyCache[kind] = k
	return k
}

type testPKI struct {
	root, inter       *x509.Certificate
	rootKey, interKey crypto.Signer
}

func newTestPKI(t testing.TB) *testPKI {
	t.Helper()
	p := &testPKI{rootKey: testKey(t, "p384"), interKey: testKey(t, "p256")}
	p.root = issueCert(t, &x509.Certificate{
		Subject:               pkix.Name{CommonName: "Văn Thư Số Test Root", Organization: []string{"Văn Thư Số"}},
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}, nil, p.rootKey, p.rootKey)
	p.inter = issueCert(t, &x509.Certificate{
		Subject:               pkix.Name{CommonName: "Văn Thư Số Test CA G2", Organization: []string{"Văn Thư Số"}},
		IsCA:                  true,
		BasicConstraintsValid: true,
		MaxPathLenZero:        true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}, p.root, p.rootKey, p.interKey)
	return p
}

func issueCert(t testing.TB, tmpl, parent *x509.Certificate, parentKey, key crypto.Signer) *x509.Certificate {
	t.Helper()
	tmpl.SerialNumber = new(big.Int).Lsh(big.NewInt(serial.Add(1)), 64) // long serials, like real CAs
	tmpl.NotBefore = time.Now().Add(-time.Hour)
	tmpl.NotAfter = time.Now().Add(24 * time.Hour)
	if parent == nil {
		parent = tmpl
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), parentKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// signerCert issues a document-signing leaf for key.
func (p *testPKI) signerCert(t testing.TB, key crypto.Signer, cn string) *x509.Certificate {
	return issueCert(t, &x509.Certificate{
		Subject:  pkix.Name{CommonName: cn, Organization: []string{"Ủy ban nhân dân tỉnh Thử Nghiệm"}, Country: []string{"VN"}},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		ExtKeyUsage: []x509.ExtKeyUsage{
			x509.ExtKeyUsageEmailProtection,
		},
		UnknownExtKeyUsage: []asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 36}},
	}, p.inter, p.interKey, key)
}

// tsaCert issues a time-stamping leaf; the EKU extension is critical and
// holds timeStamping only, as RFC 3161 and OpenSSL want.
func (p *testPKI) tsaCert(t testing.TB, key crypto.Signer) *x509.Certificate {
	eku, _ := asn1.Marshal([]asn1.ObjectIdentifier{OIDExtKeyUsageTimeStamping})
	return issueCert(t, &x509.Certificate{
		Subject:         pkix.Name{CommonName: "Máy chủ dấu thời gian thử nghiệm"},
		KeyUsage:        x509.KeyUsageDigitalSignature,
		ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 37}, Critical: true, Value: eku}},
	}, p.inter, p.interKey, key)
}

func writePEM(t testing.TB, dir, name string, certs ...*x509.Certificate) string {
	t.Helper()
	var b []byte
	for _, c := range certs {
		b = append(b, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// countingSigner counts Sign calls and can fail or corrupt signatures.
type countingSigner struct {
	crypto.Signer
	calls   atomic.Int32
	err     error
	corrupt bool
}

func (s *countingSigner) Sign(r io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	s.calls.Add(1)
	if s.err != nil {
		return nil, s.err
	}
	sig, err := s.Signer.Sign(r, digest, opts)
	if err == nil && s.corrupt {
		sig[len(sig)/2] ^= 0x40
	}
	return sig, err
}

// fakeTSA issues timestamp tokens in-process with SignEncapsulated.
type fakeTSA struct {
	key   crypto.Signer
	cert  *x509.Certificate
	chain []*x509.Certificate
	calls atomic.Int32
	err   error
	// wrongImprint answers for another digest.
	wrongImprint bool
	// noCerts leaves the TSA certificate out.
	noCerts bool
}

func newFakeTSA(t testing.TB, p *testPKI, kind string) *fakeTSA {
	k := testKey(t, kind)
	return &fakeTSA{key: k, cert: p.tsaCert(t, k), chain: []*x509.Certificate{p.inter}}
}

func (f *fakeTSA) Timestamp(ctx context.Context, digest []byte, h crypto.Hash) ([]byte, error) {
	n := f.calls.Add(1)
	if f.err != nil {
		return nil, f.err
	}
	msg := append([]byte{}, digest...)
	if f.wrongImprint {
		msg[0] ^= 1
	}
	ts := &Timestamp{
		Policy:        asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 32473, 2, 1},
		Hash:          h,
		HashedMessage: msg,
		SerialNumber:  new(big.Int).Lsh(big.NewInt(int64(n)), 70),
		Time:          time.Now(),
		Accuracy:      time.Second,
		Nonce:         big.NewInt(1 << 62),
	}
	info, err := ts.MarshalTSTInfo()
	if err != nil {
		return nil, err
	}
	return SignEncapsulated(ctx, OIDTSTInfo, info, SignOptions{
		Signer: f.key, Certificate: f.cert, Chain: f.chain, OmitCertificates: f.noCerts,
	})
}

var errTokenRemoved = errors.New("token removed")

func keyDesc(k crypto.Signer) string {
	switch pk := k.Public().(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA-%d", pk.N.BitLen())
	case *ecdsa.PublicKey:
		return "ECDSA-" + pk.Curve.Params().Name
	}
	return fmt.Sprintf("%T", k)
}
