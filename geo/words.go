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

// SearchWords splits a search into the lower-case words an incident's
// text must each hold: "Al Asad  mortar" is [al asad mortar]. It refuses
// a search over MaxSearchBytes, with more than MaxSearchWords words, or
// that is not UTF-8; an empty one is no words.
func SearchWords(s string) ([]string, error) {
	switch {
	case len(s) > MaxSearchBytes:
		return nil, fmt.Errorf("%d bytes, at most %d", len(s), MaxSearchBytes)
	case !utf8.ValidString(s):
		return nil, fmt.Errorf("not UTF-8")
	}
	words := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) })
	if len(words) > MaxSearchWords {
		return nil, fmt.Errorf("%d words, at most %d", len(words), MaxSearchWords)
	}
	return words, nil
}

// hasWords reports whether every one of words (lower case) is in the
// incident's text.
func (in *Incident) hasWords(words []string) bool {
	texts := []string{in.ID, in.Title, in.Place, in.PlaceAR, in.Admin1, in.Summary}
	for _, s := range in.Sources {
		texts = append(texts, s.Publisher, s.Title, s.Quote)
	}
	for _, w := range words {
		found := false
		for _, t := range texts {
			if containsFold(t, w) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// containsFold reports whether lower, a lower-case word, is in s, whatever
// s's case.
func containsFold(s, lower string) bool {
	if strings.Contains(s, lower) {
		return true
	}
	return strings.Contains(strings.ToLower(s), lower)
}
