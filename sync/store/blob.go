package store

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"

	"github.com/vanthuso/vanthu/internal/failpoint"
)

// ValidSHA256 reports whether s can name a blob: 64 lower-case hex
// characters. Nothing else ever becomes a path.
func ValidSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// BlobPath is where the blob named sha is (or would be) stored; "" for a
// name that is not a valid SHA-256.
func (s *Store) BlobPath(sha string) string {
	if !ValidSHA256(sha) {
		return ""
	}
	return filepath.Join(s.blobDir, sha[:2], sha[2:])
}

// HasBlob reports whether the blob named sha is stored.
func (s *Store) HasBlob(sha string) bool {
	p := s.BlobPath(sha)
	if p == "" {
		return false
	}
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

// OpenBlob opens the blob named sha for reading; the caller closes it.
// ErrNotFound when it is not stored or sha is not a valid name.
func (s *Store) OpenBlob(sha string) (*os.File, error) {
	p := s.BlobPath(sha)
	if p == "" {
		return nil, fmt.Errorf("open blob %q: not a sha-256: %w", sha, ErrNotFound)
	}
	f, err := os.Open(p)
	if os.IsNotExist(err) {
		return nil, fmt.Errorf("open blob %s: %w", sha, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("open blob: %w", err)
	}
	return f, nil
}

// PutBlob stores what r yields and returns its SHA-256 (lower-case hex)
// and size. On any error nothing is kept.
func (s *Store) PutBlob(r io.Reader) (sha string, size int64, err error) {
	return s.putBlob(r, "")
}

// PutBlobExpect stores what r yields if its SHA-256 is sha, and returns
// its size. ErrHashMismatch when it is not: nothing is kept.
func (s *Store) PutBlobExpect(r io.Reader, sha string) (size int64, err error) {
	if !ValidSHA256(sha) {
		return 0, fmt.Errorf("put blob %q: not a sha-256: %w", sha, ErrHashMismatch)
	}
	_, size, err = s.putBlob(r, sha)
	return size, err
}

func (s *Store) putBlob(r io.Reader, want string) (sha string, size int64, err error) {
	f, err := os.CreateTemp(s.blobDir, tmpPrefix+"*")
	if err != nil {
		return "", 0, fmt.Errorf("put blob: %w", err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	h := sha256.New()
	size, err = io.Copy(io.MultiWriter(f, h), r)
	if err != nil {
		return "", 0, fmt.Errorf("put blob: %w", err)
	}
	sha = hex.EncodeToString(h.Sum(nil))
	if want != "" && sha != want {
		return "", 0, fmt.Errorf("put blob %s: the bytes read hash to %s: %w", want, sha, ErrHashMismatch)
	}
	if err = f.Sync(); err != nil {
		return "", 0, fmt.Errorf("put blob: %w", err)
	}
	if err = f.Close(); err != nil {
		return "", 0, fmt.Errorf("put blob: %w", err)
	}
	failpoint.Hit(failpoint.ClientBlobSynced)
	dir := filepath.Join(s.blobDir, sha[:2])
	if _, statErr := os.Stat(dir); os.IsNotExist(statErr) {
		if err = os.Mkdir(dir, 0o700); err != nil && !os.IsExist(err) {
			return "", 0, fmt.Errorf("put blob: %w", err)
		}
		if err = syncDir(s.blobDir); err != nil {
			return "", 0, fmt.Errorf("put blob: %w", err)
		}
	}
	if err = os.Rename(tmp, filepath.Join(dir, sha[2:])); err != nil {
		return "", 0, fmt.Errorf("put blob: %w", err)
	}
	if err = syncDir(dir); err != nil {
		return "", 0, fmt.Errorf("put blob: %w", err)
	}
	if err = s.forgetMissing(sha); err != nil {
		return "", 0, fmt.Errorf("put blob: %w", err)
	}
	return sha, size, nil
}

// forgetMissing drops sha from the missing files, if it is there.
func (s *Store) forgetMissing(sha string) error {
	var listed bool
	s.db.View(func(tx *bolt.Tx) error {
		listed = tx.Bucket(bucketMissing).Get([]byte(sha)) != nil
		return nil
	})
	if !listed {
		return nil
	}
	return s.update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMissing).Delete([]byte(sha)) })
}
