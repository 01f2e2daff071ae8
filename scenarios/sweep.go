package scenarios

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

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

// StudyRunner returns the Runner that runs st's base scenario with a point's
// parameters applied. The base "mmc" is the M/M/c validation model.
func StudyRunner(st *study.Study) (study.Runner, error) {
	if r, ok := study.RunnerForBase(st.Base); ok {
		return r, nil
	}
	src, name, err := BaseSource(st.Base, st.File())
	if err != nil {
		return nil, err
	}
	// Check every point before running anything: a bad path fails the study at
	// once, naming the point.
	for _, p := range st.Points() {
		if _, err := pointScenario(src, name, p, 1); err != nil {
			return nil, err
		}
	}
	return func(ctx context.Context, p study.Point, seed uint64) (study.Result, error) {
		s, err := pointScenario(src, name, p, seed)
		if err != nil {
			return study.Result{}, err
		}
		res, err := RunWith(s, Options{Progress: func(_, _ time.Duration, _ uint64) {
			if ctx.Err() != nil {
				panic(ctx.Err())
			}
		}})
		if err != nil {
			return study.Result{}, err
		}
		return StudyMetrics(res), nil
	}, nil
}

func pointScenario(src []byte, name string, p study.Point, seed uint64) (*Scenario, error) {
	b, err := ApplyParams(src, name, p)
	if err != nil {
		return nil, err
	}
	s, err := ParseFile(name, b)
	if err != nil {
		return nil, fmt.Errorf("point %s: %v", p, err)
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

// StudyMetrics are the metrics a scenario run reports to a study.
//
// Series, one value per StudyWindow (warm-up removal applies to them):
//   - hashes_per_s: the hashes counted in redis in the window, per second (the
//     summary's windows: the run's window is StudyWindow);
//   - SERVICE.latency_ms.p50|p90|p99|p999|max: the window's latency percentile
//     (a study's value is the mean over the windows kept);
//   - SERVICE.requests_per_s, SERVICE.error_rate (errors / requests).
//
// Scalars over the whole run: hashes, hashes_computed, requests.sent,
// requests.failed, requests.refused, SERVICE.requests, SERVICE.errors.
func StudyMetrics(res *Result) study.Result {
	sum := res.Summary
	r := study.Result{Scalars: map[string]float64{}, Series: map[string]study.Series{}}
	w := StudyWindow.Seconds()
	var speeds []float64
	for _, win := range sum.Windows {
		speeds = append(speeds, win.HashesPerSec)
	}
	r.Series["hashes_per_s"] = study.Series{Period: StudyWindow, Values: speeds}
	nw := len(speeds)
	for name, svc := range sum.Services {
		pct := map[string][]float64{}
		var rate, errRate []float64
		for i := 0; i < nw; i++ {
			lat, n, errs := res.Rec.ServiceLatencyWindow(name, i)
			pct["p50"] = append(pct["p50"], lat.P50)
			pct["p90"] = append(pct["p90"], lat.P90)
			pct["p99"] = append(pct["p99"], lat.P99)
			pct["p999"] = append(pct["p999"], lat.P999)
			pct["max"] = append(pct["max"], lat.Max)
			rate = append(rate, float64(n)/w)
			e := 0.0
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
		r.Scalars[name+".requests"] = float64(svc.Requests)
		r.Scalars[name+".errors"] = float64(svc.Errors)
	}
	r.Scalars["hashes"] = float64(sum.Hashes)
	r.Scalars["hashes_computed"] = float64(sum.HashesComputed)
	r.Scalars["requests.sent"] = float64(sum.Requests.Sent)
	r.Scalars["requests.failed"] = float64(sum.Requests.Failed)
	r.Scalars["requests.refused"] = float64(sum.Requests.Refused)
	return r
}
