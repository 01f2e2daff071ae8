package scenarios

import (
	"math"
	"strings"
	"testing"
	"time"
)

// The workshop's HPA story: autoscale fails on the missing CPU request, the
// HPA scales busyhttp up once the Deployment requests cpu: 1, and
// httping's latency under ab -c 3 falls from several seconds to about one.
func TestHPACPUBuiltin(t *testing.T) {
	res := runBuiltin(t, "hpa-cpu")
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
	if d := out(120, "kubectl describe hpa"); !strings.Contains(d, "the HPA was unable to compute the replica count: failed to get cpu utilization: missing request for cpu in container busyhttp of Pod busyhttp-") {
		t.Errorf("describe before the request is set:\n%s", d)
	}
	if g := out(120, "kubectl get hpa"); !strings.Contains(g, "cpu: <unknown>/80%") {
		t.Errorf("get hpa before the request is set:\n%s", g)
	}
	hs := res.HPAs()
	if len(hs) != 1 || hs[0].Status.CurrentReplicas < 3 || hs[0].Status.DesiredReplicas < 3 {
		t.Fatalf("HPAs at the end: %+v", hs)
	}
	// The deployment's pods at the end: as many as the HPA asked.
	n := 0
	for _, p := range res.Cluster.Pods() {
		if strings.HasPrefix(p.Name, "busyhttp-") && p.Running {
			n++
		}
	}
	if int32(n) != hs[0].Status.DesiredReplicas {
		t.Errorf("%d busyhttp pods running, HPA desired %d", n, hs[0].Status.DesiredReplicas)
	}
	// Three requests at a time on one single-threaded pod: httping waits
	// seconds; spread over the scaled-up pods, about the 1 s of CPU.
	if h := out(90, "httping"); !strings.Contains(h, "round-trip min/avg/max = 3") {
		t.Errorf("httping under load on one pod: want 3 s or more\n%s", h)
	}
}

// steadyYAML: constant arrivals of RATE requests a second, each 100 ms of
// CPU, on pods requesting REQ of CPU, an HPA with a TARGET% utilization
// target and MAX replicas.
const steadyYAML = `name: hpa-steady
duration: 10m
timeline:
  - at: 0s
    run: |
      kubectl apply -f web.yaml
      kubectl expose deployment web --port=80 --type=LoadBalancer
      kubectl autoscale deployment web --max=MAX --cpu-percent=TARGET
files:
  web.yaml: |
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web}
    spec:
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec:
          containers:
            - {name: web, image: example/web, resources: {requests: {cpu: REQ}}}
workload:
  services:
    - {name: web, image: web, concurrency: 4, routes: [{name: /, cpu: 100ms}]}
  clients:
    - {name: load, rate: RATE, arrival: constant, call: web, start: 30s}
`

// Steady state against the closed form: a load of L = rate x 0.1 cores on
// pods requesting r cores, with a target t, settles at N = ceil(L / (r t))
// replicas (at N the usage ratio L/(N r t) is in ((N-1)/N, 1], within the
// 0.1 tolerance once N >= 10; below, one sync from any count outside the
// tolerance lands on ceil(ratio x N) = N), or at max.
func TestHPASteadyStateClosedForm(t *testing.T) {
	for _, c := range []struct {
		rate, req, target, max string
		want                   int32
	}{
		{"10", "150m", "50", "20", 14}, // 1 core / (0.15 x 0.5) = 13.3
		{"10", "200m", "50", "20", 10}, // 1 / 0.1 = 10
		{"20", "250m", "80", "20", 10}, // 2 / 0.2 = 10
		{"10", "100m", "50", "8", 8},   // 20, capped at max
	} {
		y := strings.NewReplacer("RATE", c.rate, "REQ", c.req, "TARGET", c.target, "MAX", c.max).Replace(steadyYAML)
		s, err := ParseFile("steady.yaml", []byte(y))
		if err != nil {
			t.Fatal(err)
		}
		res, err := Run(s)
		if err != nil {
			t.Fatal(err)
		}
		hs := res.HPAs()
		if len(hs) != 1 || hs[0].Status.DesiredReplicas != c.want || res.Cluster.Deployment("web").Replicas != int(c.want) {
			t.Errorf("rate %s, request %s, target %s%%: HPA %+v, want %d replicas", c.rate, c.req, c.target, hs[0].Status, c.want)
		}
	}
}

// A chart series keeps at most 2 x maxSeriesPoints points however long the
// run: a day of 15 s scrapes (5,760) is thinned to one in eight, evenly.
func TestBoundedSeries(t *testing.T) {
	var b boundedSeries
	for i := 0; i < 5760; i++ {
		b.add(time.Duration(i)*15*time.Second, float64(i))
	}
	if len(b.Items) >= 2*maxSeriesPoints || len(b.Items) < maxSeriesPoints/2 {
		t.Fatalf("%d points", len(b.Items))
	}
	step := b.Items[1].V - b.Items[0].V
	for i := 1; i < len(b.Items); i++ {
		if b.Items[i].V-b.Items[i-1].V != step {
			t.Fatalf("uneven thinning at %d: %v, %v", i, b.Items[i-1], b.Items[i])
		}
	}
	if b.Items[0].V != 0 || step != 8 {
		t.Errorf("first %v, one point in %v", b.Items[0], step)
	}
}

// The run's CPU and HPA series feed the charts: the HPA's replicas reach
// its final count, every busyhttp pod has a CPU series, and the first pod
// used a whole core under ab before the patch replaced it.
func TestHPACPUCharts(t *testing.T) {
	res := runBuiltin(t, "hpa-cpu")
	c := res.CPUCharts()
	if len(c.HPAReplicas) != 1 || len(c.NodeCPU) != 4 || len(c.PodCPU) != 4 {
		t.Fatalf("series: %d HPA, %d nodes, %d pods", len(c.HPAReplicas), len(c.NodeCPU), len(c.PodCPU))
	}
	r := c.HPAReplicas[0].Points
	if r[len(r)-1].V != float64(res.HPAs()[0].Status.CurrentReplicas) {
		t.Errorf("replicas series ends at %v", r[len(r)-1])
	}
	top := 0.0
	first := c.PodCPU[0].Points
	for _, p := range first {
		if !math.IsNaN(p.V) {
			top = max(top, p.V)
		}
	}
	if top < 0.99 || top > 1.001 {
		t.Errorf("first pod's CPU peaks at %.3f cores, want 1 (one thread, 1 s of CPU per request, always busy)", top)
	}
	// The patch at 2m30s replaces that pod: its line ends (NaN) at the first
	// scrape without it, instead of running on at 0 cores to the end.
	if last := first[len(first)-1]; !math.IsNaN(last.V) || last.T < 150 || last.T > 200 {
		t.Errorf("the replaced pod's series ends with %v, want NaN soon after 150 s", last)
	}
	for _, ns := range c.PodCPU[1:] {
		if last := ns.Points[len(ns.Points)-1]; math.IsNaN(last.V) {
			t.Errorf("%s: a pod alive at the end has its series ended at %v", ns.Name, last.T)
		}
	}
}
