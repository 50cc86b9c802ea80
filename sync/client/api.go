package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/vanthuso/vanthu/sync/protocol"
)

// Directory is GET /v1/directory: one page of agencies whose name or mã
// định danh matches q ("" lists all), after the code after ("" from the
// start); limit ≤ 0 lets the server choose.
func (c *Client) Directory(ctx context.Context, q, after string, limit int) (protocol.DirectoryPage, error) {
	v := url.Values{}
	if q != "" {
		v.Set("q", q)
	}
	if after != "" {
		v.Set("after", after)
	}
	if limit > 0 {
		v.Set("limit", strconv.Itoa(limit))
	}
	var p protocol.DirectoryPage
	_, err := c.call(ctx, request{method: http.MethodGet, path: "/v1/directory", query: v}, &p)
	return p, err
}

// MarshalSend is the body of a send: the JSON of req. The caller stores
// these bytes with the outbox entry and passes the same bytes to every
// attempt of Send, so that a retry is byte-identical to the first try
// (the server refuses another body under the same id).
func MarshalSend(req protocol.SendRequest) ([]byte, error) {
	b, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("encode send: %w", err)
	}
	return b, nil
}

// Send is PUT /v1/messages/{clientMsgID} with body (MarshalSend's
// bytes). A replay of the same id and body answers what the first
// answered. The answer must name clientMsgID and a message id.
func (c *Client) Send(ctx context.Context, clientMsgID string, body []byte) (protocol.SendAnswer, error) {
	if !protocol.ValidClientID(clientMsgID) {
		return protocol.SendAnswer{}, fmt.Errorf("send: client id %q is not valid", clientMsgID)
	}
	var a protocol.SendAnswer
	r := request{method: http.MethodPut, path: "/v1/messages/" + clientMsgID, body: body}
	if _, err := c.call(ctx, r, &a); err != nil {
		return protocol.SendAnswer{}, err
	}
	if a.MessageID == "" || (a.ClientMsgID != "" && a.ClientMsgID != clientMsgID) {
		return protocol.SendAnswer{}, fmt.Errorf("send %s: %w: message id %q, client id %q", clientMsgID, ErrBadAnswer, a.MessageID, a.ClientMsgID)
	}
	a.ClientMsgID = clientMsgID
	return a, nil
}

// SendStatus is PUT /v1/messages/{messageID}/statuses/{clientStatusID}:
// the recipient's (or issuer's) status for a message, idempotent by
// clientStatusID like a send.
func (c *Client) SendStatus(ctx context.Context, messageID, clientStatusID string, req protocol.StatusRequest) (protocol.StatusAnswer, error) {
	if !protocol.ValidClientID(clientStatusID) {
		return protocol.StatusAnswer{}, fmt.Errorf("send status: client id %q is not valid", clientStatusID)
	}
	if messageID == "" {
		return protocol.StatusAnswer{}, fmt.Errorf("send status %s: no message id", clientStatusID)
	}
	body, err := json.Marshal(req)
	if err != nil {
		return protocol.StatusAnswer{}, fmt.Errorf("send status: %w", err)
	}
	var a protocol.StatusAnswer
	r := request{method: http.MethodPut, path: "/v1/messages/" + url.PathEscape(messageID) + "/statuses/" + clientStatusID, body: body}
	if _, err := c.call(ctx, r, &a); err != nil {
		return protocol.StatusAnswer{}, err
	}
	return a, nil
}

// Changes is GET /v1/changes: the changes after cursor ("" from the
// start). With wait > 0 it is a long poll: the server answers as soon as
// there is something, else after at most wait (capped at
// protocol.MaxWait seconds); the request's time limit is wait plus
// HTTPTimeout. The answer always has a cursor; a Reset answer has no
// changes.
func (c *Client) Changes(ctx context.Context, cursor string, wait time.Duration) (protocol.Changes, error) {
	secs := int(wait / time.Second)
	secs = min(max(secs, 0), protocol.MaxWait)
	v := url.Values{}
	v.Set("cursor", cursor)
	v.Set("wait", strconv.Itoa(secs))
	var ch protocol.Changes
	r := request{method: http.MethodGet, path: "/v1/changes", query: v, timeout: time.Duration(secs)*time.Second + c.timeout}
	if _, err := c.call(ctx, r, &ch); err != nil {
		return protocol.Changes{}, err
	}
	if ch.Cursor == "" || (ch.Reset && len(ch.Changes) > 0) {
		return protocol.Changes{}, fmt.Errorf("changes: %w: cursor %q, reset %v with %d changes", ErrBadAnswer, ch.Cursor, ch.Reset, len(ch.Changes))
	}
	ch.Backoff = max(ch.Backoff, 0)
	return ch, nil
}

// Messages is GET /v1/messages: one page of the box ("inbox" or
// "outbox"), after the page mark after ("" from the start). It is what a
// client lists after a Reset.
func (c *Client) Messages(ctx context.Context, box, after string) (protocol.MessagePage, error) {
	if box != "inbox" && box != "outbox" {
		return protocol.MessagePage{}, fmt.Errorf("list messages: box %q: want inbox or outbox", box)
	}
	v := url.Values{}
	v.Set("box", box)
	return getPage(c, ctx, "list messages", "/v1/messages", v, after, func(p *protocol.MessagePage) string { return p.Next })
}

// Message is GET /v1/messages/{id}.
func (c *Client) Message(ctx context.Context, id string) (protocol.Message, error) {
	var m protocol.Message
	_, err := c.call(ctx, request{method: http.MethodGet, path: "/v1/messages/" + url.PathEscape(id)}, &m)
	return m, err
}
