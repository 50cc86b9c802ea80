package engine_test

import (
	"context"
	"strings"
	"testing"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/server"
	"github.com/vanthuso/vanthu/server/servertest"
	serverstore "github.com/vanthuso/vanthu/server/store"
	"github.com/vanthuso/vanthu/sync/engine"
	"github.com/vanthuso/vanthu/sync/protocol"
	"github.com/vanthuso/vanthu/sync/store"
)

// TestIntegrationOfflineClerksNumbers: two clerks of Sở Tài chính, each
// on their own client, register arrived documents while offline (one of
// them also a document the other registers); when they sync, the server
// gives the số đến in its commit: 01 and 02, never the same number
// twice, the doomed double registration refused for good without taking
// a number; until then each client shows the number pending; the 03s
// reach the sender once each, and both clients learn every case from
// the feed.
func TestIntegrationOfflineClerksNumbers(t *testing.T) {
	s := startSite(t, siteOptions{})
	if _, err := server.AddUser(context.Background(), s.st, server.NewUser{Agency: edoc.DemoFinance, Name: "Lê Thị Bình",
		Cert: s.pki.ECDSA.Cert.Raw, Roles: []protocol.Role{protocol.RoleClerk}}); err != nil {
		t.Fatal(err)
	}
	a := s.province(t, direct)
	b1 := s.finance(t, direct)
	b2 := s.newAgency(t, edoc.DemoFinance, s.pki.ECDSA, direct)
	k1, _ := a.send(t, b1.code)
	k2, _ := a.send(t, b1.code)
	a.runOnce(t)
	m1, m2 := sentAs(t, a, k1), sentAs(t, a, k2)
	b1.runOnce(t)
	b2.runOnce(t)
	received(t, b1, m1, m2)
	received(t, b2, m1, m2)

	// Offline: the actions are queued, numbers pending.
	queue := func(b *agency, msg string) string {
		id := protocol.NewClientID()
		if err := b.cache.QueueAction(store.ActionEntry{ClientActionID: id, Request: protocol.ActionRequest{Action: protocol.ActionRegister, CaseID: msg}}); err != nil {
			t.Fatal(err)
		}
		return id
	}
	r1, _, doomed := queue(b1, m1), queue(b2, m2), queue(b2, m1)
	for _, c := range []struct {
		b   *agency
		msg string
	}{{b1, m1}, {b2, m2}, {b2, m1}} {
		pend, err := c.b.cache.PendingFor(c.msg)
		if err != nil || len(pend) != 1 || !pend[0].PendingNumber() {
			t.Fatalf("pending on %s: %+v %v, want one action waiting for its number", c.msg, pend, err)
		}
	}
	// b2 syncs first: its m2 gets 01 and its m1 … then b1's m1 is the
	// double. Whichever commits second for m1 is refused.
	evs := b2.runOnce(t)
	b1evs := b1.runOnce(t)
	evs = append(evs, b1evs...)
	b2.runOnce(t)
	told := false // b1 hears of b2's cases through the feed
	for _, ev := range b1evs {
		if cc, ok := ev.(engine.CasesChanged); ok && len(cc.IDs) > 0 {
			told = true
		}
	}
	if !told {
		t.Error("b1 was not told of the cases b2 registered")
	}
	numbers := map[string]string{}
	refused := 0
	for _, ev := range evs {
		switch ev := ev.(type) {
		case engine.Acted:
			if ev.Case.Entry == nil {
				t.Fatalf("acted without an entry: %+v", ev)
			}
			if other, dup := numbers[ev.Case.Entry.Number]; dup {
				t.Fatalf("số đến %s given to %s and %s", ev.Case.Entry.Number, other, ev.Case.ID)
			}
			numbers[ev.Case.Entry.Number] = ev.Case.ID
		case engine.Failed:
			if ev.Permanent && (ev.Key == doomed || ev.Key == r1) {
				refused++
			}
		}
	}
	if len(numbers) != 2 || numbers["01"] == "" || numbers["02"] == "" || refused != 1 {
		t.Fatalf("numbers %v, %d refused: want 01 and 02, one refusal", numbers, refused)
	}
	for _, b := range []*agency{b1, b2} {
		for _, m := range []string{m1, m2} {
			c, err := b.cache.Case(m)
			if err != nil || c.Entry == nil || numbers[c.Entry.Number] != m || c.Stage != protocol.StageRegistered {
				t.Fatalf("%s's case of %s: %+v %v", b.code, m, c, err)
			}
		}
		if pend, _ := b.cache.PendingActions(); len(pend) != 0 {
			t.Fatalf("actions still pending: %+v", pend)
		}
	}
	page, err := b1.cl.Register(context.Background(), edoc.RegisterIncoming, s.clock.Now().In(edoc.Vietnam).Year(), "")
	if err != nil || len(page.Entries) != 2 {
		t.Fatalf("register %+v %v, want two lines", page, err)
	}
	changed := map[string]bool{} // the sender is told whose statuses came
	for _, ev := range a.runOnce(t) {
		if sc, ok := ev.(engine.StatusesChanged); ok {
			for _, id := range sc.MessageIDs {
				changed[id] = true
			}
		}
	}
	if !changed[m1] || !changed[m2] {
		t.Errorf("StatusesChanged told of %v, want %s and %s", changed, m1, m2)
	}
	for _, k := range []string{k1, k2} {
		d, err := a.cache.Get(k)
		if err != nil {
			t.Fatal(err)
		}
		if n := statusCount(d.Statuses, b1.code, edoc.StatusAccepted); n != 1 {
			t.Fatalf("sender's copy %s: %d 03s, want one: %+v", k, n, d.Statuses)
		}
		for _, st := range d.Statuses {
			if st.Status == edoc.StatusAccepted && !strings.HasPrefix(st.Description, "Đã vào sổ văn bản đến số 0") {
				t.Fatalf("03 says %q", st.Description)
			}
		}
	}
}

// TestIntegrationIssueAfterSend: phát hành queued offline — the issued
// document's send and the issue action that waits for it
// (ActionEntry.AfterSend) — goes in order: the send first, then the
// action with the send's message id; the server records the case as
// issued with that message. An action waiting for a send that is not
// queued fails for good, with its code.
func TestIntegrationIssueAfterSend(t *testing.T) {
	s := startSite(t, siteOptions{})
	a, b := s.province(t, direct), s.finance(t, direct)
	ctx := context.Background()
	doc := servertest.Document(a.code, []string{b.code})
	doc.Code = edoc.Code{CodeNumber: "01", CodeNotation: "UBND-VP"}
	// A draft approved and numbered (số 01) on the server.
	cs := protocol.Case{ID: "d-phat-hanh-01", Agency: a.code, Kind: protocol.CaseOutgoing, Stage: protocol.StageNumbered, Version: 1, Document: doc}
	if _, ok, err := s.st.CommitWork(ctx, serverstore.WorkCommit{Agency: a.code, CaseID: cs.ID,
		Idem: serverstore.Idempotency{Agency: a.code, Key: "test:" + cs.ID, Fingerprint: "x", Status: 200},
		Apply: func(serverstore.WorkState) (serverstore.WorkResult, error) {
			return serverstore.WorkResult{Case: cs, Answer: []byte("{}")}, nil
		}}); err != nil || !ok {
		t.Fatalf("numbered case: %v %v", ok, err)
	}
	key := a.queue(t, doc, samplePDF(t, 0))
	issue := protocol.NewClientID()
	if err := a.cache.QueueAction(store.ActionEntry{ClientActionID: issue, AfterSend: key,
		Request: protocol.ActionRequest{Action: protocol.ActionIssue, CaseID: cs.ID}}); err != nil {
		t.Fatal(err)
	}
	orphan := protocol.NewClientID()
	if err := a.cache.QueueAction(store.ActionEntry{ClientActionID: orphan, AfterSend: "khong-co-gui-nao",
		Request: protocol.ActionRequest{Action: protocol.ActionIssue, CaseID: cs.ID}}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		a.runOnce(t)
	}
	msg := sentAs(t, a, key)
	got, err := s.st.Case(ctx, a.code, cs.ID)
	if err != nil || got.Stage != protocol.StageIssued || got.MessageID != msg {
		t.Fatalf("case %s: stage %s, message %q (%v); want issued with %s", cs.ID, got.Stage, got.MessageID, err, msg)
	}
	acts, err := a.cache.Actions()
	if err != nil {
		t.Fatal(err)
	}
	if len(acts) != 1 || acts[0].ClientActionID != orphan || !acts[0].Failed || acts[0].Code != engine.CodeSendFailed {
		t.Fatalf("actions left %+v, want the orphan failed with %s", acts, engine.CodeSendFailed)
	}
}
