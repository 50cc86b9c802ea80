// Command feedbench measures the reference server under the load of an
// agency network (make bench): vanthu-server runs as its own process on
// loopback with its bbolt store; -clients users long-poll their agencies'
// change feeds while senders send -rate messages a second, each to one
// agency. For every message each of its agency's pollers notes when the
// change reached it; the latency is that moment minus the server's commit
// time (SendAnswer.AcceptedAt: one machine, one clock). The server's peak
// RSS (VmHWM) is read from /proc before it stops.
//
//	feedbench -server bin/vanthu-server [-clients 200] [-agencies 10] [-rate 50] [-duration 30s]
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
	"github.com/vanthuso/vanthu/internal/samplepdf"
	"github.com/vanthuso/vanthu/server/store"
	"github.com/vanthuso/vanthu/server/store/bolt"
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
	flag.Parse()
	if err := run(*serverBin, *dir, *clients, *agencies, *rate, *duration); err != nil {
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

func run(serverBin, dir string, nClients, nAgencies, rate int, duration time.Duration) error {
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
	st, err := bolt.Open(filepath.Join(data, "store"), bolt.Options{})
	if err != nil {
		return fmt.Errorf("open the server's store: %w", err)
	}
	ctx := context.Background()
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

	// The server, its own process.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	addr := ln.Addr().String()
	ln.Close()
	var serverLog bytes.Buffer
	srv := exec.Command(serverBin, "serve", "--data", data, "--listen", addr, "--offline-revocation")
	srv.Stdout, srv.Stderr = &serverLog, &serverLog
	if err := srv.Start(); err != nil {
		return err
	}
	defer func() { srv.Process.Kill(); srv.Wait() }()
	if err := waitListening(addr, 30*time.Second); err != nil {
		return fmt.Errorf("%w\n%s", err, serverLog.String())
	}
	caPEM, err := os.ReadFile(filepath.Join(data, "tls", "cert.pem"))
	if err != nil {
		return err
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caPEM) {
		return errors.New("the server's certificate is not PEM")
	}
	newClient := func(u user) (*client.Client, error) {
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
		ch, err := c.Changes(ctx, "", 0)
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
	hwm, rss := procMemory(srv.Process.Pid)
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
	fmt.Printf("server RSS: peak %.1f MiB, at end %.1f MiB (goal: ≤ 256 MiB)\n", float64(hwm)/(1<<20), float64(rss)/(1<<20))
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
