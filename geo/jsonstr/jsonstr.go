// Package jsonstr appends strings quoted as JSON, byte for byte as
// encoding/json or log/slog's JSON handler quote them. The two differ
// only in the ASCII bytes they escape, and how: each is a table of
// Escapes. Both write U+FFFD for each byte that is not UTF-8, and
// escape U+2028 and U+2029 (line ends to JavaScript).
package jsonstr

import "unicode/utf8"

// Escapes says how each ASCII byte is written inside a string: as
// itself where it is "", else as its escape.
type Escapes [utf8.RuneSelf]string

var (
	// JSON is encoding/json's: \" and \\, the short escapes of \b \f \n
	// \r \t, and \u00XX for other control bytes and for < > & (safe
	// inside HTML).
	JSON = escapes(map[byte]string{'\b': `\b`, '\f': `\f`, '\n': `\n`, '\r': `\r`, '\t': `\t`}, "<>&")
	// Slog is log/slog's JSON handler's: \" and \\, the short escapes of
	// \n \r \t, and \u00XX for other control bytes.
	Slog = escapes(map[byte]string{'\n': `\n`, '\r': `\r`, '\t': `\t`}, "")
)

const hex = "0123456789abcdef"

// escapes is the table that escapes \" and \\, the bytes of short as
// given, and the other control bytes and those of long as \u00XX.
func escapes(short map[byte]string, long string) *Escapes {
	var e Escapes
	for c := range byte(0x20) {
		e[c] = `\u00` + string(hex[c>>4]) + string(hex[c&0xf])
	}
	for _, c := range []byte(long) {
		e[c] = `\u00` + string(hex[c>>4]) + string(hex[c&0xf])
	}
	e['"'], e['\\'] = `\"`, `\\`
	for c, s := range short {
		e[c] = s
	}
	return &e
}

// Append appends s quoted, its ASCII bytes escaped as esc says.
func Append(b []byte, s string, esc *Escapes) []byte {
	b = append(b, '"')
	start := 0 // of the bytes not yet copied
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if e := esc[c]; e != "" {
				b = append(append(b, s[start:i]...), e...)
				start = i + 1
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(append(b, s[start:i]...), `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(append(b, s[start:i]...), `\u202`...)
			b = append(b, hex[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	return append(append(b, s[start:]...), '"')
}
