package store

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/vanthuso/vanthu/internal/boltcheck"
)

// Errors callers branch on; they come back wrapped (errors.Is).
var (
	// ErrNotFound: no such document, outbox entry, status entry or blob.
	ErrNotFound = errors.New("not found")
	// ErrAlreadyOpen: another process holds the cache (Options.Timeout
	// passed).
	ErrAlreadyOpen = errors.New("the cache is in use: another Văn Thư Số is running on this computer")
	// ErrExists: Queue of a client message id the cache already holds.
	ErrExists = errors.New("already exists")
	// ErrMissingBlob: a document names a file the blob directory lacks.
	ErrMissingBlob = errors.New("file not in the cache")
	// ErrHashMismatch: PutBlobExpect read bytes of another SHA-256.
	ErrHashMismatch = errors.New("file does not match its SHA-256")
)

// Options of Open.
type Options struct {
	// Timeout is how long Open waits for another process's lock before
	// ErrAlreadyOpen (default 1s).
	Timeout time.Duration
	// User is who acts, written in the audit log.
	User string
}

// Recovery says what Open did with a damaged cache.
type Recovery struct {
	DamagedPath string   // where the damaged file was set aside (kept for support)
	Reason      string   // what was wrong with it (technical, English)
	Outbox      int      // unsent outbox entries carried over
	Statuses    int      // unsent status entries carried over
	Actions     int      // unsent actions carried over (their files are in the blob folder, which a rebuild keeps)
	Documents   int      // documents carried with them
	Lost        []string // parts that could not be read (technical)
}

// Store is an open cache. Make it with Open; Close it once.
type Store struct {
	db        *bolt.DB
	path      string
	blobDir   string
	user      string
	recovered *Recovery
	// clean: the file was as the last Close left it; dirty: this session
	// wrote (Close then records the file again).
	clean     bool
	dirty     atomic.Bool
	closeOnce sync.Once
	closeErr  error
}

const (
	defaultTimeout = time.Second
	tmpPrefix      = "tmp-"
	cleanSuffix    = ".clean"
)

// Open opens or creates the cache: a bbolt file at path (mode 0600) and
// its blob directory path+".blobs". A damaged file is renamed aside
// (path+".damaged-<UTC time>") and a new cache is made, into which the
// readable unsent outbox entries, status entries and their documents are
// carried; Recovered then says what happened. Migrations run in one
// transaction at open. Leftover temporary blob files are removed.
//
// Errors: ErrAlreadyOpen when another process holds the file for longer
// than o.Timeout; a plain error for a cache of a newer schema (made by a
// newer Văn Thư Số: it is left as it is) and for what the system refuses
// (permissions, disk).
func Open(path string, o Options) (*Store, error) {
	if o.Timeout <= 0 {
		o.Timeout = defaultTimeout
	}
	blobDir := path + ".blobs"
	if err := os.MkdirAll(blobDir, 0o700); err != nil {
		return nil, fmt.Errorf("open cache: %w", err)
	}
	s, damage, err := openFile(path, blobDir, o)
	if err != nil {
		return nil, err
	}
	if damage != "" {
		s, err = rebuild(path, blobDir, o, damage)
	} else if err = s.finishRebuild(); err != nil {
		s.db.Close()
	}
	if err != nil {
		return nil, err
	}
	if err := s.removeTempBlobs(); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("open cache: %w", err)
	}
	return s, nil
}

// openFile opens path. damage is non-empty, and the file closed, when
// the file is damaged.
func openFile(path, blobDir string, o Options) (s *Store, damage string, err error) {
	if fi, err := os.Stat(path); err == nil && fi.Size() == 0 {
		return nil, "empty file", nil
	}
	db, damage, err := boltOpen(path, o.Timeout)
	if err != nil || damage != "" {
		return nil, damage, err
	}
	s = &Store{db: db, path: path, blobDir: blobDir, user: o.User}
	s.clean = s.matchesClean()
	if !s.clean {
		damage = checkDB(db, path)
	} else {
		damage = checkSize(db, path)
	}
	if damage == "" {
		damage, err = s.migrate()
	}
	if err != nil || damage != "" {
		db.Close()
		return nil, damage, err
	}
	return s, "", nil
}

// boltOpen opens the bbolt file, catching the panics and memory faults
// of a corrupt one.
func boltOpen(path string, timeout time.Duration) (db *bolt.DB, damage string, err error) {
	defer catchDamage(&damage)
	defer faultsPanic()()
	db, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: timeout})
	switch {
	case err == nil:
		return db, "", nil
	case errors.Is(err, berrors.ErrTimeout):
		return nil, "", fmt.Errorf("open cache %s: %w", path, ErrAlreadyOpen)
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrChecksum),
		errors.Is(err, berrors.ErrVersionMismatch), strings.Contains(err.Error(), "file size too small"):
		return nil, "not a valid bbolt file: " + err.Error(), nil
	}
	return nil, "", fmt.Errorf("open cache: %w", err)
}

// catchDamage turns a panic of a corrupt file into a damage reason; the
// caller's goroutine also turns memory faults into panics until it
// returns.
func catchDamage(damage *string) {
	if r := recover(); r != nil {
		*damage = fmt.Sprintf("reading the file failed: %v", r)
	}
}

// faultsPanic makes memory faults of this goroutine (a corrupt page
// pointing outside the mapped file) panics; call the result to restore.
func faultsPanic() func() {
	old := debug.SetPanicOnFault(true)
	return func() { debug.SetPanicOnFault(old) }
}

// checkSize reports a file shorter than its meta page says.
func checkSize(db *bolt.DB, path string) string {
	fi, err := os.Stat(path)
	if err != nil {
		return "stat: " + err.Error()
	}
	var need int64
	db.View(func(tx *bolt.Tx) error { need = tx.Size(); return nil })
	if fi.Size() < need {
		return fmt.Sprintf("truncated: %d bytes, its pages need %d", fi.Size(), need)
	}
	return ""
}

// sink keeps the compiler from dropping the walk's reads.
var sink atomic.Uint32

// checkDB walks every bucket, key and value (so that a corrupt page
// panics here, where it is caught, rather than in bbolt's checker) and
// runs bbolt's Tx.Check.
func checkDB(db *bolt.DB, path string) (damage string) {
	if d := checkSize(db, path); d != "" {
		return d
	}
	if d := boltcheck.MetaPages(path, db.Info().PageSize); d != "" {
		return d
	}
	defer catchDamage(&damage)
	defer faultsPanic()()
	var errs []string
	db.View(func(tx *bolt.Tx) error {
		var acc byte
		var walk func(b *bolt.Bucket)
		walk = func(b *bolt.Bucket) {
			c := b.Cursor()
			for k, v := c.First(); k != nil; k, v = c.Next() {
				acc ^= touch(k) ^ touch(v)
				if v == nil {
					if child := b.Bucket(k); child != nil {
						walk(child)
					}
				}
			}
		}
		tx.ForEach(func(name []byte, b *bolt.Bucket) error { walk(b); return nil })
		sink.Add(uint32(acc))
		for err := range tx.Check() {
			if len(errs) < 5 {
				errs = append(errs, err.Error())
			}
		}
		return nil
	})
	if len(errs) > 0 {
		return "bbolt check: " + strings.Join(errs, "; ")
	}
	return ""
}

// touch reads one byte of every page b spans.
func touch(b []byte) byte {
	var x byte
	for i := 0; i < len(b); i += 4096 {
		x ^= b[i]
	}
	if len(b) > 0 {
		x ^= b[len(b)-1]
	}
	return x
}

// fileStamp is the size and modification time of the file at path, as
// path.clean records them.
func fileStamp(path string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("vanthu-cache-clean 2 size=%d mtime=%d\n", fi.Size(), fi.ModTime().UnixNano()), nil
}

// matchesClean reports whether path.clean describes the file as it is.
func (s *Store) matchesClean() bool {
	want, err := os.ReadFile(s.path + cleanSuffix)
	if err != nil {
		return false
	}
	got, err := fileStamp(s.path)
	return err == nil && got == string(want)
}

// Recovered is nil unless Open set a damaged cache aside.
func (s *Store) Recovered() *Recovery { return s.recovered }

// Close closes the cache and records the file as it leaves it (so that
// the next Open skips the full check). Call it once, when nothing uses the
// Store any more; later calls return the first call's error.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		if err := s.db.Close(); err != nil {
			s.closeErr = fmt.Errorf("close cache: %w", err)
			return
		}
		if s.clean && !s.dirty.Load() {
			return
		}
		if err := writeClean(s.path); err != nil {
			s.closeErr = fmt.Errorf("close cache: %w", err)
		}
	})
	return s.closeErr
}

// writeClean gives the closed file at path a modification time no
// write will give it (a random nanosecond of the past second: any later
// write sets the clock's time, coarse-grained) and records it with the
// size in path.clean, written atomically.
func writeClean(path string) error {
	now := time.Now()
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return err
	}
	mtime := now.Truncate(time.Second).Add(-time.Second + time.Duration(binary.BigEndian.Uint32(b[:])%1e9))
	if err := os.Chtimes(path, now, mtime); err != nil {
		return err
	}
	text, err := fileStamp(path)
	if err != nil {
		return err
	}
	tmp := path + cleanSuffix + ".tmp"
	if err := writeSynced(tmp, text); err != nil {
		return err
	}
	if err := os.Rename(tmp, path+cleanSuffix); err != nil {
		os.Remove(tmp)
		return err
	}
	return syncDir(filepath.Dir(path))
}

// update runs fn in a write transaction.
func (s *Store) update(fn func(tx *bolt.Tx) error) error {
	s.dirty.Store(true)
	return s.db.Update(fn)
}

// removeTempBlobs removes the temporary files a crash left in the blob
// directory. Only the process holding the database lock calls it.
func (s *Store) removeTempBlobs() error {
	names, err := filepath.Glob(filepath.Join(s.blobDir, tmpPrefix+"*"))
	if err != nil {
		return err
	}
	for _, n := range names {
		if err := os.Remove(n); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	return nil
}
