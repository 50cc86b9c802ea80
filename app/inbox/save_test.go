package inbox

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2/storage"
)

// TestCopyToLeavesNoPartialFile: "Lưu thành…" writes the whole file or
// nothing: a failed copy (the cache's file gone) leaves no file at the
// chosen place, not even the empty one the dialog created.
func TestCopyToLeavesNoPartialFile(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "blob")
	want := bytes.Repeat([]byte("văn bản "), 1<<16)
	if err := os.WriteFile(src, want, 0o600); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, "out", "quyet-dinh.pdf")
	os.MkdirAll(filepath.Dir(dst), 0o755)
	w, err := storage.Writer(storage.NewFileURI(dst))
	if err != nil {
		t.Fatal(err)
	}
	if err := copyTo(w, src); err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(dst); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("saved %d bytes (%v), want %d", len(got), err, len(want))
	}

	failed := filepath.Join(dir, "out", "khong-co.pdf")
	w, err = storage.Writer(storage.NewFileURI(failed))
	if err != nil {
		t.Fatal(err)
	}
	if err := copyTo(w, filepath.Join(dir, "missing")); err == nil {
		t.Fatal("copying a missing file succeeded")
	}
	entries, _ := os.ReadDir(filepath.Dir(failed))
	if len(entries) != 1 || entries[0].Name() != "quyet-dinh.pdf" {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Fatalf("after a failed save the folder holds %v, want only the earlier file", names)
	}
}
