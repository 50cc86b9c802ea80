package edxml

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/vanthuso/vanthu/edoc"
)

func corpusBytes(t testing.TB, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(filepath.Dir(corpusFiles(t)[0]), name))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

var edxmlPrefix = regexp.MustCompile(`(</?)edXML:`)

// TestReadForms reads one sample in the forms producers write it: with
// the SDK's mixed prefixes, every element in the default namespace,
// every element under another prefix, stray bytes and a BOM before the
// declaration, ContentId without "cid:", the payload in lines with CRLF
// or in CDATA, the payload plain base64 of the file: the same document
// and the same file every time.
func TestReadForms(t *testing.T) {
	raw := corpusBytes(t, "edoc_new.edxml")
	base := readBytes(t, raw)
	wantFile := files(t, base)[0]
	unprefixed := edxmlPrefix.ReplaceAll(raw, []byte("$1"))
	unprefixed = bytes.ReplaceAll(unprefixed, []byte(` xmlns:edXML="`+Namespace+`"`), nil)
	payload := regexp.MustCompile(`(?s)(<edXML:ContentTransferEncoded[^>]*>)([^<]*)(<)`)
	b64 := payload.FindSubmatch(raw)[2]
	var lines []byte
	for i := 0; i < len(b64); i += 76 {
		lines = append(lines, b64[i:min(i+76, len(b64))]...)
		lines = append(lines, "\r\n"...)
	}
	plain := base64.StdEncoding.EncodeToString(wantFile)
	forms := map[string][]byte{
		"unprefixed":     unprefixed,
		"other prefix":   bytes.ReplaceAll(edxmlPrefix.ReplaceAll(raw, []byte("${1}q:")), []byte("xmlns:edXML="), []byte("xmlns:q=")),
		"stray bytes":    append([]byte("\xef\xbb\xbfHTTP junk\r\n\r\n"), raw...),
		"no cid: prefix": bytes.ReplaceAll(raw, []byte("cid:209"), []byte("209")),
		"cid on one":     bytes.Replace(raw, []byte("cid:209"), []byte("&lt;209&gt;"), 1),
		"CRLF lines":     payload.ReplaceAll(raw, append(append([]byte("${1}"), lines...), "${3}"...)),
		"CDATA":          payload.ReplaceAll(raw, []byte("${1}<![CDATA[${2}]]>${3}")),
		"plain base64":   payload.ReplaceAll(raw, []byte("${1}"+plain+"${3}")),
	}
	for name, b := range forms {
		t.Run(name, func(t *testing.T) {
			if bytes.Equal(b, raw) {
				t.Fatal("the form is the sample itself")
			}
			m := readBytes(t, b)
			got := files(t, m)
			if len(got) != 1 || !bytes.Equal(got[0], wantFile) {
				t.Fatalf("attachment differs")
			}
			if name == "plain base64" {
				m.Document.Attachments[0].ContentType = base.Document.Attachments[0].ContentType
			}
			sameModel(t, name, base, m)
		})
	}
}

// TestExtrasKept: elements and attributes the reader does not know —
// in the edXML namespace, in another, on known elements, inside a leaf —
// are kept in Extras and written back where they were: read, write,
// read gives the same Extras, and the written message holds them.
func TestExtrasKept(t *testing.T) {
	raw := string(corpusBytes(t, "edoc_update.edxml"))
	raw = strings.Replace(raw, "<edXML:Bussiness>", `<edXML:Bussiness id="b1" version="2" mustUnderstand="1" actor="vpcp">`, 1)
	raw = strings.Replace(raw, "<edXML:Reference>", `<edXML:Reference xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href="cid:209">`, 1)
	raw = strings.Replace(raw, "</edXML:Subject>", `<x:Note xmlns:x="urn:other">chú thích <x:b>đậm</x:b></x:Note></edXML:Subject>`, 1)
	raw = strings.Replace(raw, "<edXML:DueDate>", `<edXML:SecurityLevel>2</edXML:SecurityLevel><Unprefixed a="1">t</Unprefixed><edXML:DueDate>`, 1)
	raw = strings.Replace(raw, "</edXML:OtherInfo>", `<edXML:Appendixes2><edXML:Appendix>x</edXML:Appendix></edXML:Appendixes2></edXML:OtherInfo>`, 1)
	m1 := readBytes(t, []byte(raw))
	want := map[string]string{
		"attr id":       "edXML/edXMLEnvelope/edXMLHeader/TraceHeaderList/Bussiness id=b1",
		"attr xlink":    "edXML/edXMLEnvelope/edXMLBody/edXMLManifest/Reference[0] xlink:href=cid:209",
		"in a leaf":     "edXML/edXMLEnvelope/edXMLHeader/MessageHeader/Subject <x:Note",
		"edXML element": "edXML/edXMLEnvelope/edXMLHeader/MessageHeader <edXML:SecurityLevel",
		"default ns":    "edXML/edXMLEnvelope/edXMLHeader/MessageHeader <Unprefixed a=\"1\" xmlns=\"" + Namespace,
		"nested":        "edXML/edXMLEnvelope/edXMLHeader/MessageHeader/OtherInfo <edXML:Appendixes2",
	}
	var have []string
	for _, x := range m1.Extras {
		if x.Attr != "" {
			have = append(have, x.Path+" "+x.Attr+"="+x.Value)
		} else {
			have = append(have, x.Path+" "+x.XML)
		}
	}
	for what, w := range want {
		found := false
		for _, h := range have {
			found = found || strings.HasPrefix(h, w)
		}
		if !found {
			t.Errorf("%s: no extra %q in\n%s", what, w, strings.Join(have, "\n"))
		}
	}
	if m1.Document.Subject != "V/v kết nối, liên thông phần mềm quản lý văn bản" {
		t.Errorf("subject %q", m1.Document.Subject)
	}
	out := writeBytes(t, m1, nil)
	for _, s := range []string{`xlink:href="cid:209"`, `mustUnderstand="1"`, `<x:b>đậm</x:b>`, `<edXML:SecurityLevel>2</edXML:SecurityLevel>`} {
		if !strings.Contains(string(out), s) {
			t.Errorf("written message lacks %s", s)
		}
	}
	m2 := readBytes(t, out)
	sameModel(t, "extras", m1, m2)
}

// TestWriteNewDocument builds a message from a Document and files (as
// export does) and reads it back: the model, the files and their
// hashes; the payload is a ZIP holding the file, as the SDK writes it.
func TestWriteNewDocument(t *testing.T) {
	dir := t.TempDir()
	pdf := filepath.Join(dir, "qd.pdf")
	content := bytes.Repeat([]byte("%PDF-1.7 nội dung "), 1000)
	if err := os.WriteFile(pdf, content, 0o600); err != nil {
		t.Fatal(err)
	}
	due := edoc.Date{Year: 2026, Month: 12, Day: 31}
	d := &edoc.Document{
		DocumentID: "000.00.00.H41,2026/12/04,05/QĐ-UBND",
		From:       edoc.Organ{OrganID: "000.00.00.H41", OrganName: "UBND tỉnh Nghệ An"},
		To:         []edoc.Organ{{OrganID: "000.00.01.H41", OrganName: "Sở Tài chính"}},
		Code:       edoc.Code{CodeNumber: "05", CodeNotation: "QĐ-UBND"}, Place: "Nghệ An",
		PromulgationDate: edoc.Date{Year: 2026, Month: 12, Day: 4},
		Type:             edoc.DocumentType{TypeName: "Quyết định"}, Subject: "Về việc <thử> & \"kiểm tra\"",
		Signer:   edoc.Signer{Competence: "TM. ỦY BAN NHÂN DÂN", Position: "Chủ tịch", FullName: "Nguyễn Văn An"},
		DueDate:  &due,
		Priority: edoc.PriorityFlash, Direction: true, ToPlaces: []string{"Như trên", "Lưu: VT."},
		Business: edoc.Business{DocType: edoc.BusinessNew},
		Attachments: []edoc.Attachment{{ContentID: "1", Role: edoc.RoleMain, Name: "qd.pdf", ContentType: "application/pdf"},
			{ContentID: "2", Role: edoc.RoleAttachment, Name: "phu-luc.pdf", ContentType: "application/pdf"}},
	}
	m := &Message{Kind: KindEdoc, Document: d, Files: []File{PathFile(pdf), PathFile(pdf)}}
	out := writeBytes(t, m, nil)
	r := readBytes(t, out)
	got := files(t, r)
	if len(got) != 2 || !bytes.Equal(got[0], content) {
		t.Fatal("files differ")
	}
	for i := range d.Attachments {
		d.Attachments[i].SHA256, d.Attachments[i].Size = r.Document.Attachments[i].SHA256, r.Document.Attachments[i].Size
	}
	if !reflect.DeepEqual(r.Document, d) {
		t.Fatalf("document differs:\n%+v\n%+v", r.Document, d)
	}
	// The payload is base64 of a ZIP with one entry.
	b64 := regexp.MustCompile(`<edXML:ContentTransferEncoded>([^<]*)<`).FindSubmatch(out)[1]
	zb, err := base64.StdEncoding.DecodeString(string(b64))
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(zb), int64(len(zb)))
	if err != nil || len(zr.File) != 1 {
		t.Fatalf("payload is not a one-file ZIP: %v", err)
	}
	// A recorded hash that the content does not match is refused.
	d.Attachments[1].SHA256 = strings.Repeat("0", 64)
	if err := Write(&bytes.Buffer{}, m, nil); err == nil {
		t.Fatal("a content not matching its SHA-256 was written")
	}
}

// TestStatusWrite writes a Status made by a caller (code 14 read as 15
// stays 15 on writing).
func TestStatusWrite(t *testing.T) {
	raw := strings.Replace(string(corpusBytes(t, "status_change-acceptance_15.edxml")), "<edXML:StatusCode>15<", "<edXML:StatusCode>14<", 1)
	m := readBytes(t, []byte(raw))
	if m.Status.Code != edoc.StatusChangeAccepted {
		t.Fatalf("14 read as %s", m.Status.Code)
	}
	out := writeBytes(t, m, nil)
	if !bytes.Contains(out, []byte("<edXML:StatusCode>15</edXML:StatusCode>")) {
		t.Fatalf("status written as:\n%s", out)
	}
}

// TestEmptyValues: elements present but empty (a TraceHeader without
// its Timestamp, a status without one, empty dates) read as "not given"
// and are written so that they read so again.
func TestEmptyValues(t *testing.T) {
	raw := string(corpusBytes(t, "edoc_new.edxml"))
	raw = strings.Replace(raw, "<edXML:Timestamp>2018/09/28 00:00:00</edXML:Timestamp>", "<edXML:Timestamp></edXML:Timestamp>", 1)
	raw = strings.Replace(raw, "<edXML:DueDate>2018/09/28</edXML:DueDate>", "<edXML:DueDate/>", 1)
	m1 := readBytes(t, []byte(raw))
	if !m1.Document.Trace[0].Timestamp.IsZero() || m1.Document.DueDate != nil {
		t.Fatalf("empty values read as %v, %v", m1.Document.Trace[0].Timestamp, m1.Document.DueDate)
	}
	sameModel(t, "empty values", m1, readBytes(t, writeBytes(t, m1, nil)))
	st := string(corpusBytes(t, "status_inbox_01.edxml"))
	st = strings.Replace(st, "<edXML:Timestamp>2015/09/20 11:08:36</edXML:Timestamp>", "", 1)
	s1 := readBytes(t, []byte(st))
	sameModel(t, "status without timestamp", s1, readBytes(t, writeBytes(t, s1, nil)))
}
