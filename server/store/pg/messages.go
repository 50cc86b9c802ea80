package pg

import (
	"context"
	"fmt"
	"sort"

	"github.com/jackc/pgx/v5"

	"github.com/vanthuso/vanthu/server/store"
	"github.com/vanthuso/vanthu/sync/protocol"
)

// Idempotency implements store.Store.
func (s *Store) Idempotency(ctx context.Context, agency, key string) (store.Idempotency, error) {
	var r store.Idempotency
	err := getJSON(ctx, s.pool, &r, `SELECT data FROM idem WHERE agency = $1 AND key = $2 AND data IS NOT NULL`, agency, key)
	return r, err
}

// commitOnce runs write in one transaction with the events it returns
// and the idempotency record idem (write may set idem.Answer), unless
// idem's key is recorded already: then nothing is written and the
// recorded Idempotency comes back with false.
//
// The key's row is claimed first: a concurrent commit under the same
// key waits there for this one to end and then finds its record.
func (s *Store) commitOnce(ctx context.Context, idem store.Idempotency, write func(tx pgx.Tx, idem *store.Idempotency) ([]store.Event, error)) (store.Idempotency, bool, error) {
	var prior store.Idempotency
	var found bool
	err := s.tx(ctx, func(tx pgx.Tx) error {
		found = false
		rec := idem
		tag, err := tx.Exec(ctx, `INSERT INTO idem (agency, key) VALUES ($1, $2) ON CONFLICT DO NOTHING`, idem.Agency, idem.Key)
		if err != nil {
			return writeErr("commit", err)
		}
		if tag.RowsAffected() == 0 {
			if err := getJSON(ctx, tx, &prior, `SELECT data FROM idem WHERE agency = $1 AND key = $2`, idem.Agency, idem.Key); err != nil {
				return fmt.Errorf("commit: idempotency record %s: %w", idem.Key, err)
			}
			found = true
			return nil
		}
		events, err := write(tx, &rec)
		if err != nil {
			return err
		}
		if err := appendEvents(ctx, tx, events); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE idem SET data = $3 WHERE agency = $1 AND key = $2`, idem.Agency, idem.Key, mustJSON(rec)); err != nil {
			return err
		}
		if s.beforeCommit != nil {
			s.beforeCommit(ctx)
		}
		return nil
	})
	if err != nil {
		return store.Idempotency{}, false, err
	}
	if found {
		return prior, false, nil
	}
	return store.Idempotency{}, true, nil
}

// bump adds n to a counter row (creating it at n) and returns the
// value before: the caller's numbers are before+1 … before+n. The row
// stays locked until the transaction ends, so numbers are taken in
// commit order.
func bump(ctx context.Context, tx pgx.Tx, table string, keyCols []string, key []any, n int) (int64, error) {
	cols, params := "", ""
	for i, c := range keyCols {
		cols += c + ", "
		params += fmt.Sprintf("$%d, ", i+1)
	}
	sql := fmt.Sprintf(`INSERT INTO %s (%shead) VALUES (%s$%d) ON CONFLICT (%s) DO UPDATE SET head = %s.head + EXCLUDED.head RETURNING head`,
		table, cols, params, len(keyCols)+1, cols[:len(cols)-2], table)
	var head int64
	if err := tx.QueryRow(ctx, sql, append(key, n)...).Scan(&head); err != nil {
		return 0, writeErr("take the next number of "+table, err)
	}
	return head - int64(n), nil
}

// appendEvents gives each event its feed's next sequence, writes it and
// notifies the feed's listeners (at commit). Feed counters are taken in
// name order, so that transactions writing several feeds cannot
// deadlock.
func appendEvents(ctx context.Context, tx pgx.Tx, events []store.Event) error {
	if len(events) == 0 {
		return nil
	}
	count := map[string]int{}
	for _, e := range events {
		count[e.Feed]++
	}
	feeds := make([]string, 0, len(count))
	for f := range count {
		feeds = append(feeds, f)
	}
	sort.Strings(feeds)
	next := map[string]int64{}
	for _, f := range feeds {
		before, err := bump(ctx, tx, "feed_heads", []string{"feed"}, []any{f}, count[f])
		if err != nil {
			return err
		}
		next[f] = before
	}
	var b pgx.Batch
	for _, e := range events {
		next[e.Feed]++
		e.Seq = uint64(next[e.Feed])
		b.Queue(`INSERT INTO events (feed, seq, data) VALUES ($1, $2, $3)`, e.Feed, int64(e.Seq), mustJSON(e))
	}
	for _, f := range feeds {
		if len(f) > 4000 {
			f = "" // too long for a payload: wake every waiter
		}
		b.Queue(`SELECT pg_notify($1, $2)`, notifyChannel, f)
	}
	return tx.SendBatch(ctx, &b).Close()
}

// CommitSend implements store.Store.
func (s *Store) CommitSend(ctx context.Context, c store.SendCommit) (store.Idempotency, bool, error) {
	m := c.Message
	if m.ID == "" || m.From == "" || c.Idem.Key == "" || c.Idem.Agency == "" {
		return store.Idempotency{}, false, fmt.Errorf("commit send: empty message id, sender or idempotency key")
	}
	return s.commitOnce(ctx, c.Idem, func(tx pgx.Tx, _ *store.Idempotency) ([]store.Event, error) {
		if err := insertNew(ctx, tx, "commit send: message "+m.ID, `INSERT INTO messages (id, data) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
			m.ID, mustJSON(m)); err != nil {
			return nil, err
		}
		parties := append([]string{m.From}, m.Recipients...)
		var shas, agencies []string
		for _, a := range m.Document.Attachments {
			for _, p := range parties {
				shas, agencies = append(shas, a.SHA256), append(agencies, p)
			}
		}
		if len(shas) > 0 {
			// In key order, so that two sends naming one file cannot deadlock.
			if _, err := tx.Exec(ctx, `INSERT INTO blob_seen (sha, agency)
				SELECT DISTINCT sha, agency FROM unnest($1::text[], $2::text[]) AS v (sha, agency) ORDER BY sha, agency
				ON CONFLICT DO NOTHING`, shas, agencies); err != nil {
				return nil, writeErr("commit send", err)
			}
		}
		type entry struct {
			agency string
			box    store.Box
		}
		entries := []entry{{m.From, store.Outbox}}
		for _, r := range m.Recipients {
			entries = append(entries, entry{r, store.Inbox})
		}
		sort.Slice(entries, func(i, j int) bool {
			if entries[i].agency != entries[j].agency {
				return entries[i].agency < entries[j].agency
			}
			return entries[i].box < entries[j].box
		})
		for _, e := range entries {
			pos, err := bump(ctx, tx, "box_heads", []string{"agency", "box"}, []any{e.agency, string(e.box)}, 1)
			if err != nil {
				return nil, err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO boxes (agency, box, pos, message_id) VALUES ($1, $2, $3, $4)`,
				e.agency, string(e.box), pos+1, m.ID); err != nil {
				return nil, writeErr("commit send", err)
			}
		}
		return c.Events, nil
	})
}

// lockMessage reads a message and locks its row until the transaction
// ends.
func lockMessage(ctx context.Context, tx pgx.Tx, id string) (store.Message, error) {
	var m store.Message
	err := getJSON(ctx, tx, &m, `SELECT data FROM messages WHERE id = $1 FOR UPDATE`, id)
	return m, err
}

// applyStatus appends ev to m's statuses, sets the delivery of its
// agency and writes m.
func applyStatus(ctx context.Context, tx pgx.Tx, m store.Message, ev protocol.StatusEvent) error {
	m.Statuses = append(m.Statuses, ev)
	for i := range m.Deliveries {
		if m.Deliveries[i].OrganID == ev.OrganID {
			m.Deliveries[i].Status, m.Deliveries[i].UpdatedAt = ev.Status, ev.At
		}
	}
	_, err := tx.Exec(ctx, `UPDATE messages SET data = $2 WHERE id = $1`, m.ID, mustJSON(m))
	return err
}

// CommitStatus implements store.Store.
func (s *Store) CommitStatus(ctx context.Context, c store.StatusCommit) (store.Idempotency, bool, error) {
	if c.Idem.Key == "" || c.Idem.Agency == "" {
		return store.Idempotency{}, false, fmt.Errorf("commit status: empty idempotency key")
	}
	return s.commitOnce(ctx, c.Idem, func(tx pgx.Tx, _ *store.Idempotency) ([]store.Event, error) {
		m, err := lockMessage(ctx, tx, c.MessageID)
		if err != nil {
			return nil, err
		}
		if c.Check != nil {
			if err := c.Check(m); err != nil {
				return nil, err
			}
		}
		return c.Events, applyStatus(ctx, tx, m, c.Event)
	})
}

// Message implements store.Store.
func (s *Store) Message(ctx context.Context, id string) (store.Message, error) {
	var m store.Message
	err := getJSON(ctx, s.pool, &m, `SELECT data FROM messages WHERE id = $1`, id)
	return m, err
}

// Messages implements store.Store.
func (s *Store) Messages(ctx context.Context, agency string, box store.Box, after uint64, limit int) ([]store.Message, uint64, error) {
	if limit <= 0 {
		return nil, after, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT b.pos, m.data FROM boxes b JOIN messages m ON m.id = b.message_id
		WHERE b.agency = $1 AND b.box = $2 AND b.pos > $3 ORDER BY b.pos LIMIT $4`, agency, string(box), seqArg(after), limit)
	if err != nil {
		return nil, after, readErrList(err)
	}
	defer rows.Close()
	var out []store.Message
	last := after
	for rows.Next() {
		var pos int64
		var data []byte
		if err := rows.Scan(&pos, &data); err != nil {
			return nil, after, err
		}
		var m store.Message
		if err := jsonUnmarshal(data, &m); err != nil {
			return nil, after, err
		}
		out, last = append(out, m), uint64(pos)
	}
	if err := rows.Err(); err != nil {
		return nil, after, readErrList(err)
	}
	return out, last, nil
}

// readErrList is readErr for listings: a key no row can have lists
// nothing.
func readErrList(err error) error {
	if readErr(err) == store.ErrNotFound {
		return nil
	}
	return err
}

// ---- feeds ----

// Changes implements store.Store.
func (s *Store) Changes(ctx context.Context, feed string, after uint64, limit int) ([]store.Event, error) {
	if limit <= 0 {
		return nil, nil
	}
	return listJSON[store.Event](ctx, s.pool, `SELECT data FROM events WHERE feed = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
		feed, seqArg(after), limit)
}

// FeedHead implements store.Store.
func (s *Store) FeedHead(ctx context.Context, feed string) (uint64, error) {
	h, err := s.heads(ctx, []string{feed})
	if err != nil {
		return 0, err
	}
	return h[0], nil
}

// heads returns the last sequence of each feed.
func (s *Store) heads(ctx context.Context, feeds []string) ([]uint64, error) {
	rows, err := s.pool.Query(ctx, `SELECT feed, head FROM feed_heads WHERE feed = ANY($1::text[])`, feeds)
	if err != nil {
		return make([]uint64, len(feeds)), readErrList(err)
	}
	byFeed := map[string]uint64{}
	var f string
	var h int64
	if _, err := pgx.ForEachRow(rows, []any{&f, &h}, func() error { byFeed[f] = uint64(h); return nil }); err != nil {
		return nil, err
	}
	out := make([]uint64, len(feeds))
	for i, f := range feeds {
		out[i] = byFeed[f]
	}
	return out, nil
}

// WaitChange implements store.Store.
func (s *Store) WaitChange(ctx context.Context, feeds []string, after []uint64) error {
	if len(feeds) != len(after) {
		return fmt.Errorf("wait change: %d feeds, %d positions", len(feeds), len(after))
	}
	w := s.waits.add(feeds)
	defer s.waits.drop(w, feeds)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		// Registered before reading: a commit after the read wakes w.
		heads, err := s.heads(ctx, feeds)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
		for i, h := range heads {
			if h > after[i] {
				return nil
			}
		}
		if s.waitBlocked != nil {
			s.waitBlocked()
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-w:
		}
	}
}
