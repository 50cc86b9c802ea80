package client

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/vanthuso/vanthu/internal/failpoint"
	"github.com/vanthuso/vanthu/sync/protocol"
)

// DefaultChunkSize is UploadOptions.ChunkSize when it is zero.
const DefaultChunkSize = 1 << 20

// maxChunk bounds a chunk held in memory, whatever the server allows.
const maxChunk = 16 << 20

// maxWrongOffsets bounds the wrong-offset answers one Upload follows in a
// row: a server that keeps moving the offset is not followed forever.
const maxWrongOffsets = 4

// validSHA reports whether s is a lower-case hex SHA-256.
func validSHA(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// HasBlob is HEAD /v1/blobs/{sha}: whether the server has the blob and
// lets the caller see it, and its size.
func (c *Client) HasBlob(ctx context.Context, sha string) (bool, int64, error) {
	if !validSHA(sha) {
		return false, 0, fmt.Errorf("blob %q: not a lower-case hex SHA-256", sha)
	}
	resp, err := c.call(ctx, request{method: http.MethodHead, path: "/v1/blobs/" + sha}, nil)
	if Code(err) == protocol.CodeNotFound {
		return false, 0, nil
	}
	if err != nil {
		return false, 0, err
	}
	return true, resp.ContentLength, nil
}

// UploadOptions tune one Upload.
type UploadOptions struct {
	// ChunkSize is the size of each PATCH; 0 is DefaultChunkSize. The
	// server's Upload.MaxChunk caps it, and so does 16 MiB.
	ChunkSize int64
	// Progress, when set, is told the bytes the server has kept, after
	// each acknowledged chunk.
	Progress func(done, total int64)
	// Persist, when set, is called with the upload's id and the offset
	// the server confirmed: when the upload is opened and after each
	// acknowledged chunk (failpoint.ClientUploadChunk comes between the
	// server's answer and the call). An error from it stops the upload.
	// The offset is informative: a resumed upload continues where the
	// server says it stands.
	Persist func(uploadID string, offset int64) error
}

// Upload makes sure the server has the blob sha of size bytes, read from
// r: it opens (or, for the same blob, resumes) an upload with POST
// /v1/uploads, which answers the offset the server kept, and PATCHes the
// rest in chunks, each with its SHA-256. A wrong-offset answer moves to
// the offset the server names (Error.Offset, else HEAD). When the server
// has the blob already, nothing is sent. Upload does not retry on its
// own: after an error, call it again; it resumes from the server's
// offset, so an interruption costs at most the chunk in flight.
func (c *Client) Upload(ctx context.Context, r io.ReaderAt, sha string, size int64, o UploadOptions) error {
	if !validSHA(sha) {
		return fmt.Errorf("upload %q: not a lower-case hex SHA-256", sha)
	}
	if size < 0 {
		return fmt.Errorf("upload %s: negative size", sha)
	}
	up, err := c.openUpload(ctx, sha, size)
	if err != nil {
		return err
	}
	if o.Persist != nil && !up.Complete {
		if err := o.Persist(up.ID, up.Offset); err != nil {
			return fmt.Errorf("upload %s: record: %w", sha, err)
		}
	}
	chunk := o.ChunkSize
	if chunk <= 0 {
		chunk = DefaultChunkSize
	}
	if up.MaxChunk > 0 {
		chunk = min(chunk, up.MaxChunk)
	}
	chunk = min(chunk, maxChunk)
	buf := make([]byte, min(chunk, max(size, 1)))
	wrong := 0
	off := up.Offset
	for !up.Complete {
		n := min(int64(len(buf)), size-off)
		if _, err := r.ReadAt(buf[:n], off); err != nil && !(errors.Is(err, io.EOF) && n == 0) {
			return fmt.Errorf("upload %s: read the file at %d: %w", sha, off, err)
		}
		next, err := c.patch(ctx, up.ID, off, buf[:n])
		var pe *protocol.Error
		if errors.As(err, &pe) && pe.Code == protocol.CodeWrongOffset && wrong < maxWrongOffsets {
			wrong++
			at, err := c.resumeAt(ctx, up.ID, pe)
			if err != nil {
				return err
			}
			if at < 0 || at > size {
				return fmt.Errorf("upload %s: %w: offset %d outside the file's %d bytes", sha, ErrBadAnswer, at, size)
			}
			off = at
			continue
		}
		if err != nil {
			return fmt.Errorf("upload %s: %w", sha, err)
		}
		wrong = 0
		if !next.Complete && (next.Offset <= off || next.Offset > size) {
			return fmt.Errorf("upload %s: %w: offset %d after a chunk at %d of %d bytes", sha, ErrBadAnswer, next.Offset, off, size)
		}
		up = next
		off = up.Offset
		if up.Complete {
			off = size
		}
		failpoint.Hit(failpoint.ClientUploadChunk)
		if o.Persist != nil {
			if err := o.Persist(up.ID, off); err != nil {
				return fmt.Errorf("upload %s: record: %w", sha, err)
			}
		}
		if o.Progress != nil {
			o.Progress(off, size)
		}
	}
	if o.Progress != nil && size == 0 {
		o.Progress(0, 0)
	}
	return nil
}

// openUpload is POST /v1/uploads, checked.
func (c *Client) openUpload(ctx context.Context, sha string, size int64) (protocol.Upload, error) {
	body, err := json.Marshal(protocol.UploadRequest{SHA256: sha, Size: size})
	if err != nil {
		return protocol.Upload{}, fmt.Errorf("upload %s: %w", sha, err)
	}
	var up protocol.Upload
	if _, err := c.call(ctx, request{method: http.MethodPost, path: "/v1/uploads", body: body}, &up); err != nil {
		return protocol.Upload{}, fmt.Errorf("upload %s: %w", sha, err)
	}
	switch {
	case up.Complete:
		return up, nil
	case up.ID == "" || up.Offset < 0 || up.Offset > size || (up.SHA256 != "" && up.SHA256 != sha) || (up.Size != 0 && up.Size != size):
		return protocol.Upload{}, fmt.Errorf("upload %s: %w: id %q, offset %d, sha %q, size %d", sha, ErrBadAnswer, up.ID, up.Offset, up.SHA256, up.Size)
	}
	return up, nil
}

// patch sends one chunk at off.
func (c *Client) patch(ctx context.Context, id string, off int64, chunk []byte) (protocol.Upload, error) {
	sum := sha256.Sum256(chunk)
	h := http.Header{}
	h.Set(protocol.HeaderUploadOffset, strconv.FormatInt(off, 10))
	h.Set(protocol.HeaderChunkSHA256, hex.EncodeToString(sum[:]))
	h.Set("Content-Type", "application/offset+octet-stream")
	if chunk == nil {
		chunk = []byte{}
	}
	var up protocol.Upload
	_, err := c.call(ctx, request{method: http.MethodPatch, path: "/v1/uploads/" + pathID(id), header: h, body: chunk}, &up)
	return up, err
}

// resumeAt is where to continue after a wrong-offset answer: the offset
// it names, else what HEAD says.
func (c *Client) resumeAt(ctx context.Context, id string, pe *protocol.Error) (int64, error) {
	if pe.Offset != nil {
		return *pe.Offset, nil
	}
	return c.UploadOffset(ctx, id)
}

// UploadOffset is HEAD /v1/uploads/{id}: the bytes the server kept.
func (c *Client) UploadOffset(ctx context.Context, id string) (int64, error) {
	resp, err := c.call(ctx, request{method: http.MethodHead, path: "/v1/uploads/" + pathID(id)}, nil)
	if err != nil {
		return 0, fmt.Errorf("upload %s: %w", id, err)
	}
	off, perr := strconv.ParseInt(resp.Header.Get(protocol.HeaderUploadOffset), 10, 64)
	if perr != nil {
		return 0, fmt.Errorf("upload %s: %w: Upload-Offset %q", id, ErrBadAnswer, resp.Header.Get(protocol.HeaderUploadOffset))
	}
	return off, nil
}

// pathID escapes a server-made id for a path.
func pathID(id string) string { return url.PathEscape(id) }

// DownloadOptions tune one Download.
type DownloadOptions struct {
	// Size, when > 0, is the size the blob must have: a longer stream is
	// cut and refused.
	Size int64
	// Progress, when set, is told the bytes received so far and the
	// total (-1 when the server did not say).
	Progress func(done, total int64)
}

// maxResumes bounds the Range requests one Download makes after broken
// streams that brought nothing new.
const maxResumes = 3

// Download is GET /v1/blobs/{sha}: it writes the blob to w and checks
// that the bytes hash to sha before returning nil; a mismatch is
// ErrBadAnswer, after the bytes were written (w must then be thrown away:
// sync/store's PutBlobExpect does so). A stream that breaks is resumed
// with a Range request from the bytes already written (a server that
// ignores the Range starts over and the bytes already had are skipped).
// It returns the bytes written.
func (c *Client) Download(ctx context.Context, sha string, w io.Writer, o DownloadOptions) (int64, error) {
	if !validSHA(sha) {
		return 0, fmt.Errorf("download %q: not a lower-case hex SHA-256", sha)
	}
	h := sha256.New()
	out := &trackWriter{w: io.MultiWriter(w, h)}
	total := int64(-1)
	if o.Size > 0 {
		total = o.Size
	}
	stalls := 0
	for {
		before := out.n
		end, err := c.downloadFrom(ctx, sha, out, &total, o)
		if err == nil && end {
			break
		}
		if err != nil && (out.err != nil || Permanent(err) || NeedLogin(err) || ctx.Err() != nil) {
			return out.n, fmt.Errorf("download %s: %w", sha, err)
		}
		if out.n == before {
			stalls++
		} else {
			stalls = 0
		}
		if stalls > maxResumes {
			return out.n, fmt.Errorf("download %s: %w", sha, err)
		}
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != sha {
		return out.n, fmt.Errorf("download %s: %w: the bytes hash to %s", sha, ErrBadAnswer, got)
	}
	return out.n, nil
}

// downloadFrom requests the blob from out.n on and copies it to out. end
// is true when the stream ended where the blob ends.
func (c *Client) downloadFrom(ctx context.Context, sha string, out *trackWriter, total *int64, o DownloadOptions) (end bool, err error) {
	h := http.Header{}
	h.Set("Accept", "application/octet-stream")
	if out.n > 0 {
		h.Set("Range", "bytes="+strconv.FormatInt(out.n, 10)+"-")
	}
	resp, done, err := c.do(ctx, request{method: http.MethodGet, path: "/v1/blobs/" + sha, header: h})
	if err != nil {
		return false, err
	}
	defer done()
	defer resp.Body.Close()
	var body io.Reader = resp.Body
	switch {
	case out.n > 0 && resp.StatusCode == http.StatusPartialContent:
		start, size, ok := parseContentRange(resp.Header.Get("Content-Range"))
		if !ok || start != out.n {
			return false, fmt.Errorf("%w: Content-Range %q for bytes from %d", ErrBadAnswer, resp.Header.Get("Content-Range"), out.n)
		}
		if size >= 0 {
			if *total >= 0 && size != *total {
				return false, fmt.Errorf("%w: size %d, want %d", ErrBadAnswer, size, *total)
			}
			*total = size
		}
	case resp.StatusCode == http.StatusOK:
		if resp.ContentLength >= 0 {
			if *total >= 0 && resp.ContentLength != *total {
				return false, fmt.Errorf("%w: size %d, want %d", ErrBadAnswer, resp.ContentLength, *total)
			}
			*total = resp.ContentLength
		}
		if out.n > 0 {
			// The Range was ignored: skip what was had.
			if _, err := io.CopyN(io.Discard, body, out.n); err != nil {
				return false, fmt.Errorf("skip %d bytes: %w", out.n, err)
			}
		}
	default:
		return false, fmt.Errorf("%w: status %d", ErrBadAnswer, resp.StatusCode)
	}
	if *total >= 0 {
		body = io.LimitReader(body, *total-out.n+1)
	}
	buf := make([]byte, 64<<10)
	for {
		n, rerr := body.Read(buf)
		if n > 0 {
			if *total >= 0 && out.n+int64(n) > *total {
				return false, fmt.Errorf("%w: more than the %d bytes announced", ErrBadAnswer, *total)
			}
			if _, werr := out.Write(buf[:n]); werr != nil {
				return false, werr
			}
			if o.Progress != nil {
				o.Progress(out.n, *total)
			}
		}
		if rerr == io.EOF {
			if *total >= 0 && out.n != *total {
				return false, fmt.Errorf("the stream ended at %d of %d bytes: %w", out.n, *total, io.ErrUnexpectedEOF)
			}
			return true, nil
		}
		if rerr != nil {
			return false, rerr
		}
	}
}

// parseContentRange reads "bytes START-END/SIZE" (SIZE may be "*": -1).
func parseContentRange(s string) (start, size int64, ok bool) {
	rest, found := strings.CutPrefix(strings.TrimSpace(s), "bytes ")
	if !found {
		return 0, 0, false
	}
	rng, sz, found := strings.Cut(rest, "/")
	if !found {
		return 0, 0, false
	}
	a, _, found := strings.Cut(rng, "-")
	if !found {
		return 0, 0, false
	}
	start, err := strconv.ParseInt(a, 10, 64)
	if err != nil || start < 0 {
		return 0, 0, false
	}
	size = -1
	if sz != "*" {
		if size, err = strconv.ParseInt(sz, 10, 64); err != nil || size < 0 {
			return 0, 0, false
		}
	}
	return start, size, true
}

// trackWriter counts the bytes written and keeps the first write error,
// so that a failure of the destination is told from one of the network.
type trackWriter struct {
	w   io.Writer
	n   int64
	err error
}

func (t *trackWriter) Write(p []byte) (int, error) {
	n, err := t.w.Write(p)
	t.n += int64(n)
	if err != nil && t.err == nil {
		t.err = err
	}
	return n, err
}
