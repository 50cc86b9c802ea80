package edxml

import (
	"bytes"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vanthuso/vanthu/internal/testpki"
)

// xmlsec1Verify runs the real xmlsec1 on a message, trusting the test
// root; it reports whether xmlsec1 accepts the signature, with its
// output.
func xmlsec1Verify(t *testing.T, p *testpki.PKI, msg []byte) (bool, string) {
	t.Helper()
	if _, err := exec.LookPath("xmlsec1"); err != nil {
		t.Fatalf("xmlsec1 is needed (scripts/deps.sh installs it): %v", err)
	}
	dir := t.TempDir()
	root := filepath.Join(dir, "root.pem")
	if err := os.WriteFile(root, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.Root.Cert.Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(dir, "msg.edxml")
	if err := os.WriteFile(f, msg, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("xmlsec1", "--verify", "--trusted-pem", root, f).CombinedOutput()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	return err == nil, string(out)
}

// signWith signs m with the key of id on its SoftHSM2 token.
func signWith(t *testing.T, p *testpki.PKI, id testpki.Identity, m *Message) []byte {
	t.Helper()
	signer, closer, err := p.Signer(id, testpki.UserPIN)
	if err != nil {
		t.Fatal(err)
	}
	defer closer.Close()
	return writeBytes(t, m, &WriteOptions{Signer: signer, Certificate: id.Cert, Chain: id.Embedded()})
}

// TestSignXmlsec1 signs corpus messages (a document with its attachment,
// a status) with the agency's key on a SoftHSM2 token (RSA) and with an
// ECDSA key: our Verify returns the signer's certificate, and xmlsec1
// verifies the same bytes. One changed byte in the header, in the
// attachment's base64 or in the signature value fails both.
func TestSignXmlsec1(t *testing.T) {
	p := testpki.New(t)
	dir := filepath.Dir(corpusFiles(t)[0])
	for _, tc := range []struct {
		file string
		id   testpki.Identity
	}{
		{"edoc_new.edxml", p.Agency},
		{"status_rejection_02.edxml", p.Agency},
		{"edoc_update.edxml", p.ECDSA},
	} {
		t.Run(tc.file+"/"+tc.id.TokenLabel, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(dir, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			signed := signWith(t, p, tc.id, readBytes(t, raw))
			m := readBytes(t, signed)
			cert, err := m.Verify()
			if err != nil {
				t.Fatalf("our verify: %v", err)
			}
			if !cert.Equal(tc.id.Cert) {
				t.Fatalf("signer %s, want %s", cert.Subject, tc.id.Cert.Subject)
			}
			if ok, out := xmlsec1Verify(t, p, signed); !ok {
				t.Fatalf("xmlsec1 refuses our signature:\n%s\n%s", out, signed)
			}
			tamper := []struct{ what, old, new string }{
				{"header", "<edXML:OrganId>0", "<edXML:OrganId>1"},
				{"header text", "<edXML:Staff>", "<edXML:Staff>X"},
			}
			if m.Kind == KindEdoc {
				tamper = append(tamper, struct{ what, old, new string }{"attachment", "<edXML:ContentTransferEncoded>UEsDB", "<edXML:ContentTransferEncoded>UEsDC"})
			}
			for _, tm := range tamper {
				if !bytes.Contains(signed, []byte(tm.old)) {
					t.Fatalf("%s: %q not in the message", tm.what, tm.old)
				}
				bad := bytes.Replace(signed, []byte(tm.old), []byte(tm.new), 1)
				if ok, out := xmlsec1Verify(t, p, bad); ok {
					t.Errorf("%s changed: xmlsec1 still verifies:\n%s", tm.what, out)
				}
				mb, err := Read(bytes.NewReader(bad), &Options{TempDir: t.TempDir()})
				if err != nil {
					if tm.what == "attachment" && errors.Is(err, ErrAttachment) {
						continue // the changed ZIP no longer reads: refused before any signature check
					}
					t.Fatalf("%s changed: %v", tm.what, err)
				}
				_, err = mb.Verify()
				mb.Close()
				if !errors.Is(err, ErrSignature) {
					t.Errorf("%s changed: our verify says %v, want ErrSignature", tm.what, err)
				}
			}
		})
	}
}

// TestVerifyErrors: the corpus's copied placeholder signatures (in the
// edXML namespace, not XMLDSig's) are refused with a clear reason; an
// unsigned message says so; a signature with its value changed is
// refused with the value named.
func TestVerifyErrors(t *testing.T) {
	dir := filepath.Dir(corpusFiles(t)[0])
	raw, err := os.ReadFile(filepath.Join(dir, "edoc_new.edxml"))
	if err != nil {
		t.Fatal(err)
	}
	m := readBytes(t, raw)
	if _, err := m.Verify(); !errors.Is(err, ErrSignature) || !errors.Is(err, ErrNotXMLDSig) || !strings.Contains(err.Error(), "XMLDSig namespace") {
		t.Fatalf("placeholder signature: %v", err)
	}
	unsigned := readBytes(t, writeBytes(t, m, nil))
	if _, err := unsigned.Verify(); !errors.Is(err, ErrUnsigned) {
		t.Fatalf("unsigned: %v", err)
	}
	var vi, en string
	if _, err := unsigned.Verify(); err != nil {
		vi, en = Explain(err)
	}
	if !strings.Contains(vi, "không có chữ ký") || !strings.Contains(en, "no XML signature") {
		t.Fatalf("explained as %q / %q", vi, en)
	}

	p := testpki.New(t)
	signed := signWith(t, p, p.Agency, m)
	i := bytes.Index(signed, []byte("<SignatureValue>")) + len("<SignatureValue>")
	bad := append([]byte(nil), signed...)
	if bad[i] == 'A' {
		bad[i] = 'B'
	} else {
		bad[i] = 'A'
	}
	_, err = readBytes(t, bad).Verify()
	if !errors.Is(err, ErrSignature) || !strings.Contains(err.Error(), "SignatureValue") {
		t.Fatalf("changed value: %v", err)
	}
	// The signer's certificate is what KeyInfo carries first.
	if c, err := readBytes(t, signed).Verify(); err != nil || !c.Equal(p.Agency.Cert) {
		t.Fatalf("signed: %v", err)
	}
}
