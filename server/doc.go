// Package server is the reference central server of Văn Thư Số: the sync
// API of sync/protocol as an http.Handler (New), the data directory's
// set-up (Init) and the serving loop with TLS and graceful shutdown
// (Run), used by cmd/vanthu-server. Storage is server/store; the default
// is server/store/bolt.
//
// # Endpoints
//
// Exactly those of sync/protocol's package doc, plus two for an agency's
// quản trị:
//
//	GET  /v1/admin/users                → AdminUsers (the caller's agency only)
//	POST /v1/admin/users/{id}/disable   → 204 (a user of the caller's agency)
//
// and two for operations, without the protocol header or a session
// (metrics.go):
//
//	GET /healthz   → 200 {"status":"ok"} when the store answers, else 503
//	GET /metrics   → Prometheus text: requests, latency, store operations,
//	                 feed lag, long polls waiting (loopback, or
//	                 Config.MetricsToken as a bearer token)
//
// and the exchange axis API of the published SDK under /axis/
// (sendEdoc, getReceivedEdocList, getEdoc, updateStatus,
// getSentEdocList, getAgenciesList; HMAC'd headers, axis.go), for
// agencies' own document systems.
//
// Every request is logged (method, route pattern, status, milliseconds):
// route patterns, never paths; log lines carry opaque ids and agency
// codes, never names, e-mail addresses, tokens or document content.
//
// Every other answer carries Vanthu-Protocol: 1; a request without it, or with
// another version, is CodeUnsupportedVersion. Every failure, unknown paths
// (404) and methods (405) and panics (500, logged with the stack)
// included, is a protocol.ErrorBody. JSON bodies are limited to
// Config.MaxBody, chunks to Config.MaxChunk, files to Config.MaxBlob
// (CodeTooLarge); a JSON body must arrive within a minute, a chunk within
// ten.
//
// # Sign-in
//
// POST /v1/auth/challenge gives a challenge only for the certificate of
// an enabled user, valid now (else CodeUnknownCertificate, the same for
// an unknown and a disabled user). POST /v1/auth/session takes the
// challenge out of the store first, so it is used up whether or not the
// signature verifies: a replayed or second answer is CodeChallengeUsed.
// The signature is over SHA-256(Challenge.SignedBytes(cert sha256)) with
// the certificate's RSA (PKCS#1 v1.5) or ECDSA key; the certificate must
// be the one the challenge was made for. The session token is 32 random
// bytes; the store keeps only its SHA-256. A session ends at its expiry
// (CodeSessionExpired), at sign-out, or when its user is disabled.
// Challenges name Config.Name, never the request's Host.
//
// # Roles
//
// Who may do what; every rule is tested both ways:
//
//	sign in, /v1/me, directory, changes,     any enabled user
//	read messages and blobs of the agency,
//	the agency's cases and registers
//	PUT /v1/messages                         văn thư, lãnh đạo
//	uploads                                  văn thư, lãnh đạo, chuyên viên
//	status 01 (automatic)                    văn thư
//	register (03), return (02),              văn thư
//	withdraw (15), number, issue, copy
//	present                                  văn thư (incoming); anyone (a draft)
//	assign (04)                              lãnh đạo
//	progress (05)                            lãnh đạo, the case's assignees
//	done (06)                                lãnh đạo, the case's lead assignee
//	draft, note                              any user of the agency
//	approve, reject                          the lãnh đạo the draft is presented to
//	status 13 (the sender), 16               văn thư, lãnh đạo
//	/v1/audit, /v1/admin/…                   quản trị, of the same agency
//
// Statuses 01–06, 15 and 16 come from a recipient of the message, 13
// from its sender; transitions follow edoc.Progress (refusals need a
// reason). The statuses that stand for the agency's work are sent by
// its actions (PUT /v1/work, work.go) in the same transaction as the
// case, the register line and the audit line: a status 02, 03 or 15
// reported alone is the action return, register or withdraw; 04–06
// alone are refused (an assignment needs its assignee). Numbers (số
// đến, số văn bản, số bản sao) are taken inside that transaction, per
// agency, register and year in Vietnam time, so that concurrent clerks
// and clients that queued their actions offline never get the same
// one. Cases, registers and the audit trail are read with the caller's
// agency only: another agency gets CodeNotFound or an empty list.
// Agencies and users are added by the operator with
// `vanthu-server admin` (cmd/vanthu-server), not over HTTP.
//
// # Visibility
//
// A message is seen by its sender and its recipients only; anyone else
// gets CodeNotFound, as for a message that does not exist. A recipient
// sees its own delivery and statuses and the sender's, not the other
// recipients'. A blob is seen (HEAD, GET) by the agency that uploaded it
// and by the sender and recipients of a message naming it; anyone else
// gets 404, the same as for a missing blob, so HEAD is no existence
// oracle. An agency that has the same file as another uploads it in full
// (POST /v1/uploads answers a new upload, as for a missing blob): the
// bytes are checked against the hash, stored once, and the blob becomes
// visible to it; proving possession costs the upload, and nothing about
// other agencies' files leaks. The directory is public data only (code,
// name, parent, e-mail); users and their certificates are shown only to
// the agency's quản trị.
//
// # Sending
//
// PUT /v1/messages/{clientMsgId}: the document passes edoc's Validate;
// From must be the sender's own agency (CodeForbidden otherwise, logged);
// every recipient must be in the directory (CodeUnknownRecipient with
// Missing) and every attachment a blob the sender may see, of the size
// given (CodeMissingBlobs with Missing). Every PDF attachment is verified
// with signing/verify (Config's anchors, intermediates and revocation
// policy) and the report kept with the message. One transaction then
// writes the message, its deliveries, an automatic 01 from each recipient,
// the feed events (sent and a status per recipient to the sender's feed,
// received to each recipient's) and the idempotency record; after the
// commit the failpoint server-after-commit, then the answer.
//
// # Idempotency
//
// A client id is scoped to the sender's agency. The record holds the
// fingerprint of the request (SHA-256 of the kind, the path's ids and
// the canonical JSON of the decoded body), the HTTP status and the answer
// bytes. A request whose id is recorded is answered from the record: the
// same fingerprint gets the first answer byte for byte, status included;
// another gets CodeIdempotencyConflict. Requests under one id wait for
// each other in the process (up to Config.KeyWait, then CodeInFlight,
// retryable), and the store's commit checks the record again in its
// transaction, so concurrent duplicates make one message, across
// processes too. Only accepted requests are recorded: a refusal may be
// retried after the cause is fixed. Statuses follow the same rules.
//
// # The change feed
//
// Each agency and each user has a feed whose sequence the store takes
// inside the commit, so a feed's order is commit order and a reader never
// skips an event that commits late. GET /v1/changes reads after the
// cursor; when nothing is there it waits (long poll) up to wait seconds,
// at most Config.MaxWait, shortened by up to a fifth at random so that
// clients spread out, and answers at once when a commit wakes it. An
// answer carries at most Config.FeedLimit changes and More when there are
// others. The cursor is base64url of a version byte, the store's epoch,
// the two positions and a fingerprint of the event at each, with an HMAC
// (the store's cursor key) over them and the user's id: a cursor of
// another server or store, of another user, damaged, forged, ahead of the
// feed, or naming a position now held by another event (a store restored
// from a backup counts up again from the backup's head) answers Reset
// with the current head; a client cannot make one pointing elsewhere. The
// cursor an answer gives is never behind the one it was given. Today
// every event concerns an agency; user feeds are read (and in the
// cursor) but nothing writes to them yet: assignments to one person will.
//
// # Storage
//
// Everything goes through store.Store; see server/store for the
// guarantees each method gives and server/store/bolt for the default
// layout on disk.
package server
