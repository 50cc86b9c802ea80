//go:build failpoints && windows

package failpoint

import "os"

func kill() { os.Exit(137) }
