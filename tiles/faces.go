package tiles

import (
	"sync"

	"github.com/golang/freetype/truetype"
	"golang.org/x/image/font"
)

// FacePool keeps faces of one font at one size, so that a render finds
// the glyphs earlier renders rasterized (a face caches them). A face is
// used by one render at a time; the glyphs are the same bytes whether
// cached or not.
type FacePool struct{ pool sync.Pool }

// NewFacePool returns a pool of faces of f made with opts.
func NewFacePool(f *truetype.Font, opts truetype.Options) *FacePool {
	p := &FacePool{}
	p.pool.New = func() any { return truetype.NewFace(f, &opts) }
	return p
}

// Get returns a face, kept or new.
func (p *FacePool) Get() font.Face { return p.pool.Get().(font.Face) }

// Put keeps f for the next Get.
func (p *FacePool) Put(f font.Face) { p.pool.Put(f) }
