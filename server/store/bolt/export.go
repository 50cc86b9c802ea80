package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	bbolt "go.etcd.io/bbolt"

	"github.com/vanthuso/vanthu/server/store"
	"github.com/vanthuso/vanthu/sync/protocol"
)

var _ store.Exporter = (*Store)(nil)

// exportJSON gives f every value of bucket, decoded as a T, as the
// record wrap makes of it.
func exportJSON[T any](ctx context.Context, tx *bbolt.Tx, bucket []byte, what string, wrap func(*T) store.Record, f func(store.Record) error) error {
	b := tx.Bucket(bucket)
	if b == nil {
		return nil
	}
	return b.ForEach(func(k, v []byte) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		x := new(T)
		if err := json.Unmarshal(v, x); err != nil {
			return fmt.Errorf("export: damaged %s %q: %w", what, k, err)
		}
		return f(wrap(x))
	})
}

// Export implements store.Exporter: one read transaction (run it on a
// stopped server: the records of a running one would change after).
func (s *Store) Export(ctx context.Context, f func(store.Record) error) error {
	return s.view(ctx, func(tx *bbolt.Tx) error {
		each := func(bucket []byte, g func(k, v []byte) error) error {
			b := tx.Bucket(bucket)
			if b == nil {
				return nil
			}
			return b.ForEach(func(k, v []byte) error {
				if err := ctx.Err(); err != nil {
					return err
				}
				return g(k, v)
			})
		}
		decode := func(what string, k, v []byte, into any) error {
			if err := json.Unmarshal(v, into); err != nil {
				return fmt.Errorf("export: damaged %s %q: %w", what, k, err)
			}
			return nil
		}
		steps := []func() error{
			func() error {
				return exportJSON(ctx, tx, bucketAgencies, "agency", func(x *store.Agency) store.Record { return store.Record{Agency: x} }, f)
			},
			func() error {
				return exportJSON(ctx, tx, bucketUsers, "user", func(x *store.User) store.Record { return store.Record{User: x} }, f)
			},
			func() error {
				seen := tx.Bucket(bucketBlobSeen)
				return each(bucketBlobs, func(k, v []byte) error {
					var b store.Blob
					if err := decode("blob", k, v, &b); err != nil {
						return err
					}
					rec := &store.BlobRecord{Blob: b}
					prefix := append(bytes.Clone(k), 0)
					c := seen.Cursor()
					for sk, _ := c.Seek(prefix); sk != nil && bytes.HasPrefix(sk, prefix); sk, _ = c.Next() {
						rec.Agencies = append(rec.Agencies, string(sk[len(prefix):]))
					}
					path := s.blobPath(b.SHA256)
					rec.Open = func() (io.ReadCloser, error) { return os.Open(path) }
					return f(store.Record{Blob: rec})
				})
			},
			func() error {
				return exportJSON(ctx, tx, bucketMessages, "message", func(x *store.Message) store.Record { return store.Record{Message: x} }, f)
			},
			func() error {
				return each(bucketBoxes, func(k, v []byte) error {
					agency, box, ok := strings.Cut(string(k), "\x00")
					b := tx.Bucket(bucketBoxes).Bucket(k)
					if !ok || b == nil {
						return fmt.Errorf("export: damaged box %q", k)
					}
					return b.ForEach(func(pk, id []byte) error {
						if len(pk) != 8 {
							return fmt.Errorf("export: damaged position in box %q", k)
						}
						return f(store.Record{Box: &store.BoxEntry{Agency: agency, Box: store.Box(box), Pos: binary.BigEndian.Uint64(pk), MessageID: string(id)}})
					})
				})
			},
			func() error {
				return exportJSON(ctx, tx, bucketIdem, "idempotency record", func(x *store.Idempotency) store.Record { return store.Record{Idem: x} }, f)
			},
			func() error {
				return each(bucketCases, func(k, v []byte) error {
					agency, _, ok := strings.Cut(string(k), "\x00")
					var c protocol.Case
					if err := decode("case", k, v, &c); err != nil || !ok {
						return fmt.Errorf("export: damaged case %q: %v", k, err)
					}
					return f(store.Record{Case: &store.CaseRecord{Agency: agency, Case: c}})
				})
			},
			func() error {
				return exportJSON(ctx, tx, bucketRegisters, "register line", func(x *store.RegisterRecord) store.Record { return store.Record{Register: x} }, f)
			},
			func() error {
				return each(bucketAudit, func(k, v []byte) error {
					b := tx.Bucket(bucketAudit).Bucket(k)
					if b == nil {
						return nil
					}
					return b.ForEach(func(sk, line []byte) error {
						var e protocol.AuditEntry
						if err := decode("audit line", sk, line, &e); err != nil {
							return err
						}
						if len(sk) == 8 && e.Seq == 0 {
							e.Seq = binary.BigEndian.Uint64(sk)
						}
						return f(store.Record{Audit: &store.AuditRecord{Agency: string(k), Entry: e}})
					})
				})
			},
			func() error {
				return exportJSON(ctx, tx, bucketAxisSystems, "axis system", func(x *store.AxisSystem) store.Record { return store.Record{AxisSystem: x} }, f)
			},
			func() error {
				return each(bucketAxisAcks, func(k, v []byte) error {
					system, msg, ok := strings.Cut(string(k), "\x00")
					var a store.AxisAck
					if err := decode("axis acknowledgement", k, v, &a); err != nil || !ok {
						return fmt.Errorf("export: damaged axis acknowledgement %q: %v", k, err)
					}
					return f(store.Record{AxisAck: &store.AxisAckRecord{System: system, MessageID: msg, Ack: a}})
				})
			},
		}
		for _, step := range steps {
			if err := step(); err != nil {
				return err
			}
		}
		return nil
	})
}
