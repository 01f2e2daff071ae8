package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/kubesim/kubesim/metrics"
	"github.com/kubesim/kubesim/workload/decl"
	"github.com/kubesim/kubesim/workload/isotope"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kubesim/kubesim/plots"
	"github.com/kubesim/kubesim/scenarios"
	"github.com/kubesim/kubesim/scenarios/study"
	"github.com/spf13/pflag"
)

// Exit codes.
const (
	exitOK    = 0
	exitFail  = 1 // bad input or failed run
	exitUsage = 2
)

const usage = `kubesim simulates Kubernetes workloads in simulated time.

Usage:
  kubesim run [NAME|FILE.yaml] [flags]
  kubesim scenarios [show NAME]
  kubesim validate FILE...
  kubesim sweep STUDY.yaml|NAME [flags]
  kubesim merge SHARD.json... [flags]
  kubesim studies [show NAME]
  kubesim workloads [show NAME]

Commands:
  run        Run a built-in scenario or a scenario file (default: the built-in default scenario)
  scenarios  List the built-in scenarios, or print one's YAML to copy and edit
  validate   Check scenario, study and workload files, manifests and isotope graphs without running them
  sweep      Run a capacity-planning study: parameter grid, replications, confidence intervals
  merge      Combine the shard results of a study run as a Kubernetes Indexed Job
  studies    List the built-in studies, or print one's YAML to copy and edit
  workloads  List the built-in workloads and isotope examples, or print one as a file

Examples:
  # Run the default scenario and print a summary table
  kubesim run

  # The same run as JSON, with another seed, for 10 simulated minutes
  kubesim run --seed 7 --duration 10m -o json

  # Write plots and the JSON summary to ./out
  kubesim run --out out

  # See the built-in scenarios, then start your own from one of them
  kubesim scenarios
  kubesim scenarios show node-reboot > my.yaml
  kubesim run my.yaml
`

// commands are kubesim's commands.
var commands = map[string]bool{"run": true, "scenarios": true, "validate": true, "sweep": true, "merge": true, "studies": true, "workloads": true}

// flagError reports a flag parsing error: --help is not one (the help goes to
// stdout, exit 0); anything else is a usage error (exit 2).
func flagError(cmd string, err error, help func(io.Writer), stdout, stderr io.Writer) int {
	if errors.Is(err, pflag.ErrHelp) {
		help(stdout)
		return exitOK
	}
	fmt.Fprintf(stderr, "error: %s\nSee 'kubesim %s --help' for usage.\n", flagMessage(err), cmd)
	return exitUsage
}

// flagMessage says what a flag wants instead of pflag's strconv detail
// (invalid argument "-1" for "--seed" flag: strconv.ParseUint: parsing "-1":
// invalid syntax).
func flagMessage(err error) string {
	msg := err.Error()
	for _, c := range []struct{ parse, want string }{
		{": strconv.ParseUint: ", "want a whole number, 0 or more"},
		{": strconv.ParseInt: ", "want a whole number"},
		{": strconv.ParseFloat: ", "want a number"},
	} {
		if before, _, ok := strings.Cut(msg, c.parse); ok {
			return before + ": " + c.want
		}
	}
	return msg
}

// parseSet reads --set NAME=VALUE settings.
func parseSet(list []string) (map[string]string, error) {
	if len(list) == 0 {
		return nil, nil
	}
	set := map[string]string{}
	for _, kv := range list {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("--set %q: want NAME=VALUE, e.g. --set workers=20", kv)
		}
		if _, dup := set[k]; dup {
			return nil, fmt.Errorf("--set %s is given twice; set each variable once", k)
		}
		set[k] = v
	}
	return set, nil
}

// mmcNote says, after an unknown scenario named mmc, what mmc is.
func mmcNote(name string) string {
	if name != study.MMCBase {
		return ""
	}
	return "; mmc, the base of the mmc-validation study, is the M/M/c queue model run by kubesim sweep, not a scenario (kubesim studies show mmc-validation)"
}

// Main runs the CLI and returns its exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		if len(args) == 2 && args[0] == "help" && commands[args[1]] {
			// kubesim help CMD is kubesim CMD --help.
			return Main([]string{args[1], "--help"}, stdout, stderr)
		}
		if len(args) == 2 && args[0] == "help" && (args[1] == "--help" || args[1] == "-h" || args[1] == "help") {
			// kubesim help --help (and help help): the help command's usage
			// is the usage.
			fmt.Fprint(stdout, usage)
			return exitOK
		}
		if len(args) > 1 {
			fmt.Fprintf(stderr, "error: unknown command %q for \"kubesim help\"\nRun 'kubesim --help' for usage.\n", strings.Join(args[1:], " "))
			return exitUsage
		}
		if len(args) == 0 {
			fmt.Fprint(stderr, usage)
			return exitUsage
		}
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	switch args[0] {
	case "run":
		return cmdRun(args[1:], stdout, stderr)
	case "scenarios":
		return cmdScenarios(args[1:], stdout, stderr)
	case "validate":
		return cmdValidate(args[1:], stdout, stderr)
	case "sweep":
		return cmdSweep(args[1:], stdout, stderr)
	case "merge":
		return cmdMerge(args[1:], stdout, stderr)
	case "studies":
		return cmdStudies(args[1:], stdout, stderr)
	case "workloads":
		return cmdWorkloads(args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "error: unknown command %q for \"kubesim\"\nRun 'kubesim --help' for usage.\n", args[0])
	return exitUsage
}

func cmdRun(args []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("run", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	seed := fs.Uint64("seed", 0, "random seed (default: the scenario's own)")
	duration := fs.Duration("duration", 0, "simulated duration (default: the scenario's own); steps after it are dropped, with a warning")
	out := fs.String("out", "", "directory for the charts (PNG, SVG), CSV files, summary.json and report.html")
	output := fs.StringP("output", "o", "table", "output format: table or json")
	window := fs.Duration("window", 0, "width of the summary's time windows (default: 10s or wider, at most 30 windows)")
	setVars := fs.StringArray("set", nil, "set a variable of the scenario's vars: (NAME=VALUE, repeatable)")
	workloads := fs.StringArray("workload", nil, "a workload file: services (matched to containers by image or labels) and clients to add to the scenario's, or an isotope service graph (its Deployments and Services are applied at 0s; without a scenario it runs alone for 1m) (repeatable)")
	coarse := fs.Bool("coarse", false, "measure counters only: no latency (printed as -), per-Service windows, per-pod figures or true-throughput bins (faster on large clusters)")
	qps := fs.String("qps", "max", "with an isotope graph: fortio's -qps at each entrypoint: requests per second over all its connections, each connection paced at qps/connections (a slow graph lowers the rate), or max (closed loops without think time)")
	conns := fs.Int("connections", isotope.Users, "with an isotope graph: fortio's -c at each entrypoint: its connections, closed loops on kept-alive connections")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file (go tool pprof reads it)")
	memProfile := fs.String("memprofile", "", "write a heap profile taken at the end of the run, before the output, to this file (go tool pprof reads it)")
	help := func(w io.Writer) {
		fmt.Fprintf(w, "Usage:\n  kubesim run [NAME|FILE.yaml] [flags]\n\nRuns a built-in scenario (kubesim scenarios lists them; default %s) or a scenario file.\n\nExamples:\n  kubesim run\n  kubesim run node-reboot --seed 7 -o json\n  kubesim run capacity --set workers=20 --set rng_replicas=2\n  kubesim run my-scenario.yaml --out out\n  kubesim run my-app.yaml --workload my-services.yaml\n  kubesim run --workload isotope-graph.yaml --duration 10s\n  kubesim run --workload isotope-graph.yaml --qps 100 --connections 4\n\nFlags:\n%s", scenarios.DefaultName, fs.FlagUsages())
	}
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		return flagError("run", err, help, stdout, stderr)
	}
	if *output != "table" && *output != "json" {
		fmt.Fprintf(stderr, "error: unknown output format %q: use -o table or -o json\n", *output)
		return exitUsage
	}
	if fs.NArg() > 1 {
		fmt.Fprintf(stderr, "error: run takes at most one scenario, got %d: %s\n", fs.NArg(), strings.Join(fs.Args(), " "))
		return exitUsage
	}
	if fs.Changed("duration") && *duration <= 0 {
		fmt.Fprintf(stderr, "error: --duration must be positive, got %v\n", *duration)
		return exitUsage
	}
	if fs.Changed("window") && *window <= 0 {
		fmt.Fprintf(stderr, "error: --window must be positive (at least %v), got %v; leave it out for an automatic width\n", scenarios.MinWindow, *window)
		return exitUsage
	}
	set, err := parseSet(*setVars)
	if err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return exitUsage
	}
	load, err := parseLoad(*qps, *conns)
	if err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return exitUsage
	}
	ref := scenarios.DefaultName
	if fs.NArg() == 1 {
		ref = fs.Arg(0)
	}
	// Workload files are read first: an isotope service graph without a
	// scenario runs on its own (scenarios.GraphScenario).
	type wfile struct {
		path string
		data []byte
	}
	var wfiles []wfile
	graphs := 0
	for _, f := range *workloads {
		data, err := os.ReadFile(f)
		if err != nil {
			fmt.Fprintf(stderr, "error: %v\n", err)
			return exitFail
		}
		if scenarios.IsGraph(data) {
			graphs++
		}
		wfiles = append(wfiles, wfile{f, data})
	}
	if graphs == 0 && (fs.Changed("qps") || fs.Changed("connections")) {
		fmt.Fprintf(stderr, "error: --qps and --connections set the load client of an isotope service graph, and no --workload file is one; give the graph with --workload GRAPH.yaml\n")
		return exitUsage
	}
	var s *scenarios.Scenario
	if fs.NArg() == 0 && graphs > 0 {
		s, err = scenarios.GraphScenario(wfiles[0].path, load)
		if len(set) > 0 && err == nil {
			err = fmt.Errorf("--set: the isotope graph's scenario has no variables; give a scenario to set its variables")
		}
	} else {
		s, err = scenarios.LoadWith(ref, set)
	}
	if err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return exitFail
	}
	// What validate finds (a missing file, a command that does not parse)
	// fails the run before it starts.
	if problems := s.Check(); len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintf(stderr, "error: %s\n", p)
		}
		fmt.Fprintf(stderr, "%s: %s; fix %s and run again (kubesim validate %s checks without running)\n", s.Source(), count(len(problems), "problem"), itOrThem(len(problems)), s.Source())
		return exitFail
	}
	for _, f := range wfiles {
		if scenarios.IsGraph(f.data) {
			notes, err := s.AddGraph(f.path, f.data, load)
			if err != nil {
				fmt.Fprintf(stderr, "error: %v\n", err)
				return exitFail
			}
			for _, n := range notes {
				fmt.Fprintf(stderr, "note: %s: %s\n", f.path, n)
			}
			continue
		}
		spec, err := decl.ParseFile(f.path, f.data)
		if err != nil {
			fmt.Fprintf(stderr, "error: %v\n", err)
			return exitFail
		}
		if err := s.Workload.Merge(spec); err != nil {
			fmt.Fprintf(stderr, "error: %v\n", err)
			return exitFail
		}
	}
	if len(wfiles) > 0 {
		// The workload files' clients against the scenario's Services.
		if problems := s.OutsideClientProblems(); len(problems) > 0 {
			for _, p := range problems {
				fmt.Fprintf(stderr, "error: %s\n", p)
			}
			return exitFail
		}
	}
	if fs.Changed("seed") {
		s.Seed = *seed
	}
	if *duration > 0 {
		s.Duration = *duration
		keep := s.Steps[:0]
		var dropped []scenarios.Step
		for _, st := range s.Steps {
			if st.At <= s.Duration {
				keep = append(keep, st)
			} else {
				dropped = append(dropped, st)
			}
		}
		s.Steps = keep
		if len(dropped) > 0 {
			fmt.Fprintf(stderr, "warning: --duration %v ends the run before %s of the timeline, which %s not run:\n", *duration, count(len(dropped), "step"), isOrAre(len(dropped)))
			for _, st := range dropped {
				fmt.Fprintf(stderr, "  %7s  %s\n", fmtAt(st.At.Seconds()), st.Command)
			}
		}
	}
	if *window > 0 {
		s.Window = *window
	}
	if err := scenarios.CheckWindow(s.Window, s.Duration); err != nil {
		what := "the scenario's window"
		if fs.Changed("window") {
			what = "--window"
		}
		fmt.Fprintf(stderr, "error: %s: %v\n", what, err)
		return exitUsage
	}
	if *out != "" {
		// Before the run, not after it: a long run is not lost to a typo.
		if err := checkOutDir(*out); err != nil {
			fmt.Fprintf(stderr, "error: %v\n", err)
			return exitFail
		}
	}
	stopProfile, err := startProfiles(*cpuProfile, *memProfile)
	if err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return exitFail
	}
	start := time.Now()
	progress := plots.NewProgress(stderr, isTerminal(stderr))
	var res *scenarios.Result
	res, err = scenarios.RunWith(s, scenarios.Options{Progress: progress.Update, Coarse: *coarse})
	progress.Done()
	if perr := stopProfile(); perr != nil {
		fmt.Fprintf(stderr, "error: %v\n", perr)
		return exitFail
	}
	if err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return exitFail
	}
	res.Summary.WallSeconds = time.Since(start).Seconds()
	// A refused step is part of the story a run tells (shown after !); one
	// the scenario marks expect: error that went through is not.
	for _, u := range res.Unexpected {
		if strings.Contains(u, "succeeded, but the scenario says expect: error") {
			fmt.Fprintf(stderr, "warning: %s\n", u)
		}
	}

	// What the terminal shows is made first and printed last, after --out is
	// written (not at all if writing fails): once outOf has taken what it
	// draws from the run, the cluster and the Recorder are garbage, and
	// writing a large run's output does not keep them alive.
	var report bytes.Buffer
	switch *output {
	case "json":
		report.Write(summaryJSON(res))
		report.WriteByte('\n')
	default:
		printTable(&report, s, res)
	}
	// A run whose load client never started is a failed run (said last).
	failed := neverStarted(res)
	if *out != "" {
		o := outOf(s, res)
		res = nil
		// Collect now: the next collection would otherwise wait until the
		// heap had grown to twice what the run held at its end, and writing
		// allocates that much (5,000 nodes: 480 MB of charts and CSV rows
		// over 120 MB left live; peak RSS 700 MB instead of the run's 410).
		runtime.GC()
		if err := o.write(*out); err != nil {
			fmt.Fprintf(stderr, "error: %v\n", err)
			return exitFail
		}
	}
	stdout.Write(report.Bytes())
	if failed != "" {
		fmt.Fprintf(stderr, "error: %s\n", failed)
		return exitFail
	}
	return exitOK
}

// neverStarted says why a run whose load client never started is a failed
// run ("": every client started): it measured none of that client's load,
// so its figures answer nothing about it (isotope's runner, waiting for the
// graph to be Ready, would not have started fortio either).
func neverStarted(res *scenarios.Result) string {
	if res.Declared == nil {
		return ""
	}
	names := res.Declared.NeverStarted()
	if len(names) == 0 {
		return ""
	}
	msg := fmt.Sprintf("load client %s never started: the Services it waits for never all had their ready endpoints, so the run measured none of its load", strings.Join(names, ", "))
	if len(names) > 1 {
		msg = fmt.Sprintf("load clients %s never started: the Services they wait for never all had their ready endpoints, so the run measured none of their load", strings.Join(names, ", "))
	}
	if p := res.Pending; p != nil {
		r := p.Reasons[0]
		msg += fmt.Sprintf(" (%s Pending at the end, unschedulable; %d of them: %s)", count(p.Pods, "pod"), r.Pods, r.Message)
	} else {
		msg += fmt.Sprintf(" (no pod is unschedulable: the graph was still rolling out when the run ended at %s; a longer --duration may let the load start)", fmtAt(res.Summary.SimSeconds))
	}
	return msg
}

// printPending lists what holds back the pods the scheduler found no node
// for at the end of the run.
func printPending(w io.Writer, p *scenarios.PendingPods) {
	fmt.Fprintf(w, "\nPending pods at the end (unschedulable: the scheduler found no node for them): %d\n", p.Pods)
	const most = 5
	for i, r := range p.Reasons {
		if i == most {
			fmt.Fprintf(w, "  ... %d more messages (JSON pending_pods)\n", len(p.Reasons)-most)
			break
		}
		fmt.Fprintf(w, "  %s (first %s): %s\n", count(r.Pods, "pod"), r.First, r.Message)
	}
}

// summaryJSON is the JSON summary, with the timeline: per-pod detail within
// plots.PodBudget.
func summaryJSON(res *scenarios.Result) []byte {
	b, err := plots.BoundSummary(res.Summary).AppendJSON(metrics.Field{Key: "timeline", Value: res.Timeline})
	if err != nil {
		panic(err) // every value is plain data
	}
	var out bytes.Buffer
	json.Indent(&out, b, "", "  ")
	return out.Bytes()
}

// checkOutDir says, before a run, why --out cannot be a directory: a file of
// that name, or a file where a parent directory should be. It creates
// nothing (a run that fails writes no directory).
func checkOutDir(dir string) error {
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err == nil {
			if fi.IsDir() {
				return nil
			}
			if d == filepath.Clean(dir) {
				return fmt.Errorf("--out %s: a file of that name exists; name a directory (it is created if missing)", dir)
			}
			return fmt.Errorf("--out %s: %s is a file, not a directory", dir, d)
		}
		if up := filepath.Dir(d); up == d {
			return nil
		}
	}
}

// outFiles is what `--out` writes, taken from a run: the JSON summary and
// what the charts, CSV files and report draw.
type outFiles struct {
	summary []byte
	run     plots.Run
}

// outOf takes from a finished run what --out writes. The result refers to
// neither the cluster nor the Recorder.
func outOf(s *scenarios.Scenario, res *scenarios.Result) outFiles {
	run := plots.Run{Title: s.Name, Description: s.Description, Summary: res.Summary, Series: res.Rec.Series(), Workloads: res.Workloads()}
	if res.Autoscaler != nil {
		a := scenarios.AutoscalingOf(res.Autoscaler)
		for _, g := range a.NodeGroups {
			run.NodeGroups = append(run.NodeGroups, metrics.NamedSteps{Name: "nodes: " + g.Name, Points: g.NodesOverTime})
		}
		run.PendingPods = a.PendingPods
	}
	cc := res.CPUCharts()
	run.HPAReplicas, run.HPAUtilization, run.NodeCPU, run.PodCPU = cc.HPAReplicas, cc.HPAUtilization, cc.NodeCPU, cc.PodCPU
	run.HPAMetrics = cc.HPAMetrics
	for _, st := range res.Timeline {
		run.Timeline = append(run.Timeline, plots.Step{T: st.At, Command: st.Command, Output: st.Output, Error: st.Error, Later: st.Later})
	}
	for _, e := range res.Events() {
		run.Events = append(run.Events, plots.Event{First: e.First.Seconds(), Last: e.Last.Seconds(), Type: e.Type,
			Reason: e.Reason, Object: scenarios.EventObject(e), Message: e.Message, Count: e.Count})
	}
	return outFiles{summary: summaryJSON(res), run: run}
}

// write writes summary.json, the charts, the CSV files and the report into
// dir, creating it if needed.
func (o outFiles) write(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "summary.json"), append(o.summary, '\n'), 0o644); err != nil {
		return err
	}
	_, err := plots.WriteAll(dir, o.run)
	return err
}

// fmtAt formats a step's simulated time as 1m30s.
func fmtAt(sec float64) string {
	return (time.Duration(sec*1e3) * time.Millisecond).String()
}

// barWidth is the longest bar of a rate's table (the mining speed), in
// characters.
const barWidth = 50

// barScale is the hashes/s one # stands for, so that a bar of peak hashes/s
// fits in barWidth: 1 up to barWidth hashes/s, then the next 1, 2 or 5 times a
// power of ten.
func barScale(peak float64) float64 {
	if !(peak > barWidth) || math.IsInf(peak, 0) {
		return 1 // and NaN: bars are clamped anyway (barLen)
	}
	for per := 1.0; ; per *= 10 {
		for _, m := range []float64{1, 2, 5} {
			if peak/(per*m) <= barWidth {
				return per * m
			}
		}
	}
}

// barLen is the number of # for v, between 0 and barWidth.
func barLen(v float64) int {
	if !(v > 0) {
		return 0
	}
	return int(min(v, barWidth) + 0.5)
}

// printFlows prints a table of Services, routes or clients: requests (every
// one that ended), ok/s (those that ended without error, per simulated
// second: the throughput), errors (by kind, when some have errors) and the
// latency of those without error.
func printFlows(w io.Writer, title, what string, flows map[string]metrics.ServiceSummary, simSeconds float64) {
	fmt.Fprintln(w, "\n"+title)
	if len(flows) == 0 {
		fmt.Fprintln(w, "  (none: no request was sent)")
		return
	}
	names := make([]string, 0, len(flows))
	kinds := false
	for n, v := range flows {
		names = append(names, n)
		kinds = kinds || v.ErrorsByKind != nil
	}
	sort.Strings(names)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := "  " + what + "\trequests\tok/s\terrors\tp50\tp99\tmax\t"
	if kinds {
		head += "refused\treset\ttimeout\tapp error\t"
	}
	fmt.Fprintln(tw, head)
	unmeasured := false
	for _, n := range names {
		v := flows[n]
		rate := 0.0
		if simSeconds > 0 {
			rate = float64(v.Requests-v.Errors) / simSeconds
		}
		l := v.LatencyMs
		unmeasured = unmeasured || l == nil
		fmt.Fprintf(tw, "  %s\t%d\t%.2f\t%d\t%s\t%s\t%s\t", n, v.Requests, rate, v.Errors, latMs(l, p50), latMs(l, p99), latMs(l, pmax))
		if kinds {
			var k metrics.ErrorKinds
			if v.ErrorsByKind != nil {
				k = *v.ErrorsByKind
			}
			fmt.Fprintf(tw, "%d\t%d\t%d\t%d\t", k.Refused, k.Reset, k.Timeout, k.AppError)
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	if unmeasured {
		fmt.Fprintln(w, notMeasured("p50, p99, max"))
	}
}

// notMeasured is the note under a table whose latency columns cols are "-".
func notMeasured(cols string) string {
	return "  (" + cols + " \"-\": latency not measured with --coarse; run without it to measure latency)"
}

// latMs is l's figure f in ms, or "-" when the latency was not measured
// (l nil: --coarse).
func latMs(l *metrics.Latency, f func(metrics.Latency) float64) string {
	if l == nil {
		return "-"
	}
	return fmt.Sprintf("%.1f", f(*l))
}

func p50(l metrics.Latency) float64  { return l.P50 }
func p99(l metrics.Latency) float64  { return l.P99 }
func pmax(l metrics.Latency) float64 { return l.Max }

func printTable(w io.Writer, s *scenarios.Scenario, res *scenarios.Result) {
	sum := res.Summary
	fmt.Fprintf(w, "Scenario %s (seed %d): %.0f s simulated in %.2f s, %d events\n", s.Name, sum.Seed, sum.SimSeconds, sum.WallSeconds, sum.Events)
	if s.Description != "" {
		fmt.Fprintf(w, "  %s\n", s.Description)
	}
	fmt.Fprintln(w, "\nTimeline:")
	for _, st := range res.Timeline {
		fmt.Fprintf(w, "  %7s  %s\n", fmtAt(st.At), st.Command)
		// Blank lines inside an output stay (kubectl get all's line between
		// kinds); the trailing ones go.
		if out := strings.TrimRight(st.Output, "\n"); out != "" {
			for _, l := range strings.Split(out, "\n") {
				if l == "" {
					fmt.Fprintln(w)
					continue
				}
				fmt.Fprintf(w, "           %s\n", l)
			}
		}
		for _, l := range strings.Split(st.Error, "\n") {
			if l != "" {
				fmt.Fprintf(w, "         ! %s\n", l)
			}
		}
	}
	for _, f := range res.Workloads() {
		if f.Rate != nil {
			printRate(w, f.Rate)
		}
	}
	printFlows(w, "Services (ok/s: requests answered without error per simulated second; latency as clients see it, ms):", "service", sum.Services, sum.SimSeconds)
	printPhases(w, res.Rec.Phases(maxPhases), res.Summary.Detailed)
	if len(sum.Routes) > 0 {
		printFlows(w, "Routes (declared calls, every try, as their callers see them):", "route", sum.Routes, sum.SimSeconds)
	}
	if len(sum.Clients) > 0 {
		printFlows(w, "Clients (runs of their scripts, start to end; ok/s: runs without error per simulated second; errors: the first failure):", "client", sum.Clients, sum.SimSeconds)
	}
	podsOf := make(map[string][]string, len(sum.Nodes))
	for n, ns := range sum.Nodes {
		podsOf[n] = ns.Pods
	}
	printPodsPerNode(w, podsOf)
	if res.Pending != nil {
		printPending(w, res.Pending)
	}
	if res.Autoscaler != nil {
		printAutoscaling(w, res.Autoscaler)
	}
	a := sum.Requests
	fmt.Fprintf(w, "\nRequests: %d sent = %d completed + %d refused + %d failed + %d in flight\n", a.Sent, a.Completed, a.Refused, a.Failed, a.InFlight)
	if a.TimedOut > 0 || a.AppErrors > 0 {
		fmt.Fprintf(w, "  of the failed: %d timed out (client timeout), %d application errors\n", a.TimedOut, a.AppErrors)
	}
	if res.Declared != nil {
		if as := res.Declared.Assumed(); len(as) > 0 {
			fmt.Fprintln(w, "\nAssumed (no behaviour declared; see README, Workloads):")
			for _, l := range as {
				fmt.Fprintf(w, "  %s\n", l)
			}
		}
		if wt := res.Declared.Waited(); len(wt) > 0 {
			fmt.Fprintln(w, "\nLoad clients that wait for ready endpoints (as isotope's runner does):")
			for _, l := range wt {
				fmt.Fprintf(w, "  %s\n", l)
			}
		}
		if fe := res.Declared.FromEnv(); len(fe) > 0 {
			fmt.Fprintln(w, "\nLoad generators (users and spawn rate read from their containers' env):")
			for _, l := range fe {
				fmt.Fprintf(w, "  %s\n", l)
			}
		}
	}
}

func cmdScenarios(args []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("scenarios", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	file := fs.String("file", "", "with show: print this file of the scenario's files: instead of the scenario")
	help := func(w io.Writer) {
		fmt.Fprintf(w, "Usage:\n  kubesim scenarios\n  kubesim scenarios show NAME [--file FILE]\n\nLists the built-in scenarios, or prints one's YAML to copy and edit (or one of\nthe manifests under its files:).\n\nExamples:\n  kubesim scenarios show node-reboot > my.yaml\n  kubesim scenarios show deployment-vs-daemonset --file rng-ds.yml > rng.yml\n\nFlags:\n%s", fs.FlagUsages())
	}
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		return flagError("scenarios", err, help, stdout, stderr)
	}
	args = fs.Args()
	switch {
	case len(args) == 0 && *file == "":
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		for _, name := range scenarios.BuiltinNames() {
			s, err := scenarios.Builtin(name)
			if err != nil {
				fmt.Fprintf(stderr, "error: built-in scenario %s: %v\n", name, err)
				return exitFail
			}
			def := ""
			if name == scenarios.DefaultName {
				def = " (default)"
			}
			fmt.Fprintf(tw, "%s%s\t%s\n", name, def, s.Description)
		}
		tw.Flush()
		return exitOK
	case len(args) == 2 && args[0] == "show":
		b, ok := scenarios.BuiltinSource(args[1])
		if !ok {
			fmt.Fprintf(stderr, "error: unknown scenario %q (built-in: %s)%s\n", args[1], strings.Join(scenarios.BuiltinNames(), ", "), mmcNote(args[1]))
			return exitFail
		}
		if *file == "" {
			stdout.Write(b)
			return exitOK
		}
		s, err := scenarios.Builtin(args[1])
		if err != nil {
			fmt.Fprintf(stderr, "error: %v\n", err)
			return exitFail
		}
		f, ok := s.Files[*file]
		if !ok {
			names := make([]string, 0, len(s.Files))
			for n := range s.Files {
				names = append(names, n)
			}
			sort.Strings(names)
			has := "it has none"
			if len(names) > 0 {
				has = "its files: " + strings.Join(names, ", ")
			}
			fmt.Fprintf(stderr, "error: scenario %s has no file %q (%s)\n", args[1], *file, has)
			return exitFail
		}
		fmt.Fprint(stdout, f)
		return exitOK
	}
	fmt.Fprintf(stderr, "error: usage: kubesim scenarios [show NAME [--file FILE]]\nSee 'kubesim scenarios --help' for usage.\n")
	return exitUsage
}

func cmdValidate(args []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("validate", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	help := func(w io.Writer) {
		fmt.Fprintf(w, "Usage:\n  kubesim validate FILE...\n\nChecks files without running them; exit 0 if all are valid, 1 if not. Each\nproblem names the file, the line or field, and what to do. A file is checked\nas what it is:\n  scenario   its fields and ranges, variables, its workload: section and the\n             workload files it names, and its steps: each command parses, each\n             file apply -f or delete -f names exists and is YAML (a manifest\n             strict validation refuses is kubectl's refusal at run time)\n  manifest   each object with strict decoding and field validation, as\n             kubectl apply does\n  workload   a workload file (services:, clients:, echo:): every field, its\n             distributions and scripts\n  isotope    an isotope service graph (MockServiceGraph)\n  study      its parameters against the base scenario (each point applies and\n             changes something), and its metric names against what a run of\n             the base reports\n\nExample:\n  kubesim validate my.yaml rng.yml study.yaml boutique.yaml graph.yaml\n")
	}
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		return flagError("validate", err, help, stdout, stderr)
	}
	args = fs.Args()
	if len(args) == 0 {
		fmt.Fprintf(stderr, "error: validate needs the files to check\nSee 'kubesim validate --help' for usage.\n")
		return exitUsage
	}
	bad := 0
	for _, f := range args {
		problems := validateFile(f)
		if len(problems) == 0 {
			fmt.Fprintf(stdout, "%s: valid\n", f)
			continue
		}
		bad++
		for _, p := range problems {
			fmt.Fprintln(stderr, p)
		}
	}
	if bad > 0 {
		fmt.Fprintf(stderr, "%d of %s invalid\n", bad, count(len(args), "file"))
		return exitFail
	}
	return exitOK
}

// validateFile checks a scenario file, a manifest or a study file.
func validateFile(path string) []string {
	return scenarios.ValidateFile(path)
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// parseLoad reads run's --qps (a number of requests per second, at least 0,
// or max; 0 is max, as fortio's -qps 0) and --connections (at least 1) into
// an isotope graph's load client.
func parseLoad(qps string, conns int) (isotope.Load, error) {
	l := isotope.Load{Connections: conns}
	if conns < 1 || conns > 100000 {
		return l, fmt.Errorf("--connections %d: want a number of connections from 1 to 100000 (fortio's -c; isotope's example uses 64)", conns)
	}
	if qps == "max" {
		return l, nil
	}
	v, err := strconv.ParseFloat(qps, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return l, fmt.Errorf("--qps %q: want requests per second, a number at least 0 (100, 2.5), or max (0 is max, as fortio's -qps 0)", qps)
	}
	l.QPS = v
	return l, nil
}
