package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// demoApps runs the real client as processes under one X server, all on
// one demo folder (the first one started runs the demo's vanthu-server),
// each driven by the driver (driver_test.go) and writing its own log,
// shown when the test fails.
type demoApps struct {
	t       *testing.T
	ctx     context.Context
	tmp     string   // each app's home, result and log are here
	demoDir string   // the shared demo folder
	env     []string // every app's extra environment (PATH with vanthu-server, the driver's inputs)
	display string
	runs    int
}

// newDemoApps builds vanthu-server, starts the X server and returns the
// runner; ctx bounds every wait.
func newDemoApps(t *testing.T, ctx context.Context, env ...string) *demoApps {
	t.Helper()
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "bin")
	if out, err := exec.Command("go", "build", "-o", bin+"/", "github.com/vanthuso/vanthu/cmd/vanthu-server").CombinedOutput(); err != nil {
		t.Fatalf("build vanthu-server: %v\n%s", err, out)
	}
	path := "PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH")
	return &demoApps{t: t, ctx: ctx, tmp: tmp, demoDir: filepath.Join(tmp, "demo"),
		env: append([]string{path}, env...), display: startX(t)}
}

// start runs the app as the demo user with the driver role; name keys
// its home (settings), so that a second run of the same name finds
// them. It returns the process and the driver's result file.
func (d *demoApps) start(name, user, role string) (*exec.Cmd, string) {
	t := d.t
	t.Helper()
	d.runs++
	run := fmt.Sprintf("%s-%d", name, d.runs)
	result := filepath.Join(d.tmp, run+".json")
	cmd := exec.Command(os.Args[0], "--demo", "--demo-dir", d.demoDir, "--demo-user", user)
	cmd.Env = append(appEnv(t, d.display, filepath.Join(d.tmp, "home-"+name), d.env...),
		envDriver+"="+role, envResult+"="+result)
	logPath := filepath.Join(d.tmp, run+".log")
	log, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		log.Close()
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			t.Logf("app %s output:\n%s", run, b)
		}
	})
	return cmd, result
}

// step waits until the driver writing result reports step; a driver's
// error fails the test.
func (d *demoApps) step(name, result, step string) driverResult {
	t := d.t
	t.Helper()
	var r driverResult
	waitFor(t, d.ctx, 8*time.Minute, name+": "+step, func() bool {
		var ok bool
		r, ok = readResult(result)
		if ok && r.Error != "" {
			t.Fatalf("%s: %s: %s (seen: %q)", name, r.Step, r.Error, r.Texts)
		}
		return ok && r.Step == step
	})
	return r
}

// quit sends SIGTERM (the window's Quit: engine stopped, cache closed,
// a server it started stopped) and waits for the app to end.
func (d *demoApps) quit(name string, p *exec.Cmd) {
	d.t.Helper()
	p.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- p.Wait() }()
	select {
	case <-done:
	case <-time.After(time.Minute):
		d.t.Fatalf("app %s did not quit within a minute of SIGTERM", name)
	}
}
