package certpath

import (
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"net"
	"net/url"
	"strings"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

var (
	oidNameConstraints = asn1.ObjectIdentifier{2, 5, 29, 30}
	oidEmailAddress    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}
	oidSubjectAltName  = asn1.ObjectIdentifier{2, 5, 29, 17}
)

// GeneralName forms evaluated here (RFC 5280 section 4.2.1.6).
const (
	gnRFC822 = 1
	gnDNS    = 2
	gnURI    = 6
	gnIP     = 7
)

// unsupportedConstraintForms returns the GeneralName forms of ca's name
// constraints that are not evaluated here (directoryName, otherName, ...),
// or an error when the extension does not parse.
func unsupportedConstraintForms(ca *x509.Certificate) ([]int, error) {
	for _, e := range ca.Extensions {
		if !e.Id.Equal(oidNameConstraints) {
			continue
		}
		in := cryptobyte.String(e.Value)
		var nc cryptobyte.String
		if !in.ReadASN1(&nc, cbasn1.SEQUENCE) {
			return nil, fmt.Errorf("malformed name constraints")
		}
		var forms []int
		for !nc.Empty() {
			var subtrees cryptobyte.String
			var tag cbasn1.Tag
			if !nc.ReadAnyASN1(&subtrees, &tag) {
				return nil, fmt.Errorf("malformed name constraints")
			}
			for !subtrees.Empty() {
				var st, base cryptobyte.String
				var baseTag cbasn1.Tag
				if !subtrees.ReadASN1(&st, cbasn1.SEQUENCE) || !st.ReadAnyASN1(&base, &baseTag) {
					return nil, fmt.Errorf("malformed name constraints")
				}
				if f := int(baseTag & 0x1f); !(baseTag&0xc0 == 0x80 && (f == gnRFC822 || f == gnDNS || f == gnURI || f == gnIP)) {
					forms = append(forms, f)
				}
				if !st.Empty() {
					// minimum and maximum: RFC 5280 says minimum MUST be
					// zero and maximum absent; anything else is not
					// evaluated.
					forms = append(forms, -1)
				}
			}
		}
		return forms, nil
	}
	return nil, nil
}

// checkNameConstraints checks the certificates below ca in the path
// (leaf first) against ca's name constraints. Self-issued intermediates
// are not subject to them (RFC 5280 section 6.1.3 (b)).
func checkNameConstraints(ca *x509.Certificate, below []*x509.Certificate) *Error {
	if !hasNameConstraints(ca) {
		return nil
	}
	forms, err := unsupportedConstraintForms(ca)
	if err != nil {
		return &Error{Code: Unsupported, Cert: ca, Err: err, Detail: fmt.Sprintf("the name constraints of %q", subjectName(ca))}
	}
	if len(forms) > 0 {
		return &Error{Code: Unsupported, Cert: ca,
			Detail: fmt.Sprintf("the name constraints of %q use name forms not evaluated here (GeneralName tags %v)", subjectName(ca), forms)}
	}
	for i, c := range below {
		if i > 0 && nameKey(c.RawIssuer) == nameKey(c.RawSubject) {
			continue
		}
		if msg := violation(ca, c); msg != "" {
			return &Error{Code: NameConstraints, Cert: c,
				Detail: fmt.Sprintf("%q: %s, outside the name constraints of %q", subjectName(c), msg, subjectName(ca))}
		}
	}
	return nil
}

func hasNameConstraints(c *x509.Certificate) bool {
	for _, e := range c.Extensions {
		if e.Id.Equal(oidNameConstraints) {
			return true
		}
	}
	return false
}

// violation returns what name of c breaks ca's constraints, "" if none.
func violation(ca, c *x509.Certificate) string {
	emails := c.EmailAddresses
	if !hasExtension(c, oidSubjectAltName) {
		// Without a subject alternative name, rfc822Name constraints apply
		// to the emailAddress attributes of the subject (RFC 5280 4.2.1.10).
		for _, a := range c.Subject.Names {
			if s, ok := a.Value.(string); ok && a.Type.Equal(oidEmailAddress) {
				emails = append(emails, s)
			}
		}
	}
	for _, d := range c.DNSNames {
		if msg := check("DNS name", d, ca.PermittedDNSDomains, ca.ExcludedDNSDomains, matchDNS); msg != "" {
			return msg
		}
	}
	for _, m := range emails {
		if msg := check("e-mail address", m, ca.PermittedEmailAddresses, ca.ExcludedEmailAddresses, matchEmail); msg != "" {
			return msg
		}
	}
	for _, u := range c.URIs {
		if msg := check("URI", u.String(), ca.PermittedURIDomains, ca.ExcludedURIDomains, matchURI); msg != "" {
			return msg
		}
	}
	for _, ip := range c.IPAddresses {
		for _, n := range ca.ExcludedIPRanges {
			if n.Contains(ip) {
				return fmt.Sprintf("IP address %s excluded by %s", ip, n)
			}
		}
		ok := len(ca.PermittedIPRanges) == 0
		for _, n := range ca.PermittedIPRanges {
			ok = ok || n.Contains(ip)
		}
		if !ok {
			return fmt.Sprintf("IP address %s not permitted", ip)
		}
	}
	return ""
}

func hasExtension(c *x509.Certificate, id asn1.ObjectIdentifier) bool {
	for _, e := range c.Extensions {
		if e.Id.Equal(id) {
			return true
		}
	}
	return false
}

func check(kind, name string, permitted, excluded []string, match func(name, constraint string) bool) string {
	for _, x := range excluded {
		if match(name, x) {
			return fmt.Sprintf("%s %q excluded by %q", kind, name, x)
		}
	}
	if len(permitted) == 0 {
		return ""
	}
	for _, p := range permitted {
		if match(name, p) {
			return ""
		}
	}
	return fmt.Sprintf("%s %q not permitted", kind, name)
}

// matchDomain: a constraint with a leading dot matches subdomains only;
// without, the domain itself and its subdomains. Case-insensitive.
func matchDomain(host, constraint string, subdomainsOfBare bool) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	constraint = strings.TrimSuffix(strings.ToLower(constraint), ".")
	if constraint == "" {
		return true
	}
	if strings.HasPrefix(constraint, ".") {
		return strings.HasSuffix(host, constraint)
	}
	return host == constraint || subdomainsOfBare && strings.HasSuffix(host, "."+constraint)
}

func matchDNS(name, constraint string) bool { return matchDomain(name, constraint, true) }

// matchEmail: "user@host" is one mailbox, "host" every mailbox at host,
// ".host" every mailbox in a subdomain of host.
func matchEmail(mailbox, constraint string) bool {
	at := strings.LastIndexByte(mailbox, '@')
	if at < 0 {
		return false
	}
	local, host := mailbox[:at], mailbox[at+1:]
	if i := strings.LastIndexByte(constraint, '@'); i >= 0 {
		return local == constraint[:i] && strings.EqualFold(host, constraint[i+1:])
	}
	return matchDomain(host, constraint, false)
}

// matchURI compares the host of a URI: "host" itself, ".host" its
// subdomains. A URI without a host name (or with an IP address) matches
// no constraint.
func matchURI(raw, constraint string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	host := u.Hostname()
	if host == "" || net.ParseIP(host) != nil {
		return false
	}
	return matchDomain(host, constraint, false)
}
