package arabic

import (
	"bytes"
	"fmt"
	"sync"
	"unicode"

	"github.com/go-text/typesetting/bidi"
	"github.com/go-text/typesetting/di"
	"github.com/go-text/typesetting/font"
	ot "github.com/go-text/typesetting/font/opentype"
	"github.com/go-text/typesetting/language"
	"github.com/go-text/typesetting/shaping"
	"golang.org/x/image/math/fixed"
)

// Font is an Arabic font, with fonts to fall back on for the letters it
// lacks (Noto Sans Arabic has no Latin letters), ready to shape text
// with. Its methods may be called from many goroutines at once.
type Font struct {
	// mu guards what go-text does not share between goroutines: the
	// faces' caches, the shaper's buffers, and the outlines taken so far.
	mu     sync.Mutex
	faces  []*face
	shaper shaping.HarfbuzzShaper
}

// face is one font of a Font.
type face struct {
	face     *font.Face
	upem     float32
	outlines map[font.GID][]ot.Segment
}

// Parse returns the font in ttf, a TrueType or OpenType file, falling
// back on those in fallbacks, in their order, for the letters it lacks.
func Parse(ttf []byte, fallbacks ...[]byte) (*Font, error) {
	f := &Font{}
	for i, b := range append([][]byte{ttf}, fallbacks...) {
		ff, err := font.ParseTTF(bytes.NewReader(b))
		if err != nil {
			if i > 0 {
				return nil, fmt.Errorf("parse fallback font %d: %w", i, err)
			}
			return nil, fmt.Errorf("parse font: %w", err)
		}
		f.faces = append(f.faces, &face{face: ff, upem: float32(ff.Upem()), outlines: map[font.GID][]ot.Segment{}})
	}
	return f, nil
}

// Text is a line of text shaped: its glyphs in the order they are seen,
// left to right, each with its outline. It holds no font and never
// changes, so it may be drawn from many goroutines at once.
type Text struct {
	glyphs  []glyph
	advance float32 // ems
}

// glyph is one glyph of a Text: its origin on the baseline, in ems from
// the left end of the text (y up), and its outline, in its font's units,
// scaled by k to ems.
type glyph struct {
	id      font.GID
	x, y, k float32
	outline []ot.Segment
}

// Width returns t's advance, in pixels, at size pixels to the em.
func (t Text) Width(size float64) float64 { return float64(t.advance) * size }

// Empty reports whether t has no glyphs: the text of an empty string.
func (t Text) Empty() bool { return len(t.glyphs) == 0 }

// Glyphs returns t's glyph ids, left to right as seen.
func (t Text) Glyphs() []uint16 {
	ids := make([]uint16, len(t.glyphs))
	for i, g := range t.glyphs {
		ids[i] = uint16(g.id)
	}
	return ids
}

// Covers reports whether f, or a font it falls back on, has a glyph for
// every letter, digit and mark of s: whether Shape draws s without a
// blank box.
func (f *Font) Covers(s string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) {
			continue
		}
		if f.faceFor(r, -1) < 0 {
			return false
		}
	}
	return true
}

// faceFor returns the face to draw r with: cur if it has r (so that a
// space or a mark stays with the letters around it), else the first that
// has it; -1 if none has. f.mu is held.
func (f *Font) faceFor(r rune, cur int) int {
	if cur >= 0 {
		if _, ok := f.faces[cur].face.NominalGlyph(r); ok {
			return cur
		}
	}
	for i, fc := range f.faces {
		if _, ok := fc.face.NominalGlyph(r); ok {
			return i
		}
	}
	return -1
}

// Shape returns s shaped as one line of Arabic: each letter in the form
// its neighbours call for (initial, medial, final or isolated), lam and
// alef as their ligature, marks placed over or under their letter, and
// the whole laid right to left. Runs of digits or Latin letters inside it
// read left to right, in their place (the Unicode bidirectional
// algorithm, with an Arabic paragraph); letters the Arabic font lacks are
// drawn in the first fallback font that has them.
func (f *Font) Shape(s string) Text {
	text := []rune(s)
	f.mu.Lock()
	defer f.mu.Unlock()
	var t Text
	// Visual order: the runs of the line from right to left, each run's
	// glyphs as the shaper lays them (left to right as seen).
	runs := bidiRuns(text)
	for i := len(runs) - 1; i >= 0; i-- {
		r := runs[i]
		parts := f.split(text, r)
		for j := range parts {
			p := parts[j]
			if r.rtl {
				p = parts[len(parts)-1-j]
			}
			fc := f.faces[p.face]
			in := shaping.Input{
				Text: text, RunStart: p.start, RunEnd: p.end,
				Direction: di.DirectionLTR, Face: fc.face,
				Size:     fixed.I(int(fc.upem)), // positions in font units
				Script:   language.Latin,
				Language: language.NewLanguage("ar"),
			}
			if r.rtl {
				in.Direction, in.Script = di.DirectionRTL, language.Arabic
			}
			out := f.shaper.Shape(in)
			k := 1 / fc.upem
			for _, g := range out.Glyphs {
				t.glyphs = append(t.glyphs, glyph{
					id: g.GlyphID,
					x:  t.advance + fixedFloat(g.XOffset)*k,
					y:  fixedFloat(g.YOffset) * k,
					k:  k,
					// the outline is read only here, under mu
					outline: fc.outline(g.GlyphID),
				})
				t.advance += fixedFloat(g.Advance) * k
			}
		}
	}
	return t
}

// facePart is a stretch of a run drawn in one face: text[start:end].
type facePart struct{ start, end, face int }

// split cuts run r of text where the face that draws it changes, in
// logical order. f.mu is held.
func (f *Font) split(text []rune, r run) []facePart {
	var out []facePart
	cur := -1
	for i := r.start; i < r.end; i++ {
		fi := f.faceFor(text[i], cur)
		if fi < 0 {
			fi = max(cur, 0) // nobody has it: a box, in the face at hand
		}
		if fi != cur || len(out) == 0 {
			out = append(out, facePart{start: i, end: i + 1, face: fi})
			cur = fi
			continue
		}
		out[len(out)-1].end = i + 1
	}
	return out
}

// outline returns glyph id's outline, read once; the Font's mu is held.
func (fc *face) outline(id font.GID) []ot.Segment {
	if o, ok := fc.outlines[id]; ok {
		return o
	}
	o, _ := fc.face.GlyphDataOutline(id) // a glyph with no outline (a space) draws nothing
	fc.outlines[id] = o.Segments
	return o.Segments
}

func fixedFloat(v fixed.Int26_6) float32 { return float32(v) / 64 }

// run is a stretch of a line in one direction: text[start:end].
type run struct {
	start, end int
	rtl        bool
}

// bidiRuns returns the runs of text, one line of an Arabic paragraph, in
// logical order. Names hold letters, digits and spaces, at levels 1 and 2
// only: drawn right to left, the runs' order reverses and each run keeps
// its own direction.
func bidiRuns(text []rune) []run {
	var p bidi.Paragraph
	rs := p.Segment(text, bidi.RightToLeft)
	out := make([]run, rs.NumRuns())
	for i := range out {
		r := rs.Run(i)
		out[i] = run{start: r.Start, end: r.End, rtl: !r.IsLeftToRight()}
	}
	return out
}
