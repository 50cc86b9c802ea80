package pubkey

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"math/big"
	"testing"

	"github.com/vanthuso/vanthu/internal/fuzzguard"
)

// fuzzKey cuts a fuzz input into a key, a hash choice, a salt length and a
// signature: byte 0 picks the hash, bytes 1-8 the exponent, bytes 9-10 the
// modulus length, then the modulus and the signature.
func fuzzKey(data []byte) (pub *rsa.PublicKey, h crypto.Hash, salt int, sig []byte, ok bool) {
	if len(data) < 11 {
		return nil, 0, 0, nil, false
	}
	hashes := []crypto.Hash{crypto.SHA1, crypto.SHA256, crypto.SHA384, crypto.SHA512, crypto.SHA3_256, crypto.MD5, 0}
	h = hashes[int(data[0])%len(hashes)]
	salt = int(int8(data[0])) / 8
	e := int(int64(binary.BigEndian.Uint64(data[1:9])))
	nLen := int(binary.BigEndian.Uint16(data[9:11]))
	rest := data[11:]
	if nLen > len(rest) {
		nLen = len(rest)
	}
	return &rsa.PublicKey{N: new(big.Int).SetBytes(rest[:nLen]), E: e}, h, salt, rest[nLen:], true
}

// FuzzVerify feeds hostile RSA keys and signatures (any modulus, any
// exponent, any signature bytes) to every entry point: each must return an
// error wrapping one of the two sentinels, or nil, without panicking or
// hanging (fuzzguard's watchdog: the slowest legitimate input, a
// 16384-bit modulus with a 64-bit exponent, takes milliseconds).
func FuzzVerify(f *testing.F) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		f.Fatal(err)
	}
	d := digestOf(crypto.SHA256, "seed")
	sig, _ := rsa.SignPKCS1v15(nil, k, crypto.SHA256, d)
	seed := func(hashIndex byte, e uint64, n, sig []byte) []byte {
		b := []byte{hashIndex}
		b = binary.BigEndian.AppendUint64(b, e)
		b = binary.BigEndian.AppendUint16(b, uint16(len(n)))
		return append(append(b, n...), sig...)
	}
	f.Add(seed(1, 65537, k.N.Bytes(), sig))
	f.Add(seed(1, bigExponent, k.N.Bytes(), sig))
	f.Add(seed(2, 1<<63-1, k.N.Bytes(), sig))
	f.Add(seed(3, 3, []byte{0xff, 0xff, 0xff, 0xfb}, []byte{1, 2, 3}))
	f.Add(seed(0, 0, nil, nil))
	f.Fuzz(func(t *testing.T, data []byte) {
		defer fuzzguard.Watch(t, fuzzguard.Limit, data)()
		pub, h, salt, sig, ok := fuzzKey(data)
		if !ok {
			return
		}
		digest := make([]byte, 64)
		if h != 0 && h.Available() {
			digest = digestOf(h, string(sig))
		}
		check := func(what string, err error) {
			if err != nil && !errors.Is(err, ErrVerification) && !errors.Is(err, ErrUnsupported) {
				t.Fatalf("%s: error %v wraps neither sentinel", what, err)
			}
		}
		check("pkcs1", VerifyPKCS1v15(pub, h, digest, sig))
		check("pss", VerifyPSS(pub, h, digest, sig, salt))
		_, err := VerifyCertificateSignature(x509.SHA256WithRSA, pub, data, sig)
		check("certificate", err)
		if pub.E > maxGoExponent || pub.E < 0 {
			return
		}
		// Where crypto/rsa takes the key, the math/big path must agree.
		if checkRSAKey(pub) == nil && checkDigest(h, digest) == nil {
			ours, theirs := verifyPKCS1v15Big(pub, h, digest, sig), rsa.VerifyPKCS1v15(pub, h, digest, sig)
			if (ours == nil) != (theirs == nil) {
				t.Fatalf("pkcs1: ours %v, crypto/rsa %v", ours, theirs)
			}
			if salt >= rsa.PSSSaltLengthEqualsHash {
				ours, theirs = verifyPSSBig(pub, h, digest, sig, salt), rsa.VerifyPSS(pub, h, digest, sig, &rsa.PSSOptions{SaltLength: salt})
				if (ours == nil) != (theirs == nil) {
					t.Fatalf("pss: ours %v, crypto/rsa %v", ours, theirs)
				}
			}
		}
	})
}
