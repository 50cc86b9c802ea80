package server

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/vanthuso/vanthu/server/store"
	"github.com/vanthuso/vanthu/sync/protocol"
)

// TestErrorModel: the version header both ways, and every failure as an
// ErrorBody: an unknown path, a method not allowed, a missing or other
// protocol version.
func TestErrorModel(t *testing.T) {
	e := newEnv(t, nil)
	c := e.user(agencyA, protocol.RoleClerk)
	a := c.Do("GET", "/v1/me", nil, nil).Want(t, 200)
	if a.Header.Get(protocol.HeaderVersion) != "1" {
		t.Fatalf("answer without %s", protocol.HeaderVersion)
	}
	c.Do("GET", "/v1/nothing-here", nil, nil).WantError(t, 404, protocol.CodeNotFound)
	c.Do("GET", "/", nil, nil).WantError(t, 404, protocol.CodeNotFound)
	a = c.Do("DELETE", "/v1/me", nil, nil)
	a.WantError(t, 405, protocol.CodeBadRequest)
	if !strings.Contains(a.Header.Get("Allow"), "GET") {
		t.Errorf("405 without Allow: %v", a.Header)
	}
	for _, v := range []string{"2", "0", "x"} {
		a := c.Do("GET", "/v1/me", nil, http.Header{protocol.HeaderVersion: {v}})
		a.WantError(t, 400, protocol.CodeUnsupportedVersion)
		if a.Header.Get(protocol.HeaderVersion) != "1" {
			t.Fatal("the refusal does not say which version the server speaks")
		}
	}
	req, _ := http.NewRequest("GET", e.hs.URL+"/v1/me", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Fatalf("a request without the version header: %d, want 400", resp.StatusCode)
	}
	// Bodies: not JSON, two values, too large.
	c.Do("POST", "/v1/uploads", []byte("{"), nil).WantError(t, 400, protocol.CodeBadRequest)
	c.Do("POST", "/v1/uploads", []byte(`{"sha256":"x","size":1} {}`), nil).WantError(t, 400, protocol.CodeBadRequest)
	c.Do("POST", "/v1/uploads", []byte(`{"sha256":"`+strings.Repeat("a", 2<<20)+`"}`), nil).WantError(t, 413, protocol.CodeTooLarge)
}

// panicking is a store whose directory listing panics.
type panicking struct{ store.Store }

func (panicking) Agencies(context.Context, string, int) ([]store.Agency, error) { panic("boom") }

// TestPanicAnswered: a panic in a handler is CodeInternal in the error
// model, and the server goes on.
func TestPanicAnswered(t *testing.T) {
	base := newEnv(t, nil)
	e := newEnvStore(t, panicking{base.st}, nil)
	c := e.user(agencyA, protocol.RoleClerk)
	err := c.Do("GET", "/v1/directory", nil, nil).WantError(t, 500, protocol.CodeInternal)
	if !err.Retryable || strings.Contains(err.Message, "boom") {
		t.Fatalf("internal error %+v: want retryable, without the panic's text", err)
	}
	c.Do("GET", "/v1/me", nil, nil).Want(t, 200)
}

// TestDirectoryPublicOnly: the directory pages through agencies, finds
// them by code or by name without diacritics, and says nothing about
// users or certificates.
func TestDirectoryPublicOnly(t *testing.T) {
	e := newEnv(t, nil)
	c := e.user(agencyA, protocol.RoleOfficer)
	if _, err := AddAgency(context.Background(), e.st, store.Agency{Code: "000.00.00.H40", Name: "Ủy ban nhân dân tỉnh Nghệ An"}); err != nil {
		t.Fatal(err)
	}
	var p protocol.DirectoryPage
	c.Do("GET", "/v1/directory?limit=2", nil, nil).Want(t, 200).Decode(t, &p)
	if len(p.Agencies) != 2 || p.Next == "" {
		t.Fatalf("first page %+v", p)
	}
	var all []protocol.Agency
	all = append(all, p.Agencies...)
	next := p.Next
	p = protocol.DirectoryPage{}
	c.Do("GET", "/v1/directory?limit=2&after="+next, nil, nil).Want(t, 200).Decode(t, &p)
	all = append(all, p.Agencies...)
	if len(all) != 4 || p.Next != "" {
		t.Fatalf("directory %+v, next %q", all, p.Next)
	}
	a := c.Do("GET", "/v1/directory?q=uy+ban+nghe", nil, nil).Want(t, 200)
	a.Decode(t, &p)
	if len(p.Agencies) != 1 || p.Agencies[0].Code != "000.00.00.H40" {
		t.Fatalf("search by name: %+v", p.Agencies)
	}
	c.Do("GET", "/v1/directory?q=000.00.00.G", nil, nil).Want(t, 200).Decode(t, &p)
	if len(p.Agencies) != 1 || p.Agencies[0].Code != agencyB {
		t.Fatalf("search by code: %+v", p.Agencies)
	}
	body := string(c.Do("GET", "/v1/directory", nil, nil).Body)
	for _, private := range []string{"cert", "user", "Nguyễn", "roles"} {
		if strings.Contains(body, private) {
			t.Fatalf("the directory shows %q: %s", private, body)
		}
	}
}
