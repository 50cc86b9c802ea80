package edoc

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// validDocument is a document that passes Validate.
func validDocument() Document {
	due := Date{2026, 3, 15}
	return Document{
		From:             Organ{OrganID: "000.00.01.H41", OrganName: "Sở Tài chính tỉnh Nghệ An"},
		To:               []Organ{{OrganID: "000.00.02.H41", OrganName: "Sở Nội vụ tỉnh Nghệ An"}, {OrganID: "000.00.00.H41", OrganName: "UBND tỉnh Nghệ An"}},
		Code:             Code{CodeNumber: "05", CodeNotation: "QĐ-STC"},
		Place:            "Nghệ An",
		PromulgationDate: Date{2026, 1, 5},
		DueDate:          &due,
		Type:             DocumentType{TypeName: "Quyết định"},
		Subject:          "Về việc phân bổ dự toán ngân sách năm 2026",
		Signer:           Signer{Competence: "KT. GIÁM ĐỐC", Position: "PHÓ GIÁM ĐỐC", FullName: "Nguyễn Văn An"},
		Priority:         PriorityUrgent,
		PageAmount:       3,
		Attachments: []Attachment{
			{Role: RoleMain, Name: "05-QD-STC.pdf", ContentType: "application/pdf", SHA256: strings.Repeat("ab", 32), Size: 1234},
			{Role: RoleAttachment, Name: "Phụ lục 1.pdf", ContentType: "application/pdf", SHA256: strings.Repeat("01", 32), Size: 10},
		},
	}
}

func TestValidateValid(t *testing.T) {
	if err := validDocument().Validate(); err != nil {
		t.Fatal(err)
	}
	d := validDocument()
	d.Subject = "Dòng một\nDòng hai"
	d.Signer.Competence = ""
	d.DueDate = nil
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
}

// TestValidateEach breaks one rule at a time: exactly the expected field
// is reported, with both messages.
func TestValidateEach(t *testing.T) {
	long := func(n int) string { return strings.Repeat("ệ", n) }
	for _, tc := range []struct {
		field  string
		breakF func(*Document)
	}{
		{"from.organ_id", func(d *Document) { d.From.OrganID = "" }},
		{"from.organ_id", func(d *Document) { d.From.OrganID = "28.22.H17" }},
		{"from.organ_id", func(d *Document) { d.From.OrganID = "000.00.01.h41" }}, // not canonical
		{"from.organ_name", func(d *Document) { d.From.OrganName = "  " }},
		{"from.organ_name", func(d *Document) { d.From.OrganName = long(MaxOrganName + 1) }},
		{"from.email", func(d *Document) { d.From.Email = "a@b\r\nBcc: x" }},
		{"to", func(d *Document) { d.To = nil }},
		{"to[1].organ_id", func(d *Document) { d.To[1].OrganID = "000.00.00.H4" }},
		{"to[1].organ_id", func(d *Document) { d.To[1].OrganID = d.To[0].OrganID }},
		{"code.code_number", func(d *Document) { d.Code.CodeNumber = "123456789012" }},
		{"code.code_notation", func(d *Document) { d.Code.CodeNotation = "" }},
		{"code.code_notation", func(d *Document) { d.Code.CodeNotation = long(MaxCodeNotation + 1) }},
		{"promulgation_date", func(d *Document) { d.PromulgationDate = Date{} }},
		{"promulgation_date", func(d *Document) { d.PromulgationDate = Date{2026, 2, 30} }},
		{"due_date", func(d *Document) { d.DueDate = &Date{2025, 12, 31} }},
		{"due_date", func(d *Document) { d.DueDate = &Date{2026, 13, 1} }},
		{"type.type_name", func(d *Document) { d.Type.TypeName = "" }},
		{"subject", func(d *Document) { d.Subject = "" }},
		{"subject", func(d *Document) { d.Subject = long(MaxSubject + 1) }},
		{"subject", func(d *Document) { d.Subject = "Về việc \x1b[31m" }},
		{"subject", func(d *Document) { d.Subject = "Về việc \u202e" }},
		{"subject", func(d *Document) { d.Subject = "Về \xff việc" }},
		{"content", func(d *Document) { d.Content = strings.Repeat("a", MaxContent+1) }},
		{"signer.full_name", func(d *Document) { d.Signer.FullName = "" }},
		{"signer.position", func(d *Document) { d.Signer.Position = "A\nB" }},
		{"signer.competence", func(d *Document) { d.Signer.Competence = "XYZ. GIÁM ĐỐC" }},
		{"priority", func(d *Document) { d.Priority = 5 }},
		{"priority", func(d *Document) { d.Priority = -1 }},
		{"confidentiality", func(d *Document) { d.Confidentiality = ConfidentialitySecret }},
		{"confidentiality", func(d *Document) { d.Confidentiality = 9 }},
		{"steering_type", func(d *Document) { d.SteeringType = 4 }},
		{"page_amount", func(d *Document) { d.PageAmount = MaxPageAmount + 1 }},
		{"doc_ordinal", func(d *Document) { d.DocOrdinal = -1 }},
		{"promulgation_amount", func(d *Document) { d.PromulgationAmount = 1 << 20 }},
		{"business.doc_type", func(d *Document) { d.Business.DocType = 4 }},
		{"business.receivers[0].organ_id", func(d *Document) { d.Business.Receivers = []Receiver{{OrganID: "x"}} }},
		{"business.replacements[0].document_id", func(d *Document) { d.Business.Replacements = []Replacement{{}} }},
		{"business.replacements[0].organ_ids[1]", func(d *Document) {
			d.Business.Replacements = []Replacement{{DocumentID: "x", OrganIDs: []string{"000.00.02.H41", "y"}}}
		}},
		{"to_places[0]", func(d *Document) { d.ToPlaces = []string{""} }},
		{"attachments", func(d *Document) { d.Attachments = d.Attachments[1:] }},
		{"attachments", func(d *Document) { d.Attachments[1].Role = RoleMain }},
		{"attachments", func(d *Document) { d.Attachments = make([]Attachment, MaxAttachments+1) }},
		{"attachments[1].role", func(d *Document) { d.Attachments[1].Role = "other" }},
		{"attachments[1].name", func(d *Document) { d.Attachments[1].Name = "../../etc/passwd" }},
		{"attachments[1].name", func(d *Document) { d.Attachments[1].Name = "05-QD-STC.PDF" }}, // twice, case ignored
		{"attachments[1].sha256", func(d *Document) { d.Attachments[1].SHA256 = strings.Repeat("AB", 32) }},
		{"attachments[1].sha256", func(d *Document) { d.Attachments[1].SHA256 = strings.Repeat("a", 63) }},
		{"attachments[1].size", func(d *Document) { d.Attachments[1].Size = -1 }},
		{"attachments[1].content_type", func(d *Document) { d.Attachments[1].ContentType = "application/pdf; ;" }},
	} {
		d := validDocument()
		tc.breakF(&d)
		err := d.Validate()
		var ve *ValidationError
		if !errors.As(err, &ve) {
			t.Errorf("%s: Validate = %v, want a *ValidationError", tc.field, err)
			continue
		}
		var fields []string
		for _, p := range ve.Problems {
			fields = append(fields, p.Field)
			if p.VI == "" || p.EN == "" || p.VI == p.EN {
				t.Errorf("%s: problem %+v lacks a message", tc.field, p)
			}
		}
		if !slices.Contains(fields, tc.field) {
			t.Errorf("broke %s, Validate reported %v", tc.field, fields)
		}
		if tc.field != "attachments" && len(fields) != 1 {
			t.Errorf("broke %s, Validate reported %v", tc.field, fields)
		}
	}
}

// TestValidateAll: every problem is reported at once, and errors.As
// finds a *FieldError inside.
func TestValidateAll(t *testing.T) {
	err := Document{}.Validate()
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatal(err)
	}
	want := []string{"from.organ_id", "from.organ_name", "to", "code.code_notation", "promulgation_date", "type.type_name", "subject", "signer.full_name", "attachments"}
	var got []string
	for _, p := range ve.Problems {
		got = append(got, p.Field)
	}
	if !slices.Equal(got, want) {
		t.Errorf("problems %v, want %v", got, want)
	}
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "from.organ_id" {
		t.Errorf("errors.As found %v", fe)
	}
	if !strings.HasPrefix(err.Error(), "invalid document: from.organ_id: ") {
		t.Errorf("Error() = %q", err)
	}
	if !strings.Contains(ve.Problems[6].VI, "Trích yếu không được để trống") {
		t.Errorf("subject message %q", ve.Problems[6].VI)
	}
}

// TestSafeFileName: names an attacker sends to write outside the
// download folder, hide an extension or hit a Windows device are refused.
func TestSafeFileName(t *testing.T) {
	for _, ok := range []string{"05-QD-STC.pdf", "Phụ lục 1 (bảng).docx", "a", ".hidden", "báo cáo.tar.gz", strings.Repeat("a", 255)} {
		if err := SafeFileName(ok); err != nil {
			t.Errorf("SafeFileName(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{
		"", ".", "..", "../x.pdf", "a/b.pdf", `a\b.pdf`, `C:\x.pdf`, "x.pdf:evil", "a<b", "a?", "a*", `a"b`, "a|b",
		"a\x00.pdf", "a\n.pdf", "a\x7f", "a\u0085", "hoa-don\u202efdp.exe", "a\u2066b", "a\u200fb",
		" a.pdf", "a.pdf ", "a.pdf.", "CON", "con.txt", "NUL.pdf", "com1.tar.gz", "LPT9", "\xff.pdf", strings.Repeat("a", 256),
	} {
		if err := SafeFileName(bad); err == nil || err.VI == "" || err.EN == "" {
			t.Errorf("SafeFileName(%.30q) = %v, want refused", bad, err)
		}
	}
}

func TestDateValid(t *testing.T) {
	for d, want := range map[Date]bool{
		{2024, 2, 29}: true, {2023, 2, 29}: false, {2026, 12, 31}: true, {2026, 4, 31}: false,
		{0, 1, 1}: false, {10000, 1, 1}: false, {2026, 0, 1}: false, {2026, 1, 0}: false, {}: false, {2026, 1, -5}: false,
	} {
		if d.Valid() != want {
			t.Errorf("%+v.Valid() = %v", d, !want)
		}
	}
}
