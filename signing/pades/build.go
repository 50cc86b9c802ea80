package pades

import (
	"fmt"
	"maps"

	"github.com/vanthuso/vanthu/signing/pdf"
)

// Annotation flags (PDF 32000-1 12.5.3).
const (
	flagPrint          = 4
	flagReadOnly       = 64
	flagLocked         = 128
	flagLockedContents = 512
)

// buildUpdate writes every object of the signature's update into u and
// returns the field name and the placeholders of the signature dictionary.
func (d *Document) buildUpdate(u *update, o Options, sig pdf.Dict, reserve int) (string, placeholders, error) {
	r := d.Reader
	sigRef := u.alloc()

	// Appearances first: they are new objects the annotations point to.
	type mark struct {
		app pdf.Appearance
		xo  pdf.Ref
	}
	var marks []mark
	for i, a := range o.Appearances {
		g, err := d.PageGeometry(a.Page)
		if err != nil {
			return "", placeholders{}, fmt.Errorf("appearance %d: %w", i+1, err)
		}
		if a.Write == nil {
			return "", placeholders{}, fmt.Errorf("appearance %d: nothing to draw", i+1)
		}
		xo, err := a.Write(u, g)
		if err != nil {
			return "", placeholders{}, fmt.Errorf("appearance %d: %w", i+1, err)
		}
		marks = append(marks, mark{a, xo})
	}

	// newAnnots collects, per page number, annotations to append to /Annots.
	newAnnots := map[int][]pdf.Object{}
	var fieldName string
	var newField pdf.Ref

	if o.Field != "" {
		f, ok := d.Field(o.Field)
		if !ok || f.Type != "Sig" {
			return "", placeholders{}, fmt.Errorf("%w: %q", ErrFieldNotFound, o.Field)
		}
		if f.Signed {
			return "", placeholders{}, fmt.Errorf("%w: %q", ErrFieldSigned, o.Field)
		}
		if f.Ref == (pdf.Ref{}) {
			return "", placeholders{}, fmt.Errorf("%w: field %q is not an indirect object", ErrMalformed, o.Field)
		}
		fieldName = f.Name
		fd, err := r.ResolveDict(f.Ref)
		if err != nil || fd == nil {
			return "", placeholders{}, fmt.Errorf("%w: field %q: %v", ErrMalformed, o.Field, err)
		}
		fd = maps.Clone(fd)
		fd["V"] = sigRef
		if len(marks) > 0 && f.Widget == f.Ref {
			fd["AP"] = pdf.Dict{"N": marks[0].xo}
			fd["F"] = int64(flagPrint | flagLocked)
		}
		u.put(f.Ref, fd)
		if len(marks) > 0 && f.Widget != f.Ref && f.Widget != (pdf.Ref{}) {
			wd, err := r.ResolveDict(f.Widget)
			if err != nil || wd == nil {
				return "", placeholders{}, fmt.Errorf("%w: widget of %q: %v", ErrMalformed, o.Field, err)
			}
			wd = maps.Clone(wd)
			wd["AP"] = pdf.Dict{"N": marks[0].xo}
			wd["F"] = int64(flagPrint | flagLocked)
			u.put(f.Widget, wd)
		}
		if f.Page == 0 && f.Widget != (pdf.Ref{}) {
			// A widget reachable from no page is invisible in viewers:
			// put it on page 1 so the field shows up where expected.
			newAnnots[1] = append(newAnnots[1], f.Widget)
		}
		if len(marks) > 0 {
			marks = marks[1:]
		}
	} else {
		fieldName = o.NewFieldName
		if fieldName == "" {
			fieldName = d.uniqueFieldName("Signature")
		} else if _, exists := d.Field(fieldName); exists {
			return "", placeholders{}, fmt.Errorf("a field named %q already exists; choose another name or fill it with Field", fieldName)
		}
		newField = u.alloc()
		page := 1
		w := pdf.Dict{
			"Type":    pdf.Name("Annot"),
			"Subtype": pdf.Name("Widget"),
			"FT":      pdf.Name("Sig"),
			"T":       pdf.TextString(fieldName),
			"V":       sigRef,
			"F":       int64(flagPrint | flagLocked),
			"Rect":    pdf.Array{int64(0), int64(0), int64(0), int64(0)},
		}
		if len(marks) > 0 {
			m := marks[0]
			marks = marks[1:]
			page = m.app.Page
			w["Rect"] = rectArray(m.app.Rect)
			w["AP"] = pdf.Dict{"N": m.xo}
		}
		pageRef, _, _, err := r.Page(page)
		if err != nil {
			return "", placeholders{}, fmt.Errorf("%w: page %d: %v", ErrMalformed, page, err)
		}
		w["P"] = pageRef
		u.put(newField, w)
		newAnnots[page] = append(newAnnots[page], newField)
	}

	// Extra marks: locked stamp annotations inside the signed update.
	for _, m := range marks {
		pageRef, _, _, err := r.Page(m.app.Page)
		if err != nil {
			return "", placeholders{}, fmt.Errorf("%w: page %d: %v", ErrMalformed, m.app.Page, err)
		}
		ref := u.alloc()
		u.put(ref, pdf.Dict{
			"Type":    pdf.Name("Annot"),
			"Subtype": pdf.Name("Stamp"),
			"Rect":    rectArray(m.app.Rect),
			"AP":      pdf.Dict{"N": m.xo},
			"F":       int64(flagPrint | flagReadOnly | flagLocked | flagLockedContents),
			"P":       pageRef,
			"Name":    pdf.Name("VanThuSo"),
		})
		newAnnots[m.app.Page] = append(newAnnots[m.app.Page], ref)
	}

	for page, refs := range newAnnots {
		if err := d.appendAnnots(u, page, refs); err != nil {
			return "", placeholders{}, err
		}
	}
	if err := d.updateAcroForm(u, newField); err != nil {
		return "", placeholders{}, err
	}

	ph := u.writeSigDict(sigRef, sig, reserve)
	return fieldName, ph, nil
}

// sigDict returns the signature dictionary entries other than /ByteRange
// and /Contents.
func (o *Options) sigDict() pdf.Dict {
	d := pdf.Dict{
		"Type":      pdf.Name("Sig"),
		"Filter":    pdf.Name("Adobe.PPKLite"),
		"SubFilter": pdf.Name(o.SubFilter),
		"M":         pdf.String(pdf.FormatDate(o.Time)),
		"Prop_Build": pdf.Dict{
			"App":    pdf.Dict{"Name": pdf.Name("VanThuSo")},
			"Filter": pdf.Dict{"Name": pdf.Name("Adobe.PPKLite")},
		},
	}
	for k, v := range map[pdf.Name]string{"Name": o.Name, "Reason": o.Reason, "Location": o.Location, "ContactInfo": o.ContactInfo} {
		if v != "" {
			d[k] = pdf.TextString(v)
		}
	}
	return d
}

// appendAnnots adds refs to the /Annots of page n, rewriting the array
// object when /Annots is indirect and the page dictionary otherwise.
func (d *Document) appendAnnots(u *update, n int, refs []pdf.Object) error {
	r := d.Reader
	pageRef, page, _, err := r.Page(n)
	if err != nil {
		return fmt.Errorf("%w: page %d: %v", ErrMalformed, n, err)
	}
	if ar, ok := page["Annots"].(pdf.Ref); ok {
		existing, err := r.Resolve(ar)
		if err != nil {
			return fmt.Errorf("%w: annotations of page %d: %v", ErrMalformed, n, err)
		}
		arr, _ := existing.(pdf.Array)
		u.put(ar, append(append(pdf.Array{}, arr...), refs...))
		return nil
	}
	existing, _ := page["Annots"].(pdf.Array)
	page = maps.Clone(page)
	page["Annots"] = append(append(pdf.Array{}, existing...), refs...)
	u.put(pageRef, page)
	return nil
}

// updateAcroForm adds newField (when non-zero) to /Fields and sets
// /SigFlags to SignaturesExist|AppendOnly, keeping every other entry and
// every existing field.
func (d *Document) updateAcroForm(u *update, newField pdf.Ref) error {
	r := d.Reader
	af := pdf.Dict{}
	if d.acroForm != nil {
		af = maps.Clone(d.acroForm)
	}
	if newField != (pdf.Ref{}) {
		fields, err := r.Resolve(af["Fields"])
		if err != nil {
			return fmt.Errorf("%w: AcroForm fields: %v", ErrMalformed, err)
		}
		arr, _ := fields.(pdf.Array)
		af["Fields"] = append(append(pdf.Array{}, arr...), newField)
	}
	flags, _ := mustResolve(r, af["SigFlags"]).(int64)
	af["SigFlags"] = flags | 3
	// AcroForm absent or direct in the catalog: putCatalogDict makes it an
	// object of its own.
	d.putCatalogDict(u, "AcroForm", d.acroRef, af)
	return nil
}

// putCatalogDict writes dict as object ref when the catalog already points
// at one under key; otherwise as a new object, and the catalog is written
// again pointing at it.
func (d *Document) putCatalogDict(u *update, key pdf.Name, ref pdf.Ref, dict pdf.Dict) {
	if ref != (pdf.Ref{}) {
		u.put(ref, dict)
		return
	}
	ref = u.alloc()
	u.put(ref, dict)
	cat := maps.Clone(d.catalog)
	cat[key] = ref
	u.put(d.rootRef, cat)
}

func rectArray(r pdf.Rect) pdf.Array {
	r = r.Normalize()
	return pdf.Array{r.LLX, r.LLY, r.URX, r.URY}
}
