//go:build windows

package token

import "syscall"

// loaderMessage returns Windows' complaint about loading path, or "" when
// the DLL loads.
func loaderMessage(path string) string {
	h, err := syscall.LoadLibrary(path)
	if err != nil {
		return err.Error()
	}
	syscall.FreeLibrary(h)
	return ""
}
