package cms

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

type signCase struct {
	key     string
	hash    crypto.Hash
	pss     bool
	profile Profile
}

func (c signCase) String() string {
	s := fmt.Sprintf("%s/%v/%v", c.key, c.hash, c.profile)
	if c.pss {
		s += "/PSS"
	}
	return s
}

var signCases = []signCase{
	{"rsa2048", crypto.SHA256, false, PAdES},
	{"rsa2048", crypto.SHA256, false, PKCS7},
	{"rsa2048", crypto.SHA256, true, PAdES},
	{"rsa2048", crypto.SHA512, true, PKCS7},
	{"rsa3072", crypto.SHA384, false, PAdES},
	{"rsa4096", crypto.SHA512, false, PAdES},
	{"rsa4096", crypto.SHA256, true, PKCS7},
	{"p256", crypto.SHA256, false, PAdES},
	{"p256", crypto.SHA256, false, PKCS7},
	{"p384", crypto.SHA384, false, PAdES},
	{"p521", crypto.SHA512, false, PKCS7},
}

func TestSignDetachedRoundTrip(t *testing.T) {
	p := newTestPKI(t)
	content := []byte("%PDF-1.7 nội dung văn bản được ký")
	for _, tc := range signCases {
		t.Run(tc.String(), func(t *testing.T) {
			key := testKey(t, tc.key)
			cert := p.signerCert(t, key, "Nguyễn Thị Hĩnh")
			signer := &countingSigner{Signer: key}
			h := tc.hash.New()
			h.Write(content)
			digest := h.Sum(nil)
			st := time.Date(2025, 3, 4, 5, 6, 7, 0, time.FixedZone("ICT", 7*3600))
			o := SignOptions{Signer: signer, Certificate: cert, Chain: []*x509.Certificate{p.inter}, Hash: tc.hash, Profile: tc.profile, PSS: tc.pss, SigningTime: st}
			der, err := SignDetached(context.Background(), digest, o)
			if err != nil {
				t.Fatal(err)
			}
			if n := signer.calls.Load(); n != 1 {
				t.Errorf("signer called %d times", n)
			}
			if est := EstimateSize(o, 0); est < len(der) {
				t.Errorf("EstimateSize %d < actual %d", est, len(der))
			}
			sd, err := Parse(der)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(sd.Raw, der) {
				t.Error("our output is not DER as parsed (normalisation changed it)")
			}
			if sd.Version != 1 || !sd.ContentType.Equal(OIDData) || sd.Content != nil {
				t.Errorf("version %d, content type %v, content %v", sd.Version, sd.ContentType, sd.Content != nil)
			}
			if len(sd.Certificates) != 2 {
				t.Errorf("%d certificates, want signer + intermediate", len(sd.Certificates))
			}
			if len(sd.Signers) != 1 {
				t.Fatalf("%d signers", len(sd.Signers))
			}
			si := &sd.Signers[0]
			if si.Version != 1 || si.DigestAlgorithm != tc.hash {
				t.Errorf("signer version %d digest %v", si.Version, si.DigestAlgorithm)
			}
			if got := si.FindCertificate(sd.Certificates); got == nil || !got.Equal(cert) {
				t.Fatal("signer certificate not found by issuer and serial")
			}
			if err := si.CheckDigest(digest); err != nil {
				t.Error(err)
			}
			if err := si.VerifySignature(cert); err != nil {
				t.Error(err)
			}
			if !si.ContentType.Equal(OIDData) {
				t.Errorf("content type attribute %v", si.ContentType)
			}
			if len(si.SigningCertificateV2) != 1 || !si.SigningCertificateV2[0].Matches(cert) || si.SigningCertificateV2[0].SerialNumber == nil {
				t.Error("signing-certificate-v2 missing or not matching")
			}
			if si.SigningCertificateV2[0].Matches(p.inter) {
				t.Error("ESS cert id matches another certificate")
			}
			switch tc.profile {
			case PAdES:
				if si.SigningTime != nil {
					t.Error("PAdES signature carries signingTime")
				}
				if len(si.SignedAttrs) != 3 {
					t.Errorf("%d signed attributes, want 3", len(si.SignedAttrs))
				}
			case PKCS7:
				if si.SigningTime == nil || !si.SigningTime.Equal(st) {
					t.Errorf("signing time %v, want %v", si.SigningTime, st)
				}
			}
			name := si.SignatureAlgorithmName()
			switch {
			case tc.pss && !strings.HasPrefix(name, "RSA-PSS-"):
				t.Errorf("algorithm %s", name)
			case strings.HasPrefix(tc.key, "p") && !strings.HasPrefix(name, "ECDSA-SHA"):
				t.Errorf("algorithm %s", name)
			}
			// Tampering is detected.
			wrong := bytes.Clone(digest)
			wrong[0] ^= 1
			if si.CheckDigest(wrong) == nil {
				t.Error("wrong digest accepted")
			}
			si.Signature[len(si.Signature)-3] ^= 1
			if si.VerifySignature(cert) == nil {
				t.Error("corrupted signature accepted")
			}
		})
	}
}

// TestSignedAttributesDER checks the attribute encoding in detail: DER
// sorted SET, ESSCertIDv2 without the default hash algorithm, UTCTime.
func TestSignedAttributesDER(t *testing.T) {
	p := newTestPKI(t)
	key := testKey(t, "p256")
	cert := p.signerCert(t, key, "Trần Văn A")
	digest := sha256.Sum256([]byte("x"))
	der, err := SignDetached(context.Background(), digest[:], SignOptions{Signer: key, Certificate: cert, Profile: PKCS7, SigningTime: time.Date(2049, 12, 31, 23, 59, 59, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	sd, err := Parse(der)
	if err != nil {
		t.Fatal(err)
	}
	si := sd.Signers[0]
	els, err := items(si.SignedAttrsDER[len(si.SignedAttrsDER)-len(mustElement(t, si.SignedAttrsDER).body):], "attrs")
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(els); i++ {
		if bytes.Compare(els[i-1].full, els[i].full) > 0 {
			t.Error("signed attributes are not in DER SET order")
		}
	}
	for _, a := range si.SignedAttrs {
		switch {
		case a.Type.Equal(OIDAttrSigningTime):
			if a.Values[0][0] != tagUTCTime || string(a.Values[0][2:]) != "491231235959Z" {
				t.Errorf("signing time encoded as % x", a.Values[0])
			}
		case a.Type.Equal(OIDAttrSigningCertificateV2):
			// SEQUENCE { SEQUENCE { SEQUENCE { OCTET STRING ...: no AlgorithmIdentifier first.
			e := mustElement(t, a.Values[0])
			e = mustElement(t, e.body)
			e = mustElement(t, e.body)
			if first := mustElement(t, e.body); !first.is(classUniversal, tagOctetString) {
				t.Errorf("ESSCertIDv2 starts with %s, want the cert hash (SHA-256 is DEFAULT)", first.describe())
			}
		}
	}
	// 2050 and later: GeneralizedTime.
	der, err = SignDetached(context.Background(), digest[:], SignOptions{Signer: key, Certificate: cert, Profile: PKCS7, SigningTime: time.Date(2050, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	sd, _ = Parse(der)
	if got := sd.Signers[0].SigningTime; got == nil || got.Year() != 2050 {
		t.Errorf("signing time %v", got)
	}
}

func mustElement(t testing.TB, b []byte) element {
	t.Helper()
	e, _, err := next(b)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestSignRefusesWithoutCallingSigner(t *testing.T) {
	p := newTestPKI(t)
	key := testKey(t, "rsa2048")
	cert := p.signerCert(t, key, "A")
	other := p.signerCert(t, testKey(t, "p256"), "B")
	d256 := sha256.Sum256(nil)
	d1 := make([]byte, 20)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name   string
		ctx    context.Context
		digest []byte
		o      SignOptions
		want   string
	}{
		{"sha1", context.Background(), d1, SignOptions{Certificate: cert, Hash: crypto.SHA1}, "SHA-1 is not allowed"},
		{"md5", context.Background(), d1, SignOptions{Certificate: cert, Hash: crypto.MD5}, "not allowed"},
		{"no certificate", context.Background(), d256[:], SignOptions{}, "no signer certificate"},
		{"wrong key", context.Background(), d256[:], SignOptions{Certificate: other}, "not the certificate's key"},
		{"digest length", context.Background(), d1, SignOptions{Certificate: cert}, "digest is 20 bytes"},
		{"pss with ecdsa", context.Background(), d256[:], SignOptions{Certificate: other, PSS: true}, "PSS needs an RSA key"},
		{"profile", context.Background(), d256[:], SignOptions{Certificate: cert, Profile: 7}, "unknown profile"},
		{"cancelled", cancelled, d256[:], SignOptions{Certificate: cert}, "context canceled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &countingSigner{Signer: key}
			tt.o.Signer = s
			_, err := SignDetached(tt.ctx, tt.digest, tt.o)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if n := s.calls.Load(); n != 0 {
				t.Errorf("signer called %d times", n)
			}
		})
	}
	s := &countingSigner{Signer: key}
	if _, err := SignEncapsulated(context.Background(), []int{1}, []byte("x"), SignOptions{Signer: s, Certificate: cert}); err == nil || s.calls.Load() != 0 {
		t.Errorf("invalid content type: %v, %d calls", err, s.calls.Load())
	}
	if _, err := SignDetached(context.Background(), d256[:], SignOptions{Signer: s, Certificate: &x509.Certificate{PublicKey: key.Public()}}); err == nil || s.calls.Load() != 0 {
		t.Errorf("unparsed certificate: %v", err)
	}
	if _, err := (&TimestampRequest{Hash: crypto.SHA256, HashedMessage: d256[:], Policy: []int{1}}).Marshal(); err == nil {
		t.Error("invalid request policy accepted")
	}
	if _, err := (&Timestamp{Policy: []int{7, 1}, Hash: crypto.SHA256, HashedMessage: d256[:], SerialNumber: big.NewInt(1)}).MarshalTSTInfo(); err == nil {
		t.Error("invalid TSTInfo policy accepted")
	}
	if EstimateSize(SignOptions{}, 0) != 0 || EstimateSize(SignOptions{Certificate: cert, Hash: crypto.SHA1}, 0) != 0 {
		t.Error("EstimateSize of invalid options is not 0")
	}
}

func TestSignerErrorsAndBadSignatures(t *testing.T) {
	p := newTestPKI(t)
	key := testKey(t, "p256")
	cert := p.signerCert(t, key, "A")
	d := sha256.Sum256(nil)

	s := &countingSigner{Signer: key, err: errTokenRemoved}
	_, err := SignDetached(context.Background(), d[:], SignOptions{Signer: s, Certificate: cert})
	if !errors.Is(err, errTokenRemoved) {
		t.Errorf("err = %v, want the signer's error wrapped", err)
	}
	if s.calls.Load() != 1 {
		t.Errorf("signer called %d times", s.calls.Load())
	}

	s = &countingSigner{Signer: key, corrupt: true}
	_, err = SignDetached(context.Background(), d[:], SignOptions{Signer: s, Certificate: cert})
	if err == nil || !strings.Contains(err.Error(), "does not verify") {
		t.Errorf("corrupt token signature: err = %v", err)
	}
	if s.calls.Load() != 1 {
		t.Errorf("signer called %d times", s.calls.Load())
	}
}

func TestSignWithTimestamp(t *testing.T) {
	p := newTestPKI(t)
	for _, kind := range []string{"rsa2048", "p256"} {
		t.Run(kind, func(t *testing.T) {
			key := testKey(t, kind)
			cert := p.signerCert(t, key, "A")
			tsa := newFakeTSA(t, p, "rsa3072")
			s := &countingSigner{Signer: key}
			d := sha256.Sum256([]byte("doc"))
			o := SignOptions{Signer: s, Certificate: cert, Chain: []*x509.Certificate{p.inter}, Timestamper: tsa}
			der, err := SignDetached(context.Background(), d[:], o)
			if err != nil {
				t.Fatal(err)
			}
			if s.calls.Load() != 1 || tsa.calls.Load() != 1 {
				t.Errorf("signer called %d times, TSA %d times", s.calls.Load(), tsa.calls.Load())
			}
			sd, err := Parse(der)
			if err != nil {
				t.Fatal(err)
			}
			si := &sd.Signers[0]
			if si.TimestampToken == nil {
				t.Fatal("no timestamp token")
			}
			ts, err := ParseTimestampToken(si.TimestampToken)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ts.Verify()
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(tsa.cert) {
				t.Error("wrong TSA certificate")
			}
			if !ts.imprintMatches(hashOf(crypto.SHA256, si.Signature), crypto.SHA256) {
				t.Error("imprint is not the signature value's digest")
			}
			if ts.Accuracy != time.Second || ts.Nonce == nil || ts.SignedData.Version != 3 {
				t.Errorf("accuracy %v nonce %v version %d", ts.Accuracy, ts.Nonce, ts.SignedData.Version)
			}
			if err := si.VerifySignature(cert); err != nil {
				t.Error(err)
			}
			if est := EstimateSize(o, len(si.TimestampToken)); est < len(der) {
				t.Errorf("EstimateSize %d < actual %d", est, len(der))
			}
		})
	}
}

func TestTimestampFailureNeverResigns(t *testing.T) {
	p := newTestPKI(t)
	key := testKey(t, "p256")
	cert := p.signerCert(t, key, "A")
	d := sha256.Sum256(nil)
	for _, tc := range []struct {
		name string
		tsa  *fakeTSA
		want string
	}{
		{"error", &fakeTSA{err: errors.New("connection refused")}, "connection refused"},
		{"wrong imprint", func() *fakeTSA { f := newFakeTSA(t, p, "p256"); f.wrongImprint = true; return f }(), "another value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &countingSigner{Signer: key}
			_, err := SignDetached(context.Background(), d[:], SignOptions{Signer: s, Certificate: cert, Timestamper: tc.tsa})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if s.calls.Load() != 1 || tc.tsa.calls.Load() != 1 {
				t.Errorf("signer called %d times, TSA %d times", s.calls.Load(), tc.tsa.calls.Load())
			}
		})
	}
}

func TestTimestampVerifyFailures(t *testing.T) {
	p := newTestPKI(t)
	tsa := newFakeTSA(t, p, "p256")
	digest := sha256.Sum256([]byte("v"))
	tok, err := tsa.Timestamp(context.Background(), digest[:], crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	ts, err := ParseTimestampToken(tok)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.Verify(); err != nil {
		t.Fatal(err)
	}

	// No certificates: found only with VerifyWith.
	tsa.noCerts = true
	tok2, _ := tsa.Timestamp(context.Background(), digest[:], crypto.SHA256)
	ts2, err := ParseTimestampToken(tok2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts2.Verify(); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("Verify without certificates: %v", err)
	}
	if _, err := ts2.VerifyWith([]*x509.Certificate{tsa.cert}); err != nil {
		t.Errorf("VerifyWith: %v", err)
	}

	// A certificate without the timeStamping EKU.
	key := testKey(t, "p384")
	plain := p.signerCert(t, key, "not a TSA")
	bad := &fakeTSA{key: key, cert: plain}
	tok3, _ := bad.Timestamp(context.Background(), digest[:], crypto.SHA256)
	ts3, err := ParseTimestampToken(tok3)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts3.Verify(); err == nil || !strings.Contains(err.Error(), "timeStamping") {
		t.Errorf("Verify with a non-TSA certificate: %v", err)
	}

	// Tampered TSTInfo: the message digest no longer matches.
	i := bytes.Index(tok, digest[:])
	if i < 0 {
		t.Fatal("imprint not found in token")
	}
	tampered := bytes.Clone(tok)
	tampered[i] ^= 1
	ts4, err := ParseTimestampToken(tampered)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts4.Verify(); err == nil {
		t.Error("tampered token verifies")
	}
}

func TestEstimateSizeMargins(t *testing.T) {
	p := newTestPKI(t)
	tsa := newFakeTSA(t, p, "rsa2048")
	for _, kind := range []string{"rsa2048", "rsa4096", "p256", "p384", "p521"} {
		key := testKey(t, kind)
		cert := p.signerCert(t, key, "Nguyễn Văn Bình")
		for _, profile := range []Profile{PAdES, PKCS7} {
			for _, withTS := range []bool{false, true} {
				o := SignOptions{Signer: key, Certificate: cert, Chain: []*x509.Certificate{p.inter}, Profile: profile}
				if withTS {
					o.Timestamper = tsa
				}
				minMargin, maxMargin := 1<<30, 0
				for range 20 {
					d := sha256.Sum256([]byte(time.Now().String()))
					der, err := SignDetached(context.Background(), d[:], o)
					if err != nil {
						t.Fatal(err)
					}
					tsSize := 0
					if withTS {
						sd, err := Parse(der)
						if err != nil {
							t.Fatal(err)
						}
						tsSize = len(sd.Signers[0].TimestampToken)
					}
					m := EstimateSize(o, tsSize) - len(der)
					if m < 0 {
						t.Errorf("%s %v ts=%v: EstimateSize is %d bytes short", kind, profile, withTS, -m)
					}
					minMargin, maxMargin = min(minMargin, m), max(maxMargin, m)
				}
				t.Logf("%-8s %-5v timestamp=%-5v margin %d..%d bytes", keyDesc(key), profile, withTS, minMargin, maxMargin)
			}
		}
	}
}

// TestOpenSSLVerifies cross-checks our CMS with OpenSSL's cms -verify,
// which also checks the ESS signing-certificate-v2 attribute.
func TestOpenSSLVerifies(t *testing.T) {
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Fatalf("openssl is needed for this cross-check: run scripts/deps.sh (or apt-get install openssl): %v", err)
	}
	p := newTestPKI(t)
	dir := t.TempDir()
	root := writePEM(t, dir, "root.pem", p.root)
	content := bytes.Repeat([]byte("Văn bản số 123/UBND-VP\n"), 500)
	contentPath := filepath.Join(dir, "content.bin")
	if err := os.WriteFile(contentPath, content, 0o644); err != nil {
		t.Fatal(err)
	}
	tsa := newFakeTSA(t, p, "p256")
	for i, tc := range signCases {
		for _, withTS := range []bool{false, true} {
			if withTS && i%3 != 0 {
				continue
			}
			name := tc.String()
			if withTS {
				name += "/timestamp"
			}
			t.Run(name, func(t *testing.T) {
				key := testKey(t, tc.key)
				cert := p.signerCert(t, key, "Lê Thị Hồng")
				h := tc.hash.New()
				h.Write(content)
				o := SignOptions{Signer: key, Certificate: cert, Chain: []*x509.Certificate{p.inter}, Hash: tc.hash, Profile: tc.profile, PSS: tc.pss}
				if withTS {
					o.Timestamper = tsa
				}
				der, err := SignDetached(context.Background(), h.Sum(nil), o)
				if err != nil {
					t.Fatal(err)
				}
				sig := filepath.Join(dir, strings.NewReplacer("/", "_").Replace(name)+".p7s")
				if err := os.WriteFile(sig, der, 0o644); err != nil {
					t.Fatal(err)
				}
				out, err := exec.Command(openssl, "cms", "-verify", "-binary", "-inform", "DER", "-in", sig,
					"-content", contentPath, "-CAfile", root, "-purpose", "any", "-out", os.DevNull).CombinedOutput()
				if err != nil {
					t.Fatalf("openssl cms -verify: %v\n%s", err, out)
				}
				if !strings.Contains(string(out), "Verification successful") {
					t.Errorf("openssl: %s", out)
				}
				// And OpenSSL rejects other content.
				other := filepath.Join(dir, "other.bin")
				os.WriteFile(other, append(bytes.Clone(content), '!'), 0o644)
				if out, err := exec.Command(openssl, "cms", "-verify", "-binary", "-inform", "DER", "-in", sig,
					"-content", other, "-CAfile", root, "-purpose", "any", "-out", os.DevNull).CombinedOutput(); err == nil {
					t.Errorf("openssl accepted other content: %s", out)
				}
			})
		}
	}
}
