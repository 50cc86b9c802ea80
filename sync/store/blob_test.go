package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
)

func TestBlobs(t *testing.T) {
	s, path := openTemp(t)
	data := bytes.Repeat([]byte("Quyết định số 05/QĐ-UBND\n"), 10000)
	sum := sha256.Sum256(data)
	want := hex.EncodeToString(sum[:])
	sha, n, err := s.PutBlob(bytes.NewReader(data))
	if err != nil || sha != want || n != int64(len(data)) {
		t.Fatalf("put: %s %d %v", sha, n, err)
	}
	if !s.HasBlob(sha) || s.BlobPath(sha) != filepath.Join(path+".blobs", sha[:2], sha[2:]) {
		t.Fatalf("stored blob not found at %s", s.BlobPath(sha))
	}
	f, err := s.OpenBlob(sha)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(f)
	f.Close()
	if !bytes.Equal(got, data) {
		t.Fatal("blob read back differs")
	}
	// The same bytes again: one file, same name.
	if sha2, _, err := s.PutBlob(bytes.NewReader(data)); err != nil || sha2 != sha {
		t.Fatalf("put again: %s %v", sha2, err)
	}
	if n, err := s.PutBlobExpect(bytes.NewReader(data), want); err != nil || n != int64(len(data)) {
		t.Fatalf("put expect: %d %v", n, err)
	}
	// A mismatch keeps nothing.
	other := strings.Repeat("0", 64)
	if _, err := s.PutBlobExpect(strings.NewReader("not it"), other); !errors.Is(err, ErrHashMismatch) {
		t.Fatalf("mismatch: %v", err)
	}
	if s.HasBlob(other) {
		t.Fatal("a mismatching blob was kept")
	}
	// A reader failing half-way keeps nothing.
	if _, _, err := s.PutBlob(io.MultiReader(strings.NewReader("half"), iotest.ErrReader(errors.New("network down")))); err == nil {
		t.Fatal("a failing reader stored a blob")
	}
	// Names that are not a SHA-256 never become paths.
	for _, bad := range []string{"", "../../../etc/passwd", strings.Repeat("A", 64), strings.Repeat("a", 63), strings.Repeat("a", 62) + "/x",
		"..", strings.Repeat("g", 64), strings.Repeat("a", 65)} {
		if s.BlobPath(bad) != "" || s.HasBlob(bad) {
			t.Errorf("blob name %q accepted", bad)
		}
		if _, err := s.OpenBlob(bad); !errors.Is(err, ErrNotFound) {
			t.Errorf("open blob %q: %v", bad, err)
		}
		if _, err := s.PutBlobExpect(strings.NewReader("x"), bad); err == nil {
			t.Errorf("put blob expecting %q succeeded", bad)
		}
	}
	if _, err := s.OpenBlob(other); !errors.Is(err, ErrNotFound) {
		t.Fatalf("open missing: %v", err)
	}
	s.Close()
	if n := checkBlobs(t, path+".blobs", nil); n != 1 {
		t.Fatalf("%d blobs stored, want 1", n)
	}
}

func TestTempBlobsRemovedAtOpen(t *testing.T) {
	s, path := openTemp(t)
	s.Close()
	left := filepath.Join(path+".blobs", tmpPrefix+"123456")
	if err := os.WriteFile(left, []byte("half a file"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := os.Stat(left); !os.IsNotExist(err) {
		t.Fatalf("temporary blob left: %v", err)
	}
}

func TestMissingBlobs(t *testing.T) {
	s, _ := openTemp(t)
	data := []byte("%PDF-1.7 tệp đính kèm")
	sum := sha256.Sum256(data)
	sha := hex.EncodeToString(sum[:])
	doc := sampleDoc(newRand(), 1)
	doc.Attachments = append(doc.Attachments[:0], doc.Attachments[0], doc.Attachments[0])
	doc.Attachments[1].SHA256 = sha
	doc.Attachments = append(doc.Attachments, doc.Attachments[0])
	doc.Attachments[2].SHA256 = "../../x" // never a name
	m := message("m-1", doc, timeAt(1))
	if _, err := s.Apply(changesOf(received(m)), "c"); err != nil {
		t.Fatal(err)
	}
	miss, err := s.MissingBlobs()
	if err != nil || len(miss) != 2 || !contains(miss, sha) || !contains(miss, doc.Attachments[0].SHA256) {
		t.Fatalf("missing: %v %v", miss, err)
	}
	if _, err := s.PutBlobExpect(bytes.NewReader(data), sha); err != nil {
		t.Fatal(err)
	}
	if miss, _ := s.MissingBlobs(); len(miss) != 1 || miss[0] != doc.Attachments[0].SHA256 {
		t.Fatalf("missing after download: %v", miss)
	}
	if _, err := s.Apply(changesOf(deleted("m-1")), "c2"); err != nil {
		t.Fatal(err)
	}
	if miss, _ := s.MissingBlobs(); len(miss) != 0 {
		t.Fatalf("missing after the document went: %v", miss)
	}
}
