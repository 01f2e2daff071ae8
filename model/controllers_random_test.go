package model

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/kubesim/kubesim/sim"
)

// TestRandomOperationsConverge applies random kubectl-like operations (scale,
// image change, restart, undo, relabel, delete pod, reboot, cordon, drain,
// taint, node labels) and then lets the cluster settle with every node up and
// schedulable. Whatever happened, the controllers must converge: each
// Deployment runs its replicas, all Ready on the current template, with no
// ReplicaSet but the new one scaled up; each DaemonSet runs exactly one
// current pod per eligible node; node bookkeeping matches the pods bound.
func TestRandomOperationsConverge(t *testing.T) {
	for seed := uint64(1); seed <= 12; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			checkDaemonPlans(t)
			c := newWorkshop(t, seed, 6)
			r := rand.New(rand.NewPCG(seed, 99))
			web := mustDeploy(t, c, "web", "nginx:1", 4)
			four := 4
			api, err := c.CreateDeploymentSpec(DeploymentSpec{Name: "api", Replicas: &four,
				Template: PodTemplate{Labels: map[string]string{"app": "api"}, Spec: PodSpec{Image: "api:1",
					Requests: Resources{MilliCPU: 200, Memory: 256 << 20}}},
				Strategy: DeploymentStrategy{Type: Recreate}})
			if err != nil {
				t.Fatal(err)
			}
			three := 3
			slow, err := c.CreateDeploymentSpec(DeploymentSpec{Name: "slow", Replicas: &three,
				Template:        PodTemplate{Labels: map[string]string{"app": "slow"}, Spec: PodSpec{Image: "slow:1"}},
				MinReadySeconds: sec(7)})
			if err != nil {
				t.Fatal(err)
			}
			agent := rngDaemon("agent")
			ds := mustDaemonSet(t, c, agent)
			deps := []*Deployment{web, api, slow}
			workers := []string{"node2", "node3", "node4", "node5", "node6"}
			version := 1
			for step := 0; step < 60; step++ {
				runFor(c, sec(r.Float64()*20))
				checkCounts(t, c)
				d := deps[r.IntN(len(deps))]
				node := workers[r.IntN(len(workers))]
				switch r.IntN(13) {
				case 0:
					c.ScaleDeployment(d, r.IntN(9))
				case 1:
					version++
					c.SetImage(d, fmt.Sprintf("img:%d", version))
				case 2:
					c.RolloutRestart(d)
				case 3:
					c.RolloutUndo(d, 0)
				case 4:
					if ps := live(c, withLabel("app", "web")); len(ps) > 0 {
						p := ps[r.IntN(len(ps))]
						l := copyLabels(p.Labels)
						l["app"] = "other"
						c.SetPodLabels(p, l)
					}
				case 5:
					if ps := live(c, nil); len(ps) > 0 {
						c.DeletePod(ps[r.IntN(len(ps))])
					}
				case 6:
					if n := c.Node(node); n != nil && n.Up {
						c.RebootNode(node, sec(r.Float64()*500))
					}
				case 7:
					c.Cordon(node)
				case 8:
					c.Uncordon(node)
				case 9:
					c.Drain(node, DrainOptions{Force: true, IgnoreDaemonSets: true, GracePeriod: -1})
				case 10:
					if n := c.Node(node); n != nil && !n.HasTaint("maint", NoExecute) {
						c.TaintNode(node, Taint{Key: "maint", Effect: NoExecute})
					} else {
						c.UntaintNode(node, "maint", NoExecute)
					}
				case 11:
					version++
					spec := agent
					spec.Template.Spec.Image = fmt.Sprintf("agent:%d", version)
					c.UpdateDaemonSet(ds, spec)
				case 12:
					// The machine is replaced: node deleted, a new one joins
					// under the same name a minute later.
					if c.RemoveNode(node) == nil {
						name := node
						c.E.After(sec(60), sim.HandlerFunc(func(*sim.Engine, int64) {
							if _, err := c.AddNode(name, nil, nil, workerCap); err != nil {
								t.Error(err)
							}
						}), 0)
					}
				}
			}
			// Settle: every node up, schedulable, untainted.
			runFor(c, sec(600))
			for _, name := range workers {
				c.Uncordon(name)
				if n := c.Node(name); n != nil && n.HasTaint("maint", NoExecute) {
					c.UntaintNode(name, "maint", NoExecute)
				}
			}
			runFor(c, sec(1200))
			checkCounts(t, c)
			for _, d := range deps {
				st := c.DeploymentStatus(d)
				if !st.Complete || st.Ready != d.Replicas {
					t.Errorf("%s did not converge: %+v, want %d replicas", d.Name, st, d.Replicas)
				}
				for _, rs := range d.ReplicaSets() {
					if rs != d.NewReplicaSet() && rs.Replicas != 0 {
						t.Errorf("%s: old ReplicaSet %s still at %d", d.Name, rs.Name, rs.Replicas)
					}
				}
			}
			for _, n := range c.Nodes()[1:] {
				cur := 0
				for _, p := range n.pods {
					if p.ds == ds && !p.Terminating && p.Ready && p.Labels[LabelControllerRevHash] == ds.Hash() {
						cur++
					}
				}
				if cur != 1 {
					t.Errorf("%s runs %d current daemon pods", n.Name, cur)
				}
			}
			for _, n := range c.Nodes() {
				var req Resources
				for _, p := range n.pods {
					if p.node != n || p.Gone {
						t.Errorf("node %s lists pod %s (node %v, gone %v)", n.Name, p.Name, p.NodeName, p.Gone)
					}
					req = req.Add(p.effectiveRequests())
				}
				if req != n.req {
					t.Errorf("node %s: requests %+v, bookkeeping %+v", n.Name, req, n.req)
				}
			}
			t.Logf("pods created %d, live %d, web RSs %d, api RSs %d", len(c.pods), len(live(c, nil)), len(web.ReplicaSets()), len(api.ReplicaSets()))
			for _, rs := range c.replicasets {
				want := map[*Node]int{}
				for _, p := range rs.pods {
					if p.node != nil && !p.Terminating && !p.Gone {
						want[p.node]++
					}
				}
				for _, n := range c.nodes {
					if got := rs.countOn(n); got != want[n] {
						t.Errorf("ReplicaSet %s on %s: count %d, pods %d", rs.Name, n.Name, got, want[n])
					}
				}
			}
			if pending := c.PendingPods(); len(pending) != 0 {
				t.Errorf("%d pods still pending", len(pending))
			}
		})
	}
}

// checkCounts compares every ReplicaSet's status counts, kept as pods change,
// with a count over its pods.
func checkCounts(t *testing.T, c *Cluster) {
	t.Helper()
	for _, rs := range c.replicasets {
		if got, want := rs.Status(c.Now()), rs.scanStatus(c.Now()); got != want {
			t.Fatalf("t=%v ReplicaSet %s: counts %+v, pods say %+v", c.Now(), rs.Name, got, want)
		}
	}
}
