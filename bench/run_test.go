package bench

import (
	"testing"
	"time"

	"github.com/kubesim/kubesim/metrics"
	"github.com/kubesim/kubesim/scenarios"
)

// runDefault runs the default scenario (the workshop) for d (0: its own
// duration) with the Recorder's detailed collection on or off, and builds what
// `kubesim run` writes from it: the summary (in RunWith) and the series of the
// charts and CSV files.
func runDefault(tb testing.TB, d time.Duration, detailed bool) (*scenarios.Result, *metrics.Series) {
	s := scenarios.Default()
	if d > 0 {
		s.Duration = d
	}
	res, err := scenarios.RunWith(s, scenarios.Options{Coarse: !detailed})
	if err != nil {
		tb.Fatal(err)
	}
	return res, res.Rec.Series()
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
				res, _ := runDefault(b, d, m.detailed)
				events += res.Cluster.E.Events()
			}
			b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(float64(events)/float64(b.N), "events/op")
		})
	}
}

// BenchmarkRunDefault runs the default scenario (the workshop: DockerCoins,
// scaling workers, rng as a DaemonSet, a node reboot; 16 simulated minutes)
// with detailed measurement on and off, summary and series included: the
// difference is the cost of measuring.
func BenchmarkRunDefault(b *testing.B) { benchMeasure(b, 0) }

// BenchmarkRunDefaultLong is the same scenario run for an hour: the steady
// state after the story dominates, as in long runs and sweeps.
func BenchmarkRunDefaultLong(b *testing.B) { benchMeasure(b, time.Hour) }
