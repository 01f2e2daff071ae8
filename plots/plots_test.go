package plots_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"github.com/kubesim/kubesim/workload/dockercoins"
	"html"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/metrics"
	"github.com/kubesim/kubesim/plots"
	"github.com/kubesim/kubesim/scenarios"
)

// runDefault runs the default scenario and returns what the CLI hands to
// plots.WriteAll.
func runDefault(t *testing.T) plots.Run {
	t.Helper()
	s := scenarios.Default()
	res, err := scenarios.Run(s)
	if err != nil {
		t.Fatal(err)
	}
	run := plots.Run{Title: s.Name, Description: s.Description, Summary: res.Summary, Series: res.Rec.Series(), Workloads: res.Workloads()}
	for _, st := range res.Timeline {
		run.Timeline = append(run.Timeline, plots.Step{T: st.At, Command: st.Command, Output: st.Output, Error: st.Error, Later: st.Later})
	}
	return run
}

// wantCharts is the charts every DockerCoins run must have: throughput, the
// latency of each Service that served a request, the CDFs, rng's load,
// endpoints and pods per node.
func wantCharts(run plots.Run) []string {
	want := []string{"throughput", "latency_cdf", "load_rng", "endpoints", "pods_per_node"}
	for name, svc := range run.Summary.Services {
		if svc.Requests > svc.Errors {
			want = append(want, "latency_"+name)
		}
	}
	return want
}

// Every chart is a valid PNG and SVG of a readable size, and the report embeds
// and links each one, shows the timeline and loads nothing from the network.
func TestWriteAllDefaultScenario(t *testing.T) {
	run := runDefault(t)
	dir := t.TempDir()
	files, err := plots.WriteAll(dir, run)
	if err != nil {
		t.Fatal(err)
	}
	written := map[string]bool{}
	for _, f := range files {
		written[filepath.Base(f)] = true
	}
	page, err := os.ReadFile(filepath.Join(dir, plots.ReportName))
	if err != nil {
		t.Fatal(err)
	}
	report := string(page)
	charts := wantCharts(run)
	for _, name := range charts {
		b, err := os.ReadFile(filepath.Join(dir, name+".png"))
		if err != nil {
			t.Errorf("chart %s: %v", name, err)
			continue
		}
		cfg, err := png.DecodeConfig(bytes.NewReader(b))
		if err != nil {
			t.Errorf("%s.png is not a PNG: %v", name, err)
		} else if cfg.Width < 800 || cfg.Height < 350 || len(b) < 15000 {
			t.Errorf("%s.png is %dx%d, %d bytes: too small to read", name, cfg.Width, cfg.Height, len(b))
		}
		sv, err := os.ReadFile(filepath.Join(dir, name+".svg"))
		if err != nil {
			t.Errorf("chart %s: %v", name, err)
			continue
		}
		if s := string(sv); !strings.Contains(s, "<svg") || !strings.HasSuffix(strings.TrimSpace(s), "</svg>") || len(sv) < 4000 {
			t.Errorf("%s.svg is not a complete SVG of sensible size (%d bytes)", name, len(sv))
		}
		if !strings.Contains(report, `href="`+name+`.svg"`) || !strings.Contains(report, `id="`+name+`"`) {
			t.Errorf("the report does not show chart %s", name)
		}
		if !written[name+".png"] || !written[name+".svg"] {
			t.Errorf("WriteAll did not list %s", name)
		}
	}
	if n := strings.Count(report, `src="data:image/png;base64,`); n < len(charts) {
		t.Errorf("the report embeds %d images, want at least %d", n, len(charts))
	}
	for _, bad := range []string{"http://", "https://", "<script", "<link", "@import", "url("} {
		if strings.Contains(report, bad) {
			t.Errorf("the report contains %q: it must be self-contained", bad)
		}
	}
	text := html.UnescapeString(report)
	for _, st := range run.Timeline {
		if !strings.Contains(text, st.Command) {
			t.Errorf("the report's timeline lacks %q", st.Command)
		}
	}
	loadSVG, _ := os.ReadFile(filepath.Join(dir, "load_rng.svg"))
	for _, pod := range run.Series.Pods {
		if pod.Summary.App != "rng" {
			continue
		}
		if !strings.Contains(report, pod.Name) {
			t.Errorf("the report does not name rng pod %s", pod.Name)
		}
		if !bytes.Contains(loadSVG, []byte(pod.Name)) {
			t.Errorf("the rng load chart does not label pod %s by name", pod.Name)
		}
	}
	// Every instant with steps is labelled on the throughput chart with its
	// first command (long commands cut short).
	tpSVG, _ := os.ReadFile(filepath.Join(dir, "throughput.svg"))
	tp := html.UnescapeString(string(tpSVG))
	for i, st := range run.Timeline {
		if i > 0 && run.Timeline[i-1].T == st.T {
			continue
		}
		label := strings.TrimPrefix(st.Command, "kubectl ")
		if len(label) > 40 {
			label = label[:40]
		}
		if !strings.Contains(tp, label) {
			t.Errorf("the throughput chart does not label step %q", st.Command)
		}
	}
}

func readCSV(t *testing.T, dir, name string) []map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if len(recs) < 2 {
		t.Fatalf("%s has no rows", name)
	}
	var out []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			m[h] = r[i]
		}
		out = append(out, m)
	}
	return out
}

func f64(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("not a number: %q", s)
	}
	return v
}

// The CSV files say what the JSON summary says, and add up.
func TestCSVAgreesWithJSON(t *testing.T) {
	run := runDefault(t)
	dir := t.TempDir()
	if _, err := plots.WriteAll(dir, run); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(run.Summary)
	if err != nil {
		t.Fatal(err)
	}
	var sum metrics.Summary
	if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatal(err)
	}
	// DockerCoins' own fields of the summary.
	var dc struct {
		Windows        []dockercoins.Window `json:"windows"`
		HashesComputed int64                `json:"hashes_computed"`
	}
	if err := json.Unmarshal(b, &dc); err != nil {
		t.Fatal(err)
	}

	wins := readCSV(t, dir, "windows.csv")
	if len(wins) != len(dc.Windows) || len(wins) == 0 {
		t.Fatalf("windows.csv has %d rows, JSON %d windows", len(wins), len(dc.Windows))
	}
	for i, w := range wins {
		j := dc.Windows[i]
		if f64(t, w["start_s"]) != j.Start || f64(t, w["hashes_per_s"]) != j.HashesPerSec || f64(t, w["hashes_computed_per_s"]) != *j.ComputedPerSec {
			t.Errorf("window %d: CSV %v, JSON %+v", i, w, j)
		}
	}

	for _, r := range readCSV(t, dir, "services.csv") {
		j, ok := sum.Services[r["service"]]
		if !ok {
			t.Errorf("services.csv has %s, JSON does not", r["service"])
			continue
		}
		if f64(t, r["requests"]) != float64(j.Requests) || f64(t, r["errors"]) != float64(j.Errors) ||
			f64(t, r["p99_ms"]) != j.LatencyMs.P99 || f64(t, r["max_ms"]) != j.LatencyMs.Max {
			t.Errorf("service %s: CSV %v, JSON %+v", r["service"], r, j)
		}
	}

	perSvc := map[string]int64{}
	for _, r := range readCSV(t, dir, "service_windows.csv") {
		perSvc[r["service"]] += int64(f64(t, r["requests"]))
		j := sum.Services[r["service"]]
		found := false
		for _, w := range j.Windows {
			if w.Start == f64(t, r["start_s"]) {
				found = true
				if f64(t, r["p50_ms"]) != w.LatencyMs.P50 || f64(t, r["end_s"]) != w.End || f64(t, r["requests"]) != float64(w.Requests) {
					t.Errorf("service %s window at %s s: CSV %v, JSON %+v", r["service"], r["start_s"], r, w)
				}
			}
		}
		if !found {
			t.Errorf("service %s: CSV window at %s s is not in the JSON", r["service"], r["start_s"])
		}
	}
	for name, j := range sum.Services {
		if perSvc[name] != j.Requests {
			t.Errorf("service %s: windows hold %d requests, the run %d", name, perSvc[name], j.Requests)
		}
	}

	var computed int64
	for _, r := range readCSV(t, dir, "throughput.csv") {
		computed += int64(f64(t, r["hashes_computed"]))
	}
	if computed != dc.HashesComputed || computed == 0 {
		t.Errorf("throughput.csv counts %d hashes computed, JSON %d", computed, dc.HashesComputed)
	}

	served := map[string]int64{}
	for _, r := range readCSV(t, dir, "pods.csv") {
		j, ok := sum.Pods[r["pod"]]
		if !ok || f64(t, r["served"]) != float64(j.Served) || f64(t, r["utilisation"]) != j.Utilisation || r["node"] != j.Node {
			t.Errorf("pod %s: CSV %v, JSON %+v", r["pod"], r, j)
		}
	}
	for _, r := range readCSV(t, dir, "pod_load.csv") {
		served[r["pod"]] += int64(f64(t, r["served"]))
		if u := f64(t, r["utilisation"]); u < 0 || u > 1+1e-9 {
			t.Errorf("pod %s utilisation %g outside [0, 1]", r["pod"], u)
		}
	}
	for name, j := range sum.Pods {
		if served[name] != j.Served {
			t.Errorf("pod %s: pod_load.csv serves %d, JSON %d", name, served[name], j.Served)
		}
	}
	// rng's servers served every rng request that succeeded, and perhaps some
	// whose response was still on its way at the end.
	var rngServed int64
	for _, j := range sum.Pods {
		if j.App == "rng" {
			rngServed += j.Served
		}
	}
	if ok := sum.Services["rng"].Requests - sum.Services["rng"].Errors; rngServed < ok || rngServed > ok+sum.Requests.InFlight {
		t.Errorf("rng pods served %d, clients got %d successful rng responses (%d requests in flight)", rngServed, ok, sum.Requests.InFlight)
	}

	last := map[string]float64{}
	for _, r := range readCSV(t, dir, "node_pods.csv") {
		last[r["node"]] = f64(t, r["pods"])
	}
	for name, n := range sum.Nodes {
		if int(last[name]) != len(n.Pods) {
			t.Errorf("node %s: node_pods.csv ends at %g pods, JSON lists %d", name, last[name], len(n.Pods))
		}
	}
	if tl := readCSV(t, dir, "timeline.csv"); len(tl) != len(run.Timeline) {
		t.Errorf("timeline.csv has %d steps, the run %d", len(tl), len(run.Timeline))
	}
}

// The same seed gives byte-identical CSV files and report.
func TestOutputDeterministic(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	for _, dir := range []string{a, b} {
		run := runDefault(t)
		run.Summary.WallSeconds = 0
		if _, err := plots.WriteAll(dir, run); err != nil {
			t.Fatal(err)
		}
	}
	entries, err := os.ReadDir(a)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".csv") && !strings.HasSuffix(e.Name(), ".html") && !strings.HasSuffix(e.Name(), ".svg") {
			continue
		}
		x, _ := os.ReadFile(filepath.Join(a, e.Name()))
		y, _ := os.ReadFile(filepath.Join(b, e.Name()))
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between two runs with the same seed", e.Name())
		}
	}
}

func TestWriteAllNeedsSeries(t *testing.T) {
	_, err := plots.WriteAll(t.TempDir(), plots.Run{Title: "x"})
	if err == nil || !strings.Contains(err.Error(), "Series") {
		t.Fatalf("got %v, want an error naming the missing Series", err)
	}
}

// fakeClock is a wall clock moved by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func TestProgress(t *testing.T) {
	var quiet bytes.Buffer
	p := plots.NewProgress(&quiet, false)
	for i := 0; i < 100; i++ {
		p.Update(time.Duration(i)*time.Second, 100*time.Second, uint64(i)*1000)
	}
	p.Done()
	if quiet.Len() != 0 {
		t.Fatalf("not a terminal, yet the progress bar wrote %q", quiet.String())
	}

	var out bytes.Buffer
	clk := &fakeClock{t: time.Unix(0, 0)}
	p = plots.NewProgressClock(&out, true, clk.now)
	p.Update(0, 100*time.Second, 0)
	clk.t = clk.t.Add(time.Second)
	p.Update(50*time.Second, 100*time.Second, 2_000_000)
	first := out.String()
	if !strings.Contains(first, " 50%") || !strings.Contains(first, "2.0M events/s") || !strings.Contains(first, "50s / 1m40s") {
		t.Fatalf("progress line %q: want 50%%, 2.0M events/s and 50s / 1m40s", first)
	}
	// Within the redraw interval: nothing more is written.
	clk.t = clk.t.Add(10 * time.Millisecond)
	p.Update(60*time.Second, 100*time.Second, 2_100_000)
	if out.String() != first {
		t.Fatalf("redrawn within the interval: %q", out.String())
	}
	clk.t = clk.t.Add(time.Second)
	p.Update(100*time.Second, 100*time.Second, 3_000_000)
	if !strings.Contains(out.String(), "100%") {
		t.Fatalf("no 100%% line: %q", out.String())
	}
	p.Done()
	if !strings.HasSuffix(out.String(), "\r") {
		t.Fatalf("Done did not clear the line: %q", out.String())
	}
}

// Called on every event, the progress bar reads the clock rarely and still
// redraws about every Interval.
func BenchmarkProgressUpdate(b *testing.B) {
	var out bytes.Buffer
	p := plots.NewProgress(&out, true)
	for i := 0; i < b.N; i++ {
		p.Update(time.Duration(i), time.Duration(b.N), uint64(i))
	}
}

// A run without any traffic (no workload deployed) still gets its charts, CSV
// files and report, without errors, and nothing of DockerCoins' (no mining
// speed chart, no web UI or windows CSV).
func TestWriteAllIdleCluster(t *testing.T) {
	s := &scenarios.Scenario{Name: "idle", Seed: 1, Duration: 30 * time.Second, Nodes: scenarios.WorkshopNodes(), Config: scenarios.DefaultConfig()}
	res, err := scenarios.Run(s)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files, err := plots.WriteAll(dir, plots.Run{Title: s.Name, Summary: res.Summary, Series: res.Rec.Series(), Workloads: res.Workloads()})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"pods_per_node.svg", "timeline.csv", plots.ReportName} {
		if _, err := os.Stat(filepath.Join(dir, want)); err != nil {
			t.Errorf("%s not written (%d files): %v", want, len(files), err)
		}
	}
	for _, not := range []string{"throughput.png", "windows.csv", "webui.csv"} {
		if _, err := os.Stat(filepath.Join(dir, not)); err == nil {
			t.Errorf("%s written for a run without DockerCoins", not)
		}
	}
	report, err := os.ReadFile(filepath.Join(dir, plots.ReportName))
	if err != nil || bytes.Contains(report, []byte("hashes")) {
		t.Errorf("the report of a run without DockerCoins mentions hashes (or is missing: %v)", err)
	}
}

// With node groups, --out draws the autoscaling chart: each group's nodes
// and the pending pods; without, none.
func TestAutoscalingChart(t *testing.T) {
	s := &metrics.Series{End: 100, Window: 10, Bin: 1}
	run := plots.Run{Title: "ca", Series: s,
		NodeGroups:  []metrics.NamedSteps{{Name: "nodes: pool", Points: []metrics.Point{{T: 0, V: 0}, {T: 50, V: 2}}}},
		PendingPods: []metrics.Point{{T: 10, V: 5}, {T: 60, V: 0}}}
	dir := t.TempDir()
	files, err := plots.WriteAll(dir, run)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(files, filepath.Join(dir, "autoscaling.png")) || !slices.Contains(files, filepath.Join(dir, "autoscaling.svg")) {
		t.Errorf("files %v lack the autoscaling chart", files)
	}
	run.NodeGroups, run.PendingPods = nil, nil
	dir = t.TempDir()
	files, err = plots.WriteAll(dir, run)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(files, filepath.Join(dir, "autoscaling.png")) {
		t.Errorf("autoscaling chart without node groups")
	}
}

// An HPA on a custom metric gets hpa_metric_NAME: the value it saw against
// its target (on an axis named by the metric, with the unit its name gives),
// above its replicas; the report shows it. HPAs on a
// Utilization target have none (hpa_utilization draws them).
func TestHPAMetricChart(t *testing.T) {
	s := &metrics.Series{End: 300, Window: 10, Bin: 1}
	run := plots.Run{Title: "lat", Series: s,
		HPAMetrics: []metrics.TargetSteps{{Name: "rng", Metric: "httplat_latency_seconds of service/httplat", Target: 0.1,
			Value:    []metrics.Point{{T: 15, V: math.NaN()}, {T: 60, V: 0.75}, {T: 120, V: 0.02}},
			Replicas: []metrics.Point{{T: 15, V: 1}, {T: 60, V: 5}, {T: 120, V: 5}}}}}
	dir := t.TempDir()
	files, err := plots.WriteAll(dir, run)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"hpa_metric_rng.png", "hpa_metric_rng.svg"} {
		if !slices.Contains(files, filepath.Join(dir, f)) {
			t.Errorf("files %v lack %s", files, f)
		}
	}
	svg, _ := os.ReadFile(filepath.Join(dir, "hpa_metric_rng.svg"))
	for _, want := range []string{"httplat_latency_seconds of service/httplat as the HPA saw it, target 0.1", "value the HPA saw", "target 0.1", "replicas", "httplat_latency_seconds (s)"} {
		if !bytes.Contains(svg, []byte(want)) {
			t.Errorf("hpa_metric_rng.svg lacks %q", want)
		}
	}
	report, _ := os.ReadFile(filepath.Join(dir, plots.ReportName))
	if !bytes.Contains(report, []byte("hpa_metric_rng")) {
		t.Errorf("the report does not show hpa_metric_rng")
	}
	run.HPAMetrics = nil
	dir = t.TempDir()
	if files, err = plots.WriteAll(dir, run); err != nil || slices.Contains(files, filepath.Join(dir, "hpa_metric_rng.png")) {
		t.Errorf("hpa_metric chart without an HPA metric (%v)", err)
	}
}
