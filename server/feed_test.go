package server

import (
	"encoding/base64"
	"sync"
	"testing"

	"github.com/vanthuso/vanthu/server/servertest"
	"github.com/vanthuso/vanthu/server/store"
	"github.com/vanthuso/vanthu/sync/protocol"
)

func testMeta() store.Meta {
	return store.Meta{Epoch: []byte("0123456789abcdef"), CursorKey: []byte("0123456789abcdef0123456789abcdef")}
}

// TestCursor: a cursor reads back only for its user, epoch and key, and
// no change of a byte passes.
func TestCursor(t *testing.T) {
	m := testMeta()
	c := encodeCursor(m, "u1", position{agency: 7, user: 3, agencyMark: [8]byte{1, 2}})
	if p, ok := decodeCursor(m, "u1", c); !ok || p != (position{agency: 7, user: 3, agencyMark: [8]byte{1, 2}}) {
		t.Fatalf("round trip: %+v %v", p, ok)
	}
	if _, ok := decodeCursor(m, "u2", c); ok {
		t.Fatal("another user's cursor accepted")
	}
	other := testMeta()
	other.Epoch = []byte("fedcba9876543210")
	if _, ok := decodeCursor(other, "u1", c); ok {
		t.Fatal("a cursor of another epoch accepted")
	}
	other = testMeta()
	other.CursorKey = []byte("another key of thirty-two bytes!")
	if _, ok := decodeCursor(other, "u1", c); ok {
		t.Fatal("a cursor signed with another key accepted")
	}
	raw, _ := base64.RawURLEncoding.DecodeString(c)
	for i := range raw {
		for _, bit := range []byte{1, 0x80} {
			b := append([]byte(nil), raw...)
			b[i] ^= bit
			if _, ok := decodeCursor(m, "u1", base64.RawURLEncoding.EncodeToString(b)); ok {
				t.Fatalf("a cursor with byte %d changed was accepted", i)
			}
		}
	}
	for _, bad := range []string{"", "x", c + "A", c[:len(c)-1], "!!!!", base64.RawURLEncoding.EncodeToString(make([]byte, cursorLen))} {
		if _, ok := decodeCursor(m, "u1", bad); ok {
			t.Fatalf("cursor %q accepted", bad)
		}
	}
}

// TestFeedReset: garbage, a forged position, another user's cursor and
// another server's cursor answer Reset with the head; the client then
// continues from there and misses nothing new.
func TestFeedReset(t *testing.T) {
	e := newEnv(t, nil)
	a := e.user(agencyA, protocol.RoleClerk)
	b := e.user(agencyB, protocol.RoleClerk)
	b2 := e.user(agencyB, protocol.RoleClerk)
	e.sent(a, agencyA, []byte("một "+protocol.NewClientID()), agencyB)
	e.sent(a, agencyA, []byte("hai "+protocol.NewClientID()), agencyB)
	first := b.Changes("", 0)
	if len(first.Changes) != 2 || first.Reset {
		t.Fatalf("from the start: %+v", first)
	}
	otherServer := newEnv(t, nil)
	ob := otherServer.user(agencyB, protocol.RoleClerk)
	foreign := ob.Changes("", 0).Cursor
	for name, cur := range map[string]string{
		"garbage":         "bm90IGEgY3Vyc29y",
		"another user's":  b2.Changes("", 0).Cursor,
		"another store's": foreign,
		"forged ahead":    encodeCursor(e.srv.meta, "nobody", position{agency: 1 << 40}),
	} {
		ch := b.Changes(cur, 0)
		if !ch.Reset || len(ch.Changes) != 0 {
			t.Fatalf("%s cursor: %+v, want Reset", name, ch)
		}
		p, ok := decodeCursor(e.srv.meta, mustMe(t, b), ch.Cursor)
		if !ok || p.agency != 2 {
			t.Fatalf("%s cursor: reset cursor at %+v, want the head 2", name, p)
		}
	}
	reset := b.Changes("garbage", 0)
	e.sent(a, agencyA, []byte("ba "+protocol.NewClientID()), agencyB)
	next := b.Changes(reset.Cursor, 0)
	if len(next.Changes) != 1 || next.Changes[0].Kind != protocol.ChangeReceived || next.Reset {
		t.Fatalf("after the reset: %+v", next)
	}
}

func mustMe(t *testing.T, c *servertest.Client) string {
	var me protocol.Me
	c.Do("GET", "/v1/me", nil, nil).Want(t, 200).Decode(t, &me)
	return me.User.ID
}

// TestFeedLongPoll: a poll at the head waits, and a commit wakes it with
// the change; a poll without wait answers at once; More splits a long
// backlog without losing or repeating anything.
func TestFeedLongPoll(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.FeedLimit = 3 })
	a := e.user(agencyA, protocol.RoleClerk)
	b := e.user(agencyB, protocol.RoleClerk)
	head := b.Changes("", 0)
	if len(head.Changes) != 0 || head.More {
		t.Fatalf("empty feed: %+v", head)
	}
	var wg sync.WaitGroup
	var got protocol.Changes
	wg.Add(1)
	go func() {
		defer wg.Done()
		got = b.Changes(head.Cursor, 25) // longer than the test's MaxWait: clamped
	}()
	ans := e.sent(a, agencyA, []byte("thư "+protocol.NewClientID()), agencyB)
	wg.Wait()
	if len(got.Changes) == 0 {
		// The poll may have timed out (MaxWait, 5 s) before the commit on
		// a loaded machine; the change must then be there now.
		got = b.Changes(head.Cursor, 0)
	}
	if len(got.Changes) != 1 || got.Changes[0].MessageID != ans.MessageID || got.Changes[0].Message == nil {
		t.Fatalf("long poll: %+v", got)
	}
	for i := 0; i < 7; i++ {
		e.sent(a, agencyA, []byte("lô "+protocol.NewClientID()), agencyB)
	}
	cur := got.Cursor
	seen := map[string]bool{}
	pages := 0
	for {
		ch := b.Changes(cur, 0)
		pages++
		if len(ch.Changes) > 3 {
			t.Fatalf("%d changes in one answer, limit 3", len(ch.Changes))
		}
		for _, c := range ch.Changes {
			if seen[c.MessageID] {
				t.Fatalf("message %s twice", c.MessageID)
			}
			seen[c.MessageID] = true
		}
		cur = ch.Cursor
		if !ch.More {
			break
		}
	}
	if len(seen) != 7 || pages != 3 {
		t.Fatalf("%d messages in %d pages, want 7 in 3", len(seen), pages)
	}
}
