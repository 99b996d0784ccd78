package api

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"

	"github.com/incidentmap/incidentmap/geo"
)

// The summary of the incidents, /api/collections/incidents/summary: what
// the page's timeline, legend and place search need, in a few kilobytes
// whatever the size of the data set, so that no client downloads every
// incident to draw them.

// Bounds on a summary: each list holds the most frequent entries, and the
// tallies stop taking new names at summaryMaxNames, so a data set of a
// million distinct names costs no more than ten thousand.
const (
	summaryMaxTypes  = 20
	summaryMaxPlaces = 200
	summaryMaxNames  = 10_000
	// summaryMaxBins bounds the time histogram; the step grows to fit.
	summaryMaxBins = 500
)

// summaryStepHours are the histogram steps, the shortest whose bins fit
// in summaryMaxBins chosen; past the last, whole multiples of it.
var summaryStepHours = []int{1, 2, 3, 6, 12, 24, 48, 168, 720}

// incidentSummary is the summary document.
type incidentSummary struct {
	// NumberMatched is every incident; Located those with a location.
	NumberMatched int `json:"numberMatched"`
	Located       int `json:"located"`
	// Time counts incidents by occurred_at; null when there are none.
	Time *timeHistogram `json:"time"`
	// EventTypes are the most frequent event types, most frequent first;
	// MoreEventTypes counts those left out.
	EventTypes     []typeCount `json:"event_types"`
	MoreEventTypes int         `json:"more_event_types"`
	// Places are the most frequent place names (English or Arabic) of
	// located incidents, each at the location of its first incident.
	Places []placeCount `json:"places"`
}

// timeHistogram counts incidents in steps of StepHours from Start, the
// midnight (UTC) before the first incident, to End, the midnight after
// the last.
type timeHistogram struct {
	Start     string `json:"start"`
	End       string `json:"end"`
	StepHours int    `json:"step_hours"`
	Counts    []int  `json:"counts"`
}

// typeCount is an event type and how many incidents have it.
type typeCount struct {
	EventType string `json:"event_type"`
	Count     int    `json:"count"`
}

// placeCount is a place name, where its first located incident is, and
// how many located incidents name it.
type placeCount struct {
	Name  string  `json:"name"`
	Lon   float64 `json:"lon"`
	Lat   float64 `json:"lat"`
	Count int     `json:"count"`
}

// summary serves the summary of the incidents. It reads every incident
// once, so it is cached, and runs in a render slot.
func (s *Server) summary(c echo.Context) error {
	return s.serveCached(c, cachedResponse{kind: "summary", request: keyRequest(c.Request().URL.Path, nil), expensive: true, contentType: typeJSON,
		render: func(ctx context.Context) ([]byte, error) {
			sum := summarize(s.data.Query(geo.Query{}).Matches)
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("summary: %w", err)
			}
			b, err := json.Marshal(sum)
			if err != nil {
				return nil, fmt.Errorf("encode summary: %w", err)
			}
			return b, nil
		}})
}

// tally counts names, up to summaryMaxNames distinct ones, remembering
// where each was first seen.
type tally struct {
	count map[string]int
	first map[string]orb.Point
}

func newTally() tally {
	return tally{count: map[string]int{}, first: map[string]orb.Point{}}
}

func (t tally) add(name string, at orb.Point) {
	if name == "" {
		return
	}
	if _, ok := t.count[name]; !ok {
		if len(t.count) >= summaryMaxNames {
			return
		}
		t.first[name] = at
	}
	t.count[name]++
}

// top returns the names of t, most frequent first (then by name), and
// how many of them are past n.
func (t tally) top(n int) (names []string, more int) {
	for name := range t.count {
		names = append(names, name)
	}
	slices.SortFunc(names, func(a, b string) int {
		return cmp.Or(cmp.Compare(t.count[b], t.count[a]), cmp.Compare(a, b))
	})
	if len(names) > n {
		return names[:n], len(names) - n
	}
	return names, 0
}

// summarize summarises the incidents of ms.
func summarize(ms []geo.Match) incidentSummary {
	sum := incidentSummary{NumberMatched: len(ms), EventTypes: []typeCount{}, Places: []placeCount{}}
	types, places := newTally(), newTally()
	var first, last time.Time
	for i, m := range ms {
		in := m.Incident
		t := in.OccurredAt.UTC()
		if i == 0 || t.Before(first) {
			first = t
		}
		if i == 0 || t.After(last) {
			last = t
		}
		types.add(in.EventType, orb.Point{})
		if in.Location != nil {
			sum.Located++
			places.add(in.Place, *in.Location)
			places.add(in.PlaceAR, *in.Location)
		}
	}
	names, more := types.top(summaryMaxTypes)
	sum.MoreEventTypes = more
	for _, name := range names {
		sum.EventTypes = append(sum.EventTypes, typeCount{EventType: name, Count: types.count[name]})
	}
	names, _ = places.top(summaryMaxPlaces)
	for _, name := range names {
		p := places.first[name]
		sum.Places = append(sum.Places, placeCount{Name: name, Lon: p[0], Lat: p[1], Count: places.count[name]})
	}
	if len(ms) > 0 {
		sum.Time = histogram(ms, first, last)
	}
	return sum
}

// histogram counts the incidents of ms by occurred_at, first and last
// being the earliest and latest. It counts in Unix seconds: a span of
// more than 292 years overflows a time.Duration.
func histogram(ms []geo.Match, first, last time.Time) *timeHistogram {
	const day, hour = 86400, 3600
	floorDay := func(t time.Time) int64 {
		u := t.Unix()
		return (u - ((u%day)+day)%day)
	}
	start, end := floorDay(first), floorDay(last)+day
	hours := (end - start) / hour
	step := int64(summaryStepHours[len(summaryStepHours)-1])
	if need := (hours + summaryMaxBins - 1) / summaryMaxBins; need > step {
		step = (need + step - 1) / step * step
	}
	for _, h := range summaryStepHours {
		if (hours+int64(h)-1)/int64(h) <= summaryMaxBins {
			step = int64(h)
			break
		}
	}
	counts := make([]int, (hours+step-1)/step)
	for _, m := range ms {
		k := (m.Incident.OccurredAt.Unix() - start) / (step * hour)
		counts[min(k, int64(len(counts)-1))]++
	}
	return &timeHistogram{
		Start: time.Unix(start, 0).UTC().Format(time.RFC3339), End: time.Unix(end, 0).UTC().Format(time.RFC3339),
		StepHours: int(step), Counts: counts,
	}
}
