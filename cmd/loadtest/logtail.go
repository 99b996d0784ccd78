package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"sync"
)

// logTail reads the service's JSON log: it counts lines by level and keeps
// the first lines above INFO. Request lines are not stored.
type logTail struct {
	mu     sync.Mutex
	lines  int
	levels map[string]int
	first  []string // the first lines above INFO
}

func (l *logTail) read(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Bytes()
		level := "OTHER"
		if _, rest, ok := bytes.Cut(line, []byte(`"level":"`)); ok {
			if lv, _, ok := bytes.Cut(rest, []byte(`"`)); ok {
				level = string(lv)
			}
		}
		l.mu.Lock()
		l.lines++
		if l.levels == nil {
			l.levels = map[string]int{}
		}
		l.levels[level]++
		if level != "INFO" && len(l.first) < 20 {
			l.first = append(l.first, string(line))
		}
		l.mu.Unlock()
	}
}

// notable returns the first lines above INFO, each cut to 300 bytes.
func (l *logTail) notable() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]string, len(l.first))
	for i, s := range l.first {
		if len(s) > 300 {
			s = s[:300] + "…"
		}
		out[i] = s
	}
	return out
}

// summary is one line of counts, then the first notable lines.
func (l *logTail) summary(name string) []string {
	l.mu.Lock()
	counts := fmt.Sprintf("%s: %d log lines", name, l.lines)
	for _, lv := range []string{"WARN", "ERROR", "OTHER"} {
		if n := l.levels[lv]; n > 0 {
			counts += fmt.Sprintf(", %d %s", n, lv)
		}
	}
	l.mu.Unlock()
	out := []string{counts}
	for i, s := range l.notable() {
		if i == 5 {
			break
		}
		out = append(out, "  "+s)
	}
	return out
}
