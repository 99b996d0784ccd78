package geo

import (
	"errors"
	"io"
	"strings"
	"testing"
)

// A file past the limit is refused, not cut short; one of exactly the
// limit is read whole.
func TestLimitedReader(t *testing.T) {
	for _, tt := range []struct {
		data string
		want error
	}{{"abc", nil}, {"abcd", errTooLarge}, {"ab", nil}} {
		got, err := io.ReadAll(&limitedReader{r: strings.NewReader(tt.data), n: 3})
		if !errors.Is(err, tt.want) {
			t.Errorf("%q: error %v, want %v", tt.data, err, tt.want)
		}
		if tt.want == nil && string(got) != tt.data {
			t.Errorf("%q: read %q", tt.data, got)
		}
	}
}
