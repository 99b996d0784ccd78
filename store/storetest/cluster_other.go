//go:build !linux

package storetest

import (
	"os"
	"testing"
)

// Cluster is a PostgreSQL server of a test's own; see cluster.go. Off
// Linux there is none.
type Cluster struct {
	// URL reaches the cluster.
	URL string
}

// NewCluster skips the test off Linux, or fails it under CI=true.
func NewCluster(t testing.TB) *Cluster {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal("a private PostgreSQL runs on Linux only (CI=true: tests about PostgreSQL must run)")
	}
	t.Skip("a private PostgreSQL runs on Linux only")
	return nil
}

// Start starts the server.
func (c *Cluster) Start() {}

// Stop stops the server.
func (c *Cluster) Stop() {}
