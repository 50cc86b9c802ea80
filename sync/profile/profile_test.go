package profile

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/sync/protocol"
	"github.com/vanthuso/vanthu/sync/store"
)

func TestSaveLoad(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	if _, err := Load(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Load of a folder never saved: %v, want fs.ErrNotExist", err)
	}
	want := Config{Server: "https://vanthu.example.gov.vn", CA: true, Session: protocol.Session{Token: "tok",
		ExpiresAt: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC), User: protocol.User{ID: "u1", Name: "Văn thư"}}}
	if err := Save(dir, want); err != nil {
		t.Fatal(err)
	}
	got, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got.Server != want.Server || !got.CA || got.Session.Token != "tok" || !got.Session.ExpiresAt.Equal(want.Session.ExpiresAt) || got.Session.User.Name != "Văn thư" {
		t.Errorf("loaded %+v, want %+v", got, want)
	}
	st, err := os.Stat(filepath.Join(dir, ConfigFile))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("server.json mode %v (%v), want 0600: it holds the session", st.Mode().Perm(), err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("the folder holds %d files after Save, want server.json alone (no temporary file left)", len(entries))
	}
	// Damaged, or without a server: an error, and not "never saved".
	for _, bad := range []string{"{", `{"ca": true}`, ""} {
		os.WriteFile(filepath.Join(dir, ConfigFile), []byte(bad), 0o600)
		if _, err := Load(dir); err == nil || errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Load of %q: %v, want a damage error", bad, err)
		}
	}
}

func TestValid(t *testing.T) {
	now := time.Now()
	for _, c := range []struct {
		s    protocol.Session
		want bool
	}{
		{protocol.Session{Token: "t", ExpiresAt: now.Add(time.Hour)}, true},
		{protocol.Session{Token: "t", ExpiresAt: now.Add(30 * time.Second)}, false}, // about to expire
		{protocol.Session{Token: "t", ExpiresAt: now.Add(-time.Hour)}, false},
		{protocol.Session{ExpiresAt: now.Add(time.Hour)}, false}, // no token
	} {
		if got := Valid(c.s, now, time.Minute); got != c.want {
			t.Errorf("Valid(%v after now) = %v, want %v", c.s.ExpiresAt.Sub(now).Round(time.Second), got, c.want)
		}
	}
}

// A user id or a server address comes from the server, or from whoever
// typed it: it must never name a folder outside the root, nor another
// user's.
func TestKeyHostile(t *testing.T) {
	root := t.TempDir()
	inputs := []string{"../../etc", "..", ".", "a/b", `a\b`, `C:\x`, "/abs", "", "van-thu-stc", "van_thu_stc",
		"Văn thư", "Van thu", strings.Repeat("x", 500), strings.Repeat("x", 501), "a\x00b", ".hidden"}
	seen := map[string]string{}
	for _, in := range inputs {
		k := Key(in)
		if k == "" || k == "." || k == ".." || strings.ContainsAny(k, `/\:`+"\x00") || strings.HasPrefix(k, ".") {
			t.Errorf("Key(%q) = %q: not a plain file name", in, k)
		}
		if prev, dup := seen[k]; dup {
			t.Errorf("Key(%q) = Key(%q) = %q: two users would share a folder", in, prev, k)
		}
		seen[k] = in
		dir := UserDir(root, in, in)
		rel, err := filepath.Rel(root, dir)
		if err != nil || strings.HasPrefix(rel, "..") || strings.Count(rel, string(filepath.Separator)) != 1 {
			t.Errorf("UserDir(root, %q, %q) = %s: not two levels under the root", in, in, dir)
		}
	}
	if Key("van-thu-stc") != Key("van-thu-stc") {
		t.Error("Key is not stable")
	}
}

func TestServerKey(t *testing.T) {
	same := []string{"https://VanThu.gov.vn/", "vanthu.gov.vn", "https://vanthu.gov.vn:443", " https://vanthu.gov.vn/api "}
	for _, s := range same[1:] {
		if ServerKey(s) != ServerKey(same[0]) {
			t.Errorf("ServerKey(%q) = %s, ServerKey(%q) = %s: one server, two folders", s, ServerKey(s), same[0], ServerKey(same[0]))
		}
	}
	for _, other := range []string{"https://vanthu.gov.vn:8443", "https://vanthu2.gov.vn", "http://vanthu.gov.vn:443"} {
		if ServerKey(other) == ServerKey(same[0]) {
			t.Errorf("ServerKey(%q) is the key of %q: two servers would share a cache", other, same[0])
		}
	}
}

// pages is a directory served page by page, as GET /v1/directory does.
type pages struct {
	pages [][]protocol.Agency
	next  []string
	calls int
}

func (p *pages) Directory(_ context.Context, q, after string, limit int) (protocol.DirectoryPage, error) {
	p.calls++
	i := 0
	for i < len(p.next) && after != "" && p.next[i] != after {
		i++
	}
	if after != "" {
		i++
	}
	if i >= len(p.pages) {
		return protocol.DirectoryPage{}, fmt.Errorf("no page after %q", after)
	}
	pg := protocol.DirectoryPage{Agencies: p.pages[i]}
	if i < len(p.next) {
		pg.Next = p.next[i]
	}
	return pg, nil
}

func TestFetchDirectory(t *testing.T) {
	demo := edoc.DemoDirectory().Entries()
	var agencies []protocol.Agency
	for _, e := range demo {
		agencies = append(agencies, protocol.Agency{Code: e.Code, Name: e.Name, Parent: e.Parent, Email: e.Email})
	}
	src := &pages{pages: [][]protocol.Agency{agencies[:1], agencies[1:2], agencies[2:]}, next: []string{agencies[0].Code, agencies[1].Code}}
	d, err := FetchDirectory(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	if d.Len() != len(demo) || src.calls != 3 {
		t.Fatalf("%d agencies in %d calls, want %d in 3", d.Len(), src.calls, len(demo))
	}
	dir := t.TempDir()
	if _, err := ReadDirectory(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadDirectory before any write: %v, want fs.ErrNotExist", err)
	}
	if err := WriteDirectory(dir, d); err != nil {
		t.Fatal(err)
	}
	back, err := ReadDirectory(dir)
	if err != nil || back.Len() != d.Len() {
		t.Fatalf("read back %v entries: %v", back, err)
	}
	if _, ok := back.Lookup(edoc.DemoFinance); !ok {
		t.Errorf("Sở Tài chính is not in the directory read back")
	}
	os.WriteFile(filepath.Join(dir, DirectoryFile), []byte(`[{"code":"not a code","name":"x"}]`), 0o644)
	if _, err := ReadDirectory(dir); err == nil {
		t.Error("a damaged directory.json was read")
	}
}

// A server that never says the last page, or sends it back to an
// earlier one, must not keep the client fetching for ever; entries the
// domain refuses are refused.
func TestFetchDirectoryHostile(t *testing.T) {
	a := []protocol.Agency{{Code: edoc.DemoProvince, Name: "UBND tỉnh Nghệ An"}}
	loop := &pages{pages: [][]protocol.Agency{a, a}, next: []string{edoc.DemoProvince, edoc.DemoProvince}}
	if _, err := FetchDirectory(context.Background(), loop); err == nil || loop.calls > 3 {
		t.Errorf("a page that does not advance: %v after %d calls", err, loop.calls)
	}
	back := &pages{pages: [][]protocol.Agency{a, a}, next: []string{"000.00.00.H41", "000.00.00.A01"}}
	if _, err := FetchDirectory(context.Background(), back); err == nil {
		t.Error("a next page before the current one was followed")
	}
	bad := &pages{pages: [][]protocol.Agency{{{Code: "../x", Name: "x"}}}}
	if _, err := FetchDirectory(context.Background(), bad); err == nil {
		t.Error("an agency with a malformed mã định danh was accepted")
	}
}

func TestClientAndStore(t *testing.T) {
	dir := t.TempDir()
	if _, err := NewClient(dir, Config{Server: "https://127.0.0.1:1", CA: true}, "test"); err == nil {
		t.Error("a client was made with CA set and no CA file")
	}
	if err := SaveCA(dir, []byte("not pem")); err == nil {
		t.Error("SaveCA took a file without certificates")
	}
	if err := SaveCA(dir, selfSignedPEM(t)); err != nil {
		t.Fatal(err)
	}
	sess := protocol.Session{Token: "tok", ExpiresAt: time.Now().Add(time.Hour)}
	c, err := NewClient(dir, Config{Server: "https://127.0.0.1:1", CA: true, Session: sess}, "test")
	if err != nil {
		t.Fatal(err)
	}
	if c.Session().Token != "tok" {
		t.Error("the saved session is not the client's")
	}
	if _, err := NewClient(dir, Config{Server: "http://vanthu.example.gov.vn"}, "test"); err == nil {
		t.Error("plain http to another machine was accepted")
	}
	s, err := OpenStore(filepath.Join(dir, "u"), store.Options{Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := os.Stat(filepath.Join(dir, "u", CacheFile)); err != nil {
		t.Errorf("the cache is not the folder's %s: %v", CacheFile, err)
	}
}

func selfSignedPEM(t *testing.T) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}
