//go:build !linux

package demo

import (
	"os"
	"os/exec"
	"runtime"
	"syscall"
)

// tieToParent does nothing outside Linux: a crashed app leaves the demo
// server running (a job object would tie it on Windows; for a demo the
// next start finding it running through the address file is enough).
func tieToParent(*exec.Cmd) {}

// stopGracefully asks the server to shut down; Windows has no SIGTERM
// for another process, so it is killed there (bbolt's file stays
// consistent: every write is a committed transaction).
func stopGracefully(p *os.Process) {
	if runtime.GOOS == "windows" {
		p.Kill()
		return
	}
	p.Signal(syscall.SIGTERM)
}
