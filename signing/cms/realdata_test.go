package cms

import (
	"crypto"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// TestRealSignatures verifies the blobs in testdata (see SOURCES.md)
// against the digests of their PDFs' byte ranges.
func TestRealSignatures(t *testing.T) {
	tests := []struct {
		file      string
		hash      crypto.Hash
		digest    string
		algorithm string
		signedAttrs,
		signingTime bool
	}{
		{"vpcp_222-ttg.der", crypto.SHA256, "af6abe5a3e3d7300c3da85dd49bd5faff7e8791e77f6d824df96c06b6327e43d", "RSA-SHA256", true, true},
		{"vpcp_08-1.ber", crypto.SHA1, "77ef1261ddfe2f675bb6cfecb7d48f5d3e9a354e", "RSA-SHA1", true, true},
		{"hu_pol-7-ecdsa.ber", crypto.SHA256, "f5e82448c6c4b90dac39372093c865ea2a0cf20043b56ad4bf30020a2bec2f61", "ECDSA-SHA256", true, false},
		{"self-issued-ocsp-pss.der", crypto.SHA256, "62ea7df5f01fc4f26eff6c5df78371bf70243189e201064420d63ee401bbd797", "RSA-PSS-SHA256", true, false},
		{"dss-1683-noattrs.der", crypto.SHA1, "9369c2addb788678ea64e42e15fcb854a923eff5", "RSA-SHA1", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			sd, err := Parse(readTestdata(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if len(sd.Signers) != 1 {
				t.Fatalf("%d signers", len(sd.Signers))
			}
			si := &sd.Signers[0]
			if si.DigestAlgorithm != tt.hash {
				t.Errorf("digest algorithm %v, want %v", si.DigestAlgorithm, tt.hash)
			}
			if got := si.SignatureAlgorithmName(); got != tt.algorithm {
				t.Errorf("algorithm %q, want %q", got, tt.algorithm)
			}
			if (si.SignedAttrsDER != nil) != tt.signedAttrs || (si.SigningTime != nil) != tt.signingTime {
				t.Errorf("signed attrs %v, signing time %v", si.SignedAttrsDER != nil, si.SigningTime)
			}
			cert := si.FindCertificate(sd.Certificates)
			if cert == nil {
				t.Fatal("signer certificate not found")
			}
			digest := mustHex(tt.digest)
			if err := si.VerifyContentDigest(cert, digest); err != nil {
				t.Fatal(err)
			}
			if tt.signedAttrs {
				if err := si.CheckDigest(digest); err != nil {
					t.Error(err)
				}
				if err := si.VerifySignature(cert); err != nil {
					t.Error(err)
				}
			} else if err := si.VerifySignature(cert); err != ErrNoSignedAttributes {
				t.Errorf("VerifySignature without signed attributes: %v", err)
			}
			// A wrong digest must fail.
			digest[0] ^= 1
			if err := si.VerifyContentDigest(cert, digest); err == nil {
				t.Error("wrong digest accepted")
			}
		})
	}
}

// TestVietnamGovernmentSignature checks the signature a clerk receives every
// day: VGCA G2 signer, adbe.pkcs7.detached, with a VGCA timestamp.
func TestVietnamGovernmentSignature(t *testing.T) {
	sd, err := Parse(readTestdata(t, "vpcp_222-ttg.der"))
	if err != nil {
		t.Fatal(err)
	}
	si := &sd.Signers[0]
	if len(sd.Certificates) != 1 {
		t.Errorf("%d certificates embedded, want the signer's only", len(sd.Certificates))
	}
	if got := si.FindCertificate(sd.Certificates).Issuer.CommonName; got == "" {
		t.Error("no issuer name")
	}
	if !si.ContentType.Equal(OIDData) {
		t.Errorf("content type %v", si.ContentType)
	}
	if si.SigningCertificate != nil || si.SigningCertificateV2 != nil {
		t.Error("unexpected ESS attribute")
	}
	wantST := time.Date(2025, 1, 24, 17, 19, 49, 0, time.UTC)
	if !si.SigningTime.Equal(wantST) {
		t.Errorf("signing time %v, want %v", si.SigningTime, wantST)
	}
	if si.TimestampToken == nil {
		t.Fatal("no timestamp token")
	}
	if got, want := si.TimestampToken, readTestdata(t, "vpcp_222-ttg.tst"); string(got) != string(want) {
		t.Error("timestamp token differs from testdata")
	}
	ts, err := ParseTimestampToken(si.TimestampToken)
	if err != nil {
		t.Fatal(err)
	}
	tsaCert, err := ts.Verify()
	if err != nil {
		t.Fatal(err)
	}
	// VGCA's TSA still answers with a SHA-1 message imprint (in 2025).
	if ts.Hash != crypto.SHA1 {
		t.Errorf("imprint hash %v; the corpus file has SHA-1", ts.Hash)
	}
	if !ts.imprintMatches(hashOf(ts.Hash, si.Signature), ts.Hash) {
		t.Error("timestamp imprint does not cover the signature value")
	}
	// The signingTime claims 17:19:49 "UTC"; the TSA says about 10:19 UTC:
	// local Vietnamese time labelled UTC (see the corpus README).
	if d := si.SigningTime.Sub(ts.Time); d < 6*time.Hour || d > 8*time.Hour {
		t.Errorf("signing time %v vs timestamp %v: want the known 7 h offset", si.SigningTime, ts.Time)
	}
	if len(ts.SignedData.Signers[0].SigningCertificateV2) != 1 {
		t.Error("TSA token lacks signing-certificate-v2")
	}
	t.Logf("TSA %q, time %v, serial %x, policy %v, imprint %v, accuracy %v", tsaCert.Subject.CommonName, ts.Time, ts.SerialNumber, ts.Policy, ts.Hash, ts.Accuracy)
}

func TestTrailingBytes(t *testing.T) {
	sd, err := Parse(readTestdata(t, "dss-2155-trailing.ber"))
	if err != nil {
		t.Fatal(err)
	}
	if sd.ExtraBytes != 242 {
		t.Errorf("ExtraBytes = %d, want 242", sd.ExtraBytes)
	}
	clean, err := Parse(sd.Raw)
	if err != nil {
		t.Fatal(err)
	}
	if clean.ExtraBytes != 0 {
		t.Errorf("ExtraBytes after normalisation = %d", clean.ExtraBytes)
	}
}

// TestBERNormalisationKeepsSignedBytes: the signed attributes of a BER blob
// must come out byte for byte as in the input.
func TestBERNormalisationKeepsSignedBytes(t *testing.T) {
	raw := readTestdata(t, "vpcp_08-1.ber")
	if raw[1] != 0x80 {
		t.Fatal("testdata is not BER")
	}
	sd, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	sa := sd.Signers[0].SignedAttrsDER
	inner := sa[1:]
	if !containsBytes(raw, inner) {
		t.Error("signed attributes were re-encoded")
	}
	if sd.Raw[1] == 0x80 {
		t.Error("Raw is not DER")
	}
	// Raw parses to the same thing.
	again, err := Parse(sd.Raw)
	if err != nil {
		t.Fatal(err)
	}
	if string(again.Raw) != string(sd.Raw) {
		t.Error("normalisation is not idempotent")
	}
}

func containsBytes(b, sub []byte) bool {
	for i := 0; i+len(sub) <= len(b); i++ {
		if string(b[i:i+len(sub)]) == string(sub) {
			return true
		}
	}
	return false
}
