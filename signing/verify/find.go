package verify

import (
	"crypto/x509"
	"sort"

	"github.com/vanthuso/vanthu/signing/acroform"
	"github.com/vanthuso/vanthu/signing/pdf"
)

// findSignatures reads the form with signing/acroform (the walker the
// signer shares) and returns the signed signature fields, ordered by the
// end of their signed bytes. A signature dictionary that two fields share
// (a kid inheriting its parent's /V) is one signature, listed once. A
// tree beyond acroform's limits gives the signatures read before them.
func (v *verifier) findSignatures() []sigEntry {
	form, _ := acroform.Read(v.r)
	if form == nil {
		return nil
	}
	var out []sigEntry
	seen := map[pdf.Ref]bool{}
	for _, fl := range form.Signatures() {
		e := sigEntry{field: fl.Name, fieldRf: fl.Ref, lock: fl.Lock}
		switch {
		case fl.SigRef != (pdf.Ref{}):
			e.ref, e.dict = fl.SigRef, fl.Sig
		case fl.Ref != (pdf.Ref{}):
			// A direct signature dictionary: its bytes are the field's.
			e.ref, e.dict, e.direct = fl.Ref, fl.Sig, true
		default:
			continue
		}
		if seen[e.ref] {
			continue
		}
		seen[e.ref] = true
		if br, ok := readByteRange(v.resolve(e.dict["ByteRange"])); ok {
			e.end = br[2] + br[3]
		}
		out = append(out, e)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].end < out[j].end })
	return out
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
	p := acroform.DocMDPLevel(v.r, sd)
	if p == 0 {
		p = 2
	}
	v.certP, v.certRef = p, ref
	if br, ok := readByteRange(v.resolve(sd["ByteRange"])); ok {
		v.certEnd = br[2] + br[3]
	}
}
