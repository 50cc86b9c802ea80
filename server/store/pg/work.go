package pg

import (
	"context"
	"fmt"
	"hash/fnv"

	"github.com/jackc/pgx/v5"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/server/store"
	"github.com/vanthuso/vanthu/sync/protocol"
)

// caseLock is the advisory lock key of an agency's case: commits on one
// case, even one that does not exist yet, run one after the other.
func caseLock(agency, id string) int64 {
	h := fnv.New64a()
	h.Write([]byte(agency))
	h.Write([]byte{0})
	h.Write([]byte(id))
	return int64(h.Sum64())
}

// lockRegister locks one register's year (its row in register_locks,
// made on first use) until the transaction ends.
func lockRegister(ctx context.Context, tx pgx.Tx, agency string, kind edoc.RegisterKind, year int) error {
	if _, err := tx.Exec(ctx, `INSERT INTO register_locks (agency, kind, year) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
		agency, string(kind), year); err != nil {
		return writeErr("lock register", err)
	}
	_, err := tx.Exec(ctx, `SELECT 1 FROM register_locks WHERE agency = $1 AND kind = $2 AND year = $3 FOR UPDATE`, agency, string(kind), year)
	return err
}

// CommitWork implements store.Store. The register's lock is held from
// the number's read to the commit, so numbers of one register and year
// are taken one after the other by every replica.
func (s *Store) CommitWork(ctx context.Context, c store.WorkCommit) (store.Idempotency, bool, error) {
	if c.Agency == "" || c.CaseID == "" || c.Idem.Key == "" || c.Idem.Agency == "" || c.Apply == nil {
		return store.Idempotency{}, false, fmt.Errorf("commit work: empty agency, case id, idempotency key or Apply")
	}
	return s.commitOnce(ctx, c.Idem, func(tx pgx.Tx, idem *store.Idempotency) ([]store.Event, error) {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, caseLock(c.Agency, c.CaseID)); err != nil {
			return nil, err
		}
		var st store.WorkState
		var cur protocol.Case
		switch err := getJSON(ctx, tx, &cur, `SELECT data FROM cases WHERE agency = $1 AND id = $2`, c.Agency, c.CaseID); err {
		case nil:
			st.Case = &cur
		case store.ErrNotFound:
		default:
			return nil, err
		}
		var msg store.Message
		if c.MessageID != "" {
			var err error
			if msg, err = lockMessage(ctx, tx, c.MessageID); err != nil {
				return nil, err
			}
			st.Message = &msg
		}
		if c.Number != nil {
			if err := lockRegister(ctx, tx, c.Agency, c.Number.Kind, c.Number.Year); err != nil {
				return nil, err
			}
			if err := tx.QueryRow(ctx, `SELECT coalesce(max(number), 0) + 1 FROM registers WHERE agency = $1 AND kind = $2 AND year = $3`,
				c.Agency, string(c.Number.Kind), c.Number.Year).Scan(&st.Number); err != nil {
				return nil, err
			}
			if c.Duplicates != "" {
				var err error
				if st.Duplicates, err = byKey(ctx, tx, c.Agency, c.Number.Kind, c.Duplicates); err != nil {
					return nil, err
				}
			}
		}
		res, err := c.Apply(st)
		if err != nil {
			return nil, err
		}
		if res.Case.Agency != c.Agency || res.Case.ID != c.CaseID {
			return nil, fmt.Errorf("commit work: the case written is %s/%s, not %s/%s", res.Case.Agency, res.Case.ID, c.Agency, c.CaseID)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO cases (agency, id, data) VALUES ($1, $2, $3)
			ON CONFLICT (agency, id) DO UPDATE SET data = EXCLUDED.data`, c.Agency, c.CaseID, mustJSON(res.Case)); err != nil {
			return nil, writeErr("commit work", err)
		}
		if c.Number != nil && (res.Entry == nil || res.Entry.Number != st.Number || res.Entry.Kind != c.Number.Kind || res.Entry.Year != c.Number.Year) {
			return nil, fmt.Errorf("commit work: number %d taken but not written", st.Number)
		}
		if e := res.Entry; e != nil {
			if e.Agency != c.Agency || e.Number <= 0 || !e.Kind.Valid() {
				return nil, fmt.Errorf("commit work: bad register record %s/%s/%d", e.Agency, e.Kind, e.Number)
			}
			if c.Number == nil {
				if err := lockRegister(ctx, tx, e.Agency, e.Kind, e.Year); err != nil {
					return nil, err
				}
			}
			if err := insertNew(ctx, tx, fmt.Sprintf("commit work: register %s/%s/%d number %d", e.Agency, e.Kind, e.Year, e.Number),
				`INSERT INTO registers (agency, kind, year, number, dup_key, data) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
				e.Agency, string(e.Kind), e.Year, e.Number, []byte(e.Entry.Key()), mustJSON(e)); err != nil {
				return nil, err
			}
		}
		if ev := res.Status; ev != nil {
			if st.Message == nil {
				return nil, fmt.Errorf("commit work: a status without a message")
			}
			if err := applyStatus(ctx, tx, msg, *ev); err != nil {
				return nil, err
			}
		}
		if err := appendAudit(ctx, tx, c.Agency, res.Audit); err != nil {
			return nil, err
		}
		idem.Answer = res.Answer
		return res.Events, nil
	})
}

func appendAudit(ctx context.Context, tx pgx.Tx, agency string, lines []protocol.AuditEntry) error {
	if len(lines) == 0 {
		return nil
	}
	before, err := bump(ctx, tx, "audit_heads", []string{"agency"}, []any{agency}, len(lines))
	if err != nil {
		return err
	}
	var b pgx.Batch
	for i, l := range lines {
		l.Seq = uint64(before) + uint64(i) + 1
		b.Queue(`INSERT INTO audit (agency, seq, data) VALUES ($1, $2, $3)`, agency, int64(l.Seq), mustJSON(l))
	}
	return tx.SendBatch(ctx, &b).Close()
}

// Case implements store.Store.
func (s *Store) Case(ctx context.Context, agency, id string) (protocol.Case, error) {
	var c protocol.Case
	err := getJSON(ctx, s.pool, &c, `SELECT data FROM cases WHERE agency = $1 AND id = $2`, agency, id)
	return c, err
}

// Cases implements store.Store.
func (s *Store) Cases(ctx context.Context, agency, after string, limit int) ([]protocol.Case, error) {
	if limit <= 0 {
		return nil, nil
	}
	return listJSON[protocol.Case](ctx, s.pool, `SELECT data FROM cases WHERE agency = $1 AND id > $2 ORDER BY id LIMIT $3`, agency, after, limit)
}

// RegisterEntries implements store.Store.
func (s *Store) RegisterEntries(ctx context.Context, agency string, kind edoc.RegisterKind, year, after, limit int) ([]store.RegisterRecord, error) {
	if limit <= 0 {
		return nil, nil
	}
	return listJSON[store.RegisterRecord](ctx, s.pool, `SELECT data FROM registers WHERE agency = $1 AND kind = $2 AND year = $3 AND number > $4
		ORDER BY number LIMIT $5`, agency, string(kind), year, max(after, 0), limit)
}

// RegisterByKey implements store.Store.
func (s *Store) RegisterByKey(ctx context.Context, agency string, kind edoc.RegisterKind, key edoc.DuplicateKey) ([]store.RegisterRecord, error) {
	return byKey(ctx, s.pool, agency, kind, key)
}

func byKey(ctx context.Context, q querier, agency string, kind edoc.RegisterKind, key edoc.DuplicateKey) ([]store.RegisterRecord, error) {
	return listJSON[store.RegisterRecord](ctx, q, `SELECT data FROM registers WHERE agency = $1 AND kind = $2 AND dup_key = $3
		ORDER BY year, number`, agency, string(kind), []byte(key))
}

// AppendAudit implements store.Store.
func (s *Store) AppendAudit(ctx context.Context, agency string, lines ...protocol.AuditEntry) error {
	return s.tx(ctx, func(tx pgx.Tx) error { return appendAudit(ctx, tx, agency, lines) })
}

// Audit implements store.Store.
func (s *Store) Audit(ctx context.Context, agency string, after uint64, limit int) ([]protocol.AuditEntry, error) {
	if limit <= 0 {
		return nil, nil
	}
	return listJSON[protocol.AuditEntry](ctx, s.pool, `SELECT data FROM audit WHERE agency = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
		agency, seqArg(after), limit)
}
