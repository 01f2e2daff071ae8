package bench

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/plots"
	"github.com/kubesim/kubesim/scenarios"
)

// largeCapacity is the capacity scenario on nodes worker nodes with rng as a
// DaemonSet (one pod per node) and the workers scaled to 10 per node at 30 s,
// run for d.
func largeCapacity(tb testing.TB, nodes int, d time.Duration) *scenarios.Scenario {
	src, ok := scenarios.BuiltinSource("capacity")
	if !ok {
		tb.Fatal("no built-in scenario capacity")
	}
	y := strings.Replace(string(src), "\n  workers: 3\n", fmt.Sprintf("\n  workers: %d\n", nodes), 1)
	y = strings.Replace(y, "placement: deployment", "placement: daemonset", 1)
	y += fmt.Sprintf("  - at: 30s\n    run: kubectl scale deployment worker --replicas=%d\n", 10*nodes)
	s, err := scenarios.ParseFile("large.yaml", []byte(y))
	if err != nil {
		tb.Fatal(err)
	}
	if len(s.Nodes) < nodes {
		tb.Fatalf("the scenario has %d nodes, want at least %d", len(s.Nodes), nodes)
	}
	s.Duration = d
	raiseAPILimits(s)
	return s
}

// BenchmarkWriteOut is what `kubesim run --out DIR` spends after the run:
// summary.json, every chart (PNG and SVG), CSV file and report.html, for the
// capacity scenario on 1,000 nodes (rng DaemonSet, 10,000 workers, 2
// simulated minutes). The run itself is outside the timer.
func BenchmarkWriteOut(b *testing.B) {
	for _, nodes := range []int{1000} {
		b.Run(fmt.Sprintf("nodes=%d", nodes), func(b *testing.B) {
			s := largeCapacity(b, nodes, 2*time.Minute)
			res, err := scenarios.RunWith(s, scenarios.Options{})
			if err != nil {
				b.Fatal(err)
			}
			// What cmd/kubesim's outOf takes from a run: the workloads' own
			// figures (DockerCoins' throughput chart, webui.csv, windows.csv,
			// throughput.csv), the CPU charts and the events included.
			run := plots.Run{Title: s.Name, Description: s.Description, Summary: res.Summary, Series: res.Rec.Series(), Workloads: res.Workloads()}
			cc := res.CPUCharts()
			run.HPAReplicas, run.HPAUtilization, run.NodeCPU, run.PodCPU, run.HPAMetrics = cc.HPAReplicas, cc.HPAUtilization, cc.NodeCPU, cc.PodCPU, cc.HPAMetrics
			for _, st := range res.Timeline {
				run.Timeline = append(run.Timeline, plots.Step{T: st.At, Command: st.Command, Output: st.Output, Error: st.Error, Later: st.Later})
			}
			for _, e := range res.Events() {
				run.Events = append(run.Events, plots.Event{First: e.First.Seconds(), Last: e.Last.Seconds(), Type: e.Type,
					Reason: e.Reason, Object: scenarios.EventObject(e), Message: e.Message, Count: e.Count})
			}
			dir := b.TempDir()
			b.ReportAllocs()
			b.ResetTimer()
			var bytes int64
			for i := 0; i < b.N; i++ {
				js, err := json.MarshalIndent(plots.BoundSummary(res.Summary), "", "  ")
				if err != nil {
					b.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, "summary.json"), js, 0o644); err != nil {
					b.Fatal(err)
				}
				files, err := plots.WriteAll(dir, run)
				if err != nil {
					b.Fatal(err)
				}
				bytes = int64(len(js))
				for _, f := range files {
					if st, err := os.Stat(f); err == nil {
						bytes += st.Size()
					}
				}
			}
			b.StopTimer()
			// The files kubesim run --out writes for this scenario.
			for _, f := range []string{"summary.json", "report.html", "throughput.png", "webui.csv", "windows.csv", "throughput.csv", "load_rng.png", "pods.csv"} {
				if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
					b.Errorf("the writer did not write %s, which kubesim run --out writes", f)
				}
			}
			b.ReportMetric(float64(bytes)/1e6, "MB-written")
		})
	}
}
