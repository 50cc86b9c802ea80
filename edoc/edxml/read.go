package edxml

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/beevik/etree"

	"github.com/vanthuso/vanthu/edoc"
)

// Read reads one edXML message from r, leniently: the edXML elements
// with or without a prefix (any prefix, or the default namespace), in
// any order; ContentId with or without "cid:"; bytes before the XML
// declaration skipped; attachments zipped (the SDK's form) or plain;
// elements and attributes it does not know kept in Extras. Attachments
// are streamed to temporary files under opt.TempDir: memory stays
// bounded by opt.MaxHeader whatever their size. The caller closes the
// message.
//
// Errors are *Error (ErrMalformed, ErrTruncated, ErrDTD, ErrTooLarge,
// ErrAttachment, ErrField), or the reader's own.
func Read(r io.Reader, opt *Options) (*Message, error) {
	o := opt.withDefaults()
	dir, err := tempDir(o)
	if err != nil {
		return nil, err
	}
	m, err := read(r, o, dir)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return m, nil
}

// ReadFile reads the message in the file at path (Read).
func ReadFile(path string, opt *Options) (*Message, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Read(f, opt)
}

func read(r io.Reader, o Options, dir string) (*Message, error) {
	s, err := scanMessage(r, o, dir)
	if err != nil {
		return nil, err
	}
	doc, err := parseSkeleton(s.skel, o)
	if err != nil {
		return nil, err
	}
	m := &Message{skeleton: s.skel, spools: s.spools, dir: dir, nonce: s.nonce}
	rd := &reader{m: m, nonce: s.nonce, used: make([]bool, len(s.spools))}
	rd.message(doc.Root())
	if rd.err != nil {
		return nil, rd.err
	}
	for i, u := range rd.used {
		if !u {
			return nil, newError(ErrMalformed, "ContentTransferEncoded", fmt.Sprintf("phần tử ContentTransferEncoded thứ %d nằm ngoài Attachment", i+1),
				fmt.Sprintf("ContentTransferEncoded number %d is outside an Attachment", i+1), nil)
		}
	}
	for _, x := range m.Extras {
		if strings.Contains(x.XML, placeholderPrefix+s.nonce) {
			return nil, newError(ErrMalformed, x.Path, "phần tử ContentTransferEncoded ở vị trí không hợp lệ", "ContentTransferEncoded in an invalid place", nil)
		}
	}
	if m.Kind == KindEdoc {
		if err := rd.payloads(o); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func parseSkeleton(skel []byte, o Options) (*etree.Document, error) {
	doc := etree.NewDocument()
	doc.ReadSettings.MaxDepth = o.MaxDepth + 1
	if err := doc.ReadFromBytes(skel); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(err.Error(), "unexpected EOF") {
			return nil, truncated("")
		}
		return nil, newError(ErrMalformed, "", "thông điệp không phải XML hợp lệ", "the message is not well-formed XML", err)
	}
	root := doc.Root()
	if root == nil {
		return nil, truncated("")
	}
	if root.Tag != "edXML" {
		return nil, newError(ErrMalformed, root.Tag, "phần tử gốc không phải edXML", "the root element is not edXML", nil)
	}
	return doc, nil
}

// reader maps the skeleton's tree onto a Message. The first problem is
// kept in err; later calls do nothing harmful.
type reader struct {
	m     *Message
	nonce string
	used  []bool
	err   error
	// attachment texts found under AttachmentEncoded, by index
	atts []attachmentInfo
}

type attachmentInfo struct {
	id, name, desc, ctype string
	spool                 int
}

func (rd *reader) fail(err error) {
	if rd.err == nil {
		rd.err = err
	}
}

// group is the children of one known element, by local name; what is
// not taken by the end goes to Extras.
type group struct {
	rd    *reader
	path  string
	by    map[string][]*etree.Element
	order []*etree.Element
	taken map[*etree.Element]bool
}

// open groups the children of el (at path); attrs are the attributes
// it knows, other attributes (not namespace declarations) go to Extras.
func (rd *reader) open(el *etree.Element, path string, attrs ...string) *group {
	g := &group{rd: rd, path: path, by: map[string][]*etree.Element{}, taken: map[*etree.Element]bool{}}
	if el == nil {
		return g
	}
	for _, a := range el.Attr {
		if !validName(a.Space, a.Key) {
			rd.fail(newError(ErrMalformed, path, "thuộc tính có tên không hợp lệ", "an attribute has an invalid name", nil))
			continue
		}
		if a.Space == "xmlns" || (a.Space == "" && a.Key == "xmlns") || contains(attrs, a.Key) {
			continue
		}
		x := Extra{Path: path, Attr: a.FullKey(), Value: a.Value}
		if a.Space != "" {
			x.NS = lookupNS(el, a.Space)
		}
		rd.m.Extras = append(rd.m.Extras, x)
	}
	for _, c := range el.ChildElements() {
		if !validName(c.Space, c.Tag) {
			rd.fail(newError(ErrMalformed, path, "phần tử có tên không hợp lệ", "an element has an invalid name", nil))
			continue
		}
		g.by[c.Tag] = append(g.by[c.Tag], c)
		g.order = append(g.order, c)
	}
	return g
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// close puts the children nobody took into Extras.
func (g *group) close() {
	for _, c := range g.order {
		if g.taken[c] {
			continue
		}
		if !validTree(c) {
			g.rd.fail(newError(ErrMalformed, g.path, "phần tử hoặc thuộc tính có tên không hợp lệ", "an element or attribute has an invalid name", nil))
			continue
		}
		g.rd.m.Extras = append(g.rd.m.Extras, Extra{Path: g.path, XML: standalone(c)})
	}
}

// one is the first child named name (nil if none); more of them stay
// for Extras.
func (g *group) one(name string) *etree.Element {
	l := g.by[name]
	if len(l) == 0 {
		return nil
	}
	g.taken[l[0]] = true
	return l[0]
}

// all is every child named name.
func (g *group) all(name string) []*etree.Element {
	for _, c := range g.by[name] {
		g.taken[c] = true
	}
	return g.by[name]
}

// sub opens the child named name as a group of its own.
func (g *group) sub(name string, attrs ...string) *group {
	return g.rd.open(g.one(name), g.path+"/"+name, attrs...)
}

// text is the trimmed text of the child named name. What the element
// holds besides its text (attributes, elements) goes to Extras.
func (g *group) text(name string) string {
	el := g.one(name)
	if el == nil {
		return ""
	}
	return g.rd.leaf(el, g.path+"/"+name)
}

func (rd *reader) leaf(el *etree.Element, path string) string {
	rd.open(el, path).close()
	var b strings.Builder
	for _, t := range el.Child {
		if cd, ok := t.(*etree.CharData); ok {
			b.WriteString(cd.Data)
		}
	}
	return strings.TrimSpace(b.String())
}

func (g *group) texts(name string) []string {
	var out []string
	for i, el := range g.all(name) {
		out = append(out, g.rd.leaf(el, fmt.Sprintf("%s/%s[%d]", g.path, name, i)))
	}
	return out
}

func (g *group) int(name string) int {
	s := g.text(name)
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < -1<<31 || n > 1<<31-1 {
		g.rd.fail(fieldError(g.path+"/"+name, s, "không phải số nguyên", "not an integer"))
	}
	return n
}

func (g *group) date(name string) edoc.Date {
	s := g.text(name)
	d, ok := parseDate(s)
	if !ok {
		g.rd.fail(fieldError(g.path+"/"+name, s, "ngày không hợp lệ (cần yyyy/MM/dd)", "not a valid date (want yyyy/MM/dd)"))
	}
	return d
}

func (g *group) timestamp(name string) time.Time {
	s := g.text(name)
	t, ok := parseTimestamp(s)
	if !ok {
		g.rd.fail(fieldError(g.path+"/"+name, s, "thời điểm không hợp lệ (cần yyyy/MM/dd HH:mm:ss)", "not a valid timestamp (want yyyy/MM/dd HH:mm:ss)"))
	}
	return t
}

// parseDate reads yyyy/MM/dd (also yyyy-MM-dd, one-digit month or day);
// "" is the zero Date.
func parseDate(s string) (edoc.Date, bool) {
	if s == "" {
		return edoc.Date{}, true
	}
	for _, layout := range []string{"2006/1/2", "2006-1-2"} {
		if t, err := time.Parse(layout, s); err == nil {
			return edoc.Date{Year: t.Year(), Month: t.Month(), Day: t.Day()}, true
		}
	}
	return edoc.Date{}, false
}

// parseTimestamp reads yyyy/MM/dd HH:mm:ss in Vietnam time (also with
// a T, or a date alone, or RFC 3339 with its own offset); "" is zero.
func parseTimestamp(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, true
	}
	for _, layout := range []string{"2006/1/2 15:04:05", "2006-1-2 15:04:05", "2006/1/2T15:04:05", "2006-01-02T15:04:05", "2006/1/2"} {
		if t, err := time.ParseInLocation(layout, s, edoc.Vietnam); err == nil {
			return t, true
		}
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.In(edoc.Vietnam), true
	}
	return time.Time{}, false
}

const (
	pathEnvelope = "edXML/edXMLEnvelope"
	pathHeader   = pathEnvelope + "/edXMLHeader"
	pathMessage  = pathHeader + "/MessageHeader"
	pathTrace    = pathHeader + "/TraceHeaderList"
	pathBody     = pathEnvelope + "/edXMLBody"
	pathManifest = pathBody + "/edXMLManifest"
	pathEncoded  = "edXML/AttachmentEncoded"
)

func (rd *reader) message(root *etree.Element) {
	top := rd.open(root, "edXML")
	env := top.sub("edXMLEnvelope")
	hdr := env.sub("edXMLHeader")
	mh := hdr.sub("MessageHeader")
	if sig := hdr.one("Signature"); sig != nil {
		rd.m.Signed = true
	}
	if len(mh.by["StatusCode"]) > 0 {
		rd.m.Kind = KindStatus
		rd.m.Status = rd.status(mh)
	} else {
		rd.m.Kind = KindEdoc
		d := rd.document(mh)
		rd.trace(hdr.sub("TraceHeaderList"), d)
		rd.m.Document = d
		body := env.sub("edXMLBody")
		man := body.sub("edXMLManifest", "version")
		refs := rd.manifest(man)
		rd.attachments(top.sub("AttachmentEncoded"))
		rd.join(refs)
		man.close()
		body.close()
	}
	mh.close()
	hdr.close()
	env.close()
	top.close()
}

func (rd *reader) organ(g *group) edoc.Organ {
	o := edoc.Organ{
		OrganID:              g.text("OrganId"),
		OrganizationInCharge: g.text("OrganizationInCharge"),
		OrganName:            g.text("OrganName"),
		OrganAdd:             g.text("OrganAdd"),
		Email:                g.text("Email"),
		Telephone:            g.text("Telephone"),
		Fax:                  g.text("Fax"),
		Website:              g.text("Website"),
	}
	g.close()
	return o
}

func (rd *reader) staff(g *group) *edoc.StaffInfo {
	if len(g.order) == 0 {
		g.close()
		return nil
	}
	s := &edoc.StaffInfo{Department: g.text("Department"), Staff: g.text("Staff"), Email: g.text("Email"), Mobile: g.text("Mobile")}
	g.close()
	return s
}

func (rd *reader) responseFor(g *group) edoc.ResponseFor {
	r := edoc.ResponseFor{OrganID: g.text("OrganId"), Code: g.text("Code"), PromulgationDate: g.date("PromulgationDate"), DocumentID: g.text("DocumentId")}
	g.close()
	return r
}

func (rd *reader) status(mh *group) *Status {
	s := &Status{From: rd.organ(mh.sub("From"))}
	s.ResponseFor = rd.responseFor(mh.sub("ResponseFor"))
	s.Staff = rd.staff(mh.sub("StaffInfo"))
	code := mh.text("StatusCode")
	st, err := edoc.ParseStatus(code)
	if err != nil {
		rd.fail(fieldError(mh.path+"/StatusCode", code, "mã trạng thái không hợp lệ (01–06, 13, 15, 16)", "not a status code (01–06, 13, 15, 16)"))
	}
	s.Code = st
	s.Description = mh.text("Description")
	s.Timestamp = mh.timestamp("Timestamp")
	return s
}

func (rd *reader) document(mh *group) *edoc.Document {
	d := &edoc.Document{}
	d.From = rd.organ(mh.sub("From"))
	for i, el := range mh.all("To") {
		d.To = append(d.To, rd.organ(rd.open(el, fmt.Sprintf("%s/To[%d]", mh.path, i))))
	}
	d.DocumentID = mh.text("DocumentId")
	code := mh.sub("Code")
	d.Code = edoc.Code{CodeNumber: code.text("CodeNumber"), CodeNotation: code.text("CodeNotation")}
	code.close()
	pi := mh.sub("PromulgationInfo")
	d.Place, d.PromulgationDate = pi.text("Place"), pi.date("PromulgationDate")
	pi.close()
	dt := mh.sub("DocumentType")
	d.Type = edoc.DocumentType{Type: dt.int("Type"), TypeDetail: dt.int("TypeDetail"), TypeName: dt.text("TypeName")}
	dt.close()
	d.Subject = mh.text("Subject")
	d.Content = mh.text("Content")
	si := mh.sub("SignerInfo")
	d.Signer = edoc.Signer{Competence: si.text("Competence"), Position: si.text("Position"), FullName: si.text("FullName")}
	si.close()
	if due := mh.date("DueDate"); !due.IsZero() {
		d.DueDate = &due
	}
	tp := mh.sub("ToPlaces")
	d.ToPlaces = tp.texts("Place")
	tp.close()
	oi := mh.sub("OtherInfo")
	if p := oi.text("Priority"); p != "" {
		pr, err := edoc.ParsePriority(p)
		if err != nil {
			rd.fail(fieldError(oi.path+"/Priority", p, "độ khẩn không hợp lệ (0–4)", "not a priority (0–4)"))
		}
		d.Priority = pr
	}
	d.SphereOfPromulgation = oi.text("SphereOfPromulgation")
	d.TyperNotation = oi.text("TyperNotation")
	d.PromulgationAmount = oi.int("PromulgationAmount")
	d.PageAmount = oi.int("PageAmount")
	switch dir := oi.text("Direction"); strings.ToLower(dir) {
	case "", "false", "0":
	case "true", "1":
		d.Direction = true
	default:
		rd.fail(fieldError(oi.path+"/Direction", dir, "cần true hoặc false", "want true or false"))
	}
	ap := oi.sub("Appendixes")
	d.Appendixes = ap.texts("Appendix")
	ap.close()
	oi.close()
	for i, el := range mh.all("ResponseFor") {
		d.ResponseFor = append(d.ResponseFor, rd.responseFor(rd.open(el, fmt.Sprintf("%s/ResponseFor[%d]", mh.path, i))))
	}
	d.SteeringType = mh.int("SteeringType")
	return d
}

func (rd *reader) trace(tl *group, d *edoc.Document) {
	for i, el := range tl.all("TraceHeader") {
		g := rd.open(el, fmt.Sprintf("%s/TraceHeader[%d]", tl.path, i))
		d.Trace = append(d.Trace, edoc.TraceHeader{OrganID: g.text("OrganId"), Timestamp: g.timestamp("Timestamp")})
		g.close()
	}
	b := tl.sub("Bussiness")
	d.Business = edoc.Business{
		DocumentID: b.text("DocumentId"),
		DocType:    edoc.BusinessType(b.int("BussinessDocType")),
		DocReason:  b.text("BussinessDocReason"),
		Paper:      b.int("Paper"),
		Staff:      rd.staff(b.sub("StaffInfo")),
	}
	bi := b.sub("BussinessDocumentInfo")
	d.Business.DocumentInfo = bi.text("DocumentInfo")
	d.Business.DocumentReceiver = bi.text("DocumentReceiver")
	rl := bi.sub("ReceiverList")
	for i, el := range rl.all("Receiver") {
		g := rd.open(el, fmt.Sprintf("%s/Receiver[%d]", rl.path, i))
		d.Business.Receivers = append(d.Business.Receivers, edoc.Receiver{OrganID: g.text("OrganId"), ReceiverType: g.int("ReceiverType")})
		g.close()
	}
	rl.close()
	bi.close()
	ril := b.sub("ReplacementInfoList")
	for i, el := range ril.all("ReplacementInfo") {
		g := rd.open(el, fmt.Sprintf("%s/ReplacementInfo[%d]", ril.path, i))
		r := edoc.Replacement{DocumentID: g.text("DocumentId")}
		ol := g.sub("OrganIdList")
		r.OrganIDs = ol.texts("OrganId")
		ol.close()
		g.close()
		d.Business.Replacements = append(d.Business.Replacements, r)
	}
	ril.close()
	b.close()
	tl.close()
}

// contentID is a ContentId without "cid:" and angle brackets.
func contentID(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 4 && strings.EqualFold(s[:4], "cid:") {
		s = s[4:]
	}
	return strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(s, "<"), ">"))
}

func (rd *reader) manifest(man *group) []attachmentInfo {
	var refs []attachmentInfo
	for i, el := range man.all("Reference") {
		g := rd.open(el, fmt.Sprintf("%s/Reference[%d]", man.path, i))
		refs = append(refs, attachmentInfo{id: contentID(g.text("ContentId")), ctype: g.text("ContentType"), desc: g.text("Description"), name: g.text("AttachmentName")})
		g.close()
	}
	return refs
}

func (rd *reader) attachments(ae *group) {
	for i, el := range ae.all("Attachment") {
		g := rd.open(el, fmt.Sprintf("%s/Attachment[%d]", ae.path, i))
		a := attachmentInfo{id: contentID(g.text("ContentId")), name: g.text("AttachmentName"), desc: g.text("Description"), ctype: g.text("ContentType"), spool: -1}
		if cte := g.one("ContentTransferEncoded"); cte != nil {
			t := strings.TrimSpace(cte.Text())
			rd.open(cte, g.path+"/ContentTransferEncoded").close()
			if n, ok := rd.spoolIndex(t); ok {
				a.spool = n
			} else if t != "" {
				rd.fail(newError(ErrAttachment, g.path, "dữ liệu tệp đính kèm không đọc được", "the attachment's data cannot be read", nil))
			}
		}
		if a.spool < 0 {
			rd.fail(newError(ErrAttachment, g.path, "tệp đính kèm không có dữ liệu (ContentTransferEncoded)", "the attachment has no data (ContentTransferEncoded)", nil))
		}
		g.close()
		rd.atts = append(rd.atts, a)
	}
	ae.close()
}

func (rd *reader) spoolIndex(t string) (int, bool) {
	p := placeholderPrefix + rd.nonce + "N"
	if !strings.HasPrefix(t, p) || !strings.HasSuffix(t, "Z") {
		return 0, false
	}
	n, err := strconv.Atoi(t[len(p) : len(t)-1])
	if err != nil || n < 0 || n >= len(rd.used) || rd.used[n] {
		return 0, false
	}
	rd.used[n] = true
	return n, true
}

// join matches the manifest with the payloads: every payload is an
// attachment (the manifest fills in what the Attachment element lacks),
// and every manifest entry needs its payload.
func (rd *reader) join(refs []attachmentInfo) {
	if rd.err != nil {
		return
	}
	byID := map[string]int{}
	for i, a := range rd.atts {
		if a.id != "" {
			if _, dup := byID[a.id]; dup {
				rd.fail(newError(ErrAttachment, "cid:"+a.id, "hai tệp đính kèm cùng ContentId", "two attachments have the same ContentId", nil))
				return
			}
			byID[a.id] = i
		}
	}
	for _, ref := range refs {
		if ref.id == "" {
			continue // nothing to match it with
		}
		i, ok := byID[ref.id]
		if !ok {
			rd.fail(newError(ErrAttachment, "cid:"+ref.id, "danh mục (edXMLManifest) nêu một tệp đính kèm không có trong thông điệp", "the manifest names an attachment the message does not hold", nil))
			return
		}
		a := &rd.atts[i]
		a.name = firstNonEmpty(a.name, ref.name)
		a.desc = firstNonEmpty(a.desc, ref.desc)
		a.ctype = firstNonEmpty(a.ctype, ref.ctype)
	}
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// payloads decodes every attachment and fills Document.Attachments and
// Files.
func (rd *reader) payloads(o Options) error {
	d := rd.m.Document
	for i, a := range rd.atts {
		p, err := decodeSpool(rd.m.spools[a.spool], o.MaxFile)
		if err != nil {
			var e *Error
			if errors.As(err, &e) && e.Where == "" {
				e.Where = "cid:" + a.id
			}
			return err
		}
		role := edoc.RoleAttachment
		if i == 0 {
			role = edoc.RoleMain
		}
		d.Attachments = append(d.Attachments, edoc.Attachment{
			ContentID: a.id, Role: role, Name: a.name, Description: a.desc,
			ContentType: fileContentType(a.ctype, a.name, p.zipped),
			SHA256:      p.sha256, Size: p.size,
		})
		rd.m.Files = append(rd.m.Files, p)
	}
	return nil
}

// fileContentType is the type of the file itself: the one given, unless
// it names the ZIP the file travelled in; then the type its name's
// extension says.
func fileContentType(given, name string, zipped bool) string {
	g := strings.ToLower(strings.TrimSpace(given))
	if zipped && (g == "application/zip" || g == "application/x-zip-compressed") && !strings.EqualFold(filepath.Ext(name), ".zip") {
		g = ""
	}
	if g != "" {
		return given
	}
	if t := mime.TypeByExtension(strings.ToLower(filepath.Ext(name))); t != "" {
		return t
	}
	return "application/octet-stream"
}

// validName reports whether prefix:local (or local alone) is an XML
// name, which encoding/xml does not check: what Read keeps, Write must
// be able to write back.
func validName(prefix, local string) bool {
	ok := func(s string) bool {
		if s == "" {
			return false
		}
		for i, r := range s {
			letter := r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= 0xC0 && r != 0xD7 && r != 0xF7 && r < 0xFFFE
			if !letter && (i == 0 || !(r == '-' || r == '.' || r >= '0' && r <= '9' || r == 0xB7)) {
				return false
			}
		}
		return true
	}
	return ok(local) && (prefix == "" || ok(prefix))
}

// validTree reports whether every name in el's subtree is an XML name.
func validTree(el *etree.Element) bool {
	if !validName(el.Space, el.Tag) {
		return false
	}
	for _, a := range el.Attr {
		if !validName(a.Space, a.Key) {
			return false
		}
	}
	for _, c := range el.ChildElements() {
		if !validTree(c) {
			return false
		}
	}
	return true
}

// lookupNS is the namespace the prefix stands for at el ("" for the
// default namespace's prefix "").
func lookupNS(el *etree.Element, prefix string) string {
	for e := el; e != nil; e = e.Parent() {
		for _, a := range e.Attr {
			if prefix == "" && a.Space == "" && a.Key == "xmlns" {
				return a.Value
			}
			if prefix != "" && a.Space == "xmlns" && a.Key == prefix {
				return a.Value
			}
		}
	}
	if prefix == "xml" {
		return "http://www.w3.org/XML/1998/namespace"
	}
	return ""
}

// standalone is el written on its own: the namespaces its subtree uses
// that an ancestor declared are declared on it.
func standalone(el *etree.Element) string {
	c := el.Copy()
	declared := map[string]bool{}
	for _, a := range c.Attr {
		if a.Space == "xmlns" {
			declared[a.Key] = true
		} else if a.Space == "" && a.Key == "xmlns" {
			declared[""] = true
		}
	}
	need := map[string]bool{}
	var walk func(e *etree.Element)
	walk = func(e *etree.Element) {
		need[e.Space] = true
		for _, a := range e.Attr {
			if a.Space != "" && a.Space != "xmlns" && a.Space != "xml" {
				need[a.Space] = true
			}
		}
		for _, k := range e.ChildElements() {
			walk(k)
		}
	}
	walk(el)
	parent := el.Parent()
	for _, p := range sortedKeys(need) {
		if declared[p] || parent == nil {
			continue
		}
		uri := lookupNS(parent, p)
		switch {
		case p == "" && uri != "":
			c.CreateAttr("xmlns", uri)
		case p != "" && uri != "":
			c.CreateAttr("xmlns:"+p, uri)
		}
	}
	d := etree.NewDocument()
	d.SetRoot(c)
	s, _ := d.WriteToString()
	return s
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}
