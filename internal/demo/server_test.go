package demo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/internal/testpki"
	"github.com/vanthuso/vanthu/server/store"
	"github.com/vanthuso/vanthu/server/store/bolt"
)

func TestSeedServer(t *testing.T) {
	p := testpki.New(t)
	st, err := bolt.Open(t.TempDir(), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	for range 2 { // idempotent
		if err := SeedServer(ctx, st, p); err != nil {
			t.Fatal(err)
		}
	}
	agencies, err := st.Agencies(ctx, "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(agencies) != edoc.DemoDirectory().Len() {
		t.Errorf("%d agencies, want the demo directory's %d", len(agencies), edoc.DemoDirectory().Len())
	}
	// Each demo token's certificate signs in as its user, at its agency.
	for _, id := range []struct {
		cert   testpki.Identity
		agency string
	}{{p.Leader, edoc.DemoProvince}, {p.Agency, edoc.DemoProvince}, {p.Agency2, edoc.DemoFinance}, {p.Agency3, edoc.DemoHome}} {
		sum := sha256.Sum256(id.cert.Cert.Raw)
		u, err := st.UserByCert(ctx, hex.EncodeToString(sum[:]))
		if err != nil {
			t.Fatalf("%s: %v", id.cert.Cert.Subject.CommonName, err)
		}
		if u.Agency != id.agency {
			t.Errorf("%s is a user of %s, want %s", id.cert.Cert.Subject.CommonName, u.Agency, id.agency)
		}
	}
	// Tokens made again: the users' certificates changed, which the seed
	// says instead of leaving users nobody can sign in as.
	other := testpki.New(t)
	other.Agency2 = other.Expired
	if err := SeedServer(ctx, st, other); err == nil || !strings.Contains(err.Error(), "another certificate") {
		t.Fatalf("seeding with changed certificates: %v", err)
	}
	var _ store.Store = st
}
