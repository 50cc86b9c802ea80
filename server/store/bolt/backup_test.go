package bolt

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/server/store"
)

// putBlobs uploads n random blobs of agency and returns their SHA-256s.
func putBlobs(t testing.TB, s *Store, r *rand.Rand, agency string, n int) []string {
	t.Helper()
	ctx := context.Background()
	var out []string
	for range n {
		data := make([]byte, 1+r.IntN(50_000))
		for i := range data {
			data[i] = byte(r.Uint32())
		}
		sum := sha256.Sum256(data)
		sha := hex.EncodeToString(sum[:])
		u, err := s.StartUpload(ctx, store.Upload{ID: fmt.Sprintf("u-%x", r.Uint64()), Agency: agency, SHA256: sha, Size: int64(len(data)), Created: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		if !u.Complete {
			if _, err := s.AppendUpload(ctx, u.ID, 0, data); err != nil {
				t.Fatal(err)
			}
		}
		out = append(out, sha)
	}
	return out
}

// TestBackupWhileWriting: a backup taken while files are committed holds
// everything committed before it began, restores into a store whose
// every blob re-hashes to its name, and the restored store opens and
// passes bbolt's check.
func TestBackupWhileWriting(t *testing.T) {
	ctx := context.Background()
	s := open(t, t.TempDir())
	defer s.Close()
	if err := s.AddAgency(ctx, store.Agency{Code: "000.00.00.H41", Name: "UBND tỉnh Nghệ An"}); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	before := putBlobs(t, s, r, "000.00.00.H41", 40)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // a writer that does not stop for the backup
		defer wg.Done()
		r := rand.New(rand.NewPCG(3, 4))
		for {
			select {
			case <-stop:
				return
			default:
				putBlobs(t, s, r, "000.00.00.H41", 1)
			}
		}
	}()
	var buf bytes.Buffer
	info, err := s.Backup(ctx, &buf)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if info.Blobs < len(before) || info.DBBytes == 0 {
		t.Fatalf("backup %+v, want at least %d blobs", info, len(before))
	}
	dir := filepath.Join(t.TempDir(), "restored")
	ri, err := Restore(dir, bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if ri.Blobs != info.Blobs || ri.BlobBytes != info.BlobBytes || ri.DBBytes != info.DBBytes {
		t.Errorf("restored %+v, backed up %+v", ri, info)
	}
	if err := checkRestored(dir, entries(t, buf.Bytes())); err != nil {
		t.Fatal(err)
	}
	rs := open(t, dir)
	defer rs.Close()
	if _, err := rs.Agency(ctx, "000.00.00.H41"); err != nil {
		t.Fatal(err)
	}
	for _, sha := range before {
		f, err := rs.OpenBlob(ctx, sha)
		if err != nil {
			t.Fatalf("blob %s committed before the backup: %v", sha, err)
		}
		h := sha256.New()
		io.Copy(h, f)
		f.Close()
		if hex.EncodeToString(h.Sum(nil)) != sha {
			t.Fatalf("blob %s restored with other bytes", sha)
		}
	}
}

// entries are the names in a tar.
func entries(t *testing.T, b []byte) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	tr := tar.NewReader(bytes.NewReader(b))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out[h.Name] = true
	}
}

// rewrite copies a backup, letting edit change, drop (nil header) or add
// entries.
func rewrite(t *testing.T, b []byte, edit func(h *tar.Header, data []byte) (*tar.Header, []byte)) []byte {
	t.Helper()
	var out bytes.Buffer
	tw := tar.NewWriter(&out)
	tr := tar.NewReader(bytes.NewReader(b))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(tr)
		nh, nd := edit(h, data)
		if nh == nil {
			continue
		}
		nh.Size = int64(len(nd))
		if nh.Typeflag == tar.TypeSymlink {
			nh.Size = 0
			nd = nil
		}
		if err := tw.WriteHeader(nh); err != nil {
			t.Fatal(err)
		}
		tw.Write(nd)
	}
	tw.Close()
	return out.Bytes()
}

// TestRestoreRefuses: a damaged, cut, forged or hostile backup, or a
// target that holds something, is refused with an error that says so,
// and leaves nothing behind: no store at the target, no temporary
// directory next to it.
func TestRestoreRefuses(t *testing.T) {
	ctx := context.Background()
	s := open(t, t.TempDir())
	if err := s.AddAgency(ctx, store.Agency{Code: "000.00.00.H41", Name: "UBND"}); err != nil {
		t.Fatal(err)
	}
	shas := putBlobs(t, s, rand.New(rand.NewPCG(5, 6)), "000.00.00.H41", 5)
	var good bytes.Buffer
	if _, err := s.Backup(ctx, &good); err != nil {
		t.Fatal(err)
	}
	s.Close()
	g := good.Bytes()
	blob0 := "blobs/" + shas[0][:2] + "/" + shas[0]
	cases := map[string][]byte{
		"blob changed": rewrite(t, g, func(h *tar.Header, d []byte) (*tar.Header, []byte) {
			if h.Name == blob0 {
				d = append(bytes.Clone(d[:len(d)-1]), d[len(d)-1]^1)
			}
			return h, d
		}),
		"blob missing": rewrite(t, g, func(h *tar.Header, d []byte) (*tar.Header, []byte) {
			if h.Name == blob0 {
				return nil, nil
			}
			return h, d
		}),
		"database first is not": rewrite(t, g, func(h *tar.Header, d []byte) (*tar.Header, []byte) {
			if h.Name == backupDB {
				h.Name = blob0
			} else if h.Name == blob0 {
				h.Name = backupDB
			}
			return h, d
		}),
		"database garbage": rewrite(t, g, func(h *tar.Header, d []byte) (*tar.Header, []byte) {
			if h.Name == backupDB {
				d = bytes.Repeat([]byte("không phải bbolt "), 4096)
			}
			return h, d
		}),
	}
	for name, evil := range map[string]string{
		"traversal": "../../evil", "traversal in blobs": "blobs/../../../evil", "absolute": "/tmp/evil",
		"blob in the wrong folder": "blobs/ff/" + shas[1], "upper-case sha": "blobs/" + strings.ToUpper(shas[1][:2]) + "/" + strings.ToUpper(shas[1]),
		"config file": "server.toml",
	} {
		cases[name] = rewrite(t, g, func(h *tar.Header, d []byte) (*tar.Header, []byte) {
			if h.Name == "blobs/"+shas[1][:2]+"/"+shas[1] {
				h.Name = evil
			}
			return h, d
		})
	}
	cases["symlink"] = rewrite(t, g, func(h *tar.Header, d []byte) (*tar.Header, []byte) {
		if h.Name == blob0 {
			h.Typeflag, h.Linkname = tar.TypeSymlink, "/etc/passwd"
		}
		return h, d
	})
	cases["twice"] = append(bytes.Clone(g[:len(g)-1024]), rewrite(t, g, func(h *tar.Header, d []byte) (*tar.Header, []byte) {
		if h.Name != blob0 {
			return nil, nil
		}
		return h, d
	})...)
	cases["empty"] = nil
	cases["not a tar"] = []byte("%PDF-1.7 this is not a backup")
	r := rand.New(rand.NewPCG(7, 8))
	for i := range 12 { // cut anywhere
		cut := r.IntN(len(g) - 1024)
		cases[fmt.Sprintf("cut at %d (%d)", cut, i)] = g[:cut]
	}
	parent := t.TempDir()
	for name, b := range cases {
		dir := filepath.Join(parent, "restored")
		if _, err := Restore(dir, bytes.NewReader(b)); err == nil {
			t.Errorf("%s: restored", name)
			os.RemoveAll(dir)
			continue
		} else if !strings.Contains(err.Error(), "restore:") {
			t.Errorf("%s: %v", name, err)
		}
		if left, _ := os.ReadDir(parent); len(left) != 0 {
			t.Fatalf("%s: left %v", name, left)
		}
	}
	if _, err := os.Stat("/tmp/evil"); err == nil {
		t.Error("a backup wrote outside its directory")
	}
	// A target that holds something is not touched.
	full := filepath.Join(parent, "full")
	os.MkdirAll(full, 0o700)
	os.WriteFile(filepath.Join(full, "server.db"), []byte("live"), 0o600)
	if _, err := Restore(full, bytes.NewReader(g)); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("restore over a store: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(full, "server.db")); string(b) != "live" {
		t.Error("the existing store was changed")
	}
	// And the good one restores.
	if _, err := Restore(filepath.Join(parent, "ok"), bytes.NewReader(g)); err != nil {
		t.Fatal(err)
	}
}
