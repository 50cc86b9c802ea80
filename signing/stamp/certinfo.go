package stamp

import (
	"crypto/x509"
	"encoding/asn1"
	"time"
)

var (
	oidTitle = asn1.ObjectIdentifier{2, 5, 4, 12}
	oidEmail = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}
)

// InfoFromCertificate is what a visible signature says about its signer,
// read from the signing certificate: the common name as the name, the
// organisation (or else the unit) as the agency, the title attribute as
// the position, the e-mail address; at is the signing time. Number and
// the copy fields are the caller's.
func InfoFromCertificate(c *x509.Certificate, at time.Time) Info {
	return Info{
		Signer:       c.Subject.CommonName,
		Organization: Organization(c),
		Position:     subjectAttr(c, oidTitle),
		Email:        certEmail(c),
		Time:         at,
	}
}

// Organization is the agency a certificate names: its first O, else its
// first OU, else "".
func Organization(c *x509.Certificate) string {
	if len(c.Subject.Organization) > 0 {
		return c.Subject.Organization[0]
	}
	if len(c.Subject.OrganizationalUnit) > 0 {
		return c.Subject.OrganizationalUnit[0]
	}
	return ""
}

// subjectAttr returns the first text value of the subject attribute oid.
func subjectAttr(c *x509.Certificate, oid asn1.ObjectIdentifier) string {
	for _, n := range c.Subject.Names {
		if n.Type.Equal(oid) {
			if s, ok := n.Value.(string); ok {
				return s
			}
		}
	}
	return ""
}

func certEmail(c *x509.Certificate) string {
	if len(c.EmailAddresses) > 0 {
		return c.EmailAddresses[0]
	}
	return subjectAttr(c, oidEmail)
}

// Reason is the signature's /Reason for a profile, in Vietnamese (it is
// part of the document, whatever the signer's language): "Ký duyệt",
// "Ký phát hành văn bản số …", "Ký phụ lục kèm theo văn bản số …", or the
// copy form ("SAO Y", …) for a copy.
func Reason(p Profile, number, copyForm string) string {
	num := ""
	if number != "" {
		num = " số " + number
	}
	switch p {
	case Issue:
		return "Ký phát hành văn bản" + num
	case Attachment:
		return "Ký phụ lục kèm theo văn bản" + num
	case Copy:
		return copyForm
	}
	return "Ký duyệt"
}
