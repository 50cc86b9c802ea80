package cms

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/subtle"
	"crypto/x509"
	"errors"
	"fmt"
	"math/big"
)

// ErrNoSignedAttributes is returned by VerifySignature and CheckDigest for
// a signer without signed attributes; use VerifyContentDigest then.
var ErrNoSignedAttributes = errors.New("cms: signer has no signed attributes")

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
		return scheme{}, fmt.Errorf("cms: unknown signature algorithm %v", si.SignatureAlgorithm.Algorithm)
	}
	s := scheme{kind: a.kind, name: a.name, hash: a.hash}
	if a.kind == sigRSAPSS {
		h, salt, err := parsePSSParams(si.SignatureAlgorithm.Parameters.FullBytes)
		if err != nil {
			return scheme{}, fmt.Errorf("cms: rsa-pss parameters: %w", err)
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
// of the content (computed by the caller with DigestAlgorithm).
func (si *SignerInfo) CheckDigest(contentDigest []byte) error {
	if si.SignedAttrsDER == nil {
		return ErrNoSignedAttributes
	}
	if si.MessageDigest == nil {
		return errors.New("cms: signed attributes lack a message digest")
	}
	if subtle.ConstantTimeCompare(si.MessageDigest, contentDigest) != 1 {
		return errors.New("cms: message digest does not match the content")
	}
	return nil
}

// VerifySignature checks the signature over the signed attributes with the
// public key of cert. It does not check the message digest (CheckDigest),
// the certificate's validity or its chain. Supported: RSA PKCS#1 v1.5 (with
// rsaEncryption or a hash-specific OID), RSASSA-PSS, ECDSA (DER or plain
// r||s) and Ed25519.
//
// The signed attributes are hashed with DigestAlgorithm (RFC 5652 section
// 5.4). A signature algorithm that names another hash (SHA3-224withRSA
// with SHA-256 as digest algorithm, made by some Java signers) is an
// error, as EU DSS judges it too.
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
// directly.
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
			return fmt.Errorf("cms: %s signature with a %T key", s.name, pub)
		}
		if msg == nil {
			return errors.New("cms: ed25519 signature without signed attributes is not supported")
		}
		if !ed25519.Verify(k, msg, si.Signature) {
			return errors.New("cms: signature does not verify")
		}
		return nil
	}
	h := si.DigestAlgorithm
	if s.hash != 0 && s.hash != h {
		return fmt.Errorf("cms: signature algorithm %s does not match digest algorithm %v", s.name, hashName(h))
	}
	if h == 0 || !h.Available() {
		if si.DigestAlgorithmErr != nil {
			return fmt.Errorf("cms: %w", si.DigestAlgorithmErr)
		}
		return fmt.Errorf("cms: hash %v not available", hashName(h))
	}
	d := digest
	if msg != nil {
		hh := h.New()
		hh.Write(msg)
		d = hh.Sum(nil)
	}
	return verifyDigest(s, h, pub, d, si.Signature)
}

func verifyDigest(s scheme, h crypto.Hash, pub crypto.PublicKey, digest, sig []byte) error {
	bad := errors.New("cms: signature does not verify")
	switch s.kind {
	case sigRSA, sigRSAPSS:
		k, ok := pub.(*rsa.PublicKey)
		if !ok {
			return fmt.Errorf("cms: %s signature with a %T key", s.name, pub)
		}
		var err error
		if s.kind == sigRSA {
			err = rsa.VerifyPKCS1v15(k, h, digest, sig)
		} else {
			err = rsa.VerifyPSS(k, h, digest, sig, &rsa.PSSOptions{SaltLength: s.salt, Hash: h})
		}
		if err != nil {
			if errors.Is(err, rsa.ErrVerification) {
				return bad
			}
			return fmt.Errorf("cms: verify %s: %w", s.name, err)
		}
		return nil
	case sigECDSA, sigECDSARaw:
		k, ok := pub.(*ecdsa.PublicKey)
		if !ok {
			return fmt.Errorf("cms: %s signature with a %T key", s.name, pub)
		}
		if s.kind == sigECDSA {
			if !ecdsa.VerifyASN1(k, digest, sig) {
				return bad
			}
			return nil
		}
		if len(sig) == 0 || len(sig)%2 != 0 {
			return bad
		}
		r := new(big.Int).SetBytes(sig[:len(sig)/2])
		ss := new(big.Int).SetBytes(sig[len(sig)/2:])
		if !ecdsa.Verify(k, digest, r, ss) {
			return bad
		}
		return nil
	}
	return fmt.Errorf("cms: unsupported signature algorithm %s", s.name)
}
