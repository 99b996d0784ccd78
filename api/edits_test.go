package api

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/incidentmap/incidentmap/geo"
)

func TestEditLog(t *testing.T) {
	box := func(x float64) *orb.Bound { return &orb.Bound{Min: orb.Point{x, 0}, Max: orb.Point{x + 1, 1}} }
	day := func(month time.Month, d int) geo.Interval {
		start := time.Date(2023, month, d, 0, 0, 0, 0, time.UTC)
		return geo.Interval{Start: start, End: start.Add(24*time.Hour - time.Second)}
	}
	// An incident in box(x) at an hour of a day.
	at := func(x float64, month time.Month, d int) []mark {
		from := time.Date(2023, month, d, 10, 0, 0, 0, time.UTC)
		return []mark{{*box(x), from, from.Add(time.Hour)}}
	}
	var always geo.Interval
	var l editLog
	if v, stale := l.of(box(0), always); v != "" || stale != nil {
		t.Errorf("an empty log: %q, %q; want the data set's version", v, versions(stale))
	}
	l = l.with("r1", "r2", at(0, time.March, 1))
	l = l.with("r2", "r3", nil) // reached nothing drawn
	l = l.with("r3", "r4", at(10, time.March, 1))
	l = l.with("r4", "r5", at(0.2, time.November, 23))
	for _, c := range []struct {
		b       *orb.Bound
		t       geo.Interval
		version string
		stale   []string
	}{
		{box(0.5), always, "r5", []string{"r2", "r1"}},
		{box(10.5), always, "r4", []string{"r1"}},
		{box(5), always, "r1", nil},
		{&orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{20, 1}}, always, "r5", []string{"r4", "r2", "r1"}},
		{nil, always, "r5", []string{"r4", "r3", "r2", "r1"}}, // all of it: every edit reaches it
		// Of a day: only the edits of incidents of that day reach it.
		{box(0.5), day(time.March, 1), "r2", []string{"r1"}},
		{box(0.5), day(time.November, 23), "r5", []string{"r1"}},
		{box(0.5), day(time.June, 1), "r1", nil},
		{box(0.5), geo.Interval{Start: time.Date(2023, time.March, 1, 11, 0, 0, 0, time.UTC)}, "r5", []string{"r1"}}, // the March incident's hour ended at 11
	} {
		if v, stale := l.of(c.b, c.t); v != c.version || !slices.Equal(versions(stale), c.stale) {
			t.Errorf("%v %v: %q, stale %q; want %q, %q", c.b, c.t, v, versions(stale), c.version, c.stale)
		}
	}
	// Each stale version is given with when the edit that replaced it
	// came, which its drawing waits from (drawAfter).
	if _, stale := l.of(box(0.5), always); stale[0].replaced != l.edits[3].at || stale[1].replaced != l.edits[0].at {
		t.Errorf("stale %v: replaced at %v and %v, want the times of r5 and r2", stale, stale[0].replaced, stale[1].replaced)
	}
	// An edit older than maxStale is served as it is, never as it was,
	// and a version an edit older than maxStale replaced is not served.
	l.edits[2].at = time.Now().Add(-2 * maxStale)
	if v, stale := l.of(box(10.5), always); v != "r4" || stale != nil {
		t.Errorf("after maxStale: %q, stale %q", v, versions(stale))
	}
	l.edits[0].at = time.Now().Add(-2 * maxStale)
	if v, stale := l.of(box(0.5), always); v != "r5" || !slices.Equal(versions(stale), []string{"r2"}) {
		t.Errorf("r1 replaced more than maxStale ago: %q, stale %q; want r5, [r2]", v, versions(stale))
	}
	// The log keeps maxEdits; what falls out becomes the base.
	for i := range maxEdits + 2 {
		l = l.with("", fmt.Sprintf("r%d", 6+i), at(float64(100+i), time.March, 1))
	}
	if len(l.edits) != maxEdits || l.base != "r7" {
		t.Errorf("%d edits, base %q; want %d, r7", len(l.edits), l.base, maxEdits)
	}
	if v := l.versionOf(box(0.5), always); v != "r7" {
		t.Errorf("an area whose last edit fell out: %q, want the base r7", v)
	}
}

// versions returns the versions of stale, in order.
func versions(stale []staleVersion) []string {
	var out []string
	for _, v := range stale {
		out = append(out, v.version)
	}
	return out
}

// The background slot: one holder at a time, builds before drawings
// (at most a limit's wait), and
// at most maxDrawings drawings admitted.
func TestBackgroundSlot(t *testing.T) {
	b := newBackground()
	for i := range maxDrawings {
		if !b.wait(fmt.Sprint(i)) {
			t.Fatalf("drawing %d not admitted", i)
		}
		if b.wait(fmt.Sprint(i)) {
			t.Fatalf("drawing %d admitted twice", i)
		}
	}
	if b.wait("another") {
		t.Fatalf("drawing %d admitted, over maxDrawings", maxDrawings+1)
	}
	b.leave("0")
	if !b.wait("another") {
		t.Fatal("a drawing that left made no room")
	}

	b.acquire() // a drawing holds the slot
	next := make(chan struct{})
	go func() { b.acquire(); close(next); b.release() }()
	select {
	case <-next:
		t.Fatal("a second drawing took the slot a drawing holds")
	case <-time.After(20 * time.Millisecond):
	}
	// A build that waits takes the slot before the drawing that waited
	// first.
	built := make(chan bool)
	go func() { built <- b.acquireBuild(time.Minute) }()
	for b.waiting() == 0 {
		time.Sleep(time.Millisecond)
	}
	b.release()
	if !<-built {
		t.Fatal("a build waiting a minute did not get the slot a drawing released")
	}
	select {
	case <-next:
		t.Fatal("the drawing took the slot the build holds")
	case <-time.After(20 * time.Millisecond):
	}
	b.release()
	<-next // the build's release let the drawing in
	// A build gives up after its limit, without the slot, and a drawing
	// then takes it as it is released.
	b.acquire()
	start := time.Now()
	if b.acquireBuild(30 * time.Millisecond) {
		t.Fatal("a build took the slot a drawing holds")
	}
	if waited := time.Since(start); waited < 30*time.Millisecond {
		t.Errorf("the build gave up after %v, before its limit", waited)
	}
	b.release()
	b.acquire()
	b.release()
}
