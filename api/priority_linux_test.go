package api

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// Each background thread runs its jobs its levels of nice below the
// caller, on a thread other than the caller's, which it leaves as it
// was.
func TestBackgroundThreads(t *testing.T) {
	runtime.LockOSThread() // the caller's thread stays the caller's
	defer runtime.UnlockOSThread()
	nice := func() int {
		prio, err := syscall.Getpriority(syscall.PRIO_PROCESS, syscall.Gettid())
		if err != nil {
			t.Fatal(err)
		}
		return 20 - prio
	}
	before, caller := nice(), syscall.Gettid()
	slices := kernelAtLeast(t, 6, 12) // sched_setattr takes a fair thread's slice
	for _, bt := range []*lowThread{buildThread, drawingThread} {
		inside, thread := 0, 0
		var slice uint64
		bt.do(func() {
			inside, thread = nice(), syscall.Gettid()
			if attr, err := unix.SchedGetAttr(0, 0); err == nil {
				slice = attr.Runtime
			}
		})
		if thread == caller {
			t.Fatal("a background job ran on the caller's thread")
		}
		if want := min(before+bt.nice, 19); inside != want {
			t.Errorf("nice of a job: %d, want %d (the caller's is %d)", inside, want, before)
		}
		if slices && slice <= readerSlice {
			t.Errorf("slice of a job: %d ns, want the kernel's default, longer than the readers' %d", slice, readerSlice)
		}
		if after := nice(); after != before {
			t.Errorf("the caller's nice went from %d to %d", before, after)
		}
	}
}

// A background drawing's render runs on the drawing thread, below the
// readers, and a render inside it runs there too, at once; a reader's
// render runs where the reader is.
func TestDrawingsRenderOnTheDrawingThread(t *testing.T) {
	runtime.LockOSThread() // the caller's thread stays the caller's
	defer runtime.UnlockOSThread()
	s := New(Config{Data: fixtureData(t)})
	type where struct{ thread, nice int }
	here := func() where {
		tid := syscall.Gettid()
		prio, err := syscall.Getpriority(syscall.PRIO_PROCESS, tid)
		if err != nil {
			t.Error(err)
		}
		return where{tid, 20 - prio}
	}
	caller := here()
	var outer, inner where
	nested := s.renderOf(cachedResponse{expensive: true, render: func(context.Context) ([]byte, error) {
		inner = here()
		return nil, nil
	}})
	render := s.renderOf(cachedResponse{expensive: true, render: func(ctx context.Context) ([]byte, error) {
		outer = here()
		return nested(ctx)
	}})

	if _, err := render(context.Background()); err != nil {
		t.Fatal(err)
	}
	if outer != caller || inner != caller {
		t.Errorf("a reader's render ran on %+v and %+v, want the reader's thread %+v", outer, inner, caller)
	}

	if _, err := render(drawingContext()); err != nil {
		t.Fatal(err)
	}
	if want := min(caller.nice+drawingThread.nice, 19); outer.thread == caller.thread || outer.nice != want {
		t.Errorf("a drawing's render ran on %+v, want a thread other than the caller's %+v at nice %d", outer, caller, want)
	}
	if inner != outer {
		t.Errorf("a render inside a drawing's ran on %+v, want its parent's %+v", inner, outer)
	}
}

// ShortenSlices gives every thread of the process, and every thread made
// after, the readers' short slice, and leaves background threads their
// longer one, those made after too. (The test's process keeps the short
// slices, as the service does.)
func TestShortenSlices(t *testing.T) {
	if !kernelAtLeast(t, 6, 12) {
		t.Skip("Linux before 6.12 takes no slice for a fair thread")
	}
	for _, bt := range []*lowThread{buildThread, drawingThread} {
		bt.do(func() {}) // started
	}
	if err := ShortenSlices(); err != nil {
		t.Fatal(err)
	}
	slice := func(tid int) uint64 {
		attr, err := unix.SchedGetAttr(tid, 0)
		if err != nil {
			return 0 // reported as a wrong slice
		}
		return attr.Runtime
	}
	before := map[int]bool{}
	for _, tid := range threads(t) {
		before[tid] = true
		threadsMu.Lock()
		background := backgroundTIDs[tid]
		threadsMu.Unlock()
		if got := slice(tid); background && got <= readerSlice {
			t.Errorf("background thread %d: slice %d ns, want the default, longer than %d", tid, got, readerSlice)
		} else if !background && got != readerSlice {
			t.Errorf("thread %d: slice %d ns, want %d", tid, got, readerSlice)
		}
	}

	// Threads made now: as many held at once as there are threads, so
	// that Go must make some.
	n := len(before) + runtime.GOMAXPROCS(0)
	made := make(chan [2]int, n)
	var held, release sync.WaitGroup
	held.Add(n)
	release.Add(1)
	for range n {
		go func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			tid := syscall.Gettid()
			made <- [2]int{tid, int(slice(tid))}
			held.Done()
			release.Wait()
		}()
	}
	held.Wait()
	release.Done()
	newThreads := 0
	for range n {
		m := <-made
		if before[m[0]] {
			continue
		}
		newThreads++
		if uint64(m[1]) != readerSlice {
			t.Errorf("thread %d, made after: slice %d ns, want %d", m[0], m[1], readerSlice)
		}
	}
	if newThreads == 0 {
		t.Fatalf("no thread was made for %d goroutines locked at once", n)
	}

	// A background thread started after, as in the service: made from a
	// thread with the short slice, it takes the default again.
	later := &lowThread{nice: 5}
	var laterSlice uint64
	later.do(func() { laterSlice = slice(syscall.Gettid()) })
	if laterSlice <= readerSlice {
		t.Errorf("background thread started after: slice %d ns, want the default, longer than %d", laterSlice, readerSlice)
	}
}

// threads returns the ids of the process's threads.
func threads(t *testing.T) []int {
	t.Helper()
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Fatal(err)
	}
	var tids []int
	for _, task := range tasks {
		tid, err := strconv.Atoi(task.Name())
		if err != nil {
			t.Fatal(err)
		}
		tids = append(tids, tid)
	}
	return tids
}

// kernelAtLeast reports whether the running Linux is major.minor or
// later.
func kernelAtLeast(t *testing.T, major, minor int) bool {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		t.Fatal(err)
	}
	var ma, mi int
	if _, err := fmt.Sscanf(unix.ByteSliceToString(u.Release[:]), "%d.%d", &ma, &mi); err != nil {
		t.Fatalf("kernel release %q: %v", u.Release[:], err)
	}
	return ma > major || ma == major && mi >= minor
}
