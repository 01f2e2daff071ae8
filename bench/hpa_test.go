package bench

import (
	"testing"

	"github.com/kubesim/kubesim/scenarios"
)

// BenchmarkRunHPA runs the hpa-cpu built-in (busyhttp under ab -c 3, the
// HPA scaling it from 1 to 3 pods; 12 simulated minutes): the CPU model,
// metrics-server's scrapes and the HPA's syncs on top of the request path.
func BenchmarkRunHPA(b *testing.B) {
	b.ReportAllocs()
	var events uint64
	for i := 0; i < b.N; i++ {
		s, err := scenarios.Builtin("hpa-cpu")
		if err != nil {
			b.Fatal(err)
		}
		res, err := scenarios.Run(s)
		if err != nil {
			b.Fatal(err)
		}
		if hs := res.HPAs(); len(hs) != 1 || hs[0].Status.CurrentReplicas < 2 {
			b.Fatalf("the HPA did not scale: %+v", hs)
		}
		events += res.Cluster.E.Events()
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(events)/float64(b.N), "events/op")
}

// BenchmarkRunHPALatency runs the built-in hpa-latency (25 min of DockerCoins
// with 10 workers, httplat, Prometheus and the adapter, an Object-metric
// HPA): events/s, and allocations per event of the whole run.
func BenchmarkRunHPALatency(b *testing.B) {
	b.ReportAllocs()
	var events uint64
	for i := 0; i < b.N; i++ {
		s, err := scenarios.Builtin("hpa-latency")
		if err != nil {
			b.Fatal(err)
		}
		res, err := scenarios.Run(s)
		if err != nil {
			b.Fatal(err)
		}
		if hs := res.HPAs(); len(hs) != 1 || hs[0].Status.CurrentReplicas < 2 {
			b.Fatalf("the HPA did not scale: %+v", hs)
		}
		events += res.Cluster.E.Events()
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(events)/float64(b.N), "events/op")
}
