package custommetrics

import (
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

func TestURLHost(t *testing.T) {
	for in, want := range map[string]string{
		"http://rng/":                           "rng",
		"http://rng":                            "rng",
		"http://rng:80/x?y":                     "rng",
		"http://rng.default.svc.cluster.local/": "rng.default.svc.cluster.local",
		"https://rng/":                          "",
		"rng":                                   "",
	} {
		if got := URLHost(in); got != want {
			t.Errorf("URLHost(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNextTick(t *testing.T) {
	s := time.Second
	for _, c := range []struct{ t, phase, want sim.Time }{
		{0, 20 * s, 20 * s},
		{20 * s, 20 * s, 20 * s},
		{21 * s, 20 * s, 80 * s},
		{140 * s, 20 * s, 140 * s},
	} {
		if got := nextTick(c.t, c.phase, time.Minute); got != c.want {
			t.Errorf("nextTick(%v, %v) = %v, want %v", c.t, c.phase, got, c.want)
		}
	}
}

// The workshop's rule, rate(_sum[2m]) / rate(_count[2m]), by hand: scrapes
// at 30 s, 90 s, 150 s of a histogram that observed 6 probes of 0.75 s a
// minute, then 6 of 0.25 s; at 160 s the window (40 s, 160 s] holds the
// scrapes at 90 s and 150 s: (4.5 + 1.5 - 4.5) / 6 = 0.25 s; at 100 s, the
// scrapes at 30 s and 90 s: 4.5 / 6 = 0.75 s; at 95 s before the relist
// (phase 100 s) nothing is visible.
func TestHTTPLatencyRule(t *testing.T) {
	s := time.Second
	c := model.NewCluster(sim.New(1), model.DefaultConfig())
	a := &Adapter{c: c, started: true, objects: map[objKey]*object{}, relistPhase: 40 * s}
	rules, err := parseRules(DefaultRules)
	if err != nil {
		t.Fatal(err)
	}
	a.setRules(rules)
	k := objKey{famHTTPLat, model.DefaultNamespace, "httplat"}
	id := seriesID{1, 0}
	sec := int64(time.Second)
	a.add(k, id, 30*s, [3]int64{0, 0})
	a.add(k, id, 90*s, [3]int64{6 * 75 * sec / 100, 6})
	a.add(k, id, 150*s, [3]int64{6*75*sec/100 + 6*25*sec/100, 12})
	at := func(now sim.Time) (int64, bool) {
		c.E.RunUntil(now)
		return a.ObjectMetric("default", "Service", "httplat", HTTPLatency)
	}
	if v, ok := at(35 * s); ok {
		t.Errorf("at 35 s (before the relist at 40 s): %dm", v)
	}
	if v, ok := at(100 * s); !ok || v != 750 {
		t.Errorf("at 100 s: %dm %v, want 750m", v, ok)
	}
	if v, ok := at(160 * s); !ok || v != 250 {
		t.Errorf("at 160 s: %dm %v, want 250m", v, ok)
	}
	// Past the window of the last sample but one: one sample, no value.
	if v, ok := at(215 * s); ok {
		t.Errorf("at 215 s (one sample in the window): %dm", v)
	}
	if _, ok := a.ObjectMetric("default", "Service", "rng", HTTPLatency); ok {
		t.Error("a Service with no exporter has a value")
	}
	if _, ok := a.ObjectMetric("default", "Ingress", "httplat", HTTPLatency); ok {
		t.Error("an Ingress has a value")
	}
	// gc keeps RateWindow + ScrapeInterval: at 215 s, samples after 35 s.
	a.gc(215 * s)
	if n := len(a.objects[k].series[id].samples); n != 2 {
		t.Errorf("%d samples kept at 215 s, want 2", n)
	}
	a.gc(400 * s)
	if len(a.objects) != 0 {
		t.Errorf("objects left after every sample aged out: %d", len(a.objects))
	}
}

// Rules kubesim cannot evaluate are refused naming the rule and the field,
// and what kubesim reads instead.
func TestParseRulesErrors(t *testing.T) {
	rule := func(series, name, query string) string {
		return "rules:\n- seriesQuery: '" + series + "'\n  resources: {template: <<.Resource>>}\n  name: {matches: " + name + "}\n  metricsQuery: '" + query + "'\n"
	}
	ok := rule(`{__name__=~"^kubesim_service_request.*_total$",namespace!=""}`, `"^kubesim_service_(.*)_total$"`, `sum(rate(<<.Series>>{<<.LabelMatchers>>}[1m])) by (<<.GroupBy>>)`)
	rules, err := parseRules(ok)
	if err != nil || len(rules) != 2 || rules[0].name != "request_errors" || rules[1].name != "requests" || rules[0].window != time.Minute || rules[0].resource != "service" {
		t.Errorf("regex seriesQuery, $1 name: %+v %v", rules, err)
	}
	for _, c := range []struct{ src, want string }{
		{rule(`up{job!=""}`, `"up"`, `rate(<<.Series>>{<<.LabelMatchers>>}[2m])`), `rules[0].seriesQuery: "up{job!=\"\"}" selects none of the series kubesim's Prometheus holds (httplat_latency_seconds_count, `},
		{rule(`httplat_latency_seconds_sum{service!=""}`, `"(.*)_sum"`, `histogram_quantile(0.9, rate(<<.Series>>{<<.LabelMatchers>>}[2m]))`), `rules[0].metricsQuery: "histogram_quantile(0.9, rate(<<.Series>>{<<.LabelMatchers>>}[2m]))": kubesim evaluates rate(SERIES{<<.LabelMatchers>>}[RANGE])`},
		{rule(`httplat_latency_seconds_sum{service!=""}`, `"(.*)_sum"`, `rate(<<.Series>>{<<.LabelMatchers>>}[10s])`), `rules[0].metricsQuery: range [10s]: want at least two scrapes (1m0s apart)`},
		{rule(`httplat_latency_seconds_sum{service!=""}`, `"(.*)_sum"`, `rate(<<.Series>>{<<.LabelMatchers>>}[2m])/rate(kubesim_pod_requests_served_total{<<.LabelMatchers>>}[2m])`), `rules[0].metricsQuery: kubesim_pod_requests_served_total and httplat_latency_seconds_sum are not series of the same objects`},
		{"rules:\n- seriesQuery: 'httplat_latency_seconds_sum'\n  resource: {}\n", `config.yaml: line 3: unknown field "resource" (a rule has seriesQuery, seriesFilters, resources, name and metricsQuery)`},
		{"externalRules:\n- seriesQuery: x\n", `externalRules: not modelled`},
		{"rules:\n- seriesQuery: 'httplat_latency_seconds_sum{}'\n  resources: {overrides: {namespace: {resource: namespace}, service: {group: apps, resource: deployment}}}\n  metricsQuery: 'rate(<<.Series>>{<<.LabelMatchers>>}[2m])'\n", `rules[0].resources.overrides.service.group: "apps": kubesim serves metrics of core resources only`},
		{"rules:\n- seriesQuery: 'kubesim_pod_requests_served_total{}'\n  resources: {overrides: {namespace: {resource: namespace}}}\n  metricsQuery: 'rate(<<.Series>>{<<.LabelMatchers>>}[2m])'\n", `rules[0].resources: the label pod of kubesim_pod_requests_served_total must map to the resource pod`},
	} {
		if _, err := parseRules(c.src); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s\nerror %v\nwant %q", c.src, err, c.want)
		}
	}
}
