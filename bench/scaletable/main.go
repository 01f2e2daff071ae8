// Command scaletable measures issue 15's scale table: each row is one
// `kubesim run` in its own process, timed from outside (wall clock, user+sys
// CPU and peak resident memory from the process's rusage) with the run's own
// event count (its first line: "... simulated in X s, N events").
//
//	go run ./bench/scaletable                  # every row, about 3 minutes on 2 idle cores
//	go run ./bench/scaletable 100 1000         # some rows
//	go run ./bench/scaletable -kubesim ./kubesim-old 5000 5000out
//
// Rows: 100, 1000 and 5000 nodes (bench.BusyYAML: DockerCoins, rng a
// DaemonSet, 10 workers per node and one hasher per 200 workers scaled at
// 30 s, 5 simulated minutes), 1000out and 5000out (the same with --out), and
// million (bench.MillionYAML: 1,000,000 worker replicas on 3 nodes, 2
// simulated minutes). It prints a markdown table, the load average before and
// after each row (on a shared machine the wall times follow it), and for the
// --out rows the ratio to the same run without --out when both were measured.
// Without -kubesim it builds ./cmd/kubesim of the module it runs in.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/kubesim/kubesim/bench"
)

// row is one line of the table: a scenario file, with or without --out.
type row struct {
	name, label string
	yaml        func() string
	out         bool
	base        string // the row without --out, for the ratio
}

var rows = []row{
	{name: "100", label: "100 / 1,000", yaml: func() string { return bench.BusyYAML(100, 1000, 5, 5*time.Minute) }},
	{name: "1000", label: "1,000 / 10,000", yaml: func() string { return bench.BusyYAML(1000, 10000, 50, 5*time.Minute) }},
	{name: "5000", label: "5,000 / 50,000", yaml: func() string { return bench.BusyYAML(5000, 50000, 250, 5*time.Minute) }},
	{name: "1000out", label: "1,000 / 10,000 with `--out`", out: true, base: "1000"},
	{name: "5000out", label: "5,000 / 50,000 with `--out`", out: true, base: "5000"},
	{name: "million", label: "3 / 1,000,000 replicas (2 min)", yaml: func() string { return bench.MillionYAML(1000000) }},
}

// result is what one row measured.
type result struct {
	wall, cpu time.Duration
	rssMB     float64
	events    int64
	outBytes  int64
	load      [2]string
}

const usage = `usage: scaletable [-kubesim BIN] [-dir DIR] [ROW...]
rows: 100 1000 5000 1000out 5000out million (default: all)
`

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("scaletable", flag.ContinueOnError)
	fl.SetOutput(stderr)
	fl.Usage = func() { fmt.Fprint(stderr, usage); fl.PrintDefaults() }
	bin := fl.String("kubesim", "", "the kubesim binary to measure (default: build ./cmd/kubesim of this module)")
	dir := fl.String("dir", "", "where the scenario files and --out directories go (default: a temporary directory, removed at the end)")
	if err := fl.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	var todo []row
	for _, name := range fl.Args() {
		r, ok := rowNamed(name)
		if !ok {
			fmt.Fprintf(stderr, "scaletable: no row %q\n%s", name, usage)
			return 2
		}
		todo = append(todo, r)
	}
	if len(todo) == 0 {
		todo = rows
	}
	if *dir != "" {
		if err := os.MkdirAll(*dir, 0o755); err != nil {
			fmt.Fprintf(stderr, "scaletable: -dir: %v\n", err)
			return 1
		}
	} else {
		d, err := os.MkdirTemp("", "scaletable")
		if err != nil {
			fmt.Fprintf(stderr, "scaletable: %v\n", err)
			return 1
		}
		defer os.RemoveAll(d)
		*dir = d
	}
	if *bin == "" {
		*bin = filepath.Join(*dir, "kubesim")
		build := exec.Command("go", "build", "-o", *bin, "github.com/kubesim/kubesim/cmd/kubesim")
		build.Stdout, build.Stderr = stderr, stderr
		if err := build.Run(); err != nil {
			fmt.Fprintf(stderr, "scaletable: building kubesim: %v\n", err)
			return 1
		}
	}
	fmt.Fprintf(stdout, "%s, %d cores, %s\n\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"), runtime.NumCPU(), *bin)
	fmt.Fprintln(stdout, "| nodes / workers | wall | user+sys CPU | peak RSS | events | events/s: wall, CPU | `--out` | load before, after |")
	fmt.Fprintln(stdout, "|---|---|---|---|---|---|---|---|")
	done := map[string]result{}
	code := 0
	for _, r := range todo {
		res, err := measure(*bin, *dir, r)
		if err != nil {
			fmt.Fprintf(stdout, "| %s | failed: %s | | | | | | |\n", r.label, oneLine(err.Error()))
			code = 1
			continue
		}
		done[r.name] = res
		base, ok := done[r.base]
		fmt.Fprintln(stdout, format(r, res, base, ok))
	}
	return code
}

func rowNamed(name string) (row, bool) {
	for _, r := range rows {
		if r.name == name {
			return r, true
		}
	}
	return row{}, false
}

// measure runs one row's kubesim in its own process.
func measure(bin, dir string, r row) (result, error) {
	src := r
	if r.base != "" {
		src, _ = rowNamed(r.base)
	}
	file := filepath.Join(dir, src.name+".yaml")
	if err := os.WriteFile(file, []byte(src.yaml()), 0o644); err != nil {
		return result{}, err
	}
	args := []string{"run", file}
	out := filepath.Join(dir, "out-"+src.name)
	if r.out {
		if err := os.RemoveAll(out); err != nil {
			return result{}, err
		}
		args = append(args, "--out", out)
	}
	var res result
	res.load[0] = loadAvg()
	cmd := exec.Command(bin, args...)
	first := &firstLine{}
	var errs bytes.Buffer
	cmd.Stdout, cmd.Stderr = first, &errs
	start := time.Now()
	err := cmd.Run()
	res.wall = time.Since(start)
	res.load[1] = loadAvg()
	if err != nil {
		return res, fmt.Errorf("kubesim %s: %v: %s", strings.Join(args, " "), err, errs.String())
	}
	res.cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	res.rssMB = maxRSSMB(cmd.ProcessState)
	if res.events, err = eventsOf(first.String()); err != nil {
		return res, err
	}
	if r.out {
		filepath.WalkDir(out, func(_ string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				if fi, err := d.Info(); err == nil {
					res.outBytes += fi.Size()
				}
			}
			return nil
		})
	}
	return res, nil
}

var eventsRE = regexp.MustCompile(` simulated in [0-9.]+ s, ([0-9]+) events$`)

// eventsOf reads the event count from a run's first line.
func eventsOf(line string) (int64, error) {
	m := eventsRE.FindStringSubmatch(strings.TrimSpace(line))
	if m == nil {
		return 0, fmt.Errorf("no event count in kubesim's first line %q (want \"... simulated in X s, N events\")", line)
	}
	return strconv.ParseInt(m[1], 10, 64)
}

// format is a row of the markdown table.
func format(r row, res, base result, haveBase bool) string {
	out := "-"
	if r.out {
		out = fmt.Sprintf("%.1f MB written", float64(res.outBytes)/1e6)
		if haveBase {
			out += fmt.Sprintf("; %.2fx the wall, %.2fx the CPU, %.2fx the RSS of the run without", ratio(res.wall, base.wall), ratio(res.cpu, base.cpu), res.rssMB/base.rssMB)
		}
	}
	return fmt.Sprintf("| %s | %.2f s | %.2f s | %s MB | %s | %s, %s | %s | %s, %s |", r.label, res.wall.Seconds(), res.cpu.Seconds(),
		thousands(int64(res.rssMB+0.5)), thousands(res.events), rate(res.events, res.wall), rate(res.events, res.cpu), out, res.load[0], res.load[1])
}

// rate is events per second: 4.21 M, or 2.8 k below 100,000.
func rate(events int64, d time.Duration) string {
	r := float64(events) / d.Seconds()
	if r < 1e5 {
		return fmt.Sprintf("%.1f k", r/1e3)
	}
	return fmt.Sprintf("%.2f M", r/1e6)
}

func ratio(a, b time.Duration) float64 { return a.Seconds() / b.Seconds() }

// thousands writes n with commas: 42,962,402.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 && s[i-1] != '-' {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// loadAvg is the 1-minute load average (Linux's /proc/loadavg), or "?".
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return "?"
	}
	return f[0]
}

// firstLine keeps the first line written to it and discards the rest.
type firstLine struct {
	buf  []byte
	done bool
}

func (w *firstLine) Write(p []byte) (int, error) {
	if !w.done {
		if i := bytes.IndexByte(p, '\n'); i >= 0 {
			w.buf, w.done = append(w.buf, p[:i]...), true
		} else {
			w.buf = append(w.buf, p...)
		}
	}
	return len(p), nil
}

func (w *firstLine) String() string { return string(w.buf) }

func oneLine(s string) string {
	sc := bufio.NewScanner(strings.NewReader(s))
	var parts []string
	for sc.Scan() {
		if t := strings.TrimSpace(sc.Text()); t != "" {
			parts = append(parts, t)
		}
	}
	return strings.ReplaceAll(strings.Join(parts, " / "), "|", "\\|")
}
