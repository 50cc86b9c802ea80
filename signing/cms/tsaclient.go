package cms

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"encoding/asn1"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// maxResponse bounds a time-stamp authority's answer.
const maxResponse = 1 << 20

// defaultHTTPClient is used when TSAClient.HTTPClient is nil: the context
// bounds a request, this bounds a context without deadline.
var defaultHTTPClient = &http.Client{Timeout: 60 * time.Second}

// TSAClient asks an RFC 3161 time-stamp authority over HTTP(S). It
// implements Timestamper. The zero value is not usable: URL is required.
type TSAClient struct {
	URL string
	// HTTPClient is used for requests; nil means a client with a 60 s
	// timeout. The context passed to Timestamp also bounds each request.
	HTTPClient *http.Client
	// Username and Password, when Username is set, go as HTTP basic auth.
	Username, Password string
	// Policy, when set, is requested (reqPolicy) and must be the token's.
	Policy asn1.ObjectIdentifier
	// Hash is the hash ProbeSize uses (default SHA-256); Timestamp uses the
	// hash it is given.
	Hash crypto.Hash
}

// TSAError is the error TSAClient returns: the server was unreachable,
// answered an HTTP error, refused the request, or answered something that
// does not check out.
type TSAError struct {
	URL        string // the server, credentials redacted
	HTTPStatus int    // the HTTP status when it was not 200, else 0
	Rejected   bool   // the server answered with a PKI status other than granted
	PKIStatus  int    // that status, when Rejected
	Err        error  // the underlying error (network, context, validation), may be nil
	msg        string
}

func (e *TSAError) Error() string { return e.msg }
func (e *TSAError) Unwrap() error { return e.Err }

func (c *TSAClient) fail(u string, err error, format string, args ...any) *TSAError {
	msg := fmt.Sprintf("timestamp: server %s ", u) + fmt.Sprintf(format, args...)
	if err != nil {
		msg += ": " + err.Error()
	}
	return &TSAError{URL: u, Err: err, msg: msg}
}

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Redacted()
}

// newNonce returns a random positive 63-bit nonce with bit 62 set, so its
// DER encoding always takes 8 content bytes and token sizes stay stable.
func newNonce() (*big.Int, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	v := binary.BigEndian.Uint64(b[:])&(1<<63-1) | 1<<62
	return new(big.Int).SetUint64(v), nil
}

// Timestamp asks the server for a token over digest (of hash h) with a
// fresh nonce and certReq set, and validates the answer: HTTP 200, status
// granted or grantedWithMods, the nonce echoed, the message imprint (and
// the policy, if one was asked) matching, the token's signature verifying
// with an embedded certificate that has the timeStamping extended key
// usage. It returns the token (a DER ContentInfo). Errors are *TSAError.
func (c *TSAClient) Timestamp(ctx context.Context, digest []byte, h crypto.Hash) ([]byte, error) {
	u := redact(c.URL)
	if c.URL == "" {
		return nil, &TSAError{msg: "timestamp: no server address configured"}
	}
	if h == 0 || !h.Available() || len(digest) != h.Size() {
		return nil, c.fail(u, nil, "not asked: digest of %d bytes does not fit %v", len(digest), hashName(h))
	}
	nonce, err := newNonce()
	if err != nil {
		return nil, c.fail(u, err, "not asked: nonce")
	}
	q := TimestampRequest{Hash: h, HashedMessage: digest, Policy: c.Policy, Nonce: nonce, CertReq: true}
	body, err := q.Marshal()
	if err != nil {
		return nil, c.fail(u, err, "not asked")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader(body))
	if err != nil {
		return nil, c.fail(u, err, "not asked")
	}
	req.Header.Set("Content-Type", "application/timestamp-query")
	req.Header.Set("Accept", "application/timestamp-reply")
	if c.Username != "" {
		req.SetBasicAuth(c.Username, c.Password)
	}
	hc := c.HTTPClient
	if hc == nil {
		hc = defaultHTTPClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		// Do's error repeats the URL; keep the cause only.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, c.fail(u, err, "unreachable")
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		e := c.fail(u, nil, "answered HTTP %d", resp.StatusCode)
		e.HTTPStatus = resp.StatusCode
		return nil, e
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err != nil {
		return nil, c.fail(u, err, "answer could not be read")
	}
	if len(raw) > maxResponse {
		return nil, c.fail(u, nil, "answered more than %d bytes", maxResponse)
	}
	tr, err := ParseTimestampResponse(raw)
	if err != nil {
		return nil, c.fail(u, err, "answered something that is not a timestamp response")
	}
	if tr.Status != StatusGranted && tr.Status != StatusGrantedWithMods {
		detail := []string{fmt.Sprintf("status %d", tr.Status)}
		detail = append(detail, tr.FailureNames()...)
		if len(tr.StatusStrings) > 0 {
			detail = append(detail, fmt.Sprintf("%q", strings.Join(tr.StatusStrings, "; ")))
		}
		e := c.fail(u, nil, "refused the request (%s)", strings.Join(detail, ", "))
		e.Rejected, e.PKIStatus = true, tr.Status
		return nil, e
	}
	if tr.Token == nil {
		return nil, c.fail(u, nil, "granted the request but sent no token")
	}
	ts, err := ParseTimestampToken(tr.Token)
	if err != nil {
		return nil, c.fail(u, err, "sent an unreadable token")
	}
	if ts.Nonce == nil || ts.Nonce.Cmp(nonce) != 0 {
		return nil, c.fail(u, nil, "sent a token with the wrong nonce")
	}
	if !ts.imprintMatches(digest, h) {
		return nil, c.fail(u, nil, "sent a token for another message imprint")
	}
	if len(c.Policy) > 0 && !ts.Policy.Equal(c.Policy) {
		return nil, c.fail(u, nil, "sent a token with policy %v, not %v", ts.Policy, c.Policy)
	}
	if _, err := ts.Verify(); err != nil {
		return nil, c.fail(u, err, "sent a token that does not verify")
	}
	return ts.Raw, nil
}

// ProbeSize asks for a timestamp over a random digest of c.Hash and
// returns the token's DER size, so a signer can reserve room before its
// one signature. Tokens of the same server differ by a few bytes (serial
// number, time fraction, ECDSA signature length): add a margin.
func (c *TSAClient) ProbeSize(ctx context.Context) (int, error) {
	h := c.Hash
	if h == 0 {
		h = crypto.SHA256
	}
	if !h.Available() {
		return 0, fmt.Errorf("timestamp: hash %v not available", hashName(h))
	}
	d := make([]byte, h.Size())
	if _, err := rand.Read(d); err != nil {
		return 0, fmt.Errorf("timestamp: probe: %w", err)
	}
	tok, err := c.Timestamp(ctx, d, h)
	if err != nil {
		return 0, err
	}
	return len(tok), nil
}
