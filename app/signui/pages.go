package signui

import (
	"context"
	"image"

	"fyne.io/fyne/v2"

	"github.com/vanthuso/vanthu/app/render"
)

// uiDo runs f on the UI goroutine. It is fyne.Do; the package's tests
// replace it to run every widget change on the test goroutine, so that the
// race detector sees one goroutine touching widgets.
var uiDo = fyne.Do

// pageImages renders the pages of one PDF: *render.Document, or a fake in
// tests.
type pageImages interface {
	// Render draws page i (0-based) widthPx wide as displayed.
	Render(ctx context.Context, i int, widthPx int) (image.Image, error)
	Close() error
}

// pdfRenderer opens PDFs for rendering: the render engine, or a fake.
type pdfRenderer interface {
	open(path string) (pageImages, error)
}

// engineRenderer adapts *render.Engine.
type engineRenderer struct{ eng *render.Engine }

func (e engineRenderer) open(path string) (pageImages, error) {
	d, err := e.eng.Open(path)
	if err != nil {
		return nil, err
	}
	return d, nil
}

// rendererFor returns the renderer of eng; nil when there is no engine
// (the preview then shows blank pages with the places marked).
func rendererFor(eng *render.Engine) pdfRenderer {
	if eng == nil {
		return nil
	}
	return engineRenderer{eng}
}
