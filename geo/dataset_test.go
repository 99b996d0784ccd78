package geo

import (
	"math"
	"testing"

	"github.com/incidentmap/incidentmap/fixtures"
)

// TestDatasetBound checks the data set's extent is exactly the span of
// its located incidents, worked out here by a scan.
func TestDatasetBound(t *testing.T) {
	ds, err := NewDataset(fixtures.Incidents, fixtures.Sites)
	if err != nil {
		t.Fatal(err)
	}
	minLon, minLat, maxLon, maxLat := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, in := range ds.Incidents() {
		if p := in.Location; p != nil {
			minLon, minLat = math.Min(minLon, p[0]), math.Min(minLat, p[1])
			maxLon, maxLat = math.Max(maxLon, p[0]), math.Max(maxLat, p[1])
		}
	}
	b := ds.Bound()
	if b.Min[0] != minLon || b.Min[1] != minLat || b.Max[0] != maxLon || b.Max[1] != maxLat {
		t.Errorf("Bound() = %v, want [%v %v] [%v %v]", b, minLon, minLat, maxLon, maxLat)
	}
}
