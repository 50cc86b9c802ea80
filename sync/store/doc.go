// Package store is the client's cache: the documents received and sent,
// their files, the outbox, the status outbox, the feed cursor, local
// workflow state and an audit log, in one bbolt file, and the files in a
// content-addressed blob directory next to it. It works offline; the sync
// engine (sync/engine) moves what it holds to and from the server.
//
// A Store is safe for concurrent use. It publishes nothing: a caller that
// announces a change (a new document, a sent one) does so after the method
// that made it returned, that is after its transaction committed.
//
// # Files
//
//	PATH                     bbolt, mode 0600 (Open's path)
//	PATH.blobs/ab/cdef…      a file named by its SHA-256 (lower-case hex,
//	                         the first two characters as a directory)
//	PATH.blobs/tmp-*         a blob being written; left over only by a
//	                         crash, removed at Open
//	PATH.clean               written at Close: the size and modification
//	                         time of PATH as Close left it
//	PATH.damaged-<UTC time>  a damaged cache Open set aside
//	PATH.rebuild             the damaged file's name while what it holds is
//	                         carried over (a crash then: the next Open
//	                         finishes it)
//
// A blob is written to a temporary file while it is hashed, fsynced,
// renamed to its name and its directory fsynced: a file under its name
// always re-hashes to it. A blob name is checked to be 64 lower-case hex
// characters before any path is made of it.
//
// # Schema
//
// Version 3 (current). Keys and values; "|" separates the parts of a
// composite key (the parts have fixed lengths or a length prefix, no
// separator byte is stored except where noted); u64 is a big-endian
// uint64; sk is a document's 13-byte sort key: a class byte (1 for an
// outbox document the server has not accepted yet, else 0) and the server
// time it is ordered by (ReceivedAt in the inbox, AcceptedAt in the
// outbox; QueuedAt for the class 1 ones) as u64 seconds with the sign bit
// flipped and a big-endian uint32 of nanoseconds; JSON values are this
// package's types.
//
//	meta
//	├── version      → u64 schema version
//	├── nextord      → u32 the next ordinal to give
//	└── cursor       → the feed cursor, as the server gave it
//	docs             key → JSON Document
//	time
//	├── inbox        sk | key → ""          List, newest first (reverse)
//	└── outbox       sk | key → ""
//	unread
//	├── inbox        sk | key → ""          the same, unread documents only
//	└── outbox       sk | key → ""
//	msgid            MessageID → key
//	clientid         ClientMsgID → key      documents this client queued
//	words            key → sk | box byte ('i', 'o') | " " words " ": the
//	                 filter tokens, the folded words, the text's words
//	ords             key → u32 ordinal      given once, kept (postings.go)
//	ordkeys          u32 ordinal → key
//	postings         term \x00 u32 block → the block's ordinals holding
//	                 the term: ≤ 63 u16 offsets, or a 128-byte bitmap
//	docid            u16 len | DocumentID | key → ""
//	versions         u16 len | earlier DocumentID | key → ""
//	                                        documents that update or replace it
//	refs             sha256 (64 hex) | key → ""   attachments of cached documents
//	missing          sha256 → ""            referenced files not stored when
//	                                        referenced (MissingBlobs re-checks)
//	outbox           u64 position → JSON OutboxEntry    queue order
//	outboxid         ClientMsgID → u64 position
//	status           u64 position → JSON StatusEntry    queue order
//	statusid         ClientStatusID → u64 position
//	audit            u64 sequence → JSON AuditEntry     (NextSequence)
//	text             key → 't' | the text's folded words, space-separated
//	                     | 'f' | why the extraction failed
//	needtext         sk | key → ""          documents with a PDF and no
//	                                        text entry (NeedText)
//	saved            name (NFC) → JSON SavedSearch
//	cases            case id → JSON protocol.Case   the agency's cases, the
//	                                        highest Version seen (work.go)
//	actions          u64 position → JSON ActionEntry  queue order
//	actionid         ClientActionID → u64 position
//
// Folded words are edoc.Fold's output split at spaces (letters and digits
// only, so never "\x00"), each cut to 64 bytes, at most 256 a document,
// taken from the subject, số/ký hiệu, type name, signer's name and the
// names and mã định danh of the sending agency, the issuing agency and
// the recipients. The text's words (SetText) are the same, distinct,
// at most 4096 and 32 KiB a document. A filter token is
// "\x01", a letter and a value without spaces: r register kind, y year,
// t folded type name ("_" for spaces), s the sender's mã định danh, k a
// latest status (one per recipient), d the due date (YYYYMMDD). The
// terms of a words entry (its words and tokens) are in postings, by
// blocks of 1024 ordinals. Find intersects the postings of the query's
// words (every term with the word as prefix), tokens and due dates
// (every d token below the date), then reads the words entries of the
// documents in the intersection, or, when they are many, walks the time
// index newest first keeping those in it, until a page is full; a query
// without words or filters reads words entries newest first.
//
// Version 4 had a search bucket (folded word \x00 key → "", the metadata
// words only) instead of ords, ordkeys and postings; Find read every
// words entry for a rare word.
//
// Version 3 had no cases, actions and actionid buckets.
//
// Version 2 had no text, needtext and saved buckets, and its words
// entries held the folded words only, without the leading space.
//
// Version 1, the first release's schema, had meta (version, cursor),
// docs, outbox, outboxid and audit as above and status keyed by
// ClientStatusID (no queue order), and no index: List and Search read
// every document.
//
// # Migrations
//
// meta/version holds the schema version. Open runs the migrations from
// the stored version up to the current one in one Update: a crash during
// a migration leaves the file as it was. Version 0 is a new file. A file
// whose version is newer than this code is refused (an older Văn Thư Số
// opening a newer cache), not set aside. Migration 2 builds every index
// from docs and turns status into a queue (ordered by QueuedAt).
// Migration 3 makes text, needtext and saved and rewrites every words
// entry with its filter tokens. Migration 4 makes cases, actions and
// actionid. Migration 5 gives every words entry an ordinal, builds the
// postings a block at a time and drops search.
// testdata/cache-v1.db is a version-1 cache made by the fixture generator
// in migrate_test.go (go test ./sync/store/ -run TestMigrateV1Fixture
// -update-fixture), committed, never rewritten by a plain go test.
//
// # Damage
//
// Open checks the file: bbolt must open it, its size must cover the pages
// its meta page names, and, unless PATH.clean says the file is as Close
// left it, every page is walked and bbolt's Tx.Check must pass. Close
// gives the file a modification time no write gives (a random nanosecond
// of the past second) and records it with the size: any later write,
// ours after a crash or another program's, changes it, and the next Open
// checks the whole file (a second or so for 100 000 documents). A change
// that keeps both (a bit flipped by the disk) is not seen at Open. A file that fails is renamed to
// PATH.damaged-<UTC time> and a new cache is made, into which whatever can
// still be read of the unsent outbox entries, status entries and their
// documents is carried (read from a copy of the damaged file, bucket by
// bucket, a panic or memory fault of a corrupt page caught); Recovered
// says what happened. The rest comes back from the server (the cursor
// starts over).
//
// # Documents and versions
//
// Key is the ClientMsgID of a document this client queued, else the
// server's MessageID. A message the server sends twice is one document;
// a ChangeSent of a message this client queued joins its outbox document
// (by ClientMsgID, when the message carries the document that was
// queued). A document whose Business.DocType is update or replace names
// earlier DocumentIDs; Versions lists the chain, limited to documents from
// the same sending agency.
package store
