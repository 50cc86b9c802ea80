package server

import (
	"bytes"
	"context"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/internal/pgtest"
	"github.com/vanthuso/vanthu/server/servertest"
	"github.com/vanthuso/vanthu/server/store"
	"github.com/vanthuso/vanthu/server/store/bolt"
	"github.com/vanthuso/vanthu/server/store/pg"
	"github.com/vanthuso/vanthu/sync/protocol"
)

// boxIDs are the message ids of an agency's box, in order.
func boxIDs(t *testing.T, st store.Store, agency string, box store.Box) []string {
	t.Helper()
	ms, _, err := st.Messages(context.Background(), agency, box, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range ms {
		out = append(out, m.ID+":"+string(m.Deliveries[0].Status))
	}
	return out
}

// TestMigrateBoltToPostgres: a server's bolt store with documents both
// ways, files, a registration (số 01), statuses, audit lines and an
// axis system, migrated into PostgreSQL and served from there: the
// boxes, cases, registers and audit are the same; a replayed send is
// answered byte for byte as before (no second message); an old cursor
// gets a reset; the next registration is số 02; the axis system signs
// in; a second migration is refused, and a resumed one adds nothing.
func TestMigrateBoltToPostgres(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	bs, err := bolt.Open(dir, bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnvStore(t, bs, nil)
	idA := servertest.NewIdentity(t, "văn thư A", false, time.Time{}, time.Time{})
	idB := servertest.NewIdentity(t, "văn thư B", false, time.Time{}, time.Time{})
	e.bind(agencyA, idA, protocol.RoleClerk)
	e.bind(agencyB, idB, protocol.RoleClerk, protocol.RoleAdmin)
	signIn := func(e *env, id servertest.Identity) *servertest.Client {
		c := e.anonymous()
		c.SignIn(id.Key, id.Cert)
		return c
	}
	a, b := signIn(e, idA), signIn(e, idB)
	data := []byte("%PDF-1.7 quyết định chuyển dữ liệu\n%%EOF\n")
	a.Upload(data, 1<<20)
	doc := servertest.Document(agencyA, []string{agencyB}, servertest.Attachment(data, "qd.pdf", "application/pdf"))
	first := protocol.NewClientID()
	firstAnswer := a.Send(first, doc).Want(t, 201).Body
	var firstMsg protocol.SendAnswer
	a.Send(first, doc).Want(t, 201).Decode(t, &firstMsg)
	second := e.sent(a, agencyA, []byte("%PDF-1.7 công văn thứ hai\n%%EOF\n"), agencyB)
	back := e.sent(b, agencyB, []byte("%PDF-1.7 trả lời\n%%EOF\n"), agencyA)
	b.Status(firstMsg.MessageID, protocol.NewClientID(), protocol.StatusRequest{Status: edoc.StatusAccepted}).Want(t, 201) // registers: số 01
	cursor := b.Changes("", 0).Cursor
	sys, err := NewAxisSystem(ctx, bs, agencyA, "QLVB UBND")
	if err != nil {
		t.Fatal(err)
	}
	e.hs.Close()

	dst, err := pg.Open(ctx, pgtest.Database(t), pg.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dst.Close() })
	rep, err := Migrate(ctx, bs, dst, false, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Agencies != 3 || rep.Users != 2 || rep.Messages != 3 || rep.Blobs != 3 || rep.Cases != 1 || rep.Registers != 1 || rep.AxisSystems != 1 || rep.Audit == 0 || rep.Idempotency < 4 {
		t.Fatalf("migrated %+v", rep)
	}
	if _, err := Migrate(ctx, bs, dst, false, io.Discard); err == nil {
		t.Fatal("a second migration into a full database was not refused")
	}
	if again, err := Migrate(ctx, bs, dst, true, io.Discard); err != nil || again != rep {
		t.Fatalf("resumed: %+v %v", again, err)
	}
	for _, ag := range []string{agencyA, agencyB} {
		for _, box := range []store.Box{store.Inbox, store.Outbox} {
			if want, got := boxIDs(t, bs, ag, box), boxIDs(t, dst, ag, box); !slices.Equal(want, got) || len(want) == 0 && ag == agencyB && box == store.Inbox {
				t.Errorf("%s %s: %v after, %v before", ag, box, got, want)
			}
		}
	}
	for _, st := range []store.Store{bs, dst} {
		c, err := st.Case(ctx, agencyB, firstMsg.MessageID)
		if err != nil || c.Entry == nil || c.Entry.Number != "01" {
			t.Fatalf("%T: case %+v %v", st, c.Entry, err)
		}
	}
	auditOf := func(st store.Store) int {
		l, err := st.Audit(ctx, agencyB, 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		return len(l)
	}
	if auditOf(bs) != auditOf(dst) || auditOf(dst) == 0 {
		t.Errorf("audit: %d lines before, %d after", auditOf(bs), auditOf(dst))
	}
	bs.Close()

	// Served from PostgreSQL.
	e2 := newEnvStore(t, dst, nil)
	a2, b2 := signIn(e2, idA), signIn(e2, idB)
	if got := a2.Send(first, doc).Want(t, 201).Body; !bytes.Equal(got, firstAnswer) {
		t.Errorf("the replayed send answered %s, before %s", got, firstAnswer)
	}
	if n := len(boxIDs(t, dst, agencyB, store.Inbox)); n != 2 {
		t.Errorf("%d documents in B's inbox after the replay, want 2", n)
	}
	if ch := b2.Changes(cursor, 0); !ch.Reset {
		t.Errorf("an old cursor: %+v, want a reset", ch)
	}
	var st protocol.StatusAnswer
	b2.Status(second.MessageID, protocol.NewClientID(), protocol.StatusRequest{Status: edoc.StatusAccepted}).Want(t, 201).Decode(t, &st)
	if c, err := dst.Case(ctx, agencyB, second.MessageID); err != nil || c.Entry == nil || c.Entry.Number != "02" {
		t.Errorf("the next registration: %+v %v, want số 02", c.Entry, err)
	}
	if got := b2.Do("GET", "/v1/blobs/"+doc.Attachments[0].SHA256, nil, nil).Want(t, 200).Body; !bytes.Equal(got, data) {
		t.Errorf("the file after the migration: %q", got)
	}
	// New documents take the next places: A → B after the two copied.
	third := e2.sent(a2, agencyA, []byte("%PDF-1.7 văn bản sau khi chuyển\n%%EOF\n"), agencyB)
	if ids := boxIDs(t, dst, agencyB, store.Inbox); len(ids) != 3 || ids[2] != third.MessageID+":01" {
		t.Errorf("B's inbox after a new send: %v", ids)
	}
	if ids := boxIDs(t, dst, agencyA, store.Inbox); len(ids) != 1 || ids[0] != back.MessageID+":01" {
		t.Errorf("A's inbox: %v", ids)
	}
	code, ans := newSDK(t, e2.hs.URL, sys, func() time.Time { e2.clock.Advance(time.Millisecond); return e2.clock.Now() }).call("getSentEdocList", nil, nil)
	want(t, "the axis system after the migration", code, ans)
}
