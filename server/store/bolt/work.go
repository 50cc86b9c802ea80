package bolt

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"

	bbolt "go.etcd.io/bbolt"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/server/store"
	"github.com/vanthuso/vanthu/sync/protocol"
)

// Buckets of schema 2: the agencies' own records.
//
//	cases      agency \0 case id                       → protocol.Case
//	registers  agency \0 kind \0 year(8) number(8)      → store.RegisterRecord
//	           (keys of one register and year sort by number; the
//	           highest is the register's last number)
//	reg_keys   agency \0 kind \0 duplicate key \0 year(8) number(8) → nil
//	audit      agency (nested bucket, NextSequence)    → protocol.AuditEntry
var (
	bucketCases     = []byte("cases")
	bucketRegisters = []byte("registers")
	bucketRegKeys   = []byte("reg_keys")
	bucketAudit     = []byte("audit")
)

func migrateWork(tx *bbolt.Tx) error {
	for _, name := range [][]byte{bucketCases, bucketRegisters, bucketRegKeys, bucketAudit} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	return nil
}

func registerPrefix(agency string, kind edoc.RegisterKind, year int) []byte {
	p := key(agency, string(kind), "")
	return binary.BigEndian.AppendUint64(p, uint64(year))
}

// lastNumber is the highest number of a register's year, 0 for none.
func lastNumber(tx *bbolt.Tx, agency string, kind edoc.RegisterKind, year int) int {
	prefix := registerPrefix(agency, kind, year)
	c := tx.Bucket(bucketRegisters).Cursor()
	// Seek past the year's last possible key, then step back.
	k, _ := c.Seek(binary.BigEndian.AppendUint64(append([]byte(nil), prefix...), ^uint64(0)))
	if k == nil {
		k, _ = c.Last()
	} else {
		k, _ = c.Prev()
	}
	if k == nil || len(k) != len(prefix)+8 || string(k[:len(prefix)]) != string(prefix) {
		return 0
	}
	return int(binary.BigEndian.Uint64(k[len(prefix):]))
}

// CommitWork implements store.Store.
func (s *Store) CommitWork(ctx context.Context, c store.WorkCommit) (store.Idempotency, bool, error) {
	if c.Agency == "" || c.CaseID == "" || c.Idem.Key == "" || c.Idem.Agency == "" || c.Apply == nil {
		return store.Idempotency{}, false, fmt.Errorf("commit work: empty agency, case id, idempotency key or Apply")
	}
	var prior store.Idempotency
	var found bool
	var events []store.Event
	err := s.update(ctx, func(tx *bbolt.Tx) error {
		var err error
		if prior, found, err = priorIdem(tx, c.Idem); err != nil || found {
			return err
		}
		var st store.WorkState
		cases := tx.Bucket(bucketCases)
		var cur protocol.Case
		switch err := get(cases, key(c.Agency, c.CaseID), &cur); err {
		case nil:
			st.Case = &cur
		case store.ErrNotFound:
		default:
			return err
		}
		var msg store.Message
		if c.MessageID != "" {
			if err := get(tx.Bucket(bucketMessages), []byte(c.MessageID), &msg); err != nil {
				return err
			}
			st.Message = &msg
		}
		if c.Number != nil {
			st.Number = lastNumber(tx, c.Agency, c.Number.Kind, c.Number.Year) + 1
			if c.Duplicates != "" {
				if st.Duplicates, err = byKey(tx, c.Agency, c.Number.Kind, c.Duplicates); err != nil {
					return err
				}
			}
		}
		res, err := c.Apply(st)
		if err != nil {
			return err
		}
		if res.Case.Agency != c.Agency || res.Case.ID != c.CaseID {
			return fmt.Errorf("commit work: the case written is %s/%s, not %s/%s", res.Case.Agency, res.Case.ID, c.Agency, c.CaseID)
		}
		if err := put(cases, key(c.Agency, c.CaseID), res.Case); err != nil {
			return err
		}
		if c.Number != nil && (res.Entry == nil || res.Entry.Number != st.Number || res.Entry.Kind != c.Number.Kind || res.Entry.Year != c.Number.Year) {
			return fmt.Errorf("commit work: number %d taken but not written", st.Number)
		}
		if e := res.Entry; e != nil {
			if e.Agency != c.Agency || e.Number <= 0 || !e.Kind.Valid() {
				return fmt.Errorf("commit work: bad register record %s/%s/%d", e.Agency, e.Kind, e.Number)
			}
			k := binary.BigEndian.AppendUint64(registerPrefix(e.Agency, e.Kind, e.Year), uint64(e.Number))
			regs := tx.Bucket(bucketRegisters)
			if regs.Get(k) != nil {
				return fmt.Errorf("commit work: register %s/%s/%d number %d: %w", e.Agency, e.Kind, e.Year, e.Number, store.ErrConflict)
			}
			if err := put(regs, k, e); err != nil {
				return err
			}
			dk := key(e.Agency, string(e.Kind), string(e.Entry.Key()), "")
			dk = binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(dk, uint64(e.Year)), uint64(e.Number))
			if err := tx.Bucket(bucketRegKeys).Put(dk, nil); err != nil {
				return err
			}
		}
		if ev := res.Status; ev != nil {
			if st.Message == nil {
				return fmt.Errorf("commit work: a status without a message")
			}
			msg.Statuses = append(msg.Statuses, *ev)
			for i := range msg.Deliveries {
				if msg.Deliveries[i].OrganID == ev.OrganID {
					msg.Deliveries[i].Status, msg.Deliveries[i].UpdatedAt = ev.Status, ev.At
				}
			}
			if err := put(tx.Bucket(bucketMessages), []byte(msg.ID), msg); err != nil {
				return err
			}
		}
		if err := appendEvents(tx, res.Events); err != nil {
			return err
		}
		if err := appendAudit(tx, c.Agency, res.Audit); err != nil {
			return err
		}
		events = res.Events
		idem := c.Idem
		idem.Answer = res.Answer
		return put(tx.Bucket(bucketIdem), key(idem.Agency, idem.Key), idem)
	})
	if err != nil {
		return store.Idempotency{}, false, err
	}
	if found {
		return prior, false, nil
	}
	s.waits.wake(feedNames(events))
	return store.Idempotency{}, true, nil
}

func appendAudit(tx *bbolt.Tx, agency string, lines []protocol.AuditEntry) error {
	if len(lines) == 0 {
		return nil
	}
	b, err := tx.Bucket(bucketAudit).CreateBucketIfNotExists([]byte(agency))
	if err != nil {
		return err
	}
	for _, l := range lines {
		if l.Seq, err = b.NextSequence(); err != nil {
			return err
		}
		if err := put(b, u64(l.Seq), l); err != nil {
			return err
		}
	}
	return nil
}

// Case implements store.Store.
func (s *Store) Case(ctx context.Context, agency, id string) (protocol.Case, error) {
	var c protocol.Case
	err := s.view(ctx, func(tx *bbolt.Tx) error { return get(tx.Bucket(bucketCases), key(agency, id), &c) })
	return c, err
}

// Cases implements store.Store.
func (s *Store) Cases(ctx context.Context, agency, after string, limit int) ([]protocol.Case, error) {
	var out []protocol.Case
	err := s.view(ctx, func(tx *bbolt.Tx) error {
		prefix := key(agency, "")
		c := tx.Bucket(bucketCases).Cursor()
		k, v := c.Seek(key(agency, after))
		if after != "" && k != nil && string(k) == string(key(agency, after)) {
			k, v = c.Next()
		}
		for ; k != nil && len(out) < limit && hasPrefix(k, prefix); k, v = c.Next() {
			var cs protocol.Case
			if err := json.Unmarshal(v, &cs); err != nil {
				return fmt.Errorf("damaged case %q: %w", k, err)
			}
			out = append(out, cs)
		}
		return nil
	})
	return out, err
}

func hasPrefix(k, prefix []byte) bool {
	return len(k) >= len(prefix) && string(k[:len(prefix)]) == string(prefix)
}

// RegisterEntries implements store.Store.
func (s *Store) RegisterEntries(ctx context.Context, agency string, kind edoc.RegisterKind, year, after, limit int) ([]store.RegisterRecord, error) {
	var out []store.RegisterRecord
	err := s.view(ctx, func(tx *bbolt.Tx) error {
		prefix := registerPrefix(agency, kind, year)
		c := tx.Bucket(bucketRegisters).Cursor()
		start := binary.BigEndian.AppendUint64(append([]byte(nil), prefix...), uint64(max(after, 0))+1)
		for k, v := c.Seek(start); k != nil && len(out) < limit && hasPrefix(k, prefix); k, v = c.Next() {
			var r store.RegisterRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("damaged register line %q: %w", k, err)
			}
			out = append(out, r)
		}
		return nil
	})
	return out, err
}

// RegisterByKey implements store.Store.
func (s *Store) RegisterByKey(ctx context.Context, agency string, kind edoc.RegisterKind, dk edoc.DuplicateKey) ([]store.RegisterRecord, error) {
	var out []store.RegisterRecord
	err := s.view(ctx, func(tx *bbolt.Tx) error {
		var err error
		out, err = byKey(tx, agency, kind, dk)
		return err
	})
	return out, err
}

func byKey(tx *bbolt.Tx, agency string, kind edoc.RegisterKind, dk edoc.DuplicateKey) ([]store.RegisterRecord, error) {
	var out []store.RegisterRecord
	prefix := key(agency, string(kind), string(dk), "")
	regs := tx.Bucket(bucketRegisters)
	c := tx.Bucket(bucketRegKeys).Cursor()
	for k, _ := c.Seek(prefix); k != nil && hasPrefix(k, prefix); k, _ = c.Next() {
		rest := k[len(prefix):]
		if len(rest) != 16 {
			continue // a longer key whose duplicate key has ours as a prefix
		}
		year := int(binary.BigEndian.Uint64(rest[:8]))
		var r store.RegisterRecord
		if err := get(regs, binary.BigEndian.AppendUint64(registerPrefix(agency, kind, year), binary.BigEndian.Uint64(rest[8:])), &r); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// AppendAudit implements store.Store.
func (s *Store) AppendAudit(ctx context.Context, agency string, lines ...protocol.AuditEntry) error {
	return s.update(ctx, func(tx *bbolt.Tx) error { return appendAudit(tx, agency, lines) })
}

// Audit implements store.Store.
func (s *Store) Audit(ctx context.Context, agency string, after uint64, limit int) ([]protocol.AuditEntry, error) {
	var out []protocol.AuditEntry
	err := s.view(ctx, func(tx *bbolt.Tx) error {
		var err error
		out, err = afterSeq[protocol.AuditEntry](tx.Bucket(bucketAudit).Bucket([]byte(agency)), after, limit, "audit line "+agency)
		return err
	})
	return out, err
}
