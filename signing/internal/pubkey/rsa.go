package pubkey

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/subtle"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"

	_ "crypto/sha1" // the hashes a signature may name
	_ "crypto/sha256"
	_ "crypto/sha3"
	_ "crypto/sha512"
)

// ErrVerification is wrapped by every error that says the signature is
// wrong for the key.
var ErrVerification = errors.New("pubkey: signature does not verify")

// ErrUnsupported is wrapped by every error that says the signature could
// not be checked: algorithm, curve, key type or key parameters this
// package does not handle or refuses.
var ErrUnsupported = errors.New("pubkey: unsupported")

// Bounds of the RSA keys accepted, in bits of the modulus.
const (
	minRSABits = 1024
	maxRSABits = 16384
)

// maxGoExponent is the largest exponent crypto/rsa accepts.
const maxGoExponent = 1<<31 - 1

func unsupported(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrUnsupported}, args...)...)
}

// checkRSAKey applies the key sanity rules shared by both paths.
func checkRSAKey(pub *rsa.PublicKey) error {
	if pub == nil || pub.N == nil {
		return unsupported("rsa key without modulus")
	}
	if pub.N.Sign() <= 0 || pub.N.Bit(0) == 0 {
		return unsupported("rsa modulus not a positive odd number")
	}
	if b := pub.N.BitLen(); b < minRSABits || b > maxRSABits {
		return unsupported("rsa modulus of %d bits (accepted: %d to %d)", b, minRSABits, maxRSABits)
	}
	if pub.E < 3 || pub.E&1 == 0 {
		return unsupported("rsa public exponent %d (must be odd, at least 3)", pub.E)
	}
	return nil
}

func checkDigest(h crypto.Hash, digest []byte) error {
	if _, ok := hashOIDs[h]; !ok || !h.Available() {
		return unsupported("hash %v not supported", h)
	}
	if len(digest) != h.Size() {
		return unsupported("%d-byte digest for %v", len(digest), h)
	}
	return nil
}

// goError classifies an error from crypto/rsa.
func goError(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, rsa.ErrVerification) {
		return ErrVerification
	}
	return fmt.Errorf("%w: %v", ErrUnsupported, err)
}

// VerifyPKCS1v15 verifies an RSASSA-PKCS1-v1_5 signature over digest, the
// hash h of the message, like rsa.VerifyPKCS1v15 but for any odd public
// exponent of at least 3. The error wraps ErrVerification or
// ErrUnsupported.
func VerifyPKCS1v15(pub *rsa.PublicKey, h crypto.Hash, digest, sig []byte) error {
	if err := checkRSAKey(pub); err != nil {
		return err
	}
	if err := checkDigest(h, digest); err != nil {
		return err
	}
	if pub.E <= maxGoExponent {
		return goError(rsa.VerifyPKCS1v15(pub, h, digest, sig))
	}
	return verifyPKCS1v15Big(pub, h, digest, sig)
}

// VerifyPSS verifies an RSASSA-PSS signature over digest, the hash h of
// the message, with MGF1 over h, like rsa.VerifyPSS but for any odd public
// exponent of at least 3. saltLen is as in rsa.PSSOptions:
// rsa.PSSSaltLengthAuto, rsa.PSSSaltLengthEqualsHash or a positive length.
// The error wraps ErrVerification or ErrUnsupported.
func VerifyPSS(pub *rsa.PublicKey, h crypto.Hash, digest, sig []byte, saltLen int) error {
	if err := checkRSAKey(pub); err != nil {
		return err
	}
	if err := checkDigest(h, digest); err != nil {
		return err
	}
	if saltLen < rsa.PSSSaltLengthEqualsHash {
		return unsupported("pss salt length %d", saltLen)
	}
	if pub.E <= maxGoExponent {
		return goError(rsa.VerifyPSS(pub, h, digest, sig, &rsa.PSSOptions{SaltLength: saltLen, Hash: h}))
	}
	return verifyPSSBig(pub, h, digest, sig, saltLen)
}

// rsaPublic computes sᵉ mod n as a k-byte string, where k is the size of n
// in bytes. The signature must be k bytes and 1 < s < n (RFC 8017
// RSAVP1 asks 0 ≤ s < n; 0 and 1 are their own powers and never a valid
// encoding).
func rsaPublic(pub *rsa.PublicKey, sig []byte) ([]byte, error) {
	k := (pub.N.BitLen() + 7) / 8
	if len(sig) != k {
		return nil, fmt.Errorf("%w: %d-byte signature for a %d-byte modulus", ErrVerification, len(sig), k)
	}
	s := new(big.Int).SetBytes(sig)
	if s.Cmp(big.NewInt(1)) <= 0 || s.Cmp(pub.N) >= 0 {
		return nil, fmt.Errorf("%w: signature representative out of range", ErrVerification)
	}
	m := new(big.Int).Exp(s, big.NewInt(int64(pub.E)), pub.N)
	return m.FillBytes(make([]byte, k)), nil
}

// hashOIDs are the DigestInfo algorithm identifiers of RFC 8017 appendix
// B.1 (and NIST's SHA-3 arc).
var hashOIDs = map[crypto.Hash]asn1.ObjectIdentifier{
	crypto.SHA1:       {1, 3, 14, 3, 2, 26},
	crypto.SHA224:     {2, 16, 840, 1, 101, 3, 4, 2, 4},
	crypto.SHA256:     {2, 16, 840, 1, 101, 3, 4, 2, 1},
	crypto.SHA384:     {2, 16, 840, 1, 101, 3, 4, 2, 2},
	crypto.SHA512:     {2, 16, 840, 1, 101, 3, 4, 2, 3},
	crypto.SHA512_224: {2, 16, 840, 1, 101, 3, 4, 2, 5},
	crypto.SHA512_256: {2, 16, 840, 1, 101, 3, 4, 2, 6},
	crypto.SHA3_224:   {2, 16, 840, 1, 101, 3, 4, 2, 7},
	crypto.SHA3_256:   {2, 16, 840, 1, 101, 3, 4, 2, 8},
	crypto.SHA3_384:   {2, 16, 840, 1, 101, 3, 4, 2, 9},
	crypto.SHA3_512:   {2, 16, 840, 1, 101, 3, 4, 2, 10},
}

// digestInfo encodes DigestInfo ::= SEQUENCE { AlgorithmIdentifier with
// NULL parameters, OCTET STRING digest }.
func digestInfo(h crypto.Hash, digest []byte) ([]byte, error) {
	o, ok := hashOIDs[h]
	if !ok {
		return nil, unsupported("no pkcs#1 v1.5 digest info for %v", h)
	}
	type algorithm struct {
		Algorithm  asn1.ObjectIdentifier
		Parameters asn1.RawValue
	}
	return asn1.Marshal(struct {
		Algorithm algorithm
		Digest    []byte
	}{algorithm{o, asn1.NullRawValue}, digest})
}

// verifyPKCS1v15Big is RSASSA-PKCS1-V1_5-VERIFY (RFC 8017 section 8.2.2)
// on math/big. The key and digest are checked by the caller.
func verifyPKCS1v15Big(pub *rsa.PublicKey, h crypto.Hash, digest, sig []byte) error {
	t, err := digestInfo(h, digest)
	if err != nil {
		return err
	}
	em, err := rsaPublic(pub, sig)
	if err != nil {
		return err
	}
	k := len(em)
	if k < len(t)+11 {
		return unsupported("modulus too short for %v", h)
	}
	want := make([]byte, k)
	want[1] = 1
	for i := 2; i < k-len(t)-1; i++ {
		want[i] = 0xff
	}
	copy(want[k-len(t):], t)
	if subtle.ConstantTimeCompare(em, want) != 1 {
		return ErrVerification
	}
	return nil
}

// mgf1XOR XORs into out the MGF1 mask of seed under h (RFC 8017 B.2.1).
func mgf1XOR(out []byte, h crypto.Hash, seed []byte) {
	var counter [4]byte
	done := 0
	for done < len(out) {
		d := h.New()
		d.Write(seed)
		d.Write(counter[:])
		for _, b := range d.Sum(nil) {
			if done == len(out) {
				break
			}
			out[done] ^= b
			done++
		}
		for i := 3; i >= 0; i-- {
			counter[i]++
			if counter[i] != 0 {
				break
			}
		}
	}
}

// verifyPSSBig is RSASSA-PSS-VERIFY (RFC 8017 section 8.1.2) with
// EMSA-PSS-VERIFY (section 9.1.2) on math/big. The key and digest are
// checked by the caller.
func verifyPSSBig(pub *rsa.PublicKey, h crypto.Hash, digest, sig []byte, saltLen int) error {
	m, err := rsaPublic(pub, sig)
	if err != nil {
		return err
	}
	emBits := pub.N.BitLen() - 1
	emLen := (emBits + 7) / 8
	// m < n < 2^(emBits+1); EM is m as emLen bytes, so when emBits is a
	// multiple of 8 the leading byte of the k-byte string must be zero.
	if len(m) > emLen {
		if m[0] != 0 {
			return fmt.Errorf("%w: pss encoding too long", ErrVerification)
		}
		m = m[1:]
	}
	em := m
	hLen := h.Size()
	sLen := saltLen
	if sLen == rsa.PSSSaltLengthEqualsHash {
		sLen = hLen
	}
	// Step 3 (with the smallest salt when the length is found below).
	if emLen < hLen+max(sLen, 0)+2 {
		return fmt.Errorf("%w: pss encoding too short", ErrVerification)
	}
	if em[emLen-1] != 0xbc {
		return fmt.Errorf("%w: pss trailer", ErrVerification)
	}
	dbLen := emLen - hLen - 1
	db := bytes.Clone(em[:dbLen])
	mHash := em[dbLen : dbLen+hLen]
	topBits := uint(8*emLen - emBits) // bits of db[0] that must be zero
	if db[0]>>(8-topBits) != 0 {
		return fmt.Errorf("%w: pss leftmost bits", ErrVerification)
	}
	mgf1XOR(db, h, mHash)
	db[0] &= 0xff >> topBits
	// db = PS (zeros) || 0x01 || salt.
	sep := 0
	for sep < dbLen && db[sep] == 0 {
		sep++
	}
	if sep == dbLen || db[sep] != 1 {
		return fmt.Errorf("%w: pss padding", ErrVerification)
	}
	salt := db[sep+1:]
	if saltLen != rsa.PSSSaltLengthAuto && len(salt) != sLen {
		return fmt.Errorf("%w: pss salt of %d bytes, want %d", ErrVerification, len(salt), sLen)
	}
	d := h.New()
	d.Write(make([]byte, 8))
	d.Write(digest)
	d.Write(salt)
	if subtle.ConstantTimeCompare(d.Sum(nil), mHash) != 1 {
		return ErrVerification
	}
	return nil
}
