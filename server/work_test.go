package server

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/server/servertest"
	"github.com/vanthuso/vanthu/sync/protocol"
)

// office is one agency's staff, signed in.
type office struct {
	clerk, leader, officer, admin *servertest.Client
	leaderID, officerID           string
}

func (e *env) office(agency string) office {
	e.t.Helper()
	o := office{clerk: e.user(agency, protocol.RoleClerk), leader: e.user(agency, protocol.RoleLeader),
		officer: e.user(agency, protocol.RoleOfficer), admin: e.user(agency, protocol.RoleAdmin)}
	o.leaderID, o.officerID = meID(e.t, o.leader), meID(e.t, o.officer)
	return o
}

func meID(t *testing.T, c *servertest.Client) string {
	t.Helper()
	var me protocol.Me
	c.Do("GET", "/v1/me", nil, nil).Want(t, 200).Decode(t, &me)
	return me.User.ID
}

func register(t *testing.T, c *servertest.Client, kind edoc.RegisterKind, year int) []edoc.RegisterEntry {
	t.Helper()
	var page protocol.RegisterPage
	c.Do("GET", fmt.Sprintf("/v1/registers/%s?year=%d", kind, year), nil, nil).Want(t, 200).Decode(t, &page)
	return page.Entries
}

// TestIncomingLifecycle: arrival (01), register (03, số đến 01), present,
// assign (04), in progress (05), done (06): every status reaches the
// sender in order and its view shows the recipient's latest; the case
// and its history are the receiver's alone.
func TestIncomingLifecycle(t *testing.T) {
	e := newEnv(t, nil)
	a, b := e.office(agencyA), e.office(agencyB)
	msg := e.sent(a.clerk, agencyA, []byte("quyết định "+protocol.NewClientID()), agencyB).MessageID

	reg := b.clerk.Act(protocol.ActionRequest{Action: protocol.ActionRegister, CaseID: msg, Handler: "Phòng Tổng hợp"})
	if reg.Case.Stage != protocol.StageRegistered || reg.Case.Entry == nil || reg.Case.Entry.Number != "01" || reg.Status == nil || reg.Status.Status != edoc.StatusAccepted {
		t.Fatalf("register answer %+v", reg)
	}
	b.clerk.Act(protocol.ActionRequest{Action: protocol.ActionPresent, CaseID: msg, To: b.leaderID})
	due := edoc.DateOf(e.clock.Now().Add(72 * time.Hour))
	as := b.leader.Act(protocol.ActionRequest{Action: protocol.ActionAssign, CaseID: msg, Instruction: "Giao Phòng Kế hoạch chủ trì, báo cáo trước hạn",
		Lead: &protocol.Assignee{UserID: b.officerID, Unit: "Phòng Kế hoạch"}, Cooperating: []protocol.Assignee{{Unit: "Phòng Tài chính"}}, Due: &due})
	if as.Case.Lead == nil || as.Case.Lead.Name != "Nguyễn Văn An" || *as.Case.Due != due || as.Case.PresentedTo != b.leaderID {
		t.Fatalf("assign answer %+v", as.Case)
	}
	b.officer.Act(protocol.ActionRequest{Action: protocol.ActionProgress, CaseID: msg})
	done := b.officer.Act(protocol.ActionRequest{Action: protocol.ActionDone, CaseID: msg, Text: "Đã tham mưu văn bản trả lời"})
	if done.Case.Stage != protocol.StageDone || len(done.Case.History) != 5 || done.Case.Version != 5 {
		t.Fatalf("done: stage %s, %d steps, version %d", done.Case.Stage, len(done.Case.History), done.Case.Version)
	}

	var statuses []string
	for _, ch := range a.clerk.Changes("", 0).Changes {
		if ch.Case != nil {
			t.Fatalf("the sender sees the receiver's case: %+v", ch.Case)
		}
		if ch.Status != nil {
			statuses = append(statuses, string(ch.Status.Status))
		}
	}
	if got := strings.Join(statuses, " "); got != "01 03 04 05 06" {
		t.Fatalf("statuses at the sender: %s, want 01 03 04 05 06 in order", got)
	}
	var m protocol.Message
	a.clerk.Do("GET", "/v1/messages/"+msg, nil, nil).Want(t, 200).Decode(t, &m)
	if len(m.Deliveries) != 1 || m.Deliveries[0].Status != edoc.StatusDone {
		t.Fatalf("sender's view %+v", m.Deliveries)
	}
	// Outsiders: the sender's staff do not see B's case, register or audit.
	for _, c := range []*servertest.Client{a.clerk, a.leader, a.admin} {
		c.Do("GET", "/v1/cases/"+msg, nil, nil).WantError(t, 404, protocol.CodeNotFound)
		if got := register(t, c, edoc.RegisterIncoming, e.clock.Now().In(edoc.Vietnam).Year()); len(got) != 0 {
			t.Fatalf("A sees B's register: %+v", got)
		}
		c.Work(protocol.NewClientID(), protocol.ActionRequest{Action: protocol.ActionNote, CaseID: msg, Text: "x"}).WantError(t, 404, protocol.CodeNotFound)
	}
	var audit protocol.AuditPage
	a.admin.Do("GET", "/v1/audit", nil, nil).Want(t, 200).Decode(t, &audit)
	for _, l := range audit.Entries {
		if l.CaseID == msg && l.Action != "send" {
			t.Fatalf("A's audit holds B's action %+v", l)
		}
	}
	b.admin.Do("GET", "/v1/audit", nil, nil).Want(t, 200).Decode(t, &audit)
	var actions []string
	for _, l := range audit.Entries {
		actions = append(actions, l.Action)
	}
	if got := strings.Join(actions, " "); got != "register present assign progress done" {
		t.Fatalf("B's audit: %s", got)
	}
	var staff protocol.Staff
	b.officer.Do("GET", "/v1/staff", nil, nil).Want(t, 200).Decode(t, &staff)
	if len(staff.Users) != 4 {
		t.Fatalf("B's staff: %d users, want its 4", len(staff.Users))
	}
	for _, u := range staff.Users {
		if u.Agency.OrganID != agencyB {
			t.Fatalf("B's staff lists a user of %s", u.Agency.OrganID)
		}
	}
	b.clerk.Do("GET", "/v1/audit", nil, nil).WantError(t, 403, protocol.CodeForbidden)
	b.leader.Do("GET", "/v1/audit", nil, nil).WantError(t, 403, protocol.CodeForbidden)
}

// TestWorkRoles: who may not do what, each tried by an attacker who has
// a session of the agency (or of another one).
func TestWorkRoles(t *testing.T) {
	e := newEnv(t, nil)
	a, b := e.office(agencyA), e.office(agencyB)
	other := e.user(agencyB, protocol.RoleOfficer)
	otherID := meID(t, other)
	msg := e.sent(a.clerk, agencyA, []byte("công văn "+protocol.NewClientID()), agencyB).MessageID
	act := func(c *servertest.Client, req protocol.ActionRequest) *servertest.Answer {
		req.CaseID = msg
		return c.Work(protocol.NewClientID(), req)
	}
	reg := protocol.ActionRequest{Action: protocol.ActionRegister}
	act(b.officer, reg).WantError(t, 403, protocol.CodeForbidden)
	act(b.leader, reg).WantError(t, 403, protocol.CodeForbidden)
	act(a.clerk, reg).WantError(t, 404, protocol.CodeNotFound) // the sender registering the receiver's copy
	act(b.clerk, reg).Want(t, 201)
	assign := protocol.ActionRequest{Action: protocol.ActionAssign, Lead: &protocol.Assignee{UserID: b.officerID}}
	act(b.clerk, assign).WantError(t, 403, protocol.CodeForbidden)
	act(b.officer, assign).WantError(t, 403, protocol.CodeForbidden)
	act(a.leader, assign).WantError(t, 404, protocol.CodeNotFound)
	// A leader assigning to a user of another agency, or to nobody.
	aUser := meID(t, a.officer)
	act(b.leader, protocol.ActionRequest{Action: protocol.ActionAssign, Lead: &protocol.Assignee{UserID: aUser}}).WantError(t, 400, protocol.CodeBadRequest)
	act(b.leader, protocol.ActionRequest{Action: protocol.ActionAssign, Lead: &protocol.Assignee{}}).WantError(t, 400, protocol.CodeBadRequest)
	act(b.leader, assign).Want(t, 201)
	// An officer of the agency who is not assigned cannot report progress.
	act(other, protocol.ActionRequest{Action: protocol.ActionProgress}).WantError(t, 403, protocol.CodeForbidden)
	act(b.clerk, protocol.ActionRequest{Action: protocol.ActionProgress}).WantError(t, 403, protocol.CodeForbidden)
	act(b.officer, protocol.ActionRequest{Action: protocol.ActionDone, Text: "xong"}).WantError(t, 409, protocol.CodeBadRequest) // 04 → 06 skips 05
	act(b.officer, protocol.ActionRequest{Action: protocol.ActionProgress}).Want(t, 201)
	// A cooperating officer may report progress but only the lead is done.
	act(b.leader, protocol.ActionRequest{Action: protocol.ActionAssign, Lead: &protocol.Assignee{UserID: b.officerID},
		Cooperating: []protocol.Assignee{{UserID: otherID}}}).WantError(t, 409, protocol.CodeBadRequest) // assigned again only before 05
	act(other, protocol.ActionRequest{Action: protocol.ActionDone, Text: "xong"}).WantError(t, 403, protocol.CodeForbidden)
	act(b.officer, protocol.ActionRequest{Action: protocol.ActionDone}).WantError(t, 400, protocol.CodeBadRequest) // no note, no file
	act(b.officer, protocol.ActionRequest{Action: protocol.ActionDone, Text: "Đã xong"}).Want(t, 201)

	// Drafts: only the leader it is presented to approves or rejects.
	data := []byte("dự thảo " + protocol.NewClientID())
	b.officer.Upload(data, 1<<20)
	d := servertest.Document(agencyB, []string{agencyA}, servertest.Attachment(data, "du-thao.pdf", "application/pdf"))
	second := e.user(agencyB, protocol.RoleLeader)
	draft := b.officer.Act(protocol.ActionRequest{Action: protocol.ActionDraft, Document: &d, To: b.leaderID})
	signed := []byte("đã ký duyệt " + protocol.NewClientID())
	b.leader.Upload(signed, 1<<20)
	second.Work(protocol.NewClientID(), protocol.ActionRequest{Action: protocol.ActionApprove, CaseID: draft.Case.ID, Files: []string{servertest.SHA256(signed)}}).WantError(t, 403, protocol.CodeForbidden)
	b.clerk.Work(protocol.NewClientID(), protocol.ActionRequest{Action: protocol.ActionNumber, CaseID: draft.Case.ID}).WantError(t, 409, protocol.CodeBadRequest)    // not approved
	b.officer.Work(protocol.NewClientID(), protocol.ActionRequest{Action: protocol.ActionDraft, Document: &d, To: aUser}).WantError(t, 400, protocol.CodeBadRequest) // presented to another agency's user
	// A file the agency never uploaded cannot be named as the signed draft.
	a.leader.Upload([]byte("tệp của A"), 100)
	b.leader.Work(protocol.NewClientID(), protocol.ActionRequest{Action: protocol.ActionApprove, CaseID: draft.Case.ID, Files: []string{servertest.SHA256([]byte("tệp của A"))}}).WantError(t, 409, protocol.CodeMissingBlobs)
	b.officer.Work(protocol.NewClientID(), protocol.ActionRequest{Action: "delete-everything", CaseID: draft.Case.ID}).WantError(t, 400, protocol.CodeBadRequest)
	b.officer.Work(protocol.NewClientID(), protocol.ActionRequest{Action: protocol.ActionNote, CaseID: draft.Case.ID, Text: strings.Repeat("x", maxText+1)}).WantError(t, 400, protocol.CodeBadRequest)
}

// TestOutgoingLifecycle: draft → present → ký duyệt → cấp số (padded,
// per year, reset on 1 January in Vietnam time) → send → issue; a copy
// takes its own number.
func TestOutgoingLifecycle(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.SessionTTL = 5 * 365 * 24 * time.Hour })
	b := e.office(agencyB)
	e.clock.Set(time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC)) // 23:00 in Hà Nội
	issue := func() protocol.Case {
		data := []byte("dự thảo " + protocol.NewClientID())
		b.officer.Upload(data, 1<<20)
		d := servertest.Document(agencyB, []string{agencyA}, servertest.Attachment(data, "du-thao.pdf", "application/pdf"))
		c := b.officer.Act(protocol.ActionRequest{Action: protocol.ActionDraft, Document: &d}).Case
		b.officer.Act(protocol.ActionRequest{Action: protocol.ActionPresent, CaseID: c.ID, To: b.leaderID})
		signed := []byte("ký duyệt " + protocol.NewClientID())
		b.leader.Upload(signed, 1<<20)
		b.leader.Act(protocol.ActionRequest{Action: protocol.ActionApprove, CaseID: c.ID, Files: []string{servertest.SHA256(signed)}})
		n := b.clerk.Act(protocol.ActionRequest{Action: protocol.ActionNumber, CaseID: c.ID}).Case
		issued := []byte("phát hành " + protocol.NewClientID())
		b.clerk.Upload(issued, 1<<20)
		sd := n.Document
		sd.Attachments = []edoc.Attachment{servertest.Attachment(issued, "qd.pdf", "application/pdf")}
		var sent protocol.SendAnswer
		b.clerk.Send(protocol.NewClientID(), sd).Want(t, 201).Decode(t, &sent)
		return b.clerk.Act(protocol.ActionRequest{Action: protocol.ActionIssue, CaseID: c.ID, MessageID: sent.MessageID}).Case
	}
	first, second := issue(), issue()
	e.clock.Advance(time.Hour) // 00:00 on 1 January 2027 in Hà Nội
	third := issue()
	for _, w := range []struct {
		c    protocol.Case
		want string
		year int
	}{{first, "01", 2026}, {second, "02", 2026}, {third, "01", 2027}} {
		if w.c.Stage != protocol.StageIssued || w.c.Document.Code.CodeNumber != w.want || w.c.Entry.Number != w.want || w.c.Document.PromulgationDate.Year != w.year {
			t.Fatalf("issued case: stage %s số %q (entry %q) date %v, want %s in %d", w.c.Stage, w.c.Document.Code.CodeNumber, w.c.Entry.Number, w.c.Document.PromulgationDate, w.want, w.year)
		}
	}
	if got := register(t, b.officer, edoc.RegisterOutgoing, 2026); len(got) != 2 || got[1].Number != "02" || got[1].Signer == "" && got[1].Subject == "" {
		t.Fatalf("outgoing register 2026: %+v", got)
	}
	// A message whose số is not the register's is not taken as the issue.
	data := []byte("dự thảo " + protocol.NewClientID())
	b.officer.Upload(data, 1<<20)
	d := servertest.Document(agencyB, []string{agencyA}, servertest.Attachment(data, "x.pdf", "application/pdf"))
	c := b.officer.Act(protocol.ActionRequest{Action: protocol.ActionDraft, Document: &d, To: b.leaderID}).Case
	b.leader.Act(protocol.ActionRequest{Action: protocol.ActionApprove, CaseID: c.ID, Files: []string{servertest.SHA256(data)}})
	b.clerk.Act(protocol.ActionRequest{Action: protocol.ActionNumber, CaseID: c.ID})
	b.clerk.Work(protocol.NewClientID(), protocol.ActionRequest{Action: protocol.ActionNumber, CaseID: c.ID}).WantError(t, 409, protocol.CodeBadRequest) // numbered once
	b.clerk.Work(protocol.NewClientID(), protocol.ActionRequest{Action: protocol.ActionIssue, CaseID: c.ID, MessageID: first.MessageID}).WantError(t, 409, protocol.CodeBadRequest)

	// Copies: their own register; trích sao names its pages.
	cp := []byte("bản sao " + protocol.NewClientID())
	b.clerk.Upload(cp, 1<<20)
	cs := b.clerk.Act(protocol.ActionRequest{Action: protocol.ActionCopy, CaseID: third.ID, CopyForm: "Trích sao", Pages: []int{2, 3}, Files: []string{servertest.SHA256(cp)}}).Case
	if cs.Kind != protocol.CaseCopy || cs.Entry.Number != "01" || cs.Source != third.ID || !strings.Contains(cs.Entry.Notes, "TRÍCH SAO, trang 2, 3") {
		t.Fatalf("copy %+v %+v", cs, cs.Entry)
	}
	b.clerk.Work(protocol.NewClientID(), protocol.ActionRequest{Action: protocol.ActionCopy, CaseID: third.ID, CopyForm: "SAO Y", Pages: []int{1}, Files: []string{servertest.SHA256(cp)}}).WantError(t, 400, protocol.CodeBadRequest)
	b.clerk.Work(protocol.NewClientID(), protocol.ActionRequest{Action: protocol.ActionCopy, CaseID: third.ID, CopyForm: "BẢN CHỤP", Files: []string{servertest.SHA256(cp)}}).WantError(t, 400, protocol.CodeBadRequest)
	b.officer.Work(protocol.NewClientID(), protocol.ActionRequest{Action: protocol.ActionCopy, CaseID: third.ID, CopyForm: "SAO Y", Files: []string{servertest.SHA256(cp)}}).WantError(t, 403, protocol.CodeForbidden)
}

// TestNumbersUnderConcurrentClerks: clerks registering at once, and the
// same requests replayed (a client that lost the answer), give each
// document one số đến, 01…N, none twice; the duplicate (số, ký hiệu,
// agency) warning names the earlier entries.
func TestNumbersUnderConcurrentClerks(t *testing.T) {
	e := newEnv(t, nil)
	a := e.office(agencyA)
	clerks := []*servertest.Client{e.user(agencyB, protocol.RoleClerk), e.user(agencyB, protocol.RoleClerk), e.user(agencyB, protocol.RoleClerk)}
	const n = 24
	var msgs []string
	for range n {
		msgs = append(msgs, e.sent(a.clerk, agencyA, []byte("văn bản "+protocol.NewClientID()), agencyB).MessageID)
	}
	ids := make([]string, n)
	for i := range ids {
		ids[i] = protocol.NewClientID()
	}
	var mu sync.Mutex
	numbers := map[string]string{} // message → number
	dupCount := map[string]int{}
	var wg sync.WaitGroup
	for k, c := range clerks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range n {
				j := (i + k*7) % n // every clerk tries every message, in another order, under the same client id
				a, err := c.TryDo("PUT", "/v1/work/"+ids[j], protocol.ActionRequest{Action: protocol.ActionRegister, CaseID: msgs[j]}, nil)
				if err != nil {
					t.Error(err)
					return
				}
				if a.Status == 409 { // in flight under another clerk: the replay below settles it
					continue
				}
				var ans protocol.ActionAnswer
				a.Want(t, 201).Decode(t, &ans)
				mu.Lock()
				if prev, ok := numbers[msgs[j]]; ok && prev != ans.Case.Entry.Number {
					t.Errorf("message %s numbered %s and %s", msgs[j], prev, ans.Case.Entry.Number)
				}
				numbers[msgs[j]] = ans.Case.Entry.Number
				dupCount[msgs[j]] = len(ans.Duplicates)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	entries := register(t, clerks[0], edoc.RegisterIncoming, e.clock.Now().In(edoc.Vietnam).Year())
	if len(entries) != n {
		t.Fatalf("%d register lines for %d documents", len(entries), n)
	}
	seen := map[string]bool{}
	for i, en := range entries {
		if want := edoc.FormatNumber(i + 1); en.Number != want {
			t.Fatalf("line %d: số đến %q, want %q", i, en.Number, want)
		}
		if seen[en.DocumentKey] {
			t.Fatalf("document %s registered twice", en.DocumentKey)
		}
		seen[en.DocumentKey] = true
	}
	// Every document has the same số/ký hiệu from A: the k-th registered
	// warns of the k-1 before it.
	for _, en := range entries {
		number, _ := strconv.Atoi(en.Number)
		if got, ok := dupCount[en.DocumentKey]; ok && got != number-1 {
			t.Fatalf("document numbered %s warned of %d duplicates, want %d", en.Number, got, number-1)
		}
	}
}
