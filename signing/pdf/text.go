package pdf

import (
	"unicode/utf16"
	"unicode/utf8"
)

// pdfDocHigh maps PDFDocEncoding bytes that differ from ISO 8859-1 to runes
// (PDF 32000-1:2008 annex D.2). 0 marks an undefined code.
var pdfDocHigh = map[byte]rune{
	0x18: 0x02D8, 0x19: 0x02C7, 0x1A: 0x02C6, 0x1B: 0x02D9,
	0x1C: 0x02DD, 0x1D: 0x02DB, 0x1E: 0x02DA, 0x1F: 0x02DC,
	0x80: 0x2022, 0x81: 0x2020, 0x82: 0x2021, 0x83: 0x2026,
	0x84: 0x2014, 0x85: 0x2013, 0x86: 0x0192, 0x87: 0x2044,
	0x88: 0x2039, 0x89: 0x203A, 0x8A: 0x2212, 0x8B: 0x2030,
	0x8C: 0x201E, 0x8D: 0x201C, 0x8E: 0x201D, 0x8F: 0x2018,
	0x90: 0x2019, 0x91: 0x201A, 0x92: 0x2122, 0x93: 0xFB01,
	0x94: 0xFB02, 0x95: 0x0141, 0x96: 0x0152, 0x97: 0x0160,
	0x98: 0x0178, 0x99: 0x017D, 0x9A: 0x0131, 0x9B: 0x0142,
	0x9C: 0x0153, 0x9D: 0x0161, 0x9E: 0x017E, 0xA0: 0x20AC,
}

// pdfDocDecode and pdfDocEncode are built from pdfDocHigh at init.
var (
	pdfDocDecode [256]rune // byte -> rune; undefined bytes decode as the same code point
	pdfDocEncode = map[rune]byte{}
)

func init() {
	for i := range 256 {
		b := byte(i)
		r := rune(i)
		if m, ok := pdfDocHigh[b]; ok {
			r = m
		}
		pdfDocDecode[i] = r
		defined := b == '\t' || b == '\n' || b == '\r' || (b >= 0x20 && b < 0x7f) ||
			(b >= 0xA1 && b != 0xAD) || pdfDocHigh[b] != 0
		if defined {
			pdfDocEncode[r] = b
		}
	}
}

// TextString encodes s as a PDF text string: PDFDocEncoding when every rune
// has a code there, otherwise UTF-16BE with the byte order mark FE FF (runes
// above U+FFFF as surrogate pairs). Invalid UTF-8 becomes U+FFFD.
func TextString(s string) String {
	doc := make([]byte, 0, len(s))
	for _, r := range s {
		b, ok := pdfDocEncode[r]
		if !ok {
			return utf16String(s)
		}
		doc = append(doc, b)
	}
	// Bytes that would read back as a byte order mark ("þÿ", "ï»¿") force UTF-16.
	if len(doc) >= 2 && doc[0] == 0xFE && doc[1] == 0xFF ||
		len(doc) >= 3 && doc[0] == 0xEF && doc[1] == 0xBB && doc[2] == 0xBF {
		return utf16String(s)
	}
	return String(doc)
}

func utf16String(s string) String {
	out := make([]byte, 2, 2+2*len(s))
	out[0], out[1] = 0xFE, 0xFF
	for _, r := range s {
		if r >= 0x10000 {
			r1, r2 := utf16.EncodeRune(r)
			out = append(out, byte(r1>>8), byte(r1), byte(r2>>8), byte(r2))
			continue
		}
		out = append(out, byte(r>>8), byte(r))
	}
	return String(out)
}

// DecodeTextString decodes a PDF text string: UTF-16BE after FE FF (language
// escapes U+001B…U+001B removed, an odd last byte dropped, unpaired
// surrogates as U+FFFD), UTF-8 after EF BB BF (PDF 2.0), otherwise
// PDFDocEncoding, with undefined codes read as the same code point.
func DecodeTextString(b []byte) string {
	switch {
	case len(b) >= 2 && b[0] == 0xFE && b[1] == 0xFF:
		b = b[2:]
		u := make([]uint16, 0, len(b)/2)
		for i := 0; i+1 < len(b); i += 2 {
			u = append(u, uint16(b[i])<<8|uint16(b[i+1]))
		}
		out := make([]rune, 0, len(u))
		inEscape := false
		for _, r := range utf16.Decode(u) {
			if r == 0x1B {
				inEscape = !inEscape
				continue
			}
			if !inEscape {
				out = append(out, r)
			}
		}
		return string(out)
	case len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF:
		b = b[3:]
		if utf8.Valid(b) {
			return string(b)
		}
		return string([]rune(string(b))) // invalid sequences as U+FFFD
	}
	out := make([]rune, len(b))
	for i, c := range b {
		out[i] = pdfDocDecode[c]
	}
	return string(out)
}
