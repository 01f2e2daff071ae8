package custommetrics

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
	"go.yaml.in/yaml/v3"
)

// The series kubesim's Prometheus holds (see the package doc), by name: the
// family they come from, the label naming their object (service or pod; all
// have namespace too) and which counter of a sample they are.
type seriesDef struct {
	fam   int
	label string // "service" or "pod"
	// raw is the counter in a sample, div what divides it into the series'
	// unit (seconds from nanoseconds).
	raw func(v [3]int64) int64
	div float64
}

var seriesDefs = map[string]seriesDef{
	"httplat_latency_seconds_sum":                    {famHTTPLat, "service", func(v [3]int64) int64 { return v[0] }, 1e9},
	"httplat_latency_seconds_count":                  {famHTTPLat, "service", func(v [3]int64) int64 { return v[1] }, 1},
	"kubesim_service_requests_total":                 {famMesh, "service", func(v [3]int64) int64 { return v[0] }, 1},
	"kubesim_service_request_errors_total":           {famMesh, "service", func(v [3]int64) int64 { return v[2] }, 1},
	"kubesim_service_request_duration_seconds_sum":   {famMesh, "service", func(v [3]int64) int64 { return v[1] }, 1e9},
	"kubesim_service_request_duration_seconds_count": {famMesh, "service", func(v [3]int64) int64 { return v[0] - v[2] }, 1},
	"kubesim_pod_requests_served_total":              {famServed, "pod", func(v [3]int64) int64 { return v[0] }, 1},
}

// seriesNames is every series name, sorted, for messages.
func seriesNames() []string {
	out := make([]string, 0, len(seriesDefs))
	for n := range seriesDefs {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// metricRule is one metric the adapter serves: name on objects of resource
// (service or pod) = rate(num[window]), or rate(num[window]) /
// rate(den[window]) when den is set.
type metricRule struct {
	resource string
	name     string
	num, den string
	window   sim.Time
}

// DefaultRules is the adapter's configuration when no ConfigMap
// prometheus-adapter is applied: the workshop's httplat rule, and the
// service mesh's request rate and mean latency per Service and request rate
// per pod, as prometheus-adapter rules would write them.
const DefaultRules = `rules:
- seriesQuery: 'httplat_latency_seconds_sum{namespace!="",service!=""}'
  resources:
    overrides:
      namespace: {resource: namespace}
      service: {resource: service}
  name:
    matches: "httplat_latency_seconds_sum"
    as: "httplat_latency_seconds"
  metricsQuery: |
    rate(httplat_latency_seconds_sum{<<.LabelMatchers>>}[2m])/rate(httplat_latency_seconds_count{<<.LabelMatchers>>}[2m])
- seriesQuery: 'kubesim_service_requests_total{namespace!="",service!=""}'
  resources: {template: "<<.Resource>>"}
  name: {matches: "^kubesim_service_requests_total$", as: "requests_per_second"}
  metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>)'
- seriesQuery: 'kubesim_service_request_duration_seconds_sum{namespace!="",service!=""}'
  resources: {template: "<<.Resource>>"}
  name: {matches: "^kubesim_service_request_duration_seconds_sum$", as: "latency_seconds"}
  metricsQuery: 'rate(kubesim_service_request_duration_seconds_sum{<<.LabelMatchers>>}[2m])/rate(kubesim_service_request_duration_seconds_count{<<.LabelMatchers>>}[2m])'
- seriesQuery: 'kubesim_pod_requests_served_total{namespace!="",pod!=""}'
  resources: {template: "<<.Resource>>"}
  name: {matches: "^kubesim_pod_requests_served_total$", as: "requests_per_second"}
  metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>)'
`

// defaultRules is DefaultRules, read once (rules are never changed: every
// adapter shares them).
var defaultRules = func() []metricRule {
	r, err := parseRules(DefaultRules)
	if err != nil {
		panic("custommetrics: the default rules: " + err.Error())
	}
	return r
}()

// ConfigMapName and ConfigMapKey are where the prometheus-adapter chart
// keeps the adapter's configuration (in any namespace).
const (
	ConfigMapName = "prometheus-adapter"
	ConfigMapKey  = "config.yaml"
)

// rawRule is a rule of prometheus-adapter's configuration, with every field
// it has, so that the unmodelled ones are named.
type rawRule struct {
	SeriesQuery   string `yaml:"seriesQuery"`
	SeriesFilters []struct {
		Is    string `yaml:"is"`
		IsNot string `yaml:"isNot"`
	} `yaml:"seriesFilters"`
	Resources struct {
		Overrides map[string]struct {
			Group    string `yaml:"group"`
			Resource string `yaml:"resource"`
		} `yaml:"overrides"`
		Template   string `yaml:"template"`
		Namespaced *bool  `yaml:"namespaced"`
	} `yaml:"resources"`
	Name struct {
		Matches string `yaml:"matches"`
		As      string `yaml:"as"`
	} `yaml:"name"`
	MetricsQuery string `yaml:"metricsQuery"`
}

type rawConfig struct {
	Rules         []rawRule `yaml:"rules"`
	ExternalRules []any     `yaml:"externalRules"`
	ResourceRules any       `yaml:"resourceRules"`
}

var unknownField = regexp.MustCompile(`field (\S+) not found in type \S+`)

var (
	seriesQueryName  = regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\{[^}]*\})?$`)
	seriesQueryRegex = regexp.MustCompile(`^\{\s*__name__\s*(=~|=)\s*"([^"]*)"\s*(,[^}]*)?\}$`)
	seriesQueryLabel = regexp.MustCompile(`^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(!=|=~|!~|=)\s*"([^"]*)"\s*$`)
	// rate(S{<<.LabelMatchers>>}[W]), S a series name or <<.Series>>,
	// optionally in sum(...) by (<<.GroupBy>>).
	rateExpr = `(?:sum\()?rate\(([a-zA-Z_:][a-zA-Z0-9_:]*|<<\.Series>>)\{<<\.LabelMatchers>>\}\[([0-9]+[smhd])\]\)(?:\)by\(<<\.GroupBy>>\))?`
	rateOnly = regexp.MustCompile(`^` + rateExpr + `$`)
	rateDiv  = regexp.MustCompile(`^\(?` + rateExpr + `\)?/\(?` + rateExpr + `\)?$`)
)

// parseRules reads a prometheus-adapter configuration (its config.yaml) as
// far as kubesim models it; an error names the rule and the field.
func parseRules(src string) ([]metricRule, error) {
	var cfg rawConfig
	dec := yaml.NewDecoder(strings.NewReader(src))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			msgs := make([]string, len(te.Errors))
			for i, e := range te.Errors {
				msgs[i] = unknownField.ReplaceAllString(e, `unknown field "$1"`)
			}
			return nil, fmt.Errorf("%s: %s (a rule has seriesQuery, seriesFilters, resources, name and metricsQuery)", ConfigMapKey, strings.Join(msgs, "; "))
		}
		return nil, fmt.Errorf("%s: %v", ConfigMapKey, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if len(cfg.ExternalRules) > 0 {
		return nil, fmt.Errorf("externalRules: not modelled: kubesim's external metrics are the values the scenario scripts under externalMetrics:")
	}
	if cfg.ResourceRules != nil {
		return nil, fmt.Errorf("resourceRules: not modelled: kubesim's resource metrics come from metrics-server")
	}
	var out []metricRule
	for i, r := range cfg.Rules {
		rs, err := compileRule(r)
		if err != nil {
			return nil, fmt.Errorf("rules[%d].%v", i, err)
		}
		out = append(out, rs...)
	}
	return out, nil
}

// compileRule is the metrics one rule serves: one per kubesim series its
// seriesQuery and filters select.
func compileRule(r rawRule) ([]metricRule, error) {
	q := strings.TrimSpace(r.SeriesQuery)
	var selected []string
	var matchers string
	switch {
	case q == "":
		return nil, fmt.Errorf("seriesQuery: required (e.g. 'httplat_latency_seconds_sum{namespace!=\"\",service!=\"\"}')")
	case seriesQueryName.MatchString(q):
		m := seriesQueryName.FindStringSubmatch(q)
		if _, ok := seriesDefs[m[1]]; ok {
			selected = []string{m[1]}
		}
		matchers = strings.Trim(m[2], "{}")
	case seriesQueryRegex.MatchString(q):
		m := seriesQueryRegex.FindStringSubmatch(q)
		if m[1] == "=" {
			if _, ok := seriesDefs[m[2]]; ok {
				selected = []string{m[2]}
			}
		} else {
			re, err := regexp.Compile("^(?:" + m[2] + ")$")
			if err != nil {
				return nil, fmt.Errorf("seriesQuery: __name__=~%q: %v", m[2], err)
			}
			for _, n := range seriesNames() {
				if re.MatchString(n) {
					selected = append(selected, n)
				}
			}
		}
		matchers = strings.TrimPrefix(m[3], ",")
	default:
		return nil, fmt.Errorf("seriesQuery: %q: kubesim reads NAME{label matchers} or {__name__=~\"REGEX\", label matchers}", q)
	}
	for _, lm := range strings.Split(matchers, ",") {
		if strings.TrimSpace(lm) == "" {
			continue
		}
		if !seriesQueryLabel.MatchString(lm) {
			return nil, fmt.Errorf("seriesQuery: label matcher %q: want label!=\"\" (or =, =~, !~ and a quoted value)", strings.TrimSpace(lm))
		}
	}
	for _, f := range r.SeriesFilters {
		is, pat := f.Is != "", f.Is
		if !is {
			pat = f.IsNot
		}
		re, err := regexp.Compile(pat)
		if err != nil || (f.Is != "" && f.IsNot != "") || pat == "" {
			return nil, fmt.Errorf("seriesFilters: want one of is: REGEX and isNot: REGEX per filter")
		}
		kept := selected[:0:0]
		for _, n := range selected {
			if re.MatchString(n) == is {
				kept = append(kept, n)
			}
		}
		selected = kept
	}
	if len(selected) == 0 {
		return nil, fmt.Errorf("seriesQuery: %q selects none of the series kubesim's Prometheus holds (%s)", q, strings.Join(seriesNames(), ", "))
	}
	if r.Resources.Namespaced != nil {
		return nil, fmt.Errorf("resources.namespaced: not modelled (every kubesim series has a namespace label)")
	}
	// Resources: the series' namespace and service or pod labels must map
	// to those resources.
	resourceOf := func(label string) string {
		if o, ok := r.Resources.Overrides[label]; ok {
			return strings.ToLower(strings.TrimSuffix(o.Resource, "s"))
		}
		if r.Resources.Template == "<<.Resource>>" {
			return label
		}
		return ""
	}
	if r.Resources.Template != "" && r.Resources.Template != "<<.Resource>>" {
		return nil, fmt.Errorf("resources.template: %q: kubesim's series labels are the resources' names (namespace, service, pod): use <<.Resource>> or overrides", r.Resources.Template)
	}
	labels := make([]string, 0, len(r.Resources.Overrides))
	for label := range r.Resources.Overrides {
		labels = append(labels, label)
	}
	sort.Strings(labels) // the first wrong one, the same every run
	for _, label := range labels {
		o := r.Resources.Overrides[label]
		if label != "namespace" && label != "service" && label != "pod" {
			return nil, fmt.Errorf("resources.overrides.%s: kubesim's series have no label %s (they have namespace, and service or pod)", label, label)
		}
		if o.Group != "" {
			return nil, fmt.Errorf("resources.overrides.%s.group: %q: kubesim serves metrics of core resources only (namespace, service, pod)", label, o.Group)
		}
	}
	matches := r.Name.Matches
	if matches == "" {
		matches = ".*"
	}
	nameRe, err := regexp.Compile(matches)
	if err != nil {
		return nil, fmt.Errorf("name.matches: %q: %v", r.Name.Matches, err)
	}
	query := strings.Join(strings.Fields(r.MetricsQuery), "")
	var out []metricRule
	for _, s := range selected {
		def := seriesDefs[s]
		if resourceOf("namespace") != "namespace" {
			return nil, fmt.Errorf("resources: the label namespace of %s must map to the resource namespace (overrides: {namespace: {resource: namespace}} or template: <<.Resource>>)", s)
		}
		res := resourceOf(def.label)
		if res != def.label {
			return nil, fmt.Errorf("resources: the label %s of %s must map to the resource %s (overrides: {%s: {resource: %s}} or template: <<.Resource>>)", def.label, s, def.label, def.label, def.label)
		}
		name := s
		if loc := nameRe.FindStringSubmatchIndex(s); loc != nil {
			as := r.Name.As
			if as == "" {
				as = "$0"
				if nameRe.NumSubexp() == 1 {
					as = "$1"
				}
			}
			name = string(nameRe.ExpandString(nil, as, s, loc))
		} else {
			continue // the adapter skips a series its name rule does not match
		}
		mr := metricRule{resource: res, name: name}
		series := func(x string) (string, error) {
			if x == "<<.Series>>" {
				return s, nil
			}
			d, ok := seriesDefs[x]
			if !ok {
				return "", fmt.Errorf("metricsQuery: series %s: kubesim's Prometheus holds %s", x, strings.Join(seriesNames(), ", "))
			}
			if d.fam != def.fam {
				return "", fmt.Errorf("metricsQuery: %s and %s are not series of the same objects", x, s)
			}
			return x, nil
		}
		window := func(w string) (sim.Time, error) {
			d, err := time.ParseDuration(strings.Replace(w, "d", "h", 1))
			if strings.HasSuffix(w, "d") {
				d *= 24
			}
			if err != nil || d < ScrapeInterval {
				return 0, fmt.Errorf("metricsQuery: range [%s]: want at least two scrapes (%v apart), e.g. [2m]", w, ScrapeInterval)
			}
			return d, nil
		}
		switch {
		case rateOnly.MatchString(query):
			m := rateOnly.FindStringSubmatch(query)
			if mr.num, err = series(m[1]); err != nil {
				return nil, err
			}
			if mr.window, err = window(m[2]); err != nil {
				return nil, err
			}
		case rateDiv.MatchString(query):
			m := rateDiv.FindStringSubmatch(query)
			if mr.num, err = series(m[1]); err != nil {
				return nil, err
			}
			if mr.den, err = series(m[3]); err != nil {
				return nil, err
			}
			if m[2] != m[4] {
				return nil, fmt.Errorf("metricsQuery: the two ranges differ ([%s], [%s]): kubesim computes both over one range", m[2], m[4])
			}
			if mr.window, err = window(m[2]); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("metricsQuery: %q: kubesim evaluates rate(SERIES{<<.LabelMatchers>>}[RANGE]) and rate(A{<<.LabelMatchers>>}[RANGE])/rate(B{<<.LabelMatchers>>}[RANGE]), each optionally in sum(...) by (<<.GroupBy>>), SERIES a name or <<.Series>>; other PromQL is not modelled", strings.TrimSpace(r.MetricsQuery))
		}
		out = append(out, mr)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("name.matches: %q matches none of the series the seriesQuery selects (%s)", r.Name.Matches, strings.Join(selected, ", "))
	}
	return out, nil
}

// rulesFrom finds the adapter's configuration: the ConfigMap
// prometheus-adapter (the chart's, in any namespace; the first made), or the
// defaults. rv is its resource version (0: the defaults).
func rulesFrom(c *model.Cluster) (src string, ref *model.ConfigMap) {
	for _, cm := range c.ConfigMaps() {
		if cm.Name == ConfigMapName {
			return cm.Data[ConfigMapKey], cm
		}
	}
	return "", nil
}
