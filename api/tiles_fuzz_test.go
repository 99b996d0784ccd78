package api

import (
	"errors"
	"net/url"
	"testing"

	"github.com/incidentmap/incidentmap/tiles"
)

// FuzzParseTile feeds tile paths to the parser: it must never panic, and
// what it accepts must be a real tile of a real layer.
func FuzzParseTile(f *testing.F) {
	for _, seed := range [][4]string{
		{"incidents", "10", "632", "408.mvt"},
		{"basemap", "4", "9", "6@2x.png"},
		{"al-asad", "0", "0", "0.png"},
		{"incidents", "22", "4194303", "4194303.mvt"},
		{"incidents", "23", "0", "0.mvt"},
		{"nope", "1", "1", "1.mvt"},
		{"incidents", "-1", "0", "0.mvt"},
		{"incidents", "3", "8", "0.pbf"},
		{"basemap", "3", "1", "1.mvt"},
		{"incidents", "3", "1", "1@2x.mvt"},
		{"incidents", "1e3", "0x1", "٣.png"},
	} {
		f.Add(seed[0], seed[1], seed[2], seed[3])
	}
	layers := map[string]bool{"incidents": true, "al-asad": true, "rings": true}
	f.Fuzz(func(t *testing.T, layer, z, x, y string) {
		r, err := parseTile(layer, z, x, y, func(id string) bool { return layers[id] })
		if err != nil {
			var p *Problem
			if !errors.As(err, &p) || p.Status >= 500 || p.Param == "" {
				t.Fatalf("parseTile(%q,%q,%q,%q) = %v; want a 4xx problem naming a parameter", layer, z, x, y, err)
			}
			return
		}
		if layer != LayerBasemap && !layers[layer] {
			t.Fatalf("accepted unknown layer %q", layer)
		}
		if err := tiles.Validate(r.tile, maxZoom(r.layer)); err != nil {
			t.Fatalf("accepted %q/%q/%q/%q as invalid tile %v: %v", layer, z, x, y, r.tile, err)
		}
		if r.format != "mvt" && r.format != "png" || r.scale != 1 && r.scale != 2 || r.scale == 2 && r.format != "png" {
			t.Fatalf("accepted format %q scale %d", r.format, r.scale)
		}
	})
}

// FuzzParseTileLang feeds lang values to the tile parser's: it must never
// panic, accept en and ar alone, ar for the basemap alone, and refuse
// the rest with a 4xx naming lang.
func FuzzParseTileLang(f *testing.F) {
	for _, seed := range [][2]string{{"basemap", "ar"}, {"basemap", "en"}, {"incidents", "ar"}, {"basemap", "AR"}, {"basemap", "ar-IQ"}, {"rings", ""}} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, layer, lang string) {
		v := url.Values{}
		if lang != "" {
			v.Set("lang", lang)
		}
		l, err := parseTileLang(layer, v)
		if err != nil {
			var p *Problem
			if !errors.As(err, &p) || p.Status != 400 || p.Param != "lang" {
				t.Fatalf("parseTileLang(%q, %q) = %v; want a 400 naming lang", layer, lang, err)
			}
			return
		}
		switch {
		case lang == "" && l != langEN:
			t.Fatalf("no lang gave %q", l)
		case lang != "" && string(l) != lang:
			t.Fatalf("lang %q gave %q", lang, l)
		case l != langEN && l != langAR:
			t.Fatalf("accepted %q", l)
		case l == langAR && layer != LayerBasemap:
			t.Fatalf("accepted ar for %q", layer)
		}
	})
}
