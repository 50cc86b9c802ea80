package login

import (
	"context"
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/url"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/vanthuso/vanthu/app/exchange"
	"github.com/vanthuso/vanthu/app/i18n"
	"github.com/vanthuso/vanthu/app/signui"
	"github.com/vanthuso/vanthu/sync/client"
	"github.com/vanthuso/vanthu/sync/protocol"
)

// LoginFunc signs in to the server at address with the token key signer
// of cert (client.Client.Login); it runs on a goroutine.
type LoginFunc func(ctx context.Context, address string, signer crypto.Signer, cert *x509.Certificate) (protocol.Session, error)

// Options configure the dialog.
type Options struct {
	// Address is the server address shown first (the last one used).
	Address string
	// Reason, when set, is shown first: why the dialog opened (the
	// session expired).
	Reason string
	// Sign names the PKCS#11 module (signui.Config.ModulePath).
	Sign signui.Config
	// Login signs in; required.
	Login LoginFunc
	// OnSignedIn is called on the UI goroutine with the address and the
	// session after a sign-in; the dialog has closed.
	OnSignedIn func(address string, s protocol.Session)
	// Do runs widget changes on the UI goroutine; nil is fyne.Do.
	Do exchange.Do
	// Timeout bounds one sign-in; 0 is 30 s.
	Timeout time.Duration
}

// Size is the dialog's size.
var Size = fyne.NewSize(640, 600)

// Dialog is the sign-in dialog.
type Dialog struct {
	o    Options
	do   exchange.Do
	win  fyne.Window
	dlg  *dialog.CustomDialog
	keys *signui.KeyPicker

	address   *widget.Entry
	status    *widget.Label
	progress  *widget.ProgressBarInfinite
	submitBtn *widget.Button
	cancelBtn *widget.Button

	busy   bool
	closed bool
	done   chan struct{} // closed when the token is released
	// attempt receives each sign-in's outcome (nil or the error), for
	// tests.
	attempt chan error
}

// Show opens the dialog over win.
func Show(win fyne.Window, o Options) *Dialog {
	d := New(win, o)
	d.dlg.Show()
	return d
}

// New builds the dialog and starts reading the token, without showing it.
func New(win fyne.Window, o Options) *Dialog {
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	d := &Dialog{o: o, do: exchange.OrDo(o.Do), win: win, done: make(chan struct{}), attempt: make(chan error, 8)}
	d.keys = signui.NewKeyPicker(o.Sign, d.do)
	d.keys.OnChanged(d.onKeyChanged)
	d.keys.OnSubmit(d.onSubmit)
	d.dlg = dialog.NewCustomWithoutButtons(i18n.T("login.title"), d.build(), win)
	d.dlg.SetButtons([]fyne.CanvasObject{d.cancelBtn, d.submitBtn})
	d.dlg.Resize(Size)
	d.dlg.SetOnClosed(d.teardown)
	return d
}

func (d *Dialog) build() fyne.CanvasObject {
	d.address = widget.NewEntry()
	d.address.SetPlaceHolder(i18n.T("login.address.hint"))
	d.address.SetText(d.o.Address)
	d.status = widget.NewLabel(d.o.Reason)
	d.status.Wrapping = fyne.TextWrapWord
	if d.o.Reason == "" {
		d.status.Hide()
	} else {
		d.status.Importance = widget.WarningImportance
	}
	d.progress = widget.NewProgressBarInfinite()
	d.progress.Stop()
	d.progress.Hide()
	d.submitBtn = widget.NewButton(i18n.T("login.submit"), d.onSubmit)
	d.submitBtn.Importance = widget.HighImportance
	d.cancelBtn = widget.NewButton(i18n.T("login.cancel"), func() { d.dlg.Hide() })
	form := container.NewVBox(
		exchange.Heading(i18n.T("login.address")), d.address,
		exchange.Heading(i18n.T("login.token")), d.keys.Token(),
		exchange.Heading(i18n.T("login.cert")), d.keys.Certificates(),
		exchange.Heading(i18n.T("login.pin")), d.keys.PIN(),
	)
	return container.NewBorder(nil, container.NewVBox(d.progress, d.status), nil, nil, container.NewVScroll(form))
}

func (d *Dialog) onKeyChanged() {
	if d.keys.Ready() && !d.busy && d.win.Canvas().Focused() == nil {
		d.win.Canvas().Focus(d.keys.PINEntry())
	}
}

// checkAddress is the address as the client takes it, or the sentence
// that says what is wrong with it.
func checkAddress(s string) (string, string) {
	s = strings.TrimSpace(s)
	if s != "" && !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Hostname() == "" || (u.Scheme != "https" && u.Scheme != "http") || u.RawQuery != "" || u.Fragment != "" {
		return "", i18n.T("login.err.address", s)
	}
	if u.Scheme == "http" {
		ip := net.ParseIP(u.Hostname())
		if u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return "", i18n.T("login.err.address", s)
		}
	}
	return u.Scheme + "://" + u.Host + strings.TrimRight(u.Path, "/"), ""
}

// onSubmit signs in on a goroutine: the token once, then the server.
func (d *Dialog) onSubmit() {
	if d.busy || d.closed {
		return
	}
	addr, bad := checkAddress(d.address.Text)
	switch {
	case bad != "":
		d.fail(bad, errors.New("bad address"))
		return
	case !d.keys.Ready():
		d.fail(i18n.T("login.need.cert"), signui.ErrNotReady)
		return
	case d.keys.NeedsPIN():
		d.fail(i18n.T("login.need.pin"), errors.New("no pin"))
		return
	}
	d.address.SetText(addr)
	d.setBusy(true)
	unlock, login, timeout := d.keys.Unlocker(), d.o.Login, d.o.Timeout
	go func() {
		signer, cert, err := unlock()
		if err != nil {
			d.do(func() { d.showTokenFailed(err) })
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		s, err := login(ctx, addr, signer, cert)
		d.do(func() { d.showSignedIn(addr, cert, s, err) })
	}()
}

func (d *Dialog) showTokenFailed(err error) {
	d.setBusy(false)
	d.fail(d.keys.Explain(err), err)
}

func (d *Dialog) showSignedIn(addr string, cert *x509.Certificate, s protocol.Session, err error) {
	d.setBusy(false)
	if err != nil {
		d.fail(Explain(err, addr, cert), err)
		return
	}
	d.showStatus(i18n.T("login.done", s.User.Name, s.User.Agency.OrganName), widget.SuccessImportance)
	d.attempt <- nil
	d.dlg.Hide()
	if d.o.OnSignedIn != nil {
		d.o.OnSignedIn(addr, s)
	}
}

// Explain is the sentence for a failed sign-in at addr with cert: what
// happened and what to do.
func Explain(err error, addr string, cert *x509.Certificate) string {
	var pe *protocol.Error
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var certErr *tls.CertificateVerificationError
	name := ""
	if cert != nil {
		name = cert.Subject.CommonName
	}
	switch {
	case errors.As(err, &pe):
		switch pe.Code {
		case protocol.CodeUnknownCertificate:
			return i18n.T("login.err.unknown-certificate", name)
		case protocol.CodeBadSignature:
			return i18n.T("login.err.bad-signature")
		case protocol.CodeChallengeUsed:
			return i18n.T("login.err.challenge")
		case protocol.CodeForbidden:
			return i18n.T("login.err.forbidden")
		case protocol.CodeUnsupportedVersion:
			return i18n.T("login.err.version")
		case protocol.CodeRateLimited, protocol.CodeUnavailable:
			return i18n.T("login.err.busy")
		}
	case errors.As(err, &unknownCA), errors.As(err, &hostErr), errors.As(err, &certErr):
		return i18n.T("login.err.tls", addr)
	case errors.Is(err, client.ErrForeignChallenge):
		return i18n.T("login.err.foreign")
	case client.Offline(err), errors.Is(err, context.DeadlineExceeded):
		return i18n.T("login.err.offline", addr)
	}
	return i18n.T("login.err.other", err.Error())
}

func (d *Dialog) fail(msg string, err error) {
	d.showStatus(msg, widget.DangerImportance)
	d.attempt <- err
}

func (d *Dialog) showStatus(text string, imp widget.Importance) {
	d.status.SetText(text)
	d.status.Importance = imp
	d.status.Show()
	d.status.Refresh()
}

func (d *Dialog) setBusy(busy bool) {
	d.busy = busy
	d.keys.SetBusy(busy)
	if busy {
		d.address.Disable()
		d.submitBtn.Disable()
		d.progress.Show()
		d.progress.Start()
		d.showStatus(i18n.T("login.busy"), widget.MediumImportance)
	} else {
		d.address.Enable()
		d.submitBtn.Enable()
		d.progress.Stop()
		d.progress.Hide()
	}
}

// teardown releases the token once the dialog closed.
func (d *Dialog) teardown() {
	if d.closed {
		return
	}
	d.closed = true
	go func() {
		d.keys.Stop()
		close(d.done)
	}()
}

// Done is closed once the dialog has closed (signed in, cancelled or
// hidden) and the token is released.
func (d *Dialog) Done() <-chan struct{} { return d.done }

// Close hides the dialog and waits until the token is released; call it
// off the UI goroutine's hot path (tests, the application closing).
func (d *Dialog) Close() {
	d.dlg.Hide()
	<-d.done
}
