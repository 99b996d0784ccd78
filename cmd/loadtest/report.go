package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// result is what a scenario found.
type result struct {
	name    string
	summary *summary // the run as a whole; nil when there was no load run
	classes []classRow
	windows []windowRow
	figures []figure
	checks  []check
	rss     []rssSample
}

type classRow struct {
	name string
	s    summary
}

// windowRow is the part of a run that started in [from, to).
type windowRow struct {
	name     string
	from, to time.Duration
	s        summary
}

type figure struct{ name, value string }

// check is an assertion: what must hold, whether it did, and what was seen.
type check struct {
	name string
	ok   bool
	got  string
}

// machine describes where the run happened.
type machine struct {
	cpus                  int
	memory, kernel        string
	goVersion, redis      string
	loadBefore, loadAfter string
}

func describeMachine() machine {
	return machine{
		cpus:       runtime.NumCPU(),
		memory:     command("free", "-g"),
		kernel:     command("uname", "-r"),
		goVersion:  command("go", "version"),
		redis:      command("redis-server", "--version"),
		loadBefore: loadAverage(),
	}
}

// command returns the trimmed output of a command, or what went wrong.
func command(name string, args ...string) string {
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		return fmt.Sprintf("(%s: %v)", name, err)
	}
	return strings.TrimRight(string(out), "\n")
}

// loadAverage is /proc/loadavg's 1, 5 and 15 minute averages.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// report is the whole run.
type report struct {
	opts    options
	machine machine
	setup   []figure
	results []result
	logs    []string
}

func (r report) passed() bool {
	for _, res := range r.results {
		for _, c := range res.checks {
			if !c.ok {
				return false
			}
		}
	}
	return true
}

var summaryHeader = []string{"scenario", "requests", "req/s", "p50", "p90", "p99", "max", "errors", "RSS peak", "checks"}

func (res result) summaryRow() []string {
	passed := 0
	for _, c := range res.checks {
		if c.ok {
			passed++
		}
	}
	checks := fmt.Sprintf("%d/%d pass", passed, len(res.checks))
	if res.summary == nil {
		return []string{res.name, "", "", "", "", "", "", "", "", checks}
	}
	s := res.summary
	return []string{res.name, fmt.Sprint(s.requests), fmt.Sprintf("%.0f", s.rps), fmtDur(s.p50), fmtDur(s.p90),
		fmtDur(s.p99), fmtDur(s.max), fmt.Sprint(s.errors), fmtMiB(peakRSS(res.rss)), checks}
}

var statsHeader = []string{"", "requests", "req/s", "p50", "p90", "p99", "max", "errors", "X-Cache hit"}

func statsRow(name string, s summary) []string {
	return []string{name, fmt.Sprint(s.requests), fmt.Sprintf("%.0f", s.rps), fmtDur(s.p50), fmtDur(s.p90),
		fmtDur(s.p99), fmtDur(s.max), fmt.Sprint(s.errors), fmtHits(s)}
}

// fmtHits is the share of hits, and of stale answers when there were any.
func fmtHits(s summary) string {
	if s.staleRatio == 0 {
		return fmt.Sprintf("%.0f%%", 100*s.hitRatio)
	}
	return fmt.Sprintf("%.0f%% (+%.0f%% stale)", 100*s.hitRatio, 100*s.staleRatio)
}

// tables are the result's breakdowns as rows under statsHeader.
func (res result) tables() [][]string {
	var rows [][]string
	for _, c := range res.classes {
		rows = append(rows, statsRow(c.name, c.s))
	}
	for _, w := range res.windows {
		rows = append(rows, statsRow(fmt.Sprintf("%s (t=%s–%s)", w.name, fmtDur(w.from), fmtDur(w.to)), w.s))
	}
	return rows
}

// printResult writes one scenario's figures as text.
func printResult(w io.Writer, res result) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if res.summary != nil {
		fmt.Fprintln(tw, strings.Join(statsHeader, "\t"))
		fmt.Fprintln(tw, strings.Join(statsRow("all", *res.summary), "\t"))
	}
	for _, row := range res.tables() {
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	tw.Flush()
	for _, f := range res.figures {
		fmt.Fprintf(w, "  %s: %s\n", f.name, f.value)
	}
	for _, c := range res.checks {
		fmt.Fprintf(w, "  %s  %s: %s\n", passFail(c.ok), c.name, c.got)
	}
}

func passFail(ok bool) string {
	if ok {
		return "PASS"
	}
	return "FAIL"
}

// print writes the summary table and the failed checks.
func (r report) print(w io.Writer) {
	fmt.Fprintf(w, "\n== summary (-duration %s -conns %d, %d CPUs, load average %s → %s)\n",
		r.opts.duration, r.opts.conns, r.machine.cpus, r.machine.loadBefore, r.machine.loadAfter)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(summaryHeader, "\t"))
	for _, res := range r.results {
		fmt.Fprintln(tw, strings.Join(res.summaryRow(), "\t"))
	}
	tw.Flush()
	for _, res := range r.results {
		for _, c := range res.checks {
			if !c.ok {
				fmt.Fprintf(w, "FAIL %s: %s: %s\n", res.name, c.name, c.got)
			}
		}
	}
	for _, l := range r.logs {
		fmt.Fprintln(w, l)
	}
	fmt.Fprintln(w, passFail(r.passed()))
}

// markdown is the report as a markdown fragment.
func (r report) markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Run: `go run ./cmd/loadtest -duration %s -conns %d -scenario %s`, %s.\n\n",
		r.opts.duration, r.opts.conns, r.opts.scenario, time.Now().UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(&b, "Service: `-public-url http://ADDR -cache-bytes %d -redis-timeout %s -grace %s`, Redis of its own (no persistence).\n\n",
		r.opts.cacheBytes, r.opts.redisTimeout, r.opts.grace)
	b.WriteString("### Summary\n\n")
	mdTable(&b, summaryHeader, func() (rows [][]string) {
		for _, res := range r.results {
			rows = append(rows, res.summaryRow())
		}
		return rows
	}())
	b.WriteString("\n### Setup\n\n")
	for _, f := range r.setup {
		fmt.Fprintf(&b, "- %s: %s\n", f.name, f.value)
	}
	for _, res := range r.results {
		fmt.Fprintf(&b, "\n### %s\n\n", res.name)
		var rows [][]string
		if res.summary != nil {
			rows = append(rows, statsRow("all", *res.summary))
		}
		if rows = append(rows, res.tables()...); len(rows) > 0 {
			mdTable(&b, statsHeader, rows)
			b.WriteString("\n")
		}
		for _, f := range res.figures {
			fmt.Fprintf(&b, "- %s: %s\n", f.name, f.value)
		}
		for _, c := range res.checks {
			fmt.Fprintf(&b, "- **%s** %s: %s\n", passFail(c.ok), c.name, c.got)
		}
	}
	b.WriteString("\n### Machine\n\n")
	fmt.Fprintf(&b, "- `nproc`: %d\n- `uname -r`: %s\n- Go: %s\n- Redis: %s\n- load average (1, 5, 15 min) before / after: %s / %s\n",
		r.machine.cpus, r.machine.kernel, r.machine.goVersion, r.machine.redis, r.machine.loadBefore, r.machine.loadAfter)
	fmt.Fprintf(&b, "\n```\n$ free -g\n%s\n```\n", r.machine.memory)
	if len(r.logs) > 0 {
		b.WriteString("\n### Service logs above INFO\n\n```\n")
		b.WriteString(strings.Join(r.logs, "\n"))
		b.WriteString("\n```\n")
	}
	return b.String()
}

func mdTable(b *strings.Builder, header []string, rows [][]string) {
	esc := func(cells []string) []string {
		out := slices.Clone(cells)
		for i, c := range out {
			out[i] = strings.ReplaceAll(c, "|", `\|`)
		}
		return out
	}
	fmt.Fprintf(b, "| %s |\n|%s\n", strings.Join(esc(header), " | "), strings.Repeat("---|", len(header)))
	for _, row := range rows {
		fmt.Fprintf(b, "| %s |\n", strings.Join(esc(row), " | "))
	}
}

// fmtDur shows a duration to three significant figures or so.
func fmtDur(d time.Duration) string {
	return round(d).String()
}

// round rounds a duration for display.
func round(d time.Duration) time.Duration {
	a := d
	if a < 0 {
		a = -a
	}
	switch {
	case a < time.Millisecond:
		return d.Round(time.Microsecond)
	case a < 100*time.Millisecond:
		return d.Round(10 * time.Microsecond)
	case a < 10*time.Second:
		return d.Round(time.Millisecond)
	default:
		return d.Round(100 * time.Millisecond)
	}
}

// fmtRise shows a change of duration with its sign.
func fmtRise(d time.Duration) string {
	if d >= 0 {
		return "+" + fmtDur(d)
	}
	return fmtDur(d)
}

func fmtMiB(b int64) string {
	return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20))
}
