package edxml

import (
	"bufio"
	"bytes"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/beevik/etree"

	"github.com/vanthuso/vanthu/edoc"
)

// WriteOptions says how Write writes. With a Signer, the message is
// signed (enveloped XMLDSig in edXMLHeader, sign.go); Certificate is the
// signer's, Chain the CA certificates to carry after it in KeyInfo.
type WriteOptions struct {
	TempDir     string
	Signer      crypto.Signer
	Certificate *x509.Certificate
	Chain       []*x509.Certificate
}

// Write writes m in the strict form of QCVN 102:2016: every edXML
// element with the edXML: prefix (the namespace declared once on the
// root), in the order of the SDK's messages, dates yyyy/MM/dd and
// timestamps yyyy/MM/dd HH:mm:ss in Vietnam time, ContentId "cid:…",
// each attachment as base64 of a ZIP holding its file, Extras where
// they were read. A signature m was read with is not copied: with
// opt.Signer the message is signed anew.
//
// Attachments are streamed: they are encoded into temporary files under
// opt.TempDir first (the signature's digest covers them, and it is
// written before them), so memory stays bounded. An attachment whose
// content does not match the SHA-256 or size in Document.Attachments is
// an error. On error, part of the message may have been written to w:
// write to a temporary file and rename it (WriteFile does).
func Write(w io.Writer, m *Message, opt *WriteOptions) error {
	var o WriteOptions
	if opt != nil {
		o = *opt
	}
	dir, err := os.MkdirTemp(o.TempDir, "edxml-write-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	wr := &writer{m: m, nonce: newNonce(), extras: map[string][]int{}, applied: make([]bool, len(m.Extras))}
	for i, x := range m.Extras {
		wr.extras[x.Path] = append(wr.extras[x.Path], i)
	}
	if err := wr.encode(dir); err != nil {
		return err
	}
	doc, err := wr.build(o)
	if err != nil {
		return err
	}
	// Character references for '\r' in text and for white space in
	// attribute values, so that what is read back is what was written.
	doc.WriteSettings.CanonicalText = true
	doc.WriteSettings.CanonicalAttrVal = true
	skel, err := doc.WriteToBytes()
	if err != nil {
		return err
	}
	if o.Signer != nil {
		if skel, err = sign(skel, wr.nonce, wr.spools, o); err != nil {
			return err
		}
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	if err := splice(bw, skel, wr.nonce, wr.spools); err != nil {
		return err
	}
	return bw.Flush()
}

// WriteFile writes m to path through a temporary file in the same
// directory, renamed into place once complete: a failure leaves no
// file at path.
func WriteFile(path string, m *Message, opt *WriteOptions) (err error) {
	f, err := os.CreateTemp(dirOf(path), ".edxml-*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err = Write(f, m, opt); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

func dirOf(path string) string {
	if i := strings.LastIndexAny(path, `/\`); i >= 0 {
		return path[:i+1]
	}
	return "."
}

type writer struct {
	m       *Message
	nonce   string
	spools  []*spool
	extras  map[string][]int
	applied []bool
}

// encode writes every attachment's payload into a spool.
func (wr *writer) encode(dir string) error {
	if wr.m.Kind != KindEdoc || wr.m.Document == nil {
		return nil
	}
	atts := wr.m.Document.Attachments
	if len(wr.m.Files) != len(atts) {
		return newError(ErrAttachment, "", fmt.Sprintf("có %d tệp đính kèm nhưng %d nội dung", len(atts), len(wr.m.Files)),
			fmt.Sprintf("%d attachments but %d contents", len(atts), len(wr.m.Files)), nil)
	}
	for i, a := range atts {
		sum := a.SHA256
		if sum == "" {
			s, err := hashFile(wr.m.Files[i])
			if err != nil {
				return err
			}
			sum = s
		}
		sp, size, got, err := encodeFile(wr.m.Files[i], zipEntryName(sum, a.Name), dir)
		if err != nil {
			return err
		}
		if got != sum && a.SHA256 != "" || a.Size != 0 && size != a.Size {
			return newError(ErrAttachment, a.Name, "nội dung tệp đính kèm không khớp SHA-256 hoặc kích thước đã ghi", "the attachment's content does not match its recorded SHA-256 or size", nil)
		}
		wr.spools = append(wr.spools, sp)
	}
	return nil
}

func hashFile(f File) (string, error) {
	rc, err := f.Open()
	if err != nil {
		return "", err
	}
	defer rc.Close()
	h := sha256.New()
	if _, err := io.Copy(h, rc); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// node is an element being built, with its depth (for indentation) and
// its path (for Extras).
type node struct {
	wr    *writer
	el    *etree.Element
	depth int
	path  string
}

func (n *node) indent(depth int) { n.el.CreateText("\n" + strings.Repeat("  ", depth)) }

func (n *node) child(name, path string) *node {
	n.indent(n.depth + 1)
	return &node{wr: n.wr, el: n.el.CreateElement("edXML:" + name), depth: n.depth + 1, path: path}
}

// add starts the child name; end finishes it.
func (n *node) add(name string) *node { return n.child(name, n.path+"/"+name) }

func (n *node) addAt(name string, i int) *node {
	return n.child(name, fmt.Sprintf("%s/%s[%d]", n.path, name, i))
}

// leaf writes a child holding text.
func (n *node) leaf(name, text string) { n.leafAt(n.add(name), text) }

func (n *node) leafAt(c *node, text string) {
	c.el.CreateText(text)
	c.extras(false)
}

// opt writes the leaf only when text is not empty.
func (n *node) opt(name, text string) {
	if text != "" || len(n.wr.extras[n.path+"/"+name]) > 0 {
		n.leaf(name, text)
	}
}

func (n *node) int(name string, v int) { n.leaf(name, strconv.Itoa(v)) }

func (n *node) end() {
	n.extras(true)
	n.indent(n.depth)
}

// extras writes the Extras found at n's path.
func (n *node) extras(indent bool) {
	for _, i := range n.wr.extras[n.path] {
		n.wr.applied[i] = true
		applyExtra(n.el, n.wr.m.Extras[i], indent, n.depth)
	}
}

func applyExtra(el *etree.Element, x Extra, indent bool, depth int) {
	if x.Attr != "" {
		if prefix, _, ok := strings.Cut(x.Attr, ":"); ok && x.NS != "" && prefix != "xml" && !(prefix == "edXML" && x.NS == Namespace) {
			el.CreateAttr("xmlns:"+prefix, x.NS)
		}
		el.CreateAttr(x.Attr, x.Value)
		return
	}
	d := etree.NewDocument()
	if err := d.ReadFromString(x.XML); err != nil || d.Root() == nil {
		return
	}
	x0 := d.Root()
	if a := x0.SelectAttr("xmlns:edXML"); a != nil && a.Value == Namespace {
		x0.RemoveAttr("xmlns:edXML") // declared on the root
	}
	if indent {
		el.CreateText("\n" + strings.Repeat("  ", depth+1))
	}
	el.AddChild(x0)
}

func formatDate(d edoc.Date) string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d/%02d/%02d", d.Year, int(d.Month), d.Day)
}

// formatTime is edXML's timestamp, yyyy/MM/dd HH:mm:ss in Vietnam time;
// "" for the zero time (not given).
func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(edoc.Vietnam).Format("2006/01/02 15:04:05")
}

func (wr *writer) build(o WriteOptions) (*etree.Document, error) {
	doc := etree.NewDocument()
	doc.CreateProcInst("xml", `version="1.0" encoding="UTF-8"`)
	doc.CreateText("\n")
	rootEl := doc.CreateElement("edXML:edXML")
	rootEl.CreateAttr("xmlns:edXML", Namespace)
	root := &node{wr: wr, el: rootEl, path: "edXML"}
	env := root.add("edXMLEnvelope")
	hdr := env.add("edXMLHeader")
	mh := hdr.add("MessageHeader")
	switch {
	case wr.m.Kind == KindStatus && wr.m.Status != nil:
		wr.status(mh, wr.m.Status)
		mh.end()
		if o.Signer != nil {
			if err := signatureTemplate(hdr, wr.nonce, o); err != nil {
				return nil, err
			}
		}
		hdr.end()
	case wr.m.Kind == KindEdoc && wr.m.Document != nil:
		d := wr.m.Document
		wr.document(mh, d)
		mh.end()
		wr.trace(hdr.add("TraceHeaderList"), d)
		if o.Signer != nil {
			if err := signatureTemplate(hdr, wr.nonce, o); err != nil {
				return nil, err
			}
		}
		hdr.end()
		body := env.add("edXMLBody")
		man := body.add("edXMLManifest")
		man.el.CreateAttr("version", "1.0")
		for i, a := range d.Attachments {
			r := man.addAt("Reference", i)
			r.leaf("ContentId", "cid:"+a.ContentID)
			r.leaf("ContentType", a.ContentType)
			r.opt("Description", a.Description)
			r.leaf("AttachmentName", a.Name)
			r.end()
		}
		man.end()
		body.end()
	default:
		return nil, newError(ErrMalformed, "", "thông điệp không có nội dung (văn bản hoặc trạng thái)", "the message holds neither a document nor a status", nil)
	}
	env.end()
	if wr.m.Kind == KindEdoc && len(wr.m.Document.Attachments) > 0 {
		ae := root.add("AttachmentEncoded")
		for i, a := range wr.m.Document.Attachments {
			at := ae.addAt("Attachment", i)
			at.leaf("ContentId", "cid:"+a.ContentID)
			at.leaf("AttachmentName", a.Name)
			at.opt("Description", a.Description)
			at.leaf("ContentType", a.ContentType)
			at.leaf("ContentTransferEncoded", placeholder(wr.nonce, i))
			at.end()
		}
		ae.end()
	}
	root.end()
	doc.CreateText("\n")
	wr.leftovers(rootEl)
	return doc, nil
}

// leftovers writes the Extras whose element the writer did not make
// (found under an element that was empty), creating the path.
func (wr *writer) leftovers(root *etree.Element) {
	for i, x := range wr.m.Extras {
		if wr.applied[i] {
			continue
		}
		el := root
		parts := strings.Split(x.Path, "/")
		for _, p := range parts[1:] {
			name, idx := p, 0
			if j := strings.IndexByte(p, '['); j > 0 && strings.HasSuffix(p, "]") {
				name = p[:j]
				idx, _ = strconv.Atoi(p[j+1 : len(p)-1])
			}
			var found *etree.Element
			k := 0
			for _, c := range el.ChildElements() {
				if c.Tag == name {
					if k == idx {
						found = c
						break
					}
					k++
				}
			}
			if found == nil {
				for ; k <= idx; k++ {
					found = el.CreateElement("edXML:" + name)
				}
			}
			el = found
		}
		applyExtra(el, x, false, 0)
	}
}

func (wr *writer) organ(n *node, o edoc.Organ) {
	n.leaf("OrganId", o.OrganID)
	n.opt("OrganizationInCharge", o.OrganizationInCharge)
	n.leaf("OrganName", o.OrganName)
	n.opt("OrganAdd", o.OrganAdd)
	n.opt("Email", o.Email)
	n.opt("Telephone", o.Telephone)
	n.opt("Fax", o.Fax)
	n.opt("Website", o.Website)
	n.end()
}

func (wr *writer) staff(n *node, s *edoc.StaffInfo) {
	n.opt("Department", s.Department)
	n.opt("Staff", s.Staff)
	n.opt("Email", s.Email)
	n.opt("Mobile", s.Mobile)
	n.end()
}

func (wr *writer) responseFor(n *node, r edoc.ResponseFor) {
	n.leaf("OrganId", r.OrganID)
	n.leaf("Code", r.Code)
	n.opt("PromulgationDate", formatDate(r.PromulgationDate))
	n.leaf("DocumentId", r.DocumentID)
	n.end()
}

func (wr *writer) status(mh *node, s *Status) {
	wr.organ(mh.add("From"), s.From)
	wr.responseFor(mh.add("ResponseFor"), s.ResponseFor)
	if s.Staff != nil {
		wr.staff(mh.add("StaffInfo"), s.Staff)
	}
	mh.leaf("StatusCode", string(s.Code))
	mh.opt("Description", s.Description)
	mh.opt("Timestamp", formatTime(s.Timestamp))
}

func (wr *writer) document(mh *node, d *edoc.Document) {
	wr.organ(mh.add("From"), d.From)
	for i, t := range d.To {
		wr.organ(mh.addAt("To", i), t)
	}
	mh.leaf("DocumentId", d.DocumentID)
	c := mh.add("Code")
	c.leaf("CodeNumber", d.Code.CodeNumber)
	c.leaf("CodeNotation", d.Code.CodeNotation)
	c.end()
	pi := mh.add("PromulgationInfo")
	pi.opt("Place", d.Place)
	pi.leaf("PromulgationDate", formatDate(d.PromulgationDate))
	pi.end()
	dt := mh.add("DocumentType")
	dt.int("Type", d.Type.Type)
	dt.int("TypeDetail", d.Type.TypeDetail)
	dt.leaf("TypeName", d.Type.TypeName)
	dt.end()
	mh.leaf("Subject", d.Subject)
	mh.opt("Content", d.Content)
	si := mh.add("SignerInfo")
	si.opt("Competence", d.Signer.Competence)
	si.opt("Position", d.Signer.Position)
	si.leaf("FullName", d.Signer.FullName)
	si.end()
	if d.DueDate != nil {
		mh.opt("DueDate", formatDate(*d.DueDate))
	}
	oi := mh.add("OtherInfo")
	oi.int("Priority", int(d.Priority))
	oi.opt("SphereOfPromulgation", d.SphereOfPromulgation)
	oi.opt("TyperNotation", d.TyperNotation)
	oi.int("PromulgationAmount", d.PromulgationAmount)
	oi.int("PageAmount", d.PageAmount)
	oi.leaf("Direction", strconv.FormatBool(d.Direction))
	if len(d.Appendixes) > 0 {
		ap := oi.add("Appendixes")
		for i, a := range d.Appendixes {
			ap.leafAt(ap.addAt("Appendix", i), a)
		}
		ap.end()
	}
	oi.end()
	for i, r := range d.ResponseFor {
		wr.responseFor(mh.addAt("ResponseFor", i), r)
	}
	mh.int("SteeringType", d.SteeringType)
	if len(d.ToPlaces) > 0 {
		tp := mh.add("ToPlaces")
		for i, p := range d.ToPlaces {
			tp.leafAt(tp.addAt("Place", i), p)
		}
		tp.end()
	}
}

func (wr *writer) trace(tl *node, d *edoc.Document) {
	for i, t := range d.Trace {
		th := tl.addAt("TraceHeader", i)
		th.leaf("OrganId", t.OrganID)
		th.leaf("Timestamp", formatTime(t.Timestamp))
		th.end()
	}
	b := d.Business
	bn := tl.add("Bussiness")
	bn.opt("DocumentId", b.DocumentID)
	bn.int("BussinessDocType", int(b.DocType))
	bn.opt("BussinessDocReason", b.DocReason)
	bn.int("Paper", b.Paper)
	if b.DocumentInfo != "" || b.DocumentReceiver != "" || len(b.Receivers) > 0 {
		bi := bn.add("BussinessDocumentInfo")
		bi.opt("DocumentInfo", b.DocumentInfo)
		bi.opt("DocumentReceiver", b.DocumentReceiver)
		if len(b.Receivers) > 0 {
			rl := bi.add("ReceiverList")
			for i, r := range b.Receivers {
				rn := rl.addAt("Receiver", i)
				rn.leaf("OrganId", r.OrganID)
				rn.int("ReceiverType", r.ReceiverType)
				rn.end()
			}
			rl.end()
		}
		bi.end()
	}
	if len(b.Replacements) > 0 {
		rl := bn.add("ReplacementInfoList")
		for i, r := range b.Replacements {
			rn := rl.addAt("ReplacementInfo", i)
			rn.leaf("DocumentId", r.DocumentID)
			ol := rn.add("OrganIdList")
			for j, id := range r.OrganIDs {
				ol.leafAt(ol.addAt("OrganId", j), id)
			}
			ol.end()
			rn.end()
		}
		rl.end()
	}
	if b.Staff != nil {
		wr.staff(bn.add("StaffInfo"), b.Staff)
	}
	bn.end()
	tl.end()
}

// splice writes skel with each attachment placeholder replaced by its
// spool's text.
func splice(w io.Writer, skel []byte, nonce string, spools []*spool) error {
	return eachPart(skel, nonce, len(spools), func(text []byte, sp int) error {
		if _, err := w.Write(text); err != nil {
			return err
		}
		if sp < 0 {
			return nil
		}
		f, err := os.Open(spools[sp].path)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(w, f)
		return err
	})
}

// eachPart cuts b at the placeholders: fn gets the text before each
// with the spool it stands for, then the rest with -1.
func eachPart(b []byte, nonce string, n int, fn func(text []byte, sp int) error) error {
	mark := []byte(placeholderPrefix + nonce + "N")
	for {
		i := bytes.Index(b, mark)
		if i < 0 {
			return fn(b, -1)
		}
		rest := b[i+len(mark):]
		j := bytes.IndexByte(rest, 'Z')
		k, err := strconv.Atoi(string(rest[:max(j, 0)]))
		if j < 0 || err != nil || k < 0 || k >= n {
			return newError(ErrMalformed, "", "chỗ đánh dấu tệp đính kèm không hợp lệ", "invalid attachment placeholder", nil)
		}
		if err := fn(b[:i], k); err != nil {
			return err
		}
		b = rest[j+1:]
	}
}
