package pades_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/internal/samplepdf"
	"github.com/vanthuso/vanthu/internal/testpki"
	"github.com/vanthuso/vanthu/signing/pades"
)

// Benchmarks of SignFile on a generated 1 MB document (2 pages). The
// "softkey" variants sign with an RSA-2048 key in Go memory, so they
// measure our code (structure reading, update, hashing, CMS, the atomic
// write with its fsync) without the token; "softhsm" signs with the
// leader's key on a SoftHSM2 token, as the product does. scripts/bench.sh
// runs them; nothing here asserts a time.

const benchDocSize = 1_000_000

func BenchmarkSign1MB(b *testing.B) {
	b.Run("softkey", func(b *testing.B) {
		benchSign(b, samplepdf.Options{Pages: 2, Size: benchDocSize}, softKeyOptions(b))
	})
	b.Run("softhsm", func(b *testing.B) {
		benchSign(b, samplepdf.Options{Pages: 2, Size: benchDocSize}, softHSMOptions(b))
	})
}

func BenchmarkSign1MBxrefStream(b *testing.B) {
	benchSign(b, samplepdf.Options{Pages: 2, Size: benchDocSize, XRefStream: true}, softKeyOptions(b))
}

// benchSign signs the same generated document over and over, each time
// into the same output path (replaced atomically by SignFile).
func benchSign(b *testing.B, doc samplepdf.Options, o pades.Options) {
	dir := b.TempDir()
	in := filepath.Join(dir, "in.pdf")
	if err := samplepdf.WriteFile(in, doc); err != nil {
		b.Fatal(err)
	}
	fi, err := os.Stat(in)
	if err != nil {
		b.Fatal(err)
	}
	out := filepath.Join(dir, "out.pdf")
	ctx := context.Background()
	b.SetBytes(fi.Size())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := pades.SignFile(ctx, in, out, o); err != nil {
			b.Fatal(err)
		}
	}
}

var softKey = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })

// softKeyOptions signs with an in-memory RSA-2048 key and a self-signed
// certificate for it.
func softKeyOptions(b *testing.B) pades.Options {
	b.Helper()
	key, err := softKey()
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "Nguyễn Văn An (benchmark)", Organization: []string{"UBND tỉnh Nghệ An (thử nghiệm)"}, Country: []string{"VN"}},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		b.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		b.Fatal(err)
	}
	return pades.Options{Signer: key, Certificate: cert, Hash: crypto.SHA256}
}

// softHSMOptions signs with the leader's key on a SoftHSM2 token of a
// private test PKI (testpki.New sets SOFTHSM2_CONF: not parallel-safe).
func softHSMOptions(b *testing.B) pades.Options {
	b.Helper()
	p := testpki.New(b)
	signer, closer, err := p.Signer(p.Leader, testpki.UserPIN)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { closer.Close() })
	var chain []*x509.Certificate
	for _, c := range p.Leader.Chain {
		if string(c.RawIssuer) != string(c.RawSubject) {
			chain = append(chain, c)
		}
	}
	return pades.Options{Signer: signer, Certificate: p.Leader.Cert, Chain: chain}
}
