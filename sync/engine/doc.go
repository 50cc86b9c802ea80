// Package engine is the sync service loop of the Văn Thư Số client: it
// pushes the outbox and the queued statuses to the server, resumes
// uploads, downloads the files of cached documents, reads the change
// feed and applies it to the cache (sync/store), and tells the UI what
// happens through events.
//
// # Use
//
//	e := engine.New(engine.Config{Store: cache, Client: c})
//	events, cancel := e.Subscribe()
//	go e.Run(ctx)          // until ctx is done
//	cache.Queue(doc, id)   // the user pressed Gửi
//	e.SyncNow()            // go at once
//
// # The loop
//
// One goroutine (Run) owns the engine's state: the backoff, the timer,
// whether a round runs and whether it waits for sign-in. Its timer, "sync
// now" requests, connectivity changes (Config.Connectivity and a watcher
// of the network interfaces), the end of a round and ctx.Done() are cases
// of one select. A round runs on a goroutine of its own, one at a time:
//
//  1. the queued statuses, then the outbox in queue order: each entry's
//     files the server lacks (HEAD) are uploaded in chunks, resuming
//     from the upload id and offset recorded after each chunk; then the
//     send, with the body bytes recorded before the first attempt so that
//     every retry is byte-identical; the answer is recorded with MarkSent;
//  2. the blobs cached documents name and the cache lacks (MissingBlobs)
//     are downloaded into the cache, which keeps only what hashes right;
//  3. the feed is read until it has no more, each answer applied with the
//     cursor in one transaction (Apply); a reset lists both boxes and
//     resyncs them, without duplicates;
//  4. when nothing is pending the round ends in a long poll, which a "sync
//     now" or a connectivity change cuts short; its answer is applied and
//     the next round starts at once.
//
// A failed round is retried after a backoff that doubles from MinBackoff
// to MaxBackoff with jitter (spread over its upper half), at least as long
// as the server asked (Retry-After, Changes.Backoff); a round that ends
// well, a connectivity change and the network coming up reset it. A
// missing or expired session stops the loop until SetSession or SyncNow:
// the UI gets NeedLogin and asks for the PIN.
//
// # Failures
//
// A permanent failure (client.Permanent: the server refused the request
// for good) marks the outbox entry failed, with the code and the server's
// message, and it is never sent again; a file missing from the cache does
// the same (CodeMissingFile). Every other failure is retried. Each failure
// is told as a Failed event with a Reason in Vietnamese and English;
// Explain gives the Reason of a recorded code. Local data is deleted only
// by an explicit ChangeDeleted of the feed (Local has no other way).
//
// # Events
//
// Subscribe gives a receive-only channel of State, Progress, Sent,
// Failed, Received and NeedLogin events, each published after the cache
// committed what it reports. A slow subscriber never blocks the loop: its
// queued State and Progress events are coalesced, no other is dropped.
//
// # Crashes
//
// A crash (or kill -9) at any point loses nothing and duplicates nothing:
// an upload resumes from the server's offset (failpoint.ClientUploadChunk
// sits between the server's acknowledgement and the record of the
// offset), a send whose answer was not recorded is sent again with the
// same id and bytes, which the server answers as the first time
// (failpoint.ClientAfterAnswer sits between the answer and MarkSent), and
// feed changes applied without their cursor are applied again, which the
// cache makes harmless.
package engine
