// Command pagebench measures the web map at scale: it writes a synthetic
// data set (geo/synth, a million incidents by default), builds and starts
// cmd/incidentmap on it with an empty cache, and runs
// static/e2e/measure.mjs, which opens the page in headless Chromium (the
// system's, /usr/bin/chromium; nothing is downloaded) with a cold browser
// cache a few times, and reports the time from navigation to the first
// drawn incidents, the time into a cluster, and the largest response.
// docs/performance.md ("The page at 1M") has its figures.
//
//	go run ./cmd/pagebench [-incidents 1000000] [-runs 3] [-settle 15s] [-screenshot FILE]
//
// Run it from the repository root after npm ci --prefix static, with
// nothing else running: a million incidents take the service a few GB and
// some seconds to load. It is a measurement, not a test: nothing fails
// on a slow figure. Like cmd/loadtest it drives the built binary from
// outside and imports nothing of the service but geo/synth.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/incidentmap/incidentmap/geo/synth"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "pagebench:", err)
		os.Exit(1)
	}
}

// run is the command, with its arguments and where it reports.
func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("pagebench", flag.ContinueOnError)
	incidents := fs.Int("incidents", 1_000_000, "synthetic incidents in the data set")
	runs := fs.Int("runs", 3, "page loads to measure, each with a cold browser cache; the first also finds the service's cache cold")
	screenshot := fs.String("screenshot", "", "a PNG of the page at the end, when set")
	settle := fs.Duration("settle", 0, "how long to leave the service idle once it answers, before the first page load: "+
		"at a million incidents the garbage collector's first cycle after loading runs for seconds, and the first requests share the CPU with it")
	chromium := fs.String("chromium", "/usr/bin/chromium", "the browser")
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		return nil
	} else if err != nil {
		return err
	}
	if *screenshot != "" {
		abs, err := filepath.Abs(*screenshot)
		if err != nil {
			return fmt.Errorf("screenshot path: %w", err)
		}
		*screenshot = abs
	}
	dir, err := os.MkdirTemp("", "incidentmap-pagebench-")
	if err != nil {
		return fmt.Errorf("temp dir: %w", err)
	}
	defer os.RemoveAll(dir)

	fmt.Fprintf(out, "machine: %d CPUs (%s), %s\n", runtime.NumCPU(), cpuModel(), runtime.Version())
	binary := filepath.Join(dir, "incidentmap")
	if b, err := exec.CommandContext(ctx, "go", "build", "-o", binary, "./cmd/incidentmap").CombinedOutput(); err != nil {
		return fmt.Errorf("go build ./cmd/incidentmap: %w\n%s", err, b)
	}
	data := filepath.Join(dir, "incidents.geojson")
	if err := os.WriteFile(data, synth.Incidents(*incidents, 1), 0o644); err != nil {
		return fmt.Errorf("write data set: %w", err)
	}
	size, err := fileSize(data)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "data set: %d synthetic incidents, %.0f MB of GeoJSON\n", *incidents, float64(size)/1e6)

	addr, err := freeAddr()
	if err != nil {
		return err
	}
	svc := exec.Command(binary, "-addr", addr, "-data", data)
	logFile, err := os.Create(filepath.Join(dir, "service.log"))
	if err != nil {
		return fmt.Errorf("service log: %w", err)
	}
	defer logFile.Close()
	svc.Stdout, svc.Stderr = logFile, logFile
	start := time.Now()
	if err := svc.Start(); err != nil {
		return fmt.Errorf("start the service: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- svc.Wait() }()
	defer func() {
		_ = svc.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			_ = svc.Process.Kill()
			<-exited
		}
	}()
	base := "http://" + addr
	if err := waitHealthy(ctx, base, exited, 10*time.Minute); err != nil {
		return fmt.Errorf("%w (log: %s)", err, logFile.Name())
	}
	fmt.Fprintf(out, "service: ready %.1f s after start, %.0f MB resident\n", time.Since(start).Seconds(), float64(rss(svc.Process.Pid))/(1<<20))
	if *settle > 0 {
		fmt.Fprintf(out, "service: left idle for %s\n", *settle)
		select {
		case <-time.After(*settle):
		case <-ctx.Done():
			return ctx.Err()
		}
	}

	args = []string{"e2e/measure.mjs", base, strconv.Itoa(*runs)}
	if *screenshot != "" {
		args = append(args, *screenshot)
	}
	node := exec.CommandContext(ctx, "node", args...)
	node.Dir = "static"
	node.Env = append(os.Environ(), "CHROMIUM="+*chromium)
	node.Stdout, node.Stderr = out, out
	if err := node.Run(); err != nil {
		return fmt.Errorf("node e2e/measure.mjs: %w", err)
	}
	fmt.Fprintf(out, "service: %.0f MB resident after the runs\n", float64(rss(svc.Process.Pid))/(1<<20))
	return nil
}

// waitHealthy polls /healthz until it answers 200, the process exits, or
// limit passes.
func waitHealthy(ctx context.Context, base string, exited <-chan error, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case err := <-exited:
			return fmt.Errorf("the service exited at start: %v", err)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	return fmt.Errorf("the service did not answer /healthz in %s", limit)
}

// freeAddr returns a loopback address with a free port.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func fileSize(path string) (int64, error) {
	st, err := os.Stat(path)
	if err != nil {
		return 0, fmt.Errorf("stat %s: %w", path, err)
	}
	return st.Size(), nil
}

// rss returns a process's resident memory in bytes, 0 when /proc does
// not say.
func rss(pid int) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// cpuModel is the CPU's name from /proc/cpuinfo, or "unknown CPU".
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if name, value, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(name) == "model name" {
			return strings.TrimSpace(value)
		}
	}
	return "unknown CPU"
}
