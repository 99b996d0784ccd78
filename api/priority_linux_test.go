package api

import (
	"context"
	"fmt"
	"runtime"
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
		if slices && slice != backgroundSlice {
			t.Errorf("slice of a job: %d ns, want %d", slice, backgroundSlice)
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
