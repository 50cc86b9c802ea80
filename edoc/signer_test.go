package edoc

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestParseCompetence(t *testing.T) {
	for in, want := range map[string]Competence{
		"":                    nil,
		"TM. ỦY BAN NHÂN DÂN": {{AuthorityOnBehalf, "ỦY BAN NHÂN DÂN"}},
		"TL. BO TRUONG":       {{AuthorityByOrder, "BO TRUONG"}}, // the edXML samples
		"KT.GIÁM ĐỐC":         {{AuthorityDeputy, "GIÁM ĐỐC"}},
		"q. chủ tịch":         {{AuthorityActing, "chủ tịch"}},
		"TUQ. BỘ TRƯỞNG":      {{AuthorityDelegated, "BỘ TRƯỞNG"}},
		"T/M UBND":            {{AuthorityOnBehalf, "UBND"}},
		"TM ỦY BAN":           {{AuthorityOnBehalf, "ỦY BAN"}},
		"TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH": {{AuthorityOnBehalf, "ỦY BAN NHÂN DÂN"}, {AuthorityDeputy, "CHỦ TỊCH"}},
		"TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH":  {{AuthorityOnBehalf, "ỦY BAN NHÂN DÂN"}, {AuthorityDeputy, "CHỦ TỊCH"}},
		"TM. UBND Q. BA ĐÌNH":               {{AuthorityOnBehalf, "UBND Q. BA ĐÌNH"}}, // Q. as quận, inside a line
		"TL. BỘ TRƯỞNG\r\nKT. VỤ TRƯỞNG":    {{AuthorityByOrder, "BỘ TRƯỞNG"}, {AuthorityDeputy, "VỤ TRƯỞNG"}},
	} {
		got, err := ParseCompetence(in)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("ParseCompetence(%q) = %v, %v, want %v", in, got, err, want)
		}
	}
	if s := (Competence{{AuthorityOnBehalf, "ỦY BAN NHÂN DÂN"}, {AuthorityDeputy, "CHỦ TỊCH"}}).String(); s != "TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH" {
		t.Errorf("String = %q", s)
	}
	for _, bad := range []string{
		"GIÁM ĐỐC", "TM.", "KT. ", "TM. A KT. B TL. C TUQ. D", "KT. A\nKT. B", "XYZ. A", "TM. A\x00",
		"TM. \u202eA", "TM. \xff", "TM. " + strings.Repeat("A", MaxCompetence), "TMX A",
	} {
		_, err := ParseCompetence(bad)
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != "signer.competence" || fe.VI == "" || fe.EN == "" {
			t.Errorf("ParseCompetence(%.30q) = %v, want a *FieldError", bad, err)
		}
	}
	for _, a := range Authorities {
		if l := a.Label(); l.VI == "" || l.EN == "" {
			t.Errorf("%s has no label", a)
		}
		if c, err := ParseCompetence(string(a) + " X"); err != nil || c[0].Authority != a {
			t.Errorf("%s does not parse: %v", a, err)
		}
	}
}
