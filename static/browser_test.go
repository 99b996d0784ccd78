package static_test

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"image/color"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/incidentmap/incidentmap/api"
	"github.com/incidentmap/incidentmap/fixtures"
	"github.com/incidentmap/incidentmap/geo"
	"github.com/incidentmap/incidentmap/geo/synth"
	"github.com/incidentmap/incidentmap/store"
	"github.com/incidentmap/incidentmap/store/storetest"
	"github.com/incidentmap/incidentmap/tiles"
	"github.com/incidentmap/incidentmap/tiles/basemap"
)

// screenshots asks the browser tests to rewrite the README's screenshots
// in docs: go test ./static -run 'TestBrowserArabic|TestBrowserDesk' -screenshots.
var screenshots = flag.Bool("screenshots", false, "rewrite the screenshots in docs")

// chromium is the Debian package's browser; the test never downloads one.
const chromium = "/usr/bin/chromium"

// xssTitle is a title that would run script if the page put data in as
// HTML.
const xssTitle = "<img src=x onerror=alert(1)>"

// manyIncidents is the size of the synthetic data set the browser test
// serves, beside the fixtures: enough that the whole incidents layer is
// refused (over 10,000 features) and the page must ask for its views.
const manyIncidents = 30_000

// TestBrowser runs e2e/map.test.mjs in headless Chromium against the
// server with the fixtures, a second server whose data has an HTML
// payload for a title, and a third with manyIncidents synthetic
// incidents (geo/synth). It writes the README's screenshot to
// docs/screenshot.png. Without node, playwright-core (npm ci --prefix
// static) or Chromium it skips, unless CI=true, where it fails. It gives
// the script tiles.Palette as WANT_COLORS: the page must draw its markers,
// overlays and radius circle in the tiles' colours.
func TestBrowser(t *testing.T) {
	node, bm := browserSetup(t, "playwright-core")
	fixtureData, err := geo.NewDataset(fixtures.Incidents, fixtures.Sites)
	if err != nil {
		t.Fatalf("load fixtures: %v", err)
	}
	srv := httptest.NewServer(api.New(api.Config{Data: fixtureData, Basemap: bm}))
	defer srv.Close()
	xss := httptest.NewServer(api.New(api.Config{Data: xssDataset(t), Basemap: bm}))
	defer xss.Close()
	manyData, err := geo.NewDataset(synth.Incidents(manyIncidents, 1), fixtures.Sites)
	if err != nil {
		t.Fatalf("load %d synthetic incidents: %v", manyIncidents, err)
	}
	many := httptest.NewServer(api.New(api.Config{Data: manyData, Basemap: bm}))
	defer many.Close()

	shot := filepath.Join("..", "docs", "screenshot.png")
	if err := os.MkdirAll(filepath.Dir(shot), 0o755); err != nil {
		t.Fatalf("make docs: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	want, err := json.Marshal(wantColors(tiles.Palette()))
	if err != nil {
		t.Fatalf("encode colours: %v", err)
	}
	runScript(ctx, t, node, []string{"WANT_COLORS=" + string(want)}, "e2e/map.test.mjs", srv.URL, shot, xss.URL, many.URL)
}

// TestBrowserPinned runs e2e/pinned.test.mjs in headless Chromium
// against a server on a new SQLite store, seeded as a new store is (the
// fixtures, then their corrections), with an editor's token the script
// writes with: a pinned embed shows the data of its revision, says when
// it has been updated since with working links, and popups say when and
// why an incident was corrected, as of the revision shown.
func TestBrowserPinned(t *testing.T) {
	node, bm := browserSetup(t, "playwright-core")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cs, err := store.ParseCorrections(fixtures.Corrections)
	if err != nil {
		t.Fatal(err)
	}
	st, ds := storetest.Seeded(t, filepath.Join(t.TempDir(), "store.db"), cs)
	_, token, err := st.CreateToken(ctx, "Graphics desk", store.RoleEditor)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.New(api.Config{Data: ds, Store: st, Basemap: bm}))
	defer srv.Close()

	runScript(ctx, t, node, []string{"TOKEN=" + token}, "e2e/pinned.test.mjs", srv.URL)
}

// TestBrowserDesk runs e2e/desk.test.mjs in headless Chromium against a
// server on a new SQLite store, seeded as a new store is, with two
// editors' tokens (issue #12, item 7): a reader without a token sees no
// edit control and gets 401 from every write; an editor signs in and
// adds an incident with a source with the keyboard alone, and the public
// map and /changes.atom show it, its HTML title as text; every incident
// opens and reviews with nothing to save; the API's problems appear
// beside their fields; a stale edit is redone on top of the other
// editor's; the history restores; a file is imported after a dry run.
// With -screenshots it writes the README's screenshot of the desk,
// docs/desk.png.
func TestBrowserDesk(t *testing.T) {
	node, bm := browserSetup(t, "playwright-core", "axe-core")
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cs, err := store.ParseCorrections(fixtures.Corrections)
	if err != nil {
		t.Fatal(err)
	}
	st, ds := storetest.Seeded(t, filepath.Join(t.TempDir(), "store.db"), cs)
	var tokens []string
	for _, name := range []string{"Graphics desk", "Night desk"} {
		_, token, err := st.CreateToken(ctx, name, store.RoleEditor)
		if err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, token)
	}
	srv := httptest.NewServer(api.New(api.Config{Data: ds, Store: st, Basemap: bm}))
	defer srv.Close()

	args := []string{"e2e/desk.test.mjs", srv.URL}
	if *screenshots {
		args = append(args, filepath.Join("..", "docs", "desk.png"))
	}
	runScript(ctx, t, node, []string{"TOKEN=" + tokens[0], "OTHER_TOKEN=" + tokens[1]}, args...)
}

// TestBrowserUnderAPath runs e2e/prefix.test.mjs in headless Chromium
// against a server reached only under /incidents/, as behind a proxy
// that strips the path, with -public-url naming it: the map, the embed
// and the desk load everything under the path, and keep it.
func TestBrowserUnderAPath(t *testing.T) {
	node, bm := browserSetup(t, "playwright-core")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	st, ds := storetest.Seeded(t, filepath.Join(t.TempDir(), "store.db"), nil)
	_, token, err := st.CreateToken(ctx, "Graphics desk", store.RoleEditor)
	if err != nil {
		t.Fatal(err)
	}
	var service http.Handler
	proxy := httptest.NewServer(http.StripPrefix("/incidents", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		service.ServeHTTP(w, r)
	})))
	defer proxy.Close()
	public, err := url.Parse(proxy.URL + "/incidents")
	if err != nil {
		t.Fatal(err)
	}
	service = api.New(api.Config{Data: ds, Store: st, Basemap: bm, PublicURL: public})

	runScript(ctx, t, node, []string{"TOKEN=" + token}, "e2e/prefix.test.mjs", public.String())
}

// TestBrowserPhone runs e2e/phone.test.mjs in headless Chromium against
// the server with the fixtures (issue #13, items 4 and 6): at 360×640 on
// a touch screen every visible control is at least 44×44 px, the map is
// at least 60% of the first screen, nothing scrolls sideways, the
// timeline and the radius search work by touch; the embed is usable at
// 320×240; and axe-core finds no serious or critical violation on /,
// /embed, the phone layout, and the Arabic page and embed (?lang=ar).
// It writes the README's phone screenshot to docs/phone.png.
func TestBrowserPhone(t *testing.T) {
	node, bm := browserSetup(t, "playwright-core", "axe-core")
	ds, err := geo.NewDataset(fixtures.Incidents, fixtures.Sites)
	if err != nil {
		t.Fatalf("load fixtures: %v", err)
	}
	srv := httptest.NewServer(api.New(api.Config{Data: ds, Basemap: bm}))
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	shot := filepath.Join("..", "docs", "phone.png")
	runScript(ctx, t, node, nil, "e2e/phone.test.mjs", srv.URL, shot)
}

// TestBrowserArabic runs e2e/arabic.test.mjs in headless Chromium
// against the server with the fixtures (issue #13, item 5): /?lang=ar,
// /embed?lang=ar and / for a browser that prefers Arabic are right to
// left, a popup shows place_ar and an Arabic date, and no English string
// of the catalogue is left on them. With -screenshots it writes the
// README's screenshot of the Arabic page to docs/arabic.png (never
// otherwise: each run's bytes differ, which would dirty the checkout).
func TestBrowserArabic(t *testing.T) {
	node, bm := browserSetup(t, "playwright-core")
	ds, err := geo.NewDataset(fixtures.Incidents, fixtures.Sites)
	if err != nil {
		t.Fatalf("load fixtures: %v", err)
	}
	srv := httptest.NewServer(api.New(api.Config{Data: ds, Basemap: bm}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	args := []string{"e2e/arabic.test.mjs", srv.URL}
	if *screenshots {
		args = append(args, filepath.Join("..", "docs", "arabic.png"))
	}
	runScript(ctx, t, node, nil, args...)
}

// paint is a colour as the browser computes an SVG fill or stroke, and
// its opacity.
type paint struct {
	RGB   string  `json:"rgb"`
	Alpha float64 `json:"alpha"`
}

func newPaint(c color.NRGBA) paint {
	return paint{RGB: fmt.Sprintf("rgb(%d, %d, %d)", c.R, c.G, c.B), Alpha: float64(c.A) / 255}
}

// wantColors is what the page must draw in: Go's palette, from which the
// browser test's checks fail if the page's markers and circles differ.
func wantColors(p tiles.Colors) map[string]any {
	events := map[string]paint{}
	for typ, c := range p.Events {
		events[typ] = newPaint(c)
	}
	return map[string]any{
		"events": events, "other": newPaint(p.Other), "ring": newPaint(p.Ring), "link": newPaint(p.Link),
		"uncertainty": newPaint(p.Uncertainty), "site": newPaint(p.Site), "radius": newPaint(p.Radius),
		"cluster": newPaint(p.Cluster),
	}
}

// browserSetup returns node and the basemap for a browser test, which
// needs node, Chromium and the npm packages named; it skips in -short
// mode, and as need does.
func browserSetup(t *testing.T, packages ...string) (node string, bm *basemap.Basemap) {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	node, err := exec.LookPath("node")
	need(t, "node", err)
	for _, pkg := range packages {
		_, err = os.Stat("node_modules/" + pkg + "/package.json")
		need(t, "static/node_modules/"+pkg+" (npm ci --prefix static)", err)
	}
	_, err = os.Stat(chromium)
	need(t, chromium+" (apt-get install -y chromium)", err)
	if bm, err = basemap.Load(basemap.Embedded()); err != nil {
		t.Fatalf("load basemap: %v", err)
	}
	return node, bm
}

// need skips the test when what it needs is missing, or fails it under
// CI=true, where everything must be installed.
func need(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is missing: %v", what, err)
	}
	t.Skipf("%s is missing (%v); skipping the browser test", what, err)
}

// xssDataset is the fixtures with the title of the Al Shaddadi claim
// replaced by an HTML payload, and more HTML in other text fields.
func xssDataset(t *testing.T) *geo.Dataset {
	t.Helper()
	var fc struct {
		Type     string           `json:"type"`
		Features []map[string]any `json:"features"`
	}
	if err := json.Unmarshal(fixtures.Incidents, &fc); err != nil {
		t.Fatalf("decode fixtures: %v", err)
	}
	found := false
	for _, f := range fc.Features {
		if f["id"] != "2023-11-21-al-shaddadi-claim" {
			continue
		}
		p := f["properties"].(map[string]any)
		p["title"] = xssTitle
		p["summary"] = `<script>alert(2)</script>`
		p["place"] = `"><svg onload=alert(3)>`
		found = true
	}
	if !found {
		t.Fatal("the fixtures no longer have 2023-11-21-al-shaddadi-claim; pick another incident")
	}
	data, err := json.Marshal(fc)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	ds, err := geo.NewDataset(data, fixtures.Sites)
	if err != nil {
		t.Fatalf("load XSS data: %v", fmt.Errorf("geo.NewDataset: %w", err))
	}
	return ds
}

// runScript runs the browser script args[0] with node, Chromium and env
// in its environment, and fails the test with its report unless it
// exits 0; its report goes to the test's log either way.
func runScript(ctx context.Context, t *testing.T, node string, env []string, args ...string) {
	t.Helper()
	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Env = append(append(os.Environ(), "CHROMIUM="+chromium), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", args[0], err, out)
	}
	t.Logf("%s:\n%s", args[0], out)
}
