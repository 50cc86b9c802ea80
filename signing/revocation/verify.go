package revocation

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"time"

	xocsp "golang.org/x/crypto/ocsp"
)

// errNotForCert marks evidence about other certificates: skipped silently.
var errNotForCert = errors.New("not about this certificate")

// ASN.1 of an OCSP response, as far as the CertIDs (RFC 6960 section
// 4.2.1). encoding/asn1 allows trailing fields in a SEQUENCE.
type ocspResponseASN struct {
	Status asn1.Enumerated
	Bytes  struct {
		Type     asn1.ObjectIdentifier
		Response []byte
	} `asn1:"explicit,tag:0,optional"`
}

type basicResponseASN struct {
	TBS struct {
		Raw         asn1.RawContent
		Version     int `asn1:"optional,explicit,tag:0,default:0"`
		ResponderID asn1.RawValue
		ProducedAt  time.Time `asn1:"generalized"`
		Responses   []struct {
			CertID certIDASN
		}
	}
}

type certIDASN struct {
	HashAlgorithm pkix.AlgorithmIdentifier
	NameHash      []byte
	KeyHash       []byte
	SerialNumber  *big.Int
}

var hashByOID = map[string]crypto.Hash{
	"1.3.14.3.2.26":          crypto.SHA1,
	"2.16.840.1.101.3.4.2.1": crypto.SHA256,
	"2.16.840.1.101.3.4.2.2": crypto.SHA384,
	"2.16.840.1.101.3.4.2.3": crypto.SHA512,
}

// certIDMatches reports whether der holds a single response whose CertID
// names cert as issued by issuer.
func certIDMatches(der []byte, cert, issuer *x509.Certificate) (bool, error) {
	var outer ocspResponseASN
	if _, err := asn1.Unmarshal(der, &outer); err != nil {
		return false, err
	}
	var basic basicResponseASN
	if _, err := asn1.Unmarshal(outer.Bytes.Response, &basic); err != nil {
		return false, err
	}
	for _, sr := range basic.TBS.Responses {
		id := sr.CertID
		if id.SerialNumber == nil || id.SerialNumber.Cmp(cert.SerialNumber) != 0 {
			continue
		}
		h, ok := hashByOID[id.HashAlgorithm.Algorithm.String()]
		if !ok {
			continue
		}
		d := h.New()
		d.Write(issuer.RawSubject)
		if !bytes.Equal(d.Sum(nil), id.NameHash) {
			continue
		}
		kh, err := KeyHash(issuer, h)
		if err == nil && bytes.Equal(kh, id.KeyHash) {
			return true, nil
		}
	}
	return false, nil
}

// KeyHash is the hash of cert's subjectPublicKey bits, as in an OCSP
// CertID's issuerKeyHash (RFC 6960 section 4.1.1).
func KeyHash(cert *x509.Certificate, h crypto.Hash) ([]byte, error) {
	var spki struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(cert.RawSubjectPublicKeyInfo, &spki); err != nil {
		return nil, err
	}
	d := h.New()
	d.Write(spki.PublicKey.Bytes)
	return d.Sum(nil), nil
}

// verifyOCSP parses an OCSPResponse and checks it is a signed answer about
// cert from issuer or from a responder issuer delegated (EKU
// OCSPSigning). extra may hold responder certificates. Freshness is left
// to the caller. errNotForCert means the response is about another
// certificate.
func (c *Checker) verifyOCSP(der []byte, cert, issuer *x509.Certificate, extra []*x509.Certificate) (Result, error) {
	resp, err := xocsp.ParseResponseForCert(der, cert, nil)
	if err != nil {
		var re xocsp.ResponseError
		switch {
		case errors.As(err, &re):
			err := fmt.Errorf("responder answered %s", re.Status)
			if re.Status == xocsp.TryLater || re.Status == xocsp.InternalError {
				return Result{}, transient{err}
			}
			return Result{}, err
		case err == xocsp.ParseError("no response matching the supplied certificate"):
			return Result{}, errNotForCert
		}
		return Result{}, fmt.Errorf("malformed OCSP response: %v", err)
	}
	if resp.SerialNumber == nil || resp.SerialNumber.Cmp(cert.SerialNumber) != 0 {
		return Result{}, errNotForCert
	}
	ok, err := certIDMatches(der, cert, issuer)
	if err != nil {
		return Result{}, fmt.Errorf("malformed OCSP response: %v", err)
	}
	if !ok {
		return Result{}, errNotForCert
	}
	signer, err := c.ocspSigner(resp, issuer, extra)
	if err != nil {
		return Result{}, err
	}
	r := Result{
		Method:     MethodOCSP,
		ProducedAt: resp.ProducedAt,
		ThisUpdate: resp.ThisUpdate,
		NextUpdate: resp.NextUpdate,
		Responder:  responderName(signer),
		Raw:        der,
	}
	switch resp.Status {
	case xocsp.Good:
		r.Status = Good
	case xocsp.Revoked:
		r.Status = Revoked
		r.RevokedAt = resp.RevokedAt
		r.Reason = resp.RevocationReason
	default:
		return Result{}, errors.New("the responder does not know the certificate (status unknown)")
	}
	if !r.NextUpdate.IsZero() && r.NextUpdate.Before(r.ThisUpdate) {
		return Result{}, errors.New("nextUpdate is before thisUpdate")
	}
	return r, nil
}

// ocspSigner finds who signed resp: issuer itself, or a delegated
// responder issued by issuer with EKU OCSPSigning, valid at producedAt.
func (c *Checker) ocspSigner(resp *xocsp.Response, issuer *x509.Certificate, extra []*x509.Certificate) (*x509.Certificate, error) {
	if resp.CheckSignatureFrom(issuer) == nil {
		return issuer, nil
	}
	var candidates []*x509.Certificate
	if resp.Certificate != nil {
		candidates = append(candidates, resp.Certificate)
	}
	candidates = append(candidates, extra...)
	var why error = errors.New("the response is not signed by the issuer and names no responder certificate")
	if len(candidates) > 0 {
		why = errors.New("bad signature on the OCSP response: neither the issuer nor a responder certificate verifies it")
	}
	tol := c.tolerance()
	for _, rc := range candidates {
		if resp.CheckSignatureFrom(rc) != nil {
			continue
		}
		// rc signed the response; is it authorised (RFC 6960 section
		// 4.2.2.2)?
		if !bytes.Equal(rc.RawIssuer, issuer.RawSubject) || rc.CheckSignatureFrom(issuer) != nil {
			why = fmt.Errorf("responder %q is not certified by the issuer", responderName(rc))
			continue
		}
		delegated := false
		for _, u := range rc.ExtKeyUsage {
			delegated = delegated || u == x509.ExtKeyUsageOCSPSigning
		}
		if !delegated {
			why = fmt.Errorf("responder %q lacks the OCSPSigning extended key usage", responderName(rc))
			continue
		}
		if resp.ProducedAt.Before(rc.NotBefore.Add(-tol)) || resp.ProducedAt.After(rc.NotAfter.Add(tol)) {
			why = fmt.Errorf("responder %q was not valid when the response was produced", responderName(rc))
			continue
		}
		return rc, nil
	}
	return nil, why
}

var oidDeltaCRLIndicator = asn1.ObjectIdentifier{2, 5, 29, 27}

// verifyCRL parses a CRL and checks it is issuer's and signed by it;
// errNotForCert means another issuer's CRL.
func (c *Checker) verifyCRL(der []byte, cert, issuer *x509.Certificate) (Result, error) {
	crl, err := x509.ParseRevocationList(der)
	if err != nil {
		return Result{}, fmt.Errorf("malformed CRL: %v", err)
	}
	if !bytes.Equal(crl.RawIssuer, issuer.RawSubject) {
		return Result{}, errNotForCert
	}
	if err := crl.CheckSignatureFrom(issuer); err != nil {
		return Result{}, fmt.Errorf("bad CRL signature: %v", err)
	}
	for _, e := range crl.Extensions {
		if e.Id.Equal(oidDeltaCRLIndicator) {
			return Result{}, errors.New("delta CRLs are not supported")
		}
	}
	if !crl.NextUpdate.IsZero() && crl.NextUpdate.Before(crl.ThisUpdate) {
		return Result{}, errors.New("nextUpdate is before thisUpdate")
	}
	r := Result{
		Status:     Good,
		Method:     MethodCRL,
		ThisUpdate: crl.ThisUpdate,
		NextUpdate: crl.NextUpdate,
		Responder:  responderName(issuer),
		Raw:        der,
	}
	for _, e := range crl.RevokedCertificateEntries {
		if e.SerialNumber == nil || e.SerialNumber.Cmp(cert.SerialNumber) != 0 || e.ReasonCode == 8 {
			continue
		}
		r.Status = Revoked
		r.RevokedAt = e.RevocationTime
		r.Reason = e.ReasonCode
		break
	}
	return r, nil
}
