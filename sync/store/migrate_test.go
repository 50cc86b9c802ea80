package store

import (
	"encoding/binary"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/sync/protocol"
)

// The version-1 fixture is made by this generator, once, with
//
//	go test ./sync/store/ -run TestMigrateV1Fixture -update-fixture
//
// It writes the schema of version 1 (the package doc) by hand, as the
// first release wrote it; the test then opens the committed file.
var updateFixture = flag.Bool("update-fixture", false, "rewrite testdata/cache-v1.db")

const fixtureV1 = "testdata/cache-v1.db"

// v1Fixture is what the fixture holds.
type v1Fixture struct {
	docs     []Document
	entries  []OutboxEntry
	statuses []StatusEntry // in key (id) order, not queue order
	audit    []AuditEntry
	cursor   string
}

func fixtureContent() v1Fixture {
	t0 := time.Date(2024, 11, 4, 2, 30, 0, 0, time.UTC)
	ubnd := edoc.Organ{OrganID: "000.00.00.H40", OrganName: "Ủy ban nhân dân tỉnh Nghệ An"}
	stc := edoc.Organ{OrganID: "000.00.12.H40", OrganName: "Sở Tài chính tỉnh Nghệ An"}
	file := func(n string) edoc.Attachment {
		return edoc.Attachment{Role: edoc.RoleMain, Name: n + ".pdf", ContentType: "application/pdf",
			SHA256: strings.Repeat(n[:1], 64), Size: 2048}
	}
	qd := edoc.Document{DocumentID: "000.00.00.H40,2024/11/01,05/QĐ-UBND", From: ubnd, To: []edoc.Organ{stc},
		Code: edoc.Code{CodeNumber: "05", CodeNotation: "QĐ-UBND"}, PromulgationDate: edoc.Date{Year: 2024, Month: 11, Day: 1},
		Type: edoc.DocumentType{TypeName: "Quyết định"}, Subject: "Về việc phê duyệt kế hoạch đầu tư công năm 2025",
		Signer:      edoc.Signer{Competence: "TM. ỦY BAN NHÂN DÂN", Position: "Chủ tịch", FullName: "Nguyễn Đức Trung"},
		Attachments: []edoc.Attachment{file("a")}}
	upd := qd
	upd.DocumentID = "000.00.00.H40,2024/11/03,07/QĐ-UBND"
	upd.Code = edoc.Code{CodeNumber: "07", CodeNotation: "QĐ-UBND"}
	upd.Subject = "Về việc điều chỉnh kế hoạch đầu tư công năm 2025"
	upd.Business = edoc.Business{DocType: edoc.BusinessUpdate, DocumentID: qd.DocumentID}
	upd.Attachments = []edoc.Attachment{file("b")}
	cv := edoc.Document{From: ubnd, To: []edoc.Organ{stc}, Code: edoc.Code{CodeNumber: "120", CodeNotation: "UBND-TH"},
		Type: edoc.DocumentType{TypeName: "Công văn"}, Subject: "Về việc báo cáo tình hình giải ngân",
		Signer: edoc.Signer{Position: "Phó Chủ tịch", FullName: "Lê Hồng Vinh"}, Attachments: []edoc.Attachment{file("c")}}
	out := edoc.Document{From: stc, To: []edoc.Organ{ubnd}, Code: edoc.Code{CodeNumber: "33", CodeNotation: "BC-STC"},
		Type: edoc.DocumentType{TypeName: "Báo cáo"}, Subject: "Báo cáo quyết toán ngân sách địa phương",
		Signer: edoc.Signer{Position: "Giám đốc", FullName: "Trần Thị Minh Đức"}, Attachments: []edoc.Attachment{file("d")}}
	queued := out
	queued.Code.CodeNumber = "34"
	queued.Subject = "Tờ trình đề nghị bổ sung dự toán"
	queued.Attachments = []edoc.Attachment{file("e")}
	msg := func(id string, d edoc.Document, at time.Time, read bool) Document {
		return Document{Key: id, MessageID: id, Box: BoxInbox, Doc: d, From: d.From, SentBy: "Văn thư UBND tỉnh",
			AcceptedAt: at, ReceivedAt: at.Add(2 * time.Second), Read: read}
	}
	f := v1Fixture{cursor: "v1-cursor-42"}
	f.docs = []Document{
		msg("srv-0001", qd, t0, true),
		msg("srv-0002", cv, t0.Add(time.Hour), false),
		msg("srv-0003", upd, t0.Add(2*time.Hour), false),
		{Key: "sentclient0001", MessageID: "srv-0100", ClientMsgID: "sentclient0001", Box: BoxOutbox, Doc: out, From: stc,
			AcceptedAt: t0.Add(30 * time.Minute), QueuedAt: t0.Add(29 * time.Minute), Read: true},
		{Key: "queuedclient02", ClientMsgID: "queuedclient02", Box: BoxOutbox, Doc: queued, From: stc,
			QueuedAt: t0.Add(3 * time.Hour), Read: true},
	}
	f.entries = []OutboxEntry{
		{ClientMsgID: "sentclient0001", Request: protocol.SendRequest{Document: out}, Files: []OutboxFile{{SHA256: out.Attachments[0].SHA256, Size: 2048, Done: true, Offset: 2048}},
			State: OutboxSent, Attempts: 1, Answer: &protocol.SendAnswer{MessageID: "srv-0100", ClientMsgID: "sentclient0001", AcceptedAt: t0.Add(30 * time.Minute)},
			QueuedAt: t0.Add(29 * time.Minute)},
		{ClientMsgID: "queuedclient02", Request: protocol.SendRequest{Document: queued}, Files: []OutboxFile{{SHA256: queued.Attachments[0].SHA256, Size: 2048}},
			State: OutboxQueued, QueuedAt: t0.Add(3 * time.Hour)},
	}
	f.statuses = []StatusEntry{ // id order; the later one first
		{ClientStatusID: "aaaa-status-later", MessageID: "srv-0002", Request: protocol.StatusRequest{Status: edoc.StatusAssigned}, QueuedAt: t0.Add(5 * time.Hour)},
		{ClientStatusID: "zzzz-status-first", MessageID: "srv-0002", Request: protocol.StatusRequest{Status: edoc.StatusAccepted}, QueuedAt: t0.Add(4 * time.Hour)},
	}
	f.audit = []AuditEntry{
		{Seq: 1, At: t0.Add(29 * time.Minute), User: "Văn thư", Action: "queued", Key: "sentclient0001"},
		{Seq: 2, At: t0.Add(3 * time.Hour), User: "Văn thư", Action: "queued", Key: "queuedclient02"},
	}
	return f
}

// writeV1 writes f in the schema of version 1.
func writeV1(path string, f v1Fixture) error {
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	return db.Update(func(tx *bolt.Tx) error {
		b := map[string]*bolt.Bucket{}
		for _, n := range []string{"meta", "docs", "outbox", "outboxid", "status", "audit"} {
			var err error
			if b[n], err = tx.CreateBucket([]byte(n)); err != nil {
				return err
			}
		}
		put := func(bucket string, k []byte, v any) error {
			data, err := json.Marshal(v)
			if err != nil {
				return err
			}
			return b[bucket].Put(k, data)
		}
		b["meta"].Put([]byte("version"), u64(1))
		b["meta"].Put([]byte("cursor"), []byte(f.cursor))
		for _, d := range f.docs {
			if err := put("docs", []byte(d.Key), d); err != nil {
				return err
			}
		}
		for i, e := range f.entries {
			if err := put("outbox", u64(uint64(i+1)), e); err != nil {
				return err
			}
			b["outboxid"].Put([]byte(e.ClientMsgID), u64(uint64(i+1)))
		}
		b["outbox"].SetSequence(uint64(len(f.entries)))
		for _, e := range f.statuses {
			if err := put("status", []byte(e.ClientStatusID), e); err != nil {
				return err
			}
		}
		for _, e := range f.audit {
			if err := put("audit", u64(e.Seq), e); err != nil {
				return err
			}
		}
		return b["audit"].SetSequence(uint64(len(f.audit)))
	})
}

func TestMigrateV1Fixture(t *testing.T) {
	want := fixtureContent()
	if *updateFixture {
		os.Remove(fixtureV1)
		if err := writeV1(fixtureV1, want); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(fixtureV1)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "cache.db")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if v := fileVersion(t, path); v != 1 {
		t.Fatalf("the fixture is version %d", v)
	}
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Recovered() != nil {
		t.Fatalf("the fixture was set aside: %+v", s.Recovered())
	}
	inbox, _, err := s.List(ListQuery{Box: BoxInbox})
	if err != nil || strings.Join(keys(inbox), ",") != "srv-0003,srv-0002,srv-0001" {
		t.Fatalf("inbox %v %v", keys(inbox), err)
	}
	if unread, _, _ := s.List(ListQuery{Box: BoxInbox, UnreadOnly: true}); strings.Join(keys(unread), ",") != "srv-0003,srv-0002" {
		t.Fatalf("unread %v", keys(unread))
	}
	if outbox, _, _ := s.List(ListQuery{Box: BoxOutbox}); strings.Join(keys(outbox), ",") != "queuedclient02,sentclient0001" {
		t.Fatalf("outbox %v", keys(outbox))
	}
	if docs, _ := s.Search("quyet dinh ke hoach", BoxInbox, 0); strings.Join(keys(docs), ",") != "srv-0003,srv-0001" {
		t.Fatalf("search %v", keys(docs))
	}
	if docs, _ := s.Search("05/qđ", "", 0); strings.Join(keys(docs), ",") != "srv-0001" {
		t.Fatalf("search 05/qđ %v", keys(docs))
	}
	if d, err := s.GetByMessageID("srv-0100"); err != nil || d.Key != "sentclient0001" {
		t.Fatalf("by message id: %v %v", d.Key, err)
	}
	if v, _ := s.Versions("srv-0001"); strings.Join(keys(v), ",") != "srv-0001,srv-0003" {
		t.Fatalf("versions %v", keys(v))
	}
	if p, _ := s.Outbox(); len(p) != 1 || p[0].ClientMsgID != "queuedclient02" {
		t.Fatalf("outbox %+v", p)
	}
	if all, _ := s.OutboxAll(); len(all) != 2 {
		t.Fatalf("outbox all %+v", all)
	}
	st, _ := s.PendingStatuses()
	if len(st) != 2 || st[0].ClientStatusID != "zzzz-status-first" || st[1].ClientStatusID != "aaaa-status-later" {
		t.Fatalf("statuses not in queue order: %+v", st)
	}
	if c, _ := s.Cursor(); c != want.cursor {
		t.Fatalf("cursor %q", c)
	}
	if miss, _ := s.MissingBlobs(); strings.Join(miss, ",") != strings.Join([]string{
		strings.Repeat("a", 64), strings.Repeat("b", 64), strings.Repeat("c", 64), strings.Repeat("d", 64), strings.Repeat("e", 64)}, ",") {
		t.Fatalf("missing %v", miss)
	}
	c, _ := s.Counts()
	if c != (Counts{InboxTotal: 3, InboxUnread: 2, OutboxTotal: 2, OutboxPending: 1}) {
		t.Fatalf("counts %+v", c)
	}
	// The audit log goes on from where version 1 left it.
	if err := s.MarkRead("srv-0002"); err != nil {
		t.Fatal(err)
	}
	a, _ := s.Audit(0)
	if len(a) != 3 || a[0].Seq != 3 || a[0].Action != "read" || a[2].Key != "sentclient0001" {
		t.Fatalf("audit %+v", a)
	}
	s.Close()
	if v := fileVersion(t, path); v != schemaVersion {
		t.Fatalf("migrated to version %d", v)
	}
	checkInvariants(t, path)
}

func fileVersion(t *testing.T, path string) uint64 {
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v uint64
	db.View(func(tx *bolt.Tx) error {
		v = binary.BigEndian.Uint64(tx.Bucket(bucketMeta).Get(keyVersion))
		return nil
	})
	return v
}
