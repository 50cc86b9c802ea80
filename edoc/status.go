package edoc

import (
	"fmt"
	"strconv"
	"strings"
)

// Statuses lists the status codes, in the order of the workflow.
var Statuses = []Status{
	StatusArrived, StatusRefused, StatusAccepted, StatusAssigned, StatusProcessing, StatusDone,
	StatusRevokeRequest, StatusChangeAccepted, StatusChangeRefused,
}

var statusLabels = map[Status]Label{
	StatusArrived:        {VI: "Đã đến", EN: "Arrived"},
	StatusRefused:        {VI: "Từ chối tiếp nhận", EN: "Refused"},
	StatusAccepted:       {VI: "Đã tiếp nhận", EN: "Accepted"},
	StatusAssigned:       {VI: "Phân công", EN: "Assigned"},
	StatusProcessing:     {VI: "Đang xử lý", EN: "Processing"},
	StatusDone:           {VI: "Hoàn thành", EN: "Done"},
	StatusRevokeRequest:  {VI: "Thu hồi / yêu cầu lấy lại", EN: "Revocation requested"},
	StatusChangeAccepted: {VI: "Đồng ý thu hồi/cập nhật", EN: "Revocation or update accepted"},
	StatusChangeRefused:  {VI: "Từ chối thu hồi/cập nhật", EN: "Revocation or update refused"},
}

// Valid reports whether s is one of Statuses (as written: "14" is not;
// ParseStatus reads it).
func (s Status) Valid() bool { _, ok := statusLabels[s]; return ok }

// Label names the status; the zero Label for an invalid one.
func (s Status) Label() Label { return statusLabels[s] }

// ParseStatus reads a status code: "01"…"06", "13", "15", "16", also
// without the leading zero ("1"), and "14", which one producer writes for
// 15. Surrounding white space is ignored; anything else is an error.
func ParseStatus(s string) (Status, error) {
	t := strings.TrimSpace(s)
	if len(t) == 1 {
		t = "0" + t
	}
	if t == "14" {
		return StatusChangeAccepted, nil
	}
	if st := Status(t); st.Valid() {
		return st, nil
	}
	return "", fmt.Errorf("status %s: not one of 01–06, 13, 15, 16", quoteInput(s))
}

// IsChange reports whether s belongs to the change track (13, 15, 16:
// the issuer's revocation or update and the recipient's answer) rather
// than the processing track (01–06).
func (s Status) IsChange() bool {
	return s == StatusRevokeRequest || s == StatusChangeAccepted || s == StatusChangeRefused
}

// Progress is where a document stands at one recipient, as its statuses
// say: the last status of each track ("" for none yet). Its zero value
// is a document just sent.
//
// The state machine (DOMAIN.md, "Status message"). Processing track:
//
//	""  → 01            the recipient's system reports arrival first
//	01 → 02 | 03        refused (with a reason), or accepted and registered
//	03 → 04 | 05        assigned, or processing
//	04 → 05             processing
//	05 → 06             done
//	02, 06              final
//
// Change track, by the issuer then the recipient:
//
//	"" | 16 → 13        the issuer asks to revoke (once the document
//	                    arrived and was not refused); after a refusal it
//	                    may ask again
//	13 → 15 | 16        the recipient agrees (and deletes its copy) or
//	                    refuses (with a reason, by our rule)
//	15                  final: the document is withdrawn, no status of
//	                    either track follows
//
// A pending 13 does not stop the processing track.
type Progress struct {
	Processing Status `json:"processing,omitempty"`
	Change     Status `json:"change,omitempty"`
}

var processingNext = map[Status][]Status{
	"":               {StatusArrived},
	StatusArrived:    {StatusRefused, StatusAccepted},
	StatusAccepted:   {StatusAssigned, StatusProcessing},
	StatusAssigned:   {StatusProcessing},
	StatusProcessing: {StatusDone},
}

// Next lists the statuses p may move to.
func (p Progress) Next() []Status {
	if p.Change == StatusChangeAccepted {
		return nil
	}
	next := append([]Status(nil), processingNext[p.Processing]...)
	switch {
	case p.Change == StatusRevokeRequest:
		next = append(next, StatusChangeAccepted, StatusChangeRefused)
	case p.Processing != "" && p.Processing != StatusRefused:
		next = append(next, StatusRevokeRequest)
	}
	return next
}

// Apply moves p to next, or returns p and an error saying why not: a
// status that is not valid, one the machine does not allow from p, or a
// refusal (02, 16) without a reason.
func (p Progress) Apply(next Status, reason string) (Progress, error) {
	if !next.Valid() {
		return p, fmt.Errorf("status %s: not a status code", quoteInput(string(next)))
	}
	allowed := false
	for _, s := range p.Next() {
		allowed = allowed || s == next
	}
	if !allowed {
		return p, fmt.Errorf("status %s after %s/%s: not allowed", next, orNone(p.Processing), orNone(p.Change))
	}
	if (next == StatusRefused || next == StatusChangeRefused) && strings.TrimSpace(reason) == "" {
		return p, fmt.Errorf("status %s: a refusal needs a reason", next)
	}
	if next.IsChange() {
		p.Change = next
	} else {
		p.Processing = next
	}
	return p, nil
}

func orNone(s Status) string {
	if s == "" {
		return "none"
	}
	return string(s)
}

var businessLabels = []Label{
	BusinessNew:     {VI: "Văn bản mới", EN: "New document"},
	BusinessRevoke:  {VI: "Thu hồi", EN: "Revocation"},
	BusinessUpdate:  {VI: "Cập nhật", EN: "Update"},
	BusinessReplace: {VI: "Thay thế", EN: "Replacement"},
}

// Label names the business type; the zero Label for an unknown one.
func (b BusinessType) Label() Label { return labelAt(businessLabels, int(b)) }

// Valid reports whether b is 0–3.
func (b BusinessType) Valid() bool { return BusinessNew <= b && b <= BusinessReplace }

var priorityLabels = []Label{
	PriorityNormal:         {VI: "Thường", EN: "Normal"},
	PriorityUrgent:         {VI: "Khẩn", EN: "Urgent"},
	PriorityVeryUrgent:     {VI: "Thượng khẩn", EN: "Very urgent"},
	PriorityFlash:          {VI: "Hỏa tốc", EN: "Flash"},
	PriorityFlashScheduled: {VI: "Hỏa tốc hẹn giờ", EN: "Flash, scheduled"},
}

// Label names the priority (độ khẩn); the zero Label for an unknown one.
func (p Priority) Label() Label { return labelAt(priorityLabels, int(p)) }

// Valid reports whether p is 0–4.
func (p Priority) Valid() bool { return p.Label() != Label{} }

// ParsePriority reads a priority: its code ("0"–"4") or its name in
// Vietnamese or English, case and diacritics ignored ("Hỏa tốc", "hoả
// tốc", "HOA TOC", "flash"); "" is Thường.
func ParsePriority(s string) (Priority, error) {
	n, err := parseLabelled("priority", s, priorityLabels)
	return Priority(n), err
}

var confidentialityLabels = []Label{
	ConfidentialityNone:   {VI: "Thường", EN: "Not classified"},
	ConfidentialitySecret: {VI: "Mật", EN: "Confidential"},
	ConfidentialityTop:    {VI: "Tối mật", EN: "Secret"},
	ConfidentialityUltra:  {VI: "Tuyệt mật", EN: "Top secret"},
}

// Label names the confidentiality (độ mật), with the usual English
// equivalents (Mật is Confidential, Tối mật Secret, Tuyệt mật Top
// secret); the zero Label for an unknown one.
func (c Confidentiality) Label() Label { return labelAt(confidentialityLabels, int(c)) }

// Valid reports whether c is 0–3.
func (c Confidentiality) Valid() bool { return c.Label() != Label{} }

// ParseConfidentiality reads a confidentiality as ParsePriority reads a
// priority: "0"–"3", "Mật", "Tối mật", "Tuyệt mật", their English names,
// "" or "Thường" for none.
func ParseConfidentiality(s string) (Confidentiality, error) {
	n, err := parseLabelled("confidentiality", s, confidentialityLabels)
	return Confidentiality(n), err
}

func labelAt(labels []Label, i int) Label {
	if i < 0 || i >= len(labels) {
		return Label{}
	}
	return labels[i]
}

// parseLabelled finds s among labels: a code, or a name folded; what
// names the value in the error.
func parseLabelled(what, s string, labels []Label) (int, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, nil
	}
	if n, err := strconv.Atoi(t); err == nil && n >= 0 && n < len(labels) && len(t) <= 2 {
		return n, nil
	}
	if len(t) <= 100 {
		f := Fold(t)
		for i, l := range labels {
			if f == Fold(l.VI) || f == Fold(l.EN) {
				return i, nil
			}
		}
	}
	return 0, fmt.Errorf("%s %s: not a known value", what, quoteInput(s))
}
