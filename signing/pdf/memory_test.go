package pdf

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

const bigContent = 200 << 20

// writeBigPDF writes a one-page PDF whose content stream holds bigContent
// bytes of uncompressed filler. With wrongLength the stream's /Length is
// wrong, so reading it means searching for "endstream".
func writeBigPDF(t *testing.T, path string, wrongLength bool) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	var offs [5]int64
	pos := int64(0)
	write := func(s string) {
		n, err := io.WriteString(w, s)
		if err != nil {
			t.Fatal(err)
		}
		pos += int64(n)
	}
	write("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	offs[1] = pos
	write("1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n")
	offs[2] = pos
	write("2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n")
	offs[3] = pos
	write("3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.276 841.89] /Contents 4 0 R >>\nendobj\n")
	offs[4] = pos
	length := bigContent
	if wrongLength {
		length = 1000
	}
	write(fmt.Sprintf("4 0 obj\n<< /Length %d >>\nstream\n", length))
	line := "0.5 g 10 10 100 100 re f % filler filler filler filler filler filler\n"
	block := strings.Repeat(line, (1<<20)/len(line))
	written := 0
	for written+len(block) <= bigContent {
		write(block)
		written += len(block)
	}
	write(strings.Repeat(" ", bigContent-written))
	write("\nendstream\nendobj\n")
	xref := pos
	write("xref\n0 5\n0000000000 65535 f\r\n")
	for _, o := range offs[1:] {
		write(fmt.Sprintf("%010d 00000 n\r\n", o))
	}
	write(fmt.Sprintf("trailer\n<< /Root 1 0 R /Size 5 >>\nstartxref\n%d\n%%%%EOF\n", xref))
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// measure returns the bytes allocated by fn.
func measure(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// patched presents a file with some bytes replaced.
type patched struct {
	io.ReaderAt
	at    int64
	bytes []byte
}

func (p patched) ReadAt(b []byte, off int64) (int, error) {
	n, err := p.ReaderAt.ReadAt(b, off)
	for i := range p.bytes {
		if j := p.at + int64(i) - off; j >= 0 && j < int64(n) {
			b[j] = p.bytes[i]
		}
	}
	return n, err
}

func TestMemoryBigFile(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 400 MB of temporary files")
	}
	const limit = 8 << 20
	dir := t.TempDir()
	for _, wrongLength := range []bool{false, true} {
		path := filepath.Join(dir, fmt.Sprintf("big-%v.pdf", wrongLength))
		writeBigPDF(t, path, wrongLength)
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		st, _ := f.Stat()
		size := st.Size()

		var r *Reader
		alloc := measure(func() {
			r, err = Open(f, size)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := r.Catalog(); err != nil {
				t.Fatal(err)
			}
			_, _, g, err := r.Page(1)
			if err != nil || g.MediaBox.URX != 595.276 {
				t.Fatalf("Page(1) = %+v, %v", g, err)
			}
			o, err := r.Get(Ref{4, 0})
			if err != nil {
				t.Fatal(err)
			}
			s := o.(*Stream)
			if s.Length != bigContent {
				t.Errorf("wrongLength=%v: stream length %d, want %d", wrongLength, s.Length, bigContent)
			}
			if eofs := r.EOFOffsets(); len(eofs) != 1 || eofs[0] != size {
				t.Errorf("EOFOffsets = %v", eofs)
			}
		})
		t.Logf("wrongLength=%v: size %d MB, allocated %d KB", wrongLength, size>>20, alloc>>10)
		if alloc > limit {
			t.Errorf("wrongLength=%v: allocated %d bytes, limit %d", wrongLength, alloc, limit)
		}

		// A broken startxref forces a repair scan of the whole file.
		tail := size - 30
		alloc = measure(func() {
			r, err = Open(patched{f, tail, []byte("startxref\nXXXXXXXX")}, size)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, _, err := r.Page(1); err != nil {
				t.Fatal(err)
			}
		})
		t.Logf("repair: allocated %d KB, repaired=%v", alloc>>10, r.Repaired())
		if !r.Repaired() {
			t.Error("not repaired")
		}
		if alloc > limit {
			t.Errorf("repair: allocated %d bytes, limit %d", alloc, limit)
		}
		f.Close()
		os.Remove(path)
	}
}
