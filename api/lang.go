package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/incidentmap/incidentmap/static"
)

// The page, the embed, oEmbed and static maps speak English or Arabic
// (issue #13): lang=en|ar, or, on the pages when no lang is given, the
// reader's Accept-Language. Every interface string comes from one
// catalogue, static/i18n.json.

// language is a language the interface is written in.
type language string

const (
	langEN language = "en"
	langAR language = "ar"
)

// languages are the values lang takes, the default first.
var languages = []language{langEN, langAR}

// dir is the direction the language is written in, for <html dir>.
func (l language) dir() string {
	if l == langAR {
		return "rtl"
	}
	return "ltr"
}

// catalogue is static.Catalogue decoded: every language's strings by key.
var catalogue = mustCatalogue(static.Catalogue)

// catalogueJSON is each language's strings as a page carries them.
var catalogueJSON = func() map[language]string {
	out := map[language]string{}
	for l, strs := range catalogue {
		b, err := json.Marshal(strs)
		if err != nil {
			panic(fmt.Sprintf("static/i18n.json, %s: %v", l, err)) // embedded at build time; tested
		}
		out[l] = string(b)
	}
	return out
}()

func mustCatalogue(b []byte) map[language]map[string]string {
	var c map[language]map[string]string
	if err := json.Unmarshal(b, &c); err != nil {
		panic(fmt.Sprintf("static/i18n.json: %v", err)) // embedded at build time; tested
	}
	return c
}

// text is the catalogue's string for key in l.
func (l language) text(key string) string { return catalogue[l][key] }

// parseLang reads the lang parameter: en or ar, ok false when absent;
// anything else is a 400 naming lang.
func parseLang(v url.Values) (l language, ok bool, err error) {
	s := v.Get("lang")
	if s == "" {
		return langEN, false, nil
	}
	for _, l := range languages {
		if s == string(l) {
			return l, true, nil
		}
	}
	return langEN, false, badParam("lang", "%q is not one of en, ar", s)
}

// Accept-Language is read no further than this: the header is the
// client's, and a preference worth honouring is in its first entries.
const (
	maxAcceptLanguageBytes   = 256
	maxAcceptLanguageEntries = 16
)

// preferredLanguage is ar when the Accept-Language header h prefers
// Arabic to English (a higher quality, or the same and listed first),
// else en. It never fails: what does not parse is skipped.
func preferredLanguage(h string) language {
	if len(h) > maxAcceptLanguageBytes {
		h = h[:maxAcceptLanguageBytes]
	}
	// q of ar and en, and where each was first listed; -1: not listed.
	qAR, qEN, qAny := -1.0, -1.0, -1.0
	posAR, posEN := -1, -1
	for i, entry := range strings.SplitN(h, ",", maxAcceptLanguageEntries+1) {
		if i == maxAcceptLanguageEntries {
			break
		}
		tag, params, _ := strings.Cut(entry, ";")
		tag = strings.ToLower(strings.TrimSpace(tag))
		q, ok := quality(params)
		if !ok {
			continue
		}
		primary, _, _ := strings.Cut(tag, "-")
		switch {
		case primary == "ar" && q > qAR:
			qAR = q
			if posAR < 0 {
				posAR = i
			}
		case primary == "en" && q > qEN:
			qEN = q
			if posEN < 0 {
				posEN = i
			}
		case tag == "*" && q > qAny:
			qAny = q
		}
	}
	if qAR < 0 {
		qAR = qAny // "*" stands for every language not listed
	}
	if qEN < 0 {
		qEN = qAny
	}
	if qAR <= 0 || qAR < qEN {
		return langEN
	}
	if qAR == qEN && !(posAR >= 0 && (posEN < 0 || posAR < posEN)) {
		return langEN
	}
	return langAR
}

// quality is the q of an Accept-Language entry's parameters (its first
// q=), 1 when it has none; ok is false when q is not a number 0..1.
func quality(params string) (q float64, ok bool) {
	for _, p := range strings.Split(params, ";") {
		v, found := strings.CutPrefix(strings.TrimSpace(p), "q=")
		if !found {
			continue
		}
		f, err := strconv.ParseFloat(v, 64)
		return f, err == nil && f >= 0 && f <= 1
	}
	return 1, true
}

// pageLanguage is the language of a page request: lang if given (400 if
// bad), else the reader's Accept-Language.
func pageLanguage(r *http.Request, v url.Values) (language, error) {
	l, ok, err := parseLang(v)
	if err != nil || ok {
		return l, err
	}
	return preferredLanguage(r.Header.Get("Accept-Language")), nil
}

// langQuery is q with lang=ar when l is Arabic: the links a page or an
// embed writes (its canonical URL, og:image, oEmbed, the link back) keep
// its language. English is the default and is left out, so that English
// links stay as they were.
func langQuery(q url.Values, l language) url.Values {
	if l != langEN {
		q.Set("lang", string(l))
	}
	return q
}
