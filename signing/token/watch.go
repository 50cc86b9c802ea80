package token

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// EventKind says what happened to a token.
type EventKind int

const (
	TokenInserted EventKind = iota + 1 // a token appeared (or was present when Watch started)
	TokenRemoved                       // a token went away; Event.Token is its last known info
	TokenChanged                       // same token, new info: label, PIN flags, slot, initialised
)

func (k EventKind) String() string {
	switch k {
	case TokenInserted:
		return "inserted"
	case TokenRemoved:
		return "removed"
	case TokenChanged:
		return "changed"
	}
	return fmt.Sprintf("EventKind(%d)", int(k))
}

// Event is one change seen by Watch.
type Event struct {
	Kind  EventKind
	Token TokenInfo
}

func (e Event) String() string {
	return fmt.Sprintf("%s slot %d %q (serial %q)", e.Kind, e.Token.SlotID, e.Token.Label, e.Token.Serial)
}

// WatchOption changes how Watch polls.
type WatchOption func(*watchConfig)

type watchConfig struct {
	rescan bool
}

// WithRescan makes Watch call Rescan before each poll whenever no session of
// the module is open, so modules that only enumerate tokens in C_Initialize
// (SoftHSM2, some vendor modules) report tokens plugged in or created after
// Open. Re-initialising is slow on some modules: poll every few seconds.
func WithRescan() WatchOption {
	return func(c *watchConfig) { c.rescan = true }
}

// Watch polls the module every interval (C_GetSlotList with tokens present,
// then C_GetTokenInfo per slot; C_WaitForSlotEvent is unreliable across
// vendors) and reports differences. The first poll reports every token
// already present as TokenInserted, so a subscriber needs no separate
// Tokens call. Tokens are matched by serial number (by slot when the serial
// is empty). A failed poll is skipped, never reported as removals.
//
// The channel is closed when ctx is done or the module is closed. The
// receiver must keep reading until then; events are not dropped.
func (m *Module) Watch(ctx context.Context, every time.Duration, opts ...WatchOption) <-chan Event {
	var cfg watchConfig
	for _, o := range opts {
		o(&cfg)
	}
	if every <= 0 {
		every = time.Second
	}
	ch := make(chan Event, 16)
	go func() {
		defer close(ch)
		known := map[string]TokenInfo{}
		ticker := time.NewTicker(every)
		defer ticker.Stop()
		for {
			if cfg.rescan {
				_ = m.Rescan() // busy or not ours: poll what the module reports
			}
			tokens, err := m.Tokens()
			if errors.Is(err, errModuleClosed) {
				return
			}
			if err == nil {
				for _, ev := range diffTokens(known, tokens) {
					select {
					case ch <- ev:
					case <-ctx.Done():
						return
					}
				}
			}
			select {
			case <-ctx.Done():
				return
			case <-ticker.C:
			}
		}
	}()
	return ch
}

func tokenKey(t TokenInfo) string {
	if t.Serial != "" {
		return "serial:" + t.Manufacturer + "/" + t.Model + "/" + t.Serial
	}
	return fmt.Sprintf("slot:%d", t.SlotID)
}

// diffTokens updates known to tokens and returns the events: removals first,
// then insertions and changes in slot order.
func diffTokens(known map[string]TokenInfo, tokens []TokenInfo) []Event {
	var events []Event
	now := make(map[string]TokenInfo, len(tokens))
	for _, t := range tokens {
		now[tokenKey(t)] = t
	}
	for k, old := range known {
		if _, ok := now[k]; !ok {
			events = append(events, Event{Kind: TokenRemoved, Token: old})
			delete(known, k)
		}
	}
	sortEvents(events)
	n := len(events)
	for _, t := range tokens {
		k := tokenKey(t)
		old, ok := known[k]
		switch {
		case !ok:
			events = append(events, Event{Kind: TokenInserted, Token: t})
		case old != t:
			events = append(events, Event{Kind: TokenChanged, Token: t})
		}
		known[k] = t
	}
	sortEvents(events[n:])
	return events
}

func sortEvents(evs []Event) {
	slices.SortStableFunc(evs, func(a, b Event) int { return cmp.Compare(a.Token.SlotID, b.Token.SlotID) })
}
