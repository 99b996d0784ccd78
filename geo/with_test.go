package geo_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/incidentmap/incidentmap/fixtures"
	"github.com/incidentmap/incidentmap/geo"
	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"
)

// A data set made by With must be the one a load of the same incidents
// makes: the same incidents in the same order, found by the same
// queries.
func TestWithMatchesLoad(t *testing.T) {
	ds := generatedDataset(t, genConfig{n: 3_000, seed: 7, area: benchArea, varied: true})
	all := ds.Incidents()
	changed := all[10]
	changed.Title = "Changed: " + changed.Title
	moved := orb.Point{43.1, 34.2}
	changed.Location, changed.GeoPrecision = &moved, geo.GeoTown
	changed.EventType = "claimed_attack"
	added := all[20]
	added.ID = "added-by-with"
	added.OccurredAt = added.OccurredAt.Add(-1000 * 24 * 3600e9) // first in time order
	deleted := all[30].ID

	got, err := ds.With([]geo.Incident{changed, added}, []string{deleted})
	if err != nil {
		t.Fatalf("With: %v", err)
	}
	var want []geo.Incident
	for _, in := range all {
		switch in.ID {
		case changed.ID:
			want = append(want, changed)
		case deleted:
		default:
			want = append(want, in)
		}
	}
	want = append(want, added)
	loaded, err := geo.NewDataset(encodeIncidents(t, want), fixtures.Sites)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	gi, li := got.Incidents(), loaded.Incidents()
	if len(gi) != len(li) || len(gi) != len(all)+1-1 {
		t.Fatalf("With holds %d incidents, the load %d (from %d, one added, one deleted)", len(gi), len(li), len(all))
	}
	for i := range gi {
		if d := incidentDiff(li[i], gi[i]); d != "" {
			t.Fatalf("incident %d: %s", i, d)
		}
	}
	if gi[0].ID != added.ID {
		t.Errorf("first in time order is %s, want %s", gi[0].ID, added.ID)
	}
	for i, c := range []float64{got.Bound().Min[0] - loaded.Bound().Min[0], got.Bound().Min[1] - loaded.Bound().Min[1],
		got.Bound().Max[0] - loaded.Bound().Max[0], got.Bound().Max[1] - loaded.Bound().Max[1]} {
		if math.Abs(c) > coordTolerance {
			t.Errorf("bound %v, the load's %v (coordinate %d)", got.Bound(), loaded.Bound(), i)
		}
	}
	for _, q := range []geo.Query{
		{Near: &geo.Radius{Center: moved, Metres: 50_000}, Limit: 100},
		{BBox: &orb.Bound{Min: orb.Point{42.5, 33.5}, Max: orb.Point{43.5, 34.5}}, Limit: 1000},
		{EventTypes: []string{"claimed_attack"}, Limit: 1000},
	} {
		g, l := got.Query(q), loaded.Query(q)
		if g.NumberMatched != l.NumberMatched || len(g.Matches) != len(l.Matches) {
			t.Fatalf("%+v: With matches %d, the load %d", q, g.NumberMatched, l.NumberMatched)
		}
		for i := range g.Matches {
			if g.Matches[i].Incident.ID != l.Matches[i].Incident.ID {
				t.Fatalf("%+v: match %d is %s, the load's %s", q, i, g.Matches[i].Incident.ID, l.Matches[i].Incident.ID)
			}
		}
	}
	// What is derived of each point, copied for the kept and computed
	// for the written, is its point's, at the load's place (which the
	// encoding rounds).
	spots := func(d *geo.Dataset) map[string]geo.Spot {
		out := map[string]geo.Spot{}
		d.EachIn(geo.Interval{}, benchArea, nil, func(s geo.Spot) { out[d.At(s.Ref).ID] = s })
		return out
	}
	gs, ls := spots(got), spots(loaded)
	if len(gs) != len(ls) {
		t.Fatalf("With spots %d incidents, the load %d", len(gs), len(ls))
	}
	for id, l := range ls {
		g := gs[id]
		if g.Y != geo.MercatorY(g.Point[1]) || math.Abs(g.Point[0]-l.Point[0]) > coordTolerance || math.Abs(g.Point[1]-l.Point[1]) > coordTolerance ||
			g.Sec != l.Sec || g.EventType != l.EventType {
			t.Fatalf("%s spotted at %v, y %v, %d, %s; the load's at %v, y %v, %d, %s", id, g.Point, g.Y, g.Sec, g.EventType, l.Point, l.Y, l.Sec, l.EventType)
		}
	}
	if g := got.Query(geo.Query{Near: &geo.Radius{Center: moved, Metres: 1}, Limit: 10}); len(g.Matches) == 0 || g.Matches[0].Incident.ID != changed.ID {
		t.Errorf("the moved incident is not found at its new place: %+v", g.Matches)
	}
	// d itself is unchanged.
	if in, err := ds.Incident(changed.ID); err != nil || in.Title == changed.Title {
		t.Errorf("the data set With was called on changed: %v %v", in, err)
	}
	if _, err := ds.Incident(deleted); err != nil {
		t.Errorf("the data set With was called on lost %s: %v", deleted, err)
	}
}

// With checks what a load checks of the whole: related ids name an
// incident, ids are used once; a delete names an incident.
func TestWithRefuses(t *testing.T) {
	ds := fixtureDataset(t)
	var from geo.Incident
	for _, in := range ds.Incidents() {
		if len(in.Related) > 0 {
			from = in
			break
		}
	}
	if from.ID == "" {
		t.Fatal("no fixture incident has a related incident")
	}
	target := from.Related[0]
	_, err := ds.With(nil, []string{target})
	var fe *geo.FeatureError
	if !errors.As(err, &fe) || fe.ID != from.ID || fe.Field != "properties.related" {
		t.Errorf("deleting %s, which %s names: %v, want a FeatureError on %s's related", target, from.ID, err, from.ID)
	}
	dangling := from
	dangling.Related = []string{"no-such-incident"}
	if _, err := ds.With([]geo.Incident{dangling}, nil); !errors.As(err, &fe) || fe.ID != from.ID {
		t.Errorf("a related id naming nothing: %v", err)
	}
	if _, err := ds.With(nil, []string{"no-such-incident"}); !errors.Is(err, geo.ErrNotFound) {
		t.Errorf("deleting an unknown id: %v, want ErrNotFound", err)
	}
	twice := ds.Incidents()[0]
	twice.ID = "twice"
	if _, err := ds.With([]geo.Incident{twice, twice}, nil); !errors.As(err, &fe) || fe.Field != "id" {
		t.Errorf("one id upserted twice: %v, want a duplicate id", err)
	}
	// Both together: the delete of the target and the changes that stop
	// naming it.
	var dropped []geo.Incident
	for _, in := range ds.Incidents() {
		if slices.Contains(in.Related, target) {
			in.Related = slices.DeleteFunc(slices.Clone(in.Related), func(id string) bool { return id == target })
			dropped = append(dropped, in)
		}
	}
	next, err := ds.With(dropped, []string{target})
	if err != nil {
		t.Fatalf("a delete with the changes that stop naming it: %v", err)
	}
	if next.Len() != ds.Len()-1 {
		t.Errorf("%d incidents after a delete of one of %d", next.Len(), ds.Len())
	}
}

// A data set made by a run of With, each on the one before, must be the
// one a load of the incidents it ends with makes, whether With extended
// the data set before or packed it anew (an eighth replaced).
func TestWithChain(t *testing.T) {
	ds := generatedDataset(t, genConfig{n: 2_000, seed: 11, area: benchArea, varied: true})
	want := map[string]geo.Incident{}
	var ids []string
	for _, in := range ds.Incidents() {
		want[in.ID] = in
		ids = append(ids, in.ID)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for round := range 40 {
		var upserts []geo.Incident
		var deletes []string
		picked := map[string]bool{}
		pick := func() string {
			for {
				id := ids[rng.IntN(len(ids))]
				if _, ok := want[id]; ok && !picked[id] {
					picked[id] = true
					return id
				}
			}
		}
		for range 10 {
			in := want[pick()]
			in.Title = fmt.Sprintf("round %d: %s", round, in.Title)
			p := orb.Point{38 + rng.Float64()*10, 29 + rng.Float64()*8}
			in.Location, in.GeoPrecision = &p, geo.GeoTown
			upserts = append(upserts, in)
		}
		for range 2 {
			deletes = append(deletes, pick())
		}
		added := want[pick()]
		added.ID = fmt.Sprintf("chain-%d", round)
		added.Summary = "Added in round " + fmt.Sprint(round)
		upserts = append(upserts, added)
		ids = append(ids, added.ID)

		next, err := ds.With(upserts, deletes)
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		for _, in := range upserts {
			want[in.ID] = in
		}
		for _, id := range deletes {
			delete(want, id)
		}
		ds = next
		checkFound(t, fmt.Sprintf("round %d", round), ds, want)
	}
	var list []geo.Incident
	for _, in := range want {
		list = append(list, in)
	}
	loaded, err := geo.NewDataset(encodeIncidents(t, list), fixtures.Sites)
	if err != nil {
		t.Fatal(err)
	}
	got, wantAll := ds.Incidents(), loaded.Incidents()
	if len(got) != len(wantAll) {
		t.Fatalf("%d incidents after the chain, the load %d", len(got), len(wantAll))
	}
	for i := range got {
		if d := incidentDiff(wantAll[i], got[i]); d != "" {
			t.Fatalf("incident %d after the chain: %s", i, d)
		}
	}
	// The id index, merged round after round, finds each incident, and
	// none deleted.
	for _, id := range ids {
		in, err := ds.Incident(id)
		if w, ok := want[id]; ok && (err != nil || in.ID != id || in.Title != w.Title) {
			t.Fatalf("Incident(%s) after the chain: %v, %v", id, in, err)
		}
		if _, ok := want[id]; !ok && err == nil {
			t.Fatalf("Incident(%s) after the chain: found, but deleted", id)
		}
	}
	q := geo.Query{Near: &geo.Radius{Center: orb.Point{43, 33}, Metres: 200_000}, Limit: 500}
	g, l := ds.Query(q), loaded.Query(q)
	if g.NumberMatched != l.NumberMatched {
		t.Fatalf("radius query after the chain: %d matched, the load %d", g.NumberMatched, l.NumberMatched)
	}
	for i := range g.Matches {
		if g.Matches[i].Incident.ID != l.Matches[i].Incident.ID {
			t.Fatalf("radius match %d: %s, the load's %s", i, g.Matches[i].Incident.ID, l.Matches[i].Incident.ID)
		}
	}
}

// checkFound checks that what the index finds in ds (a bbox, EachIn with
// and without a site, a radius) and what a search of the text finds are
// what a scan of want finds: an index derived from an earlier one
// (places of incidents gone skipped, the points written in a second
// tree) and text added by writes (recent) are read as a packed data
// set's.
func checkFound(t *testing.T, when string, ds *geo.Dataset, want map[string]geo.Incident) {
	t.Helper()
	box := orb.Bound{Min: orb.Point{40, 31}, Max: orb.Point{44, 34}}
	circle := geo.Radius{Center: orb.Point{42, 32.5}, Metres: 150_000}
	site := "al-asad"
	var inBox, inCircle, atSite, added int
	for _, in := range want {
		if in.Location != nil && box.Contains(*in.Location) {
			inBox++
			if in.Site == site {
				atSite++
			}
		}
		if in.Location != nil && orbgeo.DistanceHaversine(circle.Center, *in.Location) <= circle.Metres {
			inCircle++
		}
		if strings.HasPrefix(in.Summary, "Added in round") {
			added++
		}
	}
	count := func(sites []string) int {
		n := 0
		ds.EachIn(geo.Interval{}, box, sites, func(s geo.Spot) {
			if in := want[ds.IDOf(s.Ref)]; in.Location == nil || *in.Location != s.Point {
				t.Errorf("%s: EachIn spots %s at %v, not where it is", when, ds.IDOf(s.Ref), s.Point)
			}
			n++
		})
		return n
	}
	for _, c := range []struct {
		what      string
		got, want int
	}{
		{"bbox query", ds.Query(geo.Query{BBox: &box}).NumberMatched, inBox},
		{"EachIn", count(nil), inBox},
		{"EachIn of a site", count([]string{site}), atSite},
		{"radius query", ds.Query(geo.Query{Near: &circle}).NumberMatched, inCircle},
		{"search of the words written", ds.Query(geo.Query{Words: []string{"added", "round"}}).NumberMatched, added},
	} {
		if c.got != c.want {
			t.Fatalf("%s: %s found %d, a scan %d", when, c.what, c.got, c.want)
		}
	}
}
