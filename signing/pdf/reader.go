package pdf

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"sync"
	"sync/atomic"
)

// ErrEncrypted is returned (wrapped) when stream data of an encrypted
// document is requested: this package does not decrypt.
var ErrEncrypted = errors.New("document is encrypted")

// errNotThere reports that an xref offset does not lead to the object.
var errNotThere = errors.New("object not at its xref offset")

const (
	maxSections        = 4096      // xref sections followed through /Prev
	maxResolveDepth    = 32        // Ref chains, /Length references, object streams
	defaultDecodeLimit = 256 << 20 // decoded stream size
	objStmCacheCount   = 32        // decoded object streams kept
	objStmCacheBytes   = 64 << 20  // and their total size
	lengthFixMax       = 4096      // corrected stream lengths remembered
	nearbyWindow       = 1024      // bytes searched around a wrong xref offset
)

// xrefEntry is one cross-reference entry.
type xrefEntry struct {
	typ uint8  // 0 free, 1 in use at off, 2 compressed in object stream stm at index off
	gen uint16 // generation (type 1)
	off int64
	stm uint32
}

// Reader reads objects of one PDF file on demand. It is safe for concurrent
// use by several goroutines once Open has returned (SetDecodeLimit aside,
// which should be called before sharing it).
type Reader struct {
	src    io.ReaderAt
	size   int64
	header int64 // offset of "%PDF-", -1 when missing

	xref         map[uint32]xrefEntry
	trailers     []Dict // newest first; trailers[0] is Trailer()
	startxref    int64
	xrefIsStream bool
	xrefOffsets  []int64
	maxNum       uint32 // Size()
	repaired     atomic.Bool
	decodeLimit  atomic.Int64
	cache        *ObjectCache // nil unless UseCache

	mu          sync.Mutex
	objStms     map[uint32]*objStm
	objStmOrder []uint32
	objStmBytes int64
	lengthFix   map[int64]int64

	eofOnce sync.Once
	eofs    []int64
	eofErr  error

	scanOnce sync.Once
	scanned  map[uint32]int64 // object headers found by scanning, last wins
}

type objStm struct {
	data  []byte
	first int64
	nums  []uint32
	offs  []int64
}

// section is one parsed cross-reference section.
type section struct {
	offset   int64
	isStream bool
	trailer  Dict
	entries  map[uint32]xrefEntry
	prev     int64 // -1 when absent
	xrefStm  int64 // -1 when absent
}

// Open reads the cross-reference data of the PDF in src (size bytes). It
// reads only the file's tail, the xref sections and the catalog; stream data
// is never loaded. When the cross-reference data is missing or broken it
// rebuilds it by scanning the file (see Repaired). Open fails only when the
// file holds no usable objects at all.
func Open(src io.ReaderAt, size int64) (*Reader, error) {
	if size <= 0 {
		return nil, errors.New("open pdf: empty file")
	}
	r := &Reader{
		src:       src,
		size:      size,
		xref:      map[uint32]xrefEntry{},
		startxref: -1,
		objStms:   map[uint32]*objStm{},
		lengthFix: map[int64]int64{},
	}
	r.decodeLimit.Store(defaultDecodeLimit)
	r.header = r.findHeader()

	var chainErr error
	sx, err := r.findStartXRef()
	if err != nil {
		chainErr = err
	} else {
		r.startxref = sx
		chainErr = r.readChain(sx)
	}
	rootBroken := false
	if chainErr == nil {
		if _, _, err := r.Catalog(); err != nil && !errors.Is(err, ErrEncrypted) {
			rootBroken = true
			chainErr = err
		}
	}
	if chainErr != nil {
		if err := r.repair(rootBroken); err != nil {
			return nil, fmt.Errorf("open pdf: %v; repair: %w", chainErr, err)
		}
	}
	r.computeSize()
	return r, nil
}

// SetDecodeLimit sets the largest decoded stream StreamData returns (and
// the largest raw stream it reads); larger ones are an error. The default is
// 256 MiB.
func (r *Reader) SetDecodeLimit(n int64) {
	if n <= 0 {
		n = defaultDecodeLimit
	}
	r.decodeLimit.Store(n)
}

// Trailer returns the newest trailer dictionary; for a cross-reference
// stream, its stream dictionary. After a repair it is the last trailer found
// in the file whose /Root resolves, or a synthesized one holding /Root.
// Callers must not modify it.
func (r *Reader) Trailer() Dict {
	if len(r.trailers) == 0 {
		return Dict{}
	}
	return r.trailers[0]
}

// StartXRef returns the byte offset of the newest cross-reference section:
// the value after the last "startxref", or, when that value was slightly off,
// the offset where the section was actually found. It is -1 when the file has
// no usable startxref.
func (r *Reader) StartXRef() int64 { return r.startxref }

// XRefIsStream reports whether the newest cross-reference section is a
// cross-reference stream.
func (r *Reader) XRefIsStream() bool { return r.xrefIsStream }

// Size returns one past the highest object number in use: the maximum of
// every trailer's /Size and the highest in-use entry plus one. New objects of
// an incremental update start at this number.
func (r *Reader) Size() uint32 { return r.maxNum }

// Encrypted reports whether the trailer has /Encrypt (a null value, which
// some producers write, counts as absent).
func (r *Reader) Encrypted() bool {
	return r.Trailer()["Encrypt"] != nil
}

// XRefOffsets returns the offsets of the cross-reference sections followed
// from startxref through /Prev, newest first; the /XRefStm stream of a hybrid
// file comes right after its table.
func (r *Reader) XRefOffsets() []int64 { return slices.Clone(r.xrefOffsets) }

// Repaired reports whether the cross-reference data was broken and objects
// were located by scanning the file. It can become true after Open, when Get
// finds an object away from its xref offset.
func (r *Reader) Repaired() bool { return r.repaired.Load() }

// ObjectOffset reports where an object lives. For an uncompressed object
// (generation must match) it returns its file offset and inStream 0; for an
// object in an object stream it returns its index in that stream as offset
// and the stream's object number as inStream. ok is false for free and
// absent objects.
func (r *Reader) ObjectOffset(ref Ref) (offset int64, inStream uint32, ok bool) {
	e, found := r.xref[ref.Num]
	switch {
	case !found:
		return 0, 0, false
	case e.typ == 1 && e.gen == ref.Gen:
		return e.off, 0, true
	case e.typ == 2:
		return e.off, e.stm, true
	}
	return 0, 0, false
}

// Refs returns the references of every object in use, in ascending order
// of object number (generation 0 for compressed objects).
func (r *Reader) Refs() []Ref {
	refs := make([]Ref, 0, len(r.xref))
	for num, e := range r.xref {
		if e.typ == 1 || e.typ == 2 {
			refs = append(refs, Ref{Num: num, Gen: e.gen})
		}
	}
	slices.SortFunc(refs, func(a, b Ref) int {
		switch {
		case a.Num < b.Num:
			return -1
		case a.Num > b.Num:
			return 1
		}
		return 0
	})
	return refs
}

func (r *Reader) computeSize() {
	var m uint64
	for num, e := range r.xref {
		if (e.typ == 1 || e.typ == 2) && uint64(num)+1 > m {
			m = uint64(num) + 1
		}
	}
	for _, t := range r.trailers {
		if n, ok := intOf(t["Size"]); ok && n > 0 && uint64(n) > m {
			m = uint64(n)
		}
	}
	r.maxNum = uint32(min(m, math.MaxUint32))
}

// intOf returns o as an integer: int64, or float64 with an integral value.
func intOf(o Object) (int64, bool) {
	switch v := o.(type) {
	case int64:
		return v, true
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
			return int64(v), true
		}
	}
	return 0, false
}

// numOf returns o as a float64 (integers included).
func numOf(o Object) (float64, bool) {
	switch v := o.(type) {
	case int64:
		return float64(v), true
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, false
		}
		return v, true
	}
	return 0, false
}

func (r *Reader) readAtMost(off int64, n int) ([]byte, error) {
	if off < 0 || off >= r.size {
		return nil, nil
	}
	if rest := r.size - off; int64(n) > rest {
		n = int(rest)
	}
	b := make([]byte, n)
	got, err := r.src.ReadAt(b, off)
	if got < n && err != nil && err != io.EOF {
		return nil, err
	}
	return b[:got], nil
}

func (r *Reader) findHeader() int64 {
	b, err := r.readAtMost(0, 1024)
	if err != nil {
		return -1
	}
	return int64(bytes.Index(b, []byte("%PDF-")))
}

// findStartXRef returns the number after the last "startxref", searching
// backwards from the end of the file through at most 1 MiB.
func (r *Reader) findStartXRef() (int64, error) {
	const chunk = 64 << 10
	const maxBack = 1 << 20
	kw := []byte("startxref")
	end := r.size
	for end > 0 && r.size-end < maxBack {
		start := max(0, end-chunk)
		b, err := r.readAtMost(start, int(end-start))
		if err != nil {
			return 0, fmt.Errorf("find startxref: %w", err)
		}
		if i := bytes.LastIndex(b, kw); i >= 0 {
			lx := newFileLexer(r.src, r.size, start+int64(i)+int64(len(kw)))
			t, err := lx.next()
			if err != nil || t.kind != tInt || t.i < 0 {
				return 0, fmt.Errorf("find startxref: no offset after startxref at %d", start+int64(i))
			}
			return t.i, nil
		}
		if start == 0 {
			break
		}
		end = start + int64(len(kw)) - 1 // overlap so a keyword across chunks is found
	}
	return 0, errors.New("find startxref: not found")
}

// partialChainError reports that the newest sections were read but an older
// one was not.
type partialChainError struct{ err error }

func (e *partialChainError) Error() string { return e.err.Error() }
func (e *partialChainError) Unwrap() error { return e.err }

func (r *Reader) readChain(start int64) error {
	visited := map[int64]bool{}
	off := start
	for n := 0; ; n++ {
		if n >= maxSections {
			return &partialChainError{errors.New("too many xref sections")}
		}
		if visited[off] {
			return nil // /Prev cycle: everything reachable was read
		}
		visited[off] = true
		sec, err := r.readSection(off)
		if err != nil {
			err = fmt.Errorf("read xref at %d: %w", off, err)
			if n == 0 {
				return err
			}
			return &partialChainError{err}
		}
		if sec.offset != off {
			if visited[sec.offset] {
				return nil
			}
			visited[sec.offset] = true
		}
		if n == 0 {
			r.startxref = sec.offset
			r.xrefIsStream = sec.isStream
		}
		r.xrefOffsets = append(r.xrefOffsets, sec.offset)
		r.trailers = append(r.trailers, sec.trailer)
		merged := false
		if !sec.isStream && sec.xrefStm >= 0 && !visited[sec.xrefStm] {
			visited[sec.xrefStm] = true
			if hs, err := r.readSection(sec.xrefStm); err == nil && hs.isStream {
				// Hybrid file: in-use table entries, then the stream, then the
				// table's free entries (which often hide compressed objects).
				r.merge(sec.entries, 1)
				r.merge(hs.entries, 0)
				r.merge(sec.entries, 0)
				r.xrefOffsets = append(r.xrefOffsets, hs.offset)
				merged = true
			}
		}
		if !merged {
			r.merge(sec.entries, 0)
		}
		if sec.prev < 0 {
			return nil
		}
		off = sec.prev
	}
}

// merge adds entries not yet defined (newer sections are read first). With
// onlyType != 0 only entries of that type are added.
func (r *Reader) merge(entries map[uint32]xrefEntry, onlyType uint8) {
	for num, e := range entries {
		if onlyType != 0 && e.typ != onlyType {
			continue
		}
		if _, ok := r.xref[num]; !ok {
			r.xref[num] = e
		}
	}
}

// readSection reads the section at off. When off does not point at a
// section it tries off shifted by the position of the header (offsets
// counted from "%PDF-" in a file with bytes before it; the section's offsets
// are then shifted too) and then the nearest section within nearbyWindow
// bytes. An offset that does point at an "xref" keyword or an object header
// whose section is broken is an error: searching elsewhere could find an
// older section and silently hide the newest revision.
func (r *Reader) readSection(off int64) (*section, error) {
	sec, firstErr := r.readSectionAt(off)
	if firstErr == nil {
		return sec, nil
	}
	if r.pointsAtSection(off) {
		return nil, firstErr
	}
	if r.header > 0 {
		if sec, err := r.readSectionAt(off + r.header); err == nil {
			for num, e := range sec.entries {
				if e.typ == 1 {
					e.off += r.header
					sec.entries[num] = e
				}
			}
			return sec, nil
		}
	}
	if off <= max(r.header, 0)+8 {
		return nil, firstErr // pointing at the header: not "slightly off"
	}
	for _, c := range r.nearbySections(off) {
		if c == off {
			continue
		}
		if sec, err := r.readSectionAt(c); err == nil {
			return sec, nil
		}
	}
	return nil, firstErr
}

// pointsAtSection reports whether off (after whitespace) starts with the
// keyword "xref" or an object header "N G obj".
func (r *Reader) pointsAtSection(off int64) bool {
	b, err := r.readAtMost(off, 64)
	if err != nil {
		return false
	}
	b = bytes.TrimLeft(b, " \t\r\n\f\x00")
	if bytes.HasPrefix(b, []byte("xref")) && (len(b) == 4 || !isRegular(b[4])) {
		return true
	}
	if len(b) == 0 || b[0] < '0' || b[0] > '9' {
		return false
	}
	i := bytes.Index(b, []byte("obj"))
	if i < 0 {
		return false
	}
	_, _, start, ok := objHeaderBefore(b, i, true)
	return ok && start == 0
}

// nearbySections lists offsets of "xref" keywords and object headers near
// off, closest first.
func (r *Reader) nearbySections(off int64) []int64 {
	start := max(0, off-nearbyWindow)
	if start >= r.size {
		start = max(0, r.size-nearbyWindow)
	}
	b, err := r.readAtMost(start, 2*nearbyWindow)
	if err != nil {
		return nil
	}
	var cands []int64
	for i := 0; ; {
		j := bytes.Index(b[i:], []byte("xref"))
		if j < 0 {
			break
		}
		k := i + j
		if (k == 0 || !isRegular(b[k-1])) && (k+4 == len(b) || !isRegular(b[k+4])) {
			cands = append(cands, start+int64(k))
		}
		i = k + 1
	}
	for i := 0; ; {
		j := bytes.Index(b[i:], []byte("obj"))
		if j < 0 {
			break
		}
		k := i + j
		if _, _, hs, ok := objHeaderBefore(b, k, start == 0); ok {
			cands = append(cands, start+int64(hs))
		}
		i = k + 1
	}
	dist := func(x int64) int64 {
		if x < off {
			return off - x
		}
		return x - off
	}
	slices.SortStableFunc(cands, func(a, b int64) int {
		da, db := dist(a), dist(b)
		switch {
		case da < db:
			return -1
		case da > db:
			return 1
		}
		return 0
	})
	if len(cands) > 8 {
		cands = cands[:8]
	}
	return cands
}

// objHeaderBefore checks that b[k:] starts with "obj" as a keyword preceded
// by "N G" and returns N, G and the index where N starts. atFileStart tells
// whether b[0] is the first byte of the file.
func objHeaderBefore(b []byte, k int, atFileStart bool) (num uint32, gen uint16, start int, ok bool) {
	if k+3 < len(b) && isRegular(b[k+3]) {
		return 0, 0, 0, false
	}
	i := k
	for i > 0 && isWhite(b[i-1]) {
		i--
	}
	ge := i
	for i > 0 && b[i-1] >= '0' && b[i-1] <= '9' && ge-i < 5 {
		i--
	}
	if i == ge || (i > 0 && b[i-1] >= '0' && b[i-1] <= '9') {
		return 0, 0, 0, false
	}
	g := 0
	for _, c := range b[i:ge] {
		g = g*10 + int(c-'0')
	}
	ws := i
	for i > 0 && isWhite(b[i-1]) {
		i--
	}
	if i == ws {
		return 0, 0, 0, false
	}
	ne := i
	for i > 0 && b[i-1] >= '0' && b[i-1] <= '9' && ne-i < 10 {
		i--
	}
	if i == ne || g > 0xFFFF {
		return 0, 0, 0, false
	}
	if i > 0 {
		if isRegular(b[i-1]) {
			return 0, 0, 0, false
		}
	} else if !atFileStart {
		return 0, 0, 0, false
	}
	var n uint64
	for _, c := range b[i:ne] {
		n = n*10 + uint64(c-'0')
	}
	if n > math.MaxUint32 {
		return 0, 0, 0, false
	}
	return uint32(n), uint16(g), i, true
}

func (r *Reader) readSectionAt(off int64) (*section, error) {
	if off < 0 || off >= r.size {
		return nil, fmt.Errorf("offset %d outside the file", off)
	}
	lx := newFileLexer(r.src, r.size, off)
	t, err := lx.next()
	if err != nil {
		return nil, err
	}
	if t.isKeyword("xref") {
		return r.readTable(lx, t.start)
	}
	if t.kind == tInt {
		return r.readXRefStream(t.start)
	}
	return nil, fmt.Errorf("no xref section at %d", off)
}

func (r *Reader) readTable(lx *lexer, start int64) (*section, error) {
	sec := &section{offset: start, entries: map[uint32]xrefEntry{}, prev: -1, xrefStm: -1}
	for {
		t, err := lx.next()
		if err != nil {
			return nil, fmt.Errorf("xref table: %w", err)
		}
		if t.isKeyword("trailer") {
			break
		}
		t2, err := lx.next()
		if err != nil {
			return nil, fmt.Errorf("xref table: %w", err)
		}
		if t.kind != tInt || t2.kind != tInt || t.i < 0 || t2.i < 0 {
			return nil, fmt.Errorf("xref table: bad subsection header at %d", t.start)
		}
		first, count := t.i, t2.i
		for i := int64(0); i < count; i++ {
			a, err1 := lx.peek(0)
			b, err2 := lx.peek(1)
			c, err3 := lx.peek(2)
			if err1 != nil || err2 != nil || err3 != nil ||
				a.kind != tInt || b.kind != tInt || !(c.isKeyword("n") || c.isKeyword("f")) {
				break // fewer entries than announced
			}
			lx.next()
			lx.next()
			lx.next()
			if i == 0 && first == 1 && c.isKeyword("f") && a.i == 0 && b.i == 65535 {
				first = 0 // "1 N" starting with the head of the free list
			}
			num := first + i
			if num > math.MaxUint32 {
				break
			}
			e := xrefEntry{gen: uint16(min(max(b.i, 0), 0xFFFF)), off: a.i}
			if c.isKeyword("n") && a.i > 0 {
				e.typ = 1
			}
			if _, dup := sec.entries[uint32(num)]; !dup {
				sec.entries[uint32(num)] = e
			}
		}
	}
	p := parser{lx: lx}
	o, err := p.object(0)
	if err != nil {
		return nil, fmt.Errorf("xref trailer: %w", err)
	}
	d, ok := o.(Dict)
	if !ok {
		return nil, errors.New("xref trailer is not a dictionary")
	}
	sec.trailer = d
	if v, ok := intOf(d["Prev"]); ok && v >= 0 {
		sec.prev = v
	}
	if v, ok := intOf(d["XRefStm"]); ok && v >= 0 {
		sec.xrefStm = v
	}
	return sec, nil
}

func (r *Reader) readXRefStream(off int64) (*section, error) {
	_, o, start, err := r.parseIndirectAt(off, 0)
	if err != nil {
		return nil, err
	}
	s, ok := o.(*Stream)
	if !ok {
		return nil, fmt.Errorf("object at %d is not an xref stream", off)
	}
	if t, _ := s.Dict["Type"].(Name); t != "XRef" {
		if _, hasW := s.Dict["W"]; !hasW || t != "" {
			return nil, fmt.Errorf("object at %d is not an xref stream", off)
		}
	}
	wa, ok := s.Dict["W"].(Array)
	if !ok || len(wa) < 3 {
		return nil, errors.New("xref stream: bad /W")
	}
	var w [3]int
	rowLen := 0
	for i := range w {
		v, ok := intOf(wa[i])
		if !ok || v < 0 || v > 8 {
			return nil, errors.New("xref stream: bad /W")
		}
		w[i] = int(v)
		rowLen += w[i]
	}
	if rowLen == 0 {
		return nil, errors.New("xref stream: empty /W")
	}
	data, err := r.streamData(s, 1)
	if err != nil {
		return nil, fmt.Errorf("xref stream: %w", err)
	}
	var index []int64
	if ia, ok := s.Dict["Index"].(Array); ok {
		for _, v := range ia {
			n, ok := intOf(v)
			if !ok || n < 0 {
				return nil, errors.New("xref stream: bad /Index")
			}
			index = append(index, n)
		}
		index = index[:len(index)/2*2]
	} else {
		n, ok := intOf(s.Dict["Size"])
		if !ok || n < 0 {
			n = int64(len(data) / rowLen)
		}
		index = []int64{0, n}
	}
	sec := &section{offset: start, isStream: true, trailer: s.Dict, entries: map[uint32]xrefEntry{}, prev: -1, xrefStm: -1}
	field := func(b []byte) uint64 {
		var v uint64
		for _, c := range b {
			v = v<<8 | uint64(c)
		}
		return v
	}
	pos := 0
	for i := 0; i+1 < len(index) && pos+rowLen <= len(data); i += 2 {
		first, count := index[i], index[i+1]
		for j := int64(0); j < count && pos+rowLen <= len(data); j++ {
			row := data[pos : pos+rowLen]
			pos += rowLen
			num := first + j
			if num > math.MaxUint32 {
				break
			}
			typ := uint64(1)
			if w[0] > 0 {
				typ = field(row[:w[0]])
			}
			f2 := field(row[w[0] : w[0]+w[1]])
			f3 := field(row[w[0]+w[1]:])
			var e xrefEntry
			switch typ {
			case 0:
				e = xrefEntry{typ: 0, gen: uint16(min(f3, 0xFFFF))}
			case 1:
				if f2 > math.MaxInt64 {
					continue
				}
				e = xrefEntry{typ: 1, gen: uint16(min(f3, 0xFFFF)), off: int64(f2)}
			case 2:
				if f2 > math.MaxUint32 || f3 > math.MaxInt32 {
					continue
				}
				e = xrefEntry{typ: 2, stm: uint32(f2), off: int64(f3)}
			default:
				continue // reserved types read as null references
			}
			if _, dup := sec.entries[uint32(num)]; !dup {
				sec.entries[uint32(num)] = e
			}
		}
	}
	if v, ok := intOf(s.Dict["Prev"]); ok && v >= 0 {
		sec.prev = v
	}
	return sec, nil
}

// Get returns the object ref points to, read from its file offset or from
// its object stream. Free and absent objects, and uncompressed objects whose
// generation differs from ref.Gen, give (nil, nil). When the xref offset
// does not lead to the object, the file is scanned for it (see Repaired);
// if it is nowhere, it is absent too. Objects that are there but cannot be
// parsed are an error. The result is freshly parsed, and callers may
// modify it, unless the Reader uses an ObjectCache (UseCache).
func (r *Reader) Get(ref Ref) (Object, error) {
	return r.get(ref, 0)
}

func (r *Reader) get(ref Ref, depth int) (Object, error) {
	if depth > maxResolveDepth {
		return nil, fmt.Errorf("get %v: references nested too deeply", ref)
	}
	e, ok := r.xref[ref.Num]
	if !ok {
		return nil, nil
	}
	switch e.typ {
	case 1:
		if e.gen != ref.Gen {
			return nil, nil
		}
		key := cacheKey{off: e.off, num: ref.Num, gen: ref.Gen}
		if o, ok := r.cache.get(key); ok {
			return o, nil
		}
		o, err := r.readObjectAt(e.off, ref, depth)
		if err == nil {
			r.cache.put(key, o)
			return o, nil
		}
		// The entry is wrong: look for the object by scanning the file.
		if off, found := r.scanIndex()[ref.Num]; found && off != e.off {
			if o, err2 := r.readObjectAt(off, ref, depth); err2 == nil {
				r.repaired.Store(true)
				return o, nil
			}
		}
		if errors.Is(err, errNotThere) {
			// The entry points at another object or at no object, and the
			// object is nowhere else: it is absent (qpdf reads it as null).
			r.repaired.Store(true)
			return nil, nil
		}
		return nil, fmt.Errorf("get %v: %w", ref, err)
	case 2:
		var key cacheKey
		stm, located := r.xref[e.stm]
		if located = located && stm.typ == 1; located {
			key = cacheKey{off: stm.off, index: e.off, num: ref.Num, inStm: true}
			if o, ok := r.cache.get(key); ok {
				return o, nil
			}
		}
		o, err := r.fromObjStm(e.stm, e.off, ref.Num, depth)
		if err != nil {
			return nil, fmt.Errorf("get %v: %w", ref, err)
		}
		if located {
			r.cache.put(key, o)
		}
		return o, nil
	}
	return nil, nil
}

// readObjectAt reads the indirect object at off and checks its number.
func (r *Reader) readObjectAt(off int64, ref Ref, depth int) (Object, error) {
	got, o, _, err := r.parseIndirectAt(off, depth)
	if err != nil {
		return nil, err
	}
	if got.Num != ref.Num {
		return nil, fmt.Errorf("object at %d is %v, not %v: %w", off, got, ref, errNotThere)
	}
	return o, nil
}

// parseIndirectAt parses "N G obj … endobj" at off. It returns the object's
// reference, the object (a *Stream when it has data) and the offset of N.
func (r *Reader) parseIndirectAt(off int64, depth int) (Ref, Object, int64, error) {
	if off < 0 || off >= r.size {
		return Ref{}, nil, 0, fmt.Errorf("offset %d outside the file: %w", off, errNotThere)
	}
	lx := newFileLexer(r.src, r.size, off)
	t1, err := lx.next()
	if err != nil {
		return Ref{}, nil, 0, err
	}
	t2, err := lx.next()
	if err != nil {
		return Ref{}, nil, 0, err
	}
	t3, err := lx.next()
	if err != nil {
		return Ref{}, nil, 0, err
	}
	if t1.kind != tInt || t2.kind != tInt || !t3.isKeyword("obj") ||
		t1.i < 0 || t1.i > math.MaxUint32 || t2.i < 0 || t2.i > 0xFFFF {
		return Ref{}, nil, 0, fmt.Errorf("no object header at %d: %w", off, errNotThere)
	}
	ref := Ref{Num: uint32(t1.i), Gen: uint16(t2.i)}
	p := parser{lx: lx}
	o, err := p.object(0)
	if err != nil {
		return ref, nil, t1.start, fmt.Errorf("parse %v at %d: %w", ref, off, err)
	}
	if _, ok := o.(Operator); ok {
		return ref, nil, t1.start, nil // "N G obj endobj" and the like: null
	}
	d, ok := o.(Dict)
	if !ok {
		return ref, o, t1.start, nil
	}
	kwEnd, ok := lx.keywordAhead("stream")
	if !ok {
		return ref, d, t1.start, nil
	}
	dataStart, err := r.streamStart(kwEnd)
	if err != nil {
		return ref, nil, t1.start, err
	}
	length := int64(-1)
	switch v := d["Length"].(type) {
	case Ref:
		if lo, err := r.get(v, depth+1); err == nil {
			if n, ok := intOf(lo); ok {
				length = n
			}
		}
	default:
		if n, ok := intOf(v); ok {
			length = n
		}
	}
	length, err = r.checkLength(dataStart, length)
	if err != nil {
		return ref, nil, t1.start, fmt.Errorf("stream %v: %w", ref, err)
	}
	return ref, &Stream{Dict: d, Offset: dataStart, Length: length}, t1.start, nil
}

// streamStart returns the offset of the first data byte after the "stream"
// keyword ending at kwEnd: the keyword is followed by CRLF or LF (a lone CR
// and stray spaces before the end of line are tolerated).
func (r *Reader) streamStart(kwEnd int64) (int64, error) {
	b, err := r.readAtMost(kwEnd, 32)
	if err != nil {
		return 0, err
	}
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
		i++
	}
	switch {
	case i+1 < len(b) && b[i] == '\r' && b[i+1] == '\n':
		return kwEnd + int64(i) + 2, nil
	case i < len(b) && (b[i] == '\n' || b[i] == '\r'):
		return kwEnd + int64(i) + 1, nil
	}
	return kwEnd, nil
}

// checkLength verifies that "endstream" follows start+length and otherwise
// finds the real length by searching for "endstream".
func (r *Reader) checkLength(start, length int64) (int64, error) {
	if length >= 0 && length <= r.size-start {
		b, err := r.readAtMost(start+length, 32)
		if err != nil {
			return 0, err
		}
		b = bytes.TrimLeft(b, " \t\r\n\f\x00")
		if bytes.HasPrefix(b, []byte("endstream")) || (len(b) == 0 && start+length == r.size) {
			return length, nil
		}
	}
	r.mu.Lock()
	fixed, ok := r.lengthFix[start]
	r.mu.Unlock()
	if ok {
		return fixed, nil
	}
	found := int64(-1)
	err := scanFile(r.src, start, r.size, []byte("endstream"), 0, 0, func(_ []byte, _ int, off int64) bool {
		found = off
		return false
	})
	if err != nil {
		return 0, err
	}
	if found < 0 {
		if length >= 0 && length <= r.size-start {
			return length, nil
		}
		return r.size - start, nil
	}
	n := found - start
	if tail, err := r.readAtMost(max(start, found-2), int(min(2, n))); err == nil {
		switch {
		case bytes.HasSuffix(tail, []byte("\r\n")):
			n -= 2
		case bytes.HasSuffix(tail, []byte("\n")), bytes.HasSuffix(tail, []byte("\r")):
			n--
		}
	}
	r.mu.Lock()
	if len(r.lengthFix) < lengthFixMax {
		r.lengthFix[start] = n
	}
	r.mu.Unlock()
	return n, nil
}

func (r *Reader) fromObjStm(stmNum uint32, index int64, num uint32, depth int) (Object, error) {
	os, err := r.objStm(stmNum, depth+1)
	if err != nil {
		return nil, err
	}
	i := -1
	if index >= 0 && index < int64(len(os.nums)) && os.nums[index] == num {
		i = int(index)
	} else {
		i = slices.Index(os.nums, num)
	}
	if i < 0 {
		return nil, nil
	}
	off := os.first + os.offs[i]
	if off < 0 || off > int64(len(os.data)) {
		return nil, fmt.Errorf("object stream %d: offset of object %d out of range", stmNum, num)
	}
	lx := newMemLexer(os.data)
	lx.seek(off)
	p := parser{lx: lx}
	o, err := p.object(0)
	if err != nil {
		return nil, fmt.Errorf("object stream %d: object %d: %w", stmNum, num, err)
	}
	if _, ok := o.(Operator); ok {
		return nil, nil
	}
	return o, nil
}

func (r *Reader) objStm(num uint32, depth int) (*objStm, error) {
	r.mu.Lock()
	os, ok := r.objStms[num]
	r.mu.Unlock()
	if ok {
		return os, nil
	}
	e, ok := r.xref[num]
	if !ok || e.typ != 1 {
		return nil, fmt.Errorf("object stream %d not found", num)
	}
	o, err := r.get(Ref{Num: num, Gen: e.gen}, depth+1)
	if err != nil {
		return nil, err
	}
	os, err = r.loadObjStm(o, depth+1)
	if err != nil {
		return nil, fmt.Errorf("object stream %d: %w", num, err)
	}
	r.mu.Lock()
	if _, dup := r.objStms[num]; !dup {
		r.objStms[num] = os
		r.objStmOrder = append(r.objStmOrder, num)
		r.objStmBytes += int64(len(os.data))
		for len(r.objStmOrder) > 1 && (len(r.objStmOrder) > objStmCacheCount || r.objStmBytes > objStmCacheBytes) {
			old := r.objStmOrder[0]
			r.objStmOrder = r.objStmOrder[1:]
			r.objStmBytes -= int64(len(r.objStms[old].data))
			delete(r.objStms, old)
		}
	}
	r.mu.Unlock()
	return os, nil
}

func (r *Reader) loadObjStm(o Object, depth int) (*objStm, error) {
	s, ok := o.(*Stream)
	if !ok {
		return nil, errors.New("not a stream")
	}
	n, ok1 := intOf(s.Dict["N"])
	first, ok2 := intOf(s.Dict["First"])
	if !ok1 || !ok2 || n < 0 || first < 0 {
		return nil, errors.New("bad /N or /First")
	}
	data, err := r.streamData(s, depth+1)
	if err != nil {
		return nil, err
	}
	if first > int64(len(data)) {
		return nil, errors.New("/First beyond the data")
	}
	os := &objStm{data: data, first: first}
	capHint := min(n, first/4+1, 1<<16)
	os.nums = make([]uint32, 0, capHint)
	os.offs = make([]int64, 0, capHint)
	lx := newMemLexer(data[:first])
	for i := int64(0); i < n; i++ {
		a, err1 := lx.next()
		b, err2 := lx.next()
		if err1 != nil || err2 != nil || a.kind != tInt || b.kind != tInt ||
			a.i < 0 || a.i > math.MaxUint32 || b.i < 0 {
			break
		}
		os.nums = append(os.nums, uint32(a.i))
		os.offs = append(os.offs, b.i)
	}
	return os, nil
}

// Resolve follows o while it is a Ref (at most 32 steps) and returns the
// object reached; other objects are returned as they are.
func (r *Reader) Resolve(o Object) (Object, error) {
	return r.resolve(o, 0)
}

func (r *Reader) resolve(o Object, depth int) (Object, error) {
	for i := 0; ; i++ {
		ref, ok := o.(Ref)
		if !ok {
			return o, nil
		}
		if i+depth > maxResolveDepth {
			return nil, fmt.Errorf("resolve %v: reference chain too long", ref)
		}
		var err error
		o, err = r.get(ref, depth+i)
		if err != nil {
			return nil, err
		}
	}
}

// ResolveDict resolves o and returns it as a dictionary: a nil Dict and no
// error when o is null or points to a free or absent object, an error when
// it is anything else. A stream's dictionary is not returned: that is an
// error too.
func (r *Reader) ResolveDict(o Object) (Dict, error) {
	v, err := r.Resolve(o)
	if err != nil {
		return nil, err
	}
	switch d := v.(type) {
	case nil:
		return nil, nil
	case Dict:
		return d, nil
	}
	return nil, fmt.Errorf("expected a dictionary, found %s", typeName(v))
}

func typeName(o Object) string {
	switch o.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case int64:
		return "integer"
	case float64:
		return "real"
	case Name:
		return "name"
	case String:
		return "string"
	case Array:
		return "array"
	case Dict:
		return "dictionary"
	case Ref:
		return "reference"
	case *Stream:
		return "stream"
	}
	return fmt.Sprintf("%T", o)
}

// RawStream returns the raw (still encoded) bytes of s, read from the file
// on demand.
func (r *Reader) RawStream(s *Stream) io.Reader {
	off, n := s.Offset, s.Length
	if off < 0 || off > r.size {
		off, n = r.size, 0
	}
	if n < 0 || n > r.size-off {
		n = r.size - off
	}
	return io.NewSectionReader(r.src, off, n)
}

// Catalog returns the document catalog (/Root of the newest trailer that
// has one) and its reference.
func (r *Reader) Catalog() (Dict, Ref, error) {
	for _, t := range r.trailers {
		root, ok := t["Root"]
		if !ok {
			continue
		}
		ref, _ := root.(Ref)
		d, err := r.ResolveDict(root)
		if err != nil {
			return nil, ref, fmt.Errorf("catalog: %w", err)
		}
		if d == nil {
			return nil, ref, fmt.Errorf("catalog: /Root %v is missing", ref)
		}
		return d, ref, nil
	}
	return nil, Ref{}, errors.New("catalog: trailer has no /Root")
}
