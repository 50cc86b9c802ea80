// Package profile keeps, in one folder, what a client needs to work with
// one server as one user: the cache, the server's address and CA, the
// session, and the agency directory as last fetched. The desktop client
// keeps one such folder per server and user; `vanthuctl sync` uses the
// same layout in its --cache folder.
//
// # Folder
//
//	DIR/cache.db         the client cache (sync/store), its blobs in cache.db.blobs/
//	DIR/server.json      Config: {"server": URL, "ca": bool, "session": {…}}, mode 0600
//	DIR/server-ca.pem    the roots the server's TLS certificate chains to (Config.CA)
//	DIR/directory.json   the agency directory (edoc.WriteDirectoryJSON), so that
//	                     recipients can be chosen offline
//
// Files are written atomically (a synced temporary file renamed over the
// old one): a crash leaves the old file or the new one, never half of one.
//
// # Folders per server and user
//
// UserDir(root, server, user) is root/<server>/<user>, both parts made
// safe as file names (Key), so that two users of one workstation, or one
// user of two servers, never share a cache.
package profile

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/sync/client"
	"github.com/vanthuso/vanthu/sync/protocol"
	"github.com/vanthuso/vanthu/sync/store"
)

// Names of the folder's files.
const (
	CacheFile     = "cache.db"
	ConfigFile    = "server.json"
	CAFile        = "server-ca.pem"
	DirectoryFile = "directory.json"
)

// Config is server.json: the server, whether CAFile holds its roots, and
// the last session.
type Config struct {
	Server  string           `json:"server"`
	CA      bool             `json:"ca,omitempty"`
	Session protocol.Session `json:"session"`
}

// Load reads DIR/server.json. A folder without one gives an error
// matching fs.ErrNotExist; a damaged one, or one without a server, a
// plain error.
func Load(dir string) (Config, error) {
	var c Config
	path := filepath.Join(dir, ConfigFile)
	data, err := os.ReadFile(path)
	if err != nil {
		return c, fmt.Errorf("read %s: %w", path, err)
	}
	if err := json.Unmarshal(data, &c); err != nil {
		return c, fmt.Errorf("read %s: %w", path, err)
	}
	if c.Server == "" {
		return c, fmt.Errorf("read %s: no server", path)
	}
	return c, nil
}

// Save writes DIR/server.json atomically, readable by its owner only (it
// holds the session), making DIR (mode 0700) when needed.
func Save(dir string, c Config) error {
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return fmt.Errorf("save %s: %w", ConfigFile, err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("save %s: %w", ConfigFile, err)
	}
	if err := WriteFileAtomic(filepath.Join(dir, ConfigFile), append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("save %s: %w", ConfigFile, err)
	}
	return nil
}

// Valid reports whether s is a session that lasts beyond now plus
// margin (a session about to expire is not worth starting with).
func Valid(s protocol.Session, now time.Time, margin time.Duration) bool {
	return s.Token != "" && s.ExpiresAt.After(now.Add(margin))
}

// CAPool parses PEM certificates into a pool; PEM without a certificate
// is an error.
func CAPool(pem []byte) (*x509.CertPool, error) {
	p := x509.NewCertPool()
	if !p.AppendCertsFromPEM(pem) {
		return nil, errors.New("no PEM certificate")
	}
	return p, nil
}

// SaveCA checks that pem holds certificates and writes it as DIR/server-ca.pem.
func SaveCA(dir string, pem []byte) error {
	if _, err := CAPool(pem); err != nil {
		return fmt.Errorf("save server CA: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("save server CA: %w", err)
	}
	if err := WriteFileAtomic(filepath.Join(dir, CAFile), pem, 0o644); err != nil {
		return fmt.Errorf("save server CA: %w", err)
	}
	return nil
}

// NewClient makes the client of c: its server, the roots of DIR/server-ca.pem
// when c.CA (else the system's), the system proxy (client.SystemProxy),
// and c.Session.
func NewClient(dir string, c Config, userAgent string) (*client.Client, error) {
	var roots *x509.CertPool
	if c.CA {
		path := filepath.Join(dir, CAFile)
		pem, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("server CA: %w", err)
		}
		if roots, err = CAPool(pem); err != nil {
			return nil, fmt.Errorf("server CA %s: %w", path, err)
		}
	}
	cl, err := client.New(client.Config{BaseURL: c.Server, RootCAs: roots, Proxy: client.SystemProxy(), UserAgent: userAgent})
	if err != nil {
		return nil, err
	}
	if c.Session.Token != "" {
		cl.SetSession(c.Session)
	}
	return cl, nil
}

// OpenStore opens (or creates) the folder's cache; errors as store.Open
// (store.ErrAlreadyOpen when another process holds it).
func OpenStore(dir string, o store.Options) (*store.Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open cache: %w", err)
	}
	return store.Open(filepath.Join(dir, CacheFile), o)
}

// ReadDirectory reads DIR/directory.json; an error matching
// fs.ErrNotExist when the directory was never fetched.
func ReadDirectory(dir string) (*edoc.Directory, error) {
	path := filepath.Join(dir, DirectoryFile)
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read directory: %w", err)
	}
	defer f.Close()
	entries, err := edoc.ReadDirectoryJSON(f)
	if err != nil {
		return nil, fmt.Errorf("read directory %s: %w", path, err)
	}
	d, err := edoc.NewDirectory(entries)
	if err != nil {
		return nil, fmt.Errorf("read directory %s: %w", path, err)
	}
	return d, nil
}

// WriteDirectory writes d as DIR/directory.json, atomically.
func WriteDirectory(dir string, d *edoc.Directory) error {
	var b bytes.Buffer
	if err := edoc.WriteDirectoryJSON(&b, d.Entries()); err != nil {
		return fmt.Errorf("write directory: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("write directory: %w", err)
	}
	if err := WriteFileAtomic(filepath.Join(dir, DirectoryFile), b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write directory: %w", err)
	}
	return nil
}

// DirectoryLister is the part of *client.Client FetchDirectory uses.
type DirectoryLister interface {
	Directory(ctx context.Context, q, after string, limit int) (protocol.DirectoryPage, error)
}

// maxDirectoryPages bounds FetchDirectory against a server that never
// says the last page.
const maxDirectoryPages = 10000

// FetchDirectory reads the whole agency directory of the server
// (GET /v1/directory, page after page). A server whose pages do not
// advance, or whose entries edoc refuses, is an error.
func FetchDirectory(ctx context.Context, c DirectoryLister) (*edoc.Directory, error) {
	var entries []edoc.DirectoryEntry
	after := ""
	for range maxDirectoryPages {
		p, err := c.Directory(ctx, "", after, 0)
		if err != nil {
			return nil, fmt.Errorf("fetch directory: %w", err)
		}
		for _, a := range p.Agencies {
			entries = append(entries, edoc.DirectoryEntry{Code: a.Code, Name: a.Name, Parent: a.Parent, Email: a.Email})
		}
		if p.Next == "" {
			d, err := edoc.NewDirectory(entries)
			if err != nil {
				return nil, fmt.Errorf("fetch directory: %w", err)
			}
			return d, nil
		}
		if p.Next <= after {
			return nil, fmt.Errorf("fetch directory: the server's next page %q does not follow %q", p.Next, after)
		}
		after = p.Next
	}
	return nil, fmt.Errorf("fetch directory: more than %d pages", maxDirectoryPages)
}

// Key is a file name for s: its letters, digits, dots and dashes (others
// become "_", at most 40), then a dash and 12 hex digits of its SHA-256,
// so that two different strings never share a key, and a key never
// names a parent folder or a path.
func Key(s string) string {
	var b strings.Builder
	for _, r := range s {
		if b.Len() >= 40 {
			break
		}
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '.' && b.Len() > 0:
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	sum := sha256.Sum256([]byte(s))
	return b.String() + "-" + hex.EncodeToString(sum[:6])
}

// ServerKey is Key of the server address's host and port (scheme, path
// and case aside: "https://VanThu.gov.vn/" and "vanthu.gov.vn:443" are
// one server).
func ServerKey(server string) string {
	s := strings.TrimSpace(server)
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	if u, err := url.Parse(s); err == nil && u.Host != "" {
		host, port := strings.ToLower(u.Hostname()), u.Port()
		if port == "" || (port == "443" && u.Scheme == "https") {
			return Key(host)
		}
		return Key(host + "_" + port)
	}
	return Key(server)
}

// UserDir is the folder of user at server under root.
func UserDir(root, server, user string) string {
	return filepath.Join(root, ServerKey(server), Key(user))
}

// WriteFileAtomic writes data to a synced temporary file next to path,
// with mode, renames it over path and syncs the folder: path is the old
// file or the new one, never a part; on error nothing is left.
func WriteFileAtomic(path string, data []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	err = tmp.Chmod(mode)
	if err == nil {
		_, err = tmp.Write(data)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(name, path)
	}
	if err != nil {
		os.Remove(name)
		return err
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync() // best effort: Windows cannot sync a folder
		d.Close()
	}
	return nil
}
