package edoc

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Fold returns s as search compares it. Exactly:
//
//  1. every character is replaced by its canonical decomposition (NFD,
//     Hangul syllables included);
//  2. combining marks (Unicode category M: Mn, and the rarer Mc and Me)
//     are dropped, so "Nghệ" and "Nghê̄" written with combining accents
//     both lose their accents;
//  3. đ and Đ (U+0111, U+0110, which do not decompose) and the look-alike
//     ð and Ð (U+00F0, U+00D0, typed for Đ by some converters) become d;
//  4. letters are lower-cased (unicode.ToLower);
//  5. every run of characters that are neither letters nor decimal digits
//     (unicode.IsLetter, unicode.IsDigit) — spaces, punctuation, symbols,
//     and bytes that are not valid UTF-8 — becomes one space; leading and
//     trailing ones are dropped.
//
// "Quyết định số 05/QĐ-UBND" folds to "quyet dinh so 05 qd ubnd". Fold is
// idempotent (Fold(Fold(s)) == Fold(s)), and returns s itself, without
// allocating, when s is already folded ASCII; otherwise it allocates the
// result once.
func Fold(s string) string {
	if isFoldedASCII(s) {
		return s
	}
	if len(s) <= 64 {
		// The common case: one piece, folded on the stack, copied once.
		var buf [256]byte
		out := AppendFold(buf[:0], s)
		return string(out)
	}
	var b strings.Builder
	b.Grow(len(s))
	var buf [128]byte
	// Fold in pieces through a stack buffer so that only the Builder
	// allocates.
	for len(s) > 0 {
		n := len(s)
		if n > 32 {
			n = 32
			for n < len(s) && !utf8.RuneStart(s[n]) {
				n++
			}
		}
		out := appendFold(buf[:0], s[:n], b.Len() == 0 || lastIsSpace(&b))
		b.Write(out)
		s = s[n:]
	}
	return strings.TrimRight(b.String(), " ")
}

// AppendFold appends Fold(s) to dst and returns the extended slice: with
// a dst of enough capacity it does not allocate. A separator is written
// before s's first word when dst is not empty and does not end in one.
func AppendFold(dst []byte, s string) []byte {
	n := len(dst)
	if n > 0 && dst[n-1] != ' ' {
		dst = append(dst, ' ')
	}
	dst = appendFold(dst, s, true)
	if len(dst) > n && dst[len(dst)-1] == ' ' {
		dst = dst[:len(dst)-1]
	}
	return dst
}

func lastIsSpace(b *strings.Builder) bool {
	s := b.String()
	return s[len(s)-1] == ' '
}

// appendFold appends the fold of s, with a trailing space when s ends in
// separators. space says whether what precedes ends in a separator (or is
// the start), so that no leading or doubled space is written.
func appendFold(dst []byte, s string, space bool) []byte {
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			dst, space = appendASCII(dst, c, space)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if r == utf8.RuneError && size == 1 {
			dst, space = appendSpace(dst, space)
			continue
		}
		if e, ok := foldTable(r); ok {
			switch {
			case e.mark:
			case e.out == "":
				dst, space = appendSpace(dst, space)
			default:
				dst, space = append(dst, e.out...), false
			}
			continue
		}
		dst, space = appendFoldRune(dst, r, space)
	}
	return dst
}

// asciiFold maps an ASCII byte to its fold: itself or its lower case for
// letters and digits, 0 for a separator.
var asciiFold = func() (t [utf8.RuneSelf]byte) {
	for c := range t {
		switch b := byte(c); {
		case 'a' <= b && b <= 'z', '0' <= b && b <= '9':
			t[c] = b
		case 'A' <= b && b <= 'Z':
			t[c] = b + 'a' - 'A'
		}
	}
	return
}()

func appendASCII(dst []byte, c byte, space bool) ([]byte, bool) {
	if f := asciiFold[c]; f != 0 {
		return append(dst, f), false
	}
	return appendSpace(dst, space)
}

// appendSpace appends a separator unless one precedes.
func appendSpace(dst []byte, space bool) ([]byte, bool) {
	if !space {
		dst = append(dst, ' ')
	}
	return dst, true
}

// foldEntry is the fold of one character: out its letters ("" for a
// separator), mark for a character that is dropped.
type foldEntry struct {
	out  string
	mark bool
}

// foldTables hold the fold of Latin-1 to Greek (U+0080–U+036F, which
// includes the combining accents) and of Latin Extended Additional
// (U+1E00–U+1EFF, where Vietnamese letters with two marks live), so that
// Vietnamese text does not go through the general path. Made at init by
// the general path itself.
var foldLow, foldViet = func() (low [0x370 - 0x80]foldEntry, viet [0x100]foldEntry) {
	entry := func(r rune) foldEntry {
		out, _ := appendFoldRune(nil, r, true)
		return foldEntry{out: string(out), mark: len(out) == 0 && unicode.In(r, unicode.M)}
	}
	for i := range low {
		low[i] = entry(rune(0x80 + i))
	}
	for i := range viet {
		viet[i] = entry(rune(0x1E00 + i))
	}
	return
}()

func foldTable(r rune) (foldEntry, bool) {
	switch {
	case r < 0x370:
		return foldLow[r-0x80], true
	case 0x1E00 <= r && r < 0x1F00:
		return foldViet[r-0x1E00], true
	}
	return foldEntry{}, false
}

// appendFoldRune appends the fold of one (non-ASCII) character; space
// says whether a separator precedes.
func appendFoldRune(dst []byte, r rune, space bool) ([]byte, bool) {
	if unicode.IsUpper(r) {
		r = unicode.ToLower(r)
	}
	switch d := decompose(r); {
	case d != nil:
		for len(d) > 0 {
			dr, n := utf8.DecodeRune(d)
			dst, space = appendRune(dst, dr, space)
			d = d[n:]
		}
	case isHangulSyllable(r):
		dst, space = appendHangul(dst, r)
	default:
		dst, space = appendRune(dst, r, space)
	}
	return dst, space
}

// decompose is the canonical decomposition of r (UTF-8), nil when it
// has none.
func decompose(r rune) []byte {
	if r < 0xC0 {
		return nil
	}
	var b [utf8.UTFMax]byte
	n := utf8.EncodeRune(b[:], r)
	return norm.NFD.Properties(b[:n]).Decomposition()
}

// appendRune appends one decomposed rune under Fold's rules 2–5.
func appendRune(dst []byte, r rune, space bool) ([]byte, bool) {
	switch {
	case r < utf8.RuneSelf:
		return appendASCII(dst, byte(r), space)
	case unicode.In(r, unicode.M):
		return dst, space
	case r == 'đ' || r == 'Đ' || r == 'ð' || r == 'Ð':
		return append(dst, 'd'), false
	case unicode.IsLetter(r) || unicode.IsDigit(r):
		return utf8.AppendRune(dst, unicode.ToLower(r)), false
	}
	return appendSpace(dst, space)
}

const (
	hangulBase  = 0xAC00
	hangulCount = 11172
	jamoL       = 0x1100
	jamoV       = 0x1161
	jamoT       = 0x11A7
)

func isHangulSyllable(r rune) bool { return hangulBase <= r && r < hangulBase+hangulCount }

// appendHangul appends the jamo of a Hangul syllable (its NFD, computed
// as Unicode chapter 3.12 describes; norm's tables leave Hangul out).
func appendHangul(dst []byte, r rune) ([]byte, bool) {
	s := r - hangulBase
	dst = utf8.AppendRune(dst, jamoL+s/588)
	dst = utf8.AppendRune(dst, jamoV+(s%588)/28)
	if t := s % 28; t != 0 {
		dst = utf8.AppendRune(dst, jamoT+t)
	}
	return dst, false
}

// isFoldedASCII reports whether s is already what Fold returns: lower-case
// ASCII letters and digits in words separated by single spaces.
func isFoldedASCII(s string) bool {
	space := true
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c != 0 && c < utf8.RuneSelf && asciiFold[c] == c:
			space = false
		case c == ' ' && !space:
			space = true
		default:
			return false
		}
	}
	return !space || s == ""
}
