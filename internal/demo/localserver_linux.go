package demo

import (
	"os"
	"os/exec"
	"syscall"
)

// tieToParent has the kernel kill the child when the thread that
// started it ends (the process dying without Close: kill -9, a crash).
func tieToParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// stopGracefully asks the server to shut down (it answers its long polls
// and closes its store).
func stopGracefully(p *os.Process) { p.Signal(syscall.SIGTERM) }
