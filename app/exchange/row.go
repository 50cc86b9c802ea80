package exchange

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Row is one row of a document list, on two lines:
//
//	[Icon] [Badge] Title …                       Corner
//	Info …                                 Note  State
//
// Lists make it with NewRow and fill its labels in their update function,
// then call Done.
type Row struct {
	widget.BaseWidget
	Icon   *widget.Icon
	Badge  *Badge
	Title  *widget.Label // truncated
	Corner *widget.Label
	Info   *widget.Label // truncated, low importance
	Note   *widget.Label
	State  *widget.Label
	box    *fyne.Container
}

// NewRow returns an empty row (a widget.List's CreateItem).
func NewRow() *Row {
	r := &Row{
		Icon: widget.NewIcon(nil), Badge: NewBadge(),
		Title: widget.NewLabel(""), Corner: widget.NewLabel(""),
		Info: widget.NewLabel(""), Note: widget.NewLabel(""), State: widget.NewLabel(""),
	}
	r.Title.Truncation = fyne.TextTruncateEllipsis
	r.Info.Truncation = fyne.TextTruncateEllipsis
	r.Info.Importance = widget.LowImportance
	r.State.Importance = widget.LowImportance
	r.Badge.Hide()
	line1 := container.NewBorder(nil, nil, container.NewHBox(r.Icon, container.NewCenter(r.Badge)), r.Corner, r.Title)
	line2 := container.NewBorder(nil, nil, nil, container.NewHBox(r.Note, r.State), r.Info)
	r.box = container.New(layout.NewCustomPaddedVBoxLayout(-2*theme.Padding()), line1, line2)
	r.ExtendBaseWidget(r)
	return r
}

// CreateRenderer implements fyne.Widget.
func (r *Row) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(r.box) }

// Clear empties the row and shows text in italics on its first line (the
// "loading" row at the end of a list, an error).
func (r *Row) Clear(text string) {
	r.Icon.SetResource(nil)
	r.Badge.Set("", "")
	r.Title.TextStyle = fyne.TextStyle{Italic: true}
	r.Title.SetText(text)
	for _, l := range []*widget.Label{r.Corner, r.Info, r.Note, r.State} {
		l.Importance = widget.MediumImportance
		l.SetText("")
	}
	r.Info.Importance = widget.LowImportance
	r.State.Importance = widget.LowImportance
	r.Done()
}

// Done lays the row out again for its new texts' sizes; call it after
// changing the labels.
func (r *Row) Done() {
	for _, l := range []*widget.Label{r.Title, r.Corner, r.Info, r.Note, r.State} {
		l.Refresh()
	}
	r.box.Refresh()
}

// Heading is a bold line heading a part of a detail panel.
func Heading(text string) *widget.Label {
	return widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

// Fields is a two-column list of labelled values in a detail panel.
type Fields struct{ *fyne.Container }

// NewFields returns an empty list.
func NewFields() Fields { return Fields{container.New(layout.NewFormLayout())} }

// Add adds a line; an empty value adds nothing.
func (f Fields) Add(label, value string) {
	if strings.TrimSpace(value) == "" {
		return
	}
	v := widget.NewLabel(value)
	v.Wrapping = fyne.TextWrapWord
	f.Container.Add(Heading(label))
	f.Container.Add(v)
}
