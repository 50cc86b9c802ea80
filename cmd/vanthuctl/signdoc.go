package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/vanthuso/vanthu/signing/cms"
	"github.com/vanthuso/vanthu/signing/pades"
	"github.com/vanthuso/vanthu/signing/stamp"
	"github.com/vanthuso/vanthu/signing/token"
)

// fileResult is the outcome of signing one document, as printed and as
// written with --json.
type fileResult struct {
	Input       string    `json:"input"`
	Output      string    `json:"output"`
	Status      string    `json:"status"` // "ok", "error" or "not-attempted" (batch stopped)
	Error       string    `json:"error,omitempty"`
	Profile     string    `json:"profile"`
	Level       string    `json:"level"`
	SubFilter   string    `json:"subfilter"`
	Field       string    `json:"field,omitempty"`
	Reason      string    `json:"reason,omitempty"`
	Visible     bool      `json:"visible"`
	Page        int       `json:"page,omitempty"`
	Rect        []float64 `json:"rect,omitempty"`
	Signer      string    `json:"signer,omitempty"`
	Certificate string    `json:"certificate_sha256,omitempty"`
	Chain       int       `json:"chain_certificates"`
	Token       string    `json:"token,omitempty"`
	Module      string    `json:"module,omitempty"`
	Time        string    `json:"signing_time,omitempty"`
	Size        int64     `json:"size,omitempty"`

	at time.Time // signing time, for people
}

const (
	statusOK           = "ok"
	statusError        = "error"
	statusNotAttempted = "not-attempted"
)

func (r signRequest) newResult(in, out string) fileResult {
	return fileResult{Input: in, Output: out, Status: statusError,
		Profile: string(r.profile), Level: string(r.level), SubFilter: string(r.subFilter)}
}

// timestamper returns the TSA client for B-T, nil otherwise.
func (r signRequest) timestamper() pades.Timestamper {
	if r.level != pades.LevelT {
		return nil
	}
	return &cms.TSAClient{URL: r.tsaURL}
}

// signDocument signs in into out with key as r says. The result is filled
// as far as signing got; err says why it stopped.
func (c *cli) signDocument(ctx context.Context, key *signingKey, r signRequest, tsa pades.Timestamper, in, out string) (fileResult, error) {
	res := r.newResult(in, out)
	res.Signer = key.cred.Certificate.Subject.CommonName
	res.Certificate = token.Fingerprint(key.cred.Certificate)
	res.Chain = len(key.chain)
	res.Token, res.Module = key.token.Label, key.path
	now := c.now()
	opts, err := c.documentOptions(in, key, r, now)
	if err != nil {
		return res, err
	}
	opts.TSA = tsa
	res.Reason = opts.Reason
	if len(opts.Appearances) > 0 {
		a := opts.Appearances[0]
		res.Visible, res.Page = true, a.Page
		res.Rect = []float64{a.Rect.LLX, a.Rect.LLY, a.Rect.URX, a.Rect.URY}
	}
	pr, err := pades.SignFile(ctx, in, out, opts)
	if err != nil {
		return res, err
	}
	res.Status, res.Field, res.Size = statusOK, pr.Field, pr.Size
	res.Time, res.at = now.In(stamp.Vietnam).Format(time.RFC3339), now
	return res, nil
}

// documentOptions reads the document's structure and builds the signing
// options: appearance laid out on its pages, the chain, the time.
func (c *cli) documentOptions(in string, key *signingKey, r signRequest, now time.Time) (pades.Options, error) {
	doc, err := pades.Inspect(in)
	if err != nil {
		return pades.Options{}, err
	}
	defer doc.Close()
	if err := checkSignable(doc); err != nil {
		return pades.Options{}, err
	}
	so := stamp.Options{
		Profile:        r.profile,
		Info:           stamp.InfoFromCertificate(key.cred.Certificate, now),
		Mode:           r.mode,
		SignatureImage: r.signatureImage,
		SealImage:      r.sealImage,
		NumberRect:     r.numberRect,
		DateRect:       r.dateRect,
	}
	so.Info.Number = r.number
	so.Info.CopyForm, so.Info.CopyAgency = r.copyForm, r.copyAgency
	field, err := c.place(doc, r, &so)
	if err != nil {
		return pades.Options{}, err
	}
	apps, err := stamp.Build(so, doc.PageGeometry)
	if err != nil {
		return pades.Options{}, c.inputErr(err, "err.appearance", err.Error())
	}
	return pades.Options{
		Signer:      key.signer,
		Certificate: key.cred.Certificate,
		Chain:       key.chain,
		SubFilter:   r.subFilter,
		Level:       r.level,
		Reason:      r.reasonText(),
		Location:    r.location,
		ContactInfo: r.contact,
		Time:        now,
		Field:       field,
		Appearances: apps,
	}, nil
}

// checkSignable refuses what pades would refuse, before any appearance is
// laid out on pages that cannot be read.
func checkSignable(doc *pades.Document) error {
	switch {
	case doc.Encrypted:
		return pades.ErrEncrypted
	case doc.DocMDP == 1:
		return pades.ErrCertifiedNoChanges
	}
	return nil
}

// place sets where the appearance goes and returns the existing field to
// fill (""= a new field). Without --page/--rect/--field an approval is
// invisible, an issue seal overlaps the leader's visible signature (when
// a seal image is given; invisible otherwise), attachment and copy go to
// the top-right corner of page 1 (or of --page).
func (c *cli) place(doc *pades.Document, r signRequest, so *stamp.Options) (string, error) {
	if err := doc.CheckFieldLock(r.field); err != nil {
		return "", c.inputErr(err, "err.field-locked", err.Error())
	}
	switch {
	case r.field != "":
		f, ok := doc.Field(r.field)
		if !ok || f.Type != "Sig" {
			return "", c.inputErr(pades.ErrFieldNotFound, "err.no-such-field", r.field, emptySignatureFields(doc))
		}
		if f.Signed {
			return "", c.inputErr(pades.ErrFieldSigned, "err.field-already-signed", r.field)
		}
		if !f.Visible() {
			if r.profile == stamp.Attachment || r.profile == stamp.Copy {
				return "", c.inputErr(nil, "err.field-invisible", r.field)
			}
			return f.Name, nil // invisible signature in the invisible field
		}
		if r.profile == stamp.Issue && r.sealImage == nil {
			return "", c.usageErr("usage.issue-needs-seal")
		}
		rect := f.Rect.Normalize()
		so.Page, so.Rect = max(f.Page, 1), &rect
		return f.Name, nil
	case r.rect != nil:
		so.Page, so.Rect = max(r.page, 1), r.rect
	case r.profile == stamp.Issue && r.sealImage != nil:
		leader, ok := doc.LastVisibleSignature()
		if !ok {
			return "", c.inputErr(nil, "err.no-leader-signature")
		}
		rect := leader.Rect.Normalize()
		so.LeaderPage, so.LeaderRect = leader.Page, &rect
		so.Page = leader.Page
	case r.profile == stamp.Attachment || r.profile == stamp.Copy:
		so.Page = r.page
	}
	return "", nil
}

// emptySignatureFields lists the document's unsigned signature fields,
// for the message about a field that does not exist.
func emptySignatureFields(doc *pades.Document) string {
	var names []string
	for _, f := range doc.Fields {
		if f.Type == "Sig" && !f.Signed {
			names = append(names, fmt.Sprintf("%q", f.Name))
		}
	}
	if len(names) == 0 {
		return "—"
	}
	return strings.Join(names, ", ")
}

// reasonText is /Reason: --reason, else what the profile means, in
// Vietnamese (it is part of the document, not of the user interface).
func (r signRequest) reasonText() string {
	if r.reason != "" {
		return r.reason
	}
	return stamp.Reason(r.profile, r.number, r.copyForm)
}

// rectString formats a rectangle as people pass it to --rect.
func rectString(r []float64) string {
	if len(r) != 4 {
		return ""
	}
	return fmt.Sprintf("%s,%s,%s,%s", num(r[0]), num(r[1]), num(r[2]), num(r[3]))
}

func num(f float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", f), "0"), ".")
}
