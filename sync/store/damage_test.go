package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/internal/boltcheck"
	"github.com/vanthuso/vanthu/sync/protocol"
)

// damageFixture is a closed cache holding unsent outbox entries, unsent
// statuses (with their inbox documents), one sent entry and 400 inbox
// documents, written in 40 transactions.
type damageFixture struct {
	path     string
	unsent   map[string]string // client message id → subject
	sentID   string
	statuses map[string]string // client status id → message id
	actions  map[string]string // client action id → case id
}

func makeDamageFixture(t *testing.T) damageFixture {
	s, path := openTemp(t)
	r := rand.New(rand.NewPCG(11, 12))
	f := damageFixture{path: path, unsent: map[string]string{}, statuses: map[string]string{}, actions: map[string]string{}}
	for i := range 6 {
		id, doc := queueDoc(t, s, r, i)
		f.unsent[id] = doc.Subject
	}
	f.sentID, _ = queueDoc(t, s, r, 99)
	if err := s.MarkSent(f.sentID, protocol.SendAnswer{MessageID: "m-sent", AcceptedAt: timeAt(0)}); err != nil {
		t.Fatal(err)
	}
	var batch []protocol.Change
	for i := range 400 {
		m := message(keyN(i), sampleDoc(r, i), timeAt(i))
		if batch = append(batch, received(m)); len(batch) == 10 {
			if _, err := s.Apply(batch, fmt.Sprint("c", i)); err != nil {
				t.Fatal(err)
			}
			batch = nil
		}
		if i%100 == 7 {
			e := StatusEntry{ClientStatusID: protocol.NewClientID(), MessageID: m.ID, Request: protocol.StatusRequest{Status: edoc.StatusAccepted}}
			if err := s.QueueStatus(e); err != nil {
				t.Fatal(err)
			}
			f.statuses[e.ClientStatusID] = m.ID
			a := ActionEntry{ClientActionID: protocol.NewClientID(), Request: protocol.ActionRequest{Action: protocol.ActionRegister, CaseID: m.ID}}
			if err := s.QueueAction(a); err != nil {
				t.Fatal(err)
			}
			f.actions[a.ClientActionID] = m.ID
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return f
}

// reopen opens the damaged cache: it must be set aside (kept byte for
// byte), and the new cache must work and pass the checks.
func (f damageFixture) reopen(t *testing.T, reason string) *Recovery {
	t.Helper()
	damaged, err := os.ReadFile(f.path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(f.path, Options{})
	if err != nil {
		t.Fatalf("open of a damaged cache: %v", err)
	}
	rec := s.Recovered()
	if rec == nil {
		s.Close()
		t.Fatal("a damaged cache was not set aside")
	}
	t.Logf("recovery: %+v", *rec)
	if !strings.Contains(rec.Reason, reason) {
		t.Errorf("reason %q, want it to say %q", rec.Reason, reason)
	}
	if kept, err := os.ReadFile(rec.DamagedPath); err != nil || !bytes.Equal(kept, damaged) {
		t.Errorf("the damaged file was not kept as it was: %v", err)
	}
	if filepath.Dir(rec.DamagedPath) != filepath.Dir(f.path) || !strings.HasPrefix(filepath.Base(rec.DamagedPath), "cache.db.damaged-") {
		t.Errorf("set aside as %s", rec.DamagedPath)
	}
	if left, _ := filepath.Glob(f.path + "*.salvage"); len(left) > 0 {
		t.Errorf("salvage copy left: %v", left)
	}
	// Carried entries are the unsent ones, with their documents.
	pend, err := s.Outbox()
	if err != nil {
		t.Fatal(err)
	}
	if len(pend) != rec.Outbox {
		t.Errorf("%d entries pending, the recovery says %d", len(pend), rec.Outbox)
	}
	for _, e := range pend {
		subject, ok := f.unsent[e.ClientMsgID]
		if !ok {
			t.Errorf("entry %s carried over, it was not unsent", e.ClientMsgID)
		}
		if d, err := s.Get(e.ClientMsgID); err != nil || d.Doc.Subject != subject || d.Box != BoxOutbox {
			t.Errorf("document of %s: %+v %v", e.ClientMsgID, d, err)
		}
	}
	st, _ := s.PendingStatuses()
	if len(st) != rec.Statuses {
		t.Errorf("%d statuses pending, the recovery says %d", len(st), rec.Statuses)
	}
	for _, e := range st {
		if f.statuses[e.ClientStatusID] != e.MessageID {
			t.Errorf("status %s carried over, it was not queued", e.ClientStatusID)
		}
	}
	acts, _ := s.PendingActions()
	if len(acts) != rec.Actions {
		t.Errorf("%d actions pending, the recovery says %d", len(acts), rec.Actions)
	}
	for _, e := range acts {
		if f.actions[e.ClientActionID] != e.Request.CaseID {
			t.Errorf("action %s carried over, it was not queued", e.ClientActionID)
		}
	}
	if c, _ := s.Cursor(); c != "" {
		t.Errorf("cursor %q carried over: the cache must be rebuilt from the server", c)
	}
	// The new cache works.
	if _, err := s.Apply(changesOf(received(message("m-after", sampleDoc(newRand(), 1), timeAt(1000)))), "c"); err != nil {
		t.Fatal(err)
	}
	if a, _ := s.Audit(10); len(a) == 0 || a[len(a)-1].Action != "recovered" {
		t.Errorf("audit %+v", a)
	}
	s.Close()
	checkInvariants(t, f.path)
	return rec
}

func (f damageFixture) wantAllCarried(t *testing.T, rec *Recovery) {
	t.Helper()
	if rec.Actions != len(f.actions) {
		t.Errorf("carried %d actions, want %d", rec.Actions, len(f.actions))
	}
	if rec.Outbox != len(f.unsent) || rec.Statuses != len(f.statuses) || rec.Documents != len(f.unsent)+len(f.statuses) {
		t.Errorf("carried %d entries, %d statuses, %d documents; want %d, %d, %d",
			rec.Outbox, rec.Statuses, rec.Documents, len(f.unsent), len(f.statuses), len(f.unsent)+len(f.statuses))
	}
}

func TestDamagedZeroLength(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cache.db")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	damageFixture{path: path}.reopen(t, "empty")
}

func TestDamagedNotBolt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cache.db")
	junk := make([]byte, 64<<10)
	fill(rand.New(rand.NewPCG(1, 2)), junk)
	if err := os.WriteFile(path, junk, 0o600); err != nil {
		t.Fatal(err)
	}
	damageFixture{path: path}.reopen(t, "not a valid bbolt file")
}

func TestDamagedTruncated(t *testing.T) {
	f := makeDamageFixture(t)
	size := boltSize(t, f.path)
	if err := os.Truncate(f.path, size*6/10); err != nil {
		t.Fatal(err)
	}
	// Either the size check or a fault reading the freelist finds it.
	f.reopen(t, "")
}

func TestDamagedRandomMiddle(t *testing.T) {
	f := makeDamageFixture(t)
	size := boltSize(t, f.path)
	r := rand.New(rand.NewPCG(3, 4))
	junk := make([]byte, size*3/10)
	fill(r, junk)
	writeAt(t, f.path, junk, size*35/100)
	f.reopen(t, "")
}

// TestDamagedIndexPages overwrites live pages of the inverted index
// (postings) only: the check fails, and everything unsent is carried
// over. A postings page is told by its keys: a folded word, then \x00
// and block 0 (five zero bytes), and no document key.
func TestDamagedIndexPages(t *testing.T) {
	f := makeDamageFixture(t)
	db, err := bolt.Open(f.path, 0o600, nil) // read-write: Tx.Page needs the freelist
	if err != nil {
		t.Fatal(err)
	}
	pageSize := db.Info().PageSize
	file, _ := os.ReadFile(f.path)
	var victims []int
	db.View(func(tx *bolt.Tx) error {
		for id := 2; (id+1)*pageSize <= len(file) && int64(id*pageSize) < tx.Size(); id++ {
			info, err := tx.Page(id)
			if err != nil || info == nil || info.Type != "leaf" || info.OverflowCount != 0 {
				continue
			}
			p := file[id*pageSize : (id+1)*pageSize]
			if postingsPage.Match(p) && !bytes.Contains(p, []byte("m-0")) && !bytes.Contains(p, []byte(`"box"`)) {
				victims = append(victims, id)
			}
		}
		return nil
	})
	db.Close()
	if len(victims) < 4 {
		t.Fatalf("only %d postings pages found", len(victims))
	}
	t.Logf("%d postings pages", len(victims))
	r := rand.New(rand.NewPCG(5, 6))
	for _, id := range victims[len(victims)/2-1 : len(victims)/2+2] {
		junk := make([]byte, pageSize)
		fill(r, junk)
		writeAt(t, f.path, junk, int64(id*pageSize))
	}
	f.wantAllCarried(t, f.reopen(t, ""))
}

var postingsPage = regexp.MustCompile("[a-z0-9]\x00{5}")

// TestCleanReopen: a cache closed cleanly, or not (no marker: the full
// check runs), opens as it was.
func TestCleanReopen(t *testing.T) {
	f := makeDamageFixture(t)
	for _, marker := range []bool{true, false} {
		if !marker {
			os.Remove(f.path + cleanSuffix)
		}
		start := time.Now()
		s, err := Open(f.path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if s.Recovered() != nil || s.clean != marker {
			t.Fatalf("marker %v: recovered %+v, clean %v", marker, s.Recovered(), s.clean)
		}
		t.Logf("marker %v: open in %v", marker, time.Since(start))
		if p, _ := s.Outbox(); len(p) != len(f.unsent) {
			t.Fatalf("%d pending", len(p))
		}
		s.Close()
	}
}

func boltSize(t *testing.T, path string) int64 {
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int64
	db.View(func(tx *bolt.Tx) error { n = tx.Size(); return nil })
	return n
}

func writeAt(t *testing.T, path string, b []byte, off int64) {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// fill fills b with bytes of r.
func fill(r *rand.Rand, b []byte) {
	for len(b) >= 8 {
		binary.LittleEndian.PutUint64(b, r.Uint64())
		b = b[8:]
	}
	for i := range b {
		b[i] = byte(r.Uint32())
	}
}

// TestRebuildInterrupted: a crash after the damaged file was set aside,
// before what it held was carried over (PATH.rebuild left), or after the
// carrying but before PATH.rebuild went: the next Open carries it, once.
func TestRebuildInterrupted(t *testing.T) {
	f := makeDamageFixture(t)
	aside := f.path + ".damaged-20250101T000000.000000000Z"
	if err := os.Rename(f.path, aside); err != nil {
		t.Fatal(err)
	}
	os.Remove(f.path + cleanSuffix)
	marker := aside + "\nbbolt check: page 7: invalid type\n"
	if err := os.WriteFile(f.path+rebuildSuffix, []byte(marker), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Open(f.path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	rec := s.Recovered()
	if rec == nil || rec.DamagedPath != aside || rec.Reason != "bbolt check: page 7: invalid type" {
		t.Fatalf("recovery %+v", rec)
	}
	f.wantAllCarried(t, rec)
	s.Close()
	if _, err := os.Stat(f.path + rebuildSuffix); !os.IsNotExist(err) {
		t.Fatalf("%s left: %v", rebuildSuffix, err)
	}
	// The marker again: nothing carried twice.
	if err := os.WriteFile(f.path+rebuildSuffix, []byte(marker), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err = Open(f.path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if rec := s.Recovered(); rec == nil || rec.Outbox != 0 || rec.Statuses != 0 || rec.Documents != 0 {
		t.Fatalf("second recovery %+v", rec)
	}
	if p, _ := s.Outbox(); len(p) != len(f.unsent) {
		t.Fatalf("%d pending after a second carry, want %d", len(p), len(f.unsent))
	}
	if st, _ := s.PendingStatuses(); len(st) != len(f.statuses) {
		t.Fatalf("%d statuses after a second carry", len(st))
	}
	// A torn marker (before the rename) is dropped.
	s.Close()
	os.WriteFile(f.path+rebuildSuffix, []byte(f.path+".damaged-2025"), 0o600)
	s2, err := Open(f.path, Options{})
	if err != nil || s2.Recovered() != nil {
		t.Fatalf("torn marker: %v %+v", err, s2.Recovered())
	}
	s2.Close()
}

// TestDamagedMetaPages: a meta page or the freelist page that does not
// say which page it is would panic inside bbolt's checker, in a
// goroutine of its own (the process dies): Open sets such a file aside
// instead (FuzzOpen found one).
func TestDamagedMetaPages(t *testing.T) {
	f := makeDamageFixture(t)
	db, err := bolt.Open(f.path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	pageSize := db.Info().PageSize
	db.Close()
	if d := boltcheck.MetaPages(f.path, pageSize); d != "" || !boltcheck.CheckedFreelist.Load() {
		t.Fatalf("a sound file: %q, freelist checked %v", d, boltcheck.CheckedFreelist.Load())
	}
	good, _ := os.ReadFile(f.path)
	var fl uint64
	for id := 0; id < 2; id++ { // the freelist page of either meta
		m := good[id*pageSize+16:]
		if v := binary.LittleEndian.Uint64(m[32:]); v != ^uint64(0) && v > fl {
			fl = v
		}
	}
	for name, off := range map[string]int64{"meta 0": 0, "meta 1": int64(pageSize), "freelist": int64(fl) * int64(pageSize)} {
		os.WriteFile(f.path, good, 0o600)
		writeAt(t, f.path, []byte{0xff, 0xee, 0, 0, 0, 0, 0, 1}, off)
		if d := boltcheck.MetaPages(f.path, pageSize); d == "" {
			t.Errorf("%s damaged: not seen", name)
		}
	}
	os.WriteFile(f.path, good, 0o600)
	writeAt(t, f.path, []byte{0, 0, 0, 0, 0, 0, 0x40, 0}, 0)
	os.Remove(f.path + cleanSuffix)
	f.wantAllCarried(t, f.reopen(t, "meta page 0"))
}
