package plots

import "github.com/kubesim/kubesim/metrics"

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
		if ch, ok := stepsChartSpread(run, c.name, c.title, c.ylabel, c.what, c.series, c.spread); ok {
			out = append(out, ch)
		}
	}
	return out
}
