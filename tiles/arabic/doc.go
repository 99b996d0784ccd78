// Package arabic shapes and draws Arabic text for the raster maps, which
// draw Latin text with Go's fonts through freetype: freetype neither
// joins letters nor lays text right to left, and Go's fonts have no
// Arabic glyphs.
//
// It embeds Noto Sans Arabic (regular and bold, SIL Open Font License
// 1.1: fonts/OFL.txt), shapes with go-text's port of HarfBuzz, and draws
// the outlines with golang.org/x/image/vector. What it draws depends on
// the text and the size alone, so the same label gives the same pixels on
// every replica. It knows nothing of maps or HTTP.
package arabic
