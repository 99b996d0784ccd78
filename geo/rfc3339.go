package geo

import "time"

// parseTime reads an RFC 3339 time as time.Parse(time.RFC3339, s) does,
// the common forms (whole seconds, "Z" or an offset) without its
// allocations, which a million incidents would feel; anything else is
// left to time.Parse. zones holds the decoder's one *time.Location per
// offset.
func parseTime(s string, zones map[int]*time.Location) (time.Time, error) {
	if t, ok := quickTime(s, zones); ok {
		return t, nil
	}
	return time.Parse(time.RFC3339, s)
}

// quickTime parses "2006-01-02T15:04:05Z" and "2006-01-02T15:04:05+03:00",
// and reports false for anything else, valid or not.
func quickTime(s string, zones map[int]*time.Location) (time.Time, bool) {
	if len(s) != 20 && len(s) != 25 {
		return time.Time{}, false
	}
	num := func(i, n int) int {
		v := 0
		for _, c := range []byte(s[i : i+n]) {
			if c < '0' || c > '9' {
				return -1
			}
			v = v*10 + int(c-'0')
		}
		return v
	}
	year, month, day := num(0, 4), num(5, 2), num(8, 2)
	hour, minute, sec := num(11, 2), num(14, 2), num(17, 2)
	if s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' ||
		year < 0 || month < 1 || month > 12 || day < 1 || day > daysIn(time.Month(month), year) ||
		hour < 0 || hour > 23 || minute < 0 || minute > 59 || sec < 0 || sec > 59 {
		return time.Time{}, false
	}
	loc := time.UTC
	if len(s) == 25 {
		oh, om := num(20, 2), num(23, 2)
		if s[19] != '+' && s[19] != '-' || s[22] != ':' || oh < 0 || oh > 23 || om < 0 || om > 59 {
			return time.Time{}, false
		}
		offset := (oh*60 + om) * 60
		if s[19] == '-' {
			offset = -offset
		}
		if offset != 0 {
			if loc = zones[offset]; loc == nil {
				loc = time.FixedZone("", offset)
				zones[offset] = loc
			}
		}
	} else if s[19] != 'Z' {
		return time.Time{}, false
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, 0, loc), true
}

// daysIn returns the number of days of month in year.
func daysIn(month time.Month, year int) int {
	return time.Date(year, month+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
