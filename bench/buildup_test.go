package bench

import (
	"fmt"
	"testing"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

// buildUpConfig is the default configuration with the controller manager's
// client limits raised as a large cluster's are (--kube-api-qps 10000,
// --kube-api-burst 10000), so that a build-up measures kubesim's cost and
// not 20 creations per simulated second.
func buildUpConfig() model.Config {
	cfg := model.DefaultConfig()
	cfg.Timings.KubeAPIQPS, cfg.Timings.KubeAPIBurst = 10000, 10000
	return cfg
}

// daemonSetRollout adds nodes nodes, creates a DaemonSet and runs until a
// daemon pod is Ready on every node.
func daemonSetRollout(tb testing.TB, nodes int) *model.Cluster {
	c := model.NewCluster(sim.New(1), buildUpConfig())
	for i := 0; i < nodes; i++ {
		if _, err := c.AddNode(fmt.Sprintf("node%d", i+1), nil, nil, model.Resources{MilliCPU: 4000, Memory: 16 << 30, Pods: 110}); err != nil {
			tb.Fatal(err)
		}
	}
	ds, err := c.CreateDaemonSet(model.DaemonSetSpec{Name: "agent", Template: model.PodTemplate{
		Labels: map[string]string{"app": "agent"}, Spec: model.PodSpec{Image: "agent:1"}}})
	if err != nil {
		tb.Fatal(err)
	}
	for step := 0; ; step++ {
		c.E.RunUntil(c.Now() + sim.Time(10*time.Second))
		if readyPods(ds.Pods()) == nodes {
			return c
		}
		if step > 1000 {
			tb.Fatalf("%d of %d daemon pods Ready after %v", readyPods(ds.Pods()), nodes, c.Now())
		}
	}
}

// deploymentRollout creates one Deployment of pods replicas on nodes nodes
// (110 pods each) and runs until every replica is Ready.
func deploymentRollout(tb testing.TB, nodes, pods int) *model.Cluster {
	c := model.NewCluster(sim.New(1), buildUpConfig())
	for i := 0; i < nodes; i++ {
		if _, err := c.AddNode(fmt.Sprintf("node%d", i+1), nil, nil, model.Resources{MilliCPU: 64000, Memory: 256 << 30, Pods: 110}); err != nil {
			tb.Fatal(err)
		}
	}
	d, err := c.CreateDeployment("web", map[string]string{"app": "web"}, model.PodSpec{Image: "nginx"}, pods)
	if err != nil {
		tb.Fatal(err)
	}
	for step := 0; ; step++ {
		c.E.RunUntil(c.Now() + sim.Time(10*time.Second))
		if c.DeploymentStatus(d).Ready == pods {
			return c
		}
		if step > 10000 {
			tb.Fatalf("%d of %d replicas Ready after %v", c.DeploymentStatus(d).Ready, pods, c.Now())
		}
	}
}

func readyPods(pods []*model.Pod) int {
	n := 0
	for _, p := range pods {
		if p.Ready {
			n++
		}
	}
	return n
}

// BenchmarkBuildUp is the cost of building a cluster, to check it grows
// linearly: a DaemonSet rolled out on 1,000 and 10,000 nodes, one
// Deployment of 10,000 and 80,000 pods (on 1,000 nodes), each run until
// every pod is Ready, with the controller manager's client limits raised
// (buildUpConfig). Each size reports its CPU seconds (cpu-s, getrusage;
// wall time where that is not available); the larger size of each pair
// reports x-smaller, its CPU time over the smaller one's measured in the
// same process (targets: at most 12 for the DaemonSet's 10x nodes, at most
// 10 for the Deployment's 8x pods; a linear cost gives 10 and 8).
func BenchmarkBuildUp(b *testing.B) {
	cases := []struct {
		name  string
		small bool
		run   func(testing.TB)
	}{
		{"daemonset/nodes=1000", true, func(tb testing.TB) { daemonSetRollout(tb, 1000) }},
		{"daemonset/nodes=10000", false, func(tb testing.TB) { daemonSetRollout(tb, 10000) }},
		{"deployment/pods=10000", true, func(tb testing.TB) { deploymentRollout(tb, 1000, 10000) }},
		{"deployment/pods=80000", false, func(tb testing.TB) { deploymentRollout(tb, 1000, 80000) }},
	}
	var smaller float64
	for _, k := range cases {
		b.Run(k.name, func(b *testing.B) {
			b.ReportAllocs()
			var cpu float64
			for i := 0; i < b.N; i++ {
				t0 := cpuSeconds()
				k.run(b)
				cpu += cpuSeconds() - t0
			}
			cpu /= float64(b.N)
			b.ReportMetric(cpu, "cpu-s")
			if k.small {
				smaller = cpu
			} else if smaller > 0 {
				b.ReportMetric(cpu/smaller, "x-smaller")
			}
		})
	}
}
