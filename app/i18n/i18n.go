// Package i18n holds the user-visible text of the desktop client in
// Vietnamese (the default) and English.
//
// # Use
//
// Each package of app/ registers its sentences once, in an init function,
// under keys prefixed with the package's name:
//
//	func init() {
//		i18n.Register(i18n.Catalog{
//			"reader.open": {VI: "Mở văn bản…", EN: "Open document…"},
//			"reader.page": {VI: "Trang %d/%d", EN: "Page %d of %d"},
//		})
//	}
//
// and asks for them with T, formatted with fmt.Sprintf when arguments are
// given. SetLang switches the language for text asked for afterwards
// (screens are rebuilt on a change). A key that was never registered
// comes back as "⟦key⟧", so a missing sentence is visible on screen and in
// golden files, never an empty label; Check lets a test find them all.
//
// Code, comments and keys are English; every sentence has both languages.
package i18n

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
)

// Lang is a user-interface language.
type Lang string

// Languages of the client.
const (
	Vietnamese Lang = "vi"
	English    Lang = "en"
)

// Langs lists the languages in the order a language picker shows them.
var Langs = []Lang{Vietnamese, English}

// Name is how a language calls itself ("Tiếng Việt", "English").
func (l Lang) Name() string {
	if l == English {
		return "English"
	}
	return "Tiếng Việt"
}

// ParseLang maps "vi", "en" (any case, with or without a region such as
// "en_US.UTF-8") to a Lang; anything else is Vietnamese.
func ParseLang(s string) Lang {
	s = strings.ToLower(strings.TrimSpace(s))
	if strings.HasPrefix(s, "en") {
		return English
	}
	return Vietnamese
}

// Text is one sentence in both languages.
type Text struct {
	VI, EN string
}

// Catalog maps keys to sentences.
type Catalog map[string]Text

var (
	mu      sync.RWMutex
	entries = map[string]Text{}
	current atomic.Value // Lang
)

// Register adds c to the catalogue. A key registered twice is a
// programming error and panics, as does a sentence missing a language.
func Register(c Catalog) {
	mu.Lock()
	defer mu.Unlock()
	for k, t := range c {
		if _, dup := entries[k]; dup {
			panic("i18n: key registered twice: " + k)
		}
		if t.VI == "" || t.EN == "" {
			panic("i18n: key without both languages: " + k)
		}
		entries[k] = t
	}
}

// SetLang chooses the language of the text T returns from now on.
func SetLang(l Lang) {
	if l != English {
		l = Vietnamese
	}
	current.Store(l)
}

// Current returns the language in use (Vietnamese unless SetLang chose
// another).
func Current() Lang {
	if l, ok := current.Load().(Lang); ok {
		return l
	}
	return Vietnamese
}

// T returns the sentence for key in the current language, formatted with
// args when there are any.
func T(key string, args ...any) string {
	return In(Current(), key, args...)
}

// In is T in the given language.
func In(l Lang, key string, args ...any) string {
	mu.RLock()
	t, ok := entries[key]
	mu.RUnlock()
	if !ok {
		return "⟦" + key + "⟧"
	}
	s := t.VI
	if l == English {
		s = t.EN
	}
	if len(args) > 0 {
		s = fmt.Sprintf(s, args...)
	}
	return s
}

// Keys returns every registered key, sorted.
func Keys() []string {
	mu.RLock()
	defer mu.RUnlock()
	keys := make([]string, 0, len(entries))
	for k := range entries {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Check reports the sentences whose two languages disagree on their
// formatting verbs (a "%d" in one and not in the other), for tests.
func Check() []string {
	mu.RLock()
	defer mu.RUnlock()
	var bad []string
	for k, t := range entries {
		if verbs(t.VI) != verbs(t.EN) {
			bad = append(bad, k)
		}
	}
	sort.Strings(bad)
	return bad
}

// verbs lists the formatting verbs of s in order, e.g. "%d%s".
func verbs(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' || i+1 >= len(s) {
			continue
		}
		i++
		if s[i] == '%' {
			continue
		}
		for i < len(s) && strings.IndexByte("+-# 0123456789.", s[i]) >= 0 {
			i++
		}
		if i < len(s) {
			b.WriteByte('%')
			b.WriteByte(s[i])
		}
	}
	return b.String()
}
