package cms

import (
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestLargeExponentCMS verifies detached CMS signatures made by OpenSSL
// (openssl cms -sign) with an RSA key whose public exponent is 4294967311,
// as in EU qualified certificates: crypto/rsa refuses such keys, the
// verification goes through signing/internal/pubkey. PKCS#1 v1.5 and PSS,
// and tampered content and signatures are refused as invalid, not
// unsupported.
func TestLargeExponentCMS(t *testing.T) {
	openssl := opensslPath(t)
	dir := t.TempDir()
	run := func(args ...string) {
		t.Helper()
		if out, err := exec.Command(openssl, args...).CombinedOutput(); err != nil {
			t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	key, certPath := filepath.Join(dir, "key.pem"), filepath.Join(dir, "cert.pem")
	run("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-pkeyopt", "rsa_keygen_pubexp:4294967311", "-out", key)
	run("req", "-x509", "-new", "-key", key, "-subj", "/C=VN/O=Kiểm thử/CN=Số mũ lớn 4294967311", "-utf8", "-days", "30", "-out", certPath)
	content := []byte("Quyết định số 77/QĐ-UBND, ký bằng khóa có số mũ công khai lớn\n")
	contentPath := filepath.Join(dir, "content.txt")
	if err := os.WriteFile(contentPath, content, 0o600); err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256(content)
	for _, c := range []struct {
		name string
		opts []string
		alg  string
	}{
		{"pkcs1", nil, "RSA-SHA256"},
		{"pss", []string{"-keyopt", "rsa_padding_mode:pss"}, "RSA-PSS-SHA256"},
	} {
		t.Run(c.name, func(t *testing.T) {
			sigPath := filepath.Join(dir, c.name+".p7s")
			run(append([]string{"cms", "-sign", "-binary", "-md", "sha256", "-in", contentPath, "-signer", certPath,
				"-inkey", key, "-outform", "DER", "-out", sigPath}, c.opts...)...)
			der, err := os.ReadFile(sigPath)
			if err != nil {
				t.Fatal(err)
			}
			sd, err := Parse(der)
			if err != nil {
				t.Fatal(err)
			}
			if sd.Content != nil {
				t.Fatal("not detached")
			}
			si := &sd.Signers[0]
			cert := si.FindCertificate(sd.Certificates)
			if cert == nil {
				t.Fatal("signer certificate not found")
			}
			pub := cert.PublicKey.(*rsa.PublicKey)
			if pub.E != 4294967311 {
				t.Fatalf("exponent %d", pub.E)
			}
			if got := si.SignatureAlgorithmName(); got != c.alg {
				t.Errorf("algorithm %s, want %s", got, c.alg)
			}
			if si.SignedAttrsNotDER {
				t.Error("OpenSSL's signed attributes reported not DER")
			}
			if err := si.VerifyContentDigest(cert, digest[:]); err != nil {
				t.Fatalf("VerifyContentDigest: %v", err)
			}
			other := sha256.Sum256(append(content, '.'))
			if err := si.VerifyContentDigest(cert, other[:]); !errors.Is(err, ErrSignatureInvalid) {
				t.Errorf("other content: %v, want ErrSignatureInvalid", err)
			}
			si.Signature[len(si.Signature)/3] ^= 0x10
			if err := si.VerifyContentDigest(cert, digest[:]); !errors.Is(err, ErrSignatureInvalid) {
				t.Errorf("tampered signature: %v, want ErrSignatureInvalid", err)
			}
		})
	}
}
