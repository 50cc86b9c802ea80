package render

import (
	"errors"
	"fmt"
	"strings"

	pdfiumerrors "github.com/klippa-app/go-pdfium/errors"
	"github.com/tetratelabs/wazero/sys"
)

// Errors callers branch on. Every error the package returns wraps one of
// these or says plainly what failed (a file that cannot be read, a page
// number out of range); match them with errors.Is.
var (
	// ErrEncrypted: the document needs a password (or uses an encryption
	// PDFium does not support). The UI asks the user to remove the
	// protection; the engine does not take passwords.
	ErrEncrypted = errors.New("the document is password protected")
	// ErrInvalid: the file is not a PDF, or too damaged for PDFium to
	// open or to draw the page.
	ErrInvalid = errors.New("the file is not a readable PDF")
	// ErrTimeout: PDFium worked on one document or page for longer than
	// Config.RenderTimeout; the instance was stopped and replaced.
	ErrTimeout = errors.New("pdfium took too long")
	// ErrClosed: the engine or the document is closed.
	ErrClosed = errors.New("renderer closed")
)

// openError maps what go-pdfium says about a document that did not open
// onto the package's sentinels.
func openError(err error) error {
	switch {
	case errors.Is(err, pdfiumerrors.ErrPassword), errors.Is(err, pdfiumerrors.ErrSecurity):
		return fmt.Errorf("%w (%v)", ErrEncrypted, err)
	case errors.Is(err, pdfiumerrors.ErrFormat), errors.Is(err, pdfiumerrors.ErrFile),
		errors.Is(err, pdfiumerrors.ErrUnknown), errors.Is(err, pdfiumerrors.ErrPage),
		errors.Is(err, pdfiumerrors.ErrUnexpected), errors.Is(err, pdfiumerrors.ErrSuccess):
		return fmt.Errorf("%w (pdfium: %v)", ErrInvalid, err)
	}
	return err
}

// isTrap reports whether err means the WebAssembly instance itself failed
// (a trap such as an out-of-bounds access, a module closed by the
// watchdog, a panic inside go-pdfium) rather than PDFium returning an
// error code. After a trap the instance's state is unknown, so the worker
// replaces it.
func isTrap(err error) bool {
	if err == nil {
		return false
	}
	var exit *sys.ExitError
	if errors.As(err, &exit) {
		return true
	}
	s := err.Error()
	return strings.Contains(s, "wasm error") || strings.Contains(s, "panic occurred") ||
		strings.Contains(s, "module closed") || strings.Contains(s, "instance is closed")
}
