package demo

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/vanthuso/vanthu/server"
	"github.com/vanthuso/vanthu/sync/profile"
	"github.com/vanthuso/vanthu/sync/protocol"
)

// StepServer is the step of StartServer: the local vanthu-server
// starting (or found running).
const StepServer Step = "server"

// ServerBinary is the name of the server's executable (".exe" added on
// Windows).
const ServerBinary = "vanthu-server"

// ErrNoServerBinary: vanthu-server is neither next to the running
// executable nor on PATH. Its text says how to build it.
var ErrNoServerBinary = errors.New("không tìm thấy chương trình vanthu-server cạnh vanthu hay trên PATH: chạy make build " +
	"(hoặc go build -o bin/ ./cmd/vanthu-server) rồi mở lại chế độ trình diễn " +
	"(vanthu-server was found neither next to vanthu nor on PATH: run make build, or go build -o bin/ ./cmd/vanthu-server, then start the demo again)")

// The demo server's folder, DIR/server:
//
//	DIR/server/            its data directory (vanthu-server init): store, TLS key and certificate
//	DIR/server/addr        host:port while it serves (--addr-file)
//	DIR/server/server.log  what it printed, for support
//	DIR/nguoi-dung/<user>/ each demo user's client folder (sync/profile)
const (
	serverDir  = "server"
	addrFile   = "addr"
	serverLog  = "server.log"
	clientsDir = "nguoi-dung"
)

// serverStartTimeout bounds the wait for a started server's address.
const serverStartTimeout = 60 * time.Second

// Server is the demo's local vanthu-server, reached on loopback.
type Server struct {
	URL    string // https://127.0.0.1:PORT
	CAFile string // the server's self-signed TLS certificate (PEM): the client's root
	CA     []byte // its bytes
	// Owned says this process started the server: Close stops it. A
	// server found running for the folder (another demo window started
	// it) is used as it is and left running.
	Owned bool

	cmd  *exec.Cmd
	done chan struct{} // closed when the child has exited
	err  error         // the child's exit, once done
}

// ClientDir is the folder (sync/profile) of a demo user's client cache
// in the demo folder dir.
func ClientDir(dir, userID string) string {
	return filepath.Join(dir, clientsDir, profile.Key(userID))
}

// FindServerBinary looks for vanthu-server next to the running
// executable, then on PATH; ErrNoServerBinary when it is in neither.
func FindServerBinary() (string, error) {
	name := ServerBinary
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	if exe, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(exe), name)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p, nil
		}
	}
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	return "", ErrNoServerBinary
}

// StartServer starts the demo's vanthu-server as a child process, or
// finds one running for this folder. The first time it initialises the
// server's data directory (host 127.0.0.1) and, while the server is not
// running, puts the demo agencies and users into it (SeedServer, which
// changes nothing the second time). The server listens on a free port
// of 127.0.0.1, trusts the demo's CA for the documents it verifies and
// accepts their unchecked revocation (the demo PKI has no OCSP
// responder).
//
// The child is tied to this process: Close stops it (SIGTERM, then a
// kill after 5 s); on Linux the kernel kills it if this process dies
// without closing (Pdeathsig). On Windows and macOS a crashed app leaves
// it running; the next demo start finds it through DIR/server/addr and
// uses it.
//
// Errors: ErrNoServerBinary (wrapped, as a *StepError) when vanthu-server
// is missing; others say which part failed.
func (e *Env) StartServer(ctx context.Context) (*Server, error) {
	s, err := e.startServer(ctx)
	if err != nil {
		return nil, &StepError{StepServer, err}
	}
	return s, nil
}

func (e *Env) startServer(ctx context.Context) (*Server, error) {
	dir := e.path(serverDir)
	if _, err := server.Init(dir, []string{"127.0.0.1"}); err != nil {
		return nil, err
	}
	s := &Server{CAFile: filepath.Join(dir, "tls", "cert.pem")}
	ca, err := os.ReadFile(s.CAFile)
	if err != nil {
		return nil, err
	}
	s.CA = ca
	tlsConf, err := clientTLS(ca)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(serverStartTimeout)
	for {
		if addr, ok := answering(ctx, filepath.Join(dir, addrFile), tlsConf); ok {
			s.URL = "https://" + addr
			return s, nil // another demo window's server
		}
		st, err := server.OpenStore(dir)
		if errors.Is(err, server.ErrServerRunning) {
			// A server holds the store but does not answer yet: it is
			// starting (another window) or stopping. Wait for it.
			if time.Now().After(deadline) {
				return nil, fmt.Errorf("the demo server's store %s is locked and nothing answers at its address", dir)
			}
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(250 * time.Millisecond):
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		err = SeedServer(ctx, st, e.PKI)
		if cerr := st.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, err
		}
		break
	}
	bin, err := FindServerBinary()
	if err != nil {
		return nil, err
	}
	if err := s.spawn(ctx, bin, dir, e.path("tin-cay", "ca.pem"), tlsConf); err != nil {
		return nil, err
	}
	s.Owned = true
	return s, nil
}

// spawn starts `vanthu-server serve` and waits until its address answers.
func (s *Server) spawn(ctx context.Context, bin, dir, trust string, tlsConf *tls.Config) error {
	addrPath := filepath.Join(dir, addrFile)
	if err := os.Remove(addrPath); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	log, err := os.OpenFile(filepath.Join(dir, serverLog), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	defer log.Close() // the child has its own descriptor
	cmd := exec.Command(bin, "serve", "--data", dir, "--listen", "127.0.0.1:0", "--addr-file", addrPath,
		"--trust", trust, "--offline-revocation", "--accept-unknown-revocation")
	cmd.Stdout, cmd.Stderr = log, log
	tieToParent(cmd)
	s.cmd, s.done = cmd, make(chan struct{})
	started := make(chan error, 1)
	go func() {
		// Pdeathsig follows the thread that started the child: this
		// goroutine keeps its thread until the child has exited.
		runtime.LockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			close(s.done)
			return
		}
		started <- nil
		s.err = cmd.Wait()
		close(s.done)
	}()
	if err := <-started; err != nil {
		return fmt.Errorf("start %s: %w", bin, err)
	}
	deadline := time.Now().Add(serverStartTimeout)
	for {
		if addr, ok := answering(ctx, addrPath, tlsConf); ok {
			s.URL = "https://" + addr
			return nil
		}
		select {
		case <-s.done:
			return fmt.Errorf("vanthu-server stopped at once (%v): %s", s.err, tail(filepath.Join(dir, serverLog)))
		case <-ctx.Done():
			s.Close()
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.Close()
			return fmt.Errorf("vanthu-server gave no address within %v: %s", serverStartTimeout, tail(filepath.Join(dir, serverLog)))
		}
	}
}

// Close stops the server when this process started it (SIGTERM, a kill
// after 5 s) and waits for it; a server found running is left alone.
// Close may be called more than once.
func (s *Server) Close() error {
	if s == nil || s.cmd == nil || s.done == nil {
		return nil
	}
	select {
	case <-s.done:
		return nil
	default:
	}
	stopGracefully(s.cmd.Process)
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
	return nil
}

// Done is closed once the server this process started has exited (never
// for a server found running).
func (s *Server) Done() <-chan struct{} {
	if s.done == nil {
		return nil
	}
	return s.done
}

func clientTLS(caPEM []byte) (*tls.Config, error) {
	pool, err := profile.CAPool(caPEM)
	if err != nil {
		return nil, fmt.Errorf("demo server certificate: %w", err)
	}
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, nil
}

// answering reads the address file and reports whether a server of this
// folder answers there: the TLS handshake must succeed with the folder's
// certificate (so a stale file whose port another program took does not
// count) and the API must answer.
func answering(ctx context.Context, addrPath string, tlsConf *tls.Config) (string, bool) {
	b, err := os.ReadFile(addrPath)
	if err != nil {
		return "", false
	}
	addr := strings.TrimSpace(string(b))
	host, _, err := net.SplitHostPort(addr)
	if err != nil || host != "127.0.0.1" {
		return "", false
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: tlsConf, Proxy: nil}}
	defer hc.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://"+addr+"/v1/me", nil)
	if err != nil {
		return "", false
	}
	req.Header.Set(protocol.HeaderVersion, strconv.Itoa(protocol.Version))
	resp, err := hc.Do(req)
	if err != nil {
		return "", false
	}
	resp.Body.Close()
	// Without a session the API answers 401 in its error model.
	return addr, resp.StatusCode == http.StatusUnauthorized && strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json")
}

// tail is the end of a log file, for an error message.
func tail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	if len(b) > 1500 {
		b = b[len(b)-1500:]
	}
	return strings.TrimSpace(string(b))
}
