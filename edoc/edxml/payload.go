package edxml

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// An attachment travels as ContentTransferEncoded: base64 of a ZIP
// archive holding the one file (the axis SDK's convention; the entry's
// own name does not matter, AttachmentName names the file), or, from
// some producers, base64 of the file itself. payload is one attachment
// as read: its decoded bytes in a file, and where the file's content is
// in them.

type payload struct {
	bin    string // the decoded base64
	zipped bool   // bin is a ZIP holding the file
	size   int64  // of the file itself
	sha256 string // of the file itself, lower-case hex
	max    int64
}

// Open returns the file's content.
func (p *payload) Open() (io.ReadCloser, error) {
	f, err := os.Open(p.bin)
	if err != nil {
		return nil, err
	}
	if !p.zipped {
		return f, nil
	}
	rc, err := p.openEntry(f)
	if err != nil {
		f.Close()
		return nil, err
	}
	return struct {
		io.Reader
		io.Closer
	}{rc, closers{rc, f}}, nil
}

type closers []io.Closer

func (cs closers) Close() error {
	var first error
	for _, c := range cs {
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// openEntry opens the one file of the ZIP in f.
func (p *payload) openEntry(f *os.File) (io.ReadCloser, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	zr, err := zip.NewReader(f, fi.Size())
	if err != nil {
		return nil, attachmentErr("", "tệp ZIP của tệp đính kèm bị hỏng", "the attachment's ZIP archive is damaged", err)
	}
	var files []*zip.File
	for _, zf := range zr.File {
		if !zf.FileInfo().IsDir() {
			files = append(files, zf)
		}
	}
	if len(files) != 1 {
		return nil, attachmentErr("", fmt.Sprintf("tệp ZIP của tệp đính kèm phải chứa đúng một tệp (có %d)", len(files)),
			fmt.Sprintf("the attachment's ZIP archive must hold exactly one file (it holds %d)", len(files)), nil)
	}
	zf := files[0]
	if zf.Method != zip.Store && zf.Method != zip.Deflate {
		return nil, attachmentErr("", "tệp ZIP của tệp đính kèm dùng kiểu nén không hỗ trợ", "the attachment's ZIP archive uses an unsupported compression method", nil)
	}
	if p.max > 0 && zf.UncompressedSize64 > uint64(p.max) {
		return nil, tooLarge(fmt.Sprintf("tệp đính kèm quá lớn khi giải nén (hơn %d byte)", p.max), fmt.Sprintf("an attachment is too large once unzipped (over %d bytes)", p.max))
	}
	rc, err := zf.Open()
	if err != nil {
		return nil, attachmentErr("", "tệp ZIP của tệp đính kèm bị hỏng", "the attachment's ZIP archive is damaged", err)
	}
	return rc, nil
}

func attachmentErr(where, vi, en string, cause error) error {
	return newError(ErrAttachment, where, vi, en, cause)
}

// decodeSpool decodes sp into a payload file next to it and measures the
// file it holds.
func decodeSpool(sp *spool, max int64) (*payload, error) {
	in, err := os.Open(sp.path)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	out, err := os.CreateTemp(filepath.Dir(sp.path), "payload-*.bin")
	if err != nil {
		return nil, err
	}
	p := &payload{bin: out.Name(), max: max}
	dec := base64.NewDecoder(base64.StdEncoding, spaceFree{bufio.NewReaderSize(in, 64<<10)})
	w := bufio.NewWriterSize(out, 64<<10)
	_, err = io.Copy(w, dec)
	if err == nil {
		err = w.Flush()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			return nil, err
		}
		return nil, attachmentErr("", "dữ liệu base64 của tệp đính kèm bị hỏng", "the attachment's base64 data is damaged", err)
	}
	head := make([]byte, 4)
	if f, err := os.Open(p.bin); err == nil {
		n, _ := io.ReadFull(f, head)
		head = head[:n]
		f.Close()
	}
	p.zipped = bytes.Equal(head, []byte("PK\x03\x04")) || bytes.Equal(head, []byte("PK\x05\x06"))
	rc, err := p.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	h := sha256.New()
	n, err := io.Copy(h, io.LimitReader(rc, max+1))
	if err != nil {
		return nil, attachmentErr("", "không đọc được tệp trong tệp đính kèm", "the file inside the attachment cannot be read", err)
	}
	if n > max {
		return nil, tooLarge(fmt.Sprintf("tệp đính kèm quá lớn (hơn %d byte)", max), fmt.Sprintf("an attachment is too large (over %d bytes)", max))
	}
	p.size, p.sha256 = n, hex.EncodeToString(h.Sum(nil))
	return p, nil
}

// spaceFree drops the white space base64 text may hold (the decoder
// itself skips only line ends).
type spaceFree struct{ r io.Reader }

func (s spaceFree) Read(p []byte) (int, error) {
	for {
		n, err := s.r.Read(p)
		k := 0
		for _, c := range p[:n] {
			if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
				p[k] = c
				k++
			}
		}
		if k > 0 || err != nil {
			return k, err
		}
	}
}

// encodeFile writes f as the SDK does, base64 of a ZIP holding it (one
// entry, deflated, named entry), into a new spool in dir, and returns
// the spool with the file's size and SHA-256.
func encodeFile(f File, entry, dir string) (*spool, int64, string, error) {
	out, err := os.CreateTemp(dir, "out-*.b64")
	if err != nil {
		return nil, 0, "", err
	}
	sp := &spool{path: out.Name()}
	bw := bufio.NewWriterSize(out, 64<<10)
	cw := &countWriter{w: bw}
	enc := base64.NewEncoder(base64.StdEncoding, cw)
	zw := zip.NewWriter(enc)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestSpeed)
	})
	size, sum, err := func() (int64, string, error) {
		zf, err := zw.CreateHeader(&zip.FileHeader{Name: entry, Method: zip.Deflate})
		if err != nil {
			return 0, "", err
		}
		rc, err := f.Open()
		if err != nil {
			return 0, "", err
		}
		defer rc.Close()
		h := sha256.New()
		n, err := io.Copy(io.MultiWriter(zf, h), rc)
		if err != nil {
			return 0, "", err
		}
		if err := zw.Close(); err != nil {
			return 0, "", err
		}
		if err := enc.Close(); err != nil {
			return 0, "", err
		}
		return n, hex.EncodeToString(h.Sum(nil)), bw.Flush()
	}()
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(out.Name())
		return nil, 0, "", err
	}
	sp.size = cw.n
	return sp, size, sum, nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// zipEntryName is the entry's name for a file: a UUID made from its
// content (the SDK names entries by UUID; made from the content, the
// same file gives the same message), with the file's extension.
func zipEntryName(sum, name string) string {
	u := sum
	for len(u) < 32 {
		u += "0"
	}
	id := u[0:8] + "-" + u[8:12] + "-5" + u[13:16] + "-a" + u[17:20] + "-" + u[20:32]
	ext := strings.ToLower(filepath.Ext(name))
	if len(ext) > 10 || strings.ContainsAny(ext, "/\\") {
		ext = ""
	}
	return id + ext
}
