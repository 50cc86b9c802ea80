package exchange

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Badge is a short bold text on a rounded coloured background: độ khẩn in
// a row, a count on a button. An empty Badge takes no room.
type Badge struct {
	widget.BaseWidget
	text  string
	color fyne.ThemeColorName
}

// NewBadge returns an empty badge.
func NewBadge() *Badge {
	b := &Badge{color: theme.ColorNameError}
	b.ExtendBaseWidget(b)
	return b
}

// Set shows text on the theme colour c; "" hides the badge.
func (b *Badge) Set(text string, c fyne.ThemeColorName) {
	if b.text == text && b.color == c {
		return
	}
	b.text, b.color = text, c
	if text == "" {
		b.Hide()
	} else {
		b.Show()
	}
	b.Refresh()
}

// Text is the text shown, "" when hidden.
func (b *Badge) Text() string { return b.text }

// CreateRenderer implements fyne.Widget.
func (b *Badge) CreateRenderer() fyne.WidgetRenderer {
	bg := canvas.NewRectangle(color.Transparent)
	txt := canvas.NewText("", color.White)
	txt.TextStyle = fyne.TextStyle{Bold: true}
	r := &badgeRenderer{b: b, bg: bg, txt: txt}
	r.Refresh()
	return r
}

type badgeRenderer struct {
	b   *Badge
	bg  *canvas.Rectangle
	txt *canvas.Text
}

func (r *badgeRenderer) pad() fyne.Size {
	p := theme.Padding()
	return fyne.NewSize(p*2, p/2)
}

func (r *badgeRenderer) Layout(size fyne.Size) {
	r.bg.Resize(size)
	ts := r.txt.MinSize()
	r.txt.Move(fyne.NewPos((size.Width-ts.Width)/2, (size.Height-ts.Height)/2))
	r.txt.Resize(ts)
}

func (r *badgeRenderer) MinSize() fyne.Size {
	if r.b.text == "" {
		return fyne.Size{}
	}
	return r.txt.MinSize().Add(r.pad().Add(r.pad()))
}

func (r *badgeRenderer) Refresh() {
	r.txt.Text = r.b.text
	r.txt.TextSize = theme.CaptionTextSize() + 1
	r.txt.Color = theme.Color(theme.ColorNameForegroundOnError)
	if r.b.color == theme.ColorNameWarning {
		r.txt.Color = theme.Color(theme.ColorNameForegroundOnWarning)
	}
	r.bg.FillColor = theme.Color(r.b.color)
	r.bg.CornerRadius = theme.InputRadiusSize()
	r.txt.Refresh()
	r.bg.Refresh()
}

func (r *badgeRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.bg, r.txt} }
func (r *badgeRenderer) Destroy()                     {}
