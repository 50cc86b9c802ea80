package server

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/server/store"
	"github.com/vanthuso/vanthu/sync/protocol"
)

// caller is the signed-in user of a request.
type caller struct {
	user      store.User
	agency    store.Agency
	tokenHash string
}

func (c *caller) may(roles ...protocol.Role) error {
	if c.user.HasRole(roles...) {
		return nil
	}
	return fail(403, protocol.CodeForbidden, "this needs one of the roles %v", roles)
}

// authed wraps a handler that needs a session.
func (s *Server) authed(h func(http.ResponseWriter, *http.Request, *caller) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		c, err := s.authenticate(r)
		if err != nil {
			return err
		}
		return h(w, r, c)
	}
}

func (s *Server) authenticate(r *http.Request) (*caller, error) {
	auth := r.Header.Get("Authorization")
	token, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok || token == "" {
		return nil, fail(401, protocol.CodeUnauthenticated, "no session: sign in")
	}
	hash := tokenHash(token)
	ctx := r.Context()
	se, err := s.st.Session(ctx, hash)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fail(401, protocol.CodeUnauthenticated, "unknown session: sign in")
	}
	if err != nil {
		return nil, err
	}
	if !s.c.Now().Before(se.ExpiresAt) {
		if err := s.st.DeleteSession(ctx, hash); err != nil {
			s.log.Warn("delete expired session", "err", err)
		}
		return nil, fail(401, protocol.CodeSessionExpired, "session expired: sign in again")
	}
	u, err := s.st.User(ctx, se.UserID)
	if errors.Is(err, store.ErrNotFound) || err == nil && u.Disabled {
		return nil, fail(401, protocol.CodeUnauthenticated, "user disabled: sign in")
	}
	if err != nil {
		return nil, err
	}
	a, err := s.st.Agency(ctx, u.Agency)
	if err != nil {
		return nil, err
	}
	return &caller{user: u, agency: a, tokenHash: hash}, nil
}

func tokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

func certSHA(der []byte) string {
	h := sha256.Sum256(der)
	return hex.EncodeToString(h[:])
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// userFor checks that der is the certificate of an enabled user and
// valid now.
func (s *Server) userFor(ctx context.Context, der []byte) (*x509.Certificate, store.User, error) {
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, store.User{}, fail(400, protocol.CodeBadRequest, "certificate: %v", err)
	}
	u, err := s.st.UserByCert(ctx, certSHA(der))
	if errors.Is(err, store.ErrNotFound) || err == nil && u.Disabled {
		s.log.Warn("sign-in refused: no enabled user bound to the certificate", "subject", cert.Subject.String(), "cert_sha256", certSHA(der))
		return nil, store.User{}, fail(403, protocol.CodeUnknownCertificate, "no user is bound to this certificate")
	}
	if err != nil {
		return nil, store.User{}, err
	}
	now := s.c.Now()
	if now.Before(cert.NotBefore) || now.After(cert.NotAfter) {
		return nil, store.User{}, fail(403, protocol.CodeUnknownCertificate, "the certificate is not valid now (valid %s to %s)",
			cert.NotBefore.UTC().Format(time.RFC3339), cert.NotAfter.UTC().Format(time.RFC3339))
	}
	return cert, u, nil
}

// postChallenge is POST /v1/auth/challenge.
func (s *Server) postChallenge(w http.ResponseWriter, r *http.Request) error {
	var req protocol.ChallengeRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		return err
	}
	ctx := r.Context()
	if _, _, err := s.userFor(ctx, req.Certificate); err != nil {
		return err
	}
	s.prune(ctx)
	nonce := make([]byte, 32)
	rand.Read(nonce)
	c := store.Challenge{ID: randomHex(16), Nonce: nonce, CertSHA: certSHA(req.Certificate), Server: s.c.Name,
		ExpiresAt: s.c.Now().Add(s.c.ChallengeTTL).UTC().Truncate(time.Second)}
	if err := s.st.PutChallenge(ctx, c); err != nil {
		return err
	}
	return writeJSON(w, 200, protocol.Challenge{ID: c.ID, Nonce: c.Nonce, Server: c.Server, ExpiresAt: c.ExpiresAt})
}

// prune deletes expired challenges and sessions, at most every ten
// minutes.
func (s *Server) prune(ctx context.Context) {
	s.pruneMu.Lock()
	now := s.c.Now()
	due := now.Sub(s.lastPrune) > 10*time.Minute
	if due {
		s.lastPrune = now
	}
	s.pruneMu.Unlock()
	if due {
		if _, err := s.st.Prune(ctx, now); err != nil {
			s.log.Warn("prune sessions", "err", err)
		}
	}
}

// postSession is POST /v1/auth/session. The challenge is taken (and so
// used up) before anything else is checked.
func (s *Server) postSession(w http.ResponseWriter, r *http.Request) error {
	var req protocol.SessionRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		return err
	}
	ctx := r.Context()
	ch, err := s.st.TakeChallenge(ctx, req.ChallengeID)
	if errors.Is(err, store.ErrNotFound) {
		s.log.Warn("sign-in refused: unknown or used challenge", "challenge", req.ChallengeID)
		return fail(401, protocol.CodeChallengeUsed, "unknown, expired or used challenge: ask a new one")
	}
	if err != nil {
		return err
	}
	if !s.c.Now().Before(ch.ExpiresAt) {
		return fail(401, protocol.CodeChallengeUsed, "the challenge expired: ask a new one")
	}
	sha := certSHA(req.Certificate)
	if sha != ch.CertSHA {
		s.log.Warn("sign-in refused: certificate differs from the challenge's", "challenge", ch.ID)
		return fail(401, protocol.CodeBadSignature, "the challenge was made for another certificate")
	}
	cert, u, err := s.userFor(ctx, req.Certificate)
	if err != nil {
		return err
	}
	pc := protocol.Challenge{ID: ch.ID, Nonce: ch.Nonce, Server: ch.Server, ExpiresAt: ch.ExpiresAt}
	digest := sha256.Sum256(pc.SignedBytes(sha))
	if !verifySignature(cert, digest[:], req.Signature) {
		s.log.Warn("sign-in refused: bad signature", "user", u.ID, "challenge", ch.ID)
		return fail(401, protocol.CodeBadSignature, "the signature does not verify with the certificate's key")
	}
	tok := make([]byte, 32)
	rand.Read(tok)
	token := base64.RawURLEncoding.EncodeToString(tok)
	now := s.c.Now()
	se := store.Session{TokenHash: tokenHash(token), UserID: u.ID, Created: now, ExpiresAt: now.Add(s.c.SessionTTL).UTC()}
	if err := s.st.PutSession(ctx, se); err != nil {
		return err
	}
	a, err := s.st.Agency(ctx, u.Agency)
	if err != nil {
		return err
	}
	s.log.Info("signed in", "user", u.ID, "agency", u.Agency)
	return writeJSON(w, 200, protocol.Session{Token: token, ExpiresAt: se.ExpiresAt, User: protocolUser(u, a)})
}

// verifySignature checks sig over digest (SHA-256) with cert's RSA
// (PKCS#1 v1.5) or ECDSA (ASN.1) key.
func verifySignature(cert *x509.Certificate, digest, sig []byte) bool {
	switch k := cert.PublicKey.(type) {
	case *rsa.PublicKey:
		return rsa.VerifyPKCS1v15(k, crypto.SHA256, digest, sig) == nil
	case *ecdsa.PublicKey:
		return ecdsa.VerifyASN1(k, digest, sig)
	}
	return false
}

// deleteSession is DELETE /v1/auth/session (sign out).
func (s *Server) deleteSession(w http.ResponseWriter, r *http.Request, c *caller) error {
	if err := s.st.DeleteSession(r.Context(), c.tokenHash); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func protocolUser(u store.User, a store.Agency) protocol.User {
	return protocol.User{ID: u.ID, Name: u.Name, Agency: edoc.Organ{OrganID: a.Code, OrganName: a.Name, Email: a.Email},
		Roles: u.Roles, CertSHA: u.CertSHA, Position: u.Position}
}

// getMe is GET /v1/me.
func (s *Server) getMe(w http.ResponseWriter, r *http.Request, c *caller) error {
	return writeJSON(w, 200, protocol.Me{User: protocolUser(c.user, c.agency), ServerTime: s.c.Now().UTC()})
}

// queryLimit reads limit= (def when absent, at most max).
func queryLimit(r *http.Request, def, max int) (int, error) {
	v := r.URL.Query().Get("limit")
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return 0, fail(400, protocol.CodeBadRequest, "limit %q: want a positive number", v)
	}
	return min(n, max), nil
}

// getDirectory is GET /v1/directory: public agency data only.
func (s *Server) getDirectory(w http.ResponseWriter, r *http.Request, c *caller) error {
	limit, err := queryLimit(r, 100, 1000)
	if err != nil {
		return err
	}
	q := edoc.Fold(strings.TrimSpace(r.URL.Query().Get("q")))
	after := r.URL.Query().Get("after")
	page := protocol.DirectoryPage{Agencies: []protocol.Agency{}}
	for {
		batch, err := s.st.Agencies(r.Context(), after, 500)
		if err != nil {
			return err
		}
		for _, a := range batch {
			after = a.Code
			if q != "" && !strings.HasPrefix(edoc.Fold(a.Code), q) && !edoc.MatchWordPrefixes(edoc.Fold(a.Name), q) {
				continue
			}
			if len(page.Agencies) == limit {
				page.Next = page.Agencies[limit-1].Code
				return writeJSON(w, 200, page)
			}
			page.Agencies = append(page.Agencies, protocol.Agency{Code: a.Code, Name: a.Name, Parent: a.Parent, Email: a.Email})
		}
		if len(batch) < 500 {
			return writeJSON(w, 200, page)
		}
	}
}

// adminUsers is GET /v1/admin/users: the users of the caller's agency,
// for its quản trị.
func (s *Server) adminUsers(w http.ResponseWriter, r *http.Request, c *caller) error {
	if err := c.may(protocol.RoleAdmin); err != nil {
		return err
	}
	users, err := s.st.Users(r.Context(), c.agency.Code)
	if err != nil {
		return err
	}
	out := AdminUsers{Users: []AdminUser{}}
	for _, u := range users {
		out.Users = append(out.Users, AdminUser{User: protocolUser(u, c.agency), Disabled: u.Disabled})
	}
	return writeJSON(w, 200, out)
}

// AdminUsers answers GET /v1/admin/users.
type AdminUsers struct {
	Users []AdminUser `json:"users"`
}

// AdminUser is a user as the agency's quản trị sees them.
type AdminUser struct {
	protocol.User
	Disabled bool `json:"disabled"`
}

// adminDisable is POST /v1/admin/users/{id}/disable: the quản trị of an
// agency disables one of its users (whose sessions stop working at
// once).
func (s *Server) adminDisable(w http.ResponseWriter, r *http.Request, c *caller) error {
	if err := c.may(protocol.RoleAdmin); err != nil {
		return err
	}
	ctx := r.Context()
	u, err := s.st.User(ctx, r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) || err == nil && u.Agency != c.agency.Code {
		return notFound("user")
	}
	if err != nil {
		return err
	}
	if err := s.st.SetUserDisabled(ctx, u.ID, true); err != nil {
		return err
	}
	s.log.Info("user disabled", "user", u.ID, "by", c.user.ID)
	w.WriteHeader(http.StatusNoContent)
	return nil
}
