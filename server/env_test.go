package server

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/internal/pgtest"
	"github.com/vanthuso/vanthu/server/servertest"
	"github.com/vanthuso/vanthu/server/store"
	"github.com/vanthuso/vanthu/server/store/bolt"
	"github.com/vanthuso/vanthu/server/store/pg"
	"github.com/vanthuso/vanthu/sync/protocol"
)

// Agencies of the tests.
const (
	agencyA = "000.00.00.H41"
	agencyB = "000.00.00.G22"
	agencyC = "000.00.00.H42"
)

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// env is a server on a loopback listener over a real bolt store.
type env struct {
	t     *testing.T
	srv   *Server
	st    store.Store
	hs    *httptest.Server
	clock *clock
}

// TestMain: the tests that use PostgreSQL (pgEnv) share one real server
// started on first use (internal/pgtest).
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// boltEnv and pgEnv are newEnv on each store.
func boltEnv(t *testing.T) *env { return newEnv(t, nil) }

func pgEnv(t *testing.T) *env {
	t.Helper()
	st, err := pg.Open(context.Background(), pgtest.Database(t), pg.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return newEnvStore(t, st, nil)
}

func newEnv(t *testing.T, mod func(*Config)) *env {
	t.Helper()
	st, err := bolt.Open(t.TempDir(), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return newEnvStore(t, st, mod)
}

func newEnvStore(t *testing.T, st store.Store, mod func(*Config)) *env {
	t.Helper()
	ctx := context.Background()
	for _, code := range []string{agencyA, agencyB, agencyC} {
		if _, err := st.Agency(ctx, code); err == nil {
			continue
		}
		if err := st.AddAgency(ctx, store.Agency{Code: code, Name: "Cơ quan " + code, Email: "vanthu@" + code}); err != nil {
			t.Fatal(err)
		}
	}
	e := &env{t: t, st: st, clock: &clock{t: time.Now()}}
	c := Config{Store: st, Name: "127.0.0.1", Now: e.clock.Now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), MaxWait: 5 * time.Second}
	if mod != nil {
		mod(&c)
	}
	srv, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	e.srv = srv
	e.hs = httptest.NewServer(srv)
	t.Cleanup(e.hs.Close)
	return e
}

// anonymous is a client without a session.
func (e *env) anonymous() *servertest.Client {
	return servertest.NewClient(e.t, e.hs.URL, nil)
}

// user adds a user of agency with roles and returns a signed-in client.
func (e *env) user(agency string, roles ...protocol.Role) *servertest.Client {
	e.t.Helper()
	id := servertest.NewIdentity(e.t, "user of "+agency, false, time.Time{}, time.Time{})
	e.bind(agency, id, roles...)
	c := e.anonymous()
	c.SignIn(id.Key, id.Cert)
	return c
}

// bind adds a user for id and returns it.
func (e *env) bind(agency string, id servertest.Identity, roles ...protocol.Role) store.User {
	e.t.Helper()
	u, err := AddUser(context.Background(), e.st, NewUser{Agency: agency, Name: "Nguyễn Văn An", Cert: id.Cert.Raw, Roles: roles})
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}

// sent uploads data and sends it from c (of agency from) to the
// recipients; it returns the answer.
func (e *env) sent(c *servertest.Client, from string, data []byte, to ...string) protocol.SendAnswer {
	e.t.Helper()
	c.Upload(data, 1<<20)
	a := c.Send(protocol.NewClientID(), servertest.Document(from, to, servertest.Attachment(data, "van-ban.pdf", "application/pdf"))).Want(e.t, 201)
	var ans protocol.SendAnswer
	a.Decode(e.t, &ans)
	return ans
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}
