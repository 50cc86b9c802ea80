package token

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"testing"
	"time"
)

// testCA is a certificate and its key, for building chains in memory.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

var serial int64

// issue makes a certificate named cn, signed by parent (self-signed when
// parent is nil).
func issue(t *testing.T, cn string, parent *testCA, isCA bool) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial++
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(serial),
		Subject:               pkix.Name{CommonName: cn, Organization: []string{"Thử nghiệm"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		BasicConstraintsValid: true,
		IsCA:                  isCA,
		KeyUsage:              x509.KeyUsageDigitalSignature,
	}
	if isCA {
		tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	}
	signerCert, signerKey := tmpl, key
	if parent != nil {
		signerCert, signerKey = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signerCert, &key.PublicKey, signerKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &testCA{cert, key}
}

func names(certs []*x509.Certificate) []string {
	var out []string
	for _, c := range certs {
		out = append(out, c.Subject.CommonName)
	}
	return out
}

func sameNames(got []*x509.Certificate, want ...string) bool {
	g := names(got)
	if len(g) != len(want) {
		return false
	}
	for i := range g {
		if g[i] != want[i] {
			return false
		}
	}
	return true
}

func TestBuildChain(t *testing.T) {
	root := issue(t, "Root", nil, true)
	sub := issue(t, "Sub", root, true)
	leaf := issue(t, "Leaf", sub, false)
	// decoy has Sub's name but its own key: a name match is not enough.
	decoy := issue(t, "Sub", root, true)
	other := issue(t, "Other", nil, true)

	deep1 := issue(t, "Deep 1", root, true)
	deep2 := issue(t, "Deep 2", deep1, true)
	deepLeaf := issue(t, "Deep leaf", deep2, false)

	selfLeaf := issue(t, "Self", nil, false)

	tests := []struct {
		name       string
		leaf       *x509.Certificate
		candidates []*x509.Certificate
		want       []string
	}{
		{"token carries the chain; the root is left out", leaf.cert,
			[]*x509.Certificate{leaf.cert, root.cert, decoy.cert, sub.cert, other.cert}, []string{"Sub"}},
		{"order on the token does not matter", leaf.cert,
			[]*x509.Certificate{sub.cert, root.cert, leaf.cert}, []string{"Sub"}},
		{"only a decoy with the issuer's name", leaf.cert,
			[]*x509.Certificate{decoy.cert, root.cert}, nil},
		{"no CA certificates on the token", leaf.cert, []*x509.Certificate{leaf.cert}, nil},
		{"intermediate missing: the walk stops", deepLeaf.cert,
			[]*x509.Certificate{deep1.cert, root.cert}, nil},
		{"two intermediates, nearest first", deepLeaf.cert,
			[]*x509.Certificate{root.cert, deep1.cert, deep2.cert}, []string{"Deep 2", "Deep 1"}},
		{"self-signed signer", selfLeaf.cert, []*x509.Certificate{root.cert, sub.cert}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Chain(tt.leaf, tt.candidates)
			if !sameNames(got, tt.want...) {
				t.Errorf("chain %q, want %q", names(got), tt.want)
			}
		})
	}
}

// TestBuildChainCrossCertified stops on a loop: A and B certify each
// other, and nothing is self-signed.
func TestBuildChainCrossCertified(t *testing.T) {
	a0 := issue(t, "A", nil, true)
	b := issue(t, "B", a0, true)
	// A again, same key and name, now issued by B.
	serial++
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial), Subject: a0.cert.Subject,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		BasicConstraintsValid: true, IsCA: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, b.cert, &a0.key.PublicKey, b.key)
	if err != nil {
		t.Fatal(err)
	}
	aByB, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	leaf := issue(t, "Leaf", &testCA{aByB, a0.key}, false)
	got := Chain(leaf.cert, []*x509.Certificate{aByB, b.cert})
	if !sameNames(got, "A", "B") {
		t.Errorf("chain %q, want [A B]", names(got))
	}
}
