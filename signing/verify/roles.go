package verify

import (
	"slices"

	"github.com/vanthuso/vanthu/signing/acroform"
	"github.com/vanthuso/vanthu/signing/pdf"
)

// role is what an object is in the signed revision's object graph. When an
// object plays several roles (a font shared by a page and a widget's
// appearance), the highest wins: a change to it is judged by the most
// visible thing it is part of, whatever points at it after signing.
type role uint8

const (
	roleNone          role = iota // not reachable from the catalog: changing it shows nothing
	roleInfo                      // the trailer's /Info dictionary
	roleMetadata                  // XMP metadata
	roleStructure                 // the structure tree (tagged PDF)
	roleDSS                       // the document security store and what it holds
	roleCatalogKey                // reachable from another catalog entry (names, outlines, actions, optional content, ...)
	roleSigDict                   // a signature dictionary, its references and transforms, /Perms, field locks
	roleAcroForm                  // the AcroForm dictionary and its /Fields array
	roleFormResources             // reachable from the AcroForm's /DR (default resources) or /XFA
	roleField                     // a form field that is not also a widget, and its value
	roleAppearance                // an annotation's appearance streams and what they use
	roleAnnotation                // an annotation that is not a widget
	roleWidget                    // a widget annotation (a form field's visible part)
	roleAnnots                    // a page's indirect /Annots array
	rolePageTree                  // an intermediate node of the page tree
	rolePage                      // a page dictionary
	roleContent                   // a page's content stream (or indirect /Contents array)
	roleResource                  // reachable from a page's resources or other entries that paint it
)

// objRole is the role of one object and where it belongs.
type objRole struct {
	role  role
	page  int     // 1-based page it is shown on, 0 if none
	owner pdf.Ref // the annotation or field it belongs to (appearances, widgets, fields)
	key   string  // the catalog entry it hangs from (roleCatalogKey)
}

// Budgets of the role walk, for hostile files.
const (
	maxRoleObjects = 400000
	maxRoleDepth   = 64
)

// roleMap classifies the objects of a revision by what they are.
type roleMap struct {
	r     *pdf.Reader
	roles map[uint32]objRole
	// fieldName and sigField describe fields and widgets: their fully
	// qualified name and whether they are signature fields.
	fieldName map[uint32]string
	sigField  map[uint32]bool
	pageRef   map[uint32]int // page dictionaries by object number
	visits    int
}

// classify walks the revision read by r from its catalog and returns the
// role of every reachable object.
func classify(r *pdf.Reader) *roleMap {
	m := &roleMap{r: r, roles: map[uint32]objRole{}, fieldName: map[uint32]string{},
		sigField: map[uint32]bool{}, pageRef: map[uint32]int{}}
	cat, _, err := r.Catalog()
	if err != nil {
		return m
	}
	m.walkPages(cat)
	m.walkForm(cat)
	for _, k := range sortedNames(cat) {
		v := cat[k]
		switch k {
		case "Pages", "AcroForm", "Type":
		case "DSS":
			m.walk(v, objRole{role: roleDSS}, 0)
		case "Perms":
			m.walk(v, objRole{role: roleSigDict}, 0)
		case "Metadata":
			m.walk(v, objRole{role: roleMetadata}, 0)
		case "StructTreeRoot":
			m.walk(v, objRole{role: roleStructure}, 0)
		default:
			m.walk(v, objRole{role: roleCatalogKey, key: string(k)}, 0)
		}
	}
	if info, ok := r.Trailer()["Info"].(pdf.Ref); ok {
		m.assign(info, objRole{role: roleInfo})
	}
	return m
}

func (m *roleMap) get(num uint32) objRole { return m.roles[num] }

// assign gives ref the role unless it already has a higher one, and
// reports whether the walk should descend into it (first visit with this
// role or a higher one).
func (m *roleMap) assign(ref pdf.Ref, o objRole) bool {
	if m.visits >= maxRoleObjects {
		return false
	}
	m.visits++
	cur, seen := m.roles[ref.Num]
	if seen && cur.role >= o.role {
		return false
	}
	m.roles[ref.Num] = o
	return true
}

func (m *roleMap) resolve(o pdf.Object) pdf.Object {
	x, err := m.r.Resolve(o)
	if err != nil {
		return nil
	}
	return x
}

// skipKey lists entries that point back up the graph (parents, the page of
// an annotation, the page of a structure element) or sideways to another
// annotation: walking them would give the role of the child to its
// parent.
func skipKey(k pdf.Name) bool {
	switch k {
	case "Parent", "P", "Pg", "IRT", "Popup", "Prev", "Next", "First", "Last", "Dest", "D":
		return true
	}
	return false
}

// walk gives o and everything reachable from it the role o.
func (m *roleMap) walk(obj pdf.Object, o objRole, depth int) {
	if depth > maxRoleDepth || m.visits >= maxRoleObjects {
		return
	}
	if r, ok := obj.(pdf.Ref); ok {
		if !m.assign(r, o) {
			return
		}
		obj = m.resolve(r)
	}
	switch x := obj.(type) {
	case pdf.Dict:
		for k, v := range x {
			if k == "Data" || skipKey(k) && o.role != roleCatalogKey && o.role != roleDSS {
				// A signature reference's /Data is the document catalog.
				continue
			}
			m.walk(v, o, depth+1)
		}
	case *pdf.Stream:
		for k, v := range x.Dict {
			if k != "Data" && !skipKey(k) {
				m.walk(v, o, depth+1)
			}
		}
	case pdf.Array:
		for _, v := range x {
			m.walk(v, o, depth+1)
		}
	}
}

// walkPages gives the page tree, the pages, their contents, resources and
// annotations their roles.
func (m *roleMap) walkPages(cat pdf.Dict) {
	root, ok := cat["Pages"].(pdf.Ref)
	if !ok {
		return
	}
	n := 0
	var node func(ref pdf.Ref, depth int)
	node = func(ref pdf.Ref, depth int) {
		if depth > maxRoleDepth || m.visits >= maxRoleObjects {
			return
		}
		d, _ := m.r.ResolveDict(ref)
		if d == nil {
			return
		}
		if _, isPage := m.pageRef[ref.Num]; isPage {
			return
		}
		if kids, ok := m.resolve(d["Kids"]).(pdf.Array); ok && d["Type"] != pdf.Name("Page") {
			if !m.assign(ref, objRole{role: rolePageTree, page: n + 1}) {
				return
			}
			if kr, ok := d["Kids"].(pdf.Ref); ok {
				m.assign(kr, objRole{role: rolePageTree, page: n + 1})
			}
			// Inheritable entries (resources, boxes, rotation) shape
			// every page below the node.
			for _, k := range sortedNames(d) {
				if k != "Kids" && k != "Parent" {
					m.walk(d[k], objRole{role: roleResource, page: n + 1}, 1)
				}
			}
			for _, k := range kids {
				if kr, ok := k.(pdf.Ref); ok {
					node(kr, depth+1)
				}
			}
			return
		}
		n++
		m.pageRef[ref.Num] = n
		m.assign(ref, objRole{role: rolePage, page: n})
		m.page(ref, d, n)
	}
	node(root, 0)
}

func (m *roleMap) page(ref pdf.Ref, d pdf.Dict, n int) {
	for _, k := range sortedNames(d) {
		v := d[k]
		switch k {
		case "Parent", "Type", "StructParents":
		case "Contents":
			m.walk(v, objRole{role: roleContent, page: n}, 1)
		case "Annots":
			if ar, ok := v.(pdf.Ref); ok {
				m.assign(ar, objRole{role: roleAnnots, page: n})
			}
			arr, _ := m.resolve(v).(pdf.Array)
			for _, a := range arr {
				m.annotation(a, n)
			}
		default:
			m.walk(v, objRole{role: roleResource, page: n}, 1)
		}
	}
}

// annotation gives an annotation of page n, its appearances and its
// actions their roles.
func (m *roleMap) annotation(a pdf.Object, n int) {
	ref, isRef := a.(pdf.Ref)
	d, _ := m.r.ResolveDict(a)
	if d == nil {
		return
	}
	r := roleAnnotation
	if st, _ := m.resolve(d["Subtype"]).(pdf.Name); st == "Widget" {
		r = roleWidget
	}
	if isRef && !m.assign(ref, objRole{role: r, page: n, owner: ref}) {
		return
	}
	for _, k := range sortedNames(d) {
		switch k {
		case "Parent", "P", "IRT", "Type", "Subtype":
		case "V", "DV", "Lock", "SV", "Kids", "Opt", "RV":
			// A merged field's entries: the form walk gives them their
			// roles (a signature value is a signature dictionary, not
			// part of an appearance).
		case "Popup":
			m.annotation(d[k], n)
		default:
			m.walk(d[k], objRole{role: roleAppearance, page: n, owner: ref}, 1)
		}
	}
}

// walkForm gives the AcroForm, its fields, their values and signature
// dictionaries their roles, and records field names.
func (m *roleMap) walkForm(cat pdf.Dict) {
	if r, ok := cat["AcroForm"].(pdf.Ref); ok {
		m.assign(r, objRole{role: roleAcroForm})
	}
	af, _ := m.r.ResolveDict(cat["AcroForm"])
	if af == nil {
		return
	}
	if r, ok := af["Fields"].(pdf.Ref); ok {
		m.assign(r, objRole{role: roleAcroForm})
	}
	m.walk(af["DR"], objRole{role: roleFormResources}, 1)
	m.walk(af["XFA"], objRole{role: roleFormResources}, 1)
	m.walk(af["CO"], objRole{role: roleField}, 1)
	fields, _ := m.resolve(af["Fields"]).(pdf.Array)
	seen := map[uint32]bool{}
	for _, f := range fields {
		m.field(f, "", "", seen, 0)
	}
}

func (m *roleMap) field(o pdf.Object, parent, parentFT string, seen map[uint32]bool, depth int) {
	ref, isRef := o.(pdf.Ref)
	if depth > acroform.MaxDepth || len(seen) > acroform.MaxFields || !isRef || seen[ref.Num] {
		return
	}
	seen[ref.Num] = true
	d, _ := m.r.ResolveDict(ref)
	if d == nil {
		return
	}
	name := parent
	if t, ok := m.resolve(d["T"]).(pdf.String); ok {
		if name != "" {
			name += "."
		}
		name += pdf.DecodeTextString(t)
	}
	ft := parentFT
	if x, ok := m.resolve(d["FT"]).(pdf.Name); ok {
		ft = string(x)
	}
	m.fieldName[ref.Num] = name
	m.sigField[ref.Num] = ft == "Sig"
	isWidget := d["Subtype"] == pdf.Name("Widget")
	if isWidget {
		// A widget no page lists: shown nowhere, still the field's.
		if _, has := m.roles[ref.Num]; !has {
			m.annotationOffPage(ref, d)
		}
	} else {
		m.assign(ref, objRole{role: roleField, owner: ref})
	}
	for _, k := range sortedNames(d) {
		v := d[k]
		switch k {
		case "Kids":
			if kr, ok := v.(pdf.Ref); ok {
				m.assign(kr, objRole{role: roleField, owner: ref})
			}
			kids, _ := m.resolve(v).(pdf.Array)
			for _, kid := range kids {
				m.field(kid, name, ft, seen, depth+1)
			}
		case "V":
			if ft == "Sig" {
				m.walk(v, objRole{role: roleSigDict, owner: ref}, 1)
			} else {
				m.walk(v, objRole{role: roleField, owner: ref}, 1)
			}
		case "Lock", "SV":
			m.walk(v, objRole{role: roleSigDict, owner: ref}, 1)
		case "Parent", "P", "Type", "Subtype", "AP", "Popup", "IRT":
		default:
			if !isWidget {
				m.walk(v, objRole{role: roleField, owner: ref}, 1)
			}
		}
	}
}

// annotationOffPage classifies a widget that no page lists.
func (m *roleMap) annotationOffPage(ref pdf.Ref, d pdf.Dict) {
	page := 0
	if p, ok := d["P"].(pdf.Ref); ok {
		page = m.pageRef[p.Num]
	}
	m.assign(ref, objRole{role: roleWidget, page: page, owner: ref})
	m.walk(d["AP"], objRole{role: roleAppearance, page: page, owner: ref}, 1)
	m.walk(d["MK"], objRole{role: roleAppearance, page: page, owner: ref}, 1)
}

// fieldOf returns the field a widget or field object belongs to (itself
// when it carries /T or /FT, else its /Parent), with its name and whether it
// is a signature field.
func (m *roleMap) fieldOf(num uint32) (string, bool) {
	return m.fieldName[num], m.sigField[num]
}

func sortedNames(d pdf.Dict) []pdf.Name {
	keys := make([]pdf.Name, 0, len(d))
	for k := range d {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
