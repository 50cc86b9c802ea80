package pubkey

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"math/big"
	"sync"
	"testing"
)

// testHashes are the hashes with a DigestInfo here, all of which crypto/rsa
// supports too.
var testHashes = []crypto.Hash{
	crypto.SHA1, crypto.SHA224, crypto.SHA256, crypto.SHA384, crypto.SHA512,
	crypto.SHA512_224, crypto.SHA512_256,
	crypto.SHA3_224, crypto.SHA3_256, crypto.SHA3_384, crypto.SHA3_512,
}

var (
	rsaKeysOnce sync.Once
	rsaKeys     []*rsa.PrivateKey
)

// normalKeys returns RSA keys crypto/rsa accepts, of sizes that exercise
// both PSS encodings: 2048 bits (emBits 2047, the top bit masked) and 2049
// bits (emBits a multiple of 8, the encoded message one byte shorter than
// the modulus), and 3072.
func normalKeys(t testing.TB) []*rsa.PrivateKey {
	rsaKeysOnce.Do(func() {
		for _, bits := range []int{2048, 2049, 3072} {
			k, err := rsa.GenerateKey(rand.Reader, bits)
			if err != nil {
				panic(err)
			}
			rsaKeys = append(rsaKeys, k)
		}
	})
	return rsaKeys
}

func digestOf(h crypto.Hash, msg string) []byte {
	d := h.New()
	d.Write([]byte(msg))
	return d.Sum(nil)
}

func flip(b []byte, i int) []byte {
	c := append([]byte(nil), b...)
	c[i%len(c)] ^= 0x01
	return c
}

// agree checks that our error and crypto/rsa's agree on validity, and that
// ours is ErrVerification when both refuse.
func agree(t *testing.T, what string, ours, theirs error) {
	t.Helper()
	if (ours == nil) != (theirs == nil) {
		t.Errorf("%s: ours %v, crypto/rsa %v", what, ours, theirs)
		return
	}
	if ours != nil && !errors.Is(ours, ErrVerification) {
		t.Errorf("%s: %v does not wrap ErrVerification", what, ours)
	}
}

// TestBigPKCS1v15MatchesCryptoRSA runs the math/big path on keys crypto/rsa
// accepts and compares every verdict with crypto/rsa: valid signatures,
// tampered signatures, another digest, another hash.
func TestBigPKCS1v15MatchesCryptoRSA(t *testing.T) {
	for _, k := range normalKeys(t) {
		for _, h := range testHashes {
			t.Run(fmt.Sprintf("%d/%v", k.N.BitLen(), h), func(t *testing.T) {
				d := digestOf(h, "Quyết định số 05/QĐ-UBND")
				sig, err := rsa.SignPKCS1v15(nil, k, h, d)
				if err != nil {
					t.Fatal(err)
				}
				pub := &k.PublicKey
				if err := verifyPKCS1v15Big(pub, h, d, sig); err != nil {
					t.Fatalf("valid signature refused: %v", err)
				}
				for i, c := range []struct {
					h      crypto.Hash
					d, sig []byte
				}{
					{h, d, flip(sig, 0)},
					{h, d, flip(sig, len(sig)/2)},
					{h, d, flip(sig, len(sig)-1)},
					{h, flip(d, 3), sig},
					{other(h), digestOf(other(h), "Quyết định số 05/QĐ-UBND"), sig},
				} {
					agree(t, fmt.Sprint("case ", i), verifyPKCS1v15Big(pub, c.h, c.d, c.sig), rsa.VerifyPKCS1v15(pub, c.h, c.d, c.sig))
				}
			})
		}
	}
}

// other returns a hash different from h.
func other(h crypto.Hash) crypto.Hash {
	if h == crypto.SHA256 {
		return crypto.SHA384
	}
	return crypto.SHA256
}

// TestBigPSSMatchesCryptoRSA does the same for RSASSA-PSS with every salt
// length form: signed with the largest salt, the hash size and a few
// explicit lengths (0 included), verified with auto, equals-hash and exact
// lengths, right and wrong.
func TestBigPSSMatchesCryptoRSA(t *testing.T) {
	for _, k := range normalKeys(t) {
		for _, h := range testHashes {
			t.Run(fmt.Sprintf("%d/%v", k.N.BitLen(), h), func(t *testing.T) {
				pub := &k.PublicKey
				d := digestOf(h, "Công văn 123/UBND-VP")
				maxSalt := (pub.N.BitLen()-1+7)/8 - h.Size() - 2
				for _, signSalt := range []int{rsa.PSSSaltLengthAuto, rsa.PSSSaltLengthEqualsHash, 1, 20} {
					sig, err := rsa.SignPSS(rand.Reader, k, h, d, &rsa.PSSOptions{SaltLength: signSalt})
					if err != nil {
						t.Fatal(err)
					}
					actual := signSalt
					switch signSalt {
					case rsa.PSSSaltLengthAuto:
						actual = maxSalt
					case rsa.PSSSaltLengthEqualsHash:
						actual = h.Size()
					}
					if err := verifyPSSBig(pub, h, d, sig, rsa.PSSSaltLengthAuto); err != nil {
						t.Fatalf("salt %d: valid signature refused (auto): %v", signSalt, err)
					}
					if err := verifyPSSBig(pub, h, d, sig, actual); err != nil {
						t.Fatalf("salt %d: valid signature refused (exact %d): %v", signSalt, actual, err)
					}
					for _, verifySalt := range []int{rsa.PSSSaltLengthAuto, rsa.PSSSaltLengthEqualsHash, actual, actual + 1, max(actual-1, 1)} {
						for i, c := range []struct{ d, sig []byte }{
							{d, sig}, {d, flip(sig, 0)}, {d, flip(sig, len(sig)-1)}, {flip(d, 0), sig},
						} {
							theirs := rsa.VerifyPSS(pub, h, c.d, c.sig, &rsa.PSSOptions{SaltLength: verifySalt})
							agree(t, fmt.Sprintf("signed salt %d, verify salt %d, case %d", signSalt, verifySalt, i),
								verifyPSSBig(pub, h, c.d, c.sig, verifySalt), theirs)
						}
					}
				}
			})
		}
	}
}

// TestPublicFunctionsUseCryptoRSA checks the exported functions on normal
// keys (the crypto/rsa path) for the same verdicts.
func TestPublicFunctionsUseCryptoRSA(t *testing.T) {
	k := normalKeys(t)[0]
	d := digestOf(crypto.SHA256, "x")
	sig, _ := rsa.SignPKCS1v15(nil, k, crypto.SHA256, d)
	if err := VerifyPKCS1v15(&k.PublicKey, crypto.SHA256, d, sig); err != nil {
		t.Error(err)
	}
	if err := VerifyPKCS1v15(&k.PublicKey, crypto.SHA256, d, flip(sig, 9)); !errors.Is(err, ErrVerification) {
		t.Errorf("tampered: %v", err)
	}
	pss, _ := rsa.SignPSS(rand.Reader, k, crypto.SHA256, d, nil)
	if err := VerifyPSS(&k.PublicKey, crypto.SHA256, d, pss, rsa.PSSSaltLengthAuto); err != nil {
		t.Error(err)
	}
	if err := VerifyPSS(&k.PublicKey, crypto.SHA256, d, flip(pss, 9), rsa.PSSSaltLengthAuto); !errors.Is(err, ErrVerification) {
		t.Errorf("tampered: %v", err)
	}
}

// TestHostileKeys feeds keys and signatures no real signer makes: each must
// be refused with the right sentinel, without a panic, on both paths.
func TestHostileKeys(t *testing.T) {
	good := normalKeys(t)[0]
	d := digestOf(crypto.SHA256, "x")
	sig, _ := rsa.SignPKCS1v15(nil, good, crypto.SHA256, d)
	n := good.N
	big2 := func(bits int) *big.Int { // an odd number of the given size
		v := new(big.Int).Lsh(big.NewInt(1), uint(bits-1))
		return v.SetBit(v, 0, 1)
	}
	unsupportedKeys := map[string]*rsa.PublicKey{
		"nil modulus":       {E: 65537},
		"zero modulus":      {N: new(big.Int), E: 65537},
		"negative modulus":  {N: new(big.Int).Neg(n), E: 65537},
		"even modulus":      {N: new(big.Int).Add(n, big.NewInt(1)), E: 65537},
		"512-bit modulus":   {N: big2(512), E: 65537},
		"1023-bit modulus":  {N: big2(1023), E: 65537},
		"16385-bit modulus": {N: big2(16385), E: 65537},
		"exponent 1":        {N: n, E: 1},
		"exponent 0":        {N: n, E: 0},
		"negative exponent": {N: n, E: -65537},
		"even exponent":     {N: n, E: 65536},
		"even big exponent": {N: n, E: 1 << 40},
	}
	for name, k := range unsupportedKeys {
		for _, e := range []error{
			VerifyPKCS1v15(k, crypto.SHA256, d, sig),
			VerifyPSS(k, crypto.SHA256, d, sig, 0),
		} {
			if !errors.Is(e, ErrUnsupported) {
				t.Errorf("%s: %v, want ErrUnsupported", name, e)
			}
		}
	}
	if err := VerifyPKCS1v15(nil, crypto.SHA256, d, sig); !errors.Is(err, ErrUnsupported) {
		t.Errorf("nil key: %v", err)
	}
	// The largest modulus accepted works (a number, not a key: the
	// signature is simply wrong).
	if err := VerifyPKCS1v15(&rsa.PublicKey{N: big2(16384), E: 1<<33 + 1}, crypto.SHA256, d, make([]byte, 2048)); !errors.Is(err, ErrVerification) {
		t.Errorf("16384-bit modulus: %v", err)
	}

	for _, e := range []int{65537, 1<<32 + 15} {
		k := &rsa.PublicKey{N: n, E: e}
		kBytes := (n.BitLen() + 7) / 8
		nMinus1 := new(big.Int).Sub(n, big.NewInt(1)).FillBytes(make([]byte, kBytes))
		badSigs := map[string][]byte{
			"empty":   nil,
			"short":   sig[1:],
			"long":    append([]byte{0}, sig...),
			"zero":    make([]byte, kBytes),
			"one":     big.NewInt(1).FillBytes(make([]byte, kBytes)),
			"n":       n.FillBytes(make([]byte, kBytes)),
			"n-1":     nMinus1,
			"all ff":  bytesOf(0xff, kBytes),
			"garbage": flip(sig, 100),
		}
		for name, s := range badSigs {
			if err := VerifyPKCS1v15(k, crypto.SHA256, d, s); !errors.Is(err, ErrVerification) {
				t.Errorf("e=%d pkcs1 %s: %v, want ErrVerification", e, name, err)
			}
			if err := VerifyPSS(k, crypto.SHA256, d, s, rsa.PSSSaltLengthAuto); !errors.Is(err, ErrVerification) {
				t.Errorf("e=%d pss %s: %v, want ErrVerification", e, name, err)
			}
		}
		for name, c := range map[string]struct {
			h crypto.Hash
			d []byte
		}{
			"no hash":      {0, d},
			"md5":          {crypto.MD5, make([]byte, 16)},
			"short digest": {crypto.SHA256, d[1:]},
			"long digest":  {crypto.SHA256, append(d, 0)},
			"unknown hash": {crypto.Hash(99), d},
		} {
			if err := VerifyPKCS1v15(k, c.h, c.d, sig); !errors.Is(err, ErrUnsupported) {
				t.Errorf("e=%d pkcs1 %s: %v, want ErrUnsupported", e, name, err)
			}
			if err := VerifyPSS(k, c.h, c.d, sig, 0); !errors.Is(err, ErrUnsupported) {
				t.Errorf("e=%d pss %s: %v, want ErrUnsupported", e, name, err)
			}
		}
		if err := VerifyPSS(k, crypto.SHA256, d, sig, -2); !errors.Is(err, ErrUnsupported) {
			t.Errorf("e=%d salt -2: %v", e, err)
		}
	}
}

func bytesOf(b byte, n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = b
	}
	return out
}
