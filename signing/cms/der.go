package cms

import (
	"bytes"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"time"
)

// This file holds the small ASN.1 layer the package is built on: a reader of
// definite-length DER elements, a BER-to-DER normaliser for the constructs
// other producers use (indefinite lengths, segmented strings), and builders.
// encoding/asn1 is used only for object identifiers and integers on output.

const (
	classUniversal = 0
	classContext   = 2

	tagBoolean         = 1
	tagInteger         = 2
	tagBitString       = 3
	tagOctetString     = 4
	tagNull            = 5
	tagOID             = 6
	tagUTF8String      = 12
	tagSequence        = 16
	tagSet             = 17
	tagPrintableString = 19
	tagIA5String       = 22
	tagUTCTime         = 23
	tagGeneralizedTime = 24

	// maxDepth bounds the nesting the normaliser follows. Real signatures
	// (a timestamp token inside an unsigned attribute, certificates and OCSP
	// responses inside it) stay below 40.
	maxDepth = 128
)

var errTruncated = errors.New("truncated element")

// element is one parsed TLV. full is the whole encoding, body the contents.
type element struct {
	class       int
	constructed bool
	tag         int
	full        []byte
	body        []byte
}

func (e element) is(class, tag int) bool { return e.class == class && e.tag == tag }

func (e element) describe() string {
	switch e.class {
	case classUniversal:
		return "universal " + strconv.Itoa(e.tag)
	case classContext:
		return "[" + strconv.Itoa(e.tag) + "]"
	default:
		return fmt.Sprintf("class %d tag %d", e.class, e.tag)
	}
}

// header is a parsed identifier and length. length is -1 for the BER
// indefinite form.
type header struct {
	class       int
	constructed bool
	tag         int
	size        int // header bytes
	length      int
}

func parseHeader(b []byte) (header, error) {
	var h header
	if len(b) < 2 {
		return h, errTruncated
	}
	h.class = int(b[0] >> 6)
	h.constructed = b[0]&0x20 != 0
	h.tag = int(b[0] & 0x1f)
	i := 1
	if h.tag == 0x1f {
		h.tag = 0
		for n := 0; ; n++ {
			if i >= len(b) {
				return h, errTruncated
			}
			if n >= 4 {
				return h, errors.New("tag number too large")
			}
			c := b[i]
			i++
			h.tag = h.tag<<7 | int(c&0x7f)
			if c&0x80 == 0 {
				break
			}
		}
	}
	if i >= len(b) {
		return h, errTruncated
	}
	l := b[i]
	i++
	switch {
	case l < 0x80:
		h.length = int(l)
	case l == 0x80:
		h.length = -1
	default:
		n := int(l & 0x7f)
		if n > 4 {
			return h, errors.New("length too large")
		}
		if i+n > len(b) {
			return h, errTruncated
		}
		v := 0
		for _, c := range b[i : i+n] {
			v = v<<8 | int(c)
		}
		i += n
		if v < 0 || v > 1<<30 {
			return h, errors.New("length too large")
		}
		h.length = v
	}
	h.size = i
	if h.length > len(b)-i {
		return h, errTruncated
	}
	return h, nil
}

// next reads one definite-length element from the start of b.
func next(b []byte) (element, []byte, error) {
	h, err := parseHeader(b)
	if err != nil {
		return element{}, nil, err
	}
	if h.length < 0 {
		return element{}, nil, errors.New("indefinite length")
	}
	end := h.size + h.length
	return element{class: h.class, constructed: h.constructed, tag: h.tag, full: b[:end:end], body: b[h.size:end:end]}, b[end:], nil
}

// reader walks the elements of a constructed body in order.
type reader struct{ b []byte }

func (r *reader) empty() bool { return len(r.b) == 0 }

// peek reports the class and tag of the next element without consuming it.
func (r *reader) peek(class, tag int) bool {
	if len(r.b) == 0 {
		return false
	}
	e, _, err := next(r.b)
	return err == nil && e.is(class, tag)
}

// any reads the next element, whatever it is.
func (r *reader) any(what string) (element, error) {
	if len(r.b) == 0 {
		return element{}, fmt.Errorf("%s: missing", what)
	}
	e, rest, err := next(r.b)
	if err != nil {
		return element{}, fmt.Errorf("%s: %w", what, err)
	}
	r.b = rest
	return e, nil
}

// read reads the next element and checks its class and tag.
func (r *reader) read(class, tag int, what string) (element, error) {
	e, err := r.any(what)
	if err != nil {
		return e, err
	}
	if !e.is(class, tag) {
		return e, fmt.Errorf("%s: unexpected %s", what, e.describe())
	}
	return e, nil
}

// optional reads the next element if it has the given class and tag.
func (r *reader) optional(class, tag int) (element, bool) {
	if !r.peek(class, tag) {
		return element{}, false
	}
	e, rest, _ := next(r.b)
	r.b = rest
	return e, true
}

// items splits a constructed body (SEQUENCE OF, SET OF) into its elements.
func items(body []byte, what string) ([]element, error) {
	var out []element
	for len(body) > 0 {
		e, rest, err := next(body)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, e)
		body = rest
	}
	return out, nil
}

// expect parses b as exactly one element of the given class and tag.
func expect(b []byte, class, tag int, what string) (element, error) {
	e, rest, err := next(b)
	if err != nil {
		return e, fmt.Errorf("%s: %w", what, err)
	}
	if !e.is(class, tag) {
		return e, fmt.Errorf("%s: unexpected %s", what, e.describe())
	}
	if len(rest) != 0 {
		return e, fmt.Errorf("%s: %d trailing bytes", what, len(rest))
	}
	return e, nil
}

func parseOID(e element, what string) (asn1.ObjectIdentifier, error) {
	if !e.is(classUniversal, tagOID) || e.constructed {
		return nil, fmt.Errorf("%s: not an object identifier", what)
	}
	var oid asn1.ObjectIdentifier
	if _, err := asn1.Unmarshal(e.full, &oid); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return oid, nil
}

// parseBigInt decodes a two's-complement INTEGER body. Non-minimal
// encodings, which some producers emit in serial numbers, are accepted.
func parseBigInt(e element, what string) (*big.Int, error) {
	if !e.is(classUniversal, tagInteger) || e.constructed {
		return nil, fmt.Errorf("%s: not an integer", what)
	}
	if len(e.body) == 0 {
		return nil, fmt.Errorf("%s: empty integer", what)
	}
	n := new(big.Int).SetBytes(e.body)
	if e.body[0]&0x80 != 0 {
		n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(len(e.body))*8))
	}
	return n, nil
}

func parseSmallInt(e element, what string) (int, error) {
	n, err := parseBigInt(e, what)
	if err != nil {
		return 0, err
	}
	if !n.IsInt64() || n.Int64() > 1<<30 || n.Int64() < -(1<<30) {
		return 0, fmt.Errorf("%s: integer out of range", what)
	}
	return int(n.Int64()), nil
}

func parseOctets(e element, what string) ([]byte, error) {
	if !e.is(classUniversal, tagOctetString) || e.constructed {
		return nil, fmt.Errorf("%s: not an octet string", what)
	}
	return e.body, nil
}

// parseTime decodes UTCTime or GeneralizedTime, leniently: seconds and
// fractions are optional, the zone is Z or ±hhmm (absent means UTC).
func parseTime(e element, what string) (time.Time, error) {
	if e.constructed || e.class != classUniversal {
		return time.Time{}, fmt.Errorf("%s: not a time", what)
	}
	s := string(e.body)
	var t time.Time
	var err error
	switch e.tag {
	case tagUTCTime:
		t, err = parseTimeString(s, 2)
		if err == nil && t.Year() >= 2050 {
			t = t.AddDate(-100, 0, 0)
		}
	case tagGeneralizedTime:
		t, err = parseTimeString(s, 4)
	default:
		return time.Time{}, fmt.Errorf("%s: not a time", what)
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("%s: %q: %w", what, s, err)
	}
	return t, nil
}

func parseTimeString(s string, yearDigits int) (time.Time, error) {
	digits := func(n int) (int, bool) {
		if len(s) < n {
			return 0, false
		}
		v := 0
		for i := range n {
			c := s[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			v = v*10 + int(c-'0')
		}
		s = s[n:]
		return v, true
	}
	bad := errors.New("malformed time")
	year, ok := digits(yearDigits)
	if !ok {
		return time.Time{}, bad
	}
	if yearDigits == 2 {
		year += 2000 // corrected to 1950..2049 by the caller
	}
	var f [4]int // month day hour minute
	for i := range f {
		if f[i], ok = digits(2); !ok {
			return time.Time{}, bad
		}
	}
	sec := 0
	if len(s) >= 2 && s[0] >= '0' && s[0] <= '9' {
		sec, _ = digits(2)
	}
	nsec := 0
	if len(s) > 0 && (s[0] == '.' || s[0] == ',') {
		s = s[1:]
		n := 0
		for len(s) > 0 && s[0] >= '0' && s[0] <= '9' {
			if n < 9 {
				nsec = nsec*10 + int(s[0]-'0')
			}
			n++
			s = s[1:]
		}
		if n == 0 {
			return time.Time{}, bad
		}
		for ; n < 9; n++ {
			nsec *= 10
		}
	}
	loc := time.UTC
	switch {
	case s == "Z" || s == "":
		s = ""
	case len(s) == 5 && (s[0] == '+' || s[0] == '-'):
		sign := 1
		if s[0] == '-' {
			sign = -1
		}
		s = s[1:]
		hh, ok1 := digits(2)
		mm, ok2 := digits(2)
		if !ok1 || !ok2 || hh > 23 || mm > 59 {
			return time.Time{}, bad
		}
		loc = time.FixedZone("", sign*(hh*3600+mm*60))
	}
	if s != "" {
		return time.Time{}, bad
	}
	if f[0] < 1 || f[0] > 12 || f[1] < 1 || f[1] > 31 || f[2] > 23 || f[3] > 59 || sec > 60 {
		return time.Time{}, bad
	}
	t := time.Date(year, time.Month(f[0]), f[1], f[2], f[3], sec, nsec, loc)
	if t.Day() != f[1] {
		return time.Time{}, bad
	}
	return t.UTC(), nil
}

// normalize rewrites the first element of b into DER form where BER
// constructs need it: indefinite lengths become definite and segmented
// (constructed) strings become primitive. Subtrees without such constructs
// are copied byte for byte, so signed attributes and certificates keep the
// exact encoding their signatures cover. It returns the element, whether it
// was rewritten, and what follows it.
func normalize(b []byte, depth int) (out []byte, changed bool, rest []byte, err error) {
	if depth > maxDepth {
		return nil, false, nil, errors.New("nesting too deep")
	}
	h, err := parseHeader(b)
	if err != nil {
		return nil, false, nil, err
	}
	if !h.constructed {
		if h.length < 0 {
			return nil, false, nil, errors.New("indefinite length on a primitive element")
		}
		end := h.size + h.length
		return b[:end:end], false, b[end:], nil
	}
	changed = h.length < 0
	parts, rest, err := constructedParts(b, h, func(c []byte) ([]byte, []byte, error) {
		part, ch, r, err := normalize(c, depth+1)
		changed = changed || ch
		return part, r, err
	})
	if err != nil {
		return nil, false, nil, err
	}
	if h.class == classUniversal && isStringTag(h.tag) {
		s, err := joinSegments(h.tag, parts)
		return s, true, rest, err
	}
	if h.class == classUniversal && h.tag == tagBitString {
		return nil, false, nil, errors.New("constructed bit string not supported")
	}
	if !changed {
		end := h.size + h.length
		return b[:end:end], false, rest, nil
	}
	return appendTLV(nil, h.class, true, h.tag, concat(parts)), true, rest, nil
}

// constructedParts splits the contents of the constructed element that
// starts b (its header h), definite or indefinite, passing each child to
// enc, which returns the child's new encoding and what follows it. It
// returns the encodings and what follows the element.
func constructedParts(b []byte, h header, enc func([]byte) (part, rest []byte, err error)) (parts [][]byte, rest []byte, err error) {
	body := b[h.size:]
	if h.length >= 0 {
		body, rest = b[h.size:h.size+h.length], b[h.size+h.length:]
	}
	for {
		if h.length >= 0 && len(body) == 0 {
			return parts, rest, nil
		}
		if h.length < 0 {
			if len(body) >= 2 && body[0] == 0 && body[1] == 0 {
				return parts, body[2:], nil
			}
			if len(body) == 0 {
				return nil, nil, errors.New("missing end-of-contents")
			}
		}
		part, r, err := enc(body)
		if err != nil {
			return nil, nil, err
		}
		parts = append(parts, part)
		body = r
	}
}

// joinSegments makes one primitive string of the given tag from the
// encoded segments of a constructed string.
func joinSegments(tag int, parts [][]byte) ([]byte, error) {
	var content []byte
	for _, p := range parts {
		e, _, err := next(p)
		if err != nil {
			return nil, err
		}
		if e.class != classUniversal || e.tag != tag || e.constructed {
			return nil, errors.New("bad segment in a constructed string")
		}
		content = append(content, e.body...)
	}
	return appendTLV(nil, classUniversal, false, tag, content), nil
}

func isStringTag(tag int) bool {
	switch tag {
	case tagOctetString, tagUTF8String, tagPrintableString, 20, 21, tagIA5String, 25, 26, 27, 28, 30:
		return true
	}
	return false
}

// derEncode re-encodes the first element of b (BER or DER) in DER, the
// encoding RFC 5652 section 5.4 computes the signature of signed
// attributes over, and returns what follows it. Without a schema it does
// what a generic DER encoder can, as BouncyCastle's re-encoding does:
// definite minimal lengths and minimal tag numbers, constructed strings
// joined into primitive ones, BOOLEAN true as 0xFF, and the elements of
// every SET sorted by their encodings (the SET OF rule; a SET whose
// components differ in tag sorts by tag the same way, except for a
// constructed component before a primitive one of a higher tag number,
// which no CMS attribute has). Other content octets (non-minimal INTEGERs,
// BIT STRING padding) are kept.
func derEncode(b []byte, depth int) (out, rest []byte, err error) {
	if depth > maxDepth {
		return nil, nil, errors.New("nesting too deep")
	}
	h, err := parseHeader(b)
	if err != nil {
		return nil, nil, err
	}
	if !h.constructed {
		if h.length < 0 {
			return nil, nil, errors.New("indefinite length on a primitive element")
		}
		body := b[h.size : h.size+h.length]
		if h.class == classUniversal && h.tag == tagBoolean && len(body) == 1 && body[0] != 0 {
			body = []byte{0xff}
		}
		return appendTLV(nil, h.class, false, h.tag, body), b[h.size+h.length:], nil
	}
	parts, rest, err := constructedParts(b, h, func(c []byte) ([]byte, []byte, error) { return derEncode(c, depth+1) })
	if err != nil {
		return nil, nil, err
	}
	if h.class == classUniversal {
		switch {
		case isStringTag(h.tag):
			s, err := joinSegments(h.tag, parts)
			return s, rest, err
		case h.tag == tagBitString:
			return nil, nil, errors.New("constructed bit string not supported")
		case h.tag == tagSet:
			slices.SortFunc(parts, bytes.Compare)
		}
	}
	return appendTLV(nil, h.class, true, h.tag, concat(parts)), rest, nil
}

// toDER normalises a whole BER/DER blob holding one element, optionally
// followed by zero padding (PDF /Contents are padded with zeros).
func toDER(b []byte) ([]byte, error) {
	out, _, rest, err := normalize(b, 0)
	if err != nil {
		return nil, err
	}
	for _, c := range rest {
		if c != 0 {
			return nil, fmt.Errorf("%d bytes of data after the structure", len(rest))
		}
	}
	return out, nil
}

// --- building ---

func appendTLV(dst []byte, class int, constructed bool, tag int, content []byte) []byte {
	dst = appendIdentifier(dst, class, constructed, tag)
	dst = appendLength(dst, len(content))
	return append(dst, content...)
}

// appendIdentifier writes an identifier octet, with the tag number in the
// minimal high-tag-number form when it is 31 or more.
func appendIdentifier(dst []byte, class int, constructed bool, tag int) []byte {
	id := byte(class << 6)
	if constructed {
		id |= 0x20
	}
	if tag < 0x1f {
		return append(dst, id|byte(tag))
	}
	dst = append(dst, id|0x1f)
	n := 0
	for v := tag; v > 0; v >>= 7 {
		n++
	}
	for i := n - 1; i >= 0; i-- {
		b := byte(tag>>(7*i)) & 0x7f
		if i > 0 {
			b |= 0x80
		}
		dst = append(dst, b)
	}
	return dst
}

func appendLength(dst []byte, n int) []byte {
	switch {
	case n < 0x80:
		return append(dst, byte(n))
	case n < 0x100:
		return append(dst, 0x81, byte(n))
	case n < 0x10000:
		return append(dst, 0x82, byte(n>>8), byte(n))
	case n < 0x1000000:
		return append(dst, 0x83, byte(n>>16), byte(n>>8), byte(n))
	default:
		return append(dst, 0x84, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
}

// tlvLen is the encoded size of an element with n content bytes.
func tlvLen(n int) int { return len(appendLength(nil, n)) + 1 + n }

func concat(parts [][]byte) []byte {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	out := make([]byte, 0, n)
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func seq(parts ...[]byte) []byte {
	return appendTLV(nil, classUniversal, true, tagSequence, concat(parts))
}

// set encodes a SET OF with its elements sorted as DER requires.
func set(parts ...[]byte) []byte {
	sorted := slices.Clone(parts)
	slices.SortFunc(sorted, bytes.Compare)
	return appendTLV(nil, classUniversal, true, tagSet, concat(sorted))
}

func explicit(tag int, parts ...[]byte) []byte {
	return appendTLV(nil, classContext, true, tag, concat(parts))
}

// implicitSet re-tags an encoded SET (or SEQUENCE) as [tag] IMPLICIT.
func implicit(tag int, encoded []byte) []byte {
	out := slices.Clone(encoded)
	out[0] = byte(classContext<<6) | 0x20 | byte(tag)
	return out
}

func octets(b []byte) []byte { return appendTLV(nil, classUniversal, false, tagOctetString, b) }

// mustMarshal encodes values the package has checked (validOID, non-nil
// integers); a failure is a bug here, not bad input.
func mustMarshal(v any) []byte {
	b, err := asn1.Marshal(v)
	if err != nil {
		panic("cms: marshal: " + err.Error())
	}
	return b
}

// validOID reports whether o can be encoded.
func validOID(o asn1.ObjectIdentifier) bool {
	_, err := asn1.Marshal(o)
	return err == nil
}

func oid(o asn1.ObjectIdentifier) []byte { return mustMarshal(o) }

func integer(n *big.Int) []byte { return mustMarshal(n) }

func smallInt(n int) []byte { return mustMarshal(n) }

var derNull = []byte{tagNull, 0}

// generalizedTime encodes t in UTC with fractional seconds only as needed.
func generalizedTime(t time.Time) []byte {
	s := t.UTC().Format("20060102150405.999999999Z")
	return appendTLV(nil, classUniversal, false, tagGeneralizedTime, []byte(s))
}

// signingTimeValue encodes a Time as RFC 5652 requires: UTCTime for years
// 1950 to 2049, GeneralizedTime otherwise, whole seconds.
func signingTimeValue(t time.Time) []byte {
	t = t.UTC().Truncate(time.Second)
	if y := t.Year(); y >= 1950 && y < 2050 {
		return appendTLV(nil, classUniversal, false, tagUTCTime, []byte(t.Format("060102150405Z")))
	}
	return appendTLV(nil, classUniversal, false, tagGeneralizedTime, []byte(t.Format("20060102150405Z")))
}
