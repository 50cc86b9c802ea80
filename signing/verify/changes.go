package verify

import (
	"bytes"
	"crypto/sha1"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/vanthuso/vanthu/signing/acroform"
	"github.com/vanthuso/vanthu/signing/cms"
	"github.com/vanthuso/vanthu/signing/pdf"
)

// How changes after signing are judged
//
// The signed revision (the file up to the end of the bytes a signature
// covers) is opened as its own document and every object of it is given
// a role by walking its graph from the catalog (roles.go): page content,
// page resources, page, page tree node, annotation, widget, appearance,
// field, signature dictionary, form resources, DSS, metadata, ... Then
// every object that a later revision redefines is judged by the role it
// had in the signed revision, never by what points at it afterwards: a
// font of page 1 is a page resource whether or not a new DSS, a new /DR or
// a new widget also lists it. New objects matter only where they are
// referenced: new annotations and widgets in a page's /Annots, new fields
// in /Fields, new entries of the DSS (which must be new streams that parse
// as what they claim), new entries of /DR. Values are compared, not
// spellings (equal.go).

// Limits of the comparison, for hostile files.
const (
	maxComparePages = 20000
	maxChanges      = 1000
	maxDSSEntries   = 10000
	maxDSSItem      = 32 << 20
)

// comparer compares the signed revision (old) with the final document (cur).
type comparer struct {
	v        *verifier
	old, cur *pdf.Reader
	end      int64
	p        int // DocMDP level in effect: 0 (approval only), 1, 2, 3
	lock     acroform.Lock
	changed  map[pdf.Ref]bool // objects whose cross-reference entry changed after the signed revision
	roles    *roleMap
	pageObj  map[int]uint32 // page number -> page object of the signed revision
	changes  []Change
	// filled holds the fields (by name) whose filling or signing after
	// this signature is allowed: their widgets' appearances may change.
	filled map[string]bool
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

// changesAfter lists the differences between the revision signature s signed
// and the final document, each marked allowed or not.
func (v *verifier) changesAfter(s *Signature, e sigEntry) ([]Change, error) {
	end := s.signedEnd
	old, err := v.openRevision(end)
	if err != nil {
		return nil, err
	}
	c := &comparer{v: v, old: old, cur: v.r, end: end, changed: map[pdf.Ref]bool{}, filled: map[string]bool{}}
	// Permissions are read from the signed revision: what an attacker
	// writes later cannot widen them.
	if v.certP > 0 && v.certEnd > 0 && v.certEnd <= end {
		if sd, _ := old.ResolveDict(v.certRef); sd != nil {
			if c.p = acroform.DocMDPLevel(old, sd); c.p == 0 {
				c.p = 2
			}
		}
	}
	sig, lock := e.dict, e.lock
	if od, _ := old.ResolveDict(e.fieldRf); od != nil {
		lock, _ = old.ResolveDict(od["Lock"])
		if sd, _ := old.ResolveDict(e.ref); sd != nil && !e.direct {
			sig = sd
		} else if e.direct {
			sig, _ = old.ResolveDict(od["V"])
		}
	}
	// The locks as signing/pades reads them (acroform.Locks): every
	// FieldMDP transform and the field's /Lock, names locked with what is
	// below them, an unknown /Action read as All.
	c.lock = acroform.Locks(old, sig, lock)
	if c.p == 0 && c.lock.P > 0 {
		c.p = c.lock.P
	}
	c.markChanged()
	if len(c.changed) == 0 {
		return nil, nil
	}
	c.roles = classify(old)
	c.pageObj = map[int]uint32{}
	for num, n := range c.roles.pageRef {
		c.pageObj[n] = num
	}
	c.run()
	return c.changes, nil
}

func (c *comparer) add(ch Change) {
	if ch.Page > 0 && ch.PageObject == 0 {
		ch.PageObject = int(c.pageObj[ch.Page])
	}
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
	curCat, _, err2 := c.cur.Catalog()
	if err1 != nil || err2 != nil {
		c.add(Change{Kind: "catalog", Detail: "catalog unreadable"})
		return
	}
	c.compareCatalog(oldCat, curCat, oldRoot)
	c.comparePageList()
	c.judgeChanged(oldRoot)
	c.deletedObjects()
	c.checkDSS(oldCat, curCat)
	slices.SortStableFunc(c.changes, func(a, b Change) int {
		switch {
		case !a.Allowed && b.Allowed:
			return -1
		case a.Allowed && !b.Allowed:
			return 1
		}
		return 0
	})
}

// compareCatalog compares the catalog's entries by value (the catalog
// object itself may be redefined, or /Root point at a new one).
func (c *comparer) compareCatalog(oldCat, curCat pdf.Dict, oldRoot pdf.Ref) {
	obj := int(oldRoot.Num)
	for _, k := range unionKeys(oldCat, curCat) {
		a, b := oldCat[k], curCat[k]
		switch k {
		case "AcroForm":
			ra, okA := a.(pdf.Ref)
			rb, okB := b.(pdf.Ref)
			if okA && okB && ra == rb {
				continue // the same object: judged with the redefined objects
			}
			if !c.same(a, b) {
				oldAF, _ := c.old.ResolveDict(a)
				curAF, _ := c.cur.ResolveDict(b)
				c.compareAcroForm(oldAF, curAF, refNum(b))
			}
			continue
		case "DSS":
			if !c.same(a, b) {
				c.add(Change{Kind: "dss", Object: refNum(b), Detail: "validation data added", Allowed: true})
			}
			continue
		}
		if c.same(a, b) {
			continue
		}
		switch k {
		case "Pages":
			c.add(Change{Kind: "pages", Object: obj, Detail: "the page tree was replaced"})
		case "Extensions", "Version", "Metadata", "StructTreeRoot", "MarkInfo", "Lang":
			c.add(Change{Kind: "catalog", Object: obj, Detail: "/" + string(k), Allowed: true})
		default:
			c.add(Change{Kind: "catalog", Object: obj, Detail: "/" + string(k) + " changed"})
		}
	}
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

// diffKeys lists the entries whose values differ.
func (c *comparer) diffKeys(a, b pdf.Dict) []string {
	var out []string
	for _, k := range unionKeys(a, b) {
		if !c.same(a[k], b[k]) {
			out = append(out, string(k))
		}
	}
	return out
}

func only(diff []string, allowed ...string) bool {
	for _, k := range diff {
		if !slices.Contains(allowed, k) {
			return false
		}
	}
	return true
}

// comparePageList checks that the final document shows the signed pages,
// in the same order, as the same objects.
func (c *comparer) comparePageList() {
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
		or, _, _, err1 := c.old.Page(i)
		cr, _, _, err2 := c.cur.Page(i)
		if err1 != nil || err2 != nil {
			continue
		}
		if or != cr {
			c.add(Change{Kind: "pages", Page: i, Object: int(cr.Num), Detail: fmt.Sprintf("page %d is now object %d, was %d: pages replaced or reordered", i, cr.Num, or.Num)})
			return
		}
	}
}

// judgeChanged judges every object of the signed revision that a later
// revision redefined, by its role in the signed revision. Fields and
// widgets go first, so that the appearances of allowed form filling are
// known when the appearance streams come.
func (c *comparer) judgeChanged(root pdf.Ref) {
	refs := make([]pdf.Ref, 0, len(c.changed))
	for r := range c.changed {
		if r.Num != root.Num {
			refs = append(refs, r)
		}
	}
	slices.SortFunc(refs, func(a, b pdf.Ref) int { return int(a.Num) - int(b.Num) })
	var later []pdf.Ref
	for pass := 0; pass < 2; pass++ {
		list := refs
		if pass == 1 {
			list = later
		}
		for _, ref := range list {
			oldObj, err := c.old.Get(ref)
			if err != nil || oldObj == nil {
				continue // a new object: judged where it is referenced
			}
			ro := c.roles.get(ref.Num)
			if pass == 0 && ro.role == roleAppearance {
				later = append(later, ref)
				continue
			}
			curObj, _ := c.cur.Get(ref)
			if c.same(oldObj, curObj) {
				if !c.headerAt(ref) {
					c.add(Change{Kind: roleKind(ro.role), Page: ro.page, Object: int(ref.Num),
						Detail: "the cross-reference entry now points at the body of another object", Allowed: ro.role == roleNone})
				}
				continue
			}
			c.judge(ref, ro, oldObj, curObj)
		}
	}
}

// roleKind names a role in a Change.
func roleKind(r role) string {
	switch r {
	case roleContent:
		return "page-content"
	case roleResource:
		return "page-resources"
	case rolePage:
		return "page"
	case rolePageTree:
		return "pages"
	case roleAnnots, roleAnnotation:
		return "annotation"
	case roleWidget:
		return "widget"
	case roleAppearance:
		return "appearance"
	case roleField:
		return "form-field"
	case roleFormResources:
		return "form-resources"
	case roleAcroForm:
		return "acroform"
	case roleSigDict:
		return "signature-dict"
	case roleCatalogKey:
		return "catalog"
	case roleDSS:
		return "dss"
	case roleStructure:
		return "structure"
	case roleMetadata:
		return "metadata"
	case roleInfo:
		return "info"
	}
	return "object"
}

// judge decides one redefined object of the signed revision.
func (c *comparer) judge(ref pdf.Ref, ro objRole, oldObj, curObj pdf.Object) {
	obj := int(ref.Num)
	od, cd := dictOf(oldObj), dictOf(curObj)
	ch := Change{Kind: roleKind(ro.role), Page: ro.page, Object: obj}
	switch ro.role {
	case roleNone:
		return // not part of what the signed revision shows
	case roleInfo, roleMetadata, roleStructure, roleDSS:
		ch.Allowed = true
	case roleContent:
		ch.Detail = fmt.Sprintf("a content stream of page %d was redefined", ro.page)
	case roleResource:
		ch.Detail = fmt.Sprintf("a resource of page %d was redefined", ro.page)
	case rolePage:
		c.judgePage(ref, ro.page, od, cd)
		return
	case roleAnnots:
		oldA, _ := oldObj.(pdf.Array)
		curA, _ := curObj.(pdf.Array)
		c.compareAnnots(ro.page, oldA, curA, obj)
		return
	case rolePageTree:
		if diff := c.diffKeys(od, cd); od != nil && cd != nil && !slices.ContainsFunc(diff, isInheritable) {
			ch.Detail, ch.Allowed = fmt.Sprintf("private entries %v of a page tree node", diff), true
		} else {
			ch.Detail = fmt.Sprintf("a node of the page tree was redefined: %v changed", diff)
		}
	case roleWidget, roleField:
		c.judgeField(ref, ro, od, cd)
		return
	case roleAnnotation:
		ch.Detail = "an annotation of the signed revision was modified"
		ch.Allowed = c.p == 3
	case roleAppearance:
		name, _ := c.roles.fieldOf(ro.owner.Num)
		switch {
		case c.roles.get(ro.owner.Num).role == roleWidget && c.filled[name]:
			ch.Kind, ch.Detail, ch.Allowed = "form-fill", fmt.Sprintf("appearance of field %q, filled", name), true
		case c.roles.get(ro.owner.Num).role == roleAnnotation && c.p == 3:
			ch.Detail, ch.Allowed = "appearance of an annotation", true
		default:
			ch.Detail = fmt.Sprintf("the appearance of annotation %d was redefined", ro.owner.Num)
		}
	case roleAcroForm:
		if _, isArr := oldObj.(pdf.Array); isArr {
			oldF, _ := oldObj.(pdf.Array)
			curF, _ := curObj.(pdf.Array)
			c.compareFields(oldF, curF, obj)
		} else {
			c.compareAcroForm(od, cd, obj)
		}
		return
	case roleFormResources:
		if c.onlyAdds(oldObj, curObj, 0) && c.p != 1 {
			ch.Detail, ch.Allowed = "default resources of the form (/DR) extended", true
		} else {
			ch.Detail = "a default resource of the form (/DR) was redefined"
		}
	case roleSigDict:
		ch.Detail = "a signature dictionary, its transforms or a field lock of the signed revision was redefined"
	case roleCatalogKey:
		ch.Detail = fmt.Sprintf("part of the catalog's /%s was redefined", ro.key)
	}
	if ch.Detail == "" && od != nil && cd != nil {
		ch.Detail = fmt.Sprintf("%v changed", c.diffKeys(od, cd))
	}
	c.add(ch)
}

func isInheritable(k string) bool {
	switch k {
	case "Kids", "Count", "Resources", "MediaBox", "CropBox", "Rotate", "Parent", "Type":
		return true
	}
	return false
}

// judgePage compares a redefined page dictionary entry by entry.
func (c *comparer) judgePage(ref pdf.Ref, page int, od, cd pdf.Dict) {
	obj := int(ref.Num)
	if cd == nil {
		c.add(Change{Kind: "page", Page: page, Object: obj, Detail: "the page is no longer a dictionary"})
		return
	}
	for _, k := range unionKeys(od, cd) {
		a, b := od[k], cd[k]
		if k == "Annots" {
			ra, okA := a.(pdf.Ref)
			rb, okB := b.(pdf.Ref)
			if okA && okB && ra == rb {
				continue // the same array object: judged on its own
			}
			if !c.same(a, b) {
				oldA, _ := c.oldResolve(a).(pdf.Array)
				curA, _ := c.curResolve(b).(pdf.Array)
				c.compareAnnots(page, oldA, curA, obj)
			}
			continue
		}
		if c.same(a, b) {
			continue
		}
		kind := "page"
		switch k {
		case "StructParents", "Tabs":
			c.add(Change{Kind: "structure", Page: page, Object: obj, Detail: "/" + string(k), Allowed: true})
			continue
		case "Contents":
			kind = "page-content"
		case "Resources":
			kind = "page-resources"
		}
		c.add(Change{Kind: kind, Page: page, Object: obj, Detail: "/" + string(k) + " changed"})
	}
}

// judgeField decides a redefined field or widget: filling where DocMDP
// permits and no FieldMDP lock of this signature forbids, signing an
// empty signature field; nothing else.
func (c *comparer) judgeField(ref pdf.Ref, ro objRole, od, cd pdf.Dict) {
	obj := int(ref.Num)
	name, isSig := c.roles.fieldOf(ref.Num)
	diff := c.diffKeys(od, cd)
	page := ro.page
	if page == 0 && od != nil {
		if p, ok := od["P"].(pdf.Ref); ok {
			page = c.roles.pageRef[p.Num]
		}
	}
	kind := "form-field"
	if ro.role == roleWidget {
		kind = "widget"
	}
	if cd == nil {
		c.add(Change{Kind: kind, Page: page, Object: obj, Detail: fmt.Sprintf("field %q is no longer a dictionary", name)})
		return
	}
	if c.lock.Locks(name) {
		c.add(Change{Kind: "locked-field", Page: page, Object: obj, Detail: fmt.Sprintf("field %q is locked by this signature: %v changed", name, diff)})
		return
	}
	if isSig {
		wasEmpty := c.oldResolve(od["V"]) == nil && od["Kids"] == nil
		switch {
		case wasEmpty && only(diff, "V", "AP", "AS", "MK", "DA", "F", "P") && c.p != 1:
			c.filled[name] = true
			c.add(Change{Kind: "signature-field", Page: page, Object: obj, Detail: fmt.Sprintf("field %q signed", name), Allowed: true})
		case wasEmpty && only(diff, "V", "AP", "AS", "MK", "DA", "F", "P"):
			c.add(Change{Kind: "signature-field", Page: page, Object: obj, Detail: fmt.Sprintf("field %q signed although the document was certified with no changes allowed", name)})
		default:
			c.add(Change{Kind: "signature-field", Page: page, Object: obj, Detail: fmt.Sprintf("signature field %q changed: %v", name, diff)})
		}
		return
	}
	if only(diff, "V", "AS", "AP", "DA", "MK", "RV") && c.p >= 2 {
		c.filled[name] = true
		c.add(Change{Kind: "form-fill", Page: page, Object: obj, Detail: fmt.Sprintf("field %q filled", name), Allowed: true})
		return
	}
	c.add(Change{Kind: kind, Page: page, Object: obj, Detail: fmt.Sprintf("field %q changed: %v", name, diff)})
}

// compareAcroForm compares the form dictionary of the signed revision with
// the final one.
func (c *comparer) compareAcroForm(oldAF, curAF pdf.Dict, obj int) {
	if curAF == nil {
		if oldAF != nil {
			c.add(Change{Kind: "acroform", Object: obj, Detail: "the form was removed"})
		}
		return
	}
	for _, k := range unionKeys(oldAF, curAF) {
		x, y := oldAF[k], curAF[k]
		if k == "Fields" {
			oldF, _ := c.oldResolve(x).(pdf.Array)
			curF, _ := c.curResolve(y).(pdf.Array)
			if rx, ok := x.(pdf.Ref); ok && rx == y && c.changed[rx] {
				continue // the same array object: judged on its own
			}
			c.compareFields(oldF, curF, obj)
			continue
		}
		if c.same(x, y) {
			continue
		}
		switch k {
		case "SigFlags":
			c.add(Change{Kind: "acroform", Object: obj, Detail: "/SigFlags", Allowed: true})
		case "DA", "NeedAppearances":
			c.add(Change{Kind: "acroform", Object: obj, Detail: "/" + string(k), Allowed: c.p != 1})
		case "DR":
			// New default resources (a later signature's font or
			// appearance): they paint nothing by themselves; resources of
			// the signed revision that are redefined are judged by their
			// own role.
			c.add(Change{Kind: "acroform", Object: obj, Detail: "/DR", Allowed: c.p != 1})
		default:
			c.add(Change{Kind: "acroform", Object: obj, Detail: "/" + string(k) + " changed"})
		}
	}
}

// onlyAdds reports whether the dictionary b keeps every entry of a (of
// nested direct dictionaries too) and only adds new ones, as producers
// extend the form's default resources with a later signature's font.
func (c *comparer) onlyAdds(a, b pdf.Object, depth int) bool {
	ad, okA := a.(pdf.Dict)
	bd, okB := b.(pdf.Dict)
	if !okA || !okB || depth > 4 {
		return c.same(a, b)
	}
	for k, v := range ad {
		if !c.onlyAdds(v, bd[k], depth+1) {
			return false
		}
	}
	return true
}

// compareFields compares the top-level field lists.
func (c *comparer) compareFields(oldF, curF pdf.Array, obj int) {
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
		switch ft := c.fieldType(c.cur, d); {
		case ft == "Sig" && (c.p != 1 || c.isDocTimestampField(d)):
			c.add(Change{Kind: "signature-field", Object: int(r.Num), Detail: "new signature field", Allowed: true})
		case ft == "Sig":
			c.add(Change{Kind: "signature-field", Object: int(r.Num), Detail: "new signature field although the document was certified with no changes allowed"})
		default:
			c.add(Change{Kind: "form-field", Object: int(r.Num), Detail: "new " + ft + " field added"})
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

// fieldValue returns /V of a field or widget, inherited through /Parent.
func (c *comparer) fieldValue(d pdf.Dict) pdf.Object {
	for i := 0; d != nil && i < 32; i++ {
		if v, ok := d["V"]; ok {
			return v
		}
		d, _ = c.cur.ResolveDict(d["Parent"])
	}
	return nil
}

// isDocTimestampField reports whether the field's value is a document
// timestamp: allowed after any signature, certified ones included, as the
// DSS is (PAdES long-term validation).
func (c *comparer) isDocTimestampField(d pdf.Dict) bool {
	sd, _ := c.cur.ResolveDict(c.fieldValue(d))
	if sd == nil {
		return false
	}
	sf, _ := c.curResolve(sd["SubFilter"]).(pdf.Name)
	t, _ := c.curResolve(sd["Type"]).(pdf.Name)
	return sf == "ETSI.RFC3161" || t == "DocTimeStamp"
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

// compareAnnots compares a page's annotation list of the signed revision
// with the final one. obj names the object that holds the list.
func (c *comparer) compareAnnots(page int, oldA, curA pdf.Array, obj int) {
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
		} else if slices.ContainsFunc(oldA, func(y pdf.Object) bool { return c.same(y, x) }) {
			continue
		}
		d, _ := c.cur.ResolveDict(x)
		st, _ := c.curResolve(d["Subtype"]).(pdf.Name)
		num := refNum(x)
		if num == 0 {
			num = obj
		}
		if st == "Widget" {
			c.newWidget(page, x, d, num)
			continue
		}
		ch := Change{Kind: "annotation", Page: page, Object: num, Detail: "new /" + string(st) + " annotation"}
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
	for _, x := range oldA {
		if r, ok := x.(pdf.Ref); ok && !has[r] {
			c.add(Change{Kind: "annotation", Page: page, Object: int(r.Num), Detail: "annotation removed", Allowed: c.p == 3})
		}
	}
}

// newWidget judges a widget added to a page after signing. A signature
// field's widget is allowed (unless the document was certified with no
// changes) when the signature it shows covers it — it was written in that
// signature's own update — or when it paints nothing. An empty signature
// field that paints over the page is how the "sneaky signature" attack
// changes what a signed page shows; a new widget of any other field is a
// new form field.
func (c *comparer) newWidget(page int, x pdf.Object, d pdf.Dict, num int) {
	ft := c.fieldType(c.cur, d)
	name := fieldName(c.cur, d)
	if ft != "Sig" {
		c.add(Change{Kind: "widget", Page: page, Object: num, Detail: fmt.Sprintf("new widget of a %q field %q", ft, name)})
		return
	}
	ts := c.isDocTimestampField(d)
	if c.p == 1 && !ts {
		c.add(Change{Kind: "signature-widget", Page: page, Object: num, Detail: fmt.Sprintf("new signature field %q although the document was certified with no changes allowed", name)})
		return
	}
	if c.paintsNothing(d) || c.signedWithWidget(x, d) {
		c.add(Change{Kind: "signature-widget", Page: page, Object: num, Detail: fmt.Sprintf("signature field %q", name), Allowed: true})
		return
	}
	c.add(Change{Kind: "signature-widget", Page: page, Object: num, Detail: fmt.Sprintf("new signature field %q paints on the page but no signature covers it", name)})
}

// Annotation flags (ISO 32000-1, 12.5.3).
const (
	annotHidden = 2
	annotNoView = 32
	annotLocked = 128
)

// paintsNothing reports whether a widget is invisible: hidden, without a
// normal appearance, or with an empty rectangle.
func (c *comparer) paintsNothing(d pdf.Dict) bool {
	f, _ := c.curResolve(d["F"]).(int64)
	if f&(annotHidden|annotNoView) != 0 {
		return true
	}
	ap, _ := c.cur.ResolveDict(d["AP"])
	if ap == nil || c.curResolve(ap["N"]) == nil {
		return true
	}
	rect, _ := c.curResolve(d["Rect"]).(pdf.Array)
	if len(rect) != 4 {
		return true
	}
	var v [4]float64
	for i, e := range rect {
		switch n := c.curResolve(e).(type) {
		case int64:
			v[i] = float64(n)
		case float64:
			v[i] = n
		}
	}
	return v[0] == v[2] || v[1] == v[3]
}

// signedWithWidget reports whether the widget x and its field were written
// in the same incremental update as the signature dictionary the field
// holds, so that the signature's bytes cover them.
func (c *comparer) signedWithWidget(x pdf.Object, d pdf.Dict) bool {
	wref, ok := x.(pdf.Ref)
	if !ok {
		return false
	}
	sigRef, ok := c.fieldValue(d).(pdf.Ref)
	if !ok {
		return false
	}
	woff, ok1 := c.fileOffset(wref)
	soff, sin, ok2 := c.cur.ObjectOffset(sigRef)
	if !ok1 || !ok2 || sin != 0 {
		return false
	}
	for _, u := range c.v.signedUpdates() {
		if u.sigOff == soff && woff >= u.start && woff < u.end {
			return true
		}
	}
	return false
}

// fileOffset returns where ref's final definition is written: its own
// offset, or its object stream's.
func (c *comparer) fileOffset(ref pdf.Ref) (int64, bool) {
	off, in, ok := c.cur.ObjectOffset(ref)
	if ok && in != 0 {
		off, in, ok = c.cur.ObjectOffset(pdf.Ref{Num: in})
	}
	return off, ok && in == 0
}

// deletedObjects reports objects of the signed revision that something
// shown or signed used and that no longer exist.
func (c *comparer) deletedObjects() {
	for _, r := range c.old.Refs() {
		if c.changed[r] {
			continue
		}
		if _, _, ok := c.cur.ObjectOffset(r); ok {
			continue
		}
		ro := c.roles.get(r.Num)
		switch ro.role {
		case roleNone, roleInfo, roleMetadata, roleStructure, roleDSS:
			continue
		}
		c.add(Change{Kind: "object-deleted", Page: ro.page, Object: int(r.Num), Detail: fmt.Sprintf("an object of the signed revision (%s) was deleted", roleKind(ro.role))})
	}
}

// checkDSS checks a DSS that changed after signing: only /Certs, /OCSPs,
// /CRLs and /VRI; every entry a new stream that parses as what its array
// claims (never an object of the signed revision other than its own
// validation data); every VRI key the SHA-1 of a signature's /Contents.
func (c *comparer) checkDSS(oldCat, curCat pdf.Dict) {
	if c.same(oldCat["DSS"], curCat["DSS"]) {
		return
	}
	dss, _ := c.cur.ResolveDict(curCat["DSS"])
	if dss == nil {
		return
	}
	obj := refNum(curCat["DSS"])
	bad := func(detail string, ref pdf.Ref) {
		ro := c.roles.get(ref.Num)
		c.add(Change{Kind: "dss", Page: ro.page, Object: int(ref.Num), Detail: detail})
	}
	entries := func(key, kind string, arr pdf.Object) {
		a, _ := c.curResolve(arr).(pdf.Array)
		for i, e := range a {
			if i >= maxDSSEntries {
				c.add(Change{Kind: "dss", Object: obj, Detail: "too many entries in /" + key})
				return
			}
			ref, ok := e.(pdf.Ref)
			if !ok {
				c.add(Change{Kind: "dss", Object: obj, Detail: fmt.Sprintf("/%s entry %d is not a stream", key, i)})
				continue
			}
			if ro := c.roles.get(ref.Num); ro.role != roleNone && ro.role != roleDSS {
				bad(fmt.Sprintf("/%s entry %d is an object of the signed revision (%s), not validation data", key, i, roleKind(ro.role)), ref)
				continue
			}
			if err := c.v.dssItem(ref, kind); err != nil {
				bad(fmt.Sprintf("/%s entry %d is not a %s: %v", key, i, kind, err), ref)
			}
		}
	}
	for _, k := range sortedNames(dss) {
		switch kind, isArray := dssArrays[k]; {
		case k == "Type":
		case isArray:
			entries(string(k), kind, dss[k])
		case k == "VRI":
			vri, _ := c.cur.ResolveDict(dss[k])
			keys := c.v.vriKeys()
			for _, name := range sortedNames(vri) {
				if name == "Type" {
					continue
				}
				if !keys[strings.ToUpper(string(name))] {
					// Producers key VRI entries for timestamps and other
					// signatures too; an entry that names no signature is
					// evidence nobody uses, harmless once its content is
					// checked below.
					c.add(Change{Kind: "dss", Object: obj, Detail: fmt.Sprintf("VRI entry %s names no signature of the document", name), Allowed: true})
				}
				vd, _ := c.cur.ResolveDict(vri[name])
				if r, ok := vri[name].(pdf.Ref); ok {
					if ro := c.roles.get(r.Num); ro.role != roleNone && ro.role != roleDSS {
						bad(fmt.Sprintf("VRI entry %s is an object of the signed revision (%s)", name, roleKind(ro.role)), r)
						continue
					}
				}
				for _, vk := range sortedNames(vd) {
					switch kind, isArray := vriArrays[vk]; {
					case vk == "Type", vk == "TU":
					case isArray:
						entries("VRI/"+string(vk), kind, vd[vk])
					case vk == "TS":
						entries("VRI/TS", "timestamp", pdf.Array{vd[vk]})
					default:
						c.add(Change{Kind: "dss", Object: obj, Detail: fmt.Sprintf("VRI entry %s has an unexpected /%s", name, vk)})
					}
				}
			}
		default:
			c.add(Change{Kind: "dss", Object: obj, Detail: fmt.Sprintf("the DSS has an unexpected /%s", k)})
		}
	}
}

// What the arrays of a DSS and of its VRI entries hold.
var (
	dssArrays = map[pdf.Name]string{"Certs": "certificate", "OCSPs": "OCSP response", "CRLs": "CRL"}
	vriArrays = map[pdf.Name]string{"Cert": "certificate", "OCSP": "OCSP response", "CRL": "CRL"}
)

// dssItem checks, once per file, that the DSS entry ref is a stream whose
// data parses as kind.
func (v *verifier) dssItem(ref pdf.Ref, kind string) error {
	key := dssKey{ref, kind}
	if err, ok := v.dssChecked[key]; ok {
		return err
	}
	err := func() error {
		s, ok := v.resolve(ref).(*pdf.Stream)
		if !ok {
			return fmt.Errorf("not a stream")
		}
		if s.Length > maxDSSItem {
			return fmt.Errorf("too large")
		}
		b, err := v.r.StreamData(s)
		if err != nil {
			return err
		}
		return parsesAs(b, kind)
	}()
	if v.dssChecked == nil {
		v.dssChecked = map[dssKey]error{}
	}
	v.dssChecked[key] = err
	return err
}

// parsesAs checks that b is DER of kind: parsed by crypto/x509 or
// x/crypto/ocsp where they can, else by its ASN.1 shape (real documents
// carry certificates with negative serial numbers and version 1 CRLs,
// which Go refuses but which are what they claim to be).
func parsesAs(b []byte, kind string) error {
	switch kind {
	case "certificate":
		if _, err := x509.ParseCertificate(b); err == nil {
			return nil
		}
		return signedShape(b, "certificate")
	case "CRL":
		if _, err := x509.ParseRevocationList(b); err == nil {
			return nil
		}
		return signedShape(b, "CRL")
	case "OCSP response":
		var resp struct {
			Status asn1.Enumerated
			Bytes  struct {
				Type     asn1.ObjectIdentifier
				Response []byte
			} `asn1:"explicit,tag:0,optional"`
		}
		rest, err := asn1.Unmarshal(b, &resp)
		if err != nil || len(rest) > 0 {
			return fmt.Errorf("not an OCSP response")
		}
		return nil
	case "timestamp":
		_, err := cms.ParseTimestampToken(b)
		return err
	}
	return fmt.Errorf("unknown kind %s", kind)
}

// signedShape checks the shape SEQUENCE { SEQUENCE, AlgorithmIdentifier,
// BIT STRING } shared by certificates and CRLs.
func signedShape(b []byte, what string) error {
	var v struct {
		TBS asn1.RawValue
		Alg asn1.RawValue
		Sig asn1.BitString
	}
	rest, err := asn1.Unmarshal(b, &v)
	if err != nil || len(rest) > 0 || v.TBS.Tag != asn1.TagSequence || v.Alg.Tag != asn1.TagSequence {
		return fmt.Errorf("not a %s", what)
	}
	return nil
}

type dssKey struct {
	ref  pdf.Ref
	kind string
}

// vriKeys returns the VRI keys the document's signatures may have: the
// upper-case hex SHA-1 of each /Contents string, as stored (with its
// padding) and without the zero padding after the CMS.
func (v *verifier) vriKeys() map[string]bool {
	if v.vri != nil {
		return v.vri
	}
	v.vri = map[string]bool{}
	for _, e := range v.findSignatures() {
		contents, ok := v.resolve(e.dict["Contents"]).(pdf.String)
		if !ok {
			continue
		}
		for _, b := range [][]byte{contents, bytes.TrimRight(contents, "\x00")} {
			sum := sha1.Sum(b)
			v.vri[strings.ToUpper(hex.EncodeToString(sum[:]))] = true
		}
	}
	return v.vri
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
