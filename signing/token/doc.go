// Package token talks to signing tokens (USB tokens, smart cards) over
// PKCS#11: it finds the vendor's module, lists tokens and their PIN state,
// watches for tokens being plugged in and out, logs in, pairs certificates
// with private keys and signs as a crypto.Signer. It has no UI; the UI
// turns its errors into Vietnamese sentences.
//
// A typical use:
//
//	path, probes, err := token.Discover(settings.Module)
//	m, err := token.Open(path)
//	defer m.Close()
//	toks, err := m.Tokens()
//	s, err := m.OpenSession(toks[0].SlotID)
//	defer s.Close()
//	err = s.Login(pin)            // once; never retried
//	creds, err := s.Credentials()
//	signable := token.Signing(creds, time.Now())
//	signer, err := s.Signer(signable[0])
//
// # Discovery order
//
// Discover tries the path configured in the application settings, then
// $VANTHU_PKCS11_MODULE, then a built-in list per OS: on Windows the
// modules of the tokens sold in Viet Nam (eTPKCS11.dll and bit4xpki.dll for
// VGCA tokens, viettel-ca_v6.dll, vnpt-ca_csp11.dll, ... wdpkcs.dll) in
// %SystemRoot%\System32; on Linux OpenSC and vendor .so files under
// /usr/lib and /usr/local/lib; on macOS OpenSC and vendor libraries.
// SoftHSM2, a software token for tests and the demo, comes last and is
// labelled as such. The first file that exists wins; every probe is
// returned so the UI can say which module was found and where, and when
// none is found the error (ErrNoModule) lists what was probed.
// DiscoverAll returns every probe, for a settings screen.
//
// Open loads and initialises the module; a 32-bit DLL in a 64-bit process,
// a missing dependency or a file that is not a PKCS#11 module gives an
// error naming the path and the cause.
//
// # PIN discipline
//
// Session.Login sends the PIN once and never retries: tokens lock after a
// few wrong PINs (3 on VGCA tokens). The UI asks the user again and shows
// the state the token reports. Login also refuses, without sending
// anything, an empty PIN on a token without a PIN pad, a PIN outside the
// token's advertised length range, and any PIN when the token already
// reports the PIN locked. For a token with a PIN pad
// (TokenInfo.ProtectedAuthPath), call Login("") and tell the user to type
// the PIN on the device. An already logged-in token is success. The
// package never stores a PIN.
//
// # Errors
//
// Errors are wrapped with context; branch with errors.Is and errors.As:
//
//   - ErrNoModule: Discover found nothing; the message lists the probes.
//   - ErrNoToken: OpenSession on an empty slot or a blank token.
//   - ErrPINIncorrect: wrong PIN; errors.As gives *PINError with the PIN
//     state re-read after the attempt and Remaining tries (-1 unknown,
//     1 on the final try, 0 locked).
//   - ErrPINLocked: the PIN is blocked (also a *PINError); also matches a
//     wrong PIN that just locked the token.
//   - ErrPINPad: PIN-pad entry cancelled.
//   - ErrTokenRemoved: the token went away, or the session was lost, while
//     in use, including mid-signing. The session is dead: Close it, open
//     a new one and log in again.
//   - ErrNotLoggedIn: Sign refused because the token is not (or no longer)
//     logged in; ask for the PIN again.
//   - ErrNoCredential: FindByFingerprint or SignerByID found nothing.
//
// Credential.Problem uses the Problem* reason codes ("expired",
// "no-private-key", ...) rather than errors. Keys that demand a PIN before
// every signature (CKA_ALWAYS_AUTHENTICATE) are reported as
// ProblemPINPerSignature and not supported.
//
// # Threading
//
// Module, Session and the signers are safe for use from several
// goroutines. A PKCS#11 session is not: every call on a session, and
// every Sign through it, holds the session's mutex, so operations on one
// session run one at a time (Login on a PIN pad blocks that session until
// the user is done). Module-level calls (slots, token info, opening and
// closing sessions) are serialised per module file.
//
// A module file is loaded and initialised once per process and shared by
// every Module opened on it; C_Finalize runs when the last one is closed.
// If another component initialised the module first, this package uses it
// and never finalises it. Whoever calls Open calls Module.Close, which
// closes that Module's sessions; whoever calls OpenSession calls
// Session.Close (or leaves it to Module.Close). Signers die with their
// session.
//
// # Hot-plug
//
// Watch polls C_GetSlotList and C_GetTokenInfo (C_WaitForSlotEvent is
// unreliable across vendors) and reports insertions, removals and changes
// (label, PIN flags) on a channel closed when its context ends. Some
// modules, SoftHSM2 among them, only enumerate tokens in C_Initialize; the
// WithRescan option re-initialises such a module between polls whenever
// no session is open. SoftHSM2 notices a deleted token without it.
package token
