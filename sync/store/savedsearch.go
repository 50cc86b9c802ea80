package store

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/text/unicode/norm"

	"github.com/vanthuso/vanthu/edoc"
)

// Saved search limits.
const (
	maxSavedName  = 100 // characters
	maxSavedCount = 200
)

// SavedSearch is a named Query kept in the cache ("Văn bản khẩn của Sở
// Tài chính"). Its Query has no Limit, After or Today.
type SavedSearch struct {
	Name    string    `json:"name"`
	Query   Query     `json:"query"`
	SavedAt time.Time `json:"saved_at"` // local clock, display only
}

// savedName checks a saved search's name and returns it in NFC, the form
// it is stored and looked up by.
func savedName(name string) (string, error) {
	if !utf8.ValidString(name) {
		return "", fmt.Errorf("name is not valid UTF-8")
	}
	name = norm.NFC.String(strings.TrimSpace(name))
	if name == "" {
		return "", fmt.Errorf("empty name")
	}
	if n := utf8.RuneCountInString(name); n > maxSavedName {
		return "", fmt.Errorf("name of %d characters, at most %d", n, maxSavedName)
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return "", fmt.Errorf("name with a control character")
		}
	}
	return name, nil
}

// SaveSearch stores q under name (trimmed, in NFC; 1 to 100 characters
// without control characters), replacing a search of that name. The
// query must be valid for Find; its Limit, After and Today are not kept.
// At most 200 saved searches.
func (s *Store) SaveSearch(name string, q Query) error {
	name, err := savedName(name)
	if err != nil {
		return fmt.Errorf("save search: %w", err)
	}
	if _, err := compile(q); err != nil {
		return fmt.Errorf("save search %q: %w", name, err)
	}
	q.Limit, q.After, q.Today = 0, "", edoc.Date{}
	data, err := json.Marshal(SavedSearch{Name: name, Query: q, SavedAt: time.Now()})
	if err != nil {
		return fmt.Errorf("save search %q: %w", name, err)
	}
	err = s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSaved)
		if b.Get([]byte(name)) == nil && b.Stats().KeyN >= maxSavedCount {
			return fmt.Errorf("already %d saved searches: delete one first", maxSavedCount)
		}
		return b.Put([]byte(name), data)
	})
	if err != nil {
		return fmt.Errorf("save search %q: %w", name, err)
	}
	return nil
}

// SavedSearches lists the saved searches by name (diacritic-insensitive
// order, then by the exact name).
func (s *Store) SavedSearches() ([]SavedSearch, error) {
	var out []SavedSearch
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSaved).ForEach(func(k, v []byte) error {
			var ss SavedSearch
			if err := json.Unmarshal(v, &ss); err != nil {
				return fmt.Errorf("saved search %q: %w", k, err)
			}
			out = append(out, ss)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("saved searches: %w", err)
	}
	sort.SliceStable(out, func(i, j int) bool {
		fi, fj := edoc.Fold(out[i].Name), edoc.Fold(out[j].Name)
		if fi != fj {
			return fi < fj
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}

// DeleteSearch removes the saved search of that name (as SaveSearch
// normalises it); ErrNotFound.
func (s *Store) DeleteSearch(name string) error {
	name, err := savedName(name)
	if err != nil {
		return fmt.Errorf("delete search: %w", err)
	}
	err = s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSaved)
		if b.Get([]byte(name)) == nil {
			return fmt.Errorf("saved search %q: %w", name, ErrNotFound)
		}
		return b.Delete([]byte(name))
	})
	if err != nil {
		return fmt.Errorf("delete search: %w", err)
	}
	return nil
}
