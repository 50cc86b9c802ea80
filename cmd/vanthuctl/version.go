package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// version is set at release time with -ldflags "-X main.version=…".
var version = "dev"

// cmdVersion is `vanthuctl version`.
func (c *cli) cmdVersion(args []string) error {
	fs := c.flagSet("version", "usage.version")
	if err := c.parse(fs, args); err != nil {
		return err
	}
	fmt.Fprintln(c.stdout, versionLine())
	return nil
}

// versionLine is "vanthuctl VERSION (commit, time, Go version, OS/arch)"
// from the build information the Go toolchain embeds.
func versionLine() string {
	rev, when, dirty := "", "", ""
	goVersion := runtime.Version()
	if bi, ok := debug.ReadBuildInfo(); ok {
		goVersion = bi.GoVersion
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
				if len(rev) > 12 {
					rev = rev[:12]
				}
			case "vcs.time":
				when = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					dirty = "+dirty"
				}
			}
		}
	}
	s := "vanthuctl " + version + " ("
	if rev != "" {
		s += "commit " + rev + dirty + ", "
	}
	if when != "" {
		s += when + ", "
	}
	return s + fmt.Sprintf("%s, %s/%s)", goVersion, runtime.GOOS, runtime.GOARCH)
}
