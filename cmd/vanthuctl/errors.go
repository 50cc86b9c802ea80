package main

import (
	"context"
	"errors"
	"io/fs"

	"github.com/vanthuso/vanthu/signing/cms"
	"github.com/vanthuso/vanthu/signing/pades"
	"github.com/vanthuso/vanthu/signing/stamp"
	"github.com/vanthuso/vanthu/signing/token"
)

// exitError is an error whose message is already written for people in
// the run's language, with the exit code it ends the program with. err,
// when set, is the cause (for errors.Is).
type exitError struct {
	code int
	msg  string
	err  error
}

func (e *exitError) Error() string { return e.msg }
func (e *exitError) Unwrap() error { return e.err }

func (c *cli) usageErr(key string, args ...any) error {
	return &exitError{code: exitUsage, msg: c.t(key, args...)}
}

func (c *cli) tokenErr(cause error, key string, args ...any) error {
	return &exitError{code: exitToken, msg: c.t(key, args...), err: cause}
}

func (c *cli) inputErr(cause error, key string, args ...any) error {
	return &exitError{code: exitFailed, msg: c.t(key, args...), err: cause}
}

// isTokenProblem reports whether err means the token or its login is gone
// or unusable, so that a batch must stop rather than go on to the next
// file.
func isTokenProblem(err error) bool {
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code == exitToken
	}
	return errors.Is(err, token.ErrTokenRemoved) || errors.Is(err, token.ErrNotLoggedIn) ||
		errors.Is(err, token.ErrPINIncorrect) || errors.Is(err, token.ErrPINLocked) ||
		errors.Is(err, token.ErrPINPad) || errors.Is(err, token.ErrNoToken) ||
		errors.Is(err, token.ErrNoModule) || errors.Is(err, token.ErrNoCredential)
}

// explain returns the exit code for err and a sentence for people that
// says what happened and what to do next. Errors of the library packages
// are translated here; their English text is kept as a detail where it
// helps IT staff.
func (c *cli) explain(err error) (int, string) {
	var fe *fileErr
	if errors.As(err, &fe) {
		code, msg := c.explain(fe.err)
		return code, fe.path + ": " + msg
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code, ee.msg
	}
	var pinErr *token.PINError
	var tsaErr *cms.TSAError
	var pathErr *fs.PathError
	switch {
	case errors.Is(err, token.ErrPINLocked):
		return exitToken, c.t("err.pin-locked")
	case errors.As(err, &pinErr) && errors.Is(err, token.ErrPINIncorrect):
		return exitToken, c.pinIncorrect(pinErr)
	case errors.Is(err, token.ErrPINIncorrect):
		return exitToken, c.t("err.pin-wrong", "")
	case errors.Is(err, token.ErrPINPad):
		return exitToken, c.t("err.pin-pad-cancelled")
	case errors.Is(err, token.ErrTokenRemoved):
		return exitToken, c.t("err.token-removed")
	case errors.Is(err, token.ErrNotLoggedIn):
		return exitToken, c.t("err.not-logged-in")
	case errors.Is(err, token.ErrNoToken):
		return exitToken, c.t("err.no-token-slot")
	case errors.Is(err, token.ErrNoModule):
		return exitToken, c.t("err.no-module-plain", err.Error())
	case errors.Is(err, token.ErrNoCredential):
		return exitToken, c.t("err.no-credential", err.Error())
	case errors.Is(err, pades.ErrEncrypted):
		return exitFailed, c.t("err.encrypted")
	case errors.Is(err, pades.ErrCertifiedNoChanges):
		return exitFailed, c.t("err.certified")
	case errors.Is(err, pades.ErrFieldLocked):
		return exitFailed, c.t("err.field-locked", err.Error())
	case errors.Is(err, pades.ErrFieldSigned):
		return exitFailed, c.t("err.field-signed", err.Error())
	case errors.Is(err, pades.ErrFieldNotFound):
		return exitFailed, c.t("err.field-missing", err.Error())
	case errors.Is(err, pades.ErrMalformed):
		return exitFailed, c.t("err.malformed", err.Error())
	case errors.Is(err, stamp.ErrNotPNG):
		return exitFailed, c.t("err.not-png", err.Error())
	case errors.As(err, &tsaErr):
		return exitFailed, c.t("err.tsa", err.Error())
	case errors.Is(err, context.Canceled):
		return exitFailed, c.t("err.cancelled")
	case errors.As(err, &pathErr):
		if errors.Is(err, fs.ErrNotExist) {
			return exitFailed, c.t("err.file-missing", pathErr.Path)
		}
		return exitFailed, c.t("err.file", pathErr.Path, pathErr.Err.Error())
	}
	return exitFailed, c.t("err.other", err.Error())
}

// pinIncorrect words a refused PIN with what the token says about the
// tries left.
func (c *cli) pinIncorrect(e *token.PINError) string {
	left := ""
	switch {
	case e.State.Locked || e.Remaining == 0:
		return c.t("err.pin-locked")
	case e.Remaining > 0:
		left = c.t("err.pin-tries-left", e.Remaining)
	case e.State.FinalTry:
		left = c.t("err.pin-tries-left", 1)
	}
	// CountLow is not worded: read after the attempt, it only says that
	// this PIN was wrong.
	return c.t("err.pin-wrong", left)
}
