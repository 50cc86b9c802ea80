package signui

import (
	"crypto/x509"
	"encoding/asn1"
	"strings"

	"github.com/vanthuso/vanthu/signing/stamp"
	"github.com/vanthuso/vanthu/signing/verify"
)

// oidOrganizationIdentifier is organizationIdentifier (X.520 2.5.4.97):
// Vietnamese agency certificates carry the mã định danh in it.
var oidOrganizationIdentifier = asn1.ObjectIdentifier{2, 5, 4, 97}

// IsAgencyCertificate reports whether c is an organisation's certificate
// (chứng thư số của cơ quan, tổ chức), the one that issues documents (ký
// phát hành): its subject carries an organizationIdentifier (2.5.4.97),
// or its common name is the name of its organisation. A personal
// certificate names a person: a leader's, a clerk's. nil is not an
// agency's.
func IsAgencyCertificate(c *x509.Certificate) bool {
	if c == nil {
		return false
	}
	for _, n := range c.Subject.Names {
		if n.Type.Equal(oidOrganizationIdentifier) {
			return true
		}
	}
	cn := strings.TrimSpace(c.Subject.CommonName)
	for _, o := range c.Subject.Organization {
		if cn != "" && strings.EqualFold(cn, strings.TrimSpace(o)) {
			return true
		}
	}
	return false
}

// isAgencySigner is IsAgencyCertificate for a signer of a report, which
// keeps the subject as an RFC 4514 string (organizationIdentifier shows
// as its OID).
func isAgencySigner(s verify.Signer) bool {
	if strings.Contains(s.Subject, "2.5.4.97=") {
		return true
	}
	cn := strings.TrimSpace(s.Name)
	for _, o := range strings.Split(s.Organization, ", ") {
		if cn != "" && strings.EqualFold(cn, strings.TrimSpace(o)) {
			return true
		}
	}
	return false
}

// ValidSignatures says which valid signatures a verification report
// holds: person, a valid signature by a personal certificate (the
// competent person's, ký duyệt); agency, a valid signature by an
// organisation's certificate (ký phát hành). Document timestamps count as
// neither; a nil report holds none.
func ValidSignatures(rep *verify.Report) (person, agency bool) {
	if rep == nil {
		return false, false
	}
	for _, s := range rep.Signatures {
		if s.IsDocumentTimestamp || s.Verdict != verify.Valid {
			continue
		}
		if isAgencySigner(s.Signer) {
			agency = true
		} else {
			person = true
		}
	}
	return person, agency
}

// proposedProfile is the kind of signature the sign dialog proposes for
// a document with the report rep, signed with cert: ký phát hành when the
// document already carries a valid approval (a person's valid signature)
// and cert is an agency's, since only the agency issues and only a
// document its competent person signed. Everything else proposes ký
// duyệt, as before: a leader's certificate on an approved document is a
// further approval (a deputy's, then the head's), never an issue; an
// agency's certificate on a document nobody approved yet is not issued
// by default either (the user may still choose ký phát hành).
func proposedProfile(rep *verify.Report, cert *x509.Certificate) stamp.Profile {
	person, _ := ValidSignatures(rep)
	if person && IsAgencyCertificate(cert) {
		return stamp.Issue
	}
	return stamp.Approval
}
