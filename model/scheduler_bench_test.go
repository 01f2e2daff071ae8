package model

import (
	"fmt"
	"testing"

	"github.com/kubesim/kubesim/sim"
)

func benchCluster(b *testing.B, nodes, podsPerNode int) (*Cluster, *Deployment) {
	b.Helper()
	cfg := DefaultConfig()
	// The controller manager's client limits raised as a large cluster's
	// are, so that every replica exists within the 2 simulated minutes.
	cfg.Timings.KubeAPIQPS, cfg.Timings.KubeAPIBurst = 10000, 10000
	c := NewCluster(sim.New(1), cfg)
	for i := 0; i < nodes; i++ {
		if _, err := c.AddNode(fmt.Sprintf("n%04d", i), nil, nil, Resources{MilliCPU: 64000, Memory: 256 * gi, Pods: 110}); err != nil {
			b.Fatal(err)
		}
	}
	d, err := c.CreateDeployment("web", map[string]string{"app": "web"}, PodSpec{Image: "nginx"}, nodes*podsPerNode)
	if err != nil {
		b.Fatal(err)
	}
	c.CreateService("web", map[string]string{"app": "web"}, 80)
	c.E.RunUntil(sec(120))
	if n := len(live(c, withLabel("app", "web"))); n != nodes*podsPerNode {
		b.Fatalf("%d pods running, want %d", n, nodes*podsPerNode)
	}
	return c, d
}

// BenchmarkPickNode is one scheduling decision (filters + scores) for a
// ReplicaSet pod on a cluster of N nodes with 10 pods of the same ReplicaSet
// each. Above 100 nodes only a sample of feasible nodes is scored.
func BenchmarkPickNode(b *testing.B) {
	for _, nodes := range []int{10, 100, 1000} {
		b.Run(fmt.Sprintf("nodes=%d", nodes), func(b *testing.B) {
			c, d := benchCluster(b, nodes, 10)
			p := &Pod{ObjectMeta: ObjectMeta{Name: "probe", Labels: copyLabels(d.NewReplicaSet().Template.Labels)}, rs: d.NewReplicaSet(),
				Spec: PodSpec{Image: "nginx"}}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if c.pickNode(p) == nil {
					b.Fatal("no node")
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(min(nodes, numFeasibleNodesToFind(nodes))), "ns/scored-node")
		})
	}
}

// BenchmarkSpreadCount compares the per-node ReplicaSet count the scheduler
// reads (kept incrementally) with the baseline of recounting it per decision
// by matching every pod of the ReplicaSet against its selector.
func BenchmarkSpreadCount(b *testing.B) {
	for _, nodes := range []int{100, 1000} {
		c, d := benchCluster(b, nodes, 10)
		rs := d.NewReplicaSet()
		b.Run(fmt.Sprintf("incremental/nodes=%d", nodes), func(b *testing.B) {
			b.ReportAllocs()
			sum := 0
			for i := 0; i < b.N; i++ {
				for _, n := range c.nodes {
					sum += rs.countOn(n)
				}
			}
			if sum != b.N*nodes*10 {
				b.Fatal(sum)
			}
		})
		b.Run(fmt.Sprintf("rescan/nodes=%d", nodes), func(b *testing.B) {
			b.ReportAllocs()
			per := make([]int32, len(c.nodes))
			for i := 0; i < b.N; i++ {
				clear(per)
				for _, q := range rs.pods {
					if q.node != nil && !q.Terminating && rs.Selector.MatchesMap(q.Labels) {
						per[q.node.seq]++
					}
				}
			}
		})
	}
}

// BenchmarkScaleUp is the whole control plane for `kubectl scale --replicas=N`
// from 0 on 100 nodes: ReplicaSet slow start, scheduling, kubelet start, until
// every pod is Ready.
func BenchmarkScaleUp(b *testing.B) {
	const pods = 1000
	b.ReportAllocs()
	var events uint64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		c := NewCluster(sim.New(uint64(i)), DefaultConfig())
		for j := 0; j < 100; j++ {
			c.AddNode(fmt.Sprintf("n%03d", j), nil, nil, Resources{MilliCPU: 64000, Memory: 256 * gi, Pods: 110})
		}
		d, _ := c.CreateDeployment("web", map[string]string{"app": "web"}, PodSpec{Image: "nginx"}, 0)
		c.CreateService("web", map[string]string{"app": "web"}, 80)
		c.E.RunUntil(sec(1))
		e0 := c.E.Events()
		b.StartTimer()
		c.ScaleDeployment(d, pods)
		c.E.RunUntil(sec(600))
		b.StopTimer()
		if st := c.DeploymentStatus(d); st.Available != pods {
			b.Fatalf("%d available", st.Available)
		}
		events += c.E.Events() - e0
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*pods), "ns/pod")
	b.ReportMetric(float64(events)/float64(b.N*pods), "events/pod")
}
