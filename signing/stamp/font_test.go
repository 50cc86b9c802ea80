package stamp

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"golang.org/x/text/unicode/norm"

	"github.com/vanthuso/vanthu/assets"
	"github.com/vanthuso/vanthu/signing/pdf"
)

const vietnameseLower = "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"

func allVietnamese() string {
	return vietnameseLower + strings.Map(unicode.ToUpper, vietnameseLower)
}

func TestShapeCoversVietnamese(t *testing.T) {
	for _, load := range []func() (*trueType, error){serifRegular, serifItalic} {
		f, err := load()
		if err != nil {
			t.Fatal(err)
		}
		letters := []rune(allVietnamese())
		if len(letters) != 134 {
			t.Fatalf("%d letters, want 134", len(letters))
		}
		sh := f.shape(string(letters))
		for i, r := range sh.runes {
			if r[0] != letters[i] || sh.gids[i] == 0 {
				t.Errorf("%s: %q maps to glyph %d as %q", f.psName, letters[i], sh.gids[i], r)
			}
		}
	}
}

func TestShapeNormalisesToNFC(t *testing.T) {
	f, err := serifRegular()
	if err != nil {
		t.Fatal(err)
	}
	decomposed := norm.NFD.String("Nguyễn Thị Hĩnh")
	if decomposed == "Nguyễn Thị Hĩnh" {
		t.Fatal("test input is not decomposed")
	}
	got := f.shape(decomposed)
	want := f.shape("Nguyễn Thị Hĩnh")
	if !slices.Equal(got.gids, want.gids) {
		t.Errorf("decomposed input shapes to %v, want %v", got.gids, want.gids)
	}
	// A character the font lacks becomes '?', a control character a space.
	if s := f.shape("a\u4e2d\tb"); s.runes[1][0] != '?' || s.runes[2][0] != ' ' {
		t.Errorf("shape(a中\\tb) = %q", s.runes)
	}
}

// countingWriter is an ObjectWriter that keeps what it is given.
type countingWriter struct {
	objs    [][]byte
	streams map[int][]byte // object index → raw stream data
	dicts   map[int]string
}

func (w *countingWriter) WriteObject(body []byte) (pdf.Ref, error) {
	w.objs = append(w.objs, bytes.Clone(body))
	return pdf.Ref{Num: uint32(len(w.objs))}, nil
}

func (w *countingWriter) WriteStream(dict, data []byte) (pdf.Ref, error) {
	if w.streams == nil {
		w.streams, w.dicts = map[int][]byte{}, map[int]string{}
	}
	w.objs = append(w.objs, nil)
	w.streams[len(w.objs)] = bytes.Clone(data)
	w.dicts[len(w.objs)] = string(dict)
	return pdf.Ref{Num: uint32(len(w.objs))}, nil
}

func inflate(t testing.TB, b []byte) []byte {
	t.Helper()
	r, err := zlib.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// typicalStamp is the text of an approval info block.
var typicalStamp = []string{
	"Người ký: Nguyễn Văn An",
	"Email: nvan@nghean.gov.vn",
	"Cơ quan: Ủy ban nhân dân tỉnh Nghệ An",
	"Chức vụ: Chủ tịch",
	"Thời gian ký: 05/01/2026 09:03:04 +07:00",
}

func TestFontSubset(t *testing.T) {
	f, err := serifRegular()
	if err != nil {
		t.Fatal(err)
	}
	u := newFontUse(f, "F1")
	for _, l := range typicalStamp {
		u.encode(l)
	}
	w := &countingWriter{}
	ref, err := u.write(w)
	if err != nil {
		t.Fatal(err)
	}
	if int(ref.Num) != len(w.objs) {
		t.Errorf("font dictionary is object %d, want the last one (%d): parents after children", ref.Num, len(w.objs))
	}
	total, fontFile := 0, -1
	for i, o := range w.objs {
		total += len(o) + len(w.streams[i+1])
		if strings.Contains(w.dicts[i+1], "/Length1") {
			fontFile = i + 1
		}
	}
	if fontFile < 0 {
		t.Fatal("no FontFile2 stream")
	}
	sub := inflate(t, w.streams[fontFile])
	t.Logf("typical approval stamp: %d glyphs; TrueType subset %d bytes, %d compressed; all font objects %d bytes (full font %d bytes)",
		len(u.used), len(sub), len(w.streams[fontFile]), total, len(f.tables["glyf"]))
	if total > 20000 {
		t.Errorf("font objects take %d bytes, want a small subset", total)
	}
	if !strings.Contains(w.dicts[fontFile], "/Length1 "+strconv.Itoa(len(sub))) {
		t.Errorf("FontFile2 dict %q does not give /Length1 %d", w.dicts[fontFile], len(sub))
	}

	// The subset is a valid font whose used glyphs (and their composite
	// components) have the original outlines and advances.
	sf, err := sfnt.Parse(sub)
	if err != nil {
		t.Fatalf("subset does not parse: %v", err)
	}
	if sf.NumGlyphs() != f.numGlyphs {
		t.Errorf("subset has %d glyphs, want ids unchanged (%d)", sf.NumGlyphs(), f.numGlyphs)
	}
	var b1, b2 sfnt.Buffer
	ppem := fixed.I(int(f.upem))
	for g := range u.used {
		s1, err1 := f.sf.LoadGlyph(&b1, sfnt.GlyphIndex(g), ppem, nil)
		s2, err2 := sf.LoadGlyph(&b2, sfnt.GlyphIndex(g), ppem, nil)
		if err1 != nil || err2 != nil || !slices.Equal(s1, s2) {
			t.Errorf("glyph %d (%q): outline differs in subset (%v, %v)", g, u.used[g], err1, err2)
		}
		a1, _ := f.sf.GlyphAdvance(&b1, sfnt.GlyphIndex(g), ppem, 0)
		a2, _ := sf.GlyphAdvance(&b2, sfnt.GlyphIndex(g), ppem, 0)
		if a1 != a2 {
			t.Errorf("glyph %d: advance %v in subset, want %v", g, a2, a1)
		}
	}
	// An unused glyph is empty.
	var buf sfnt.Buffer
	z, _ := f.sf.GlyphIndex(&buf, 'Z')
	if segs, err := sf.LoadGlyph(&b2, z, ppem, nil); err != nil || len(segs) != 0 {
		t.Errorf("unused glyph Z has %d segments (%v)", len(segs), err)
	}
	// Table checksums and head.checkSumAdjustment hold.
	if got := checksum(sub); got != 0xB1B0AFBA {
		t.Errorf("whole-font checksum %#x, want 0xB1B0AFBA", got)
	}

	// Dictionaries: Type0/Identity-H over CIDFontType2 with /Identity,
	// subset tag, widths and ToUnicode.
	all := string(bytes.Join(w.objs, []byte("\n")))
	for _, want := range []string{"/Subtype /Type0", "/Encoding /Identity-H", "/Subtype /CIDFontType2", "/CIDToGIDMap /Identity", "/ToUnicode", "/W [", "/FontFile2"} {
		if !strings.Contains(all, want) {
			t.Errorf("font objects lack %s", want)
		}
	}
	if !regexp.MustCompile(`/BaseFont /[A-Z]{6}\+LiberationSerif `).MatchString(all) {
		t.Errorf("no subset-tagged BaseFont in %s", all)
	}
	var cmap []byte
	for i, d := range w.dicts {
		if !strings.Contains(d, "Length1") && !strings.Contains(d, "/Subtype") {
			cmap = inflate(t, w.streams[i])
		}
	}
	ễ := f.shape("ễ").gids[0]
	if !bytes.Contains(cmap, fmt.Appendf(nil, "<%04X> <1EC5>", ễ)) {
		t.Errorf("ToUnicode does not map glyph %d to U+1EC5:\n%s", ễ, cmap)
	}
}

func TestSubsetKeepsCompositeComponents(t *testing.T) {
	f, err := serifRegular()
	if err != nil {
		t.Fatal(err)
	}
	// "Ễ" is a composite in Liberation Serif.
	g := f.shape("Ễ").gids[0]
	comps, err := f.components(g)
	if err != nil || len(comps) == 0 {
		t.Fatalf("Ễ (glyph %d) has components %v, %v; want a composite", g, comps, err)
	}
	sub, err := f.subset([]uint16{g}, nil)
	if err != nil {
		t.Fatal(err)
	}
	sf, err := sfnt.Parse(sub)
	if err != nil {
		t.Fatal(err)
	}
	var buf sfnt.Buffer
	segs, err := sf.LoadGlyph(&buf, sfnt.GlyphIndex(g), fixed.I(2048), nil)
	if err != nil || len(segs) == 0 {
		t.Errorf("composite glyph does not load from the subset: %d segments, %v", len(segs), err)
	}
}

// TestAppearanceSizes reports how many bytes each profile adds to a PDF
// (all objects an appearance writes, streams compressed).
func TestAppearanceSizes(t *testing.T) {
	doc := testDoc{{MediaBox: a4}}
	box := &pdf.Rect{LLX: 330, LLY: 150, URX: 530, URY: 280}
	for _, tc := range []struct {
		name  string
		o     Options
		limit int
	}{
		{"approval text only", Options{Profile: Approval, Rect: box, Info: leaderInfo}, 12000},
		{"approval image and text", Options{Profile: Approval, Rect: box, Info: leaderInfo, SignatureImage: assets.DemoSignature}, 40000},
		{"issue seal", Options{Profile: Issue, LeaderRect: box, SealImage: assets.DemoSeal}, 60000},
		{"attachment", Options{Profile: Attachment, Info: Info{Number: "05/QĐ-UBND", Time: signingTime}}, 8000},
		{"copy", Options{Profile: Copy, Info: Info{CopyForm: "SAO Y", CopyAgency: "Sở Nội vụ tỉnh Nghệ An", Time: signingTime}}, 10000},
	} {
		apps, err := Build(tc.o, doc.geom)
		if err != nil {
			t.Fatal(err)
		}
		g, _ := doc.geom(1)
		w := &countingWriter{}
		if _, err := apps[0].Write(w, g); err != nil {
			t.Fatal(err)
		}
		total, font := 0, 0
		for i, o := range w.objs {
			n := len(o) + len(w.streams[i+1]) + len(w.dicts[i+1])
			total += n
			if strings.Contains(w.dicts[i+1], "/Length1") {
				font = len(w.streams[i+1])
			}
		}
		t.Logf("%-24s %2d objects, %6d bytes (FontFile2 %d)", tc.name, len(w.objs), total, font)
		if total > tc.limit {
			t.Errorf("%s: %d bytes, want at most %d", tc.name, total, tc.limit)
		}
	}
}
