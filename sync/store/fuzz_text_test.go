package store

import (
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/internal/fuzzguard"
)

// FuzzSetText indexes hostile text (huge words, invalid UTF-8, control
// characters, forged filter tokens) as a document's PDF text and
// searches with it: nothing panics, the text entry stays within its
// bounds, the text's first word finds the document, forged tokens match
// no filter, and the indexes stay consistent.
func FuzzSetText(f *testing.F) {
	for _, seed := range []string{
		"Quyết định số 05/QĐ-UBND\r\nĐiều 1. Phê duyệt phương án bồi thường",
		strings.Repeat("đ", 5000),
		"\x00\x01k06 \x01y1999\xff\xfe\x01rcopy \u200b\u0301",
		"a\fb\x7fc d\u0300e",
	} {
		f.Add(seed)
	}
	s, _ := openTemp(f)
	doc := sampleDoc(newRand(), 1)
	doc.Attachments = []edoc.Attachment{putBlob(f, s, "a.pdf", []byte("%PDF-1.7 fuzz"))}
	if _, err := s.Apply(changesOf(received(message("m-fuzz", doc, timeAt(1)))), "c"); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string) {
		defer fuzzguard.Watch(t, fuzzguard.Limit, []byte(text))()
		if err := s.SetText("m-fuzz", text); err != nil {
			t.Fatal(err)
		}
		s.db.View(func(tx *bolt.Tx) error {
			v := tx.Bucket(bucketText).Get([]byte("m-fuzz"))
			if len(v) == 0 || v[0] != textIndexed || len(v) > maxTextBytes+1 || strings.Count(string(v), " ")+1 > maxTextWords {
				t.Fatalf("text entry of %d bytes", len(v))
			}
			if strings.ContainsAny(string(v[1:]), "\x00\x01\n\r\t\f") {
				t.Fatalf("text entry holds a separator or control: %q", v)
			}
			return nil
		})
		if words := foldText(text, nil); len(words) > 0 {
			docs, err := s.Search(words[0], "", 0)
			if err != nil || !strings.Contains(strings.Join(keys(docs), ","), "m-fuzz") {
				t.Fatalf("search %q: %v %v", words[0], keys(docs), err)
			}
		}
		for _, q := range []Query{{Status: edoc.StatusDone}, {Year: 1999}, {Register: edoc.RegisterCopy}} {
			if docs, _, err := s.Find(q); err != nil || len(docs) != 0 {
				t.Fatalf("find %+v: %v %v", q, keys(docs), err)
			}
		}
		if len(text) <= maxQueryBytes {
			if _, _, err := s.Find(Query{Text: text, Limit: 5}); err != nil && !strings.Contains(err.Error(), "different words") {
				t.Fatalf("find with the text: %v", err)
			}
		}
		checkTextIndex(t, s)
	})
}
