package signui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/internal/samplepdf"
	"github.com/vanthuso/vanthu/internal/testpki"
)

// openBatch shows the batch dialog with the test driver and waits
// for the token; the dialog is closed when the test ends.
func openBatch(t *testing.T, q *UIQueue, cfg Config) *BatchDriver {
	t.Helper()
	w := newTestWindow(t)
	ShowBatchDialog(w, cfg)
	bd := BatchDialogOf(w)
	if bd == nil {
		t.Fatal("no batch dialog over the window")
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := bd.Close(ctx); err != nil {
			t.Error(err)
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := bd.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	settle(q)
	return bd
}

func waitBatch(t *testing.T, bd *BatchDriver) ([]BatchResult, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, summary, err := bd.Wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return res, summary
}

// One PIN for a folder: a damaged file is reported and the others are
// signed; a copy signed earlier is not ticked.
func TestBatchOneBadFile(t *testing.T) {
	q := setupUI(t)
	p := testpki.New(t)
	onlyTokens(t, testpki.LeaderToken)
	dir := t.TempDir()
	for _, n := range []string{"a.pdf", "b.pdf", "d.pdf"} {
		samplePDF(t, dir, n, samplepdf.Options{Title: n})
	}
	samplePDF(t, dir, "e (đã ký).pdf", samplepdf.Options{})
	if err := os.WriteFile(filepath.Join(dir, "c-hong.pdf"), []byte("%PDF-1.7\nnot really a PDF\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "ghi-chu.txt"), []byte("not listed"), 0o644); err != nil {
		t.Fatal(err)
	}
	bd := openBatch(t, q, Config{ModulePath: p.Module})
	listed := bd.SetFolder(dir)
	want := map[string]bool{"a.pdf": true, "b.pdf": true, "c-hong.pdf": true, "d.pdf": true, "e (đã ký).pdf": false}
	if fmt.Sprint(listed) != fmt.Sprint(want) {
		t.Fatalf("listed %v, want %v", listed, want)
	}
	if err := bd.SelectProfile("attachment"); err != nil {
		t.Fatal(err)
	}
	bd.SetNumber("05/QĐ-UBND")
	bd.EnterPIN(testpki.UserPIN)
	if err := bd.Start(); err != nil {
		t.Fatal(err)
	}
	res, summary := waitBatch(t, bd)
	got := map[string]string{}
	for _, r := range res {
		got[r.Name] = r.Status
	}
	if fmt.Sprint(got) != fmt.Sprint(map[string]string{"a.pdf": "signed", "b.pdf": "signed", "c-hong.pdf": "failed", "d.pdf": "signed", "e (đã ký).pdf": "pending"}) {
		t.Errorf("results %v", res)
	}
	for _, r := range res {
		switch r.Status {
		case "failed":
			if !strings.Contains(r.Message, "không phải PDF hợp lệ") {
				t.Errorf("%s: message %q", r.Name, r.Message)
			}
		case "signed":
			if r.Output != filepath.Join(dir, strings.TrimSuffix(r.Name, ".pdf")+" (đã ký).pdf") {
				t.Errorf("%s: output %q", r.Name, r.Output)
			}
		}
	}
	if !strings.Contains(summary, "Đã ký 3/4 tệp; 1 tệp lỗi; 0 tệp chưa ký.") {
		t.Errorf("summary %q", summary)
	}
	checkSigned(t, p, filepath.Join(dir, "b (đã ký).pdf"), 1)
	if _, err := os.Stat(filepath.Join(dir, "c-hong (đã ký).pdf")); err == nil {
		t.Error("a signed copy of the damaged file exists")
	}
}

// Stop finishes the file being signed and signs no other; nothing is
// left half-written.
func TestBatchStop(t *testing.T) {
	q := setupUI(t)
	p := testpki.New(t)
	onlyTokens(t, testpki.LeaderToken)
	dir := t.TempDir()
	var names []string
	for i := range 5 {
		n := fmt.Sprintf("vb%d.pdf", i)
		names = append(names, n)
		samplePDF(t, dir, n, samplepdf.Options{})
	}
	reached, proceed := make(chan struct{}), make(chan struct{})
	batchFileHook = func(i int) {
		if i == 1 {
			close(reached)
			<-proceed
		}
	}
	t.Cleanup(func() { batchFileHook = nil })

	bd := openBatch(t, q, Config{ModulePath: p.Module})
	bd.SetFolder(dir)
	bd.EnterPIN(testpki.UserPIN)
	if err := bd.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, q, "second file started", func() bool {
		select {
		case <-reached:
			return true
		default:
			return false
		}
	})
	bd.Stop() // while vb1.pdf is being signed
	close(proceed)
	res, summary := waitBatch(t, bd)
	var statuses []string
	for _, r := range res {
		statuses = append(statuses, r.Status)
	}
	if !slices.Equal(statuses, []string{"signed", "signed", "skipped", "skipped", "skipped"}) {
		t.Errorf("statuses %q", statuses)
	}
	if !strings.Contains(summary, "Đã dừng theo yêu cầu.") || !strings.Contains(summary, "3 tệp chưa ký") {
		t.Errorf("summary %q", summary)
	}
	left := listDir(t, dir)
	slices.Sort(left)
	want := append(slices.Clone(names), "vb0 (đã ký).pdf", "vb1 (đã ký).pdf")
	slices.Sort(want)
	if !slices.Equal(left, want) {
		t.Errorf("files after stopping: %q, want %q", left, want)
	}
	checkSigned(t, p, filepath.Join(dir, "vb1 (đã ký).pdf"), 1)
}

// A wrong PIN stops the batch before any file and waits for the user.
func TestBatchWrongPIN(t *testing.T) {
	q := setupUI(t)
	m := newFakeModule(t)
	m.refusals = []error{errWrongPIN(2)}
	useFakeModule(t, m)
	dir := t.TempDir()
	samplePDF(t, dir, "a.pdf", samplepdf.Options{})
	bd := openBatch(t, q, Config{})
	bd.SetFolder(dir)
	bd.EnterPIN("000000")
	settle(q)
	if err := bd.Start(); err != nil {
		t.Fatal(err)
	}
	res, _ := waitBatch(t, bd)
	if res[0].Status != "pending" || len(listDir(t, dir)) != 1 || len(m.logins) != 1 {
		t.Errorf("after a wrong PIN: %+v, files %q, logins %q", res, listDir(t, dir), m.logins)
	}
	if note := bd.b.key.pinNote.Text; !strings.Contains(note, "Còn 2 lần thử") {
		t.Errorf("PIN note %q", note)
	}
}
