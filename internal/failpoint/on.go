//go:build failpoints

package failpoint

import (
	"os"
	"strconv"
	"strings"
	"sync"
)

// Enabled reports whether this binary was built with failpoints.
const Enabled = true

var (
	once  sync.Once
	mu    sync.Mutex
	armed map[string]int // name → hits left before the kill
)

func load() {
	armed = map[string]int{}
	for _, item := range strings.Split(os.Getenv("VANTHU_FAILPOINTS"), ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, count, ok := strings.Cut(item, "=")
		n := 1
		if ok {
			if v, err := strconv.Atoi(count); err == nil && v > 0 {
				n = v
			}
		}
		armed[name] = n
	}
}

// Hit kills the process if name is armed and this is the hit it waits
// for.
func Hit(name string) {
	once.Do(load)
	mu.Lock()
	n, ok := armed[name]
	if ok {
		n--
		armed[name] = n
	}
	mu.Unlock()
	if ok && n == 0 {
		os.Stderr.WriteString("failpoint: " + name + "\n")
		kill()
	}
}
