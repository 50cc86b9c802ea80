package fuzzguard_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/internal/fuzzguard"
)

// selftestBinary builds this package's tests with the hanging target of
// selftest_test.go.
func selftestBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "fuzzguard-selftest.test")
	out, err := exec.Command("go", "test", "-c", "-tags", "fuzzguard_selftest", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("build the self-test binary: %v\n%s", err, out)
	}
	return bin
}

// child runs the self-test target in mode, in dir, and returns its exit
// code and output. A child that is still running after a minute has hung
// despite the watchdog: the test fails.
func child(t *testing.T, bin, mode, dir string, env ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-test.run=^FuzzHangs$", "-test.v")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), append([]string{"FUZZGUARD_SELFTEST=" + mode}, env...)...)
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("%s: the child still ran after a minute: the watchdog did not fire\n%s", mode, out)
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), string(out)
	}
	if err != nil {
		t.Fatalf("%s: %v", mode, err)
	}
	return 0, string(out)
}

var keptRE = regexp.MustCompile(`(?m)^fuzz: hang: FuzzHangs: input kept in (\S+) `)

// hangs runs the hanging mode in dir and returns the kept file.
func hangs(t *testing.T, bin, dir string, env ...string) (path string, out string) {
	t.Helper()
	code, out := child(t, bin, "hang", dir, env...)
	if code != fuzzguard.ExitCode {
		t.Fatalf("hanging child exited with %d, want %d\n%s", code, fuzzguard.ExitCode, out)
	}
	if !strings.Contains(out, "fuzz: hang: FuzzHangs: an input still runs after 300ms") {
		t.Fatalf("no hang line:\n%s", out)
	}
	m := keptRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no kept input named:\n%s", out)
	}
	if !strings.Contains(out, "fuzzguard_test.hangForever(") {
		t.Fatalf("the goroutine dump does not show the stuck function:\n%s", out)
	}
	rep, err := os.ReadFile(m[1] + ".hang")
	if err != nil || !bytes.HasPrefix(rep, []byte("fuzz: hang: FuzzHangs: an input still runs after 300ms\n")) || !bytes.Contains(rep, []byte("fuzzguard_test.hangForever(")) {
		t.Fatalf("report with the goroutines next to the input: %v\n%s", err, rep)
	}
	return m[1], out
}

// TestWatch runs a hanging fuzz target in a child process: it must exit
// with ExitCode, say "fuzz: hang", keep the input and the goroutines, and
// the kept file must replay the exact input through go test's own corpus
// reader. A disarmed watchdog must stay quiet.
func TestWatch(t *testing.T) {
	bin := selftestBinary(t)

	dir := t.TempDir()
	path, _ := hangs(t, bin, dir)
	if want := filepath.Join(dir, "testdata", "fuzz-hangs", "FuzzHangs"); filepath.Dir(path) != want {
		t.Errorf("input kept in %s, want it in %s", path, want)
	}
	kept, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(kept, []byte("go test fuzz v1\n[]byte(\"%PDF-")) {
		t.Errorf("kept input is not the unmodified input in the corpus format:\n%s", kept)
	}

	// Replay: go test reads the kept file as a seed of the target.
	replay := t.TempDir()
	corpus := filepath.Join(replay, "testdata", "fuzz", "FuzzHangs")
	if err := os.MkdirAll(corpus, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(corpus, filepath.Base(path)), kept, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out := child(t, bin, "replay", replay)
	if code != 0 || !strings.Contains(out, "fuzzguard: FuzzHangs/"+filepath.Base(path)+" replayed exactly") {
		t.Errorf("the kept input does not replay exactly (exit %d):\n%s", code, out)
	}

	// The same input again: the same file name.
	again, _ := hangs(t, bin, replay)
	if filepath.Base(again) != filepath.Base(path) {
		t.Errorf("the same input kept as %s, then as %s", filepath.Base(path), filepath.Base(again))
	}

	// testdata/fuzz-hangs cannot be created: the input goes under $TMPDIR.
	blocked := t.TempDir()
	if err := os.Mkdir(filepath.Join(blocked, "testdata"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(blocked, "testdata", "fuzz-hangs"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	path, _ = hangs(t, bin, blocked, "TMPDIR="+tmp)
	if want := filepath.Join(tmp, "fuzz-hangs", "FuzzHangs"); filepath.Dir(path) != want {
		t.Errorf("input kept in %s, want it in %s", path, want)
	}

	if code, out := child(t, bin, "quick", t.TempDir()); code != 0 || strings.Contains(out, "fuzz: hang") {
		t.Errorf("a disarmed watchdog fired (exit %d):\n%s", code, out)
	}
}

// TestWatchRejects: a limit that is not positive and an argument type the
// fuzzer does not have fail the test instead of arming a useless watchdog.
func TestWatchRejects(t *testing.T) {
	for name, call := range map[string]func(tb testing.TB){
		"zero limit":  func(tb testing.TB) { fuzzguard.Watch(tb, 0, []byte("x"))() },
		"struct type": func(tb testing.TB) { fuzzguard.Watch(tb, time.Second, struct{}{})() },
	} {
		r := &recorder{TB: t}
		done := make(chan struct{})
		go func() { // Fatalf ends the goroutine like t.Fatal
			defer close(done)
			call(r)
		}()
		<-done
		if !r.failed {
			t.Errorf("%s: accepted", name)
		}
	}
}

// recorder is a testing.TB whose Fatalf records the failure and ends the
// goroutine, as testing's does.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Helper() {}

func (r *recorder) Fatalf(format string, args ...any) {
	r.failed = true
	r.TB.Logf("recorded: "+format, args...)
	runtime.Goexit()
}

func BenchmarkWatch(b *testing.B) {
	data := bytes.Repeat([]byte("%PDF-1.7 "), 1<<10)
	b.ReportAllocs()
	for b.Loop() {
		fuzzguard.Watch(b, fuzzguard.Limit, data)()
	}
}
