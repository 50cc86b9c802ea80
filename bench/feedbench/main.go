// Command feedbench measures the reference server under the load of an
// agency network (make bench): vanthu-server runs as its own process on
// loopback with its bbolt store, or -replicas processes on one
// PostgreSQL (-store pg: a durable PostgreSQL from Debian's packages,
// started for the run, holding -preload documents written straight into
// its tables before the servers start); -clients users long-poll their
// agencies' change feeds (spread over the replicas) while senders (spread
// too) send -rate messages a second, each to one agency. For every message each of its agency's pollers notes when the
// change reached it; the latency is that moment minus the server's commit
// time (SendAnswer.AcceptedAt: one machine, one clock). The server's peak
// RSS (VmHWM) is read from /proc before it stops.
//
//	feedbench -server bin/vanthu-server [-clients 200] [-agencies 10] [-rate 50] [-duration 30s]
//	          [-store pg -replicas 2 -preload 1000000]
//
// Users sign in as real users do (a challenge signed with their key);
// their certificates are made in memory and bound to users in the
// server's store before it starts.
package main

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/internal/pgtest"
	"github.com/vanthuso/vanthu/internal/samplepdf"
	"github.com/vanthuso/vanthu/server/store"
	"github.com/vanthuso/vanthu/server/store/bolt"
	"github.com/vanthuso/vanthu/server/store/pg"
	"github.com/vanthuso/vanthu/sync/client"
	"github.com/vanthuso/vanthu/sync/protocol"
)

func main() {
	serverBin := flag.String("server", "bin/vanthu-server", "the vanthu-server binary")
	clients := flag.Int("clients", 200, "long-polling users")
	agencies := flag.Int("agencies", 10, "receiving agencies (the users are spread over them)")
	rate := flag.Int("rate", 50, "sends per second")
	duration := flag.Duration("duration", 30*time.Second, "how long the senders send")
	dir := flag.String("dir", "", "working folder (default: a temporary one, removed after)")
	storeKind := flag.String("store", "bolt", "bolt, or pg: a PostgreSQL started for the run")
	replicas := flag.Int("replicas", 1, "server processes (more than one needs -store pg)")
	preload := flag.Int("preload", 0, "documents in the PostgreSQL store before the run")
	flag.Parse()
	if *storeKind != "bolt" && *storeKind != "pg" || *replicas < 1 || *replicas > 1 && *storeKind != "pg" || *preload > 0 && *storeKind != "pg" {
		fmt.Fprintln(os.Stderr, "feedbench: -store bolt|pg; -replicas and -preload need -store pg")
		os.Exit(2)
	}
	o := options{store: *storeKind, replicas: *replicas, preload: *preload}
	if err := run(*serverBin, *dir, *clients, *agencies, *rate, *duration, o); err != nil {
		fmt.Fprintln(os.Stderr, "feedbench:", err)
		os.Exit(1)
	}
}

type user struct {
	id     string
	agency string
	key    crypto.Signer
	cert   *x509.Certificate
}

const senderAgency = "000.00.00.H40"

func agencyCode(i int) string { return fmt.Sprintf("000.00.%02d.H40", i+1) }

type options struct {
	store    string
	replicas int
	preload  int
}

func run(serverBin, dir string, nClients, nAgencies, rate int, duration time.Duration, o options) error {
	if dir == "" {
		d, err := os.MkdirTemp("", "feedbench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	data := filepath.Join(dir, "server")
	if out, err := exec.Command(serverBin, "init", "--data", data, "--host", "127.0.0.1").CombinedOutput(); err != nil {
		return fmt.Errorf("vanthu-server init: %v\n%s", err, out)
	}

	// Agencies and users, bound before the server starts.
	receivers := make([]user, nClients)
	senders := make([]user, 10)
	ctx := context.Background()
	var st store.Store
	var storeURL string
	if o.store == "pg" {
		srv, err := pgtest.StartWith(pgtest.Options{Durable: true, MaxConnections: 100 + 20*o.replicas})
		if err != nil {
			return err
		}
		defer srv.Stop()
		name, err := srv.CreateDatabase(ctx)
		if err != nil {
			return err
		}
		storeURL = srv.URL(name)
		if st, err = pg.Open(ctx, storeURL, pg.Options{}); err != nil {
			return err
		}
	} else {
		bs, err := bolt.Open(filepath.Join(data, "store"), bolt.Options{})
		if err != nil {
			return fmt.Errorf("open the server's store: %w", err)
		}
		st = bs
	}
	if err := st.AddAgency(ctx, store.Agency{Code: senderAgency, Name: "UBND tỉnh Hà Tĩnh (đo tải)"}); err != nil {
		return err
	}
	for i := range nAgencies {
		if err := st.AddAgency(ctx, store.Agency{Code: agencyCode(i), Name: fmt.Sprintf("Sở số %d tỉnh Hà Tĩnh (đo tải)", i+1), Parent: senderAgency}); err != nil {
			return err
		}
	}
	add := func(u *user, role protocol.Role) error {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return err
		}
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: u.id},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour), KeyUsage: x509.KeyUsageDigitalSignature}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
		if err != nil {
			return err
		}
		u.key = key
		u.cert, _ = x509.ParseCertificate(der)
		sum := sha256.Sum256(der)
		return st.AddUser(ctx, store.User{ID: u.id, Agency: u.agency, Name: u.id, Roles: []protocol.Role{role},
			CertSHA: hex.EncodeToString(sum[:]), Cert: der})
	}
	for i := range receivers {
		receivers[i] = user{id: fmt.Sprintf("nhan-%03d", i), agency: agencyCode(i % nAgencies)}
		if err := add(&receivers[i], protocol.RoleOfficer); err != nil {
			return err
		}
	}
	for i := range senders {
		senders[i] = user{id: fmt.Sprintf("gui-%02d", i), agency: senderAgency}
		if err := add(&senders[i], protocol.RoleClerk); err != nil {
			return err
		}
	}
	if err := st.Close(); err != nil {
		return err
	}
	if o.preload > 0 {
		start := time.Now()
		if err := preload(ctx, storeURL, o.preload, nAgencies); err != nil {
			return fmt.Errorf("preload: %w", err)
		}
		fmt.Printf("preloaded %d documents into PostgreSQL in %v\n", o.preload, time.Since(start).Round(time.Second))
	}

	// The servers, each its own process.
	var addrs []string
	var procs []*exec.Cmd
	var logs []*lockedBuffer
	for range o.replicas {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		addr := ln.Addr().String()
		ln.Close()
		args := []string{"serve", "--data", data, "--listen", addr, "--offline-revocation"}
		if storeURL != "" {
			args = append(args, "--store", storeURL)
		}
		log := &lockedBuffer{}
		srv := exec.Command(serverBin, args...)
		srv.Stdout, srv.Stderr = log, log
		if err := srv.Start(); err != nil {
			return err
		}
		defer func() { srv.Process.Kill(); srv.Wait() }()
		if err := waitListening(addr, 60*time.Second); err != nil {
			return fmt.Errorf("%w\n%s", err, log.String())
		}
		addrs, procs, logs = append(addrs, addr), append(procs, srv), append(logs, log)
	}
	caPEM, err := os.ReadFile(filepath.Join(data, "tls", "cert.pem"))
	if err != nil {
		return err
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caPEM) {
		return errors.New("the server's certificate is not PEM")
	}
	nextReplica := 0
	newClient := func(u user) (*client.Client, error) {
		addr := addrs[nextReplica%len(addrs)]
		nextReplica++
		c, err := client.New(client.Config{BaseURL: "https://" + addr, RootCAs: roots, HTTPTimeout: 60 * time.Second})
		if err != nil {
			return nil, err
		}
		if _, err := c.Login(ctx, u.key, u.cert); err != nil {
			return nil, fmt.Errorf("sign in %s: %w", u.id, err)
		}
		return c, nil
	}

	// Pollers: signed in, caught up, then long-polling.
	fmt.Printf("signing in %d pollers over %d agencies and %d senders\n", nClients, nAgencies, len(senders))
	pollCtx, stopPolls := context.WithCancel(ctx)
	defer stopPolls()
	var mu sync.Mutex
	var latencies []time.Duration
	var pollErrors atomic.Int64
	var ready, polls sync.WaitGroup
	for _, u := range receivers {
		c, err := newClient(u)
		if err != nil {
			return err
		}
		// From now: with documents preloaded, a cursor the server does not
		// know answers a reset to the head (a client's first poll after
		// its resync), not the whole feed.
		first := ""
		if o.preload > 0 {
			first = "tu-dau-hien-tai"
		}
		ch, err := c.Changes(ctx, first, 0)
		if err != nil {
			return fmt.Errorf("first poll of %s: %w", u.id, err)
		}
		ready.Add(1)
		polls.Add(1)
		go func(cursor string) {
			defer polls.Done()
			ready.Done()
			for pollCtx.Err() == nil {
				ch, err := c.Changes(pollCtx, cursor, protocol.MaxWait*time.Second)
				now := time.Now()
				if err != nil {
					if pollCtx.Err() == nil {
						pollErrors.Add(1)
						time.Sleep(100 * time.Millisecond)
					}
					continue
				}
				for _, e := range ch.Changes {
					if e.Kind == protocol.ChangeReceived && e.Message != nil {
						mu.Lock()
						latencies = append(latencies, now.Sub(e.Message.AcceptedAt))
						mu.Unlock()
					}
				}
				cursor = ch.Cursor
			}
		}(ch.Cursor)
	}
	ready.Wait()
	if o.preload > 0 {
		// The preloaded documents are the store's own: a receiver lists
		// them, as a client does after a reset.
		c, err := newClient(receivers[0])
		if err != nil {
			return err
		}
		start := time.Now()
		page, err := c.Messages(ctx, "inbox", "")
		if err != nil {
			return fmt.Errorf("list the preloaded inbox: %w", err)
		}
		if len(page.Messages) == 0 || !strings.Contains(page.Messages[0].Document.Subject, "nạp trước") || page.Next == "" {
			return fmt.Errorf("the preloaded inbox of %s lists %d documents", receivers[0].id, len(page.Messages))
		}
		fmt.Printf("a receiver lists its preloaded inbox: %d on the first page in %v\n", len(page.Messages), time.Since(start).Round(time.Millisecond))
	}

	// The senders: one small signed-looking PDF uploaded once, then
	// messages at the rate, each to one agency.
	pdfPath := filepath.Join(dir, "cong-van.pdf")
	if err := samplepdf.WriteFile(pdfPath, samplepdf.Options{Pages: 1, Title: "Cong van do tai"}); err != nil {
		return err
	}
	pdfData, err := os.ReadFile(pdfPath)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(pdfData)
	sha := hex.EncodeToString(sum[:])
	senderClients := make([]*client.Client, len(senders))
	for i, u := range senders {
		if senderClients[i], err = newClient(u); err != nil {
			return err
		}
	}
	if err := senderClients[0].Upload(ctx, bytes.NewReader(pdfData), sha, int64(len(pdfData)), client.UploadOptions{}); err != nil {
		return fmt.Errorf("upload: %w", err)
	}
	jobs := make(chan int)
	var sent, sendErrors atomic.Int64
	var firstErr atomic.Value
	var workers sync.WaitGroup
	for w := range senderClients {
		workers.Add(1)
		go func() {
			defer workers.Done()
			c := senderClients[w]
			for n := range jobs {
				doc := document(n, sha, int64(len(pdfData)), agencyCode(n%nAgencies))
				body, err := client.MarshalSend(protocol.SendRequest{Document: doc})
				if err == nil {
					_, err = c.Send(ctx, protocol.NewClientID(), body)
				}
				if err != nil {
					sendErrors.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					continue
				}
				sent.Add(1)
			}
		}()
	}
	fmt.Printf("sending %d messages a second for %v\n", rate, duration)
	tick := time.NewTicker(time.Second / time.Duration(rate))
	deadline := time.Now().Add(duration)
	late := 0
	for n := 0; time.Now().Before(deadline); n++ {
		<-tick.C
		select {
		case jobs <- n:
		default:
			late++ // every sender busy: the server cannot keep the rate
			jobs <- n
		}
	}
	tick.Stop()
	close(jobs)
	workers.Wait()
	time.Sleep(2 * time.Second) // the last changes reach their pollers
	var hwms, rsss []int64
	for _, p := range procs {
		hwm, rss := procMemory(p.Process.Pid)
		hwms, rsss = append(hwms, hwm), append(rsss, rss)
	}
	stopPolls()
	polls.Wait()

	mu.Lock()
	defer mu.Unlock()
	slices.Sort(latencies)
	pct := func(p float64) time.Duration {
		if len(latencies) == 0 {
			return 0
		}
		return latencies[min(len(latencies)-1, int(p*float64(len(latencies))))]
	}
	want := int(sent.Load()) * nClients / nAgencies
	fmt.Printf("sends: %d accepted (%.1f a second, asked %d), %d failed, %d ticks found every sender busy\n",
		sent.Load(), float64(sent.Load())/duration.Seconds(), rate, sendErrors.Load(), late)
	if e := firstErr.Load(); e != nil {
		fmt.Printf("  first send error: %v\n", e)
	}
	fmt.Printf("feed events: %d of %d expected, %d poll errors\n", len(latencies), want, pollErrors.Load())
	fmt.Printf("commit → receiver's feed event: p50 %v, p95 %v, p99 %v, max %v (goal: p95 ≤ 500 ms)\n",
		pct(0.50).Round(time.Millisecond), pct(0.95).Round(time.Millisecond), pct(0.99).Round(time.Millisecond), pct(1).Round(time.Millisecond))
	what := "bbolt"
	if o.store == "pg" {
		what = fmt.Sprintf("PostgreSQL (durable: fsync on), %d documents preloaded", o.preload)
	}
	fmt.Printf("store: %s; %d server process(es), pollers and senders spread over them\n", what, len(procs))
	for i := range procs {
		fmt.Printf("server %d RSS: peak %.1f MiB, at end %.1f MiB (goal: ≤ 256 MiB)\n", i+1, float64(hwms[i])/(1<<20), float64(rsss[i])/(1<<20))
	}
	if sendErrors.Load() > 0 || len(latencies) < want {
		return fmt.Errorf("not every message reached every poller (%d of %d events, %d failed sends)", len(latencies), want, sendErrors.Load())
	}
	return nil
}

// document is message n's metadata: a công văn from the sending agency.
func document(n int, sha string, size int64, to string) edoc.Document {
	now := time.Now()
	return edoc.Document{
		From:             edoc.Organ{OrganID: senderAgency, OrganName: "UBND tỉnh Hà Tĩnh (đo tải)"},
		To:               []edoc.Organ{{OrganID: to, OrganName: "Sở tỉnh Hà Tĩnh (đo tải)"}},
		Code:             edoc.Code{CodeNumber: fmt.Sprint(n%9999 + 1), CodeNotation: "UBND-VX"},
		Place:            "Hà Tĩnh",
		PromulgationDate: edoc.DateOf(now),
		Type:             edoc.DocumentType{TypeName: "Công văn"},
		Subject:          fmt.Sprintf("V/v đo tải hệ thống, văn bản số %d", n),
		Signer:           edoc.Signer{Competence: "KT. CHỦ TỊCH", Position: "Phó Chủ tịch", FullName: "Lê Văn Đo"},
		Attachments:      []edoc.Attachment{{Role: edoc.RoleMain, Name: "cong-van.pdf", ContentType: "application/pdf", SHA256: sha, Size: size}},
	}
}

func waitListening(addr string, d time.Duration) error {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("the server did not listen on %s within %v", addr, d)
}

// procMemory reads VmHWM and VmRSS of pid, in bytes.
func procMemory(pid int) (hwm, rss int64) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		var kb int64
		if _, err := fmt.Sscanf(line, "VmHWM: %d kB", &kb); err == nil {
			hwm = kb << 10
		}
		if _, err := fmt.Sscanf(line, "VmRSS: %d kB", &kb); err == nil {
			rss = kb << 10
		}
	}
	return hwm, rss
}

// lockedBuffer is a server's output, written by its process's pipes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.b.Len() > 1<<20 { // keep the last MiB or so
		l.b.Reset()
	}
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
