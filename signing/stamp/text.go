package stamp

import (
	"strings"
)

// lineSpacing is the baseline-to-baseline distance in ems.
const lineSpacing = 1.2

// run is a piece of text measured at 1 pt: its advance and how far its
// glyphs reach above and below the baseline (at least the font's ascent
// and descent, more where stacked Vietnamese diacritics such as Ẫ rise
// higher). Advances add up exactly: the fonts are used without kerning.
type run struct {
	text        string
	width       float64
	top, bottom float64 // bottom is negative below the baseline
}

func (f *trueType) measure(s string) run {
	r := run{text: s, top: f.ascent / 1000, bottom: f.descent / 1000}
	glyf := f.tables["glyf"]
	for _, g := range f.shape(s).gids {
		r.width += f.glyphWidth(g) / 1000
		start, end := f.loca[g], f.loca[g+1]
		if end-start >= 10 {
			r.top = max(r.top, float64(i16(glyf, int(start)+8))/f.upem)
			r.bottom = min(r.bottom, float64(i16(glyf, int(start)+4))/f.upem)
		}
	}
	return r
}

// textBlock is left-aligned lines of text at one size.
type textBlock struct {
	font  *trueType
	size  float64
	lines []run
}

func (b textBlock) leading() float64 { return lineSpacing * b.size }

// firstAscent is how far the first line's glyphs reach above its baseline.
func (b textBlock) firstAscent() float64 {
	if len(b.lines) == 0 {
		return 0
	}
	return b.lines[0].top * b.size
}

// height is the distance from the highest to the lowest ink of the block.
func (b textBlock) height() float64 {
	if len(b.lines) == 0 {
		return 0
	}
	return (b.lines[0].top + float64(len(b.lines)-1)*lineSpacing - b.lines[len(b.lines)-1].bottom) * b.size
}

// width is the advance of the longest line.
func (b textBlock) width() float64 {
	w := 0.0
	for _, l := range b.lines {
		w = max(w, l.width)
	}
	return w * b.size
}

// minTextSize is the smallest size fitText tries with word wrapping; below
// it the text is kept on unwrapped lines and scaled to fit.
const minTextSize = 4

// fitText lays paragraphs out in a w×h box: at maxSize if they fit, else
// wrapped at spaces and shrunk in quarter points until they do. Text is
// never clipped: when nothing fits even at minTextSize, the unwrapped
// paragraphs are scaled down until they fit.
func fitText(f *trueType, paras []string, w, h, maxSize float64) textBlock {
	space := f.measure(" ").width
	words := make([][]run, len(paras))
	for i, p := range paras {
		for _, word := range strings.Fields(p) {
			words[i] = append(words[i], f.measure(word))
		}
	}
	for size := maxSize; size >= minTextSize; size -= 0.25 {
		b := textBlock{font: f, size: size, lines: wrap(words, space, w/size)}
		if b.width() <= w && b.height() <= h {
			return b
		}
	}
	b := textBlock{font: f, size: 1, lines: wrap(words, space, 1e300)}
	size := maxSize
	if bw := b.width(); bw > 0 {
		size = min(size, w/bw)
	}
	if bh := b.height(); bh > 0 {
		size = min(size, h/bh)
	}
	b.size = max(size, 0.01)
	return b
}

// wrap breaks each paragraph's words into lines no wider than w (at 1 pt)
// where possible; a word longer than w stays whole on its own line.
func wrap(paras [][]run, space, w float64) []run {
	var lines []run
	for _, words := range paras {
		if len(words) == 0 {
			lines = append(lines, run{})
			continue
		}
		start := 0
		line := words[0]
		flush := func(end int) {
			texts := make([]string, 0, end-start)
			for _, word := range words[start:end] {
				texts = append(texts, word.text)
			}
			line.text = strings.Join(texts, " ")
			lines = append(lines, line)
		}
		for i, word := range words[1:] {
			if line.width+space+word.width <= w {
				line.width += space + word.width
				line.top, line.bottom = max(line.top, word.top), min(line.bottom, word.bottom)
				continue
			}
			flush(i + 1)
			start, line = i+1, word
		}
		flush(len(words))
	}
	return lines
}
