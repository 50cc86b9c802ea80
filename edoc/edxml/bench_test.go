package edxml

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/vanthuso/vanthu/edoc"
)

// benchMessage writes a message with one attachment of size bytes.
func benchMessage(b *testing.B, size int64) string {
	b.Helper()
	dir := b.TempDir()
	m := &Message{Kind: KindEdoc, Files: []File{randomFile{n: size, seed: 1}}, Document: &edoc.Document{
		From:        edoc.Organ{OrganID: "000.00.00.H41", OrganName: "UBND tỉnh Nghệ An"},
		Attachments: []edoc.Attachment{{ContentID: "1", Role: edoc.RoleMain, Name: "scan.pdf", ContentType: "application/pdf"}},
	}}
	path := filepath.Join(dir, "bench.edxml")
	if err := WriteFile(path, m, &WriteOptions{TempDir: dir}); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkRead reads a message with a 32 MiB attachment (base64 of a
// ZIP) to temporary files, hashing the file inside.
func BenchmarkRead(b *testing.B) {
	path := benchMessage(b, 32<<20)
	fi, _ := os.Stat(path)
	b.SetBytes(fi.Size())
	dir := b.TempDir()
	for b.Loop() {
		m, err := ReadFile(path, &Options{TempDir: dir})
		if err != nil {
			b.Fatal(err)
		}
		m.Close()
	}
}

// BenchmarkWrite writes a message read back, its attachment of 32 MiB
// zipped and encoded again.
func BenchmarkWrite(b *testing.B) {
	path := benchMessage(b, 32<<20)
	dir := b.TempDir()
	m, err := ReadFile(path, &Options{TempDir: dir})
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	fi, _ := os.Stat(path)
	b.SetBytes(fi.Size())
	out := filepath.Join(dir, "out.edxml")
	for b.Loop() {
		if err := WriteFile(out, m, &WriteOptions{TempDir: dir}); err != nil {
			b.Fatal(err)
		}
	}
}
