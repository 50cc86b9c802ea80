// Package bolt is the default store of the reference server: metadata in
// one bbolt file and files in a content-addressed blob directory next to
// it. One process only: bbolt locks its file, and a second Open fails
// with ErrLocked after Options.Timeout.
//
// # Layout
//
//	DIR/server.db             bbolt, mode 0600
//	DIR/blobs/ab/abcdef…      committed blobs, named by their SHA-256
//	DIR/uploads/<id>.part     uploads in progress
//
// A blob is renamed into place only after its whole SHA-256 was checked,
// with the file and the directory fsynced, so a file under blobs/ always
// re-hashes to its name. An upload's chunk is written and fsynced before
// the offset covering it is committed to bbolt; bytes past the kept
// offset (a crash between the two) are overwritten by the next chunk.
// Temporary files (*.tmp) left by a crash are removed at Open.
//
// # Schema
//
// Keys and values; "\x00" separates the parts of composite keys, u64 is
// big-endian, JSON values are the store package's types.
//
//	meta         version → u64 (schemaVersion)
//	             epoch → 16 random bytes, cursor_key → 32 random bytes
//	agencies     code → JSON store.Agency
//	users        id → JSON store.User
//	user_certs   cert sha256 → user id
//	user_agency  agency \x00 user id → ""
//	challenges   id → JSON store.Challenge
//	sessions     token sha256 → JSON store.Session
//	blobs        sha256 → JSON store.Blob
//	blob_seen    sha256 \x00 agency → ""            (who may see the blob)
//	uploads      id → JSON store.Upload
//	upload_keys  agency \x00 sha256 → upload id
//	messages     id → JSON store.Message (deliveries, statuses, verification)
//	boxes        agency \x00 "inbox"|"outbox" → bucket: u64 position → message id
//	idem         agency \x00 key → JSON store.Idempotency
//	feeds        feed name → bucket: u64 sequence → JSON store.Event
//	cases, registers, reg_keys, audit   the agency's work (work.go, schema 2)
//	axis_systems, axis_nonces, axis_acks   the exchange axis API (axis.go, schema 3)
//
// Box positions and feed sequences are the nested bucket's NextSequence,
// taken inside the write transaction that appends: bbolt has one writer
// at a time, so sequence order is commit order.
//
// # Versions
//
// meta/version holds the schema version; Open runs the migrations from
// the stored version to schemaVersion in one transaction (version 0: a
// new file, migrated to 1 by creating the buckets and meta). A file newer
// than this code is refused.
package bolt

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/vanthuso/vanthu/server/store"
)

// ErrLocked is returned by Open when another process holds the database.
var ErrLocked = errors.New("store is open in another process")

var _ store.Store = (*Store)(nil)
var _ store.BlobFiler = (*Store)(nil)

// Bucket names.
var (
	bucketMeta       = []byte("meta")
	bucketAgencies   = []byte("agencies")
	bucketUsers      = []byte("users")
	bucketUserCerts  = []byte("user_certs")
	bucketUserAgency = []byte("user_agency")
	bucketChallenges = []byte("challenges")
	bucketSessions   = []byte("sessions")
	bucketBlobs      = []byte("blobs")
	bucketBlobSeen   = []byte("blob_seen")
	bucketUploads    = []byte("uploads")
	bucketUploadKeys = []byte("upload_keys")
	bucketMessages   = []byte("messages")
	bucketBoxes      = []byte("boxes")
	bucketIdem       = []byte("idem")
	bucketFeeds      = []byte("feeds")

	keyVersion   = []byte("version")
	keyEpoch     = []byte("epoch")
	keyCursorKey = []byte("cursor_key")
)

// schemaVersion is the version this code writes.
const schemaVersion = 3

// migrations[i] migrates version i to i+1.
var migrations = []func(tx *bbolt.Tx) error{
	migrateCreate,
	migrateWork,
	migrateAxis,
}

func migrateCreate(tx *bbolt.Tx) error {
	for _, name := range [][]byte{bucketMeta, bucketAgencies, bucketUsers, bucketUserCerts, bucketUserAgency,
		bucketChallenges, bucketSessions, bucketBlobs, bucketBlobSeen, bucketUploads, bucketUploadKeys,
		bucketMessages, bucketBoxes, bucketIdem, bucketFeeds} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	meta := tx.Bucket(bucketMeta)
	for _, k := range []struct {
		key []byte
		n   int
	}{{keyEpoch, 16}, {keyCursorKey, 32}} {
		if meta.Get(k.key) != nil {
			continue
		}
		b := make([]byte, k.n)
		if _, err := rand.Read(b); err != nil {
			return err
		}
		if err := meta.Put(k.key, b); err != nil {
			return err
		}
	}
	return nil
}

// Options configures Open.
type Options struct {
	// Timeout is how long Open waits for another process to release the
	// database before ErrLocked; 0 means one second.
	Timeout time.Duration
}

// Store is the bbolt store. Make it with Open; Close it.
type Store struct {
	db    *bbolt.DB
	dir   string
	meta  store.Meta
	waits waiters
	// upload locks, striped by upload id: one chunk at a time per upload.
	uploadLocks [64]sync.Mutex
}

// Open opens (creating it if needed) the store in dir. It fails with
// ErrLocked when another process has it open, and with an error naming
// the versions when the file is newer than this code.
func Open(dir string, o Options) (*Store, error) {
	if o.Timeout <= 0 {
		o.Timeout = time.Second
	}
	for _, d := range []string{dir, filepath.Join(dir, "blobs"), filepath.Join(dir, "uploads")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("open store: %w", err)
		}
	}
	db, err := bbolt.Open(filepath.Join(dir, "server.db"), 0o600, &bbolt.Options{Timeout: o.Timeout})
	if errors.Is(err, bbolt.ErrTimeout) {
		return nil, fmt.Errorf("open store %s: %w", dir, ErrLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", dir, err)
	}
	s := &Store{db: db, dir: dir}
	if err := db.Update(s.migrate); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", dir, err)
	}
	if err := db.View(func(tx *bbolt.Tx) error {
		m := tx.Bucket(bucketMeta)
		s.meta = store.Meta{Epoch: bytes.Clone(m.Get(keyEpoch)), CursorKey: bytes.Clone(m.Get(keyCursorKey))}
		return nil
	}); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", dir, err)
	}
	if err := removeTemps(filepath.Join(dir, "blobs")); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", dir, err)
	}
	return s, nil
}

func (s *Store) migrate(tx *bbolt.Tx) error {
	var version uint64
	if m := tx.Bucket(bucketMeta); m != nil {
		if v := m.Get(keyVersion); len(v) == 8 {
			version = binary.BigEndian.Uint64(v)
		}
	}
	if version > schemaVersion {
		return fmt.Errorf("schema version %d is newer than this server's %d", version, schemaVersion)
	}
	for v := version; v < schemaVersion; v++ {
		if err := migrations[v](tx); err != nil {
			return fmt.Errorf("migrate schema %d to %d: %w", v, v+1, err)
		}
	}
	return tx.Bucket(bucketMeta).Put(keyVersion, u64(schemaVersion))
}

// removeTemps deletes the temporary files a crash left under dir.
func removeTemps(dir string) error {
	return filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(d.Name(), ".tmp") {
			return os.Remove(path)
		}
		return nil
	})
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// DB exposes the bbolt handle, for consistency checks in tests (tx.Check).
func (s *Store) DB() *bbolt.DB { return s.db }

// Meta implements store.Store.
func (s *Store) Meta(ctx context.Context) (store.Meta, error) {
	return store.Meta{Epoch: bytes.Clone(s.meta.Epoch), CursorKey: bytes.Clone(s.meta.CursorKey)}, nil
}

// ---- helpers ----

func u64(v uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], v)
	return b[:]
}

func key(parts ...string) []byte { return []byte(strings.Join(parts, "\x00")) }

func put(b *bbolt.Bucket, k []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(k, data)
}

// get decodes the value of k into v (ErrNotFound when missing). json
// copies, so nothing of the transaction's memory escapes.
func get(b *bbolt.Bucket, k []byte, v any) error {
	data := b.Get(k)
	if data == nil {
		return store.ErrNotFound
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("damaged record %q: %w", k, err)
	}
	return nil
}

func (s *Store) view(ctx context.Context, f func(tx *bbolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.db.View(f)
}

func (s *Store) update(ctx context.Context, f func(tx *bbolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.db.Update(f)
}

// validSHA reports whether sha is 64 lower-case hex characters (blob
// names are used in paths).
func validSHA(sha string) bool {
	if len(sha) != 64 {
		return false
	}
	for _, c := range sha {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// validID reports whether an upload id can name a file.
func validID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// ---- agencies and users ----

// AddAgency implements store.Store.
func (s *Store) AddAgency(ctx context.Context, a store.Agency) error {
	if a.Code == "" {
		return fmt.Errorf("add agency: empty code")
	}
	return s.update(ctx, func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketAgencies)
		if b.Get([]byte(a.Code)) != nil {
			return fmt.Errorf("add agency %s: %w", a.Code, store.ErrConflict)
		}
		return put(b, []byte(a.Code), a)
	})
}

// Agency implements store.Store.
func (s *Store) Agency(ctx context.Context, code string) (store.Agency, error) {
	var a store.Agency
	err := s.view(ctx, func(tx *bbolt.Tx) error { return get(tx.Bucket(bucketAgencies), []byte(code), &a) })
	return a, err
}

// Agencies implements store.Store.
func (s *Store) Agencies(ctx context.Context, after string, limit int) ([]store.Agency, error) {
	var out []store.Agency
	err := s.view(ctx, func(tx *bbolt.Tx) error {
		c := tx.Bucket(bucketAgencies).Cursor()
		k, v := c.Seek([]byte(after))
		if k != nil && after != "" && string(k) == after {
			k, v = c.Next()
		}
		for ; k != nil && len(out) < limit; k, v = c.Next() {
			var a store.Agency
			if err := json.Unmarshal(v, &a); err != nil {
				return fmt.Errorf("damaged agency %q: %w", k, err)
			}
			out = append(out, a)
		}
		return nil
	})
	return out, err
}

// AddUser implements store.Store.
func (s *Store) AddUser(ctx context.Context, u store.User) error {
	if u.ID == "" || u.CertSHA == "" {
		return fmt.Errorf("add user: empty id or certificate")
	}
	return s.update(ctx, func(tx *bbolt.Tx) error {
		if tx.Bucket(bucketAgencies).Get([]byte(u.Agency)) == nil {
			return fmt.Errorf("add user: agency %s: %w", u.Agency, store.ErrNotFound)
		}
		users := tx.Bucket(bucketUsers)
		if users.Get([]byte(u.ID)) != nil {
			return fmt.Errorf("add user %s: %w", u.ID, store.ErrConflict)
		}
		certs := tx.Bucket(bucketUserCerts)
		if certs.Get([]byte(u.CertSHA)) != nil {
			return fmt.Errorf("add user %s: certificate already bound: %w", u.ID, store.ErrConflict)
		}
		if err := certs.Put([]byte(u.CertSHA), []byte(u.ID)); err != nil {
			return err
		}
		if err := tx.Bucket(bucketUserAgency).Put(key(u.Agency, u.ID), nil); err != nil {
			return err
		}
		return put(users, []byte(u.ID), u)
	})
}

// User implements store.Store.
func (s *Store) User(ctx context.Context, id string) (store.User, error) {
	var u store.User
	err := s.view(ctx, func(tx *bbolt.Tx) error { return get(tx.Bucket(bucketUsers), []byte(id), &u) })
	return u, err
}

// UserByCert implements store.Store.
func (s *Store) UserByCert(ctx context.Context, certSHA string) (store.User, error) {
	var u store.User
	err := s.view(ctx, func(tx *bbolt.Tx) error {
		id := tx.Bucket(bucketUserCerts).Get([]byte(certSHA))
		if id == nil {
			return store.ErrNotFound
		}
		return get(tx.Bucket(bucketUsers), id, &u)
	})
	return u, err
}

// Users implements store.Store.
func (s *Store) Users(ctx context.Context, agency string) ([]store.User, error) {
	var out []store.User
	err := s.view(ctx, func(tx *bbolt.Tx) error {
		users := tx.Bucket(bucketUsers)
		each := func(id []byte) error {
			var u store.User
			if err := get(users, id, &u); err != nil {
				return err
			}
			out = append(out, u)
			return nil
		}
		if agency == "" {
			return users.ForEach(func(k, _ []byte) error { return each(k) })
		}
		prefix := key(agency, "")
		c := tx.Bucket(bucketUserAgency).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			if err := each(k[len(prefix):]); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// SetUserDisabled implements store.Store.
func (s *Store) SetUserDisabled(ctx context.Context, id string, disabled bool) error {
	return s.update(ctx, func(tx *bbolt.Tx) error {
		users := tx.Bucket(bucketUsers)
		var u store.User
		if err := get(users, []byte(id), &u); err != nil {
			return err
		}
		u.Disabled = disabled
		return put(users, []byte(id), u)
	})
}

// ---- challenges and sessions ----

// PutChallenge implements store.Store.
func (s *Store) PutChallenge(ctx context.Context, c store.Challenge) error {
	return s.update(ctx, func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketChallenges)
		if b.Get([]byte(c.ID)) != nil {
			return fmt.Errorf("put challenge: %w", store.ErrConflict)
		}
		return put(b, []byte(c.ID), c)
	})
}

// TakeChallenge implements store.Store.
func (s *Store) TakeChallenge(ctx context.Context, id string) (store.Challenge, error) {
	var c store.Challenge
	err := s.update(ctx, func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketChallenges)
		if err := get(b, []byte(id), &c); err != nil {
			return err
		}
		return b.Delete([]byte(id))
	})
	return c, err
}

// PutSession implements store.Store.
func (s *Store) PutSession(ctx context.Context, se store.Session) error {
	return s.update(ctx, func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketSessions)
		if b.Get([]byte(se.TokenHash)) != nil {
			return fmt.Errorf("put session: %w", store.ErrConflict)
		}
		return put(b, []byte(se.TokenHash), se)
	})
}

// Session implements store.Store.
func (s *Store) Session(ctx context.Context, tokenHash string) (store.Session, error) {
	var se store.Session
	err := s.view(ctx, func(tx *bbolt.Tx) error { return get(tx.Bucket(bucketSessions), []byte(tokenHash), &se) })
	return se, err
}

// DeleteSession implements store.Store.
func (s *Store) DeleteSession(ctx context.Context, tokenHash string) error {
	return s.update(ctx, func(tx *bbolt.Tx) error { return tx.Bucket(bucketSessions).Delete([]byte(tokenHash)) })
}

// Prune implements store.Store.
func (s *Store) Prune(ctx context.Context, now time.Time) (int, error) {
	n := 0
	err := s.update(ctx, func(tx *bbolt.Tx) error {
		n = 0
		var expired [][]byte
		var c store.Challenge
		var se store.Session
		for _, b := range []struct {
			bucket *bbolt.Bucket
			expiry func(v []byte) (time.Time, error)
		}{
			{tx.Bucket(bucketChallenges), func(v []byte) (time.Time, error) { err := json.Unmarshal(v, &c); return c.ExpiresAt, err }},
			{tx.Bucket(bucketSessions), func(v []byte) (time.Time, error) { err := json.Unmarshal(v, &se); return se.ExpiresAt, err }},
		} {
			expired = expired[:0]
			if err := b.bucket.ForEach(func(k, v []byte) error {
				at, err := b.expiry(v)
				if err != nil || at.Before(now) {
					expired = append(expired, bytes.Clone(k))
				}
				return nil
			}); err != nil {
				return err
			}
			for _, k := range expired {
				if err := b.bucket.Delete(k); err != nil {
					return err
				}
			}
			n += len(expired)
		}
		return nil
	})
	return n, err
}
