package store

import (
	"errors"
	"strings"
	"testing"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/sync/protocol"
)

func caseChange(c protocol.Case) protocol.Change {
	return protocol.Change{Kind: protocol.ChangeCase, At: timeAt(1), Case: &c}
}

func TestActionQueue(t *testing.T) {
	s, _ := openTemp(t)
	att := putBlob(t, s, "ket-qua.pdf", []byte("%PDF-1.7 kết quả"))
	reg := ActionEntry{ClientActionID: protocol.NewClientID(), Request: protocol.ActionRequest{Action: protocol.ActionRegister, CaseID: "m-1"}}
	done := ActionEntry{ClientActionID: protocol.NewClientID(), Request: protocol.ActionRequest{Action: protocol.ActionDone, CaseID: "m-2", Text: "Xong", Files: []string{att.SHA256, att.SHA256}}}
	for _, e := range []ActionEntry{reg, done, reg} { // the second reg is a replay: kept once
		if err := s.QueueAction(e); err != nil {
			t.Fatal(err)
		}
	}
	missing := ActionEntry{ClientActionID: protocol.NewClientID(), Request: protocol.ActionRequest{Action: protocol.ActionDone, CaseID: "m-2", Files: []string{strings.Repeat("ab", 32)}}}
	if err := s.QueueAction(missing); !errors.Is(err, ErrNotFound) {
		t.Fatalf("an action naming a file the cache lacks: %v, want ErrNotFound", err)
	}
	for _, bad := range []ActionEntry{
		{ClientActionID: "x", Request: protocol.ActionRequest{Action: protocol.ActionRegister}},
		{ClientActionID: protocol.NewClientID()},
		{ClientActionID: protocol.NewClientID(), Request: protocol.ActionRequest{Action: protocol.ActionNote, CaseID: "a\x00b"}},
		{ClientActionID: protocol.NewClientID(), Request: protocol.ActionRequest{Action: protocol.ActionNote, Files: []string{"../../etc/passwd"}}},
	} {
		if err := s.QueueAction(bad); err == nil {
			t.Fatalf("queued %+v", bad)
		}
	}
	pend, err := s.PendingActions()
	if err != nil || len(pend) != 2 || pend[0].ClientActionID != reg.ClientActionID || !pend[0].PendingNumber() || pend[1].PendingNumber() {
		t.Fatalf("pending %+v %v", pend, err)
	}
	if len(pend[1].Files) != 1 || pend[1].Files[0] != att.SHA256 {
		t.Fatalf("files of the done action %v", pend[1].Files)
	}
	if err := s.DropAction(reg.ClientActionID); err == nil {
		t.Fatal("a pending action was dropped: it may be committed on the server")
	}
	entry := edoc.RegisterEntry{Kind: edoc.RegisterIncoming, Number: "07"}
	ans := protocol.ActionAnswer{Case: protocol.Case{ID: "m-1", Kind: protocol.CaseIncoming, Stage: protocol.StageRegistered, Entry: &entry, Version: 1}}
	if err := s.ActionDone(reg.ClientActionID, ans); err != nil {
		t.Fatal(err)
	}
	if err := s.ActionDone(reg.ClientActionID, ans); !errors.Is(err, ErrNotFound) {
		t.Fatalf("answered twice: %v", err)
	}
	if c, err := s.Case("m-1"); err != nil || c.Entry == nil || c.Entry.Number != "07" {
		t.Fatalf("case after the answer %+v %v", c, err)
	}
	if err := s.ActionFailed(done.ClientActionID, protocol.CodeForbidden, "not the lead"); err != nil {
		t.Fatal(err)
	}
	if pend, _ := s.PendingActions(); len(pend) != 0 {
		t.Fatalf("a failed action is pending: %+v", pend)
	}
	if all, _ := s.PendingFor("m-2"); len(all) != 1 || !all[0].Failed || all[0].Code != protocol.CodeForbidden {
		t.Fatalf("failed action %+v", all)
	}
	if err := s.DropAction(done.ClientActionID); err != nil {
		t.Fatal(err)
	}
	if all, _ := s.Actions(); len(all) != 0 {
		t.Fatalf("actions left %+v", all)
	}
}

// TestCasesFromTheFeed: the newest version of a case wins, whatever order
// the feed, a resync and an action's answer bring them in; a replayed
// old version (a stale feed page, a hostile server) does not roll a
// case back; what the cache cannot keep is refused and audited.
func TestCasesFromTheFeed(t *testing.T) {
	s, _ := openTemp(t)
	v := func(n uint64, stage protocol.Stage) protocol.Case {
		return protocol.Case{ID: "m-9", Kind: protocol.CaseIncoming, Stage: stage, Version: n, Updated: timeAt(int(n))}
	}
	if _, err := s.Apply(changesOf(caseChange(v(2, protocol.StageAssigned)), caseChange(v(1, protocol.StageRegistered))), "c1"); err != nil {
		t.Fatal(err)
	}
	if c, _ := s.Case("m-9"); c.Version != 2 || c.Stage != protocol.StageAssigned {
		t.Fatalf("case %+v, want version 2", c)
	}
	v3 := v(3, protocol.StageProcessing)
	draft := strings.Repeat("d1", 32)
	v3.Notes = []protocol.CaseNote{{Text: "kết quả", Files: []string{draft, "../not-a-sha"}}}
	if err := s.PutCases([]protocol.Case{v(1, protocol.StageRegistered), v3}); err != nil {
		t.Fatal(err)
	}
	if c, _ := s.Case("m-9"); c.Version != 3 {
		t.Fatalf("case version %d after resync, want 3", c.Version)
	}
	if missing, err := s.MissingBlobs(); err != nil || len(missing) != 1 || missing[0] != draft {
		t.Fatalf("missing files %v %v, want the case's result file to fetch", missing, err)
	}
	huge := v(9, protocol.StageDone)
	huge.ID = "m-huge"
	huge.Instruction = strings.Repeat("x", maxCaseBytes)
	bad := v(9, protocol.StageDone)
	bad.ID = "bad\x01id"
	if _, err := s.Apply(changesOf(caseChange(huge), caseChange(bad), protocol.Change{Kind: protocol.ChangeCase}), "c2"); err != nil {
		t.Fatal(err)
	}
	cs, err := s.Cases(nil)
	if err != nil || len(cs) != 1 {
		t.Fatalf("cases %d %v, want only m-9", len(cs), err)
	}
	a, _ := s.Audit(10)
	refused := 0
	for _, l := range a {
		if l.Action == "refused" {
			refused++
		}
	}
	if refused != 3 {
		t.Fatalf("%d refusals audited, want 3: %+v", refused, a)
	}
	if c, _ := s.Cursor(); c != "c2" {
		t.Fatalf("cursor %q: refusals must not stop the feed", c)
	}
}
