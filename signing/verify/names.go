package verify

import (
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"strings"
)

func certHex(c *x509.Certificate) Signer {
	sum := sha256.Sum256(c.Raw)
	return Signer{
		Subject:      nameString(c.RawSubject, c.Subject),
		Issuer:       nameString(c.RawIssuer, c.Issuer),
		Serial:       strings.ToUpper(c.SerialNumber.Text(16)),
		SHA256:       hex.EncodeToString(sum[:]),
		Name:         c.Subject.CommonName,
		Organization: strings.Join(c.Subject.Organization, ", "),
		Unit:         strings.Join(c.Subject.OrganizationalUnit, ", "),
		IssuerName:   c.Issuer.CommonName,
	}
}

// Short names of the attributes Vietnamese certificates carry beyond the
// ones pkix.Name.String knows (it prints those as an OID and hex).
var attrNames = map[string]string{
	"1.2.840.113549.1.9.1":      "E",
	"0.9.2342.19200300.100.1.1": "UID",
	"2.5.4.12":                  "T",
	"2.5.4.5":                   "SERIALNUMBER",
}

// nameString is the RFC 4514 string of a DER name (pkix.Name.String),
// with the values of e-mail, UID (CCCD, MST), title and serial number
// shown as text rather than hex. parsed is used if raw does not parse.
func nameString(raw []byte, parsed pkix.Name) string {
	var rdns pkix.RDNSequence
	if rest, err := asn1.Unmarshal(raw, &rdns); err != nil || len(rest) > 0 {
		return parsed.String()
	}
	var parts []string
	for i := len(rdns) - 1; i >= 0; i-- {
		for _, atv := range rdns[i] {
			key, known := attrNames[atv.Type.String()]
			str, isStr := atv.Value.(string)
			if !known || !isStr {
				parts = append(parts, pkix.RDNSequence{pkix.RelativeDistinguishedNameSET{atv}}.String())
				continue
			}
			parts = append(parts, key+"="+escapeDN(str))
		}
	}
	return strings.Join(parts, ",")
}

// escapeDN escapes a value for an RFC 4514 string.
func escapeDN(s string) string {
	var b strings.Builder
	for i, r := range s {
		switch {
		case strings.ContainsRune(",+\"<>;\\", r), r == '#' && i == 0, r == ' ' && (i == 0 || i == len(s)-1):
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
