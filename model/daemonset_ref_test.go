package model

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/kubesim/kubesim/sim"
)

// refDaemonPlan is the DaemonSet controller's decision computed from scratch:
// every pod of the DaemonSet grouped by node, every node examined (the
// controller before it kept per-node state). The incremental controller must
// decide exactly the same.
func refDaemonPlan(c *Cluster, ds *DaemonSet) dsPlan {
	var plan dsPlan
	byNode := map[*Node][]*Pod{}
	var toDelete []*Pod
	for _, p := range ds.pods {
		if p.node == nil {
			n := c.daemonPodTarget(p)
			if n == nil || n.Removed {
				if !p.Terminating {
					toDelete = append(toDelete, p)
				}
				continue
			}
			byNode[n] = append(byNode[n], p)
			continue
		}
		byNode[p.node] = append(byNode[p.node], p)
	}
	var toCreate []*Node
	for _, n := range c.nodes {
		if n.Removed {
			continue
		}
		pods := byNode[n]
		run, cont := ds.nodeShouldRunDaemonPod(n)
		switch {
		case run && len(pods) == 0:
			if !ds.creating[n] {
				toCreate = append(toCreate, n)
			}
		case cont:
			var running []*Pod
			for _, p := range pods {
				if p.Terminating {
					continue
				}
				if p.Phase == PodFailed {
					toDelete = append(toDelete, p)
					continue
				}
				running = append(running, p)
			}
			toDelete = append(toDelete, ds.surplusDaemonPods(running, c.Now())...)
		case !cont:
			for _, p := range pods {
				if !p.Terminating {
					toDelete = append(toDelete, p)
				}
			}
		}
	}
	plan.create = toCreate[:min(len(toCreate), daemonBurst)]
	plan.del = toDelete[:min(len(toDelete), daemonBurst)]
	if len(plan.create) == 0 && len(plan.del) == 0 && len(ds.creating) == 0 && ds.Strategy.Type == RollingUpdate {
		plan.rolling = true
		refRollingUpdate(c, ds, byNode, &plan)
	}
	return plan
}

func refRollingUpdate(c *Cluster, ds *DaemonSet, byNode map[*Node][]*Pod, plan *dsPlan) {
	now := c.Now()
	desired := 0
	for _, n := range c.nodes {
		if run, _ := ds.nodeShouldRunDaemonPod(n); run {
			desired++
		}
	}
	maxSurge := ds.Strategy.MaxSurge.scaled(desired, true)
	maxUnavailable := ds.Strategy.MaxUnavailable.scaled(desired, true)
	if maxSurge > 0 {
		numSurge := 0
		var allowed, candidates []*Node
		for _, n := range c.nodes {
			var newPod, oldPod *Pod
			multiple := false
			for _, p := range byNode[n] {
				if p.Terminating {
					continue
				}
				if p.Labels[LabelControllerRevHash] == ds.hash {
					multiple = multiple || newPod != nil
					newPod = p
				} else {
					multiple = multiple || oldPod != nil
					oldPod = p
				}
			}
			switch {
			case multiple:
				numSurge++
			case oldPod == nil:
			case newPod == nil:
				if run, _ := ds.nodeShouldRunDaemonPod(n); !run {
					continue
				}
				switch {
				case !isAvailable(oldPod, ds.MinReadySeconds, now):
					allowed = append(allowed, n)
				case numSurge >= maxSurge:
				default:
					candidates = append(candidates, n)
				}
			case isAvailable(newPod, ds.MinReadySeconds, now):
				plan.rollDel = append(plan.rollDel, oldPod)
			default:
				numSurge++
			}
		}
		remaining := min(max(maxSurge-numSurge, 0), len(candidates))
		plan.rollCreate = append(allowed, candidates[:remaining]...)
		return
	}
	if maxUnavailable == 0 {
		maxUnavailable = 1
	}
	numUnavailable := 0
	var allowed, candidates []*Pod
	for _, n := range c.nodes {
		if len(byNode[n]) == 0 {
			continue
		}
		var newPod, oldPod *Pod
		for _, p := range byNode[n] {
			if p.Terminating {
				continue
			}
			if p.Labels[LabelControllerRevHash] == ds.hash {
				newPod = p
			} else {
				oldPod = p
			}
		}
		switch {
		case newPod == nil && oldPod == nil, newPod != nil && oldPod != nil:
			numUnavailable++
		case newPod != nil:
			if !isAvailable(newPod, ds.MinReadySeconds, now) {
				numUnavailable++
			}
		default:
			switch {
			case !isAvailable(oldPod, ds.MinReadySeconds, now):
				allowed = append(allowed, oldPod)
			case numUnavailable >= maxUnavailable:
			default:
				candidates = append(candidates, oldPod)
			}
		}
	}
	remaining := min(max(maxUnavailable-numUnavailable, 0), len(candidates))
	plan.rollDel = append(allowed, candidates[:remaining]...)
}

// checkDaemonPlans makes every DaemonSet sync of the test compare its decision
// with refDaemonPlan.
func checkDaemonPlans(t *testing.T) {
	t.Helper()
	checks := 0
	daemonPlanCheck = func(c *Cluster, ds *DaemonSet, got *dsPlan) {
		checks++
		want := refDaemonPlan(c, ds)
		if g, w := got.String(), want.String(); g != w {
			t.Fatalf("t=%v DaemonSet %s (sync %d): incremental plan\n%s\nfrom scratch\n%s", c.Now(), ds.Name, checks, g, w)
		}
	}
	t.Cleanup(func() {
		daemonPlanCheck = nil
		if checks == 0 {
			t.Error("no DaemonSet sync was checked")
		}
	})
}

func (p *dsPlan) String() string {
	nodes := func(ns []*Node) []string {
		var out []string
		for _, n := range ns {
			out = append(out, fmt.Sprintf("%s#%d", n.Name, n.seq))
		}
		return out
	}
	pods := func(ps []*Pod) []string {
		var out []string
		for _, q := range ps {
			out = append(out, q.Name)
		}
		return out
	}
	return fmt.Sprintf("create %v\ndelete %v\nrolling %v: create %v, delete %v", nodes(p.create), pods(p.del), p.rolling, nodes(p.rollCreate), pods(p.rollDel))
}

// TestDaemonSetIncrementalMatchesFullScan drives three DaemonSets (plain,
// surge with minReadySeconds and a nodeSelector, OnDelete) through random node
// and pod events, and checks at every sync that the per-node state decides
// exactly what examining every node and pod from scratch decides.
func TestDaemonSetIncrementalMatchesFullScan(t *testing.T) {
	for seed := uint64(1); seed <= 8; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			checkDaemonPlans(t)
			c := newWorkshop(t, seed, 9)
			r := rand.New(rand.NewPCG(seed, 7))
			plain := rngDaemon("plain")
			surge := rngDaemon("surge")
			surge.Template.Spec.NodeSelector = map[string]string{"disk": "ssd"}
			surge.Strategy = DaemonSetStrategy{MaxUnavailable: Int(0), MaxSurge: Percent(50)}
			surge.MinReadySeconds = sec(8)
			manual := rngDaemon("manual")
			manual.Strategy = DaemonSetStrategy{Type: OnDelete}
			specs := []DaemonSetSpec{plain, surge, manual}
			var dss []*DaemonSet
			for _, s := range specs {
				dss = append(dss, mustDaemonSet(t, c, s))
			}
			names := []string{"node2", "node3", "node4", "node5", "node6", "node7", "node8", "node9", "node10"}
			version := 1
			for step := 0; step < 120; step++ {
				runFor(c, sec(r.Float64()*15))
				name := names[r.IntN(len(names))]
				k := r.IntN(len(dss))
				ds := dss[k]
				switch r.IntN(12) {
				case 0:
					version++
					specs[k].Template.Spec.Image = fmt.Sprintf("img:%d", version)
					if err := c.UpdateDaemonSet(ds, specs[k]); err != nil {
						t.Fatal(err)
					}
				case 1:
					if n := c.Node(name); n != nil {
						l := copyLabels(n.Labels)
						if l["disk"] == "" {
							l["disk"] = "ssd"
						} else {
							delete(l, "disk")
						}
						c.SetNodeLabels(name, l)
					}
				case 2:
					if ps := ds.Pods(); len(ps) > 0 {
						c.DeletePod(ps[r.IntN(len(ps))])
					}
				case 3:
					if ps := ds.Pods(); len(ps) > 0 {
						c.DeletePodGrace(ps[r.IntN(len(ps))], 0)
					}
				case 4:
					// Released by a relabel, then (maybe) adopted back.
					if ps := ds.Pods(); len(ps) > 0 {
						p := ps[r.IntN(len(ps))]
						l := copyLabels(p.Labels)
						l["app"] = "loose"
						c.SetPodLabels(p, l)
						if r.IntN(2) == 0 {
							c.E.After(sec(r.Float64()*3), sim.HandlerFunc(func(*sim.Engine, int64) {
								if !p.Gone {
									l := copyLabels(p.Labels)
									l["app"] = ds.Name
									c.SetPodLabels(p, l)
								}
							}), 0)
						}
					}
				case 5:
					// An orphan pinned to a node by hand (maybe one that is
					// gone), for adoption.
					if r.IntN(3) == 0 {
						name = "node10"
					}
					spec := PodSpec{Image: "img:orphan", Affinity: &NodeAffinity{Terms: []NodeSelectorTerm{{
						MatchFields: []NodeSelectorRequirement{{Key: "metadata.name", Operator: "In", Values: []string{name}}}}}}}
					if _, err := c.CreatePod("stray-", map[string]string{"app": ds.Name}, spec, nil); err != nil {
						t.Fatal(err)
					}
				case 6:
					if n := c.Node(name); n != nil && n.Up {
						if r.IntN(2) == 0 {
							c.RebootNode(name, sec(r.Float64()*120))
						} else {
							c.StopNode(name) // pods created for it now stay Pending
						}
					} else if n != nil {
						c.StartNode(name)
					}
				case 7:
					if r.IntN(2) == 0 {
						c.Cordon(name)
					} else {
						c.Uncordon(name)
					}
				case 8:
					if n := c.Node(name); n != nil && !n.HasTaint("maint", NoExecute) {
						c.TaintNode(name, Taint{Key: "maint", Effect: NoExecute})
					} else if n != nil {
						c.UntaintNode(name, "maint", NoExecute)
					}
				case 9:
					if c.RemoveNode(name) == nil {
						back := sec(r.Float64() * 90)
						c.E.After(back, sim.HandlerFunc(func(*sim.Engine, int64) {
							if c.Node(name) == nil {
								c.AddNode(name, map[string]string{"disk": "ssd"}, nil, workerCap)
							}
						}), 0)
					}
				case 10:
					c.Drain(name, DrainOptions{Force: true, IgnoreDaemonSets: r.IntN(2) == 0, GracePeriod: -1})
				case 11:
					if ds.Deleted {
						break
					}
					c.DeleteDaemonSet(ds, r.IntN(2) == 0)
					d, err := c.CreateDaemonSet(specs[k])
					if err != nil {
						t.Fatal(err)
					}
					dss[k] = d
				}
			}
			runFor(c, sec(300))
		})
	}
}

// A daemon pod asking more than its node has stays Pending (the controller
// does not check resources, the scheduler does); when the node is deleted the
// controller deletes the pod. If a node of the same name joins before the
// controller looks, the pod stays, pinned to the new node.
func TestDaemonSetPendingPodOfRemovedNode(t *testing.T) {
	for _, rejoin := range []bool{false, true} {
		t.Run(fmt.Sprint("rejoin=", rejoin), func(t *testing.T) {
			checkDaemonPlans(t)
			c := newWorkshop(t, 3, 4)
			spec := rngDaemon("big")
			spec.Template.Spec.Requests = Resources{MilliCPU: 3000}
			ds := mustDaemonSet(t, c, spec)
			runFor(c, sec(10))
			var pending *Pod
			for _, p := range ds.Pods() {
				if p.node == nil && c.daemonPodTarget(p).Name == "node3" {
					pending = p
				}
			}
			if pending == nil || len(ds.Pods()) != 3 {
				t.Fatalf("want 3 Pending daemon pods, one pinned to node3: %v", sortedNames(ds.Pods()))
			}
			if err := c.RemoveNode("node3"); err != nil {
				t.Fatal(err)
			}
			if rejoin {
				if _, err := c.AddNode("node3", nil, nil, workerCap); err != nil {
					t.Fatal(err)
				}
			}
			runFor(c, sec(10))
			switch {
			case rejoin && (pending.Gone || len(ds.Pods()) != 3):
				t.Errorf("node3 rejoined: its pending pod should stay (gone %v), pods %v", pending.Gone, sortedNames(ds.Pods()))
			case !rejoin && (!pending.Gone || len(ds.Pods()) != 2):
				t.Errorf("node3 deleted: its pending daemon pod should be deleted (gone %v), pods %v", pending.Gone, sortedNames(ds.Pods()))
			}
		})
	}
}
