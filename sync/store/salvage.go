package store

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/vanthuso/vanthu/sync/protocol"
	bolt "go.etcd.io/bbolt"
)

// salvaged is what could be read of a damaged cache.
type salvaged struct {
	entries  []OutboxEntry
	statuses []StatusEntry
	actions  []ActionEntry
	docs     map[string]Document // by key
	lost     []string
}

// rebuildSuffix names the file that says a rebuild is under way: the
// damaged file's new name and why, written before it is renamed and
// removed once what it held is carried over, so that a crash in between
// finishes the carrying at the next Open.
const rebuildSuffix = ".rebuild"

// rebuild sets the damaged file at path aside, makes a new cache and
// carries into it what can be read of the old one.
func rebuild(path, blobDir string, o Options, damage string) (*Store, error) {
	aside := path + ".damaged-" + time.Now().UTC().Format("20060102T150405.000000000Z")
	if err := writeSynced(path+rebuildSuffix, aside+"\n"+damage+"\n"); err != nil {
		return nil, fmt.Errorf("open cache: %w", err)
	}
	if err := os.Rename(path, aside); err != nil {
		os.Remove(path + rebuildSuffix)
		return nil, fmt.Errorf("open cache: set the damaged cache aside (%s): %w", damage, err)
	}
	os.Remove(path + cleanSuffix)
	if err := syncDir(filepath.Dir(path)); err != nil {
		return nil, fmt.Errorf("open cache: %w", err)
	}
	s, again, err := openFile(path, blobDir, o)
	if err != nil {
		return nil, err
	}
	if again != "" {
		return nil, fmt.Errorf("open cache: the new cache is damaged too: %s", again)
	}
	if err := s.finishRebuild(); err != nil {
		s.db.Close()
		return nil, err
	}
	return s, nil
}

// finishRebuild carries what can be read of the damaged file named in
// path.rebuild into s (what s holds already is kept as it is), then
// removes path.rebuild. Nothing to do without path.rebuild.
func (s *Store) finishRebuild() error {
	text, err := os.ReadFile(s.path + rebuildSuffix)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open cache: %w", err)
	}
	aside, damage, _ := strings.Cut(strings.TrimSuffix(string(text), "\n"), "\n")
	if _, err := os.Stat(aside); err != nil || !strings.HasPrefix(aside, s.path+".damaged-") {
		// Torn before the rename: the file was not set aside.
		return removeSynced(s.path + rebuildSuffix)
	}
	got := salvage(aside)
	rec := &Recovery{DamagedPath: aside, Reason: damage, Lost: got.lost}
	err = s.update(func(tx *bolt.Tx) error {
		for _, d := range got.docs {
			if tx.Bucket(bucketDocs).Get([]byte(d.Key)) != nil || (d.MessageID != "" && keyByMessageID(tx, d.MessageID) != nil) {
				continue
			}
			if err := s.putDoc(tx, &d); err != nil {
				return err
			}
			rec.Documents++
		}
		for _, e := range got.entries {
			if outboxQueue.has(tx, e.ClientMsgID) {
				continue
			}
			if err := outboxQueue.put(tx, e.ClientMsgID, e); err != nil {
				return err
			}
			rec.Outbox++
		}
		for _, e := range got.statuses {
			if statusQueue.has(tx, e.ClientStatusID) {
				continue
			}
			if err := statusQueue.put(tx, e.ClientStatusID, e); err != nil {
				return err
			}
			rec.Statuses++
		}
		for _, e := range got.actions {
			if actionQueue.has(tx, e.ClientActionID) {
				continue
			}
			if err := actionQueue.put(tx, e.ClientActionID, e); err != nil {
				return err
			}
			rec.Actions++
		}
		return s.audit(tx, "recovered", "", fmt.Sprintf("damaged cache set aside as %s (%s): %d outbox entries, %d statuses, %d actions, %d documents carried over",
			aside, damage, rec.Outbox, rec.Statuses, rec.Actions, rec.Documents))
	})
	if err != nil {
		return fmt.Errorf("open cache: carry over from the damaged cache: %w", err)
	}
	s.recovered = rec
	return removeSynced(s.path + rebuildSuffix)
}

// writeSynced writes a small file and fsyncs it and its directory.
func writeSynced(path, text string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = f.WriteString(text)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return err
	}
	return syncDir(filepath.Dir(path))
}

// removeSynced removes a file and fsyncs its directory.
func removeSynced(path string) error {
	if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
		return err
	}
	return syncDir(filepath.Dir(path))
}

// salvage reads the unsent outbox and status entries and their
// documents from a copy of the damaged file (a failed open of the file
// itself may still hold its lock), each bucket on its own, a panic or
// memory fault of a corrupt page caught.
func salvage(damaged string) salvaged {
	got := salvaged{docs: map[string]Document{}}
	if fi, err := os.Stat(damaged); err != nil || fi.Size() == 0 {
		got.lost = append(got.lost, "everything: an empty file")
		return got
	}
	cp := damaged + ".salvage"
	defer os.Remove(cp)
	if err := copyFile(damaged, cp); err != nil {
		got.lost = append(got.lost, "everything: copy: "+err.Error())
		return got
	}
	db, damage, err := openReadOnly(cp)
	if err != nil || damage != "" {
		got.lost = append(got.lost, fmt.Sprintf("everything: %v%s", err, damage))
		return got
	}
	defer closeQuietly(db)
	seen := map[string]bool{}
	read := func(what string, fn func(tx *bolt.Tx)) {
		var damage string
		func() {
			defer catchDamage(&damage)
			defer faultsPanic()()
			db.View(func(tx *bolt.Tx) error { fn(tx); return nil })
		}()
		if damage != "" {
			got.lost = append(got.lost, what+": "+damage)
		}
	}
	read("outbox", func(tx *bolt.Tx) {
		eachValue(tx, bucketOutbox, func(v []byte) {
			var e OutboxEntry
			if json.Unmarshal(v, &e) == nil && e.State != OutboxSent && validKey(e.ClientMsgID) && !seen["o"+e.ClientMsgID] {
				seen["o"+e.ClientMsgID] = true
				got.entries = append(got.entries, e)
			}
		})
	})
	read("statuses", func(tx *bolt.Tx) {
		eachValue(tx, bucketStatus, func(v []byte) {
			var e StatusEntry
			if json.Unmarshal(v, &e) == nil && validKey(e.ClientStatusID) && !seen["s"+e.ClientStatusID] {
				seen["s"+e.ClientStatusID] = true
				got.statuses = append(got.statuses, e)
			}
		})
	})
	read("actions", func(tx *bolt.Tx) {
		eachValue(tx, bucketActions, func(v []byte) {
			var e ActionEntry
			if json.Unmarshal(v, &e) == nil && protocol.ValidClientID(e.ClientActionID) && !seen["a"+e.ClientActionID] {
				seen["a"+e.ClientActionID] = true
				got.actions = append(got.actions, e)
			}
		})
	})
	for _, e := range got.entries {
		read("document "+e.ClientMsgID, func(tx *bolt.Tx) {
			if d, ok := readDoc(tx, []byte(e.ClientMsgID)); ok {
				got.docs[d.Key] = d
			}
		})
		if _, ok := got.docs[e.ClientMsgID]; !ok {
			got.docs[e.ClientMsgID] = Document{Key: e.ClientMsgID, ClientMsgID: e.ClientMsgID, Box: BoxOutbox,
				Doc: e.Request.Document, From: e.Request.Document.From, QueuedAt: e.QueuedAt, Read: true}
		}
	}
	for _, e := range got.statuses {
		read("document of status "+e.ClientStatusID, func(tx *bolt.Tx) {
			key := []byte(e.MessageID)
			if b := tx.Bucket(bucketMsgID); b != nil {
				if k := b.Get(key); k != nil {
					key = k
				}
			}
			if d, ok := readDoc(tx, key); ok && d.MessageID == e.MessageID {
				got.docs[d.Key] = d
			}
		})
	}
	return got
}

func readDoc(tx *bolt.Tx, key []byte) (Document, bool) {
	b := tx.Bucket(bucketDocs)
	if b == nil {
		return Document{}, false
	}
	var d Document
	v := b.Get(key)
	if v == nil || json.Unmarshal(v, &d) != nil || d.Key != string(key) || !validKey(d.Key) ||
		(d.Box != BoxInbox && d.Box != BoxOutbox) {
		return Document{}, false
	}
	return d, true
}

func eachValue(tx *bolt.Tx, name []byte, fn func(v []byte)) {
	b := tx.Bucket(name)
	if b == nil {
		return
	}
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if v != nil {
			fn(v)
		}
	}
}

func openReadOnly(path string) (db *bolt.DB, damage string, err error) {
	defer catchDamage(&damage)
	defer faultsPanic()()
	db, err = bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	return db, "", err
}

func closeQuietly(db *bolt.DB) {
	defer func() { recover() }()
	db.Close()
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
