package main

import (
	"crypto/x509"
	"fmt"
	"strings"
	"time"

	"github.com/vanthuso/vanthu/signing/stamp"
	"github.com/vanthuso/vanthu/signing/token"
)

// serialHex formats a certificate serial number as upper-case hex.
func serialHex(c *x509.Certificate) string {
	return strings.ToUpper(c.SerialNumber.Text(16))
}

// normalizeFingerprint turns a SHA-256 fingerprint as people paste it
// (upper or lower case, separated by colons, spaces or dashes) into the
// lower-case hex token.Fingerprint returns. ok is false when the result
// is not 64 hex digits.
func normalizeFingerprint(s string) (string, bool) {
	s = strings.ToLower(strings.NewReplacer(":", "", " ", "", "-", "").Replace(strings.TrimSpace(s)))
	if len(s) != 64 {
		return s, false
	}
	for _, r := range s {
		if !strings.ContainsRune("0123456789abcdef", r) {
			return s, false
		}
	}
	return s, true
}

// credentialProblem is the reason cr cannot sign, refined for people:
// before login token says only "not logged in" for every certificate, so
// the certificate itself is checked too; a certificate without a key that
// is a CA certificate is part of the chain.
func credentialProblem(cr token.Credential, now time.Time) string {
	if !cr.Usable && cr.Certificate.IsCA {
		return token.ProblemCA
	}
	switch cr.Problem {
	case token.ProblemNotLoggedIn, token.ProblemNoPrivateKey:
		if p := token.CertificateProblem(cr.Certificate, now); p != "" {
			return p
		}
	}
	return cr.Problem
}

// problemText words a problem code for people.
func (c *cli) problemText(code string) string {
	switch code {
	case "":
		return c.t("cert.usable")
	case token.ProblemCA, token.ProblemNotLoggedIn, token.ProblemNoPrivateKey, token.ProblemKeyMismatch,
		token.ProblemUnsupportedKey, token.ProblemPINPerSignature, token.ProblemExpired,
		token.ProblemNotYetValid, token.ProblemNoSigningKeyUsage:
		return c.t("problem." + code)
	}
	return c.t("problem.other", code)
}

// describeCert is a one-line description of a certificate for lists in
// error messages: name, agency, validity end and full fingerprint.
func (c *cli) describeCert(cert *x509.Certificate) string {
	s := cert.Subject.CommonName
	if o := stamp.Organization(cert); o != "" && o != s {
		s += " — " + o
	}
	return fmt.Sprintf("%s (%s %s)\n      SHA-256 %s", s, c.t("cert.valid-until"),
		cert.NotAfter.In(stamp.Vietnam).Format("02/01/2006"), token.Fingerprint(cert))
}
