package geo

import (
	"errors"
	"fmt"
	"net/url"
)

// Limits on a data set, checked as it loads, so that a hostile or broken
// file cannot make the overlays, exports or pages built from it grow
// without bound: the links overlay grows with related ids, every export
// with text. Each is far above what a real incident needs (the fixtures'
// longest summary is 408 bytes, their most sources 4).
const (
	// MaxDataBytes bounds a data file: a million incidents of geo/synth
	// take about 450 MB.
	MaxDataBytes = 1 << 30
	// MaxShortText bounds, in bytes, a title, a place, a region, an
	// actor's name, a source's publisher and title.
	MaxShortText = 500
	// MaxLongText bounds, in bytes, a summary and a source's quote.
	MaxLongText = 10_000
	// MaxURLBytes bounds a source's URL.
	MaxURLBytes = 2048
	// MaxSources, MaxActors and MaxRelated bound those lists of one
	// incident.
	MaxSources = 20
	MaxActors  = 20
	MaxRelated = 50
)

// checkText reports text longer than limit bytes.
func checkText(s string, limit int) error {
	if len(s) > limit {
		return fmt.Errorf("%d bytes, at most %d", len(s), limit)
	}
	return nil
}

// textField is a text of a feature to check against its limit.
type textField struct {
	field, text string
	limit       int
}

// checkTexts returns the field of the first text over its limit, and why.
func checkTexts(fields ...textField) (string, error) {
	for _, f := range fields {
		if err := checkText(f.text, f.limit); err != nil {
			return f.field, err
		}
	}
	return "", nil
}

// checkCount reports a list longer than limit.
func checkCount(n, limit int) error {
	if n > limit {
		return fmt.Errorf("%d items, at most %d", n, limit)
	}
	return nil
}

// checkSourceURL accepts an empty URL (none given) or an absolute http or
// https URL with a host: a javascript: or data: URL would run or show
// content in a reader's browser when a page links it.
func checkSourceURL(s string) error {
	if s == "" {
		return nil
	}
	if err := checkText(s, MaxURLBytes); err != nil {
		return err
	}
	u, err := url.Parse(s)
	if err != nil {
		return errors.New("not a URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("scheme %q; want http or https", u.Scheme)
	}
	if u.Host == "" {
		return errors.New("no host")
	}
	return nil
}
