package signui

import (
	"crypto"
	"crypto/x509"
	"errors"
	"time"

	"fyne.io/fyne/v2"

	"github.com/vanthuso/vanthu/signing/token"
)

// KeyPicker is the token, certificate and PIN part of the sign dialog,
// for other screens that need the user's key (signing in to the server
// with the token): the token chooser and its state, the certificates that
// can sign, the PIN entry with the tries left. It owns a PKCS#11 module
// and a session until Stop.
//
// Use it on the UI goroutine; only the function Unlocker returns runs
// elsewhere.
type KeyPicker struct {
	k                            *keyPanel
	tokenPart, certPart, pinPart fyne.CanvasObject
}

// NewKeyPicker builds the widgets and starts reading the tokens of cfg's
// module. do runs the token's reports on the UI goroutine (nil is
// fyne.Do). Stop it when its screen closes.
func NewKeyPicker(cfg Config, do func(func())) *KeyPicker {
	p := &KeyPicker{k: newKeyPanel(time.Now)}
	p.k.do = do
	p.tokenPart, p.certPart, p.pinPart = p.k.build()
	p.k.start(cfg)
	return p
}

// Token, Certificates and PIN are the parts to lay out.
func (p *KeyPicker) Token() fyne.CanvasObject { return p.tokenPart }

// Certificates: see Token.
func (p *KeyPicker) Certificates() fyne.CanvasObject { return p.certPart }

// PIN: see Token.
func (p *KeyPicker) PIN() fyne.CanvasObject { return p.pinPart }

// PINEntry is the PIN entry itself (to focus it).
func (p *KeyPicker) PINEntry() fyne.Focusable { return p.k.pin }

// OnChanged sets what runs (on the UI goroutine) when the token, the
// certificate or the PIN state changed; OnSubmit when Enter is pressed in
// the PIN entry.
func (p *KeyPicker) OnChanged(f func()) { p.k.onChanged = f }

// OnSubmit: see OnChanged.
func (p *KeyPicker) OnSubmit(f func()) { p.k.onSubmit = f }

// Loaded reports whether the token was read once (found or not).
func (p *KeyPicker) Loaded() bool { return p.k.loaded && p.k.snap.state != stateLoading }

// Certificate is the chosen certificate, nil when none can be chosen.
func (p *KeyPicker) Certificate() *x509.Certificate { return p.k.cert() }

// Ready reports whether a usable certificate is chosen and the PIN is not
// locked.
func (p *KeyPicker) Ready() bool { return p.k.ready() }

// NeedsPIN reports whether the PIN is still to be typed (it is not for a
// token with its own keypad).
func (p *KeyPicker) NeedsPIN() bool { return !p.k.pinPad() && p.k.pin.Text == "" }

// ErrNotReady is what Unlocker's function returns when no certificate
// could be chosen.
var ErrNotReady = errors.New("no usable certificate chosen")

// Unlocker takes the PIN typed and the certificate chosen, and returns
// the function that logs in to the token with them, once (a wrong PIN is
// never retried), and returns the certificate's signer. Call Unlocker on
// the UI goroutine and its function on another; the signer works until
// Stop.
func (p *KeyPicker) Unlocker() func() (crypto.Signer, *x509.Certificate, error) {
	cert := p.k.cert()
	pin, w := p.k.pin.Text, p.k.worker
	p.k.pinError = ""
	return func() (crypto.Signer, *x509.Certificate, error) {
		if cert == nil || w == nil {
			return nil, nil, ErrNotReady
		}
		key, err := w.unlock(pin, token.Fingerprint(cert))
		if err != nil {
			return nil, nil, err
		}
		return key.signer, key.cert, nil
	}
}

// Explain is the sentence that tells the user what a token error means
// and what to do. A refused PIN is also shown under the PIN entry, with
// the tries left, and the entry cleared.
func (p *KeyPicker) Explain(err error) string {
	msg := explain(err)
	if errors.Is(err, token.ErrPINIncorrect) || errors.Is(err, token.ErrPINLocked) || errors.Is(err, token.ErrPINPad) {
		p.k.refused(msg)
	}
	return msg
}

// SetBusy locks the inputs while the key is in use.
func (p *KeyPicker) SetBusy(busy bool) { p.k.setBusy(busy) }

// Stop closes the session and the module; it waits on the token, so call
// it off the UI goroutine.
func (p *KeyPicker) Stop() { p.k.stop() }
