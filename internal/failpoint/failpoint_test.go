//go:build failpoints

package failpoint

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestHitKills runs this test binary again with a failpoint armed at its
// second hit: the child dies by SIGKILL at that hit, not before.
func TestHitKills(t *testing.T) {
	if os.Getenv("FAILPOINT_CHILD") == "1" {
		Hit("x")
		os.Stdout.WriteString("after-first\n")
		Hit("x")
		os.Stdout.WriteString("after-second\n")
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHitKills$")
	cmd.Env = append(os.Environ(), "FAILPOINT_CHILD=1", "VANTHU_FAILPOINTS=y,x=2")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("child survived an armed failpoint:\n%s", out)
	}
	if !strings.Contains(string(out), "after-first") || strings.Contains(string(out), "after-second") {
		t.Fatalf("child died at the wrong hit:\n%s", out)
	}
	if !strings.Contains(err.Error(), "killed") {
		t.Fatalf("child ended with %v, want SIGKILL", err)
	}
}
