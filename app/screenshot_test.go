package app

import (
	"image"
	"image/color"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
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

func TestReadEnv(t *testing.T) {
	out := filepath.Join(t.TempDir(), "a.png")
	t.Setenv(EnvScreenshot, out)
	t.Setenv(EnvWindowSize, "1366x768")
	var o Options
	if err := o.ReadEnv(); err != nil || o.Screenshot != out || o.Size != fyne.NewSize(1366, 768) {
		t.Errorf("%+v %v", o, err)
	}
	t.Setenv(EnvWindowSize, "big")
	if err := o.ReadEnv(); err == nil {
		t.Error("a bad size is accepted")
	}
}
