package app

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/vanthuso/vanthu/app/i18n"
)

// TestCatalogue checks the sentences of this package: both languages use
// the same formatting verbs, and every key the code asks for exists.
func TestCatalogue(t *testing.T) {
	for _, k := range i18n.Check() {
		if strings.HasPrefix(k, "app.") {
			t.Errorf("%s: Vietnamese and English disagree on formatting verbs", k)
		}
	}
	keys := i18n.Keys()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`"(app\.[a-z0-9.-]+)"`)
	used := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || f == "text.go" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = true
			if _, ok := slices.BinarySearch(keys, m[1]); !ok {
				t.Errorf("%s uses %s, which is not in the catalogue", f, m[1])
			}
		}
	}
	for _, k := range keys {
		if strings.HasPrefix(k, "app.") && !used[k] {
			t.Errorf("%s is in the catalogue but never used", k)
		}
	}
	for _, l := range i18n.Langs {
		for _, k := range keys {
			if strings.HasPrefix(k, "app.") && strings.Contains(i18n.In(l, k), "⟦") {
				t.Errorf("%s in %s", k, l)
			}
		}
	}
}
