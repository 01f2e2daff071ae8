package plots_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubesim/kubesim/metrics"
	"github.com/kubesim/kubesim/plots"
)

// largeRun is a synthetic run of n rng pods, one per node, each busy in
// proportion to its index, over 300 s in 1 s bins: what a large cluster hands
// to WriteAll, without simulating it.
func largeRun(n int) plots.Run {
	const end = 300.0
	s := &metrics.Series{End: end, Window: 10, Bin: 1, Detailed: true}
	sum := metrics.Summary{Scenario: "large", SimSeconds: end, Detailed: true,
		Services: map[string]metrics.ServiceSummary{}, Nodes: map[string]metrics.NodeSummary{}, Pods: map[string]metrics.PodSummary{}}
	for i := 0; i < n; i++ {
		name, node := fmt.Sprintf("rng-%05d", i), fmt.Sprintf("node%d", i+1)
		u := 0.1 + 0.8*float64(i)/float64(n)
		ps := metrics.PodSummary{Node: node, App: "rng", Requests: int64(1000 * u), Slots: 1, LifeSeconds: end,
			Served: int64(1000 * u), BusySeconds: u * end, Utilisation: u, MeanQueue: u / 2, MaxQueue: 3}
		p := metrics.PodSeries{Name: name, Summary: ps}
		for b := 0; b < int(end); b++ {
			p.Bins = append(p.Bins, metrics.PodBin{Start: float64(b), End: float64(b + 1), Served: 3, Utilisation: u, MeanQueue: u / 2, MaxQueue: 3})
		}
		s.Pods = append(s.Pods, p)
		sum.Pods[name] = ps
		sum.Nodes[node] = metrics.NodeSummary{Pods: []string{name, "worker-" + name[4:] + "-a", "worker-" + name[4:] + "-b"}}
		s.NodePods = append(s.NodePods, metrics.NamedSteps{Name: node, Points: []metrics.Point{{T: 0, V: 1}, {T: 30 + float64(i%50), V: 3}}})
	}
	s.Endpoints = []metrics.NamedSteps{{Name: "rng", Points: []metrics.Point{{T: 0, V: float64(n)}}}}
	return plots.Run{Title: "large", Summary: sum, Series: s}
}

func pngSize(t *testing.T, path string) (int, int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return cfg.Width, cfg.Height
}

// With thousands of pods and nodes, per-pod and per-node charts show
// distributions: a PNG of bounded height, the busiest pods named and the rest
// aggregated, and a report whose tables do not list every pod and node.
func TestWriteAllLargeClusterShowsDistributions(t *testing.T) {
	const n = 3000
	run := largeRun(n)
	dir := t.TempDir()
	if _, err := plots.WriteAll(dir, run); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"load_rng", "pods_per_node"} {
		if w, h := pngSize(t, filepath.Join(dir, name+".png")); h > 3000 || w > 3000 {
			t.Errorf("%s.png is %dx%d px, want at most a few thousand", name, w, h)
		}
	}
	svg, err := os.ReadFile(filepath.Join(dir, "load_rng.svg"))
	if err != nil {
		t.Fatal(err)
	}
	busiest, idle := fmt.Sprintf("rng-%05d", n-1), "rng-00000"
	if !bytes.Contains(svg, []byte(busiest)) {
		t.Errorf("the load chart does not name the busiest pod %s", busiest)
	}
	if bytes.Contains(svg, []byte(idle)) {
		t.Errorf("the load chart names the idlest pod %s: it should aggregate all but the busiest", idle)
	}
	if !bytes.Contains(svg, []byte(fmt.Sprintf("all %d pods", n))) {
		t.Errorf("the load chart does not say it shows the distribution over all %d pods", n)
	}
	if len(svg) > 2<<20 {
		t.Errorf("load_rng.svg is %d bytes: it grows with the pods", len(svg))
	}
	nodes, _ := os.ReadFile(filepath.Join(dir, "pods_per_node.svg"))
	if !bytes.Contains(nodes, []byte(fmt.Sprintf("%d nodes; lines: the 5 furthest from the median", n))) ||
		!bytes.Contains(nodes, []byte(fmt.Sprintf("the other %d nodes", n-5*n/50))) || bytes.Contains(nodes, []byte("node17<")) {
		t.Errorf("the pods-per-node chart does not show the distribution over the %d nodes, with 5 lines of the furthest, instead of a line per node", n)
	}
	page, err := os.ReadFile(filepath.Join(dir, plots.ReportName))
	if err != nil {
		t.Fatal(err)
	}
	if len(page) > 2<<20 {
		t.Errorf("report.html is %d bytes for %d pods: it grows with the cluster", len(page), n)
	}
	report := string(page)
	if strings.Count(report, "<code>rng-") > 50 || !strings.Contains(report, fmt.Sprintf("more rng pods (every pod is in pods.csv)")) {
		t.Errorf("the report lists %d rng pods and no summary of the rest", strings.Count(report, "<code>rng-"))
	}
	if !strings.Contains(report, busiest) {
		t.Errorf("the report does not list the busiest pod %s", busiest)
	}
	if !strings.Contains(report, fmt.Sprintf("%d nodes, with", n)) || strings.Count(report, "<tr><td>node") > 50 {
		t.Errorf("the report lists %d nodes, want a summary and the busiest few", strings.Count(report, "<tr><td>node"))
	}
	// The CSV files have every pod.
	pods := readCSV(t, dir, "pods.csv")
	if len(pods) != n {
		t.Errorf("pods.csv has %d rows, want %d", len(pods), n)
	}
	if load := readCSV(t, dir, "pod_load.csv"); len(load) != n*300 {
		t.Errorf("pod_load.csv has %d rows, want %d", len(load), n*300)
	}
}

// Identical step functions are one line named by all of them; nodes are
// ordered naturally (node2 before node10).
func TestIdenticalSeriesCollapse(t *testing.T) {
	run := largeRun(4)
	same := []metrics.Point{{T: 0, V: 1}, {T: 30, V: 3}}
	run.Series.NodePods = []metrics.NamedSteps{{Name: "node1", Points: same}, {Name: "node10", Points: []metrics.Point{{T: 0, V: 2}}}, {Name: "node2", Points: same}}
	dir := t.TempDir()
	if _, err := plots.WriteAll(dir, run); err != nil {
		t.Fatal(err)
	}
	svg, _ := os.ReadFile(filepath.Join(dir, "pods_per_node.svg"))
	if !bytes.Contains(svg, []byte("node1, node2<")) {
		t.Errorf("node1 and node2 have the same pods over time, but the chart does not draw them as one line \"node1, node2\"")
	}
	if bytes.Contains(svg, []byte(">node1<")) || bytes.Contains(svg, []byte(">node2<")) {
		t.Errorf("node1 or node2 still has a legend entry of its own")
	}
}

// Beyond 8 distinct series, a chart draws the 5 furthest from the median as
// lines of their own and the others as their distribution: with Online
// Boutique's 11 Services, the frontend scaled to 3 is a line named frontend,
// not the top of a band.
func TestManySeriesFurthestAsLines(t *testing.T) {
	run := largeRun(4)
	// svc01..svc10 become ready at 6..15 s, one each second; the frontend
	// at 20 s, scaled to 3 at 200 s. The median of the 11 is 1 from 11 s on
	// (svc06's time): svc01 is 5 s away from it, svc02 and svc10 4 s, svc03
	// and svc09 3 s (ties in name order), the frontend 209 s.
	run.Series.Endpoints = []metrics.NamedSteps{{Name: "frontend", Points: []metrics.Point{{T: 0, V: 0}, {T: 20, V: 1}, {T: 200, V: 3}}}}
	for i := 1; i <= 10; i++ {
		run.Series.Endpoints = append(run.Series.Endpoints, metrics.NamedSteps{Name: fmt.Sprintf("svc%02d", i), Points: []metrics.Point{{T: 0, V: 0}, {T: float64(5 + i), V: 1}}})
	}
	dir := t.TempDir()
	if _, err := plots.WriteAll(dir, run); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "endpoints.svg"))
	if err != nil {
		t.Fatal(err)
	}
	svg := string(b)
	for _, want := range []string{">frontend<", ">svc01<", ">svc02<", ">svc10<", ">svc03<", "11 Services; lines: the 5 furthest from the median, drawn slightly apart)", "the other 6 Services: min–max", "median of the other 6"} {
		if !strings.Contains(svg, want) {
			t.Errorf("endpoints.svg does not show %q", want)
		}
	}
	for _, not := range []string{">svc06<", ">svc09<", ">svc04<"} {
		if strings.Contains(svg, not) {
			t.Errorf("endpoints.svg draws %s as a line of its own: it is no further from the median than the band's", not[1:len(not)-1])
		}
	}
}

// A summary with more pods than the budget lists the busiest of each app and
// summarises every app, so that summary.json stays of bounded size.
func TestBoundSummary(t *testing.T) {
	small := largeRun(10).Summary
	if b := plots.BoundSummary(small); len(b.Pods) != 10 || b.PodApps != nil {
		t.Errorf("a summary within the budget changed: %d pods, pod_apps %v", len(b.Pods), b.PodApps)
	}
	const n = 5000
	sum := largeRun(n).Summary
	sum.Pods["hasher-1"] = metrics.PodSummary{App: "hasher", Node: "node1", Slots: 20, Served: 7, Requests: 7, LifeSeconds: 300}
	b := plots.BoundSummary(sum)
	if len(b.Pods) != plots.PodBudget {
		t.Errorf("%d pods listed, want the budget %d", len(b.Pods), plots.PodBudget)
	}
	if _, ok := b.Pods["hasher-1"]; !ok {
		t.Errorf("the only hasher pod was left out: every app keeps its share of the budget")
	}
	if _, ok := b.Pods[fmt.Sprintf("rng-%05d", n-1)]; !ok {
		t.Errorf("the busiest rng pod was left out")
	}
	rng := b.PodApps["rng"]
	if rng.Pods != n || rng.Listed != plots.PodBudget-1 || rng.ServedPerS.Max <= rng.ServedPerS.Min || rng.Utilisation.Max < 0.89 {
		t.Errorf("rng summarised as %+v", rng)
	}
	js, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	full, _ := json.Marshal(sum)
	if !bytes.Contains(js, []byte(`"pod_apps"`)) || len(js) > len(full)/2 {
		t.Errorf("bounded summary is %d bytes (full %d) and has pod_apps: %v", len(js), len(full), bytes.Contains(js, []byte(`"pod_apps"`)))
	}
}

// summary.json describes at most NodeBudget nodes one by one, the ones with
// the most pods, and summarises them all, so its size does not grow with the
// cluster; pods_on_nodes.csv lists every pod on every node.
func TestBoundSummaryNodes(t *testing.T) {
	small := largeRun(10).Summary
	if b := plots.BoundSummary(small); len(b.Nodes) != 10 || b.NodeCounts != nil {
		t.Errorf("a summary within the node budget changed: %d nodes, node_counts %+v", len(b.Nodes), b.NodeCounts)
	}
	size := func(n int) (plots.BoundedSummary, int) {
		run := largeRun(n)
		busy := run.Summary.Nodes[fmt.Sprintf("node%d", n)]
		busy.Pods = append(busy.Pods, "extra-a", "extra-b")
		run.Summary.Nodes[fmt.Sprintf("node%d", n)] = busy
		b := plots.BoundSummary(run.Summary)
		js, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		return b, len(js)
	}
	const n = 5000
	b, big := size(n)
	_, mid := size(1000)
	if len(b.Nodes) != plots.NodeBudget {
		t.Errorf("%d nodes listed, want the budget %d", len(b.Nodes), plots.NodeBudget)
	}
	if _, ok := b.Nodes[fmt.Sprintf("node%d", n)]; !ok {
		t.Errorf("the node with the most pods was left out")
	}
	if _, ok := b.Nodes["node1"]; !ok {
		t.Errorf("node1 left out: ties go in natural name order")
	}
	want := plots.NodeCounts{Nodes: n, Listed: plots.NodeBudget, Pods: 3*n + 2,
		PodsPerNode: plots.Spread{Min: 3, P10: 3, P50: 3, P90: 3, Max: 5}}
	if b.NodeCounts == nil || *b.NodeCounts != want {
		t.Errorf("node_counts %+v, want %+v", b.NodeCounts, want)
	}
	if big > mid+mid/10 {
		t.Errorf("summary.json is %d bytes at %d nodes, %d at 1000: it grows with the cluster", big, n, mid)
	}
	dir := t.TempDir()
	if _, err := plots.WriteAll(dir, largeRun(20)); err != nil {
		t.Fatal(err)
	}
	csv, err := os.ReadFile(filepath.Join(dir, "pods_on_nodes.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(csv)), "\n")
	if len(lines) != 1+3*20 || lines[0] != "node,pod" || lines[1] != "node1,rng-00000" || lines[4] != "node2,rng-00001" {
		t.Errorf("pods_on_nodes.csv has %d lines, starting %q", len(lines), lines[:min(len(lines), 5)])
	}
}

// Load charts are chosen from what the run has, whatever the workload: the
// busiest app (the bottleneck) and every app with 2 or more serving pods, not
// a list of DockerCoins' services.
func TestLoadChartsFollowTheRunsApps(t *testing.T) {
	s := &metrics.Series{End: 20, Window: 10, Bin: 1, Detailed: true}
	sum := metrics.Summary{SimSeconds: 20, Services: map[string]metrics.ServiceSummary{}, Nodes: map[string]metrics.NodeSummary{}}
	for _, p := range []struct {
		name, app string
		util      float64
	}{{"front-1", "front", 0.9}, {"cache-1", "cache", 0.1}, {"api-1", "api", 0.2}, {"api-2", "api", 0.3}} {
		ps := metrics.PodSummary{Node: "node2", App: p.app, Slots: 4, LifeSeconds: 20, Served: 100, Utilisation: p.util}
		var bins []metrics.PodBin
		for i := 0; i < 20; i++ {
			bins = append(bins, metrics.PodBin{Start: float64(i), End: float64(i + 1), Served: 5, Utilisation: p.util})
		}
		s.Pods = append(s.Pods, metrics.PodSeries{Name: p.name, Summary: ps, Bins: bins})
	}
	dir := t.TempDir()
	files, err := plots.WriteAll(dir, plots.Run{Title: "apps", Summary: sum, Series: s})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, f := range files {
		got[filepath.Base(f)] = true
	}
	for f, want := range map[string]bool{"load_front.png": true, "load_api.png": true, "load_cache.png": false, "load_rng.png": false, "throughput.png": false} {
		if got[f] != want {
			t.Errorf("%s written: %v, want %v (files %v)", f, got[f], want, files)
		}
	}
}
