package store

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/internal/fuzzguard"
	"github.com/vanthuso/vanthu/sync/protocol"
)

// fuzzClientID is the id of the document queued before each FuzzApply
// input, so that inputs can aim at it.
const fuzzClientID = "fuzzclient000001"

// FuzzApply applies feed changes the fuzzer writes (JSON, as a server
// would send them) to a cache holding a queued document: Apply never
// panics, re-applying leaves the same state, the queued document stays as
// it was while its entry is unsent, and the file passes bbolt's Check
// with consistent indexes.
func FuzzApply(f *testing.F) {
	doc := sampleDoc(newRand(), 1)
	m := message("m-1", doc, timeAt(1))
	own := message("m-own", doc, timeAt(2))
	own.ClientMsgID = fuzzClientID
	for _, seed := range [][]protocol.Change{
		{received(m)},
		{received(m), {Kind: protocol.ChangeStatus, MessageID: "m-1", Status: &protocol.StatusEvent{OrganID: "000.00.00.H40", Status: "03", At: timeAt(3)}}, deleted("m-1")},
		{sent(own), deleted("m-own")},
		{received(message(fuzzClientID, doc, timeAt(1))), deleted(fuzzClientID)},
	} {
		data, _ := json.Marshal(seed)
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		defer fuzzguard.Watch(t, fuzzguard.Limit, data)()
		var changes []protocol.Change
		if json.Unmarshal(data, &changes) != nil {
			return
		}
		path := filepath.Join(t.TempDir(), "cache.db")
		s, err := Open(path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		queued := sampleDoc(newRand(), 2)
		queued.Attachments = []edoc.Attachment{putBlob(t, s, "a.pdf", []byte("%PDF-1.7"))}
		if err := s.Queue(queued, fuzzClientID); err != nil {
			t.Fatal(err)
		}
		before, _ := s.Get(fuzzClientID)
		if _, err := s.Apply(changes, "c1"); err != nil {
			return
		}
		first := snapshotAll(t, s)
		if _, err := s.Apply(changes, "c1"); err != nil {
			t.Fatalf("re-apply: %v", err)
		}
		if second := snapshotAll(t, s); second != first {
			t.Fatalf("re-applying changed the state:\n%s\n%s", first, second)
		}
		if e, err := s.OutboxEntry(fuzzClientID); err == nil && pending(e.State) {
			after, err := s.Get(fuzzClientID)
			if err != nil || jsonOf(after.Doc) != jsonOf(before.Doc) || after.MessageID != "" {
				t.Fatalf("the unsent document changed: %v\n%s\n%s", err, jsonOf(before), jsonOf(after))
			}
		}
		s.Close()
		checkFile(t, path)
	})
}

// snapshotAll is snapshot without the time-dependent audit.
func snapshotAll(t *testing.T, s *Store) string {
	out := snapshot(t, s)
	e, _ := s.OutboxAll()
	return out + jsonOf(e)
}

// FuzzOpen opens files of bytes the fuzzer writes (from a version-1
// cache, an empty file and junk): Open never panics or dies of a memory
// fault; it opens the file or sets it aside, and what it opens works and
// passes bbolt's Check.
func FuzzOpen(f *testing.F) {
	if v1, err := os.ReadFile(fixtureV1); err == nil {
		f.Add(v1)
	}
	f.Add([]byte{})
	f.Add([]byte("not a cache"))
	f.Fuzz(func(t *testing.T, data []byte) {
		defer fuzzguard.Watch(t, fuzzguard.Limit, data)()
		path := filepath.Join(t.TempDir(), "cache.db")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := Open(path, Options{Timeout: 5 * time.Second})
		if err != nil {
			return // a newer schema, refused
		}
		if _, _, err := s.List(ListQuery{Box: BoxInbox}); err != nil && s.Recovered() != nil {
			t.Fatalf("list of a rebuilt cache: %v", err)
		}
		if _, err := s.Apply(changesOf(received(message("m-new", sampleDoc(newRand(), 1), timeAt(1)))), "c"); err != nil && s.Recovered() != nil {
			t.Fatalf("apply to a rebuilt cache: %v", err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if s.Recovered() != nil {
			checkFile(t, path)
		}
	})
}
