package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/vanthuso/vanthu/server/store"
)

// The exchange axis API's records (schema 3):
//
//	axis_systems   systemid → JSON store.AxisSystem
//	axis_nonces    systemid \x00 nonce → u64 expiry (unix seconds)
//	axis_acks      systemid \x00 message id → JSON store.AxisAck
var (
	bucketAxisSystems = []byte("axis_systems")
	bucketAxisNonces  = []byte("axis_nonces")
	bucketAxisAcks    = []byte("axis_acks")
)

var _ store.AxisStore = (*Store)(nil)

func migrateAxis(tx *bbolt.Tx) error {
	for _, name := range [][]byte{bucketAxisSystems, bucketAxisNonces, bucketAxisAcks} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	return nil
}

// AddAxisSystem implements store.AxisStore.
func (s *Store) AddAxisSystem(ctx context.Context, a store.AxisSystem) error {
	return s.update(ctx, func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketAxisSystems)
		if b.Get([]byte(a.ID)) != nil {
			return fmt.Errorf("axis system %s: %w", a.ID, store.ErrConflict)
		}
		if tx.Bucket(bucketAgencies).Get([]byte(a.Agency)) == nil {
			return fmt.Errorf("axis system %s: agency %s: %w", a.ID, a.Agency, store.ErrNotFound)
		}
		return put(b, []byte(a.ID), a)
	})
}

// AxisSystem implements store.AxisStore.
func (s *Store) AxisSystem(ctx context.Context, id string) (store.AxisSystem, error) {
	var a store.AxisSystem
	err := s.view(ctx, func(tx *bbolt.Tx) error { return get(tx.Bucket(bucketAxisSystems), []byte(id), &a) })
	return a, err
}

// UseAxisNonce implements store.AxisStore: a nonce seen and not expired
// is a replay; expired ones are dropped as they are met (the nonces of
// the system are in key order, not expiry order, so a sweep reads at
// most maxNonceSweep of them per call).
func (s *Store) UseAxisNonce(ctx context.Context, system, nonce string, expires time.Time) (bool, error) {
	fresh := false
	err := s.update(ctx, func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketAxisNonces)
		k := key(system, nonce)
		now := time.Now().Unix()
		if v := b.Get(k); len(v) == 8 && int64(binary.BigEndian.Uint64(v)) > now {
			return nil
		}
		fresh = true
		c := b.Cursor()
		prefix := key(system, "")
		var stale [][]byte
		n := 0
		for ck, cv := c.Seek(prefix); ck != nil && n < maxNonceSweep && bytes.HasPrefix(ck, prefix); ck, cv = c.Next() {
			n++
			if len(cv) != 8 || int64(binary.BigEndian.Uint64(cv)) <= now {
				stale = append(stale, bytes.Clone(ck))
			}
		}
		for _, sk := range stale {
			if err := b.Delete(sk); err != nil {
				return err
			}
		}
		return b.Put(k, u64(uint64(expires.Unix())))
	})
	return fresh, err
}

const maxNonceSweep = 256

// SetAxisAck implements store.AxisStore.
func (s *Store) SetAxisAck(ctx context.Context, system, messageID string, a store.AxisAck) error {
	return s.update(ctx, func(tx *bbolt.Tx) error { return put(tx.Bucket(bucketAxisAcks), key(system, messageID), a) })
}

// AxisAck implements store.AxisStore.
func (s *Store) AxisAck(ctx context.Context, system, messageID string) (store.AxisAck, error) {
	var a store.AxisAck
	err := s.view(ctx, func(tx *bbolt.Tx) error { return get(tx.Bucket(bucketAxisAcks), key(system, messageID), &a) })
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return a, fmt.Errorf("axis ack: %w", err)
	}
	return a, err
}
