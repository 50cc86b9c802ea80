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
	return getPage(c, ctx, "list cases", "/v1/cases", url.Values{}, after, func(p *protocol.CasePage) string { return p.Next })
}

// Register is one page of GET /v1/registers/{kind}?year= (after "" from
// the first number).
func (c *Client) Register(ctx context.Context, kind edoc.RegisterKind, year int, after string) (protocol.RegisterPage, error) {
	v := url.Values{}
	v.Set("year", strconv.Itoa(year))
	return getPage(c, ctx, "list register", "/v1/registers/"+url.PathEscape(string(kind)), v, after,
		func(p *protocol.RegisterPage) string { return p.Next })
}

// Audit is one page of GET /v1/audit (the agency's admin only).
func (c *Client) Audit(ctx context.Context, after string) (protocol.AuditPage, error) {
	return getPage(c, ctx, "list audit", "/v1/audit", url.Values{}, after, func(p *protocol.AuditPage) string { return p.Next })
}

// getPage GETs one page of a list at path with the query v and the page
// mark after ("" from the first). A next mark equal to after is a bad
// answer: a client following it would ask for the same page for ever.
func getPage[P any](c *Client, ctx context.Context, what, path string, v url.Values, after string, next func(*P) string) (P, error) {
	if after != "" {
		v.Set("after", after)
	}
	var p P
	if _, err := c.call(ctx, request{method: http.MethodGet, path: path, query: v}, &p); err != nil {
		return p, err
	}
	if n := next(&p); n != "" && n == after {
		var zero P
		return zero, fmt.Errorf("%s: %w: the next page mark %q does not move", what, ErrBadAnswer, after)
	}
	return p, nil
}

// Staff is GET /v1/staff: the enabled users of the caller's agency.
func (c *Client) Staff(ctx context.Context) ([]protocol.User, error) {
	var st protocol.Staff
	_, err := c.call(ctx, request{method: http.MethodGet, path: "/v1/staff"}, &st)
	return st.Users, err
}
