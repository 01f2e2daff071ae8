package plots

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubesim/kubesim/metrics"
	"github.com/kubesim/kubesim/scenarios"
	"gonum.org/v1/plot/plotter"
)

// A NaN value ends a step function's line at its time (a pod deleted, a node
// without metrics): the line does not run on at 0 to the end of the run, a
// later value starts a new line, and a distribution leaves the series out
// while it is NaN instead of counting it as 0.
func TestStepFunctionsEndAtNaN(t *testing.T) {
	nan := math.NaN()
	segs := stepSegments([]metrics.Point{{T: 10, V: 1}, {T: 20, V: 0.5}, {T: 30, V: nan}, {T: 60, V: 2}, {T: 70, V: nan}, {T: 80, V: nan}}, 100)
	want := []plotter.XYs{{{X: 10, Y: 1}, {X: 20, Y: 0.5}, {X: 30, Y: 0.5}}, {{X: 60, Y: 2}, {X: 70, Y: 2}}}
	if len(segs) != len(want) {
		t.Fatalf("segments %v, want %v", segs, want)
	}
	for i := range want {
		if len(segs[i]) != len(want[i]) {
			t.Fatalf("segment %d: %v, want %v", i, segs[i], want[i])
		}
		for j := range want[i] {
			if segs[i][j] != want[i][j] {
				t.Errorf("segment %d: %v, want %v", i, segs[i], want[i])
			}
		}
	}
	if s := stepSegments([]metrics.Point{{T: 10, V: 3}}, 100); len(s) != 1 || s[0][1] != (plotter.XY{X: 100, Y: 3}) {
		t.Errorf("a series still alive at the end: %v, want it held to 100", s)
	}

	// Two pods at 1 core, one deleted at 50 s: from then on the median is
	// the survivor's 1, not 0.5 (and no minimum of 0).
	b := stepBands([]metrics.NamedSteps{
		{Name: "a", Points: []metrics.Point{{T: 0, V: 1}}},
		{Name: "b", Points: []metrics.Point{{T: 0, V: 1}, {T: 50, V: nan}}},
	}, 100, 10)
	for k, x := range b.xs {
		if b.min[k] != 1 || b.p50[k] != 1 {
			t.Errorf("at %v s: min %v, median %v; want 1 and 1", x, b.min[k], b.p50[k])
		}
	}

	// Through WriteAll: a chart of such series is drawn (gonum refuses NaN
	// points, so a NaN reaching a line would fail the write).
	s := &metrics.Series{End: 100, Window: 10, Bin: 1}
	run := Run{Title: "ended", Series: s, PodCPU: []metrics.NamedSteps{
		{Name: "web-1", Points: []metrics.Point{{T: 0, V: 1}, {T: 40, V: nan}}},
		{Name: "web-2", Points: []metrics.Point{{T: 30, V: 0.5}}},
	}}
	dir := t.TempDir()
	if _, err := WriteAll(dir, run); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "cpu_pods.png")); err != nil {
		t.Error(err)
	}
}

// A result that arrives later (httping's probes, ab's report) is listed in
// the report but not marked on the charts as a step of its own.
func TestLaterResultsAreNotMarked(t *testing.T) {
	g := groupSteps([]Step{
		{T: 30, Command: "httping web -c 3"},
		{T: 33.001, Command: "httping web -c 3", Later: true},
		{T: 60, Command: "ab -c 3 -t 600 http://web/"},
		{T: 60, Command: "kubectl get hpa"},
		{T: 660, Command: "ab -c 3 -t 600 http://web/", Later: true},
	})
	var labels []string
	for _, m := range g {
		labels = append(labels, m.label)
	}
	if got := strings.Join(labels, " | "); got != "30s  httping web -c 3 | 60s  ab -c 3 -t 600 http://web/ (+1 more)" {
		t.Errorf("marks %q", got)
	}
}

// A node deleted during the run (its pods-per-node series ends with NaN) is
// named "(deleted at T s)" in the chart's legend, and node_pods.csv gives its
// deletion as a row with no pod count rather than a count of 0.
func TestDeletedNodeInPodsPerNode(t *testing.T) {
	nan := math.NaN()
	s := &metrics.Series{End: 300, Window: 10, Bin: 1, NodePods: []metrics.NamedSteps{
		{Name: "node1", Points: []metrics.Point{{T: 0, V: 2}}},
		{Name: "pool-1", Points: []metrics.Point{{T: 100, V: 0}, {T: 101, V: 3}, {T: 200, V: 0}, {T: 240, V: nan}}},
	}}
	marked := markDeleted(s.NodePods)
	if marked[0].Name != "node1" || marked[1].Name != "pool-1 (deleted at 240 s)" {
		t.Errorf("legend names %q, %q", marked[0].Name, marked[1].Name)
	}
	if s.NodePods[1].Name != "pool-1" {
		t.Error("markDeleted renamed the run's own series")
	}
	dir := t.TempDir()
	if _, err := WriteAll(dir, Run{Title: "deleted", Series: s}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "node_pods.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "pool-1,200,0\npool-1,240,\n") || strings.Contains(string(b), "NaN") {
		t.Errorf("node_pods.csv:\n%s", b)
	}
	svg, err := os.ReadFile(filepath.Join(dir, "pods_per_node.svg"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(svg), "deleted at 240 s") {
		t.Error("pods_per_node.svg does not say pool-1 was deleted")
	}
}

// The web UI's line has a gap where its polls got no answer (the workshop's
// node reboot takes the web UI and redis down from 600 s to about 720 s): no
// segment of the line joins readings more than 3 poll periods apart, and the
// reboot falls in a gap rather than under a straight line from the last
// reading before it to the first after.
func TestWebUILineGapAtReboot(t *testing.T) {
	segs := pointSegments([]metrics.Point{{T: 1, V: 5}, {T: 2, V: 6}, {T: 3, V: 5}, {T: 130, V: -80}, {T: 131, V: 0}}, 3)
	if len(segs) != 2 || len(segs[0]) != 3 || len(segs[1]) != 2 || segs[1][0].X != 130 {
		t.Errorf("segments %v, want [1 2 3] [130 131]", segs)
	}
	if segs := pointSegments([]metrics.Point{{T: 1, V: 5}, {T: 130, V: 6}}, 0); len(segs) != 1 || len(segs[0]) != 2 {
		t.Errorf("without a gap: segments %v, want one line", segs)
	}

	res, err := scenarios.Run(scenarios.Default())
	if err != nil {
		t.Fatal(err)
	}
	var webui *metrics.Line
	for _, f := range res.Workloads() {
		for _, c := range f.Charts {
			for i := range c.Lines {
				if strings.HasPrefix(c.Lines[i].Label, "web UI") {
					webui = &c.Lines[i]
				}
			}
		}
	}
	if webui == nil || webui.Gap <= 0 {
		t.Fatalf("the web UI line %+v has no gap length", webui)
	}
	across := false
	for _, seg := range pointSegments(webui.Points, webui.Gap) {
		for i := 1; i < len(seg); i++ {
			if seg[i].X-seg[i-1].X > webui.Gap {
				t.Errorf("a segment joins %v s and %v s", seg[i-1].X, seg[i].X)
			}
		}
		if seg[0].X < 610 && seg[len(seg)-1].X > 700 {
			across = true
		}
	}
	if across {
		t.Error("the web UI line runs through the node reboot (600-720 s)")
	}
}

// A CPU chart whose every line is at 0 cores (no container used modelled CPU:
// DockerCoins under hpa-latency) is not drawn; one with a value is.
func TestAllZeroCPUChartsLeftOut(t *testing.T) {
	s := &metrics.Series{End: 100, Window: 10, Bin: 1}
	zero := []metrics.NamedSteps{{Name: "node1", Points: []metrics.Point{{T: 15, V: 0}, {T: 30, V: 0}}}}
	busy := []metrics.NamedSteps{{Name: "web-1", Points: []metrics.Point{{T: 15, V: 0}, {T: 30, V: 0.25}}}}
	var names []string
	for _, c := range cpuCharts(Run{Title: "zero", Series: s, NodeCPU: zero, PodCPU: busy}) {
		names = append(names, c.name)
	}
	if strings.Join(names, " ") != "cpu_pods" {
		t.Errorf("charts %v, want cpu_pods only", names)
	}
}

// Lines past the palette's colours are dashed, so that no two lines of a
// chart look the same; log axes within 3 decades are labelled at 1, 2 and 5
// times the powers of ten.
func TestLinesAndLogTicksReadable(t *testing.T) {
	if a, b := line(nil, 0, 1, false), line(nil, len(palette), 1, false); a.Color != b.Color || len(a.Dashes) != 0 || len(b.Dashes) == 0 {
		t.Errorf("line 0 dashes %v, line %d dashes %v", a.Dashes, len(palette), b.Dashes)
	}
	var labels []string
	for _, tk := range (logTicks{}).Ticks(0.25, 4) {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	if strings.Join(labels, " ") != "0.5 1 2" {
		t.Errorf("labels over [0.25, 4]: %v, want 0.5 1 2", labels)
	}
	labels = labels[:0]
	for _, tk := range (logTicks{}).Ticks(0.01, 10000) {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	if strings.Join(labels, " ") != "0.01 0.1 1 10 100 1000 10000" {
		t.Errorf("labels over 6 decades: %v", labels)
	}
}

// A chart of measurements (cores, percent) has round ticks between its whole
// numbers: hpa-cpu's pods use 0.3 to 1 core, which an axis labelled 0 and 1
// only did not let anyone read. Counts keep whole-number ticks.
func TestMeasurementChartsTickFractions(t *testing.T) {
	s := &metrics.Series{End: 100, Window: 10, Bin: 1}
	pods := []metrics.NamedSteps{{Name: "web-1", Points: []metrics.Point{{T: 15, V: 0.3}, {T: 30, V: 0.95}}}}
	replicas := []metrics.NamedSteps{{Name: "web", Points: []metrics.Point{{T: 0, V: 1}, {T: 30, V: 3}}}}
	seen := 0
	for _, c := range cpuCharts(Run{Title: "t", Series: s, PodCPU: pods, HPAReplicas: replicas}) {
		seen++
		var labels []string
		for _, tk := range c.panels[0].Y.Tick.Marker.Ticks(c.panels[0].Y.Min, c.panels[0].Y.Max) {
			if tk.Label != "" {
				labels = append(labels, tk.Label)
			}
		}
		got := strings.Join(labels, " ")
		switch c.name {
		case "cpu_pods":
			if got != "0 0.2 0.4 0.6 0.8 1" {
				t.Errorf("cpu_pods (0.3 to 0.95 cores) labelled %q, want 0 0.2 0.4 0.6 0.8 1", got)
			}
		case "hpa_replicas":
			if got != "0 1 2 3" {
				t.Errorf("hpa_replicas (1 to 3) labelled %q, want 0 1 2 3", got)
			}
		}
	}
	if seen != 2 {
		t.Errorf("%d charts, want cpu_pods and hpa_replicas", seen)
	}
}
