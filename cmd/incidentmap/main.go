// Command incidentmap serves sourced conflict incidents as OGC API
// Features, GeoJSON overlays and (later) tiles and a web map.
//
//	incidentmap [-addr :8080] [-data incidents.geojson] [-sites sites.geojson]
//
// With no arguments it serves the embedded fixtures on :8080 with an
// in-process cache. REDIS_URL (or -redis) adds the shared Redis tier.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/incidentmap/incidentmap/api"
	"github.com/incidentmap/incidentmap/api/cache"
	"github.com/incidentmap/incidentmap/fixtures"
	"github.com/incidentmap/incidentmap/geo"
	"github.com/incidentmap/incidentmap/store"
	"github.com/incidentmap/incidentmap/tiles/basemap"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stderr, nil); err != nil {
		fmt.Fprintln(os.Stderr, "incidentmap:", err)
		os.Exit(1)
	}
}

// reserveBackgroundProcs gives the API's background threads (builds of
// writes, drawings again of what they changed: api.BackgroundThreads) Go
// Ps of their own, once per process, unless GOMAXPROCS is set: they run
// at a lower CPU priority, but a thread running Go code holds a P, and
// on two cores beside 50 writes a second the readers then had one. The
// render slots stay at the cores (their default is read before).
func reserveBackgroundProcs(getenv func(string) string) {
	reserveProcs.Do(func() {
		if getenv("GOMAXPROCS") == "" {
			runtime.GOMAXPROCS(runtime.GOMAXPROCS(0) + api.BackgroundThreads)
		}
	})
}

var reserveProcs sync.Once

// requestLogBytes bounds the request lines waiting to be written to
// stderr (lineWriter): about 4,000 lines.
const requestLogBytes = 1 << 20

// config is everything the command line and environment set.
type config struct {
	addr         string
	dataFile     string
	sitesFile    string
	redisURL     string
	redisTimeout time.Duration
	cacheBytes   int
	grace        time.Duration
	drain        time.Duration
	frames       string
	store        string
	publicURL    *url.URL
	renderSlots  int
	pprofAddr    string
	trusted      []netip.Prefix
}

func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("incidentmap", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: incidentmap [flags]\n       %s\n       %s\n       %s\n\nflags:\n", warmUsage, importUsage, tokenUsage)
		fs.PrintDefaults()
	}
	fs.StringVar(&cfg.addr, "addr", envOr(getenv, "INCIDENTMAP_ADDR", ":8080"), "listen address (INCIDENTMAP_ADDR)")
	fs.DurationVar(&cfg.grace, "grace", 15*time.Second, "how long shutdown waits for requests in flight")
	fs.DurationVar(&cfg.drain, "drain", time.Second, "on SIGTERM, how long to keep serving with /readyz at 503 and keep-alives off before closing the listener")
	fs.StringVar(&cfg.frames, "frame-ancestors", envOr(getenv, "INCIDENTMAP_FRAME_ANCESTORS", "*"), "CSP frame-ancestors of the page and embeds: the sites that may frame them (INCIDENTMAP_FRAME_ANCESTORS)")
	fs.IntVar(&cfg.renderSlots, "render-slots", runtime.GOMAXPROCS(0), "expensive renders (static maps, tiles, overlays, exports) run at once; past them and four waiting per slot, 503")
	fs.StringVar(&cfg.pprofAddr, "pprof", "", "listen address of net/http/pprof's profiles, e.g. 127.0.0.1:6060; empty: none (never expose it)")
	fs.Func("public-url", "origin of every link, e.g. https://maps.news.example; unset, links follow the request (INCIDENTMAP_PUBLIC_URL)", func(s string) error {
		u, err := parsePublicURL(s)
		cfg.publicURL = u
		return err
	})
	fs.Func("trusted-proxies", "comma-separated addresses or CIDRs whose X-Forwarded-Proto and X-Forwarded-Host are believed (INCIDENTMAP_TRUSTED_PROXIES)", func(s string) error {
		p, err := parsePrefixes(s)
		cfg.trusted = p
		return err
	})
	addCommonFlags(fs, &cfg, getenv)
	for flagName, env := range map[string]string{"public-url": "INCIDENTMAP_PUBLIC_URL", "trusted-proxies": "INCIDENTMAP_TRUSTED_PROXIES"} {
		if v := getenv(env); v != "" {
			if err := fs.Set(flagName, v); err != nil {
				return cfg, fmt.Errorf("%s: %w", env, err)
			}
		}
	}
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return cfg, nil
}

// addCommonFlags adds the flags that serving and warming share.
func addCommonFlags(fs *flag.FlagSet, cfg *config, getenv func(string) string) {
	fs.StringVar(&cfg.dataFile, "data", getenv("INCIDENTMAP_DATA"), "GeoJSON file of incidents to serve instead of the embedded fixtures, read-only (INCIDENTMAP_DATA)")
	fs.StringVar(&cfg.store, "store", getenv("INCIDENTMAP_STORE"), "store of revisions to serve: a SQLite file (created and seeded from the embedded fixtures when new) or a postgres:// URL (INCIDENTMAP_STORE); without it or -data, "+defaultStore+" in the working directory")
	fs.StringVar(&cfg.sitesFile, "sites", getenv("INCIDENTMAP_SITES"), "GeoJSON file of sites to use instead of the embedded ones (INCIDENTMAP_SITES)")
	fs.StringVar(&cfg.redisURL, "redis", getenv("REDIS_URL"), "Redis URL for the shared cache, e.g. redis://127.0.0.1:6379/0; empty: in-process cache only (REDIS_URL)")
	fs.DurationVar(&cfg.redisTimeout, "redis-timeout", 50*time.Millisecond, "bound on every Redis call; a dead Redis costs a request at most this")
	fs.IntVar(&cfg.cacheBytes, "cache-bytes", 128<<20, "bytes the in-process cache may hold")
}

// parsePublicURL reads -public-url: an absolute http or https URL with a
// host, and perhaps a path prefix, but no query, fragment or user.
func parsePublicURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return nil, fmt.Errorf("not a URL: %w", err)
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("%q: want an http or https URL", s)
	case u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "":
		return nil, fmt.Errorf("%q: want scheme://host[:port][/prefix] alone", s)
	}
	return u, nil
}

// parsePrefixes reads a comma-separated list of addresses and CIDRs.
func parsePrefixes(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if p, err := netip.ParsePrefix(part); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(part)
		if err != nil {
			return nil, fmt.Errorf("%q is not an address or CIDR", part)
		}
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

// defaultStore is the store served when no data is named: a SQLite file
// in the working directory, made and seeded with the embedded fixtures
// on the first start.
const defaultStore = "incidentmap.db"

// loadData reads the data set: from the store named, or the default
// store when no data is named (and returns the store), or from the files
// named (the embedded fixtures with their corrections for the incidents
// when only sites are). A data file is streamed, never held whole: a million
// incidents are 550 MB of GeoJSON and about 280 MB once loaded.
func loadData(cfg config, log *slog.Logger) (*geo.Dataset, *store.Store, error) {
	if cfg.store == "" && cfg.dataFile == "" && cfg.sitesFile == "" {
		cfg.store = defaultStore
	}
	if cfg.store != "" {
		if cfg.dataFile != "" || cfg.sitesFile != "" {
			return nil, nil, errors.New("-store serves the store's data: not with -data or -sites")
		}
		return loadStore(cfg, log)
	}
	corrected, err := correctedFixtures()
	if err != nil {
		return nil, nil, err
	}
	var incidents io.Reader = bytes.NewReader(corrected)
	name := "embedded fixtures"
	if cfg.dataFile != "" {
		f, err := os.Open(cfg.dataFile)
		if err != nil {
			return nil, nil, fmt.Errorf("read data: %w", err)
		}
		defer f.Close()
		incidents, name = f, cfg.dataFile
	}
	sites := fixtures.Sites
	if cfg.sitesFile != "" {
		var err error
		if sites, err = readDataFile(cfg.sitesFile); err != nil {
			return nil, nil, fmt.Errorf("read sites: %w", err)
		}
	}
	ds, err := timedLoad(log, name, func() (*geo.Dataset, error) { return geo.LoadDataset(incidents, sites) })
	if err != nil {
		return nil, nil, fmt.Errorf("load %s: %w", name, err)
	}
	return ds, nil, nil
}

// timedLoad runs load, logging what it loaded and how long it took.
// Garbage is collected often while it runs: what a load leaves behind is
// mostly free of pointers, so a collection costs little, and the peak
// stays near what the data set keeps (docs/performance.md). The memory
// the load used is then handed back to the system, so the resident size
// is what the data set holds.
func timedLoad(log *slog.Logger, source string, load func() (*geo.Dataset, error)) (*geo.Dataset, error) {
	gc := debug.SetGCPercent(loadGCPercent)
	start := time.Now()
	ds, err := load()
	debug.SetGCPercent(gc)
	if err != nil {
		return nil, err
	}
	debug.FreeOSMemory()
	log.Info("data loaded", "source", source, "data_version", ds.Version, "incidents", ds.Len(), "seconds", time.Since(start).Seconds())
	return ds, nil
}

// loadStore serves the store's latest revision, seeding an empty store
// with the embedded fixtures and their corrections first. The store stays
// open, for the writes.
func loadStore(cfg config, log *slog.Logger) (*geo.Dataset, *store.Store, error) {
	ctx := context.Background()
	name := redactDSN(cfg.store)
	st, err := store.Open(ctx, cfg.store)
	if err != nil {
		return nil, nil, err
	}
	ds, err := func() (*geo.Dataset, error) {
		seeded, err := seedFixtures(ctx, st)
		if err != nil {
			return nil, err
		}
		if seeded {
			log.Info("store seeded", "store", name)
		}
		head, err := st.Head(ctx)
		if err != nil {
			return nil, err
		}
		return timedLoad(log, name, func() (*geo.Dataset, error) { return st.Dataset(ctx, head) })
	}()
	if err != nil {
		st.Close()
		return nil, nil, fmt.Errorf("load store %s: %w", name, err)
	}
	return ds, st, nil
}

// seedFixtures seeds an empty store with the embedded fixtures, as
// revision 1, and their corrections, a revision each, so its corrections
// log starts with them.
func seedFixtures(ctx context.Context, st *store.Store) (bool, error) {
	cs, err := store.ParseCorrections(fixtures.Corrections)
	if err != nil {
		return false, err
	}
	return st.Seed(ctx, fixtures.Incidents, fixtures.Sites, cs, store.Revision{
		At: time.Now(), Author: "incidentmap", Reason: "Seeded from the embedded fixtures, as first written.",
	})
}

// correctedFixtures returns the embedded incidents with their corrections:
// what a store seeded with them serves.
func correctedFixtures() ([]byte, error) {
	cs, err := store.ParseCorrections(fixtures.Corrections)
	if err != nil {
		return nil, err
	}
	return store.ApplyCorrections(fixtures.Incidents, cs)
}

// redactDSN returns a store's name without the password a URL may hold,
// for the log.
func redactDSN(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		return u.Redacted()
	}
	return dsn
}

// followInterval is how often a server on a store asks it for a newer
// revision when the store cannot tell it of one: SQLite, or PostgreSQL
// while its notifications are not heard.
const followInterval = 500 * time.Millisecond

// loadGCPercent is the GOGC the data set is loaded under: at a million
// incidents, 25 kept the peak at 1.5 times the data set but took 3.4–3.9 s
// on this machine's Xeon; 50 keeps it under 1.8 times (issue #10 allows
// 2) and serves in 2.7–2.8 s (docs/performance.md).
const loadGCPercent = 50

// readDataFile reads a data file of at most geo.MaxDataBytes, without
// reading more than that of a larger one.
func readDataFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, geo.MaxDataBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > geo.MaxDataBytes {
		return nil, fmt.Errorf("%s is over %d bytes", path, geo.MaxDataBytes)
	}
	return data, nil
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// buildServer loads the data and builds the API server with its cache,
// logging to log and each request's line to requestLog (nil: to log). The
// returned function closes what it opened.
func buildServer(cfg config, log *slog.Logger, requestLog io.Writer) (*api.Server, func(), error) {
	// The basemap (its labels placed for every zoom, a fifth of a second)
	// loads beside the data, in the load's single-core stretches.
	type loadedBasemap struct {
		bm  *basemap.Basemap
		err error
	}
	basemapc := make(chan loadedBasemap, 1)
	go func() {
		bm, err := basemap.Load(basemap.Embedded())
		basemapc <- loadedBasemap{bm, err}
	}()
	ds, st, err := loadData(cfg, log)
	loaded := <-basemapc
	if err != nil {
		return nil, nil, err
	}
	var rc *cache.Redis
	closeFn := func() {}
	if st != nil {
		closeFn = func() { st.Close() }
	}
	if cfg.redisURL != "" {
		if rc, err = cache.NewRedis(cache.RedisConfig{URL: cfg.redisURL, Timeout: cfg.redisTimeout, Logger: log}); err != nil {
			closeFn()
			return nil, nil, err
		}
		closeStore := closeFn
		closeFn = func() { rc.Close(); closeStore() }
	}
	if loaded.err != nil {
		closeFn()
		return nil, nil, fmt.Errorf("load basemap: %w", loaded.err)
	}
	bm := loaded.bm
	srv := api.New(api.Config{
		Data:           ds,
		Store:          st,
		Cache:          cache.New(cfg.cacheBytes, rc),
		Basemap:        bm,
		BasemapVersion: basemap.Embedded().Version(),
		Logger:         log,
		RequestLog:     requestLog,
		FrameAncestors: cfg.frames,
		PublicURL:      cfg.publicURL,
		RenderSlots:    cfg.renderSlots,
		TrustedProxies: cfg.trusted,
	})
	log.Info("loaded", "incidents", ds.Len(), "sites", len(ds.Sites),
		"data_version", ds.Version, "redis", rc != nil)
	return srv, closeFn, nil
}

// run starts the server and blocks until ctx is done, then shuts down
// gracefully. When ready is not nil it receives the listening address.
func run(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer, ready chan<- string) error {
	if len(args) > 0 && args[0] == "warm" {
		return runWarm(ctx, args[1:], getenv, stderr)
	}
	if len(args) > 0 && args[0] == "import" {
		return runImport(ctx, args[1:], getenv, os.Stdout, stderr)
	}
	if len(args) > 0 && args[0] == "token" {
		return runToken(ctx, args[1:], getenv, os.Stdout, stderr)
	}
	cfg, err := parseConfig(args, getenv, stderr)
	if err != nil {
		return err
	}
	reserveBackgroundProcs(getenv)
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	cache.SetLogger(log)
	// The readers' threads ask for short slices of CPU, so that one woken
	// beside a background thread takes the core from it at once.
	if err := api.ShortenSlices(); err != nil {
		log.Warn("readers' threads keep the kernel's default slice", "err", err)
	}
	// Request lines are written to stderr as the logger writes there, by
	// the API's own encoder (slog's took a tenth of a cached hit's CPU),
	// from a goroutine of their own: a request waits for no reader of
	// stderr.
	requestLog := newLineWriter(stderr, requestLogBytes)
	defer requestLog.Close() // after the server's last request
	handler, closeFn, err := buildServer(cfg, log, requestLog)
	if err != nil {
		return err
	}
	defer closeFn()
	// On a store, follow it: what another replica or an import writes is
	// served here once loaded, when PostgreSQL tells of it, or within
	// followInterval and the load.
	followCtx, stopFollowing := context.WithCancel(ctx)
	defer stopFollowing()
	go handler.Follow(followCtx, followInterval)
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	log.Info("serving", "addr", ln.Addr().String())
	if ready != nil {
		ready <- ln.Addr().String()
	}
	if cfg.pprofAddr != "" {
		stopProfiles, err := serveProfiles(cfg.pprofAddr, log)
		if err != nil {
			return err
		}
		defer stopProfiles()
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	// Drain first: a client may have just written a request to an idle
	// keep-alive connection, which Shutdown would close unread. With
	// keep-alives off, every response from here on closes its connection,
	// and /readyz tells the load balancer to stop sending.
	log.Info("draining", "drain", cfg.drain, "grace", cfg.grace)
	handler.Drain()
	srv.SetKeepAlivesEnabled(false)
	time.Sleep(cfg.drain)
	sctx, cancel := context.WithTimeout(context.Background(), cfg.grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	log.Info("stopped")
	return nil
}
