package acroform

import (
	"strings"

	"github.com/vanthuso/vanthu/signing/pdf"
)

// maxReferences bounds the /Reference entries read from one signature
// dictionary (a real one has one or two).
const maxReferences = 64

// DocMDP reads the certification of the document r: the signature
// dictionary /Perms /DocMDP of the catalog names (sig is its object, zero
// when it is a direct dictionary) and the /P of its DocMDP transform in
// /Reference (ISO 32000-1 12.8.2.2): 1 no changes allowed, 2 filling in
// forms and signing, 3 also annotations. /P is 2 when the transform, its
// parameters or /P are absent or /P is not 1, 2 or 3; with several DocMDP
// transforms the strictest counts. ok is false when the document is not
// certified (no /Perms /DocMDP dictionary).
func DocMDP(r *pdf.Reader) (p int, sig pdf.Ref, ok bool) {
	cat, _, err := r.Catalog()
	if err != nil {
		return 0, pdf.Ref{}, false
	}
	perms, err := r.ResolveDict(cat["Perms"])
	if err != nil || perms == nil {
		return 0, pdf.Ref{}, false
	}
	sd, err := r.ResolveDict(perms["DocMDP"])
	if err != nil || sd == nil {
		return 0, pdf.Ref{}, false
	}
	sig, _ = perms["DocMDP"].(pdf.Ref)
	if p = DocMDPLevel(r, sd); p == 0 {
		p = 2
	}
	return p, sig, true
}

// DocMDPLevel returns the /P of the DocMDP transforms in the signature
// dictionary sig's /Reference (the strictest when several; 2 for a
// transform whose /P is absent or not 1, 2 or 3); 0 when sig has no
// DocMDP transform.
func DocMDPLevel(r *pdf.Reader, sig pdf.Dict) int {
	p := 0
	for _, params := range transforms(r, sig, "DocMDP") {
		v := 2
		if n, ok := resolve(r, params["P"]).(int64); ok && n >= 1 && n <= 3 {
			v = int(n)
		}
		p = strictest(p, v)
	}
	return p
}

// transforms returns the /TransformParams of the signature reference
// dictionaries in sig's /Reference whose /TransformMethod is method; an
// empty dictionary stands for absent parameters.
func transforms(r *pdf.Reader, sig pdf.Dict, method pdf.Name) []pdf.Dict {
	refs, _ := resolve(r, sig["Reference"]).(pdf.Array)
	var out []pdf.Dict
	for i, e := range refs {
		if i >= maxReferences {
			break
		}
		rd, err := r.ResolveDict(e)
		if err != nil || rd == nil {
			continue
		}
		if m, _ := resolve(r, rd["TransformMethod"]).(pdf.Name); m != method {
			continue
		}
		params, err := r.ResolveDict(rd["TransformParams"])
		if err != nil || params == nil {
			params = pdf.Dict{}
		}
		out = append(out, params)
	}
	return out
}

// strictest combines two MDP permissions (0 = none): the lower wins.
func strictest(a, b int) int {
	if a == 0 || (b != 0 && b < a) {
		return b
	}
	return a
}

// Action says which fields a lock names.
type Action string

// The lock actions of ISO 32000-1 Table 233 and Table 256.
const (
	All     Action = "All"     // every field
	Include Action = "Include" // the fields listed
	Exclude Action = "Exclude" // every field but those listed
)

// Rule is one lock: a FieldMDP transform's parameters or a /Lock
// dictionary. The zero Rule locks nothing.
type Rule struct {
	// From says where the rule was read: "FieldMDP" (a transform of the
	// signature dictionary's /Reference) or "Lock" (the signed field's
	// /Lock dictionary).
	From string
	// Action is All, Include or Exclude; "" when there is no rule. A rule
	// whose /Action is missing or another name is read as All, the
	// strictest.
	Action Action
	// Fields are the fully qualified field names listed (text strings,
	// decoded).
	Fields []string
}

// Locks reports whether the rule locks the field with the fully qualified
// name: All locks every name, Include a listed name and the fields below
// a listed one ("a" locks "a.b"), Exclude every other name. The answer is
// given for any name, also one of a field that does not exist yet: as the
// EU DSS signer reads a lock, All and Exclude then forbid a new signature
// field, Include does not unless it lists the new name.
func (r Rule) Locks(name string) bool {
	switch r.Action {
	case "":
		return false
	case Include:
		return r.lists(name)
	case Exclude:
		return !r.lists(name)
	}
	return true
}

// lists reports whether name or one of its ancestors is in r.Fields.
func (r Rule) lists(name string) bool {
	for _, f := range r.Fields {
		if name == f || (strings.HasPrefix(name, f) && len(name) > len(f) && name[len(f)] == '.') {
			return true
		}
	}
	return false
}

// Lock is what one signature locks: the FieldMDP transforms of its
// signature dictionary's /Reference (ISO 32000-1 12.8.2.4) and the /Lock
// dictionary of the field it signs (12.7.4.5). They normally agree; where
// they do not, a field any of them locks is locked.
type Lock struct {
	// Rules are the FieldMDP rules, in /Reference order, then the /Lock
	// rule; empty when the signature locks no field.
	Rules []Rule
	// P is the MDP permission the signature sets for the changes after it
	// (ISO 32000-2 Table 236, /P of the lock dictionary; also read from
	// FieldMDP transform parameters, where some producers repeat it):
	// 1 no changes, 2 form filling and signing, 3 also annotations; the
	// strictest when several give one; 0 when none does (or the value is
	// not 1, 2 or 3).
	P int
}

// Locks reports whether any rule of the lock locks the field with the
// fully qualified name (see Rule.Locks). P 1 forbids every change besides:
// callers check P themselves.
func (l Lock) Locks(name string) bool {
	_, ok := l.Rule(name)
	return ok
}

// Rule returns the first rule that locks the field with the fully
// qualified name, to say why; ok is false when none does.
func (l Lock) Rule(name string) (rule Rule, ok bool) {
	for _, r := range l.Rules {
		if r.Locks(name) {
			return r, true
		}
	}
	return Rule{}, false
}

// Locks reads what a signature locks, from its signature dictionary sig
// and the /Lock dictionary lockDict of the field it signs (Field.Sig and
// Field.Lock); either may be nil. The lock dictionary of a field applies
// once the field is signed: callers pass it for signed fields only.
func Locks(r *pdf.Reader, sig pdf.Dict, lockDict pdf.Dict) Lock {
	var l Lock
	if sig != nil {
		for _, params := range transforms(r, sig, "FieldMDP") {
			l.Rules = append(l.Rules, readRule(r, "FieldMDP", params))
			l.P = strictest(l.P, permission(r, params))
		}
	}
	if lockDict != nil {
		l.Rules = append(l.Rules, readRule(r, "Lock", lockDict))
		l.P = strictest(l.P, permission(r, lockDict))
	}
	return l
}

// readRule reads /Action and /Fields of a lock dictionary or FieldMDP
// transform parameters.
func readRule(r *pdf.Reader, from string, d pdf.Dict) Rule {
	a, _ := resolve(r, d["Action"]).(pdf.Name)
	rule := Rule{From: from, Action: Action(a)}
	switch rule.Action {
	case All:
		return rule
	case Include, Exclude:
	default:
		rule.Action = All
		return rule
	}
	fields, _ := resolve(r, d["Fields"]).(pdf.Array)
	for i, e := range fields {
		if i >= MaxFields {
			break
		}
		if s, ok := resolve(r, e).(pdf.String); ok {
			rule.Fields = append(rule.Fields, pdf.DecodeTextString(s))
		}
	}
	return rule
}

// permission is /P of d when it is 1, 2 or 3; 0 otherwise.
func permission(r *pdf.Reader, d pdf.Dict) int {
	if n, ok := resolve(r, d["P"]).(int64); ok && n >= 1 && n <= 3 {
		return int(n)
	}
	return 0
}
