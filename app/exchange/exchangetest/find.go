package exchangetest

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// Labels is the text of every label under o, one per line, in tree
// order (containers only: what a screen builds itself).
func Labels(o fyne.CanvasObject) string {
	var b strings.Builder
	Walk(o, func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok {
			b.WriteString(l.Text + "\n")
		}
	})
	return b.String()
}

// FindButton is the first button under o whose text is text; nil when
// there is none.
func FindButton(o fyne.CanvasObject, text string) *widget.Button {
	var found *widget.Button
	Walk(o, func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == text && found == nil {
			found = b
		}
	})
	return found
}

// Walk calls f on o and everything in the containers under it.
func Walk(o fyne.CanvasObject, f func(fyne.CanvasObject)) {
	f(o)
	if c, ok := o.(*fyne.Container); ok {
		for _, x := range c.Objects {
			Walk(x, f)
		}
	}
}

// WalkRendered calls f on o and everything it draws: containers'
// objects and widgets' rendered objects (dialogs, pop-ups).
func WalkRendered(o fyne.CanvasObject, f func(fyne.CanvasObject)) {
	f(o)
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			WalkRendered(c, f)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			WalkRendered(c, f)
		}
	}
}

// TopOverlay is the top overlay of c (a dialog shown), nil when none.
func TopOverlay(c fyne.Canvas) fyne.CanvasObject { return c.Overlays().Top() }

// OverlayButton is the button with text on the top overlay of c; nil
// when there is none.
func OverlayButton(c fyne.Canvas, text string) *widget.Button {
	top := c.Overlays().Top()
	if top == nil {
		return nil
	}
	var found *widget.Button
	WalkRendered(top, func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == text && found == nil {
			found = b
		}
	})
	return found
}

// OverlayText is the text of the labels on the top overlay of c.
func OverlayText(c fyne.Canvas) string {
	top := c.Overlays().Top()
	if top == nil {
		return ""
	}
	var b strings.Builder
	WalkRendered(top, func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok {
			b.WriteString(l.Text + "\n")
		}
	})
	return b.String()
}
