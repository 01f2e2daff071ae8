package bench

import (
	"fmt"
	"testing"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

// scheduleCluster is N nodes (64 cores, 256 GiB, 110 pods) running a
// Deployment behind a Service with perNode replicas per node, and a DaemonSet.
func scheduleCluster(b *testing.B, nodes, perNode int) (*model.Cluster, *model.Pod, *model.Pod) {
	b.Helper()
	c := model.NewCluster(sim.New(1), buildUpConfig())
	for i := 0; i < nodes; i++ {
		if _, err := c.AddNode(fmt.Sprintf("n%05d", i), nil, nil, model.Resources{MilliCPU: 64000, Memory: 256 << 30, Pods: 110}); err != nil {
			b.Fatal(err)
		}
	}
	lbl := map[string]string{"app": "web"}
	if _, err := c.CreateDeployment("web", lbl, model.PodSpec{Image: "nginx", Requests: model.Resources{MilliCPU: 100, Memory: 128 << 20}}, nodes*perNode); err != nil {
		b.Fatal(err)
	}
	c.CreateService("web", lbl, 80)
	if _, err := c.CreateDaemonSet(model.DaemonSetSpec{Name: "agent", Template: model.PodTemplate{Labels: map[string]string{"app": "agent"}, Spec: model.PodSpec{Image: "agent"}}}); err != nil {
		b.Fatal(err)
	}
	c.E.RunUntil(sim.Time(600e9))
	var web, agent *model.Pod
	n := 0
	for _, p := range c.Pods() {
		if p.Node() == nil {
			b.Fatalf("pod %s not scheduled after 10 simulated minutes", p.Name)
		}
		switch {
		case p.ReplicaSet() != nil:
			n++
			web = p
		case p.IsDaemon():
			agent = p
		}
	}
	if n != nodes*perNode || agent == nil {
		b.Fatalf("%d web pods, want %d; daemon pod %v", n, nodes*perNode, agent)
	}
	return c, web, agent
}

// BenchmarkScheduleOne is one scheduling decision (prefilter, filters, scores)
// on clusters of 100 to 5,000 nodes with 5 replicas of a Deployment per node:
// a replica of the Deployment (system-default topology spread, the sampled
// nodes scored) and a DaemonSet pod (pinned to its node by affinity). Above
// 100 nodes kube-scheduler scores a sample that shrinks from 50% to 5%, so the
// cost per pod grows slower than the node count.
func BenchmarkScheduleOne(b *testing.B) {
	for _, nodes := range []int{100, 1000, 5000} {
		c, web, agent := scheduleCluster(b, nodes, 5)
		for _, k := range []struct {
			name string
			pod  *model.Pod
		}{{"replica", web}, {"daemon", agent}} {
			b.Run(fmt.Sprintf("nodes=%d/pod=%s", nodes, k.name), func(b *testing.B) {
				b.ReportAllocs()
				for i := 0; i < b.N; i++ {
					if c.FindNode(k.pod) == nil {
						b.Fatal("no node")
					}
				}
			})
		}
	}
}
