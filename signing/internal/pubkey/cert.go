package pubkey

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
)

type certScheme int

const (
	schemePKCS1 certScheme = iota + 1
	schemePSS
	schemeECDSA
	schemeEd25519
)

// certAlgorithms maps the algorithms VerifyCertificateSignature checks to
// their scheme and hash.
var certAlgorithms = map[x509.SignatureAlgorithm]struct {
	scheme certScheme
	hash   crypto.Hash
}{
	x509.SHA1WithRSA:      {schemePKCS1, crypto.SHA1},
	x509.SHA256WithRSA:    {schemePKCS1, crypto.SHA256},
	x509.SHA384WithRSA:    {schemePKCS1, crypto.SHA384},
	x509.SHA512WithRSA:    {schemePKCS1, crypto.SHA512},
	x509.SHA256WithRSAPSS: {schemePSS, crypto.SHA256},
	x509.SHA384WithRSAPSS: {schemePSS, crypto.SHA384},
	x509.SHA512WithRSAPSS: {schemePSS, crypto.SHA512},
	x509.ECDSAWithSHA1:    {schemeECDSA, crypto.SHA1},
	x509.ECDSAWithSHA256:  {schemeECDSA, crypto.SHA256},
	x509.ECDSAWithSHA384:  {schemeECDSA, crypto.SHA384},
	x509.ECDSAWithSHA512:  {schemeECDSA, crypto.SHA512},
	x509.PureEd25519:      {schemeEd25519, crypto.SHA512},
}

// VerifyCertificateSignature verifies sig over signed (a certificate's
// RawTBSCertificate, a CRL's or an OCSP response's signed part) made with
// alg by the key pub. It returns the hash the algorithm uses, also when
// the signature is wrong (0 when the algorithm is not supported); judging
// that hash is the caller's policy. RSA keys may have any odd exponent of
// at least 3; ECDSA keys must be on P-256, P-384 or P-521. MD2, MD5, DSA
// and unknown algorithms are refused with ErrUnsupported. A key of another
// type than alg names gives ErrVerification: that key did not make the
// signature.
func VerifyCertificateSignature(alg x509.SignatureAlgorithm, pub crypto.PublicKey, signed, sig []byte) (crypto.Hash, error) {
	a, ok := certAlgorithms[alg]
	if !ok {
		return 0, unsupported("signature algorithm %v", alg)
	}
	h := a.hash
	mismatch := func() (crypto.Hash, error) {
		return h, fmt.Errorf("%w: %v signature with a %T key", ErrVerification, alg, pub)
	}
	switch a.scheme {
	case schemePKCS1, schemePSS:
		k, ok := pub.(*rsa.PublicKey)
		if !ok {
			return mismatch()
		}
		d := h.New()
		d.Write(signed)
		if a.scheme == schemePKCS1 {
			return h, VerifyPKCS1v15(k, h, d.Sum(nil), sig)
		}
		return h, VerifyPSS(k, h, d.Sum(nil), sig, rsa.PSSSaltLengthEqualsHash)
	case schemeECDSA:
		k, ok := pub.(*ecdsa.PublicKey)
		if !ok {
			return mismatch()
		}
		if k == nil || k.Curve == nil || k.X == nil || k.Y == nil {
			return h, unsupported("ecdsa key without a point")
		}
		switch k.Curve {
		case elliptic.P256(), elliptic.P384(), elliptic.P521():
		default:
			name := fmt.Sprintf("%T", k.Curve)
			if p := k.Curve.Params(); p != nil {
				name = p.Name
			}
			return h, unsupported("ecdsa curve %s", name)
		}
		d := h.New()
		d.Write(signed)
		if !ecdsa.VerifyASN1(k, d.Sum(nil), sig) {
			return h, ErrVerification
		}
		return h, nil
	default: // schemeEd25519
		k, ok := pub.(ed25519.PublicKey)
		if !ok {
			return mismatch()
		}
		if len(k) != ed25519.PublicKeySize {
			return h, unsupported("ed25519 key of %d bytes", len(k))
		}
		if !ed25519.Verify(k, signed, sig) {
			return h, ErrVerification
		}
		return h, nil
	}
}
