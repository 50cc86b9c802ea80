package client

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	gosync "sync"
	"testing"

	"github.com/vanthuso/vanthu/sync/protocol"
)

func rootsOf(srv *httptest.Server) *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(srv.Certificate())
	return p
}

// uploadServer keeps one upload as the API describes it: server-kept
// offset, a checksum per chunk, the whole hash checked at the end. It
// counts the chunk bytes it received, and can cut the connection in the
// middle of the chunk that starts at cutAt.
type uploadServer struct {
	mu       gosync.Mutex
	sha      string
	size     int64
	data     []byte
	complete bool
	received int64 // bytes of PATCH bodies read
	patches  int
	cutAt    int64 // -1: never
	maxChunk int64
	// lieOffset, when set, is answered as the offset of a wrong-offset
	// error (a hostile server).
	lieOffset *int64
	wrongs    int
}

func (u *uploadServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	u.mu.Lock()
	defer u.mu.Unlock()
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/v1/uploads":
		var req protocol.UploadRequest
		json.NewDecoder(r.Body).Decode(&req)
		if u.complete && req.SHA256 == u.sha {
			writeJSON(w, 200, protocol.Upload{SHA256: u.sha, Size: u.size, Offset: u.size, Complete: true})
			return
		}
		u.sha, u.size = req.SHA256, req.Size
		writeJSON(w, 201, protocol.Upload{ID: "up-1", SHA256: u.sha, Size: u.size, Offset: int64(len(u.data)), MaxChunk: u.maxChunk})
	case r.Method == http.MethodHead && r.URL.Path == "/v1/uploads/up-1":
		w.Header().Set(protocol.HeaderUploadOffset, strconv.Itoa(len(u.data)))
	case r.Method == http.MethodPatch && r.URL.Path == "/v1/uploads/up-1":
		u.patches++
		off, _ := strconv.ParseInt(r.Header.Get(protocol.HeaderUploadOffset), 10, 64)
		if u.lieOffset != nil {
			u.wrongs++
			writeErr(w, 409, protocol.Error{Code: protocol.CodeWrongOffset, Offset: u.lieOffset})
			return
		}
		if off != int64(len(u.data)) {
			have := int64(len(u.data))
			writeErr(w, 409, protocol.Error{Code: protocol.CodeWrongOffset, Offset: &have})
			return
		}
		if off == u.cutAt {
			u.cutAt = -1
			half := make([]byte, r.ContentLength/2)
			n, _ := io.ReadFull(r.Body, half)
			u.received += int64(n)
			panic(http.ErrAbortHandler) // the connection drops mid-chunk
		}
		chunk, _ := io.ReadAll(r.Body)
		u.received += int64(len(chunk))
		if shaHex(chunk) != r.Header.Get(protocol.HeaderChunkSHA256) {
			writeErr(w, 400, protocol.Error{Code: protocol.CodeChunkChecksum})
			return
		}
		u.data = append(u.data, chunk...)
		if int64(len(u.data)) == u.size {
			if shaHex(u.data) != u.sha {
				u.data = nil
				writeErr(w, 422, protocol.Error{Code: protocol.CodeHashMismatch})
				return
			}
			u.complete = true
		}
		writeJSON(w, 200, protocol.Upload{ID: "up-1", SHA256: u.sha, Size: u.size, Offset: int64(len(u.data)), Complete: u.complete, MaxChunk: u.maxChunk})
	default:
		http.NotFound(w, r)
	}
}

func randomBytes(t testing.TB, n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

// An upload cut in the middle of a chunk resumes, on the next call, from
// the offset the server kept: only the chunk in flight is sent twice.
func TestUploadResumesAfterACut(t *testing.T) {
	const chunk = 64 << 10
	data := randomBytes(t, 10*chunk+123)
	us := &uploadServer{cutAt: 4 * chunk, maxChunk: 1 << 20}
	c, _ := newTestClient(t, us)
	var persisted []int64
	opts := UploadOptions{ChunkSize: chunk, Persist: func(id string, off int64) error {
		if id != "up-1" {
			t.Errorf("persisted id %q", id)
		}
		persisted = append(persisted, off)
		return nil
	}}
	err := c.Upload(context.Background(), bytes.NewReader(data), shaHex(data), int64(len(data)), opts)
	if err == nil || Permanent(err) {
		t.Fatalf("first upload: %v, want a transient error", err)
	}
	if last := persisted[len(persisted)-1]; last != 4*chunk {
		t.Fatalf("last recorded offset %d, want %d", last, 4*chunk)
	}
	if err := c.Upload(context.Background(), bytes.NewReader(data), shaHex(data), int64(len(data)), opts); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(us.data, data) || !us.complete {
		t.Fatal("the server's blob differs")
	}
	if extra := us.received - int64(len(data)); extra < 0 || extra > chunk {
		t.Errorf("the server received %d bytes for %d: %d extra, want at most one chunk (%d)", us.received, len(data), extra, chunk)
	}
	if persisted[len(persisted)-1] != int64(len(data)) {
		t.Errorf("recorded offsets %v", persisted)
	}
	// The blob is there now: a third call sends nothing.
	before := us.patches
	if err := c.Upload(context.Background(), bytes.NewReader(data), shaHex(data), int64(len(data)), opts); err != nil || us.patches != before {
		t.Errorf("upload of a complete blob: %v, %d patches", err, us.patches-before)
	}
}

// The server's chunk limit caps the client's chunk size.
func TestUploadHonoursMaxChunk(t *testing.T) {
	data := randomBytes(t, 100_000)
	us := &uploadServer{cutAt: -1, maxChunk: 10_000}
	c, _ := newTestClient(t, us)
	if err := c.Upload(context.Background(), bytes.NewReader(data), shaHex(data), int64(len(data)), UploadOptions{ChunkSize: 1 << 20}); err != nil {
		t.Fatal(err)
	}
	if us.patches != 10 {
		t.Errorf("%d chunks, want 10", us.patches)
	}
}

// A wrong-offset answer moves the upload to the server's offset.
func TestUploadFollowsWrongOffset(t *testing.T) {
	data := randomBytes(t, 50_000)
	us := &uploadServer{cutAt: -1, maxChunk: 10_000}
	us.data = append([]byte(nil), data[:20_000]...) // the server kept more than the client knows
	c, _ := newTestClient(t, us)
	if err := c.Upload(context.Background(), bytes.NewReader(data), shaHex(data), int64(len(data)), UploadOptions{}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(us.data, data) {
		t.Fatal("blob differs")
	}
}

// A hostile server cannot make the client read outside the file or loop
// forever on wrong offsets.
func TestUploadHostileOffsets(t *testing.T) {
	data := randomBytes(t, 5000)
	for _, lie := range []int64{-1, 6000, 0} {
		us := &uploadServer{cutAt: -1, maxChunk: 1000, lieOffset: &lie}
		c, _ := newTestClient(t, us)
		err := c.Upload(context.Background(), bytes.NewReader(data), shaHex(data), int64(len(data)), UploadOptions{})
		if err == nil {
			t.Fatalf("offset %d: the upload succeeded", lie)
		}
		if us.wrongs > maxWrongOffsets+1 {
			t.Errorf("offset %d: followed %d wrong offsets", lie, us.wrongs)
		}
	}
}

// A hash mismatch at the end is transient: the next call starts over.
func TestUploadHashMismatchStartsOver(t *testing.T) {
	data := randomBytes(t, 3000)
	us := &uploadServer{cutAt: -1}
	c, _ := newTestClient(t, us)
	wrong := shaHex([]byte("another file"))
	err := c.Upload(context.Background(), bytes.NewReader(data), wrong, int64(len(data)), UploadOptions{})
	if Code(err) != protocol.CodeHashMismatch || Permanent(err) {
		t.Fatalf("err = %v", err)
	}
	if err := c.Upload(context.Background(), bytes.NewReader(data), shaHex(data), int64(len(data)), UploadOptions{}); err != nil {
		t.Fatal(err)
	}
}

func TestUploadPersistErrorStops(t *testing.T) {
	data := randomBytes(t, 3000)
	us := &uploadServer{cutAt: -1, maxChunk: 1000}
	c, _ := newTestClient(t, us)
	disk := errors.New("disk full")
	calls := 0
	err := c.Upload(context.Background(), bytes.NewReader(data), shaHex(data), int64(len(data)), UploadOptions{Persist: func(string, int64) error {
		calls++
		if calls == 2 {
			return disk
		}
		return nil
	}})
	if !errors.Is(err, disk) {
		t.Fatalf("err = %v", err)
	}
	if us.patches != 1 {
		t.Errorf("%d chunks sent after the record failed", us.patches)
	}
}

// blobServer serves one blob with Range support; it can break the stream
// after cut bytes, ignore Range, or send other bytes.
type blobServer struct {
	mu          gosync.Mutex
	data        []byte
	cuts        []int // break the n-th answer after cuts[n] bytes (of the answer)
	answers     int
	ignoreRange bool
	ranges      []string
}

func (b *blobServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b.mu.Lock()
	n := b.answers
	b.answers++
	b.ranges = append(b.ranges, r.Header.Get("Range"))
	b.mu.Unlock()
	if r.URL.Path != "/v1/blobs/"+shaHex(b.data) && !strings.HasPrefix(r.URL.Path, "/v1/blobs/") {
		http.NotFound(w, r)
		return
	}
	start := 0
	if rg := r.Header.Get("Range"); rg != "" && !b.ignoreRange {
		start, _ = strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(rg, "bytes="), "-"))
		w.Header().Set("Content-Range", "bytes "+strconv.Itoa(start)+"-"+strconv.Itoa(len(b.data)-1)+"/"+strconv.Itoa(len(b.data)))
		w.Header().Set("Content-Length", strconv.Itoa(len(b.data)-start))
		w.WriteHeader(http.StatusPartialContent)
	} else {
		w.Header().Set("Content-Length", strconv.Itoa(len(b.data)))
	}
	body := b.data[start:]
	if n < len(b.cuts) {
		w.Write(body[:b.cuts[n]])
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler)
	}
	w.Write(body)
}

func TestDownloadResumesWithRange(t *testing.T) {
	data := randomBytes(t, 300_000)
	for _, ignore := range []bool{false, true} {
		bs := &blobServer{data: data, cuts: []int{100_000, 50_000}, ignoreRange: ignore}
		c, _ := newTestClient(t, bs)
		var out bytes.Buffer
		var last int64
		n, err := c.Download(context.Background(), shaHex(data), &out, DownloadOptions{Progress: func(done, total int64) {
			if done < last || total != int64(len(data)) {
				t.Errorf("progress %d/%d after %d", done, total, last)
			}
			last = done
		}})
		if err != nil {
			t.Fatalf("ignore range %v: %v", ignore, err)
		}
		if n != int64(len(data)) || !bytes.Equal(out.Bytes(), data) {
			t.Fatalf("ignore range %v: got %d bytes", ignore, n)
		}
		if !ignore && (bs.ranges[1] != "bytes=100000-" || bs.ranges[2] != "bytes=150000-") {
			t.Errorf("ranges %q", bs.ranges)
		}
	}
}

// Bytes that do not hash to the name are refused; so is a blob longer
// than it should be.
func TestDownloadChecksTheHash(t *testing.T) {
	data := randomBytes(t, 1000)
	bs := &blobServer{data: data}
	c, _ := newTestClient(t, bs)
	_, err := c.Download(context.Background(), shaHex([]byte("something else")), io.Discard, DownloadOptions{})
	if !errors.Is(err, ErrBadAnswer) {
		t.Fatalf("err = %v", err)
	}
	_, err = c.Download(context.Background(), shaHex(data), io.Discard, DownloadOptions{Size: 999})
	if !errors.Is(err, ErrBadAnswer) {
		t.Fatalf("err = %v for a blob longer than announced", err)
	}
}

// A stream that keeps breaking without bringing anything new ends in an
// error, not a loop.
func TestDownloadGivesUp(t *testing.T) {
	data := randomBytes(t, 1000)
	bs := &blobServer{data: data, cuts: []int{10, 0, 0, 0, 0, 0, 0, 0}}
	c, _ := newTestClient(t, bs)
	if _, err := c.Download(context.Background(), shaHex(data), io.Discard, DownloadOptions{}); err == nil || Permanent(err) {
		t.Fatalf("err = %v", err)
	}
	if bs.answers > 2+maxResumes {
		t.Errorf("%d requests", bs.answers)
	}
}

// A failing destination stops the download with its own error.
func TestDownloadWriterError(t *testing.T) {
	data := randomBytes(t, 200_000)
	bs := &blobServer{data: data}
	c, _ := newTestClient(t, bs)
	disk := errors.New("disk full")
	_, err := c.Download(context.Background(), shaHex(data), failWriter{disk}, DownloadOptions{})
	if !errors.Is(err, disk) || bs.answers != 1 {
		t.Fatalf("err = %v after %d requests", err, bs.answers)
	}
}

type failWriter struct{ err error }

func (f failWriter) Write([]byte) (int, error) { return 0, f.err }

func TestHasBlob(t *testing.T) {
	data := []byte("tệp đính kèm")
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead && r.URL.Path == "/v1/blobs/"+shaHex(data) {
			w.Header().Set("Content-Length", strconv.Itoa(len(data)))
			return
		}
		w.WriteHeader(404)
	}))
	ok, size, err := c.HasBlob(context.Background(), shaHex(data))
	if err != nil || !ok || size != int64(len(data)) {
		t.Errorf("has = %v %d %v", ok, size, err)
	}
	ok, _, err = c.HasBlob(context.Background(), shaHex([]byte("x")))
	if err != nil || ok {
		t.Errorf("has missing = %v %v", ok, err)
	}
	if _, _, err := c.HasBlob(context.Background(), "../../etc"); err == nil {
		t.Error("a name that is not a SHA-256 was asked")
	}
}
