package main

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"mime"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/edoc/edxml"
)

// edxmlPhrases are the texts of `vanthuctl edxml`, added to the
// catalogue at start.
var edxmlPhrases = map[string]phrase{
	"usage.edxml": {
		vi: `Cách dùng:
  vanthuctl edxml inspect [--json] TỆP.edxml
  vanthuctl edxml normalize VÀO.edxml RA.edxml
  vanthuctl edxml export --meta THÔNG_TIN.json [--out RA.edxml] CHÍNH.pdf [KÈM_THEO…]
  vanthuctl edxml import --out-dir THƯ_MỤC TỆP.edxml
  vanthuctl edxml sign --token NHÃN [--module …] [--cert SHA256] [--pin-stdin] VÀO.edxml RA.edxml
  vanthuctl edxml verify [--trust TỆP|THƯ_MỤC]... [--json] TỆP.edxml

Thông điệp edXML (QCVN 102:2016) trao đổi văn bản và trạng thái giữa các cơ quan.
  inspect    xem thông tin của thông điệp (loại, số ký hiệu, nơi gửi, nơi nhận, tệp đính kèm)
  normalize  đọc mọi dạng thông điệp, ghi lại đúng dạng chuẩn (chữ ký cũ không được giữ)
  export     tạo thông điệp từ tệp văn bản và tệp thông tin (JSON như import ghi ra)
  import     tách thông điệp thành các tệp đính kèm và tệp metadata.json
  sign       ký thông điệp bằng thiết bị ký số của cơ quan (chữ ký XML)
  verify     kiểm tra chữ ký XML: 0 hợp lệ, 1 không hợp lệ, 4 chưa xác định được người ký
Mã PIN lấy từ biến môi trường VANTHU_PIN hoặc --pin-stdin.
`,
		en: `Usage:
  vanthuctl edxml inspect [--json] FILE.edxml
  vanthuctl edxml normalize IN.edxml OUT.edxml
  vanthuctl edxml export --meta METADATA.json [--out OUT.edxml] MAIN.pdf [ATTACHMENT…]
  vanthuctl edxml import --out-dir DIR FILE.edxml
  vanthuctl edxml sign --token LABEL [--module …] [--cert SHA256] [--pin-stdin] IN.edxml OUT.edxml
  vanthuctl edxml verify [--trust FILE|DIR]... [--json] FILE.edxml

edXML messages (QCVN 102:2016) carry documents and statuses between agencies.
  inspect    show what a message holds (kind, number, sender, recipients, attachments)
  normalize  read any form of message and write it in the standard form (an old signature is not kept)
  export     make a message from document files and a metadata file (the JSON import writes)
  import     split a message into its attachments and a metadata.json file
  sign       sign the message with the agency's token (XML signature)
  verify     check the XML signature: 0 valid, 1 invalid, 4 signer not established
The PIN comes from the VANTHU_PIN environment variable or --pin-stdin.
`,
	},
	"usage.edxml-sub":         {"Cần một lệnh con: inspect, normalize, export, import, sign hoặc verify.", "A subcommand is needed: inspect, normalize, export, import, sign or verify."},
	"usage.edxml-one":         {"Cần đúng một tệp edXML.", "Give exactly one edXML file."},
	"usage.edxml-two":         {"Cần đúng hai tệp: tệp vào và tệp ra.", "Give exactly two files: the input and the output."},
	"usage.edxml-meta":        {"Cần tệp thông tin văn bản: --meta THÔNG_TIN.json.", "The metadata file is needed: --meta METADATA.json."},
	"usage.edxml-files":       {"Cần ít nhất một tệp văn bản (tệp đầu tiên là văn bản chính).", "Give at least one document file (the first is the main document)."},
	"usage.edxml-out-dir":     {"Cần thư mục ghi ra: --out-dir THƯ_MỤC.", "The output directory is needed: --out-dir DIR."},
	"flag.edxml.meta":         {"tệp `JSON` thông tin văn bản (edoc.Document, như import ghi ra)", "the document's metadata (`JSON`, an edoc.Document as import writes it)"},
	"flag.edxml.out":          {"tệp edXML ghi ra (`TỆP`); mặc định tên tệp chính với đuôi .edxml", "the edXML file to write (`FILE`); default the main file's name with .edxml"},
	"flag.edxml.out-dir":      {"`THƯ_MỤC` ghi các tệp đính kèm và metadata.json", "`DIR` to write the attachments and metadata.json into"},
	"err.edxml":               {"%s", "%s"},
	"err.edxml-meta":          {"Tệp thông tin %s không đọc được: %s", "The metadata file %s cannot be read: %s"},
	"err.edxml-invalid":       {"Văn bản chưa đủ thông tin để gửi:%s", "The document is not complete enough to send:%s"},
	"err.edxml-dir-exists":    {"Thư mục %s đã có tệp %s; chọn thư mục khác hoặc thêm --force.", "Directory %s already holds %s; choose another or add --force."},
	"list.edxml-kind-edoc":    {"văn bản", "document"},
	"list.edxml-kind-status":  {"trạng thái", "status"},
	"list.edxml-kind":         {"Loại thông điệp: %s", "Message kind: %s"},
	"list.edxml-document-id":  {"Mã văn bản (DocumentId): %s", "Document id (DocumentId): %s"},
	"list.edxml-from":         {"Nơi gửi: %s", "From: %s"},
	"list.edxml-to":           {"Nơi nhận: %s", "To: %s"},
	"list.edxml-code":         {"Số, ký hiệu: %s", "Number and notation: %s"},
	"list.edxml-date":         {"Ngày ban hành: %s", "Date: %s"},
	"list.edxml-type":         {"Loại văn bản: %s", "Document type: %s"},
	"list.edxml-subject":      {"Trích yếu: %s", "Subject: %s"},
	"list.edxml-priority":     {"Độ khẩn: %s", "Priority: %s"},
	"list.edxml-business":     {"Nghiệp vụ: %s", "Business: %s"},
	"list.edxml-response-for": {"Trả lời văn bản: %s", "In response to: %s"},
	"list.edxml-status":       {"Trạng thái: %s %s", "Status: %s %s"},
	"list.edxml-description":  {"Mô tả: %s", "Description: %s"},
	"list.edxml-attachment":   {"Tệp đính kèm: %s (%s, %d byte, SHA-256 %s)", "Attachment: %s (%s, %d bytes, SHA-256 %s)"},
	"list.edxml-extras":       {"Phần tử, thuộc tính khác (được giữ khi ghi lại): %d", "Other elements and attributes (kept when written again): %d"},
	"list.edxml-signed":       {"Chữ ký XML: có (kiểm tra bằng vanthuctl edxml verify)", "XML signature: yes (check it with vanthuctl edxml verify)"},
	"list.edxml-unsigned":     {"Chữ ký XML: không có", "XML signature: none"},
	"result.edxml-normal":     {"Đã ghi thông điệp dạng chuẩn: %s", "Wrote the message in the standard form: %s"},
	"result.edxml-dropped":    {"Lưu ý: thông điệp gốc có chữ ký XML; bản chuẩn hóa không mang chữ ký đó (ký lại bằng vanthuctl edxml sign).", "Note: the original carries an XML signature; the normalized message does not (sign it again with vanthuctl edxml sign)."},
	"result.edxml-export":     {"Đã tạo thông điệp edXML: %s (%d tệp đính kèm)", "Made the edXML message: %s (%d attachments)"},
	"result.edxml-import":     {"Đã tách thông điệp vào %s: %s", "Split the message into %s: %s"},
	"result.edxml-signed":     {"Đã ký thông điệp: %s (người ký %s)", "Signed the message: %s (signer %s)"},
	"verify.edxml-valid":      {"Chữ ký XML hợp lệ. Người ký: %s; cấp bởi: %s; chứng thư tin cậy.", "The XML signature is valid. Signer: %s; issued by: %s; certificate trusted."},
	"verify.edxml-untrust":    {"Chữ ký XML đúng (thông điệp không bị sửa) nhưng chưa xác định được người ký: %s", "The XML signature is intact (the message is unchanged) but its signer is not established: %s"},
	"verify.edxml-invalid":    {"Chữ ký XML không hợp lệ: %s", "The XML signature is not valid: %s"},
	"verify.edxml-exit-inv":   {"Chữ ký XML không hợp lệ.", "The XML signature is not valid."},
	"verify.edxml-exit-ind":   {"Chưa xác định được người ký thông điệp.", "The message's signer could not be established."},
}

func init() {
	for k, v := range edxmlPhrases {
		catalogue[k] = v
	}
}

// cmdEdxml is `vanthuctl edxml inspect|normalize|export|import|sign|verify`.
func (c *cli) cmdEdxml(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(c.stderr, c.t("usage.edxml"))
		return c.usageErr("usage.edxml-sub")
	}
	switch sub, rest := args[0], args[1:]; sub {
	case "inspect":
		return c.edxmlInspect(rest)
	case "normalize":
		return c.edxmlNormalize(rest)
	case "export":
		return c.edxmlExport(rest)
	case "import":
		return c.edxmlImport(rest)
	case "sign":
		return c.edxmlSign(rest)
	case "verify":
		return c.edxmlVerify(rest)
	case "-h", "--help", "help":
		fmt.Fprint(c.stdout, c.t("usage.edxml"))
		return nil
	}
	fmt.Fprint(c.stderr, c.t("usage.edxml"))
	return c.usageErr("usage.edxml-sub")
}

// edxmlErr words an edxml error in the run's language, for the file.
func (c *cli) edxmlErr(err error, path string) error {
	var pe *os.PathError
	if errors.As(err, &pe) && !errors.Is(err, edxml.ErrMalformed) {
		return err
	}
	viMsg, enMsg := edxml.Explain(err)
	msg := viMsg
	if c.lang == en {
		msg = enMsg
	}
	return fileError(c.inputErr(err, "err.edxml", msg), path)
}

// oneMessage parses the flags and the one edXML file of a command and
// reads it; the caller closes the message.
func (c *cli) oneMessage(fs *flag.FlagSet, args []string) (*edxml.Message, string, error) {
	pos, err := c.parsePositional(fs, args)
	if err != nil {
		return nil, "", err
	}
	if len(pos) != 1 {
		return nil, "", c.usageErr("usage.edxml-one")
	}
	m, err := c.readEdxml(pos[0])
	return m, pos[0], err
}

func (c *cli) readEdxml(path string) (*edxml.Message, error) {
	m, err := edxml.ReadFile(path, nil)
	if err != nil {
		return nil, c.edxmlErr(err, path)
	}
	return m, nil
}

// edxmlSummary is the --json output of inspect.
type edxmlSummary struct {
	Kind             edxml.Kind        `json:"kind"`
	DocumentID       string            `json:"document_id"`
	From             string            `json:"from"`
	To               []string          `json:"to"`
	CodeNumber       string            `json:"code_number"`
	CodeNotation     string            `json:"code_notation"`
	Subject          string            `json:"subject"`
	PromulgationDate string            `json:"promulgation_date"`
	Priority         edoc.Priority     `json:"priority"`
	BusinessDocType  edoc.BusinessType `json:"business_doc_type"`
	StatusCode       edoc.Status       `json:"status_code"`
	Description      string            `json:"description,omitempty"`
	ResponseFor      []string          `json:"response_for"`
	Attachments      []edxmlAttachment `json:"attachments"`
	Signed           bool              `json:"signed"`
	Extras           int               `json:"extras"`
	Document         *edoc.Document    `json:"document,omitempty"`
	Status           *edxml.Status     `json:"status,omitempty"`
}

type edxmlAttachment struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
}

func summarize(m *edxml.Message) edxmlSummary {
	s := edxmlSummary{Kind: m.Kind, DocumentID: m.DocumentID(), To: []string{}, ResponseFor: []string{}, Attachments: []edxmlAttachment{}, Signed: m.Signed, Extras: len(m.Extras)}
	if d := m.Document; d != nil {
		s.From, s.CodeNumber, s.CodeNotation, s.Subject = d.From.OrganID, d.Code.CodeNumber, d.Code.CodeNotation, d.Subject
		s.PromulgationDate, s.Priority, s.BusinessDocType = d.PromulgationDate.String(), d.Priority, d.Business.DocType
		for _, t := range d.To {
			s.To = append(s.To, t.OrganID)
		}
		for _, r := range d.ResponseFor {
			s.ResponseFor = append(s.ResponseFor, r.DocumentID)
		}
		for _, a := range d.Attachments {
			s.Attachments = append(s.Attachments, edxmlAttachment{a.Name, a.ContentType, a.Size, a.SHA256})
		}
		s.Document = d
	}
	if st := m.Status; st != nil {
		s.From, s.StatusCode, s.Description = st.From.OrganID, st.Code, st.Description
		s.ResponseFor = append(s.ResponseFor, st.ResponseFor.DocumentID)
		s.PromulgationDate = st.ResponseFor.PromulgationDate.String()
		s.Status = st
	}
	return s
}

func (c *cli) edxmlInspect(args []string) error {
	fs := c.flagSet("edxml inspect", "usage.edxml")
	asJSON := fs.Bool("json", false, c.t("flag.json"))
	m, _, err := c.oneMessage(fs, args)
	if err != nil {
		return err
	}
	defer m.Close()
	s := summarize(m)
	if *asJSON {
		c.writeJSON(s)
		return nil
	}
	label := func(l edoc.Label) string {
		if c.lang == en {
			return l.EN
		}
		return l.VI
	}
	p := func(key string, args ...any) { fmt.Fprintln(c.stdout, c.t(key, args...)) }
	p("list.edxml-kind", c.t(map[edxml.Kind]string{edxml.KindEdoc: "list.edxml-kind-edoc", edxml.KindStatus: "list.edxml-kind-status"}[m.Kind]))
	p("list.edxml-document-id", s.DocumentID)
	if d := m.Document; d != nil {
		p("list.edxml-from", organText(d.From))
		for _, t := range d.To {
			p("list.edxml-to", organText(t))
		}
		p("list.edxml-code", d.Code.String())
		p("list.edxml-date", d.PromulgationDate.String())
		p("list.edxml-type", d.Type.TypeName)
		p("list.edxml-subject", d.Subject)
		p("list.edxml-priority", label(d.Priority.Label()))
		p("list.edxml-business", label(d.Business.DocType.Label()))
		for _, r := range d.ResponseFor {
			p("list.edxml-response-for", r.DocumentID)
		}
		for _, a := range d.Attachments {
			p("list.edxml-attachment", a.Name, a.ContentType, a.Size, a.SHA256)
		}
	}
	if st := m.Status; st != nil {
		p("list.edxml-from", organText(st.From))
		p("list.edxml-status", st.Code, label(st.Code.Label()))
		p("list.edxml-response-for", st.ResponseFor.DocumentID)
		if st.Description != "" {
			p("list.edxml-description", st.Description)
		}
	}
	if len(m.Extras) > 0 {
		p("list.edxml-extras", len(m.Extras))
	}
	if m.Signed {
		p("list.edxml-signed")
	} else {
		p("list.edxml-unsigned")
	}
	return nil
}

func organText(o edoc.Organ) string {
	if o.OrganName == "" {
		return o.OrganID
	}
	return o.OrganID + " " + o.OrganName
}

// inOut parses IN OUT, checks that OUT may be written and reads IN;
// the caller closes the message.
func (c *cli) inOut(fs *flag.FlagSet, args []string) (*edxml.Message, string, error) {
	force := fs.Bool("force", false, c.t("flag.force"))
	pos, err := c.parsePositional(fs, args)
	if err != nil {
		return nil, "", err
	}
	if len(pos) != 2 {
		return nil, "", c.usageErr("usage.edxml-two")
	}
	if samePath(pos[0], pos[1]) {
		return nil, "", c.usageErr("usage.out-is-in", pos[1])
	}
	if err := c.checkOutput(pos[0], pos[1], *force); err != nil {
		return nil, "", err
	}
	m, err := c.readEdxml(pos[0])
	return m, pos[1], err
}

func (c *cli) edxmlNormalize(args []string) error {
	fs := c.flagSet("edxml normalize", "usage.edxml")
	m, out, err := c.inOut(fs, args)
	if err != nil {
		return err
	}
	defer m.Close()
	if err := edxml.WriteFile(out, m, nil); err != nil {
		return c.edxmlErr(err, out)
	}
	fmt.Fprintln(c.stdout, c.t("result.edxml-normal", out))
	if m.Signed {
		fmt.Fprintln(c.stdout, c.t("result.edxml-dropped"))
	}
	return nil
}

// edxmlExport makes a message from files and a metadata file: the
// attachments are the files (the first the main document), named,
// typed and hashed from them; the document must pass Validate.
func (c *cli) edxmlExport(args []string) error {
	fs := c.flagSet("edxml export", "usage.edxml")
	meta := fs.String("meta", "", c.t("flag.edxml.meta"))
	out := fs.String("out", "", c.t("flag.edxml.out"))
	force := fs.Bool("force", false, c.t("flag.force"))
	pos, err := c.parsePositional(fs, args)
	if err != nil {
		return err
	}
	if *meta == "" {
		return c.usageErr("usage.edxml-meta")
	}
	if len(pos) == 0 {
		return c.usageErr("usage.edxml-files")
	}
	if *out == "" {
		*out = strings.TrimSuffix(pos[0], filepath.Ext(pos[0])) + ".edxml"
	}
	if err := c.checkOutput(pos[0], *out, *force); err != nil {
		return err
	}
	raw, err := os.ReadFile(*meta)
	if err != nil {
		return err
	}
	var d edoc.Document
	var extras []edxml.Extra
	if mm, ok := decodeMetadata(raw); ok {
		d, extras = *mm.Document, mm.Extras
	} else if err := json.Unmarshal(raw, &d); err != nil {
		return c.inputErr(err, "err.edxml-meta", *meta, err.Error())
	}
	d.Attachments = nil
	var files []edxml.File
	for i, p := range pos {
		a, err := describeFile(p, i)
		if err != nil {
			return err
		}
		d.Attachments = append(d.Attachments, a)
		files = append(files, edxml.PathFile(p))
	}
	if d.DocumentID == "" {
		d.DocumentID = edoc.DocumentIDFor(d.From.OrganID, d.PromulgationDate, d.Code)
	}
	if err := d.Validate(); err != nil {
		var ve *edoc.ValidationError
		if errors.As(err, &ve) {
			var b strings.Builder
			for _, p := range ve.Problems {
				if c.lang == en {
					b.WriteString("\n  - " + p.Field + ": " + p.EN)
				} else {
					b.WriteString("\n  - " + p.VI)
				}
			}
			return c.inputErr(err, "err.edxml-invalid", b.String())
		}
		return err
	}
	m := &edxml.Message{Kind: edxml.KindEdoc, Document: &d, Files: files, Extras: extras}
	if err := edxml.WriteFile(*out, m, nil); err != nil {
		return c.edxmlErr(err, *out)
	}
	fmt.Fprintln(c.stdout, c.t("result.edxml-export", *out, len(files)))
	return nil
}

// describeFile is the attachment entry of a file: its name, type by
// extension, SHA-256 and size; the first file is the main document.
func describeFile(path string, i int) (edoc.Attachment, error) {
	f, err := os.Open(path)
	if err != nil {
		return edoc.Attachment{}, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return edoc.Attachment{}, err
	}
	role := edoc.RoleAttachment
	if i == 0 {
		role = edoc.RoleMain
	}
	ct := mime.TypeByExtension(strings.ToLower(filepath.Ext(path)))
	if ct == "" {
		ct = "application/octet-stream"
	}
	if j := strings.IndexByte(ct, ';'); j > 0 {
		ct = ct[:j]
	}
	return edoc.Attachment{ContentID: strconv.Itoa(i + 1), Role: role, Name: filepath.Base(path), ContentType: ct,
		SHA256: hex.EncodeToString(h.Sum(nil)), Size: n}, nil
}

// edxmlMetadata is the metadata.json import writes and export reads.
type edxmlMetadata struct {
	Kind     edxml.Kind     `json:"kind"`
	Document *edoc.Document `json:"document,omitempty"`
	Status   *edxml.Status  `json:"status,omitempty"`
	Extras   []edxml.Extra  `json:"extras,omitempty"`
	Files    []string       `json:"files,omitempty"` // the attachments' files, in order
	Signed   bool           `json:"signed"`
}

// decodeMetadata reads an import's metadata.json (a document inside,
// with the elements the reader kept); ok is false for anything else (a
// bare Document).
func decodeMetadata(raw []byte) (edxmlMetadata, bool) {
	var mm edxmlMetadata
	if err := json.Unmarshal(raw, &mm); err != nil || mm.Document == nil || mm.Kind == "" {
		return edxmlMetadata{}, false
	}
	return mm, true
}

func (c *cli) edxmlImport(args []string) error {
	fs := c.flagSet("edxml import", "usage.edxml")
	dir := fs.String("out-dir", "", c.t("flag.edxml.out-dir"))
	force := fs.Bool("force", false, c.t("flag.force"))
	pos, err := c.parsePositional(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return c.usageErr("usage.edxml-one")
	}
	if *dir == "" {
		return c.usageErr("usage.edxml-out-dir")
	}
	m, err := c.readEdxml(pos[0])
	if err != nil {
		return err
	}
	defer m.Close()
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		return err
	}
	mm := edxmlMetadata{Kind: m.Kind, Document: m.Document, Status: m.Status, Extras: m.Extras, Signed: m.Signed}
	var names []string
	if m.Document != nil {
		used := map[string]bool{"metadata.json": true}
		for i, a := range m.Document.Attachments {
			name := importName(a.Name, i, used)
			if err := c.writeNew(filepath.Join(*dir, name), *dir, *force, m.Files[i]); err != nil {
				return err
			}
			mm.Files = append(mm.Files, name)
		}
		names = mm.Files
	}
	b, err := json.MarshalIndent(mm, "", "  ")
	if err != nil {
		return err
	}
	if err := c.writeNew(filepath.Join(*dir, "metadata.json"), *dir, *force, bytesFile(append(b, '\n'))); err != nil {
		return err
	}
	fmt.Fprintln(c.stdout, c.t("result.edxml-import", *dir, strings.Join(append(names, "metadata.json"), ", ")))
	return nil
}

// importName is a safe, unique file name for attachment i: its own if
// edoc.SafeFileName accepts it, else "tep-N" with its extension.
func importName(name string, i int, used map[string]bool) string {
	n := filepath.Base(strings.ReplaceAll(name, `\`, "/"))
	if edoc.SafeFileName(n) != nil {
		ext := filepath.Ext(n)
		if edoc.SafeFileName("x"+ext) != nil {
			ext = ""
		}
		n = fmt.Sprintf("tep-%d%s", i+1, ext)
	}
	for k := 2; used[strings.ToLower(n)]; k++ {
		ext := filepath.Ext(n)
		n = fmt.Sprintf("%s-%d%s", strings.TrimSuffix(n, ext), k, ext)
	}
	used[strings.ToLower(n)] = true
	return n
}

type bytesFile []byte

func (b bytesFile) Open() (io.ReadCloser, error) {
	return io.NopCloser(strings.NewReader(string(b))), nil
}

// writeNew writes f's content to path through a temporary file renamed
// into place; an existing file is kept unless force.
func (c *cli) writeNew(path, dir string, force bool, f edxml.File) (err error) {
	if _, err := os.Stat(path); err == nil && !force {
		return c.inputErr(nil, "err.edxml-dir-exists", dir, filepath.Base(path))
	}
	tmp, err := os.CreateTemp(dir, ".import-*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	if _, err = io.Copy(tmp, rc); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func (c *cli) edxmlSign(args []string) error {
	var tf tokenFlags
	fs := c.flagSet("edxml sign", "usage.edxml")
	fs.StringVar(&tf.module, "module", "", c.t("flag.module"))
	fs.StringVar(&tf.label, "token", "", c.t("flag.token"))
	fs.StringVar(&tf.cert, "cert", "", c.t("flag.cert"))
	fs.BoolVar(&tf.pinStdin, "pin-stdin", false, c.t("flag.pin-stdin"))
	m, out, err := c.inOut(fs, args)
	if err != nil {
		return err
	}
	defer m.Close()
	pin, err := c.readPIN(tf.pinStdin)
	if err != nil {
		return err
	}
	key, err := c.openSigningKey(tf, pin)
	if err != nil {
		return err
	}
	defer key.Close()
	o := &edxml.WriteOptions{Signer: key.signer, Certificate: key.cred.Certificate, Chain: embeddedChain(key.chain)}
	if err := edxml.WriteFile(out, m, o); err != nil {
		if isTokenProblem(err) {
			return err
		}
		return c.edxmlErr(err, out)
	}
	fmt.Fprintln(c.stdout, c.t("result.edxml-signed", out, key.cred.Certificate.Subject.CommonName))
	return nil
}

// embeddedChain is the chain without its self-signed root, which the
// verifier must already trust.
func embeddedChain(chain []*x509.Certificate) []*x509.Certificate {
	var out []*x509.Certificate
	for _, c := range chain {
		if string(c.RawIssuer) != string(c.RawSubject) {
			out = append(out, c)
		}
	}
	return out
}

// edxmlVerifyJSON is the --json output of verify.
type edxmlVerifyJSON struct {
	File    string `json:"file"`
	Verdict string `json:"verdict"` // valid, invalid, indeterminate
	Signer  string `json:"signer,omitempty"`
	Issuer  string `json:"issuer,omitempty"`
	Reason  string `json:"reason,omitempty"`
}

// edxmlVerify checks the XML signature (integrity) and then the signer's
// certificate against the workstation's trust list and --trust: valid
// when both hold, invalid when the signature does not, indeterminate
// when only the certificate is not established.
func (c *cli) edxmlVerify(args []string) error {
	fs := c.flagSet("edxml verify", "usage.edxml")
	var trust trustFlag
	fs.Var(&trust, "trust", c.t("flag.trust"))
	asJSON := fs.Bool("json", false, c.t("flag.json"))
	m, path, err := c.oneMessage(fs, args)
	if err != nil {
		return err
	}
	defer m.Close()
	res := edxmlVerifyJSON{File: path}
	cert, verr := m.Verify()
	switch {
	case verr != nil:
		viMsg, enMsg := edxml.Explain(verr)
		res.Verdict, res.Reason = "invalid", viMsg
		if c.lang == en {
			res.Reason = enMsg
		}
	default:
		res.Signer, res.Issuer = cert.Subject.String(), cert.Issuer.String()
		anchors, inter, _, err := c.verifyTrust(trust)
		if err != nil {
			return err
		}
		roots, pool := x509.NewCertPool(), x509.NewCertPool()
		for _, a := range anchors {
			roots.AddCert(a)
		}
		for _, i := range append(inter, m.SignatureCertificates()...) {
			pool.AddCert(i)
		}
		_, cerr := cert.Verify(x509.VerifyOptions{Roots: roots, Intermediates: pool, CurrentTime: c.now(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
		if cerr != nil {
			res.Verdict, res.Reason = "indeterminate", cerr.Error()
		} else {
			res.Verdict = "valid"
		}
	}
	if *asJSON {
		c.writeJSON(res)
	} else {
		switch res.Verdict {
		case "valid":
			fmt.Fprintln(c.stdout, c.t("verify.edxml-valid", cert.Subject.CommonName, cert.Issuer.CommonName))
		case "indeterminate":
			fmt.Fprintln(c.stdout, c.t("verify.edxml-untrust", res.Reason))
		default:
			fmt.Fprintln(c.stdout, c.t("verify.edxml-invalid", res.Reason))
		}
	}
	switch res.Verdict {
	case "valid":
		return nil
	case "indeterminate":
		return &exitError{code: exitIndeterminate, msg: c.t("verify.edxml-exit-ind")}
	}
	return &exitError{code: exitFailed, msg: c.t("verify.edxml-exit-inv"), err: verr}
}
