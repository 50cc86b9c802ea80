package cms

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"os"
	"path/filepath"
	"testing"

	"github.com/vanthuso/vanthu/internal/fuzzguard"
)

// fuzzSeeds returns the real blobs in testdata and a few of our own.
func fuzzSeeds(f *testing.F) (cms, tokens [][]byte) {
	files, _ := filepath.Glob("testdata/*.[bd]er")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		cms = append(cms, b)
		if sd, err := Parse(b); err == nil {
			for _, si := range sd.Signers {
				if si.TimestampToken != nil {
					tokens = append(tokens, si.TimestampToken)
				}
			}
		}
	}
	if b, err := os.ReadFile("testdata/vpcp_222-ttg.tst"); err == nil {
		tokens = append(tokens, b)
	}
	p := newTestPKI(f)
	tsa := newFakeTSA(f, p, "p256")
	for _, kind := range []string{"rsa2048", "p256"} {
		key := testKey(f, kind)
		cert := p.signerCert(f, key, "Fuzz")
		d := sha256.Sum256([]byte(kind))
		for _, o := range []SignOptions{
			{Signer: key, Certificate: cert, Profile: PKCS7, Chain: []*x509.Certificate{p.inter}},
			{Signer: key, Certificate: cert, Timestamper: tsa, PSS: kind == "rsa2048"},
		} {
			der, err := SignDetached(context.Background(), d[:], o)
			if err != nil {
				f.Fatal(err)
			}
			cms = append(cms, der)
		}
		tok, err := tsa.Timestamp(context.Background(), d[:], crypto.SHA256)
		if err != nil {
			f.Fatal(err)
		}
		tokens = append(tokens, tok)
	}
	return cms, tokens
}

func FuzzParse(f *testing.F) {
	seeds, _ := fuzzSeeds(f)
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		defer fuzzguard.Watch(t, fuzzguard.Limit, b)()
		sd, err := Parse(b)
		if err != nil {
			return
		}
		for i := range sd.Signers {
			si := &sd.Signers[i]
			_ = si.SignatureAlgorithmName()
			_ = si.CheckDigest(make([]byte, 32))
			for _, e := range si.SigningCertificateV2 {
				for _, c := range sd.Certificates {
					e.Matches(c)
				}
			}
			if cert := si.FindCertificate(sd.Certificates); cert != nil {
				_ = si.VerifySignature(cert)
				_ = si.VerifyContentDigest(cert, make([]byte, 32))
			}
			if si.TimestampToken != nil {
				if ts, err := ParseTimestampToken(si.TimestampToken); err == nil {
					ts.Verify()
				}
			}
		}
		again, err := Parse(sd.Raw)
		if err != nil {
			t.Fatalf("normalised form does not parse: %v", err)
		}
		if !bytes.Equal(again.Raw, sd.Raw) {
			t.Fatal("normalisation is not idempotent")
		}
		if len(again.Signers) != len(sd.Signers) || len(again.Certificates) != len(sd.Certificates) {
			t.Fatal("normalised form parses differently")
		}
	})
}

func FuzzParseTimestampToken(f *testing.F) {
	_, tokens := fuzzSeeds(f)
	for _, s := range tokens {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		defer fuzzguard.Watch(t, fuzzguard.Limit, b)()
		ts, err := ParseTimestampToken(b)
		if err != nil {
			return
		}
		ts.Verify()
		ts.VerifyWith(ts.SignedData.Certificates)
		info, err := ts.MarshalTSTInfo()
		if err != nil {
			return
		}
		if _, err := ParseTSTInfo(info); err != nil {
			t.Fatalf("re-encoded TSTInfo does not parse: %v", err)
		}
	})
}

func FuzzParseTimestampRequest(f *testing.F) {
	q := TimestampRequest{Hash: crypto.SHA256, HashedMessage: make([]byte, 32), CertReq: true}
	b, _ := q.Marshal()
	f.Add(b)
	r := TimestampResponse{Status: StatusRejection, StatusStrings: []string{"no"}, FailInfo: 1 << FailBadAlg}
	b, _ = r.Marshal()
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		defer fuzzguard.Watch(t, fuzzguard.Limit, b)()
		if q, err := ParseTimestampRequest(b); err == nil && q.Hash != 0 && len(q.HashedMessage) == q.Hash.Size() {
			out, err := q.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := ParseTimestampRequest(out); err != nil {
				t.Fatalf("re-encoded request does not parse: %v", err)
			}
		}
		if r, err := ParseTimestampResponse(b); err == nil {
			r.FailureNames()
		}
	})
}
