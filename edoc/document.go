package edoc

import (
	"fmt"
	"time"
)

// Document is the metadata of one official document: every field of
// Nghị định 30/2020 Phụ lục VI and of the edXML MessageHeader, so that an
// edXML message maps onto a Document and back without loss. Files are
// not held here: Attachments name them by content hash.
//
// A Document is immutable once signed: a new version is a new Document
// (Business.DocType says how it relates to the one it replaces).
type Document struct {
	// DocumentID is edXML's DocumentId: "OrganId,yyyy/MM/dd,số/ký hiệu"
	// (DocumentIDFor builds it), or whatever the producer put (some put a
	// UUID).
	DocumentID string `json:"document_id,omitempty"`

	// From is the issuing agency (cơ quan ban hành); To the recipients
	// (nơi nhận) that receive it electronically.
	From Organ   `json:"from"`
	To   []Organ `json:"to,omitempty"`

	// Code is số and ký hiệu: CodeNumber "05", CodeNotation "QĐ-UBND".
	Code Code `json:"code"`
	// Place and PromulgationDate: "Hà Nội, ngày 05 tháng 01 năm 2020".
	Place            string `json:"place,omitempty"`
	PromulgationDate Date   `json:"promulgation_date"`

	// Type is the document type; TypeName is what receivers key on (the
	// numeric Type is used inconsistently by producers).
	Type DocumentType `json:"type"`
	// Subject is trích yếu (≤ 500 characters); Content the free text
	// some producers send along.
	Subject string `json:"subject"`
	Content string `json:"content,omitempty"`

	Signer Signer `json:"signer"`

	// DueDate is the deadline to resolve the document, if any.
	DueDate *Date `json:"due_date,omitempty"`
	// ToPlaces lists nơi nhận as printed, including those not reached
	// electronically ("Lưu: VT, TH.").
	ToPlaces []string `json:"to_places,omitempty"`

	Priority        Priority        `json:"priority"`
	Confidentiality Confidentiality `json:"confidentiality,omitempty"`

	// OtherInfo of edXML.
	SphereOfPromulgation string   `json:"sphere_of_promulgation,omitempty"`
	TyperNotation        string   `json:"typer_notation,omitempty"`      // chữ viết tắt của người đánh máy
	PromulgationAmount   int      `json:"promulgation_amount,omitempty"` // số lượng bản phát hành (IssuedAmount)
	PageAmount           int      `json:"page_amount,omitempty"`
	Direction            bool     `json:"direction,omitempty"` // văn bản chỉ đạo
	Appendixes           []string `json:"appendixes,omitempty"`

	// Phụ lục VI fields edXML does not carry.
	FileCatalog  string `json:"file_catalog,omitempty"`  // mục lục hồ sơ
	FileNotation string `json:"file_notation,omitempty"` // số và ký hiệu hồ sơ
	DocOrdinal   int    `json:"doc_ordinal,omitempty"`   // số thứ tự văn bản trong hồ sơ
	Language     string `json:"language,omitempty"`      // "Tiếng Việt" when empty
	Description  string `json:"description,omitempty"`   // ghi chú

	// ResponseFor names the documents this one answers.
	ResponseFor []ResponseFor `json:"response_for,omitempty"`
	// SteeringType is edXML's SteeringType; producers disagree on its
	// meaning, 0–3 are accepted.
	SteeringType int `json:"steering_type,omitempty"`

	// Business says whether this is a new document or revokes, updates or
	// replaces an earlier one (edXML TraceHeaderList/Bussiness).
	Business Business `json:"business"`
	// Trace lists the hops the document took on the exchange axis, each
	// appending one.
	Trace []TraceHeader `json:"trace,omitempty"`

	// Attachments are the files: the main document first (Role Main),
	// then attachments (văn bản kèm theo).
	Attachments []Attachment `json:"attachments,omitempty"`
}

// Organ is an agency as edXML names it (From, To). OrganID is the mã định
// danh (ParseOrganID validates it).
type Organ struct {
	OrganID              string `json:"organ_id"`
	OrganizationInCharge string `json:"organization_in_charge,omitempty"` // cơ quan chủ quản
	OrganName            string `json:"organ_name"`
	OrganAdd             string `json:"organ_add,omitempty"` // address
	Email                string `json:"email,omitempty"`
	Telephone            string `json:"telephone,omitempty"`
	Fax                  string `json:"fax,omitempty"`
	Website              string `json:"website,omitempty"`
}

// Code is số and ký hiệu. CodeNumber ≤ 11 characters, CodeNotation ≤ 30.
type Code struct {
	CodeNumber   string `json:"code_number"`
	CodeNotation string `json:"code_notation"`
}

// String is "05/QĐ-UBND" ("05" without a notation, the notation alone
// without a number).
func (c Code) String() string {
	switch {
	case c.CodeNumber == "":
		return c.CodeNotation
	case c.CodeNotation == "":
		return c.CodeNumber
	}
	return c.CodeNumber + "/" + c.CodeNotation
}

// DocumentType is edXML's DocumentType.
type DocumentType struct {
	Type       int    `json:"type,omitempty"`
	TypeDetail int    `json:"type_detail,omitempty"`
	TypeName   string `json:"type_name"` // "Quyết định", "Công văn", …
}

// Signer is the person who signed for the agency: authority prefix
// (Competence: "TM.", "KT.", "Q.", "TL.", "TUQ." followed by the body,
// e.g. "TM. ỦY BAN NHÂN DÂN"), position and full name.
type Signer struct {
	Competence string `json:"competence,omitempty"`
	Position   string `json:"position"`
	FullName   string `json:"full_name"`
}

// ResponseFor names an earlier document this one answers (edXML
// ResponseFor).
type ResponseFor struct {
	OrganID          string `json:"organ_id"`
	Code             string `json:"code"` // "05/QĐ-UBND"
	PromulgationDate Date   `json:"promulgation_date"`
	DocumentID       string `json:"document_id"`
}

// TraceHeader is one hop on the exchange axis.
type TraceHeader struct {
	OrganID   string    `json:"organ_id"`
	Timestamp time.Time `json:"timestamp"`
}

// Role of an attached file.
type Role string

const (
	RoleMain       Role = "main"       // văn bản chính
	RoleAttachment Role = "attachment" // văn bản kèm theo, phụ lục
)

// Attachment is one file of a document, named by the SHA-256 of its
// bytes (lower-case hex).
type Attachment struct {
	ContentID   string `json:"content_id,omitempty"` // edXML ContentId without "cid:"
	Role        Role   `json:"role"`
	Name        string `json:"name"` // AttachmentName: the file's name as the sender gave it
	Description string `json:"description,omitempty"`
	ContentType string `json:"content_type"`
	SHA256      string `json:"sha256"`
	Size        int64  `json:"size"`
}

// Business is edXML's Bussiness block (the spelling of the element).
type Business struct {
	DocumentID       string        `json:"document_id,omitempty"`
	DocType          BusinessType  `json:"doc_type"`
	DocReason        string        `json:"doc_reason,omitempty"`
	Paper            int           `json:"paper,omitempty"` // 1: a paper copy follows
	Staff            *StaffInfo    `json:"staff,omitempty"`
	DocumentInfo     string        `json:"document_info,omitempty"`
	DocumentReceiver string        `json:"document_receiver,omitempty"`
	Receivers        []Receiver    `json:"receivers,omitempty"`
	Replacements     []Replacement `json:"replacements,omitempty"`
}

// StaffInfo names the person who handled a message or a status.
type StaffInfo struct {
	Department string `json:"department,omitempty"`
	Staff      string `json:"staff,omitempty"`
	Email      string `json:"email,omitempty"`
	Mobile     string `json:"mobile,omitempty"`
}

// Receiver of an update or revocation (edXML ReceiverList/Receiver).
type Receiver struct {
	OrganID      string `json:"organ_id"`
	ReceiverType int    `json:"receiver_type,omitempty"`
}

// Replacement names a document replaced and the agencies it went to.
type Replacement struct {
	DocumentID string   `json:"document_id"`
	OrganIDs   []string `json:"organ_ids,omitempty"`
}

// Date is a calendar date without a time of day or zone (a
// PromulgationDate, a DueDate): Vietnamese documents are dated in
// Vietnam time, and a date must not move when a machine's zone differs.
// The zero Date means "not given". JSON and text form: "2020-01-05".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf is the date of t in Vietnam time (UTC+7).
func DateOf(t time.Time) Date {
	y, m, d := t.In(Vietnam).Date()
	return Date{y, m, d}
}

// Vietnam is UTC+07:00, the zone of every Vietnamese official date.
var Vietnam = time.FixedZone("ICT", 7*3600)

// IsZero reports whether d is "not given".
func (d Date) IsZero() bool { return d == Date{} }

// Time is midnight of d in Vietnam time.
func (d Date) Time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, Vietnam) }

// String is "2020-01-05", "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}

// MarshalText writes String.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads "2020-01-05"; "" is the zero Date.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	t, err := time.Parse("2006-01-02", string(b))
	if err != nil {
		return fmt.Errorf("date %q: want yyyy-mm-dd", b)
	}
	*d = Date{t.Year(), t.Month(), t.Day()}
	return nil
}

// Priority is độ khẩn, with edXML's codes.
type Priority int

const (
	PriorityNormal         Priority = 0 // thường
	PriorityUrgent         Priority = 1 // khẩn
	PriorityVeryUrgent     Priority = 2 // thượng khẩn
	PriorityFlash          Priority = 3 // hỏa tốc
	PriorityFlashScheduled Priority = 4 // hỏa tốc hẹn giờ
)

// Confidentiality is độ mật. Documents marked Mật and above do not travel
// on the exchange axis; the field exists so that registers can record it.
type Confidentiality int

const (
	ConfidentialityNone   Confidentiality = 0
	ConfidentialitySecret Confidentiality = 1 // Mật
	ConfidentialityTop    Confidentiality = 2 // Tối mật
	ConfidentialityUltra  Confidentiality = 3 // Tuyệt mật
)

// BusinessType is edXML's BussinessDocType.
type BusinessType int

const (
	BusinessNew     BusinessType = 0 // văn bản mới
	BusinessRevoke  BusinessType = 1 // thu hồi
	BusinessUpdate  BusinessType = 2 // cập nhật
	BusinessReplace BusinessType = 3 // thay thế
)

// Status is an edXML status code, as the receiver reports a document's
// progress to its sender.
type Status string

const (
	StatusArrived        Status = "01" // đã đến
	StatusRefused        Status = "02" // từ chối tiếp nhận (with a reason)
	StatusAccepted       Status = "03" // đã tiếp nhận (registered)
	StatusAssigned       Status = "04" // phân công
	StatusProcessing     Status = "05" // đang xử lý
	StatusDone           Status = "06" // hoàn thành
	StatusRevokeRequest  Status = "13" // thu hồi / yêu cầu lấy lại (by the issuer)
	StatusChangeAccepted Status = "15" // đồng ý thu hồi/cập nhật (one producer writes 14)
	StatusChangeRefused  Status = "16" // từ chối thu hồi/cập nhật
)
