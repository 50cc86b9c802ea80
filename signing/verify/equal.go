package verify

import (
	"bytes"
	"io"

	"github.com/vanthuso/vanthu/signing/pdf"
)

// Limits of value comparison.
const (
	maxSameNodes     = 50000    // PDF values compared per top-level comparison
	maxSameDepth     = 64       // nesting followed
	maxCompareDecode = 64 << 20 // decoded bytes compared when two streams are encoded differently
	maxCompareStream = 256 << 20
)

// same reports whether a (a value of the signed revision) and b (of the
// final document) are the same PDF value, whatever their spelling: numbers
// by value (612 and 612.0), dictionaries by their entries whatever the
// order, strings by their bytes (literal or hexadecimal), streams by their
// dictionary and their data (decoded when they are encoded differently).
// References to the same object are the same value (a redefinition of that
// object is judged on its own); references to different objects, or a
// reference and a direct value, are compared by what they hold, so an equal
// dictionary rewritten as a new object is no change. The comparison is
// bounded; past the bounds it answers "different", which is the safe side.
func (c *comparer) same(a, b pdf.Object) bool {
	budget := maxSameNodes
	return c.sameValue(a, b, &budget, 0, map[[2]pdf.Ref]bool{})
}

func (c *comparer) sameValue(a, b pdf.Object, budget *int, depth int, pairs map[[2]pdf.Ref]bool) bool {
	*budget--
	if *budget < 0 || depth > maxSameDepth {
		return false
	}
	ra, refA := a.(pdf.Ref)
	rb, refB := b.(pdf.Ref)
	if refA && refB {
		if ra == rb {
			return true
		}
		key := [2]pdf.Ref{ra, rb}
		if pairs[key] {
			return true // a cycle already being compared
		}
		pairs[key] = true
	}
	if refA {
		a = c.oldResolve(ra)
	}
	if refB {
		b = c.curResolve(rb)
	}
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case int64:
		switch y := b.(type) {
		case int64:
			return x == y
		case float64:
			return float64(x) == y
		}
		return false
	case float64:
		switch y := b.(type) {
		case int64:
			return x == float64(y)
		case float64:
			return x == y
		}
		return false
	case pdf.Name:
		y, ok := b.(pdf.Name)
		return ok && x == y
	case pdf.String:
		y, ok := b.(pdf.String)
		return ok && bytes.Equal(x, y)
	case pdf.Array:
		y, ok := b.(pdf.Array)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !c.sameValue(x[i], y[i], budget, depth+1, pairs) {
				return false
			}
		}
		return true
	case pdf.Dict:
		y, ok := b.(pdf.Dict)
		return ok && c.sameDict(x, y, nil, budget, depth, pairs)
	case *pdf.Stream:
		y, ok := b.(*pdf.Stream)
		return ok && c.sameStream(x, y, budget, depth, pairs)
	}
	return false
}

// sameDict compares two dictionaries entry by entry, leaving out the keys
// in skip. A missing entry and a null entry are the same (ISO 32000-1,
// 7.3.7).
func (c *comparer) sameDict(x, y pdf.Dict, skip map[pdf.Name]bool, budget *int, depth int, pairs map[[2]pdf.Ref]bool) bool {
	for k, v := range x {
		if skip[k] {
			continue
		}
		if !c.sameValue(v, y[k], budget, depth+1, pairs) {
			return false
		}
	}
	for k, v := range y {
		if skip[k] {
			continue
		}
		if _, ok := x[k]; !ok && !c.sameValue(nil, v, budget, depth+1, pairs) {
			return false
		}
	}
	return true
}

var streamEncodingKeys = map[pdf.Name]bool{"Length": true, "Filter": true, "DecodeParms": true, "DL": true}

// sameStream compares stream dictionaries (encoding aside) and data: raw
// bytes when both are encoded alike, decoded bytes otherwise.
func (c *comparer) sameStream(x, y *pdf.Stream, budget *int, depth int, pairs map[[2]pdf.Ref]bool) bool {
	if !c.sameDict(x.Dict, y.Dict, streamEncodingKeys, budget, depth, pairs) {
		return false
	}
	alike := c.sameValue(x.Dict["Filter"], y.Dict["Filter"], budget, depth+1, pairs) &&
		c.sameValue(x.Dict["DecodeParms"], y.Dict["DecodeParms"], budget, depth+1, pairs)
	if alike && x.Length == y.Length {
		if x.Length > maxCompareStream {
			return false
		}
		return sameReaders(c.old.RawStream(x), c.cur.RawStream(y))
	}
	if x.Length > maxCompareDecode || y.Length > maxCompareDecode {
		return false
	}
	a, err1 := c.old.StreamData(x)
	b, err2 := c.cur.StreamData(y)
	return err1 == nil && err2 == nil && len(a) <= maxCompareDecode && bytes.Equal(a, b)
}

func sameReaders(ra, rb io.Reader) bool {
	var x, y [32 << 10]byte
	for {
		n, errA := io.ReadFull(ra, x[:])
		m, errB := io.ReadFull(rb, y[:])
		if n != m || !bytes.Equal(x[:n], y[:m]) {
			return false
		}
		if errA != nil || errB != nil {
			return (errA == nil) == (errB == nil)
		}
	}
}
