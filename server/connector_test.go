package server

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/server/store"
	"github.com/vanthuso/vanthu/sync/protocol"
)

const agencyR = "000.00.00.H43" // on the far server only

// statusesOf are "organ:code" of a message's statuses, in order.
func statusesOf(t *testing.T, st store.Store, id string) []string {
	t.Helper()
	m, err := st.Message(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, ev := range m.Statuses {
		out = append(out, ev.OrganID+":"+string(ev.Status))
	}
	return out
}

func has(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// countMessages is how many messages an agency's box holds.
func countMessages(t *testing.T, st store.Store, agency string, box store.Box) int {
	t.Helper()
	ms, _, err := st.Messages(context.Background(), agency, box, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return len(ms)
}

// TestConnector: this server (near) and another vanthu-server (far, the
// external axis) on loopback. Agency A is ours; R is only on the far
// side. Through the connector, A's document reaches R's clerk there and
// R's 03 comes back; R's document reaches A's clerk here, file and all,
// and A's 03 goes there; polling again moves nothing twice; a far side
// that does not answer loses nothing.
func TestConnector(t *testing.T) { testConnector(t, boltEnv, boltEnv) }

// TestConnectorPostgres: this server on PostgreSQL, the far one on bolt.
func TestConnectorPostgres(t *testing.T) { testConnector(t, pgEnv, boltEnv) }

func testConnector(t *testing.T, mkNear, mkFar func(*testing.T) *env) {
	ctx := context.Background()
	near, far := mkNear(t), mkFar(t)
	if err := far.st.AddAgency(ctx, store.Agency{Code: agencyR, Name: "Sở Ngoại vụ"}); err != nil {
		t.Fatal(err)
	}
	sys, err := NewAxisSystem(ctx, far.st, agencyA, "Văn Thư Số của UBND")
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { far.clock.Advance(10 * time.Millisecond); return far.clock.Now() }
	conn := &Connector{Server: near.srv, Local: agencyA,
		Client: &AxisClient{Endpoint: far.hs.URL + "/axis", SystemID: sys.ID, Secret: sys.Secret, From: agencyA, Now: now}}
	if err := conn.SyncDirectory(ctx); err != nil {
		t.Fatal(err)
	}
	if !conn.Remote[agencyR] || conn.Remote[agencyA] {
		t.Fatalf("remote agencies %v", conn.Remote)
	}
	if _, err := near.st.Agency(ctx, agencyR); err != nil {
		t.Fatalf("R not in the near directory: %v", err)
	}
	clerkA, clerkR := near.user(agencyA, protocol.RoleClerk), far.user(agencyR, protocol.RoleClerk)
	poll := func() {
		t.Helper()
		if err := conn.Poll(ctx); err != nil {
			t.Fatal(err)
		}
	}

	// A → R.
	pdf := []byte("%PDF-1.7 công văn gửi Sở Ngoại vụ\n%%EOF\n")
	out := near.sent(clerkA, agencyA, pdf, agencyR)
	poll()
	ch := clerkR.Changes("", 0)
	if len(ch.Changes) != 1 || ch.Changes[0].Kind != protocol.ChangeReceived || ch.Changes[0].Message.Document.From.OrganID != agencyA {
		t.Fatalf("R's feed on the far side: %+v", ch.Changes)
	}
	farID := ch.Changes[0].MessageID
	if got := clerkR.Do("GET", "/v1/blobs/"+ch.Changes[0].Message.Document.Attachments[0].SHA256, nil, nil).Want(t, 200).Body; !bytes.Equal(got, pdf) {
		t.Fatalf("R got the file as %q", got)
	}
	// R registers it there; its 03 comes back here as R's.
	clerkR.Do("PUT", "/v1/messages/"+farID+"/statuses/"+protocol.NewClientID(), protocol.StatusRequest{Status: edoc.StatusAccepted}, nil).Want(t, 201)
	poll()
	if got := statusesOf(t, near.st, out.MessageID); !has(got, agencyR+":03") {
		t.Fatalf("near statuses of A's document: %v", got)
	}

	// R → A.
	pdf2 := []byte("%PDF-1.7 công văn của Sở Ngoại vụ gửi UBND\n%%EOF\n")
	in := far.sent(clerkR, agencyR, pdf2, agencyA)
	poll()
	ch = clerkA.Changes("", 0)
	var got *protocol.Message
	for _, c := range ch.Changes {
		if c.Kind == protocol.ChangeReceived {
			got = c.Message
		}
	}
	if got == nil || got.From.OrganID != agencyR || got.Document.Subject == "" {
		t.Fatalf("A's feed here: %+v", ch.Changes)
	}
	if b := clerkA.Do("GET", "/v1/blobs/"+got.Document.Attachments[0].SHA256, nil, nil).Want(t, 200).Body; !bytes.Equal(b, pdf2) {
		t.Fatalf("A got R's file as %q", b)
	}
	// A registers it here; its 03 goes there.
	clerkA.Do("PUT", "/v1/messages/"+got.ID+"/statuses/"+protocol.NewClientID(), protocol.StatusRequest{Status: edoc.StatusAccepted}, nil).Want(t, 201)
	poll()
	if st := statusesOf(t, far.st, in.MessageID); !has(st, agencyA+":03") {
		t.Fatalf("far statuses of R's document: %v", st)
	}

	// Again and again: nothing moves twice.
	counts := func() [4]int {
		return [4]int{countMessages(t, near.st, agencyA, store.Inbox), countMessages(t, near.st, agencyA, store.Outbox),
			countMessages(t, far.st, agencyR, store.Inbox), countMessages(t, far.st, agencyR, store.Outbox)}
	}
	before := counts()
	nearSt, farSt := len(statusesOf(t, near.st, out.MessageID)), len(statusesOf(t, far.st, in.MessageID))
	poll()
	poll()
	if after := counts(); after != before || len(statusesOf(t, near.st, out.MessageID)) != nearSt || len(statusesOf(t, far.st, in.MessageID)) != farSt {
		t.Errorf("polling again moved things: %v → %v", before, after)
	}
	if before != [4]int{1, 1, 1, 1} {
		t.Errorf("boxes %v, want one document each way", before)
	}

	// The far side does not answer: the poll fails, nothing is marked;
	// once it answers, the document goes once.
	out3 := near.sent(clerkA, agencyA, []byte("%PDF-1.7 công văn thứ ba\n%%EOF\n"), agencyR)
	conn.Client.Endpoint = "http://127.0.0.1:1/axis"
	if err := conn.Poll(ctx); err == nil {
		t.Fatal("a poll of a dead far side succeeded")
	}
	if _, ok, _ := conn.done(ctx, near.srv.c.Store.(store.AxisStore), out3.MessageID); ok {
		t.Fatal("marked forwarded while the far side was down")
	}
	conn.Client.Endpoint = far.hs.URL + "/axis"
	poll()
	poll()
	if n := countMessages(t, far.st, agencyR, store.Inbox); n != 2 {
		t.Errorf("R's inbox there holds %d, want 2", n)
	}
}

func TestLoadConnectors(t *testing.T) {
	dir := t.TempDir()
	if cs, err := loadConnectors(dir); err != nil || cs != nil {
		t.Fatalf("no file: %v %v", cs, err)
	}
	for body, ok := range map[string]bool{
		`[{"endpoint":"https://truc.gov.vn/axis","local":"000.00.00.H41","systemid":"s","secret":"k","interval":"1m"}]`: true,
		`[{"endpoint":"https://truc.gov.vn/axis","local":"000.00.00.H41","systemid":"s"}]`:                              false,
		`[{"endpoint":"x","local":"y","systemid":"s","secret":"k","interval":"1ms"}]`:                                   false,
		`[{"endpoint":"x","local":"y","systemid":"s","secret":"k","extra":1}]`:                                          false,
		`{"endpoint":"x"}`: false,
	} {
		os.WriteFile(filepath.Join(dir, connectorsFile), []byte(body), 0o600)
		cs, err := loadConnectors(dir)
		if (err == nil) != ok || ok && (len(cs) != 1 || cs[0].Interval != "1m") {
			t.Errorf("%s: %v %v", body, cs, err)
		}
	}
}
