package trustlist

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
)

// Role is what an entry is used for; see the package documentation.
type Role int

// The roles. The zero Role is not a valid one.
const (
	Root Role = iota + 1
	Intermediate
	TSA
	Candidate
)

// String returns the role's code: "root", "intermediate", "tsa",
// "candidate" (used in JSON output).
func (r Role) String() string {
	switch r {
	case Root:
		return "root"
	case Intermediate:
		return "intermediate"
	case TSA:
		return "tsa"
	case Candidate:
		return "candidate"
	}
	return fmt.Sprintf("role(%d)", int(r))
}

// Origin says where an entry comes from.
type Origin int

// The origins. The zero Origin is not a valid one.
const (
	// Default entries ship with the application (Defaults).
	Default Origin = iota + 1
	// User entries were added by the workstation's administrator.
	User
)

// String returns the origin's code: "default" or "user".
func (o Origin) String() string {
	switch o {
	case Default:
		return "default"
	case User:
		return "user"
	}
	return fmt.Sprintf("origin(%d)", int(o))
}

// Entry is one certificate of the list.
type Entry struct {
	// Cert is the certificate. Callers must not modify it.
	Cert *x509.Certificate
	Role Role
	// Origin is Default for the shipped list, User for added certificates.
	Origin Origin
	// Trusted reports whether the entry is in effect: for a Root or a
	// trusted Candidate, that it is an anchor; for an Intermediate or a
	// TSA, that it is offered to chain building. It is false for a
	// removed shipped entry and an untrusted candidate.
	Trusted bool
	// Removed reports a shipped entry the administrator removed.
	Removed bool
	// Name is the subject's common name, else its organization, else the
	// whole subject.
	Name string
	// Organization is the subject's organization (several joined by ", ").
	Organization string
	// SHA256 is the fingerprint in upper-case hex with colons.
	SHA256 string
	// File is the shipped file's path under assets/trust ("" for User).
	File string
	// Note is a short English remark for IT staff on a shipped entry: what
	// it is, how sure its provenance is ("" for User).
	Note string
}

// Errors callers branch on. Errors returned by this package wrap them.
var (
	// ErrEndEntity: a certificate that is not a CA cannot be added.
	ErrEndEntity = errors.New("not a CA certificate")
	// ErrAlreadyPresent: the certificate is already in the list and in
	// effect; nothing changed.
	ErrAlreadyPresent = errors.New("already in the trust list")
	// ErrNotFound: no entry has that fingerprint.
	ErrNotFound = errors.New("no such certificate in the trust list")
	// ErrBadFingerprint: the text is not a SHA-256 fingerprint.
	ErrBadFingerprint = errors.New("not a SHA-256 fingerprint (64 hex digits)")
)

// Fingerprint returns cert's SHA-256 fingerprint in upper-case hex with
// colons.
func Fingerprint(cert *x509.Certificate) string {
	sum := sha256.Sum256(cert.Raw)
	return colonHex(sum[:])
}

func colonHex(b []byte) string {
	const digits = "0123456789ABCDEF"
	out := make([]byte, 0, len(b)*3)
	for i, c := range b {
		if i > 0 {
			out = append(out, ':')
		}
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

// ParseFingerprint returns the SHA-256 fingerprint s in the list's form
// (upper-case hex with colons). s may be in either case, with or without
// colons, spaces or dashes between the digits. Anything else is an error
// wrapping ErrBadFingerprint.
func ParseFingerprint(s string) (string, error) {
	var raw []byte
	var hi byte
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		var v byte
		switch {
		case c >= '0' && c <= '9':
			v = c - '0'
		case c >= 'a' && c <= 'f':
			v = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			v = c - 'A' + 10
		case c == ':' || c == ' ' || c == '-' || c == '\t':
			continue
		default:
			return "", fmt.Errorf("fingerprint %q: %w", s, ErrBadFingerprint)
		}
		if n%2 == 0 {
			hi = v
		} else {
			raw = append(raw, hi<<4|v)
		}
		n++
	}
	if n != 2*sha256.Size {
		return "", fmt.Errorf("fingerprint %q: %w", s, ErrBadFingerprint)
	}
	return colonHex(raw), nil
}

// Classify returns the role cert takes when an administrator adds it:
// Root for a self-issued certificate (subject and issuer the same bytes;
// the self-signature is not checked), Intermediate for another CA
// certificate. A certificate whose basic constraints say it is not a CA,
// or whose key usage does not allow signing certificates, is refused with
// an error wrapping ErrEndEntity; so is a certificate that is not
// self-issued and has no basic constraints. A self-issued certificate
// without extensions (X.509 v1, as some old roots are) is a Root.
func Classify(cert *x509.Certificate) (Role, error) {
	selfIssued := bytes.Equal(cert.RawSubject, cert.RawIssuer)
	switch {
	case cert.BasicConstraintsValid && !cert.IsCA,
		cert.KeyUsage != 0 && cert.KeyUsage&x509.KeyUsageCertSign == 0,
		!selfIssued && !cert.BasicConstraintsValid:
		return 0, fmt.Errorf("certificate %q: %w", subjectName(cert), ErrEndEntity)
	case selfIssued:
		return Root, nil
	}
	return Intermediate, nil
}

// newEntry describes cert.
func newEntry(cert *x509.Certificate, role Role, origin Origin) Entry {
	return Entry{
		Cert:         cert,
		Role:         role,
		Origin:       origin,
		Name:         subjectName(cert),
		Organization: strings.Join(cert.Subject.Organization, ", "),
		SHA256:       Fingerprint(cert),
	}
}

// subjectName is the readable name of cert's subject.
func subjectName(cert *x509.Certificate) string {
	switch {
	case cert.Subject.CommonName != "":
		return cert.Subject.CommonName
	case len(cert.Subject.Organization) > 0:
		return strings.Join(cert.Subject.Organization, ", ")
	}
	return cert.Subject.String()
}
