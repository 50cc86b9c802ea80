package acroform

import (
	"github.com/vanthuso/vanthu/signing/pdf"
)

// The two field walkers this package replaced, as they behaved at commit
// 9b4fa44 (signing/pades inspect.go walkField, signing/verify verify.go
// walkField), restated compactly so that the corpus test can show what
// changed. Each difference is explained where the corpus test expects it.

// legacyField is what an old walker reported for one field.
type legacyField struct {
	name   string
	typ    string
	ref    pdf.Ref
	widget pdf.Ref
	page   int
	signed bool
}

// legacyWalk walks /Fields like both old walkers: a kid is a field only
// when it has /T; /FT is inherited, nothing else; a reference is read once;
// deeper than 32 levels or more than 100 000 references ends the walk
// (pades failed, verify stopped quietly: ok says which happened).
//
// pades reported the terminal fields (no kid with /T, or some kid without
// /T given by reference), after their kids; signed meant "/V resolves to
// anything"; the widget was the field itself when it was a /Widget or had
// no widget kid given by reference, else the first one; the page came from
// /P when a page, else from the pages' /Annots.
//
// verify reported every field of type Sig, terminal or not, after its kids,
// when its own /V was a reference to a dictionary, or a direct dictionary
// in a field given by reference.
func legacyWalk(r *pdf.Reader, forVerify bool) (fields []legacyField, ok bool) {
	cat, _, err := r.Catalog()
	if err != nil {
		return nil, false
	}
	af, err := r.ResolveDict(cat["AcroForm"])
	if err != nil {
		return nil, false
	}
	pages := newPageIndex(r)
	seen := map[pdf.Ref]bool{}
	ok = true
	var walk func(o pdf.Object, parentName, parentFT string, depth int)
	walk = func(o pdf.Object, parentName, parentFT string, depth int) {
		if !ok {
			return
		}
		if depth > 32 || len(seen) > 100000 {
			ok = false
			return
		}
		ref, isRef := o.(pdf.Ref)
		if isRef {
			if seen[ref] {
				return
			}
			seen[ref] = true
		}
		d, err := r.ResolveDict(o)
		if err != nil || d == nil {
			return
		}
		f := legacyField{name: parentName, typ: parentFT, ref: ref}
		if t, isStr := resolve(r, d["T"]).(pdf.String); isStr {
			if f.name != "" {
				f.name += "."
			}
			f.name += pdf.DecodeTextString(t)
		}
		if ft, isName := resolve(r, d["FT"]).(pdf.Name); isName {
			f.typ = string(ft)
		}
		kids, _ := resolve(r, d["Kids"]).(pdf.Array)
		fieldKids, widgetKids := 0, []pdf.Ref(nil)
		for _, k := range kids {
			kd, err := r.ResolveDict(k)
			if err != nil || kd == nil {
				continue
			}
			if _, hasT := kd["T"]; hasT {
				fieldKids++
				walk(k, f.name, f.typ, depth+1)
			} else if kr, isRef := k.(pdf.Ref); isRef {
				widgetKids = append(widgetKids, kr)
			}
		}
		if forVerify {
			if f.typ != "Sig" {
				return
			}
			switch v := d["V"].(type) {
			case pdf.Ref:
				sd, err := r.ResolveDict(v)
				f.signed = err == nil && sd != nil
			case pdf.Dict:
				f.signed = isRef
			}
			if f.signed {
				fields = append(fields, f)
			}
			return
		}
		if fieldKids > 0 && len(widgetKids) == 0 {
			return
		}
		f.signed = f.typ == "Sig" && resolve(r, d["V"]) != nil
		wd := d
		if st, _ := resolve(r, d["Subtype"]).(pdf.Name); st == "Widget" || len(widgetKids) == 0 {
			f.widget = ref
		} else {
			f.widget = widgetKids[0]
			wd, _ = r.ResolveDict(f.widget)
		}
		if wd != nil {
			if p, isRef := wd["P"].(pdf.Ref); isRef {
				f.page = pages.number(p)
			}
			if f.page == 0 && f.widget != (pdf.Ref{}) {
				f.page = pages.listing(f.widget)
			}
		}
		fields = append(fields, f)
	}
	if af != nil {
		list, _ := resolve(r, af["Fields"]).(pdf.Array)
		for _, o := range list {
			walk(o, "", "", 0)
		}
	}
	return fields, ok
}
