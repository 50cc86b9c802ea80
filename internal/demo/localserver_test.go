package demo

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/internal/testpki"
	"github.com/vanthuso/vanthu/sync/client"
	"github.com/vanthuso/vanthu/sync/profile"
)

// envServerChild makes the test binary a demo app that starts the demo
// server in the folder it names, prints the server's URL and waits to be
// killed (TestServerDiesWithItsApp).
const envServerChild = "VANTHU_DEMO_SERVER_CHILD"

func TestMain(m *testing.M) {
	if dir := os.Getenv(envServerChild); dir != "" {
		env, err := Prepare(context.Background(), dir)
		if err == nil {
			var s *Server
			if s, err = env.StartServer(context.Background()); err == nil {
				fmt.Println(s.URL)
				select {}
			}
		}
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

// serverOnPath builds vanthu-server and puts it first on PATH.
func serverOnPath(t *testing.T) {
	t.Helper()
	bin := t.TempDir()
	out, err := exec.Command("go", "build", "-o", bin+"/", "github.com/vanthuso/vanthu/cmd/vanthu-server").CombinedOutput()
	if err != nil {
		t.Fatalf("build vanthu-server: %v\n%s", err, out)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
}

func prepared(t *testing.T) *Env {
	t.Helper()
	t.Setenv(testpki.EnvConfig, "")
	env, err := Prepare(context.Background(), filepath.Join(t.TempDir(), "vanthu-demo"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { env.Close() })
	return env
}

func answers(s *Server) bool {
	pool, _ := profile.CAPool(s.CA)
	_, ok := answering(context.Background(), filepath.Join(filepath.Dir(s.CAFile), "..", addrFile), &tls.Config{RootCAs: pool})
	return ok
}

// TestStartServer starts the demo server as a process, signs in as each
// demo user with their token and reads the directory through the real
// client; a second start finds the running server and leaves it alone;
// Close stops the one this process started, and the next start starts
// one again instead of trusting the address file left behind.
func TestStartServer(t *testing.T) {
	serverOnPath(t)
	env := prepared(t)
	ctx := context.Background()
	s, err := env.StartServer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !s.Owned || !strings.HasPrefix(s.URL, "https://127.0.0.1:") {
		t.Fatalf("server %+v: want one this process owns on loopback", s)
	}
	roots, err := profile.CAPool(s.CA)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range Users {
		signer, closer, id, err := env.Signer(u)
		if err != nil {
			t.Fatal(err)
		}
		c, err := client.New(client.Config{BaseURL: s.URL, RootCAs: roots})
		if err != nil {
			t.Fatal(err)
		}
		sess, err := c.Login(ctx, signer, id.Cert)
		closer.Close()
		if err != nil {
			t.Fatalf("%s signs in: %v", u.ID, err)
		}
		if sess.User.ID != u.ID || sess.User.Agency.OrganID != u.Agency {
			t.Errorf("%s signed in as %s of %s", u.ID, sess.User.ID, sess.User.Agency.OrganID)
		}
		if u.ID == "van-thu-stc" {
			d, err := profile.FetchDirectory(ctx, c)
			if err != nil {
				t.Fatal(err)
			}
			if d.Len() != edoc.DemoDirectory().Len() {
				t.Errorf("the server's directory has %d agencies, the demo's %d", d.Len(), edoc.DemoDirectory().Len())
			}
		}
	}

	again, err := env.StartServer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if again.Owned || again.URL != s.URL {
		t.Errorf("second start: %+v, want the running server %s, not owned", again, s.URL)
	}
	again.Close() // not this one's: the server goes on
	if !answers(s) {
		t.Fatal("closing a server found running stopped it")
	}
	s.Close()
	<-s.Done()
	if answers(s) {
		t.Fatal("the server answers after Close")
	}
	third, err := env.StartServer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer third.Close()
	if !third.Owned {
		t.Error("after the server stopped, the next start reused its stale address")
	}
}

// An address file naming another program's TLS server (the port was
// taken after the demo server stopped) is not taken for the demo server:
// the certificate is not the folder's.
func TestStartServerIgnoresImpostor(t *testing.T) {
	serverOnPath(t)
	env := prepared(t)
	impostor := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer impostor.Close()
	dir := env.path(serverDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, addrFile), []byte(impostor.Listener.Addr().String()+"\n"), 0o644)
	s, err := env.StartServer(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !s.Owned || strings.Contains(s.URL, impostor.Listener.Addr().String()) {
		t.Errorf("the impostor at %s was taken for the demo server: %+v", impostor.Listener.Addr(), s)
	}
}

func TestStartServerMissingBinary(t *testing.T) {
	env := prepared(t)
	t.Setenv("PATH", t.TempDir())
	_, err := env.StartServer(context.Background())
	var se *StepError
	if !errors.Is(err, ErrNoServerBinary) || !errors.As(err, &se) || se.Step != StepServer {
		t.Fatalf("without vanthu-server: %v, want ErrNoServerBinary in StepServer", err)
	}
	if !strings.Contains(err.Error(), "make build") {
		t.Errorf("the error does not say how to build it: %v", err)
	}
}

// The app killed with SIGKILL (no Close): the kernel ends its server
// (Pdeathsig), so that no orphan keeps the store locked.
func TestServerDiesWithItsApp(t *testing.T) {
	serverOnPath(t)
	env := prepared(t)
	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), envServerChild+"="+env.Dir)
	child.Stderr = os.Stderr
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer child.Process.Kill()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		child.Process.Kill()
		child.Wait()
		t.Fatalf("the child printed no address: %v", err)
	}
	addr := strings.TrimPrefix(strings.TrimSpace(line), "https://")
	if conn, err := net.Dial("tcp", addr); err != nil {
		t.Fatalf("the child's server does not listen at %s: %v", addr, err)
	} else {
		conn.Close()
	}
	child.Process.Signal(syscall.SIGKILL)
	child.Wait()
	deadline := time.Now().Add(30 * time.Second)
	for {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			break // nobody listens any more
		}
		conn.Close()
		if time.Now().After(deadline) {
			t.Fatalf("the demo server at %s outlived its app by 30 s", addr)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// Its store is free again: the next start owns a new server.
	s, err := env.StartServer(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !s.Owned {
		t.Error("after the app died, its server's address was reused")
	}
}
