package ocsp_test

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	xocsp "golang.org/x/crypto/ocsp"

	"github.com/vanthuso/vanthu/internal/testpki"
	"github.com/vanthuso/vanthu/internal/testpki/ocsp"
)

func start(t *testing.T) (*testpki.PKI, *ocsp.Servers) {
	t.Helper()
	p := testpki.New(t)
	srv, err := ocsp.Start(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	return p, srv
}

func ask(t *testing.T, srv *ocsp.Servers, cert, issuer *x509.Certificate, get bool) []byte {
	t.Helper()
	req, err := xocsp.CreateRequest(cert, issuer, &xocsp.RequestOptions{Hash: crypto.SHA256})
	if err != nil {
		t.Fatal(err)
	}
	var resp *http.Response
	if get {
		resp, err = http.Get(srv.OCSPURL + "/" + url.PathEscape(base64.StdEncoding.EncodeToString(req)))
	} else {
		resp, err = http.Post(srv.OCSPURL, "application/ocsp-request", bytes.NewReader(req))
	}
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/ocsp-response" {
		t.Fatalf("HTTP %s, %q", resp.Status, resp.Header.Get("Content-Type"))
	}
	return body
}

func TestOCSP(t *testing.T) {
	p, srv := start(t)
	for _, get := range []bool{false, true} {
		der := ask(t, srv, p.Leader.Cert, p.Sub.Cert, get)
		resp, err := xocsp.ParseResponseForCert(der, p.Leader.Cert, p.Sub.Cert)
		if err != nil {
			t.Fatalf("get=%v: %v", get, err)
		}
		if resp.Status != xocsp.Good || !resp.Certificate.Equal(p.OCSP.Cert) || resp.NextUpdate.Sub(resp.ThisUpdate) != time.Hour {
			t.Errorf("get=%v: status %d, responder %v", get, resp.Status, resp.Certificate.Subject)
		}
	}
	if srv.OCSPRequests() != 2 {
		t.Errorf("requests %d", srv.OCSPRequests())
	}

	at := time.Now().Add(-time.Hour).Truncate(time.Second)
	if err := p.Revoke(p.Revoked.Cert, at, testpki.ReasonAffiliationChanged); err != nil {
		t.Fatal(err)
	}
	srv.SetDelegated(false)
	resp, err := xocsp.ParseResponseForCert(ask(t, srv, p.Revoked.Cert, p.Sub.Cert, false), p.Revoked.Cert, p.Sub.Cert)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != xocsp.Revoked || !resp.RevokedAt.Equal(at) || resp.RevocationReason != testpki.ReasonAffiliationChanged || resp.Certificate != nil {
		t.Errorf("revoked: %+v", resp)
	}

	// A serial Sub never issued: unknown. Another issuer: unauthorized.
	stranger := *p.Leader.Cert
	stranger.SerialNumber = new(big.Int).Add(p.Leader.Cert.SerialNumber, big.NewInt(1)) // a copy: certificates are shared
	if resp, err := xocsp.ParseResponseForCert(ask(t, srv, &stranger, p.Sub.Cert, false), &stranger, p.Sub.Cert); err != nil || resp.Status != xocsp.Unknown {
		t.Errorf("unknown serial: %v, %v", resp, err)
	}
	_, err = xocsp.ParseResponse(ask(t, srv, p.Sub.Cert, p.Root.Cert, false), nil)
	if re, ok := err.(xocsp.ResponseError); !ok || re.Status != xocsp.Unauthorized {
		t.Errorf("other issuer: %v", err)
	}
}

func TestCRL(t *testing.T) {
	p, srv := start(t)
	at := time.Now().Add(-time.Hour).Truncate(time.Second)
	if err := p.Revoke(p.Revoked.Cert, at, testpki.ReasonKeyCompromise); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 2; i++ {
		resp, err := http.Get(srv.CRLURL)
		if err != nil {
			t.Fatal(err)
		}
		der, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		crl, err := x509.ParseRevocationList(der)
		if err != nil {
			t.Fatal(err)
		}
		if err := crl.CheckSignatureFrom(p.Sub.Cert); err != nil {
			t.Fatal(err)
		}
		if crl.Number.Int64() != int64(i) || len(crl.RevokedCertificateEntries) != 1 {
			t.Fatalf("CRL %d: number %v, %d entries", i, crl.Number, len(crl.RevokedCertificateEntries))
		}
		e := crl.RevokedCertificateEntries[0]
		if e.SerialNumber.Cmp(p.Revoked.Cert.SerialNumber) != 0 || !e.RevocationTime.Equal(at) || e.ReasonCode != testpki.ReasonKeyCompromise {
			t.Errorf("entry %+v", e)
		}
	}
	if srv.CRLRequests() != 2 || srv.OCSPRequests() != 0 {
		t.Errorf("counters %d %d", srv.CRLRequests(), srv.OCSPRequests())
	}
	srv.SetCRLFail(ocsp.FailHTTP500)
	resp, err := http.Get(srv.CRLURL)
	if err != nil || resp.StatusCode != 500 {
		t.Errorf("fail 500: %v %v", resp, err)
	}
	resp.Body.Close()
	srv.Stop()
	srv.Stop()
	if _, err := http.Get(srv.CRLURL); err == nil {
		t.Error("server still answers after Stop")
	}
}

func TestURLFor(t *testing.T) {
	p, srv := start(t)
	if got := srv.OCSPURLFor(p.Leader.Cert); !slices.Equal(got, []string{srv.OCSPURL}) {
		t.Errorf("leader: %v", got)
	}
	if got := srv.CRLURLFor(p.Sub.Cert); !slices.Equal(got, []string{srv.RootCRLURL}) {
		t.Errorf("sub (issued by root): %v", got)
	}
	if got := srv.OCSPURLFor(p.Sub.Cert); got != nil {
		t.Errorf("sub OCSP: %v", got)
	}
	resp, err := http.Get(srv.RootCRLURL)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	crl, err := x509.ParseRevocationList(der)
	if err != nil || crl.CheckSignatureFrom(p.Root.Cert) != nil || len(crl.RevokedCertificateEntries) != 0 {
		t.Errorf("root CRL: %v", err)
	}
}

func TestResponderCertificate(t *testing.T) {
	p := testpki.New(t)
	c := p.OCSP.Cert
	if !slices.Equal(c.ExtKeyUsage, []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}) || c.CheckSignatureFrom(p.Sub.Cert) != nil || p.OCSP.TokenLabel != testpki.CAToken {
		t.Errorf("responder certificate: EKU %v, token %q", c.ExtKeyUsage, p.OCSP.TokenLabel)
	}
	noCheck := false
	for _, e := range c.Extensions {
		noCheck = noCheck || e.Id.Equal(asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 5})
	}
	if !noCheck {
		t.Error("no id-pkix-ocsp-nocheck")
	}
	r := p.Revoked
	if r.TokenLabel != testpki.ExtraToken || r.Cert.Subject.CommonName != "Trần Văn Thu Hồi (thử nghiệm)" || r.Cert.CheckSignatureFrom(p.Sub.Cert) != nil {
		t.Errorf("revoked identity: %q on %q", r.Cert.Subject.CommonName, r.TokenLabel)
	}
	if d := time.Since(r.Cert.NotBefore); d < 90*time.Minute {
		t.Errorf("Revoked issued only %v ago", d)
	}
	signer, closer, err := p.Signer(r, testpki.UserPIN)
	if err != nil {
		t.Fatal(err)
	}
	defer closer.Close()
	if !r.Cert.PublicKey.(interface{ Equal(crypto.PublicKey) bool }).Equal(signer.Public()) {
		t.Error("Revoked's token key does not match its certificate")
	}
}

func TestRevocationsDB(t *testing.T) {
	p := testpki.New(t)
	if list, err := p.Revocations(); err != nil || len(list) != 0 {
		t.Fatalf("fresh PKI: %v %v", list, err)
	}
	at := time.Now().Add(-time.Hour)
	if err := p.Revoke(p.Revoked.Cert, at, testpki.ReasonSuperseded); err != nil {
		t.Fatal(err)
	}
	if err := p.Revoke(p.Revoked.Cert, at.Add(-time.Minute), testpki.ReasonKeyCompromise); err != nil {
		t.Fatal(err)
	}
	if err := p.Revoke(p.Revoked.Cert, at, 7); err == nil {
		t.Error("reason 7 accepted")
	}
	list, err := p.Revocations()
	if err != nil || len(list) != 1 || list[0].Reason != testpki.ReasonKeyCompromise || list[0].Serial.Cmp(p.Revoked.Cert.SerialNumber) != 0 {
		t.Errorf("after re-revoking: %+v %v", list, err)
	}
}
