package store

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/sync/protocol"
)

// refusals counts the "refused" audit lines.
func refusals(t *testing.T, s *Store) int {
	t.Helper()
	a, err := s.Audit(1000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range a {
		if e.Action == "refused" {
			n++
		}
	}
	return n
}

func TestFeedCannotOverwriteQueued(t *testing.T) {
	s, path := openTemp(t)
	id, doc := queueDoc(t, s, newRand(), 1)
	before, _ := s.Get(id)

	// A ChangeSent naming our id with another document: ours stays
	// queued and unchanged, the other is a document of its own.
	forged := sampleDoc(newRand(), 2)
	forged.Subject = "Văn bản giả mạo"
	m := message("m-forged", forged, timeAt(1))
	m.ClientMsgID = id
	// A ChangeReceived whose message id is the key of our document.
	r := message(id, forged, timeAt(2))
	// A ChangeDeleted naming our key as a message id.
	if _, err := s.Apply(changesOf(sent(m), received(r), deleted(id)), "c1"); err != nil {
		t.Fatal(err)
	}
	after, err := s.Get(id)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(jsonOf(before), jsonOf(after)) {
		t.Fatalf("the queued document changed:\n%s\n%s", jsonOf(before), jsonOf(after))
	}
	if e, _ := s.OutboxEntry(id); e.State != OutboxQueued || e.Answer != nil {
		t.Fatalf("the queued entry changed: %+v", e)
	}
	if n := refusals(t, s); n != 2 {
		t.Fatalf("%d refusals audited, want 2 (the forged join, the colliding id)", n)
	}
	// The server then answers our send with its real id: still one document.
	if err := s.MarkSent(id, protocol.SendAnswer{MessageID: "m-real", ClientMsgID: id, AcceptedAt: timeAt(3)}); err != nil {
		t.Fatal(err)
	}
	if d, _ := s.GetByMessageID("m-real"); d.Key != id || d.Doc.Subject != doc.Subject {
		t.Fatalf("sent document: %+v", d)
	}
	if d, _ := s.GetByMessageID("m-forged"); d.Key != "m-forged" || d.Doc.Subject != forged.Subject {
		t.Fatalf("the forged message: %+v", d)
	}
	s.Close()
	checkInvariants(t, path)
}

func TestFeedJoinsLostAnswer(t *testing.T) {
	s, path := openTemp(t)
	id, doc := queueDoc(t, s, newRand(), 1)
	// The server took the send, the answer was lost; the feed brings it,
	// with a trace hop the server added.
	served := doc
	served.Trace = []edoc.TraceHeader{{OrganID: "000.00.00.A01", Timestamp: timeAt(1)}}
	m := message("m-1", served, timeAt(1))
	m.ClientMsgID = id
	for range 2 {
		if _, err := s.Apply(changesOf(sent(m)), "c1"); err != nil {
			t.Fatal(err)
		}
	}
	c, _ := s.Counts()
	if c.OutboxTotal != 1 || c.OutboxPending != 0 {
		t.Fatalf("counts after the join: %+v", c)
	}
	d, _ := s.GetByMessageID("m-1")
	if d.Key != id || !d.AcceptedAt.Equal(timeAt(1)) {
		t.Fatalf("joined document: %+v", d)
	}
	e, _ := s.OutboxEntry(id)
	if e.State != OutboxSent || e.Answer == nil || e.Answer.MessageID != "m-1" {
		t.Fatalf("joined entry: %+v", e)
	}
	// The engine, re-sending, gets the same answer: nothing changes.
	if err := s.MarkSent(id, *e.Answer); err != nil {
		t.Fatal(err)
	}
	if refusals(t, s) != 0 {
		t.Fatal("a refusal was audited")
	}
	s.Close()
	checkInvariants(t, path)
}

func TestFeedDeleteKeepsUnsent(t *testing.T) {
	s, _ := openTemp(t)
	id, _ := queueDoc(t, s, newRand(), 1)
	if err := s.MarkSent(id, protocol.SendAnswer{MessageID: "m-out", AcceptedAt: timeAt(1)}); err != nil {
		t.Fatal(err)
	}
	// The entry is being sent again (a resend after a restore): a
	// deletion must not take it.
	if err := s.UpdateOutbox(id, func(e *OutboxEntry) error { e.State = OutboxSending; return nil }); err != nil {
		t.Fatal(err)
	}
	in := message("m-in", sampleDoc(newRand(), 2), timeAt(2))
	if _, err := s.Apply(changesOf(received(in), deleted("m-out"), deleted("m-in")), "c"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(id); err != nil {
		t.Fatalf("the unsent document was deleted: %v", err)
	}
	if _, err := s.Get("m-in"); err == nil {
		t.Fatal("the inbox document was not deleted")
	}
	if refusals(t, s) != 1 {
		t.Fatal("the refused deletion was not audited")
	}
	// Once sent, the deletion applies, with its entry.
	if err := s.UpdateOutbox(id, func(e *OutboxEntry) error { e.State = OutboxSent; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Apply(changesOf(deleted("m-out")), "c2"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(id); err == nil {
		t.Fatal("the sent document was not deleted")
	}
	if _, err := s.OutboxEntry(id); err == nil {
		t.Fatal("the sent entry was not deleted")
	}
}

func TestFeedHostileMessages(t *testing.T) {
	s, path := openTemp(t)
	good := message("m-good", sampleDoc(newRand(), 1), timeAt(1))
	big := sampleDoc(newRand(), 2)
	big.Content = strings.Repeat("x", MaxDocumentBytes)
	badIDs := []string{"", "a\x00b", "tab\there", strings.Repeat("m", 300), "\xff\xfe"}
	changes := changesOf(received(message("m-big", big, timeAt(2))), received(good))
	for _, id := range badIDs {
		changes = append(changes, received(message(id, sampleDoc(newRand(), 3), timeAt(3))))
	}
	changes = append(changes,
		protocol.Change{Kind: protocol.ChangeReceived, MessageID: "m-nil"},
		protocol.Change{Kind: "exploit", MessageID: "m-good"},
		protocol.Change{Kind: protocol.ChangeStatus, MessageID: "m-good", Status: &protocol.StatusEvent{MessageID: "m-other", Status: edoc.StatusDone}},
		protocol.Change{Kind: protocol.ChangeStatus, MessageID: "m-unknown", Status: &protocol.StatusEvent{Status: edoc.StatusDone}},
	)
	res, err := s.Apply(changes, "c1")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Received) != 1 || res.Received[0] != "m-good" {
		t.Fatalf("received %v", res.Received)
	}
	if c, _ := s.Counts(); c.InboxTotal != 1 {
		t.Fatalf("counts %+v", c)
	}
	if d, _ := s.Get("m-good"); len(d.Statuses) != 0 {
		t.Fatalf("a status for another message landed: %+v", d.Statuses)
	}
	if n := refusals(t, s); n != 1+len(badIDs)+3 {
		t.Fatalf("%d refusals audited", n)
	}
	// The same message again with another document: the first is kept.
	changed := good
	changed.Document.Subject = "Nội dung đã bị sửa"
	if _, err := s.Apply(changesOf(received(changed)), "c2"); err != nil {
		t.Fatal(err)
	}
	if d, _ := s.Get("m-good"); d.Doc.Subject != good.Document.Subject {
		t.Fatalf("a re-delivery changed the document to %q", d.Doc.Subject)
	}
	// An oversized cursor applies nothing.
	if _, err := s.Apply(changesOf(received(message("m-x", sampleDoc(newRand(), 4), timeAt(4)))), strings.Repeat("c", 5000)); err == nil {
		t.Fatal("an oversized cursor was accepted")
	}
	if _, err := s.Get("m-x"); err == nil {
		t.Fatal("a change of a refused batch was applied")
	}
	if c, _ := s.Cursor(); c != "c2" {
		t.Fatalf("cursor %q", c)
	}
	s.Close()
	checkInvariants(t, path)
}

func TestApplyIdempotent(t *testing.T) {
	s, _ := openTemp(t)
	r := newRand()
	id, doc := queueDoc(t, s, r, 0)
	own := message("m-own", doc, timeAt(1))
	own.ClientMsgID = id
	var changes []protocol.Change
	for i := range 20 {
		m := message(keyN(i), sampleDoc(r, i+1), timeAt(i))
		changes = append(changes, received(m))
		ev := protocol.StatusEvent{MessageID: m.ID, OrganID: m.Document.To[0].OrganID, Status: edoc.StatusArrived, At: timeAt(i + 1), Automatic: true}
		changes = append(changes, protocol.Change{Kind: protocol.ChangeStatus, MessageID: m.ID, Status: &ev})
	}
	changes = append(changes, sent(own), protocol.Change{Kind: protocol.ChangeStatus, MessageID: "m-own",
		Status: &protocol.StatusEvent{OrganID: doc.To[0].OrganID, Status: edoc.StatusAccepted, At: timeAt(30)}}, deleted(keyN(3)))
	if _, err := s.Apply(changes, "c"); err != nil {
		t.Fatal(err)
	}
	first := snapshot(t, s)
	if _, err := s.Apply(changes, "c"); err != nil {
		t.Fatal(err)
	}
	if second := snapshot(t, s); second != first {
		t.Fatalf("re-applying changed the state:\n%s\n%s", first, second)
	}
	d, _ := s.GetByMessageID("m-own")
	if len(d.Deliveries) != 1 || d.Deliveries[0].Status != edoc.StatusAccepted {
		t.Fatalf("deliveries %+v", d.Deliveries)
	}
}

// snapshot is every document of both boxes as JSON.
func snapshot(t *testing.T, s *Store) string {
	var b strings.Builder
	for _, box := range boxes {
		docs, _, err := s.List(ListQuery{Box: box, Limit: maxLimit})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range docs {
			b.WriteString(jsonOf(d) + "\n")
		}
	}
	return b.String()
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
