package main

import (
	"bufio"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	gosync "sync"
	"syscall"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/vanthuso/vanthu/internal/testpki"
)

// The scripts' commands for the reference server (sync_server.txtar):
// vanthu-server built from ../vanthu-server, once per test process, and
// run as a real process.

// serverBinary is vanthu-server built for the scripts.
var serverBinary struct {
	once gosync.Once
	path string
	err  error
}

// vanthuServer builds vanthu-server into the shared PKI's temporary
// folder (removed when the tests end) the first time a script needs it.
func vanthuServer() (string, error) {
	serverBinary.once.Do(func() {
		s, err := shared.get()
		if err != nil {
			serverBinary.err = err
			return
		}
		path := filepath.Join(s.dir, "bin", "vanthu-server")
		cmd := exec.Command("go", "build", "-o", path, "../vanthu-server")
		if out, err := cmd.CombinedOutput(); err != nil {
			serverBinary.err = fmt.Errorf("build vanthu-server: %v\n%s", err, out)
			return
		}
		serverBinary.path = path
	})
	return serverBinary.path, serverBinary.err
}

// serverProcess is a script's `vanthu-server serve`.
type serverProcess struct {
	cmd  *exec.Cmd
	done chan error
	log  *lockedBuffer
}

// servers are the running servers, one per script at most.
var servers gosync.Map // *testscript.TestScript → *serverProcess

// cmdVanthuServer runs vanthu-server:
//
//	vanthu-server ARGS...        runs it; its output is kept for stdout and stderr
//	vanthu-server serve ARGS...  starts it in the background and waits until it
//	                             listens; $SERVER is then https://ADDR,
//	                             $SERVER_ADDR the ADDR
//	vanthu-server stop           stops it (SIGTERM); it must exit with 0
//
// A server still running at the script's end is stopped the same way.
func cmdVanthuServer(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) == 0 {
		ts.Fatalf("usage: vanthu-server serve|stop|ARGS...")
	}
	bin, err := vanthuServer()
	ts.Check(err)
	switch args[0] {
	case "serve":
		if neg {
			ts.Fatalf("usage: vanthu-server serve cannot be negated")
		}
		startServer(ts, bin, args)
	case "stop":
		if neg || len(args) != 1 {
			ts.Fatalf("usage: vanthu-server stop")
		}
		v, ok := servers.LoadAndDelete(ts)
		if !ok {
			ts.Fatalf("no vanthu-server is running")
		}
		ts.Check(stopServer(v.(*serverProcess)))
	default:
		err := ts.Exec(bin, args...)
		switch {
		case neg && err == nil:
			ts.Fatalf("vanthu-server %s succeeded unexpectedly", args[0])
		case !neg && err != nil:
			ts.Fatalf("vanthu-server %s: %v", args[0], err)
		}
	}
}

func startServer(ts *testscript.TestScript, bin string, args []string) {
	if _, running := servers.Load(ts); running {
		ts.Fatalf("vanthu-server is already running")
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = ts.Getenv("WORK")
	out, err := cmd.StdoutPipe()
	ts.Check(err)
	p := &serverProcess{cmd: cmd, done: make(chan error, 1), log: &lockedBuffer{}}
	cmd.Stderr = p.log
	ts.Check(cmd.Start())
	addr := make(chan string, 1)
	go func() {
		lines := bufio.NewScanner(out)
		first := true
		for lines.Scan() {
			if a, ok := strings.CutPrefix(lines.Text(), "listening on "); ok && first {
				addr <- a
			}
			first = false
		}
		close(addr)
		p.done <- cmd.Wait()
	}()
	select {
	case a, ok := <-addr:
		if !ok {
			err := <-p.done
			ts.Fatalf("vanthu-server serve ended (%v) before it listened; its log:\n%s", err, p.log)
		}
		servers.Store(ts, p)
		ts.Defer(func() {
			if v, ok := servers.LoadAndDelete(ts); ok {
				if err := stopServer(v.(*serverProcess)); err != nil {
					ts.Logf("%v", err)
				}
			}
		})
		ts.Setenv("SERVER", "https://"+a)
		ts.Setenv("SERVER_ADDR", a)
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		<-p.done
		ts.Fatalf("vanthu-server serve did not listen within a minute; its log:\n%s", p.log)
	}
}

// stopServer sends SIGTERM and waits for the exit, which must be clean;
// a server that does not stop within a minute is killed.
func stopServer(p *serverProcess) error {
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		if err != nil {
			return fmt.Errorf("vanthu-server serve ended with %v; its log:\n%s", err, p.log)
		}
		return nil
	case <-time.After(time.Minute):
		p.cmd.Process.Kill()
		<-p.done
		return fmt.Errorf("vanthu-server serve did not stop on SIGTERM within a minute; its log:\n%s", p.log)
	}
}

// lockedBuffer collects a process's output for several goroutines.
type lockedBuffer struct {
	mu gosync.Mutex
	b  strings.Builder
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// cmdCertPEM writes the certificate of a demo token of the script's PKI
// as PEM, for `vanthu-server admin user add --cert`:
//
//	certpem leader|agency|agency2|agency3 FILE
func cmdCertPEM(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: certpem leader|agency|agency2|agency3|ecdsa FILE")
	}
	p := ts.Value(pkiKey{}).(*testpki.PKI)
	ids := map[string]testpki.Identity{"leader": p.Leader, "agency": p.Agency, "agency2": p.Agency2, "agency3": p.Agency3, "ecdsa": p.ECDSA}
	id, ok := ids[args[0]]
	if !ok {
		ts.Fatalf("certpem: no identity %q", args[0])
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: id.Cert.Raw}), 0o644))
}

// cmdCapture sets a variable from the last command's standard output:
//
//	capture VAR REGEXP
//
// VAR becomes the first group of REGEXP's first match; no match fails.
func cmdCapture(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: capture VAR REGEXP")
	}
	re, err := regexp.Compile(args[1])
	ts.Check(err)
	if re.NumSubexp() < 1 {
		ts.Fatalf("capture: %q has no group", args[1])
	}
	m := re.FindStringSubmatch(ts.ReadFile("stdout"))
	if m == nil {
		ts.Fatalf("capture: no match for %q in stdout", args[1])
	}
	ts.Setenv(args[0], m[1])
}
