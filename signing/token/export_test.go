package token

import (
	"sync/atomic"

	"github.com/miekg/pkcs11"
)

// loginCounter counts C_Login calls on the way to the real module.
type loginCounter struct {
	cryptoki
	n atomic.Int32
}

func (c *loginCounter) Login(sh pkcs11.SessionHandle, userType uint, pin string) error {
	c.n.Add(1)
	return c.cryptoki.Login(sh, userType, pin)
}

// CountLogins wraps m's module so every C_Login is counted. Call restore
// before the module is closed.
func CountLogins(m *Module) (count func() int, restore func()) {
	lib := m.lib
	lib.mu.Lock()
	orig := lib.ck
	c := &loginCounter{cryptoki: orig}
	lib.ck = c
	lib.mu.Unlock()
	return func() int { return int(c.n.Load()) }, func() {
		lib.mu.Lock()
		lib.ck = orig
		lib.mu.Unlock()
	}
}
