package pdf

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"slices"
	"strings"
)

// builder writes small PDFs for tests, one revision at a time.
type builder struct {
	buf   bytes.Buffer
	eol   string
	offs  map[uint32]int64     // uncompressed objects of the current revision
	gens  map[uint32]uint16    // their generations
	comp  map[uint32][2]uint32 // compressed objects: stream number, index
	free  map[uint32]uint16    // objects freed in this revision: next generation
	prev  int64                // offset of the previous xref section, -1 if none
	first bool
}

func newBuilder() *builder {
	b := &builder{eol: "\n", prev: -1}
	b.buf.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	b.reset()
	return b
}

func (b *builder) reset() {
	b.offs = map[uint32]int64{}
	b.gens = map[uint32]uint16{}
	b.comp = map[uint32][2]uint32{}
	b.free = map[uint32]uint16{}
}

func (b *builder) printf(format string, args ...any) {
	fmt.Fprintf(&b.buf, format, args...)
}

// obj writes "num gen obj body endobj".
func (b *builder) objGen(num uint32, gen uint16, body string) {
	b.offs[num] = int64(b.buf.Len())
	b.gens[num] = gen
	b.printf("%d %d obj%s%s%sendobj%s", num, gen, b.eol, body, b.eol, b.eol)
}

func (b *builder) obj(num uint32, body string) { b.objGen(num, 0, body) }

// stream writes a stream object; dict is the dictionary's inside without
// /Length, which is added.
func (b *builder) stream(num uint32, dict string, data []byte) {
	b.offs[num] = int64(b.buf.Len())
	b.gens[num] = 0
	b.printf("%d 0 obj%s<<%s /Length %d>>%sstream\r\n", num, b.eol, dict, len(data), b.eol)
	b.buf.Write(data)
	b.printf("%sendstream%sendobj%s", b.eol, b.eol, b.eol)
}

func deflate(data []byte) []byte {
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	w.Write(data)
	w.Close()
	return z.Bytes()
}

// objStm writes an object stream holding objs (number -> body) in order of
// the numbers.
func (b *builder) objStm(num uint32, objs map[uint32]string) {
	nums := make([]uint32, 0, len(objs))
	for n := range objs {
		nums = append(nums, n)
	}
	slices.Sort(nums)
	var head, body strings.Builder
	for i, n := range nums {
		fmt.Fprintf(&head, "%d %d ", n, body.Len())
		body.WriteString(objs[n])
		body.WriteString("\n")
		b.comp[n] = [2]uint32{num, uint32(i)}
	}
	data := head.String() + body.String()
	b.stream(num, fmt.Sprintf("/Type /ObjStm /N %d /First %d /Filter /FlateDecode", len(nums), head.Len()), deflate([]byte(data)))
}

func (b *builder) freeObj(num uint32, nextGen uint16) { b.free[num] = nextGen }

// entries returns the revision's object numbers in order, object 0 included
// for the first revision.
func (b *builder) entries() []uint32 {
	set := map[uint32]bool{}
	for n := range b.offs {
		set[n] = true
	}
	for n := range b.comp {
		set[n] = true
	}
	for n := range b.free {
		set[n] = true
	}
	if b.prev < 0 {
		set[0] = true
	}
	nums := make([]uint32, 0, len(set))
	for n := range set {
		nums = append(nums, n)
	}
	slices.Sort(nums)
	return nums
}

// subsections groups sorted numbers into runs.
func subsections(nums []uint32) [][]uint32 {
	var out [][]uint32
	for i := 0; i < len(nums); {
		j := i + 1
		for j < len(nums) && nums[j] == nums[j-1]+1 {
			j++
		}
		out = append(out, nums[i:j])
		i = j
	}
	return out
}

// xrefTable ends the revision with a classic table; trailer holds the
// trailer dictionary's entries (without /Prev, which is added). entryEOL is
// the two bytes ending each 20-byte entry.
func (b *builder) xrefTable(trailer, entryEOL string) int64 {
	off := int64(b.buf.Len())
	b.printf("xref%s", b.eol)
	for _, sub := range subsections(b.entries()) {
		b.printf("%d %d%s", sub[0], len(sub), b.eol)
		for _, n := range sub {
			switch {
			case n == 0 && b.prev < 0:
				b.printf("%010d %05d f%s", 0, 65535, entryEOL)
			case b.free[n] != 0 || hasKey(b.free, n):
				b.printf("%010d %05d f%s", 0, b.free[n], entryEOL)
			default:
				b.printf("%010d %05d n%s", b.offs[n], b.gens[n], entryEOL)
			}
		}
	}
	prev := ""
	if b.prev >= 0 {
		prev = fmt.Sprintf(" /Prev %d", b.prev)
	}
	b.printf("trailer%s<<%s%s>>%sstartxref%s%d%s%%%%EOF%s", b.eol, trailer, prev, b.eol, b.eol, off, b.eol, b.eol)
	b.prev = off
	b.reset()
	return off
}

func hasKey[K comparable, V any](m map[K]V, k K) bool {
	_, ok := m[k]
	return ok
}

// xrefStream ends the revision with a cross-reference stream numbered num.
func (b *builder) xrefStream(num uint32, trailer string) int64 {
	off := int64(b.buf.Len())
	b.offs[num] = off
	b.gens[num] = 0
	nums := b.entries()
	var data []byte
	row := func(typ byte, f2 int64, f3 uint16) {
		data = append(data, typ, byte(f2>>16), byte(f2>>8), byte(f2), byte(f3>>8), byte(f3))
	}
	for _, n := range nums {
		switch {
		case n == 0 && b.prev < 0:
			row(0, 0, 0xFFFF)
		case hasKey(b.free, n):
			row(0, 0, b.free[n])
		case hasKey(b.comp, n):
			row(2, int64(b.comp[n][0]), uint16(b.comp[n][1]))
		default:
			row(1, b.offs[n], b.gens[n])
		}
	}
	var index []string
	for _, sub := range subsections(nums) {
		index = append(index, fmt.Sprintf("%d %d", sub[0], len(sub)))
	}
	prev := ""
	if b.prev >= 0 {
		prev = fmt.Sprintf(" /Prev %d", b.prev)
	}
	enc := deflate(data)
	b.printf("%d 0 obj%s<</Type /XRef /W [1 3 2] /Index [%s] /Filter /FlateDecode /Length %d%s%s>>%sstream\r\n",
		num, b.eol, strings.Join(index, " "), len(enc), prev, trailer, b.eol)
	b.buf.Write(enc)
	b.printf("%sendstream%sendobj%sstartxref%s%d%s%%%%EOF%s", b.eol, b.eol, b.eol, b.eol, off, b.eol, b.eol)
	b.prev = off
	b.reset()
	return off
}

func (b *builder) bytes() []byte { return bytes.Clone(b.buf.Bytes()) }

// basicDoc writes a catalog (1), a page tree (2) with n pages (10, 11, …)
// and an info dictionary (3) in the current revision.
func (b *builder) basicDoc(n int) {
	var kids []string
	for i := range n {
		kids = append(kids, fmt.Sprintf("%d 0 R", 10+i))
	}
	b.obj(1, "<< /Type /Catalog /Pages 2 0 R >>")
	b.obj(2, fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d /MediaBox [0 0 595.276 841.89] >>", strings.Join(kids, " "), n))
	b.obj(3, "<< /Title (v1) >>")
	for i := range n {
		b.obj(uint32(10+i), "<< /Type /Page /Parent 2 0 R >>")
	}
}
