package api

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/incidentmap/incidentmap/fixtures"
	"github.com/incidentmap/incidentmap/geo"
	"github.com/incidentmap/incidentmap/geo/synth"
)

// SetData swaps the data set under requests in flight: every response is
// wholly of one data set, its ETag (which carries the version) and its
// body agreeing, and requests that start after the swap see the new one.
func TestSetDataUnderLoad(t *testing.T) {
	small, err := geo.NewDataset(fixtures.Incidents, fixtures.Sites)
	if err != nil {
		t.Fatal(err)
	}
	big, err := geo.NewDataset(synth.Incidents(2_000, 1), fixtures.Sites)
	if err != nil {
		t.Fatal(err)
	}
	s := New(Config{Data: small})
	// What each data set alone answers a request: its ETag and count.
	type answer struct {
		etag string
		n    int
	}
	refs := []*Server{New(Config{Data: small}), New(Config{Data: big})}
	get := func(h http.Handler, path string) answer {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		var n int
		fmt.Sscanf(between(rec.Body.String(), `"numberMatched":`, ","), "%d", &n)
		return answer{rec.Header().Get("ETag"), n}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 100 {
				path := fmt.Sprintf("/api/collections/incidents/items?limit=1&offset=%d", w*1000+i)
				got := get(s, path)
				if a, b := get(refs[0], path), get(refs[1], path); got != a && got != b || got.etag == "" {
					errs <- fmt.Errorf("%s: %+v, neither the fixtures' %+v nor the other's %+v", path, got, a, b)
					return
				}
			}
		}()
	}
	for range 50 {
		s.SetData(big)
		s.SetData(small)
	}
	s.SetData(big)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if s.Data() != big {
		t.Error("Data() is not the last data set set")
	}
	if got := get(s, "/api/collections/incidents/items?limit=1"); got.n != big.Len() {
		t.Errorf("after the swap: %d incidents, want %d", got.n, big.Len())
	}
}

func between(s, from, to string) string {
	_, s, ok := strings.Cut(s, from)
	if !ok {
		return ""
	}
	s, _, _ = strings.Cut(s, to)
	return s
}
