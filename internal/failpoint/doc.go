// Package failpoint lets the fault campaign kill a process at a named
// moment (after a blob's fsync, before the outbox commit, after the
// server commits and before it answers …) to prove that a crash there
// loses and duplicates nothing.
//
// Code marks the moments with Hit("name"). Release builds compile Hit to
// nothing: the failpoints exist only in binaries built with
// `-tags failpoints`, where the environment variable VANTHU_FAILPOINTS
// arms them: a comma-separated list of name or name=N (die at the N-th
// hit, default 1). An armed failpoint kills its own process with SIGKILL
// (on Windows: exits at once with status 137), without running deferred
// functions or flushing anything, as a power cut would.
//
// # Names
//
// Names are constants of this package, so that the campaign and the code
// agree on them.
package failpoint

// Names of the failpoints.
const (
	// ClientBlobSynced: the client cache fsynced a blob file, before its
	// rename.
	ClientBlobSynced = "client-blob-synced"
	// ClientBeforeOutboxCommit: a queued document and its outbox entry are
	// written, the transaction not yet committed.
	ClientBeforeOutboxCommit = "client-before-outbox-commit"
	// ClientAfterAnswer: the server answered a send, the client has not
	// recorded the answer.
	ClientAfterAnswer = "client-after-answer"
	// ClientApplyingFeed: inside the transaction that applies feed changes
	// and advances the cursor.
	ClientApplyingFeed = "client-applying-feed"
	// ClientUploadChunk: the server acknowledged an upload chunk, the
	// client has not recorded the offset.
	ClientUploadChunk = "client-upload-chunk"
	// ServerAfterCommit: the server committed a message, before it
	// answers.
	ServerAfterCommit = "server-after-commit"
	// ServerBlobSynced: the server fsynced an upload's data.
	ServerBlobSynced = "server-blob-synced"
)
