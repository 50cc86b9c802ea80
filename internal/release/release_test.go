package release

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// releaseTags are the build tags of `make build` and `make cross`.
const releaseTags = "migrated_fynedo"

// The binaries we ship: the desktop client, the command line and the
// reference server.
var binaries = []string{"./cmd/vanthu", "./cmd/vanthuctl", "./cmd/vanthu-server"}

// Platforms the binaries are built for: Linux natively, Windows with
// mingw-w64 (cgo on, as `make cross`).
var platforms = [][]string{
	{"GOOS=linux", "GOARCH=amd64", "CGO_ENABLED=1"},
	{"GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=1"},
}

// forbiddenPrefixes are import paths that no release binary may link,
// each one itself and every package below it, with the reason.
var forbiddenPrefixes = []struct{ path, why string }{
	{"testing", "the testing package"},
	{"net/http/httptest", "test HTTP servers"},
	{"github.com/stretchr/testify", "a test assertion library"},
	{"fyne.io/fyne/v2/test", "Fyne's test driver"},
	{"fyne.io/fyne/v2/internal/test", "Fyne's test driver"},
	{"github.com/digitorus/pdfsign", "the benchmark peer of our tests"},
}

// forbiddenOwn are packages of this module, relative to its path, that
// no release binary may link, whoever else imports them.
var forbiddenOwn = []string{"internal/pdftools"}

func TestReleaseBinariesCarryNoTestCode(t *testing.T) {
	m := loadModule(t)
	for _, env := range platforms {
		testOnly := m.testOnly(t, env, releaseTags)
		for _, bin := range binaries {
			t.Run(strings.TrimPrefix(env[0], "GOOS=")+"/"+filepath.Base(bin), func(t *testing.T) {
				found := m.check(t, env, releaseTags, bin, testOnly)
				if len(found) > 0 {
					t.Errorf("%s (%s, -tags %s) links test code:\n%s", bin, strings.Join(env, " "), releaseTags, describe(found))
				}
				if on := m.failpointCode(t, env, releaseTags, bin); len(on) > 0 {
					t.Errorf("%s (%s, -tags %s) compiles the failpoints' code:\n  %s", bin, strings.Join(env, " "), releaseTags, strings.Join(on, "\n  "))
				}
			})
		}
	}
}

// The check finds what it is meant to find, with the chain that pulled it
// in: the benchmarks link pdfsign and pdftools, fuzzguard
// links testing.
func TestCheckFindsTestCode(t *testing.T) {
	m := loadModule(t)
	env := platforms[0]
	testOnly := m.testOnly(t, env, releaseTags)
	for _, tc := range []struct {
		pkg  string
		want []string
	}{
		{"./bench/signbench", []string{"github.com/digitorus/pdfsign/sign"}},
		{"./bench/renderbench", []string{m.path + "/internal/pdftools"}},
		{"./internal/fuzzguard", []string{"testing"}},
	} {
		found := m.check(t, env, releaseTags, tc.pkg, testOnly)
		byPath := map[string]finding{}
		for _, f := range found {
			byPath[f.pkg] = f
		}
		for _, w := range tc.want {
			f, ok := byPath[w]
			if !ok {
				t.Errorf("%s: %s not reported; reported:\n%s", tc.pkg, w, describe(found))
				continue
			}
			root := m.path + strings.TrimPrefix(tc.pkg, ".")
			if len(f.chain) < 2 || f.chain[0] != root || f.chain[len(f.chain)-1] != w || len(f.importers) == 0 || f.why == "" {
				t.Errorf("%s: %s reported as %+v", tc.pkg, w, f)
			}
			for i := 1; i < len(f.chain); i++ {
				if !slices.Contains(m.lastGraph[f.chain[i-1]], f.chain[i]) {
					t.Errorf("%s: chain %v: %s does not import %s", tc.pkg, f.chain, f.chain[i-1], f.chain[i])
				}
			}
		}
	}
}

// The failpoint check finds the code that arms failpoints and kills the
// process in a build with the failpoints tag (the fault campaign's), for
// each binary that has failpoints: the server and the command line.
func TestCheckFindsFailpoints(t *testing.T) {
	m := loadModule(t)
	for _, bin := range []string{"./cmd/vanthu-server", "./cmd/vanthuctl"} {
		on := m.failpointCode(t, platforms[0], releaseTags+","+failpointTag, bin)
		for _, want := range []string{"internal/failpoint/on.go", "internal/failpoint/kill_unix.go"} {
			if !slices.ContainsFunc(on, func(s string) bool { return strings.HasPrefix(s, want+":") }) {
				t.Errorf("%s -tags %s,%s: %s not reported; reported %q", bin, releaseTags, failpointTag, want, on)
			}
		}
	}
	// The arming code is found by what it reads, whatever its build
	// constraint says; a comment naming the variable is no code.
	dir := filepath.Join(m.dir, "internal", "failpoint")
	if !namesString(t, filepath.Join(dir, "on.go"), failpointEnv) {
		t.Errorf("on.go is not found to read %s", failpointEnv)
	}
	if namesString(t, filepath.Join(dir, "doc.go"), failpointEnv) {
		t.Errorf("doc.go, which names %s in a comment only, is found to read it", failpointEnv)
	}
}

// releaseTags is what the Makefile builds the binaries with, and it
// does not turn failpoints on.
func TestReleaseTagsAreTheMakefiles(t *testing.T) {
	m := loadModule(t)
	data, err := os.ReadFile(filepath.Join(m.dir, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	match := regexp.MustCompile(`(?m)^TAGS\s*:?=\s*(\S+)\s*$`).FindSubmatch(data)
	if match == nil {
		t.Fatal("the Makefile sets no TAGS")
	}
	if got := string(match[1]); got != releaseTags {
		t.Errorf("the Makefile builds with -tags %s, this check with %s", got, releaseTags)
	}
	if slices.Contains(strings.Split(releaseTags, ","), failpointTag) {
		t.Errorf("the release tags %s turn failpoints on", releaseTags)
	}
}

// testOnly marks a package only tests use, and one only such packages
// use; a package a library imports is not, nor one only its own tests or
// a main package import.
func TestTestOnly(t *testing.T) {
	const mod = "example.org/m"
	pkgs := []listed{
		{ImportPath: mod + "/lib", Name: "lib", Imports: []string{mod + "/used", "fmt"}, TestImports: []string{mod + "/helper"}},
		{ImportPath: mod + "/used", Name: "used"},
		{ImportPath: mod + "/helper", Name: "helper", Imports: []string{mod + "/helperdep"}},
		{ImportPath: mod + "/helperdep", Name: "helperdep"},
		{ImportPath: mod + "/tool", Name: "tool", XTestImports: []string{mod + "/tool"}},
		{ImportPath: mod + "/cmd/x", Name: "main", Imports: []string{mod + "/mainonly", mod + "/tool", mod + "/app"}},
		{ImportPath: mod + "/mainonly", Name: "mainonly"},
		{ImportPath: mod + "/app", Name: "app", Imports: []string{mod + "/shared"}},
		{ImportPath: mod + "/shared", Name: "shared"},
		{ImportPath: mod + "/other", Name: "other", XTestImports: []string{mod + "/mainonly", mod + "/shared"}},
	}
	got := testOnlyOf(pkgs)
	var names []string
	for p := range got {
		names = append(names, strings.TrimPrefix(p, mod+"/"))
	}
	slices.Sort(names)
	if want := []string{"helper", "helperdep", "mainonly"}; !slices.Equal(names, want) {
		t.Errorf("test-only %v, want %v", names, want)
	}

	// In this module: the tools runner, the fuzz watchdog and the OCSP
	// test server are only for tests; the test PKI and the sample
	// documents serve the demo too.
	m := loadModule(t)
	real := m.testOnly(t, platforms[0], releaseTags)
	for _, p := range []string{"internal/pdftools", "internal/fuzzguard", "internal/testpki/ocsp"} {
		if !real[m.path+"/"+p] {
			t.Errorf("%s is not found test-only", p)
		}
	}
	for _, p := range []string{"internal/testpki", "internal/testpki/tsa", "internal/samplepdf", "internal/demo", "app", "signing/pades"} {
		if real[m.path+"/"+p] {
			t.Errorf("%s is found test-only", p)
		}
	}

	// What forbidden makes of them, and of names alone.
	for p, want := range map[string]string{
		"internal/fuzzguard":    "a package of this module that only tests use",
		"internal/pdftools":     "a runner of test tools",
		"app/foo/footest":       "a test package of this module (named …test or …testutil)",
		"internal/testutil":     "a test package of this module (named …test or …testutil)",
		"server/servertest":     "a test package of this module (named …test or …testutil)",
		"internal/testpki":      "",
		"internal/testpki/tsa":  "",
		"signing/pades":         "",
		"internal/release":      "",
		"internal/samplepdf":    "",
		"internal/testpki/ocsp": "a package of this module that only tests use",
	} {
		if got := m.forbidden(m.path+"/"+p, real); got != want {
			t.Errorf("forbidden(%s) = %q, want %q", p, got, want)
		}
	}
	if got := m.forbidden("testing/fstest", real); got != "the testing package" {
		t.Errorf("forbidden(testing/fstest) = %q", got)
	}
	for _, p := range []string{"testingfoo", "example.org/other/footest"} {
		if got := m.forbidden(p, real); got != "" {
			t.Errorf("forbidden(%s) = %q", p, got)
		}
	}
}

// module is this Go module: its path and folder.
type module struct {
	path, dir string
	// lastGraph is the import graph of the last check, for the tests of
	// the check itself.
	lastGraph map[string][]string
}

func loadModule(t *testing.T) *module {
	t.Helper()
	out := goRun(t, "", nil, "env", "GOMOD")
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		t.Fatalf("go env GOMOD: %q, not in a module", gomod)
	}
	m := &module{dir: filepath.Dir(gomod)}
	m.path = strings.TrimSpace(string(goRun(t, m.dir, nil, "list", "-m")))
	return m
}

// goRun runs the go command in dir with env added and returns its
// standard output; it fails the test with its standard error.
func goRun(t *testing.T, dir string, env []string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go %s (%s): %v\n%s", strings.Join(args, " "), strings.Join(env, " "), err, stderr.Bytes())
	}
	return out
}

// listed is a package as `go list -json` describes it.
type listed struct {
	ImportPath   string
	Name         string
	Imports      []string
	TestImports  []string
	XTestImports []string
}

// testOnly lists the module's packages for env and tags and returns those
// only tests use (testOnlyOf).
func (m *module) testOnly(t *testing.T, env []string, tags string) map[string]bool {
	t.Helper()
	out := goRun(t, m.dir, env, "list", "-tags", tags, "-json=ImportPath,Name,Imports,TestImports,XTestImports", "./...")
	var pkgs []listed
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listed
		err := dec.Decode(&p)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("go list -json: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 10 {
		t.Fatalf("go list ./... found %d packages", len(pkgs))
	}
	return testOnlyOf(pkgs)
}

// testOnlyOf returns the packages of pkgs (one module's packages) that
// only tests use: a non-main package that no library package outside
// this set imports, and that the tests of another package import, or a
// package of this set imports. Main packages (binaries, benchmarks) do
// not count as users, nor does a package's own test.
func testOnlyOf(pkgs []listed) map[string]bool {
	own := map[string]listed{}
	for _, p := range pkgs {
		own[p.ImportPath] = p
	}
	testOnly := map[string]bool{}
	for changed := true; changed; {
		changed = false
		for _, p := range pkgs {
			if p.Name == "main" || testOnly[p.ImportPath] {
				continue
			}
			usedByLibrary, usedByTests := false, false
			for _, q := range pkgs {
				if q.ImportPath == p.ImportPath {
					continue
				}
				imports := slices.Contains(q.Imports, p.ImportPath)
				switch {
				case imports && testOnly[q.ImportPath]:
					usedByTests = true
				case imports && q.Name != "main":
					usedByLibrary = true
				}
				if slices.Contains(q.TestImports, p.ImportPath) || slices.Contains(q.XTestImports, p.ImportPath) {
					usedByTests = true
				}
			}
			if usedByTests && !usedByLibrary {
				testOnly[p.ImportPath] = true
				changed = true
			}
		}
	}
	return testOnly
}

// finding is a forbidden package a binary links.
type finding struct {
	pkg       string
	why       string
	chain     []string // from the binary down to pkg, each importing the next
	importers []string // every package of the binary's that imports pkg
}

// check lists what pkg links for env and tags and returns the forbidden
// packages among them.
func (m *module) check(t *testing.T, env []string, tags, pkg string, testOnly map[string]bool) []finding {
	t.Helper()
	out := goRun(t, m.dir, env, "list", "-deps", "-tags", tags, "-f", `{{.ImportPath}}: {{join .Imports " "}}`, pkg)
	graph := map[string][]string{}
	var order []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		path, imports, ok := strings.Cut(line, ":")
		if !ok {
			t.Fatalf("go list -deps %s: line %q", pkg, line)
		}
		graph[path] = strings.Fields(imports)
		order = append(order, path)
	}
	m.lastGraph = graph
	// go list -deps prints the dependencies first, the package last.
	root := order[len(order)-1]
	var found []finding
	for _, p := range order {
		why := m.forbidden(p, testOnly)
		if why == "" {
			continue
		}
		f := finding{pkg: p, why: why, chain: chain(graph, root, p)}
		for _, q := range order {
			if slices.Contains(graph[q], p) {
				f.importers = append(f.importers, q)
			}
		}
		found = append(found, f)
	}
	return found
}

// failpointTag builds binaries whose failpoints can kill them
// (internal/failpoint); release builds never set it.
const failpointTag = "failpoints"

// failpointEnv is the variable that arms failpoints: only the code that
// reads it names it in a string.
const failpointEnv = "VANTHU_FAILPOINTS"

// failpointCode lists the Go files of this module that pkg compiles for
// env and tags and that belong to failpoints, each as "path: why": a file
// that would not be compiled without the failpoints tag, or one whose
// code (not its comments) names failpointEnv.
func (m *module) failpointCode(t *testing.T, env []string, tags, pkg string) []string {
	t.Helper()
	out := goRun(t, m.dir, env, "list", "-deps", "-tags", tags, "-f",
		`{{if .Module}}{{if .Module.Main}}{{.Dir}}{{"\t"}}{{join .GoFiles " "}} {{join .CgoFiles " "}}{{end}}{{end}}`, pkg)
	ctx := build.Default
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "GOOS":
			ctx.GOOS = v
		case "GOARCH":
			ctx.GOARCH = v
		case "CGO_ENABLED":
			ctx.CgoEnabled = v == "1"
		}
	}
	ctx.BuildTags = slices.DeleteFunc(strings.Split(tags, ","), func(tag string) bool { return tag == failpointTag })
	var found []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		dir, files, ok := strings.Cut(line, "\t")
		if !ok {
			continue
		}
		for _, name := range strings.Fields(files) {
			rel, err := filepath.Rel(m.dir, filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			rel = filepath.ToSlash(rel)
			if match, err := ctx.MatchFile(dir, name); err != nil {
				t.Fatalf("%s: %v", rel, err)
			} else if !match {
				found = append(found, rel+": compiled only with -tags "+failpointTag)
				continue
			}
			if namesString(t, filepath.Join(dir, name), failpointEnv) {
				found = append(found, rel+": reads "+failpointEnv)
			}
		}
	}
	return found
}

// namesString reports whether the Go code of path (comments aside) has
// the string literal s.
func namesString(t *testing.T, path, s string) bool {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	found := false
	ast.Inspect(f, func(n ast.Node) bool {
		if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
			if v, err := strconv.Unquote(lit.Value); err == nil && v == s {
				found = true
			}
		}
		return !found
	})
	return found
}

// forbidden says why a release binary may not link path, "" if it may.
func (m *module) forbidden(path string, testOnly map[string]bool) string {
	for _, p := range forbiddenPrefixes {
		if path == p.path || strings.HasPrefix(path, p.path+"/") {
			return p.why
		}
	}
	rel, ok := strings.CutPrefix(path, m.path+"/")
	if !ok {
		return ""
	}
	last := rel[strings.LastIndex(rel, "/")+1:]
	switch {
	case slices.Contains(forbiddenOwn, rel):
		return "a runner of test tools"
	case strings.HasSuffix(last, "test") || strings.HasSuffix(last, "testutil"):
		return "a test package of this module (named …test or …testutil)"
	case testOnly[path]:
		return "a package of this module that only tests use"
	}
	return ""
}

// chain returns a shortest import chain from root to target in graph.
func chain(graph map[string][]string, root, target string) []string {
	prev := map[string]string{root: ""}
	queue := []string{root}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if p == target {
			var c []string
			for ; p != ""; p = prev[p] {
				c = append(c, p)
			}
			slices.Reverse(c)
			return c
		}
		for _, q := range graph[p] {
			if _, seen := prev[q]; !seen {
				prev[q] = p
				queue = append(queue, q)
			}
		}
	}
	return nil
}

// describe words the findings: in full those a permitted package
// imports, where test code comes in; by name the others, linked only
// through them.
func describe(found []finding) string {
	bad := map[string]bool{}
	for _, f := range found {
		bad[f.pkg] = true
	}
	var b strings.Builder
	var below []string
	for _, f := range found {
		if !slices.ContainsFunc(f.importers, func(q string) bool { return !bad[q] }) {
			below = append(below, f.pkg)
			continue
		}
		fmt.Fprintf(&b, "  %s: %s\n    pulled in by %s\n    imported by %s\n",
			f.pkg, f.why, strings.Join(f.chain, " → "), strings.Join(f.importers, ", "))
	}
	if len(below) > 0 {
		fmt.Fprintf(&b, "  and, through those, %s\n", strings.Join(below, ", "))
	}
	return b.String()
}
