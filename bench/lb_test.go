package bench

import (
	"testing"

	"github.com/kubesim/kubesim/model/endpoints"
	"github.com/kubesim/kubesim/model/kubeproxy"
	"github.com/kubesim/kubesim/sim"
)

// BenchmarkLBPick: kube-proxy choosing the endpoint of a new connection and the
// connection closing again (Pick + Release), for a Service with 100 ready and 10
// serving-terminating endpoints, in each mode.
func BenchmarkLBPick(b *testing.B) { benchLBPick(b, false) }

// BenchmarkLBPickAffinity is BenchmarkLBPick with ClientIP session affinity and
// 1024 clients, so most picks follow the affinity table.
func BenchmarkLBPickAffinity(b *testing.B) { benchLBPick(b, true) }

func benchLBPick(b *testing.B, affinity bool) {
	for _, m := range []struct {
		name string
		cfg  kubeproxy.Config
	}{
		{"random", kubeproxy.Config{Mode: kubeproxy.ModeIPTables}},
		{"rr", kubeproxy.Config{Mode: kubeproxy.ModeIPVS, Scheduler: kubeproxy.SchedulerRoundRobin}},
		{"lc", kubeproxy.Config{Mode: kubeproxy.ModeIPVS, Scheduler: kubeproxy.SchedulerLeastConnections}},
	} {
		b.Run("mode="+m.name, func(b *testing.B) {
			t, err := kubeproxy.NewTable(m.cfg, sim.NewStreamPCG(1, "bench/lb"))
			if err != nil {
				b.Fatal(err)
			}
			if affinity {
				if err := t.SetAffinity(kubeproxy.Affinity{ClientIP: true}); err != nil {
					b.Fatal(err)
				}
			}
			for p := range 110 {
				t.Set(endpoints.PodID(p), endpoints.Conditions{Member: true, Ready: p < 100, Serving: true, Terminating: p >= 100})
			}
			// Keep 50 long-lived connections open so that lc has unequal counts.
			for range 50 {
				t.Pick(0, 0)
			}
			var now sim.Time
			for b.Loop() {
				now++
				pod, ok := t.Pick(kubeproxy.ClientID(now&1023), now)
				if !ok {
					b.Fatal("no endpoint")
				}
				t.Release(pod)
			}
		})
	}
}
