package pg

import (
	"context"
	"os"
	"testing"

	"github.com/vanthuso/vanthu/internal/pgtest"
	"github.com/vanthuso/vanthu/server/store"
	"github.com/vanthuso/vanthu/server/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

var ctx = context.Background()

// open opens a store on url, closed when t ends.
func open(t testing.TB, url string) *Store {
	t.Helper()
	s, err := Open(ctx, url, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSuite(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return open(t, pgtest.Database(t)) })
}
