package fuzzguard_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestFuzzScript runs scripts/fuzz.sh on a throwaway module (in a
// temporary directory, with a copy of this package): a sound target passes,
// a hanging one fails as a hang with its input kept, a hanging one without
// the watchdog fails at go test's -timeout, a crashing one fails with its
// input, and the script exits non-zero. Then the sound target alone passes.
func TestFuzzScript(t *testing.T) {
	script, err := filepath.Abs("../../scripts/fuzz.sh")
	if err != nil {
		t.Fatal(err)
	}
	mod := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		p := filepath.Join(mod, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module fuzzselftest\n\ngo 1.26\n")
	sources, _ := filepath.Glob("*.go")
	copied := 0
	for _, src := range sources {
		if strings.HasSuffix(src, "_test.go") {
			continue
		}
		text, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		write(filepath.Join("fuzzguard", src), string(text))
		copied++
	}
	if copied == 0 {
		t.Fatal("no source of fuzzguard to copy")
	}
	targets, err := os.ReadFile(filepath.Join("testdata", "fuzzscript", "targets_test.go"))
	if err != nil {
		t.Fatal(err)
	}
	write("targets/targets_test.go", string(targets))

	run := func(args ...string) (int, string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, script, args...)
		cmd.Env = append(os.Environ(), "FUZZ_ROOT="+mod, "FUZZ_TIMEOUT=15s", "GOFLAGS=-mod=mod")
		out, err := cmd.CombinedOutput()
		if ctx.Err() != nil {
			t.Fatalf("fuzz.sh %v still ran after 5 minutes:\n%s", args, out)
		}
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode(), string(out)
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0, string(out)
	}

	code, out := run("3000x", "./...")
	if code == 0 {
		t.Errorf("fuzz.sh passed with a hanging and a crashing target:\n%s", out)
	}
	for _, want := range []string{
		"fuzz: targets FuzzSound ok",
		"fuzz: targets FuzzHang FAILED: hang",
		"fuzz: targets FuzzUnguardedHang FAILED: a worker died without fuzzguard's report",
		"fuzz: targets FuzzCrash FAILED: failing input",
		"fuzz: hang: FuzzHang: an input still runs after 8s",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("fuzz.sh output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "fuzz: targets FuzzUnguardedHang ok") {
		t.Errorf("the unguarded hang passed:\n%s", out)
	}
	m := regexp.MustCompile(`fuzz: hang: targets FuzzHang: input kept in (\S+);`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("fuzz.sh does not name the kept input of the hang:\n%s", out)
	}
	kept, err := os.ReadFile(m[1])
	if err != nil || !strings.HasPrefix(string(kept), "go test fuzz v1\n[]byte(") {
		t.Errorf("kept input %s: %v\n%s", m[1], err, kept)
	}
	if !strings.HasPrefix(m[1], filepath.Join(mod, "targets", "testdata", "fuzz-hangs", "FuzzHang")+string(filepath.Separator)) {
		t.Errorf("hang kept in %s, not in the package's testdata/fuzz-hangs/FuzzHang", m[1])
	}
	t.Logf("fuzz.sh on the throwaway module:\n%s", out)

	// Only the sound target, by a duration budget scaled to a count.
	if err := os.RemoveAll(filepath.Join(mod, "targets", "testdata")); err != nil {
		t.Fatal(err)
	}
	write("targets/targets_test.go", string(targets[:bytes.Index(targets, []byte("func FuzzHang"))]))
	if code, out := run("1s", "./..."); code != 0 || !strings.Contains(out, "fuzz: targets FuzzSound ok") {
		t.Errorf("fuzz.sh on a sound target alone: exit %d\n%s", code, out)
	}
}
