package cms

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"time"
)

// Profile selects the signed attributes of a PDF signature.
type Profile int

const (
	// PAdES is ETSI.CAdES.detached (PAdES baseline): signed attributes
	// contentType, messageDigest and signing-certificate-v2; no signingTime,
	// the PDF's /M holds the claimed time.
	PAdES Profile = iota
	// PKCS7 is the adbe.pkcs7.detached compatibility profile: contentType,
	// messageDigest, signingTime and signing-certificate-v2.
	PKCS7
)

func (p Profile) String() string {
	switch p {
	case PAdES:
		return "PAdES"
	case PKCS7:
		return "PKCS7"
	}
	return fmt.Sprintf("Profile(%d)", int(p))
}

// SignOptions configures SignDetached and SignEncapsulated.
type SignOptions struct {
	// Signer makes the signature, typically a PKCS#11 token key. It is
	// called exactly once per signing call, and not at all when the options
	// are invalid.
	Signer crypto.Signer
	// Certificate is the signer's certificate; its public key must be the
	// Signer's.
	Certificate *x509.Certificate
	// Chain holds the intermediates to embed next to Certificate.
	Chain []*x509.Certificate
	// Hash is SHA-256 (default), SHA-384 or SHA-512. SHA-1 is refused.
	Hash crypto.Hash
	// Profile chooses the signed attributes.
	Profile Profile
	// SigningTime is the signingTime attribute of the PKCS7 profile; zero
	// means now. PAdES ignores it.
	SigningTime time.Time
	// PSS signs with RSASSA-PSS (salt length = hash length) instead of
	// PKCS#1 v1.5. RSA keys only.
	PSS bool
	// Timestamper, if set, adds an RFC 3161 signature timestamp over the
	// signature value (id-aa-signatureTimeStampToken, unsigned attribute).
	Timestamper Timestamper
	// OmitCertificates leaves the certificates out of the SignedData (an
	// RFC 3161 token answering a request with certReq false).
	OmitCertificates bool
}

// plan is everything about a signature that does not need the signer.
type plan struct {
	hash        crypto.Hash
	digestAlgID []byte
	sigAlgID    []byte
	scheme      scheme
	signerOpts  crypto.SignerOpts
	maxSigLen   int
	sid         []byte
	certs       []byte // [0] IMPLICIT CertificateSet, nil if omitted
	essAttr     []byte
	profile     Profile
}

func newPlan(o *SignOptions) (*plan, error) {
	if o.Certificate == nil {
		return nil, errors.New("cms: no signer certificate")
	}
	if len(o.Certificate.Raw) == 0 || len(o.Certificate.RawIssuer) == 0 || o.Certificate.SerialNumber == nil {
		return nil, errors.New("cms: signer certificate was not parsed from DER")
	}
	p := &plan{hash: o.Hash, profile: o.Profile}
	if p.hash == 0 {
		p.hash = crypto.SHA256
	}
	switch p.hash {
	case crypto.SHA256, crypto.SHA384, crypto.SHA512:
	case crypto.SHA1, crypto.MD5:
		return nil, fmt.Errorf("cms: %v is not allowed for new signatures", p.hash)
	default:
		return nil, fmt.Errorf("cms: unsupported hash %v", hashName(p.hash))
	}
	if o.Profile != PAdES && o.Profile != PKCS7 {
		return nil, fmt.Errorf("cms: unknown profile %v", o.Profile)
	}
	var err error
	if p.digestAlgID, err = digestAlgorithmID(p.hash); err != nil {
		return nil, fmt.Errorf("cms: %w", err)
	}
	hashOID, _ := oidForHash(p.hash)
	hashAlg := seq(oid(hashOID), derNull)

	switch k := o.Certificate.PublicKey.(type) {
	case *rsa.PublicKey:
		p.maxSigLen = k.Size()
		if o.PSS {
			params := seq(
				explicit(0, hashAlg),
				explicit(1, seq(oid(oidMGF1), hashAlg)),
				explicit(2, smallInt(p.hash.Size())),
			)
			p.sigAlgID = seq(oid(oidRSAPSS), params)
			p.scheme = scheme{kind: sigRSAPSS, name: "RSA-PSS", hash: p.hash, salt: p.hash.Size()}
			p.signerOpts = &rsa.PSSOptions{SaltLength: p.hash.Size(), Hash: p.hash}
		} else {
			p.sigAlgID = seq(oid(oidRSAEncryption), derNull)
			p.scheme = scheme{kind: sigRSA, name: "RSA"}
			p.signerOpts = p.hash
		}
	case *ecdsa.PublicKey:
		if o.PSS {
			return nil, errors.New("cms: PSS needs an RSA key")
		}
		var so asn1.ObjectIdentifier
		for _, a := range sigAlgs {
			if a.kind == sigECDSA && a.hash == p.hash {
				so = a.oid
				break
			}
		}
		p.sigAlgID = seq(oid(so))
		p.scheme = scheme{kind: sigECDSA, name: "ECDSA"}
		p.signerOpts = p.hash
		n := (k.Curve.Params().N.BitLen() + 7) / 8
		p.maxSigLen = tlvLen(2 * tlvLen(n+1)) // SEQUENCE of two INTEGERs, each possibly with a leading zero
	default:
		return nil, fmt.Errorf("cms: unsupported key type %T", o.Certificate.PublicKey)
	}

	c := o.Certificate
	p.sid = seq(c.RawIssuer, integer(c.SerialNumber))
	if !o.OmitCertificates {
		list := [][]byte{c.Raw}
		for _, ch := range o.Chain {
			if ch == nil {
				continue
			}
			dup := false
			for _, have := range list {
				if bytes.Equal(have, ch.Raw) {
					dup = true
				}
			}
			if !dup {
				list = append(list, ch.Raw)
			}
		}
		p.certs = implicit(0, set(list...))
	}
	// ESSCertIDv2 with the SHA-256 hash of the certificate; the
	// hashAlgorithm is the DEFAULT (SHA-256) and so omitted in DER.
	certHash := sha256.Sum256(c.Raw)
	issuerSerial := seq(seq(explicit(4, c.RawIssuer)), integer(c.SerialNumber))
	p.essAttr = attribute(OIDAttrSigningCertificateV2, seq(seq(seq(octets(certHash[:]), issuerSerial))))
	return p, nil
}

func attribute(t asn1.ObjectIdentifier, values ...[]byte) []byte {
	return seq(oid(t), set(values...))
}

// signedAttrs encodes the signed attributes as a DER SET.
func (p *plan) signedAttrs(contentType asn1.ObjectIdentifier, digest []byte, signingTime time.Time) []byte {
	attrs := [][]byte{
		attribute(OIDAttrContentType, oid(contentType)),
		attribute(OIDAttrMessageDigest, octets(digest)),
		p.essAttr,
	}
	if p.profile == PKCS7 {
		attrs = append(attrs, attribute(OIDAttrSigningTime, signingTimeValue(signingTime)))
	}
	return set(attrs...)
}

// assemble encodes the ContentInfo.
func (p *plan) assemble(contentType asn1.ObjectIdentifier, content, signedAttrs, sig, unsignedAttrs []byte) []byte {
	siParts := [][]byte{smallInt(1), p.sid, p.digestAlgID, implicit(0, signedAttrs), p.sigAlgID, octets(sig)}
	if unsignedAttrs != nil {
		siParts = append(siParts, implicit(1, unsignedAttrs))
	}
	signerInfo := seq(siParts...)

	encap := seq(oid(contentType))
	version := 1
	if content != nil {
		encap = seq(oid(contentType), explicit(0, octets(content)))
	}
	if !contentType.Equal(OIDData) {
		version = 3
	}
	sdParts := [][]byte{smallInt(version), set(p.digestAlgID), encap}
	if p.certs != nil {
		sdParts = append(sdParts, p.certs)
	}
	sdParts = append(sdParts, set(signerInfo))
	return seq(oid(OIDSignedData), explicit(0, seq(sdParts...)))
}

// SignDetached builds a DER ContentInfo(SignedData) for detached content
// (a PDF's byte ranges) whose digest under o.Hash is given. It calls
// o.Signer exactly once, after validating the options, and checks the
// signature it gets against the certificate. With o.Timestamper set it
// then asks for a timestamp over the signature value; if that fails the
// error is returned and the signature is discarded: the signer is never
// called again. Errors from the Signer are wrapped (errors.Is works).
func SignDetached(ctx context.Context, digest []byte, o SignOptions) ([]byte, error) {
	return sign(ctx, OIDData, nil, digest, o)
}

// SignEncapsulated is SignDetached for content carried inside the
// SignedData, as an RFC 3161 TimeStampToken carries its TSTInfo
// (contentType OIDTSTInfo). The content is hashed with o.Hash here.
func SignEncapsulated(ctx context.Context, contentType asn1.ObjectIdentifier, content []byte, o SignOptions) ([]byte, error) {
	if content == nil {
		content = []byte{}
	}
	h := o.Hash
	if h == 0 {
		h = crypto.SHA256
	}
	if !h.Available() {
		return nil, fmt.Errorf("cms: unsupported hash %v", hashName(h))
	}
	hh := h.New()
	hh.Write(content)
	return sign(ctx, contentType, content, hh.Sum(nil), o)
}

func sign(ctx context.Context, contentType asn1.ObjectIdentifier, content, digest []byte, o SignOptions) ([]byte, error) {
	p, err := newPlan(&o)
	if err != nil {
		return nil, err
	}
	if !validOID(contentType) {
		return nil, fmt.Errorf("cms: invalid content type %v", contentType)
	}
	if o.Signer == nil {
		return nil, errors.New("cms: no signer")
	}
	if len(digest) != p.hash.Size() {
		return nil, fmt.Errorf("cms: digest is %d bytes, %v needs %d", len(digest), p.hash, p.hash.Size())
	}
	if k, ok := o.Signer.Public().(interface{ Equal(crypto.PublicKey) bool }); ok && !k.Equal(o.Certificate.PublicKey) {
		return nil, errors.New("cms: the signer's key is not the certificate's key")
	}
	st := o.SigningTime
	if st.IsZero() {
		st = time.Now()
	}
	signedAttrs := p.signedAttrs(contentType, digest, st)
	h := p.hash.New()
	h.Write(signedAttrs)
	d := h.Sum(nil)
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("cms: sign: %w", err)
	}
	sig, err := o.Signer.Sign(rand.Reader, d, p.signerOpts)
	if err != nil {
		return nil, fmt.Errorf("cms: sign: %w", err)
	}
	if err := verifyDigest(p.scheme, p.hash, o.Certificate.PublicKey, d, sig); err != nil {
		return nil, fmt.Errorf("cms: the signer's signature does not verify with the certificate: %w", err)
	}
	if len(sig) > p.maxSigLen {
		return nil, fmt.Errorf("cms: signature is %d bytes, more than the %d the key allows", len(sig), p.maxSigLen)
	}

	var unsigned []byte
	if o.Timestamper != nil {
		th := p.hash.New()
		th.Write(sig)
		imprint := th.Sum(nil)
		tok, err := o.Timestamper.Timestamp(ctx, imprint, p.hash)
		if err != nil {
			var te *TSAError
			if errors.As(err, &te) {
				return nil, fmt.Errorf("cms: %w", err)
			}
			return nil, fmt.Errorf("cms: timestamp: %w", err)
		}
		ts, err := ParseTimestampToken(tok)
		if err != nil {
			return nil, fmt.Errorf("cms: timestamp token: %w", err)
		}
		if ts.Hash != p.hash || !bytes.Equal(ts.HashedMessage, imprint) {
			return nil, errors.New("cms: timestamp token covers another value than the signature")
		}
		unsigned = set(attribute(OIDAttrTimestampToken, ts.Raw))
	}
	return p.assemble(contentType, content, signedAttrs, sig, unsigned), nil
}

// EstimateSize returns an upper bound of the length of SignDetached's
// output for o, without calling the signer or a timestamp authority.
// timestampSize is the DER size of the timestamp token that will be
// embedded (0: none); see TSAClient.ProbeSize. The signature size comes
// from the certificate's public key (RSA modulus length, largest ECDSA DER
// encoding). It returns 0 when o cannot be signed with; SignDetached then
// says why.
func EstimateSize(o SignOptions, timestampSize int) int {
	p, err := newPlan(&o)
	if err != nil {
		return 0
	}
	// A 2050 time takes the longer GeneralizedTime form.
	signedAttrs := p.signedAttrs(OIDData, make([]byte, p.hash.Size()), time.Date(2050, 12, 31, 23, 59, 59, 0, time.UTC))
	var unsigned []byte
	if timestampSize > 0 {
		unsigned = set(attribute(OIDAttrTimestampToken, make([]byte, timestampSize)))
	}
	return len(p.assemble(OIDData, nil, signedAttrs, make([]byte, p.maxSigLen), unsigned))
}
