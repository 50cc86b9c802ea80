// Package servertest drives the reference server's HTTP API from tests:
// a small client that shows every answer as it came (status, headers,
// bytes), in-memory identities, valid documents. It is for tests only
// (release binaries do not link it): the real client is sync/client.
//
//	c := servertest.NewClient(t, "https://"+addr, roots)
//	c.SignIn(id.Key, id.Cert)
//	up := c.Upload(data, 64<<10)
//	a := c.Send(protocol.NewClientID(), servertest.Document(from, []string{to}, servertest.PDF(data)))
package servertest

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/sync/protocol"
)

// Client talks to one server as one user.
type Client struct {
	T     testing.TB
	Base  string // https://host:port
	HTTP  *http.Client
	Token string // the session, once signed in
}

// NewClient returns a client of base trusting roots (nil: the system's).
func NewClient(t testing.TB, base string, roots *x509.CertPool) *Client {
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}, MaxIdleConnsPerHost: 16}
	t.Cleanup(tr.CloseIdleConnections)
	return &Client{T: t, Base: base, HTTP: &http.Client{Transport: tr, Timeout: 2 * time.Minute}}
}

// Answer is an answer as it came.
type Answer struct {
	Status int
	Header http.Header
	Body   []byte
}

// Decode decodes the body into v, failing the test if it is not JSON.
func (a *Answer) Decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(a.Body, v); err != nil {
		t.Fatalf("answer %d %q: %v", a.Status, a.Body, err)
	}
}

// Error decodes an error answer.
func (a *Answer) Error(t testing.TB) protocol.Error {
	t.Helper()
	var b protocol.ErrorBody
	a.Decode(t, &b)
	if a.Status < 400 || b.Error.Code == "" {
		t.Fatalf("want an error answer, got %d %s", a.Status, a.Body)
	}
	return b.Error
}

// Want fails the test unless the answer has status.
func (a *Answer) Want(t testing.TB, status int) *Answer {
	t.Helper()
	if a.Status != status {
		t.Fatalf("answer %d %s, want %d", a.Status, a.Body, status)
	}
	return a
}

// WantError fails the test unless the answer is an error with status
// and code.
func (a *Answer) WantError(t testing.TB, status int, code string) protocol.Error {
	t.Helper()
	e := a.Error(t)
	if a.Status != status || e.Code != code {
		t.Fatalf("answer %d %s, want %d %s", a.Status, a.Body, status, code)
	}
	return e
}

// Do sends a request: body nil, []byte (sent as is) or a value sent as
// JSON. The protocol header and the session go with it.
func (c *Client) Do(method, path string, body any, header http.Header) *Answer {
	c.T.Helper()
	a, err := c.TryDo(method, path, body, header)
	if err != nil {
		c.T.Fatalf("%s %s: %v", method, path, err)
	}
	return a
}

// TryDo is Do returning transport errors.
func (c *Client) TryDo(method, path string, body any, header http.Header) (*Answer, error) {
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		r = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			return nil, err
		}
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, c.Base+path, r)
	if err != nil {
		return nil, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if req.Header.Get(protocol.HeaderVersion) == "" {
		req.Header.Set(protocol.HeaderVersion, strconv.Itoa(protocol.Version))
	}
	if c.Token != "" && req.Header.Get("Authorization") == "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	return &Answer{Status: resp.StatusCode, Header: resp.Header, Body: data}, nil
}

// Challenge asks a challenge for cert.
func (c *Client) Challenge(cert *x509.Certificate) (protocol.Challenge, *Answer) {
	c.T.Helper()
	a := c.Do("POST", "/v1/auth/challenge", protocol.ChallengeRequest{Certificate: cert.Raw}, nil)
	var ch protocol.Challenge
	if a.Status == 200 {
		a.Decode(c.T, &ch)
	}
	return ch, a
}

// SignChallenge signs ch for cert with key, as a token does.
func SignChallenge(t testing.TB, key crypto.Signer, cert *x509.Certificate, ch protocol.Challenge) []byte {
	t.Helper()
	digest := sha256.Sum256(ch.SignedBytes(CertSHA(cert)))
	sig, err := key.Sign(rand.Reader, digest[:], crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

// SignIn signs in with key and cert and keeps the session; it fails the
// test when the server refuses.
func (c *Client) SignIn(key crypto.Signer, cert *x509.Certificate) protocol.Session {
	c.T.Helper()
	ch, a := c.Challenge(cert)
	a.Want(c.T, 200)
	a = c.Do("POST", "/v1/auth/session", protocol.SessionRequest{ChallengeID: ch.ID, Certificate: cert.Raw,
		Signature: SignChallenge(c.T, key, cert, ch)}, nil)
	a.Want(c.T, 200)
	var s protocol.Session
	a.Decode(c.T, &s)
	c.Token = s.Token
	return s
}

// SHA256 is the lower-case hex SHA-256 of data.
func SHA256(data []byte) string {
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:])
}

// CertSHA is the lower-case hex SHA-256 of cert's DER.
func CertSHA(cert *x509.Certificate) string { return SHA256(cert.Raw) }

// StartUpload is POST /v1/uploads for data.
func (c *Client) StartUpload(data []byte) (protocol.Upload, *Answer) {
	c.T.Helper()
	a := c.Do("POST", "/v1/uploads", protocol.UploadRequest{SHA256: SHA256(data), Size: int64(len(data))}, nil)
	var u protocol.Upload
	if a.Status < 300 {
		a.Decode(c.T, &u)
	}
	return u, a
}

// Patch sends data[off:end] as one chunk with its checksum.
func (c *Client) Patch(id string, off int64, chunk []byte) *Answer {
	c.T.Helper()
	h := http.Header{}
	h.Set(protocol.HeaderUploadOffset, strconv.FormatInt(off, 10))
	h.Set(protocol.HeaderChunkSHA256, SHA256(chunk))
	return c.Do("PATCH", "/v1/uploads/"+id, chunk, h)
}

// Upload uploads data in chunks of at most chunk bytes; it fails the
// test on any refusal.
func (c *Client) Upload(data []byte, chunk int) protocol.Upload {
	c.T.Helper()
	u, a := c.StartUpload(data)
	if a.Status >= 300 {
		c.T.Fatalf("start upload: %d %s", a.Status, a.Body)
	}
	for !u.Complete {
		end := min(u.Offset+int64(chunk), int64(len(data)))
		a := c.Patch(u.ID, u.Offset, data[u.Offset:end]).Want(c.T, 200)
		a.Decode(c.T, &u)
	}
	return u
}

// Send is PUT /v1/messages/{clientID}.
func (c *Client) Send(clientID string, doc edoc.Document) *Answer {
	c.T.Helper()
	return c.Do("PUT", "/v1/messages/"+clientID, protocol.SendRequest{Document: doc}, nil)
}

// Status is PUT /v1/messages/{id}/statuses/{clientID}.
func (c *Client) Status(msgID, clientID string, req protocol.StatusRequest) *Answer {
	c.T.Helper()
	return c.Do("PUT", "/v1/messages/"+msgID+"/statuses/"+clientID, req, nil)
}

// Work is PUT /v1/work/{clientID}: one action on the agency's case.
func (c *Client) Work(clientID string, req protocol.ActionRequest) *Answer {
	c.T.Helper()
	return c.Do("PUT", "/v1/work/"+clientID, req, nil)
}

// Act is Work with a fresh client id, wanting 201; it returns the
// answer decoded.
func (c *Client) Act(req protocol.ActionRequest) protocol.ActionAnswer {
	c.T.Helper()
	var ans protocol.ActionAnswer
	c.Work(protocol.NewClientID(), req).Want(c.T, 201).Decode(c.T, &ans)
	return ans
}

// Changes is GET /v1/changes; it fails the test on an error answer.
func (c *Client) Changes(cursor string, wait int) protocol.Changes {
	c.T.Helper()
	a := c.Do("GET", fmt.Sprintf("/v1/changes?cursor=%s&wait=%d", cursor, wait), nil, nil).Want(c.T, 200)
	var ch protocol.Changes
	a.Decode(c.T, &ch)
	return ch
}

// Identity is an in-memory key and a self-signed certificate for it.
type Identity struct {
	Key  crypto.Signer
	Cert *x509.Certificate
}

// NewIdentity makes an identity valid from notBefore to notAfter (zero:
// an hour ago, a day from now), with an ECDSA P-256 key, or RSA 2048
// when rsaKey is set.
func NewIdentity(t testing.TB, name string, rsaKey bool, notBefore, notAfter time.Time) Identity {
	t.Helper()
	var key crypto.Signer
	var err error
	if rsaKey {
		key, err = rsa.GenerateKey(rand.Reader, 2048)
	} else {
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	if err != nil {
		t.Fatal(err)
	}
	if notBefore.IsZero() {
		notBefore = time.Now().Add(-time.Hour)
	}
	if notAfter.IsZero() {
		notAfter = time.Now().Add(24 * time.Hour)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: name}, NotBefore: notBefore, NotAfter: notAfter,
		KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return Identity{Key: key, Cert: cert}
}

// Attachment names data as the main document of a message.
func Attachment(data []byte, name, contentType string) edoc.Attachment {
	return edoc.Attachment{Role: edoc.RoleMain, Name: name, ContentType: contentType, SHA256: SHA256(data), Size: int64(len(data))}
}

// Document is a valid document (edoc's Validate passes) from agency from
// to the recipients, with the attachments given (the first should be the
// main one).
func Document(from string, to []string, attachments ...edoc.Attachment) edoc.Document {
	d := edoc.Document{
		From:             edoc.Organ{OrganID: from, OrganName: "Cơ quan " + from},
		Code:             edoc.Code{CodeNumber: "05", CodeNotation: "QĐ-UBND"},
		Place:            "Nghệ An",
		PromulgationDate: edoc.Date{Year: 2026, Month: 3, Day: 5},
		Type:             edoc.DocumentType{TypeName: "Quyết định"},
		Subject:          "Về việc ban hành quy chế tiếp nhận văn bản điện tử",
		Signer:           edoc.Signer{Competence: "TM. ỦY BAN NHÂN DÂN", Position: "Chủ tịch", FullName: "Nguyễn Văn An"},
		Attachments:      attachments,
	}
	for _, r := range to {
		d.To = append(d.To, edoc.Organ{OrganID: r, OrganName: "Cơ quan " + r})
	}
	return d
}
