package study

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"reflect"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/kubesim/kubesim/internal/yamlerr"
	"sigs.k8s.io/yaml"
)

// Study is a study file: a base scenario, the parameters to vary, the metrics to
// analyse, how many replications to run and, optionally, a question to answer.
// Build one with Parse or Load (which validate it and fill in defaults); a Study
// built or changed by hand must go through Validate before use (Validate expands
// the points; Run and EmitJob only call it when that was never done).
type Study struct {
	// Name identifies the study in outputs and in emitted Job names.
	Name string `json:"name"`
	// Base is the scenario every point starts from: a built-in scenario name or a
	// file path. The study package does not interpret it; the Runner does.
	Base string `json:"base"`
	// Seed is the study seed every replication seed derives from (default 0).
	Seed uint64 `json:"seed"`
	// Replications sets how many replications each point gets.
	Replications Replications `json:"replications"`
	// Warmup is removed from time series before averaging: "" or "none", a
	// duration such as "30s", or "mser5".
	Warmup string `json:"warmup,omitempty"`
	// Metrics are the names of the scalar metrics to analyse, in output order.
	Metrics []string `json:"metrics"`
	// Parameters are what varies from point to point.
	Parameters Parameters `json:"parameters"`
	// Question, if set, is answered from the table.
	Question *Question `json:"question,omitempty"`

	file   string
	data   []byte // as Parse read it, for FieldError's lines
	warmup Warmup
	points []Point
	paths  []string
}

// Replications says how many replications each point runs. Each point first runs
// Min replications; while some metric of TargetMetrics (default: all metrics)
// has a relative half-width above TargetRelHalfWidth, Batch more run, up to Max.
type Replications struct {
	Min                int      `json:"min"`
	Max                int      `json:"max,omitempty"`
	Batch              int      `json:"batch,omitempty"`
	TargetRelHalfWidth float64  `json:"target_rel_half_width,omitempty"`
	TargetMetrics      []string `json:"target_metrics,omitempty"`
}

// Parameters is either a Grid (every combination) or a list of Points. Neither
// means one point: the base scenario unchanged.
type Parameters struct {
	Grid   map[string][]Value `json:"grid,omitempty"`
	Points []map[string]Value `json:"points,omitempty"`
}

// Question asks for the smallest (or largest) value of Parameter for which Metric
// meets "Op Bound", within each combination of the other parameters.
type Question struct {
	Find      string   `json:"find"`
	Parameter string   `json:"parameter"`
	Metric    string   `json:"metric"`
	Op        string   `json:"op"`
	Bound     *float64 `json:"bound"`
}

// WarmupKind is how warm-up is removed from time series.
type WarmupKind uint8

// Warm-up removal methods.
const (
	WarmupNone WarmupKind = iota
	WarmupFixed
	WarmupMSER5
)

// Warmup is a parsed warm-up setting.
type Warmup struct {
	Kind   WarmupKind
	Period time.Duration // for WarmupFixed
}

// Limits on study size, so that a typo cannot ask for a billion runs.
const (
	MaxPoints       = 1_000_000
	MaxReplications = 100_000
	MaxRuns         = 100_000_000 // points x replications.max
)

var knownFields = map[string][]string{
	"":             {"name", "base", "seed", "replications", "warmup", "metrics", "parameters", "question"},
	"replications": {"min", "max", "batch", "target_rel_half_width", "target_metrics"},
	"parameters":   {"grid", "points"},
	"question":     {"find", "parameter", "metric", "op", "bound"},
}

// Load reads and validates the study file at path.
func Load(path string) (*Study, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("study: %w", err)
	}
	return Parse(path, b)
}

// Parse reads a study from YAML (or JSON) data; file names the data in errors.
// Unknown fields are errors naming the field.
func Parse(file string, data []byte) (*Study, error) {
	if file == "" {
		file = "study"
	}
	s, err := parse(file, data)
	if err != nil {
		return nil, withLine(file, data, err)
	}
	s.data = data
	return s, nil
}

// FieldError is an error about a field of the study (metrics[2],
// question.metric) as Parse gives them: the file, the field's line when the
// study was read by Parse, the field, then the message.
func (s *Study) FieldError(field, format string, a ...any) error {
	return withLine(s.File(), s.data, s.errf(field, format, a...))
}

func parse(file string, data []byte) (*Study, error) {
	js, err := yaml.YAMLToJSON(data)
	if err != nil {
		if strings.Contains(err.Error(), "unsupported value") {
			return nil, fmt.Errorf("%s: %v: numbers must be finite (.nan and .inf are not allowed)", file, err)
		}
		if line, reason, _ := yamlerr.Locate(data, err); line > 0 {
			return nil, fmt.Errorf("%s:%d: not valid YAML: %s", file, line, reason)
		}
		return nil, fmt.Errorf("%s: not valid YAML: %v", file, err)
	}
	var generic any
	if err := json.Unmarshal(js, &generic); err != nil {
		return nil, fmt.Errorf("%s: %v", file, err)
	}
	if generic == nil {
		return nil, fmt.Errorf("%s: the file is empty (or only comments): a study needs at least name, base, replications and metrics; kubesim studies show NAME prints one to start from", file)
	}
	top, ok := generic.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: a study file is a YAML map with fields %s", file, strings.Join(knownFields[""], ", "))
	}
	if err := checkFields(file, "", top); err != nil {
		return nil, err
	}
	for _, sub := range []string{"replications", "parameters", "question"} {
		if v, ok := top[sub]; ok && v != nil {
			m, ok := v.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("%s: %s: must be a map with fields %s", file, sub, strings.Join(knownFields[sub], ", "))
			}
			if err := checkFields(file, sub, m); err != nil {
				return nil, err
			}
		}
	}
	// An explicit 0 is out of range, not missing (0 is also the zero value
	// Validate sees).
	if rp, ok := top["replications"].(map[string]any); ok {
		// Each names its own range: min has no default, max and batch
		// default to min.
		for _, k := range []string{"min", "max", "batch"} {
			if v, ok := rp[k].(float64); ok && v == 0 {
				var want string
				switch k {
				case "min":
					want = fmt.Sprintf("set 2 to %d (a confidence interval needs 2)", MaxReplications)
				case "max":
					from := "min"
					if m, ok := rp["min"].(float64); ok && m >= 1 {
						from = fmt.Sprintf("min (%v)", m)
					}
					want = fmt.Sprintf("set %s to %d, or leave it out (default: min)", from, MaxReplications)
				default:
					want = fmt.Sprintf("set 1 to %d, or leave it out (default: min)", MaxReplications)
				}
				return nil, fmt.Errorf("%s: replications.%s: 0 is out of range; %s", file, k, want)
			}
		}
	}
	if err := checkParameterValues(file, top["parameters"]); err != nil {
		return nil, err
	}
	s := new(Study)
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	if err := dec.Decode(s); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return nil, fmt.Errorf("%s: %s: got a %s, want %s", file, te.Field, te.Value, kindName(te.Type.Kind()))
		}
		return nil, fmt.Errorf("%s: %v", file, err)
	}
	// Backstop: sigs.k8s.io/yaml's strict mode also rejects duplicate keys.
	if err := yaml.UnmarshalStrict(data, new(Study)); err != nil {
		return nil, fmt.Errorf("%s: %v", file, cleanJSONErr(err))
	}
	s.file = file
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return s, nil
}

func checkFields(file, where string, m map[string]any) error {
	known := knownFields[where]
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		found := false
		for _, f := range known {
			if f == k {
				found = true
			}
		}
		if !found {
			name := k
			if where != "" {
				name = where + "." + k
			}
			in := "a study"
			if where != "" {
				in = where
			}
			return fmt.Errorf("%s: unknown field %q: the fields of %s are %s; check the spelling", file, name, in, strings.Join(known, ", "))
		}
	}
	return nil
}

func kindName(k reflect.Kind) string {
	switch k {
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "a whole number"
	case reflect.Uint64, reflect.Uint32:
		return "a whole number >= 0"
	case reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Slice:
		return "a list"
	case reflect.Struct, reflect.Map:
		return "a map"
	case reflect.Bool:
		return "true or false"
	}
	return k.String()
}

// checkParameterValues checks the shape of parameters in the generic decoding,
// so that errors can name the field: grid is a map of lists of scalars, points
// a list of maps of scalars.
func checkParameterValues(file string, params any) error {
	m, _ := params.(map[string]any)
	scalar := func(field string, v any) error {
		switch v.(type) {
		case string, float64, bool:
			return nil
		case nil:
			return fmt.Errorf("%s: %s: null; give a number, a string or true/false", file, field)
		}
		return fmt.Errorf("%s: %s: a list or a map; parameter values must be scalars (number, string, bool)", file, field)
	}
	if g, ok := m["grid"]; ok && g != nil {
		gm, ok := g.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: parameters.grid: must be a map from parameter path to a list of values", file)
		}
		paths := make([]string, 0, len(gm))
		for p := range gm {
			paths = append(paths, p)
		}
		sort.Strings(paths)
		for _, p := range paths {
			list, ok := gm[p].([]any)
			if !ok {
				return fmt.Errorf("%s: parameters.grid.%s: must be a list of values, e.g. [1, 2, 3]", file, p)
			}
			for i, v := range list {
				if err := scalar(fmt.Sprintf("parameters.grid.%s[%d]", p, i), v); err != nil {
					return err
				}
			}
		}
	}
	if ps, ok := m["points"]; ok && ps != nil {
		list, ok := ps.([]any)
		if !ok {
			return fmt.Errorf("%s: parameters.points: must be a list of maps from parameter path to value", file)
		}
		for i, pt := range list {
			pm, ok := pt.(map[string]any)
			if !ok {
				return fmt.Errorf("%s: parameters.points[%d]: must be a map from parameter path to value", file, i)
			}
			paths := make([]string, 0, len(pm))
			for p := range pm {
				paths = append(paths, p)
			}
			sort.Strings(paths)
			for _, p := range paths {
				if err := scalar(fmt.Sprintf("parameters.points[%d].%s", i, p), pm[p]); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func cleanJSONErr(err error) string {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "error unmarshaling JSON: ")
	msg = strings.TrimPrefix(msg, "while decoding JSON: ")
	return msg
}

// File is the name the study was read from ("study" if none).
func (s *Study) File() string {
	if s.file == "" {
		return "study"
	}
	return s.file
}

func (s *Study) errf(field, format string, a ...any) error {
	return fmt.Errorf("%s: %s: %s", s.File(), field, fmt.Sprintf(format, a...))
}

// Validate checks every field, fills in defaults (replications.max and batch,
// target_metrics) and expands the points. Parse and Load call it.
func (s *Study) Validate() error {
	if strings.TrimSpace(s.Name) == "" {
		return s.errf("name", "missing; give the study a name, e.g. name: rng-capacity")
	}
	if strings.TrimSpace(s.Base) == "" {
		return s.errf("base", "missing; name a built-in scenario or a scenario file")
	}
	if err := s.validateReplications(); err != nil {
		return err
	}
	w, err := ParseWarmup(s.Warmup)
	if err != nil {
		return s.errf("warmup", "%v", err)
	}
	s.warmup = w
	if len(s.Metrics) == 0 {
		return s.errf("metrics", "missing; list the scalar metrics to analyse, e.g. metrics: [hashes_per_s]")
	}
	seen := map[string]bool{}
	for i, m := range s.Metrics {
		if strings.TrimSpace(m) == "" || m != strings.TrimSpace(m) {
			return s.errf(fmt.Sprintf("metrics[%d]", i), "%q is not a metric name (empty or with surrounding spaces)", m)
		}
		if seen[m] {
			return s.errf(fmt.Sprintf("metrics[%d]", i), "%q is listed twice; list each metric once", m)
		}
		seen[m] = true
	}
	if len(s.Replications.TargetMetrics) == 0 {
		s.Replications.TargetMetrics = nil
	}
	for i, m := range s.Replications.TargetMetrics {
		if !seen[m] {
			return s.errf(fmt.Sprintf("replications.target_metrics[%d]", i), "%q is not one of the study's metrics (%s); add it to metrics or fix the name", m, strings.Join(s.Metrics, ", "))
		}
	}
	if err := s.expand(); err != nil {
		return err
	}
	if n := len(s.points) * s.Replications.Max; n > MaxRuns {
		return s.errf("replications.max", "%d points x %d replications = %d runs, more than %d; vary fewer parameters or lower the replications", len(s.points), s.Replications.Max, n, MaxRuns)
	}
	if s.Question != nil {
		if err := s.validateQuestion(); err != nil {
			return err
		}
	}
	return nil
}

func (s *Study) validateReplications() error {
	r := &s.Replications
	if r.Min == 0 {
		return s.errf("replications.min", "missing; set at least 2 replications per point (a confidence interval needs 2)")
	}
	if r.Min < 2 || r.Min > MaxReplications {
		return s.errf("replications.min", "%d is out of range; set 2 to %d", r.Min, MaxReplications)
	}
	if r.TargetRelHalfWidth < 0 || r.TargetRelHalfWidth >= 1 || math.IsNaN(r.TargetRelHalfWidth) {
		return s.errf("replications.target_rel_half_width", "%v must be a fraction between 0 and 1, such as 0.05 for 5%%, or omitted", r.TargetRelHalfWidth)
	}
	if r.Max == 0 {
		if r.TargetRelHalfWidth > 0 {
			return s.errf("replications.max", "missing; with target_rel_half_width set, give the most replications a point may run, e.g. max: %d", 10*r.Min)
		}
		r.Max = r.Min
	}
	if r.Max < r.Min || r.Max > MaxReplications {
		return s.errf("replications.max", "%d must be between min (%d) and %d", r.Max, r.Min, MaxReplications)
	}
	if r.TargetRelHalfWidth == 0 && r.Max != r.Min {
		return s.errf("replications.max", "%d differs from min (%d) but no target_rel_half_width is set; set a target or make max equal min", r.Max, r.Min)
	}
	if r.TargetRelHalfWidth > 0 && r.Max == r.Min {
		return s.errf("replications.target_rel_half_width", "has no effect when max equals min (%d); raise max", r.Min)
	}
	if r.Batch == 0 {
		r.Batch = r.Min
	}
	if r.Batch < 1 || r.Batch > MaxReplications {
		return s.errf("replications.batch", "%d is out of range; set 1 to %d (default: min)", r.Batch, MaxReplications)
	}
	return nil
}

// ParseWarmup reads a warm-up setting: "" or "none", a duration such as "30s", or
// "mser5".
func ParseWarmup(w string) (Warmup, error) {
	switch strings.ToLower(strings.TrimSpace(w)) {
	case "", "none":
		return Warmup{}, nil
	case "mser5", "mser-5":
		return Warmup{Kind: WarmupMSER5}, nil
	}
	d, err := time.ParseDuration(strings.TrimSpace(w))
	if err != nil {
		return Warmup{}, fmt.Errorf("%q is neither a duration (e.g. 30s) nor mser5", w)
	}
	if d < 0 {
		return Warmup{}, fmt.Errorf("%q must not be negative", w)
	}
	if d == 0 {
		return Warmup{}, nil
	}
	return Warmup{Kind: WarmupFixed, Period: d}, nil
}

func checkPath(p string) error {
	if p == "" {
		return fmt.Errorf("empty parameter path")
	}
	for _, r := range p {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return fmt.Errorf("parameter path %q contains white space or a control character", p)
		}
	}
	return nil
}

func (s *Study) expand() error {
	g, pts := s.Parameters.Grid, s.Parameters.Points
	if len(g) > 0 && len(pts) > 0 {
		return s.errf("parameters", "has both grid and points; use one of them")
	}
	if s.Parameters.Grid != nil && len(g) == 0 {
		s.Parameters.Grid = nil
	}
	if s.Parameters.Points != nil && len(pts) == 0 {
		s.Parameters.Points = nil
	}
	s.points, s.paths = nil, nil
	switch {
	case len(g) > 0:
		paths := make([]string, 0, len(g))
		for p := range g {
			paths = append(paths, p)
		}
		sort.Strings(paths)
		n := 1
		for _, p := range paths {
			field := "parameters.grid." + p
			if err := checkPath(p); err != nil {
				return s.errf(field, "%v", err)
			}
			vals := g[p]
			if len(vals) == 0 {
				return s.errf(field, "has no values; list at least one")
			}
			for i := range vals {
				for j := 0; j < i; j++ {
					if vals[i].Equal(vals[j]) {
						return s.errf(field, "value %s is listed twice; list each value once", vals[i])
					}
				}
			}
			n *= len(vals)
			if n > MaxPoints {
				return s.errf("parameters.grid", "expands to more than %d points; vary fewer parameters or use points", MaxPoints)
			}
		}
		s.paths = paths
		// Odometer order: the first path (byte-wise smallest) varies slowest,
		// the last fastest; each path's values in file order.
		idx := make([]int, len(paths))
		for k := 0; k < n; k++ {
			pt := make(Point, len(paths))
			for i, p := range paths {
				pt[i] = Param{Path: p, Value: g[p][idx[i]]}
			}
			s.points = append(s.points, pt)
			for i := len(paths) - 1; i >= 0; i-- {
				idx[i]++
				if idx[i] < len(g[paths[i]]) {
					break
				}
				idx[i] = 0
			}
		}
	case len(pts) > 0:
		if len(pts) > MaxPoints {
			return s.errf("parameters.points", "has more than %d points", MaxPoints)
		}
		all := map[string]bool{}
		keys := map[string]int{}
		for i, m := range pts {
			field := fmt.Sprintf("parameters.points[%d]", i)
			if len(m) == 0 {
				return s.errf(field, "is empty; set at least one parameter (an empty list of points means the base scenario alone)")
			}
			pt := make(Point, 0, len(m))
			for p, v := range m {
				if err := checkPath(p); err != nil {
					return s.errf(field, "%v", err)
				}
				pt = append(pt, Param{Path: p, Value: v})
				all[p] = true
			}
			sort.Slice(pt, func(a, b int) bool { return pt[a].Path < pt[b].Path })
			k := pt.Key()
			if j, dup := keys[k]; dup {
				return s.errf(field, "repeats parameters.points[%d] (%s); replications already repeat a point, so list each point once", j, pt)
			}
			keys[k] = i
			s.points = append(s.points, pt)
		}
		for p := range all {
			s.paths = append(s.paths, p)
		}
		sort.Strings(s.paths)
	default:
		s.points = []Point{{}}
	}
	return nil
}

func (s *Study) validateQuestion() error {
	q := s.Question
	switch q.Find {
	case "smallest", "largest":
	case "":
		return s.errf("question.find", "missing; set find: smallest")
	default:
		return s.errf("question.find", "%q: want smallest or largest", q.Find)
	}
	if q.Op != "<=" && q.Op != ">=" {
		return s.errf("question.op", "%q: want \"<=\" or \">=\" (quote it in YAML)", q.Op)
	}
	if q.Bound == nil {
		return s.errf("question.bound", "missing; give the number the metric is compared with")
	}
	if math.IsNaN(*q.Bound) || math.IsInf(*q.Bound, 0) {
		return s.errf("question.bound", "must be a finite number")
	}
	found := false
	for _, m := range s.Metrics {
		found = found || m == q.Metric
	}
	if !found {
		return s.errf("question.metric", "%q is not one of the study's metrics (%s); add it to metrics", q.Metric, strings.Join(s.Metrics, ", "))
	}
	found = false
	for _, p := range s.paths {
		found = found || p == q.Parameter
	}
	if !found {
		return s.errf("question.parameter", "%q is not a parameter of the study (parameters: %s)", q.Parameter, strings.Join(s.paths, ", "))
	}
	return nil
}

// Points is the expanded list of points, in study order. For a grid, parameters
// are ordered by path (byte-wise) and the first path varies slowest, each
// path's values in file order; for a list of points, file order. The caller must
// not modify the result.
func (s *Study) Points() []Point { return s.points }

// ParameterPaths is every parameter path the points set, sorted byte-wise.
func (s *Study) ParameterPaths() []string { return s.paths }

// WarmupSetting is the parsed Warmup field.
func (s *Study) WarmupSetting() Warmup { return s.warmup }

// JSON is the canonical JSON form of the validated study (defaults filled in,
// map keys sorted): the same study always gives the same bytes.
func (s *Study) JSON() ([]byte, error) { return json.Marshal(s) }

// Digest is the SHA-256 of JSON, in hex. Shard outputs carry it so that Merge
// refuses to combine results of different studies.
func (s *Study) Digest() (string, error) {
	b, err := s.JSON()
	if err != nil {
		return "", err
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:]), nil
}

// YAML is the canonical study as YAML (what EmitJob puts in its ConfigMap).
func (s *Study) YAML() ([]byte, error) {
	b, err := s.JSON()
	if err != nil {
		return nil, err
	}
	return yaml.JSONToYAML(b)
}
