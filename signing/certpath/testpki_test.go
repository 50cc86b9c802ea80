package certpath

import (
	"crypto/x509"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/internal/testpki"
)

// tokenCA is a CA of the test PKI whose key stays on its SoftHSM2 token.
func tokenCA(t *testing.T, p *testpki.PKI, id testpki.Identity) *genCA {
	t.Helper()
	s, closer, err := p.Signer(id, testpki.UserPIN)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closer.Close() })
	return &genCA{id.Cert, s}
}

// TestTestPKIChains runs the test PKI of internal/testpki (Root → Sub →
// leaves, keys on SoftHSM2): its real chains, and chains made with its
// token keys that break a rule.
func TestTestPKIChains(t *testing.T) {
	p := testpki.New(t)
	o := Options{Anchors: []*x509.Certificate{p.Root.Cert}, Intermediates: p.Leader.Embedded()}
	for _, id := range []testpki.Identity{p.Leader, p.Agency, p.ECDSA, p.Revoked, p.CertSignOnly} {
		wantPath(t, id.Cert, o, id.Cert, p.Sub.Cert, p.Root.Cert)
	}
	ts := o
	ts.Usage = UsageTimestamping
	wantPath(t, p.TSA.Cert, ts, p.TSA.Cert, p.Sub.Cert, p.Root.Cert)
	wantCode(t, p.Leader.Cert, ts, ExtKeyUsage, p.Leader.Cert)
	oc := o
	oc.Usage = UsageOCSPSigning
	wantPath(t, p.OCSP.Cert, oc, p.OCSP.Cert, p.Sub.Cert, p.Root.Cert)
	wantCode(t, p.TSA.Cert, oc, ExtKeyUsage, p.TSA.Cert)

	// Expired: refused now, valid at a time inside its validity.
	wantCode(t, p.Expired.Cert, o, Expired, p.Expired.Cert)
	inside := o
	inside.At = p.Expired.Cert.NotBefore.Add(24 * time.Hour)
	wantPath(t, p.Expired.Cert, inside, p.Expired.Cert, p.Sub.Cert, p.Root.Cert)

	// Without Sub (real signatures do not always carry it).
	wantCode(t, p.Leader.Cert, Options{Anchors: []*x509.Certificate{p.Root.Cert}}, NoIssuer, p.Leader.Cert)
	// Trusting Sub directly works too.
	wantPath(t, p.Leader.Cert, Options{Anchors: []*x509.Certificate{p.Sub.Cert}}, p.Leader.Cert, p.Sub.Cert)

	// Certificates issued with keys that must not issue: the leader's
	// (no CA) and CertSignOnly's (keyCertSign, but not a CA).
	for _, id := range []testpki.Identity{p.Leader, p.CertSignOnly} {
		issuer := tokenCA(t, p, id)
		child := issuer.issue(t, "Chứng thư do "+id.Cert.Subject.CommonName+" cấp", false, nil)
		withIssuer := o
		withIssuer.Intermediates = append(p.Leader.Embedded(), id.Cert)
		wantCode(t, child.cert, withIssuer, NotCA, id.Cert)
	}

	sub := tokenCA(t, p, p.Sub)
	// Sub has path length 0: a CA under it cannot issue.
	sub2 := sub.issue(t, "CA cấp 3 (thử nghiệm)", true, nil)
	leaf2 := sub2.issue(t, "Người ký dưới CA cấp 3", false, nil)
	withSub2 := o
	withSub2.Intermediates = append(p.Leader.Embedded(), sub2.cert)
	wantCode(t, leaf2.cert, withSub2, PathLength, p.Sub.Cert)
	// A leaf of Sub's own, made here with Sub's token key, chains.
	direct := sub.issue(t, "Người ký mới", false, nil)
	wantPath(t, direct.cert, o, direct.cert, p.Sub.Cert, p.Root.Cert)
	// A CA under Root without keyCertSign.
	root := tokenCA(t, p, p.Root)
	noSign := root.issue(t, "CA không ký chứng thư", true, func(c *x509.Certificate) { c.KeyUsage = x509.KeyUsageDigitalSignature })
	l := noSign.issue(t, "Người ký dưới CA không ký chứng thư", false, nil)
	wantCode(t, l.cert, Options{Anchors: []*x509.Certificate{p.Root.Cert}, Intermediates: []*x509.Certificate{noSign.cert}}, KeyUsage, noSign.cert)
}
