package pdf

import (
	"bytes"
	"compress/lzw"
	"encoding/ascii85"
	"testing"
)

// pngEncode applies PNG predictor filters to rows of rowLen bytes with bpp
// bytes per pixel, using filter types[i%len(types)] for row i.
func pngEncode(plain []byte, rowLen, bpp int, types []byte) []byte {
	var enc []byte
	prev := make([]byte, rowLen)
	for r := 0; r*rowLen < len(plain); r++ {
		row := plain[r*rowLen : (r+1)*rowLen]
		ft := types[r%len(types)]
		enc = append(enc, ft)
		for i, c := range row {
			var left, up, ul int
			if i >= bpp {
				left, ul = int(row[i-bpp]), int(prev[i-bpp])
			}
			up = int(prev[i])
			var p byte
			switch ft {
			case 1:
				p = byte(left)
			case 2:
				p = byte(up)
			case 3:
				p = byte((left + up) / 2)
			case 4:
				p = paeth(left, up, ul)
			}
			enc = append(enc, c-p)
		}
		prev = row
	}
	return enc
}

// pngPlain is three rows of three bytes; pngEncoded is it with PNG
// predictor rows (filter types "up", "sub", "paeth") and deflated.
var (
	pngPlain   = []byte{10, 20, 30, 11, 22, 33, 5, 5, 5}
	pngEncoded = deflate(pngEncode(pngPlain, 3, 1, []byte{2, 1, 4}))
)

func TestPredictors(t *testing.T) {
	plain := make([]byte, 60)
	for i := range plain {
		plain[i] = byte(i*37 + i*i)
	}
	// PNG, every filter type, 2 colors, 8 bits, 3 columns: 6 bytes a row.
	for ft := byte(0); ft <= 4; ft++ {
		enc := pngEncode(plain, 6, 2, []byte{ft})
		got, err := unpredict(enc, Dict{"Predictor": int64(15), "Colors": int64(2), "Columns": int64(3)}, 1<<20)
		if err != nil || !bytes.Equal(got, plain) {
			t.Errorf("PNG filter %d: %v, %v", ft, got, err)
		}
	}
	mixed := pngEncode(plain, 6, 2, []byte{0, 1, 2, 3, 4})
	got, err := unpredict(mixed, Dict{"Predictor": int64(10), "Colors": int64(2), "Columns": int64(3)}, 1<<20)
	if err != nil || !bytes.Equal(got, plain) {
		t.Errorf("PNG mixed: %v, %v", got, err)
	}
	// A truncated last row decodes as far as it goes.
	got, err = unpredict(mixed[:len(mixed)-2], Dict{"Predictor": int64(10), "Colors": int64(2), "Columns": int64(3)}, 1<<20)
	if err != nil || !bytes.Equal(got, plain[:len(plain)-2]) {
		t.Errorf("PNG truncated: %v, %v", got, err)
	}
	// TIFF predictor 2, 8 bits, 1 color.
	got, err = unpredict([]byte{1, 1, 1, 1, 5, 1, 1}, Dict{"Predictor": int64(2), "Columns": int64(4)}, 1<<20)
	if err != nil || !bytes.Equal(got, []byte{1, 2, 3, 4, 5, 6, 7}) {
		t.Errorf("TIFF = %v, %v", got, err)
	}
	// TIFF, 4 bits: nibbles 1,1,1,1 -> 1,2,3,4.
	got, err = unpredict([]byte{0x11, 0x11}, Dict{"Predictor": int64(2), "Columns": int64(4), "BitsPerComponent": int64(4)}, 1<<20)
	if err != nil || !bytes.Equal(got, []byte{0x12, 0x34}) {
		t.Errorf("TIFF 4-bit = %x, %v", got, err)
	}
	// TIFF, 16 bits.
	got, err = unpredict([]byte{0, 1, 0, 1, 0xff, 0xff}, Dict{"Predictor": int64(2), "Columns": int64(3), "BitsPerComponent": int64(16)}, 1<<20)
	if err != nil || !bytes.Equal(got, []byte{0, 1, 0, 2, 0, 1}) {
		t.Errorf("TIFF 16-bit = %x, %v", got, err)
	}
	for _, bad := range []Dict{
		{"Predictor": int64(12), "Colors": int64(0)},
		{"Predictor": int64(12), "Columns": int64(1 << 30)},
		{"Predictor": int64(12), "BitsPerComponent": int64(3)},
	} {
		if _, err := unpredict([]byte{0, 1}, bad, 1<<20); err == nil {
			t.Errorf("unpredict(%v) accepted", bad)
		}
	}
}

func TestFilters(t *testing.T) {
	text := []byte("Văn bản số 123/QĐ-UBND, ký ngày 23/11/2026. ")
	text = bytes.Repeat(text, 20)

	var lzw0 bytes.Buffer
	w := lzw.NewWriter(&lzw0, lzw.MSB, 8)
	w.Write(text)
	w.Close()

	a85 := make([]byte, ascii85.MaxEncodedLen(len(text)))
	a85 = append(a85[:ascii85.Encode(a85, text)], "~>"...)

	tests := []struct {
		name   string
		filter Name
		parms  Dict
		in     []byte
		want   []byte
	}{
		{"flate", "FlateDecode", nil, deflate(text), text},
		{"flate raw deflate", "FlateDecode", nil, deflate(text)[2:], text},
		{"flate truncated", "Fl", nil, deflate(text)[:len(deflate(text))-6], nil},
		{"hex", "ASCIIHexDecode", nil, []byte("48 65\n6c6C 6f7>"), []byte("Hello\x70")},
		{"a85", "ASCII85Decode", nil, a85, text},
		{"a85 z and prefix", "A85", nil, []byte("<~z9jqo^~>"), []byte("\x00\x00\x00\x00Man ")},
		{"a85 partial", "A85", nil, []byte("9jqo^BlbD-BleB1DJ+*+F(f,q~>"), []byte("Man is distinguished")},
		{"lzw early change 0", "LZWDecode", Dict{"EarlyChange": int64(0)}, lzw0.Bytes(), text},
		{"lzw spec example", "LZW", nil, []byte{0x80, 0x0B, 0x60, 0x50, 0x22, 0x0C, 0x0C, 0x85, 0x01}, []byte("-----A---B")},
		{"runlength", "RunLengthDecode", nil, []byte{2, 'a', 'b', 'c', 254, 'x', 128, 'z'}, []byte("abcxxx")},
		{"crypt identity", "Crypt", nil, text, text},
	}
	for _, tt := range tests {
		got, err := decode(tt.filter, tt.parms, tt.in, 1<<20)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if tt.want == nil {
			if len(got) == 0 || !bytes.HasPrefix(text, got) {
				t.Errorf("%s: got %d bytes, not a prefix", tt.name, len(got))
			}
			continue
		}
		if !bytes.Equal(got, tt.want) {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
	for _, bad := range []struct {
		f Name
		p Dict
		b []byte
	}{
		{"DCTDecode", nil, []byte{1}},
		{"Crypt", Dict{"Name": Name("StdCF")}, []byte{1}},
		{"FlateDecode", nil, []byte("not compressed at all")},
		{"ASCII85Decode", nil, []byte("abc\x7f")},
		{"LZWDecode", nil, []byte{0xff, 0xff, 0xff}},
	} {
		if _, err := decode(bad.f, bad.p, bad.b, 1<<20); err == nil {
			t.Errorf("decode %s %q accepted", bad.f, bad.b)
		}
	}
	// Limits: a flate bomb and run-length expansion stop at the limit.
	bomb := deflate(make([]byte, 1<<20))
	if _, err := decode("FlateDecode", nil, bomb, 1000); err == nil {
		t.Error("flate limit not enforced")
	}
	if _, err := decode("RunLengthDecode", nil, bytes.Repeat([]byte{129, 0}, 100), 1000); err == nil {
		t.Error("run-length limit not enforced")
	}
	if _, err := decode("LZWDecode", Dict{"EarlyChange": int64(0)}, lzw0.Bytes(), 100); err == nil {
		t.Error("lzw limit not enforced")
	}
}

func TestPredictorHugeRows(t *testing.T) {
	p := Dict{"Predictor": int64(15), "Colors": int64(64), "BitsPerComponent": int64(16), "Columns": int64(65535)}
	var got []byte
	alloc := measure(func() {
		var err error
		got, err = unpredict([]byte{0, 1, 2, 3}, p, 1<<20)
		if err != nil {
			t.Fatal(err)
		}
	})
	if !bytes.Equal(got, []byte{1, 2, 3}) {
		t.Errorf("got %v", got)
	}
	if alloc > 1<<20 {
		t.Errorf("allocated %d bytes for a 4-byte stream", alloc)
	}
}
