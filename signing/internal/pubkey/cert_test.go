package pubkey

import (
	"crypto"
	"crypto/dsa"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"testing"
	"time"
)

func selfSigned(t *testing.T, key crypto.Signer, alg x509.SignatureAlgorithm) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber:       big.NewInt(7),
		Subject:            pkix.Name{CommonName: "Chữ ký thử " + alg.String()},
		NotBefore:          time.Now().Add(-time.Hour),
		NotAfter:           time.Now().Add(time.Hour),
		SignatureAlgorithm: alg,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestCertificateSignatures verifies certificates of every supported
// algorithm, the SHA-1 ones included, cross-checked with crypto/x509's
// CheckSignatureFrom where Go accepts the algorithm, and refuses tampered
// ones.
func TestCertificateSignatures(t *testing.T) {
	rsaKey := normalKeys(t)[0]
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	p521, _ := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	cases := []struct {
		key  crypto.Signer
		alg  x509.SignatureAlgorithm
		hash crypto.Hash
	}{
		{rsaKey, x509.SHA1WithRSA, crypto.SHA1},
		{rsaKey, x509.SHA256WithRSA, crypto.SHA256},
		{rsaKey, x509.SHA384WithRSA, crypto.SHA384},
		{rsaKey, x509.SHA512WithRSA, crypto.SHA512},
		{rsaKey, x509.SHA256WithRSAPSS, crypto.SHA256},
		{rsaKey, x509.SHA384WithRSAPSS, crypto.SHA384},
		{rsaKey, x509.SHA512WithRSAPSS, crypto.SHA512},
		{p256, x509.ECDSAWithSHA1, crypto.SHA1},
		{p256, x509.ECDSAWithSHA256, crypto.SHA256},
		{p384, x509.ECDSAWithSHA384, crypto.SHA384},
		{p521, x509.ECDSAWithSHA512, crypto.SHA512},
		{edKey, x509.PureEd25519, crypto.SHA512},
	}
	for _, c := range cases {
		t.Run(c.alg.String(), func(t *testing.T) {
			cert := selfSigned(t, c.key, c.alg)
			h, err := VerifyCertificateSignature(cert.SignatureAlgorithm, cert.PublicKey, cert.RawTBSCertificate, cert.Signature)
			if err != nil || h != c.hash {
				t.Fatalf("hash %v, err %v", h, err)
			}
			if c.hash != crypto.SHA1 {
				if err := cert.CheckSignature(cert.SignatureAlgorithm, cert.RawTBSCertificate, cert.Signature); err != nil {
					t.Fatalf("crypto/x509 disagrees: %v", err)
				}
			}
			if _, err := VerifyCertificateSignature(cert.SignatureAlgorithm, cert.PublicKey, flip(cert.RawTBSCertificate, 50), cert.Signature); !errors.Is(err, ErrVerification) {
				t.Errorf("tampered: %v", err)
			}
			if _, err := VerifyCertificateSignature(cert.SignatureAlgorithm, cert.PublicKey, cert.RawTBSCertificate, flip(cert.Signature, 5)); !errors.Is(err, ErrVerification) {
				t.Errorf("tampered signature: %v", err)
			}
			// The signature of one key is not verified by another.
			otherKey := map[bool]crypto.PublicKey{true: p384.Public(), false: rsaKey.Public()}[c.key == rsaKey]
			if _, err := VerifyCertificateSignature(cert.SignatureAlgorithm, otherKey, cert.RawTBSCertificate, cert.Signature); !errors.Is(err, ErrVerification) {
				t.Errorf("another key: %v", err)
			}
		})
	}
}

// TestCertificateSignatureRefusals: algorithms, curves and key types that
// cannot be checked are ErrUnsupported, never ErrVerification.
func TestCertificateSignatureRefusals(t *testing.T) {
	rsaKey := normalKeys(t)[0]
	cert := selfSigned(t, rsaKey, x509.SHA256WithRSA)
	for _, alg := range []x509.SignatureAlgorithm{x509.MD5WithRSA, x509.MD2WithRSA, x509.DSAWithSHA1, x509.DSAWithSHA256, x509.UnknownSignatureAlgorithm, 999} {
		if h, err := VerifyCertificateSignature(alg, cert.PublicKey, cert.RawTBSCertificate, cert.Signature); !errors.Is(err, ErrUnsupported) || h != 0 {
			t.Errorf("%v: hash %v, %v, want ErrUnsupported", alg, h, err)
		}
	}
	p224, _ := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	c224 := selfSigned(t, p224, x509.ECDSAWithSHA256)
	if _, err := VerifyCertificateSignature(c224.SignatureAlgorithm, c224.PublicKey, c224.RawTBSCertificate, c224.Signature); !errors.Is(err, ErrUnsupported) {
		t.Errorf("P-224: %v", err)
	}
	for name, k := range map[string]crypto.PublicKey{
		"ecdsa without point": &ecdsa.PublicKey{Curve: elliptic.P256()},
		"nil ecdsa":           (*ecdsa.PublicKey)(nil),
		"short ed25519":       ed25519.PublicKey(make([]byte, 31)),
		"rsa without modulus": &rsa.PublicKey{E: 65537},
		"nil rsa":             (*rsa.PublicKey)(nil),
	} {
		alg := map[string]x509.SignatureAlgorithm{"short ed25519": x509.PureEd25519, "rsa without modulus": x509.SHA256WithRSA, "nil rsa": x509.SHA256WithRSA}[name]
		if alg == 0 {
			alg = x509.ECDSAWithSHA256
		}
		if _, err := VerifyCertificateSignature(alg, k, []byte("tbs"), []byte("sig")); !errors.Is(err, ErrUnsupported) {
			t.Errorf("%s: %v, want ErrUnsupported", name, err)
		}
	}
	// A key of a type the algorithm does not name did not make the
	// signature: ErrVerification, DSA keys included.
	for _, k := range []crypto.PublicKey{&dsa.PublicKey{}, "not a key", nil} {
		if _, err := VerifyCertificateSignature(x509.SHA256WithRSA, k, cert.RawTBSCertificate, cert.Signature); !errors.Is(err, ErrVerification) {
			t.Errorf("%T key: %v, want ErrVerification", k, err)
		}
	}
}
