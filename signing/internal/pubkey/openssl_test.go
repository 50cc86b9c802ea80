package pubkey

import (
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// bigExponent is the public exponent of the EU qualified certificates Go
// refuses: 2³² + 15, above crypto/rsa's limit of 2³¹-1.
const bigExponent = 4294967311

func opensslPath(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("openssl")
	if err != nil {
		t.Fatalf("openssl not found (scripts/deps.sh installs it; make test runs it first): %v", err)
	}
	return p
}

func runOpenSSL(t testing.TB, args ...string) []byte {
	t.Helper()
	out, err := exec.Command(opensslPath(t), args...).CombinedOutput()
	if err != nil {
		t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

type bigKey struct {
	dir, keyPEM string
	pub         *rsa.PublicKey
}

var (
	bigKeyOnce sync.Once
	bigKeyVal  *bigKey
	bigKeyErr  string
)

// largeExponentKey generates, once per test binary, a 2048-bit RSA key
// with e = 4294967311 by OpenSSL, as the brief's command does:
//
//	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -pkeyopt rsa_keygen_pubexp:4294967311
func largeExponentKey(t testing.TB) *bigKey {
	t.Helper()
	bigKeyOnce.Do(func() {
		dir, err := os.MkdirTemp("", "pubkey-bigexp-")
		if err != nil {
			bigKeyErr = err.Error()
			return
		}
		k := &bigKey{dir: dir, keyPEM: filepath.Join(dir, "key.pem")}
		out, err := exec.Command(opensslPath(t), "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
			"-pkeyopt", fmt.Sprintf("rsa_keygen_pubexp:%d", bigExponent), "-out", k.keyPEM).CombinedOutput()
		if err != nil {
			bigKeyErr = fmt.Sprintf("openssl genpkey: %v\n%s", err, out)
			return
		}
		pubPEM, err := exec.Command(opensslPath(t), "pkey", "-in", k.keyPEM, "-pubout").Output()
		if err != nil {
			bigKeyErr = fmt.Sprintf("openssl pkey: %v", err)
			return
		}
		b, _ := pem.Decode(pubPEM)
		if b == nil {
			bigKeyErr = "openssl pkey: no PEM"
			return
		}
		pub, err := x509.ParsePKIXPublicKey(b.Bytes)
		if err != nil {
			bigKeyErr = err.Error()
			return
		}
		k.pub = pub.(*rsa.PublicKey)
		bigKeyVal = k
	})
	if bigKeyVal == nil {
		t.Fatal(bigKeyErr)
	}
	return bigKeyVal
}

func TestMain(m *testing.M) {
	code := m.Run()
	if bigKeyVal != nil {
		os.RemoveAll(bigKeyVal.dir)
	}
	os.Exit(code)
}

// TestOpenSSLLargeExponent verifies OpenSSL's PKCS#1 v1.5 and PSS
// signatures (openssl dgst) by a key with e = 4294967311, which crypto/rsa
// refuses, and refuses tampered ones with ErrVerification.
func TestOpenSSLLargeExponent(t *testing.T) {
	k := largeExponentKey(t)
	if k.pub.E != bigExponent {
		t.Fatalf("exponent %d", k.pub.E)
	}
	msg := filepath.Join(t.TempDir(), "msg.txt")
	content := "Văn bản ký số: công văn 123/UBND-VP\n"
	if err := os.WriteFile(msg, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	// The reason this package exists.
	d256 := digestOf(crypto.SHA256, content)
	if err := rsa.VerifyPKCS1v15(k.pub, crypto.SHA256, d256, make([]byte, 256)); err == nil || !strings.Contains(err.Error(), "exponent") {
		t.Logf("crypto/rsa now says %v for this key; the math/big path is still tested below", err)
	}

	type sigCase struct {
		name string
		h    crypto.Hash
		opts []string
		pss  int // salt length to verify with, when PSS
	}
	var cases []sigCase
	for _, h := range []crypto.Hash{crypto.SHA1, crypto.SHA224, crypto.SHA256, crypto.SHA384, crypto.SHA512} {
		cases = append(cases, sigCase{name: "pkcs1/" + h.String(), h: h})
	}
	for _, h := range []crypto.Hash{crypto.SHA1, crypto.SHA256, crypto.SHA384, crypto.SHA512} {
		for _, s := range []struct {
			opt  string
			salt int
		}{{"digest", rsa.PSSSaltLengthEqualsHash}, {"max", rsa.PSSSaltLengthAuto}, {"0", rsa.PSSSaltLengthAuto}, {"20", 20}} {
			cases = append(cases, sigCase{
				name: fmt.Sprintf("pss/%v/salt-%s", h, s.opt), h: h, pss: s.salt,
				opts: []string{"-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:" + s.opt},
			})
		}
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sigPath := filepath.Join(t.TempDir(), fmt.Sprintf("sig%d.bin", i))
			args := append([]string{"dgst", "-" + strings.ReplaceAll(strings.ToLower(c.h.String()), "-", ""), "-sign", k.keyPEM, "-out", sigPath}, c.opts...)
			runOpenSSL(t, append(args, msg)...)
			sig, err := os.ReadFile(sigPath)
			if err != nil {
				t.Fatal(err)
			}
			d := digestOf(c.h, content)
			verify := func(d, sig []byte) error {
				if c.opts == nil {
					return VerifyPKCS1v15(k.pub, c.h, d, sig)
				}
				return VerifyPSS(k.pub, c.h, d, sig, c.pss)
			}
			if err := verify(d, sig); err != nil {
				t.Fatalf("OpenSSL's signature refused: %v", err)
			}
			for j, bad := range [][2][]byte{
				{d, flip(sig, 0)}, {d, flip(sig, 128)}, {d, flip(sig, len(sig)-1)},
				{digestOf(c.h, content+"!"), sig},
			} {
				if err := verify(bad[0], bad[1]); !errors.Is(err, ErrVerification) {
					t.Errorf("tampered case %d: %v, want ErrVerification", j, err)
				}
			}
			if c.opts != nil && c.pss == 20 {
				if err := VerifyPSS(k.pub, c.h, d, sig, 21); !errors.Is(err, ErrVerification) {
					t.Errorf("wrong salt length: %v", err)
				}
			}
			if c.opts != nil {
				// A PSS signature is not a PKCS#1 v1.5 one, and back.
				if err := VerifyPKCS1v15(k.pub, c.h, d, sig); !errors.Is(err, ErrVerification) {
					t.Errorf("pss signature as pkcs1: %v", err)
				}
			} else if err := VerifyPSS(k.pub, c.h, d, sig, 0); !errors.Is(err, ErrVerification) {
				t.Errorf("pkcs1 signature as pss: %v", err)
			}
		})
	}
}

// TestOpenSSLLargeExponentCertificates verifies self-signed certificates
// made by OpenSSL with the large-exponent key, PKCS#1 v1.5 and PSS.
func TestOpenSSLLargeExponentCertificates(t *testing.T) {
	k := largeExponentKey(t)
	for _, c := range []struct {
		name string
		alg  x509.SignatureAlgorithm
		opts []string
	}{
		{"sha256", x509.SHA256WithRSA, []string{"-sha256"}},
		{"sha1", x509.SHA1WithRSA, []string{"-sha1"}},
		{"pss-sha384", x509.SHA384WithRSAPSS, []string{"-sha384", "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "cert.pem")
			runOpenSSL(t, append([]string{"req", "-x509", "-new", "-key", k.keyPEM, "-subj", "/CN=Exponent 4294967311/O=Test",
				"-days", "30", "-out", path}, c.opts...)...)
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			p, _ := pem.Decode(b)
			if p == nil {
				t.Fatal("no PEM")
			}
			cert, err := x509.ParseCertificate(p.Bytes)
			if err != nil {
				t.Fatal(err)
			}
			if cert.SignatureAlgorithm != c.alg {
				t.Fatalf("algorithm %v, want %v", cert.SignatureAlgorithm, c.alg)
			}
			h, err := VerifyCertificateSignature(cert.SignatureAlgorithm, cert.PublicKey, cert.RawTBSCertificate, cert.Signature)
			if err != nil {
				t.Fatalf("verify: %v", err)
			}
			if want := certAlgorithms[c.alg].hash; h != want {
				t.Errorf("hash %v, want %v", h, want)
			}
			if _, err := VerifyCertificateSignature(cert.SignatureAlgorithm, cert.PublicKey, flip(cert.RawTBSCertificate, 40), cert.Signature); !errors.Is(err, ErrVerification) {
				t.Errorf("tampered certificate: %v", err)
			}
		})
	}
}
