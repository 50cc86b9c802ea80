// Package release holds the check that the release binaries carry no test
// code. It has no API: its test (release_test.go) runs `go list -deps` on
// cmd/vanthu, cmd/vanthuctl and cmd/vanthu-server, with the release build
// tags (migrated_fynedo, the Makefile's TAGS) and for Linux and Windows,
// and fails when one of them links a package that only tests need or
// compiles the failpoints' code.
//
// # Forbidden
//
//   - the standard library's testing, testing/... and net/http/httptest;
//   - github.com/stretchr/testify/..., fyne.io/fyne/v2/test and
//     fyne.io/fyne/v2/internal/test (Fyne's test driver, which its
//     software painter links);
//   - github.com/digitorus/pdfsign/..., the benchmark peer of our tests
//     (pdfcpu, our tests' other cross-check tool, left this list when
//     signing/pdfcopy's trích sao, a user's feature, came to need it);
//   - packages of this module whose import path ends in "test" or
//     "testutil", internal/pdftools, and every package of this module that
//     only tests use: imported by the tests of another package, or by
//     another such package, and by no library code of the module (main
//     packages, the binaries and the benchmarks, do not count as users).
//
// For each package found the test prints the chain of imports that pulled
// it in, from the binary down, and every package that imports it.
//
// # Failpoints
//
// internal/failpoint kills its process at named moments in the fault
// campaign's builds (-tags failpoints). A release binary compiles no file
// of this module that needs that tag, and no file whose code reads
// VANTHU_FAILPOINTS, the variable that arms them: its failpoint.Hit is
// the empty one.
//
// # Test drivers
//
// Test drivers live in _test.go files (app/signui's dialog drivers) or
// behind a build tag that release builds do not set (app's screenshot
// hook: -tags screenshots). internal/testpki and internal/testpki/tsa are
// linked on purpose: the demo (vanthu --demo, vanthuctl demo) provisions
// SoftHSM2 tokens and runs a local timestamp authority with them, and they
// import no testing code.
package release
