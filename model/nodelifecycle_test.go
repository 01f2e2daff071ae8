package model

import (
	"fmt"
	"testing"

	"github.com/kubesim/kubesim/sim"
)

// The zone cases of Kubernetes' TestMonitorNodeHealthEvictPodsWithDisruption
// (pkg/controller/nodelifecycle), run against kubesim: nodes are labelled with
// region and zone, the "down" ones stop heartbeating, and each has one pod
// (with the default 300 s not-ready/unreachable tolerations). Evicted means the
// down node got its unreachable NoExecute taint and its pod was deleted.
func TestZoneDisruptionEvictions(t *testing.T) {
	type node struct {
		name, region, zone string
		down, excluded     bool
	}
	cases := []struct {
		name  string
		nodes []node
		// back is restarted 30 s after the others went NotReady.
		back      string
		wantEvict bool
	}{
		{"Network Disruption: Only zone is down - eviction shouldn't take place",
			[]node{{"node0", "region1", "zone1", true, false}, {"node1", "region1", "zone1", true, false}}, "", false},
		{"Network Disruption: Both zones down - eviction shouldn't take place",
			[]node{{"node0", "region1", "zone1", true, false}, {"node1", "region2", "zone2", true, false}}, "", false},
		{"Network Disruption: One zone is down - eviction should take place",
			[]node{{"node0", "region1", "zone1", true, false}, {"node1", "region1", "zone2", false, false}}, "", true},
		{"NetworkDisruption: eviction should stop, only master Node is healthy",
			[]node{{"node0", "region1", "zone1", true, false}, {"node-master", "region1", "zone1", false, true}}, "", false},
		{"Initially both zones down, one comes back - eviction should take place",
			[]node{{"node0", "region1", "zone1", true, false}, {"node1", "region1", "zone2", true, false}}, "node1", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := NewCluster(sim.New(1), DefaultConfig())
			for _, n := range tc.nodes {
				l := map[string]string{LabelRegion: n.region, LabelZone: n.zone}
				if n.excluded {
					l[LabelExcludeDisruption] = ""
				}
				if _, err := c.AddNode(n.name, l, nil, workerCap); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := c.CreatePod("pod0", nil, PodSpec{Image: "nginx", NodeName: "node0"}, nil); err != nil {
				t.Fatal(err)
			}
			runFor(c, sec(30))
			for _, n := range tc.nodes {
				if n.down {
					c.StopNode(n.name)
				}
			}
			runFor(c, sec(70)) // every down node NotReady
			if tc.back != "" {
				c.StartNode(tc.back)
			}
			runFor(c, sec(400))
			node0, pod := c.Node("node0"), c.Pod("pod0")
			if node0.Ready {
				t.Fatalf("node0 Ready, want NotReady")
			}
			tainted := node0.HasTaint(TaintUnreachable, NoExecute)
			if tainted != tc.wantEvict || pod.Terminating != tc.wantEvict {
				t.Errorf("node0 NoExecute-tainted %v, pod0 evicted %v; want both %v", tainted, pod.Terminating, tc.wantEvict)
			}
		})
	}
}

// A fully disrupted zone next to a healthy one is tainted at the normal rate
// (HealthyQPSFunc), one node per 10 s, not stopped as in partial disruption.
func TestFullyDisruptedZoneTaintedAtNormalRate(t *testing.T) {
	c := NewCluster(sim.New(2), DefaultConfig())
	for _, n := range []struct{ name, zone string }{{"a1", "a"}, {"a2", "a"}, {"a3", "a"}, {"a4", "a"}, {"b1", "b"}} {
		if _, err := c.AddNode(n.name, map[string]string{LabelZone: n.zone}, nil, workerCap); err != nil {
			t.Fatal(err)
		}
	}
	runFor(c, sec(10))
	for _, n := range []string{"a1", "a2", "a3", "a4"} {
		c.StopNode(n)
	}
	runFor(c, sec(200))
	var first, last sim.Time
	for _, n := range []string{"a1", "a2", "a3", "a4"} {
		var at sim.Time
		for _, tt := range c.Node(n).Taints {
			if tt.Key == TaintUnreachable && tt.Effect == NoExecute {
				at = tt.Added
			}
		}
		if at == 0 {
			t.Fatalf("%s has no unreachable NoExecute taint (taints %v): a fully disrupted zone must still be tainted while zone b is healthy", n, c.Node(n).Taints)
		}
		if first == 0 || at < first {
			first = at
		}
		last = max(last, at)
	}
	if got := last - first; got != sec(30) {
		t.Errorf("4 nodes tainted over %v, want 30 s (0.1 node/s)", got)
	}
}

// Nodes labelled node.kubernetes.io/exclude-disruption do not count in their
// zone's state: with the label on the two healthy nodes of a 5-node zone, the
// NotReady nodes are the whole zone (full disruption, the only zone), so
// nothing is tainted; without it the same zone is in partial disruption (3 of
// 5, >= 55%), small, and tainting stops there; with a healthy zone
// elsewhere the excluded-only view is full disruption and tainting goes on.
func TestExcludeDisruptionLabel(t *testing.T) {
	run := func(exclude, otherZone bool) int {
		c := NewCluster(sim.New(3), DefaultConfig())
		for i, name := range []string{"n1", "n2", "n3", "n4", "n5"} {
			l := map[string]string{LabelZone: "a"}
			if i >= 3 && exclude {
				l[LabelExcludeDisruption] = "true"
			}
			c.AddNode(name, l, nil, workerCap)
		}
		if otherZone {
			c.AddNode("b1", map[string]string{LabelZone: "b"}, nil, workerCap)
		}
		runFor(c, sec(10))
		for _, n := range []string{"n1", "n2", "n3"} {
			c.StopNode(n)
		}
		runFor(c, sec(200))
		tainted := 0
		for _, n := range []string{"n1", "n2", "n3"} {
			if c.Node(n).HasTaint(TaintUnreachable, NoExecute) {
				tainted++
			}
		}
		return tainted
	}
	// The nodes go NotReady at different monitor passes (their heartbeats
	// are out of phase): those found before the third are tainted, the rest
	// wait.
	if got := run(false, true); got >= 3 {
		t.Errorf("no label, zone b healthy: %d nodes tainted, want fewer than 3 (zone a in partial disruption once 3 of 5 are NotReady, 5 nodes <= 50)", got)
	}
	if got := run(true, false); got != 0 {
		t.Errorf("healthy nodes excluded, single zone: %d nodes tainted, want 0 (every zone fully disrupted)", got)
	}
	if got := run(true, true); got != 3 {
		t.Errorf("healthy nodes excluded, zone b healthy: %d nodes tainted, want 3 (zone a fully disrupted: normal rate)", got)
	}
}

// When every zone becomes fully disrupted the controller removes the NoExecute
// taints it had already added, and the taint eviction controller cancels the
// pending evictions.
func TestAllZonesDownUntaints(t *testing.T) {
	c := NewCluster(sim.New(4), DefaultConfig())
	c.AddNode("n1", nil, nil, workerCap)
	c.AddNode("n2", nil, nil, workerCap)
	p, _ := c.CreatePod("p", nil, PodSpec{Image: "nginx", NodeName: "n1"}, nil)
	runFor(c, sec(10))
	c.StopNode("n1")
	runFor(c, sec(100))
	if !c.Node("n1").HasTaint(TaintUnreachable, NoExecute) || p.evictAt() == 0 {
		t.Fatalf("n1 taints %v, eviction at %v: want tainted, eviction scheduled", c.Node("n1").Taints, p.evictAt())
	}
	c.StopNode("n2")
	runFor(c, sec(400))
	if c.Node("n1").HasTaint(TaintUnreachable, NoExecute) || p.Terminating {
		t.Errorf("after the last node went down: n1 taints %v, pod terminating %v; want the NoExecute taint removed and the eviction cancelled", c.Node("n1").Taints, p.Terminating)
	}
	c.StartNode("n2")
	runFor(c, sec(400))
	if !c.Node("n1").HasTaint(TaintUnreachable, NoExecute) || !p.Terminating {
		t.Errorf("after n2 came back: n1 taints %v, pod terminating %v; want n1 tainted again and the pod evicted", c.Node("n1").Taints, p.Terminating)
	}
}

// Cases of Kubernetes' taint eviction controller tests
// (pkg/controller/tainteviction), on a node tainted by hand.
func TestTaintEvictionScheduling(t *testing.T) {
	secs := func(s int64) *int64 { return &s }
	tol := func(key string, s *int64) Toleration {
		return Toleration{Key: key, Operator: "Exists", Effect: NoExecute, Seconds: s}
	}
	type step struct {
		at     float64 // seconds after the start
		add    string  // taint key to add
		remove string  // taint key to remove
	}
	cases := []struct {
		name  string
		tols  []Toleration
		steps []step
		// wantDeleted is when the pod is deleted (seconds after the start), -1 never.
		wantDeleted float64
	}{
		{"Pod with multiple tolerations are evicted when first one runs out",
			[]Toleration{tol("testTaint1", secs(1)), tol("testTaint2", secs(100))},
			[]step{{0, "testTaint1", ""}, {0, "testTaint2", ""}}, 1},
		// TestUpdateNodeWithMultipleTaints: no taint -> infinitely tolerated
		// -> temporarily tolerated -> infinitely tolerated: never deleted.
		{"TestUpdateNodeWithMultipleTaints",
			[]Toleration{tol("testTaint1", nil), tol("testTaint2", secs(60))},
			[]step{{0, "testTaint1", ""}, {10, "testTaint2", ""}, {20, "", "testTaint2"}}, -1},
		// An eviction already scheduled stands: a second, shorter-tolerated
		// taint does not bring it forward (processPodOnNode keeps the queued
		// work created before now).
		{"second taint does not bring a scheduled eviction forward",
			[]Toleration{tol("testTaint1", secs(100)), tol("testTaint2", secs(10))},
			[]step{{0, "testTaint1", ""}, {30, "testTaint2", ""}}, 100},
		// "lengthening toleration shouldn't work", with taints: the longer one
		// added later does not put the eviction off either.
		{"second taint does not put a scheduled eviction off",
			[]Toleration{tol("testTaint1", secs(10)), tol("testTaint2", secs(100))},
			[]step{{0, "testTaint1", ""}, {5, "testTaint2", ""}}, 10},
		{"Taint removed",
			[]Toleration{tol("testTaint1", secs(1))},
			[]step{{0, "testTaint1", ""}, {0.5, "", "testTaint1"}}, -1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := NewCluster(sim.New(5), DefaultConfig())
			c.AddNode("node1", nil, nil, workerCap)
			p, err := c.CreatePod("pod1", nil, PodSpec{Image: "nginx", NodeName: "node1", Tolerations: tc.tols}, nil)
			if err != nil {
				t.Fatal(err)
			}
			runFor(c, sec(10))
			start := c.Now()
			for _, s := range tc.steps {
				c.E.RunUntil(start + sec(s.at))
				var err error
				if s.add != "" {
					err = c.TaintNode("node1", Taint{Key: s.add, Value: "test", Effect: NoExecute})
				} else {
					err = c.UntaintNode("node1", s.remove, NoExecute)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			c.E.RunUntil(start + sec(300))
			switch {
			case tc.wantDeleted < 0 && p.Terminating:
				t.Errorf("pod deleted %v after the first taint, want never", p.DeletedAt-start)
			case tc.wantDeleted >= 0 && (!p.Terminating || p.DeletedAt-start != sec(tc.wantDeleted)):
				t.Errorf("pod terminating %v, deleted %v after the first taint; want deleted at %v s", p.Terminating, p.DeletedAt-start, tc.wantDeleted)
			}
		})
	}
}

// The zone counts kept as nodes change agree with a count from scratch of the
// nodes the controller's zone states take in (not removed, not excluded), after
// every step of a random history of adds, removals, stops, starts and
// relabellings across zones.
func TestZoneCountsFollowNodes(t *testing.T) {
	c := NewCluster(sim.New(3), DefaultConfig())
	r := c.E.Stream("test")
	zones := []string{"a", "b", "c"}
	label := func() map[string]string {
		l := map[string]string{}
		switch k := r.IntN(5); {
		case k < 3:
			l[LabelZone] = zones[k]
		case k == 3:
			l[LabelZone] = zones[r.IntN(3)]
			l[LabelExcludeDisruption] = ""
		}
		return l
	}
	added := 0
	for step := 0; step < 400; step++ {
		var name string
		if added > 0 {
			name = fmt.Sprintf("n%d", r.IntN(added))
		}
		switch k := r.IntN(6); {
		case k == 0 || added == 0:
			if _, err := c.AddNode(fmt.Sprintf("n%d", added), label(), nil, workerCap); err != nil {
				t.Fatal(err)
			}
			added++
		case k == 1:
			c.RemoveNode(name)
		case k == 2:
			c.StopNode(name)
		case k == 3:
			c.StartNode(name)
		case k == 4:
			c.SetNodeLabels(name, label())
		default:
			runFor(c, sec(float64(r.IntN(90))))
		}
		want := map[string]zoneCount{}
		for _, n := range c.nodes {
			if _, ex := n.Labels[LabelExcludeDisruption]; n.Removed || ex {
				continue
			}
			z := want[zoneKey(n)]
			if n.Ready {
				z.ready++
			} else {
				z.notReady++
			}
			want[zoneKey(n)] = z
		}
		for k, z := range c.nlc.counts {
			if *z != want[k] {
				t.Fatalf("step %d: zone %q counted %+v, want %+v", step, k, *z, want[k])
			}
		}
		counted, full := 0, 0
		for k, z := range want {
			if c.nlc.counts[k] == nil {
				t.Fatalf("step %d: zone %q not counted, want %+v", step, k, z)
			}
			counted++
			if z.ready == 0 {
				full++
			}
		}
		if counted != c.nlc.counted || full != c.nlc.full {
			t.Fatalf("step %d: %d zones (%d fully disrupted) counted as %d (%d)", step, counted, full, c.nlc.counted, c.nlc.full)
		}
	}
}
