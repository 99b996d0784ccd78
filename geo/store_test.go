package geo

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"
)

// A record's window, worked out by arithmetic, is TimePrecision.Window's,
// worked out with the calendar, in every zone RFC 3339 can give.
func TestRecordWindow(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 5_000 {
		offset := (rng.IntN(2*24*60-1) - (24*60 - 1)) * 60 // ±23:59
		zone := time.FixedZone("", offset)
		at := time.Unix(rng.Int64N(1<<37)-1<<36, rng.Int64N(1e9)).In(zone)
		for i, p := range timePrecisions {
			b := newBuilder()
			in := Incident{ID: "a", Title: "t", OccurredAt: at, TimePrecision: p, GeoPrecision: GeoUnknown}
			if err := b.add(&in); err != nil {
				t.Fatal(err)
			}
			r := b.record(0)
			if r.timePrec != uint8(i) {
				t.Fatalf("%s stored as %d", p, r.timePrec)
			}
			from, to := r.window()
			wantFrom, wantTo := p.Window(at)
			if !from.Equal(wantFrom) || !to.Equal(wantTo) {
				t.Fatalf("%s at %s: window %s–%s, want %s–%s", p, at.Format(time.RFC3339Nano), from, to, wantFrom, wantTo)
			}
			if got := b.occurredAt(r); !got.Equal(at) || got.Format(time.RFC3339Nano) != at.Format(time.RFC3339Nano) {
				t.Fatalf("stored %s, read back %s", at.Format(time.RFC3339Nano), got.Format(time.RFC3339Nano))
			}
		}
	}
}

// circle gives orb's haversine distance to the last bit, and says a point
// is within the radius exactly when that distance is.
func TestCircleDistance(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 200_000 {
		center := orb.Point{rng.Float64()*360 - 180, rng.Float64()*180 - 90}
		radius := math.Pow(10, rng.Float64()*8) // 1 m to 100,000 km
		p := orb.Point{center[0] + (rng.Float64()-0.5)*rng.Float64()*40, max(-90, min(90, center[1]+(rng.Float64()-0.5)*rng.Float64()*40))}
		if rng.IntN(4) == 0 { // on the circle, give or take rounding
			p = orbgeo.PointAtBearingAndDistance(center, rng.Float64()*360, radius)
		}
		c := newCircle(Radius{center, radius})
		want := orbgeo.DistanceHaversine(center, p)
		got, in := c.distance(p)
		if in != (want <= radius) || in && got != want {
			t.Fatalf("centre %v radius %v point %v: %v, %v; want %v, %v", center, radius, p, got, in, want, want <= radius)
		}
	}
}
