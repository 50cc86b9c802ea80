package verify

import (
	"crypto/x509"
	"sort"

	"github.com/vanthuso/vanthu/signing/pdf"
)

// findSignatures walks the AcroForm field tree and returns the signed
// signature fields, ordered by the end of their signed bytes.
func (v *verifier) findSignatures() []sigEntry {
	cat, _, err := v.r.Catalog()
	if err != nil {
		return nil
	}
	af, _ := v.r.ResolveDict(cat["AcroForm"])
	if af == nil {
		return nil
	}
	fields, _ := v.resolve(af["Fields"]).(pdf.Array)
	var out []sigEntry
	seen := map[pdf.Ref]bool{}
	for _, fo := range fields {
		v.walkField(fo, "", "", seen, 0, &out)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].end < out[j].end })
	return out
}

const (
	maxFieldDepth = 32
	maxFields     = 100000
)

func (v *verifier) walkField(o pdf.Object, parentName, parentFT string, seen map[pdf.Ref]bool, depth int, out *[]sigEntry) {
	if depth > maxFieldDepth || len(seen) > maxFields {
		return
	}
	ref, isRef := o.(pdf.Ref)
	if isRef {
		if seen[ref] {
			return
		}
		seen[ref] = true
	}
	d, err := v.r.ResolveDict(o)
	if err != nil || d == nil {
		return
	}
	name := parentName
	if t, ok := v.resolve(d["T"]).(pdf.String); ok {
		part := pdf.DecodeTextString(t)
		if name != "" {
			name += "." + part
		} else {
			name = part
		}
	}
	ft := parentFT
	if n, ok := v.resolve(d["FT"]).(pdf.Name); ok {
		ft = string(n)
	}
	if kids, ok := v.resolve(d["Kids"]).(pdf.Array); ok {
		for _, k := range kids {
			kd, err := v.r.ResolveDict(k)
			if err != nil || kd == nil {
				continue
			}
			if _, hasT := kd["T"]; hasT {
				v.walkField(k, name, ft, seen, depth+1, out)
			}
		}
	}
	if ft != "Sig" {
		return
	}
	e := sigEntry{field: name, fieldRf: ref}
	if lock, _ := v.r.ResolveDict(d["Lock"]); lock != nil {
		e.lock = lock
	}
	switch val := d["V"].(type) {
	case pdf.Ref:
		sd, err := v.r.ResolveDict(val)
		if err != nil || sd == nil {
			return
		}
		e.ref, e.dict = val, sd
	case pdf.Dict:
		if !isRef {
			return
		}
		e.ref, e.dict, e.direct = ref, val, true
	default:
		return // unsigned field
	}
	if br, ok := readByteRange(v.resolve(e.dict["ByteRange"])); ok {
		e.end = br[2] + br[3]
	}
	*out = append(*out, e)
}

// readByteRange returns /ByteRange when it is exactly four non-negative
// integers.
func readByteRange(o pdf.Object) ([4]int64, bool) {
	var br [4]int64
	a, ok := o.(pdf.Array)
	if !ok || len(a) != 4 {
		return br, false
	}
	for i, x := range a {
		n, ok := x.(int64)
		if !ok || n < 0 {
			return br, false
		}
		br[i] = n
	}
	return br, true
}

// loadDSS collects the document security store's certificates, OCSP
// responses and CRLs.
func (v *verifier) loadDSS() {
	cat, _, err := v.r.Catalog()
	if err != nil {
		return
	}
	dss, _ := v.r.ResolveDict(cat["DSS"])
	if dss == nil {
		return
	}
	streams := func(key pdf.Name) [][]byte {
		arr, _ := v.resolve(dss[key]).(pdf.Array)
		var out [][]byte
		for i, e := range arr {
			if i >= 10000 {
				break
			}
			s, ok := v.resolve(e).(*pdf.Stream)
			if !ok {
				continue
			}
			b, err := v.r.StreamData(s)
			if err == nil && len(b) > 0 {
				out = append(out, b)
			}
		}
		return out
	}
	for _, b := range streams("Certs") {
		if c, err := x509.ParseCertificate(b); err == nil {
			v.dss.Certs = append(v.dss.Certs, c)
		}
	}
	v.dss.OCSP = streams("OCSPs")
	v.dss.CRLs = streams("CRLs")
}

// loadDocMDP finds the certification signature and its /P.
func (v *verifier) loadDocMDP() {
	cat, _, err := v.r.Catalog()
	if err != nil {
		return
	}
	perms, _ := v.r.ResolveDict(cat["Perms"])
	if perms == nil {
		return
	}
	ref, ok := perms["DocMDP"].(pdf.Ref)
	if !ok {
		return
	}
	sd, _ := v.r.ResolveDict(ref)
	if sd == nil {
		return
	}
	p := transformP(v.r, sd, "DocMDP")
	if p == 0 {
		p = 2
	}
	v.certP, v.certRef = p, ref
	if br, ok := readByteRange(v.resolve(sd["ByteRange"])); ok {
		v.certEnd = br[2] + br[3]
	}
}

// transformP returns /P of the first /Reference entry with the given
// transform method (1, 2 or 3; 2 when absent or out of range), 0 when there
// is no such entry.
func transformP(r *pdf.Reader, sig pdf.Dict, method pdf.Name) int {
	resolve := func(o pdf.Object) pdf.Object { x, _ := r.Resolve(o); return x }
	refs, _ := resolve(sig["Reference"]).(pdf.Array)
	for _, e := range refs {
		rd, _ := r.ResolveDict(e)
		if rd == nil {
			continue
		}
		if m, _ := resolve(rd["TransformMethod"]).(pdf.Name); m != method {
			continue
		}
		params, _ := r.ResolveDict(rd["TransformParams"])
		p := int64(2)
		if params != nil {
			if x, ok := resolve(params["P"]).(int64); ok && x >= 1 && x <= 3 {
				p = x
			}
		}
		return int(p)
	}
	return 0
}
