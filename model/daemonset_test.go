package model

import (
	"strings"
	"testing"

	"github.com/kubesim/kubesim/model/labels"
	"github.com/kubesim/kubesim/sim"
)

func mustDaemonSet(t testing.TB, c *Cluster, s DaemonSetSpec) *DaemonSet {
	t.Helper()
	ds, err := c.CreateDaemonSet(s)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func rngDaemon(name string) DaemonSetSpec {
	return DaemonSetSpec{Name: name, Template: PodTemplate{Labels: map[string]string{"app": name},
		Spec: PodSpec{Image: "dockercoins/rng:v0.1"}}}
}

// The workshop's rng DaemonSet: one pod per worker node, none on the kubeadm
// control plane, unless the template tolerates its taint.
func TestDaemonSetSkipsControlPlane(t *testing.T) {
	checkDaemonPlans(t)
	c := newWorkshop(t, 1, 4)
	ds := mustDaemonSet(t, c, rngDaemon("rng"))
	runFor(c, sec(10))
	if got := placement(c, withLabel("app", "rng")); got != "node1=0 node2=1 node3=1 node4=1" {
		t.Fatalf("DaemonSet placement %s", got)
	}
	for _, p := range ds.Pods() {
		if !p.Ready || p.Labels[LabelControllerRevHash] != ds.Hash() || p.Owner.Kind != "DaemonSet" {
			t.Errorf("daemon pod %s: ready %v labels %v owner %+v", p.Name, p.Ready, p.Labels, p.Owner)
		}
		if !tolerates(p.Spec.Tolerations, Taint{Key: TaintUnreachable, Effect: NoExecute}) ||
			!tolerates(p.Spec.Tolerations, Taint{Key: TaintUnschedulable, Effect: NoSchedule}) {
			t.Errorf("daemon pod %s lacks the DaemonSet tolerations: %v", p.Name, p.Spec.Tolerations)
		}
		for _, tol := range p.Spec.Tolerations {
			if tol.Key == TaintUnreachable && tol.Seconds != nil {
				t.Errorf("daemon pod %s tolerates unreachable for %ds only", p.Name, *tol.Seconds)
			}
		}
	}
	spec := rngDaemon("rng-everywhere")
	spec.Template.Spec.Tolerations = []Toleration{{Key: TaintControlPlane, Operator: "Exists", Effect: NoSchedule}}
	mustDaemonSet(t, c, spec)
	runFor(c, sec(10))
	if got := placement(c, withLabel("app", "rng-everywhere")); got != "node1=1 node2=1 node3=1 node4=1" {
		t.Errorf("with the control-plane toleration: %s", got)
	}
}

// Nodes joining or relabelled into eligibility get a pod; a node whose labels
// stop matching, or with an untolerated NoExecute taint, loses it; a new
// NoSchedule taint keeps it.
func TestDaemonSetFollowsNodes(t *testing.T) {
	checkDaemonPlans(t)
	c := newWorkshop(t, 2, 3)
	spec := rngDaemon("agent")
	spec.Template.Spec.NodeSelector = map[string]string{"disk": "ssd"}
	ds := mustDaemonSet(t, c, spec)
	runFor(c, sec(10))
	if n := len(ds.Pods()); n != 0 {
		t.Fatalf("%d pods with no ssd node", n)
	}
	t0 := c.Now()
	if _, err := c.AddNode("node9", map[string]string{"disk": "ssd"}, nil, workerCap); err != nil {
		t.Fatal(err)
	}
	runFor(c, sec(10))
	pods := ds.Pods()
	if len(pods) != 1 || pods[0].NodeName != "node9" || !pods[0].Ready {
		t.Fatalf("after node9 joined: %v", sortedNames(pods))
	}
	// sync 20 ms + API 5 ms + scheduling 10 ms, then pull 3 s + start 0.8 s.
	if got, want := pods[0].CreationTimestamp-t0, sec(0.025); got != want {
		t.Errorf("daemon pod created %v after the node joined, want %v", got, want)
	}
	if got, want := pods[0].ReadyAt-t0, sec(0.025+0.010+3+0.8); got != want {
		t.Errorf("daemon pod Ready %v after the node joined, want %v", got, want)
	}
	c.SetNodeLabels("node2", map[string]string{"disk": "ssd"})
	runFor(c, sec(10))
	if got := placement(c, withLabel("app", "agent")); got != "node1=0 node2=1 node3=0 node9=1" {
		t.Fatalf("after labelling node2: %s", got)
	}
	c.TaintNode("node2", Taint{Key: "maintenance", Effect: NoSchedule})
	runFor(c, sec(10))
	if got := placement(c, withLabel("app", "agent")); got != "node1=0 node2=1 node3=0 node9=1" {
		t.Fatalf("a NoSchedule taint removed the daemon pod: %s", got)
	}
	c.TaintNode("node2", Taint{Key: "maintenance", Effect: NoExecute})
	c.SetNodeLabels("node9", nil)
	runFor(c, sec(1))
	if got := placement(c, withLabel("app", "agent")); got != "node1=0 node2=0 node3=0 node9=0" {
		t.Fatalf("after NoExecute on node2 and unlabelling node9: %s", got)
	}
}

func TestDaemonSetRequiredNodeAffinity(t *testing.T) {
	checkDaemonPlans(t)
	c := newWorkshop(t, 3, 4)
	c.SetNodeLabels("node3", map[string]string{"gpu": "a100"})
	c.SetNodeLabels("node4", map[string]string{"gpu": "t4"})
	spec := rngDaemon("gpu-agent")
	spec.Template.Spec.Affinity = &NodeAffinity{Terms: []NodeSelectorTerm{{MatchExpressions: []NodeSelectorRequirement{
		{Key: "gpu", Operator: "In", Values: []string{"a100", "h100"}}}}}}
	mustDaemonSet(t, c, spec)
	runFor(c, sec(10))
	if got := placement(c, withLabel("app", "gpu-agent")); got != "node1=0 node2=0 node3=1 node4=0" {
		t.Errorf("placement %s", got)
	}
	sel, _ := labels.Parse("app=gpu-agent")
	if !sel.MatchesMap(live(c, withLabel("app", "gpu-agent"))[0].Labels) {
		t.Error("selector does not match the daemon pod")
	}
}

// RollingUpdate with maxUnavailable 1: at most one node without an available
// daemon pod at any time; every pod ends on the new revision.
func TestDaemonSetRollingUpdate(t *testing.T) {
	checkDaemonPlans(t)
	c := newWorkshop(t, 4, 5) // 4 workers
	ds := mustDaemonSet(t, c, rngDaemon("rng"))
	runFor(c, sec(10))
	oldHash := ds.Hash()
	spec := rngDaemon("rng")
	spec.Template.Spec.Image = "dockercoins/rng:v0.2"
	start := c.Now()
	if err := c.UpdateDaemonSet(ds, spec); err != nil {
		t.Fatal(err)
	}
	worst := 0
	var done sim.Time
	for i := 0; i < 3000; i++ {
		runFor(c, sec(0.1))
		unavailable := 0
		allNew := true
		for _, n := range c.Nodes()[1:] {
			ok := false
			for _, p := range n.pods {
				if p.ds == ds && !p.Terminating && p.Ready {
					ok = true
				}
				if p.ds == ds && !p.Gone && p.Labels[LabelControllerRevHash] != ds.Hash() {
					allNew = false
				}
			}
			if !ok {
				unavailable++
			}
		}
		worst = max(worst, unavailable)
		if allNew && unavailable == 0 && done == 0 {
			done = c.Now()
		}
	}
	if worst != 1 {
		t.Errorf("up to %d nodes without an available daemon pod, want exactly 1 (maxUnavailable)", worst)
	}
	if done == 0 || ds.Hash() == oldHash {
		t.Fatal("update never finished")
	}
	// Each node: old pod's 30 s grace period, then a new pod (pull + start).
	per := sec(30)
	if d := done - start; d < 4*per || d > 4*(per+sec(5)) {
		t.Errorf("update of 4 nodes took %v, want 4 x (30 s grace + ~4 s start)", d)
	}
	t.Logf("DaemonSet update of 4 nodes took %v", done-start)
}

func TestDaemonSetOnDelete(t *testing.T) {
	checkDaemonPlans(t)
	c := newWorkshop(t, 5, 4)
	spec := rngDaemon("rng")
	spec.Strategy = DaemonSetStrategy{Type: OnDelete}
	ds := mustDaemonSet(t, c, spec)
	runFor(c, sec(10))
	oldHash := ds.Hash()
	spec.Template.Spec.Image = "dockercoins/rng:v0.2"
	if err := c.UpdateDaemonSet(ds, spec); err != nil {
		t.Fatal(err)
	}
	runFor(c, sec(60))
	for _, p := range ds.Pods() {
		if p.Labels[LabelControllerRevHash] != oldHash {
			t.Fatalf("OnDelete replaced %s without a deletion", p.Name)
		}
	}
	victim := live(c, func(p *Pod) bool { return p.ds == ds && p.NodeName == "node3" })[0]
	c.DeletePod(victim)
	runFor(c, sec(60))
	for _, p := range live(c, func(p *Pod) bool { return p.ds == ds }) {
		if want := p.NodeName == "node3"; (p.Labels[LabelControllerRevHash] == ds.Hash()) != want {
			t.Errorf("pod %s on %s has revision %s", p.Name, p.NodeName, p.Labels[LabelControllerRevHash])
		}
	}
}

// maxSurge 1, maxUnavailable 0: every node keeps an available daemon pod
// during the update; at most one node runs two (not counting old pods in their
// grace period).
func TestDaemonSetSurgeUpdate(t *testing.T) {
	checkDaemonPlans(t)
	c := newWorkshop(t, 6, 4)
	spec := rngDaemon("rng")
	spec.Strategy = DaemonSetStrategy{MaxSurge: Int(1), MaxUnavailable: Int(0)}
	ds := mustDaemonSet(t, c, spec)
	runFor(c, sec(10))
	spec.Template.Spec.Image = "dockercoins/rng:v0.2"
	if err := c.UpdateDaemonSet(ds, spec); err != nil {
		t.Fatal(err)
	}
	maxDoubled := 0
	for i := 0; i < 1200; i++ {
		runFor(c, sec(0.1))
		doubled := 0
		for _, n := range c.Nodes()[1:] {
			avail, count := 0, 0
			for _, p := range n.pods {
				if p.ds == ds && !p.Gone && !p.Terminating {
					count++
					if p.Ready && !p.Terminating {
						avail++
					}
				}
			}
			if avail == 0 {
				t.Fatalf("t=%v: %s has no available daemon pod", c.Now(), n.Name)
			}
			if count > 1 {
				doubled++
			}
		}
		maxDoubled = max(maxDoubled, doubled)
	}
	if maxDoubled != 1 {
		t.Errorf("up to %d nodes with two daemon pods, want 1 (maxSurge)", maxDoubled)
	}
	for _, p := range live(c, func(p *Pod) bool { return p.ds == ds }) {
		if p.Labels[LabelControllerRevHash] != ds.Hash() {
			t.Errorf("pod %s not updated", p.Name)
		}
	}
	if got := placement(c, func(p *Pod) bool { return p.ds == ds }); got != "node1=0 node2=1 node3=1 node4=1" {
		t.Errorf("after the update: %s", got)
	}
	bad := spec
	bad.Strategy = DaemonSetStrategy{MaxSurge: Int(1)}
	if err := c.UpdateDaemonSet(ds, bad); err == nil || !strings.Contains(err.Error(), "maxUnavailable") {
		t.Errorf("maxSurge with the default maxUnavailable 1: %v", err)
	}
}

func TestDaemonSetRolloutRestart(t *testing.T) {
	checkDaemonPlans(t)
	c := newWorkshop(t, 7, 4)
	ds := mustDaemonSet(t, c, rngDaemon("rng"))
	runFor(c, sec(10))
	before := sortedNames(ds.Pods())
	if err := c.RolloutRestartDaemonSet(ds); err != nil {
		t.Fatal(err)
	}
	runFor(c, sec(300))
	after := live(c, func(p *Pod) bool { return p.ds == ds })
	if len(after) != 3 || readyCount(after) != 3 {
		t.Fatalf("after restart: %v", sortedNames(after))
	}
	for _, p := range after {
		for _, b := range before {
			if p.Name == b {
				t.Errorf("pod %s survived the restart", b)
			}
		}
	}
}

// A template toleration of unreachable:NoExecute for 300 s is replaced by the
// unlimited one, as AddOrUpdateDaemonPodTolerations does: the daemon pod stays
// on a node that has been unreachable for longer (before, it was evicted
// after 300 s).
func TestDaemonSetTemplateTolerationReplaced(t *testing.T) {
	checkDaemonPlans(t)
	c := newWorkshop(t, 2, 3)
	spec := rngDaemon("agent")
	spec.Template.Spec.Tolerations = []Toleration{
		{Key: TaintUnreachable, Operator: "Exists", Effect: NoExecute, Seconds: Seconds(300)},
		{Key: TaintDiskPressure, Operator: "Exists", Effect: NoSchedule}, // identical: kept as is
	}
	ds := mustDaemonSet(t, c, spec)
	runFor(c, sec(10))
	var pod *Pod
	for _, p := range ds.Pods() {
		if p.NodeName == "node3" {
			pod = p
		}
	}
	if pod == nil {
		t.Fatalf("no daemon pod on node3: %v", sortedNames(ds.Pods()))
	}
	var unreachable, disk []Toleration
	for _, tol := range pod.Spec.Tolerations {
		switch tol.Key {
		case TaintUnreachable:
			unreachable = append(unreachable, tol)
		case TaintDiskPressure:
			disk = append(disk, tol)
		}
	}
	if len(unreachable) != 1 || unreachable[0].Seconds != nil || len(disk) != 1 {
		t.Errorf("tolerations %v: want one unreachable:NoExecute without tolerationSeconds, one disk-pressure", pod.Spec.Tolerations)
	}
	if pod.Spec.Tolerations[0].Key != TaintUnreachable {
		t.Errorf("tolerations %v: the replaced toleration should keep its place", pod.Spec.Tolerations)
	}
	if err := c.StopNode("node3"); err != nil {
		t.Fatal(err)
	}
	runFor(c, sec(600))
	if pod.Terminating || pod.Gone {
		t.Errorf("daemon pod evicted from the unreachable node: its toleration should have no time limit")
	}
}
