package api

import (
	"runtime"
	"syscall"
	"testing"
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
	for _, bt := range []*lowThread{buildThread, drawingThread} {
		inside, thread := 0, 0
		bt.do(func() { inside, thread = nice(), syscall.Gettid() })
		if thread == caller {
			t.Fatal("a background job ran on the caller's thread")
		}
		if want := min(before+bt.nice, 19); inside != want {
			t.Errorf("nice of a job: %d, want %d (the caller's is %d)", inside, want, before)
		}
		if after := nice(); after != before {
			t.Errorf("the caller's nice went from %d to %d", before, after)
		}
	}
}
