package api

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// readerSlice is the slice of CPU time the service's threads ask the
// kernel for: the least that Linux (6.12 and later) takes. Under EEVDF, a
// thread woken with a shorter slice than the running thread's can take
// the core at once. With the same slice for both, a reader's thread woken
// beside a background thread could wait for the kernel to see the
// background thread's slice run out, at its next tick (4 ms at 250 Hz),
// whatever their nice.
const readerSlice = 100_000 // ns

// ShortenSlices asks the kernel for readerSlice for every thread of the
// process but the background threads (lowerThreadPriority), which keep
// the kernel's default slice, longer. A thread made later inherits the
// slice of the thread that makes it, one of these or one made later
// itself; a background thread made later takes the default again. A
// kernel before 6.12 takes the request and ignores it.
func ShortenSlices() error {
	threadsMu.Lock()
	defer threadsMu.Unlock()
	done := map[int]bool{}
	for { // until no thread is new: one may be made meanwhile
		tasks, err := os.ReadDir("/proc/self/task")
		if err != nil {
			return fmt.Errorf("shorten slices: %w", err)
		}
		found := false
		for _, task := range tasks {
			tid, err := strconv.Atoi(task.Name())
			if err != nil || done[tid] {
				continue
			}
			done[tid], found = true, true
			if backgroundTIDs[tid] {
				continue
			}
			prio, err := syscall.Getpriority(syscall.PRIO_PROCESS, tid)
			if err != nil {
				continue // ended
			}
			// sched_setattr sets the nice too: the thread's own.
			attr := &unix.SchedAttr{Size: unix.SizeofSchedAttr, Policy: unix.SCHED_NORMAL, Nice: int32(20 - prio), Runtime: readerSlice}
			if err := unix.SchedSetAttr(tid, attr, 0); err != nil && !errors.Is(err, unix.ESRCH) {
				return fmt.Errorf("shorten slices: thread %d: %w", tid, err)
			}
		}
		if !found {
			return nil
		}
	}
}

// lowerThreadPriority lowers the calling OS thread's CPU priority by by
// levels of nice, at most to 19, and gives it the kernel's default slice,
// longer than the readers' (ShortenSlices): the kernel then gives it less
// of a core that the process's other threads want, and a reader's thread
// woken beside it the core sooner. Linux sets both per thread; raising
// nice needs no privilege. On failure the thread runs as it was, which is
// only slower for readers.
func lowerThreadPriority(by int) {
	threadsMu.Lock()
	defer threadsMu.Unlock()
	tid := syscall.Gettid()
	backgroundTIDs[tid] = true
	prio, err := syscall.Getpriority(syscall.PRIO_PROCESS, tid)
	if err != nil {
		return
	}
	nice := min(20-prio+by, 19) // the system call's form: 20 - nice, 1 to 40
	// No Runtime: the kernel's default slice.
	attr := &unix.SchedAttr{Size: unix.SizeofSchedAttr, Policy: unix.SCHED_NORMAL, Nice: int32(nice)}
	if unix.SchedSetAttr(tid, attr, 0) != nil {
		_ = syscall.Setpriority(syscall.PRIO_PROCESS, tid, nice)
	}
}

// backgroundTIDs holds the ids of the threads lowerThreadPriority lowered:
// ShortenSlices leaves them their slice. threadsMu guards it, and makes
// the two one at a time: ShortenSlices reads a thread's nice and sets it
// again with the slice, so a thread lowered in between would be raised
// back to the readers' nice and slice.
var (
	threadsMu      sync.Mutex
	backgroundTIDs = map[int]bool{}
)
