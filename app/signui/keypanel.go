package signui

import (
	"crypto/x509"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/vanthuso/vanthu/app/i18n"
	"github.com/vanthuso/vanthu/signing/stamp"
	"github.com/vanthuso/vanthu/signing/token"
)

// keyPanel is the token, certificate and PIN part of the sign and batch
// dialogs: the Fyne side of a tokenWorker.
type keyPanel struct {
	worker *tokenWorker
	now    func() time.Time
	snap   tokenSnapshot
	loaded bool // a first snapshot arrived

	tokenChoice *widget.Select
	tokenIcon   *widget.Icon
	tokenNote   *widget.Label
	moduleNote  *widget.Label // which PKCS#11 module is in use
	certs       *widget.RadioGroup
	certDetail  *widget.Label
	unusable    *widget.Label
	pin         *widget.Entry
	pinIcon     *widget.Icon
	pinNote     *widget.Label

	tokenBox, certBox, pinBox, pinNoteBox *fyne.Container

	tokenKeys map[string]string // chooser option → token key
	certFPs   map[string]string // radio option → fingerprint
	certByFP  map[string]*x509.Certificate
	chosenFP  string
	pinError  string // the last refusal, shown until the token state changes

	// onChanged is called on the UI goroutine when the token, the
	// certificate or the PIN state changed.
	onChanged func()
	// onSubmit is called when Enter is pressed in the PIN entry.
	onSubmit func()
	// do, when set, runs the worker's reports on the UI goroutine instead
	// of uiDo (KeyPicker's callers give their own).
	do func(func())
}

func newKeyPanel(now func() time.Time) *keyPanel {
	return &keyPanel{now: now}
}

// build makes the widgets; start the worker afterwards.
func (k *keyPanel) build() (tokenPart, certPart, pinPart fyne.CanvasObject) {
	k.tokenChoice = widget.NewSelect(nil, k.onTokenChosen)
	k.tokenChoice.Hide()
	k.tokenIcon = widget.NewIcon(theme.MediaRecordIcon())
	k.tokenNote = widget.NewLabel(i18n.T("signui.token.loading"))
	k.tokenNote.Wrapping = fyne.TextWrapWord
	k.certs = widget.NewRadioGroup(nil, k.onCertChosen)
	k.certDetail = widget.NewLabel("")
	k.certDetail.Wrapping = fyne.TextWrapWord
	k.certDetail.Hide()
	k.unusable = widget.NewLabel("")
	k.unusable.Wrapping = fyne.TextWrapWord
	k.unusable.Importance = widget.LowImportance
	k.unusable.Hide()
	k.pin = widget.NewPasswordEntry()
	k.pin.SetPlaceHolder(i18n.T("signui.pin.placeholder"))
	k.pin.OnSubmitted = func(string) {
		if k.onSubmit != nil {
			k.onSubmit()
		}
	}
	k.pinIcon = widget.NewIcon(nil)
	k.pinIcon.Hide()
	k.pinNote = widget.NewLabel("")
	k.pinNote.Wrapping = fyne.TextWrapWord
	k.pinNote.Hide()
	k.moduleNote = widget.NewLabel("")
	k.moduleNote.Importance = widget.LowImportance
	k.moduleNote.Truncation = fyne.TextTruncateEllipsis
	k.moduleNote.Hide()
	k.tokenBox = container.NewVBox(
		container.NewBorder(nil, nil, k.tokenIcon, nil, k.tokenNote),
		k.tokenChoice, k.moduleNote)
	k.certBox = container.NewVBox(k.certs, k.certDetail, k.unusable)
	k.pinNoteBox = container.NewBorder(nil, nil, k.pinIcon, nil, k.pinNote)
	k.pinBox = container.NewVBox(k.pin, k.pinNoteBox)
	return k.tokenBox, k.certBox, k.pinBox
}

// start starts the worker on cfg's module.
func (k *keyPanel) start(cfg Config) {
	k.worker = startTokenWorker(cfg, k.update)
}

// stop ends the worker (closing session and module); call it off the UI
// goroutine, it waits on the token.
func (k *keyPanel) stop() {
	if k.worker != nil {
		k.worker.Stop()
	}
}

// update is the worker's report, moved to the UI goroutine.
func (k *keyPanel) update(s tokenSnapshot) {
	do := uiDo
	if k.do != nil {
		do = k.do
	}
	do(func() { k.show(s) })
}

// show displays a snapshot of the token.
func (k *keyPanel) show(s tokenSnapshot) {
	prev := k.snap
	k.snap, k.loaded = s, true
	if s.state != stateReady || tokenKey(prev.current) != tokenKey(s.current) {
		k.pinError = "" // about another token, or one gone
	}
	k.showToken()
	k.showCerts()
	k.showPIN()
	k.tokenBox.Refresh()
	k.certBox.Refresh()
	if k.onChanged != nil {
		k.onChanged()
	}
}

func (k *keyPanel) showToken() {
	s := k.snap
	icon, text := theme.InfoIcon(), ""
	switch s.state {
	case stateLoading:
		text = i18n.T("signui.token.loading")
	case stateFailed:
		icon, text = theme.NewErrorThemedResource(theme.ErrorIcon()), explain(s.err)
	case stateNone:
		icon, text = theme.NewWarningThemedResource(theme.WarningIcon()), i18n.T("signui.token.none")
	case stateRemoved:
		icon, text = theme.NewErrorThemedResource(theme.WarningIcon()), i18n.T("signui.token.removed", s.current.Label)
	case stateReady:
		icon, text = theme.NewSuccessThemedResource(theme.ConfirmIcon()), i18n.T("signui.token.ready", s.current.Label)
		if s.err != nil {
			icon, text = theme.NewErrorThemedResource(theme.ErrorIcon()), explain(s.err)
		}
	}
	k.tokenIcon.SetResource(icon)
	k.tokenNote.SetText(text)
	if s.module != "" {
		k.moduleNote.SetText(i18n.T("signui.token.module", s.module))
		k.moduleNote.Show()
	} else {
		k.moduleNote.Hide()
	}

	k.tokenKeys = map[string]string{}
	var opts []string
	selected := ""
	for _, t := range s.tokens {
		o := t.Label
		if t.Serial != "" {
			o = fmt.Sprintf("%s (%s)", t.Label, t.Serial)
		}
		k.tokenKeys[o] = tokenKey(t)
		opts = append(opts, o)
		if s.state == stateReady && tokenKey(t) == tokenKey(s.current) {
			selected = o
		}
	}
	k.tokenChoice.Options = opts
	k.tokenChoice.Selected = selected
	if len(opts) > 1 || (len(opts) == 1 && selected == "") {
		k.tokenChoice.Show()
	} else {
		k.tokenChoice.Hide()
	}
	k.tokenChoice.Refresh()
}

func (k *keyPanel) onTokenChosen(option string) {
	key, ok := k.tokenKeys[option]
	if !ok || (k.snap.state == stateReady && key == tokenKey(k.snap.current)) {
		return
	}
	k.tokenNote.SetText(i18n.T("signui.token.loading"))
	go k.worker.choose(key)
}

// certOption is how a certificate is listed: holder and end of validity
// (the issuer and the rest are in the details below the list).
func certOption(c *x509.Certificate) string {
	return i18n.T("signui.cert.option", c.Subject.CommonName, shortDate(c.NotAfter))
}

func shortDate(t time.Time) string { return t.In(stamp.Vietnam).Format("02/01/2006") }

func (k *keyPanel) showCerts() {
	now := k.now()
	k.certFPs = map[string]string{}
	k.certByFP = map[string]*x509.Certificate{}
	var opts, bad []string
	selected := ""
	for _, c := range k.snap.creds {
		if k.snap.state != stateReady {
			break
		}
		fp := token.Fingerprint(c.Certificate)
		if p := credentialProblem(c, now); p != "" {
			if p != token.ProblemCA { // chain certificates are not the user's concern
				bad = append(bad, "• "+i18n.T("signui.cert.unusable", certOption(c.Certificate), problemText(p)))
			}
			continue
		}
		o := certOption(c.Certificate)
		for k.certFPs[o] != "" { // two certificates alike: tell them apart
			o += " "
		}
		k.certFPs[o] = fp
		k.certByFP[fp] = c.Certificate
		opts = append(opts, o)
		if fp == k.chosenFP {
			selected = o
		}
	}
	if selected == "" && len(opts) > 0 {
		selected = opts[0]
	}
	k.certs.Options = opts
	k.certs.Selected = selected
	k.chosenFP = k.certFPs[selected]
	k.certs.Refresh()
	if len(opts) == 0 && k.snap.state == stateReady && k.snap.err == nil {
		bad = append([]string{i18n.T("signui.cert.none-usable")}, bad...)
	}
	if len(bad) > 0 {
		k.unusable.SetText(strings.Join(bad, "\n"))
		k.unusable.Show()
	} else {
		k.unusable.Hide()
	}
	k.showCertDetail()
}

func (k *keyPanel) onCertChosen(option string) {
	fp := k.certFPs[option]
	if fp == k.chosenFP {
		return
	}
	k.chosenFP = fp
	k.showCertDetail()
	if k.onChanged != nil {
		k.onChanged()
	}
}

func (k *keyPanel) showCertDetail() {
	c := k.cert()
	if c == nil {
		k.certDetail.Hide()
		return
	}
	text := i18n.T("signui.cert.detail", c.Subject.CommonName, stamp.Organization(c), c.Issuer.CommonName, shortDate(c.NotBefore), shortDate(c.NotAfter))
	k.certDetail.SetText(text)
	k.certDetail.Show()
}

// cert is the chosen certificate; nil when none can be chosen.
func (k *keyPanel) cert() *x509.Certificate {
	if k.snap.state != stateReady {
		return nil
	}
	return k.certByFP[k.chosenFP]
}

// pinPad reports whether the chosen token has its own keypad.
func (k *keyPanel) pinPad() bool {
	return k.snap.state == stateReady && k.snap.current.ProtectedAuthPath
}

// locked reports whether the chosen token's PIN is blocked.
func (k *keyPanel) locked() bool {
	return k.snap.state == stateReady && k.snap.current.PIN.Locked
}

// ready reports whether signing can be asked for: a token with a usable
// certificate chosen and its PIN not locked.
func (k *keyPanel) ready() bool {
	return k.cert() != nil && !k.locked()
}

func (k *keyPanel) showPIN() {
	info := k.snap.current
	st := info.PIN
	var icon fyne.Resource
	text := ""
	switch {
	case k.snap.state != stateReady:
	case st.Locked:
		icon, text = theme.NewErrorThemedResource(theme.ErrorIcon()), i18n.T("signui.err.pin-locked")
	case k.pinError != "":
		icon, text = theme.NewErrorThemedResource(theme.ErrorIcon()), k.pinError
	case info.ProtectedAuthPath:
		icon, text = theme.InfoIcon(), i18n.T("signui.pin.pad")
	case st.FinalTry:
		icon, text = theme.NewErrorThemedResource(theme.WarningIcon()), i18n.T("signui.pin.final-try")
	case st.CountLow:
		icon, text = theme.NewWarningThemedResource(theme.WarningIcon()), i18n.T("signui.pin.count-low")
	case st.ToBeChanged:
		icon, text = theme.NewWarningThemedResource(theme.WarningIcon()), i18n.T("signui.pin.to-be-changed")
	}
	if icon == nil {
		k.pinIcon.Hide()
	} else {
		k.pinIcon.SetResource(icon)
		k.pinIcon.Show()
	}
	k.pinNote.SetText(text)
	if text == "" {
		k.pinNote.Hide()
	} else {
		k.pinNote.Show()
	}
	if k.pinPad() || st.Locked && k.snap.state == stateReady {
		k.pin.SetText("")
		k.pin.Disable()
		if k.pinPad() {
			k.pin.Hide()
		}
	} else {
		k.pin.Show()
		k.pin.Enable()
	}
	k.pinNoteBox.Refresh()
	k.pinBox.Refresh()
}

// refused shows why the token refused the PIN (or the login), clears the
// entry and waits for the user: nothing is retried.
func (k *keyPanel) refused(msg string) {
	k.pinError = msg
	k.pin.SetText("")
	k.showPIN()
}

// setBusy disables the panel's inputs while signing.
func (k *keyPanel) setBusy(busy bool) {
	enableIf(!busy, k.tokenChoice, k.certs, k.pin)
	if !busy {
		k.showPIN()
	}
}
