package edoc

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Fold returns s as search compares it: decomposed (NFD), combining marks
// dropped, đ/Đ mapped to d, lower-cased, every run of characters that are
// neither letters nor digits collapsed to one space, trimmed. "Quyết định
// số 05/QĐ-UBND" folds to "quyet dinh so 05 qd ubnd". Invalid UTF-8 bytes
// count as separators.
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := true // drop leading separators
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'đ' || r == 'Đ':
			r = 'd'
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			r = unicode.ToLower(r)
		default:
			if !space {
				b.WriteByte(' ')
				space = true
			}
			continue
		}
		b.WriteRune(r)
		space = false
	}
	return strings.TrimRight(b.String(), " ")
}
