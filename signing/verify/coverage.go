package verify

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/vanthuso/vanthu/signing/pdf"
)

// spoofed reports a signature dictionary that does not exist in the
// revision its /ByteRange claims to sign: the field was pointed at a
// dictionary added later (signature spoofing).
func (v *verifier) spoofed(e sigEntry, end int64) bool {
	off, in, ok := v.r.ObjectOffset(e.ref)
	if !ok || in != 0 || off < end || end > v.size || end <= 0 {
		return false
	}
	old, err := v.openRevision(end)
	if err != nil {
		return false
	}
	_, _, had := old.ObjectOffset(e.ref)
	return !had
}

// checkCoverage checks /ByteRange against the file and the signature
// dictionary's own /Contents token.
func (v *verifier) checkCoverage(e sigEntry, br [4]int64, brOK bool) (string, *Reason) {
	fail := func(d string) (string, *Reason) {
		r := rByteRange(d)
		return CoverageBroken, &r
	}
	if !brOK {
		return fail("not four non-negative integers")
	}
	a, b, c := br[1], br[2], br[3]
	if br[0] != 0 {
		return fail("does not start at 0")
	}
	if a >= b {
		return fail("ranges overlap or are out of order")
	}
	if b+c > v.size || b+c < b {
		return fail(fmt.Sprintf("ends at %d, past the end of the file (%d bytes)", b+c, v.size))
	}
	var two [1]byte
	if _, err := v.f.ReadAt(two[:], a); err != nil || two[0] != '<' {
		return fail(fmt.Sprintf("byte %d is not '<'", a))
	}
	if _, err := v.f.ReadAt(two[:], b-1); err != nil || two[0] != '>' {
		return fail(fmt.Sprintf("byte %d is not '>'", b-1))
	}
	if v.r.Encrypted() {
		// The hex string is stored encrypted; its place is still checked.
	}
	start, end, err := v.contentsPosition(e, b, b+c)
	if err != nil {
		return fail(err.Error())
	}
	if start != a || end != b {
		return fail(fmt.Sprintf("the gap [%d,%d) is not this signature's /Contents at [%d,%d)", a, b, start, end))
	}
	signedEnd := b + c
	if signedEnd == v.size {
		return CoverageWholeRevision, nil
	}
	if v.atRevisionEnd(signedEnd) {
		return CoverageWholeRevision, nil
	}
	r := rPartial(signedEnd)
	return CoveragePartial, &r
}

// atRevisionEnd reports whether off is the end of a revision: just after
// "%%EOF", possibly with its end of line.
func (v *verifier) atRevisionEnd(off int64) bool {
	for _, eof := range v.r.EOFOffsets() {
		if off == eof {
			return true
		}
		if off < eof && eof-off <= 2 {
			// off is right after "%%EOF" and eof after its EOL.
			tail := make([]byte, eof-off)
			if _, err := v.f.ReadAt(tail, off); err == nil && len(bytes.Trim(tail, "\r\n")) == 0 {
				var m [5]byte
				if _, err := v.f.ReadAt(m[:], off-5); err == nil && string(m[:]) == "%%EOF" {
					return true
				}
			}
		}
	}
	return false
}

const maxSigObject = 64 << 20

// contentsPosition parses the signature dictionary's object at its file
// offset and returns where the value of its /Contents key starts and ends.
func (v *verifier) contentsPosition(e sigEntry, b, end int64) (int64, int64, error) {
	off, in, ok := v.r.ObjectOffset(e.ref)
	if ok && in == 0 && off >= end && end <= v.size {
		// The dictionary was redefined after the bytes it signs: check the
		// signed revision's own dictionary; the redefinition is reported
		// as a change after signing.
		if old, err := v.openRevision(end); err == nil {
			off, in, ok = old.ObjectOffset(e.ref)
		}
	}
	if !ok {
		return 0, 0, errors.New("the signature dictionary has no file offset")
	}
	if in != 0 {
		return 0, 0, errors.New("the signature dictionary is inside an object stream")
	}
	if b < off {
		return 0, 0, errors.New("the gap lies before the signature dictionary")
	}
	n := b - off + 64<<10
	if n > maxSigObject {
		return 0, 0, errors.New("the signature dictionary is too large")
	}
	if off+n > v.size {
		n = v.size - off
	}
	buf := make([]byte, n)
	m, err := v.f.ReadAt(buf, off)
	if err != nil && err != io.EOF {
		return 0, 0, err
	}
	buf = buf[:m]
	p, err := skipObjHeader(buf, e.ref)
	if err != nil {
		return 0, 0, err
	}
	path := []pdf.Name{"Contents"}
	if e.direct {
		path = []pdf.Name{"V", "Contents"}
	}
	s, en, err := findKey(buf, p, path, 0)
	if err != nil {
		return 0, 0, err
	}
	return off + int64(s), off + int64(en), nil
}

func isSpace(c byte) bool {
	switch c {
	case 0, '\t', '\n', '\f', '\r', ' ':
		return true
	}
	return false
}

func skipSpace(b []byte, p int) int {
	for p < len(b) {
		if isSpace(b[p]) {
			p++
			continue
		}
		if b[p] == '%' {
			for p < len(b) && b[p] != '\n' && b[p] != '\r' {
				p++
			}
			continue
		}
		break
	}
	return p
}

// skipObjHeader checks "N G obj" at the start of b and returns the position
// after it.
func skipObjHeader(b []byte, ref pdf.Ref) (int, error) {
	p := skipSpace(b, 0)
	var nums [2]uint64
	for i := range nums {
		st := p
		for p < len(b) && b[p] >= '0' && b[p] <= '9' && p-st < 12 {
			nums[i] = nums[i]*10 + uint64(b[p]-'0')
			p++
		}
		if p == st {
			return 0, errors.New("no object header at the signature dictionary's offset")
		}
		p = skipSpace(b, p)
	}
	if !bytes.HasPrefix(b[p:], []byte("obj")) {
		return 0, errors.New("no object header at the signature dictionary's offset")
	}
	if nums[0] != uint64(ref.Num) || nums[1] != uint64(ref.Gen) {
		return 0, fmt.Errorf("object %d %d found where %d %d was expected", nums[0], nums[1], ref.Num, ref.Gen)
	}
	return p + 3, nil
}

// findKey walks the dictionary starting at p (after whitespace) and returns
// the span of the value of path[0] (descending into nested dictionaries for
// longer paths).
func findKey(b []byte, p int, path []pdf.Name, depth int) (int, int, error) {
	if depth > 4 {
		return 0, 0, errors.New("nested too deep")
	}
	p = skipSpace(b, p)
	if !bytes.HasPrefix(b[p:], []byte("<<")) {
		return 0, 0, errors.New("the signature object is not a dictionary")
	}
	p += 2
	found := -1
	var fs, fe int
	for i := 0; i < 10000; i++ {
		p = skipSpace(b, p)
		if p >= len(b) {
			return 0, 0, errors.New("the signature dictionary is cut short")
		}
		if bytes.HasPrefix(b[p:], []byte(">>")) {
			break
		}
		k, n, err := pdf.ParseObjectPrefix(b[p:])
		if err != nil {
			return 0, 0, fmt.Errorf("signature dictionary: %v", err)
		}
		key, ok := k.(pdf.Name)
		if !ok {
			return 0, 0, errors.New("signature dictionary: a key is not a name")
		}
		p += n
		vs := skipSpace(b, p)
		_, n, err = pdf.ParseObjectPrefix(b[p:])
		if err != nil {
			return 0, 0, fmt.Errorf("signature dictionary: value of /%s: %v", key, err)
		}
		ve := p + n
		// "N G R" references: ParseObjectPrefix reads them whole.
		if key == path[0] {
			if found >= 0 {
				return 0, 0, fmt.Errorf("/%s appears twice in the signature dictionary", key)
			}
			found = vs
			if len(path) > 1 {
				s, e, err := findKey(b, vs, path[1:], depth+1)
				if err != nil {
					return 0, 0, err
				}
				fs, fe = s, e
			} else {
				fs, fe = vs, ve
			}
		}
		p = ve
	}
	if found < 0 {
		return 0, 0, fmt.Errorf("no /%s in the signature dictionary", path[0])
	}
	return fs, fe, nil
}

// hashRanges streams the two signed ranges through the writers.
func (v *verifier) hashRanges(br [4]int64, ws ...io.Writer) error {
	if v.buf == nil {
		v.buf = make([]byte, hashBufSize)
	}
	w := io.MultiWriter(ws...)
	for _, rg := range [][2]int64{{br[0], br[1]}, {br[2], br[3]}} {
		off, n := rg[0], rg[1]
		for n > 0 {
			if err := v.ctx.Err(); err != nil {
				return err
			}
			k := int64(len(v.buf))
			if n < k {
				k = n
			}
			m, err := v.f.ReadAt(v.buf[:k], off)
			if m > 0 {
				w.Write(v.buf[:m])
			}
			if int64(m) < k {
				if err == nil {
					err = io.ErrUnexpectedEOF
				}
				return fmt.Errorf("read signed bytes: %w", err)
			}
			off += k
			n -= k
		}
	}
	return nil
}
