package edoc

import (
	"fmt"
	"strings"
)

// OrganID is a mã định danh in its canonical form DDD.DD.DD.Lnn
// (QĐ 20/2020/QĐ-TTg, amended by QĐ 09/2025/QĐ-TTg): 13 characters, the
// level-1 group Lnn last (an upper-case letter and two digits), then the
// level-2, level-3 and level-4 groups from right to left. Values made by
// ParseOrganID are canonical; the methods return zero results for any
// other string.
type OrganID string

// OrganIDLen is the length of a mã định danh.
const OrganIDLen = 13

// ParseOrganID reads a mã định danh: surrounding white space is trimmed
// and the level-1 letter upper-cased ("000.00.00.h41" → "000.00.00.H41");
// anything else that is not DDD.DD.DD.Lnn (digits D and n, a letter L
// A–Z) is refused with a *FieldError (Field "organ_id") that says what is
// wrong, in Vietnamese and English.
func ParseOrganID(s string) (OrganID, error) {
	t := strings.TrimSpace(s)
	fail := func(vi, en string) (OrganID, error) {
		q := quoteInput(s)
		return "", &FieldError{Field: "organ_id",
			VI: fmt.Sprintf("Mã định danh %s không hợp lệ: %s (đúng dạng: 000.00.00.H41)", q, vi),
			EN: fmt.Sprintf("organ id %s is invalid: %s (the form is 000.00.00.H41)", q, en)}
	}
	if t == "" {
		return "", &FieldError{Field: "organ_id", VI: "Chưa nhập mã định danh", EN: "organ id is empty"}
	}
	if len(t) != OrganIDLen {
		return fail(fmt.Sprintf("phải có đúng 13 ký tự, có %d", len(t)), fmt.Sprintf("want 13 characters, got %d bytes", len(t)))
	}
	b := []byte(t)
	for i, c := range b {
		switch {
		case i == 3 || i == 6 || i == 9:
			if c != '.' {
				return fail(fmt.Sprintf("ký tự thứ %d phải là dấu chấm", i+1), fmt.Sprintf("character %d must be a dot", i+1))
			}
		case i == 10:
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
				b[i] = c
			}
			if c < 'A' || c > 'Z' {
				return fail("ký tự thứ 11 phải là một chữ cái (G, H, …)", "character 11 must be a letter (G, H, …)")
			}
		case c < '0' || c > '9':
			return fail(fmt.Sprintf("ký tự thứ %d phải là chữ số", i+1), fmt.Sprintf("character %d must be a digit", i+1))
		}
	}
	return OrganID(b), nil
}

// quoteInput quotes what a user gave for a message, shortened to 40 bytes
// so that a hostile input does not flood it; %q escapes control
// characters and invalid UTF-8.
func quoteInput(s string) string {
	if len(s) > 40 {
		cut := 40
		for cut > 0 && s[cut]&0xC0 == 0x80 {
			cut--
		}
		return fmt.Sprintf("%q…", s[:cut])
	}
	return fmt.Sprintf("%q", s)
}

// valid is a cheap shape check for the methods: a canonical OrganID.
func (id OrganID) valid() bool {
	if len(id) != OrganIDLen {
		return false
	}
	for i := 0; i < OrganIDLen; i++ {
		c := id[i]
		switch i {
		case 3, 6, 9:
			if c != '.' {
				return false
			}
		case 10:
			if c < 'A' || c > 'Z' {
				return false
			}
		default:
			if c < '0' || c > '9' {
				return false
			}
		}
	}
	return true
}

// String is the mã định danh.
func (id OrganID) String() string { return string(id) }

// Letter is the level-1 group's letter: 'G' for central bodies (bộ,
// ngành), 'H' for provinces (tỉnh, thành phố trực thuộc trung ương);
// other letters exist and are kept as given. 0 for an invalid id.
func (id OrganID) Letter() byte {
	if !id.valid() {
		return 0
	}
	return id[10]
}

// Groups returns the four groups from the top: level 1 ("H41"), level 2,
// level 3 ("00", "10", …) and level 4 ("000", "001", …). Empty strings for
// an invalid id.
func (id OrganID) Groups() (l1, l2, l3, l4 string) {
	if !id.valid() {
		return
	}
	s := string(id)
	return s[10:], s[7:9], s[4:6], s[0:3]
}

// Level is the depth of the agency in the hierarchy: 1 for a level-1
// agency (000.00.00.H41, UBND tỉnh Nghệ An), else the level of the
// deepest group that is not zero (000.00.10.H47 is at level 2,
// 000.05.10.H47 at 3, 001.00.10.H47 at 4: a level-4 unit directly under a
// level-2 one keeps the level-3 group at 00). 0 for an invalid id.
func (id OrganID) Level() int {
	l1, l2, l3, l4 := id.Groups()
	switch {
	case l1 == "":
		return 0
	case l4 != "000":
		return 4
	case l3 != "00":
		return 3
	case l2 != "00":
		return 2
	}
	return 1
}

// Parent is the agency one step up, by the structure of the code: the
// deepest non-zero group set to zero. The parent of 001.00.10.H47 is
// 000.00.10.H47, whose parent is 000.00.00.H47, which has none (ok is
// false, as for an invalid id). A directory may record another parent
// (DirectoryEntry.Parent): this is what the code itself says.
func (id OrganID) Parent() (parent OrganID, ok bool) {
	switch id.Level() {
	case 4:
		return "000" + id[3:], true
	case 3:
		return id[:4] + "00" + id[6:], true
	case 2:
		return id[:7] + "00" + id[9:], true
	}
	return "", false
}

// Root is the level-1 agency the id belongs to (000.00.00.H41 for every
// agency of Nghệ An); "" for an invalid id.
func (id OrganID) Root() OrganID {
	if !id.valid() {
		return ""
	}
	return "000.00.00." + id[10:]
}

// Contains reports whether other is id or an agency under it by the
// structure of the codes (id is one of other's successive Parents).
func (id OrganID) Contains(other OrganID) bool {
	if !id.valid() {
		return false
	}
	for p, ok := other, other.valid(); ok; p, ok = p.Parent() {
		if p == id {
			return true
		}
	}
	return false
}

// LetterLabel names the level-1 letters whose meaning is known (G, H),
// ok false for the others.
func LetterLabel(letter byte) (l Label, ok bool) {
	switch letter {
	case 'G':
		return Label{VI: "Cơ quan trung ương (bộ, ngành)", EN: "Central body (ministry, agency)"}, true
	case 'H':
		return Label{VI: "Tỉnh, thành phố trực thuộc trung ương", EN: "Province or centrally governed city"}, true
	}
	return Label{}, false
}
