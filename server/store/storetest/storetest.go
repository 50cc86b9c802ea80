// Package storetest is the conformance suite of server/store: every Store
// implementation runs Run from its tests and must pass all of it.
//
//	func TestSuite(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store { … a new, empty store … })
//	}
//
// # What it covers
//
// Every method: agencies, users and their certificate binding, single-use
// challenges (also under concurrent takes), sessions and pruning, uploads
// (wrong offsets, sizes, the whole-hash check, resuming, deduplication
// across agencies without revealing the blob, concurrent chunks), blob
// visibility, sends and statuses with their idempotency records written
// in the same transaction (concurrent commits under one key give one
// message), box listings, and the feeds: sequences without gaps or
// reordering as seen by a reader polling while many writers commit, and
// WaitChange waking after a commit.
//
// newStore returns an empty store the test may use; the suite closes it.
package storetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/server/store"
	"github.com/vanthuso/vanthu/sync/protocol"
)

// Run runs the suite against stores made by newStore.
func Run(t *testing.T, newStore func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		f    func(t *testing.T, s store.Store)
	}{
		{"Meta", testMeta},
		{"Agencies", testAgencies},
		{"Users", testUsers},
		{"Challenges", testChallenges},
		{"ChallengeTakenOnce", testChallengeTakenOnce},
		{"Sessions", testSessions},
		{"Prune", testPrune},
		{"Upload", testUpload},
		{"UploadWrongOffset", testUploadWrongOffset},
		{"UploadHashMismatch", testUploadHashMismatch},
		{"UploadResume", testUploadResume},
		{"UploadOtherAgencyBlob", testUploadOtherAgencyBlob},
		{"UploadSizeChanged", testUploadSizeChanged},
		{"UploadEmpty", testUploadEmpty},
		{"UploadConcurrentChunks", testUploadConcurrentChunks},
		{"Send", testSend},
		{"SendIdempotent", testSendIdempotent},
		{"SendConcurrentOneKey", testSendConcurrentOneKey},
		{"SendMessageIDConflict", testSendMessageIDConflict},
		{"Status", testStatus},
		{"StatusCheckAborts", testStatusCheckAborts},
		{"StatusIdempotent", testStatusIdempotent},
		{"Boxes", testBoxes},
		{"Feed", testFeed},
		{"FeedConcurrentWriters", testFeedConcurrentWriters},
		{"WaitChange", testWaitChange},
	}
	tests = append(tests, workTests...)
	tests = append(tests, axisTests...)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			defer func() {
				if err := s.Close(); err != nil {
					t.Errorf("close: %v", err)
				}
			}()
			tc.f(t, s)
		})
	}
}

var ctx = context.Background()

// now is a fixed instant, truncated as JSON and databases keep times.
var now = time.Date(2026, 3, 5, 8, 30, 0, 0, time.UTC)

const (
	agencyA = "000.00.00.H41"
	agencyB = "000.00.00.G22"
	agencyC = "000.00.01.H47"
)

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func addAgencies(t *testing.T, s store.Store, codes ...string) {
	t.Helper()
	for _, c := range codes {
		must(t, s.AddAgency(ctx, store.Agency{Code: c, Name: "Cơ quan " + c, Created: now}))
	}
}

func randomID() string { return protocol.NewClientID() }

func hashOf(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func randomBytes(t *testing.T, n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

func testMeta(t *testing.T, s store.Store) {
	m1, err := s.Meta(ctx)
	must(t, err)
	if len(m1.Epoch) != 16 || len(m1.CursorKey) != 32 {
		t.Fatalf("epoch %d bytes, cursor key %d bytes; want 16 and 32", len(m1.Epoch), len(m1.CursorKey))
	}
	if bytes.Equal(m1.Epoch, make([]byte, 16)) || bytes.Equal(m1.CursorKey, make([]byte, 32)) {
		t.Fatal("meta is zero, not random")
	}
	m2, err := s.Meta(ctx)
	must(t, err)
	if !bytes.Equal(m1.Epoch, m2.Epoch) || !bytes.Equal(m1.CursorKey, m2.CursorKey) {
		t.Fatal("meta changed between calls")
	}
	m2.Epoch[0] ^= 1
	m3, _ := s.Meta(ctx)
	if !bytes.Equal(m1.Epoch, m3.Epoch) {
		t.Fatal("Meta returns the store's own slice")
	}
}

func testAgencies(t *testing.T, s store.Store) {
	addAgencies(t, s, agencyC, agencyA, agencyB)
	if err := s.AddAgency(ctx, store.Agency{Code: agencyA, Name: "again"}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("adding an existing agency: %v, want ErrConflict", err)
	}
	a, err := s.Agency(ctx, agencyA)
	must(t, err)
	if a.Name != "Cơ quan "+agencyA || !a.Created.Equal(now) {
		t.Fatalf("agency %+v", a)
	}
	if _, err := s.Agency(ctx, "000.00.00.X99"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing agency: %v", err)
	}
	page, err := s.Agencies(ctx, "", 2)
	must(t, err)
	if len(page) != 2 || page[0].Code != agencyB || page[1].Code != agencyA {
		t.Fatalf("first page %+v, want G22, H41", page)
	}
	page, err = s.Agencies(ctx, page[1].Code, 2)
	must(t, err)
	if len(page) != 1 || page[0].Code != agencyC {
		t.Fatalf("second page %+v, want H47", page)
	}
	page, err = s.Agencies(ctx, agencyC, 2)
	must(t, err)
	if len(page) != 0 {
		t.Fatalf("page after the last: %+v", page)
	}
}

func newUser(agency string) store.User {
	cert := []byte("certificate of " + randomID())
	return store.User{ID: randomID(), Agency: agency, Name: "Nguyễn Văn An", Roles: []protocol.Role{protocol.RoleClerk},
		CertSHA: hashOf(cert), Cert: cert, Created: now}
}

func testUsers(t *testing.T, s store.Store) {
	addAgencies(t, s, agencyA, agencyB)
	if err := s.AddUser(ctx, newUser("000.00.00.X99")); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("user of a missing agency: %v, want ErrNotFound", err)
	}
	u := newUser(agencyA)
	must(t, s.AddUser(ctx, u))
	other := newUser(agencyA)
	other.ID = u.ID
	if err := s.AddUser(ctx, other); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("same id: %v, want ErrConflict", err)
	}
	other = newUser(agencyB)
	other.CertSHA, other.Cert = u.CertSHA, u.Cert
	if err := s.AddUser(ctx, other); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("certificate bound twice: %v, want ErrConflict", err)
	}
	if _, err := s.UserByCert(ctx, u.CertSHA); err != nil {
		t.Fatal(err)
	}
	b := newUser(agencyB)
	must(t, s.AddUser(ctx, b))

	got, err := s.User(ctx, u.ID)
	must(t, err)
	if got.Name != u.Name || got.Agency != agencyA || !got.HasRole(protocol.RoleClerk) || got.HasRole(protocol.RoleAdmin) || !bytes.Equal(got.Cert, u.Cert) {
		t.Fatalf("user %+v", got)
	}
	got, err = s.UserByCert(ctx, b.CertSHA)
	must(t, err)
	if got.ID != b.ID {
		t.Fatalf("by certificate: %s, want %s", got.ID, b.ID)
	}
	if _, err := s.UserByCert(ctx, hashOf([]byte("nobody"))); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown certificate: %v", err)
	}
	if _, err := s.User(ctx, "nobody-at-all"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown user: %v", err)
	}
	list, err := s.Users(ctx, agencyA)
	must(t, err)
	if len(list) != 1 || list[0].ID != u.ID {
		t.Fatalf("users of A: %+v", list)
	}
	all, err := s.Users(ctx, "")
	must(t, err)
	if len(all) != 2 {
		t.Fatalf("all users: %d, want 2", len(all))
	}
	must(t, s.SetUserDisabled(ctx, u.ID, true))
	got, _ = s.UserByCert(ctx, u.CertSHA)
	if !got.Disabled {
		t.Fatal("disabled user is not disabled")
	}
	must(t, s.SetUserDisabled(ctx, u.ID, false))
	got, _ = s.User(ctx, u.ID)
	if got.Disabled {
		t.Fatal("enabled user is disabled")
	}
	if err := s.SetUserDisabled(ctx, "nobody-at-all", true); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("disable unknown: %v", err)
	}
}

func newChallenge(expires time.Time) store.Challenge {
	return store.Challenge{ID: randomID(), Nonce: []byte("0123456789abcdef0123456789abcdef"), CertSHA: hashOf([]byte("c")), Server: "test", ExpiresAt: expires}
}

func testChallenges(t *testing.T, s store.Store) {
	c := newChallenge(now.Add(time.Minute))
	must(t, s.PutChallenge(ctx, c))
	if err := s.PutChallenge(ctx, c); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("same challenge id twice: %v", err)
	}
	got, err := s.TakeChallenge(ctx, c.ID)
	must(t, err)
	if !bytes.Equal(got.Nonce, c.Nonce) || got.CertSHA != c.CertSHA || !got.ExpiresAt.Equal(c.ExpiresAt) || got.Server != "test" {
		t.Fatalf("challenge %+v, want %+v", got, c)
	}
	if _, err := s.TakeChallenge(ctx, c.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second take: %v, want ErrNotFound", err)
	}
}

// testChallengeTakenOnce: an attacker racing the user with the same
// signed answer: of many concurrent takes exactly one wins.
func testChallengeTakenOnce(t *testing.T, s store.Store) {
	for round := 0; round < 5; round++ {
		c := newChallenge(now.Add(time.Minute))
		must(t, s.PutChallenge(ctx, c))
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins := 0
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := s.TakeChallenge(ctx, c.ID)
				if err == nil {
					mu.Lock()
					wins++
					mu.Unlock()
				} else if !errors.Is(err, store.ErrNotFound) {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if wins != 1 {
			t.Fatalf("round %d: %d takes got the challenge, want 1", round, wins)
		}
	}
}

func testSessions(t *testing.T, s store.Store) {
	se := store.Session{TokenHash: hashOf([]byte("token")), UserID: "u1", Created: now, ExpiresAt: now.Add(time.Hour)}
	must(t, s.PutSession(ctx, se))
	if err := s.PutSession(ctx, se); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("same token twice: %v", err)
	}
	got, err := s.Session(ctx, se.TokenHash)
	must(t, err)
	if got.UserID != "u1" || !got.ExpiresAt.Equal(se.ExpiresAt) {
		t.Fatalf("session %+v", got)
	}
	must(t, s.DeleteSession(ctx, se.TokenHash))
	if _, err := s.Session(ctx, se.TokenHash); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("deleted session: %v", err)
	}
	must(t, s.DeleteSession(ctx, se.TokenHash))
}

func testPrune(t *testing.T, s store.Store) {
	old, fresh := newChallenge(now.Add(-time.Second)), newChallenge(now.Add(time.Minute))
	must(t, s.PutChallenge(ctx, old))
	must(t, s.PutChallenge(ctx, fresh))
	oldS := store.Session{TokenHash: hashOf([]byte("old")), UserID: "u", ExpiresAt: now.Add(-time.Second)}
	freshS := store.Session{TokenHash: hashOf([]byte("fresh")), UserID: "u", ExpiresAt: now.Add(time.Hour)}
	must(t, s.PutSession(ctx, oldS))
	must(t, s.PutSession(ctx, freshS))
	n, err := s.Prune(ctx, now)
	must(t, err)
	if n != 2 {
		t.Fatalf("pruned %d, want 2", n)
	}
	if _, err := s.TakeChallenge(ctx, old.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatal("expired challenge kept")
	}
	if _, err := s.TakeChallenge(ctx, fresh.ID); err != nil {
		t.Fatalf("fresh challenge pruned: %v", err)
	}
	if _, err := s.Session(ctx, oldS.TokenHash); !errors.Is(err, store.ErrNotFound) {
		t.Fatal("expired session kept")
	}
	if _, err := s.Session(ctx, freshS.TokenHash); err != nil {
		t.Fatalf("fresh session pruned: %v", err)
	}
}

func startUpload(t *testing.T, s store.Store, agency string, data []byte) store.Upload {
	t.Helper()
	u, err := s.StartUpload(ctx, store.Upload{ID: randomID(), Agency: agency, SHA256: hashOf(data), Size: int64(len(data)), Created: now})
	must(t, err)
	return u
}

// uploadAll uploads data in chunks of n bytes and returns the final state.
func uploadAll(t *testing.T, s store.Store, agency string, data []byte, n int) store.Upload {
	t.Helper()
	u := startUpload(t, s, agency, data)
	for !u.Complete {
		end := min(int(u.Offset)+n, len(data))
		var err error
		u, err = s.AppendUpload(ctx, u.ID, u.Offset, data[u.Offset:end])
		must(t, err)
	}
	return u
}

func readBlob(t *testing.T, s store.Store, sha string) []byte {
	t.Helper()
	r, err := s.OpenBlob(ctx, sha)
	must(t, err)
	defer r.Close()
	b, err := io.ReadAll(r)
	must(t, err)
	return b
}

func testUpload(t *testing.T, s store.Store) {
	addAgencies(t, s, agencyA, agencyB)
	data := randomBytes(t, 100_000)
	sha := hashOf(data)
	u := startUpload(t, s, agencyA, data)
	if u.Complete || u.Offset != 0 || u.Size != int64(len(data)) || u.SHA256 != sha || u.Agency != agencyA {
		t.Fatalf("new upload %+v", u)
	}
	if _, err := s.Blob(ctx, sha, agencyA); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("blob visible before its upload completed: %v", err)
	}
	u, err := s.AppendUpload(ctx, u.ID, 0, data[:40_000])
	must(t, err)
	if u.Offset != 40_000 || u.Complete {
		t.Fatalf("after one chunk %+v", u)
	}
	kept, err := s.Upload(ctx, u.ID)
	must(t, err)
	if kept.Offset != 40_000 {
		t.Fatalf("kept offset %d, want 40000", kept.Offset)
	}
	if _, err := s.AppendUpload(ctx, u.ID, 40_000, make([]byte, 60_001)); !errors.Is(err, store.ErrTooLarge) {
		t.Fatalf("chunk past the size: %v, want ErrTooLarge", err)
	}
	u, err = s.AppendUpload(ctx, u.ID, 40_000, data[40_000:])
	must(t, err)
	if !u.Complete || u.Offset != u.Size {
		t.Fatalf("final chunk: %+v", u)
	}
	b, err := s.Blob(ctx, sha, agencyA)
	must(t, err)
	if b.Size != int64(len(data)) || b.SHA256 != sha {
		t.Fatalf("blob %+v", b)
	}
	if !bytes.Equal(readBlob(t, s, sha), data) {
		t.Fatal("blob bytes differ from the upload")
	}
	if _, err := s.Blob(ctx, sha, agencyB); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("another agency sees the blob: %v", err)
	}
	if _, err := s.Upload(ctx, u.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("completed upload still listed: %v", err)
	}
	again := startUpload(t, s, agencyA, data)
	if !again.Complete || again.Offset != again.Size {
		t.Fatalf("uploading a blob the agency has: %+v, want Complete", again)
	}
	if _, err := s.AppendUpload(ctx, "no-such-upload", 0, data[:1]); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("append to a missing upload: %v", err)
	}
	if _, err := s.OpenBlob(ctx, hashOf([]byte("missing"))); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("open a missing blob: %v", err)
	}
}

func testUploadWrongOffset(t *testing.T, s store.Store) {
	addAgencies(t, s, agencyA)
	data := randomBytes(t, 1000)
	u := startUpload(t, s, agencyA, data)
	u, err := s.AppendUpload(ctx, u.ID, 0, data[:300])
	must(t, err)
	for _, off := range []int64{0, 299, 301, 1000, -1} {
		_, err := s.AppendUpload(ctx, u.ID, off, data[:10])
		var oe *store.OffsetError
		if !errors.As(err, &oe) || !errors.Is(err, store.ErrWrongOffset) || oe.Offset != 300 {
			t.Fatalf("chunk at %d: %v, want an OffsetError saying 300", off, err)
		}
	}
	kept, _ := s.Upload(ctx, u.ID)
	if kept.Offset != 300 {
		t.Fatalf("a refused chunk moved the offset to %d", kept.Offset)
	}
	u, err = s.AppendUpload(ctx, u.ID, 300, data[300:])
	must(t, err)
	if !u.Complete || !bytes.Equal(readBlob(t, s, u.SHA256), data) {
		t.Fatal("upload did not complete with the right bytes")
	}
}

func testUploadHashMismatch(t *testing.T, s store.Store) {
	addAgencies(t, s, agencyA)
	data := randomBytes(t, 5000)
	u := startUpload(t, s, agencyA, data)
	bad := bytes.Clone(data)
	bad[4000] ^= 0xff
	u, err := s.AppendUpload(ctx, u.ID, 0, bad[:2500])
	must(t, err)
	if _, err := s.AppendUpload(ctx, u.ID, 2500, bad[2500:]); !errors.Is(err, store.ErrHashMismatch) {
		t.Fatalf("wrong bytes: %v, want ErrHashMismatch", err)
	}
	if _, err := s.Blob(ctx, u.SHA256, agencyA); !errors.Is(err, store.ErrNotFound) {
		t.Fatal("a mismatching upload became a blob")
	}
	kept, err := s.Upload(ctx, u.ID)
	must(t, err)
	if kept.Offset != 0 {
		t.Fatalf("offset after a mismatch %d, want 0 (start over)", kept.Offset)
	}
	u, err = s.AppendUpload(ctx, u.ID, 0, data)
	must(t, err)
	if !u.Complete || !bytes.Equal(readBlob(t, s, u.SHA256), data) {
		t.Fatal("the upload did not start over")
	}
}

func testUploadResume(t *testing.T, s store.Store) {
	addAgencies(t, s, agencyA)
	data := randomBytes(t, 3000)
	u := startUpload(t, s, agencyA, data)
	_, err := s.AppendUpload(ctx, u.ID, 0, data[:1000])
	must(t, err)
	again := startUpload(t, s, agencyA, data)
	if again.ID != u.ID || again.Offset != 1000 || again.Complete {
		t.Fatalf("resumed upload %+v, want id %s at 1000", again, u.ID)
	}
	again, err = s.AppendUpload(ctx, again.ID, 1000, data[1000:])
	must(t, err)
	if !again.Complete {
		t.Fatal("resumed upload did not complete")
	}
}

// testUploadOtherAgencyBlob: B cannot learn that A has a blob (no
// existence oracle), yet B can upload the same bytes and then sees it.
func testUploadOtherAgencyBlob(t *testing.T, s store.Store) {
	addAgencies(t, s, agencyA, agencyB)
	data := randomBytes(t, 2000)
	uploadAll(t, s, agencyA, data, 2000)
	u := startUpload(t, s, agencyB, data)
	if u.Complete || u.Offset != 0 {
		t.Fatalf("B starting an upload of A's blob: %+v, want a fresh upload", u)
	}
	wrong := bytes.Clone(data)
	wrong[0] ^= 1
	if _, err := s.AppendUpload(ctx, u.ID, 0, wrong); !errors.Is(err, store.ErrHashMismatch) {
		t.Fatalf("B sending other bytes under A's hash: %v, want ErrHashMismatch", err)
	}
	if _, err := s.Blob(ctx, u.SHA256, agencyB); !errors.Is(err, store.ErrNotFound) {
		t.Fatal("B sees A's blob without having sent its bytes")
	}
	u, err := s.AppendUpload(ctx, u.ID, 0, data)
	must(t, err)
	if !u.Complete {
		t.Fatal("B's upload did not complete")
	}
	if _, err := s.Blob(ctx, u.SHA256, agencyB); err != nil {
		t.Fatalf("B does not see the blob it uploaded: %v", err)
	}
	if !bytes.Equal(readBlob(t, s, u.SHA256), data) {
		t.Fatal("blob damaged by the second upload")
	}
}

func testUploadSizeChanged(t *testing.T, s store.Store) {
	addAgencies(t, s, agencyA)
	data := randomBytes(t, 1000)
	u, err := s.StartUpload(ctx, store.Upload{ID: randomID(), Agency: agencyA, SHA256: hashOf(data), Size: 999, Created: now})
	must(t, err)
	_, err = s.AppendUpload(ctx, u.ID, 0, data[:500])
	must(t, err)
	v := startUpload(t, s, agencyA, data)
	if v.ID == u.ID || v.Offset != 0 || v.Size != 1000 {
		t.Fatalf("upload with another size %+v, want a new one replacing %s", v, u.ID)
	}
	if _, err := s.Upload(ctx, u.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("replaced upload still there: %v", err)
	}
	v, err = s.AppendUpload(ctx, v.ID, 0, data)
	must(t, err)
	if !v.Complete {
		t.Fatal("did not complete")
	}
}

func testUploadEmpty(t *testing.T, s store.Store) {
	addAgencies(t, s, agencyA)
	u := startUpload(t, s, agencyA, nil)
	if !u.Complete {
		var err error
		u, err = s.AppendUpload(ctx, u.ID, 0, nil)
		must(t, err)
	}
	if !u.Complete {
		t.Fatal("empty upload not complete")
	}
	if got := readBlob(t, s, hashOf(nil)); len(got) != 0 {
		t.Fatalf("empty blob holds %d bytes", len(got))
	}
}

// testUploadConcurrentChunks: chunks racing for one offset: one is kept,
// the others are told where to resume; the blob comes out right.
func testUploadConcurrentChunks(t *testing.T, s store.Store) {
	addAgencies(t, s, agencyA)
	data := randomBytes(t, 64_000)
	u := startUpload(t, s, agencyA, data)
	const chunk = 8000
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				cur, err := s.Upload(ctx, u.ID)
				if errors.Is(err, store.ErrNotFound) {
					return // completed
				}
				if err != nil {
					t.Error(err)
					return
				}
				end := min(cur.Offset+chunk, int64(len(data)))
				got, err := s.AppendUpload(ctx, u.ID, cur.Offset, data[cur.Offset:end])
				var oe *store.OffsetError
				switch {
				case errors.As(err, &oe), errors.Is(err, store.ErrNotFound):
				case err != nil:
					t.Error(err)
					return
				case got.Complete:
					return
				}
			}
		}()
	}
	wg.Wait()
	b, err := s.Blob(ctx, u.SHA256, agencyA)
	must(t, err)
	if b.Size != int64(len(data)) || !bytes.Equal(readBlob(t, s, u.SHA256), data) {
		t.Fatal("blob damaged by concurrent chunks")
	}
}

// message builds a send from agency from to recipients with one
// attachment, and the events the server would append.
func message(from string, to []string, attachment string) store.SendCommit {
	id := randomID()
	doc := edoc.Document{From: edoc.Organ{OrganID: from, OrganName: "Cơ quan " + from}, Subject: "Về việc thử nghiệm",
		Code: edoc.Code{CodeNumber: "05", CodeNotation: "QĐ-UBND"}}
	var deliveries []protocol.Delivery
	events := []store.Event{{Feed: store.AgencyFeed(from), Kind: protocol.ChangeSent, MessageID: id, At: now}}
	for _, r := range to {
		doc.To = append(doc.To, edoc.Organ{OrganID: r})
		deliveries = append(deliveries, protocol.Delivery{OrganID: r, Status: edoc.StatusArrived, UpdatedAt: now})
		events = append(events, store.Event{Feed: store.AgencyFeed(r), Kind: protocol.ChangeReceived, MessageID: id, At: now})
	}
	if attachment != "" {
		doc.Attachments = []edoc.Attachment{{Role: edoc.RoleMain, Name: "qd.pdf", ContentType: "application/pdf", SHA256: attachment, Size: 10}}
	}
	clientID := randomID()
	return store.SendCommit{
		Message: store.Message{ID: id, ClientMsgID: clientID, From: from, SentBy: "u1", SentByName: "Nguyễn Văn An", Document: doc,
			Recipients: to, AcceptedAt: now, Deliveries: deliveries,
			Verification: map[string]protocol.Verification{attachment: {Verdict: "valid", At: now, Report: []byte(`{"verdict":"valid"}`)}}},
		Events: events,
		Idem:   store.Idempotency{Agency: from, Key: "msg:" + clientID, Fingerprint: "f1", Status: 201, Answer: []byte(`{"message_id":"` + id + `"}`), At: now},
	}
}

func commitSend(t *testing.T, s store.Store, c store.SendCommit) {
	t.Helper()
	_, ok, err := s.CommitSend(ctx, c)
	must(t, err)
	if !ok {
		t.Fatal("fresh send replayed")
	}
}

func testSend(t *testing.T, s store.Store) {
	addAgencies(t, s, agencyA, agencyB, agencyC)
	data := randomBytes(t, 500)
	uploadAll(t, s, agencyA, data, 500)
	c := message(agencyA, []string{agencyB}, hashOf(data))
	commitSend(t, s, c)

	m, err := s.Message(ctx, c.Message.ID)
	must(t, err)
	if m.From != agencyA || m.ClientMsgID != c.Message.ClientMsgID || m.Document.Subject != "Về việc thử nghiệm" ||
		len(m.Deliveries) != 1 || m.Deliveries[0].Status != edoc.StatusArrived || m.Verification[hashOf(data)].Verdict != "valid" {
		t.Fatalf("message %+v", m)
	}
	if !m.IsParty(agencyA) || !m.IsParty(agencyB) || m.IsParty(agencyC) || m.IsRecipient(agencyA) {
		t.Fatal("IsParty/IsRecipient wrong")
	}
	if _, err := s.Message(ctx, "no-such-message"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing message: %v", err)
	}
	if _, err := s.Blob(ctx, hashOf(data), agencyB); err != nil {
		t.Fatalf("the recipient does not see the attachment: %v", err)
	}
	if _, err := s.Blob(ctx, hashOf(data), agencyC); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a third agency sees the attachment: %v", err)
	}
	for _, f := range []struct {
		feed, kind string
	}{{store.AgencyFeed(agencyA), protocol.ChangeSent}, {store.AgencyFeed(agencyB), protocol.ChangeReceived}} {
		ev, err := s.Changes(ctx, f.feed, 0, 10)
		must(t, err)
		if len(ev) != 1 || ev[0].Seq != 1 || ev[0].Kind != f.kind || ev[0].MessageID != m.ID || ev[0].Feed != f.feed {
			t.Fatalf("feed %s: %+v", f.feed, ev)
		}
	}
	if ev, _ := s.Changes(ctx, store.AgencyFeed(agencyC), 0, 10); len(ev) != 0 {
		t.Fatalf("a third agency's feed has %+v", ev)
	}
	r, err := s.Idempotency(ctx, agencyA, c.Idem.Key)
	must(t, err)
	if r.Fingerprint != "f1" || r.Status != 201 || !bytes.Equal(r.Answer, c.Idem.Answer) {
		t.Fatalf("idempotency record %+v", r)
	}
	if _, err := s.Idempotency(ctx, agencyB, c.Idem.Key); !errors.Is(err, store.ErrNotFound) {
		t.Fatal("idempotency keys are not scoped to the agency")
	}
}

func testSendIdempotent(t *testing.T, s store.Store) {
	addAgencies(t, s, agencyA, agencyB)
	c := message(agencyA, []string{agencyB}, "")
	commitSend(t, s, c)
	second := message(agencyA, []string{agencyB}, "")
	second.Idem.Key = c.Idem.Key
	second.Idem.Fingerprint = "f2"
	prior, ok, err := s.CommitSend(ctx, second)
	must(t, err)
	if ok || prior.Fingerprint != "f1" || !bytes.Equal(prior.Answer, c.Idem.Answer) {
		t.Fatalf("second commit under one key: ok %v, prior %+v", ok, prior)
	}
	if _, err := s.Message(ctx, second.Message.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatal("a replayed key wrote its message")
	}
	if head, _ := s.FeedHead(ctx, store.AgencyFeed(agencyB)); head != 1 {
		t.Fatalf("a replayed key appended events: head %d", head)
	}
	// The same client id in another agency is another key.
	other := message(agencyB, []string{agencyA}, "")
	other.Idem.Key = c.Idem.Key
	commitSend(t, s, other)
}

// testSendConcurrentOneKey: two clients (or a client and its retry)
// committing one key at once: one message.
func testSendConcurrentOneKey(t *testing.T, s store.Store) {
	addAgencies(t, s, agencyA, agencyB)
	key := "msg:" + randomID()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var committed []string
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := message(agencyA, []string{agencyB}, "")
			c.Idem.Key = key
			_, ok, err := s.CommitSend(ctx, c)
			if err != nil {
				t.Error(err)
				return
			}
			if ok {
				mu.Lock()
				committed = append(committed, c.Message.ID)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(committed) != 1 {
		t.Fatalf("%d commits under one key, want 1", len(committed))
	}
	msgs, _, err := s.Messages(ctx, agencyB, store.Inbox, 0, 100)
	must(t, err)
	if len(msgs) != 1 || msgs[0].ID != committed[0] {
		t.Fatalf("inbox holds %d messages, want the one committed", len(msgs))
	}
	if head, _ := s.FeedHead(ctx, store.AgencyFeed(agencyB)); head != 1 {
		t.Fatalf("feed head %d, want 1", head)
	}
}

func testSendMessageIDConflict(t *testing.T, s store.Store) {
	addAgencies(t, s, agencyA, agencyB)
	c := message(agencyA, []string{agencyB}, "")
	commitSend(t, s, c)
	d := message(agencyA, []string{agencyB}, "")
	d.Message.ID = c.Message.ID
	if _, _, err := s.CommitSend(ctx, d); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("an existing message id: %v, want ErrConflict", err)
	}
	if _, err := s.Idempotency(ctx, agencyA, d.Idem.Key); !errors.Is(err, store.ErrNotFound) {
		t.Fatal("a refused send left its idempotency record")
	}
}

func status(m store.Message, from string, st edoc.Status) store.StatusCommit {
	ev := protocol.StatusEvent{MessageID: m.ID, OrganID: from, Status: st, At: now.Add(time.Minute)}
	id := randomID()
	return store.StatusCommit{
		MessageID: m.ID, Event: ev,
		Events: []store.Event{
			{Feed: store.AgencyFeed(m.From), Kind: protocol.ChangeStatus, MessageID: m.ID, At: ev.At, Status: &ev},
			{Feed: store.AgencyFeed(from), Kind: protocol.ChangeStatus, MessageID: m.ID, At: ev.At, Status: &ev},
		},
		Idem: store.Idempotency{Agency: from, Key: "status:" + id, Fingerprint: "s1", Status: 201, Answer: []byte(`{"event":{}}`), At: now},
	}
}

func testStatus(t *testing.T, s store.Store) {
	addAgencies(t, s, agencyA, agencyB, agencyC)
	c := message(agencyA, []string{agencyB, agencyC}, "")
	commitSend(t, s, c)
	sc := status(c.Message, agencyB, edoc.StatusAccepted)
	var seen store.Message
	sc.Check = func(m store.Message) error { seen = m; return nil }
	_, ok, err := s.CommitStatus(ctx, sc)
	must(t, err)
	if !ok || seen.ID != c.Message.ID {
		t.Fatalf("status not committed (ok %v) or Check not given the message", ok)
	}
	m, _ := s.Message(ctx, c.Message.ID)
	if len(m.Statuses) != 1 || m.Statuses[0].Status != edoc.StatusAccepted || m.Statuses[0].OrganID != agencyB {
		t.Fatalf("statuses %+v", m.Statuses)
	}
	if m.Deliveries[0].Status != edoc.StatusAccepted || !m.Deliveries[0].UpdatedAt.Equal(sc.Event.At) || m.Deliveries[1].Status != edoc.StatusArrived {
		t.Fatalf("deliveries %+v", m.Deliveries)
	}
	ev, _ := s.Changes(ctx, store.AgencyFeed(agencyA), 1, 10)
	if len(ev) != 1 || ev[0].Kind != protocol.ChangeStatus || ev[0].Status == nil || ev[0].Status.Status != edoc.StatusAccepted {
		t.Fatalf("sender's feed after the status: %+v", ev)
	}
	missing := status(c.Message, agencyB, edoc.StatusDone)
	missing.MessageID = "no-such-message"
	if _, _, err := s.CommitStatus(ctx, missing); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("status of a missing message: %v", err)
	}
}

func testStatusCheckAborts(t *testing.T, s store.Store) {
	addAgencies(t, s, agencyA, agencyB)
	c := message(agencyA, []string{agencyB}, "")
	commitSend(t, s, c)
	refused := errors.New("transition refused")
	sc := status(c.Message, agencyB, edoc.StatusDone)
	sc.Check = func(store.Message) error { return refused }
	if _, _, err := s.CommitStatus(ctx, sc); !errors.Is(err, refused) {
		t.Fatalf("Check's error: %v", err)
	}
	m, _ := s.Message(ctx, c.Message.ID)
	if len(m.Statuses) != 0 || m.Deliveries[0].Status != edoc.StatusArrived {
		t.Fatal("an aborted status was written")
	}
	if head, _ := s.FeedHead(ctx, store.AgencyFeed(agencyA)); head != 1 {
		t.Fatalf("an aborted status appended events: head %d", head)
	}
	if _, err := s.Idempotency(ctx, agencyB, sc.Idem.Key); !errors.Is(err, store.ErrNotFound) {
		t.Fatal("an aborted status kept its idempotency record")
	}
}

func testStatusIdempotent(t *testing.T, s store.Store) {
	addAgencies(t, s, agencyA, agencyB)
	c := message(agencyA, []string{agencyB}, "")
	commitSend(t, s, c)
	sc := status(c.Message, agencyB, edoc.StatusAccepted)
	_, ok, err := s.CommitStatus(ctx, sc)
	must(t, err)
	if !ok {
		t.Fatal("not committed")
	}
	again := status(c.Message, agencyB, edoc.StatusProcessing)
	again.Idem.Key = sc.Idem.Key
	checked := false
	again.Check = func(store.Message) error { checked = true; return nil }
	prior, ok, err := s.CommitStatus(ctx, again)
	must(t, err)
	if ok || prior.Fingerprint != "s1" || checked {
		t.Fatalf("replayed key: ok %v, prior %+v, checked %v", ok, prior, checked)
	}
	m, _ := s.Message(ctx, c.Message.ID)
	if len(m.Statuses) != 1 {
		t.Fatalf("%d statuses after a replay, want 1", len(m.Statuses))
	}
}

func testBoxes(t *testing.T, s store.Store) {
	addAgencies(t, s, agencyA, agencyB, agencyC)
	var ids []string
	for i := 0; i < 5; i++ {
		c := message(agencyA, []string{agencyB}, "")
		commitSend(t, s, c)
		ids = append(ids, c.Message.ID)
	}
	commitSend(t, s, message(agencyC, []string{agencyA}, ""))
	var got []string
	var after uint64
	for {
		page, last, err := s.Messages(ctx, agencyB, store.Inbox, after, 2)
		must(t, err)
		if len(page) == 0 {
			if last != after {
				t.Fatalf("empty page moved the position from %d to %d", after, last)
			}
			break
		}
		if last <= after {
			t.Fatalf("position went from %d to %d", after, last)
		}
		for _, m := range page {
			got = append(got, m.ID)
		}
		after = last
	}
	if fmt.Sprint(got) != fmt.Sprint(ids) {
		t.Fatalf("inbox of B in pages: %v, want %v (commit order)", got, ids)
	}
	out, _, _ := s.Messages(ctx, agencyA, store.Outbox, 0, 100)
	in, _, _ := s.Messages(ctx, agencyA, store.Inbox, 0, 100)
	if len(out) != 5 || len(in) != 1 || in[0].From != agencyC {
		t.Fatalf("A's outbox %d, inbox %d; want 5 and 1", len(out), len(in))
	}
	none, _, _ := s.Messages(ctx, agencyC, store.Inbox, 0, 100)
	if len(none) != 0 {
		t.Fatalf("C's inbox holds %d", len(none))
	}
}

func testFeed(t *testing.T, s store.Store) {
	addAgencies(t, s, agencyA, agencyB)
	feed := store.AgencyFeed(agencyB)
	if head, err := s.FeedHead(ctx, feed); err != nil || head != 0 {
		t.Fatalf("empty feed head %d, %v", head, err)
	}
	for i := 0; i < 7; i++ {
		commitSend(t, s, message(agencyA, []string{agencyB}, ""))
	}
	head, err := s.FeedHead(ctx, feed)
	must(t, err)
	if head != 7 {
		t.Fatalf("head %d, want 7", head)
	}
	ev, err := s.Changes(ctx, feed, 2, 3)
	must(t, err)
	if len(ev) != 3 || ev[0].Seq != 3 || ev[2].Seq != 5 {
		t.Fatalf("changes after 2, limit 3: %+v", ev)
	}
	ev, _ = s.Changes(ctx, feed, 7, 3)
	if len(ev) != 0 {
		t.Fatalf("changes after the head: %+v", ev)
	}
	ev, _ = s.Changes(ctx, store.UserFeed("u1"), 0, 3)
	if len(ev) != 0 {
		t.Fatalf("a user feed nobody wrote: %+v", ev)
	}
}

// testFeedConcurrentWriters: writers commit sends to one recipient while
// a reader polls the recipient's feed from its last position. The reader
// must see sequences 1, 2, 3 … with no gap and no repeat, each event's
// message committed when the event is read, and every send exactly once.
func testFeedConcurrentWriters(t *testing.T, s store.Store) {
	addAgencies(t, s, agencyA, agencyB, agencyC)
	const writers, each = 6, 15
	feed := store.AgencyFeed(agencyC)
	var wg sync.WaitGroup
	sent := make(chan string, writers*each)
	for w := 0; w < writers; w++ {
		from := agencyA
		if w%2 == 1 {
			from = agencyB
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				c := message(from, []string{agencyC}, "")
				if _, _, err := s.CommitSend(ctx, c); err != nil {
					t.Error(err)
					return
				}
				sent <- c.Message.ID
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()

	seen := map[string]bool{}
	var last uint64
	finished := false
	for !finished || len(seen) < writers*each {
		select {
		case <-done:
			finished = true
		default:
		}
		ev, err := s.Changes(ctx, feed, last, 4)
		must(t, err)
		for _, e := range ev {
			if e.Seq != last+1 {
				t.Fatalf("feed went from %d to %d", last, e.Seq)
			}
			last = e.Seq
			if seen[e.MessageID] {
				t.Fatalf("message %s delivered twice", e.MessageID)
			}
			seen[e.MessageID] = true
			if _, err := s.Message(ctx, e.MessageID); err != nil {
				t.Fatalf("event %d names message %s, not readable: %v", e.Seq, e.MessageID, err)
			}
		}
		if finished && len(ev) == 0 && len(seen) < writers*each {
			t.Fatalf("feed ended at %d events, want %d", len(seen), writers*each)
		}
	}
	close(sent)
	for id := range sent {
		if !seen[id] {
			t.Fatalf("message %s never appeared in the feed", id)
		}
	}
}

func testWaitChange(t *testing.T, s store.Store) {
	addAgencies(t, s, agencyA, agencyB)
	feeds := []string{store.AgencyFeed(agencyB), store.UserFeed("u-b")}
	commitSend(t, s, message(agencyA, []string{agencyB}, ""))
	if err := s.WaitChange(ctx, feeds, []uint64{0, 0}); err != nil {
		t.Fatalf("wait with a change pending: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.WaitChange(cctx, feeds, []uint64{1, 0}); !errors.Is(err, context.Canceled) {
		t.Fatalf("wait on a cancelled context: %v", err)
	}
	// A waiter at the head returns only after a commit; the commit is
	// made once the waiter has started (it may or may not be blocked
	// yet: both are correct, the check is that it returns after it).
	woke := make(chan error, 1)
	started := make(chan struct{})
	go func() {
		close(started)
		woke <- s.WaitChange(ctx, feeds, []uint64{1, 0})
	}()
	<-started
	select {
	case err := <-woke:
		t.Fatalf("wait returned before any commit: %v", err)
	default:
	}
	commitSend(t, s, message(agencyA, []string{agencyB}, ""))
	if err := <-woke; err != nil {
		t.Fatalf("wait after a commit: %v", err)
	}
	// A commit to another feed does not count.
	cctx, cancel = context.WithCancel(ctx)
	go func() {
		defer cancel()
		if _, _, err := s.CommitSend(ctx, message(agencyB, []string{agencyA}, "")); err != nil { // B's feed gets "sent"
			t.Error(err)
		}
	}()
	err := s.WaitChange(cctx, []string{store.UserFeed("u-b")}, []uint64{0})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("wait on a feed nobody wrote: %v, want cancellation", err)
	}
}
