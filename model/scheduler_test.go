package model

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kubesim/kubesim/sim"
)

// kubectl scale on an even cluster gives round-robin placement: the system
// default topology spread and LeastAllocated both favour emptier nodes.
func TestSchedulerSpreadsReplicasOnEvenNodes(t *testing.T) {
	for seed := uint64(1); seed <= 10; seed++ {
		c := newWorkshop(t, seed, 4)
		mustDeploy(t, c, "worker", "dockercoins/worker:v0.1", 9)
		runFor(c, sec(10))
		if got := placement(c, withLabel("app", "worker")); got != "node1=0 node2=3 node3=3 node4=3" {
			t.Errorf("seed %d: %s", seed, got)
		}
	}
}

// Existing load breaks round-robin: a node already busy gets fewer replicas, so
// scaling a Deployment to the node count does not give one pod per node.
func TestSchedulerExistingLoadSkewsPlacement(t *testing.T) {
	c := newWorkshop(t, 1, 4)
	big := PodSpec{Image: "db", Requests: Resources{MilliCPU: 1500, Memory: 3 * gi}, NodeName: "node2"}
	if _, err := c.CreatePod("db", map[string]string{"app": "db"}, big, nil); err != nil {
		t.Fatal(err)
	}
	mustDeploy(t, c, "rng", "dockercoins/rng:v0.1", 6)
	runFor(c, sec(10))
	got := counts(c, withLabel("app", "rng"))
	t.Logf("rng placement with node2 busy: %v", got)
	if got[1] >= got[2] || got[1] >= got[3] {
		t.Errorf("busy node2 got %d rng pods, the others %d and %d: want fewer", got[1], got[2], got[3])
	}
	if got[2]-got[1] < 2 && got[3]-got[1] < 2 {
		t.Errorf("placement %v is within a skew of 1", got)
	}
}

// Ties are broken at random from the seeded stream: a lone pod lands on every
// worker for some seed.
func TestSchedulerRandomTieBreak(t *testing.T) {
	seen := map[string]int{}
	for seed := uint64(1); seed <= 30; seed++ {
		c := newWorkshop(t, seed, 4)
		p, _ := c.CreatePod("solo", nil, PodSpec{Image: "busybox"}, nil)
		runFor(c, sec(1))
		seen[p.NodeName]++
	}
	for _, n := range []string{"node2", "node3", "node4"} {
		if seen[n] == 0 {
			t.Errorf("no seed placed the pod on %s: %v", n, seen)
		}
	}
	if seen["node1"] > 0 || seen[""] > 0 {
		t.Errorf("pod placed on the control plane or not at all: %v", seen)
	}
}

// Pods without requests count as 100m/200Mi when scoring: a node running many
// of them scores lower.
func TestSchedulerDefaultRequestsWhenScoring(t *testing.T) {
	c := newWorkshop(t, 1, 3)
	for i := 0; i < 5; i++ {
		c.CreatePod(fmt.Sprintf("idle-%d", i), nil, PodSpec{Image: "pause", NodeName: "node2"}, nil)
	}
	runFor(c, sec(1))
	if got := c.Node("node2").Allocated(); got.MilliCPU != 0 || got.Pods != 5 {
		t.Fatalf("node2 allocated %+v, want no CPU and 5 pods", got)
	}
	for i := 0; i < 5; i++ {
		p, _ := c.CreatePod(fmt.Sprintf("new-%d", i), nil, PodSpec{Image: "pause"}, nil)
		runFor(c, sec(1))
		if p.NodeName != "node3" {
			t.Fatalf("pod %d went to %s; node3 has fewer (default-sized) pods", i, p.NodeName)
		}
	}
}

// Scheduling is sequential: two pods created together that each fit only
// alone on a node go to different nodes. A pod that fits nowhere waits and is
// retried when a node joins.
func TestSchedulerSequentialAndRetry(t *testing.T) {
	c := newWorkshop(t, 1, 3)
	spec := PodSpec{Image: "app", Requests: Resources{MilliCPU: 1500, Memory: gi}}
	a, _ := c.CreatePod("a", nil, spec, nil)
	b, _ := c.CreatePod("b", nil, spec, nil)
	x, _ := c.CreatePod("x", nil, spec, nil)
	runFor(c, sec(10))
	if a.NodeName == "" || b.NodeName == "" || a.NodeName == b.NodeName {
		t.Fatalf("a on %q, b on %q: want two different nodes", a.NodeName, b.NodeName)
	}
	if b.Scheduled-a.Scheduled != sec(0.010) {
		t.Errorf("second decision %v after the first, want one scheduling cycle (10 ms)", b.Scheduled-a.Scheduled)
	}
	if x.NodeName != "" || x.Phase != PodPending {
		t.Fatalf("x placed on %q though nothing fits", x.NodeName)
	}
	joined := c.Now()
	c.AddNode("node4", nil, nil, workerCap)
	runFor(c, sec(10))
	if x.NodeName != "node4" || x.Scheduled-joined != sec(0.010) {
		t.Errorf("x on %q %v after node4 joined; want node4 after one cycle", x.NodeName, x.Scheduled-joined)
	}
	// A pod deleted frees capacity: a waiting pod is retried.
	y, _ := c.CreatePod("y", nil, spec, nil)
	runFor(c, sec(5))
	if y.NodeName != "" {
		t.Fatalf("y placed on %s", y.NodeName)
	}
	c.DeletePodGrace(a, 0)
	runFor(c, sec(5))
	if y.NodeName != a.NodeName {
		t.Errorf("y on %q after a was deleted from %s", y.NodeName, a.NodeName)
	}
}

func TestSchedulerFilters(t *testing.T) {
	c := newWorkshop(t, 1, 4)
	c.SetNodeLabels("node3", map[string]string{"disk": "ssd"})
	c.TaintNode("node4", Taint{Key: "dedicated", Value: "db", Effect: NoSchedule})
	c.TaintNode("node2", Taint{Key: "slow", Effect: PreferNoSchedule})
	ssd, _ := c.CreatePod("ssd", nil, PodSpec{Image: "a", NodeSelector: map[string]string{"disk": "ssd"}}, nil)
	tol, _ := c.CreatePod("tol", nil, PodSpec{Image: "a", NodeSelector: map[string]string{"kubernetes.io/hostname": "node4"},
		Tolerations: []Toleration{{Key: "dedicated", Value: "db", Effect: NoSchedule}}}, nil)
	notol, _ := c.CreatePod("notol", nil, PodSpec{Image: "a", NodeSelector: map[string]string{"kubernetes.io/hostname": "node4"}}, nil)
	aff, _ := c.CreatePod("aff", nil, PodSpec{Image: "a", Affinity: &NodeAffinity{Terms: []NodeSelectorTerm{
		{MatchExpressions: []NodeSelectorRequirement{{Key: "disk", Operator: "DoesNotExist"}}},
	}}}, nil)
	runFor(c, sec(2))
	if ssd.NodeName != "node3" || tol.NodeName != "node4" || notol.NodeName != "" {
		t.Errorf("ssd on %q (want node3), tol on %q (want node4), notol on %q (want pending)", ssd.NodeName, tol.NodeName, notol.NodeName)
	}
	// aff: not node3 (disk label), node4 untolerated, node2 PreferNoSchedule:
	// still feasible but scored lower than... nothing else: node2 it is.
	if aff.NodeName != "node2" {
		t.Errorf("aff on %q, want node2 (the only feasible node, PreferNoSchedule is soft)", aff.NodeName)
	}
	// PreferNoSchedule: with node2 and node3 both feasible, node3 wins.
	for i := 0; i < 3; i++ {
		p, _ := c.CreatePod(fmt.Sprintf("p%d", i), nil, PodSpec{Image: "a", Affinity: &NodeAffinity{Terms: []NodeSelectorTerm{
			{MatchExpressions: []NodeSelectorRequirement{{Key: "kubernetes.io/hostname", Operator: "In", Values: []string{"node2", "node3"}}}}}}}, nil)
		runFor(c, sec(1))
		if p.NodeName != "node3" {
			t.Errorf("p%d on %s: the PreferNoSchedule taint of node2 should lose (weight 3)", i, p.NodeName)
		}
	}
	c.Cordon("node3")
	q, _ := c.CreatePod("q", nil, PodSpec{Image: "a", NodeSelector: map[string]string{"disk": "ssd"}}, nil)
	runFor(c, sec(2))
	if q.NodeName != "" {
		t.Errorf("q on cordoned %s", q.NodeName)
	}
	c.Uncordon("node3")
	runFor(c, sec(2))
	if q.NodeName != "node3" {
		t.Errorf("q on %q after uncordon", q.NodeName)
	}
}

// numFeasibleNodesToFind with percentageOfNodesToScore unset: the cases of
// kube-scheduler's TestNumFeasibleNodesToFind (10, 1000 and 6000 nodes) and
// more around the thresholds.
func TestNumFeasibleNodesToFind(t *testing.T) {
	for _, tc := range []struct{ nodes, want int }{
		{10, 10}, {1000, 420}, {6000, 300}, // upstream
		{3, 3}, {99, 99}, {100, 100}, {200, 100}, {2000, 680}, {5000, 500}, {10000, 500},
	} {
		if got := numFeasibleNodesToFind(tc.nodes); got != tc.want {
			t.Errorf("%d nodes: %d, want %d", tc.nodes, got, tc.want)
		}
	}
}

// The system-default topology spread (hostname, maxSkew 3, weight 2) beats
// LeastAllocated: two replicas go to two nodes even when one node is four
// times bigger (LeastAllocated alone would stack them on it).
func TestSchedulerDefaultSpreadBeatsLeastAllocated(t *testing.T) {
	c := NewCluster(sim.New(1), DefaultConfig())
	c.AddNode("big", nil, nil, Resources{MilliCPU: 8000, Memory: 16 * gi})
	c.AddNode("small", nil, nil, workerCap)
	mustDeploy(t, c, "web", "nginx", 2)
	runFor(c, sec(10))
	if got := placement(c, withLabel("app", "web")); got != "big=1 small=1" {
		t.Errorf("placement %s, want one per node", got)
	}
	// A lone pod without owner or Service: no spread, LeastAllocated wins.
	p, _ := c.CreatePod("solo", nil, PodSpec{Image: "a"}, nil)
	runFor(c, sec(1))
	if p.NodeName != "big" {
		t.Errorf("solo on %s, want big (least allocated)", p.NodeName)
	}
}

// With zone labels the system default also spreads over zones (maxSkew 5):
// the lone node of zone b gets more replicas than each node of zone a, where
// hostname spreading alone gives every node the same count.
func TestSchedulerDefaultZoneSpread(t *testing.T) {
	run := func(zones bool) []int {
		c := NewCluster(sim.New(1), DefaultConfig())
		for i, z := range []string{"a", "a", "a", "b"} {
			l := map[string]string{}
			if zones {
				l[LabelZone] = z
			}
			c.AddNode(fmt.Sprintf("n%d", i), l, nil, Resources{MilliCPU: 8000, Memory: 16 * gi})
		}
		mustDeploy(t, c, "web", "nginx", 12)
		runFor(c, sec(10))
		return counts(c, withLabel("app", "web"))
	}
	flat, zoned := run(false), run(true)
	t.Logf("per node without zones %v, with zones a,a,a,b %v", flat, zoned)
	for _, n := range flat {
		if n != 3 {
			t.Fatalf("without zones: %v, want 3 per node", flat)
		}
	}
	if zoned[3] <= zoned[0] || zoned[3] <= zoned[1] || zoned[3] <= zoned[2] {
		t.Errorf("with zones: %v, want the zone-b node to get the most", zoned)
	}
}

// A pod with spec.nodeName bypasses the scheduler: it runs on a cordoned node,
// but the kubelet rejects it (Failed) if it does not fit.
func TestNodeNameBypassesScheduler(t *testing.T) {
	c := newWorkshop(t, 1, 3)
	c.Cordon("node2")
	a, _ := c.CreatePod("a", nil, PodSpec{Image: "a", NodeName: "node2"}, nil)
	big, _ := c.CreatePod("big", nil, PodSpec{Image: "a", NodeName: "node2", Requests: Resources{MilliCPU: 4000}}, nil)
	runFor(c, sec(10))
	if a.NodeName != "node2" || !a.Ready {
		t.Errorf("a on %q ready %v: want running on the cordoned node", a.NodeName, a.Ready)
	}
	if big.Phase != PodFailed || big.NodeName != "node2" || big.Running || len(c.Node("node2").Pods()) != 1 {
		t.Errorf("big: phase %s node %q, want Failed by kubelet admission", big.Phase, big.NodeName)
	}
}

// Preferred node affinity steers replicas: with weight 100 on disk=ssd, the
// ssd node gets them while it fits, against spreading and LeastAllocated.
func TestSchedulerPreferredNodeAffinity(t *testing.T) {
	c := newWorkshop(t, 1, 4)
	c.SetNodeLabels("node3", map[string]string{"disk": "ssd"})
	spec := PodSpec{Image: "a", Affinity: &NodeAffinity{Preferred: []PreferredSchedulingTerm{{Weight: 100,
		Term: NodeSelectorTerm{MatchExpressions: []NodeSelectorRequirement{{Key: "disk", Operator: "In", Values: []string{"ssd"}}}}}}}}
	if _, err := c.CreateDeploymentSpec(DeploymentSpec{Name: "web", Template: PodTemplate{Labels: map[string]string{"app": "web"}, Spec: spec}, Replicas: intp(3)}); err != nil {
		t.Fatal(err)
	}
	runFor(c, sec(10))
	if got := placement(c, withLabel("app", "web")); got != "node1=0 node2=0 node3=3 node4=0" {
		t.Errorf("placement %s, want all three on the preferred node3", got)
	}
}

func intp(v int) *int { return &v }

// Unschedulable pods are moved by the events that can help them: a pod that
// does not fit for lack of CPU is not retried when a node is relabelled, and
// is retried when a bound pod is deleted.
func TestSchedulerQueueMovesByEvent(t *testing.T) {
	c := newWorkshop(t, 1, 3)
	spec := PodSpec{Image: "app", Requests: Resources{MilliCPU: 1500, Memory: gi}}
	a, _ := c.CreatePod("a", nil, spec, nil)
	c.CreatePod("b", nil, spec, nil)
	x, _ := c.CreatePod("x", nil, spec, nil)
	runFor(c, sec(10))
	if x.NodeName != "" || x.sq.attempts != 1 || x.sq.rejectors&rejFit == 0 {
		t.Fatalf("x on %q after %d attempts, rejected by %b: want pending after 1, by NodeResourcesFit", x.NodeName, x.sq.attempts, x.sq.rejectors)
	}
	c.SetNodeLabels("node2", map[string]string{"disk": "ssd"})
	c.Uncordon("node3")
	runFor(c, sec(10))
	if x.sq.attempts != 1 {
		t.Errorf("x tried %d times after a relabel and an uncordon, which cannot make it fit: want 1", x.sq.attempts)
	}
	c.DeletePodGrace(a, 0)
	runFor(c, sec(10))
	if x.NodeName != a.NodeName || x.sq.attempts != 2 {
		t.Errorf("x on %q after %d attempts, want %s after 2", x.NodeName, x.sq.attempts, a.NodeName)
	}
}

// A moved pod inside its backoff (1 s after its failed attempt) waits in
// backoffQ while the scheduler is busy: pods created after it go first.
// Idle, the scheduler takes it at once (SchedulerPopFromBackoffQ).
func TestSchedulerBackoff(t *testing.T) {
	c := newWorkshop(t, 1, 3)
	spec := PodSpec{Image: "app", Requests: Resources{MilliCPU: 1500, Memory: gi}}
	c.CreatePod("a", nil, spec, nil)
	c.CreatePod("b", nil, spec, nil)
	x, _ := c.CreatePod("x", nil, spec, nil)
	runFor(c, sec(0.1))
	failed := x.sq.failedAt
	if x.NodeName != "" || failed == 0 {
		t.Fatalf("x on %q", x.NodeName)
	}
	c.AddNode("node4", nil, nil, workerCap)
	var later []*Pod
	for i := 0; i < 150; i++ {
		p, _ := c.CreatePod(fmt.Sprintf("small-%d", i), nil, PodSpec{Image: "a"}, nil)
		later = append(later, p)
	}
	runFor(c, sec(10))
	if x.NodeName != "node4" {
		t.Fatalf("x on %q, want node4", x.NodeName)
	}
	if x.Scheduled < failed+sec(1) {
		t.Errorf("x scheduled %v after its failed attempt, inside its 1 s backoff", x.Scheduled-failed)
	}
	if later[50].Scheduled > x.Scheduled {
		t.Errorf("pods created after the node joined went after x: backoff not applied")
	}
	// Idle: a new node lets a fresh failure through at once.
	y, _ := c.CreatePod("y", nil, PodSpec{Image: "app", Requests: Resources{MilliCPU: 1900, Memory: gi}}, nil)
	runFor(c, sec(0.05))
	if y.NodeName != "" {
		t.Fatalf("y placed on %s", y.NodeName)
	}
	joined := c.Now()
	c.AddNode("node5", nil, nil, workerCap)
	runFor(c, sec(1))
	if y.NodeName != "node5" || y.Scheduled-joined != sec(0.010) {
		t.Errorf("y on %q %v after node5 joined, want node5 after one cycle", y.NodeName, y.Scheduled-joined)
	}
}

// A pod unschedulable for 5 minutes is tried again even without an event
// (podMaxInUnschedulablePodsDuration).
func TestSchedulerUnschedulableFlush(t *testing.T) {
	c := newWorkshop(t, 1, 3)
	x, _ := c.CreatePod("x", nil, PodSpec{Image: "app", NodeSelector: map[string]string{"disk": "ssd"}}, nil)
	runFor(c, sec(60))
	if x.sq.attempts != 1 {
		t.Fatalf("%d attempts in the first minute, want 1", x.sq.attempts)
	}
	runFor(c, sec(300))
	if x.sq.attempts != 2 {
		t.Errorf("%d attempts after 6 minutes, want 2 (flushed once after 5 minutes)", x.sq.attempts)
	}
}

// The scheduler lists nodes as its node tree does (nodeTree.list): one node
// of each zone in turn, zones in the order they appeared, so that the
// rotating sample of a large cluster covers every zone. A zone left empty is
// dropped and comes back last; a relabelled node moves to the end of its new
// zone.
func TestSchedulerNodeTreeOrder(t *testing.T) {
	c := NewCluster(sim.New(1), DefaultConfig())
	add := func(name, zone string) {
		l := map[string]string{}
		if zone != "" {
			l[LabelRegion], l[LabelZone] = "r1", zone
		}
		if _, err := c.AddNode(name, l, nil, workerCap); err != nil {
			t.Fatal(err)
		}
	}
	order := func() string {
		var names []string
		for _, n := range c.schedNodes() {
			names = append(names, n.Name)
		}
		return strings.Join(names, " ")
	}
	for _, n := range [][2]string{{"a1", "a"}, {"a2", "a"}, {"b1", "b"}, {"a3", "a"}, {"c1", "c"}, {"b2", "b"}} {
		add(n[0], n[1])
	}
	if got, want := order(), "a1 b1 c1 a2 b2 a3"; got != want {
		t.Fatalf("order %q, want %q", got, want)
	}
	for _, n := range []string{"a1", "a2", "a3"} {
		if err := c.RemoveNode(n); err != nil {
			t.Fatal(err)
		}
	}
	add("a4", "a")
	if got, want := order(), "b1 c1 a4 b2"; got != want {
		t.Fatalf("after zone a was emptied and a4 added: order %q, want %q", got, want)
	}
	if err := c.SetNodeLabels("b1", map[string]string{LabelRegion: "r1", LabelZone: "c"}); err != nil {
		t.Fatal(err)
	}
	if got, want := order(), "b2 c1 a4 b1"; got != want {
		t.Fatalf("after b1 moved to zone c: order %q, want %q", got, want)
	}
	// Without zone labels: creation order.
	c = NewCluster(sim.New(1), DefaultConfig())
	for _, n := range []string{"n1", "n2", "n3"} {
		add(n, "")
	}
	if got, want := order(), "n1 n2 n3"; got != want {
		t.Fatalf("order %q, want %q", got, want)
	}
}
