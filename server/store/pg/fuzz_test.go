package pg

import (
	"errors"
	"strings"
	"testing"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/internal/fuzzguard"
	"github.com/vanthuso/vanthu/internal/pgtest"
	"github.com/vanthuso/vanthu/server/store"
	"github.com/vanthuso/vanthu/sync/protocol"
)

// FuzzHostileKeys: names and keys from anyone (NUL bytes, invalid UTF-8,
// SQL, LIKE patterns, long strings) never panic the store nor reach
// PostgreSQL as anything but a parameter: an agency added under a key is
// read back under it, one refused is not there, and reads of records
// nobody made are ErrNotFound or empty.
func FuzzHostileKeys(f *testing.F) {
	for _, seed := range []string{"", "\x00", "a\x00b", "\xff\xfe", "000.00.00.H41", "'; DROP TABLE agencies; --", "%", "_",
		"a:000.00.00.H41", strings.Repeat("đ", 3000), "\u2028", "$1"} {
		f.Add(seed)
	}
	s := open(f, pgtest.Database(f))
	f.Cleanup(func() { s.Close() })
	f.Fuzz(func(t *testing.T, key string) {
		defer fuzzguard.Watch(t, fuzzguard.Limit, []byte(key))()
		addErr := s.AddAgency(ctx, store.Agency{Code: key, Name: key})
		got, err := s.Agency(ctx, key)
		switch {
		case addErr == nil || errors.Is(addErr, store.ErrConflict):
			if err != nil || got.Code != key {
				t.Fatalf("agency %q added (%v), read back %q, %v", key, addErr, got.Code, err)
			}
		case !errors.Is(err, store.ErrNotFound):
			t.Fatalf("agency %q refused (%v), read: %v", key, addErr, err)
		}
		if _, err := s.Agencies(ctx, key, 2); err != nil {
			t.Fatalf("agencies after %q: %v", key, err)
		}
		if _, err := s.Message(ctx, key); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("message %q: %v", key, err)
		}
		if _, err := s.AppendUpload(ctx, key, 0, []byte("x")); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("upload %q: %v", key, err)
		}
		if _, err := s.Changes(ctx, key, 0, 2); err != nil {
			t.Fatalf("changes of %q: %v", key, err)
		}
		if ms, _, err := s.Messages(ctx, key, store.Inbox, 0, 2); err != nil || len(ms) != 0 {
			t.Fatalf("inbox of %q: %d, %v", key, len(ms), err)
		}
		if rs, err := s.RegisterByKey(ctx, key, edoc.RegisterIncoming, edoc.DuplicateKey(key)); err != nil || len(rs) != 0 {
			t.Fatalf("register lines with key %q: %d, %v", key, len(rs), err)
		}
		if _, err := s.Case(ctx, key, key); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("case %q: %v", key, err)
		}
		if err := s.AppendAudit(ctx, key, protocol.AuditEntry{Action: key}); err == nil {
			if lines, err := s.Audit(ctx, key, 0, 1); err != nil || len(lines) != 1 || lines[0].Action != key {
				t.Fatalf("audit of %q: %+v, %v", key, lines, err)
			}
		}
	})
}
