package certpath

import (
	"crypto/x509"
	"encoding/asn1"
	"testing"
	"unicode/utf16"
)

type ava struct {
	typ asn1.ObjectIdentifier
	tag int
	val []byte
}

var (
	oidCN = asn1.ObjectIdentifier{2, 5, 4, 3}
	oidO  = asn1.ObjectIdentifier{2, 5, 4, 10}
	oidOU = asn1.ObjectIdentifier{2, 5, 4, 11}
	oidC  = asn1.ObjectIdentifier{2, 5, 4, 6}
)

func str(typ asn1.ObjectIdentifier, tag int, s string) ava { return ava{typ, tag, []byte(s)} }

func bmp(typ asn1.ObjectIdentifier, s string) ava {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u>>8), byte(u))
	}
	return ava{typ, 30, b}
}

// dn encodes a Name: each argument is one RDN of one or more attributes,
// in the order given.
func dn(rdns ...[]ava) []byte {
	var seq []byte
	for _, rdn := range rdns {
		var set []byte
		for _, a := range rdn {
			t, _ := asn1.Marshal(a.typ)
			v, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: a.tag, Bytes: a.val})
			av, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: append(t, v...)})
			set = append(set, av...)
		}
		s, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSet, IsCompound: true, Bytes: set})
		seq = append(seq, s...)
	}
	out, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: seq})
	return out
}

func r(a ...ava) []ava { return a }

// TestNameComparison: RFC 5280 section 7.1 equality as nameKey computes it.
func TestNameComparison(t *testing.T) {
	const printable, utf8s, ia5, t61 = 19, 12, 22, 20
	base := dn(r(str(oidC, printable, "VN")), r(str(oidO, printable, "Ban Co yeu Chinh phu")), r(str(oidCN, printable, "Co quan chung thuc so Chinh phu")))
	same := [][]byte{
		dn(r(str(oidC, printable, "VN")), r(str(oidO, utf8s, "Ban Co yeu Chinh phu")), r(str(oidCN, utf8s, "Co quan chung thuc so Chinh phu"))),
		dn(r(str(oidC, printable, "vn")), r(str(oidO, printable, "BAN CO YEU CHINH PHU")), r(str(oidCN, printable, "co quan CHUNG thuc so chinh phu"))),
		dn(r(str(oidC, printable, " VN ")), r(str(oidO, utf8s, "Ban  Co yeu\tChinh phu ")), r(str(oidCN, printable, "  Co quan chung thuc so   Chinh phu"))),
		dn(r(str(oidC, printable, "VN")), r(bmp(oidO, "Ban Co yeu Chinh phu")), r(str(oidCN, t61, "Co quan chung thuc so Chinh phu"))),
	}
	for i, s := range same {
		if nameKey(s) != nameKey(base) {
			t.Errorf("variant %d differs", i)
		}
	}
	different := [][]byte{
		dn(r(str(oidC, printable, "VN")), r(str(oidO, printable, "Ban Co yeu Chinh phu")), r(str(oidCN, printable, "Co quan chung thuc so Chinh phu 2"))),
		dn(r(str(oidC, printable, "VN")), r(str(oidOU, printable, "Ban Co yeu Chinh phu")), r(str(oidCN, printable, "Co quan chung thuc so Chinh phu"))),
		dn(r(str(oidO, printable, "Ban Co yeu Chinh phu")), r(str(oidC, printable, "VN")), r(str(oidCN, printable, "Co quan chung thuc so Chinh phu"))),
		dn(r(str(oidC, printable, "VN")), r(str(oidO, printable, "Ban Co yeu Chinh phu"))),
		dn(r(str(oidC, printable, "VN"), str(oidO, printable, "Ban Co yeu Chinh phu")), r(str(oidCN, printable, "Co quan chung thuc so Chinh phu"))),
		dn(r(str(oidC, printable, "VN")), r(str(oidO, printable, "BanCo yeu Chinh phu")), r(str(oidCN, printable, "Co quan chung thuc so Chinh phu"))),
	}
	for i, d := range different {
		if nameKey(d) == nameKey(base) {
			t.Errorf("different name %d compares equal", i)
		}
	}
	// Vietnamese in NFC and NFD, and case, in UTF8String and BMPString.
	nfc := dn(r(str(oidCN, utf8s, "Ban Cơ yếu Chính phủ")))
	for i, v := range [][]byte{
		dn(r(str(oidCN, utf8s, "Ban Co\u031b yê\u0301u Chi\u0301nh phu\u0309"))),
		dn(r(str(oidCN, utf8s, "BAN CƠ YẾU CHÍNH PHỦ"))),
		dn(r(bmp(oidCN, "Ban Cơ yếu Chính phủ"))),
	} {
		if nameKey(v) != nameKey(nfc) {
			t.Errorf("vietnamese variant %d differs", i)
		}
	}
	if nameKey(dn(r(str(oidCN, utf8s, "Ban Co yeu Chinh phu")))) == nameKey(nfc) {
		t.Error("diacritics ignored")
	}
	// A multi-valued RDN is a set: order does not matter.
	if nameKey(dn(r(str(oidC, printable, "VN"), str(oidO, printable, "X")))) != nameKey(dn(r(str(oidO, printable, "X"), str(oidC, printable, "VN")))) {
		t.Error("multi-valued RDN order matters")
	}
	// Values that are not strings compare by encoding.
	oct := func(b ...byte) []byte { return dn(r(ava{oidCN, 4, b})) }
	if nameKey(oct(1, 2)) == nameKey(oct(1, 3)) || nameKey(oct(1, 2)) != nameKey(oct(1, 2)) {
		t.Error("octet string values")
	}
	if nameKey(dn(r(ava{oidCN, 4, []byte("a")}))) == nameKey(dn(r(str(oidCN, utf8s, "a")))) {
		t.Error("an octet string equals a string")
	}
	// Strings that are not what their type says compare by encoding.
	if nameKey(dn(r(ava{oidCN, utf8s, []byte{0xff, 0xfe}}))) == nameKey(dn(r(ava{oidCN, utf8s, []byte{0xff, 0xfd}}))) {
		t.Error("invalid utf-8 values compare equal")
	}
	if nameKey(dn(r(ava{oidCN, ia5, []byte{0xc3, 0xa9}}))) == nameKey(dn(r(str(oidCN, utf8s, "é")))) {
		t.Error("non-ascii ia5 string equals utf-8")
	}
	// Garbage keys by its bytes.
	for _, g := range [][]byte{nil, {0x30}, {0x30, 0x03, 0x31, 0x01, 0x00}, append(dn(r(str(oidC, printable, "VN"))), 0)} {
		if nameKey(g) != "raw:"+string(g) {
			t.Errorf("garbage %x keyed %q", g, nameKey(g))
		}
	}
}

// TestIssuerFoundByEquivalentName: a leaf whose issuer name is written
// with other string types, case and spacing than its CA's subject chains
// to it; one with another name does not.
func TestIssuerFoundByEquivalentName(t *testing.T) {
	root := newRoot(t, "Gốc tên", nil)
	caTmpl := template("", true)
	caTmpl.RawSubject = dn(r(str(oidC, 19, "VN")), r(str(oidO, 19, "Ban Co yeu Chinh phu")), r(str(oidCN, 19, "Co quan chung thuc so Chinh phu")))
	ca := root.issueWithKey(t, caTmpl, p256(t))
	issueAs := func(issuerName []byte) *x509.Certificate {
		parent := *ca.cert
		parent.RawSubject = issuerName
		return (&genCA{&parent, ca.key}).issue(t, "Lá tên", false, nil).cert
	}
	o := Options{Anchors: certsOf(root), Intermediates: certsOf(ca)}
	variant := issueAs(dn(r(str(oidC, 19, "vn")), r(str(oidO, 12, "BAN CO YEU  CHINH PHU")), r(str(oidCN, 12, " Co quan chung thuc so Chinh phu"))))
	wantPath(t, variant, o, variant, ca.cert, root.cert)
	other := issueAs(dn(r(str(oidC, 19, "VN")), r(str(oidO, 19, "Ban Co yeu Chinh phu")), r(str(oidCN, 19, "Co quan chung thuc so Chinh phu G2"))))
	wantCode(t, other, o, NoIssuer, other)
}
