package store

import (
	"time"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/sync/protocol"
)

// Box says where a cached document belongs.
type Box string

const (
	BoxInbox  Box = "inbox"  // văn bản đến: received from another agency
	BoxOutbox Box = "outbox" // văn bản đi: sent (or queued) by this agency
)

// Document is one cached message: a document received or sent, its
// server-side state and what this client did with it.
type Document struct {
	// Key is the local key: the ClientMsgID for a document this client
	// queued, else the server's MessageID.
	Key         string `json:"key"`
	MessageID   string `json:"message_id,omitempty"` // "" until the server accepted it
	ClientMsgID string `json:"client_msg_id,omitempty"`
	Box         Box    `json:"box"`

	Doc    edoc.Document `json:"doc"`
	From   edoc.Organ    `json:"from"`
	SentBy string        `json:"sent_by,omitempty"`

	// AcceptedAt and ReceivedAt are server times (ordering never uses the
	// client's clock); QueuedAt is the local time the user pressed Gửi,
	// for display only.
	AcceptedAt time.Time `json:"accepted_at,omitzero"`
	ReceivedAt time.Time `json:"received_at,omitzero"`
	QueuedAt   time.Time `json:"queued_at,omitzero"`

	Read bool `json:"read,omitempty"`

	Verification map[string]protocol.Verification `json:"verification,omitempty"`
	Deliveries   []protocol.Delivery              `json:"deliveries,omitempty"`
	Statuses     []protocol.StatusEvent           `json:"statuses,omitempty"`

	// Workflow is the local workflow state (issue 9 fills it: register
	// number, assignment, …); kept as given.
	Workflow map[string]string `json:"workflow,omitempty"`
}

// OutboxState is where an outbox entry stands.
type OutboxState string

const (
	OutboxQueued    OutboxState = "queued"    // waiting for the network
	OutboxUploading OutboxState = "uploading" // files going up (Files say how far)
	OutboxSending   OutboxState = "sending"   // PUT /v1/messages in progress
	OutboxSent      OutboxState = "sent"      // the server answered; Answer set
	OutboxFailed    OutboxState = "failed"    // permanent failure: LastError says why; never retried
)

// OutboxEntry is one message waiting to go. It is written in the same
// transaction as its Document.
type OutboxEntry struct {
	ClientMsgID string               `json:"client_msg_id"` // made offline: protocol.NewClientID
	Request     protocol.SendRequest `json:"request"`
	Files       []OutboxFile         `json:"files"`
	State       OutboxState          `json:"state"`
	Attempts    int                  `json:"attempts"`
	LastError   string               `json:"last_error,omitempty"`
	ErrorCode   string               `json:"error_code,omitempty"` // protocol.Error.Code when the server said it
	Answer      *protocol.SendAnswer `json:"answer,omitempty"`
	QueuedAt    time.Time            `json:"queued_at"` // local clock, display only
	// Body is Request as the engine first sent it (JSON), kept so that
	// every retry of the send is byte-identical ("" until the first
	// attempt; set by the engine through UpdateOutbox).
	Body []byte `json:"body,omitempty"`
}

// OutboxFile is the upload state of one file of an outbox entry, kept so
// that an interrupted upload resumes where the server says it stopped.
type OutboxFile struct {
	SHA256   string `json:"sha256"`
	Size     int64  `json:"size"`
	UploadID string `json:"upload_id,omitempty"`
	Offset   int64  `json:"offset"` // last offset the server confirmed
	Done     bool   `json:"done"`   // the server has the blob
}

// StatusEntry is a status this client queued for the server (the
// issuer's 13, the recipient's 16; a 02, 03 or 15 is taken by the server
// as the action return, register or withdraw, and 04–06 are refused
// alone: they go as ActionEntry), idempotent by ClientStatusID.
type StatusEntry struct {
	ClientStatusID string                 `json:"client_status_id"`
	MessageID      string                 `json:"message_id"`
	Request        protocol.StatusRequest `json:"request"`
	Attempts       int                    `json:"attempts"`
	LastError      string                 `json:"last_error,omitempty"`
	Failed         bool                   `json:"failed,omitempty"` // permanent
	QueuedAt       time.Time              `json:"queued_at"`
}

// AuditEntry is one line of the local audit log (who did what, when, on
// which document), appended in the transaction of the action.
type AuditEntry struct {
	Seq    uint64    `json:"seq"`
	At     time.Time `json:"at"`
	User   string    `json:"user,omitempty"`
	Action string    `json:"action"` // "queued", "sent", "received", "read", "deleted", …
	Key    string    `json:"key,omitempty"`
	Detail string    `json:"detail,omitempty"`
}
