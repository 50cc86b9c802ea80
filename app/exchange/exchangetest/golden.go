package exchangetest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// AssertMarkup compares the canvas with testdata/name, or rewrites that
// file when update is set (the packages' -update flag); it also fails on
// a sentence missing from the catalogue ("⟦key⟧").
func AssertMarkup(t *testing.T, name string, c fyne.Canvas, update bool) {
	t.Helper()
	got := test.RenderToMarkup(c)
	if i := strings.Index(got, "⟦"); i >= 0 {
		t.Errorf("%s: a sentence is missing from the catalogue: %s", name, got[i:min(len(got), i+60)])
	}
	if update {
		p := filepath.Join("testdata", name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	test.AssertRendersToMarkup(t, name, c)
}
