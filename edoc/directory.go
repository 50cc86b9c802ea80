package edoc

import (
	"cmp"
	"fmt"
	"math/bits"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"
)

// DirectoryEntry is one agency of the directory.
type DirectoryEntry struct {
	Code    string `json:"code"` // mã định danh, canonical
	Name    string `json:"name"`
	Parent  string `json:"parent,omitempty"` // mã định danh of the parent agency, "" for none
	Email   string `json:"email,omitempty"`
	Phone   string `json:"phone,omitempty"`
	Address string `json:"address,omitempty"`
}

// Limits of a directory entry and of a directory.
const (
	MaxDirectoryName    = 300     // characters
	MaxDirectoryField   = 300     // characters, Email, Phone, Address
	MaxDirectoryEntries = 1000000 // the national directory has about 111,000
)

// normalized is e with its codes canonical and its texts trimmed, or a
// *FieldError (Field "code", "name", "parent", …) for an entry a
// directory refuses: a code that does not parse, an empty name, a parent
// that does not parse or is the entry itself, texts too long, with
// control characters or invalid UTF-8.
func (e DirectoryEntry) normalized() (DirectoryEntry, *FieldError) {
	id, err := ParseOrganID(e.Code)
	if err != nil {
		fe := *err.(*FieldError)
		fe.Field = "code"
		return e, &fe
	}
	e.Code = string(id)
	if e.Parent = strings.TrimSpace(e.Parent); e.Parent != "" {
		p, err := ParseOrganID(e.Parent)
		if err != nil {
			fe := *err.(*FieldError)
			fe.Field = "parent"
			return e, &fe
		}
		if p == id {
			return e, &FieldError{Field: "parent", VI: "Cơ quan không thể là cấp trên của chính nó", EN: "an agency cannot be its own parent"}
		}
		e.Parent = string(p)
	}
	v := &validator{}
	e.Name = strings.TrimSpace(e.Name)
	v.text("name", "Tên cơ quan", "name", e.Name, MaxDirectoryName, true, false)
	for _, f := range []struct {
		name, vi, en string
		s            *string
	}{{"email", "Thư điện tử", "email", &e.Email}, {"phone", "Điện thoại", "phone", &e.Phone}, {"address", "Địa chỉ", "address", &e.Address}} {
		*f.s = strings.TrimSpace(*f.s)
		v.text(f.name, f.vi, f.en, *f.s, MaxDirectoryField, false, false)
	}
	if len(v.problems) > 0 {
		return e, v.problems[0]
	}
	return e, nil
}

// Directory is an index over agencies: lookup by code, children of a
// code, pages in code order, and search by name or code. Made by
// NewDirectory (the zero Directory is empty); immutable once built, safe
// for concurrent use.
type Directory struct {
	entries []DirectoryEntry // in code order; ids index it
	byCode  map[string]uint32
	// children of a parent code, in code order
	children map[string][]uint32
	// keys[id] is the folded name, then " ", then the folded level-1
	// group ("h41"): what query words are matched against.
	keys    []string
	nameLen []uint16 // len of the folded name within keys[id]
	// Ranks order agencies among search results of equal tier: level,
	// then folded name length, then code. byRank[rank[id]] == id.
	rank, byRank []uint32
	// words are the distinct words of keys, sorted; the postings of
	// words[i] are the ranks post[postStart[i]:postStart[i+1]], ascending,
	// and those whose name starts with the word first[firstStart[i]:
	// firstStart[i+1]].
	words                 []string
	postStart, firstStart []uint32
	post, first           []uint32

	scratch sync.Pool // *scratch
}

// DirectoryError is why NewDirectory or a reader refused an entry: its
// position (0-based index; for a reader, the record's number from 1) and
// the problem.
type DirectoryError struct {
	Record int
	Code   string // the entry's code as given, if any
	Err    *FieldError
}

func (e *DirectoryError) Error() string {
	return fmt.Sprintf("directory entry %d (%s): %v", e.Record, quoteInput(e.Code), e.Err)
}

// Unwrap is the *FieldError.
func (e *DirectoryError) Unwrap() error { return e.Err }

// NewDirectory builds the index over entries (copied: the caller keeps
// its slice). Each entry is normalised (codes canonical, texts trimmed);
// an entry that does not pass, a code given twice or more than
// MaxDirectoryEntries entries refuse the whole directory with a
// *DirectoryError (or, for the count, a plain error), so that a damaged
// file is never half imported. A Parent that names no entry of the
// directory is kept (the directory may be a part of the national one).
func NewDirectory(entries []DirectoryEntry) (*Directory, error) {
	if len(entries) > MaxDirectoryEntries {
		return nil, fmt.Errorf("directory: %d entries, more than %d", len(entries), MaxDirectoryEntries)
	}
	d := &Directory{
		entries:  make([]DirectoryEntry, len(entries)),
		byCode:   make(map[string]uint32, len(entries)),
		children: map[string][]uint32{},
	}
	origin := make([]int, len(entries)) // origin[i]: index in entries of d.entries[i]
	for i, e := range entries {
		n, err := e.normalized()
		if err != nil {
			return nil, &DirectoryError{Record: i, Code: e.Code, Err: err}
		}
		d.entries[i], origin[i] = n, i
	}
	sort.Stable(byCode{d.entries, origin})
	for i, e := range d.entries {
		if i > 0 && d.entries[i-1].Code == e.Code {
			return nil, &DirectoryError{Record: origin[i], Code: e.Code,
				Err: &FieldError{Field: "code", VI: "Mã định danh " + e.Code + " bị trùng", EN: "organ id " + e.Code + " appears twice"}}
		}
		d.byCode[e.Code] = uint32(i)
		if e.Parent != "" {
			d.children[e.Parent] = append(d.children[e.Parent], uint32(i))
		}
	}
	d.index()
	return d, nil
}

// byCode sorts entries by code, their origins alongside.
type byCode struct {
	e      []DirectoryEntry
	origin []int
}

func (b byCode) Len() int           { return len(b.e) }
func (b byCode) Less(i, j int) bool { return b.e[i].Code < b.e[j].Code }
func (b byCode) Swap(i, j int) {
	b.e[i], b.e[j] = b.e[j], b.e[i]
	b.origin[i], b.origin[j] = b.origin[j], b.origin[i]
}

// index builds keys, ranks and the word postings.
func (d *Directory) index() {
	n := len(d.entries)
	d.keys = make([]string, n)
	d.nameLen = make([]uint16, n)
	var buf []byte
	for i, e := range d.entries {
		buf = AppendFold(buf[:0], e.Name)
		d.nameLen[i] = uint16(len(buf))
		l1, _, _, _ := OrganID(e.Code).Groups()
		d.keys[i] = string(AppendFold(buf, l1))
	}
	d.byRank = make([]uint32, n)
	for i := range d.byRank {
		d.byRank[i] = uint32(i)
	}
	level := func(i uint32) int { return OrganID(d.entries[i].Code).Level() }
	slices.SortFunc(d.byRank, func(a, b uint32) int {
		return cmp.Or(cmp.Compare(level(a), level(b)), cmp.Compare(d.nameLen[a], d.nameLen[b]), cmp.Compare(a, b))
	})
	d.rank = make([]uint32, n)
	postings, firsts := map[string][]uint32{}, map[string][]uint32{}
	for r, id := range d.byRank {
		d.rank[id] = uint32(r)
		for j, w := range strings.Fields(d.keys[id]) {
			if j == 0 {
				firsts[w] = append(firsts[w], uint32(r))
			}
			if p := postings[w]; len(p) == 0 || p[len(p)-1] != uint32(r) { // a word twice in one name
				postings[w] = append(p, uint32(r))
			}
		}
	}
	d.words = make([]string, 0, len(postings))
	for w := range postings {
		d.words = append(d.words, w)
	}
	sort.Strings(d.words)
	d.postStart, d.post = flatten(d.words, postings)
	d.firstStart, d.first = flatten(d.words, firsts)
}

// flatten lays out the postings of words one after the other.
func flatten(words []string, postings map[string][]uint32) (start, post []uint32) {
	start = make([]uint32, len(words)+1)
	total := 0
	for _, p := range postings {
		total += len(p)
	}
	post = make([]uint32, 0, total)
	for i, w := range words {
		post = append(post, postings[w]...)
		start[i+1] = uint32(len(post))
	}
	return start, post
}

// Len is the number of agencies.
func (d *Directory) Len() int { return len(d.entries) }

// Lookup finds the agency with the code (normalised first: "
// 000.00.00.h41" finds 000.00.00.H41).
func (d *Directory) Lookup(code string) (DirectoryEntry, bool) {
	i, ok := d.byCode[code]
	if !ok {
		id, err := ParseOrganID(code)
		if err != nil {
			return DirectoryEntry{}, false
		}
		if i, ok = d.byCode[string(id)]; !ok {
			return DirectoryEntry{}, false
		}
	}
	return d.entries[i], true
}

// Children lists the agencies whose Parent is code, in code order.
func (d *Directory) Children(code string) []DirectoryEntry {
	if id, err := ParseOrganID(code); err == nil {
		code = string(id)
	}
	ids := d.children[code]
	out := make([]DirectoryEntry, len(ids))
	for i, id := range ids {
		out[i] = d.entries[id]
	}
	return out
}

// After returns up to limit agencies whose code sorts after the given one
// ("" for the start), in code order: the pages of GET /v1/directory.
// A limit ≤ 0 or above MaxSearchLimit is MaxSearchLimit.
func (d *Directory) After(code string, limit int) []DirectoryEntry {
	if limit <= 0 || limit > MaxSearchLimit {
		limit = MaxSearchLimit
	}
	i := sort.Search(len(d.entries), func(i int) bool { return d.entries[i].Code > code })
	end := min(i+limit, len(d.entries))
	return slices.Clone(d.entries[i:end])
}

// Entries returns a copy of every agency, in code order.
func (d *Directory) Entries() []DirectoryEntry { return slices.Clone(d.entries) }

// Search limits.
const (
	DefaultSearchLimit = 20
	MaxSearchLimit     = 500
	// MaxQuery is how much of a query Search reads, in bytes; the rest is
	// ignored.
	MaxQuery = 200
	// maxQueryWords: words beyond are ignored.
	maxQueryWords = 12
	// promoteAfter: candidates checked on their keys before bit sets are
	// made for the other words.
	promoteAfter = 512
)

// Search finds agencies by code or name. The query is folded (Fold:
// case and diacritics ignored, đ = d); an agency matches when every word
// of the query is the beginning of a word of its name or of its level-1
// group ("h41": every agency of Nghệ An). Results are ranked: the agency
// whose code the query is (normalised), then agencies whose code begins
// with the query (written as a code, "000.00.0"), then those whose folded
// name begins with the folded query, then those whose name holds the
// query's words in a row ("nghệ an" in "Sở Tài chính tỉnh Nghệ An" but
// not in "Sở Khoa học và Công nghệ tỉnh An Giang"), then the other
// matches; among
// equals, more query words matching whole words first, then higher
// levels (a UBND tỉnh before its communes), then shorter names, then
// codes. At most limit results (DefaultSearchLimit for limit ≤ 0, never
// more than MaxSearchLimit); only the first MaxQuery bytes of the query
// count. An empty query finds nothing.
func (d *Directory) Search(query string, limit int) []DirectoryEntry {
	if limit <= 0 {
		limit = DefaultSearchLimit
	}
	limit = min(limit, MaxSearchLimit)
	if len(query) > MaxQuery {
		cut := MaxQuery
		for cut > 0 && !utf8.RuneStart(query[cut]) {
			cut--
		}
		query = query[:cut]
	}
	if d == nil || len(d.entries) == 0 {
		return nil
	}
	s := searcher{d: d, limit: limit}
	sc, _ := d.scratch.Get().(*scratch)
	if sc == nil {
		sc = &scratch{words: (len(d.entries) + 63) / 64}
	}
	s.sc = sc
	defer func() { sc.release(); d.scratch.Put(sc) }()

	// Tiers 0 and 1: by code.
	code := strings.ToUpper(strings.TrimSpace(query))
	if i, ok := d.byCode[code]; ok {
		s.offerCode(i, 0)
	}
	if len(code) >= 3 && strings.Trim(code, "0123456789.ABCDEFGHIJKLMNOPQRSTUVWXYZ") == "" && code[0] >= '0' && code[0] <= '9' {
		start := sort.Search(len(d.entries), func(i int) bool { return d.entries[i].Code >= code })
		for i := start; i < len(d.entries) && strings.HasPrefix(d.entries[i].Code, code) && i-start < MaxSearchLimit; i++ {
			s.offerCode(uint32(i), 1)
		}
	}

	// Tiers 2 to 4: by words.
	q := Fold(query)
	words := strings.Fields(q)
	if len(words) > maxQueryWords {
		words = words[:maxQueryWords]
		q = strings.Join(words, " ")
	}
	if len(words) > 0 {
		s.byWords(q, words)
	}
	return s.results()
}

// scratch holds the bit sets (one bit per rank) of one search, reused.
type scratch struct {
	words int // uint64s per set
	sets  [][]uint64
	used  int
}

// set returns an empty bit set.
func (sc *scratch) set() []uint64 {
	if sc.used == len(sc.sets) {
		sc.sets = append(sc.sets, make([]uint64, sc.words))
	}
	sc.used++
	return sc.sets[sc.used-1]
}

// release empties the sets used.
func (sc *scratch) release() {
	for _, s := range sc.sets[:sc.used] {
		clear(s)
	}
	sc.used = 0
}

// fill sets the bits of the ranks of postings of words[lo:hi].
func fill(set []uint64, start, post []uint32, lo, hi int) {
	for _, r := range post[start[lo]:start[hi]] {
		set[r/64] |= 1 << (r % 64)
	}
}

func has(set []uint64, r uint32) bool { return set[r/64]&(1<<(r%64)) != 0 }

// searcher is one search's state.
type searcher struct {
	d      *Directory
	limit  int
	sc     *scratch
	byCode map[uint32]bool // ids already offered by code
	heap   []hit           // the best limit hits so far; heap[0] is the worst of them
}

// hit is a candidate: lower tier, more exact words, lower rank first.
type hit struct {
	id    uint32
	tier  uint8
	exact uint8
}

func (s *searcher) better(a, b hit) bool {
	if a.tier != b.tier {
		return a.tier < b.tier
	}
	if a.exact != b.exact {
		return a.exact > b.exact
	}
	return s.d.rank[a.id] < s.d.rank[b.id]
}

// offerCode offers an agency found by its code, once.
func (s *searcher) offerCode(id uint32, tier uint8) {
	if s.byCode == nil {
		s.byCode = map[uint32]bool{}
	}
	if !s.byCode[id] {
		s.byCode[id] = true
		s.offer(hit{id: id, tier: tier})
	}
}

// offer keeps h if it is among the best limit hits.
func (s *searcher) offer(h hit) {
	if len(s.heap) < s.limit {
		s.heap = append(s.heap, h)
		s.up(len(s.heap) - 1)
		return
	}
	if s.better(h, s.heap[0]) {
		s.heap[0] = h
		s.down(0)
	}
}

// The heap keeps the worst hit on top.
func (s *searcher) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !s.better(s.heap[p], s.heap[i]) {
			return
		}
		s.heap[p], s.heap[i] = s.heap[i], s.heap[p]
		i = p
	}
}

func (s *searcher) down(i int) {
	for {
		l, worst := 2*i+1, i
		if l < len(s.heap) && s.better(s.heap[worst], s.heap[l]) {
			worst = l
		}
		if r := l + 1; r < len(s.heap) && s.better(s.heap[worst], s.heap[r]) {
			worst = r
		}
		if worst == i {
			return
		}
		s.heap[i], s.heap[worst] = s.heap[worst], s.heap[i]
		i = worst
	}
}

// byWords offers every agency whose key has all query words as word
// prefixes. Candidates come in rank order (from the postings of the most
// selective word, or from the intersection of the words' bit sets), so
// that the search stops once no later candidate can enter the results.
func (s *searcher) byWords(q string, words []string) {
	d := s.d
	var lo, hi, exact [maxQueryWords]int // word ranges; exact: index of the word itself, or -1
	best := 0
	for i, w := range words {
		lo[i] = sort.SearchStrings(d.words, w)
		hi[i] = sort.SearchStrings(d.words, w+"\xff") // every word with prefix w sorts below
		if lo[i] == hi[i] {
			return
		}
		exact[i] = -1
		if d.words[lo[i]] == w {
			exact[i] = lo[i]
		}
		if d.postStart[hi[i]]-d.postStart[lo[i]] < d.postStart[hi[best]]-d.postStart[lo[best]] {
			best = i
		}
	}
	// The other words are checked on each candidate's key; past
	// promoteAfter candidates (a search that does not end early), those
	// with not many more postings than the candidates get a bit set, which
	// checks them faster than the key.
	var match, whole [maxQueryWords][]uint64
	var byKey, wholeByKey []int
	maxExact := uint8(0)
	for i := range words {
		if i != best {
			byKey = append(byKey, i)
		}
		if exact[i] >= 0 {
			maxExact++
			wholeByKey = append(wholeByKey, i)
		}
	}
	candidates := d.postStart[hi[best]] - d.postStart[lo[best]]
	promote := func() {
		byKey = slices.DeleteFunc(byKey, func(i int) bool {
			if d.postStart[hi[i]]-d.postStart[lo[i]] > 8*candidates {
				return false
			}
			match[i] = s.sc.set()
			fill(match[i], d.postStart, d.post, lo[i], hi[i])
			return true
		})
		wholeByKey = slices.DeleteFunc(wholeByKey, func(i int) bool {
			if d.postStart[exact[i]+1]-d.postStart[exact[i]] > 8*candidates {
				return false
			}
			whole[i] = s.sc.set()
			fill(whole[i], d.postStart, d.post, exact[i], exact[i]+1)
			return true
		})
	}
	visits := 0

	// visit offers rank r, a match of words[best]; true when the search
	// may stop.
	visit := func(r uint32) bool {
		if visits++; visits == promoteAfter {
			promote()
		}
		for i := range words {
			if match[i] != nil && !has(match[i], r) {
				return false
			}
		}
		id := d.byRank[r]
		key := d.keys[id]
		for _, i := range byKey {
			if !hasWordPrefix(key, words[i]) {
				return false
			}
		}
		if s.byCode[id] {
			return false
		}
		h := hit{id: id, tier: 4}
		for i := range words {
			if whole[i] != nil && has(whole[i], r) {
				h.exact++
			}
		}
		for _, i := range wholeByKey {
			if hasWord(key, words[i]) {
				h.exact++
			}
		}
		switch name := key[:d.nameLen[id]]; {
		case strings.HasPrefix(name, q):
			h.tier = 2
		case len(words) > 1 && hasWordPrefix(name, q):
			h.tier = 3
		}
		s.offer(h)
		if len(s.heap) < s.limit {
			return false
		}
		w := s.heap[0]
		return w.tier < 2 || w.tier == 2 && w.exact >= maxExact
	}
	if hi[best]-lo[best] == 1 {
		for _, r := range d.post[d.postStart[lo[best]]:d.postStart[hi[best]]] {
			if visit(r) {
				return
			}
		}
		return
	}
	union := s.sc.set()
	fill(union, d.postStart, d.post, lo[best], hi[best])
	for wi, bitsAt := range union {
		for i := range words {
			if match[i] != nil {
				bitsAt &= match[i][wi]
			}
		}
		for bitsAt != 0 {
			b := bits.TrailingZeros64(bitsAt)
			bitsAt &= bitsAt - 1
			if visit(uint32(wi*64 + b)) {
				return
			}
		}
	}
}

// MatchWordPrefixes reports whether every word of query is the beginning
// of a word of text, both already folded (Fold): the rule of Search,
// for other indexes (the cache's search) to share.
func MatchWordPrefixes(text, query string) bool {
	for w := range strings.FieldsSeq(query) {
		if !hasWordPrefix(text, w) {
			return false
		}
	}
	return true
}

func hasWordPrefix(key, w string) bool { return findWord(key, w, false) }
func hasWord(key, w string) bool       { return findWord(key, w, true) }

// findWord reports whether w starts a word of key (and, with whole, ends
// it too).
func findWord(key, w string, whole bool) bool {
	for i := 0; i <= len(key)-len(w); {
		j := strings.Index(key[i:], w)
		if j < 0 {
			return false
		}
		at := i + j
		if (at == 0 || key[at-1] == ' ') && (!whole || at+len(w) == len(key) || key[at+len(w)] == ' ') {
			return true
		}
		i = at + 1
	}
	return false
}

// results empties the heap, best first.
func (s *searcher) results() []DirectoryEntry {
	hits := s.heap
	slices.SortFunc(hits, func(a, b hit) int {
		if s.better(a, b) {
			return -1
		}
		return 1
	})
	out := make([]DirectoryEntry, len(hits))
	for i, h := range hits {
		out[i] = s.d.entries[h.id]
	}
	return out
}
