package api

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/incidentmap/incidentmap/fixtures"
	"github.com/incidentmap/incidentmap/geo"
	"github.com/incidentmap/incidentmap/geo/synth"
)

// TestRequestLogAndMetrics checks what observe records of each request:
// one JSON log line with every field, and the request counted and timed
// under its route, method and code.
// The line goes to Logger, or when RequestLog is set, there.
func TestRequestLogAndMetrics(t *testing.T) {
	for _, via := range []string{"Logger", "RequestLog"} {
		t.Run(via, func(t *testing.T) {
			var logged bytes.Buffer
			cfg := Config{Data: fixtureData(t), Logger: slog.New(slog.NewJSONHandler(&logged, nil))}
			if via == "RequestLog" {
				cfg.RequestLog = &logged
			}
			testRequestLogAndMetrics(t, New(cfg), &logged)
		})
	}
}

func testRequestLogAndMetrics(t *testing.T, s *Server, logged *bytes.Buffer) {
	get(t, s, "/api/layers/al-asad")
	hit := get(t, s, "/api/layers/al-asad", "X-Request-Id", "abc-123")
	get(t, s, "/api/layers/al-asad", "If-None-Match", hit.Header().Get("ETag"))

	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(logged.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		if m["msg"] == "request" {
			lines = append(lines, m)
		}
	}
	if len(lines) != 3 {
		t.Fatalf("%d request lines, want 3:\n%s", len(lines), logged.String())
	}
	want := map[string]any{
		"level": "INFO", "msg": "request", "request_id": "abc-123", "method": "GET",
		"path": "/api/layers/al-asad", "route": "/api/layers/:id", "status": 200.0,
		"bytes": float64(hit.Body.Len()), "cache": "hit",
	}
	for k, v := range want {
		if lines[1][k] != v {
			t.Errorf("%s = %v, want %v", k, lines[1][k], v)
		}
	}
	for _, k := range []string{"time", "took"} {
		if _, ok := lines[1][k]; !ok {
			t.Errorf("no %s in %v", k, lines[1])
		}
	}
	if len(lines[1]) != len(want)+2 {
		t.Errorf("fields %v, want those of %v, time and took", lines[1], want)
	}
	if lines[0]["cache"] != "miss" || lines[2]["status"] != 304.0 {
		t.Errorf("first %v, third %v: want a miss, then a 304", lines[0], lines[2])
	}

	body := get(t, s, "/metrics").Body.String()
	for _, series := range []string{
		`incidentmap_http_requests_total{code="200",method="GET",route="/api/layers/:id"} 2`,
		`incidentmap_http_requests_total{code="304",method="GET",route="/api/layers/:id"} 1`,
		`incidentmap_http_request_duration_seconds_count{route="/api/layers/:id"} 3`,
	} {
		if !strings.Contains(body, series+"\n") {
			t.Errorf("no %s in\n%s", series, grepLines(body, "incidentmap_http_request"))
		}
	}
}

// Every batch of writes is timed phase by phase and its writes counted:
// two writes one after the other are two batches of one, each built and
// stored (a small data set is not paced: no pace observed).
func TestBatchMetrics(t *testing.T) {
	s, _, token := writeServer(t)
	for _, id := range []string{"m-1", "m-2"} {
		if rec := do(s, http.MethodPost, "/api/collections/incidents/items", newFeature(id, "Timed"),
			reasonHeader, "test", "Authorization", "Bearer "+token); rec.Code != http.StatusCreated {
			t.Fatalf("write %s: %d %s", id, rec.Code, rec.Body)
		}
	}
	body := get(t, s, "/metrics").Body.String()
	for _, series := range []string{
		`incidentmap_write_batch_seconds_count{phase="build"} 2`,
		`incidentmap_write_batch_seconds_count{phase="store"} 2`,
		`incidentmap_write_batch_writes_count 2`,
		`incidentmap_write_batch_writes_sum 2`,
	} {
		if !strings.Contains(body, series+"\n") {
			t.Errorf("no %s in\n%s", series, grepLines(body, "incidentmap_write_batch"))
		}
	}
	if strings.Contains(body, `phase="pace"`) {
		t.Errorf("a batch of the fixtures was paced:\n%s", grepLines(body, "incidentmap_write_batch"))
	}
}

// A leader of a batch on a large data set waits until batchGap has
// passed since the last build, unless its oldest write has waited
// maxBatchWait; on the fixtures, never.
func TestPace(t *testing.T) {
	s, _, _ := writeServer(t)
	s.writer.lastBuilt = time.Now()
	if wait := s.pace(time.Now()); wait != 0 {
		t.Errorf("on the fixtures, right after a build: wait %v, want none", wait)
	}
	ds, err := geo.NewDataset(synth.Incidents(pacedIncidents, 1), fixtures.Sites)
	if err != nil {
		t.Fatal(err)
	}
	s.setData(ds, editLog{})
	s.writer.lastBuilt = time.Now()
	if wait := s.pace(time.Now()); wait <= batchGap/2 || wait > batchGap {
		t.Errorf("on %d incidents, right after a build: wait %v, want nearly %v", ds.Len(), wait, batchGap)
	}
	s.writer.lastBuilt = time.Now().Add(-batchGap)
	if wait := s.pace(time.Now()); wait > 0 {
		t.Errorf("on %d incidents, %v after a build: wait %v, want none", ds.Len(), batchGap, wait)
	}
	// A write queued long ago is not kept waiting past maxBatchWait.
	s.writer.lastBuilt = time.Now()
	if wait := s.pace(time.Now().Add(-maxBatchWait)); wait > 0 {
		t.Errorf("on %d incidents, a write queued %v ago: wait %v, want none", ds.Len(), maxBatchWait, wait)
	}
}
