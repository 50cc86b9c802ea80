package render

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/vanthuso/vanthu/internal/samplepdf"
)

// official writes a samplepdf official document with paragraphs of body.
func official(t testing.TB, name string, body []string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	err := samplepdf.WriteOfficialFile(p, samplepdf.Official{
		Agency: "ỦY BAN NHÂN DÂN TỈNH NGHỆ AN", Number: "05/QĐ-UBND", Place: "Nghệ An",
		Date: time.Date(2025, 1, 5, 9, 0, 0, 0, time.UTC), TypeName: "QUYẾT ĐỊNH",
		Subject: "Về việc phê duyệt phương án bồi thường, hỗ trợ tái định cư",
		Body:    body, Recipients: []string{"Như Điều 3;", "Lưu: VT, TH."},
		Authority: []string{"TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"}, Signer: "Nguyễn Đức Trung",
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestTextOfficialDocument(t *testing.T) {
	p := official(t, "qd.pdf", []string{"Điều 1. Phê duyệt phương án giải phóng mặt bằng dự án đường ven biển Nghi Sơn – Cửa Lò."})
	d := open(t, shared(t), p)
	text, err := d.Text(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if !norm.NFC.IsNormalString(text) {
		t.Error("text not in NFC")
	}
	flat := strings.Join(strings.Fields(text), " ")
	for _, want := range []string{
		"ỦY BAN NHÂN DÂN TỈNH NGHỆ AN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "QUYẾT ĐỊNH",
		"phương án bồi thường", "Điều 1.", "giải phóng mặt bằng", "Nguyễn Đức Trung", "05/QĐ-UBND",
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("page text lacks %q:\n%s", want, flat)
		}
	}
	if _, err := d.Text(context.Background(), 1); err == nil {
		t.Error("text of page 2 of a 1-page document: no error")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := d.Text(ctx, 0); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestExtractTextLimits(t *testing.T) {
	var body []string
	for i := range 120 { // several pages
		body = append(body, fmt.Sprintf("Đoạn %d: đề nghị các đơn vị khẩn trương triển khai thực hiện kế hoạch chuyển đổi số.", i))
	}
	p := official(t, "dai.pdf", body)
	e := shared(t)
	d := open(t, e, p)
	if d.NumPages() < 3 {
		t.Fatalf("%d pages", d.NumPages())
	}
	all, truncated, err := d.ExtractText(context.Background(), TextLimits{})
	if err != nil || truncated {
		t.Fatalf("whole text: truncated %v, %v", truncated, err)
	}
	if strings.Count(all, "\f") != d.NumPages()-1 || !strings.Contains(all, "Đoạn 119") || !strings.Contains(all, "Nguyễn Đức Trung") {
		t.Fatalf("whole text: %d page breaks, %d pages", strings.Count(all, "\f"), d.NumPages())
	}
	one, truncated, err := d.ExtractText(context.Background(), TextLimits{Pages: 1})
	if err != nil || !truncated || strings.Contains(one, "\f") || !strings.HasPrefix(all, one) {
		t.Fatalf("first page: truncated %v, %v", truncated, err)
	}
	small, truncated, err := e.ExtractText(context.Background(), p, TextLimits{Bytes: 1001})
	if err != nil || !truncated || len(small) > 1001 || len(small) < 990 || !strings.HasPrefix(all, small) || !norm.NFC.IsNormalString(small) {
		t.Fatalf("1001 bytes: %d bytes, truncated %v, %v", len(small), truncated, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := d.ExtractText(ctx, TextLimits{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

// TestTextWaitsBehindRenders: a text job runs after the renders waiting
// when it was queued (a background extraction never delays what the
// user looks at).
func TestTextWaitsBehindRenders(t *testing.T) {
	e := newEngine(t, Config{Workers: 1})
	d := open(t, e, sample(t, "many.pdf", samplepdf.Options{Pages: 6}))
	ctx := context.Background()
	// Hold the only worker while the jobs are queued.
	started, block := make(chan struct{}), make(chan struct{})
	go e.broadcast(func(*worker) { close(started); <-block })
	<-started
	textDone := make(chan error, 1)
	go func() {
		_, err := d.Text(ctx, 0)
		textDone <- err
	}()
	waitQueued(t, e, prioPrefetch, 1)
	renders := make(chan error, 3)
	for i := 1; i < 4; i++ {
		go func() {
			_, err := d.Render(ctx, i, 200)
			renders <- err
		}()
	}
	waitQueued(t, e, prioRender, 3)
	close(block)
	if err := <-textDone; err != nil {
		t.Fatal(err)
	}
	// The worker runs one job at a time: when the text is done, every
	// render queued before it has been put into the cache.
	for i := 1; i < 4; i++ {
		if _, ok := e.images.get(cacheKey{doc: d.id, page: i, width: 200}); !ok {
			t.Errorf("page %d not rendered before the text job", i+1)
		}
	}
	for range 3 {
		if err := <-renders; err != nil {
			t.Fatal(err)
		}
	}
}

// waitQueued waits until the queue of prio holds n jobs.
func waitQueued(t *testing.T, e *Engine, prio priority, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for len(e.queues[prio]) < n {
		if time.Now().After(deadline) {
			t.Fatalf("queue %d never held %d jobs", prio, n)
		}
		time.Sleep(time.Millisecond)
	}
}
