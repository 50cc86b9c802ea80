package server

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/internal/samplepdf"
	"github.com/vanthuso/vanthu/server/servertest"
	"github.com/vanthuso/vanthu/sync/protocol"
)

func samplePDF(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := samplepdf.Write(&b, samplepdf.Options{Pages: 1, Title: "Quyet dinh"}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestRoles: each rule of the role matrix, both ways.
func TestRoles(t *testing.T) {
	e := newEnv(t, nil)
	data := []byte("nội dung văn bản " + protocol.NewClientID())
	doc := func() edoc.Document {
		return servertest.Document(agencyA, []string{agencyB}, servertest.Attachment(data, "vb.txt", "text/plain"))
	}
	for _, r := range []protocol.Role{protocol.RoleOfficer, protocol.RoleAdmin} {
		c := e.user(agencyA, r)
		if _, a := c.StartUpload(data); r == protocol.RoleAdmin {
			a.WantError(t, 403, protocol.CodeForbidden)
		} else {
			a.Want(t, 201) // officers upload drafts and results, but do not send
		}
		c.Send(protocol.NewClientID(), doc()).WantError(t, 403, protocol.CodeForbidden)
	}
	var msg string
	for _, r := range []protocol.Role{protocol.RoleClerk, protocol.RoleLeader} {
		c := e.user(agencyA, r)
		c.Upload(data, 100)
		var ans protocol.SendAnswer
		c.Send(protocol.NewClientID(), doc()).Want(t, 201).Decode(t, &ans)
		msg = ans.MessageID
	}
	// A user without the role is refused before the upload's PATCH too.
	clerk := e.user(agencyA, protocol.RoleClerk)
	other := []byte("tệp khác " + protocol.NewClientID())
	u, _ := clerk.StartUpload(other)
	e.user(agencyA, protocol.RoleAdmin).Patch(u.ID, 0, other).WantError(t, 403, protocol.CodeForbidden)

	// The workflow at the recipient, in order: each action refused to the
	// roles that may not take it, then taken by one that may. Statuses
	// 02–06 are sent by these actions only, never reported alone.
	users := map[protocol.Role]*servertest.Client{}
	for _, r := range []protocol.Role{protocol.RoleClerk, protocol.RoleLeader, protocol.RoleOfficer, protocol.RoleAdmin} {
		users[r] = e.user(agencyB, r)
	}
	var officer protocol.Me
	users[protocol.RoleOfficer].Do("GET", "/v1/me", nil, nil).Want(t, 200).Decode(t, &officer)
	steps := []struct {
		req   protocol.ActionRequest
		deny  []protocol.Role
		allow protocol.Role
	}{
		{protocol.ActionRequest{Action: protocol.ActionRegister, CaseID: msg}, []protocol.Role{protocol.RoleLeader, protocol.RoleOfficer, protocol.RoleAdmin}, protocol.RoleClerk},
		{protocol.ActionRequest{Action: protocol.ActionAssign, CaseID: msg, Lead: &protocol.Assignee{UserID: officer.User.ID}, Instruction: "Giao chuyên viên tham mưu"},
			[]protocol.Role{protocol.RoleClerk, protocol.RoleOfficer, protocol.RoleAdmin}, protocol.RoleLeader},
		{protocol.ActionRequest{Action: protocol.ActionProgress, CaseID: msg}, []protocol.Role{protocol.RoleClerk, protocol.RoleAdmin}, protocol.RoleOfficer},
		{protocol.ActionRequest{Action: protocol.ActionDone, CaseID: msg, Text: "Đã báo cáo"}, []protocol.Role{protocol.RoleClerk, protocol.RoleAdmin}, protocol.RoleOfficer},
	}
	for _, s := range steps {
		for _, r := range s.deny {
			users[r].Work(protocol.NewClientID(), s.req).WantError(t, 403, protocol.CodeForbidden)
		}
		users[s.allow].Act(s.req)
	}
	// 04–06 need what only their action carries: nobody reports them
	// alone. 02, 03 and 15 reported alone are the clerk's actions return,
	// register and withdraw, and nobody else's.
	for _, st := range []edoc.Status{edoc.StatusRefused, edoc.StatusAccepted, edoc.StatusAssigned, edoc.StatusProcessing, edoc.StatusDone, edoc.StatusChangeAccepted} {
		for r, u := range users {
			if r == protocol.RoleClerk && (st == edoc.StatusRefused || st == edoc.StatusAccepted || st == edoc.StatusChangeAccepted) {
				u.Status(msg, protocol.NewClientID(), protocol.StatusRequest{Status: st, Description: "x"}).WantError(t, 409, protocol.CodeBadRequest) // done already
				continue
			}
			u.Status(msg, protocol.NewClientID(), protocol.StatusRequest{Status: st, Description: "x"}).WantError(t, 403, protocol.CodeForbidden)
		}
	}
	// 02 is the clerk's only.
	var refuse protocol.SendAnswer
	clerk.Send(protocol.NewClientID(), doc()).Want(t, 201).Decode(t, &refuse)
	req := protocol.ActionRequest{Action: protocol.ActionReturn, CaseID: refuse.MessageID, Reason: "Gửi nhầm nơi nhận"}
	users[protocol.RoleLeader].Work(protocol.NewClientID(), req).WantError(t, 403, protocol.CodeForbidden)
	users[protocol.RoleClerk].Act(req)

	// The admin endpoints: quản trị of the same agency only.
	admin := users[protocol.RoleAdmin]
	var list AdminUsers
	admin.Do("GET", "/v1/admin/users", nil, nil).Want(t, 200).Decode(t, &list)
	if len(list.Users) != 4 {
		t.Fatalf("admin sees %d users, want B's 4", len(list.Users))
	}
	for _, u := range list.Users {
		if u.Agency.OrganID != agencyB {
			t.Fatalf("B's admin sees a user of %s", u.Agency.OrganID)
		}
	}
	users[protocol.RoleClerk].Do("GET", "/v1/admin/users", nil, nil).WantError(t, 403, protocol.CodeForbidden)
	users[protocol.RoleClerk].Do("POST", "/v1/admin/users/"+list.Users[0].ID+"/disable", nil, nil).WantError(t, 403, protocol.CodeForbidden)
	aUsers, _ := e.st.Users(t.Context(), agencyA)
	admin.Do("POST", "/v1/admin/users/"+aUsers[0].ID+"/disable", nil, nil).WantError(t, 404, protocol.CodeNotFound)
	victim := users[protocol.RoleOfficer]
	var me protocol.Me
	victim.Do("GET", "/v1/me", nil, nil).Want(t, 200).Decode(t, &me)
	admin.Do("POST", "/v1/admin/users/"+me.User.ID+"/disable", nil, nil).Want(t, 204)
	victim.Do("GET", "/v1/me", nil, nil).WantError(t, 401, protocol.CodeUnauthenticated)
}

// TestSendRefused: what a sender may not do.
func TestSendRefused(t *testing.T) {
	e := newEnv(t, nil)
	a := e.user(agencyA, protocol.RoleClerk)
	data := []byte("tệp " + protocol.NewClientID())
	a.Upload(data, 1000)
	att := servertest.Attachment(data, "vb.txt", "text/plain")

	forged := servertest.Document(agencyB, []string{agencyC}, att)
	a.Send(protocol.NewClientID(), forged).WantError(t, 403, protocol.CodeForbidden)

	e1 := a.Send(protocol.NewClientID(), servertest.Document(agencyA, []string{agencyB, "000.00.00.H99"}, att)).WantError(t, 422, protocol.CodeUnknownRecipient)
	if fmt.Sprint(e1.Missing) != "[000.00.00.H99]" {
		t.Fatalf("missing recipients %v", e1.Missing)
	}
	notUploaded := servertest.Attachment([]byte("chưa tải lên"), "x.txt", "text/plain")
	e2 := a.Send(protocol.NewClientID(), servertest.Document(agencyA, []string{agencyB}, notUploaded)).WantError(t, 409, protocol.CodeMissingBlobs)
	if len(e2.Missing) != 1 || e2.Missing[0] != notUploaded.SHA256 {
		t.Fatalf("missing blobs %v", e2.Missing)
	}
	// B's blob named by A: A may not see it, so it is missing for A.
	b := e.user(agencyB, protocol.RoleClerk)
	secret := []byte("của B " + protocol.NewClientID())
	b.Upload(secret, 1000)
	a.Send(protocol.NewClientID(), servertest.Document(agencyA, []string{agencyC}, servertest.Attachment(secret, "b.txt", "text/plain"))).WantError(t, 409, protocol.CodeMissingBlobs)

	wrongSize := att
	wrongSize.Size++
	a.Send(protocol.NewClientID(), servertest.Document(agencyA, []string{agencyB}, wrongSize)).WantError(t, 400, protocol.CodeBadRequest)
	invalid := servertest.Document(agencyA, []string{agencyB}, att)
	invalid.Subject = ""
	a.Send(protocol.NewClientID(), invalid).WantError(t, 400, protocol.CodeBadRequest)
	a.Send("short", servertest.Document(agencyA, []string{agencyB}, att)).WantError(t, 400, protocol.CodeBadRequest)

	// None of these left a message.
	var page protocol.MessagePage
	a.Do("GET", "/v1/messages?box=outbox", nil, nil).Want(t, 200).Decode(t, &page)
	if len(page.Messages) != 0 {
		t.Fatalf("refused sends left %d messages", len(page.Messages))
	}
}

// TestVisibility: a third agency sees nothing of a message between two
// others: not the message, not its file, not its feed, not its listing;
// the recipient sees its own delivery only.
func TestVisibility(t *testing.T) {
	e := newEnv(t, nil)
	a := e.user(agencyA, protocol.RoleClerk)
	b := e.user(agencyB, protocol.RoleOfficer)
	c := e.user(agencyC, protocol.RoleClerk)
	data := []byte("văn bản mật của A " + protocol.NewClientID())
	ans := e.sent(a, agencyA, data, agencyB)
	sha := servertest.SHA256(data)

	c.Do("GET", "/v1/messages/"+ans.MessageID, nil, nil).WantError(t, 404, protocol.CodeNotFound)
	c.Do("GET", "/v1/messages/not-a-message", nil, nil).WantError(t, 404, protocol.CodeNotFound)
	if h := c.Do("HEAD", "/v1/blobs/"+sha, nil, nil); h.Status != 404 {
		t.Fatalf("HEAD of another agency's blob: %d, want 404", h.Status)
	}
	if h := c.Do("HEAD", "/v1/blobs/"+servertest.SHA256([]byte("nothing")), nil, nil); h.Status != 404 {
		t.Fatalf("HEAD of a missing blob: %d", h.Status)
	}
	c.Do("GET", "/v1/blobs/"+sha, nil, nil).WantError(t, 404, protocol.CodeNotFound)
	c.Status(ans.MessageID, protocol.NewClientID(), protocol.StatusRequest{Status: edoc.StatusAccepted}).WantError(t, 404, protocol.CodeNotFound)
	if ch := c.Changes("", 0); len(ch.Changes) != 0 {
		t.Fatalf("C's feed holds %+v", ch.Changes)
	}
	for _, box := range []string{"inbox", "outbox"} {
		var p protocol.MessagePage
		c.Do("GET", "/v1/messages?box="+box, nil, nil).Want(t, 200).Decode(t, &p)
		if len(p.Messages) != 0 {
			t.Fatalf("C's %s holds %d messages", box, len(p.Messages))
		}
	}

	// The recipient: the message, the file, HEAD with its size, Range.
	var m protocol.Message
	b.Do("GET", "/v1/messages/"+ans.MessageID, nil, nil).Want(t, 200).Decode(t, &m)
	if m.ClientMsgID != "" || len(m.Deliveries) != 1 || m.Deliveries[0].OrganID != agencyB {
		t.Fatalf("the recipient sees %+v", m)
	}
	for _, st := range m.Statuses {
		if st.OrganID != agencyB && st.OrganID != agencyA {
			t.Fatalf("the recipient sees another recipient's status %+v", st)
		}
	}
	h := b.Do("HEAD", "/v1/blobs/"+sha, nil, nil).Want(t, 200)
	if h.Header.Get("Content-Length") != fmt.Sprint(len(data)) {
		t.Fatalf("HEAD Content-Length %q", h.Header.Get("Content-Length"))
	}
	if got := b.Do("GET", "/v1/blobs/"+sha, nil, nil).Want(t, 200).Body; !bytes.Equal(got, data) {
		t.Fatal("downloaded bytes differ")
	}
	part := b.Do("GET", "/v1/blobs/"+sha, nil, http.Header{"Range": {"bytes=5-"}}).Want(t, 206)
	if !bytes.Equal(part.Body, data[5:]) {
		t.Fatal("range answer differs")
	}
	bad := b.Do("GET", "/v1/blobs/"+sha, nil, http.Header{"Range": {"bytes=100000-"}})
	bad.WantError(t, 416, protocol.CodeBadRequest)
	if bad.Header.Get("Content-Range") != fmt.Sprintf("bytes */%d", len(data)) {
		t.Fatalf("416 Content-Range %q", bad.Header.Get("Content-Range"))
	}
	var sm protocol.Message
	a.Do("GET", "/v1/messages/"+ans.MessageID, nil, nil).Want(t, 200).Decode(t, &sm)
	if sm.ClientMsgID == "" || len(sm.Deliveries) != 1 {
		t.Fatalf("the sender sees %+v", sm)
	}
}

// TestSameFileAnotherAgency: the attacker knows the hash of A's file.
// HEAD says 404, starting an upload gives a fresh upload at offset 0,
// sending other bytes under the hash fails; only sending the very bytes
// makes the blob visible (deduplicated on the server).
func TestSameFileAnotherAgency(t *testing.T) {
	e := newEnv(t, nil)
	a := e.user(agencyA, protocol.RoleClerk)
	c := e.user(agencyC, protocol.RoleClerk)
	data := bytes.Repeat([]byte("bí mật "), 3000)
	a.Upload(data, 1<<20)
	sha := servertest.SHA256(data)
	if h := c.Do("HEAD", "/v1/blobs/"+sha, nil, nil); h.Status != 404 {
		t.Fatalf("HEAD: %d", h.Status)
	}
	u, ans := c.StartUpload(data)
	ans.Want(t, 201)
	if u.Complete || u.Offset != 0 {
		t.Fatalf("upload %+v: the answer reveals the blob exists", u)
	}
	fake := bytes.Repeat([]byte("x"), len(data))
	c.Patch(u.ID, 0, fake).WantError(t, 422, protocol.CodeHashMismatch)
	if h := c.Do("HEAD", "/v1/blobs/"+sha, nil, nil); h.Status != 404 {
		t.Fatalf("HEAD after a failed upload: %d", h.Status)
	}
	// Nor can C use A's upload id.
	au, _ := a.StartUpload([]byte("tệp đang tải của A"))
	c.Do("HEAD", "/v1/uploads/"+au.ID, nil, nil).Want(t, 404)
	c.Patch(au.ID, 0, []byte("x")).WantError(t, 404, protocol.CodeNotFound)

	c.Patch(u.ID, 0, data).Want(t, 200)
	c.Do("HEAD", "/v1/blobs/"+sha, nil, nil).Want(t, 200)
	_, again := c.StartUpload(data)
	var done protocol.Upload
	again.Want(t, 200).Decode(t, &done)
	if !done.Complete {
		t.Fatal("a blob the agency has is not reported complete")
	}
}

// TestStatuses: the workflow at a recipient through edoc's state machine,
// who may report what, and the feeds of both sides.
func TestStatuses(t *testing.T) {
	e := newEnv(t, nil)
	a := e.user(agencyA, protocol.RoleClerk)
	b := e.user(agencyB, protocol.RoleClerk)
	c := e.user(agencyC, protocol.RoleClerk)
	ans := e.sent(a, agencyA, []byte("công văn "+protocol.NewClientID()), agencyB, agencyC)
	id := ans.MessageID
	if len(ans.Deliveries) != 2 || ans.Deliveries[0].Status != edoc.StatusArrived {
		t.Fatalf("deliveries %+v: want 01 from each recipient", ans.Deliveries)
	}
	st := func(cl *servertest.Client, s edoc.Status, desc string) *servertest.Answer {
		return cl.Status(id, protocol.NewClientID(), protocol.StatusRequest{Status: s, Description: desc})
	}
	act := func(cl *servertest.Client, action, reason string) *servertest.Answer {
		return cl.Work(protocol.NewClientID(), protocol.ActionRequest{Action: action, CaseID: id, Reason: reason, Text: reason})
	}
	st(b, edoc.StatusArrived, "").WantError(t, 409, protocol.CodeBadRequest)
	act(b, protocol.ActionReturn, "").WantError(t, 400, protocol.CodeBadRequest) // no reason
	act(a, protocol.ActionRegister, "").WantError(t, 404, protocol.CodeNotFound) // the sender is no recipient
	st(b, edoc.StatusRevokeRequest, "").WantError(t, 403, protocol.CodeForbidden)
	st(c, "14", "").WantError(t, 409, protocol.CodeBadRequest) // 15 (written 14: the withdraw action) without a 13
	b.Status(id, protocol.NewClientID(), protocol.StatusRequest{Status: "99"}).WantError(t, 400, protocol.CodeBadRequest)
	act(b, protocol.ActionRegister, "").Want(t, 201)
	act(b, protocol.ActionRegister, "").WantError(t, 409, protocol.CodeBadRequest) // registered once
	act(c, protocol.ActionWithdraw, "").WantError(t, 409, protocol.CodeBadRequest) // 15 without a 13
	st(a, edoc.StatusRevokeRequest, "Sai sót nội dung").Want(t, 201)
	act(c, protocol.ActionWithdraw, "").Want(t, 201) // C agrees, its copy goes
	act(c, protocol.ActionRegister, "").WantError(t, 409, protocol.CodeBadRequest)
	st(b, edoc.StatusChangeRefused, "Đã xử lý xong").Want(t, 201)

	var m protocol.Message
	a.Do("GET", "/v1/messages/"+id, nil, nil).Want(t, 200).Decode(t, &m)
	want := map[string]edoc.Status{agencyB: edoc.StatusChangeRefused, agencyC: edoc.StatusChangeAccepted}
	for _, d := range m.Deliveries {
		if d.Status != want[d.OrganID] {
			t.Fatalf("delivery %+v, want %s", d, want[d.OrganID])
		}
	}
	kinds := func(cl *servertest.Client) string {
		var out []string
		for _, ch := range cl.Changes("", 0).Changes {
			k := ch.Kind
			if ch.Status != nil {
				k += ":" + string(ch.Status.OrganID[len(ch.Status.OrganID)-3:]) + "/" + string(ch.Status.Status)
			}
			if ch.Case != nil {
				k += ":" + string(ch.Case.Stage)
			}
			out = append(out, k)
		}
		return strings.Join(out, " ")
	}
	if got, want := kinds(a), "sent status:G22/01 status:H42/01 status:G22/03 status:H41/13 status:H42/15 status:G22/16"; got != want {
		t.Fatalf("sender's feed:\n%s\nwant\n%s", got, want)
	}
	if got, want := kinds(c), "received status:H41/13 status:H42/15 deleted case:withdrawn"; got != want {
		t.Fatalf("C's feed:\n%s\nwant\n%s", got, want)
	}
	if got, want := kinds(b), "received status:G22/03 case:registered status:H41/13 status:G22/16"; got != want {
		t.Fatalf("B's feed:\n%s\nwant\n%s", got, want)
	}
}

// TestVerificationKept: a PDF attachment is verified and the report is
// kept with the message (an unsigned sample: indeterminate, the report
// says why); a file that is no PDF gets none.
func TestVerificationKept(t *testing.T) {
	e := newEnv(t, nil)
	a := e.user(agencyA, protocol.RoleClerk)
	b := e.user(agencyB, protocol.RoleClerk)
	pdf := samplePDF(t)
	txt := []byte("phụ lục dạng văn bản " + protocol.NewClientID())
	a.Upload(pdf, 1<<20)
	a.Upload(txt, 1<<20)
	extra := servertest.Attachment(txt, "phu-luc.txt", "text/plain")
	extra.Role = edoc.RoleAttachment
	var ans protocol.SendAnswer
	a.Send(protocol.NewClientID(), servertest.Document(agencyA, []string{agencyB}, servertest.Attachment(pdf, "qd.pdf", "application/pdf"), extra)).Want(t, 201).Decode(t, &ans)
	var m protocol.Message
	b.Do("GET", "/v1/messages/"+ans.MessageID, nil, nil).Want(t, 200).Decode(t, &m)
	v, ok := m.Verification[servertest.SHA256(pdf)]
	if !ok || len(m.Verification) != 1 {
		t.Fatalf("verification %+v: want the PDF's only", m.Verification)
	}
	if v.Verdict != "indeterminate" || !bytes.Contains(v.Report, []byte(`"verdict":"indeterminate"`)) || v.At.IsZero() {
		t.Fatalf("verification of an unsigned PDF: %s %s", v.Verdict, v.Report)
	}
}
