package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/server/store"
	"github.com/vanthuso/vanthu/sync/protocol"
)

// The agency's own work (protocol/work.go): every action is one
// CommitWork. The rules of who may do what, and from which stage, are
// here; the store only commits what they decide, so that a number is
// taken in the same transaction that checks the stage.

// Limits on what an action may carry.
const (
	maxText      = 4000 // characters of a note, a reason, an instruction
	maxAssignees = 50
	maxFiles     = 20
	maxHistory   = 500 // steps kept in a case; older ones stay in the audit trail
)

// copyForms are the forms of an electronic copy (Nghị định 30/2020).
var copyForms = []string{"SAO Y", "SAO LỤC", "TRÍCH SAO"}

// action is a planned action: what to commit, decided before the
// transaction from what does not change (roles, users, blobs), and in it
// from what does (apply).
type action struct {
	caseID, messageID string
	number            *store.NumberRequest
	duplicates        edoc.DuplicateKey
	apply             func(st store.WorkState, now time.Time) (store.WorkResult, *protocol.ActionAnswer, error)
}

// putWork is PUT /v1/work/{aid}.
func (s *Server) putWork(w http.ResponseWriter, r *http.Request, c *caller) error {
	clientID := r.PathValue("aid")
	if !protocol.ValidClientID(clientID) {
		return fail(400, protocol.CodeBadRequest, "client action id %q: 8 to 64 of [0-9A-Za-z_-]", clientID)
	}
	var req protocol.ActionRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		return err
	}
	fp, err := fingerprint("work", []string{clientID}, req)
	if err != nil {
		return err
	}
	return s.withKey(w, r, c.agency.Code, "work:"+clientID, fp, func() error {
		return s.commitAction(w, r, c, clientID, "work:"+clientID, fp, req, func(a protocol.ActionAnswer) any { return a })
	})
}

// commitAction plans and commits one action under the idempotency key
// (the caller holds it) and answers shape(answer).
func (s *Server) commitAction(w http.ResponseWriter, r *http.Request, c *caller, clientID, key, fp string, req protocol.ActionRequest, shape func(protocol.ActionAnswer) any) error {
	ctx := r.Context()
	me := c.agency.Code
	a, err := s.plan(ctx, c, clientID, req)
	if err != nil {
		return err
	}
	now := s.c.Now().UTC()
	if a.number != nil {
		a.number.Year = now.In(edoc.Vietnam).Year()
	}
	prior, ok, err := s.st.CommitWork(ctx, store.WorkCommit{
		Agency: me, CaseID: a.caseID, MessageID: a.messageID, Number: a.number, Duplicates: a.duplicates,
		Idem: store.Idempotency{Agency: me, Key: key, Fingerprint: fp, Status: 201, At: now},
		Apply: func(st store.WorkState) (store.WorkResult, error) {
			res, ans, err := a.apply(st, now)
			if err != nil {
				return res, err
			}
			res.Case.Version++
			res.Case.Updated = now
			res.Case.History = appendStep(res.Case.History, protocol.CaseStep{At: now, By: c.user.ID, ByName: c.user.Name, Action: req.Action, Detail: stepDetail(req, res)})
			res.Events = append(res.Events, store.Event{Feed: store.AgencyFeed(me), Kind: protocol.ChangeCase, CaseID: a.caseID, At: now})
			res.Audit = append(res.Audit, protocol.AuditEntry{At: now, UserID: c.user.ID, Name: c.user.Name, Action: req.Action,
				CaseID: a.caseID, Message: res.Case.MessageID, Detail: stepDetail(req, res)})
			ans.Case = res.Case
			if res.Answer, err = json.Marshal(shape(*ans)); err != nil {
				return res, err
			}
			return res, nil
		},
	})
	if err != nil {
		return err
	}
	if !ok {
		return replay(w, prior, fp)
	}
	rec, err := s.st.Idempotency(ctx, me, key)
	if err != nil {
		return err
	}
	writeRaw(w, 201, rec.Answer)
	return nil
}

func appendStep(h []protocol.CaseStep, st protocol.CaseStep) []protocol.CaseStep {
	h = append(h, st)
	if len(h) > maxHistory {
		h = h[len(h)-maxHistory:]
	}
	return h
}

// stepDetail is the history's and the audit's short note of an action.
func stepDetail(req protocol.ActionRequest, res store.WorkResult) string {
	var parts []string
	if res.Entry != nil {
		parts = append(parts, fmt.Sprintf("số %s", res.Entry.Entry.Number))
	}
	switch req.Action {
	case protocol.ActionPresent:
		parts = append(parts, res.Case.PresentedToName)
	case protocol.ActionAssign:
		if l := res.Case.Lead; l != nil {
			parts = append(parts, strings.TrimSpace(l.Name+" "+l.Unit))
		}
	case protocol.ActionReturn:
		parts = append(parts, req.Reason)
	}
	return clip(strings.Join(parts, "; "), 300)
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

func conflict(format string, args ...any) error {
	return fail(409, protocol.CodeBadRequest, format, args...)
}

// plan checks the request against what does not change inside the
// transaction and returns the action to commit.
func (s *Server) plan(ctx context.Context, c *caller, clientID string, req protocol.ActionRequest) (*action, error) {
	for _, t := range []string{req.Reason, req.Text, req.Instruction, req.Handler} {
		if len([]rune(t)) > maxText {
			return nil, fail(400, protocol.CodeBadRequest, "text longer than %d characters", maxText)
		}
	}
	if len(req.Files) > maxFiles || len(req.Cooperating) > maxAssignees || len(req.Pages) > 10000 {
		return nil, fail(400, protocol.CodeBadRequest, "too many files, assignees or pages")
	}
	if req.Due != nil && !req.Due.Valid() {
		return nil, fail(400, protocol.CodeBadRequest, "due date %v is not a date", *req.Due)
	}
	for _, f := range req.Files {
		if _, err := s.st.Blob(ctx, f, c.agency.Code); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				e := fail(409, protocol.CodeMissingBlobs, "file %s: upload it first", f)
				e.e.Missing = []string{f}
				return nil, e
			}
			return nil, err
		}
	}
	me := c.agency.Code
	user := c.user
	note := func(cs *protocol.Case, now time.Time, text string, files []string) {
		if strings.TrimSpace(text) != "" || len(files) > 0 {
			cs.Notes = append(cs.Notes, protocol.CaseNote{At: now, By: user.ID, ByName: user.Name, Text: text, Files: files})
		}
	}
	needCase := func(st store.WorkState) (protocol.Case, error) {
		if st.Case == nil {
			return protocol.Case{}, fail(404, protocol.CodeNotFound, "case %s not found", req.CaseID)
		}
		return *st.Case, nil
	}
	stageIn := func(cs protocol.Case, kind protocol.CaseKind, stages ...protocol.Stage) error {
		if cs.Kind != kind || !slices.Contains(stages, cs.Stage) {
			return conflict("%s: the case is %s/%s, needs %s in %v", req.Action, cs.Kind, cs.Stage, kind, stages)
		}
		return nil
	}
	// caseIn is the case, which must exist and be of kind in one of stages.
	caseIn := func(st store.WorkState, kind protocol.CaseKind, stages ...protocol.Stage) (protocol.Case, error) {
		cs, err := needCase(st)
		if err == nil {
			err = stageIn(cs, kind, stages...)
		}
		return cs, err
	}
	// statusTo is the status of an incoming case to its sender, checked
	// against the state machine of the message at this agency.
	statusTo := func(st store.WorkState, status edoc.Status, text string, now time.Time, res *store.WorkResult) error {
		m := st.Message
		if _, err := progressOf(*m, me).Apply(status, text); err != nil {
			return conflict("%v", err)
		}
		ev := protocol.StatusEvent{MessageID: m.ID, OrganID: me, Status: status, Description: text,
			Staff: &edoc.StaffInfo{Department: c.agency.Name, Staff: user.Name}, At: now}
		res.Status = &ev
		res.Events = append(res.Events,
			store.Event{Feed: store.AgencyFeed(m.From), Kind: protocol.ChangeStatus, MessageID: m.ID, At: now, Status: &ev},
			store.Event{Feed: store.AgencyFeed(me), Kind: protocol.ChangeStatus, MessageID: m.ID, At: now, Status: &ev})
		return nil
	}
	// incoming loads the message of an incoming case: this agency must
	// be one of its recipients.
	incoming := func() (*action, error) {
		m, err := s.st.Message(ctx, req.CaseID)
		if err != nil || !m.IsRecipient(me) {
			if err == nil || errors.Is(err, store.ErrNotFound) {
				return nil, fail(404, protocol.CodeNotFound, "message %s not found", req.CaseID)
			}
			return nil, err
		}
		return &action{caseID: m.ID, messageID: m.ID}, nil
	}
	// existing is an action on a case of this agency that must exist.
	existing := func() (*action, error) {
		if req.CaseID == "" {
			return nil, fail(400, protocol.CodeBadRequest, "%s: case_id missing", req.Action)
		}
		cs, err := s.st.Case(ctx, me, req.CaseID)
		if errors.Is(err, store.ErrNotFound) {
			return nil, fail(404, protocol.CodeNotFound, "case %s not found", req.CaseID)
		} else if err != nil {
			return nil, err
		}
		a := &action{caseID: cs.ID}
		if cs.Kind == protocol.CaseIncoming {
			a.messageID = cs.MessageID
		}
		return a, nil
	}
	// existingAs is existing for a caller with one of roles.
	existingAs := func(roles ...protocol.Role) (*action, error) {
		if err := c.may(roles...); err != nil {
			return nil, err
		}
		return existing()
	}
	leader := func(id string) (store.User, error) {
		u, err := s.st.User(ctx, id)
		if err != nil || u.Agency != me || u.Disabled || !u.HasRole(protocol.RoleLeader) {
			if err == nil || errors.Is(err, store.ErrNotFound) {
				return u, fail(400, protocol.CodeBadRequest, "%q is not a leader of this agency", id)
			}
			return u, err
		}
		return u, nil
	}
	assignee := func(a protocol.Assignee) (protocol.Assignee, error) {
		a.Unit = strings.TrimSpace(a.Unit)
		if a.UserID == "" {
			if a.Unit == "" {
				return a, fail(400, protocol.CodeBadRequest, "an assignee needs a user or a unit")
			}
			a.Name = ""
			return a, nil
		}
		u, err := s.st.User(ctx, a.UserID)
		if err != nil || u.Agency != me || u.Disabled {
			if err == nil || errors.Is(err, store.ErrNotFound) {
				return a, fail(400, protocol.CodeBadRequest, "%q is not a user of this agency", a.UserID)
			}
			return a, err
		}
		a.Name = u.Name
		return a, nil
	}

	switch req.Action {
	case protocol.ActionRegister:
		if err := c.may(protocol.RoleClerk); err != nil {
			return nil, err
		}
		a, err := incoming()
		if err != nil {
			return nil, err
		}
		m, err := s.st.Message(ctx, a.messageID)
		if err != nil {
			return nil, err
		}
		a.number = &store.NumberRequest{Kind: edoc.RegisterIncoming}
		a.duplicates = edoc.DuplicateKeyOf(m.Document.Code, m.Document.From.OrganID)
		a.apply = func(st store.WorkState, now time.Time) (store.WorkResult, *protocol.ActionAnswer, error) {
			cs := newIncoming(st, me, now)
			if cs.Stage != protocol.StageArrived {
				return store.WorkResult{}, nil, conflict("register: the document is %s already", cs.Stage)
			}
			d := st.Message.Document
			due := d.DueDate
			if req.Due != nil {
				due = req.Due
			}
			e := edoc.RegisterEntry{Kind: edoc.RegisterIncoming, Number: edoc.FormatNumber(st.Number), Registered: now,
				Organ: d.From, Code: d.Code, Date: d.PromulgationDate, TypeName: d.Type.TypeName, Subject: d.Subject,
				Handler: req.Handler, Notes: req.Text, Confidentiality: d.Confidentiality, Priority: d.Priority, DueDate: due,
				DocumentKey: st.Message.ID}
			cs.Entry, cs.Stage, cs.Due = &e, protocol.StageRegistered, due
			res := store.WorkResult{Entry: &store.RegisterRecord{Agency: me, Kind: e.Kind, Year: a.number.Year, Number: st.Number, CaseID: cs.ID, Entry: e}}
			if err := statusTo(st, edoc.StatusAccepted, "Đã vào sổ văn bản đến số "+e.Number, now, &res); err != nil {
				return res, nil, err
			}
			res.Case = cs
			ans := &protocol.ActionAnswer{Status: res.Status}
			for _, d := range st.Duplicates {
				ans.Duplicates = append(ans.Duplicates, d.Entry)
			}
			return res, ans, nil
		}
		return a, nil

	case protocol.ActionReturn:
		if err := c.may(protocol.RoleClerk); err != nil {
			return nil, err
		}
		if strings.TrimSpace(req.Reason) == "" {
			return nil, fail(400, protocol.CodeBadRequest, "return: a reason is needed")
		}
		a, err := incoming()
		if err != nil {
			return nil, err
		}
		a.apply = func(st store.WorkState, now time.Time) (store.WorkResult, *protocol.ActionAnswer, error) {
			cs := newIncoming(st, me, now)
			if cs.Stage != protocol.StageArrived {
				return store.WorkResult{}, nil, conflict("return: the document is %s already", cs.Stage)
			}
			var res store.WorkResult
			if err := statusTo(st, edoc.StatusRefused, req.Reason, now, &res); err != nil {
				return res, nil, err
			}
			cs.Stage = protocol.StageReturned
			note(&cs, now, req.Reason, nil)
			res.Case = cs
			return res, &protocol.ActionAnswer{Status: res.Status}, nil
		}
		return a, nil

	case protocol.ActionPresent:
		a, err := existing()
		if err != nil {
			return nil, err
		}
		l, err := leader(req.To)
		if err != nil {
			return nil, err
		}
		a.apply = func(st store.WorkState, now time.Time) (store.WorkResult, *protocol.ActionAnswer, error) {
			cs, err := needCase(st)
			if err != nil {
				return store.WorkResult{}, nil, err
			}
			switch cs.Kind {
			case protocol.CaseIncoming:
				if err := c.may(protocol.RoleClerk); err != nil {
					return store.WorkResult{}, nil, err
				}
				if err := stageIn(cs, protocol.CaseIncoming, protocol.StageRegistered, protocol.StagePresented); err != nil {
					return store.WorkResult{}, nil, err
				}
			default:
				if err := stageIn(cs, protocol.CaseOutgoing, protocol.StageDraft, protocol.StageRejected, protocol.StagePresented); err != nil {
					return store.WorkResult{}, nil, err
				}
			}
			cs.Stage, cs.PresentedTo, cs.PresentedToName = protocol.StagePresented, l.ID, l.Name
			note(&cs, now, req.Text, nil)
			return store.WorkResult{Case: cs}, &protocol.ActionAnswer{}, nil
		}
		return a, nil

	case protocol.ActionAssign:
		a, err := existingAs(protocol.RoleLeader)
		if err != nil {
			return nil, err
		}
		if req.Lead == nil {
			return nil, fail(400, protocol.CodeBadRequest, "assign: the lead unit or person (chủ trì) is missing")
		}
		lead, err := assignee(*req.Lead)
		if err != nil {
			return nil, err
		}
		var coop []protocol.Assignee
		for _, x := range req.Cooperating {
			y, err := assignee(x)
			if err != nil {
				return nil, err
			}
			coop = append(coop, y)
		}
		a.apply = func(st store.WorkState, now time.Time) (store.WorkResult, *protocol.ActionAnswer, error) {
			cs, err := caseIn(st, protocol.CaseIncoming, protocol.StageRegistered, protocol.StagePresented, protocol.StageAssigned)
			if err != nil {
				return store.WorkResult{}, nil, err
			}
			var res store.WorkResult
			if progressOf(*st.Message, me).Processing == edoc.StatusAccepted {
				if err := statusTo(st, edoc.StatusAssigned, clip(req.Instruction, 500), now, &res); err != nil {
					return res, nil, err
				}
			}
			cs.Stage, cs.Instruction, cs.Lead, cs.Cooperating = protocol.StageAssigned, req.Instruction, &lead, coop
			if req.Due != nil {
				cs.Due = req.Due
			}
			if cs.Entry != nil {
				cs.Entry.Handler = lead.Unit // the register's "đơn vị hoặc người nhận"
				if cs.Entry.Handler == "" {
					cs.Entry.Handler = lead.Name
				}
			}
			res.Case = cs
			return res, &protocol.ActionAnswer{Status: res.Status}, nil
		}
		return a, nil

	case protocol.ActionProgress, protocol.ActionDone:
		a, err := existing()
		if err != nil {
			return nil, err
		}
		a.apply = func(st store.WorkState, now time.Time) (store.WorkResult, *protocol.ActionAnswer, error) {
			cs, err := needCase(st)
			if err != nil {
				return store.WorkResult{}, nil, err
			}
			mayAct := user.HasRole(protocol.RoleLeader) || cs.Lead != nil && cs.Lead.UserID == user.ID
			if req.Action == protocol.ActionProgress {
				mayAct = mayAct || cs.Involves(user.ID) && cs.PresentedTo != user.ID
			}
			if !mayAct {
				return store.WorkResult{}, nil, fail(403, protocol.CodeForbidden, "%s: only the leader or the case's assignees (the lead for done)", req.Action)
			}
			status, stage, from := edoc.StatusProcessing, protocol.StageProcessing, []protocol.Stage{protocol.StageAssigned}
			if req.Action == protocol.ActionDone {
				if strings.TrimSpace(req.Text) == "" && len(req.Files) == 0 {
					return store.WorkResult{}, nil, fail(400, protocol.CodeBadRequest, "done: a note or a result file is needed")
				}
				status, stage, from = edoc.StatusDone, protocol.StageDone, []protocol.Stage{protocol.StageProcessing}
			}
			if err := stageIn(cs, protocol.CaseIncoming, from...); err != nil {
				return store.WorkResult{}, nil, err
			}
			var res store.WorkResult
			if err := statusTo(st, status, clip(req.Text, 500), now, &res); err != nil {
				return res, nil, err
			}
			cs.Stage = stage
			note(&cs, now, req.Text, req.Files)
			res.Case = cs
			return res, &protocol.ActionAnswer{Status: res.Status}, nil
		}
		return a, nil

	case protocol.ActionNote:
		if strings.TrimSpace(req.Text) == "" && len(req.Files) == 0 {
			return nil, fail(400, protocol.CodeBadRequest, "note: empty")
		}
		a, err := existing()
		if err != nil {
			return nil, err
		}
		a.apply = func(st store.WorkState, now time.Time) (store.WorkResult, *protocol.ActionAnswer, error) {
			cs, err := needCase(st)
			if err != nil {
				return store.WorkResult{}, nil, err
			}
			note(&cs, now, req.Text, req.Files)
			return store.WorkResult{Case: cs}, &protocol.ActionAnswer{}, nil
		}
		return a, nil

	case protocol.ActionDraft:
		if req.Document == nil || len(req.Document.Attachments) == 0 {
			return nil, fail(400, protocol.CodeBadRequest, "draft: a document with its PDF is needed")
		}
		d := *req.Document
		if len(d.Attachments) > maxFiles {
			return nil, fail(400, protocol.CodeBadRequest, "draft: too many files")
		}
		for _, at := range d.Attachments {
			if _, err := s.st.Blob(ctx, at.SHA256, me); err != nil {
				if errors.Is(err, store.ErrNotFound) {
					e := fail(409, protocol.CodeMissingBlobs, "file %s: upload it first", at.SHA256)
					e.e.Missing = []string{at.SHA256}
					return nil, e
				}
				return nil, err
			}
		}
		d.From = edoc.Organ{OrganID: me, OrganName: c.agency.Name}
		var l *store.User
		if req.To != "" {
			u, err := leader(req.To)
			if err != nil {
				return nil, err
			}
			l = &u
		}
		a := &action{caseID: "d-" + clientID}
		a.apply = func(st store.WorkState, now time.Time) (store.WorkResult, *protocol.ActionAnswer, error) {
			cs := protocol.Case{ID: a.caseID, Kind: protocol.CaseOutgoing, Agency: me, Stage: protocol.StageDraft, Document: d, Created: now}
			if l != nil {
				cs.Stage, cs.PresentedTo, cs.PresentedToName = protocol.StagePresented, l.ID, l.Name
			}
			note(&cs, now, req.Text, nil)
			return store.WorkResult{Case: cs}, &protocol.ActionAnswer{}, nil
		}
		return a, nil

	case protocol.ActionApprove, protocol.ActionReject:
		if err := c.may(protocol.RoleLeader); err != nil {
			return nil, err
		}
		if req.Action == protocol.ActionApprove && len(req.Files) == 0 {
			return nil, fail(400, protocol.CodeBadRequest, "approve: the signed PDF is needed")
		}
		if req.Action == protocol.ActionReject && strings.TrimSpace(req.Text) == "" {
			return nil, fail(400, protocol.CodeBadRequest, "reject: comments are needed")
		}
		a, err := existing()
		if err != nil {
			return nil, err
		}
		a.apply = func(st store.WorkState, now time.Time) (store.WorkResult, *protocol.ActionAnswer, error) {
			cs, err := caseIn(st, protocol.CaseOutgoing, protocol.StagePresented)
			if err != nil {
				return store.WorkResult{}, nil, err
			}
			if cs.PresentedTo != user.ID {
				return store.WorkResult{}, nil, fail(403, protocol.CodeForbidden, "%s: the draft is presented to another leader", req.Action)
			}
			if req.Action == protocol.ActionReject {
				cs.Stage = protocol.StageRejected
			} else {
				cs.Stage = protocol.StageApproved
				setMain(&cs.Document, req.Files[0])
			}
			note(&cs, now, req.Text, req.Files)
			return store.WorkResult{Case: cs}, &protocol.ActionAnswer{}, nil
		}
		return a, nil

	case protocol.ActionNumber:
		a, err := existingAs(protocol.RoleClerk)
		if err != nil {
			return nil, err
		}
		a.number = &store.NumberRequest{Kind: edoc.RegisterOutgoing}
		a.apply = func(st store.WorkState, now time.Time) (store.WorkResult, *protocol.ActionAnswer, error) {
			cs, err := caseIn(st, protocol.CaseOutgoing, protocol.StageApproved)
			if err != nil {
				return store.WorkResult{}, nil, err
			}
			d := &cs.Document
			d.Code.CodeNumber = edoc.FormatNumber(st.Number)
			d.PromulgationDate = edoc.DateOf(now)
			var rcpts []string
			for _, t := range d.To {
				rcpts = append(rcpts, strings.TrimSpace(t.OrganName+" "+t.OrganID))
			}
			e := edoc.RegisterEntry{Kind: edoc.RegisterOutgoing, Number: d.Code.CodeNumber, Registered: now, Organ: d.From, Code: d.Code,
				Date: d.PromulgationDate, TypeName: d.Type.TypeName, Subject: d.Subject, Signer: d.Signer.FullName, Recipients: rcpts,
				Copies: d.PromulgationAmount, Confidentiality: d.Confidentiality, Priority: d.Priority, DueDate: d.DueDate, DocumentKey: cs.ID}
			cs.Entry, cs.Stage = &e, protocol.StageNumbered
			return store.WorkResult{Case: cs, Entry: &store.RegisterRecord{Agency: me, Kind: e.Kind, Year: a.number.Year, Number: st.Number, CaseID: cs.ID, Entry: e}},
				&protocol.ActionAnswer{}, nil
		}
		return a, nil

	case protocol.ActionIssue:
		if err := c.may(protocol.RoleClerk); err != nil {
			return nil, err
		}
		m, err := s.st.Message(ctx, req.MessageID)
		if err != nil || m.From != me {
			if err == nil || errors.Is(err, store.ErrNotFound) {
				return nil, fail(404, protocol.CodeNotFound, "issue: message %s of this agency not found", req.MessageID)
			}
			return nil, err
		}
		a, err := existing()
		if err != nil {
			return nil, err
		}
		a.apply = func(st store.WorkState, now time.Time) (store.WorkResult, *protocol.ActionAnswer, error) {
			cs, err := caseIn(st, protocol.CaseOutgoing, protocol.StageNumbered)
			if err != nil {
				return store.WorkResult{}, nil, err
			}
			if m.Document.Code.CodeNumber != cs.Document.Code.CodeNumber {
				return store.WorkResult{}, nil, conflict("issue: the message carries số %q, the register gave %q", m.Document.Code.CodeNumber, cs.Document.Code.CodeNumber)
			}
			cs.Stage, cs.MessageID = protocol.StageIssued, m.ID
			cs.Document.Attachments = m.Document.Attachments
			if cs.Entry != nil {
				cs.Entry.HandedOver = edoc.DateOf(now)
			}
			return store.WorkResult{Case: cs}, &protocol.ActionAnswer{}, nil
		}
		return a, nil

	case protocol.ActionCopy:
		if err := c.may(protocol.RoleClerk); err != nil {
			return nil, err
		}
		form := strings.ToUpper(strings.TrimSpace(req.CopyForm))
		if !slices.Contains(copyForms, form) {
			return nil, fail(400, protocol.CodeBadRequest, "copy: form %q is not one of %v", req.CopyForm, copyForms)
		}
		if len(req.Files) != 1 {
			return nil, fail(400, protocol.CodeBadRequest, "copy: the copy's signed PDF is needed")
		}
		if (form == "TRÍCH SAO") != (len(req.Pages) > 0) {
			return nil, fail(400, protocol.CodeBadRequest, "copy: pages go with TRÍCH SAO, and only with it")
		}
		src, err := s.st.Case(ctx, me, req.CaseID)
		if errors.Is(err, store.ErrNotFound) {
			return nil, fail(404, protocol.CodeNotFound, "case %s not found", req.CaseID)
		} else if err != nil {
			return nil, err
		}
		if src.Entry == nil || src.Stage == protocol.StageWithdrawn || src.Kind == protocol.CaseCopy {
			return nil, conflict("copy: only a registered document that is not withdrawn is copied")
		}
		a := &action{caseID: "c-" + clientID, number: &store.NumberRequest{Kind: edoc.RegisterCopy}}
		a.apply = func(st store.WorkState, now time.Time) (store.WorkResult, *protocol.ActionAnswer, error) {
			d := src.Document
			d.Attachments = []edoc.Attachment{{Role: edoc.RoleMain, Name: "ban-sao.pdf", ContentType: "application/pdf", SHA256: req.Files[0]}}
			e := edoc.RegisterEntry{Kind: edoc.RegisterCopy, Number: edoc.FormatNumber(st.Number), Registered: now,
				Organ: src.Entry.Organ, Code: src.Entry.Code, Date: src.Entry.Date, TypeName: src.Entry.TypeName, Subject: src.Entry.Subject,
				Notes: form + pagesNote(req.Pages), DocumentKey: a.caseID}
			cs := protocol.Case{ID: a.caseID, Kind: protocol.CaseCopy, Agency: me, Stage: protocol.StageIssued, Document: d,
				Entry: &e, Source: src.ID, Created: now}
			return store.WorkResult{Case: cs, Entry: &store.RegisterRecord{Agency: me, Kind: e.Kind, Year: a.number.Year, Number: st.Number, CaseID: cs.ID, Entry: e}},
				&protocol.ActionAnswer{}, nil
		}
		return a, nil

	case protocol.ActionWithdraw:
		if err := c.may(protocol.RoleClerk); err != nil {
			return nil, err
		}
		a, err := incoming()
		if err != nil {
			return nil, err
		}
		a.apply = func(st store.WorkState, now time.Time) (store.WorkResult, *protocol.ActionAnswer, error) {
			cs := newIncoming(st, me, now)
			var res store.WorkResult
			if err := statusTo(st, edoc.StatusChangeAccepted, req.Text, now, &res); err != nil {
				return res, nil, err
			}
			res.Events = append(res.Events, store.Event{Feed: store.AgencyFeed(me), Kind: protocol.ChangeDeleted, MessageID: st.Message.ID, At: now})
			cs.Stage = protocol.StageWithdrawn
			note(&cs, now, req.Text, nil)
			res.Case = cs
			return res, &protocol.ActionAnswer{Status: res.Status}, nil
		}
		return a, nil
	}
	return nil, fail(400, protocol.CodeBadRequest, "action %q: unknown", req.Action)
}

// newIncoming is the case of an incoming message: as kept, or new.
func newIncoming(st store.WorkState, agency string, now time.Time) protocol.Case {
	if st.Case != nil {
		return *st.Case
	}
	return protocol.Case{ID: st.Message.ID, Kind: protocol.CaseIncoming, Agency: agency, Stage: protocol.StageArrived,
		MessageID: st.Message.ID, Document: st.Message.Document, Created: now}
}

// setMain makes sha the document's main PDF.
func setMain(d *edoc.Document, sha string) {
	for i := range d.Attachments {
		if d.Attachments[i].Role == edoc.RoleMain {
			d.Attachments[i].SHA256 = sha
			return
		}
	}
	d.Attachments = append([]edoc.Attachment{{Role: edoc.RoleMain, Name: "van-ban.pdf", ContentType: "application/pdf", SHA256: sha}}, d.Attachments...)
}

func pagesNote(pages []int) string {
	if len(pages) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(", trang ")
	for i, p := range pages {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Itoa(p))
	}
	return b.String()
}

// ---- reads ----

func pageArgs(r *http.Request) (after string, limit int, err error) {
	limit = 100
	if l := r.URL.Query().Get("limit"); l != "" {
		if limit, err = strconv.Atoi(l); err != nil || limit < 1 || limit > 500 {
			return "", 0, fail(400, protocol.CodeBadRequest, "limit %q: 1 to 500", l)
		}
	}
	return r.URL.Query().Get("after"), limit, nil
}

// getCases is GET /v1/cases: the caller agency's cases.
func (s *Server) getCases(w http.ResponseWriter, r *http.Request, c *caller) error {
	after, limit, err := pageArgs(r)
	if err != nil {
		return err
	}
	cs, err := s.st.Cases(r.Context(), c.agency.Code, after, limit)
	if err != nil {
		return err
	}
	page := protocol.CasePage{Cases: cs}
	if page.Cases == nil {
		page.Cases = []protocol.Case{}
	}
	if len(cs) == limit {
		page.Next = cs[len(cs)-1].ID
	}
	return writeJSON(w, 200, page)
}

// getCase is GET /v1/cases/{id}.
func (s *Server) getCase(w http.ResponseWriter, r *http.Request, c *caller) error {
	cs, err := s.st.Case(r.Context(), c.agency.Code, r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		return fail(404, protocol.CodeNotFound, "case not found")
	} else if err != nil {
		return err
	}
	return writeJSON(w, 200, cs)
}

// getRegister is GET /v1/registers/{kind}?year=: the caller agency's
// register. Officers see it too (they look documents up in it); other
// agencies never: the query is the caller's agency.
func (s *Server) getRegister(w http.ResponseWriter, r *http.Request, c *caller) error {
	kind := edoc.RegisterKind(r.PathValue("kind"))
	if !kind.Valid() {
		return fail(404, protocol.CodeNotFound, "register %q: unknown", kind)
	}
	after, limit, err := pageArgs(r)
	if err != nil {
		return err
	}
	year := s.c.Now().In(edoc.Vietnam).Year()
	if y := r.URL.Query().Get("year"); y != "" {
		if year, err = strconv.Atoi(y); err != nil || year < 1900 || year > 9999 {
			return fail(400, protocol.CodeBadRequest, "year %q", y)
		}
	}
	from := 0
	if after != "" {
		if from, err = strconv.Atoi(after); err != nil || from < 0 {
			return fail(400, protocol.CodeBadRequest, "after %q", after)
		}
	}
	recs, err := s.st.RegisterEntries(r.Context(), c.agency.Code, kind, year, from, limit)
	if err != nil {
		return err
	}
	page := protocol.RegisterPage{Kind: kind, Year: year, Entries: []edoc.RegisterEntry{}}
	for _, rec := range recs {
		page.Entries = append(page.Entries, rec.Entry)
	}
	if len(recs) == limit {
		page.Next = strconv.Itoa(recs[len(recs)-1].Number)
	}
	return writeJSON(w, 200, page)
}

// getAudit is GET /v1/audit: the caller agency's trail, for its admin.
func (s *Server) getAudit(w http.ResponseWriter, r *http.Request, c *caller) error {
	if err := c.may(protocol.RoleAdmin); err != nil {
		return err
	}
	after, limit, err := pageArgs(r)
	if err != nil {
		return err
	}
	var from uint64
	if after != "" {
		if from, err = strconv.ParseUint(after, 10, 64); err != nil {
			return fail(400, protocol.CodeBadRequest, "after %q", after)
		}
	}
	lines, err := s.st.Audit(r.Context(), c.agency.Code, from, limit)
	if err != nil {
		return err
	}
	page := protocol.AuditPage{Entries: lines}
	if page.Entries == nil {
		page.Entries = []protocol.AuditEntry{}
	}
	if len(lines) == limit {
		page.Next = strconv.FormatUint(lines[len(lines)-1].Seq, 10)
	}
	return writeJSON(w, 200, page)
}

// audit appends one line to the caller agency's trail; a failure is
// logged, not answered: the action it records has happened.
func (s *Server) audit(ctx context.Context, c *caller, action, messageID, detail string) {
	err := s.st.AppendAudit(ctx, c.agency.Code, protocol.AuditEntry{At: s.c.Now().UTC(), UserID: c.user.ID, Name: c.user.Name,
		Action: action, Message: messageID, Detail: clip(detail, 300)})
	if err != nil {
		s.log.Error("audit failed", "action", action, "user", c.user.ID, "err", err)
	}
}

// getStaff is GET /v1/staff: the caller agency's enabled users, for
// presenting and assigning. Any user of the agency sees them; another
// agency's users never.
func (s *Server) getStaff(w http.ResponseWriter, r *http.Request, c *caller) error {
	users, err := s.st.Users(r.Context(), c.agency.Code)
	if err != nil {
		return err
	}
	out := protocol.Staff{Users: []protocol.User{}}
	for _, u := range users {
		if !u.Disabled {
			out.Users = append(out.Users, protocolUser(u, c.agency))
		}
	}
	slices.SortStableFunc(out.Users, func(a, b protocol.User) int { return strings.Compare(edoc.Fold(a.Name), edoc.Fold(b.Name)) })
	return writeJSON(w, 200, out)
}
