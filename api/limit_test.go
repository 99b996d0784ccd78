package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/incidentmap/incidentmap/tiles"
)

func TestRenderSlots(t *testing.T) {
	rs := newRenderSlots(2, 50*time.Millisecond)
	release := make(chan struct{})
	hold := func(ctx context.Context) ([]byte, error) { <-release; return []byte("held"), nil }
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			if _, err := rs.do(context.Background(), hold); err != nil {
				t.Errorf("a render with a free slot: %v", err)
			}
		})
	}
	for len(rs.slots) < 2 {
		time.Sleep(time.Millisecond)
	}

	// Full: a third render waits its while, then is refused with 503.
	start := time.Now()
	_, err := rs.do(context.Background(), func(context.Context) ([]byte, error) { return nil, nil })
	var p *Problem
	if !errors.As(err, &p) || p.Status != 503 || p.RetryAfter < 1 {
		t.Fatalf("full: err %v, want a 503 problem with Retry-After", err)
	}
	if waited := time.Since(start); waited < 50*time.Millisecond {
		t.Errorf("refused after %v, before its wait of 50ms", waited)
	}

	// The waiting room holds 4n: the next is refused without waiting.
	rs.waitFor = time.Minute
	ctx, cancel := context.WithCancel(context.Background())
	var waiters sync.WaitGroup
	for range 8 {
		waiters.Go(func() { _, _ = rs.do(ctx, hold) })
	}
	for rs.waiting.Load() < 8 {
		time.Sleep(time.Millisecond)
	}
	start = time.Now()
	if _, err := rs.do(context.Background(), hold); !errors.As(err, &p) || p.Status != 503 {
		t.Errorf("ninth waiter: %v, want 503", err)
	}
	if waited := time.Since(start); waited > time.Second {
		t.Errorf("ninth waiter refused after %v; want at once", waited)
	}
	cancel() // the waiters give up with their requests
	waiters.Wait()
	if n := rs.waiting.Load(); n != 0 {
		t.Errorf("%d still counted as waiting", n)
	}

	// A render inside a render runs in its parent's slot, even when all
	// are taken: a static map's basemap tiles cannot deadlock it.
	inner := context.WithValue(context.Background(), inSlot{}, true)
	if b, err := rs.do(inner, func(context.Context) ([]byte, error) { return []byte("ok"), nil }); err != nil || string(b) != "ok" {
		t.Errorf("nested render: %q, %v", b, err)
	}
	close(release)
	wg.Wait()
	if len(rs.slots) != 0 {
		t.Errorf("%d slots still taken", len(rs.slots))
	}
}

// rssBytes is the process's resident memory now.
func rssBytes(t *testing.T) int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		t.Skipf("no /proc/self/statm: %v", err)
	}
	var size, resident int64
	if _, err := fmt.Sscan(string(b), &size, &resident); err != nil {
		t.Fatal(err)
	}
	return resident * int64(os.Getpagesize())
}

// 24 concurrent static maps of the largest size allowed, each of its own
// view so none comes from the cache, keep the process under 1 GiB: the
// render slots let one per CPU draw at once, four per slot wait, and the
// rest are refused at once with 503 and Retry-After.
func TestStaticMapBurstStaysUnderOneGiB(t *testing.T) {
	bm, err := testBasemap()
	if err != nil {
		t.Fatal(err)
	}
	s := New(Config{Data: fixtureData(t), Basemap: bm, RenderWait: time.Minute})
	ts := httptest.NewServer(s)
	defer ts.Close()
	runtime.GC()
	debug.FreeOSMemory()
	before := rssBytes(t)

	var peak atomic.Int64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			if r := rssBytes(t); r > peak.Load() {
				peak.Store(r)
			}
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	var wg sync.WaitGroup
	codes := make([]int, 24)
	retry := make([]string, 24)
	for i := range codes {
		wg.Go(func() {
			// 1024 x 1024 at scale 2 is 2048 x 2048 pixels: the cap.
			u := fmt.Sprintf("%s/api/static.png?center=%.2f,%.2f&zoom=7&width=1024&height=1024&scale=2", ts.URL, 33+float64(i)/10, 42.0)
			resp, err := http.Get(u)
			if err != nil {
				t.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			codes[i], retry[i] = resp.StatusCode, resp.Header.Get("Retry-After")
		})
	}
	wg.Wait()
	close(stop)
	<-sampled
	served := 0
	for i, c := range codes {
		switch {
		case c == http.StatusOK:
			served++
		case c == http.StatusServiceUnavailable && retry[i] != "":
			// the waiting room was full: refused at once, not queued
		default:
			t.Errorf("request %d: status %d (Retry-After %q), want 200 or 503 with Retry-After", i, c, retry[i])
		}
	}
	if served < runtime.GOMAXPROCS(0) {
		t.Errorf("%d of 24 served, want at least a slot's worth", served)
	}
	t.Logf("%d of 24 served; RSS %d MiB before, %d MiB at the peak", served, before>>20, peak.Load()>>20)
	if peak.Load() > 1<<30 {
		t.Errorf("RSS peaked at %d MiB, over 1 GiB", peak.Load()>>20)
	}
}

// Renders give up when their time is up, rather than finishing work no
// one will read: a tile between gathering and encoding, a static map
// between basemap tiles.
func TestRendersStopAtTheirDeadline(t *testing.T) {
	s := newTestServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := tileRequest{layer: "al-asad", format: "png", scale: 1, tile: maptile.At(orb.Point{42.441, 33.786}, 8)}
	if _, err := s.renderTile(ctx, r, s.data.Version); !errors.Is(err, context.Canceled) {
		t.Errorf("tile with its time up: %v, want context.Canceled", err)
	}
	if b, err := s.renderTile(context.Background(), r, s.data.Version); err != nil || len(b) == 0 {
		t.Fatalf("the same tile in time: %d bytes, %v", len(b), err)
	}
	view := tiles.View{Center: orb.Point{42.441, 33.786}, Zoom: 8, Width: 400, Height: 300, Scale: 1}
	basemap := func(tile maptile.Tile, scale int) ([]byte, error) {
		return s.renderTile(context.Background(), tileRequest{layer: LayerBasemap, format: "png", scale: scale, tile: tile}, s.data.Version)
	}
	if _, err := tiles.StaticMap(ctx, view, basemap, nil, nil, ""); !errors.Is(err, context.Canceled) {
		t.Errorf("static map with its time up: %v, want context.Canceled", err)
	}
}
