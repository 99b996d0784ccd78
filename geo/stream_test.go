package geo

import (
	"bytes"
	"io"
	"testing"
)

// A collection read from memory takes a block of its own size, not
// readBlock: each write's one feature is read so, fifty times a second
// beside the readers. A stream of unknown length still reads by blocks,
// and either reads whole.
func TestCollectionReaderBlock(t *testing.T) {
	raw := []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","id":"a"},{"type":"Feature","id":"b"}]}`)
	for _, c := range []struct {
		name    string
		r       io.Reader
		maxSize int
	}{
		{"in memory", bytes.NewReader(raw), len(raw) + 1},
		{"a stream", io.MultiReader(bytes.NewReader(raw)), readBlock},
	} {
		cr := newCollectionReader(c.r)
		var got [][]byte
		for {
			f, err := cr.next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			got = append(got, bytes.Clone(f))
		}
		if len(got) != 2 || !bytes.Contains(got[1], []byte(`"b"`)) {
			t.Errorf("%s: read %q", c.name, got)
		}
		if size := cap(cr.buf); size > c.maxSize || size < len(raw) {
			t.Errorf("%s: a block of %d bytes for %d, want at most %d", c.name, size, len(raw), c.maxSize)
		}
	}
}
