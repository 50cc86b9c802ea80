package verify

import (
	"crypto/x509"
	"time"

	"github.com/vanthuso/vanthu/signing/cms"
	"github.com/vanthuso/vanthu/signing/revocation"
)

// buildChain verifies cert up to the configured roots at time at.
func (v *verifier) buildChain(cert *x509.Certificate, pool []*x509.Certificate, at time.Time, eku x509.ExtKeyUsage) ([]*x509.Certificate, string, error) {
	if v.o.Roots == nil {
		return nil, TrustUnknown, nil
	}
	inter := x509.NewCertPool()
	if v.o.Intermediates != nil {
		inter = v.o.Intermediates.Clone()
	}
	for _, c := range pool {
		inter.AddCert(c)
	}
	chains, err := cert.Verify(x509.VerifyOptions{
		Roots:         v.o.Roots,
		Intermediates: inter,
		CurrentTime:   at,
		KeyUsages:     []x509.ExtKeyUsage{eku},
	})
	if err != nil {
		return nil, TrustUntrusted, err
	}
	return chains[0], TrustTrusted, nil
}

// evidence gathers the revocation data the document carries for one
// signature: the DSS, the Adobe revocation attribute of its signed
// attributes and its CMS revocation data. certs are the certificates of
// the signature and the DSS (OCSP responders among them).
func (v *verifier) evidence(si *cms.SignerInfo, sd *cms.SignedData, certs []*x509.Certificate) []revocation.Evidence {
	dss := v.dss
	dss.Certs = certs
	out := []revocation.Evidence{dss}
	for _, a := range si.SignedAttrs {
		if a.Type.Equal(revocation.OIDAdobeRevocation) && len(a.Values) > 0 {
			if ev, err := revocation.ParseAdobeRevocation(a.Values[0]); err == nil {
				ev.Certs = append(ev.Certs, certs...)
				out = append(out, ev)
			}
		}
	}
	if len(sd.RevocationInfo) > 0 {
		ev := revocation.ParseCMSRevocationInfo(sd.RevocationInfo)
		ev.Certs = certs
		out = append(out, ev)
	}
	return out
}

// revocationStatus is the report's view of a revocation result.
func revocationStatus(r revocation.Result) RevocationStatus {
	out := RevocationStatus{Status: r.Status.String(), Source: string(r.Source), Method: r.Method, RevokedAt: r.RevokedAt, Problem: r.Problem}
	if out.Source == "" {
		out.Source = "none"
	}
	if !r.RevokedAt.IsZero() {
		out.Reason = revocation.ReasonText(r.Reason)
	}
	return out
}
