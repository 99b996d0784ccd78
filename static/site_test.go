package static_test

import (
	"io/fs"
	"path"
	"regexp"
	"strings"
	"testing"

	"github.com/incidentmap/incidentmap/static"
)

// pageBudget is what the page's own scripts and styles may weigh,
// unminified, Leaflet aside. It was 30 KiB for one script; its split
// into modules, one owner for each piece of state, costs about 4 KiB of
// imports, exports and comments. Asking for the view rather than every
// incident (issue #10: the clustering grid in cells.js, cluster markers
// that zoom in or list their incidents, lists a page at a time, a render
// that draws the map before the lists) costs 6 KiB more. Pinned views
// (pin.js's "updated since publication", every read under /r/N) and the
// corrections in cards (issue #11) cost 4 KiB more. Phones (issue #13:
// 44 px targets, the phone layout, a tap near a dot opening it, popups
// that fit a phone's map, one line of credits) cost 2.5 KiB more. Arabic
// (issue #13: i18n.js, every string a t('key'), dates and numbers by
// Intl, right-to-left CSS and layout) costs 5 KiB more; the catalogue itself,
// static/i18n.json, comes in the page (data-i18n), one language a page.
// Arabic-Indic digits and compact counts, and every path under ROOT (a
// service behind a proxy's path, -public-url), cost 1 KiB more.
const pageBudget = 53 << 10

// deskBudget is what the editor's desk's own scripts and styles may
// weigh, unminified (site/desk: the form, its panels, the session): 41 KB
// at first.
const deskBudget = 48 << 10

// ownFiles are the map page's own .js and .css files (not the vendored
// ones, nor the desk's).
func ownFiles(t *testing.T) map[string]string {
	t.Helper()
	return siteFiles(t, func(p string) bool { return !strings.HasPrefix(p, "vendor/") && !strings.HasPrefix(p, "desk/") })
}

// deskFiles are the editor's desk's own .js and .css files.
func deskFiles(t *testing.T) map[string]string {
	t.Helper()
	return siteFiles(t, func(p string) bool { return strings.HasPrefix(p, "desk/") })
}

// siteFiles are the .js and .css files of the site whose paths keep
// says to.
func siteFiles(t *testing.T, keep func(path string) bool) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := fs.WalkDir(static.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !keep(p) {
			return err
		}
		if ext := path.Ext(p); ext == ".js" || ext == ".css" {
			b, err := fs.ReadFile(static.FS, p)
			files[p] = string(b)
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestPageWeight(t *testing.T) {
	for _, c := range []struct {
		what   string
		files  map[string]string
		budget int
	}{{"the map page", ownFiles(t), pageBudget}, {"the desk", deskFiles(t), deskBudget}} {
		total := 0
		for name, src := range c.files {
			t.Logf("%-16s %6d bytes", name, len(src))
			total += len(src)
		}
		t.Logf("%s: %d bytes (budget %d)", c.what, total, c.budget)
		if total > c.budget || total == 0 {
			t.Errorf("%s's own JS and CSS weigh %d bytes; the budget is %d", c.what, total, c.budget)
		}
	}
}

// The scripts never parse strings as HTML, and never hand Leaflet a string
// for a popup or tooltip (Leaflet sets those with innerHTML).
func TestScriptsWriteTextOnly(t *testing.T) {
	banned := regexp.MustCompile(`innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function|bind(Popup|Tooltip)\(\s*['"\x60]|setContent\(\s*['"\x60]`)
	for name, src := range siteFiles(t, func(p string) bool { return !strings.HasPrefix(p, "vendor/") }) {
		if !strings.HasSuffix(name, ".js") {
			continue
		}
		for i, line := range strings.Split(src, "\n") {
			if m := banned.FindString(line); m != "" && !strings.HasPrefix(strings.TrimSpace(line), "//") {
				t.Errorf("%s:%d uses %s: %s", name, i+1, m, strings.TrimSpace(line))
			}
		}
	}
}

// Every file the template or the scripts ask for is embedded.
func TestPageAssetsExist(t *testing.T) {
	refs := regexp.MustCompile(`(?:src|href)="(?:\{\{\.Root\}\})?(/[^"?{]*)"|from '\./([^']+)'`)
	srcs := []string{static.Page}
	for _, src := range ownFiles(t) {
		srcs = append(srcs, src)
	}
	for _, src := range srcs {
		for _, m := range refs.FindAllStringSubmatch(src, -1) {
			p := strings.TrimPrefix(m[1]+m[2], "/")
			if strings.HasPrefix(p, "api") || p == "" || p == "oembed" {
				continue
			}
			if _, err := fs.Stat(static.FS, p); err != nil {
				t.Errorf("%s is referenced but not embedded: %v", p, err)
			}
		}
	}
}

// Every module the scripts import is preloaded, so the browser fetches
// them all at once rather than one import level at a time.
func TestModulesPreloaded(t *testing.T) {
	imports := regexp.MustCompile(`(?m)^import .* from '\./([^']+)';$`)
	for name, src := range ownFiles(t) {
		for _, m := range imports.FindAllStringSubmatch(src, -1) {
			if !strings.Contains(static.Page, `<link rel="modulepreload" href="{{.Root}}/`+m[1]+`">`) {
				t.Errorf("%s imports %s, which page.html does not preload", name, m[1])
			}
		}
	}
}

// Every file the desk's template asks for is embedded, and every module
// its scripts import is embedded and preloaded.
func TestDeskAssets(t *testing.T) {
	refs := regexp.MustCompile(`(?:src|href)="\{\{\.Root\}\}(/[^"?{]*)"`)
	for _, m := range refs.FindAllStringSubmatch(static.Desk, -1) {
		p := strings.TrimPrefix(m[1], "/")
		if p == "" || p == "changes" {
			continue // the map and the log are pages of the server
		}
		if _, err := fs.Stat(static.FS, p); err != nil {
			t.Errorf("desk.html asks for %s, which is not embedded: %v", p, err)
		}
	}
	imports := regexp.MustCompile(`(?m)^import .* from '(\.\.?/[^']+)';$`)
	n := 0
	for name, src := range deskFiles(t) {
		for _, m := range imports.FindAllStringSubmatch(src, -1) {
			p := path.Join(path.Dir(name), m[1])
			n++
			if _, err := fs.Stat(static.FS, p); err != nil {
				t.Errorf("%s imports %s, which is not embedded", name, p)
			}
			if !strings.Contains(static.Desk, `<link rel="modulepreload" href="{{.Root}}/`+p+`">`) {
				t.Errorf("%s imports %s, which desk.html does not preload", name, p)
			}
		}
	}
	if n < 4 {
		t.Errorf("found %d imports in the desk's scripts; the extraction is broken", n)
	}
}

// Every link of the templates to the service starts with {{.Root}}, the
// path it is served under behind a proxy (-public-url's path): one that
// starts with "/" alone would leave it.
func TestTemplatesLinkUnderRoot(t *testing.T) {
	rooted := regexp.MustCompile(`(?:src|href)="/`)
	for name, tmpl := range map[string]string{"page.html": static.Page, "desk.html": static.Desk} {
		for _, line := range strings.Split(tmpl, "\n") {
			if rooted.MatchString(line) {
				t.Errorf("%s: a link not under {{.Root}}: %s", name, strings.TrimSpace(line))
			}
		}
	}
	// And the scripts ask for no path of the service without ROOT (or
	// api(), which adds it): a literal '/api…', '/tiles…', '/oembed…' or
	// '/changes…' must follow ROOT + .
	bare := regexp.MustCompile(`(^|[^+ ]\s*)'/(api|tiles|oembed|changes|edit)`)
	for name, src := range siteFiles(t, func(p string) bool { return !strings.HasPrefix(p, "vendor/") }) {
		src = jsComments.ReplaceAllString(src, "")
		for _, line := range strings.Split(src, "\n") {
			if m := bare.FindString(line); m != "" && !strings.Contains(line, "api('/") && !strings.Contains(line, "ROOT + '/") && !strings.Contains(line, "call(") && !strings.Contains(line, "const ITEMS") && !strings.Contains(line, "`/r/") {
				t.Errorf("%s asks for a path without ROOT: %s", name, strings.TrimSpace(line))
			}
		}
	}
}
