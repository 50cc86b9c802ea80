package trustlist

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io/fs"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/assets"
)

// certSpec describes a certificate for makeCert.
type certSpec struct {
	cn         string
	rawSubject []byte // used instead of cn when set (look-alikes)
	ca         bool
	noBasic    bool // no basic constraints extension
	keyUsage   x509.KeyUsage
	parent     *x509.Certificate
	parentKey  crypto.Signer
}

// makeCert issues a real certificate (ECDSA P-256) as spec says, self-signed
// without a parent, and returns it with its key.
func makeCert(t testing.TB, spec certSpec) (*x509.Certificate, crypto.Signer) {
	t.Helper()
	cert, key, err := issue(spec)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

// issue is makeCert for child processes, which have no testing.TB.
func issue(spec certSpec) (*x509.Certificate, crypto.Signer, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: spec.cn, Organization: []string{"Kiểm thử trustlist"}, Country: []string{"VN"}},
		RawSubject:            spec.rawSubject,
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		BasicConstraintsValid: !spec.noBasic,
		IsCA:                  spec.ca,
		KeyUsage:              spec.keyUsage,
	}
	if tmpl.KeyUsage == 0 && spec.ca {
		tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	}
	parent, signer := tmpl, crypto.Signer(key)
	if spec.parent != nil {
		parent, signer = spec.parent, spec.parentKey
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), signer)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	return cert, key, err
}

func pemOf(certs ...*x509.Certificate) []byte {
	var out []byte
	for _, c := range certs {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return out
}

func writeFile(t testing.TB, path string, data []byte) string {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// openssl runs the openssl command (scripts/deps.sh installs it; a missing
// openssl fails the test) and returns its standard output.
func openssl(t testing.TB, args ...string) string {
	t.Helper()
	out, err := exec.Command("openssl", args...).Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	return string(out)
}

// shippedFile writes the embedded file of e to dir and returns its path.
func shippedFile(t testing.TB, dir string, e Entry) string {
	t.Helper()
	data, err := fs.ReadFile(assets.Trust, e.File)
	if err != nil {
		t.Fatal(err)
	}
	return writeFile(t, filepath.Join(dir, filepath.Base(e.File)), data)
}

// defaultsOf returns the shipped entries with role r.
func defaultsOf(r Role) []Entry {
	var out []Entry
	for _, e := range Defaults() {
		if e.Role == r {
			out = append(out, e)
		}
	}
	return out
}

func shippedByFile(t testing.TB, file string) Entry {
	t.Helper()
	for _, e := range Defaults() {
		if e.File == file {
			return e
		}
	}
	t.Fatalf("%s is not shipped", file)
	return Entry{}
}
