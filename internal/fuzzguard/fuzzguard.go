package fuzzguard

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// Limit is the per-input limit for the project's fuzz targets: a minute,
// although every seed takes well under a second with the race detector,
// because a loaded machine slows a test process by more than tenfold (a
// 0.5 s seed of signing/pdf was seen taking over 10 s at load 8 on two
// cores).
const Limit = time.Minute

// WorkerLimit caps the limit in a fuzz worker (a process of go test
// -fuzz): Go's worker panics by itself, without a word, on an input that
// runs 10 s (internal/fuzz.RunFuzzWorker, not configurable), so the
// watchdog must fire before that to report the hang.
const WorkerLimit = 8 * time.Second

// ExitCode is the status the process exits with when an input hangs;
// distinct from the 1 of a failed test and the 2 of a panic.
const ExitCode = 86

// Watch arms the watchdog for one input of t's fuzz target and returns the
// function that disarms it; call it (usually deferred) when the input is
// done. inputs are the arguments of the fuzz function, in order, of the
// types the fuzzer supports ([]byte, string, bool, the integer and
// floating-point types); another type, or a limit that is not positive,
// fails t. Byte slices are copied now, so the kept file holds what the
// function received even if it modifies its arguments. If the returned
// function has not been called limit after Watch, the process reports the
// hang (see the package documentation) and exits with ExitCode. In a fuzz
// worker a limit above WorkerLimit is lowered to it.
func Watch(t testing.TB, limit time.Duration, inputs ...any) (stop func()) {
	t.Helper()
	if limit <= 0 {
		t.Fatalf("fuzzguard: limit %v is not positive", limit)
	}
	kept := make([]any, len(inputs))
	for i, v := range inputs {
		switch v := v.(type) {
		case []byte:
			kept[i] = bytes.Clone(v)
		case string, bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64:
			kept[i] = v
		default:
			t.Fatalf("fuzzguard: input %d is a %T, not a type the fuzzer supports", i, v)
		}
	}
	if limit > WorkerLimit && inWorker() {
		limit = WorkerLimit
	}
	name := targetName(t.Name())
	timer := time.AfterFunc(limit, func() { hang(name, limit, encode(kept)) })
	return func() { timer.Stop() }
}

// inWorker reports whether this process is a fuzz worker: go test -fuzz
// starts its workers with -test.fuzzworker.
var inWorker = sync.OnceValue(func() bool {
	f := flag.Lookup("test.fuzzworker")
	return f != nil && f.Value.String() == "true"
})

// targetName is the fuzz target of a test name: "FuzzOpen" for
// "FuzzOpen/seed#0" or "FuzzOpen/1f3a…".
func targetName(testName string) string {
	name, _, _ := strings.Cut(testName, "/")
	if name == "" || strings.ContainsAny(name, `\:*?"<>|`) || name == "." || name == ".." {
		return "fuzz"
	}
	return name
}

// encode writes values, of the types Watch accepts, in go test's corpus
// file format (version 1). Floats are written as bits, so that every NaN
// and negative zero comes back exactly.
func encode(values []any) []byte {
	b := bytes.NewBufferString("go test fuzz v1\n")
	for _, v := range values {
		switch v := v.(type) {
		case []byte:
			fmt.Fprintf(b, "[]byte(%q)\n", v)
		case string:
			fmt.Fprintf(b, "string(%q)\n", v)
		case byte: // uint8; go test reads byte(N)
			fmt.Fprintf(b, "byte(%d)\n", v)
		case rune: // int32; go test reads rune(N)
			fmt.Fprintf(b, "rune(%d)\n", v)
		case bool, int, int8, int16, int64, uint, uint16, uint32, uint64:
			fmt.Fprintf(b, "%T(%v)\n", v, v)
		case float32:
			fmt.Fprintf(b, "math.Float32frombits(0x%x)\n", math.Float32bits(v))
		case float64:
			fmt.Fprintf(b, "math.Float64frombits(0x%x)\n", math.Float64bits(v))
		}
	}
	return b.Bytes()
}

// hang reports a hung input and exits the process.
func hang(name string, limit time.Duration, corpus []byte) {
	sum := sha256.Sum256(corpus)
	file := hex.EncodeToString(sum[:8]) // the name go test gives the same input
	stacks := allStacks()
	path, err := keep(filepath.Join("testdata", "fuzz-hangs", name), file, name, limit, corpus, stacks)
	if err != nil {
		path, err = keep(filepath.Join(os.TempDir(), "fuzz-hangs", name), file, name, limit, corpus, stacks)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "\n%sfuzz: hang: %s: the input could not be kept (%v); it follows:\n%s\n%s\n", report(name, limit, ""), name, err, corpus, stacks)
	} else {
		fmt.Fprintf(os.Stderr, "\n%s%s\n", report(name, limit, path), stacks)
	}
	os.Exit(ExitCode)
}

// report is the "fuzz: hang:" lines for an input kept in path ("" when it
// could not be kept).
func report(name string, limit time.Duration, path string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "fuzz: hang: %s: an input still runs after %v\n", name, limit)
	if path != "" {
		fmt.Fprintf(&b, "fuzz: hang: %s: input kept in %s (go test corpus format: copy it to testdata/fuzz/%s/ to replay it with go test -run '^%s$')\n", name, path, name, name)
		fmt.Fprintf(&b, "fuzz: hang: %s: this report in %s.hang; the goroutines follow\n", name, path)
	}
	return b.String()
}

// keep writes the corpus file and the report with the goroutine dump
// (<file>.hang) into dir and returns the corpus file's absolute path.
func keep(dir, file, name string, limit time.Duration, corpus, stacks []byte) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	path, err := filepath.Abs(filepath.Join(dir, file))
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(path, corpus, 0o644); err != nil {
		return "", err
	}
	rep := append([]byte(report(name, limit, path)), stacks...)
	if err := os.WriteFile(path+".hang", rep, 0o644); err != nil {
		return "", err
	}
	return path, nil
}

// allStacks is the stack of every goroutine, as a panic prints them.
func allStacks() []byte {
	buf := make([]byte, 1<<16)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) || len(buf) >= 64<<20 {
			return buf[:n]
		}
		buf = make([]byte, 2*len(buf))
	}
}
