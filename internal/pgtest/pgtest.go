// Package pgtest starts a real PostgreSQL (Debian's postgresql package)
// for tests: one server per test binary, in a temporary directory,
// listening on 127.0.0.1 only, and one new database per test.
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
//
//	func TestSomething(t *testing.T) {
//		url := pgtest.Database(t) // postgres://postgres@127.0.0.1:PORT/t_…
//		…
//	}
//
// Import it only from _test.go files: release binaries carry no test
// code.
//
// # The server
//
// The first Database call starts the server: initdb and pg_ctl run as the
// postgres user (`runuser -u postgres --`, since initdb refuses root) on a
// directory under os.TempDir() named vanthu-pgtest-*, owned by postgres,
// with a free port on 127.0.0.1, the unix socket in the directory, trust
// authentication (only loopback, only this machine) and fsync off (a test
// server need not survive a power cut; the store's durability is
// PostgreSQL's own). Main stops it with `pg_ctl stop -m immediate` after
// the tests and removes the directory. A test binary killed before that
// (a timeout, a panic) leaves its server running: the next Start stops
// every server whose owner process is gone (the directory's owner.pid)
// and removes its directory.
//
// The binaries are found in $VANTHU_PG_BIN, else in the newest
// /usr/lib/postgresql/*/bin (scripts/deps.sh installs postgresql). A
// missing PostgreSQL fails the test: it is never skipped.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Server is a running PostgreSQL started by Start. Stop it.
type Server struct {
	Dir  string // the temporary directory: data/, the socket, the log
	Port int    // on 127.0.0.1
	bin  string
}

const dirPrefix = "vanthu-pgtest-"

// BinDir returns the directory of initdb and pg_ctl.
func BinDir() (string, error) {
	if d := os.Getenv("VANTHU_PG_BIN"); d != "" {
		return d, nil
	}
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(found) == 0 {
		return "", errors.New("PostgreSQL not found in /usr/lib/postgresql/*/bin: run scripts/deps.sh (or set VANTHU_PG_BIN)")
	}
	sort.Slice(found, func(i, j int) bool { return pgVersion(found[i]) < pgVersion(found[j]) })
	return filepath.Dir(found[len(found)-1]), nil
}

func pgVersion(initdb string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(initdb))))
	return n
}

// Start initialises and starts a new server. The caller stops it.
func Start() (*Server, error) { return StartWith(Options{}) }

// Options change what Start does.
type Options struct {
	// Durable keeps PostgreSQL's defaults for durability (fsync,
	// synchronous commit, full page writes): what a benchmark that
	// compares with a store that fsyncs must use.
	Durable bool
	// MaxConnections is max_connections (200 when 0).
	MaxConnections int
}

// StartWith is Start with o.
func StartWith(o Options) (*Server, error) {
	if o.MaxConnections == 0 {
		o.MaxConnections = 200
	}
	bin, err := BinDir()
	if err != nil {
		return nil, err
	}
	pg, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("pgtest: the postgres user: %w", err)
	}
	uid, _ := strconv.Atoi(pg.Uid)
	gid, _ := strconv.Atoi(pg.Gid)
	reapStale(bin)
	dir, err := os.MkdirTemp("", dirPrefix+"*")
	if err != nil {
		return nil, err
	}
	s := &Server{Dir: dir, bin: bin}
	if err := os.WriteFile(filepath.Join(dir, "owner.pid"), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := os.Chown(dir, uid, gid); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("pgtest: %w", err)
	}
	if out, err := s.asPostgres("initdb", "-D", s.data(), "--auth=trust", "--username=postgres",
		"--encoding=UTF8", "--locale=C", "--no-sync", "--no-instructions").CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("pgtest: initdb: %v\n%s", err, out)
	}
	// A free port may be taken between the probe and the start: try a few.
	for attempt := 0; ; attempt++ {
		if s.Port, err = freePort(); err != nil {
			break
		}
		opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -c port=%d -c unix_socket_directories=%s -c max_connections=%d",
			s.Port, dir, o.MaxConnections)
		if !o.Durable {
			opts += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
		}
		out, startErr := s.asPostgres("pg_ctl", "start", "-w", "-t", "60", "-D", s.data(), "-l", s.logFile(), "-o", opts).CombinedOutput()
		if startErr == nil {
			return s, nil
		}
		err = fmt.Errorf("pgtest: pg_ctl start: %v\n%s\n%s", startErr, out, s.logTail())
		if attempt == 4 {
			break
		}
	}
	s.Stop()
	return nil, err
}

func (s *Server) data() string    { return filepath.Join(s.Dir, "data") }
func (s *Server) logFile() string { return filepath.Join(s.Dir, "postgres.log") }

func (s *Server) logTail() string {
	b, _ := os.ReadFile(s.logFile())
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

func (s *Server) asPostgres(tool string, args ...string) *exec.Cmd {
	cmd := exec.Command("runuser", append([]string{"-u", "postgres", "--", filepath.Join(s.bin, tool)}, args...)...)
	cmd.Dir = s.Dir
	return cmd
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// PID returns the postmaster's process id (from postmaster.pid).
func (s *Server) PID() (int, error) {
	b, err := os.ReadFile(filepath.Join(s.data(), "postmaster.pid"))
	if err != nil {
		return 0, err
	}
	first, _, _ := strings.Cut(string(b), "\n")
	return strconv.Atoi(strings.TrimSpace(first))
}

// Stop stops the server at once (pg_ctl stop -m immediate) and removes
// its directory.
func (s *Server) Stop() error {
	var err error
	if _, statErr := os.Stat(filepath.Join(s.data(), "postmaster.pid")); statErr == nil {
		if out, stopErr := s.asPostgres("pg_ctl", "stop", "-m", "immediate", "-w", "-D", s.data()).CombinedOutput(); stopErr != nil {
			err = fmt.Errorf("pgtest: pg_ctl stop: %v\n%s", stopErr, out)
		}
	}
	if rmErr := os.RemoveAll(s.Dir); err == nil {
		err = rmErr
	}
	return err
}

// URL returns the address of database name.
func (s *Server) URL(name string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", s.Port, name)
}

// CreateDatabase creates a new, empty database with a random name and
// returns its name.
func (s *Server) CreateDatabase(ctx context.Context) (string, error) {
	var b [8]byte
	rand.Read(b[:])
	name := "t_" + hex.EncodeToString(b[:])
	return name, s.admin(ctx, "CREATE DATABASE "+name)
}

// DropDatabase drops a database, closing its connections.
func (s *Server) DropDatabase(ctx context.Context, name string) error {
	return s.admin(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
}

func (s *Server) admin(ctx context.Context, sql string) error {
	c, err := pgx.Connect(ctx, s.URL("postgres"))
	if err != nil {
		return fmt.Errorf("pgtest: %w", err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, sql); err != nil {
		return fmt.Errorf("pgtest: %s: %w", sql, err)
	}
	return nil
}

// reapStale stops the servers of test binaries that died without
// stopping them, and removes their directories.
func reapStale(bin string) {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), dirPrefix+"*"))
	for _, d := range dirs {
		b, err := os.ReadFile(filepath.Join(d, "owner.pid"))
		if err != nil {
			continue
		}
		pid, err := strconv.Atoi(string(b))
		if err != nil || alive(pid) {
			continue
		}
		(&Server{Dir: d, bin: bin}).Stop()
	}
}

// alive reports whether process pid runs (a zombie, which nobody reaped
// yet, does not).
func alive(pid int) bool {
	if stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
		// pid (comm) state …: comm may hold spaces and parentheses.
		i := strings.LastIndexByte(string(stat), ')')
		return i < 0 || i+2 >= len(stat) || stat[i+2] != 'Z'
	} else if errors.Is(err, os.ErrNotExist) {
		return false
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	err = p.Signal(syscall.Signal(0))
	return err == nil || errors.Is(err, syscall.EPERM)
}

// ---- one server per test binary ----

var shared struct {
	mu      sync.Mutex
	inMain  bool
	srv     *Server
	err     error
	started bool
}

// Main runs the tests and then stops the server Database started. Call
// it from TestMain: os.Exit(pgtest.Main(m)).
func Main(m *testing.M) int {
	shared.mu.Lock()
	shared.inMain = true
	shared.mu.Unlock()
	code := m.Run()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.srv != nil {
		if err := shared.srv.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			if code == 0 {
				code = 1
			}
		}
		shared.srv = nil
	}
	return code
}

// Shared returns the test binary's server, starting it on first use. It
// fails the test when PostgreSQL cannot be started or when TestMain does
// not call Main (the server would outlive the tests).
func Shared(t testing.TB) *Server {
	t.Helper()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if !shared.inMain {
		t.Fatal("pgtest: TestMain must call pgtest.Main, which stops the server after the tests")
	}
	if !shared.started {
		shared.started = true
		shared.srv, shared.err = Start()
	}
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.srv
}

// Database creates a new database on the shared server for t, dropped
// when t ends, and returns its URL.
func Database(t testing.TB) string {
	t.Helper()
	s := Shared(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	name, err := s.CreateDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := s.DropDatabase(ctx, name); err != nil {
			t.Error(err)
		}
	})
	return s.URL(name)
}
