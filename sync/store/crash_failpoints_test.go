//go:build failpoints

package store

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vanthuso/vanthu/internal/failpoint"
)

// TestKillAtFailpoints kills the writing child at each named client
// failpoint of the cache (its first, third and eighth hit): the write it
// was in is not acknowledged and, where the failpoint is before the
// commit, not there; everything acknowledged is.
func TestKillAtFailpoints(t *testing.T) {
	seed := crashSeed(t)
	for _, fp := range []string{failpoint.ClientBlobSynced, failpoint.ClientBeforeOutboxCommit, failpoint.ClientApplyingFeed} {
		for _, hit := range []int{1, 3, 8} {
			t.Run(fmt.Sprintf("%s=%d", fp, hit), func(t *testing.T) {
				path := filepath.Join(t.TempDir(), "cache.db")
				a := newAcked()
				lines := crashRun(t, path, seed, 0, fmt.Sprintf("VANTHU_FAILPOINTS=%s=%d", fp, hit))
				for _, l := range lines {
					a.add(l)
				}
				last := lines[len(lines)-1]
				f := strings.Fields(last)
				if len(f) < 2 || f[0] != "try" {
					t.Fatalf("the child died after %q, not inside a write", last)
				}
				want := map[string]string{failpoint.ClientBlobSynced: "blob", failpoint.ClientBeforeOutboxCommit: "queue", failpoint.ClientApplyingFeed: "apply"}[fp]
				if f[1] != want {
					t.Fatalf("the child died in %q, want a %s", last, want)
				}
				if fp == failpoint.ClientBlobSynced {
					// The synced temporary file is there until Open.
					if tmp, _ := filepath.Glob(filepath.Join(path+".blobs", tmpPrefix+"*")); len(tmp) != 1 {
						t.Fatalf("temporary files before open: %v", tmp)
					}
				}
				a.verify(t, path, map[string]bool{})
				s, err := Open(path, Options{})
				if err != nil {
					t.Fatal(err)
				}
				defer s.Close()
				switch fp {
				case failpoint.ClientBeforeOutboxCommit:
					if _, err := s.Get(f[2]); err == nil {
						t.Fatalf("the queue the child died in, %s, was committed", f[2])
					}
					if _, err := s.OutboxEntry(f[2]); err == nil {
						t.Fatalf("the outbox entry the child died in, %s, was committed", f[2])
					}
				case failpoint.ClientApplyingFeed:
					if c, _ := s.Cursor(); c != a.cursor {
						t.Fatalf("cursor %q after dying while applying %s; the last acknowledged is %q", c, f[2], a.cursor)
					}
				}
			})
		}
	}
}
