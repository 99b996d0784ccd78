package api

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/incidentmap/incidentmap/geo"
)

// getSummary fetches and decodes the summary.
func getSummary(t *testing.T, h http.Handler) incidentSummary {
	t.Helper()
	rec := get(t, h, "/api/collections/incidents/summary")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != typeJSON || rec.Header().Get("ETag") == "" {
		t.Fatalf("status %d, Content-Type %q, ETag %q", rec.Code, rec.Header().Get("Content-Type"), rec.Header().Get("ETag"))
	}
	var sum incidentSummary
	decodeJSON(t, rec.Body, &sum)
	return sum
}

// The summary says what the items say: the counts, each event type's,
// the time of every incident, and the places.
func TestSummaryMatchesItems(t *testing.T) {
	s := newTestServer(t)
	sum := getSummary(t, s)
	all := getCollection(t, s, itemsPath+"?limit=10000")
	if sum.NumberMatched != all.NumberMatched || sum.NumberMatched == 0 {
		t.Errorf("numberMatched %d, the items %d", sum.NumberMatched, all.NumberMatched)
	}
	if want := getCollection(t, s, itemsPath+"?located=true").NumberMatched; sum.Located != want || want == sum.NumberMatched {
		t.Errorf("located %d, the items %d (of %d)", sum.Located, want, sum.NumberMatched)
	}
	total := 0
	for _, tc := range sum.EventTypes {
		n := getCollection(t, s, itemsPath+"?event_type="+tc.EventType).NumberMatched
		if tc.Count != n || n == 0 {
			t.Errorf("%s: %d, the items %d", tc.EventType, tc.Count, n)
		}
		total += tc.Count
	}
	if total != sum.NumberMatched || sum.MoreEventTypes != 0 {
		t.Errorf("event types count %d incidents (%d more types), want %d", total, sum.MoreEventTypes, sum.NumberMatched)
	}

	h := sum.Time
	if h == nil {
		t.Fatal("no time histogram")
	}
	start, err := time.Parse(time.RFC3339, h.Start)
	if err != nil {
		t.Fatal(err)
	}
	step := time.Duration(h.StepHours) * time.Hour
	for k, n := range h.Counts {
		// The items match an incident's whole time window; the histogram
		// counts its occurred_at: count those by hand.
		from := start.Add(time.Duration(k) * step)
		want := 0
		for _, m := range s.data.Query(geo.Query{}).Matches {
			if at := m.Incident.OccurredAt; !at.Before(from) && at.Before(from.Add(step)) {
				want++
			}
		}
		if n != want {
			t.Errorf("bin %d (from %s): %d, want %d", k, from.Format(time.RFC3339), n, want)
		}
	}
	if end, _ := time.Parse(time.RFC3339, h.End); !end.Equal(start.Add(time.Duration(len(h.Counts)) * step)) {
		t.Errorf("end %s, start %s and %d steps of %v", h.End, h.Start, len(h.Counts), step)
	}

	found := false
	for _, p := range sum.Places {
		if p.Name == "Ain Al Asad Air Base" {
			found = p.Lon == 42.441 && p.Lat == 33.786 && p.Count == 2
		}
	}
	if !found {
		t.Errorf("places %+v lack Ain Al Asad Air Base at 42.441, 33.786, twice", sum.Places)
	}
}

// The summary stays small whatever the data: lists of the most frequent
// entries, a histogram of at most summaryMaxBins steps over any span.
func TestSummaryBounded(t *testing.T) {
	var ins []geo.Incident
	base := time.Date(1800, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 3000 {
		p := orb.Point{float64(i%360) - 180, 0}
		ins = append(ins, geo.Incident{
			ID:         fmt.Sprintf("i%d", i),
			EventType:  fmt.Sprintf("type_%d", i%40),
			Place:      fmt.Sprintf("place %d", i),
			OccurredAt: base.AddDate(i/10, 0, 0), // three centuries: more than a time.Duration spans
			Location:   &p,
		})
	}
	ins[0].EventType = "most_frequent"
	for i := 1; i < 200; i++ {
		ins[i].EventType = "most_frequent"
	}
	ms := make([]geo.Match, len(ins))
	for i := range ins {
		ms[i] = geo.Match{Incident: &ins[i]}
	}
	sum := summarize(ms)
	if len(sum.EventTypes) != summaryMaxTypes || sum.MoreEventTypes != 41-summaryMaxTypes || sum.EventTypes[0].EventType != "most_frequent" || sum.EventTypes[0].Count != 200 {
		t.Errorf("%d event types listed, %d more, first %+v; want %d, %d, most_frequent 200",
			len(sum.EventTypes), sum.MoreEventTypes, sum.EventTypes[0], summaryMaxTypes, 41-summaryMaxTypes)
	}
	if len(sum.Places) != summaryMaxPlaces {
		t.Errorf("%d places, want %d", len(sum.Places), summaryMaxPlaces)
	}
	h := sum.Time
	total := 0
	for _, n := range h.Counts {
		total += n
	}
	if len(h.Counts) > summaryMaxBins || total != len(ins) || h.StepHours%720 != 0 || h.Start != "1800-01-01T00:00:00Z" {
		t.Errorf("%d bins of %d h from %s, counting %d; want at most %d, in months, from 1800, counting %d",
			len(h.Counts), h.StepHours, h.Start, total, summaryMaxBins, len(ins))
	}
	last := ins[len(ins)-1].OccurredAt
	if end, err := time.Parse(time.RFC3339, h.End); err != nil || !end.After(last) {
		t.Errorf("end %s, not after the last incident %s", h.End, last)
	}
}
