package stamp

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/vanthuso/vanthu/signing/pdf"
)

// Profile says which signature of Nghị định 30/2020 an appearance is for.
type Profile string

const (
	// Approval is the competent person's (leader's) signature: the image
	// of their handwritten signature, optionally with an info block.
	Approval Profile = "approval"
	// Issue is the agency's signature on the main document, applied by the
	// clerk: the seal image overlapping the leader's signature, plus
	// optional number and date marks in the document body.
	Issue Profile = "issue"
	// Attachment is the agency's signature on an attachment in a separate
	// file: number and signing time, top-right of page 1, no image.
	Attachment Profile = "attachment"
	// Copy is the agency's signature on an electronic copy (sao y, sao lục,
	// trích sao): copy form, copying agency and signing time, top-right of
	// page 1, no image.
	Copy Profile = "copy"
)

// ParseProfile parses a profile name ("approval", "issue", "attachment",
// "copy"; case and surrounding spaces do not matter).
func ParseProfile(s string) (Profile, error) {
	p := Profile(strings.ToLower(strings.TrimSpace(s)))
	switch p {
	case Approval, Issue, Attachment, Copy:
		return p, nil
	}
	return "", fmt.Errorf("unknown stamp profile %q (want approval, issue, attachment or copy)", s)
}

// Mode says what an approval appearance shows.
type Mode int

const (
	// DefaultMode is ImageAndText when a signature image is given and
	// TextOnly otherwise.
	DefaultMode Mode = iota
	// ImageAndText shows the signature image and the info block.
	ImageAndText
	// ImageOnly shows the signature image alone.
	ImageOnly
	// TextOnly shows the info block alone.
	TextOnly
)

var modeNames = []string{"default", "image-and-text", "image-only", "text-only"}

// String returns the name ParseMode accepts.
func (m Mode) String() string {
	if m >= 0 && int(m) < len(modeNames) {
		return modeNames[m]
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// ParseMode parses "default" (or ""), "image-and-text", "image-only" or
// "text-only".
func ParseMode(s string) (Mode, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return DefaultMode, nil
	}
	for i, n := range modeNames {
		if s == n {
			return Mode(i), nil
		}
	}
	return 0, fmt.Errorf("unknown appearance mode %q (want image-and-text, image-only or text-only)", s)
}

// Info is what the text of an appearance says. Text is normalised to NFC
// before it is drawn, so decomposed input shows correctly.
type Info struct {
	Signer       string    // full name (certificate CN)
	Organization string    // agency (certificate O / OU)
	Position     string    // chức vụ, optional
	Email        string    // optional
	Time         time.Time // signing time; shown in Vietnam time, +07:00
	Number       string    // số và ký hiệu without the "Số:" label, e.g. "05/QĐ-UBND" (issue, attachment)
	CopyForm     string    // "SAO Y", "SAO LỤC", "TRÍCH SAO" (copy)
	CopyAgency   string    // copying agency (copy); Organization when empty
}

// DefaultTimeLayout is the signing-time pattern used when
// Options.TimeLayout is empty: "26/06/2025 15:19:01 +07:00".
const DefaultTimeLayout = "02/01/2006 15:04:05 -07:00"

// Vietnam is Vietnam's time zone, UTC+07:00 all year. It is a fixed zone so
// the program needs no time zone database.
var Vietnam = time.FixedZone("ICT", 7*3600)

// Options describes the appearances of one signature.
type Options struct {
	Profile    Profile
	Info       Info
	TimeLayout string // Go time layout in Vietnam time; "" = DefaultTimeLayout
	// Mode is for Approval only.
	Mode Mode
	// SignatureImage is the leader's handwritten signature (Approval): a
	// PNG, blue on a transparent background.
	SignatureImage []byte
	// SealImage is the agency's seal (Issue): a PNG, red on a transparent
	// background, cropped to the seal.
	SealImage []byte
	// SealDiameter is the seal's real size in points (the longer side of
	// the image). 0 = from the PNG's pHYs resolution, else 36 mm.
	SealDiameter float64
	// Page is the 1-based page of the appearance; 0 = page 1. For Issue
	// without Rect the seal goes on LeaderPage instead.
	Page int
	// Rect is the widget rectangle in the page's default user space
	// (unrotated). nil = default placement: invisible for Approval, next to
	// LeaderRect for Issue, top-right of the page for Attachment and Copy.
	Rect *pdf.Rect
	// LeaderPage and LeaderRect locate the leader's approval signature
	// (Issue); LeaderPage 0 = Page.
	LeaderPage int
	LeaderRect *pdf.Rect
	// NumberRect and DateRect are where the clerk's number (Info.Number)
	// and the issue date are stamped into the document body (Issue), on
	// NumberPage (0 = page 1), in the page's default user space.
	NumberRect *pdf.Rect
	DateRect   *pdf.Rect
	NumberPage int
	// DateText is the date mark's text; "" = FormatVietnameseDate("",
	// Info.Time), e.g. "ngày 05 tháng 01 năm 2026".
	DateText string
}

// Sizes in points.
const (
	mm              = 72 / 25.4
	defaultSealSize = 36 * mm // when neither SealDiameter nor pHYs says otherwise
	pageMargin      = 20 * mm // attachment and copy: from the displayed top and right edges
	cornerTextSize  = 10      // attachment and copy (Times New Roman 10)
	bodyTextSize    = 13      // issue number and date marks
	infoTextSize    = 10      // approval info block, largest size
	maxCornerWidth  = 90 * mm // attachment and copy: wider text wraps
)

// FormatTime formats t in Vietnam time with layout (DefaultTimeLayout when
// empty).
func FormatTime(t time.Time, layout string) string {
	if layout == "" {
		layout = DefaultTimeLayout
	}
	return t.In(Vietnam).Format(layout)
}

// FormatVietnameseDate returns the place-and-date line of Nghị định
// 30/2020, e.g. "Nghệ An, ngày 05 tháng 01 năm 2026", in Vietnam time. Days
// below 10 and the months 1 and 2 get a leading zero; other months do not
// ("ngày 15 tháng 3 năm 2026"). With an empty place it returns the date
// part alone.
func FormatVietnameseDate(place string, t time.Time) string {
	t = t.In(Vietnam)
	month := fmt.Sprint(int(t.Month()))
	if t.Month() <= time.February {
		month = "0" + month
	}
	s := fmt.Sprintf("ngày %02d tháng %s năm %d", t.Day(), month, t.Year())
	if place = strings.TrimSpace(place); place != "" {
		s = norm.NFC.String(place) + ", " + s
	}
	return s
}

// Build returns the appearances to add with one signature: element 0 is
// the signature widget's appearance, further elements are extra marks
// (Issue's number and date). It returns (nil, nil) for an invisible
// signature: Approval without Rect, Issue without Rect and LeaderRect.
//
// pageGeom returns the geometry of page n (1-based) and an error when the
// page does not exist; Build wraps that error. Other errors say what is
// missing or wrong in o: an unknown profile, a required image or text
// missing, a PNG that is bad, not a PNG (ErrNotPNG) or too large, a
// rectangle that is empty or outside the visible page area.
//
// The Write functions of the result write the objects laid out by Build;
// they fail if the page's rotation differs from what pageGeom reported.
func Build(o Options, pageGeom func(n int) (pdf.PageGeometry, error)) ([]pdf.Appearance, error) {
	b := builder{o: o, pageGeom: pageGeom}
	var err error
	switch o.Profile {
	case Approval:
		err = b.approval()
	case Issue:
		err = b.issue()
	case Attachment, Copy:
		err = b.corner()
	default:
		err = fmt.Errorf("unknown stamp profile %q", o.Profile)
	}
	if err != nil {
		return nil, fmt.Errorf("%s stamp: %w", o.Profile, err)
	}
	return b.out, nil
}

type builder struct {
	o        Options
	pageGeom func(n int) (pdf.PageGeometry, error)
	out      []pdf.Appearance
}

func (b *builder) page(n int) (pdf.PageGeometry, error) {
	if n == 0 {
		n = 1
	}
	if n < 0 {
		return pdf.PageGeometry{}, fmt.Errorf("page %d does not exist", n)
	}
	g, err := b.pageGeom(n)
	if err != nil {
		return pdf.PageGeometry{}, fmt.Errorf("page %d: %w", n, err)
	}
	if g.Number == 0 {
		g.Number = n
	}
	if g.Visible().Normalize().Width() <= 0 || g.Visible().Normalize().Height() <= 0 {
		return pdf.PageGeometry{}, fmt.Errorf("page %d has an empty media box", n)
	}
	return g, nil
}

// add appends an appearance drawn by c on page g at rect (user space).
func (b *builder) add(g pdf.PageGeometry, rect pdf.Rect, c *canvas) {
	rot := normRotate(g.Rotate)
	page := g.Number
	b.out = append(b.out, pdf.Appearance{
		Page: page,
		Rect: rect,
		Write: func(w pdf.ObjectWriter, wg pdf.PageGeometry) (pdf.Ref, error) {
			if r := normRotate(wg.Rotate); r != rot {
				return pdf.Ref{}, fmt.Errorf("stamp: page %d is rotated %d°, the appearance was laid out for %d°", page, r, rot)
			}
			return c.write(w, rot)
		},
	})
}

// canvasFor returns a canvas for a user-space rect on g: its size is the
// rect's size as the reader sees it.
func canvasFor(g pdf.PageGeometry, rect pdf.Rect) *canvas {
	if r := normRotate(g.Rotate); r == 90 || r == 270 {
		return newCanvas(rect.Height(), rect.Width())
	}
	return newCanvas(rect.Width(), rect.Height())
}

func (b *builder) timeText() (string, error) {
	if b.o.Info.Time.IsZero() {
		return "", errors.New("signing time missing")
	}
	return FormatTime(b.o.Info.Time, b.o.TimeLayout), nil
}

// infoLines returns the approval info block, in the order Vietnamese
// signing tools print it.
func (b *builder) infoLines() ([]string, error) {
	in := b.o.Info
	if strings.TrimSpace(in.Signer) == "" {
		return nil, errors.New("signer name missing")
	}
	t, err := b.timeText()
	if err != nil {
		return nil, err
	}
	lines := []string{"Người ký: " + in.Signer}
	if in.Email != "" {
		lines = append(lines, "Email: "+in.Email)
	}
	if in.Organization != "" {
		lines = append(lines, "Cơ quan: "+in.Organization)
	}
	if in.Position != "" {
		lines = append(lines, "Chức vụ: "+in.Position)
	}
	return append(lines, "Thời gian ký: "+t), nil
}

func padding(w, h float64) float64 { return min(3, max(0.5, min(w, h)*0.04)) }

// fitBox returns the largest box of the given aspect ratio (width/height)
// centred in the region (x, y, w, h).
func fitBox(aspect, x, y, w, h float64) (bx, by, bw, bh float64) {
	bw, bh = w, w/aspect
	if bh > h {
		bw, bh = h*aspect, h
	}
	return x + (w-bw)/2, y + (h-bh)/2, bw, bh
}

func (b *builder) approval() error {
	o := b.o
	mode := o.Mode
	if mode == DefaultMode {
		mode = TextOnly
		if len(o.SignatureImage) > 0 {
			mode = ImageAndText
		}
	}
	if mode < DefaultMode || mode > TextOnly {
		return fmt.Errorf("unknown mode %d", mode)
	}
	var img *raster
	if mode == ImageAndText || mode == ImageOnly {
		if len(o.SignatureImage) == 0 {
			return fmt.Errorf("mode %s needs a signature image", mode)
		}
		var err error
		if img, err = decodePNG(o.SignatureImage); err != nil {
			return fmt.Errorf("signature image: %w", err)
		}
	}
	var lines []string
	if mode != ImageOnly {
		var err error
		if lines, err = b.infoLines(); err != nil {
			return err
		}
	}
	if o.Rect == nil {
		return nil // invisible
	}
	g, err := b.page(o.Page)
	if err != nil {
		return err
	}
	rect := o.Rect.Normalize()
	if err := checkInside("rectangle", rect, g); err != nil {
		return err
	}
	font, err := serifRegular()
	if err != nil {
		return err
	}
	c := canvasFor(g, rect)
	pad := padding(c.w, c.h)
	iw, ih := c.w-2*pad, c.h-2*pad
	switch mode {
	case ImageOnly:
		x, y, w, h := fitBox(img.aspect(), pad, pad, iw, ih)
		c.image(img, x, y, w, h)
	case TextOnly:
		t := fitText(font, lines, iw, ih, infoTextSize)
		c.text(t, pad, c.h-pad-(ih-t.height())/2)
	case ImageAndText:
		gap := pad
		if c.w >= 1.6*c.h {
			// Wide box: signature on the left, info block on the right.
			imgW := min(0.45*iw, ih*img.aspect())
			x, y, w, h := fitBox(img.aspect(), pad, pad, imgW, ih)
			c.image(img, x, y, w, h)
			tw := iw - imgW - gap
			t := fitText(font, lines, tw, ih, infoTextSize)
			c.text(t, pad+imgW+gap, c.h-pad-(ih-t.height())/2)
		} else {
			// Signature above, info block below, centred.
			t := fitText(font, lines, iw, 0.45*ih, infoTextSize)
			th := t.height()
			x, y, w, h := fitBox(img.aspect(), pad, pad+th+gap, iw, ih-th-gap)
			c.image(img, x, y, w, h)
			c.text(t, pad+(iw-t.width())/2, pad+th)
		}
	}
	b.add(g, rect, c)
	return nil
}

func (r *raster) aspect() float64 { return float64(r.w) / float64(r.h) }

func (b *builder) issue() error {
	o := b.o
	if o.Rect == nil && o.LeaderRect == nil {
		if o.NumberRect != nil || o.DateRect != nil {
			return errors.New("number and date marks need a visible seal: set LeaderRect or Rect")
		}
		return nil // invisible
	}
	if len(o.SealImage) == 0 {
		return errors.New("seal image missing")
	}
	img, err := decodePNG(o.SealImage)
	if err != nil {
		return fmt.Errorf("seal image: %w", err)
	}
	if o.Rect != nil {
		g, err := b.page(o.Page)
		if err != nil {
			return err
		}
		rect := o.Rect.Normalize()
		if err := checkInside("rectangle", rect, g); err != nil {
			return err
		}
		c := canvasFor(g, rect)
		x, y, w, h := fitBox(img.aspect(), 0, 0, c.w, c.h)
		c.image(img, x, y, w, h)
		b.add(g, rect, c)
	} else {
		leaderPage := o.LeaderPage
		if leaderPage == 0 {
			leaderPage = o.Page
		}
		g, err := b.page(leaderPage)
		if err != nil {
			return err
		}
		leader := o.LeaderRect.Normalize()
		if leader.Width() <= 0 || leader.Height() <= 0 {
			return fmt.Errorf("leader's signature rectangle %v is empty", leader)
		}
		v := newView(g)
		lv := v.rectToView(leader)
		vw, vh := v.size()
		if _, ok := intersect(lv, pdf.Rect{URX: vw, URY: vh}); !ok {
			return fmt.Errorf("leader's signature rectangle %v is outside the visible area of page %d", leader, g.Number)
		}
		d := o.SealDiameter
		if d <= 0 && img.dpi > 0 {
			d = float64(max(img.w, img.h)) / img.dpi * 72
		}
		if d <= 0 {
			d = defaultSealSize
		}
		sw, sh := d, d
		if a := img.aspect(); a >= 1 {
			sh = d / a
		} else {
			sw = d * a
		}
		// The seal's right part covers the left third of the leader's
		// signature, as the reader sees it; centred on it vertically.
		right := lv.LLX + lv.Width()/3
		cy := (lv.LLY + lv.URY) / 2
		seal := pdf.Rect{LLX: right - sw, LLY: cy - sh/2, URX: right, URY: cy + sh/2}
		clip, ok := intersect(seal, pdf.Rect{URX: vw, URY: vh})
		if !ok {
			return fmt.Errorf("the seal next to %v falls outside page %d", leader, g.Number)
		}
		c := newCanvas(clip.Width(), clip.Height())
		c.image(img, seal.LLX-clip.LLX, seal.LLY-clip.LLY, sw, sh)
		b.add(g, v.rectToUser(clip), c)
	}
	return b.bodyMarks()
}

// bodyMarks adds Issue's number and date marks.
func (b *builder) bodyMarks() error {
	o := b.o
	if o.NumberRect == nil && o.DateRect == nil {
		return nil
	}
	g, err := b.page(o.NumberPage)
	if err != nil {
		return err
	}
	mark := func(what string, r *pdf.Rect, text string, font *trueType) error {
		rect := r.Normalize()
		if err := checkInside(what+" rectangle", rect, g); err != nil {
			return err
		}
		c := canvasFor(g, rect)
		pad := min(1, c.h*0.05)
		t := fitText(font, []string{text}, c.w-2*pad, c.h-2*pad, bodyTextSize)
		c.text(t, pad, c.h-pad-(c.h-2*pad-t.height())/2)
		b.add(g, rect, c)
		return nil
	}
	if o.NumberRect != nil {
		if strings.TrimSpace(o.Info.Number) == "" {
			return errors.New("number mark: document number (Info.Number) missing")
		}
		font, err := serifRegular()
		if err != nil {
			return err
		}
		if err := mark("number", o.NumberRect, o.Info.Number, font); err != nil {
			return err
		}
	}
	if o.DateRect != nil {
		text := o.DateText
		if text == "" {
			if o.Info.Time.IsZero() {
				return errors.New("date mark: signing time missing")
			}
			text = FormatVietnameseDate("", o.Info.Time)
		}
		// Nghị định 30/2020 sets the place and date in italics.
		font, err := serifItalic()
		if err != nil {
			return err
		}
		if err := mark("date", o.DateRect, text, font); err != nil {
			return err
		}
	}
	return nil
}

// corner builds the Attachment and Copy appearances: text in the top-right
// corner of the page as displayed.
func (b *builder) corner() error {
	o := b.o
	t, err := b.timeText()
	if err != nil {
		return err
	}
	var lines []string
	if o.Profile == Attachment {
		if strings.TrimSpace(o.Info.Number) == "" {
			return errors.New("document number (Info.Number) missing")
		}
		lines = []string{"Số: " + o.Info.Number, t}
	} else {
		agency := o.Info.CopyAgency
		if strings.TrimSpace(agency) == "" {
			agency = o.Info.Organization
		}
		switch {
		case strings.TrimSpace(o.Info.CopyForm) == "":
			return errors.New("copy form (Info.CopyForm, e.g. SAO Y) missing")
		case strings.TrimSpace(agency) == "":
			return errors.New("copying agency (Info.CopyAgency) missing")
		}
		lines = []string{o.Info.CopyForm, agency, t}
	}
	font, err := serifRegular()
	if err != nil {
		return err
	}
	g, err := b.page(o.Page)
	if err != nil {
		return err
	}
	const pad = 2
	if o.Rect != nil {
		rect := o.Rect.Normalize()
		if err := checkInside("rectangle", rect, g); err != nil {
			return err
		}
		c := canvasFor(g, rect)
		tb := fitText(font, lines, c.w-2*pad, c.h-2*pad, cornerTextSize)
		c.text(tb, pad, c.h-pad-(c.h-2*pad-tb.height())/2)
		b.add(g, rect, c)
		return nil
	}
	v := newView(g)
	vw, vh := v.size()
	// On a page too small for 20 mm margins they shrink, and so does the
	// text if it must.
	m := min(pageMargin, vw/10, vh/10)
	tb := fitText(font, lines, min(maxCornerWidth, vw-2*m)-2*pad, vh-2*m-2*pad, cornerTextSize)
	w, h := tb.width()+2*pad, tb.height()+2*pad
	margin := min(pageMargin, (vw-w)/2, (vh-h)/2)
	box := pdf.Rect{LLX: vw - margin - w, LLY: vh - margin - h, URX: vw - margin, URY: vh - margin}
	c := newCanvas(w, h)
	c.text(tb, pad, h-pad)
	b.add(g, v.rectToUser(box), c)
	return nil
}
