package verify

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"
	"time"

	"github.com/vanthuso/vanthu/signing/cms"
	"github.com/vanthuso/vanthu/signing/pdf"
	"github.com/vanthuso/vanthu/signing/revocation"
)

func newHash(h crypto.Hash) (hash.Hash, error) {
	if h == 0 || !h.Available() {
		return nil, fmt.Errorf("hash %v not available", h)
	}
	if h == crypto.MD5 || h == crypto.MD4 || h == crypto.MD5SHA1 {
		return nil, fmt.Errorf("hash %v not allowed", h)
	}
	return h.New(), nil
}

// signature checks the CMS of an ordinary signature. It reports whether the
// bytes verify, the reasons they do not, and fills signer, time, timestamp,
// trust and revocation.
func (v *verifier) signature(s *Signature, e sigEntry, contents []byte, br [4]int64, readable bool, indet *[]Reason) (bool, []Reason, *cms.SignedData, []*x509.Certificate) {
	if len(contents) == 0 {
		return false, []Reason{rCMS(errors.New("/Contents is empty"))}, nil, nil
	}
	sd, err := cms.Parse(contents)
	if err != nil {
		return false, []Reason{rCMS(err)}, nil, nil
	}
	if len(sd.Signers) == 0 {
		return false, []Reason{rNoSigner()}, sd, nil
	}
	si := &sd.Signers[0]
	cert := si.FindCertificate(sd.Certificates)
	if cert == nil {
		cert = si.FindCertificate(v.dss.Certs)
	}
	// Claimed time.
	if m, ok := v.resolve(e.dict["M"]).(pdf.String); ok {
		if t, err := pdf.ParseDate(string(m)); err == nil {
			s.SigningTime = t
		}
	}
	if s.SigningTime.IsZero() && si.SigningTime != nil {
		s.SigningTime = *si.SigningTime
	}
	if cert != nil {
		s.Signer = certHex(cert)
	}
	var bad []Reason
	h := si.DigestAlgorithm
	hh, herr := newHash(h)
	if herr != nil {
		detail := herr.Error()
		if si.DigestAlgorithmErr != nil {
			detail = si.DigestAlgorithmErr.Error()
		}
		bad = append(bad, rDigestAlg(detail))
	}
	if si.DigestAlgorithmIsSignatureOID {
		bad = append(bad, rDigestAlg("the digest algorithm is written as a signature algorithm ("+si.DigestAlgorithmOID.String()+"), which RFC 5652 does not allow"))
	}
	if cert == nil && len(sd.CertificateErrors) > 0 && len(bad) == 0 && readable {
		// The signer's certificate may be one crypto/x509 cannot read
		// (brainpool curves): the bytes can be checked, the signature not.
		if err := v.hashRanges(br, hh); err != nil {
			return false, []Reason{rByteRange(err.Error())}, sd, nil
		}
		if sd.Content == nil && si.SignedAttrsDER != nil {
			if err := si.CheckDigest(hh.Sum(nil)); err != nil {
				return false, []Reason{rDigestMismatch(err.Error())}, sd, nil
			}
		}
		s.Integrity = IntegrityUnverified
		*indet = append(*indet, rCertUnreadable(sd.CertificateErrors[0]))
		return false, nil, sd, nil
	}
	if cert == nil {
		bad = append(bad, rSignerCertMissing())
	}
	if !readable || len(bad) > 0 {
		if !readable {
			bad = append(bad, rByteRange("the signed bytes cannot be read"))
		}
		return false, bad, sd, nil
	}
	ws := []io.Writer{hh}
	var sha1h hash.Hash
	if s.SubFilter == "adbe.pkcs7.sha1" {
		sha1h = crypto.SHA1.New()
		ws = append(ws, sha1h)
	}
	if err := v.hashRanges(br, ws...); err != nil {
		return false, []Reason{rByteRange(err.Error())}, sd, nil
	}
	rangeDigest := hh.Sum(nil)
	contentDigest := rangeDigest
	switch {
	case sha1h != nil:
		if !bytes.Equal(sd.Content, sha1h.Sum(nil)) {
			return false, []Reason{rDigestMismatch("the SHA-1 digest in the signature does not match the signed bytes")}, sd, nil
		}
		c := h.New()
		c.Write(sd.Content)
		contentDigest = c.Sum(nil)
	case sd.Content != nil:
		c := h.New()
		c.Write(sd.Content)
		contentDigest = c.Sum(nil)
		if !bytes.Equal(contentDigest, rangeDigest) {
			return false, []Reason{rDigestMismatch("the content inside the signature is not the signed bytes")}, sd, nil
		}
	}
	if si.SignedAttrsDER != nil {
		if err := si.CheckDigest(contentDigest); err != nil {
			return false, []Reason{rDigestMismatch(err.Error())}, sd, nil
		}
	}
	if err := si.VerifyContentDigest(cert, contentDigest); err != nil {
		return false, []Reason{rSignatureValue(err)}, sd, nil
	}
	if ids := append(append([]cms.ESSCertID(nil), si.SigningCertificateV2...), si.SigningCertificate...); len(ids) > 0 {
		match := false
		for i := range ids {
			if ids[i].Matches(cert) {
				match = true
				break
			}
		}
		if !match {
			return false, []Reason{rSigningCertAttr()}, sd, nil
		}
	}

	// Signature timestamp.
	pool := append(append([]*x509.Certificate(nil), sd.Certificates...), v.dss.Certs...)
	if si.TimestampToken != nil {
		tsTime, ok, r := v.checkTimestamp(si.TimestampToken, si.Signature, pool)
		if ok {
			s.SigningTime, s.ProvenByTimestamp = tsTime, true
		} else {
			*indet = append(*indet, r)
		}
	}

	// Trust, at the signing time.
	at := s.SigningTime
	if at.IsZero() {
		at = v.now()
	}
	if cert.KeyUsage != 0 && cert.KeyUsage&(x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment) == 0 {
		s.Trust = TrustUntrusted
		*indet = append(*indet, rKeyUsage())
		return true, nil, sd, pool
	}
	chain, trust, terr := v.buildChain(cert, pool, at, x509.ExtKeyUsageAny)
	s.Trust = trust
	switch trust {
	case TrustUnknown:
		*indet = append(*indet, rNoAnchors())
	case TrustUntrusted:
		*indet = append(*indet, rUntrusted(terr))
	}

	// Revocation.
	if v.o.Revocation != nil && len(chain) >= 2 {
		res := v.o.Revocation.Check(v.ctx, chain[0], chain[1], at, v.evidence(si, sd, pool)...)
		s.Revocation = revocationStatus(res)
		if !res.RevokedAt.IsZero() {
			detail := strings.TrimSpace(revocation.ReasonText(res.Reason) + " " + res.RevokedAt.UTC().Format(time.RFC3339))
			switch {
			case res.RevokedAt.After(at) && s.ProvenByTimestamp:
				// Revoked after a proven signing time: the signature stands.
			case !res.RevokedAt.After(at):
				return true, []Reason{rRevoked(detail, s.Revocation.Source)}, sd, pool
			default:
				// Revoked after a signing time the signer only claims: a
				// stolen key could claim any earlier time.
				*indet = append(*indet, rRevokedUnproven(detail))
			}
		}
	}
	return true, nil, sd, pool
}

// checkTimestamp verifies a signature timestamp token over sigValue.
func (v *verifier) checkTimestamp(token, sigValue []byte, extra []*x509.Certificate) (time.Time, bool, Reason) {
	t, err := cms.ParseTimestampToken(token)
	if err != nil {
		return time.Time{}, false, rTimestamp(err.Error())
	}
	hh, err := newHash(t.Hash)
	if err != nil {
		return time.Time{}, false, rTimestamp("message imprint: " + err.Error())
	}
	hh.Write(sigValue)
	if !bytes.Equal(hh.Sum(nil), t.HashedMessage) {
		return time.Time{}, false, rTimestamp("the message imprint is not the signature value's digest")
	}
	tsa, err := t.VerifyWith(extra)
	if err != nil {
		return time.Time{}, false, rTimestamp(err.Error())
	}
	pool := append(append([]*x509.Certificate(nil), t.SignedData.Certificates...), extra...)
	if _, trust, err := v.buildChain(tsa, pool, t.Time, x509.ExtKeyUsageTimeStamping); trust == TrustUntrusted {
		return time.Time{}, false, rTSAUntrusted(err)
	}
	return t.Time, true, Reason{}
}

// docTimestamp verifies a document timestamp (ETSI.RFC3161).
func (v *verifier) docTimestamp(s *Signature, contents []byte, br [4]int64, readable bool, indet *[]Reason) (bool, []Reason) {
	if len(contents) == 0 {
		return false, []Reason{rDocTimestamp("/Contents is empty")}
	}
	t, err := cms.ParseTimestampToken(contents)
	if err != nil {
		return false, []Reason{rCMS(err)}
	}
	if !readable {
		return false, []Reason{rByteRange("the signed bytes cannot be read")}
	}
	hh, err := newHash(t.Hash)
	if err != nil {
		return false, []Reason{rDigestAlg(err.Error())}
	}
	if err := v.hashRanges(br, hh); err != nil {
		return false, []Reason{rByteRange(err.Error())}
	}
	if !bytes.Equal(hh.Sum(nil), t.HashedMessage) {
		return false, []Reason{rDigestMismatch("the document timestamp's message imprint does not match the signed bytes")}
	}
	tsa, err := t.VerifyWith(v.dss.Certs)
	if err != nil {
		return false, []Reason{rDocTimestamp(err.Error())}
	}
	s.Signer = certHex(tsa)
	s.SigningTime, s.ProvenByTimestamp = t.Time, true
	pool := append(append([]*x509.Certificate(nil), t.SignedData.Certificates...), v.dss.Certs...)
	_, trust, terr := v.buildChain(tsa, pool, t.Time, x509.ExtKeyUsageTimeStamping)
	s.Trust = trust
	switch trust {
	case TrustUnknown:
		*indet = append(*indet, rNoAnchors())
	case TrustUntrusted:
		*indet = append(*indet, rTSAUntrusted(terr))
	}
	return true, nil
}
