package verify

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	_ "crypto/sha1"
	_ "crypto/sha512"

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

	dss     revocation.Evidence
	certP   int // DocMDP P of the certification signature, 0 if none
	certRef pdf.Ref
	certEnd int64 // signed end of the certification signature

	cache map[pdf.Ref]*Signature
	// updates caches signedUpdates, vri vriKeys, dssChecked dssItem.
	updates    *[]signedUpdate
	vri        map[string]bool
	dssChecked map[dssKey]error
	// poes are the intact, trusted document timestamps.
	poes []proofOfExistence
	// objects is shared by the readers of the file and of its signed
	// revisions: an object is parsed once.
	objects *pdf.ObjectCache
}

// openRevision opens the file's first end bytes (a signed revision) as its
// own document, sharing parsed objects with the whole file's reader.
func (v *verifier) openRevision(end int64) (*pdf.Reader, error) {
	r, err := pdf.Open(io.NewSectionReader(v.f, 0, end), end)
	if err != nil {
		return nil, err
	}
	r.UseCache(v.objects)
	return r, nil
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
	v := &verifier{ctx: ctx, o: o, f: f, size: size, r: r, cache: map[pdf.Ref]*Signature{}, objects: pdf.NewObjectCache(0)}
	r.UseCache(v.objects)
	rep.Revisions = len(r.EOFOffsets())
	entries := v.findSignatures()
	if len(entries) == 0 {
		rep.Verdict = Indeterminate
		rep.Reasons = append(rep.Reasons, rNoSignatures())
		return rep, nil
	}
	v.loadDSS()
	v.loadDocMDP()
	// Document timestamps first: an intact, trusted one proves that
	// everything it covers existed at its time.
	for _, e := range entries {
		if sf, _ := v.resolve(e.dict["SubFilter"]).(pdf.Name); sf != "ETSI.RFC3161" {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if s := v.verifyEntry(e); s.Integrity == IntegrityOK && s.Trust == TrustTrusted {
			v.poes = append(v.poes, proofOfExistence{end: s.signedEnd, at: s.SigningTime})
		}
	}
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		rep.Signatures = append(rep.Signatures, v.verifyEntry(e))
	}
	// B-LTA: a B-LT signature followed by a valid document timestamp.
	for i := range rep.Signatures {
		s := &rep.Signatures[i]
		if s.Level != LevelBLT {
			continue
		}
		for _, t := range rep.Signatures {
			if t.IsDocumentTimestamp && t.Verdict == Valid && t.signedEnd > s.signedEnd {
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

// verifyEntry verifies one signature (cached per signature dictionary, so a
// dictionary referenced from two fields is checked once and reported twice).
func (v *verifier) verifyEntry(e sigEntry) Signature {
	if c, ok := v.cache[e.ref]; ok {
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
	f := &findings{}

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
		f.fail(*covReason)
	}
	if brOK && v.spoofed(e, s.signedEnd) {
		ch := Change{Kind: "signature-dict", Object: int(e.ref.Num), Detail: "the field's signature dictionary was written after the bytes it claims to sign"}
		s.ModifiedAfterSigning = true
		s.Changes = append(s.Changes, ch)
		f.fail(rModified(1, ch))
	}
	rangesReadable := brOK && br[0] == 0 && br[1] < br[2] && br[2]+br[3] <= v.size && br[1] <= v.size

	// Integrity, time, trust, revocation.
	var ok bool
	if s.IsDocumentTimestamp {
		ok = v.docTimestamp(&s, contents, br, rangesReadable, f)
	} else {
		ok = v.signature(&s, e, contents, br, rangesReadable, f)
	}
	if ok {
		s.Integrity = IntegrityOK
	} else if s.Integrity == "" {
		s.Integrity = IntegrityBroken
	}

	// Changes after signing.
	if cov == CoverageWholeRevision && s.signedEnd < v.size {
		changes, err := v.changesAfter(&s, e)
		if err != nil {
			f.fail(rSignedRevision(err))
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
			f.fail(rModified(len(bad), bad[0]))
		}
	}

	s.Reasons = append(f.invalid, f.indeterminate...)
	s.Notes = f.notes
	switch {
	case len(f.invalid) > 0:
		s.Verdict = Invalid
	case len(f.indeterminate) > 0:
		s.Verdict = Indeterminate
	default:
		s.Verdict = Valid
	}
	if len(s.Reasons) > 0 {
		s.SubIndication = s.Reasons[0].SubIndication
	}
	return s
}
