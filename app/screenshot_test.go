//go:build screenshots

package app

import (
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

func TestUniform(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 10, 10))
	if !uniform(img) {
		t.Error("a black picture is not uniform")
	}
	img.Set(6, 6, color.White)
	if uniform(img) {
		t.Error("a picture with a white pixel is uniform")
	}
}

// The hook writes the window, once its document is shown, as a PNG of
// the window's size that is not a blank picture.
func TestScreenshot(t *testing.T) {
	out := filepath.Join(t.TempDir(), "shot.png")
	path := writeFile(t, t.TempDir(), "a.pdf")
	mw, q, _ := newTestMainWindow(t, Options{Files: []string{path}, Screenshot: out}, 3)
	q.until(t, "screenshot written", func() bool {
		st, err := os.Stat(out)
		return err == nil && st.Size() > 0
	})
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("the screenshot is no PNG: %v", err)
	}
	if uniform(img) {
		t.Error("the screenshot is one colour")
	}
	if b, size := img.Bounds(), mw.win.Canvas().Content().Size(); b.Dx() < int(size.Width)/2 || b.Dy() < int(size.Height)/2 {
		t.Errorf("screenshot %v, window content %v", b, size)
	}
}
