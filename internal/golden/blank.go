package golden

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"os"
	"path/filepath"
)

// CheckRefusesBlank compares a blank picture (the background colour of
// each golden PNG in dir, same size) with every golden: it returns an
// error naming a golden the blank one would pass for, or when dir holds
// none. Golden tests call it, so that their goldens are shown to catch a
// renderer that draws nothing.
func CheckRefusesBlank(dir string) (int, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.png"))
	if err != nil || len(paths) == 0 {
		return 0, fmt.Errorf("no golden PNG in %s (%v)", dir, err)
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return 0, err
		}
		want, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			return 0, fmt.Errorf("%s: %v", p, err)
		}
		bg := background(want)
		blank := image.NewRGBA(want.Bounds())
		draw.Draw(blank, blank.Bounds(), image.NewUniform(color.RGBA{uint8(bg[0]), uint8(bg[1]), uint8(bg[2]), 255}), image.Point{}, draw.Src)
		res, err := Compare(blank, want)
		if err != nil {
			return 0, err
		}
		if res.Err() == nil {
			return 0, fmt.Errorf("%s: a blank picture passes for it (%v)", p, res)
		}
	}
	return len(paths), nil
}
