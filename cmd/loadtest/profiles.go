package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"
)

// profilePass saves the service's profiles over a pass of runWrites that
// starts at t0 and lasts d, when -profiles names a directory: a CPU
// profile of each half (reads alone, then beside the writes), the
// allocations at each half's start and end (compare with pprof -base),
// and a trace of three seconds in the middle of each half. It returns a function
// that waits for them. The service serves them on its -pprof address.
func (e *env) profilePass(ctx context.Context, svc *service, pass string, t0 time.Time, d time.Duration) func() {
	if e.opts.profiles == "" {
		return func() {}
	}
	i := slices.Index(svc.cmd.Args, "-pprof")
	if i < 0 || i+1 >= len(svc.cmd.Args) {
		return func() {}
	}
	base := "http://" + svc.cmd.Args[i+1] + "/debug/pprof/"
	half := d / 2
	secs := int((half - 2*time.Second) / time.Second)
	var wg sync.WaitGroup
	save := func(at time.Duration, name, path string) {
		wg.Go(func() {
			if err := sleepUntil(ctx, t0.Add(at)); err != nil {
				return
			}
			file := filepath.Join(e.opts.profiles, fmt.Sprintf("%s-%s", pass, name))
			if err := fetchProfile(ctx, base+path, file); err != nil {
				fmt.Fprintf(os.Stderr, "loadtest: profile %s: %v\n", file, err)
			}
		})
	}
	save(time.Second, "alone.cpu.pprof", fmt.Sprintf("profile?seconds=%d", secs))
	save(half+time.Second, "writes.cpu.pprof", fmt.Sprintf("profile?seconds=%d", secs))
	save(0, "alone-start.allocs.pprof", "allocs")
	save(half, "writes-start.allocs.pprof", "allocs")
	save(d-time.Second, "writes-end.allocs.pprof", "allocs")
	save(half/2, "alone.trace", "trace?seconds=3")
	save(half+half/2, "writes.trace", "trace?seconds=3")
	return wg.Wait
}

// fetchProfile saves what url answers to file.
func fetchProfile(ctx context.Context, url, file string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", url, resp.Status)
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return err
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return fmt.Errorf("save %s: %w", file, err)
	}
	return f.Close()
}
