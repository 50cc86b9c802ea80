package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/sync/protocol"
)

// Work is PUT /v1/work/{clientActionId}: one action on the agency's
// case. The same id with the same request may be sent again (after a
// lost answer): the server answers the first answer.
func (c *Client) Work(ctx context.Context, clientActionID string, req protocol.ActionRequest) (protocol.ActionAnswer, error) {
	if !protocol.ValidClientID(clientActionID) {
		return protocol.ActionAnswer{}, fmt.Errorf("work %s: client id %q is not valid", req.Action, clientActionID)
	}
	body, err := json.Marshal(req)
	if err != nil {
		return protocol.ActionAnswer{}, fmt.Errorf("work %s: %w", req.Action, err)
	}
	var a protocol.ActionAnswer
	_, err = c.call(ctx, request{method: http.MethodPut, path: "/v1/work/" + clientActionID, body: body}, &a)
	return a, err
}

// Cases is one page of GET /v1/cases (after "" from the first).
func (c *Client) Cases(ctx context.Context, after string) (protocol.CasePage, error) {
	v := url.Values{}
	if after != "" {
		v.Set("after", after)
	}
	var p protocol.CasePage
	_, err := c.call(ctx, request{method: http.MethodGet, path: "/v1/cases", query: v}, &p)
	if err == nil && p.Next != "" && p.Next == after {
		return protocol.CasePage{}, fmt.Errorf("list cases: %w: the next page mark %q does not move", ErrBadAnswer, after)
	}
	return p, err
}

// Register is one page of GET /v1/registers/{kind}?year= (after "" from
// the first number).
func (c *Client) Register(ctx context.Context, kind edoc.RegisterKind, year int, after string) (protocol.RegisterPage, error) {
	v := url.Values{}
	v.Set("year", strconv.Itoa(year))
	if after != "" {
		v.Set("after", after)
	}
	var p protocol.RegisterPage
	_, err := c.call(ctx, request{method: http.MethodGet, path: "/v1/registers/" + url.PathEscape(string(kind)), query: v}, &p)
	if err == nil && p.Next != "" && p.Next == after {
		return protocol.RegisterPage{}, fmt.Errorf("list register: %w: the next page mark %q does not move", ErrBadAnswer, after)
	}
	return p, err
}

// Audit is one page of GET /v1/audit (the agency's admin only).
func (c *Client) Audit(ctx context.Context, after string) (protocol.AuditPage, error) {
	v := url.Values{}
	if after != "" {
		v.Set("after", after)
	}
	var p protocol.AuditPage
	_, err := c.call(ctx, request{method: http.MethodGet, path: "/v1/audit", query: v}, &p)
	if err == nil && p.Next != "" && p.Next == after {
		return protocol.AuditPage{}, fmt.Errorf("list audit: %w: the next page mark %q does not move", ErrBadAnswer, after)
	}
	return p, err
}

// Staff is GET /v1/staff: the enabled users of the caller's agency.
func (c *Client) Staff(ctx context.Context) ([]protocol.User, error) {
	var st protocol.Staff
	_, err := c.call(ctx, request{method: http.MethodGet, path: "/v1/staff"}, &st)
	return st.Users, err
}
