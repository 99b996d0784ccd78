package geo

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A text search: the words of a query, each of which must appear in an
// incident's text, whatever the case. An incident's text is its id,
// title, place (in English and Arabic), admin1, summary and its sources'
// publishers, titles and quotes: what an editor remembers of a report.

// Bounds of a text search, so that a query costs at most a scan.
const (
	MaxSearchBytes = 200
	MaxSearchWords = 8
)

// SearchWords splits a search into the lower-case words (rune by rune,
// unicode.ToLower) an incident's text must each hold: "Al Asad  mortar" is [al asad mortar]. It refuses
// a search over MaxSearchBytes, with more than MaxSearchWords words, or
// that is not UTF-8; an empty one is no words.
func SearchWords(s string) ([]string, error) {
	switch {
	case len(s) > MaxSearchBytes:
		return nil, fmt.Errorf("%d bytes, at most %d", len(s), MaxSearchBytes)
	case !utf8.ValidString(s):
		return nil, fmt.Errorf("not UTF-8")
	}
	words := strings.FieldsFunc(strings.Map(unicode.ToLower, s), func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) })
	if len(words) > MaxSearchWords {
		return nil, fmt.Errorf("%d words, at most %d", len(words), MaxSearchWords)
	}
	return words, nil
}

// wordSearch is a query's words, with which of them each of the data
// set's distinct strings (places, provinces) holds, worked out once for
// the query rather than once an incident.
type wordSearch struct {
	words   []string
	all     uint8   // a bit a word: every word found
	strHits []uint8 // the words each of the data set's strs holds
}

func newWordSearch(c *columns, words []string) *wordSearch {
	if len(words) == 0 {
		return nil
	}
	w := &wordSearch{words: words, all: uint8(1<<len(words) - 1), strHits: make([]uint8, len(c.strs))}
	for i, s := range c.strs {
		w.strHits[i] = w.hits(s, 0)
	}
	return w
}

// hits adds to found the words that s holds.
func (w *wordSearch) hits(s string, found uint8) uint8 {
	for i, word := range w.words {
		if found&(1<<i) == 0 && containsFold(s, word) {
			found |= 1 << i
		}
	}
	return found
}

// in reports whether every word is in the text of the incident r.
func (w *wordSearch) in(c *columns, r *record) bool {
	found := w.strHits[r.place] | w.strHits[r.placeAR] | w.strHits[r.admin1]
	idTitle := c.textAt(r.text, int(r.idLen)+int(r.titleLen))
	for _, s := range [...]string{c.id(r), idTitle[r.idLen:], c.summary(r)} {
		if found == w.all {
			return true
		}
		found = w.hits(s, found)
	}
	for _, src := range c.sources[r.sources : r.sources+uint32(r.nSources)] {
		for _, s := range [...]string{src.Publisher, src.Title, src.Quote} {
			if found == w.all {
				return true
			}
			found = w.hits(s, found)
		}
	}
	return found == w.all
}

// containsFold reports whether lower, a lower-case word, is in s,
// whatever s's case, comparing rune by rune (unicode.ToLower): without
// allocating, as a search reads every incident's text.
func containsFold(s, lower string) bool {
	if lower == "" {
		return true
	}
	first, size := utf8.DecodeRuneInString(lower)
	rest := lower[size:]
	for i := 0; i < len(s); {
		r, n := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRuneInString(s[i:])
		}
		if (r == first || unicode.ToLower(r) == first) && hasPrefixFold(s[i+n:], rest) {
			return true
		}
		i += n
	}
	return false
}

// hasPrefixFold reports whether s begins with lower, whatever s's case.
func hasPrefixFold(s, lower string) bool {
	for _, want := range lower {
		if s == "" {
			return false
		}
		r, n := utf8.DecodeRuneInString(s)
		if r != want && unicode.ToLower(r) != want {
			return false
		}
		s = s[n:]
	}
	return true
}
