package main

import (
	"crypto/x509"
	"fmt"
	"slices"
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

// certificateProblem says why c alone (without looking for its key)
// cannot sign documents at now, as one of token's Problem codes or
// problemCA; "" when nothing in the certificate forbids it. It mirrors
// token.Signing, for listings made before login, when token reports only
// ProblemNotLoggedIn.
func certificateProblem(c *x509.Certificate, now time.Time) string {
	switch {
	case c.IsCA:
		return problemCA
	case now.After(c.NotAfter):
		return token.ProblemExpired
	case now.Before(c.NotBefore):
		return token.ProblemNotYetValid
	case c.KeyUsage != 0 && c.KeyUsage&(x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment) == 0:
		return token.ProblemNoSigningKeyUsage
	case len(c.ExtKeyUsage) > 0 && len(c.UnknownExtKeyUsage) == 0 && !slices.ContainsFunc(c.ExtKeyUsage, func(u x509.ExtKeyUsage) bool {
		return u != x509.ExtKeyUsageTimeStamping && u != x509.ExtKeyUsageOCSPSigning
	}):
		return token.ProblemNoSigningKeyUsage
	}
	return ""
}

// problemCA marks a CA certificate that a token carries for the chain.
const problemCA = "ca-certificate"

// credentialProblem is the reason cr cannot sign, refined for people:
// before login token says only "not logged in" for every certificate, so
// the certificate itself is checked too; a certificate without a key that
// is a CA certificate is part of the chain.
func credentialProblem(cr token.Credential, now time.Time) string {
	if !cr.Usable && cr.Certificate.IsCA {
		return problemCA
	}
	switch cr.Problem {
	case token.ProblemNotLoggedIn, token.ProblemNoPrivateKey:
		if p := certificateProblem(cr.Certificate, now); p != "" {
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
	case problemCA, token.ProblemNotLoggedIn, token.ProblemNoPrivateKey, token.ProblemKeyMismatch,
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
