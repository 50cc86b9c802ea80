package bolt

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	bbolt "go.etcd.io/bbolt"

	"github.com/vanthuso/vanthu/internal/failpoint"
	"github.com/vanthuso/vanthu/server/store"
)

func (s *Store) blobPath(sha string) string {
	return filepath.Join(s.dir, "blobs", sha[:2], sha)
}

func (s *Store) partPath(id string) string {
	return filepath.Join(s.dir, "uploads", id+".part")
}

func (s *Store) lockUpload(id string) func() {
	h := fnv.New32a()
	h.Write([]byte(id))
	m := &s.uploadLocks[h.Sum32()%uint32(len(s.uploadLocks))]
	m.Lock()
	return m.Unlock
}

// Blob implements store.Store.
func (s *Store) Blob(ctx context.Context, sha, agency string) (store.Blob, error) {
	var b store.Blob
	err := s.view(ctx, func(tx *bbolt.Tx) error {
		if tx.Bucket(bucketBlobSeen).Get(key(sha, agency)) == nil {
			return store.ErrNotFound
		}
		return get(tx.Bucket(bucketBlobs), []byte(sha), &b)
	})
	return b, err
}

// OpenBlob implements store.Store.
func (s *Store) OpenBlob(ctx context.Context, sha string) (io.ReadSeekCloser, error) {
	path, err := s.BlobFile(ctx, sha)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("open blob %s: %w", sha, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("open blob %s: %w", sha, err)
	}
	return f, nil
}

// BlobFile implements store.BlobFiler.
func (s *Store) BlobFile(ctx context.Context, sha string) (string, error) {
	if !validSHA(sha) {
		return "", fmt.Errorf("blob %q: %w", sha, store.ErrNotFound)
	}
	err := s.view(ctx, func(tx *bbolt.Tx) error {
		if tx.Bucket(bucketBlobs).Get([]byte(sha)) == nil {
			return store.ErrNotFound
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("blob %s: %w", sha, err)
	}
	return s.blobPath(sha), nil
}

// StartUpload implements store.Store.
func (s *Store) StartUpload(ctx context.Context, u store.Upload) (store.Upload, error) {
	if !validSHA(u.SHA256) || !validID(u.ID) || u.Size < 0 || u.Agency == "" {
		return store.Upload{}, fmt.Errorf("start upload: invalid sha256, id, size or agency")
	}
	var out store.Upload
	var replaced string
	err := s.update(ctx, func(tx *bbolt.Tx) error {
		replaced = ""
		if tx.Bucket(bucketBlobSeen).Get(key(u.SHA256, u.Agency)) != nil {
			var b store.Blob
			if err := get(tx.Bucket(bucketBlobs), []byte(u.SHA256), &b); err == nil {
				out = store.Upload{Agency: u.Agency, SHA256: u.SHA256, Size: b.Size, Offset: b.Size, Created: b.Created, Complete: true}
				return nil
			}
		}
		uploads, keys := tx.Bucket(bucketUploads), tx.Bucket(bucketUploadKeys)
		k := key(u.Agency, u.SHA256)
		if id := keys.Get(k); id != nil {
			var cur store.Upload
			if err := get(uploads, id, &cur); err != nil {
				return err
			}
			if cur.Size == u.Size {
				out = cur
				return nil
			}
			replaced = cur.ID
			if err := uploads.Delete(id); err != nil {
				return err
			}
		}
		if uploads.Get([]byte(u.ID)) != nil {
			return fmt.Errorf("start upload %s: %w", u.ID, store.ErrConflict)
		}
		u.Offset, u.Complete = 0, false
		out = u
		if err := keys.Put(k, []byte(u.ID)); err != nil {
			return err
		}
		return put(uploads, []byte(u.ID), u)
	})
	if err != nil {
		return store.Upload{}, err
	}
	if replaced != "" {
		unlock := s.lockUpload(replaced)
		os.Remove(s.partPath(replaced))
		unlock()
	}
	if !out.Complete && out.Offset == out.Size {
		// Completion was interrupted (or the file is empty): finish it.
		return s.AppendUpload(ctx, out.ID, out.Offset, nil)
	}
	return out, nil
}

// Upload implements store.Store.
func (s *Store) Upload(ctx context.Context, id string) (store.Upload, error) {
	var u store.Upload
	err := s.view(ctx, func(tx *bbolt.Tx) error { return get(tx.Bucket(bucketUploads), []byte(id), &u) })
	return u, err
}

// AppendUpload implements store.Store.
func (s *Store) AppendUpload(ctx context.Context, id string, offset int64, data []byte) (store.Upload, error) {
	if !validID(id) {
		return store.Upload{}, store.ErrNotFound
	}
	defer s.lockUpload(id)()
	u, err := s.Upload(ctx, id)
	if err != nil {
		return store.Upload{}, err
	}
	if offset != u.Offset {
		return u, &store.OffsetError{Offset: u.Offset}
	}
	if offset+int64(len(data)) > u.Size {
		return u, store.ErrTooLarge
	}
	if len(data) > 0 {
		if err := s.writeChunk(u, offset, data); err != nil {
			return u, fmt.Errorf("write upload %s: %w", id, err)
		}
		failpoint.Hit(failpoint.ServerBlobSynced)
		err := s.update(ctx, func(tx *bbolt.Tx) error {
			b := tx.Bucket(bucketUploads)
			if err := get(b, []byte(id), &u); err != nil {
				return err
			}
			u.Offset = offset + int64(len(data))
			return put(b, []byte(id), u)
		})
		if err != nil {
			return u, err
		}
	}
	if u.Offset < u.Size {
		return u, nil
	}
	return s.complete(ctx, u)
}

// writeChunk writes data at offset of the upload's part file and syncs
// it (and the directory, when the file is new) before returning.
func (s *Store) writeChunk(u store.Upload, offset int64, data []byte) error {
	path := s.partPath(u.ID)
	_, statErr := os.Stat(path)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.WriteAt(data, offset); err != nil {
		f.Close()
		return err
	}
	if err := f.Truncate(offset + int64(len(data))); err != nil {
		f.Close()
		return err
	}
	if err := syncClose(f); err != nil {
		return err
	}
	if statErr != nil {
		return syncDir(filepath.Dir(path))
	}
	return nil
}

// complete hashes a fully uploaded file and commits it as a blob, or
// resets the upload on a mismatch. The caller holds the upload's lock.
func (s *Store) complete(ctx context.Context, u store.Upload) (store.Upload, error) {
	part, blob := s.partPath(u.ID), s.blobPath(u.SHA256)
	got, err := hashFile(part, u.Size)
	switch {
	case errors.Is(err, fs.ErrNotExist) && u.Size == 0:
		got = hex.EncodeToString(sha256.New().Sum(nil))
	case errors.Is(err, errShort):
		return s.reset(ctx, u)
	case errors.Is(err, fs.ErrNotExist):
		// A crash after the rename, before the commit: the blob file is
		// there and was checked before it was renamed.
		if _, statErr := os.Stat(blob); statErr != nil {
			return s.reset(ctx, u)
		}
		got = u.SHA256
	case err != nil:
		return u, fmt.Errorf("hash upload %s: %w", u.ID, err)
	}
	if got != u.SHA256 {
		return s.reset(ctx, u)
	}
	if err := s.place(part, blob, u.Size); err != nil {
		return u, fmt.Errorf("commit blob %s: %w", u.SHA256, err)
	}
	err = s.update(ctx, func(tx *bbolt.Tx) error {
		blobs := tx.Bucket(bucketBlobs)
		if blobs.Get([]byte(u.SHA256)) == nil {
			if err := put(blobs, []byte(u.SHA256), store.Blob{SHA256: u.SHA256, Size: u.Size, Created: u.Created}); err != nil {
				return err
			}
		}
		if err := tx.Bucket(bucketBlobSeen).Put(key(u.SHA256, u.Agency), nil); err != nil {
			return err
		}
		if err := tx.Bucket(bucketUploadKeys).Delete(key(u.Agency, u.SHA256)); err != nil {
			return err
		}
		return tx.Bucket(bucketUploads).Delete([]byte(u.ID))
	})
	if err != nil {
		return u, err
	}
	os.Remove(part)
	u.Offset, u.Complete = u.Size, true
	return u, nil
}

// place moves a checked part file to its blob name (or drops it when
// the blob exists already), making the rename durable.
func (s *Store) place(part, blob string, size int64) error {
	if _, err := os.Stat(blob); err == nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(blob), 0o700); err != nil {
		return err
	}
	if err := syncDir(filepath.Dir(filepath.Dir(blob))); err != nil {
		return err
	}
	if size == 0 {
		if err := writeEmpty(blob); err != nil {
			return err
		}
	} else if err := os.Rename(part, blob); err != nil {
		return err
	}
	return syncDir(filepath.Dir(blob))
}

func writeEmpty(path string) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if err := syncClose(f); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// syncClose syncs and closes f.
func syncClose(f *os.File) error {
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// reset sets an upload back to offset 0 after a hash mismatch.
func (s *Store) reset(ctx context.Context, u store.Upload) (store.Upload, error) {
	os.Remove(s.partPath(u.ID))
	err := s.update(ctx, func(tx *bbolt.Tx) error {
		u.Offset = 0
		return put(tx.Bucket(bucketUploads), []byte(u.ID), u)
	})
	if err != nil {
		return u, err
	}
	return u, fmt.Errorf("upload %s: %w", u.ID, store.ErrHashMismatch)
}

var errShort = errors.New("upload file is short")

func hashFile(path string, size int64) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, io.LimitReader(f, size))
	if err != nil {
		return "", err
	}
	if n != size {
		return "", fmt.Errorf("%s holds %d bytes, want %d: %w", path, n, size, errShort)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
