package pades

import (
	"fmt"
	"os"
	"strings"

	"github.com/vanthuso/vanthu/signing/acroform"
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
	form     *acroform.Form
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

// docMDP returns the /P of the certification signature, if any (0 when
// the document is not certified).
func (d *Document) docMDP() int {
	p, _, ok := acroform.DocMDP(d.Reader)
	if !ok {
		return 0
	}
	return p
}

func mustResolve(r *pdf.Reader, o pdf.Object) pdf.Object {
	v, err := r.Resolve(o)
	if err != nil {
		return nil
	}
	return v
}

// readFields reads the form with signing/acroform (the walker the
// verifier shares) and lists the fields that carry widgets: terminal
// fields, and fields with widget kids beside child fields.
func (d *Document) readFields() error {
	form, err := acroform.Read(d.Reader)
	if err != nil {
		return err
	}
	d.form = form
	for _, fl := range form.Fields {
		if !fl.Terminal() && len(fl.Widgets) == 0 {
			continue
		}
		f := Field{Name: fl.Name, Type: fl.Type, Ref: fl.Ref, Signed: fl.Signed}
		if fl.Type == "Sig" && mustResolve(d.Reader, fl.Dict["V"]) != nil {
			// A value that is not a signature dictionary is no signature
			// to verify, but it is not ours to overwrite either.
			f.Signed = true
		}
		if len(fl.Widgets) > 0 {
			w := fl.Widgets[0]
			f.Widget, f.Page, f.Rect = w.Ref, w.Page, w.Rect
		}
		d.Fields = append(d.Fields, f)
	}
	return nil
}

// CheckFieldLock returns an error wrapping ErrFieldLocked when an
// earlier signature forbids signing the field name (an existing field, or
// a new one; "" is the new field's default name): signing would break
// that signature. Callers check before asking for the PIN.
func (d *Document) CheckFieldLock(name string) error {
	if name == "" {
		name = d.uniqueFieldName("Signature")
	}
	if by, locked := d.lockedBy(name); locked {
		return fmt.Errorf("%w: field %q, locked by the signature in %q", ErrFieldLocked, name, by)
	}
	return nil
}

// lockedBy says whether an earlier signature forbids filling or adding
// the signature field name (ISO 32000-1 12.8.2.4 FieldMDP, 12.7.4.5 the
// field's /Lock): a lock whose /P is 1 forbids every change after its
// signature; All, Include and Exclude lock names as acroform.Rule.Locks
// reads them, a name that does not exist yet included. It returns the
// locking signature's field name.
func (d *Document) lockedBy(name string) (string, bool) {
	if d.form == nil {
		return "", false
	}
	for _, sig := range d.form.Signatures() {
		l := acroform.Locks(d.Reader, sig.Sig, sig.Lock)
		if l.P == 1 || l.Locks(name) {
			return sig.Name, true
		}
	}
	return "", false
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
