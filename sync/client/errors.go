package client

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/vanthuso/vanthu/sync/protocol"
)

// Permanent reports whether err can never succeed by sending the same
// request again: the outbox marks such an entry failed and does not retry
// it (STYLE.md 10). Permanent: the server's 4xx refusals
// (idempotency_conflict, unknown_recipient, forbidden, not_found,
// too_large, bad_request, unsupported_version, …) unless the server set
// Retryable. Not permanent: 5xx, 408, 429, in_flight, rate_limited,
// unavailable, the upload codes that the next attempt repairs
// (wrong_offset, chunk_checksum, hash_mismatch), missing_blobs (upload,
// then send again), network errors, timeouts, resets, cancellation, and
// the sign-in codes (NeedLogin). An error that is not the server's is
// not permanent either: the caller decides about its own failures.
func Permanent(err error) bool {
	var pe *protocol.Error
	if !errors.As(err, &pe) {
		return false
	}
	if pe.Retryable || NeedLogin(err) {
		return false
	}
	switch pe.Code {
	case protocol.CodeInFlight, protocol.CodeRateLimited, protocol.CodeUnavailable, protocol.CodeInternal,
		protocol.CodeWrongOffset, protocol.CodeChunkChecksum, protocol.CodeHashMismatch, protocol.CodeMissingBlobs:
		return false
	}
	if pe.Status >= 500 || pe.Status == http.StatusTooManyRequests || pe.Status == http.StatusRequestTimeout {
		return false
	}
	return pe.Status >= 400 || pe.Status == 0
}

// NeedLogin reports whether err means the session is missing or expired:
// the user signs in again (the token's PIN), then the request can be
// retried. It is neither permanent nor worth retrying before that.
func NeedLogin(err error) bool {
	var pe *protocol.Error
	if !errors.As(err, &pe) {
		return errors.Is(err, ErrNotSignedIn)
	}
	return pe.Code == protocol.CodeSessionExpired || pe.Code == protocol.CodeUnauthenticated
}

// ErrNotSignedIn is returned, without a request, by calls that need a
// session when the client has none. NeedLogin reports it.
var ErrNotSignedIn = errors.New("not signed in")

// RetryAfter is how long the server asked to wait before trying again
// (Error.RetryAfter or the Retry-After header), 0 when it did not say.
func RetryAfter(err error) time.Duration {
	var pe *protocol.Error
	if errors.As(err, &pe) && pe.RetryAfter > 0 {
		return time.Duration(pe.RetryAfter) * time.Second
	}
	return 0
}

// Code is the server's error code in err, "" when err is not an answer
// of the server (a network error, a local one).
func Code(err error) string {
	var pe *protocol.Error
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// Offline reports whether err looks like the server could not be reached
// or did not answer: no answer at all (a refused or reset connection, a
// DNS failure, a timeout, a proxy that failed), as opposed to an answer
// that refused. Cancellation by the caller is not offline.
func Offline(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, ErrNotSignedIn) || errors.Is(err, ErrBadAnswer) {
		return false
	}
	var pe *protocol.Error
	if errors.As(err, &pe) {
		return pe.Code == protocol.CodeUnavailable && pe.Status >= 502 && pe.Status <= 504
	}
	return true
}
