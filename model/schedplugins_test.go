package model

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/kubesim/kubesim/sim"
)

// Plugins are tested on hand-made nodes and pods, without a cluster.

// fakeHandle is a schedHandle over a fixed node and Service list.
type fakeHandle struct {
	nodes    []*Node
	services []*Service
	sizes    map[string]int64
	now      sim.Time
	imageIDs map[string]imageID
}

func (h *fakeHandle) schedNodes() []*Node { return h.nodes }
func (h *fakeHandle) schedNode(name string) *Node {
	for _, n := range h.nodes {
		if n.Name == name && !n.Removed {
			return n
		}
	}
	return nil
}
func (h *fakeHandle) schedServices() []*Service { return h.services }
func (h *fakeHandle) schedNow() sim.Time        { return h.now }
func (h *fakeHandle) schedImageSize(img string) int64 {
	return h.sizes[img]
}
func (h *fakeHandle) schedImageNodes(img string) int {
	id, known := h.schedImageID(img)
	cnt := 0
	for _, n := range h.nodes {
		if _, ok := n.imageAt(id); ok && known {
			cnt++
		}
	}
	return cnt
}
func (h *fakeHandle) schedImageID(img string) (imageID, bool) {
	id, ok := h.imageIDs[img]
	return id, ok
}
func (h *fakeHandle) schedZoneLabelled() bool {
	for _, n := range h.nodes {
		if _, ok := n.Labels[LabelZone]; ok && !n.Removed {
			return true
		}
	}
	return false
}

// setImage gives node n image img, its pull ending at `at`.
func (h *fakeHandle) setImage(n *Node, img string, at sim.Time) {
	id, ok := h.imageIDs[img]
	if !ok {
		if h.imageIDs == nil {
			h.imageIDs = map[string]imageID{}
		}
		id = imageID(len(h.imageIDs))
		h.imageIDs[img] = id
	}
	for i := range n.images {
		if n.images[i].id == id {
			n.images[i].at = at
			return
		}
	}
	n.images = append(n.images, nodeImage{id: id, at: at})
}

func testNode(name string, seq int, capacity Resources, used Resources) *Node {
	if capacity.Pods == 0 {
		capacity.Pods = 110
	}
	return &Node{ObjectMeta: ObjectMeta{Name: name, Labels: map[string]string{LabelHostname: name}},
		seq: seq, Capacity: capacity, req: used, nonzero: used}
}

func TestFilterPluginsReasons(t *testing.T) {
	n := testNode("n1", 0, Resources{MilliCPU: 1000, Memory: gi, Pods: 2}, Resources{MilliCPU: 600, Pods: 1})
	n.Taints = []Taint{{Key: "dedicated", Value: "db", Effect: NoSchedule}}
	n.Unschedulable = true
	pod := &Pod{Spec: PodSpec{Requests: Resources{MilliCPU: 500}, NodeSelector: map[string]string{"disk": "ssd"}, NodeName: "n2"}}
	st := &cycleState{rq: pod.effectiveRequests(), nz: pod.nonzeroRequests()}
	for _, tc := range []struct {
		pl   filterPlugin
		want string
	}{
		{nodeUnschedulablePlugin{}, "node(s) were unschedulable"},
		{nodeNamePlugin{}, "node(s) didn't match the requested node name"},
		{nodeAffinityPlugin{}, "node(s) didn't match Pod's node affinity/selector"},
		{taintTolerationPlugin{}, "node(s) had untolerated taint"},
		{nodeResourcesFitPlugin{}, "Insufficient cpu"},
	} {
		if got := tc.pl.filter(st, pod, n); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.pl.name(), got, tc.want)
		}
	}
	ok := &Pod{Spec: PodSpec{Tolerations: []Toleration{{Operator: "Exists"}}}}
	st = &cycleState{rq: ok.effectiveRequests(), nz: ok.nonzeroRequests()}
	n.Labels["disk"] = "ssd"
	for _, pl := range []filterPlugin{nodeUnschedulablePlugin{}, nodeNamePlugin{}, nodeAffinityPlugin{}, taintTolerationPlugin{}, nodeResourcesFitPlugin{}} {
		if got := pl.filter(st, ok, n); got != "" {
			t.Errorf("%s rejects a pod tolerating everything: %q", pl.name(), got)
		}
	}
	n.req.Pods = 2
	if got := (nodeResourcesFitPlugin{}).filter(st, ok, n); got != "Too many pods" {
		t.Errorf("full node: %q", got)
	}
}

// DefaultNormalizeScore as kube-scheduler's table: reverse turns the highest
// count into 0, all zero counts into 100.
func TestDefaultNormalizeScore(t *testing.T) {
	s := []int64{0, 1, 2, 4}
	defaultNormalizeScore(s, true)
	if want := []int64{100, 75, 50, 0}; !equalInts(s, want) {
		t.Errorf("reverse: %v, want %v", s, want)
	}
	s = []int64{0, 0}
	defaultNormalizeScore(s, true)
	if want := []int64{100, 100}; !equalInts(s, want) {
		t.Errorf("all zero, reverse: %v", s)
	}
	s = []int64{10, 5, 0}
	defaultNormalizeScore(s, false)
	if want := []int64{100, 50, 0}; !equalInts(s, want) {
		t.Errorf("forward: %v", s)
	}
}

func equalInts(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// The framework on its own: the fit filter leaves one of three nodes, and a
// PreferNoSchedule taint loses against an untainted node.
func TestFrameworkWithoutCluster(t *testing.T) {
	h := &fakeHandle{nodes: []*Node{
		testNode("a", 0, Resources{MilliCPU: 1000, Memory: gi}, Resources{MilliCPU: 900}),
		testNode("b", 1, Resources{MilliCPU: 1000, Memory: gi}, Resources{}),
		testNode("c", 2, Resources{MilliCPU: 1000, Memory: gi}, Resources{}),
	}}
	h.nodes[1].Taints = []Taint{{Key: "slow", Effect: PreferNoSchedule}}
	f := newDefaultFramework(h, rand.New(rand.NewPCG(1, 2)))
	p := &Pod{Spec: PodSpec{Requests: Resources{MilliCPU: 200}}}
	for i := 0; i < 10; i++ {
		if n := f.schedule(p); n == nil || n.Name != "c" {
			t.Fatalf("picked %v, want c", n)
		}
	}
	h.nodes[2].Removed = true
	if n := f.schedule(p); n == nil || n.Name != "b" {
		t.Fatalf("picked %v, want b (the only node left that fits)", n)
	}
	big := &Pod{Spec: PodSpec{Requests: Resources{MilliCPU: 2000}}}
	if n := f.schedule(big); n != nil {
		t.Fatalf("picked %s for a pod larger than every node", n.Name)
	}
}

// NodeAffinity's PreFilter, on the cases of kube-scheduler's TestNodeAffinity
// with matchFields: every term naming nodes by metadata.name In narrows the
// candidates to their union; requirements inside a term intersect; a term
// without a name admits every node; conflicting names admit none.
func TestNodeAffinityPreFilter(t *testing.T) {
	name := func(v ...string) NodeSelectorRequirement {
		return NodeSelectorRequirement{Key: "metadata.name", Operator: "In", Values: v}
	}
	for _, tc := range []struct {
		desc  string
		terms []NodeSelectorTerm
		want  []string // nil: all nodes
	}{
		{"one name", []NodeSelectorTerm{{MatchFields: []NodeSelectorRequirement{name("node1")}}}, []string{"node1"}},
		{"two terms", []NodeSelectorTerm{{MatchFields: []NodeSelectorRequirement{name("node1")}}, {MatchFields: []NodeSelectorRequirement{name("node2")}}}, []string{"node1", "node2"}},
		{"a term without names", []NodeSelectorTerm{{MatchFields: []NodeSelectorRequirement{name("node1")}},
			{MatchExpressions: []NodeSelectorRequirement{{Key: "zone", Operator: "In", Values: []string{"a"}}}}}, nil},
		{"ANDed names", []NodeSelectorTerm{{MatchFields: []NodeSelectorRequirement{name("node1", "node2"), name("node2", "node3")}}}, []string{"node2"}},
		{"conflicting names", []NodeSelectorTerm{{MatchFields: []NodeSelectorRequirement{name("node1"), name("node2")}}}, []string{}},
	} {
		p := &Pod{Spec: PodSpec{Affinity: &NodeAffinity{Terms: tc.terms}}}
		got, all := nodeAffinityPlugin{}.preFilter(&cycleState{}, p)
		switch {
		case tc.want == nil && !all:
			t.Errorf("%s: narrowed to %v, want every node", tc.desc, got)
		case tc.want != nil && (all || len(got) != len(tc.want)):
			t.Errorf("%s: %v (all %v), want %v", tc.desc, got, all, tc.want)
		case tc.want != nil:
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("%s: %v, want %v", tc.desc, got, tc.want)
				}
			}
		}
	}
	if got, all := (nodeAffinityPlugin{}).preFilter(&cycleState{}, &Pod{Spec: PodSpec{NodeName: "node7"}}); all || len(got) != 1 || got[0] != "node7" {
		t.Errorf("spec.nodeName: %v (all %v)", got, all)
	}
}

// A pod pinned to one node of a large cluster is placed there after one
// filter call, and conflicting names leave it unschedulable.
func TestFrameworkPrefilteredPod(t *testing.T) {
	h := &fakeHandle{}
	for i := 0; i < 300; i++ {
		h.nodes = append(h.nodes, testNode(fmt.Sprintf("node%d", i), i, Resources{MilliCPU: 1000, Memory: gi}, Resources{}))
	}
	f := newDefaultFramework(h, rand.New(rand.NewPCG(1, 2)))
	pin := NodeSelectorRequirement{Key: "metadata.name", Operator: "In", Values: []string{"node250"}}
	p := &Pod{Spec: PodSpec{Affinity: &NodeAffinity{Terms: []NodeSelectorTerm{{MatchFields: []NodeSelectorRequirement{pin}}}}}}
	if n := f.schedule(p); n == nil || n.Name != "node250" {
		t.Fatalf("picked %v, want node250", n)
	}
	if len(f.pre) != 1 {
		t.Errorf("%d candidates, want 1", len(f.pre))
	}
	p.Spec.Affinity.Terms[0].MatchFields = append(p.Spec.Affinity.Terms[0].MatchFields,
		NodeSelectorRequirement{Key: "metadata.name", Operator: "In", Values: []string{"node3"}})
	if n := f.schedule(p); n != nil {
		t.Errorf("picked %s for conflicting names", n.Name)
	}
}

// NodeResourcesBalancedAllocation in v1.37 scores the change in balance, on
// the case of kube-scheduler's table "nothing scheduled, resources requested,
// differently sized nodes" (pod 3000m/5000, nodes 4000m/10000 and 6000m/10000):
// the balance after placement is 87 and 100 as before; the change from an
// empty node's 100 gives 50 + (50 + 87 - 100)/2 = 68 and 75.
func TestBalancedAllocationV137(t *testing.T) {
	pod := &Pod{Spec: PodSpec{Requests: Resources{MilliCPU: 3000, Memory: 5000}}}
	st := &cycleState{rq: pod.effectiveRequests(), nz: pod.nonzeroRequests()}
	n1 := testNode("node1", 0, Resources{MilliCPU: 4000, Memory: 10000}, Resources{})
	n2 := testNode("node2", 1, Resources{MilliCPU: 6000, Memory: 10000}, Resources{})
	pl := balancedAllocationScore{}
	if !pl.preScore(st, pod, nil) {
		t.Fatal("skipped for a pod with requests")
	}
	if a, b := pl.score(st, pod, n1), pl.score(st, pod, n2); a != 68 || b != 75 {
		t.Errorf("scores %d, %d; want 68, 75", a, b)
	}
	// A pod that evens out a CPU-heavy node (0.75/0 -> 0.75/0.5: 62 -> 87)
	// scores above one that leaves the balance as it is.
	n3 := testNode("node3", 2, Resources{MilliCPU: 4000, Memory: 10000}, Resources{MilliCPU: 3000})
	mem := &Pod{Spec: PodSpec{Requests: Resources{Memory: 5000}}}
	st = &cycleState{rq: mem.effectiveRequests()}
	if got := pl.score(st, mem, n3); got != 87 {
		t.Errorf("improving placement scores %d, want 50 + (50 + 87 - 62)/2 = 87", got)
	}
	best := &Pod{Spec: PodSpec{}}
	if pl.preScore(&cycleState{rq: best.effectiveRequests()}, best, nil) {
		t.Error("not skipped for a best-effort pod")
	}
}

// An explicit 0 request is a request: the 100m/200Mi scoring defaults apply
// only to missing ones (kube-scheduler's GetNonzeroRequests).
func TestExplicitZeroRequest(t *testing.T) {
	missing := &Pod{Spec: PodSpec{}}
	zero := &Pod{Spec: PodSpec{ExplicitZero: RequestFlags{CPU: true, Memory: true}}}
	half := &Pod{Spec: PodSpec{ExplicitZero: RequestFlags{CPU: true}}}
	if r := missing.nonzeroRequests(); r.MilliCPU != 100 || r.Memory != 200<<20 {
		t.Errorf("missing requests count as %+v, want 100m/200Mi", r)
	}
	if r := zero.nonzeroRequests(); r.MilliCPU != 0 || r.Memory != 0 {
		t.Errorf("explicit zero requests count as %+v, want 0/0", r)
	}
	if r := half.nonzeroRequests(); r.MilliCPU != 0 || r.Memory != 200<<20 {
		t.Errorf("explicit zero CPU, missing memory: %+v, want 0/200Mi", r)
	}
	// LeastAllocated then prefers the node whose pods asked for 0 explicitly.
	n := testNode("n", 0, Resources{MilliCPU: 1000, Memory: gi}, Resources{})
	st := &cycleState{rq: zero.effectiveRequests(), nz: zero.nonzeroRequests()}
	if got := (leastAllocatedScore{}).score(st, zero, n); got != 100 {
		t.Errorf("LeastAllocated of a zero-request pod on an empty node: %d, want 100", got)
	}
}

// NodeAffinity's score on kube-scheduler's TestNodeAffinityPriority case "all
// nodes matches the preferred scheduling requirements of pod but with
// different priorities": weights 2 (foo=bar), 4 (key=value), 5 (all three);
// raw 2, 11, 4 normalize to 18, 100, 36. Nodes matching nothing score 0.
func TestNodeAffinityScore(t *testing.T) {
	in := func(k, v string) NodeSelectorRequirement {
		return NodeSelectorRequirement{Key: k, Operator: "In", Values: []string{v}}
	}
	pod := &Pod{Spec: PodSpec{Affinity: &NodeAffinity{Preferred: []PreferredSchedulingTerm{
		{Weight: 2, Term: NodeSelectorTerm{MatchExpressions: []NodeSelectorRequirement{in("foo", "bar")}}},
		{Weight: 4, Term: NodeSelectorTerm{MatchExpressions: []NodeSelectorRequirement{in("key", "value")}}},
		{Weight: 5, Term: NodeSelectorTerm{MatchExpressions: []NodeSelectorRequirement{in("foo", "bar"), in("key", "value"), in("az", "az1")}}},
	}}}}
	mk := func(name string, l map[string]string) *Node {
		n := testNode(name, 0, Resources{MilliCPU: 1000, Memory: gi}, Resources{})
		for k, v := range l {
			n.Labels[k] = v
		}
		return n
	}
	nodes := []*Node{mk("node1", map[string]string{"foo": "bar"}), mk("node5", map[string]string{"foo": "bar", "key": "value", "az": "az1"}),
		mk("node2", map[string]string{"key": "value"}), mk("node3", nil)}
	pl := nodeAffinityScore{}
	if !pl.preScore(&cycleState{}, pod, nodes) {
		t.Fatal("skipped a pod with preferred terms")
	}
	s := make([]int64, len(nodes))
	for i, n := range nodes {
		s[i] = pl.score(&cycleState{}, pod, n)
	}
	pl.normalize(&cycleState{}, s)
	if want := []int64{18, 100, 36, 0}; !equalInts(s, want) {
		t.Errorf("scores %v, want %v", s, want)
	}
	if pl.preScore(&cycleState{}, &Pod{}, nodes) {
		t.Error("not skipped for a pod without preferred terms")
	}
}

// ImageLocality with the image sizes of kube-scheduler's
// TestImageLocalityPriority (40 MB and 250 MB images, thresholds 23 MB and
// 1000 MB); the expected values are its formula worked by hand: on 2 of 2
// nodes the 250 MB image scores 100 x (250 - 23) / (1000 - 23) = 23 where it
// is; the 40 MB image on 1 of 2 nodes counts 20 MB, under the threshold: 0.
func TestImageLocalityScore(t *testing.T) {
	mb := int64(1 << 20)
	h := &fakeHandle{sizes: map[string]int64{"gcr.io/250": 250 * mb, "gcr.io/40": 40 * mb}}
	n1 := testNode("node1", 0, Resources{MilliCPU: 1000, Memory: gi}, Resources{})
	n2 := testNode("node2", 1, Resources{MilliCPU: 1000, Memory: gi}, Resources{})
	h.setImage(n1, "gcr.io/250", 0)
	h.setImage(n1, "gcr.io/40", 0)
	h.setImage(n2, "gcr.io/250", 0)
	h.nodes = []*Node{n1, n2}
	pl := &imageLocalityScore{h: h}
	for _, tc := range []struct {
		image  string
		n1, n2 int64
	}{
		{"gcr.io/250", 23, 23}, // on both: 250 MB
		{"gcr.io/40", 0, 0},    // on one of two: 20 MB, under the 23 MB threshold
		{"gcr.io/none", 0, 0},
	} {
		p := &Pod{Spec: PodSpec{Image: tc.image}}
		if !pl.preScore(&cycleState{}, p, h.nodes) {
			t.Fatal("skipped")
		}
		if a, b := pl.score(&cycleState{}, p, n1), pl.score(&cycleState{}, p, n2); a != tc.n1 || b != tc.n2 {
			t.Errorf("%s: %d, %d; want %d, %d", tc.image, a, b, tc.n1, tc.n2)
		}
	}
	// A pull still under way does not count for its node.
	h.setImage(n2, "gcr.io/250", 5)
	p := &Pod{Spec: PodSpec{Image: "gcr.io/250"}}
	pl.preScore(&cycleState{}, p, h.nodes)
	if got := pl.score(&cycleState{}, p, n2); got != 0 {
		t.Errorf("image being pulled scores %d, want 0", got)
	}
}

// Fair evaluation of nodes, as kube-scheduler's TestFairEvaluationForNodes: on
// 500 nodes that all fit, each cycle filters only numFeasibleNodesToFind of
// them (46%: 230), starting where the previous cycle stopped, so that over
// several cycles every node is looked at in turn.
func TestFairEvaluationForNodes(t *testing.T) {
	const all = 500
	h := &fakeHandle{}
	for i := 0; i < all; i++ {
		h.nodes = append(h.nodes, testNode(fmt.Sprint(i), i, Resources{MilliCPU: 1000, Memory: gi}, Resources{}))
	}
	f := newDefaultFramework(h, rand.New(rand.NewPCG(1, 2)))
	toFind := numFeasibleNodesToFind(all)
	if toFind != 230 || all%toFind == 0 {
		t.Fatalf("%d nodes to find, want 230 (not a divisor of %d)", toFind, all)
	}
	p := &Pod{Spec: PodSpec{Image: "a"}}
	for i := 0; i < 2*(all/toFind+1); i++ {
		start := f.nextStart
		if n := f.schedule(p); n == nil {
			t.Fatal("no node picked")
		}
		if len(f.feasible) != toFind {
			t.Fatalf("cycle %d: %d feasible nodes, want %d", i, len(f.feasible), toFind)
		}
		if want := (i + 1) * toFind % all; f.nextStart != want {
			t.Fatalf("cycle %d: next start %d, want %d", i, f.nextStart, want)
		}
		if first := f.feasible[0]; first != h.nodes[start] {
			t.Fatalf("cycle %d: filtering began at node %s, want %d", i, first.Name, start)
		}
	}
}

// Nodes that fail the filters count towards the start index too: the next
// cycle begins after the last node looked at, as nextStartNodeIndex advances
// by the nodes processed (feasible or not).
func TestNextStartCountsRejectedNodes(t *testing.T) {
	const all = 300
	h := &fakeHandle{}
	for i := 0; i < all; i++ {
		used := Resources{}
		if i%2 == 0 {
			used.MilliCPU = 1000 // full: rejected by NodeResourcesFit
		}
		h.nodes = append(h.nodes, testNode(fmt.Sprint(i), i, Resources{MilliCPU: 1000, Memory: gi}, used))
	}
	f := newDefaultFramework(h, rand.New(rand.NewPCG(1, 2)))
	p := &Pod{Spec: PodSpec{Image: "a", Requests: Resources{MilliCPU: 100}}}
	f.schedule(p)
	// 144 feasible nodes wanted (48% of 300), every other node fits: the
	// 144th is node 287, so 288 nodes were looked at.
	if len(f.feasible) != 144 || f.nextStart != 288 {
		t.Fatalf("%d feasible, next start %d; want 144 and 288", len(f.feasible), f.nextStart)
	}
}

// hostPortPod is a pod bound to no node with the host ports given as
// "PROTOCOL/HOSTIP/PORT", as upstream's nodeports tests write them.
func hostPortPod(t *testing.T, ports ...string) *Pod {
	t.Helper()
	p := &Pod{}
	for _, s := range ports {
		var proto, ip string
		var port int
		parts := strings.Split(s, "/")
		if len(parts) != 3 {
			t.Fatalf("bad port %q", s)
		}
		proto, ip = parts[0], parts[1]
		if _, err := fmt.Sscan(parts[2], &port); err != nil {
			t.Fatal(err)
		}
		p.Spec.Ports = append(p.Spec.Ports, ContainerPort{Protocol: proto, HostIP: ip, HostPort: port, Port: port})
	}
	return p
}

// NodePorts, with kube-scheduler's TestNodePorts table
// (pkg/scheduler/framework/plugins/nodeports/node_ports_test.go): a pod's
// host port conflicts with a bound pod's of the same number and protocol on
// the same host IP, or on any IP when either binds 0.0.0.0.
func TestNodePortsFilter(t *testing.T) {
	for _, tc := range []struct {
		name       string
		pod, bound []string
		conflict   bool
	}{
		{"skip filter", nil, nil, false},
		{"other port", []string{"UDP/127.0.0.1/8080"}, []string{"UDP/127.0.0.1/9090"}, false},
		{"same udp port", []string{"UDP/127.0.0.1/8080"}, []string{"UDP/127.0.0.1/8080"}, true},
		{"same tcp port", []string{"TCP/127.0.0.1/8080"}, []string{"TCP/127.0.0.1/8080"}, true},
		{"different host ip", []string{"TCP/127.0.0.1/8080"}, []string{"TCP/127.0.0.2/8080"}, false},
		{"different protocol", []string{"UDP/127.0.0.1/8080"}, []string{"TCP/127.0.0.1/8080"}, false},
		{"second udp port conflict", []string{"UDP/127.0.0.1/8000", "UDP/127.0.0.1/8080"}, []string{"UDP/127.0.0.1/8080"}, true},
		{"first tcp port conflict", []string{"TCP/127.0.0.1/8001", "UDP/127.0.0.1/8080"}, []string{"TCP/127.0.0.1/8001", "UDP/127.0.0.1/8081"}, true},
		{"first tcp port conflict due to 0.0.0.0 hostIP", []string{"TCP/0.0.0.0/8001"}, []string{"TCP/127.0.0.1/8001"}, true},
		{"TCP hostPort conflict due to 0.0.0.0 hostIP", []string{"TCP/10.0.10.10/8001", "TCP/0.0.0.0/8001"}, []string{"TCP/127.0.0.1/8001"}, true},
		{"second tcp port conflict to 0.0.0.0 hostIP", []string{"TCP/127.0.0.1/8001"}, []string{"TCP/0.0.0.0/8001"}, true},
		{"second different protocol", []string{"UDP/127.0.0.1/8001"}, []string{"TCP/0.0.0.0/8001"}, false},
		{"UDP hostPort conflict due to 0.0.0.0 hostIP", []string{"UDP/127.0.0.1/8001"}, []string{"TCP/0.0.0.0/8001", "UDP/0.0.0.0/8001"}, true},
		// The API's defaults: no hostIP binds every address, no protocol is TCP.
		{"empty hostIP and protocol", []string{"//8001"}, []string{"TCP/127.0.0.1/8001"}, true},
	} {
		pod, bound := hostPortPod(t, tc.pod...), hostPortPod(t, tc.bound...)
		n := testNode("m1", 0, Resources{MilliCPU: 1000, Memory: gi}, Resources{})
		n.pods = []*Pod{bound}
		st := newCycleState(pod)
		if st.hostPorts != (len(tc.pod) > 0) {
			t.Errorf("%s: prefilter hostPorts %v", tc.name, st.hostPorts)
		}
		want := ""
		if tc.conflict {
			want = "node(s) didn't have free ports for the requested pod ports"
		}
		if got := (nodePortsPlugin{}).filter(&st, pod, n); got != want {
			t.Errorf("%s: %q, want %q", tc.name, got, want)
		}
	}
	// A hostNetwork pod's container ports are host ports.
	hn := &Pod{Spec: PodSpec{HostNetwork: true, Ports: []ContainerPort{{Port: 9100}}}}
	n := testNode("m1", 0, Resources{MilliCPU: 1000, Memory: gi}, Resources{})
	n.pods = []*Pod{hostPortPod(t, "TCP/0.0.0.0/9100")}
	st := newCycleState(hn)
	if got := (nodePortsPlugin{}).filter(&st, hn, n); got == "" {
		t.Error("a hostNetwork pod on port 9100 fits a node whose pod holds hostPort 9100")
	}
}
