// Package fuzzguard is a per-input watchdog for Go fuzz targets, so that
// an input that hangs fails the run with the input kept.
//
// Go's fuzzer has no configurable per-input timeout: replaying the seed
// corpus (go test) waits for a stuck input until -timeout, and under go
// test -fuzz an input stuck in the last seconds of -fuzztime ends the run
// with a bare "context deadline exceeded" and no input written. With a
// watchdog armed around each input the hang is reported while it
// happens, with the input and the goroutines:
//
//	f.Fuzz(func(t *testing.T, data []byte) {
//		defer fuzzguard.Watch(t, fuzzguard.Limit, data)()
//		...
//	})
//
// Import it only from _test.go files: release binaries carry no test code
// (its own test checks that no command depends on it).
//
// # What happens on a hang
//
// When the function has not returned limit after [Watch] was called, the
// watchdog, from its own goroutine:
//
//   - writes the inputs in the corpus file format of go test ("go test fuzz
//     v1", one line per argument) to testdata/fuzz-hangs/<FuzzName>/<hash>
//     under the working directory (the package's directory under go test),
//     or under os.TempDir()/fuzz-hangs/ when that cannot be written; copied
//     to testdata/fuzz/<FuzzName>/, the file replays the input with
//     go test -run <FuzzName>;
//   - writes a report next to it (<hash>.hang): lines starting with
//     "fuzz: hang:" that name the target, the limit and the file, then
//     every goroutine's stack;
//   - prints the report to standard error;
//   - exits the process with [ExitCode].
//
// Exiting is the only way out: the stuck goroutine cannot be stopped.
// Under go test -fuzz the input runs in a worker process whose output the
// coordinator discards: it reports "fuzzing process hung or terminated
// unexpectedly: exit status 86" and keeps the input in testdata/fuzz/ too
// (under the same name for targets of one []byte: both name a file by
// the SHA-256 of the same text), and scripts/fuzz.sh prints the .hang
// report. Outside fuzzing (go test replaying the seed corpus) the report
// shows in the test output and the exit fails the test binary.
//
// # Choosing the limit
//
// Go's fuzz workers do have a per-input limit of their own: a worker
// panics on an input that runs 10 s, with no output (internal/fuzz), and
// the coordinator reports "exit status 2" with the input. Only seed-corpus
// runs (plain go test) have no limit at all, and neither kind says where
// the input was stuck. In a worker the watchdog fires at [WorkerLimit] at
// the latest, before Go's own limit, so that the report is written.
//
// [Limit] is meant for every target: far above what any input takes, even
// with the race detector on a machine loaded several times over (which
// slows a test process tenfold and more), far below the minutes a test
// binary may run. A target that legitimately waits longer passes a larger
// limit. The watchdog measures wall time, so a process stopped by a
// debugger trips it too.
package fuzzguard
