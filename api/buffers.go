package api

import "sync"

// bufferPool keeps byte buffers for the next use, so that writing a
// request line or encoding a page allocates nothing once warm. A buffer
// grown past max is let go, so what is kept stays bounded.
type bufferPool struct {
	pool sync.Pool // *[]byte
	max  int
}

// get returns an empty buffer, kept or new.
func (p *bufferPool) get() *[]byte {
	if b, ok := p.pool.Get().(*[]byte); ok {
		*b = (*b)[:0]
		return b
	}
	return new([]byte)
}

// put keeps b for the next get, unless it grew past max.
func (p *bufferPool) put(b *[]byte) {
	if cap(*b) <= p.max {
		p.pool.Put(b)
	}
}
