package edxml

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/internal/testpki"
)

// randomFile is a File of n pseudo-random bytes (incompressible, as a
// scanned PDF is), made anew on each Open.
type randomFile struct {
	n    int64
	seed uint64
}

func (r randomFile) Open() (io.ReadCloser, error) {
	return io.NopCloser(io.LimitReader(rand.NewChaCha8([32]byte{byte(r.seed)}), r.n)), nil
}

// TestLargeMessageMemory writes a message with a 150 MiB attachment
// (about 200 MiB once base64), signed on the agency's SoftHSM2 token,
// reads it back and verifies its signature, measuring the heap: each
// step grows it by far less than the message (the limit is 48 MiB; the
// figures are logged). The attachment read back is the file written.
func TestLargeMessageMemory(t *testing.T) {
	const size = 150 << 20
	dir := t.TempDir()
	src := randomFile{n: size, seed: 7}
	rc, _ := src.Open()
	h := sha256.New()
	io.Copy(h, rc)
	want := hex.EncodeToString(h.Sum(nil))

	p := testpki.New(t)
	signer, closer, err := p.Signer(p.Agency, testpki.UserPIN)
	if err != nil {
		t.Fatal(err)
	}
	defer closer.Close()
	m := &Message{Kind: KindEdoc, Files: []File{src}, Document: &edoc.Document{
		From: edoc.Organ{OrganID: "000.00.00.H41", OrganName: "UBND tỉnh Nghệ An"}, Subject: "Hồ sơ lớn",
		Code:        edoc.Code{CodeNumber: "1", CodeNotation: "UBND"},
		Attachments: []edoc.Attachment{{ContentID: "1", Role: edoc.RoleMain, Name: "scan.pdf", ContentType: "application/pdf"}},
	}}
	path := filepath.Join(dir, "big.edxml")
	const limit = 48 << 20
	var werr error
	grew := peakHeap(func() {
		werr = WriteFile(path, m, &WriteOptions{TempDir: dir, Signer: signer, Certificate: p.Agency.Cert, Chain: p.Agency.Embedded()})
	})
	if werr != nil {
		t.Fatal(werr)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("write and sign: message %d MiB, heap grew %d MiB", fi.Size()>>20, grew>>20)
	if fi.Size() < 200<<20 || grew > limit {
		t.Fatalf("message %d bytes, heap grew by %d MiB writing it", fi.Size(), grew>>20)
	}

	var r *Message
	grew = peakHeap(func() { r, err = ReadFile(path, &Options{TempDir: dir}) })
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	t.Logf("read: heap grew %d MiB", grew>>20)
	if grew > limit {
		t.Fatalf("heap grew by %d MiB reading", grew>>20)
	}
	if a := r.Document.Attachments[0]; a.SHA256 != want || a.Size != size {
		t.Fatalf("attachment read back: %s (%d bytes), want %s", a.SHA256, a.Size, want)
	}
	grew = peakHeap(func() { _, err = r.Verify() })
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("verify: heap grew %d MiB", grew>>20)
	if grew > limit {
		t.Fatalf("heap grew by %d MiB verifying", grew>>20)
	}
}
