package pg

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/vanthuso/vanthu/internal/pgtest"
	"github.com/vanthuso/vanthu/server/store"
)

func versions(t *testing.T, pool *pgxpool.Pool) []int {
	t.Helper()
	rows, err := pool.Query(ctx, `SELECT version FROM schema_version ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	var out []int
	for rows.Next() {
		var v int
		rows.Scan(&v)
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestMigrateFromV1: a database of schema 1 (before the agencies' own
// records) opens as the current schema with what it held and takes work commits;
// opening again changes nothing; a newer schema is refused, in
// Vietnamese and English.
func TestMigrateFromV1(t *testing.T) {
	url := pgtest.Database(t)
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if err := migrate(ctx, pool, 1); err != nil {
		t.Fatal(err)
	}
	if got := versions(t, pool); len(got) != 1 || got[0] != 1 {
		t.Fatalf("versions %v after migrating to 1", got)
	}
	var cases *string
	pool.QueryRow(ctx, `SELECT to_regclass('cases')::text`).Scan(&cases)
	if cases != nil {
		t.Fatal("schema 1 has the cases table: the test shows nothing")
	}
	a, _ := json.Marshal(store.Agency{Code: agencyA, Name: "UBND"})
	if _, err := pool.Exec(ctx, `INSERT INTO agencies (code, data) VALUES ($1, $2)`, agencyA, a); err != nil {
		t.Fatal(err)
	}

	s := open(t, url)
	meta, _ := s.Meta(ctx)
	if got, err := s.Agency(ctx, agencyA); err != nil || got.Name != "UBND" {
		t.Fatalf("the agency after the migration: %+v %v", got, err)
	}
	if _, ok, err := s.CommitWork(ctx, numbered(agencyA, "c1")); err != nil || !ok {
		t.Fatalf("work commit after the migration: %v %v", ok, err)
	}
	s.Close()
	s = open(t, url)
	again, _ := s.Meta(ctx)
	s.Close()
	if string(again.Epoch) != string(meta.Epoch) || string(again.CursorKey) != string(meta.CursorKey) {
		t.Fatal("meta changed on reopen")
	}
	if got := versions(t, pool); len(got) != len(migrations) || got[0] != 1 || got[len(got)-1] != len(migrations) {
		t.Fatalf("versions %v after two opens, want 1 to %d", got, len(migrations))
	}

	if _, err := pool.Exec(ctx, `INSERT INTO schema_version (version) VALUES ($1)`, len(migrations)+1); err != nil {
		t.Fatal(err)
	}
	_, err = Open(ctx, url, Options{})
	if err == nil || !strings.Contains(err.Error(), "mới hơn") || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("opening a newer schema: %v, want a refusal in Vietnamese and English", err)
	}
}

// TestMigrateReplicasTogether: replicas starting at once on a new
// database migrate it once and share one meta.
func TestMigrateReplicasTogether(t *testing.T) {
	url := pgtest.Database(t)
	const n = 6
	stores := make([]*Store, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := Open(ctx, url, Options{})
			if err != nil {
				t.Error(err)
				return
			}
			stores[i] = s
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	first, _ := stores[0].Meta(ctx)
	for _, s := range stores {
		m, _ := s.Meta(ctx)
		if string(m.Epoch) != string(first.Epoch) {
			t.Error("replicas disagree on the epoch")
		}
	}
	if got := versions(t, stores[0].pool); len(got) != len(migrations) {
		t.Errorf("versions %v, want each migration once", got)
	}
	for _, s := range stores {
		s.Close()
	}
}

// TestOpenErrors: what an operator sees for a wrong address, in
// Vietnamese and English, without the password.
func TestOpenErrors(t *testing.T) {
	for _, dsn := range []string{"postgres://u:secret-pw@127.0.0.1:1/x?connect_timeout=5", "postgres://%zz"} {
		_, err := Open(ctx, dsn, Options{})
		if err == nil {
			t.Fatalf("%s opened", dsn)
		}
		msg := err.Error()
		if strings.Contains(msg, "secret-pw") || !strings.Contains(msg, "PostgreSQL") || !(strings.Contains(msg, "không") || strings.Contains(msg, "hợp lệ")) {
			t.Fatalf("%s: %q", dsn, msg)
		}
	}
}

// TestMigrationFailureRollsBack: a migration that fails half-way leaves
// nothing of itself (its transaction rolls back) and the version where
// it was; the next start, with the migration fixed, applies it.
func TestMigrationFailureRollsBack(t *testing.T) {
	url := pgtest.Database(t)
	open(t, url).Close()
	saved := migrations
	defer func() { migrations = saved }()
	migrations = append(append([]func(ctx context.Context, tx pgx.Tx) error(nil), saved...),
		sqlMigration(`CREATE TABLE half_done (v int); SELECT no_such_function()`))
	if _, err := Open(ctx, url, Options{}); err == nil {
		t.Fatal("a failing migration opened the store")
	}
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var half *string
	pool.QueryRow(ctx, `SELECT to_regclass('half_done')::text`).Scan(&half)
	if half != nil {
		t.Fatal("the failed migration left its table")
	}
	if got := versions(t, pool); len(got) != len(saved) {
		t.Fatalf("versions %v after a failed migration, want %d", got, len(saved))
	}
	migrations[len(saved)] = sqlMigration(`CREATE TABLE half_done (v int)`)
	open(t, url).Close()
	if got := versions(t, pool); len(got) != len(saved)+1 {
		t.Fatalf("versions %v after the fixed migration, want %d", got, len(saved)+1)
	}
}
