package cms

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// signedOverNonDER lists the corpus signatures (file#index of the
// /Contents blob) in which a signer signed signed attributes stored in
// another encoding than DER: the document signer ("signer") or the
// signer of its signature timestamp token ("timestamp"). They are
// verified over the DER re-encoding, as EU DSS does, and so fail.
// TestCorpusParse does not count such a blob against the manifest's
// verdict; TestCorpusSignedOverNonDER checks that each entry fails for
// that reason only (over the stored bytes it holds) and that the rest of
// the blob verifies.
var signedOverNonDER = map[string]struct{ part, why string }{
	"dss/AD-RB.pdf#1": {"signer", "second signature (ICP-Brasil AD-RB): its SET OF attributes is stored unsorted " +
		"(signing-certificate-v2 before messageDigest) and was signed as stored; the manifest asserts the first signature only"},
	"dss/TestToSignPDFSHA256_TST_SIG_NOT_FOUND.pdf#0": {"timestamp", "the signature timestamp token's signed attributes " +
		"were signed as stored, not in DER; EU DSS reports that token's signature not valid (manifest), as we now do"},
}

func TestCorpusSignedOverNonDER(t *testing.T) {
	dir := corpusDir(t)
	for key, entry := range signedOverNonDER {
		file, idx, _ := strings.Cut(key, "#")
		t.Run(key, func(t *testing.T) {
			pdf, err := os.ReadFile(filepath.Join(dir, file))
			if err != nil {
				t.Fatal(err)
			}
			var n int
			fmt.Sscan(idx, &n)
			blobs := signatureBlobs(pdf)
			if n >= len(blobs) {
				t.Fatalf("%d signatures", len(blobs))
			}
			b := blobs[n]
			sd, err := Parse(b.der)
			if err != nil {
				t.Fatal(err)
			}
			si := &sd.Signers[0]
			cert := si.FindCertificate(sd.Certificates)
			if cert == nil {
				t.Fatal("no signer certificate")
			}
			signerErr := si.VerifyContentDigest(cert, hashOf(si.DigestAlgorithm, b.signed))
			raw := b.der
			if entry.part == "timestamp" {
				if signerErr != nil {
					t.Fatalf("the document signer does not verify: %v", signerErr)
				}
				ts, err := ParseTimestampToken(si.TimestampToken)
				if err != nil {
					t.Fatal(err)
				}
				if !ts.imprintMatches(hashOf(ts.Hash, si.Signature), ts.Hash) {
					t.Error("timestamp imprint does not match the signature")
				}
				raw, sd = si.TimestampToken, ts.SignedData
				si = &sd.Signers[0]
				if cert = si.FindCertificate(sd.Certificates); cert == nil {
					t.Fatal("no timestamp signer certificate")
				}
				_, signerErr = ts.Verify()
			}
			if !si.SignedAttrsNotDER {
				t.Fatalf("signed attributes are DER (%s)", entry.why)
			}
			if !errors.Is(signerErr, ErrSignatureInvalid) {
				t.Fatalf("verify over DER: %v, want ErrSignatureInvalid", signerErr)
			}
			// The diagnosis: over the bytes as stored the signature holds.
			stored := storedSignedAttrs(raw)
			if len(stored) == 0 || stored[0] == nil {
				t.Fatal("stored signed attributes not found")
			}
			if err := si.verify(cert.PublicKey, append([]byte{0x31}, stored[0][1:]...), nil); err != nil {
				t.Fatalf("over the stored bytes: %v", err)
			}
		})
	}
}

// TestDEREncode checks the re-encoding rules one by one against encodings
// written out by hand.
func TestDEREncode(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"already DER", "3106020101020102", "3106020101020102"},
		{"set sorted", "3106020102020101", "3106020101020102"},
		{"set sorted by whole encoding", "310704020101020101", "310702010104020101"},
		{"sequence keeps order", "3006020102020101", "3006020102020101"},
		{"long-form length", "308103020105", "3003020105"},
		{"two-byte length", "30820003020105", "3003020105"},
		{"long-form inner length", "300402810105", "3003020105"},
		{"indefinite", "30800201050000", "3003020105"},
		{"nested indefinite in set", "3180308002010200000201010000", "31080201013003020102"},
		{"constructed octet string", "24080402aabb0402ccdd", "0404aabbccdd"},
		{"constructed indefinite string", "24800402aabb0000", "0402aabb"},
		{"boolean true", "010101", "0101ff"},
		{"boolean false", "010100", "010100"},
		{"boolean in a set", "3106010101010100", "31060101000101ff"},
		{"nested set inside sequence", "30083106020102020101", "30083106020101020102"},
		{"high tag non-minimal", "9f801f0100", "9f1f0100"},
		{"high tag that fits low", "9f050100", "850100"},
		{"context constructed kept", "a0030201ff", "a0030201ff"},
		{"integer content kept", "02020001", "02020001"},
	} {
		in, want := mustHex(c.in), mustHex(c.want)
		got, rest, err := derEncode(in, 0)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if !bytes.Equal(got, want) || len(rest) != 0 {
			t.Errorf("%s: %x (rest %x), want %x", c.name, got, rest, want)
		}
		// DER is a fixed point.
		if again, _, err := derEncode(got, 0); err != nil || !bytes.Equal(again, got) {
			t.Errorf("%s: not idempotent: %x, %v", c.name, again, err)
		}
	}
	for _, bad := range []string{"", "30", "3005020101", "0480", "2380030100000000", "24040201010000", "308002010500"} {
		if out, _, err := derEncode(mustHex(bad), 0); err == nil {
			t.Errorf("%q: accepted as %x", bad, out)
		}
	}
	deep := bytes.Repeat([]byte{0x30, 0x80}, maxDepth+2)
	if _, _, err := derEncode(deep, 0); err == nil {
		t.Error("deep nesting accepted")
	}
}

// storedForm is a list of signed attributes as stored in a file.
type storedForm struct {
	name string
	// opensslStored: OpenSSL 3 verifies this form over the stored bytes
	// (it keeps the SET order and BOOLEAN octet as read) where EU DSS and
	// BouncyCastle, and we, re-encode to DER.
	opensslStored bool
	// stored encodes the attributes as they go into the file; der is the
	// DER encoding, built independently from the same attributes.
	stored, der []byte
}

var (
	oidTestBoolAttr  = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 1}
	oidTestMultiAttr = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 2}
)

// longLen re-encodes a DER TLV with its length in the two-byte long form.
func longLen(tlv []byte) []byte {
	e, _, err := next(tlv)
	if err != nil {
		panic(err)
	}
	out := []byte{tlv[0], 0x82, byte(len(e.body) >> 8), byte(len(e.body))}
	return append(out, e.body...)
}

// rawSet wraps already-encoded elements in a SET header without sorting.
func rawSet(parts ...[]byte) []byte {
	return appendTLV(nil, classUniversal, true, tagSet, concat(parts))
}

// storedForms builds the non-DER encodings a generator of hostile or
// sloppy signers writes, each with its DER form.
func storedForms(digest []byte) []storedForm {
	ct := attribute(OIDAttrContentType, oid(OIDData))
	md := attribute(OIDAttrMessageDigest, octets(digest))
	st := attribute(OIDAttrSigningTime, signingTimeValue(time.Date(2024, 5, 17, 9, 30, 0, 0, time.UTC)))
	sorted := [][]byte{ct, md, st}
	slices.SortFunc(sorted, bytes.Compare)
	der := set(sorted...)
	reversed := slices.Clone(sorted)
	slices.Reverse(reversed)

	// messageDigest as a constructed OCTET STRING of two segments.
	half := len(digest) / 2
	segmented := appendTLV(nil, classUniversal, true, tagOctetString,
		concat([][]byte{octets(digest[:half]), octets(digest[half:])}))
	mdSegmented := seq(oid(OIDAttrMessageDigest), rawSet(segmented))

	boolAttr := func(v byte) []byte {
		return seq(oid(oidTestBoolAttr), rawSet([]byte{tagBoolean, 1, v}))
	}
	multi := func(order ...[]byte) []byte { return seq(oid(oidTestMultiAttr), rawSet(order...)) }
	v1, v2 := octets([]byte("a")), octets([]byte("b"))

	indefinite := append([]byte{0x31, 0x80}, concat(sorted)...)
	indefinite = append(indefinite, 0, 0)

	withBool := [][]byte{ct, md, st, boolAttr(0xff)}
	slices.SortFunc(withBool, bytes.Compare)
	withMulti := [][]byte{ct, md, st, multi(v1, v2)}
	slices.SortFunc(withMulti, bytes.Compare)

	return []storedForm{
		{"unsorted", true, rawSet(reversed...), der},
		{"long-form set length", false, longLen(der), der},
		{"long-form attribute lengths", false, rawSet(longLen(sorted[0]), longLen(sorted[1]), longLen(sorted[2])), der},
		{"indefinite length", false, indefinite, der},
		{"constructed message digest", false, set(ct, mdSegmented, st), der},
		{"boolean true as 01", true, set(ct, md, st, boolAttr(0x01)), set(withBool...)},
		{"attribute values unsorted", false, set(ct, md, st, multi(v2, v1)), set(withMulti...)},
	}
}

// signAttrs builds a detached SignedData whose signer info stores
// storedAttrs and whose signature covers signedBytes (re-tagged SET).
func signAttrs(t *testing.T, o SignOptions, storedAttrs, signedBytes []byte) []byte {
	t.Helper()
	p, err := newPlan(&o)
	if err != nil {
		t.Fatal(err)
	}
	h := p.hash.New()
	h.Write(signedBytes)
	sig, err := o.Signer.Sign(rand.Reader, h.Sum(nil), p.signerOpts)
	if err != nil {
		t.Fatal(err)
	}
	return p.assemble(OIDData, nil, storedAttrs, sig, nil)
}

// TestSignedAttrsVerifiedOverDER generates signatures whose signed
// attributes are stored in non-DER encodings: signed over the stored bytes
// they fail (ErrSignatureInvalid), signed over the DER form they verify;
// both report SignedAttrsNotDER. OpenSSL verifies the DER control file,
// agrees on the forms it re-encodes (lengths, constructed strings) and is
// checked to differ on those it keeps (SET order, BOOLEAN octet), where we
// side with EU DSS and BouncyCastle.
func TestSignedAttrsVerifiedOverDER(t *testing.T) {
	openssl := opensslPath(t)
	p := newTestPKI(t)
	key := testKey(t, "rsa2048")
	cert := p.signerCert(t, key, "Phạm Thị Mã Hóa")
	content := []byte("Văn bản kiểm thử mã hóa DER\n")
	digest := sha256.Sum256(content)
	o := SignOptions{Signer: key, Certificate: cert, Hash: crypto.SHA256}
	dir := t.TempDir()
	contentPath := filepath.Join(dir, "content.txt")
	if err := os.WriteFile(contentPath, content, 0o600); err != nil {
		t.Fatal(err)
	}
	opensslVerifies := func(name string, der []byte) (bool, string) {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".p7s")
		if err := os.WriteFile(path, der, 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(openssl, "cms", "-verify", "-binary", "-noverify", "-content", contentPath,
			"-inform", "DER", "-in", path, "-out", os.DevNull).CombinedOutput()
		return err == nil && strings.Contains(string(out), "Verification successful"), string(out)
	}
	check := func(t *testing.T, der []byte, wantNotDER, wantValid bool) {
		t.Helper()
		sd, err := Parse(der)
		if err != nil {
			t.Fatal(err)
		}
		si := &sd.Signers[0]
		if si.SignedAttrsNotDER != wantNotDER {
			t.Errorf("SignedAttrsNotDER = %v", si.SignedAttrsNotDER)
		}
		if !bytes.Equal(si.MessageDigest, digest[:]) {
			t.Errorf("message digest %x", si.MessageDigest)
		}
		err = si.VerifyContentDigest(cert, digest[:])
		if wantValid && err != nil {
			t.Errorf("refused: %v", err)
		}
		if !wantValid && !errors.Is(err, ErrSignatureInvalid) {
			t.Errorf("verify: %v, want ErrSignatureInvalid", err)
		}
	}

	t.Run("DER control", func(t *testing.T) {
		der := storedForms(digest[:])[0].der
		file := signAttrs(t, o, der, der)
		check(t, file, false, true)
		if ok, out := opensslVerifies("control", file); !ok {
			t.Errorf("openssl cms -verify refuses the DER-correct file:\n%s", out)
		}
	})
	for _, f := range storedForms(digest[:]) {
		t.Run(f.name, func(t *testing.T) {
			if bytes.Equal(f.stored, f.der) {
				t.Fatal("generator bug: the stored form is DER")
			}
			enc, _, err := derEncode(f.stored, 0)
			if err != nil || !bytes.Equal(enc, f.der) {
				t.Fatalf("derEncode:\n got %x (%v)\nwant %x", enc, err, f.der)
			}
			overStored := signAttrs(t, o, f.stored, f.stored)
			check(t, overStored, true, false)
			overDER := signAttrs(t, o, f.stored, f.der)
			check(t, overDER, true, true)
			// OpenSSL agrees where it re-encodes, and is known to differ
			// (verifying the stored bytes) where it keeps them.
			if ok, out := opensslVerifies(f.name+" over stored", overStored); ok != f.opensslStored {
				t.Errorf("openssl on the signature over the stored bytes: verified %v, expected %v:\n%s", ok, f.opensslStored, out)
			}
			if ok, out := opensslVerifies(f.name+" over DER", overDER); ok == f.opensslStored {
				t.Errorf("openssl on the signature over the DER form: verified %v, expected %v:\n%s", ok, !f.opensslStored, out)
			}
		})
	}
}

func opensslPath(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("openssl")
	if err != nil {
		t.Fatalf("openssl not found (scripts/deps.sh installs it; make test runs it first): %v", err)
	}
	return p
}

// TestVerifyErrorClasses: what cannot be checked wraps ErrUnsupported,
// what is wrong wraps ErrSignatureInvalid, and never both.
func TestVerifyErrorClasses(t *testing.T) {
	p := newTestPKI(t)
	rsaKey := testKey(t, "rsa2048")
	rsaCert := p.signerCert(t, rsaKey, "RSA")
	ecKey := testKey(t, "p256")
	ecCert := p.signerCert(t, ecKey, "EC")
	d := sha256.Sum256([]byte("x"))
	sign := func(o SignOptions) *SignerInfo {
		der, err := SignDetached(context.Background(), d[:], o)
		if err != nil {
			t.Fatal(err)
		}
		sd, err := Parse(der)
		if err != nil {
			t.Fatal(err)
		}
		return &sd.Signers[0]
	}
	good := func() *SignerInfo { return sign(SignOptions{Signer: rsaKey, Certificate: rsaCert}) }
	pss := func() *SignerInfo { return sign(SignOptions{Signer: rsaKey, Certificate: rsaCert, PSS: true}) }

	if err := good().VerifyContentDigest(rsaCert, d[:]); err != nil {
		t.Fatal(err)
	}
	invalid := map[string]func() error{
		"tampered signature": func() error {
			si := good()
			si.Signature = bytes.Clone(si.Signature)
			si.Signature[7] ^= 1
			return si.VerifyContentDigest(rsaCert, d[:])
		},
		"other content": func() error {
			other := sha256.Sum256([]byte("y"))
			return good().VerifyContentDigest(rsaCert, other[:])
		},
		"other key of the same type": func() error {
			k := testKey(t, "rsa3072")
			return good().VerifySignature(p.signerCert(t, k, "other"))
		},
		"ecdsa key for an rsa signature": func() error { return good().VerifySignature(ecCert) },
		"rsa key for an ecdsa signature": func() error {
			return sign(SignOptions{Signer: ecKey, Certificate: ecCert}).VerifySignature(rsaCert)
		},
		"signature algorithm names another hash": func() error {
			si := good()
			si.SignatureAlgorithm.Algorithm = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 12} // sha384WithRSA
			return si.VerifySignature(rsaCert)
		},
		"no message digest": func() error {
			si := good()
			si.MessageDigest = nil
			return si.VerifyContentDigest(rsaCert, d[:])
		},
	}
	for name, f := range invalid {
		if err := f(); !errors.Is(err, ErrSignatureInvalid) || errors.Is(err, ErrUnsupported) {
			t.Errorf("%s: %v, want ErrSignatureInvalid", name, err)
		}
	}
	unsupported := map[string]func() error{
		"unknown signature algorithm": func() error {
			si := good()
			si.SignatureAlgorithm.Algorithm = asn1.ObjectIdentifier{1, 2, 3, 4}
			return si.VerifySignature(rsaCert)
		},
		"unknown digest algorithm": func() error {
			si := good()
			si.DigestAlgorithm = 0
			si.DigestAlgorithmErr = &sentinelError{ErrUnsupported, "unknown digest algorithm 1.2.3"}
			return si.VerifySignature(rsaCert)
		},
		"pss with an unknown mask generation": func() error {
			si := pss()
			params := bytes.Clone(si.SignatureAlgorithm.Parameters.FullBytes)
			i := bytes.Index(params, oid(oidMGF1))
			if i < 0 {
				t.Fatal("no mgf1 in the parameters")
			}
			params[i+len(oid(oidMGF1))-1] ^= 0x7f
			si.SignatureAlgorithm.Parameters.FullBytes = params
			return si.VerifySignature(rsaCert)
		},
		"rsa key under 1024 bits": func() error {
			si := good()
			k := *rsaCert.PublicKey.(*rsa.PublicKey)
			k.N = new(big.Int).Rsh(k.N, 1100)
			k.N.SetBit(k.N, 0, 1)
			c := *rsaCert
			c.PublicKey = &k
			return si.VerifySignature(&c)
		},
		"dsa-like key type": func() error {
			c := *rsaCert
			c.PublicKey = struct{ Y int }{1}
			return good().VerifySignature(&c)
		},
	}
	for name, f := range unsupported {
		if err := f(); !errors.Is(err, ErrUnsupported) || errors.Is(err, ErrSignatureInvalid) {
			t.Errorf("%s: %v, want ErrUnsupported", name, err)
		}
	}
}
