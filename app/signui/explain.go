package signui

import (
	"context"
	"errors"
	"io/fs"

	"github.com/vanthuso/vanthu/app/i18n"
	"github.com/vanthuso/vanthu/signing/cms"
	"github.com/vanthuso/vanthu/signing/pades"
	"github.com/vanthuso/vanthu/signing/stamp"
	"github.com/vanthuso/vanthu/signing/token"
)

// explain turns an error of the signing packages into a sentence for the
// user that says what happened and what to do next.
func explain(err error) string {
	var pinErr *token.PINError
	var tsaErr *cms.TSAError
	var pathErr *fs.PathError
	var loadErr *moduleLoadError
	var missing *moduleMissingError
	var unusable *unusableError
	var appErr *appearanceError
	switch {
	case err == nil:
		return ""
	case errors.Is(err, token.ErrPINLocked):
		return i18n.T("signui.err.pin-locked")
	case errors.As(err, &pinErr) && errors.Is(err, token.ErrPINIncorrect):
		return wrongPIN(pinErr)
	case errors.Is(err, token.ErrPINIncorrect):
		return i18n.T("signui.err.pin-wrong") + " " + i18n.T("signui.err.pin-careful")
	case errors.Is(err, token.ErrPINPad):
		return i18n.T("signui.err.pin-pad-cancelled")
	case errors.Is(err, token.ErrTokenRemoved):
		return i18n.T("signui.err.token-removed")
	case errors.Is(err, token.ErrNotLoggedIn):
		return i18n.T("signui.err.not-logged-in")
	case errors.Is(err, token.ErrNoToken):
		return i18n.T("signui.err.no-token")
	case errors.As(err, &missing):
		return i18n.T("signui.err.module-missing", missing.path)
	case errors.Is(err, token.ErrNoModule):
		return i18n.T("signui.err.no-module")
	case errors.As(err, &loadErr):
		return i18n.T("signui.err.module-load", loadErr.path, loadErr.err.Error())
	case errors.Is(err, token.ErrNoCredential):
		return i18n.T("signui.err.no-credential")
	case errors.As(err, &unusable):
		return i18n.T("signui.err.cert-unusable", problemText(unusable.problem))
	case errors.Is(err, pades.ErrEncrypted):
		return i18n.T("signui.err.encrypted")
	case errors.Is(err, pades.ErrCertifiedNoChanges):
		return i18n.T("signui.err.certified")
	case errors.Is(err, pades.ErrFieldLocked):
		return i18n.T("signui.err.field-locked")
	case errors.Is(err, pades.ErrFieldSigned):
		return i18n.T("signui.err.field-signed")
	case errors.Is(err, pades.ErrFieldNotFound):
		return i18n.T("signui.err.field-missing")
	case errors.Is(err, errInvisibleField):
		return i18n.T("signui.err.field-invisible")
	case errors.Is(err, errNoLeader):
		return i18n.T("signui.need.leader")
	case errors.Is(err, pades.ErrMalformed):
		return i18n.T("signui.err.malformed")
	case errors.Is(err, stamp.ErrNotPNG):
		return i18n.T("signui.err.not-png")
	case errors.As(err, &appErr):
		return i18n.T("signui.err.appearance", appErr.err.Error())
	case errors.As(err, &tsaErr):
		return i18n.T("signui.err.tsa", tsaErr.URL)
	case errors.Is(err, context.Canceled):
		return i18n.T("signui.err.cancelled")
	case errors.As(err, &pathErr):
		if errors.Is(err, fs.ErrNotExist) {
			return i18n.T("signui.err.file-missing", pathErr.Path)
		}
		if errors.Is(err, fs.ErrPermission) {
			return i18n.T("signui.err.file-permission", pathErr.Path)
		}
		return i18n.T("signui.err.file", pathErr.Path, pathErr.Err.Error())
	}
	return i18n.T("signui.err.other", err.Error())
}

// wrongPIN words a refused PIN with what the token says about the tries
// left. It never suggests trying again without checking the PIN.
func wrongPIN(e *token.PINError) string {
	switch {
	case e.State.Locked || e.Remaining == 0:
		return i18n.T("signui.err.pin-locked")
	case e.Remaining == 1 || e.State.FinalTry:
		return i18n.T("signui.err.pin-wrong") + " " + i18n.T("signui.pin.final-try")
	case e.Remaining > 1:
		return i18n.T("signui.err.pin-wrong") + " " + i18n.T("signui.pin.tries-left", e.Remaining) + " " + i18n.T("signui.err.pin-careful")
	}
	return i18n.T("signui.err.pin-wrong") + " " + i18n.T("signui.err.pin-careful")
}

// problemText words a credential problem code.
func problemText(code string) string {
	switch code {
	case token.ProblemCA, token.ProblemNotLoggedIn, token.ProblemNoPrivateKey, token.ProblemKeyMismatch,
		token.ProblemUnsupportedKey, token.ProblemPINPerSignature, token.ProblemExpired,
		token.ProblemNotYetValid, token.ProblemNoSigningKeyUsage:
		return i18n.T("signui.problem." + code)
	}
	return i18n.T("signui.problem.other", code)
}
