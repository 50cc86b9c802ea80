package token

import (
	"errors"
	"fmt"

	"github.com/miekg/pkcs11"
)

// Sentinel errors. They come back wrapped with context; test with errors.Is.
var (
	// ErrNoModule means Discover found no PKCS#11 module. The error text lists
	// every path that was probed and why it was rejected.
	ErrNoModule = errors.New("no PKCS#11 module found")

	// ErrNoToken means the slot has no (initialised) token: OpenSession on an
	// empty or unknown slot.
	ErrNoToken = errors.New("no token in slot")

	// ErrTokenRemoved means the token went away while a session was open
	// (unplugged, reader reset, session closed behind our back). The session
	// is dead: close it, ask the user to insert the token, open a new
	// session and log in again.
	ErrTokenRemoved = errors.New("token removed")

	// ErrPINIncorrect means the token rejected the PIN. The error is a
	// *PINError carrying the PIN state the token reported after the attempt.
	ErrPINIncorrect = errors.New("wrong PIN")

	// ErrPINLocked means the user PIN is blocked; only the token's SO PIN
	// (usually the CA's support desk) can unblock it. The error is a
	// *PINError with State.Locked set.
	ErrPINLocked = errors.New("PIN locked")

	// ErrPINPad means PIN entry on the token's or reader's own keypad was
	// cancelled or timed out (CKR_FUNCTION_CANCELED).
	ErrPINPad = errors.New("PIN entry on the PIN pad was cancelled")

	// ErrNotLoggedIn means a private-key operation was refused because the
	// token is not logged in: Login was never called, or the token logged
	// out (another session's Logout, a vendor timeout). Ask for the PIN and
	// call Login again.
	ErrNotLoggedIn = errors.New("not logged in to the token")

	// ErrNoCredential means the requested certificate is not on the token.
	ErrNoCredential = errors.New("certificate not found on token")
)

// PINState is the user-PIN part of a token's flags. Tokens that count tries
// set CountLow after a wrong PIN, FinalTry when one try is left, and Locked
// when the PIN is blocked.
type PINState struct {
	CountLow    bool // CKF_USER_PIN_COUNT_LOW: at least one wrong PIN since the last good one
	FinalTry    bool // CKF_USER_PIN_FINAL_TRY: the next wrong PIN locks the token
	Locked      bool // CKF_USER_PIN_LOCKED: the user PIN is blocked
	ToBeChanged bool // CKF_USER_PIN_TO_BE_CHANGED: initial/expired PIN must be changed (vendor tool)
}

func pinStateFromFlags(flags uint) PINState {
	return PINState{
		CountLow:    flags&pkcs11.CKF_USER_PIN_COUNT_LOW != 0,
		FinalTry:    flags&pkcs11.CKF_USER_PIN_FINAL_TRY != 0,
		Locked:      flags&pkcs11.CKF_USER_PIN_LOCKED != 0,
		ToBeChanged: flags&pkcs11.CKF_USER_PIN_TO_BE_CHANGED != 0,
	}
}

// Remaining is the number of PIN tries left as far as PKCS#11 can tell:
// 0 when locked, 1 on the final try, -1 when unknown (PKCS#11 has no
// counter, only these flags).
func (st PINState) Remaining() int {
	switch {
	case st.Locked:
		return 0
	case st.FinalTry:
		return 1
	default:
		return -1
	}
}

// PINError is returned by Session.Login when the PIN was refused or the
// PIN is locked. Err is ErrPINIncorrect or ErrPINLocked; errors.Is sees
// through it. errors.Is(err, ErrPINLocked) is also true for a wrong PIN that
// locked the token (State.Locked after the attempt).
type PINError struct {
	Err       error    // ErrPINIncorrect or ErrPINLocked
	State     PINState // token flags re-read after the attempt
	Remaining int      // tries left: -1 unknown, 1 when State.FinalTry, 0 when locked
	// detail explains a refusal that happened before the PIN reached the token.
	detail string
}

func newPINError(sentinel error, st PINState) *PINError {
	if sentinel == ErrPINLocked {
		st.Locked = true
	}
	return &PINError{Err: sentinel, State: st, Remaining: st.Remaining()}
}

func (e *PINError) Error() string {
	msg := e.Err.Error()
	if e.detail != "" {
		msg += " (" + e.detail + ")"
	}
	switch {
	case e.Err == ErrPINLocked:
		return msg
	case e.State.Locked:
		return msg + "; the PIN is now locked"
	case e.Remaining == 1:
		return msg + "; one try left before the PIN locks"
	default:
		return msg
	}
}

// Unwrap returns Err.
func (e *PINError) Unwrap() error { return e.Err }

// Is reports ErrPINLocked for a wrong PIN that left the token locked.
func (e *PINError) Is(target error) bool {
	return target == ErrPINLocked && e.State.Locked
}

// rvIs reports whether err is the PKCS#11 return value rv.
func rvIs(err error, rv ...uint) bool {
	var e pkcs11.Error
	if !errors.As(err, &e) {
		return false
	}
	for _, r := range rv {
		if uint(e) == r {
			return true
		}
	}
	return false
}

// removalRVs are return values that mean the token or the session is gone.
var removalRVs = []uint{
	pkcs11.CKR_DEVICE_REMOVED,
	pkcs11.CKR_TOKEN_NOT_PRESENT,
	pkcs11.CKR_TOKEN_NOT_RECOGNIZED,
	pkcs11.CKR_SESSION_HANDLE_INVALID,
	pkcs11.CKR_SESSION_CLOSED,
	pkcs11.CKR_DEVICE_ERROR,
	pkcs11.CKR_SLOT_ID_INVALID,
}

func isRemoval(err error) bool { return rvIs(err, removalRVs...) }

func removedError(context string, cause error) error {
	if cause == nil {
		return fmt.Errorf("%s: %w", context, ErrTokenRemoved)
	}
	return fmt.Errorf("%s: %w (%w)", context, ErrTokenRemoved, cause)
}
