package api

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// The full export holds the rows of every page of the CSV export, in the
// same order, with the same filters.
func TestFullCSVExportIsEveryPage(t *testing.T) {
	s := newTestServer(t)
	for _, filter := range []string{"", "event_type=airstrike,missile_attack", "datetime=2023-11-21&country=IQ", "bbox=40,32,46,37"} {
		full := get(t, s, "/api/collections/incidents/items.csv?"+filter)
		if full.Code != http.StatusOK || full.Header().Get("Content-Type") != typeCSV {
			t.Fatalf("%s: %d %q", filter, full.Code, full.Header().Get("Content-Type"))
		}
		paged := get(t, s, itemsPath+"?f=csv&limit=10000&"+filter)
		if !bytes.Equal(full.Body.Bytes(), paged.Body.Bytes()) {
			t.Errorf("%s: the full export differs from the one page of all:\n%s\n---\n%s", filter, excerpt(full.Body.String()), excerpt(paged.Body.String()))
		}
	}
	for _, bad := range []string{"limit=5", "lat=33&lon=42&radius=1000", "f=kml", "event_type=Bad"} {
		if rec := get(t, s, "/api/collections/incidents/items.csv?"+bad); rec.Code != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", bad, rec.Code)
		}
	}
	etag := get(t, s, "/api/collections/incidents/items.csv").Header().Get("ETag")
	if rec := get(t, s, "/api/collections/incidents/items.csv", "If-None-Match", etag); etag == "" || rec.Code != http.StatusNotModified {
		t.Errorf("If-None-Match %s: %d, want 304", etag, rec.Code)
	}
}

// The full export of 200,000 incidents (about 45 MB of CSV) is written a
// thousand rows at a time: the heap grows by far less than the export
// (buffered whole, it would grow by all of it).
func TestFullCSVExportInConstantMemory(t *testing.T) {
	s := synthServer(t, 200_000)
	ts := httptest.NewServer(s)
	defer ts.Close()
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()
	resp, err := http.Get(ts.URL + "/api/collections/incidents/items.csv")
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	close(stop)
	<-done
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d, %v", resp.StatusCode, err)
	}
	grew := int64(peak.Load()) - int64(base.HeapInuse)
	t.Logf("%d bytes of CSV; heap in use grew by at most %d MiB", n, grew>>20)
	if n < 30<<20 {
		t.Fatalf("only %d bytes exported", n)
	}
	if grew > n/2 {
		t.Errorf("the heap grew by %d MiB while %d MiB were exported", grew>>20, n>>20)
	}
}
