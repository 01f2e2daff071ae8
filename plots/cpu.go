package plots

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/kubesim/kubesim/metrics"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// cpuCharts are the CPU and HPA charts: each HPA's replicas and measured
// utilization over time, and CPU per node and per pod (metrics-server's
// values, in cores); more than 8 series are drawn as their distribution.
func cpuCharts(run Run) []chart {
	var out []chart
	for _, c := range []struct {
		name, title, ylabel, what string
		series                    []metrics.NamedSteps
		spread                    float64
	}{
		{"hpa_replicas", "Replicas per HPA target", "replicas", "HPAs", run.HPAReplicas, 0.07},
		{"hpa_utilization", "Utilization the HPA measured (% of request)", "% of request", "HPAs", run.HPAUtilization, 0},
		{"cpu_nodes", "CPU per node (metrics-server)", "cores", "nodes", run.NodeCPU, 0},
		{"cpu_pods", "CPU per pod (metrics-server)", "cores", "pods", run.PodCPU, 0},
	} {
		if c.ylabel == "cores" && allZero(c.series) {
			// No container of the run used modelled CPU (DockerCoins' services
			// take time, not CPU): a chart of every line at 0 cores says
			// nothing.
			continue
		}
		if ch, ok := stepsChartSpread(run, c.name, c.title, c.ylabel, c.what, c.series, c.spread); ok {
			out = append(out, ch)
		}
	}
	for _, m := range run.HPAMetrics {
		out = append(out, hpaMetricChart(run, m))
	}
	return out
}

// allZero reports whether every value of every series is 0 (or NaN: gone).
func allZero(series []metrics.NamedSteps) bool {
	for _, ns := range series {
		for _, p := range ns.Points {
			if p.V != 0 && !math.IsNaN(p.V) {
				return false
			}
		}
	}
	return true
}

// valueLabel is the axis label of an HPA metric's values: the metric's name
// and its unit, from the resource (cpu: cores, memory: bytes) or the base
// unit suffix Prometheus' naming conventions give (httplat_latency_seconds:
// s); the name alone otherwise.
func valueLabel(metric string) string {
	name, _, _ := strings.Cut(metric, " ")
	for _, u := range []struct{ suffix, unit string }{{"_seconds", "s"}, {"_bytes", "bytes"}, {"_ratio", "fraction"}, {"_percent", "%"}, {"_celsius", "°C"}, {"_meters", "m"}} {
		if strings.HasSuffix(name, u.suffix) {
			return name + " (" + u.unit + ")"
		}
	}
	switch name {
	case "cpu":
		return "cpu (cores)"
	case "memory":
		return "memory (bytes)"
	}
	return name
}

// hpaMetricChart is an HPA's metric against its target over time (the value
// the controller saw at each sync, held until the next; gaps while it had no
// value), above the target's replicas: file hpa_metric_NAME.
func hpaMetricChart(run Run, m metrics.TargetSteps) chart {
	end := run.Series.End
	target := strconv.FormatFloat(m.Target, 'g', 4, 64)
	top := newPlot(fmt.Sprintf("%s: HPA %s: %s as the HPA saw it, target %s", run.title(), m.Name, m.Metric, target), "simulated time (s)", valueLabel(m.Metric))
	timeAxis(top, end)
	var lg legend
	max := m.Target
	var first *plotter.Line
	for _, xys := range stepSegments(m.Value, end) {
		for _, xy := range xys {
			max = math.Max(max, xy.Y)
		}
		l := line(xys, 0, vg.Points(2), true)
		top.Add(l)
		if first == nil {
			first = l
		}
	}
	if first != nil {
		lg.add("value the HPA saw", first)
	}
	tl := &plotter.Line{XYs: plotter.XYs{{X: 0, Y: m.Target}, {X: end, Y: m.Target}},
		LineStyle: draw.LineStyle{Color: grey, Width: vg.Points(1.5), Dashes: []vg.Length{vg.Points(6), vg.Points(4)}}}
	top.Add(tl)
	lg.add("target "+target, tl)
	top.Y.Min, top.Y.Max = 0, linearTop(max*1.05)
	extra := addMarks(top, run, chartW)

	reps := newPlot(fmt.Sprintf("replicas of HPA %s's target", m.Name), "simulated time (s)", "replicas")
	timeAxis(reps, end)
	rmax := 0.0
	var rl *plotter.Line
	for _, xys := range stepSegments(m.Replicas, end) {
		for _, xy := range xys {
			rmax = math.Max(rmax, xy.Y)
		}
		rl = line(xys, 1, vg.Points(2), true)
		reps.Add(rl)
	}
	if rl != nil {
		lg.add("replicas", rl)
	}
	reps.Y.Min, reps.Y.Max = -0.3, linearTop(rmax+0.5)
	reps.Y.Tick.Marker = integerTicks{}
	// Equal panels (the marks' labels take from the top one), axes lined up.
	return chart{name: "hpa_metric_" + fileSafe(m.Name), title: fmt.Sprintf("HPA %s: %s against its target", m.Name, m.Metric),
		panels: []*plot.Plot{top, reps}, w: chartW, h: 2 * (3*vg.Inch + extra), legend: lg}
}
