package edxml

import (
	"io"
	"os"
	"time"

	"github.com/vanthuso/vanthu/edoc"
)

// Namespace is the edXML namespace of QCVN 102:2016.
const Namespace = "http://www.mic.gov.vn/TBT/QCVN_102_2016"

// Kind says what a message carries.
type Kind string

const (
	KindEdoc   Kind = "edoc"   // a document (MessageHeader with From, To, Code, …)
	KindStatus Kind = "status" // a status report (MessageHeader with StatusCode)
)

// Message is one edXML message: a document (Document set) or a status
// (Status set), the elements and attributes this package does not know
// (Extras, written back where they were), and the attachments' files.
//
// A Message from Read holds its attachments in temporary files: Close
// removes them. A Message built by a caller sets Files to where the
// attachments' contents come from, in the order of
// Document.Attachments.
type Message struct {
	Kind     Kind
	Document *edoc.Document // KindEdoc
	Status   *Status        // KindStatus
	Extras   []Extra
	Files    []File

	// Signed reports whether the message read carries an XML signature
	// (Verify checks it). Write never copies a signature: it signs anew
	// when asked.
	Signed bool

	skeleton []byte   // the message read, attachment texts replaced by placeholders
	spools   []*spool // the attachment texts, in document order
	dir      string   // the temporary directory, removed by Close
	nonce    string   // the placeholders' random part
}

// Status is an edXML status message: who reports (From), about which
// document (ResponseFor), the code and its description, who handled it
// and when (Vietnam time).
type Status struct {
	From        edoc.Organ       `json:"from"`
	ResponseFor edoc.ResponseFor `json:"response_for"`
	Staff       *edoc.StaffInfo  `json:"staff,omitempty"`
	Code        edoc.Status      `json:"status_code"`
	Description string           `json:"description,omitempty"`
	Timestamp   time.Time        `json:"timestamp"`
}

// Extra is an element or attribute of a message this package does not
// map, kept so that a message read and written again loses nothing.
// Path names the element it was found in ("edXML/edXMLEnvelope/
// edXMLHeader/MessageHeader/To[1]": local names, indexes for the
// elements that repeat). An element is XML, standalone (it declares the
// namespaces it uses); an attribute is Attr (the name as written, with
// its prefix), NS (the prefix's namespace) and Value.
type Extra struct {
	Path  string `json:"path"`
	XML   string `json:"xml,omitempty"`
	Attr  string `json:"attr,omitempty"`
	NS    string `json:"ns,omitempty"`
	Value string `json:"value,omitempty"`
}

// File is where an attachment's content comes from when writing. Open
// is called once or more; each call returns the whole content.
type File interface {
	Open() (io.ReadCloser, error)
}

// PathFile is a File on disk.
type PathFile string

// Open opens the file.
func (p PathFile) Open() (io.ReadCloser, error) { return os.Open(string(p)) }

// Options bound what Read accepts; zero fields take the defaults.
type Options struct {
	// TempDir holds the attachments while the message is open (default
	// os.TempDir()).
	TempDir string
	// MaxHeader bounds the message without its attachment payloads
	// (default 16 MiB).
	MaxHeader int64
	// MaxDepth bounds element nesting (default 64); MaxElements the
	// number of elements (default 200 000).
	MaxDepth    int
	MaxElements int
	// MaxPayload bounds each attachment's base64 text, MaxFile each
	// attachment's file once decoded and unzipped (both default 4 GiB).
	MaxPayload int64
	MaxFile    int64
	// MaxAttachments bounds their number (default edoc.MaxAttachments).
	MaxAttachments int
}

func (o *Options) withDefaults() Options {
	var r Options
	if o != nil {
		r = *o
	}
	if r.MaxHeader <= 0 {
		r.MaxHeader = 16 << 20
	}
	if r.MaxDepth <= 0 {
		r.MaxDepth = 64
	}
	if r.MaxElements <= 0 {
		r.MaxElements = 200000
	}
	if r.MaxPayload <= 0 {
		r.MaxPayload = 4 << 30
	}
	if r.MaxFile <= 0 {
		r.MaxFile = 4 << 30
	}
	if r.MaxAttachments <= 0 {
		r.MaxAttachments = edoc.MaxAttachments
	}
	return r
}

// Close removes the temporary files of a message from Read. The
// attachments cannot be opened afterwards. Closing twice is harmless.
func (m *Message) Close() error {
	if m.dir == "" {
		return nil
	}
	err := os.RemoveAll(m.dir)
	m.dir = ""
	return err
}

// DocumentID is the message's key: the document's DocumentId, or for a
// status the DocumentId it answers.
func (m *Message) DocumentID() string {
	switch {
	case m.Document != nil:
		return m.Document.DocumentID
	case m.Status != nil:
		return m.Status.ResponseFor.DocumentID
	}
	return ""
}
