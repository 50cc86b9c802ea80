package store

import (
	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/sync/protocol"
)

// WorkCommit is one action on an agency's own records (protocol.Case):
// CommitWork runs Apply inside one transaction with the case and the
// message as committed so far and writes what it returns, all or
// nothing.
type WorkCommit struct {
	Agency string
	// CaseID is the case the action is on. A case that does not exist
	// yet is given to Apply as nil; Apply may create it.
	CaseID string
	// MessageID, when set, names a message read in the transaction and
	// given to Apply (ErrNotFound if there is none).
	MessageID string
	// Number, when set, takes the next number of a register inside the
	// transaction: one more than the highest number of (Agency, Kind,
	// Year), 1 for the first. Apply must then return an Entry with that
	// number.
	Number *NumberRequest
	// Duplicates, when set with Number, lists in WorkState.Duplicates the
	// lines of that register (every year) with this key, read in the
	// transaction: the warning is right under concurrent registrations.
	Duplicates edoc.DuplicateKey
	// Idem is the idempotency record's key (Agency, Key, Fingerprint,
	// Status, At): a recorded key writes nothing and returns the prior
	// record with ok false. Its Answer is WorkResult.Answer.
	Idem Idempotency
	// Apply decides. An error from it aborts the commit and is returned
	// as is.
	Apply func(WorkState) (WorkResult, error)
}

// NumberRequest asks CommitWork for a register's next number.
type NumberRequest struct {
	Kind edoc.RegisterKind
	Year int
}

// WorkState is what Apply decides on.
type WorkState struct {
	Case    *protocol.Case // nil when the case does not exist yet
	Message *Message       // when WorkCommit.MessageID is set
	Number  int            // the number taken, when asked
	// Duplicates are the lines with WorkCommit.Duplicates, oldest first.
	Duplicates []RegisterRecord
}

// WorkResult is what one action writes.
type WorkResult struct {
	// Case is written as is; its Agency and ID must be the commit's.
	Case protocol.Case
	// Entry is a register line to write (required, with Number equal to
	// the number taken, when one was asked; else optional).
	Entry *RegisterRecord
	// Status, when set, is appended to the message's statuses and sets
	// the delivery of Status.OrganID, as CommitStatus does.
	Status *protocol.StatusEvent
	// Events are appended to their feeds (Seq assigned).
	Events []Event
	// Audit lines are appended to the agency's trail (Seq assigned).
	Audit []protocol.AuditEntry
	// Answer is the answer body the idempotency record keeps.
	Answer []byte
}

// RegisterRecord is one line of an agency's register.
type RegisterRecord struct {
	Agency string
	Kind   edoc.RegisterKind
	Year   int
	Number int // in the year, from 1; unique per (Agency, Kind, Year)
	CaseID string
	Entry  edoc.RegisterEntry
}
