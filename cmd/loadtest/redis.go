package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// redisServer is a redis-server child process of ours, with no
// persistence, so it can be killed, restarted, slowed and filled.
type redisServer struct {
	port int
	log  string
	cmd  *exec.Cmd
	done chan struct{}
}

func startRedis(ctx context.Context, port int, logFile string) (*redisServer, error) {
	r := &redisServer{port: port, log: logFile}
	return r, r.start(ctx)
}

// start runs redis-server on r.port and waits until it answers PING.
func (r *redisServer) start(ctx context.Context) error {
	logf, err := os.OpenFile(r.log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("redis log: %w", err)
	}
	defer logf.Close()
	r.cmd = exec.Command("redis-server", "--port", strconv.Itoa(r.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--daemonize", "no",
		"--enable-debug-command", "local") // DEBUG SLEEP makes a slow Redis
	r.cmd.Stdout, r.cmd.Stderr = logf, logf
	if err := r.cmd.Start(); err != nil {
		return fmt.Errorf("start redis-server: %w", err)
	}
	r.done = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) { cmd.Wait(); close(done) }(r.cmd, r.done)
	deadline := time.Now().Add(10 * time.Second)
	for {
		if pingRedis(r.addr()) == nil {
			return nil
		}
		select {
		case <-r.done:
			return fmt.Errorf("redis-server on :%d exited at start; see %s", r.port, r.log)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("redis-server on :%d did not answer PING in 10s", r.port)
		}
	}
}

// kill ends redis-server at once (SIGKILL), losing its data, as a crash does.
func (r *redisServer) kill() {
	if r.cmd != nil && r.cmd.Process != nil {
		r.cmd.Process.Kill()
		<-r.done
	}
}

// pid is the process id of the redis-server running now.
func (r *redisServer) pid() int { return r.cmd.Process.Pid }

func (r *redisServer) addr() string { return fmt.Sprintf("127.0.0.1:%d", r.port) }

func (r *redisServer) url() string { return "redis://" + r.addr() + "/0" }

// cli runs redis-cli against r with args and returns its output.
func (r *redisServer) cli(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "redis-cli", append([]string{"-p", strconv.Itoa(r.port)}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("redis-cli %s: %w: %s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out)), nil
}

// pingRedis sends one inline PING and expects +PONG.
func pingRedis(addr string) error {
	c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
	if err != nil {
		return fmt.Errorf("ping redis: %w", err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(200 * time.Millisecond))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return fmt.Errorf("ping redis: %w", err)
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return fmt.Errorf("ping redis: %w", err)
	}
	if !strings.HasPrefix(line, "+PONG") {
		return fmt.Errorf("ping redis: got %q", line)
	}
	return nil
}
