package pdf

import (
	"bytes"
	"fmt"
)

// Scanner reads a sequence of objects and operators from bytes in memory,
// such as a decoded content stream. Operators come back as Operator values.
//
// Inline images are handled: after the Operator "ID" the next call returns
// the raw image data as a String, and the call after that returns
// Operator("EI").
type Scanner struct {
	lx     *lexer
	p      parser
	inline bool // the last operator was ID
}

// NewScanner returns a Scanner over b. b must not change while it is in use.
func NewScanner(b []byte) *Scanner {
	lx := newMemLexer(b)
	return &Scanner{lx: lx, p: parser{lx: lx}}
}

// Next returns the next object or operator. At the end of the input it
// returns (nil, false, nil); ok is false only then or on error.
func (s *Scanner) Next() (o Object, ok bool, err error) {
	if s.inline {
		s.inline = false
		return s.inlineData(), true, nil
	}
	t, err := s.lx.next()
	if err != nil {
		return nil, false, fmt.Errorf("scan at %d: %w", s.lx.offset(), err)
	}
	if t.kind == tEOF {
		return nil, false, nil
	}
	o, err = s.p.objectFrom(t, 0)
	if err != nil {
		return nil, false, fmt.Errorf("scan at %d: %w", t.start, err)
	}
	if op, isOp := o.(Operator); isOp && op == "ID" {
		s.inline = true
	}
	return o, true, nil
}

// inlineData returns the bytes from after "ID" and one whitespace byte up to
// the whitespace before an "EI" that is followed by whitespace, a delimiter
// or the end of the data.
func (s *Scanner) inlineData() String {
	lx := s.lx
	lx.peeked = lx.peeked[:0]
	b := lx.buf
	start := lx.pos
	if start < len(b) && isWhite(b[start]) {
		start++
	}
	for i := start; ; {
		j := bytes.Index(b[i:], []byte("EI"))
		if j < 0 {
			lx.pos = len(b)
			return String(b[start:])
		}
		k := i + j
		after := k + 2
		if k > start && isWhite(b[k-1]) && (after == len(b) || !isRegular(b[after])) {
			lx.pos = k
			end := k - 1
			if end > start && b[end-1] == '\r' && b[end] == '\n' {
				end--
			}
			return String(bytes.Clone(b[start:end]))
		}
		i = k + 1
	}
}
