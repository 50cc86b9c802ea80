package edxml

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
)

// The scanner is the streaming half of Read. It copies the message into
// a skeleton, in memory and bounded by MaxHeader, except the text of
// every ContentTransferEncoded element (the attachments' base64), which
// it streams to a spool file and replaces in the skeleton by a
// placeholder: a random word the input cannot guess, so that no text of
// the message can pose as one. The skeleton is then parsed as XML (with
// encoding/xml through etree), and the signature's digest is computed
// over the skeleton's canonical form with each placeholder replaced by
// its spool's text (sign.go).
//
// It understands just enough XML to find those elements: tags (quoted
// attribute values may hold '>'), comments, CDATA sections, processing
// instructions. A DOCTYPE is refused (ErrDTD): edXML has no DTD, and
// without one no entity can be declared, expanded or fetched. It also
// counts depth and elements, so that the parser never sees a tree
// beyond the limits. Bytes before the first '<' ("<?xml" when there is
// one) are skipped; whatever follows the root element's end is ignored.

const placeholderPrefix = "EDXMLPAYLOAD"

// spool is one attachment's text as read: base64 with its line ends
// normalised to "\n" (as an XML parser sees it), in a file.
type spool struct {
	path string
	size int64
	f    *os.File
	w    *bufio.Writer
	cr   bool // the last byte written was a '\r', turned into '\n'
	max  int64
}

// b64class marks the bytes an attachment's text may hold: 1 base64, 2
// white space.
var b64class = func() (t [256]byte) {
	for _, c := range []byte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") {
		t[c] = 1
	}
	for _, c := range []byte(" \t\n\r") {
		t[c] = 2
	}
	return t
}()

func (s *spool) write(p []byte) error {
	start := 0
	flush := func(end int) error {
		if end > start {
			n, err := s.w.Write(p[start:end])
			s.size += int64(n)
			return err
		}
		return nil
	}
	for i, c := range p {
		switch b64class[c] {
		case 0:
			if c == '&' {
				return newError(ErrAttachment, "ContentTransferEncoded", "dữ liệu tệp đính kèm có tham chiếu ký tự (&…;), không phải base64", "the attachment's data holds a character reference (&…;), not base64", nil)
			}
			return newError(ErrAttachment, "ContentTransferEncoded", fmt.Sprintf("dữ liệu tệp đính kèm không phải base64 (byte 0x%02x)", c), fmt.Sprintf("the attachment's data is not base64 (byte 0x%02x)", c), nil)
		case 2:
			if c == '\r' || (c == '\n' && s.cr) {
				if err := flush(i); err != nil {
					return err
				}
				start = i + 1
				if c == '\r' {
					if err := s.w.WriteByte('\n'); err != nil {
						return err
					}
					s.size++
				}
				s.cr = c == '\r'
				continue
			}
		}
		s.cr = false
	}
	if err := flush(len(p)); err != nil {
		return err
	}
	if s.size > s.max {
		return newError(ErrTooLarge, "ContentTransferEncoded", fmt.Sprintf("dữ liệu tệp đính kèm quá lớn (hơn %d byte)", s.max), fmt.Sprintf("an attachment's data is too large (over %d bytes)", s.max), nil)
	}
	return nil
}

func (s *spool) finish() error {
	if s.f == nil {
		return nil
	}
	err := s.w.Flush()
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	s.f = nil
	return err
}

type scanner struct {
	r      *bufio.Reader
	opt    Options
	dir    string
	skel   []byte
	depth  int
	elems  int
	nonce  string
	spools []*spool
}

func newNonce() string {
	var b [9]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return hex.EncodeToString(b[:])
}

func placeholder(nonce string, i int) string {
	return placeholderPrefix + nonce + "N" + strconv.Itoa(i) + "Z"
}

func truncated(where string) error {
	return newError(ErrTruncated, where, "thông điệp bị cắt cụt (hết dữ liệu giữa chừng)", "the message is truncated (the data ends in the middle)", nil)
}

func tooLarge(vi, en string) error { return newError(ErrTooLarge, "", vi, en, nil) }

// scan reads the whole message from r.
func (s *scanner) scan(r io.Reader) error {
	s.r = bufio.NewReaderSize(r, 64<<10)
	head, err := s.r.Peek(64 << 10)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return err
	}
	i := bytes.Index(head, []byte("<?xml"))
	if i < 0 {
		i = bytes.IndexByte(head, '<')
	}
	if i < 0 {
		if len(bytes.TrimSpace(head)) == 0 {
			return newError(ErrMalformed, "", "tệp rỗng, không có thông điệp edXML", "the file is empty: no edXML message", nil)
		}
		return newError(ErrMalformed, "", "tệp không phải XML (không thấy thẻ nào ở đầu tệp)", "the file is not XML (no tag near its start)", nil)
	}
	s.r.Discard(i)
	for {
		chunk, err := s.r.ReadSlice('<')
		switch {
		case err == bufio.ErrBufferFull:
			if err := s.put(chunk); err != nil {
				return err
			}
			continue
		case err == io.EOF:
			if len(bytes.TrimSpace(chunk)) > 0 || s.depth > 0 || s.elems == 0 {
				return truncated("")
			}
			return nil
		case err != nil:
			return err
		}
		if err := s.put(chunk[:len(chunk)-1]); err != nil {
			return err
		}
		done, err := s.tag()
		if err != nil || done {
			return err
		}
	}
}

// put appends b to the skeleton.
func (s *scanner) put(b []byte) error {
	if int64(len(s.skel)+len(b)) > s.opt.MaxHeader {
		return tooLarge(fmt.Sprintf("phần đầu thông điệp (không kể tệp đính kèm) quá lớn: hơn %d byte", s.opt.MaxHeader),
			fmt.Sprintf("the message without its attachments is too large: over %d bytes", s.opt.MaxHeader))
	}
	s.skel = append(s.skel, b...)
	return nil
}

// tag handles what follows a '<' already read; done is set when the
// root element has ended.
func (s *scanner) tag() (done bool, err error) {
	next, err := s.r.Peek(1)
	if err != nil {
		return false, truncated("")
	}
	switch next[0] {
	case '?':
		return false, s.copyUntil("<", "?>")
	case '!':
		p, _ := s.r.Peek(9)
		switch {
		case bytes.HasPrefix(p, []byte("!--")):
			return false, s.copyUntil("<", "-->")
		case bytes.HasPrefix(p, []byte("![CDATA[")):
			return false, s.copyUntil("<", "]]>")
		case len(p) >= 8 && bytes.EqualFold(p[:8], []byte("!DOCTYPE")):
			return false, newError(ErrDTD, "", "thông điệp có khai báo DTD (DOCTYPE): edXML không dùng DTD, không chấp nhận", "the message declares a DTD (DOCTYPE): edXML has none; refused", nil)
		}
		return false, newError(ErrMalformed, "", "thẻ '<!' không hợp lệ", "invalid '<!' markup", nil)
	case '/':
		if err := s.copyUntil("<", ">"); err != nil {
			return false, err
		}
		s.depth--
		return s.depth <= 0, nil
	}
	raw, err := s.startTag()
	if err != nil {
		return false, err
	}
	s.elems++
	if s.elems > s.opt.MaxElements {
		return false, tooLarge(fmt.Sprintf("thông điệp có quá nhiều phần tử (hơn %d)", s.opt.MaxElements), fmt.Sprintf("the message has too many elements (over %d)", s.opt.MaxElements))
	}
	if bytes.HasSuffix(raw, []byte("/>")) {
		return s.depth <= 0, nil
	}
	s.depth++
	if s.depth > s.opt.MaxDepth {
		return false, tooLarge(fmt.Sprintf("các phần tử lồng nhau quá sâu (hơn %d mức)", s.opt.MaxDepth), fmt.Sprintf("elements are nested too deeply (over %d levels)", s.opt.MaxDepth))
	}
	if localName(tagName(raw)) == "ContentTransferEncoded" {
		return false, s.divert()
	}
	return false, nil
}

// startTag copies a start tag (the '<' already read) into the skeleton
// and returns it from its '<'.
func (s *scanner) startTag() ([]byte, error) {
	start := len(s.skel)
	if err := s.put([]byte{'<'}); err != nil {
		return nil, err
	}
	var quote byte
	for {
		chunk, err := s.r.ReadSlice('>')
		if err != nil && err != bufio.ErrBufferFull {
			return nil, truncated("")
		}
		if perr := s.put(chunk); perr != nil {
			return nil, perr
		}
		for _, c := range chunk {
			switch {
			case quote == 0 && (c == '"' || c == '\''):
				quote = c
			case c == quote:
				quote = 0
			}
		}
		if err == nil && quote == 0 {
			return s.skel[start:], nil
		}
	}
}

func tagName(raw []byte) string {
	n := raw[1:]
	for i, c := range n {
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '/' || c == '>' {
			return string(n[:i])
		}
	}
	return string(n)
}

func localName(name string) string {
	if i := bytes.LastIndexByte([]byte(name), ':'); i >= 0 {
		return name[i+1:]
	}
	return name
}

// copyUntil copies prefix and then the input up to and including end
// into the skeleton.
func (s *scanner) copyUntil(prefix, end string) error {
	if err := s.put([]byte(prefix)); err != nil {
		return err
	}
	start := len(s.skel)
	last := end[len(end)-1]
	for {
		chunk, err := s.r.ReadSlice(last)
		if err != nil && err != bufio.ErrBufferFull {
			return truncated("")
		}
		if perr := s.put(chunk); perr != nil {
			return perr
		}
		if err == nil && len(s.skel)-start >= len(end) && bytes.HasSuffix(s.skel, []byte(end)) {
			return nil
		}
	}
}

// divert streams the text of a ContentTransferEncoded element (its
// start tag just read) to a new spool, writes a placeholder in its
// place, and stops at the next tag, which it hands to the main loop
// with its '<' read.
func (s *scanner) divert() error {
	if len(s.spools) >= s.opt.MaxAttachments {
		return tooLarge(fmt.Sprintf("thông điệp có quá nhiều tệp đính kèm (hơn %d)", s.opt.MaxAttachments), fmt.Sprintf("the message has too many attachments (over %d)", s.opt.MaxAttachments))
	}
	f, err := os.CreateTemp(s.dir, "payload-*.b64")
	if err != nil {
		return err
	}
	sp := &spool{path: f.Name(), f: f, w: bufio.NewWriterSize(f, 64<<10), max: s.opt.MaxPayload}
	s.spools = append(s.spools, sp)
	if err := s.put([]byte(placeholder(s.nonce, len(s.spools)-1))); err != nil {
		return err
	}
	for {
		chunk, err := s.r.ReadSlice('<')
		switch {
		case err == bufio.ErrBufferFull:
			if err := sp.write(chunk); err != nil {
				return err
			}
			continue
		case err != nil:
			return truncated("ContentTransferEncoded")
		}
		if err := sp.write(chunk[:len(chunk)-1]); err != nil {
			return err
		}
		p, _ := s.r.Peek(8)
		switch {
		case bytes.HasPrefix(p, []byte("![CDATA[")):
			s.r.Discard(8)
			if err := s.cdataTo(sp); err != nil {
				return err
			}
			continue
		case bytes.HasPrefix(p, []byte("!--")):
			if err := s.skipComment(); err != nil {
				return err
			}
			continue
		}
		if err := sp.finish(); err != nil {
			return err
		}
		if p, _ := s.r.Peek(1); len(p) == 0 || p[0] != '/' {
			return newError(ErrMalformed, "ContentTransferEncoded", "phần tử ContentTransferEncoded chứa phần tử khác", "ContentTransferEncoded holds an element", nil)
		}
		return s.closeTag()
	}
}

// closeTag copies the end tag whose '<' was read and leaves the depth
// one lower.
func (s *scanner) closeTag() error {
	if err := s.copyUntil("<", ">"); err != nil {
		return err
	}
	s.depth--
	return nil
}

// cdataTo streams a CDATA section's content (after "<![CDATA[") to sp.
func (s *scanner) cdataTo(sp *spool) error {
	var pending []byte
	for {
		chunk, err := s.r.ReadSlice('>')
		if err != nil && err != bufio.ErrBufferFull {
			return truncated("ContentTransferEncoded")
		}
		buf := append(pending, chunk...)
		if err == nil && bytes.HasSuffix(buf, []byte("]]>")) {
			return sp.write(buf[:len(buf)-3])
		}
		keep := min(2, len(buf))
		if err := sp.write(buf[:len(buf)-keep]); err != nil {
			return err
		}
		pending = append([]byte(nil), buf[len(buf)-keep:]...)
	}
}

func (s *scanner) skipComment() error {
	var tail []byte
	for {
		chunk, err := s.r.ReadSlice('>')
		if err != nil && err != bufio.ErrBufferFull {
			return truncated("ContentTransferEncoded")
		}
		tail = append(tail, chunk...)
		if err == nil && bytes.HasSuffix(tail, []byte("-->")) && len(tail) >= 6 {
			return nil
		}
		if len(tail) > 8 {
			tail = append([]byte(nil), tail[len(tail)-8:]...)
		}
	}
}

// scanMessage runs a scanner over r with its spools in dir.
func scanMessage(r io.Reader, opt Options, dir string) (*scanner, error) {
	s := &scanner{opt: opt, dir: dir, nonce: newNonce()}
	err := s.scan(r)
	for _, sp := range s.spools {
		if ferr := sp.finish(); err == nil {
			err = ferr
		}
	}
	var e *Error
	if err != nil && !errors.As(err, &e) {
		err = newError(ErrMalformed, "", "không đọc được thông điệp", "the message cannot be read", err)
	}
	return s, err
}

func tempDir(opt Options) (string, error) {
	return os.MkdirTemp(opt.TempDir, "edxml-")
}
