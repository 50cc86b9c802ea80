package certpath

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"fmt"
	"time"
)

// DefaultSHA1Sunset is the time from which DefaultPolicy refuses SHA-1:
// 2021-01-01 00:00 UTC. Practical SHA-1 chosen-prefix collisions were
// published in January 2020 ("SHA-1 is a Shambles"), and Vietnamese CAs
// signed with SHA-1 until about 2020.
var DefaultSHA1Sunset = time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)

// Policy says which hash functions and keys are acceptable at a given
// time, the way EU DSS's validation policy dates its algorithms
// (AcceptableDigestAlgo, AlgoExpirationDate). The zero Policy refuses
// SHA-1 and accepts RSA keys from 1024 bits. Use DefaultPolicy and change
// its fields for an IT policy of another opinion.
type Policy struct {
	// SHA1Sunset: SHA-1 is acceptable for times strictly before it. The
	// zero time refuses SHA-1 at every time.
	SHA1Sunset time.Time
	// Sunsets gives other hashes of the SHA-2 and SHA-3 families a sunset:
	// acceptable strictly before it. Hashes without an entry are always
	// acceptable. MD2, MD4, MD5 and hashes outside those families are
	// never acceptable, whatever the map says.
	Sunsets map[crypto.Hash]time.Time
	// MinRSABits is the smallest RSA modulus acceptable at any time;
	// values under 1024 count as 1024 (shorter keys are never acceptable).
	MinRSABits int
	// RSA2048Sunset: when not zero, RSA keys under 2048 bits are
	// acceptable only for times strictly before it.
	RSA2048Sunset time.Time
}

// DefaultPolicy returns the product's policy: MD2/MD5 never; SHA-1
// before DefaultSHA1Sunset; the SHA-2 and SHA-3 families always; RSA keys
// from 1024 bits; ECDSA on P-256, P-384 and P-521; Ed25519.
func DefaultPolicy() *Policy {
	return &Policy{SHA1Sunset: DefaultSHA1Sunset, MinRSABits: 1024}
}

// AlgorithmError is the error of CheckHash and CheckKey: Algorithm is not
// acceptable at At. Sunset is the time from which it is not (zero when it
// never is).
type AlgorithmError struct {
	Algorithm string
	At        time.Time
	Sunset    time.Time
}

func (e *AlgorithmError) Error() string {
	if e.Sunset.IsZero() {
		return fmt.Sprintf("%s is never acceptable", e.Algorithm)
	}
	if e.At.IsZero() {
		return fmt.Sprintf("%s is acceptable only before %s, and no time to judge it at", e.Algorithm, e.Sunset.UTC().Format(time.DateOnly))
	}
	return fmt.Sprintf("%s is not acceptable at %s (sunset %s)", e.Algorithm, e.At.UTC().Format(time.RFC3339), e.Sunset.UTC().Format(time.DateOnly))
}

// hashFamilies are the hashes a policy may accept.
var hashFamilies = map[crypto.Hash]bool{
	crypto.SHA1: true, crypto.SHA224: true, crypto.SHA256: true, crypto.SHA384: true, crypto.SHA512: true,
	crypto.SHA512_224: true, crypto.SHA512_256: true,
	crypto.SHA3_224: true, crypto.SHA3_256: true, crypto.SHA3_384: true, crypto.SHA3_512: true,
}

func hashName(h crypto.Hash) string {
	if h == 0 {
		return "unknown hash"
	}
	return h.String()
}

// sunset returns the time from which h is no longer acceptable (zero:
// never acceptable) and whether h has a sunset at all.
func (p *Policy) sunset(h crypto.Hash) (t time.Time, dated, ok bool) {
	if !hashFamilies[h] {
		return time.Time{}, false, false
	}
	if h == crypto.SHA1 {
		return p.SHA1Sunset, true, !p.SHA1Sunset.IsZero()
	}
	if s, listed := p.Sunsets[h]; listed {
		return s, true, true
	}
	return time.Time{}, false, true
}

// CheckHash returns nil if h is acceptable at time at, else an
// *AlgorithmError. A zero at is a time not known: hashes with a sunset are
// refused then.
func (p *Policy) CheckHash(h crypto.Hash, at time.Time) error {
	s, dated, ok := p.sunset(h)
	if !ok {
		return &AlgorithmError{Algorithm: hashName(h), At: at}
	}
	if dated && (at.IsZero() || !at.Before(s)) {
		return &AlgorithmError{Algorithm: hashName(h), At: at, Sunset: s}
	}
	return nil
}

// CheckKey returns nil if pub is acceptable at time at, else an
// *AlgorithmError: RSA of at least MinRSABits (and 2048 bits from
// RSA2048Sunset), ECDSA on P-256, P-384 or P-521, Ed25519. Other key
// types are never acceptable.
func (p *Policy) CheckKey(pub crypto.PublicKey, at time.Time) error {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if k == nil || k.N == nil {
			return &AlgorithmError{Algorithm: "RSA without modulus", At: at}
		}
		bits := k.N.BitLen()
		name := fmt.Sprintf("RSA-%d", bits)
		if bits < max(1024, p.MinRSABits) {
			return &AlgorithmError{Algorithm: name, At: at}
		}
		if !p.RSA2048Sunset.IsZero() && bits < 2048 && (at.IsZero() || !at.Before(p.RSA2048Sunset)) {
			return &AlgorithmError{Algorithm: name, At: at, Sunset: p.RSA2048Sunset}
		}
		return nil
	case *ecdsa.PublicKey:
		if k != nil {
			switch k.Curve {
			case elliptic.P256(), elliptic.P384(), elliptic.P521():
				return nil
			}
		}
		name := "ECDSA"
		if k != nil && k.Curve != nil && k.Curve.Params() != nil {
			name += "-" + k.Curve.Params().Name
		}
		return &AlgorithmError{Algorithm: name, At: at}
	case ed25519.PublicKey:
		if len(k) == ed25519.PublicKeySize {
			return nil
		}
	}
	return &AlgorithmError{Algorithm: fmt.Sprintf("%T key", pub), At: at}
}
