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

	"github.com/vanthuso/vanthu/signing/certpath"
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

// signerCheck is one SignerInfo whose bytes verified, with its certificate.
type signerCheck struct {
	si   *cms.SignerInfo
	cert *x509.Certificate
}

// signature checks an ordinary signature: its CMS (every SignerInfo), the
// time it is judged at, its algorithms, the signers' chains and their
// revocation. It reports whether the signed bytes verify.
func (v *verifier) signature(s *Signature, e sigEntry, contents []byte, br [4]int64, readable bool, f *findings) bool {
	sd, signers, ok := v.checkCMS(s, contents, br, readable, f)
	if !ok {
		return false
	}
	first := signers[0]
	pool := append(append([]*x509.Certificate(nil), sd.Certificates...), v.dss.Certs...)
	tp := v.timeOf(s, e, first.si, pool, f)
	for i, sc := range signers {
		what, whatEN := "Chữ ký", "the signature"
		if i > 0 {
			what, whatEN = fmt.Sprintf("Chữ ký thứ %d trong cùng dữ liệu", i+1), fmt.Sprintf("signer %d of the same data", i+1)
		}
		v.checkAlgorithms(sc, tp, what, whatEN, f)
		if sc.cert.KeyUsage != 0 && sc.cert.KeyUsage&(x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment) == 0 {
			s.Trust = TrustUntrusted
			f.doubt(rKeyUsage())
			continue
		}
		trust, fromDoc := v.signerTrust(s, sc, sd, pool, tp, i == 0, f)
		if i == 0 {
			s.Trust = trust
			s.Level = level(s, fromDoc)
		} else if trust != TrustTrusted && s.Trust == TrustTrusted {
			s.Trust = trust
		}
	}
	return true
}

// level is the PAdES level a signature reaches; B-LTA is decided once
// every document timestamp is known.
func level(s *Signature, revocationFromDocument bool) string {
	switch {
	case strings.HasPrefix(s.SubFilter, "adbe."):
		return LevelLegacy
	case !s.ProvenByTimestamp:
		return LevelBB
	case revocationFromDocument:
		return LevelBLT
	}
	return LevelBT
}

// checkCMS parses the CMS and verifies every SignerInfo over the signed
// bytes. ok is false when the bytes do not verify (an invalid reason) or
// cannot be checked (an indeterminate one, Integrity "unverified").
func (v *verifier) checkCMS(s *Signature, contents []byte, br [4]int64, readable bool, f *findings) (*cms.SignedData, []signerCheck, bool) {
	if len(contents) == 0 {
		f.fail(rCMS(errors.New("/Contents is empty")))
		return nil, nil, false
	}
	sd, err := cms.Parse(contents)
	if err != nil {
		f.fail(rCMS(err))
		return nil, nil, false
	}
	if len(sd.Signers) == 0 {
		f.fail(rNoSigner())
		return sd, nil, false
	}
	// Hash the signed bytes once, with every hash a signer names.
	hashes := map[crypto.Hash]hash.Hash{}
	var checks []signerCheck
	unverified := false
	for i := range sd.Signers {
		si := &sd.Signers[i]
		cert := si.FindCertificate(sd.Certificates)
		if cert == nil {
			cert = si.FindCertificate(v.dss.Certs)
		}
		if cert != nil {
			if i == 0 {
				s.Signer = certHex(cert)
			} else {
				s.OtherSigners = append(s.OtherSigners, certHex(cert))
			}
		}
		if si.DigestAlgorithmIsSignatureOID {
			f.fail(rDigestAlg("the digest algorithm is written as a signature algorithm (" + si.DigestAlgorithmOID.String() + "), which RFC 5652 does not allow"))
			return sd, nil, false
		}
		if _, err := newHash(si.DigestAlgorithm); err != nil {
			detail := err.Error()
			if si.DigestAlgorithmErr != nil {
				detail = si.DigestAlgorithmErr.Error()
			}
			unverified = true
			f.doubt(rUnsupported(errors.New(detail)))
			continue
		}
		if cert == nil && len(sd.CertificateErrors) > 0 {
			// The signer's certificate may be one crypto/x509 cannot read
			// (brainpool curves): the signature cannot be checked.
			unverified = true
			f.doubt(rCertUnreadable(sd.CertificateErrors[0]))
			continue
		}
		if cert == nil {
			f.fail(rSignerCertMissing())
			return sd, nil, false
		}
		if hashes[si.DigestAlgorithm] == nil {
			hashes[si.DigestAlgorithm] = si.DigestAlgorithm.New()
		}
		checks = append(checks, signerCheck{si: si, cert: cert})
	}
	if !readable {
		f.fail(rByteRange("the signed bytes cannot be read"))
		return sd, nil, false
	}
	ws := make([]io.Writer, 0, len(hashes)+1)
	for _, h := range hashes {
		ws = append(ws, h)
	}
	var sha1h hash.Hash
	if s.SubFilter == "adbe.pkcs7.sha1" {
		sha1h = crypto.SHA1.New()
		ws = append(ws, sha1h)
	}
	if len(ws) > 0 {
		if err := v.hashRanges(br, ws...); err != nil {
			f.fail(rByteRange(err.Error()))
			return sd, nil, false
		}
	}
	for _, sc := range checks {
		si := sc.si
		rangeDigest := hashes[si.DigestAlgorithm].Sum(nil)
		contentDigest := rangeDigest
		switch {
		case sha1h != nil:
			if !bytes.Equal(sd.Content, sha1h.Sum(nil)) {
				f.fail(rDigestMismatch("the SHA-1 digest in the signature does not match the signed bytes"))
				return sd, nil, false
			}
			c := si.DigestAlgorithm.New()
			c.Write(sd.Content)
			contentDigest = c.Sum(nil)
		case sd.Content != nil:
			c := si.DigestAlgorithm.New()
			c.Write(sd.Content)
			contentDigest = c.Sum(nil)
			if !bytes.Equal(contentDigest, rangeDigest) {
				f.fail(rDigestMismatch("the content inside the signature is not the signed bytes"))
				return sd, nil, false
			}
		}
		if si.SignedAttrsDER != nil {
			if err := si.CheckDigest(contentDigest); err != nil {
				f.fail(rDigestMismatch(err.Error()))
				return sd, nil, false
			}
		}
		if err := si.VerifyContentDigest(sc.cert, contentDigest); err != nil {
			switch {
			case errors.Is(err, cms.ErrUnsupported):
				unverified = true
				f.doubt(rUnsupported(err))
				continue
			case si.SignedAttrsNotDER:
				f.fail(rSignedAttrsNotDER(err))
			default:
				f.fail(rSignatureValue(err))
			}
			return sd, nil, false
		}
		if ids := append(append([]cms.ESSCertID(nil), si.SigningCertificateV2...), si.SigningCertificate...); len(ids) > 0 {
			match := false
			for i := range ids {
				if ids[i].Matches(sc.cert) {
					match = true
					break
				}
			}
			if !match {
				f.fail(rSigningCertAttr())
				return sd, nil, false
			}
		}
	}
	if unverified {
		s.Integrity = IntegrityUnverified
		return sd, nil, false
	}
	return sd, checks, true
}

// timeOf decides the time the signature is judged at: a trusted signature
// timestamp, else the earliest trusted document timestamp covering it,
// else now.
func (v *verifier) timeOf(s *Signature, e sigEntry, si *cms.SignerInfo, pool []*x509.Certificate, f *findings) timeProof {
	var tp timeProof
	if m, ok := v.resolve(e.dict["M"]).(pdf.String); ok {
		if t, err := pdf.ParseDate(string(m)); err == nil {
			tp.claimed = t
		}
	}
	if tp.claimed.IsZero() && si.SigningTime != nil {
		tp.claimed = *si.SigningTime
	}
	s.SigningTime = tp.claimed
	now := v.now()
	if si.TimestampToken != nil {
		if t, ok := v.checkTimestamp(si.TimestampToken, si.Signature, pool, f); ok {
			tp.at, tp.proven = t, true
			s.SigningTime, s.ProvenByTimestamp = t, true
		}
	}
	if poe, ok := v.existedBefore(s.signedEnd); ok {
		s.ExistedBefore = poe
		if !tp.proven {
			tp.at, tp.proven = poe, true
		}
	}
	switch {
	case tp.proven:
		tp.algAt, tp.algProven = tp.at, true
	case !tp.claimed.IsZero() && !tp.claimed.After(now):
		tp.algAt = tp.claimed
	default:
		tp.algAt = now
	}
	if !tp.proven {
		tp.at = now
	}
	s.ValidatedAt = tp.at
	return tp
}

// existedBefore returns the time of the earliest trusted document
// timestamp whose bytes include end.
func (v *verifier) existedBefore(end int64) (time.Time, bool) {
	var best time.Time
	for _, p := range v.poes {
		if p.end > end && (best.IsZero() || p.at.Before(best)) {
			best = p.at
		}
	}
	return best, !best.IsZero()
}

// proofOfExistence is a trusted, intact document timestamp: whatever it
// covers existed at its time.
type proofOfExistence struct {
	end int64
	at  time.Time
}

// checkAlgorithms judges the signature's own digest and key by the dated
// policy at the signature's time.
func (v *verifier) checkAlgorithms(sc signerCheck, tp timeProof, what, whatEN string, f *findings) {
	p := v.policy()
	h := sc.si.DigestAlgorithm
	if err := p.CheckHash(h, tp.algAt); err != nil {
		r := rAlgorithmRejected(what, err.Error(), tp.algProven)
		r.EN = strings.Replace(r.EN, what, whatEN, 1)
		f.doubt(r)
	} else if sunset, dated := sunsetOf(p, h); dated {
		r := nAlgorithmBeforeSunset(what, hashLabel(h), sunset, tp.algAt, tp.algProven)
		r.EN = strings.Replace(r.EN, what, whatEN, 1)
		f.note(r)
	}
	if err := p.CheckKey(sc.cert.PublicKey, tp.algAt); err != nil {
		r := rAlgorithmRejected(what, err.Error(), tp.algProven)
		r.EN = strings.Replace(r.EN, what, whatEN, 1)
		f.doubt(r)
	}
}

// signerTrust builds and checks the chain of one signer and its
// revocation; the first signer's results go into the report.
func (v *verifier) signerTrust(s *Signature, sc signerCheck, sd *cms.SignedData, pool []*x509.Certificate, tp timeProof, first bool, f *findings) (string, bool) {
	path, trust, pe := v.buildPath(sc.cert, pool, tp, certpath.UsageSigning)
	switch {
	case trust == TrustUnknown:
		f.doubt(rNoAnchors())
		return trust, false
	case pe != nil:
		f.doubt(pathReason(pe, tp, "Chuỗi chứng thực của người ký"))
		if pe.Code == certpath.UnknownRoot && pe.Root != nil && first {
			r := certRef(pe.Root)
			s.UnknownRoot = &r
		}
		return trust, false
	}
	if first {
		a := certRef(path.Anchor)
		s.Anchor = &a
		for _, c := range path.Certs {
			s.Chain = append(s.Chain, certRef(c))
		}
	}
	pathNotes(path, f)
	fromDoc := v.checkRevocation(s, path, tp, v.evidence(sc.si, sd, pool), f)
	return trust, fromDoc
}

// checkTimestamp verifies a signature timestamp token over sigValue. It
// reports the time and whether it is proven: the token is intact, its
// imprint is the signature value's, and its authority chains to a trusted
// anchor at the time it states.
func (v *verifier) checkTimestamp(token, sigValue []byte, extra []*x509.Certificate, f *findings) (time.Time, bool) {
	t, err := cms.ParseTimestampToken(token)
	if err != nil {
		f.note(rTimestamp(err.Error()))
		return time.Time{}, false
	}
	hh, err := newHash(t.Hash)
	if err != nil {
		f.note(rTimestamp("message imprint: " + err.Error()))
		return time.Time{}, false
	}
	hh.Write(sigValue)
	if !bytes.Equal(hh.Sum(nil), t.HashedMessage) {
		f.note(rTimestamp("the message imprint is not the signature value's digest"))
		return time.Time{}, false
	}
	tsa, err := t.VerifyWith(extra)
	if err != nil {
		f.note(rTimestamp(err.Error()))
		return time.Time{}, false
	}
	pool := append(append([]*x509.Certificate(nil), t.SignedData.Certificates...), extra...)
	if ok, r := v.trustTSA(tsa, pool, t, true, f); !ok {
		f.note(r)
		return t.Time, false
	}
	return t.Time, true
}

// trustTSA checks a timestamp authority's chain at the time its token
// states (a timestamp is judged by when it was made, as Adobe and EU DSS
// do for the timestamps of long-term signatures) and that it was not
// revoked by then.
//
// The message imprint's hash is judged by what an attacker could do with
// it. A document timestamp's imprint is over document bytes, which whoever
// asks for the timestamp chooses: a collision (SHA-1's are practical)
// would let one timestamp vouch for another document, so the dated policy
// applies. A signature timestamp's imprint (overSignature) is over a
// signature value, which no one can shape into a collision (it is the
// output of the signer's key, of fixed form): only a second preimage would
// forge it, and SHA-1 has none known. Its SHA-1 imprint is accepted after
// the sunset, with a note; VGCA's timestamp service still made such
// imprints in 2025 (corpus vn/vpcp_222-ttg).
func (v *verifier) trustTSA(tsa *x509.Certificate, pool []*x509.Certificate, t *cms.Timestamp, overSignature bool, f *findings) (bool, Reason) {
	tp := timeProof{at: t.Time, proven: true, algAt: t.Time, algProven: true}
	path, trust, pe := v.buildPath(tsa, pool, tp, certpath.UsageTimestamping)
	switch {
	case trust == TrustUnknown:
		return false, rTSAUntrusted("no trust anchors are configured")
	case pe != nil:
		return false, rTSAUntrusted(pathReason(pe, tp, "the timestamp authority's chain").EN)
	}
	if p := v.policy(); p.CheckHash(t.Hash, t.Time) != nil {
		if !overSignature || t.Hash != crypto.SHA1 {
			return false, rTSAUntrusted(fmt.Sprintf("the timestamp uses %s", hashLabel(t.Hash)))
		}
		f.note(nSHA1Imprint(t.Time))
	}
	if v.o.Revocation != nil && len(path.Certs) > 1 {
		res := v.o.Revocation.Check(v.ctx, path.Certs[0], path.Certs[1], t.Time, v.evidence(nil, t.SignedData, pool)...)
		switch {
		case res.Status == revocation.Revoked:
			return false, rTSAUntrusted("the timestamp authority's certificate was revoked before the timestamp")
		case res.Status == revocation.Unknown:
			f.note(nTSARevocationUnknown(displayName(tsa)))
		}
	}
	pathNotes(path, f)
	return true, Reason{}
}

// docTimestamp verifies a document timestamp (ETSI.RFC3161).
func (v *verifier) docTimestamp(s *Signature, contents []byte, br [4]int64, readable bool, f *findings) bool {
	if len(contents) == 0 {
		f.fail(rDocTimestamp("/Contents is empty"))
		return false
	}
	t, err := cms.ParseTimestampToken(contents)
	if err != nil {
		f.fail(rCMS(err))
		return false
	}
	if !readable {
		f.fail(rByteRange("the signed bytes cannot be read"))
		return false
	}
	hh, err := newHash(t.Hash)
	if err != nil {
		f.doubt(rUnsupported(err))
		s.Integrity = IntegrityUnverified
		return false
	}
	if err := v.hashRanges(br, hh); err != nil {
		f.fail(rByteRange(err.Error()))
		return false
	}
	if !bytes.Equal(hh.Sum(nil), t.HashedMessage) {
		f.fail(rDigestMismatch("the document timestamp's message imprint does not match the signed bytes"))
		return false
	}
	tsa, err := t.VerifyWith(v.dss.Certs)
	if err != nil {
		if errors.Is(err, cms.ErrUnsupported) {
			f.doubt(rUnsupported(err))
			s.Integrity = IntegrityUnverified
		} else {
			f.fail(rDocTimestamp(err.Error()))
		}
		return false
	}
	s.Signer = certHex(tsa)
	s.SigningTime, s.ValidatedAt = t.Time, t.Time
	pool := append(append([]*x509.Certificate(nil), t.SignedData.Certificates...), v.dss.Certs...)
	ok, r := v.trustTSA(tsa, pool, t, false, f)
	switch {
	case ok:
		s.Trust, s.ProvenByTimestamp = TrustTrusted, true
	case len(v.o.Anchors) == 0:
		s.Trust = TrustUnknown
		f.doubt(rNoAnchors())
	default:
		s.Trust = TrustUntrusted
		f.doubt(r)
	}
	return true
}
