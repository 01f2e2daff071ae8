package bench

import (
	"testing"

	"github.com/kubesim/kubesim/scenarios"
)

// BenchmarkRunHPA runs the hpa-cpu built-in (busyhttp under ab -c 3, the
// HPA scaling it from 1 to 3 pods; 12 simulated minutes): the CPU model,
// metrics-server's scrapes and the HPA's syncs on top of the request path.
func BenchmarkRunHPA(b *testing.B) { benchHPA(b, "hpa-cpu") }

// BenchmarkRunHPALatency runs the built-in hpa-latency (25 min of DockerCoins
// with 10 workers, httplat, Prometheus and the adapter, an Object-metric
// HPA): events/s, and allocations per event of the whole run.
func BenchmarkRunHPALatency(b *testing.B) { benchHPA(b, "hpa-latency") }

// benchHPA runs the built-in scenario name b.N times, each run's one HPA
// having scaled to 2 or more, and reports events/s and events/op.
func benchHPA(b *testing.B, name string) {
	b.ReportAllocs()
	var events uint64
	for i := 0; i < b.N; i++ {
		s, err := scenarios.Builtin(name)
		if err != nil {
			b.Fatal(err)
		}
		res, err := scenarios.Run(s)
		if err != nil {
			b.Fatal(err)
		}
		if hs := res.HPAs(); len(hs) != 1 || hs[0].Status.CurrentReplicas < 2 {
			b.Fatalf("%s: the HPA did not scale: %+v", name, hs)
		}
		events += res.Cluster.E.Events()
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(events)/float64(b.N), "events/op")
}
