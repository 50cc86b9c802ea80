package exchange

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/vanthuso/vanthu/app/i18n"
	"github.com/vanthuso/vanthu/sync/store"
)

// ListView is the frame of a box screen: the list of documents over Rows
// (one Row each, a "loading" row while pages remain), a label in its
// place when it is empty, and a scrolling detail panel beside it.
type ListView struct {
	Rows   *Rows
	List   *widget.List
	Empty  *widget.Label
	Detail *fyne.Container
	Scroll *container.Scroll
	// Current is the document the detail panel shows, nil when none.
	Current *store.Document

	fill     func(d store.Document, r *Row)
	onSelect func(d store.Document)
}

// NewListView makes the widgets over rows: fill writes a document into
// its row; onSelect shows the document chosen (ShowDetail).
func NewListView(rows *Rows, fill func(d store.Document, r *Row), onSelect func(d store.Document)) *ListView {
	v := &ListView{Rows: rows, fill: fill, onSelect: onSelect}
	v.List = widget.NewList(v.Length, func() fyne.CanvasObject { return NewRow() }, v.UpdateRow)
	v.List.OnSelected = v.onSelected
	v.Empty = widget.NewLabel("")
	v.Empty.Wrapping = fyne.TextWrapWord
	v.Empty.Alignment = fyne.TextAlignCenter
	v.Empty.Hide()
	v.Detail = container.NewVBox()
	v.Scroll = container.NewVScroll(v.Detail)
	return v
}

// Split is the list (under top, when given) beside the detail panel.
func (v *ListView) Split(top fyne.CanvasObject) fyne.CanvasObject {
	left := container.NewBorder(top, nil, nil, nil, container.NewStack(v.List, container.NewPadded(v.Empty)))
	split := container.NewHSplit(left, v.Scroll)
	split.Offset = 0.55
	return split
}

// Length is the list's row count: the rows read, and one for "loading"
// or the error while pages remain.
func (v *ListView) Length() int {
	n := v.Rows.Len()
	if n > 0 && (v.Rows.More() || v.Rows.Err() != nil) {
		n++
	}
	return n
}

// UpdateRow writes row i into o, a Row (the list's UpdateItem).
func (v *ListView) UpdateRow(i widget.ListItemID, o fyne.CanvasObject) {
	r := o.(*Row)
	d, ok := v.Rows.At(i)
	if !ok {
		text := i18n.T("exchange.rows.loading")
		if err := v.Rows.Err(); err != nil {
			text = i18n.T("exchange.rows.error", err.Error())
		}
		r.Clear(text)
		return
	}
	v.fill(d, r)
	r.Done()
}

func (v *ListView) onSelected(i widget.ListItemID) {
	d, ok := v.Rows.At(i)
	if !ok {
		v.List.Unselect(i)
		return
	}
	v.onSelect(d)
}

// Changed is the Rows' OnChanged: it refreshes the list, shows empty in
// its place when there is nothing (or why the rows could not be read),
// and keeps the document shown selected at its new row, reporting it
// through reshow (nil: nothing to do).
func (v *ListView) Changed(empty string, reshow func(d store.Document)) {
	switch {
	case v.Rows.Len() > 0 || v.Rows.Loading():
		v.Empty.Hide()
	case v.Rows.Err() != nil:
		v.Empty.SetText(i18n.T("exchange.rows.error", v.Rows.Err().Error()))
		v.Empty.Show()
	default:
		v.Empty.SetText(empty)
		v.Empty.Show()
	}
	v.List.Refresh()
	if v.Current == nil {
		return
	}
	i := v.Rows.Index(v.Current.Key)
	if i < 0 {
		v.List.UnselectAll()
		return
	}
	v.List.Select(i) // the same document at its new row
	if reshow != nil {
		d, _ := v.Rows.At(i)
		reshow(d)
	}
}

// ShowDetail shows objs in the detail panel for d.
func (v *ListView) ShowDetail(d store.Document, objs ...fyne.CanvasObject) {
	v.Current = &d
	v.Detail.Objects = objs
	v.Detail.Refresh()
	v.Scroll.Refresh()
}

// ShowHint shows a sentence in the detail panel, for no document.
func (v *ListView) ShowHint(text string) {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	l.Importance = widget.LowImportance
	v.Current = nil
	v.Detail.Objects = []fyne.CanvasObject{l}
	v.Detail.Refresh()
	v.Scroll.Refresh()
}
