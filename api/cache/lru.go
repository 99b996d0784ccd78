package cache

import (
	"container/list"
	"sync"
)

// LRU is an in-process cache bounded by the bytes it holds (keys and
// values), evicting the least recently used entries first. It is safe for
// concurrent use.
type LRU struct {
	mu       sync.Mutex
	maxBytes int
	bytes    int
	order    *list.List // front: most recently used
	entries  map[string]*list.Element
}

type lruEntry struct {
	key string
	val []byte
}

// NewLRU returns an LRU that holds at most maxBytes.
func NewLRU(maxBytes int) *LRU {
	return &LRU{maxBytes: maxBytes, order: list.New(), entries: map[string]*list.Element{}}
}

// Get returns the value for key and whether it was there.
func (c *LRU) Get(key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*lruEntry).val, true
}

// Add stores val under key. A value larger than an eighth of the cache is
// not stored: it would evict too much to be worth keeping.
func (c *LRU) Add(key string, val []byte) {
	size := len(key) + len(val)
	if size > c.maxBytes/8 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[key]; ok {
		old := e.Value.(*lruEntry)
		c.bytes += len(val) - len(old.val)
		old.val = val
		c.order.MoveToFront(e)
	} else {
		c.entries[key] = c.order.PushFront(&lruEntry{key, val})
		c.bytes += size
	}
	for c.bytes > c.maxBytes {
		e := c.order.Back()
		old := e.Value.(*lruEntry)
		c.order.Remove(e)
		delete(c.entries, old.key)
		c.bytes -= len(old.key) + len(old.val)
	}
}

// Len returns the number of entries and the bytes they hold.
func (c *LRU) Len() (entries, bytes int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries), c.bytes
}
