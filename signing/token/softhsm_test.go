package token_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"hash"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/pkcs11"

	"github.com/vanthuso/vanthu/internal/testpki"
	"github.com/vanthuso/vanthu/signing/token"
)

// These tests run on SoftHSM2 tokens made by internal/testpki. They set
// SOFTHSM2_CONF, so none of them is parallel.

func open(t *testing.T, p *testpki.PKI) *token.Module {
	t.Helper()
	m, err := token.Open(p.Module)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Errorf("close module: %v", err)
		}
	})
	return m
}

func slotOf(t *testing.T, m *token.Module, label string) uint {
	t.Helper()
	toks, err := m.Tokens()
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range toks {
		if tok.Initialized && tok.Label == label {
			return tok.SlotID
		}
	}
	t.Fatalf("no token %q in %+v", label, toks)
	return 0
}

func session(t *testing.T, m *token.Module, label string, login bool) *token.Session {
	t.Helper()
	s, err := m.OpenSession(slotOf(t, m, label))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if login {
		if err := s.Login(testpki.UserPIN); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func TestModuleInfoAndTokens(t *testing.T) {
	p := testpki.New(t)
	m := open(t, p)
	info := m.Info()
	if info.Manufacturer != "SoftHSM" || info.Path != p.Module || !strings.Contains(info.Vendor, "test/demo") || info.CryptokiVersion == "" {
		t.Errorf("Info() = %+v", info)
	}
	toks, err := m.Tokens()
	if err != nil {
		t.Fatal(err)
	}
	labels := map[string]token.TokenInfo{}
	blank := 0
	for _, tok := range toks {
		if !tok.Initialized {
			blank++
			continue
		}
		labels[tok.Label] = tok
	}
	for _, want := range testpki.TokenLabels() {
		tok, ok := labels[want]
		if !ok {
			t.Errorf("token %q missing from %+v", want, toks)
			continue
		}
		if tok.Serial == "" || tok.Manufacturer != "SoftHSM project" || tok.Model != "SoftHSM v2" || !tok.LoginRequired || tok.ProtectedAuthPath || tok.PIN != (token.PINState{}) {
			t.Errorf("token %q: %+v", want, tok)
		}
	}
	if want := len(testpki.TokenLabels()); len(labels) != want || blank != 1 {
		t.Errorf("%d initialised tokens and %d blank, want %d and 1 (SoftHSM keeps one free slot)", len(labels), blank, want)
	}
	if _, err := m.OpenSession(9999); !errors.Is(err, token.ErrNoToken) {
		t.Errorf("OpenSession(9999) = %v, want ErrNoToken", err)
	}
	for _, tok := range toks {
		if !tok.Initialized {
			if _, err := m.OpenSession(tok.SlotID); !errors.Is(err, token.ErrNoToken) {
				t.Errorf("OpenSession(blank token) = %v, want ErrNoToken", err)
			}
		}
	}
}

func TestOpenErrors(t *testing.T) {
	_, err := token.Open("/nonexistent/vnpt-ca_csp11.so")
	if err == nil || !strings.Contains(err.Error(), "/nonexistent/vnpt-ca_csp11.so") || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing module: %v", err)
	}
	// A real shared library that is not a PKCS#11 module.
	for _, lib := range []string{"/lib/x86_64-linux-gnu/libz.so.1", "/usr/lib/x86_64-linux-gnu/libz.so.1"} {
		if _, err := os.Stat(lib); err != nil {
			continue
		}
		_, err := token.Open(lib)
		if err == nil || !strings.Contains(err.Error(), lib) || !strings.Contains(err.Error(), "not a PKCS#11 module") {
			t.Errorf("Open(%s) = %v", lib, err)
		}
		break
	}
}

func TestDiscoverFindsSoftHSMHere(t *testing.T) {
	t.Setenv(token.EnvModule, "")
	found := 0
	for _, p := range token.DiscoverAll("") {
		if p.Found && strings.Contains(p.Path, "softhsm") {
			found++
			if !strings.Contains(p.Vendor, "test/demo") {
				t.Errorf("SoftHSM not marked as a test token: %+v", p)
			}
		}
	}
	if found == 0 {
		t.Error("DiscoverAll did not find SoftHSM2")
	}
	path, probes, err := token.Discover("")
	if err != nil || path == "" || !probes[len(probes)-1].Found {
		t.Errorf("Discover: %q %v %v", path, probes, err)
	}
}

func TestOpenSharesOneInitialisation(t *testing.T) {
	p := testpki.New(t)
	m1, err := token.Open(p.Module)
	if err != nil {
		t.Fatal(err)
	}
	// Through the symlink's target: the same library.
	real, _ := os.Readlink(p.Module)
	m2 := open(t, p)
	if real != "" {
		m3, err := token.Open(p.Module)
		if err != nil {
			t.Fatal(err)
		}
		defer m3.Close()
	}
	s1 := session(t, m1, testpki.LeaderToken, true)
	if err := m1.Close(); err != nil {
		t.Fatal(err)
	}
	if err := m1.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := s1.Login(testpki.UserPIN); err == nil {
		t.Error("session usable after its module was closed")
	}
	// m2 is still initialised.
	s2 := session(t, m2, testpki.LeaderToken, true)
	if creds, err := s2.Credentials(); err != nil || len(creds) != 1 {
		t.Errorf("after closing the other Module: %v %v", creds, err)
	}
	if err := m2.Rescan(); err == nil {
		t.Error("Rescan with an open session succeeded")
	}
}

func TestCredentials(t *testing.T) {
	p := testpki.New(t)
	m := open(t, p)

	s := session(t, m, testpki.LeaderToken, false)
	creds, err := s.Credentials()
	if err != nil {
		t.Fatal(err)
	}
	if len(creds) != 1 || creds[0].Problem != token.ProblemNotLoggedIn || creds[0].Usable {
		t.Fatalf("before login: %+v", creds)
	}
	if _, err := s.Signer(creds[0]); err == nil {
		t.Error("Signer before login succeeded")
	}
	if err := s.Login(testpki.UserPIN); err != nil {
		t.Fatal(err)
	}
	creds, err = s.Credentials()
	if err != nil {
		t.Fatal(err)
	}
	if len(creds) != 1 {
		t.Fatalf("leader token has %d credentials, want exactly 1", len(creds))
	}
	c := creds[0]
	if !c.Usable || c.Problem != "" || !c.Certificate.Equal(p.Leader.Cert) || string(c.ID) != string(p.Leader.KeyID) || c.Label != "Nguyễn Văn An" {
		t.Errorf("leader credential: %+v", c)
	}

	x := session(t, m, testpki.ExtraToken, true)
	creds, err = x.Credentials()
	if err != nil {
		t.Fatal(err)
	}
	problems := map[string]string{}
	for _, c := range creds {
		problems[c.Certificate.Subject.CommonName] = c.Problem
	}
	want := map[string]string{
		p.ECDSA.Cert.Subject.CommonName:        "",
		p.Expired.Cert.Subject.CommonName:      token.ProblemExpired,
		p.CertSignOnly.Cert.Subject.CommonName: token.ProblemNoSigningKeyUsage,
		p.Root.Cert.Subject.CommonName:         token.ProblemNoPrivateKey,
		p.Sub.Cert.Subject.CommonName:          token.ProblemNoPrivateKey,
		p.Revoked.Cert.Subject.CommonName:      "",
	}
	if len(problems) != len(want) {
		t.Errorf("extra token: %v", problems)
	}
	for cn, w := range want {
		if got, ok := problems[cn]; !ok || got != w {
			t.Errorf("%s: problem %q, want %q", cn, got, w)
		}
	}
	if !creds[0].Usable || !creds[1].Usable {
		t.Errorf("usable credentials (ECDSA, Revoked) not first: %+v", creds[:2])
	}
	signing := token.Signing(creds, time.Now())
	if len(signing) != 2 || !slices.ContainsFunc(signing, func(c token.Credential) bool { return c.Certificate.Equal(p.ECDSA.Cert) }) ||
		!slices.ContainsFunc(signing, func(c token.Credential) bool { return c.Certificate.Equal(p.Revoked.Cert) }) {
		t.Errorf("Signing(now) kept %d credentials, want ECDSA and Revoked", len(signing))
	}
	then := p.Expired.Cert.NotBefore.Add(time.Hour)
	if s := token.Signing(creds, then); len(s) != 1 || !s[0].Certificate.Equal(p.Expired.Cert) {
		t.Errorf("Signing(when Expired was valid) kept %d credentials", len(s))
	}

	// The CA token holds the TSA and OCSP responder keys, whose
	// certificates are time-stamping and OCSP signing only.
	ca := session(t, m, testpki.CAToken, true)
	creds, err = ca.Credentials()
	if err != nil || len(creds) != 4 {
		t.Fatalf("CA token: %d credentials, %v", len(creds), err)
	}
	if s := token.Signing(creds, time.Now()); len(s) != 0 {
		t.Errorf("CA token: Signing kept %v", s[0].Certificate.Subject)
	}

	fp := token.Fingerprint(p.Expired.Cert)
	got, err := x.FindByFingerprint(strings.ToUpper(fp[:2]) + ":" + fp[2:])
	if err != nil || !got.Certificate.Equal(p.Expired.Cert) {
		t.Errorf("FindByFingerprint: %v", err)
	}
	if _, err := x.FindByFingerprint(token.Fingerprint(p.Leader.Cert)); !errors.Is(err, token.ErrNoCredential) {
		t.Errorf("FindByFingerprint(not on token) = %v", err)
	}
}

func TestSign(t *testing.T) {
	p := testpki.New(t)
	m := open(t, p)
	leader := session(t, m, testpki.LeaderToken, true)
	lc, err := leader.FindByFingerprint(token.Fingerprint(p.Leader.Cert))
	if err != nil {
		t.Fatal(err)
	}
	rsaSigner, err := leader.Signer(lc)
	if err != nil {
		t.Fatal(err)
	}
	pub := p.Leader.Cert.PublicKey.(*rsa.PublicKey)
	if !pub.Equal(rsaSigner.Public()) {
		t.Error("Public() is not the certificate's key")
	}
	msg := []byte("Quyết định số 123/QĐ-UBND")
	hashes := map[crypto.Hash]func() hash.Hash{
		crypto.SHA1: sha1.New, crypto.SHA224: sha256.New224, crypto.SHA256: sha256.New, crypto.SHA384: sha512.New384, crypto.SHA512: sha512.New,
	}
	for h, newHash := range hashes {
		d := newHash()
		d.Write(msg)
		digest := d.Sum(nil)

		sig, err := rsaSigner.Sign(rand.Reader, digest, h)
		if err != nil {
			t.Fatalf("PKCS#1 v1.5 %v: %v", h, err)
		}
		if err := rsa.VerifyPKCS1v15(pub, h, digest, sig); err != nil {
			t.Errorf("PKCS#1 v1.5 %v: %v", h, err)
		}
		for _, salt := range []int{rsa.PSSSaltLengthEqualsHash, rsa.PSSSaltLengthAuto, 20} {
			opts := &rsa.PSSOptions{SaltLength: salt, Hash: h}
			sig, err := rsaSigner.Sign(rand.Reader, digest, opts)
			if err != nil {
				t.Fatalf("PSS %v salt %d: %v", h, salt, err)
			}
			want := salt
			if salt <= 0 {
				want = h.Size()
			}
			if err := rsa.VerifyPSS(pub, h, digest, sig, &rsa.PSSOptions{SaltLength: want, Hash: h}); err != nil {
				t.Errorf("PSS %v salt %d: %v", h, salt, err)
			}
		}
	}
	if _, err := rsaSigner.Sign(rand.Reader, make([]byte, 20), crypto.SHA256); err == nil || !strings.Contains(err.Error(), "digest is 20 bytes") {
		t.Errorf("short digest: %v", err)
	}

	extra := session(t, m, testpki.ExtraToken, true)
	ec, err := extra.FindByFingerprint(token.Fingerprint(p.ECDSA.Cert))
	if err != nil {
		t.Fatal(err)
	}
	ecSigner, err := extra.Signer(ec)
	if err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256(msg)
	sig, err := ecSigner.Sign(rand.Reader, digest[:], crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	if !ecdsa.VerifyASN1(p.ECDSA.Cert.PublicKey.(*ecdsa.PublicKey), digest[:], sig) {
		t.Error("ECDSA signature does not verify")
	}
	if _, err := leader.Signer(ec); err == nil {
		t.Error("Signer accepted another session's credential")
	}

	// Logged out (here by Logout; on real tokens also by another
	// application or a timeout): the signer says so.
	if err := leader.Logout(); err != nil {
		t.Fatal(err)
	}
	if _, err := rsaSigner.Sign(rand.Reader, digest[:], crypto.SHA256); !errors.Is(err, token.ErrNotLoggedIn) {
		t.Errorf("sign after logout: %v", err)
	}
	if err := leader.Login(testpki.UserPIN); err != nil {
		t.Fatal(err)
	}
	if _, err := rsaSigner.Sign(rand.Reader, digest[:], crypto.SHA256); err != nil {
		t.Errorf("sign after logging in again: %v", err)
	}
}

// TestCredentialsWithoutIDs pairs certificates with keys by public key
// when the token sets no CKA_ID on certificates (some vendor tools do
// that): RSA by modulus, ECDSA through the public key object's label.
func TestCredentialsWithoutIDs(t *testing.T) {
	p := testpki.New(t)
	m := open(t, p)
	slot := slotOf(t, m, testpki.ExtraToken)

	raw := pkcs11.New(p.Module)
	defer raw.Destroy()
	if err := raw.Initialize(); err != nil && !errors.Is(err, pkcs11.Error(pkcs11.CKR_CRYPTOKI_ALREADY_INITIALIZED)) {
		t.Fatal(err)
	}
	sh, err := raw.OpenSession(slot, pkcs11.CKF_SERIAL_SESSION|pkcs11.CKF_RW_SESSION)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.CloseSession(sh)
	if err := raw.Login(sh, pkcs11.CKU_USER, testpki.UserPIN); err != nil {
		t.Fatal(err)
	}
	find := func(attrs ...*pkcs11.Attribute) []pkcs11.ObjectHandle {
		t.Helper()
		if err := raw.FindObjectsInit(sh, attrs); err != nil {
			t.Fatal(err)
		}
		hs, _, err := raw.FindObjects(sh, 10)
		raw.FindObjectsFinal(sh)
		if err != nil {
			t.Fatal(err)
		}
		return hs
	}
	for _, id := range []testpki.Identity{p.Expired, p.ECDSA} {
		certs := find(pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_CERTIFICATE), pkcs11.NewAttribute(pkcs11.CKA_ID, id.KeyID))
		if len(certs) != 1 {
			t.Fatalf("%d certificates with ID %x", len(certs), id.KeyID)
		}
		if err := raw.DestroyObject(sh, certs[0]); err != nil {
			t.Fatal(err)
		}
		if _, err := raw.CreateObject(sh, []*pkcs11.Attribute{
			pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_CERTIFICATE),
			pkcs11.NewAttribute(pkcs11.CKA_CERTIFICATE_TYPE, pkcs11.CKC_X_509),
			pkcs11.NewAttribute(pkcs11.CKA_TOKEN, true),
			pkcs11.NewAttribute(pkcs11.CKA_LABEL, "không có ID"),
			pkcs11.NewAttribute(pkcs11.CKA_SUBJECT, id.Cert.RawSubject),
			pkcs11.NewAttribute(pkcs11.CKA_VALUE, id.Cert.Raw),
		}); err != nil {
			t.Fatal(err)
		}
		// And the keys get an ID that matches nothing.
		for _, h := range find(pkcs11.NewAttribute(pkcs11.CKA_ID, id.KeyID)) {
			if err := raw.SetAttributeValue(sh, h, []*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_ID, []byte("khác"))}); err != nil {
				t.Fatal(err)
			}
		}
	}

	s := session(t, m, testpki.ExtraToken, true)
	creds, err := s.Credentials()
	if err != nil {
		t.Fatal(err)
	}
	problems := map[string]string{}
	for _, c := range creds {
		if c.Label == "không có ID" {
			problems[c.Certificate.Subject.CommonName] = c.Problem
		}
	}
	if problems[p.Expired.Cert.Subject.CommonName] != token.ProblemExpired || problems[p.ECDSA.Cert.Subject.CommonName] != "" || len(problems) != 2 {
		t.Fatalf("pairing without IDs: %v", problems)
	}
	signer := signerFor(t, s, p.ECDSA)
	digest := sha256.Sum256([]byte("không có CKA_ID"))
	sig, err := signer.Sign(rand.Reader, digest[:], crypto.SHA256)
	if err != nil || !ecdsa.VerifyASN1(p.ECDSA.Cert.PublicKey.(*ecdsa.PublicKey), digest[:], sig) {
		t.Errorf("ECDSA paired without ID: %v", err)
	}
}

func TestSignConcurrently(t *testing.T) {
	p := testpki.New(t)
	m := open(t, p)
	s := session(t, m, testpki.LeaderToken, true)
	c, err := s.FindByFingerprint(token.Fingerprint(p.Leader.Cert))
	if err != nil {
		t.Fatal(err)
	}
	signer, err := s.Signer(c)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 4 {
				digest := sha256.Sum256([]byte{byte(g), byte(i)})
				sig, err := signer.Sign(rand.Reader, digest[:], crypto.SHA256)
				if err == nil {
					err = rsa.VerifyPKCS1v15(p.Leader.Cert.PublicKey.(*rsa.PublicKey), crypto.SHA256, digest[:], sig)
				}
				if err != nil {
					errs <- err
				}
				if _, err := s.Credentials(); err != nil {
					errs <- err
				}
				if _, err := m.Tokens(); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestWrongPINOnSoftHSM(t *testing.T) {
	p := testpki.New(t)
	m := open(t, p)
	count, restore := token.CountLogins(m)
	defer restore()
	s := session(t, m, testpki.LeaderToken, false)

	err := s.Login("654321")
	var pe *token.PINError
	if !errors.Is(err, token.ErrPINIncorrect) || !errors.As(err, &pe) || errors.Is(err, token.ErrPINLocked) {
		t.Fatalf("wrong PIN: %v", err)
	}
	// SoftHSM2 sets CKF_USER_PIN_COUNT_LOW after a wrong PIN and has no
	// counter, so nothing else.
	if pe.State != (token.PINState{CountLow: true}) || pe.Remaining != -1 {
		t.Errorf("PINError %+v", pe)
	}
	if n := count(); n != 1 {
		t.Errorf("%d C_Login calls for one wrong PIN, want 1 (no retry)", n)
	}
	if s.LoggedIn() {
		t.Error("LoggedIn after a wrong PIN")
	}
	if err := s.Login(testpki.UserPIN); err != nil {
		t.Fatal(err)
	}
	if tok, err := s.Token(); err != nil || tok.PIN.CountLow {
		t.Errorf("after a good PIN: %+v %v", tok.PIN, err)
	}
	if err := s.Login(testpki.UserPIN); err != nil {
		t.Errorf("second login: %v", err)
	}
	if n := count(); n != 3 {
		t.Errorf("%d C_Login calls, want 3", n)
	}
	// Too short for SoftHSM2 (4..255): refused before reaching the token.
	if err := s.Logout(); err != nil {
		t.Fatal(err)
	}
	if err := s.Login("12"); !errors.Is(err, token.ErrPINIncorrect) || count() != 3 {
		t.Errorf("short PIN: %v after %d C_Login calls", err, count())
	}
}

func TestLockedAndFinalTryOnSoftHSM(t *testing.T) {
	p := testpki.New(t)
	// SoftHSM2 has no retry counter; it reports whatever flags its token
	// file holds.
	if err := p.SetPINState(testpki.LeaderToken, token.PINState{Locked: true}); err != nil {
		t.Fatal(err)
	}
	if err := p.SetPINState(testpki.AgencyToken, token.PINState{CountLow: true, FinalTry: true}); err != nil {
		t.Fatal(err)
	}
	m := open(t, p)
	count, restore := token.CountLogins(m)
	defer restore()

	leader := session(t, m, testpki.LeaderToken, false)
	tok, err := leader.Token()
	if err != nil || !tok.PIN.Locked {
		t.Fatalf("leader token: %+v %v", tok, err)
	}
	err = leader.Login(testpki.UserPIN)
	var pe *token.PINError
	if !errors.Is(err, token.ErrPINLocked) || !errors.As(err, &pe) || pe.Remaining != 0 || !pe.State.Locked {
		t.Errorf("locked token: %v", err)
	}
	if count() != 0 {
		t.Errorf("a PIN was sent to a locked token")
	}

	agency := session(t, m, testpki.AgencyToken, false)
	err = agency.Login("000000")
	if !errors.Is(err, token.ErrPINIncorrect) || !errors.As(err, &pe) || pe.Remaining != 1 || !strings.Contains(err.Error(), "one try left") {
		t.Errorf("final try: %v", err)
	}
	if count() != 1 {
		t.Errorf("%d C_Login calls, want 1", count())
	}
}

func signerFor(t *testing.T, s *token.Session, id testpki.Identity) crypto.Signer {
	t.Helper()
	c, err := s.FindByFingerprint(token.Fingerprint(id.Cert))
	if err != nil {
		t.Fatal(err)
	}
	signer, err := s.Signer(c)
	if err != nil {
		t.Fatal(err)
	}
	return signer
}

func TestTokenDeletedMidSigning(t *testing.T) {
	p := testpki.New(t)
	m := open(t, p)
	s := session(t, m, testpki.LeaderToken, true)
	signer := signerFor(t, s, p.Leader)
	digest := sha256.Sum256([]byte("trước khi rút token"))
	if _, err := signer.Sign(rand.Reader, digest[:], crypto.SHA256); err != nil {
		t.Fatal(err)
	}
	softhsm(t, "--delete-token", "--token", testpki.LeaderToken)
	_, err := signer.Sign(rand.Reader, digest[:], crypto.SHA256)
	if !errors.Is(err, token.ErrTokenRemoved) {
		t.Fatalf("sign after the token was deleted: %v", err)
	}
	t.Logf("error: %v", err)
	if _, err := s.Credentials(); !errors.Is(err, token.ErrTokenRemoved) {
		t.Errorf("session still usable: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("close lost session: %v", err)
	}
	toks, err := m.Tokens()
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range toks {
		if tok.Label == testpki.LeaderToken {
			t.Error("deleted token still listed")
		}
	}
}

func TestSessionsClosedBehindOurBack(t *testing.T) {
	p := testpki.New(t)
	m := open(t, p)
	slot := slotOf(t, m, testpki.AgencyToken)
	s := session(t, m, testpki.AgencyToken, true)
	signer := signerFor(t, s, p.Agency)

	// Another handle on the same module in this process (as another library
	// in the application would have) closes every session on the slot.
	other := pkcs11.New(p.Module)
	defer other.Destroy()
	if err := other.Initialize(); err != nil && !errors.Is(err, pkcs11.Error(pkcs11.CKR_CRYPTOKI_ALREADY_INITIALIZED)) {
		t.Fatal(err)
	}
	if err := other.CloseAllSessions(slot); err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256([]byte("phiên bị đóng"))
	_, err := signer.Sign(rand.Reader, digest[:], crypto.SHA256)
	if !errors.Is(err, token.ErrTokenRemoved) || !errors.Is(err, pkcs11.Error(pkcs11.CKR_SESSION_HANDLE_INVALID)) {
		t.Fatalf("sign after C_CloseAllSessions: %v", err)
	}
	// A new session works: the token itself is fine.
	s2 := session(t, m, testpki.AgencyToken, true)
	if _, err := signerFor(t, s2, p.Agency).Sign(rand.Reader, digest[:], crypto.SHA256); err != nil {
		t.Errorf("new session: %v", err)
	}
}

func softhsm(t *testing.T, args ...string) {
	t.Helper()
	out, err := exec.Command("softhsm2-util", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("softhsm2-util %v: %v\n%s", args, err, out)
	}
}

func next(t *testing.T, ch <-chan token.Event, match func(token.Event) bool) token.Event {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				t.Fatal("watch channel closed")
			}
			t.Logf("event: %v", ev)
			if match(ev) {
				return ev
			}
		case <-timeout:
			t.Fatal("no matching event within 10s")
		}
	}
}

func TestWatchHotPlug(t *testing.T) {
	p := testpki.New(t)
	m := open(t, p)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := m.Watch(ctx, 50*time.Millisecond, token.WithRescan())

	seen := map[string]bool{}
	for len(seen) < 4 {
		ev := next(t, ch, func(ev token.Event) bool { return ev.Kind == token.TokenInserted && ev.Token.Initialized })
		seen[ev.Token.Label] = true
	}

	const label = "Cắm nóng"
	softhsm(t, "--init-token", "--free", "--label", label, "--pin", testpki.UserPIN, "--so-pin", testpki.SOPIN)
	ev := next(t, ch, func(ev token.Event) bool { return ev.Kind == token.TokenInserted && ev.Token.Label == label })
	if !ev.Token.Initialized || ev.Token.Serial == "" {
		t.Errorf("inserted: %+v", ev.Token)
	}
	softhsm(t, "--delete-token", "--token", label)
	next(t, ch, func(ev token.Event) bool { return ev.Kind == token.TokenRemoved && ev.Token.Label == label })

	cancel()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return
			}
		case <-deadline:
			t.Fatal("channel not closed after cancel")
		}
	}
}

func TestWatchWithoutRescan(t *testing.T) {
	p := testpki.New(t)
	m, err := token.Open(p.Module)
	if err != nil {
		t.Fatal(err)
	}
	ch := m.Watch(context.Background(), 20*time.Millisecond)
	for range 4 {
		next(t, ch, func(ev token.Event) bool { return ev.Kind == token.TokenInserted && ev.Token.Initialized })
	}
	// SoftHSM2 notices a deleted token without re-initialising.
	softhsm(t, "--delete-token", "--token", testpki.AgencyToken)
	next(t, ch, func(ev token.Event) bool {
		return ev.Kind == token.TokenRemoved && ev.Token.Label == testpki.AgencyToken
	})
	// The channel closes when the module is closed.
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(5 * time.Second)
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return
			}
		case <-deadline:
			t.Fatal("channel not closed after Module.Close")
		}
	}
}
