package geo

import "testing"

// FuzzSWAR checks the eight-bytes-at-a-time searches against the plain
// byte-by-byte ones.
func FuzzSWAR(f *testing.F) {
	for _, s := range []string{"", "abc", `abcdefgh"`, `abcdefghijklmnop\q`, "ab\x01cdefghij", "abcdefgh\xc3\xa9", "\"\"\"\"\"\"\"\"\"", "\x7f\x80\x1f\x20"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		want := -1
		for i, c := range b {
			if c == '"' || c == '\\' {
				want = i
				break
			}
		}
		if got := indexQuoteOrEscape(b); got != want {
			t.Errorf("indexQuoteOrEscape(%q) = %d, want %d", b, got, want)
		}
		want = -1
		for i, c := range b {
			if c == '"' || c == '\\' || c < 0x20 || c >= 0x80 {
				want = i
				break
			}
		}
		if got := indexNotPlain(b); got != want {
			t.Errorf("indexNotPlain(%q) = %d, want %d", b, got, want)
		}
	})
}
