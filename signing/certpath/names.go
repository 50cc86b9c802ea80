package certpath

import (
	"encoding/binary"
	"encoding/hex"
	"slices"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// nameKey returns a key under which two DER Names are equal when RFC 5280
// section 7.1 calls them equal: the same RDNs in the same order, each with
// the same set of attributes, string values compared after RFC 4518-style
// preparation (NFKC, case folding, leading, trailing and repeated
// whitespace insignificant) whatever their string type (PrintableString,
// UTF8String, BMPString, ...). Other values compare by their encoding. A
// Name that does not parse keys by its bytes.
func nameKey(der []byte) string {
	var b strings.Builder
	in := cryptobyte.String(der)
	var rdns cryptobyte.String
	if !in.ReadASN1(&rdns, cbasn1.SEQUENCE) || !in.Empty() {
		return "raw:" + string(der)
	}
	for !rdns.Empty() {
		var set cryptobyte.String
		if !rdns.ReadASN1(&set, cbasn1.SET) {
			return "raw:" + string(der)
		}
		var avas []string
		for !set.Empty() {
			var ava, typ cryptobyte.String
			var valTag cbasn1.Tag
			var val cryptobyte.String
			if !set.ReadASN1(&ava, cbasn1.SEQUENCE) || !ava.ReadASN1(&typ, cbasn1.OBJECT_IDENTIFIER) ||
				!ava.ReadAnyASN1(&val, &valTag) || !ava.Empty() {
				return "raw:" + string(der)
			}
			avas = append(avas, lengthPrefixed(string(typ))+valueKey(valTag, val))
		}
		slices.Sort(avas)
		b.WriteString(lengthPrefixed(strings.Join(avas, "")))
	}
	return b.String()
}

func lengthPrefixed(s string) string {
	return string(binary.AppendUvarint(nil, uint64(len(s)))) + s
}

var folder = cases.Fold()

// valueKey is the comparison form of one attribute value.
func valueKey(tag cbasn1.Tag, val []byte) string {
	s, ok := decodeString(tag, val)
	if !ok {
		return lengthPrefixed("x" + hex.EncodeToString([]byte{byte(tag)}) + string(val))
	}
	s = folder.String(norm.NFKC.String(s))
	s = strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
	return lengthPrefixed("s" + s)
}

// decodeString decodes the directory string types to text.
func decodeString(tag cbasn1.Tag, val []byte) (string, bool) {
	switch tag {
	case cbasn1.UTF8String:
		return string(val), utf8.Valid(val)
	case cbasn1.PrintableString, cbasn1.IA5String, 26: // VisibleString
		for _, c := range val {
			if c >= 0x80 {
				return "", false
			}
		}
		return string(val), true
	case cbasn1.T61String: // read as Latin-1, as most software does
		r := make([]rune, len(val))
		for i, c := range val {
			r[i] = rune(c)
		}
		return string(r), true
	case 30: // BMPString, UTF-16BE
		if len(val)%2 != 0 {
			return "", false
		}
		u := make([]uint16, len(val)/2)
		for i := range u {
			u[i] = binary.BigEndian.Uint16(val[2*i:])
		}
		return string(utf16.Decode(u)), true
	case 28: // UniversalString, UTF-32BE
		if len(val)%4 != 0 {
			return "", false
		}
		r := make([]rune, len(val)/4)
		for i := range r {
			r[i] = rune(binary.BigEndian.Uint32(val[4*i:]))
			if !utf8.ValidRune(r[i]) {
				return "", false
			}
		}
		return string(r), true
	}
	return "", false
}
