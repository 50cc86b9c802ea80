package edoc

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Authority is the prefix before the body a signer signs for (Nghị định
// 30/2020 Phụ lục I), written with its dot.
type Authority string

const (
	AuthorityOnBehalf  Authority = "TM."  // thay mặt: for a collective body (TM. ỦY BAN NHÂN DÂN)
	AuthorityActing    Authority = "Q."   // quyền: an acting head (Q. CHỦ TỊCH)
	AuthorityDeputy    Authority = "KT."  // ký thay: a deputy for the head (KT. GIÁM ĐỐC)
	AuthorityByOrder   Authority = "TL."  // thừa lệnh: by order of the head (TL. BỘ TRƯỞNG)
	AuthorityDelegated Authority = "TUQ." // thừa ủy quyền: under a written delegation
)

// Authorities lists the prefixes, in the order Phụ lục I gives them.
var Authorities = []Authority{AuthorityOnBehalf, AuthorityActing, AuthorityDeputy, AuthorityByOrder, AuthorityDelegated}

var authorityLabels = map[Authority]Label{
	AuthorityOnBehalf:  {VI: "Thay mặt", EN: "On behalf of"},
	AuthorityActing:    {VI: "Quyền", EN: "Acting"},
	AuthorityDeputy:    {VI: "Ký thay", EN: "Signed for (deputy)"},
	AuthorityByOrder:   {VI: "Thừa lệnh", EN: "By order of"},
	AuthorityDelegated: {VI: "Thừa ủy quyền", EN: "By delegation of"},
}

// Label names the authority; the zero Label for an unknown one.
func (a Authority) Label() Label { return authorityLabels[a] }

// Grant is one line of a signer's authority: the prefix and the body or
// head it is signed for ("TM." "ỦY BAN NHÂN DÂN").
type Grant struct {
	Authority Authority `json:"authority"`
	Body      string    `json:"body"`
}

// Competence is the authority a signer signs under, top line first: one
// grant ("KT. GIÁM ĐỐC") or a chain ("TM. ỦY BAN NHÂN DÂN" then "KT. CHỦ
// TỊCH"). The empty Competence is a head signing in their own name.
type Competence []Grant

// MaxCompetence bounds what ParseCompetence reads: characters and grants.
const (
	MaxCompetence       = 300
	MaxCompetenceGrants = 3
)

// ParseCompetence reads Signer.Competence: "" (no prefix), or lines each
// starting with a prefix of Authorities followed by a body. Lines are
// split at line breaks and before a TM., KT., TL. or TUQ. that follows a
// space ("TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH" is two grants; Q. only at
// the start of a line, since "Q." also abbreviates quận). Read leniently:
// prefixes in any case, written with a slash as in older documents
// ("T/M", "K/T", "T/L"), without their dot when a space follows ("TM ỦY
// BAN"). Refused with a *FieldError (Field "signer.competence"): a line
// without a known prefix, a prefix without a body, a prefix used twice,
// more than MaxCompetenceGrants lines or MaxCompetence characters,
// control characters, invalid UTF-8.
func ParseCompetence(s string) (Competence, error) {
	fail := func(vi, en string) (Competence, error) {
		q := quoteInput(s)
		return nil, &FieldError{Field: "signer.competence",
			VI: fmt.Sprintf("Thẩm quyền ký %s không hợp lệ: %s", q, vi),
			EN: fmt.Sprintf("signing authority %s is invalid: %s", q, en)}
	}
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	if !utf8.ValidString(s) {
		return fail("có ký tự không đọc được", "it is not valid UTF-8")
	}
	if n := utf8.RuneCountInString(s); n > MaxCompetence {
		return fail(fmt.Sprintf("dài quá %d ký tự", MaxCompetence), fmt.Sprintf("longer than %d characters", MaxCompetence))
	}
	if hasControl(s, true) {
		return fail("có ký tự điều khiển", "it holds control characters")
	}
	var c Competence
	for _, line := range splitGrants(s) {
		a, body, ok := cutAuthority(line)
		if !ok {
			return fail("mỗi dòng phải bắt đầu bằng TM., Q., KT., TL. hoặc TUQ.", "each line must start with TM., Q., KT., TL. or TUQ.")
		}
		if body == "" {
			return fail(fmt.Sprintf("sau %s thiếu tên cơ quan hoặc chức vụ", a), fmt.Sprintf("%s is not followed by a body or position", a))
		}
		for _, g := range c {
			if g.Authority == a {
				return fail(fmt.Sprintf("%s xuất hiện hai lần", a), fmt.Sprintf("%s appears twice", a))
			}
		}
		if len(c) == MaxCompetenceGrants {
			return fail(fmt.Sprintf("nhiều hơn %d dòng", MaxCompetenceGrants), fmt.Sprintf("more than %d lines", MaxCompetenceGrants))
		}
		c = append(c, Grant{Authority: a, Body: body})
	}
	return c, nil
}

// String writes the grants on one line separated by a space, canonical
// prefixes: "TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH".
func (c Competence) String() string {
	parts := make([]string, len(c))
	for i, g := range c {
		parts[i] = string(g.Authority) + " " + g.Body
	}
	return strings.Join(parts, " ")
}

// splitGrants cuts s into trimmed, non-empty lines: at line breaks and
// before a space-preceded TM., KT., TL. or TUQ. (any case).
func splitGrants(s string) []string {
	var lines []string
	for _, l := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' }) {
		words := strings.Fields(l)
		start := 0
		for i := 1; i < len(words); i++ {
			switch strings.ToUpper(words[i]) {
			case "TM.", "KT.", "TL.", "TUQ.", "T/M", "K/T", "T/L":
				lines = append(lines, strings.Join(words[start:i], " "))
				start = i
			}
		}
		if start < len(words) {
			lines = append(lines, strings.Join(words[start:], " "))
		}
	}
	return lines
}

// cutAuthority splits a line into its prefix and body.
func cutAuthority(line string) (a Authority, body string, ok bool) {
	aliases := []struct {
		text string
		a    Authority
	}{
		{"TUQ.", AuthorityDelegated}, {"TUQ ", AuthorityDelegated},
		{"TM.", AuthorityOnBehalf}, {"TM ", AuthorityOnBehalf}, {"T/M", AuthorityOnBehalf},
		{"KT.", AuthorityDeputy}, {"KT ", AuthorityDeputy}, {"K/T", AuthorityDeputy},
		{"TL.", AuthorityByOrder}, {"TL ", AuthorityByOrder}, {"T/L", AuthorityByOrder},
		{"Q.", AuthorityActing},
	}
	for _, al := range aliases {
		if len(line) >= len(al.text) && strings.EqualFold(line[:len(al.text)], al.text) {
			return al.a, strings.TrimSpace(line[len(al.text):]), true
		}
	}
	return "", "", false
}
