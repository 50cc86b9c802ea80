package main

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/vanthuso/vanthu/internal/demo"
	"github.com/vanthuso/vanthu/internal/samplepdf"
	"github.com/vanthuso/vanthu/internal/testpki"
	"github.com/vanthuso/vanthu/signing/pades"
	"github.com/vanthuso/vanthu/signing/stamp"
	"github.com/vanthuso/vanthu/signing/token"
)

// nssTrusting returns an NSS database, for pdfsig, that trusts the root
// of the test PKI in dir: a PKI `vanthuctl demo` provisioned for itself,
// whose root is not the script's. The database is made once per PKI in
// the script's work directory.
func nssTrusting(ts *testscript.TestScript, dir string) string {
	dir = ts.MkAbs(dir)
	// The demo made a complete, fresh PKI there: Provision only loads it.
	p, err := testpki.Provision(dir)
	ts.Check(err)
	if p.Dir != dir {
		ts.Fatalf("test PKI loaded from %s, want %s", p.Dir, dir)
	}
	db, err := p.NSSDB(filepath.Join(ts.Getenv("WORK"), "nss-"+filepath.Base(filepath.Dir(dir))))
	ts.Check(err)
	return strings.TrimPrefix(db, "sql:")
}

// The demo's own check fails, and says why, when an output does not
// verify: bytes changed after signing, a root that is not the signer's,
// fewer signatures than the steps made.
func TestDemoVerifyFails(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	in, signed := filepath.Join(dir, "in.pdf"), filepath.Join(dir, "signed.pdf")
	if err := samplepdf.WriteFile(in, samplepdf.Options{Pages: 1}); err != nil {
		t.Fatal(err)
	}
	root, key := caAndKey(t)
	otherRoot, _ := caAndKey(t)
	var out bytes.Buffer
	c := &cli{stdout: &out, stderr: io.Discard, getenv: func(string) string { return "" }, now: time.Now}
	if _, err := c.signDocument(ctx, key, signRequest{subFilter: pades.PAdES, level: pades.LevelB, profile: stamp.Attachment, number: demo.Number}, nil, in, signed); err != nil {
		t.Fatal(err)
	}
	rootPEM := writeCertPEM(t, dir, "root.pem", root)
	otherPEM := writeCertPEM(t, dir, "other.pem", otherRoot)

	// One byte of the first stream, long before the signature, changed.
	data, err := os.ReadFile(signed)
	if err != nil {
		t.Fatal(err)
	}
	at := bytes.Index(data, []byte("stream")) + len("stream") + 10
	if at < 20 || at > len(data)/2 {
		t.Fatalf("no stream to change in %s", signed)
	}
	data[at] ^= 0x20
	tampered := filepath.Join(dir, "tampered.pdf")
	if err := os.WriteFile(tampered, data, 0o644); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name, file, trust string
		sigs              int
		want              string // in the output
		ok                bool
	}{
		{"valid", signed, rootPEM, 1, "Mọi chữ ký hợp lệ, mọi chứng thư tin cậy", true},
		{"tampered", tampered, rootPEM, 1, "tampered.pdf: 1 chữ ký, KHÔNG HỢP LỆ", false},
		{"other root", signed, otherPEM, 1, "không tin cậy", false},
		{"a signature missing", signed, rootPEM, 2, "1 chữ ký, HỢP LỆ", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out.Reset()
			d := &demoRun{c: c, env: &demo.Env{TrustRoot: tc.trust}, signed: []demoOutput{{tc.file, tc.sigs}}}
			err := d.verify(ctx)
			text := out.String()
			if tc.ok {
				if err != nil || !strings.Contains(text, tc.want) {
					t.Fatalf("err %v\n%s", err, text)
				}
				return
			}
			if err == nil || c.finish(err) != exitFailed || strings.Contains(text, "Mọi chữ ký hợp lệ") {
				t.Fatalf("err %v\n%s", err, text)
			}
			if !strings.Contains(text, tc.want) {
				t.Errorf("output lacks %q:\n%s", tc.want, text)
			}
		})
	}
}

// caAndKey makes a software root CA and a signing key with a certificate
// it issued, as a token would hold.
func caAndKey(t *testing.T) (*x509.Certificate, *signingKey) {
	t.Helper()
	ca := issue(t, "CA thử", nil, true)
	leaf := issue(t, "Người ký thử", ca, false)
	return ca.cert, &signingKey{token: token.TokenInfo{Label: "X"}, cred: token.Credential{Certificate: leaf.cert, Usable: true}, signer: leaf.key}
}

func writeCertPEM(t *testing.T, dir, name string, cert *x509.Certificate) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
