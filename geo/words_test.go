package geo

import (
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/incidentmap/incidentmap/fixtures"
)

func TestSearchWords(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"  Al Asad\tMORTAR ", []string{"al", "asad", "mortar"}},
		{"عين الأسد", []string{"عين", "الأسد"}},
	} {
		got, err := SearchWords(c.in)
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("SearchWords(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{strings.Repeat("a", MaxSearchBytes+1), "a b c d e f g h i", "\xff"} {
		if _, err := SearchWords(bad); err == nil {
			t.Errorf("SearchWords(%q): no error", bad)
		}
	}
}

func TestQueryWords(t *testing.T) {
	d, err := NewDataset(fixtures.Incidents, fixtures.Sites)
	if err != nil {
		t.Fatal(err)
	}
	search := func(s string) []string {
		words, err := SearchWords(s)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, m := range d.Query(Query{Words: words}).Matches {
			ids = append(ids, m.Incident.ID)
		}
		return ids
	}
	// Every incident whose text holds both words, whatever their case,
	// and no other: worked out here from the incidents themselves.
	var want []string
	for _, m := range d.Query(Query{}).Matches {
		in := m.Incident
		text := strings.ToLower(in.ID + " " + in.Title + " " + in.Summary + " " + in.Place + " " + in.PlaceAR + " " + in.Admin1)
		for _, s := range in.Sources {
			text += " " + strings.ToLower(s.Publisher+" "+s.Title+" "+s.Quote)
		}
		if strings.Contains(text, "asad") && strings.Contains(text, "mortar") {
			want = append(want, in.ID)
		}
	}
	if len(want) == 0 {
		t.Fatal("no fixture mentions Al Asad and mortars: the test tests nothing")
	}
	if got := search("ASAD Mortar"); !slices.Equal(got, want) {
		t.Errorf("search asad mortar: %q, want %q", got, want)
	}
	if got := search("asad mortar nosuchword"); len(got) != 0 {
		t.Errorf("a word in no incident still matched %q", got)
	}
	// A source's quote is searched: a word only some quote holds.
	in := d.Query(Query{}).Matches[0].Incident
	quoteWord := strings.ToLower(strings.Fields(in.Sources[0].Quote)[0])
	if got := search(quoteWord); !slices.Contains(got, in.ID) {
		t.Errorf("search %q (from %s's quote): %q", quoteWord, in.ID, got)
	}
}

// FuzzSearchWords: any text either is refused or splits into at most
// MaxSearchWords lower-case words, none empty or holding a space, which
// split again into themselves.
func FuzzSearchWords(f *testing.F) {
	for _, s := range []string{"", "Al Asad", " mortar\tCLAIM ", "عين الأسد", "a b c d e f g h i", "\xff", "İstanbul", "ǅ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		words, err := SearchWords(s)
		if err != nil {
			return
		}
		if len(words) > MaxSearchWords {
			t.Fatalf("%q: %d words", s, len(words))
		}
		for _, w := range words {
			if w == "" || strings.ContainsFunc(w, func(r rune) bool { return r == ' ' || r == '\t' || r == '\n' }) || strings.Map(unicode.ToLower, w) != w {
				t.Fatalf("%q: word %q", s, w)
			}
		}
		again, err := SearchWords(strings.Join(words, " "))
		if err != nil || !slices.Equal(again, words) {
			t.Fatalf("%q: %q joined and split again is %q, %v", s, words, again, err)
		}
	})
}

// FuzzContainsFold: containsFold, which reads in place, agrees with
// lowering the text and searching it.
func FuzzContainsFold(f *testing.F) {
	for _, c := range [][2]string{{"Ain Al ASAD Air Base", "asad"}, {"قاعدة عين الأسد", "الأسد"}, {"İstanbul", "istanbul"}, {"ab\xffc", "c"}, {"aaab", "aab"}} {
		f.Add(c[0], c[1])
	}
	f.Fuzz(func(t *testing.T, s, word string) {
		if !utf8.ValidString(word) {
			return // SearchWords refuses it
		}
		lower := strings.Map(unicode.ToLower, word)
		want := strings.Contains(strings.Map(unicode.ToLower, s), lower)
		if got := containsFold(s, lower); got != want {
			t.Fatalf("containsFold(%q, %q) = %v, lowered and searched: %v", s, lower, got, want)
		}
	})
}
