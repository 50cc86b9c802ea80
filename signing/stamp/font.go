package stamp

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"sync"
	"unicode/utf16"

	"golang.org/x/image/font/sfnt"
	"golang.org/x/text/unicode/norm"

	"github.com/vanthuso/vanthu/assets"
	"github.com/vanthuso/vanthu/signing/pdf"
)

// trueType is a parsed TrueType font: the tables the subsetter copies and
// the metrics layout and the PDF font dictionaries need.
type trueType struct {
	sf        *sfnt.Font
	tables    map[string][]byte
	numGlyphs int
	upem      float64
	loca      []uint32 // numGlyphs+1 offsets into glyf
	advance   []uint16 // advance width of each glyph, font units
	psName    string

	// Metrics in PDF glyph space (1/1000 em).
	ascent, descent, capHeight float64
	bbox                       [4]float64
	italicAngle                float64
	stemV                      float64
	italic                     bool

	mu   sync.RWMutex
	cmap map[rune]uint16 // lookups so far
}

var (
	serifRegular = sync.OnceValues(func() (*trueType, error) { return parseTrueType(assets.SerifRegular) })
	serifItalic  = sync.OnceValues(func() (*trueType, error) { return parseTrueType(assets.SerifItalic) })
)

func u16(b []byte, off int) uint16 { return binary.BigEndian.Uint16(b[off:]) }
func i16(b []byte, off int) int16  { return int16(binary.BigEndian.Uint16(b[off:])) }
func u32(b []byte, off int) uint32 { return binary.BigEndian.Uint32(b[off:]) }

func parseTrueType(data []byte) (*trueType, error) {
	sf, err := sfnt.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("parse font: %w", err)
	}
	if len(data) < 12 || u32(data, 0) != 0x00010000 {
		return nil, errors.New("parse font: not a TrueType font")
	}
	f := &trueType{sf: sf, tables: map[string][]byte{}, cmap: map[rune]uint16{}}
	n := int(u16(data, 4))
	if len(data) < 12+16*n {
		return nil, errors.New("parse font: truncated table directory")
	}
	for i := range n {
		e := data[12+16*i:]
		off, l := int(u32(e, 8)), int(u32(e, 12))
		if off < 0 || l < 0 || off+l > len(data) {
			return nil, fmt.Errorf("parse font: table %q out of bounds", e[:4])
		}
		f.tables[string(e[:4])] = data[off : off+l]
	}
	for _, tag := range []string{"head", "hhea", "maxp", "hmtx", "loca", "glyf", "post", "OS/2"} {
		if f.tables[tag] == nil {
			return nil, fmt.Errorf("parse font: no %q table", tag)
		}
	}
	head, hhea, os2 := f.tables["head"], f.tables["hhea"], f.tables["OS/2"]
	if len(head) < 54 || len(hhea) < 36 || len(f.tables["maxp"]) < 6 || len(os2) < 78 || len(f.tables["post"]) < 32 {
		return nil, errors.New("parse font: short header tables")
	}
	f.upem = float64(u16(head, 18))
	f.numGlyphs = int(u16(f.tables["maxp"], 4))
	if f.upem == 0 || f.numGlyphs == 0 {
		return nil, errors.New("parse font: bad unitsPerEm or numGlyphs")
	}
	scale := 1000 / f.upem
	f.bbox = [4]float64{float64(i16(head, 36)) * scale, float64(i16(head, 38)) * scale, float64(i16(head, 40)) * scale, float64(i16(head, 42)) * scale}
	f.ascent = float64(i16(hhea, 4)) * scale
	f.descent = float64(i16(hhea, 6)) * scale
	f.capHeight = f.ascent * 0.7
	if u16(os2, 0) >= 2 && len(os2) >= 90 {
		f.capHeight = float64(i16(os2, 88)) * scale
	}
	weight := float64(u16(os2, 4))
	f.stemV = 50 + weight*weight/4000 // 90 at 400, 172 at 700: the usual estimate
	f.italicAngle = float64(int32(u32(f.tables["post"], 4))) / 65536
	f.italic = f.italicAngle != 0

	// loca
	loca := f.tables["loca"]
	f.loca = make([]uint32, f.numGlyphs+1)
	long := u16(head, 50) == 1
	for i := range f.loca {
		switch {
		case long && len(loca) >= 4*(i+1):
			f.loca[i] = u32(loca, 4*i)
		case !long && len(loca) >= 2*(i+1):
			f.loca[i] = 2 * uint32(u16(loca, 2*i))
		default:
			return nil, errors.New("parse font: short loca table")
		}
	}
	for i := range f.numGlyphs {
		if f.loca[i] > f.loca[i+1] || int(f.loca[i+1]) > len(f.tables["glyf"]) {
			return nil, fmt.Errorf("parse font: bad loca entry for glyph %d", i)
		}
	}

	// hmtx
	nh := int(u16(hhea, 34))
	hmtx := f.tables["hmtx"]
	if nh == 0 || nh > f.numGlyphs || len(hmtx) < 4*nh {
		return nil, errors.New("parse font: bad hmtx table")
	}
	f.advance = make([]uint16, f.numGlyphs)
	for i := range f.advance {
		f.advance[i] = u16(hmtx, 4*min(i, nh-1))
	}

	var buf sfnt.Buffer
	f.psName, err = sf.Name(&buf, sfnt.NameIDPostScript)
	if err != nil || f.psName == "" {
		return nil, errors.New("parse font: no PostScript name")
	}
	return f, nil
}

// glyphWidth returns the advance of gid in PDF glyph space (1/1000 em).
func (f *trueType) glyphWidth(gid uint16) float64 {
	if int(gid) >= len(f.advance) {
		return 0
	}
	return float64(f.advance[gid]) * 1000 / f.upem
}

// shaped is a run of text mapped to glyphs.
type shaped struct {
	gids  []uint16
	runes [][]rune // the characters each glyph stands for (for ToUnicode)
}

// shape normalises s to NFC and maps each character to a glyph of f.
// Characters the font lacks become '?'; control characters become spaces.
func (f *trueType) shape(s string) shaped {
	var out shaped
	for _, r := range norm.NFC.String(s) {
		if r < ' ' || r == 0x7f {
			r = ' '
		}
		g := f.glyph(r)
		if g == 0 {
			r = '?'
			g = f.glyph(r)
		}
		out.gids = append(out.gids, g)
		out.runes = append(out.runes, []rune{r})
	}
	return out
}

// glyph returns the glyph of r, 0 when the font has none.
func (f *trueType) glyph(r rune) uint16 {
	f.mu.RLock()
	g, ok := f.cmap[r]
	f.mu.RUnlock()
	if ok {
		return g
	}
	var buf sfnt.Buffer
	gi, err := f.sf.GlyphIndex(&buf, r)
	if err != nil {
		gi = 0
	}
	f.mu.Lock()
	if len(f.cmap) < 1<<16 { // bounded: arbitrary input cannot grow it forever
		f.cmap[r] = uint16(gi)
	}
	f.mu.Unlock()
	return uint16(gi)
}

// fontUse collects the glyphs one appearance draws with one font, so that
// the font can be embedded as a subset holding just those glyphs.
type fontUse struct {
	font *trueType
	name string            // resource name, e.g. "F1"
	used map[uint16][]rune // glyph → the text it stands for
}

func newFontUse(f *trueType, name string) *fontUse {
	return &fontUse{font: f, name: name, used: map[uint16][]rune{}}
}

// encode shapes s, records its glyphs and returns the content-stream
// string operand that shows it (Identity-H: two bytes per glyph id).
func (u *fontUse) encode(s string) []byte {
	sh := u.font.shape(s)
	out := make([]byte, 0, 2+4*len(sh.gids))
	out = append(out, '<')
	for i, g := range sh.gids {
		if _, ok := u.used[g]; !ok {
			u.used[g] = sh.runes[i]
		}
		out = fmt.Appendf(out, "%04X", g)
	}
	return append(out, '>')
}

// subsetTag derives the six-letter subset tag from the glyph set, so the
// same text gives the same bytes (golden tests) while different subsets of
// a font get different names.
func (u *fontUse) subsetTag(gids []uint16) string {
	h := fnv.New64a()
	h.Write([]byte(u.font.psName))
	for _, g := range gids {
		h.Write([]byte{byte(g >> 8), byte(g)})
	}
	v := h.Sum64()
	var tag [6]byte
	for i := range tag {
		tag[i] = 'A' + byte(v%26)
		v /= 26
	}
	return string(tag[:])
}

// write embeds the font as a Type0 font with Identity-H encoding over a
// CIDFontType2 whose FontFile2 is a TrueType subset, plus a ToUnicode CMap,
// and returns the Type0 font's reference.
func (u *fontUse) write(w pdf.ObjectWriter) (pdf.Ref, error) {
	f := u.font
	gids := make([]uint16, 0, len(u.used))
	for g := range u.used {
		gids = append(gids, g)
	}
	slices.Sort(gids)
	sub, err := f.subset(gids, u.used)
	if err != nil {
		return pdf.Ref{}, err
	}
	fontFile, err := writeFlate(w, fmt.Sprintf("/Length1 %d", len(sub)), sub)
	if err != nil {
		return pdf.Ref{}, fmt.Errorf("write font file: %w", err)
	}
	name := u.subsetTag(gids) + "+" + f.psName
	flags := 2 | 4 // serif, symbolic (glyphs are addressed by CID, not by a Latin encoding)
	if f.italic {
		flags |= 64
	}
	desc, err := w.WriteObject(fmt.Appendf(nil,
		"<< /Type /FontDescriptor /FontName /%s /Flags %d /FontBBox [%s %s %s %s] /ItalicAngle %s /Ascent %s /Descent %s /CapHeight %s /StemV %s /FontFile2 %s >>",
		name, flags, num(f.bbox[0]), num(f.bbox[1]), num(f.bbox[2]), num(f.bbox[3]), num(f.italicAngle),
		num(f.ascent), num(f.descent), num(f.capHeight), num(f.stemV), fontFile))
	if err != nil {
		return pdf.Ref{}, fmt.Errorf("write font descriptor: %w", err)
	}
	var widths bytes.Buffer
	for i := 0; i < len(gids); {
		// One "c [w1 w2 …]" group per run of consecutive glyph ids.
		j := i + 1
		for j < len(gids) && gids[j] == gids[j-1]+1 {
			j++
		}
		fmt.Fprintf(&widths, "%d [", gids[i])
		for k := i; k < j; k++ {
			if k > i {
				widths.WriteByte(' ')
			}
			widths.WriteString(num(f.glyphWidth(gids[k])))
		}
		widths.WriteString("] ")
		i = j
	}
	cid, err := w.WriteObject(fmt.Appendf(nil,
		"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /%s /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor %s /DW 1000 /W [%s] /CIDToGIDMap /Identity >>",
		name, desc, strings.TrimSpace(widths.String())))
	if err != nil {
		return pdf.Ref{}, fmt.Errorf("write CID font: %w", err)
	}
	toUnicode, err := writeFlate(w, "", u.toUnicode(gids))
	if err != nil {
		return pdf.Ref{}, fmt.Errorf("write ToUnicode: %w", err)
	}
	ref, err := w.WriteObject(fmt.Appendf(nil,
		"<< /Type /Font /Subtype /Type0 /BaseFont /%s /Encoding /Identity-H /DescendantFonts [%s] /ToUnicode %s >>",
		name, cid, toUnicode))
	if err != nil {
		return pdf.Ref{}, fmt.Errorf("write font: %w", err)
	}
	return ref, nil
}

// toUnicode returns a ToUnicode CMap mapping each used glyph to its text.
func (u *fontUse) toUnicode(gids []uint16) []byte {
	var b bytes.Buffer
	b.WriteString("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n" +
		"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n" +
		"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n" +
		"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n")
	for i := 0; i < len(gids); i += 100 {
		chunk := gids[i:min(i+100, len(gids))]
		fmt.Fprintf(&b, "%d beginbfchar\n", len(chunk))
		for _, g := range chunk {
			fmt.Fprintf(&b, "<%04X> <", g)
			for _, c := range utf16.Encode(u.used[g]) {
				fmt.Fprintf(&b, "%04X", c)
			}
			b.WriteString(">\n")
		}
		b.WriteString("endbfchar\n")
	}
	b.WriteString("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n")
	return b.Bytes()
}

// Composite glyph flags (TrueType glyf table).
const (
	argsAreWords     = 0x0001
	haveScale        = 0x0008
	moreComponents   = 0x0020
	haveXYScale      = 0x0040
	have2x2          = 0x0080
	haveInstructions = 0x0100
)

// components returns the glyph ids a composite glyph refers to.
func (f *trueType) components(gid uint16) ([]uint16, error) {
	data := f.tables["glyf"][f.loca[gid]:f.loca[gid+1]]
	if len(data) < 10 || i16(data, 0) >= 0 {
		return nil, nil
	}
	var out []uint16
	p := 10
	for {
		if p+4 > len(data) {
			return nil, fmt.Errorf("font: glyph %d: truncated composite", gid)
		}
		flags, comp := u16(data, p), u16(data, p+2)
		if int(comp) >= f.numGlyphs {
			return nil, fmt.Errorf("font: glyph %d: component %d out of range", gid, comp)
		}
		out = append(out, comp)
		p += 4
		if flags&argsAreWords != 0 {
			p += 4
		} else {
			p += 2
		}
		switch {
		case flags&haveScale != 0:
			p += 2
		case flags&haveXYScale != 0:
			p += 4
		case flags&have2x2 != 0:
			p += 8
		}
		if flags&moreComponents == 0 {
			return out, nil
		}
	}
}

// subset returns a TrueType font that keeps glyph ids unchanged (so
// CIDToGIDMap can be /Identity) but holds outlines only for .notdef, the
// given glyphs and the components of composite ones. Unused glyphs become
// empty and their metrics zero, which flate compresses to almost nothing.
// Hinting instructions are dropped (PDF viewers render unhinted outlines;
// they were half the glyph data). chars, when not nil, gives the text of
// glyphs for a small cmap table.
func (f *trueType) subset(gids []uint16, chars map[uint16][]rune) ([]byte, error) {
	keep := make([]bool, f.numGlyphs)
	queue := append([]uint16{0}, gids...)
	for len(queue) > 0 {
		g := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		if int(g) >= f.numGlyphs {
			return nil, fmt.Errorf("font: glyph %d out of range", g)
		}
		if keep[g] {
			continue
		}
		keep[g] = true
		comps, err := f.components(g)
		if err != nil {
			return nil, err
		}
		queue = append(queue, comps...)
	}

	src := f.tables["glyf"]
	var glyf []byte
	offsets := make([]uint32, f.numGlyphs+1)
	for g := range f.numGlyphs {
		offsets[g] = uint32(len(glyf))
		if keep[g] {
			data, err := stripInstructions(src[f.loca[g]:f.loca[g+1]])
			if err != nil {
				return nil, fmt.Errorf("font: glyph %d: %w", g, err)
			}
			glyf = append(glyf, data...)
			for len(glyf)%4 != 0 {
				glyf = append(glyf, 0)
			}
		}
	}
	offsets[f.numGlyphs] = uint32(len(glyf))
	short := len(glyf)/2 <= 0xFFFF
	var loca []byte
	for _, o := range offsets {
		if short {
			loca = binary.BigEndian.AppendUint16(loca, uint16(o/2))
		} else {
			loca = binary.BigEndian.AppendUint32(loca, o)
		}
	}

	head := slices.Clone(f.tables["head"])
	binary.BigEndian.PutUint32(head[8:], 0) // checkSumAdjustment, set below
	if short {
		binary.BigEndian.PutUint16(head[50:], 0)
	} else {
		binary.BigEndian.PutUint16(head[50:], 1)
	}

	hhea := f.tables["hhea"]
	nh := int(u16(hhea, 34))
	hmtx := slices.Clone(f.tables["hmtx"])
	for g := range f.numGlyphs {
		if keep[g] {
			continue
		}
		if g < nh {
			binary.BigEndian.PutUint32(hmtx[4*g:], 0)
		} else if off := 4*nh + 2*(g-nh); off+2 <= len(hmtx) {
			binary.BigEndian.PutUint16(hmtx[off:], 0)
		}
	}

	// post format 3: no glyph names.
	post := slices.Clone(f.tables["post"][:32])
	binary.BigEndian.PutUint32(post[0:], 0x00030000)

	tables := map[string][]byte{
		"head": head, "hhea": hhea, "maxp": f.tables["maxp"], "hmtx": hmtx,
		"loca": loca, "glyf": glyf, "post": post, "OS/2": f.tables["OS/2"],
		"cmap": cmapFormat4(chars),
	}
	// The name table carries the copyright and license notices.
	if t := f.tables["name"]; t != nil {
		tables["name"] = t
	}
	return assembleSFNT(tables), nil
}

// stripInstructions returns a glyph description without its hinting
// instructions.
func stripInstructions(g []byte) ([]byte, error) {
	if len(g) < 10 {
		return g, nil // empty glyph
	}
	if nc := int(i16(g, 0)); nc >= 0 {
		p := 10 + 2*nc
		if p+2 > len(g) {
			return nil, errors.New("truncated glyph")
		}
		n := int(u16(g, p))
		if p+2+n > len(g) {
			return nil, errors.New("truncated instructions")
		}
		out := make([]byte, 0, len(g)-n)
		out = append(out, g[:p]...)
		out = append(out, 0, 0)
		return append(out, g[p+2+n:]...), nil
	}
	// Composite: instructions follow the last component when it has
	// WE_HAVE_INSTRUCTIONS.
	out := slices.Clone(g)
	p := 10
	for {
		if p+4 > len(out) {
			return nil, errors.New("truncated composite")
		}
		flags := u16(out, p)
		last := p
		p += 4
		if flags&argsAreWords != 0 {
			p += 4
		} else {
			p += 2
		}
		switch {
		case flags&haveScale != 0:
			p += 2
		case flags&haveXYScale != 0:
			p += 4
		case flags&have2x2 != 0:
			p += 8
		}
		if flags&moreComponents != 0 {
			continue
		}
		if p > len(out) {
			return nil, errors.New("truncated composite")
		}
		binary.BigEndian.PutUint16(out[last:], flags&^haveInstructions)
		return out[:p], nil
	}
}

// cmapFormat4 returns a cmap table with one Windows Unicode BMP subtable
// (format 4) mapping the characters of chars to their glyphs.
func cmapFormat4(chars map[uint16][]rune) []byte {
	type pair struct {
		r rune
		g uint16
	}
	var pairs []pair
	for g, rs := range chars {
		if len(rs) == 1 && rs[0] < 0xFFFF {
			pairs = append(pairs, pair{rs[0], g})
		}
	}
	slices.SortFunc(pairs, func(a, b pair) int { return int(a.r - b.r) })
	pairs = slices.CompactFunc(pairs, func(a, b pair) bool { return a.r == b.r })
	// One segment per character, then the required 0xFFFF segment.
	n := len(pairs) + 1
	entrySelector := 0
	for 1<<(entrySelector+1) <= n {
		entrySelector++
	}
	searchRange := 2 << entrySelector
	sub := binary.BigEndian.AppendUint16(nil, 4)
	sub = binary.BigEndian.AppendUint16(sub, uint16(16+8*n))
	sub = binary.BigEndian.AppendUint16(sub, 0) // language
	sub = binary.BigEndian.AppendUint16(sub, uint16(2*n))
	sub = binary.BigEndian.AppendUint16(sub, uint16(searchRange))
	sub = binary.BigEndian.AppendUint16(sub, uint16(entrySelector))
	sub = binary.BigEndian.AppendUint16(sub, uint16(2*n-searchRange))
	for _, p := range pairs {
		sub = binary.BigEndian.AppendUint16(sub, uint16(p.r)) // endCode
	}
	sub = binary.BigEndian.AppendUint16(sub, 0xFFFF)
	sub = binary.BigEndian.AppendUint16(sub, 0) // reservedPad
	for _, p := range pairs {
		sub = binary.BigEndian.AppendUint16(sub, uint16(p.r)) // startCode
	}
	sub = binary.BigEndian.AppendUint16(sub, 0xFFFF)
	for _, p := range pairs {
		sub = binary.BigEndian.AppendUint16(sub, p.g-uint16(p.r)) // idDelta, modulo 65536
	}
	sub = binary.BigEndian.AppendUint16(sub, 1)
	for range n {
		sub = binary.BigEndian.AppendUint16(sub, 0) // idRangeOffset
	}
	out := binary.BigEndian.AppendUint16(nil, 0) // version
	out = binary.BigEndian.AppendUint16(out, 1)  // one subtable
	out = binary.BigEndian.AppendUint16(out, 3)  // Windows
	out = binary.BigEndian.AppendUint16(out, 1)  // Unicode BMP
	out = binary.BigEndian.AppendUint32(out, 12)
	return append(out, sub...)
}

// assembleSFNT writes a TrueType file holding tables, with a correct table
// directory, table checksums and head.checkSumAdjustment.
func assembleSFNT(tables map[string][]byte) []byte {
	tags := make([]string, 0, len(tables))
	for t := range tables {
		tags = append(tags, t)
	}
	slices.Sort(tags)
	n := len(tags)
	entrySelector := 0
	for 1<<(entrySelector+1) <= n {
		entrySelector++
	}
	searchRange := 16 << entrySelector
	out := binary.BigEndian.AppendUint32(nil, 0x00010000)
	out = binary.BigEndian.AppendUint16(out, uint16(n))
	out = binary.BigEndian.AppendUint16(out, uint16(searchRange))
	out = binary.BigEndian.AppendUint16(out, uint16(entrySelector))
	out = binary.BigEndian.AppendUint16(out, uint16(16*n-searchRange))
	offset := 12 + 16*n
	headAt := 0
	for _, t := range tags {
		data := tables[t]
		out = append(out, t...)
		out = binary.BigEndian.AppendUint32(out, checksum(data))
		out = binary.BigEndian.AppendUint32(out, uint32(offset))
		out = binary.BigEndian.AppendUint32(out, uint32(len(data)))
		if t == "head" {
			headAt = offset
		}
		offset += (len(data) + 3) &^ 3
	}
	for _, t := range tags {
		out = append(out, tables[t]...)
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
	}
	binary.BigEndian.PutUint32(out[headAt+8:], 0xB1B0AFBA-checksum(out))
	return out
}

func checksum(b []byte) uint32 {
	var sum uint32
	for i := 0; i < len(b); i += 4 {
		var w [4]byte
		copy(w[:], b[i:])
		sum += binary.BigEndian.Uint32(w[:])
	}
	return sum
}
