//go:build unix

package trustlist

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestReadCertificatesFIFO: a named pipe is refused by name and skipped in
// a folder, without opening it (which would wait for a writer forever).
func TestReadCertificatesFIFO(t *testing.T) {
	dir := t.TempDir()
	root, _ := makeCert(t, certSpec{cn: "Root", ca: true})
	writeFile(t, filepath.Join(dir, "root.pem"), pemOf(root))
	fifo := filepath.Join(dir, "pipe.pem")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadCertificates(fifo); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("a named pipe: %v", err)
	}
	if certs, err := ReadCertificates(dir); err != nil || len(certs) != 1 {
		t.Errorf("a folder with a named pipe: %d, %v", len(certs), err)
	}
}
