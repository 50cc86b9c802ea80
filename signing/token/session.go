package token

import (
	"errors"
	"fmt"
	"sync"

	"github.com/miekg/pkcs11"
)

// Session is a PKCS#11 session on one token. A session is not safe for
// concurrent PKCS#11 use, so every call through it, and through Signers
// made from it, is serialised by a mutex: methods may be called from any
// goroutine, one operation runs at a time. The caller closes the session
// with Close (Module.Close also closes it).
//
// PKCS#11 login state is per token and process: Login on one session logs
// in every session of the same token, and Logout logs all of them out.
type Session struct {
	m      *Module
	slot   uint
	label  string
	serial string

	mu       sync.Mutex
	h        pkcs11.SessionHandle
	closed   bool
	lost     bool // the token went away; every call fails with ErrTokenRemoved
	loggedIn bool
}

var errSessionClosed = errors.New("session closed")

// OpenSession opens a read-only session on the token in slotID; read-only
// sessions can log in and sign. It returns an error wrapping ErrNoToken
// when the slot is empty, unknown or holds a blank token. The caller must
// Close the session.
func (m *Module) OpenSession(slotID uint) (*Session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, fmt.Errorf("open session on slot %d: %w", slotID, errModuleClosed)
	}
	lib := m.lib
	lib.mu.Lock()
	if !lib.initialized {
		lib.mu.Unlock()
		return nil, fmt.Errorf("open session on slot %d: %w", slotID, errModuleClosed)
	}
	ti, err := lib.ck.GetTokenInfo(slotID)
	if err != nil {
		lib.mu.Unlock()
		return nil, fmt.Errorf("open session on slot %d: %w (%w)", slotID, ErrNoToken, err)
	}
	info := tokenInfoFrom(slotID, ti)
	if !info.Initialized {
		lib.mu.Unlock()
		return nil, fmt.Errorf("open session on slot %d: token is not initialised: %w", slotID, ErrNoToken)
	}
	h, err := lib.ck.OpenSession(slotID, pkcs11.CKF_SERIAL_SESSION)
	if err != nil {
		lib.mu.Unlock()
		if isRemoval(err) {
			return nil, fmt.Errorf("open session on token %q: %w (%w)", info.Label, ErrNoToken, err)
		}
		return nil, fmt.Errorf("open session on token %q: %w", info.Label, err)
	}
	lib.sessions++
	lib.mu.Unlock()
	s := &Session{m: m, slot: slotID, label: info.Label, serial: info.Serial, h: h}
	m.sessions[s] = struct{}{}
	return s, nil
}

// SlotID returns the slot the session was opened on.
func (s *Session) SlotID() uint { return s.slot }

// TokenLabel returns the token's label as read when the session was opened.
func (s *Session) TokenLabel() string { return s.label }

// Token re-reads the token's info, PIN flags included. It fails with
// ErrTokenRemoved when the token is gone or another token sits in the slot.
func (s *Session) Token() (TokenInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check("read token info"); err != nil {
		return TokenInfo{}, err
	}
	ti, err := s.m.lib.tokenInfo(s.slot)
	if err != nil {
		s.lost = true
		return TokenInfo{}, removedError(fmt.Sprintf("read token info of %q", s.label), err)
	}
	info := tokenInfoFrom(s.slot, ti)
	if info.Serial != s.serial {
		s.lost = true
		return TokenInfo{}, removedError(fmt.Sprintf("read token info of %q", s.label), nil)
	}
	return info, nil
}

// check reports a closed or lost session. Called with s.mu held.
func (s *Session) check(op string) error {
	switch {
	case s.closed:
		return fmt.Errorf("%s on token %q: %w", op, s.label, errSessionClosed)
	case s.lost:
		return removedError(fmt.Sprintf("%s on token %q", op, s.label), nil)
	}
	return nil
}

// failure wraps err from a session call. If the return value means the
// token or session is gone, or the slot no longer holds the token the
// session was opened on, the error wraps ErrTokenRemoved and the session
// is marked lost. Called with s.mu held.
func (s *Session) failure(op string, err error) error {
	context := fmt.Sprintf("%s on token %q", op, s.label)
	if isRemoval(err) || !s.tokenPresent() {
		s.lost = true
		return removedError(context, err)
	}
	return fmt.Errorf("%s: %w", context, err)
}

// sessionLoggedIn asks the module whether the session is in a user state.
// Called with s.mu held.
func (s *Session) sessionLoggedIn() bool {
	si, err := s.m.lib.ck.GetSessionInfo(s.h)
	if err != nil {
		return s.loggedIn
	}
	return si.State == pkcs11.CKS_RO_USER_FUNCTIONS || si.State == pkcs11.CKS_RW_USER_FUNCTIONS
}

// tokenPresent reports whether the session's token is still in its slot.
func (s *Session) tokenPresent() bool {
	ti, err := s.m.lib.tokenInfo(s.slot)
	return err == nil && tokenInfoFrom(s.slot, ti).Serial == s.serial
}

// Login logs the user in with pin (C_Login, CKU_USER). It sends the PIN at
// most once and never retries. An already logged-in token is success.
//
// For a token with a PIN pad (TokenInfo.ProtectedAuthPath) pass "": the
// user types the PIN on the device; a cancelled entry gives ErrPINPad. An
// empty PIN on a token without a PIN pad is refused without calling the
// token.
//
// A wrong PIN returns a *PINError wrapping ErrPINIncorrect, with the PIN
// flags re-read after the attempt. If the token already reports the PIN
// locked, Login does not send the PIN and returns a *PINError wrapping
// ErrPINLocked. A PIN outside the token's advertised length range is
// refused as ErrPINIncorrect without being sent, so it costs no try.
// A vanished token gives ErrTokenRemoved.
func (s *Session) Login(pin string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check("login"); err != nil {
		return err
	}
	context := fmt.Sprintf("login to token %q", s.label)
	raw, err := s.m.lib.tokenInfo(s.slot)
	if err != nil {
		s.lost = true
		return removedError(context, err)
	}
	info := tokenInfoFrom(s.slot, raw)
	if info.Serial != s.serial {
		s.lost = true
		return removedError(context, nil)
	}
	if info.PIN.Locked {
		return fmt.Errorf("%s: %w", context, newPINError(ErrPINLocked, info.PIN))
	}
	if pin == "" && !info.ProtectedAuthPath {
		return fmt.Errorf("%s: empty PIN and the token has no PIN pad", context)
	}
	if pin != "" && pinLengthKnown(raw) && (uint(len(pin)) < raw.MinPinLen || uint(len(pin)) > raw.MaxPinLen) {
		e := newPINError(ErrPINIncorrect, info.PIN)
		e.detail = fmt.Sprintf("the token accepts %d to %d characters; not sent to the token", raw.MinPinLen, raw.MaxPinLen)
		return fmt.Errorf("%s: %w", context, e)
	}

	err = s.m.lib.ck.Login(s.h, pkcs11.CKU_USER, pin)
	switch {
	case err == nil, rvIs(err, pkcs11.CKR_USER_ALREADY_LOGGED_IN):
		s.loggedIn = true
		return nil
	case rvIs(err, pkcs11.CKR_PIN_INCORRECT, pkcs11.CKR_PIN_INVALID, pkcs11.CKR_PIN_LEN_RANGE):
		return fmt.Errorf("%s: %w", context, newPINError(ErrPINIncorrect, s.pinStateAfter(info.PIN)))
	case rvIs(err, pkcs11.CKR_PIN_LOCKED):
		return fmt.Errorf("%s: %w", context, newPINError(ErrPINLocked, s.pinStateAfter(info.PIN)))
	case rvIs(err, pkcs11.CKR_FUNCTION_CANCELED):
		return fmt.Errorf("%s: %w (%w)", context, ErrPINPad, err)
	case rvIs(err, pkcs11.CKR_PIN_EXPIRED):
		return fmt.Errorf("%s: the PIN has expired; change it with the token vendor's tool: %w", context, err)
	case rvIs(err, pkcs11.CKR_USER_PIN_NOT_INITIALIZED):
		return fmt.Errorf("%s: the token has no user PIN; initialise it with the token vendor's tool: %w", context, err)
	}
	return s.failure("login", err)
}

// pinLengthKnown reports whether the token's PIN length range is usable:
// some modules leave it zero or fill it with garbage.
func pinLengthKnown(ti pkcs11.TokenInfo) bool {
	return ti.MinPinLen > 0 && ti.MaxPinLen >= ti.MinPinLen && ti.MaxPinLen < 1<<16
}

// pinStateAfter re-reads the PIN flags after a refused login; before is
// used when the token cannot be read.
func (s *Session) pinStateAfter(before PINState) PINState {
	ti, err := s.m.lib.tokenInfo(s.slot)
	if err != nil {
		return before
	}
	return pinStateFromFlags(ti.Flags)
}

// LoggedIn reports whether Login succeeded on this session. Another
// session's Logout, or the token's own timeout, is not reflected.
func (s *Session) LoggedIn() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.loggedIn && !s.lost && !s.closed
}

// Logout logs the user out of the token (every session of the token in the
// process). Logging out when not logged in is not an error.
func (s *Session) Logout() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check("logout"); err != nil {
		return err
	}
	s.loggedIn = false
	err := s.m.lib.ck.Logout(s.h)
	if err == nil || rvIs(err, pkcs11.CKR_USER_NOT_LOGGED_IN) {
		return nil
	}
	return s.failure("logout", err)
}

// Close closes the session (C_CloseSession). Signers made from it stop
// working. Close is idempotent; a session whose token was removed closes
// without error.
func (s *Session) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	lib := s.m.lib
	lib.mu.Lock()
	var err error
	if lib.initialized {
		err = lib.ck.CloseSession(s.h)
		lib.sessions--
	}
	lib.mu.Unlock()

	s.m.mu.Lock()
	delete(s.m.sessions, s)
	s.m.mu.Unlock()

	if err != nil && !isRemoval(err) && !s.lost {
		return fmt.Errorf("close session on token %q: %w", s.label, err)
	}
	return nil
}
