package api

import (
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
)

// ogr returns the path of a GDAL tool, skipping the test on a laptop
// without GDAL and failing under CI=true, where .ci/run installs gdal-bin.
func ogr(t *testing.T, tool string) string {
	t.Helper()
	path, err := exec.LookPath(tool)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not found and CI=true: install gdal-bin", tool)
		}
		t.Skipf("%s not found; install gdal-bin to run this test", tool)
	}
	return path
}

var ogrID = regexp.MustCompile(`(?m)^  id \(String\) = (.+)$`)

// TestGDALReadsEveryIncident has GDAL's OAPIF driver read the incidents
// collection page by page (two a page, following next links) and checks it
// got every incident, in order, with its geometry or none.
func TestGDALReadsEveryIncident(t *testing.T) {
	ogrinfo := ogr(t, "ogrinfo")
	s := newTestServer(t)
	srv := httptest.NewServer(s)
	defer srv.Close()

	out, err := exec.Command(ogrinfo, "-ro", "-q", "-al", "-oo", "PAGE_SIZE=2",
		"OAPIF:"+srv.URL+"/api", "incidents").CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo: %v\n%s", err, out)
	}
	var got []string
	for _, m := range ogrID.FindAllSubmatch(out, -1) {
		got = append(got, string(m[1]))
	}
	var want []string
	located := 0
	for _, in := range s.data.Incidents() {
		want = append(want, in.ID)
		if in.Location != nil {
			located++
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("GDAL read ids\n%v\nwant\n%v", got, want)
	}
	if n := len(regexp.MustCompile(`(?m)^  POINT \(`).FindAll(out, -1)); n != located {
		t.Errorf("GDAL read %d points, want %d (incidents with a location)", n, located)
	}
}

// TestGDALReadsKML checks the KML export opens in GDAL with a feature for
// every incident.
func TestGDALReadsKML(t *testing.T) {
	ogrinfo := ogr(t, "ogrinfo")
	s := newTestServer(t)
	rec := get(t, s, "/api/collections/incidents/items?f=kml")
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	file := filepath.Join(t.TempDir(), "incidents.kml")
	if err := os.WriteFile(file, rec.Body.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(ogrinfo, "-ro", "-q", "-al", file).CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo: %v\n%s", err, out)
	}
	if n := len(regexp.MustCompile(`(?m)^OGRFeature`).FindAll(out, -1)); n != len(s.data.Incidents()) {
		t.Errorf("GDAL read %d KML features, want %d\n%s", n, len(s.data.Incidents()), out)
	}
	for _, in := range s.data.Incidents() {
		if !regexp.MustCompile(`(?m)^  id \(String\) = ` + regexp.QuoteMeta(in.ID) + `$`).Match(out) {
			t.Errorf("KML as read by GDAL has no feature with id %s", in.ID)
		}
	}
}
