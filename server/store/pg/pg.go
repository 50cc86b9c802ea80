// Package pg is the PostgreSQL store of the reference server: everything
// the server keeps, files included, in one database, so that any number
// of stateless vanthu-server replicas share it. It passes the conformance
// suite of server/store (storetest) as server/store/bolt does.
//
//	st, err := pg.Open(ctx, "postgres://vanthu@db.example/vanthu", pg.Options{})
//
// # Files
//
// Blobs are rows of blob_chunks, ChunkSize (1 MiB) bytes each, the last
// one shorter. An upload writes its chunk rows and its offset in one
// transaction (the bytes are durable when the offset is); the chunk being
// filled grows by appending to its row. The last chunk hashes the whole
// upload, streaming the rows, inside the transaction that commits the
// blob by copying the rows in SQL, so nothing is ever held in memory whole.
// OpenBlob reads one chunk row at a time: a reader holds at most one
// chunk. The store keeps no files, so it does not implement
// store.BlobFiler: the server copies a PDF to a temporary file to verify
// it (server.blobFile).
//
// # Feeds in commit order
//
// A feed's sequence comes from its counter row in feed_heads: the
// writing transaction increments it (INSERT … ON CONFLICT DO UPDATE …
// RETURNING head) and so holds the row's lock until it commits or rolls
// back. A second writer to the same feed waits on that lock and takes
// the next number only once the first committed, which makes sequence
// order commit order: a reader that sees sequence n+1 sees n, and a
// cursor never skips an event that committed late (the bug of a plain
// sequence, where a transaction given n commits after the one given
// n+1 and the reader has moved past n). The alternative, a transaction
// id cursor read below pg_snapshot_xmin, lets writers of one feed run in
// parallel but makes cursors opaque pairs and readers wait for the
// oldest open transaction of the whole database; feeds here are written
// by short transactions, so serialising the writers of one feed costs
// little and keeps sequences 1, 2, 3 … as the interface promises. Box
// positions (box_heads), audit sequences (audit_heads) and register
// numbers (register_locks, the number being one more than the highest
// line under the lock) work the same way.
//
// Transactions take their locks in one order: the idempotency key (the
// row is claimed first, INSERT … ON CONFLICT DO NOTHING, so a concurrent
// commit under the same key waits and then finds the record), the case
// (an advisory lock on its key), the message, the register, blob
// visibility rows (sorted), box counters (sorted), the audit counter,
// feed counters (sorted by name). A deadlock or serialisation failure
// PostgreSQL still reports is retried from the start: WorkCommit.Apply
// and StatusCommit.Check may then run more than once, each time on what
// that attempt read (the server's decide from what they are given).
// Duplicates (WorkCommit.Duplicates) are read under the lock of the
// numbered register's year: two registrations of one key in different
// years at the same moment may miss each other.
//
// # Waking long polls
//
// A commit that appends to feeds sends NOTIFY vanthu_feed with each feed's
// name (delivered at commit). Every Store holds one connection that
// LISTENs and wakes the WaitChange calls of that feed in its process;
// they then read the feed heads again: a notification only says which
// feed to look at, never what is in it. When the listening connection fails, every waiter
// is woken, and again once it listens again.
//
// # Schema
//
// Keys are text COLLATE "C" (byte order, as bbolt's); records are the
// JSON of the store package's types in bytea columns.
//
//	schema_version  version, applied_at                 (one row per migration)
//	meta            epoch, cursor_key                   (one row)
//	agencies        code → data
//	users           id → agency, cert_sha (unique), data
//	challenges      id → expires (Unix ns), data
//	sessions        token_hash → expires (Unix ns), data
//	blobs           sha → size, chunk_size, data
//	blob_chunks     (sha, n) → data
//	blob_seen       (sha, agency)                       (who may see the blob)
//	uploads         id → agency, sha (unique together), size, off, data
//	upload_chunks   (id, n) → data
//	messages        id → data (deliveries, statuses, verification)
//	box_heads       (agency, box) → head;  boxes (agency, box, pos) → message_id
//	idem            (agency, key) → data
//	feed_heads      feed → head;  events (feed, seq) → data
//	cases           (agency, id) → data                 (version 2)
//	register_locks  (agency, kind, year)                (version 2)
//	registers       (agency, kind, year, number) → dup_key (bytea), data (version 2)
//	audit_heads     agency → head;  audit (agency, seq) → data (version 2)
//	axis_systems, axis_nonces, axis_acks   the exchange axis API (version 3, axis.go)
//
// # Versions
//
// Open applies the migrations the database lacks, in order, each in its
// own transaction that first takes an advisory lock and reads
// schema_version again, so replicas starting together migrate once and a
// restart after a failure goes on where it stopped. A database newer than
// this code is refused.
package pg

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/vanthuso/vanthu/server/store"
)

var _ store.Store = (*Store)(nil)

// ChunkSize is the size of a blob's chunk rows.
const ChunkSize = 1 << 20

// Options configures Open.
type Options struct {
	// MaxConns bounds the connection pool (0: pgxpool's default, the
	// larger of 4 and the number of CPUs). One more connection listens.
	MaxConns int32
}

// Store is the PostgreSQL store. Make it with Open; Close it.
type Store struct {
	pool  *pgxpool.Pool
	meta  store.Meta
	waits waitList

	stopListen context.CancelFunc
	listenDone chan struct{}
	closeOnce  sync.Once

	// beforeCommit, set by tests, runs inside every commit's transaction
	// after its writes, before COMMIT.
	beforeCommit func(ctx context.Context)
	// waitBlocked, set by tests, runs when a WaitChange found no change
	// and is about to block.
	waitBlocked func()
}

// Open connects to the database at dsn (postgres://user:pass@host/db?…
// or key=value settings, as libpq takes), applies the schema migrations
// it lacks and starts listening for feed notifications. Its errors say
// in Vietnamese, then English, what failed.
func Open(ctx context.Context, dsn string, o Options) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("địa chỉ PostgreSQL không hợp lệ (invalid PostgreSQL address): %w", err)
	}
	if o.MaxConns > 0 {
		cfg.MaxConns = o.MaxConns
	}
	where := redact(dsn)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err == nil {
		err = pool.Ping(ctx)
	}
	if err != nil {
		if pool != nil {
			pool.Close()
		}
		return nil, fmt.Errorf("không kết nối được PostgreSQL %s (cannot connect to PostgreSQL): %w", where, err)
	}
	s := &Store{pool: pool}
	if err := migrate(ctx, pool, len(migrations)); err != nil {
		pool.Close()
		return nil, fmt.Errorf("PostgreSQL %s: %w", where, err)
	}
	if err := pool.QueryRow(ctx, `SELECT epoch, cursor_key FROM meta`).Scan(&s.meta.Epoch, &s.meta.CursorKey); err != nil {
		pool.Close()
		return nil, fmt.Errorf("PostgreSQL %s: read meta: %w", where, err)
	}
	conn, err := listenConn(ctx, cfg.ConnConfig)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("không kết nối được PostgreSQL %s (cannot connect to PostgreSQL): %w", where, err)
	}
	lctx, cancel := context.WithCancel(context.Background())
	s.stopListen, s.listenDone = cancel, make(chan struct{})
	go s.listen(lctx, cfg.ConnConfig, conn)
	return s, nil
}

// redact drops the password from a URL for messages.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme == "" {
		return "(settings)"
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	u.RawQuery = ""
	return u.String()
}

// Close stops listening and closes the connections; calls after the
// first do nothing.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.stopListen()
		<-s.listenDone
		s.pool.Close()
	})
	return nil
}

// Meta implements store.Store.
func (s *Store) Meta(ctx context.Context) (store.Meta, error) {
	return store.Meta{Epoch: append([]byte(nil), s.meta.Epoch...), CursorKey: append([]byte(nil), s.meta.CursorKey...)}, nil
}

// ---- migrations ----

// migrations[i] migrates version i to i+1.
var migrations = []func(ctx context.Context, tx pgx.Tx) error{
	migrateCreate,
	sqlMigration(schemaWork),
	sqlMigration(schemaAxis),
}

// migrationLock is the advisory lock (two-int4 key space, apart from
// the bigint keys of case locks) migrations take.
const migrationLock = "SELECT pg_advisory_xact_lock(1447645268, 1)"

// migrate brings the database to version target, one transaction per
// migration.
func migrate(ctx context.Context, pool *pgxpool.Pool, target int) error {
	for {
		done := false
		err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, migrationLock); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_version (
				version int PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
				return err
			}
			var version int
			if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_version`).Scan(&version); err != nil {
				return err
			}
			if version > len(migrations) {
				return fmt.Errorf("cơ sở dữ liệu có lược đồ phiên bản %d, mới hơn phiên bản %d của máy chủ này: dùng máy chủ mới hơn "+
					"(the database schema version %d is newer than this server's %d: use a newer server)", version, len(migrations), version, len(migrations))
			}
			if version >= target {
				done = true
				return nil
			}
			if err := migrations[version](ctx, tx); err != nil {
				return fmt.Errorf("migrate schema %d to %d: %w", version, version+1, err)
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_version (version) VALUES ($1)`, version+1)
			return err
		})
		if err != nil || done {
			return err
		}
	}
}

func sqlMigration(sql string) func(ctx context.Context, tx pgx.Tx) error {
	return func(ctx context.Context, tx pgx.Tx) error {
		_, err := tx.Exec(ctx, sql)
		return err
	}
}

func migrateCreate(ctx context.Context, tx pgx.Tx) error {
	if _, err := tx.Exec(ctx, schemaCreate); err != nil {
		return err
	}
	epoch, key := make([]byte, 16), make([]byte, 32)
	rand.Read(epoch)
	rand.Read(key)
	_, err := tx.Exec(ctx, `INSERT INTO meta (epoch, cursor_key) VALUES ($1, $2) ON CONFLICT DO NOTHING`, epoch, key)
	return err
}

const schemaCreate = `
CREATE TABLE meta (one boolean PRIMARY KEY DEFAULT true CHECK (one), epoch bytea NOT NULL, cursor_key bytea NOT NULL);
CREATE TABLE agencies (code text COLLATE "C" PRIMARY KEY, data bytea NOT NULL);
CREATE TABLE users (id text COLLATE "C" PRIMARY KEY, agency text COLLATE "C" NOT NULL REFERENCES agencies (code),
	cert_sha text COLLATE "C" NOT NULL UNIQUE, data bytea NOT NULL);
CREATE INDEX users_agency ON users (agency, id);
CREATE TABLE challenges (id text COLLATE "C" PRIMARY KEY, expires bigint NOT NULL, data bytea NOT NULL);
CREATE TABLE sessions (token_hash text COLLATE "C" PRIMARY KEY, expires bigint NOT NULL, data bytea NOT NULL);
CREATE TABLE blobs (sha text COLLATE "C" PRIMARY KEY, size bigint NOT NULL, chunk_size int NOT NULL, data bytea NOT NULL);
CREATE TABLE blob_chunks (sha text COLLATE "C" NOT NULL REFERENCES blobs (sha), n bigint NOT NULL, data bytea NOT NULL,
	PRIMARY KEY (sha, n));
CREATE TABLE blob_seen (sha text COLLATE "C" NOT NULL, agency text COLLATE "C" NOT NULL, PRIMARY KEY (sha, agency));
CREATE TABLE uploads (id text COLLATE "C" PRIMARY KEY, agency text COLLATE "C" NOT NULL, sha text COLLATE "C" NOT NULL,
	size bigint NOT NULL, off bigint NOT NULL, data bytea NOT NULL, UNIQUE (agency, sha));
CREATE TABLE upload_chunks (id text COLLATE "C" NOT NULL REFERENCES uploads (id) ON DELETE CASCADE, n bigint NOT NULL,
	data bytea NOT NULL, PRIMARY KEY (id, n));
CREATE TABLE messages (id text COLLATE "C" PRIMARY KEY, data bytea NOT NULL);
CREATE TABLE box_heads (agency text COLLATE "C" NOT NULL, box text COLLATE "C" NOT NULL, head bigint NOT NULL,
	PRIMARY KEY (agency, box));
CREATE TABLE boxes (agency text COLLATE "C" NOT NULL, box text COLLATE "C" NOT NULL, pos bigint NOT NULL,
	message_id text COLLATE "C" NOT NULL, PRIMARY KEY (agency, box, pos));
CREATE TABLE idem (agency text COLLATE "C" NOT NULL, key text COLLATE "C" NOT NULL, data bytea, PRIMARY KEY (agency, key));
CREATE TABLE feed_heads (feed text COLLATE "C" PRIMARY KEY, head bigint NOT NULL);
CREATE TABLE events (feed text COLLATE "C" NOT NULL, seq bigint NOT NULL, data bytea NOT NULL, PRIMARY KEY (feed, seq));
`

const schemaWork = `
CREATE TABLE cases (agency text COLLATE "C" NOT NULL, id text COLLATE "C" NOT NULL, data bytea NOT NULL, PRIMARY KEY (agency, id));
CREATE TABLE register_locks (agency text COLLATE "C" NOT NULL, kind text COLLATE "C" NOT NULL, year bigint NOT NULL,
	PRIMARY KEY (agency, kind, year));
CREATE TABLE registers (agency text COLLATE "C" NOT NULL, kind text COLLATE "C" NOT NULL, year bigint NOT NULL,
	number bigint NOT NULL, dup_key bytea NOT NULL, data bytea NOT NULL, PRIMARY KEY (agency, kind, year, number));
CREATE INDEX registers_dup_key ON registers (agency, kind, dup_key, year, number);
CREATE TABLE audit_heads (agency text COLLATE "C" PRIMARY KEY, head bigint NOT NULL);
CREATE TABLE audit (agency text COLLATE "C" NOT NULL, seq bigint NOT NULL, data bytea NOT NULL, PRIMARY KEY (agency, seq));
`

// ---- helpers ----

// errRetry makes tx run the transaction again (a race lost to another
// transaction that committed meanwhile).
var errRetry = errors.New("retry the transaction")

// tx runs f in a transaction, again when PostgreSQL reports a deadlock
// or a serialisation failure or f asks for it.
func (s *Store) tx(ctx context.Context, f func(tx pgx.Tx) error) error {
	for attempt := 0; ; attempt++ {
		err := pgx.BeginFunc(ctx, s.pool, f)
		if attempt < 20 && (errors.Is(err, errRetry) || sqlState(err) == "40P01" || sqlState(err) == "40001") {
			continue
		}
		return err
	}
}

func sqlState(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// readErr turns what a read with a key no row can have gets into
// ErrNotFound: no rows, or text PostgreSQL cannot hold (NUL, invalid
// UTF-8, SQLSTATE 22021).
func readErr(err error) error {
	if errors.Is(err, pgx.ErrNoRows) || sqlState(err) == "22021" {
		return store.ErrNotFound
	}
	return err
}

// writeErr names the error of a write given text PostgreSQL cannot hold.
func writeErr(what string, err error) error {
	if sqlState(err) == "22021" {
		return fmt.Errorf("%s: a name or key is not valid UTF-8 text: %w", what, err)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

type execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// insertNew runs an INSERT … ON CONFLICT DO NOTHING: ErrConflict when
// it inserted nothing.
func insertNew(ctx context.Context, q execer, what, sql string, args ...any) error {
	tag, err := q.Exec(ctx, sql, args...)
	if err != nil {
		return writeErr(what, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("%s: %w", what, store.ErrConflict)
	}
	return nil
}

type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// getJSON decodes the one bytea column of a one-row query into v.
func getJSON(ctx context.Context, q querier, v any, sql string, args ...any) error {
	var data []byte
	if err := q.QueryRow(ctx, sql, args...).Scan(&data); err != nil {
		return readErr(err)
	}
	return jsonUnmarshal(data, v)
}

func jsonUnmarshal(data []byte, v any) error {
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("damaged record: %w", err)
	}
	return nil
}

// listJSON decodes the one bytea column of every row into a T.
func listJSON[T any](ctx context.Context, q querier, sql string, args ...any) ([]T, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, readErr(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (T, error) {
		var v T
		var data []byte
		if err := r.Scan(&data); err != nil {
			return v, err
		}
		return v, jsonUnmarshal(data, &v)
	})
	if err != nil {
		if readErr(err) == store.ErrNotFound {
			return nil, nil
		}
		return nil, err
	}
	return out, nil
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // the store's types always marshal
	}
	return b
}

// nanos is t in Unix nanoseconds, clamped to int64 (Before keeps its
// meaning between clamped values of one side of the range).
func nanos(t time.Time) int64 {
	switch {
	case t.Before(time.Unix(0, math.MinInt64)):
		return math.MinInt64
	case t.After(time.Unix(0, math.MaxInt64)):
		return math.MaxInt64
	}
	return t.UnixNano()
}

// seqArg is a uint64 position as PostgreSQL's bigint (sequences never
// reach the top).
func seqArg(after uint64) int64 { return int64(min(after, math.MaxInt64)) }

// ---- agencies and users ----

// AddAgency implements store.Store.
func (s *Store) AddAgency(ctx context.Context, a store.Agency) error {
	if a.Code == "" {
		return fmt.Errorf("add agency: empty code")
	}
	return insertNew(ctx, s.pool, "add agency "+a.Code, `INSERT INTO agencies (code, data) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
		a.Code, mustJSON(a))
}

// Agency implements store.Store.
func (s *Store) Agency(ctx context.Context, code string) (store.Agency, error) {
	var a store.Agency
	err := getJSON(ctx, s.pool, &a, `SELECT data FROM agencies WHERE code = $1`, code)
	return a, err
}

// Agencies implements store.Store.
func (s *Store) Agencies(ctx context.Context, after string, limit int) ([]store.Agency, error) {
	if limit <= 0 {
		return nil, nil
	}
	return listJSON[store.Agency](ctx, s.pool, `SELECT data FROM agencies WHERE code > $1 ORDER BY code LIMIT $2`, after, limit)
}

// AddUser implements store.Store.
func (s *Store) AddUser(ctx context.Context, u store.User) error {
	if u.ID == "" || u.CertSHA == "" {
		return fmt.Errorf("add user: empty id or certificate")
	}
	return s.tx(ctx, func(tx pgx.Tx) error {
		var one int
		if err := tx.QueryRow(ctx, `SELECT 1 FROM agencies WHERE code = $1 FOR SHARE`, u.Agency).Scan(&one); err != nil {
			if err = readErr(err); err == store.ErrNotFound {
				return fmt.Errorf("add user: agency %s: %w", u.Agency, err)
			}
			return err
		}
		return insertNew(ctx, tx, "add user "+u.ID+" (the id or the certificate is taken)",
			`INSERT INTO users (id, agency, cert_sha, data) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
			u.ID, u.Agency, u.CertSHA, mustJSON(u))
	})
}

// User implements store.Store.
func (s *Store) User(ctx context.Context, id string) (store.User, error) {
	var u store.User
	err := getJSON(ctx, s.pool, &u, `SELECT data FROM users WHERE id = $1`, id)
	return u, err
}

// UserByCert implements store.Store.
func (s *Store) UserByCert(ctx context.Context, certSHA string) (store.User, error) {
	var u store.User
	err := getJSON(ctx, s.pool, &u, `SELECT data FROM users WHERE cert_sha = $1`, certSHA)
	return u, err
}

// Users implements store.Store.
func (s *Store) Users(ctx context.Context, agency string) ([]store.User, error) {
	if agency == "" {
		return listJSON[store.User](ctx, s.pool, `SELECT data FROM users ORDER BY id`)
	}
	return listJSON[store.User](ctx, s.pool, `SELECT data FROM users WHERE agency = $1 ORDER BY id`, agency)
}

// SetUserDisabled implements store.Store.
func (s *Store) SetUserDisabled(ctx context.Context, id string, disabled bool) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		var u store.User
		if err := getJSON(ctx, tx, &u, `SELECT data FROM users WHERE id = $1 FOR UPDATE`, id); err != nil {
			return err
		}
		u.Disabled = disabled
		_, err := tx.Exec(ctx, `UPDATE users SET data = $2 WHERE id = $1`, id, mustJSON(u))
		return err
	})
}

// ---- challenges and sessions ----

// PutChallenge implements store.Store.
func (s *Store) PutChallenge(ctx context.Context, c store.Challenge) error {
	return s.putExpiring(ctx, "challenges", "id", c.ID, c.ExpiresAt, c)
}

// putExpiring inserts a challenge or a session; ErrConflict if its key
// exists.
func (s *Store) putExpiring(ctx context.Context, table, keyCol, key string, expires time.Time, v any) error {
	return insertNew(ctx, s.pool, "put "+table, `INSERT INTO `+table+` (`+keyCol+`, expires, data) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
		key, nanos(expires), mustJSON(v))
}

// TakeChallenge implements store.Store.
func (s *Store) TakeChallenge(ctx context.Context, id string) (store.Challenge, error) {
	var c store.Challenge
	err := getJSON(ctx, s.pool, &c, `DELETE FROM challenges WHERE id = $1 RETURNING data`, id)
	return c, err
}

// PutSession implements store.Store.
func (s *Store) PutSession(ctx context.Context, se store.Session) error {
	return s.putExpiring(ctx, "sessions", "token_hash", se.TokenHash, se.ExpiresAt, se)
}

// Session implements store.Store.
func (s *Store) Session(ctx context.Context, tokenHash string) (store.Session, error) {
	var se store.Session
	err := getJSON(ctx, s.pool, &se, `SELECT data FROM sessions WHERE token_hash = $1`, tokenHash)
	return se, err
}

// DeleteSession implements store.Store.
func (s *Store) DeleteSession(ctx context.Context, tokenHash string) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE token_hash = $1`, tokenHash)
	if sqlState(err) == "22021" {
		return nil // no session has such a key
	}
	return err
}

// Prune implements store.Store.
func (s *Store) Prune(ctx context.Context, now time.Time) (int, error) {
	n := 0
	err := s.tx(ctx, func(tx pgx.Tx) error {
		n = 0
		for _, table := range []string{"challenges", "sessions"} {
			tag, err := tx.Exec(ctx, `DELETE FROM `+table+` WHERE expires < $1`, nanos(now))
			if err != nil {
				return err
			}
			n += int(tag.RowsAffected())
		}
		return nil
	})
	return n, err
}

// ---- waking long polls ----

// waitList holds the WaitChange calls of this process by feed.
type waitList struct {
	mu     sync.Mutex
	byFeed map[string][]chan struct{}
}

// add registers a waiter on feeds; the channel gets a value (it never
// blocks the sender) after a commit to one of them.
func (w *waitList) add(feeds []string) chan struct{} {
	c := make(chan struct{}, 1)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.byFeed == nil {
		w.byFeed = map[string][]chan struct{}{}
	}
	for _, f := range feeds {
		w.byFeed[f] = append(w.byFeed[f], c)
	}
	return c
}

func (w *waitList) drop(c chan struct{}, feeds []string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, f := range feeds {
		list := w.byFeed[f]
		for i, have := range list {
			if have == c {
				list = append(list[:i], list[i+1:]...)
				break
			}
		}
		if len(list) == 0 {
			delete(w.byFeed, f)
		} else {
			w.byFeed[f] = list
		}
	}
}

func poke(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// wake wakes the waiters of feed, of every feed for "".
func (w *waitList) wake(feed string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if feed != "" {
		for _, c := range w.byFeed[feed] {
			poke(c)
		}
		return
	}
	for _, list := range w.byFeed {
		for _, c := range list {
			poke(c)
		}
	}
}

const (
	notifyChannel = "vanthu_feed"
	// listenerName is the application_name of the listening connection
	// (pg_stat_activity shows it).
	listenerName = "vanthu-server listen"
)

func listenConn(ctx context.Context, cfg *pgx.ConnConfig) (*pgx.Conn, error) {
	cfg = cfg.Copy()
	cfg.RuntimeParams["application_name"] = listenerName
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if _, err := conn.Exec(ctx, "LISTEN "+notifyChannel); err != nil {
		conn.Close(ctx)
		return nil, err
	}
	return conn, nil
}

// listen wakes waiters on notifications until ctx ends, connecting
// again (and waking everyone) when the connection fails.
func (s *Store) listen(ctx context.Context, cfg *pgx.ConnConfig, conn *pgx.Conn) {
	defer close(s.listenDone)
	backoff := 50 * time.Millisecond
	for {
		for conn == nil {
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, 5*time.Second)
			if c, err := listenConn(ctx, cfg); err == nil {
				conn, backoff = c, 50*time.Millisecond
				s.waits.wake("") // commits made while nobody listened
			}
		}
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			closeCtx, cancel := context.WithTimeout(context.Background(), time.Second)
			conn.Close(closeCtx)
			cancel()
			conn = nil
			if ctx.Err() != nil {
				return
			}
			s.waits.wake("")
			continue
		}
		s.waits.wake(n.Payload)
	}
}
