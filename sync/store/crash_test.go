package store

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/sync/protocol"
)

// The crash tests run this test binary again as a child (TestMain sees
// envCrashChild) that writes to a cache at random and prints "ack …"
// after each write returned; the parent kills it and checks the cache.
const (
	envCrashChild  = "VANTHU_STORE_CRASH_CHILD" // the cache's path
	envCrashSeed   = "VANTHU_STORE_CRASH_SEED"  // the child's seed; the parent's, to replay a run
	envCrashTrials = "VANTHU_STORE_CRASH_TRIALS"
)

func TestMain(m *testing.M) {
	if path := os.Getenv(envCrashChild); path != "" {
		seed, _ := strconv.ParseUint(os.Getenv(envCrashSeed), 10, 64)
		if err := crashChild(path, seed); err != nil {
			fmt.Printf("error %v\n", err)
			os.Exit(2)
		}
		os.Exit(0)
	}
	code := m.Run()
	removeBenchCache()
	os.Exit(code)
}

// crashChild writes to the cache at path until it is killed (or, with
// failpoints, dies at one). Before each write it prints "try <what>",
// after it "ack <what>":
//
//	blob <sha>               PutBlob returned
//	queue <id>               Queue returned
//	apply <cursor> <key>…    Apply returned (the keys it received)
//	sent <id> <message id>   MarkSent returned
//	update <id> <attempts>   UpdateOutbox returned
//	read <key>               MarkRead returned
func crashChild(path string, seed uint64) error {
	s, err := Open(path, Options{User: "crash-child"})
	if err != nil {
		return err
	}
	if s.Recovered() != nil {
		return fmt.Errorf("the cache was set aside: %+v", *s.Recovered())
	}
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	say := func(format string, a ...any) { fmt.Fprintf(os.Stdout, format+"\n", a...) }
	cursor, err := s.Cursor()
	if err != nil {
		return err
	}
	n, _ := strconv.Atoi(cursor)
	var inbox []string
	say("ready")
	for op := 0; op < 10000; op++ {
		switch k := r.IntN(100); {
		case k < 30:
			doc := sampleDoc(r, op)
			doc.Attachments = nil
			for range 1 + r.IntN(2) {
				b := make([]byte, r.IntN(256<<10+1))
				fill(r, b)
				say("try blob")
				sha, size, err := s.PutBlob(bytes.NewReader(b))
				if err != nil {
					return err
				}
				say("ack blob %s", sha)
				doc.Attachments = append(doc.Attachments, edoc.Attachment{Role: edoc.RoleMain, Name: "van-ban.pdf", SHA256: sha, Size: size})
			}
			id := protocol.NewClientID()
			say("try queue %s", id)
			if err := s.Queue(doc, id); err != nil {
				return err
			}
			say("ack queue %s", id)
		case k < 55:
			var changes []protocol.Change
			var keys []string
			for range 1 + r.IntN(5) {
				n++
				m := message(fmt.Sprintf("m-%d-%d", seed, n), sampleDoc(r, n), time.Now().UTC())
				changes = append(changes, received(m))
				keys = append(keys, m.ID)
			}
			if len(inbox) > 0 {
				ev := protocol.StatusEvent{MessageID: inbox[r.IntN(len(inbox))], OrganID: "000.00.00.H40", Status: edoc.StatusArrived, At: time.Now().UTC()}
				changes = append(changes, protocol.Change{Kind: protocol.ChangeStatus, MessageID: ev.MessageID, Status: &ev})
			}
			c := fmt.Sprintf("%012d", n)
			say("try apply %s", c)
			if _, err := s.Apply(changes, c); err != nil {
				return err
			}
			say("ack apply %s %s", c, strings.Join(keys, " "))
			inbox = append(inbox, keys...)
		case k < 85:
			pend, err := s.Outbox()
			if err != nil {
				return err
			}
			if len(pend) == 0 {
				continue
			}
			id := pend[r.IntN(len(pend))].ClientMsgID
			if k < 70 {
				say("try sent %s", id)
				if err := s.MarkSent(id, protocol.SendAnswer{MessageID: "s-" + id, ClientMsgID: id, AcceptedAt: time.Now().UTC()}); err != nil {
					return err
				}
				say("ack sent %s s-%s", id, id)
				continue
			}
			var attempts int
			say("try update %s", id)
			if err := s.UpdateOutbox(id, func(e *OutboxEntry) error { e.Attempts++; attempts = e.Attempts; e.State = OutboxUploading; return nil }); err != nil {
				return err
			}
			say("ack update %s %d", id, attempts)
		default:
			if len(inbox) == 0 {
				continue
			}
			key := inbox[r.IntN(len(inbox))]
			say("try read %s", key)
			if err := s.MarkRead(key); err != nil {
				return err
			}
			say("ack read %s", key)
		}
	}
	return s.Close()
}

// acked is what the children acknowledged, over all trials.
type acked struct {
	blobs    map[string]bool
	queued   map[string]bool
	sent     map[string]string // id → message id
	attempts map[string]int
	received map[string]bool
	read     map[string]bool
	cursor   string
	writes   int
}

func newAcked() *acked {
	return &acked{blobs: map[string]bool{}, queued: map[string]bool{}, sent: map[string]string{},
		attempts: map[string]int{}, received: map[string]bool{}, read: map[string]bool{}}
}

// add records one line of a child.
func (a *acked) add(line string) {
	f := strings.Fields(line)
	if len(f) < 2 || f[0] != "ack" {
		return
	}
	a.writes++
	switch f[1] {
	case "blob":
		a.blobs[f[2]] = true
	case "queue":
		a.queued[f[2]] = true
	case "apply":
		a.cursor = f[2]
		for _, k := range f[3:] {
			a.received[k] = true
		}
	case "sent":
		a.sent[f[2]] = f[3]
	case "update":
		n, _ := strconv.Atoi(f[3])
		a.attempts[f[2]] = max(a.attempts[f[2]], n)
	case "read":
		a.read[f[2]] = true
	}
}

// verify opens the cache and checks that every acknowledged write is
// there, then checks the file and the blobs (re-hashing those not in
// seen).
func (a *acked) verify(t *testing.T, path string, seen map[string]bool) {
	t.Helper()
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("open after the kill: %v", err)
	}
	if s.Recovered() != nil {
		t.Fatalf("a kill damaged the cache: %+v", *s.Recovered())
	}
	for sha := range a.blobs {
		if !s.HasBlob(sha) {
			t.Errorf("acknowledged blob %s is missing", sha)
		}
	}
	for id := range a.queued {
		e, err := s.OutboxEntry(id)
		if err != nil {
			t.Errorf("acknowledged queue %s: %v", id, err)
			continue
		}
		d, err := s.Get(id)
		if err != nil || d.Box != BoxOutbox {
			t.Errorf("document of acknowledged queue %s: %v", id, err)
		}
		for _, f := range e.Files {
			if !s.HasBlob(f.SHA256) {
				t.Errorf("queued %s names a missing blob %s", id, f.SHA256)
			}
		}
		if m, ok := a.sent[id]; ok && (e.State != OutboxSent || d.MessageID != m) {
			t.Errorf("acknowledged sent %s: state %s, message %q", id, e.State, d.MessageID)
		}
		if e.Attempts < a.attempts[id] {
			t.Errorf("acknowledged update %s: %d attempts, want at least %d", id, e.Attempts, a.attempts[id])
		}
	}
	for k := range a.received {
		d, err := s.Get(k)
		if err != nil {
			t.Errorf("acknowledged received %s: %v", k, err)
		} else if a.read[k] && !d.Read {
			t.Errorf("acknowledged read %s is unread", k)
		}
	}
	if c, _ := s.Cursor(); c < a.cursor {
		t.Errorf("cursor %q went back before the acknowledged %q", c, a.cursor)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	checkFile(t, path)
	checkBlobs(t, path+".blobs", seen)
}

// crashRun runs one child on path with env added and kills it after
// delay (0: waits for it to die by itself, at most a minute). It returns
// the child's output lines.
func crashRun(t *testing.T, path string, seed uint64, delay time.Duration, env ...string) []string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envCrashChild+"="+path, envCrashSeed+"="+strconv.FormatUint(seed, 10))
	cmd.Env = append(cmd.Env, env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 1024)
	ready := make(chan struct{})
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(out)
		first := true
		for sc.Scan() {
			if first && sc.Text() == "ready" {
				close(ready)
				first = false
			}
			lines <- sc.Text()
		}
		if first {
			close(ready)
		}
	}()
	var got []string
	collect := func() {
		for l := range lines {
			got = append(got, l)
		}
	}
	if delay > 0 {
		<-ready
		time.Sleep(delay)
		cmd.Process.Signal(syscall.SIGKILL)
	} else {
		timer := time.AfterFunc(time.Minute, func() { cmd.Process.Signal(syscall.SIGKILL) })
		defer timer.Stop()
	}
	collect()
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("child ended with %v, not killed:\n%s\n%s", err, strings.Join(got, "\n"), stderr.String())
	}
	for _, l := range got {
		if strings.HasPrefix(l, "error ") {
			t.Fatalf("child: %s", l)
		}
	}
	return got
}

// crashSeed is the seed of a crash test: $VANTHU_STORE_CRASH_SEED or
// the clock, logged.
func crashSeed(t *testing.T) uint64 {
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv(envCrashSeed); v != "" {
		var err error
		if seed, err = strconv.ParseUint(v, 10, 64); err != nil {
			t.Fatalf("%s=%q: %v", envCrashSeed, v, err)
		}
	}
	t.Logf("seed %d (replay with %s=%d)", seed, envCrashSeed, seed)
	return seed
}

// TestKillLoop is the acceptance test of the cache's durability: 100
// trials (VANTHU_STORE_CRASH_TRIALS) of a child writing at random,
// SIGKILLed at a random moment; after each the cache opens undamaged,
// bbolt's Check passes, every acknowledged write is there, every blob
// re-hashes to its name and no temporary file is left.
func TestKillLoop(t *testing.T) {
	trials := 100
	if v := os.Getenv(envCrashTrials); v != "" {
		trials, _ = strconv.Atoi(v)
	}
	seed := crashSeed(t)
	r := rand.New(rand.NewPCG(seed, 1))
	path := filepath.Join(t.TempDir(), "cache.db")
	a := newAcked()
	seen := map[string]bool{}
	midWrite := 0 // trials killed between a "try" and its "ack"
	start := time.Now()
	for i := range trials {
		delay := time.Duration(1+r.IntN(180)) * time.Millisecond
		lines := crashRun(t, path, seed+uint64(i), delay)
		for _, l := range lines {
			a.add(l)
		}
		if len(lines) > 0 && strings.HasPrefix(lines[len(lines)-1], "try ") {
			midWrite++
		}
		a.verify(t, path, seen)
		if t.Failed() {
			t.Fatalf("trial %d (child seed %d, killed after %v)", i, seed+uint64(i), delay)
		}
	}
	t.Logf("%d trials, %d killed during a write, %d acknowledged writes (%d queued, %d received, %d blobs) in %v",
		trials, midWrite, a.writes, len(a.queued), len(a.received), len(a.blobs), time.Since(start).Round(time.Millisecond))
	if a.writes < trials || midWrite == 0 {
		t.Fatalf("%d writes acknowledged and %d kills during a write in %d trials: the kills did not test anything", a.writes, midWrite, trials)
	}
}
