package fuzzguard_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const importPath = "github.com/vanthuso/vanthu/internal/fuzzguard"

// unguarded lists the fuzz targets (package directory, then name) allowed
// to run without a watchdog, each with the reason. An entry whose target
// is guarded, or gone, fails TestEveryTargetGuarded: remove it then.
var unguarded = map[string]string{}

func moduleRoot(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		t.Fatalf("go list -m: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// TestEveryTargetGuarded reads every _test.go file of the module: the
// function given to f.Fuzz in each fuzz target must call fuzzguard.Watch.
func TestEveryTargetGuarded(t *testing.T) {
	root := moduleRoot(t)
	seen := map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") || strings.HasPrefix(d.Name(), "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		file, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		for _, decl := range file.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Recv != nil || !strings.HasPrefix(fn.Name.Name, "Fuzz") || fn.Body == nil {
				continue
			}
			key := filepath.ToSlash(rel) + " " + fn.Name.Name
			seen[key] = true
			guarded, fuzzCalls := fuzzFuncsGuarded(fn.Body)
			reason, listed := unguarded[key]
			switch {
			case fuzzCalls == 0:
				t.Errorf("%s: no f.Fuzz call found", key)
			case guarded && listed:
				t.Errorf("%s is guarded now: remove it from unguarded (%s)", key, reason)
			case !guarded && !listed:
				t.Errorf("%s: the function given to f.Fuzz does not call fuzzguard.Watch: a hang would end the run without its input", key)
			case !guarded:
				t.Logf("%s without a watchdog: %s", key, reason)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) < 12 {
		t.Errorf("found only %d fuzz targets: %v", len(seen), seen)
	}
	for key := range unguarded {
		if !seen[key] {
			t.Errorf("unguarded lists %s, which is not a fuzz target", key)
		}
	}
}

// fuzzFuncsGuarded reports whether every function literal passed to a
// .Fuzz call in body calls fuzzguard.Watch, and how many there are.
func fuzzFuncsGuarded(body *ast.BlockStmt) (bool, int) {
	all, n := true, 0
	ast.Inspect(body, func(node ast.Node) bool {
		call, ok := node.(*ast.CallExpr)
		if !ok {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok || sel.Sel.Name != "Fuzz" || len(call.Args) != 1 {
			return true
		}
		lit, ok := call.Args[0].(*ast.FuncLit)
		if !ok {
			all = false // a named function: not checked, so not accepted
			n++
			return true
		}
		n++
		if !callsWatch(lit.Body) {
			all = false
		}
		return true
	})
	return all, n
}

func callsWatch(body *ast.BlockStmt) bool {
	found := false
	ast.Inspect(body, func(node ast.Node) bool {
		if sel, ok := node.(*ast.SelectorExpr); ok && sel.Sel.Name == "Watch" {
			if id, ok := sel.X.(*ast.Ident); ok && id.Name == "fuzzguard" {
				found = true
			}
		}
		return !found
	})
	return found
}

// TestNotInReleaseBinaries: no package of the module imports fuzzguard
// outside its tests, so no binary links it.
func TestNotInReleaseBinaries(t *testing.T) {
	out, err := exec.Command("go", "list", "-tags", "migrated_fynedo", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, moduleRoot(t)+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) < 10 {
		t.Fatalf("go list found only %d packages", len(lines))
	}
	for _, line := range lines {
		fields := strings.Fields(line)
		for _, imp := range fields[1:] {
			if imp == importPath {
				t.Errorf("%s imports fuzzguard outside its tests", fields[0])
			}
		}
	}
}
