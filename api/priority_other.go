//go:build !linux

package api

// lowerThreadPriority does nothing where threads have no nice of their
// own: background work runs at the process's priority.
func lowerThreadPriority(int) {}

// ShortenSlices does nothing where the kernel takes no slice of a thread.
func ShortenSlices() error { return nil }
