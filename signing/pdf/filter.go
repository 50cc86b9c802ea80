package pdf

import (
	"bytes"
	"compress/flate"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
)

const maxFilters = 8

var errDecodeLimit = errors.New("decoded data exceeds the size limit")

// StreamData returns the decoded data of s. Supported filters are
// FlateDecode (with PNG and TIFF predictors), LZWDecode, ASCIIHexDecode,
// ASCII85Decode, RunLengthDecode and the Identity crypt filter, in chains of
// up to 8; image codecs (DCTDecode, JPXDecode, CCITTFaxDecode, JBIG2Decode)
// and other filters are an error: read those with RawStream. Decoded data
// larger than the decode limit (see SetDecodeLimit) is an error. In an
// encrypted document only cross-reference streams can be decoded; other
// streams give an error wrapping ErrEncrypted. Truncated or damaged
// Flate data that still decodes partly is returned as far as it goes.
func (r *Reader) StreamData(s *Stream) ([]byte, error) {
	return r.streamData(s, 0)
}

func (r *Reader) streamData(s *Stream, depth int) ([]byte, error) {
	if s == nil {
		return nil, errors.New("stream data: nil stream")
	}
	if r.Encrypted() && s.Dict["Type"] != Name("XRef") {
		return nil, fmt.Errorf("stream data: %w", ErrEncrypted)
	}
	limit := r.decodeLimit.Load()
	if s.Length > limit {
		return nil, fmt.Errorf("stream data: raw length %d: %w", s.Length, errDecodeLimit)
	}
	filters, params, err := r.filters(s.Dict, depth)
	if err != nil {
		return nil, fmt.Errorf("stream data: %w", err)
	}
	data, err := readLimited(r.RawStream(s), limit)
	if err != nil {
		return nil, fmt.Errorf("stream data: read: %w", err)
	}
	for i, f := range filters {
		data, err = decode(f, params[i], data, limit)
		if err != nil {
			return nil, fmt.Errorf("stream data: %s: %w", f, err)
		}
	}
	return data, nil
}

// filters returns the filter names of d and their parameter dictionaries
// (nil when absent), references resolved.
func (r *Reader) filters(d Dict, depth int) ([]Name, []Dict, error) {
	fo, err := r.resolve(d["Filter"], depth+1)
	if err != nil {
		return nil, nil, err
	}
	po, err := r.resolve(d["DecodeParms"], depth+1)
	if err != nil {
		return nil, nil, err
	}
	var names []Name
	switch f := fo.(type) {
	case nil:
		return nil, nil, nil
	case Name:
		names = []Name{f}
	case Array:
		for _, e := range f {
			e, err := r.resolve(e, depth+1)
			if err != nil {
				return nil, nil, err
			}
			n, ok := e.(Name)
			if !ok {
				return nil, nil, errors.New("bad /Filter")
			}
			names = append(names, n)
		}
	default:
		return nil, nil, errors.New("bad /Filter")
	}
	if len(names) > maxFilters {
		return nil, nil, errors.New("too many filters")
	}
	params := make([]Dict, len(names))
	switch p := po.(type) {
	case Dict:
		params[0] = p
	case Array:
		for i := range min(len(p), len(names)) {
			e, err := r.resolve(p[i], depth+1)
			if err != nil {
				return nil, nil, err
			}
			params[i], _ = e.(Dict)
		}
	}
	for i, p := range params {
		if p == nil {
			continue
		}
		c := make(Dict, len(p))
		for k, v := range p {
			if ref, ok := v.(Ref); ok {
				rv, err := r.get(ref, depth+1)
				if err != nil {
					return nil, nil, err
				}
				v = rv
			}
			c[k] = v
		}
		params[i] = c
	}
	return names, params, nil
}

func readLimited(rd io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(rd, limit+1))
	if int64(len(b)) > limit {
		return nil, errDecodeLimit
	}
	return b, err
}

func decode(f Name, p Dict, data []byte, limit int64) ([]byte, error) {
	switch f {
	case "FlateDecode", "Fl":
		out, err := inflate(data, limit)
		if err != nil {
			return nil, err
		}
		return unpredict(out, p, limit)
	case "LZWDecode", "LZW":
		early := int64(1)
		if v, ok := intOf(p["EarlyChange"]); ok {
			early = v
		}
		out, err := lzwDecode(data, early != 0, limit)
		if err != nil {
			return nil, err
		}
		return unpredict(out, p, limit)
	case "ASCIIHexDecode", "AHx":
		return asciiHexDecode(data), nil
	case "ASCII85Decode", "A85":
		return ascii85Decode(data)
	case "RunLengthDecode", "RL":
		return runLengthDecode(data, limit)
	case "Crypt":
		if n, ok := p["Name"].(Name); ok && n != "Identity" {
			return nil, fmt.Errorf("crypt filter %s not supported", n)
		}
		return data, nil
	}
	return nil, fmt.Errorf("unsupported filter %s", f)
}

// inflate decodes zlib data, falling back to raw deflate when the zlib
// header is missing, and keeps what was decoded before damage.
func inflate(data []byte, limit int64) ([]byte, error) {
	zr, err := zlib.NewReader(bytes.NewReader(data))
	var out []byte
	if err == nil {
		out, err = readLimited(zr, limit)
		if err == nil || errors.Is(err, errDecodeLimit) {
			return out, err
		}
		if len(out) > 0 {
			return out, nil
		}
	}
	out2, err2 := readLimited(flate.NewReader(bytes.NewReader(data)), limit)
	if err2 == nil || errors.Is(err2, errDecodeLimit) {
		return out2, err2
	}
	if len(out2) > 0 {
		return out2, nil
	}
	if err == nil {
		err = err2
	}
	if len(data) == 0 {
		return nil, nil
	}
	return nil, err
}

// unpredict undoes a PNG (Predictor >= 10) or TIFF (Predictor 2) predictor.
func unpredict(data []byte, p Dict, limit int64) ([]byte, error) {
	pred := int64(1)
	if v, ok := intOf(p["Predictor"]); ok {
		pred = v
	}
	if pred <= 1 {
		return data, nil
	}
	colors, bpc, columns := int64(1), int64(8), int64(1)
	if v, ok := intOf(p["Colors"]); ok {
		colors = v
	}
	if v, ok := intOf(p["BitsPerComponent"]); ok {
		bpc = v
	}
	if v, ok := intOf(p["Columns"]); ok {
		columns = v
	}
	if colors < 1 || colors > 64 || columns < 1 || columns > 1<<24 {
		return nil, errors.New("bad predictor parameters")
	}
	switch bpc {
	case 1, 2, 4, 8, 16:
	default:
		return nil, errors.New("bad predictor BitsPerComponent")
	}
	bitsPerPixel := colors * bpc
	rowBytes := (bitsPerPixel*columns + 7) / 8
	if rowBytes > 1<<26 {
		return nil, errors.New("predictor rows too long")
	}
	bpp := int((bitsPerPixel + 7) / 8)
	rb := int(rowBytes)
	if pred == 2 {
		return tiffUnpredict(data, rb, int(colors), int(bpc)), nil
	}
	// PNG: each row starts with its filter type. A row longer than the data
	// can only be a single partial row: do not allocate past the data.
	rb = min(rb, len(data))
	out := make([]byte, 0, min(int64(len(data)), limit))
	prev := make([]byte, rb)
	row := make([]byte, rb)
	for pos := 0; pos < len(data); {
		ft := data[pos]
		pos++
		n := copy(row, data[pos:min(len(data), pos+rb)])
		pos += n
		clear(row[n:])
		for i := range rb {
			var left, up, upLeft int
			if i >= bpp {
				left = int(row[i-bpp])
				upLeft = int(prev[i-bpp])
			}
			up = int(prev[i])
			switch ft {
			case 1:
				row[i] += byte(left)
			case 2:
				row[i] += byte(up)
			case 3:
				row[i] += byte((left + up) / 2)
			case 4:
				row[i] += paeth(left, up, upLeft)
			}
		}
		out = append(out, row[:n]...)
		if int64(len(out)) > limit {
			return nil, errDecodeLimit
		}
		prev, row = row, prev
	}
	return out, nil
}

func paeth(a, b, c int) byte {
	p := a + b - c
	pa, pb, pc := abs(p-a), abs(p-b), abs(p-c)
	switch {
	case pa <= pb && pa <= pc:
		return byte(a)
	case pb <= pc:
		return byte(b)
	}
	return byte(c)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// tiffUnpredict undoes TIFF predictor 2 (horizontal differencing) in place
// on a copy of data.
func tiffUnpredict(data []byte, rowBytes, colors, bpc int) []byte {
	out := bytes.Clone(data)
	for start := 0; start < len(out); start += rowBytes {
		row := out[start:min(len(out), start+rowBytes)]
		switch bpc {
		case 8:
			for i := colors; i < len(row); i++ {
				row[i] += row[i-colors]
			}
		case 16:
			for i := 2 * colors; i+1 < len(row); i += 2 {
				v := uint16(row[i])<<8 | uint16(row[i+1])
				l := uint16(row[i-2*colors])<<8 | uint16(row[i-2*colors+1])
				v += l
				row[i], row[i+1] = byte(v>>8), byte(v)
			}
		default: // 1, 2 or 4 bits per component
			mask := 1<<bpc - 1
			n := len(row) * 8 / bpc
			get := func(k int) int {
				bit := k * bpc
				return int(row[bit/8]>>(8-bpc-bit%8)) & mask
			}
			set := func(k, v int) {
				bit := k * bpc
				sh := 8 - bpc - bit%8
				row[bit/8] = row[bit/8]&^byte(mask<<sh) | byte((v&mask)<<sh)
			}
			for k := colors; k < n; k++ {
				set(k, get(k)+get(k-colors))
			}
		}
	}
	return out
}

func asciiHexDecode(data []byte) []byte {
	out := make([]byte, 0, len(data)/2)
	var hi byte
	half := false
	for _, c := range data {
		if c == '>' {
			break
		}
		v, ok := unhex(c)
		if !ok {
			continue
		}
		if half {
			out = append(out, hi<<4|v)
		} else {
			hi = v
		}
		half = !half
	}
	if half {
		out = append(out, hi<<4)
	}
	return out
}

func ascii85Decode(data []byte) ([]byte, error) {
	data = bytes.TrimLeft(data, " \t\r\n\f\x00")
	data = bytes.TrimPrefix(data, []byte("<~"))
	out := make([]byte, 0, len(data)*4/5+4)
	var group [5]byte
	n := 0
	for _, c := range data {
		switch {
		case isWhite(c):
			continue
		case c == '~':
			goto end
		case c == 'z' && n == 0:
			out = append(out, 0, 0, 0, 0)
			continue
		case c < '!' || c > 'u':
			return nil, fmt.Errorf("invalid ASCII85 byte %#x", c)
		}
		group[n] = c - '!'
		n++
		if n == 5 {
			out = appendA85(out, group, 4)
			n = 0
		}
	}
end:
	if n == 1 {
		return nil, errors.New("truncated ASCII85 group")
	}
	if n > 1 {
		for i := n; i < 5; i++ {
			group[i] = 'u' - '!'
		}
		out = appendA85(out, group, n-1)
	}
	return out, nil
}

func appendA85(out []byte, g [5]byte, n int) []byte {
	var v uint64
	for _, d := range g {
		v = v*85 + uint64(d)
	}
	if v > 0xFFFFFFFF {
		v &= 0xFFFFFFFF // overflowing group: keep the low bits, as readers do
	}
	b := [4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}
	return append(out, b[:n]...)
}

func runLengthDecode(data []byte, limit int64) ([]byte, error) {
	var out []byte
	for i := 0; i < len(data); {
		l := int(data[i])
		i++
		switch {
		case l == 128:
			return out, nil
		case l < 128:
			end := min(len(data), i+l+1)
			out = append(out, data[i:end]...)
			i = end
		default:
			if i >= len(data) {
				return out, nil
			}
			for range 257 - l {
				out = append(out, data[i])
			}
			i++
		}
		if int64(len(out)) > limit {
			return nil, errDecodeLimit
		}
	}
	return out, nil
}

// lzwDecode decodes LZW data as PDF writes it: MSB-first codes of 9 to 12
// bits, 256 clears the table, 257 ends the data; with earlyChange the code
// width grows one code early.
func lzwDecode(data []byte, earlyChange bool, limit int64) ([]byte, error) {
	type entry struct{ start, n int }
	var table [4096]entry
	var out []byte
	early := 0
	if earlyChange {
		early = 1
	}
	width := 9
	next := 258
	prevStart, prevLen := -1, 0
	var acc uint32
	nbits := 0
	pos := 0
	for {
		for nbits < width && pos < len(data) {
			acc = acc<<8 | uint32(data[pos])
			pos++
			nbits += 8
		}
		if nbits < width {
			return out, nil
		}
		code := int(acc>>(nbits-width)) & (1<<width - 1)
		nbits -= width
		switch {
		case code == 256:
			width, next, prevStart = 9, 258, -1
			continue
		case code == 257:
			return out, nil
		}
		start := len(out)
		switch {
		case code < 256:
			out = append(out, byte(code))
		case prevStart < 0:
			return nil, errors.New("lzw: code before any data")
		case code < next:
			e := table[code]
			out = append(out, out[e.start:e.start+e.n]...)
		case code == next:
			out = append(out, out[prevStart:prevStart+prevLen]...)
			out = append(out, out[prevStart])
		default:
			return nil, fmt.Errorf("lzw: invalid code %d", code)
		}
		if int64(len(out)) > limit {
			return nil, errDecodeLimit
		}
		if prevStart >= 0 && next < 4096 {
			// prev string followed by the first byte of this one: contiguous in out.
			table[next] = entry{prevStart, prevLen + 1}
			next++
		}
		prevStart, prevLen = start, len(out)-start
		if next+early >= 1<<width && width < 12 {
			width++
		}
	}
}
