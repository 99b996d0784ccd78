package geo

import (
	"bytes"
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// scanner reads one JSON value held whole in memory, strictly (RFC 8259:
// no trailing commas, no comments, no control characters in strings, no
// invalid UTF-8), without building a tree: the incident decoder asks for
// the values it expects in the order they come. It is what makes loading
// a million incidents take a second rather than ten; encoding/json's
// reflection and allocations were most of the old load time.
//
// Strings come back as byte slices that are valid until the next call:
// into the input when they hold no escape, into a scratch buffer when
// they do. Callers that keep one copy it (string(b)).
type scanner struct {
	data    []byte
	pos     int
	scratch []byte
}

// syntaxError is malformed JSON, with the byte offset in the value where
// it was found.
type syntaxError struct {
	Offset int
	msg    string
}

func (e *syntaxError) Error() string {
	return fmt.Sprintf("invalid JSON at byte %d: %s", e.Offset, e.msg)
}

func (s *scanner) fail(format string, args ...any) error {
	return &syntaxError{Offset: s.pos, msg: fmt.Sprintf(format, args...)}
}

func (s *scanner) reset(data []byte) {
	s.data, s.pos = data, 0
}

func (s *scanner) skipSpace() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// peek returns the next byte after white space, 0 at the end.
func (s *scanner) peek() byte {
	s.skipSpace()
	if s.pos == len(s.data) {
		return 0
	}
	return s.data[s.pos]
}

// kind names the JSON type starting with c, for errors.
func kind(c byte) string {
	switch c {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	case 0:
		return "the end of the input"
	}
	if c == '-' || c >= '0' && c <= '9' {
		return "a number"
	}
	return strconv.QuoteRune(rune(c))
}

// errType is a value of the wrong JSON type; decoders add the field.
type errType struct{ want, got string }

func (e *errType) Error() string { return fmt.Sprintf("want %s, got %s", e.want, e.got) }

// expect consumes c, or fails naming what came instead.
func (s *scanner) expect(c byte, want string) error {
	if got := s.peek(); got != c {
		if got == 0 || !isValueStart(got) {
			return s.fail("want %s, got %s", want, kind(got))
		}
		return &errType{want, kind(got)}
	}
	s.pos++
	return nil
}

func isValueStart(c byte) bool {
	switch c {
	case '{', '[', '"', 't', 'f', 'n', '-':
		return true
	}
	return c >= '0' && c <= '9'
}

// end checks that nothing but white space follows the value.
func (s *scanner) end() error {
	if s.skipSpace(); s.pos != len(s.data) {
		return s.fail("data after the value")
	}
	return nil
}

// null consumes null and reports whether it was there.
func (s *scanner) null() bool {
	if s.peek() == 'n' && bytes.HasPrefix(s.data[s.pos:], []byte("null")) {
		s.pos += 4
		return true
	}
	return false
}

// object calls member with each key of the object that comes next, with
// the scanner at the member's value, which member must consume. It does
// not look for a key given twice; the decoders, which know their keys,
// do (see once).
func (s *scanner) object(member func(key []byte) error) error {
	if err := s.expect('{', "an object"); err != nil {
		return err
	}
	if s.peek() == '}' {
		s.pos++
		return nil
	}
	for {
		if s.peek() != '"' {
			return s.fail("want a member name, got %s", kind(s.peek()))
		}
		key, err := s.str()
		if err != nil {
			return err
		}
		if err := s.expect(':', "':'"); err != nil {
			return s.fail("want ':' after a member name")
		}
		if err := member(key); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.pos++
		case '}':
			s.pos++
			return nil
		default:
			return s.fail("want ',' or '}' after a member, got %s", kind(s.peek()))
		}
	}
}

// once marks member k (a decoder's number for it, below 64) as seen in
// *seen, and fails if it was seen before in the same object: a file that
// says two things of one field should say one (encoding/json would keep
// the last, silently).
func once(seen *uint64, k int, key []byte) error {
	if *seen&(1<<k) != 0 {
		return fmt.Errorf("member %q given twice", key)
	}
	*seen |= 1 << k
	return nil
}

// array calls elem with the index of each element of the array that comes
// next, with the scanner at the element, which elem must consume.
func (s *scanner) array(elem func(i int) error) error {
	if err := s.expect('[', "an array"); err != nil {
		return err
	}
	if s.peek() == ']' {
		s.pos++
		return nil
	}
	for i := 0; ; i++ {
		if err := elem(i); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.pos++
		case ']':
			s.pos++
			return nil
		default:
			return s.fail("want ',' or ']' after an element, got %s", kind(s.peek()))
		}
	}
}

// str reads a string.
func (s *scanner) str() ([]byte, error) {
	if err := s.expect('"', "a string"); err != nil {
		return nil, err
	}
	start := s.pos
	// The common case: plain ASCII, found at eight bytes a step.
	i := indexNotPlain(s.data[start:])
	if i >= 0 && s.data[start+i] == '"' {
		s.pos = start + i + 1
		return s.data[start : start+i], nil
	}
	// Else: no escape, no control character and valid UTF-8 (Arabic
	// names), or the slow way.
	if i := bytes.IndexByte(s.data[start:], '"'); i >= 0 {
		raw := s.data[start : start+i]
		if bytes.IndexByte(raw, '\\') < 0 && plainText(raw) {
			s.pos = start + i + 1
			return raw, nil
		}
	}
	s.scratch = s.scratch[:0]
	for s.pos < len(s.data) {
		c := s.data[s.pos]
		switch {
		case c == '"':
			s.pos++
			return s.scratch, nil
		case c == '\\':
			if err := s.escape(); err != nil {
				return nil, err
			}
		case c < 0x20:
			return nil, s.fail("control character %#02x in a string", c)
		case c < utf8.RuneSelf:
			s.scratch = append(s.scratch, c)
			s.pos++
		default:
			r, size := utf8.DecodeRune(s.data[s.pos:])
			if r == utf8.RuneError && size == 1 {
				return nil, s.fail("invalid UTF-8 in a string")
			}
			s.scratch = append(s.scratch, s.data[s.pos:s.pos+size]...)
			s.pos += size
		}
	}
	return nil, s.fail("unterminated string")
}

// plainText reports whether b has no control character and is valid UTF-8.
func plainText(b []byte) bool {
	for _, c := range b {
		if c < 0x20 {
			return false
		}
	}
	return utf8.Valid(b)
}

// escape reads one escape sequence into scratch.
func (s *scanner) escape() error {
	if s.pos+1 >= len(s.data) {
		return s.fail("unterminated escape")
	}
	c := s.data[s.pos+1]
	s.pos += 2
	switch c {
	case '"', '\\', '/':
		s.scratch = append(s.scratch, c)
	case 'b':
		s.scratch = append(s.scratch, '\b')
	case 'f':
		s.scratch = append(s.scratch, '\f')
	case 'n':
		s.scratch = append(s.scratch, '\n')
	case 'r':
		s.scratch = append(s.scratch, '\r')
	case 't':
		s.scratch = append(s.scratch, '\t')
	case 'u':
		r, ok := s.hex4()
		if !ok {
			return s.fail("want four hex digits after \\u")
		}
		if utf16.IsSurrogate(r) {
			// A pair makes one rune; a lone half is U+FFFD, as
			// encoding/json has it.
			save := s.pos
			if s.pos+1 < len(s.data) && s.data[s.pos] == '\\' && s.data[s.pos+1] == 'u' {
				s.pos += 2
				if r2, ok := s.hex4(); ok && utf16.DecodeRune(r, r2) != utf8.RuneError {
					r = utf16.DecodeRune(r, r2)
				} else {
					s.pos = save
					r = utf8.RuneError
				}
			} else {
				r = utf8.RuneError
			}
		}
		s.scratch = utf8.AppendRune(s.scratch, r)
	default:
		s.pos--
		return s.fail("invalid escape \\%c", c)
	}
	return nil
}

func (s *scanner) hex4() (rune, bool) {
	if s.pos+4 > len(s.data) {
		return 0, false
	}
	var r rune
	for _, c := range s.data[s.pos : s.pos+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	s.pos += 4
	return r, true
}

// number reads a number: its JSON text is checked against the grammar,
// then parsed. Numbers beyond float64's range are an error.
func (s *scanner) number() (float64, error) {
	if c := s.peek(); c != '-' && (c < '0' || c > '9') {
		if c == 0 || !isValueStart(c) {
			return 0, s.fail("want a number, got %s", kind(c))
		}
		return 0, &errType{"a number", kind(c)}
	}
	start := s.pos
	d := s.data
	i := s.pos
	if d[i] == '-' {
		i++
	}
	digits := func() int {
		j := i
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
		return i - j
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case digits() == 0:
		s.pos = i
		return 0, s.fail("want a digit")
	}
	if i < len(d) && d[i] == '.' {
		i++
		if digits() == 0 {
			s.pos = i
			return 0, s.fail("want a digit after '.'")
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if digits() == 0 {
			s.pos = i
			return 0, s.fail("want a digit in the exponent")
		}
	}
	s.pos = i
	if v, ok := exactDecimal(d[start:i]); ok {
		return v, nil
	}
	v, err := strconv.ParseFloat(string(d[start:i]), 64)
	if err != nil {
		return 0, fmt.Errorf("number %s out of range", d[start:i])
	}
	return v, nil
}

// exactDecimal parses a number without an exponent and of at most 15
// digits, such as a coordinate, the quick way: its digits as an integer
// and a power of ten are both exact in a float64, so one division rounds
// correctly (Clinger's fast path, which strconv takes too, after a string
// conversion that costs an allocation here). ok is false for any other
// number.
func exactDecimal(b []byte) (v float64, ok bool) {
	var mant int64
	digits, frac, dot := 0, 0, false
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			mant = mant*10 + int64(c-'0')
			digits++
			if dot {
				frac++
			}
		case c == '.':
			dot = true
		case c == '-' && digits == 0:
		default:
			return 0, false
		}
	}
	if digits > 15 {
		return 0, false
	}
	v = float64(mant) / pow10[frac]
	if b[0] == '-' {
		v = -v
	}
	return v, true
}

// pow10 holds the powers of ten exact in a float64 that exactDecimal uses.
var pow10 = [16]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15}

// skip reads and checks any value, for members whose content is not ours
// (a collection's bbox) or that an error must step over.
func (s *scanner) skip() error {
	switch c := s.peek(); c {
	case '{':
		return s.object(func([]byte) error { return s.skip() })
	case '[':
		return s.array(func(int) error { return s.skip() })
	case '"':
		_, err := s.str()
		return err
	case 't', 'f', 'n':
		for _, lit := range []string{"true", "false", "null"} {
			if bytes.HasPrefix(s.data[s.pos:], []byte(lit)) {
				s.pos += len(lit)
				return nil
			}
		}
		return s.fail("want true, false or null")
	default:
		_, err := s.number()
		return err
	}
}
