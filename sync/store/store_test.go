package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/sync/protocol"
)

func TestQueueAndSend(t *testing.T) {
	s, path := openTemp(t)
	r := rand.New(rand.NewPCG(1, 2))
	id, doc := queueDoc(t, s, r, 1)
	d, err := s.Get(id)
	if err != nil {
		t.Fatal(err)
	}
	if d.Box != BoxOutbox || d.ClientMsgID != id || d.QueuedAt.IsZero() || d.Doc.Subject != doc.Subject || !d.Read {
		t.Fatalf("queued document: %+v", d)
	}
	e, err := s.OutboxEntry(id)
	if err != nil {
		t.Fatal(err)
	}
	if e.State != OutboxQueued || len(e.Files) != 1 || e.Files[0].SHA256 != doc.Attachments[0].SHA256 || e.Request.Document.Subject != doc.Subject {
		t.Fatalf("entry: %+v", e)
	}
	if err := s.Queue(doc, id); !errors.Is(err, ErrExists) {
		t.Fatalf("queue twice: %v", err)
	}
	missing := doc
	missing.Attachments = []edoc.Attachment{{SHA256: strings.Repeat("ab", 32), Size: 3}}
	if err := s.Queue(missing, protocol.NewClientID()); !errors.Is(err, ErrMissingBlob) {
		t.Fatalf("queue with a file not stored: %v", err)
	}
	bad := doc
	bad.Attachments = []edoc.Attachment{{SHA256: "../../etc/passwd"}}
	if err := s.Queue(bad, protocol.NewClientID()); !errors.Is(err, ErrMissingBlob) {
		t.Fatalf("queue with a path as file name: %v", err)
	}
	if err := s.Queue(doc, "x/../y"); err == nil {
		t.Fatal("queue accepted an invalid client id")
	}

	if err := s.UpdateOutbox(id, func(e *OutboxEntry) error { e.State = OutboxUploading; e.Files[0].Offset = 7; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateOutbox(id, func(e *OutboxEntry) error { e.Attempts = 99; return errors.New("no") }); err == nil {
		t.Fatal("update with f's error succeeded")
	}
	if err := s.UpdateOutbox(id, func(e *OutboxEntry) error { e.ClientMsgID = "other-id-1234"; return nil }); err == nil {
		t.Fatal("update changed the client message id")
	}
	if e, _ := s.OutboxEntry(id); e.Files[0].Offset != 7 || e.Attempts != 0 || e.State != OutboxUploading {
		t.Fatalf("after updates: %+v", e)
	}
	pend, err := s.Outbox()
	if err != nil || len(pend) != 1 {
		t.Fatalf("outbox: %v %v", pend, err)
	}

	at := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	ans := protocol.SendAnswer{MessageID: "m-000001", ClientMsgID: id, AcceptedAt: at,
		Deliveries: []protocol.Delivery{{OrganID: doc.To[0].OrganID, UpdatedAt: at}}}
	if err := s.MarkSent(id, ans); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkSent(id, ans); err != nil {
		t.Fatalf("mark sent again: %v", err)
	}
	other := ans
	other.MessageID = "m-000002"
	if err := s.MarkSent(id, other); err == nil {
		t.Fatal("mark sent with another message id succeeded")
	}
	d, err = s.GetByMessageID("m-000001")
	if err != nil || d.Key != id || !d.AcceptedAt.Equal(at) || len(d.Deliveries) != 1 {
		t.Fatalf("sent document: %+v %v", d, err)
	}
	if pend, _ := s.Outbox(); len(pend) != 0 {
		t.Fatalf("outbox after send: %v", pend)
	}
	if err := s.MarkFailed(id, "x", "y"); err == nil {
		t.Fatal("a sent entry failed")
	}
	id2, _ := queueDoc(t, s, r, 2)
	if err := s.MarkFailed(id2, protocol.CodeUnknownRecipient, "unknown recipient 000.00.99.H40"); err != nil {
		t.Fatal(err)
	}
	all, err := s.OutboxAll()
	if err != nil || len(all) != 2 || all[0].ClientMsgID != id2 || all[0].State != OutboxFailed || all[1].State != OutboxSent {
		t.Fatalf("outbox all: %+v %v", all, err)
	}
	c, err := s.Counts()
	if err != nil {
		t.Fatal(err)
	}
	if c.OutboxTotal != 2 || c.OutboxPending != 0 || c.OutboxFailed != 1 || c.InboxTotal != 0 {
		t.Fatalf("counts %+v", c)
	}
	if _, err := s.OutboxEntry("nothing-here"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing entry: %v", err)
	}
	if err := s.MarkSent("nothing-here", protocol.SendAnswer{MessageID: "m-9"}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("mark sent of a missing entry: %v", err)
	}
	a, err := s.Audit(0)
	if err != nil || len(a) != 4 || a[0].Action != "send-failed" || a[3].Action != "queued" || a[3].User != "Nguyễn Thị Hoa" {
		t.Fatalf("audit: %+v %v", a, err)
	}
	s.Close()
	checkInvariants(t, path)
}

func TestStatuses(t *testing.T) {
	s, _ := openTemp(t)
	r := rand.New(rand.NewPCG(3, 4))
	m := message("m-in-1", sampleDoc(r, 1), time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC))
	if _, err := s.Apply([]protocol.Change{received(m)}, "c1"); err != nil {
		t.Fatal(err)
	}
	e1 := StatusEntry{ClientStatusID: protocol.NewClientID(), MessageID: m.ID, Request: protocol.StatusRequest{Status: edoc.StatusAccepted}}
	e2 := StatusEntry{ClientStatusID: protocol.NewClientID(), MessageID: m.ID, Request: protocol.StatusRequest{Status: edoc.StatusAssigned}}
	for _, e := range []StatusEntry{e1, e2, e1} {
		if err := s.QueueStatus(e); err != nil {
			t.Fatal(err)
		}
	}
	p, err := s.PendingStatuses()
	if err != nil || len(p) != 2 || p[0].ClientStatusID != e1.ClientStatusID || p[1].ClientStatusID != e2.ClientStatusID {
		t.Fatalf("pending: %+v %v", p, err)
	}
	ev := protocol.StatusEvent{MessageID: m.ID, OrganID: m.Document.To[0].OrganID, Status: edoc.StatusAccepted, At: time.Now().UTC()}
	if err := s.StatusSent(e1.ClientStatusID, ev); err != nil {
		t.Fatal(err)
	}
	if err := s.StatusSent(e1.ClientStatusID, ev); !errors.Is(err, ErrNotFound) {
		t.Fatalf("status sent twice: %v", err)
	}
	// The feed brings the same event again: not duplicated.
	if _, err := s.Apply([]protocol.Change{{Kind: protocol.ChangeStatus, MessageID: m.ID, Status: &ev}}, "c2"); err != nil {
		t.Fatal(err)
	}
	d, _ := s.GetByMessageID(m.ID)
	if len(d.Statuses) != 1 {
		t.Fatalf("statuses: %+v", d.Statuses)
	}
	if err := s.StatusFailed(e2.ClientStatusID, "refused"); err != nil {
		t.Fatal(err)
	}
	if p, _ := s.PendingStatuses(); len(p) != 0 {
		t.Fatalf("pending after failure: %+v", p)
	}
}

func TestApplyAndResync(t *testing.T) {
	s, path := openTemp(t)
	r := rand.New(rand.NewPCG(5, 6))
	if c, err := s.Cursor(); err != nil || c != "" {
		t.Fatalf("first cursor %q %v", c, err)
	}
	t0 := time.Date(2025, 5, 1, 8, 0, 0, 0, time.UTC)
	var changes []protocol.Change
	for i := range 5 {
		changes = append(changes, received(message(fmt.Sprintf("m-%03d", i), sampleDoc(r, i), t0.Add(time.Duration(i)*time.Minute))))
	}
	res, err := s.Apply(changes, "c5")
	if err != nil || len(res.Received) != 5 {
		t.Fatalf("apply: %+v %v", res, err)
	}
	res, err = s.Apply(changes, "c5")
	if err != nil || len(res.Received) != 0 {
		t.Fatalf("apply again: %+v %v", res, err)
	}
	if c, _ := s.Cursor(); c != "c5" {
		t.Fatalf("cursor %q", c)
	}
	// Resync lists three of them and one new: nothing deleted, none twice.
	var msgs []protocol.Message
	for _, c := range changes[:3] {
		msgs = append(msgs, *c.Message)
	}
	msgs = append(msgs, message("m-new", sampleDoc(r, 9), t0.Add(time.Hour)))
	if err := s.Resync(msgs, BoxInbox, "c9"); err != nil {
		t.Fatal(err)
	}
	c, _ := s.Counts()
	if c.InboxTotal != 6 || c.InboxUnread != 6 {
		t.Fatalf("counts %+v", c)
	}
	docs, next, err := s.List(ListQuery{Box: BoxInbox, Limit: 4})
	if err != nil || len(docs) != 4 || next == "" || docs[0].Key != "m-new" || docs[1].Key != "m-004" {
		t.Fatalf("first page: %v %q %v", keys(docs), next, err)
	}
	page2, next2, err := s.List(ListQuery{Box: BoxInbox, Limit: 4, After: next})
	if err != nil || len(page2) != 2 || next2 != "" || page2[0].Key != "m-001" || page2[1].Key != "m-000" {
		t.Fatalf("second page: %v %q %v", keys(page2), next2, err)
	}
	if err := s.MarkRead("m-004"); err != nil {
		t.Fatal(err)
	}
	unread, _, err := s.List(ListQuery{Box: BoxInbox, UnreadOnly: true})
	if err != nil || len(unread) != 5 || contains(keys(unread), "m-004") {
		t.Fatalf("unread: %v %v", keys(unread), err)
	}
	if _, _, err := s.List(ListQuery{Box: BoxInbox, After: "zz"}); err == nil {
		t.Fatal("a made-up after was accepted")
	}
	if _, _, err := s.List(ListQuery{Box: "trash"}); err == nil {
		t.Fatal("an unknown box was accepted")
	}
	// Deleted on ChangeDeleted only.
	if _, err := s.Apply([]protocol.Change{{Kind: protocol.ChangeDeleted, MessageID: "m-002"}}, "c10"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get("m-002"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleted document: %v", err)
	}
	if err := s.SetWorkflow("m-001", map[string]string{"so_den": "125", "han": "2025-05-10"}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetWorkflow("m-001", map[string]string{"han": ""}); err != nil {
		t.Fatal(err)
	}
	if d, _ := s.Get("m-001"); len(d.Workflow) != 1 || d.Workflow["so_den"] != "125" {
		t.Fatalf("workflow %v", d.Workflow)
	}
	s.Close()
	checkInvariants(t, path)
}

func TestOutboxListOrder(t *testing.T) {
	s, _ := openTemp(t)
	r := rand.New(rand.NewPCG(7, 8))
	a, _ := queueDoc(t, s, r, 1)
	b, _ := queueDoc(t, s, r, 2)
	c, _ := queueDoc(t, s, r, 3)
	at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := s.MarkSent(a, protocol.SendAnswer{MessageID: "m-a", AcceptedAt: at}); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkSent(c, protocol.SendAnswer{MessageID: "m-c", AcceptedAt: at.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	docs, _, err := s.List(ListQuery{Box: BoxOutbox})
	if err != nil || strings.Join(keys(docs), ",") != b+","+c+","+a {
		t.Fatalf("outbox order %v (want queued %s, then %s, %s): %v", keys(docs), b, c, a, err)
	}
}

func TestVersions(t *testing.T) {
	s, _ := openTemp(t)
	r := rand.New(rand.NewPCG(9, 10))
	t0 := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	orig := sampleDoc(r, 1)
	upd := sampleDoc(r, 2)
	upd.From = orig.From
	upd.Business = edoc.Business{DocType: edoc.BusinessUpdate, DocumentID: orig.DocumentID}
	repl := sampleDoc(r, 3)
	repl.From = orig.From
	repl.Business = edoc.Business{DocType: edoc.BusinessReplace, Replacements: []edoc.Replacement{{DocumentID: upd.DocumentID}}}
	// Another agency claims to update the original: not a version of it.
	forged := sampleDoc(r, 4)
	forged.From = agencies[(indexOf(orig.From)+1)%len(agencies)]
	forged.Business = edoc.Business{DocType: edoc.BusinessUpdate, DocumentID: orig.DocumentID}
	changes := []protocol.Change{
		received(message("m-repl", repl, t0.Add(2*time.Hour))),
		received(message("m-orig", orig, t0)),
		received(message("m-forged", forged, t0.Add(3*time.Hour))),
		received(message("m-upd", upd, t0.Add(time.Hour))),
	}
	if _, err := s.Apply(changes, "c"); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"m-orig", "m-upd", "m-repl"} {
		v, err := s.Versions(k)
		if err != nil || strings.Join(keys(v), ",") != "m-orig,m-upd,m-repl" {
			t.Fatalf("versions of %s: %v %v", k, keys(v), err)
		}
	}
	if v, _ := s.Versions("m-forged"); len(v) != 1 {
		t.Fatalf("versions of the forged update: %v", keys(v))
	}
	if _, err := s.Versions("nothing"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("versions of nothing: %v", err)
	}
}

func TestAlreadyOpen(t *testing.T) {
	_, path := openTemp(t)
	start := time.Now()
	_, err := Open(path, Options{Timeout: 50 * time.Millisecond})
	if !errors.Is(err, ErrAlreadyOpen) || !strings.Contains(err.Error(), "another Văn Thư Số is running") {
		t.Fatalf("second open: %v", err)
	}
	if time.Since(start) > 30*time.Second {
		t.Fatal("second open hung")
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	s, path := openTemp(t)
	s.update(func(tx *bolt.Tx) error {
		v := make([]byte, 8)
		binary.BigEndian.PutUint64(v, schemaVersion+1)
		return tx.Bucket(bucketMeta).Put(keyVersion, v)
	})
	s.Close()
	_, err := Open(path, Options{})
	if err == nil || !strings.Contains(err.Error(), "newer Văn Thư Số") {
		t.Fatalf("open of a newer schema: %v", err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the newer cache was moved: %v", err)
	}
}

func keys(docs []Document) []string {
	var out []string
	for _, d := range docs {
		out = append(out, d.Key)
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func indexOf(o edoc.Organ) int {
	for i, a := range agencies {
		if a.OrganID == o.OrganID {
			return i
		}
	}
	return -1
}
