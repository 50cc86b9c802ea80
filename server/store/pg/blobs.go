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

// isSHA256Hex reports whether s is a SHA-256 in lower-case hex, the
// form uploads are named and hashes compared in.
func isSHA256Hex(s string) bool {
	b, err := hex.DecodeString(s)
	return err == nil && len(b) == sha256.Size && hex.EncodeToString(b) == s
}

// Blob implements store.Store.
func (s *Store) Blob(ctx context.Context, sha, agency string) (store.Blob, error) {
	var b store.Blob
	err := getJSON(ctx, s.pool, &b, `SELECT b.data FROM blobs b JOIN blob_seen v ON v.sha = b.sha AND v.agency = $2
		WHERE b.sha = $1`, sha, agency)
	return b, err
}

// OpenBlob implements store.Store: the reader fetches one chunk row at
// a time, with ctx.
func (s *Store) OpenBlob(ctx context.Context, sha string) (io.ReadSeekCloser, error) {
	if !isSHA256Hex(sha) {
		return nil, fmt.Errorf("open blob %q: %w", sha, store.ErrNotFound)
	}
	r := &blobReader{ctx: ctx, pool: s, sha: sha, chunk: -1}
	if err := s.pool.QueryRow(ctx, `SELECT size, chunk_size FROM blobs WHERE sha = $1`, sha).Scan(&r.size, &r.chunkSize); err != nil {
		return nil, fmt.Errorf("open blob %s: %w", sha, readErr(err))
	}
	if r.chunkSize <= 0 {
		return nil, fmt.Errorf("open blob %s: damaged record: chunk size %d", sha, r.chunkSize)
	}
	return r, nil
}

// blobReader reads a committed blob chunk by chunk.
type blobReader struct {
	ctx       context.Context
	pool      *Store
	sha       string
	size      int64
	chunkSize int64
	pos       int64
	chunk     int64  // the index of buf's chunk, -1 for none
	buf       []byte // chunk's bytes
	closed    bool
}

func (r *blobReader) Read(p []byte) (int, error) {
	if r.closed {
		return 0, errors.New("read of a closed blob")
	}
	if r.pos >= r.size {
		return 0, io.EOF
	}
	n := r.pos / r.chunkSize
	if n != r.chunk {
		r.chunk = -1
		if err := r.fetch(n); err != nil {
			return 0, fmt.Errorf("read blob %s chunk %d: %w", r.sha, n, err)
		}
		want := min(r.chunkSize, r.size-n*r.chunkSize)
		if int64(len(r.buf)) != want {
			return 0, fmt.Errorf("read blob %s: damaged chunk %d: %d bytes, want %d", r.sha, n, len(r.buf), want)
		}
		r.chunk = n
	}
	c := copy(p, r.buf[r.pos-n*r.chunkSize:])
	r.pos += int64(c)
	return c, nil
}

// fetch reads chunk n into buf, reusing its memory: the row's bytes as
// they came (bytea in binary format is the bytes themselves) are copied
// out before the next row.
func (r *blobReader) fetch(n int64) error {
	rows, err := r.pool.pool.Query(r.ctx, `SELECT data FROM blob_chunks WHERE sha = $1 AND n = $2`, r.sha, n)
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return errors.New("chunk missing")
	}
	if rows.FieldDescriptions()[0].Format == pgx.BinaryFormatCode {
		r.buf = append(r.buf[:0], rows.RawValues()[0]...)
	} else if err := rows.Scan(&r.buf); err != nil {
		return err
	}
	rows.Close()
	return rows.Err()
}

func (r *blobReader) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += r.pos
	case io.SeekEnd:
		offset += r.size
	default:
		return r.pos, fmt.Errorf("seek blob: whence %d", whence)
	}
	if offset < 0 {
		return r.pos, fmt.Errorf("seek blob: negative position %d", offset)
	}
	r.pos = offset
	return offset, nil
}

func (r *blobReader) Close() error {
	r.closed, r.buf = true, nil
	return nil
}

// StartUpload implements store.Store.
func (s *Store) StartUpload(ctx context.Context, u store.Upload) (store.Upload, error) {
	if !isSHA256Hex(u.SHA256) || u.ID == "" || len(u.ID) > 128 || u.Size < 0 || u.Agency == "" {
		return store.Upload{}, fmt.Errorf("start upload: invalid sha256, id, size or agency")
	}
	var out store.Upload
	err := s.tx(ctx, func(tx pgx.Tx) error {
		var b store.Blob
		err := getJSON(ctx, tx, &b, `SELECT b.data FROM blobs b JOIN blob_seen v ON v.sha = b.sha AND v.agency = $2
			WHERE b.sha = $1`, u.SHA256, u.Agency)
		if err == nil {
			out = store.Upload{Agency: u.Agency, SHA256: u.SHA256, Size: b.Size, Offset: b.Size, Created: b.Created, Complete: true}
			return nil
		}
		if err != store.ErrNotFound {
			return err
		}
		cur, err := lockUpload(ctx, tx, `agency = $1 AND sha = $2`, u.Agency, u.SHA256)
		switch {
		case err == nil && cur.Size == u.Size:
			out = cur
			return nil
		case err == nil:
			if _, err := tx.Exec(ctx, `DELETE FROM uploads WHERE id = $1`, cur.ID); err != nil {
				return err
			}
		case err != store.ErrNotFound:
			return err
		}
		u.Offset, u.Complete = 0, false
		tag, err := tx.Exec(ctx, `INSERT INTO uploads (id, agency, sha, size, off, data) VALUES ($1, $2, $3, $4, 0, $5)
			ON CONFLICT DO NOTHING`, u.ID, u.Agency, u.SHA256, u.Size, mustJSON(u))
		if err != nil {
			return writeErr("start upload", err)
		}
		if tag.RowsAffected() == 0 {
			var one int
			if tx.QueryRow(ctx, `SELECT 1 FROM uploads WHERE id = $1`, u.ID).Scan(&one) == nil {
				return fmt.Errorf("start upload %s: %w", u.ID, store.ErrConflict)
			}
			return errRetry // another upload of (agency, sha) committed meanwhile
		}
		out = u
		return nil
	})
	if err != nil {
		return store.Upload{}, err
	}
	if !out.Complete && out.Offset == out.Size {
		// An empty file: nothing to send, complete it now.
		return s.AppendUpload(ctx, out.ID, out.Offset, nil)
	}
	return out, nil
}

// lockUpload reads the upload matching where and locks its row.
func lockUpload(ctx context.Context, tx pgx.Tx, where string, args ...any) (store.Upload, error) {
	var u store.Upload
	var data []byte
	err := tx.QueryRow(ctx, `SELECT data, off FROM uploads WHERE `+where+` FOR UPDATE`, args...).Scan(&data, &u.Offset)
	if err != nil {
		return u, readErr(err)
	}
	off := u.Offset
	if err := jsonUnmarshal(data, &u); err != nil {
		return u, err
	}
	u.Offset = off
	return u, nil
}

// Upload implements store.Store.
func (s *Store) Upload(ctx context.Context, id string) (store.Upload, error) {
	var u store.Upload
	var data []byte
	if err := s.pool.QueryRow(ctx, `SELECT data, off FROM uploads WHERE id = $1`, id).Scan(&data, &u.Offset); err != nil {
		return u, readErr(err)
	}
	off := u.Offset
	err := jsonUnmarshal(data, &u)
	u.Offset = off
	return u, err
}

// AppendUpload implements store.Store. The chunk's rows, the new offset
// and, for the last chunk, the hash check and the blob are one
// transaction, with the upload's row locked: chunks of one upload are
// taken one at a time, on every replica.
func (s *Store) AppendUpload(ctx context.Context, id string, offset int64, data []byte) (store.Upload, error) {
	var u store.Upload
	var mismatch bool
	err := s.tx(ctx, func(tx pgx.Tx) error {
		mismatch = false
		var err error
		if u, err = lockUpload(ctx, tx, `id = $1`, id); err != nil {
			return err
		}
		if offset != u.Offset {
			return &store.OffsetError{Offset: u.Offset}
		}
		if int64(len(data)) > u.Size-offset {
			return store.ErrTooLarge
		}
		if err := writeChunks(ctx, tx, id, offset, data); err != nil {
			return fmt.Errorf("write upload %s: %w", id, err)
		}
		u.Offset = offset + int64(len(data))
		if _, err := tx.Exec(ctx, `UPDATE uploads SET off = $2 WHERE id = $1`, id, u.Offset); err != nil {
			return err
		}
		if u.Offset < u.Size {
			return nil
		}
		got, err := hashChunks(ctx, tx, id, u.Size)
		if err != nil {
			return fmt.Errorf("hash upload %s: %w", id, err)
		}
		if got != u.SHA256 {
			mismatch, u.Offset = true, 0
			if _, err := tx.Exec(ctx, `DELETE FROM upload_chunks WHERE id = $1`, id); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `UPDATE uploads SET off = 0 WHERE id = $1`, id)
			return err
		}
		return commitBlob(ctx, tx, u)
	})
	switch {
	case err != nil:
		return u, err
	case mismatch:
		return u, fmt.Errorf("upload %s: %w", id, store.ErrHashMismatch)
	case u.Offset == u.Size:
		u.Complete = true
	}
	return u, nil
}

// writeChunks stores data at offset of upload id as ChunkSize rows: the
// first may fill the row the last chunk left short.
func writeChunks(ctx context.Context, tx pgx.Tx, id string, offset int64, data []byte) error {
	for len(data) > 0 {
		n, within := offset/ChunkSize, offset%ChunkSize
		k := min(int64(len(data)), ChunkSize-within)
		var err error
		if within == 0 {
			_, err = tx.Exec(ctx, `INSERT INTO upload_chunks (id, n, data) VALUES ($1, $2, $3)
				ON CONFLICT (id, n) DO UPDATE SET data = EXCLUDED.data`, id, n, data[:k])
		} else {
			var tag interface{ RowsAffected() int64 }
			tag, err = tx.Exec(ctx, `UPDATE upload_chunks SET data = substring(data FROM 1 FOR $3) || $4
				WHERE id = $1 AND n = $2 AND length(data) >= $3`, id, n, within, data[:k])
			if err == nil && tag.RowsAffected() != 1 {
				err = fmt.Errorf("chunk %d is shorter than the offset %d", n, offset)
			}
		}
		if err != nil {
			return err
		}
		offset += k
		data = data[k:]
	}
	return nil
}

// hashChunks hashes the first size bytes of an upload's rows, one row
// in memory at a time.
func hashChunks(ctx context.Context, tx pgx.Tx, id string, size int64) (string, error) {
	rows, err := tx.Query(ctx, `SELECT n, data FROM upload_chunks WHERE id = $1 ORDER BY n`, id)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	h := sha256.New()
	var total, want int64
	for rows.Next() {
		var n int64
		var data []byte
		if err := rows.Scan(&n, &data); err != nil {
			return "", err
		}
		if n != want || total+int64(len(data)) > size {
			return "", fmt.Errorf("damaged upload: chunk %d after %d bytes", n, total)
		}
		h.Write(data)
		total += int64(len(data))
		want++
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	if total != size {
		return "", fmt.Errorf("damaged upload: %d bytes, want %d", total, size)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// commitBlob makes a checked upload a blob (its rows copied, unless the
// blob exists already) visible to the upload's agency, and deletes the
// upload.
func commitBlob(ctx context.Context, tx pgx.Tx, u store.Upload) error {
	b := store.Blob{SHA256: u.SHA256, Size: u.Size, Created: u.Created}
	tag, err := tx.Exec(ctx, `INSERT INTO blobs (sha, size, chunk_size, data) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
		u.SHA256, u.Size, ChunkSize, mustJSON(b))
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 1 {
		if _, err := tx.Exec(ctx, `INSERT INTO blob_chunks (sha, n, data) SELECT $2, n, data FROM upload_chunks WHERE id = $1`,
			u.ID, u.SHA256); err != nil {
			return err
		}
	}
	_, err = tx.Exec(ctx, `INSERT INTO blob_seen (sha, agency) VALUES ($1, $2) ON CONFLICT DO NOTHING`, u.SHA256, u.Agency)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `DELETE FROM uploads WHERE id = $1`, u.ID)
	return err
}
