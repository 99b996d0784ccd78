package api

import "syscall"

// lowerThreadPriority lowers the calling OS thread's CPU priority by by
// levels of nice, at most to 19: the kernel then gives it less of a core
// that the process's other threads want. Linux sets nice per thread;
// raising it needs no privilege. On failure the thread runs as it was,
// which is only slower for readers.
func lowerThreadPriority(by int) {
	tid := syscall.Gettid()
	prio, err := syscall.Getpriority(syscall.PRIO_PROCESS, tid)
	if err != nil {
		return
	}
	nice := 20 - prio // the system call's form: 20 - nice, 1 to 40
	_ = syscall.Setpriority(syscall.PRIO_PROCESS, tid, min(nice+by, 19))
}
