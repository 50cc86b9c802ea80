package verify

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha1"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vanthuso/vanthu/internal/pdftools"
	"github.com/vanthuso/vanthu/signing/cms"
	"github.com/vanthuso/vanthu/signing/pdf"
	"github.com/vanthuso/vanthu/signing/revocation"
)

// This file is the attacker's generator: it takes honestly signed files
// and appends incremental updates that change what page 1 shows (its
// content, its resources, an annotation, the page tree), each hidden
// behind every structure that may legitimately be added after signing
// (DSS arrays and VRI, AcroForm /DR, a new widget and its appearance, a
// document timestamp, a later signature's own update). Every forgery must
// make the earlier signatures invalid, modified after signing, with a
// disallowed change that names the changed object. The same structures
// added honestly, without a change, must leave them unmodified.

type forgeChange int

const (
	changeNone forgeChange = iota
	changeContent
	changeResource
	changeAnnot
	changePageTree
	numChanges
)

func (c forgeChange) String() string {
	return [...]string{"none", "content", "resource", "annotation", "page-tree"}[c]
}

type forgeHide int

const (
	hideNone forgeHide = iota
	hideDSSCerts
	hideDSSOCSPs
	hideDSSCRLs
	hideVRI
	hideDR
	hideWidget
	hideDocTimestamp
	hideLaterSignature
	numHides
)

func (h forgeHide) String() string {
	return [...]string{"plain", "dss-certs", "dss-ocsps", "dss-crls", "vri", "acroform-dr", "widget", "doc-timestamp", "later-signature"}[h]
}

// forgeKit is the material the generator needs: a later signer, a TSA and
// real validation data to put next to the hidden reference.
type forgeKit struct {
	signer crypto.Signer
	cert   *x509.Certificate
	chain  []*x509.Certificate
	tsa    cms.Timestamper
	certs  [][]byte // DER certificates
	ocsps  [][]byte // DER OCSP responses
	crls   [][]byte // DER CRLs
}

func newForgeKit(t testing.TB, f *signerFixture) *forgeKit {
	t.Helper()
	k := &forgeKit{signer: f.agency, cert: f.pki.Agency.Cert, chain: f.pki.Agency.Embedded(),
		tsa: &cms.TSAClient{URL: f.tsaURL}}
	k.certs = append(k.certs, f.pki.Agency.Cert.Raw, f.pki.Sub.Cert.Raw)
	// Real OCSP responses and CRLs from the corpus files that carry them.
	files, err := pdftools.CorpusPDFs("dss")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range files {
		if len(k.ocsps) > 0 && len(k.crls) > 0 {
			break
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		r, err := pdf.Open(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			continue
		}
		ev, err := revocation.ReadDSS(r)
		if err != nil {
			continue
		}
		if len(k.ocsps) == 0 && len(ev.OCSP) > 0 {
			k.ocsps = ev.OCSP[:1]
		}
		if len(k.crls) == 0 && len(ev.CRLs) > 0 {
			k.crls = ev.CRLs[:1]
		}
	}
	if len(k.ocsps) == 0 || len(k.crls) == 0 {
		t.Fatal("no OCSP response or CRL found in the corpus DSS files")
	}
	return k
}

// forgery is one generated file and what must be said about it.
type forgery struct {
	name   string
	data   []byte
	target pdf.Ref // the object whose redefinition changes page 1; zero for honest updates
	// allowed: an honest update that the signatures' permissions allow.
	allowed bool
}

// honestBase is a corpus file whose signatures verify and are not modified.
type honestBase struct {
	rel    string
	data   []byte
	before *Report
	docMDP int // 1 when certified with no changes allowed
}

// honestCorpus returns the honestly signed corpus files: rub 3_*, the dss
// rows the manifest calls valid and not modified, vn.
func honestCorpus(t testing.TB) []honestBase {
	t.Helper()
	dir, rows, files := corpusFiles(t)
	var out []honestBase
	for _, path := range files {
		rel, _ := filepath.Rel(dir, path)
		rel = filepath.ToSlash(rel)
		row, inManifest := rows[rel]
		switch {
		case strings.HasPrefix(rel, "vn/"), strings.HasPrefix(filepath.Base(rel), "3_"):
		case inManifest && row.integrity == "valid" && row.modified == "false" && row.byteRangeOK == "true":
		default:
			continue
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		r, err := pdf.Open(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Errorf("%s: honest file does not open: %v", rel, err)
			continue
		}
		if r.Encrypted() {
			continue
		}
		rep, err := verifyReader(context.Background(), bytes.NewReader(b), int64(len(b)), Options{})
		if err != nil {
			t.Fatal(err)
		}
		hb := honestBase{rel: rel, data: b, before: rep}
		for _, s := range rep.Signatures {
			if s.DocMDP == 1 {
				hb.docMDP = 1
			}
		}
		if len(intactSignatures(rep)) == 0 {
			t.Errorf("%s: honest file without an intact, unmodified signature: %s", rel, summary(rep))
			continue
		}
		out = append(out, hb)
	}
	return out
}

// intactSignatures are the fields whose signature is intact, covers a
// whole revision and is not modified: the ones a forgery must break.
func intactSignatures(rep *Report) []string {
	var out []string
	for _, s := range rep.Signatures {
		if s.Integrity == IntegrityOK && s.Coverage == CoverageWholeRevision && !s.ModifiedAfterSigning {
			out = append(out, s.Field)
		}
	}
	return out
}

// page1 collects what page 1 is made of in the base file.
type page1 struct {
	ref       pdf.Ref
	dict      pdf.Dict
	contents  []pdf.Ref // content streams (and an indirect /Contents array)
	resources []pdf.Ref // every indirect object reachable from its /Resources
	annots    []pdf.Ref // its indirect annotations
	pagesRoot pdf.Ref
}

func readPage1(u *testUpdate) (*page1, error) {
	pr, pd, _, err := u.r.Page(1)
	if err != nil {
		return nil, err
	}
	p := &page1{ref: pr, dict: pd}
	cat, _, _ := u.r.Catalog()
	p.pagesRoot, _ = cat["Pages"].(pdf.Ref)
	switch c := pd["Contents"].(type) {
	case pdf.Ref:
		if arr, ok := u.resolve(c).(pdf.Array); ok {
			p.contents = append(p.contents, c)
			for _, x := range arr {
				if r, ok := x.(pdf.Ref); ok {
					p.contents = append(p.contents, r)
				}
			}
		} else {
			p.contents = append(p.contents, c)
		}
	case pdf.Array:
		for _, x := range c {
			if r, ok := x.(pdf.Ref); ok {
				p.contents = append(p.contents, r)
			}
		}
	}
	// Resources, own or inherited.
	res := pd["Resources"]
	for d, i := pd, 0; res == nil && d != nil && i < 32; i++ {
		d = u.dict(d["Parent"])
		if d != nil {
			res = d["Resources"]
		}
	}
	seen := map[pdf.Ref]bool{}
	var walk func(o pdf.Object, depth int)
	walk = func(o pdf.Object, depth int) {
		if depth > 12 || len(p.resources) > 400 {
			return
		}
		if r, ok := o.(pdf.Ref); ok {
			if seen[r] {
				return
			}
			seen[r] = true
			p.resources = append(p.resources, r)
			o = u.resolve(r)
		}
		switch x := o.(type) {
		case pdf.Dict:
			for _, k := range sortedNames(x) {
				if k != "Parent" {
					walk(x[k], depth+1)
				}
			}
		case *pdf.Stream:
			for _, k := range sortedNames(x.Dict) {
				walk(x.Dict[k], depth+1)
			}
		case pdf.Array:
			for _, e := range x {
				walk(e, depth+1)
			}
		}
	}
	walk(res, 0)
	if arr, ok := u.resolve(pd["Annots"]).(pdf.Array); ok {
		for _, x := range arr {
			if r, ok := x.(pdf.Ref); ok {
				p.annots = append(p.annots, r)
			}
		}
	}
	return p, nil
}

// forgedContent paints "FORGED" in white on a red band across the page.
const forgedContent = "q 1 0 0 rg 0 300 1000 200 re f Q BT 1 1 1 rg /F1 72 Tf 60 360 Td (FORGED) Tj ET"

// mutate redefines ref so that it differs from the base.
func (u *testUpdate) mutate(ref pdf.Ref) {
	switch o := u.get(ref).(type) {
	case *pdf.Stream:
		u.setStream(ref, o.Dict, []byte(forgedContent))
	case pdf.Dict:
		d := maps(o)
		switch {
		case d["Type"] == pdf.Name("Font"):
			d["BaseFont"] = pdf.Name("Courier-Bold")
		case d["Type"] == pdf.Name("Pages"):
			d["Rotate"] = int64(180)
			if kids, ok := d["Kids"].(pdf.Array); ok && len(kids) > 1 {
				k := slices.Clone(kids)
				slices.Reverse(k)
				d["Kids"] = k
			}
		case d["Rect"] != nil:
			d["Rect"] = pdf.Array{int64(0), int64(0), int64(600), int64(800)}
			d["Contents"] = pdf.String("FORGED")
		default:
			d["VanThuForged"] = true
		}
		u.set(ref, d)
	case pdf.Array:
		a := slices.Clone(o)
		if len(a) > 0 {
			a = append(a, a[0])
		} else {
			a = append(a, int64(0))
		}
		u.set(ref, a)
	default:
		u.set(ref, pdf.String("FORGED"))
	}
}

// addForgedAnnotation puts a new FreeText annotation painting "FORGED"
// on page 1 and returns the object that was redefined for it (the page or
// its /Annots array).
func (u *testUpdate) addForgedAnnotation(p *page1) pdf.Ref {
	ap := u.addStream(pdf.Dict{"Type": pdf.Name("XObject"), "Subtype": pdf.Name("Form"),
		"BBox": pdf.Array{int64(0), int64(0), int64(600), int64(200)}}, []byte(forgedContent))
	annot := u.add(pdf.Dict{"Type": pdf.Name("Annot"), "Subtype": pdf.Name("FreeText"),
		"Rect": pdf.Array{int64(0), int64(300), int64(600), int64(500)}, "Contents": pdf.String("FORGED"),
		"DA": pdf.String("/Helv 12 Tf 0 g"), "AP": pdf.Dict{"N": ap}, "P": p.ref})
	u.pageAnnots(1, annot)
	if ar, ok := p.dict["Annots"].(pdf.Ref); ok {
		return ar
	}
	return p.ref
}

// dss returns a copy of the catalog's DSS (or a new one) and stores it
// back as a new object.
func (u *testUpdate) setDSS(edit func(dss pdf.Dict)) {
	cat, catRef := u.catalog()
	dss := maps(u.dict(cat["DSS"]))
	for _, k := range []pdf.Name{"Certs", "OCSPs", "CRLs"} {
		if a, ok := u.resolve(dss[k]).(pdf.Array); ok {
			dss[k] = slices.Clone(a)
		}
	}
	if v := u.dict(dss["VRI"]); v != nil {
		dss["VRI"] = maps(v)
	}
	edit(dss)
	cat, _ = u.catalog()
	cat["DSS"] = u.add(dss)
	u.set(catRef, cat)
}

func appendTo(d pdf.Dict, key pdf.Name, refs ...pdf.Object) {
	a, _ := d[key].(pdf.Array)
	d[key] = append(a, refs...)
}

// vriKeys are the VRI keys of the base's signatures: the upper-case hex
// SHA-1 of each /Contents string.
func (u *testUpdate) vriKeys() []pdf.Name {
	var keys []pdf.Name
	cat, _, _ := u.r.Catalog()
	af := u.dict(cat["AcroForm"])
	fields, _ := u.resolve(af["Fields"]).(pdf.Array)
	for _, f := range fields {
		fd := u.dict(f)
		sd := u.dict(fd["V"])
		if c, ok := sd["Contents"].(pdf.String); ok {
			sum := sha1.Sum(c)
			keys = append(keys, pdf.Name(strings.ToUpper(hex.EncodeToString(sum[:]))))
		}
	}
	return keys
}

// forge builds the update for one change and one hiding place. pick
// chooses among the candidate objects of the change. ok is false when the
// base offers nothing to change of that kind.
func forge(t testing.TB, k *forgeKit, hb honestBase, ch forgeChange, hide forgeHide, pick int) (forgery, bool) {
	u := openUpdate(t, hb.data)
	p, err := readPage1(u)
	if err != nil {
		t.Fatalf("%s: page 1: %v", hb.rel, err)
	}
	fg := forgery{name: fmt.Sprintf("%s/%s/%s/%d", hb.rel, ch, hide, pick)}
	choose := func(c []pdf.Ref) (pdf.Ref, bool) {
		if len(c) == 0 {
			return pdf.Ref{}, false
		}
		return c[pick%len(c)], true
	}
	var ok bool
	switch ch {
	case changeContent:
		fg.target, ok = choose(p.contents)
	case changeResource:
		fg.target, ok = choose(p.resources)
	case changeAnnot:
		fg.target, ok = choose(p.annots)
		if !ok {
			fg.target, ok = u.addForgedAnnotation(p), true
		}
	case changePageTree:
		fg.target, ok = p.pagesRoot, p.pagesRoot != (pdf.Ref{})
		if pick%2 == 1 {
			fg.target = p.ref
		}
	case changeNone:
		ok = true
	}
	if !ok {
		return fg, false
	}
	if fg.target != (pdf.Ref{}) && ch != changeAnnot || fg.target != (pdf.Ref{}) && slices.Contains(p.annots, fg.target) {
		u.mutate(fg.target)
	}
	honest := fg.target == (pdf.Ref{})
	// What an honest producer puts where the attacker hides the reference.
	newCert := func() pdf.Object { return u.addStream(pdf.Dict{}, k.certs[0]) }
	hidden := func(honestItem func() pdf.Object) pdf.Object {
		if honest {
			return honestItem()
		}
		return fg.target
	}
	fg.allowed = honest
	switch hide {
	case hideDSSCerts:
		u.setDSS(func(d pdf.Dict) { appendTo(d, "Certs", newCert(), hidden(newCert)) })
	case hideDSSOCSPs:
		u.setDSS(func(d pdf.Dict) {
			appendTo(d, "OCSPs", hidden(func() pdf.Object { return u.addStream(pdf.Dict{}, k.ocsps[0]) }))
		})
	case hideDSSCRLs:
		u.setDSS(func(d pdf.Dict) {
			appendTo(d, "CRLs", hidden(func() pdf.Object { return u.addStream(pdf.Dict{}, k.crls[0]) }))
		})
	case hideVRI:
		u.setDSS(func(d pdf.Dict) {
			vri, _ := d["VRI"].(pdf.Dict)
			if vri == nil {
				vri = pdf.Dict{}
			}
			for _, key := range u.vriKeys() {
				vri[key] = pdf.Dict{"Cert": pdf.Array{hidden(newCert)}}
			}
			d["VRI"] = vri
			appendTo(d, "Certs", newCert())
		})
	case hideDR:
		af, store := u.acroForm()
		dr := maps(u.dict(af["DR"]))
		font := maps(u.dict(dr["Font"]))
		xo := maps(u.dict(dr["XObject"]))
		font["VanThuF"] = hidden(func() pdf.Object {
			return u.add(pdf.Dict{"Type": pdf.Name("Font"), "Subtype": pdf.Name("Type1"), "BaseFont": pdf.Name("Helvetica")})
		})
		if !honest {
			xo["VanThuX"] = fg.target
			dr["XObject"] = xo
		}
		dr["Font"] = font
		af["DR"] = dr
		store(af)
		fg.allowed = honest && hb.docMDP != 1
	case hideWidget:
		w := pdf.Dict{"Type": pdf.Name("Annot"), "Subtype": pdf.Name("Widget"), "FT": pdf.Name("Sig"),
			"T": pdf.String("VanThuEmpty"), "F": int64(4), "P": p.ref,
			"Rect": pdf.Array{int64(0), int64(0), int64(0), int64(0)}}
		if !honest {
			w["Rect"] = pdf.Array{int64(0), int64(0), int64(600), int64(800)}
			ap := fg.target
			if _, isStream := u.get(fg.target).(*pdf.Stream); !isStream {
				ap = u.addStream(pdf.Dict{"Type": pdf.Name("XObject"), "Subtype": pdf.Name("Form"),
					"BBox":      pdf.Array{int64(0), int64(0), int64(600), int64(800)},
					"Resources": pdf.Dict{"Font": pdf.Dict{"F1": fg.target}, "XObject": pdf.Dict{"X": fg.target}}},
					[]byte("/X Do"))
			}
			w["AP"] = pdf.Dict{"N": ap}
		}
		wr := u.add(w)
		u.pageAnnots(1, wr)
		u.addField(wr, true)
		fg.allowed = honest && hb.docMDP != 1
	case hideDocTimestamp:
		u.addDocTimestamp(k.tsa)
	case hideLaterSignature:
		u.addSignature(k.signer, k.cert, k.chain)
		fg.allowed = honest && hb.docMDP != 1
	case hideNone:
		if honest {
			return fg, false // nothing at all
		}
	}
	fg.data = u.bytes()
	return fg, true
}

// definedWhenSigned reports whether ref existed in the revision the
// signature in field signed.
func definedWhenSigned(hb honestBase, field string, ref pdf.Ref) bool {
	for _, s := range hb.before.Signatures {
		if s.Field != field || len(s.ByteRange) != 4 {
			continue
		}
		end := s.ByteRange[2] + s.ByteRange[3]
		r, err := pdf.Open(bytes.NewReader(hb.data[:end]), end)
		if err != nil {
			return false
		}
		_, _, ok := r.ObjectOffset(ref)
		return ok
	}
	return false
}

// checkForgery verifies one generated file against what it must say.
func checkForgery(t testing.TB, hb honestBase, fg forgery) {
	t.Helper()
	rep, err := verifyReader(context.Background(), bytes.NewReader(fg.data), int64(len(fg.data)), Options{})
	if err != nil {
		t.Fatalf("%s: %v", fg.name, err)
	}
	after := map[string]Signature{}
	for _, s := range rep.Signatures {
		after[s.Field] = s
	}
	for _, field := range intactSignatures(hb.before) {
		if fg.target != (pdf.Ref{}) && !definedWhenSigned(hb, field, fg.target) {
			continue // the object came after this signature: not its business
		}
		s, ok := after[field]
		if !ok {
			t.Errorf("%s: signature %q no longer found", fg.name, field)
			continue
		}
		if fg.allowed {
			if s.ModifiedAfterSigning || s.Verdict == Invalid {
				t.Errorf("%s: honest update, but %q is %s, modified %v: %s", fg.name, field, s.Verdict, s.ModifiedAfterSigning, summary(rep))
			}
			continue
		}
		if !s.ModifiedAfterSigning || s.Verdict != Invalid {
			t.Errorf("%s: forged, but %q is %s, modified %v: %s", fg.name, field, s.Verdict, s.ModifiedAfterSigning, summary(rep))
			continue
		}
		if fg.target == (pdf.Ref{}) {
			continue // an honest structure the permissions forbid
		}
		named := false
		for _, c := range s.Changes {
			if !c.Allowed && (c.Object == int(fg.target.Num) || c.PageObject == int(fg.target.Num)) {
				named = true
			}
		}
		if !named {
			t.Errorf("%s: %q modified, but no disallowed change names object %d: %+v", fg.name, field, fg.target.Num, disallowed(s.Changes))
		}
	}
	if !fg.allowed && rep.Verdict != Invalid {
		t.Errorf("%s: forged, document verdict %s", fg.name, rep.Verdict)
	}
}

func TestForgeries(t *testing.T) {
	f := newSignerFixture(t, true)
	k := newForgeKit(t, f)
	bases := honestCorpus(t)
	if len(bases) < 40 {
		t.Fatalf("only %d honest corpus files", len(bases))
	}
	var forged, honest int
	for _, hb := range bases {
		for ch := changeNone; ch < numChanges; ch++ {
			for hide := hideNone; hide < numHides; hide++ {
				fg, ok := forge(t, k, hb, ch, hide, 0)
				if !ok {
					continue
				}
				if fg.target == (pdf.Ref{}) {
					honest++
				} else {
					forged++
				}
				checkForgery(t, hb, fg)
			}
		}
	}
	t.Logf("%d honest files, %d forgeries, %d honest updates", len(bases), forged, honest)
}

func disallowed(cs []Change) []Change {
	var out []Change
	for _, c := range cs {
		if !c.Allowed {
			out = append(out, c)
		}
	}
	return out
}
