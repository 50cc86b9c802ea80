package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/internal/failpoint"
	"github.com/vanthuso/vanthu/server/store"
	"github.com/vanthuso/vanthu/signing/verify"
	"github.com/vanthuso/vanthu/sync/protocol"
)

// fingerprint is the SHA-256 of what a request asks: its kind, the path
// ids and the canonical JSON of its decoded body, so that a replay with
// other spacing or key order is the same request and any other value is
// not.
func fingerprint(kind string, ids []string, body any) (string, error) {
	data, err := json.Marshal(body)
	if err != nil {
		return "", fmt.Errorf("fingerprint: %w", err)
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00", kind, strings.Join(ids, "\x00"))
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil)), nil
}

// replay answers a recorded idempotency key: the first answer byte for
// byte when the request is the same, CodeIdempotencyConflict otherwise.
func replay(w http.ResponseWriter, rec store.Idempotency, fp string) error {
	if rec.Fingerprint != fp {
		return fail(409, protocol.CodeIdempotencyConflict, "this client id was used for another request")
	}
	writeRaw(w, rec.Status, rec.Answer)
	return nil
}

// withKey runs f holding the in-process lock of (agency, key), after
// answering a recorded key by replay. f returns the record to write; it
// answers nothing itself.
func (s *Server) withKey(w http.ResponseWriter, r *http.Request, agency, key, fp string, f func() error) error {
	unlock, ok := s.keys.lock(r.Context(), agency+"\x00"+key, s.c.KeyWait)
	if !ok {
		if err := r.Context().Err(); err != nil {
			return err
		}
		e := fail(409, protocol.CodeInFlight, "a request with this client id is still in progress")
		e.e.RetryAfter = 5
		return e
	}
	defer unlock()
	rec, err := s.st.Idempotency(r.Context(), agency, key)
	if err == nil {
		return replay(w, rec, fp)
	}
	if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return f()
}

// putMessage is PUT /v1/messages/{clientMsgId}.
func (s *Server) putMessage(w http.ResponseWriter, r *http.Request, c *caller) error {
	if err := c.may(senders...); err != nil {
		return err
	}
	clientID := r.PathValue("id")
	if !protocol.ValidClientID(clientID) {
		return fail(400, protocol.CodeBadRequest, "client message id %q: 8 to 64 of [0-9A-Za-z_-]", clientID)
	}
	var req protocol.SendRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		return err
	}
	fp, err := fingerprint("send", []string{clientID}, req)
	if err != nil {
		return err
	}
	key := "msg:" + clientID
	return s.withKey(w, r, c.agency.Code, key, fp, func() error {
		ctx := r.Context()
		m, err := s.checkSend(ctx, c, clientID, req.Document)
		if err != nil {
			return err
		}
		if m.Verification, err = s.verifyAttachments(ctx, m.Document.Attachments); err != nil {
			return err
		}
		answer := protocol.SendAnswer{MessageID: m.ID, ClientMsgID: clientID, AcceptedAt: m.AcceptedAt, Deliveries: m.Deliveries}
		data, err := json.Marshal(answer)
		if err != nil {
			return err
		}
		events := []store.Event{{Feed: store.AgencyFeed(m.From), Kind: protocol.ChangeSent, MessageID: m.ID, At: m.AcceptedAt}}
		for i, rcpt := range m.Recipients {
			st := &m.Statuses[i]
			events = append(events,
				store.Event{Feed: store.AgencyFeed(rcpt), Kind: protocol.ChangeReceived, MessageID: m.ID, At: m.AcceptedAt},
				store.Event{Feed: store.AgencyFeed(m.From), Kind: protocol.ChangeStatus, MessageID: m.ID, At: m.AcceptedAt, Status: st})
		}
		prior, ok, err := s.st.CommitSend(ctx, store.SendCommit{Message: m, Events: events,
			Idem: store.Idempotency{Agency: c.agency.Code, Key: key, Fingerprint: fp, Status: 201, Answer: data, At: m.AcceptedAt}})
		if err != nil {
			return err
		}
		if !ok { // another process committed this key meanwhile
			return replay(w, prior, fp)
		}
		s.log.Info("message accepted", "message", m.ID, "from", m.From, "to", strings.Join(m.Recipients, ","), "user", c.user.ID)
		s.audit(ctx, c, "send", m.ID, m.Document.Code.CodeNumber+"/"+m.Document.Code.CodeNotation+" → "+strings.Join(m.Recipients, ", "))
		failpoint.Hit(failpoint.ServerAfterCommit)
		writeRaw(w, 201, data)
		return nil
	})
}

// checkSend validates a document to send and builds its message: the
// sender's own agency as From, known recipients, attachments the sender
// may see with their sizes right; an automatic 01 from every recipient.
func (s *Server) checkSend(ctx context.Context, c *caller, clientID string, d edoc.Document) (store.Message, error) {
	return s.checkDocument(ctx, c, clientID, d, false)
}

// checkDocument is checkSend; lenient (documents of other systems, from
// the exchange axis) takes a document edoc.Validate finds fault with
// (other producers write mã định danh and dates as they do) and delivers
// it to the recipients this server has, refusing it only when it has
// none of them.
func (s *Server) checkDocument(ctx context.Context, c *caller, clientID string, d edoc.Document, lenient bool) (store.Message, error) {
	if err := d.Validate(); err != nil && !lenient {
		return store.Message{}, fail(400, protocol.CodeBadRequest, "document: %v", err)
	}
	if lenient && len(d.Attachments) == 0 {
		return store.Message{}, fail(400, protocol.CodeBadRequest, "document: no file")
	}
	if d.From.OrganID != c.agency.Code {
		s.log.Warn("send refused: From is not the sender's agency", "from", d.From.OrganID, "agency", c.agency.Code, "user", c.user.ID)
		return store.Message{}, fail(403, protocol.CodeForbidden, "a document is sent from the sender's own agency %s, not %s", c.agency.Code, d.From.OrganID)
	}
	var unknown, recipients []string
	for _, to := range d.To {
		_, err := s.st.Agency(ctx, to.OrganID)
		if errors.Is(err, store.ErrNotFound) {
			unknown = append(unknown, to.OrganID)
			continue
		}
		if err != nil {
			return store.Message{}, err
		}
		recipients = append(recipients, to.OrganID)
	}
	if len(unknown) > 0 && (!lenient || len(recipients) == 0) {
		e := fail(422, protocol.CodeUnknownRecipient, "unknown recipients: %s", strings.Join(unknown, ", "))
		e.e.Missing = unknown
		return store.Message{}, e
	}
	var missing []string
	for _, a := range d.Attachments {
		b, err := s.st.Blob(ctx, a.SHA256, c.agency.Code)
		if errors.Is(err, store.ErrNotFound) {
			missing = append(missing, a.SHA256)
			continue
		}
		if err != nil {
			return store.Message{}, err
		}
		if b.Size != a.Size {
			return store.Message{}, fail(400, protocol.CodeBadRequest, "attachment %s: size %d, the file has %d bytes", a.SHA256, a.Size, b.Size)
		}
	}
	if len(missing) > 0 {
		e := fail(409, protocol.CodeMissingBlobs, "upload these files first: %s", strings.Join(missing, ", "))
		e.e.Missing = missing
		return store.Message{}, e
	}
	now := s.c.Now().UTC()
	m := store.Message{ID: randomHex(16), ClientMsgID: clientID, From: c.agency.Code, SentBy: c.user.ID, SentByName: c.user.Name,
		Document: d, Recipients: recipients, AcceptedAt: now}
	for _, rcpt := range recipients {
		m.Deliveries = append(m.Deliveries, protocol.Delivery{OrganID: rcpt, Status: edoc.StatusArrived, UpdatedAt: now})
		m.Statuses = append(m.Statuses, protocol.StatusEvent{MessageID: m.ID, OrganID: rcpt, Status: edoc.StatusArrived, At: now, Automatic: true})
	}
	return m, nil
}

// verifyAttachments verifies every PDF attachment with signing/verify
// and returns the reports by SHA-256.
func (s *Server) verifyAttachments(ctx context.Context, as []edoc.Attachment) (map[string]protocol.Verification, error) {
	out := map[string]protocol.Verification{}
	for _, a := range as {
		if _, done := out[a.SHA256]; done {
			continue
		}
		path, cleanup, err := s.blobFile(ctx, a.SHA256)
		if err != nil {
			return nil, fmt.Errorf("verify %s: %w", a.SHA256, err)
		}
		v, isPDF, err := s.verifyFile(ctx, path)
		cleanup()
		if err != nil {
			return nil, fmt.Errorf("verify %s: %w", a.SHA256, err)
		}
		if isPDF {
			out[a.SHA256] = v
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// blobFile gives a path to a blob: the store's own file, or a temporary
// copy for stores that keep no files.
func (s *Server) blobFile(ctx context.Context, sha string) (string, func(), error) {
	if bf, ok := s.st.(store.BlobFiler); ok {
		p, err := bf.BlobFile(ctx, sha)
		return p, func() {}, err
	}
	r, err := s.st.OpenBlob(ctx, sha)
	if err != nil {
		return "", nil, err
	}
	defer r.Close()
	f, err := os.CreateTemp("", "vanthu-verify-*.pdf")
	if err != nil {
		return "", nil, err
	}
	cleanup := func() { os.Remove(f.Name()) }
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		cleanup()
		return "", nil, err
	}
	if err := f.Close(); err != nil {
		cleanup()
		return "", nil, err
	}
	return f.Name(), cleanup, nil
}

// verifyFile verifies path if it is a PDF (it starts with %PDF- within
// its first kilobyte, as readers accept).
func (s *Server) verifyFile(ctx context.Context, path string) (protocol.Verification, bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return protocol.Verification{}, false, err
	}
	head := make([]byte, 1024)
	n, _ := io.ReadFull(f, head)
	f.Close()
	if !bytes.Contains(head[:n], []byte("%PDF-")) {
		return protocol.Verification{}, false, nil
	}
	now := s.c.Now().UTC()
	rep, err := verify.VerifyFile(ctx, path, verify.Options{Anchors: s.c.Anchors, Intermediates: s.c.Intermediates,
		Revocation: s.c.Revocation, AcceptUnknownRevocation: s.c.AcceptUnknownRevocation, Now: s.c.Now})
	if err != nil {
		if ctx.Err() != nil {
			return protocol.Verification{}, true, ctx.Err()
		}
		// A file the verifier cannot read at all is still delivered; the
		// receiver sees why it was not verified.
		data, _ := json.Marshal(map[string]string{"error": err.Error()})
		return protocol.Verification{Verdict: verify.Indeterminate, At: now, Report: data}, true, nil
	}
	data, err := json.Marshal(rep)
	if err != nil {
		return protocol.Verification{}, true, err
	}
	return protocol.Verification{Verdict: rep.Verdict, At: now, Report: data}, true, nil
}

// view is m as agency sees it: the sender sees everything, a recipient
// its own delivery and statuses and the sender's.
func view(m store.Message, agency string) protocol.Message {
	pm := protocol.Message{ID: m.ID, From: m.Document.From, SentBy: m.SentByName, Document: m.Document,
		AcceptedAt: m.AcceptedAt, Verification: m.Verification}
	if agency == m.From {
		pm.ClientMsgID, pm.Deliveries, pm.Statuses = m.ClientMsgID, m.Deliveries, m.Statuses
		return pm
	}
	for _, d := range m.Deliveries {
		if d.OrganID == agency {
			pm.Deliveries = append(pm.Deliveries, d)
		}
	}
	for _, st := range m.Statuses {
		if st.OrganID == agency || st.OrganID == m.From {
			pm.Statuses = append(pm.Statuses, st)
		}
	}
	return pm
}

// message returns a message the caller's agency sent or received; 404
// for any other, as for one that does not exist.
func (s *Server) message(ctx context.Context, id string, c *caller) (store.Message, error) {
	m, err := s.st.Message(ctx, id)
	if errors.Is(err, store.ErrNotFound) || err == nil && !m.IsParty(c.agency.Code) {
		return store.Message{}, notFound("message")
	}
	return m, err
}

// getMessage is GET /v1/messages/{id}.
func (s *Server) getMessage(w http.ResponseWriter, r *http.Request, c *caller) error {
	m, err := s.message(r.Context(), r.PathValue("id"), c)
	if err != nil {
		return err
	}
	return writeJSON(w, 200, view(m, c.agency.Code))
}

// listMessages is GET /v1/messages?box=inbox|outbox&after=&limit=.
func (s *Server) listMessages(w http.ResponseWriter, r *http.Request, c *caller) error {
	q := r.URL.Query()
	box := store.Box(q.Get("box"))
	if box != store.Inbox && box != store.Outbox {
		return fail(400, protocol.CodeBadRequest, "box %q: inbox or outbox", box)
	}
	var after uint64
	if v := q.Get("after"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return fail(400, protocol.CodeBadRequest, "after %q: pass the Next of the previous page", v)
		}
		after = n
	}
	limit, err := queryLimit(r, 100, 500)
	if err != nil {
		return err
	}
	msgs, last, err := s.st.Messages(r.Context(), c.agency.Code, box, after, limit)
	if err != nil {
		return err
	}
	page := protocol.MessagePage{Messages: []protocol.Message{}}
	for _, m := range msgs {
		page.Messages = append(page.Messages, view(m, c.agency.Code))
	}
	if len(msgs) == limit {
		page.Next = strconv.FormatUint(last, 10)
	}
	return writeJSON(w, 200, page)
}

// statusRoles lists who may report each status.
// The statuses of the processing track (02–06) and the agreement to a
// revocation (15) are not reported here: they are what an action on the
// agency's case sends (PUT /v1/work: return, register, assign,
// progress, done, withdraw), so that none is reported without the
// register entry, the assignment or the withdrawal it stands for.
var statusRoles = map[edoc.Status][]protocol.Role{
	edoc.StatusArrived:       {protocol.RoleClerk},
	edoc.StatusRevokeRequest: {protocol.RoleClerk, protocol.RoleLeader},
	edoc.StatusChangeRefused: {protocol.RoleClerk, protocol.RoleLeader},
}

// statusAction names the work action that sends a status.
var statusAction = map[edoc.Status]string{
	edoc.StatusRefused: protocol.ActionReturn, edoc.StatusAccepted: protocol.ActionRegister, edoc.StatusAssigned: protocol.ActionAssign,
	edoc.StatusProcessing: protocol.ActionProgress, edoc.StatusDone: protocol.ActionDone, edoc.StatusChangeAccepted: protocol.ActionWithdraw,
}

// progressOf is where m stands at recipient organ: its own statuses and
// the sender's revocation requests, through edoc's state machine.
func progressOf(m store.Message, organ string) edoc.Progress {
	var p edoc.Progress
	for _, st := range m.Statuses {
		if st.OrganID == organ && st.Status != edoc.StatusRevokeRequest || st.OrganID == m.From && st.Status == edoc.StatusRevokeRequest {
			if next, err := p.Apply(st.Status, st.Description); err == nil {
				p = next
			}
		}
	}
	return p
}

// relayStatus commits the status req of m reported by agency me (the
// sender for a 13, else a recipient): the event to the sender's feed and
// to the recipients' (13) or the reporter's own, the withdrawal of a 15
// from the reporter's lists, checked against the state machine of the
// message at the current commit, with the idempotency record of key. It
// returns the answer's bytes, or (ok false) the record another request
// committed under key first.
func (s *Server) relayStatus(ctx context.Context, m store.Message, me string, req protocol.StatusRequest, key, fp string) ([]byte, store.Idempotency, bool, error) {
	st := req.Status
	bySender := st == edoc.StatusRevokeRequest
	now := s.c.Now().UTC()
	ev := protocol.StatusEvent{MessageID: m.ID, OrganID: me, Status: st, Description: req.Description, Staff: req.Staff, At: now}
	events := []store.Event{{Feed: store.AgencyFeed(m.From), Kind: protocol.ChangeStatus, MessageID: m.ID, At: now, Status: &ev}}
	if bySender {
		for _, rcpt := range m.Recipients {
			events = append(events, store.Event{Feed: store.AgencyFeed(rcpt), Kind: protocol.ChangeStatus, MessageID: m.ID, At: now, Status: &ev})
		}
	} else if me != m.From {
		events = append(events, store.Event{Feed: store.AgencyFeed(me), Kind: protocol.ChangeStatus, MessageID: m.ID, At: now, Status: &ev})
	}
	if st == edoc.StatusChangeAccepted {
		events = append(events, store.Event{Feed: store.AgencyFeed(me), Kind: protocol.ChangeDeleted, MessageID: m.ID, At: now})
	}
	data, err := json.Marshal(protocol.StatusAnswer{Event: ev})
	if err != nil {
		return nil, store.Idempotency{}, false, err
	}
	check := func(cur store.Message) error {
		if !bySender {
			if _, err := progressOf(cur, me).Apply(st, req.Description); err != nil {
				return fail(409, protocol.CodeBadRequest, "%v", err)
			}
			return nil
		}
		for _, rcpt := range cur.Recipients {
			if _, err := progressOf(cur, rcpt).Apply(st, req.Description); err == nil {
				return nil
			}
		}
		return fail(409, protocol.CodeBadRequest, "no recipient can be asked for a revocation now")
	}
	prior, ok, err := s.st.CommitStatus(ctx, store.StatusCommit{MessageID: m.ID, Event: ev, Events: events, Check: check,
		Idem: store.Idempotency{Agency: me, Key: key, Fingerprint: fp, Status: 201, Answer: data, At: now}})
	return data, prior, ok, err
}

// putStatus is PUT /v1/messages/{id}/statuses/{clientStatusId}.
func (s *Server) putStatus(w http.ResponseWriter, r *http.Request, c *caller) error {
	msgID, clientID := r.PathValue("id"), r.PathValue("sid")
	if !protocol.ValidClientID(clientID) {
		return fail(400, protocol.CodeBadRequest, "client status id %q: 8 to 64 of [0-9A-Za-z_-]", clientID)
	}
	var req protocol.StatusRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		return err
	}
	st, err := edoc.ParseStatus(string(req.Status))
	if err != nil {
		return fail(400, protocol.CodeBadRequest, "%v", err)
	}
	req.Status = st
	fp, err := fingerprint("status", []string{msgID, clientID}, req)
	if err != nil {
		return err
	}
	key := "status:" + clientID
	return s.withKey(w, r, c.agency.Code, key, fp, func() error {
		ctx := r.Context()
		m, err := s.message(ctx, msgID, c)
		if err != nil {
			return err
		}
		if _, ok := statusAction[st]; !ok {
			if err := c.may(statusRoles[st]...); err != nil {
				return err
			}
		}
		me := c.agency.Code
		bySender := st == edoc.StatusRevokeRequest
		switch {
		case bySender && m.From != me:
			return fail(403, protocol.CodeForbidden, "only the sender asks for a revocation (13)")
		case !bySender && !m.IsRecipient(me):
			return fail(403, protocol.CodeForbidden, "only a recipient reports status %s", st)
		}
		if a, ok := statusAction[st]; ok {
			// A status that stands for an action is that action: 02 returns
			// the document, 03 registers it (số đến given), 15 withdraws it;
			// 04–06 need what only the action carries.
			if a != protocol.ActionReturn && a != protocol.ActionRegister && a != protocol.ActionWithdraw {
				return fail(403, protocol.CodeForbidden, "status %s is sent by the action %q (PUT /v1/work)", st, a)
			}
			req := protocol.ActionRequest{Action: a, CaseID: m.ID, Reason: req.Description, Text: req.Description}
			return s.commitAction(w, r, c, clientID, key, fp, req, func(a protocol.ActionAnswer) any { return protocol.StatusAnswer{Event: *a.Status} })
		}
		data, prior, ok, err := s.relayStatus(ctx, m, me, req, key, fp)
		if err != nil {
			return err
		}
		if !ok {
			return replay(w, prior, fp)
		}
		s.audit(ctx, c, "status", m.ID, string(st)+" "+req.Description)
		writeRaw(w, 201, data)
		return nil
	})
}
