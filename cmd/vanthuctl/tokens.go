package main

import (
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/vanthuso/vanthu/signing/token"
)

// tokenFlags choose the module, the token and the certificate.
type tokenFlags struct {
	module   string // --module: a PKCS#11 module path; "" = discover
	label    string // --token: token label; "" = the only token present
	cert     string // --cert: SHA-256 of the certificate; "" = the only usable one
	pinStdin bool   // --pin-stdin
}

// findModule returns the PKCS#11 module to use and what was probed. A
// module given with --module must exist: falling back to another module
// would sign with a token the user did not mean.
func (c *cli) findModule(explicit string) (string, []token.Probe, error) {
	if explicit = strings.TrimSpace(explicit); explicit != "" {
		probes := token.DiscoverAll(explicit)
		if len(probes) > 0 && probes[0].Source == token.SourceConfig && probes[0].Found {
			return probes[0].Path, probes, nil
		}
		return "", probes, c.tokenErr(token.ErrNoModule, "err.module-not-found", explicit, c.probeList(probes))
	}
	path, probes, err := token.Discover("")
	if err != nil {
		return "", probes, c.tokenErr(err, "err.no-module", c.probeList(probes))
	}
	return path, probes, nil
}

// probeList is one line per probe, for messages.
func (c *cli) probeList(probes []token.Probe) string {
	var b strings.Builder
	for _, p := range probes {
		fmt.Fprintf(&b, "\n  - %s", c.probeLine(p))
	}
	return b.String()
}

func (c *cli) probeLine(p token.Probe) string {
	s := p.Path + " (" + c.t("source."+p.Source)
	if p.Vendor != "" {
		s += ", " + p.Vendor
	}
	s += "): "
	if p.Found {
		return s + c.t("probe.found")
	}
	if p.Err == "not found" {
		return s + c.t("probe.not-found")
	}
	return s + p.Err
}

// openModule loads the module at path.
func (c *cli) openModule(path string) (*token.Module, error) {
	m, err := token.Open(path)
	if err != nil {
		return nil, c.tokenErr(err, "err.module-load", path, err.Error())
	}
	return m, nil
}

// chooseToken picks the token labelled label, or the only initialised
// token when label is empty. Several tokens without a label is a usage
// error listing them; none, or none with that label, is a token problem.
func (c *cli) chooseToken(toks []token.TokenInfo, label string) (token.TokenInfo, error) {
	var ready []token.TokenInfo
	for _, t := range toks {
		if t.Initialized {
			ready = append(ready, t)
		}
	}
	if label != "" {
		for _, t := range ready {
			if sameLabel(t.Label, label) {
				return t, nil
			}
		}
		if len(ready) == 0 {
			return token.TokenInfo{}, c.tokenErr(token.ErrNoToken, "err.token-label-none", label)
		}
		return token.TokenInfo{}, c.tokenErr(token.ErrNoToken, "err.token-label", label, c.tokenList(ready))
	}
	switch len(ready) {
	case 0:
		return token.TokenInfo{}, c.tokenErr(token.ErrNoToken, "err.no-token")
	case 1:
		return ready[0], nil
	}
	return token.TokenInfo{}, c.usageErr("usage.several-tokens", len(ready), c.tokenList(ready))
}

// sameLabel compares token labels as people type them: surrounding
// spaces, letter case and Unicode normalisation do not matter.
func sameLabel(a, b string) bool {
	return strings.EqualFold(norm.NFC.String(strings.TrimSpace(a)), norm.NFC.String(strings.TrimSpace(b)))
}

func (c *cli) tokenList(toks []token.TokenInfo) string {
	var b strings.Builder
	for _, t := range toks {
		fmt.Fprintf(&b, "\n  - --token %q  (%s)", t.Label, c.t("token.brief", t.SlotID, t.Serial, t.Manufacturer, t.Model))
	}
	return b.String()
}

// chooseCredential picks the certificate with the fingerprint fp, or the
// only usable signing certificate when fp is empty. It explains every
// certificate that cannot sign.
func (c *cli) chooseCredential(creds []token.Credential, fp, tokenLabel string, now time.Time) (token.Credential, error) {
	if fp != "" {
		want, ok := normalizeFingerprint(fp)
		if !ok {
			return token.Credential{}, c.usageErr("usage.bad-cert", fp)
		}
		for _, cr := range creds {
			if token.Fingerprint(cr.Certificate) != want {
				continue
			}
			if !cr.Usable {
				return token.Credential{}, c.tokenErr(token.ErrNoCredential, "err.cert-unusable",
					c.describeCert(cr.Certificate), c.problemText(credentialProblem(cr, now)))
			}
			return cr, nil
		}
		return token.Credential{}, c.tokenErr(token.ErrNoCredential, "err.cert-not-on-token", want, tokenLabel, c.credentialList(creds, now))
	}
	var usable []token.Credential
	for _, cr := range creds {
		if cr.Usable {
			usable = append(usable, cr)
		}
	}
	switch len(usable) {
	case 0:
		return token.Credential{}, c.tokenErr(token.ErrNoCredential, "err.no-usable-cert", tokenLabel, c.credentialList(creds, now))
	case 1:
		return usable[0], nil
	}
	return token.Credential{}, c.usageErr("usage.several-certs", len(usable), tokenLabel, c.credentialList(creds, now))
}

// credentialList describes every certificate on a token, usable ones
// first, with the reason the others cannot sign.
func (c *cli) credentialList(creds []token.Credential, now time.Time) string {
	if len(creds) == 0 {
		return "\n  " + c.t("cert.none")
	}
	var b strings.Builder
	for _, cr := range creds {
		state := c.t("cert.usable")
		if !cr.Usable {
			state = c.t("cert.unusable", c.problemText(credentialProblem(cr, now)))
		}
		fmt.Fprintf(&b, "\n  - %s\n      %s", c.describeCert(cr.Certificate), state)
	}
	return b.String()
}

// signingKey is a logged-in token session with the chosen certificate,
// its key as a crypto.Signer and the chain to embed. Close releases the
// session and the module.
type signingKey struct {
	module *token.Module
	sess   *token.Session
	path   string // module path
	token  token.TokenInfo
	cred   token.Credential
	signer crypto.Signer
	chain  []*x509.Certificate
}

func (k *signingKey) Close() {
	if k.sess != nil {
		k.sess.Close()
	}
	if k.module != nil {
		k.module.Close()
	}
}

// openSigningKey finds the module, picks the token, logs in once with the
// PIN, picks the certificate and builds its chain from the certificates
// on the token. Progress notes (the module used, PIN pad prompts) go to
// standard error.
func (c *cli) openSigningKey(tf tokenFlags, pin pinSource) (*signingKey, error) {
	path, _, err := c.findModule(tf.module)
	if err != nil {
		return nil, err
	}
	m, err := c.openModule(path)
	if err != nil {
		return nil, err
	}
	key := &signingKey{module: m, path: path}
	if err := c.prepareKey(key, tf, pin); err != nil {
		key.Close()
		return nil, err
	}
	return key, nil
}

// prepareKey fills key from its open module: token, session, login,
// certificate, signer, chain.
func (c *cli) prepareKey(key *signingKey, tf tokenFlags, pin pinSource) error {
	toks, err := key.module.Tokens()
	if err != nil {
		return c.tokenErr(err, "err.tokens", key.path, err.Error())
	}
	if key.token, err = c.chooseToken(toks, tf.label); err != nil {
		return err
	}
	if key.sess, err = key.module.OpenSession(key.token.SlotID); err != nil {
		return err
	}
	if err := c.login(key.sess, key.token, pin); err != nil {
		return err
	}
	creds, err := key.sess.Credentials()
	if err != nil {
		return err
	}
	if key.cred, err = c.chooseCredential(creds, tf.cert, key.token.Label, c.now()); err != nil {
		return err
	}
	if key.signer, err = key.sess.Signer(key.cred); err != nil {
		return err
	}
	var onToken []*x509.Certificate
	for _, cr := range creds {
		onToken = append(onToken, cr.Certificate)
	}
	key.chain = token.Chain(key.cred.Certificate, onToken)
	return nil
}

// login logs in once. A PIN-pad token gets Login("") after telling the
// user to type the PIN on the device; otherwise the PIN must have been
// given through $VANTHU_PIN or --pin-stdin. A refused PIN is returned,
// never retried.
func (c *cli) login(s *token.Session, info token.TokenInfo, pin pinSource) error {
	if info.ProtectedAuthPath {
		fmt.Fprintln(c.stderr, c.t("note.pin-pad", info.Label))
		return s.Login("")
	}
	if !pin.ok {
		return c.usageErr("usage.no-pin", envPIN)
	}
	err := s.Login(pin.value)
	if err != nil && !errors.Is(err, token.ErrPINIncorrect) && !errors.Is(err, token.ErrPINLocked) &&
		!errors.Is(err, token.ErrTokenRemoved) && !errors.Is(err, token.ErrPINPad) {
		return c.tokenErr(err, "err.login", info.Label, err.Error())
	}
	return err
}
