//go:build failpoints && !windows

package failpoint

import "syscall"

func kill() {
	syscall.Kill(syscall.Getpid(), syscall.SIGKILL)
	select {}
}
