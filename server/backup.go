package server

import (
	"archive/tar"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/vanthuso/vanthu/server/store"
	"github.com/vanthuso/vanthu/server/store/bolt"
)

// Online backup of the bolt store.
//
// GET /backup streams the store's backup (bolt.Store.Backup: a tar of the
// database as one read transaction saw it and the blobs it names) while
// the server goes on serving. It needs "Authorization: Bearer <token>"
// with the token in DIR/backup.token, which Run creates (mode 0600) on
// first start: whoever may read the data directory may take a backup,
// nobody else, loopback or not (a backup is every document). The answer
// ends with the trailer Vanthu-Backup: ok and the sizes as JSON; a
// backup that failed half-way has no such trailer.
//
// Backup (vanthu-server backup) downloads it to a file: a temporary
// file, fsynced, renamed only once the trailer said ok and the tar was
// read through with every blob re-hashed. Restore (vanthu-server
// restore) unpacks it into a data directory's store.

const (
	backupTokenFile = "backup.token"
	trailerBackup   = "Vanthu-Backup"
)

// loadOrCreateToken reads DIR/name, creating it with a random token when
// absent.
func loadOrCreateToken(dir, name string) (string, error) {
	path := filepath.Join(dir, name)
	b, err := os.ReadFile(path)
	if err == nil {
		if t := strings.TrimSpace(string(b)); len(t) >= 32 {
			return t, nil
		}
		return "", fmt.Errorf("%s: too short a token; remove it and start again", path)
	}
	if !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	var raw [32]byte
	rand.Read(raw[:])
	t := hex.EncodeToString(raw[:])
	if err := writeFileAtomic(path, []byte(t+"\n"), 0o600); err != nil {
		return "", err
	}
	return t, nil
}

// serveBackup answers GET /backup.
func (s *Server) serveBackup(w http.ResponseWriter, r *http.Request) {
	b, ok := s.c.Store.(store.Backuper)
	if s.c.BackupToken == "" || !ok {
		http.Error(w, "no online backup here", http.StatusNotFound)
		return
	}
	got, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if subtle.ConstantTimeCompare([]byte(got), []byte(s.c.BackupToken)) != 1 {
		s.log.Warn("backup refused", "reason", "no valid token")
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	// A backup of a large store takes long: no write deadline.
	http.NewResponseController(w).SetWriteDeadline(time.Time{})
	w.Header().Set("Content-Type", "application/x-tar")
	w.Header().Set("Trailer", trailerBackup)
	w.WriteHeader(http.StatusOK)
	start := time.Now()
	info, err := b.Backup(r.Context(), w)
	if err != nil {
		s.log.Error("backup failed", "err", err)
		w.Header().Set(trailerBackup, "failed")
		return
	}
	s.log.Info("backup", "db_bytes", info.DBBytes, "blobs", info.Blobs, "blob_bytes", info.BlobBytes, "ms", time.Since(start).Milliseconds())
	sizes, _ := json.Marshal(info)
	w.Header().Set(trailerBackup, "ok "+string(sizes))
}

// BackupTo downloads an online backup of the server at url (https://
// host:port) serving data directory dir to out: the token and the TLS
// certificate are read from dir. out appears only complete and checked.
func BackupTo(ctx context.Context, dir, url, out string) (store.BackupInfo, error) {
	var info store.BackupInfo
	token, err := os.ReadFile(filepath.Join(dir, backupTokenFile))
	if err != nil {
		return info, fmt.Errorf("backup: %w (start the server once on this data directory: it makes the token)", err)
	}
	pool := x509.NewCertPool()
	if pem, err := os.ReadFile(filepath.Join(dir, tlsDir, "cert.pem")); err == nil {
		pool.AppendCertsFromPEM(pem)
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	req, err := http.NewRequestWithContext(ctx, "GET", strings.TrimSuffix(url, "/")+"/backup", nil)
	if err != nil {
		return info, fmt.Errorf("backup: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(token)))
	resp, err := client.Do(req)
	if err != nil {
		return info, fmt.Errorf("backup: the server does not answer: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return info, fmt.Errorf("backup: the server answered %s: %s", resp.Status, strings.TrimSpace(string(msg)))
	}
	tmp, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".part-*")
	if err != nil {
		return info, fmt.Errorf("backup: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = io.Copy(tmp, resp.Body)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return info, fmt.Errorf("backup: %w", err)
	}
	status, sizes, _ := strings.Cut(resp.Trailer.Get(trailerBackup), " ")
	if status != "ok" {
		return info, errors.New("backup: the server did not finish the backup (see its log); nothing was written")
	}
	if err := json.Unmarshal([]byte(sizes), &info); err != nil {
		return info, fmt.Errorf("backup: the server's summary: %w", err)
	}
	if err := checkBackupFile(tmp.Name(), info); err != nil {
		return info, fmt.Errorf("backup: %w", err)
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return info, fmt.Errorf("backup: %w", err)
	}
	return info, syncParent(out)
}

// checkBackupFile reads a downloaded backup through: the database first,
// then blobs whose bytes hash to their names, as many as the server said.
func checkBackupFile(path string, want store.BackupInfo) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	tr := tar.NewReader(f)
	var got store.BackupInfo
	for i := 0; ; i++ {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("the downloaded backup is damaged: %w", err)
		}
		if i == 0 {
			if h.Name != "server.db" {
				return fmt.Errorf("the downloaded backup starts with %q", h.Name)
			}
			n, err := io.Copy(io.Discard, tr)
			if err != nil {
				return err
			}
			got.DBBytes = n
			continue
		}
		hash := sha256.New()
		n, err := io.Copy(hash, tr)
		if err != nil {
			return err
		}
		if !strings.HasSuffix(h.Name, "/"+hex.EncodeToString(hash.Sum(nil))) {
			return fmt.Errorf("the downloaded backup's %s does not match its SHA-256", h.Name)
		}
		got.Blobs++
		got.BlobBytes += n
	}
	if got != want {
		return fmt.Errorf("the downloaded backup holds %+v, the server wrote %+v", got, want)
	}
	return nil
}

func syncParent(path string) error {
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Restore unpacks the backup file into data directory dir (initialised:
// its settings and TLS files are its own). Its store must be absent or
// fresh (no agency: what init makes), and is then set aside as
// store.empty-<time>; a store with agencies is never replaced.
func Restore(dir, backup string) (bolt.RestoreInfo, error) {
	var info bolt.RestoreInfo
	if _, err := ReadSettings(dir); err != nil {
		return info, fmt.Errorf("restore: %w (run vanthu-server init first)", err)
	}
	storePath := filepath.Join(dir, storeDir)
	if _, err := os.Stat(storePath); err == nil {
		st, err := OpenStore(dir)
		if err != nil {
			return info, fmt.Errorf("restore: %w", err)
		}
		agencies, err := st.Agencies(context.Background(), "", 1)
		st.Close()
		if err != nil {
			return info, fmt.Errorf("restore: %w", err)
		}
		if len(agencies) > 0 {
			return info, fmt.Errorf("restore: %s holds a store with agencies: move it away first (mv %s %s.old)", storePath, storePath, storePath)
		}
		aside := storePath + ".empty-" + time.Now().UTC().Format("20060102T150405Z")
		if err := os.Rename(storePath, aside); err != nil {
			return info, fmt.Errorf("restore: %w", err)
		}
		defer func() {
			if _, err := os.Stat(storePath); errors.Is(err, os.ErrNotExist) {
				os.Rename(aside, storePath) // the restore failed: as it was
			}
		}()
	}
	f, err := os.Open(backup)
	if err != nil {
		return info, fmt.Errorf("restore: %w", err)
	}
	defer f.Close()
	return bolt.Restore(storePath, f)
}
