package verify

import (
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vanthuso/vanthu/signing/certpath"
	"github.com/vanthuso/vanthu/signing/cms"
	"github.com/vanthuso/vanthu/signing/revocation"
)

// How trust and time are decided (ETSI EN 319 102-1, as EU DSS applies it)
//
// A signature's chain, the validity of every certificate in it and their
// revocation are evaluated at one time: the time a signature timestamp
// from a trusted authority proves, else the time of the earliest trusted
// document timestamp that covers the signature (the signature existed
// then), else now. The time the signer claims (/M, signingTime) proves
// nothing: it only dates the algorithms when nothing better is known, and
// the report says it is only claimed. So a signature made with an expired
// certificate and backdated is indeterminate (OUT_OF_BOUNDS_NO_POE); a
// timestamp from an authority the trust list does not hold proves no time.
// Revocation is checked for every certificate of the chain but the anchor;
// when it cannot be decided the verdict is indeterminate (TRY_LATER) unless
// the agency's policy accepts that (Options.AcceptUnknownRevocation).

// findings collects the reasons of one signature's verdict.
type findings struct {
	invalid, indeterminate, notes []Reason
}

func (f *findings) fail(r Reason)  { f.invalid = append(f.invalid, r) }
func (f *findings) doubt(r Reason) { f.indeterminate = append(f.indeterminate, r) }
func (f *findings) note(r Reason)  { f.notes = append(f.notes, r) }

// timeProof is the time a signature is judged at.
type timeProof struct {
	at      time.Time // chain, validity and revocation are evaluated at it
	proven  bool      // at is proven by a trusted timestamp
	claimed time.Time // what the signer claims; zero if nothing
	// algAt dates the algorithms; algProven says whether it is proven.
	algAt     time.Time
	algProven bool
}

func (v *verifier) policy() *certpath.Policy {
	if v.o.Policy != nil {
		return v.o.Policy
	}
	return certpath.DefaultPolicy()
}

// fingerprint is the SHA-256 of a certificate as CAs publish it:
// upper-case hex, colon-separated.
func fingerprint(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	var b strings.Builder
	for i, x := range sum {
		if i > 0 {
			b.WriteByte(':')
		}
		fmt.Fprintf(&b, "%02X", x)
	}
	return b.String()
}

func certRef(c *x509.Certificate) CertRef {
	return CertRef{Name: displayName(c), Organization: strings.Join(c.Subject.Organization, ", "), SHA256: fingerprint(c)}
}

// displayName is a certificate's common name, else its organization.
func displayName(c *x509.Certificate) string {
	if c.Subject.CommonName != "" {
		return c.Subject.CommonName
	}
	if len(c.Subject.Organization) > 0 {
		return c.Subject.Organization[0]
	}
	return c.Subject.String()
}

// buildPath finds and checks the certification path of cert for usage at
// tp. It returns the path, the trust value and, when there is no valid
// path, the reason (nil when trust is unknown for lack of anchors).
func (v *verifier) buildPath(cert *x509.Certificate, pool []*x509.Certificate, tp timeProof, usage certpath.Usage) (*certpath.Path, string, *certpath.Error) {
	if len(v.o.Anchors) == 0 {
		return nil, TrustUnknown, nil
	}
	inter := append(append([]*x509.Certificate(nil), pool...), v.o.Intermediates...)
	p, err := certpath.Build(v.ctx, cert, certpath.Options{
		Anchors:             v.o.Anchors,
		Intermediates:       inter,
		Known:               v.o.Known,
		At:                  tp.at,
		AlgorithmTime:       tp.algAt,
		AlgorithmTimeProven: tp.algProven,
		Usage:               usage,
		Policy:              v.policy(),
		Fetcher:             v.o.Fetcher,
	})
	if err != nil {
		var pe *certpath.Error
		if !errors.As(err, &pe) {
			pe = &certpath.Error{Code: certpath.Unsupported, Cert: cert, Err: err}
		}
		return nil, TrustUntrusted, pe
	}
	return p, TrustTrusted, nil
}

// pathReason words a path failure for people.
func pathReason(pe *certpath.Error, tp timeProof, what string) Reason {
	name := ""
	if pe.Cert != nil {
		name = displayName(pe.Cert)
	}
	switch pe.Code {
	case certpath.Expired, certpath.NotYetValid:
		if pe.Cert != nil && !tp.proven {
			if pe.Code == certpath.Expired {
				return rExpiredNoProof(name, pe.Cert.NotAfter)
			}
		}
		if pe.Cert != nil {
			return rExpiredAtProof(name, pe.Cert.NotBefore, pe.Cert.NotAfter, tp.at)
		}
	case certpath.UnknownRoot:
		if pe.Root != nil {
			return rUnknownRoot(displayName(pe.Root), fingerprint(pe.Root))
		}
	case certpath.NoIssuer:
		return rNoIssuer(pe.Error())
	case certpath.AlgorithmRejected:
		return rAlgorithmRejected(what, pe.Error(), tp.algProven)
	case certpath.Unsupported:
		return rUnsupported(pe)
	}
	return rChain(pe.Error())
}

// pathNotes turns the notes of a valid path into notes of the report.
func pathNotes(p *certpath.Path, f *findings) {
	for _, n := range p.Notes {
		switch n.Code {
		case certpath.NoteAlgorithmBeforeSunset:
			what := "Chứng thư"
			if n.Cert != nil {
				what = fmt.Sprintf("Chứng thư “%s”", displayName(n.Cert))
			}
			r := nAlgorithmBeforeSunset(what, hashLabel(n.Hash), n.Sunset, n.At, n.Proven)
			if n.Cert != nil {
				r.EN = strings.Replace(r.EN, "Chứng thư “"+displayName(n.Cert)+"”", fmt.Sprintf("the certificate %q", displayName(n.Cert)), 1)
			}
			r.EN = strings.Replace(r.EN, "Chứng thư", "the certificate", 1)
			f.note(r)
		case certpath.NoteFetchedIssuer:
			if n.Cert != nil {
				f.note(nFetchedIssuer(displayName(n.Cert)))
			}
		}
	}
}

func hashLabel(h crypto.Hash) string {
	switch h {
	case crypto.SHA1:
		return "SHA-1"
	case 0:
		return "a hash"
	}
	return h.String()
}

// checkRevocation checks every certificate of the path but the anchor at
// tp, fills s.Revocation with the signer's and reports whether every
// answer came from the document's own evidence (what makes B-LT).
func (v *verifier) checkRevocation(s *Signature, p *certpath.Path, tp timeProof, ev []revocation.Evidence, f *findings) bool {
	fromDoc := true
	for i := 0; i+1 < len(p.Certs); i++ {
		cert, issuer := p.Certs[i], p.Certs[i+1]
		name := displayName(cert)
		var res revocation.Result
		if v.o.Revocation != nil {
			res = v.o.Revocation.Check(v.ctx, cert, issuer, tp.at, ev...)
		} else {
			res = revocation.Result{Problem: "no revocation checker is configured"}
		}
		if i == 0 {
			s.Revocation = revocationStatus(res)
		}
		switch res.Source {
		case revocation.SourceDSS, revocation.SourceAdobe, revocation.SourceCMS:
		default:
			fromDoc = false
		}
		detail := ""
		if !res.RevokedAt.IsZero() {
			detail = strings.TrimSpace(revocation.ReasonText(res.Reason) + " " + res.RevokedAt.UTC().Format(time.RFC3339))
		}
		switch {
		case res.Status == revocation.Revoked:
			before := !res.RevokedAt.After(tp.at)
			beforeClaim := !tp.claimed.IsZero() && !res.RevokedAt.After(tp.claimed)
			switch {
			case i > 0:
				r := rCARevoked(name, detail, tp.proven && before)
				if tp.proven && before {
					f.fail(r)
				} else {
					f.doubt(r)
				}
			case tp.proven && before || beforeClaim:
				f.fail(rRevoked(detail, string(res.Source)))
			default:
				f.doubt(rRevokedUnproven(detail))
			}
		case res.Status == revocation.Good && !res.RevokedAt.IsZero():
			f.note(nRevokedAfter(name, res.RevokedAt))
		case res.Status == revocation.Good:
		default:
			fromDoc = false
			if v.o.AcceptUnknownRevocation {
				f.note(nRevocationAccepted(name))
			} else {
				f.doubt(rRevocationUnknown(name, res.Problem, res.Retry))
			}
		}
	}
	return fromDoc && len(p.Certs) > 1
}

// evidence gathers the revocation data the document carries for one
// signature: the DSS, the Adobe revocation attribute of its signed
// attributes and its CMS revocation data. certs are the certificates of
// the signature and the DSS (OCSP responders among them).
func (v *verifier) evidence(si *cms.SignerInfo, sd *cms.SignedData, certs []*x509.Certificate) []revocation.Evidence {
	dss := v.dss
	dss.Certs = certs
	out := []revocation.Evidence{dss}
	if si != nil {
		for _, a := range si.SignedAttrs {
			if a.Type.Equal(revocation.OIDAdobeRevocation) && len(a.Values) > 0 {
				if ev, err := revocation.ParseAdobeRevocation(a.Values[0]); err == nil {
					ev.Certs = append(ev.Certs, certs...)
					out = append(out, ev)
				}
			}
		}
	}
	if sd != nil && len(sd.RevocationInfo) > 0 {
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

// sunsetOf returns the sunset the policy gives h, if it has one.
func sunsetOf(p *certpath.Policy, h crypto.Hash) (time.Time, bool) {
	if h == crypto.SHA1 {
		return p.SHA1Sunset, !p.SHA1Sunset.IsZero()
	}
	t, ok := p.Sunsets[h]
	return t, ok
}
