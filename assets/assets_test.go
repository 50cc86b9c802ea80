package assets

import (
	"bytes"
	"image"
	"image/png"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/image/font/sfnt"
)

// vietnameseLower lists every precomposed lower-case Vietnamese letter that
// carries a diacritic (67 letters); their upper-case forms make 134.
const vietnameseLower = "àáảãạ ăằắẳẵặ âầấẩẫậ đ èéẻẽẹ êềếểễệ ìíỉĩị òóỏõọ ôồốổỗộ ơờớởỡợ ùúủũụ ưừứửữự ỳýỷỹỵ"

func vietnameseLetters() []rune {
	var rs []rune
	for _, r := range vietnameseLower {
		if r != ' ' {
			rs = append(rs, r)
		}
	}
	n := len(rs)
	for _, r := range rs[:n] {
		rs = append(rs, unicode.ToUpper(r))
	}
	return rs
}

func TestFontsCoverVietnamese(t *testing.T) {
	letters := vietnameseLetters()
	if len(letters) != 134 {
		t.Fatalf("test table has %d letters, want 134", len(letters))
	}
	// Plain letters, digits and the punctuation stamps use.
	extra := "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 :/-+.,()"
	for _, tc := range []struct {
		name string
		data []byte
	}{{"Regular", SerifRegular}, {"Bold", SerifBold}, {"Italic", SerifItalic}} {
		f, err := sfnt.Parse(tc.data)
		if err != nil {
			t.Fatalf("%s: parse: %v", tc.name, err)
		}
		var buf sfnt.Buffer
		var missing []string
		for _, r := range append(letters, []rune(extra)...) {
			g, err := f.GlyphIndex(&buf, r)
			if err != nil || g == 0 {
				missing = append(missing, string(r))
			}
		}
		if len(missing) > 0 {
			t.Errorf("%s: no glyph for %s", tc.name, strings.Join(missing, " "))
		}
		name, err := f.Name(&buf, sfnt.NameIDPostScript)
		if err != nil || !strings.HasPrefix(name, "LiberationSerif") {
			t.Errorf("%s: PostScript name %q, %v", tc.name, name, err)
		}
	}
	t.Logf("Liberation Serif Regular, Bold and Italic map all %d precomposed Vietnamese letters", len(letters))
}

func TestFontLicense(t *testing.T) {
	if !strings.Contains(FontLicense, "SIL Open Font License") {
		t.Fatal("FontLicense does not hold the OFL")
	}
}

func TestDemoImages(t *testing.T) {
	for _, tc := range []struct {
		name string
		data []byte
		want func(r, g, b uint8) bool
	}{
		{"signature", DemoSignature, func(r, g, b uint8) bool { return b > 120 && b > r+60 && b > g+40 }},
		{"seal", DemoSeal, func(r, g, b uint8) bool { return r > 150 && g < 90 && b < 90 }},
	} {
		img, err := png.Decode(bytes.NewReader(tc.data))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var transparent, ink, other int
		b := img.Bounds()
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				c := nrgbaAt(img, x, y)
				switch {
				case c.A == 0:
					transparent++
				case c.A > 128 && tc.want(c.R, c.G, c.B):
					ink++
				case c.A > 128:
					other++
				}
			}
		}
		total := b.Dx() * b.Dy()
		if transparent < total/2 || ink < total/50 || other > ink/100 {
			t.Errorf("%s: %d transparent, %d ink, %d other pixels of %d", tc.name, transparent, ink, other, total)
		}
	}
}

func nrgbaAt(img image.Image, x, y int) (c struct{ R, G, B, A uint8 }) {
	r, g, b, a := img.At(x, y).RGBA()
	if a == 0 {
		return c
	}
	c.R = uint8(r * 0xffff / a >> 8)
	c.G = uint8(g * 0xffff / a >> 8)
	c.B = uint8(b * 0xffff / a >> 8)
	c.A = uint8(a >> 8)
	return c
}
