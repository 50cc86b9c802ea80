package certpath

import (
	"crypto/x509"
	"fmt"
	"slices"
	"time"
)

// handledCritical are the extensions a certificate may mark critical: the
// ones checked here, and those that do not change a path's validity when
// no particular certificate policy is required (certificate policies,
// identifiers, revocation and issuer locations). Policy constraints,
// policy mappings and inhibitAnyPolicy are not: the policy tree is not
// processed.
var handledCritical = map[string]bool{
	"2.5.29.15":            true, // key usage
	"2.5.29.19":            true, // basic constraints
	"2.5.29.17":            true, // subject alternative name
	"2.5.29.37":            true, // extended key usage
	"2.5.29.30":            true, // name constraints
	"2.5.29.32":            true, // certificate policies
	"2.5.29.14":            true, // subject key identifier
	"2.5.29.35":            true, // authority key identifier
	"2.5.29.31":            true, // CRL distribution points
	"1.3.6.1.5.5.7.1.1":    true, // authority information access
	"1.3.6.1.5.5.7.48.1.5": true, // id-pkix-ocsp-nocheck
}

// validate checks a complete path (leaf first, anchor last) and returns it
// with its notes.
func (b *builder) validate(certs []*x509.Certificate) (*Path, *Error) {
	n := len(certs) - 1
	anchor := certs[n]
	for _, c := range certs {
		for _, e := range c.Extensions {
			if e.Critical && !handledCritical[e.Id.String()] {
				return nil, &Error{Code: CriticalExtension, Cert: c,
					Detail: fmt.Sprintf("%q has the critical extension %v, which is not handled", subjectName(c), e.Id)}
			}
		}
	}
	for _, c := range certs {
		if b.at.Before(c.NotBefore) {
			return nil, &Error{Code: NotYetValid, Cert: c,
				Detail: fmt.Sprintf("%q is valid from %s, not at %s", subjectName(c), stamp(c.NotBefore), stamp(b.at))}
		}
		if b.at.After(c.NotAfter) {
			return nil, &Error{Code: Expired, Cert: c,
				Detail: fmt.Sprintf("%q expired at %s, before %s", subjectName(c), stamp(c.NotAfter), stamp(b.at))}
		}
	}
	var notes []Note
	for i := 0; i < n; i++ {
		child, parent := certs[i], certs[i+1]
		h, err, ok := b.checkSignature(child, parent)
		if !ok || err != nil {
			// The search verified every link; an anchor that replaced a
			// re-issued copy has the same key.
			return nil, &Error{Code: BadSignature, Cert: child, Err: err,
				Detail: fmt.Sprintf("the signature of %q does not verify with the key of %q", subjectName(child), subjectName(parent))}
		}
		if err := b.policy.CheckHash(h, b.algAt); err != nil {
			return nil, &Error{Code: AlgorithmRejected, Cert: child, Err: err,
				Detail: fmt.Sprintf("the signature of %q uses %v", subjectName(child), h)}
		}
		if s, dated, _ := b.policy.sunset(h); dated {
			proof := "claimed, not proven"
			if b.o.AlgorithmTimeProven {
				proof = "proven by a timestamp"
			}
			notes = append(notes, Note{Code: NoteAlgorithmBeforeSunset, Cert: child, Hash: h, Sunset: s, At: b.algAt, Proven: b.o.AlgorithmTimeProven,
				Detail: fmt.Sprintf("the %v signature of %q is accepted because it is judged at %s (%s), before the %v sunset %s",
					h, subjectName(child), stamp(b.algAt), proof, h, s.UTC().Format(time.DateOnly))})
		}
	}
	for _, c := range certs {
		if err := b.policy.CheckKey(c.PublicKey, b.algAt); err != nil {
			return nil, &Error{Code: AlgorithmRejected, Cert: c, Err: err, Detail: fmt.Sprintf("the key of %q", subjectName(c))}
		}
	}
	for i := 1; i <= n; i++ {
		c := certs[i]
		isCA := c.BasicConstraintsValid && c.IsCA
		if !isCA && !(i == n && c.Version == 1) {
			return nil, &Error{Code: NotCA, Cert: c, Detail: fmt.Sprintf("%q issued %q but is not a CA", subjectName(c), subjectName(certs[i-1]))}
		}
		if c.KeyUsage != 0 && c.KeyUsage&x509.KeyUsageCertSign == 0 {
			return nil, &Error{Code: KeyUsage, Cert: c, Detail: fmt.Sprintf("the key usage of %q does not allow signing certificates", subjectName(c))}
		}
		if c.BasicConstraintsValid && (c.MaxPathLen > 0 || c.MaxPathLen == 0 && c.MaxPathLenZero) {
			below := 0 // intermediates between c and the leaf, self-issued ones not counted
			for _, m := range certs[1:i] {
				if nameKey(m.RawIssuer) != nameKey(m.RawSubject) {
					below++
				}
			}
			if below > c.MaxPathLen {
				return nil, &Error{Code: PathLength, Cert: c,
					Detail: fmt.Sprintf("%q allows %d intermediate CAs below it, the path has %d", subjectName(c), c.MaxPathLen, below)}
			}
		}
		if e := checkNameConstraints(c, certs[:i]); e != nil {
			return nil, e
		}
	}
	leaf := certs[0]
	switch b.o.Usage {
	case UsageTimestamping:
		if !slices.Contains(leaf.ExtKeyUsage, x509.ExtKeyUsageTimeStamping) {
			return nil, &Error{Code: ExtKeyUsage, Cert: leaf, Detail: fmt.Sprintf("%q lacks the timeStamping extended key usage", subjectName(leaf))}
		}
	case UsageOCSPSigning:
		if !slices.Contains(leaf.ExtKeyUsage, x509.ExtKeyUsageOCSPSigning) {
			return nil, &Error{Code: ExtKeyUsage, Cert: leaf, Detail: fmt.Sprintf("%q lacks the OCSPSigning extended key usage", subjectName(leaf))}
		}
	}
	return &Path{Certs: certs, Anchor: anchor, Notes: notes}, nil
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
