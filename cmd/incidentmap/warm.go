package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/incidentmap/incidentmap/api"
	"github.com/incidentmap/incidentmap/geo"
	"github.com/incidentmap/incidentmap/tiles"
)

// warmUsage is the warm subcommand's synopsis.
const warmUsage = "incidentmap warm -layers basemap,incidents -zooms 0-8 [-bbox W,S,E,N] [-arabic] [-concurrency N]"

// runWarm renders tiles into the cache ahead of traffic. With REDIS_URL
// set, the tiles land in Redis, where every replica finds them.
func runWarm(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	fs := flag.NewFlagSet("warm", flag.ContinueOnError)
	fs.SetOutput(stderr)
	layers := fs.String("layers", "basemap,incidents", "comma-separated layers to warm")
	zooms := fs.String("zooms", "0-8", "zoom range, e.g. 0-8 or 5")
	bbox := fs.String("bbox", "", "area W,S,E,N in degrees (default: the data's extent)")
	conc := fs.Int("concurrency", runtime.GOMAXPROCS(0), "tiles rendered at once")
	arabic := fs.Bool("arabic", false, "warm the basemap's Arabic tiles (lang=ar) too")
	var cfg config
	addCommonFlags(fs, &cfg, getenv)
	if err := fs.Parse(args); err != nil {
		return err
	}
	minZ, maxZ, err := parseZooms(*zooms)
	if err != nil {
		return err
	}
	srv, closeFn, err := buildServer(cfg, discardLogger(), nil)
	if err != nil {
		return err
	}
	defer closeFn()
	bound := srv.DefaultView()
	if *bbox != "" {
		if bound, err = geo.ParseBound(*bbox); err != nil {
			return fmt.Errorf("-bbox: %w", err)
		}
		if bound.Min[0] > bound.Max[0] {
			return fmt.Errorf("-bbox: %q crosses the antimeridian; warm each side on its own", *bbox)
		}
	}
	bar := newProgress(stderr, "tiles")
	n, err := srv.Warm(ctx, api.WarmOptions{
		Layers:      strings.Split(*layers, ","),
		Arabic:      *arabic,
		MinZoom:     minZ,
		MaxZoom:     maxZ,
		Bound:       bound,
		Concurrency: *conc,
		Progress:    bar.update,
	})
	bar.finish("warmed", n)
	return err
}

func parseZooms(s string) (lo, hi int, err error) {
	a, b, isRange := strings.Cut(s, "-")
	if !isRange {
		b = a
	}
	if lo, err = strconv.Atoi(a); err == nil {
		hi, err = strconv.Atoi(b)
	}
	if err != nil || lo < 0 || hi < lo || hi > tiles.MaxZoom {
		return 0, 0, fmt.Errorf("-zooms: want a range like 0-8 within 0-%d, got %q", tiles.MaxZoom, s)
	}
	return lo, hi, nil
}

// progress draws a one-line progress bar with the rate in tiles/s.
type progress struct {
	w     io.Writer
	unit  string // what is counted: "tiles", "rows"
	start time.Time
	mu    sync.Mutex
	last  time.Time
}

func newProgress(w io.Writer, unit string) *progress {
	return &progress{w: w, unit: unit, start: time.Now()}
}

func (p *progress) update(done, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if now := time.Now(); now.Sub(p.last) > 100*time.Millisecond || done == total {
		p.last = now
		if total <= 0 { // not known: the count and the rate alone
			fmt.Fprintf(p.w, "\r%d %s  %.0f %s/s", done, p.unit, float64(done)/max(now.Sub(p.start).Seconds(), 1e-9), p.unit)
			return
		}
		const width = 30
		filled := width * done / max(total, 1)
		rate := float64(done) / max(now.Sub(p.start).Seconds(), 1e-9)
		fmt.Fprintf(p.w, "\r[%s%s] %d/%d %s  %.0f %s/s", strings.Repeat("#", filled), strings.Repeat(".", width-filled), done, total, p.unit, rate, p.unit)
	}
}

// finish ends the bar with what was done: "warmed", "read".
func (p *progress) finish(verb string, done int) {
	took := time.Since(p.start)
	fmt.Fprintf(p.w, "\n%s %d %s in %s (%.0f %s/s)\n", verb, done, p.unit, took.Round(time.Millisecond), float64(done)/max(took.Seconds(), 1e-9), p.unit)
}
