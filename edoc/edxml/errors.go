package edxml

import (
	"errors"
	"fmt"
)

// Sentinels callers branch on; every error of Read, Write, Sign and
// Verify wraps one of them in an *Error.
var (
	// ErrMalformed: the input is not a well-formed edXML message.
	ErrMalformed = errors.New("edxml: malformed message")
	// ErrTruncated: the input ends inside the message.
	ErrTruncated = errors.New("edxml: message truncated")
	// ErrDTD: the input declares a DTD (DOCTYPE), which edXML never has;
	// refused so that no entity is ever expanded or fetched.
	ErrDTD = errors.New("edxml: DTD not allowed")
	// ErrTooLarge: a limit of Options was passed (header size, depth,
	// element count, attachment size or count).
	ErrTooLarge = errors.New("edxml: over a limit")
	// ErrAttachment: an attachment's payload cannot be read (not base64,
	// a broken ZIP, a manifest entry without its payload).
	ErrAttachment = errors.New("edxml: bad attachment")
	// ErrField: a known field holds a value of the wrong form (a date, a
	// number, a status code).
	ErrField = errors.New("edxml: bad field")
	// ErrUnsigned: the message carries no XML signature.
	ErrUnsigned = errors.New("edxml: no signature")
	// ErrSignature: the XML signature does not verify (digest or value
	// wrong, algorithm not supported, no certificate).
	ErrSignature = errors.New("edxml: signature invalid")
	// ErrNotXMLDSig: the message's Signature element is not in the
	// XMLDSig namespace (as in the SDK's own samples, where it sits in
	// the edXML namespace): a signature of no form anyone can check, not
	// a tampered one. It comes with ErrSignature.
	ErrNotXMLDSig = errors.New("edxml: signature not in the XMLDSig namespace")
)

// Error is one problem with a message: Kind is one of the sentinels
// (errors.Is finds it), Where names the element ("MessageHeader/
// PromulgationInfo/PromulgationDate") or the attachment, VI and EN say
// what is wrong for people. Error() is the English sentence.
type Error struct {
	Kind  error
	Where string
	VI    string
	EN    string
	Err   error // the cause, if any
}

func (e *Error) Error() string {
	s := e.EN
	if e.Where != "" {
		s = e.Where + ": " + s
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return "edxml: " + s
}

// Unwrap returns the kind and the cause.
func (e *Error) Unwrap() []error {
	if e.Err != nil {
		return []error{e.Kind, e.Err}
	}
	return []error{e.Kind}
}

func newError(kind error, where, vi, en string, cause error) *Error {
	return &Error{Kind: kind, Where: where, VI: vi, EN: en, Err: cause}
}

func fieldError(where, value, vi, en string) *Error {
	return newError(ErrField, where, fmt.Sprintf("%s (giá trị %q)", vi, clip(value)), fmt.Sprintf("%s (value %q)", en, clip(value)), nil)
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}

// Explain is the sentence for err in Vietnamese and English, for people:
// an *Error's own, or a general one that names the kind.
func Explain(err error) (vi, en string) {
	var e *Error
	if errors.As(err, &e) {
		vi, en = e.VI, e.EN
		if e.Where != "" {
			vi, en = e.Where+": "+vi, e.Where+": "+en
		}
		return vi, en
	}
	return "Không xử lý được thông điệp edXML: " + err.Error(), "The edXML message could not be processed: " + err.Error()
}
