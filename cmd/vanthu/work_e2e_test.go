package main

import (
	"context"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/internal/demo"
	"github.com/vanthuso/vanthu/sync/protocol"
	"github.com/vanthuso/vanthu/sync/store"
)

// TestEndToEndWorkInDemo is an incoming document's way through an
// agency in the demo, with the real client as three processes under
// Xvfb, each with its own cache, and the demo's vanthu-server as the
// first one's child: app B, Sở Tài chính's clerk, sends a document to
// UBND tỉnh Nghệ An; app A, UBND's clerk, finds it in Việc của tôi,
// registers it through Vào sổ (the số comes from the server: the
// detail shows "số 01") and presents it to the leader through Trình
// lãnh đạo; app L, UBND's leader (Nguyễn Văn An), finds it in its Việc
// của tôi and assigns it through Phân công to a unit typed as chủ trì,
// with an instruction. After all quit, A's and L's caches hold the case as
// assigned with số 01, the instruction and the unit as typed, and B's
// holds UBND's statuses 01, 03, 04 in that order.
func TestEndToEndWorkInDemo(t *testing.T) {
	const (
		subject     = "Về việc đề nghị bổ sung dự toán kinh phí chuyển đổi số năm 2027"
		code        = "05/QĐ-UBND" // what the send role types
		leader      = "Nguyễn Văn An"
		unit        = "Sở Thông tin và Truyền thông"
		instruction = "Giao Sở Thông tin và Truyền thông chủ trì, tham mưu trước ngày 15/01/2027."
	)
	ctx, cancel := context.WithTimeout(context.Background(), 12*time.Minute)
	defer cancel()
	apps := newDemoApps(t, ctx, envSubject+"="+subject,
		envSendTo+"="+edoc.DemoProvince, envSendDoc+"=van-ban.phat-hanh.pdf",
		envCode+"="+code, envLeader+"="+leader, envLeadUnit+"="+unit, envInstruction+"="+instruction)
	start, waitStep, quit, demoDir := apps.start, apps.step, apps.quit, apps.demoDir

	// settle quits an app and reads its cache with have; while the cache
	// lacks what the server committed (the app quit before its sync
	// pulled it: the screens show no event of it), the app runs again,
	// syncing at start, and quits, a few times at most.
	settle := func(name, user string, p *exec.Cmd, have func() (bool, string)) {
		t.Helper()
		quit(name, p)
		for try := 0; ; try++ {
			ok, got := have()
			if ok {
				return
			}
			if try == 3 || ctx.Err() != nil {
				t.Fatalf("%s's cache: %s", name, got)
			}
			t.Logf("%s's cache: %s; %s runs again to sync", name, got, name)
			again, result := start(strings.ToLower(name), user, "online") // its home as before
			waitStep(name+" again", result, "online")
			quit(name+" again", again)
		}
	}

	b, resultB := start("b", "van-thu-stc", "send")
	waitStep("app B (Sở Tài chính)", resultB, "queued")
	a, resultA := start("a", "van-thu-ubnd", "register")
	got := waitStep("app A (UBND's clerk)", resultA, "registered")
	t.Logf("app A after Vào sổ: %q", got.Texts)
	got = waitStep("app A (UBND's clerk)", resultA, "presented")
	t.Logf("app A after Trình lãnh đạo: %q", got.Texts)
	l, resultL := start("l", "lanh-dao-ubnd", "assign")
	got = waitStep("app L (UBND's leader)", resultL, "assigned")
	t.Logf("app L after Phân công: %q", got.Texts)

	// L and A quit first: B's process runs the server. A's screens
	// show no case it is not working on, so the test reads its cache.
	quit("L", l)
	var caseA protocol.Case
	settle("A", "van-thu-ubnd", a, func() (bool, string) {
		c, ok := caseOf(t, demo.ClientDir(demoDir, "van-thu-ubnd"), subject)
		caseA = c
		return ok && c.Stage == protocol.StageAssigned, fmt.Sprintf("the case at stage %q (found %v), want it assigned", c.Stage, ok)
	})
	// B's Văn bản đi shows no status that came after the document was
	// sent: its cache is read as A's.
	want := []edoc.Status{edoc.StatusArrived, edoc.StatusAccepted, edoc.StatusAssigned}
	var sent store.Document
	var statuses []edoc.Status
	settle("B", "van-thu-stc", b, func() (bool, string) {
		sent, statuses = outboxOf(t, demo.ClientDir(demoDir, "van-thu-stc"), edoc.DemoProvince)
		return len(statuses) >= len(want), fmt.Sprintf("UBND's statuses %v, want %v", statuses, want)
	})
	if !slices.Equal(statuses, want) {
		t.Errorf("B's cache holds UBND's statuses %v, want %v", statuses, want)
	}
	if sent.MessageID != caseA.MessageID {
		t.Errorf("B sent message %s, UBND's case is of %s", sent.MessageID, caseA.MessageID)
	}

	caseL, ok := caseOf(t, demo.ClientDir(demoDir, "lanh-dao-ubnd"), subject)
	if !ok {
		t.Fatal("L's cache holds no case of the document")
	}
	for who, c := range map[string]protocol.Case{"A": caseA, "L": caseL} {
		if c.Stage != protocol.StageAssigned {
			t.Errorf("%s's case is at stage %q, want %q", who, c.Stage, protocol.StageAssigned)
		}
		if c.Entry == nil || c.Entry.Number != "01" || c.Entry.Kind != edoc.RegisterIncoming {
			t.Errorf("%s's case entry %+v, want số đến 01", who, c.Entry)
		}
		if c.Instruction != instruction {
			t.Errorf("%s's case instruction %q, want %q", who, c.Instruction, instruction)
		}
		if c.Lead == nil || c.Lead.Unit != unit || c.Lead.UserID != "" {
			t.Errorf("%s's case lead %+v, want the unit %q", who, c.Lead, unit)
		}
		if c.PresentedTo != "lanh-dao-ubnd" {
			t.Errorf("%s's case was presented to %q, want lanh-dao-ubnd", who, c.PresentedTo)
		}
	}
	if caseA.ID != caseL.ID || caseA.MessageID != caseL.MessageID {
		t.Errorf("A's case %s (message %s) and L's %s (message %s) differ", caseA.ID, caseA.MessageID, caseL.ID, caseL.MessageID)
	}
}

// outboxOf reads a client folder's cache (the app that held it quit):
// its one sent document and the statuses from organ it holds, in order.
func outboxOf(t *testing.T, dir, organ string) (store.Document, []edoc.Status) {
	t.Helper()
	s := openCache(t, dir)
	defer s.Close()
	docs, _, err := s.List(store.ListQuery{Box: store.BoxOutbox, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 1 {
		t.Fatalf("%s's outbox holds %d documents, want 1", dir, len(docs))
	}
	var statuses []edoc.Status
	for _, ev := range docs[0].Statuses {
		if ev.OrganID == organ {
			statuses = append(statuses, ev.Status)
		}
	}
	return docs[0], statuses
}

// caseOf reads the incoming case of the document with the subject from
// a client folder's cache (the app that held it quit), closing it
// again.
func caseOf(t *testing.T, dir, subject string) (protocol.Case, bool) {
	t.Helper()
	s := openCache(t, dir)
	defer s.Close()
	cases, err := s.Cases(func(c *protocol.Case) bool {
		return c.Kind == protocol.CaseIncoming && c.Document.Subject == subject
	})
	if err != nil {
		t.Fatal(err)
	}
	switch len(cases) {
	case 0:
		return protocol.Case{}, false
	case 1:
		return cases[0], true
	}
	t.Fatalf("%s holds %d cases of the document, want 1", dir, len(cases))
	return protocol.Case{}, false
}
