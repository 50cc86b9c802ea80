package pdf

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
)

const scanChunk = 64 << 10

// scanFile calls fn for each occurrence of pat that starts in [from, to), in
// file order, until fn returns false. fn gets a window of the file, the
// index of the match in it and the match's file offset; the window holds up
// to `before` bytes before the match and `after` bytes after it (less at the
// ends of the range). Memory use is bounded by the chunk size.
func scanFile(src io.ReaderAt, from, to int64, pat []byte, before, after int, fn func(win []byte, i int, off int64) bool) error {
	if from < 0 {
		from = 0
	}
	if to <= from {
		return nil
	}
	buf := make([]byte, min(int64(before+scanChunk+len(pat)+after), to-from))
	for pos := from; pos < to; {
		winOff := max(from, pos-int64(before))
		end := min(to, pos+scanChunk+int64(len(pat)+after))
		n, err := src.ReadAt(buf[:end-winOff], winOff)
		if n < int(end-winOff) && err != nil && err != io.EOF {
			return err
		}
		win := buf[:n]
		limit := pos + scanChunk
		for i := int(pos - winOff); i < len(win); {
			j := bytes.Index(win[i:], pat)
			if j < 0 {
				break
			}
			k := i + j
			if winOff+int64(k) >= limit {
				break
			}
			if !fn(win, k, winOff+int64(k)) {
				return nil
			}
			i = k + 1
		}
		if n < int(end-winOff) {
			return nil // the file is shorter than it claimed
		}
		pos = limit
	}
	return nil
}

// EOFOffsets returns, in ascending order, the offset just past every
// "%%EOF" marker in the file and the end of line that follows it (CR LF, LF
// or CR): the ends of the file's revisions. The file is scanned once, on
// the first call, with bounded memory. Markers inside stream data (an
// embedded PDF, for example) are reported too. On a read error the offsets
// found before it are returned.
func (r *Reader) EOFOffsets() []int64 {
	r.eofOnce.Do(func() {
		pat := []byte("%%EOF")
		r.eofErr = scanFile(r.src, 0, r.size, pat, 0, 2, func(win []byte, i int, off int64) bool {
			end := off + int64(len(pat))
			rest := win[i+len(pat):]
			switch {
			case bytes.HasPrefix(rest, []byte("\r\n")):
				end += 2
			case bytes.HasPrefix(rest, []byte("\n")), bytes.HasPrefix(rest, []byte("\r")):
				end++
			}
			r.eofs = append(r.eofs, end)
			return true
		})
	})
	return slices.Clone(r.eofs)
}

// scanIndex returns the offsets of object headers found by scanning the
// whole file (the last definition of a number wins). It is computed once.
func (r *Reader) scanIndex() map[uint32]int64 {
	r.scanOnce.Do(func() {
		r.scanned = map[uint32]int64{}
		r.scanObjects(func(num uint32, gen uint16, off int64, _ []byte) {
			r.scanned[num] = off
		})
	})
	return r.scanned
}

// scanObjects reports every "N G obj" header in the file with up to 1 KiB of
// the text that follows it.
func (r *Reader) scanObjects(fn func(num uint32, gen uint16, off int64, head []byte)) error {
	return scanFile(r.src, 0, r.size, []byte("obj"), 40, 1024, func(win []byte, i int, off int64) bool {
		winStart := off - int64(i)
		num, gen, hs, ok := objHeaderBefore(win, i, winStart == 0)
		if ok {
			fn(num, gen, winStart+int64(hs), win[i+3:])
		}
		return true
	})
}

// objectHead is the text after an object header up to its stream data or
// its end, for quick classification while scanning.
func objectHead(b []byte) []byte {
	for _, kw := range [][]byte{[]byte("stream"), []byte("endobj")} {
		if i := bytes.Index(b, kw); i >= 0 {
			b = b[:i]
		}
	}
	return b
}

// repair rebuilds the cross-reference data by scanning the file for object
// headers, object streams, trailers and cross-reference streams.
//
// When the xref chain was partly read (a broken older section), entries
// already known are kept and scanning only fills gaps. When the chain was
// read but the catalog does not resolve (rootBroken), scanned entries win.
func (r *Reader) repair(rootBroken bool) error {
	type def struct {
		e   xrefEntry
		pos int64 // where the definition is; later wins
	}
	defs := map[uint32]def{}
	var objStms, xrefStms, catalogs []int64
	err := r.scanObjects(func(num uint32, gen uint16, off int64, head []byte) {
		defs[num] = def{xrefEntry{typ: 1, gen: gen, off: off}, off}
		h := objectHead(head)
		switch {
		case bytes.Contains(h, []byte("/ObjStm")):
			objStms = append(objStms, off)
		case bytes.Contains(h, []byte("/XRef")):
			xrefStms = append(xrefStms, off)
		case bytes.Contains(h, []byte("/Catalog")):
			catalogs = append(catalogs, off)
		}
	})
	if err != nil {
		return fmt.Errorf("scan objects: %w", err)
	}
	type trailerAt struct {
		pos int64
		d   Dict
	}
	var trailers []trailerAt
	err = scanFile(r.src, 0, r.size, []byte("trailer"), 1, 8, func(win []byte, i int, off int64) bool {
		if i > 0 && isRegular(win[i-1]) || i+7 < len(win) && isRegular(win[i+7]) {
			return true
		}
		lx := newFileLexer(r.src, r.size, off+7)
		p := parser{lx: lx}
		if o, err := p.object(0); err == nil {
			if d, ok := o.(Dict); ok {
				trailers = append(trailers, trailerAt{off, d})
			}
		}
		return true
	})
	if err != nil {
		return fmt.Errorf("scan trailers: %w", err)
	}
	if len(defs) == 0 && len(trailers) == 0 {
		return errors.New("no objects found")
	}

	// Use the scanned headers while reading object streams.
	saved := r.xref
	scanned := make(map[uint32]xrefEntry, len(defs))
	for num, d := range defs {
		scanned[num] = d.e
	}
	r.xref = scanned
	for _, off := range objStms {
		ref, o, _, err := r.parseIndirectAt(off, 0)
		if err != nil {
			continue
		}
		os, err := r.loadObjStm(o, 0)
		if err != nil {
			continue
		}
		if d, ok := defs[ref.Num]; !ok || d.pos != off {
			continue // superseded by a later object with the same number
		}
		for idx, num := range os.nums {
			if d, ok := defs[num]; ok && d.pos > off {
				continue
			}
			defs[num] = def{xrefEntry{typ: 2, stm: ref.Num, off: int64(idx)}, off}
		}
	}
	for _, off := range xrefStms {
		if _, o, _, err := r.parseIndirectAt(off, 0); err == nil {
			if s, ok := o.(*Stream); ok {
				trailers = append(trailers, trailerAt{off, s.Dict})
			}
		}
	}
	slices.SortStableFunc(trailers, func(a, b trailerAt) int {
		switch {
		case a.pos < b.pos:
			return -1
		case a.pos > b.pos:
			return 1
		}
		return 0
	})

	// Merge with what the xref chain gave.
	merged := make(map[uint32]xrefEntry, len(defs)+len(saved))
	for num, d := range defs {
		merged[num] = d.e
	}
	if !rootBroken {
		for num, e := range saved {
			if e.typ != 0 {
				merged[num] = e
			}
		}
	}
	r.xref = merged
	r.mu.Lock()
	r.objStms = map[uint32]*objStm{}
	r.objStmOrder = nil
	r.objStmBytes = 0
	r.mu.Unlock()
	r.repaired.Store(true)

	// Choose the trailer: the chain's if its catalog resolves now, else the
	// last scanned one whose /Root resolves, else a found catalog object.
	if len(r.trailers) > 0 {
		if _, _, err := r.Catalog(); err == nil || errors.Is(err, ErrEncrypted) {
			return nil
		}
	}
	var chosen Dict
	for i := len(trailers) - 1; i >= 0; i-- {
		d := trailers[i].d
		if root, ok := d["Root"]; ok {
			if c, err := r.ResolveDict(root); err == nil && c != nil {
				chosen = d
				break
			}
		}
	}
	if chosen == nil {
		for i := len(catalogs) - 1; i >= 0; i-- {
			ref, o, _, err := r.parseIndirectAt(catalogs[i], 0)
			if err != nil {
				continue
			}
			if d, ok := o.(Dict); ok && d["Type"] == Name("Catalog") {
				chosen = Dict{"Root": ref}
				break
			}
		}
	}
	if chosen == nil {
		// Nothing resolves; keep the newest trailer for what it says.
		chosen = Dict{}
		if len(trailers) > 0 {
			chosen = trailers[len(trailers)-1].d
		}
	} else {
		chosen = cloneDict(chosen)
	}
	for _, k := range []Name{"Info", "ID", "Encrypt"} {
		if _, ok := chosen[k]; ok {
			continue
		}
		for i := len(trailers) - 1; i >= 0; i-- {
			if v, ok := trailers[i].d[k]; ok {
				chosen[k] = v
				break
			}
		}
	}
	r.trailers = append([]Dict{chosen}, r.trailers...)
	return nil
}

func cloneDict(d Dict) Dict {
	c := make(Dict, len(d))
	for k, v := range d {
		c[k] = v
	}
	return c
}
