package scenarios

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/kubesim/kubesim/metrics"

	"github.com/kubesim/kubesim/workload/custommetrics"
)

// The hpa-v2 chapter: rng's latency under 10 workers is about 0.7 s (one
// single-threaded rng pod serves 10 requests a second: each worker's loop
// takes 1 s, 0.3 s of which are outside rng's queue); the HPA has no value
// until Prometheus scraped httplat twice and the adapter relisted, then
// scales rng up, and httping's latency falls below 100 ms.
func TestHPALatencyBuiltin(t *testing.T) {
	res := runBuiltin(t, "hpa-latency")
	if len(res.Unexpected) > 0 {
		t.Fatalf("steps failed: %v", res.Unexpected)
	}
	out := func(at float64, prefix string) string {
		for _, s := range res.Timeline {
			if s.At >= at && s.At < at+10 && strings.HasPrefix(s.Command, prefix) && s.Output != "" && !strings.HasPrefix(s.Output, "PING") {
				return s.Output
			}
		}
		t.Fatalf("no %q step at %v s", prefix, at)
		return ""
	}
	if h := out(60, "httping"); !strings.Contains(h, "round-trip min/avg/max = 7") {
		t.Errorf("httping with one rng pod: want about 700 ms\n%s", h)
	}
	if g := out(200, "kubectl get hpa"); !strings.Contains(g, "<unknown>/100m") {
		t.Errorf("get hpa before the adapter has a value:\n%s", g)
	}
	if h := out(360, "httping"); !strings.Contains(h, "round-trip min/avg/max = 0.") && !strings.Contains(h, "round-trip min/avg/max = 1.") {
		t.Errorf("httping once rng scaled up: want under 2 ms\n%s", h)
	}
	d := out(720, "kubectl describe hpa")
	for _, want := range []string{
		`"httplat_latency_seconds" on Service/httplat (target value):`,
		"Stabilization Window: 60 seconds",
		"Stabilization Window: 180 seconds",
		"New size: 5; reason: Service metric httplat_latency_seconds above target",
		"All metrics below target",
	} {
		if !strings.Contains(d, want) {
			t.Errorf("describe hpa: no %q\n%s", want, d)
		}
	}
	hs := res.HPAs()
	if len(hs) != 1 || hs[0].Status.CurrentReplicas < 3 {
		t.Fatalf("HPAs at the end: %+v", hs)
	}
	// The chart's series: the latency the HPA saw against 0.1 s, with the
	// replicas; unknown until the adapter has a value, then about 0.7 s with
	// one rng pod, and under the target once rng has scaled up.
	cc := res.CPUCharts()
	if len(cc.HPAUtilization) != 0 || len(cc.HPAMetrics) != 1 {
		t.Fatalf("chart series: %d utilization, %d metric", len(cc.HPAUtilization), len(cc.HPAMetrics))
	}
	m := cc.HPAMetrics[0]
	if m.Name != "rng" || m.Metric != "httplat_latency_seconds of service/httplat" || m.Target != 0.1 || len(m.Value) != len(m.Replicas) {
		t.Fatalf("series %s %q target %v, %d values %d replicas", m.Name, m.Metric, m.Target, len(m.Value), len(m.Replicas))
	}
	first := -1
	for i, p := range m.Value {
		if !math.IsNaN(p.V) {
			first = i
			break
		}
	}
	if first < 1 || m.Value[first].V < 0.5 || m.Replicas[first].V != 1 {
		t.Errorf("first value: %d %+v with %v replicas, want about 0.7 s with 1, after unknown ones", first, m.Value[max(first, 0)], m.Replicas[max(first, 0)])
	}
	below := false
	for i, p := range m.Value {
		below = below || (p.V < 0.1 && m.Replicas[i].V >= 5)
	}
	if !below {
		t.Errorf("no value under the target once scaled up: %+v", m.Value)
	}
}

// httplat in front of a service that always takes 250 ms: the adapter's
// value is 250 ms plus the probe's four network hops (at most a few
// hundred microseconds each), truncated to milli-units.
func TestHTTPLatConstantService(t *testing.T) {
	y := `name: httplat
duration: 6m
timeline:
  - at: 0s
    run: |
      kubectl create deployment slow --image=slow
      kubectl expose deployment slow --port=80
      kubectl create deployment httplat --image=jpetazzo/httplat -- httplat http://slow/
      kubectl expose deployment httplat --port=9080
      kubectl annotate service httplat prometheus.io/scrape=true
workload:
  services:
    - {name: slow, image: slow, concurrency: 50, routes: [{name: /, service: 250ms}]}
`
	s, err := ParseFile("httplat.yaml", []byte(y))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(s)
	if err != nil {
		t.Fatal(err)
	}
	cm := res.auto.cm
	v, ok := cm.ObjectMetric("default", "Service", "httplat", custommetrics.HTTPLatency)
	if !ok || v < 250 || v > 252 {
		t.Errorf("httplat_latency_seconds = %dm (%v), want 250m-252m", v, ok)
	}
	// The Service itself is not annotated: no httplat series on it.
	if _, ok := cm.ObjectMetric("default", "Service", "slow", custommetrics.HTTPLatency); ok {
		t.Error("slow has an httplat value")
	}
	// A service mesh's view of slow: every probe is a request of 250 ms, 6 a minute.
	if v, ok := cm.ObjectMetric("default", "Service", "slow", custommetrics.LatencySeconds); !ok || v < 250 || v > 252 {
		t.Errorf("latency_seconds of slow = %dm (%v), want 250m-252m", v, ok)
	}
	if v, ok := cm.ObjectMetric("default", "Service", "slow", custommetrics.RequestsPerSecond); !ok || v != 100 {
		t.Errorf("requests_per_second of slow = %dm (%v), want 100m (one probe every 10 s)", v, ok)
	}
}

// An HPA's events go through the cluster's event log (get events,
// describe), `get all` lists it, and the JSON summary gives its target's
// replicas over time. By hand: created at 60 s on a 1-replica Deployment
// with --min=3, its first sync scales to 3 (below MinReplicas); the user
// scales to 5 at 170 s, seen at the sync of 180 s (5 is within 3..5 and
// the metrics fail: no CPU request, so the HPA keeps it); at 300 s the
// mean is (3 x 120 + 5 x 120) / 240 = 4, one rescale by the HPA.
func TestHPAEventsGetAllSummary(t *testing.T) {
	y := `name: hpa-events
duration: 5m
timeline:
  - at: 0s
    run: kubectl create deployment web --image=nginx
  - at: 60s
    run: kubectl autoscale deployment web --min=3 --max=5
  - at: 170s
    run: kubectl scale deployment web --replicas=5
  - at: 290s
    run: |
      kubectl get all
      kubectl get events --field-selector involvedObject.kind=HorizontalPodAutoscaler
      kubectl describe hpa web
`
	s, err := ParseFile("hpa-events.yaml", []byte(y))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(s)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, st := range res.Timeline {
		out[st.Command] = st.Output
	}
	if g := out["kubectl get all"]; !strings.Contains(g, "horizontalpodautoscaler.autoscaling/web   Deployment/web   cpu: <unknown>/80%   3         5         5") {
		t.Errorf("get all:\n%s", g)
	}
	rescale := "New size: 3; reason: Current number of replicas below Spec.MinReplicas"
	if g := out["kubectl get events --field-selector involvedObject.kind=HorizontalPodAutoscaler"]; !strings.Contains(g, "Normal    SuccessfulRescale") || !strings.Contains(g, "horizontalpodautoscaler/web   "+rescale) {
		t.Errorf("get events:\n%s", g)
	}
	if d := out["kubectl describe hpa web"]; !strings.Contains(d, "horizontal-pod-autoscaler  "+rescale) || !strings.Contains(d, "FailedGetResourceMetric") {
		t.Errorf("describe hpa:\n%s", d)
	}
	var hs []HPASummary
	for _, f := range res.Summary.Extra {
		if f.Key == "hpas" {
			hs = f.Value.([]HPASummary)
		}
	}
	if len(hs) != 1 {
		t.Fatalf("hpas: %+v", hs)
	}
	h := hs[0]
	if h.ReplicasMean != 4 || h.ReplicasPeak != 5 || h.Rescales != 1 || h.Replicas != 5 || len(h.ReplicasOverTime) != 2 ||
		h.ReplicasOverTime[0].T != 60 || h.ReplicasOverTime[0].V != 3 || h.ReplicasOverTime[1].T != 180 || h.ReplicasOverTime[1].V != 5 {
		t.Errorf("summary: %+v", h)
	}
}

// External metrics take the values the scenario scripts; with an
// AverageValue target of 10 the controller wants ceil(value / 10)
// replicas (GetExternalPerPodMetricReplicas): 30 -> 3; at 3m the value
// is 55 -> 6 (within the default scale-up limit of max(2 x 3, 4)).
// get hpa prints the per-pod value against the target: 55 / 6 pods =
// 9167m, rounded up as the controller does (ceil(55000 / 6) milli).
func TestHPAExternalScripted(t *testing.T) {
	y := `name: hpa-external
duration: 5m
externalMetrics:
  queue_messages_ready:
    - {at: 0s, value: 30}
    - {at: 3m, value: "55"}
files:
  hpa.yaml: |
    apiVersion: autoscaling/v2
    kind: HorizontalPodAutoscaler
    metadata: {name: worker}
    spec:
      scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: worker}
      minReplicas: 1
      maxReplicas: 10
      metrics:
      - type: External
        external:
          metric: {name: queue_messages_ready, selector: {matchLabels: {queue: worker_tasks}}}
          target: {type: AverageValue, averageValue: 10}
timeline:
  - at: 0s
    run: |
      kubectl create deployment worker --image=worker
      kubectl apply -f hpa.yaml
  - at: 2m50s
    run: kubectl get hpa
  - at: 4m50s
    run: kubectl get hpa
`
	s, err := ParseFile("hpa-external.yaml", []byte(y))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(s)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Unexpected) > 0 {
		t.Fatal(res.Unexpected)
	}
	want := []string{"10/10 (avg)   1         10        3", "9167m/10 (avg)   1         10        6"}
	i := 0
	for _, st := range res.Timeline {
		if st.Command == "kubectl get hpa" {
			if !strings.Contains(st.Output, want[i]) {
				t.Errorf("at %v s: want %q\n%s", st.At, want[i], st.Output)
			}
			i++
		}
	}
	if d := res.Cluster.Deployment("worker"); d.Replicas != 6 {
		t.Errorf("worker has %d replicas, want 6", d.Replicas)
	}
}

// A Pods metric: requests_per_second of each pod, 20 requests a second
// spread over the pods, an AverageValue target of 5: the closed form is
// N = ceil(20 / 5) = 4 (at 4 pods each serves about 5/s, within the
// tolerance).
func TestHPAPodsMetricSteadyState(t *testing.T) {
	y := `name: hpa-pods
duration: 10m
files:
  hpa.yaml: |
    apiVersion: autoscaling/v2
    kind: HorizontalPodAutoscaler
    metadata: {name: web}
    spec:
      scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
      maxReplicas: 10
      metrics:
      - type: Pods
        pods:
          metric: {name: requests_per_second}
          target: {type: AverageValue, averageValue: 5}
timeline:
  - at: 0s
    run: |
      kubectl create deployment web --image=web
      kubectl expose deployment web --port=80 --type=LoadBalancer
      kubectl apply -f hpa.yaml
  - at: 9m50s
    run: kubectl get hpa
workload:
  services:
    - {name: web, image: web, concurrency: 4, routes: [{name: /, service: 10ms}]}
  clients:
    - {name: load, rate: 20, arrival: constant, call: web}
`
	s, err := ParseFile("hpa-pods.yaml", []byte(y))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(s)
	if err != nil {
		t.Fatal(err)
	}
	if d := res.Cluster.Deployment("web"); d.Replicas != 4 {
		t.Errorf("web has %d replicas, want 4\n%v", d.Replicas, res.Timeline)
	}
}

// externalMetrics: values must be quantities, in time order.
func TestExternalMetricsErrors(t *testing.T) {
	_, err := ParseFile("bad.yaml", []byte("name: bad\nduration: 1m\nexternalMetrics:\n  q:\n    - {at: 30s, value: abc}\n    - {at: 10s, value: 1}\n"))
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{`bad.yaml:5: externalMetrics.q[0].value: "abc" is not a Kubernetes quantity`, "bad.yaml:6: externalMetrics.q[1].at: 10s is not after the previous value's time"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("want %q in\n%v", want, err)
		}
	}
}

// replicaWindows by hand: 2 replicas from 5 s, 4 from 25 s, to 40 s, in
// 10 s windows: [0,10) 2 x 5 / 10 = 1, [10,20) 2, [20,30) (2 x 5 + 4 x 5) /
// 10 = 3, [30,40) 4; pod-hours (2 x 20 + 4 x 15) / 3600.
func TestReplicaWindows(t *testing.T) {
	w, ph := replicaWindows([]metrics.Point{{T: 5, V: 2}, {T: 25, V: 4}}, 40, 10)
	if len(w) != 4 || w[0] != 1 || w[1] != 2 || w[2] != 3 || w[3] != 4 || ph != 100.0/3600 {
		t.Errorf("windows %v, pod-hours %v", w, ph)
	}
	// A last window cut by the end is averaged over its own width.
	if w, _ := replicaWindows([]metrics.Point{{T: 0, V: 3}}, 15, 10); len(w) != 2 || w[1] != 3 {
		t.Errorf("cut window: %v", w)
	}
}

// A memory Resource metric on the declared working set, against the closed
// form: 30 requests/s of 1 s each keep L = 30 requests in the pods; each
// pod holds 50Mi + 10Mi per request and requests 100Mi, so N pods use
// (50 N + 300) / 100 N of their requests. With an 80% target and the 0.1
// tolerance the controller stops at the first N it reaches with
// (50 N + 300) / (80 N) <= 1.1, N >= 7.9: from 1 pod it goes 1 -> 4 -> 6
// -> 8 (at 6: 100%, ceil(6 x 1.25) = 8) and stays (87.5%; 88.75% while a
// 31st request is in). top prints each pod's 50Mi + 10Mi x its requests.
// An HPA on pods without a declared working set gets no value.
func TestHPAMemoryMetric(t *testing.T) {
	y := `name: mem
duration: 12m
files:
  web.yaml: |
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web}
    spec:
      replicas: 1
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec:
          containers:
            - {name: web, image: example/web, resources: {requests: {memory: 100Mi}}}
  hpa.yaml: |
    apiVersion: autoscaling/v2
    kind: HorizontalPodAutoscaler
    metadata: {name: web}
    spec:
      scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
      maxReplicas: 20
      metrics:
      - type: Resource
        resource: {name: memory, target: {type: Utilization, averageUtilization: 80}}
  other.yaml: |
    apiVersion: autoscaling/v2
    kind: HorizontalPodAutoscaler
    metadata: {name: other}
    spec:
      scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: other}
      maxReplicas: 3
      metrics:
      - type: Resource
        resource: {name: memory, target: {type: AverageValue, averageValue: 64Mi}}
timeline:
  - at: 0s
    run: |
      kubectl apply -f web.yaml
      kubectl expose deployment web --port=80 --type=LoadBalancer
      kubectl apply -f hpa.yaml
      kubectl create deployment other --image=example/other
      kubectl apply -f other.yaml
  - at: 11m
    run: |
      kubectl top pods
      kubectl get hpa web
      kubectl describe hpa other
workload:
  services:
    - {name: web, image: web, concurrency: 1000, memory: {base: 50Mi, perRequest: 10Mi}, routes: [{name: /, service: 1s}]}
  clients:
    - {name: users, rate: 30, arrival: constant, call: web, start: 30s}
`
	s, err := ParseFile("mem.yaml", []byte(y))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(s)
	if err != nil {
		t.Fatal(err)
	}
	var steps []string
	for _, st := range res.Timeline {
		steps = append(steps, st.Output+st.Error)
	}
	if d := res.Cluster.Deployment("web"); d == nil || d.Replicas != 8 {
		t.Fatalf("web at the end: %v replicas, want 8\n%s", d.Replicas, strings.Join(steps, "\n"))
	}
	top, get, other := steps[len(steps)-3], steps[len(steps)-2], steps[len(steps)-1]
	if !strings.Contains(get, "memory: 87%/80%") && !strings.Contains(get, "memory: 88%/80%") {
		t.Errorf("get hpa:\n%s", get)
	}
	var lines []string
	for _, l := range strings.Split(top, "\n") {
		if strings.HasPrefix(l, "web-") {
			lines = append(lines, l)
		} else if strings.HasPrefix(l, "other-") && !strings.HasSuffix(l, " 0Mi") {
			t.Errorf("top pods: %q, want 0Mi (no memory declared)", l)
		}
	}
	if len(lines) != 8 {
		t.Fatalf("top pods:\n%s", top)
	}
	for _, l := range lines {
		f := strings.Fields(l)
		mi, err := strconv.Atoi(strings.TrimSuffix(f[2], "Mi"))
		if err != nil || mi < 50 || (mi-50)%10 != 0 {
			t.Errorf("top pods: %q, want 50Mi + 10Mi per request", l)
		}
	}
	if !strings.Contains(other, "resource memory on pods:  <unknown> / 64Mi") || !strings.Contains(other, "failed to get memory usage: unable to get metrics for resource memory: no metrics returned from resource metrics API") {
		t.Errorf("describe hpa of pods without a memory declaration:\n%s", other)
	}
}

// The adapter follows the rules of a ConfigMap prometheus-adapter (the
// chart's config.yaml) as the workshop edits it: its rule renamed
// (as: rng_latency) and over 5 minutes serves rng_latency and no longer
// the defaults; a rule kubesim cannot evaluate is refused with a Warning
// event on the ConfigMap naming the field, and nothing is served.
func TestAdapterRulesFromConfigMap(t *testing.T) {
	y := `name: rules
duration: 8m
files:
  adapter.yaml: |
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: prometheus-adapter, namespace: prometheus-adapter}
    data:
      config.yaml: |
        rules:
        - seriesQuery: 'httplat_latency_seconds_sum{namespace!="",service!=""}'
          resources:
            overrides:
              namespace:
                resource: namespace
              service:
                resource: service
          name:
            matches: "httplat_(.*)_seconds_sum"
            as: "rng_${1}"
          metricsQuery: |
            rate(httplat_latency_seconds_sum{<<.LabelMatchers>>}[5m])/rate(httplat_latency_seconds_count{<<.LabelMatchers>>}[5m])
  bad.yaml: |
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: prometheus-adapter, namespace: prometheus-adapter}
    data:
      config.yaml: |
        rules:
        - seriesQuery: 'httplat_latency_seconds_sum{kubernetes_namespace!="",kubernetes_name!=""}'
          resources:
            overrides:
              kubernetes_namespace: {resource: namespace}
              kubernetes_name: {resource: service}
          metricsQuery: histogram_quantile(0.9, rate(<<.Series>>{<<.LabelMatchers>>}[2m]))
timeline:
  - at: 0s
    run: |
      kubectl create namespace prometheus-adapter
      kubectl apply -f adapter.yaml
      kubectl create deployment slow --image=slow
      kubectl expose deployment slow --port=80
      kubectl create deployment httplat --image=jpetazzo/httplat -- httplat http://slow/
      kubectl expose deployment httplat --port=9080
      kubectl annotate service httplat prometheus.io/scrape=true
  - at: 7m
    run: kubectl describe configmap prometheus-adapter -n prometheus-adapter
workload:
  services:
    - {name: slow, image: slow, concurrency: 50, routes: [{name: /, service: 250ms}]}
`
	s, err := ParseFile("rules.yaml", []byte(y))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(s)
	if err != nil {
		t.Fatal(err)
	}
	if p := s.Check(); len(p) != 0 {
		t.Errorf("Check of a configuration the adapter reads: %q", p)
	}
	cm := res.auto.cm
	if v, ok := cm.ObjectMetric("default", "Service", "httplat", "rng_latency"); !ok || v < 250 || v > 252 {
		t.Errorf("rng_latency = %dm (%v), want 250m-252m", v, ok)
	}
	if _, ok := cm.ObjectMetric("default", "Service", "httplat", custommetrics.HTTPLatency); ok {
		t.Error("httplat_latency_seconds still served: the ConfigMap's rules replace the defaults")
	}
	if _, ok := cm.ObjectMetric("default", "Service", "slow", custommetrics.RequestsPerSecond); ok {
		t.Error("requests_per_second still served: the ConfigMap's rules replace the defaults")
	}
	// The 5-minute range: samples are kept for it (five scrapes and one).
	if cm.ConfigError() != nil {
		t.Fatalf("config refused: %v", cm.ConfigError())
	}

	bad := strings.Replace(y, "kubectl apply -f adapter.yaml", "kubectl apply -f bad.yaml", 1)
	if s, err = ParseFile("bad.yaml", []byte(bad)); err != nil {
		t.Fatal(err)
	}
	// kubesim validate (and run, before running) already says so.
	if p := s.Check(); len(p) != 1 || !strings.Contains(p[0], "kubectl apply -f bad.yaml: bad.yaml:1: ConfigMap prometheus-adapter: the adapter would refuse its config.yaml: rules[0].resources.overrides.kubernetes_name:") {
		t.Errorf("Check: %q", p)
	}
	if res, err = Run(s); err != nil {
		t.Fatal(err)
	}
	err = res.auto.cm.ConfigError()
	want := `rules[0].resources.overrides.kubernetes_name: kubesim's series have no label kubernetes_name (they have namespace, and service or pod)`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("config error %v, want %q", err, want)
	}
	d := res.Timeline[len(res.Timeline)-1].Output
	if !strings.Contains(d, "Warning  FailedToLoadConfig") || !strings.Contains(d, "prometheus-adapter  unable to load metrics discovery config from config.yaml: rules[0].") {
		t.Errorf("describe configmap:\n%s", d)
	}
	if _, ok := res.auto.cm.ObjectMetric("default", "Service", "slow", custommetrics.LatencySeconds); ok {
		t.Error("a refused configuration serves the defaults")
	}
}

// kubectl delete hpa prints what kubectl >= 1.31 prints for a namespaced
// object, the namespace included.
func TestDeleteHPAMessage(t *testing.T) {
	y := `name: del
duration: 1m
timeline:
  - at: 0s
    run: |
      kubectl create namespace shop
      kubectl create deployment web --image=example/web
      kubectl create deployment web -n shop --image=example/web
      kubectl autoscale deployment web --max 3
      kubectl autoscale deployment web -n shop --max 3
      kubectl delete hpa web
      kubectl delete hpa --all -n shop
`
	s, err := ParseFile("del.yaml", []byte(y))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(s)
	if err != nil {
		t.Fatal(err)
	}
	n := len(res.Timeline)
	if got := res.Timeline[n-2].Output; got != `horizontalpodautoscaler.autoscaling "web" deleted from default namespace` {
		t.Errorf("delete hpa web: %q", got)
	}
	if got := res.Timeline[n-1].Output; got != `horizontalpodautoscaler.autoscaling "web" deleted from shop namespace` {
		t.Errorf("delete hpa --all -n shop: %q", got)
	}
}

// The controller's limits before any metric, by hand: a Deployment of 6
// replicas under an HPA with max 3 is scaled to 3 at the first sync (above
// Spec.MaxReplicas), though no pod has a CPU request; scaled to 0 by the
// user, the HPA stops (ScalingActive False, ScalingDisabled) and leaves it
// at 0; scaled to 1, below min 2, it goes back to 2.
func TestHPAAboveMaxAndScaledToZero(t *testing.T) {
	y := `name: limits
duration: 2m
timeline:
  - at: 0s
    run: |
      kubectl create deployment web --image=example/web --replicas=6
      kubectl autoscale deployment web --min 2 --max 3
  - at: 10s
    run: kubectl scale deployment web --replicas=0
  - at: 50s
    run: kubectl describe hpa web
  - at: 60s
    run: kubectl scale deployment web --replicas=1
  - at: 100s
    run: kubectl get events --field-selector involvedObject.kind=HorizontalPodAutoscaler
`
	s, err := ParseFile("limits.yaml", []byte(y))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(s)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Unexpected) > 0 {
		t.Fatalf("steps: %v", res.Unexpected)
	}
	var describe, events string
	for _, st := range res.Timeline {
		switch {
		case strings.HasPrefix(st.Command, "kubectl describe hpa"):
			describe = st.Output
		case strings.HasPrefix(st.Command, "kubectl get events"):
			events = st.Output
		}
	}
	if !strings.Contains(describe, "ScalingActive  False   ScalingDisabled") || !strings.Contains(describe, "scaling is disabled since the replica count of the target is zero") ||
		!strings.Contains(describe, "Deployment pods:") || !strings.Contains(describe, "0 current / 0 desired") {
		t.Errorf("describe hpa with the target at 0:\n%s", describe)
	}
	for _, want := range []string{"New size: 3; reason: Current number of replicas above Spec.MaxReplicas", "New size: 2; reason: Current number of replicas below Spec.MinReplicas"} {
		if !strings.Contains(events, want) {
			t.Errorf("events lack %q:\n%s", want, events)
		}
	}
	if d := res.Cluster.Deployment("web"); d == nil || d.Replicas != 2 {
		t.Errorf("web at the end: %+v, want 2 replicas", d)
	}
}
