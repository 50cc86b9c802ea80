package certpath

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	_ "crypto/md5" // the legacy CA of TestAlgorithms signs with MD5

	"github.com/vanthuso/vanthu/signing/internal/pubkey"
)

// TestGeneratedChains covers each rule with a generated chain: the valid
// case, and for each rule an attacker's or a sloppy CA's chain that breaks
// it, with the code expected.
func TestGeneratedChains(t *testing.T) {
	root := newRoot(t, "Gốc thử", nil)
	sub := root.issue(t, "CA trung gian", true, nil)
	leaf := sub.issue(t, "Người ký", false, nil)
	base := Options{Anchors: certsOf(root), Intermediates: certsOf(sub)}

	t.Run("valid", func(t *testing.T) {
		p := wantPath(t, leaf.cert, base, leaf.cert, sub.cert, root.cert)
		if len(p.Notes) != 0 || len(p.Fetched) != 0 {
			t.Errorf("notes %v, fetched %v", p.Notes, p.Fetched)
		}
	})
	t.Run("anchor as leaf", func(t *testing.T) {
		wantPath(t, root.cert, base, root.cert)
	})
	t.Run("no anchors", func(t *testing.T) {
		e := wantCode(t, leaf.cert, Options{Intermediates: certsOf(sub, root)}, UnknownRoot, root.cert)
		if !e.Root.Equal(root.cert) {
			t.Errorf("root %v", e.Root)
		}
	})
	t.Run("missing intermediate", func(t *testing.T) {
		e := wantCode(t, leaf.cert, Options{Anchors: certsOf(root)}, NoIssuer, leaf.cert)
		if want := sub.cert.Subject.String(); !contains(e.Detail, want) {
			t.Errorf("detail %q does not name the issuer %q", e.Detail, want)
		}
	})
	t.Run("self-signed leaf", func(t *testing.T) {
		self := newRoot(t, "Tự ký", func(c *x509.Certificate) { c.IsCA, c.KeyUsage = false, x509.KeyUsageDigitalSignature })
		e := wantCode(t, self.cert, base, UnknownRoot, self.cert)
		if e.Root != self.cert {
			t.Error("root not set")
		}
	})

	t.Run("expired and not yet valid", func(t *testing.T) {
		o := base
		o.At = testNow.Add(48 * time.Hour)
		wantCode(t, leaf.cert, o, Expired, leaf.cert)
		o.At = testNow.Add(-2 * time.Hour)
		wantCode(t, leaf.cert, o, NotYetValid, leaf.cert)
		// The anchor's validity counts too.
		oldRoot := newRoot(t, "Gốc hết hạn", func(c *x509.Certificate) { c.NotAfter = testNow.Add(2 * time.Hour) })
		s := oldRoot.issue(t, "CA dưới gốc hết hạn", true, nil)
		l := s.issue(t, "Người ký 2", false, func(c *x509.Certificate) { c.NotAfter = testNow.Add(3 * time.Hour) })
		wantCode(t, l.cert, Options{Anchors: certsOf(oldRoot), Intermediates: certsOf(s), At: testNow.Add(150 * time.Minute)}, Expired, oldRoot.cert)
	})

	t.Run("bad signature: same name and key identifier, other key", func(t *testing.T) {
		forged := forger(t, sub.cert).issue(t, "Giả mạo", false, nil)
		e := wantCode(t, forged.cert, base, BadSignature, forged.cert)
		if !errors.Is(e, pubkey.ErrVerification) {
			t.Errorf("cause %v", e.Err)
		}
	})

	t.Run("leaf used as an issuer", func(t *testing.T) {
		child := leaf.issue(t, "Con của người ký", false, nil)
		wantCode(t, child.cert, Options{Anchors: certsOf(root), Intermediates: certsOf(sub, leaf)}, NotCA, leaf.cert)
	})
	t.Run("CA without basic constraints", func(t *testing.T) {
		noBC := root.issue(t, "CA thiếu ràng buộc", true, func(c *x509.Certificate) { c.BasicConstraintsValid, c.IsCA = false, false })
		l := noBC.issue(t, "Người ký 3", false, nil)
		wantCode(t, l.cert, Options{Anchors: certsOf(root), Intermediates: certsOf(noBC)}, NotCA, noBC.cert)
	})
	t.Run("CA without keyCertSign", func(t *testing.T) {
		ku := root.issue(t, "CA chỉ ký CRL", true, func(c *x509.Certificate) { c.KeyUsage = x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature })
		l := ku.issue(t, "Người ký 4", false, nil)
		wantCode(t, l.cert, Options{Anchors: certsOf(root), Intermediates: certsOf(ku)}, KeyUsage, ku.cert)
	})

	t.Run("path length", func(t *testing.T) {
		r0 := newRoot(t, "Gốc pathlen 0", func(c *x509.Certificate) { c.MaxPathLen, c.MaxPathLenZero = 0, true })
		s0 := r0.issue(t, "CA dưới pathlen 0", true, nil)
		wantCode(t, s0.issue(t, "L0", false, nil).cert, Options{Anchors: certsOf(r0), Intermediates: certsOf(s0)}, PathLength, r0.cert)
		// Directly under the root is allowed.
		direct := r0.issue(t, "L0 trực tiếp", false, nil)
		wantPath(t, direct.cert, Options{Anchors: certsOf(r0)}, direct.cert, r0.cert)

		r1 := newRoot(t, "Gốc pathlen 1", func(c *x509.Certificate) { c.MaxPathLen = 1 })
		a := r1.issue(t, "CA A", true, nil)
		b := a.issue(t, "CA B", true, nil)
		l := b.issue(t, "L1", false, nil)
		wantCode(t, l.cert, Options{Anchors: certsOf(r1), Intermediates: certsOf(a, b)}, PathLength, r1.cert)
		// An intermediate's own constraint.
		a0 := r1.issue(t, "CA A0", true, func(c *x509.Certificate) { c.MaxPathLen, c.MaxPathLenZero = 0, true })
		b0 := a0.issue(t, "CA B0", true, nil)
		wantCode(t, b0.issue(t, "L2", false, nil).cert, Options{Anchors: certsOf(r1), Intermediates: certsOf(a0, b0)}, PathLength, a0.cert)

		// A self-issued intermediate (key rollover) does not count.
		newKey := p256(t)
		rollTmpl := template("CA A", true)
		rollTmpl.Subject = a.cert.Subject
		rolled := a.issueWithKey(t, rollTmpl, newKey)
		if rolled.cert.Subject.String() != rolled.cert.Issuer.String() {
			t.Fatal("generator: not self-issued")
		}
		lr := rolled.issue(t, "L3", false, nil)
		wantPath(t, lr.cert, Options{Anchors: certsOf(r1), Intermediates: certsOf(a, rolled)}, lr.cert, rolled.cert, a.cert, r1.cert)
	})

	t.Run("critical extensions", func(t *testing.T) {
		unknown := pkix.Extension{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 7}, Critical: true, Value: []byte{5, 0}}
		l := sub.issue(t, "Mở rộng lạ", false, func(c *x509.Certificate) { c.ExtraExtensions = []pkix.Extension{unknown} })
		wantCode(t, l.cert, base, CriticalExtension, l.cert)
		unknown.Critical = false
		ok := sub.issue(t, "Mở rộng lạ không bắt buộc", false, func(c *x509.Certificate) { c.ExtraExtensions = []pkix.Extension{unknown} })
		wantPath(t, ok.cert, base, ok.cert, sub.cert, root.cert)
		// Policy constraints are not processed: refused when critical.
		pc, _ := asn1.Marshal(struct {
			Require int `asn1:"optional,tag:0"`
		}{1})
		s := root.issue(t, "CA ràng buộc chính sách", true, func(c *x509.Certificate) {
			c.ExtraExtensions = []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 36}, Critical: true, Value: pc}}
		})
		wantCode(t, s.issue(t, "L4", false, nil).cert, Options{Anchors: certsOf(root), Intermediates: certsOf(s)}, CriticalExtension, s.cert)
		// Critical certificate policies are accepted: no policy is required.
		cp := root.issue(t, "CA chính sách", true, func(c *x509.Certificate) {
			c.Policies = []x509.OID{mustOID(t, "2.16.704.1.1.1.1.1")}
			c.ExtraExtensions = nil
		})
		markCritical(t, cp, root, asn1.ObjectIdentifier{2, 5, 29, 32})
		l5 := cp.issue(t, "L5", false, nil)
		wantPath(t, l5.cert, Options{Anchors: certsOf(root), Intermediates: certsOf(cp)}, l5.cert, cp.cert, root.cert)
	})

	t.Run("chain length", func(t *testing.T) {
		chain := []*genCA{newRoot(t, "Gốc dài", nil)}
		for i := range 14 {
			chain = append(chain, chain[len(chain)-1].issue(t, fmt.Sprintf("CA cấp %d", i+1), true, nil))
		}
		var inter []*x509.Certificate
		for _, c := range chain[1:] {
			inter = append(inter, c.cert)
		}
		o := Options{Anchors: certsOf(chain[0]), Intermediates: inter}
		// MaxPathCerts certificates: leaf, 8 CAs, root.
		l := chain[8].issue(t, "Lá ở độ sâu 10", false, nil)
		if p := wantPath(t, l.cert, o, append([]*x509.Certificate{l.cert}, reversed(certsOf(chain[:9]...))...)...); len(p.Certs) != MaxPathCerts {
			t.Errorf("path of %d", len(p.Certs))
		}
		deep := chain[14].issue(t, "Lá ở độ sâu 16", false, nil)
		wantCode(t, deep.cert, o, Unsupported, nil)
	})

	t.Run("loops", func(t *testing.T) {
		// Two CAs certified by each other, neither anchored.
		ka, kb := p256(t), p256(t)
		ta, tb := template("Vòng A", true), template("Vòng B", true)
		ta.SubjectKeyId, tb.SubjectKeyId = skid(ka.Public()), skid(kb.Public())
		selfA := &genCA{create(t, ta, ka, nil), ka}
		selfB := &genCA{create(t, tb, kb, nil), kb}
		aByB := selfB.issueWithKey(t, template("Vòng A", true), ka)
		bByA := selfA.issueWithKey(t, template("Vòng B", true), kb)
		l := (&genCA{aByB.cert, ka}).issue(t, "Lá vòng", false, nil)
		o := Options{Anchors: certsOf(root), Intermediates: []*x509.Certificate{aByB.cert, bByA.cert}}
		wantCode(t, l.cert, o, NoIssuer, nil)
		// With an anchored way out of the loop the path is found.
		bByRoot := root.issueWithKey(t, template("Vòng B", true), kb)
		o.Intermediates = append(o.Intermediates, bByRoot.cert)
		wantPath(t, l.cert, o, l.cert, aByB.cert, bByRoot.cert, root.cert)
	})

	t.Run("cross-certified mesh", func(t *testing.T) {
		// Five CAs, each certified by every other: many paths, no anchor.
		keys := make([]crypto.Signer, 5)
		tmpls := make([]*x509.Certificate, 5)
		for i := range keys {
			keys[i] = p256(t)
			tmpls[i] = template(fmt.Sprintf("Lưới %d", i), true)
		}
		var mesh []*x509.Certificate
		for i := range keys {
			for j := range keys {
				if i != j {
					tm := template(fmt.Sprintf("Lưới %d", i), true)
					mesh = append(mesh, (&genCA{create(t, tmpls[j], keys[j], nil), keys[j]}).issueWithKey(t, tm, keys[i]).cert)
				}
			}
		}
		l := (&genCA{mesh[0], keys[0]}).issue(t, "Lá lưới", false, nil)
		_, err := Build(context.Background(), l.cert, Options{Anchors: certsOf(root), Intermediates: mesh})
		if err == nil {
			t.Fatal("a path through an unanchored mesh")
		}
	})

	t.Run("look-alikes", func(t *testing.T) {
		// Hundreds of CA certificates with the intermediate's name and key
		// identifier, signed by the root, but other keys.
		var fakes []*x509.Certificate
		for range 300 {
			tm := template("CA trung gian", true)
			tm.SubjectKeyId = sub.cert.SubjectKeyId
			fakes = append(fakes, root.issueWithKey(t, tm, p256(t)).cert)
		}
		first := Options{Anchors: certsOf(root), Intermediates: append([]*x509.Certificate{sub.cert}, fakes...)}
		wantPath(t, leaf.cert, first, leaf.cert, sub.cert, root.cert)
		// Buried behind them it is not reached: the search is bounded,
		// and fails rather than hangs.
		last := Options{Anchors: certsOf(root), Intermediates: append(fakes, sub.cert)}
		if _, err := Build(context.Background(), leaf.cert, last); err == nil {
			t.Error("found beyond the candidate bound: the bound is not applied")
		}
		// Look-alikes with their own key identifiers are not candidates at all.
		var own []*x509.Certificate
		for range 300 {
			own = append(own, root.issue(t, "CA trung gian", true, nil).cert)
		}
		wantPath(t, leaf.cert, Options{Anchors: certsOf(root), Intermediates: append(own, sub.cert)}, leaf.cert, sub.cert, root.cert)
		// Without the real one they are not even tried: no issuer, rather
		// than a bad signature.
		wantCode(t, leaf.cert, Options{Anchors: certsOf(root), Intermediates: own}, NoIssuer, leaf.cert)
	})

	t.Run("anchors", func(t *testing.T) {
		// A re-issued root: same subject and key, other bytes.
		tm := template("Gốc thử", true)
		tm.Subject = root.cert.Subject
		tm.NotAfter = testNow.Add(48 * time.Hour)
		reissued := create(t, tm, root.key, nil)
		p := wantPath(t, leaf.cert, Options{Anchors: []*x509.Certificate{reissued}, Intermediates: certsOf(sub, root)}, leaf.cert, sub.cert, reissued)
		if p.Anchor != reissued {
			t.Error("anchor is not the configured one")
		}
		// The leaf is an anchor only as itself: its re-issued twin does not
		// stand in for it.
		twinTmpl := template("Gốc thử", true)
		twinTmpl.Subject = root.cert.Subject
		twin := create(t, twinTmpl, root.key, nil)
		wantCode(t, twin, Options{Anchors: certsOf(root)}, UnknownRoot, twin)
		// A look-alike anchor: same subject, another key.
		fake := newRoot(t, "Gốc thử", func(c *x509.Certificate) { c.Subject = root.cert.Subject })
		e := wantCode(t, leaf.cert, Options{Anchors: certsOf(fake), Intermediates: certsOf(sub, root)}, UnknownRoot, root.cert)
		if !e.Root.Equal(root.cert) {
			t.Error("root")
		}
		// A version 1 root is accepted as an anchor, not as an intermediate.
		v1Key := p256(t)
		v1 := v1Cert(t, "Gốc phiên bản 1", v1Key, nil)
		v1ca := &genCA{v1, v1Key}
		l := v1ca.issue(t, "Lá dưới v1", false, nil)
		wantPath(t, l.cert, Options{Anchors: []*x509.Certificate{v1}}, l.cert, v1)
		midKey := p256(t)
		mid := v1Cert(t, "Trung gian v1", midKey, root)
		l2 := (&genCA{mid, midKey}).issue(t, "Lá dưới trung gian v1", false, nil)
		wantCode(t, l2.cert, Options{Anchors: certsOf(root), Intermediates: []*x509.Certificate{mid}}, NotCA, mid)
	})

	t.Run("usage", func(t *testing.T) {
		tsa := sub.issue(t, "TSA", false, func(c *x509.Certificate) { c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping} })
		ocsp := sub.issue(t, "OCSP", false, func(c *x509.Certificate) { c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning} })
		o := base
		o.Usage = UsageTimestamping
		wantPath(t, tsa.cert, o, tsa.cert, sub.cert, root.cert)
		wantCode(t, ocsp.cert, o, ExtKeyUsage, ocsp.cert)
		wantCode(t, leaf.cert, o, ExtKeyUsage, leaf.cert)
		o.Usage = UsageOCSPSigning
		wantPath(t, ocsp.cert, o, ocsp.cert, sub.cert, root.cert)
		wantCode(t, tsa.cert, o, ExtKeyUsage, tsa.cert)
		o.Usage = UsageSigning
		wantPath(t, tsa.cert, o, tsa.cert, sub.cert, root.cert)
	})

	t.Run("most informative failure", func(t *testing.T) {
		// The leaf's issuer exists twice with its key: once under the
		// anchor but expired, once self-signed. The anchored failure wins.
		k := p256(t)
		expiredTmpl := template("CA hai mặt", true)
		expiredTmpl.NotAfter = testNow.Add(-time.Minute)
		expired := root.issueWithKey(t, expiredTmpl, k)
		selfTmpl := template("CA hai mặt", true)
		selfSigned := &genCA{create(t, selfTmpl, k, nil), k}
		l := expired.issue(t, "Lá hai mặt", false, nil)
		for _, order := range [][]*x509.Certificate{{expired.cert, selfSigned.cert}, {selfSigned.cert, expired.cert}} {
			wantCode(t, l.cert, Options{Anchors: certsOf(root), Intermediates: order}, Expired, expired.cert)
		}
	})

	t.Run("context", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := Build(ctx, leaf.cert, base)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err %v", err)
		}
	})
	t.Run("nil", func(t *testing.T) {
		if _, err := Build(context.Background(), nil, base); err == nil {
			t.Error("nil leaf accepted")
		}
		o := base
		o.Intermediates = append([]*x509.Certificate{nil}, o.Intermediates...)
		o.Anchors = append(o.Anchors, nil)
		wantPath(t, leaf.cert, o, leaf.cert, sub.cert, root.cert)
	})
}

// TestAlgorithms: the dated policy on generated SHA-1 chains, MD5, weak
// and unsupported keys.
func TestAlgorithms(t *testing.T) {
	rsaKey := func(bits int) *rsa.PrivateKey {
		k, err := rsa.GenerateKey(rand.Reader, bits)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	rootKey, subKey := rsaKey(2048), rsaKey(2048)
	valid := func(c *x509.Certificate) {
		c.NotBefore = time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
		c.NotAfter = time.Date(2035, 1, 1, 0, 0, 0, 0, time.UTC)
		c.SignatureAlgorithm = x509.SHA1WithRSA
	}
	rt := template("Gốc SHA-1", true)
	valid(rt)
	root := &genCA{create(t, rt, rootKey, nil), rootKey}
	st := template("CA SHA-1", true)
	valid(st)
	sub := root.issueWithKey(t, st, subKey)
	lt := template("Người ký SHA-1", false)
	valid(lt)
	leaf := sub.issueWithKey(t, lt, p256(t))
	at := time.Date(2019, 6, 1, 0, 0, 0, 0, time.UTC)
	o := Options{Anchors: certsOf(root), Intermediates: certsOf(sub), At: at}

	for _, c := range []struct {
		algAt  time.Time
		proven bool
		ok     bool
	}{
		{time.Date(2018, 3, 1, 0, 0, 0, 0, time.UTC), true, true},
		{DefaultSHA1Sunset.Add(-time.Second), false, true},
		{DefaultSHA1Sunset, false, false},
		{time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), true, false},
	} {
		o.AlgorithmTime, o.AlgorithmTimeProven = c.algAt, c.proven
		if !c.ok {
			e := wantCode(t, leaf.cert, o, AlgorithmRejected, leaf.cert)
			var ae *AlgorithmError
			if !errors.As(e, &ae) || !ae.Sunset.Equal(DefaultSHA1Sunset) || ae.Algorithm != "SHA-1" {
				t.Errorf("%v: cause %v", c.algAt, e.Err)
			}
			continue
		}
		p := wantPath(t, leaf.cert, o, leaf.cert, sub.cert, root.cert)
		// Two SHA-1 links: the leaf's and the intermediate's signatures
		// (the anchor's self-signature is not judged).
		if len(p.Notes) != 2 {
			t.Fatalf("%v: notes %v", c.algAt, p.Notes)
		}
		for i, n := range p.Notes {
			if n.Code != NoteAlgorithmBeforeSunset || n.Hash != crypto.SHA1 || !n.Sunset.Equal(DefaultSHA1Sunset) ||
				n.Proven != c.proven || !n.At.Equal(c.algAt) || !n.Cert.Equal(p.Certs[i]) {
				t.Errorf("%v: note %+v", c.algAt, n)
			}
			if want := map[bool]string{true: "proven", false: "claimed"}[c.proven]; !contains(n.Detail, want) {
				t.Errorf("note %q does not say %s", n.Detail, want)
			}
		}
	}
	// AlgorithmTime defaults to At.
	o.AlgorithmTime = time.Time{}
	o.At = time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)
	wantCode(t, leaf.cert, o, AlgorithmRejected, nil)
	// An IT policy may move the sunset.
	o.Policy = DefaultPolicy()
	o.Policy.SHA1Sunset = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	wantPath(t, leaf.cert, o, leaf.cert, sub.cert, root.cert)
	o.Policy.SHA1Sunset = time.Time{}
	o.At = at
	wantCode(t, leaf.cert, o, AlgorithmRejected, nil)

	t.Run("md5", func(t *testing.T) {
		md5Sub := resign(t, sub.cert, asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 4}, crypto.MD5, rootKey)
		if md5Sub.SignatureAlgorithm != x509.MD5WithRSA {
			t.Fatalf("generator: %v", md5Sub.SignatureAlgorithm)
		}
		o := Options{Anchors: certsOf(root), Intermediates: []*x509.Certificate{md5Sub}, At: at, AlgorithmTime: at}
		wantCode(t, leaf.cert, o, AlgorithmRejected, md5Sub)
	})
	t.Run("weak keys", func(t *testing.T) {
		// A 1024-bit RSA CA is accepted by default, refused by a policy
		// asking 2048 bits; RSA under 1024 bits cannot be made by Go.
		k1024 := rsaKey(1024)
		small := root.issueWithKey(t, template("CA 1024", true), k1024)
		l := small.issue(t, "Lá dưới CA 1024", false, nil)
		o := Options{Anchors: certsOf(root), Intermediates: certsOf(small), At: testNow, AlgorithmTime: at}
		wantPath(t, l.cert, o, l.cert, small.cert, root.cert)
		o.Policy = DefaultPolicy()
		o.Policy.MinRSABits = 2048
		wantCode(t, l.cert, o, AlgorithmRejected, small.cert)
		o.Policy = DefaultPolicy()
		o.Policy.RSA2048Sunset = time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)
		wantCode(t, l.cert, o, AlgorithmRejected, small.cert)
	})
	t.Run("unsupported curve", func(t *testing.T) {
		k224, err := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		ca224 := root.issueWithKey(t, template("CA P-224", true), k224)
		l := ca224.issue(t, "Lá dưới P-224", false, nil)
		wantCode(t, l.cert, Options{Anchors: certsOf(root), Intermediates: certsOf(ca224), At: testNow, AlgorithmTime: at}, Unsupported, l.cert)
	})
}

// TestNameConstraints: permitted and excluded subtrees of each form
// evaluated, the others Unsupported.
func TestNameConstraints(t *testing.T) {
	root := newRoot(t, "Gốc ràng buộc tên", nil)
	_, ipNet, _ := net.ParseCIDR("10.1.0.0/16")
	_, badNet, _ := net.ParseCIDR("10.1.2.0/24")
	ca := root.issue(t, "CA ràng buộc", true, func(c *x509.Certificate) {
		c.PermittedDNSDomains = []string{"gov.vn", ".chinhphu.vn"}
		c.ExcludedDNSDomains = []string{"bad.gov.vn"}
		c.PermittedEmailAddresses = []string{"nghean.gov.vn", ".chinhphu.vn", "an@example.org"}
		c.PermittedIPRanges = []*net.IPNet{ipNet}
		c.ExcludedIPRanges = []*net.IPNet{badNet}
		c.PermittedURIDomains = []string{".gov.vn"}
	})
	o := Options{Anchors: certsOf(root), Intermediates: certsOf(ca)}
	u := func(s string) *url.URL { v, _ := url.Parse(s); return v }
	for _, c := range []struct {
		name string
		mod  func(*x509.Certificate)
		ok   bool
	}{
		{"dns exact", func(c *x509.Certificate) { c.DNSNames = []string{"gov.vn"} }, true},
		{"dns subdomain", func(c *x509.Certificate) { c.DNSNames = []string{"mail.nghean.GOV.vn"} }, true},
		{"dns dot constraint needs a subdomain", func(c *x509.Certificate) { c.DNSNames = []string{"chinhphu.vn"} }, false},
		{"dns dot constraint", func(c *x509.Certificate) { c.DNSNames = []string{"vpcp.chinhphu.vn"} }, true},
		{"dns suffix is not a subdomain", func(c *x509.Certificate) { c.DNSNames = []string{"evilgov.vn"} }, false},
		{"dns outside", func(c *x509.Certificate) { c.DNSNames = []string{"example.com"} }, false},
		{"dns excluded", func(c *x509.Certificate) { c.DNSNames = []string{"x.bad.gov.vn"} }, false},
		{"dns one of two outside", func(c *x509.Certificate) { c.DNSNames = []string{"gov.vn", "attacker.net"} }, false},
		{"email host", func(c *x509.Certificate) { c.EmailAddresses = []string{"vanthu@nghean.gov.vn"} }, true},
		{"email host not subdomain", func(c *x509.Certificate) { c.EmailAddresses = []string{"vanthu@so.nghean.gov.vn"} }, false},
		{"email dot constraint", func(c *x509.Certificate) { c.EmailAddresses = []string{"a@vp.chinhphu.vn"} }, true},
		{"email mailbox", func(c *x509.Certificate) { c.EmailAddresses = []string{"an@example.org"} }, true},
		{"email other mailbox", func(c *x509.Certificate) { c.EmailAddresses = []string{"binh@example.org"} }, false},
		{"email in subject without SAN", func(c *x509.Certificate) {
			c.Subject.ExtraNames = []pkix.AttributeTypeAndValue{{Type: oidEmailAddress, Value: "x@evil.com"}}
		}, false},
		{"ip inside", func(c *x509.Certificate) { c.IPAddresses = []net.IP{net.ParseIP("10.1.3.4")} }, true},
		{"ip excluded", func(c *x509.Certificate) { c.IPAddresses = []net.IP{net.ParseIP("10.1.2.9")} }, false},
		{"ip outside", func(c *x509.Certificate) { c.IPAddresses = []net.IP{net.ParseIP("192.168.1.1")} }, false},
		{"uri inside", func(c *x509.Certificate) { c.URIs = []*url.URL{u("https://dichvucong.gov.vn/x")} }, true},
		{"uri outside", func(c *x509.Certificate) { c.URIs = []*url.URL{u("https://evil.example/x")} }, false},
		{"uri with ip host", func(c *x509.Certificate) { c.URIs = []*url.URL{u("http://10.1.3.4/")} }, false},
		{"no names", nil, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			l := ca.issue(t, c.name, false, c.mod)
			if c.ok {
				wantPath(t, l.cert, o, l.cert, ca.cert, root.cert)
			} else {
				wantCode(t, l.cert, o, NameConstraints, l.cert)
			}
		})
	}
	t.Run("constraints bind the intermediates below too", func(t *testing.T) {
		mid := ca.issue(t, "CA con", true, func(c *x509.Certificate) { c.DNSNames = []string{"evil.com"} })
		l := mid.issue(t, "Lá cháu", false, nil)
		wantCode(t, l.cert, Options{Anchors: certsOf(root), Intermediates: certsOf(ca, mid)}, NameConstraints, mid.cert)
	})
	t.Run("directory name constraint is unsupported", func(t *testing.T) {
		dn, _ := asn1.Marshal(pkix.Name{CommonName: "x"}.ToRDNSequence())
		gn, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 4, IsCompound: true, Bytes: dn})
		subtree, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: gn})
		permitted, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: subtree})
		nc, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: permitted})
		for _, critical := range []bool{true, false} {
			dirCA := root.issue(t, "CA ràng buộc thư mục", true, func(c *x509.Certificate) {
				c.ExtraExtensions = []pkix.Extension{{Id: oidNameConstraints, Critical: critical, Value: nc}}
			})
			l := dirCA.issue(t, "Lá thư mục", false, nil)
			wantCode(t, l.cert, Options{Anchors: certsOf(root), Intermediates: certsOf(dirCA)}, Unsupported, dirCA.cert)
		}
	})
}

func reversed(cs []*x509.Certificate) []*x509.Certificate {
	out := make([]*x509.Certificate, len(cs))
	for i, c := range cs {
		out[len(cs)-1-i] = c
	}
	return out
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// forger signs in the name of ca (its subject and key identifier) with a
// key of its own.
func forger(t testing.TB, ca *x509.Certificate) *genCA {
	k := p256(t)
	c := *ca
	c.PublicKey = k.Public()
	return &genCA{&c, k}
}

func mustOID(t testing.TB, s string) x509.OID {
	o, err := x509.ParseOID(s)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// markCritical re-issues ca's certificate (same key, same issuer) with the
// extension id marked critical.
func markCritical(t testing.TB, ca, issuer *genCA, id asn1.ObjectIdentifier) {
	t.Helper()
	tmpl := *ca.cert
	tmpl.ExtraExtensions = nil
	for _, e := range ca.cert.Extensions {
		if e.Id.Equal(id) {
			e.Critical = true
			tmpl.ExtraExtensions = append(tmpl.ExtraExtensions, e)
		}
	}
	if tmpl.ExtraExtensions == nil {
		t.Fatalf("no extension %v", id)
	}
	tmpl.Policies, tmpl.PolicyIdentifiers = nil, nil
	ca.cert = create(t, &tmpl, ca.key, issuer)
	for _, e := range ca.cert.Extensions {
		if e.Id.Equal(id) && !e.Critical {
			t.Fatal("generator: not critical")
		}
	}
}
