package verify

import (
	"context"
	"crypto/x509"
	"time"

	"github.com/vanthuso/vanthu/signing/certpath"
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
	// SubIndication is the ETSI EN 319 102-1 sub-indication this reason
	// amounts to (SubTryLater, SubOutOfBoundsNoPOE, SubHashFailure, ...).
	SubIndication string `json:"sub_indication,omitempty"`
	// Detail is the technical cause, in English (what the parser or the
	// revocation checker said): for IT staff and logs. EN ends with it;
	// VI does not carry it.
	Detail string `json:"detail,omitempty"`
	// AdviceVI and AdviceEN say what the reader can do next.
	AdviceVI string `json:"advice_vi,omitempty"`
	AdviceEN string `json:"advice_en,omitempty"`
}

// CertRef names a certificate for people: the anchor a chain ends at, a
// member of the chain.
type CertRef struct {
	Name         string `json:"name"`
	Organization string `json:"organization,omitempty"`
	SHA256       string `json:"sha256"` // upper-case hex, colon-separated, as CAs publish it
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
	// SigningTime is the time a trusted signature timestamp proves, else
	// the time the signer claims (/M, or the CMS signingTime).
	SigningTime       time.Time `json:"signing_time,omitzero"`
	ProvenByTimestamp bool      `json:"proven_by_timestamp"`
	// ExistedBefore is the time of the earliest trusted document timestamp
	// that covers the signature: it proves the signature existed then.
	ExistedBefore time.Time `json:"existed_before,omitzero"`
	// ValidatedAt is the time the chain, validity and revocation were
	// evaluated at: the proven time, else the current time.
	ValidatedAt time.Time `json:"validated_at,omitzero"`
	// Anchor is the trust anchor the signer's chain ends at; Chain the
	// chain from the signer to it. UnknownRoot is the root an untrusted
	// chain ends at, for IT staff to check against the CA's publication.
	Anchor      *CertRef  `json:"anchor,omitempty"`
	Chain       []CertRef `json:"chain,omitempty"`
	UnknownRoot *CertRef  `json:"unknown_root,omitempty"`
	// OtherSigners are the further SignerInfos of the CMS, each checked
	// like the first.
	OtherSigners        []Signer `json:"other_signers,omitempty"`
	Level               string   `json:"level,omitempty"`
	SubFilter           string   `json:"sub_filter"`
	IsDocumentTimestamp bool     `json:"is_document_timestamp"`
	// DocMDP is the /P of a certification signature (1, 2, 3), 0 otherwise.
	DocMDP int `json:"docmdp,omitempty"`
	// SubIndication is the ETSI sub-indication of a verdict other than
	// valid (that of the first reason).
	SubIndication string   `json:"sub_indication,omitempty"`
	Reasons       []Reason `json:"reasons,omitempty"`
	// Notes are what a reader should know whatever the verdict (SHA-1
	// accepted under the dated policy, revocation not checked but accepted
	// by the agency's policy, an intermediate fetched online, ...).
	Notes []Reason `json:"notes,omitempty"`

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
// and changes; trust comes out unknown and the verdict indeterminate.
type Options struct {
	// Anchors are the trust anchors (trustlist.List.Anchors); none means
	// trust is "unknown" and no timestamp proves a time.
	Anchors []*x509.Certificate
	// Intermediates are CA certificates for chain building (the VGCA
	// subordinates, which Vietnamese signatures do not embed); they confer
	// no trust.
	Intermediates []*x509.Certificate
	// Known are roots known but not trusted (the shipped candidates): a
	// chain that ends at one is reported with the root's name and
	// fingerprint.
	Known []*x509.Certificate
	// Revocation checks certificates; nil gives status unknown, source
	// none, and an indeterminate verdict unless AcceptUnknownRevocation.
	Revocation RevocationChecker
	// Fetcher fetches missing intermediates from the AIA address of the
	// certificate that names them (certpath.HTTPFetcher, online only).
	Fetcher certpath.IssuerFetcher
	// Policy judges algorithms by date; nil is certpath.DefaultPolicy.
	Policy *certpath.Policy
	// AcceptUnknownRevocation is an IT policy: a signature whose
	// revocation status could not be decided is valid, and its report
	// says so in Notes. Off by default (ETSI: indeterminate, TRY_LATER).
	AcceptUnknownRevocation bool
	// Now is the current time; nil means time.Now.
	Now func() time.Time
}
