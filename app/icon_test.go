package app

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

// iconFile is the icon FyneApp.toml names, for packaging.
var iconFile = filepath.Join("..", "assets", "icon.png")

// TestIconFile keeps assets/icon.png equal to the icon the window shows;
// -update writes it.
func TestIconFile(t *testing.T) {
	if *update {
		if err := os.WriteFile(iconFile, appIcon().Content(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	b, err := os.ReadFile(iconFile)
	if err != nil {
		t.Fatalf("%v (go test ./app/ -run TestIconFile -update writes it)", err)
	}
	got, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	want := drawIcon(iconSize)
	if got.Bounds() != want.Bounds() {
		t.Fatalf("icon is %v, want %v", got.Bounds(), want.Bounds())
	}
	for y := 0; y < iconSize; y++ {
		for x := 0; x < iconSize; x++ {
			r1, g1, b1, a1 := got.At(x, y).RGBA()
			r2, g2, b2, a2 := want.At(x, y).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 || a1 != a2 {
				t.Fatalf("assets/icon.png differs from drawIcon at %d,%d; go test ./app/ -run TestIconFile -update", x, y)
			}
		}
	}
}
