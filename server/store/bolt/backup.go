package bolt

import (
	"archive/tar"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/vanthuso/vanthu/internal/boltcheck"
	"github.com/vanthuso/vanthu/server/store"
)

// Online backup. Backup writes, while the store serves, a tar holding
//
//	server.db            the database as one read transaction saw it
//	blobs/ab/abcdef…     every blob that database names
//
// The database is written inside the read transaction (bbolt's
// Tx.WriteTo: writers go on meanwhile); the blobs after it, from their
// files, which never change once committed. Uploads in progress are left
// out: their clients start them again. Restore unpacks such a tar into a
// new store directory, or fails leaving nothing behind.

var _ store.Backuper = (*Store)(nil)

const backupDB = "server.db"

// Backup implements store.Backuper.
func (s *Store) Backup(ctx context.Context, w io.Writer) (store.BackupInfo, error) {
	var info store.BackupInfo
	tw := tar.NewWriter(w)
	var shas []string
	now := time.Now().UTC()
	err := s.db.View(func(tx *bbolt.Tx) error {
		info.DBBytes = tx.Size()
		if err := tw.WriteHeader(&tar.Header{Name: backupDB, Mode: 0o600, Size: tx.Size(), ModTime: now, Typeflag: tar.TypeReg}); err != nil {
			return err
		}
		if _, err := tx.WriteTo(&ctxWriter{ctx: ctx, w: tw}); err != nil {
			return err
		}
		return tx.Bucket(bucketBlobs).ForEach(func(k, _ []byte) error {
			shas = append(shas, string(k))
			return nil
		})
	})
	if err != nil {
		return info, fmt.Errorf("backup: %w", err)
	}
	for _, sha := range shas {
		if err := ctx.Err(); err != nil {
			return info, fmt.Errorf("backup: %w", err)
		}
		n, err := s.backupBlob(tw, sha, now)
		if err != nil {
			return info, fmt.Errorf("backup: blob %s: %w", sha, err)
		}
		info.Blobs++
		info.BlobBytes += n
	}
	if err := tw.Close(); err != nil {
		return info, fmt.Errorf("backup: %w", err)
	}
	return info, nil
}

func (s *Store) backupBlob(tw *tar.Writer, sha string, now time.Time) (int64, error) {
	f, err := os.Open(s.blobPath(sha))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return 0, err
	}
	if err := tw.WriteHeader(&tar.Header{Name: "blobs/" + sha[:2] + "/" + sha, Mode: 0o600, Size: fi.Size(), ModTime: now, Typeflag: tar.TypeReg}); err != nil {
		return 0, err
	}
	return io.Copy(tw, f)
}

// ctxWriter stops a long write when ctx ends.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c *ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}

// RestoreInfo says what Restore unpacked.
type RestoreInfo struct {
	DBBytes   int64
	Blobs     int
	BlobBytes int64
}

// Restore unpacks a Backup from r into dir, which must not exist or be
// empty. It checks every entry's name, every blob against its SHA-256,
// the database with bbolt's own check, and that every blob the database
// names is there; on any failure nothing is left at dir. The files are
// written under a temporary sibling of dir, fsynced, and renamed to dir
// at the end.
func Restore(dir string, r io.Reader) (RestoreInfo, error) {
	var info RestoreInfo
	if ents, err := os.ReadDir(dir); err == nil && len(ents) > 0 {
		return info, fmt.Errorf("restore: %s is not empty: restore into a new directory", dir)
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return info, fmt.Errorf("restore: %w", err)
	}
	parent := filepath.Dir(filepath.Clean(dir))
	if err := os.MkdirAll(parent, 0o700); err != nil {
		return info, fmt.Errorf("restore: %w", err)
	}
	var rnd [6]byte
	rand.Read(rnd[:])
	tmp := filepath.Join(parent, "."+filepath.Base(dir)+".restoring-"+hex.EncodeToString(rnd[:]))
	if err := os.Mkdir(tmp, 0o700); err != nil {
		return info, fmt.Errorf("restore: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(tmp)
		}
	}()
	seen := map[string]bool{}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return info, fmt.Errorf("restore: the backup is damaged or cut short: %w", err)
		}
		if h.Typeflag != tar.TypeReg || h.Size < 0 {
			return info, fmt.Errorf("restore: entry %q is not a plain file", h.Name)
		}
		if seen[h.Name] {
			return info, fmt.Errorf("restore: entry %q twice", h.Name)
		}
		seen[h.Name] = true
		sha, isBlob := blobEntry(h.Name)
		if h.Name != backupDB && !isBlob {
			return info, fmt.Errorf("restore: entry %q is not part of a store backup", h.Name)
		}
		if len(seen) == 1 && h.Name != backupDB {
			return info, fmt.Errorf("restore: the backup does not start with %s", backupDB)
		}
		path := filepath.Join(tmp, filepath.FromSlash(h.Name))
		if isBlob {
			if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
				return info, fmt.Errorf("restore: %w", err)
			}
		}
		n, sum, err := writeSynced(path, io.LimitReader(tr, h.Size))
		if err != nil {
			return info, fmt.Errorf("restore: %s: %w", h.Name, err)
		}
		if n != h.Size {
			return info, fmt.Errorf("restore: %s: cut short (%d of %d bytes)", h.Name, n, h.Size)
		}
		if isBlob {
			if sum != sha {
				return info, fmt.Errorf("restore: %s: its content does not match its SHA-256 (damaged backup)", h.Name)
			}
			info.Blobs++
			info.BlobBytes += n
		} else {
			info.DBBytes = n
		}
	}
	if !seen[backupDB] {
		return info, fmt.Errorf("restore: the backup holds no %s", backupDB)
	}
	if err := checkRestored(tmp, seen); err != nil {
		return info, fmt.Errorf("restore: %w", err)
	}
	for _, d := range []string{filepath.Join(tmp, "blobs"), filepath.Join(tmp, "uploads")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return info, fmt.Errorf("restore: %w", err)
		}
	}
	if err := syncDir(tmp); err != nil {
		return info, fmt.Errorf("restore: %w", err)
	}
	os.Remove(dir) // empty or absent
	if err := os.Rename(tmp, dir); err != nil {
		return info, fmt.Errorf("restore: %w", err)
	}
	ok = true
	if err := syncDir(parent); err != nil {
		return info, fmt.Errorf("restore: %w", err)
	}
	return info, nil
}

// blobEntry reports whether name is "blobs/ab/<sha256 hex>" (ab its first
// two digits) and gives the SHA-256.
func blobEntry(name string) (string, bool) {
	rest, ok := strings.CutPrefix(name, "blobs/")
	if !ok || len(rest) != 3+64 || rest[2] != '/' {
		return "", false
	}
	sha := rest[3:]
	if _, err := hex.DecodeString(sha); err != nil || strings.ToLower(sha) != sha || sha[:2] != rest[:2] {
		return "", false
	}
	return sha, true
}

// writeSynced writes r to a new file at path and fsyncs it, returning its
// size and SHA-256.
func writeSynced(path string, r io.Reader) (int64, string, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return 0, "", err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), r)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return n, hex.EncodeToString(h.Sum(nil)), err
}

// checkRestored opens the restored database read-only: bbolt's check
// must pass and every blob it names must have been unpacked.
func checkRestored(dir string, seen map[string]bool) (err error) {
	path := filepath.Join(dir, backupDB)
	defer func() {
		// A damaged page panics in bbolt (debug.SetPanicOnFault turns a
		// memory fault into one): the backup is damaged, the restore says
		// so.
		if r := recover(); r != nil {
			err = fmt.Errorf("the database in the backup is damaged: %v", r)
		}
	}()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		return fmt.Errorf("the database in the backup does not open: %w", err)
	}
	defer db.Close()
	if d := boltcheck.MetaPages(path, db.Info().PageSize); d != "" {
		return fmt.Errorf("the database in the backup is damaged: %s", d)
	}
	return db.View(func(tx *bbolt.Tx) error {
		// Every page read here first, where a panic is caught, not in
		// Tx.Check's own goroutine.
		var walk func(b *bbolt.Bucket)
		walk = func(b *bbolt.Bucket) {
			c := b.Cursor()
			for k, v := c.First(); k != nil; k, v = c.Next() {
				if v == nil {
					if child := b.Bucket(k); child != nil {
						walk(child)
					}
				}
			}
		}
		tx.ForEach(func(_ []byte, b *bbolt.Bucket) error { walk(b); return nil })
		var damage error
		for err := range tx.Check() { // read to the end: the checker goroutine uses tx
			if damage == nil {
				damage = fmt.Errorf("the database in the backup is damaged: %w", err)
			}
		}
		if damage != nil {
			return damage
		}
		b := tx.Bucket(bucketBlobs)
		if b == nil {
			return errors.New("the database in the backup is not a Văn Thư Số store")
		}
		return b.ForEach(func(k, _ []byte) error {
			sha := string(k)
			if len(sha) != 64 || !seen["blobs/"+sha[:2]+"/"+sha] {
				return fmt.Errorf("blob %s is missing from the backup", sha)
			}
			return nil
		})
	})
}
