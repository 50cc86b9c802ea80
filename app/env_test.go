package app

import (
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
)

func TestReadEnv(t *testing.T) {
	t.Setenv(EnvWindowSize, "1366x768")
	var o Options
	if err := o.ReadEnv(); err != nil || o.Size != fyne.NewSize(1366, 768) || o.Screenshot != "" {
		t.Errorf("%+v %v", o, err)
	}
	t.Setenv(EnvWindowSize, "big")
	if err := o.ReadEnv(); err == nil {
		t.Error("a bad size is accepted")
	}
}

// VANTHU_SCREENSHOT is taken only by a build with the hook (tag
// "screenshots"); a release build refuses it, naming the tag, instead of
// starting without the capture it was asked for.
func TestReadEnvScreenshot(t *testing.T) {
	out := filepath.Join(t.TempDir(), "a.png")
	t.Setenv(EnvScreenshot, out)
	var o Options
	err := o.ReadEnv()
	if screenshotHook == nil {
		if err == nil || !strings.Contains(err.Error(), EnvScreenshot) || !strings.Contains(err.Error(), "-tags screenshots") || o.Screenshot != "" {
			t.Errorf("without the hook: %+v, %v", o, err)
		}
		return
	}
	if err != nil || o.Screenshot != out {
		t.Errorf("with the hook: %+v, %v", o, err)
	}
}
