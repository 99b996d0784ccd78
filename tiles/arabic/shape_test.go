package arabic

import (
	"bytes"
	"slices"
	"sync"
	"testing"
	"unicode/utf8"
)

// nominal returns the font's glyph for r as its cmap maps it: for a
// presentation form (U+FE70–FEFF), the glyph of that one form.
func nominal(t *testing.T, f *Font, r rune) uint16 {
	t.Helper()
	g, ok := f.faces[0].face.NominalGlyph(r)
	if !ok {
		t.Fatalf("the font has no glyph for %U", r)
	}
	return uint16(g)
}

func TestShapeForms(t *testing.T) {
	f, err := Regular()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, text string
		// want is the glyphs left to right as seen: the word's letters
		// from last to first, each in the form it takes
		want []rune
	}{
		// ب initial, غ medial, د final; dal does not join the alef after
		// it, so the alef and the last dal stand alone (the font draws an
		// isolated letter with its base glyph)
		{"Baghdad joins", "بغداد", []rune{'د', 'ا', 0xFEAA, 0xFED0, 0xFE91}},
		{"lam-alef ligature", "لا", []rune{0xFEFB}},
		// بلا: beh initial, then lam-alef final (ﻼ)
		{"lam-alef final", "بلا", []rune{0xFEFC, 0xFE91}},
		{"a letter alone", "ب", []rune{'ب'}},
		// ه final after a joining letter: ك initial, ل medial, ه final
		{"medial and final", "كله", []rune{0xFEEA, 0xFEE0, 0xFEDB}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var want []uint16
			for _, r := range tc.want {
				want = append(want, nominal(t, f, r))
			}
			if got := f.Shape(tc.text).Glyphs(); !slices.Equal(got, want) {
				t.Errorf("Shape(%q) = %v, want %v (%q as presentation forms)", tc.text, got, want, string(tc.want))
			}
		})
	}
}

func TestShapeDigitsReadLeftToRight(t *testing.T) {
	f, err := Regular()
	if err != nil {
		t.Fatal(err)
	}
	// "Street 14": the Arabic word on the right, the number after it
	// (to its left), its digits in order 1 then 4
	got := f.Shape("شارع 14").Glyphs()
	one, four := nominal(t, f, '1'), nominal(t, f, '4')
	i := slices.Index(got, one)
	if i < 0 || i+1 >= len(got) || got[i+1] != four {
		t.Fatalf("Shape = %v: want 1 (%d) then 4 (%d) left to right", got, one, four)
	}
	if i != 0 {
		t.Errorf("Shape = %v: the number should be leftmost, got it at %d", got, i)
	}
}

func TestShapeLatinFallsBack(t *testing.T) {
	f, err := Regular()
	if err != nil {
		t.Fatal(err)
	}
	// "Data: Natural Earth": the Latin words in Go's font, left of the
	// Arabic word and reading left to right
	text := f.Shape("بيانات: Natural Earth")
	latin := 0
	for _, g := range text.glyphs {
		if g.k != 1/f.faces[0].upem {
			latin++
		}
	}
	if latin != len("Natural Earth") {
		t.Errorf("%d glyphs from the Latin font, want %d", latin, len("Natural Earth"))
	}
	if g := text.glyphs[0]; g.k == 1/f.faces[0].upem {
		t.Errorf("the leftmost glyph %d is Arabic: want N of Natural", g.id)
	}
	if m := text.Mask(11); m.Alpha.Rect.Dx() < int(text.Width(11)) {
		t.Errorf("mask %v narrower than the text, %.1f", m.Alpha.Rect, text.Width(11))
	}
}

func TestShapeWidth(t *testing.T) {
	f, err := Regular()
	if err != nil {
		t.Fatal(err)
	}
	one, two := f.Shape("بغداد"), f.Shape("بغداد بغداد")
	if w := one.Width(12); w < 15 || w > 40 {
		t.Errorf("Width(12) of بغداد = %.1f, want about 24", w)
	}
	if a, b := one.Width(24), 2*one.Width(12); a != b {
		t.Errorf("Width(24) = %v, want twice Width(12) = %v", a, b)
	}
	if two.Width(12) <= 2*one.Width(12) {
		t.Errorf("two words with a space: %.1f, want more than twice one word's %.1f", two.Width(12), one.Width(12))
	}
}

func TestMask(t *testing.T) {
	f, err := Bold()
	if err != nil {
		t.Fatal(err)
	}
	text := f.Shape("الرمادي")
	m := text.Mask(12)
	if m.Alpha.Rect.Dx() < int(text.Width(12)) || m.Alpha.Rect.Dy() < 8 || m.Alpha.Rect.Dy() > 30 {
		t.Fatalf("mask %v for a word %.1f px wide at 12 px", m.Alpha.Rect, text.Width(12))
	}
	inked := 0
	for _, a := range m.Alpha.Pix {
		if a > 0x80 {
			inked++
		}
	}
	if inked < 20 {
		t.Errorf("%d pixels inked, want the word's strokes", inked)
	}
	// the baseline: the word's body above it, lam and alef rising well
	// above, yaa's tail below
	if m.Origin.Y < 8 || m.Origin.Y >= m.Alpha.Rect.Dy() {
		t.Errorf("origin %v in %v: want the baseline low in the mask", m.Origin, m.Alpha.Rect)
	}
	if again := f.Shape("الرمادي").Mask(12); !bytes.Equal(again.Alpha.Pix, m.Alpha.Pix) || again.Origin != m.Origin {
		t.Error("the same text drew different pixels")
	}
	if big := text.Mask(24); big.Alpha.Rect.Dx() < 2*m.Alpha.Rect.Dx()-4 {
		t.Errorf("at 24 px the mask is %v, at 12 px %v", big.Alpha.Rect, m.Alpha.Rect)
	}
	if sp := f.Shape(" ").Mask(12); !sp.Alpha.Rect.Empty() {
		t.Errorf("a space inks %v", sp.Alpha.Rect)
	}
}

func TestCovers(t *testing.T) {
	f, err := Regular()
	if err != nil {
		t.Fatal(err)
	}
	for s, want := range map[string]bool{"بغداد": true, "نهر الفرات": true, "شارع 14": true, "Baghdad": true, "بغداد Baghdad": true, "北京": false} {
		if got := f.Covers(s); got != want {
			t.Errorf("Covers(%q) = %v, want %v", s, got, want)
		}
	}
}

// FuzzShape: any text shapes and draws without a panic, every glyph it
// draws is inside its mask, and shaping is the same twice.
func FuzzShape(f *testing.F) {
	for _, s := range []string{"بغداد", "لا", "شارع 14 رمضان", "a(ب)c", "\u202bب\u202c", "ً", ""} {
		f.Add(s)
	}
	font, err := Regular()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) || len(s) > 200 {
			return
		}
		a, b := font.Shape(s), font.Shape(s)
		if !slices.Equal(a.Glyphs(), b.Glyphs()) {
			t.Fatalf("Shape(%q) twice: %v, %v", s, a.Glyphs(), b.Glyphs())
		}
		m := a.Mask(11)
		if r := m.Alpha.Rect; r.Dx() > 100000 || r.Dy() > 1000 {
			t.Fatalf("Mask(%q) is %v", s, r)
		}
	})
}

// TestShapeConcurrent shapes and draws from many goroutines at once (run
// with -race), as static maps do with their credits: the same glyphs and
// pixels as one at a time.
func TestShapeConcurrent(t *testing.T) {
	f, err := Regular()
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{"بغداد", "الرمادي", "بيانات: Natural Earth", "نهر الفرات", "شارع 14"}
	want := make([]Mask, len(texts))
	for i, s := range texts {
		want[i] = f.Shape(s).Mask(12)
	}
	var wg sync.WaitGroup
	for range 8 {
		for i, s := range texts {
			wg.Go(func() {
				if got := f.Shape(s).Mask(12); !bytes.Equal(got.Alpha.Pix, want[i].Alpha.Pix) || got.Origin != want[i].Origin {
					t.Errorf("%q: a concurrent shaping differs", s)
				}
			})
		}
	}
	wg.Wait()
}
