package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/incidentmap/incidentmap/tiles/basemap"
)

// TestConvertCountryNames matches countries to their names by ISO
// numeric code: a name given alone or as a list (the first taken), and a
// country with no code or no name in the language left out.
func TestConvertCountryNames(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	src := write("countries-50m.json", `{"type": "Topology", "arcs": [], "objects": {"countries": {"geometries": [
		{"type": null, "id": "368", "properties": {"name": "Iraq"}},
		{"type": null, "id": "826", "properties": {"name": "United Kingdom"}},
		{"type": null, "id": "004", "properties": {"name": "Afghanistan"}},
		{"type": null, "properties": {"name": "Somaliland"}}
	]}}}`)
	write("i18n/codes.json", `[["IQ", "IRQ", "368"], ["GB", "GBR", "826"], ["AF", "AFG", "004"]]`)
	write("i18n/langs/ar.json", `{"locale": "ar", "countries": {"IQ": "العراق", "GB": ["المملكة المتحدة", "بريطانيا"]}}`)
	dst := filepath.Join(dir, "countries-ar.tsv")
	n, err := convertCountryNames(src, filepath.Join(dir, "i18n"), "ar", dst)
	if err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile(dst)
	if err != nil {
		t.Fatal(err)
	}
	if want := "Iraq\tالعراق\nUnited Kingdom\tالمملكة المتحدة\n"; n != 2 || string(file) != want {
		t.Errorf("wrote %d names, %q; want 2, %q", n, file, want)
	}
	if _, err := basemap.DecodeCountryNames(file); err != nil {
		t.Error(err)
	}

	write("i18n/langs/ar.json", `{"locale": "ar", "countries": {"IQ": 368}}`)
	if _, err := convertCountryNames(src, filepath.Join(dir, "i18n"), "ar", dst); err == nil {
		t.Error("a name that is a number was taken")
	}
}
