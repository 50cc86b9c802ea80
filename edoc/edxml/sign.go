package edxml

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	_ "crypto/sha1" // RSA-SHA1 and SHA-1 digests of old messages
	"crypto/sha256"
	_ "crypto/sha512"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"fmt"
	"hash"
	"io"
	"math/big"
	"os"
	"strings"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/russellhaering/goxmldsig/etreeutils"
)

// The XML signature of a message, as the SDK's messages carry it:
// enveloped XMLDSig in edXMLHeader, one Reference with URI="" (the whole
// message, attachments included) and the transforms enveloped-signature
// then C14N 1.0 (inclusive, 20010315), SignedInfo canonicalised with
// C14N 1.0 too, the signer's certificate in KeyInfo/X509Data. We sign
// with RSA-SHA256 (ECDSA-SHA256 for an EC key) and SHA-256 digests;
// Verify also takes RSA-SHA1 and SHA-1 (old messages), exclusive C14N,
// and SHA-512. Canonicalisation is goxmldsig's; the attachments' base64,
// which the skeleton holds as placeholders, is hashed from the spools
// in its place (base64 text is the same in canonical form).

const (
	algC14N10      = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
	algC14N10Com   = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments"
	algExcC14N     = "http://www.w3.org/2001/10/xml-exc-c14n#"
	algExcC14NCom  = "http://www.w3.org/2001/10/xml-exc-c14n#WithComments"
	algExcC14NMis  = "http://www.w3.org/TR/xml-exc-c14n#" // the SDK samples' spelling of exc-c14n
	algEnveloped   = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
	algSHA1        = "http://www.w3.org/2000/09/xmldsig#sha1"
	algSHA256      = "http://www.w3.org/2001/04/xmlenc#sha256"
	algSHA512      = "http://www.w3.org/2001/04/xmlenc#sha512"
	algRSASHA1     = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
	algRSASHA256   = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
	algRSASHA512   = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512"
	algECDSASHA256 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
	sigDigestMark  = "EDXMLDIGESTVALUE"
	sigValueMark   = "EDXMLSIGNATUREVALUE"
)

func sigError(vi, en string, cause error) error {
	return newError(ErrSignature, "Signature", vi, en, cause)
}

// signatureTemplate adds the Signature element to edXMLHeader, with
// marks where the digest and the signature value go.
func signatureTemplate(hdr *node, nonce string, o WriteOptions) error {
	if o.Certificate == nil {
		return sigError("cần chứng thư số của người ký", "the signer's certificate is needed", nil)
	}
	method := ""
	switch o.Signer.Public().(type) {
	case *rsa.PublicKey:
		method = algRSASHA256
	case *ecdsa.PublicKey:
		method = algECDSASHA256
	default:
		return sigError("loại khóa không hỗ trợ (cần RSA hoặc ECDSA)", "unsupported key type (RSA or ECDSA needed)", nil)
	}
	hdr.indent(hdr.depth + 1)
	sig := hdr.el.CreateElement("Signature")
	sig.CreateAttr("xmlns", dsig.Namespace)
	ind := func(e *etree.Element, d int) { e.CreateText("\n" + strings.Repeat("  ", hdr.depth+1+d)) }
	ind(sig, 1)
	si := sig.CreateElement("SignedInfo")
	ind(si, 2)
	si.CreateElement("CanonicalizationMethod").CreateAttr("Algorithm", algC14N10)
	ind(si, 2)
	si.CreateElement("SignatureMethod").CreateAttr("Algorithm", method)
	ind(si, 2)
	ref := si.CreateElement("Reference")
	ref.CreateAttr("URI", "")
	ind(ref, 3)
	tr := ref.CreateElement("Transforms")
	ind(tr, 4)
	tr.CreateElement("Transform").CreateAttr("Algorithm", algEnveloped)
	ind(tr, 4)
	tr.CreateElement("Transform").CreateAttr("Algorithm", algC14N10)
	ind(tr, 3)
	ind(ref, 3)
	ref.CreateElement("DigestMethod").CreateAttr("Algorithm", algSHA256)
	ind(ref, 3)
	ref.CreateElement("DigestValue").SetText(sigDigestMark + nonce)
	ind(ref, 2)
	ind(si, 1)
	ind(sig, 1)
	sig.CreateElement("SignatureValue").SetText(sigValueMark + nonce)
	ind(sig, 1)
	ki := sig.CreateElement("KeyInfo")
	ind(ki, 2)
	xd := ki.CreateElement("X509Data")
	for _, c := range append([]*x509.Certificate{o.Certificate}, o.Chain...) {
		ind(xd, 3)
		xd.CreateElement("X509Certificate").SetText(base64.StdEncoding.EncodeToString(c.Raw))
	}
	ind(xd, 2)
	ind(ki, 1)
	ind(sig, 0)
	return nil
}

// sign fills the digest and signature value into skel.
func sign(skel []byte, nonce string, spools []*spool, o WriteOptions) ([]byte, error) {
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(skel); err != nil {
		return nil, err
	}
	sig := findSignature(doc.Root())
	if sig == nil {
		return nil, sigError("không tạo được chữ ký", "the signature could not be made", nil)
	}
	digest, err := referenceDigest(doc.Root(), sig, algC14N10, crypto.SHA256, nonce, spools)
	if err != nil {
		return nil, err
	}
	skel = bytes.Replace(skel, []byte(sigDigestMark+nonce), []byte(base64.StdEncoding.EncodeToString(digest)), 1)
	doc = etree.NewDocument()
	if err := doc.ReadFromBytes(skel); err != nil {
		return nil, err
	}
	sig = findSignature(doc.Root())
	signed, err := canonicalSignedInfo(sig, algC14N10)
	if err != nil {
		return nil, err
	}
	h := sha256.Sum256(signed)
	value, err := o.Signer.Sign(rand.Reader, h[:], crypto.SHA256)
	if err != nil {
		return nil, err
	}
	if pub, ok := o.Signer.Public().(*ecdsa.PublicKey); ok {
		if value, err = ecdsaRaw(value, (pub.Curve.Params().BitSize+7)/8); err != nil {
			return nil, err
		}
	}
	return bytes.Replace(skel, []byte(sigValueMark+nonce), []byte(base64.StdEncoding.EncodeToString(value)), 1), nil
}

// ecdsaRaw turns an ASN.1 ECDSA signature into XMLDSig's r‖s.
func ecdsaRaw(der []byte, size int) ([]byte, error) {
	var rs struct{ R, S *big.Int }
	if _, err := asn1.Unmarshal(der, &rs); err != nil {
		return nil, err
	}
	out := make([]byte, 2*size)
	rs.R.FillBytes(out[:size])
	rs.S.FillBytes(out[size:])
	return out, nil
}

// findSignature is the Signature element of edXMLHeader (any namespace:
// Verify checks it).
func findSignature(root *etree.Element) *etree.Element {
	if root == nil {
		return nil
	}
	// The first envelope's first header, as Read maps it.
	if env := root.SelectElement("edXMLEnvelope"); env != nil {
		if hdr := env.SelectElement("edXMLHeader"); hdr != nil {
			return hdr.SelectElement("Signature")
		}
	}
	return nil
}

func canonicalizer(alg string) (dsig.Canonicalizer, bool) {
	switch alg {
	case algC14N10:
		return dsig.MakeC14N10RecCanonicalizer(), true
	case algC14N10Com:
		return dsig.MakeC14N10WithCommentsCanonicalizer(), true
	case algExcC14N, algExcC14NMis:
		return dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList(""), true
	case algExcC14NCom:
		return dsig.MakeC14N10ExclusiveWithCommentsCanonicalizerWithPrefixList(""), true
	}
	return nil, false
}

// referenceDigest is the digest of the message without the signature
// sig (the enveloped-signature transform), canonicalised with alg, the
// attachments' text hashed from the spools.
func referenceDigest(root, sig *etree.Element, alg string, hf crypto.Hash, nonce string, spools []*spool) ([]byte, error) {
	c, ok := canonicalizer(alg)
	if !ok {
		return nil, sigError("thuật toán chuẩn hóa không hỗ trợ: "+alg, "unsupported canonicalization: "+alg, nil)
	}
	parent := sig.Parent()
	at := sig.Index()
	parent.RemoveChildAt(at)
	data, err := c.Canonicalize(root.Copy())
	parent.InsertChildAt(at, sig)
	if err != nil {
		return nil, sigError("không chuẩn hóa được thông điệp", "the message cannot be canonicalized", err)
	}
	h := hf.New()
	if err := eachPart(data, nonce, len(spools), func(text []byte, sp int) error {
		h.Write(text)
		if sp < 0 {
			return nil
		}
		return hashSpool(h, spools[sp])
	}); err != nil {
		return nil, err
	}
	return h.Sum(nil), nil
}

func hashSpool(h hash.Hash, sp *spool) error {
	f, err := os.Open(sp.path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(h, f)
	return err
}

// canonicalSignedInfo is the canonical form of sig's SignedInfo, in
// its place (inclusive C14N takes the namespaces in scope).
func canonicalSignedInfo(sig *etree.Element, alg string) ([]byte, error) {
	si := sig.SelectElement("SignedInfo")
	if si == nil {
		return nil, sigError("chữ ký thiếu SignedInfo", "the signature has no SignedInfo", nil)
	}
	switch alg {
	case algExcC14N, algExcC14NCom, algExcC14NMis:
		ctx, err := etreeutils.NSBuildParentContext(si)
		if err != nil {
			return nil, sigError("không chuẩn hóa được SignedInfo", "SignedInfo cannot be canonicalized", err)
		}
		detached, err := etreeutils.NSDetatch(ctx, si)
		if err != nil {
			return nil, sigError("không chuẩn hóa được SignedInfo", "SignedInfo cannot be canonicalized", err)
		}
		c, _ := canonicalizer(alg)
		return c.Canonicalize(detached)
	}
	c, ok := canonicalizer(alg)
	if !ok {
		return nil, sigError("thuật toán chuẩn hóa không hỗ trợ: "+alg, "unsupported canonicalization: "+alg, nil)
	}
	return c.Canonicalize(si)
}

func digestHash(alg string) (crypto.Hash, bool) {
	switch alg {
	case algSHA1:
		return crypto.SHA1, true
	case algSHA256:
		return crypto.SHA256, true
	case algSHA512:
		return crypto.SHA512, true
	}
	return 0, false
}

// Verify checks the message's XML signature and returns the signer's
// certificate (the one of KeyInfo whose key verifies it). It checks the
// signature's integrity over the whole message as read, attachments
// included; it does not judge the certificate (path, validity,
// revocation: the caller's trust policy). Errors: *Error with
// ErrUnsigned, or ErrSignature saying what does not match.
func (m *Message) Verify() (*x509.Certificate, error) {
	if m.skeleton == nil {
		return nil, newError(ErrUnsigned, "", "chỉ kiểm tra được chữ ký của thông điệp đã đọc", "only a message read can have its signature checked", nil)
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(m.skeleton); err != nil {
		return nil, newError(ErrMalformed, "", "thông điệp không phải XML hợp lệ", "the message is not well-formed XML", err)
	}
	nonce := m.nonce
	sig := findSignature(doc.Root())
	if sig == nil {
		return nil, newError(ErrUnsigned, "", "thông điệp không có chữ ký số XML", "the message carries no XML signature", nil)
	}
	if sig.NamespaceURI() != dsig.Namespace {
		return nil, sigError("phần tử Signature không thuộc không gian tên XMLDSig ("+dsig.Namespace+"): không phải chữ ký kiểm tra được",
			"the Signature element is not in the XMLDSig namespace ("+dsig.Namespace+"): not a verifiable signature", ErrNotXMLDSig)
	}
	si := sig.SelectElement("SignedInfo")
	if si == nil {
		return nil, sigError("chữ ký thiếu SignedInfo", "the signature has no SignedInfo", nil)
	}
	c14n := attrOf(si.SelectElement("CanonicalizationMethod"))
	method := attrOf(si.SelectElement("SignatureMethod"))
	refs := si.SelectElements("Reference")
	if len(refs) != 1 {
		return nil, sigError(fmt.Sprintf("chữ ký phải có đúng một Reference (có %d)", len(refs)), fmt.Sprintf("the signature must have exactly one Reference (it has %d)", len(refs)), nil)
	}
	ref := refs[0]
	if uri := ref.SelectAttr("URI"); uri == nil || uri.Value != "" {
		return nil, sigError(`Reference phải là URI="" (cả thông điệp)`, `the Reference must be URI="" (the whole message)`, nil)
	}
	refC14N, enveloped := algC14N10, false
	if tr := ref.SelectElement("Transforms"); tr != nil {
		for i, t := range tr.SelectElements("Transform") {
			a := attrOf(t)
			switch {
			case a == algEnveloped && i == 0:
				enveloped = true
			case i > 0 && isCanonicalization(a):
				refC14N = a
			default:
				return nil, sigError("phép biến đổi không hỗ trợ: "+a, "unsupported transform: "+a, nil)
			}
		}
	}
	if !enveloped {
		return nil, sigError("chữ ký thiếu phép biến đổi enveloped-signature", "the signature lacks the enveloped-signature transform", nil)
	}
	dh, ok := digestHash(attrOf(ref.SelectElement("DigestMethod")))
	if !ok {
		return nil, sigError("thuật toán băm không hỗ trợ: "+attrOf(ref.SelectElement("DigestMethod")), "unsupported digest: "+attrOf(ref.SelectElement("DigestMethod")), nil)
	}
	want, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(textOf(ref.SelectElement("DigestValue"))), ""))
	if err != nil {
		return nil, sigError("DigestValue không phải base64", "DigestValue is not base64", err)
	}
	got, err := referenceDigest(doc.Root(), sig, refC14N, dh, nonce, m.spools)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(got, want) {
		return nil, sigError("giá trị băm (DigestValue) không khớp: nội dung thông điệp đã bị thay đổi sau khi ký", "the digest (DigestValue) does not match: the message was changed after signing", nil)
	}
	signed, err := canonicalSignedInfo(sig, c14n)
	if err != nil {
		return nil, err
	}
	value, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(textOf(sig.SelectElement("SignatureValue"))), ""))
	if err != nil {
		return nil, sigError("SignatureValue không phải base64", "SignatureValue is not base64", err)
	}
	certs := keyInfoCerts(sig)
	if len(certs) == 0 {
		return nil, sigError("chữ ký không kèm chứng thư số (KeyInfo/X509Data/X509Certificate)", "the signature carries no certificate (KeyInfo/X509Data/X509Certificate)", nil)
	}
	var last error
	for _, c := range certs {
		if last = checkValue(c.PublicKey, method, signed, value); last == nil {
			return c, nil
		}
	}
	return nil, last
}

// SignatureCertificates are the certificates the message's signature
// carries in KeyInfo (the signer's and its CAs'), for building the
// signer's path; nil when unsigned.
func (m *Message) SignatureCertificates() []*x509.Certificate {
	doc := etree.NewDocument()
	if m.skeleton == nil || doc.ReadFromBytes(m.skeleton) != nil {
		return nil
	}
	if sig := findSignature(doc.Root()); sig != nil {
		return keyInfoCerts(sig)
	}
	return nil
}

func isCanonicalization(a string) bool { _, ok := canonicalizer(a); return ok }

func attrOf(el *etree.Element) string {
	if el == nil {
		return ""
	}
	return el.SelectAttrValue("Algorithm", "")
}

func textOf(el *etree.Element) string {
	if el == nil {
		return ""
	}
	return el.Text()
}

func keyInfoCerts(sig *etree.Element) []*x509.Certificate {
	var out []*x509.Certificate
	ki := sig.SelectElement("KeyInfo")
	if ki == nil {
		return nil
	}
	for _, xd := range ki.SelectElements("X509Data") {
		for _, xc := range xd.SelectElements("X509Certificate") {
			der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(xc.Text()), ""))
			if err != nil {
				continue
			}
			if c, err := x509.ParseCertificate(der); err == nil {
				out = append(out, c)
			}
		}
	}
	return out
}

// checkValue verifies an XMLDSig signature value over signed.
func checkValue(pub any, method string, signed, value []byte) error {
	var hf crypto.Hash
	switch method {
	case algRSASHA1:
		hf = crypto.SHA1
	case algRSASHA256, algECDSASHA256:
		hf = crypto.SHA256
	case algRSASHA512:
		hf = crypto.SHA512
	default:
		return sigError("thuật toán ký không hỗ trợ: "+method, "unsupported signature method: "+method, nil)
	}
	h := hf.New()
	h.Write(signed)
	sum := h.Sum(nil)
	bad := sigError("giá trị chữ ký (SignatureValue) không khớp với chứng thư số: thông điệp đã bị thay đổi hoặc không do người này ký",
		"the signature value (SignatureValue) does not match the certificate: the message was changed or not signed by its holder", nil)
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if method == algECDSASHA256 {
			return bad
		}
		if rsa.VerifyPKCS1v15(k, hf, sum, value) != nil {
			return bad
		}
		return nil
	case *ecdsa.PublicKey:
		size := (k.Curve.Params().BitSize + 7) / 8
		if method != algECDSASHA256 || len(value) != 2*size {
			return bad
		}
		r, s := new(big.Int).SetBytes(value[:size]), new(big.Int).SetBytes(value[size:])
		if !ecdsa.Verify(k, sum, r, s) {
			return bad
		}
		return nil
	}
	return sigError("loại khóa của chứng thư số không hỗ trợ", "the certificate's key type is not supported", nil)
}
