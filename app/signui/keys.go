package signui

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vanthuso/vanthu/signing/token"
)

// tokenSession is the part of *token.Session the dialogs use; tests give
// fakes.
type tokenSession interface {
	Token() (token.TokenInfo, error)
	Credentials() ([]token.Credential, error)
	Login(pin string) error
	Signer(c token.Credential) (crypto.Signer, error)
	Close() error
}

// tokenModule is the part of *token.Module the dialogs and the status
// use; tests give fakes.
type tokenModule interface {
	Tokens() ([]token.TokenInfo, error)
	OpenSession(slotID uint) (tokenSession, error)
	Watch(ctx context.Context, every time.Duration) <-chan token.Event
	Path() string
	Close() error
}

// openModule finds and loads the PKCS#11 module cfg names (or discovers
// it). It is a variable so tests can give fakes.
var openModule = func(cfg Config) (tokenModule, error) {
	path, err := findModule(cfg.ModulePath)
	if err != nil {
		return nil, err
	}
	m, err := token.Open(path)
	if err != nil {
		return nil, &moduleLoadError{path: path, err: err}
	}
	return &pkcs11Module{m: m, path: path}, nil
}

// findModule returns the PKCS#11 module to load: the configured one,
// which must exist (falling back to another module would show and sign
// with tokens the user did not mean), else the first one Discover finds.
func findModule(configured string) (string, error) {
	configured = strings.TrimSpace(configured)
	if configured == "" {
		path, _, err := token.Discover("")
		return path, err
	}
	probes := token.DiscoverAll(configured)
	if len(probes) > 0 && probes[0].Source == token.SourceConfig && probes[0].Found {
		return probes[0].Path, nil
	}
	return "", &moduleMissingError{path: configured}
}

// moduleMissingError is a configured module path where there is no file.
type moduleMissingError struct{ path string }

func (e *moduleMissingError) Error() string { return "no PKCS#11 module at " + e.path }
func (e *moduleMissingError) Unwrap() error { return token.ErrNoModule }

// moduleLoadError is a module that was found but did not load.
type moduleLoadError struct {
	path string
	err  error
}

func (e *moduleLoadError) Error() string { return "load " + e.path + ": " + e.err.Error() }
func (e *moduleLoadError) Unwrap() error { return e.err }

// pkcs11Module adapts *token.Module to tokenModule.
type pkcs11Module struct {
	m    *token.Module
	path string
}

func (p *pkcs11Module) Tokens() ([]token.TokenInfo, error) { return p.m.Tokens() }
func (p *pkcs11Module) Path() string                       { return p.path }
func (p *pkcs11Module) Close() error                       { return p.m.Close() }

func (p *pkcs11Module) OpenSession(slotID uint) (tokenSession, error) {
	s, err := p.m.OpenSession(slotID)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// Watch polls with rescanning, so that modules which enumerate tokens
// only when initialised (SoftHSM2, some vendor modules) see tokens plugged
// in later; rescans are skipped while a dialog holds a session.
func (p *pkcs11Module) Watch(ctx context.Context, every time.Duration) <-chan token.Event {
	return p.m.Watch(ctx, every, token.WithRescan())
}

// ready keeps the initialised tokens (SoftHSM2 always shows a blank one).
func ready(toks []token.TokenInfo) []token.TokenInfo {
	var out []token.TokenInfo
	for _, t := range toks {
		if t.Initialized {
			out = append(out, t)
		}
	}
	return out
}

// signingKey is a logged-in credential: its signer, certificate and the
// chain to embed. It dies with the session it came from.
type signingKey struct {
	signer crypto.Signer
	cert   *x509.Certificate
	chain  []*x509.Certificate
	token  token.TokenInfo
}

// unlockKey logs in to s with pin (once; never retried) and returns the
// key of the certificate with the SHA-256 fingerprint fp. A PIN-pad token
// gets Login("") and the user types on the device.
func unlockKey(s tokenSession, info token.TokenInfo, pin, fp string) (*signingKey, error) {
	if info.ProtectedAuthPath {
		pin = ""
	}
	if err := s.Login(pin); err != nil {
		return nil, err
	}
	creds, err := s.Credentials()
	if err != nil {
		return nil, err
	}
	var onToken []*x509.Certificate
	var chosen *token.Credential
	for i, c := range creds {
		onToken = append(onToken, c.Certificate)
		if token.Fingerprint(c.Certificate) == fp {
			chosen = &creds[i]
		}
	}
	if chosen == nil {
		return nil, fmt.Errorf("certificate %s: %w", fp, token.ErrNoCredential)
	}
	if !chosen.Usable {
		return nil, &unusableError{problem: credentialProblem(*chosen, time.Now())}
	}
	signer, err := s.Signer(*chosen)
	if err != nil {
		return nil, err
	}
	return &signingKey{signer: signer, cert: chosen.Certificate, chain: token.Chain(chosen.Certificate, onToken), token: info}, nil
}

// unusableError is a chosen certificate that turned out, after login,
// unable to sign (no key, key mismatch...).
type unusableError struct{ problem string }

func (e *unusableError) Error() string { return "certificate cannot sign: " + e.problem }

// credentialProblem is why cr cannot sign, "" when it can (or may, once
// logged in).
func credentialProblem(cr token.Credential, now time.Time) string {
	if p := token.CertificateProblem(cr.Certificate, now); p != "" {
		return p
	}
	if cr.Usable || cr.Problem == token.ProblemNotLoggedIn {
		return ""
	}
	return cr.Problem
}

// holderName is the certificate holder's name for the token status: the
// CN of the first certificate that can sign now, else of the first one
// that is not a CA certificate.
func holderName(creds []token.Credential, now time.Time) string {
	fallback := ""
	for _, c := range creds {
		cn := c.Certificate.Subject.CommonName
		switch {
		case cn == "" || c.Certificate.IsCA:
		case token.CertificateProblem(c.Certificate, now) == "":
			return cn
		case fallback == "":
			fallback = cn
		}
	}
	return fallback
}

// isTokenProblem reports whether err means the token or its login is gone,
// so a batch stops rather than failing every later file the same way.
func isTokenProblem(err error) bool {
	return errors.Is(err, token.ErrTokenRemoved) || errors.Is(err, token.ErrNotLoggedIn) ||
		errors.Is(err, token.ErrPINIncorrect) || errors.Is(err, token.ErrPINLocked) ||
		errors.Is(err, token.ErrPINPad) || errors.Is(err, token.ErrNoToken)
}
