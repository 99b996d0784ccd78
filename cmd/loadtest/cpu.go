package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// clockTicks is USER_HZ, the unit of /proc's CPU times: 100 on Linux.
const clockTicks = 100

// cpuSnapshot is the CPU time used so far, in clock ticks, by the
// processes of a run and by the whole machine.
type cpuSnapshot struct {
	at                      time.Time
	service, redis, self    int64
	machineBusy, machineAll int64
}

// takeCPU reads the CPU times of the service, Redis, this process and the
// machine. A process that cannot be read counts as zero.
func takeCPU(svc *service, redisPID int) cpuSnapshot {
	s := cpuSnapshot{at: time.Now()}
	s.service = svc.cpuTicks()
	s.redis, _ = processTicks(redisPID)
	s.self, _ = processTicks(os.Getpid())
	if b, err := os.ReadFile("/proc/stat"); err == nil {
		s.machineBusy, s.machineAll, _ = parseProcStat(b)
	}
	return s
}

// cpuFigure says how many cores each part kept busy on average between
// two snapshots; "other" is the machine's busy time that none of ours used.
func cpuFigure(a, b cpuSnapshot, cpus int) figure {
	secs := b.at.Sub(a.at).Seconds()
	cores := func(ticks int64) float64 { return float64(ticks) / clockTicks / secs }
	// A process that exited or restarted reads lower: count it from zero.
	delta := func(x, y int64) int64 { return max(y-x, 0) }
	svc, redis, self := delta(a.service, b.service), delta(a.redis, b.redis), delta(a.self, b.self)
	other := max(delta(a.machineBusy, b.machineBusy)-svc-redis-self, 0)
	return figure{"CPU (cores busy on average)", fmt.Sprintf("service %.2f, redis-server %.2f, loadtest %.2f, other processes %.2f; of %d",
		cores(svc), cores(redis), cores(self), cores(other), cpus)}
}

// cpuTicks is the CPU time the service has used, also once it has exited.
func (s *service) cpuTicks() int64 {
	select {
	case <-s.exited:
		st := s.cmd.ProcessState
		return int64((st.UserTime() + st.SystemTime()) * clockTicks / time.Second)
	default:
		n, _ := processTicks(s.cmd.Process.Pid)
		return n
	}
}

// processTicks returns utime+stime of a process from /proc/PID/stat.
func processTicks(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("read stat: %w", err)
	}
	return parsePIDStat(b)
}

// parsePIDStat reads utime and stime (fields 14 and 15) of a
// /proc/PID/stat line. The command name (field 2) may hold spaces and
// parentheses, so fields are counted from the last ')'.
func parsePIDStat(b []byte) (int64, error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, errors.New("stat: no ')'")
	}
	f := strings.Fields(string(b[i+1:])) // f[0] is field 3
	if len(f) < 13 {
		return 0, fmt.Errorf("stat: %d fields after the name, want at least 13", len(f))
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, fmt.Errorf("stat: %w", err)
	}
	return utime + stime, nil
}

// parseProcStat reads the machine's busy and total CPU ticks from the
// first line of /proc/stat.
func parseProcStat(b []byte) (busy, total int64, err error) {
	line, _, _ := bytes.Cut(b, []byte("\n"))
	f := strings.Fields(string(line))
	if len(f) < 8 || f[0] != "cpu" {
		return 0, 0, fmt.Errorf("/proc/stat: unexpected first line %q", line)
	}
	var v [7]int64 // user nice system idle iowait irq softirq
	for i := range v {
		if v[i], err = strconv.ParseInt(f[i+1], 10, 64); err != nil {
			return 0, 0, fmt.Errorf("/proc/stat: %w", err)
		}
	}
	var steal int64
	if len(f) > 8 {
		steal, _ = strconv.ParseInt(f[8], 10, 64)
	}
	busy = v[0] + v[1] + v[2] + v[5] + v[6] + steal
	return busy, busy + v[3] + v[4], nil
}
