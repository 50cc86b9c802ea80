package exchange

import (
	"sync"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/app/i18n"
	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/sync/protocol"
	"github.com/vanthuso/vanthu/sync/store"
)

func TestFormat(t *testing.T) {
	if got := FormatTime(time.Date(2026, 12, 31, 17, 5, 0, 0, time.UTC)); got != "01/01/2027 00:05" {
		t.Errorf("FormatTime across midnight in Vietnam: %q", got)
	}
	if FormatTime(time.Time{}) != "" || FormatDate(edoc.Date{}) != "" {
		t.Error("zero values are not empty")
	}
	for in, want := range map[string]string{"5/1/2026": "2026-01-05", "05-01-2026": "2026-01-05", " 2026-01-05 ": "2026-01-05"} {
		if d, ok := ParseDate(in); !ok || d.String() != want {
			t.Errorf("ParseDate(%q) = %v %v", in, d, ok)
		}
	}
	for _, in := range []string{"31/02/2026", "2026/01/05", "hôm nay", "", "1/13/2026"} {
		if d, ok := ParseDate(in); ok {
			t.Errorf("ParseDate(%q) = %v, want refused", in, d)
		}
	}
	if got := StatusText("14"); got != "Đồng ý thu hồi/cập nhật" {
		t.Errorf("14 reads %q", got)
	}
	if got := StatusText("99"); got != "Trạng thái 99" {
		t.Errorf("99 reads %q", got)
	}
	if PriorityText(edoc.PriorityNormal) != "" || PriorityText(edoc.PriorityFlash) != "Hỏa tốc" {
		t.Error("priority texts")
	}
	if got := FormatSize(1536 * 1024); got != "1,5 MB" {
		t.Errorf("FormatSize %q", got)
	}
	i18n.SetLang(i18n.English)
	defer i18n.SetLang(i18n.Vietnamese)
	if got := FormatSize(1536 * 1024); got != "1.5 MB" {
		t.Errorf("FormatSize in English %q", got)
	}
}

// A server cannot make a document read as valid with a verdict this
// client does not know, nor with the verdict of another file.
func TestMainVerdictHostile(t *testing.T) {
	main := edoc.Attachment{Role: edoc.RoleMain, SHA256: "aa"}
	other := edoc.Attachment{Role: edoc.RoleAttachment, SHA256: "bb"}
	d := store.Document{Doc: edoc.Document{Attachments: []edoc.Attachment{other, main}}}
	d.Verification = map[string]protocol.Verification{"bb": {Verdict: "valid"}}
	if v := MainVerdict(d); v != VerdictNone {
		t.Errorf("the attachment's verdict counts for the main document: %q", v)
	}
	for _, bad := range []string{"VALID", "valid ", "hợp lệ", "ok"} {
		d.Verification = map[string]protocol.Verification{"aa": {Verdict: bad}}
		if v := MainVerdict(d); v != "indeterminate" {
			t.Errorf("verdict %q reads %q, want indeterminate", bad, v)
		}
	}
	if MainVerdict(store.Document{}) != VerdictNone {
		t.Error("a document without files has a verdict")
	}
}

// Rows drops a page that comes back after a Reset asked for another.
func TestRowsDropsStalePage(t *testing.T) {
	var mu sync.Mutex
	var queue []func()
	do := func(f func()) { mu.Lock(); queue = append(queue, f); mu.Unlock() }
	run := func() int {
		mu.Lock()
		fs := queue
		queue = nil
		mu.Unlock()
		for _, f := range fs {
			f()
		}
		return len(fs)
	}
	release := make(chan struct{})
	old := func(after string, limit int) ([]store.Document, string, error) {
		<-release
		return []store.Document{{Key: "old"}}, "", nil
	}
	fresh := func(after string, limit int) ([]store.Document, string, error) {
		return []store.Document{{Key: "new"}}, "", nil
	}
	r := NewRows(old, do, 10)
	r.Reset()
	r.SetSource(fresh)
	deadline := time.Now().Add(10 * time.Second)
	for r.Loading() && time.Now().Before(deadline) {
		run()
		time.Sleep(time.Millisecond)
	}
	close(release)
	for n := 0; n < 1 && time.Now().Before(deadline); { // the old page comes back
		n += run()
		time.Sleep(time.Millisecond)
	}
	if r.Len() != 1 {
		t.Fatalf("%d rows", r.Len())
	}
	if d, _ := r.At(0); d.Key != "new" {
		t.Errorf("row %q: the stale page replaced the fresh one", d.Key)
	}
}
