// Package protocol holds the wire types of the Văn Thư Số sync API,
// shared by the client (sync/client, sync/engine) and the reference server
// (server/). JSON over HTTPS; every request and answer carries the header
// Vanthu-Protocol: 1 (Version); a server refuses a version it does not
// speak with CodeUnsupportedVersion.
//
// # Endpoints
//
//	POST  /v1/auth/challenge            ChallengeRequest → Challenge
//	POST  /v1/auth/session              SessionRequest → Session
//	DELETE /v1/auth/session             (sign out)
//	GET   /v1/me                        → Me
//	GET   /v1/directory?q=&after=&limit=  → DirectoryPage (public agency data only)
//
//	HEAD  /v1/blobs/{sha256}            200 + Content-Length if the server has it
//	                                    and the caller may see it, else 404
//	GET   /v1/blobs/{sha256}            the bytes (Range honoured)
//	POST  /v1/uploads                   UploadRequest → Upload (201), or 200 with
//	                                    Complete set when the blob exists already
//	HEAD  /v1/uploads/{id}              Upload-Offset header: bytes the server kept
//	PATCH /v1/uploads/{id}              headers Upload-Offset (where this chunk
//	                                    starts), Chunk-SHA256 (hex of the chunk);
//	                                    body: the chunk (≤ Upload.MaxChunk) → Upload.
//	                                    A wrong offset answers CodeWrongOffset with
//	                                    Error.Offset, the offset to resume at; a bad
//	                                    chunk checksum CodeChunkChecksum; the last
//	                                    chunk commits the blob after the whole
//	                                    SHA-256 is checked (CodeHashMismatch and the
//	                                    upload starts over)
//
//	PUT   /v1/messages/{clientMsgId}    SendRequest → SendAnswer (201 first time;
//	                                    a replay of the same body answers the
//	                                    first answer byte for byte, status
//	                                    included; another body under the same id
//	                                    is CodeIdempotencyConflict; a send of the
//	                                    same id still in flight CodeInFlight)
//	GET   /v1/messages/{id}             → Message (sender or recipient agency only)
//	GET   /v1/messages?box=inbox|outbox&after=&limit=  → MessagePage (for a reset)
//	PUT   /v1/messages/{id}/statuses/{clientStatusId}  StatusRequest → StatusAnswer
//	                                    (same idempotency rules as a send)
//
//	GET   /v1/changes?cursor=&wait=25   → Changes (long poll: answers at once when
//	                                    there is something after the cursor, else
//	                                    after at most wait seconds, ≤ MaxWait)
//
// A client id (clientMsgId, clientStatusId) is made by the client when the
// user acts, offline: NewClientID. Ids are scoped to the sender's agency.
//
// # Errors
//
// Every error answer is an HTTP status ≥ 400 with an ErrorBody. Clients
// branch on Error.Code, never on the message text; Retryable says whether
// the same request may succeed later (the outbox never retries a
// permanent failure).
//
// # The change feed
//
// Changes are delivered at least once, in commit order, per agency (and
// per user, for what concerns one user). The cursor is opaque: clients
// store it as given and send it back. A cursor the server does not know
// (another server epoch, a restored backup, a damaged value) answers
// Changes.Reset: the client lists its boxes (GET /v1/messages), diffs with
// its cache without duplicating anything and continues from
// Changes.Cursor. The cursor never goes back.
package protocol

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/vanthuso/vanthu/edoc"
)

// Version is the protocol version this package speaks.
const Version = 1

// HeaderVersion carries Version on every request and answer.
const HeaderVersion = "Vanthu-Protocol"

// HeaderErrorCode carries Error.Code on every error answer, for the
// answers that have no body (HEAD).
const HeaderErrorCode = "Vanthu-Error"

// Upload headers.
const (
	HeaderUploadOffset = "Upload-Offset"
	HeaderChunkSHA256  = "Chunk-SHA256"
)

// MaxWait is the longest long poll a server holds, in seconds; servers add
// jitter below it (proxies cut idle connections).
const MaxWait = 25

// NewClientID returns a fresh client id: 32 lower-case hex characters from
// crypto/rand.
func NewClientID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return hex.EncodeToString(b[:])
}

// ValidClientID reports whether id may name a message or a status: 8 to
// 64 characters of [0-9a-zA-Z_-].
func ValidClientID(id string) bool {
	if len(id) < 8 || len(id) > 64 {
		return false
	}
	for _, c := range id {
		switch {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '-', c == '_':
		default:
			return false
		}
	}
	return true
}

// ---- errors ----

// Error codes.
const (
	CodeBadRequest          = "bad_request"
	CodeUnsupportedVersion  = "unsupported_version"
	CodeUnauthenticated     = "unauthenticated"      // no or unknown session
	CodeSessionExpired      = "session_expired"      // sign in again
	CodeUnknownCertificate  = "unknown_certificate"  // no user is bound to it
	CodeBadSignature        = "bad_signature"        // the challenge signature does not verify
	CodeChallengeUsed       = "challenge_used"       // unknown, expired or already used challenge
	CodeForbidden           = "forbidden"            // the role does not allow it
	CodeNotFound            = "not_found"            // also for what the caller may not see
	CodeIdempotencyConflict = "idempotency_conflict" // same client id, another body
	CodeInFlight            = "in_flight"            // same client id, first request not finished
	CodeMissingBlobs        = "missing_blobs"        // Error.Missing lists the files to upload first
	CodeWrongOffset         = "wrong_offset"         // Error.Offset is where to resume
	CodeChunkChecksum       = "chunk_checksum"       // the chunk does not match Chunk-SHA256
	CodeHashMismatch        = "hash_mismatch"        // the whole file does not match its name
	CodeTooLarge            = "too_large"
	CodeUnknownRecipient    = "unknown_recipient" // Error.Missing lists the mã định danh
	CodeRateLimited         = "rate_limited"
	CodeUnavailable         = "unavailable"
	CodeInternal            = "internal"
)

// ErrorBody is the body of every error answer.
type ErrorBody struct {
	Error Error `json:"error"`
}

// Error is the one error model of the API. It is also a Go error, as
// sync/client returns it.
type Error struct {
	Status    int    `json:"-"` // HTTP status, filled by the client
	Code      string `json:"code"`
	Message   string `json:"message"` // English, for logs; the UI words its own
	Retryable bool   `json:"retryable"`
	// RetryAfter, in seconds, when the server asks to wait.
	RetryAfter int `json:"retry_after,omitempty"`
	// Offset is the offset to resume at (CodeWrongOffset).
	Offset *int64 `json:"offset,omitempty"`
	// Missing lists what is missing (CodeMissingBlobs: SHA-256 of files;
	// CodeUnknownRecipient: mã định danh).
	Missing []string `json:"missing,omitempty"`
}

func (e *Error) Error() string {
	return fmt.Sprintf("server: %s: %s", e.Code, e.Message)
}

// ---- sign-in ----

// ChallengeRequest starts a sign-in: the DER certificate on the user's
// token.
type ChallengeRequest struct {
	Certificate []byte `json:"certificate"`
}

// Challenge is a one-time value to sign with the token's key. It is good
// for one SessionRequest before ExpiresAt.
type Challenge struct {
	ID        string    `json:"id"`
	Nonce     []byte    `json:"nonce"` // 32 random bytes
	Server    string    `json:"server"`
	ExpiresAt time.Time `json:"expires_at"`
}

// SignedBytes is what the token signs for c: a domain-separated text
// that names the protocol, the server, the challenge and the
// certificate's SHA-256, so that a signature made for another purpose,
// server or certificate never signs anybody in.
func (c Challenge) SignedBytes(certSHA256 string) []byte {
	return []byte(fmt.Sprintf("vanthu-login-v1\nserver=%s\nchallenge=%s\nnonce=%s\ncert=%s\nexpires=%s\n",
		c.Server, c.ID, hex.EncodeToString(c.Nonce), certSHA256, c.ExpiresAt.UTC().Format(time.RFC3339)))
}

// SessionRequest answers a Challenge. The signature is over the SHA-256
// of Challenge.SignedBytes: PKCS#1 v1.5 for RSA keys, ASN.1 ECDSA for EC
// keys (what crypto.Signer with crypto.SHA256 gives).
type SessionRequest struct {
	ChallengeID string `json:"challenge_id"`
	Certificate []byte `json:"certificate"`
	Signature   []byte `json:"signature"`
}

// Session is a signed-in session. Send Token as "Authorization: Bearer
// <token>" until ExpiresAt; then sign in again (CodeSessionExpired).
type Session struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
	User      User      `json:"user"`
}

// Role of a user in an agency.
type Role string

const (
	RoleClerk   Role = "van_thu"     // văn thư: registers, issues, sends
	RoleLeader  Role = "lanh_dao"    // lãnh đạo: approves, signs, assigns
	RoleOfficer Role = "chuyen_vien" // chuyên viên: processes what is assigned
	RoleAdmin   Role = "quan_tri"    // quản trị
)

// User is a signed-in user as the server knows them.
type User struct {
	ID       string     `json:"id"`
	Name     string     `json:"name"`
	Agency   edoc.Organ `json:"agency"`
	Roles    []Role     `json:"roles"`
	CertSHA  string     `json:"cert_sha256"` // hex SHA-256 of the bound certificate
	Position string     `json:"position,omitempty"`
}

// Me answers GET /v1/me.
type Me struct {
	User       User      `json:"user"`
	ServerTime time.Time `json:"server_time"` // the client shows skew, never orders by its own clock
}

// ---- directory ----

// Agency is the public record of an agency in the directory.
type Agency struct {
	Code   string `json:"code"` // mã định danh
	Name   string `json:"name"`
	Parent string `json:"parent,omitempty"` // mã định danh of the parent agency
	Email  string `json:"email,omitempty"`
}

// DirectoryPage is one page of GET /v1/directory, ordered by code.
type DirectoryPage struct {
	Agencies []Agency `json:"agencies"`
	Next     string   `json:"next,omitempty"` // pass as after= for the next page
}

// ---- files ----

// UploadRequest starts (or resumes: the same SHA-256 from the same agency
// answers the upload in progress) a resumable upload.
type UploadRequest struct {
	SHA256 string `json:"sha256"` // lower-case hex
	Size   int64  `json:"size"`
}

// Upload is the state of an upload.
type Upload struct {
	ID       string `json:"id"`
	SHA256   string `json:"sha256"`
	Size     int64  `json:"size"`
	Offset   int64  `json:"offset"`    // bytes the server has kept
	MaxChunk int64  `json:"max_chunk"` // largest PATCH body accepted
	Complete bool   `json:"complete"`  // the blob is committed
}

// ---- messages ----

// SendRequest is the body of PUT /v1/messages/{clientMsgId}. Every file
// named in Document.Attachments must be uploaded first
// (CodeMissingBlobs). Recipients are Document.To (mã định danh); the
// server checks each against its directory (CodeUnknownRecipient).
type SendRequest struct {
	Document edoc.Document `json:"document"`
}

// SendAnswer answers a send.
type SendAnswer struct {
	MessageID   string     `json:"message_id"`
	ClientMsgID string     `json:"client_msg_id"`
	AcceptedAt  time.Time  `json:"accepted_at"` // server time
	Deliveries  []Delivery `json:"deliveries"`
}

// Delivery is where a message stands at one recipient.
type Delivery struct {
	OrganID   string      `json:"organ_id"`
	Status    edoc.Status `json:"status,omitempty"` // last status the recipient sent, "" before 01
	UpdatedAt time.Time   `json:"updated_at"`
}

// Message is a message as its sender or a recipient sees it.
type Message struct {
	ID          string        `json:"id"`
	ClientMsgID string        `json:"client_msg_id,omitempty"` // sender only
	From        edoc.Organ    `json:"from"`
	SentBy      string        `json:"sent_by"` // the user's name
	Document    edoc.Document `json:"document"`
	AcceptedAt  time.Time     `json:"accepted_at"`
	// Verification holds the server's signing/verify report of each PDF
	// file, keyed by SHA-256; the receiver shows it and re-verifies.
	Verification map[string]Verification `json:"verification,omitempty"`
	Deliveries   []Delivery              `json:"deliveries,omitempty"`
	Statuses     []StatusEvent           `json:"statuses,omitempty"`
}

// Verification is the server's verdict on one file and the report behind
// it (signing/verify.Report as JSON).
type Verification struct {
	Verdict string    `json:"verdict"` // valid, invalid, indeterminate
	At      time.Time `json:"at"`
	Report  []byte    `json:"report"` // JSON of verify.Report
}

// MessagePage is one page of GET /v1/messages.
type MessagePage struct {
	Messages []Message `json:"messages"`
	Next     string    `json:"next,omitempty"`
}

// StatusRequest is the body of PUT /v1/messages/{id}/statuses/{clientStatusId}:
// the recipient reporting progress to the sender (edXML status codes).
// Refusing (02) needs a Description.
type StatusRequest struct {
	Status      edoc.Status     `json:"status"`
	Description string          `json:"description,omitempty"`
	Staff       *edoc.StaffInfo `json:"staff,omitempty"`
}

// StatusAnswer answers a status.
type StatusAnswer struct {
	Event StatusEvent `json:"event"`
}

// StatusEvent is one status in a message's history.
type StatusEvent struct {
	MessageID   string          `json:"message_id"`
	OrganID     string          `json:"organ_id"` // who reported it
	Status      edoc.Status     `json:"status"`
	Description string          `json:"description,omitempty"`
	Staff       *edoc.StaffInfo `json:"staff,omitempty"`
	At          time.Time       `json:"at"` // server time
	// Automatic is set for the 01 the server sends on delivery.
	Automatic bool `json:"automatic,omitempty"`
}

// ---- change feed ----

// Change kinds.
const (
	ChangeReceived = "received" // a message arrived for the caller's agency (Message set)
	ChangeSent     = "sent"     // the caller's agency sent a message (Message set), from any of its clients
	ChangeStatus   = "status"   // a status for a message the caller sent or received (Status set)
	ChangeDeleted  = "deleted"  // the caller's copy must go (revocation accepted): MessageID
)

// Change is one event of the feed.
type Change struct {
	Kind      string       `json:"kind"`
	MessageID string       `json:"message_id"`
	At        time.Time    `json:"at"` // server commit time
	Message   *Message     `json:"message,omitempty"`
	Status    *StatusEvent `json:"status,omitempty"`
	Case      *Case        `json:"case,omitempty"` // ChangeCase
}

// Changes answers GET /v1/changes.
type Changes struct {
	Changes []Change `json:"changes"`
	// Cursor is where to continue from; store it with the applied
	// changes in one transaction.
	Cursor string `json:"cursor"`
	// More: more changes are ready, ask again at once.
	More bool `json:"more,omitempty"`
	// Reset: the given cursor is unknown; Changes is empty; list the
	// boxes and diff, then continue from Cursor.
	Reset bool `json:"reset,omitempty"`
	// Backoff, in seconds: the server asks the client to wait this long
	// before the next poll (load shedding).
	Backoff int `json:"backoff,omitempty"`
}
