package server

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/edoc/edxml"
	"github.com/vanthuso/vanthu/internal/pdftools"
	"github.com/vanthuso/vanthu/server/servertest"
	"github.com/vanthuso/vanthu/server/store"
	"github.com/vanthuso/vanthu/sync/protocol"
)

// sdk is an agency system calling the axis API as the published SDK
// does (DOMAIN.md): every parameter a XroadVnpt- header, the signed
// headers listed and HMAC'd with the secret. Like the SDK it keeps one
// header map across calls.
type sdk struct {
	t              *testing.T
	base           string
	id, secret     string
	from           string
	now            func() time.Time
	headers        map[string]string
	order          []string
	tamper         func(r *http.Request) // after signing
	unsigned       map[string]bool       // headers left out of the signature
	last           http.Header           // the last request's headers
	lastBody       []byte
	lastPath       string
	lastStatusCode int
}

func newSDK(t *testing.T, base string, sys store.AxisSystem, now func() time.Time) *sdk {
	return &sdk{t: t, base: base, id: sys.ID, secret: sys.Secret, from: sys.Agency, now: now, headers: map[string]string{}}
}

func (c *sdk) set(name, value string) {
	k := "XroadVnpt-" + name
	if _, ok := c.headers[k]; !ok {
		c.order = append(c.order, k)
	}
	c.headers[k] = value
}

// call POSTs to path with the call's parameters and body; it returns the
// HTTP status and the decoded answer.
func (c *sdk) call(path string, params map[string]string, body []byte) (int, map[string]any) {
	c.t.Helper()
	c.set("systemid", c.id)
	c.set("servicetype", "eDoc")
	c.set("from", c.from)
	c.set("timestamp", FormatAxisTime(c.now()))
	for k, v := range params {
		c.set(k, v)
	}
	if body != nil {
		sum := sha256.Sum256(bytes.TrimSuffix(body, []byte("\r\n")))
		c.set("hash-file", AxisHashFile(sum[:]))
	}
	var keys []string
	var js strings.Builder
	js.WriteString("{")
	for _, k := range c.order {
		if c.unsigned[strings.TrimPrefix(k, "XroadVnpt-")] {
			continue
		}
		if len(keys) > 0 {
			js.WriteString(",")
		}
		keys = append(keys, k)
		kb, _ := json.Marshal(k)
		vb, _ := json.Marshal(c.headers[k])
		js.Write(kb)
		js.WriteString(":")
		js.Write(vb)
	}
	js.WriteString("}")
	mac := hmac.New(sha256.New, []byte(c.secret))
	mac.Write([]byte(js.String()))
	req, _ := http.NewRequest("POST", c.base+"/axis/"+path, bytes.NewReader(body))
	for _, k := range c.order { // two names that differ in case are two values of one header
		req.Header.Add(k, c.headers[k])
	}
	req.Header.Set("XroadVnpt-sign-header-key", strings.Join(keys, ";"))
	req.Header.Set("XroadVnpt-sign-header", js.String())
	req.Header.Set("XroadVnpt-hash-header", hex.EncodeToString(mac.Sum(nil)))
	req.Header.Set("XroadVnpt-version", "3.0.201608")
	req.Header.Set("User-Agent", "JAVASDKAgent/1.0.0 XRoad/VPCP")
	req.Header.Set("Content-Type", "application/octet-stream")
	if c.tamper != nil {
		c.tamper(req)
	}
	c.last, c.lastBody, c.lastPath = req.Header.Clone(), body, path
	return c.do(req)
}

func (c *sdk) do(req *http.Request) (int, map[string]any) {
	c.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	var ans map[string]any
	data, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(data, &ans); err != nil {
		c.t.Fatalf("%s: answer %d is not JSON: %q", req.URL.Path, resp.StatusCode, data)
	}
	c.lastStatusCode = resp.StatusCode
	return resp.StatusCode, ans
}

// replay sends the last request again, byte for byte.
func (c *sdk) replay() (int, map[string]any) {
	req, _ := http.NewRequest("POST", c.base+"/axis/"+c.lastPath, bytes.NewReader(c.lastBody))
	req.Header = c.last.Clone()
	return c.do(req)
}

// want checks an OK answer.
func want(t *testing.T, what string, code int, ans map[string]any) {
	t.Helper()
	if code != 200 || ans["status"] != "OK" || ans["ErrorCode"] != "0" {
		t.Fatalf("%s: %d %v", what, code, ans)
	}
}

// refused checks a FAIL answer with that HTTP status.
func refused(t *testing.T, what string, wantCode, code int, ans map[string]any) {
	t.Helper()
	if code != wantCode || ans["status"] != "FAIL" || ans["ErrorDesc"] == "" {
		t.Errorf("%s: %d %v, want %d FAIL", what, code, ans, wantCode)
	}
}

// edxmlOf writes a document from → to with one PDF as edXML (the SDK's
// body: the file and CRLF).
func edxmlOf(t *testing.T, from string, to []string, pdf []byte) []byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), "cong-van.pdf")
	os.WriteFile(path, pdf, 0o600)
	doc := servertest.Document(from, to, servertest.Attachment(pdf, "cong-van.pdf", "application/pdf"))
	doc.DocumentID = edoc.DocumentIDFor(from, doc.PromulgationDate, doc.Code)
	var b bytes.Buffer
	if err := edxml.Write(&b, &edxml.Message{Kind: edxml.KindEdoc, Document: &doc, Files: []edxml.File{edxml.PathFile(path)}}, nil); err != nil {
		t.Fatal(err)
	}
	return append(b.Bytes(), '\r', '\n')
}

// TestAxisAPI: an agency system speaking the SDK's wire sends a document
// to an agency on our server, which our own client receives; the
// receiving agency's system lists it, gets it as edXML (file byte for
// byte), acknowledges it; the clerk's registration (03) shows in the
// sender's sent list; a resend is the same document. Then every way an
// attacker could use the authentication is refused.
func TestAxisAPI(t *testing.T) { testAxisAPI(t, boltEnv) }

// TestAxisAPIPostgres: the same on the PostgreSQL store.
func TestAxisAPIPostgres(t *testing.T) { testAxisAPI(t, pgEnv) }

func testAxisAPI(t *testing.T, mk func(*testing.T) *env) {
	e := mk(t)
	ctx := context.Background()
	sysA, err := NewAxisSystem(ctx, e.st, agencyA, "Hệ thống QLVB UBND")
	if err != nil {
		t.Fatal(err)
	}
	sysB, _ := NewAxisSystem(ctx, e.st, agencyB, "Hệ thống QLVB Bộ")
	// Each call is made a little later, as a system's calls are.
	now := func() time.Time { e.clock.Advance(15 * time.Millisecond); return e.clock.Now() }
	a, b := newSDK(t, e.hs.URL, sysA, now), newSDK(t, e.hs.URL, sysB, now)
	clerkB := e.user(agencyB, protocol.RoleClerk)

	pdf := []byte("%PDF-1.7 công văn gửi qua trục liên thông\n%%EOF\n")
	body := edxmlOf(t, agencyA, []string{agencyB}, pdf)
	code, ans := a.call("sendEdoc", map[string]string{"messagetype": "edoc"}, body)
	want(t, "sendEdoc", code, ans)
	docID, _ := ans["DocId"].(string)
	if docID == "" {
		t.Fatalf("no DocId in %v", ans)
	}
	// Our own client of the receiving agency has it in its feed.
	ch := clerkB.Changes("", 0)
	if len(ch.Changes) == 0 || ch.Changes[0].MessageID != docID || ch.Changes[0].Message == nil || ch.Changes[0].Message.Document.Subject == "" {
		t.Fatalf("the receiving agency's feed: %+v", ch.Changes)
	}
	// A resend of the same file is the same document.
	code, ans = a.call("sendEdoc", map[string]string{"messagetype": "edoc"}, body)
	want(t, "sendEdoc again", code, ans)
	if ans["DocId"] != docID {
		t.Errorf("resend: DocId %v, first %s", ans["DocId"], docID)
	}

	code, ans = b.call("getReceivedEdocList", nil, nil)
	want(t, "getReceivedEdocList", code, ans)
	list, _ := ans["data"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["docId"] != docID || list[0].(map[string]any)["from"] != agencyA || list[0].(map[string]any)["status"] != "initial" {
		t.Fatalf("received list %v", list)
	}
	code, ans = b.call("getEdoc", map[string]string{"docId": docID}, nil)
	want(t, "getEdoc", code, ans)
	raw, err := base64.StdEncoding.DecodeString(ans["data"].(string))
	if err != nil {
		t.Fatal(err)
	}
	m, err := edxml.Read(bytes.NewReader(raw), nil)
	if err != nil {
		t.Fatalf("the edXML getEdoc gave: %v", err)
	}
	defer m.Close()
	if m.Document.DocumentID == "" {
		t.Fatal("the document has no DocumentId")
	}
	if m.Document.Subject != servertest.Document(agencyA, nil).Subject || len(m.Files) != 1 || m.Document.From.OrganID != agencyA {
		t.Fatalf("document %+v", m.Document)
	}
	f, _ := m.Files[0].Open()
	got, _ := io.ReadAll(f)
	f.Close()
	if !bytes.Equal(got, pdf) {
		t.Errorf("the attachment came back as %q", got)
	}
	// Another agency's system cannot get it.
	code, ans = a.call("getEdoc", map[string]string{"docId": docID}, nil)
	refused(t, "getEdoc of another agency's document", 404, code, ans)

	code, ans = b.call("updateStatus", map[string]string{"docid": docID, "status": "done"}, nil)
	want(t, "updateStatus", code, ans)
	code, ans = b.call("getReceivedEdocList", nil, nil)
	want(t, "getReceivedEdocList after done", code, ans)
	if l, _ := ans["data"].([]any); len(l) != 0 {
		t.Errorf("acknowledged documents still listed: %v", l)
	}

	// The receiving clerk registers it: 03 reaches the sender's system.
	clerkB.Do("PUT", "/v1/messages/"+docID+"/statuses/"+protocol.NewClientID(), protocol.StatusRequest{Status: edoc.StatusAccepted}, nil).Want(t, 201)
	code, ans = a.call("getSentEdocList", nil, nil)
	want(t, "getSentEdocList", code, ans)
	sent, _ := ans["data"].([]any)
	if len(sent) != 1 {
		t.Fatalf("sent list %v", sent)
	}
	line := sent[0].(map[string]any)
	if line["senderDocId"] != docID || line["toCode"] != agencyB || line["receiveStatus"] != "03" || line["receiveStatusDesc"] == "" {
		t.Errorf("sent line %v", line)
	}
	// Statuses both ways as status messages. The sender's system has
	// the receiver's 01 and 03 in its received list, as edXML status
	// messages about its document.
	code, ans = a.call("getReceivedEdocList", nil, nil)
	want(t, "getReceivedEdocList of the sender", code, ans)
	var codes []string
	for _, x := range ans["data"].([]any) {
		e := x.(map[string]any)
		if e["messageType"] != "status" || e["from"] != agencyB {
			t.Fatalf("sender's received list: %v", e)
		}
		code, got := a.call("getEdoc", map[string]string{"docId": e["docId"].(string)}, nil)
		want(t, "getEdoc of a status", code, got)
		raw, _ := base64.StdEncoding.DecodeString(got["data"].(string))
		sm, err := edxml.Read(bytes.NewReader(raw), nil)
		if err != nil || sm.Kind != edxml.KindStatus || sm.Status.From.OrganID != agencyB || sm.Status.ResponseFor.OrganID != agencyA {
			t.Fatalf("status message: %v %+v", err, sm)
		}
		codes = append(codes, string(sm.Status.Code))
		sm.Close()
		code, got = a.call("updateStatus", map[string]string{"docid": e["docId"].(string), "status": "done"}, nil)
		want(t, "ack of a status", code, got)
	}
	if strings.Join(codes, ",") != "01,03" {
		t.Errorf("statuses to the sender's system: %v", codes)
	}
	code, ans = a.call("getReceivedEdocList", nil, nil)
	if l, _ := ans["data"].([]any); code != 200 || len(l) != 0 {
		t.Errorf("acknowledged statuses still listed: %v", ans)
	}
	// The receiver's system reports 05 as an edXML status message, by
	// the document's edXML DocumentId; our clients and the sender see it.
	statusMsg := func(from string, st edoc.Status, docID string) []byte {
		var b bytes.Buffer
		err := edxml.Write(&b, &edxml.Message{Kind: edxml.KindStatus, Status: &edxml.Status{From: edoc.Organ{OrganID: from, OrganName: "Cơ quan " + from},
			ResponseFor: edoc.ResponseFor{OrganID: agencyA, Code: "05/QĐ-UBND", DocumentID: docID}, Code: st,
			Description: "Đang xử lý", Staff: &edoc.StaffInfo{Department: "Văn phòng", Staff: "Trần Văn B"}, Timestamp: e.clock.Now()}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return append(b.Bytes(), '\r', '\n')
	}
	st05 := statusMsg(agencyB, edoc.StatusProcessing, m.Document.DocumentID)
	code, ans = b.call("sendEdoc", map[string]string{"messagetype": "status"}, st05)
	want(t, "status 05 from the receiver's system", code, ans)
	if ans["DocId"] != docID {
		t.Errorf("status answered DocId %v, want %s", ans["DocId"], docID)
	}
	code, ans = b.call("sendEdoc", map[string]string{"messagetype": "status"}, st05)
	want(t, "the same status again", code, ans)
	code, ans = a.call("getSentEdocList", map[string]string{"docId": docID}, nil)
	if l, _ := ans["data"].([]any); code != 200 || len(l) != 1 || l[0].(map[string]any)["receiveStatus"] != "05" {
		t.Errorf("sent list after 05: %v", ans)
	}
	code, ans = a.call("getReceivedEdocList", nil, nil)
	if l, _ := ans["data"].([]any); code != 200 || len(l) != 1 {
		t.Errorf("the 05 reached the sender's system once: %v", ans)
	}
	// A status of another agency, or about a document not its own.
	code, ans = b.call("sendEdoc", map[string]string{"messagetype": "status"}, statusMsg(agencyC, edoc.StatusDone, docID))
	refused(t, "a status of agency C by B's system", 403, code, ans)
	code, ans = a.call("sendEdoc", map[string]string{"messagetype": "status"}, statusMsg(agencyA, edoc.StatusDone, docID))
	refused(t, "the sender reporting a recipient's status", 403, code, ans)
	code, ans = b.call("sendEdoc", map[string]string{"messagetype": "status"}, statusMsg(agencyB, edoc.StatusDone, "000.00.00.H41,2026/03/05,99/KHONG-CO"))
	refused(t, "a status about no document", 404, code, ans)
	// The status of a message a system cannot see is not its to get.
	code, ans = b.call("getEdoc", map[string]string{"docId": "st-" + docID + "-0"}, nil)
	refused(t, "the receiver getting the sender's status entries", 404, code, ans)

	code, ans = a.call("getAgenciesList", nil, nil)
	want(t, "getAgenciesList", code, ans)
	if l, _ := ans["data"].([]any); len(l) != 3 {
		t.Errorf("directory %v", l)
	}

	// ---- The attacker ----
	// A wrong secret.
	bad := newSDK(t, e.hs.URL, store.AxisSystem{ID: sysA.ID, Agency: agencyA, Secret: strings.Repeat("0", 64)}, now)
	code, ans = bad.call("getReceivedEdocList", nil, nil)
	refused(t, "wrong secret", 401, code, ans)
	// An unknown systemid.
	bad = newSDK(t, e.hs.URL, store.AxisSystem{ID: "vts-khong-co", Agency: agencyA, Secret: sysA.Secret}, now)
	code, ans = bad.call("getReceivedEdocList", nil, nil)
	refused(t, "unknown systemid", 401, code, ans)
	// A stale timestamp, and one from the future.
	for _, skew := range []time.Duration{-AxisSkew - time.Minute, AxisSkew + time.Minute} {
		s := newSDK(t, e.hs.URL, sysA, func() time.Time { return now().Add(skew) })
		code, ans = s.call("getReceivedEdocList", nil, nil)
		refused(t, "timestamp off by "+skew.String(), 401, code, ans)
	}
	// Another agency's systemid: B's system claiming to be A.
	bad = newSDK(t, e.hs.URL, sysB, now)
	bad.from = agencyA
	code, ans = bad.call("getSentEdocList", nil, nil)
	refused(t, "B's systemid with from A", 403, code, ans)
	// A's system sending a document of B.
	code, ans = a.call("sendEdoc", map[string]string{"messagetype": "edoc"}, edxmlOf(t, agencyB, []string{agencyC}, pdf))
	refused(t, "A's system sending B's document", 403, code, ans)
	// A replay of a signed request, byte for byte.
	code, ans = b.call("getReceivedEdocList", nil, nil)
	want(t, "a fresh call", code, ans)
	code, ans = b.replay()
	refused(t, "replay", 401, code, ans)
	// A header changed after signing.
	b.tamper = func(r *http.Request) { r.Header.Set("XroadVnpt-docId", docID+"x") }
	code, ans = b.call("getEdoc", map[string]string{"docId": docID}, nil)
	refused(t, "docId changed after signing", 401, code, ans)
	b.tamper = nil
	// A parameter left out of the signature (a fresh header map: header
	// names are case-insensitive, so b's earlier signed "docid" would
	// rightly cover "docId").
	fresh := newSDK(t, e.hs.URL, sysB, now)
	fresh.unsigned = map[string]bool{"docId": true}
	code, ans = fresh.call("getEdoc", map[string]string{"docId": docID}, nil)
	refused(t, "docId not signed", 401, code, ans)
	fresh.unsigned = map[string]bool{"timestamp": true}
	code, ans = fresh.call("getReceivedEdocList", nil, nil)
	refused(t, "timestamp not signed", 401, code, ans)
	// The signed docid and the docId used differ: "docid" is signed for
	// one document, "docId" (the same header) sent for another.
	b.tamper = func(r *http.Request) { r.Header.Add("XroadVnpt-docId", "khac") }
	code, ans = b.call("updateStatus", map[string]string{"docid": docID, "status": "fail"}, nil)
	want(t, "a second value after the signed one is not used", code, ans)
	b.tamper = nil
	// The file is not the one hashed.
	a.tamper = func(r *http.Request) { r.Header.Set("XroadVnpt-hash-file", AxisHashFile(make([]byte, 32))) }
	a.unsigned = map[string]bool{}
	code, ans = a.call("sendEdoc", map[string]string{"messagetype": "edoc"}, body)
	if code != 401 && code != 400 {
		t.Errorf("hash-file of another file: %d %v", code, ans)
	}
	a.tamper = nil
	// Hostile edXML: a clear refusal, not a hang.
	laughs := []byte(`<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><edXML:edXML xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">&lol2;</edXML:edXML>` + "\r\n")
	code, ans = a.call("sendEdoc", map[string]string{"messagetype": "edoc"}, laughs)
	refused(t, "billion laughs", 400, code, ans)
	// No headers at all; an unknown call; a GET.
	req, _ := http.NewRequest("POST", e.hs.URL+"/axis/getReceivedEdocList", nil)
	code, ans = a.do(req)
	refused(t, "no headers", 401, code, ans)
	code, ans = a.call("deleteAgency", nil, nil)
	refused(t, "unknown call", 404, code, ans)
	req, _ = http.NewRequest("GET", e.hs.URL+"/axis/getReceivedEdocList", nil)
	code, ans = a.do(req)
	refused(t, "GET", 405, code, ans)
}

func TestAxisHashFile(t *testing.T) {
	if got := AxisHashFile([]byte{0x0f, 0x00, 0xab, 0x10}); got != "f0ab10" {
		t.Errorf("AxisHashFile = %q", got)
	}
	ts := time.Date(2026, 12, 2, 8, 52, 15, 864e6, time.UTC)
	if got := FormatAxisTime(ts); got != "02122026T155215+0864" {
		t.Errorf("FormatAxisTime = %q", got)
	}
	back, err := parseAxisTime("02122026T155215+0864")
	if err != nil || !back.Equal(ts.Truncate(time.Second)) {
		t.Errorf("parseAxisTime = %v, %v", back, err)
	}
}

// testCA makes a CA and a certificate it issues (ECDSA, in memory).
func testCA(t *testing.T, name string) (ca *x509.Certificate, leaf *x509.Certificate, key *ecdsa.PrivateKey) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	now := time.Now()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name + " CA"}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, caKey.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ = x509.ParseCertificate(der)
	key, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leafTmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: name}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature}
	der, err = x509.CreateCertificate(rand.Reader, leafTmpl, ca, key.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ = x509.ParseCertificate(der)
	return ca, leaf, key
}

// TestAxisSignedMessages: an edXML message signed by a certificate of
// the trust list is taken; signed by another, or changed after signing,
// it is refused; a Signature of the SDK samples' form (not in the
// XMLDSig namespace: nobody can check it) is taken as unsigned.
func TestAxisSignedMessages(t *testing.T) {
	ca, leaf, key := testCA(t, "UBND tỉnh Nghệ An")
	_, otherLeaf, otherKey := testCA(t, "Kẻ giả mạo")
	e := newEnv(t, func(c *Config) { c.Anchors = []*x509.Certificate{ca} })
	sys, err := NewAxisSystem(context.Background(), e.st, agencyA, "QLVB")
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { e.clock.Advance(10 * time.Millisecond); return e.clock.Now() }
	a := newSDK(t, e.hs.URL, sys, now)
	signed := func(subject string, k *ecdsa.PrivateKey, c *x509.Certificate) []byte {
		pdf := []byte("%PDF-1.7 " + subject + "\n%%EOF\n")
		path := filepath.Join(t.TempDir(), "vb.pdf")
		os.WriteFile(path, pdf, 0o600)
		doc := servertest.Document(agencyA, []string{agencyB}, servertest.Attachment(pdf, "vb.pdf", "application/pdf"))
		doc.Subject = subject
		var b bytes.Buffer
		if err := edxml.Write(&b, &edxml.Message{Kind: edxml.KindEdoc, Document: &doc, Files: []edxml.File{edxml.PathFile(path)}},
			&edxml.WriteOptions{Signer: k, Certificate: c}); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	code, ans := a.call("sendEdoc", map[string]string{"messagetype": "edoc"}, signed("Về việc ký đúng", key, leaf))
	want(t, "signed by the trust list", code, ans)
	code, ans = a.call("sendEdoc", map[string]string{"messagetype": "edoc"}, signed("Về việc ký giả", otherKey, otherLeaf))
	refused(t, "signed by a certificate of no trusted CA", 400, code, ans)
	if d, _ := ans["ErrorDesc"].(string); !strings.Contains(d, "tin cậy") {
		t.Errorf("the refusal says %q", d)
	}
	body := signed("Về việc sửa sau khi ký", key, leaf)
	changed := bytes.Replace(body, []byte("sửa sau"), []byte("sửa SAU"), 1)
	if bytes.Equal(changed, body) {
		t.Fatal("nothing changed")
	}
	code, ans = a.call("sendEdoc", map[string]string{"messagetype": "edoc"}, changed)
	refused(t, "changed after signing", 400, code, ans)
	sdkForm := bytes.ReplaceAll(signed("Về việc chữ ký kiểu mẫu SDK", otherKey, otherLeaf), []byte("http://www.w3.org/2000/09/xmldsig#\""), []byte(edxml.Namespace+"\""))
	code, ans = a.call("sendEdoc", map[string]string{"messagetype": "edoc"}, sdkForm)
	want(t, "a Signature outside the XMLDSig namespace", code, ans)
}

// TestAxisSDKSample: messages of the published SDK's own samples (the
// corpus, each Signature in the SDK's form) sent by the sending agency's
// system are taken and delivered to the recipients this server has: Văn
// phòng Chính phủ to three agencies, one of which is not here; and a
// sample our clients could not send (a recipient "28.22.H17" and a due
// date before the date: edoc.Validate refuses it), with one of our
// agencies added to its recipients: taken from the axis, refused from
// our own client.
func TestAxisSDKSample(t *testing.T) {
	dir, err := pdftools.CorpusDir()
	if err != nil {
		t.Fatal(err)
	}
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, "edxml", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	e := newEnv(t, nil)
	ctx := context.Background()
	const vpcp, h14, g17 = "000.00.00.G22", "000.00.00.H14", "000.00.00.G17"
	if _, err := AddAgency(ctx, e.st, store.Agency{Code: h14, Name: "UBND tỉnh Hải Dương"}); err != nil {
		t.Fatal(err)
	}
	sys, err := NewAxisSystem(ctx, e.st, vpcp, "Hệ thống của Văn phòng Chính phủ")
	if err != nil {
		t.Fatal(err)
	}
	s := newSDK(t, e.hs.URL, sys, func() time.Time { e.clock.Advance(10 * time.Millisecond); return e.clock.Now() })
	send := func(body []byte) string {
		t.Helper()
		code, ans := s.call("sendEdoc", map[string]string{"messagetype": "edoc"}, append(body, '\r', '\n'))
		want(t, "an SDK sample", code, ans)
		return ans["DocId"].(string)
	}
	id := send(read("dc0bdef0-c7a3-4aaf-b717-777303442973.edxml"))
	msg, err := e.st.Message(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(msg.Recipients, []string{agencyA, h14}) || len(msg.Document.To) != 3 || msg.Document.To[2].OrganID != g17 || len(msg.Document.Attachments) == 0 {
		t.Fatalf("delivered to %v (nơi nhận %d): want %s and %s, %s not here", msg.Recipients, len(msg.Document.To), agencyA, h14, g17)
	}

	m, err := edxml.Read(bytes.NewReader(read("edoc_new.edxml")), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if m.Document.Validate() == nil {
		t.Fatal("the sample validates: the test shows nothing")
	}
	m.Document.From.OrganID = vpcp
	m.Document.To = append(m.Document.To, edoc.Organ{OrganID: agencyA, OrganName: "UBND tỉnh Nghệ An"})
	var b bytes.Buffer
	if err := edxml.Write(&b, m, nil); err != nil {
		t.Fatal(err)
	}
	id = send(b.Bytes())
	if msg, err = e.st.Message(ctx, id); err != nil || !slices.Equal(msg.Recipients, []string{agencyA}) {
		t.Fatalf("delivered to %v (%v)", msg.Recipients, err)
	}
	c := e.user(vpcp, protocol.RoleClerk)
	c.Upload(mustReadBlob(t, e.st, msg.Document.Attachments[0].SHA256), 1<<20)
	c.Send(protocol.NewClientID(), msg.Document).WantError(t, 400, protocol.CodeBadRequest)
	// Nobody of its recipients here: refused.
	m.Document.To = m.Document.To[:len(m.Document.To)-1]
	b.Reset()
	if err := edxml.Write(&b, m, nil); err != nil {
		t.Fatal(err)
	}
	code, ans := s.call("sendEdoc", map[string]string{"messagetype": "edoc"}, b.Bytes())
	refused(t, "no recipient here", 422, code, ans)
}

func mustReadBlob(t *testing.T, st store.Store, sha string) []byte {
	t.Helper()
	r, err := st.OpenBlob(context.Background(), sha)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
