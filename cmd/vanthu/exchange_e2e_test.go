package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/internal/demo"
	"github.com/vanthuso/vanthu/sync/profile"
	"github.com/vanthuso/vanthu/sync/store"
)

// TestEndToEndExchangeInDemo is the exchange between two agencies on one
// machine, as the demo offers it, with the real client as two processes
// under Xvfb and the demo's vanthu-server as the first one's child: app
// A, signed in as UBND tỉnh Nghệ An's clerk, sends the decision issued
// with the leader's and the agency's signatures (the demo's
// da-ky/van-ban.phat-hanh.pdf) to Sở Tài chính through Gửi văn bản, its
// fields typed in as a user types them; app B, signed in as Sở Tài
// chính's clerk with its own cache, shows it in Văn bản đến with the
// verdict "Chữ ký hợp lệ". After both quit, B's cache holds the document
// from UBND tỉnh Nghệ An with the server's verdict valid on its main
// PDF, whose bytes are the ones A sent; A's outbox entry is sent; and the
// server A started has stopped with it.
func TestEndToEndExchangeInDemo(t *testing.T) {
	subject := "Về việc ban hành Kế hoạch chuyển đổi số trong công tác văn thư, lưu trữ năm 2027"
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	apps := newDemoApps(t, ctx, envSubject+"="+subject,
		envSendTo+"="+edoc.DemoFinance, envSendDoc+"=van-ban.phat-hanh.pdf")
	start, waitStep, display, demoDir := apps.start, apps.step, apps.display, apps.demoDir

	a, resultA := start("a", "van-thu-ubnd", "send")
	waitStep("app A (UBND tỉnh Nghệ An)", resultA, "queued")
	b, resultB := start("b", "van-thu-stc", "receive")
	got := waitStep("app B (Sở Tài chính)", resultB, "found")
	t.Logf("Văn bản đến of app B shows: %q", got.Texts)
	if shot := os.Getenv("VANTHU_E2E_SHOT"); shot != "" {
		// For the record: the screen as it was (make screenshots keeps it).
		imp := exec.Command("import", "-window", "root", shot)
		imp.Env = append(os.Environ(), "DISPLAY="+display)
		if out, err := imp.CombinedOutput(); err != nil {
			t.Logf("screenshot: %v %s", err, out)
		}
	}

	// Both quit as on SIGTERM (the window's Quit): engines stopped,
	// caches closed, A's server stopped.
	addr, _ := os.ReadFile(filepath.Join(demoDir, "server", "addr"))
	apps.quit("B", b)
	apps.quit("A", a)
	if conn, err := net.DialTimeout("tcp", strings.TrimSpace(string(addr)), time.Second); err == nil {
		conn.Close()
		t.Errorf("the demo server at %s still listens after the app that started it quit", addr)
	}

	sent, err := os.ReadFile(filepath.Join(demoDir, "da-ky", "van-ban.phat-hanh.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(sent)
	mainSHA := hex.EncodeToString(sum[:])

	stB := openCache(t, demo.ClientDir(demoDir, "van-thu-stc"))
	docs, _, err := stB.List(store.ListQuery{Box: store.BoxInbox, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 1 {
		t.Fatalf("Sở Tài chính's inbox holds %d documents, want 1", len(docs))
	}
	d := docs[0]
	if d.Doc.Subject != subject || d.From.OrganID != edoc.DemoProvince || d.Doc.Code.String() != "05/QĐ-UBND" {
		t.Errorf("received %q %q from %s, want %q 05/QĐ-UBND from UBND tỉnh Nghệ An", d.Doc.Code.String(), d.Doc.Subject, d.From.OrganID, subject)
	}
	var main *edoc.Attachment
	for i := range d.Doc.Attachments {
		if d.Doc.Attachments[i].Role == edoc.RoleMain {
			main = &d.Doc.Attachments[i]
		}
	}
	if main == nil || main.SHA256 != mainSHA {
		t.Fatalf("the received main PDF %+v is not the file A sent (%s)", main, mainSHA)
	}
	if v := d.Verification[mainSHA]; v.Verdict != "valid" {
		t.Errorf("the server's verdict on the received PDF is %q, want valid", v.Verdict)
	}
	f, err := stB.OpenBlob(mainSHA)
	if err != nil {
		t.Fatalf("the received PDF is not in B's cache: %v", err)
	}
	h := sha256.New()
	io.Copy(h, f)
	f.Close()
	if hex.EncodeToString(h.Sum(nil)) != mainSHA {
		t.Error("B's copy of the PDF does not hash to its name")
	}

	stA := openCache(t, demo.ClientDir(demoDir, "van-thu-ubnd"))
	out, err := stA.OutboxAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 1 || out[0].State != store.OutboxSent {
		t.Errorf("A's outbox: %+v, want one entry, sent", out)
	}
}

// openCache opens a client folder's cache (the app that held it quit).
func openCache(t *testing.T, dir string) *store.Store {
	t.Helper()
	s, err := profile.OpenStore(dir, store.Options{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
