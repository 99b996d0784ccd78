package basemap

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// The countries' names in another language are a text file: a line a
// country, its name as the countries files spell it (Country.Name), a
// tab, then its name in the language. Lines are sorted by the first name,
// each once, and end with a newline. The Arabic map draws the names of
// fixtures/basemap/countries-ar.tsv.

// Bounds of a country names file: it is embedded, but a file too large
// or a name too long is a mistake, not a country.
const (
	maxCountryNamesFile = 64 << 10
	maxCountryName      = 200 // bytes
)

// DecodeCountryNames returns the names file holds, by the countries
// files' name. It rejects a file that is not in the form above: any
// line without exactly one tab, with an empty or overlong name, with
// control characters or invalid UTF-8, or out of order.
func DecodeCountryNames(file []byte) (map[string]string, error) {
	if len(file) > maxCountryNamesFile {
		return nil, fmt.Errorf("country names: %d bytes, more than %d", len(file), maxCountryNamesFile)
	}
	if len(file) > 0 && file[len(file)-1] != '\n' {
		return nil, fmt.Errorf("country names: the last line has no newline")
	}
	names := map[string]string{}
	prev := ""
	for i, line := range bytes.SplitAfter(file, []byte("\n")) {
		if len(line) == 0 {
			break // after the last newline
		}
		from, to, ok := strings.Cut(string(line[:len(line)-1]), "\t")
		if !ok {
			return nil, fmt.Errorf("country names: line %d has no tab", i+1)
		}
		for _, name := range []string{from, to} {
			if err := checkCountryName(name); err != nil {
				return nil, fmt.Errorf("country names: line %d: %w", i+1, err)
			}
		}
		if from <= prev {
			return nil, fmt.Errorf("country names: line %d: %q is not after %q", i+1, from, prev)
		}
		names[from], prev = to, from
	}
	return names, nil
}

// checkCountryName reports what is wrong with a name of a names file.
func checkCountryName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("an empty name")
	case len(name) > maxCountryName:
		return fmt.Errorf("a name of %d bytes, more than %d", len(name), maxCountryName)
	case !utf8.ValidString(name):
		return fmt.Errorf("%q is not UTF-8", name)
	case strings.ContainsFunc(name, func(r rune) bool { return r < ' ' || r == 0x7f }):
		return fmt.Errorf("%q holds a control character (a tab, a newline)", name)
	}
	return nil
}

// EncodeCountryNames returns names as a names file; DecodeCountryNames
// reads it back. Every name must be one DecodeCountryNames takes.
func EncodeCountryNames(names map[string]string) ([]byte, error) {
	keys := make([]string, 0, len(names))
	for k := range names {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b bytes.Buffer
	for _, k := range keys {
		for _, name := range []string{k, names[k]} {
			if err := checkCountryName(name); err != nil {
				return nil, fmt.Errorf("country names: %w", err)
			}
		}
		b.WriteString(k + "\t" + names[k] + "\n")
	}
	return b.Bytes(), nil
}
