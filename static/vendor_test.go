package static_test

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/incidentmap/incidentmap/static"
)

// The vendored Leaflet is the version package.json pins, and (where
// node_modules is installed) the same bytes as the npm package, less the
// sourceMappingURL line vendor.sh drops.
func TestVendoredLeaflet(t *testing.T) {
	var pkg struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	data, err := os.ReadFile("package.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &pkg); err != nil {
		t.Fatalf("package.json: %v", err)
	}
	version, err := fs.ReadFile(static.FS, "vendor/leaflet/VERSION")
	if err != nil {
		t.Fatalf("vendored Leaflet: %v (run static/vendor.sh)", err)
	}
	if got, want := strings.TrimSpace(string(version)), pkg.Dependencies["leaflet"]; got != want {
		t.Fatalf("vendored Leaflet %s, package.json pins %s: run static/vendor.sh", got, want)
	}
	if _, err := os.Stat("node_modules/leaflet/package.json"); err != nil {
		t.Skip("node_modules not installed; compared the version only")
	}
	sourceMap := regexp.MustCompile(`(?m)^//# sourceMappingURL=.*\n?`)
	for vendored, npm := range map[string]string{
		"vendor/leaflet/leaflet.js":  "node_modules/leaflet/dist/leaflet.js",
		"vendor/leaflet/leaflet.css": "node_modules/leaflet/dist/leaflet.css",
	} {
		got, err := fs.ReadFile(static.FS, vendored)
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(npm)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, sourceMap.ReplaceAll(want, nil)) {
			t.Errorf("%s differs from %s: run static/vendor.sh", vendored, npm)
		}
	}
}
