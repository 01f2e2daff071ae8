package bench

import (
	"testing"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scenarios"
	"github.com/kubesim/kubesim/sim"
)

// runMeasured runs scenario s as scenarios.Run does, with the Recorder's
// detailed collection on or off.
// TODO(lead): replace with scenarios.Run once a Scenario can switch detailed
// measurement off.
func runMeasured(tb testing.TB, s *scenarios.Scenario, detailed bool) *model.Cluster {
	e := sim.New(s.Seed)
	c := model.NewCluster(e, s.Config)
	c.Rec.SetDetailed(detailed)
	if s.Window > 0 {
		c.Rec.Window = s.Window
	}
	for _, n := range s.Nodes {
		if _, err := c.AddNode(n.Name, n.Labels, n.Taints, n.Capacity); err != nil {
			tb.Fatal(err)
		}
	}
	for _, st := range s.Steps {
		cmd := st.Command
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

// BenchmarkRunDefault runs the default scenario with detailed measurement on
// and off: the difference in events/s is the cost of measuring.
func BenchmarkRunDefault(b *testing.B) {
	for _, m := range []struct {
		name     string
		detailed bool
	}{{"measure=on", true}, {"measure=off", false}} {
		b.Run(m.name, func(b *testing.B) {
			b.ReportAllocs()
			var events uint64
			for i := 0; i < b.N; i++ {
				c := runMeasured(b, scenarios.Default(), m.detailed)
				events += c.E.Events()
			}
			b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(float64(events)/float64(b.N), "events/op")
		})
	}
}

// BenchmarkRunDefaultLong is the default scenario run for 30 simulated minutes:
// the steady state with ten workers dominates, as in long runs and sweeps.
func BenchmarkRunDefaultLong(b *testing.B) {
	for _, m := range []struct {
		name     string
		detailed bool
	}{{"measure=on", true}, {"measure=off", false}} {
		b.Run(m.name, func(b *testing.B) {
			b.ReportAllocs()
			var events uint64
			for i := 0; i < b.N; i++ {
				s := scenarios.Default()
				s.Duration = 30 * 60 * 1e9
				c := runMeasured(b, s, m.detailed)
				events += c.E.Events()
			}
			b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(float64(events)/float64(b.N), "events/op")
		})
	}
}
