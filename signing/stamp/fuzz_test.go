package stamp

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/assets"
	"github.com/vanthuso/vanthu/internal/fuzzguard"
	"github.com/vanthuso/vanthu/signing/pdf"
)

// FuzzDecodePNG: any input either fails with an error or decodes to planes
// of the right size.
func FuzzDecodePNG(f *testing.F) {
	f.Add(assets.DemoSignature[:2000])
	f.Add(makePalettePNG())
	f.Add(rawPNG(2, 1, 16, 4, [][]byte{{0x20, 0, 0xff, 0xff, 0xe0, 0, 0x40, 0}}))
	var b bytes.Buffer
	g := image.NewGray16(image.Rect(0, 0, 3, 2))
	g.Set(1, 1, color.Gray16{0x1234})
	png.Encode(&b, g)
	f.Add(b.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		defer fuzzguard.Watch(t, fuzzguard.Limit, data)()
		r, err := decodePNG(data)
		if err != nil {
			return
		}
		n := r.w * r.h
		if len(r.rgb) != 3*n || (r.alpha != nil && len(r.alpha) != n) {
			t.Fatalf("%d×%d image with %d colour and %d alpha bytes", r.w, r.h, len(r.rgb), len(r.alpha))
		}
	})
}

// FuzzText: any text in any field lays out and writes without error, and
// the ToUnicode CMap stays well formed.
func FuzzText(f *testing.F) {
	f.Add("Nguyễn Văn An", "Ủy ban nhân dân tỉnh Nghệ An", "05/QĐ-UBND", 200.0, 80.0)
	f.Add("e\u0301\u0323 \u202e\U0001F600\x00", "", "\xff\xfe", 3.0, 500.0)
	f.Add(strings.Repeat("dài ", 200), "x", "1", 40.0, 10.0)
	f.Fuzz(func(t *testing.T, signer, org, number string, w, h float64) {
		defer fuzzguard.Watch(t, fuzzguard.Limit, signer, org, number, w, h)()
		if !(w >= 1 && w <= 500 && h >= 1 && h <= 800) {
			return
		}
		doc := testDoc{{MediaBox: a4}}
		rect := pdf.Rect{LLX: 10, LLY: 10, URX: 10 + w, URY: 10 + h}
		tm := time.Date(2026, 1, 5, 2, 3, 4, 0, time.UTC)
		for _, o := range []Options{
			{Profile: Approval, Rect: &rect, Info: Info{Signer: signer + "x", Organization: org, Position: number, Time: tm}},
			{Profile: Attachment, Info: Info{Number: number + "1", Time: tm}},
			{Profile: Copy, Rect: &rect, Info: Info{CopyForm: signer + "S", CopyAgency: org + "A", Time: tm}},
		} {
			apps, err := Build(o, doc.geom)
			if err != nil {
				t.Fatalf("%s: %v", o.Profile, err)
			}
			g, _ := doc.geom(1)
			cw := &countingWriter{}
			if _, err := apps[0].Write(cw, g); err != nil {
				t.Fatalf("%s: write: %v", o.Profile, err)
			}
			for i, d := range cw.dicts {
				if d == "/Filter /FlateDecode" { // the ToUnicode CMap
					cmap := inflate(t, cw.streams[i])
					if bytes.Count(cmap, []byte("beginbfchar")) != bytes.Count(cmap, []byte("endbfchar")) {
						t.Fatalf("unbalanced CMap:\n%s", cmap)
					}
				}
			}
		}
	})
}
