package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kubesim/kubesim/plots"
	"github.com/kubesim/kubesim/scenarios"
	"github.com/kubesim/kubesim/scenarios/study"
	"github.com/spf13/pflag"
)

const sweepUsage = `Usage:
  kubesim sweep STUDY.yaml|NAME [flags]

Runs a capacity-planning study: a base scenario at every point of a parameter
grid, with replications, and prints each metric's mean with its 95%% confidence
interval. Built-in studies: %s.

Examples:
  # The engine against queueing theory (M/M/c vs Erlang C)
  kubesim sweep mmc-validation

  # A study of yours, on 2 cores, writing table.csv, table.json, results.json,
  # study.html and its charts (PNG and SVG) into out
  kubesim sweep rng-capacity.yaml -j 2 --out out

  # Run every point even if some fail (reported as failed, never averaged),
  # with the base scenario's variable workers set to 20 at every point
  kubesim sweep rng-capacity.yaml --keep-going --set workers=20 --out out

  # One shard of four (as a Kubernetes Indexed Job pod runs it), then merge
  kubesim sweep rng-capacity.yaml --shard 0/4 --out shards
  kubesim merge shards/*.json --out merged

  # The Job that runs the four shards on a cluster
  kubesim sweep rng-capacity.yaml --emit-job --image registry.example/kubesim:1 --shards 4 > job.yaml

Flags:
`

// builtinStudies lists every built-in study: the engine's validation studies
// and the studies over built-in scenarios.
func builtinStudies() []string {
	return append(study.Builtins(), scenarios.BuiltinStudies()...)
}

func builtinStudyYAML(name string) ([]byte, bool) {
	if b, ok := study.BuiltinYAML(name); ok {
		return b, true
	}
	return scenarios.BuiltinStudyYAML(name)
}

func loadStudy(ref string) (*study.Study, error) {
	if _, err := os.Stat(ref); err != nil {
		if b, ok := builtinStudyYAML(ref); ok {
			return study.Parse(ref+".yaml", b)
		}
		if !strings.ContainsAny(ref, "/.") {
			return nil, fmt.Errorf("unknown study %q: not a file and not a built-in study (%s)", ref, strings.Join(builtinStudies(), ", "))
		}
	}
	return study.Load(ref)
}

func cmdStudies(args []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("studies", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	help := func(w io.Writer) {
		fmt.Fprintf(w, "Usage:\n  kubesim studies\n  kubesim studies show NAME\n\nLists the built-in studies, or prints one's YAML to copy and edit.\n\nExample:\n  kubesim studies show rng-replicas > study.yaml\n")
	}
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		return flagError("studies", err, help, stdout, stderr)
	}
	args = fs.Args()
	switch {
	case len(args) == 0:
		width := 16
		for _, name := range builtinStudies() {
			width = max(width, len(name))
		}
		for _, name := range builtinStudies() {
			st, err := loadStudy(name)
			if err != nil {
				fmt.Fprintf(stderr, "error: built-in study %s: %v\n", name, err)
				return exitFail
			}
			fmt.Fprintf(stdout, "%-*s base %s, %s, metrics %s\n", width, name, baseLabel(st.Base), count(len(st.Points()), "point"), strings.Join(st.Metrics, ", "))
		}
		return exitOK
	case len(args) == 2 && args[0] == "show":
		b, ok := builtinStudyYAML(args[1])
		if !ok {
			fmt.Fprintf(stderr, "error: unknown study %q (built-in: %s)\n", args[1], strings.Join(builtinStudies(), ", "))
			return exitFail
		}
		stdout.Write(b)
		return exitOK
	}
	fmt.Fprintf(stderr, "error: usage: kubesim studies [show NAME]\nSee 'kubesim studies --help' for usage.\n")
	return exitUsage
}

func cmdSweep(args []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("sweep", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	parallel := fs.IntP("parallel", "j", 0, "replications run at once, at least 1 (default: every core); results do not depend on it")
	shard := fs.String("shard", "", "run only shard I/N of the points, writing only --out's shard-I-of-N.json (see kubesim merge)")
	out := fs.String("out", "", "directory for "+studyFiles)
	output := fs.StringP("output", "o", "table", "what to print: table, csv or json")
	emitJob := fs.Bool("emit-job", false, "print a Kubernetes Indexed Job (and its ConfigMap) that runs the study's shards, instead of running it")
	image := fs.String("image", "", "with --emit-job: the container image holding kubesim")
	shards := fs.Int("shards", 0, "with --emit-job: the number of shards (the Job's completions)")
	claim := fs.String("claim", "", "with --emit-job: a PersistentVolumeClaim for the results (default: an emptyDir)")
	keepGoing := fs.Bool("keep-going", false, "run every point even if some fail: a failed point is reported as failed in the table and files, never averaged (exit 1 all the same)")
	setVars := fs.StringArray("set", nil, "set a variable of the base scenario's vars: at every point (NAME=VALUE, repeatable): a parameter vars.NAME with one value")
	coarse := fs.Bool("coarse", false, "measure counters only (faster on large clusters); a metric of latency, error rate or requests/s (Service, route, client) is then refused")
	help := func(w io.Writer) {
		fmt.Fprintf(w, sweepUsage, strings.Join(builtinStudies(), ", "))
		fmt.Fprint(w, fs.FlagUsages())
	}
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		return flagError("sweep", err, help, stdout, stderr)
	}
	if fs.NArg() != 1 {
		fmt.Fprintf(stderr, "error: sweep takes one study file or built-in study name\nSee 'kubesim sweep --help' for usage.\n")
		return exitUsage
	}
	if fs.Changed("parallel") && *parallel < 1 {
		fmt.Fprintf(stderr, "error: -j/--parallel %d: run at least 1 replication at once (omit -j to use every core)\n", *parallel)
		return exitUsage
	}
	if *output != "table" && *output != "csv" && *output != "json" {
		fmt.Fprintf(stderr, "error: unknown output format %q: use -o table, csv or json\n", *output)
		return exitUsage
	}
	set, err := parseSet(*setVars)
	if err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return exitUsage
	}
	st, err := loadStudy(fs.Arg(0))
	if err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return exitFail
	}
	if err := scenarios.CheckSetVars(st, set); err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return exitFail
	}
	if err := setStudyVars(st, set); err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return exitFail
	}
	if *emitJob {
		if *image == "" || *shards < 1 {
			fmt.Fprintf(stderr, "error: --emit-job needs --image IMAGE and --shards N (N >= 1)\n")
			return exitUsage
		}
		o := study.JobOptions{Image: *image, Shards: *shards, ClaimName: *claim}
		if *keepGoing {
			o.Flags = append(o.Flags, "--keep-going")
		}
		if *coarse {
			o.Flags = append(o.Flags, "--coarse")
		}
		if _, ok := study.RunnerForBase(st.Base); !ok {
			if _, ok := scenarios.BuiltinSource(st.Base); !ok {
				b, _, err := scenarios.BaseSource(st.Base, st.File())
				if err != nil {
					fmt.Fprintf(stderr, "error: %v\n", err)
					return exitFail
				}
				o.Files = map[string][]byte{st.Base: b}
			}
		}
		job, cm, err := study.EmitJob(st, o)
		if err != nil {
			fmt.Fprintf(stderr, "error: %v\n", err)
			return exitFail
		}
		if err := study.WriteManifests(stdout, job, cm); err != nil {
			fmt.Fprintf(stderr, "error: %v\n", err)
			return exitFail
		}
		return exitOK
	}
	if *out != "" {
		if err := checkOutDir(*out); err != nil {
			fmt.Fprintf(stderr, "error: %v\n", err)
			return exitFail
		}
	}
	opt := study.Options{Parallelism: *parallel, KeepGoing: *keepGoing}
	if *shard != "" {
		if opt.Shard, err = study.ParseShard(*shard); err != nil {
			fmt.Fprintf(stderr, "error: --shard: %v\n", err)
			return exitUsage
		}
	}
	run, err := scenarios.StudyRunnerWith(st, scenarios.StudyOptions{KeepGoing: *keepGoing, Coarse: *coarse})
	if me := (*scenarios.MetricsError)(nil); errors.As(err, &me) {
		for _, p := range me.Problems {
			fmt.Fprintf(stderr, "error: %s\n", p)
		}
		return exitFail
	}
	if err != nil {
		fmt.Fprintf(stderr, "error: %v\n%s", err, keepGoingHint)
		return exitFail
	}
	if f, ok := stderr.(*os.File); ok && study.IsTerminal(f) {
		opt.Progress = study.ProgressBar(stderr, 200*time.Millisecond)
	}
	start := time.Now()
	res, err := study.Run(context.Background(), st, run, opt)
	if opt.Progress != nil {
		fmt.Fprint(stderr, "\r\033[K")
	}
	if err != nil {
		fmt.Fprintf(stderr, "error: %v\n%s", err, keepGoingHint)
		return exitFail
	}
	return writeStudy(res, *out, *output, *shard != "", time.Since(start), stdout, stderr)
}

// baseLabel is a study's base as kubesim studies lists it: a scenario's
// name, or for mmc what it is (not a scenario: kubesim scenarios does not
// know it).
func baseLabel(base string) string {
	if base == study.MMCBase {
		return base + " (the M/M/c queue model, not a scenario)"
	}
	return base
}

const keepGoingHint = "(kubesim sweep --keep-going runs the other points and reports the failed ones in the table)\n"

// setStudyVars applies sweep --set: each NAME=VALUE becomes the parameter
// vars.NAME with that one value, in the grid or in every point, so that the
// table, the results' digest and the shards all carry it.
func setStudyVars(st *study.Study, set map[string]string) error {
	if len(set) == 0 {
		return nil
	}
	for _, k := range sortedKeys(set) {
		path := "vars." + k
		for _, p := range st.ParameterPaths() {
			if p == path {
				return fmt.Errorf("--set %s: the study already varies %s; change its values in the study instead", k, path)
			}
		}
		v := study.String(set[k])
		if len(st.Parameters.Points) > 0 {
			for _, pt := range st.Parameters.Points {
				pt[path] = v
			}
			continue
		}
		if st.Parameters.Grid == nil {
			st.Parameters.Grid = map[string][]study.Value{}
		}
		st.Parameters.Grid[path] = []study.Value{v}
	}
	return st.Validate()
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// reportFailed lists the failed points on stderr: exit 1 if there are any.
func reportFailed(res *study.Results, stderr io.Writer) int {
	failed := res.Failed()
	if len(failed) == 0 {
		return exitOK
	}
	fmt.Fprintf(stderr, "error: %d of %s failed; they are reported as failed, not averaged:\n", len(failed), count(len(res.Results), "point"))
	for _, pr := range failed {
		fmt.Fprintf(stderr, "  %s\n", pr.Error)
	}
	return exitFail
}

func writeStudy(res *study.Results, dir, output string, sharded bool, wall time.Duration, stdout, stderr io.Writer) (code int) {
	if sharded {
		// A shard's table would be partial: it writes its raw results only.
		if dir == "" {
			fmt.Fprintf(stderr, "error: --shard needs --out DIR for the shard's results file\n")
			return exitUsage
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			fmt.Fprintf(stderr, "error: %v\n", err)
			return exitFail
		}
		p, err := res.WriteFile(dir)
		if err != nil {
			fmt.Fprintf(stderr, "error: %v\n", err)
			return exitFail
		}
		fmt.Fprintf(stdout, "shard %s: %s written to %s; combine all shards with kubesim merge\n", res.Shard, count(len(res.Results), "point"), p)
		return reportFailed(res, stderr)
	}
	t, err := res.Table()
	if err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return exitFail
	}
	defer func() {
		if code == exitOK {
			code = reportFailed(res, stderr)
		}
	}()
	if dir != "" {
		if err := writeStudyFiles(dir, res, t); err != nil {
			fmt.Fprintf(stderr, "error: %v\n", err)
			return exitFail
		}
	}
	switch output {
	case "csv":
		err = t.WriteCSV(stdout)
	case "json":
		err = t.WriteJSON(stdout)
	default:
		printStudy(stdout, res, t, wall)
	}
	if err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return exitFail
	}
	return exitOK
}

// studyFiles is what writeStudyFiles writes, as --help says it.
const studyFiles = "table.csv, table.json, results.json, study.html and the charts it shows (PNG and SVG: curve_METRIC, points_METRIC, heatmap_METRIC)"

func writeStudyFiles(dir string, res *study.Results, t *study.Table) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var csv, js, raw bytes.Buffer
	if err := t.WriteCSV(&csv); err != nil {
		return err
	}
	if err := t.WriteJSON(&js); err != nil {
		return err
	}
	if err := res.WriteJSON(&raw); err != nil {
		return err
	}
	for name, b := range map[string][]byte{"table.csv": csv.Bytes(), "table.json": js.Bytes(), "results.json": raw.Bytes()} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return err
		}
	}
	_, err := plots.WriteStudyOf(dir, res.Study, t)
	return err
}

func printStudy(w io.Writer, res *study.Results, t *study.Table, wall time.Duration) {
	runs, failedRuns := 0, 0
	for _, p := range res.Results {
		runs += len(p.Replications)
		for _, r := range p.Replications {
			if r.Error != "" {
				failedRuns++
			}
		}
	}
	runsOf := count(runs, "run") + " of " + res.Study.Base
	if failedRuns > 0 {
		runsOf += fmt.Sprintf(" (%d failed)", failedRuns)
	}
	failed := ""
	if n := len(res.Failed()); n > 0 {
		failed = fmt.Sprintf(", %d FAILED", n)
	}
	took := fmt.Sprintf(" in %.1f s", wall.Seconds())
	if wall == 0 { // merge: the shards' runs took their own time
		took = " (merged from shards)"
	}
	fmt.Fprintf(w, "Study %s: %s%s, %s%s\n\n", res.Study.Name, count(len(res.Results), "point"), failed, runsOf, took)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	identical := 0
	head := append(append([]string{}, t.Parameters...), "metric", "n", "mean", "95% CI", "±%")
	fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
	for _, r := range t.Rows {
		var cells []string
		for _, p := range t.Parameters {
			v, ok := r.Params.Get(p)
			if ok {
				cells = append(cells, v.String())
			} else {
				cells = append(cells, "")
			}
		}
		if r.Error != "" {
			cells = append(cells, r.Metric, "0", "FAILED", "", "")
		} else if r.Identical() {
			identical++
			cells = append(cells, r.Metric, fmt.Sprint(r.N), fmt.Sprintf("%.4g", r.Mean), "identical", "-")
		} else {
			cells = append(cells, r.Metric, fmt.Sprint(r.N), fmt.Sprintf("%.4g", r.Mean), fmt.Sprintf("[%.4g, %.4g]", r.Low, r.High), fmt.Sprintf("%.1f", 100*r.RelHalfWidth()))
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
	}
	tw.Flush()
	if identical > 0 {
		fmt.Fprintf(w, "\n%s marked identical: every replication gave the same value, so no confidence interval is given (a spread of 0 is not a certainty: nothing random reached the metric, or its values fell in one histogram bucket).\n", count(identical, "row"))
	}
	for _, a := range t.Answers {
		q := a.Question
		fmt.Fprintf(w, "\n%s %s with %s %s %g", q.Find, q.Parameter, q.Metric, q.Op, *q.Bound)
		if len(a.Given) > 0 {
			fmt.Fprintf(w, " (given %s)", a.Given)
		}
		pick := func(p *study.Pick, how string) string {
			if p == nil && a.Failed != nil {
				return fmt.Sprintf("undetermined %s: point %d (%s) failed", how, a.Failed.Point, a.Failed.Params)
			}
			if p == nil {
				return "none " + how
			}
			return fmt.Sprintf("%s %s (mean %.4g, 95%% CI [%.4g, %.4g], n %d)", p.Value, how, p.Row.Mean, p.Row.Low, p.Row.High, p.Row.N)
		}
		fmt.Fprintf(w, ":\n  %s\n  %s\n", pick(a.WithConfidence, "with 95% confidence"), pick(a.OnMean, "on the mean"))
	}
}

func cmdMerge(args []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("merge", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "directory for "+studyFiles)
	output := fs.StringP("output", "o", "table", "what to print: table, csv or json")
	help := func(w io.Writer) {
		fmt.Fprintf(w, "Usage:\n  kubesim merge SHARD.json... [flags]\n\nCombines the results files of every shard of a study (kubesim sweep --shard I/N)\ninto the study's table, identical to an unsharded run.\n\nExample:\n  kubesim merge shards/shard-*-of-4.json --out merged\n\nFlags:\n%s", fs.FlagUsages())
	}
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		return flagError("merge", err, help, stdout, stderr)
	}
	if fs.NArg() == 0 {
		fmt.Fprintf(stderr, "error: merge needs the shard results files\nSee 'kubesim merge --help' for usage.\n")
		return exitUsage
	}
	var parts []*study.Results
	for _, f := range fs.Args() {
		r, err := study.ReadResultsFile(f)
		if err != nil {
			fmt.Fprintf(stderr, "error: %v\n", err)
			return exitFail
		}
		parts = append(parts, r)
	}
	res, err := study.Merge(parts...)
	if err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return exitFail
	}
	return writeStudy(res, *out, *output, false, 0, stdout, stderr)
}
