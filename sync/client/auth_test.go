package client

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/internal/testpki"
	"github.com/vanthuso/vanthu/sync/protocol"
)

// authServer hands out challenges naming server and checks the
// signature of a session request the way the API defines it.
type authServer struct {
	t        *testing.T
	server   string // what challenges name; "" = the request's Host
	issued   map[string]protocol.Challenge
	verified int
}

func (a *authServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/v1/auth/challenge":
		if r.Header.Get("Authorization") != "" {
			a.t.Errorf("the challenge request carries a session")
		}
		name := a.server
		if name == "" {
			name = r.Host
		}
		ch := protocol.Challenge{ID: protocol.NewClientID(), Nonce: make([]byte, 32), Server: name, ExpiresAt: time.Now().Add(time.Minute)}
		ch.Nonce[0] = byte(len(a.issued) + 1)
		a.issued[ch.ID] = ch
		writeJSON(w, 200, ch)
	case "/v1/auth/session":
		var req protocol.SessionRequest
		json.NewDecoder(r.Body).Decode(&req)
		ch, ok := a.issued[req.ChallengeID]
		delete(a.issued, req.ChallengeID)
		if !ok {
			writeErr(w, 401, protocol.Error{Code: protocol.CodeChallengeUsed})
			return
		}
		cert, err := x509.ParseCertificate(req.Certificate)
		if err != nil {
			writeErr(w, 400, protocol.Error{Code: protocol.CodeBadRequest})
			return
		}
		sum := sha256.Sum256(cert.Raw)
		digest := sha256.Sum256(ch.SignedBytes(hex.EncodeToString(sum[:])))
		switch pub := cert.PublicKey.(type) {
		case *rsa.PublicKey:
			err = rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], req.Signature)
		case *ecdsa.PublicKey:
			if !ecdsa.VerifyASN1(pub, digest[:], req.Signature) {
				err = errors.New("bad ecdsa")
			}
		}
		if err != nil {
			writeErr(w, 401, protocol.Error{Code: protocol.CodeBadSignature})
			return
		}
		a.verified++
		writeJSON(w, 200, protocol.Session{Token: "session-" + cert.Subject.CommonName, ExpiresAt: time.Now().Add(time.Hour)})
	case "/v1/me":
		if r.Header.Get("Authorization") == "" {
			writeErr(w, 401, protocol.Error{Code: protocol.CodeUnauthenticated})
			return
		}
		writeJSON(w, 200, protocol.Me{})
	default:
		http.NotFound(w, r)
	}
}

// Sign-in with token keys (RSA and ECDSA on SoftHSM2): the signature
// verifies as the API says, the session becomes the client's.
func TestLoginWithTheToken(t *testing.T) {
	p := testpki.New(t)
	for _, id := range []testpki.Identity{p.Leader, p.ECDSA} {
		signer, closer, err := p.Signer(id, testpki.UserPIN)
		if err != nil {
			t.Fatal(err)
		}
		as := &authServer{t: t, issued: map[string]protocol.Challenge{}}
		c, _ := newTestClient(t, as)
		c.SetSession(protocol.Session{})
		s, err := c.Login(context.Background(), signer, id.Cert)
		closer.Close()
		if err != nil {
			t.Fatalf("%s: %v", id.Cert.Subject.CommonName, err)
		}
		if s.Token == "" || c.Session().Token != s.Token || as.verified != 1 {
			t.Fatalf("session %+v, verified %d", s, as.verified)
		}
		if _, err := c.Me(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

// A challenge that names another server is not signed: whoever relayed
// it would be signed in there as the user.
func TestLoginRefusesAForeignChallenge(t *testing.T) {
	p := testpki.New(t)
	signer, closer, err := p.Signer(p.Leader, testpki.UserPIN)
	if err != nil {
		t.Fatal(err)
	}
	defer closer.Close()
	spy := &countingSigner{Signer: signer}
	as := &authServer{t: t, server: "https://vanthu.real-server.gov.vn", issued: map[string]protocol.Challenge{}}
	c, _ := newTestClient(t, as)
	_, err = c.Login(context.Background(), spy, p.Leader.Cert)
	if !errors.Is(err, ErrForeignChallenge) {
		t.Fatalf("err = %v", err)
	}
	if spy.n != 0 {
		t.Errorf("the token signed %d times", spy.n)
	}
}

type countingSigner struct {
	crypto.Signer
	n int
}

func (s *countingSigner) Sign(r io.Reader, d []byte, o crypto.SignerOpts) ([]byte, error) {
	s.n++
	return s.Signer.Sign(r, d, o)
}

func TestNamesThisServer(t *testing.T) {
	c, err := New(Config{BaseURL: "https://VanThu.example.gov.vn:8443/api/"})
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{
		"https://vanthu.example.gov.vn:8443/api": true,
		"https://vanthu.example.gov.vn:8443":     true,
		"vanthu.example.gov.vn:8443":             true,
		"vanthu.example.gov.vn":                  true,
		"":                                       false,
		"evil.example.gov.vn":                    false,
		"https://vanthu.example.gov.vn.evil.vn":  false,
	} {
		if got := c.namesThisServer(name); got != want {
			t.Errorf("namesThisServer(%q) = %v", name, got)
		}
	}
}
