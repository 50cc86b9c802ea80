package store

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sort"

	bolt "go.etcd.io/bbolt"
)

// Buckets and meta keys (the package doc draws the schema).
var (
	bucketMeta     = []byte("meta")
	bucketDocs     = []byte("docs")
	bucketTime     = []byte("time")
	bucketUnread   = []byte("unread")
	bucketMsgID    = []byte("msgid")
	bucketClientID = []byte("clientid")
	bucketWords    = []byte("words")
	bucketSearch   = []byte("search") // versions 2-4 (migration 5 drops it)
	bucketDocID    = []byte("docid")
	bucketVersions = []byte("versions")
	bucketRefs     = []byte("refs")
	bucketMissing  = []byte("missing")
	bucketOutbox   = []byte("outbox")
	bucketOutboxID = []byte("outboxid")
	bucketStatus   = []byte("status")
	bucketStatusID = []byte("statusid")
	bucketAudit    = []byte("audit")
	bucketCases    = []byte("cases")    // v4: the agency's cases, by id
	bucketActions  = []byte("actions")  // v4: the action queue
	bucketActionID = []byte("actionid") // v4: client action id → queue position
	bucketText     = []byte("text")
	bucketNeedText = []byte("needtext")
	bucketSaved    = []byte("saved")

	keyVersion = []byte("version")
	keyCursor  = []byte("cursor")
)

// boxes are the sub-buckets of time and unread.
var boxes = []Box{BoxInbox, BoxOutbox}

// schemaVersion is the version this code writes.
const schemaVersion = 5

// migration brings a file from version to-1 to version to.
type migration struct {
	to   uint64
	what string
	run  func(s *Store, tx *bolt.Tx) error
}

// migrations, in order; each runs once, all pending ones in one Update.
var migrations = []migration{
	{1, "create documents, outbox, statuses, audit", migrateCreate},
	{2, "indexes (time, unread, ids, search, versions, files); the status outbox as a queue", migrateIndexes},
	{3, "text index, filters, saved searches", migrateText},
	{4, "the agency's cases and the queue of actions on them", migrateWork},
	{5, "inverted index of words and filters (postings), instead of search", migratePostings},
}

func migrateWork(_ *Store, tx *bolt.Tx) error {
	for _, name := range [][]byte{bucketCases, bucketActions, bucketActionID} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	return nil
}

func migrateCreate(_ *Store, tx *bolt.Tx) error {
	for _, name := range [][]byte{bucketMeta, bucketDocs, bucketOutbox, bucketOutboxID, bucketStatus, bucketAudit} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	return nil
}

func migrateIndexes(s *Store, tx *bolt.Tx) error {
	for _, name := range [][]byte{bucketMsgID, bucketClientID, bucketWords, bucketSearch, bucketDocID,
		bucketVersions, bucketRefs, bucketMissing, bucketStatusID} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	for _, parent := range [][]byte{bucketTime, bucketUnread} {
		p, err := tx.CreateBucketIfNotExists(parent)
		if err != nil {
			return err
		}
		for _, box := range boxes {
			if _, err := p.CreateBucketIfNotExists([]byte(box)); err != nil {
				return err
			}
		}
	}
	// Index every document.
	var docs []Document
	err := tx.Bucket(bucketDocs).ForEach(func(k, v []byte) error {
		var d Document
		if err := json.Unmarshal(v, &d); err != nil {
			return fmt.Errorf("document %q: %w", k, err)
		}
		docs = append(docs, d)
		return nil
	})
	if err != nil {
		return err
	}
	for i := range docs {
		if err := s.indexDoc(tx, &docs[i]); err != nil {
			return err
		}
	}
	// Version 1 kept statuses by ClientStatusID: queue them by QueuedAt.
	var statuses []StatusEntry
	err = tx.Bucket(bucketStatus).ForEach(func(k, v []byte) error {
		var e StatusEntry
		if err := json.Unmarshal(v, &e); err != nil {
			return fmt.Errorf("status %q: %w", k, err)
		}
		statuses = append(statuses, e)
		return nil
	})
	if err != nil {
		return err
	}
	sort.SliceStable(statuses, func(i, j int) bool {
		if !statuses[i].QueuedAt.Equal(statuses[j].QueuedAt) {
			return statuses[i].QueuedAt.Before(statuses[j].QueuedAt)
		}
		return statuses[i].ClientStatusID < statuses[j].ClientStatusID
	})
	if err := tx.DeleteBucket(bucketStatus); err != nil {
		return err
	}
	if _, err := tx.CreateBucket(bucketStatus); err != nil {
		return err
	}
	for _, e := range statuses {
		if err := statusQueue.put(tx, e.ClientStatusID, e); err != nil {
			return err
		}
	}
	return nil
}

// migrate checks what the file is and runs the pending migrations in one
// Update. damage is set for a bbolt file that is not a cache.
func (s *Store) migrate() (damage string, err error) {
	var version uint64
	err = s.db.View(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			n := 0
			tx.ForEach(func([]byte, *bolt.Bucket) error { n++; return nil })
			if n > 0 {
				damage = "not a Văn Thư Số cache (no meta bucket)"
			}
			return nil
		}
		v := meta.Get(keyVersion)
		if len(v) != 8 {
			damage = "no schema version"
			return nil
		}
		version = binary.BigEndian.Uint64(v)
		return nil
	})
	if err != nil || damage != "" {
		return damage, err
	}
	if version > schemaVersion {
		return "", fmt.Errorf("open cache %s: made by a newer Văn Thư Số (schema version %d, this one knows %d): update Văn Thư Số", s.path, version, schemaVersion)
	}
	if version == schemaVersion {
		return "", nil
	}
	err = s.update(func(tx *bolt.Tx) error {
		for _, m := range migrations {
			if m.to <= version {
				continue
			}
			if err := m.run(s, tx); err != nil {
				return fmt.Errorf("migration to version %d (%s): %w", m.to, m.what, err)
			}
		}
		return tx.Bucket(bucketMeta).Put(keyVersion, u64(schemaVersion))
	})
	if err != nil {
		return "", fmt.Errorf("open cache: %w", err)
	}
	return "", nil
}

// u64 is v big-endian.
func u64(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}
