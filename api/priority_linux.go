package api

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// backgroundSlice is the time the kernel lets a background thread run
// before a reader's thread that waits for the core may take it: the
// least that Linux (6.12 and later) takes as a thread's slice. With the
// default (3 ms on two cores), a background thread that the kernel had
// just picked kept the core for its whole slice, a reader's thread
// waiting behind it, though its priority was lower.
const backgroundSlice = 100_000 // ns

// lowerThreadPriority lowers the calling OS thread's CPU priority by by
// levels of nice, at most to 19, and shortens its slice: the kernel then
// gives it less of a core that the process's other threads want, in
// shorter turns. Linux sets both per thread; raising nice needs no
// privilege. A kernel that does not know slices lowers the priority
// alone; on failure the thread runs as it was, which is only slower for
// readers.
func lowerThreadPriority(by int) {
	tid := syscall.Gettid()
	prio, err := syscall.Getpriority(syscall.PRIO_PROCESS, tid)
	if err != nil {
		return
	}
	nice := min(20-prio+by, 19) // the system call's form: 20 - nice, 1 to 40
	attr := &unix.SchedAttr{Size: unix.SizeofSchedAttr, Policy: unix.SCHED_NORMAL, Nice: int32(nice), Runtime: backgroundSlice}
	if unix.SchedSetAttr(tid, attr, 0) != nil {
		_ = syscall.Setpriority(syscall.PRIO_PROCESS, tid, nice)
	}
}
