package pg

import (
	"fmt"
	"io"
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
	b.Run("parallel", func(b *testing.B) {
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
