package edoc

import (
	"fmt"
	"strings"
	"time"
)

// DocumentIDFor is edXML's DocumentId of a document: "OrganId,yyyy/MM/dd,
// số/ký hiệu", e.g. "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT". It writes
// what it is given (from is not checked: Validate does that).
func DocumentIDFor(from string, date Date, code Code) string {
	return fmt.Sprintf("%s,%04d/%02d/%02d,%s", from, date.Year, int(date.Month), date.Day, code)
}

// DocumentIDParts is what a DocumentId of the usual form says.
type DocumentIDParts struct {
	OrganID OrganID
	Date    Date
	Code    Code
}

// MaxDocumentID bounds what ParseDocumentID reads.
const MaxDocumentID = 200

// ParseDocumentID reads a DocumentId of the form DocumentIDFor writes.
// Leniently: white space around the parts is ignored, the mã định danh
// is normalised (ParseOrganID), month and day may have one digit, the
// code is split at its first "/" (so "12/2020/NĐ-CP" is số 12, ký hiệu
// 2020/NĐ-CP; a code without "/" is a number alone). ok is false — not
// an error — for anything else, since some producers put a UUID or their
// own key there: a DocumentId is then only an opaque key. Also false: a
// date that does not exist, a code without a number, more than MaxDocumentID bytes.
func ParseDocumentID(s string) (p DocumentIDParts, ok bool) {
	if len(s) > MaxDocumentID {
		return p, false
	}
	organ, rest, ok1 := strings.Cut(s, ",")
	date, code, ok2 := strings.Cut(rest, ",")
	if !ok1 || !ok2 {
		return p, false
	}
	id, err := ParseOrganID(organ)
	if err != nil {
		return p, false
	}
	d, ok := parseSlashDate(strings.TrimSpace(date))
	if !ok {
		return p, false
	}
	code = strings.TrimSpace(code)
	number, notation, _ := strings.Cut(code, "/")
	number, notation = strings.TrimSpace(number), strings.TrimSpace(notation)
	if number == "" || strings.ContainsAny(code, ",") || hasControl(code, false) {
		return p, false
	}
	return DocumentIDParts{OrganID: id, Date: d, Code: Code{CodeNumber: number, CodeNotation: notation}}, true
}

// String is the DocumentId of p (DocumentIDFor).
func (p DocumentIDParts) String() string { return DocumentIDFor(string(p.OrganID), p.Date, p.Code) }

// parseSlashDate reads yyyy/M/d (edXML's dates, month and day of one or
// two digits) into a Date that exists.
func parseSlashDate(s string) (Date, bool) {
	parts := strings.Split(s, "/")
	if len(parts) != 3 || len(parts[0]) != 4 {
		return Date{}, false
	}
	var n [3]int
	for i, p := range parts {
		if p == "" || len(p) > 4 || i > 0 && len(p) > 2 {
			return Date{}, false
		}
		for _, c := range []byte(p) {
			if c < '0' || c > '9' {
				return Date{}, false
			}
			n[i] = n[i]*10 + int(c-'0')
		}
	}
	d := Date{Year: n[0], Month: time.Month(n[1]), Day: n[2]}
	return d, d.Valid()
}
