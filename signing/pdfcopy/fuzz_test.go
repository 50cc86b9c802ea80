package pdfcopy

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/internal/fuzzguard"
	"github.com/vanthuso/vanthu/internal/samplepdf"
)

// FuzzExtractPages extracts pages from mutated small PDFs (samplepdf
// documents with a form, an image, a cross-reference stream) with a page
// list from the fuzzer: ExtractPages ends within the watchdog, never
// panics, writes nothing when it fails, and what it writes is a PDF with
// exactly the pages asked.
func FuzzExtractPages(f *testing.F) {
	for _, o := range []samplepdf.Options{
		{Pages: 3, Title: "Mau", Fields: true},
		{Pages: 2, Title: "Xref", XRefStream: true},
		{Pages: 4, Title: "Xoay", Rotate: 90},
	} {
		f.Add(sampleBytes(f, o), []byte{2, 1})
	}
	f.Add([]byte("%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 1 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF"), []byte{1})
	f.Fuzz(func(t *testing.T, data, list []byte) {
		defer fuzzguard.Watch(t, fuzzguard.Limit, data, list)()
		pages := make([]int, 0, len(list))
		for _, b := range list[:min(len(list), 8)] {
			pages = append(pages, int(int8(b)))
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		var out bytes.Buffer
		err := ExtractPages(ctx, bytes.NewReader(data), int64(len(data)), pages, &out)
		if err != nil {
			if out.Len() > 0 {
				t.Fatalf("%d bytes written with %v", out.Len(), err)
			}
			if errors.Is(err, context.DeadlineExceeded) {
				t.Logf("stopped by the timeout: %v", err)
			}
			return
		}
		n, err := outputPages(out.Bytes())
		if err != nil || n != len(pages) {
			t.Fatalf("output: %d pages (%v), asked %v", n, err, pages)
		}
	})
}
