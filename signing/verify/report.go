package verify

import (
	"context"
	"crypto/x509"
	"time"

	"github.com/vanthuso/vanthu/signing/revocation"
)

// Verdicts of a signature and of a document.
const (
	Valid         = "valid"
	Invalid       = "invalid"
	Indeterminate = "indeterminate"
)

// Integrity values.
const (
	IntegrityOK     = "ok"
	IntegrityBroken = "broken"
	// IntegrityUnverified: the signed bytes match the message digest but the
	// signature value could not be checked (the signer's certificate uses an
	// algorithm this verifier cannot read). The verdict is indeterminate.
	IntegrityUnverified = "unverified"
)

// Coverage values.
const (
	// CoverageWholeRevision: the signature covers a whole revision of the
	// file (the whole file, or a revision followed by later updates).
	CoverageWholeRevision = "whole-revision"
	// CoveragePartial: the signed bytes end inside a revision.
	CoveragePartial = "partial"
	// CoverageBroken: /ByteRange is malformed, out of the file, or its gap is
	// not exactly this signature's /Contents.
	CoverageBroken = "broken"
)

// Trust values.
const (
	TrustTrusted   = "trusted"
	TrustUntrusted = "untrusted"
	TrustUnknown   = "unknown" // no anchors configured, or no signer certificate
)

// Levels.
const (
	LevelBB     = "B-B"
	LevelBT     = "B-T"
	LevelBLT    = "B-LT"
	LevelBLTA   = "B-LTA"
	LevelLegacy = "legacy" // adbe.pkcs7.detached, adbe.pkcs7.sha1
)

// Report is the result of VerifyFile.
type Report struct {
	// Verdict is invalid if any signature is invalid, indeterminate if any is
	// indeterminate (or there is none), else valid.
	Verdict    string      `json:"verdict"`
	Signatures []Signature `json:"signatures"`
	// Reasons concern the document as a whole (unreadable, unsigned).
	Reasons []Reason `json:"reasons,omitempty"`
	// Revisions counts the revisions of the file (%%EOF markers).
	Revisions int `json:"revisions"`
}

// Reason explains a verdict, in Vietnamese and in English. Code is stable and
// meant for programs (e.g. "digest-mismatch").
type Reason struct {
	Code string `json:"code"`
	VI   string `json:"vi"`
	EN   string `json:"en"`
}

// Change is one difference between the signed revision and the final
// document.
type Change struct {
	// Kind names what changed: "page-content", "page-resources", "pages",
	// "annotation", "widget", "form-field", "signature-field",
	// "signature-dict", "catalog", "acroform", "dss", "object", ...
	Kind string `json:"kind"`
	Page int    `json:"page,omitempty"` // 1-based; 0 when not tied to a page
	// PageObject is the object number of that page's dictionary in the
	// signed revision.
	PageObject int    `json:"page_object,omitempty"`
	Object     int    `json:"object,omitempty"` // the object that changed
	Detail     string `json:"detail,omitempty"`
	Allowed    bool   `json:"allowed"`
}

// Signer identifies the signing certificate.
type Signer struct {
	Subject string `json:"subject"`
	Issuer  string `json:"issuer"`
	Serial  string `json:"serial"` // hexadecimal
	SHA256  string `json:"sha256"` // of the certificate DER, hexadecimal
	// Name is the subject's common name (the person or the agency),
	// Organization and Unit its O and OU, IssuerName the issuer's common
	// name: what a person reads.
	Name         string `json:"name,omitempty"`
	Organization string `json:"organization,omitempty"`
	Unit         string `json:"unit,omitempty"`
	IssuerName   string `json:"issuer_name,omitempty"`
}

// RevocationStatus is the revocation part of a Signature.
type RevocationStatus struct {
	Status string `json:"status"` // good, revoked, unknown
	// Source says where the deciding answer came from: dss, adbe, cms,
	// online-ocsp, online-crl, cache; none when nothing decided or no
	// checker is configured.
	Source    string    `json:"source"`
	Method    string    `json:"method,omitempty"` // ocsp or crl
	RevokedAt time.Time `json:"revoked_at,omitzero"`
	Reason    string    `json:"reason,omitempty"`
	// Problem says why the status is unknown, or notes something about a
	// decided one (revoked after signing).
	Problem string `json:"problem,omitempty"`
}

// Signature is the verification result of one signature field or document
// timestamp.
type Signature struct {
	Field                string           `json:"field"`
	Verdict              string           `json:"verdict"`
	Integrity            string           `json:"integrity"`
	Coverage             string           `json:"coverage"`
	ByteRange            []int64          `json:"byte_range,omitempty"`
	ModifiedAfterSigning bool             `json:"modified_after_signing"`
	Changes              []Change         `json:"changes,omitempty"`
	Signer               Signer           `json:"signer"`
	Trust                string           `json:"trust"`
	Revocation           RevocationStatus `json:"revocation"`
	SigningTime          time.Time        `json:"signing_time,omitzero"`
	ProvenByTimestamp    bool             `json:"proven_by_timestamp"`
	Level                string           `json:"level,omitempty"`
	SubFilter            string           `json:"sub_filter"`
	IsDocumentTimestamp  bool             `json:"is_document_timestamp"`
	// DocMDP is the /P of a certification signature (1, 2, 3), 0 otherwise.
	DocMDP  int      `json:"docmdp,omitempty"`
	Reasons []Reason `json:"reasons,omitempty"`

	sigRef    int   // object number of the signature dictionary
	signedEnd int64 // b+c
}

// RevocationChecker decides whether cert (issued by issuer) was revoked at
// time at, from the evidence the document carries (DSS, the Adobe
// revocation attribute, the CMS revocation data; in that order) and, as it
// is configured, online. *revocation.Checker is the implementation; tests
// of verdict logic may use a fake. Implementations must be safe for
// concurrent use.
type RevocationChecker interface {
	Check(ctx context.Context, cert, issuer *x509.Certificate, at time.Time, evidence ...revocation.Evidence) revocation.Result
}

// Options configures VerifyFile. The zero value verifies integrity, coverage
// and changes; trust comes out unknown and revocation unknown.
type Options struct {
	// Roots are the trust anchors; nil means trust is "unknown".
	Roots *x509.CertPool
	// Intermediates are extra CA certificates for chain building (the VGCA
	// subordinates, which Vietnamese signatures do not embed).
	Intermediates *x509.CertPool
	// Revocation checks certificates; nil gives status unknown, source none.
	Revocation RevocationChecker
	// Now is the current time (certificate validity when no signing time is
	// known); nil means time.Now.
	Now func() time.Time
}
