package static_test

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/incidentmap/incidentmap/static"
)

// catalogue is static.Catalogue decoded.
func catalogue(t *testing.T) map[string]map[string]string {
	t.Helper()
	var c map[string]map[string]string
	if err := json.Unmarshal(static.Catalogue, &c); err != nil {
		t.Fatalf("i18n.json: %v", err)
	}
	if len(c) != 2 || c["en"] == nil || c["ar"] == nil {
		t.Fatalf("i18n.json has languages %v, want en and ar", slices.Sorted(maps.Keys(c)))
	}
	return c
}

// Both languages have the same keys, none of them empty, and the Arabic
// strings are Arabic: each has Arabic letters, unless it is a name.
func TestCatalogueComplete(t *testing.T) {
	c := catalogue(t)
	arabic := regexp.MustCompile(`[\x{0600}-\x{06FF}]`)
	for _, lang := range []string{"en", "ar"} {
		other := map[string]string{"en": "ar", "ar": "en"}[lang]
		for k, v := range c[lang] {
			if strings.TrimSpace(v) == "" {
				t.Errorf("%s.%s is empty", lang, k)
			}
			if _, ok := c[other][k]; !ok {
				t.Errorf("%s has %q, %s does not", lang, k, other)
			}
		}
	}
	for k, v := range c["ar"] {
		if !arabic.MatchString(v) && v == c["en"][k] {
			t.Errorf("ar.%s is the English %q", k, v)
		}
	}
}

// jsComments are the scripts' line comments.
var jsComments = regexp.MustCompile(`(?m)^\s*//.*$|\s//\s.*$`)

// keysUsed are the catalogue keys the template (.T.key) and the scripts
// (t('key')) use, with where each is used.
func keysUsed(t *testing.T) map[string]string {
	t.Helper()
	used := map[string]string{}
	for _, m := range regexp.MustCompile(`\.T\.(\w+)`).FindAllStringSubmatch(static.Page, -1) {
		used[m[1]] = "page.html"
	}
	// The Go side: the page's title and description, in <title>, Open
	// Graph and oEmbed (api's language.text).
	goFiles, err := filepath.Glob("../api/*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range goFiles {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`\.text\("(\w+)"\)`).FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = filepath.Base(f)
		}
	}
	call := regexp.MustCompile(`\bt\(\s*'(\w+)'`)
	anyCall := regexp.MustCompile(`\bt\(\s*([^)\s]?)`)
	for name, src := range ownFiles(t) {
		if !strings.HasSuffix(name, ".js") {
			continue
		}
		src = jsComments.ReplaceAllString(src, "")
		for _, m := range call.FindAllStringSubmatch(src, -1) {
			used[m[1]] = name
		}
		// A key that is not a literal cannot be checked: refuse it.
		for _, m := range anyCall.FindAllStringSubmatch(src, -1) {
			if m[1] != "'" && name != "i18n.js" {
				t.Errorf("%s calls t( with a key that is not a literal: t(%s…", name, m[1])
			}
		}
	}
	return used
}

// Every key the template and the scripts use is in the catalogue in
// every language, and every key of the catalogue is used (tOr's keys,
// made from the data's event types, roles and layer ids, aside).
func TestCatalogueCoversPage(t *testing.T) {
	c := catalogue(t)
	used := keysUsed(t)
	if len(used) < 50 {
		t.Fatalf("found %d keys in use; the extraction is broken", len(used))
	}
	for k, where := range used {
		for _, lang := range []string{"en", "ar"} {
			if _, ok := c[lang][k]; !ok {
				t.Errorf("%s uses %q, which i18n.json lacks in %s", where, k, lang)
			}
		}
	}
	for k := range c["en"] {
		if _, ok := used[k]; !ok && !strings.HasPrefix(k, "event_") && !strings.HasPrefix(k, "role_") &&
			!(strings.HasPrefix(k, "layer_") && k != "layer_site_desc") {
			t.Errorf("i18n.json has %q, which nothing uses", k)
		}
	}
}

// names are the words the page shows in every language: names of
// things, formats and organisations, which are not translated.
var names = []string{"incidentmap", "GeoJSON", "CSV", "KML", "OGC API Features", "Natural Earth",
	"GeoNames", "CC BY 4.0", "OpenStreetMap", "oEmbed"}

// The template has no text of its own: what a reader sees or hears
// (text, aria-label, placeholder, title, alt, the description meta
// tags) is a .T key, or a name.
func TestPageTextFromCatalogue(t *testing.T) {
	page := regexp.MustCompile(`(?s)<script.*?</script>|\{\{.*?\}\}`).ReplaceAllString(static.Page, "")
	attrs := regexp.MustCompile(`(?:aria-label|placeholder|title|alt)="([^"]*)"|<meta (?:name="description"|property="og:(?:title|description|image:alt)") content="([^"]*)"`)
	var texts []string
	for _, m := range attrs.FindAllStringSubmatch(page, -1) {
		texts = append(texts, m[1]+m[2])
	}
	for _, s := range regexp.MustCompile(`>([^<]*)<`).FindAllStringSubmatch(page, -1) {
		texts = append(texts, s[1])
	}
	for _, s := range texts {
		for _, n := range names {
			s = strings.ReplaceAll(s, n, "")
		}
		s = regexp.MustCompile(`/[\w/.?=&-]*`).ReplaceAllString(s, "") // paths, shown as links
		if w := regexp.MustCompile(`[A-Za-z]{2,}`).FindString(s); w != "" {
			t.Errorf("page.html shows %q (%q) outside the catalogue", strings.TrimSpace(s), w)
		}
	}
}

// The scripts have no interface text of their own: no string literal
// reads as English words (two words or more), bar the allowed ones,
// which are not shown to a reader.
func TestScriptTextFromCatalogue(t *testing.T) {
	literal := regexp.MustCompile("'[^'\\n]*'|`[^`]*`")
	prose := regexp.MustCompile(`[A-Za-z]{2,}[ ,:]+[A-Za-z]{2,}`)
	allowed := map[string]bool{
		"'click keypress'":      true, // Leaflet event names
		"'noopener noreferrer'": true, // a link's rel
	}
	for name, src := range ownFiles(t) {
		if !strings.HasSuffix(name, ".js") {
			continue
		}
		for _, lit := range literal.FindAllString(jsComments.ReplaceAllString(src, ""), -1) {
			if allowed[lit] || strings.HasPrefix(lit, "'.") || strings.HasPrefix(lit, "'a[") {
				continue
			}
			text := regexp.MustCompile(`\$\{[^}]*\}|<[^>]*>`).ReplaceAllString(lit, "")
			for _, n := range names {
				text = strings.ReplaceAll(text, n, "")
			}
			if prose.MatchString(text) {
				t.Errorf("%s has text outside the catalogue: %s", name, lit)
			}
		}
	}
}
