package verify

import (
	"context"
	"path/filepath"
	"strings"

	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/internal/samplepdf"
	"github.com/vanthuso/vanthu/internal/testpki"
	"github.com/vanthuso/vanthu/internal/testpki/tsa"
	"github.com/vanthuso/vanthu/signing/cms"
	"github.com/vanthuso/vanthu/signing/pades"
)

// otherCA is a certification authority outside the test PKI, made in
// memory: what an attacker, or a CA nobody configured, would be.
type otherCA struct {
	cert *x509.Certificate
	key  crypto.Signer
}

func newOtherCA(t testing.TB, name string) *otherCA {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: name, Country: []string{"VN"}},
		NotBefore:             time.Now().Add(-24 * time.Hour),
		NotAfter:              time.Now().Add(5 * 365 * 24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	c, key := mint(t, tmpl, nil)
	return &otherCA{cert: c, key: key}
}

// issueTSA issues a time-stamping certificate for a new key.
func (ca *otherCA) issueTSA(t testing.TB, name string) (*x509.Certificate, crypto.Signer) {
	t.Helper()
	return mint(t, &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: name, Country: []string{"VN"}},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(365 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping},
	}, ca)
}

// mint makes a P-256 key and its certificate from tmpl, issued by ca (nil:
// self-signed).
func mint(t testing.TB, tmpl *x509.Certificate, ca *otherCA) (*x509.Certificate, crypto.Signer) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	parent, parentKey := tmpl, crypto.Signer(key)
	if ca != nil {
		parent, parentKey = ca.cert, ca.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), parentKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c, key
}

// hasReason reports whether a reason (or note) with the code is there.
func hasReason(rs []Reason, code string) bool { return findReason(rs, code) != nil }

// TestExpiredBackdated: a certificate that expired a month ago signs now
// and claims a time when it was still valid (the signer's clock set back).
// The claim proves nothing: the chain is judged now, the certificate is
// expired, no timestamp proves the signature older: indeterminate,
// OUT_OF_BOUNDS_NO_POE. A timestamp made now proves it was signed after
// expiry: not valid either.
func TestExpiredBackdated(t *testing.T) {
	f := newSignerFixture(t, true)
	key, closer, err := f.pki.Signer(f.pki.Expired, testpki.UserPIN)
	if err != nil {
		t.Fatal(err)
	}
	defer closer.Close()
	cert := f.pki.Expired.Cert
	if time.Now().Before(cert.NotAfter) {
		t.Fatalf("the test PKI's expired certificate is still valid until %v", cert.NotAfter)
	}
	backdated := cert.NotAfter.Add(-7 * 24 * time.Hour) // a week before it expired
	o := pades.Options{Signer: key, Certificate: cert, Chain: f.pki.Expired.Embedded(), Time: backdated}
	path := signSample(t, o, samplepdf.Options{})
	rep := mustVerify(t, path, f.trust())
	s := rep.Signatures[0]
	if rep.Verdict != Indeterminate || s.Integrity != IntegrityOK || s.ProvenByTimestamp {
		t.Fatalf("backdated: %s", summary(rep))
	}
	if s.SubIndication != SubOutOfBoundsNoPOE || !hasReason(s.Reasons, "certificate-expired-no-proof") {
		t.Errorf("backdated: sub-indication %q, reasons %+v", s.SubIndication, s.Reasons)
	}
	if !s.SigningTime.Equal(backdated.Truncate(time.Second)) || s.ValidatedAt.Before(cert.NotAfter) {
		t.Errorf("signing time %v (claimed %v), validated at %v", s.SigningTime, backdated, s.ValidatedAt)
	}
	r := findReason(s.Reasons, "certificate-expired-no-proof")
	if r == nil || r.AdviceVI == "" || !strings.Contains(r.VI, vnDate(cert.NotAfter)) {
		t.Errorf("reason %+v: want the expiry date and what to do", r)
	}

	// A timestamp made now proves the signature came after expiry.
	o.Level, o.TSA = pades.LevelT, &cms.TSAClient{URL: f.tsaURL}
	rep = mustVerify(t, signSample(t, o, samplepdf.Options{}), f.trust())
	s = rep.Signatures[0]
	if rep.Verdict == Valid || !s.ProvenByTimestamp || s.SubIndication != SubExpired {
		t.Fatalf("timestamped after expiry: %s, sub-indication %q", summary(rep), s.SubIndication)
	}
}

// TestUntrustedTSA: a timestamp from an authority outside the trust list
// proves no time. With a valid signer the signature stays valid, judged
// now, B-B, the timestamp named in the notes; with an expired signer the
// timestamp cannot save it.
func TestUntrustedTSA(t *testing.T) {
	f := newSignerFixture(t, false)
	other := newOtherCA(t, "CA không có trong danh sách tin cậy (thử nghiệm)")
	tsaCert, tsaKey := other.issueTSA(t, "Máy chủ dấu thời gian lạ (thử nghiệm)")
	url, stop, err := tsa.Start(tsa.New(tsaKey, tsaCert, []*x509.Certificate{other.cert}))
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	o := f.leaderOptions()
	o.Level, o.TSA = pades.LevelT, &cms.TSAClient{URL: url}
	rep := mustVerify(t, signSample(t, o, samplepdf.Options{}), f.trust())
	s := rep.Signatures[0]
	if rep.Verdict != Valid || s.ProvenByTimestamp || s.Level != LevelBB || !hasReason(s.Notes, "timestamp-untrusted") {
		t.Fatalf("leader with an untrusted TSA: %s, level %s, notes %+v", summary(rep), s.Level, s.Notes)
	}
	// Trusting that CA too makes the same timestamp prove the time.
	opts := f.trust()
	opts.Anchors = append(opts.Anchors, other.cert)
	rep = mustVerify(t, signSample(t, o, samplepdf.Options{}), opts)
	if s := rep.Signatures[0]; rep.Verdict != Valid || !s.ProvenByTimestamp || s.Level != LevelBT {
		t.Fatalf("with the TSA's CA trusted: %s, level %s", summary(rep), s.Level)
	}

	key, closer, err := f.pki.Signer(f.pki.Expired, testpki.UserPIN)
	if err != nil {
		t.Fatal(err)
	}
	defer closer.Close()
	cert := f.pki.Expired.Cert
	e := pades.Options{Signer: key, Certificate: cert, Chain: f.pki.Expired.Embedded(), Time: cert.NotAfter.Add(-time.Hour),
		Level: pades.LevelT, TSA: &cms.TSAClient{URL: url}}
	rep = mustVerify(t, signSample(t, e, samplepdf.Options{}), f.trust())
	if s := rep.Signatures[0]; rep.Verdict != Indeterminate || s.ProvenByTimestamp || s.SubIndication != SubOutOfBoundsNoPOE {
		t.Fatalf("expired signer, untrusted TSA: %s, sub-indication %q", summary(rep), s.SubIndication)
	}
}

// TestRevokedIntermediate: the root revokes the sub-CA. A signature whose
// time nothing proves is indeterminate (REVOKED_CA_NO_POE); one timestamped
// after the revocation is invalid; one timestamped before stays valid.
func TestRevokedIntermediate(t *testing.T) {
	f := newSignerFixture(t, true)
	lo := f.leaderOptions()
	lt := f.leaderOptions()
	lt.Level, lt.TSA = pades.LevelT, &cms.TSAClient{URL: f.tsaURL}
	before := signSample(t, lt, samplepdf.Options{})
	time.Sleep(1100 * time.Millisecond)
	revokedAt := time.Now().Truncate(time.Second)
	if err := f.pki.Revoke(f.pki.Sub.Cert, revokedAt, testpki.ReasonKeyCompromise); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond)
	plain := signSample(t, lo, samplepdf.Options{})
	after := signSample(t, lt, samplepdf.Options{})

	rep := mustVerify(t, plain, f.trust())
	if s := rep.Signatures[0]; rep.Verdict != Indeterminate || s.SubIndication != SubRevokedCANoPOE || !hasReason(s.Reasons, "ca-revoked") {
		t.Errorf("no proven time: %s, sub-indication %q", summary(rep), s.SubIndication)
	}
	rep = mustVerify(t, after, f.trust())
	if s := rep.Signatures[0]; rep.Verdict != Invalid || s.SubIndication != SubRevoked || !hasReason(s.Reasons, "ca-revoked") {
		t.Errorf("timestamped after the revocation: %s, sub-indication %q", summary(rep), s.SubIndication)
	}
	rep = mustVerify(t, before, f.trust())
	if s := rep.Signatures[0]; rep.Verdict != Valid || !hasReason(s.Notes, "revoked-after-signing") {
		t.Errorf("timestamped before the revocation: %s, notes %+v", summary(rep), s.Notes)
	}
	if f.srv.CRLRequests() == 0 {
		t.Error("the root's CRL was never asked for")
	}
}

// TestUnknownRevocationOffline: offline, with no revocation data in the
// file, nothing decides: indeterminate, TRY_LATER, saying what to do. An IT
// policy may accept that, and the report then says so.
func TestUnknownRevocationOffline(t *testing.T) {
	f := newSignerFixture(t, true)
	o := f.leaderOptions()
	o.Level, o.TSA = pades.LevelT, &cms.TSAClient{URL: f.tsaURL}
	path := signSample(t, o, samplepdf.Options{})
	opts := f.trust()
	opts.Revocation = f.checker(true)
	rep := mustVerify(t, path, opts)
	s := rep.Signatures[0]
	if rep.Verdict != Indeterminate || s.SubIndication != SubTryLater || s.Revocation.Status != "unknown" {
		t.Fatalf("offline: %s, sub-indication %q, revocation %+v", summary(rep), s.SubIndication, s.Revocation)
	}
	r := findReason(s.Reasons, "revocation-unknown")
	if r == nil || !strings.Contains(r.AdviceVI, "B-LT") || !strings.Contains(r.AdviceEN, "B-LT") {
		t.Errorf("reason %+v: want advice naming B-LT", r)
	}
	// The sub-CA's status is unknown too, and said so.
	if n := len(s.Reasons); n != 2 {
		t.Errorf("%d reasons, want the signer's and the sub-CA's: %+v", n, s.Reasons)
	}
	opts.AcceptUnknownRevocation = true
	rep = mustVerify(t, path, opts)
	s = rep.Signatures[0]
	if rep.Verdict != Valid || !hasReason(s.Notes, "revocation-not-checked-accepted") {
		t.Fatalf("policy accepts unknown revocation: %s, notes %+v", summary(rep), s.Notes)
	}
	// No checker at all: the same.
	opts = f.trust()
	opts.Revocation = nil
	if rep := mustVerify(t, path, opts); rep.Verdict != Indeterminate || rep.Signatures[0].SubIndication != SubTryLater {
		t.Fatalf("no checker: %s", summary(rep))
	}
}

// The SHA-1 imprint rule cannot be used for a document timestamp: its
// imprint is over document bytes, which whoever asks for the timestamp
// chooses (a collision lets one timestamp vouch for another document), so
// after the sunset it proves nothing, while a SHA-256 one from the same
// TSA does.
func TestSHA1DocumentTimestampRefused(t *testing.T) {
	f := newSignerFixture(t, true)
	signed := signSample(t, f.leaderOptions(), samplepdf.Options{})
	for _, c := range []struct {
		hash crypto.Hash
		ok   bool
	}{{crypto.SHA256, true}, {crypto.SHA1, false}} {
		out := filepath.Join(t.TempDir(), "ts.pdf")
		if _, err := pades.AddDocumentTimestamp(context.Background(), signed, out, &cms.TSAClient{URL: f.tsaURL}, c.hash); err != nil {
			t.Fatalf("%v: %v", c.hash, err)
		}
		rep := mustVerify(t, out, f.trust())
		var ts *Signature
		for i := range rep.Signatures {
			if rep.Signatures[i].IsDocumentTimestamp {
				ts = &rep.Signatures[i]
			}
		}
		if ts == nil {
			t.Fatalf("%v: no document timestamp in %s", c.hash, summary(rep))
		}
		if got := ts.Verdict == Valid; got != c.ok {
			t.Errorf("%v document timestamp: %s, reasons %+v", c.hash, ts.Verdict, ts.Reasons)
		}
		if !c.ok && hasReason(ts.Notes, "timestamp-sha1-imprint") {
			t.Errorf("the signature-timestamp exception was applied to a document timestamp: %+v", ts.Notes)
		}
	}
}
