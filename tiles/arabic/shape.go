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

// Font is an Arabic font ready to shape text with. Its methods may be
// called from many goroutines at once.
type Font struct {
	upem float32

	// mu guards what go-text does not share between goroutines: the
	// face's caches, the shaper's buffers, and the outlines taken so far.
	mu       sync.Mutex
	face     *font.Face
	shaper   shaping.HarfbuzzShaper
	outlines map[font.GID][]ot.Segment
}

// Parse returns the font in ttf, a TrueType or OpenType file.
func Parse(ttf []byte) (*Font, error) {
	f, err := font.ParseTTF(bytes.NewReader(ttf))
	if err != nil {
		return nil, fmt.Errorf("parse arabic font: %w", err)
	}
	return &Font{upem: float32(f.Upem()), face: f, outlines: map[font.GID][]ot.Segment{}}, nil
}

// Text is a line of text shaped in one font: its glyphs in the order
// they are seen, left to right, each with its outline. It holds no font
// and never changes, so it may be drawn from many goroutines at once.
type Text struct {
	glyphs  []glyph
	advance float32 // font units
	upem    float32
}

// glyph is one glyph of a Text: its origin on the baseline, in font
// units from the left end of the text (y up), and its outline there.
type glyph struct {
	id      font.GID
	x, y    float32
	outline []ot.Segment
}

// Width returns t's advance, in pixels, at size pixels to the em.
func (t Text) Width(size float64) float64 { return float64(t.advance) * size / float64(t.upem) }

// Glyphs returns t's glyph ids, left to right as seen.
func (t Text) Glyphs() []uint16 {
	ids := make([]uint16, len(t.glyphs))
	for i, g := range t.glyphs {
		ids[i] = uint16(g.id)
	}
	return ids
}

// Covers reports whether f has a glyph for every letter, digit and mark
// of s: whether Shape draws s without a blank box. Noto Sans Arabic has
// Arabic letters, both sets of digits and punctuation, but no Latin
// letters.
func (f *Font) Covers(s string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) {
			continue
		}
		if _, ok := f.face.NominalGlyph(r); !ok {
			return false
		}
	}
	return true
}

// Shape returns s shaped as one line of Arabic: each letter in the form
// its neighbours call for (initial, medial, final or isolated), lam and
// alef as their ligature, marks placed over or under their letter, and
// the whole laid right to left. Runs of digits or Latin letters inside it
// read left to right, in their place (the Unicode bidirectional
// algorithm, with an Arabic paragraph).
func (f *Font) Shape(s string) Text {
	text := []rune(s)
	f.mu.Lock()
	defer f.mu.Unlock()
	t := Text{upem: f.upem}
	// Visual order: the runs of the line from right to left, each run's
	// glyphs as the shaper lays them (left to right as seen).
	runs := bidiRuns(text)
	for i := len(runs) - 1; i >= 0; i-- {
		r := runs[i]
		in := shaping.Input{
			Text: text, RunStart: r.start, RunEnd: r.end,
			Direction: di.DirectionLTR, Face: f.face,
			Size:     fixed.I(int(f.upem)), // positions in font units
			Script:   language.Latin,
			Language: language.NewLanguage("ar"),
		}
		if r.rtl {
			in.Direction, in.Script = di.DirectionRTL, language.Arabic
		}
		out := f.shaper.Shape(in)
		for _, g := range out.Glyphs {
			t.glyphs = append(t.glyphs, glyph{
				id: g.GlyphID,
				x:  t.advance + fixedFloat(g.XOffset),
				y:  fixedFloat(g.YOffset),
				// the outline is read only here, under mu
				outline: f.outline(g.GlyphID),
			})
			t.advance += fixedFloat(g.Advance)
		}
	}
	return t
}

// outline returns glyph id's outline, read once; f.mu is held.
func (f *Font) outline(id font.GID) []ot.Segment {
	if o, ok := f.outlines[id]; ok {
		return o
	}
	o, _ := f.face.GlyphDataOutline(id) // a glyph with no outline (a space) draws nothing
	f.outlines[id] = o.Segments
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
