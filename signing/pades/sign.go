package pades

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/vanthuso/vanthu/signing/cms"
	"github.com/vanthuso/vanthu/signing/pdf"
)

// SubFilter selects the signature encoding.
type SubFilter string

const (
	// PAdES is ETSI.CAdES.detached: PAdES baseline signatures (the default).
	PAdES SubFilter = "ETSI.CAdES.detached"
	// PKCS7 is adbe.pkcs7.detached: the compatibility profile older
	// Vietnamese tools and viewers know.
	PKCS7 SubFilter = "adbe.pkcs7.detached"
)

// Level is the PAdES baseline level.
type Level string

const (
	LevelB   Level = "B-B"   // signature only
	LevelT   Level = "B-T"   // plus an RFC 3161 signature timestamp
	LevelLT  Level = "B-LT"  // plus certificates and revocation data in the DSS
	LevelLTA Level = "B-LTA" // plus a document timestamp over all of it
)

// ValidationFetcher gathers the long-term validation material (the
// certificates and fresh OCSP responses or CRLs) for certificate chains,
// each ordered leaf first. B-LT and B-LTA need one.
type ValidationFetcher interface {
	Fetch(ctx context.Context, chains ...[]*x509.Certificate) (Validation, error)
}

// Timestamper obtains RFC 3161 timestamp tokens. ProbeSize reports the
// size of a token the authority issues, so room can be reserved before the
// token signs (the token signs exactly once). *cms.TSAClient implements it.
type Timestamper interface {
	cms.Timestamper
	ProbeSize(ctx context.Context) (int, error)
}

// Options says how to sign. Signer and Certificate are required.
type Options struct {
	Signer      crypto.Signer       // the token key; called exactly once
	Certificate *x509.Certificate   // the signer's certificate
	Chain       []*x509.Certificate // intermediates to embed
	Hash        crypto.Hash         // default SHA-256
	PSS         bool                // RSA-PSS instead of PKCS#1 v1.5
	SubFilter   SubFilter           // default PAdES
	Level       Level               // default B-B; B-T and above need TSA
	TSA         Timestamper
	// Validation fetches revocation data for B-LT and B-LTA.
	Validation ValidationFetcher

	Name        string    // /Name; default the certificate's common name
	Reason      string    // /Reason
	Location    string    // /Location
	ContactInfo string    // /ContactInfo
	Time        time.Time // /M (claimed signing time); default now

	// Field fills the existing empty signature field with this fully
	// qualified name. Empty: a new field is added, named NewFieldName or
	// "Signature<n>".
	Field        string
	NewFieldName string

	// Appearances: element 0 is the signature widget's appearance (none:
	// an invisible signature); further elements are added as locked stamp
	// annotations in the same update, so the signature covers them.
	Appearances []pdf.Appearance
}

// Result describes a signature written by SignFile.
type Result struct {
	Field     string   // name of the signature field
	ByteRange [4]int64 // the signed byte ranges
	Size      int64    // size of the output file
	Reserved  int      // bytes reserved for the CMS in /Contents
	Used      int      // bytes the CMS took
}

// Errors callers branch on.
var (
	// ErrEncrypted: the document is password-protected or encrypted.
	ErrEncrypted = errors.New("the document is encrypted; signing encrypted PDFs is not supported: remove the protection with the tool that set it, then sign")
	// ErrCertifiedNoChanges: certified with DocMDP P=1, no change allowed,
	// not even a signature.
	ErrCertifiedNoChanges = errors.New("the document is certified with \"no changes allowed\" (DocMDP P=1): any new signature would invalidate its certification")
	// ErrFieldNotFound: Options.Field names no field.
	ErrFieldNotFound = errors.New("signature field not found")
	// ErrFieldSigned: Options.Field is already signed.
	ErrFieldSigned = errors.New("signature field is already signed")
	// ErrFieldLocked: an earlier signature locks the field to be signed
	// (FieldMDP, or the signed field's /Lock), or forbids any change
	// after it (/Lock /P 1): signing would invalidate that signature.
	ErrFieldLocked = errors.New("an earlier signature locks this signature field (FieldMDP): signing it would invalidate that signature")
	// ErrMalformed: the input is not a PDF we can safely update.
	ErrMalformed = errors.New("malformed PDF")
)

// SignFile signs the PDF at inPath and writes the result to outPath
// (which may equal inPath). It appends one incremental update and never
// rewrites the original bytes, so earlier signatures stay valid. The
// output appears atomically: on any error no file is created at outPath
// (and an existing one is left untouched).
func SignFile(ctx context.Context, inPath, outPath string, o Options) (*Result, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	doc, err := Inspect(inPath)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", filepath.Base(inPath), err)
	}
	defer doc.Close()
	if o.Level != LevelLT && o.Level != LevelLTA {
		return doc.sign(ctx, outPath, o)
	}
	return doc.signLongTerm(ctx, outPath, o)
}

// signLongTerm makes a B-T signature, then appends the DSS (B-LT) and a
// document timestamp (B-LTA), each step into a temporary file next to the
// output; the output appears only when every step succeeded.
func (d *Document) signLongTerm(ctx context.Context, outPath string, o Options) (*Result, error) {
	dir := filepath.Dir(outPath)
	step := func() (string, error) {
		f, err := os.CreateTemp(dir, ".vanthu-ltv-*.pdf.tmp")
		if err != nil {
			return "", fmt.Errorf("create output: %w", err)
		}
		f.Close()
		return f.Name(), nil
	}
	var temps []string
	defer func() {
		for _, t := range temps {
			os.Remove(t)
		}
	}()
	bt, err := step()
	if err != nil {
		return nil, err
	}
	temps = append(temps, bt)
	res, err := d.sign(ctx, bt, o)
	if err != nil {
		return nil, err
	}
	chains := [][]*x509.Certificate{append([]*x509.Certificate{o.Certificate}, o.Chain...)}
	if tsChain, err := timestampChain(bt, res); err == nil && len(tsChain) > 0 {
		chains = append(chains, tsChain)
	}
	v, err := o.Validation.Fetch(ctx, chains...)
	if err != nil {
		return nil, fmt.Errorf("revocation data for %s: %w", o.Level, err)
	}
	lt := outPath
	if o.Level == LevelLTA {
		if lt, err = step(); err != nil {
			return nil, err
		}
		temps = append(temps, lt)
	}
	if err := AddDSS(ctx, bt, lt, v, res.Field); err != nil {
		return nil, err
	}
	if o.Level == LevelLTA {
		if _, err := AddDocumentTimestamp(ctx, lt, outPath, o.TSA, o.Hash); err != nil {
			return nil, err
		}
	}
	fi, err := os.Stat(outPath)
	if err == nil {
		res.Size = fi.Size()
	}
	return res, nil
}

// timestampChain returns the certificates of the signature timestamp's
// TSA as embedded in the token, leaf first.
func timestampChain(path string, res *Result) ([]*x509.Certificate, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	n := res.ByteRange[2] - res.ByteRange[1] - 2
	if n <= 0 || n%2 != 0 {
		return nil, errors.New("bad byte range")
	}
	hexed := make([]byte, n)
	if _, err := f.ReadAt(hexed, res.ByteRange[1]+1); err != nil {
		return nil, err
	}
	der := make([]byte, n/2)
	if _, err := hex.Decode(der, hexed); err != nil {
		return nil, err
	}
	sd, err := cms.Parse(der)
	if err != nil || len(sd.Signers) == 0 || len(sd.Signers[0].TimestampToken) == 0 {
		return nil, errors.New("no timestamp")
	}
	ts, err := cms.ParseTimestampToken(sd.Signers[0].TimestampToken)
	if err != nil {
		return nil, err
	}
	leaf, err := ts.Verify()
	if err != nil {
		return nil, err
	}
	chain := []*x509.Certificate{leaf}
	for _, c := range ts.SignedData.Certificates {
		if !c.Equal(leaf) {
			chain = append(chain, c)
		}
	}
	return chain, nil
}

func (o *Options) check() error {
	if o.Signer == nil || o.Certificate == nil {
		return errors.New("sign: a signer and its certificate are required")
	}
	if o.Hash == 0 {
		o.Hash = crypto.SHA256
	}
	if o.Hash == crypto.SHA1 || !o.Hash.Available() {
		return fmt.Errorf("sign: hash %v is not allowed for new signatures", o.Hash)
	}
	switch o.SubFilter {
	case "":
		o.SubFilter = PAdES
	case PAdES, PKCS7:
	default:
		return fmt.Errorf("sign: unknown SubFilter %q", o.SubFilter)
	}
	switch o.Level {
	case "":
		o.Level = LevelB
	case LevelB:
	case LevelT, LevelLT, LevelLTA:
		if o.TSA == nil {
			return fmt.Errorf("sign: level %s needs a timestamp authority (TSA URL)", o.Level)
		}
		if o.Level != LevelT && o.Validation == nil {
			return fmt.Errorf("sign: level %s needs revocation data (OCSP or CRL access)", o.Level)
		}
	default:
		return fmt.Errorf("sign: unknown level %q (B-B, B-T, B-LT or B-LTA)", o.Level)
	}
	if o.Time.IsZero() {
		o.Time = time.Now()
	}
	if o.Name == "" {
		o.Name = o.Certificate.Subject.CommonName
	}
	return nil
}

func (o *Options) cmsOptions() cms.SignOptions {
	co := cms.SignOptions{
		Signer:      o.Signer,
		Certificate: o.Certificate,
		Chain:       o.Chain,
		Hash:        o.Hash,
		Profile:     cms.PAdES,
		SigningTime: o.Time,
		PSS:         o.PSS,
	}
	if o.SubFilter == PKCS7 {
		co.Profile = cms.PKCS7
	}
	if o.Level != LevelB {
		co.Timestamper = o.TSA
	}
	return co
}

// sign does the work of SignFile on an inspected document.
func (d *Document) sign(ctx context.Context, outPath string, o Options) (*Result, error) {
	if d.Encrypted {
		return nil, ErrEncrypted
	}
	if d.DocMDP == 1 {
		return nil, ErrCertifiedNoChanges
	}
	name := o.Field
	if name == "" {
		name = o.NewFieldName
	}
	if err := d.CheckFieldLock(name); err != nil {
		return nil, err
	}
	if d.Reader.Repaired() {
		return nil, fmt.Errorf("%w: its cross-reference table is damaged; an update appended to it would not open reliably. Re-save it with the tool that made it, then sign", ErrMalformed)
	}

	// Room for the CMS: measured from the key and the TSA, never guessed
	// low, so the token signs once.
	tsSize := 0
	co := o.cmsOptions()
	if o.Level != LevelB {
		n, err := o.TSA.ProbeSize(ctx)
		if err != nil {
			return nil, fmt.Errorf("timestamp authority: %w", err)
		}
		tsSize = n + n/8 + 256
	}
	reserve := cms.EstimateSize(co, tsSize) + 64

	var fieldName string
	res, err := d.appendUpdate(ctx, outPath, o.Hash, func(u *update) (*placeholders, error) {
		name, ph, err := d.buildUpdate(u, o, o.sigDict(), reserve)
		fieldName = name
		return &ph, err
	}, func(ctx context.Context, digest []byte) ([]byte, error) {
		der, err := cms.SignDetached(ctx, digest, co)
		if err != nil {
			return nil, fmt.Errorf("sign: %w", err)
		}
		return der, nil
	})
	if err != nil {
		return nil, err
	}
	res.Field = fieldName
	res.Reserved = reserve
	return res, nil
}

// appendUpdate writes the document followed by the incremental update that
// build fills in to outPath, atomically. When build returns placeholders
// of a signature dictionary, contents is called with the digest (under
// hash) of the byte ranges and its result goes into /Contents. The
// original is hashed while it is copied: one pass, constant memory.
func (d *Document) appendUpdate(ctx context.Context, outPath string, hash crypto.Hash,
	build func(u *update) (*placeholders, error),
	contents func(ctx context.Context, digest []byte) ([]byte, error)) (*Result, error) {
	sep, err := d.needsSeparator()
	if err != nil {
		return nil, err
	}
	u := newUpdate(d.Size+int64(len(sep)), d.Reader.Size())
	ph, err := build(u)
	if err != nil {
		return nil, err
	}
	if d.Reader.Repaired() {
		// Reading the objects the update touches found a damaged entry.
		return nil, fmt.Errorf("%w: its cross-reference table is damaged; an update appended to it would not open reliably. Re-save it with the tool that made it, then sign", ErrMalformed)
	}
	u.finish(d.trailerInfo())
	total := u.pos()
	var br [4]int64
	if ph != nil {
		a := u.base + int64(ph.contentsStart)
		b := u.base + int64(ph.contentsEnd)
		br = [4]int64{0, a, b, total - b}
		if err := u.fillByteRange(*ph, br); err != nil {
			return nil, err
		}
	}

	tmp, err := os.CreateTemp(filepath.Dir(outPath), ".vanthu-sign-*.pdf.tmp")
	if err != nil {
		return nil, fmt.Errorf("create output: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	var w io.Writer = tmp
	h := hash.New()
	if ph != nil {
		w = io.MultiWriter(tmp, h)
	}
	if _, err := d.f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	if err := copyContext(ctx, w, io.LimitReader(d.f, d.Size)); err != nil {
		return nil, fmt.Errorf("copy document: %w", err)
	}
	if _, err := w.Write(sep); err != nil {
		return nil, fmt.Errorf("write output: %w", err)
	}
	ub := u.buf.Bytes()
	used := 0
	if ph != nil {
		h.Write(ub[:ph.contentsStart])
		h.Write(ub[ph.contentsEnd:])
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		der, err := contents(ctx, h.Sum(nil))
		if err != nil {
			return nil, err
		}
		if err := u.fillContents(*ph, der); err != nil {
			return nil, err
		}
		used = len(der)
	}
	if _, err := tmp.Write(ub); err != nil {
		return nil, fmt.Errorf("write output: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return nil, fmt.Errorf("write output: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("write output: %w", err)
	}
	if err := os.Rename(tmp.Name(), outPath); err != nil {
		return nil, fmt.Errorf("write output: %w", err)
	}
	ok = true
	syncDir(filepath.Dir(outPath))
	return &Result{ByteRange: br, Size: total, Used: used}, nil
}

// needsSeparator returns the bytes to put between the original file and
// the update: an end-of-line when the file does not end with one.
func (d *Document) needsSeparator() ([]byte, error) {
	var last [1]byte
	if _, err := d.f.ReadAt(last[:], d.Size-1); err != nil {
		return nil, fmt.Errorf("read document: %w", err)
	}
	if last[0] == '\n' || last[0] == '\r' {
		return nil, nil
	}
	return []byte{'\n'}, nil
}

func (d *Document) trailerInfo() trailerInfo {
	tr := d.Reader.Trailer()
	t := trailerInfo{
		size:    d.Reader.Size(),
		prev:    d.Reader.StartXRef(),
		root:    d.rootRef,
		xrefStm: d.Reader.XRefIsStream(),
	}
	if info, ok := tr["Info"].(pdf.Ref); ok {
		t.info = info
	}
	var fresh [16]byte
	rand.Read(fresh[:])
	first := pdf.String(fresh[:])
	if id, ok := mustResolve(d.Reader, tr["ID"]).(pdf.Array); ok && len(id) == 2 {
		if s, ok := id[0].(pdf.String); ok {
			first = s
		}
	}
	t.id = pdf.Array{first, pdf.String(fresh[:])}
	return t
}

// copyBuffers recycles copy buffers: a fresh 1 MiB buffer per document
// cost more than signing a small document (measured by make bench).
var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}

func copyContext(ctx context.Context, w io.Writer, r io.Reader) error {
	bp := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(bp)
	buf := *bp
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, err := r.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return werr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func syncDir(dir string) {
	if f, err := os.Open(dir); err == nil {
		f.Sync()
		f.Close()
	}
}
