package api

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"net/http"
	"net/textproto"
	"strings"
)

// A cached response is its body, and for some (pages of items) the
// headers its render worked out, which a hit must send again: the Link
// header of a page knows whether there is a next one only once the query
// has run. Such a response is stored as the length of its header block
// (uvarint), the block as HTTP writes it, then the body.

// withHeaders returns body stored with h.
func withHeaders(h http.Header, body []byte) ([]byte, error) {
	var block bytes.Buffer
	if err := h.Write(&block); err != nil {
		return nil, fmt.Errorf("store headers: %w", err)
	}
	out := binary.AppendUvarint(make([]byte, 0, 8+block.Len()+len(body)), uint64(block.Len()))
	out = append(out, block.Bytes()...)
	return append(out, body...), nil
}

// splitHeaders undoes withHeaders.
func splitHeaders(stored []byte) (http.Header, []byte, error) {
	n, k := binary.Uvarint(stored)
	if k <= 0 || n > uint64(len(stored)-k) {
		return nil, nil, errors.New("stored response: bad header length")
	}
	// The block ends at the body: capped, so appending the blank line that
	// ends a header block copies it rather than writing over the body.
	block := stored[k : k+int(n) : k+int(n)]
	h, err := textproto.NewReader(bufio.NewReader(bytes.NewReader(append(block, '\r', '\n')))).ReadMIMEHeader()
	if err != nil {
		return nil, nil, fmt.Errorf("stored response: %w", err)
	}
	// Only what withHeaders writes is read: the block must write back the
	// same, or the stored bytes are not ours (a broken shared cache).
	var again bytes.Buffer
	if err := http.Header(h).Write(&again); err != nil || !bytes.Equal(again.Bytes(), block) {
		return nil, nil, errors.New("stored response: headers do not read back as stored")
	}
	return http.Header(h), stored[k+int(n):], nil
}

// linkHeader writes links as an RFC 8288 Link header value.
func linkHeader(links []link) string {
	parts := make([]string, len(links))
	for i, l := range links {
		parts[i] = fmt.Sprintf("<%s>; rel=%q; type=%q", l.Href, l.Rel, l.Type)
	}
	return strings.Join(parts, ", ")
}
