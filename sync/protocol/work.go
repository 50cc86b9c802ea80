package protocol

import (
	"time"

	"github.com/vanthuso/vanthu/edoc"
)

// The agency's own work on documents (Nghị định 30/2020, Thông tư
// 01/2019/TT-BNV): registers, presenting to a leader, assignments,
// processing, drafts, numbering, copies. It is kept on the server, per
// agency, and visible to that agency's users only; the server enforces
// who may do what.
//
//	PUT /v1/work/{clientActionId}   ActionRequest → ActionAnswer (201 first
//	                                time; replays as for a send)
//	GET /v1/cases?after=&limit=     → CasePage (the agency's cases, by id)
//	GET /v1/cases/{id}              → Case
//	GET /v1/registers/{kind}?year=&after=&limit=  → RegisterPage (by number)
//	GET /v1/audit?after=&limit=     → AuditPage (the agency's admin only)
//	GET /v1/staff                   → Staff (the agency's enabled users:
//	                                whom to present to or assign)
//
// Every action is an ActionRequest; its Action says which. The feed
// carries ChangeCase (Case set, the case as it stands after the commit)
// to every user of the agency. Numbers (số đến, số văn bản, số bản sao)
// are given by the server inside the transaction that registers the
// entry, so that no two clients, online or not, ever get the same one:
// a client that acts offline queues the action and shows "chờ cấp số"
// until the server answered.

// ChangeCase: one of the caller agency's cases changed (Change.Case).
const ChangeCase = "case"

// Actions.
const (
	// Incoming.
	ActionRegister = "register" // clerk: vào sổ đến (số đến given), 03 to the sender
	ActionReturn   = "return"   // clerk: trả lại with a reason, 02 to the sender
	ActionPresent  = "present"  // clerk (incoming), any member (a draft): trình lãnh đạo
	ActionAssign   = "assign"   // leader: ý kiến chỉ đạo, lead, cooperating, deadline; 04
	ActionProgress = "progress" // an assignee or the leader: đang xử lý; 05
	ActionDone     = "done"     // the lead assignee or the leader: hoàn thành with a note or result; 06
	ActionNote     = "note"     // anyone who sees the case: a comment
	// Outgoing.
	ActionDraft    = "draft"    // any member: a draft (dự thảo) with its PDF
	ActionApprove  = "approve"  // the leader it is presented to: ký duyệt (the signed PDF)
	ActionReject   = "reject"   // the leader it is presented to: trả lại with comments
	ActionNumber   = "number"   // clerk: cấp số from the outgoing register at issue time
	ActionIssue    = "issue"    // clerk: the issued (agency-signed) PDF and the message that sent it
	ActionCopy     = "copy"     // clerk: a copy (sao y, sao lục, trích sao) registered with its số
	ActionWithdraw = "withdraw" // clerk: the revocation (15) of an incoming document was agreed
)

// Actions lists every action, incoming then outgoing.
var Actions = []string{ActionRegister, ActionReturn, ActionPresent, ActionAssign, ActionProgress, ActionDone, ActionNote,
	ActionDraft, ActionApprove, ActionReject, ActionNumber, ActionIssue, ActionCopy, ActionWithdraw}

// CaseKind says which way a case's document goes.
type CaseKind string

const (
	CaseIncoming CaseKind = "incoming"
	CaseOutgoing CaseKind = "outgoing"
	CaseCopy     CaseKind = "copy"
)

// Stage is where a case stands in its agency.
type Stage string

const (
	// Incoming.
	StageArrived    Stage = "arrived"    // 01 sent; the clerk checks it
	StageReturned   Stage = "returned"   // 02: sent back
	StageRegistered Stage = "registered" // 03: in the incoming register
	StagePresented  Stage = "presented"  // waiting for the leader (also a draft)
	StageAssigned   Stage = "assigned"   // 04
	StageProcessing Stage = "processing" // 05
	StageDone       Stage = "done"       // 06
	StageWithdrawn  Stage = "withdrawn"  // 15: revoked by its issuer, out of the active lists
	// Outgoing.
	StageDraft    Stage = "draft"    // dự thảo
	StageRejected Stage = "rejected" // the leader returned the draft
	StageApproved Stage = "approved" // ký duyệt
	StageNumbered Stage = "numbered" // số given, not issued yet
	StageIssued   Stage = "issued"   // ký phát hành and sent
	// Copies are StageIssued once registered.
)

// Active reports whether a case in stage s still needs somebody's work.
func (s Stage) Active() bool {
	switch s {
	case StageReturned, StageDone, StageWithdrawn, StageIssued:
		return false
	}
	return true
}

var stageLabels = map[Stage]edoc.Label{
	StageArrived:    {VI: "Chờ tiếp nhận", EN: "Awaiting registration"},
	StageReturned:   {VI: "Đã trả lại", EN: "Returned"},
	StageRegistered: {VI: "Đã vào sổ", EN: "Registered"},
	StagePresented:  {VI: "Chờ lãnh đạo cho ý kiến", EN: "With the leader"},
	StageAssigned:   {VI: "Đã phân công", EN: "Assigned"},
	StageProcessing: {VI: "Đang xử lý", EN: "In progress"},
	StageDone:       {VI: "Hoàn thành", EN: "Done"},
	StageWithdrawn:  {VI: "Đã thu hồi", EN: "Withdrawn"},
	StageDraft:      {VI: "Dự thảo", EN: "Draft"},
	StageRejected:   {VI: "Lãnh đạo trả lại", EN: "Returned by the leader"},
	StageApproved:   {VI: "Đã ký duyệt", EN: "Approved"},
	StageNumbered:   {VI: "Đã cấp số", EN: "Numbered"},
	StageIssued:     {VI: "Đã phát hành", EN: "Issued"},
}

// Label names the stage; the zero Label for an unknown one.
func (s Stage) Label() edoc.Label { return stageLabels[s] }

// Assignee is a unit or a person a document is assigned to. UserID is
// set for a user of the agency; Unit alone names a unit (phòng, ban).
type Assignee struct {
	UserID string `json:"user_id,omitempty"`
	Name   string `json:"name,omitempty"` // filled by the server from the user
	Unit   string `json:"unit,omitempty"`
}

// CaseNote is a comment, a result or the leader's comments on a draft.
type CaseNote struct {
	At     time.Time `json:"at"`
	By     string    `json:"by"` // user id
	ByName string    `json:"by_name"`
	Text   string    `json:"text"`
	// Files are SHA-256 of uploaded files (a result, a signed draft).
	Files []string `json:"files,omitempty"`
}

// CaseStep is one line of a case's history: who did what, when.
type CaseStep struct {
	At     time.Time `json:"at"`
	By     string    `json:"by"`
	ByName string    `json:"by_name"`
	Action string    `json:"action"`
	Detail string    `json:"detail,omitempty"`
}

// Case is a document's life inside one agency.
type Case struct {
	ID        string   `json:"id"`   // incoming: the message id; else given at creation
	Kind      CaseKind `json:"kind"` // incoming, outgoing, copy
	Agency    string   `json:"agency"`
	Stage     Stage    `json:"stage"`
	MessageID string   `json:"message_id,omitempty"` // incoming: the message; outgoing: the sent one
	// Document is the document as received (incoming), the draft's
	// metadata and files (outgoing), the copy (copy).
	Document edoc.Document `json:"document"`
	// Entry is its line in the register once registered or numbered.
	Entry *edoc.RegisterEntry `json:"entry,omitempty"`
	// Source is, for a copy, the case it copies.
	Source string `json:"source,omitempty"`

	PresentedTo     string     `json:"presented_to,omitempty"` // the leader's user id
	PresentedToName string     `json:"presented_to_name,omitempty"`
	Instruction     string     `json:"instruction,omitempty"` // ý kiến chỉ đạo
	Lead            *Assignee  `json:"lead,omitempty"`        // chủ trì
	Cooperating     []Assignee `json:"cooperating,omitempty"` // phối hợp
	Due             *edoc.Date `json:"due,omitempty"`         // hạn giải quyết
	Notes           []CaseNote `json:"notes,omitempty"`
	History         []CaseStep `json:"history"`

	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
	// Version counts the case's commits: a client keeps the highest.
	Version uint64 `json:"version"`
}

// Involves reports whether the user is the case's lead or one of its
// cooperating assignees, or the leader it is presented to.
func (c Case) Involves(userID string) bool {
	if userID == "" {
		return false
	}
	if c.PresentedTo == userID || c.Lead != nil && c.Lead.UserID == userID {
		return true
	}
	for _, a := range c.Cooperating {
		if a.UserID == userID {
			return true
		}
	}
	return false
}

// ActionRequest is the body of PUT /v1/work/{clientActionId}. Which
// fields count depends on Action:
//
//	register  CaseID (the message id); Handler, Due, Notes optional
//	return    CaseID, Reason
//	present   CaseID, To (a leader's user id)
//	assign    CaseID, Instruction, Lead, Cooperating, Due
//	progress  CaseID, Text optional
//	done      CaseID, Text, Files optional
//	note      CaseID, Text, Files optional
//	draft     Document (its Attachments uploaded first), To optional (present at once)
//	approve   CaseID, Files (the approved, leader-signed PDF first), Text optional
//	reject    CaseID, Text
//	number    CaseID (approved draft): the số taken now
//	issue     CaseID (numbered), Files (the issued PDF), MessageID (the send)
//	copy      CaseID (a registered incoming case or an issued one), CopyForm,
//	          Files (the copy's signed PDF), Pages (trích sao)
//	withdraw  CaseID (after the clerk's 15)
type ActionRequest struct {
	Action      string         `json:"action"`
	CaseID      string         `json:"case_id,omitempty"`
	Reason      string         `json:"reason,omitempty"`
	To          string         `json:"to,omitempty"`
	Instruction string         `json:"instruction,omitempty"`
	Lead        *Assignee      `json:"lead,omitempty"`
	Cooperating []Assignee     `json:"cooperating,omitempty"`
	Due         *edoc.Date     `json:"due,omitempty"`
	Handler     string         `json:"handler,omitempty"`
	Text        string         `json:"text,omitempty"`
	Files       []string       `json:"files,omitempty"`
	Document    *edoc.Document `json:"document,omitempty"`
	MessageID   string         `json:"message_id,omitempty"`
	CopyForm    string         `json:"copy_form,omitempty"`
	Pages       []int          `json:"pages,omitempty"`
}

// ActionAnswer answers an action: the case as committed and, for a
// registration, the entries already registered with the same số, ký
// hiệu and issuing agency (the duplicate warning; registering is not
// refused, since a document may rightly arrive twice).
type ActionAnswer struct {
	Case       Case                 `json:"case"`
	Duplicates []edoc.RegisterEntry `json:"duplicates,omitempty"`
	// Status is the status sent to the document's sender, if any.
	Status *StatusEvent `json:"status,omitempty"`
}

// CasePage is one page of GET /v1/cases.
type CasePage struct {
	Cases []Case `json:"cases"`
	Next  string `json:"next,omitempty"`
}

// RegisterPage is one page of GET /v1/registers/{kind}.
type RegisterPage struct {
	Kind    edoc.RegisterKind    `json:"kind"`
	Year    int                  `json:"year"`
	Entries []edoc.RegisterEntry `json:"entries"`
	Next    string               `json:"next,omitempty"`
}

// AuditEntry is one line of an agency's audit trail: who did what and
// when. Action is an Action* name, or "read" (a user downloaded a
// file), "sign-in", "send", "status".
type AuditEntry struct {
	Seq     uint64    `json:"seq"`
	At      time.Time `json:"at"`
	UserID  string    `json:"user_id"`
	Name    string    `json:"name"`
	Action  string    `json:"action"`
	CaseID  string    `json:"case_id,omitempty"`
	Message string    `json:"message_id,omitempty"`
	Detail  string    `json:"detail,omitempty"`
}

// AuditPage is one page of GET /v1/audit.
type AuditPage struct {
	Entries []AuditEntry `json:"entries"`
	Next    string       `json:"next,omitempty"`
}

// Staff answers GET /v1/staff: the enabled users of the caller's agency,
// ordered by name.
type Staff struct {
	Users []User `json:"users"`
}
