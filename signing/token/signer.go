package token

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math/big"

	"github.com/miekg/pkcs11"
)

// Signer returns a crypto.Signer for c's private key. It signs through the
// session (serialised with every other call on it) and stops working when
// the session or its module is closed. Public returns the certificate's
// public key. The session must be logged in before Sign.
//
// Sign accepts a digest, never the message: RSA PKCS#1 v1.5 (CKM_RSA_PKCS
// over a DigestInfo built here; SHA-1, SHA-224, SHA-256, SHA-384, SHA-512,
// or crypto.Hash(0) for an already encoded block), RSA-PSS when opts is
// *rsa.PSSOptions (CKM_RSA_PKCS_PSS; PSSSaltLengthAuto and
// PSSSaltLengthEqualsHash both mean the hash length) and ECDSA (CKM_ECDSA,
// returned as ASN.1 DER). The digest length must match opts.HashFunc().
// A token lost during signing gives an error wrapping ErrTokenRemoved, a
// token that logged out one wrapping ErrNotLoggedIn.
func (s *Session) Signer(c Credential) (crypto.Signer, error) {
	switch {
	case c.sess != s:
		return nil, fmt.Errorf("signer for %q: credential was listed by another session", c.Label)
	case c.key == 0 && c.Problem == ProblemNotLoggedIn:
		return nil, fmt.Errorf("signer for %q: log in, then list credentials again: %w", c.Label, ErrNotLoggedIn)
	case c.key == 0:
		return nil, fmt.Errorf("signer for %q: %s", c.Label, c.Problem)
	}
	return &keySigner{s: s, key: c.key, keyID: c.keyID, pub: c.Certificate.PublicKey, label: c.Label}, nil
}

// SignerByID returns a crypto.Signer for the private key with CKA_ID id
// when no certificate for it is on the token yet (issuing a certificate,
// building a certificate request). pub is the key's public half, RSA or
// ECDSA; for RSA keys it is checked against the key's modulus. The session
// must be logged in. Errors wrap ErrNoCredential when no such key exists.
func (s *Session) SignerByID(id []byte, pub crypto.PublicKey) (crypto.Signer, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check("find key"); err != nil {
		return nil, err
	}
	hs, err := s.findObjects([]*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_PRIVATE_KEY),
		pkcs11.NewAttribute(pkcs11.CKA_ID, id),
	})
	if err != nil {
		return nil, s.failure("find key", err)
	}
	if len(hs) != 1 {
		return nil, fmt.Errorf("find key %x on token %q: %d keys match: %w", id, s.label, len(hs), ErrNoCredential)
	}
	switch p := pub.(type) {
	case *rsa.PublicKey:
		if m := s.attr(hs[0], pkcs11.CKA_MODULUS); m != nil && new(big.Int).SetBytes(m).Cmp(p.N) != 0 {
			return nil, fmt.Errorf("find key %x on token %q: public key does not match", id, s.label)
		}
	case *ecdsa.PublicKey:
	default:
		return nil, fmt.Errorf("find key %x on token %q: unsupported public key %T", id, s.label, pub)
	}
	return &keySigner{s: s, key: hs[0], keyID: id, pub: pub, label: fmt.Sprintf("key %x", id)}, nil
}

type keySigner struct {
	s     *Session
	key   pkcs11.ObjectHandle // guarded by s.mu: refreshed when the module invalidates it
	keyID []byte
	pub   crypto.PublicKey
	label string
}

func (k *keySigner) Public() crypto.PublicKey { return k.pub }

func (k *keySigner) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	h := opts.HashFunc()
	if h != 0 && len(digest) != h.Size() {
		return nil, fmt.Errorf("sign with %q: digest is %d bytes, %v needs %d", k.label, len(digest), h, h.Size())
	}
	switch pub := k.pub.(type) {
	case *rsa.PublicKey:
		if pss, ok := opts.(*rsa.PSSOptions); ok {
			mech, err := pssMechanism(pub, h, pss)
			if err != nil {
				return nil, fmt.Errorf("sign with %q: %w", k.label, err)
			}
			return k.s.sign(k, mech, digest)
		}
		data := digest
		if h != 0 {
			info, err := digestInfo(h, digest)
			if err != nil {
				return nil, fmt.Errorf("sign with %q: %w", k.label, err)
			}
			data = info
		}
		return k.s.sign(k, pkcs11.NewMechanism(pkcs11.CKM_RSA_PKCS, nil), data)
	case *ecdsa.PublicKey:
		raw, err := k.s.sign(k, pkcs11.NewMechanism(pkcs11.CKM_ECDSA, nil), digest)
		if err != nil {
			return nil, err
		}
		der, err := ecdsaDER(raw, (pub.Curve.Params().BitSize+7)/8)
		if err != nil {
			return nil, fmt.Errorf("sign with %q: %w", k.label, err)
		}
		return der, nil
	}
	return nil, fmt.Errorf("sign with %q: unsupported public key %T", k.label, k.pub)
}

// sign runs C_SignInit and C_Sign as one operation on the session.
//
// Object handles may change with the login state (SoftHSM2 drops the
// handles of private objects at logout, and other modules renumber on
// re-login), so an invalid handle on a token that is still present makes
// sign look the key up again, once. This never re-sends a PIN.
func (s *Session) sign(k *keySigner, mech *pkcs11.Mechanism, data []byte) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	op := fmt.Sprintf("sign with %q", k.label)
	if err := s.check(op); err != nil {
		return nil, err
	}
	ck := s.m.lib.ck
	err := ck.SignInit(s.h, []*pkcs11.Mechanism{mech}, k.key)
	if rvIs(err, pkcs11.CKR_OBJECT_HANDLE_INVALID, pkcs11.CKR_KEY_HANDLE_INVALID) && s.tokenPresent() {
		keys, ferr := s.privateKeys()
		if ferr != nil {
			return nil, s.signFailure(op, ferr)
		}
		key, problem := s.pairKey(k.pub, k.keyID, keys)
		switch {
		case problem == "":
			k.key = key.h
			err = ck.SignInit(s.h, []*pkcs11.Mechanism{mech}, k.key)
		case !s.sessionLoggedIn():
			s.loggedIn = false
			return nil, fmt.Errorf("%s on token %q: %w (%w)", op, s.label, ErrNotLoggedIn, err)
		default:
			return nil, fmt.Errorf("%s on token %q: key no longer on the token (%s): %w", op, s.label, problem, err)
		}
	}
	if err != nil {
		return nil, s.signFailure(op, err)
	}
	sig, err := s.m.lib.ck.Sign(s.h, data)
	if err != nil {
		return nil, s.signFailure(op, err)
	}
	return sig, nil
}

// signFailure maps a failed C_SignInit or C_Sign. Called with s.mu held.
func (s *Session) signFailure(op string, err error) error {
	if rvIs(err, pkcs11.CKR_USER_NOT_LOGGED_IN) {
		s.loggedIn = false
		return fmt.Errorf("%s on token %q: %w (%w)", op, s.label, ErrNotLoggedIn, err)
	}
	return s.failure(op, err)
}

var hashOIDs = map[crypto.Hash]asn1.ObjectIdentifier{
	crypto.SHA1:   {1, 3, 14, 3, 2, 26},
	crypto.SHA224: {2, 16, 840, 1, 101, 3, 4, 2, 4},
	crypto.SHA256: {2, 16, 840, 1, 101, 3, 4, 2, 1},
	crypto.SHA384: {2, 16, 840, 1, 101, 3, 4, 2, 2},
	crypto.SHA512: {2, 16, 840, 1, 101, 3, 4, 2, 3},
}

// digestInfo encodes the PKCS#1 v1.5 DigestInfo (RFC 8017 section 9.2)
// with NULL parameters.
func digestInfo(h crypto.Hash, digest []byte) ([]byte, error) {
	oid, ok := hashOIDs[h]
	if !ok {
		return nil, fmt.Errorf("unsupported hash %v for RSA PKCS#1 v1.5", h)
	}
	return asn1.Marshal(struct {
		Algorithm pkix.AlgorithmIdentifier
		Digest    []byte
	}{pkix.AlgorithmIdentifier{Algorithm: oid, Parameters: asn1.NullRawValue}, digest})
}

var pssHashes = map[crypto.Hash][2]uint{
	crypto.SHA1:   {pkcs11.CKM_SHA_1, pkcs11.CKG_MGF1_SHA1},
	crypto.SHA224: {pkcs11.CKM_SHA224, pkcs11.CKG_MGF1_SHA224},
	crypto.SHA256: {pkcs11.CKM_SHA256, pkcs11.CKG_MGF1_SHA256},
	crypto.SHA384: {pkcs11.CKM_SHA384, pkcs11.CKG_MGF1_SHA384},
	crypto.SHA512: {pkcs11.CKM_SHA512, pkcs11.CKG_MGF1_SHA512},
}

func pssMechanism(pub *rsa.PublicKey, h crypto.Hash, opts *rsa.PSSOptions) (*pkcs11.Mechanism, error) {
	algs, ok := pssHashes[h]
	if !ok {
		return nil, fmt.Errorf("unsupported hash %v for RSA-PSS", h)
	}
	salt := opts.SaltLength
	switch salt {
	case rsa.PSSSaltLengthAuto, rsa.PSSSaltLengthEqualsHash:
		salt = h.Size()
	}
	emLen := (pub.N.BitLen() - 1 + 7) / 8
	if salt < 0 || salt > emLen-h.Size()-2 {
		return nil, fmt.Errorf("RSA-PSS salt length %d out of range for a %d-bit key", opts.SaltLength, pub.N.BitLen())
	}
	return pkcs11.NewMechanism(pkcs11.CKM_RSA_PKCS_PSS, pkcs11.NewPSSParams(algs[0], algs[1], uint(salt))), nil
}

// ecdsaDER turns the token's r||s into the ASN.1 SEQUENCE { r, s } that
// crypto/ecdsa and CMS use.
func ecdsaDER(raw []byte, size int) ([]byte, error) {
	if len(raw) == 0 || len(raw)%2 != 0 || len(raw) > 2*size+2 {
		return nil, errors.New("token returned a malformed ECDSA signature")
	}
	half := len(raw) / 2
	return asn1.Marshal(struct{ R, S *big.Int }{
		new(big.Int).SetBytes(raw[:half]),
		new(big.Int).SetBytes(raw[half:]),
	})
}
