package bench

import (
	"os"
	"testing"
	"time"

	"github.com/kubesim/kubesim/scenarios"
	"github.com/kubesim/kubesim/workload/isotope"
)

func benchScenario(b *testing.B, mk func(testing.TB) *scenarios.Scenario) {
	b.ReportAllocs()
	var events uint64
	for i := 0; i < b.N; i++ {
		res, err := scenarios.Run(mk(b))
		if err != nil {
			b.Fatal(err)
		}
		events += res.Cluster.E.Events()
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(events)/float64(b.N), "events/op")
}

// BenchmarkRunBoutique runs the built-in online-boutique scenario (11
// Services, the loadgenerators' locust users 10 -> 300, the frontend scaled;
// 9 simulated minutes, about 0.9 M events).
func BenchmarkRunBoutique(b *testing.B) {
	benchScenario(b, func(tb testing.TB) *scenarios.Scenario {
		s, err := scenarios.Builtin("online-boutique")
		if err != nil {
			tb.Fatal(err)
		}
		return s
	})
}

// BenchmarkRunIsotope runs isotope's example topologies alone (as kubesim run
// --workload GRAPH does), 64 fortio users at the entrypoint, for a few
// simulated seconds; the load starts once every pod is Ready (canonical at
// 4.7 s, tree-111-services at 11.05 s): canonical 10 s (2.1 M events),
// tree-111-services 12 s (each request is 111 calls; its former 5 s
// were only refusals: the load started before the pods).
func BenchmarkRunIsotope(b *testing.B) {
	for _, tc := range []struct {
		topo string
		d    time.Duration
	}{{"canonical", 10 * time.Second}, {"tree-111-services", 12 * time.Second}} {
		topo := tc.topo
		b.Run("topology="+topo, func(b *testing.B) {
			path := "../workload/isotope/testdata/" + topo + ".yaml"
			data, err := os.ReadFile(path)
			if err != nil {
				b.Fatal(err)
			}
			benchScenario(b, func(tb testing.TB) *scenarios.Scenario {
				s, err := scenarios.GraphScenario(path, isotope.DefaultLoad)
				if err != nil {
					tb.Fatal(err)
				}
				if _, err := s.AddGraph(path, data, isotope.DefaultLoad); err != nil {
					tb.Fatal(err)
				}
				s.Duration = tc.d
				return s
			})
		})
	}
}
