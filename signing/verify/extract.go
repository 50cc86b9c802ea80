package verify

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/vanthuso/vanthu/signing/pdf"
)

// ExtractSignedRevision writes the revision that signature sigIndex signed
// (bytes [0, b+c) of its /ByteRange; sigIndex counts Report.Signatures of
// VerifyFile, in the same order) to out, atomically: a temporary file next
// to out is synced and renamed; on error out is not created. It refuses a
// signature whose /ByteRange is not a readable [0 a b c].
func ExtractSignedRevision(path string, sigIndex int, out string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("extract signed revision: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("extract signed revision: %w", err)
	}
	r, err := pdf.Open(f, st.Size())
	if err != nil {
		return fmt.Errorf("extract signed revision: %w", err)
	}
	v := &verifier{r: r, f: f, size: st.Size()}
	entries := v.findSignatures()
	if sigIndex < 0 || sigIndex >= len(entries) {
		return fmt.Errorf("extract signed revision: no signature %d (the document has %d)", sigIndex, len(entries))
	}
	br, ok := readByteRange(v.resolve(entries[sigIndex].dict["ByteRange"]))
	if !ok || br[0] != 0 || br[1] >= br[2] || br[2]+br[3] > st.Size() {
		return errors.New("extract signed revision: the signature's /ByteRange is broken")
	}
	end := br[2] + br[3]
	tmp, err := os.CreateTemp(filepath.Dir(out), ".signed-revision-*")
	if err != nil {
		return fmt.Errorf("extract signed revision: %w", err)
	}
	ok = false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	buf := make([]byte, hashBufSize)
	if _, err := io.CopyBuffer(tmp, io.NewSectionReader(f, 0, end), buf); err != nil {
		return fmt.Errorf("extract signed revision: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("extract signed revision: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("extract signed revision: %w", err)
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		os.Remove(tmp.Name())
		ok = true
		return fmt.Errorf("extract signed revision: %w", err)
	}
	ok = true
	return nil
}
