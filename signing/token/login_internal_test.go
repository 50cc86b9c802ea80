package token

import (
	"errors"
	"strings"
	"testing"

	"github.com/miekg/pkcs11"
)

// fakeToken is a narrow fake of one PKCS#11 slot, for the logic that maps
// token flags and C_Login results to PINState and PINError, which SoftHSM2
// cannot drive (it has no retry counter). Methods not listed panic.
type fakeToken struct {
	cryptoki
	flags      uint  // token flags before login
	after      uint  // token flags after a failed login
	loginRV    error // what C_Login returns
	logins     []string
	minPIN     uint
	maxPIN     uint
	loginCalls int
}

func (f *fakeToken) GetTokenInfo(uint) (pkcs11.TokenInfo, error) {
	return pkcs11.TokenInfo{Label: "Fake", SerialNumber: "F1", Flags: f.flags, MinPinLen: f.minPIN, MaxPinLen: f.maxPIN}, nil
}

func (f *fakeToken) Login(_ pkcs11.SessionHandle, userType uint, pin string) error {
	f.loginCalls++
	f.logins = append(f.logins, pin)
	if f.loginRV != nil {
		f.flags = f.after
	}
	return f.loginRV
}

func (f *fakeToken) OpenSession(uint, uint) (pkcs11.SessionHandle, error) { return 1, nil }
func (f *fakeToken) CloseSession(pkcs11.SessionHandle) error              { return nil }

func fakeSession(t *testing.T, f *fakeToken) *Session {
	t.Helper()
	lib := &library{path: "/fake", ck: f, initialized: true, refs: 1}
	m := &Module{lib: lib, info: ModuleInfo{Path: "/fake"}, sessions: map[*Session]struct{}{}}
	s, err := m.OpenSession(0)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

const base uint = pkcs11.CKF_TOKEN_INITIALIZED | pkcs11.CKF_LOGIN_REQUIRED

func TestPINStateFromFlags(t *testing.T) {
	for flags, want := range map[uint]PINState{
		0:                                 {},
		pkcs11.CKF_USER_PIN_COUNT_LOW:     {CountLow: true},
		pkcs11.CKF_USER_PIN_FINAL_TRY:     {FinalTry: true},
		pkcs11.CKF_USER_PIN_LOCKED:        {Locked: true},
		pkcs11.CKF_USER_PIN_TO_BE_CHANGED: {ToBeChanged: true},
		pkcs11.CKF_SO_PIN_LOCKED | base:   {},
		pkcs11.CKF_USER_PIN_COUNT_LOW | pkcs11.CKF_USER_PIN_FINAL_TRY: {CountLow: true, FinalTry: true},
	} {
		if got := pinStateFromFlags(flags); got != want {
			t.Errorf("flags %#x: %+v, want %+v", flags, got, want)
		}
	}
}

func TestLoginWrongPINMapping(t *testing.T) {
	cases := []struct {
		name          string
		flags, after  uint
		rv            error
		wantIncorrect bool
		wantLocked    bool
		remaining     int
		wantText      string
	}{
		{"first wrong PIN", base, base | pkcs11.CKF_USER_PIN_COUNT_LOW, pkcs11.Error(pkcs11.CKR_PIN_INCORRECT), true, false, -1, "wrong PIN"},
		{"final try left", base, base | pkcs11.CKF_USER_PIN_COUNT_LOW | pkcs11.CKF_USER_PIN_FINAL_TRY, pkcs11.Error(pkcs11.CKR_PIN_INCORRECT), true, false, 1, "one try left"},
		{"wrong PIN locks", base | pkcs11.CKF_USER_PIN_FINAL_TRY, base | pkcs11.CKF_USER_PIN_LOCKED, pkcs11.Error(pkcs11.CKR_PIN_INCORRECT), true, true, 0, "now locked"},
		{"token says locked", base, base | pkcs11.CKF_USER_PIN_LOCKED, pkcs11.Error(pkcs11.CKR_PIN_LOCKED), false, true, 0, "PIN locked"},
		{"locked, flags not updated", base, base, pkcs11.Error(pkcs11.CKR_PIN_LOCKED), false, true, 0, "PIN locked"},
		{"PIN invalid", base, base, pkcs11.Error(pkcs11.CKR_PIN_INVALID), true, false, -1, "wrong PIN"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := &fakeToken{flags: c.flags, after: c.after, loginRV: c.rv}
			s := fakeSession(t, f)
			err := s.Login("000000")
			if f.loginCalls != 1 {
				t.Errorf("%d C_Login calls, want 1", f.loginCalls)
			}
			var pe *PINError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *PINError", err)
			}
			if errors.Is(err, ErrPINIncorrect) != c.wantIncorrect || errors.Is(err, ErrPINLocked) != c.wantLocked {
				t.Errorf("%v: Is(ErrPINIncorrect)=%v Is(ErrPINLocked)=%v", err, errors.Is(err, ErrPINIncorrect), errors.Is(err, ErrPINLocked))
			}
			if pe.Remaining != c.remaining {
				t.Errorf("Remaining %d, want %d", pe.Remaining, c.remaining)
			}
			if pe.State.Locked != c.wantLocked {
				t.Errorf("State %+v", pe.State)
			}
			if !strings.Contains(err.Error(), c.wantText) || !strings.HasPrefix(err.Error(), `login to token "Fake": `) {
				t.Errorf("message %q", err)
			}
			if s.LoggedIn() {
				t.Error("LoggedIn after a failed login")
			}
		})
	}
}

func TestLoginRefusesWithoutCallingToken(t *testing.T) {
	t.Run("locked", func(t *testing.T) {
		f := &fakeToken{flags: base | pkcs11.CKF_USER_PIN_LOCKED}
		err := fakeSession(t, f).Login("123456")
		var pe *PINError
		if !errors.Is(err, ErrPINLocked) || !errors.As(err, &pe) || pe.Remaining != 0 || f.loginCalls != 0 {
			t.Errorf("err %v, %d C_Login calls", err, f.loginCalls)
		}
	})
	t.Run("empty PIN without PIN pad", func(t *testing.T) {
		f := &fakeToken{flags: base}
		err := fakeSession(t, f).Login("")
		if err == nil || f.loginCalls != 0 {
			t.Errorf("err %v, %d C_Login calls", err, f.loginCalls)
		}
	})
	t.Run("PIN too short", func(t *testing.T) {
		f := &fakeToken{flags: base, minPIN: 6, maxPIN: 16}
		err := fakeSession(t, f).Login("123")
		if !errors.Is(err, ErrPINIncorrect) || f.loginCalls != 0 || !strings.Contains(err.Error(), "6 to 16") {
			t.Errorf("err %v, %d C_Login calls", err, f.loginCalls)
		}
	})
	t.Run("garbage length range is ignored", func(t *testing.T) {
		f := &fakeToken{flags: base, minPIN: 0, maxPIN: 0}
		if err := fakeSession(t, f).Login("1"); err != nil || f.loginCalls != 1 {
			t.Errorf("err %v, %d C_Login calls", err, f.loginCalls)
		}
	})
}

func TestLoginPINPad(t *testing.T) {
	pad := base | uint(pkcs11.CKF_PROTECTED_AUTHENTICATION_PATH)
	f := &fakeToken{flags: pad}
	s := fakeSession(t, f)
	if err := s.Login(""); err != nil {
		t.Fatal(err)
	}
	if len(f.logins) != 1 || f.logins[0] != "" {
		t.Errorf("PIN pad login sent %q", f.logins)
	}
	if !s.LoggedIn() {
		t.Error("not LoggedIn")
	}

	f = &fakeToken{flags: pad, after: pad, loginRV: pkcs11.Error(pkcs11.CKR_FUNCTION_CANCELED)}
	if err := fakeSession(t, f).Login(""); !errors.Is(err, ErrPINPad) {
		t.Errorf("cancelled PIN pad: %v", err)
	}
}

func TestLoginAlreadyLoggedIn(t *testing.T) {
	f := &fakeToken{flags: base, after: base, loginRV: pkcs11.Error(pkcs11.CKR_USER_ALREADY_LOGGED_IN)}
	s := fakeSession(t, f)
	if err := s.Login("123456"); err != nil || !s.LoggedIn() {
		t.Errorf("already logged in: %v", err)
	}
}

func TestPINErrorRemainingFromState(t *testing.T) {
	for st, want := range map[PINState]int{
		{}:                             -1,
		{CountLow: true}:               -1,
		{FinalTry: true}:               1,
		{Locked: true}:                 0,
		{FinalTry: true, Locked: true}: 0,
	} {
		if got := newPINError(ErrPINIncorrect, st).Remaining; got != want {
			t.Errorf("%+v: Remaining %d, want %d", st, got, want)
		}
	}
}
