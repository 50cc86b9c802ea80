package edoc

import (
	"fmt"
	"mime"
	"strings"
	"unicode"
	"unicode/utf8"
)

// FieldError is one problem of one field: Field names it as the JSON path
// of Document ("subject", "to[1].organ_id", "attachments[0].sha256"); VI
// is the sentence to show a user, EN its English version. Error() is the
// English one, prefixed by the field.
type FieldError struct {
	Field string
	VI    string
	EN    string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.EN }

// ValidationError is every problem Validate found, in field order; it
// unwraps to its *FieldErrors (errors.As finds the first).
type ValidationError struct {
	Problems []*FieldError
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.Error()
	}
	return "invalid document: " + strings.Join(parts, "; ")
}

// Unwrap returns the problems, for errors.As and errors.Is.
func (e *ValidationError) Unwrap() []error {
	errs := make([]error, len(e.Problems))
	for i, p := range e.Problems {
		errs[i] = p
	}
	return errs
}

// Lengths of Phụ lục VI (Nghị định 30/2020), in characters (runes). Where
// Phụ lục VI gives none (the signer's names, an attachment's name) the
// bound is ours, generous, to refuse hostile input.
const (
	MaxCodeNumber      = 11
	MaxCodeNotation    = 30
	MaxSubject         = 500
	MaxOrganName       = 200
	MaxTypeName        = 100
	MaxLanguage        = 100
	MaxDescription     = 500
	MaxFileNotation    = 30
	MaxPlace           = 100
	MaxPosition        = 200
	MaxFullName        = 100
	MaxAttachmentName  = 255 // bytes: what file systems accept
	MaxPageAmount      = 9999
	MaxDocOrdinal      = 999
	MaxIssuedAmount    = 9999
	MaxRecipients      = 10000
	MaxAttachments     = 1000
	MaxTextField       = 1000    // any other one-line field
	MaxContent         = 1 << 20 // Content, free text
	MaxSteeringType    = 3
	maxAttachmentBytes = 1 << 40
)

// Validate checks d as a document to send and returns nil or a
// *ValidationError with every problem found:
//
//   - required: From (a valid mã định danh, the agency's name), at least
//     one To (each a valid mã định danh, no agency twice), the ký hiệu
//     (Code.CodeNotation), the date, the type name, the subject (trích
//     yếu), the signer's full name, exactly one main attachment;
//   - lengths of Phụ lục VI (the Max constants), in characters;
//   - every text valid UTF-8 without control characters (line breaks are
//     allowed in Subject, Content, Description only);
//   - mã định danh in canonical form (ParseOrganID's result, as written);
//   - dates that exist; a due date not before the date;
//   - Priority 0–4, Confidentiality 0 (a document marked Mật or above
//     does not travel on the exchange axis), SteeringType 0–3, Business
//     type 0–3, PageAmount, DocOrdinal and PromulgationAmount in range;
//   - the signer's Competence as ParseCompetence reads it;
//   - attachments: role main or attachment, SHA-256 as 64 lower-case hex
//     digits, size ≥ 0, a media type that parses, and a name that is safe
//     to save on Windows and Linux (SafeFileName), no name twice (case
//     ignored).
func (d Document) Validate() error {
	v := &validator{}
	v.organ("from", d.From, true)
	if len(d.To) == 0 {
		v.add("to", "Chưa chọn nơi nhận", "no recipient")
	}
	if len(d.To) > MaxRecipients {
		v.add("to", fmt.Sprintf("Nhiều hơn %d nơi nhận", MaxRecipients), fmt.Sprintf("more than %d recipients", MaxRecipients))
	} else {
		seen := map[string]bool{}
		for i, o := range d.To {
			f := fmt.Sprintf("to[%d]", i)
			v.organ(f, o, false)
			if seen[o.OrganID] && o.OrganID != "" {
				v.add(f+".organ_id", "Nơi nhận "+quoteInput(o.OrganID)+" bị chọn hai lần", "recipient "+quoteInput(o.OrganID)+" appears twice")
			}
			seen[o.OrganID] = true
		}
	}
	v.text("code.code_number", "Số", "number", d.Code.CodeNumber, MaxCodeNumber, false, false)
	v.text("code.code_notation", "Ký hiệu", "notation", d.Code.CodeNotation, MaxCodeNotation, true, false)
	v.text("place", "Địa danh", "place", d.Place, MaxPlace, false, false)
	v.date("promulgation_date", "Ngày ban hành", "date", d.PromulgationDate, true)
	if d.DueDate != nil {
		v.date("due_date", "Hạn xử lý", "due date", *d.DueDate, true)
		if !d.PromulgationDate.IsZero() && d.DueDate.Time().Before(d.PromulgationDate.Time()) {
			v.add("due_date", "Hạn xử lý sớm hơn ngày ban hành", "the due date is before the date")
		}
	}
	v.text("type.type_name", "Tên loại văn bản", "type name", d.Type.TypeName, MaxTypeName, true, false)
	v.text("subject", "Trích yếu", "subject", d.Subject, MaxSubject, true, true)
	if len(d.Content) > MaxContent || !utf8.ValidString(d.Content) || hasControl(d.Content, true) {
		v.add("content", "Nội dung có ký tự không hợp lệ hoặc quá dài", "content is too long or holds invalid characters")
	}
	v.text("signer.full_name", "Họ tên người ký", "signer's full name", d.Signer.FullName, MaxFullName, true, false)
	v.text("signer.position", "Chức vụ người ký", "signer's position", d.Signer.Position, MaxPosition, false, false)
	if _, err := ParseCompetence(d.Signer.Competence); err != nil {
		v.problems = append(v.problems, err.(*FieldError))
	}
	for i, p := range d.ToPlaces {
		v.text(fmt.Sprintf("to_places[%d]", i), "Nơi nhận", "recipient line", p, MaxTextField, true, false)
	}
	v.codes(d)
	v.text("sphere_of_promulgation", "Phạm vi ban hành", "sphere of promulgation", d.SphereOfPromulgation, MaxTextField, false, false)
	v.text("typer_notation", "Ký hiệu người đánh máy", "typer notation", d.TyperNotation, MaxTextField, false, false)
	v.text("file_catalog", "Mục lục hồ sơ", "file catalog", d.FileCatalog, MaxTextField, false, false)
	v.text("file_notation", "Ký hiệu hồ sơ", "file notation", d.FileNotation, MaxFileNotation, false, false)
	v.text("language", "Ngôn ngữ", "language", d.Language, MaxLanguage, false, false)
	v.text("description", "Ghi chú", "description", d.Description, MaxDescription, false, true)
	for i, a := range d.Appendixes {
		v.text(fmt.Sprintf("appendixes[%d]", i), "Phụ lục", "appendix", a, MaxTextField, true, false)
	}
	v.attachments(d.Attachments)
	if len(v.problems) == 0 {
		return nil
	}
	return &ValidationError{Problems: v.problems}
}

// codes checks the coded fields of d: ranges and the business block.
func (v *validator) codes(d Document) {
	v.rangeOf("priority", "Độ khẩn", "priority", int(d.Priority), 0, int(PriorityFlashScheduled))
	if d.Confidentiality != ConfidentialityNone {
		v.add("confidentiality", "Văn bản mật không được gửi qua trục liên thông", "a confidential document may not travel on the exchange axis")
	}
	v.rangeOf("steering_type", "Loại chỉ đạo", "steering type", d.SteeringType, 0, MaxSteeringType)
	v.rangeOf("page_amount", "Số trang", "page amount", d.PageAmount, 0, MaxPageAmount)
	v.rangeOf("doc_ordinal", "Số thứ tự trong hồ sơ", "document ordinal", d.DocOrdinal, 0, MaxDocOrdinal)
	v.rangeOf("promulgation_amount", "Số lượng bản phát hành", "issued amount", d.PromulgationAmount, 0, MaxIssuedAmount)
	v.rangeOf("business.doc_type", "Loại nghiệp vụ", "business type", int(d.Business.DocType), 0, int(BusinessReplace))
	v.text("business.doc_reason", "Lý do", "reason", d.Business.DocReason, MaxTextField, false, true)
	for i, r := range d.Business.Receivers {
		v.organID(fmt.Sprintf("business.receivers[%d].organ_id", i), r.OrganID, true)
	}
	for i, r := range d.Business.Replacements {
		f := fmt.Sprintf("business.replacements[%d]", i)
		v.text(f+".document_id", "Mã văn bản bị thay thế", "replaced document id", r.DocumentID, MaxTextField, true, false)
		for j, id := range r.OrganIDs {
			v.organID(fmt.Sprintf("%s.organ_ids[%d]", f, j), id, true)
		}
	}
}

// attachments checks the files of a document.
func (v *validator) attachments(as []Attachment) {
	if len(as) > MaxAttachments {
		v.add("attachments", fmt.Sprintf("Nhiều hơn %d tệp đính kèm", MaxAttachments), fmt.Sprintf("more than %d attachments", MaxAttachments))
		return
	}
	mains := 0
	names := map[string]bool{}
	for i, a := range as {
		f := fmt.Sprintf("attachments[%d]", i)
		switch a.Role {
		case RoleMain:
			mains++
		case RoleAttachment:
		default:
			v.add(f+".role", "Vai trò tệp phải là văn bản chính hoặc văn bản kèm theo", "role must be main or attachment")
		}
		if err := SafeFileName(a.Name); err != nil {
			v.add(f+".name", err.VI, err.EN)
		} else if k := strings.ToLower(a.Name); names[k] {
			v.add(f+".name", "Tên tệp "+quoteInput(a.Name)+" bị trùng", "file name "+quoteInput(a.Name)+" appears twice")
		} else {
			names[k] = true
		}
		if !IsSHA256Hex(a.SHA256) {
			v.add(f+".sha256", "Mã băm SHA-256 của tệp không hợp lệ", "sha256 must be 64 lower-case hex digits")
		}
		if a.Size < 0 || a.Size > maxAttachmentBytes {
			v.add(f+".size", "Kích thước tệp không hợp lệ", "size out of range")
		}
		if a.ContentType != "" {
			if _, _, err := mime.ParseMediaType(a.ContentType); err != nil {
				v.add(f+".content_type", "Kiểu tệp không hợp lệ", "content type does not parse")
			}
		}
		v.text(f+".content_id", "Mã nội dung", "content id", a.ContentID, MaxTextField, false, false)
		v.text(f+".description", "Mô tả tệp", "file description", a.Description, MaxDescription, false, false)
	}
	switch {
	case mains == 0:
		v.add("attachments", "Chưa có văn bản chính", "no main document")
	case mains > 1:
		v.add("attachments", "Chỉ được có một văn bản chính", "more than one main document")
	}
}

// IsSHA256Hex reports whether s is a SHA-256 written as 64 lower-case hex
// digits.
func IsSHA256Hex(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// SafeFileName checks a file name a sender gave before anyone saves a
// file under it: nil, or a *FieldError (Field "name") for a name that is
// empty, longer than MaxAttachmentName bytes, not valid UTF-8, "." or
// "..", holds a path separator (/ \), a character Windows refuses
// (< > : " | ? *, which also stops alternate data streams), a control
// character, a bidirectional override (which disguises an extension:
// "hoa-don\u202Efdp.exe"), begins or ends with a space or ends with a
// dot, or is a device name Windows reserves (CON, NUL, COM1, … with any
// extension).
func SafeFileName(name string) *FieldError {
	bad := func(vi, en string) *FieldError {
		q := quoteInput(name)
		return &FieldError{Field: "name", VI: fmt.Sprintf("Tên tệp %s không hợp lệ: %s", q, vi), EN: fmt.Sprintf("file name %s is unsafe: %s", q, en)}
	}
	switch {
	case name == "":
		return &FieldError{Field: "name", VI: "Tệp chưa có tên", EN: "file name is empty"}
	case len(name) > MaxAttachmentName:
		return bad(fmt.Sprintf("dài quá %d byte", MaxAttachmentName), fmt.Sprintf("longer than %d bytes", MaxAttachmentName))
	case !utf8.ValidString(name):
		return bad("có ký tự không đọc được", "not valid UTF-8")
	case name == "." || name == "..":
		return bad("không phải tên tệp", "not a file name")
	case strings.ContainsAny(name, `/\`):
		return bad("có dấu phân cách thư mục", "holds a path separator")
	case strings.ContainsAny(name, `<>:"|?*`):
		return bad(`có ký tự không được phép (< > : " | ? *)`, `holds a character Windows refuses (< > : " | ? *)`)
	case hasControl(name, false):
		return bad("có ký tự điều khiển hoặc ký tự đảo chiều", "holds control or bidirectional characters")
	case strings.TrimSpace(name) != name || strings.HasSuffix(name, "."):
		return bad("bắt đầu hoặc kết thúc bằng dấu cách, hoặc kết thúc bằng dấu chấm", "begins or ends with a space or ends with a dot")
	}
	base, _, _ := strings.Cut(name, ".")
	switch strings.ToUpper(strings.TrimRight(base, " ")) {
	case "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
		"LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9", "COM0", "LPT0":
		return bad("trùng tên thiết bị của Windows", "a device name Windows reserves")
	}
	return nil
}

// hasControl reports whether s holds a control character (C0, DEL, C1),
// a bidirectional formatting character, a line or paragraph separator,
// or, unless lines is set, a line break or tab.
func hasControl(s string, lines bool) bool {
	for _, r := range s {
		switch {
		case lines && (r == '\n' || r == '\r' || r == '\t'):
		case unicode.IsControl(r), r == '\u2028', r == '\u2029',
			'\u202A' <= r && r <= '\u202E', '\u2066' <= r && r <= '\u2069', r == '\u200E', r == '\u200F', r == '\u061C':
			return true
		}
	}
	return false
}

// validator collects problems.
type validator struct{ problems []*FieldError }

func (v *validator) add(field, vi, en string) {
	v.problems = append(v.problems, &FieldError{Field: field, VI: vi, EN: en})
}

// text checks one text field: required, its length in characters, UTF-8,
// control characters (line breaks allowed with lines).
func (v *validator) text(field, vi, en, s string, max int, required, lines bool) {
	switch {
	case strings.TrimSpace(s) == "":
		if required {
			v.add(field, vi+" không được để trống", en+" is empty")
		}
	case !utf8.ValidString(s):
		v.add(field, vi+" có ký tự không đọc được", en+" is not valid UTF-8")
	case utf8.RuneCountInString(s) > max:
		n := utf8.RuneCountInString(s)
		v.add(field, fmt.Sprintf("%s dài quá %d ký tự (đang có %d)", vi, max, n), fmt.Sprintf("%s is longer than %d characters (%d)", en, max, n))
	case hasControl(s, lines):
		v.add(field, vi+" có ký tự điều khiển", en+" holds control characters")
	}
}

func (v *validator) rangeOf(field, vi, en string, n, lo, hi int) {
	if n < lo || n > hi {
		v.add(field, fmt.Sprintf("%s phải từ %d đến %d (đang là %d)", vi, lo, hi, n), fmt.Sprintf("%s must be %d to %d (is %d)", en, lo, hi, n))
	}
}

func (v *validator) date(field, vi, en string, d Date, required bool) {
	switch {
	case d.IsZero():
		if required {
			v.add(field, vi+" không được để trống", en+" is empty")
		}
	case !d.Valid():
		v.add(field, vi+" không phải một ngày có thật", en+" is not a real date")
	}
}

// organ checks an Organ: its id, and with named its name too.
func (v *validator) organ(field string, o Organ, named bool) {
	v.organID(field+".organ_id", o.OrganID, true)
	v.text(field+".organ_name", "Tên cơ quan", "organ name", o.OrganName, MaxOrganName, named, false)
	v.text(field+".organization_in_charge", "Cơ quan chủ quản", "organization in charge", o.OrganizationInCharge, MaxOrganName, false, false)
	for _, f := range []struct{ name, vi, en, s string }{
		{"organ_add", "Địa chỉ", "address", o.OrganAdd},
		{"email", "Thư điện tử", "email", o.Email},
		{"telephone", "Điện thoại", "telephone", o.Telephone},
		{"fax", "Fax", "fax", o.Fax},
		{"website", "Trang tin", "website", o.Website},
	} {
		v.text(field+"."+f.name, f.vi, f.en, f.s, MaxTextField, false, false)
	}
}

// organID checks a mã định danh as written: it must be canonical.
func (v *validator) organID(field, s string, required bool) {
	if s == "" && !required {
		return
	}
	id, err := ParseOrganID(s)
	if err != nil {
		fe := err.(*FieldError)
		v.add(field, fe.VI, fe.EN)
		return
	}
	if string(id) != s {
		v.add(field, fmt.Sprintf("Mã định danh %s phải viết là %s", quoteInput(s), id), fmt.Sprintf("organ id %s must be written %s", quoteInput(s), id))
	}
}

// Valid reports whether d is a date that exists (the zero Date is not
// one), with a year from 1 to 9999.
func (d Date) Valid() bool {
	if d.Year < 1 || d.Year > 9999 || d.Month < 1 || d.Month > 12 || d.Day < 1 || d.Day > 31 {
		return false
	}
	t := d.Time()
	return t.Day() == d.Day && t.Month() == d.Month
}
