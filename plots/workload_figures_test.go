package plots_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/metrics"
	"github.com/kubesim/kubesim/plots"
	"github.com/kubesim/kubesim/scenarios"
)

// A workload's own figures reach the outputs whatever the workload: a table
// becomes its CSV file (floats, integers, empty cells as written), a chart its
// PNG and SVG with its title and legend, its facts and its rate's unit the
// report's; nothing of DockerCoins' appears.
func TestWriteAllDrawsAnyWorkloadsFigures(t *testing.T) {
	s := &scenarios.Scenario{Name: "jobs", Seed: 1, Duration: 30 * time.Second, Nodes: scenarios.WorkshopNodes(), Config: scenarios.DefaultConfig()}
	res, err := scenarios.Run(s)
	if err != nil {
		t.Fatal(err)
	}
	fig := &metrics.Figures{Workload: "batch",
		Rate: &metrics.Rate{Title: "Jobs done", What: "jobs finished per second, per window", Unit: "jobs", Total: 12, Metric: "jobs_per_s",
			Windows:     []metrics.RateWindow{{Start: 0, End: 10, PerSec: 0.5}, {Start: 10, End: 30, PerSec: 0.35}},
			Instant:     []metrics.Point{{T: 5, V: 0.4}, {T: 25, V: 0.3}},
			InstantWhat: "the queue's dashboard"},
		Facts:  []metrics.Fact{{Name: "Jobs", Value: "12 done", Note: "by the workers"}},
		Tables: []metrics.Table{{Name: "jobs.csv", Columns: []string{"t_s", "done", "rate"}, Rows: [][]any{{0.5, int64(3), nil}, {1.25, int64(7), 4.0}}}},
		Charts: []metrics.Chart{{Name: "jobs", Title: "Jobs done", YLabel: "jobs/s", Lines: []metrics.Line{
			{Label: "dashboard", Points: []metrics.Point{{T: 5, V: 0.4}, {T: 25, V: 0.3}}, Width: 1, Faint: true},
			{Label: "per window", Steps: []metrics.Step{{Start: 0, End: 10, V: 0.5}, {Start: 10, End: 30, V: 0.35}}, Width: 2},
			{Label: "finished", Steps: []metrics.Step{{Start: 0, End: 1, V: 2}, {Start: 1, End: 2, V: 1}}, Counts: true, Width: 1, Colour: 1},
		}}}}
	dir := t.TempDir()
	if _, err := plots.WriteAll(dir, plots.Run{Title: s.Name, Summary: res.Summary, Series: res.Rec.Series(), Workloads: []*metrics.Figures{fig}}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "jobs.csv"))
	if want := "t_s,done,rate\n0.5,3,\n1.25,7,4\n"; err != nil || string(b) != want {
		t.Errorf("jobs.csv = %q (%v), want %q", b, err, want)
	}
	svg, err := os.ReadFile(filepath.Join(dir, "jobs.svg"))
	if err != nil {
		t.Fatal(err)
	}
	text := svgText(t, "jobs.svg", svg)
	for _, want := range []string{"jobs: jobs done", "jobs/s", "dashboard", "per window", "finished per 1s"} {
		if !strings.Contains(text, want) {
			t.Errorf("jobs.svg does not show %q", want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "jobs.png")); err != nil {
		t.Error(err)
	}
	report, err := os.ReadFile(filepath.Join(dir, plots.ReportName))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"12 done", "jobs/s before", "the queue&#39;s dashboard", "jobs.png"} {
		if !bytes.Contains(report, []byte(want)) {
			t.Errorf("the report lacks %q", want)
		}
	}
	for _, not := range []string{"hashes", "throughput.png", "webui.csv"} {
		if bytes.Contains(report, []byte(not)) {
			t.Errorf("the report of a run without DockerCoins mentions %q", not)
		}
	}
}
