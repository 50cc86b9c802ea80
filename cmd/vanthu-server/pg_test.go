package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/internal/pgtest"
	"github.com/vanthuso/vanthu/server/servertest"
	"github.com/vanthuso/vanthu/server/store/pg"
	"github.com/vanthuso/vanthu/sync/protocol"
)

// TestPostgresReplicas: two vanthu-server processes serve one PostgreSQL
// database (--store, and VANTHU_STORE), whose agencies and users the
// admin commands wrote (VANTHU_STORE): a client long-polling the feed of
// agency B on the second is woken by a send through the first (not by
// the poll's end: it would wait 10 minutes), and downloads the file
// through the second.
func TestPostgresReplicas(t *testing.T) {
	ctx := context.Background()
	url := pgtest.Database(t)

	// Admin commands write the directory and users to the database.
	t.Setenv("VANTHU_STORE", url)
	one := newSite(t) // its bbolt store is not used: both serve the database
	ids := map[string]servertest.Identity{agencyA: one.identity(agencyA, "van_thu"), agencyB: one.identity(agencyB, "van_thu")}
	st, err := pg.Open(ctx, url, pg.Options{})
	if err != nil {
		t.Fatal(err)
	}
	users, err := st.Users(ctx, "")
	st.Close()
	if err != nil || len(users) != 2 {
		t.Fatalf("%d users in the database after admin user add, want 2: %v", len(users), err)
	}
	two := &site{t: t, dir: one.dir, sha: one.sha}
	one.serve("--store", url)
	// A long poll on the second waits up to 10 minutes (the client gives
	// up after 2): only a wake-up from the first's commit ends it sooner.
	two.serve("--max-wait", "10m") // VANTHU_STORE: the same database

	a, b := one.login(ids[agencyA]), two.login(ids[agencyB])
	start := b.Changes("", 0)
	type poll struct {
		ch  protocol.Changes
		err error
	}
	woke := make(chan poll, 1)
	go func() {
		ans, err := b.TryDo("GET", "/v1/changes?cursor="+start.Cursor+"&wait=600", nil, nil)
		var p poll
		switch {
		case err != nil:
			p.err = err
		case ans.Status != 200:
			p.err = fmt.Errorf("status %d: %s", ans.Status, ans.Body)
		default:
			p.err = json.Unmarshal(ans.Body, &p.ch)
		}
		woke <- p
	}()
	// Send once the second server says the long poll waits.
	for !strings.Contains(string(b.Do("GET", "/metrics", nil, nil).Want(t, 200).Body), "vanthu_long_polls_waiting 1\n") {
		select {
		case p := <-woke:
			t.Fatalf("the long poll returned before any send: %+v %v", p.ch, p.err)
		case <-time.After(20 * time.Millisecond):
		}
	}
	data := []byte("tệp đính kèm đi qua hai máy chủ (a file passed between replicas)")
	ans := send(t, a, agencyA, data, agencyB)
	p := <-woke
	if p.err != nil {
		t.Fatal(p.err)
	}
	if len(p.ch.Changes) != 1 || p.ch.Changes[0].Kind != protocol.ChangeReceived || p.ch.Changes[0].Message == nil ||
		p.ch.Changes[0].Message.ID != ans.MessageID {
		t.Fatalf("the long poll on the other replica got %+v, want the message sent through the first", p.ch)
	}
	if body := b.Do("GET", "/v1/blobs/"+servertest.SHA256(data), nil, nil).Want(t, 200).Body; string(body) != string(data) {
		t.Fatal("the file downloaded from the other replica differs")
	}
}

// TestMigrateCommand: vanthu-server migrate between real processes: a
// bolt site with a document sent, the server stopped; the migration
// into an empty database prints what it copied, a second one is refused
// (exit 1), --resume adds nothing; served with --store, the receiver
// (signed in again) lists the document and downloads its file.
func TestMigrateCommand(t *testing.T) {
	url := pgtest.Database(t)
	s := newSite(t)
	idA, idB := s.identity(agencyA, "van_thu"), s.identity(agencyB, "van_thu")
	s.serve()
	a := s.login(idA)
	data := []byte("%PDF-1.7 văn bản trước khi chuyển\n%%EOF\n")
	a.Upload(data, 1<<20)
	var sent protocol.SendAnswer
	a.Send(protocol.NewClientID(), servertest.Document(agencyA, []string{agencyB}, servertest.Attachment(data, "vb.pdf", "application/pdf"))).Want(t, 201).Decode(t, &sent)
	// Not while it serves: the bolt file is the running server's.
	_, errOut := command(t, 1, "migrate", "--data", s.dir, "--to", url)
	if !strings.Contains(errOut, "dừng máy chủ") {
		t.Errorf("migrate while serving: %q", errOut)
	}
	s.stop()
	out, _ := command(t, 0, "migrate", "--data", s.dir, "--to", url)
	if !strings.Contains(out, "migrated: 3 agencies, 2 users, 1 files") || !strings.Contains(out, "1 documents") {
		t.Errorf("migrate printed %q", out)
	}
	if _, errOut := command(t, 1, "migrate", "--data", s.dir, "--to", url); !strings.Contains(errOut, "--resume") {
		t.Errorf("a second migration: %q", errOut)
	}
	command(t, 0, "migrate", "--data", s.dir, "--to", url, "--resume")
	s.serve("--store", url)
	b := s.login(idB)
	var page protocol.MessagePage
	b.Do("GET", "/v1/messages?box=inbox", nil, nil).Want(t, 200).Decode(t, &page)
	if len(page.Messages) != 1 || page.Messages[0].ID != sent.MessageID {
		t.Fatalf("B's inbox after the migration: %+v", page.Messages)
	}
	if got := b.Do("GET", "/v1/blobs/"+page.Messages[0].Document.Attachments[0].SHA256, nil, nil).Want(t, 200).Body; string(got) != string(data) {
		t.Errorf("the file: %q", got)
	}
}
