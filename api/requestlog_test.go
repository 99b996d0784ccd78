package api

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// slogLine is l as slog's JSON handler writes it.
func slogLine(t testing.TB, l requestLine) string {
	t.Helper()
	var buf bytes.Buffer
	if err := slog.NewJSONHandler(&buf, nil).Handle(context.Background(), l.record()); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// TestRequestLineIsSlogs checks requestLine writes what slog's JSON
// handler writes, for text a client chose (every byte, invalid UTF-8,
// the separators JavaScript reads as newlines), both levels, and times
// with and without nanoseconds, in and out of UTC.
func TestRequestLineIsSlogs(t *testing.T) {
	var every strings.Builder
	for b := range 256 {
		every.WriteByte(byte(b))
	}
	at := time.Date(2026, 11, 26, 12, 3, 4, 500600700, time.UTC)
	for _, l := range []requestLine{
		{time: at, level: slog.LevelInfo, id: "0123456789abcdef0123456789abcdef", method: "GET",
			path: "/tiles/incidents/10/632/409.mvt", route: "/tiles/:layer/:z/:x/:y", status: 200, bytes: 285, xcache: "hit", took: 41 * time.Microsecond},
		{time: at.Truncate(time.Second), level: slog.LevelError, id: "x", method: "GET", path: "/api/layers/al-asad",
			route: "/api/layers/:id", status: 503, bytes: -1, xcache: "", took: 0},
		{time: at.In(time.FixedZone("AST", 3*3600)), level: slog.LevelInfo, method: "BREW",
			path: every.String(), route: "unmatched", status: 404, bytes: 1 << 40, took: -time.Nanosecond},
		{time: time.Now(), level: slog.LevelInfo, method: "GET", path: "/a\"b\\c\n\r\t\u2028\u2029<>&\x7f\xff\xfe é ✓ 🗺",
			route: "/*", status: 200, xcache: "stale", took: time.Hour},
	} {
		if got, want := string(l.appendJSON(nil)), slogLine(t, l); got != want {
			t.Errorf("line\n%s\nslog's\n%s", got, want)
		}
	}
}

// FuzzRequestLine checks requestLine against slog for any text and
// numbers a request can put in the line.
func FuzzRequestLine(f *testing.F) {
	f.Add("0123456789abcdef0123456789abcdef", "GET", "/api/layers/al-asad", "hit", 200, int64(9822), int64(41000), int64(1764158584500600700))
	f.Add("", "", "/\u2028\xff\"", "", 503, int64(-1), int64(0), int64(0))
	f.Fuzz(func(t *testing.T, id, method, path, xcache string, status int, n, took, unixNano int64) {
		l := requestLine{time: time.Unix(0, unixNano).UTC(), level: slog.LevelInfo, id: id, method: method, path: path,
			route: "/api/layers/:id", status: status, bytes: n, xcache: xcache, took: time.Duration(took)}
		if y := l.time.Year(); y < 0 || y >= 10000 {
			t.Skip() // slog writes an error for these; time.Now is never one
		}
		if got, want := string(l.appendJSON(nil)), slogLine(t, l); got != want {
			t.Errorf("line\n%s\nslog's\n%s", got, want)
		}
	})
}

// BenchmarkRequestLine is the request's log line through each encoder.
func BenchmarkRequestLine(b *testing.B) {
	l := requestLine{time: time.Now(), level: slog.LevelInfo, id: "0123456789abcdef0123456789abcdef", method: "GET",
		path: "/tiles/incidents/10/632/409.mvt", route: "/tiles/:layer/:z/:x/:y", status: 200, bytes: 285, xcache: "hit", took: 41 * time.Microsecond}
	var discard bytes.Buffer
	b.Run("requestLine", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			discard.Reset()
			l.writeTo(&discard)
		}
	})
	b.Run("slog", func(b *testing.B) {
		h := slog.NewJSONHandler(&discard, nil)
		b.ReportAllocs()
		for b.Loop() {
			discard.Reset()
			_ = h.Handle(context.Background(), l.record())
		}
	})
}
