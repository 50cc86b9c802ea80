package edoc

import "strings"

// DocType is one type of administrative document (văn bản hành chính,
// Nghị định 30/2020 Điều 7) with the abbreviation Phụ lục III gives it
// for the ký hiệu ("" for Công văn and Thư công, which have none).
type DocType struct {
	Name         string `json:"name"`
	Abbreviation string `json:"abbreviation,omitempty"`
	EN           string `json:"en"`
}

// DocTypes are the 29 types of Điều 7, in its order; Phụ lục III lists
// the abbreviations of all but Công văn and Thư công.
var DocTypes = []DocType{
	{"Nghị quyết", "NQ", "Resolution"},
	{"Quyết định", "QĐ", "Decision"},
	{"Chỉ thị", "CT", "Directive"},
	{"Quy chế", "QC", "Regulation"},
	{"Quy định", "QyĐ", "Rules"},
	{"Thông cáo", "TC", "Communiqué"},
	{"Thông báo", "TB", "Notice"},
	{"Hướng dẫn", "HD", "Guidance"},
	{"Chương trình", "CTr", "Programme"},
	{"Kế hoạch", "KH", "Plan"},
	{"Phương án", "PA", "Scheme"},
	{"Đề án", "ĐA", "Project proposal"},
	{"Dự án", "DA", "Project"},
	{"Báo cáo", "BC", "Report"},
	{"Biên bản", "BB", "Minutes"},
	{"Tờ trình", "TTr", "Submission"},
	{"Hợp đồng", "HĐ", "Contract"},
	{"Công văn", "", "Official letter"},
	{"Công điện", "CĐ", "Official telegram"},
	{"Bản ghi nhớ", "GN", "Memorandum of understanding"},
	{"Bản thỏa thuận", "TTh", "Agreement"},
	{"Giấy ủy quyền", "UQ", "Power of attorney"},
	{"Giấy mời", "GM", "Invitation"},
	{"Giấy giới thiệu", "GT", "Letter of introduction"},
	{"Giấy nghỉ phép", "NP", "Leave permit"},
	{"Phiếu gửi", "PG", "Dispatch slip"},
	{"Phiếu chuyển", "PC", "Transfer slip"},
	{"Phiếu báo", "PB", "Notification slip"},
	{"Thư công", "", "Public letter"},
}

// CopyForms are the forms of copy of Phụ lục III (bản sao văn bản), with
// their abbreviations.
var CopyForms = []DocType{
	{"Bản sao y", "SY", "Certified copy"},
	{"Bản trích sao", "TS", "Extract"},
	{"Bản sao lục", "SL", "Transcribed copy"},
}

// LookupDocType finds a type of DocTypes or CopyForms by its name,
// case and diacritics ignored ("QUYẾT ĐỊNH", "quyet dinh", "Quyết định
// (cá biệt)": a parenthesised qualifier is ignored), or by its
// abbreviation, case ignored but not Đ: "ĐA" is Đề án, "DA" Dự án (an Ð,
// the look-alike U+00D0, counts as Đ).
func LookupDocType(s string) (DocType, bool) {
	t := strings.TrimSpace(s)
	if len(t) > 200 || t == "" {
		return DocType{}, false
	}
	if dt, ok := lookupAbbreviation(t); ok {
		return dt, true
	}
	if i := strings.IndexByte(t, '('); i > 0 {
		t = t[:i]
	}
	f := Fold(t)
	for _, list := range [][]DocType{DocTypes, CopyForms} {
		for _, dt := range list {
			if f == Fold(dt.Name) {
				return dt, true
			}
		}
	}
	return DocType{}, false
}

var lookAlikeD = strings.NewReplacer("Ð", "Đ", "ð", "đ")

func lookupAbbreviation(s string) (DocType, bool) {
	s = lookAlikeD.Replace(s)
	for _, list := range [][]DocType{DocTypes, CopyForms} {
		for _, dt := range list {
			if dt.Abbreviation != "" && strings.EqualFold(s, dt.Abbreviation) {
				return dt, true
			}
		}
	}
	return DocType{}, false
}

// DocTypeOfNotation is the type a ký hiệu names by its first group
// ("QĐ-UBND" → Quyết định, "TTr-STC" → Tờ trình). ok is false when the
// first group is no abbreviation of DocTypes: the ký hiệu of a Công văn
// ("VPCP-TTĐT": the agency and the drafting unit), of a normative
// document ("NĐ-CP"), or of something else.
func DocTypeOfNotation(notation string) (DocType, bool) {
	first, _, _ := strings.Cut(notation, "-")
	first = strings.TrimSpace(first)
	if first == "" || len(first) > 10 {
		return DocType{}, false
	}
	return lookupAbbreviation(first)
}
