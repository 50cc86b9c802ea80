package pdf

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/vanthuso/vanthu/internal/fuzzguard"
)

// fuzzSeeds returns the small real PDFs in testdata (see SOURCES.md) and a
// few synthetic files covering xref streams, object streams, hybrid files
// and repairs.
func fuzzSeeds(f *testing.F) [][]byte {
	paths, err := filepath.Glob("testdata/*.pdf")
	if err != nil || len(paths) == 0 {
		f.Fatalf("no seed PDFs in testdata: %v", err)
	}
	var seeds [][]byte
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, data)
	}
	valid, _ := validFile()
	seeds = append(seeds, valid, crOnly(), offByOne(), shiftObjects(valid))

	b := newBuilder()
	b.objStm(20, map[uint32]string{
		1: "<< /Type /Catalog /Pages 2 0 R >>",
		2: "<< /Type /Pages /Kids [10 0 R] /Count 1 /MediaBox [0 0 10 10] /Rotate 90 >>",
		3: "<< /Title <FEFF0041> >>",
	})
	b.obj(10, "<< /Type /Page /Parent 2 0 R /Contents 11 0 R >>")
	b.stream(11, " /Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 4 >>", deflate([]byte{2, 1, 2, 3, 4, 2, 1, 1, 1, 1}))
	b.xrefStream(30, " /Root 1 0 R /Size 31")
	b.objStm(21, map[uint32]string{3: "<< /Title (v2) >>"})
	b.xrefStream(31, " /Root 1 0 R /Size 32")
	return append(seeds, b.bytes())
}

func FuzzOpen(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		defer fuzzguard.Watch(t, fuzzguard.Limit, data)()
		r, err := Open(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		r.SetDecodeLimit(1 << 20)
		_ = r.Trailer()
		_ = r.StartXRef()
		_ = r.XRefIsStream()
		_ = r.Encrypted()
		_ = r.Repaired()
		size := r.Size()
		prev := int64(-1)
		for _, e := range r.EOFOffsets() {
			if e <= prev || e > int64(len(data)) {
				t.Fatalf("EOFOffsets not ascending within the file: %v", r.EOFOffsets())
			}
			prev = e
		}
		for _, x := range r.XRefOffsets() {
			if x < 0 || x >= int64(len(data)) {
				t.Fatalf("XRefOffsets outside the file: %v", r.XRefOffsets())
			}
		}
		r.Catalog()
		if n, err := r.NumPages(); err == nil {
			r.Page(1)
			if n > 1 {
				r.Page(n)
			}
		}
		check := func(ref Ref) {
			o, err := r.Get(ref)
			if err != nil {
				return
			}
			if s, ok := o.(*Stream); ok {
				if s.Offset < 0 || s.Length < 0 || s.Offset+s.Length > int64(len(data)) {
					t.Fatalf("stream %v outside the file: %d+%d", ref, s.Offset, s.Length)
				}
				r.StreamData(s)
				io.Copy(io.Discard, r.RawStream(s))
				o = s.Dict
			}
			b := AppendObject(nil, o)
			if _, err := ParseObject(b); err != nil {
				t.Fatalf("object %v serialized as %q does not parse: %v", ref, b, err)
			}
			r.ObjectOffset(ref)
		}
		for i, ref := range r.Refs() {
			if i >= 300 {
				break
			}
			check(ref)
		}
		for num := uint32(0); num < min(size, 300); num++ {
			check(Ref{Num: num})
		}
	})
}

func FuzzParseObject(f *testing.F) {
	for _, s := range []string{
		"<< /Type /Sig /Name <FEFF1EA0> /M (D:20261123093000+07'00') /ByteRange [0 10 20 30] >>",
		"[1 0 R (a\\(b\\)c) /N#20x 3.5 -.5 +.5 4. --3 true false null <41 4>]",
		"(\\101\\n\\r\\t\\b\\f\\\\\\( nested ( parens ) \\\r\n)",
		"<</A<</B[<</C 1>>]>>>>",
		"% comment\n/Name",
	} {
		f.Add([]byte(s))
	}
	for _, s := range fuzzSeeds(f)[:2] {
		f.Add(s[:min(len(s), 400)])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		defer fuzzguard.Watch(t, fuzzguard.Limit, data)()
		o, err := ParseObject(data)
		if err != nil {
			ParseObjectPrefix(data)
			sc := NewScanner(data)
			for range 10000 {
				if _, ok, err := sc.Next(); !ok || err != nil {
					break
				}
			}
			return
		}
		b := AppendObject(nil, o)
		o2, err := ParseObject(b)
		if err != nil {
			t.Fatalf("%q serialized as %q does not parse: %v", data, b, err)
		}
		if !sameObject(o, o2) {
			t.Fatalf("%q: round trip via %q gave %#v, want %#v", data, b, o2, o)
		}
		if b2 := AppendObject(nil, o2); !bytes.Equal(b, b2) {
			t.Fatalf("serialization not stable: %q then %q", b, b2)
		}
		for _, c := range b {
			if c < 0x20 || c > 0x7e {
				t.Fatalf("raw byte %#x in %q", c, b)
			}
		}
	})
}
