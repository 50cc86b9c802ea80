package store

import (
	"context"
	"time"
)

// AxisSystem is an agency's own document system speaking the exchange
// axis API (the published SDK's calls, server/axis.go): its systemid and
// the secret its requests are HMAC'd with. The secret is kept as given:
// verifying an HMAC needs it.
type AxisSystem struct {
	ID       string    `json:"id"`
	Agency   string    `json:"agency"`
	Name     string    `json:"name"`
	Secret   string    `json:"secret"`
	Created  time.Time `json:"created"`
	Disabled bool      `json:"disabled,omitempty"`
}

// AxisAck is a system's acknowledgement of a message it received
// (updateStatus: done, fail, processing).
type AxisAck struct {
	Status string    `json:"status"`
	At     time.Time `json:"at"`
}

// AxisStore is implemented by stores that keep the axis API's systems,
// acknowledgements and replay guard; a server over a store without it
// answers the axis API with "not available".
type AxisStore interface {
	// AddAxisSystem adds a system; ErrConflict for a taken id.
	AddAxisSystem(ctx context.Context, s AxisSystem) error
	// AxisSystem returns a system; ErrNotFound.
	AxisSystem(ctx context.Context, id string) (AxisSystem, error)
	// UseAxisNonce records a request's signature as seen until expires
	// and reports false when it was seen already (a replay). Expired
	// ones may be forgotten.
	UseAxisNonce(ctx context.Context, system, nonce string, expires time.Time) (bool, error)
	// SetAxisAck records a system's acknowledgement of a message.
	SetAxisAck(ctx context.Context, system, messageID string, a AxisAck) error
	// AxisAck returns it; ErrNotFound when none.
	AxisAck(ctx context.Context, system, messageID string) (AxisAck, error)
}
