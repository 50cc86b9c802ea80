package pdf

import "sync"

// ObjectCache holds parsed objects for readers of the same bytes: a file
// and readers of its prefixes (the revisions a verifier compares). An
// object written at the same place is the same object in every such
// reader, so it is parsed once. Objects that come out of a shared cache
// are shared: callers must not modify them.
type ObjectCache struct {
	mu  sync.Mutex
	m   map[cacheKey]Object
	max int
}

// cacheKey names where an object's bytes are: the file offset of an
// uncompressed object, or of the object stream holding it and its index.
type cacheKey struct {
	off   int64
	index int64
	num   uint32
	gen   uint16
	inStm bool
}

// NewObjectCache returns a cache of at most max objects (a default when
// max <= 0); once full it keeps what it has and parses the rest anew.
func NewObjectCache(max int) *ObjectCache {
	if max <= 0 {
		max = 200000
	}
	return &ObjectCache{m: map[cacheKey]Object{}, max: max}
}

// UseCache makes r read objects through c. Every reader sharing c must read
// the same bytes at the same offsets (a file and its prefixes). From then
// on the objects Get and Resolve return may be shared with other callers
// and must not be modified.
func (r *Reader) UseCache(c *ObjectCache) { r.cache = c }

func (c *ObjectCache) get(k cacheKey) (Object, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	o, ok := c.m[k]
	return o, ok
}

func (c *ObjectCache) put(k cacheKey, o Object) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) < c.max {
		c.m[k] = o
	}
}
