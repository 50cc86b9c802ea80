package pg

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/internal/pgtest"
	"github.com/vanthuso/vanthu/server/store"
	"github.com/vanthuso/vanthu/sync/protocol"
)

const (
	agencyA = "000.00.00.H41"
	agencyB = "000.00.00.G22"
	agencyC = "000.00.01.H47"
)

var now = time.Date(2026, 3, 5, 8, 30, 0, 0, time.UTC)

// replicas opens n stores on one new database, as n vanthu-server
// processes would, with agencies A, B and C.
func replicas(t *testing.T, n int) []*Store {
	t.Helper()
	url := pgtest.Database(t)
	var out []*Store
	for range n {
		s := open(t, url)
		t.Cleanup(func() { s.Close() })
		out = append(out, s)
	}
	for _, code := range []string{agencyA, agencyB, agencyC} {
		if err := out[0].AddAgency(ctx, store.Agency{Code: code, Name: "Cơ quan " + code, Created: now}); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// sleepInCommits makes every commit of s sleep up to max inside its
// transaction, after its writes and before COMMIT, and counts them.
func sleepInCommits(s *Store, max time.Duration, count *atomic.Int64) {
	s.beforeCommit = func(context.Context) {
		count.Add(1)
		time.Sleep(rand.N(max))
	}
}

// send is a send from one agency to another with its feed events.
func send(from, to string) store.SendCommit {
	id := protocol.NewClientID()
	return store.SendCommit{
		Message: store.Message{ID: id, ClientMsgID: id, From: from, Recipients: []string{to}, AcceptedAt: now,
			Document:   edoc.Document{From: edoc.Organ{OrganID: from}, To: []edoc.Organ{{OrganID: to}}, Subject: "Về việc thử nghiệm"},
			Deliveries: []protocol.Delivery{{OrganID: to, Status: edoc.StatusArrived, UpdatedAt: now}}},
		Events: []store.Event{
			{Feed: store.AgencyFeed(from), Kind: protocol.ChangeSent, MessageID: id, At: now},
			{Feed: store.AgencyFeed(to), Kind: protocol.ChangeReceived, MessageID: id, At: now},
		},
		Idem: store.Idempotency{Agency: from, Key: "msg:" + id, Fingerprint: "f", Status: 201, At: now},
	}
}

// TestFeedCommitOrderSleepingWriters is the acceptance test of issue 10:
// 8 writers on two replicas, each commit sleeping inside its transaction
// after its sequence was taken (where a plain sequence lets a later
// number commit first), and one reader polling Changes from its cursor.
// Every committed event is seen exactly once, sequences come 1, 2, 3 …
// and the cursor never goes back. Sends to one agency also share its
// inbox counter; statuses on 8 messages share nothing but the sender's
// feed, so there the feed's own counter is all that keeps the order.
func TestFeedCommitOrderSleepingWriters(t *testing.T) {
	t.Run("sends", func(t *testing.T) {
		feedCommitOrder(t, store.AgencyFeed(agencyC), func(s *Store, w int) (func() (string, error), error) {
			from := []string{agencyA, agencyB}[w/2%2]
			return func() (string, error) {
				c := send(from, agencyC)
				_, ok, err := s.CommitSend(ctx, c)
				if err == nil && !ok {
					err = errors.New("a fresh send replayed")
				}
				return c.Message.ID, err
			}, nil
		})
	})
	t.Run("statuses", func(t *testing.T) {
		feedCommitOrder(t, store.AgencyFeed(agencyA), func(s *Store, w int) (func() (string, error), error) {
			m := send(agencyA, agencyB)
			if _, _, err := s.CommitSend(ctx, m); err != nil {
				return nil, err
			}
			return func() (string, error) {
				id := protocol.NewClientID()
				ev := protocol.StatusEvent{MessageID: m.Message.ID, OrganID: agencyB, Status: edoc.StatusProcessing, Description: id, At: now}
				_, ok, err := s.CommitStatus(ctx, store.StatusCommit{MessageID: m.Message.ID, Event: ev,
					Events: []store.Event{{Feed: store.AgencyFeed(agencyA), Kind: protocol.ChangeStatus, MessageID: m.Message.ID, At: now, Status: &ev}},
					Idem:   store.Idempotency{Agency: agencyB, Key: "status:" + id, At: now}})
				if err == nil && !ok {
					err = errors.New("a fresh status replayed")
				}
				return id, err
			}, nil
		})
	})
}

// eventID names what an event of the acceptance test reports.
func eventID(e store.Event) string {
	if e.Status != nil {
		return e.Status.Description
	}
	return e.MessageID
}

// feedCommitOrder runs 8 writers (made by writer, half on each of two
// replicas) committing 12 times each with sleeps inside the
// transactions, and a reader of feed checking what it reads.
func feedCommitOrder(t *testing.T, feed string, writer func(s *Store, w int) (func() (string, error), error)) {
	st := replicas(t, 2)
	var slept atomic.Int64
	const writers, each = 8, 12
	commits := make([]func() (string, error), writers)
	for w := range writers {
		var err error
		if commits[w], err = writer(st[w%2], w); err != nil {
			t.Fatal(err)
		}
	}
	head, err := st[0].FeedHead(ctx, feed)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range st {
		sleepInCommits(s, 15*time.Millisecond, &slept)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var stop atomic.Bool
	committed := map[string]bool{}
	// A failing reader stops the writers before the stores close.
	defer wg.Wait()
	defer stop.Store(true)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				if stop.Load() {
					return
				}
				id, err := commits[w]()
				if err != nil {
					t.Errorf("commit: %v", err)
					return
				}
				mu.Lock()
				committed[id] = true
				mu.Unlock()
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()

	reader := st[1]
	rctx, cancel := context.WithTimeout(ctx, 2*time.Minute) // a bound, not a speed requirement
	defer cancel()
	seen := map[string]bool{}
	cursor := head
	finished := false
	for !finished || len(seen) < writers*each {
		select {
		case <-done:
			finished = true
		default:
		}
		ev, err := reader.Changes(rctx, feed, cursor, 3)
		if err != nil {
			t.Fatalf("changes after %d (%d seen): %v", cursor, len(seen), err)
		}
		for _, e := range ev {
			if e.Seq != cursor+1 {
				t.Fatalf("cursor went from %d to %d", cursor, e.Seq)
			}
			cursor = e.Seq
			if seen[eventID(e)] {
				t.Fatalf("event %s seen twice", eventID(e))
			}
			seen[eventID(e)] = true
			if _, err := reader.Message(rctx, e.MessageID); err != nil {
				t.Fatalf("event %d names message %s, not readable: %v", e.Seq, e.MessageID, err)
			}
		}
		if h, err := reader.FeedHead(rctx, feed); err != nil || h < cursor {
			t.Fatalf("feed head %d below the cursor %d: %v", h, cursor, err)
		}
		if finished && len(ev) == 0 && len(seen) < writers*each {
			t.Fatalf("the feed ended after %d of %d events", len(seen), writers*each)
		}
	}
	for id := range committed {
		if !seen[id] {
			t.Fatalf("committed event %s never seen", id)
		}
	}
	if len(committed) != writers*each || slept.Load() < writers*each {
		t.Fatalf("%d events committed, %d commits slept; want %d each", len(committed), slept.Load(), writers*each)
	}
}

// waitWoken runs WaitChange on s at feed's head and returns once it
// blocked (found no change): the returned channel gets its result.
func waitWoken(t *testing.T, s *Store, feed string) (<-chan error, context.CancelFunc) {
	t.Helper()
	head, err := s.FeedHead(ctx, feed)
	if err != nil {
		t.Fatal(err)
	}
	blocked := make(chan struct{})
	var once sync.Once
	s.waitBlocked = func() { once.Do(func() { close(blocked) }) }
	wctx, cancel := context.WithTimeout(ctx, time.Minute) // a bound: a lost wake-up fails instead of hanging
	woke := make(chan error, 1)
	go func() { woke <- s.WaitChange(wctx, []string{feed}, []uint64{head}) }()
	select {
	case <-blocked:
	case err := <-woke:
		t.Fatalf("WaitChange returned before any commit: %v", err)
	}
	return woke, cancel
}

// TestWaitChangeOtherReplica: a long poll blocked on one replica is
// woken by a commit through another (LISTEN/NOTIFY), which shares no
// memory with it.
func TestWaitChangeOtherReplica(t *testing.T) {
	st := replicas(t, 2)
	woke, cancel := waitWoken(t, st[1], store.AgencyFeed(agencyB))
	defer cancel()
	if _, _, err := st[0].CommitSend(ctx, send(agencyA, agencyB)); err != nil {
		t.Fatal(err)
	}
	if err := <-woke; err != nil {
		t.Fatalf("the other replica's long poll: %v, want woken by the commit", err)
	}
}

// TestWaitChangeListenerReconnects: when the listening connection dies
// (here: terminated by the server), the store listens again and a long
// poll is still woken by a commit through another replica.
func TestWaitChangeListenerReconnects(t *testing.T) {
	st := replicas(t, 2)
	var killed int
	err := st[0].pool.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND application_name = $1`, listenerName).Scan(&killed)
	if err != nil || killed != 2 {
		t.Fatalf("terminated %d listening connections, want 2: %v", killed, err)
	}
	woke, cancel := waitWoken(t, st[1], store.AgencyFeed(agencyB))
	defer cancel()
	// Commit until the waiter wakes: the ones made while nobody listened
	// wake it through the reconnection, later ones by notification.
	for i := 0; ; i++ {
		if _, _, err := st[0].CommitSend(ctx, send(agencyA, agencyB)); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-woke:
			if err != nil {
				t.Fatalf("long poll after the listener died: %v", err)
			}
			// Both stores listen again (the other one had no waiter to wake).
			for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
				var listening int
				err := st[0].pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
					WHERE datname = current_database() AND application_name = $1 AND query = 'LISTEN `+notifyChannel+`'`, listenerName).Scan(&listening)
				if err == nil && listening == 2 {
					return
				}
				if time.Now().After(deadline) {
					t.Fatalf("%d listening connections a minute after they were terminated, want 2: %v", listening, err)
				}
			}
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// numbered is a work commit that registers case id in agency's incoming
// register of 2026.
func numbered(agency, id string) store.WorkCommit {
	return store.WorkCommit{Agency: agency, CaseID: id,
		Number: &store.NumberRequest{Kind: edoc.RegisterIncoming, Year: 2026},
		Idem:   store.Idempotency{Agency: agency, Key: "work:" + protocol.NewClientID(), Fingerprint: "w", Status: 201, At: now},
		Apply: func(st store.WorkState) (store.WorkResult, error) {
			e := edoc.RegisterEntry{Kind: edoc.RegisterIncoming, Number: edoc.FormatNumber(st.Number), Subject: "Về việc " + id}
			return store.WorkResult{
				Case:   protocol.Case{ID: id, Agency: agency, Kind: protocol.CaseIncoming, Stage: protocol.StageRegistered, Entry: &e, Version: 1},
				Entry:  &store.RegisterRecord{Agency: agency, Kind: edoc.RegisterIncoming, Year: 2026, Number: st.Number, CaseID: id, Entry: e},
				Events: []store.Event{{Feed: store.AgencyFeed(agency), Kind: protocol.ChangeCase, CaseID: id, At: now}},
			}, nil
		}}
}

// TestWorkNumbersTwoReplicas: clerks on two replicas registering at once,
// each commit sleeping inside its transaction: the register's numbers are
// 1 … N without a gap or a repeat, one per case.
func TestWorkNumbersTwoReplicas(t *testing.T) {
	st := replicas(t, 2)
	var slept atomic.Int64
	for _, s := range st {
		sleepInCommits(s, 10*time.Millisecond, &slept)
	}
	const writers, each = 8, 12
	var wg sync.WaitGroup
	for w := range writers {
		s := st[w%2]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if _, ok, err := s.CommitWork(ctx, numbered(agencyA, fmt.Sprintf("w%d-%d", w, i))); err != nil || !ok {
					t.Errorf("commit: ok %v, %v", ok, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	lines, err := st[1].RegisterEntries(ctx, agencyA, edoc.RegisterIncoming, 2026, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != writers*each {
		t.Fatalf("%d register lines for %d commits", len(lines), writers*each)
	}
	byCase := map[string]int{}
	for i, l := range lines {
		if l.Number != i+1 {
			t.Fatalf("line %d has number %d: a gap or a repeat", i, l.Number)
		}
		if prev, dup := byCase[l.CaseID]; dup {
			t.Fatalf("case %s numbered %d and %d", l.CaseID, prev, l.Number)
		}
		byCase[l.CaseID] = l.Number
	}
	cases, err := st[0].Cases(ctx, agencyA, "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		if c.Entry == nil || c.Entry.Number != edoc.FormatNumber(byCase[c.ID]) {
			t.Fatalf("case %s entry %+v, register says %d", c.ID, c.Entry, byCase[c.ID])
		}
	}
	if head, _ := st[0].FeedHead(ctx, store.AgencyFeed(agencyA)); head != writers*each || slept.Load() < writers*each {
		t.Fatalf("feed head %d, %d commits slept; want %d", head, slept.Load(), writers*each)
	}
}

// TestSameCaseTwoReplicas: commits on one case through two replicas are
// applied one after the other: each sees the version the last wrote.
func TestSameCaseTwoReplicas(t *testing.T) {
	st := replicas(t, 2)
	var slept atomic.Int64
	for _, s := range st {
		sleepInCommits(s, 5*time.Millisecond, &slept)
	}
	const n = 16
	var wg sync.WaitGroup
	for i := range n {
		s := st[i%2]
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := store.WorkCommit{Agency: agencyA, CaseID: "one",
				Idem: store.Idempotency{Agency: agencyA, Key: "work:" + protocol.NewClientID(), At: now},
				Apply: func(ws store.WorkState) (store.WorkResult, error) {
					cs := protocol.Case{ID: "one", Agency: agencyA, Kind: protocol.CaseIncoming}
					if ws.Case != nil {
						cs = *ws.Case
					}
					cs.Version++
					return store.WorkResult{Case: cs}, nil
				}}
			if _, _, err := s.CommitWork(ctx, c); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	c, err := st[0].Case(ctx, agencyA, "one")
	if err != nil {
		t.Fatal(err)
	}
	if c.Version != n {
		t.Fatalf("case version %d after %d commits: an update was lost", c.Version, n)
	}
}

// TestBlobSharedAcrossReplicas: a file uploaded in uneven chunks through
// one replica is kept in ChunkSize rows and read back, whole and from
// any position, through another.
func TestBlobSharedAcrossReplicas(t *testing.T) {
	st := replicas(t, 2)
	data := make([]byte, 2*ChunkSize+ChunkSize/2+7)
	for i := range data {
		data[i] = byte(rand.N(256))
	}
	sha := sha256Hex(data)
	u, err := st[0].StartUpload(ctx, store.Upload{ID: "up-1", Agency: agencyA, SHA256: sha, Size: int64(len(data)), Created: now})
	if err != nil {
		t.Fatal(err)
	}
	for off := 0; !u.Complete; {
		end := min(off+300_001, len(data))
		// Alternate replicas: the upload's state is shared too.
		if u, err = st[off/300_001%2].AppendUpload(ctx, u.ID, int64(off), data[off:end]); err != nil {
			t.Fatal(err)
		}
		off = end
	}
	var sizes []int
	rows, err := st[0].pool.Query(ctx, `SELECT length(data) FROM blob_chunks WHERE sha = $1 ORDER BY n`, sha)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n int
		rows.Scan(&n)
		sizes = append(sizes, n)
	}
	if rows.Err() != nil || fmt.Sprint(sizes) != fmt.Sprint([]int{ChunkSize, ChunkSize, ChunkSize/2 + 7}) {
		t.Fatalf("chunk rows %v (%v), want two of %d and one of %d", sizes, rows.Err(), ChunkSize, ChunkSize/2+7)
	}
	var left int
	st[0].pool.QueryRow(ctx, `SELECT count(*) FROM upload_chunks`).Scan(&left)
	if left != 0 {
		t.Fatalf("%d upload rows left after completion", left)
	}
	if _, err := st[1].Blob(ctx, sha, agencyA); err != nil {
		t.Fatal(err)
	}
	r, err := st[1].OpenBlob(ctx, sha)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for _, at := range []int64{0, ChunkSize - 3, ChunkSize, 2*ChunkSize + 100, int64(len(data)) - 1, 5} {
		if _, err := r.Seek(at, 0); err != nil {
			t.Fatal(err)
		}
		got := make([]byte, 10)
		n, err := io.ReadFull(r, got)
		want := data[at:min(at+10, int64(len(data)))]
		if err == io.ErrUnexpectedEOF && n == len(want) {
			err = nil // the last byte
		}
		if err != nil || string(got[:n]) != string(want) {
			t.Fatalf("10 bytes at %d: %d read, %v, differ %v", at, n, err, string(got[:n]) != string(want))
		}
	}
	if end, err := r.Seek(0, 2); err != nil || end != int64(len(data)) {
		t.Fatalf("seek to the end: %d %v", end, err)
	}
	if _, err := r.Seek(-1, 0); err == nil {
		t.Fatal("seek before the start accepted")
	}
	r.Seek(0, 0)
	all, err := io.ReadAll(r)
	if err != nil || string(all) != string(data) {
		t.Fatalf("whole blob: %d bytes, %v", len(all), err)
	}
}

// TestBlobDamageDetected: a chunk row changed behind the store's back
// (a short row) is reported as damage, not served as the file.
func TestBlobDamageDetected(t *testing.T) {
	st := replicas(t, 1)
	data := make([]byte, ChunkSize+10)
	sha := sha256Hex(data)
	u, err := st[0].StartUpload(ctx, store.Upload{ID: "up-1", Agency: agencyA, SHA256: sha, Size: int64(len(data)), Created: now})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st[0].AppendUpload(ctx, u.ID, 0, data); err != nil {
		t.Fatal(err)
	}
	if _, err := st[0].pool.Exec(ctx, `UPDATE blob_chunks SET data = substring(data FROM 1 FOR 5) WHERE sha = $1 AND n = 1`, sha); err != nil {
		t.Fatal(err)
	}
	r, err := st[0].OpenBlob(ctx, sha)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := io.ReadAll(r); err == nil {
		t.Fatal("a damaged blob read without an error")
	}
	if _, err := st[0].OpenBlob(ctx, "not-a-sha"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("open of a malformed name: %v", err)
	}
}

func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
