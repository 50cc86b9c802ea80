package token

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/miekg/pkcs11"
)

// Credential problems, in Credential.Problem. They are reason codes for
// the UI to translate, not sentences.
const (
	ProblemNotLoggedIn       = "not-logged-in"        // private keys are only visible after Login
	ProblemNoPrivateKey      = "no-private-key"       // a certificate alone, e.g. a CA certificate
	ProblemKeyMismatch       = "key-mismatch"         // the key with the certificate's CKA_ID is not its key
	ProblemUnsupportedKey    = "unsupported-key"      // neither RSA nor ECDSA
	ProblemPINPerSignature   = "pin-per-signature"    // key has CKA_ALWAYS_AUTHENTICATE; not supported
	ProblemExpired           = "expired"              // NotAfter is past
	ProblemNotYetValid       = "not-yet-valid"        // NotBefore is in the future
	ProblemNoSigningKeyUsage = "no-signing-key-usage" // key usage allows neither digitalSignature nor nonRepudiation, or EKU is time-stamping/OCSP only
	ProblemCA                = "ca-certificate"       // a CA certificate the token carries for the chain
)

// Credential is an X.509 certificate on the token and, when found, its
// private key, paired by CKA_ID (or by public key when the token sets no
// IDs). A Credential belongs to the session that listed it.
type Credential struct {
	Certificate *x509.Certificate
	Label       string // CKA_LABEL of the certificate object
	ID          []byte // CKA_ID
	// Usable is true when the private key is present and the certificate
	// is valid now for signing. Problem says why not ("" when Usable).
	Usable  bool
	Problem string

	sess  *Session
	key   pkcs11.ObjectHandle // 0 when no private key was found
	keyID []byte              // the private key's CKA_ID, to find it again
}

// Fingerprint returns the certificate's SHA-256 fingerprint in lower-case
// hex, the form FindByFingerprint takes.
func Fingerprint(cert *x509.Certificate) string {
	sum := sha256.Sum256(cert.Raw)
	return hex.EncodeToString(sum[:])
}

// CertificateProblem says why cert itself cannot sign documents at now,
// as a Problem code (ProblemCA for a CA certificate, ProblemExpired,
// ProblemNotYetValid, ProblemNoSigningKeyUsage), "" when nothing in the
// certificate forbids it. Before Login a session reports only
// ProblemNotLoggedIn: listings made then check the certificate with this.
func CertificateProblem(cert *x509.Certificate, now time.Time) string {
	if cert.IsCA {
		return ProblemCA
	}
	return certProblem(cert, now)
}

// certProblem checks the certificate alone against now.
func certProblem(cert *x509.Certificate, now time.Time) string {
	switch {
	case now.After(cert.NotAfter):
		return ProblemExpired
	case now.Before(cert.NotBefore):
		return ProblemNotYetValid
	case cert.KeyUsage != 0 && cert.KeyUsage&(x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment) == 0:
		return ProblemNoSigningKeyUsage
	case len(cert.ExtKeyUsage) > 0 && len(cert.UnknownExtKeyUsage) == 0 && !slices.ContainsFunc(cert.ExtKeyUsage, func(u x509.ExtKeyUsage) bool {
		return u != x509.ExtKeyUsageTimeStamping && u != x509.ExtKeyUsageOCSPSigning
	}):
		return ProblemNoSigningKeyUsage
	}
	return ""
}

// Signing keeps the credentials that can sign documents at now: key
// present (or not yet visible because the session is not logged in),
// certificate valid at now, key usage with digitalSignature or
// nonRepudiation (or no key usage extension), and not a time-stamping or
// OCSP-only certificate. Order is kept.
func Signing(creds []Credential, now time.Time) []Credential {
	var out []Credential
	for _, c := range creds {
		switch c.Problem {
		case ProblemNoPrivateKey, ProblemKeyMismatch, ProblemUnsupportedKey, ProblemPINPerSignature:
			continue
		}
		if certProblem(c.Certificate, now) == "" {
			out = append(out, c)
		}
	}
	return out
}

// privKey is a private key object as far as pairing needs it.
type privKey struct {
	h       pkcs11.ObjectHandle
	id      []byte
	label   string
	keyType uint
	modulus []byte // RSA
	ecPoint []byte // EC, when the module exposes it on the private key
	always  bool   // CKA_ALWAYS_AUTHENTICATE: a PIN before every signature
}

// Credentials lists every X.509 certificate on the token with its private
// key. Private keys are only visible after Login: before it, certificates
// come back with Problem ProblemNotLoggedIn. Certificates Go cannot parse
// are left out. Order: usable first, then latest expiry first. A vanished
// token gives ErrTokenRemoved.
func (s *Session) Credentials() ([]Credential, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check("list certificates"); err != nil {
		return nil, err
	}
	certs, err := s.findObjects([]*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_CERTIFICATE),
		pkcs11.NewAttribute(pkcs11.CKA_CERTIFICATE_TYPE, pkcs11.CKC_X_509),
	})
	if err != nil {
		return nil, s.failure("list certificates", err)
	}
	keys, err := s.privateKeys()
	if err != nil {
		return nil, s.failure("list private keys", err)
	}
	loggedIn := s.sessionLoggedIn()

	now := time.Now()
	var out []Credential
	for _, h := range certs {
		der := s.attr(h, pkcs11.CKA_VALUE)
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			continue
		}
		c := Credential{
			Certificate: cert,
			Label:       string(s.attr(h, pkcs11.CKA_LABEL)),
			ID:          s.attr(h, pkcs11.CKA_ID),
			sess:        s,
		}
		key, problem := s.pairKey(cert.PublicKey, c.ID, keys)
		switch {
		case problem == ProblemNoPrivateKey && !loggedIn:
			problem = ProblemNotLoggedIn
		case problem == "":
			c.key, c.keyID = key.h, key.id
			problem = certProblem(cert, now)
		}
		c.Problem = problem
		c.Usable = problem == ""
		out = append(out, c)
	}
	slices.SortStableFunc(out, func(a, b Credential) int {
		if a.Usable != b.Usable {
			if a.Usable {
				return -1
			}
			return 1
		}
		return b.Certificate.NotAfter.Compare(a.Certificate.NotAfter)
	})
	return out, nil
}

// FindByFingerprint returns the credential whose certificate has the given
// SHA-256 fingerprint (hex, case and ':' or ' ' separators ignored). It
// returns an error wrapping ErrNoCredential when no certificate matches.
func (s *Session) FindByFingerprint(sha256hex string) (Credential, error) {
	want := strings.ToLower(strings.NewReplacer(":", "", " ", "", "-", "").Replace(sha256hex))
	creds, err := s.Credentials()
	if err != nil {
		return Credential{}, err
	}
	for _, c := range creds {
		if Fingerprint(c.Certificate) == want {
			return c, nil
		}
	}
	return Credential{}, fmt.Errorf("find certificate %s on token %q: %w", want, s.label, ErrNoCredential)
}

// pairKey finds the private key for pub: by CKA_ID first, else by public
// key. The problem is "" when a usable key was found.
func (s *Session) pairKey(pub crypto.PublicKey, id []byte, keys []privKey) (privKey, string) {
	var wantType uint
	switch pub.(type) {
	case *rsa.PublicKey:
		wantType = pkcs11.CKK_RSA
	case *ecdsa.PublicKey:
		wantType = pkcs11.CKK_EC
	default:
		return privKey{}, ProblemUnsupportedKey
	}
	if len(id) > 0 {
		for _, k := range keys {
			if bytes.Equal(k.id, id) {
				if k.keyType != wantType || !matchesPublic(pub, k) {
					return privKey{}, ProblemKeyMismatch
				}
				return found(k)
			}
		}
	}
	for _, k := range keys {
		if k.keyType == wantType && (k.modulus != nil || k.ecPoint != nil) && matchesPublic(pub, k) {
			return found(k)
		}
	}
	// EC keys rarely expose their point on the private object: go through
	// the public key object and pair by label.
	if pub, ok := pub.(*ecdsa.PublicKey); ok {
		if label := s.publicKeyLabel(pub); label != "" {
			for _, k := range keys {
				if k.keyType == pkcs11.CKK_EC && k.label == label {
					return found(k)
				}
			}
		}
	}
	return privKey{}, ProblemNoPrivateKey
}

func found(k privKey) (privKey, string) {
	if k.always {
		return privKey{}, ProblemPINPerSignature
	}
	return k, ""
}

// matchesPublic compares what the private key object reveals of its public
// half with the certificate; unknown counts as a match.
func matchesPublic(pub crypto.PublicKey, k privKey) bool {
	switch pub := pub.(type) {
	case *rsa.PublicKey:
		return k.modulus == nil || bytes.Equal(trimZeros(k.modulus), pub.N.Bytes())
	case *ecdsa.PublicKey:
		return k.ecPoint == nil || ecPointEqual(k.ecPoint, pub)
	}
	return false
}

func trimZeros(b []byte) []byte {
	for len(b) > 0 && b[0] == 0 {
		b = b[1:]
	}
	return b
}

// ecPointEqual compares a CKA_EC_POINT value (DER OCTET STRING, or raw from
// some modules) with pub.
func ecPointEqual(point []byte, pub *ecdsa.PublicKey) bool {
	k, err := pub.ECDH()
	if err != nil {
		return false
	}
	want := k.Bytes()
	if bytes.Equal(point, want) {
		return true
	}
	var inner []byte
	if rest, err := asn1.Unmarshal(point, &inner); err == nil && len(rest) == 0 {
		return bytes.Equal(inner, want)
	}
	return false
}

func (s *Session) privateKeys() ([]privKey, error) {
	hs, err := s.findObjects([]*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_PRIVATE_KEY),
	})
	if err != nil {
		return nil, err
	}
	keys := make([]privKey, 0, len(hs))
	for _, h := range hs {
		k := privKey{h: h, id: s.attr(h, pkcs11.CKA_ID), label: string(s.attr(h, pkcs11.CKA_LABEL))}
		if kt := s.attr(h, pkcs11.CKA_KEY_TYPE); len(kt) > 0 {
			k.keyType = ulong(kt)
		}
		if a := s.attr(h, pkcs11.CKA_ALWAYS_AUTHENTICATE); len(a) == 1 && a[0] != 0 {
			k.always = true
		}
		switch k.keyType {
		case pkcs11.CKK_RSA:
			k.modulus = s.attr(h, pkcs11.CKA_MODULUS)
		case pkcs11.CKK_EC:
			k.ecPoint = s.attr(h, pkcs11.CKA_EC_POINT)
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// publicKeyLabel returns the label of the public key object holding pub's
// point, or "".
func (s *Session) publicKeyLabel(pub *ecdsa.PublicKey) string {
	hs, err := s.findObjects([]*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_PUBLIC_KEY),
		pkcs11.NewAttribute(pkcs11.CKA_KEY_TYPE, pkcs11.CKK_EC),
	})
	if err != nil {
		return ""
	}
	for _, h := range hs {
		if ecPointEqual(s.attr(h, pkcs11.CKA_EC_POINT), pub) {
			return string(s.attr(h, pkcs11.CKA_LABEL))
		}
	}
	return ""
}

// findObjects runs one C_FindObjects search. Called with s.mu held.
func (s *Session) findObjects(tmpl []*pkcs11.Attribute) ([]pkcs11.ObjectHandle, error) {
	ck := s.m.lib.ck
	if err := ck.FindObjectsInit(s.h, tmpl); err != nil {
		return nil, err
	}
	var out []pkcs11.ObjectHandle
	for {
		hs, _, err := ck.FindObjects(s.h, 64)
		if err != nil {
			_ = ck.FindObjectsFinal(s.h)
			return nil, err
		}
		if len(hs) == 0 {
			break
		}
		out = append(out, hs...)
	}
	return out, ck.FindObjectsFinal(s.h)
}

// attr reads one attribute, nil when absent, sensitive or unreadable.
// Called with s.mu held.
func (s *Session) attr(h pkcs11.ObjectHandle, typ uint) []byte {
	a, err := s.m.lib.ck.GetAttributeValue(s.h, h, []*pkcs11.Attribute{pkcs11.NewAttribute(typ, nil)})
	if err != nil || len(a) != 1 {
		return nil
	}
	return a[0].Value
}

// ulong decodes a CK_ULONG attribute (host byte order, 4 or 8 bytes).
func ulong(b []byte) uint {
	switch len(b) {
	case 8:
		return uint(binary.NativeEndian.Uint64(b))
	case 4:
		return uint(binary.NativeEndian.Uint32(b))
	}
	return ^uint(0)
}
