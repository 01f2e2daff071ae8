package autoscaler

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/labels"
	"github.com/kubesim/kubesim/sim"
)

const gi = int64(1) << 30

func res(milli int64, mem int64) model.Resources {
	return model.Resources{MilliCPU: milli, Memory: mem}
}

func pods(n int, r model.Resources) []*model.Pod {
	out := make([]*model.Pod, n)
	for i := range out {
		out[i] = &model.Pod{ObjectMeta: model.ObjectMeta{Name: fmt.Sprintf("p%d", i)}, Spec: model.PodSpec{Requests: r}}
	}
	return out
}

// least-waste, by hand: three pods of 1 CPU and 1 GiB. Group small (2 CPU,
// 4 GiB) needs 2 nodes: idle CPU 1/4 + idle memory 5/8 = 0.875. Group
// square (4 CPU, 4 GiB) needs 1: 1/4 + 1/4 = 0.5. Group big (8 CPU, 32 GiB),
// 1 node: 5/8 + 29/32 = 1.53125. square wins.
func TestLeastWaste(t *testing.T) {
	ps := pods(3, res(1000, gi))
	opts := []Option{
		NewOption("small", res(2000, 4*gi), 2, ps, 0),
		NewOption("square", res(4000, 4*gi), 1, ps, 0),
		NewOption("big", res(8000, 32*gi), 1, ps, 0),
	}
	for i, want := range []float64{0.875, 0.5, 1.53125} {
		if got := Waste(opts[i]); math.Abs(got-want) > 1e-12 {
			t.Errorf("%s: waste %v, want %v", opts[i].Group, got, want)
		}
	}
	best := BestOptions(LeastWaste, opts)
	if len(best) != 1 || best[0].Group != "square" {
		t.Fatalf("least-waste chose %v, want square", names(best))
	}
	// most-pods: small takes the 3 pods, big only 2 of them: small.
	opts[2].Pods = ps[:2]
	opts[1].Pods = ps[:1]
	if best := BestOptions(MostPods, opts); len(best) != 1 || best[0].Group != "small" {
		t.Errorf("most-pods chose %v, want small", names(best))
	}
	// priority: the highest priority, ties kept for the random fallback.
	opts[0].priority, opts[1].priority, opts[2].priority = 10, 50, 50
	if best := BestOptions(Priority, opts); len(best) != 2 || best[0].Group != "square" || best[1].Group != "big" {
		t.Errorf("priority chose %v, want square and big", names(best))
	}
	if best := BestOptions(Random, opts); len(best) != 3 {
		t.Errorf("random keeps every option, got %v", names(best))
	}
}

func names(os []Option) []string {
	var s []string
	for _, o := range os {
		s = append(s, o.Group)
	}
	return s
}

// cluster is a one-node cluster (node1, 2 CPU, 4 GiB) with the groups.
func cluster(t *testing.T, seed uint64, cfg Config, groups ...NodeGroup) (*model.Cluster, *Autoscaler) {
	t.Helper()
	e := sim.New(seed)
	c := model.NewCluster(e, model.DefaultConfig())
	if _, err := c.AddNode("node1", nil, nil, res(2000, 4*gi)); err != nil {
		t.Fatal(err)
	}
	a, err := New(c, cfg, groups)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	return c, a
}

func ng(name string, machine model.Resources, min, max int) NodeGroup {
	d, _ := sim.ParseDist("60s")
	return NodeGroup{Name: name, Machine: machine, Min: min, Max: max, ProvisioningDelay: d, CostPerHour: 0.1}
}

func deploy(t *testing.T, c *model.Cluster, name string, replicas int, r model.Resources) *model.Deployment {
	t.Helper()
	d, err := c.CreateDeployment(name, map[string]string{"app": name}, model.PodSpec{Image: "busybox", Requests: r}, replicas)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func run(c *model.Cluster, until time.Duration) { c.E.RunUntil(until) }

func ready(a *Autoscaler, g string) int {
	for _, s := range a.Groups() {
		if s.Name == g {
			return s.Ready
		}
	}
	return -1
}

// Five pods of 1 CPU do not fit node1 (2 CPU): the three left over make the
// least-waste group grow, by as many nodes as the estimator packs them on,
// after one scan and the provisioning delay; then they run.
func TestScaleUpPicksLeastWaste(t *testing.T) {
	c, a := cluster(t, 1, Config{},
		ng("small", res(2000, 8*gi), 0, 10), // 3 pods on 2 nodes: 1/4 + (16-3)/16 idle
		ng("cpu4", res(4000, 4*gi), 0, 10))  // 3 pods on 1 node: 1/4 + 1/4 idle
	deploy(t, c, "web", 5, res(1000, gi))
	run(c, 65*time.Second)
	if a.Groups()[1].Upcoming != 1 || a.Groups()[0].Upcoming != 0 {
		t.Fatalf("after the first scans: %+v", a.Groups())
	}
	run(c, 3*time.Minute)
	if ready(a, "cpu4") != 1 || ready(a, "small") != 0 {
		t.Fatalf("groups %+v", a.Groups())
	}
	for _, p := range c.Pods() {
		if p.Node() == nil {
			t.Errorf("pod %s still pending", p.Name)
		}
	}
	var msgs []string
	for _, e := range a.Events() {
		msgs = append(msgs, e.Reason+" "+e.Object+": "+e.Message)
	}
	all := strings.Join(msgs, "\n")
	if !strings.Contains(all, "ScaledUpGroup configmap/cluster-autoscaler-status: Scale-up: setting group cpu4 size to 1 instead of 0 (max: 10)") ||
		!strings.Contains(all, "pod triggered scale-up: [{cpu4 0->1 (max: 10)}]") {
		t.Errorf("events:\n%s", all)
	}
}

// A pod no group can take gets NotTriggerScaleUp with the template's reason,
// and no group grows; max bounds the growth.
func TestScaleUpLimits(t *testing.T) {
	c, a := cluster(t, 1, Config{}, ng("small", res(2000, 4*gi), 0, 2))
	deploy(t, c, "huge", 1, res(3000, gi))
	deploy(t, c, "web", 6, res(1000, gi)) // 2 on node1, 4 need 2 nodes: max 2 takes them
	run(c, 20*time.Minute)
	if g := a.Groups()[0]; g.Ready != 2 || g.Peak != 2 {
		t.Fatalf("group %+v", g)
	}
	found := false
	for _, e := range a.Events() {
		if e.Reason == "NotTriggerScaleUp" && strings.HasPrefix(e.Object, "pod/huge-") {
			found = true
			if e.Message != "pod didn't trigger scale-up: 1 Insufficient cpu" {
				t.Errorf("NotTriggerScaleUp: %q", e.Message)
			}
		}
	}
	if !found {
		t.Errorf("no NotTriggerScaleUp for the huge pod: %+v", a.Events())
	}
}

// max-nodes-total counts every node: node1 plus at most two more.
func TestMaxNodesTotal(t *testing.T) {
	c, a := cluster(t, 1, Config{MaxNodesTotal: 3}, ng("small", res(2000, 4*gi), 0, 10))
	deploy(t, c, "web", 10, res(1000, gi))
	run(c, 5*time.Minute)
	if g := a.Groups()[0]; g.Ready != 2 {
		t.Fatalf("group %+v, want 2 nodes (max-nodes-total 3 with node1)", g)
	}
}

// Scale-down: once the batch is gone, the group's nodes are empty; they go
// after scale-down-delay-after-add (10 min from the scale-up) and 10 min
// unneeded, but never below min.
func TestScaleDownAfterUnneededTime(t *testing.T) {
	c, a := cluster(t, 1, Config{}, ng("small", res(2000, 4*gi), 1, 5))
	d := deploy(t, c, "batch", 6, res(1000, gi)) // node1 and small-1 take 4; 2 more need small-2
	run(c, 2*time.Minute)
	if ready(a, "small") != 2 {
		t.Fatalf("groups %+v", a.Groups())
	}
	if err := c.ScaleDeployment(d, 0); err != nil {
		t.Fatal(err)
	}
	// Scale-up at 10 s; nodes empty from about 2 min: unneeded from the
	// next scan, removable at about 12 min.
	run(c, 11*time.Minute)
	if ready(a, "small") != 2 {
		t.Fatalf("removed before 10 min unneeded: %+v", a.Groups())
	}
	run(c, 13*time.Minute)
	if ready(a, "small") != 1 {
		t.Fatalf("not scaled down to min: %+v", a.Groups())
	}
	run(c, 40*time.Minute)
	if ready(a, "small") != 1 {
		t.Fatalf("went below min: %+v", a.Groups())
	}
	g := a.Groups()[0]
	// small-1 billed 40 min; small-2 from the scale-up at 10 s to its removal.
	if g.NodeHours < 40.0/60+11.0/60 || g.NodeHours > 40.0/60+13.0/60 {
		t.Errorf("node-hours %v", g.NodeHours)
	}
	if math.Abs(g.Cost-g.NodeHours*0.1) > 1e-12 {
		t.Errorf("cost %v for %v node-hours at 0.1", g.Cost, g.NodeHours)
	}
}

// utilisation is the larger of CPU and memory requests over capacity; a node
// at the threshold (0.5) is not unneeded, below it is.
func TestUtilizationThreshold(t *testing.T) {
	for _, tc := range []struct {
		cpu, mem int64
		removed  bool
	}{{1000, 0, false}, {999, gi, true}, {500, 2 * gi, false}, {1, 0, true}} {
		c, a := cluster(t, 1, Config{}, ng("g", res(2000, 4*gi), 0, 5))
		// node1 is full; one pod of the size lands on g-1.
		deploy(t, c, "fill", 1, res(2000, 0))
		run(c, time.Second)
		deploy(t, c, "x", 1, res(tc.cpu, tc.mem))
		deploy(t, c, "spare", 0, res(0, 0))
		run(c, 2*time.Minute)
		if ready(a, "g") != 1 {
			t.Fatalf("%+v: groups %+v", tc, a.Groups())
		}
		// Room for x elsewhere: a second static node.
		if _, err := c.AddNode("node2", nil, nil, res(2000, 4*gi)); err != nil {
			t.Fatal(err)
		}
		run(c, 30*time.Minute)
		if removed := ready(a, "g") == 0; removed != tc.removed {
			t.Errorf("cpu %dm mem %d: removed %v, want %v (events %+v)", tc.cpu, tc.mem, removed, tc.removed, a.Events())
		}
	}
}

// A node whose pods' budget allows no disruption stays; DaemonSet pods do
// not keep a node; a pod with safe-to-evict "false" or no controller keeps it.
func TestScaleDownBlockers(t *testing.T) {
	for _, tc := range []struct {
		name    string
		setup   func(c *model.Cluster)
		removed bool
	}{
		{"plain", func(c *model.Cluster) {}, true},
		{"pdb-blocks", func(c *model.Cluster) {
			sel, _ := labels.NewSelector(mustReq("app", "x"))
			c.CreatePDB(model.PDBSpec{Name: "x", Selector: sel, MinAvailable: model.Int(1)})
		}, false},
		{"pdb-allows", func(c *model.Cluster) {
			sel, _ := labels.NewSelector(mustReq("app", "x"))
			c.CreatePDB(model.PDBSpec{Name: "x", Selector: sel, MaxUnavailable: model.Int(1)})
		}, true},
		{"daemonset", func(c *model.Cluster) {
			c.CreateDaemonSet(model.DaemonSetSpec{Name: "agent", Template: model.PodTemplate{Labels: map[string]string{"app": "agent"},
				Spec: model.PodSpec{Image: "agent", Requests: res(100, 0)}}})
		}, true},
		{"not-safe", func(c *model.Cluster) {
			for _, p := range c.Pods() {
				if p.Labels["app"] == "x" {
					c.SetPodAnnotations(p, map[string]string{AnnotationSafeToEvict: "false"})
				}
			}
		}, false},
		{"local-storage", func(c *model.Cluster) {
			for _, p := range c.Pods() {
				if p.Labels["app"] == "x" {
					p.Spec.LocalStorage = true // an emptyDir volume
				}
			}
		}, false},
		{"local-storage-safe-to-evict", func(c *model.Cluster) {
			for _, p := range c.Pods() {
				if p.Labels["app"] == "x" {
					p.Spec.LocalStorage = true
					c.SetPodAnnotations(p, map[string]string{AnnotationSafeToEvict: "true"})
				}
			}
		}, true},
		{"naked", func(c *model.Cluster) {
			for _, p := range c.Pods() {
				if p.Labels["app"] == "x" {
					c.SetPodLabels(p, map[string]string{"app": "orphan"}) // released by its ReplicaSet
				}
			}
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, a := cluster(t, 1, Config{}, ng("g", res(2000, 4*gi), 0, 5))
			deploy(t, c, "fill", 1, res(2000, 0))
			run(c, time.Second)
			deploy(t, c, "x", 1, res(500, 0))
			run(c, 2*time.Minute)
			if ready(a, "g") != 1 {
				t.Fatalf("groups %+v", a.Groups())
			}
			if _, err := c.AddNode("node2", nil, nil, res(2000, 4*gi)); err != nil {
				t.Fatal(err)
			}
			tc.setup(c)
			run(c, 40*time.Minute)
			if removed := ready(a, "g") == 0; removed != tc.removed {
				t.Errorf("removed %v, want %v (events %+v)", removed, tc.removed, a.Events())
			}
			if tc.removed {
				for _, p := range c.Pods() {
					if p.Labels["app"] == "x" && (p.Node() == nil || p.Node().Name != "node2") {
						t.Errorf("pod %s not moved to node2: %v", p.Name, p.NodeName)
					}
				}
			}
		})
	}
}

func mustReq(k, v string) labels.Requirement {
	r, err := labels.NewRequirement(k, labels.Equals, []string{v})
	if err != nil {
		panic(err)
	}
	return r
}

// Same seed, same story: the random expander draws from its own stream.
func TestRandomExpanderDeterministic(t *testing.T) {
	story := func(seed uint64) string {
		c, a := cluster(t, seed, Config{Expander: Random},
			ng("a", res(2000, 4*gi), 0, 10), ng("b", res(2000, 4*gi), 0, 10))
		deploy(t, c, "web", 12, res(1000, gi))
		run(c, 10*time.Minute)
		return fmt.Sprintf("%+v", a.Groups())
	}
	if story(3) != story(3) {
		t.Fatal("same seed, different runs")
	}
}

// The autoscaler's events reach the cluster's event sink, from source
// cluster-autoscaler, about the pods, nodes and status configmap.
func TestEventsReachTheSink(t *testing.T) {
	e := sim.New(1)
	c := model.NewCluster(e, model.DefaultConfig())
	log := model.NewEventLog()
	c.RecordEvents(log)
	if _, err := c.AddNode("node1", nil, nil, res(2000, 4*gi)); err != nil {
		t.Fatal(err)
	}
	a, err := New(c, Config{}, []NodeGroup{ng("pool", res(4000, 8*gi), 0, 3)})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	deploy(t, c, "web", 3, res(1000, gi))
	run(c, time.Minute)
	var got []string
	for _, ev := range log.Events(c.Now()) {
		if ev.Source == Source {
			got = append(got, ev.Reason+" "+ev.Object.Kind+"/"+ev.Object.Name+": "+ev.Message)
		}
	}
	all := strings.Join(got, "\n")
	if !strings.Contains(all, "ScaledUpGroup ConfigMap/cluster-autoscaler-status: Scale-up: setting group pool size to 1 instead of 0 (max: 3)") ||
		!strings.Contains(all, "TriggeredScaleUp Pod/web-") {
		t.Errorf("sink events:\n%s", all)
	}
}

// Pods on one hostPort need a node each: the estimator packs the 3 of 4
// small pods on hostPort 8080 that node1 cannot take onto 3 new nodes in one
// scale-up, not onto one node their CPU would fit, as kube-scheduler's
// NodePorts filter runs in the autoscaler's simulation too.
func TestScaleUpHostPorts(t *testing.T) {
	c, a := cluster(t, 1, Config{}, ng("big", res(8000, 16*gi), 0, 10))
	spec := model.PodSpec{Image: "busybox", Requests: res(100, 0), Ports: []model.ContainerPort{{Port: 80, HostPort: 8080}}}
	if _, err := c.CreateDeployment("web", map[string]string{"app": "web"}, spec, 4); err != nil {
		t.Fatal(err)
	}
	run(c, 65*time.Second)
	if g := a.Groups()[0]; g.Upcoming != 3 {
		t.Fatalf("after the first scans: group %+v, want 3 nodes upcoming", g)
	}
	run(c, 5*time.Minute)
	if g := a.Groups()[0]; g.Ready != 3 || g.Peak != 3 {
		t.Fatalf("group %+v, want 3 nodes", g)
	}
	per := map[string]int{}
	for _, p := range c.Pods() {
		if p.Node() == nil {
			t.Errorf("pod %s still pending", p.Name)
			continue
		}
		per[p.NodeName]++
	}
	for n, k := range per {
		if k != 1 {
			t.Errorf("%d pods on hostPort 8080 on %s", k, n)
		}
	}
}
