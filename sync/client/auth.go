package client

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/vanthuso/vanthu/sync/protocol"
)

// Challenge asks the server for a one-time sign-in challenge for cert,
// the certificate on the user's token. It checks that the challenge is
// one this client may sign: it names this server (so that a challenge
// relayed from another server is refused) and carries a 32-byte nonce.
func (c *Client) Challenge(ctx context.Context, cert *x509.Certificate) (protocol.Challenge, error) {
	body, err := json.Marshal(protocol.ChallengeRequest{Certificate: cert.Raw})
	if err != nil {
		return protocol.Challenge{}, fmt.Errorf("challenge: %w", err)
	}
	var ch protocol.Challenge
	r := request{method: http.MethodPost, path: "/v1/auth/challenge", body: body, anonymous: true}
	if _, err := c.call(ctx, r, &ch); err != nil {
		return protocol.Challenge{}, err
	}
	if ch.ID == "" || len(ch.Nonce) != 32 {
		return protocol.Challenge{}, fmt.Errorf("challenge: %w: no id or a nonce of %d bytes", ErrBadAnswer, len(ch.Nonce))
	}
	if !c.namesThisServer(ch.Server) {
		return protocol.Challenge{}, fmt.Errorf("challenge: it names the server %q, this is %s: %w", ch.Server, c.base.Host, ErrForeignChallenge)
	}
	return ch, nil
}

// ErrForeignChallenge: the challenge names another server than the one
// the client talks to. Signing it could sign the user in there on behalf
// of whoever relayed it; Login refuses.
var ErrForeignChallenge = errors.New("the challenge is for another server")

// namesThisServer reports whether name, a challenge's Server, is this
// client's server: its base URL, its host:port or its host name (letter
// case aside).
func (c *Client) namesThisServer(name string) bool {
	name = strings.TrimRight(strings.TrimSpace(name), "/")
	if name == "" {
		return false
	}
	for _, s := range []string{c.base.String(), c.base.Scheme + "://" + c.base.Host, c.base.Host, c.base.Hostname()} {
		if strings.EqualFold(name, s) {
			return true
		}
	}
	return false
}

// Login signs in with the token: it asks a challenge for cert, has
// signer sign the SHA-256 of Challenge.SignedBytes (RSA PKCS#1 v1.5 or
// ECDSA, as crypto.Signer does with crypto.SHA256) and exchanges the
// signature for a session, which becomes the client's session. signer is
// the token's key of cert. A refusal comes back as *protocol.Error
// (CodeUnknownCertificate, CodeBadSignature, CodeChallengeUsed); a
// failure of the token as the token's error, wrapped.
func (c *Client) Login(ctx context.Context, signer crypto.Signer, cert *x509.Certificate) (protocol.Session, error) {
	switch signer.Public().(type) {
	case *rsa.PublicKey, *ecdsa.PublicKey:
	default:
		return protocol.Session{}, fmt.Errorf("sign in: key type %T: want RSA or ECDSA", signer.Public())
	}
	ch, err := c.Challenge(ctx, cert)
	if err != nil {
		return protocol.Session{}, err
	}
	certSum := sha256.Sum256(cert.Raw)
	digest := sha256.Sum256(ch.SignedBytes(hex.EncodeToString(certSum[:])))
	sig, err := signer.Sign(rand.Reader, digest[:], crypto.SHA256)
	if err != nil {
		return protocol.Session{}, fmt.Errorf("sign in: sign the challenge: %w", err)
	}
	body, err := json.Marshal(protocol.SessionRequest{ChallengeID: ch.ID, Certificate: cert.Raw, Signature: sig})
	if err != nil {
		return protocol.Session{}, fmt.Errorf("sign in: %w", err)
	}
	var s protocol.Session
	if _, err := c.call(ctx, request{method: http.MethodPost, path: "/v1/auth/session", body: body, anonymous: true}, &s); err != nil {
		return protocol.Session{}, err
	}
	if s.Token == "" {
		return protocol.Session{}, fmt.Errorf("sign in: %w: no session token", ErrBadAnswer)
	}
	c.SetSession(s)
	return s, nil
}

// Logout ends the session on the server and forgets it locally (also
// when the server cannot be reached: the token then expires there).
func (c *Client) Logout(ctx context.Context) error {
	if c.Session().Token == "" {
		return nil
	}
	_, err := c.call(ctx, request{method: http.MethodDelete, path: "/v1/auth/session"}, nil)
	c.SetSession(protocol.Session{})
	if NeedLogin(err) {
		return nil
	}
	return err
}

// Me is GET /v1/me: who the session is, and the server's time.
func (c *Client) Me(ctx context.Context) (protocol.Me, error) {
	var me protocol.Me
	_, err := c.call(ctx, request{method: http.MethodGet, path: "/v1/me"}, &me)
	return me, err
}
