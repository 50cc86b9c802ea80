package cms

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"time"
)

// Timestamper obtains RFC 3161 timestamp tokens.
type Timestamper interface {
	// Timestamp returns a DER TimeStampToken (a ContentInfo) for the given
	// digest of hash h.
	Timestamp(ctx context.Context, digest []byte, h crypto.Hash) ([]byte, error)
}

// Timestamp is a parsed RFC 3161 TimeStampToken: its TSTInfo and the
// SignedData around it.
type Timestamp struct {
	// Raw is the token's ContentInfo as DER (BER input normalised).
	Raw []byte
	// RawTSTInfo is the encapsulated TSTInfo DER.
	RawTSTInfo []byte

	Version int
	Policy  asn1.ObjectIdentifier
	// Hash is the message imprint's hash, 0 if HashAlgorithm is unknown.
	Hash          crypto.Hash
	HashAlgorithm asn1.ObjectIdentifier
	HashedMessage []byte
	SerialNumber  *big.Int
	Time          time.Time     // genTime, in UTC
	Accuracy      time.Duration // 0 when absent
	Ordering      bool
	Nonce         *big.Int // nil when absent
	// TSAName is the DER GeneralName of the tsa field, nil when absent.
	TSAName    []byte
	Extensions []pkix.Extension

	SignedData *SignedData
}

// ParseTimestampToken parses a TimeStampToken: a ContentInfo with
// SignedData whose content is a TSTInfo. It does not verify it.
func ParseTimestampToken(der []byte) (*Timestamp, error) {
	sd, err := Parse(der)
	if err != nil {
		return nil, fmt.Errorf("timestamp token: %w", err)
	}
	if !sd.ContentType.Equal(OIDTSTInfo) {
		return nil, fmt.Errorf("timestamp token: content type %v is not TSTInfo", sd.ContentType)
	}
	if sd.Content == nil {
		return nil, errors.New("timestamp token: no TSTInfo")
	}
	ts, err := ParseTSTInfo(sd.Content)
	if err != nil {
		return nil, fmt.Errorf("timestamp token: %w", err)
	}
	ts.Raw = sd.Raw
	ts.SignedData = sd
	return ts, nil
}

// ParseTSTInfo parses a DER TSTInfo (RFC 3161 section 2.4.2). The result
// has no SignedData.
func ParseTSTInfo(der []byte) (*Timestamp, error) {
	norm, _, rest, err := normalize(der, 0)
	if err != nil {
		return nil, fmt.Errorf("tst info: %w", err)
	}
	if len(rest) != 0 {
		return nil, errors.New("tst info: trailing data")
	}
	e, err := expect(norm, classUniversal, tagSequence, "tst info")
	if err != nil {
		return nil, err
	}
	ts := &Timestamp{RawTSTInfo: der}
	r := reader{e.body}
	v, err := r.read(classUniversal, tagInteger, "tst info version")
	if err != nil {
		return nil, err
	}
	if ts.Version, err = parseSmallInt(v, "tst info version"); err != nil {
		return nil, err
	}
	pe, err := r.read(classUniversal, tagOID, "policy")
	if err != nil {
		return nil, err
	}
	if ts.Policy, err = parseOID(pe, "policy"); err != nil {
		return nil, err
	}
	mi, err := r.read(classUniversal, tagSequence, "message imprint")
	if err != nil {
		return nil, err
	}
	if ts.HashAlgorithm, ts.Hash, ts.HashedMessage, err = parseImprint(mi); err != nil {
		return nil, err
	}
	sn, err := r.read(classUniversal, tagInteger, "serial number")
	if err != nil {
		return nil, err
	}
	if ts.SerialNumber, err = parseBigInt(sn, "serial number"); err != nil {
		return nil, err
	}
	gt, err := r.read(classUniversal, tagGeneralizedTime, "gen time")
	if err != nil {
		return nil, err
	}
	if ts.Time, err = parseTime(gt, "gen time"); err != nil {
		return nil, err
	}
	if ae, ok := r.optional(classUniversal, tagSequence); ok {
		if ts.Accuracy, err = parseAccuracy(ae); err != nil {
			return nil, err
		}
	}
	if oe, ok := r.optional(classUniversal, tagBoolean); ok {
		ts.Ordering = len(oe.body) == 1 && oe.body[0] != 0
	}
	if ne, ok := r.optional(classUniversal, tagInteger); ok {
		if ts.Nonce, err = parseBigInt(ne, "nonce"); err != nil {
			return nil, err
		}
	}
	if te, ok := r.optional(classContext, 0); ok {
		ts.TSAName = te.body
	}
	if xe, ok := r.optional(classContext, 1); ok {
		var exts []pkix.Extension
		seqDER := append([]byte{0x30}, xe.full[1:]...)
		if rest, err := asn1.Unmarshal(seqDER, &exts); err != nil || len(rest) != 0 {
			return nil, errors.New("tst info: malformed extensions")
		}
		ts.Extensions = exts
	}
	if !r.empty() {
		return nil, errors.New("tst info: trailing data")
	}
	return ts, nil
}

func parseImprint(e element) (asn1.ObjectIdentifier, crypto.Hash, []byte, error) {
	r := reader{e.body}
	ae, err := r.any("message imprint algorithm")
	if err != nil {
		return nil, 0, nil, err
	}
	ai, _, err := parseAlgorithm(ae, "message imprint algorithm")
	if err != nil {
		return nil, 0, nil, err
	}
	h, _ := hashForOID(ai.Algorithm)
	he, err := r.read(classUniversal, tagOctetString, "hashed message")
	if err != nil {
		return nil, 0, nil, err
	}
	if !r.empty() {
		return nil, 0, nil, errors.New("message imprint: trailing data")
	}
	return ai.Algorithm, h, he.body, nil
}

func parseAccuracy(e element) (time.Duration, error) {
	r := reader{e.body}
	var d time.Duration
	if se, ok := r.optional(classUniversal, tagInteger); ok {
		s, err := parseSmallInt(se, "accuracy seconds")
		if err != nil || s < 0 || s > 1<<24 {
			return 0, errors.New("accuracy: bad seconds")
		}
		d += time.Duration(s) * time.Second
	}
	for i, unit := range []time.Duration{time.Millisecond, time.Microsecond} {
		if f, ok := r.optional(classContext, i); ok {
			n, err := parseSmallInt(element{class: classUniversal, tag: tagInteger, body: f.body}, "accuracy")
			if err != nil || n < 0 || n > 999 {
				return 0, errors.New("accuracy: bad fraction")
			}
			d += time.Duration(n) * unit
		}
	}
	if !r.empty() {
		return 0, errors.New("accuracy: trailing data")
	}
	return d, nil
}

// MarshalTSTInfo encodes the TSTInfo fields of t (Version, default 1;
// Policy; Hash and HashedMessage; SerialNumber; Time; Accuracy; Ordering;
// Nonce; TSAName; Extensions) as DER, for a time-stamp authority.
func (t *Timestamp) MarshalTSTInfo() ([]byte, error) {
	if !validOID(t.Policy) {
		return nil, fmt.Errorf("tst info: invalid policy %v", t.Policy)
	}
	if t.SerialNumber == nil {
		return nil, errors.New("tst info: no serial number")
	}
	ho, ok := oidForHash(t.Hash)
	if !ok {
		return nil, fmt.Errorf("tst info: unsupported hash %v", hashName(t.Hash))
	}
	v := t.Version
	if v == 0 {
		v = 1
	}
	parts := [][]byte{
		smallInt(v),
		oid(t.Policy),
		seq(seq(oid(ho), derNull), octets(t.HashedMessage)),
		integer(t.SerialNumber),
		generalizedTime(t.Time),
	}
	if t.Accuracy > 0 {
		var acc [][]byte
		s := int(t.Accuracy / time.Second)
		ms := int(t.Accuracy % time.Second / time.Millisecond)
		us := int(t.Accuracy % time.Millisecond / time.Microsecond)
		if s > 0 {
			acc = append(acc, smallInt(s))
		}
		if ms > 0 {
			acc = append(acc, implicitPrim(0, smallInt(ms)))
		}
		if us > 0 {
			acc = append(acc, implicitPrim(1, smallInt(us)))
		}
		parts = append(parts, seq(acc...))
	}
	if t.Ordering {
		parts = append(parts, []byte{tagBoolean, 1, 0xff})
	}
	if t.Nonce != nil {
		parts = append(parts, integer(t.Nonce))
	}
	if t.TSAName != nil {
		parts = append(parts, explicit(0, t.TSAName))
	}
	if len(t.Extensions) > 0 {
		var exts [][]byte
		for _, x := range t.Extensions {
			b, err := asn1.Marshal(x)
			if err != nil {
				return nil, fmt.Errorf("tst info: extension %v: %w", x.Id, err)
			}
			exts = append(exts, b)
		}
		parts = append(parts, implicit(1, seq(exts...)))
	}
	return seq(parts...), nil
}

// implicitPrim re-tags a primitive element as [tag] IMPLICIT.
func implicitPrim(tag int, encoded []byte) []byte {
	out := slices.Clone(encoded)
	out[0] = byte(classContext<<6) | byte(tag)
	return out
}

// Verify checks the token's signature and its signer: the signer
// certificate is found among the token's certificates, has the
// timeStamping extended key usage, matches the ESS signing-certificate
// attribute when there is one, and the signature over the TSTInfo verifies.
// It does not compare the message imprint with anything and does not
// build or check a chain to a trusted root: those are the caller's.
func (t *Timestamp) Verify() (signerCert *x509.Certificate, err error) {
	return t.VerifyWith(nil)
}

// VerifyWith is Verify for tokens whose signer certificate is not embedded:
// extra certificates are searched after the token's own.
func (t *Timestamp) VerifyWith(extra []*x509.Certificate) (*x509.Certificate, error) {
	sd := t.SignedData
	if sd == nil {
		return nil, errors.New("timestamp: no signed data")
	}
	if len(sd.Signers) != 1 {
		return nil, fmt.Errorf("timestamp: %d signers, want 1", len(sd.Signers))
	}
	si := &sd.Signers[0]
	cert := si.FindCertificate(sd.Certificates)
	if cert == nil {
		cert = si.FindCertificate(extra)
	}
	if cert == nil {
		return nil, errors.New("timestamp: signer certificate not found")
	}
	if !hasTimeStampingEKU(cert) {
		return nil, fmt.Errorf("timestamp: certificate %q lacks the timeStamping extended key usage", cert.Subject.CommonName)
	}
	if si.SignedAttrsDER != nil {
		if si.ContentType != nil && !si.ContentType.Equal(OIDTSTInfo) {
			return nil, errors.New("timestamp: content type attribute is not TSTInfo")
		}
		if len(si.SigningCertificateV2) > 0 && !si.SigningCertificateV2[0].Matches(cert) {
			return nil, errors.New("timestamp: signing certificate v2 attribute names another certificate")
		}
		if len(si.SigningCertificateV2) == 0 && len(si.SigningCertificate) > 0 && !si.SigningCertificate[0].Matches(cert) {
			return nil, errors.New("timestamp: signing certificate attribute names another certificate")
		}
	}
	if si.DigestAlgorithm == 0 {
		return nil, fmt.Errorf("timestamp: %w", si.DigestAlgorithmErr)
	}
	h := si.DigestAlgorithm.New()
	h.Write(sd.Content)
	if err := si.VerifyContentDigest(cert, h.Sum(nil)); err != nil {
		return nil, fmt.Errorf("timestamp: %w", err)
	}
	return cert, nil
}

func hasTimeStampingEKU(c *x509.Certificate) bool {
	if slices.Contains(c.ExtKeyUsage, x509.ExtKeyUsageTimeStamping) {
		return true
	}
	for _, u := range c.UnknownExtKeyUsage {
		if u.Equal(OIDExtKeyUsageTimeStamping) {
			return true
		}
	}
	return false
}

// PKI status values of a TimeStampResp (RFC 3161 section 2.4.2).
const (
	StatusGranted         = 0
	StatusGrantedWithMods = 1
	StatusRejection       = 2
	StatusWaiting         = 3
	StatusRevocationWarn  = 4
	StatusRevocationNote  = 5
)

// PKIFailureInfo bits.
const (
	FailBadAlg              = 0
	FailBadRequest          = 2
	FailBadDataFormat       = 5
	FailTimeNotAvailable    = 14
	FailUnacceptedPolicy    = 15
	FailUnacceptedExtension = 16
	FailAddInfoNotAvailable = 17
	FailSystemFailure       = 25
)

var failNames = map[int]string{
	FailBadAlg: "badAlg", FailBadRequest: "badRequest", FailBadDataFormat: "badDataFormat",
	FailTimeNotAvailable: "timeNotAvailable", FailUnacceptedPolicy: "unacceptedPolicy",
	FailUnacceptedExtension: "unacceptedExtension", FailAddInfoNotAvailable: "addInfoNotAvailable",
	FailSystemFailure: "systemFailure",
}

// TimestampRequest is an RFC 3161 TimeStampReq.
type TimestampRequest struct {
	Hash          crypto.Hash // 0 if HashAlgorithm is unknown
	HashAlgorithm asn1.ObjectIdentifier
	HashedMessage []byte
	Policy        asn1.ObjectIdentifier // nil: any
	Nonce         *big.Int              // nil: none
	CertReq       bool
	// HasExtensions reports a request carrying extensions (not supported).
	HasExtensions bool
}

// Marshal encodes the request as DER.
func (q *TimestampRequest) Marshal() ([]byte, error) {
	ho, ok := oidForHash(q.Hash)
	if !ok {
		return nil, fmt.Errorf("timestamp request: unsupported hash %v", hashName(q.Hash))
	}
	if len(q.HashedMessage) != q.Hash.Size() {
		return nil, fmt.Errorf("timestamp request: digest is %d bytes, %v needs %d", len(q.HashedMessage), q.Hash, q.Hash.Size())
	}
	if len(q.Policy) > 0 && !validOID(q.Policy) {
		return nil, fmt.Errorf("timestamp request: invalid policy %v", q.Policy)
	}
	parts := [][]byte{smallInt(1), seq(seq(oid(ho), derNull), octets(q.HashedMessage))}
	if len(q.Policy) > 0 {
		parts = append(parts, oid(q.Policy))
	}
	if q.Nonce != nil {
		parts = append(parts, integer(q.Nonce))
	}
	if q.CertReq {
		parts = append(parts, []byte{tagBoolean, 1, 0xff})
	}
	return seq(parts...), nil
}

// ParseTimestampRequest parses a DER (or BER) TimeStampReq.
func ParseTimestampRequest(der []byte) (*TimestampRequest, error) {
	norm, err := toDER(der)
	if err != nil {
		return nil, fmt.Errorf("timestamp request: %w", err)
	}
	e, err := expect(norm, classUniversal, tagSequence, "timestamp request")
	if err != nil {
		return nil, err
	}
	q := &TimestampRequest{}
	r := reader{e.body}
	ve, err := r.read(classUniversal, tagInteger, "timestamp request version")
	if err != nil {
		return nil, err
	}
	if v, err := parseSmallInt(ve, "timestamp request version"); err != nil || v != 1 {
		return nil, errors.New("timestamp request: version is not 1")
	}
	mi, err := r.read(classUniversal, tagSequence, "message imprint")
	if err != nil {
		return nil, err
	}
	if q.HashAlgorithm, q.Hash, q.HashedMessage, err = parseImprint(mi); err != nil {
		return nil, fmt.Errorf("timestamp request: %w", err)
	}
	if pe, ok := r.optional(classUniversal, tagOID); ok {
		if q.Policy, err = parseOID(pe, "timestamp request policy"); err != nil {
			return nil, err
		}
	}
	if ne, ok := r.optional(classUniversal, tagInteger); ok {
		if q.Nonce, err = parseBigInt(ne, "timestamp request nonce"); err != nil {
			return nil, err
		}
	}
	if be, ok := r.optional(classUniversal, tagBoolean); ok {
		q.CertReq = len(be.body) == 1 && be.body[0] != 0
	}
	if _, ok := r.optional(classContext, 0); ok {
		q.HasExtensions = true
	}
	if !r.empty() {
		return nil, errors.New("timestamp request: trailing data")
	}
	return q, nil
}

// TimestampResponse is an RFC 3161 TimeStampResp.
type TimestampResponse struct {
	Status        int
	StatusStrings []string
	// FailInfo holds the PKIFailureInfo bits (1<<FailBadAlg …), 0 if absent.
	FailInfo uint64
	// Token is the TimeStampToken DER, nil when absent.
	Token []byte
}

// Marshal encodes the response as DER.
func (s *TimestampResponse) Marshal() ([]byte, error) {
	status := [][]byte{smallInt(s.Status)}
	if len(s.StatusStrings) > 0 {
		var texts [][]byte
		for _, t := range s.StatusStrings {
			texts = append(texts, appendTLV(nil, classUniversal, false, tagUTF8String, []byte(t)))
		}
		status = append(status, seq(texts...))
	}
	if s.FailInfo != 0 {
		status = append(status, bitString(s.FailInfo))
	}
	parts := [][]byte{seq(status...)}
	if s.Token != nil {
		parts = append(parts, s.Token)
	}
	return seq(parts...), nil
}

// bitString encodes the named-bit BIT STRING with the given bits (bit 0 is
// the most significant bit of the first byte), trailing zero bits removed.
func bitString(bits uint64) []byte {
	last := 63
	for last > 0 && bits&(1<<uint(last)) == 0 {
		last--
	}
	n := last/8 + 1
	b := make([]byte, n)
	for i := 0; i <= last; i++ {
		if bits&(1<<uint(i)) != 0 {
			b[i/8] |= 0x80 >> uint(i%8)
		}
	}
	unused := 7 - last%8
	return appendTLV(nil, classUniversal, false, tagBitString, append([]byte{byte(unused)}, b...))
}

// ParseTimestampResponse parses a TimeStampResp. The token, when present,
// is returned normalised to DER but not parsed.
func ParseTimestampResponse(der []byte) (*TimestampResponse, error) {
	norm, err := toDER(der)
	if err != nil {
		return nil, fmt.Errorf("timestamp response: %w", err)
	}
	e, err := expect(norm, classUniversal, tagSequence, "timestamp response")
	if err != nil {
		return nil, err
	}
	r := reader{e.body}
	se, err := r.read(classUniversal, tagSequence, "timestamp response status")
	if err != nil {
		return nil, err
	}
	s := &TimestampResponse{}
	sr := reader{se.body}
	st, err := sr.read(classUniversal, tagInteger, "timestamp response status")
	if err != nil {
		return nil, err
	}
	if s.Status, err = parseSmallInt(st, "timestamp response status"); err != nil {
		return nil, err
	}
	if te, ok := sr.optional(classUniversal, tagSequence); ok {
		texts, err := items(te.body, "timestamp response status text")
		if err != nil {
			return nil, err
		}
		for _, t := range texts {
			s.StatusStrings = append(s.StatusStrings, string(t.body))
		}
	}
	if fe, ok := sr.optional(classUniversal, tagBitString); ok && len(fe.body) > 1 {
		for i, c := range fe.body[1:] {
			for j := 0; j < 8 && i*8+j < 64; j++ {
				if c&(0x80>>uint(j)) != 0 {
					s.FailInfo |= 1 << uint(i*8+j)
				}
			}
		}
	}
	if te, ok := r.optional(classUniversal, tagSequence); ok {
		s.Token = te.full
	}
	if !r.empty() {
		return nil, errors.New("timestamp response: trailing data")
	}
	return s, nil
}

// FailureNames lists the names of the failure bits set, e.g. ["badAlg"].
func (s *TimestampResponse) FailureNames() []string {
	var names []string
	for i := 0; i < 64; i++ {
		if s.FailInfo&(1<<uint(i)) == 0 {
			continue
		}
		if n, ok := failNames[i]; ok {
			names = append(names, n)
		} else {
			names = append(names, fmt.Sprintf("bit%d", i))
		}
	}
	return names
}

// imprintMatches reports whether the token covers digest under h.
func (t *Timestamp) imprintMatches(digest []byte, h crypto.Hash) bool {
	return t.Hash == h && bytes.Equal(t.HashedMessage, digest)
}
