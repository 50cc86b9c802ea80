package token

import (
	"os"
	"path/filepath"
)

// knownModules lists %SystemRoot%\System32\<dll>. SysWOW64 is deliberately
// absent: it holds 32-bit DLLs, which a 64-bit process cannot load (a 32-bit
// build is redirected from System32 to SysWOW64 by Windows itself, so
// System32 is right for both).
func knownModules() []knownModule {
	root := os.Getenv("SystemRoot")
	if root == "" {
		root = `C:\Windows`
	}
	out := make([]knownModule, 0, len(windowsDLLs))
	for _, dll := range windowsDLLs {
		out = append(out, knownModule{Path: filepath.Join(root, "System32", dll)})
	}
	return out
}
