package pdf

import (
	"fmt"
	"strconv"
)

// Object is one PDF value as read from a file. Its dynamic type is one of:
//
//	nil      the null object
//	bool     true, false
//	int64    integer
//	float64  real
//	Name     /Name (decoded: #xx escapes resolved)
//	String   literal or hexadecimal string (decoded bytes)
//	Array    [ … ]
//	Dict     << … >>
//	Ref      N G R
//	*Stream  a stream object (only as the value of an indirect object)
type Object any

// Name is a PDF name without the leading slash, with #xx escapes decoded.
type Name string

// String is the decoded bytes of a PDF string (literal or hexadecimal).
type String []byte

// Array is a PDF array.
type Array []Object

// Dict is a PDF dictionary.
type Dict map[Name]Object

// Ref is an indirect reference.
type Ref struct {
	Num uint32
	Gen uint16
}

// String formats r as "N G R".
func (r Ref) String() string {
	return strconv.FormatUint(uint64(r.Num), 10) + " " + strconv.FormatUint(uint64(r.Gen), 10) + " R"
}

// Stream is a stream object. Its data is not held in memory: Offset is the
// absolute file offset of the first data byte, Length the number of raw
// (still encoded) bytes. Read it with Reader.StreamData or Reader.RawStream.
type Stream struct {
	Dict   Dict
	Offset int64
	Length int64
}

// Rect is a rectangle in PDF user space: lower-left and upper-right corners.
type Rect struct {
	LLX, LLY, URX, URY float64
}

// Width returns URX-LLX.
func (r Rect) Width() float64 { return r.URX - r.LLX }

// Height returns URY-LLY.
func (r Rect) Height() float64 { return r.URY - r.LLY }

// Normalize returns r with LL <= UR on both axes.
func (r Rect) Normalize() Rect {
	if r.LLX > r.URX {
		r.LLX, r.URX = r.URX, r.LLX
	}
	if r.LLY > r.URY {
		r.LLY, r.URY = r.URY, r.LLY
	}
	return r
}

// String formats r as a PDF array "[llx lly urx ury]".
func (r Rect) String() string {
	return fmt.Sprintf("[%s %s %s %s]", FormatReal(r.LLX), FormatReal(r.LLY), FormatReal(r.URX), FormatReal(r.URY))
}

// PageGeometry is what a stamp needs to know about a page to place itself.
type PageGeometry struct {
	Number   int  // 1-based page number
	MediaBox Rect // inherited value resolved
	CropBox  Rect // defaults to MediaBox
	Rotate   int  // normalised to 0, 90, 180 or 270 (clockwise, as /Rotate)
}

// Visible returns the crop box clipped to the media box: the area a viewer shows.
func (g PageGeometry) Visible() Rect {
	c, m := g.CropBox.Normalize(), g.MediaBox.Normalize()
	if c.Width() == 0 || c.Height() == 0 {
		return m
	}
	r := Rect{max(c.LLX, m.LLX), max(c.LLY, m.LLY), min(c.URX, m.URX), min(c.URY, m.URY)}
	if r.Width() <= 0 || r.Height() <= 0 {
		return m
	}
	return r
}

// ObjectWriter receives new indirect objects for an incremental update.
// Objects are written in call order; a parent is written after the children
// it references, so object graphs handed to it must be acyclic.
type ObjectWriter interface {
	// WriteObject writes one indirect object whose body is PDF syntax
	// (for example "<< /Type /Font … >>") and returns its reference.
	WriteObject(body []byte) (Ref, error)
	// WriteStream writes a stream object. dict holds the dictionary's entries
	// without the enclosing "<<" ">>" and without /Length (the writer adds
	// it); data is written as given (already encoded, with /Filter in dict
	// if it is compressed).
	WriteStream(dict []byte, data []byte) (Ref, error)
}

// Appearance is one visible mark to add with a signature: where it goes and
// how to write the form XObject that paints it.
type Appearance struct {
	Page int  // 1-based
	Rect Rect // annotation rectangle in the page's default user space (unrotated)
	// Write writes the normal appearance (/AP /N) form XObject and everything
	// it references and returns the XObject's reference. The XObject must be
	// drawn so that it looks upright to a reader of the page as displayed,
	// i.e. it compensates g.Rotate (by a /Matrix or by its content).
	Write func(w ObjectWriter, g PageGeometry) (Ref, error)
}
