package server

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/server/servertest"
	"github.com/vanthuso/vanthu/sync/protocol"
)

func sessionRequest(t *testing.T, id servertest.Identity, ch protocol.Challenge) protocol.SessionRequest {
	return protocol.SessionRequest{ChallengeID: ch.ID, Certificate: id.Cert.Raw, Signature: servertest.SignChallenge(t, id.Key, id.Cert, ch)}
}

// TestSignIn: RSA and ECDSA keys sign in; the session names the user
// and its agency; the challenge names the configured server, not the
// Host the request came with.
func TestSignIn(t *testing.T) {
	e := newEnv(t, nil)
	for _, rsaKey := range []bool{false, true} {
		id := servertest.NewIdentity(t, "Nguyễn Văn An", rsaKey, time.Time{}, time.Time{})
		u := e.bind(agencyA, id, protocol.RoleLeader)
		c := e.anonymous()
		ch, _ := c.Challenge(id.Cert)
		if ch.Server != "127.0.0.1" || len(ch.Nonce) != 32 || !ch.ExpiresAt.After(e.clock.Now()) {
			t.Fatalf("challenge %+v", ch)
		}
		var s protocol.Session
		c.Do("POST", "/v1/auth/session", sessionRequest(t, id, ch), nil).Want(t, 200).Decode(t, &s)
		if s.User.ID != u.ID || s.User.Agency.OrganID != agencyA || s.User.CertSHA != servertest.CertSHA(id.Cert) || s.Token == "" {
			t.Fatalf("session %+v", s)
		}
		c.Token = s.Token
		var me protocol.Me
		c.Do("GET", "/v1/me", nil, nil).Want(t, 200).Decode(t, &me)
		if me.User.ID != u.ID || me.ServerTime.IsZero() {
			t.Fatalf("me %+v", me)
		}
	}
	// The stored session is keyed by the token's hash, not the token.
	c := e.user(agencyA, protocol.RoleClerk)
	if _, err := e.st.Session(context.Background(), c.Token); err == nil {
		t.Fatal("the store keeps the bearer token itself")
	}
}

// TestSignInRefused: the attacker's attempts.
func TestSignInRefused(t *testing.T) {
	e := newEnv(t, nil)
	good := servertest.NewIdentity(t, "An", false, time.Time{}, time.Time{})
	user := e.bind(agencyA, good, protocol.RoleClerk)
	c := e.anonymous()

	t.Run("unknown certificate", func(t *testing.T) {
		stranger := servertest.NewIdentity(t, "Kẻ lạ", false, time.Time{}, time.Time{})
		_, a := c.Challenge(stranger.Cert)
		a.WantError(t, 403, protocol.CodeUnknownCertificate)
	})
	t.Run("garbage certificate", func(t *testing.T) {
		c.Do("POST", "/v1/auth/challenge", protocol.ChallengeRequest{Certificate: []byte("not a certificate")}, nil).WantError(t, 400, protocol.CodeBadRequest)
	})
	t.Run("expired and not yet valid certificates", func(t *testing.T) {
		for _, id := range []servertest.Identity{
			servertest.NewIdentity(t, "expired", false, time.Now().Add(-48*time.Hour), time.Now().Add(-time.Hour)),
			servertest.NewIdentity(t, "future", false, time.Now().Add(time.Hour), time.Now().Add(48*time.Hour)),
		} {
			e.bind(agencyA, id, protocol.RoleClerk)
			_, a := c.Challenge(id.Cert)
			a.WantError(t, 403, protocol.CodeUnknownCertificate)
		}
	})
	t.Run("replayed signature", func(t *testing.T) {
		ch, _ := c.Challenge(good.Cert)
		req := sessionRequest(t, good, ch)
		c.Do("POST", "/v1/auth/session", req, nil).Want(t, 200)
		c.Do("POST", "/v1/auth/session", req, nil).WantError(t, 401, protocol.CodeChallengeUsed)
	})
	t.Run("concurrent replays", func(t *testing.T) {
		ch, _ := c.Challenge(good.Cert)
		req := sessionRequest(t, good, ch)
		var wg sync.WaitGroup
		var mu sync.Mutex
		ok := 0
		for i := 0; i < 6; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				a, err := c.TryDo("POST", "/v1/auth/session", req, nil)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				defer mu.Unlock()
				if a.Status == 200 {
					ok++
				}
			}()
		}
		wg.Wait()
		if ok != 1 {
			t.Fatalf("%d sessions from one challenge, want 1", ok)
		}
	})
	t.Run("bad signature uses the challenge up", func(t *testing.T) {
		ch, _ := c.Challenge(good.Cert)
		req := sessionRequest(t, good, ch)
		bad := req
		bad.Signature = append([]byte(nil), req.Signature...)
		bad.Signature[len(bad.Signature)/2] ^= 1
		c.Do("POST", "/v1/auth/session", bad, nil).WantError(t, 401, protocol.CodeBadSignature)
		c.Do("POST", "/v1/auth/session", req, nil).WantError(t, 401, protocol.CodeChallengeUsed)
	})
	t.Run("signature by another key", func(t *testing.T) {
		other := servertest.NewIdentity(t, "khác", false, time.Time{}, time.Time{})
		ch, _ := c.Challenge(good.Cert)
		req := protocol.SessionRequest{ChallengeID: ch.ID, Certificate: good.Cert.Raw,
			Signature: servertest.SignChallenge(t, other.Key, good.Cert, ch)}
		c.Do("POST", "/v1/auth/session", req, nil).WantError(t, 401, protocol.CodeBadSignature)
	})
	t.Run("challenge of another certificate", func(t *testing.T) {
		// The attacker has its own bound certificate and tries to answer
		// the victim's challenge with it (or the reverse).
		attacker := servertest.NewIdentity(t, "attacker", false, time.Time{}, time.Time{})
		e.bind(agencyB, attacker, protocol.RoleClerk)
		ch, _ := c.Challenge(good.Cert)
		c.Do("POST", "/v1/auth/session", sessionRequest(t, attacker, ch), nil).WantError(t, 401, protocol.CodeBadSignature)
	})
	t.Run("signature for another server", func(t *testing.T) {
		ch, _ := c.Challenge(good.Cert)
		other := ch
		other.Server = "evil.example"
		req := protocol.SessionRequest{ChallengeID: ch.ID, Certificate: good.Cert.Raw, Signature: servertest.SignChallenge(t, good.Key, good.Cert, other)}
		c.Do("POST", "/v1/auth/session", req, nil).WantError(t, 401, protocol.CodeBadSignature)
	})
	t.Run("unknown challenge", func(t *testing.T) {
		ch, _ := c.Challenge(good.Cert)
		ch.ID = "0123456789abcdef0123456789abcdef"
		c.Do("POST", "/v1/auth/session", sessionRequest(t, good, ch), nil).WantError(t, 401, protocol.CodeChallengeUsed)
	})
	t.Run("expired challenge", func(t *testing.T) {
		ch, _ := c.Challenge(good.Cert)
		e.clock.Advance(3 * time.Minute)
		c.Do("POST", "/v1/auth/session", sessionRequest(t, good, ch), nil).WantError(t, 401, protocol.CodeChallengeUsed)
	})
	t.Run("disabled user", func(t *testing.T) {
		s := e.anonymous()
		s.SignIn(good.Key, good.Cert)
		s.Do("GET", "/v1/me", nil, nil).Want(t, 200)
		if err := e.st.SetUserDisabled(context.Background(), user.ID, true); err != nil {
			t.Fatal(err)
		}
		s.Do("GET", "/v1/me", nil, nil).WantError(t, 401, protocol.CodeUnauthenticated)
		_, a := c.Challenge(good.Cert)
		a.WantError(t, 403, protocol.CodeUnknownCertificate)
		if err := e.st.SetUserDisabled(context.Background(), user.ID, false); err != nil {
			t.Fatal(err)
		}
	})
}

// TestSessions: no token, a made-up token, an expired session, sign-out.
func TestSessions(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.SessionTTL = time.Hour })
	c := e.user(agencyA, protocol.RoleClerk)
	anon := e.anonymous()
	anon.Do("GET", "/v1/me", nil, nil).WantError(t, 401, protocol.CodeUnauthenticated)
	anon.Token = "made-up"
	anon.Do("GET", "/v1/me", nil, nil).WantError(t, 401, protocol.CodeUnauthenticated)

	c.Do("GET", "/v1/me", nil, nil).Want(t, 200)
	e.clock.Advance(59 * time.Minute)
	c.Do("GET", "/v1/me", nil, nil).Want(t, 200)
	e.clock.Advance(time.Minute)
	c.Do("GET", "/v1/me", nil, nil).WantError(t, 401, protocol.CodeSessionExpired)

	d := e.user(agencyA, protocol.RoleClerk)
	d.Do("DELETE", "/v1/auth/session", nil, nil).Want(t, 204)
	d.Do("GET", "/v1/me", nil, nil).WantError(t, 401, protocol.CodeUnauthenticated)
}
