package verify

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/signing/cms"
	"github.com/vanthuso/vanthu/signing/pdf"
)

// testUpdate builds one incremental update on top of a PDF, as an attacker
// (or an honest producer) would append it: redefined objects, new objects,
// a cross-reference section of the same kind as the file's newest one, and
// optionally a signature whose bytes cover the whole update.
type testUpdate struct {
	t     testing.TB
	base  []byte
	r     *pdf.Reader
	next  uint32
	objs  map[uint32]testObj
	order []uint32
	sig   *testSig
}

type testObj struct {
	gen  uint16
	body []byte
}

// testSig is a signature written inside the update.
type testSig struct {
	ref         pdf.Ref
	signer      crypto.Signer
	cert        *x509.Certificate
	chain       []*x509.Certificate
	tsa         cms.Timestamper // a document timestamp instead of a signature
	contentsLen int             // bytes of CMS room
}

func openUpdate(t testing.TB, base []byte) *testUpdate {
	t.Helper()
	r, err := pdf.Open(bytes.NewReader(base), int64(len(base)))
	if err != nil {
		t.Fatalf("open base: %v", err)
	}
	return &testUpdate{t: t, base: base, r: r, next: r.Size(), objs: map[uint32]testObj{}}
}

// get returns the object as the update sees it: a pending redefinition is
// not visible (callers keep their own copies); the base's value otherwise.
func (u *testUpdate) get(ref pdf.Ref) pdf.Object {
	o, err := u.r.Get(ref)
	if err != nil {
		u.t.Fatalf("get %v: %v", ref, err)
	}
	return o
}

func (u *testUpdate) dict(o pdf.Object) pdf.Dict {
	d, _ := u.r.ResolveDict(o)
	return d
}

func (u *testUpdate) resolve(o pdf.Object) pdf.Object {
	x, _ := u.r.Resolve(o)
	return x
}

func (u *testUpdate) put(num uint32, gen uint16, body []byte) {
	if _, ok := u.objs[num]; !ok {
		u.order = append(u.order, num)
	}
	u.objs[num] = testObj{gen: gen, body: body}
}

// set redefines ref (or defines a new object under that number).
func (u *testUpdate) set(ref pdf.Ref, o pdf.Object) {
	u.put(ref.Num, ref.Gen, pdf.AppendObject(nil, o))
}

// setStream redefines ref as a stream with unencoded data.
func (u *testUpdate) setStream(ref pdf.Ref, d pdf.Dict, data []byte) {
	u.put(ref.Num, ref.Gen, streamBody(d, data))
}

func streamBody(d pdf.Dict, data []byte) []byte {
	d = maps(d)
	delete(d, "Filter")
	delete(d, "DecodeParms")
	delete(d, "DL")
	d["Length"] = int64(len(data))
	b := pdf.AppendObject(nil, d)
	b = append(b, "\nstream\n"...)
	b = append(b, data...)
	return append(b, "\nendstream"...)
}

func maps(d pdf.Dict) pdf.Dict {
	out := pdf.Dict{}
	for k, v := range d {
		out[k] = v
	}
	return out
}

func (u *testUpdate) alloc() pdf.Ref {
	ref := pdf.Ref{Num: u.next}
	u.next++
	return ref
}

func (u *testUpdate) add(o pdf.Object) pdf.Ref {
	ref := u.alloc()
	u.set(ref, o)
	return ref
}

func (u *testUpdate) addStream(d pdf.Dict, data []byte) pdf.Ref {
	ref := u.alloc()
	u.setStream(ref, d, data)
	return ref
}

// catalog returns a copy of the catalog and its reference.
func (u *testUpdate) catalog() (pdf.Dict, pdf.Ref) {
	cat, ref, err := u.r.Catalog()
	if err != nil {
		u.t.Fatalf("catalog: %v", err)
	}
	if o, ok := u.objs[ref.Num]; ok {
		d, err := pdf.ParseObject(o.body)
		if err != nil {
			u.t.Fatalf("catalog: %v", err)
		}
		return d.(pdf.Dict), ref
	}
	return maps(cat), ref
}

// pending returns the dictionary of ref as redefined so far in the update,
// else as in the base.
func (u *testUpdate) pending(ref pdf.Ref) pdf.Dict {
	if o, ok := u.objs[ref.Num]; ok {
		if d, err := pdf.ParseObject(o.body); err == nil {
			if dd, ok := d.(pdf.Dict); ok {
				return dd
			}
		}
	}
	return maps(u.dict(ref))
}

// acroForm returns a copy of the AcroForm dictionary and a function that
// stores a modified copy back where it lives (its own object, or the
// catalog).
func (u *testUpdate) acroForm() (pdf.Dict, func(pdf.Dict)) {
	cat, catRef := u.catalog()
	if ref, ok := cat["AcroForm"].(pdf.Ref); ok {
		return u.pending(ref), func(d pdf.Dict) { u.set(ref, d) }
	}
	af, _ := u.r.ResolveDict(cat["AcroForm"])
	if af == nil {
		af = pdf.Dict{"Fields": pdf.Array{}}
	}
	return maps(af), func(d pdf.Dict) {
		cat, _ := u.catalog()
		cat["AcroForm"] = u.add(d)
		u.set(catRef, cat)
	}
}

// pageAnnots appends annotation ref to page n's /Annots.
func (u *testUpdate) pageAnnots(n int, ref pdf.Ref) {
	pr, _, _, err := u.r.Page(n)
	if err != nil {
		u.t.Fatal(err)
	}
	pd := u.pending(pr)
	if ar, ok := pd["Annots"].(pdf.Ref); ok {
		arr, _ := u.resolve(ar).(pdf.Array)
		if o, ok := u.objs[ar.Num]; ok {
			x, _ := pdf.ParseObject(o.body)
			arr, _ = x.(pdf.Array)
		}
		u.set(ar, append(slices.Clone(arr), ref))
		return
	}
	arr, _ := u.resolve(pd["Annots"]).(pdf.Array)
	pd["Annots"] = append(slices.Clone(arr), ref)
	u.set(pr, pd)
}

// addField adds a field to the AcroForm's /Fields.
func (u *testUpdate) addField(ref pdf.Ref, sigFlags bool) {
	af, store := u.acroForm()
	fields, _ := u.resolve(af["Fields"]).(pdf.Array)
	af["Fields"] = append(slices.Clone(fields), ref)
	if sigFlags {
		af["SigFlags"] = int64(3)
	}
	store(af)
}

const testSigRoom = 12000

// addSignature makes the update end with a signature by signer, in a new
// invisible field on page 1, covering every byte of the update.
func (u *testUpdate) addSignature(signer crypto.Signer, cert *x509.Certificate, chain []*x509.Certificate) {
	u.addSigField(&testSig{signer: signer, cert: cert, chain: chain})
}

// addDocTimestamp makes the update end with a document timestamp from
// tsa covering every byte of the update.
func (u *testUpdate) addDocTimestamp(tsa cms.Timestamper) {
	u.addSigField(&testSig{tsa: tsa})
}

func (u *testUpdate) addSigField(sig *testSig) {
	sig.ref, sig.contentsLen = u.alloc(), testSigRoom
	u.sig = sig
	pr, _, _, err := u.r.Page(1)
	if err != nil {
		u.t.Fatal(err)
	}
	field := u.add(pdf.Dict{
		"Type": pdf.Name("Annot"), "Subtype": pdf.Name("Widget"), "FT": pdf.Name("Sig"),
		"T": pdf.String(fmt.Sprintf("LaterSignature%d", sig.ref.Num)), "V": sig.ref,
		"Rect": pdf.Array{int64(0), int64(0), int64(0), int64(0)}, "F": int64(132), "P": pr,
	})
	u.pageAnnots(1, field)
	u.addField(field, true)
}

// bytes writes the base followed by the update.
func (u *testUpdate) bytes() []byte {
	var out bytes.Buffer
	out.Write(u.base)
	if len(u.base) > 0 && u.base[len(u.base)-1] != '\n' && u.base[len(u.base)-1] != '\r' {
		out.WriteByte('\n')
	}
	offsets := map[uint32]int64{}
	var brAt, contentsAt int64 = -1, -1
	writeObj := func(num uint32, gen uint16, body []byte) {
		offsets[num] = int64(out.Len())
		fmt.Fprintf(&out, "%d %d obj\n", num, gen)
		out.Write(body)
		out.WriteString("\nendobj\n")
	}
	for _, num := range u.order {
		o := u.objs[num]
		writeObj(num, o.gen, o.body)
	}
	if u.sig != nil {
		offsets[u.sig.ref.Num] = int64(out.Len())
		kind := "/Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached"
		if u.sig.tsa != nil {
			kind = "/Type /DocTimeStamp /Filter /Adobe.PPKLite /SubFilter /ETSI.RFC3161"
		}
		fmt.Fprintf(&out, "%d 0 obj\n<< %s /M (%s) /ByteRange ", u.sig.ref.Num, kind, pdf.FormatDate(time.Now()))
		brAt = int64(out.Len())
		out.WriteString("[0000000000 0000000000 0000000000 0000000000] /Contents ")
		contentsAt = int64(out.Len())
		out.WriteString("<" + strings.Repeat("0", 2*u.sig.contentsLen) + "> >>\nendobj\n")
	}
	_, root, _ := u.r.Catalog()
	trailer := u.r.Trailer()
	size := u.next
	xrefAt := int64(out.Len())
	nums := make([]uint32, 0, len(offsets))
	for n := range offsets {
		nums = append(nums, n)
	}
	if u.r.XRefIsStream() {
		xnum := size
		size++
		nums = append(nums, xnum)
		offsets[xnum] = xrefAt
		slices.Sort(nums)
		var data []byte
		var index pdf.Array
		for _, n := range nums {
			index = append(index, int64(n), int64(1))
			gen := uint16(0)
			if o, ok := u.objs[n]; ok {
				gen = o.gen
			}
			off := offsets[n]
			data = append(data, 1, byte(off>>24), byte(off>>16), byte(off>>8), byte(off), byte(gen>>8), byte(gen))
		}
		d := pdf.Dict{"Type": pdf.Name("XRef"), "Size": int64(size), "W": pdf.Array{int64(1), int64(4), int64(2)},
			"Index": index, "Root": root, "Prev": u.r.StartXRef()}
		for _, k := range []pdf.Name{"Info", "ID"} {
			if v, ok := trailer[k]; ok {
				d[k] = v
			}
		}
		fmt.Fprintf(&out, "%d 0 obj\n", xnum)
		out.Write(streamBody(d, data))
		out.WriteString("\nendobj\n")
	} else {
		slices.Sort(nums)
		out.WriteString("xref\n0 1\n0000000000 65535 f \n")
		for _, n := range nums {
			gen := uint16(0)
			if o, ok := u.objs[n]; ok {
				gen = o.gen
			}
			fmt.Fprintf(&out, "%d 1\n%010d %05d n \n", n, offsets[n], gen)
		}
		d := pdf.Dict{"Size": int64(size), "Root": root, "Prev": u.r.StartXRef()}
		for _, k := range []pdf.Name{"Info", "ID"} {
			if v, ok := trailer[k]; ok {
				d[k] = v
			}
		}
		out.WriteString("trailer\n")
		out.Write(pdf.AppendObject(nil, d))
	}
	fmt.Fprintf(&out, "\nstartxref\n%d\n%%%%EOF\n", xrefAt)
	b := out.Bytes()
	if u.sig != nil {
		u.fillSignature(b, brAt, contentsAt)
	}
	return b
}

func (u *testUpdate) fillSignature(b []byte, brAt, contentsAt int64) {
	a := contentsAt
	c := contentsAt + int64(2*u.sig.contentsLen) + 2
	br := fmt.Sprintf("[%010d %010d %010d %010d]", 0, a, c, int64(len(b))-c)
	copy(b[brAt:], br)
	h := sha256.New()
	h.Write(b[:a])
	h.Write(b[c:])
	var der []byte
	var err error
	if u.sig.tsa != nil {
		der, err = u.sig.tsa.Timestamp(context.Background(), h.Sum(nil), crypto.SHA256)
	} else {
		der, err = cms.SignDetached(context.Background(), h.Sum(nil), cms.SignOptions{
			Signer: u.sig.signer, Certificate: u.sig.cert, Chain: u.sig.chain, Profile: cms.PAdES,
		})
	}
	if err != nil {
		u.t.Fatalf("sign update: %v", err)
	}
	if len(der) > u.sig.contentsLen {
		u.t.Fatalf("signature of %d bytes does not fit %d", len(der), u.sig.contentsLen)
	}
	copy(b[a+1:], strings.ToUpper(hex.EncodeToString(der)))
}
