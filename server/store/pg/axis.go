package pg

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/vanthuso/vanthu/server/store"
)

// The exchange axis API's records (version 3; server/axis.go):
//
//	axis_systems  id → agency, data
//	axis_nonces   (system, nonce) → expires (Unix s)
//	axis_acks     (system, message_id) → data

var _ store.AxisStore = (*Store)(nil)

const schemaAxis = `
CREATE TABLE axis_systems (id text COLLATE "C" PRIMARY KEY, agency text COLLATE "C" NOT NULL REFERENCES agencies (code),
	data bytea NOT NULL);
CREATE TABLE axis_nonces (system text COLLATE "C" NOT NULL, nonce text COLLATE "C" NOT NULL, expires bigint NOT NULL,
	PRIMARY KEY (system, nonce));
CREATE INDEX axis_nonces_expires ON axis_nonces (expires);
CREATE TABLE axis_acks (system text COLLATE "C" NOT NULL, message_id text COLLATE "C" NOT NULL, data bytea NOT NULL,
	PRIMARY KEY (system, message_id));
`

// AddAxisSystem implements store.AxisStore.
func (s *Store) AddAxisSystem(ctx context.Context, a store.AxisSystem) error {
	if _, err := s.Agency(ctx, a.Agency); err != nil {
		return fmt.Errorf("axis system %s: agency %s: %w", a.ID, a.Agency, err)
	}
	return insertNew(ctx, s.pool, "axis system "+a.ID, `INSERT INTO axis_systems (id, agency, data) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
		a.ID, a.Agency, mustJSON(a))
}

// AxisSystem implements store.AxisStore.
func (s *Store) AxisSystem(ctx context.Context, id string) (store.AxisSystem, error) {
	var a store.AxisSystem
	err := getJSON(ctx, s.pool, &a, `SELECT data FROM axis_systems WHERE id = $1`, id)
	return a, err
}

// UseAxisNonce implements store.AxisStore: the row is claimed with
// INSERT … ON CONFLICT, so two replicas given one signature at the same
// moment accept it once; an expired row is taken over. Expired rows are
// swept a few at a time.
func (s *Store) UseAxisNonce(ctx context.Context, system, nonce string, expires time.Time) (bool, error) {
	now := time.Now().Unix()
	tag, err := s.pool.Exec(ctx, `INSERT INTO axis_nonces (system, nonce, expires) VALUES ($1, $2, $3)
		ON CONFLICT (system, nonce) DO UPDATE SET expires = EXCLUDED.expires WHERE axis_nonces.expires <= $4`,
		system, nonce, expires.Unix(), now)
	if err != nil {
		return false, writeErr("axis nonce", err)
	}
	if _, err := s.pool.Exec(ctx, `DELETE FROM axis_nonces WHERE ctid IN (SELECT ctid FROM axis_nonces WHERE expires <= $1 LIMIT 256)`, now); err != nil {
		return false, writeErr("axis nonce sweep", err)
	}
	return tag.RowsAffected() == 1, nil
}

// SetAxisAck implements store.AxisStore.
func (s *Store) SetAxisAck(ctx context.Context, system, messageID string, a store.AxisAck) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO axis_acks (system, message_id, data) VALUES ($1, $2, $3)
		ON CONFLICT (system, message_id) DO UPDATE SET data = EXCLUDED.data`, system, messageID, mustJSON(a))
	return writeErr("axis ack", err)
}

// AxisAck implements store.AxisStore.
func (s *Store) AxisAck(ctx context.Context, system, messageID string) (store.AxisAck, error) {
	var a store.AxisAck
	err := getJSON(ctx, s.pool, &a, `SELECT data FROM axis_acks WHERE system = $1 AND message_id = $2`, system, messageID)
	if err != nil && !errors.Is(err, store.ErrNotFound) && !errors.Is(err, pgx.ErrNoRows) {
		return a, fmt.Errorf("axis ack: %w", err)
	}
	return a, err
}
