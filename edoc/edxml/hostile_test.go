package edxml

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// gen is a hostile input made on the fly: head, then unit repeated n
// times (n < 0: without end), then tail. It counts what was read, so
// that a test sees where the reader stopped.
type gen struct {
	head, unit, tail []byte
	n                int64
	i                int64 // units given
	state            int
	pos              int
	read             int64
}

func (g *gen) Read(p []byte) (int, error) {
	k := 0
	for k < len(p) {
		var src []byte
		switch g.state {
		case 0:
			src = g.head
		case 1:
			if g.n >= 0 && g.i >= g.n {
				g.state, g.pos = 2, 0
				continue
			}
			src = g.unit
		case 2:
			src = g.tail
		default:
			g.read += int64(k)
			return k, io.EOF
		}
		c := copy(p[k:], src[g.pos:])
		k += c
		g.pos += c
		if g.pos == len(src) {
			g.pos = 0
			if g.state == 1 {
				g.i++
			} else {
				g.state++
			}
		}
	}
	g.read += int64(k)
	return k, nil
}

// peakHeap runs f and returns how far the heap grew above where it was,
// sampled every few milliseconds.
func peakHeap(f func()) uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var peak uint64
	var mu sync.Mutex
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			var s runtime.MemStats
			runtime.ReadMemStats(&s)
			mu.Lock()
			peak = max(peak, s.HeapAlloc)
			mu.Unlock()
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	f()
	close(done)
	mu.Lock()
	defer mu.Unlock()
	if peak < base {
		return 0
	}
	return peak - base
}

const msgHead = `<?xml version="1.0" encoding="UTF-8"?><edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXMLEnvelope><edXMLHeader><MessageHeader><From><OrganId>000.00.00.H41</OrganId></From><Subject>`

// TestHostile feeds inputs meant to hurt: each ends in an *Error of the
// expected kind with a Vietnamese sentence, reads little past the limit
// it hits, and the heap stays small.
func TestHostile(t *testing.T) {
	small := &Options{MaxHeader: 1 << 20, MaxPayload: 1 << 20, MaxFile: 1 << 20}
	laughs := `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">` +
		`<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><edXML>&lol3;</edXML>`
	cases := []struct {
		name string
		in   io.Reader
		opt  *Options
		kind error
	}{
		{"billion laughs", strings.NewReader(laughs), nil, ErrDTD},
		{"external entity", strings.NewReader(`<?xml version="1.0"?><!DOCTYPE edXML [<!ENTITY x SYSTEM "file:///etc/passwd">]><edXML>&x;</edXML>`), nil, ErrDTD},
		{"external DTD", strings.NewReader(`<!doctype edXML SYSTEM "http://127.0.0.1:1/x.dtd"><edXML/>`), nil, ErrDTD},
		{"entity without DTD", strings.NewReader(msgHead + `&lol9;</Subject></MessageHeader></edXMLHeader></edXMLEnvelope></edXML>`), nil, ErrMalformed},
		{"huge base64", &gen{head: []byte(msgHead + `</Subject></MessageHeader></edXMLHeader></edXMLEnvelope><AttachmentEncoded><Attachment><ContentTransferEncoded>`), unit: []byte("QUFB"), n: -1}, small, ErrTooLarge},
		{"huge text", &gen{head: []byte(msgHead), unit: []byte("chữ "), n: -1}, small, ErrTooLarge},
		{"open quote", &gen{head: []byte(`<edXML a="`), unit: []byte("xxxxxxxx"), n: -1}, small, ErrTooLarge},
		{"open comment", &gen{head: []byte(`<edXML><!--`), unit: []byte("--x-"), n: -1}, small, ErrTooLarge},
		{"deep nesting", &gen{head: []byte(`<edXML>`), unit: []byte("<a>"), n: -1}, nil, ErrTooLarge},
		{"many elements", &gen{head: []byte(`<edXML>`), unit: []byte("<a/>"), n: -1}, nil, ErrTooLarge},
		{"many attachments", &gen{head: []byte(msgHead + `</Subject></MessageHeader></edXMLHeader></edXMLEnvelope><AttachmentEncoded>`), unit: []byte("<Attachment><ContentTransferEncoded>QQ==</ContentTransferEncoded></Attachment>"), n: -1}, &Options{MaxAttachments: 50}, ErrTooLarge},
		{"not base64", strings.NewReader(msgHead + `</Subject></MessageHeader></edXMLHeader></edXMLEnvelope><AttachmentEncoded><Attachment><ContentTransferEncoded>QUFB$$$</ContentTransferEncoded></Attachment></AttachmentEncoded></edXML>`), nil, ErrAttachment},
		{"element in payload", strings.NewReader(msgHead + `</Subject></MessageHeader></edXMLHeader></edXMLEnvelope><AttachmentEncoded><Attachment><ContentTransferEncoded>QUFB<b/></ContentTransferEncoded></Attachment></AttachmentEncoded></edXML>`), nil, ErrMalformed},
		{"payload in header", strings.NewReader(msgHead + `<ContentTransferEncoded>QUFB</ContentTransferEncoded></Subject></MessageHeader></edXMLHeader></edXMLEnvelope></edXML>`), nil, ErrMalformed},
		{"bad padding", strings.NewReader(msgHead + `</Subject></MessageHeader></edXMLHeader></edXMLEnvelope><AttachmentEncoded><Attachment><ContentTransferEncoded>QUF</ContentTransferEncoded></Attachment></AttachmentEncoded></edXML>`), nil, ErrAttachment},
		{"missing attachment", strings.NewReader(msgHead + `</Subject></MessageHeader></edXMLHeader><edXMLBody><edXMLManifest><Reference><ContentId>cid:7</ContentId></Reference></edXMLManifest></edXMLBody></edXMLEnvelope></edXML>`), nil, ErrAttachment},
		{"zip bomb", strings.NewReader(zipMessage(t, [][]byte{bytes.Repeat([]byte{0}, 8<<20)})), small, ErrTooLarge},
		{"zip of two", strings.NewReader(zipMessage(t, [][]byte{[]byte("a"), []byte("b")})), nil, ErrAttachment},
		{"bad date", strings.NewReader(msgHead + `</Subject><PromulgationInfo><PromulgationDate>2020/13/45</PromulgationDate></PromulgationInfo></MessageHeader></edXMLHeader></edXMLEnvelope></edXML>`), nil, ErrField},
		{"bad status", strings.NewReader(`<edXML><edXMLEnvelope><edXMLHeader><MessageHeader><StatusCode>99</StatusCode></MessageHeader></edXMLHeader></edXMLEnvelope></edXML>`), nil, ErrField},
		{"not edXML", strings.NewReader(`<html><body>hello</body></html>`), nil, ErrMalformed},
		{"not XML", strings.NewReader("%PDF-1.7 binary"), nil, ErrMalformed},
		{"empty", strings.NewReader(""), nil, ErrMalformed},
		{"two roots", strings.NewReader(`<a></a><b>`), nil, ErrMalformed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opt := &Options{TempDir: t.TempDir()}
			if tc.opt != nil {
				o := *tc.opt
				o.TempDir = opt.TempDir
				opt = &o
			}
			var err error
			grew := peakHeap(func() {
				var m *Message
				m, err = Read(tc.in, opt)
				if m != nil {
					m.Close()
				}
			})
			var e *Error
			if !errors.As(err, &e) || !errors.Is(err, tc.kind) {
				t.Fatalf("got %v, want an *Error of kind %v", err, tc.kind)
			}
			if vi, _ := Explain(err); vi == "" || vi == e.EN {
				t.Errorf("no Vietnamese sentence: %q", vi)
			}
			if g, ok := tc.in.(*gen); ok && g.n < 0 && g.read > 8<<20 {
				t.Errorf("read %d bytes of an endless input before stopping", g.read)
			}
			if grew > 48<<20 {
				t.Errorf("heap grew by %d MiB", grew>>20)
			}
		})
	}
}

// zipMessage is a minimal message whose one attachment is base64 of a
// ZIP holding files.
func zipMessage(t testing.TB, contents [][]byte) string {
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	for i, c := range contents {
		w, err := zw.Create(strings.Repeat("f", i+1))
		if err != nil {
			t.Fatal(err)
		}
		w.Write(c)
	}
	zw.Close()
	return msgHead + `</Subject></MessageHeader></edXMLHeader></edXMLEnvelope><AttachmentEncoded><Attachment><ContentId>1</ContentId><AttachmentName>a.pdf</AttachmentName><ContentTransferEncoded>` +
		base64.StdEncoding.EncodeToString(zb.Bytes()) + `</ContentTransferEncoded></Attachment></AttachmentEncoded></edXML>`
}

// TestTruncated reads every prefix of a status message and prefixes of
// a document message: each is an *Error (truncated or malformed), never
// a message, never a panic.
func TestTruncated(t *testing.T) {
	for _, name := range []string{"status_inbox_01.edxml", "edoc_new.edxml"} {
		raw := corpusBytes(t, name)
		end := bytes.LastIndex(raw, []byte("</edXML>"))
		step := 1
		if len(raw) > 4000 {
			step = 3
		}
		dir := t.TempDir()
		for n := 0; n < end; n += step {
			m, err := Read(bytes.NewReader(raw[:n]), &Options{TempDir: dir})
			if err == nil {
				m.Close()
				t.Fatalf("%s cut at %d: read as a message", name, n)
			}
			var e *Error
			if !errors.As(err, &e) || !(errors.Is(err, ErrTruncated) || errors.Is(err, ErrMalformed) || errors.Is(err, ErrAttachment)) {
				t.Fatalf("%s cut at %d: %v", name, n, err)
			}
		}
	}
}

// TestXIncludeNotFollowed: an XInclude element pointing at a local file
// is kept as an unknown element, never resolved: nothing of the file
// appears in the model or in what is written.
func TestXIncludeNotFollowed(t *testing.T) {
	secret := t.TempDir() + "/secret.txt"
	if err := os.WriteFile(secret, []byte("BI-MAT-KHONG-DUOC-DOC"), 0o600); err != nil {
		t.Fatal(err)
	}
	raw := strings.Replace(string(corpusBytes(t, "status_inbox_01.edxml")), "<edXML:StatusCode>",
		`<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file://`+secret+`" parse="text"/><edXML:StatusCode>`, 1)
	m := readBytes(t, []byte(raw))
	out := writeBytes(t, m, nil)
	if bytes.Contains(out, []byte("BI-MAT")) || !bytes.Contains(out, []byte("xi:include")) {
		t.Fatalf("XInclude resolved or lost:\n%s", out)
	}
}
