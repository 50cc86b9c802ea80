package pades

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/vanthuso/vanthu/signing/pdf"
)

// Field is one terminal AcroForm field.
type Field struct {
	Name   string  // fully qualified name (parent names joined by '.')
	Type   string  // /FT, inherited: "Sig", "Tx", "Btn", "Ch" or ""
	Ref    pdf.Ref // the field dictionary
	Widget pdf.Ref // its first widget annotation (the field itself when merged); zero if none
	Page   int     // 1-based page of the widget; 0 when unknown
	Rect   pdf.Rect
	Signed bool // signature field with a /V value
}

// Visible reports whether the widget has a non-empty rectangle.
func (f Field) Visible() bool {
	r := f.Rect.Normalize()
	return r.Width() > 0 && r.Height() > 0
}

// Document is what the signer learns about a PDF before changing it.
// Close releases the file.
type Document struct {
	Reader    *pdf.Reader
	Size      int64
	Pages     int
	Encrypted bool
	// DocMDP is the certification level of a certified document: 1 no
	// changes allowed, 2 form filling and signing, 3 also annotations;
	// 0 when the document is not certified.
	DocMDP int
	Fields []Field

	f        *os.File
	catalog  pdf.Dict
	rootRef  pdf.Ref
	acroForm pdf.Dict
	acroRef  pdf.Ref // zero when the AcroForm is direct in the catalog or absent
	pageRefs map[pdf.Ref]int
}

// Inspect opens the PDF at path and reads its structure: pages, form
// fields, certification. The caller must Close the Document.
func Inspect(path string) (*Document, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	d, err := inspect(f, fi.Size())
	if err != nil {
		f.Close()
		return nil, err
	}
	d.f = f
	return d, nil
}

// Close releases the file.
func (d *Document) Close() error {
	if d.f == nil {
		return nil
	}
	err := d.f.Close()
	d.f = nil
	return err
}

func inspect(f *os.File, size int64) (*Document, error) {
	r, err := pdf.Open(f, size)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	d := &Document{Reader: r, Size: size, Encrypted: r.Encrypted()}
	if d.Encrypted {
		return d, nil
	}
	d.catalog, d.rootRef, err = r.Catalog()
	if err != nil {
		return nil, fmt.Errorf("%w: catalog: %v", ErrMalformed, err)
	}
	if d.Pages, err = r.NumPages(); err != nil {
		return nil, fmt.Errorf("%w: page tree: %v", ErrMalformed, err)
	}
	if d.Pages < 1 {
		return nil, fmt.Errorf("%w: the document has no pages", ErrMalformed)
	}
	if ref, ok := d.catalog["AcroForm"].(pdf.Ref); ok {
		d.acroRef = ref
	}
	if d.acroForm, err = r.ResolveDict(d.catalog["AcroForm"]); err != nil {
		return nil, fmt.Errorf("%w: AcroForm: %v", ErrMalformed, err)
	}
	d.DocMDP = d.docMDP()
	if err := d.readFields(); err != nil {
		return nil, fmt.Errorf("%w: form fields: %v", ErrMalformed, err)
	}
	return d, nil
}

// docMDP returns the /P of the certification signature, if any.
func (d *Document) docMDP() int {
	r := d.Reader
	perms, err := r.ResolveDict(d.catalog["Perms"])
	if err != nil || perms == nil {
		return 0
	}
	sig, err := r.ResolveDict(perms["DocMDP"])
	if err != nil || sig == nil {
		return 0
	}
	refs, _ := r.Resolve(sig["Reference"])
	arr, _ := refs.(pdf.Array)
	for _, e := range arr {
		ref, err := r.ResolveDict(e)
		if err != nil || ref == nil {
			continue
		}
		if m, _ := r.Resolve(ref["TransformMethod"]); m != pdf.Name("DocMDP") {
			continue
		}
		params, _ := r.ResolveDict(ref["TransformParams"])
		p := int64(2)
		if params != nil {
			if v, ok := mustResolve(r, params["P"]).(int64); ok {
				p = v
			}
		}
		if p < 1 || p > 3 {
			p = 2
		}
		return int(p)
	}
	// A /DocMDP entry without a readable transform: treat as level 2, the default.
	return 2
}

func mustResolve(r *pdf.Reader, o pdf.Object) pdf.Object {
	v, err := r.Resolve(o)
	if err != nil {
		return nil
	}
	return v
}

const maxFieldDepth = 32
const maxFields = 100000

func (d *Document) readFields() error {
	if d.acroForm == nil {
		return nil
	}
	fields, _ := mustResolve(d.Reader, d.acroForm["Fields"]).(pdf.Array)
	seen := map[pdf.Ref]bool{}
	for _, f := range fields {
		if err := d.walkField(f, "", "", seen, 0); err != nil {
			return err
		}
	}
	return nil
}

func (d *Document) walkField(o pdf.Object, parentName, parentFT string, seen map[pdf.Ref]bool, depth int) error {
	if depth > maxFieldDepth {
		return errors.New("field tree too deep")
	}
	ref, _ := o.(pdf.Ref)
	if ref != (pdf.Ref{}) {
		if seen[ref] {
			return nil
		}
		seen[ref] = true
	}
	if len(seen) > maxFields {
		return errors.New("too many form fields")
	}
	dict, err := d.Reader.ResolveDict(o)
	if err != nil || dict == nil {
		return nil // a dangling entry in /Fields is not ours to fix
	}
	name := parentName
	if t, ok := mustResolve(d.Reader, dict["T"]).(pdf.String); ok {
		part := pdf.DecodeTextString(t)
		if name != "" {
			name += "." + part
		} else {
			name = part
		}
	}
	ft := parentFT
	if v, ok := mustResolve(d.Reader, dict["FT"]).(pdf.Name); ok {
		ft = string(v)
	}
	kids, _ := mustResolve(d.Reader, dict["Kids"]).(pdf.Array)
	var childFields []pdf.Object
	var widgets []pdf.Ref
	for _, k := range kids {
		kd, err := d.Reader.ResolveDict(k)
		if err != nil || kd == nil {
			continue
		}
		if _, hasT := kd["T"]; hasT {
			childFields = append(childFields, k)
		} else if kr, ok := k.(pdf.Ref); ok {
			widgets = append(widgets, kr)
		}
	}
	for _, c := range childFields {
		if err := d.walkField(c, name, ft, seen, depth+1); err != nil {
			return err
		}
	}
	if len(childFields) > 0 && len(widgets) == 0 {
		return nil // non-terminal field
	}
	f := Field{Name: name, Type: ft, Ref: ref}
	if ft == "Sig" {
		v := mustResolve(d.Reader, dict["V"])
		f.Signed = v != nil
	}
	widgetDict := pdf.Dict(nil)
	if st, _ := mustResolve(d.Reader, dict["Subtype"]).(pdf.Name); st == "Widget" || len(widgets) == 0 {
		f.Widget, widgetDict = ref, dict
	} else {
		f.Widget = widgets[0]
		widgetDict, _ = d.Reader.ResolveDict(widgets[0])
	}
	if widgetDict != nil {
		f.Rect = readRect(d.Reader, widgetDict["Rect"])
		if p, ok := widgetDict["P"].(pdf.Ref); ok {
			f.Page = d.pageNumber(p)
		}
		if f.Page == 0 && f.Widget != (pdf.Ref{}) {
			f.Page = d.findWidgetPage(f.Widget)
		}
	}
	d.Fields = append(d.Fields, f)
	return nil
}

func readRect(r *pdf.Reader, o pdf.Object) pdf.Rect {
	arr, _ := mustResolve(r, o).(pdf.Array)
	if len(arr) != 4 {
		return pdf.Rect{}
	}
	var v [4]float64
	for i, e := range arr {
		switch n := mustResolve(r, e).(type) {
		case int64:
			v[i] = float64(n)
		case float64:
			v[i] = n
		}
	}
	return pdf.Rect{LLX: v[0], LLY: v[1], URX: v[2], URY: v[3]}.Normalize()
}

// pageNumber maps a page object reference to its 1-based number (0 when
// the reference is not a page of this document).
func (d *Document) pageNumber(ref pdf.Ref) int {
	if d.pageRefs == nil {
		d.pageRefs = map[pdf.Ref]int{}
		for n := 1; n <= d.Pages; n++ {
			pr, _, _, err := d.Reader.Page(n)
			if err != nil {
				break
			}
			d.pageRefs[pr] = n
		}
	}
	return d.pageRefs[ref]
}

// findWidgetPage looks for the widget in every page's /Annots; used for
// widgets without /P (allowed by the standard).
func (d *Document) findWidgetPage(w pdf.Ref) int {
	for n := 1; n <= d.Pages; n++ {
		_, page, _, err := d.Reader.Page(n)
		if err != nil {
			return 0
		}
		annots, _ := mustResolve(d.Reader, page["Annots"]).(pdf.Array)
		for _, a := range annots {
			if a == w {
				return n
			}
		}
	}
	return 0
}

// Field returns the terminal field with the given fully qualified name.
func (d *Document) Field(name string) (Field, bool) {
	for _, f := range d.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// PageGeometry returns the geometry of page n (1-based).
func (d *Document) PageGeometry(n int) (pdf.PageGeometry, error) {
	if n < 1 || n > d.Pages {
		return pdf.PageGeometry{}, fmt.Errorf("page %d does not exist (the document has %d)", n, d.Pages)
	}
	_, _, g, err := d.Reader.Page(n)
	return g, err
}

// LastVisibleSignature returns the most recently listed signed signature
// field that has a visible widget: the leader's signature a clerk's seal
// must overlap.
func (d *Document) LastVisibleSignature() (Field, bool) {
	for i := len(d.Fields) - 1; i >= 0; i-- {
		f := d.Fields[i]
		if f.Type == "Sig" && f.Signed && f.Visible() && f.Page > 0 {
			return f, true
		}
	}
	return Field{}, false
}

// uniqueFieldName returns base followed by the smallest number not used
// by any field.
func (d *Document) uniqueFieldName(base string) string {
	used := map[string]bool{}
	for _, f := range d.Fields {
		used[strings.ToLower(f.Name)] = true
	}
	for i := 1; ; i++ {
		n := fmt.Sprintf("%s%d", base, i)
		if !used[strings.ToLower(n)] {
			return n
		}
	}
}
