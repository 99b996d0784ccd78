package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// service is a running incidentmap process.
type service struct {
	name string
	base string // http://127.0.0.1:port
	cmd  *exec.Cmd
	log  *logTail

	exited  chan struct{}
	exitErr error // set before exited is closed
}

func startService(name, binary, addr string, args, env []string) (*service, error) {
	s := &service{name: name, base: "http://" + addr, log: &logTail{}, exited: make(chan struct{})}
	s.cmd = exec.Command(binary, args...)
	s.cmd.Env = append(os.Environ(), env...)
	stderr, err := s.cmd.StderrPipe()
	if err != nil {
		return nil, fmt.Errorf("%s stderr: %w", name, err)
	}
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	logged := make(chan struct{})
	go func() { s.log.read(stderr); close(logged) }()
	go func() {
		<-logged // Wait closes the pipe: read it to the end first
		s.exitErr = s.cmd.Wait()
		close(s.exited)
	}()
	return s, nil
}

// waitReady polls /healthz until it answers 200.
func waitReady(ctx context.Context, s *service, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		resp, err := http.Get(s.base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-s.exited:
			return fmt.Errorf("%s exited at start (%v): %s", s.name, s.exitErr, strings.Join(s.log.notable(), "; "))
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return fmt.Errorf("%s did not answer /healthz in %s", s.name, limit)
}

// rss returns the service's resident memory in bytes.
func (s *service) rss() (int64, error) {
	rss, _, err := s.memory()
	return rss, err
}

// memory returns the service's resident memory now and at its peak
// (VmHWM, the high-water mark since it started), in bytes.
func (s *service) memory() (rss, peak int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0, 0, fmt.Errorf("read status: %w", err)
	}
	if rss, err = statusKB(b, "VmRSS"); err != nil {
		return 0, 0, err
	}
	if peak, err = statusKB(b, "VmHWM"); err != nil {
		return 0, 0, err
	}
	return rss, peak, nil
}

// statusKB reads a "Name: N kB" line of a /proc/PID/status file, in
// bytes.
func statusKB(status []byte, name string) (int64, error) {
	for line := range bytes.Lines(status) {
		rest, ok := bytes.CutPrefix(line, []byte(name+":"))
		if !ok {
			continue
		}
		f := strings.Fields(string(rest))
		if len(f) != 2 || f[1] != "kB" {
			return 0, fmt.Errorf("%s: want \"N kB\", got %q", name, bytes.TrimSpace(rest))
		}
		kb, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", name, err)
		}
		return kb << 10, nil
	}
	return 0, fmt.Errorf("no %s line", name)
}

// terminate sends SIGTERM.
func (s *service) terminate() error {
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return fmt.Errorf("SIGTERM %s: %w", s.name, err)
	}
	return nil
}

// kill ends the process if it still runs and waits for it.
func (s *service) kill() {
	select {
	case <-s.exited:
		return
	default:
	}
	s.cmd.Process.Kill()
	<-s.exited
}
