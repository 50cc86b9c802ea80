package server

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/vanthuso/vanthu/internal/fuzzguard"
	"github.com/vanthuso/vanthu/sync/protocol"
)

// FuzzDecodeCursor: the cursor decoder never panics, accepts only what
// encodeCursor makes (an accepted value re-encodes to itself) and never
// accepts a cursor of another user.
func FuzzDecodeCursor(f *testing.F) {
	m := testMeta()
	f.Add(encodeCursor(m, "u1", position{agency: 7, user: 3, agencyMark: [8]byte{1, 2}}))
	f.Add(encodeCursor(m, "u1", position{}))
	f.Add("")
	f.Add("AQ")
	f.Fuzz(func(t *testing.T, s string) {
		defer fuzzguard.Watch(t, fuzzguard.Limit, []byte(s))()
		p, ok := decodeCursor(m, "u1", s)
		if !ok {
			return
		}
		if again := encodeCursor(m, "u1", p); again != s {
			t.Fatalf("accepted %q, which encodes as %q", s, again)
		}
		if _, ok := decodeCursor(m, "u2", s); ok {
			t.Fatalf("%q accepted for two users", s)
		}
	})
}

// FuzzDecodeRequest: the JSON bodies the server decodes from anyone
// (sign-in, uploads, sends, statuses) never panic the decoder, and the
// fingerprint of what decoded is stable: decoding the canonical form
// again gives the same fingerprint (so a replay is recognised).
func FuzzDecodeRequest(f *testing.F) {
	f.Add(`{"document":{"from":{"organ_id":"000.00.00.H41","organ_name":"UBND"},"to":[{"organ_id":"000.00.00.G22"}],"promulgation_date":"2026-03-05","subject":"Về việc"}}`)
	f.Add(`{"status":"03","description":"x","staff":{"staff":"An"}}`)
	f.Add(`{"sha256":"00","size":-1}`)
	f.Add(`{"challenge_id":"a","certificate":"AAEC","signature":"AQ=="}`)
	f.Add(`{"document":{"promulgation_date":"2026-13-40","due_date":"x"}} {}`)
	f.Add(`{"action":"assign","case_id":"m","lead":{"user_id":"u"},"cooperating":[{"unit":"P"}],"due":"2026-02-30","pages":[1,2]}`)
	f.Fuzz(func(t *testing.T, body string) {
		defer fuzzguard.Watch(t, fuzzguard.Limit, []byte(body))()
		for _, v := range []any{&protocol.SendRequest{}, &protocol.StatusRequest{}, &protocol.UploadRequest{},
			&protocol.SessionRequest{}, &protocol.ChallengeRequest{}, &protocol.ActionRequest{}} {
			if err := decodeBody([]byte(body), v); err != nil {
				continue
			}
			fp, err := fingerprint("k", []string{"id"}, v)
			if err != nil {
				return // a value JSON cannot write back (none of ours)
			}
			canon, _ := json.Marshal(v)
			fresh := newLike(v)
			if err := decodeBody(canon, fresh); err != nil {
				t.Fatalf("canonical form %s does not decode: %v", canon, err)
			}
			if fp2, _ := fingerprint("k", []string{"id"}, fresh); fp2 != fp {
				t.Fatalf("fingerprint changed after a round trip of %s", canon)
			}
		}
	})
}

func newLike(v any) any {
	switch v.(type) {
	case *protocol.SendRequest:
		return &protocol.SendRequest{}
	case *protocol.StatusRequest:
		return &protocol.StatusRequest{}
	case *protocol.UploadRequest:
		return &protocol.UploadRequest{}
	case *protocol.SessionRequest:
		return &protocol.SessionRequest{}
	case *protocol.ActionRequest:
		return &protocol.ActionRequest{}
	}
	return &protocol.ChallengeRequest{}
}

// FuzzAxisSignedHeaders: the reader of XroadVnpt-sign-header never
// panics, and what it accepts is a flat object whose pairs, written
// again as JSON, read back the same (so the HMAC'd text and the headers
// checked are one thing).
func FuzzAxisSignedHeaders(f *testing.F) {
	f.Add(`{"XroadVnpt-systemid":"vts-1","XroadVnpt-from":"000.00.00.H41","XroadVnpt-timestamp":"02122026T155215+0864"}`)
	f.Add(`{}`)
	f.Add(`{"a":1}`)
	f.Add(`{"a":"b","a":"c"}`)
	f.Add(`{"a":"\u0000"} trailing`)
	f.Add(`[{"a":"b"}]`)
	f.Fuzz(func(t *testing.T, s string) {
		defer fuzzguard.Watch(t, fuzzguard.Limit, []byte(s))()
		pairs, err := orderedJSON(s)
		if err != nil {
			return
		}
		var b strings.Builder
		b.WriteString("{")
		for i, kv := range pairs {
			if i > 0 {
				b.WriteString(",")
			}
			k, _ := json.Marshal(kv[0])
			v, _ := json.Marshal(kv[1])
			b.Write(k)
			b.WriteString(":")
			b.Write(v)
		}
		b.WriteString("}")
		again, err := orderedJSON(b.String())
		if err != nil || len(again) != len(pairs) {
			t.Fatalf("%q read as %v, written as %s, read again as %v (%v)", s, pairs, b.String(), again, err)
		}
		for i := range pairs {
			if again[i] != pairs[i] {
				t.Fatalf("pair %d: %v then %v", i, pairs[i], again[i])
			}
		}
	})
}
