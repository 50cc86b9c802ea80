package pdf

import (
	"errors"
	"fmt"
	"io"
	"strconv"
)

// Limits that keep hostile input from exhausting the stack or memory.
const (
	maxNesting    = 100      // nested arrays and dictionaries
	maxStringLen  = 64 << 20 // one literal or hexadecimal string, one name
	maxKeywordLen = 256      // a bare keyword or number token
	lexChunk      = 4096     // bytes read from the file at a time while lexing
)

var (
	errNesting = errors.New("objects nested too deeply")
	errTooLong = errors.New("token too long")
)

type tokKind uint8

const (
	tEOF tokKind = iota
	tInt
	tReal
	tName
	tString
	tKeyword
	tArrayOpen
	tArrayClose
	tDictOpen
	tDictClose
)

type token struct {
	kind  tokKind
	i     int64
	f     float64
	b     []byte // name (decoded), string (decoded), keyword
	start int64  // offset of the first byte
	end   int64  // offset just past the last byte
}

func (t token) isKeyword(k string) bool { return t.kind == tKeyword && string(t.b) == k }

// lexer splits PDF syntax into tokens. It works either on bytes in memory
// (src == nil) or on a file through io.ReaderAt, reading lexChunk bytes at a
// time so that memory does not depend on the file size.
type lexer struct {
	src     io.ReaderAt
	limit   int64 // file size when src != nil
	buf     []byte
	base    int64 // offset of buf[0]
	pos     int
	err     error // sticky read error other than io.EOF
	peeked  []token
	chunk   []byte
	lastEnd int64 // end of the last token returned by next
}

func newMemLexer(b []byte) *lexer { return &lexer{buf: b} }

func newFileLexer(src io.ReaderAt, size, off int64) *lexer {
	lx := &lexer{src: src, limit: size}
	lx.seek(off)
	return lx
}

// seek moves a file lexer to off and drops any lookahead.
func (lx *lexer) seek(off int64) {
	lx.peeked = lx.peeked[:0]
	if lx.src == nil {
		if off < 0 {
			off = 0
		}
		if off > int64(len(lx.buf)) {
			off = int64(len(lx.buf))
		}
		lx.pos = int(off)
		return
	}
	lx.base = off
	lx.buf = lx.buf[:0]
	lx.pos = 0
}

// offset is the position of the next unread byte (ignores lookahead tokens).
func (lx *lexer) offset() int64 { return lx.base + int64(lx.pos) }

func (lx *lexer) fill() bool {
	if lx.src == nil || lx.err != nil {
		return false
	}
	next := lx.base + int64(len(lx.buf))
	if next >= lx.limit || next < 0 {
		return false
	}
	// The first read is small (most objects are), later ones lexChunk.
	want := int64(512)
	if lx.chunk != nil {
		want = lexChunk
	}
	n := min(want, lx.limit-next)
	if int64(cap(lx.chunk)) < n {
		lx.chunk = make([]byte, n)
	}
	got, err := lx.src.ReadAt(lx.chunk[:n], next)
	if got == 0 {
		if err != nil && err != io.EOF {
			lx.err = err
		}
		return false
	}
	lx.base = next
	lx.buf = lx.chunk[:got]
	lx.pos = 0
	return true
}

func (lx *lexer) peekByte() (byte, bool) {
	if lx.pos >= len(lx.buf) && !lx.fill() {
		return 0, false
	}
	return lx.buf[lx.pos], true
}

func (lx *lexer) readByte() (byte, bool) {
	c, ok := lx.peekByte()
	if ok {
		lx.pos++
	}
	return c, ok
}

func isWhite(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == 0
}

func isDelim(c byte) bool {
	switch c {
	case '(', ')', '<', '>', '[', ']', '{', '}', '/', '%':
		return true
	}
	return false
}

func isRegular(c byte) bool { return !isWhite(c) && !isDelim(c) }

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// skipSpace skips whitespace and comments.
func (lx *lexer) skipSpace() {
	for {
		c, ok := lx.peekByte()
		if !ok {
			return
		}
		switch {
		case isWhite(c):
			lx.pos++
		case c == '%':
			for {
				c, ok := lx.peekByte()
				if !ok || c == '\n' || c == '\r' {
					break
				}
				lx.pos++
			}
		default:
			return
		}
	}
}

// keywordAhead reports whether the next token is the keyword kw, without
// lexing anything else (what follows "stream" is binary data, and what
// follows a broken object could be a huge string), and returns the offset
// just past it. It consumes the keyword only when it matches.
func (lx *lexer) keywordAhead(kw string) (int64, bool) {
	if len(lx.peeked) > 0 {
		t := lx.peeked[0]
		if t.isKeyword(kw) {
			lx.next()
			return t.end, true
		}
		return 0, false
	}
	lx.skipSpace()
	for i := 0; i < len(kw); i++ {
		c, ok := lx.peekByte()
		if !ok || c != kw[i] {
			return 0, false
		}
		lx.pos++
	}
	if c, ok := lx.peekByte(); ok && isRegular(c) {
		return 0, false
	}
	return lx.offset(), true
}

// readErr reports a read failure or an unexpected end of input.
func (lx *lexer) readErr() error {
	if lx.err != nil {
		return lx.err
	}
	return io.ErrUnexpectedEOF
}

func (lx *lexer) next() (token, error) {
	var t token
	var err error
	if len(lx.peeked) > 0 {
		t = lx.peeked[0]
		lx.peeked = lx.peeked[1:]
	} else {
		t, err = lx.lex()
	}
	if err == nil {
		lx.lastEnd = t.end
	}
	return t, err
}

// peek returns the i-th token ahead (0-based) without consuming it.
func (lx *lexer) peek(i int) (token, error) {
	for len(lx.peeked) <= i {
		t, err := lx.lex()
		if err != nil {
			return t, err
		}
		lx.peeked = append(lx.peeked, t)
	}
	return lx.peeked[i], nil
}

// unread pushes t back in front of the lookahead.
func (lx *lexer) unread(t token) {
	lx.peeked = append(lx.peeked, token{})
	copy(lx.peeked[1:], lx.peeked)
	lx.peeked[0] = t
}

func (lx *lexer) lex() (token, error) {
	lx.skipSpace()
	start := lx.offset()
	c, ok := lx.readByte()
	if !ok {
		if lx.err != nil {
			return token{}, lx.err
		}
		return token{kind: tEOF, start: start, end: start}, nil
	}
	t := token{start: start}
	var err error
	switch {
	case c == '[':
		t.kind = tArrayOpen
	case c == ']':
		t.kind = tArrayClose
	case c == '<':
		if n, ok := lx.peekByte(); ok && n == '<' {
			lx.pos++
			t.kind = tDictOpen
		} else {
			t.kind = tString
			t.b, err = lx.hexString()
		}
	case c == '>':
		if n, ok := lx.peekByte(); ok && n == '>' {
			lx.pos++
			t.kind = tDictClose
		} else {
			// A stray '>': report it as a keyword so callers can skip it.
			t.kind, t.b = tKeyword, []byte{'>'}
		}
	case c == '(':
		t.kind = tString
		t.b, err = lx.literalString()
	case c == '/':
		t.kind = tName
		t.b, err = lx.name()
	case c == ')' || c == '{' || c == '}':
		t.kind, t.b = tKeyword, []byte{c}
	case c == '+' || c == '-' || c == '.' || ('0' <= c && c <= '9'):
		err = lx.number(c, &t)
	default:
		t.kind = tKeyword
		t.b = append(t.b, c)
		for {
			c, ok := lx.peekByte()
			if !ok || !isRegular(c) {
				break
			}
			if len(t.b) >= maxKeywordLen {
				return t, errTooLong
			}
			t.b = append(t.b, c)
			lx.pos++
		}
	}
	t.end = lx.offset()
	return t, err
}

// number lexes [+-.0-9]+ leniently: several signs ("--3" is -3), a missing
// integer or fraction part ("+.5", "4."), extra dots (ignored with what
// follows them) and a lone sign (0).
func (lx *lexer) number(first byte, t *token) error {
	raw := []byte{first}
	for {
		c, ok := lx.peekByte()
		if !ok || !(c == '+' || c == '-' || c == '.' || ('0' <= c && c <= '9')) {
			break
		}
		if len(raw) >= maxKeywordLen {
			return errTooLong
		}
		raw = append(raw, c)
		lx.pos++
	}
	neg := false
	i := 0
	for i < len(raw) && (raw[i] == '+' || raw[i] == '-') {
		if raw[i] == '-' {
			neg = true
		}
		i++
	}
	clean := make([]byte, 0, len(raw)+2)
	if neg {
		clean = append(clean, '-')
	}
	dot := false
	digits := 0
	for ; i < len(raw); i++ {
		c := raw[i]
		if c == '.' {
			if dot {
				break
			}
			dot = true
			clean = append(clean, c)
			continue
		}
		if c < '0' || c > '9' {
			break
		}
		digits++
		clean = append(clean, c)
	}
	if digits == 0 {
		t.kind, t.i = tInt, 0
		if dot {
			t.kind, t.f = tReal, 0
		}
		return nil
	}
	if !dot {
		if v, err := strconv.ParseInt(string(clean), 10, 64); err == nil {
			t.kind, t.i = tInt, v
			return nil
		}
	}
	f, err := strconv.ParseFloat(string(clean), 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		f = 0
	}
	t.kind, t.f = tReal, f
	return nil
}

func (lx *lexer) name() ([]byte, error) {
	var b []byte
	for {
		c, ok := lx.peekByte()
		if !ok || !isRegular(c) {
			return b, nil
		}
		lx.pos++
		if len(b) >= maxStringLen {
			return b, errTooLong
		}
		if c == '#' {
			h, ok1 := lx.peekByte()
			hv, good1 := unhex(h)
			if ok1 && good1 {
				lx.pos++
				l, ok2 := lx.peekByte()
				lv, good2 := unhex(l)
				if ok2 && good2 {
					lx.pos++
					b = append(b, hv<<4|lv)
					continue
				}
				// "#X" followed by a non-hex byte: keep literally.
				b = append(b, '#', h)
				continue
			}
		}
		b = append(b, c)
	}
}

func (lx *lexer) hexString() ([]byte, error) {
	b := []byte{}
	var hi byte
	half := false
	for {
		c, ok := lx.readByte()
		if !ok {
			return b, fmt.Errorf("unterminated hexadecimal string: %w", lx.readErr())
		}
		if c == '>' {
			break
		}
		v, good := unhex(c)
		if !good {
			continue // whitespace and junk are ignored
		}
		if half {
			b = append(b, hi<<4|v)
			half = false
			if len(b) > maxStringLen {
				return b, errTooLong
			}
		} else {
			hi, half = v, true
		}
	}
	if half {
		b = append(b, hi<<4)
	}
	return b, nil
}

func (lx *lexer) literalString() ([]byte, error) {
	b := []byte{}
	depth := 1
	for {
		c, ok := lx.readByte()
		if !ok {
			return b, fmt.Errorf("unterminated literal string: %w", lx.readErr())
		}
		if len(b) > maxStringLen {
			return b, errTooLong
		}
		switch c {
		case '(':
			depth++
			b = append(b, c)
		case ')':
			depth--
			if depth == 0 {
				return b, nil
			}
			b = append(b, c)
		case '\r':
			// An unescaped end of line is read as "\n".
			if n, ok := lx.peekByte(); ok && n == '\n' {
				lx.pos++
			}
			b = append(b, '\n')
		case '\\':
			e, ok := lx.readByte()
			if !ok {
				return b, fmt.Errorf("unterminated literal string: %w", lx.readErr())
			}
			switch e {
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case '\r':
				if n, ok := lx.peekByte(); ok && n == '\n' {
					lx.pos++
				}
			case '\n':
				// line continuation
			case '0', '1', '2', '3', '4', '5', '6', '7':
				v := int(e - '0')
				for range 2 {
					n, ok := lx.peekByte()
					if !ok || n < '0' || n > '7' {
						break
					}
					lx.pos++
					v = v*8 + int(n-'0')
				}
				b = append(b, byte(v))
			default:
				// \( \) \\ and unknown escapes: the byte itself.
				b = append(b, e)
			}
		default:
			b = append(b, c)
		}
	}
}

// parser builds objects from tokens.
type parser struct {
	lx *lexer
}

// closingKeyword reports keywords that end an object in a file; met inside an
// unterminated array or dictionary they close it.
func closingKeyword(t token) bool {
	if t.kind != tKeyword {
		return false
	}
	switch string(t.b) {
	case "endobj", "stream", "endstream", "obj", "xref", "trailer", "startxref":
		return true
	}
	return false
}

// object parses one object. Keywords other than true, false and null are
// returned as an error-free Operator so that content streams can be read;
// callers that want data objects only check for it.
func (p *parser) object(depth int) (Object, error) {
	if depth > maxNesting {
		return nil, errNesting
	}
	t, err := p.lx.next()
	if err != nil {
		return nil, err
	}
	return p.objectFrom(t, depth)
}

func (p *parser) objectFrom(t token, depth int) (Object, error) {
	switch t.kind {
	case tEOF:
		return nil, io.ErrUnexpectedEOF
	case tInt:
		if t.i >= 0 && t.i <= 0xFFFFFFFF {
			if t2, err := p.lx.peek(0); err == nil && t2.kind == tInt && t2.i >= 0 && t2.i <= 0xFFFF {
				if t3, err := p.lx.peek(1); err == nil && t3.isKeyword("R") {
					p.lx.next()
					p.lx.next()
					return Ref{Num: uint32(t.i), Gen: uint16(t2.i)}, nil
				}
			}
		}
		return t.i, nil
	case tReal:
		return t.f, nil
	case tName:
		return Name(t.b), nil
	case tString:
		return String(t.b), nil
	case tArrayOpen:
		return p.array(depth + 1)
	case tDictOpen:
		return p.dict(depth + 1)
	case tKeyword:
		switch string(t.b) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		case "null":
			return nil, nil
		}
		return Operator(t.b), nil
	case tArrayClose:
		return nil, fmt.Errorf("unexpected ']' at %d", t.start)
	case tDictClose:
		return nil, fmt.Errorf("unexpected '>>' at %d", t.start)
	}
	return nil, fmt.Errorf("unexpected token at %d", t.start)
}

func (p *parser) array(depth int) (Array, error) {
	if depth > maxNesting {
		return nil, errNesting
	}
	a := Array{}
	for {
		t, err := p.lx.next()
		if err != nil {
			return a, err
		}
		switch {
		case t.kind == tArrayClose:
			return a, nil
		case t.kind == tEOF:
			return a, fmt.Errorf("unterminated array: %w", io.ErrUnexpectedEOF)
		case t.kind == tDictClose:
			continue // stray '>>'
		case closingKeyword(t):
			p.lx.unread(t)
			return a, nil
		}
		o, err := p.objectFrom(t, depth)
		if err != nil {
			return a, err
		}
		if _, ok := o.(Operator); ok {
			continue // junk keyword inside an array
		}
		a = append(a, o)
	}
}

func (p *parser) dict(depth int) (Dict, error) {
	if depth > maxNesting {
		return nil, errNesting
	}
	d := Dict{}
	for {
		t, err := p.lx.next()
		if err != nil {
			return d, err
		}
		switch {
		case t.kind == tDictClose:
			return d, nil
		case t.kind == tEOF:
			return d, fmt.Errorf("unterminated dictionary: %w", io.ErrUnexpectedEOF)
		case closingKeyword(t):
			p.lx.unread(t)
			return d, nil
		case t.kind != tName:
			// Not a key: parse and drop it.
			if t.kind == tArrayClose {
				continue
			}
			if _, err := p.objectFrom(t, depth); err != nil {
				return d, err
			}
			continue
		}
		key := Name(t.b)
		v, err := p.lx.peek(0)
		if err != nil {
			return d, err
		}
		if v.kind == tDictClose || closingKeyword(v) {
			continue // key without a value
		}
		p.lx.next()
		o, err := p.objectFrom(v, depth)
		if err != nil {
			return d, err
		}
		if _, ok := o.(Operator); ok {
			continue
		}
		d[key] = o // the last of duplicate keys wins
	}
}

// Operator is a bare keyword met while scanning a content stream, such as
// "BT" or "Tj". ParseObject never returns it.
type Operator string

// ParseObject parses exactly one PDF object from b. Surrounding whitespace
// and comments are allowed; anything else after the object is an error.
// "N G R" is read as a Ref. Stream objects cannot be parsed from bytes alone:
// a dictionary followed by "stream" is an error.
func ParseObject(b []byte) (Object, error) {
	o, n, err := ParseObjectPrefix(b)
	if err != nil {
		return nil, err
	}
	lx := newMemLexer(b)
	lx.seek(int64(n))
	t, err := lx.next()
	if err != nil {
		return nil, fmt.Errorf("parse object: %w", err)
	}
	if t.kind != tEOF {
		return nil, fmt.Errorf("parse object: unexpected data after object at offset %d", t.start)
	}
	return o, nil
}

// ParseObjectPrefix parses the first object in b and returns it with the
// number of bytes it used (leading whitespace included).
func ParseObjectPrefix(b []byte) (Object, int, error) {
	lx := newMemLexer(b)
	p := parser{lx: lx}
	o, err := p.object(0)
	if err != nil {
		return nil, 0, fmt.Errorf("parse object: %w", err)
	}
	if op, ok := o.(Operator); ok {
		return nil, 0, fmt.Errorf("parse object: unexpected keyword %q", string(op))
	}
	return o, int(lx.lastEnd), nil
}
