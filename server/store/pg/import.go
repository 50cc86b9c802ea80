package pg

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"github.com/jackc/pgx/v5"

	"github.com/vanthuso/vanthu/server/store"
)

var _ store.Importer = (*Store)(nil)

// Import implements store.Importer: each record in its table, left as it
// is when there already; the heads of the boxes and audits follow the
// highest position imported. A blob's content is read through, checked
// against its SHA-256 and stored in ChunkSize rows in one transaction.
func (s *Store) Import(ctx context.Context, r store.Record) error {
	q := func(what, sql string, args ...any) error {
		_, err := s.pool.Exec(ctx, sql, args...)
		return writeErr("import "+what, err)
	}
	switch {
	case r.Agency != nil:
		return q("agency", `INSERT INTO agencies (code, data) VALUES ($1, $2) ON CONFLICT DO NOTHING`, r.Agency.Code, mustJSON(*r.Agency))
	case r.User != nil:
		u := r.User
		return q("user", `INSERT INTO users (id, agency, cert_sha, data) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, u.ID, u.Agency, u.CertSHA, mustJSON(*u))
	case r.Blob != nil:
		return s.importBlob(ctx, r.Blob)
	case r.Message != nil:
		return q("message", `INSERT INTO messages (id, data) VALUES ($1, $2) ON CONFLICT DO NOTHING`, r.Message.ID, mustJSON(*r.Message))
	case r.Box != nil:
		b := r.Box
		return s.tx(ctx, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `INSERT INTO boxes (agency, box, pos, message_id) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
				b.Agency, string(b.Box), int64(b.Pos), b.MessageID); err != nil {
				return writeErr("import box", err)
			}
			_, err := tx.Exec(ctx, `INSERT INTO box_heads (agency, box, head) VALUES ($1, $2, $3)
				ON CONFLICT (agency, box) DO UPDATE SET head = greatest(box_heads.head, EXCLUDED.head)`, b.Agency, string(b.Box), int64(b.Pos))
			return writeErr("import box head", err)
		})
	case r.Idem != nil:
		return q("idempotency record", `INSERT INTO idem (agency, key, data) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, r.Idem.Agency, r.Idem.Key, mustJSON(*r.Idem))
	case r.Case != nil:
		return q("case", `INSERT INTO cases (agency, id, data) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, r.Case.Agency, r.Case.Case.ID, mustJSON(r.Case.Case))
	case r.Register != nil:
		e := r.Register
		return q("register line", `INSERT INTO registers (agency, kind, year, number, dup_key, data) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
			e.Agency, string(e.Kind), e.Year, e.Number, []byte(e.Entry.Key()), mustJSON(*e))
	case r.Audit != nil:
		a := r.Audit
		return s.tx(ctx, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `INSERT INTO audit (agency, seq, data) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
				a.Agency, int64(a.Entry.Seq), mustJSON(a.Entry)); err != nil {
				return writeErr("import audit line", err)
			}
			_, err := tx.Exec(ctx, `INSERT INTO audit_heads (agency, head) VALUES ($1, $2)
				ON CONFLICT (agency) DO UPDATE SET head = greatest(audit_heads.head, EXCLUDED.head)`, a.Agency, int64(a.Entry.Seq))
			return writeErr("import audit head", err)
		})
	case r.AxisSystem != nil:
		return q("axis system", `INSERT INTO axis_systems (id, agency, data) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, r.AxisSystem.ID, r.AxisSystem.Agency, mustJSON(*r.AxisSystem))
	case r.AxisAck != nil:
		return q("axis acknowledgement", `INSERT INTO axis_acks (system, message_id, data) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, r.AxisAck.System, r.AxisAck.MessageID, mustJSON(r.AxisAck.Ack))
	}
	return errors.New("import: an empty record")
}

func (s *Store) importBlob(ctx context.Context, b *store.BlobRecord) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO blobs (sha, size, chunk_size, data) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
			b.SHA256, b.Size, ChunkSize, mustJSON(b.Blob))
		if err != nil {
			return writeErr("import blob", err)
		}
		if tag.RowsAffected() == 1 {
			rc, err := b.Open()
			if err != nil {
				return fmt.Errorf("import blob %s: %w", b.SHA256, err)
			}
			defer rc.Close()
			h := sha256.New()
			buf := make([]byte, ChunkSize)
			var total int64
			for n := int64(0); ; n++ {
				k, rerr := io.ReadFull(rc, buf)
				if k > 0 {
					h.Write(buf[:k])
					total += int64(k)
					if _, err := tx.Exec(ctx, `INSERT INTO blob_chunks (sha, n, data) VALUES ($1, $2, $3)`, b.SHA256, n, buf[:k]); err != nil {
						return writeErr("import blob chunk", err)
					}
				}
				if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
					break
				}
				if rerr != nil {
					return fmt.Errorf("import blob %s: %w", b.SHA256, rerr)
				}
			}
			if sum := hex.EncodeToString(h.Sum(nil)); sum != b.SHA256 || total != b.Size {
				return fmt.Errorf("import blob %s: the file holds %d bytes hashing to %s: damaged, not imported", b.SHA256, total, sum)
			}
		}
		for _, a := range b.Agencies {
			if _, err := tx.Exec(ctx, `INSERT INTO blob_seen (sha, agency) VALUES ($1, $2) ON CONFLICT DO NOTHING`, b.SHA256, a); err != nil {
				return writeErr("import blob visibility", err)
			}
		}
		return nil
	})
}
