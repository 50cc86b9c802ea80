//go:build !failpoints

package failpoint

// Hit marks a failpoint. Without the failpoints build tag it does nothing
// and costs nothing.
func Hit(name string) {}

// Enabled reports whether this binary was built with failpoints.
const Enabled = false
