package cms

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/subtle"
	"crypto/x509"
	"errors"
	"fmt"
	"math/big"

	"github.com/vanthuso/vanthu/signing/internal/pubkey"
)

// ErrNoSignedAttributes is returned by VerifySignature and CheckDigest for
// a signer without signed attributes; use VerifyContentDigest then.
var ErrNoSignedAttributes = errors.New("cms: signer has no signed attributes")

// ErrSignatureInvalid is wrapped by the errors of VerifySignature,
// VerifyContentDigest and CheckDigest that say the signature genuinely
// does not verify: a wrong signature value, a message digest that does not
// match the content, a signature algorithm naming another hash than the
// digest algorithm, a certificate key of another type than the algorithm.
var ErrSignatureInvalid = errors.New("cms: signature does not verify")

// ErrUnsupported is wrapped by the errors of VerifySignature and
// VerifyContentDigest that say the signature could not be checked: an
// unknown signature or digest algorithm, RSASSA-PSS parameters not
// understood, an unsupported curve or key type, key parameters out of
// range. Such a signature is neither valid nor shown to be broken.
var ErrUnsupported = errors.New("cms: unsupported")

// sentinelError is an error with its own text that wraps a sentinel, so
// that the messages stay what they say while errors.Is finds the class.
type sentinelError struct {
	sentinel error
	msg      string
}

func (e *sentinelError) Error() string { return e.msg }
func (e *sentinelError) Unwrap() error { return e.sentinel }

// unsupportedf makes a "cms: ..." error wrapping ErrUnsupported.
func unsupportedf(format string, args ...any) error {
	return &sentinelError{ErrUnsupported, "cms: " + fmt.Sprintf(format, args...)}
}

// invalidf makes a "cms: ..." error wrapping ErrSignatureInvalid.
func invalidf(format string, args ...any) error {
	return &sentinelError{ErrSignatureInvalid, "cms: " + fmt.Sprintf(format, args...)}
}

// scheme is a resolved signature algorithm.
type scheme struct {
	kind sigKind
	name string
	hash crypto.Hash // the hash the signature algorithm names, 0 if none
	salt int         // PSS salt length
}

func (si *SignerInfo) scheme() (scheme, error) {
	a, ok := sigAlgForOID(si.SignatureAlgorithm.Algorithm)
	if !ok {
		return scheme{}, unsupportedf("unknown signature algorithm %v", si.SignatureAlgorithm.Algorithm)
	}
	s := scheme{kind: a.kind, name: a.name, hash: a.hash}
	if a.kind == sigRSAPSS {
		h, salt, err := parsePSSParams(si.SignatureAlgorithm.Parameters.FullBytes)
		if err != nil {
			return scheme{}, unsupportedf("rsa-pss parameters: %v", err)
		}
		s.hash, s.salt = h, salt
		s.name = "RSA-PSS-" + shortHashName(h)
	} else if a.hash == 0 && a.kind != sigEd25519 {
		s.name = a.name + "-" + shortHashName(si.DigestAlgorithm)
	}
	return s, nil
}

// SignatureAlgorithmName describes the signature algorithm, such as
// "RSA-SHA256", "RSA-PSS-SHA256" or "ECDSA-SHA384"; "" if unknown.
func (si *SignerInfo) SignatureAlgorithmName() string {
	s, err := si.scheme()
	if err != nil {
		return ""
	}
	return s.name
}

// parsePSSParams parses RSASSA-PSS-params (RFC 4055), applying the SHA-1
// defaults. The mask generation must be MGF1 with the same hash.
func parsePSSParams(der []byte) (crypto.Hash, int, error) {
	h, mgfHash, salt := crypto.SHA1, crypto.SHA1, 20
	if len(der) == 0 {
		return h, salt, nil
	}
	e, err := expect(der, classUniversal, tagSequence, "parameters")
	if err != nil {
		return 0, 0, err
	}
	r := reader{e.body}
	if f, ok := r.optional(classContext, 0); ok {
		ae, err := expect(f.body, classUniversal, tagSequence, "hash algorithm")
		if err != nil {
			return 0, 0, err
		}
		ai, _, err := parseAlgorithm(ae, "hash algorithm")
		if err != nil {
			return 0, 0, err
		}
		var ok bool
		if h, ok = hashForOID(ai.Algorithm); !ok {
			return 0, 0, fmt.Errorf("unknown hash %v", ai.Algorithm)
		}
		// The mask generation defaults to MGF1 with SHA-1 even then.
	}
	if f, ok := r.optional(classContext, 1); ok {
		ae, err := expect(f.body, classUniversal, tagSequence, "mask generation")
		if err != nil {
			return 0, 0, err
		}
		ai, params, err := parseAlgorithm(ae, "mask generation")
		if err != nil {
			return 0, 0, err
		}
		if !ai.Algorithm.Equal(oidMGF1) {
			return 0, 0, fmt.Errorf("unsupported mask generation %v", ai.Algorithm)
		}
		pe, err := expect(params, classUniversal, tagSequence, "mgf1 hash")
		if err != nil {
			return 0, 0, err
		}
		hi, _, err := parseAlgorithm(pe, "mgf1 hash")
		if err != nil {
			return 0, 0, err
		}
		var ok bool
		if mgfHash, ok = hashForOID(hi.Algorithm); !ok {
			return 0, 0, fmt.Errorf("unknown mgf1 hash %v", hi.Algorithm)
		}
	}
	if f, ok := r.optional(classContext, 2); ok {
		se, err := expect(f.body, classUniversal, tagInteger, "salt length")
		if err != nil {
			return 0, 0, err
		}
		if salt, err = parseSmallInt(se, "salt length"); err != nil {
			return 0, 0, err
		}
		if salt < 0 {
			return 0, 0, errors.New("negative salt length")
		}
	}
	if f, ok := r.optional(classContext, 3); ok {
		te, err := expect(f.body, classUniversal, tagInteger, "trailer field")
		if err != nil {
			return 0, 0, err
		}
		if t, err := parseSmallInt(te, "trailer field"); err != nil || t != 1 {
			return 0, 0, errors.New("unsupported trailer field")
		}
	}
	if !r.empty() {
		return 0, 0, errors.New("trailing data")
	}
	if mgfHash != h {
		return 0, 0, fmt.Errorf("mgf1 with %v differs from message hash %v", mgfHash, h)
	}
	return h, salt, nil
}

// CheckDigest compares the messageDigest signed attribute with the digest
// of the content (computed by the caller with DigestAlgorithm). A missing
// or different digest wraps ErrSignatureInvalid.
func (si *SignerInfo) CheckDigest(contentDigest []byte) error {
	if si.SignedAttrsDER == nil {
		return ErrNoSignedAttributes
	}
	if si.MessageDigest == nil {
		return invalidf("signed attributes lack a message digest")
	}
	if subtle.ConstantTimeCompare(si.MessageDigest, contentDigest) != 1 {
		return invalidf("message digest does not match the content")
	}
	return nil
}

// VerifySignature checks the signature over the signed attributes with the
// public key of cert. It does not check the message digest (CheckDigest),
// the certificate's validity or its chain. Supported: RSA PKCS#1 v1.5 (with
// rsaEncryption or a hash-specific OID), RSASSA-PSS, ECDSA (DER or plain
// r||s) and Ed25519.
//
// The signed attributes are hashed with DigestAlgorithm over their DER
// encoding, SignedAttrsDER (RFC 5652 section 5.4; see SignedAttrsNotDER).
// A signature algorithm that names another hash (SHA3-224withRSA with
// SHA-256 as digest algorithm, made by some Java signers) is an error, as
// EU DSS judges it too. RSA keys may have any odd public exponent (EU
// qualified certificates use 4294967311, which crypto/rsa refuses).
//
// The error wraps ErrSignatureInvalid when the signature genuinely does
// not verify, ErrUnsupported when it cannot be checked.
func (si *SignerInfo) VerifySignature(cert *x509.Certificate) error {
	if si.SignedAttrsDER == nil {
		return ErrNoSignedAttributes
	}
	if cert == nil {
		return errors.New("cms: no certificate to verify with")
	}
	return si.verify(cert.PublicKey, si.SignedAttrsDER, nil)
}

// VerifyContentDigest verifies a signer against the digest of the detached
// or encapsulated content: with signed attributes it runs CheckDigest and
// VerifySignature; without them the signature covers the content digest
// directly. Errors wrap ErrSignatureInvalid or ErrUnsupported as those of
// VerifySignature do.
func (si *SignerInfo) VerifyContentDigest(cert *x509.Certificate, contentDigest []byte) error {
	if cert == nil {
		return errors.New("cms: no certificate to verify with")
	}
	if si.SignedAttrsDER != nil {
		if err := si.CheckDigest(contentDigest); err != nil {
			return err
		}
		return si.VerifySignature(cert)
	}
	return si.verify(cert.PublicKey, nil, contentDigest)
}

// verify checks si.Signature over msg (hashed here) or over a precomputed
// digest.
func (si *SignerInfo) verify(pub crypto.PublicKey, msg, digest []byte) error {
	s, err := si.scheme()
	if err != nil {
		return err
	}
	if s.kind == sigEd25519 {
		k, ok := pub.(ed25519.PublicKey)
		if !ok {
			return keyMismatch(s, pub)
		}
		if msg == nil {
			return unsupportedf("ed25519 signature without signed attributes")
		}
		if len(k) != ed25519.PublicKeySize {
			return unsupportedf("ed25519 key of %d bytes", len(k))
		}
		if !ed25519.Verify(k, msg, si.Signature) {
			return ErrSignatureInvalid
		}
		return nil
	}
	h := si.DigestAlgorithm
	if h == 0 || !h.Available() {
		if si.DigestAlgorithmErr != nil {
			return fmt.Errorf("cms: %w", si.DigestAlgorithmErr)
		}
		return unsupportedf("hash %v not available", hashName(h))
	}
	if s.hash != 0 && s.hash != h {
		return invalidf("signature algorithm %s does not match digest algorithm %v", s.name, hashName(h))
	}
	d := digest
	if msg != nil {
		hh := h.New()
		hh.Write(msg)
		d = hh.Sum(nil)
	}
	return verifyDigest(s, h, pub, d, si.Signature)
}

// keyMismatch is the error for a certificate key of another type than the
// signature algorithm names, or of a type no algorithm here uses.
func keyMismatch(s scheme, pub crypto.PublicKey) error {
	switch pub.(type) {
	case *rsa.PublicKey, *ecdsa.PublicKey, ed25519.PublicKey:
		return invalidf("%s signature with a %T key", s.name, pub)
	}
	return unsupportedf("%s signature with a %T key", s.name, pub)
}

// verifyDigest checks sig over digest, the hash h of the signed data.
// RSA goes through signing/internal/pubkey, which takes any public
// exponent; its sentinels become ErrSignatureInvalid and ErrUnsupported.
func verifyDigest(s scheme, h crypto.Hash, pub crypto.PublicKey, digest, sig []byte) error {
	switch s.kind {
	case sigRSA, sigRSAPSS:
		k, ok := pub.(*rsa.PublicKey)
		if !ok {
			return keyMismatch(s, pub)
		}
		var err error
		if s.kind == sigRSA {
			err = pubkey.VerifyPKCS1v15(k, h, digest, sig)
		} else {
			err = pubkey.VerifyPSS(k, h, digest, sig, s.salt)
		}
		switch {
		case err == nil:
			return nil
		case errors.Is(err, pubkey.ErrVerification):
			return ErrSignatureInvalid
		default:
			return unsupportedf("verify %s: %v", s.name, err)
		}
	case sigECDSA, sigECDSARaw:
		k, ok := pub.(*ecdsa.PublicKey)
		if !ok {
			return keyMismatch(s, pub)
		}
		if k == nil || k.X == nil || k.Y == nil {
			return unsupportedf("%s: ecdsa key without a point", s.name)
		}
		switch k.Curve {
		case elliptic.P224(), elliptic.P256(), elliptic.P384(), elliptic.P521():
		default:
			return unsupportedf("%s: curve %T not supported", s.name, k.Curve)
		}
		if s.kind == sigECDSA {
			if !ecdsa.VerifyASN1(k, digest, sig) {
				return ErrSignatureInvalid
			}
			return nil
		}
		if len(sig) == 0 || len(sig)%2 != 0 {
			return ErrSignatureInvalid
		}
		r := new(big.Int).SetBytes(sig[:len(sig)/2])
		ss := new(big.Int).SetBytes(sig[len(sig)/2:])
		if !ecdsa.Verify(k, digest, r, ss) {
			return ErrSignatureInvalid
		}
		return nil
	}
	return unsupportedf("signature algorithm %s", s.name)
}
