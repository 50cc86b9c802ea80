package server

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/server/store"
	"github.com/vanthuso/vanthu/sync/protocol"
)

// senders may upload and send.
var senders = []protocol.Role{protocol.RoleClerk, protocol.RoleLeader}

// uploaders may upload files: senders, and officers (drafts, results of
// their work).
var uploaders = []protocol.Role{protocol.RoleClerk, protocol.RoleLeader, protocol.RoleOfficer}

// getBlob is GET and HEAD /v1/blobs/{sha}: only for a blob the caller's
// agency uploaded, sent or received; 404 otherwise, the same answer as
// for a blob that does not exist.
func (s *Server) getBlob(w http.ResponseWriter, r *http.Request, c *caller) error {
	sha := r.PathValue("sha")
	if !edoc.IsSHA256Hex(sha) {
		return notFound("blob")
	}
	ctx := r.Context()
	b, err := s.st.Blob(ctx, sha, c.agency.Code)
	if errors.Is(err, store.ErrNotFound) {
		return notFound("blob")
	}
	if err != nil {
		return err
	}
	f, err := s.st.OpenBlob(ctx, sha)
	if err != nil {
		return err
	}
	defer f.Close()
	http.NewResponseController(w).SetWriteDeadline(time.Now().Add(time.Hour))
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("ETag", `"`+sha+`"`)
	w.Header().Set("Cache-Control", "private, max-age=31536000, immutable")
	ew := &rangeErrors{ResponseWriter: w}
	http.ServeContent(ew, r, "", b.Created, f)
	if ew.status != 0 {
		w.Header().Del("Content-Range") // keep "bytes */size" only for 416
		if ew.status == http.StatusRequestedRangeNotSatisfiable {
			w.Header().Set("Content-Range", fmt.Sprintf("bytes */%d", b.Size))
		}
		return fail(ew.status, protocol.CodeBadRequest, "range %q: the file has %d bytes", r.Header.Get("Range"), b.Size)
	}
	if rg := r.Header.Get("Range"); r.Method == http.MethodGet && (rg == "" || strings.HasPrefix(rg, "bytes=0-")) {
		s.audit(ctx, c, "read", "", sha) // once per download, not per resumed range
	}
	return nil
}

// rangeErrors keeps http.ServeContent's own error answers (a bad Range:
// 416) from being written, so that they go out in the error model.
type rangeErrors struct {
	http.ResponseWriter
	status int
}

func (e *rangeErrors) WriteHeader(code int) {
	if code >= 400 {
		e.status = code
		for _, h := range []string{"Content-Type", "X-Content-Type-Options", "Content-Length"} {
			e.ResponseWriter.Header().Del(h)
		}
		return
	}
	e.ResponseWriter.WriteHeader(code)
}

func (e *rangeErrors) Write(b []byte) (int, error) {
	if e.status != 0 {
		return len(b), nil
	}
	return e.ResponseWriter.Write(b)
}

func protocolUpload(u store.Upload, maxChunk int64) protocol.Upload {
	return protocol.Upload{ID: u.ID, SHA256: u.SHA256, Size: u.Size, Offset: u.Offset, MaxChunk: maxChunk, Complete: u.Complete}
}

// postUpload is POST /v1/uploads.
func (s *Server) postUpload(w http.ResponseWriter, r *http.Request, c *caller) error {
	if err := c.may(uploaders...); err != nil {
		return err
	}
	var req protocol.UploadRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		return err
	}
	switch {
	case !edoc.IsSHA256Hex(req.SHA256):
		return fail(400, protocol.CodeBadRequest, "sha256 %q: want 64 lower-case hex digits", req.SHA256)
	case req.Size < 0:
		return fail(400, protocol.CodeBadRequest, "size %d", req.Size)
	case req.Size > s.c.MaxBlob:
		return fail(413, protocol.CodeTooLarge, "files up to %d bytes", s.c.MaxBlob)
	}
	id := randomHex(16)
	u, err := s.st.StartUpload(r.Context(), store.Upload{ID: id, Agency: c.agency.Code, SHA256: req.SHA256, Size: req.Size, Created: s.c.Now().UTC()})
	if err != nil {
		return err
	}
	status := 200
	if u.ID == id && !u.Complete {
		status = 201
	}
	return writeJSON(w, status, protocolUpload(u, s.c.MaxChunk))
}

// upload returns the caller's agency's upload in progress.
func (s *Server) upload(r *http.Request, c *caller) (store.Upload, error) {
	u, err := s.st.Upload(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) || err == nil && u.Agency != c.agency.Code {
		return store.Upload{}, notFound("upload")
	}
	return u, err
}

// headUpload is HEAD /v1/uploads/{id}: the kept offset.
func (s *Server) headUpload(w http.ResponseWriter, r *http.Request, c *caller) error {
	u, err := s.upload(r, c)
	if err != nil {
		return err
	}
	w.Header().Set(protocol.HeaderUploadOffset, strconv.FormatInt(u.Offset, 10))
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(200)
	return nil
}

func wrongOffset(off int64) *apiError {
	e := fail(409, protocol.CodeWrongOffset, "resume at offset %d", off)
	e.e.Offset = &off
	return e
}

// patchUpload is PATCH /v1/uploads/{id}: one chunk.
func (s *Server) patchUpload(w http.ResponseWriter, r *http.Request, c *caller) error {
	if err := c.may(uploaders...); err != nil {
		return err
	}
	u, err := s.upload(r, c)
	if err != nil {
		return err
	}
	off, err := strconv.ParseInt(r.Header.Get(protocol.HeaderUploadOffset), 10, 64)
	if err != nil || off < 0 {
		return fail(400, protocol.CodeBadRequest, "%s header %q: want a byte offset", protocol.HeaderUploadOffset, r.Header.Get(protocol.HeaderUploadOffset))
	}
	want, err := hex.DecodeString(r.Header.Get(protocol.HeaderChunkSHA256))
	if err != nil || len(want) != sha256.Size {
		return fail(400, protocol.CodeBadRequest, "%s header: want the chunk's SHA-256 in hex", protocol.HeaderChunkSHA256)
	}
	if off != u.Offset {
		return wrongOffset(u.Offset)
	}
	if r.ContentLength > s.c.MaxChunk {
		return fail(413, protocol.CodeTooLarge, "chunks up to %d bytes", s.c.MaxChunk)
	}
	// A slow line gets time for a chunk; a stalled one is cut.
	http.NewResponseController(w).SetReadDeadline(time.Now().Add(10 * time.Minute))
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.c.MaxChunk))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return fail(413, protocol.CodeTooLarge, "chunks up to %d bytes", s.c.MaxChunk)
	}
	if err != nil {
		return fail(400, protocol.CodeBadRequest, "read chunk: %v", err) // the connection broke: nothing kept
	}
	if got := sha256.Sum256(data); hex.EncodeToString(got[:]) != hex.EncodeToString(want) {
		return fail(400, protocol.CodeChunkChecksum, "the chunk does not match %s", protocol.HeaderChunkSHA256)
	}
	u, err = s.st.AppendUpload(r.Context(), u.ID, off, data)
	var oe *store.OffsetError
	switch {
	case errors.As(err, &oe):
		return wrongOffset(oe.Offset)
	case errors.Is(err, store.ErrTooLarge):
		return fail(413, protocol.CodeTooLarge, "the chunk goes past the file's size %d", u.Size)
	case errors.Is(err, store.ErrHashMismatch):
		return fail(422, protocol.CodeHashMismatch, "the file does not hash to %s: upload it again from offset 0", u.SHA256)
	case errors.Is(err, store.ErrNotFound):
		return notFound("upload")
	case err != nil:
		return err
	}
	return writeJSON(w, 200, protocolUpload(u, s.c.MaxChunk))
}
