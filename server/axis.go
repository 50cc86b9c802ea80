package server

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/edoc/edxml"
	"github.com/vanthuso/vanthu/server/store"
	"github.com/vanthuso/vanthu/sync/protocol"
)

// The exchange axis API (DOMAIN.md "The exchange axis API"): what an
// agency's own document system built on the published SDK calls, under
// AxisPrefix (its endpoint is https://HOST:PORT/axis):
//
//	POST /axis/sendEdoc             an edXML document or status → DocId
//	POST /axis/getReceivedEdocList  the system's agency's documents not yet acknowledged
//	POST /axis/getEdoc              one of them as base64 of its edXML (docId)
//	POST /axis/updateStatus         acknowledge it: done, fail, processing (docid, status)
//	POST /axis/getSentEdocList      what the agency sent, per recipient (docId optional)
//	POST /axis/getAgenciesList      the directory, as the SDK's {id,pid,code,name,mail}
//
// Every call is authenticated by its headers: XroadVnpt-systemid names
// a system (vanthu-server admin system add), XroadVnpt-sign-header-key
// lists the signed headers joined by ";", XroadVnpt-sign-header is the
// JSON object of those headers and their values in that order, and
// XroadVnpt-hash-header the hex HMAC-SHA256 of that JSON keyed with the
// system's secret. The server checks the HMAC over the JSON as sent,
// that the JSON's keys are the listed ones in order and each value is
// the request's own header (a signature cannot be moved to other
// headers), that the call's headers are among the signed ones (systemid,
// from, timestamp, and the call's parameters), that XroadVnpt-from is
// the system's agency, that the timestamp is within AxisSkew of now, and
// that the signature was not seen before (a replay). Headers a call
// does not use are ignored (the SDK reuses one header map); as header
// names are case-insensitive on the wire, the SDK's docId (getEdoc) and
// docid (updateStatus) may arrive as two values of one header: each
// signed value must be one of the header's values, and a call reads its
// parameters from the signed JSON under their exact names.
//
// Statuses travel both ways as edXML status messages: a system's
// sendEdoc with messagetype status relays a recipient's 01–06, 15, 16
// (or the sender's 13) about a document named by our DocId or its edXML
// DocumentId; the statuses other agencies report on what the system's
// agency sent are in its getReceivedEdocList as messageType status
// ("st-<DocId>-<n>"), got as status messages and acknowledged like
// documents.
//
// Answers are JSON with "status":"OK" or "FAIL", ErrorCode and
// ErrorDesc (Vietnamese, then English), and the HTTP status says the
// same (401 authentication, 403 another agency's document, 404, 400).
// Documents arriving this way are messages like any other: verified,
// in the recipients' inboxes, 01 back to the sender; their statuses
// reach the sender's system in getSentEdocList.

const (
	// AxisPrefix is where the axis API is served.
	AxisPrefix = "/axis/"
	// AxisSkew is how far a request's timestamp may be from the
	// server's clock.
	AxisSkew = 5 * time.Minute
	// axisTimestamp is XroadVnpt-timestamp's layout before "+SSSS".
	axisTimestamp = "02012006T150405"
	axisPrefixHdr = "XroadVnpt-"
	// axisListMax bounds a received or sent list.
	axisListMax = 1000
)

// axisError is a FAIL answer.
type axisError struct {
	status int
	code   string
	vi, en string
}

func (e *axisError) Error() string { return e.en }

func axisFail(status int, code, vi, en string) *axisError {
	return &axisError{status: status, code: code, vi: vi, en: en}
}

// axisAnswer is the envelope of every answer.
type axisAnswer struct {
	Status    string `json:"status"`
	ErrorCode string `json:"ErrorCode"`
	ErrorDesc string `json:"ErrorDesc"`
	DocID     string `json:"DocId,omitempty"`
	Data      any    `json:"data,omitempty"`
}

func writeAxis(w http.ResponseWriter, status int, a axisAnswer) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(a)
}

// axisCall is an authenticated request.
type axisCall struct {
	sys    store.AxisSystem
	agency store.Agency
	caller *caller
	signed map[string]string // signed header names, as written, → values
}

// param is the signed value of XroadVnpt-name: under that exact name
// (the SDK's names differ in case between calls: docId, docid), else
// under the one name that matches it regardless of case.
func (c *axisCall) param(name string) string {
	if v, ok := c.signed[axisPrefixHdr+name]; ok {
		return v
	}
	found, n := "", 0
	for k, v := range c.signed {
		if strings.EqualFold(k, axisPrefixHdr+name) {
			found, n = v, n+1
		}
	}
	if n == 1 {
		return found
	}
	return ""
}

// axisCalls are the calls and the parameters each must have signed.
var axisCalls = map[string][]string{
	"sendEdoc":            {"messagetype", "hash-file"},
	"getReceivedEdocList": nil,
	"getEdoc":             {"docId"},
	"updateStatus":        {"docid", "status"},
	"getSentEdocList":     nil,
	"getAgenciesList":     nil,
}

// serveAxis answers the axis API.
func (s *Server) serveAxis(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, AxisPrefix)
	params, known := axisCalls[name]
	err := func() error {
		if !known {
			return axisFail(404, "404", "không có lời gọi "+name, "no such call "+name)
		}
		if r.Method != http.MethodPost {
			return axisFail(405, "405", "lời gọi phải là POST", "calls are POSTs")
		}
		as, ok := s.c.Store.(store.AxisStore)
		if !ok {
			return axisFail(501, "501", "máy chủ này không bật trục liên thông", "this server's store has no axis API")
		}
		call, err := s.axisAuth(r, as, params)
		if err != nil {
			return err
		}
		switch name {
		case "sendEdoc":
			return s.axisSend(w, r, as, call)
		case "getReceivedEdocList":
			return s.axisReceived(w, r, as, call)
		case "getEdoc":
			return s.axisGet(w, r, call)
		case "updateStatus":
			return s.axisUpdate(w, r, as, call)
		case "getSentEdocList":
			return s.axisSent(w, r, call)
		case "getAgenciesList":
			return s.axisAgencies(w, r)
		}
		return nil
	}()
	if err != nil {
		var ae *axisError
		if !errors.As(err, &ae) {
			var pe *apiError
			if errors.As(err, &pe) {
				ae = axisFail(pe.status, pe.e.Code, pe.e.Message, pe.e.Message)
			} else {
				s.log.Error("axis call failed", "call", name, "err", err)
				ae = axisFail(500, "500", "lỗi máy chủ", "internal error")
			}
		}
		if ae.status == 401 || ae.status == 403 {
			s.log.Warn("axis call refused", "call", name, "reason", ae.en)
		}
		writeAxis(w, ae.status, axisAnswer{Status: "FAIL", ErrorCode: ae.code, ErrorDesc: ae.vi + " (" + ae.en + ")"})
	}
}

func axisHeader(r *http.Request, name string) string { return r.Header.Get(axisPrefixHdr + name) }

// axisAuth authenticates r (see the package doc's axis section).
func (s *Server) axisAuth(r *http.Request, as store.AxisStore, params []string) (*axisCall, error) {
	ctx := r.Context()
	unauth := func(vi, en string) error { return axisFail(401, "401", vi, en) }
	sysID := axisHeader(r, "systemid")
	sys, err := as.AxisSystem(ctx, sysID)
	if errors.Is(err, store.ErrNotFound) || err == nil && sys.Disabled {
		return nil, unauth("systemid không có hoặc đã bị khóa", "unknown or disabled systemid")
	}
	if err != nil {
		return nil, err
	}
	signed, mac := axisHeader(r, "sign-header"), axisHeader(r, "hash-header")
	want := hmac.New(sha256.New, []byte(sys.Secret))
	io.WriteString(want, signed)
	got, err := hex.DecodeString(strings.TrimSpace(mac))
	if err != nil || !hmac.Equal(got, want.Sum(nil)) {
		return nil, unauth("chữ ký tiêu đề (hash-header) không đúng", "the header signature does not verify")
	}
	keys := strings.Split(axisHeader(r, "sign-header-key"), ";")
	values, err := orderedJSON(signed)
	if err != nil || len(values) != len(keys) {
		return nil, unauth("sign-header không khớp sign-header-key", "sign-header does not match sign-header-key")
	}
	call := &axisCall{sys: sys, signed: map[string]string{}}
	for i, kv := range values {
		if kv[0] != keys[i] || !strings.HasPrefix(strings.ToLower(kv[0]), strings.ToLower(axisPrefixHdr)) {
			return nil, unauth("sign-header không khớp sign-header-key", "sign-header does not match sign-header-key")
		}
		if _, twice := call.signed[kv[0]]; twice {
			return nil, unauth("sign-header có một tiêu đề hai lần", "sign-header names a header twice")
		}
		// Header names are case-insensitive on the wire: the SDK's
		// docId and docid arrive as two values of one header. The signed
		// value must be one of them; the call uses the signed one.
		if !slices.Contains(r.Header.Values(kv[0]), kv[1]) {
			return nil, unauth("tiêu đề "+kv[0]+" khác giá trị đã ký", "header "+kv[0]+" differs from the signed value")
		}
		call.signed[kv[0]] = kv[1]
	}
	for _, p := range append([]string{"systemid", "from", "timestamp"}, params...) {
		if call.param(p) == "" {
			return nil, unauth("tiêu đề XroadVnpt-"+p+" phải được ký", "header XroadVnpt-"+p+" must be signed")
		}
	}
	if call.param("systemid") != sysID {
		return nil, unauth("systemid đã ký khác systemid gửi", "the signed systemid is not the one sent")
	}
	ts, err := parseAxisTime(call.param("timestamp"))
	now := s.c.Now()
	if err != nil || ts.Sub(now) > AxisSkew || now.Sub(ts) > AxisSkew {
		return nil, unauth("thời điểm yêu cầu (timestamp) sai hoặc đã quá hạn: kiểm tra đồng hồ máy", "stale or bad timestamp: check the clock")
	}
	from := call.param("from")
	if from != sys.Agency {
		return nil, axisFail(403, "403", "systemid này thuộc cơ quan "+sys.Agency+", không phải "+from, "this systemid belongs to "+sys.Agency+", not "+from)
	}
	fresh, err := as.UseAxisNonce(ctx, sys.ID, strings.ToLower(mac), now.Add(2*AxisSkew))
	if err != nil {
		return nil, err
	}
	if !fresh {
		return nil, unauth("yêu cầu đã được gửi trước đó (phát lại)", "this request was seen before (a replay)")
	}
	ag, err := s.st.Agency(ctx, sys.Agency)
	if err != nil {
		return nil, err
	}
	call.agency = ag
	call.caller = &caller{agency: ag, user: store.User{ID: "axis:" + sys.ID, Agency: ag.Code, Name: sys.Name, Roles: []protocol.Role{protocol.RoleClerk}}}
	return call, nil
}

// parseAxisTime reads ddMMyyyy'T'HHmmss'+'SSSS in Vietnam time.
func parseAxisTime(v string) (time.Time, error) {
	base, _, _ := strings.Cut(v, "+")
	return time.ParseInLocation(axisTimestamp, base, edoc.Vietnam)
}

// FormatAxisTime writes t as XroadVnpt-timestamp does.
func FormatAxisTime(t time.Time) string {
	t = t.In(edoc.Vietnam)
	return t.Format(axisTimestamp) + fmt.Sprintf("+%04d", t.Nanosecond()/1e6)
}

// orderedJSON reads a flat JSON object of strings keeping its order.
func orderedJSON(s string) ([][2]string, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, errors.New("not an object")
	}
	var out [][2]string
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return nil, err
		}
		v, err := dec.Token()
		if err != nil {
			return nil, err
		}
		ks, ok1 := k.(string)
		vs, ok2 := v.(string)
		if !ok1 || !ok2 || len(out) == 64 {
			return nil, errors.New("not a flat object of strings")
		}
		out = append(out, [2]string{ks, vs})
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	return out, nil
}

// AxisHashFile is XroadVnpt-hash-file's form of a SHA-256: hex without
// zero padding per byte (0x0f is "f").
func AxisHashFile(sum []byte) string {
	var b strings.Builder
	for _, c := range sum {
		b.WriteString(strconv.FormatUint(uint64(c), 16))
	}
	return b.String()
}

// tailHash hashes everything written but the last two bytes, which it
// keeps: the SDK sends the file followed by CRLF.
type tailHash struct {
	h    hash.Hash
	tail []byte
}

func (t *tailHash) Write(p []byte) (int, error) {
	t.tail = append(t.tail, p...)
	if n := len(t.tail) - 2; n > 0 {
		t.h.Write(t.tail[:n])
		t.tail = append(t.tail[:0], t.tail[n:]...)
	}
	return len(p), nil
}

// axisSend answers sendEdoc: an edXML document becomes a message from
// the system's agency; a resend of the same file answers the same DocId.
func (s *Server) axisSend(w http.ResponseWriter, r *http.Request, as store.AxisStore, call *axisCall) error {
	ctx := r.Context()
	kind := strings.ToLower(call.param("messagetype"))
	if kind != "edoc" && kind != "status" {
		return axisFail(400, "400", "messagetype phải là edoc hoặc status", "messagetype must be edoc or status")
	}
	tmp, err := os.CreateTemp("", "vanthu-axis-*.edxml")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	th := &tailHash{h: sha256.New()}
	body := http.MaxBytesReader(w, r.Body, 2*s.c.MaxBlob+16<<20)
	if _, err := io.Copy(io.MultiWriter(tmp, th), body); err != nil {
		return axisFail(413, "413", "tệp quá lớn hoặc gửi không hết", "the file is too large or was cut short")
	}
	withoutCRLF := hex.EncodeToString(th.h.Sum(nil))
	th.h.Write(th.tail)
	whole := th.h.Sum(nil)
	sums := []string{AxisHashFile(whole)}
	if bytes.Equal(th.tail, []byte("\r\n")) {
		raw, _ := hex.DecodeString(withoutCRLF)
		sums = append(sums, AxisHashFile(raw))
	}
	given := strings.ToLower(call.param("hash-file"))
	if !containsConstantTime(sums, given) {
		return axisFail(400, "400", "hash-file không khớp tệp đã gửi", "hash-file does not match the file sent")
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return err
	}
	msg, err := edxml.Read(bufio.NewReader(tmp), &edxml.Options{MaxFile: s.c.MaxBlob})
	if err != nil {
		vi, en := edxml.Explain(err)
		return axisFail(400, "400", "edXML không đọc được: "+vi, "unreadable edXML: "+en)
	}
	defer msg.Close()
	if err := s.checkXMLSignature(msg); err != nil {
		return err
	}
	key := "axis:" + call.sys.ID + ":" + hex.EncodeToString(whole)
	var id string
	if msg.Kind == edxml.KindStatus {
		id, err = s.acceptStatus(ctx, call.caller, msg.Status, key)
	} else {
		id, err = s.acceptEdoc(ctx, call.caller, msg, key, "system "+call.sys.ID)
	}
	if err != nil {
		return err
	}
	writeAxis(w, 200, axisAnswer{Status: "OK", ErrorCode: "0", DocID: id})
	return nil
}

// checkXMLSignature judges an edXML message's own signature. None, or
// one of a form nobody can check (the SDK samples' Signature outside the
// XMLDSig namespace), passes: the documents' PDFs carry the signatures
// that count, verified apart. One that does not verify (a changed
// byte), or whose certificate does not chain to the trust list, is
// refused: a message that claims a signature must hold it.
func (s *Server) checkXMLSignature(msg *edxml.Message) error {
	if !msg.Signed {
		return nil
	}
	cert, err := msg.Verify()
	if errors.Is(err, edxml.ErrNotXMLDSig) {
		s.log.Warn("edXML signature of a form that cannot be checked, taken as unsigned", "err", err)
		return nil
	}
	if err != nil {
		vi, en := edxml.Explain(err)
		return axisFail(400, "400", "chữ ký số của gói tin không hợp lệ: "+vi, "the message's signature does not verify: "+en)
	}
	roots, inter := x509.NewCertPool(), x509.NewCertPool()
	for _, c := range s.c.Anchors {
		roots.AddCert(c)
	}
	for _, c := range s.c.Intermediates {
		inter.AddCert(c)
	}
	if _, err := cert.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: s.c.Now(),
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		return axisFail(400, "400", "chứng thư số ký gói tin ("+cert.Subject.CommonName+") không thuộc danh sách tin cậy của máy chủ: "+err.Error(),
			"the certificate that signed the message ("+cert.Subject.CommonName+") does not chain to the server's trust list: "+err.Error())
	}
	return nil
}

// priorMessage is the message id a committed idempotency record of an
// edXML document or status names ("" when key was never committed).
func (s *Server) priorMessage(ctx context.Context, agency, key string) (string, error) {
	prior, err := s.st.Idempotency(ctx, agency, key)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return answerMessage(prior)
}

// answerMessage reads the message id of a send's or a status's answer.
func answerMessage(prior store.Idempotency) (string, error) {
	var a struct {
		MessageID string `json:"message_id"`
		Event     struct {
			MessageID string `json:"message_id"`
		} `json:"event"`
	}
	if err := json.Unmarshal(prior.Answer, &a); err != nil {
		return "", err
	}
	return a.MessageID + a.Event.MessageID, nil
}

// acceptEdoc makes a message of an edXML document of c's agency, as a
// send from our own clients is (checked, its PDFs verified, in the
// recipients' inboxes, 01 back), once per key: a key committed before
// answers that message's id. via says where it came from, for the log.
func (s *Server) acceptEdoc(ctx context.Context, c *caller, msg *edxml.Message, key, via string) (string, error) {
	if id, err := s.priorMessage(ctx, c.agency.Code, key); id != "" || err != nil {
		return id, err
	}
	doc := *msg.Document
	if doc.From.OrganID != c.agency.Code {
		return "", axisFail(403, "403", "văn bản của cơ quan "+doc.From.OrganID+" không gửi được bằng systemid của "+c.agency.Code,
			"a document of "+doc.From.OrganID+" cannot be sent with a systemid of "+c.agency.Code)
	}
	for i, f := range msg.Files {
		if err := s.axisPutFile(ctx, c.agency.Code, doc.Attachments[i], f); err != nil {
			return "", err
		}
	}
	sum := sha256.Sum256([]byte(key))
	clientID := "axis-" + hex.EncodeToString(sum[:12])
	m, err := s.checkDocument(ctx, c, clientID, doc, true)
	if err != nil {
		return "", err
	}
	if m.Verification, err = s.verifyAttachments(ctx, m.Document.Attachments); err != nil {
		return "", err
	}
	data, err := json.Marshal(protocol.SendAnswer{MessageID: m.ID, ClientMsgID: clientID, AcceptedAt: m.AcceptedAt, Deliveries: m.Deliveries})
	if err != nil {
		return "", err
	}
	events := []store.Event{{Feed: store.AgencyFeed(m.From), Kind: protocol.ChangeSent, MessageID: m.ID, At: m.AcceptedAt}}
	for i, rcpt := range m.Recipients {
		events = append(events,
			store.Event{Feed: store.AgencyFeed(rcpt), Kind: protocol.ChangeReceived, MessageID: m.ID, At: m.AcceptedAt},
			store.Event{Feed: store.AgencyFeed(m.From), Kind: protocol.ChangeStatus, MessageID: m.ID, At: m.AcceptedAt, Status: &m.Statuses[i]})
	}
	prior, ok, err := s.st.CommitSend(ctx, store.SendCommit{Message: m, Events: events,
		Idem: store.Idempotency{Agency: c.agency.Code, Key: key, Fingerprint: key, Status: 201, Answer: data, At: m.AcceptedAt}})
	if err != nil {
		return "", err
	}
	if !ok {
		return answerMessage(prior)
	}
	s.log.Info("edXML document accepted", "message", m.ID, "from", m.From, "to", strings.Join(m.Recipients, ","), "via", via)
	s.audit(ctx, c, "send", m.ID, "trục liên thông: "+m.Document.Code.CodeNumber+"/"+m.Document.Code.CodeNotation)
	return m.ID, nil
}

func containsConstantTime(list []string, s string) bool {
	ok := 0
	for _, x := range list {
		ok |= subtle.ConstantTimeCompare([]byte(x), []byte(s))
	}
	return ok == 1
}

// acceptStatus relays an edXML status message of the system's agency:
// a recipient's status (01–06, 15, 16) about a document it received, or
// the sender's 13 about one it sent. The document is named by our
// DocId or by its edXML DocumentId. Statuses that are actions in our own
// clients (03 registers, 02 returns) are relayed as they are: the
// system keeps its own registers.
func (s *Server) acceptStatus(ctx context.Context, c *caller, st *edxml.Status, key string) (string, error) {
	if id, err := s.priorMessage(ctx, c.agency.Code, key); id != "" || err != nil {
		return id, err
	}
	me := c.agency.Code
	if st.From.OrganID != me {
		return "", axisFail(403, "403", "trạng thái của cơ quan "+st.From.OrganID+" không gửi được bằng systemid của "+me,
			"a status of "+st.From.OrganID+" cannot be sent with a systemid of "+me)
	}
	code, err := edoc.ParseStatus(string(st.Code))
	if err != nil {
		return "", axisFail(400, "400", "mã trạng thái không đúng: "+string(st.Code), "bad status code "+string(st.Code))
	}
	bySender := code == edoc.StatusRevokeRequest
	box := store.Inbox
	if bySender {
		box = store.Outbox
	}
	m, err := s.axisFindMessage(ctx, me, box, st.ResponseFor.DocumentID)
	if err != nil {
		return "", err
	}
	if bySender && m.From != me || !bySender && !m.IsRecipient(me) {
		return "", axisFail(403, "403", "cơ quan này không báo trạng thái "+string(code)+" cho văn bản đó", "this agency does not report status "+string(code)+" for that document")
	}
	req := protocol.StatusRequest{Status: code, Description: st.Description, Staff: st.Staff}
	_, prior, ok, err := s.relayStatus(ctx, m, me, req, key, key)
	if err != nil {
		return "", err
	}
	if !ok {
		return answerMessage(prior)
	}
	s.audit(ctx, c, "status", m.ID, "trục liên thông: "+string(code)+" "+st.Description)
	return m.ID, nil
}

// axisFindMessage finds the message of agency's box named by id: our
// message id, else the edXML DocumentId of its document.
func (s *Server) axisFindMessage(ctx context.Context, agency string, box store.Box, id string) (store.Message, error) {
	if m, err := s.st.Message(ctx, id); err == nil && m.IsParty(agency) {
		return m, nil
	} else if err != nil && !errors.Is(err, store.ErrNotFound) {
		return m, err
	}
	var found store.Message
	err := s.eachBoxMessage(ctx, agency, box, func(m store.Message) bool {
		if id != "" && m.Document.DocumentID == id {
			found = m
		}
		return true // the latest of that DocumentId wins
	})
	if err != nil {
		return found, err
	}
	if found.ID == "" {
		return found, axisFail(404, "404", "không có văn bản "+id+" của cơ quan này", "no document "+id+" of this agency")
	}
	return found, nil
}

// axisPutFile stores an attachment of a message read as a blob of agency.
func (s *Server) axisPutFile(ctx context.Context, agency string, a edoc.Attachment, f edxml.File) error {
	u, err := s.st.StartUpload(ctx, store.Upload{ID: randomHex(16), Agency: agency, SHA256: a.SHA256, Size: a.Size, Created: s.c.Now().UTC()})
	if err != nil {
		return err
	}
	if u.Complete {
		return nil
	}
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	buf := make([]byte, min(s.c.MaxChunk, 4<<20))
	for off := int64(0); ; {
		n, rerr := io.ReadFull(rc, buf)
		if n > 0 {
			if u, err = s.st.AppendUpload(ctx, u.ID, off, buf[:n]); err != nil {
				return err
			}
			off += int64(n)
		}
		if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
			break
		}
		if rerr != nil {
			return rerr
		}
	}
	if !u.Complete {
		return axisFail(400, "400", "tệp đính kèm "+a.Name+" không đủ", "attachment "+a.Name+" is incomplete")
	}
	return nil
}

// axisEntry is one line of getReceivedEdocList.
type axisEntry struct {
	DocID       string `json:"docId"`
	From        string `json:"from"`
	To          string `json:"to"`
	MessageType string `json:"messageType"`
	ServiceType string `json:"serviceType"`
	Status      string `json:"status"`
	StatusDesc  string `json:"status_desc"`
	Created     string `json:"created_time"`
	Updated     string `json:"updated_time"`
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func axisTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(edoc.Vietnam).Format("2006/01/02 15:04:05")
}

// eachBoxMessage calls f with the agency's messages of box, oldest
// first, until f returns false.
func (s *Server) eachBoxMessage(ctx context.Context, agency string, box store.Box, f func(store.Message) bool) error {
	for after := uint64(0); ; {
		ms, last, err := s.st.Messages(ctx, agency, box, after, 200)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if !f(m) {
				return nil
			}
		}
		if len(ms) == 0 {
			return nil
		}
		after = last
	}
}

// axisReceived answers getReceivedEdocList: the agency's documents the
// system has not acknowledged as done, oldest first, at most
// axisListMax.
func (s *Server) axisReceived(w http.ResponseWriter, r *http.Request, as store.AxisStore, call *axisCall) error {
	ctx := r.Context()
	out := []axisEntry{}
	var ierr error
	err := s.eachBoxMessage(ctx, call.agency.Code, store.Inbox, func(m store.Message) bool {
		ack, err := as.AxisAck(ctx, call.sys.ID, m.ID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			ierr = err
			return false
		}
		if ack.Status == "done" {
			return true
		}
		st := ack.Status
		if st == "" {
			st = "initial"
		}
		out = append(out, axisEntry{DocID: m.ID, From: m.From, To: call.agency.Code, MessageType: "edoc", ServiceType: "eDoc",
			Status: st, StatusDesc: st, Created: axisTime(m.AcceptedAt), Updated: axisTime(later(m.AcceptedAt, ack.At))})
		return len(out) < axisListMax
	})
	if err == nil && len(out) < axisListMax {
		// The statuses others reported on what the agency sent: status
		// messages to the system, one per event.
		err = s.eachBoxMessage(ctx, call.agency.Code, store.Outbox, func(m store.Message) bool {
			for i, ev := range m.Statuses {
				if ev.OrganID == call.agency.Code {
					continue
				}
				id := axisStatusID(m.ID, i)
				ack, err := as.AxisAck(ctx, call.sys.ID, id)
				if err != nil && !errors.Is(err, store.ErrNotFound) {
					ierr = err
					return false
				}
				if ack.Status == "done" {
					continue
				}
				st := ack.Status
				if st == "" {
					st = "initial"
				}
				out = append(out, axisEntry{DocID: id, From: ev.OrganID, To: call.agency.Code, MessageType: "status", ServiceType: "eDoc",
					Status: st, StatusDesc: st, Created: axisTime(ev.At), Updated: axisTime(later(ev.At, ack.At))})
				if len(out) == axisListMax {
					return false
				}
			}
			return true
		})
	}
	if err == nil {
		err = ierr
	}
	if err != nil {
		return err
	}
	writeAxis(w, 200, axisAnswer{Status: "OK", ErrorCode: "0", Data: out})
	return nil
}

// axisStatusID names the i-th status event of message id as the
// received list gives it: "st-<id>-<i>".
func axisStatusID(id string, i int) string { return "st-" + id + "-" + strconv.Itoa(i) }

// parseAxisStatusID reads axisStatusID's form.
func parseAxisStatusID(s string) (string, int, bool) {
	rest, ok := strings.CutPrefix(s, "st-")
	if !ok {
		return "", 0, false
	}
	i := strings.LastIndexByte(rest, '-')
	if i <= 0 {
		return "", 0, false
	}
	n, err := strconv.Atoi(rest[i+1:])
	if err != nil || n < 0 {
		return "", 0, false
	}
	return rest[:i], n, true
}

// axisStatusOf is the status event a status id names, of a message the
// agency sent, reported by another agency.
func (s *Server) axisStatusOf(ctx context.Context, call *axisCall, id string) (store.Message, protocol.StatusEvent, error) {
	msgID, i, ok := parseAxisStatusID(id)
	notFound := axisFail(404, "404", "không có trạng thái "+id+" cho cơ quan này", "no status "+id+" for this agency")
	if !ok {
		return store.Message{}, protocol.StatusEvent{}, notFound
	}
	m, err := s.st.Message(ctx, msgID)
	if errors.Is(err, store.ErrNotFound) || err == nil && (m.From != call.agency.Code || i >= len(m.Statuses) || m.Statuses[i].OrganID == call.agency.Code) {
		return m, protocol.StatusEvent{}, notFound
	}
	if err != nil {
		return m, protocol.StatusEvent{}, err
	}
	return m, m.Statuses[i], nil
}

// axisMessage is a message of the call's agency's inbox.
func (s *Server) axisMessage(ctx context.Context, call *axisCall, id string) (store.Message, error) {
	m, err := s.st.Message(ctx, id)
	if errors.Is(err, store.ErrNotFound) || err == nil && !m.IsRecipient(call.agency.Code) {
		return m, axisFail(404, "404", "không có văn bản "+id+" gửi đến cơ quan này", "no document "+id+" for this agency")
	}
	return m, err
}

// axisGet answers getEdoc: the document as edXML (QCVN 102:2016, strict
// form, attachments as the SDK zips them), base64 in data, streamed.
func (s *Server) axisGet(w http.ResponseWriter, r *http.Request, call *axisCall) error {
	ctx := r.Context()
	id := call.param("docId")
	var em *edxml.Message
	var m store.Message
	if strings.HasPrefix(id, "st-") {
		var ev protocol.StatusEvent
		var err error
		if m, ev, err = s.axisStatusOf(ctx, call, id); err != nil {
			return err
		}
		from := edoc.Organ{OrganID: ev.OrganID}
		if ag, err := s.st.Agency(ctx, ev.OrganID); err == nil {
			from.OrganName = ag.Name
		}
		rf := edoc.ResponseFor{OrganID: m.From, Code: m.Document.Code.String(), PromulgationDate: m.Document.PromulgationDate, DocumentID: axisDocumentID(m)}
		em = &edxml.Message{Kind: edxml.KindStatus, Status: &edxml.Status{From: from, ResponseFor: rf,
			Staff: ev.Staff, Code: ev.Status, Description: ev.Description, Timestamp: ev.At}}
	} else {
		var err error
		if m, err = s.axisMessage(ctx, call, id); err != nil {
			return err
		}
		doc := m.Document
		doc.DocumentID = axisDocumentID(m) // statuses about it name it so
		em = &edxml.Message{Kind: edxml.KindEdoc, Document: &doc}
		for _, a := range doc.Attachments {
			em.Files = append(em.Files, storeFile{s: s.st, ctx: ctx, sha: a.SHA256})
		}
	}
	tmp, err := os.CreateTemp("", "vanthu-axis-out-*.edxml")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	if err := edxml.Write(tmp, em, nil); err != nil {
		return fmt.Errorf("write edXML of %s: %w", m.ID, err)
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	io.WriteString(w, `{"status":"OK","ErrorCode":"0","ErrorDesc":"","data":"`)
	enc := base64.NewEncoder(base64.StdEncoding, w)
	if _, err := io.Copy(enc, tmp); err != nil {
		return nil // the client went away: nothing more to say
	}
	enc.Close()
	io.WriteString(w, "\"}\n")
	s.audit(ctx, call.caller, "read", m.ID, "trục liên thông")
	return nil
}

// axisDocumentID names m in a status message: its edXML DocumentId,
// else our message id.
func axisDocumentID(m store.Message) string {
	if m.Document.DocumentID != "" {
		return m.Document.DocumentID
	}
	return m.ID
}

// storeFile is a blob as an edxml.File.
type storeFile struct {
	s   store.Store
	ctx context.Context
	sha string
}

func (f storeFile) Open() (io.ReadCloser, error) { return f.s.OpenBlob(f.ctx, f.sha) }

// axisUpdate answers updateStatus: the system acknowledges a document.
func (s *Server) axisUpdate(w http.ResponseWriter, r *http.Request, as store.AxisStore, call *axisCall) error {
	ctx := r.Context()
	st := strings.ToLower(call.param("status"))
	if st != "done" && st != "fail" && st != "processing" {
		return axisFail(400, "400", "status phải là done, fail hoặc processing", "status must be done, fail or processing")
	}
	id := call.param("docid")
	if strings.HasPrefix(id, "st-") {
		if _, _, err := s.axisStatusOf(ctx, call, id); err != nil {
			return err
		}
	} else if _, err := s.axisMessage(ctx, call, id); err != nil {
		return err
	}
	if err := as.SetAxisAck(ctx, call.sys.ID, id, store.AxisAck{Status: st, At: s.c.Now().UTC()}); err != nil {
		return err
	}
	writeAxis(w, 200, axisAnswer{Status: "OK", ErrorCode: "0"})
	return nil
}

// axisSentEntry is one line of getSentEdocList: one recipient of one
// document.
type axisSentEntry struct {
	FromCode          string `json:"fromCode"`
	ToCode            string `json:"toCode"`
	SenderDocID       string `json:"senderDocId"`
	ReceiverDocID     string `json:"receiverDocId"`
	SendStatus        string `json:"sendStatus"`
	SendStatusDesc    string `json:"sendStatusDesc"`
	ReceiveStatus     string `json:"receiveStatus"`
	ReceiveStatusDesc string `json:"receiveStatusDesc"`
	SentTime          string `json:"sentTime"`
	ReceivedTime      string `json:"receivedTime"`
	Title             string `json:"title"`
	Notation          string `json:"notation"`
}

// axisSent answers getSentEdocList: each recipient's latest status of
// what the agency sent (of docId only, when given).
func (s *Server) axisSent(w http.ResponseWriter, r *http.Request, call *axisCall) error {
	ctx := r.Context()
	only := call.param("docId")
	out := []axisSentEntry{}
	err := s.eachBoxMessage(ctx, call.agency.Code, store.Outbox, func(m store.Message) bool {
		if only != "" && m.ID != only {
			return true
		}
		for _, d := range m.Deliveries {
			desc := ""
			if d.Status != "" {
				desc = d.Status.Label().VI
			}
			out = append(out, axisSentEntry{FromCode: m.From, ToCode: d.OrganID, SenderDocID: m.ID, ReceiverDocID: m.ID,
				SendStatus: "done", SendStatusDesc: "đã gửi", ReceiveStatus: string(d.Status), ReceiveStatusDesc: desc,
				SentTime: axisTime(m.AcceptedAt), ReceivedTime: axisTime(d.UpdatedAt),
				Title: m.Document.Subject, Notation: m.Document.Code.String()})
		}
		return len(out) < axisListMax
	})
	if err != nil {
		return err
	}
	writeAxis(w, 200, axisAnswer{Status: "OK", ErrorCode: "0", Data: out})
	return nil
}

// axisAgency is the SDK's directory entry.
type axisAgency struct {
	ID   string `json:"id"`
	PID  string `json:"pid"`
	Code string `json:"code"`
	Name string `json:"name"`
	Mail string `json:"mail"`
}

// axisAgencies answers getAgenciesList.
func (s *Server) axisAgencies(w http.ResponseWriter, r *http.Request) error {
	out := []axisAgency{}
	for after := ""; ; {
		as, err := s.st.Agencies(r.Context(), after, 500)
		if err != nil {
			return err
		}
		for _, a := range as {
			out = append(out, axisAgency{ID: a.Code, PID: a.Parent, Code: a.Code, Name: a.Name, Mail: a.Email})
		}
		if len(as) < 500 {
			break
		}
		after = as[len(as)-1].Code
	}
	writeAxis(w, 200, axisAnswer{Status: "OK", ErrorCode: "0", Data: out})
	return nil
}

// NewAxisSystem registers a system of agency for the axis API and
// returns it with its new systemid and secret (given once to the
// agency's IT staff: the secret is what its requests are HMAC'd with).
func NewAxisSystem(ctx context.Context, st store.Store, agency, name string) (store.AxisSystem, error) {
	as, ok := st.(store.AxisStore)
	if !ok {
		return store.AxisSystem{}, errors.New("this store has no axis API")
	}
	if _, err := st.Agency(ctx, agency); err != nil {
		return store.AxisSystem{}, fmt.Errorf("axis system: agency %s: %w", agency, err)
	}
	name = strings.TrimSpace(name)
	if name == "" {
		return store.AxisSystem{}, errors.New("axis system: no name")
	}
	sys := store.AxisSystem{ID: "vts-" + randomHex(8), Agency: agency, Name: name, Secret: randomHex(32), Created: time.Now().UTC()}
	return sys, as.AddAxisSystem(ctx, sys)
}
