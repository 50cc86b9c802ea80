package main

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/internal/samplepdf"
	"github.com/vanthuso/vanthu/signing/pades"
	"github.com/vanthuso/vanthu/signing/stamp"
	"github.com/vanthuso/vanthu/signing/token"
)

// pulledSigner is a software key that behaves like a token pulled out
// after a number of signatures.
type pulledSigner struct {
	crypto.Signer
	left int
}

func (s *pulledSigner) Sign(r io.Reader, digest []byte, o crypto.SignerOpts) ([]byte, error) {
	if s.left == 0 {
		return nil, fmt.Errorf("sign with token %q: %w", "X", token.ErrTokenRemoved)
	}
	s.left--
	return s.Signer.Sign(r, digest, o)
}

func softwareKey(t *testing.T, signatures int) *signingKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Người ký thử", Organization: []string{"Cơ quan thử"}},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &signingKey{
		token:  token.TokenInfo{Label: "X"},
		cred:   token.Credential{Certificate: cert, Usable: true},
		signer: &pulledSigner{Signer: k, left: signatures},
	}
}

// TestBatchStopsWhenTokenRemoved: a failed file does not stop a batch, a
// token that goes away does, with exit code 3 and the files not tried
// reported.
func TestBatchStopsWhenTokenRemoved(t *testing.T) {
	in, out := t.TempDir(), t.TempDir()
	var names []string
	for i := 1; i <= 6; i++ {
		name := fmt.Sprintf("doc-%d.pdf", i)
		names = append(names, name)
		if err := samplepdf.WriteFile(filepath.Join(in, name), samplepdf.Options{}); err != nil {
			t.Fatal(err)
		}
	}
	// doc-2 is broken: an input error, the batch goes on.
	if err := os.WriteFile(filepath.Join(in, "doc-2.pdf"), []byte("%PDF-1.4\nbroken"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	c := &cli{lang: vi, stdout: &stdout, stderr: &stderr, now: time.Now}
	req := signRequest{profile: stamp.Approval, level: pades.LevelB, subFilter: pades.PAdES}
	// Two signatures succeed (doc-1, doc-3), the third (doc-4) meets a
	// removed token.
	err := c.runBatch(context.Background(), softwareKey(t, 2), req, names, signFlags{batch: in, outDir: out, json: true})
	code, msg := c.explain(err)
	if code != exitToken || !strings.Contains(msg, "Đã dừng cả lô: Thiết bị ký số đã bị rút ra") || !strings.Contains(msg, "Còn 2 tệp chưa ký") {
		t.Errorf("exit %d, %q", code, msg)
	}
	for _, want := range []string{"[1/6] doc-1.pdf … ok", "[2/6] doc-2.pdf … LỖI: Tệp không phải PDF", "[3/6] doc-3.pdf … ok",
		"[4/6] doc-4.pdf … LỖI: Thiết bị ký số đã bị rút ra", "Đã ký 2/6 tệp (2 lỗi, 2 chưa ký)"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
	if strings.Contains(stderr.String(), "doc-5") {
		t.Errorf("the batch went on after the token was removed:\n%s", stderr.String())
	}
	if n := strings.Count(stdout.String(), `"status": "not-attempted"`); n != 2 {
		t.Errorf("%d files not attempted in the JSON, want 2:\n%s", n, stdout.String())
	}
	entries, _ := os.ReadDir(out)
	if len(entries) != 2 {
		t.Errorf("%d files in the output folder, want 2 (no partial file)", len(entries))
	}
}
