package acroform

import (
	"errors"
	"fmt"

	"github.com/vanthuso/vanthu/signing/pdf"
)

// Limits of Read, for hostile files.
const (
	// MaxDepth is the deepest field tree read: a root field is at depth 0.
	MaxDepth = 32
	// MaxFields is the number of field dictionaries read.
	MaxFields = 100_000
	// MaxWidgets is the number of widget annotations read that are not
	// fields themselves (a field merged with its widget counts once, as a
	// field).
	MaxWidgets = 100_000
	// maxEntries bounds the /Fields and /Kids entries examined, so that an
	// array repeating one reference a million times ends too.
	maxEntries = 4 * (MaxFields + MaxWidgets)
)

// ErrLimit is returned, wrapped, by Read when the field tree is deeper or
// larger than the limits above. The Form returned with it holds what was
// read before the limit was reached.
var ErrLimit = errors.New("form field tree exceeds the reader's limits")

// Form is a document's interactive form.
type Form struct {
	// Dict is the AcroForm dictionary; nil when the document has none.
	Dict pdf.Dict
	// Ref is the AcroForm's object when the catalog refers to it; zero when
	// it is a direct object in the catalog or absent.
	Ref pdf.Ref
	// Fields is every field of the tree, each parent before its kids, in
	// the order of /Fields and /Kids.
	Fields []*Field
}

// Field is one field dictionary of the tree.
type Field struct {
	// Ref is the field's object; zero when it is a direct object.
	Ref  pdf.Ref
	Dict pdf.Dict
	// Parent is the field whose /Kids led here; nil for a field of
	// /Fields. The field's own /Parent entry is not trusted.
	Parent *Field
	// Kids are the child fields (kids with /T, or with kids of their own);
	// widget annotations are in Widgets.
	Kids []*Field
	// Partial is the field's own /T ("" when absent); Name the fully
	// qualified name: the partial names from the root, joined by '.'
	// (a field without /T has its parent's name).
	Partial, Name string
	// Type, Flags, Value and DA are /FT, /Ff, /V and /DA, inherited from
	// the nearest ancestor that has them; DA falls back to the AcroForm's
	// /DA. Value is as stored: a reference is not resolved.
	Type  string
	Flags uint32
	Value pdf.Object
	DA    string
	// Widgets are the field's widget annotations: the field itself when it
	// is merged with its widget (/Subtype /Widget, or a terminal field with
	// no widget kids), else its kids that are not fields.
	Widgets []Widget

	// Signed is true for a signature field (Type "Sig") whose value is a
	// dictionary: the signature dictionary Sig, whose object is SigRef
	// (zero when the value is a direct dictionary).
	Signed bool
	Sig    pdf.Dict
	SigRef pdf.Ref
	// Lock is the signature field's /Lock dictionary (its own, else the
	// nearest ancestor's); nil when none. It locks fields once the field
	// is signed: see Locks.
	Lock pdf.Dict
}

// Terminal reports whether the field has no child fields.
func (f *Field) Terminal() bool { return len(f.Kids) == 0 }

// Widget is one widget annotation of a field.
type Widget struct {
	// Ref is the annotation's object; zero when it is a direct object in
	// /Kids (then no page's /Annots can list it).
	Ref  pdf.Ref
	Dict pdf.Dict
	// Page is the 1-based page that shows it: the page /P names when that
	// is a page of the document, else the first page whose /Annots lists
	// it; 0 when neither is known.
	Page int
	// Rect is /Rect, normalized; zero when absent or malformed.
	Rect pdf.Rect
}

// Signatures returns the signed terminal signature fields, in field order.
// (A signed non-terminal field passes its value to its kids: they are the
// ones listed.)
func (f *Form) Signatures() []*Field {
	var out []*Field
	for _, fl := range f.Fields {
		if fl.Signed && fl.Terminal() {
			out = append(out, fl)
		}
	}
	return out
}

// Read reads the interactive form of the document r: the AcroForm (a
// reference or a direct dictionary in the catalog) and its field tree.
// A document without an AcroForm gives an empty Form. A /Fields or /Kids
// entry that does not resolve to a dictionary is skipped, an object met a
// second time (a cycle, or a field listed twice) is not read again, and a
// tree beyond MaxDepth, MaxFields or MaxWidgets ends the read with an
// error wrapping ErrLimit, returned with the part read. Read fails when
// the catalog cannot be read or /AcroForm is not a dictionary. It never
// panics.
func Read(r *pdf.Reader) (*Form, error) {
	cat, _, err := r.Catalog()
	if err != nil {
		return nil, fmt.Errorf("acroform: %w", err)
	}
	form := &Form{}
	form.Ref, _ = cat["AcroForm"].(pdf.Ref)
	if form.Dict, err = r.ResolveDict(cat["AcroForm"]); err != nil {
		return nil, fmt.Errorf("acroform: %w", err)
	}
	if form.Dict == nil {
		form.Ref = pdf.Ref{}
		return form, nil
	}
	w := &walker{r: r, form: form, seen: map[pdf.Ref]bool{}, pages: newPageIndex(r)}
	w.root.DA = daOf(resolve(r, form.Dict["DA"]))
	fields, _ := resolve(r, form.Dict["Fields"]).(pdf.Array)
	for _, o := range fields {
		d, ok, err := w.claim(o)
		if err != nil {
			return form, err
		}
		if ok {
			if err := w.field(o, d, &w.root, 0); err != nil {
				return form, err
			}
		}
	}
	return form, nil
}

// walker holds the state of one Read.
type walker struct {
	r       *pdf.Reader
	form    *Form
	root    Field // inherited values at the top: only DA
	seen    map[pdf.Ref]bool
	entries int
	widgets int
	pages   *pageIndex
}

// claim counts one /Fields or /Kids entry and returns its dictionary when
// it should be read: not for a reference already read, nor for an entry
// that is not a dictionary (dangling entries are not ours to repair). The
// error is the limit.
func (w *walker) claim(o pdf.Object) (pdf.Dict, bool, error) {
	w.entries++
	if w.entries > maxEntries {
		return nil, false, fmt.Errorf("acroform: %w: more than %d /Fields and /Kids entries", ErrLimit, maxEntries)
	}
	ref, isRef := o.(pdf.Ref)
	if isRef && w.seen[ref] {
		return nil, false, nil
	}
	d, err := w.r.ResolveDict(o)
	if err != nil || d == nil {
		return nil, false, nil
	}
	if isRef {
		w.seen[ref] = true
	}
	return d, true, nil
}

// field reads the field o (whose dictionary is d), a kid of parent
// (&w.root for /Fields), and its kids.
func (w *walker) field(o pdf.Object, d pdf.Dict, parent *Field, depth int) error {
	if depth > MaxDepth {
		return fmt.Errorf("acroform: %w: field tree deeper than %d", ErrLimit, MaxDepth)
	}
	if len(w.form.Fields) >= MaxFields {
		return fmt.Errorf("acroform: %w: more than %d fields", ErrLimit, MaxFields)
	}
	f := w.inherit(d, parent)
	f.Ref, _ = o.(pdf.Ref)
	if parent != &w.root {
		f.Parent = parent
		parent.Kids = append(parent.Kids, f)
	}
	w.form.Fields = append(w.form.Fields, f)

	kids, _ := resolve(w.r, d["Kids"]).(pdf.Array)
	type widgetKid struct {
		ref  pdf.Ref
		dict pdf.Dict
	}
	var widgetKids []widgetKid
	for _, k := range kids {
		kd, ok, err := w.claim(k)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		if isField(w.r, kd) {
			if err := w.field(k, kd, f, depth+1); err != nil {
				return err
			}
			continue
		}
		if w.widgets >= MaxWidgets {
			return fmt.Errorf("acroform: %w: more than %d widget annotations", ErrLimit, MaxWidgets)
		}
		w.widgets++
		kref, _ := k.(pdf.Ref)
		widgetKids = append(widgetKids, widgetKid{kref, kd})
	}
	st, _ := resolve(w.r, d["Subtype"]).(pdf.Name)
	if st == "Widget" || (len(widgetKids) == 0 && f.Terminal()) {
		f.Widgets = append(f.Widgets, w.widget(f.Ref, d))
	}
	for _, k := range widgetKids {
		f.Widgets = append(f.Widgets, w.widget(k.ref, k.dict))
	}
	return nil
}

// isField tells a kid that is a field from a kid that is only a widget
// annotation: a field has a partial name, or kids of its own and is not
// an annotation.
func isField(r *pdf.Reader, d pdf.Dict) bool {
	if _, ok := d["T"]; ok {
		return true
	}
	if st, _ := resolve(r, d["Subtype"]).(pdf.Name); st == "Widget" {
		return false
	}
	_, hasKids := d["Kids"]
	return hasKids
}

// inherit makes the Field of dictionary d under parent, with its name and
// inherited entries; a signature field's value and lock are read too.
func (w *walker) inherit(d pdf.Dict, parent *Field) *Field {
	r := w.r
	f := &Field{Dict: d, Name: parent.Name, Type: parent.Type, Flags: parent.Flags,
		Value: parent.Value, DA: parent.DA, Lock: parent.Lock}
	if t, ok := resolve(r, d["T"]).(pdf.String); ok {
		f.Partial = pdf.DecodeTextString(t)
		if f.Name != "" {
			f.Name += "." + f.Partial
		} else {
			f.Name = f.Partial
		}
	}
	if ft, ok := resolve(r, d["FT"]).(pdf.Name); ok {
		f.Type = string(ft)
	}
	if ff, ok := resolve(r, d["Ff"]).(int64); ok {
		f.Flags = uint32(ff)
	}
	if v, ok := d["V"]; ok {
		f.Value = v
	}
	if da, ok := resolve(r, d["DA"]).(pdf.String); ok {
		f.DA = string(da)
	}
	if lock, err := r.ResolveDict(d["Lock"]); err == nil && lock != nil {
		f.Lock = lock
	}
	if f.Type == "Sig" {
		if sig, err := r.ResolveDict(f.Value); err == nil && sig != nil {
			f.Signed, f.Sig = true, sig
			f.SigRef, _ = f.Value.(pdf.Ref)
		}
	}
	return f
}

// widget reads one widget annotation's page and rectangle.
func (w *walker) widget(ref pdf.Ref, d pdf.Dict) Widget {
	wd := Widget{Ref: ref, Dict: d, Rect: readRect(w.r, d["Rect"])}
	if p, ok := d["P"].(pdf.Ref); ok {
		wd.Page = w.pages.number(p)
	}
	if wd.Page == 0 && ref != (pdf.Ref{}) {
		wd.Page = w.pages.listing(ref)
	}
	return wd
}

// pageIndex maps page objects to page numbers and annotations to the page
// listing them, each built once, when first needed.
type pageIndex struct {
	r      *pdf.Reader
	n      int // pages; -1 until read
	refs   map[pdf.Ref]int
	annots map[pdf.Ref]int
}

func newPageIndex(r *pdf.Reader) *pageIndex { return &pageIndex{r: r, n: -1} }

func (p *pageIndex) count() int {
	if p.n < 0 {
		p.n = 0
		if n, err := p.r.NumPages(); err == nil {
			p.n = n
		}
	}
	return p.n
}

// number is the 1-based number of page object ref; 0 when ref is not a
// page of the document.
func (p *pageIndex) number(ref pdf.Ref) int {
	if p.refs == nil {
		p.refs = map[pdf.Ref]int{}
		for n := 1; n <= p.count(); n++ {
			pr, _, _, err := p.r.Page(n)
			if err != nil {
				break
			}
			if _, dup := p.refs[pr]; !dup {
				p.refs[pr] = n
			}
		}
	}
	return p.refs[ref]
}

// listing is the first page whose /Annots lists annotation ref; 0 when
// none does.
func (p *pageIndex) listing(ref pdf.Ref) int {
	if p.annots == nil {
		p.annots = map[pdf.Ref]int{}
		for n := 1; n <= p.count(); n++ {
			_, page, _, err := p.r.Page(n)
			if err != nil {
				break
			}
			annots, _ := resolve(p.r, page["Annots"]).(pdf.Array)
			for i, a := range annots {
				if i >= maxEntries {
					break
				}
				if ar, ok := a.(pdf.Ref); ok {
					if _, dup := p.annots[ar]; !dup {
						p.annots[ar] = n
					}
				}
			}
		}
	}
	return p.annots[ref]
}

// resolve is r.Resolve with errors read as null.
func resolve(r *pdf.Reader, o pdf.Object) pdf.Object {
	v, err := r.Resolve(o)
	if err != nil {
		return nil
	}
	return v
}

func daOf(o pdf.Object) string {
	s, _ := o.(pdf.String)
	return string(s)
}

// readRect reads a rectangle of four numbers, normalized; zero otherwise.
func readRect(r *pdf.Reader, o pdf.Object) pdf.Rect {
	arr, _ := resolve(r, o).(pdf.Array)
	if len(arr) != 4 {
		return pdf.Rect{}
	}
	var v [4]float64
	for i, e := range arr {
		switch n := resolve(r, e).(type) {
		case int64:
			v[i] = float64(n)
		case float64:
			v[i] = n
		default:
			return pdf.Rect{}
		}
	}
	return pdf.Rect{LLX: v[0], LLY: v[1], URX: v[2], URY: v[3]}.Normalize()
}
