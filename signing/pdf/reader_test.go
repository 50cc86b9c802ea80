package pdf

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
)

func open(t *testing.T, data []byte) *Reader {
	t.Helper()
	r, err := Open(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return r
}

func mustGet(t *testing.T, r *Reader, ref Ref) Object {
	t.Helper()
	o, err := r.Get(ref)
	if err != nil {
		t.Fatalf("Get(%v): %v", ref, err)
	}
	return o
}

func title(t *testing.T, r *Reader, ref Ref) string {
	t.Helper()
	d, err := r.ResolveDict(ref)
	if err != nil || d == nil {
		t.Fatalf("ResolveDict(%v) = %v, %v", ref, d, err)
	}
	s, _ := d["Title"].(String)
	return string(s)
}

// checkDoc checks what every basicDoc-based file must give.
func checkDoc(t *testing.T, r *Reader, pages int) {
	t.Helper()
	cat, ref, err := r.Catalog()
	if err != nil || ref != (Ref{1, 0}) || cat["Type"] != Name("Catalog") {
		t.Fatalf("Catalog = %v %v %v", cat, ref, err)
	}
	n, err := r.NumPages()
	if err != nil || n != pages {
		t.Fatalf("NumPages = %d, %v; want %d", n, err, pages)
	}
	for i := 1; i <= pages; i++ {
		pref, pd, g, err := r.Page(i)
		if err != nil {
			t.Fatalf("Page(%d): %v", i, err)
		}
		if pref != (Ref{uint32(9 + i), 0}) || pd["Type"] != Name("Page") {
			t.Errorf("Page(%d) = %v %v", i, pref, pd)
		}
		want := Rect{0, 0, 595.276, 841.89}
		if g.MediaBox != want || g.CropBox != want || g.Rotate != 0 || g.Number != i {
			t.Errorf("Page(%d) geometry %+v", i, g)
		}
	}
	if _, _, _, err := r.Page(pages + 1); err == nil {
		t.Errorf("Page(%d) succeeded", pages+1)
	}
	if _, _, _, err := r.Page(0); err == nil {
		t.Error("Page(0) succeeded")
	}
}

func TestXRefTableLineEndings(t *testing.T) {
	for _, eol := range []string{"\r\n", " \n", " \r", "\n\n"} {
		t.Run(fmt.Sprintf("%q", eol), func(t *testing.T) {
			b := newBuilder()
			b.basicDoc(3)
			off := b.xrefTable(" /Root 1 0 R /Size 13 /Info 3 0 R", eol)
			data := b.bytes()
			r := open(t, data)
			checkDoc(t, r, 3)
			if r.StartXRef() != off || r.XRefIsStream() || r.Repaired() || r.Encrypted() {
				t.Errorf("StartXRef=%d (want %d) stream=%v repaired=%v encrypted=%v", r.StartXRef(), off, r.XRefIsStream(), r.Repaired(), r.Encrypted())
			}
			if got := r.XRefOffsets(); !reflect.DeepEqual(got, []int64{off}) {
				t.Errorf("XRefOffsets = %v", got)
			}
			if got := r.EOFOffsets(); !reflect.DeepEqual(got, []int64{int64(len(data))}) {
				t.Errorf("EOFOffsets = %v, want [%d]", got, len(data))
			}
			if r.Size() != 13 {
				t.Errorf("Size = %d", r.Size())
			}
			if title(t, r, Ref{3, 0}) != "v1" {
				t.Error("wrong title")
			}
			if o := mustGet(t, r, Ref{3, 1}); o != nil {
				t.Errorf("Get with wrong generation = %v", o)
			}
			if o := mustGet(t, r, Ref{99, 0}); o != nil {
				t.Errorf("Get absent = %v", o)
			}
			if o := mustGet(t, r, Ref{0, 65535}); o != nil {
				t.Errorf("Get object 0 = %v", o)
			}
			off3, in, ok := r.ObjectOffset(Ref{3, 0})
			if !ok || in != 0 || !bytes.HasPrefix(data[off3:], []byte("3 0 obj")) {
				t.Errorf("ObjectOffset(3) = %d %d %v", off3, in, ok)
			}
			if got := r.Refs(); len(got) != 6 || got[0] != (Ref{1, 0}) {
				t.Errorf("Refs = %v", got)
			}
		})
	}
}

func TestIncrementalUpdates(t *testing.T) {
	b := newBuilder()
	b.basicDoc(2)
	b.obj(5, "(to be freed)")
	b.obj(6, "(gen 0)")
	off1 := b.xrefTable(" /Root 1 0 R /Size 12", "\r\n")
	end1 := int64(b.buf.Len())
	b.obj(3, "<< /Title (v2) >>")
	b.freeObj(5, 1)
	b.freeObj(6, 1)
	off2 := b.xrefTable(" /Root 1 0 R /Size 12", "\r\n")
	end2 := int64(b.buf.Len())
	b.objGen(6, 1, "(gen 1)")
	b.obj(3, "<< /Title (v3) >>")
	b.obj(40, "(new)")
	off3 := b.xrefTable(" /Root 1 0 R /Size 41", "\r\n")
	r := open(t, b.bytes())
	checkDoc(t, r, 2)
	if got := title(t, r, Ref{3, 0}); got != "v3" {
		t.Errorf("title = %q, want the newest", got)
	}
	if o := mustGet(t, r, Ref{5, 0}); o != nil {
		t.Errorf("freed object = %v", o)
	}
	if o := mustGet(t, r, Ref{6, 0}); o != nil {
		t.Errorf("old generation = %v", o)
	}
	if o := mustGet(t, r, Ref{6, 1}); !reflect.DeepEqual(o, String("gen 1")) {
		t.Errorf("new generation = %v", o)
	}
	if got := r.XRefOffsets(); !reflect.DeepEqual(got, []int64{off3, off2, off1}) {
		t.Errorf("XRefOffsets = %v", got)
	}
	if got := r.EOFOffsets(); !reflect.DeepEqual(got, []int64{end1, end2, int64(b.buf.Len())}) {
		t.Errorf("EOFOffsets = %v", got)
	}
	if r.Size() != 41 || r.StartXRef() != off3 {
		t.Errorf("Size = %d StartXRef = %d", r.Size(), r.StartXRef())
	}
}

func TestXRefStreamAndObjectStreams(t *testing.T) {
	b := newBuilder()
	b.objStm(20, map[uint32]string{
		1: "<< /Type /Catalog /Pages 2 0 R >>",
		2: "<< /Type /Pages /Kids [10 0 R 11 0 R] /Count 2 /MediaBox [0 0 595.276 841.89] >>",
		3: "<< /Title (v1) >>",
	})
	b.obj(10, "<< /Type /Page /Parent 2 0 R >>")
	b.obj(11, "<< /Type /Page /Parent 2 0 R >>")
	off1 := b.xrefStream(30, " /Root 1 0 R /Size 31")
	b.objStm(21, map[uint32]string{3: "<< /Title (v2) >>", 4: "[1 2 3]"})
	off2 := b.xrefStream(31, " /Root 1 0 R /Size 32")
	r := open(t, b.bytes())
	checkDoc(t, r, 2)
	if !r.XRefIsStream() || r.StartXRef() != off2 {
		t.Errorf("XRefIsStream = %v StartXRef = %d", r.XRefIsStream(), r.StartXRef())
	}
	if r.Trailer()["Type"] != Name("XRef") {
		t.Errorf("Trailer = %v", r.Trailer())
	}
	if got := r.XRefOffsets(); !reflect.DeepEqual(got, []int64{off2, off1}) {
		t.Errorf("XRefOffsets = %v", got)
	}
	if got := title(t, r, Ref{3, 0}); got != "v2" {
		t.Errorf("title = %q", got)
	}
	if o := mustGet(t, r, Ref{4, 0}); !reflect.DeepEqual(o, Array{int64(1), int64(2), int64(3)}) {
		t.Errorf("object 4 = %v", o)
	}
	if idx, in, ok := r.ObjectOffset(Ref{4, 0}); !ok || in != 21 || idx != 1 {
		t.Errorf("ObjectOffset(4) = %d %d %v", idx, in, ok)
	}
	if r.Size() != 32 {
		t.Errorf("Size = %d", r.Size())
	}
	// The xref stream itself is an object.
	if s, ok := mustGet(t, r, Ref{31, 0}).(*Stream); !ok || s.Dict["Type"] != Name("XRef") {
		t.Errorf("object 31 = %v", s)
	}
}

func TestHybrid(t *testing.T) {
	b := newBuilder()
	b.obj(2, "<< /Type /Pages /Kids [10 0 R] /Count 1 /MediaBox [0 0 595.276 841.89] >>")
	b.obj(10, "<< /Type /Page /Parent 2 0 R >>")
	b.objStm(20, map[uint32]string{1: "<< /Type /Catalog /Pages 2 0 R >>", 3: "<< /Title (hidden) >>"})
	// Cross-reference stream for the compressed objects only.
	stmOff := int64(b.buf.Len())
	row := func(typ byte, f2, f3 int) []byte {
		return []byte{typ, byte(f2 >> 16), byte(f2 >> 8), byte(f2), byte(f3 >> 8), byte(f3)}
	}
	data := append(row(2, 20, 0), row(2, 20, 1)...)
	b.printf("30 0 obj\n<< /Type /XRef /W [1 3 2] /Index [1 1 3 1] /Size 31 /Length %d >>\nstream\n", len(data))
	b.buf.Write(data)
	b.printf("\nendstream\nendobj\n")
	// Table: 1 and 3 marked free, as hybrid writers do.
	tabOff := int64(b.buf.Len())
	b.printf("xref\n0 4\n0000000000 65535 f\r\n0000000000 00000 f\r\n%010d 00000 n\r\n0000000000 00000 f\r\n", b.offs[2])
	b.printf("10 1\n%010d 00000 n\r\n20 1\n%010d 00000 n\r\n", b.offs[10], b.offs[20])
	b.printf("trailer\n<< /Root 1 0 R /Size 31 /XRefStm %d >>\nstartxref\n%d\n%%%%EOF\n", stmOff, tabOff)
	r := open(t, b.bytes())
	checkDoc(t, r, 1)
	if r.XRefIsStream() {
		t.Error("hybrid file reported as xref stream")
	}
	if got := r.XRefOffsets(); !reflect.DeepEqual(got, []int64{tabOff, stmOff}) {
		t.Errorf("XRefOffsets = %v", got)
	}
	if got := title(t, r, Ref{3, 0}); got != "hidden" {
		t.Errorf("title = %q", got)
	}
}

// validFile is a two-revision file used by the repair tests.
func validFile() (data []byte, lastXRef int64) {
	b := newBuilder()
	b.basicDoc(2)
	b.xrefTable(" /Root 1 0 R /Size 12 /Info 3 0 R", "\r\n")
	b.obj(3, "<< /Title (v2) >>")
	off := b.xrefTable(" /Root 1 0 R /Size 12 /Info 3 0 R", "\r\n")
	return b.bytes(), off
}

func TestRobustness(t *testing.T) {
	valid, last := validFile()
	replaceStartXRef := func(data []byte, v string) []byte {
		i := bytes.LastIndex(data, []byte("startxref"))
		j := bytes.Index(data[i:], []byte("%%EOF"))
		return append(append(bytes.Clone(data[:i]), "startxref\n"+v+"\n"...), data[i+j:]...)
	}
	tests := []struct {
		name     string
		data     []byte
		repaired bool
		title    string // of object 3; "" when the test does not care
	}{
		{"valid", valid, false, "v2"},
		{"junk after EOF", append(bytes.Clone(valid), bytes.Repeat([]byte("junk \x00\xff"), 500)...), false, "v2"},
		{"no final EOL", bytes.TrimRight(valid, "\n"), false, "v2"},
		{"garbage before header", append([]byte("garbage\x00\x01 from a mail gateway\n"), valid...), false, "v2"},
		{"startxref a bit off", replaceStartXRef(valid, fmt.Sprint(last+5)), false, "v2"},
		{"startxref a bit early", replaceStartXRef(valid, fmt.Sprint(last-3)), false, "v2"},
		// Beyond the end of the file: the last section near the end is used.
		{"startxref far off", replaceStartXRef(valid, "999999999"), false, "v2"},
		{"startxref zero", replaceStartXRef(valid, "0"), true, "v2"},
		{"startxref garbage", replaceStartXRef(valid, "abc"), true, "v2"},
		// The previous revision's startxref is the last one left: the
		// file reads as that revision (as other readers do).
		{"startxref missing", valid[:bytes.LastIndex(valid, []byte("startxref"))], false, "v1"},
		{"truncated in the xref", valid[:last+30], false, "v1"},
		{"only objects", valid[:bytes.Index(valid, []byte("xref"))], true, "v1"},
		{"prev broken", bytes.Replace(valid, []byte("/Prev "), []byte("/Prev 9"), 1), true, "v2"},
		// A /Prev pointing at itself hides the first revision: repaired.
		{"prev cycle", bytes.Replace(valid, []byte(fmt.Sprintf("/Prev %d", bytes.Index(valid, []byte("xref")))), []byte(fmt.Sprintf("/Prev %d", last)), 1), true, "v2"},
		{"offsets shifted", shiftObjects(valid), true, "v2"},
		{"CR only", crOnly(), false, "v2"},
		{"subsection off by one", offByOne(), false, "v1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := open(t, tt.data)
			cat, _, err := r.Catalog()
			if err != nil || cat == nil {
				t.Fatalf("Catalog: %v", err)
			}
			n, err := r.NumPages()
			if err != nil || n != 2 {
				t.Fatalf("NumPages = %d, %v", n, err)
			}
			for i := 1; i <= n; i++ {
				if _, _, _, err := r.Page(i); err != nil {
					t.Errorf("Page(%d): %v", i, err)
				}
			}
			if got := title(t, r, Ref{3, 0}); tt.title != "" && got != tt.title {
				t.Errorf("title = %q, want %q", got, tt.title)
			}
			if r.Repaired() != tt.repaired {
				t.Errorf("Repaired = %v, want %v", r.Repaired(), tt.repaired)
			}
			if r.Size() == 0 {
				t.Error("Size = 0")
			}
		})
	}
}

// shiftObjects inserts bytes before the first object so every xref offset
// is wrong.
func shiftObjects(valid []byte) []byte {
	i := bytes.Index(valid, []byte("1 0 obj"))
	return append(append(bytes.Clone(valid[:i]), "%%%%%%%%%%%%%%%%%%%%\n"...), valid[i:]...)
}

func crOnly() []byte {
	b := newBuilder()
	b.eol = "\r"
	b.basicDoc(2)
	b.obj(3, "<< /Title (v2) >>")
	b.xrefTable(" /Root 1 0 R /Size 12", " \r")
	return b.bytes()
}

// offByOne writes a table whose first subsection says "1 N" but starts with
// the entry of object 0.
func offByOne() []byte {
	b := newBuilder()
	b.basicDoc(2)
	off := b.buf.Len()
	b.printf("xref\n1 4\n0000000000 65535 f\r\n")
	for n := uint32(1); n <= 3; n++ {
		b.printf("%010d 00000 n\r\n", b.offs[n])
	}
	b.printf("10 2\n%010d 00000 n\r\n%010d 00000 n\r\n", b.offs[10], b.offs[11])
	b.printf("trailer\n<< /Root 1 0 R /Size 12 >>\nstartxref\n%d\n%%%%EOF\n", off)
	return b.bytes()
}

func TestRepairObjectStreams(t *testing.T) {
	b := newBuilder()
	b.objStm(20, map[uint32]string{
		1: "<< /Type /Catalog /Pages 2 0 R >>",
		2: "<< /Type /Pages /Kids [10 0 R] /Count 1 >>",
		3: "<< /Title (v1) >>",
	})
	b.obj(10, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 200] >>")
	b.xrefStream(30, " /Root 1 0 R /Size 31")
	b.objStm(21, map[uint32]string{3: "<< /Title (v2) >>"})
	b.xrefStream(31, " /Root 1 0 R /Size 32")
	data := b.bytes()
	// Destroy the newest xref stream's data.
	i := bytes.LastIndex(data, []byte("31 0 obj"))
	j := bytes.Index(data[i:], []byte("stream\r\n")) + i + 8
	for k := j; k < j+10; k++ {
		data[k] = 'x'
	}
	r := open(t, data)
	if !r.Repaired() {
		t.Error("not repaired")
	}
	if got := title(t, r, Ref{3, 0}); got != "v2" {
		t.Errorf("title = %q", got)
	}
	_, _, g, err := r.Page(1)
	if err != nil || g.MediaBox != (Rect{0, 0, 100, 200}) {
		t.Errorf("Page(1) = %+v, %v", g, err)
	}
	if r.Trailer()["Root"] != (Ref{1, 0}) {
		t.Errorf("trailer = %v", r.Trailer())
	}
}

func TestRepairWithoutTrailer(t *testing.T) {
	b := newBuilder()
	b.basicDoc(1)
	data := b.bytes()
	r := open(t, data)
	if !r.Repaired() {
		t.Error("not repaired")
	}
	checkDoc(t, r, 1)
	if r.StartXRef() != -1 || len(r.XRefOffsets()) != 0 || len(r.EOFOffsets()) != 0 {
		t.Errorf("StartXRef = %d, XRefOffsets = %v, EOFOffsets = %v", r.StartXRef(), r.XRefOffsets(), r.EOFOffsets())
	}
}

func TestOpenRejects(t *testing.T) {
	for _, data := range []string{"", "hello", "%PDF-1.7\n", "%PDF-1.7\nstartxref\n5\n%%EOF\n"} {
		if r, err := Open(bytes.NewReader([]byte(data)), int64(len(data))); err == nil {
			// Opening may succeed on garbage; reading must then fail cleanly.
			if _, _, err := r.Catalog(); err == nil {
				t.Errorf("Open(%q): catalog found", data)
			}
		}
	}
}

func TestStreams(t *testing.T) {
	payload := []byte("BT /F1 12 Tf (Nguy\\352n) Tj ET\n")
	b := newBuilder()
	b.basicDoc(1)
	// 4: indirect /Length; 5: /Length too long; 6: /Length too short;
	// 7: no /Length; 8: hex+flate chain; 9: unknown filter.
	write := func(num uint32, dict string, data []byte) {
		b.offs[num] = int64(b.buf.Len())
		b.gens[num] = 0
		b.printf("%d 0 obj\n<<%s>>\nstream\n", num, dict)
		b.buf.Write(data)
		b.printf("\nendstream\nendobj\n")
	}
	write(4, " /Length 40 0 R", payload)
	b.obj(40, fmt.Sprint(len(payload)))
	write(5, fmt.Sprintf(" /Length %d", len(payload)+30), payload)
	write(6, " /Length 3", payload)
	write(7, "", payload)
	hexed := []byte(fmt.Sprintf("%x>", deflate(payload)))
	write(8, fmt.Sprintf(" /Length %d /Filter [/ASCIIHexDecode /FlateDecode]", len(hexed)), hexed)
	write(9, fmt.Sprintf(" /Length %d /Filter /JBIG2Decode", len(payload)), payload)
	write(41, fmt.Sprintf(" /Length %d /Filter /FlateDecode /DecodeParms 42 0 R", len(pngEncoded)), pngEncoded)
	b.obj(42, "<< /Predictor 12 /Columns 3 >>")
	b.xrefTable(" /Root 1 0 R /Size 43", "\r\n")
	r := open(t, b.bytes())
	for _, num := range []uint32{4, 5, 6, 7, 8} {
		s, ok := mustGet(t, r, Ref{num, 0}).(*Stream)
		if !ok {
			t.Fatalf("object %d is not a stream", num)
		}
		got, err := r.StreamData(s)
		if err != nil || !bytes.Equal(got, payload) {
			t.Errorf("object %d: StreamData = %q, %v", num, got, err)
		}
		if num != 8 {
			raw := new(bytes.Buffer)
			raw.ReadFrom(r.RawStream(s))
			if !bytes.Equal(raw.Bytes(), payload) {
				t.Errorf("object %d: RawStream = %q", num, raw.Bytes())
			}
		}
	}
	s := mustGet(t, r, Ref{9, 0}).(*Stream)
	if _, err := r.StreamData(s); err == nil || !strings.Contains(err.Error(), "JBIG2Decode") {
		t.Errorf("unknown filter: %v", err)
	}
	s = mustGet(t, r, Ref{41, 0}).(*Stream)
	if got, err := r.StreamData(s); err != nil || !bytes.Equal(got, pngPlain) {
		t.Errorf("PNG predictor via indirect DecodeParms = %v, %v", got, err)
	}
	if _, ok := s.Dict["DecodeParms"].(Ref); !ok {
		t.Error("StreamData modified the stream dictionary")
	}
	r.SetDecodeLimit(10)
	s = mustGet(t, r, Ref{8, 0}).(*Stream)
	if _, err := r.StreamData(s); err == nil {
		t.Error("decode limit not enforced")
	}
}

func TestEncrypted(t *testing.T) {
	for _, enc := range []string{" /Encrypt 50 0 R", " /Encrypt null"} {
		b := newBuilder()
		b.basicDoc(1)
		b.stream(4, "", []byte("data"))
		b.obj(50, "<< /Filter /Standard /V 2 /R 3 /O <00> /U <00> /P -4 >>")
		b.xrefTable(" /Root 1 0 R /Size 51 /ID [<01><02>]"+enc, "\n")
		r := open(t, b.bytes())
		checkDoc(t, r, 1)
		want := enc != " /Encrypt null"
		if r.Encrypted() != want {
			t.Errorf("%s: Encrypted = %v", enc, r.Encrypted())
		}
		s := mustGet(t, r, Ref{4, 0}).(*Stream)
		_, err := r.StreamData(s)
		if want != errors.Is(err, ErrEncrypted) {
			t.Errorf("%s: StreamData error %v", enc, err)
		}
	}
}

func TestPageTree(t *testing.T) {
	b := newBuilder()
	b.obj(1, "<< /Type /Catalog /Pages 2 0 R >>")
	b.obj(2, "<< /Type /Pages /Kids [3 0 R 10 0 R 4 0 R] /Count 5 /MediaBox [0 0 612 792] /Rotate -90 >>")
	b.obj(3, "<< /Type /Pages /Parent 2 0 R /Kids [11 0 R 12 0 R] /Count 2 /CropBox [10 10 300 400] /Rotate 450 >>")
	b.obj(4, "<< /Type /Pages /Parent 2 0 R /Kids [5 0 R] /Count 2 /MediaBox 20 0 R >>")
	b.obj(5, "<< /Type /Pages /Parent 4 0 R /Kids [13 0 R 14 0 R] /Count 2 >>")
	b.obj(20, "[842 595 0 0]")
	b.obj(10, "<< /Type /Page /Parent 2 0 R /Rotate 720 >>")
	b.obj(11, "<< /Type /Page /Parent 3 0 R >>")
	b.obj(12, "<< /Type /Page /Parent 3 0 R /Rotate 180.0 /CropBox [0 0 100 100] >>")
	b.obj(13, "<< /Type /Page /Parent 5 0 R /Rotate 45 >>")
	b.obj(14, "<< /Parent 5 0 R /MediaBox [0 0 10 10] /Rotate -270 >>")
	b.xrefTable(" /Root 1 0 R /Size 21", "\r\n")
	r := open(t, b.bytes())
	want := []struct {
		ref   uint32
		media Rect
		crop  Rect
		rot   int
	}{
		{11, Rect{0, 0, 612, 792}, Rect{10, 10, 300, 400}, 90},
		{12, Rect{0, 0, 612, 792}, Rect{0, 0, 100, 100}, 180},
		{10, Rect{0, 0, 612, 792}, Rect{0, 0, 612, 792}, 0},
		{13, Rect{0, 0, 842, 595}, Rect{0, 0, 842, 595}, 0},
		{14, Rect{0, 0, 10, 10}, Rect{0, 0, 10, 10}, 90},
	}
	if n, err := r.NumPages(); n != len(want) || err != nil {
		t.Fatalf("NumPages = %d, %v", n, err)
	}
	for i, w := range want {
		ref, _, g, err := r.Page(i + 1)
		if err != nil {
			t.Fatalf("Page(%d): %v", i+1, err)
		}
		if ref.Num != w.ref || g.MediaBox != w.media || g.CropBox != w.crop || g.Rotate != w.rot {
			t.Errorf("Page(%d) = %v %+v, want %d %+v %+v %d", i+1, ref, g, w.ref, w.media, w.crop, w.rot)
		}
	}
}

func TestPageTreeHostile(t *testing.T) {
	tests := map[string]struct {
		objs  map[uint32]string
		pages int // -1: an error is fine
	}{
		"cycle": {map[uint32]string{
			2: "<< /Type /Pages /Kids [3 0 R 10 0 R] /Count 2 >>",
			3: "<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 1 >>",
		}, 1},
		"counts lie": {map[uint32]string{
			2: "<< /Type /Pages /Kids [3 0 R] /Count 100 >>",
			3: "<< /Type /Pages /Kids [10 0 R 11 0 R] /Count 1 >>",
		}, 2},
		"no counts": {map[uint32]string{
			2: "<< /Kids [3 0 R 11 0 R] >>",
			3: "<< /Kids [10 0 R] >>",
		}, 2},
		"broken kids": {map[uint32]string{
			2: "<< /Type /Pages /Kids [99 0 R (x) 10 0 R 5 0 R] /Count 1 >>",
			5: "42",
		}, 1},
		"pages is a page": {map[uint32]string{
			2: "<< /Type /Page /MediaBox [0 0 1 1] >>",
		}, 1},
		"dag bomb": {dagBomb(), -1},
		"deep":     {deepTree(200), -1},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			b := newBuilder()
			b.obj(1, "<< /Type /Catalog /Pages 2 0 R >>")
			b.obj(10, "<< /Type /Page >>")
			b.obj(11, "<< /Type /Page >>")
			for num, body := range tt.objs {
				b.obj(num, body)
			}
			b.xrefTable(" /Root 1 0 R /Size 2000", "\r\n")
			r := open(t, b.bytes())
			n, err := r.NumPages()
			if tt.pages >= 0 && (n != tt.pages || err != nil) {
				t.Errorf("NumPages = %d, %v; want %d", n, err, tt.pages)
			}
			for i := 1; i <= min(n, 3); i++ {
				r.Page(i)
			}
			r.Page(n)
			r.Page(n + 1)
		})
	}
}

// dagBomb makes every level reference the next one twice: 2^30 leaves.
func dagBomb() map[uint32]string {
	m := map[uint32]string{2: "<< /Type /Pages /Kids [100 0 R 100 0 R] /Count 1073741824 >>"}
	for i := uint32(100); i < 130; i++ {
		m[i] = fmt.Sprintf("<< /Type /Pages /Kids [%d 0 R %d 0 R] >>", i+1, i+1)
	}
	m[130] = "<< /Type /Pages /Kids [10 0 R] >>"
	return m
}

func deepTree(depth uint32) map[uint32]string {
	m := map[uint32]string{2: "<< /Type /Pages /Kids [100 0 R] /Count 1 >>"}
	for i := uint32(100); i < 100+depth; i++ {
		m[i] = fmt.Sprintf("<< /Type /Pages /Kids [%d 0 R] /Count 1 >>", i+1)
	}
	m[100+depth] = "<< /Type /Pages /Kids [10 0 R] /Count 1 >>"
	return m
}

// TestHostileCounts checks that counts taken from the file do not drive
// allocations.
func TestHostileCounts(t *testing.T) {
	b := newBuilder()
	b.basicDoc(1)
	b.printf("21 0 obj\n<< /Type /ObjStm /N 1000000000 /First 4 /Length 10 >>\nstream\n1 0 (x)   \nendstream\nendobj\n")
	xs := int64(b.buf.Len())
	data := []byte{1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	b.printf("30 0 obj\n<< /Type /XRef /W [8 8 8] /Index [0 2000000000 4294967000 4000] /Size 2147483648 /Length %d >>\nstream\n", len(data))
	b.buf.Write(data)
	b.printf("\nendstream\nendobj\n")
	tab := int64(b.buf.Len())
	b.printf("xref\n0 2000000000\n0000000000 65535 f\r\n")
	for _, n := range []uint32{1, 2, 3} {
		b.printf("%010d 00000 n\r\n", b.offs[n])
	}
	b.printf("10 1\n%010d 00000 n\r\n21 1\n%010d 00000 n\r\n", b.offs[10], bytes.Index(b.buf.Bytes(), []byte("21 0 obj")))
	b.printf("trailer\n<< /Root 1 0 R /Size 2147483648 /XRefStm %d >>\nstartxref\n%d\n%%%%EOF\n", xs, tab)
	file := b.bytes()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	r := open(t, file)
	checkDoc(t, r, 1)
	mustGet(t, r, Ref{21, 0})
	runtime.ReadMemStats(&after)
	if r.Size() != 2147483648 {
		t.Errorf("Size = %d", r.Size())
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4<<20 {
		t.Errorf("allocated %d bytes", alloc)
	}
}

func TestConcurrentGets(t *testing.T) {
	b := newBuilder()
	objs := map[uint32]string{1: "<< /Type /Catalog /Pages 2 0 R >>", 2: "<< /Type /Pages /Kids [10 0 R] /Count 1 >>"}
	for i := uint32(100); i < 200; i++ {
		objs[i] = fmt.Sprintf("<< /N %d >>", i)
	}
	b.objStm(20, objs)
	b.obj(10, "<< /Type /Page /MediaBox [0 0 1 1] >>")
	b.xrefStream(30, " /Root 1 0 R /Size 200")
	r := open(t, b.bytes())
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := uint32(100); i < 200; i++ {
				d, err := r.ResolveDict(Ref{i, 0})
				if err != nil || d["N"] != int64(i) {
					t.Errorf("goroutine %d: object %d = %v, %v", g, i, d, err)
					return
				}
			}
			r.EOFOffsets()
			r.Page(1)
		}()
	}
	wg.Wait()
}

func TestResolve(t *testing.T) {
	b := newBuilder()
	b.basicDoc(1)
	b.obj(4, "5 0 R")
	b.obj(5, "6 0 R")
	b.obj(6, "(end)")
	b.obj(7, "7 0 R")
	b.obj(8, "[1 2]")
	b.xrefTable(" /Root 1 0 R /Size 9", "\n")
	r := open(t, b.bytes())
	if o, err := r.Resolve(Ref{4, 0}); err != nil || !reflect.DeepEqual(o, String("end")) {
		t.Errorf("Resolve chain = %v, %v", o, err)
	}
	if _, err := r.Resolve(Ref{7, 0}); err == nil {
		t.Error("self reference resolved")
	}
	if o, err := r.Resolve(int64(3)); o != int64(3) || err != nil {
		t.Errorf("Resolve(3) = %v, %v", o, err)
	}
	if d, err := r.ResolveDict(Ref{99, 0}); d != nil || err != nil {
		t.Errorf("ResolveDict(absent) = %v, %v", d, err)
	}
	if d, err := r.ResolveDict(nil); d != nil || err != nil {
		t.Errorf("ResolveDict(nil) = %v, %v", d, err)
	}
	if _, err := r.ResolveDict(Ref{8, 0}); err == nil {
		t.Error("ResolveDict(array) succeeded")
	}
}
