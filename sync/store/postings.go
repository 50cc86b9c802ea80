package store

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"sort"

	bolt "go.etcd.io/bbolt"
)

// The inverted index (schema version 5). Every document with a words
// entry has an ordinal, given the first time it is indexed and kept (also
// when it is unindexed, to be indexed again); the postings bucket maps each term of a words entry (a
// folded word of the metadata or the text, or a filter token) and each
// block of 1024 ordinals to the set of the block's ordinals whose
// document holds the term. Find intersects the sets of a query's terms
// and reads the words entries of the documents in the intersection only
// (or, when the intersection is a large part of the cache, walks the time
// index newest first and stops at a page), instead of reading every
// words entry.
var (
	bucketOrds     = []byte("ords")     // key → u32 ordinal
	bucketOrdKeys  = []byte("ordkeys")  // u32 ordinal → key
	bucketPostings = []byte("postings") // term \x00 u32 block → ordinal set

	keyNextOrd = []byte("nextord") // in meta: u32, the next ordinal to give
)

const (
	blockBits  = 10
	blockSize  = 1 << blockBits // ordinals a postings value covers
	bitmapLen  = blockSize / 8  // a value of this length is a bitmap
	listMaxLen = bitmapLen/2 - 1
)

// ordSet is one block's ordinals (bit i: ordinal block<<blockBits + i).
type ordSet [blockSize / 64]uint64

// decodeSet adds the ordinals of a postings value to s: a bitmap of
// bitmapLen bytes, or up to listMaxLen u16 offsets.
func (s *ordSet) decode(v []byte) {
	if len(v) == bitmapLen {
		for i := range s {
			s[i] |= binary.LittleEndian.Uint64(v[i*8:])
		}
		return
	}
	for i := 0; i+1 < len(v); i += 2 {
		o := binary.BigEndian.Uint16(v[i:]) % blockSize
		s[o/64] |= 1 << (o % 64)
	}
}

func (s *ordSet) count() int {
	n := 0
	for _, w := range s {
		n += bits.OnesCount64(w)
	}
	return n
}

// encode is s as a postings value: the list of offsets when it is short
// (a rare word costs two bytes), else the bitmap.
func (s *ordSet) encode() []byte {
	n := s.count()
	if n > listMaxLen {
		v := make([]byte, bitmapLen)
		for i, w := range s {
			binary.LittleEndian.PutUint64(v[i*8:], w)
		}
		return v
	}
	v := make([]byte, 0, 2*n)
	s.each(func(o uint16) { v = binary.BigEndian.AppendUint16(v, o) })
	return v
}

// each calls f with every offset in s, ascending.
func (s *ordSet) each(f func(o uint16)) {
	for i, w := range s {
		for w != 0 {
			b := bits.TrailingZeros64(w)
			f(uint16(i*64 + b))
			w &^= 1 << b
		}
	}
}

// postingKey is term \x00 block.
func postingKey(term []byte, block uint32) []byte {
	k := make([]byte, 0, len(term)+5)
	k = append(append(k, term...), 0)
	return binary.BigEndian.AppendUint32(k, block)
}

// entryTerms are the distinct terms of a words entry (nil: none).
func entryTerms(v []byte) map[string]bool {
	if len(v) <= sortPrefix+1 {
		return nil
	}
	terms := map[string]bool{}
	for _, t := range bytes.Fields(v[sortPrefix+1:]) {
		terms[string(t)] = true
	}
	return terms
}

// putWords writes key's words entry and brings its postings up to date.
func putWords(tx *bolt.Tx, key, v []byte) error {
	wb := tx.Bucket(bucketWords)
	old := bytes.Clone(wb.Get(key))
	if err := updatePostings(tx, key, old, v); err != nil {
		return err
	}
	return wb.Put(key, v)
}

// deleteWords removes key's words entry and postings. The ordinal stays
// key's: a document is unindexed and indexed again on every change, and
// keeps its place.
func deleteWords(tx *bolt.Tx, key []byte) error {
	wb := tx.Bucket(bucketWords)
	old := wb.Get(key)
	if old == nil {
		return nil
	}
	if err := updatePostings(tx, key, bytes.Clone(old), nil); err != nil {
		return err
	}
	return wb.Delete(key)
}

// updatePostings moves key from the postings of the terms of old to
// those of v (nil: none), giving key an ordinal when it has none. Before
// migration 5 (no postings bucket) it does nothing: the migration indexes
// every words entry.
func updatePostings(tx *bolt.Tx, key, old, v []byte) error {
	pb := tx.Bucket(bucketPostings)
	if pb == nil {
		return nil
	}
	oldTerms, newTerms := entryTerms(old), entryTerms(v)
	ord, ok := ordOf(tx, key)
	if !ok {
		if len(newTerms) == 0 {
			return nil
		}
		var err error
		if ord, err = giveOrd(tx, key); err != nil {
			return err
		}
		oldTerms = nil // no postings can name an ordinal just given
	}
	for t := range oldTerms {
		if !newTerms[t] {
			if err := setPosting(pb, []byte(t), ord, false); err != nil {
				return err
			}
		}
	}
	for t := range newTerms {
		if !oldTerms[t] {
			if err := setPosting(pb, []byte(t), ord, true); err != nil {
				return err
			}
		}
	}
	return nil
}

// ordOf is key's ordinal.
func ordOf(tx *bolt.Tx, key []byte) (uint32, bool) {
	v := tx.Bucket(bucketOrds).Get(key)
	if len(v) != 4 {
		return 0, false
	}
	return binary.BigEndian.Uint32(v), true
}

// giveOrd gives key the next ordinal.
func giveOrd(tx *bolt.Tx, key []byte) (uint32, error) {
	meta := tx.Bucket(bucketMeta)
	var ord uint32
	if v := meta.Get(keyNextOrd); len(v) == 4 {
		ord = binary.BigEndian.Uint32(v)
	}
	o := binary.BigEndian.AppendUint32(nil, ord)
	if err := meta.Put(keyNextOrd, binary.BigEndian.AppendUint32(nil, ord+1)); err != nil {
		return 0, err
	}
	if err := tx.Bucket(bucketOrds).Put(bytes.Clone(key), o); err != nil {
		return 0, err
	}
	return ord, tx.Bucket(bucketOrdKeys).Put(o, bytes.Clone(key))
}

// setPosting adds ord to (on) or removes it from the postings of term.
func setPosting(pb *bolt.Bucket, term []byte, ord uint32, on bool) error {
	k := postingKey(term, ord>>blockBits)
	var s ordSet
	s.decode(pb.Get(k))
	o := ord % blockSize
	if on {
		s[o/64] |= 1 << (o % 64)
	} else {
		s[o/64] &^= 1 << (o % 64)
	}
	if s.count() == 0 {
		return pb.Delete(k)
	}
	return pb.Put(k, s.encode())
}

// nextOrd is the number of ordinals given so far.
func nextOrd(tx *bolt.Tx) uint32 {
	if v := tx.Bucket(bucketMeta).Get(keyNextOrd); len(v) == 4 {
		return binary.BigEndian.Uint32(v)
	}
	return 0
}

// termQuery selects the terms whose postings a query reads: those that
// start with prefix (exact: equal to it), below upper when set.
type termQuery struct {
	prefix []byte
	exact  bool
	upper  []byte
}

// ordSets are ordinal sets by block.
type ordSets map[uint32]*ordSet

// postingsOf is the union of the postings of the terms q selects.
func postingsOf(pb *bolt.Bucket, q termQuery) ordSets {
	out := ordSets{}
	seek := q.prefix
	if q.exact {
		seek = append(bytes.Clone(q.prefix), 0)
	}
	c := pb.Cursor()
	for k, v := c.Seek(seek); k != nil && bytes.HasPrefix(k, seek); k, v = c.Next() {
		if len(k) < 5 || k[len(k)-5] != 0 {
			continue
		}
		term := k[:len(k)-5]
		if q.exact && len(term) != len(q.prefix) {
			continue
		}
		if q.upper != nil && bytes.Compare(term, q.upper) >= 0 {
			break // keys are in term order
		}
		block := binary.BigEndian.Uint32(k[len(k)-4:])
		s := out[block]
		if s == nil {
			s = new(ordSet)
			out[block] = s
		}
		s.decode(v)
	}
	return out
}

// intersect keeps in a what b holds too.
func (a ordSets) intersect(b ordSets) {
	for block, s := range a {
		t := b[block]
		if t == nil {
			delete(a, block)
			continue
		}
		empty := true
		for i := range s {
			s[i] &= t[i]
			empty = empty && s[i] == 0
		}
		if empty {
			delete(a, block)
		}
	}
}

func (a ordSets) count() int {
	n := 0
	for _, s := range a {
		n += s.count()
	}
	return n
}

func (a ordSets) has(ord uint32) bool {
	s := a[ord>>blockBits]
	o := ord % blockSize
	return s != nil && s[o/64]&(1<<(o%64)) != 0
}

// ords lists the ordinals of a, ascending.
func (a ordSets) ords() []uint32 {
	blocks := make([]uint32, 0, len(a))
	for b := range a {
		blocks = append(blocks, b)
	}
	sort.Slice(blocks, func(i, j int) bool { return blocks[i] < blocks[j] })
	var out []uint32
	for _, b := range blocks {
		a[b].each(func(o uint16) { out = append(out, b<<blockBits|uint32(o)) })
	}
	return out
}

// matching is the set of ordinals whose documents hold every term the
// queries select, evaluated from the smallest set up.
func matching(tx *bolt.Tx, qs []termQuery) ordSets {
	pb := tx.Bucket(bucketPostings)
	sets := make([]ordSets, 0, len(qs))
	for _, q := range qs {
		s := postingsOf(pb, q)
		if len(s) == 0 {
			return s
		}
		sets = append(sets, s)
	}
	sort.Slice(sets, func(i, j int) bool { return len(sets[i]) < len(sets[j]) })
	out := sets[0]
	for _, s := range sets[1:] {
		out.intersect(s)
		if len(out) == 0 {
			break
		}
	}
	return out
}

// migratePostings gives every words entry an ordinal and indexes its
// terms, a block of 1024 documents at a time, and drops the search
// bucket (version 4's prefix index of the metadata words, which the
// postings replace).
func migratePostings(_ *Store, tx *bolt.Tx) error {
	for _, name := range [][]byte{bucketOrds, bucketOrdKeys, bucketPostings} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	if tx.Bucket(bucketSearch) != nil {
		if err := tx.DeleteBucket(bucketSearch); err != nil {
			return err
		}
	}
	pb := tx.Bucket(bucketPostings)
	ords, ordKeys := tx.Bucket(bucketOrds), tx.Bucket(bucketOrdKeys)
	ord := nextOrd(tx)
	block := map[string]*ordSet{}
	flush := func() error {
		for t, s := range block {
			k := postingKey([]byte(t), (ord-1)>>blockBits)
			var have ordSet
			have.decode(pb.Get(k))
			for i := range have {
				have[i] |= s[i]
			}
			if err := pb.Put(k, have.encode()); err != nil {
				return err
			}
		}
		clear(block)
		return nil
	}
	c := tx.Bucket(bucketWords).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if _, ok := ordOf(tx, k); ok {
			continue
		}
		o := binary.BigEndian.AppendUint32(nil, ord)
		if err := ords.Put(bytes.Clone(k), o); err != nil {
			return err
		}
		if err := ordKeys.Put(o, bytes.Clone(k)); err != nil {
			return err
		}
		for t := range entryTerms(v) {
			s := block[t]
			if s == nil {
				s = new(ordSet)
				block[t] = s
			}
			off := ord % blockSize
			s[off/64] |= 1 << (off % 64)
		}
		ord++
		if ord%blockSize == 0 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	return tx.Bucket(bucketMeta).Put(keyNextOrd, binary.BigEndian.AppendUint32(nil, ord))
}
