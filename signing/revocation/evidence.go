package revocation

import (
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"

	"github.com/vanthuso/vanthu/signing/pdf"
)

// OIDAdobeRevocation is Adobe's revocation-information signed attribute
// (adbe-revocationInfoArchival).
var OIDAdobeRevocation = asn1.ObjectIdentifier{1, 2, 840, 113583, 1, 1, 8}

// oidOCSPResponseFormat is id-ri-ocsp-response (RFC 5940), the
// OtherRevocationInfoFormat of an OCSP response in CMS.
var oidOCSPResponseFormat = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 16, 2}

// maxItems bounds how many CRLs or responses one container may give.
const maxItems = 1000

// RevocationInfoArchival ::= SEQUENCE {
//
//	crl          [0] EXPLICIT SEQUENCE of CRLs OPTIONAL,
//	ocsp         [1] EXPLICIT SEQUENCE of OCSP Responses OPTIONAL,
//	otherRevInfo [2] EXPLICIT SEQUENCE of OtherRevInfo OPTIONAL }
type adobeArchival struct {
	CRL   []asn1.RawValue `asn1:"explicit,tag:0,optional"`
	OCSP  []asn1.RawValue `asn1:"explicit,tag:1,optional"`
	Other []asn1.RawValue `asn1:"explicit,tag:2,optional"`
}

// ParseAdobeRevocation parses the value (DER) of an Adobe revocation
// attribute (OIDAdobeRevocation) into Evidence with Source SourceAdobe.
// The CRLs and OCSP responses are returned as found, not yet verified;
// otherRevInfo is ignored.
func ParseAdobeRevocation(attrValue []byte) (Evidence, error) {
	var a adobeArchival
	rest, err := asn1.Unmarshal(attrValue, &a)
	if err != nil {
		return Evidence{}, fmt.Errorf("adbe revocation attribute: %w", err)
	}
	if len(rest) > 0 {
		return Evidence{}, errors.New("adbe revocation attribute: trailing data")
	}
	if len(a.CRL)+len(a.OCSP) > maxItems {
		return Evidence{}, errors.New("adbe revocation attribute: too many entries")
	}
	ev := Evidence{Source: SourceAdobe}
	for _, v := range a.CRL {
		ev.CRLs = append(ev.CRLs, v.FullBytes)
	}
	for _, v := range a.OCSP {
		ev.OCSP = append(ev.OCSP, v.FullBytes)
	}
	return ev, nil
}

// ParseCMSRevocationInfo sorts the RevocationInfoChoices of a CMS
// SignedData (cms.SignedData.RevocationInfo: each choice as DER) into
// Evidence with Source SourceCMS: CRLs, and OCSP responses given as
// OtherRevocationInfoFormat id-ri-ocsp-response. Other formats are
// skipped.
func ParseCMSRevocationInfo(choices [][]byte) Evidence {
	ev := Evidence{Source: SourceCMS}
	for _, der := range choices {
		var raw asn1.RawValue
		if _, err := asn1.Unmarshal(der, &raw); err != nil {
			continue
		}
		switch {
		case raw.Class == asn1.ClassUniversal && raw.Tag == asn1.TagSequence:
			ev.CRLs = append(ev.CRLs, der)
		case raw.Class == asn1.ClassContextSpecific && raw.Tag == 1 && raw.IsCompound:
			var other struct {
				Format asn1.ObjectIdentifier
				Info   asn1.RawValue
			}
			if _, err := asn1.UnmarshalWithParams(der, &other, "tag:1"); err != nil {
				continue
			}
			if other.Format.Equal(oidOCSPResponseFormat) {
				ev.OCSP = append(ev.OCSP, other.Info.FullBytes)
			}
		}
	}
	return ev
}

// ReadDSS returns the revocation data of a PDF's document security store
// (catalog /DSS: /OCSPs, /CRLs and /Certs arrays of streams) as Evidence
// with Source SourceDSS; empty Evidence when the document has no DSS.
// Per-signature /VRI dictionaries are not needed: Check picks what fits.
// Certificates that do not parse are skipped.
func ReadDSS(r *pdf.Reader) (Evidence, error) {
	ev := Evidence{Source: SourceDSS}
	cat, _, err := r.Catalog()
	if err != nil {
		return ev, fmt.Errorf("read DSS: %w", err)
	}
	obj, ok := cat["DSS"]
	if !ok {
		return ev, nil
	}
	dss, err := r.ResolveDict(obj)
	if err != nil {
		return ev, fmt.Errorf("read DSS: %w", err)
	}
	streams := func(key pdf.Name) ([][]byte, error) {
		o, ok := dss[key]
		if !ok {
			return nil, nil
		}
		o, err := r.Resolve(o)
		if err != nil {
			return nil, err
		}
		arr, ok := o.(pdf.Array)
		if !ok {
			return nil, fmt.Errorf("/%s is not an array", key)
		}
		if len(arr) > maxItems {
			return nil, fmt.Errorf("/%s has too many entries", key)
		}
		var out [][]byte
		for _, e := range arr {
			so, err := r.Resolve(e)
			if err != nil {
				return nil, err
			}
			s, ok := so.(*pdf.Stream)
			if !ok {
				return nil, fmt.Errorf("/%s holds a %T, not a stream", key, so)
			}
			data, err := r.StreamData(s)
			if err != nil {
				return nil, err
			}
			out = append(out, data)
		}
		return out, nil
	}
	if ev.OCSP, err = streams("OCSPs"); err != nil {
		return ev, fmt.Errorf("read DSS: %w", err)
	}
	if ev.CRLs, err = streams("CRLs"); err != nil {
		return ev, fmt.Errorf("read DSS: %w", err)
	}
	certs, err := streams("Certs")
	if err != nil {
		return ev, fmt.Errorf("read DSS: %w", err)
	}
	for _, der := range certs {
		if c, err := x509.ParseCertificate(der); err == nil {
			ev.Certs = append(ev.Certs, c)
		}
	}
	return ev, nil
}
