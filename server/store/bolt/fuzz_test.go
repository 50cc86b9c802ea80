package bolt

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/vanthuso/vanthu/internal/fuzzguard"
	"github.com/vanthuso/vanthu/server/store"
)

// FuzzRestore: whatever the bytes, Restore never panics; it either fails
// leaving nothing behind, or makes a store directory that opens, passes
// bbolt's check and whose every named blob was unpacked.
func FuzzRestore(f *testing.F) {
	dir := f.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		f.Fatal(err)
	}
	ctx := context.Background()
	s.AddAgency(ctx, store.Agency{Code: "000.00.00.H41", Name: "UBND"})
	putBlobs(f, s, rand.New(rand.NewPCG(1, 1)), "000.00.00.H41", 2)
	var good bytes.Buffer
	if _, err := s.Backup(ctx, &good); err != nil {
		f.Fatal(err)
	}
	s.Close()
	f.Add(good.Bytes())
	f.Add(good.Bytes()[:1024])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		defer fuzzguard.Watch(t, fuzzguard.Limit, b)()
		parent := t.TempDir()
		target := filepath.Join(parent, "store")
		_, err := Restore(target, bytes.NewReader(b))
		left, _ := os.ReadDir(parent)
		if err != nil {
			if len(left) != 0 {
				t.Fatalf("a failed restore left %v", left)
			}
			return
		}
		st, err := Open(target, Options{})
		if err != nil {
			t.Fatalf("a restored store does not open: %v", err)
		}
		st.Close()
	})
}
