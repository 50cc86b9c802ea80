//go:build unix

package trustlist

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestReadOnlyDir: Save in a folder it cannot write is a clear error that
// names the file, and leaves nothing behind. Root may write anywhere, so
// as root the save runs in a child process as the user nobody.
func TestReadOnlyDir(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "trust")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var msg string
	if os.Geteuid() != 0 {
		if err := os.Chmod(dir, 0o555); err != nil {
			t.Fatal(err)
		}
		defer os.Chmod(dir, 0o755)
		l := mustLoad(t, dir)
		cert, _ := makeCert(t, certSpec{cn: "Gốc", ca: true})
		if _, err := l.Add(cert); err != nil {
			t.Fatal(err)
		}
		err := l.Save()
		if !errors.Is(err, fs.ErrPermission) {
			t.Fatalf("Save: %v, want a permission error", err)
		}
		msg = err.Error()
	} else {
		// The test binary and the folders above dir must be readable by
		// nobody; dir stays root's, mode 0755.
		bin := filepath.Join(base, "trustlist.test")
		data, err := os.ReadFile(os.Args[0])
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, bin, data)
		for _, p := range []string{bin, base, filepath.Dir(base)} {
			if err := os.Chmod(p, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		cmd := exec.Command(bin, "-test.run=^$")
		cmd.Dir = base
		cmd.Env = append(os.Environ(), envReadOnly+"="+dir)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("child: %v\n%s", err, out)
		}
		msg = strings.TrimSpace(string(out))
	}
	for _, want := range []string{"save trust list", filepath.Join(dir, StoreFile), "permission denied"} {
		if !strings.Contains(msg, want) {
			t.Errorf("Save's error %q does not say %q", msg, want)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("files left in the read-only folder: %v", ents)
	}
}
