package scenarios

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/kubesim/kubesim/metrics"
	"github.com/kubesim/kubesim/scenarios/study"
	"go.yaml.in/yaml/v3"
)

// StudyWindow is the period of the time series a scenario run reports to a
// study: warm-up removal (fixed or MSER-5) works on windows of this width.
const StudyWindow = 10 * time.Second

// BaseSource returns the YAML of a study's base scenario (a built-in name, or a
// path relative to the study file's directory) and the name used in errors.
func BaseSource(base, studyFile string) ([]byte, string, error) {
	if b, ok := BuiltinSource(base); ok {
		return b, base + ".yaml", nil
	}
	path := base
	if !filepath.IsAbs(path) && studyFile != "" {
		path = filepath.Join(filepath.Dir(studyFile), base)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, path, fmt.Errorf("study base %q: not a built-in scenario (%s) and not a readable file: %v", base, strings.Join(BuiltinNames(), ", "), err)
	}
	return b, path, nil
}

// StudyOptions change how a study's points run.
type StudyOptions struct {
	// KeepGoing: a point that cannot run (its parameters do not apply, or
	// change nothing) fails when it runs, as study.Options.KeepGoing records,
	// instead of failing the study before it starts.
	KeepGoing bool
	// Coarse runs every replication with detailed measurement off (see
	// Options.Coarse): metrics that need it are then missing.
	Coarse bool
}

// StudyRunner returns the Runner that runs st's base scenario with a point's
// parameters applied. The base "mmc" is the M/M/c validation model.
func StudyRunner(st *study.Study) (study.Runner, error) {
	return StudyRunnerWith(st, StudyOptions{})
}

// StudyRunnerWith is StudyRunner with options. Every point is checked before
// anything runs: its parameters must apply to the base scenario, give a valid
// scenario (what kubesim validate checks included) and each change something
// the scenario reads. The first point that fails the check fails the study,
// naming the point, unless o.KeepGoing: that point's replications then fail.
// Its metrics must be ones a run reports (a *MetricsError otherwise, whatever
// o.KeepGoing).
// A replication fails when a step fails without expect: error (or succeeds
// with it), naming the step.
func StudyRunnerWith(st *study.Study, o StudyOptions) (study.Runner, error) {
	if r, ok := study.RunnerForBase(st.Base); ok {
		if o.Coarse {
			return nil, fmt.Errorf("study %s: the base %s is not a scenario; --coarse applies to scenario runs only", st.Name, st.Base)
		}
		return r, nil
	}
	src, name, err := BaseSource(st.Base, st.File())
	if err != nil {
		return nil, err
	}
	bad := map[string]error{}
	var points []*Scenario
	for i, p := range st.Points() {
		if err := checkPoint(src, name, p); err != nil {
			if !o.KeepGoing {
				return nil, fmt.Errorf("study %s: point %d (%s): %v", st.Name, i, p, err)
			}
			bad[p.Key()] = err
		} else if s, err := pointScenario(src, name, p, 1); err == nil {
			points = append(points, s)
			if err := warmupProblem(st, i, p, s); err != nil {
				if !o.KeepGoing {
					return nil, err
				}
				bad[p.Key()] = err
			}
		}
	}
	// A metric no run reports is the study's mistake, not a point's: it
	// fails the study before anything runs, --keep-going or not.
	if len(points) > 0 {
		if probs := metricProblems(st, points, o.Coarse); len(probs) > 0 {
			return nil, &MetricsError{Problems: probs}
		}
	}
	return func(ctx context.Context, p study.Point, seed uint64) (study.Result, error) {
		if err := bad[p.Key()]; err != nil {
			return study.Result{}, err
		}
		s, err := pointScenario(src, name, p, seed)
		if err != nil {
			return study.Result{}, err
		}
		res, err := RunWith(s, Options{Coarse: o.Coarse, Progress: func(_, _ time.Duration, _ uint64) {
			if ctx.Err() != nil {
				panic(ctx.Err())
			}
		}})
		if err != nil {
			return study.Result{}, err
		}
		if len(res.Unexpected) > 0 {
			return study.Result{}, errors.New(res.Unexpected[0])
		}
		return StudyMetrics(res), nil
	}, nil
}

// checkPoint checks that the point's parameters apply to the base scenario,
// give a scenario that validates, and each change something the scenario
// reads.
func checkPoint(src []byte, name string, p study.Point) error {
	s, err := pointScenario(src, name, p, 1)
	if err != nil {
		return err
	}
	if problems := s.Check(); len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	for i, prm := range p {
		probe := append(study.Point{}, p...)
		probe[i].Value = otherValue(prm.Value)
		s2, err := pointScenario(src, name, probe, 1)
		if err != nil {
			continue // another value does not parse: the scenario reads it
		}
		if reflect.DeepEqual(s, s2) {
			return fmt.Errorf("parameter %s changes nothing the base scenario reads (%s gives the same scenario as %s): %s", prm.Path, prm.Value, probe[i].Value, unusedHint(prm.Path))
		}
	}
	return nil
}

// otherValue is a value unlike v, to see whether a parameter matters.
func otherValue(v study.Value) study.Value {
	switch v.Kind() {
	case study.NumberValue:
		f, _ := v.Float()
		return study.Number(f + 1)
	case study.BoolValue:
		b, _ := v.Boolean()
		return study.Bool(!b)
	}
	str, _ := v.Str()
	return study.String(str + "-other")
}

// unusedHint says what to do about a parameter that changes nothing.
func unusedHint(path string) string {
	if name, ok := strings.CutPrefix(path, "vars."); ok {
		return fmt.Sprintf("the scenario defines %s but never uses ${%s}; use it, or vary another parameter", name, name)
	}
	switch path {
	case "seed":
		return "every replication gets its own seed from the study's seed; remove the parameter"
	case "window":
		return "a study measures in windows of " + StudyWindow.String() + "; remove the parameter"
	}
	return "check the path"
}

// pointScenario is the base scenario with the point's parameters applied:
// vars.NAME sets a variable as kubesim run --set does, other paths edit the
// YAML (ApplyParams). Only those edits re-encode the file, so that errors
// otherwise keep the base file's line numbers.
func pointScenario(src []byte, name string, p study.Point, seed uint64) (*Scenario, error) {
	var edits study.Point
	var set map[string]string
	for _, prm := range p {
		if v, ok := strings.CutPrefix(prm.Path, "vars."); ok && varName.MatchString(v) {
			if set == nil {
				set = map[string]string{}
			}
			set[v] = prm.Value.String()
			continue
		}
		edits = append(edits, prm)
	}
	b, err := ApplyParams(src, name, edits)
	if err != nil {
		return nil, err
	}
	s, err := parseFile(name, b, set, true)
	if err != nil {
		return nil, err
	}
	s.Seed = seed
	s.Window = StudyWindow
	if dir := filepath.Dir(name); dir != "." {
		s.Dir = dir
	}
	return s, nil
}

var pathPart = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_-]*)((?:\[\d+\])*)$`)

// ApplyParams sets each parameter of p in the scenario YAML src and returns the
// new YAML. A path names fields with dots and list items with [i]
// (cluster.workers, config.workload.rngService, timeline[3].run,
// cluster.nodes[1].capacity.cpu, vars.workers). Missing mapping fields are
// created; list indices must exist.
func ApplyParams(src []byte, name string, p study.Point) ([]byte, error) {
	if len(p) == 0 {
		return src, nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil || len(doc.Content) == 0 {
		return nil, fmt.Errorf("%s: not a scenario file: %v", name, err)
	}
	for _, prm := range p {
		if err := setPath(doc.Content[0], prm.Path, prm.Value); err != nil {
			return nil, fmt.Errorf("parameter %s: %v", prm.Path, err)
		}
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func setPath(n *yaml.Node, path string, v study.Value) error {
	parts := strings.Split(path, ".")
	for i, part := range parts {
		m := pathPart.FindStringSubmatch(part)
		if m == nil {
			return fmt.Errorf("%q is not a field name or name[index]", part)
		}
		if n.Kind != yaml.MappingNode {
			return fmt.Errorf("%s is not a mapping", strings.Join(parts[:i], "."))
		}
		var next *yaml.Node
		for j := 0; j+1 < len(n.Content); j += 2 {
			if n.Content[j].Value == m[1] {
				next = n.Content[j+1]
			}
		}
		if next == nil {
			if m[2] != "" {
				return fmt.Errorf("the scenario has no list %s", strings.Join(append(parts[:i:i], m[1]), "."))
			}
			next = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: m[1]}, next)
		}
		for _, idx := range regexp.MustCompile(`\d+`).FindAllString(m[2], -1) {
			k, _ := strconv.Atoi(idx)
			if next.Kind != yaml.SequenceNode || k >= len(next.Content) {
				return fmt.Errorf("%s[%d]: no such list item", m[1], k)
			}
			next = next.Content[k]
		}
		n = next
	}
	if n.Kind == yaml.MappingNode && len(n.Content) > 0 || n.Kind == yaml.SequenceNode {
		return fmt.Errorf("the field is a %s, not a single value", map[yaml.Kind]string{yaml.MappingNode: "mapping", yaml.SequenceNode: "list"}[n.Kind])
	}
	*n = yaml.Node{Kind: yaml.ScalarNode}
	switch v.Kind() {
	case study.StringValue:
		s, _ := v.Str()
		n.Value, n.Tag, n.Style = s, "!!str", yaml.DoubleQuotedStyle
	default:
		n.Value = v.String()
	}
	return nil
}

// errorKindScalars adds NAME.refused|reset|timeout|app_errors, the errors
// of a Service, route or client by kind.
func errorKindScalars(r study.Result, name string, v metrics.ServiceSummary) {
	var k metrics.ErrorKinds
	if v.ErrorsByKind != nil {
		k = *v.ErrorsByKind
	}
	r.Scalars[name+".refused"] = float64(k.Refused)
	r.Scalars[name+".reset"] = float64(k.Reset)
	r.Scalars[name+".timeout"] = float64(k.Timeout)
	r.Scalars[name+".app_errors"] = float64(k.AppError)
}

// StudyMetrics are the metrics a scenario run reports to a study.
//
// Series, one value per StudyWindow (warm-up removal applies to them):
//   - a workload's rate (metrics.Figures.Rate; DockerCoins: hashes_per_s, the
//     hashes counted in redis in the window, per second; the summary's
//     windows: the run's window is StudyWindow);
//   - SERVICE.latency_ms.p50|p90|p99|p999|max: the window's latency percentile
//     (a study's value is the mean over the windows kept);
//   - SERVICE.requests_per_s, SERVICE.error_rate (errors / requests);
//   - hpa.NAME.replicas: the time-weighted mean of the HPA target's
//     spec.replicas in the window (so the study's value is the mean replicas
//     after warm-up: the cost in pods).
//
// Scalars over the whole run: the workloads' own (DockerCoins: hashes and
// hashes_computed; a workload that did not run has its metrics missing, with
// its reason), requests.sent, requests.failed, requests.refused, SERVICE.requests,
// SERVICE.errors and SERVICE.refused|reset|timeout|app_errors (errors by
// kind), hpa.NAME.pod_hours (the target's replicas integrated over the run
// from the HPA's first sync).
//
// Declared routes and clients have the same series and scalars under
// routes.SERVICE/route. and clients.NAME. (routes.db/query.latency_ms.p99,
// clients.shoppers.error_rate).
//
// A window without a successful request has no latency, one without a request
// no error rate: their samples are NaN (no observation), not 0. With detailed
// measurement off the per-window Service series are missing.
func StudyMetrics(res *Result) study.Result {
	sum := res.Summary
	r := study.Result{Scalars: map[string]float64{}, Series: map[string]study.Series{}, Missing: map[string]string{}}
	w := StudyWindow.Seconds()
	figs := res.Rec.Figures()
	for _, src := range res.Rec.Sources() {
		var f *metrics.Figures
		for _, g := range figs {
			if g.Workload == src.Workload {
				f = g
			}
		}
		if f == nil {
			for _, m := range src.Metrics {
				r.Missing[m] = src.Absent
			}
			continue
		}
		if rt := f.Rate; rt != nil && rt.Metric != "" {
			speeds := make([]float64, 0, len(rt.Windows))
			for _, win := range rt.Windows {
				speeds = append(speeds, win.PerSec)
			}
			r.Series[rt.Metric] = study.Series{Period: StudyWindow, Values: speeds}
		}
		for _, sc := range f.Scalars {
			r.Scalars[sc.Name] = sc.Value
		}
	}
	nw := len(res.Rec.Windows())
	for name, svc := range sum.Services {
		r.Scalars[name+".requests"] = float64(svc.Requests)
		r.Scalars[name+".errors"] = float64(svc.Errors)
		errorKindScalars(r, name, svc)
		if !sum.Detailed {
			coarseMissing(r, name, "Service")
			continue
		}
		pct := map[string][]float64{}
		var rate, errRate []float64
		for i := 0; i < nw; i++ {
			lat, n, errs := res.Rec.ServiceLatencyWindow(name, i)
			if n == errs { // no successful request: no latency
				nan := math.NaN()
				lat.P50, lat.P90, lat.P99, lat.P999, lat.Max = nan, nan, nan, nan, nan
			}
			pct["p50"] = append(pct["p50"], lat.P50)
			pct["p90"] = append(pct["p90"], lat.P90)
			pct["p99"] = append(pct["p99"], lat.P99)
			pct["p999"] = append(pct["p999"], lat.P999)
			pct["max"] = append(pct["max"], lat.Max)
			rate = append(rate, float64(n)/w)
			e := math.NaN()
			if n > 0 {
				e = float64(errs) / float64(n)
			}
			errRate = append(errRate, e)
		}
		for k, v := range pct {
			r.Series[name+".latency_ms."+k] = study.Series{Period: StudyWindow, Values: v}
		}
		r.Series[name+".requests_per_s"] = study.Series{Period: StudyWindow, Values: rate}
		r.Series[name+".error_rate"] = study.Series{Period: StudyWindow, Values: errRate}
	}
	for _, f := range []struct {
		prefix string
		flows  map[string]metrics.ServiceSummary
	}{{"routes.", sum.Routes}, {"clients.", sum.Clients}} {
		for name, v := range f.flows {
			name = f.prefix + name
			r.Scalars[name+".requests"] = float64(v.Requests)
			r.Scalars[name+".errors"] = float64(v.Errors)
			errorKindScalars(r, name, v)
			if !sum.Detailed {
				coarseMissing(r, name, strings.TrimSuffix(f.prefix, "s."))
				continue
			}
			pct := map[string][]float64{}
			var rate, errRate []float64
			for _, win := range v.Windows {
				lat, n, errs := win.LatencyMs, win.Requests, win.Errors
				if n == errs {
					nan := math.NaN()
					lat.P50, lat.P90, lat.P99, lat.P999, lat.Max = nan, nan, nan, nan, nan
				}
				for k, x := range map[string]float64{"p50": lat.P50, "p90": lat.P90, "p99": lat.P99, "p999": lat.P999, "max": lat.Max} {
					pct[k] = append(pct[k], x)
				}
				rate = append(rate, float64(n)/w)
				e := math.NaN()
				if n > 0 {
					e = float64(errs) / float64(n)
				}
				errRate = append(errRate, e)
			}
			for k, x := range pct {
				r.Series[name+".latency_ms."+k] = study.Series{Period: StudyWindow, Values: x}
			}
			r.Series[name+".requests_per_s"] = study.Series{Period: StudyWindow, Values: rate}
			r.Series[name+".error_rate"] = study.Series{Period: StudyWindow, Values: errRate}
		}
	}
	r.Scalars["requests.sent"] = float64(sum.Requests.Sent)
	r.Scalars["requests.failed"] = float64(sum.Requests.Failed)
	r.Scalars["requests.refused"] = float64(sum.Requests.Refused)
	if res.auto != nil {
		for _, s := range res.auto.series {
			name := "hpa." + s.HPA
			reps, podHours := replicaWindows(s.steps, res.Cluster.Now().Seconds(), StudyWindow.Seconds())
			r.Series[name+".replicas"] = study.Series{Period: StudyWindow, Values: reps}
			r.Scalars[name+".pod_hours"] = podHours
		}
	}
	return r
}

// coarseMissing marks the per-window series of a Service, route or client
// (what) missing, with their reason, when detailed measurement was off.
func coarseMissing(r study.Result, name, what string) {
	for _, m := range []string{"latency_ms.p50", "latency_ms.p90", "latency_ms.p99", "latency_ms.p999", "latency_ms.max", "requests_per_s", "error_rate"} {
		r.Missing[name+"."+m] = "per-window " + what + " figures need detailed measurement: run without --coarse"
	}
}

// replicaWindows is the time-weighted mean of a step function of replicas
// (from its first point; 0 before it) in each window of width w up to end,
// and its integral in pod-hours.
func replicaWindows(steps []metrics.Point, end, w float64) ([]float64, float64) {
	n := int(math.Ceil(end/w - 1e-9))
	out := make([]float64, n)
	area := 0.0
	for i, p := range steps {
		next := end
		if i+1 < len(steps) {
			next = steps[i+1].T
		}
		area += p.V * (next - p.T)
		for k := int(p.T / w); k < n && float64(k)*w < next; k++ {
			lo, hi := max(p.T, float64(k)*w), min(next, float64(k+1)*w)
			if hi > lo {
				out[k] += p.V * (hi - lo)
			}
		}
	}
	for k := range out {
		out[k] /= min(w, end-float64(k)*w)
	}
	return out, area / 3600
}

// CheckSetVars checks sweep --set against the study's base scenario before
// any point is built: a variable the base does not define is the user's
// --set, not a point's parameter, and no point could run with it. A base that
// is not a scenario has no variables.
func CheckSetVars(st *study.Study, set map[string]string) error {
	if len(set) == 0 {
		return nil
	}
	if _, ok := study.RunnerForBase(st.Base); ok {
		return fmt.Errorf("--set: the study's base %s is not a scenario and has no variables", st.Base)
	}
	src, name, err := BaseSource(st.Base, st.File())
	if err != nil {
		return err
	}
	_, err = ParseFileWith(name, src, set)
	var fe FileErrors
	if !errors.As(err, &fe) {
		return nil
	}
	var msgs []string
	for _, e := range fe {
		if strings.HasPrefix(e.Msg, "--set ") {
			msgs = append(msgs, e.Error())
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	return errors.New(strings.Join(msgs, "\n"))
}
