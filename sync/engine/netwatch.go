package engine

import (
	"context"
	"net"
	"slices"
	"strings"
	"time"
)

// watchInterfaces polls the network interfaces every interval and sends
// on changed (without blocking) when the set of interfaces that are up,
// or their addresses, differs from the last look: a cable plugged in, a
// Wi-Fi joined, a VPN up. It returns when ctx is done.
func watchInterfaces(ctx context.Context, interval time.Duration, clock Clock, changed chan<- struct{}) {
	last := interfaceKey()
	for {
		select {
		case <-ctx.Done():
			return
		case <-clock.After(interval):
		}
		if k := interfaceKey(); k != last {
			last = k
			select {
			case changed <- struct{}{}:
			default:
			}
		}
	}
}

// interfaceKey describes the interfaces that are up with their
// addresses, in a stable order; "" when they cannot be read.
func interfaceKey() string {
	ifs, err := net.Interfaces()
	if err != nil {
		return ""
	}
	var parts []string
	for _, ifc := range ifs {
		if ifc.Flags&net.FlagUp == 0 || ifc.Flags&net.FlagLoopback != 0 {
			continue
		}
		addrs, _ := ifc.Addrs()
		var as []string
		for _, a := range addrs {
			as = append(as, a.String())
		}
		slices.Sort(as)
		parts = append(parts, ifc.Name+"="+strings.Join(as, ","))
	}
	slices.Sort(parts)
	return strings.Join(parts, ";")
}
