package client

import (
	"net/http"
	"testing"

	"github.com/vanthuso/vanthu/internal/fuzzguard"
	"github.com/vanthuso/vanthu/sync/protocol"
)

// FuzzDecodeAnswer feeds server answers (untrusted: a hostile server or
// a proxy's page) to the decoders: they never panic, an error answer
// always becomes a *protocol.Error with its status and a code, and
// Permanent, NeedLogin and RetryAfter agree with each other.
func FuzzDecodeAnswer(f *testing.F) {
	f.Add(409, []byte(`{"error":{"code":"idempotency_conflict","message":"x"}}`), "")
	f.Add(429, []byte(`{"error":{"code":"rate_limited","retry_after":-5}}`), "12")
	f.Add(401, []byte(`{"error":{"code":"session_expired"}}`), "")
	f.Add(502, []byte(`<html>Bad Gateway</html>`), "x")
	f.Add(200, []byte(`{"changes":[{"kind":"received","message":{"id":"m","document":{"promulgation_date":"2020-01-05"}}}],"cursor":"c","more":true}`), "")
	f.Add(200, []byte(`{"id":"u","offset":-1,"max_chunk":99999999999}`), "")
	f.Fuzz(func(t *testing.T, status int, body []byte, retryAfter string) {
		defer fuzzguard.Watch(t, fuzzguard.Limit, status, body, retryAfter)()
		status = 400 + (status%200+200)%200
		h := http.Header{}
		h.Set("Retry-After", retryAfter)
		e := decodeError(status, h, body)
		if e == nil || e.Status != status || e.Code == "" {
			t.Fatalf("decodeError(%d, %q) = %+v", status, body, e)
		}
		if e.RetryAfter < 0 {
			t.Fatalf("negative RetryAfter %d", e.RetryAfter)
		}
		if Permanent(e) && (NeedLogin(e) || e.Retryable) {
			t.Fatalf("%+v is permanent and retryable or a sign-in", e)
		}
		var ch protocol.Changes
		_ = decodeAnswer(body, &ch)
		var up protocol.Upload
		_ = decodeAnswer(body, &up)
		var page protocol.MessagePage
		_ = decodeAnswer(body, &page)
		var sa protocol.SendAnswer
		_ = decodeAnswer(body, &sa)
	})
}
