package verify

import (
	"bytes"
	"fmt"
	"io"
	"reflect"
	"slices"
	"sort"

	"github.com/vanthuso/vanthu/signing/pdf"
)

// Limits of the comparison, for hostile files.
const (
	maxComparePages   = 20000
	maxPageMapObjects = 200000
	maxChanges        = 1000
)

// comparer compares the signed revision (old) with the final document (cur).
type comparer struct {
	v        *verifier
	old, cur *pdf.Reader
	end      int64
	p        int // DocMDP level in effect: 0 (approval only), 1, 2, 3
	lock     fieldLock
	changed  map[pdf.Ref]bool // objects (re)defined after the signed revision
	handled  map[uint32]bool
	pageOf   map[uint32]int
	changes  []Change
	lockP    int
	// allowedAP holds appearance streams of fields whose change was allowed.
	allowedAP map[uint32]bool
	// moved holds objects whose cross-reference entry changed although the
	// object read is the same (the entry points at another object's body).
	moved map[pdf.Ref]bool
}

type location struct {
	off int64
	in  uint32
	ok  bool
}

// markChanged finds the objects whose cross-reference entry in the final
// document differs from the signed revision's, and the objects inside
// object streams that were themselves redefined.
func (c *comparer) markChanged() {
	loc := func(r *pdf.Reader, ref pdf.Ref) location {
		off, in, ok := r.ObjectOffset(ref)
		return location{off, in, ok}
	}
	streamChanged := map[uint32]bool{}
	for _, ref := range c.cur.Refs() {
		a, b := loc(c.old, ref), loc(c.cur, ref)
		if a != b {
			c.changed[ref] = true
			if a.in == 0 {
				streamChanged[ref.Num] = true
			}
		}
	}
	for _, ref := range c.cur.Refs() {
		if c.changed[ref] {
			continue
		}
		if b := loc(c.cur, ref); b.in != 0 && streamChanged[b.in] {
			c.changed[ref] = true
		}
	}
}

// fieldLock is a FieldMDP lock: which fields may not change.
type fieldLock struct {
	action string // All, Include, Exclude; "" = no lock
	fields map[string]bool
}

func (l fieldLock) locked(name string) bool {
	switch l.action {
	case "All":
		return true
	case "Include":
		return l.fields[name]
	case "Exclude":
		return !l.fields[name]
	}
	return false
}

func (v *verifier) readLock(sig pdf.Dict, fieldLockDict pdf.Dict) (fieldLock, int) {
	var params pdf.Dict
	refs, _ := v.resolve(sig["Reference"]).(pdf.Array)
	for _, e := range refs {
		rd, _ := v.r.ResolveDict(e)
		if rd == nil {
			continue
		}
		if m, _ := v.resolve(rd["TransformMethod"]).(pdf.Name); m == "FieldMDP" {
			params, _ = v.r.ResolveDict(rd["TransformParams"])
			break
		}
	}
	if params == nil {
		params = fieldLockDict
	}
	if params == nil {
		return fieldLock{}, 0
	}
	p := 0
	for _, d := range []pdf.Dict{params, fieldLockDict} {
		if x, ok := v.resolve(d["P"]).(int64); ok && x >= 1 && x <= 3 && p == 0 {
			p = int(x)
		}
	}
	a, _ := v.resolve(params["Action"]).(pdf.Name)
	l := fieldLock{action: string(a), fields: map[string]bool{}}
	fs, _ := v.resolve(params["Fields"]).(pdf.Array)
	for _, f := range fs {
		if s, ok := v.resolve(f).(pdf.String); ok {
			l.fields[pdf.DecodeTextString(s)] = true
		}
	}
	return l, p
}

// changesAfter lists the differences between the revision signature s signed
// and the final document, each marked allowed or not.
func (v *verifier) changesAfter(s *Signature, e sigEntry) ([]Change, error) {
	end := s.signedEnd
	old, err := pdf.Open(io.NewSectionReader(v.f, 0, end), end)
	if err != nil {
		return nil, err
	}
	c := &comparer{v: v, old: old, cur: v.r, end: end, changed: map[pdf.Ref]bool{}, handled: map[uint32]bool{}}
	if v.certP > 0 && v.certEnd > 0 && v.certEnd <= end {
		c.p = v.certP
	}
	c.lock, c.lockP = v.readLock(e.dict, e.lock)
	if c.p == 0 && c.lockP > 0 {
		c.p = c.lockP
	}
	c.allowedAP = map[uint32]bool{}
	c.markChanged()
	if len(c.changed) == 0 {
		return nil, nil
	}
	c.run()
	return c.changes, nil
}

func (c *comparer) add(ch Change) {
	if len(c.changes) < maxChanges {
		c.changes = append(c.changes, ch)
	}
}

func (c *comparer) oldResolve(o pdf.Object) pdf.Object {
	x, err := c.old.Resolve(o)
	if err != nil {
		return nil
	}
	return x
}

func (c *comparer) curResolve(o pdf.Object) pdf.Object {
	x, err := c.cur.Resolve(o)
	if err != nil {
		return nil
	}
	return x
}

func dictOf(o pdf.Object) pdf.Dict {
	switch x := o.(type) {
	case pdf.Dict:
		return x
	case *pdf.Stream:
		return x.Dict
	}
	return nil
}

func refNum(o pdf.Object) int {
	if r, ok := o.(pdf.Ref); ok {
		return int(r.Num)
	}
	return 0
}

func (c *comparer) run() {
	oldCat, oldRoot, err1 := c.old.Catalog()
	curCat, curRoot, err2 := c.cur.Catalog()
	if err1 != nil || err2 != nil {
		c.add(Change{Kind: "catalog", Detail: "catalog unreadable"})
		return
	}
	c.handled[oldRoot.Num], c.handled[curRoot.Num] = true, true
	c.compareCatalog(oldCat, curCat, int(curRoot.Num))
	c.comparePages()
	c.compareObjects(oldCat)
	c.deletedObjects()
	sort.SliceStable(c.changes, func(i, j int) bool { return !c.changes[i].Allowed && c.changes[j].Allowed })
}

// compareCatalog compares the catalog's entries.
func (c *comparer) compareCatalog(oldCat, curCat pdf.Dict, obj int) {
	keys := unionKeys(oldCat, curCat)
	for _, k := range keys {
		a, b := oldCat[k], curCat[k]
		same := reflect.DeepEqual(a, b)
		switch k {
		case "AcroForm":
			c.compareAcroForm(a, b)
			continue
		case "DSS":
			if r, ok := b.(pdf.Ref); ok {
				c.handled[r.Num] = true
				c.markDSS(b)
			}
			if !same {
				c.add(Change{Kind: "dss", Object: obj, Allowed: true})
			}
			continue
		case "Pages":
			if !same {
				c.add(Change{Kind: "pages", Object: obj, Detail: "the page tree was replaced"})
			}
			continue
		}
		if same {
			continue
		}
		switch k {
		case "Extensions", "Version", "Metadata", "StructTreeRoot", "MarkInfo":
			c.add(Change{Kind: "catalog", Object: obj, Detail: "/" + string(k), Allowed: true})
		default:
			c.add(Change{Kind: "catalog", Object: obj, Detail: "/" + string(k) + " changed"})
		}
	}
}

// markDSS marks the DSS dictionary and its VRI dictionaries as handled:
// validation data may be added and replaced after signing.
func (c *comparer) markDSS(o pdf.Object) {
	n := 0
	var walk func(o pdf.Object, depth int)
	walk = func(o pdf.Object, depth int) {
		if depth > 5 || n > 100000 {
			return
		}
		n++
		if r, ok := o.(pdf.Ref); ok {
			c.handled[r.Num] = true
			o = c.curResolve(r)
		}
		switch x := o.(type) {
		case pdf.Dict:
			for _, e := range x {
				walk(e, depth+1)
			}
		case pdf.Array:
			for _, e := range x {
				walk(e, depth+1)
			}
		}
	}
	walk(o, 0)
}

func unionKeys(a, b pdf.Dict) []pdf.Name {
	var keys []pdf.Name
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

func (c *comparer) compareAcroForm(a, b pdf.Object) {
	for _, o := range []pdf.Object{a, b} {
		if r, ok := o.(pdf.Ref); ok {
			c.handled[r.Num] = true
		}
	}
	oldAF, _ := c.old.ResolveDict(a)
	curAF, _ := c.cur.ResolveDict(b)
	obj := refNum(b)
	if curAF == nil {
		if oldAF != nil {
			c.add(Change{Kind: "acroform", Object: obj, Detail: "the form was removed"})
		}
		return
	}
	for _, k := range unionKeys(oldAF, curAF) {
		x, y := oldAF[k], curAF[k]
		if k == "Fields" {
			c.compareFields(x, y, obj)
			continue
		}
		if reflect.DeepEqual(x, y) && !c.changedRef(y) {
			continue
		}
		switch k {
		case "SigFlags", "DR", "DA", "NeedAppearances":
			if r, ok := y.(pdf.Ref); ok {
				c.handled[r.Num] = true
			}
			c.add(Change{Kind: "acroform", Object: obj, Detail: "/" + string(k), Allowed: true})
		default:
			c.add(Change{Kind: "acroform", Object: obj, Detail: "/" + string(k) + " changed"})
		}
	}
}

func (c *comparer) changedRef(o pdf.Object) bool {
	r, ok := o.(pdf.Ref)
	return ok && c.changed[r]
}

func (c *comparer) compareFields(a, b pdf.Object, obj int) {
	for _, o := range []pdf.Object{a, b} {
		if r, ok := o.(pdf.Ref); ok {
			c.handled[r.Num] = true
		}
	}
	oldF, _ := c.oldResolve(a).(pdf.Array)
	curF, _ := c.curResolve(b).(pdf.Array)
	had := map[pdf.Ref]bool{}
	for _, f := range oldF {
		if r, ok := f.(pdf.Ref); ok {
			had[r] = true
		}
	}
	has := map[pdf.Ref]bool{}
	for _, f := range curF {
		r, ok := f.(pdf.Ref)
		if !ok {
			continue
		}
		has[r] = true
		if had[r] {
			continue
		}
		d, _ := c.cur.ResolveDict(r)
		if ft := c.fieldType(c.cur, d); ft == "Sig" {
			c.add(Change{Kind: "signature-field", Object: int(r.Num), Detail: "new signature field", Allowed: true})
		} else {
			c.add(Change{Kind: "form-field", Page: c.widgetPage(d), Object: int(r.Num), Detail: "new " + ft + " field added"})
		}
	}
	for r := range had {
		if !has[r] {
			c.add(Change{Kind: "form-field", Object: int(r.Num), Detail: "field removed"})
		}
	}
}

// fieldType returns the field type of a field or widget, inherited through
// /Parent.
func (c *comparer) fieldType(r *pdf.Reader, d pdf.Dict) string {
	for i := 0; d != nil && i < 32; i++ {
		if ft, ok := d["FT"].(pdf.Name); ok {
			return string(ft)
		}
		d, _ = r.ResolveDict(d["Parent"])
	}
	return ""
}

// fieldName returns the fully qualified name of a field or widget.
func fieldName(r *pdf.Reader, d pdf.Dict) string {
	name := ""
	for i := 0; d != nil && i < 32; i++ {
		if t, ok := d["T"].(pdf.String); ok {
			if name == "" {
				name = pdf.DecodeTextString(t)
			} else {
				name = pdf.DecodeTextString(t) + "." + name
			}
		}
		d, _ = r.ResolveDict(d["Parent"])
	}
	return name
}

func (c *comparer) widgetPage(d pdf.Dict) int {
	if d == nil {
		return 0
	}
	if p, ok := d["P"].(pdf.Ref); ok {
		return c.page(p.Num)
	}
	return 0
}

// comparePages compares the page list and each page dictionary.
func (c *comparer) comparePages() {
	on, err1 := c.old.NumPages()
	cn, err2 := c.cur.NumPages()
	if err1 != nil || err2 != nil {
		if err1 == nil && err2 != nil {
			c.add(Change{Kind: "pages", Detail: "the page tree no longer reads"})
		}
		return
	}
	if on != cn {
		c.add(Change{Kind: "pages", Page: min(on, cn) + 1, Detail: fmt.Sprintf("%d pages when signed, %d now", on, cn)})
	}
	n := min(on, cn, maxComparePages)
	for i := 1; i <= n; i++ {
		or, od, _, err1 := c.old.Page(i)
		cr, cd, _, err2 := c.cur.Page(i)
		if err1 != nil || err2 != nil {
			continue
		}
		c.handled[cr.Num] = true
		if or != cr {
			c.add(Change{Kind: "pages", Page: i, Object: int(cr.Num), Detail: "page replaced or reordered"})
			continue
		}
		if !c.changed[cr] {
			continue
		}
		for _, k := range unionKeys(od, cd) {
			if k == "Annots" {
				c.compareAnnots(i, od[k], cd[k])
				continue
			}
			if reflect.DeepEqual(od[k], cd[k]) {
				continue
			}
			if k == "StructParents" || k == "Tabs" {
				c.add(Change{Kind: "structure", Page: i, Object: int(cr.Num), Detail: "/" + string(k), Allowed: true})
				continue
			}
			kind := "page"
			switch k {
			case "Contents":
				kind = "page-content"
			case "Resources":
				kind = "page-resources"
			}
			c.add(Change{Kind: kind, Page: i, Object: int(cr.Num), Detail: "/" + string(k) + " changed"})
		}
	}
}

func (c *comparer) compareAnnots(page int, a, b pdf.Object) {
	for _, o := range []pdf.Object{a, b} {
		if r, ok := o.(pdf.Ref); ok {
			c.handled[r.Num] = true
		}
	}
	oldA, _ := c.oldResolve(a).(pdf.Array)
	curA, _ := c.curResolve(b).(pdf.Array)
	had := map[pdf.Ref]bool{}
	for _, x := range oldA {
		if r, ok := x.(pdf.Ref); ok {
			had[r] = true
		}
	}
	has := map[pdf.Ref]bool{}
	for _, x := range curA {
		r, isRef := x.(pdf.Ref)
		if isRef {
			has[r] = true
			if had[r] {
				continue
			}
		} else if slices.ContainsFunc(oldA, func(y pdf.Object) bool { return reflect.DeepEqual(x, y) }) {
			continue
		}
		d, _ := c.cur.ResolveDict(x)
		st, _ := c.curResolve(d["Subtype"]).(pdf.Name)
		obj := refNum(x)
		if st == "Widget" {
			if ft := c.fieldType(c.cur, d); ft == "Sig" {
				c.add(Change{Kind: "signature-widget", Page: page, Object: obj, Allowed: true})
			} else {
				c.add(Change{Kind: "widget", Page: page, Object: obj, Detail: fmt.Sprintf("new widget of a %q field %q", ft, fieldName(c.cur, d))})
			}
			continue
		}
		ch := Change{Kind: "annotation", Page: page, Object: obj, Detail: "new /" + string(st) + " annotation"}
		switch {
		case c.p == 3:
			ch.Allowed = true
		case c.p == 0 && c.isSignatureMark(x, d, st):
			// The number and date a clerk stamps when issuing a document
			// (Nghị định 30): locked marks written in the same update as a
			// later signature, which signs them.
			ch.Kind, ch.Allowed = "signature-mark", true
			ch.Detail = "locked /Stamp annotation added with a later signature, which covers it"
		}
		c.add(ch)
	}
	for r := range had {
		if !has[r] {
			c.add(Change{Kind: "annotation", Page: page, Object: int(r.Num), Detail: "annotation removed"})
		}
	}
}

// page returns the page (in the signed revision) that uses object num, 0 if
// none is known.
func (c *comparer) page(num uint32) int {
	if c.pageOf == nil {
		c.buildPageMap()
	}
	return c.pageOf[num]
}

func (c *comparer) buildPageMap() {
	c.pageOf = map[uint32]int{}
	n, err := c.old.NumPages()
	if err != nil {
		return
	}
	n = min(n, maxComparePages)
	mark := func(o pdf.Object, page int) {
		if r, ok := o.(pdf.Ref); ok {
			if _, seen := c.pageOf[r.Num]; !seen {
				c.pageOf[r.Num] = page
			}
		}
	}
	var markRes func(res pdf.Object, page, depth int)
	markRes = func(res pdf.Object, page, depth int) {
		if depth > 3 || len(c.pageOf) > maxPageMapObjects {
			return
		}
		mark(res, page)
		rd, _ := c.old.ResolveDict(res)
		for _, sub := range rd {
			mark(sub, page)
			sd, _ := c.old.ResolveDict(sub)
			for _, x := range sd {
				mark(x, page)
				if s, ok := c.oldResolve(x).(*pdf.Stream); ok {
					if inner, ok := s.Dict["Resources"]; ok {
						markRes(inner, page, depth+1)
					}
				}
			}
		}
	}
	for i := 1; i <= n && len(c.pageOf) < maxPageMapObjects; i++ {
		r, d, _, err := c.old.Page(i)
		if err != nil {
			continue
		}
		mark(r, i)
		mark(d["Contents"], i)
		if arr, ok := c.oldResolve(d["Contents"]).(pdf.Array); ok {
			for _, x := range arr {
				mark(x, i)
			}
		}
		mark(d["Annots"], i)
		if arr, ok := c.oldResolve(d["Annots"]).(pdf.Array); ok {
			for _, x := range arr {
				mark(x, i)
				if ad, _ := c.old.ResolveDict(x); ad != nil {
					if ap, _ := c.old.ResolveDict(ad["AP"]); ap != nil {
						for _, s := range ap {
							mark(s, i)
						}
					}
				}
			}
		}
		markRes(d["Resources"], i, 0)
	}
}

// compareObjects classifies every object of the signed revision that was
// redefined later and not already judged as part of the catalog, form or
// pages. Fields go first, so the appearance streams of allowed form filling
// are known when the streams come.
func (c *comparer) compareObjects(oldCat pdf.Dict) {
	infoRef, _ := c.old.Trailer()["Info"].(pdf.Ref)
	dssRef, _ := oldCat["DSS"].(pdf.Ref)
	refs := make([]pdf.Ref, 0, len(c.changed))
	for r := range c.changed {
		refs = append(refs, r)
	}
	slices.SortFunc(refs, func(a, b pdf.Ref) int { return int(a.Num) - int(b.Num) })
	type pending struct {
		ref      pdf.Ref
		old, cur pdf.Object
	}
	var fields, others []pending
	for _, ref := range refs {
		if c.handled[ref.Num] {
			continue
		}
		oldObj, err := c.old.Get(ref)
		if err != nil || oldObj == nil {
			continue // a new object: judged where it is referenced
		}
		curObj, _ := c.cur.Get(ref)
		if c.equal(oldObj, curObj) {
			if !c.headerAt(ref) {
				others = append(others, pending{ref, oldObj, nil})
			}
			continue
		}
		od := dictOf(oldObj)
		if od != nil && (od["FT"] != nil || od["Parent"] != nil && od["T"] != nil || od["Subtype"] == pdf.Name("Widget")) {
			fields = append(fields, pending{ref, oldObj, curObj})
		} else {
			others = append(others, pending{ref, oldObj, curObj})
		}
	}
	for _, f := range fields {
		c.fieldChange(f.ref, dictOf(f.old), dictOf(f.cur))
	}
	for _, o := range others {
		ref, oldObj := o.ref, o.old
		obj := int(ref.Num)
		od := dictOf(oldObj)
		cd := dictOf(o.cur)
		typ, _ := od["Type"].(pdf.Name)
		if o.cur == nil {
			c.add(Change{Kind: c.kindOf(ref, oldObj), Page: c.page(ref.Num), Object: obj,
				Detail: "the cross-reference entry now points at the body of another object"})
			continue
		}
		switch {
		case ref == infoRef:
			c.add(Change{Kind: "info", Object: obj, Allowed: true})
			continue
		case ref == dssRef || typ == "DSS" || typ == "VRI":
			c.add(Change{Kind: "dss", Object: obj, Allowed: true})
			continue
		case typ == "XRef" || typ == "ObjStm":
			continue
		case typ == "Metadata":
			c.add(Change{Kind: "metadata", Object: obj, Allowed: true})
			continue
		case typ == "StructTreeRoot" || typ == "StructElem" || isNumberTreeNode(od) && isNumberTreeNode(cd):
			c.add(Change{Kind: "structure", Object: obj, Allowed: true})
			continue
		case typ == "Sig" || typ == "DocTimeStamp" || (od["ByteRange"] != nil && od["Contents"] != nil):
			c.add(Change{Kind: "signature-dict", Object: obj, Detail: "an existing signature dictionary was redefined"})
			continue
		case c.allowedAP[ref.Num]:
			c.add(Change{Kind: "form-fill", Object: obj, Detail: "appearance of a filled field", Allowed: true})
			continue
		case typ == "Pages":
			if diff := diffKeys(od, cd); !slices.ContainsFunc(diff, isInheritable) {
				c.add(Change{Kind: "pages", Object: obj, Detail: fmt.Sprintf("private entries %v", diff), Allowed: true})
				continue
			}
		}
		if st, ok := od["Subtype"].(pdf.Name); ok && (typ == "Annot" || od["Rect"] != nil) {
			ch := Change{Kind: "annotation", Page: c.page(ref.Num), Object: obj, Detail: "/" + string(st) + " annotation modified"}
			ch.Allowed = c.p == 3
			c.add(ch)
			continue
		}
		detail := "an object of the signed revision was redefined"
		if od != nil && cd != nil {
			if diff := diffKeys(od, cd); len(diff) > 0 {
				detail += fmt.Sprintf(": %v changed", diff)
			}
		}
		c.add(Change{Kind: c.kindOf(ref, oldObj), Page: c.page(ref.Num), Object: obj, Detail: detail})
	}
}

// kindOf names what an object of the signed revision is.
func (c *comparer) kindOf(ref pdf.Ref, o pdf.Object) string {
	od := dictOf(o)
	typ, _ := od["Type"].(pdf.Name)
	st, _ := od["Subtype"].(pdf.Name)
	page := c.page(ref.Num)
	switch {
	case typ == "Page":
		return "page"
	case typ == "Pages":
		return "pages"
	case typ == "Font" || typ == "XObject" || typ == "ExtGState" || st == "Image" || st == "Form":
		return "resources"
	case page > 0:
		if _, isStream := o.(*pdf.Stream); isStream && od["Subtype"] == nil {
			return "page-content"
		}
		return "page-resources"
	}
	return "object"
}

func isInheritable(k string) bool {
	switch k {
	case "Kids", "Count", "Resources", "MediaBox", "CropBox", "Rotate", "Parent", "Type":
		return true
	}
	return false
}

func isNumberTreeNode(d pdf.Dict) bool {
	if d == nil || d["Type"] != nil {
		return false
	}
	for k := range d {
		if k != "Nums" && k != "Kids" && k != "Limits" {
			return false
		}
	}
	return len(d) > 0
}

func diffKeys(a, b pdf.Dict) []string {
	var out []string
	for _, k := range unionKeys(a, b) {
		if !reflect.DeepEqual(a[k], b[k]) {
			out = append(out, string(k))
		}
	}
	return out
}

// headerAt reports whether the final cross-reference entry of ref leads to
// "N G obj" of that very object (compressed objects always do).
func (c *comparer) headerAt(ref pdf.Ref) bool {
	off, in, ok := c.cur.ObjectOffset(ref)
	if !ok || in != 0 {
		return true
	}
	var b [32]byte
	n, _ := c.v.f.ReadAt(b[:], off)
	_, err := skipObjHeader(b[:n], ref)
	return err == nil
}

// fieldChange judges a redefined field or widget.
func (c *comparer) fieldChange(ref pdf.Ref, od, cd pdf.Dict) {
	obj := int(ref.Num)
	name := fieldName(c.old, od)
	ft := c.fieldType(c.old, od)
	diff := []string{}
	for _, k := range unionKeys(od, cd) {
		if !reflect.DeepEqual(od[k], cd[k]) {
			diff = append(diff, string(k))
		}
	}
	page := c.widgetPage(od)
	if page == 0 {
		page = c.page(ref.Num)
	}
	only := func(allowed ...string) bool {
		for _, k := range diff {
			if !slices.Contains(allowed, k) {
				return false
			}
		}
		return true
	}
	if c.lock.locked(name) {
		c.add(Change{Kind: "locked-field", Page: page, Object: obj, Detail: fmt.Sprintf("field %q is locked by this signature: %v changed", name, diff)})
		return
	}
	if ft == "Sig" {
		// Filling an empty signature field.
		if od["V"] == nil && only("V", "AP", "AS", "MK", "DA", "F", "P") && c.p != 1 {
			c.add(Change{Kind: "signature-field", Page: page, Object: obj, Detail: fmt.Sprintf("field %q signed", name), Allowed: true})
			return
		}
		if od["V"] == nil && only("V", "AP", "AS", "MK", "DA", "F", "P") {
			c.add(Change{Kind: "signature-field", Page: page, Object: obj, Detail: fmt.Sprintf("field %q signed although the document was certified with no changes allowed", name)})
			return
		}
		c.add(Change{Kind: "signature-field", Page: page, Object: obj, Detail: fmt.Sprintf("signed field %q changed: %v", name, diff)})
		return
	}
	if only("V", "AS", "AP", "DA", "MK") && c.p >= 2 {
		if ap, _ := c.cur.ResolveDict(cd["AP"]); ap != nil {
			for _, x := range ap {
				if r, ok := x.(pdf.Ref); ok {
					c.allowedAP[r.Num] = true
				}
				if sub, _ := c.cur.ResolveDict(x); sub != nil {
					for _, y := range sub {
						if r, ok := y.(pdf.Ref); ok {
							c.allowedAP[r.Num] = true
						}
					}
				}
			}
		}
		c.add(Change{Kind: "form-fill", Page: page, Object: obj, Detail: fmt.Sprintf("field %q filled", name), Allowed: true})
		return
	}
	c.add(Change{Kind: "form-field", Page: page, Object: obj, Detail: fmt.Sprintf("field %q changed: %v", name, diff)})
}

// deletedObjects reports objects of the signed revision's pages that no
// longer exist.
func (c *comparer) deletedObjects() {
	for _, r := range c.old.Refs() {
		if !c.changed[r] {
			if _, _, ok := c.cur.ObjectOffset(r); ok {
				continue
			}
			if p := c.page(r.Num); p > 0 {
				c.add(Change{Kind: "object-deleted", Page: p, Object: int(r.Num), Detail: "an object of a signed page was deleted"})
			}
		}
	}
}

const maxCompareStream = 256 << 20

// equal compares two objects; streams by dictionary and raw bytes.
func (c *comparer) equal(a, b pdf.Object) bool {
	sa, okA := a.(*pdf.Stream)
	sb, okB := b.(*pdf.Stream)
	if okA != okB {
		return false
	}
	if !okA {
		return reflect.DeepEqual(a, b)
	}
	if !reflect.DeepEqual(sa.Dict, sb.Dict) || sa.Length != sb.Length {
		return false
	}
	if sa.Length > maxCompareStream {
		return false
	}
	ra, rb := c.old.RawStream(sa), c.cur.RawStream(sb)
	var x, y [32 << 10]byte
	for {
		n, errA := io.ReadFull(ra, x[:])
		m, errB := io.ReadFull(rb, y[:])
		if n != m || !bytes.Equal(x[:n], y[:m]) {
			return false
		}
		if errA != nil || errB != nil {
			return (errA == nil) == (errB == nil)
		}
	}
}

// annotLocked is the /F bit of an annotation that cannot be moved or
// deleted (ISO 32000-1, 12.5.3).
const annotLocked = 128

// isSignatureMark reports whether the new annotation x (dictionary d,
// subtype st) is a locked /Stamp written in the same incremental update as
// a later signature and covered by that signature's byte ranges: part of
// that signature's appearance, as signing/pades writes the number and date
// marks of the issue profile. Only approval signatures (no DocMDP) accept
// them; whether the later signature itself holds is its own verdict.
func (c *comparer) isSignatureMark(x pdf.Object, d pdf.Dict, st pdf.Name) bool {
	ref, ok := x.(pdf.Ref)
	if !ok || st != "Stamp" {
		return false
	}
	f, _ := c.curResolve(d["F"]).(int64)
	if f&annotLocked == 0 {
		return false
	}
	off, _, ok := c.cur.ObjectOffset(ref)
	if !ok || off < c.end {
		return false
	}
	for _, u := range c.v.signedUpdates() {
		if u.start >= c.end && off >= u.start && off < u.end && u.sigOff >= u.start && u.sigOff < u.end {
			return true
		}
	}
	return false
}

// signedUpdate is the incremental update a signature was written in: from
// the end of the previous revision to the end of the bytes it signs, and
// where its signature dictionary sits.
type signedUpdate struct {
	start, end, sigOff int64
}

// signedUpdates lists, once per file, the update of every signature whose
// dictionary is a plain object (not in an object stream) with a readable
// /ByteRange.
func (v *verifier) signedUpdates() []signedUpdate {
	if v.updates != nil {
		return *v.updates
	}
	var out []signedUpdate
	eofs := v.r.EOFOffsets()
	for _, e := range v.findSignatures() {
		br, ok := readByteRange(v.resolve(e.dict["ByteRange"]))
		if !ok || br[0] != 0 {
			continue
		}
		end := br[2] + br[3]
		off, in, ok := v.r.ObjectOffset(e.ref)
		if !ok || in != 0 {
			continue
		}
		start := int64(0)
		for _, x := range eofs {
			if x < end && x > start && x <= off {
				start = x
			}
		}
		out = append(out, signedUpdate{start: start, end: end, sigOff: off})
	}
	v.updates = &out
	return out
}
