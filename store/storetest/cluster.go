//go:build linux

package storetest

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// Cluster is a PostgreSQL server of a test's own, for tests that stop and
// start it: the machine's server is shared with every other test running
// at the time, so it is never the one stopped. It runs from the machine's
// binaries (/usr/lib/postgresql/*/bin, or PG_BIN), in a directory of its
// own, on a free port of 127.0.0.1, and is removed at the test's end.
type Cluster struct {
	// URL reaches the cluster's postgres database as the superuser
	// postgres, with no password.
	URL string

	t    testing.TB
	bin  string
	dir  string
	port int
	cred *syscall.Credential // whom the server runs as, when we are root
	cmd  *exec.Cmd
	done chan error // the server's exit, once it is started
}

// NewCluster initialises a cluster and starts it. Without the binaries
// the test is skipped, unless CI=true, where it fails: CI must run what
// needs them.
func NewCluster(t testing.TB) *Cluster {
	t.Helper()
	bin, err := postgresBin()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("a private PostgreSQL: %v (CI=true: tests about PostgreSQL must run)", err)
		}
		t.Skipf("a private PostgreSQL: %v", err)
	}
	c := &Cluster{t: t, bin: bin}
	// initdb and postgres refuse to run as root: as root, they run as the
	// postgres user, in a directory it owns. t.TempDir is not reachable
	// by another user, so the directory is made here and removed at the end.
	if os.Geteuid() == 0 {
		if c.cred, err = credentialOf("postgres"); err != nil {
			t.Fatalf("a private PostgreSQL as root: %v", err)
		}
	}
	if c.dir, err = os.MkdirTemp("", "incidentmap-pg-"); err != nil {
		t.Fatalf("a private PostgreSQL: %v", err)
	}
	t.Cleanup(func() {
		c.stop()
		os.RemoveAll(c.dir)
	})
	if c.cred != nil {
		if err := os.Chown(c.dir, int(c.cred.Uid), int(c.cred.Gid)); err != nil {
			t.Fatalf("a private PostgreSQL: %v", err)
		}
	}
	if c.port, err = freePort(); err != nil {
		t.Fatalf("a private PostgreSQL: %v", err)
	}
	c.URL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.port)
	initdb := c.command(filepath.Join(bin, "initdb"), "-D", c.data(), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync", "--no-instructions")
	if out, err := initdb.CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	c.Start()
	return c
}

// Start starts the server and returns once it accepts connections.
func (c *Cluster) Start() {
	c.t.Helper()
	if c.cmd != nil {
		c.t.Fatal("start a private PostgreSQL: it is running")
	}
	log, err := os.OpenFile(filepath.Join(c.dir, "postgres.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		c.t.Fatalf("start a private PostgreSQL: %v", err)
	}
	defer log.Close()
	// Durability is not what these tests are about: fsync off makes a
	// start and every commit cheap.
	cmd := c.command(filepath.Join(c.bin, "postgres"), "-D", c.data(), "-p", strconv.Itoa(c.port),
		"-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="+c.dir,
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL // never outlive a test binary that is killed
	if err := cmd.Start(); err != nil {
		c.t.Fatalf("start a private PostgreSQL: %v", err)
	}
	c.cmd, c.done = cmd, make(chan error, 1)
	go func() { c.done <- cmd.Wait() }()
	db, err := sql.Open("pgx", c.URL)
	if err != nil {
		c.t.Fatalf("start a private PostgreSQL: %v", err)
	}
	defer db.Close()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := db.PingContext(ctx)
		cancel()
		if err == nil {
			return
		}
		select {
		case exit := <-c.done:
			c.cmd = nil
			c.t.Fatalf("a private PostgreSQL exited at start (%v):\n%s", exit, c.log())
		default:
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("a private PostgreSQL does not answer after 30 s (%v):\n%s", err, c.log())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Stop stops the server as an operator's restart does, by its fast
// shutdown: open transactions are rolled back, connections closed.
func (c *Cluster) Stop() {
	c.t.Helper()
	if err := c.stop(); err != nil {
		c.t.Fatalf("stop a private PostgreSQL: %v\n%s", err, c.log())
	}
}

// stop stops the server, if it runs.
func (c *Cluster) stop() error {
	if c.cmd == nil {
		return nil
	}
	defer func() { c.cmd = nil }()
	if err := c.cmd.Process.Signal(syscall.SIGINT); err != nil { // SIGINT is PostgreSQL's fast shutdown
		return err
	}
	select {
	case err := <-c.done:
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			return err
		}
		return nil
	case <-time.After(30 * time.Second):
		c.cmd.Process.Kill()
		return errors.New("no exit 30 s after a fast shutdown; killed")
	}
}

// data is the cluster's data directory.
func (c *Cluster) data() string { return filepath.Join(c.dir, "data") }

// command is a command run as the cluster's user.
func (c *Cluster) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Dir = c.dir
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	return cmd
}

// log returns the end of the server's log, for a failure's message.
func (c *Cluster) log() string {
	b, _ := os.ReadFile(filepath.Join(c.dir, "postgres.log"))
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(bytes.TrimSpace(b))
}

// postgresBin finds the directory of initdb and postgres: PG_BIN, else
// the newest /usr/lib/postgresql/*/bin (Debian's layout), else PATH.
func postgresBin() (string, error) {
	var dirs []string
	if d := os.Getenv("PG_BIN"); d != "" {
		dirs = append(dirs, d)
	}
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(found, func(i, j int) bool { return versionOf(found[i]) > versionOf(found[j]) })
	dirs = append(dirs, found...)
	if p, err := exec.LookPath("initdb"); err == nil {
		dirs = append(dirs, filepath.Dir(p))
	}
	for _, d := range dirs {
		if isExecutable(filepath.Join(d, "initdb")) && isExecutable(filepath.Join(d, "postgres")) {
			return d, nil
		}
	}
	return "", errors.New("no initdb and postgres in PG_BIN, /usr/lib/postgresql/*/bin or PATH")
}

// versionOf is the major version in a path /usr/lib/postgresql/N/bin.
func versionOf(bin string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(bin)))
	return n
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// credentialOf returns the user and group ids of the named user.
func credentialOf(name string) (*syscall.Credential, error) {
	u, err := user.Lookup(name)
	if err != nil {
		return nil, fmt.Errorf("user %s: %w", name, err)
	}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("user %s: uid %q: %w", name, u.Uid, err)
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("user %s: gid %q: %w", name, u.Gid, err)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// freePort returns a TCP port of 127.0.0.1 that nothing listens on.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
