package scenarios

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/kubesim/kubesim/metrics"
	"github.com/kubesim/kubesim/model/hpa"
	"github.com/kubesim/kubesim/sim"
)

// maxSeriesPoints bounds a chart series: past twice this many points, every
// other one is dropped and the series keeps one sample in two from then on
// (a day of 15 s scrapes keeps at most 1,200 points per pod or node).
const maxSeriesPoints = 600

// boundedSeries is a sampled time series of fewer than 2 x maxSeriesPoints
// points (metrics.Thinned).
type boundedSeries struct {
	name string
	metrics.Thinned[metrics.Point]
}

func (b *boundedSeries) add(t sim.Time, v float64) {
	b.Add(metrics.Point{T: t.Seconds(), V: v}, 2*maxSeriesPoints)
}

// cpuSeries are metrics-server's values over time, for the charts: each
// node's and each pod's CPU in cores, at every scrape, drawn over the window
// they average (from Timestamp - Window).
type cpuSeries struct {
	nodes map[string]*boundedSeries
	pods  map[string]*boundedSeries
}

func (a *autoscaling) recordScrape(now sim.Time) {
	if a.cpu.nodes == nil {
		a.cpu.nodes, a.cpu.pods = map[string]*boundedSeries{}, map[string]*boundedSeries{}
	}
	seen := map[string]bool{}
	for _, n := range a.c.Nodes() {
		if s, ok := a.ms.Node(n.Name); ok {
			series(a.cpu.nodes, n.Name).add(s.Timestamp-s.Window, float64(s.MilliCPU)/1000)
			seen[n.Name] = true
		}
	}
	ended(a.cpu.nodes, seen, now)
	clear(seen)
	for _, p := range a.c.Pods() {
		if s, ok := a.ms.Pod(p); ok {
			series(a.cpu.pods, p.Name).add(s.Timestamp-s.Window, float64(s.MilliCPU)/1000)
			seen[p.Name] = true
		}
	}
	ended(a.cpu.pods, seen, now)
}

// ended ends, at now, the line of a pod or node that is gone or has lost its
// metrics (a NaN point: the chart stops drawing it, and its distribution
// leaves it out, rather than showing a deleted pod at 0 cores to the end).
func ended(m map[string]*boundedSeries, seen map[string]bool, now sim.Time) {
	for name, b := range m {
		if !seen[name] && len(b.Items) > 0 && !math.IsNaN(b.Items[len(b.Items)-1].V) {
			b.Items = append(b.Items, metrics.Point{T: now.Seconds(), V: math.NaN()})
		}
	}
}

func series(m map[string]*boundedSeries, name string) *boundedSeries {
	b := m[name]
	if b == nil {
		b = &boundedSeries{name: name}
		m[name] = b
	}
	return b
}

func named(m map[string]*boundedSeries) []metrics.NamedSteps {
	out := make([]metrics.NamedSteps, 0, len(m))
	for _, b := range m {
		out = append(out, metrics.NamedSteps{Name: b.name, Points: b.Items})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// CPUCharts is what the CPU and HPA charts draw: each HPA's replicas and
// measured utilization (percent of the request) at its syncs, and each
// node's and pod's CPU (cores) at metrics-server's scrapes (a NaN value: from
// then on the pod or node is gone or has no metrics). Empty for a run
// without HPAs or metrics-server.
type CPUCharts struct {
	HPAReplicas, HPAUtilization, NodeCPU, PodCPU []metrics.NamedSteps
	// HPAMetrics is, for each HPA whose first metric has a Value or
	// AverageValue target (a custom, external or cpu AverageValue metric),
	// that value at each sync against the target, with the replicas.
	HPAMetrics []metrics.TargetSteps
}

// CPUCharts returns the run's CPU and HPA series.
func (r *Result) CPUCharts() CPUCharts {
	var c CPUCharts
	a := r.auto
	if a == nil {
		return c
	}
	for i := range a.series {
		s := &a.series[i]
		c.HPAReplicas = append(c.HPAReplicas, metrics.NamedSteps{Name: s.HPA, Points: s.Replicas.Items})
		if len(s.Utilization.Items) > 0 { // a Utilization target
			c.HPAUtilization = append(c.HPAUtilization, metrics.NamedSteps{Name: s.HPA, Points: s.Utilization.Items})
		}
		if len(s.Metric.Items) > 0 && s.h != nil && len(s.h.Metrics) > 0 {
			m := &s.h.Metrics[0]
			_, target := metricValue(m, hpa.MetricStatus{})
			c.HPAMetrics = append(c.HPAMetrics, metrics.TargetSteps{Name: s.HPA, Metric: metricLabel(m), Target: target,
				Value: s.Metric.Items, Replicas: s.Replicas.Items})
		}
	}
	c.NodeCPU, c.PodCPU = named(a.cpu.nodes), named(a.cpu.pods)
	return c
}

// metricValue is the value of a metric with a Value or AverageValue target
// as the controller saw it (NaN when unknown) and its target, in the
// metric's units (cores for cpu, bytes for memory).
func metricValue(m *hpa.MetricSpec, st hpa.MetricStatus) (v, target float64) {
	v, target = float64(st.AverageValue)/1000, float64(m.AverageValue)/1000
	if m.TargetType == hpa.Value {
		v, target = float64(st.Value)/1000, float64(m.Value)/1000
	}
	if !st.Known {
		v = math.NaN()
	}
	return v, target
}

// metricLabel says what a metric's value is, for the chart.
func metricLabel(m *hpa.MetricSpec) string {
	avg := ""
	if m.TargetType == hpa.AverageValue {
		avg = ", average per pod"
	}
	switch m.Type {
	case hpa.Resource:
		unit := "cores"
		if m.Resource == "memory" {
			unit = "bytes"
		}
		return fmt.Sprintf("%s (%s%s)", m.Resource, unit, avg)
	case hpa.Object:
		return fmt.Sprintf("%s of %s/%s%s", m.Name, strings.ToLower(m.ObjectKind), m.ObjectName, avg)
	case hpa.External:
		return fmt.Sprintf("%s (external%s)", m.Name, avg)
	}
	return fmt.Sprintf("%s (pods%s)", m.Name, avg)
}
