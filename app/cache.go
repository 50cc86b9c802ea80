package app

import (
	"container/list"
	"image"
)

// imageCache keeps the most recently used page images up to a byte
// budget. It is used on the UI goroutine only.
type imageCache struct {
	budget int64
	used   int64
	lru    *list.List // of *cachedImage, most recent first
	byKey  map[cacheKey]*list.Element
	byPage map[int][]*list.Element
}

type cacheKey struct{ page, width int }

type cachedImage struct {
	key   cacheKey
	img   image.Image
	bytes int64
}

func newImageCache(budget int64) *imageCache {
	return &imageCache{budget: budget, lru: list.New(), byKey: map[cacheKey]*list.Element{}, byPage: map[int][]*list.Element{}}
}

// get returns the image of page at exactly width.
func (c *imageCache) get(page, width int) (image.Image, bool) {
	e, ok := c.byKey[cacheKey{page, width}]
	if !ok {
		return nil, false
	}
	c.lru.MoveToFront(e)
	return e.Value.(*cachedImage).img, true
}

// closest returns the cached image of page whose width is nearest to
// width, to stand in while the right one renders.
func (c *imageCache) closest(page, width int) (image.Image, int, bool) {
	var best *cachedImage
	for _, e := range c.byPage[page] {
		ci := e.Value.(*cachedImage)
		if best == nil || absInt(ci.key.width-width) < absInt(best.key.width-width) {
			best = ci
		}
	}
	if best == nil {
		return nil, 0, false
	}
	return best.img, best.key.width, true
}

// put stores img and evicts the least recently used images over budget
// (never the one just stored).
func (c *imageCache) put(page, width int, img image.Image) {
	k := cacheKey{page, width}
	if e, ok := c.byKey[k]; ok {
		c.remove(e)
	}
	b := img.Bounds()
	ci := &cachedImage{key: k, img: img, bytes: int64(b.Dx()) * int64(b.Dy()) * 4}
	e := c.lru.PushFront(ci)
	c.byKey[k] = e
	c.byPage[page] = append(c.byPage[page], e)
	c.used += ci.bytes
	for c.used > c.budget && c.lru.Len() > 1 {
		c.remove(c.lru.Back())
	}
}

func (c *imageCache) remove(e *list.Element) {
	ci := e.Value.(*cachedImage)
	c.lru.Remove(e)
	delete(c.byKey, ci.key)
	els := c.byPage[ci.key.page]
	for i, x := range els {
		if x == e {
			els = append(els[:i], els[i+1:]...)
			break
		}
	}
	if len(els) == 0 {
		delete(c.byPage, ci.key.page)
	} else {
		c.byPage[ci.key.page] = els
	}
	c.used -= ci.bytes
}

// len returns the number of cached images.
func (c *imageCache) len() int { return c.lru.Len() }

func absInt(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
