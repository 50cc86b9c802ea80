//go:build (linux || darwin || freebsd) && cgo

package token

/*
#cgo linux LDFLAGS: -ldl
#include <dlfcn.h>
#include <stdlib.h>

static const char *vanthu_dlerror(const char *path) {
	void *h = dlopen(path, RTLD_LAZY | RTLD_LOCAL);
	if (h != NULL) {
		dlclose(h);
		return NULL;
	}
	return dlerror();
}
*/
import "C"

import "unsafe"

// loaderMessage returns the dynamic loader's complaint about path (missing
// dependency, wrong format), or "" when the library loads.
func loaderMessage(path string) string {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	msg := C.vanthu_dlerror(cpath)
	if msg == nil {
		return ""
	}
	return C.GoString(msg)
}
