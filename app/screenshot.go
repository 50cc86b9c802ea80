//go:build screenshots

package app

// This file is the screenshot hook (VANTHU_SCREENSHOT), compiled only with
// the build tag "screenshots": it draws the window with Fyne's software
// painter, which links Fyne's test driver, and release builds carry no
// test code. Without the tag ReadEnv refuses VANTHU_SCREENSHOT.

import (
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2/driver/software"
)

// Screenshot timing: how long to wait for the documents at most, and how
// long to let the last frames settle.
const (
	screenshotTimeout = 90 * time.Second
	screenshotSettle  = 700 * time.Millisecond
)

func init() { screenshotHook = (*mainWindow).startScreenshot }

// startScreenshot waits (in a goroutine) until the window shows its
// documents, writes the window content to path as PNG and quits. It is the
// hook VANTHU_SCREENSHOT names.
func (mw *mainWindow) startScreenshot(path string) {
	go func() {
		deadline := time.Now().Add(screenshotTimeout)
		for time.Now().Before(deadline) {
			time.Sleep(200 * time.Millisecond)
			ready := false
			runOnUIAndWait(func() { ready = mw.screenshotReady() })
			if ready {
				break
			}
		}
		time.Sleep(screenshotSettle)
		var img image.Image
		runOnUIAndWait(func() { img = mw.capture() })
		err := writePNG(path, img)
		if err != nil {
			fmt.Fprintln(os.Stderr, "vanthu: screenshot:", err)
		}
		runOnUI(func() { mw.app.Quit() })
	}()
}

// capture returns the window's picture. The OpenGL front buffer reads
// back black under some X servers (Xvfb with Mesa): then the content is
// drawn again with Fyne's software painter (without the menu bar, which
// the OpenGL window draws itself). The window is unusable afterwards: the
// hook quits right after.
func (mw *mainWindow) capture() image.Image {
	img := mw.win.Canvas().Capture()
	if img != nil && !uniform(img) {
		return img
	}
	content := mw.win.Canvas().Content()
	size := content.Size()
	c := software.NewCanvas()
	c.SetPadded(false)
	c.SetContent(content)
	c.Resize(size)
	return c.Capture()
}

// uniform says whether every pixel of img has the same colour.
func uniform(img image.Image) bool {
	b := img.Bounds()
	if b.Empty() {
		return true
	}
	first := img.At(b.Min.X, b.Min.Y)
	r0, g0, b0, a0 := first.RGBA()
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			r, g, bl, a := img.At(x, y).RGBA()
			if r != r0 || g != g0 || bl != b0 || a != a0 {
				return false
			}
		}
	}
	return true
}

// writePNG writes img to path through a temporary file renamed into
// place, so that whoever watches path never reads half a picture.
func writePNG(path string, img image.Image) error {
	if img == nil {
		return fmt.Errorf("no image captured")
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".screenshot-*.png")
	if err != nil {
		return err
	}
	tmp := f.Name()
	if err := png.Encode(f, img); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}
