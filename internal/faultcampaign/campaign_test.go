//go:build failpoints

package faultcampaign

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/internal/demo"
	"github.com/vanthuso/vanthu/internal/failpoint"
	"github.com/vanthuso/vanthu/internal/faultproxy"
	"github.com/vanthuso/vanthu/internal/pgtest"
	"github.com/vanthuso/vanthu/internal/samplepdf"
	"github.com/vanthuso/vanthu/internal/testpki"
	"github.com/vanthuso/vanthu/server/store/bolt"
	"github.com/vanthuso/vanthu/server/store/pg"
	"github.com/vanthuso/vanthu/sync/client"
	"github.com/vanthuso/vanthu/sync/store"
)

var binDir string // vanthu-server and vanthuctl, built with failpoints

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "faultcampaign-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	for _, pkg := range []string{"./cmd/vanthu-server", "./cmd/vanthuctl"} {
		cmd := exec.Command("go", "build", "-tags", "failpoints,migrated_fynedo", "-o", dir+"/", pkg)
		cmd.Dir = moduleRoot()
		if out, err := cmd.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "build %s: %v\n%s", pkg, err, out)
			os.RemoveAll(dir)
			os.Exit(1)
		}
	}
	code := pgtest.Main(m) // m.Run, then the PostgreSQL of TestCampaignReplicas stopped
	os.RemoveAll(dir)
	os.Exit(code)
}

func moduleRoot() string {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		panic(err)
	}
	return strings.TrimSpace(string(out))
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// TestCampaign runs the campaign over FAULT_SEEDS seeds.
func TestCampaign(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if v, err := strconv.ParseUint(os.Getenv("FAULT_SEED"), 10, 64); err == nil {
		seed = v
	}
	seeds := envInt("FAULT_SEEDS", 3)
	for i := range seeds {
		s := seed + uint64(i)
		t.Run(fmt.Sprintf("seed%d", s), func(t *testing.T) {
			t.Logf("seed %d (run again with FAULT_SEED=%d FAULT_SEEDS=1)", s, s)
			runCampaign(t, s, envInt("FAULT_DOCS", 300), envInt("FAULT_BIG", 3))
		})
	}
}

// TestCampaignReplicas runs the campaign with two vanthu-server replicas
// on one real PostgreSQL (internal/pgtest) behind a balancer: the kills
// take one replica at a time (or both), clients go on through the other
// (FAULT_REPLICA_SEEDS seeds, default 1, of FAULT_REPLICA_DOCS documents,
// default 200).
func TestCampaignReplicas(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if v, err := strconv.ParseUint(os.Getenv("FAULT_SEED"), 10, 64); err == nil {
		seed = v
	}
	for i := range envInt("FAULT_REPLICA_SEEDS", 1) {
		s := seed + uint64(i)
		t.Run(fmt.Sprintf("seed%d", s), func(t *testing.T) {
			t.Logf("seed %d (run again with FAULT_SEED=%d FAULT_REPLICA_SEEDS=1)", s, s)
			runCampaignOn(t, pgtest.Database(t), 2, s, envInt("FAULT_REPLICA_DOCS", 200), envInt("FAULT_BIG", 3))
		})
	}
}

// ---- the processes ----

// rig is a server (or replicas of it on one PostgreSQL behind a
// balancer), two clients and a proxy before each client.
type rig struct {
	t       *testing.T
	dir     string
	pki     *testpki.PKI
	srvDir  string
	srvAddr string // what clients reach: the server, or the balancer
	caFile  string
	pgURL   string // the replicas' store; "" for the bolt store in srvDir

	mu       sync.Mutex
	replicas []*replica
	stopping bool
	rng      *rand.Rand // which replica a kill takes

	clients [2]*clientRig
}

// replica is one vanthu-server process, started again whenever it dies.
type replica struct {
	addr     string
	log      string
	srv      *exec.Cmd
	srvDone  chan struct{}
	serverFP string // failpoints armed at its next start
}

type clientRig struct {
	name   string
	cache  string
	token  string
	agency string
	proxy  *faultproxy.Proxy
	log    *os.File
	runner *exec.Cmd
	done   chan struct{}
}

// demo users the campaign signs in as: the clerks of UBND tỉnh Nghệ An
// and of Sở Tài chính.
var campaignClients = []struct{ token, agency string }{
	{testpki.AgencyToken, edoc.DemoProvince},
	{testpki.Agency2Token, edoc.DemoFinance},
}

// freeAddr is a loopback address nothing listens on.
func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func newRig(t *testing.T, pgURL string, replicas int, seed uint64) *rig {
	t.Helper()
	r := &rig{t: t, dir: t.TempDir(), pki: testpki.New(t), pgURL: pgURL, rng: rand.New(rand.NewPCG(seed, 3))}
	r.srvDir = filepath.Join(r.dir, "server")
	r.run(context.Background(), "vanthu-server", nil, "init", "--data", r.srvDir, "--host", "127.0.0.1")
	r.caFile = filepath.Join(r.srvDir, "tls", "cert.pem")
	var st interface {
		Close() error
	}
	var err error
	ctx := context.Background()
	if pgURL != "" {
		var ps *pg.Store
		ps, err = pg.Open(ctx, pgURL, pg.Options{})
		if err == nil {
			err = demo.SeedServer(ctx, ps, r.pki)
			st = ps
		}
	} else {
		var bs *bolt.Store
		bs, err = bolt.Open(filepath.Join(r.srvDir, "store"), bolt.Options{})
		if err == nil {
			err = demo.SeedServer(ctx, bs, r.pki)
			st = bs
		}
	}
	if err != nil {
		t.Fatalf("seed the server's store: %v", err)
	}
	st.Close()
	for i := range replicas {
		r.replicas = append(r.replicas, &replica{addr: freeAddr(t), log: filepath.Join(r.dir, fmt.Sprintf("server%d.log", i+1))})
	}
	r.srvAddr = r.replicas[0].addr
	if replicas > 1 {
		var addrs []string
		for _, rp := range r.replicas {
			addrs = append(addrs, rp.addr)
		}
		b, err := startBalancer(addrs)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(b.close)
		r.srvAddr = b.addr()
	}
	for _, rp := range r.replicas {
		r.startServer(rp)
	}
	r.waitServer()
	t.Cleanup(r.stopServer)
	for i, c := range campaignClients {
		p, err := faultproxy.Start("127.0.0.1:0", r.srvAddr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { p.Close() })
		cr := &clientRig{name: fmt.Sprintf("client%d", i+1), cache: filepath.Join(r.dir, fmt.Sprintf("client%d", i+1)),
			token: c.token, agency: c.agency, proxy: p}
		cr.log, err = os.Create(filepath.Join(r.dir, cr.name+".log"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cr.log.Close() })
		r.clients[i] = cr
		r.run(context.Background(), "vanthuctl", nil, "sync", "login", "--server", "https://"+p.Addr(), "--ca", r.caFile,
			"--cache", cr.cache, "--module", r.pki.Module, "--token", cr.token)
	}
	t.Cleanup(func() {
		for _, c := range r.clients {
			if c != nil {
				r.stopRunner(c)
			}
		}
		if t.Failed() {
			names := []string{"client1.log", "client2.log"}
			for _, rp := range r.replicas {
				names = append(names, filepath.Base(rp.log))
			}
			for _, name := range names {
				b, _ := os.ReadFile(filepath.Join(r.dir, name))
				if len(b) > 6000 {
					b = b[len(b)-6000:]
				}
				t.Logf("tail of %s:\n%s", name, b)
			}
		}
	})
	return r
}

// env is the environment of a child: the test PKI's SoftHSM2, the PIN.
func (r *rig) env(failpoints string) []string {
	env := append(os.Environ(), testpki.EnvConfig+"="+r.pki.ConfigPath, "VANTHU_PIN="+testpki.UserPIN, "VANTHU_LANG=en")
	if failpoints != "" {
		env = append(env, "VANTHU_FAILPOINTS="+failpoints)
	}
	return env
}

// run runs a command to its end and fails the test if it fails.
func (r *rig) run(ctx context.Context, bin string, env []string, args ...string) string {
	r.t.Helper()
	out, err := r.exec(ctx, bin, env, args...)
	if err != nil {
		r.t.Fatalf("%s %s: %v\n%s", bin, strings.Join(args, " "), err, out)
	}
	return out
}

func (r *rig) exec(ctx context.Context, bin string, env []string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(binDir, bin), args...)
	if env == nil {
		env = r.env("")
	}
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// startServer starts a replica and a supervisor that starts it again
// whenever it dies (killed by the campaign or by a failpoint) until
// stopServer.
func (r *rig) startServer(rp *replica) {
	r.t.Helper()
	log, err := os.OpenFile(rp.log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		r.t.Fatal(err)
	}
	args := []string{"serve", "--data", r.srvDir, "--listen", rp.addr, "--offline-revocation"}
	if r.pgURL != "" {
		args = append(args, "--store", r.pgURL)
	}
	go func() {
		defer log.Close()
		for {
			r.mu.Lock()
			if r.stopping {
				r.mu.Unlock()
				return
			}
			fp := rp.serverFP
			rp.serverFP = ""
			cmd := exec.Command(filepath.Join(binDir, "vanthu-server"), args...)
			cmd.Env = r.env(fp)
			cmd.Stdout, cmd.Stderr = log, log
			fmt.Fprintf(log, "--- start (failpoints %q)\n", fp)
			err := cmd.Start()
			done := make(chan struct{})
			rp.srv, rp.srvDone = cmd, done
			r.mu.Unlock()
			if err != nil {
				fmt.Fprintf(log, "--- start: %v\n", err)
				close(done)
				time.Sleep(200 * time.Millisecond)
				continue
			}
			err = cmd.Wait()
			fmt.Fprintf(log, "--- ended: %v\n", err)
			close(done)
			time.Sleep(100 * time.Millisecond)
		}
	}()
}

// waitServer waits until every replica accepts connections.
func (r *rig) waitServer() {
	r.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for _, rp := range r.replicas {
		for {
			if c, err := net.DialTimeout("tcp", rp.addr, time.Second); err == nil {
				c.Close()
				break
			}
			if time.Now().After(deadline) {
				r.t.Fatalf("the server did not listen on %s within 30 s", rp.addr)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}

// killServer SIGKILLs one replica, or all of them now and then; the
// supervisor starts each again, with failpoints fp armed. It returns how
// many it killed.
func (r *rig) killServer(fp string) int {
	r.mu.Lock()
	victims := []*replica{r.replicas[r.rng.IntN(len(r.replicas))]}
	if len(r.replicas) > 1 && r.rng.IntN(5) == 0 {
		victims = r.replicas
	}
	r.mu.Unlock()
	for _, rp := range victims {
		r.kill(rp, fp)
	}
	return len(victims)
}

func (r *rig) kill(rp *replica, fp string) {
	r.mu.Lock()
	rp.serverFP = fp
	cmd, done := rp.srv, rp.srvDone
	r.mu.Unlock()
	if cmd != nil && cmd.Process != nil {
		cmd.Process.Signal(syscall.SIGKILL)
		<-done
	}
}

// killAll SIGKILLs every replica (they start again).
func (r *rig) killAll() {
	for _, rp := range r.replicas {
		r.kill(rp, "")
	}
}

func (r *rig) stopServer() {
	r.mu.Lock()
	r.stopping = true
	r.mu.Unlock()
	r.killAll()
}

// balancer hands each connection to the first replica, in turn, that
// accepts it: a killed replica's clients reconnect to the other.
type balancer struct {
	ln       net.Listener
	backends []string
	next     atomic.Uint32
}

func startBalancer(backends []string) (*balancer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	b := &balancer{ln: ln, backends: backends}
	go b.serve()
	return b, nil
}

func (b *balancer) addr() string { return b.ln.Addr().String() }
func (b *balancer) close()       { b.ln.Close() }

func (b *balancer) serve() {
	for {
		c, err := b.ln.Accept()
		if err != nil {
			return
		}
		go b.pipe(c)
	}
}

func (b *balancer) pipe(c net.Conn) {
	defer c.Close()
	start := int(b.next.Add(1))
	var up net.Conn
	for i := range b.backends {
		var err error
		if up, err = net.DialTimeout("tcp", b.backends[(start+i)%len(b.backends)], time.Second); err == nil {
			break
		}
	}
	if up == nil {
		return // none answers: the client sees a reset
	}
	defer up.Close()
	done := make(chan struct{}, 2)
	go func() { io.Copy(up, c); done <- struct{}{} }()
	go func() { io.Copy(c, up); done <- struct{}{} }()
	<-done
}

// startRunner starts `vanthuctl sync run` for c with failpoints fp.
func (r *rig) startRunner(c *clientRig, fp string) {
	cmd := exec.Command(filepath.Join(binDir, "vanthuctl"), "sync", "run", "--cache", c.cache)
	cmd.Env = r.env(fp)
	cmd.Stdout, cmd.Stderr = c.log, c.log
	fmt.Fprintf(c.log, "--- run (failpoints %q)\n", fp)
	if err := cmd.Start(); err != nil {
		r.t.Errorf("start the runner of %s: %v", c.name, err)
		return
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	c.runner, c.done = cmd, done
}

// stopRunner SIGKILLs c's runner if it runs.
func (r *rig) stopRunner(c *clientRig) {
	if c.runner == nil {
		return
	}
	c.runner.Process.Signal(syscall.SIGKILL)
	<-c.done
	c.runner = nil
}

// ---- the documents ----

type document struct {
	idx    int
	from   int // index of the sending client
	id     string
	path   string
	sha    string
	size   int64
	subj   string
	queued bool
}

// makeDocuments writes n documents with sizes spread log-uniformly from
// 1 KB to 8 MB, and big ones of 40 MB, alternating senders.
func makeDocuments(t *testing.T, dir string, seed uint64, n, big int) []*document {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var docs []*document
	for i := range n + big {
		size := int64(math.Exp(math.Log(1<<10) + rng.Float64()*(math.Log(8<<20)-math.Log(1<<10))))
		if i >= n {
			size = 40 << 20
		}
		d := &document{idx: i, from: rng.IntN(2), id: fmt.Sprintf("fc%d-%04d", seed%100000, i),
			path: filepath.Join(dir, fmt.Sprintf("vb-%04d.pdf", i)),
			subj: fmt.Sprintf("Văn bản kiểm thử số %d (lượt %d)", i, seed)}
		if err := samplepdf.WriteFile(d.path, samplepdf.Options{Pages: 1 + int(size>>20)%5, Size: size, Title: fmt.Sprintf("Van ban kiem thu %d", i)}); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(d.path)
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.New()
		d.size, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		d.sha = hex.EncodeToString(h.Sum(nil))
		docs = append(docs, d)
	}
	// The big ones among the others, not all at the end.
	rng.Shuffle(len(docs), func(i, j int) { docs[i], docs[j] = docs[j], docs[i] })
	return docs
}

// queue queues d at its sender with `vanthuctl sync send`, retrying when
// an armed failpoint killed the command; the same id makes the retry
// idempotent ("already queued" counts as queued).
func (r *rig) queue(d *document, fp string) {
	r.t.Helper()
	c := r.clients[d.from]
	to := r.clients[1-d.from].agency
	for try := 0; ; try++ {
		if try > 0 {
			fp = ""
		}
		out, err := r.exec(context.Background(), "vanthuctl", r.env(fp), "sync", "send", "--cache", c.cache, "--to", to,
			"--subject", d.subj, "--number", strconv.Itoa(d.idx%999+1), "--notation", "QĐ-UBND", "--type", "Quyết định",
			"--signer-name", "Nguyễn Văn An", "--signer-position", "Chủ tịch", "--id", d.id, d.path)
		switch {
		case err == nil:
			d.queued = true
			return
		case strings.Contains(out, d.id) && strings.Contains(strings.ToLower(out), "already"):
			d.queued = true // the killed try had committed
			return
		case try >= 5:
			r.t.Fatalf("queue %s: %v\n%s", d.id, err, out)
		}
		var ee *exec.ExitError
		if !errors.As(err, &ee) || (fp == "" && ee.ExitCode() != -1) {
			// Not killed by a failpoint: the cache may be held by a
			// runner that is being killed; try again.
			time.Sleep(200 * time.Millisecond)
		}
	}
}

// ---- the campaign ----

var (
	serverFailpoints = []string{failpoint.ServerAfterCommit, failpoint.ServerBlobSynced}
	runnerFailpoints = []string{failpoint.ClientAfterAnswer, failpoint.ClientApplyingFeed, failpoint.ClientUploadChunk, failpoint.ClientBlobSynced}
	queueFailpoints  = []string{failpoint.ClientBlobSynced, failpoint.ClientBeforeOutboxCommit}
)

func runCampaign(t *testing.T, seed uint64, n, big int) { runCampaignOn(t, "", 1, seed, n, big) }

// runCampaignOn runs the campaign on the bolt store (pgURL "") or on
// replicas of the server on PostgreSQL.
func runCampaignOn(t *testing.T, pgURL string, replicas int, seed uint64, n, big int) {
	r := newRig(t, pgURL, replicas, seed)
	fps := serverFailpoints
	if pgURL != "" {
		fps = []string{failpoint.ServerAfterCommit} // the others are the bolt store's
	}
	docs := makeDocuments(t, filepath.Join(r.dir, "docs"), seed, n, big)
	ctx, stopChaos := context.WithCancel(context.Background())
	var chaos sync.WaitGroup
	var mu sync.Mutex
	counts := map[string]int{}
	count := func(what string) { mu.Lock(); counts[what]++; mu.Unlock() }

	// Network faults and server kills.
	chaos.Add(1)
	go func() {
		defer chaos.Done()
		rng := rand.New(rand.NewPCG(seed, 2))
		for ctx.Err() == nil {
			p := r.clients[rng.IntN(2)].proxy
			switch x := rng.Float64(); {
			case x < 0.12:
				p.ResetAll()
				count("reset")
			case x < 0.20:
				p.Set(faultproxy.Faults{Blackhole: true})
				sleep(ctx, rng, 500, 2500)
				p.Set(faultproxy.Faults{})
				count("blackhole")
			case x < 0.28:
				p.Set(faultproxy.Faults{BytesPerSecond: 32 << 10})
				sleep(ctx, rng, 1000, 3000)
				p.Set(faultproxy.Faults{})
				count("32KB/s")
			case x < 0.36:
				p.Set(faultproxy.Faults{Latency: time.Duration(50+rng.IntN(200)) * time.Millisecond})
				sleep(ctx, rng, 1000, 3000)
				p.Set(faultproxy.Faults{})
				count("latency")
			case x < 0.40:
				p.Set(faultproxy.Faults{Refuse: true})
				sleep(ctx, rng, 300, 1500)
				p.Set(faultproxy.Faults{})
				count("refuse")
			case x < 0.58:
				fp := ""
				if rng.IntN(3) == 0 {
					fp = fmt.Sprintf("%s=%d", fps[rng.IntN(len(fps))], 1+rng.IntN(6))
					count("server failpoint armed")
				}
				if r.killServer(fp) > 1 {
					count("all replicas SIGKILL")
				} else {
					count("server SIGKILL")
				}
			}
			sleep(ctx, rng, 300, 1500)
		}
	}()

	// Each client: queue a batch with its runner stopped (the cache is one
	// process's at a time), run with a failpoint armed now and then,
	// SIGKILL at a random moment.
	var clients sync.WaitGroup
	for ci := range r.clients {
		clients.Add(1)
		go func() {
			defer clients.Done()
			rng := rand.New(rand.NewPCG(seed, uint64(10+ci)))
			c := r.clients[ci]
			var mine []*document
			for _, d := range docs {
				if d.from == ci {
					mine = append(mine, d)
				}
			}
			for len(mine) > 0 {
				k := min(len(mine), 3+rng.IntN(13))
				r.stopRunner(c)
				for _, d := range mine[:k] {
					fp := ""
					if rng.IntN(8) == 0 {
						fp = queueFailpoints[rng.IntN(len(queueFailpoints))]
						count("queue failpoint armed")
					}
					r.queue(d, fp)
				}
				mine = mine[k:]
				fp := ""
				if rng.IntN(3) == 0 {
					fp = fmt.Sprintf("%s=%d", runnerFailpoints[rng.IntN(len(runnerFailpoints))], 1+rng.IntN(5))
					count("runner failpoint armed")
				}
				r.startRunner(c, fp)
				select {
				case <-c.done:
				case <-time.After(time.Duration(1000+rng.IntN(5000)) * time.Millisecond):
				}
				count("client SIGKILL")
			}
			// Everything queued: the runner goes on under the faults for a
			// while, killed now and then.
			for range 4 {
				r.stopRunner(c)
				r.startRunner(c, "")
				sleep(context.Background(), rng, 2000, 6000)
				count("client SIGKILL")
			}
		}()
	}
	clients.Wait()
	stopChaos()
	chaos.Wait()
	mu.Lock()
	t.Logf("faults: %v", counts)
	mu.Unlock()

	// Calm: no faults, no kills; each client runs until its outbox is
	// empty and its feed caught up, twice over (the second pass pulls
	// what the other client pushed in its first).
	for _, c := range r.clients {
		r.stopRunner(c)
		c.proxy.Set(faultproxy.Faults{})
	}
	r.killAll() // no failpoint left armed
	r.waitServer()
	for pass := range 3 {
		for _, c := range r.clients {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			out, err := r.exec(ctx, "vanthuctl", nil, "sync", "run", "--once", "--cache", c.cache)
			cancel()
			if err != nil {
				t.Fatalf("pass %d: vanthuctl sync run --once (%s): %v\n%s", pass, c.name, err, out)
			}
		}
	}
	check(t, r, docs)
	if len(r.replicas) > 1 {
		// The balancer spread the clients: every replica answered.
		for _, rp := range r.replicas {
			b, err := os.ReadFile(rp.log)
			if err != nil || !strings.Contains(string(b), "msg=request") {
				t.Errorf("%s answered no request (%v)", filepath.Base(rp.log), err)
			}
		}
	}
}

func sleep(ctx context.Context, rng *rand.Rand, minMS, maxMS int) {
	select {
	case <-ctx.Done():
	case <-time.After(time.Duration(minMS+rng.IntN(maxMS-minMS)) * time.Millisecond):
	}
}

// check opens both caches and proves: every document arrived at its
// recipient exactly once with the right bytes, its sender holds it once
// as sent, and nothing else arrived.
func check(t *testing.T, r *rig, docs []*document) {
	t.Helper()
	caches := make([]*store.Store, 2)
	for i, c := range r.clients {
		s, err := store.Open(filepath.Join(c.cache, "cache.db"), store.Options{})
		if err != nil {
			t.Fatalf("open the cache of %s: %v", c.name, err)
		}
		defer s.Close()
		caches[i] = s
	}
	inbox := make([]map[string][]store.Document, 2) // subject → documents
	for i, s := range caches {
		inbox[i] = map[string][]store.Document{}
		for after := ""; ; {
			page, next, err := s.List(store.ListQuery{Box: store.BoxInbox, After: after, Limit: 500})
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range page {
				inbox[i][d.Doc.Subject] = append(inbox[i][d.Doc.Subject], d)
			}
			if next == "" {
				break
			}
			after = next
		}
	}
	var lost, duplicated, badHash, notSent int
	want := [2]int{}
	for _, d := range docs {
		to := 1 - d.from
		want[to]++
		if e, err := caches[d.from].OutboxEntry(d.id); err != nil || e.State != store.OutboxSent {
			notSent++
			t.Errorf("%s: sender's outbox entry %+v, %v; want sent", d.id, e.State, err)
		}
		got := inbox[to][d.subj]
		switch {
		case len(got) == 0:
			lost++
			t.Errorf("%s (%d bytes) lost: not in the recipient's inbox", d.id, d.size)
			continue
		case len(got) > 1:
			duplicated++
			t.Errorf("%s duplicated: %d copies in the recipient's inbox", d.id, len(got))
		}
		a := got[0].Doc.Attachments
		if len(a) != 1 || a[0].SHA256 != d.sha || a[0].Size != d.size {
			badHash++
			t.Errorf("%s: attachments %+v, want one of %d bytes, sha-256 %s", d.id, a, d.size, d.sha)
			continue
		}
		if sum, err := hashBlob(caches[to], d.sha); err != nil || sum != d.sha {
			badHash++
			t.Errorf("%s: the recipient's file hashes to %s (%v), want %s", d.id, sum, err, d.sha)
		}
	}
	for i := range caches {
		total := 0
		for _, ds := range inbox[i] {
			total += len(ds)
		}
		if total != want[i] {
			t.Errorf("%s: %d documents in the inbox, want %d", r.clients[i].name, total, want[i])
		}
	}
	t.Logf("%d documents: %d lost, %d duplicated, %d with a wrong file, %d not marked sent", len(docs), lost, duplicated, badHash, notSent)
}

func hashBlob(s *store.Store, sha string) (string, error) {
	f, err := s.OpenBlob(sha)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// TestInterruptedUploadResendsOneChunk sends one 40 MB document while its
// connection is reset and its client killed again and again: the bytes
// that reached the server's side of the proxy are at most the file, one
// chunk per interruption and the protocol's overhead.
func TestInterruptedUploadResendsOneChunk(t *testing.T) {
	r := newRig(t, "", 1, 7)
	docs := makeDocuments(t, filepath.Join(r.dir, "docs"), 7, 0, 1)
	d := docs[0]
	d.from = 0
	c := r.clients[0]
	r.queue(d, "")
	before := c.proxy.Stats().Upstream
	rng := rand.New(rand.NewPCG(7, 7))
	interruptions := 0
	// 4 MB/s: the upload takes about ten seconds, so that the
	// interruptions fall in its middle.
	c.proxy.Set(faultproxy.Faults{BytesPerSecond: 4 << 20})
	r.startRunner(c, "")
	for range 8 {
		sleep(context.Background(), rng, 400, 1000)
		if rng.IntN(2) == 0 {
			c.proxy.ResetAll()
		} else {
			r.stopRunner(c)
			r.startRunner(c, "")
		}
		interruptions++
	}
	r.stopRunner(c)
	c.proxy.Set(faultproxy.Faults{})
	s, err := store.Open(filepath.Join(c.cache, "cache.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	e, err := s.OutboxEntry(d.id)
	s.Close()
	if err != nil || e.State == store.OutboxSent {
		t.Fatalf("outbox entry %+v, %v: the interruptions did not fall during the upload", e.State, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	r.run(ctx, "vanthuctl", nil, "sync", "run", "--once", "--cache", c.cache)
	sent := c.proxy.Stats().Upstream - before
	s, err = store.Open(filepath.Join(c.cache, "cache.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	e, err = s.OutboxEntry(d.id)
	s.Close()
	if err != nil || e.State != store.OutboxSent {
		t.Fatalf("outbox entry %+v, %v: want sent", e.State, err)
	}
	// Overhead: TLS records and handshakes, HTTP headers, the feed's
	// polls; generously 2% of the file plus 256 KiB.
	limit := d.size + int64(interruptions)*client.DefaultChunkSize + d.size/50 + 256<<10
	t.Logf("40 MB upload with %d interruptions: %d bytes went up (%.2f× the file; limit %d)", interruptions, sent, float64(sent)/float64(d.size), limit)
	if sent > limit {
		t.Errorf("%d bytes went up for a %d-byte file and %d interruptions: more than one chunk (%d) re-sent per interruption",
			sent, d.size, interruptions, client.DefaultChunkSize)
	}
}
