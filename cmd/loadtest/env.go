package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/incidentmap/incidentmap/geo/synth"
)

// env is what the scenarios run against: the built binary, the data set,
// our own Redis and the service under test.
type env struct {
	opts    options
	dir     string
	binary  string
	data    string
	redis   *redisServer
	svc     *service
	others  []*service   // services started by scenarios, closed with env
	client  *http.Client // the load's: every connection is busy
	control *http.Client // readyz, metrics and probes, never queued behind the load
	targets targets

	setupFigures []figure
}

// setUp builds the binary, writes the data set, starts Redis and the
// service, and warms the service's cache.
func setUp(ctx context.Context, o options, progress io.Writer) (*env, error) {
	dir, err := os.MkdirTemp("", "incidentmap-loadtest-")
	if err != nil {
		return nil, fmt.Errorf("temp dir: %w", err)
	}
	e := &env{opts: o, dir: dir, binary: filepath.Join(dir, "incidentmap"), data: filepath.Join(dir, "incidents.geojson")}
	e.client, e.control = newClient(o.conns), newClient(4)
	ok := false
	defer func() {
		if !ok {
			e.close()
		}
	}()
	fmt.Fprintf(progress, "building %s\n", e.binary)
	build := exec.CommandContext(ctx, "go", "build", "-o", e.binary, "./cmd/incidentmap")
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build: %w\n%s", err, out)
	}
	data, what, err := dataSet(o)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(e.data, data, 0o644); err != nil {
		return nil, fmt.Errorf("write data set: %w", err)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	if e.redis, err = startRedis(ctx, port, filepath.Join(dir, "redis.log")); err != nil {
		return nil, err
	}
	fmt.Fprintf(progress, "redis-server on :%d; starting the service with %s (%.0f MB)\n",
		port, what, float64(len(data))/1e6)
	start := time.Now()
	if e.svc, err = e.startService(ctx, "service", o.cacheBytes); err != nil {
		return nil, err
	}
	ready := time.Since(start)
	e.setupFigures = append(e.setupFigures,
		figure{"data set", fmt.Sprintf("%s, %.1f MB GeoJSON", what, float64(len(data))/1e6)},
		figure{"service start to ready", round(ready).String()})
	if rss, peak, err := e.svc.memory(); err == nil {
		e.setupFigures = append(e.setupFigures, figure{"RSS when ready / peak while loading", fmtMiB(rss) + " / " + fmtMiB(peak)})
	}
	if err := e.warm(ctx, progress); err != nil {
		return nil, err
	}
	ok = true
	return e, nil
}

// startService starts the binary against our Redis and data set, on a
// free port, and waits until it answers /healthz.
func (e *env) startService(ctx context.Context, name string, cacheBytes int) (*service, error) {
	return e.startServiceOn(ctx, name, cacheBytes, "-data", e.data)
}

// startServiceOn is startService with the data from source: the flag
// and its value ("-data" FILE, "-store" FILE).
func (e *env) startServiceOn(ctx context.Context, name string, cacheBytes int, source ...string) (*service, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	args := []string{
		"-addr", addr,
		// As in production: a fixed origin lets responses with links be
		// shared through Redis (docs/security.md).
		"-public-url", "http://" + addr,
		"-cache-bytes", strconv.Itoa(cacheBytes),
		"-redis-timeout", e.opts.redisTimeout.String(),
		"-grace", e.opts.grace.String(),
	}
	args = append(args, source...)
	s, err := startService(name, e.binary, addr, args, []string{"REDIS_URL=" + e.redis.url()})
	if err != nil {
		return nil, err
	}
	if err := waitReady(ctx, s, 2*time.Minute); err != nil {
		s.kill()
		return nil, err
	}
	return s, nil
}

// close stops every process the environment started and removes its files.
func (e *env) close() {
	for _, s := range append([]*service{e.svc}, e.others...) {
		if s != nil {
			s.kill()
		}
	}
	if e.redis != nil {
		e.redis.kill()
	}
	os.RemoveAll(e.dir)
}

// logSummary describes what the services logged above INFO.
func (e *env) logSummary() []string {
	var out []string
	for _, s := range append([]*service{e.svc}, e.others...) {
		if s != nil {
			out = append(out, s.log.summary(s.name)...)
		}
	}
	return out
}

// freePort returns a TCP port on 127.0.0.1 that nothing listens on now.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// dataSet returns the data set o asks for, and says what it is.
func dataSet(o options) ([]byte, string, error) {
	if o.places == "" {
		return synth.Incidents(o.incidents, 1), fmt.Sprintf("%d synthetic incidents", o.incidents), nil
	}
	cities, err := os.ReadFile(o.places)
	if err != nil {
		return nil, "", fmt.Errorf("places: %w", err)
	}
	data, err := synth.Places(cities)
	if err != nil {
		return nil, "", fmt.Errorf("places: %w", err)
	}
	n := bytes.Count(data, []byte(`"type":"Feature",`))
	return data, fmt.Sprintf("%d synthetic incidents at the places of %s", n, filepath.Base(o.places)), nil
}
