package bolt

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/vanthuso/vanthu/server/store"
	"github.com/vanthuso/vanthu/server/store/storetest"
	"github.com/vanthuso/vanthu/sync/protocol"
)

func TestSuite(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := Open(t.TempDir(), Options{})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func open(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(dir, Options{Timeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestLocked: a second process (here: a second Open) is told the store is
// in use instead of hanging.
func TestLocked(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	defer s.Close()
	if _, err := Open(dir, Options{Timeout: 50 * time.Millisecond}); !errors.Is(err, ErrLocked) {
		t.Fatalf("second open: %v, want ErrLocked", err)
	}
}

// TestReopen: what was written is there after a reopen, meta included,
// and the file mode is 0600.
func TestReopen(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s := open(t, dir)
	meta, _ := s.Meta(ctx)
	if err := s.AddAgency(ctx, store.Agency{Code: "000.00.00.H41", Name: "UBND"}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = open(t, dir)
	defer s.Close()
	again, _ := s.Meta(ctx)
	if string(again.Epoch) != string(meta.Epoch) || string(again.CursorKey) != string(meta.CursorKey) {
		t.Fatal("meta changed on reopen")
	}
	if _, err := s.Agency(ctx, "000.00.00.H41"); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, "server.db"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("database mode %v, want 0600", fi.Mode().Perm())
	}
	if err := s.DB().View(func(tx *bbolt.Tx) error {
		for err := range tx.Check() {
			return err
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// TestNewerSchemaRefused: a file from a newer server is not touched.
func TestNewerSchemaRefused(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	if err := s.DB().Update(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keyVersion, u64(schemaVersion+1))
	}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Open(dir, Options{}); err == nil {
		t.Fatal("opened a store of a newer schema")
	}
}

// TestTempFilesRemoved: temporary files a crash left are gone after Open.
func TestTempFilesRemoved(t *testing.T) {
	dir := t.TempDir()
	open(t, dir).Close()
	tmp := filepath.Join(dir, "blobs", "ab", "abcd.tmp")
	os.MkdirAll(filepath.Dir(tmp), 0o700)
	if err := os.WriteFile(tmp, []byte("half"), 0o600); err != nil {
		t.Fatal(err)
	}
	open(t, dir).Close()
	if _, err := os.Stat(tmp); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("temp file kept: %v", err)
	}
}

// TestCompletionAfterCrash: the server died after renaming a checked
// upload into place and before committing it: starting the upload again
// commits the blob without asking for its bytes.
func TestCompletionAfterCrash(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s := open(t, dir)
	defer s.Close()
	if err := s.AddAgency(ctx, store.Agency{Code: "000.00.00.H41"}); err != nil {
		t.Fatal(err)
	}
	data := []byte("the whole file")
	sum := sha256.Sum256(data)
	sha := hex.EncodeToString(sum[:])
	u, err := s.StartUpload(ctx, store.Upload{ID: "up1", Agency: "000.00.00.H41", SHA256: sha, Size: int64(len(data))})
	if err != nil {
		t.Fatal(err)
	}
	// Simulate: chunk written and offset recorded, part renamed to the
	// blob, then the crash.
	if err := s.writeChunk(u, 0, data); err != nil {
		t.Fatal(err)
	}
	if err := s.DB().Update(func(tx *bbolt.Tx) error {
		u.Offset = u.Size
		return put(tx.Bucket(bucketUploads), []byte(u.ID), u)
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.place(s.partPath(u.ID), s.blobPath(sha), u.Size); err != nil {
		t.Fatal(err)
	}
	got, err := s.StartUpload(ctx, store.Upload{ID: "up2", Agency: "000.00.00.H41", SHA256: sha, Size: int64(len(data))})
	if err != nil {
		t.Fatal(err)
	}
	if !got.Complete {
		t.Fatalf("upload after the crash: %+v, want Complete", got)
	}
	if _, err := s.Blob(ctx, sha, "000.00.00.H41"); err != nil {
		t.Fatal(err)
	}
}

// TestMigrateV1: a store of schema 1 (issue 8's server, before the
// agencies' own records) opens as schema 2 with what it held, and takes
// work commits.
func TestMigrateV1(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	ctx := context.Background()
	if err := s.AddAgency(ctx, store.Agency{Code: "000.00.00.H41", Name: "UBND"}); err != nil {
		t.Fatal(err)
	}
	if err := s.DB().Update(func(tx *bbolt.Tx) error {
		for _, b := range [][]byte{bucketCases, bucketRegisters, bucketRegKeys, bucketAudit} {
			if err := tx.DeleteBucket(b); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketMeta).Put(keyVersion, u64(1))
	}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = open(t, dir)
	defer s.Close()
	if _, err := s.Agency(ctx, "000.00.00.H41"); err != nil {
		t.Fatalf("the agency did not survive the migration: %v", err)
	}
	if err := s.AppendAudit(ctx, "000.00.00.H41", protocol.AuditEntry{Action: "read"}); err != nil {
		t.Fatalf("audit after the migration: %v", err)
	}
	if err := s.DB().View(func(tx *bbolt.Tx) error {
		if v := tx.Bucket(bucketMeta).Get(keyVersion); !bytes.Equal(v, u64(schemaVersion)) {
			return fmt.Errorf("version %x after the migration", v)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
