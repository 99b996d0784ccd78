package geo

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// collectionReader reads a GeoJSON FeatureCollection from a stream and
// hands out its features one at a time, each as the bytes of its JSON
// value: a data file of a million incidents is never all in memory, only
// the blocks whose features are being decoded. Blocks are never reused,
// so a feature's bytes stay valid for as long as the caller holds them,
// and nothing is copied but the part of a feature a block cut off. It
// finds where each feature ends by its brackets and quotes alone; the
// feature's own decoder checks that it is valid JSON.
type collectionReader struct {
	r      io.Reader
	buf    []byte
	pos    int   // next byte to read in buf
	offset int64 // of buf[0] in the stream
	eof    bool
	err    error // from r, other than io.EOF

	inFeatures bool // within the features array
	sawType    bool
	sawFeature bool // the features member was there
	done       bool
	first      bool // the next feature is the array's first
	members    []string

	// Lines, when counted: line is the line of buf[counted].
	countLines bool
	line       int
	counted    int
}

const readBlock = 1 << 20

func newCollectionReader(r io.Reader) *collectionReader {
	return &collectionReader{r: r}
}

// fill reads more of the stream into a new block that starts with the
// unread rest of the last, twice as large when that rest is more than
// half a block (a feature larger than a block).
func (c *collectionReader) fill() bool {
	if c.eof || c.err != nil {
		return false
	}
	if c.countLines {
		c.line += bytes.Count(c.buf[c.counted:c.pos], []byte{'\n'})
		c.counted = 0
	}
	rest := c.buf[c.pos:]
	size := readBlock
	for len(rest) > size/2 {
		size *= 2
	}
	if r, ok := c.r.(interface{ Len() int }); ok && len(rest)+r.Len() < size {
		// What is left is in memory and smaller than a block (a write's
		// one feature): a block would be a megabyte of garbage per write.
		size = len(rest) + r.Len() + 1 // +1: the read that finds the end
	}
	buf := make([]byte, len(rest), size)
	copy(buf, rest)
	c.offset += int64(c.pos)
	c.buf, c.pos = buf, 0
	n, err := io.ReadFull(c.r, c.buf[len(c.buf):cap(c.buf)])
	c.buf = c.buf[:len(c.buf)+n]
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		c.eof = true
	case err != nil:
		c.err = err
	}
	return n > 0
}

func (c *collectionReader) fail(format string, args ...any) error {
	if c.err != nil {
		return fmt.Errorf("read: %w", c.err)
	}
	return &syntaxError{Offset: int(c.offset) + c.pos, msg: fmt.Sprintf(format, args...)}
}

// peek returns the next byte after white space, 0 at the end (or for a
// NUL byte, which is no JSON either).
func (c *collectionReader) peek() byte {
	for {
		for c.pos < len(c.buf) {
			switch c.buf[c.pos] {
			case ' ', '\t', '\n', '\r':
				c.pos++
			default:
				return c.buf[c.pos]
			}
		}
		if !c.fill() {
			return 0
		}
	}
}

// value returns the bytes of the JSON value that comes next.
func (c *collectionReader) value() ([]byte, error) {
	if c.peek() == 0 {
		return nil, c.fail("unexpected end of the input")
	}
	if c.countLines {
		c.line += bytes.Count(c.buf[c.counted:c.pos], []byte{'\n'})
		c.counted = c.pos
	}
	for {
		if end, ok := valueEnd(c.buf[c.pos:]); ok {
			v := c.buf[c.pos : c.pos+end]
			c.pos += end
			return v, nil
		}
		if !c.fill() {
			return nil, c.fail("unexpected end of the input")
		}
	}
}

// valueEnd returns the length of the JSON value b starts with, by its
// brackets and quotes, and false when b ends first. A number or literal
// runs to the next delimiter, which must be in b. It looks at each byte
// once, and within strings at eight at a time (swar.go): this is the one
// part of a load that does not run on every core.
func valueEnd(b []byte) (int, bool) {
	depth := 0
	inString := false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if inString {
			j := indexQuoteOrEscape(b[i:])
			if j < 0 {
				return 0, false
			}
			i += j
			if b[i] == '\\' {
				i++ // the escaped byte cannot end the string
				continue
			}
			inString = false
			if depth == 0 {
				return i + 1, true
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth <= 0 {
				return i + 1, true
			}
		case ',', ' ', '\t', '\n', '\r', ':':
			if depth == 0 {
				return i, true
			}
		}
	}
	return 0, false
}

// next returns the next feature's bytes, or io.EOF after the last, once the whole collection has been read and
// checked.
func (c *collectionReader) next() ([]byte, error) {
	for {
		if c.done {
			return nil, io.EOF
		}
		if c.inFeatures {
			switch b := c.peek(); {
			case b == ']':
				c.pos++
				c.inFeatures = false
				if err := c.afterMember(); err != nil {
					return nil, err
				}
				continue
			case !c.first && b != ',':
				return nil, c.fail("want ',' or ']' after a feature")
			case !c.first:
				c.pos++
			}
			c.first = false
			return c.value()
		}
		if err := c.member(); err != nil {
			return nil, err
		}
	}
}

// member reads the collection's next member, or its start, or its end.
func (c *collectionReader) member() error {
	if c.members == nil {
		if c.peek() != '{' {
			return fmt.Errorf("not a GeoJSON FeatureCollection: %w", c.fail("want an object"))
		}
		c.pos++
		c.members = []string{}
		if c.peek() == '}' {
			c.pos++
			return c.finish()
		}
	}
	raw, err := c.value()
	if err != nil {
		return err
	}
	var s scanner
	s.reset(raw)
	key, err := s.str()
	if err != nil || s.end() != nil {
		return c.fail("want a member name")
	}
	name := string(key)
	for _, m := range c.members {
		if m == name {
			return c.fail("member %q repeated", name)
		}
	}
	c.members = append(c.members, name)
	if c.peek() != ':' {
		return c.fail("want ':' after a member name")
	}
	c.pos++
	switch name {
	case "features":
		if c.peek() != '[' {
			return errors.New("features: want an array")
		}
		c.pos++
		c.sawFeature = true
		if c.peek() == ']' {
			c.pos++
			return c.afterMember()
		}
		c.inFeatures, c.first = true, true
		return nil
	case "type":
		raw, err := c.value()
		if err != nil {
			return err
		}
		s.reset(raw)
		typ, err := s.str()
		if err != nil || s.end() != nil || string(typ) != "FeatureCollection" {
			return fmt.Errorf("type: want \"FeatureCollection\", got %s", raw)
		}
		c.sawType = true
	case "name", "bbox":
		raw, err := c.value()
		if err != nil {
			return err
		}
		s.reset(raw)
		if err := s.skip(); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if err := s.end(); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	default:
		return fmt.Errorf("unknown member %q of the collection", name)
	}
	return c.afterMember()
}

// afterMember reads what follows a member: a comma or the end.
func (c *collectionReader) afterMember() error {
	switch c.peek() {
	case ',':
		c.pos++
		return nil
	case '}':
		c.pos++
		return c.finish()
	}
	return c.fail("want ',' or '}' after a member")
}

// finish checks the end of the collection: nothing after it, and the
// members a FeatureCollection needs.
func (c *collectionReader) finish() error {
	if c.peek(); c.pos != len(c.buf) {
		return c.fail("data after the collection")
	}
	if c.err != nil {
		return c.fail("")
	}
	switch {
	case !c.sawType:
		return errors.New("type: want \"FeatureCollection\", got none")
	case !c.sawFeature:
		return errors.New("features: missing")
	}
	c.done = true
	return nil
}
