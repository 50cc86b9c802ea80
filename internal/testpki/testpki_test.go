package testpki_test

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/miekg/pkcs11"

	"github.com/vanthuso/vanthu/internal/testpki"
	"github.com/vanthuso/vanthu/signing/token"
)

func TestProvisionTwice(t *testing.T) {
	before, had := os.LookupEnv(testpki.EnvConfig)
	dir := t.TempDir()
	start := time.Now()
	p1, err := testpki.Provision(dir)
	if err != nil {
		t.Fatal(err)
	}
	first := time.Since(start)
	start = time.Now()
	p2, err := testpki.Provision(dir)
	if err != nil {
		t.Fatal(err)
	}
	second := time.Since(start)
	t.Logf("provision: %v; again on the same dir: %v", first, second)
	if !bytes.Equal(p1.Leader.Cert.Raw, p2.Leader.Cert.Raw) {
		t.Error("second Provision on a complete PKI made new certificates")
	}
	if after, had2 := os.LookupEnv(testpki.EnvConfig); after != before || had2 != had {
		t.Errorf("%s changed from %q to %q without SetEnv", testpki.EnvConfig, before, after)
	}

	// A half-made PKI (no manifest) is made again, and works.
	if err := os.Remove(filepath.Join(dir, "pki.json")); err != nil {
		t.Fatal(err)
	}
	p3, err := testpki.Provision(dir, testpki.SetEnv())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if had {
			os.Setenv(testpki.EnvConfig, before)
		} else {
			os.Unsetenv(testpki.EnvConfig)
		}
	})
	if bytes.Equal(p1.Leader.Cert.Raw, p3.Leader.Cert.Raw) {
		t.Error("Provision after a lost manifest reused the old certificates")
	}
	if got := os.Getenv(testpki.EnvConfig); got != p3.ConfigPath {
		t.Errorf("SetEnv: %s = %q, want %q", testpki.EnvConfig, got, p3.ConfigPath)
	}
	signWithAndVerify(t, p3, p3.Leader)
}

func TestNewIsFastAndIsolated(t *testing.T) {
	p1 := testpki.New(t)
	start := time.Now()
	p2 := testpki.New(t)
	t.Logf("template provisioned in %v; a copy takes %v", testpki.TemplateDuration(), time.Since(start))
	if p1.Dir == p2.Dir {
		t.Fatal("two New calls share a directory")
	}
	if got := os.Getenv(testpki.EnvConfig); got != p2.ConfigPath {
		t.Errorf("%s = %q, want %q", testpki.EnvConfig, got, p2.ConfigPath)
	}
	conf, err := os.ReadFile(p2.ConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"directories.tokendir = " + filepath.Join(p2.Dir, "tokens"), "objectstore.backend = file", "log.level = ERROR"} {
		if !strings.Contains(string(conf), want) {
			t.Errorf("softhsm2.conf lacks %q:\n%s", want, conf)
		}
	}
}

func TestChainsAndSubjects(t *testing.T) {
	p := testpki.New(t)
	opts := x509.VerifyOptions{Roots: p.Roots(), Intermediates: p.Intermediates(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}
	for name, id := range map[string]testpki.Identity{
		"Leader": p.Leader, "Agency": p.Agency, "TSA": p.TSA, "ECDSA": p.ECDSA, "CertSignOnly": p.CertSignOnly, "Sub": p.Sub, "Root": p.Root,
	} {
		chains, err := id.Cert.Verify(opts)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if got := chains[0][len(chains[0])-1]; !got.Equal(p.Root.Cert) {
			t.Errorf("%s: chain ends at %s", name, got.Subject)
		}
		if len(id.Chain) == 0 && name != "Root" || len(id.Chain) > 0 && !id.Chain[len(id.Chain)-1].Equal(p.Root.Cert) {
			t.Errorf("%s: Chain does not end with Root", name)
		}
		if !bytes.Equal(id.Cert.SubjectKeyId, id.KeyID) {
			t.Errorf("%s: SubjectKeyId %x, KeyID %x", name, id.Cert.SubjectKeyId, id.KeyID)
		}
	}
	expiredOpts := opts
	expiredOpts.CurrentTime = p.Expired.Cert.NotBefore.Add(24 * time.Hour)
	if _, err := p.Expired.Cert.Verify(expiredOpts); err != nil {
		t.Errorf("Expired while it was valid: %v", err)
	}
	if _, err := p.Expired.Cert.Verify(opts); err == nil {
		t.Error("Expired verifies now")
	}

	checks := []struct{ got, want string }{
		{p.Root.Cert.Subject.CommonName, "Cơ quan chứng thực số chuyên dùng Chính phủ (thử nghiệm)"},
		{p.Root.Cert.Subject.Organization[0], "Ban Cơ yếu Chính phủ"},
		{p.Sub.Cert.Subject.CommonName, "CA phục vụ các cơ quan Nhà nước (thử nghiệm)"},
		{p.Leader.Cert.Subject.CommonName, "Nguyễn Văn An"},
		{p.Leader.Cert.Subject.Organization[0], "UBND tỉnh Nghệ An (thử nghiệm)"},
		{p.Leader.Cert.Subject.OrganizationalUnit[0], "Văn phòng"},
		{p.Leader.Cert.Subject.Locality[0], "Nghệ An"},
		{p.Leader.Cert.Subject.Country[0], "VN"},
		{attr(p.Leader.Cert, asn1.ObjectIdentifier{2, 5, 4, 12}), "Chủ tịch"},
		{p.Agency.Cert.Subject.CommonName, "UBND tỉnh Nghệ An (thử nghiệm)"},
		{attr(p.Agency.Cert, asn1.ObjectIdentifier{2, 5, 4, 97}), testpki.AgencyCode},
		{p.TSA.Cert.Subject.CommonName, "Máy chủ cấp dấu thời gian (thử nghiệm)"},
		{p.Leader.TokenLabel, testpki.LeaderToken},
		{p.TSA.TokenLabel, testpki.CAToken},
		{p.ECDSA.TokenLabel, testpki.ExtraToken},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	// The UTF-8 survives as UTF8String in the DER, not mangled.
	if !bytes.Contains(p.Leader.Cert.RawSubject, append([]byte{0x0c, byte(len("Nguyễn Văn An"))}, "Nguyễn Văn An"...)) {
		t.Error("Leader CN is not a UTF8String")
	}

	if ku := p.Leader.Cert.KeyUsage; ku != x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment {
		t.Errorf("Leader key usage %v", ku)
	}
	if p.CertSignOnly.Cert.KeyUsage != x509.KeyUsageCertSign {
		t.Errorf("CertSignOnly key usage %v", p.CertSignOnly.Cert.KeyUsage)
	}
	var ekuCritical bool
	for _, e := range p.TSA.Cert.Extensions {
		if e.Id.Equal(asn1.ObjectIdentifier{2, 5, 29, 37}) {
			ekuCritical = e.Critical
		}
	}
	if !ekuCritical || len(p.TSA.Cert.ExtKeyUsage) != 1 || p.TSA.Cert.ExtKeyUsage[0] != x509.ExtKeyUsageTimeStamping {
		t.Errorf("TSA EKU %v critical=%v", p.TSA.Cert.ExtKeyUsage, ekuCritical)
	}
	if p.Root.Cert.PublicKey.(*rsa.PublicKey).N.BitLen() != 2048 {
		t.Error("Root is not RSA 2048")
	}
}

func attr(c *x509.Certificate, oid asn1.ObjectIdentifier) string {
	for _, n := range c.Subject.Names {
		if n.Type.Equal(oid) {
			s, _ := n.Value.(string)
			return s
		}
	}
	return ""
}

func TestKeysStayOnTokens(t *testing.T) {
	p := testpki.New(t)
	ck := pkcs11.New(p.Module)
	if err := ck.Initialize(); err != nil {
		t.Fatal(err)
	}
	defer ck.Finalize()
	slots, err := ck.GetSlotList(true)
	if err != nil {
		t.Fatal(err)
	}
	var keys int
	for _, slot := range slots {
		ti, err := ck.GetTokenInfo(slot)
		if err != nil || ti.Flags&pkcs11.CKF_TOKEN_INITIALIZED == 0 {
			continue
		}
		sh, err := ck.OpenSession(slot, pkcs11.CKF_SERIAL_SESSION)
		if err != nil {
			t.Fatal(err)
		}
		if err := ck.Login(sh, pkcs11.CKU_USER, testpki.UserPIN); err != nil {
			t.Fatalf("login to %q: %v", ti.Label, err)
		}
		ck.FindObjectsInit(sh, []*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_PRIVATE_KEY)})
		hs, _, _ := ck.FindObjects(sh, 100)
		ck.FindObjectsFinal(sh)
		for _, h := range hs {
			keys++
			a, err := ck.GetAttributeValue(sh, h, []*pkcs11.Attribute{
				pkcs11.NewAttribute(pkcs11.CKA_TOKEN, nil),
				pkcs11.NewAttribute(pkcs11.CKA_SENSITIVE, nil),
				pkcs11.NewAttribute(pkcs11.CKA_EXTRACTABLE, nil),
				pkcs11.NewAttribute(pkcs11.CKA_LOCAL, nil), // generated on the token
				pkcs11.NewAttribute(pkcs11.CKA_NEVER_EXTRACTABLE, nil),
				pkcs11.NewAttribute(pkcs11.CKA_ID, nil),
			})
			if err != nil {
				t.Fatal(err)
			}
			want := []byte{1, 1, 0, 1, 1}
			for i, w := range want {
				if len(a[i].Value) != 1 || a[i].Value[0] != w {
					t.Errorf("token %q key %x: attribute %#x = %v, want %d", ti.Label, a[5].Value, a[i].Type, a[i].Value, w)
				}
			}
			if _, err := ck.GetAttributeValue(sh, h, []*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_PRIVATE_EXPONENT, nil)}); err == nil {
				t.Errorf("token %q: private exponent readable", ti.Label)
			}
		}
		ck.CloseSession(sh)
	}
	if keys != 12 {
		t.Errorf("%d private keys on the tokens, want 12", keys)
	}
}

func TestSigners(t *testing.T) {
	p := testpki.New(t)
	for _, id := range []testpki.Identity{p.Leader, p.Agency, p.Agency2, p.Agency3, p.TSA, p.Sub, p.ECDSA} {
		signWithAndVerify(t, p, id)
	}
	if _, _, err := p.Signer(p.Leader, "000000"); err == nil {
		t.Error("Signer with a wrong PIN succeeded")
	}
}

func signWithAndVerify(t *testing.T, p *testpki.PKI, id testpki.Identity) {
	t.Helper()
	signer, closer, err := p.Signer(id, testpki.UserPIN)
	if err != nil {
		t.Fatal(err)
	}
	defer closer.Close()
	digest := sha256.Sum256([]byte("Văn bản thử nghiệm"))
	sig, err := signer.Sign(nil, digest[:], crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	if err := id.Cert.CheckSignature(sigAlg(id.Cert), []byte("Văn bản thử nghiệm"), sig); err != nil {
		t.Errorf("%s: %v", id.Cert.Subject.CommonName, err)
	}
}

func sigAlg(c *x509.Certificate) x509.SignatureAlgorithm {
	if c.PublicKeyAlgorithm == x509.ECDSA {
		return x509.ECDSAWithSHA256
	}
	return x509.SHA256WithRSA
}

func TestNSSDB(t *testing.T) {
	p := testpki.New(t)
	dir := filepath.Join(t.TempDir(), "nss")
	db, err := p.NSSDB(dir)
	if err != nil {
		t.Fatal(err)
	}
	if db != "sql:"+dir {
		t.Errorf("NSSDB returned %q", db)
	}
	if _, err := p.NSSDB(dir); err != nil {
		t.Fatalf("second NSSDB on the same dir: %v", err)
	}
	out, err := exec.Command("certutil", "-L", "-d", db).CombinedOutput()
	if err != nil {
		t.Fatalf("certutil -L: %v\n%s", err, out)
	}
	var rootLine string
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, testpki.NSSRootNickname) {
			rootLine = line
		}
	}
	if !strings.HasSuffix(strings.TrimSpace(rootLine), "CT,C,C") || !strings.Contains(string(out), testpki.NSSSubNickname) {
		t.Errorf("certutil -L:\n%s", out)
	}
	// NSS builds Leader's chain through Sub to the trusted Root, as pdfsig
	// will for a signature by Leader.
	leaderPEM := filepath.Join(t.TempDir(), "leader.pem")
	os.WriteFile(leaderPEM, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.Leader.Cert.Raw}), 0o644)
	if out, err := exec.Command("certutil", "-A", "-d", db, "-n", "leader", "-t", ",,", "-i", leaderPEM).CombinedOutput(); err != nil {
		t.Fatalf("certutil -A: %v\n%s", err, out)
	}
	out, err = exec.Command("certutil", "-V", "-d", db, "-n", "leader", "-u", "S", "-e").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "certificate is valid") {
		t.Errorf("certutil -V leader: %v\n%s", err, out)
	}

	pemPath := filepath.Join(t.TempDir(), "root.pem")
	if err := p.WriteRootPEM(pemPath); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(pemPath); !bytes.HasPrefix(data, []byte("-----BEGIN CERTIFICATE-----")) {
		t.Errorf("root.pem: %q", data)
	}
}

func TestSetPINState(t *testing.T) {
	p := testpki.New(t)
	if err := p.SetPINState(testpki.LeaderToken, token.PINState{FinalTry: true, CountLow: true}); err != nil {
		t.Fatal(err)
	}
	if err := p.SetPINState("Không có", token.PINState{}); err == nil {
		t.Error("SetPINState on a missing token succeeded")
	}
	m, err := token.Open(p.Module)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	toks, err := m.Tokens()
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range toks {
		want := token.PINState{}
		if tok.Label == testpki.LeaderToken {
			want = token.PINState{FinalTry: true, CountLow: true}
		}
		if tok.Initialized && tok.PIN != want {
			t.Errorf("token %q: PIN state %+v, want %+v", tok.Label, tok.PIN, want)
		}
	}
}

func TestNewCatchesAModuleLeftOpen(t *testing.T) {
	p := testpki.New(t)
	m, err := token.Open(p.Module)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ft := &fatalRecorder{TB: t}
	func() {
		defer func() { recover() }()
		testpki.New(ft)
	}()
	if !strings.Contains(ft.msg, "still initialised") {
		t.Errorf("New with a module open: %q", ft.msg)
	}
}

// fatalRecorder records Fatalf instead of failing the test.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	panic("fatal")
}

// Every kind of test hands itself to New: TB is a subset of testing.TB.
var (
	_ testpki.TB = testing.TB(nil)
	_ testpki.TB = (*testing.T)(nil)
	_ testpki.TB = (*testing.B)(nil)
	_ testpki.TB = (*testing.F)(nil)
)
