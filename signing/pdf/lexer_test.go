package pdf

import (
	"bytes"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseObject(t *testing.T) {
	tests := []struct {
		in   string
		want Object
	}{
		// numbers
		{"0", int64(0)},
		{"-17", int64(-17)},
		{"+42", int64(42)},
		{"3.25", 3.25},
		{"+.5", 0.5},
		{"-.002", -0.002},
		{"4.", 4.0},
		{"--3", int64(-3)},
		{"-", int64(0)},
		{"1.2.3", 1.2},
		{"99999999999999999999", 1e20},
		// keywords
		{"true", true},
		{"false", false},
		{"null", nil},
		// names
		{"/Type", Name("Type")},
		{"/", Name("")},
		{"/A#20B", Name("A B")},
		{"/#2F#28#29", Name("/()")},
		{"/Nguy#E1#BB#85n", Name("Nguyễn")},
		{"/A#2", Name("A#2")},
		{"/A#zz", Name("A#zz")},
		{"/a;b.c_d-e", Name("a;b.c_d-e")},
		// literal strings
		{"(abc)", String("abc")},
		{"()", String("")},
		{"(a(b)c)", String("a(b)c")},
		{"(a(b(c)))", String("a(b(c))")},
		{`(\(\)\\)`, String(`()\`)},
		{`(\n\r\t\b\f)`, String("\n\r\t\b\f")},
		{`(\101\7\0123)`, String("A\x07\n3")},
		{`(\777)`, String("\xff")},
		{"(a\\\nb)", String("ab")},
		{"(a\\\r\nb)", String("ab")},
		{"(a\\\rb)", String("ab")},
		{"(a\r\nb\rc)", String("a\nb\nc")},
		{`(\q)`, String("q")},
		// hex strings
		{"<48656c6C6f>", String("Hello")},
		{"<48 65\n6c 6c\t6f>", String("Hello")},
		{"<414>", String("A@")},
		{"<>", String("")},
		// containers
		{"[1 2.5 /N (s) <00ff>]", Array{int64(1), 2.5, Name("N"), String("s"), String("\x00\xff")}},
		{"[]", Array{}},
		{"[[[]]]", Array{Array{Array{}}}},
		{"<</A 1 /B [true null] /C <</D (x)>>>>", Dict{"A": int64(1), "B": Array{true, nil}, "C": Dict{"D": String("x")}}},
		{"<<>>", Dict{}},
		{"<</A 1 /A 2>>", Dict{"A": int64(2)}},
		{"<</A>>", Dict{}},
		{"<</A/B/C/D>>", Dict{"A": Name("B"), "C": Name("D")}},
		{"<</A 1 0 R /B [1 0 R 2 5 R 3]>>", Dict{"A": Ref{1, 0}, "B": Array{Ref{1, 0}, Ref{2, 5}, int64(3)}}},
		{"12 0 R", Ref{12, 0}},
		{"[1 2]", Array{int64(1), int64(2)}},
		{"[-1 0 R]", Array{int64(-1), int64(0), Operator("R")}[:2]},
		// comments and whitespace
		{"% comment\n  [1 % inside\n 2]  % after", Array{int64(1), int64(2)}},
		{"\x00\f\t [1]", Array{int64(1)}},
		// junk keyword inside an array is dropped
		{"[1 junk 2]", Array{int64(1), int64(2)}},
	}
	for _, tt := range tests {
		got, err := ParseObject([]byte(tt.in))
		if err != nil {
			t.Errorf("ParseObject(%q): %v", tt.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseObject(%q) = %#v, want %#v", tt.in, got, tt.want)
		}
	}
}

func TestParseObjectErrors(t *testing.T) {
	for _, in := range []string{
		"", "   ", "% only a comment",
		"(unterminated", "<4142", "[1 2", "<</A 1",
		"]", ">>", "1 2", "foo", "[1] [2]",
		strings.Repeat("[", 101) + strings.Repeat("]", 101),
		strings.Repeat("<</A ", 101) + strings.Repeat(">>", 101),
	} {
		if o, err := ParseObject([]byte(in)); err == nil {
			t.Errorf("ParseObject(%q) = %#v, want an error", in, o)
		}
	}
	// 100 levels are fine.
	in := strings.Repeat("[", 100) + strings.Repeat("]", 100)
	if _, err := ParseObject([]byte(in)); err != nil {
		t.Errorf("100 nested arrays: %v", err)
	}
}

func TestParseObjectPrefix(t *testing.T) {
	o, n, err := ParseObjectPrefix([]byte("  5 0 R rest"))
	if err != nil || o != (Ref{5, 0}) || n != 7 {
		t.Errorf("got %v %d %v", o, n, err)
	}
	o, n, err = ParseObjectPrefix([]byte("5 6 7"))
	if err != nil || o != int64(5) || n != 1 {
		t.Errorf("got %v %d %v", o, n, err)
	}
}

func TestScanner(t *testing.T) {
	content := "q 1 0 0 1 10 20 cm BT /F1 12 Tf (Xin ch\\340o) Tj ET\n" +
		"BI /W 2 /H 1 /BPC 8 /CS /G ID \x00EI\xff\nEI Q"
	s := NewScanner([]byte(content))
	var got []Object
	for {
		o, ok, err := s.Next()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		got = append(got, o)
	}
	want := []Object{
		Operator("q"), int64(1), int64(0), int64(0), int64(1), int64(10), int64(20), Operator("cm"),
		Operator("BT"), Name("F1"), int64(12), Operator("Tf"), String("Xin ch\xe0o"), Operator("Tj"), Operator("ET"),
		Operator("BI"), Name("W"), int64(2), Name("H"), int64(1), Name("BPC"), int64(8), Name("CS"), Name("G"),
		Operator("ID"), String("\x00EI\xff"), Operator("EI"), Operator("Q"),
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %#v\nwant %#v", got, want)
	}
}

func TestAppendObject(t *testing.T) {
	cyclic := Dict{}
	cyclic["Self"] = cyclic
	tests := []struct {
		in   Object
		want string
	}{
		{nil, "null"},
		{true, "true"},
		{int64(-5), "-5"},
		{3, "3"},
		{1.5, "1.5"},
		{Name("Type"), "/Type"},
		{Name("A B#(/)é"), "/A#20B#23#28#2F#29#C3#A9"},
		{Name(""), "/"},
		{String("a(b)c\\"), `(a\(b\)c\\)`},
		{String("\r\n\t\x00\x7f\xff"), `(\r\n\011\000\177\377)`},
		{String("\x01" + "23"), `(\00123)`},
		{Ref{7, 2}, "7 2 R"},
		{Array{int64(1), Name("A"), Array{}}, "[1 /A []]"},
		{Dict{"Z": int64(1), "A": Name("B"), "M": Dict{}}, "<< /A /B /M <<>> /Z 1 >>"},
		{&Stream{Dict: Dict{}}, "null"},
		{struct{}{}, "null"},
		{Operator("Tj"), "Tj"},
		{Operator("a b"), "null"},
	}
	for _, tt := range tests {
		if got := string(AppendObject(nil, tt.in)); got != tt.want {
			t.Errorf("AppendObject(%#v) = %q, want %q", tt.in, got, tt.want)
		}
	}
	// A cycle is cut, not followed forever.
	out := AppendObject(nil, cyclic)
	if !bytes.HasSuffix(bytes.TrimRight(out, " >"), []byte("null")) {
		t.Errorf("cyclic dict: %q", out)
	}
	if _, err := ParseObject(out); err != nil {
		t.Errorf("cyclic dict output does not parse: %v", err)
	}
}

func TestFormatReal(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0, "0"}, {1, "1"}, {-1, "-1"}, {0.5, "0.5"}, {-0.25, "-0.25"},
		{1.0 / 3, "0.33333"}, {2.0 / 3, "0.66667"}, {123.456789, "123.45679"},
		{100, "100"}, {1e6, "1000000"}, {1e-7, "0"}, {-1e-7, "0"},
		{math.Copysign(0, -1), "0"}, {math.NaN(), "0"}, {math.Inf(1), "0"}, {math.Inf(-1), "0"},
		{595.276, "595.276"}, {841.89, "841.89"}, {0.000005, "0.00001"},
	}
	for _, tt := range tests {
		if got := FormatReal(tt.in); got != tt.want {
			t.Errorf("FormatReal(%v) = %q, want %q", tt.in, got, tt.want)
		}
		if strings.ContainsAny(FormatReal(tt.in), "eE") {
			t.Errorf("FormatReal(%v) has an exponent", tt.in)
		}
	}
	if got := FormatReal(1e300); strings.ContainsAny(got, "eE") || len(got) < 300 {
		t.Errorf("FormatReal(1e300) = %q", got)
	}
}

// sameObject compares objects read back after serialization: numbers by
// value within FormatReal's precision, whatever their type.
func sameObject(a, b Object) bool {
	if x, ok := numOf(a); ok {
		y, ok := numOf(b)
		return ok && math.Abs(x-y) <= 1e-5*math.Max(1, math.Abs(x))
	}
	switch av := a.(type) {
	case Array:
		bv, ok := b.(Array)
		if !ok || len(av) != len(bv) {
			return false
		}
		for i := range av {
			if !sameObject(av[i], bv[i]) {
				return false
			}
		}
		return true
	case Dict:
		bv, ok := b.(Dict)
		if !ok || len(av) != len(bv) {
			return false
		}
		for k, v := range av {
			w, ok := bv[k]
			if !ok || !sameObject(v, w) {
				return false
			}
		}
		return true
	case String:
		bv, ok := b.(String)
		return ok && bytes.Equal(av, bv)
	}
	return reflect.DeepEqual(a, b)
}

func TestRoundTrip(t *testing.T) {
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	objects := []Object{
		nil, true, false, int64(0), int64(-123456789), 3.14159, -0.5,
		Name("Type"), Name("Tên có dấu"), Name("a#b/c(d)e<f>g[h]i{j}k%l m\tn"), Name(string(all[1:])),
		String(""), String("plain"), String(all), String("((("), String(")))"), String("\\"),
		TextString("Nguyễn Thị Hĩnh"), TextString("Hello"), TextString("€ • — ™"), TextString("🙂 U+1F642"),
		Ref{1, 0}, Ref{4294967295, 65535},
		Array{int64(1), Ref{2, 0}, Array{Dict{"K": String("v")}}, nil},
		Dict{
			"Type":      Name("Sig"),
			"Filter":    Name("Adobe.PPKLite"),
			"SubFilter": Name("ETSI.CAdES.detached"),
			"ByteRange": Array{int64(0), int64(100), int64(200), int64(300)},
			"Name":      TextString("Nguyễn Thị Hĩnh"),
			"M":         String(FormatDate(time.Date(2026, 11, 23, 9, 30, 0, 0, time.FixedZone("", 7*3600)))),
			"Rect":      Array{0.0, 12.5, 595.276, 841.89},
			"Empty":     Dict{},
			"Null":      nil,
		},
	}
	for _, o := range objects {
		b := AppendObject(nil, o)
		got, err := ParseObject(b)
		if err != nil {
			t.Errorf("ParseObject(%q): %v", b, err)
			continue
		}
		if !sameObject(o, got) {
			t.Errorf("round trip of %#v via %q gave %#v", o, b, got)
		}
		if s, ok := o.(String); ok {
			if back := DecodeTextString(got.(String)); back != DecodeTextString(s) {
				t.Errorf("text %q read back as %q", DecodeTextString(s), back)
			}
		}
		if b2 := AppendObject(nil, got); !bytes.Equal(b, b2) {
			t.Errorf("second serialization differs: %q vs %q", b, b2)
		}
		// No raw byte outside printable ASCII may appear in the output.
		for _, c := range b {
			if c < 0x20 || c > 0x7e {
				t.Errorf("raw byte %#x in %q", c, b)
				break
			}
		}
	}
}

func TestTextString(t *testing.T) {
	tests := []struct {
		in   string
		want []byte
	}{
		{"Hello", []byte("Hello")},
		{"", []byte("")},
		{"café €", []byte("caf\xe9 \xa0")},
		{"a•b", []byte("a\x80b")},
		{"Hĩ", []byte{0xFE, 0xFF, 0x00, 'H', 0x01, 0x29}},
		{"🙂", []byte{0xFE, 0xFF, 0xD8, 0x3D, 0xDE, 0x42}},
		{"þÿ", []byte{0xFE, 0xFF, 0x00, 0xFE, 0x00, 0xFF}}, // would read back as a BOM
		{"\x01", []byte{0xFE, 0xFF, 0x00, 0x01}},           // undefined in PDFDocEncoding
	}
	viet := "Nguyễn Thị Hĩnh"
	obj, err := ParseObject(AppendObject(nil, Dict{"Name": TextString(viet)}))
	if err != nil || DecodeTextString(obj.(Dict)["Name"].(String)) != viet {
		t.Errorf("%q through AppendObject and ParseObject: %v, %v", viet, obj, err)
	}
	if got := AppendObject(nil, TextString("Plain ASCII")); string(got) != "(Plain ASCII)" {
		t.Errorf("ASCII text string written as %q", got)
	}
	for _, tt := range tests {
		got := TextString(tt.in)
		if !bytes.Equal(got, tt.want) {
			t.Errorf("TextString(%q) = % x, want % x", tt.in, got, tt.want)
		}
		if back := DecodeTextString(got); back != tt.in {
			t.Errorf("DecodeTextString(TextString(%q)) = %q", tt.in, back)
		}
	}
	for _, s := range []string{"Nguyễn Thị Hĩnh", "Cổng Thông tin điện tử Chính phủ", "Văn phòng Chính phủ", "ĐẠI HỌC", "x\ty\nz"} {
		if back := DecodeTextString(TextString(s)); back != s {
			t.Errorf("round trip %q gave %q", s, back)
		}
	}
	decode := []struct {
		in   []byte
		want string
	}{
		{[]byte{0xEF, 0xBB, 0xBF, 'h', 0xC3, 0xA0}, "hà"},
		{[]byte{0xFE, 0xFF, 0x00, 'a', 0x00, 0x1B, 'v', 'i', 0x00, 0x1B, 0x00, 'b'}, "ab"},
		{[]byte{0xFE, 0xFF, 0x00, 'a', 0x00}, "a"},
		{[]byte{0xFE, 0xFF, 0xD8, 0x3D}, "\uFFFD"},
		{[]byte{0x93, 0x9F}, "ﬁ\u009f"},
	}
	for _, tt := range decode {
		if got := DecodeTextString(tt.in); got != tt.want {
			t.Errorf("DecodeTextString(% x) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestDates(t *testing.T) {
	ict := time.FixedZone("", 7*3600)
	tests := []struct {
		in   string
		want time.Time
	}{
		{"D:20261123093000+07'00'", time.Date(2026, 11, 23, 9, 30, 0, 0, ict)},
		{"D:20261123093000+07'00", time.Date(2026, 11, 23, 9, 30, 0, 0, ict)},
		{"D:20261123093000+0700", time.Date(2026, 11, 23, 9, 30, 0, 0, ict)},
		{"D:20261123023000Z", time.Date(2026, 11, 23, 2, 30, 0, 0, time.UTC)},
		{"D:20261123023000Z00'00'", time.Date(2026, 11, 23, 2, 30, 0, 0, time.UTC)},
		{"D:20261123023000", time.Date(2026, 11, 23, 2, 30, 0, 0, time.UTC)},
		{"20261123", time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)},
		{"D:2026", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"D:199812231952-08'00'", time.Date(1998, 12, 23, 19, 52, 0, 0, time.FixedZone("", -8*3600))},
		{" D:20180102030405+01'30' \x00", time.Date(2018, 1, 2, 3, 4, 5, 0, time.FixedZone("", 5400))},
	}
	for _, tt := range tests {
		got, err := ParseDate(tt.in)
		if err != nil {
			t.Errorf("ParseDate(%q): %v", tt.in, err)
			continue
		}
		if !got.Equal(tt.want) {
			t.Errorf("ParseDate(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
	for _, bad := range []string{"", "D:", "D:20x6", "D:20261323", "D:20260231", "D:2026112325", "D:20261123093000X", "D:20261123093000+99'00'"} {
		if got, err := ParseDate(bad); err == nil {
			t.Errorf("ParseDate(%q) = %v, want an error", bad, got)
		}
	}
	if got := FormatDate(time.Date(2026, 11, 23, 9, 30, 0, 0, ict)); got != "D:20261123093000+07'00'" {
		t.Errorf("FormatDate = %q", got)
	}
	if got := FormatDate(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)); got != "D:20260102030405Z" {
		t.Errorf("FormatDate UTC = %q", got)
	}
	if got := FormatDate(time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("", -(3*3600+30*60)))); got != "D:20260102030405-03'30'" {
		t.Errorf("FormatDate negative = %q", got)
	}
	now := time.Now().Truncate(time.Second)
	if back, err := ParseDate(FormatDate(now)); err != nil || !back.Equal(now) {
		t.Errorf("date round trip: %v %v", back, err)
	}
}
