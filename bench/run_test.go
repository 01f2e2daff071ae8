package bench

import (
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scenarios"
	"github.com/kubesim/kubesim/sim"
)

// runMeasured runs scenario s as scenarios.RunWith does, with the Recorder's
// detailed collection on or off. It cannot run steps that read scenario files
// (kubectl apply -f): the step executor that reads them is scenarios' own.
// TODO(lead): once scenarios.Options can switch detailed measurement off, use
// scenarios.RunWith here and benchmark the default (workshop) scenario.
func runMeasured(tb testing.TB, s *scenarios.Scenario, detailed bool) *model.Cluster {
	e := sim.New(s.Seed)
	c := model.NewCluster(e, s.Config)
	c.Rec.SetDetailed(detailed)
	c.Rec.Window = s.Window
	if c.Rec.Window <= 0 {
		c.Rec.Window = scenarios.AutoWindow(s.Duration)
	}
	for _, n := range s.Nodes {
		if _, err := c.AddNode(n.Name, n.Labels, n.Taints, n.Capacity); err != nil {
			tb.Fatal(err)
		}
	}
	for _, st := range s.Steps {
		cmd := st.Command
		if strings.Contains(cmd, " -f ") {
			tb.Fatalf("step %q reads a file: runMeasured cannot run it", cmd)
		}
		e.At(st.At, sim.HandlerFunc(func(*sim.Engine, int64) {
			if _, err := scenarios.Apply(c, cmd); err != nil {
				tb.Errorf("%s: %v", cmd, err)
			}
		}), 0)
	}
	c.StartBrowser()
	e.RunUntil(s.Duration)
	return c
}

func scaleWorkers(tb testing.TB, d time.Duration) *scenarios.Scenario {
	s, err := scenarios.Builtin("scale-workers")
	if err != nil {
		tb.Fatal(err)
	}
	if d > 0 {
		s.Duration = d
	}
	return s
}

func benchMeasure(b *testing.B, d time.Duration) {
	for _, m := range []struct {
		name     string
		detailed bool
	}{{"measure=on", true}, {"measure=off", false}} {
		b.Run(m.name, func(b *testing.B) {
			b.ReportAllocs()
			var events uint64
			for i := 0; i < b.N; i++ {
				c := runMeasured(b, scaleWorkers(b, d), m.detailed)
				events += c.E.Events()
			}
			b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(float64(events)/float64(b.N), "events/op")
		})
	}
}

// BenchmarkRunScaleWorkers runs the scale-workers scenario (DockerCoins, workers
// 1 -> 2 -> 10, 180 s) with detailed measurement on and off: the difference in
// events/s is the cost of measuring.
func BenchmarkRunScaleWorkers(b *testing.B) { benchMeasure(b, 0) }

// BenchmarkRunScaleWorkersLong is the same run for 30 simulated minutes: the
// steady state with ten workers dominates, as in long runs and sweeps.
func BenchmarkRunScaleWorkersLong(b *testing.B) { benchMeasure(b, 30*time.Minute) }
