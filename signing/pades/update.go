package pades

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"sort"
	"strconv"

	"github.com/vanthuso/vanthu/signing/pdf"
)

// update collects the objects of one incremental update in memory. The
// update is small (a signature dictionary, a widget, a few rewritten
// dictionaries, appearance streams), so holding it is fine; the original
// file is never held. Offsets recorded here are relative to the start of
// the update; base is the length of the original file plus any separator.
type update struct {
	buf     bytes.Buffer
	base    int64             // absolute offset of buf[0] in the output file
	next    uint32            // next free object number
	offsets map[uint32]int64  // object number -> absolute offset
	gens    map[uint32]uint16 // generation of rewritten objects
}

func newUpdate(base int64, firstFree uint32) *update {
	return &update{base: base, next: firstFree, offsets: map[uint32]int64{}, gens: map[uint32]uint16{}}
}

// alloc reserves a new object number.
func (u *update) alloc() pdf.Ref {
	r := pdf.Ref{Num: u.next}
	u.next++
	return r
}

// pos returns the absolute output offset of the next byte written.
func (u *update) pos() int64 { return u.base + int64(u.buf.Len()) }

// begin starts indirect object ref.
func (u *update) begin(ref pdf.Ref) {
	u.offsets[ref.Num] = u.pos()
	u.gens[ref.Num] = ref.Gen
	fmt.Fprintf(&u.buf, "%d %d obj\n", ref.Num, ref.Gen)
}

func (u *update) end() { u.buf.WriteString("\nendobj\n") }

// put writes obj (any pdf.Object except a stream) as indirect object ref.
func (u *update) put(ref pdf.Ref, obj pdf.Object) {
	u.begin(ref)
	u.buf.Write(pdf.AppendObject(nil, obj))
	u.end()
}

// WriteObject implements pdf.ObjectWriter.
func (u *update) WriteObject(body []byte) (pdf.Ref, error) {
	ref := u.alloc()
	u.begin(ref)
	u.buf.Write(body)
	u.end()
	return ref, nil
}

// WriteStream implements pdf.ObjectWriter.
func (u *update) WriteStream(dict []byte, data []byte) (pdf.Ref, error) {
	ref := u.alloc()
	u.begin(ref)
	u.buf.WriteString("<<")
	u.buf.Write(dict)
	fmt.Fprintf(&u.buf, " /Length %d >>\nstream\n", len(data))
	u.buf.Write(data)
	u.buf.WriteString("\nendstream")
	u.end()
	return ref, nil
}

// trailerInfo is what the new trailer carries over from the original.
type trailerInfo struct {
	size    uint32
	prev    int64
	root    pdf.Ref
	info    pdf.Object // Ref or nil
	id      pdf.Array  // new /ID (first element kept from the original)
	xrefStm bool       // write a cross-reference stream instead of a table
}

// finish writes the cross-reference section and trailer.
func (u *update) finish(t trailerInfo) {
	size := max(t.size, u.next)
	if t.xrefStm {
		u.finishStream(t, size)
		return
	}
	nums := u.sortedNums()
	start := u.pos()
	u.buf.WriteString("xref\n")
	for i := 0; i < len(nums); {
		j := i + 1
		for j < len(nums) && nums[j] == nums[j-1]+1 {
			j++
		}
		fmt.Fprintf(&u.buf, "%d %d\n", nums[i], j-i)
		for _, n := range nums[i:j] {
			fmt.Fprintf(&u.buf, "%010d %05d n\r\n", u.offsets[n], u.gens[n])
		}
		i = j
	}
	tr := pdf.Dict{"Size": int64(size), "Prev": t.prev, "Root": t.root}
	if t.info != nil {
		tr["Info"] = t.info
	}
	if t.id != nil {
		tr["ID"] = t.id
	}
	u.buf.WriteString("trailer\n")
	u.buf.Write(pdf.AppendObject(nil, tr))
	fmt.Fprintf(&u.buf, "\nstartxref\n%d\n%%%%EOF\n", start)
}

// finishStream writes a cross-reference stream (PDF 1.5) for files whose
// newest section is one; readers that chose streams expect streams.
func (u *update) finishStream(t trailerInfo, size uint32) {
	ref := u.alloc()
	size = max(size, u.next)
	start := u.pos()
	u.offsets[ref.Num] = start
	u.gens[ref.Num] = 0
	nums := u.sortedNums()
	offW := 4
	if start > 0xFFFFFFFF {
		offW = 8
	}
	var data bytes.Buffer
	var index pdf.Array
	for i := 0; i < len(nums); {
		j := i + 1
		for j < len(nums) && nums[j] == nums[j-1]+1 {
			j++
		}
		index = append(index, int64(nums[i]), int64(j-i))
		for _, n := range nums[i:j] {
			data.WriteByte(1)
			var b [8]byte
			binary.BigEndian.PutUint64(b[:], uint64(u.offsets[n]))
			data.Write(b[8-offW:])
			binary.BigEndian.PutUint16(b[:2], u.gens[n])
			data.Write(b[:2])
		}
		i = j
	}
	d := pdf.Dict{
		"Type":  pdf.Name("XRef"),
		"Size":  int64(size),
		"Prev":  t.prev,
		"Root":  t.root,
		"W":     pdf.Array{int64(1), int64(offW), int64(2)},
		"Index": index,
	}
	if t.info != nil {
		d["Info"] = t.info
	}
	if t.id != nil {
		d["ID"] = t.id
	}
	d["Length"] = int64(data.Len())
	fmt.Fprintf(&u.buf, "%d 0 obj\n", ref.Num)
	u.buf.Write(pdf.AppendObject(nil, d))
	u.buf.WriteString("\nstream\n")
	u.buf.Write(data.Bytes())
	u.buf.WriteString("\nendstream\nendobj\n")
	fmt.Fprintf(&u.buf, "startxref\n%d\n%%%%EOF\n", start)
}

func (u *update) sortedNums() []uint32 {
	nums := make([]uint32, 0, len(u.offsets))
	for n := range u.offsets {
		nums = append(nums, n)
	}
	sort.Slice(nums, func(i, j int) bool { return nums[i] < nums[j] })
	return nums
}

// byteRangeWidth is the fixed width of each /ByteRange number placeholder:
// enough for files up to 10 GB.
const byteRangeWidth = 10

// placeholders records where, inside the update buffer, the signature
// dictionary's /ByteRange and /Contents values sit. We wrote them, so we
// know them; nothing is ever searched for.
type placeholders struct {
	byteRange     int // offset in buf of the first byte after "[0 "
	contentsStart int // offset in buf of '<'
	contentsEnd   int // offset in buf just past '>'
}

// writeSigDict writes the signature dictionary with fixed-size
// placeholders for /ByteRange and /Contents (contentsLen bytes of CMS,
// written as 2*contentsLen hex digits).
func (u *update) writeSigDict(ref pdf.Ref, entries pdf.Dict, contentsLen int) placeholders {
	var p placeholders
	u.begin(ref)
	// Everything except the two placeholders goes through the serializer.
	body := pdf.AppendObject(nil, entries)
	// body is "<<...>>": insert our fields before the closing ">>".
	body = bytes.TrimSpace(body)
	body = body[:len(body)-2]
	u.buf.Write(body)
	u.buf.WriteString(" /ByteRange [0 ")
	p.byteRange = u.buf.Len()
	u.buf.WriteString(strconv.Itoa(0))
	u.buf.Write(bytes.Repeat([]byte{' '}, 3*byteRangeWidth+2-1))
	u.buf.WriteString("] /Contents ")
	p.contentsStart = u.buf.Len()
	u.buf.WriteByte('<')
	u.buf.Write(bytes.Repeat([]byte{'0'}, 2*contentsLen))
	u.buf.WriteByte('>')
	p.contentsEnd = u.buf.Len()
	u.buf.WriteString(" >>")
	u.end()
	return p
}

// fillByteRange writes the final byte range numbers into the placeholder.
func (u *update) fillByteRange(p placeholders, br [4]int64) error {
	s := fmt.Sprintf("%d %d %d", br[1], br[2], br[3])
	room := 3*byteRangeWidth + 2
	if len(s) > room {
		return fmt.Errorf("byte range %v does not fit its placeholder (file larger than 10 GB?)", br)
	}
	b := u.buf.Bytes()
	copy(b[p.byteRange:p.byteRange+room], s+string(bytes.Repeat([]byte{' '}, room-len(s))))
	return nil
}

// fillContents writes the DER signature as hex into the placeholder; the
// rest stays zero padding.
func (u *update) fillContents(p placeholders, der []byte) error {
	room := p.contentsEnd - p.contentsStart - 2
	if 2*len(der) > room {
		return fmt.Errorf("signature of %d bytes does not fit the %d bytes reserved", len(der), room/2)
	}
	const hexdigits = "0123456789ABCDEF"
	b := u.buf.Bytes()[p.contentsStart+1:]
	for i, c := range der {
		b[2*i] = hexdigits[c>>4]
		b[2*i+1] = hexdigits[c&0x0F]
	}
	return nil
}
