package stamp

import (
	"fmt"
	"sync"

	"github.com/vanthuso/vanthu/assets"
	"github.com/vanthuso/vanthu/signing/pdf"
)

var serifBold = sync.OnceValues(func() (*trueType, error) { return parseTrueType(assets.SerifBold) })

// FontStyle chooses a face of the embedded serif family (Liberation
// Serif, metric-compatible with Times New Roman).
type FontStyle int

const (
	Regular FontStyle = iota
	Bold
	Italic
)

// Font writes text with the embedded serif fonts outside a stamp: page
// content of generated documents (the demo's sample documents). Encode
// the strings first, then Write the font once: the subset holds the
// glyphs encoded so far. A Font is not safe for concurrent use.
type Font struct{ use *fontUse }

// NewFont returns a Font of the style, named name in a resource
// dictionary ("F1").
func NewFont(style FontStyle, name string) (*Font, error) {
	var f *trueType
	var err error
	switch style {
	case Bold:
		f, err = serifBold()
	case Italic:
		f, err = serifItalic()
	default:
		f, err = serifRegular()
	}
	if err != nil {
		return nil, fmt.Errorf("font: %w", err)
	}
	return &Font{use: newFontUse(f, name)}, nil
}

// Name is the font's resource name.
func (f *Font) Name() string { return f.use.name }

// Encode returns the content-stream operand that shows s (a hex string
// for Tj) and records its glyphs for the subset.
func (f *Font) Encode(s string) []byte { return f.use.encode(s) }

// Width is the advance width of s at size points.
func (f *Font) Width(s string, size float64) float64 {
	return f.use.font.measure(s).width * size
}

// Write embeds the subset of the glyphs encoded so far (Type0, Identity-H,
// with a ToUnicode map, so that the text can be copied and searched) and
// returns the font dictionary's reference.
func (f *Font) Write(w pdf.ObjectWriter) (pdf.Ref, error) { return f.use.write(w) }
