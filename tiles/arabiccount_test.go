package tiles

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"testing"

	"github.com/paulmach/orb"

	"github.com/incidentmap/incidentmap/geo"
)

func TestArabicCount(t *testing.T) {
	for n, want := range map[int]string{
		3: "٣", 42: "٤٢", 999: "٩٩٩", 1200: "١٫٢ ألف", 1000: "١ ألف", 25_000: "٢٥ ألف", 1_500_000: "١٫٥ مليون",
	} {
		if got := arabicCount(n); got != want {
			t.Errorf("arabicCount(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestStaticMapArabicCount draws a cluster of 7 on a static map in both
// ways: the disc is the same, the count on it differs (٧ is not 7), and
// nothing else does.
func TestStaticMapArabicCount(t *testing.T) {
	at := orb.Point{43.3, 33.4}
	cluster := geo.Feature{Geometry: at, Properties: map[string]any{"kind": KindCluster, "point_count": 7}}
	draw := func(arabic bool) image.Image {
		v := View{Center: at, Zoom: 8, Width: 100, Height: 100, Scale: 1, Arabic: arabic}
		b, err := StaticMap(context.Background(), v, nil, []geo.Feature{cluster}, nil, "")
		if err != nil {
			t.Fatal(err)
		}
		im, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		return im
	}
	latin, arabic := draw(false), draw(true)
	r := clusterRadius(7)
	differ := 0
	for y := 0; y < 100; y++ {
		for x := 0; x < 100; x++ {
			if latin.At(x, y) == arabic.At(x, y) {
				continue
			}
			if dx, dy := float64(x)-50, float64(y)-50; dx*dx+dy*dy > r*r {
				t.Fatalf("(%d, %d), outside the disc, differs", x, y)
			}
			differ++
		}
	}
	if differ < 10 {
		t.Errorf("%d pixels differ: want 7 and ٧ drawn differently", differ)
	}
}
