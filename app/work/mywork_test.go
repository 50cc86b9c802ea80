package work

import (
	"slices"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/sync/protocol"
	"github.com/vanthuso/vanthu/sync/store"
)

var (
	clerk   = protocol.User{ID: "clerk", Name: "Văn thư", Roles: []protocol.Role{protocol.RoleClerk}}
	leader  = protocol.User{ID: "leader", Name: "Lãnh đạo", Roles: []protocol.Role{protocol.RoleLeader}}
	officer = protocol.User{ID: "officer", Name: "Chuyên viên", Roles: []protocol.Role{protocol.RoleOfficer}}
	other   = protocol.User{ID: "other", Name: "Chuyên viên khác", Roles: []protocol.Role{protocol.RoleOfficer}}
)

// now is 10:00 on 10 March 2026 in Vietnam.
var now = time.Date(2026, 3, 10, 3, 0, 0, 0, time.UTC)

func date(y int, m time.Month, d int) *edoc.Date { return &edoc.Date{Year: y, Month: m, Day: d} }

func incoming(id string, stage protocol.Stage, p edoc.Priority, updated time.Time) protocol.Case {
	return protocol.Case{ID: id, Kind: protocol.CaseIncoming, Stage: stage, Updated: updated,
		Document: edoc.Document{Subject: "Văn bản " + id, Priority: p}}
}

func keys(items []Item) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.Key)
	}
	return out
}

func sampleInput() Input {
	t0 := now.Add(-time.Hour)
	assigned := incoming("c-assigned", protocol.StageAssigned, edoc.PriorityNormal, t0)
	assigned.Lead = &protocol.Assignee{UserID: "officer"}
	coop := incoming("c-coop", protocol.StageProcessing, edoc.PriorityNormal, t0.Add(-time.Minute))
	coop.Lead = &protocol.Assignee{Unit: "Phòng Tổng hợp"}
	coop.Cooperating = []protocol.Assignee{{UserID: "officer"}}
	done := incoming("c-done", protocol.StageDone, edoc.PriorityFlash, t0)
	done.Lead = &protocol.Assignee{UserID: "officer"}
	presented := incoming("c-presented", protocol.StagePresented, edoc.PriorityNormal, t0)
	presented.PresentedTo = "leader"
	presentedOther := incoming("c-presented-other", protocol.StagePresented, edoc.PriorityNormal, t0)
	presentedOther.PresentedTo = "leader2"
	draft := protocol.Case{ID: "d-presented", Kind: protocol.CaseOutgoing, Stage: protocol.StagePresented, PresentedTo: "leader", Updated: t0,
		History: []protocol.CaseStep{{By: "officer", Action: protocol.ActionDraft}}}
	rejected := protocol.Case{ID: "d-rejected", Kind: protocol.CaseOutgoing, Stage: protocol.StageRejected, Updated: t0,
		History: []protocol.CaseStep{{By: "officer", Action: protocol.ActionDraft}, {By: "leader", Action: protocol.ActionReject}}}
	approved := protocol.Case{ID: "d-approved", Kind: protocol.CaseOutgoing, Stage: protocol.StageApproved, Updated: t0}
	return Input{
		Cases: []protocol.Case{
			incoming("c-arrived", protocol.StageArrived, edoc.PriorityNormal, t0),
			incoming("c-registered", protocol.StageRegistered, edoc.PriorityNormal, t0),
			incoming("c-withdrawn", protocol.StageWithdrawn, edoc.PriorityFlash, t0),
			incoming("c-returned", protocol.StageReturned, edoc.PriorityFlash, t0),
			assigned, coop, done, presented, presentedOther, draft, rejected, approved,
		},
		Inbox: []store.Document{
			{Key: "m-new", MessageID: "m-new", Box: store.BoxInbox, ReceivedAt: now, Doc: edoc.Document{Subject: "Mới đến"}},
			{Key: "c-registered", MessageID: "c-registered", Box: store.BoxInbox, ReceivedAt: now},
			{Key: "out", MessageID: "out", Box: store.BoxOutbox},
			{Key: "queued", Box: store.BoxInbox},
		},
	}
}

func TestMyWorkPerRole(t *testing.T) {
	in := sampleInput()
	for _, tc := range []struct {
		user protocol.User
		want []string
	}{
		{clerk, []string{"m-new", "c-arrived", "c-registered", "d-approved"}},
		{leader, []string{"c-presented", "d-presented"}},
		{officer, []string{"c-assigned", "c-coop", "d-rejected"}},
		{other, nil},
		{protocol.User{}, nil},
	} {
		got := keys(MyWork(tc.user, in, now))
		want := slices.Clone(tc.want)
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: got %v, want %v", tc.user.ID, got, want)
		}
	}
}

func TestMyWorkWhy(t *testing.T) {
	in := sampleInput()
	why := map[string]Why{}
	for _, u := range []protocol.User{clerk, leader, officer} {
		for _, it := range MyWork(u, in, now) {
			why[u.ID+"/"+it.Key] = it.Why
		}
	}
	for k, want := range map[string]Why{
		"clerk/m-new": WhyToRegister, "clerk/c-arrived": WhyToRegister, "clerk/c-registered": WhyToPresent,
		"clerk/d-approved": WhyToIssue, "leader/c-presented": WhyToAssign, "leader/d-presented": WhyToApprove,
		"officer/c-assigned": WhyToProcess, "officer/c-coop": WhyToProcess, "officer/d-rejected": WhyRejected,
	} {
		if why[k] != want {
			t.Errorf("%s: why %q, want %q", k, why[k], want)
		}
	}
}

// A user whose id is empty or another's must not see a case through a
// cooperating unit or a draft without history.
func TestMyWorkNoMatchOnEmptyIDs(t *testing.T) {
	c := incoming("c", protocol.StageAssigned, 0, now)
	c.Cooperating = []protocol.Assignee{{Unit: "Phòng A"}}
	c.Lead = &protocol.Assignee{Unit: "Phòng B"}
	d := protocol.Case{ID: "d", Kind: protocol.CaseOutgoing, Stage: protocol.StageRejected}
	for _, u := range []protocol.User{{Roles: []protocol.Role{protocol.RoleOfficer}}, officer} {
		if got := MyWork(u, Input{Cases: []protocol.Case{c, d}}, now); len(got) != 0 {
			t.Errorf("user %q sees %v", u.ID, keys(got))
		}
	}
}

func TestMyWorkOrder(t *testing.T) {
	t0 := now.Add(-24 * time.Hour)
	mk := func(id string, p edoc.Priority, due *edoc.Date, at time.Time) protocol.Case {
		c := incoming(id, protocol.StageArrived, p, at)
		c.Due = due
		return c
	}
	in := Input{Cases: []protocol.Case{
		mk("normal-old", 0, nil, t0),
		mk("normal-new", 0, nil, now),
		mk("normal-due-late", 0, date(2026, 4, 1), t0),
		mk("normal-due-soon", 0, date(2026, 3, 11), t0),
		mk("urgent", edoc.PriorityUrgent, nil, t0),
		mk("very-urgent", edoc.PriorityVeryUrgent, nil, t0),
		mk("flash-new", edoc.PriorityFlash, nil, now),
		mk("flash-scheduled-old", edoc.PriorityFlashScheduled, nil, t0),
		mk("flash-due", edoc.PriorityFlash, date(2026, 5, 1), t0),
	}}
	// The document's own due date counts when the case has none.
	c := incoming("normal-doc-due", protocol.StageArrived, 0, t0)
	c.Document.DueDate = date(2026, 3, 20)
	in.Cases = append(in.Cases, c)
	want := []string{"flash-due", "flash-new", "flash-scheduled-old", "very-urgent", "urgent",
		"normal-due-soon", "normal-doc-due", "normal-due-late", "normal-new", "normal-old"}
	if got := keys(MyWork(clerk, in, now)); !slices.Equal(got, want) {
		t.Errorf("order:\n got %v\nwant %v", got, want)
	}
}

func TestDueState(t *testing.T) {
	// 23:30 on 10 March in Vietnam is 16:30 UTC: still the 10th there.
	late := time.Date(2026, 3, 10, 16, 30, 0, 0, time.UTC)
	// 00:30 on 11 March in Vietnam is 17:30 UTC on the 10th.
	early := time.Date(2026, 3, 10, 17, 30, 0, 0, time.UTC)
	for _, tc := range []struct {
		due   *edoc.Date
		stage protocol.Stage
		at    time.Time
		want  DueState
	}{
		{nil, protocol.StageAssigned, now, DueNone},
		{&edoc.Date{}, protocol.StageAssigned, now, DueNone},
		{date(2026, 3, 13), protocol.StageAssigned, now, DueNone},
		{date(2026, 3, 12), protocol.StageAssigned, now, DueSoon},
		{date(2026, 3, 10), protocol.StageAssigned, now, DueSoon},
		{date(2026, 3, 9), protocol.StageAssigned, now, DueOverdue},
		{date(2026, 3, 9), protocol.StageDone, now, DueNone},
		{date(2026, 3, 9), protocol.StageWithdrawn, now, DueNone},
		{date(2026, 3, 10), protocol.StageProcessing, late, DueSoon},
		{date(2026, 3, 10), protocol.StageProcessing, early, DueOverdue},
		{date(2026, 3, 13), protocol.StageProcessing, early, DueSoon},
	} {
		if got := DueStateOf(tc.due, tc.stage, tc.at); got != tc.want {
			t.Errorf("due %v stage %s at %v: %d, want %d", tc.due, tc.stage, tc.at, got, tc.want)
		}
	}
}

func TestMyWorkPending(t *testing.T) {
	in := sampleInput()
	in.Actions = []store.ActionEntry{
		{ClientActionID: "a1", Request: protocol.ActionRequest{Action: protocol.ActionRegister, CaseID: "m-new"}},
		{ClientActionID: "a2", Request: protocol.ActionRequest{Action: protocol.ActionPresent, CaseID: "c-registered", To: "leader"}},
		{ClientActionID: "a3", Request: protocol.ActionRequest{Action: protocol.ActionRegister, CaseID: "c-arrived"}, Failed: true},
	}
	got := map[string]Item{}
	for _, it := range MyWork(clerk, in, now) {
		got[it.Key] = it
	}
	if it := got["m-new"]; !it.PendingNumber || len(it.Pending) != 1 {
		t.Errorf("m-new: pending number %v, %d pending", it.PendingNumber, len(it.Pending))
	}
	if it := got["c-registered"]; it.PendingNumber || len(it.Pending) != 1 {
		t.Errorf("c-registered: pending number %v, %d pending", it.PendingNumber, len(it.Pending))
	}
	if it := got["c-arrived"]; it.PendingNumber || len(it.Pending) != 1 || !it.Pending[0].Failed {
		t.Errorf("c-arrived: a failed register must not show chờ cấp số: %+v", it)
	}
}

func TestReminders(t *testing.T) {
	c := incoming("c", protocol.StageAssigned, 0, now)
	c.Lead = &protocol.Assignee{UserID: "officer"}
	c.Due = date(2026, 3, 12)
	var r Reminders
	check := func(at time.Time, cases ...protocol.Case) []Reminder {
		return r.Check(MyWork(officer, Input{Cases: cases}, at), at)
	}
	if got := check(now, c); len(got) != 1 || got[0].State != DueSoon || got[0].Key != "c" || got[0].DaysLeft != 2 || got[0].Subject != "Văn bản c" {
		t.Fatalf("first check: %+v", got)
	}
	if got := check(now.Add(time.Hour), c); len(got) != 0 {
		t.Fatalf("notified twice: %+v", got)
	}
	over := now.Add(3 * 24 * time.Hour)
	if got := check(over, c); len(got) != 1 || got[0].State != DueOverdue || got[0].DaysLeft != -1 {
		t.Fatalf("overdue: %+v", got)
	}
	if got := check(over.Add(time.Hour), c); len(got) != 0 {
		t.Fatalf("overdue notified twice: %+v", got)
	}
	// The deadline moved away, then came near again: a new reminder.
	moved := c
	moved.Due = date(2026, 4, 30)
	if got := check(over, moved); len(got) != 0 {
		t.Fatalf("not due: %+v", got)
	}
	if got := check(over, c); len(got) != 1 || got[0].State != DueOverdue {
		t.Fatalf("after the move back: %+v", got)
	}
	// Done: gone from the list and forgotten; nothing is notified.
	finished := c
	finished.Stage = protocol.StageDone
	if got := check(over, finished); len(got) != 0 {
		t.Fatalf("done: %+v", got)
	}
}

func TestDuplicates(t *testing.T) {
	doc := edoc.Document{Code: edoc.Code{CodeNumber: "05", CodeNotation: "QĐ-UBND"}, From: edoc.Organ{OrganID: "000.00.00.H41"}}
	entry := func(id, number, notation string, kind edoc.RegisterKind) protocol.Case {
		return protocol.Case{ID: id, Entry: &edoc.RegisterEntry{Kind: kind, Number: id,
			Code: edoc.Code{CodeNumber: number, CodeNotation: notation}, Organ: edoc.Organ{OrganID: "000.00.00.H41"}}}
	}
	cases := []protocol.Case{
		entry("same", "5", "qd ubnd", edoc.RegisterIncoming),
		entry("self", "05", "QĐ-UBND", edoc.RegisterIncoming),
		entry("other-number", "6", "QĐ-UBND", edoc.RegisterIncoming),
		entry("outgoing", "05", "QĐ-UBND", edoc.RegisterOutgoing),
		{ID: "no-entry", Document: doc},
	}
	got := Duplicates(doc, "self", cases)
	if len(got) != 1 || got[0].Number != "same" {
		t.Errorf("duplicates: %+v", got)
	}
}

func TestRegister(t *testing.T) {
	at := func(y int, number string, kind edoc.RegisterKind) protocol.Case {
		return protocol.Case{ID: number, Entry: &edoc.RegisterEntry{Kind: kind, Number: number,
			Registered: time.Date(y, 6, 1, 0, 0, 0, 0, edoc.Vietnam)}}
	}
	// 31 Dec 2025 20:00 UTC is 1 Jan 2026 in Vietnam.
	newYear := protocol.Case{ID: "ny", Entry: &edoc.RegisterEntry{Kind: edoc.RegisterIncoming, Number: "01",
		Registered: time.Date(2025, 12, 31, 20, 0, 0, 0, time.UTC)}}
	cases := []protocol.Case{at(2026, "10", edoc.RegisterIncoming), at(2026, "02", edoc.RegisterIncoming), newYear,
		at(2025, "03", edoc.RegisterIncoming), at(2026, "04", edoc.RegisterOutgoing), {ID: "none"}}
	var got []string
	for _, e := range Register(cases, edoc.RegisterIncoming, 2026) {
		got = append(got, e.Number)
	}
	if want := []string{"01", "02", "10"}; !slices.Equal(got, want) {
		t.Errorf("register 2026: %v, want %v", got, want)
	}
	if y := Years(cases, edoc.RegisterIncoming); !slices.Equal(y, []int{2026, 2025}) {
		t.Errorf("years: %v", y)
	}
}
