package demo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/internal/testpki"
	"github.com/vanthuso/vanthu/server/store"
	"github.com/vanthuso/vanthu/sync/protocol"
)

// DemoUser is a user the demo server knows, bound to a certificate on one
// of the demo tokens.
type DemoUser struct {
	ID       string
	Agency   string // mã định danh
	Name     string
	Position string
	Roles    []protocol.Role
	Token    string // label of the token holding the certificate
	identity func(*testpki.PKI) testpki.Identity
}

// Users are the demo server's users, one on each demo token: the leader
// and the clerk of UBND tỉnh Nghệ An, the clerks of Sở Tài chính and Sở
// Nội vụ. A clerk signs in with the agency's seal certificate, as a văn
// thư holds the agency's token.
var Users = []DemoUser{
	{ID: "lanh-dao-ubnd", Agency: edoc.DemoProvince, Name: "Nguyễn Văn An", Position: "Chủ tịch",
		Roles: []protocol.Role{protocol.RoleLeader}, Token: testpki.LeaderToken,
		identity: func(p *testpki.PKI) testpki.Identity { return p.Leader }},
	{ID: "van-thu-ubnd", Agency: edoc.DemoProvince, Name: "Văn thư UBND tỉnh Nghệ An", Position: "Văn thư",
		Roles: []protocol.Role{protocol.RoleClerk}, Token: testpki.AgencyToken,
		identity: func(p *testpki.PKI) testpki.Identity { return p.Agency }},
	{ID: "van-thu-stc", Agency: edoc.DemoFinance, Name: "Văn thư Sở Tài chính", Position: "Văn thư",
		Roles: []protocol.Role{protocol.RoleClerk}, Token: testpki.Agency2Token,
		identity: func(p *testpki.PKI) testpki.Identity { return p.Agency2 }},
	{ID: "van-thu-snv", Agency: edoc.DemoHome, Name: "Văn thư Sở Nội vụ", Position: "Văn thư",
		Roles: []protocol.Role{protocol.RoleClerk}, Token: testpki.Agency3Token,
		identity: func(p *testpki.PKI) testpki.Identity { return p.Agency3 }},
}

// SeedServer puts the demo directory's agencies and the demo Users (with
// their certificates from p) into a server store. It is idempotent: what
// exists already is left as it is, except a user whose certificate
// changed (the PKI was provisioned again), which is an error that says to
// remove the demo server's folder.
func SeedServer(ctx context.Context, st store.Store, p *testpki.PKI) error {
	for _, e := range edoc.DemoDirectory().Entries() {
		err := st.AddAgency(ctx, store.Agency{Code: e.Code, Name: e.Name, Parent: e.Parent, Email: e.Email})
		if err != nil && !errors.Is(err, store.ErrConflict) {
			return fmt.Errorf("demo server: agency %s: %w", e.Code, err)
		}
	}
	for _, u := range Users {
		cert := u.identity(p).Cert
		sum := sha256.Sum256(cert.Raw)
		certSHA := hex.EncodeToString(sum[:])
		err := st.AddUser(ctx, store.User{ID: u.ID, Agency: u.Agency, Name: u.Name, Position: u.Position,
			Roles: u.Roles, CertSHA: certSHA, Cert: cert.Raw})
		if err == nil {
			continue
		}
		if !errors.Is(err, store.ErrConflict) {
			return fmt.Errorf("demo server: user %s: %w", u.ID, err)
		}
		have, err := st.User(ctx, u.ID)
		if err != nil {
			return fmt.Errorf("demo server: user %s: %w", u.ID, err)
		}
		if have.CertSHA != certSHA {
			return fmt.Errorf("demo server: user %s is bound to another certificate (the demo tokens were made again): remove the demo server's folder", u.ID)
		}
	}
	return nil
}
