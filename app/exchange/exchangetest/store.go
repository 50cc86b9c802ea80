package exchangetest

import (
	"bytes"
	"path/filepath"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/sync/protocol"
	"github.com/vanthuso/vanthu/sync/store"
)

// OpenStore opens a fresh client cache (the real sync/store) in a
// temporary folder, closed when the test ends.
func OpenStore(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "cache.db"), store.Options{User: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// Receive applies messages as the feed brings them: each a ChangeReceived
// at its AcceptedAt (the inbox's received time), in one Apply.
func Receive(t testing.TB, st *store.Store, msgs ...protocol.Message) {
	t.Helper()
	var ch []protocol.Change
	for i := range msgs {
		ch = append(ch, protocol.Change{Kind: protocol.ChangeReceived, MessageID: msgs[i].ID, At: msgs[i].AcceptedAt, Message: &msgs[i]})
	}
	if _, err := st.Apply(ch, "c"+time.Now().Format(time.RFC3339Nano)); err != nil {
		t.Fatal(err)
	}
}

// PutBlob stores b in st and returns its SHA-256 and size.
func PutBlob(t testing.TB, st *store.Store, b []byte) (string, int64) {
	t.Helper()
	sha, n, err := st.PutBlob(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return sha, n
}
