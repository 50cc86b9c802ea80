package signui

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/vanthuso/vanthu/signing/cms"
	"github.com/vanthuso/vanthu/signing/pades"
	"github.com/vanthuso/vanthu/signing/pdf"
	"github.com/vanthuso/vanthu/signing/stamp"
)

// placeKind says where a signature's appearance goes.
type placeKind int

const (
	placeInvisible placeKind = iota // no appearance
	placeRect                       // a rectangle the user chose on a page
	placeField                      // an existing empty signature field
	placeLeader                     // issue: the seal over the leader's visible signature
	placeCorner                     // attachment, copy: stamp's top-right corner of page 1
)

// placement is where the signature goes: kind, with page and rect for
// placeRect (user space, 1-based page) and field for placeField.
type placement struct {
	kind  placeKind
	page  int
	rect  pdf.Rect
	field string
}

// signJob is what to do to one document, everything but the key: the
// UI-side counterpart of vanthuctl's sign request.
type signJob struct {
	in, out    string
	timeLayout string // stamp.Options.TimeLayout ("" = the default)
	profile    stamp.Profile
	level      pades.Level
	tsaURL     string
	location   string
	place      placement
	mode       stamp.Mode

	signatureImage, sealImage []byte

	number   string // số và ký hiệu (issue, attachment)
	dateText string // issue: the date mark's text; "" = stamp's default
	// numberMark and dateMark are issue's marks in the body of page 1
	// (user space); nil = none.
	numberMark, dateMark *pdf.Rect

	copyForm, copyAgency string
}

// copyForms are the forms of an electronic copy (Nghị định 30/2020).
var copyForms = []string{"SAO Y", "SAO LỤC", "TRÍCH SAO"}

// reason is the signature's /Reason. It is part of the document, not of
// the user interface, so it is always Vietnamese.
func (j signJob) reason() string {
	return stamp.Reason(j.profile, j.number, j.copyForm)
}

// problem checks the job against the document before anything is laid
// out: it returns the catalogue key of a sentence telling the user what
// to fill in or change, or "" when the job can go ahead.
func (j signJob) problem(doc *docFacts) string {
	switch {
	case j.profile == stamp.Attachment && strings.TrimSpace(j.number) == "":
		return "signui.need.number"
	case j.profile == stamp.Copy && strings.TrimSpace(j.copyForm) == "":
		return "signui.need.copy-form"
	case j.profile == stamp.Issue && j.place.kind != placeInvisible && len(j.sealImage) == 0:
		return "signui.need.seal"
	case j.profile == stamp.Issue && (j.numberMark != nil || j.dateMark != nil) && j.place.kind == placeInvisible:
		return "signui.need.visible-seal"
	case j.numberMark != nil && strings.TrimSpace(j.number) == "":
		return "signui.need.number"
	case j.profile == stamp.Approval && j.place.kind == placeInvisible && j.mode != stamp.DefaultMode && j.mode != stamp.TextOnly:
		return "signui.need.place"
	case (j.mode == stamp.ImageOnly || j.mode == stamp.ImageAndText) && len(j.signatureImage) == 0:
		return "signui.need.signature-image"
	case j.place.kind == placeLeader && (doc == nil || !doc.hasLeader):
		return "signui.need.leader"
	}
	return ""
}

// docFacts is what the dialogs learn about a document before signing:
// the parts of pades.Document they show and place against.
type docFacts struct {
	pages     int
	geoms     []pdf.PageGeometry // index 0 = page 1
	encrypted bool
	docMDP    int
	lock      error         // an earlier signature forbids a new signature field
	fields    []pades.Field // empty signature fields
	leader    pades.Field   // the last visible signed signature (issue)
	hasLeader bool
}

// readDocFacts inspects the PDF at path.
func readDocFacts(path string) (*docFacts, error) {
	doc, err := pades.Inspect(path)
	if err != nil {
		return nil, err
	}
	defer doc.Close()
	f := &docFacts{pages: doc.Pages, encrypted: doc.Encrypted, docMDP: doc.DocMDP, lock: doc.CheckFieldLock("")}
	if f.encrypted {
		return f, nil
	}
	for n := 1; n <= doc.Pages; n++ {
		g, err := doc.PageGeometry(n)
		if err != nil {
			return nil, fmt.Errorf("page %d: %w", n, err)
		}
		f.geoms = append(f.geoms, g)
	}
	for _, fl := range doc.Fields {
		if fl.Type == "Sig" && !fl.Signed {
			f.fields = append(f.fields, fl)
		}
	}
	f.leader, f.hasLeader = doc.LastVisibleSignature()
	return f, nil
}

// refusal is why the document cannot be signed at all, as the error
// pades would return; nil when it can.
func (d *docFacts) refusal() error {
	switch {
	case d.encrypted:
		return pades.ErrEncrypted
	case d.docMDP == 1:
		return pades.ErrCertifiedNoChanges
	case d.lock != nil:
		return d.lock
	}
	return nil
}

// pageGeom is stamp.Build's page function over the facts.
func (d *docFacts) pageGeom(n int) (pdf.PageGeometry, error) {
	if n < 1 || n > len(d.geoms) {
		return pdf.PageGeometry{}, fmt.Errorf("page %d does not exist (the document has %d)", n, len(d.geoms))
	}
	return d.geoms[n-1], nil
}

// field returns the empty signature field named name.
func (d *docFacts) field(name string) (pades.Field, bool) {
	for _, f := range d.fields {
		if f.Name == name {
			return f, true
		}
	}
	return pades.Field{}, false
}

// stampOptions lays the job out for stamp.Build with the signer's
// certificate at time now, and returns the existing field to fill ("" =
// a new field).
func (j signJob) stampOptions(doc *docFacts, cert *x509.Certificate, now time.Time) (stamp.Options, string, error) {
	so := stamp.Options{
		Profile:        j.profile,
		Info:           stamp.InfoFromCertificate(cert, now),
		Mode:           j.mode,
		SignatureImage: j.signatureImage,
		SealImage:      j.sealImage,
		DateText:       strings.TrimSpace(j.dateText),
		TimeLayout:     j.timeLayout,
	}
	so.Info.Number = strings.TrimSpace(j.number)
	so.Info.CopyForm = strings.TrimSpace(j.copyForm)
	so.Info.CopyAgency = strings.TrimSpace(j.copyAgency)
	if j.profile == stamp.Issue {
		so.NumberRect, so.DateRect, so.NumberPage = j.numberMark, j.dateMark, 1
	}
	if j.profile != stamp.Approval {
		so.SignatureImage = nil
		so.Mode = stamp.DefaultMode
	}
	if j.profile != stamp.Issue {
		so.SealImage = nil
	}
	field := ""
	switch j.place.kind {
	case placeRect:
		r := j.place.rect.Normalize()
		so.Page, so.Rect = max(j.place.page, 1), &r
	case placeField:
		f, ok := doc.field(j.place.field)
		if !ok {
			return so, "", fmt.Errorf("%w: %q", pades.ErrFieldNotFound, j.place.field)
		}
		field = f.Name
		if f.Visible() {
			r := f.Rect.Normalize()
			so.Page, so.Rect = max(f.Page, 1), &r
		} else if j.profile == stamp.Attachment || j.profile == stamp.Copy {
			return so, "", errInvisibleField
		}
	case placeLeader:
		if !doc.hasLeader {
			return so, "", errNoLeader
		}
		r := doc.leader.Rect.Normalize()
		so.LeaderPage, so.LeaderRect, so.Page = doc.leader.Page, &r, doc.leader.Page
	case placeCorner:
		so.Page = 1
	case placeInvisible:
		if j.profile == stamp.Attachment || j.profile == stamp.Copy {
			so.Page = 1 // these are never invisible: stamp's corner
		}
	}
	return so, field, nil
}

var (
	errInvisibleField = errors.New("the signature field is invisible; text needs a visible place")
	errNoLeader       = errors.New("the document has no visible signature of the leader to put the seal on")
)

// appearances builds the job's appearances as they will be written.
func (j signJob) appearances(doc *docFacts, cert *x509.Certificate, now time.Time) ([]pdf.Appearance, string, error) {
	so, field, err := j.stampOptions(doc, cert, now)
	if err != nil {
		return nil, "", err
	}
	apps, err := stamp.Build(so, doc.pageGeom)
	if err != nil {
		return nil, "", &appearanceError{err}
	}
	return apps, field, nil
}

// appearanceError is a stamp.Build failure: an image or a place the user
// chose does not work.
type appearanceError struct{ err error }

func (e *appearanceError) Error() string { return "signature appearance: " + e.err.Error() }
func (e *appearanceError) Unwrap() error { return e.err }

// signDocument signs j.in into j.out with key at now. The document is
// inspected again (it may have changed since the dialog read it); on any
// error no output file is left.
func signDocument(ctx context.Context, key *signingKey, j signJob, now time.Time) (*pades.Result, error) {
	doc, err := readDocFacts(j.in)
	if err != nil {
		return nil, err
	}
	if err := doc.refusal(); err != nil {
		return nil, err
	}
	apps, field, err := j.appearances(doc, key.cert, now)
	if err != nil {
		return nil, err
	}
	o := pades.Options{
		Signer:      key.signer,
		Certificate: key.cert,
		Chain:       key.chain,
		Level:       j.level,
		Reason:      j.reason(),
		Location:    j.location,
		Time:        now,
		Field:       field,
		Appearances: apps,
	}
	if j.level == pades.LevelT {
		o.TSA = &cms.TSAClient{URL: j.tsaURL}
	}
	return pades.SignFile(ctx, j.in, j.out, o)
}

// signedStem splits "<name> (<suffix>[ n])" into name and suffix.
var signedStem = regexp.MustCompile(`^(.*) \((.+?)(?: \d+)?\)$`)

// signedName returns where the signed copy of in goes: next to it,
// "<name> (đã ký).pdf" in the UI's language, numbered "<name> (đã ký
// 2).pdf", … when taken; a signed copy signed again gets the next number
// rather than a second suffix. It never returns in itself or an existing
// file.
func signedName(in, suffix string) string {
	dir, base := filepath.Split(in)
	ext := filepath.Ext(base)
	if !strings.EqualFold(ext, ".pdf") {
		ext = ".pdf"
		base += ext
	}
	stem := strings.TrimSuffix(base, filepath.Ext(base))
	// A signed copy signed again is numbered, not suffixed twice.
	if m := signedStem.FindStringSubmatch(stem); m != nil && m[2] == suffix {
		stem = m[1]
	}
	for n := 1; ; n++ {
		name := fmt.Sprintf("%s (%s)%s", stem, suffix, ext)
		if n > 1 {
			name = fmt.Sprintf("%s (%s %d)%s", stem, suffix, n, ext)
		}
		p := filepath.Join(dir, name)
		if _, err := os.Lstat(p); errors.Is(err, os.ErrNotExist) {
			return p
		}
	}
}
