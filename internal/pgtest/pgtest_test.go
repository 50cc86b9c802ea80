package pgtest

import (
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

// TestStartStop: a server of our own answers on 127.0.0.1, runs as
// postgres, and after Stop its process and its directory are gone.
func TestStartStop(t *testing.T) {
	s, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	pid, err := s.PID()
	if err != nil {
		s.Stop()
		t.Fatal(err)
	}
	ctx := context.Background()
	c, err := pgx.Connect(ctx, s.URL("postgres"))
	if err != nil {
		s.Stop()
		t.Fatal(err)
	}
	var who, listen string
	err = c.QueryRow(ctx, "SELECT current_user, current_setting('listen_addresses')").Scan(&who, &listen)
	c.Close(ctx)
	if err != nil || who != "postgres" || listen != "127.0.0.1" {
		s.Stop()
		t.Fatalf("user %q listen %q: %v", who, listen, err)
	}
	fi, err := os.Stat(s.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Uid == 0 {
		s.Stop()
		t.Fatal("the server's directory belongs to root, not postgres")
	}
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	if alive(pid) {
		t.Fatalf("postmaster %d still runs after Stop", pid)
	}
	if _, err := os.Stat(s.Dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("directory kept after Stop: %v", err)
	}
	if conn, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(s.Port), time.Second); err == nil {
		conn.Close()
		t.Fatal("port still answers after Stop")
	}
}

// TestDatabasesIsolated: two tests' databases do not share tables, and a
// database is dropped when its test ends.
func TestDatabasesIsolated(t *testing.T) {
	ctx := context.Background()
	var first string
	t.Run("a", func(t *testing.T) {
		first = Database(t)
		c, err := pgx.Connect(ctx, first)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "CREATE TABLE x (v int)"); err != nil {
			t.Fatal(err)
		}
	})
	second := Database(t)
	if second == first {
		t.Fatal("one database given twice")
	}
	c, err := pgx.Connect(ctx, second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, "CREATE TABLE x (v int)"); err != nil {
		t.Fatalf("the other test's table is here: %v", err)
	}
	if c2, err := pgx.Connect(ctx, first); err == nil {
		c2.Close(ctx)
		t.Fatal("the first test's database was not dropped")
	}
}

// TestReapStale: a server whose test binary died (here: a child process
// that starts one and is killed) is stopped by the next Start.
func TestReapStale(t *testing.T) {
	if os.Getenv("PGTEST_CHILD") == "1" {
		s, err := Start()
		if err != nil {
			os.Stdout.WriteString("error " + err.Error() + "\n")
			os.Exit(1)
		}
		os.Stdout.WriteString(s.Dir + "\n")
		os.Stdout.Close()
		time.Sleep(time.Hour) // killed by the parent
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestReapStale$")
	cmd.Env = append(os.Environ(), "PGTEST_CHILD=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4096)
	n, _ := out.Read(buf)
	cmd.Process.Kill()
	cmd.Wait()
	dir := string(buf[:n])
	if len(dir) == 0 || dir[len(dir)-1] != '\n' {
		t.Fatalf("child said %q", dir)
	}
	dir = dir[:len(dir)-1]
	orphan := &Server{Dir: dir}
	pid, err := orphan.PID()
	if err != nil {
		t.Fatalf("child's server: %v", err)
	}
	if !alive(pid) {
		t.Fatal("the orphan server is not running: the test shows nothing")
	}
	s, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	if alive(pid) {
		t.Fatalf("orphan postmaster %d still runs after the next Start", pid)
	}
	if _, err := os.Stat(filepath.Join(dir, "data")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("orphan directory kept: %v", err)
	}
}
