package geo

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzScanner checks the scanner against encoding/json: on input that is
// valid UTF-8, skip accepts exactly the JSON values json.Valid accepts,
// and valueEnd finds where each ends; a string reads as json.Unmarshal
// reads it.
func FuzzScanner(f *testing.F) {
	for _, s := range []string{
		`{"a":[1,-2.5e3,true,false,null,"x\"y\\u00e9\ud83d\ude00"]}`, `"\ud800"`, `"\ud800\u0041"`,
		`[1,]`, `{"a" 1}`, `01`, `1.`, `-`, `"\x"`, "\"a\x01\"", `[[[[]]]]`, `{"a":{"b":{}}} `, `1e400`,
		`"قاعدة عين الأسد"`, `{"a":1,"a":2}`, `nul`, `tru`, `[1 2]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if !utf8.Valid(data) {
			return // the scanner refuses what encoding/json lets through
		}
		var s scanner
		s.reset(data)
		err := s.skip()
		if err == nil {
			err = s.end()
		}
		var number float64
		overflow := json.Unmarshal(data, &number) != nil && json.Valid(data) && data[0] != '"'
		if want := json.Valid(data); (err == nil) != want && !overflow {
			t.Fatalf("skip(%q): %v; json.Valid says %v", data, err, want)
		}
		if err != nil {
			return
		}
		// valueEnd finds the end of the value, followed by a delimiter.
		v := bytes.TrimSpace(data)
		if end, ok := valueEnd(append(slices.Clone(v), ' ')); !ok || end != len(v) {
			t.Fatalf("valueEnd(%q) = %d, %v; want %d", v, end, ok, len(v))
		}
		var want string
		if json.Unmarshal(data, &want) == nil {
			s.reset(data)
			got, err := s.str()
			if err != nil || string(got) != want {
				t.Fatalf("str(%q) = %q, %v; want %q", data, got, err, want)
			}
		}
	})
}

func TestRadixSort(t *testing.T) {
	type item struct {
		key uint64
		i   int
	}
	keys := []uint64{0, 1, 255, 256, 1 << 40, 1<<63 + 5, ^uint64(0), 42, 42, 1 << 8, 7 << 56}
	var items []item
	for i := range 2000 {
		items = append(items, item{keys[i%len(keys)] ^ uint64(i%3)<<(8*(i%8)), i})
	}
	want := slices.Clone(items)
	slices.SortStableFunc(want, func(a, b item) int {
		switch {
		case a.key < b.key:
			return -1
		case a.key > b.key:
			return 1
		}
		return 0
	})
	radixSort(items, func(x item) uint64 { return x.key })
	if !slices.Equal(items, want) {
		t.Error("radixSort differs from a stable sort")
	}
}

// FuzzParseTime checks the quick RFC 3339 parser against time.Parse: the
// same instants and offsets, the same errors.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2023-11-21T04:30:00+03:00", "2023-11-21T01:30:00Z", "2024-02-29T00:00:00Z", "2023-02-29T00:00:00Z",
		"2023-11-21T24:00:00Z", "2023-11-21T04:30:00-00:00", "2023-11-21T04:30:00+24:00", "2023-11-21t04:30:00z", "0000-01-01T00:00:00Z",
		"2023-11-21T04:30:60Z", "2023-11-21T04:30:00.5Z", "2023-1-21T04:30:00Z"} {
		f.Add(s)
	}
	zones := map[int]*time.Location{}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseTime(s, zones)
		want, wantErr := time.Parse(time.RFC3339, s)
		if (err == nil) != (wantErr == nil) {
			t.Fatalf("parseTime(%q): %v; time.Parse: %v", s, err, wantErr)
		}
		_, off := got.Zone()
		_, wantOff := want.Zone()
		if !got.Equal(want) || off != wantOff {
			t.Fatalf("parseTime(%q) = %v, want %v", s, got, want)
		}
	})
}
