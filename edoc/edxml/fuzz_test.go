package edxml

import (
	"bytes"
	"errors"
	"os"
	"reflect"
	"testing"

	"github.com/vanthuso/vanthu/internal/fuzzguard"
	"github.com/vanthuso/vanthu/internal/testpki"
)

// fuzzOptions keeps each input's work small: the limits are what is
// fuzzed, not the disk.
func fuzzOptions(dir string) *Options {
	return &Options{TempDir: dir, MaxHeader: 1 << 20, MaxPayload: 1 << 20, MaxFile: 1 << 20, MaxAttachments: 8, MaxElements: 20000}
}

func fuzzSeeds(f *testing.F) {
	for _, p := range corpusFiles(f) {
		raw, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Add([]byte(msgHead + `</Subject></MessageHeader></edXMLHeader></edXMLEnvelope><AttachmentEncoded><Attachment><ContentTransferEncoded><![CDATA[QUFB]]></ContentTransferEncoded></Attachment></AttachmentEncoded></edXML>`))
	f.Add([]byte(zipMessage(f, [][]byte{[]byte("%PDF-1.7")})))
	f.Add([]byte(`<!DOCTYPE x [<!ENTITY a "b">]><edXML>&a;</edXML>`))
}

// FuzzRead reads mutated messages (the corpus samples, CDATA and ZIP
// payloads, a DTD): Read ends within the watchdog and never panics; an
// error is an *Error; a message read is written in the strict form and
// reads back as the same model with the same files; Verify answers
// without panicking.
func FuzzRead(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		defer fuzzguard.Watch(t, fuzzguard.Limit, data)()
		dir := t.TempDir()
		m, err := Read(bytes.NewReader(data), fuzzOptions(dir))
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.VI == "" {
				t.Fatalf("not an *Error with a sentence: %v", err)
			}
			return
		}
		defer m.Close()
		m.Verify()
		var out bytes.Buffer
		if err := Write(&out, m, &WriteOptions{TempDir: dir}); err != nil {
			var e *Error
			if errors.As(err, &e) && (errors.Is(err, ErrMalformed) || errors.Is(err, ErrAttachment)) {
				return // e.g. a message with neither document nor status
			}
			t.Fatalf("write: %v", err)
		}
		m2, err := Read(bytes.NewReader(out.Bytes()), fuzzOptions(dir))
		if err != nil {
			t.Fatalf("our own output does not read: %v\n%s", err, out.Bytes())
		}
		defer m2.Close()
		if !reflect.DeepEqual(modelOf(m), modelOf(m2)) {
			t.Fatalf("models differ after write and read:\n%+v\n%+v", modelOf(m), modelOf(m2))
		}
		for i := range m.Files {
			if m.Document.Attachments[i].SHA256 != m2.Document.Attachments[i].SHA256 {
				t.Fatalf("attachment %d differs", i)
			}
		}
	})
}

// FuzzVerify checks mutated signed messages (a document and a status
// signed on the agency's SoftHSM2 token): Verify ends within the
// watchdog and never panics; when it accepts, the message reads as the
// model that was signed (the signer's certificate is not compared: each
// fuzz worker provisions a PKI of its own and signs its own seeds).
func FuzzVerify(f *testing.F) {
	p := testpki.New(f)
	signer, closer, err := p.Signer(p.Agency, testpki.UserPIN)
	if err != nil {
		f.Fatal(err)
	}
	var signedModels []model
	for _, name := range []string{"edoc_new.edxml", "status_finish_06.edxml"} {
		m := readBytes(f, corpusBytes(f, name))
		signed := writeBytes(f, m, &WriteOptions{Signer: signer, Certificate: p.Agency.Cert, Chain: p.Agency.Embedded()})
		signedModels = append(signedModels, modelOf(readBytes(f, signed)))
		f.Add(signed)
	}
	closer.Close()
	f.Fuzz(func(t *testing.T, data []byte) {
		defer fuzzguard.Watch(t, fuzzguard.Limit, data)()
		m, err := Read(bytes.NewReader(data), fuzzOptions(t.TempDir()))
		if err != nil {
			return
		}
		defer m.Close()
		if _, err := m.Verify(); err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("not an *Error: %v", err)
			}
			return
		}
		got := modelOf(m)
		for _, want := range signedModels {
			if reflect.DeepEqual(got, want) {
				return
			}
		}
		t.Fatalf("a changed message verifies and reads differently:\n%+v", got)
	})
}
