// Package store is the one storage interface of the reference server
// (server/): everything the server keeps goes through Store, and every
// implementation passes the conformance suite in server/store/storetest.
// server/store/bolt is the default (bbolt and a blob directory, one
// process); server/store/pg is PostgreSQL (several stateless replicas,
// blobs chunked in the database) and passes the same suite. Optional
// interfaces: BlobFiler (blobs as files), Backuper (online backup, bolt),
// AxisStore (the exchange axis API's records, both), Exporter and
// Importer (vanthu-server migrate, bolt to pg).
//
// # What is kept
//
//   - agencies (mã định danh, public directory data) and users, each bound
//     to the SHA-256 of one DER certificate, with roles and a disabled flag;
//   - login challenges, taken once (TakeChallenge deletes what it returns),
//     and sessions, keyed by the SHA-256 of their bearer token, never the
//     token itself;
//   - blobs, content-addressed by SHA-256, with the agencies that may see
//     them, and resumable uploads whose offset is durable: a chunk's bytes
//     are on disk (fsynced) before the offset that covers them is recorded,
//     and the whole file is hashed before the blob commits;
//   - messages with their deliveries, statuses and verification reports;
//   - idempotency records (agency, key → body fingerprint, HTTP status,
//     answer bytes), written in the same transaction as the message or
//     status they answer for;
//   - the change feeds, one per agency and one per user: each feed has its
//     own sequence, taken inside the write transaction that appends the
//     event, so that a feed's order is commit order and a reader never
//     sees a later sequence before an earlier one commits.
//
// # Errors
//
// Methods return ErrNotFound for what does not exist, ErrConflict for a
// create that collides with an existing record, *OffsetError (matching
// ErrWrongOffset) for an upload chunk at the wrong offset and
// ErrHashMismatch when a completed upload does not hash to its name.
// Other errors are storage failures (disk, database): the server answers
// them as internal errors. Every method takes a context; implementations
// honour its cancellation where they can block (WaitChange always).
//
// # Values
//
// Records are plain values: what a method returns is the caller's copy,
// and what it is given is copied before the call returns.
package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/sync/protocol"
)

// Errors callers branch on.
var (
	// ErrNotFound: no such record (or, for Blob, none the agency may see).
	ErrNotFound = errors.New("not found")
	// ErrConflict: the record to create exists already (an agency code, a
	// user id, a certificate bound to another user).
	ErrConflict = errors.New("conflict")
	// ErrWrongOffset: an upload chunk does not start at the kept offset;
	// the error is an *OffsetError that says where to resume.
	ErrWrongOffset = errors.New("wrong upload offset")
	// ErrHashMismatch: the uploaded bytes do not hash to the upload's
	// SHA-256; the upload was reset to offset 0.
	ErrHashMismatch = errors.New("uploaded file does not match its sha-256")
	// ErrTooLarge: an upload chunk goes beyond the upload's size.
	ErrTooLarge = errors.New("chunk goes beyond the upload's size")
)

// OffsetError is returned by AppendUpload for a chunk that does not start
// at the kept offset. errors.Is(err, ErrWrongOffset) holds.
type OffsetError struct {
	Offset int64 // where the next chunk must start
}

func (e *OffsetError) Error() string {
	return fmt.Sprintf("wrong upload offset: resume at %d", e.Offset)
}

// Is makes errors.Is(err, ErrWrongOffset) true.
func (e *OffsetError) Is(target error) bool { return target == ErrWrongOffset }

// Store is everything the server keeps. Implementations are safe for
// concurrent use by many goroutines (and, for a shared database, by many
// processes). Close releases the store; no method may be called after it.
type Store interface {
	// Meta returns what the store made when it was created: the feed
	// epoch and the key the server signs cursors with. They never change
	// for the life of the store.
	Meta(ctx context.Context) (Meta, error)

	// AddAgency creates an agency; ErrConflict if its code exists.
	AddAgency(ctx context.Context, a Agency) error
	// Agency returns one agency; ErrNotFound.
	Agency(ctx context.Context, code string) (Agency, error)
	// Agencies returns up to limit agencies ordered by code, starting
	// after the code after ("" from the first).
	Agencies(ctx context.Context, after string, limit int) ([]Agency, error)

	// AddUser creates a user: ErrConflict if the id exists or the
	// certificate is bound to a user already, ErrNotFound if the agency
	// does not exist.
	AddUser(ctx context.Context, u User) error
	// User returns a user by id; ErrNotFound.
	User(ctx context.Context, id string) (User, error)
	// UserByCert returns the user bound to the certificate whose DER
	// SHA-256 is certSHA (lower-case hex); ErrNotFound.
	UserByCert(ctx context.Context, certSHA string) (User, error)
	// Users returns an agency's users ordered by id ("" for every agency).
	Users(ctx context.Context, agency string) ([]User, error)
	// SetUserDisabled disables or enables a user; ErrNotFound.
	SetUserDisabled(ctx context.Context, id string, disabled bool) error

	// PutChallenge stores a login challenge; ErrConflict if its id exists.
	PutChallenge(ctx context.Context, c Challenge) error
	// TakeChallenge returns the challenge and deletes it in one step: of
	// any number of concurrent calls with one id, one gets it, the others
	// ErrNotFound. Expiry is the caller's to check.
	TakeChallenge(ctx context.Context, id string) (Challenge, error)
	// PutSession stores a session; ErrConflict if its token hash exists.
	PutSession(ctx context.Context, s Session) error
	// Session returns the session with that token hash; ErrNotFound.
	// Expiry is the caller's to check.
	Session(ctx context.Context, tokenHash string) (Session, error)
	// DeleteSession deletes a session; deleting a missing one is no error.
	DeleteSession(ctx context.Context, tokenHash string) error
	// Prune deletes challenges and sessions that expired before now and
	// returns how many it deleted.
	Prune(ctx context.Context, now time.Time) (int, error)

	// Blob returns a committed blob if agency may see it (it uploaded
	// the blob or sent or received a message naming it), else
	// ErrNotFound: the answer is the same whether the blob does not exist
	// or belongs to others.
	Blob(ctx context.Context, sha, agency string) (Blob, error)
	// OpenBlob opens a committed blob's bytes, without any visibility
	// check (the caller asked Blob first). The caller closes the reader.
	OpenBlob(ctx context.Context, sha string) (io.ReadSeekCloser, error)

	// StartUpload returns the upload agency has in progress for sha, or
	// creates one (u.ID, u.Agency, u.SHA256, u.Size, u.Created given by
	// the caller; Offset 0) and returns it. If agency may see the blob
	// already, it returns an Upload with Complete set and nothing is
	// created. If the blob exists but agency may not see it, an upload is
	// created as for a new blob: the agency proves it has the bytes by
	// sending them, and completing it makes the blob visible to it. An
	// upload in progress for the same sha with another size is replaced.
	StartUpload(ctx context.Context, u Upload) (Upload, error)
	// Upload returns an upload in progress; ErrNotFound (also once it
	// completed).
	Upload(ctx context.Context, id string) (Upload, error)
	// AppendUpload writes data at offset, which must be the kept offset
	// (*OffsetError otherwise; ErrTooLarge past the size). The data is
	// durable before the new offset is recorded and returned. When the
	// offset reaches the size the whole file is hashed: a match commits
	// the blob (visible to the upload's agency) and returns the Upload
	// with Complete set; a mismatch resets the upload to offset 0 and
	// returns ErrHashMismatch. A call with no data at the final offset
	// completes an upload whose completion was interrupted.
	AppendUpload(ctx context.Context, id string, offset int64, data []byte) (Upload, error)

	// Idempotency returns the record of a key; ErrNotFound.
	Idempotency(ctx context.Context, agency, key string) (Idempotency, error)
	// CommitSend writes, in one transaction: the message, its box
	// entries (outbox of From, inbox of each recipient), the visibility
	// of its attachments to the sender and every recipient, c.Events
	// (each given its feed's next sequence) and c.Idem. If c.Idem's key
	// is recorded already nothing is written and the recorded
	// Idempotency is returned with ok false; otherwise ok is true. A
	// message id that exists is ErrConflict.
	CommitSend(ctx context.Context, c SendCommit) (prior Idempotency, ok bool, err error)
	// CommitStatus appends c.Event to the message's statuses, sets the
	// delivery of c.Event.OrganID to the status when it is a recipient,
	// appends c.Events and writes c.Idem, in one transaction. Check is
	// called inside it with the message as committed so far; an error
	// from Check aborts and is returned as is. A recorded c.Idem key
	// returns the prior record as CommitSend does; a missing message is
	// ErrNotFound.
	CommitStatus(ctx context.Context, c StatusCommit) (prior Idempotency, ok bool, err error)
	// Message returns a message with its deliveries, statuses and
	// verification; ErrNotFound.
	Message(ctx context.Context, id string) (Message, error)
	// Messages lists an agency's inbox or outbox in commit order, up to
	// limit messages after the position after (0 from the first), and
	// the position of the last one returned (to pass as after).
	Messages(ctx context.Context, agency string, box Box, after uint64, limit int) ([]Message, uint64, error)

	// Changes returns up to limit events of feed with sequence > after,
	// in sequence order.
	Changes(ctx context.Context, feed string, after uint64, limit int) ([]Event, error)
	// FeedHead returns the last sequence of feed (0 for an empty one).
	FeedHead(ctx context.Context, feed string) (uint64, error)
	// WaitChange returns nil as soon as one of feeds has an event with a
	// sequence above the matching entry of after (at once if one has
	// already), or ctx.Err() when ctx ends first. Implementations wake
	// waiters after commits (bolt: in process; PostgreSQL: LISTEN/NOTIFY),
	// and waiters read again from their positions.
	WaitChange(ctx context.Context, feeds []string, after []uint64) error

	// CommitWork writes one action on an agency's case (WorkCommit) in
	// one transaction with its register entry, status, events, audit
	// lines and idempotency record. Numbers taken for one (agency,
	// register, year) by any number of concurrent commits, in this or
	// another process, are 1, 2, 3 … without a gap or a repeat.
	CommitWork(ctx context.Context, c WorkCommit) (prior Idempotency, ok bool, err error)
	// Case returns one case of an agency; ErrNotFound (also for another
	// agency's case).
	Case(ctx context.Context, agency, id string) (protocol.Case, error)
	// Cases lists an agency's cases ordered by id, up to limit after the
	// id after ("" from the first).
	Cases(ctx context.Context, agency, after string, limit int) ([]protocol.Case, error)
	// RegisterEntries lists the lines of one register and year ordered by
	// number, up to limit after the number after.
	RegisterEntries(ctx context.Context, agency string, kind edoc.RegisterKind, year, after, limit int) ([]RegisterRecord, error)
	// RegisterByKey lists the lines of an agency's register, every year,
	// whose entry has the duplicate key, oldest first.
	RegisterByKey(ctx context.Context, agency string, kind edoc.RegisterKind, key edoc.DuplicateKey) ([]RegisterRecord, error)
	// AppendAudit appends lines to an agency's audit trail, each given
	// the trail's next Seq.
	AppendAudit(ctx context.Context, agency string, lines ...protocol.AuditEntry) error
	// Audit lists an agency's audit trail in order, up to limit lines
	// with Seq > after.
	Audit(ctx context.Context, agency string, after uint64, limit int) ([]protocol.AuditEntry, error)

	// Close releases the store.
	Close() error
}

// Backuper is implemented by stores that can copy themselves while they
// serve (the bolt store: GET /backup). A PostgreSQL store is backed up
// with PostgreSQL's own tools.
type Backuper interface {
	// Backup writes a consistent copy of the store to w; its format is
	// the store's own (bolt: a tar that bolt.Restore unpacks).
	Backup(ctx context.Context, w io.Writer) (BackupInfo, error)
}

// BackupInfo says what a backup holds.
type BackupInfo struct {
	DBBytes   int64 `json:"db_bytes"`
	Blobs     int   `json:"blobs"`
	BlobBytes int64 `json:"blob_bytes"`
}

// BlobFiler is implemented by stores that keep each blob as a file: the
// server verifies PDFs in place instead of copying them out.
type BlobFiler interface {
	// BlobFile returns the path of a committed blob; ErrNotFound. The
	// file must not be written to.
	BlobFile(ctx context.Context, sha string) (string, error)
}

// Meta is made once, when a store is created.
type Meta struct {
	// Epoch is random, 16 bytes: a cursor from another epoch (another
	// store, a restored backup made from scratch) is unknown.
	Epoch []byte
	// CursorKey is a random 32-byte HMAC key for cursors.
	CursorKey []byte
}

// Agency is an agency of the directory: all of it is public.
type Agency struct {
	Code    string    // mã định danh
	Name    string    // tên cơ quan
	Parent  string    // mã định danh of the parent agency, if any
	Email   string    // public contact
	Created time.Time // when it was added
}

// User is someone who may sign in: the certificate is the identity.
type User struct {
	ID       string
	Agency   string // mã định danh
	Name     string
	Position string
	Roles    []protocol.Role
	CertSHA  string // lower-case hex SHA-256 of Cert
	Cert     []byte // DER
	Disabled bool
	Created  time.Time
}

// HasRole reports whether u has one of roles.
func (u User) HasRole(roles ...protocol.Role) bool {
	for _, have := range u.Roles {
		for _, want := range roles {
			if have == want {
				return true
			}
		}
	}
	return false
}

// Challenge is an outstanding login challenge.
type Challenge struct {
	ID        string
	Nonce     []byte
	CertSHA   string // the certificate it was issued for
	Server    string
	ExpiresAt time.Time
}

// Session is a signed-in session. The bearer token itself is never
// stored: TokenHash is the lower-case hex SHA-256 of it.
type Session struct {
	TokenHash string
	UserID    string
	Created   time.Time
	ExpiresAt time.Time
}

// Blob is a committed file.
type Blob struct {
	SHA256  string
	Size    int64
	Created time.Time
}

// Upload is a resumable upload of one blob by one agency.
type Upload struct {
	ID       string
	Agency   string
	SHA256   string
	Size     int64
	Offset   int64 // bytes kept, durable
	Created  time.Time
	Complete bool // the blob is committed and visible to Agency
}

// Box is a message list of an agency.
type Box string

const (
	Inbox  Box = "inbox"  // messages received
	Outbox Box = "outbox" // messages sent
)

// Message is a message as the server keeps it.
type Message struct {
	ID          string
	ClientMsgID string // the sender's id for it
	From        string // sender agency's mã định danh (== Document.From.OrganID)
	SentBy      string // user id
	SentByName  string
	Document    edoc.Document
	Recipients  []string // mã định danh, as Document.To, without duplicates
	AcceptedAt  time.Time
	// Verification per attachment SHA-256 (PDFs only).
	Verification map[string]protocol.Verification
	Deliveries   []protocol.Delivery    // one per recipient, in Recipients order
	Statuses     []protocol.StatusEvent // in commit order
}

// IsParty reports whether agency sent or received m.
func (m Message) IsParty(agency string) bool {
	return m.From == agency || m.IsRecipient(agency)
}

// IsRecipient reports whether agency is one of m's recipients.
func (m Message) IsRecipient(agency string) bool {
	for _, r := range m.Recipients {
		if r == agency {
			return true
		}
	}
	return false
}

// Idempotency is what the server answered to the first request under a
// key, to answer a replay the same way.
type Idempotency struct {
	Agency      string // the key's scope
	Key         string // e.g. "msg:<clientMsgId>"
	Fingerprint string // of the request body, hex
	Status      int    // HTTP status of the answer
	Answer      []byte // the answer body, byte for byte
	At          time.Time
}

// SendCommit is everything one send writes.
type SendCommit struct {
	Message Message
	Events  []Event // Seq is assigned by the store
	Idem    Idempotency
}

// StatusCommit is everything one status writes.
type StatusCommit struct {
	MessageID string
	Event     protocol.StatusEvent
	Events    []Event // Seq is assigned by the store
	Idem      Idempotency
	// Check, when set, runs inside the transaction with the message as
	// committed; its error aborts the commit.
	Check func(Message) error
}

// Event is one entry of a change feed.
type Event struct {
	Feed      string // AgencyFeed or UserFeed
	Seq       uint64 // assigned at commit; 1 for a feed's first event
	Kind      string // protocol.Change* kinds
	MessageID string
	At        time.Time
	Status    *protocol.StatusEvent // for protocol.ChangeStatus
	CaseID    string                // for protocol.ChangeCase: the case, read when the feed is read
}

// AgencyFeed names the feed of an agency.
func AgencyFeed(code string) string { return "a:" + code }

// UserFeed names the feed of a user.
func UserFeed(id string) string { return "u:" + id }
