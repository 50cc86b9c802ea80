package render

import (
	"container/list"
	"image"
	"sync"
)

// cacheKey names one rendered image: a page of an open document at a
// width, full or draft quality. Document ids are never reused within an
// engine.
type cacheKey struct {
	doc   uint64
	page  int
	width int
	draft bool
}

// imageCache keeps the most recently used renders up to a byte budget
// (the size of their pixel buffers). It is safe for concurrent use.
type imageCache struct {
	mu    sync.Mutex
	limit int64
	bytes int64
	order *list.List // of *cacheEntry, most recently used at the front
	items map[cacheKey]*list.Element
}

type cacheEntry struct {
	key cacheKey
	img *image.RGBA
}

func newImageCache(limit int64) *imageCache {
	return &imageCache{limit: limit, order: list.New(), items: map[cacheKey]*list.Element{}}
}

func imageBytes(img *image.RGBA) int64 { return int64(len(img.Pix)) }

// get returns the image for k and marks it recently used.
func (c *imageCache) get(k cacheKey) (*image.RGBA, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[k]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(el)
	return el.Value.(*cacheEntry).img, true
}

// put stores img under k, evicting the least recently used images until
// the total fits. An image larger than the whole budget is not kept.
func (c *imageCache) put(k cacheKey, img *image.RGBA) {
	n := imageBytes(img)
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[k]; ok {
		c.bytes -= imageBytes(el.Value.(*cacheEntry).img)
		c.order.Remove(el)
		delete(c.items, k)
	}
	if n > c.limit {
		return
	}
	for c.bytes+n > c.limit {
		c.removeLocked(c.order.Back())
	}
	c.items[k] = c.order.PushFront(&cacheEntry{key: k, img: img})
	c.bytes += n
}

// dropDoc forgets every image of document id.
func (c *imageCache) dropDoc(id uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for el := c.order.Front(); el != nil; {
		next := el.Next()
		if el.Value.(*cacheEntry).key.doc == id {
			c.removeLocked(el)
		}
		el = next
	}
}

func (c *imageCache) removeLocked(el *list.Element) {
	e := el.Value.(*cacheEntry)
	c.order.Remove(el)
	delete(c.items, e.key)
	c.bytes -= imageBytes(e.img)
}

// usage returns the number of images and their bytes.
func (c *imageCache) usage() (int, int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items), c.bytes
}
