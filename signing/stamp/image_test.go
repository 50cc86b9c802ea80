package stamp

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"flag"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vanthuso/vanthu/assets"
)

var update = flag.Bool("update", false, "rewrite golden files and generated test images in testdata")

// palettePNG is testdata/palette-trns.png: an 8-bit palette PNG whose tRNS
// chunk makes index 0 fully transparent and index 2 half transparent. It is
// what pdfsign renders with a black background.
const palettePNG = "testdata/palette-trns.png"

var paletteColors = color.Palette{
	color.NRGBA{0xff, 0xff, 0xff, 0x00}, // transparent
	color.NRGBA{0x10, 0x30, 0xb0, 0xff}, // ink
	color.NRGBA{0x10, 0x30, 0xb0, 0x80}, // half-transparent ink
}

// makePalettePNG draws a ring of ink with a half-transparent inner ring on
// a transparent background, 120×60 pixels.
func makePalettePNG() []byte {
	img := image.NewPaletted(image.Rect(0, 0, 120, 60), paletteColors)
	for y := range 60 {
		for x := range 120 {
			dx, dy := float64(x-60)/50, float64(y-30)/25
			d := dx*dx + dy*dy
			switch {
			case d > 0.8 && d < 1:
				img.SetColorIndex(x, y, 1)
			case d > 0.4 && d < 0.6:
				img.SetColorIndex(x, y, 2)
			}
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(err)
	}
	return b.Bytes()
}

func readPalettePNG(t testing.TB) []byte {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(palettePNG), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(palettePNG, makePalettePNG(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(palettePNG)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	return b
}

// rawPNG writes a PNG by hand, for colour types image/png cannot encode
// (gray+alpha) and for headers it would refuse. rows are unfiltered
// scanlines without the filter byte.
func rawPNG(w, h int, depth, colorType byte, rows [][]byte) []byte {
	var out bytes.Buffer
	out.Write(pngSignature)
	chunk := func(typ string, data []byte) {
		binary.Write(&out, binary.BigEndian, uint32(len(data)))
		c := append([]byte(typ), data...)
		out.Write(c)
		binary.Write(&out, binary.BigEndian, crc32.ChecksumIEEE(c))
	}
	ihdr := binary.BigEndian.AppendUint32(nil, uint32(w))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(h))
	ihdr = append(ihdr, depth, colorType, 0, 0, 0)
	chunk("IHDR", ihdr)
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	for _, r := range rows {
		zw.Write([]byte{0})
		zw.Write(r)
	}
	zw.Close()
	chunk("IDAT", z.Bytes())
	chunk("IEND", nil)
	return out.Bytes()
}

func encodePNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestDecodePNG(t *testing.T) {
	// 2×1 images: pixel 0 opaque, pixel 1 as the case says.
	nrgba := image.NewNRGBA(image.Rect(0, 0, 2, 1))
	nrgba.Set(0, 0, color.NRGBA{0, 0, 255, 255})
	nrgba.Set(1, 0, color.NRGBA{255, 0, 0, 0x80})
	rgba := image.NewRGBA(image.Rect(0, 0, 2, 1))
	rgba.Set(0, 0, color.RGBA{0, 0, 255, 255})
	rgba.Set(1, 0, color.RGBA{0x80, 0, 0, 0x80}) // premultiplied: red at half alpha
	gray := image.NewGray(image.Rect(0, 0, 2, 1))
	gray.Set(0, 0, color.Gray{0x20})
	gray.Set(1, 0, color.Gray{0xe0})
	gray16 := image.NewGray16(image.Rect(0, 0, 2, 1))
	gray16.Set(0, 0, color.Gray16{0x2000})
	gray16.Set(1, 0, color.Gray16{0xe0ff})
	nrgba64 := image.NewNRGBA64(image.Rect(0, 0, 2, 1))
	nrgba64.Set(0, 0, color.NRGBA64{0, 0, 0xffff, 0xffff})
	nrgba64.Set(1, 0, color.NRGBA64{0xffff, 0, 0, 0x8000})

	tests := []struct {
		name  string
		data  []byte
		rgb   []byte
		alpha []byte // nil: opaque
	}{
		{"NRGBA", encodePNG(t, nrgba), []byte{0, 0, 255, 255, 0, 0}, []byte{255, 0x80}},
		{"RGBA", encodePNG(t, rgba), []byte{0, 0, 255, 255, 0, 0}, []byte{255, 0x80}},
		{"gray", encodePNG(t, gray), []byte{0x20, 0x20, 0x20, 0xe0, 0xe0, 0xe0}, nil},
		{"gray16", encodePNG(t, gray16), []byte{0x20, 0x20, 0x20, 0xe0, 0xe0, 0xe0}, nil},
		{"NRGBA64", encodePNG(t, nrgba64), []byte{0, 0, 255, 255, 0, 0}, []byte{255, 0x80}},
		{"gray+alpha 8", rawPNG(2, 1, 8, 4, [][]byte{{0x20, 0xff, 0xe0, 0x40}}), []byte{0x20, 0x20, 0x20, 0xe0, 0xe0, 0xe0}, []byte{255, 0x40}},
		{"gray+alpha 16", rawPNG(2, 1, 16, 4, [][]byte{{0x20, 0, 0xff, 0xff, 0xe0, 0, 0x40, 0}}), []byte{0x20, 0x20, 0x20, 0xe0, 0xe0, 0xe0}, []byte{255, 0x40}},
		{"RGB", rawPNG(2, 1, 8, 2, [][]byte{{1, 2, 3, 4, 5, 6}}), []byte{1, 2, 3, 4, 5, 6}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := decodePNG(tc.data)
			if err != nil {
				t.Fatal(err)
			}
			if r.w != 2 || r.h != 1 || !bytes.Equal(r.rgb, tc.rgb) || !bytes.Equal(r.alpha, tc.alpha) {
				t.Errorf("got %d×%d rgb %v alpha %v, want rgb %v alpha %v", r.w, r.h, r.rgb, r.alpha, tc.rgb, tc.alpha)
			}
		})
	}
}

func TestDecodePalettePNGKeepsTransparency(t *testing.T) {
	data := readPalettePNG(t)
	if !bytes.Contains(data, []byte("PLTE")) || !bytes.Contains(data, []byte("tRNS")) {
		t.Fatal("test image is not a palette PNG with a tRNS chunk")
	}
	if img, err := png.Decode(bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	} else if _, ok := img.(*image.Paletted); !ok {
		t.Fatalf("decodes as %T, want *image.Paletted", img)
	}
	r, err := decodePNG(data)
	if err != nil {
		t.Fatal(err)
	}
	if r.alpha == nil {
		t.Fatal("palette transparency lost: no alpha plane")
	}
	counts := map[byte]int{}
	for i, a := range r.alpha {
		counts[a]++
		if a != 0 && (r.rgb[3*i] != 0x10 || r.rgb[3*i+1] != 0x30 || r.rgb[3*i+2] != 0xb0) {
			t.Fatalf("pixel %d: colour %v, want the ink colour", i, r.rgb[3*i:3*i+3])
		}
	}
	if counts[0] < len(r.alpha)/2 || counts[0xff] == 0 || counts[0x80] == 0 || len(counts) != 3 {
		t.Errorf("alpha values %v, want mostly 0 with some 0xff and 0x80", counts)
	}
	// Transparent pixels take the ink colour, not black, so no viewer
	// shows a dark fringe.
	if r.rgb[0] != 0x10 || r.rgb[2] != 0xb0 {
		t.Errorf("transparent pixel colour %v, want the ink colour", r.rgb[:3])
	}
}

func TestDecodePNGErrors(t *testing.T) {
	good := encodePNG(t, image.NewGray(image.Rect(0, 0, 4, 4)))
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "not a PNG"},
		{"JPEG", []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), "not a PNG"},
		{"truncated", good[:len(good)-20], "bad PNG"},
		{"corrupt header", append(append([]byte{}, good[:20]...), make([]byte, 40)...), "bad PNG"},
		{"48 megapixels", rawPNG(8000, 6000, 8, 0, nil), "more than the 40 megapixels"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := decodePNG(tc.data)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			if tc.want == "not a PNG" && !errors.Is(err, ErrNotPNG) {
				t.Errorf("error %v is not ErrNotPNG", err)
			}
		})
	}
}

func TestPNGDPI(t *testing.T) {
	r, err := decodePNG(assets.DemoSeal)
	if err != nil {
		t.Fatal(err)
	}
	if r.dpi < 299.9 || r.dpi > 300.1 {
		t.Errorf("demo seal: %v dpi, want 300 from pHYs", r.dpi)
	}
	if d := pngDPI(encodePNG(t, image.NewGray(image.Rect(0, 0, 1, 1)))); d != 0 {
		t.Errorf("PNG without pHYs: %v dpi, want 0", d)
	}
}

func TestImageXObject(t *testing.T) {
	r, err := decodePNG(readPalettePNG(t))
	if err != nil {
		t.Fatal(err)
	}
	w := &countingWriter{}
	ref, err := r.write(w)
	if err != nil {
		t.Fatal(err)
	}
	if ref.Num != 2 {
		t.Fatalf("image is object %d, want 2 (after its mask)", ref.Num)
	}
	mask, img := w.dicts[1], w.dicts[2]
	for _, want := range []string{"/Subtype /Image", "/ColorSpace /DeviceGray", "/BitsPerComponent 8", "/Filter /FlateDecode", "/Width 120", "/Height 60"} {
		if !strings.Contains(mask, want) {
			t.Errorf("mask dict %q lacks %s", mask, want)
		}
	}
	for _, want := range []string{"/ColorSpace /DeviceRGB", "/SMask 1 0 R", "/Filter /FlateDecode"} {
		if !strings.Contains(img, want) {
			t.Errorf("image dict %q lacks %s", img, want)
		}
	}
	if got := inflate(t, w.streams[2]); !bytes.Equal(got, r.rgb) {
		t.Error("image data does not inflate to the pixels")
	}
	if got := inflate(t, w.streams[1]); !bytes.Equal(got, r.alpha) {
		t.Error("mask data does not inflate to the alpha plane")
	}
	// An opaque image has no mask.
	o, err := decodePNG(encodePNG(t, image.NewGray(image.Rect(0, 0, 3, 3))))
	if err != nil {
		t.Fatal(err)
	}
	w = &countingWriter{}
	if _, err := o.write(w); err != nil {
		t.Fatal(err)
	}
	if len(w.objs) != 1 || strings.Contains(w.dicts[1], "SMask") {
		t.Errorf("opaque image wrote %d objects: %q", len(w.objs), w.dicts[1])
	}
}
