package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/incidentmap/incidentmap/fixtures"
	"github.com/incidentmap/incidentmap/geo"
)

const oneIncident = `{"type":"FeatureCollection","features":[
 {"type":"Feature","id":"test-one","geometry":{"type":"Point","coordinates":[42.441,33.786]},
  "properties":{"title":"A test incident","occurred_at":"2024-01-01T00:00:00Z","time_precision":"day",
   "event_type":"missile_attack","actors":[],"site":"al-asad","place":"Ain Al Asad","place_ar":"","admin1":"",
   "country":"IQ","geo_precision":"near","injured":null,"killed":null,"summary":"",
   "sources":[{"publisher":"P","title":"T","published_at":"2024-01-02T00:00:00Z","quote":"Q."}],"related":[]}}%s]}`

const badSecond = `,
 {"type":"Feature","id":"test-two","geometry":null,
  "properties":{"title":"Broken","occurred_at":"yesterday","time_precision":"day",
   "event_type":"airstrike","actors":[],"site":null,"place":"","place_ar":"","admin1":"",
   "country":"IQ","geo_precision":"unknown","injured":null,"killed":null,"summary":"",
   "sources":[{"publisher":"P","title":"T","published_at":"2024-01-02T00:00:00Z","quote":"Q."}],"related":[]}}`

func writeFile(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "incidents.geojson")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func noEnv(string) string { return "" }

// start runs the command in the background and returns its address and a
// function that stops it and returns run's error.
func start(t *testing.T, args []string, getenv func(string) string) (string, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- run(ctx, args, getenv, io.Discard, ready) }()
	select {
	case addr := <-ready:
		return addr, func() error { cancel(); return <-done }
	case err := <-done:
		cancel()
		t.Fatalf("run ended before serving: %v", err)
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatal("server did not start in 30s")
	}
	return "", nil
}

func numberMatched(t *testing.T, addr string) int {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/api/collections/incidents/items")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var fc struct{ NumberMatched int }
	if err := json.NewDecoder(resp.Body).Decode(&fc); err != nil {
		t.Fatal(err)
	}
	return fc.NumberMatched
}

func TestBadDataStopsStartupNamingFeatureAndField(t *testing.T) {
	path := writeFile(t, strings.Replace(oneIncident, "%s", badSecond, 1))
	err := run(context.Background(), []string{"-addr", "127.0.0.1:0", "-data", path}, noEnv, io.Discard, nil)
	if err == nil {
		t.Fatal("run accepted a data file with a bad occurred_at")
	}
	for _, want := range []string{path, "feature 1", `"test-two"`, "properties.occurred_at"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
}

func TestDataFileReplacesFixtures(t *testing.T) {
	path := writeFile(t, strings.Replace(oneIncident, "%s", "", 1))
	for name, tc := range map[string]struct {
		args   []string
		getenv func(string) string
	}{
		"flag": {[]string{"-addr", "127.0.0.1:0", "-data", path}, noEnv},
		"env": {[]string{"-addr", "127.0.0.1:0"}, func(k string) string {
			if k == "INCIDENTMAP_DATA" {
				return path
			}
			return ""
		}},
	} {
		t.Run(name, func(t *testing.T) {
			addr, stop := start(t, append(tc.args, "-drain", "0s"), tc.getenv)
			if n := numberMatched(t, addr); n != 1 {
				t.Errorf("serving %d incidents, want the file's 1", n)
			}
			if err := stop(); err != nil {
				t.Errorf("shutdown: %v", err)
			}
		})
	}
}

func TestDefaultsServeFixturesAndShutDown(t *testing.T) {
	t.Chdir(t.TempDir()) // where the default store is made
	addr, stop := start(t, []string{"-addr", "127.0.0.1:0", "-drain", "2s"}, noEnv)
	if n := numberMatched(t, addr); n < 6 {
		t.Errorf("serving %d incidents, want the fixtures (at least 6)", n)
	}
	// With no data named, the store is a SQLite file made in the working
	// directory, seeded with the fixtures and their corrections.
	changes, err := http.Get("http://" + addr + "/api/changes?limit=1")
	if err != nil {
		t.Fatal(err)
	}
	changes.Body.Close()
	if _, err := os.Stat(defaultStore); err != nil || changes.StatusCode != http.StatusOK || changes.Header.Get("X-Revision") == "" {
		t.Errorf("the default store: %v; the corrections log answers %d, X-Revision %q", err, changes.StatusCode, changes.Header.Get("X-Revision"))
	}
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	// While draining, the server still answers, /readyz with 503, and
	// closes each connection after its response.
	var resp *http.Response
	for deadline := time.Now().Add(time.Second); ; time.Sleep(10 * time.Millisecond) {
		var err error
		if resp, err = http.Get("http://" + addr + "/readyz"); err != nil {
			t.Fatalf("while draining: %v", err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusServiceUnavailable || time.Now().After(deadline) {
			break
		}
	}
	if resp.StatusCode != http.StatusServiceUnavailable || !resp.Close {
		t.Errorf("while draining /readyz: %d, Connection: close %v; want 503 and close", resp.StatusCode, resp.Close)
	}
	if err := <-stopped; err != nil {
		t.Errorf("graceful shutdown returned %v", err)
	}
	if _, err := http.Get("http://" + addr + "/healthz"); err == nil {
		t.Error("server still answers after shutdown")
	}
}

func TestUnknownArgument(t *testing.T) {
	if err := run(context.Background(), []string{"serve-everything"}, noEnv, io.Discard, nil); err == nil {
		t.Error("run accepted an unknown argument")
	}
}

// TestOversizedHeadersRefused sends 100 KB of headers to the real server:
// it must refuse them (431), not read them.
func TestOversizedHeadersRefused(t *testing.T) {
	t.Chdir(t.TempDir()) // where the default store is made
	addr, stop := start(t, []string{"-addr", "127.0.0.1:0", "-drain", "0s"}, noEnv)
	defer stop()
	req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/healthz", nil)
	req.Header.Set("X-Padding", strings.Repeat("a", 100<<10))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("100 KB of headers: %d, want 431", resp.StatusCode)
	}
}

func TestPublicURLAndTrustedProxies(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		env     map[string]string
		public  string
		proxies string
		bad     bool
	}{
		{args: nil},
		{args: []string{"-public-url", "https://maps.news.example/incidents", "-trusted-proxies", "10.0.0.0/8, 192.0.2.7,::1"},
			public: "https://maps.news.example/incidents", proxies: "[10.0.0.0/8 192.0.2.7/32 ::1/128]"},
		{env: map[string]string{"INCIDENTMAP_PUBLIC_URL": "http://localhost:8080", "INCIDENTMAP_TRUSTED_PROXIES": "127.0.0.1"},
			public: "http://localhost:8080", proxies: "[127.0.0.1/32]"},
		{args: []string{"-public-url", "ftp://maps.news.example"}, bad: true},
		{args: []string{"-public-url", "https://maps.news.example/?x=1"}, bad: true},
		{args: []string{"-public-url", "/relative"}, bad: true},
		{args: []string{"-trusted-proxies", "10.0.0.0/33"}, bad: true},
		{args: []string{"-trusted-proxies", "proxy.local"}, bad: true},
	} {
		getenv := func(k string) string { return tc.env[k] }
		cfg, err := parseConfig(tc.args, getenv, io.Discard)
		if tc.bad {
			if err == nil {
				t.Errorf("%v: accepted", tc.args)
			}
			continue
		}
		if err != nil {
			t.Errorf("%v %v: %v", tc.args, tc.env, err)
			continue
		}
		public := ""
		if cfg.publicURL != nil {
			public = cfg.publicURL.String()
		}
		proxies := ""
		if cfg.trusted != nil {
			proxies = fmt.Sprint(cfg.trusted)
		}
		if public != tc.public || proxies != tc.proxies {
			t.Errorf("%v %v: public %q proxies %q, want %q %q", tc.args, tc.env, public, proxies, tc.public, tc.proxies)
		}
	}
}

// -store serves a store of revisions: a new SQLite file is seeded with
// the fixtures as revision 1, which the data version names; a second
// start finds it seeded and serves the same revision.
func TestStoreSeededOnceAndServed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	want, err := geo.NewDataset(fixtures.Incidents, fixtures.Sites)
	if err != nil {
		t.Fatal(err)
	}
	for run := range 2 {
		addr, stop := start(t, []string{"-addr", "127.0.0.1:0", "-drain", "0s", "-store", path}, noEnv)
		if n := numberMatched(t, addr); n != want.Len() {
			t.Errorf("start %d: serving %d incidents, want the fixtures' %d", run+1, n, want.Len())
		}
		resp, err := http.Get("http://" + addr + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		var health struct {
			DataVersion string `json:"data_version"`
		}
		err = json.NewDecoder(resp.Body).Decode(&health)
		resp.Body.Close()
		if want := fmt.Sprintf("r%d-", seededHead(t)); err != nil || !strings.HasPrefix(health.DataVersion, want) {
			t.Errorf("start %d: data_version %q, %v; want revision %s", run+1, health.DataVersion, err, want)
		}
		if err := stop(); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	}
	if err := run(context.Background(), []string{"-store", path, "-data", "x.geojson"}, noEnv, io.Discard, nil); err == nil {
		t.Error("-store with -data: no error")
	}
}
