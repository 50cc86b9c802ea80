package verify

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	_ "crypto/sha1"
	_ "crypto/sha512"

	"github.com/vanthuso/vanthu/signing/cms"
	"github.com/vanthuso/vanthu/signing/pdf"
	"github.com/vanthuso/vanthu/signing/revocation"
)

const hashBufSize = 1 << 20

// verifier holds what every signature of one file shares.
type verifier struct {
	ctx  context.Context
	o    Options
	f    io.ReaderAt
	size int64
	r    *pdf.Reader
	buf  []byte

	dss      revocation.Evidence
	dssRevoc bool // the DSS holds OCSP responses or CRLs
	certP    int  // DocMDP P of the certification signature, 0 if none
	certRef  pdf.Ref
	certEnd  int64 // signed end of the certification signature

	cache map[pdf.Ref]*Signature
	// updates caches signedUpdates.
	updates *[]signedUpdate
}

// sigEntry is a signature dictionary found through a field.
type sigEntry struct {
	field   string
	ref     pdf.Ref // of the signature dictionary (or of the field holding it directly)
	direct  bool    // the signature dictionary is the field's direct /V
	fieldRf pdf.Ref
	dict    pdf.Dict
	lock    pdf.Dict // the field's /Lock
	end     int64    // b+c when readable, for ordering
}

func (v *verifier) now() time.Time {
	if v.o.Now != nil {
		return v.o.Now()
	}
	return time.Now()
}

// VerifyFile verifies every signature and document timestamp of the PDF at
// path. It returns an error only when the file cannot be opened or ctx is
// done; a damaged or hostile PDF gives a Report whose verdict says so.
func VerifyFile(ctx context.Context, path string, o Options) (*Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	return verifyReader(ctx, f, st.Size(), o)
}

func verifyReader(ctx context.Context, f io.ReaderAt, size int64, o Options) (*Report, error) {
	rep := &Report{Signatures: []Signature{}}
	r, err := pdf.Open(f, size)
	if err != nil {
		rep.Verdict = Invalid
		rep.Reasons = append(rep.Reasons, rUnreadable(err))
		return rep, nil
	}
	v := &verifier{ctx: ctx, o: o, f: f, size: size, r: r, cache: map[pdf.Ref]*Signature{}}
	rep.Revisions = len(r.EOFOffsets())
	entries := v.findSignatures()
	if len(entries) == 0 {
		rep.Verdict = Indeterminate
		rep.Reasons = append(rep.Reasons, rNoSignatures())
		return rep, nil
	}
	v.loadDSS()
	v.loadDocMDP()
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		s := v.verifyEntry(e)
		rep.Signatures = append(rep.Signatures, s)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// B-LTA: a valid document timestamp after the signature.
	for i := range rep.Signatures {
		s := &rep.Signatures[i]
		if s.IsDocumentTimestamp || (s.Level != LevelBLT && s.Level != LevelBT) {
			continue
		}
		for _, t := range rep.Signatures {
			if t.IsDocumentTimestamp && t.Integrity == IntegrityOK && t.signedEnd > s.signedEnd && s.Level == LevelBLT {
				s.Level = LevelBLTA
				break
			}
		}
	}
	rep.Verdict = Valid
	for _, s := range rep.Signatures {
		switch s.Verdict {
		case Invalid:
			rep.Verdict = Invalid
		case Indeterminate:
			if rep.Verdict == Valid {
				rep.Verdict = Indeterminate
			}
		}
	}
	return rep, nil
}

func (v *verifier) resolve(o pdf.Object) pdf.Object {
	x, err := v.r.Resolve(o)
	if err != nil {
		return nil
	}
	return x
}

// findSignatures walks the AcroForm field tree and returns the signed
// signature fields, ordered by the end of their signed bytes.
func (v *verifier) findSignatures() []sigEntry {
	cat, _, err := v.r.Catalog()
	if err != nil {
		return nil
	}
	af, _ := v.r.ResolveDict(cat["AcroForm"])
	if af == nil {
		return nil
	}
	fields, _ := v.resolve(af["Fields"]).(pdf.Array)
	var out []sigEntry
	seen := map[pdf.Ref]bool{}
	for _, fo := range fields {
		v.walkField(fo, "", "", seen, 0, &out)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].end < out[j].end })
	return out
}

const (
	maxFieldDepth = 32
	maxFields     = 100000
)

func (v *verifier) walkField(o pdf.Object, parentName, parentFT string, seen map[pdf.Ref]bool, depth int, out *[]sigEntry) {
	if depth > maxFieldDepth || len(seen) > maxFields {
		return
	}
	ref, isRef := o.(pdf.Ref)
	if isRef {
		if seen[ref] {
			return
		}
		seen[ref] = true
	}
	d, err := v.r.ResolveDict(o)
	if err != nil || d == nil {
		return
	}
	name := parentName
	if t, ok := v.resolve(d["T"]).(pdf.String); ok {
		part := pdf.DecodeTextString(t)
		if name != "" {
			name += "." + part
		} else {
			name = part
		}
	}
	ft := parentFT
	if n, ok := v.resolve(d["FT"]).(pdf.Name); ok {
		ft = string(n)
	}
	if kids, ok := v.resolve(d["Kids"]).(pdf.Array); ok {
		for _, k := range kids {
			kd, err := v.r.ResolveDict(k)
			if err != nil || kd == nil {
				continue
			}
			if _, hasT := kd["T"]; hasT {
				v.walkField(k, name, ft, seen, depth+1, out)
			}
		}
	}
	if ft != "Sig" {
		return
	}
	e := sigEntry{field: name, fieldRf: ref}
	if lock, _ := v.r.ResolveDict(d["Lock"]); lock != nil {
		e.lock = lock
	}
	switch val := d["V"].(type) {
	case pdf.Ref:
		sd, err := v.r.ResolveDict(val)
		if err != nil || sd == nil {
			return
		}
		e.ref, e.dict = val, sd
	case pdf.Dict:
		if !isRef {
			return
		}
		e.ref, e.dict, e.direct = ref, val, true
	default:
		return // unsigned field
	}
	if br, ok := readByteRange(v.resolve(e.dict["ByteRange"])); ok {
		e.end = br[2] + br[3]
	}
	*out = append(*out, e)
}

// readByteRange returns /ByteRange when it is exactly four non-negative
// integers.
func readByteRange(o pdf.Object) ([4]int64, bool) {
	var br [4]int64
	a, ok := o.(pdf.Array)
	if !ok || len(a) != 4 {
		return br, false
	}
	for i, x := range a {
		n, ok := x.(int64)
		if !ok || n < 0 {
			return br, false
		}
		br[i] = n
	}
	return br, true
}

// loadDSS collects the document security store's certificates, OCSP
// responses and CRLs.
func (v *verifier) loadDSS() {
	cat, _, err := v.r.Catalog()
	if err != nil {
		return
	}
	dss, _ := v.r.ResolveDict(cat["DSS"])
	if dss == nil {
		return
	}
	streams := func(key pdf.Name) [][]byte {
		arr, _ := v.resolve(dss[key]).(pdf.Array)
		var out [][]byte
		for i, e := range arr {
			if i >= 10000 {
				break
			}
			s, ok := v.resolve(e).(*pdf.Stream)
			if !ok {
				continue
			}
			b, err := v.r.StreamData(s)
			if err == nil && len(b) > 0 {
				out = append(out, b)
			}
		}
		return out
	}
	for _, b := range streams("Certs") {
		if c, err := x509.ParseCertificate(b); err == nil {
			v.dss.Certs = append(v.dss.Certs, c)
		}
	}
	v.dss.OCSP = streams("OCSPs")
	v.dss.CRLs = streams("CRLs")
	v.dssRevoc = len(v.dss.OCSP)+len(v.dss.CRLs) > 0
}

// loadDocMDP finds the certification signature and its /P.
func (v *verifier) loadDocMDP() {
	cat, _, err := v.r.Catalog()
	if err != nil {
		return
	}
	perms, _ := v.r.ResolveDict(cat["Perms"])
	if perms == nil {
		return
	}
	ref, ok := perms["DocMDP"].(pdf.Ref)
	if !ok {
		return
	}
	sd, _ := v.r.ResolveDict(ref)
	if sd == nil {
		return
	}
	p := transformP(v, sd, "DocMDP")
	if p == 0 {
		p = 2
	}
	v.certP, v.certRef = p, ref
	if br, ok := readByteRange(v.resolve(sd["ByteRange"])); ok {
		v.certEnd = br[2] + br[3]
	}
}

// transformP returns /P of the first /Reference entry with the given
// transform method (1, 2 or 3; 2 when absent or out of range), 0 when there
// is no such entry.
func transformP(v *verifier, sig pdf.Dict, method pdf.Name) int {
	refs, _ := v.resolve(sig["Reference"]).(pdf.Array)
	for _, e := range refs {
		rd, _ := v.r.ResolveDict(e)
		if rd == nil {
			continue
		}
		if m, _ := v.resolve(rd["TransformMethod"]).(pdf.Name); m != method {
			continue
		}
		params, _ := v.r.ResolveDict(rd["TransformParams"])
		p := int64(2)
		if params != nil {
			if x, ok := v.resolve(params["P"]).(int64); ok && x >= 1 && x <= 3 {
				p = x
			}
		}
		return int(p)
	}
	return 0
}

// verifyEntry verifies one signature (cached per signature dictionary, so a
// dictionary referenced from two fields is checked once and reported twice).
func (v *verifier) verifyEntry(e sigEntry) Signature {
	if c, ok := v.cache[e.ref]; ok && !e.direct {
		s := *c
		s.Field = e.field
		return s
	}
	s := v.verify(e)
	if !e.direct {
		c := s
		v.cache[e.ref] = &c
	}
	return s
}

func (v *verifier) verify(e sigEntry) Signature {
	s := Signature{
		Field:    e.field,
		Coverage: CoverageBroken,
		Trust:    TrustUnknown,
		Revocation: RevocationStatus{
			Status: "unknown", Source: "none",
		},
		sigRef: int(e.ref.Num),
	}
	sf, _ := v.resolve(e.dict["SubFilter"]).(pdf.Name)
	s.SubFilter = string(sf)
	s.IsDocumentTimestamp = sf == "ETSI.RFC3161"
	if e.ref == v.certRef && v.certRef != (pdf.Ref{}) {
		s.DocMDP = v.certP
	}
	var invalid, indeterminate []Reason

	// Coverage.
	br, brOK := readByteRange(v.resolve(e.dict["ByteRange"]))
	contents, _ := e.dict["Contents"].(pdf.String)
	if brOK {
		s.ByteRange = br[:]
		s.signedEnd = br[2] + br[3]
	}
	cov, covReason := v.checkCoverage(e, br, brOK)
	s.Coverage = cov
	if covReason != nil {
		invalid = append(invalid, *covReason)
	}
	if brOK && v.spoofed(e, s.signedEnd) {
		ch := Change{Kind: "signature-dict", Object: int(e.ref.Num), Detail: "the field's signature dictionary was written after the bytes it claims to sign"}
		s.ModifiedAfterSigning = true
		s.Changes = append(s.Changes, ch)
		invalid = append(invalid, rModified(1, ch))
	}
	rangesReadable := brOK && br[0] == 0 && br[1] < br[2] && br[2]+br[3] <= v.size && br[1] <= v.size

	// Integrity.
	var ok bool
	var ir []Reason
	var sd *cms.SignedData
	var tsCerts []*x509.Certificate
	if s.IsDocumentTimestamp {
		ok, ir = v.docTimestamp(&s, contents, br, rangesReadable, &indeterminate)
	} else {
		ok, ir, sd, tsCerts = v.signature(&s, e, contents, br, rangesReadable, &indeterminate)
	}
	if ok {
		s.Integrity = IntegrityOK
	} else if s.Integrity == "" {
		s.Integrity = IntegrityBroken
	}
	invalid = append(invalid, ir...)

	// Changes after signing.
	if cov == CoverageWholeRevision && s.signedEnd < v.size {
		changes, err := v.changesAfter(&s, e)
		if err != nil {
			invalid = append(invalid, rSignedRevision(err))
		}
		s.Changes = changes
		var bad []Change
		for _, c := range changes {
			if !c.Allowed {
				bad = append(bad, c)
			}
		}
		if len(bad) > 0 {
			s.ModifiedAfterSigning = true
			invalid = append(invalid, rModified(len(bad), bad[0]))
		}
	}

	// Level.
	switch {
	case s.IsDocumentTimestamp:
	case strings.HasPrefix(s.SubFilter, "adbe."):
		s.Level = LevelLegacy
	default:
		s.Level = LevelBB
		if s.ProvenByTimestamp {
			s.Level = LevelBT
			if v.dssRevoc {
				s.Level = LevelBLT
			}
		}
	}
	_ = sd
	_ = tsCerts

	s.Reasons = append(invalid, indeterminate...)
	switch {
	case len(invalid) > 0:
		s.Verdict = Invalid
	case len(indeterminate) > 0:
		s.Verdict = Indeterminate
	default:
		s.Verdict = Valid
	}
	return s
}

// spoofed reports a signature dictionary that does not exist in the
// revision its /ByteRange claims to sign: the field was pointed at a
// dictionary added later (signature spoofing).
func (v *verifier) spoofed(e sigEntry, end int64) bool {
	off, in, ok := v.r.ObjectOffset(e.ref)
	if !ok || in != 0 || off < end || end > v.size || end <= 0 {
		return false
	}
	old, err := pdf.Open(io.NewSectionReader(v.f, 0, end), end)
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
		if old, err := pdf.Open(io.NewSectionReader(v.f, 0, end), end); err == nil {
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

func certHex(c *x509.Certificate) Signer {
	sum := sha256.Sum256(c.Raw)
	return Signer{
		Subject:      nameString(c.RawSubject, c.Subject),
		Issuer:       nameString(c.RawIssuer, c.Issuer),
		Serial:       strings.ToUpper(c.SerialNumber.Text(16)),
		SHA256:       hex.EncodeToString(sum[:]),
		Name:         c.Subject.CommonName,
		Organization: strings.Join(c.Subject.Organization, ", "),
		Unit:         strings.Join(c.Subject.OrganizationalUnit, ", "),
		IssuerName:   c.Issuer.CommonName,
	}
}

// Short names of the attributes Vietnamese certificates carry beyond the
// ones pkix.Name.String knows (it prints those as an OID and hex).
var attrNames = map[string]string{
	"1.2.840.113549.1.9.1":      "E",
	"0.9.2342.19200300.100.1.1": "UID",
	"2.5.4.12":                  "T",
	"2.5.4.5":                   "SERIALNUMBER",
}

// nameString is the RFC 4514 string of a DER name (pkix.Name.String),
// with the values of e-mail, UID (CCCD, MST), title and serial number
// shown as text rather than hex. parsed is used if raw does not parse.
func nameString(raw []byte, parsed pkix.Name) string {
	var rdns pkix.RDNSequence
	if rest, err := asn1.Unmarshal(raw, &rdns); err != nil || len(rest) > 0 {
		return parsed.String()
	}
	var parts []string
	for i := len(rdns) - 1; i >= 0; i-- {
		for _, atv := range rdns[i] {
			key, known := attrNames[atv.Type.String()]
			str, isStr := atv.Value.(string)
			if !known || !isStr {
				parts = append(parts, pkix.RDNSequence{pkix.RelativeDistinguishedNameSET{atv}}.String())
				continue
			}
			parts = append(parts, key+"="+escapeDN(str))
		}
	}
	return strings.Join(parts, ",")
}

// escapeDN escapes a value for an RFC 4514 string.
func escapeDN(s string) string {
	var b strings.Builder
	for i, r := range s {
		switch {
		case strings.ContainsRune(",+\"<>;\\", r), r == '#' && i == 0, r == ' ' && (i == 0 || i == len(s)-1):
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func newHash(h crypto.Hash) (hash.Hash, error) {
	if h == 0 || !h.Available() {
		return nil, fmt.Errorf("hash %v not available", h)
	}
	if h == crypto.MD5 || h == crypto.MD4 || h == crypto.MD5SHA1 {
		return nil, fmt.Errorf("hash %v not allowed", h)
	}
	return h.New(), nil
}

// signature checks the CMS of an ordinary signature. It reports whether the
// bytes verify, the reasons they do not, and fills signer, time, timestamp,
// trust and revocation.
func (v *verifier) signature(s *Signature, e sigEntry, contents []byte, br [4]int64, readable bool, indet *[]Reason) (bool, []Reason, *cms.SignedData, []*x509.Certificate) {
	if len(contents) == 0 {
		return false, []Reason{rCMS(errors.New("/Contents is empty"))}, nil, nil
	}
	sd, err := cms.Parse(contents)
	if err != nil {
		return false, []Reason{rCMS(err)}, nil, nil
	}
	if len(sd.Signers) == 0 {
		return false, []Reason{rNoSigner()}, sd, nil
	}
	si := &sd.Signers[0]
	cert := si.FindCertificate(sd.Certificates)
	if cert == nil {
		cert = si.FindCertificate(v.dss.Certs)
	}
	// Claimed time.
	if m, ok := v.resolve(e.dict["M"]).(pdf.String); ok {
		if t, err := pdf.ParseDate(string(m)); err == nil {
			s.SigningTime = t
		}
	}
	if s.SigningTime.IsZero() && si.SigningTime != nil {
		s.SigningTime = *si.SigningTime
	}
	if cert != nil {
		s.Signer = certHex(cert)
	}
	var bad []Reason
	h := si.DigestAlgorithm
	hh, herr := newHash(h)
	if herr != nil {
		detail := herr.Error()
		if si.DigestAlgorithmErr != nil {
			detail = si.DigestAlgorithmErr.Error()
		}
		bad = append(bad, rDigestAlg(detail))
	}
	if si.DigestAlgorithmIsSignatureOID {
		bad = append(bad, rDigestAlg("the digest algorithm is written as a signature algorithm ("+si.DigestAlgorithmOID.String()+"), which RFC 5652 does not allow"))
	}
	if cert == nil && len(sd.CertificateErrors) > 0 && len(bad) == 0 && readable {
		// The signer's certificate may be one crypto/x509 cannot read
		// (brainpool curves): the bytes can be checked, the signature not.
		if err := v.hashRanges(br, hh); err != nil {
			return false, []Reason{rByteRange(err.Error())}, sd, nil
		}
		if sd.Content == nil && si.SignedAttrsDER != nil {
			if err := si.CheckDigest(hh.Sum(nil)); err != nil {
				return false, []Reason{rDigestMismatch(err.Error())}, sd, nil
			}
		}
		s.Integrity = IntegrityUnverified
		*indet = append(*indet, rCertUnreadable(sd.CertificateErrors[0]))
		return false, nil, sd, nil
	}
	if cert == nil {
		bad = append(bad, rSignerCertMissing())
	}
	if !readable || len(bad) > 0 {
		if !readable {
			bad = append(bad, rByteRange("the signed bytes cannot be read"))
		}
		return false, bad, sd, nil
	}
	ws := []io.Writer{hh}
	var sha1h hash.Hash
	if s.SubFilter == "adbe.pkcs7.sha1" {
		sha1h = crypto.SHA1.New()
		ws = append(ws, sha1h)
	}
	if err := v.hashRanges(br, ws...); err != nil {
		return false, []Reason{rByteRange(err.Error())}, sd, nil
	}
	rangeDigest := hh.Sum(nil)
	contentDigest := rangeDigest
	switch {
	case sha1h != nil:
		if !bytes.Equal(sd.Content, sha1h.Sum(nil)) {
			return false, []Reason{rDigestMismatch("the SHA-1 digest in the signature does not match the signed bytes")}, sd, nil
		}
		c := h.New()
		c.Write(sd.Content)
		contentDigest = c.Sum(nil)
	case sd.Content != nil:
		c := h.New()
		c.Write(sd.Content)
		contentDigest = c.Sum(nil)
		if !bytes.Equal(contentDigest, rangeDigest) {
			return false, []Reason{rDigestMismatch("the content inside the signature is not the signed bytes")}, sd, nil
		}
	}
	if si.SignedAttrsDER != nil {
		if err := si.CheckDigest(contentDigest); err != nil {
			return false, []Reason{rDigestMismatch(err.Error())}, sd, nil
		}
	}
	if err := si.VerifyContentDigest(cert, contentDigest); err != nil {
		return false, []Reason{rSignatureValue(err)}, sd, nil
	}
	if ids := append(append([]cms.ESSCertID(nil), si.SigningCertificateV2...), si.SigningCertificate...); len(ids) > 0 {
		match := false
		for i := range ids {
			if ids[i].Matches(cert) {
				match = true
				break
			}
		}
		if !match {
			return false, []Reason{rSigningCertAttr()}, sd, nil
		}
	}

	// Signature timestamp.
	pool := append(append([]*x509.Certificate(nil), sd.Certificates...), v.dss.Certs...)
	if si.TimestampToken != nil {
		tsTime, ok, r := v.checkTimestamp(si.TimestampToken, si.Signature, pool)
		if ok {
			s.SigningTime, s.ProvenByTimestamp = tsTime, true
		} else {
			*indet = append(*indet, r)
		}
	}

	// Trust, at the signing time.
	at := s.SigningTime
	if at.IsZero() {
		at = v.now()
	}
	if cert.KeyUsage != 0 && cert.KeyUsage&(x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment) == 0 {
		s.Trust = TrustUntrusted
		*indet = append(*indet, rKeyUsage())
		return true, nil, sd, pool
	}
	chain, trust, terr := v.buildChain(cert, pool, at, x509.ExtKeyUsageAny)
	s.Trust = trust
	switch trust {
	case TrustUnknown:
		*indet = append(*indet, rNoAnchors())
	case TrustUntrusted:
		*indet = append(*indet, rUntrusted(terr))
	}

	// Revocation.
	if v.o.Revocation != nil && len(chain) >= 2 {
		res := v.o.Revocation.Check(v.ctx, chain[0], chain[1], at, v.evidence(si, sd, pool)...)
		s.Revocation = revocationStatus(res)
		if !res.RevokedAt.IsZero() {
			detail := strings.TrimSpace(revocation.ReasonText(res.Reason) + " " + res.RevokedAt.UTC().Format(time.RFC3339))
			switch {
			case res.RevokedAt.After(at) && s.ProvenByTimestamp:
				// Revoked after a proven signing time: the signature stands.
			case !res.RevokedAt.After(at):
				return true, []Reason{rRevoked(detail, s.Revocation.Source)}, sd, pool
			default:
				// Revoked after a signing time the signer only claims: a
				// stolen key could claim any earlier time.
				*indet = append(*indet, rRevokedUnproven(detail))
			}
		}
	}
	return true, nil, sd, pool
}

// checkTimestamp verifies a signature timestamp token over sigValue.
func (v *verifier) checkTimestamp(token, sigValue []byte, extra []*x509.Certificate) (time.Time, bool, Reason) {
	t, err := cms.ParseTimestampToken(token)
	if err != nil {
		return time.Time{}, false, rTimestamp(err.Error())
	}
	hh, err := newHash(t.Hash)
	if err != nil {
		return time.Time{}, false, rTimestamp("message imprint: " + err.Error())
	}
	hh.Write(sigValue)
	if !bytes.Equal(hh.Sum(nil), t.HashedMessage) {
		return time.Time{}, false, rTimestamp("the message imprint is not the signature value's digest")
	}
	tsa, err := t.VerifyWith(extra)
	if err != nil {
		return time.Time{}, false, rTimestamp(err.Error())
	}
	pool := append(append([]*x509.Certificate(nil), t.SignedData.Certificates...), extra...)
	if _, trust, err := v.buildChain(tsa, pool, t.Time, x509.ExtKeyUsageTimeStamping); trust == TrustUntrusted {
		return time.Time{}, false, rTSAUntrusted(err)
	}
	return t.Time, true, Reason{}
}

// docTimestamp verifies a document timestamp (ETSI.RFC3161).
func (v *verifier) docTimestamp(s *Signature, contents []byte, br [4]int64, readable bool, indet *[]Reason) (bool, []Reason) {
	if len(contents) == 0 {
		return false, []Reason{rDocTimestamp("/Contents is empty")}
	}
	t, err := cms.ParseTimestampToken(contents)
	if err != nil {
		return false, []Reason{rCMS(err)}
	}
	if !readable {
		return false, []Reason{rByteRange("the signed bytes cannot be read")}
	}
	hh, err := newHash(t.Hash)
	if err != nil {
		return false, []Reason{rDigestAlg(err.Error())}
	}
	if err := v.hashRanges(br, hh); err != nil {
		return false, []Reason{rByteRange(err.Error())}
	}
	if !bytes.Equal(hh.Sum(nil), t.HashedMessage) {
		return false, []Reason{rDigestMismatch("the document timestamp's message imprint does not match the signed bytes")}
	}
	tsa, err := t.VerifyWith(v.dss.Certs)
	if err != nil {
		return false, []Reason{rDocTimestamp(err.Error())}
	}
	s.Signer = certHex(tsa)
	s.SigningTime, s.ProvenByTimestamp = t.Time, true
	pool := append(append([]*x509.Certificate(nil), t.SignedData.Certificates...), v.dss.Certs...)
	_, trust, terr := v.buildChain(tsa, pool, t.Time, x509.ExtKeyUsageTimeStamping)
	s.Trust = trust
	switch trust {
	case TrustUnknown:
		*indet = append(*indet, rNoAnchors())
	case TrustUntrusted:
		*indet = append(*indet, rTSAUntrusted(terr))
	}
	return true, nil
}

// buildChain verifies cert up to the configured roots at time at.
func (v *verifier) buildChain(cert *x509.Certificate, pool []*x509.Certificate, at time.Time, eku x509.ExtKeyUsage) ([]*x509.Certificate, string, error) {
	if v.o.Roots == nil {
		return nil, TrustUnknown, nil
	}
	inter := x509.NewCertPool()
	if v.o.Intermediates != nil {
		inter = v.o.Intermediates.Clone()
	}
	for _, c := range pool {
		inter.AddCert(c)
	}
	chains, err := cert.Verify(x509.VerifyOptions{
		Roots:         v.o.Roots,
		Intermediates: inter,
		CurrentTime:   at,
		KeyUsages:     []x509.ExtKeyUsage{eku},
	})
	if err != nil {
		return nil, TrustUntrusted, err
	}
	return chains[0], TrustTrusted, nil
}

// evidence gathers the revocation data the document carries for one
// signature: the DSS, the Adobe revocation attribute of its signed
// attributes and its CMS revocation data. certs are the certificates of
// the signature and the DSS (OCSP responders among them).
func (v *verifier) evidence(si *cms.SignerInfo, sd *cms.SignedData, certs []*x509.Certificate) []revocation.Evidence {
	dss := v.dss
	dss.Certs = certs
	out := []revocation.Evidence{dss}
	for _, a := range si.SignedAttrs {
		if a.Type.Equal(revocation.OIDAdobeRevocation) && len(a.Values) > 0 {
			if ev, err := revocation.ParseAdobeRevocation(a.Values[0]); err == nil {
				ev.Certs = append(ev.Certs, certs...)
				out = append(out, ev)
			}
		}
	}
	if len(sd.RevocationInfo) > 0 {
		ev := revocation.ParseCMSRevocationInfo(sd.RevocationInfo)
		ev.Certs = certs
		out = append(out, ev)
	}
	return out
}

// revocationStatus is the report's view of a revocation result.
func revocationStatus(r revocation.Result) RevocationStatus {
	out := RevocationStatus{Status: r.Status.String(), Source: string(r.Source), Method: r.Method, RevokedAt: r.RevokedAt, Problem: r.Problem}
	if out.Source == "" {
		out.Source = "none"
	}
	if !r.RevokedAt.IsZero() {
		out.Reason = revocation.ReasonText(r.Reason)
	}
	return out
}
