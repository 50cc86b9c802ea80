package cms

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
)

// SignedData is a parsed CMS SignedData (RFC 5652 section 5.1).
type SignedData struct {
	// Raw is the DER of the whole ContentInfo after BER normalisation.
	Raw []byte
	// ExtraBytes counts the bytes after the ContentInfo other than the
	// zero padding at the end of a PDF's /Contents (0 for a clean
	// signature). Adobe and EU DSS ignore such bytes; a verifier may warn.
	ExtraBytes int
	Version    int
	// DigestAlgorithms lists the digestAlgorithms field as written.
	DigestAlgorithms []asn1.ObjectIdentifier
	// ContentType is the eContentType (id-data for PDF signatures,
	// id-ct-TSTInfo for timestamp tokens).
	ContentType asn1.ObjectIdentifier
	// Content is the encapsulated content; nil when detached.
	Content []byte
	// Certificates holds the certificates that parsed. Those that did not
	// are reported in CertificateErrors and otherwise ignored; attribute
	// certificates and other choices are skipped.
	Certificates      []*x509.Certificate
	CertificateErrors []error
	// RevocationInfo holds each RevocationInfoChoice (usually a CRL) as DER.
	RevocationInfo [][]byte
	Signers        []SignerInfo
}

// Attribute is one CMS attribute; each value is kept as DER.
type Attribute struct {
	Type   asn1.ObjectIdentifier
	Values [][]byte
}

// ESSCertID is one entry of a signing-certificate (RFC 2634, SHA-1) or
// signing-certificate-v2 (RFC 5035) attribute.
type ESSCertID struct {
	Hash     crypto.Hash // 0 when the hash algorithm is unknown
	CertHash []byte
	// IssuerRaw is the DER Name of the first directoryName in
	// issuerSerial; nil when issuerSerial is absent.
	IssuerRaw    []byte
	SerialNumber *big.Int
}

// Matches reports whether cert is the certificate this entry names: the
// hash of its DER matches and, when present, issuer and serial too.
func (e *ESSCertID) Matches(cert *x509.Certificate) bool {
	if cert == nil || e.Hash == 0 || !e.Hash.Available() {
		return false
	}
	h := e.Hash.New()
	h.Write(cert.Raw)
	if !bytes.Equal(h.Sum(nil), e.CertHash) {
		return false
	}
	if e.SerialNumber != nil && e.SerialNumber.Cmp(cert.SerialNumber) != 0 {
		return false
	}
	if e.IssuerRaw != nil && !sameName(e.IssuerRaw, cert.RawIssuer) {
		return false
	}
	return true
}

// SignerInfo is one parsed signer (RFC 5652 section 5.3).
type SignerInfo struct {
	Version int
	// The signer identifier: IssuerRaw and SerialNumber for
	// issuerAndSerialNumber, or SubjectKeyID.
	IssuerRaw    []byte
	SerialNumber *big.Int
	SubjectKeyID []byte

	// DigestAlgorithm is 0 when DigestAlgorithmOID is not a known hash;
	// DigestAlgorithmErr then says so (it wraps ErrUnsupported).
	DigestAlgorithm    crypto.Hash
	DigestAlgorithmOID asn1.ObjectIdentifier
	DigestAlgorithmErr error
	// DigestAlgorithmIsSignatureOID reports a digestAlgorithm written as a
	// signature algorithm (sha256WithRSAEncryption, as NetLock does);
	// DigestAlgorithm is its hash. OpenSSL accepts that, EU DSS does not.
	DigestAlgorithmIsSignatureOID bool

	SignatureAlgorithm pkix.AlgorithmIdentifier
	Signature          []byte

	// SignedAttrsDER is the signed attributes re-tagged as a SET and
	// encoded in DER: the bytes the signature covers (RFC 5652 section
	// 5.4). Nil when the signer has no signed attributes.
	SignedAttrsDER []byte
	// SignedAttrsNotDER reports signed attributes stored in another
	// encoding than DER (a SET OF not sorted, non-minimal or indefinite
	// lengths, constructed strings, BOOLEAN true not 0xFF). They are
	// verified over their DER re-encoding, as EU DSS and BouncyCastle do: a
	// signer that signed the DER form passes, one that signed the stored
	// bytes fails.
	SignedAttrsNotDER bool
	SignedAttrs       []Attribute
	// Values of the well-known signed attributes, when present.
	ContentType          asn1.ObjectIdentifier
	MessageDigest        []byte
	SigningTime          *time.Time
	SigningCertificate   []ESSCertID // ESS signing-certificate (v1, SHA-1)
	SigningCertificateV2 []ESSCertID // ESS signing-certificate-v2

	UnsignedAttrs []Attribute
	// TimestampToken is the first id-aa-signatureTimeStampToken value (a
	// DER ContentInfo), nil if none; see ParseTimestampToken.
	TimestampToken []byte
}

// Parse parses a CMS ContentInfo holding SignedData, as found in a PDF
// signature's /Contents. BER indefinite lengths and segmented octet strings
// are normalised to DER first (encodings inside signed attributes and
// certificates are kept as they are). Bytes after the structure are
// ignored and counted in ExtraBytes.
// Parse never panics; malformed input gives an error.
func Parse(der []byte) (*SignedData, error) {
	norm, changed, rest, err := normalize(der, 0)
	if err != nil {
		return nil, fmt.Errorf("cms: %w", err)
	}
	sd, err := parseContentInfo(norm)
	if err != nil {
		return nil, fmt.Errorf("cms: %w", err)
	}
	if err := sd.encodeSignedAttrs(der, changed); err != nil {
		return nil, fmt.Errorf("cms: %w", err)
	}
	sd.ExtraBytes = len(bytes.TrimRight(rest, "\x00"))
	return sd, nil
}

// encodeSignedAttrs replaces each signer's SignedAttrsDER by its DER
// encoding and sets SignedAttrsNotDER when the bytes stored in input
// differ from it. normalized says whether Parse rewrote input: the stored
// signed attributes are then looked up in input itself.
func (sd *SignedData) encodeSignedAttrs(input []byte, normalized bool) error {
	var stored [][]byte
	if normalized {
		stored = storedSignedAttrs(input)
	}
	for i := range sd.Signers {
		si := &sd.Signers[i]
		if si.SignedAttrsDER == nil {
			continue
		}
		orig := si.SignedAttrsDER
		if normalized {
			orig = nil
			if i < len(stored) && stored[i] != nil {
				orig = append([]byte{0x31}, stored[i][1:]...)
			}
		}
		enc, rest, err := derEncode(si.SignedAttrsDER, 0)
		if err != nil {
			return fmt.Errorf("signer %d: signed attributes: %w", i, err)
		}
		if len(rest) != 0 {
			return fmt.Errorf("signer %d: signed attributes: trailing data", i)
		}
		si.SignedAttrsNotDER = !bytes.Equal(orig, enc)
		si.SignedAttrsDER = enc
	}
	return nil
}

// storedSignedAttrs finds, in a BER ContentInfo as stored, the [0] signed
// attributes of each SignerInfo (nil for a signer without them), following
// indefinite lengths. Nil when the structure cannot be followed.
func storedSignedAttrs(b []byte) [][]byte {
	el := b
	// ContentInfo's second field is [0] content, whose only child is the
	// SignedData.
	for _, i := range []int{1, 0} {
		kids, err := berChildren(el)
		if err != nil || i >= len(kids) {
			return nil
		}
		el = kids[i]
	}
	kids, err := berChildren(el)
	if err != nil || len(kids) == 0 {
		return nil
	}
	signers, err := berChildren(kids[len(kids)-1]) // signerInfos is the last field
	if err != nil {
		return nil
	}
	out := make([][]byte, len(signers))
	for i, s := range signers {
		fields, err := berChildren(s)
		// version, sid, digestAlgorithm, then [0] IMPLICIT signedAttrs.
		if err != nil || len(fields) < 4 || fields[3][0] != 0xa0 {
			continue
		}
		out[i] = fields[3]
	}
	return out
}

// berChildren returns the encodings of the children of the constructed
// element at the start of b, definite or indefinite, as stored.
func berChildren(b []byte) ([][]byte, error) {
	h, err := parseHeader(b)
	if err != nil {
		return nil, err
	}
	if !h.constructed {
		return nil, errors.New("not constructed")
	}
	kids, _, err := constructedParts(b, h, func(c []byte) ([]byte, []byte, error) {
		n, err := berLen(c, 0)
		if err != nil {
			return nil, nil, err
		}
		return c[:n:n], c[n:], nil
	})
	return kids, err
}

// berLen is the size of the element at the start of b, following
// indefinite lengths.
func berLen(b []byte, depth int) (int, error) {
	if depth > maxDepth {
		return 0, errors.New("nesting too deep")
	}
	h, err := parseHeader(b)
	if err != nil {
		return 0, err
	}
	if h.length >= 0 {
		return h.size + h.length, nil
	}
	if !h.constructed {
		return 0, errors.New("indefinite length on a primitive element")
	}
	_, rest, err := constructedParts(b, h, func(c []byte) ([]byte, []byte, error) {
		n, err := berLen(c, depth+1)
		if err != nil {
			return nil, nil, err
		}
		return nil, c[n:], nil
	})
	if err != nil {
		return 0, err
	}
	return len(b) - len(rest), nil
}

func parseContentInfo(der []byte) (*SignedData, error) {
	ci, err := expect(der, classUniversal, tagSequence, "content info")
	if err != nil {
		return nil, err
	}
	r := reader{ci.body}
	e, err := r.read(classUniversal, tagOID, "content type")
	if err != nil {
		return nil, err
	}
	ct, err := parseOID(e, "content type")
	if err != nil {
		return nil, err
	}
	if !ct.Equal(OIDSignedData) {
		return nil, fmt.Errorf("content type %v is not signed data", ct)
	}
	wrap, err := r.read(classContext, 0, "content")
	if err != nil {
		return nil, err
	}
	sd, err := parseSignedData(wrap.body)
	if err != nil {
		return nil, err
	}
	sd.Raw = der
	return sd, nil
}

func parseSignedData(b []byte) (*SignedData, error) {
	e, err := expect(b, classUniversal, tagSequence, "signed data")
	if err != nil {
		return nil, err
	}
	sd := &SignedData{}
	r := reader{e.body}
	if e, err = r.read(classUniversal, tagInteger, "signed data version"); err != nil {
		return nil, err
	}
	if sd.Version, err = parseSmallInt(e, "signed data version"); err != nil {
		return nil, err
	}
	if e, err = r.read(classUniversal, tagSet, "digest algorithms"); err != nil {
		return nil, err
	}
	algs, err := items(e.body, "digest algorithms")
	if err != nil {
		return nil, err
	}
	for _, a := range algs {
		o, _, err := parseAlgorithm(a, "digest algorithm")
		if err != nil {
			return nil, err
		}
		sd.DigestAlgorithms = append(sd.DigestAlgorithms, o.Algorithm)
	}

	if e, err = r.read(classUniversal, tagSequence, "encapsulated content info"); err != nil {
		return nil, err
	}
	er := reader{e.body}
	if e, err = er.read(classUniversal, tagOID, "encapsulated content type"); err != nil {
		return nil, err
	}
	if sd.ContentType, err = parseOID(e, "encapsulated content type"); err != nil {
		return nil, err
	}
	if w, ok := er.optional(classContext, 0); ok {
		oe, err := expect(w.body, classUniversal, tagOctetString, "encapsulated content")
		if err != nil {
			return nil, err
		}
		sd.Content = oe.body
		if sd.Content == nil {
			sd.Content = []byte{}
		}
	}
	if !er.empty() {
		return nil, errors.New("encapsulated content info: trailing data")
	}

	if c, ok := r.optional(classContext, 0); ok {
		certs, err := items(c.body, "certificates")
		if err != nil {
			return nil, err
		}
		for i, ce := range certs {
			if !ce.is(classUniversal, tagSequence) {
				continue // attribute certificate or other choice
			}
			cert, err := x509.ParseCertificate(ce.full)
			if err != nil {
				sd.CertificateErrors = append(sd.CertificateErrors, fmt.Errorf("certificate %d: %w", i, err))
				continue
			}
			sd.Certificates = append(sd.Certificates, cert)
		}
	}
	if c, ok := r.optional(classContext, 1); ok {
		crls, err := items(c.body, "revocation info")
		if err != nil {
			return nil, err
		}
		for _, ce := range crls {
			sd.RevocationInfo = append(sd.RevocationInfo, ce.full)
		}
	}
	if e, err = r.read(classUniversal, tagSet, "signer infos"); err != nil {
		return nil, err
	}
	sis, err := items(e.body, "signer infos")
	if err != nil {
		return nil, err
	}
	for i, se := range sis {
		si, err := parseSignerInfo(se)
		if err != nil {
			return nil, fmt.Errorf("signer %d: %w", i, err)
		}
		sd.Signers = append(sd.Signers, *si)
	}
	if !r.empty() {
		return nil, errors.New("signed data: trailing data")
	}
	return sd, nil
}

// parseAlgorithm parses an AlgorithmIdentifier, returning the parameters'
// DER (nil when absent).
func parseAlgorithm(e element, what string) (pkix.AlgorithmIdentifier, []byte, error) {
	var ai pkix.AlgorithmIdentifier
	if !e.is(classUniversal, tagSequence) {
		return ai, nil, fmt.Errorf("%s: not a sequence", what)
	}
	r := reader{e.body}
	oe, err := r.read(classUniversal, tagOID, what)
	if err != nil {
		return ai, nil, err
	}
	if ai.Algorithm, err = parseOID(oe, what); err != nil {
		return ai, nil, err
	}
	var params []byte
	if !r.empty() {
		pe, err := r.any(what + " parameters")
		if err != nil {
			return ai, nil, err
		}
		params = pe.full
		ai.Parameters = asn1.RawValue{Class: pe.class, Tag: pe.tag, IsCompound: pe.constructed, Bytes: pe.body, FullBytes: pe.full}
	}
	if !r.empty() {
		return ai, nil, fmt.Errorf("%s: trailing data", what)
	}
	return ai, params, nil
}

func parseSignerInfo(e element) (*SignerInfo, error) {
	if !e.is(classUniversal, tagSequence) {
		return nil, errors.New("signer info: not a sequence")
	}
	si := &SignerInfo{}
	r := reader{e.body}
	v, err := r.read(classUniversal, tagInteger, "version")
	if err != nil {
		return nil, err
	}
	if si.Version, err = parseSmallInt(v, "version"); err != nil {
		return nil, err
	}

	sid, err := r.any("signer identifier")
	if err != nil {
		return nil, err
	}
	switch {
	case sid.is(classUniversal, tagSequence):
		ir := reader{sid.body}
		name, err := ir.read(classUniversal, tagSequence, "issuer")
		if err != nil {
			return nil, err
		}
		si.IssuerRaw = name.full
		se, err := ir.read(classUniversal, tagInteger, "serial number")
		if err != nil {
			return nil, err
		}
		if si.SerialNumber, err = parseBigInt(se, "serial number"); err != nil {
			return nil, err
		}
	case sid.is(classContext, 0) && !sid.constructed:
		si.SubjectKeyID = sid.body
	default:
		return nil, fmt.Errorf("signer identifier: unexpected %s", sid.describe())
	}

	da, err := r.any("digest algorithm")
	if err != nil {
		return nil, err
	}
	dai, _, err := parseAlgorithm(da, "digest algorithm")
	if err != nil {
		return nil, err
	}
	si.DigestAlgorithmOID = dai.Algorithm
	if h, ok := hashForOID(dai.Algorithm); ok {
		si.DigestAlgorithm = h
	} else if s, ok := sigAlgForOID(dai.Algorithm); ok && s.hash != 0 {
		// Some producers write sha256WithRSAEncryption here.
		si.DigestAlgorithm = s.hash
		si.DigestAlgorithmIsSignatureOID = true
	} else {
		si.DigestAlgorithmErr = &sentinelError{ErrUnsupported, fmt.Sprintf("unknown digest algorithm %v", dai.Algorithm)}
	}
	if si.DigestAlgorithm != 0 && !si.DigestAlgorithm.Available() {
		si.DigestAlgorithmErr = &sentinelError{ErrUnsupported, fmt.Sprintf("digest algorithm %v not available", si.DigestAlgorithm)}
		si.DigestAlgorithm = 0
	}

	if sa, ok := r.optional(classContext, 0); ok {
		if !sa.constructed {
			return nil, errors.New("signed attributes: not constructed")
		}
		// Re-tag [0] IMPLICIT as SET OF: the signature covers that encoding.
		si.SignedAttrsDER = append([]byte{0x31}, sa.full[1:]...)
		if si.SignedAttrs, err = parseAttributes(sa.body, "signed attributes"); err != nil {
			return nil, err
		}
		if err := si.decodeSignedAttrs(); err != nil {
			return nil, err
		}
	}

	sa, err := r.any("signature algorithm")
	if err != nil {
		return nil, err
	}
	if si.SignatureAlgorithm, _, err = parseAlgorithm(sa, "signature algorithm"); err != nil {
		return nil, err
	}
	sv, err := r.read(classUniversal, tagOctetString, "signature")
	if err != nil {
		return nil, err
	}
	si.Signature = sv.body

	if ua, ok := r.optional(classContext, 1); ok {
		if si.UnsignedAttrs, err = parseAttributes(ua.body, "unsigned attributes"); err != nil {
			return nil, err
		}
		for _, a := range si.UnsignedAttrs {
			if a.Type.Equal(OIDAttrTimestampToken) && len(a.Values) > 0 && si.TimestampToken == nil {
				si.TimestampToken = a.Values[0]
			}
		}
	}
	if !r.empty() {
		return nil, errors.New("signer info: trailing data")
	}
	return si, nil
}

func parseAttributes(b []byte, what string) ([]Attribute, error) {
	els, err := items(b, what)
	if err != nil {
		return nil, err
	}
	attrs := make([]Attribute, 0, len(els))
	for _, e := range els {
		if !e.is(classUniversal, tagSequence) {
			return nil, fmt.Errorf("%s: attribute is not a sequence", what)
		}
		r := reader{e.body}
		te, err := r.read(classUniversal, tagOID, what+": attribute type")
		if err != nil {
			return nil, err
		}
		var a Attribute
		if a.Type, err = parseOID(te, what+": attribute type"); err != nil {
			return nil, err
		}
		ve, err := r.read(classUniversal, tagSet, what+": attribute values")
		if err != nil {
			return nil, err
		}
		vals, err := items(ve.body, what+": attribute values")
		if err != nil {
			return nil, err
		}
		for _, v := range vals {
			a.Values = append(a.Values, v.full)
		}
		if !r.empty() {
			return nil, fmt.Errorf("%s: attribute %v: trailing data", what, a.Type)
		}
		attrs = append(attrs, a)
	}
	return attrs, nil
}

// decodeSignedAttrs extracts the well-known signed attributes. An attribute
// that the signature's meaning depends on (content type, message digest,
// signing time) must appear at most once with exactly one value.
func (si *SignerInfo) decodeSignedAttrs() error {
	seen := map[string]bool{}
	single := func(a Attribute) (element, error) {
		key := a.Type.String()
		if seen[key] {
			return element{}, fmt.Errorf("signed attribute %v appears twice", a.Type)
		}
		seen[key] = true
		if len(a.Values) != 1 {
			return element{}, fmt.Errorf("signed attribute %v has %d values", a.Type, len(a.Values))
		}
		e, _, err := next(a.Values[0])
		return e, err
	}
	for _, a := range si.SignedAttrs {
		switch {
		case a.Type.Equal(OIDAttrContentType):
			e, err := single(a)
			if err != nil {
				return err
			}
			if si.ContentType, err = parseOID(e, "content type attribute"); err != nil {
				return err
			}
		case a.Type.Equal(OIDAttrMessageDigest):
			e, err := single(a)
			if err != nil {
				return err
			}
			if si.MessageDigest, err = parseOctets(e, "message digest attribute"); err != nil {
				return err
			}
		case a.Type.Equal(OIDAttrSigningTime):
			e, err := single(a)
			if err != nil {
				return err
			}
			t, err := parseTime(e, "signing time attribute")
			if err != nil {
				return err
			}
			si.SigningTime = &t
		case a.Type.Equal(OIDAttrSigningCertificate), a.Type.Equal(OIDAttrSigningCertificateV2):
			v2 := a.Type.Equal(OIDAttrSigningCertificateV2)
			e, err := single(a)
			if err != nil {
				return err
			}
			ids, err := parseSigningCertificate(e, v2)
			if err != nil {
				return err
			}
			if v2 {
				si.SigningCertificateV2 = ids
			} else {
				si.SigningCertificate = ids
			}
		}
	}
	return nil
}

// parseSigningCertificate parses SigningCertificate / SigningCertificateV2.
func parseSigningCertificate(e element, v2 bool) ([]ESSCertID, error) {
	what := "signing certificate attribute"
	if v2 {
		what = "signing certificate v2 attribute"
	}
	if !e.is(classUniversal, tagSequence) {
		return nil, fmt.Errorf("%s: not a sequence", what)
	}
	r := reader{e.body}
	ce, err := r.read(classUniversal, tagSequence, what)
	if err != nil {
		return nil, err
	}
	els, err := items(ce.body, what)
	if err != nil {
		return nil, err
	}
	var ids []ESSCertID
	for _, ie := range els {
		if !ie.is(classUniversal, tagSequence) {
			return nil, fmt.Errorf("%s: cert id is not a sequence", what)
		}
		ir := reader{ie.body}
		id := ESSCertID{Hash: crypto.SHA1}
		if v2 {
			id.Hash = crypto.SHA256
			if ae, ok := ir.optional(classUniversal, tagSequence); ok {
				ai, _, err := parseAlgorithm(ae, what)
				if err != nil {
					return nil, err
				}
				id.Hash, _ = hashForOID(ai.Algorithm)
			}
		}
		he, err := ir.read(classUniversal, tagOctetString, what+": cert hash")
		if err != nil {
			return nil, err
		}
		id.CertHash = he.body
		if se, ok := ir.optional(classUniversal, tagSequence); ok {
			sr := reader{se.body}
			gn, err := sr.read(classUniversal, tagSequence, what+": issuer")
			if err != nil {
				return nil, err
			}
			names, err := items(gn.body, what+": issuer")
			if err != nil {
				return nil, err
			}
			for _, n := range names {
				if n.is(classContext, 4) && n.constructed {
					if dn, _, err := next(n.body); err == nil && dn.is(classUniversal, tagSequence) {
						id.IssuerRaw = dn.full
						break
					}
				}
			}
			sn, err := sr.read(classUniversal, tagInteger, what+": serial number")
			if err != nil {
				return nil, err
			}
			if id.SerialNumber, err = parseBigInt(sn, what+": serial number"); err != nil {
				return nil, err
			}
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// sameName compares two DER Names: byte-equal, or equal after parsing (some
// producers re-encode the issuer with other string types).
func sameName(a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	var ra, rb pkix.RDNSequence
	if rest, err := asn1.Unmarshal(a, &ra); err != nil || len(rest) != 0 {
		return false
	}
	if rest, err := asn1.Unmarshal(b, &rb); err != nil || len(rest) != 0 {
		return false
	}
	return ra.String() == rb.String()
}

// FindCertificate returns the certificate among certs that this signer
// identifies (by issuer and serial number, or by subject key identifier),
// or nil.
func (si *SignerInfo) FindCertificate(certs []*x509.Certificate) *x509.Certificate {
	for _, c := range certs {
		if c == nil {
			continue
		}
		if si.SerialNumber != nil {
			if c.SerialNumber != nil && c.SerialNumber.Cmp(si.SerialNumber) == 0 && sameName(si.IssuerRaw, c.RawIssuer) {
				return c
			}
			continue
		}
		if si.SubjectKeyID != nil && bytes.Equal(c.SubjectKeyId, si.SubjectKeyID) {
			return c
		}
	}
	return nil
}
