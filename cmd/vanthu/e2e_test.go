package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/signing/trustlist"

	"github.com/vanthuso/vanthu/internal/pdftools"
	"github.com/vanthuso/vanthu/signing/verify"
)

// envRunApp makes the test binary run the desktop client itself: the
// end-to-end test starts it as the app under Xvfb.
const envRunApp = "VANTHU_E2E_RUN_APP"

func TestMain(m *testing.M) {
	if os.Getenv(envRunApp) == "1" {
		startDriver()
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestEndToEndSignInDemo drives the real client in demo mode on an X
// server (Xvfb) as a clerk would, with the keyboard only: the demo opens
// its documents with the leader-signed decision selected; Ctrl+Shift+S
// opens the sign dialog with a certificate chosen, the stamp placed and
// the cursor in the PIN entry; the PIN and Enter sign. The file saved next
// to the original carries both signatures, valid in poppler's pdfsig and
// in our verifier against the demo's trust anchors; the original is left
// as it was, to the byte and to its modification time.
func TestEndToEndSignInDemo(t *testing.T) {
	tmp := t.TempDir()
	display := startX(t)
	demoDir := filepath.Join(tmp, "demo")
	env := appEnv(t, display, filepath.Join(tmp, "home"))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	// A demo user is named so that no sign-in question covers the window
	// (with vanthu-server on PATH the demo signs in; without, it says so).
	app := exec.CommandContext(ctx, os.Args[0], "--demo", "--demo-dir", demoDir, "--demo-user", "van-thu-ubnd")
	app.Env = env
	logPath := filepath.Join(tmp, "app.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	app.Stdout, app.Stderr = logFile, logFile
	if err := app.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		app.Process.Kill()
		app.Wait()
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			t.Logf("app output:\n%s", b)
		}
	})

	xdo := func(args ...string) string {
		t.Helper()
		cmd := exec.CommandContext(ctx, "xdotool", args...)
		cmd.Env = append(os.Environ(), "DISPLAY="+display)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("xdotool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}
	// The window, then the demo's documents (the first start provisions
	// the tokens: seconds).
	win := strings.Fields(xdo("search", "--sync", "--onlyvisible", "--name", "Văn Thư Số"))[0]
	signedByLeader := filepath.Join(demoDir, "da-ky", "van-ban.da-duyet.pdf")
	waitFor(t, ctx, 2*time.Minute, "the demo's documents", func() bool {
		_, err := os.Stat(signedByLeader)
		return err == nil
	})
	time.Sleep(6 * time.Second) // documents open, pages render, tokens listed

	out := filepath.Join(demoDir, "da-ky", "van-ban.da-duyet (đã ký).pdf")
	// The original as the clerk opened it: signing must leave it alone and
	// write a new file.
	original, err := os.ReadFile(signedByLeader)
	if err != nil {
		t.Fatal(err)
	}
	originalInfo, err := os.Stat(signedByLeader)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(out); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("%s exists before signing: %v", out, err)
	}
	signed := func() bool {
		st, err := os.Stat(out)
		return err == nil && st.Size() > 0
	}
	xdo("key", "--window", win, "ctrl+shift+s")
	// The dialog lists the certificates, then puts the cursor in the PIN
	// entry; on a loaded machine that takes a while. Until then the keys
	// go nowhere, so they are sent again (Ctrl+A first: a PIN typed into
	// the entry is replaced, never doubled into a wrong one).
	for try := 1; !signed(); try++ {
		if try > 6 {
			t.Fatal("no signed file after 6 tries of typing the PIN")
		}
		time.Sleep(5 * time.Second)
		xdo("key", "--window", win, "ctrl+a")
		xdo("type", "--window", win, "--delay", "60", "123456")
		xdo("key", "--window", win, "Return")
		deadline := time.Now().Add(20 * time.Second)
		for !signed() && time.Now().Before(deadline) {
			time.Sleep(250 * time.Millisecond)
		}
	}
	time.Sleep(time.Second) // written atomically; let the app settle

	sigs, text, err := pdftools.Pdfsig(out, "")
	if err != nil || len(sigs) != 2 || !sigs[0].Valid() || !sigs[1].Valid() {
		t.Fatalf("pdfsig on %s: %v\n%s", out, err, text)
	}
	anchors, err := trustlist.ReadCertificates(filepath.Join(demoDir, "tin-cay", "ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	// The demo PKI runs no OCSP responder: revocation is accepted unchecked.
	rep, err := verify.VerifyFile(ctx, out, verify.Options{Anchors: anchors, AcceptUnknownRevocation: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Verdict != verify.Valid || len(rep.Signatures) != 2 {
		t.Fatalf("verify: %s, %d signatures: %+v", rep.Verdict, len(rep.Signatures), rep.Signatures)
	}
	// The original stays as it was, to the byte and to the modification
	// time, and the signed copy is another file.
	after, err := os.ReadFile(signedByLeader)
	if err != nil {
		t.Fatalf("the original after signing: %v", err)
	}
	afterInfo, err := os.Stat(signedByLeader)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(after, original) {
		t.Errorf("the original changed: %d bytes before, %d after", len(original), len(after))
	}
	if !afterInfo.ModTime().Equal(originalInfo.ModTime()) || afterInfo.Mode() != originalInfo.Mode() {
		t.Errorf("the original was rewritten: modified %v, mode %v; before %v, %v",
			afterInfo.ModTime(), afterInfo.Mode(), originalInfo.ModTime(), originalInfo.Mode())
	}
	outInfo, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if os.SameFile(outInfo, afterInfo) || outInfo.Size() <= originalInfo.Size() {
		t.Errorf("the signed copy (%d bytes) is not a new file after the original (%d bytes)", outInfo.Size(), originalInfo.Size())
	}
	if signedPart, err := os.ReadFile(out); err != nil || !bytes.HasPrefix(signedPart, original) {
		t.Errorf("the signed copy does not begin with the original (an incremental update): %v", err)
	}
}

// startX starts an X server (Xvfb, 1366×768) for the test and returns
// its display.
func startX(t *testing.T) string {
	t.Helper()
	for _, tool := range []string{"Xvfb", "xdotool"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed (scripts/deps.sh installs it): %v", tool, err)
		}
	}
	display := fmt.Sprintf(":%d", 150+rand.IntN(600))
	xvfb := exec.Command("Xvfb", display, "-screen", "0", "1366x768x24", "-nolisten", "tcp")
	if err := xvfb.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { xvfb.Process.Kill(); xvfb.Wait() })
	waitFor(t, context.Background(), 20*time.Second, "the X server", func() bool {
		probe := exec.Command("xdotool", "getmouselocation")
		probe.Env = append(os.Environ(), "DISPLAY="+display)
		return probe.Run() == nil
	})
	return display
}

// appEnv is the environment of the app on display, with its own home
// (settings) and the shared PDFium cache.
func appEnv(t *testing.T, display, home string, more ...string) []string {
	return append(append(os.Environ(),
		envRunApp+"=1",
		"DISPLAY="+display,
		"HOME="+home,
		"XDG_CONFIG_HOME="+filepath.Join(home, "config"),
		"XDG_CACHE_HOME="+cacheHome(t),
		"XDG_DATA_HOME="+filepath.Join(home, "data"),
		"VANTHU_WINDOW_SIZE=1366x768",
	), more...)
}

// cacheHome keeps PDFium's compilation cache between runs (a cold start
// compiles for a minute under the race detector).
func cacheHome(t *testing.T) string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return t.TempDir()
	}
	return dir
}

func waitFor(t *testing.T, ctx context.Context, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) || ctx.Err() != nil {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(250 * time.Millisecond)
	}
}
