package static_test

import (
	"fmt"
	"image/color"
	"io/fs"
	"regexp"
	"testing"

	"github.com/incidentmap/incidentmap/fixtures"
	"github.com/incidentmap/incidentmap/geo"
	"github.com/incidentmap/incidentmap/static"
	"github.com/incidentmap/incidentmap/tiles"
)

// jsColors reads the `name: '#rrggbb[aa]'` pairs and the OTHER_EVENT
// constant of site/colors.js.
func jsColors(t *testing.T) (named map[string]string, other string) {
	t.Helper()
	src, err := fs.ReadFile(static.FS, "colors.js")
	if err != nil {
		t.Fatal(err)
	}
	named = map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^\s+([a-z_]+): '(#[0-9a-f]{6,8})',$`).FindAllStringSubmatch(string(src), -1) {
		named[m[1]] = m[2]
	}
	m := regexp.MustCompile(`OTHER_EVENT = '(#[0-9a-f]{6})'`).FindStringSubmatch(string(src))
	if m == nil {
		t.Fatal("colors.js has no OTHER_EVENT")
	}
	return named, m[1]
}

func hex(c color.NRGBA) string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }

func hexAlpha(c color.NRGBA) string { return hex(c) + fmt.Sprintf("%02x", c.A) }

// The page's marker colours are tiles.EventColor's, for every event type
// of the fixtures and every type colors.js names.
func TestEventColorsMatchTiles(t *testing.T) {
	named, other := jsColors(t)
	ds, err := geo.NewDataset(fixtures.Incidents, fixtures.Sites)
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]bool{}
	for _, in := range ds.Incidents {
		types[in.EventType] = true
	}
	for _, k := range []string{"missile_attack", "mortar_attack", "drone_attack", "claimed_attack", "airstrike", "funeral"} {
		types[k] = true
	}
	for typ := range types {
		got, ok := named[typ]
		if !ok {
			got = other
		}
		if want := hex(tiles.EventColor(typ)); got != want {
			t.Errorf("%s: colors.js has %s, tiles.EventColor %s", typ, got, want)
		}
	}
	if want := hex(tiles.EventColor("no_such_event_type")); other != want {
		t.Errorf("OTHER_EVENT %s, tiles %s", other, want)
	}
	for name, want := range map[string]color.NRGBA{
		"ring": tiles.RingColor, "link": tiles.LinkColor, "uncertainty": tiles.UncertaintyColor, "site": tiles.SiteColor,
	} {
		if got := named[name]; got != hexAlpha(want) {
			t.Errorf("overlay %s: colors.js has %q, tiles %s", name, got, hexAlpha(want))
		}
	}
}
