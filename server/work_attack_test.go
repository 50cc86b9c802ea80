package server

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/server/servertest"
	"github.com/vanthuso/vanthu/sync/protocol"
)

// TestWorkRandomActions throws random actions, by random users of three
// agencies, at random cases (real ones, other agencies' ones, made-up
// ids), with random fields, and checks after every answer what no
// sequence of requests may break: no internal error; an accepted action
// is the actor's agency's and allowed to the actor's roles; and at the
// end every register of every agency is 01…N without a gap or a repeat,
// each line the number of the case it names. VANTHU_WORK_SEED reruns a
// seed.
func TestWorkRandomActions(t *testing.T) {
	seed := uint64(rand.Int64())
	if s := os.Getenv("VANTHU_WORK_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("seed %d (VANTHU_WORK_SEED=%d reruns it)", seed, seed)
	r := rand.New(rand.NewPCG(seed, 7))
	e := newEnv(t, nil)
	type actor struct {
		c      *servertest.Client
		id     string
		agency string
		role   protocol.Role
	}
	var actors []actor
	offices := map[string]office{}
	for _, ag := range []string{agencyA, agencyB, agencyC} {
		o := e.office(ag)
		offices[ag] = o
		actors = append(actors, actor{o.clerk, meID(t, o.clerk), ag, protocol.RoleClerk}, actor{o.leader, o.leaderID, ag, protocol.RoleLeader},
			actor{o.officer, o.officerID, ag, protocol.RoleOfficer}, actor{o.admin, meID(t, o.admin), ag, protocol.RoleAdmin})
	}
	var caseIDs []string
	owner := map[string]string{} // case id → the agency whose case it is
	var files []string
	agencyFiles := map[string][]string{}
	for i := range 12 {
		from := []string{agencyA, agencyB, agencyC}[i%3]
		to := []string{agencyA, agencyB, agencyC}[(i+1+i/3)%3]
		if to == from {
			to = agencyA
			if from == agencyA {
				to = agencyB
			}
		}
		data := []byte(fmt.Sprintf("văn bản %d %d", i, seed))
		id := e.sent(offices[from].clerk, from, data, to).MessageID
		caseIDs = append(caseIDs, id)
		owner[id] = to
		files = append(files, servertest.SHA256(data))
	}
	for _, a := range actors {
		if a.role != protocol.RoleAdmin {
			data := []byte("tệp của " + a.id)
			a.c.Upload(data, 1<<20)
			files = append(files, servertest.SHA256(data))
			agencyFiles[a.agency] = append(agencyFiles[a.agency], servertest.SHA256(data))
		}
	}
	pick := func(list []string) string { return list[r.IntN(len(list))] }
	actions := append(append([]string{}, protocol.Actions...), "xoa", "")
	clerkOnly := map[string]bool{protocol.ActionRegister: true, protocol.ActionReturn: true, protocol.ActionNumber: true,
		protocol.ActionIssue: true, protocol.ActionCopy: true, protocol.ActionWithdraw: true}
	var userIDs []string
	for _, a := range actors {
		userIDs = append(userIDs, a.id)
	}
	accepted := map[string]int{}
	// Most requests are plausible (the case's own agency, a leader or an
	// officer of it), so that cases move through their stages and the
	// attacks hit every stage; the rest come from anyone.
	for step := range 1500 {
		req := protocol.ActionRequest{Action: actions[r.IntN(len(actions))]}
		switch r.IntN(8) {
		case 0:
			req.CaseID = "d-" + protocol.NewClientID()
		case 1:
			req.CaseID = "../" + strconv.Itoa(r.IntN(9))
		default:
			req.CaseID = pick(caseIDs)
		}
		a := actors[r.IntN(len(actors))]
		if ag, ok := owner[req.CaseID]; ok && r.IntN(5) > 0 {
			for {
				if a = actors[r.IntN(len(actors))]; a.agency == ag {
					break
				}
			}
		}
		o := offices[a.agency]
		if r.IntN(4) > 0 {
			req.To = o.leaderID
		} else if r.IntN(2) == 0 {
			req.To = pick(userIDs)
		}
		switch r.IntN(4) {
		case 0:
			req.Lead = &protocol.Assignee{UserID: pick(userIDs)}
		case 1:
			req.Lead = &protocol.Assignee{Unit: "Phòng " + strconv.Itoa(r.IntN(5))}
		default:
			req.Lead = &protocol.Assignee{UserID: o.officerID}
		}
		if r.IntN(2) == 0 {
			req.Text, req.Reason = "Ý kiến "+strconv.Itoa(step), "Lý do"
		}
		if r.IntN(3) > 0 && len(agencyFiles[a.agency]) > 0 {
			req.Files = []string{pick(agencyFiles[a.agency])}
		} else if r.IntN(2) == 0 {
			req.Files = []string{pick(files)}
		}
		if r.IntN(4) == 0 {
			req.CopyForm = pick(copyForms)
			if req.CopyForm == "TRÍCH SAO" {
				req.Pages = []int{1 + r.IntN(3)}
			}
		}
		if r.IntN(4) == 0 {
			d := servertest.Document(a.agency, []string{agencyA}, servertest.Attachment([]byte("x"), "x.pdf", "application/pdf"))
			d.Attachments[0].SHA256 = pick(files)
			if r.IntN(3) > 0 && len(agencyFiles[a.agency]) > 0 {
				d.Attachments[0].SHA256 = pick(agencyFiles[a.agency])
			}
			req.Document = &d
		}
		if r.IntN(5) == 0 {
			req.MessageID = pick(caseIDs)
		}
		ans, err := a.c.TryDo("PUT", "/v1/work/"+protocol.NewClientID(), req, nil)
		if err != nil {
			t.Fatalf("step %d: %v", step, err)
		}
		if ans.Status >= 500 {
			t.Fatalf("step %d: %s by %s answered %d: %s", step, req.Action, a.role, ans.Status, ans.Body)
		}
		if ans.Status != 201 {
			continue
		}
		var got protocol.ActionAnswer
		ans.Decode(t, &got)
		accepted[req.Action]++
		if got.Case.Agency != a.agency {
			t.Fatalf("step %d: %s by a user of %s changed a case of %s", step, req.Action, a.agency, got.Case.Agency)
		}
		switch {
		case clerkOnly[req.Action] && a.role != protocol.RoleClerk,
			req.Action == protocol.ActionAssign && a.role != protocol.RoleLeader,
			(req.Action == protocol.ActionApprove || req.Action == protocol.ActionReject) && (a.role != protocol.RoleLeader || got.Case.PresentedTo != a.id):
			t.Fatalf("step %d: %s accepted from a %s", step, req.Action, a.role)
		}
		if req.CaseID != got.Case.ID && req.Action != protocol.ActionCopy && req.Action != protocol.ActionDraft {
			t.Fatalf("step %d: %s on %s answered case %s", step, req.Action, req.CaseID, got.Case.ID)
		}
		if req.Action == protocol.ActionDraft || req.Action == protocol.ActionCopy {
			caseIDs = append(caseIDs, got.Case.ID)
			owner[got.Case.ID] = a.agency
		}
	}
	t.Logf("accepted: %v", accepted)
	year := e.clock.Now().In(edoc.Vietnam).Year()
	for ag, o := range offices {
		for _, kind := range []edoc.RegisterKind{edoc.RegisterIncoming, edoc.RegisterOutgoing, edoc.RegisterCopy} {
			for i, en := range register(t, o.clerk, kind, year) {
				if want := edoc.FormatNumber(i + 1); en.Number != want {
					t.Fatalf("%s %s: line %d numbered %q, want %q", ag, kind, i, en.Number, want)
				}
				var cs protocol.Case
				o.clerk.Do("GET", "/v1/cases/"+en.DocumentKey, nil, nil).Want(t, 200).Decode(t, &cs)
				if cs.Entry == nil || cs.Entry.Number != en.Number || cs.Entry.Kind != kind {
					t.Fatalf("%s %s: line %s names case %s whose entry is %+v", ag, kind, en.Number, cs.ID, cs.Entry)
				}
			}
		}
	}
}
