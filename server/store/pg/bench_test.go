package pg

import (
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"testing"

	"github.com/vanthuso/vanthu/internal/pgtest"
	"github.com/vanthuso/vanthu/server/store"
)

// BenchmarkCommitSend: sends from A to B, one at a time and from
// parallel clients, on the test server (fsync off: the figures are the
// store's, not the disk's).
func BenchmarkCommitSend(b *testing.B) {
	s := open(b, pgtest.Database(b))
	defer s.Close()
	for _, code := range []string{agencyA, agencyB} {
		if err := s.AddAgency(ctx, store.Agency{Code: code}); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("serial", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := s.CommitSend(ctx, send(agencyA, agencyB)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel-distinct", func(b *testing.B) {
		// Each client sends between its own two agencies: no counter row
		// is shared, so the commits do not wait for one another.
		var next atomic.Int64
		b.SetParallelism(4)
		b.RunParallel(func(pb *testing.PB) {
			n := next.Add(1)
			from, to := fmt.Sprintf("000.00.%02d.A01", n), fmt.Sprintf("000.00.%02d.B01", n)
			for _, code := range []string{from, to} {
				if err := s.AddAgency(ctx, store.Agency{Code: code}); err != nil && !errors.Is(err, store.ErrConflict) {
					b.Error(err)
					return
				}
			}
			for pb.Next() {
				if _, _, err := s.CommitSend(ctx, send(from, to)); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	b.Run("parallel-one-recipient", func(b *testing.B) {
		b.SetParallelism(4)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, _, err := s.CommitSend(ctx, send(agencyA, agencyB)); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// BenchmarkBlob: uploading a 16 MiB file in 4 MiB chunks (the hash check
// and the copy into blob rows included) and reading it back through
// OpenBlob; B/op shows what a read allocates (one chunk row at a time).
func BenchmarkBlob(b *testing.B) {
	s := open(b, pgtest.Database(b))
	defer s.Close()
	if err := s.AddAgency(ctx, store.Agency{Code: agencyA}); err != nil {
		b.Fatal(err)
	}
	data := make([]byte, 16<<20)
	for i := range data {
		data[i] = byte(i * 7)
	}
	sha := sha256Hex(data)
	b.Run("upload", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		n := 0
		for b.Loop() {
			n++
			agency := fmt.Sprintf("up-%d", n) // a new agency each time: a real upload, not a dedup
			if err := s.AddAgency(ctx, store.Agency{Code: agency}); err != nil {
				b.Fatal(err)
			}
			upload(b, s, agency, sha, data)
		}
	})
	b.Run("read", func(b *testing.B) {
		upload(b, s, agencyA, sha, data)
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			r, err := s.OpenBlob(ctx, sha)
			if err != nil {
				b.Fatal(err)
			}
			if n, err := io.Copy(io.Discard, r); err != nil || n != int64(len(data)) {
				b.Fatalf("read %d: %v", n, err)
			}
			r.Close()
		}
	})
}

// upload uploads data for agency in 4 MiB chunks.
func upload(b *testing.B, s *Store, agency, sha string, data []byte) {
	u, err := s.StartUpload(ctx, store.Upload{ID: agency, Agency: agency, SHA256: sha, Size: int64(len(data))})
	if err != nil {
		b.Fatal(err)
	}
	for !u.Complete {
		end := min(u.Offset+4<<20, int64(len(data)))
		if u, err = s.AppendUpload(ctx, u.ID, u.Offset, data[u.Offset:end]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWakeOtherReplica: a long poll blocked on one replica, a send
// through another, the poll returning: commit, NOTIFY, the listener's
// wake-up and the poll's read of the heads.
func BenchmarkWakeOtherReplica(b *testing.B) {
	url := pgtest.Database(b)
	one, two := open(b, url), open(b, url)
	defer one.Close()
	defer two.Close()
	for _, code := range []string{agencyA, agencyB} {
		if err := one.AddAgency(ctx, store.Agency{Code: code}); err != nil {
			b.Fatal(err)
		}
	}
	feed := store.AgencyFeed(agencyB)
	blocked := make(chan struct{}, 1)
	two.waitBlocked = func() {
		select {
		case blocked <- struct{}{}:
		default:
		}
	}
	for b.Loop() {
		head, err := two.FeedHead(ctx, feed)
		if err != nil {
			b.Fatal(err)
		}
		woke := make(chan error, 1)
		go func() { woke <- two.WaitChange(ctx, []string{feed}, []uint64{head}) }()
		<-blocked
		if _, _, err := one.CommitSend(ctx, send(agencyA, agencyB)); err != nil {
			b.Fatal(err)
		}
		if err := <-woke; err != nil {
			b.Fatal(err)
		}
	}
}
