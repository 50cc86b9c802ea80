package store

import (
	"context"
	"io"

	"github.com/vanthuso/vanthu/sync/protocol"
)

// Moving a store to another (vanthu-server migrate, bolt to PostgreSQL).
// An Exporter gives every lasting record once, in an order an Importer
// can take them in (agencies, users, blobs, messages, their places in
// the boxes, idempotency records, cases, registers, audit lines, axis
// systems and acknowledgements). Sessions, challenges, uploads in
// progress, the change feeds and the axis replay guard are not moved:
// users sign in again, uploads start again, and clients, whose cursors
// name the old store's feeds (another epoch), get a reset and list
// their boxes again.

// Record is one record; exactly one field is set.
type Record struct {
	Agency     *Agency
	User       *User
	Blob       *BlobRecord
	Message    *Message
	Box        *BoxEntry
	Idem       *Idempotency
	Case       *CaseRecord
	Register   *RegisterRecord
	Audit      *AuditRecord
	AxisSystem *AxisSystem
	AxisAck    *AxisAckRecord
}

// BlobRecord is a blob, the agencies that may see it and its content.
type BlobRecord struct {
	Blob
	Agencies []string
	Open     func() (io.ReadCloser, error)
}

// BoxEntry is a message's place in an agency's box.
type BoxEntry struct {
	Agency    string
	Box       Box
	Pos       uint64
	MessageID string
}

// CaseRecord is an agency's case.
type CaseRecord struct {
	Agency string
	Case   protocol.Case
}

// AuditRecord is a line of an agency's audit (Entry.Seq its place).
type AuditRecord struct {
	Agency string
	Entry  protocol.AuditEntry
}

// AxisAckRecord is a system's acknowledgement of a message.
type AxisAckRecord struct {
	System    string
	MessageID string
	Ack       AxisAck
}

// Exporter is implemented by stores that can be moved (bolt).
type Exporter interface {
	// Export calls f with every record, in the order above; an error of
	// f stops it and is returned.
	Export(ctx context.Context, f func(Record) error) error
}

// Importer is implemented by stores that can take an export (pg).
// Import is idempotent: a record already there is left as it is, so an
// interrupted migration is finished by running it again.
type Importer interface {
	Import(ctx context.Context, r Record) error
}
