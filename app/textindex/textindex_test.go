package textindex

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/app/render"
	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/internal/samplepdf"
	"github.com/vanthuso/vanthu/sync/protocol"
	"github.com/vanthuso/vanthu/sync/store"
)

func openStore(t *testing.T, path string) *store.Store {
	t.Helper()
	s, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

var t0 = time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)

// arrive stores pdf and applies a received document with it, n hours
// after t0.
func arrive(t *testing.T, s *store.Store, id string, n int, pdf []byte) {
	t.Helper()
	sha, size, err := s.PutBlob(bytes.NewReader(pdf))
	if err != nil {
		t.Fatal(err)
	}
	from := edoc.Organ{OrganID: "000.00.12.H40", OrganName: "Sở Tài chính tỉnh Nghệ An"}
	doc := edoc.Document{From: from, To: []edoc.Organ{{OrganID: "000.00.00.H40", OrganName: "Ủy ban nhân dân tỉnh Nghệ An"}},
		Code: edoc.Code{CodeNumber: fmt.Sprint(n + 1), CodeNotation: "STC-NS"}, Type: edoc.DocumentType{TypeName: "Công văn"},
		Subject:     "Về việc báo cáo " + id,
		Attachments: []edoc.Attachment{{Role: edoc.RoleMain, Name: id + ".pdf", ContentType: "application/pdf", SHA256: sha, Size: size}}}
	at := t0.Add(time.Duration(n) * time.Hour)
	m := protocol.Message{ID: id, From: from, Document: doc, AcceptedAt: at}
	if _, err := s.Apply([]protocol.Change{{Kind: protocol.ChangeReceived, MessageID: id, At: at, Message: &m}}, id); err != nil {
		t.Fatal(err)
	}
}

// fake is an Extractor whose answers the test gives: the "text" of a
// file is its content after "text:", an error for "fail", and it blocks
// on "block" until release is closed.
type fake struct {
	mu      sync.Mutex
	calls   map[string]int
	entered chan string
	release chan struct{}
}

func newFake() *fake {
	return &fake{calls: map[string]int{}, entered: make(chan string, 16), release: make(chan struct{})}
}

func (f *fake) ExtractText(ctx context.Context, path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	f.mu.Lock()
	f.calls[string(b)]++
	f.mu.Unlock()
	f.entered <- string(b)
	switch s := string(b); {
	case s == "block":
		select {
		case <-f.release:
			return "tài liệu rất dài", nil
		case <-ctx.Done():
			return "", ctx.Err()
		}
	case s == "fail":
		return "", errors.New("open fail.pdf: the file is not a readable PDF")
	case s == "gone":
		return "", fmt.Errorf("%w: engine closed", ErrUnavailable)
	default:
		return strings.TrimPrefix(s, "text:"), nil
	}
}

func (f *fake) count(content string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[content]
}

func run(ix *Indexer, ctx context.Context) chan error {
	ch := make(chan error, 1)
	go func() { ch <- ix.Run(ctx) }()
	return ch
}

func keysOf(docs []store.Document) string {
	var k []string
	for _, d := range docs {
		k = append(k, d.Key)
	}
	return strings.Join(k, ",")
}

// TestNewDocumentNotDelayed: while the indexer is inside the extraction
// of a (large) PDF, a document that arrives is applied, readable, listed
// and found by its metadata at once; its text is indexed after.
func TestNewDocumentNotDelayed(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "cache.db"))
	arrive(t, s, "m-big", 0, []byte("block"))
	f := newFake()
	ix := New(s, f)
	done := make(chan string, 16)
	ix.Done = func(key string, err error) { done <- key }
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := run(ix, ctx)
	if got := <-f.entered; got != "block" {
		t.Fatalf("first extraction of %q", got)
	}
	// The extractor is busy: the new document goes in and out at once.
	arrive(t, s, "m-new", 1, []byte("text:kế hoạch phòng chống lụt bão"))
	if d, err := s.Get("m-new"); err != nil || d.Key != "m-new" {
		t.Fatalf("get while extracting: %v", err)
	}
	if docs, _, err := s.List(store.ListQuery{Box: store.BoxInbox}); err != nil || keysOf(docs) != "m-new,m-big" {
		t.Fatalf("list while extracting: %q %v", keysOf(docs), err)
	}
	if docs, err := s.Search("bao cao m new", "", 0); err != nil || keysOf(docs) != "m-new" {
		t.Fatalf("search while extracting: %q %v", keysOf(docs), err)
	}
	select {
	case k := <-done:
		t.Fatalf("%s indexed while the big one was blocked", k)
	default:
	}
	ix.Wake()
	close(f.release)
	if k := <-done; k != "m-big" {
		t.Fatalf("done %q", k)
	}
	if k := <-done; k != "m-new" {
		t.Fatalf("done %q", k)
	}
	for q, want := range map[string]string{"lut bao": "m-new", "tai lieu rat dai": "m-big"} {
		if docs, _ := s.Search(q, "", 0); keysOf(docs) != want {
			t.Errorf("search %q: %q", q, keysOf(docs))
		}
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatalf("run: %v", err)
	}
}

// TestResumesAndNeverRetriesFailures: a Run stopped mid-way leaves the
// rest to the next one, after a reopen of the cache; a PDF that fails is
// recorded and tried once.
func TestResumesAndNeverRetriesFailures(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cache.db")
	s := openStore(t, path)
	arrive(t, s, "m-1", 1, []byte("text:một"))
	arrive(t, s, "m-2", 2, []byte("fail"))
	arrive(t, s, "m-3", 3, []byte("block")) // newest: first
	f := newFake()
	ix := New(s, f)
	ctx, cancel := context.WithCancel(context.Background())
	errc := run(ix, ctx)
	<-f.entered // inside m-3
	cancel()
	if err := <-errc; err != nil {
		t.Fatalf("cancelled run: %v", err)
	}
	if jobs, _ := s.NeedText(0); len(jobs) != 3 {
		t.Fatalf("after cancel: %d jobs", len(jobs))
	}
	s.Close()

	s = openStore(t, path)
	close(f.release)
	ix = New(s, f)
	done := make(chan string, 16)
	ix.Done = func(key string, err error) { done <- key }
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	errc = run(ix, ctx)
	for range 3 {
		<-done
	}
	if jobs, _ := s.NeedText(0); len(jobs) != 0 {
		t.Fatalf("left: %+v", jobs)
	}
	if _, failed, _ := s.TextState("m-2"); !strings.Contains(failed, "not a readable PDF") {
		t.Fatalf("failure not recorded: %q", failed)
	}
	// New work wakes it; the failed one is not tried again.
	arrive(t, s, "m-4", 4, []byte("text:bốn"))
	ix.Wake()
	if k := <-done; k != "m-4" {
		t.Fatalf("done %q", k)
	}
	cancel()
	<-errc
	if n := f.count("fail"); n != 1 {
		t.Fatalf("the failing PDF was tried %d times", n)
	}
	if docs, _ := s.Search("mot", "", 0); keysOf(docs) != "m-1" {
		t.Fatalf("search: %q", keysOf(docs))
	}
}

// TestUnavailableStops: an extractor that stopped is not the document's
// fault: Run returns, and the document stays to do.
func TestUnavailableStops(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "cache.db"))
	arrive(t, s, "m-1", 1, []byte("gone"))
	err := New(s, newFake()).Run(context.Background())
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("run: %v", err)
	}
	if jobs, _ := s.NeedText(0); len(jobs) != 1 {
		t.Fatalf("jobs %+v", jobs)
	}
	if _, failed, _ := s.TextState("m-1"); failed != "" {
		t.Fatalf("marked failed: %q", failed)
	}
}

// TestWithPDFium: the real extractor on an official document and a file
// that is not a PDF.
func TestWithPDFium(t *testing.T) {
	eng, err := render.NewEngine(context.Background(), render.Config{CacheDir: t.TempDir(), Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	var pdf bytes.Buffer
	err = samplepdf.WriteOfficial(&pdf, samplepdf.Official{
		Agency: "ỦY BAN NHÂN DÂN TỈNH NGHỆ AN", Number: "12/QĐ-UBND", Place: "Nghệ An", Date: t0, TypeName: "QUYẾT ĐỊNH",
		Subject:    "Về việc phê duyệt phương án bồi thường, hỗ trợ tái định cư",
		Body:       []string{"Điều 1. Phê duyệt phương án giải phóng mặt bằng dự án đường ven biển."},
		Recipients: []string{"Lưu: VT."}, Authority: []string{"CHỦ TỊCH"}, Signer: "Nguyễn Đức Trung",
	})
	if err != nil {
		t.Fatal(err)
	}
	s := openStore(t, filepath.Join(t.TempDir(), "cache.db"))
	arrive(t, s, "m-pdf", 1, pdf.Bytes())
	arrive(t, s, "m-bad", 2, []byte("%PDF-1.7 not really"))
	ix := New(s, FromRender(eng))
	done := make(chan string, 4)
	ix.Done = func(key string, err error) { done <- key }
	ctx, cancel := context.WithCancel(context.Background())
	errc := run(ix, ctx)
	<-done
	<-done
	cancel()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if docs, _ := s.Search("giai phong mat bang", "", 0); keysOf(docs) != "m-pdf" {
		t.Fatalf("search by text: %q", keysOf(docs))
	}
	if _, failed, _ := s.TextState("m-bad"); failed == "" {
		t.Fatal("a broken PDF not marked failed")
	}
	// A closed engine is not the documents' fault.
	arrive(t, s, "m-late", 3, pdf.Bytes())
	eng.Close()
	if err := New(s, FromRender(eng)).Run(context.Background()); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("run on a closed engine: %v", err)
	}
}
