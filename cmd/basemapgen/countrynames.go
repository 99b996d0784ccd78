package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/incidentmap/incidentmap/tiles/basemap"
)

// convertCountryNames writes to dst the names in lang of the countries of
// the TopoJSON file src (world-atlas's, whose geometries carry their ISO
// 3166-1 numeric code as id), from the i18n-iso-countries package in
// folder i18n (codes.json: the codes; langs/{lang}.json: the names, by
// alpha-2 code, a list where there are several, the first the usual
// one). A country with no code (Somaliland, Kosovo, Northern Cyprus,
// ...) or no name in lang keeps its English name on the map. It returns
// how many names it wrote.
func convertCountryNames(src, i18n, lang, dst string) (int, error) {
	var topo topology
	if err := readJSON(src, &topo); err != nil {
		return 0, err
	}
	var codes [][]string // alpha-2, alpha-3, numeric, ...
	if err := readJSON(filepath.Join(i18n, "codes.json"), &codes); err != nil {
		return 0, err
	}
	var local struct {
		Countries map[string]json.RawMessage `json:"countries"`
	}
	if err := readJSON(filepath.Join(i18n, "langs", lang+".json"), &local); err != nil {
		return 0, err
	}
	alpha2 := map[string]string{} // by numeric code
	for _, c := range codes {
		if len(c) >= 3 {
			alpha2[c[2]] = c[0]
		}
	}
	names := map[string]string{}
	for _, g := range topo.Objects["countries"].Geometries {
		raw, ok := local.Countries[alpha2[g.ID]]
		if g.ID == "" || !ok {
			continue
		}
		var name string
		if json.Unmarshal(raw, &name) != nil {
			var several []string
			if err := json.Unmarshal(raw, &several); err != nil || len(several) == 0 {
				return 0, fmt.Errorf("%s: the %s name of %s is neither a string nor a list of them", i18n, lang, g.Properties.Name)
			}
			name = several[0]
		}
		names[g.Properties.Name] = name
	}
	file, err := basemap.EncodeCountryNames(names)
	if err != nil {
		return 0, err
	}
	if err := os.WriteFile(dst, file, 0o644); err != nil {
		return 0, fmt.Errorf("write country names: %w", err)
	}
	return len(names), nil
}
